/*
 * test_input.c - what the server does with bad input: bodies that are not
 * JSON, fields of the wrong type, values out of range, unknown SKUs, bodies
 * over the size limit, unknown routes and orders; after every rejected
 * request nothing has changed. Then idempotency: a repeated POST with the
 * same Idempotency-Key returns the first answer and changes nothing more.
 * SKUs here start with "in-".
 */
#include "harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static hf_test_server *ts;

/* What a rejected request must leave alone. */
typedef struct snapshot {
    long long on_hand[2];  /* of in-SNAP and in-SNAP2 */
    long long reserved[2]; /* likewise */
    size_t orders;         /* every order GET /v1/orders lists */
} snapshot;

static const char *const snap_skus[2] = {"in-SNAP", "in-SNAP2"};

static int setup(void **state)
{
    (void)state;
    ts = ts_start();
    if (ts == NULL)
        return -1;
    /* Products every test uses; plain calls, as cmocka asserts do not
     * belong in a group setup. */
    static const char *const skus[] = {"in-SNAP", "in-SNAP2", "in-EUR"};
    for (size_t i = 0; i < 3; i++) {
        long st = 0;
        json_t *r = ts_post(ts,
                            json_pack("{s:s, s:s, s:i, s:s}", "sku", skus[i],
                                      "name", skus[i], "price", 1000,
                                      "currency", i == 2 ? "EUR" : "USD"),
                            &st, "/v1/products");
        json_decref(r);
        if (st != 201)
            return -1;
        r = ts_post(ts,
                    json_pack("{s:s, s:s, s:i}", "sku", skus[i], "location",
                              "main", "delta", 5),
                    &st, "/v1/inventory/adjustments");
        json_decref(r);
        if (st != 201)
            return -1;
    }
    /* One live order, so that "no order changed" means something. */
    long st = 0;
    json_t *o = ts_order(ts, "in-SNAP", 1, NULL, &st);
    json_decref(o);
    return st == 201 ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    ts_free(ts);
    ts = NULL;
    return 0;
}

static void take(snapshot *s)
{
    for (int i = 0; i < 2; i++)
        ts_inventory_view(ts, snap_skus[i], &s->on_hand[i], &s->reserved[i],
                          NULL);
    json_t *all = ts_list_orders(ts, NULL, 100);
    assert_non_null(all);
    s->orders = json_array_size(all);
    json_decref(all);
}

/* Asserts that stock and the number of orders are as in s. */
static void assert_unchanged(const snapshot *s)
{
    snapshot now;
    take(&now);
    for (int i = 0; i < 2; i++) {
        assert_int_equal(now.on_hand[i], s->on_hand[i]);
        assert_int_equal(now.reserved[i], s->reserved[i]);
    }
    assert_int_equal(now.orders, s->orders);
}

/* POSTs raw bytes as the admin and asserts status and error code. */
static void post_raw_expect(const char *path, const char *body, size_t len,
                            long want_status, const char *want_code)
{
    ts_response r;
    ts_request_raw(ts, "POST", path, ts->admin_key, NULL, body, len, NULL, &r);
    if (r.status != want_status || strcmp(ts_err_code(r.json), want_code) != 0)
        fprintf(stderr, "POST %s with %.60s: %ld %s\n", path, body, r.status,
                r.body);
    assert_int_equal(r.status, want_status);
    assert_string_equal(ts_err_code(r.json), want_code);
    ts_response_free(&r);
}

/* POSTs body (stolen) as the admin and asserts status, code and, unless
 * NULL, field. */
static void post_expect(const char *path, json_t *body, long want_status,
                        const char *want_code, const char *want_field)
{
    long st = 0;
    char *text = json_dumps(body, JSON_COMPACT);
    json_t *r = ts_post(ts, body, &st, "%s", path);
    if (st != want_status || strcmp(ts_err_code(r), want_code) != 0 ||
        (want_field && strcmp(ts_err_field(r), want_field) != 0)) {
        fprintf(stderr, "POST %s %s\n", path, text);
        ts_print_json("answer", r);
    }
    free(text);
    assert_int_equal(st, want_status);
    assert_string_equal(ts_err_code(r), want_code);
    if (want_field != NULL)
        assert_string_equal(ts_err_field(r), want_field);
    json_decref(r);
}

