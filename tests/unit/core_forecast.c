/* Unit tests for core/forecast: a synthetic daily series with a known
 * level, trend and weekly shape, plus a little deterministic noise, is
 * forecast two weeks ahead within a few percent of the truth, weekday by
 * weekday; a short history falls back to its mean. */
#include "core/forecast.h"

#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

static const double week[7] = {6, -3, -4, -2, 0, 1, 2}; /* sums to 0 */

static double truth(size_t t)
{
    return 30 + 0.15 * (double)t + week[t % 7];
}

static void test_weekly_series(void **state)
{
    (void)state;
    double y[56], out[14];
    for (size_t t = 0; t < 56; t++) /* noise of +-0.5 that repeats every 5 */
        y[t] = truth(t) + ((double)(t % 5) - 2) * 0.25;
    hf_hw_fit fit;
    hf_forecast(y, 56, 7, 14, out, &fit);
    assert_string_equal(fit.method, "holt_winters");
    for (size_t h = 0; h < 14; h++) {
        double want = truth(56 + h);
        if (fabs(out[h] - want) > 0.05 * want)
            fail_msg("day %zu: forecast %.2f, truth %.2f", h, out[h], want);
    }
    /* the weekly shape is kept: the peak weekday stays the peak */
    assert_true(out[0] > out[1] && out[7] > out[8]);
}

static void test_short_history_mean(void **state)
{
    (void)state;
    double y[5] = {1, 2, 3, 4, 5}, out[3];
    hf_hw_fit fit;
    hf_forecast(y, 5, 7, 3, out, &fit);
    assert_string_equal(fit.method, "mean");
    for (int h = 0; h < 3; h++)
        assert_true(fabs(out[h] - 3) < 1e-12);
    /* never below zero */
    double falling[21], o2[7];
    for (int t = 0; t < 21; t++)
        falling[t] = t < 14 ? 20 - t : 0;
    hf_forecast(falling, 21, 7, 7, o2, NULL);
    for (int h = 0; h < 7; h++)
        assert_true(o2[h] >= 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_weekly_series),
        cmocka_unit_test(test_short_history_mean),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
