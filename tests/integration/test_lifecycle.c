/*
 * test_lifecycle.c - the life of an order as a client sees it: products
 * and stock, customers, placing an order, reading and listing orders, and
 * moving an order through fulfilment with its timeline and its effect on
 * stock. Every SKU and email here starts with "lc" so that no other test
 * shares them.
 */
#include "harness.h"

#include <ctype.h>
#include <stdbool.h>
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

/* Asserts that number looks like HF-1xxxxx. */
static void assert_order_number(const char *number)
{
    bool ok = strlen(number) == 9 && strncmp(number, "HF-1", 4) == 0;
    for (size_t i = 4; ok && i < 9; i++)
        ok = isdigit((unsigned char)number[i]) != 0;
    if (!ok)
        fprintf(stderr, "order number \"%s\" is not HF-1xxxxx\n", number);
    assert_true(ok);
}

/* Places qty of sku (with extra), asserts 201 and returns the order. */
static json_t *place(const char *sku, long qty, json_t *extra)
{
    long st = 0;
    json_t *o = ts_order(ts, sku, qty, extra, &st);
    ts_assert_status(st, 201, o);
    return o;
}

/* POST a transition and return the answer without asserting. */
static json_t *try_transition(const char *id, const char *to, long *st)
{
    return ts_post(ts, json_pack("{s:s}", "to", to), st,
                   "/v1/orders/%s/transitions", id);
}

/* Asserts that the order id has status want on the server. */
static void assert_status_is(const char *id, const char *want)
{
    json_t *o = ts_get_order(ts, id);
    assert_string_equal(ts_str(o, "status"), want);
    json_decref(o);
}

/* Moves id to `to`, asserting the timeline grew and ends with that move. */
static void step(const char *id, const char *to)
{
    size_t before = ts_event_count(ts, id);
    json_decref(ts_transition(ts, id, to));
    long st = 0;
    json_t *ev = ts_get(ts, &st, "/v1/orders/%s/events", id);
    ts_assert_status(st, 200, ev);
    json_t *data = json_object_get(ev, "data");
    assert_true(json_array_size(data) > before);
    json_t *last = json_array_get(data, json_array_size(data) - 1);
    assert_string_equal(ts_str(last, "to"), to);
    json_decref(ev);
}

