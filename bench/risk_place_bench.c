/*
 * risk_place_bench.c - what scoring adds to placing an order: the
 * features read from the store (services/risk_features.c) and one score.
 *
 *     bench_risk_place DB MODEL [ORDERS]
 *
 * For the last ORDERS orders of DB (default 2,000), computes each one's
 * features as of its placement and scores them, as hf_orders_place_txn
 * does, inside one read transaction, and prints the median and 99th
 * percentile of the features and of the score, each per order. (The
 * placement also writes the score with one UPDATE by primary key, not
 * timed here.)
 */
#include "services/risk_features.h"
#include "util/mem.h"

#include "timing.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct run {
    hf_risk_scorer *sc;
    hf_risk_cache *cache; /* the windows' cache, as serve has; NULL: none */
    size_t want;
    double *feat_us, *score_us;
    size_t n;
} run;

static hf_rc run_fn(hf_txn *t, void *arg, hf_err *err)
{
    run *r = arg;
    hf_arena *list = hf_arena_new(1 << 20), *a = hf_arena_new(1 << 16);
    int64_t *seqs = NULL;
    size_t n = 0;
    hf_rc rc = hf_txn_risk_orders(t, INT64_MAX, list, &seqs, &n, err);
    size_t from = n > r->want ? n - r->want : 0;
    for (size_t i = from; i < n && rc == HF_OK; i++) {
        hf_arena_reset(a);
        char number[32];
        snprintf(number, sizeof(number), "HF-%lld", (long long)seqs[i]);
        hf_order o;
        if ((rc = hf_txn_order_get(t, number, a, &o, err)) != HF_OK)
            break;
        hf_risk_row row;
        double score, t0 = now();
        rc = hf_risk_features(t, &o, false, r->cache, a, &row, err);
        double t1 = now();
        if (rc == HF_OK)
            rc = hf_risk_scorer_score(r->sc, &row, &score, err);
        double t2 = now();
        r->feat_us[r->n] = (t1 - t0) * 1e6;
        r->score_us[r->n++] = (t2 - t1) * 1e6;
    }
    hf_arena_free(a);
    hf_arena_free(list);
    return rc;
}

static void report(const char *what, double *v, size_t n)
{
    qsort(v, n, sizeof(*v), by_double);
    printf("%-36s median %8.1f us   p99 %8.1f us   (%zu orders)\n", what,
           v[n / 2], v[n * 99 / 100], n);
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: bench_risk_place DB MODEL [ORDERS]\n");
        return 2;
    }
    hf_err err;
    hf_err_clear(&err);
    run r = {0};
    r.want = argc > 3 ? (size_t)atol(argv[3]) : 2000;
    r.feat_us = calloc(r.want + 1, sizeof(double));
    r.score_us = calloc(r.want + 1, sizeof(double));
    hf_store *s = NULL;
    if (hf_store_open(argv[1], &s, &err) != HF_OK ||
        hf_risk_scorer_load(argv[2], &r.sc, &err) != HF_OK ||
        (r.cache = hf_risk_cache_new()) == NULL) {
        fprintf(stderr, "bench_risk_place: %s\n",
                r.sc ? "out of memory" : err.message);
        return 1;
    }
    /* a pass to warm the store's pages, then without the windows' cache,
     * then with it as serve has it (each day's SKU and lane windows read
     * once) */
    hf_risk_cache *cache = r.cache;
    for (int pass = 0; pass < 3; pass++) {
        r.n = 0;
        r.cache = pass == 2 ? cache : NULL;
        if (hf_store_read(s, run_fn, &r, &err) != HF_OK) {
            fprintf(stderr, "bench_risk_place: %s\n", err.message);
            return 1;
        }
        if (pass == 1 && r.n > 0)
            report("features without the windows' cache", r.feat_us, r.n);
    }
    if (r.n > 0) {
        report("features", r.feat_us, r.n);
        report("score", r.score_us, r.n);
    }
    hf_risk_cache_free(r.cache);
    hf_risk_scorer_free(r.sc);
    hf_store_close(s);
    free(r.feat_us);
    free(r.score_us);
    return 0;
}
