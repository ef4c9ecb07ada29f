/*
 * test_cancel.c - cancelling orders: whole and partial, repeated, too late,
 * with a bad reason, with captured money to refund, and with a payment
 * gateway that fails the void or the refund (the order must then be left
 * exactly as it was). SKUs here start with "cx-".
 */
#include "harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static hf_test_server *ts;

static int setup(void **state)
{
    (void)state;
    ts = ts_start();
    return ts ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    ts_free(ts);
    ts = NULL;
    return 0;
}

/* Places an order, asserts 201 and copies its id into id. */
static json_t *place(const char *sku, long qty, json_t *extra, char *id,
                     size_t idsz)
{
    long st = 0;
    json_t *o = ts_order(ts, sku, qty, extra, &st);
    ts_assert_status(st, 201, o);
    snprintf(id, idsz, "%s", ts_str(o, "id"));
    assert_true(*id != '\0');
    return o;
}

/* POST /v1/orders/id/cancel as an agent; steals body. */
static json_t *cancel(const char *id, json_t *body, long *st)
{
    return ts_post_as(ts, ts->agent_key, NULL, body, st, "/v1/orders/%s/cancel",
                      id);
}

/* The line of order for sku, or NULL. */
static json_t *line_of(const json_t *order, const char *sku)
{
    json_t *lines = json_object_get(order, "lines");
    for (size_t i = 0; i < json_array_size(lines); i++)
        if (strcmp(ts_str(json_array_get(lines, i), "sku"), sku) == 0)
            return json_array_get(lines, i);
    return NULL;
}

/* Asserts that what a customer sees of the order (status, lines, totals,
 * payment) is the same in before and after. */
static void assert_order_same(const json_t *before, const json_t *after)
{
    static const char *const keys[] = {"status", "lines",   "subtotal",
                                       "total",  "payment", "cancellation"};
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        json_t *a = json_object_get(before, keys[i]);
        json_t *b = json_object_get(after, keys[i]);
        /* json_equal is false for two NULLs: absent in both is the same. */
        int same = (a == NULL && b == NULL) || json_equal(a, b);
        if (!same) {
            fprintf(stderr, "order member \"%s\" changed\n", keys[i]);
            ts_print_json("before", before);
            ts_print_json("after", after);
        }
        assert_true(same);
    }
}

static void test_whole_cancel(void **state)
{
    (void)state;
    long st = 0;
    char id[128];
    ts_product(ts, "cx-WHOLE", 1200, 10);
    json_decref(place("cx-WHOLE", 3, NULL, id, sizeof id));
    ts_assert_inventory(ts, "cx-WHOLE", 10, 3, 7);
    size_t events = ts_event_count(ts, id);

    json_t *o = cancel(id,
                       json_pack("{s:s, s:s}", "reason", "changed_mind", "note",
                                 "found it elsewhere"),
                       &st);
    ts_assert_status(st, 200, o);
    assert_string_equal(ts_str(o, "status"), "cancelled");
    assert_int_equal(ts_int2(o, "payment", "voided"), 3600);
    assert_int_equal(ts_int2(o, "payment", "captured"), 0);
    assert_string_equal(ts_str(json_object_get(o, "payment"), "status"),
                        "voided");
    json_t *c = json_object_get(o, "cancellation");
    assert_string_equal(ts_str(c, "reason"), "changed_mind");
    assert_string_equal(ts_str(c, "note"), "found it elsewhere");
    json_decref(o);

    /* Every reserved unit is back. */
    ts_assert_inventory(ts, "cx-WHOLE", 10, 0, 10);
    o = ts_get_order(ts, id);
    assert_string_equal(ts_str(o, "status"), "cancelled");
    assert_int_equal(ts_int2(o, "payment", "voided"), 3600);
    json_decref(o);

    o = ts_get(ts, &st, "/v1/orders/%s/events", id);
    ts_assert_status(st, 200, o);
    json_t *data = json_object_get(o, "data");
    assert_true(json_array_size(data) > events);
    assert_string_equal(
        ts_str(json_array_get(data, json_array_size(data) - 1), "to"),
        "cancelled");
    json_decref(o);
}

