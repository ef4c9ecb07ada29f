/*
 * test_tracking.c - shipments and carrier events: the order ships when it
 * is handed to a carrier, every scan recomputes the ETA, a delay is found
 * the moment it appears (a carrier estimate past the promise, a shipment
 * gone silent, a carrier exception) and operations see it in
 * GET /v1/shipments?delayed=true; delivery closes the order.
 */
#include "harness.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

enum { HF_TEST_MINUTE = 60 * 1000 };
#define HF_TEST_HOUR (60LL * HF_TEST_MINUTE)

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
    return 0;
}

/* RFC 3339 text for now + offset_ms. */
static const char *when(long long offset_ms, char out[32])
{
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now); /* wall time, as the server's */
    time_t secs = (time_t)(now.tv_sec + offset_ms / 1000);
    struct tm tm;
    gmtime_r(&secs, &tm);
    strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return out;
}

/* Places an order for sku and ships it; returns the shipment. */
static json_t *ship(const char *sku, const char *tracking, char order_id[128])
{
    long st;
    ts_product(ts, sku, 1000, 10);
    json_t *o = ts_order(ts, sku, 2, NULL, &st);
    ts_assert_status(st, 201, o);
    snprintf(order_id, 128, "%s", ts_str(o, "id"));
    json_decref(o);
    json_t *sh = ts_post(ts,
                         json_pack("{s:s, s:s, s:s}", "carrier", "ups",
                                   "tracking_number", tracking, "service_level",
                                   "ground"),
                         &st, "/v1/orders/%s/shipments", order_id);
    ts_assert_status(st, 201, sh);
    return sh;
}

static json_t *scan(const char *shipment, const char *status,
                    const char *time_text, json_t *extra, long *st)
{
    json_t *body = json_pack("{s:s, s:s}", "status", status, "time", time_text);
    if (extra != NULL) {
        json_object_update(body, extra);
        json_decref(extra);
    }
    return ts_post(ts, body, st, "/v1/shipments/%s/events", shipment);
}

/* How many timeline entries of the order have this type. */
static size_t events_of_type(const char *order_id, const char *type)
{
    long st;
    json_t *ev = ts_get(ts, &st, "/v1/orders/%s/events", order_id);
    ts_assert_status(st, 200, ev);
    size_t n = 0, i;
    json_t *e;
    json_array_foreach(json_object_get(ev, "data"), i,
                       e) if (strcmp(ts_str(e, "type"), type) == 0) n++;
    json_decref(ev);
    return n;
}

static bool listed_as_delayed(const char *shipment_id)
{
    long st;
    json_t *list = ts_get(ts, &st, "/v1/shipments?delayed=true&limit=200");
    ts_assert_status(st, 200, list);
    bool found = false;
    size_t i;
    json_t *s;
    json_array_foreach(json_object_get(list, "data"), i, s) found =
        found || strcmp(ts_str(s, "id"), shipment_id) == 0;
    json_decref(list);
    return found;
}

