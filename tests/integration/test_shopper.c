/*
 * test_shopper.c - a shopper's signed order link (services/shopper.h)
 * opens their order, its shipments and events, a cancellation request and
 * its decision, a conversation about it and its survey, and nothing else:
 * another order is 404 and changes nothing, staff endpoints are 401, and
 * the answers hold no internals. SKUs here start with "sh-".
 */
#include "harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static hf_test_server *ts;
static char order_a[64], order_b[64]; /* numbers: A is the link's */
static char token[256];               /* A's order link */

static void place(const char *sku, char out[64])
{
    long st = 0;
    json_t *o = ts_order(ts, sku, 1, NULL, &st);
    ts_assert_status(st, 201, o);
    snprintf(out, 64, "%s", ts_str(o, "number"));
    json_decref(o);
}

/* Asserts that order number has status. */
static void assert_status_of(const char *number, const char *status)
{
    json_t *o = ts_get_order(ts, number);
    assert_string_equal(ts_str(o, "status"), status);
    json_decref(o);
}

static int setup(void **state)
{
    (void)state;
    ts = ts_start();
    if (ts == NULL)
        return -1;
    ts_product(ts, "sh-LAMP", 5000, 20);
    ts_product(ts, "sh-LAMP2", 6000, 20);
    place("sh-LAMP", order_a);
    place("sh-LAMP", order_b);
    long st = 0;
    json_t *l = ts_post(ts, json_object(), &st, "/v1/orders/%s/links", order_a);
    ts_assert_status(st, 201, l);
    snprintf(token, sizeof token, "%s", ts_str(l, "token"));
    char want[128];
    snprintf(want, sizeof want, "/orders/%s?t=", order_a);
    assert_int_equal(strncmp(ts_str(l, "path"), want, strlen(want)), 0);
    json_decref(l);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    ts_free(ts);
    return 0;
}

/* GET path (with "?t=TOKEN" appended) as the shopper. */
static json_t *shopper_get(long *st, const char *path, const char *tok)
{
    return ts_get_as(ts, NULL, st, "%s%st=%s", path,
                     strchr(path, '?') ? "&" : "?", tok);
}

static json_t *shopper_post(long *st, const char *path, json_t *body)
{
    char p[512];
    snprintf(p, sizeof p, "%s?t=%s", path, token);
    return ts_post_as(ts, NULL, NULL, body, st, "%s", p);
}

static void test_reads_own_order_without_internals(void **state)
{
    (void)state;
    long st = 0;
    char path[128];
    snprintf(path, sizeof path, "/v1/orders/%s", order_a);
    json_t *o = shopper_get(&st, path, token);
    ts_assert_status(st, 200, o);
    assert_string_equal(ts_str(o, "number"), order_a);
    assert_true(json_array_size(json_object_get(o, "lines")) == 1);
    assert_true(json_array_size(json_object_get(o, "timeline")) >= 1);
    /* no risk, channel, gateway, customer contact or allocations */
    assert_null(json_object_get(o, "risk"));
    assert_null(json_object_get(o, "channel"));
    assert_null(json_object_get(json_object_get(o, "payment"), "gateway"));
    assert_null(json_object_get(json_object_get(o, "customer"), "email"));
    json_t *line = json_array_get(json_object_get(o, "lines"), 0);
    assert_null(json_object_get(line, "allocations"));
    json_t *e = json_array_get(json_object_get(o, "timeline"), 0);
    assert_null(json_object_get(e, "actor"));
    json_decref(o);

    snprintf(path, sizeof path, "/v1/orders/%s/events", order_a);
    o = shopper_get(&st, path, token);
    ts_assert_status(st, 200, o);
    assert_true(json_array_size(json_object_get(o, "data")) >= 1);
    json_decref(o);
    snprintf(path, sizeof path, "/v1/orders/%s/shipments", order_a);
    o = shopper_get(&st, path, token);
    ts_assert_status(st, 200, o);
    json_decref(o);
}

