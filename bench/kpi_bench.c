/*
 * kpi_bench.c - what the KPI aggregates cost: answering from them, and
 * keeping them at placement (docs/benchmarks.md, "Keeping the KPI
 * aggregates").
 *
 *     bench_kpi query DB [RUNS]
 *         The KPI report, in process, over the store DB (a demo, say):
 *         RUNS times (default 200) each of the default 30 days, the 30
 *         days by product, and the last 90 days by day. Prints p50 and
 *         p99 per query, and the counters in kpi_daily.
 *     bench_kpi synth DB [DAYS] [PRODUCTS]
 *         Fills an empty store DB with the daily counters of a shop of 10
 *         million orders over DAYS (default 90) days and PRODUCTS (default
 *         2,000) SKUs: every SKU sells every day (about 55 orders) and
 *         has cancellation requests every day, so every (day, slice
 *         value, metric) counter exists - the most kpi_daily can hold
 *         for that shop, whatever its orders. Then run "query" on it.
 *     bench_kpi ingest [ORDERS]
 *         In a fresh SQLite store in /tmp: places ORDERS orders (default
 *         20,000; 10 products, 1,000 customers, one line each) through
 *         hf_orders_place_txn, which keeps the aggregates, and then adds
 *         the aggregates of ORDERS more placements alone (the placed event
 *         of a stored order under a fresh id: the main line's category,
 *         the kpi_order_dims row and the five-row upsert), in the same
 *         batches. Prints microseconds per order for each and the share
 *         the aggregates take of a placement. Batches of 100 per write
 *         (the CPU cost, no fsync in the way), then of 1 (each its own
 *         durable commit, as a lone client's order is).
 */
#include "services/analytics.h"
#include "services/catalog.h"
#include "services/orders.h"
#include "util/id.h"
#include "util/mem.h"

#include "timing.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static double pct(double *v, size_t n, double p)
{
    qsort(v, n, sizeof(*v), by_double);
    size_t i = (size_t)(p * (double)(n - 1) + 0.5);
    return v[i < n ? i : n - 1];
}

/* --- query ---------------------------------------------------------------- */

typedef struct query_run {
    hf_kpi_query q;
    hf_arena *a;
    const char *out;
} query_run;

static hf_rc query_fn(hf_txn *t, void *arg, hf_err *err)
{
    query_run *r = arg;
    hf_kpi_targets tg;
    hf_kpi_targets_load(NULL, &tg, err);
    return hf_analytics_kpis_txn(t, &tg, &r->q, HF_KPI_JSON, r->a, &r->out,
                                 err);
}

typedef struct count_run {
    hf_arena *a;
    size_t rows;
} count_run;

static hf_rc count_fn(hf_txn *t, void *arg, hf_err *err)
{
    count_run *c = arg;
    hf_kpi_row *rows;
    return hf_txn_kpi_all(t, c->a, &rows, &c->rows, err);
}

static int query(const char *db, int runs)
{
    hf_store *s;
    hf_err err;
    hf_err_clear(&err);
    if (hf_store_open(db, &s, &err) != HF_OK) {
        fprintf(stderr, "bench_kpi: %s\n", err.message);
        return 1;
    }
    count_run c = {hf_arena_new((size_t)4 << 30), 0};
    if (hf_store_read(s, count_fn, &c, &err) != HF_OK)
        fprintf(stderr, "bench_kpi: counting: %s\n", err.message);
    hf_arena_free(c.a);
    printf("kpi_daily: %zu counters\n", c.rows);
    /* the store's last day with counters stands for "today" */
    hf_time today = hf_clock_now(hf_clock_system());
    int64_t day = hf_analytics_day(today);
    static const struct {
        const char *name, *by;
        int days;
    } queries[] = {
        {"30 days", NULL, 30},
        {"30 days by product", "product", 30},
        {"90 days by day", "day", 90},
    };
    double *us = hf_calloc((size_t)runs, sizeof(*us));
    for (size_t k = 0; k < sizeof(queries) / sizeof(queries[0]); k++) {
        size_t bytes = 0;
        for (int i = 0; i < runs; i++) {
            query_run r = {
                {day - queries[k].days + 1, day, queries[k].by, today},
                hf_arena_new(0),
                NULL};
            double t0 = now();
            hf_rc rc = hf_store_read(s, query_fn, &r, &err);
            us[i] = (now() - t0) * 1e6;
            if (rc != HF_OK) {
                fprintf(stderr, "bench_kpi: %s\n", err.message);
                return 1;
            }
            bytes = strlen(r.out);
            hf_arena_free(r.a);
        }
        printf("%-20s p50 %8.0f us  p99 %8.0f us  (%zu bytes)\n",
               queries[k].name, pct(us, (size_t)runs, 0.5),
               pct(us, (size_t)runs, 0.99), bytes);
    }
    hf_free(us);
    hf_store_close(s);
    return 0;
}

/* --- ingest --------------------------------------------------------------- */

typedef struct shop {
    hf_services svc;
    hf_arena *a;
    int next, batch, orders;
    bool read_only; /* aggregates_fn reads the order, nothing more */
    char (*ids)[HF_ID_MAX];
} shop;

