/* Unit tests for the experiments' assignment (services/experiments.c):
 * stable per customer, split by the weights, independent between
 * experiments. The customer ids are fixed, so the counts are fixed: the
 * chi-square bounds below cannot flake, they only catch a biased hash. */
#include "services/experiments.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cmocka.h>

enum { N = 30000 };

/* Chi-square of counts against expected shares proportional to weights. */
static double chi_square(const int *counts, const int *weights, size_t n)
{
    double total_w = 0, total = 0, chi = 0;
    for (size_t i = 0; i < n; i++) {
        total_w += weights[i];
        total += counts[i];
    }
    for (size_t i = 0; i < n; i++) {
        double expected = total * weights[i] / total_w;
        chi += (counts[i] - expected) * (counts[i] - expected) / expected;
    }
    return chi;
}

static void assign_all(const char *experiment, const int *weights, size_t n,
                       int *counts)
{
    for (size_t i = 0; i < n; i++)
        counts[i] = 0;
    for (int c = 0; c < N; c++) {
        char id[32];
        snprintf(id, sizeof(id), "cus_%08d", c);
        size_t arm = hf_experiment_pick(experiment, id, weights, n);
        assert_true(arm < n);
        /* the same customer, the same arm, every time */
        assert_int_equal(hf_experiment_pick(experiment, id, weights, n), arm);
        counts[arm]++;
    }
}

static void test_balanced_equal_weights(void **state)
{
    (void)state;
    const int weights[] = {1, 1, 1};
    int counts[3];
    assign_all("exp_balance", weights, 3, counts);
    /* 2 degrees of freedom: 13.8 is the 0.1% critical value */
    double chi = chi_square(counts, weights, 3);
    if (chi > 13.8)
        fail_msg("chi-square %.2f for %d %d %d", chi, counts[0], counts[1],
                 counts[2]);
}

static void test_balanced_by_weight(void **state)
{
    (void)state;
    const int weights[] = {2, 1, 1, 4};
    int counts[4];
    assign_all("exp_weights", weights, 4, counts);
    /* 3 degrees of freedom: 16.3 is the 0.1% critical value */
    double chi = chi_square(counts, weights, 4);
    if (chi > 16.3)
        fail_msg("chi-square %.2f for %d %d %d %d", chi, counts[0], counts[1],
                 counts[2], counts[3]);
    /* and the heaviest arm really is about half */
    assert_in_range(counts[3], N / 2 - N / 50, N / 2 + N / 50);
}

static void test_independent_between_experiments(void **state)
{
    (void)state;
    const int weights[] = {1, 1};
    int same = 0;
    for (int c = 0; c < N; c++) {
        char id[32];
        snprintf(id, sizeof(id), "cus_%08d", c);
        same += hf_experiment_pick("exp_one", id, weights, 2) ==
                hf_experiment_pick("exp_two", id, weights, 2);
    }
    /* independent halves agree about half the time */
    assert_in_range(same, N / 2 - N / 50, N / 2 + N / 50);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_balanced_equal_weights),
        cmocka_unit_test(test_balanced_by_weight),
        cmocka_unit_test(test_independent_between_experiments),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
