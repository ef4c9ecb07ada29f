/*
 * stats.h - the few statistics the KPIs and experiments report: a
 * proportion's confidence interval, the comparison of two proportions and
 * a correlation, and the binomial tail. Pure functions, no I/O.
 *
 * Written here rather than taken from a library: Debian's GSL would bring
 * a large dependency for three formulas that fit on a page, and each is
 * checked against published values in tests/unit/core_stats.c.
 */
#ifndef HF_STATS_H
#define HF_STATS_H

#include <stdint.h>

/* A 95% Wilson score interval for k successes in n trials. For n == 0
 * every field is NAN. */
typedef struct hf_interval {
    double value; /* k / n */
    double low, high;
} hf_interval;
hf_interval hf_stats_wilson(int64_t k, int64_t n);

/* Two proportions k1/n1 and k2/n2 compared: the difference p1 - p2 with
 * its 95% (unpooled, Wald) interval and the two-sided p-value of the
 * pooled z-test. NAN fields when either n is 0. */
typedef struct hf_comparison {
    double difference, low, high;
    double z, p_value;
} hf_comparison;
hf_comparison hf_stats_two_proportions(int64_t k1, int64_t n1, int64_t k2,
                                       int64_t n2);

/* The binomial upper tail P(X >= k) for X ~ Binomial(n, p): the exact
 * one-sided test of k events in n trials against the rate p. */
double hf_stats_binomial_upper(int64_t k, int64_t n, double p);

/* The standard normal's upper tail P(Z > z). */
double hf_stats_normal_upper(double z);

/* Pearson's correlation of x and y (n pairs); NAN when n < 3 or either
 * has no variance. */
double hf_stats_pearson(const double *x, const double *y, int64_t n);

#endif
