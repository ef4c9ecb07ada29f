/*
 * analytics.c - daily aggregates kept in the event's transaction, and the
 * KPIs summed from them (analytics.h; definitions in docs/analytics.md).
 *
 * kpi_daily is narrow (one row per day, dimension, value and metric)
 * rather than one wide row of counters: an event adds only to the metrics
 * it moves, the reasons and the histogram buckets need no schema change,
 * and a KPI is one grouped sum over an index range.
 */
#include "services/analytics.h"
#include "services/risk_outcomes.h"
#include "util/jsonw.h"

#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum { N_DIMS = 4, SAVE_WINDOW_DAYS = 30 };

/* The dimensions every counter is kept under; "all" has the value "". */
static const char *const dims[N_DIMS] = {"all", "channel", "region",
                                         "category"};

/* Upper bounds (hours) of the resolution-time histogram buckets; the last
 * bucket is open. */
static const int bucket_hours[] = {1, 2, 4, 8, 12, 24, 36, 48, 72, 168};
enum { N_BUCKETS = sizeof(bucket_hours) / sizeof(bucket_hours[0]) + 1 };

int64_t hf_analytics_day(hf_time t)
{
    return t >= 0 ? t / HF_DAY : -((-t + HF_DAY - 1) / HF_DAY);
}

/* The values of o under each dimension. */
static hf_rc dim_values(hf_txn *t, const hf_order *o, hf_arena *a,
                        const char *out[N_DIMS], hf_err *err)
{
    out[0] = "";
    out[1] = o->channel && *o->channel ? o->channel : "unknown";
    const hf_address *ad = &o->shipping_address;
    if (ad->country && ad->region && *ad->region)
        out[2] = hf_arena_printf(a, "%s-%s", ad->country, ad->region);
    else
        out[2] = ad->country && *ad->country ? ad->country : "unknown";
    /* the main line: the most money, the first on a tie */
    const hf_order_line *main = NULL;
    for (size_t i = 0; i < o->n_lines; i++)
        if (main == NULL || o->lines[i].unit_price * o->lines[i].qty >
                                main->unit_price * main->qty)
            main = &o->lines[i];
    out[3] = "none";
    if (main != NULL) {
        hf_product p;
        hf_rc rc = hf_txn_product_get(t, main->sku, a, &p, err);
        if (rc == HF_OK && p.category && *p.category)
            out[3] = p.category;
        else if (rc != HF_OK && rc != HF_ENOTFOUND)
            return rc;
    }
    if (out[2] == NULL)
        return hf_fail(err, HF_ENOMEM, NULL, NULL, "out of memory");
    return HF_OK;
}

/* Adds n to metric on day under every dimension of o. */
static hf_rc add(hf_txn *t, const char *const v[N_DIMS], int64_t day,
                 const char *metric, int64_t n, hf_err *err)
{
    _Static_assert(N_DIMS == 4, "one statement adds the four dimensions");
    return hf_txn_kpi_add4(t, day, dims, v, metric, n, err);
}

/* The requests of o decided by its cancellation at `at`: each begun in
 * the 30 days before is lost, counted on the day it was made. */
static hf_rc requests_lost(hf_txn *t, const hf_order *o,
                           const char *const v[N_DIMS], hf_time at, hf_arena *a,
                           hf_err *err)
{
    hf_time *begun;
    size_t n;
    hf_rc rc = hf_txn_kpi_requests_of_order(
        t, o->id, at - SAVE_WINDOW_DAYS * HF_DAY, at, a, &begun, &n, err);
    for (size_t i = 0; i < n && rc == HF_OK; i++)
        rc = add(t, v, hf_analytics_day(begun[i]), "requests_lost", 1, err);
    return rc;
}

