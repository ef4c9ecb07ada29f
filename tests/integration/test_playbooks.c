/* test_playbooks.c - [playbooks] on SQLite and PostgreSQL: a model that
 * learned that one region always cancels scores orders at placement; an
 * order shipped there reaches every threshold and fires each playbook
 * once (a playbook_fired timeline entry each, expedited shipping, a call
 * task an agent closes), one shipped elsewhere fires nothing; with a
 * holdout, the KPI report's at_risk part compares how orders with and
 * without outreach ended. */
#include "harness.h"

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static hf_test_server *ts;

/* Trains DIR/pb.model on a CSV where NV always cancels and IL never does,
 * and restarts the server with it and the playbooks. */
static int setup(void **state)
{
    (void)state;
    ts = ts_start();
    if (ts == NULL)
        return -1;
    char path[1024];
    snprintf(path, sizeof path, "%s/pb.csv", ts->dir);
    FILE *f = fopen(path, "w");
    if (f == NULL)
        return -1;
    fprintf(f, "ship_region,total,cancelled\n");
    for (int i = 0; i < 200; i++)
        fprintf(f, "%s,%d,%d\n", i % 2 ? "NV" : "IL", 1000 + i * 37 % 5000,
                i % 2);
    fclose(f);
    const char *extra = "[playbooks]\nreassure_at = 0.3\n"
                        "expedite_at = 0.6\ncall_at = 0.8\n";
    if (ts_serve_risk_model(ts, path, "pb", extra) != 0)
        return -1;
    ts_product(ts, "PB-A", 2500, 100);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    ts_free(ts);
    return 0;
}

/* Places an order shipped to region; a new reference. */
static json_t *place(int i, const char *region, const char *postal)
{
    char email[64];
    snprintf(email, sizeof email, "pb.%d@example.com", i);
    json_t *extra = json_pack(
        "{s:{s:s, s:s}, s:{s:s, s:s, s:s, s:s, s:s, s:s}}", "customer", "email",
        email, "name", "Ann Lee", "shipping_address", "name", "Ann Lee",
        "line1", "1 Main St", "city", "Springfield", "region", region,
        "postal_code", postal, "country", "US");
    long st;
    json_t *o = ts_order(ts, "PB-A", 1, extra, &st);
    ts_assert_status(st, 201, o);
    return o;
}

/* How many entries of type the order's timeline has; with playbook (not
 * NULL) only those whose reason is it. */
static int count_entries(const char *id, const char *type, const char *playbook)
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
            (playbook == NULL || strcmp(ts_str(e, "reason"), playbook) == 0))
            n++;
    }
    json_decref(ev);
    return n;
}

/* The tasks of the order among GET /v1/tasks?status=..., to an agent. */
static int count_tasks(const char *order_id, const char *status,
                       char id_out[64])
{
    long st;
    json_t *list =
        ts_get_as(ts, ts->agent_key, &st, "/v1/tasks?status=%s", status);
    ts_assert_status(st, 200, list);
    json_t *k;
    size_t i;
    int n = 0;
    json_array_foreach(json_object_get(list, "tasks"), i, k)
    {
        if (strcmp(ts_str(k, "order_id"), order_id) != 0)
            continue;
        n++;
        assert_string_equal(ts_str(k, "kind"), "call");
        assert_string_equal(ts_str(k, "status"), status);
        if (id_out != NULL)
            snprintf(id_out, 64, "%s", ts_str(k, "id"));
    }
    json_decref(list);
    return n;
}

static void test_a_risky_order_fires_each_playbook_once(void **state)
{
    (void)state;
    json_t *hi = place(1, "NV", "89501");
    const char *id = ts_str(hi, "id");
    double score = json_number_value(
        json_object_get(json_object_get(hi, "risk"), "score"));
    print_message("NV score %.4f\n", score);
    assert_true(score >= 0.8);
    /* the answer to the placement already shows what the playbooks did */
    assert_string_equal(ts_str(hi, "shipping_method"), "expedited");

    assert_int_equal(count_entries(id, "playbook_fired", "reassure"), 1);
    assert_int_equal(count_entries(id, "playbook_fired", "expedite"), 1);
    assert_int_equal(count_entries(id, "playbook_fired", "call"), 1);
    assert_int_equal(count_entries(id, "shipping_upgraded", NULL), 1);
    long st;
    json_t *again = ts_get(ts, &st, "/v1/orders/%s", id);
    ts_assert_status(st, 200, again);
    assert_string_equal(ts_str(again, "shipping_method"), "expedited");
    json_decref(again);

    char task[64] = "";
    assert_int_equal(count_tasks(id, "open", task), 1);
    /* an integration (service key) may not see the agents' tasks */
    json_t *denied = ts_get_as(ts, ts->service_key, &st, "/v1/tasks");
    assert_true(st == 403 || st == 401);
    json_decref(denied);

    /* an agent calls and closes the task; that is on the timeline */
    json_t *done =
        ts_post_as(ts, ts->agent_key, NULL,
                   json_pack("{s:s}", "note", "called, customer happy"), &st,
                   "/v1/tasks/%s/done", task);
    ts_assert_status(st, 200, done);
    assert_string_equal(ts_str(done, "status"), "done");
    assert_string_equal(ts_str(done, "note"), "called, customer happy");
    assert_true(strlen(ts_str(done, "done_by")) > 0);
    json_decref(done);
    assert_int_equal(count_tasks(id, "open", NULL), 0);
    assert_int_equal(count_tasks(id, "done", NULL), 1);
    assert_int_equal(count_entries(id, "task_done", NULL), 1);
    json_t *twice = ts_post_as(ts, ts->agent_key, NULL, json_object(), &st,
                               "/v1/tasks/%s/done", task);
    ts_assert_error(st, twice, 409, "task_done");
    json_decref(twice);
    json_t *none = ts_post_as(ts, ts->agent_key, NULL, json_object(), &st,
                              "/v1/tasks/tsk_nope/done");
    ts_assert_status(st, 404, none);
    json_decref(none);

    /* later events on the order fire nothing again */
    json_t *moved = ts_post(ts, json_pack("{s:s}", "to", "allocated"), &st,
                            "/v1/orders/%s/transitions", id);
    json_decref(moved);
    assert_int_equal(count_entries(id, "playbook_fired", NULL), 3);
    assert_int_equal(
        count_tasks(id, "open", NULL) + count_tasks(id, "done", NULL), 1);
    json_decref(hi);
}