static void test_product_and_inventory(void **state)
{
    (void)state;
    long st = 0;
    json_t *p =
        ts_post(ts,
                json_pack("{s:s, s:s, s:i, s:s, s:i, s:s}", "sku", "lc-TEE-1",
                          "name", "Tee", "price", 2500, "currency", "USD",
                          "cost", 900, "category", "apparel"),
                &st, "/v1/products");
    ts_assert_status(st, 201, p);
    assert_string_equal(ts_str(p, "sku"), "lc-TEE-1");
    assert_string_equal(ts_str(p, "name"), "Tee");
    assert_int_equal(ts_int(p, "price"), 2500);
    assert_int_equal(ts_int(p, "cost"), 900);
    assert_string_equal(ts_str(p, "currency"), "USD");
    assert_true(json_is_true(json_object_get(p, "active")));
    json_decref(p);

    p = ts_get(ts, &st, "/v1/products/lc-TEE-1");
    ts_assert_status(st, 200, p);
    assert_int_equal(ts_int(p, "price"), 2500);
    json_decref(p);

    p = ts_post(ts,
                json_pack("{s:s, s:s, s:i, s:s}", "sku", "lc-TEE-1", "name",
                          "Other", "price", 1, "currency", "USD"),
                &st, "/v1/products");
    ts_assert_error(st, p, 409, "sku_exists");
    json_decref(p);

    /* A product without stock has zeros and no locations. */
    json_t *inv = ts_get(ts, &st, "/v1/inventory/lc-TEE-1");
    ts_assert_status(st, 200, inv);
    assert_int_equal(ts_int(inv, "on_hand"), 0);
    assert_int_equal(ts_int(inv, "reserved"), 0);
    assert_int_equal(ts_int(inv, "available"), 0);
    assert_true(json_is_array(json_object_get(inv, "locations")));
    assert_int_equal(json_array_size(json_object_get(inv, "locations")), 0);
    json_decref(inv);

    inv =
        ts_post(ts,
                json_pack("{s:s, s:s, s:i, s:s}", "sku", "lc-TEE-1", "location",
                          "main", "delta", 50, "reason", "received"),
                &st, "/v1/inventory/adjustments");
    ts_assert_status(st, 201, inv);
    assert_int_equal(ts_int(inv, "on_hand"), 50);
    assert_int_equal(ts_int(inv, "available"), 50);
    json_decref(inv);

    inv = ts_get(ts, &st, "/v1/inventory/lc-TEE-1");
    ts_assert_status(st, 200, inv);
    assert_string_equal(ts_str(inv, "sku"), "lc-TEE-1");
    assert_int_equal(ts_int(inv, "on_hand"), 50);
    assert_int_equal(ts_int(inv, "reserved"), 0);
    assert_int_equal(ts_int(inv, "available"), 50);
    json_t *locs = json_object_get(inv, "locations");
    assert_int_equal(json_array_size(locs), 1);
    json_t *main_loc = json_array_get(locs, 0);
    assert_string_equal(ts_str(main_loc, "location"), "main");
    assert_int_equal(ts_int(main_loc, "on_hand"), 50);
    assert_int_equal(ts_int(main_loc, "reserved"), 0);
    assert_int_equal(ts_int(main_loc, "available"), 50);
    json_decref(inv);

    inv =
        ts_post(ts,
                json_pack("{s:s, s:s, s:i, s:s}", "sku", "lc-TEE-1", "location",
                          "main", "delta", -5, "reason", "damaged"),
                &st, "/v1/inventory/adjustments");
    ts_assert_status(st, 201, inv);
    json_decref(inv);
    ts_assert_inventory(ts, "lc-TEE-1", 45, 0, 45);

    /* Stock never goes below zero; the rejected adjustment changes nothing.
     */
    inv = ts_post(ts,
                  json_pack("{s:s, s:s, s:i}", "sku", "lc-TEE-1", "location",
                            "main", "delta", -46),
                  &st, "/v1/inventory/adjustments");
    if (st != 409 && st != 422)
        ts_print_json("adjusting below zero", inv);
    assert_true(st == 409 || st == 422);
    json_decref(inv);
    ts_assert_inventory(ts, "lc-TEE-1", 45, 0, 45);

    p = ts_get(ts, &st, "/v1/products/lc-NO-SUCH");
    ts_assert_error(st, p, 404, "not_found");
    json_decref(p);
    inv = ts_get(ts, &st, "/v1/inventory/lc-NO-SUCH");
    ts_assert_error(st, inv, 404, "not_found");
    json_decref(inv);
}

static void test_customer(void **state)
{
    (void)state;
    long st = 0;
    json_t *c =
        ts_post(ts,
                json_pack("{s:s, s:s, s:s}", "email", "Lc.Customer@Example.COM",
                          "name", "Lee Cust", "phone", "+15550001111"),
                &st, "/v1/customers");
    ts_assert_status(st, 201, c);
    const char *id = ts_str(c, "id");
    assert_int_equal(strncmp(id, "cus_", 4), 0);
    assert_string_equal(ts_str(c, "email"), "lc.customer@example.com");
    assert_string_equal(ts_str(c, "name"), "Lee Cust");
    assert_string_equal(ts_str(c, "phone"), "+15550001111");

    json_t *g = ts_get(ts, &st, "/v1/customers/%s", id);
    ts_assert_status(st, 200, g);
    assert_string_equal(ts_str(g, "id"), id);
    assert_string_equal(ts_str(g, "email"), "lc.customer@example.com");
    assert_string_equal(ts_str(g, "name"), "Lee Cust");
    json_decref(g);

    g = ts_post(ts,
                json_pack("{s:s, s:s}", "email", "lc.customer@example.com",
                          "name", "Someone Else"),
                &st, "/v1/customers");
    ts_assert_error(st, g, 409, "email_exists");
    json_decref(g);

    /* The rejected duplicate did not overwrite the first customer. */
    g = ts_get(ts, &st, "/v1/customers/%s", id);
    ts_assert_status(st, 200, g);
    assert_string_equal(ts_str(g, "name"), "Lee Cust");
    json_decref(g);
    json_decref(c);

    g = ts_get(ts, &st, "/v1/customers/cus_lc_no_such");
    ts_assert_error(st, g, 404, "not_found");
    json_decref(g);
}

