/*
 * risk_bench.c - how fast the cancellation-risk model scores, on one core.
 *
 *     bench_risk MODEL CSV [REPEATS]
 *
 * Loads MODEL with nthread 1, encodes every row of CSV once, then
 * (1) batch: scores all rows in one call, REPEATS times (default 5), and
 * prints scores per second of each run and their median, by the wall
 * clock and per second of the thread's CPU time (the figure that holds
 * on a machine other jobs share);
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

/* CPU time this thread has run: on a shared machine, the time the
 * scoring itself took, without the waits while other jobs ran. */
static double cpu_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

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
    double *rate = malloc(2 * (size_t)repeats * sizeof(*rate));
    double *cpu_rate = rate + repeats;
    for (int r = 0; r < repeats; r++) {
        t0 = now();
        double c0 = cpu_now();
        if (hf_risk_model_predict(m, x, rows, out, &err) != HF_OK) {
            fprintf(stderr, "bench_risk: %s\n", err.message);
            return 1;
        }
        cpu_rate[r] = (double)rows / (cpu_now() - c0);
        rate[r] = (double)rows / (now() - t0);
        printf("batch run %d: %.0f scores/s (%.0f per CPU second)\n", r + 1,
               rate[r], cpu_rate[r]);
    }
    qsort(rate, (size_t)repeats, sizeof(*rate), by_double);
    qsort(cpu_rate, (size_t)repeats, sizeof(*rate), by_double);
    printf("batch median: %.0f scores/s (one core), %.0f per CPU second\n",
           rate[repeats / 2], cpu_rate[repeats / 2]);
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
