/*
 * test_experiments.c - the experiments API: who may start one, what a
 * malformed or invalid one gets (and that it changes nothing), the
 * experiment as listed and read, a request joining an arm, its results'
 * shape before any request is old enough, and stopping.
 */
#include "harness.h"

#include <stdio.h>
#include <string.h>

static hf_test_server *ts;

static json_t *arm(const char *name, const char *policy, int weight)
{
    return policy ? json_pack("{s:s, s:s, s:i}", "name", name, "policy", policy,
                              "weight", weight)
                  : json_pack("{s:s, s:b, s:i}", "name", name, "holdout", 1,
                              "weight", weight);
}

static size_t experiment_count(void)
{
    long st;
    json_t *r = ts_get(ts, &st, "/v1/experiments");
    ts_assert_status(st, 200, r);
    size_t n = json_array_size(json_object_get(r, "experiments"));
    json_decref(r);
    return n;
}

static void test_experiments_api(void **state)
{
    (void)state;
    ts = ts_start();
    assert_non_null(ts);
    long st;
    /* only an admin starts one */
    json_t *body = json_pack("{s:s, s:[o, o]}", "name", "depth", "arms",
                             arm("plain", "Cancellation_retention_policy", 1),
                             arm("none", NULL, 1));
    json_t *r = ts_post_as(ts, ts->agent_key, NULL, json_incref(body), &st,
                           "/v1/experiments");
    ts_assert_error(st, r, 403, "forbidden");
    json_decref(r);

    /* invalid ones are refused with the field, and change nothing */
    static const struct {
        const char *json;
        long status;
        const char *code, *field;
    } bad[] = {
        {"{\"name\": \"x\", \"arms\": 3}", 400, NULL, "arms"},
        {"{\"name\": \"x\", \"arms\": [{\"name\": \"a\", \"policy\": "
         "\"Cancellation_retention_policy\"}]}",
         422, "invalid", "arms"},
        {"{\"name\": \"x\", \"arms\": [{\"name\": \"a\", \"policy\": "
         "\"No_such_policy\"}, {\"name\": \"b\", \"holdout\": true}]}",
         422, "invalid_policy", "arms[0]"},
        {"{\"name\": \"x\", \"arms\": [{\"name\": \"a\", \"holdout\": true}, "
         "{\"name\": \"b\", \"holdout\": true}]}",
         422, "invalid", "arms[1]"},
        {"{\"name\": \"x\", \"arms\": [{\"name\": \"a\", \"holdout\": true}, "
         "{\"name\": \"a\", \"policy\": \"Cancellation_retention_policy\"}]}",
         422, "invalid", "arms[1]"},
        {"{\"name\": \"x\", \"arms\": [{\"name\": \"a\", \"holdout\": true}, "
         "{\"name\": \"b\", \"policy\": \"Cancellation_retention_policy\", "
         "\"weight\": 0}]}",
         422, "invalid", "arms[1]"},
        {"{\"name\": \"x\", \"offer_cooldown_days\": -3, \"arms\": [{\"name\": "
         "\"a\", \"holdout\": true}, {\"name\": \"b\", \"policy\": "
         "\"Cancellation_retention_policy\"}]}",
         422, "invalid", "offer_cooldown_days"},
        {"{\"name\": \"x\", \"arms\": [{\"name\": \"a\", \"holdout\": true}, "
         "{\"name\": \"b\", \"policy\": \"../etc/passwd\"}]}",
         422, "invalid_policy", "arms[1]"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        json_t *resp = NULL;
        ts_request(ts, "POST", "/v1/experiments", ts->admin_key, NULL,
                   bad[i].json, &st, &resp);
        if (st != bad[i].status)
            fail_msg("case %zu: status %ld, want %ld", i, st, bad[i].status);
        if (bad[i].code)
            assert_string_equal(ts_err_code(resp), bad[i].code);
        assert_string_equal(ts_err_field(resp), bad[i].field);
        json_decref(resp);
    }
    assert_int_equal(experiment_count(), 0);

    r = ts_post(ts, body, &st, "/v1/experiments");
    ts_assert_status(st, 201, r);
    char id[64];
    snprintf(id, sizeof(id), "%s", ts_str(r, "id"));
    assert_string_equal(ts_str(r, "status"), "running");
    assert_string_equal(ts_str(r, "name"), "depth");
    assert_int_equal(json_array_size(json_object_get(r, "arms")), 2);
    assert_int_equal(ts_int(r, "offer_cooldown_days"), 90);
    assert_non_null(ts_str(r, "created_at"));
    json_decref(r);
    assert_int_equal(experiment_count(), 1);
    r = ts_get_as(ts, ts->agent_key, &st, "/v1/experiments/%s", id);
    ts_assert_status(st, 200, r);
    assert_string_equal(ts_str(r, "id"), id);
    json_decref(r);
    r = ts_get(ts, &st, "/v1/experiments/exp_nope");
    ts_assert_error(st, r, 404, "not_found");
    json_decref(r);

    /* a cancellation request joins an arm */
    ts_product(ts, "ex-1", 3000, 10);
    r = ts_order(ts, "ex-1", 1, NULL, &st);
    ts_assert_status(st, 201, r);
    char order[64];
    snprintf(order, sizeof(order), "%s", ts_str(r, "id"));
    json_decref(r);
    r = ts_post_as(ts, ts->service_key, NULL,
                   json_pack("{s:s}", "reason", "changed_mind"), &st,
                   "/v1/orders/%s/cancellation-requests", order);
    ts_assert_status(st, 201, r);
    json_decref(r);

    r = ts_get(ts, &st, "/v1/experiments/%s/results", id);
    ts_assert_status(st, 200, r);
    size_t i;
    json_t *a;
    long long requests = 0;
    json_array_foreach(json_object_get(r, "arms"), i, a)
    {
        requests += ts_int(a, "requests");
        /* nothing is 30 days old: no save rate yet */
        assert_int_equal(ts_int(a, "saved"), 0);
        assert_true(json_is_null(
            json_object_get(json_object_get(a, "save_rate"), "value")));
    }
    assert_int_equal(requests, 1);
    assert_int_equal(json_array_size(json_object_get(r, "comparisons")), 1);
    json_decref(r);

    /* stopped, and stopping again changes nothing */
    for (int k = 0; k < 2; k++) {
        r = ts_post(ts, json_object(), &st, "/v1/experiments/%s/stop", id);
        ts_assert_status(st, 200, r);
        assert_string_equal(ts_str(r, "status"), "stopped");
        assert_non_null(ts_str(r, "stopped_at"));
        json_decref(r);
    }
    ts_free(ts);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_experiments_api),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