static void test_partial_cancel(void **state)
{
    (void)state;
    long st = 0;
    char id[128];
    ts_product(ts, "cx-PA", 1000, 10);
    ts_product(ts, "cx-PB", 500, 10);
    json_t *o = place("cx-PA", 3,
                      json_pack("{s:[{s:s, s:i}, {s:s, s:i}]}", "lines", "sku",
                                "cx-PA", "qty", 3, "sku", "cx-PB", "qty", 2),
                      id, sizeof id);
    assert_int_equal(ts_int(o, "total"), 4000);
    json_decref(o);

    o = cancel(id,
               json_pack("{s:s, s:[{s:s, s:i}]}", "reason",
                         "ordered_by_mistake", "lines", "sku", "cx-PA", "qty",
                         1),
               &st);
    ts_assert_status(st, 200, o);
    assert_string_equal(ts_str(o, "status"), "confirmed");
    assert_int_equal(ts_int(line_of(o, "cx-PA"), "qty"), 3);
    assert_int_equal(ts_int(line_of(o, "cx-PA"), "cancelled_qty"), 1);
    assert_int_equal(ts_int(line_of(o, "cx-PB"), "cancelled_qty"), 0);
    assert_int_equal(ts_int(o, "total"), 3000);
    assert_int_equal(ts_int2(o, "payment", "voided"), 1000);
    json_decref(o);
    ts_assert_inventory(ts, "cx-PA", 10, 2, 8);
    ts_assert_inventory(ts, "cx-PB", 10, 2, 8);

    /* More than is left on the line, or a SKU not on the order: 422 and
     * nothing changes. */
    json_t *before = ts_get_order(ts, id);
    o = cancel(id,
               json_pack("{s:s, s:[{s:s, s:i}]}", "reason", "changed_mind",
                         "lines", "sku", "cx-PA", "qty", 3),
               &st);
    ts_assert_error(st, o, 422, "invalid");
    assert_string_equal(ts_err_field(o), "lines[0].qty");
    json_decref(o);
    o = cancel(id,
               json_pack("{s:s, s:[{s:s, s:i}]}", "reason", "changed_mind",
                         "lines", "sku", "cx-WHOLE", "qty", 1),
               &st);
    ts_assert_error(st, o, 422, "invalid");
    assert_int_equal(strncmp(ts_err_field(o), "lines[0]", 8), 0);
    json_decref(o);
    json_t *after = ts_get_order(ts, id);
    assert_order_same(before, after);
    json_decref(before);
    json_decref(after);
    ts_assert_inventory(ts, "cx-PA", 10, 2, 8);

    /* Cancelling what is left, line by line, cancels the order. */
    o = cancel(id,
               json_pack("{s:s, s:[{s:s, s:i}, {s:s, s:i}]}", "reason",
                         "changed_mind", "lines", "sku", "cx-PA", "qty", 2,
                         "sku", "cx-PB", "qty", 2),
               &st);
    ts_assert_status(st, 200, o);
    assert_string_equal(ts_str(o, "status"), "cancelled");
    assert_int_equal(ts_int(line_of(o, "cx-PA"), "cancelled_qty"), 3);
    assert_int_equal(ts_int(line_of(o, "cx-PB"), "cancelled_qty"), 2);
    assert_int_equal(ts_int(o, "total"), 0);
    assert_int_equal(ts_int2(o, "payment", "voided"), 4000);
    json_decref(o);
    ts_assert_inventory(ts, "cx-PA", 10, 0, 10);
    ts_assert_inventory(ts, "cx-PB", 10, 0, 10);
}

static void test_repeated_cancel(void **state)
{
    (void)state;
    long st = 0;
    char id[128];
    ts_product(ts, "cx-REP", 700, 5);
    json_decref(place("cx-REP", 2, NULL, id, sizeof id));
    json_t *first =
        cancel(id, json_pack("{s:s}", "reason", "shipping_delay"), &st);
    ts_assert_status(st, 200, first);
    assert_string_equal(ts_str(first, "status"), "cancelled");
    size_t events = ts_event_count(ts, id);
    json_t *before = ts_get_order(ts, id);

    json_t *second = cancel(id, json_pack("{s:s}", "reason", "other"), &st);
    ts_assert_status(st, 200, second);
    assert_string_equal(ts_str(second, "status"), "cancelled");
    assert_int_equal(ts_int2(second, "payment", "voided"), 1400);
    json_t *after = ts_get_order(ts, id);
    assert_order_same(before, after);
    if (json_object_get(before, "version") != NULL)
        assert_int_equal(ts_int(after, "version"), ts_int(before, "version"));
    assert_int_equal(ts_event_count(ts, id), events);
    /* The stock was released once, not twice. */
    ts_assert_inventory(ts, "cx-REP", 5, 0, 5);
    json_decref(first);
    json_decref(second);
    json_decref(before);
    json_decref(after);
}