hf_rc hf_analytics_order_event(hf_txn *t, const hf_order *o,
                               const hf_order_event *e, hf_arena *a,
                               hf_err *err)
{
    bool placed = strcmp(e->type, "placed") == 0;
    bool cancelled = strcmp(e->type, "cancelled") == 0;
    bool moved = strcmp(e->type, "status_changed") == 0;
    bool shipped = moved && e->to == HF_STATUS_SHIPPED;
    bool delivered = moved && e->to == HF_STATUS_DELIVERED;
    if (!placed && !cancelled && !shipped && !delivered)
        return HF_OK;
    const char *v[N_DIMS];
    hf_rc rc = dim_values(t, o, a, v, err);
    if (rc != HF_OK)
        return rc;
    int64_t day = hf_analytics_day(e->at);
    if (placed)
        return add(t, v, day, "placed", 1, err);
    if (cancelled) {
        const char *reason = hf_arena_printf(
            a, "reason:%s", e->reason && *e->reason ? e->reason : "other");
        if (reason == NULL)
            return hf_fail(err, HF_ENOMEM, NULL, NULL, "out of memory");
        if ((rc = add(t, v, day, "cancelled", 1, err)) == HF_OK &&
            (rc = add(t, v, day, reason, 1, err)) == HF_OK)
            rc = requests_lost(t, o, v, e->at, a, err);
        return rc;
    }
    if (shipped) {
        int64_t secs = (e->at - o->placed_at) / HF_SECOND;
        if ((rc = add(t, v, day, "shipped", 1, err)) == HF_OK)
            rc = add(t, v, day, "fulfillment_s", secs < 0 ? 0 : secs, err);
        return rc;
    }
    if ((rc = add(t, v, day, "delivered", 1, err)) == HF_OK &&
        e->at <= o->promised_by)
        rc = add(t, v, day, "on_time", 1, err);
    return rc;
}

hf_rc hf_analytics_request(hf_txn *t, const hf_order *o, hf_time at,
                           hf_arena *a, hf_err *err)
{
    const char *v[N_DIMS];
    hf_rc rc = dim_values(t, o, a, v, err);
    return rc == HF_OK ? add(t, v, hf_analytics_day(at), "requests", 1, err)
                       : rc;
}

static hf_rc resolved(hf_txn *t, const char *const v[N_DIMS],
                      hf_time requested_at, hf_time at, hf_arena *a,
                      hf_err *err)
{
    int64_t secs = (at - requested_at) / HF_SECOND;
    if (secs < 0)
        secs = 0;
    int b = 0;
    while (b < N_BUCKETS - 1 && secs > (int64_t)bucket_hours[b] * 3600)
        b++;
    const char *bucket = hf_arena_printf(a, "resolution_bucket:%02d", b);
    if (bucket == NULL)
        return hf_fail(err, HF_ENOMEM, NULL, NULL, "out of memory");
    int64_t day = hf_analytics_day(at);
    hf_rc rc = add(t, v, day, "resolved", 1, err);
    if (rc == HF_OK)
        rc = add(t, v, day, "resolution_s", secs, err);
    if (rc == HF_OK)
        rc = add(t, v, day, bucket, 1, err);
    return rc;
}

hf_rc hf_analytics_outcome(hf_txn *t, const hf_order *o, hf_time requested_at,
                           const char *outcome, hf_time at, hf_arena *a,
                           hf_err *err)
{
    const char *v[N_DIMS];
    hf_rc rc = dim_values(t, o, a, v, err);
    const char *metric = hf_arena_printf(a, "outcome:%s", outcome);
    if (rc != HF_OK)
        return rc;
    if (metric == NULL)
        return hf_fail(err, HF_ENOMEM, NULL, NULL, "out of memory");
    rc = add(t, v, hf_analytics_day(at), metric, 1, err);
    if (rc == HF_OK && strcmp(outcome, "escalated") != 0)
        rc = resolved(t, v, requested_at, at, a, err);
    return rc;
}

hf_rc hf_analytics_resolved(hf_txn *t, const hf_order *o, hf_time requested_at,
                            hf_time at, hf_arena *a, hf_err *err)
{
    const char *v[N_DIMS];
    hf_rc rc = dim_values(t, o, a, v, err);
    return rc == HF_OK ? resolved(t, v, requested_at, at, a, err) : rc;
}

/* --- Targets ------------------------------------------------------------ */