/* The default order body for in-SNAP with member key set to value
 * (stolen). */
static json_t *order_with(const char *key, json_t *value)
{
    json_t *b = ts_order_body("in-SNAP", 1, NULL);
    json_object_set_new(b, key, value);
    return b;
}

static void test_malformed_json(void **state)
{
    (void)state;
    snapshot s;
    take(&s);
    static const char *const bad[] = {
        "{\"sku\": ",          /* cut short */
        "{\"sku\":\"a\",}",    /* trailing comma */
        "not json at all",     /* not JSON */
        "\xff\xfe{}",          /* not UTF-8 */
        "",                    /* no body */
        "[1, 2]",              /* not an object */
        "\"in-SNAP\"",         /* not an object */
        "42",                  /* not an object */
        "null",                /* not an object */
        "{\"a\":1} {\"b\":2}", /* two documents */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        post_raw_expect("/v1/orders", bad[i], strlen(bad[i]), 400,
                        "malformed_json");
        post_raw_expect("/v1/products", bad[i], strlen(bad[i]), 400,
                        "malformed_json");
    }
    /* A NUL inside the body is not JSON either. */
    static const char nul[] = "{\"sku\":\"in-N\0L\"}";
    post_raw_expect("/v1/products", nul, sizeof nul - 1, 400, "malformed_json");
    assert_unchanged(&s);
}

static void test_wrong_types(void **state)
{
    (void)state;
    snapshot s;
    take(&s);
    post_expect("/v1/products",
                json_pack("{s:s, s:s, s:s, s:s}", "sku", "in-T1", "name", "T",
                          "price", "25", "currency", "USD"),
                400, "malformed", "price");
    post_expect("/v1/products",
                json_pack("{s:i, s:s, s:i, s:s}", "sku", 42, "name", "T",
                          "price", 25, "currency", "USD"),
                400, "malformed", "sku");
    post_expect("/v1/orders", order_with("lines", json_string("x")), 400,
                "malformed", "lines");
    post_expect("/v1/orders",
                order_with("lines", json_pack("[{s:s, s:s}]", "sku", "in-SNAP",
                                              "qty", "1")),
                400, "malformed", "lines[0].qty");
    post_expect(
        "/v1/orders",
        order_with("lines", json_pack("[{s:s, s:i}, {s:i, s:i}]", "sku",
                                      "in-SNAP", "qty", 1, "sku", 7, "qty", 1)),
        400, "malformed", "lines[1].sku");
    post_expect("/v1/orders", order_with("customer", json_integer(5)), 400,
                "malformed", "customer");
    post_expect("/v1/inventory/adjustments",
                json_pack("{s:s, s:s, s:f}", "sku", "in-SNAP", "location",
                          "main", "delta", 1.5),
                400, "malformed", "delta");
    assert_unchanged(&s);
    long st = 0;
    json_t *p = ts_get(ts, &st, "/v1/products/in-T1");
    ts_assert_status(st, 404, p);
    json_decref(p);
}

