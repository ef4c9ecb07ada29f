/* Unit tests for risk/model: a model trained on a small separable data set
 * scores positives above negatives on rows it has not seen, a fixed seed
 * gives the same scores, and a saved model scores as the original did. */
#include "risk/metrics.h"
#include "risk/model.h"
#include "util/mem.h"

#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

/* A synthetic file of n bookings: y is 1 when x plus a bonus for the
 * colour red passes 0.8; "noise" carries nothing. Deterministic in seed. */
static hf_risk_table *synthetic(size_t n, unsigned seed)
{
    static const char *const colors[] = {"red", "green", "blue"};
    size_t cap = 64 + n * 64;
    char *text = malloc(cap);
    size_t len = (size_t)snprintf(text, cap, "id,x,color,noise,y\n");
    unsigned s = seed;
    for (size_t i = 0; i < n; i++) {
        s = s * 1103515245u + 12345u;
        double x = (double)((s >> 8) % 1000) / 1000.0;
        s = s * 1103515245u + 12345u;
        const char *c = colors[(s >> 8) % 3];
        s = s * 1103515245u + 12345u;
        int noise = (int)((s >> 8) % 100);
        int y = x + (strcmp(c, "red") == 0 ? 0.5 : 0) > 0.8;
        len += (size_t)snprintf(text + len, cap - len, "%zu,%.3f,%s,%d,%d\n", i,
                                x, c, noise, y);
    }
    hf_risk_table *t = NULL;
    hf_err err;
    if (hf_risk_table_parse("synthetic.csv", text, len, &t, &err) != HF_OK)
        fail_msg("%s", err.message);
    free(text);
    return t;
}

static hf_risk_params small_params(unsigned seed)
{
    hf_risk_params p;
    hf_risk_params_default(&p);
    p.rounds = 40;
    p.max_depth = 4;
    p.eta = 0.3;
    p.nthread = 1;
    p.seed = seed;
    return p;
}

static hf_risk_model *train(const hf_risk_table *t, unsigned seed)
{
    const char *drop[] = {"id"};
    hf_risk_params p = small_params(seed);
    hf_risk_model *m = NULL;
    hf_err err;
    if (hf_risk_model_train(t, "y", drop, 1, &p, &m, &err) != HF_OK)
        fail_msg("%s", err.message);
    return m;
}

static float *scores(hf_risk_model *m, const hf_risk_table *t)
{
    float *s = NULL;
    hf_err err;
    if (hf_risk_model_score_table(m, t, &s, &err) != HF_OK)
        fail_msg("%s", err.message);
    return s;
}

static void test_positives_score_higher_on_new_rows(void **state)
{
    (void)state;
    hf_risk_table *tr = synthetic(600, 1), *te = synthetic(300, 2);
    hf_risk_model *m = train(tr, 1);
    float *s = scores(m, te), *y = NULL;
    hf_err err;
    assert_int_equal(hf_risk_labels(te, "y", &y, &err), HF_OK);
    double pos = 0, neg = 0, npos = 0, auc = 0;
    for (size_t i = 0; i < 300; i++) {
        pos += y[i] > 0.5f ? s[i] : 0;
        neg += y[i] > 0.5f ? 0 : s[i];
        npos += y[i] > 0.5f;
    }
    assert_true(npos > 30 && npos < 270);
    pos /= npos;
    neg /= 300 - npos;
    assert_int_equal(hf_risk_auc(s, y, 300, &auc), HF_OK);
    if (!(auc > 0.97 && pos > 0.8 && neg < 0.2))
        fail_msg("auc %.3f, mean score of positives %.3f, of negatives %.3f",
                 auc, pos, neg);
    hf_risk_confusion c = hf_risk_confusion_at(s, y, 300, 0.5);
    assert_true(c.accuracy > 0.93);
    hf_free(s);
    hf_free(y);
    hf_risk_model_free(m);
    hf_risk_table_free(te);
    hf_risk_table_free(tr);
}

static void test_same_seed_same_scores(void **state)
{
    (void)state;
    hf_risk_table *tr = synthetic(600, 3), *te = synthetic(200, 4);
    hf_risk_model *a = train(tr, 7), *b = train(tr, 7), *c = train(tr, 8);
    float *sa = scores(a, te), *sb = scores(b, te), *sc = scores(c, te);
    assert_memory_equal(sa, sb, 200 * sizeof(float));
    /* and the seed matters: rows and columns are sampled with it */
    assert_memory_not_equal(sa, sc, 200 * sizeof(float));
    hf_free(sa);
    hf_free(sb);
    hf_free(sc);
    hf_risk_model_free(a);
    hf_risk_model_free(b);
    hf_risk_model_free(c);
    hf_risk_table_free(te);
    hf_risk_table_free(tr);
}