static void test_ship_scan_deliver(void **state)
{
    (void)state;
    char order_id[128], t[32];
    json_t *sh = ship("tr-A", "1ZTRA", order_id);
    char id[128];
    snprintf(id, sizeof id, "%s", ts_str(sh, "id"));
    assert_string_equal(ts_str(sh, "status"), "label_created");
    assert_string_equal(ts_str(sh, "carrier"), "ups");
    json_t *eta = json_object_get(sh, "eta");
    assert_non_null(ts_str(eta, "expected"));
    assert_true(strcmp(ts_str(eta, "earliest"), ts_str(eta, "expected")) <= 0);
    assert_true(strcmp(ts_str(eta, "expected"), ts_str(eta, "latest")) <= 0);
    assert_false(json_is_true(json_object_get(sh, "delayed")));
    json_decref(sh);

    /* handing it over shipped the order and consumed its stock */
    json_t *o = ts_get_order(ts, order_id);
    assert_string_equal(ts_str(o, "status"), "shipped");
    json_decref(o);
    ts_assert_inventory(ts, "tr-A", 8, 0, 8);

    long st;
    json_t *r = scan(id, "in_transit", when(-HF_TEST_HOUR, t),
                     json_pack("{s:{s:s, s:s, s:s, s:f, s:f}}", "location",
                               "city", "Memphis", "region", "TN", "country",
                               "US", "latitude", 35.1495, "longitude", -90.049),
                     &st);
    ts_assert_status(st, 201, r);
    assert_string_equal(ts_str(r, "status"), "in_transit");
    json_t *events = json_object_get(r, "events");
    assert_int_equal(json_array_size(events), 1);
    json_t *loc = json_object_get(json_array_get(events, 0), "location");
    assert_string_equal(ts_str(loc, "city"), "Memphis");
    json_decref(r);
    size_t status_notes = events_of_type(order_id, "shipment_status");

    /* the carrier resends the same scan: nothing changes */
    r = scan(id, "in_transit", t, NULL, &st);
    ts_assert_status(st, 200, r);
    assert_int_equal(json_array_size(json_object_get(r, "events")), 1);
    json_decref(r);
    assert_int_equal(events_of_type(order_id, "shipment_status"), status_notes);

    /* delivered: the order is delivered too */
    r = scan(id, "delivered", when(0, t), NULL, &st);
    ts_assert_status(st, 201, r);
    assert_string_equal(ts_str(r, "status"), "delivered");
    assert_non_null(ts_str(r, "delivered_at"));
    json_decref(r);
    o = ts_get_order(ts, order_id);
    assert_string_equal(ts_str(o, "status"), "delivered");
    json_decref(o);

    /* a late scan from before delivery does not undo it */
    r = scan(id, "out_for_delivery", when(-10 * HF_TEST_MINUTE, t), NULL, &st);
    ts_assert_status(st, 201, r);
    assert_string_equal(ts_str(r, "status"), "delivered");
    json_decref(r);

    /* the order's own listing */
    json_t *list = ts_get(ts, &st, "/v1/orders/%s/shipments", order_id);
    ts_assert_status(st, 200, list);
    assert_int_equal(json_array_size(json_object_get(list, "data")), 1);
    json_decref(list);
}

static void test_carrier_estimate_past_promise_is_delay(void **state)
{
    (void)state;
    char order_id[128], t[32], later[32];
    json_t *sh = ship("tr-B", "1ZTRB", order_id);
    char id[128];
    snprintf(id, sizeof id, "%s", ts_str(sh, "id"));
    json_decref(sh);
    assert_false(listed_as_delayed(id));
    assert_int_equal(events_of_type(order_id, "shipment_delayed"), 0);

    long st;
    json_t *r = scan(id, "in_transit", when(0, t),
                     json_pack("{s:s}", "estimated_delivery",
                               when(30LL * 24 * HF_TEST_HOUR, later)),
                     &st);
    ts_assert_status(st, 201, r);
    assert_true(json_is_true(json_object_get(r, "delayed")));
    assert_string_equal(ts_str(r, "delay_reason"), "eta_after_promise");
    assert_string_equal(ts_str(json_object_get(r, "eta"), "expected"), later);
    json_decref(r);
    /* told at once: the timeline says so and operations see it */
    assert_int_equal(events_of_type(order_id, "shipment_delayed"), 1);
    assert_int_equal(events_of_type(order_id, "eta_changed"), 1);
    assert_true(listed_as_delayed(id));

    /* another scan of the same delay does not announce it again */
    r = scan(id, "in_transit", when(HF_TEST_MINUTE, t), NULL, &st);
    ts_assert_status(st, 201, r);
    json_decref(r);
    assert_int_equal(events_of_type(order_id, "shipment_delayed"), 1);
}

static void test_silence_and_exception_are_delays(void **state)
{
    (void)state;
    char order_id[128], t[32];
    json_t *sh = ship("tr-C", "1ZTRC", order_id);
    char id[128];
    snprintf(id, sizeof id, "%s", ts_str(sh, "id"));
    json_decref(sh);
    long st;
    /* the last scan was three days ago: longer than a lane stays silent */
    json_t *r = scan(id, "in_transit", when(-72 * HF_TEST_HOUR, t), NULL, &st);
    ts_assert_status(st, 201, r);
    assert_true(json_is_true(json_object_get(r, "delayed")));
    assert_string_equal(ts_str(r, "delay_reason"), "no_scan");
    json_decref(r);

    sh = ship("tr-D", "1ZTRD", order_id);
    snprintf(id, sizeof id, "%s", ts_str(sh, "id"));
    json_decref(sh);
    r = scan(id, "exception", when(0, t),
             json_pack("{s:s}", "description", "address not found"), &st);
    ts_assert_status(st, 201, r);
    assert_true(json_is_true(json_object_get(r, "delayed")));
    assert_string_equal(ts_str(r, "delay_reason"), "carrier_exception");
    json_decref(r);
    assert_int_equal(events_of_type(order_id, "shipment_delayed"), 1);
}

