/*
 * analytics_drivers.c - what drives cancellations (analytics.h,
 * hf_analytics_drivers_txn): the products, categories and regions that
 * cancel above the norm, and how the daily cancellation rate moves with
 * the time customer service takes and with shipping delays. Read from the
 * daily aggregates, like the KPIs.
 *
 * Above the norm: each value's cancellations against the rate of the rest
 * of the shop, by the exact one-sided binomial test (P(X >= cancelled)
 * for X ~ Binomial(orders, the rest's rate)): exact because a product's
 * expected cancellations are often below one, where a z-test's normal
 * approximation calls three cancellations of 32 orders a driver. Holm's
 * step-down correction over the values of one dimension keeps a few high
 * rates among 200 products from being reported by chance. Values with
 * fewer than MIN_ORDERS placements are left out.
 *
 * Correlations: Pearson's r over the days of the range that have both
 * figures, with a two-sided p-value from Fisher's z transformation
 * (atanh(r) * sqrt(n - 3) is about standard normal when there is no
 * correlation; good from about 10 days).
 */
#include "services/analytics.h"
#include "core/stats.h"
#include "util/jsonw.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

enum { MIN_ORDERS = 20, MAX_SHOWN = 50 };

/* One value of a dimension: its placements and cancellations. */
typedef struct driver {
    const char *value;
    int64_t placed, cancelled;
    double p, p_adjusted;
} driver;

/* The values seen so far; grows by doubling. */
typedef struct drivers {
    driver *items;
    size_t n, cap;
} drivers;

static driver *find(drivers *g, const char *value, hf_arena *a)
{
    /* the sums come sorted by value: the last one is the likely one */
    if (g->n > 0 && strcmp(g->items[g->n - 1].value, value) == 0)
        return &g->items[g->n - 1];
    for (size_t i = 0; i < g->n; i++)
        if (strcmp(g->items[i].value, value) == 0)
            return &g->items[i];
    if (g->n == g->cap) {
        size_t cap = g->cap ? 2 * g->cap : 64;
        driver *grown = hf_arena_alloc(a, cap * sizeof(*grown));
        if (grown == NULL)
            return NULL;
        if (g->n)
            memcpy(grown, g->items, g->n * sizeof(*grown));
        g->items = grown;
        g->cap = cap;
    }
    g->items[g->n] = (driver){value, 0, 0, 1, 1};
    return &g->items[g->n++];
}

static int by_p(const void *pa, const void *pb)
{
    const driver *a = pa, *b = pb;
    return (a->p > b->p) - (a->p < b->p);
}

