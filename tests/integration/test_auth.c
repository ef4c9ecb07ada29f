/*
 * test_auth.c - who may do what: requests without a key or with a wrong one
 * are refused, each role reaches exactly what the contract gives it, an
 * admin can create keys that work at once, and /healthz and /metrics need
 * no key. SKUs here start with "au-".
 */
#include "harness.h"

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

static json_t *product_body(const char *sku)
{
    return json_pack("{s:s, s:s, s:i, s:s}", "sku", sku, "name", "Auth test",
                     "price", 100, "currency", "USD");
}

/* Asserts that product sku does not exist. */
static void assert_no_product(const char *sku)
{
    long st = 0;
    json_t *p = ts_get(ts, &st, "/v1/products/%s", sku);
    ts_assert_status(st, 404, p);
    json_decref(p);
}

static void test_no_key(void **state)
{
    (void)state;
    long st = 0;
    json_t *r = NULL;
    ts_request(ts, "GET", "/v1/orders", NULL, NULL, NULL, &st, &r);
    ts_assert_error(st, r, 401, "unauthorized");
    json_decref(r);

    ts_request(ts, "GET", "/v1/inventory/au-NONE", NULL, NULL, NULL, &st, &r);
    ts_assert_error(st, r, 401, "unauthorized");
    json_decref(r);

    r = ts_post_as(ts, NULL, NULL, product_body("au-NOKEY"), &st,
                   "/v1/products");
    ts_assert_error(st, r, 401, "unauthorized");
    json_decref(r);
    assert_no_product("au-NOKEY");
}

static void test_bad_key(void **state)
{
    (void)state;
    long st = 0;
    json_t *r = ts_get_as(ts, "hf_not_a_real_key", &st, "/v1/orders");
    ts_assert_error(st, r, 401, "unauthorized");
    json_decref(r);

    /* A real key with one byte more, or one byte less, is a wrong key. */
    char longer[300];
    snprintf(longer, sizeof longer, "%sx", ts->admin_key);
    r = ts_get_as(ts, longer, &st, "/v1/orders");
    ts_assert_error(st, r, 401, "unauthorized");
    json_decref(r);
    char shorter[256];
    snprintf(shorter, sizeof shorter, "%s", ts->admin_key);
    shorter[strlen(shorter) - 1] = '\0';
    r = ts_get_as(ts, shorter, &st, "/v1/orders");
    ts_assert_error(st, r, 401, "unauthorized");
    json_decref(r);

    r = ts_post_as(ts, "hf_not_a_real_key", NULL, product_body("au-BADKEY"),
                   &st, "/v1/products");
    ts_assert_error(st, r, 401, "unauthorized");
    json_decref(r);
    assert_no_product("au-BADKEY");
}

static void test_roles(void **state)
{
    (void)state;
    long st = 0;
    /* An agent acts on orders but does not create products, stock or
     * orders. */
    json_t *r = ts_post_as(ts, ts->agent_key, NULL, product_body("au-AGENT"),
                           &st, "/v1/products");
    ts_assert_error(st, r, 403, "forbidden");
    json_decref(r);
    assert_no_product("au-AGENT");

    r = ts_post_as(ts, ts->service_key, NULL, product_body("au-SVC"), &st,
                   "/v1/products");
    ts_assert_status(st, 201, r);
    json_decref(r);
    r = ts_post_as(ts, ts->service_key, NULL,
                   json_pack("{s:s, s:s, s:i}", "sku", "au-SVC", "location",
                             "main", "delta", 5),
                   &st, "/v1/inventory/adjustments");
    ts_assert_status(st, 201, r);
    json_decref(r);

    r = ts_post_as(ts, ts->agent_key, NULL,
                   json_pack("{s:s, s:s, s:i}", "sku", "au-SVC", "location",
                             "main", "delta", 5),
                   &st, "/v1/inventory/adjustments");
    ts_assert_error(st, r, 403, "forbidden");
    json_decref(r);
    ts_assert_inventory(ts, "au-SVC", 5, 0, 5);

    r = ts_post_as(ts, ts->agent_key, NULL, ts_order_body("au-SVC", 1, NULL),
                   &st, "/v1/orders");
    ts_assert_error(st, r, 403, "forbidden");
    json_decref(r);
    ts_assert_inventory(ts, "au-SVC", 5, 0, 5);

    /* Everyone reads. */
    r = ts_get_as(ts, ts->agent_key, &st, "/v1/products/au-SVC");
    ts_assert_status(st, 200, r);
    assert_string_equal(ts_str(r, "sku"), "au-SVC");
    json_decref(r);
    r = ts_get_as(ts, ts->service_key, &st, "/v1/inventory/au-SVC");
    ts_assert_status(st, 200, r);
    json_decref(r);

    /* An agent moves and cancels orders the service placed. */
    r = ts_order(ts, "au-SVC", 2, NULL, &st);
    ts_assert_status(st, 201, r);
    char id[128];
    snprintf(id, sizeof id, "%s", ts_str(r, "id"));
    json_decref(r);
    r = ts_post_as(ts, ts->agent_key, NULL,
                   json_pack("{s:s}", "to", "allocated"), &st,
                   "/v1/orders/%s/transitions", id);
    ts_assert_status(st, 200, r);
    assert_string_equal(ts_str(r, "status"), "allocated");
    json_decref(r);
    r = ts_post_as(ts, ts->agent_key, NULL,
                   json_pack("{s:s}", "reason", "changed_mind"), &st,
                   "/v1/orders/%s/cancel", id);
    ts_assert_status(st, 200, r);
    assert_string_equal(ts_str(r, "status"), "cancelled");
    json_decref(r);
    ts_assert_inventory(ts, "au-SVC", 5, 0, 5);

    /* Only an admin makes keys and locations. */
    r = ts_post_as(ts, ts->service_key, NULL,
                   json_pack("{s:s}", "role", "admin"), &st, "/v1/api-keys");
    ts_assert_error(st, r, 403, "forbidden");
    json_decref(r);
    r = ts_post_as(ts, ts->agent_key, NULL, json_pack("{s:s}", "role", "admin"),
                   &st, "/v1/api-keys");
    ts_assert_error(st, r, 403, "forbidden");
    json_decref(r);
    r = ts_post_as(ts, ts->service_key, NULL,
                   json_pack("{s:s, s:s, s:i}", "code", "au-east", "name",
                             "East", "priority", 1),
                   &st, "/v1/locations");
    ts_assert_error(st, r, 403, "forbidden");
    json_decref(r);
}