static void test_place_and_get_order(void **state)
{
    (void)state;
    long st = 0;
    ts_product(ts, "lc-MUG", 1250, 10);

    json_t *o = place("lc-MUG", 2, NULL);
    const char *id = ts_str(o, "id");
    const char *number = ts_str(o, "number");
    assert_true(*id != '\0');
    assert_order_number(number);
    assert_string_equal(ts_str(o, "status"), "confirmed");
    assert_string_equal(ts_str(o, "currency"), "USD");
    assert_int_equal(ts_int(o, "subtotal"), 2500);
    assert_int_equal(ts_int(o, "shipping_total"), 0);
    assert_int_equal(ts_int(o, "total"), 2500);
    json_t *lines = json_object_get(o, "lines");
    assert_int_equal(json_array_size(lines), 1);
    json_t *l0 = json_array_get(lines, 0);
    assert_string_equal(ts_str(l0, "sku"), "lc-MUG");
    assert_int_equal(ts_int(l0, "qty"), 2);
    assert_int_equal(ts_int(l0, "cancelled_qty"), 0);
    assert_int_equal(ts_int(l0, "unit_price"), 1250);
    assert_int_equal(ts_int(l0, "line_total"), 2500);
    assert_string_equal(ts_str(json_object_get(o, "payment"), "status"),
                        "authorized");
    assert_int_equal(ts_int2(o, "payment", "authorized"), 2500);
    assert_string_equal(ts_str(json_object_get(o, "customer"), "email"),
                        "buyer.lc-mug@example.com");

    /* The reservation is visible at once. */
    ts_assert_inventory(ts, "lc-MUG", 10, 2, 8);

    json_t *g = ts_get(ts, &st, "/v1/orders/%s", id);
    ts_assert_status(st, 200, g);
    assert_string_equal(ts_str(g, "id"), id);
    assert_string_equal(ts_str(g, "number"), number);
    assert_string_equal(ts_str(g, "status"), "confirmed");
    assert_int_equal(ts_int(g, "total"), 2500);
    json_decref(g);

    g = ts_get(ts, &st, "/v1/orders/%s", number);
    ts_assert_status(st, 200, g);
    assert_string_equal(ts_str(g, "id"), id);
    json_decref(g);

    /* Expedited shipping costs 1500 more. */
    json_t *e =
        place("lc-MUG", 1, json_pack("{s:s}", "shipping_method", "expedited"));
    assert_int_equal(ts_int(e, "shipping_total"), 1500);
    assert_int_equal(ts_int(e, "total"), 1250 + 1500);
    assert_string_not_equal(ts_str(e, "number"), number);
    assert_order_number(ts_str(e, "number"));
    json_decref(e);
    ts_assert_inventory(ts, "lc-MUG", 10, 3, 7);

    /* Stock may not drop below what is reserved. */
    json_t *a = ts_post(ts,
                        json_pack("{s:s, s:s, s:i}", "sku", "lc-MUG",
                                  "location", "main", "delta", -8),
                        &st, "/v1/inventory/adjustments");
    ts_assert_error(st, a, 409, "insufficient_stock");
    json_decref(a);
    ts_assert_inventory(ts, "lc-MUG", 10, 3, 7);

    /* More than is available: out_of_stock, naming the line. */
    json_t *r = ts_order(ts, "lc-MUG", 8, NULL, &st);
    ts_assert_error(st, r, 409, "out_of_stock");
    assert_string_equal(ts_err_field(r), "lines[0].qty");
    json_decref(r);
    ts_assert_inventory(ts, "lc-MUG", 10, 3, 7);

    /* An order for an existing customer by id. */
    json_t *c = ts_post(ts,
                        json_pack("{s:s, s:s}", "email", "lc.byid@example.com",
                                  "name", "By Id"),
                        &st, "/v1/customers");
    ts_assert_status(st, 201, c);
    json_t *body = ts_order_body("lc-MUG", 1, NULL);
    json_object_del(body, "customer");
    json_object_set_new(body, "customer_id", json_string(ts_str(c, "id")));
    json_t *byid =
        ts_post_as(ts, ts->service_key, NULL, body, &st, "/v1/orders");
    ts_assert_status(st, 201, byid);
    json_t *cust = json_object_get(byid, "customer");
    assert_string_equal(ts_str(cust, "id"), ts_str(c, "id"));
    assert_string_equal(ts_str(cust, "email"), "lc.byid@example.com");
    json_decref(byid);
    json_decref(c);
    ts_assert_inventory(ts, "lc-MUG", 10, 4, 6);
    json_decref(o);
}