hf_rc hf_kpi_targets_load(const hf_config *c, hf_kpi_targets *out, hf_err *err)
{
    *out = (hf_kpi_targets){0.01, 0.20, 24, 48, 0.30, 0.95};
    static const struct {
        const char *key;
        size_t offset;
    } keys[] = {
        {"kpi.cancellation_rate", offsetof(hf_kpi_targets, cancellation_rate)},
        {"kpi.shipping_delay_share",
         offsetof(hf_kpi_targets, shipping_delay_share)},
        {"kpi.resolution_hours", offsetof(hf_kpi_targets, resolution_hours)},
        {"kpi.fulfillment_hours", offsetof(hf_kpi_targets, fulfillment_hours)},
        {"kpi.save_rate", offsetof(hf_kpi_targets, save_rate)},
        {"kpi.on_time_rate", offsetof(hf_kpi_targets, on_time_rate)},
    };
    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
        const char *s = c ? hf_config_get(c, keys[i].key, NULL) : NULL;
        if (s == NULL)
            continue;
        char *end;
        double d = strtod(s, &end);
        if (end == s || *end != '\0' || !(d >= 0) || isinf(d))
            return hf_fail(err, HF_EINVAL, "invalid", keys[i].key,
                           "%s must be a non-negative number", keys[i].key);
        *(double *)((char *)out + keys[i].offset) = d;
    }
    return HF_OK;
}

/* --- The KPIs ----------------------------------------------------------- */

/* The counters of one dimension value over the range. */
typedef struct counts {
    const char *value;
    int64_t placed, cancelled, shipped, fulfillment_s, delivered, on_time;
    int64_t requests, resolved, resolution_s, retained, outcome_cancelled,
        escalated;
    int64_t lost; /* requests made in the range whose order was cancelled
                     within 30 days, as far as known today */
    int64_t buckets[N_BUCKETS];
    int64_t reasons_n; /* distinct reasons in reasons[] */
    struct {
        const char *code;
        int64_t n;
    } reasons[16];
    /* requests made on days old enough to know their outcome */
    int64_t mature_requests, mature_lost;
} counts;

static void fold(counts *c, const hf_kpi_sum *s)
{
    static const struct {
        const char *metric;
        size_t offset;
    } plain[] = {
        {"placed", offsetof(counts, placed)},
        {"cancelled", offsetof(counts, cancelled)},
        {"shipped", offsetof(counts, shipped)},
        {"fulfillment_s", offsetof(counts, fulfillment_s)},
        {"delivered", offsetof(counts, delivered)},
        {"on_time", offsetof(counts, on_time)},
        {"requests", offsetof(counts, requests)},
        {"requests_lost", offsetof(counts, lost)},
        {"resolved", offsetof(counts, resolved)},
        {"resolution_s", offsetof(counts, resolution_s)},
        {"outcome:retained", offsetof(counts, retained)},
        {"outcome:cancelled", offsetof(counts, outcome_cancelled)},
        {"outcome:escalated", offsetof(counts, escalated)},
    };
    for (size_t i = 0; i < sizeof(plain) / sizeof(plain[0]); i++)
        if (strcmp(s->metric, plain[i].metric) == 0) {
            *(int64_t *)((char *)c + plain[i].offset) += s->n;
            return;
        }
    if (strncmp(s->metric, "reason:", 7) == 0) {
        for (int64_t i = 0; i < c->reasons_n; i++)
            if (strcmp(c->reasons[i].code, s->metric + 7) == 0) {
                c->reasons[i].n += s->n;
                return;
            }
        if (c->reasons_n < 16) {
            c->reasons[c->reasons_n].code = s->metric + 7;
            c->reasons[c->reasons_n++].n = s->n;
        }
    } else if (strncmp(s->metric, "resolution_bucket:", 18) == 0) {
        int b = atoi(s->metric + 18);
        if (b >= 0 && b < N_BUCKETS)
            c->buckets[b] += s->n;
    }
}

/* The groups of one dimension: each value's counts. */
typedef struct groups {
    counts *items;
    size_t n;
} groups;