static void test_saved_model_scores_the_same(void **state)
{
    (void)state;
    hf_risk_table *tr = synthetic(400, 5);
    hf_risk_model *m = train(tr, 1);
    char path[] = "/tmp/hf_risk_model_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    hf_err err;
    assert_int_equal(hf_risk_model_save(m, path, &err), HF_OK);
    hf_risk_model *back = NULL;
    assert_int_equal(hf_risk_model_load(path, 1, &back, &err), HF_OK);
    unlink(path);
    /* another file: columns in another order, no label, a colour the
     * training file never had */
    const char *text = "color,noise,x,id\nred,1,0.5,1\nblue,1,0.5,2\n"
                       "purple,1,0.5,3\ngreen,1,0.95,4\n";
    hf_risk_table *u = NULL;
    assert_int_equal(hf_risk_table_parse("u.csv", text, strlen(text), &u, &err),
                     HF_OK);
    float *s1 = scores(m, u), *s2 = scores(back, u);
    assert_memory_equal(s1, s2, 4 * sizeof(float));
    assert_true(s1[0] > 0.8f && s1[1] < 0.2f && s1[3] > 0.8f);
    assert_true(s1[2] >= 0.0f && s1[2] <= 1.0f);
    hf_free(s1);
    hf_free(s2);
    hf_risk_table_free(u);
    hf_risk_model_free(back);
    hf_risk_model_free(m);
    hf_risk_table_free(tr);
}

static void test_compiled_trees_score_as_xgboost(void **state)
{
    (void)state;
    hf_risk_table *tr = synthetic(600, 11), *te = synthetic(300, 12);
    /* blanks in x: missing values must take each split's default way; 43
     * trees: not a multiple of the trees the compiled scorer walks at once */
    const char *drop[] = {"id"};
    hf_risk_params p = small_params(3);
    p.rounds = 43;
    hf_risk_model *m = NULL;
    hf_err err;
    assert_int_equal(hf_risk_model_train(tr, "y", drop, 1, &p, &m, &err),
                     HF_OK);
    assert_true(hf_risk_model_compiled(m));
    float *x = NULL, a[300], b[300];
    assert_int_equal(
        hf_risk_encoding_matrix(hf_risk_model_encoding(m), te, &x, &err),
        HF_OK);
    for (size_t r = 0; r < 300; r += 7)
        x[r * 3] = NAN;
    assert_int_equal(hf_risk_model_predict(m, x, 300, a, &err), HF_OK);
    assert_int_equal(hf_risk_model_predict_xgboost(m, x, 300, b, &err), HF_OK);
    for (size_t r = 0; r < 300; r++)
        if (fabsf(a[r] - b[r]) > 1e-5f)
            fail_msg("row %zu: compiled %.7f, XGBoost %.7f", r, a[r], b[r]);
    /* one row alone scores as in the batch */
    for (size_t r = 0; r < 300; r += 50) {
        float one;
        assert_int_equal(hf_risk_model_predict(m, x + r * 3, 1, &one, &err),
                         HF_OK);
        assert_true(one == a[r]);
    }
    hf_free(x);
    hf_risk_model_free(m);
    hf_risk_table_free(te);
    hf_risk_table_free(tr);
}

static void test_training_refuses_bad_input(void **state)
{
    (void)state;
    static const struct {
        const char *csv;
        hf_rc rc;
        const char *message;
    } cases[] = {
        {"x,y\n1,1\n2,1\n", HF_EINVAL,
         "t.csv: every row has y = 1; nothing to learn"},
        {"x,y\n", HF_EINVAL, "t.csv: no rows to learn from"},
        {"x,y\n1,0\n2,true\n", HF_EINVAL, "t.csv:3: y is \"true\", not 0 or 1"},
        {"x,label\n1,0\n", HF_ENOTFOUND, "t.csv:1: no column y (the label)"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        hf_risk_table *t = NULL;
        hf_err err;
        assert_int_equal(hf_risk_table_parse("t.csv", cases[i].csv,
                                             strlen(cases[i].csv), &t, &err),
                         HF_OK);
        hf_risk_params p = small_params(1);
        hf_risk_model *m = NULL;
        assert_int_equal(hf_risk_model_train(t, "y", NULL, 0, &p, &m, &err),
                         cases[i].rc);
        assert_null(m);
        assert_string_equal(err.message, cases[i].message);
        hf_risk_table_free(t);
    }
}

static void test_load_refuses_other_files(void **state)
{
    (void)state;
    hf_risk_model *m = NULL;
    hf_err err;
    assert_int_equal(hf_risk_model_load("/nonexistent/m", 1, &m, &err), HF_EIO);
    char path[] = "/tmp/hf_risk_model_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "w");
    fputs("id,x,y\n1,2,0\n", f);
    fclose(f);
    assert_int_equal(hf_risk_model_load(path, 1, &m, &err), HF_EPARSE);
    assert_null(m);
    /* a real model cut short */
    hf_risk_table *tr = synthetic(200, 9);
    hf_risk_model *good = train(tr, 1);
    assert_int_equal(hf_risk_model_save(good, path, &err), HF_OK);
    assert_int_equal(truncate(path, 2000), 0);
    assert_int_equal(hf_risk_model_load(path, 1, &m, &err), HF_EPARSE);
    assert_null(m);
    unlink(path);
    hf_risk_model_free(good);
    hf_risk_table_free(tr);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_positives_score_higher_on_new_rows),
        cmocka_unit_test(test_same_seed_same_scores),
        cmocka_unit_test(test_saved_model_scores_the_same),
        cmocka_unit_test(test_compiled_trees_score_as_xgboost),
        cmocka_unit_test(test_training_refuses_bad_input),
        cmocka_unit_test(test_load_refuses_other_files),
    };
    long before = hf_mem_live();
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    if (hf_mem_live() != before) {
        fprintf(stderr, "risk_model: %ld blocks leaked\n",
                hf_mem_live() - before);
        return 1;
    }
    return failed;
}