static void test_a_safe_order_fires_nothing(void **state)
{
    (void)state;
    json_t *lo = place(2, "IL", "62701");
    const char *id = ts_str(lo, "id");
    double score = json_number_value(
        json_object_get(json_object_get(lo, "risk"), "score"));
    print_message("IL score %.4f\n", score);
    assert_true(score < 0.3);
    assert_string_equal(ts_str(lo, "shipping_method"), "standard");
    assert_int_equal(count_entries(id, "playbook_fired", NULL), 0);
    assert_int_equal(count_tasks(id, "open", NULL), 0);
    json_decref(lo);
}

/* GET /v1/kpis's at_risk: {"orders", "outreach": {...}, ...}. */
static json_t *at_risk_kpi(void)
{
    long st;
    json_t *r = ts_get(ts, &st, "/v1/kpis");
    ts_assert_status(st, 200, r);
    json_t *k = json_incref(json_object_get(r, "at_risk"));
    assert_non_null(k);
    json_decref(r);
    return k;
}

/* How many more group.key in after than in before. */
static long long more(const json_t *after, const json_t *before,
                      const char *group, const char *key)
{
    return ts_int2(after, group, key) - ts_int2(before, group, key);
}

/* With half the at-risk orders held out, a held-out order gets no
 * playbook, and the at_risk KPI counts both groups and how they ended. */
static void test_outreach_outcomes_in_the_kpis(void **state)
{
    (void)state;
    json_t *before = at_risk_kpi();
    FILE *f = fopen(ts->config, "a");
    assert_non_null(f);
    fprintf(f, "holdout = 0.5\n"); /* still in [playbooks] */
    fclose(f);
    assert_int_equal(ts_restart(ts), 0);
    int n[2] = {0, 0}, cancelled[2] = {0, 0}; /* [0] held out, [1] not */
    for (int i = 0; i < 20; i++) {
        json_t *o = place(100 + i, "NV", "89501");
        const char *id = ts_str(o, "id");
        int contacted = count_entries(id, "playbook_fired", NULL) > 0;
        if (!contacted) /* nothing else happened to it either */
            assert_string_equal(ts_str(o, "shipping_method"), "standard");
        n[contacted]++;
        /* every held-out order cancels, one in three contacted ones */
        if (!contacted || n[1] % 3 == 0) {
            long st;
            json_t *c = ts_post_as(ts, ts->agent_key, NULL,
                                   json_pack("{s:s}", "reason", "changed_mind"),
                                   &st, "/v1/orders/%s/cancel", id);
            ts_assert_status(st, 200, c);
            json_decref(c);
            cancelled[contacted]++;
        }
        json_decref(o);
    }
    json_decref(place(200, "IL", "62701")); /* not at risk */
    print_message("outreach %d (%d cancelled), held out %d\n", n[1],
                  cancelled[1], n[0]);
    assert_true(n[0] > 0 && n[1] > 0);

    json_t *after = at_risk_kpi();
    assert_int_equal(ts_int(after, "orders") - ts_int(before, "orders"), 20);
    assert_int_equal(more(after, before, "outreach", "orders"), n[1]);
    assert_int_equal(more(after, before, "no_outreach", "orders"), n[0]);
    assert_int_equal(more(after, before, "outreach", "cancelled"),
                     cancelled[1]);
    assert_int_equal(more(after, before, "no_outreach", "cancelled"),
                     cancelled[0]);
    /* the held-out orders are the only ones there: every one cancelled */
    assert_int_equal(ts_int2(after, "no_outreach", "orders"),
                     ts_int2(after, "no_outreach", "cancelled"));
    double with = json_number_value(json_object_get(
               json_object_get(after, "outreach"), "cancellation_rate")),
           without = json_number_value(json_object_get(
               json_object_get(after, "no_outreach"), "cancellation_rate"));
    assert_true(without == 1.0 && with < 1.0);
    assert_true(fabs(json_number_value(json_object_get(after, "difference")) -
                     (with - without)) < 1e-5);
    json_decref(after);
    json_decref(before);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_a_risky_order_fires_each_playbook_once),
        cmocka_unit_test(test_a_safe_order_fires_nothing),
        cmocka_unit_test(test_outreach_outcomes_in_the_kpis),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