static counts *group_of(groups *g, const char *value, hf_arena *a)
{
    for (size_t i = 0; i < g->n; i++)
        if (strcmp(g->items[i].value, value) == 0)
            return &g->items[i];
    counts *grown = hf_arena_alloc(a, (g->n + 1) * sizeof(*grown));
    if (grown == NULL)
        return NULL;
    if (g->n)
        memcpy(grown, g->items, g->n * sizeof(*grown));
    memset(&grown[g->n], 0, sizeof(*grown));
    grown[g->n].value = value;
    g->items = grown;
    return &g->items[g->n++];
}

static hf_rc gather(hf_txn *t, const char *dim, const hf_kpi_query *q,
                    hf_arena *a, groups *g, hf_err *err)
{
    hf_kpi_sum *s;
    size_t n;
    hf_rc rc = hf_txn_kpi_sum(t, dim, q->from_day, q->to_day, a, &s, &n, err);
    for (size_t i = 0; i < n && rc == HF_OK; i++) {
        counts *c = group_of(g, s[i].value, a);
        if (c == NULL)
            return hf_fail(err, HF_ENOMEM, NULL, NULL, "out of memory");
        fold(c, &s[i]);
    }
    if (rc != HF_OK)
        return rc;
    /* the save rate only counts requests whose 30 days have passed */
    int64_t last = hf_analytics_day(q->now) - SAVE_WINDOW_DAYS;
    if (last > q->to_day)
        last = q->to_day;
    if (last < q->from_day)
        return HF_OK;
    rc = hf_txn_kpi_sum(t, dim, q->from_day, last, a, &s, &n, err);
    for (size_t i = 0; i < n && rc == HF_OK; i++) {
        bool req = strcmp(s[i].metric, "requests") == 0;
        bool lost = strcmp(s[i].metric, "requests_lost") == 0;
        if (!req && !lost)
            continue;
        counts *c = group_of(g, s[i].value, a);
        if (c == NULL)
            return hf_fail(err, HF_ENOMEM, NULL, NULL, "out of memory");
        *(req ? &c->mature_requests : &c->mature_lost) += s[i].n;
    }
    return rc;
}

/* One KPI of a group, computed. */
typedef struct kpi {
    const char *name;        /* stable key */
    const char *label;       /* the seed's metric name */
    const char *description; /* the seed's description */
    const char *unit;        /* "ratio", "hours" */
    bool below;              /* met when current < target (else >=) */
    double target;
    bool known; /* false: no data in the range */
    double current;
    int64_t n;  /* what the value is over (orders, requests, ...) */
    double p90; /* resolution hours only; NAN otherwise */
} kpi;

enum { N_KPIS = 6 };

static double ratio(int64_t a, int64_t b)
{
    return b > 0 ? (double)a / (double)b : NAN;
}

static void compute(const counts *c, const hf_kpi_targets *tg, kpi k[N_KPIS])
{
    int64_t delay = 0;
    for (int64_t i = 0; i < c->reasons_n; i++)
        if (strcmp(c->reasons[i].code, "shipping_delay") == 0)
            delay = c->reasons[i].n;
    double p90 = NAN;
    if (c->resolved > 0) {
        int64_t cum = 0;
        for (int b = 0; b < N_BUCKETS; b++) {
            cum += c->buckets[b];
            if (cum * 10 >= c->resolved * 9) {
                p90 = b < N_BUCKETS - 1 ? bucket_hours[b] : INFINITY;
                break;
            }
        }
    }
    kpi all[N_KPIS] = {
        {"cancellation_rate", "Daily Cancellation Rate",
         "Percentage of orders cancelled daily", "ratio", true,
         tg->cancellation_rate, c->placed > 0, ratio(c->cancelled, c->placed),
         c->placed, NAN},
        {"reason_distribution", "Cancellation Reason Distribution",
         "Breakdown of cancellation reasons (shipping delays' share)", "ratio",
         true, tg->shipping_delay_share, c->cancelled > 0,
         ratio(delay, c->cancelled), c->cancelled, NAN},
        {"cancellation_resolution_hours",
         "Average Resolution Time for Cancellation Inquiries",
         "Time taken to address customer cancellation inquiries", "hours", true,
         tg->resolution_hours, c->resolved > 0,
         ratio(c->resolution_s, c->resolved) / 3600.0, c->resolved, p90},
        {"fulfillment_hours", "Fulfillment Time",
         "Time from order placement to shipment", "hours", true,
         tg->fulfillment_hours, c->shipped > 0,
         ratio(c->fulfillment_s, c->shipped) / 3600.0, c->shipped, NAN},
        {"save_rate", "Save Rate",
         "Cancellation requests whose order is not cancelled within 30 days",
         "ratio", false, tg->save_rate, c->mature_requests > 0,
         1.0 - ratio(c->mature_lost, c->mature_requests), c->mature_requests,
         NAN},
        {"on_time_rate", "On-time Delivery Rate",
         "Deliveries by the promised date", "ratio", false, tg->on_time_rate,
         c->delivered > 0, ratio(c->on_time, c->delivered), c->delivered, NAN},
    };
    memcpy(k, all, sizeof(all));
}