static void test_carrier_endpoint_by_tracking_number(void **state)
{
    (void)state;
    char order_id[128], t[32];
    json_decref(ship("tr-E", "1ZTRE", order_id));
    long st;
    json_t *r = ts_post(ts,
                        json_pack("{s:s, s:s, s:s}", "tracking_number", "1ZTRE",
                                  "status", "picked_up", "time", when(0, t)),
                        &st, "/v1/carriers/ups/events");
    ts_assert_status(st, 201, r);
    assert_string_equal(ts_str(r, "status"), "picked_up");
    json_decref(r);
    r = ts_post(ts,
                json_pack("{s:s, s:s, s:s}", "tracking_number", "NOPE",
                          "status", "picked_up", "time", when(0, t)),
                &st, "/v1/carriers/ups/events");
    ts_assert_error(st, r, 404, "not_found");
    json_decref(r);
}

static void test_bad_input_changes_nothing(void **state)
{
    (void)state;
    char order_id[128], t[32];
    json_t *sh = ship("tr-F", "1ZTRF", order_id);
    char id[128];
    snprintf(id, sizeof id, "%s", ts_str(sh, "id"));
    json_decref(sh);
    long st;
    json_t *r = scan(id, "teleported", when(0, t), NULL, &st);
    ts_assert_error(st, r, 422, "invalid");
    assert_string_equal(ts_err_field(r), "status");
    json_decref(r);
    r = scan(id, "in_transit", "yesterday", NULL, &st);
    ts_assert_error(st, r, 422, "invalid");
    assert_string_equal(ts_err_field(r), "time");
    json_decref(r);
    r = scan(id, "in_transit", when(0, t),
             json_pack("{s:{s:i}}", "location", "latitude", 100), &st);
    ts_assert_error(st, r, 422, "invalid");
    json_decref(r);
    r = scan(id, "in_transit", when(0, t),
             json_pack("{s:{s:s}}", "location", "latitude", "north"), &st);
    ts_assert_error(st, r, 400, "malformed");
    json_decref(r);
    r = ts_get(ts, &st, "/v1/shipments/%s", id);
    ts_assert_status(st, 200, r);
    assert_int_equal(json_array_size(json_object_get(r, "events")), 0);
    json_decref(r);

    /* the same tracking number twice; an order that cannot ship */
    r = ts_post(
        ts,
        json_pack("{s:s, s:s}", "carrier", "ups", "tracking_number", "1ZTRF"),
        &st, "/v1/orders/%s/shipments", order_id);
    ts_assert_error(st, r, 409, "tracking_number_exists");
    json_decref(r);
    ts_product(ts, "tr-G", 1000, 5);
    json_t *o = ts_order(ts, "tr-G", 1, NULL, &st);
    char gid[128];
    snprintf(gid, sizeof gid, "%s", ts_str(o, "id"));
    json_decref(o);
    r = ts_post(ts, json_pack("{s:s}", "reason", "changed_mind"), &st,
                "/v1/orders/%s/cancel", gid);
    json_decref(r);
    r = ts_post(
        ts,
        json_pack("{s:s, s:s}", "carrier", "ups", "tracking_number", "1ZTRG"),
        &st, "/v1/orders/%s/shipments", gid);
    ts_assert_error(st, r, 409, "not_shippable");
    json_decref(r);

    /* agents read shipments but do not report scans */
    r = ts_post_as(
        ts, ts->agent_key, NULL,
        json_pack("{s:s, s:s}", "status", "in_transit", "time", when(0, t)),
        &st, "/v1/shipments/%s/events", id);
    ts_assert_error(st, r, 403, "forbidden");
    json_decref(r);
    r = ts_get(ts, &st, "/v1/shipments?delayed=maybe");
    ts_assert_error(st, r, 422, "invalid");
    json_decref(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ship_scan_deliver),
        cmocka_unit_test(test_carrier_estimate_past_promise_is_delay),
        cmocka_unit_test(test_silence_and_exception_are_delays),
        cmocka_unit_test(test_carrier_endpoint_by_tracking_number),
        cmocka_unit_test(test_bad_input_changes_nothing),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
