/* Unit tests for core/stats: the Wilson interval, the two-proportion
 * z-test and Pearson's correlation, against values worked by hand or
 * published (Newcombe 1998, table I: 81/263 gives 0.2553 .. 0.3662). */
#include "core/stats.h"

#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

static void near(double got, double want, double tol)
{
    if (!(fabs(got - want) <= tol))
        fail_msg("got %.6f, want %.6f", got, want);
}

static void test_wilson(void **state)
{
    (void)state;
    hf_interval i = hf_stats_wilson(81, 263);
    near(i.value, 81.0 / 263, 1e-12);
    near(i.low, 0.2553, 5e-4);
    near(i.high, 0.3662, 5e-4);
    /* none of ten: the interval still reaches above zero */
    i = hf_stats_wilson(0, 10);
    near(i.low, 0, 1e-12);
    near(i.high, 0.2775, 5e-4);
    /* all of ten mirrors it */
    i = hf_stats_wilson(10, 10);
    near(i.low, 1 - 0.2775, 5e-4);
    near(i.high, 1, 1e-12);
    /* nothing to say about no trials */
    i = hf_stats_wilson(0, 0);
    assert_true(isnan(i.value) && isnan(i.low) && isnan(i.high));
}

static void test_two_proportions(void **state)
{
    (void)state;
    /* 45/100 against 30/100: pooled 0.375, se 0.068465, z 2.1909 */
    hf_comparison c = hf_stats_two_proportions(45, 100, 30, 100);
    near(c.difference, 0.15, 1e-12);
    near(c.z, 2.1909, 1e-4);
    near(c.p_value, 0.02846, 1e-4);
    /* unpooled se sqrt(.45*.55/100 + .3*.7/100) = 0.067639 */
    near(c.low, 0.15 - 1.959964 * 0.067639, 1e-4);
    near(c.high, 0.15 + 1.959964 * 0.067639, 1e-4);
    /* equal rates: no difference, p = 1 */
    c = hf_stats_two_proportions(20, 50, 40, 100);
    near(c.difference, 0, 1e-12);
    near(c.p_value, 1, 1e-12);
    c = hf_stats_two_proportions(1, 0, 3, 10);
    assert_true(isnan(c.p_value));
    near(hf_stats_normal_upper(1.959964), 0.025, 1e-6);
}

static void test_pearson(void **state)
{
    (void)state;
    double x[] = {1, 2, 3, 4, 5}, y[] = {2, 4, 6, 8, 10}, z[] = {5, 4, 3, 2, 1};
    near(hf_stats_pearson(x, y, 5), 1, 1e-12);
    near(hf_stats_pearson(x, z, 5), -1, 1e-12);
    /* by hand: x 1..5, w 2 1 4 3 5: sxy 8, sxx 10, syy 10 */
    double w[] = {2, 1, 4, 3, 5};
    near(hf_stats_pearson(x, w, 5), 0.8, 1e-12);
    double flat[] = {3, 3, 3, 3, 3};
    assert_true(isnan(hf_stats_pearson(x, flat, 5)));
    /* constant, but with a mean that does not come out exact */
    double tenth[] = {0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1};
    double seven[] = {1, 2, 3, 4, 5, 6, 7};
    assert_true(isnan(hf_stats_pearson(seven, tenth, 7)));
    assert_true(isnan(hf_stats_pearson(x, y, 2)));
}

static void test_binomial_upper(void **state)
{
    (void)state;
    /* 8 or more heads of 10: (45 + 10 + 1) / 1024 */
    near(hf_stats_binomial_upper(8, 10, 0.5), 56.0 / 1024, 1e-12);
    /* 3 of 32 at 1.45%: rare, but not among 200 tests */
    near(hf_stats_binomial_upper(3, 32, 0.0145), 0.0110490, 1e-6);
    /* at least one of 1000 at 0.1%: 1 - 0.999^1000 */
    near(hf_stats_binomial_upper(1, 1000, 0.001), 1 - pow(0.999, 1000), 1e-12);
    /* a long upper tail, and one summed from the other side */
    near(hf_stats_binomial_upper(60, 5000, 0.01), 0.0911752, 1e-6);
    near(hf_stats_binomial_upper(40, 5000, 0.01), 0.9363767, 1e-6);
    near(hf_stats_binomial_upper(0, 10, 0.3), 1, 1e-12);
    near(hf_stats_binomial_upper(11, 10, 0.3), 0, 1e-12);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_wilson),
        cmocka_unit_test(test_two_proportions),
        cmocka_unit_test(test_pearson),
        cmocka_unit_test(test_binomial_upper),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