/* The values of dim, tested against the rest; writes "dim": [...]. */
static hf_rc dimension(hf_txn *t, hf_jsonw *w, const char *key, const char *dim,
                       const hf_kpi_query *q, int64_t placed, int64_t cancelled,
                       hf_arena *a, hf_err *err)
{
    hf_kpi_sum *s;
    size_t n_sums;
    drivers g = {0};
    hf_rc rc =
        hf_txn_kpi_sum(t, dim, q->from_day, q->to_day, a, &s, &n_sums, err);
    if (rc != HF_OK)
        return rc;
    for (size_t i = 0; i < n_sums; i++) {
        bool pl = strcmp(s[i].metric, "placed") == 0;
        if (!pl && strcmp(s[i].metric, "cancelled") != 0)
            continue;
        driver *x = find(&g, s[i].value, a);
        if (x == NULL)
            return hf_fail(err, HF_ENOMEM, NULL, NULL, "out of memory");
        *(pl ? &x->placed : &x->cancelled) += s[i].n;
    }
    /* test the values with enough orders; one-sided: above the rest */
    driver *d = g.items;
    size_t n = g.n, m = 0;
    for (size_t i = 0; i < n; i++) {
        if (d[i].placed < MIN_ORDERS || d[i].placed >= placed)
            continue;
        double rest = (double)(cancelled - d[i].cancelled) /
                      (double)(placed - d[i].placed);
        d[i].p = hf_stats_binomial_upper(d[i].cancelled, d[i].placed, rest);
        d[m++] = d[i];
    }
    qsort(d, m, sizeof(*d), by_p);
    /* Holm: the k-th smallest p times (m - k), kept monotone */
    double running = 0;
    for (size_t k = 0; k < m; k++) {
        double adj = d[k].p * (double)(m - k);
        running = adj > running ? adj : running;
        d[k].p_adjusted = running > 1 ? 1 : running;
    }
    double norm = placed > 0 ? (double)cancelled / (double)placed : NAN;
    hf_jw_key(w, key);
    hf_jw_array(w);
    for (size_t k = 0, shown = 0; k < m && shown < MAX_SHOWN; k++) {
        double rate = (double)d[k].cancelled / (double)d[k].placed;
        if (!(rate > norm))
            continue;
        shown++;
        hf_jw_object(w);
        hf_jw_key(w, "value");
        hf_jw_str(w, d[k].value);
        hf_jw_key(w, "orders");
        hf_jw_int(w, d[k].placed);
        hf_jw_key(w, "cancelled");
        hf_jw_int(w, d[k].cancelled);
        hf_jw_key(w, "rate");
        hf_jw_double(w, rate);
        hf_jw_key(w, "expected");
        hf_jw_double(w, norm * (double)d[k].placed);
        hf_jw_key(w, "p_value");
        hf_jw_double(w, d[k].p);
        hf_jw_key(w, "p_adjusted");
        hf_jw_double(w, d[k].p_adjusted);
        hf_jw_key(w, "significant");
        hf_jw_bool(w, d[k].p_adjusted < 0.05);
        hf_jw_object_end(w);
    }
    hf_jw_array_end(w);
    return HF_OK;
}

/* A day's figures. */
typedef struct day_row {
    int64_t day;
    int64_t placed, cancelled, resolved, resolution_s, shipped, fulfillment_s,
        delivered, on_time;
} day_row;

static void correlation(hf_jsonw *w, const char *key, const char *with,
                        const double *x, const double *y, int64_t n)
{
    double r = hf_stats_pearson(x, y, n);
    double p = NAN;
    if (!isnan(r) && n > 3) {
        double rr = fabs(r) >= 1 ? (r > 0 ? 0.999999 : -0.999999) : r;
        p = 2 * hf_stats_normal_upper(fabs(atanh(rr)) * sqrt((double)n - 3));
    }
    hf_jw_key(w, key);
    hf_jw_object(w);
    hf_jw_key(w, "with");
    hf_jw_str(w, with);
    hf_jw_key(w, "r");
    hf_jw_double(w, r);
    hf_jw_key(w, "days");
    hf_jw_int(w, n);
    hf_jw_key(w, "p_value");
    hf_jw_double(w, p);
    hf_jw_object_end(w);
}

