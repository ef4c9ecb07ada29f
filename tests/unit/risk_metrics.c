/* Unit tests for risk/metrics: AUC on cases worked by hand (ties count a
 * half), the confusion rates at a threshold, and the calibration table. */
#include "risk/metrics.h"

#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

/* This cmocka has no assert_double_equal. */
static void near(double got, double want, double eps, int line)
{
    if (!(fabs(got - want) <= eps))
        fail_msg("line %d: got %.12g, want %.12g", line, got, want);
}
#define assert_double_equal(a, b, eps) near((a), (b), (eps), __LINE__)

static double auc(const float *s, const float *y, size_t n)
{
    double a = -1;
    assert_int_equal(hf_risk_auc(s, y, n, &a), HF_OK);
    return a;
}

static void test_auc_perfect_and_reversed(void **state)
{
    (void)state;
    float s[] = {0.1f, 0.2f, 0.8f, 0.9f}, y[] = {0, 0, 1, 1};
    assert_double_equal(auc(s, y, 4), 1.0, 1e-12);
    float r[] = {0.9f, 0.8f, 0.2f, 0.1f};
    assert_double_equal(auc(r, y, 4), 0.0, 1e-12);
}

static void test_auc_ties_count_half(void **state)
{
    (void)state;
    /* positives 0.8, 0.5; negatives 0.5, 0.2: of the 4 pairs, 3 are
     * ordered right and one is tied -> 3.5 / 4 */
    float s[] = {0.5f, 0.8f, 0.2f, 0.5f}, y[] = {0, 1, 0, 1};
    assert_double_equal(auc(s, y, 4), 0.875, 1e-12);
    /* every score equal: no better than chance */
    float same[] = {0.3f, 0.3f, 0.3f, 0.3f, 0.3f};
    float y5[] = {1, 0, 0, 1, 0};
    assert_double_equal(auc(same, y5, 5), 0.5, 1e-12);
}

static void test_auc_mixed(void **state)
{
    (void)state;
    /* positives 0.9, 0.4, 0.35; negatives 0.6, 0.4, 0.1:
     * 0.9 beats all 3; 0.4 beats 0.1, ties 0.4, loses 0.6 -> 1.5;
     * 0.35 beats 0.1 -> 1; total 5.5 / 9 */
    float s[] = {0.9f, 0.6f, 0.4f, 0.4f, 0.35f, 0.1f};
    float y[] = {1, 0, 1, 0, 1, 0};
    assert_double_equal(auc(s, y, 6), 5.5 / 9.0, 1e-12);
}

static void test_auc_one_class_is_nan(void **state)
{
    (void)state;
    float s[] = {0.1f, 0.7f}, y[] = {1, 1};
    assert_true(isnan(auc(s, y, 2)));
}

static void test_confusion(void **state)
{
    (void)state;
    float s[] = {0.9f, 0.6f, 0.5f, 0.4f, 0.2f}, y[] = {1, 0, 1, 1, 0};
    hf_risk_confusion c = hf_risk_confusion_at(s, y, 5, 0.5);
    /* >= 0.5 predicts 1: 0.9 (tp), 0.6 (fp), 0.5 (tp); 0.4 fn, 0.2 tn */
    assert_int_equal(c.tp, 2);
    assert_int_equal(c.fp, 1);
    assert_int_equal(c.fn, 1);
    assert_int_equal(c.tn, 1);
    assert_double_equal(c.accuracy, 0.6, 1e-12);
    assert_double_equal(c.precision, 2.0 / 3.0, 1e-12);
    assert_double_equal(c.recall, 2.0 / 3.0, 1e-12);
    c = hf_risk_confusion_at(s, y, 5, 0.95);
    assert_int_equal(c.tp + c.fp, 0);
    assert_double_equal(c.precision, 0, 0);
}

static void test_calibration(void **state)
{
    (void)state;
    float s[] = {0.05f, 0.15f, 0.12f, 0.95f, 1.0f, 0.0f};
    float y[] = {0, 1, 0, 1, 1, 0};
    hf_risk_bin b[HF_RISK_CAL_BINS];
    hf_risk_calibration(s, y, 6, b);
    assert_int_equal(b[0].count, 2);
    assert_double_equal(b[0].predicted, 0.025, 1e-6);
    assert_double_equal(b[0].observed, 0, 0);
    assert_int_equal(b[1].count, 2);
    assert_double_equal(b[1].observed, 0.5, 1e-12);
    assert_double_equal(b[1].lo, 0.1, 1e-12);
    assert_int_equal(b[5].count, 0);
    /* 1.0 belongs in the last bin */
    assert_int_equal(b[9].count, 2);
    assert_double_equal(b[9].observed, 1, 0);
    assert_double_equal(b[9].hi, 1.0, 1e-12);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_auc_perfect_and_reversed),
        cmocka_unit_test(test_auc_ties_count_half),
        cmocka_unit_test(test_auc_mixed),
        cmocka_unit_test(test_auc_one_class_is_nan),
        cmocka_unit_test(test_confusion),
        cmocka_unit_test(test_calibration),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