static void test_cancel_after_shipment(void **state)
{
    (void)state;
    long st = 0;
    char id[128];
    ts_product(ts, "cx-LATE", 600, 5);
    json_decref(place("cx-LATE", 1, NULL, id, sizeof id));
    json_decref(ts_transition(ts, id, "shipped"));
    json_t *before = ts_get_order(ts, id);

    json_t *o = cancel(id, json_pack("{s:s}", "reason", "changed_mind"), &st);
    ts_assert_error(st, o, 409, "not_cancellable");
    json_decref(o);
    o = cancel(id,
               json_pack("{s:s, s:[{s:s, s:i}]}", "reason", "changed_mind",
                         "lines", "sku", "cx-LATE", "qty", 1),
               &st);
    ts_assert_error(st, o, 409, "not_cancellable");
    json_decref(o);
    json_t *after = ts_get_order(ts, id);
    assert_order_same(before, after);
    assert_string_equal(ts_str(after, "status"), "shipped");
    assert_int_equal(ts_int2(after, "payment", "voided"), 0);
    json_decref(before);
    json_decref(after);
    ts_assert_inventory(ts, "cx-LATE", 4, 0, 4);

    json_decref(ts_transition(ts, id, "delivered"));
    o = cancel(id, json_pack("{s:s}", "reason", "changed_mind"), &st);
    ts_assert_error(st, o, 409, "not_cancellable");
    json_decref(o);
}

static void test_invalid_reason(void **state)
{
    (void)state;
    long st = 0;
    char id[128];
    ts_product(ts, "cx-WHY", 400, 5);
    json_decref(place("cx-WHY", 1, NULL, id, sizeof id));
    size_t events = ts_event_count(ts, id);
    json_t *before = ts_get_order(ts, id);

    json_t *o = cancel(id, json_pack("{s:s}", "reason", "bored"), &st);
    ts_assert_error(st, o, 422, "invalid_reason");
    json_decref(o);

    json_t *after = ts_get_order(ts, id);
    assert_order_same(before, after);
    assert_string_equal(ts_str(after, "status"), "confirmed");
    assert_int_equal(ts_event_count(ts, id), events);
    ts_assert_inventory(ts, "cx-WHY", 5, 1, 4);
    json_decref(before);
    json_decref(after);

    o = cancel("ord_cx_no_such", json_pack("{s:s}", "reason", "other"), &st);
    ts_assert_error(st, o, 404, "not_found");
    json_decref(o);
}

static void test_refund_path(void **state)
{
    (void)state;
    long st = 0;
    char id[128];
    ts_product(ts, "cx-REF", 2000, 6);
    json_t *o =
        place("cx-REF", 2,
              json_pack("{s:{s:s, s:s, s:s}}", "payment", "method", "card",
                        "gateway", "test", "capture", "immediate"),
              id, sizeof id);
    assert_int_equal(ts_int2(o, "payment", "captured"), 4000);
    assert_string_equal(ts_str(json_object_get(o, "payment"), "status"),
                        "captured");
    json_decref(o);

    o = cancel(id, json_pack("{s:s}", "reason", "found_better_price"), &st);
    ts_assert_status(st, 200, o);
    assert_string_equal(ts_str(o, "status"), "cancelled");
    assert_int_equal(ts_int2(o, "payment", "refunded"), 4000);
    assert_int_equal(ts_int2(o, "payment", "voided"), 0);
    assert_string_equal(ts_str(json_object_get(o, "payment"), "status"),
                        "refunded");
    json_decref(o);
    ts_assert_inventory(ts, "cx-REF", 6, 0, 6);

    /* A partial cancel refunds that part only. */
    json_decref(
        place("cx-REF", 2,
              json_pack("{s:{s:s, s:s, s:s}}", "payment", "method", "card",
                        "gateway", "test", "capture", "immediate"),
              id, sizeof id));
    o = cancel(id,
               json_pack("{s:s, s:[{s:s, s:i}]}", "reason", "changed_mind",
                         "lines", "sku", "cx-REF", "qty", 1),
               &st);
    ts_assert_status(st, 200, o);
    assert_string_equal(ts_str(o, "status"), "confirmed");
    assert_int_equal(ts_int2(o, "payment", "refunded"), 2000);
    assert_int_equal(ts_int(o, "total"), 2000);
    assert_string_equal(ts_str(json_object_get(o, "payment"), "status"),
                        "partially_refunded");
    json_decref(o);
    ts_assert_inventory(ts, "cx-REF", 6, 1, 5);
}