static hf_rc setup_fn(hf_txn *t, void *arg, hf_err *err)
{
    shop *s = arg;
    for (int i = 0; i < 10; i++) {
        char sku[16];
        snprintf(sku, sizeof(sku), "KB-%d", i);
        hf_product p = {sku,  sku,   1000 + 100 * i,
                        400,  "USD", i % 2 ? "home" : "apparel",
                        NULL, true,  0};
        hf_inventory inv;
        hf_rc rc = hf_catalog_product_create(t, &s->svc, &p, err);
        if (rc == HF_OK)
            rc = hf_catalog_inventory_adjust(t, &s->svc, sku, "main", 100000000,
                                             "received", "bench", s->a, &inv,
                                             err);
        if (rc != HF_OK)
            return rc;
    }
    return HF_OK;
}

static hf_rc place_fn(hf_txn *t, void *arg, hf_err *err)
{
    shop *s = arg;
    for (int b = 0; b < s->batch && s->next < s->orders; b++, s->next++) {
        hf_arena_reset(s->a);
        char sku[16];
        snprintf(sku, sizeof(sku), "KB-%d", s->next % 10);
        hf_line_request line = {sku, 1};
        hf_place_request req;
        memset(&req, 0, sizeof(req));
        req.customer.email =
            hf_arena_printf(s->a, "kb%d@example.com", s->next % 1000);
        req.customer.name = "Kay Bench";
        req.lines = &line;
        req.n_lines = 1;
        req.shipping_address =
            (hf_address){"Kay Bench", "1 Main St", NULL, "Springfield",
                         "IL",        "62701",     "US", NULL};
        req.payment.method = "card";
        req.payment.gateway = "manual";
        req.actor = "bench";
        hf_order_result out;
        hf_rc rc = hf_orders_place_txn(t, &s->svc, &req, s->a, &out, err);
        if (rc != HF_OK)
            return rc;
        snprintf(s->ids[s->next], HF_ID_MAX, "%s", out.order.id);
    }
    return HF_OK;
}

/* The aggregates of a placement alone: a stored order's placed event
 * under a fresh id, so its slices are computed and kept anew; with
 * s->read_only, the reading of the order alone, to take off. */
static hf_rc aggregates_fn(hf_txn *t, void *arg, hf_err *err)
{
    shop *s = arg;
    for (int b = 0; b < s->batch && s->next < s->orders; b++, s->next++) {
        hf_arena_reset(s->a);
        hf_order o;
        hf_rc rc = hf_txn_order_get(t, s->ids[s->next], s->a, &o, err);
        if (rc != HF_OK || s->read_only)
            return rc;
        o.id = hf_arena_printf(s->a, "bench_%d_%d", s->batch, s->next);
        rc = hf_analytics_order_event(t, &o, &o.events[0], s->a, err);
        if (rc != HF_OK)
            return rc;
    }
    return HF_OK;
}

/* Runs fn over every order in batches; microseconds per order. */
static double timed(shop *s, hf_rc (*fn)(hf_txn *, void *, hf_err *), int batch)
{
    hf_err err;
    hf_err_clear(&err);
    s->next = 0;
    s->batch = batch;
    double t0 = now();
    while (s->next < s->orders)
        if (hf_store_write(s->svc.store, fn, s, &err) != HF_OK) {
            fprintf(stderr, "bench_kpi: %s\n", err.message);
            exit(1);
        }
    return (now() - t0) * 1e6 / s->orders;
}

static int ingest(int orders)
{
    char dir[] = "/tmp/hf-kpi-bench-XXXXXX", path[64];
    if (mkdtemp(dir) == NULL)
        return 1;
    snprintf(path, sizeof(path), "%s/b.db", dir);
    shop s;
    memset(&s, 0, sizeof(s));
    hf_err err;
    hf_err_clear(&err);
    s.svc.clock = hf_clock_system();
    s.svc.last_cancellable = HF_STATUS_PACKED;
    s.a = hf_arena_new(0);
    s.orders = orders;
    s.ids = hf_calloc((size_t)orders, sizeof(*s.ids));
    if (hf_store_open(path, &s.svc.store, &err) != HF_OK ||
        hf_store_migrate(s.svc.store, &err) != HF_OK ||
        hf_store_write(s.svc.store, setup_fn, &s, &err) != HF_OK) {
        fprintf(stderr, "bench_kpi: %s\n", err.message);
        return 1;
    }
    static const int batches[] = {100, 1};
    for (size_t k = 0; k < 2; k++) {
        int batch = batches[k];
        int n = batch == 1 ? (orders < 2000 ? orders : 2000) : orders;
        s.orders = n;
        if (k > 0) /* new orders for the durable round */
            s.ids = hf_realloc(s.ids, (size_t)n * sizeof(*s.ids));
        double place = timed(&s, place_fn, batch);
        s.read_only = true;
        double read = timed(&s, aggregates_fn, batch);
        s.read_only = false;
        double both = timed(&s, aggregates_fn, batch);
        double agg = both - read;
        printf("batches of %3d: placement %7.1f us/order; its aggregates "
               "%5.1f us (%4.1f%%)  [read %5.1f, read + aggregates %5.1f]\n",
               batch, place, agg, 100 * agg / place, read, both);
    }
    hf_store_close(s.svc.store);
    hf_arena_free(s.a);
    hf_free(s.ids);
    static const char *const suffixes[] = {"", "-wal", "-shm"};
    for (size_t i = 0; i < 3; i++) {
        char f[96];
        snprintf(f, sizeof(f), "%s%s", path, suffixes[i]);
        unlink(f);
    }
    rmdir(dir);
    return 0;
}