static void test_invalid_values(void **state)
{
    (void)state;
    snapshot s;
    take(&s);
    static const long bad_qty[] = {0, -1, -3, 10001};
    for (size_t i = 0; i < 4; i++)
        post_expect(
            "/v1/orders",
            order_with("lines", json_pack("[{s:s, s:I}]", "sku", "in-SNAP",
                                          "qty", (json_int_t)bad_qty[i])),
            422, "invalid", "lines[0].qty");
    post_expect("/v1/orders", order_with("lines", json_array()), 422, "invalid",
                "lines");
    json_t *many = json_array();
    for (int i = 0; i < 101; i++)
        json_array_append_new(
            many, json_pack("{s:s, s:i}", "sku", "in-SNAP", "qty", 1));
    post_expect("/v1/orders", order_with("lines", many), 422, "invalid", NULL);

    /* An unknown SKU on any line rejects the whole order: the other line
     * reserves nothing. */
    post_expect("/v1/orders",
                order_with("lines", json_pack("[{s:s, s:i}]", "sku",
                                              "in-NO-SUCH", "qty", 1)),
                422, "order_rejected", "lines[0].sku");
    post_expect("/v1/orders",
                order_with("lines", json_pack("[{s:s, s:i}, {s:s, s:i}]", "sku",
                                              "in-SNAP", "qty", 1, "sku",
                                              "in-NO-SUCH", "qty", 1)),
                422, "order_rejected", "lines[1].sku");
    /* So does a later line out of stock. */
    post_expect("/v1/orders",
                order_with("lines", json_pack("[{s:s, s:i}, {s:s, s:i}]", "sku",
                                              "in-SNAP", "qty", 1, "sku",
                                              "in-SNAP2", "qty", 6)),
                409, "out_of_stock", "lines[1].qty");
    post_expect("/v1/orders",
                order_with("lines", json_pack("[{s:s, s:i}, {s:s, s:i}]", "sku",
                                              "in-SNAP", "qty", 1, "sku",
                                              "in-EUR", "qty", 1)),
                422, "currency_mismatch", NULL);
    post_expect("/v1/orders",
                order_with("shipping_method", json_string("teleport")), 422,
                "invalid", "shipping_method");
    json_t *addr =
        json_pack("{s:s, s:s, s:s, s:s}", "name", "A", "line1", "1 Main St",
                  "city", "Springfield", "country", "USA");
    post_expect("/v1/orders", order_with("shipping_address", addr), 422,
                "invalid", "shipping_address.country");
    post_expect("/v1/orders",
                order_with("payment", json_pack("{s:s, s:s}", "method", "card",
                                                "gateway", "nope")),
                422, "unknown_gateway", NULL);

    post_expect("/v1/products",
                json_pack("{s:s, s:s, s:i, s:s}", "sku", "in-NEG", "name", "N",
                          "price", -1, "currency", "USD"),
                422, "invalid", "price");
    post_expect("/v1/products",
                json_pack("{s:s, s:s, s:i, s:s}", "sku", "bad sku!", "name",
                          "N", "price", 1, "currency", "USD"),
                422, "invalid", "sku");
    post_expect("/v1/products",
                json_pack("{s:s, s:s, s:i, s:s}", "sku", "in-CUR", "name", "N",
                          "price", 1, "currency", "US"),
                422, "invalid", "currency");
    post_expect("/v1/inventory/adjustments",
                json_pack("{s:s, s:s, s:i}", "sku", "in-SNAP", "location",
                          "main", "delta", 0),
                422, "invalid", "delta");
    post_expect("/v1/inventory/adjustments",
                json_pack("{s:s, s:s, s:i}", "sku", "in-SNAP", "location",
                          "nowhere", "delta", 1),
                422, "unknown_location", NULL);
    assert_unchanged(&s);
    static const char *const never[] = {"in-NEG", "in-CUR"};
    for (size_t i = 0; i < 2; i++) {
        long st = 0;
        json_t *p = ts_get(ts, &st, "/v1/products/%s", never[i]);
        ts_assert_status(st, 404, p);
        json_decref(p);
    }
}

static void test_body_too_large(void **state)
{
    (void)state;
    snapshot s;
    take(&s);
    /* A well-formed product whose name makes the body 1 MiB + 1 KiB. */
    size_t name_len = (1u << 20) + 1024;
    char *body = malloc(name_len + 256);
    assert_non_null(body);
    int n = sprintf(body, "{\"sku\":\"in-BIG\",\"price\":1,\"currency\":"
                          "\"USD\",\"name\":\"");
    memset(body + n, 'x', name_len);
    strcpy(body + n + name_len, "\"}");
    size_t len = strlen(body);
    post_raw_expect("/v1/products", body, len, 413, "body_too_large");

    /* Not even valid JSON: the size is checked whatever the content. */
    memset(body, '[', len);
    post_raw_expect("/v1/orders", body, len, 413, "body_too_large");
    free(body);

    long st = 0;
    json_t *p = ts_get(ts, &st, "/v1/products/in-BIG");
    ts_assert_status(st, 404, p);
    json_decref(p);
    /* The server is still well. */
    json_t *h = NULL;
    ts_request(ts, "GET", "/healthz", NULL, NULL, NULL, &st, &h);
    ts_assert_status(st, 200, h);
    json_decref(h);
    assert_unchanged(&s);
}