static void test_list_filter_and_paging(void **state)
{
    (void)state;
    long st = 0;
    ts_product(ts, "lc-PAGE", 700, 100);
    enum { N = 7 };
    char ids[N][128];
    char cust[128] = "";
    for (int i = 0; i < N; i++) {
        json_t *o = place("lc-PAGE", 1,
                          json_pack("{s:{s:s, s:s}}", "customer", "email",
                                    "lc.pager@example.com", "name", "Pa Ger"));
        snprintf(ids[i], sizeof ids[i], "%s", ts_str(o, "id"));
        const char *cid = ts_str(json_object_get(o, "customer"), "id");
        assert_true(*cid != '\0');
        if (i == 0)
            snprintf(cust, sizeof cust, "%s", cid);
        assert_string_equal(cid, cust);
        json_decref(o);
    }

    /* The first page holds the three newest, newest first. */
    json_t *page = ts_get(ts, &st, "/v1/orders?customer_id=%s&limit=3", cust);
    ts_assert_status(st, 200, page);
    json_t *data = json_object_get(page, "data");
    assert_int_equal(json_array_size(data), 3);
    for (int i = 0; i < 3; i++)
        assert_string_equal(ts_str(json_array_get(data, (size_t)i), "id"),
                            ids[N - 1 - i]);
    json_t *got = json_array();
    json_array_extend(got, data);
    char cursor[512];
    const char *next = json_string_value(json_object_get(page, "next_cursor"));
    assert_non_null(next);
    snprintf(cursor, sizeof cursor, "%s", next);
    json_decref(page);

    /* An order placed while a client pages must not shift the pages. */
    json_t *late = place("lc-PAGE", 1,
                         json_pack("{s:{s:s, s:s}}", "customer", "email",
                                   "lc.pager@example.com", "name", "Pa Ger"));
    char late_id[128];
    snprintf(late_id, sizeof late_id, "%s", ts_str(late, "id"));
    json_decref(late);

    for (int pages = 1; cursor[0] != '\0'; pages++) {
        assert_true(pages < 10);
        char enc[1024];
        ts_url_encode(cursor, enc, sizeof enc);
        page = ts_get(ts, &st, "/v1/orders?customer_id=%s&limit=3&cursor=%s",
                      cust, enc);
        ts_assert_status(st, 200, page);
        data = json_object_get(page, "data");
        assert_true(json_array_size(data) <= 3);
        json_array_extend(got, data);
        next = json_string_value(json_object_get(page, "next_cursor"));
        snprintf(cursor, sizeof cursor, "%s", next ? next : "");
        json_decref(page);
    }

    /* No duplicates, no gaps: every original exactly once, the late order
     * at most once, nothing else. */
    size_t late_seen = 0;
    for (int i = 0; i < N; i++) {
        size_t seen = 0;
        for (size_t j = 0; j < json_array_size(got); j++)
            if (strcmp(ts_str(json_array_get(got, j), "id"), ids[i]) == 0)
                seen++;
        if (seen != 1)
            fprintf(stderr, "order %s listed %zu times\n", ids[i], seen);
        assert_int_equal(seen, 1);
    }
    for (size_t j = 0; j < json_array_size(got); j++)
        if (strcmp(ts_str(json_array_get(got, j), "id"), late_id) == 0)
            late_seen++;
    assert_true(late_seen <= 1);
    assert_int_equal(json_array_size(got), N + late_seen);
    json_decref(got);

    /* The status filter. */
    json_decref(ts_transition(ts, ids[0], "allocated"));
    char q[256];
    snprintf(q, sizeof q, "customer_id=%s&status=allocated", cust);
    json_t *alloc = ts_list_orders(ts, q, 10);
    assert_non_null(alloc);
    assert_int_equal(json_array_size(alloc), 1);
    assert_string_equal(ts_str(json_array_get(alloc, 0), "id"), ids[0]);
    assert_string_equal(ts_str(json_array_get(alloc, 0), "status"),
                        "allocated");
    json_decref(alloc);

    snprintf(q, sizeof q, "customer_id=%s&status=confirmed", cust);
    json_t *conf = ts_list_orders(ts, q, 10);
    assert_non_null(conf);
    /* The six originals still confirmed plus the late one. */
    assert_int_equal(json_array_size(conf), N - 1 + 1);
    for (size_t j = 0; j < json_array_size(conf); j++) {
        json_t *o = json_array_get(conf, j);
        assert_string_equal(ts_str(o, "status"), "confirmed");
        assert_string_not_equal(ts_str(o, "id"), ids[0]);
    }
    json_decref(conf);
}

