/*
 * risk_bench.c - how fast the cancellation-risk model scores, on one core.
 *
 *     bench_risk MODEL CSV [REPEATS]
 *
 * Loads MODEL with nthread 1, encodes every row of CSV once, then
 * (1) batch: scores all rows in one call, REPEATS times (default 5), and
 * prints scores per second of each run and their median;
 * (2) single: scores the rows one call each (up to 20,000 of them, three
 * passes) and prints the median and 99th percentile latency of one call.
 * Encoding is timed apart: it is what turning one order's fields into
 * features costs.
 */
#include "risk/model.h"
#include "util/mem.h"

#include "timing.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: bench_risk MODEL CSV [REPEATS]\n");
        return 2;
    }
    int repeats = argc > 3 ? atoi(argv[3]) : 5;
    if (repeats < 1)
        repeats = 1;
    hf_err err;
    hf_risk_model *m = NULL;
    hf_risk_table *t = NULL;
    if (hf_risk_model_load(argv[1], 1, &m, &err) != HF_OK ||
        hf_risk_table_load(argv[2], &t, &err) != HF_OK) {
        fprintf(stderr, "bench_risk: %s\n", err.message);
        return 1;
    }
    const hf_risk_encoding *e = hf_risk_model_encoding(m);
    size_t rows = hf_risk_table_rows(t), nf = hf_risk_encoding_features(e);
    float *x = NULL;
    double t0 = now();
    if (hf_risk_encoding_matrix(e, t, &x, &err) != HF_OK) {
        fprintf(stderr, "bench_risk: %s\n", err.message);
        return 1;
    }
    double enc = now() - t0;
    float *out = hf_malloc(rows * sizeof(*out));
    printf("rows %zu, features %zu; encoding %.0f ns/row\n", rows, nf,
           enc / (double)rows * 1e9);
    hf_risk_model_predict(m, x, rows, out, &err); /* warm up */
    double *rate = malloc((size_t)repeats * sizeof(*rate));
    for (int r = 0; r < repeats; r++) {
        t0 = now();
        if (hf_risk_model_predict(m, x, rows, out, &err) != HF_OK) {
            fprintf(stderr, "bench_risk: %s\n", err.message);
            return 1;
        }
        rate[r] = (double)rows / (now() - t0);
        printf("batch run %d: %.0f scores/s\n", r + 1, rate[r]);
    }
    qsort(rate, (size_t)repeats, sizeof(*rate), by_double);
    printf("batch median: %.0f scores/s (one core)\n", rate[repeats / 2]);
    size_t single = rows < 20000 ? rows : 20000, n = 3 * single;
    double *lat = malloc(n * sizeof(*lat));
    for (size_t i = 0; i < n; i++) {
        const float *row = x + (i % single) * nf;
        t0 = now();
        hf_risk_model_predict(m, row, 1, out, &err);
        lat[i] = now() - t0;
    }
    qsort(lat, n, sizeof(*lat), by_double);
    printf("single score: p50 %.1f us, p99 %.1f us (%zu calls)\n",
           lat[n / 2] * 1e6, lat[n * 99 / 100] * 1e6, n);
    free(lat);
    free(rate);
    hf_free(out);
    hf_free(x);
    hf_risk_table_free(t);
    hf_risk_model_free(m);
    return 0;
}