/* --- synth ---------------------------------------------------------------- */

typedef struct synth_day {
    int day, products, days;
} synth_day;

static hf_rc synth_fn(hf_txn *t, void *arg, hf_err *err)
{
    synth_day *d = arg;
    static const char *const dims[] = {"all",           "channel", "region",
                                       "category",      "product", "reason",
                                       "policy_version"};
    static const char *const channels[] = {"web", "phone", "marketplace",
                                           "pos"};
    static const char *const categories[] = {
        "apparel", "home", "electronics", "beauty", "outdoors", "footwear"};
    static const char *const reasons[] = {"shipping_delay",
                                          "changed_mind",
                                          "found_better_price",
                                          "ordered_by_mistake",
                                          "inaccurate_product_info",
                                          "poor_customer_service",
                                          "other",
                                          "unknown"};
    static const struct {
        const char *metric;
        int n;
        bool request; /* under the seven dimensions */
    } metrics[] = {
        {"placed", 55, false},
        {"shipped", 54, false},
        {"fulfillment_s", 5400000, false},
        {"delivered", 53, false},
        {"on_time", 51, false},
        {"delivery_n", 53, false},
        {"delivery_s", 15000000, false},
        {"cancelled", 1, false},
        {"reason:shipping_delay", 1, false},
        {"surveys", 1, false},
        {"csat_sum", 4, false},
        {"recommend_yes", 1, false},
        {"requests", 2, true},
        {"offers_made", 2, true},
        {"outcome:retained", 1, true},
        {"outcome:cancelled", 1, true},
        {"resolved", 2, true},
        {"resolution_s", 14000, true},
        {"resolution_bucket:02", 2, true},
        {"resolved.request", 2, true},
        {"resolution_s.request", 14000, true},
        {"resolution_bucket.request:02", 2, true},
        {"offer_accepted:discount", 1, true},
        {"revenue_kept:USD", 4500, true},
        {"discounts_given:USD", 450, true},
        {"requests_lost", 1, true},
    };
    for (int p = 0; p < d->products; p++) {
        char region[16], product[16];
        snprintf(region, sizeof(region), "US-R%02d", p % 50);
        snprintf(product, sizeof(product), "SKU-%05d", p);
        const char *v[7] = {"",
                            channels[p % 4],
                            region,
                            categories[p % 6],
                            product,
                            reasons[p % 8],
                            p % 3 ? "pv_a" : "pv_b"};
        for (size_t m = 0; m < sizeof(metrics) / sizeof(metrics[0]); m++) {
            hf_rc rc =
                hf_txn_kpi_add(t, d->day, metrics[m].request ? 7 : 5, dims, v,
                               metrics[m].metric, metrics[m].n, err);
            if (rc != HF_OK)
                return rc;
        }
    }
    return HF_OK;
}

static int synth(const char *db, int days, int products)
{
    hf_store *s;
    hf_err err;
    hf_err_clear(&err);
    if (hf_store_open(db, &s, &err) != HF_OK ||
        hf_store_migrate(s, &err) != HF_OK) {
        fprintf(stderr, "bench_kpi: %s\n", err.message);
        return 1;
    }
    int64_t today = hf_analytics_day(hf_clock_now(hf_clock_system()));
    double t0 = now();
    for (int i = 0; i < days; i++) {
        synth_day d = {(int)(today - days + 1 + i), products, days};
        if (hf_store_write(s, synth_fn, &d, &err) != HF_OK) {
            fprintf(stderr, "bench_kpi: %s\n", err.message);
            return 1;
        }
    }
    printf("%d days x %d SKUs of counters in %.0f s\n", days, products,
           now() - t0);
    hf_store_close(s);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc >= 3 && strcmp(argv[1], "synth") == 0)
        return synth(argv[2], argc > 3 ? atoi(argv[3]) : 90,
                     argc > 4 ? atoi(argv[4]) : 2000);
    if (argc >= 3 && strcmp(argv[1], "query") == 0)
        return query(argv[2], argc > 3 ? atoi(argv[3]) : 200);
    if (argc >= 2 && strcmp(argv[1], "ingest") == 0)
        return ingest(argc > 2 ? atoi(argv[2]) : 20000);
    fprintf(stderr, "usage: bench_kpi query DB [RUNS] | synth DB [DAYS] "
                    "[PRODUCTS] | ingest [ORDERS]\n");
    return 2;
}
