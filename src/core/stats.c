/* stats.c - confidence intervals and tests of proportions (stats.h). */
#include "core/stats.h"

#include <math.h>

/* the standard normal's 97.5th percentile */
#define Z95 1.959963984540054

hf_interval hf_stats_wilson(int64_t k, int64_t n)
{
    if (n <= 0 || k < 0 || k > n)
        return (hf_interval){NAN, NAN, NAN};
    double p = (double)k / (double)n, nn = (double)n, z2 = Z95 * Z95;
    double denom = 1 + z2 / nn;
    double centre = (p + z2 / (2 * nn)) / denom;
    double half = Z95 * sqrt(p * (1 - p) / nn + z2 / (4 * nn * nn)) / denom;
    double low = centre - half, high = centre + half;
    return (hf_interval){p, low < 0 ? 0 : low, high > 1 ? 1 : high};
}

double hf_stats_normal_upper(double z)
{
    return 0.5 * erfc(z / sqrt(2.0));
}

hf_comparison hf_stats_two_proportions(int64_t k1, int64_t n1, int64_t k2,
                                       int64_t n2)
{
    if (n1 <= 0 || n2 <= 0)
        return (hf_comparison){NAN, NAN, NAN, NAN, NAN};
    double p1 = (double)k1 / (double)n1, p2 = (double)k2 / (double)n2;
    double d = p1 - p2;
    double se = sqrt(p1 * (1 - p1) / (double)n1 + p2 * (1 - p2) / (double)n2);
    double pooled = (double)(k1 + k2) / (double)(n1 + n2);
    double se0 =
        sqrt(pooled * (1 - pooled) * (1.0 / (double)n1 + 1.0 / (double)n2));
    double z = se0 > 0 ? d / se0 : 0;
    double p = se0 > 0 ? 2 * hf_stats_normal_upper(fabs(z)) : 1;
    return (hf_comparison){d, d - Z95 * se, d + Z95 * se, z, p > 1 ? 1 : p};
}

double hf_stats_pearson(const double *x, const double *y, int64_t n)
{
    if (n < 3)
        return NAN;
    double mx = 0, my = 0;
    for (int64_t i = 0; i < n; i++) {
        mx += x[i];
        my += y[i];
    }
    mx /= (double)n;
    my /= (double)n;
    double sxy = 0, sxx = 0, syy = 0;
    for (int64_t i = 0; i < n; i++) {
        sxy += (x[i] - mx) * (y[i] - my);
        sxx += (x[i] - mx) * (x[i] - mx);
        syy += (y[i] - my) * (y[i] - my);
    }
    /* a constant series has no variance; rounding in the mean can leave
     * a few ulps of it, which would make r exactly -1 or 1 */
    double tiny = 1e-20 * (double)n;
    if (sxx <= tiny * (1 + mx * mx) || syy <= tiny * (1 + my * my))
        return NAN;
    return sxy / sqrt(sxx * syy);
}

/* log of the binomial probability of exactly i of n at rate p */
static double log_term(int64_t i, int64_t n, double p)
{
    return lgamma((double)n + 1) - lgamma((double)i + 1) -
           lgamma((double)(n - i) + 1) + (double)i * log(p) +
           (double)(n - i) * log1p(-p);
}

double hf_stats_binomial_upper(int64_t k, int64_t n, double p)
{
    if (k <= 0)
        return 1;
    if (k > n || p <= 0)
        return 0;
    if (p >= 1)
        return 1;
    /* sum the shorter side, term by term from its end nearest the mode;
     * terms there shrink geometrically, so the sum stops early */
    double odds = p / (1 - p), sum = 0;
    if ((double)k > (double)n * p) {
        double term = exp(log_term(k, n, p));
        for (int64_t i = k; i <= n && term > sum * 1e-17; i++) {
            sum += term;
            term *= (double)(n - i) / (double)(i + 1) * odds;
        }
        return sum > 1 ? 1 : sum;
    }
    double term = exp(log_term(k - 1, n, p));
    for (int64_t i = k - 1; i >= 0 && term > sum * 1e-17; i--) {
        sum += term;
        term *= (double)i / (double)(n - i + 1) / odds;
    }
    return sum >= 1 ? 0 : 1 - sum;
}