static void test_fulfilment_flow(void **state)
{
    (void)state;
    ts_product(ts, "lc-SHIP", 3000, 10);
    json_t *o = place("lc-SHIP", 3, NULL);
    char id[128];
    snprintf(id, sizeof id, "%s", ts_str(o, "id"));
    assert_int_equal(ts_int(o, "total"), 9000);
    json_decref(o);
    assert_true(ts_event_count(ts, id) >= 1);

    step(id, "allocated");
    step(id, "picking");
    step(id, "packed");
    /* Until shipment the units stay reserved. */
    ts_assert_inventory(ts, "lc-SHIP", 10, 3, 7);

    step(id, "shipped");
    /* Shipping consumes the reservation: on_hand and reserved both drop. */
    ts_assert_inventory(ts, "lc-SHIP", 7, 0, 7);
    o = ts_get_order(ts, id);
    assert_string_equal(ts_str(o, "status"), "shipped");
    /* capture=on_shipment (the default) captures at shipment. */
    assert_int_equal(ts_int2(o, "payment", "captured"), 9000);
    assert_string_equal(ts_str(json_object_get(o, "payment"), "status"),
                        "captured");
    json_decref(o);

    step(id, "delivered");
    ts_assert_inventory(ts, "lc-SHIP", 7, 0, 7);
    step(id, "returned");
    /* A return restocks the shipped units. */
    ts_assert_inventory(ts, "lc-SHIP", 10, 0, 10);

    /* The timeline holds every move, in order, with increasing seq. */
    long st = 0;
    json_t *ev = ts_get(ts, &st, "/v1/orders/%s/events", id);
    ts_assert_status(st, 200, ev);
    json_t *data = json_object_get(ev, "data");
    static const char *const moves[] = {"allocated", "picking",   "packed",
                                        "shipped",   "delivered", "returned"};
    size_t next = 0;
    long long prev_seq = LLONG_MIN;
    for (size_t i = 0; i < json_array_size(data); i++) {
        json_t *e = json_array_get(data, i);
        assert_true(ts_int(e, "seq") > prev_seq);
        prev_seq = ts_int(e, "seq");
        assert_true(*ts_str(e, "at") != '\0');
        if (next < 6 && strcmp(ts_str(e, "to"), moves[next]) == 0)
            next++;
    }
    if (next != 6)
        ts_print_json("timeline", ev);
    assert_int_equal(next, 6);
    json_decref(ev);
    assert_status_is(id, "returned");
}

static void test_skip_to_shipped(void **state)
{
    (void)state;
    ts_product(ts, "lc-SKIP", 500, 6);
    json_t *o = place("lc-SKIP", 2, NULL);
    char id[128];
    snprintf(id, sizeof id, "%s", ts_str(o, "id"));
    json_decref(o);
    ts_assert_inventory(ts, "lc-SKIP", 6, 2, 4);
    step(id, "shipped");
    ts_assert_inventory(ts, "lc-SKIP", 4, 0, 4);
}