/* Places 2 of sku with the test gateway and token, cancels it whole and
 * in part, and asserts both give 502 code and leave everything as it
 * was. */
static void failing_payment_step(const char *sku, const char *token,
                                 const char *capture, const char *code)
{
    long st = 0;
    char id[128];
    ts_product(ts, sku, 1500, 5);
    json_t *o =
        place(sku, 2,
              json_pack("{s:{s:s, s:s, s:s, s:s}}", "payment", "method", "card",
                        "gateway", "test", "token", token, "capture", capture),
              id, sizeof id);
    json_decref(o);
    json_t *before = ts_get_order(ts, id);
    ts_assert_inventory(ts, sku, 5, 2, 3);

    o = cancel(id, json_pack("{s:s}", "reason", "changed_mind"), &st);
    ts_assert_error(st, o, 502, code);
    json_decref(o);
    json_t *after = ts_get_order(ts, id);
    assert_order_same(before, after);
    json_decref(after);
    ts_assert_inventory(ts, sku, 5, 2, 3);

    o = cancel(id,
               json_pack("{s:s, s:[{s:s, s:i}]}", "reason", "changed_mind",
                         "lines", "sku", sku, "qty", 1),
               &st);
    ts_assert_error(st, o, 502, code);
    json_decref(o);
    after = ts_get_order(ts, id);
    assert_order_same(before, after);
    assert_string_equal(ts_str(after, "status"), "confirmed");
    json_decref(after);
    json_decref(before);
    ts_assert_inventory(ts, sku, 5, 2, 3);
}

static void test_refund_fails(void **state)
{
    (void)state;
    failing_payment_step("cx-RFAIL", "tok_refund_fails", "immediate",
                         "refund_failed");
}

static void test_void_fails(void **state)
{
    (void)state;
    failing_payment_step("cx-VFAIL", "tok_void_fails", "on_shipment",
                         "void_failed");
}

static void test_declined_card(void **state)
{
    (void)state;
    long st = 0;
    ts_product(ts, "cx-DECL", 1000, 5);
    json_t *all = ts_list_orders(ts, NULL, 100);
    assert_non_null(all);
    size_t orders = json_array_size(all);
    json_decref(all);

    json_t *o = ts_order(
        ts, "cx-DECL", 2,
        json_pack("{s:{s:s, s:s, s:s}, s:{s:s, s:s}}", "payment", "method",
                  "card", "gateway", "test", "token", "tok_decline", "customer",
                  "email", "cx.declined@example.com", "name", "De Clined"),
        &st);
    ts_assert_error(st, o, 502, "card_declined");
    json_decref(o);
    /* Not even the customer was kept: the email is still free. */
    o = ts_post(ts,
                json_pack("{s:s, s:s}", "email", "cx.declined@example.com",
                          "name", "De Clined"),
                &st, "/v1/customers");
    ts_assert_status(st, 201, o);
    json_decref(o);

    /* Nothing was kept: no order, no reservation. */
    ts_assert_inventory(ts, "cx-DECL", 5, 0, 5);
    all = ts_list_orders(ts, NULL, 100);
    assert_non_null(all);
    assert_int_equal(json_array_size(all), orders);
    json_decref(all);

    /* And all five can still be sold. */
    char id[128];
    json_decref(place("cx-DECL", 5, NULL, id, sizeof id));
    ts_assert_inventory(ts, "cx-DECL", 5, 5, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_whole_cancel),
        cmocka_unit_test(test_partial_cancel),
        cmocka_unit_test(test_repeated_cancel),
        cmocka_unit_test(test_cancel_after_shipment),
        cmocka_unit_test(test_invalid_reason),
        cmocka_unit_test(test_refund_path),
        cmocka_unit_test(test_refund_fails),
        cmocka_unit_test(test_void_fails),
        cmocka_unit_test(test_declined_card),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
