/* test_risk.c - the cancellation-risk model on the store's own history,
 * over HTTP and the command line, on SQLite and PostgreSQL: orders placed
 * through the API and some cancelled by a rule; `holdfast risk export`,
 * `split` by time, `train` (twice: the same seed gives the same model) and
 * `eval` on the later fifth; then a server with [risk] model scores new
 * orders and explains the scores. */
#include "harness.h"

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { ORDERS = 300 };

/* US regions with a postal code each; the rule cancels NV and TX. */
static const char *const regions[][2] = {
    {"IL", "62701"}, {"NV", "89501"}, {"WA", "98101"},
    {"TX", "73301"}, {"NY", "10001"}, {"CA", "94105"},
};

static bool risky(const char *region)
{
    return strcmp(region, "NV") == 0 || strcmp(region, "TX") == 0;
}

/* Places order i shipped to region r; returns its id (static buffer). */
static json_t *place(hf_test_server *ts, int i, size_t r, long *st)
{
    static const char *const skus[] = {"RK-A", "RK-B", "RK-C"};
    char email[64], line1[64];
    snprintf(email, sizeof email, "risk.%d@example.com", i);
    snprintf(line1, sizeof line1, "%d Main St", i + 1);
    json_t *extra = json_pack(
        "{s:{s:s, s:s}, s:{s:s, s:s, s:s, s:s, s:s, s:s}}", "customer", "email",
        email, "name", "Ann Lee", "shipping_address", "name", "Ann Lee",
        "line1", line1, "city", "Springfield", "region", regions[r][0],
        "postal_code", regions[r][1], "country", "US");
    return ts_order(ts, skus[i % 3], 1 + i % 2, extra, st);
}

/* The bytes of a file, malloc'ed; *len its size. */
static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    assert_non_null(buf);
    assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    *len = (size_t)n;
    return buf;
}