static void test_nothing_else(void **state)
{
    (void)state;
    long st = 0;
    char path[128];
    /* another order: as though it did not exist */
    snprintf(path, sizeof path, "/v1/orders/%s", order_b);
    json_t *r = shopper_get(&st, path, token);
    ts_assert_error(st, r, 404, "not_found");
    json_decref(r);
    snprintf(path, sizeof path, "/v1/orders/%s/shipments", order_b);
    r = shopper_get(&st, path, token);
    ts_assert_error(st, r, 404, "not_found");
    json_decref(r);
    /* staff endpoints, even about their own order */
    const char *staff[] = {"/v1/orders", "/v1/escalations", "/v1/kpis",
                           "/v1/reviews", "/v1/stream"};
    for (size_t i = 0; i < sizeof staff / sizeof *staff; i++) {
        r = shopper_get(&st, staff[i], token);
        ts_assert_error(st, r, 401, "unauthorized");
        json_decref(r);
    }
    snprintf(path, sizeof path, "/v1/orders/%s/risk", order_a);
    r = shopper_get(&st, path, token);
    ts_assert_error(st, r, 401, "unauthorized");
    json_decref(r);
    snprintf(path, sizeof path, "/v1/orders/%s/cancel", order_a);
    r = shopper_post(&st, path, json_pack("{s:s}", "reason", "changed_mind"));
    ts_assert_error(st, r, 401, "unauthorized");
    json_decref(r);
    assert_status_of(order_a, "confirmed");
    /* a forged or altered token */
    char bad[300];
    snprintf(bad, sizeof bad, "%sA", token);
    snprintf(path, sizeof path, "/v1/orders/%s", order_a);
    r = shopper_get(&st, path, bad);
    ts_assert_error(st, r, 401, "bad_token");
    json_decref(r);
    /* a survey token is not an order link */
    r = shopper_get(&st, "/v1/orders/x/survey", token);
    ts_assert_error(st, r, 404, "not_found");
    json_decref(r);
    snprintf(path, sizeof path, "/v1/orders/%s/survey", order_a);
    r = shopper_get(&st, path, token);
    ts_assert_status(st, 200, r);
    char survey[256];
    snprintf(survey, sizeof survey, "%s", ts_str(r, "token"));
    json_decref(r);
    snprintf(path, sizeof path, "/v1/orders/%s", order_a);
    r = shopper_get(&st, path, survey);
    ts_assert_error(st, r, 401, "bad_token");
    json_decref(r);
    r = ts_get_as(ts, NULL, &st, "/v1/surveys/%s", survey);
    ts_assert_status(st, 200, r);
    json_decref(r);
}

static void test_cancellation_request_scope(void **state)
{
    (void)state;
    long st = 0;
    char path[128];
    size_t before = ts_event_count(ts, order_b);
    snprintf(path, sizeof path, "/v1/orders/%s/cancellation-requests", order_b);
    json_t *r = shopper_post(&st, path, json_pack("{s:s}", "reason", "other"));
    ts_assert_error(st, r, 404, "not_found");
    json_decref(r);
    assert_int_equal(ts_event_count(ts, order_b), before);

    /* staff open one for B: A's link cannot decide it */
    json_t *other =
        ts_post(ts, json_pack("{s:s}", "reason", "other"), &st, "%s", path);
    ts_assert_status(st, 201, other);
    snprintf(path, sizeof path, "/v1/cancellation-requests/%s/decision",
             ts_str(other, "id"));
    r = shopper_post(&st, path, json_pack("{s:b}", "decline", 1));
    ts_assert_error(st, r, 404, "not_found");
    json_decref(r);
    json_decref(other);
    assert_status_of(order_b, "confirmed");

    snprintf(path, sizeof path, "/v1/orders/%s/cancellation-requests", order_a);
    json_t *req =
        shopper_post(&st, path, json_pack("{s:s}", "reason", "changed_mind"));
    ts_assert_status(st, 201, req);
    assert_true(json_array_size(json_object_get(req, "offers")) > 0);
    assert_null(json_object_get(req, "tool_calls"));
    snprintf(path, sizeof path, "/v1/cancellation-requests/%s",
             ts_str(req, "id"));
    r = shopper_get(&st, path, token);
    ts_assert_status(st, 200, r);
    assert_null(json_object_get(r, "events")); /* the audit trail */
    assert_true(json_array_size(json_object_get(r, "messages")) >= 1);
    json_decref(r);
    snprintf(path, sizeof path, "/v1/cancellation-requests/%s/decision",
             ts_str(req, "id"));
    r = shopper_post(&st, path, json_pack("{s:b}", "decline", 1));
    ts_assert_status(st, 200, r);
    assert_string_equal(ts_str(r, "outcome"), "cancelled");
    json_decref(r);
    json_decref(req);
    assert_status_of(order_a, "cancelled");
}