static void test_not_found(void **state)
{
    (void)state;
    snapshot s;
    take(&s);
    long st = 0;
    static const char *const paths[] = {
        "/v1/nope",
        "/v2/orders",
        "/v1/orders/ord_in_nope",
        "/v1/orders/HF-999999",
        "/v1/customers/cus_in_nope",
        "/v1/orders/ord_in_nope/events",
    };
    for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
        json_t *r = ts_get(ts, &st, "%s", paths[i]);
        if (st != 404)
            fprintf(stderr, "GET %s\n", paths[i]);
        ts_assert_error(st, r, 404, "not_found");
        json_decref(r);
    }
    json_t *r = ts_post(ts, json_pack("{s:s}", "to", "allocated"), &st,
                        "/v1/orders/ord_in_nope/transitions");
    ts_assert_error(st, r, 404, "not_found");
    json_decref(r);
    r = ts_post(ts, json_pack("{s:s}", "reason", "other"), &st,
                "/v1/orders/ord_in_nope/cancel");
    ts_assert_error(st, r, 404, "not_found");
    json_decref(r);

    ts_request(ts, "DELETE", "/v1/orders", ts->admin_key, NULL, NULL, &st, &r);
    ts_assert_error(st, r, 405, "method_not_allowed");
    json_decref(r);
    assert_unchanged(&s);
}

/* POSTs text to path as key with Idempotency-Key idem into *r. */
static void post_idem(const char *key, const char *idem, const char *path,
                      const char *text, ts_response *r)
{
    ts_request_raw(ts, "POST", path, key, idem, text, strlen(text), NULL, r);
}

/* Asserts whether r says it was replayed. */
static void assert_replayed(const ts_response *r, int replayed)
{
    char *h = ts_header(r, "Idempotent-Replayed");
    int is = h != NULL && strcmp(h, "true") == 0;
    if (is != replayed)
        fprintf(stderr, "Idempotent-Replayed: %s (expected %s)\n",
                h ? h : "(absent)", replayed ? "true" : "absent");
    free(h);
    assert_int_equal(is, replayed);
}

static void test_idempotent_order(void **state)
{
    (void)state;
    ts_product(ts, "in-IDEM", 1500, 10);
    snapshot s;
    take(&s);
    json_t *tmp = ts_order_body("in-IDEM", 2, NULL);
    char *text = json_dumps(tmp, JSON_COMPACT);
    json_decref(tmp);

    ts_response a, b;
    post_idem(ts->service_key, "in-idem-order-1", "/v1/orders", text, &a);
    ts_assert_status(a.status, 201, a.json);
    assert_replayed(&a, 0);
    post_idem(ts->service_key, "in-idem-order-1", "/v1/orders", text, &b);
    ts_assert_status(b.status, 201, b.json);
    assert_replayed(&b, 1);
    assert_non_null(a.json);
    assert_true(json_equal(a.json, b.json));

    /* One order, stock reserved once. */
    ts_assert_inventory(ts, "in-IDEM", 10, 2, 8);
    snapshot now;
    take(&now);
    assert_int_equal(now.orders, s.orders + 1);

    /* The same key for another request is refused and changes nothing. */
    tmp = ts_order_body("in-IDEM", 3, NULL);
    char *other = json_dumps(tmp, JSON_COMPACT);
    json_decref(tmp);
    ts_response c;
    post_idem(ts->service_key, "in-idem-order-1", "/v1/orders", other, &c);
    ts_assert_error(c.status, c.json, 422, "idempotency_key_reused");
    ts_response_free(&c);
    free(other);
    ts_assert_inventory(ts, "in-IDEM", 10, 2, 8);
    take(&now);
    assert_int_equal(now.orders, s.orders + 1);

    /* Keys are per API key: another API key with the same Idempotency-Key
     * places its own order. */
    post_idem(ts->admin_key, "in-idem-order-1", "/v1/orders", text, &c);
    ts_assert_status(c.status, 201, c.json);
    assert_replayed(&c, 0);
    assert_string_not_equal(ts_str(c.json, "id"), ts_str(a.json, "id"));
    ts_response_free(&c);
    ts_assert_inventory(ts, "in-IDEM", 10, 4, 6);

    ts_response_free(&a);
    ts_response_free(&b);
    free(text);
}