static void test_model_trained_on_the_store_scores_new_orders(void **state)
{
    (void)state;
    hf_test_server *ts = ts_start();
    assert_non_null(ts);
    ts_product(ts, "RK-A", 2500, 1000);
    ts_product(ts, "RK-B", 4000, 1000);
    ts_product(ts, "RK-C", 9000, 1000);
    long st;
    char first_id[64] = "";
    int cancelled = 0;
    for (int i = 0; i < ORDERS; i++) {
        size_t r = (size_t)(i * 7 + i / 6) % 6;
        json_t *o = place(ts, i, r, &st);
        ts_assert_status(st, 201, o);
        assert_true(json_is_null(json_object_get(o, "risk")));
        if (i == 0)
            snprintf(first_id, sizeof first_id, "%s", ts_str(o, "id"));
        /* the rule, with a little noise against it */
        if (risky(regions[r][0]) != (i % 17 == 0)) {
            json_t *c =
                ts_post(ts, json_pack("{s:s}", "reason", "changed_mind"), &st,
                        "/v1/orders/%s/cancel", ts_str(o, "id"));
            ts_assert_status(st, 200, c);
            json_decref(c);
            cancelled++;
        }
        json_decref(o);
    }
    assert_true(cancelled > 50 && cancelled < 150);

    /* export, split by time, train twice with one seed, evaluate */
    char cmd[16384], path[1024];
    const char *d = ts->dir, *bin = ts->bin;
    snprintf(cmd, sizeof cmd,
             "'%s' risk export --db '%s' --out '%s/export.csv' 2>/dev/null",
             bin, ts->db, d);
    ts_run(cmd);
    snprintf(cmd, sizeof cmd,
             "'%s' risk split --csv '%s/export.csv' --by placed_at "
             "--fraction 0.8 --train '%s/train.csv' --test '%s/test.csv' "
             "2>/dev/null",
             bin, d, d, d);
    ts_run(cmd);
    for (int m = 1; m <= 2; m++) {
        snprintf(cmd, sizeof cmd,
                 "'%s' risk train --csv '%s/train.csv' --label cancelled "
                 "--drop placed_at --rounds 40 --max-depth 3 --seed 7 "
                 "--model '%s/m%d.model' 2>/dev/null",
                 bin, d, d, m);
        ts_run(cmd);
    }
    size_t n1, n2;
    snprintf(path, sizeof path, "%s/m1.model", d);
    char *m1 = slurp(path, &n1);
    snprintf(path, sizeof path, "%s/m2.model", d);
    char *m2 = slurp(path, &n2);
    assert_int_equal(n1, n2);
    assert_memory_equal(m1, m2, n1);
    free(m1);
    free(m2);
    snprintf(cmd, sizeof cmd,
             "'%s' risk eval --csv '%s/test.csv' --label cancelled --model "
             "'%s/m1.model' > '%s/eval.json' 2>/dev/null",
             bin, d, d, d);
    ts_run(cmd);
    snprintf(path, sizeof path, "%s/eval.json", d);
    json_t *ev = json_load_file(path, 0, NULL);
    assert_non_null(ev);
    double auc = json_real_value(json_object_get(ev, "auc"));
    if (auc < 0.8)
        ts_print_json("held-out evaluation", ev);
    print_message("held-out AUC %.3f\n", auc);
    assert_true(auc >= 0.8); /* a trivial model scores 0.5 */
    assert_int_equal(ts_int(ev, "rows"), ORDERS / 5);
    json_decref(ev);

    /* a server with the model scores every new order */
    FILE *f = fopen(ts->config, "w");
    assert_non_null(f);
    fprintf(f, "[notify]\nenabled = false\n[risk]\nmodel = %s/m1.model\n", d);
    fclose(f);
    assert_int_equal(ts_restart(ts), 0);
    json_t *hi = place(ts, ORDERS, 1, &st); /* NV */
    ts_assert_status(st, 201, hi);
    json_t *lo = place(ts, ORDERS + 1, 0, &st); /* IL */
    ts_assert_status(st, 201, lo);
    json_t *hr = json_object_get(hi, "risk"), *lr = json_object_get(lo, "risk");
    assert_true(json_is_object(hr) && json_is_object(lr));
    assert_string_equal(ts_str(hr, "model"), "m1.model");
    double hs = json_number_value(json_object_get(hr, "score"));
    double ls = json_number_value(json_object_get(lr, "score"));
    print_message("scores: NV %.4f, IL %.4f\n", hs, ls);
    assert_true(hs > 0.5 && ls < 0.5);

    /* the score is stored: a read gives it back, and the explanation */
    json_t *again = ts_get(ts, &st, "/v1/orders/%s", ts_str(hi, "id"));
    ts_assert_status(st, 200, again);
    assert_true(json_number_value(json_object_get(
                    json_object_get(again, "risk"), "score")) == hs);
    json_decref(again);
    json_t *why = ts_get_as(ts, ts->agent_key, &st, "/v1/orders/%s/risk",
                            ts_str(hi, "id"));
    ts_assert_status(st, 200, why);
    assert_true(json_number_value(json_object_get(why, "score")) == hs);
    json_t *feats = json_object_get(why, "features");
    assert_true(json_array_size(feats) >= 1 && json_array_size(feats) <= 5);
    bool region = false;
    double prev = 1e9;
    size_t k;
    json_t *fe;
    json_array_foreach(feats, k, fe)
    {
        double c = json_number_value(json_object_get(fe, "contribution"));
        assert_true(fabs(c) <= prev); /* largest first */
        prev = fabs(c);
        if (strcmp(ts_str(fe, "name"), "ship_region") == 0) {
            region = true;
            assert_string_equal(ts_str(fe, "value"), "NV");
            assert_true(c > 0); /* NV is what raises it */
        }
    }
    assert_true(region);
    json_decref(why);

    /* the dashboard's list of orders at risk: NV's, not IL's */
    json_t *list = ts_get_as(ts, ts->agent_key, &st, "/v1/risk/orders");
    ts_assert_status(st, 200, list);
    json_t *top = json_array_get(json_object_get(list, "data"), 0);
    assert_non_null(top);
    assert_string_equal(ts_str(top, "id"), ts_str(hi, "id"));
    size_t j;
    json_t *o;
    double last = 1;
    json_array_foreach(json_object_get(list, "data"), j, o)
    {
        double s = json_number_value(
            json_object_get(json_object_get(o, "risk"), "score"));
        assert_true(s >= 0.5 && s <= last); /* riskiest first */
        last = s;
        assert_string_not_equal(ts_str(o, "id"), ts_str(lo, "id"));
    }
    json_decref(list);
    list = ts_get(ts, &st, "/v1/risk/orders?min_score=2");
    ts_assert_error(st, list, 422, "invalid");
    json_decref(list);

    /* an order placed before the model has no score */
    json_t *none = ts_get(ts, &st, "/v1/orders/%s/risk", first_id);
    ts_assert_status(st, 404, none);
    json_decref(none);
    json_decref(hi);
    json_decref(lo);
    ts_free(ts);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_model_trained_on_the_store_scores_new_orders),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