static void test_conversation_scope(void **state)
{
    (void)state;
    long st = 0;
    json_t *r = shopper_post(&st, "/v1/conversations",
                             json_pack("{s:s}", "order", order_b));
    ts_assert_error(st, r, 404, "not_found");
    json_decref(r);
    json_t *c = shopper_post(&st, "/v1/conversations",
                             json_pack("{s:s}", "order", order_a));
    ts_assert_status(st, 201, c);
    char path[128];
    snprintf(path, sizeof path, "/v1/conversations/%s/messages",
             ts_str(c, "id"));
    r = shopper_post(&st, path,
                     json_pack("{s:s}", "text", "where is my order?"));
    ts_assert_status(st, 200, r);
    assert_non_null(ts_str(r, "reply"));
    assert_null(json_object_get(r, "tool_calls"));
    json_decref(r);
    snprintf(path, sizeof path, "/v1/conversations/%s", ts_str(c, "id"));
    r = shopper_get(&st, path, token);
    ts_assert_status(st, 200, r);
    json_t *msgs = json_object_get(r, "messages");
    assert_true(json_array_size(msgs) >= 2);
    assert_string_equal(ts_str(json_array_get(msgs, 1), "from"), "customer");
    json_decref(r);
    json_decref(c);
}

/* The address link fixes a held order's address, and the answer is the
 * shopper's view of the order. */
static void test_address_link(void **state)
{
    (void)state;
    long st = 0;
    json_t *held =
        ts_order(ts, "sh-LAMP", 1,
                 json_pack("{s:{s:s, s:s, s:s, s:s, s:s, s:s}}",
                           "shipping_address", "name", "Zia Park", "line1",
                           "1 Main St", "city", "Springfield", "region", "IL",
                           "postal_code", "6270", "country", "US"),
                 &st);
    ts_assert_status(st, 201, held);
    assert_string_equal(ts_str(held, "status"), "on_hold");
    json_t *l = ts_post(ts, json_pack("{s:s}", "purpose", "address"), &st,
                        "/v1/orders/%s/links", ts_str(held, "number"));
    ts_assert_status(st, 201, l);
    assert_non_null(strstr(ts_str(l, "path"), "/address?t="));
    char path[512];
    snprintf(path, sizeof path, "/v1/orders/%s/address",
             ts_str(held, "number"));
    json_t *fixed =
        ts_post_as(ts, NULL, NULL,
                   json_pack("{s:{s:s, s:s, s:s, s:s, s:s, s:s}}",
                             "shipping_address", "name", "Zia Park", "line1",
                             "1 Main St", "city", "Springfield", "region", "IL",
                             "postal_code", "62701", "country", "US"),
                   &st, "%s?t=%s", path, ts_str(l, "token"));
    ts_assert_status(st, 200, fixed);
    assert_string_equal(ts_str(fixed, "status"), "confirmed");
    assert_null(json_object_get(fixed, "risk"));
    assert_null(json_object_get(json_object_get(fixed, "customer"), "email"));
    json_decref(fixed);
    /* an address link is not an order link, nor the other way round */
    snprintf(path, sizeof path, "/v1/orders/%s", ts_str(held, "number"));
    json_t *r = shopper_get(&st, path, ts_str(l, "token"));
    ts_assert_error(st, r, 401, "bad_token");
    json_decref(r);
    json_decref(l);
    r = ts_post(ts, json_pack("{s:s}", "purpose", "refund"), &st,
                "/v1/orders/%s/links", ts_str(held, "number"));
    ts_assert_error(st, r, 422, "invalid");
    json_decref(r);
    json_decref(held);
}

static void test_minting_needs_staff(void **state)
{
    (void)state;
    long st = 0;
    json_t *r = ts_post_as(ts, ts->service_key, NULL, json_object(), &st,
                           "/v1/orders/%s/links", order_a);
    ts_assert_error(st, r, 403, "forbidden");
    json_decref(r);
    r = ts_post_as(ts, ts->agent_key, NULL, json_pack("{s:i}", "days", 0), &st,
                   "/v1/orders/%s/links", order_a);
    ts_assert_error(st, r, 422, "invalid");
    json_decref(r);
    r = ts_post_as(ts, ts->agent_key, NULL, json_pack("{s:i}", "days", 7), &st,
                   "/v1/orders/%s/links", order_a);
    ts_assert_status(st, 201, r);
    json_decref(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reads_own_order_without_internals),
        cmocka_unit_test(test_nothing_else),
        cmocka_unit_test(test_conversation_scope),
        cmocka_unit_test(test_cancellation_request_scope),
        cmocka_unit_test(test_minting_needs_staff),
        cmocka_unit_test(test_address_link),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