/* The daily series and their correlations. */
static hf_rc correlations(hf_txn *t, hf_jsonw *w, const hf_kpi_query *q,
                          hf_arena *a, hf_err *err)
{
    hf_kpi_sum *s;
    size_t n;
    hf_rc rc = hf_txn_kpi_sum_by_day(t, q->from_day, q->to_day, a, &s, &n, err);
    if (rc != HF_OK)
        return rc;
    int64_t days = q->to_day - q->from_day + 1;
    day_row *rows = hf_arena_zalloc(a, (size_t)days * sizeof(*rows));
    double *x = hf_arena_alloc(a, (size_t)days * sizeof(*x) * 6);
    if (rows == NULL || x == NULL)
        return hf_fail(err, HF_ENOMEM, NULL, NULL, "out of memory");
    static const struct {
        const char *metric;
        size_t offset;
    } keep[] = {
        {"placed", offsetof(day_row, placed)},
        {"cancelled", offsetof(day_row, cancelled)},
        {"resolved", offsetof(day_row, resolved)},
        {"resolution_s", offsetof(day_row, resolution_s)},
        {"shipped", offsetof(day_row, shipped)},
        {"fulfillment_s", offsetof(day_row, fulfillment_s)},
        {"delivered", offsetof(day_row, delivered)},
        {"on_time", offsetof(day_row, on_time)},
    };
    for (size_t i = 0; i < n; i++) {
        int64_t d = atoll(s[i].value) - q->from_day;
        for (size_t k = 0; d >= 0 && d < days && k < HF_ARRAY_LEN(keep); k++)
            if (strcmp(s[i].metric, keep[k].metric) == 0)
                *(int64_t *)((char *)&rows[d] + keep[k].offset) += s[i].n;
    }
    /* three pairs of series, each over the days that have both */
    double *rate1 = x, *resp = x + days, *rate2 = x + 2 * days,
           *ship = x + 3 * days, *rate3 = x + 4 * days, *late = x + 5 * days;
    int64_t n1 = 0, n2 = 0, n3 = 0;
    for (int64_t d = 0; d < days; d++) {
        const day_row *r = &rows[d];
        if (r->placed == 0)
            continue;
        double rate = (double)r->cancelled / (double)r->placed;
        if (r->resolved > 0) {
            rate1[n1] = rate;
            resp[n1++] = (double)r->resolution_s / (double)r->resolved / 3600;
        }
        if (r->shipped > 0) {
            rate2[n2] = rate;
            ship[n2++] = (double)r->fulfillment_s / (double)r->shipped / 3600;
        }
        if (r->delivered > 0) {
            rate3[n3] = rate;
            late[n3++] = 1 - (double)r->on_time / (double)r->delivered;
        }
    }
    hf_jw_key(w, "correlations");
    hf_jw_object(w);
    correlation(w, "response_time", "cancellation_resolution_hours", rate1,
                resp, n1);
    correlation(w, "fulfillment_delay", "fulfillment_hours", rate2, ship, n2);
    correlation(w, "late_delivery", "late_delivery_share", rate3, late, n3);
    hf_jw_object_end(w);
    return HF_OK;
}

hf_rc hf_analytics_drivers_txn(hf_txn *t, const hf_kpi_query *q, hf_arena *a,
                               const char **json, hf_err *err)
{
    if (q->to_day < q->from_day)
        return hf_fail(err, HF_EINVAL, "invalid", "to",
                       "to must not be before from");
    hf_kpi_sum *s;
    size_t n;
    hf_rc rc = hf_txn_kpi_sum(t, "all", q->from_day, q->to_day, a, &s, &n, err);
    if (rc != HF_OK)
        return rc;
    int64_t placed = 0, cancelled = 0;
    for (size_t i = 0; i < n; i++) {
        if (strcmp(s[i].metric, "placed") == 0)
            placed += s[i].n;
        else if (strcmp(s[i].metric, "cancelled") == 0)
            cancelled += s[i].n;
    }
    hf_jsonw w;
    hf_jw_init(&w, a);
    hf_jw_object(&w);
    hf_jw_key(&w, "orders");
    hf_jw_int(&w, placed);
    hf_jw_key(&w, "cancelled");
    hf_jw_int(&w, cancelled);
    hf_jw_key(&w, "rate");
    hf_jw_double(&w, placed ? (double)cancelled / (double)placed : NAN);
    static const char *const dims[][2] = {{"products", "product"},
                                          {"categories", "category"},
                                          {"regions", "region"}};
    for (size_t i = 0; i < 3 && rc == HF_OK; i++)
        rc = dimension(t, &w, dims[i][0], dims[i][1], q, placed, cancelled, a,
                       err);
    if (rc == HF_OK)
        rc = correlations(t, &w, q, a, err);
    if (rc != HF_OK)
        return rc;
    hf_jw_object_end(&w);
    *json = hf_jw_finish(&w);
    return *json ? HF_OK : hf_fail(err, HF_ENOMEM, NULL, NULL, "out of memory");
}