static bool met(const kpi *k)
{
    return k->below ? k->current < k->target : k->current >= k->target;
}

static const char *show(const kpi *k, double v, hf_arena *a)
{
    if (!k->known || isnan(v))
        return "n/a";
    if (isinf(v))
        return hf_arena_printf(a, "> %d h", bucket_hours[N_BUCKETS - 2]);
    if (strcmp(k->unit, "ratio") == 0)
        return hf_arena_printf(a, "%.2f%%", v * 100);
    return hf_arena_printf(a, "%.1f h", v);
}

static const char *show_target(const kpi *k, hf_arena *a)
{
    return hf_arena_printf(
        a, "%s %s", k->below ? "<" : ">=",
        show(&(kpi){.known = true, .unit = k->unit}, k->target, a));
}

static void jw_num(hf_jsonw *w, double v)
{
    if (isnan(v) || isinf(v)) {
        hf_jw_null(w);
        return;
    }
    char buf[32];
    snprintf(buf, sizeof(buf), "%.10g", v);
    hf_jw_raw(w, buf);
}

static void json_counts(hf_jsonw *w, const counts *c)
{
    static const struct {
        const char *key;
        size_t offset;
    } keys[] = {
        {"orders_placed", offsetof(counts, placed)},
        {"orders_cancelled", offsetof(counts, cancelled)},
        {"orders_shipped", offsetof(counts, shipped)},
        {"orders_delivered", offsetof(counts, delivered)},
        {"delivered_on_time", offsetof(counts, on_time)},
        {"cancellation_requests", offsetof(counts, requests)},
        {"requests_resolved", offsetof(counts, resolved)},
        {"requests_lost", offsetof(counts, lost)},
        {"conversations_retained", offsetof(counts, retained)},
        {"conversations_cancelled", offsetof(counts, outcome_cancelled)},
        {"conversations_escalated", offsetof(counts, escalated)},
    };
    hf_jw_key(w, "counts");
    hf_jw_object(w);
    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
        hf_jw_key(w, keys[i].key);
        hf_jw_int(w, *(const int64_t *)((const char *)c + keys[i].offset));
    }
    hf_jw_object_end(w);
}

static void json_kpis(hf_jsonw *w, const counts *c, const hf_kpi_targets *tg)
{
    kpi k[N_KPIS];
    compute(c, tg, k);
    hf_jw_key(w, "kpis");
    hf_jw_object(w);
    for (int i = 0; i < N_KPIS; i++) {
        hf_jw_key(w, k[i].name);
        hf_jw_object(w);
        hf_jw_key(w, "description");
        hf_jw_str(w, k[i].description);
        hf_jw_key(w, "unit");
        hf_jw_str(w, k[i].unit);
        hf_jw_key(w, "comparison");
        hf_jw_str(w, k[i].below ? "<" : ">=");
        hf_jw_key(w, "target");
        jw_num(w, k[i].target);
        hf_jw_key(w, "current");
        if (k[i].known)
            jw_num(w, k[i].current);
        else
            hf_jw_null(w);
        hf_jw_key(w, "met");
        if (k[i].known)
            hf_jw_bool(w, met(&k[i]));
        else
            hf_jw_null(w);
        hf_jw_key(w, "n");
        hf_jw_int(w, k[i].n);
        if (strcmp(k[i].name, "cancellation_resolution_hours") == 0) {
            hf_jw_key(w, "p90");
            if (k[i].known && !isinf(k[i].p90))
                jw_num(w, k[i].p90);
            else
                hf_jw_null(w);
        }
        if (strcmp(k[i].name, "reason_distribution") == 0) {
            hf_jw_key(w, "reason");
            hf_jw_str(w, "shipping_delay");
            hf_jw_key(w, "shares");
            hf_jw_object(w);
            for (int64_t r = 0; r < c->reasons_n; r++) {
                hf_jw_key(w, c->reasons[r].code);
                jw_num(w, ratio(c->reasons[r].n, c->cancelled));
            }
            hf_jw_object_end(w);
        }
        hf_jw_object_end(w);
    }
    hf_jw_object_end(w);
    json_counts(w, c);
}