static void test_admin_creates_key(void **state)
{
    (void)state;
    long st = 0;
    json_t *k = ts_post(
        ts, json_pack("{s:s, s:s}", "role", "agent", "label", "it-auth agent"),
        &st, "/v1/api-keys");
    ts_assert_status(st, 201, k);
    assert_string_equal(ts_str(k, "role"), "agent");
    assert_string_equal(ts_str(k, "label"), "it-auth agent");
    assert_int_equal(strncmp(ts_str(k, "id"), "key_", 4), 0);
    const char *key = ts_str(k, "key");
    assert_int_equal(strncmp(key, "hf_", 3), 0);

    /* The new key works at once, with the agent's rights only. */
    json_t *r = ts_get_as(ts, key, &st, "/v1/orders");
    ts_assert_status(st, 200, r);
    assert_true(json_is_array(json_object_get(r, "data")));
    json_decref(r);
    r = ts_post_as(ts, key, NULL, product_body("au-NEWAGENT"), &st,
                   "/v1/products");
    ts_assert_error(st, r, 403, "forbidden");
    json_decref(r);
    assert_no_product("au-NEWAGENT");
    json_decref(k);

    k = ts_post(ts, json_pack("{s:s}", "role", "service"), &st, "/v1/api-keys");
    ts_assert_status(st, 201, k);
    r = ts_post_as(ts, ts_str(k, "key"), NULL, product_body("au-NEWSVC"), &st,
                   "/v1/products");
    ts_assert_status(st, 201, r);
    json_decref(r);
    json_decref(k);

    k = ts_post(ts, json_pack("{s:s}", "role", "root"), &st, "/v1/api-keys");
    ts_assert_status(st, 422, k);
    json_decref(k);
}

/* The sum of every sample of metric name in a Prometheus text body, or -1
 * when there is none. */
static double metric_sum(const char *text, const char *name)
{
    size_t nlen = strlen(name);
    double sum = -1;
    for (const char *p = text; p != NULL && *p != '\0';) {
        const char *eol = strchr(p, '\n');
        size_t len = eol ? (size_t)(eol - p) : strlen(p);
        if (len > nlen && strncmp(p, name, nlen) == 0 &&
            (p[nlen] == ' ' || p[nlen] == '{')) {
            const char *v = p + len;
            while (v > p && v[-1] != ' ')
                v--;
            if (sum < 0)
                sum = 0;
            sum += strtod(v, NULL);
        }
        p = eol ? eol + 1 : NULL;
    }
    return sum;
}

/* GET /metrics without a key: asserts 200, text/plain and that both
 * counters are there, and stores their sums. */
static void metrics(double *placed, double *requests)
{
    ts_response r;
    ts_request_raw(ts, "GET", "/metrics", NULL, NULL, NULL, 0, NULL, &r);
    long status = r.status;
    char *ct = ts_header(&r, "Content-Type");
    int text = ct != NULL && strncmp(ct, "text/plain", 10) == 0;
    free(ct);
    *placed = metric_sum(r.body, "holdfast_orders_placed_total");
    *requests = metric_sum(r.body, "holdfast_http_requests_total");
    if (status != 200 || !text || *placed < 0 || *requests < 1)
        fprintf(stderr, "GET /metrics answered %ld:\n%s\n", status, r.body);
    ts_response_free(&r);
    assert_int_equal(status, 200);
    assert_true(text);
    assert_true(*placed >= 0);
    assert_true(*requests >= 1);
}

static void test_public_endpoints(void **state)
{
    (void)state;
    long st = 0;
    json_t *h = NULL;
    ts_request(ts, "GET", "/healthz", NULL, NULL, NULL, &st, &h);
    ts_assert_status(st, 200, h);
    assert_string_equal(ts_str(h, "status"), "ok");
    json_decref(h);

    ts_product(ts, "au-METRIC", 100, 3);
    double placed, requests;
    metrics(&placed, &requests);

    json_t *o = ts_order(ts, "au-METRIC", 1, NULL, &st);
    ts_assert_status(st, 201, o);
    json_decref(o);

    /* The counters count what happened. */
    double placed2, requests2;
    metrics(&placed2, &requests2);
    if (placed2 != placed + 1)
        fprintf(stderr, "holdfast_orders_placed_total went from %g to %g\n",
                placed, placed2);
    assert_true(placed2 == placed + 1);
    assert_true(requests2 > requests);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_no_key),
        cmocka_unit_test(test_bad_key),
        cmocka_unit_test(test_roles),
        cmocka_unit_test(test_admin_creates_key),
        cmocka_unit_test(test_public_endpoints),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
