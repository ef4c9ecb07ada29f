/* forecast.c - additive Holt-Winters fitted on a grid (forecast.h). */
#include "core/forecast.h"

#include <math.h>
#include <string.h>

enum { MAX_PERIOD = 31 };

/* Runs the recursions over y with the constants given; returns the
 * one-step squared error and leaves the final state in l, b, s. */
static double run(const double *y, size_t n, size_t m, double alpha,
                  double beta, double gamma, double *l, double *b, double *s)
{
    /* initial state from the first two periods: level the first period's
     * mean, trend the change of means per step, season the first
     * period's deviations */
    double m1 = 0, m2 = 0;
    for (size_t i = 0; i < m; i++) {
        m1 += y[i];
        m2 += y[m + i];
    }
    m1 /= (double)m;
    m2 /= (double)m;
    *l = m1;
    *b = (m2 - m1) / (double)m;
    for (size_t i = 0; i < m; i++)
        s[i] = y[i] - m1;
    double sse = 0;
    for (size_t t = m; t < n; t++) {
        double season = s[t % m];
        double predicted = *l + *b + season;
        double e = y[t] - predicted;
        sse += e * e;
        double level = alpha * (y[t] - season) + (1 - alpha) * (*l + *b);
        *b = beta * (level - *l) + (1 - beta) * *b;
        s[t % m] = gamma * (y[t] - level) + (1 - gamma) * season;
        *l = level;
    }
    return sse;
}

void hf_forecast(const double *y, size_t n, size_t period, size_t horizon,
                 double *out, hf_hw_fit *fit)
{
    hf_hw_fit f = {0, 0, 0, 0, "mean"};
    if (period < 2 || period > MAX_PERIOD || n < 2 * period) {
        double mean = 0;
        for (size_t i = 0; i < n; i++)
            mean += y[i];
        mean = n ? mean / (double)n : 0;
        for (size_t h = 0; h < horizon; h++)
            out[h] = mean > 0 ? mean : 0;
        if (fit)
            *fit = f;
        return;
    }
    static const double alphas[] = {0.05, 0.1, 0.2, 0.3, 0.5, 0.7};
    static const double betas[] = {0, 0.01, 0.05, 0.1};
    static const double gammas[] = {0.05, 0.1, 0.2, 0.3, 0.5};
    double l, b, s[MAX_PERIOD];
    f.sse = INFINITY;
    f.method = "holt_winters";
    for (size_t i = 0; i < sizeof(alphas) / sizeof(alphas[0]); i++)
        for (size_t j = 0; j < sizeof(betas) / sizeof(betas[0]); j++)
            for (size_t k = 0; k < sizeof(gammas) / sizeof(gammas[0]); k++) {
                double e = run(y, n, period, alphas[i], betas[j], gammas[k], &l,
                               &b, s);
                if (e < f.sse) {
                    f.sse = e;
                    f.alpha = alphas[i];
                    f.beta = betas[j];
                    f.gamma = gammas[k];
                }
            }
    run(y, n, period, f.alpha, f.beta, f.gamma, &l, &b, s);
    for (size_t h = 0; h < horizon; h++) {
        double v = l + (double)(h + 1) * b + s[(n + h) % period];
        out[h] = v > 0 ? v : 0;
    }
    if (fit)
        *fit = f;
}
