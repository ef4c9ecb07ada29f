/*
 * test_demo_kpi.c - `holdfast demo` with the shipped policies makes
 * customers ask to cancel through the retention service, so `holdfast kpi`
 * on demo data has current values for the resolution time, the save rate,
 * the offers and CSAT; and the aggregates the demo kept equal a rebuild.
 */
#include "harness.h"

#include <stdio.h>
#include <string.h>

/* Runs cmd; returns its exit status and its standard output in out. */
static int run(const char *cmd, char *out, size_t size)
{
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    size_t n = fread(out, 1, size - 1, p);
    out[n] = '\0';
    return pclose(p);
}

static const json_t *kpi(const json_t *doc, const char *name)
{
    const json_t *m = json_object_get(json_object_get(doc, "kpis"), name);
    assert_non_null(m);
    return m;
}

static void test_demo_has_current_values(void **state)
{
    (void)state;
    hf_test_server *ts = ts_start();
    assert_non_null(ts);
    ts_stop(ts); /* it only made the database */
    static char cmd[16384], out[1 << 16];
    snprintf(cmd, sizeof(cmd),
             "'%s' demo --db '%s' --seed 3 --days 70 --orders 2500 "
             "2>/dev/null",
             ts->bin, ts->db);
    assert_int_equal(run(cmd, out, sizeof(out)), 0);
    snprintf(cmd, sizeof(cmd),
             "'%s' kpi --db '%s' --from 2020-01-01 --format json", ts->bin,
             ts->db);
    assert_int_equal(run(cmd, out, sizeof(out)), 0);
    json_t *doc = json_loads(out, 0, NULL);
    assert_non_null(doc);
    static const char *const current[] = {"cancellation_rate",
                                          "cancellation_resolution_hours",
                                          "request_resolution_hours",
                                          "save_rate",
                                          "offer_rate",
                                          "offer_acceptance_rate",
                                          "escalation_rate",
                                          "csat",
                                          "would_recommend",
                                          "delivery_hours"};
    for (size_t i = 0; i < sizeof(current) / sizeof(current[0]); i++)
        if (!json_is_number(json_object_get(kpi(doc, current[i]), "current")))
            fail_msg("%s has no current value on demo data", current[i]);
    const json_t *counts = json_object_get(doc, "counts");
    assert_true(ts_int(counts, "cancellation_requests") > 20);
    assert_true(ts_int(counts, "offers_made") > 0);
    assert_true(ts_int(counts, "conversations_escalated") > 0);
    assert_true(ts_int(counts, "surveys_answered") > 0);
    json_decref(doc);

    /* the table has the seed's columns and values */
    snprintf(cmd, sizeof(cmd), "'%s' kpi --db '%s' --from 2020-01-01", ts->bin,
             ts->db);
    assert_int_equal(run(cmd, out, sizeof(out)), 0);
    assert_non_null(strstr(out, "Metric"));
    assert_non_null(strstr(out, "Save Rate"));
    assert_null(strstr(strstr(out, "Save Rate"), "n/a\n"));

    snprintf(cmd, sizeof(cmd), "'%s' kpi check --db '%s'", ts->bin, ts->db);
    assert_int_equal(run(cmd, out, sizeof(out)), 0);
    assert_non_null(strstr(out, "\n0 differ"));
    ts_free(ts);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_demo_has_current_values),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