static void test_invalid_transitions(void **state)
{
    (void)state;
    long st = 0;
    ts_product(ts, "lc-BAD", 800, 5);
    json_t *o = place("lc-BAD", 1, NULL);
    char id[128];
    snprintf(id, sizeof id, "%s", ts_str(o, "id"));
    json_decref(o);
    size_t events = ts_event_count(ts, id);

    json_t *r = try_transition(id, "delivered", &st);
    ts_assert_error(st, r, 409, "invalid_transition");
    json_decref(r);
    r = try_transition(id, "returned", &st);
    ts_assert_error(st, r, 409, "invalid_transition");
    json_decref(r);

    r = try_transition(id, "teleported", &st);
    ts_assert_error(st, r, 422, "invalid");
    assert_string_equal(ts_err_field(r), "to");
    json_decref(r);

    /* Cancelling goes through /cancel, never through a transition. */
    r = try_transition(id, "cancelled", &st);
    ts_assert_status(st, 422, r);
    json_decref(r);

    /* None of that changed the order, its timeline or its stock. */
    assert_status_is(id, "confirmed");
    assert_int_equal(ts_event_count(ts, id), events);
    ts_assert_inventory(ts, "lc-BAD", 5, 1, 4);

    step(id, "shipped");
    step(id, "delivered");
    r = try_transition(id, "picking", &st);
    ts_assert_error(st, r, 409, "invalid_transition");
    json_decref(r);
    r = try_transition(id, "on_hold", &st);
    ts_assert_error(st, r, 409, "invalid_transition");
    json_decref(r);
    assert_status_is(id, "delivered");

    r = try_transition("ord_lc_no_such", "allocated", &st);
    ts_assert_error(st, r, 404, "not_found");
    json_decref(r);
}

static void test_hold_and_release(void **state)
{
    (void)state;
    long st = 0;
    ts_product(ts, "lc-HOLD", 900, 3);
    json_t *o = place("lc-HOLD", 1, NULL);
    char id[128];
    snprintf(id, sizeof id, "%s", ts_str(o, "id"));
    json_decref(o);

    /* Held from confirmed: releases only to confirmed. The timeline says
     * who held it, from what and why. */
    json_t *h = ts_post(
        ts, json_pack("{s:s, s:s}", "to", "on_hold", "reason", "fraud check"),
        &st, "/v1/orders/%s/transitions", id);
    ts_assert_status(st, 200, h);
    assert_string_equal(ts_str(h, "status"), "on_hold");
    json_decref(h);
    h = ts_get(ts, &st, "/v1/orders/%s/events", id);
    ts_assert_status(st, 200, h);
    json_t *data = json_object_get(h, "data");
    json_t *last = json_array_get(data, json_array_size(data) - 1);
    assert_string_equal(ts_str(last, "from"), "confirmed");
    assert_string_equal(ts_str(last, "to"), "on_hold");
    assert_string_equal(ts_str(last, "reason"), "fraud check");
    assert_true(*ts_str(last, "actor") != '\0');
    json_decref(h);
    static const char *const wrong1[] = {"allocated", "picking", "shipped"};
    for (size_t i = 0; i < 3; i++) {
        json_t *r = try_transition(id, wrong1[i], &st);
        ts_assert_error(st, r, 409, "invalid_transition");
        json_decref(r);
    }
    assert_status_is(id, "on_hold");
    /* The held order keeps its stock. */
    ts_assert_inventory(ts, "lc-HOLD", 3, 1, 2);
    step(id, "confirmed");

    /* Held from allocated: releases only to allocated. */
    step(id, "allocated");
    step(id, "on_hold");
    json_t *r = try_transition(id, "confirmed", &st);
    ts_assert_error(st, r, 409, "invalid_transition");
    json_decref(r);
    r = try_transition(id, "picking", &st);
    ts_assert_error(st, r, 409, "invalid_transition");
    json_decref(r);
    step(id, "allocated");

    /* Held from packed: releases only to packed. */
    step(id, "picking");
    step(id, "packed");
    step(id, "on_hold");
    r = try_transition(id, "picking", &st);
    ts_assert_error(st, r, 409, "invalid_transition");
    json_decref(r);
    step(id, "packed");

    /* Once shipped an order cannot be held. */
    step(id, "shipped");
    r = try_transition(id, "on_hold", &st);
    ts_assert_error(st, r, 409, "invalid_transition");
    json_decref(r);
    assert_status_is(id, "shipped");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_product_and_inventory),
        cmocka_unit_test(test_customer),
        cmocka_unit_test(test_place_and_get_order),
        cmocka_unit_test(test_list_filter_and_paging),
        cmocka_unit_test(test_fulfilment_flow),
        cmocka_unit_test(test_skip_to_shipped),
        cmocka_unit_test(test_invalid_transitions),
        cmocka_unit_test(test_hold_and_release),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