static const char *day_text(int64_t day, hf_arena *a)
{
    time_t secs = (time_t)(day * 86400);
    struct tm tm;
    gmtime_r(&secs, &tm);
    return hf_arena_printf(a, "%04d-%02d-%02d", tm.tm_year + 1900,
                           tm.tm_mon + 1, tm.tm_mday);
}

bool hf_analytics_parse_day(const char *s, int64_t *day)
{
    int y, m, d;
    char tail;
    if (s == NULL || strlen(s) != 10 ||
        sscanf(s, "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3 || m < 1 || m > 12 ||
        d < 1 || d > 31 || y < 1970)
        return false;
    /* days from civil (H. Hinnant's algorithm) */
    y -= m <= 2;
    int64_t era = y / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    *day = era * 146097 + doe - 719468;
    return true;
}

/* Appends to a growing text in arena memory. */
typedef struct text {
    hf_arena *a;
    char *s;
    size_t len, cap;
    bool oom;
} text;

static void put(text *x, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void put(text *x, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char line[512];
    int n = vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    if (n < 0 || x->oom)
        return;
    if ((size_t)n >= sizeof(line))
        n = sizeof(line) - 1;
    if (x->len + (size_t)n + 1 > x->cap) {
        size_t cap = x->cap ? x->cap * 2 : 4096;
        while (cap < x->len + (size_t)n + 1)
            cap *= 2;
        char *grown = hf_arena_alloc(x->a, cap);
        if (grown == NULL) {
            x->oom = true;
            return;
        }
        if (x->len)
            memcpy(grown, x->s, x->len);
        x->s = grown;
        x->cap = cap;
    }
    memcpy(x->s + x->len, line, (size_t)n + 1);
    x->len += (size_t)n;
}

/* CSV: one row per group and metric. */
static void csv_rows(text *x, const char *dim, const counts *c,
                     const hf_kpi_targets *tg, hf_arena *a)
{
    kpi k[N_KPIS];
    compute(c, tg, k);
    for (int i = 0; i < N_KPIS; i++) {
        char cur[32] = "", tgt[32], p90[32] = "";
        snprintf(tgt, sizeof(tgt), "%.6g", k[i].target);
        if (k[i].known && !isnan(k[i].current))
            snprintf(cur, sizeof(cur), "%.10g", k[i].current);
        if (k[i].known && !isnan(k[i].p90) && !isinf(k[i].p90))
            snprintf(p90, sizeof(p90), "%.6g", k[i].p90);
        put(x, "%s,%s,%s,%s,%s,%s,%s,%lld,%s\r\n", dim, c->value, k[i].name,
            k[i].below ? "<" : ">=", tgt, cur,
            k[i].known ? (met(&k[i]) ? "true" : "false") : "",
            (long long)k[i].n, p90);
    }
    (void)a;
}

static void table_rows(text *x, const counts *c, const hf_kpi_targets *tg,
                       hf_arena *a)
{
    kpi k[N_KPIS];
    compute(c, tg, k);
    for (int i = 0; i < N_KPIS; i++) {
        const char *cur = show(&k[i], k[i].current, a);
        if (strcmp(k[i].name, "reason_distribution") == 0 && k[i].known)
            cur = hf_arena_printf(a, "Shipping Delays %s", cur);
        else if (!isnan(k[i].p90) && k[i].known)
            cur = hf_arena_printf(a, "%s (p90 %s)", cur,
                                  show(&k[i], k[i].p90, a));
        const char *tgt = show_target(&k[i], a);
        if (strcmp(k[i].name, "reason_distribution") == 0)
            tgt = hf_arena_printf(a, "Shipping Delays %s", tgt);
        put(x, "%-52s  %-62s  %-24s  %s%s\n", k[i].label, k[i].description, tgt,
            cur ? cur : "n/a",
            k[i].known ? (met(&k[i]) ? "" : "  (missed)") : "");
    }
}

hf_rc hf_analytics_kpis_txn(hf_txn *t, const hf_kpi_targets *targets,
                            const hf_kpi_query *q, hf_kpi_format format,
                            hf_arena *a, const char **out, hf_err *err)
{
    if (q->by != NULL && strcmp(q->by, "channel") != 0 &&
        strcmp(q->by, "region") != 0 && strcmp(q->by, "category") != 0)
        return hf_fail(err, HF_EINVAL, "invalid", "by",
                       "by must be channel, region or category");
    if (q->to_day < q->from_day)
        return hf_fail(err, HF_EINVAL, "invalid", "to",
                       "to must not be before from");
    groups all = {0}, by = {0};
    hf_rc rc = gather(t, "all", q, a, &all, err);
    if (rc == HF_OK && q->by != NULL)
        rc = gather(t, q->by, q, a, &by, err);
    if (rc != HF_OK)
        return rc;
    counts none = {.value = ""};
    const counts *total = all.n > 0 ? &all.items[0] : &none;
    const char *from = day_text(q->from_day, a), *to = day_text(q->to_day, a);
    if (format == HF_KPI_JSON) {
        hf_jsonw w;
        hf_jw_init(&w, a);
        hf_jw_object(&w);
        hf_jw_key(&w, "from");
        hf_jw_str(&w, from);
        hf_jw_key(&w, "to");
        hf_jw_str(&w, to);
        hf_jw_key(&w, "by");
        if (q->by)
            hf_jw_str(&w, q->by);
        else
            hf_jw_null(&w);
        json_kpis(&w, total, targets);
        hf_jw_key(&w, "at_risk"); /* services/risk_outcomes.c */
        if ((rc = hf_risk_outcomes_json(t, q->from_day, q->to_day, &w, err)) !=
            HF_OK)
            return rc;
        if (q->by != NULL) {
            hf_jw_key(&w, "groups");
            hf_jw_array(&w);
            for (size_t i = 0; i < by.n; i++) {
                hf_jw_object(&w);
                hf_jw_key(&w, "value");
                hf_jw_str(&w, by.items[i].value);
                json_kpis(&w, &by.items[i], targets);
                hf_jw_object_end(&w);
            }
            hf_jw_array_end(&w);
        }
        hf_jw_object_end(&w);
        *out = hf_jw_finish(&w);
        return *out ? HF_OK
                    : hf_fail(err, HF_ENOMEM, NULL, NULL, "out of memory");
    }
    text x = {.a = a};
    if (format == HF_KPI_CSV) {
        put(&x, "dimension,value,metric,comparison,target,current,met,n,p90"
                "\r\n");
        csv_rows(&x, "all", total, targets, a);
        for (size_t i = 0; i < by.n; i++)
            csv_rows(&x, q->by, &by.items[i], targets, a);
    } else {
        put(&x, "KPIs from %s to %s\n\n", from, to);
        put(&x, "%-52s  %-62s  %-24s  %s\n", "Metric", "Description", "Target",
            "Current");
        table_rows(&x, total, targets, a);
        for (size_t i = 0; i < by.n; i++) {
            put(&x, "\n%s %s\n", q->by, by.items[i].value);
            table_rows(&x, &by.items[i], targets, a);
        }
    }
    if (x.oom || x.s == NULL)
        return hf_fail(err, HF_ENOMEM, NULL, NULL, "out of memory");
    *out = x.s;
    return HF_OK;
}
