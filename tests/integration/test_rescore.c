/* test_rescore.c - re-scoring on tracking events, on SQLite and PostgreSQL:
 * a model that learned that delayed shipments are cancelled scores an
 * order low at placement; a carrier scan that puts its delivery past the
 * promise re-scores it high (risk.reason "tracking") and the call playbook
 * fires once; while the shipment stays delayed the customer hears again
 * only once per [tracking] delay_update_hours; open orders are scored
 * again on a schedule ([risk] rescore_hours). */
#include "harness.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define HOUR_MS (3600LL * 1000)

static hf_test_server *ts;

/* Trains DIR/rs.model on a CSV where delayed shipments always cancel and
 * punctual ones never do, and restarts the server with it, a call
 * playbook and a delay update every 0.001 hours (3.6 s). */
static int setup(void **state)
{
    (void)state;
    ts = ts_start();
    if (ts == NULL)
        return -1;
    char path[1024];
    snprintf(path, sizeof path, "%s/rs.csv", ts->dir);
    FILE *f = fopen(path, "w");
    if (f == NULL)
        return -1;
    fprintf(f, "shipment_delayed,delay_hours,total,cancelled\n");
    for (int i = 0; i < 200; i++)
        fprintf(f, "%d,%d,%d,%d\n", i % 2, i % 2 ? 12 + i * 7 % 600 : 0,
                1000 + i * 37 % 5000, i % 2);
    fclose(f);
    const char *extra = "[playbooks]\ncall_at = 0.8\n"
                        "[tracking]\ndelay_update_hours = 0.001\n";
    if (ts_serve_risk_model(ts, path, "rs", extra) != 0)
        return -1;
    ts_product(ts, "RS-A", 2500, 100);
    return 0;
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

/* How many timeline entries of the order have type (and, with reason
 * not NULL, that reason). */
static int count_entries(const char *id, const char *type, const char *reason)
{
    long st;
    json_t *ev = ts_get(ts, &st, "/v1/orders/%s/events", id);
    ts_assert_status(st, 200, ev);
    json_t *e;
    size_t i;
    int n = 0;
    json_array_foreach(json_object_get(ev, "data"), i, e)
    {
        if (strcmp(ts_str(e, "type"), type) == 0 &&
            (reason == NULL || strcmp(ts_str(e, "reason"), reason) == 0))
            n++;
    }
    json_decref(ev);
    return n;
}

/* The order's open call tasks, as an agent sees them. */
static int open_tasks(const char *order_id)
{
    long st;
    json_t *list = ts_get_as(ts, ts->agent_key, &st, "/v1/tasks?status=open");
    ts_assert_status(st, 200, list);
    json_t *k;
    size_t i;
    int n = 0;
    json_array_foreach(json_object_get(list, "tasks"), i, k) n +=
        strcmp(ts_str(k, "order_id"), order_id) == 0;
    json_decref(list);
    return n;
}

/* The order's risk member (a new reference). */
static json_t *risk_of(const char *id)
{
    long st;
    json_t *o = ts_get(ts, &st, "/v1/orders/%s", id);
    ts_assert_status(st, 200, o);
    json_t *r = json_incref(json_object_get(o, "risk"));
    json_decref(o);
    assert_non_null(r);
    return r;
}

/* Posts a scan of shipment; with estimate_ms not 0 the carrier's
 * estimated delivery that far ahead. */
static void scan(const char *shipment, long long at_ms, long long estimate_ms)
{
    char t[32], est[32];
    json_t *body =
        json_pack("{s:s, s:s}", "status", "in_transit", "time", when(at_ms, t));
    if (estimate_ms != 0)
        json_object_set_new(body, "estimated_delivery",
                            json_string(when(estimate_ms, est)));
    long st;
    json_t *r = ts_post(ts, body, &st, "/v1/shipments/%s/events", shipment);
    ts_assert_status(st, 201, r);
    json_decref(r);
}

static void test_a_delay_rescores_and_fires_once(void **state)
{
    (void)state;
    long st;
    json_t *o = ts_order(ts, "RS-A", 1, NULL, &st);
    ts_assert_status(st, 201, o);
    char id[128];
    snprintf(id, sizeof id, "%s", ts_str(o, "id"));
    json_t *risk = json_object_get(o, "risk");
    double placed = json_number_value(json_object_get(risk, "score"));
    print_message("score at placement %.4f\n", placed);
    assert_true(placed < 0.3);
    assert_string_equal(ts_str(risk, "reason"), "placement");
    assert_true(strlen(ts_str(risk, "scored_at")) > 0);
    json_decref(o);
    assert_int_equal(open_tasks(id), 0);

    json_t *sh = ts_post(ts,
                         json_pack("{s:s, s:s, s:s}", "carrier", "ups",
                                   "tracking_number", "1ZRS1", "service_level",
                                   "ground"),
                         &st, "/v1/orders/%s/shipments", id);
    ts_assert_status(st, 201, sh);
    char shipment[128];
    snprintf(shipment, sizeof shipment, "%s", ts_str(sh, "id"));
    json_decref(sh);

    /* a punctual scan re-scores the order, still low */
    scan(shipment, -HOUR_MS, 0);
    risk = risk_of(id);
    assert_string_equal(ts_str(risk, "reason"), "tracking");
    assert_true(json_number_value(json_object_get(risk, "score")) < 0.3);
    json_decref(risk);
    assert_int_equal(open_tasks(id), 0);

    /* the carrier now expects it a month late: the score rises and the
     * call playbook fires */
    scan(shipment, -HOUR_MS / 2, 30 * 24 * HOUR_MS);
    risk = risk_of(id);
    double delayed = json_number_value(json_object_get(risk, "score"));
    print_message("score after the delay %.4f\n", delayed);
    assert_true(delayed >= 0.8);
    assert_string_equal(ts_str(risk, "reason"), "tracking");
    json_decref(risk);
    assert_int_equal(count_entries(id, "shipment_delayed", NULL), 1);
    assert_int_equal(count_entries(id, "playbook_fired", "call"), 1);
    assert_int_equal(open_tasks(id), 1);

    /* GET .../risk explains the score it shows (the delivery features as
     * they now stand) */
    json_t *why = ts_get(ts, &st, "/v1/orders/%s/risk", id);
    ts_assert_status(st, 200, why);
    assert_float_equal(json_number_value(json_object_get(why, "score")),
                       delayed, 1e-6);
    bool named = false;
    json_t *f;
    size_t i;
    json_array_foreach(json_object_get(why, "features"), i, f) named =
        named || strcmp(ts_str(f, "name"), "shipment_delayed") == 0 ||
        strcmp(ts_str(f, "name"), "delay_hours") == 0;
    assert_true(named);
    json_decref(why);

    /* another delayed scan: the playbook does not fire again, and the
     * customer, told a moment ago, is not told again */
    scan(shipment, -HOUR_MS / 4, 0);
    assert_int_equal(count_entries(id, "playbook_fired", "call"), 1);
    assert_int_equal(open_tasks(id), 1);
    assert_int_equal(count_entries(id, "delay_update", NULL), 0);

    /* past the interval (3.6 s here) the next scan sends the update, once */
    sleep(4);
    scan(shipment, -HOUR_MS / 8, 0);
    assert_int_equal(count_entries(id, "delay_update", NULL), 1);
    scan(shipment, -HOUR_MS / 16, 0);
    assert_int_equal(count_entries(id, "delay_update", NULL), 1);
    assert_int_equal(count_entries(id, "shipment_delayed", NULL), 1);
    assert_int_equal(count_entries(id, "playbook_fired", NULL), 1);
}

/* An open order is scored again on a schedule (the hours since placement
 * change without any event): with [risk] rescore_hours = 0.0005 (1.8 s)
 * and a sweep every second, the order's score is soon "schedule"'s, and
 * its low score fires no playbook however often it is recomputed. */
static void test_open_orders_rescore_on_a_schedule(void **state)
{
    (void)state;
    FILE *f = fopen(ts->config, "a");
    assert_non_null(f);
    fprintf(f, "sweep_seconds = 1\n[risk]\nrescore_hours = 0.0005\n");
    fclose(f);
    assert_int_equal(ts_restart(ts), 0);
    long st;
    json_t *o = ts_order(ts, "RS-A", 1, NULL, &st);
    ts_assert_status(st, 201, o);
    const char *id = ts_str(o, "id");
    json_t *placed = json_object_get(o, "risk");
    assert_string_equal(ts_str(placed, "reason"), "placement");
    json_t *r = NULL;
    for (int i = 0; i < 100; i++) { /* up to 20 s on a busy machine */
        json_decref(r);
        r = risk_of(id);
        if (strcmp(ts_str(r, "reason"), "schedule") == 0)
            break;
        usleep(200 * 1000);
    }
    assert_string_equal(ts_str(r, "reason"), "schedule");
    assert_string_not_equal(ts_str(r, "scored_at"),
                            ts_str(placed, "scored_at"));
    json_decref(r);
    /* the explanation reads the features as of the scheduled score */
    json_t *why = ts_get(ts, &st, "/v1/orders/%s/risk", id);
    ts_assert_status(st, 200, why);
    json_decref(why);
    assert_int_equal(count_entries(id, "playbook_fired", NULL), 0);
    assert_int_equal(open_tasks(id), 0);
    json_decref(o);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_a_delay_rescores_and_fires_once),
        cmocka_unit_test(test_open_orders_rescore_on_a_schedule),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