static void test_idempotent_cancel(void **state)
{
    (void)state;
    long st = 0;
    ts_product(ts, "in-IDEMC", 1000, 10);
    json_t *o = ts_order(ts, "in-IDEMC", 3, NULL, &st);
    ts_assert_status(st, 201, o);
    char path[256];
    snprintf(path, sizeof path, "/v1/orders/%s/cancel", ts_str(o, "id"));
    char id[128];
    snprintf(id, sizeof id, "%s", ts_str(o, "id"));
    json_decref(o);

    const char *one = "{\"reason\":\"changed_mind\",\"lines\":"
                      "[{\"sku\":\"in-IDEMC\",\"qty\":1}]}";
    ts_response a, b;
    post_idem(ts->agent_key, "in-idem-cancel-1", path, one, &a);
    ts_assert_status(a.status, 200, a.json);
    assert_replayed(&a, 0);
    size_t events = ts_event_count(ts, id);
    post_idem(ts->agent_key, "in-idem-cancel-1", path, one, &b);
    ts_assert_status(b.status, 200, b.json);
    assert_replayed(&b, 1);
    assert_true(json_equal(a.json, b.json));
    ts_response_free(&a);
    ts_response_free(&b);

    /* One unit cancelled, not two. */
    o = ts_get_order(ts, id);
    json_t *line = json_array_get(json_object_get(o, "lines"), 0);
    assert_int_equal(ts_int(line, "cancelled_qty"), 1);
    assert_int_equal(ts_int(o, "total"), 2000);
    json_decref(o);
    assert_int_equal(ts_event_count(ts, id), events);
    ts_assert_inventory(ts, "in-IDEMC", 10, 2, 8);

    const char *two = "{\"reason\":\"changed_mind\",\"lines\":"
                      "[{\"sku\":\"in-IDEMC\",\"qty\":2}]}";
    post_idem(ts->agent_key, "in-idem-cancel-1", path, two, &a);
    ts_assert_error(a.status, a.json, 422, "idempotency_key_reused");
    ts_response_free(&a);
    ts_assert_inventory(ts, "in-IDEMC", 10, 2, 8);

    /* A whole cancel replayed. */
    const char *all = "{\"reason\":\"other\"}";
    post_idem(ts->agent_key, "in-idem-cancel-2", path, all, &a);
    ts_assert_status(a.status, 200, a.json);
    assert_string_equal(ts_str(a.json, "status"), "cancelled");
    post_idem(ts->agent_key, "in-idem-cancel-2", path, all, &b);
    ts_assert_status(b.status, 200, b.json);
    assert_replayed(&b, 1);
    assert_true(json_equal(a.json, b.json));
    ts_response_free(&a);
    ts_response_free(&b);
    ts_assert_inventory(ts, "in-IDEMC", 10, 0, 10);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_malformed_json),
        cmocka_unit_test(test_wrong_types),
        cmocka_unit_test(test_invalid_values),
        cmocka_unit_test(test_body_too_large),
        cmocka_unit_test(test_not_found),
        cmocka_unit_test(test_idempotent_order),
        cmocka_unit_test(test_idempotent_cancel),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
