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
#include "services/analytics_int.h"
#include "core/stats.h"
#include "services/risk_outcomes.h"
#include "util/jsonw.h"

#include <jansson.h>
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* An order's event counts under its five slices; a cancellation
 * request's under those and its reason and policy version. */
enum { N_ORDER_DIMS = 5, N_DIMS = 7, SAVE_WINDOW_DAYS = 30 };

/* The dimensions; "all" has the value "". */
static const char *const dims[N_DIMS] = {"all",           "channel", "region",
                                         "category",      "product", "reason",
                                         "policy_version"};

/* Upper bounds (hours) of the resolution-time histogram buckets; the last
 * bucket is open. */
static const int bucket_hours[] = {1, 2, 4, 8, 12, 24, 36, 48, 72, 168};
enum { N_BUCKETS = sizeof(bucket_hours) / sizeof(bucket_hours[0]) + 1 };

int64_t hf_analytics_day(hf_time t)
{
    return t >= 0 ? t / HF_DAY : -((-t + HF_DAY - 1) / HF_DAY);
}

static hf_rc oom(hf_err *err)
{
    return hf_fail(err, HF_ENOMEM, NULL, NULL, "out of memory");
}

/* The slices of o as they are now: channel, region, and the category and
 * SKU of the main line (the most money, the first on a tie). */
static hf_rc slices_now(hf_txn *t, const hf_order *o, hf_arena *a,
                        const char *out[N_DIMS], hf_err *err)
{
    out[1] = o->channel && *o->channel ? o->channel : "unknown";
    const hf_address *ad = &o->shipping_address;
    if (ad->country && ad->region && *ad->region)
        out[2] = hf_arena_printf(a, "%s-%s", ad->country, ad->region);
    else
        out[2] = ad->country && *ad->country ? ad->country : "unknown";
    const hf_order_line *main = NULL;
    for (size_t i = 0; i < o->n_lines; i++)
        if (main == NULL || o->lines[i].unit_price * o->lines[i].qty >
                                main->unit_price * main->qty)
            main = &o->lines[i];
    out[3] = "none";
    out[4] = main != NULL ? main->sku : "none";
    if (main != NULL) {
        hf_product p;
        hf_rc rc = hf_txn_product_get(t, main->sku, a, &p, err);
        if (rc == HF_OK && p.category && *p.category)
            out[3] = p.category;
        else if (rc != HF_OK && rc != HF_ENOTFOUND)
            return rc;
    }
    return out[2] == NULL ? oom(err) : HF_OK;
}

/* The slices of o, fixed when it was placed (kept then, or now for an
 * order placed before they were kept), so that a later address change or
 * product swap moves none of its counters to another slice. */
static hf_rc slices(hf_txn *t, const hf_order *o, bool placing, hf_arena *a,
                    const char *v[N_DIMS], hf_err *err)
{
    v[0] = "";
    v[5] = v[6] = NULL;
    hf_rc rc =
        placing ? HF_ENOTFOUND : hf_txn_kpi_dims_get(t, o->id, a, v + 1, err);
    if (rc != HF_ENOTFOUND)
        return rc;
    if ((rc = slices_now(t, o, a, v, err)) != HF_OK)
        return rc;
    return hf_txn_kpi_dims_put(t, o->id, v + 1, err);
}

/* Adds n to an order's metric on day under its five slices. */
static hf_rc add(hf_txn *t, const char *const v[N_DIMS], int64_t day,
                 const char *metric, int64_t n, hf_err *err)
{
    return hf_txn_kpi_add(t, day, N_ORDER_DIMS, dims, v, metric, n, err);
}

/* Adds n to a request's metric on day under its seven slices. */
static hf_rc add_req(hf_txn *t, const char *const v[N_DIMS], int64_t day,
                     const char *metric, int64_t n, hf_err *err)
{
    return hf_txn_kpi_add(t, day, N_DIMS, dims, v, metric, n, err);
}

/* add() of a metric named by a format. */
static hf_rc addf(hf_txn *t, const char *const v[N_DIMS], int n_dims,
                  int64_t day, int64_t n, hf_err *err, const char *fmt, ...)
    __attribute__((format(printf, 7, 8)));
static hf_rc addf(hf_txn *t, const char *const v[N_DIMS], int n_dims,
                  int64_t day, int64_t n, hf_err *err, const char *fmt, ...)
{
    char metric[128];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(metric, sizeof(metric), fmt, ap);
    va_end(ap);
    return hf_txn_kpi_add(t, day, n_dims, dims, v, metric, n, err);
}

/* Fills a request's two slices of its own. */
static void request_slices(const char *v[N_DIMS], const char *reason,
                           const char *policy_version)
{
    v[5] = reason && *reason ? reason : "unknown";
    v[6] = policy_version && *policy_version ? policy_version : "none";
}

/* The requests of o decided by its cancellation at `at`: each begun in
 * the 30 days before is lost, counted on the day it was made. */
static hf_rc requests_lost(hf_txn *t, const hf_order *o, const char *v[N_DIMS],
                           hf_time at, hf_arena *a, hf_err *err)
{
    hf_kpi_request *r;
    size_t n;
    hf_rc rc = hf_txn_kpi_requests_of_order(
        t, o->id, at - SAVE_WINDOW_DAYS * HF_DAY, at, a, &r, &n, err);
    for (size_t i = 0; i < n && rc == HF_OK; i++) {
        request_slices(v, r[i].reason, r[i].policy_version);
        rc = add_req(t, v, hf_analytics_day(r[i].at), "requests_lost", 1, err);
    }
    return rc;
}

/* When o was last shipped before event e; 0 when it was not. */
static hf_time shipped_before(const hf_order *o, const hf_order_event *e)
{
    hf_time at = 0;
    for (size_t i = 0; i < o->n_events && o->events[i].seq < e->seq; i++)
        if (strcmp(o->events[i].type, "status_changed") == 0 &&
            o->events[i].to == HF_STATUS_SHIPPED)
            at = o->events[i].at;
    return at;
}

/* A survey's answers, from the timeline event's data. */
static hf_rc survey(hf_txn *t, const char *const v[N_DIMS], int64_t day,
                    const hf_order_event *e, hf_err *err)
{
    json_t *j = e->data_json ? json_loads(e->data_json, 0, NULL) : NULL;
    json_int_t rating =
        json_integer_value(json_object_get(j, "service_rating"));
    int recommend = json_is_true(json_object_get(j, "recommend"));
    json_decref(j);
    hf_rc rc = add(t, v, day, "surveys", 1, err);
    if (rc == HF_OK)
        rc = add(t, v, day, "csat_sum", (int64_t)rating, err);
    if (rc == HF_OK && recommend)
        rc = add(t, v, day, "recommend_yes", 1, err);
    return rc;
}

hf_rc hf_analytics_order_event(hf_txn *t, const hf_order *o,
                               const hf_order_event *e, hf_arena *a,
                               hf_err *err)
{
    bool placed = strcmp(e->type, "placed") == 0;
    bool cancelled = strcmp(e->type, "cancelled") == 0;
    bool answered = strcmp(e->type, "survey_answered") == 0;
    bool moved = strcmp(e->type, "status_changed") == 0;
    bool shipped = moved && e->to == HF_STATUS_SHIPPED;
    bool delivered = moved && e->to == HF_STATUS_DELIVERED;
    if (!placed && !cancelled && !shipped && !delivered && !answered)
        return HF_OK;
    const char *v[N_DIMS];
    hf_rc rc = slices(t, o, placed, a, v, err);
    if (rc != HF_OK)
        return rc;
    int64_t day = hf_analytics_day(e->at);
    if (placed)
        return add(t, v, day, "placed", 1, err);
    if (answered)
        return survey(t, v, day, e, err);
    if (cancelled) {
        if ((rc = add(t, v, day, "cancelled", 1, err)) == HF_OK)
            rc = addf(t, v, N_ORDER_DIMS, day, 1, err, "reason:%s",
                      e->reason && *e->reason ? e->reason : "other");
        return rc == HF_OK ? requests_lost(t, o, v, e->at, a, err) : rc;
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
    hf_time sent = shipped_before(o, e);
    if (rc == HF_OK && sent != 0) {
        int64_t secs = (e->at - sent) / HF_SECOND;
        if ((rc = add(t, v, day, "delivery_n", 1, err)) == HF_OK)
            rc = add(t, v, day, "delivery_s", secs < 0 ? 0 : secs, err);
    }
    return rc;
}

/* The slices of request c about o. */
static hf_rc request_of(hf_txn *t, const hf_order *o, const hf_conversation *c,
                        hf_arena *a, const char *v[N_DIMS], hf_err *err)
{
    hf_rc rc = slices(t, o, false, a, v, err);
    request_slices(v, c->reason, c->policy_version);
    return rc;
}

hf_rc hf_analytics_request(hf_txn *t, const hf_order *o,
                           const hf_conversation *c, hf_arena *a, hf_err *err)
{
    const char *v[N_DIMS];
    hf_rc rc = request_of(t, o, c, a, v, err);
    return rc == HF_OK ? add_req(t, v, hf_analytics_day(c->created_at),
                                 "requests", 1, err)
                       : rc;
}

hf_rc hf_analytics_offered(hf_txn *t, const hf_order *o,
                           const hf_conversation *c, const char *const *kinds,
                           size_t n_kinds, hf_arena *a, hf_err *err)
{
    const char *v[N_DIMS];
    int64_t day = hf_analytics_day(c->offered_at);
    hf_rc rc = request_of(t, o, c, a, v, err);
    if (rc == HF_OK)
        rc = add_req(t, v, day, "offers_made", 1, err);
    for (size_t i = 0; i < n_kinds && rc == HF_OK; i++) {
        bool again = false;
        for (size_t j = 0; j < i; j++)
            again = again || strcmp(kinds[j], kinds[i]) == 0;
        if (!again)
            rc = addf(t, v, N_DIMS, day, 1, err, "offers_made:%s", kinds[i]);
    }
    return rc;
}

/* The resolution of request c at `at`: counted overall and for its kind
 * (the self-service page's requests, or conversations in chat and other
 * channels). */
static hf_rc resolved(hf_txn *t, const char *const v[N_DIMS],
                      const hf_conversation *c, hf_time at, hf_arena *a,
                      hf_err *err)
{
    int64_t secs = (at - c->created_at) / HF_SECOND;
    if (secs < 0)
        secs = 0;
    int b = 0;
    while (b < N_BUCKETS - 1 && secs > (int64_t)bucket_hours[b] * 3600)
        b++;
    const char *kind =
        strcmp(c->channel, "self_service") == 0 ? "request" : "conversation";
    int64_t day = hf_analytics_day(at);
    hf_rc rc = HF_OK;
    for (int i = 0; i < 2 && rc == HF_OK; i++) {
        const char *sfx = i == 0 ? "" : hf_arena_printf(a, ".%s", kind);
        if (sfx == NULL)
            return oom(err);
        if ((rc = addf(t, v, N_DIMS, day, 1, err, "resolved%s", sfx)) ==
                HF_OK &&
            (rc = addf(t, v, N_DIMS, day, secs, err, "resolution_s%s", sfx)) ==
                HF_OK)
            rc = addf(t, v, N_DIMS, day, 1, err, "resolution_bucket%s:%02d",
                      sfx, b);
    }
    return rc;
}

hf_rc hf_analytics_outcome(hf_txn *t, const hf_order *o,
                           const hf_conversation *c, hf_arena *a, hf_err *err)
{
    const char *v[N_DIMS];
    hf_rc rc = request_of(t, o, c, a, v, err);
    int64_t day = hf_analytics_day(c->outcome_at);
    if (rc == HF_OK)
        rc = addf(t, v, N_DIMS, day, 1, err, "outcome:%s", c->outcome);
    if (rc != HF_OK || strcmp(c->outcome, "escalated") == 0)
        return rc;
    if ((rc = resolved(t, v, c, c->outcome_at, a, err)) != HF_OK ||
        strcmp(c->outcome, "retained") != 0)
        return rc;
    const char *kind;
    if ((rc = hf_txn_kpi_offer_of(t, o->id, c->id, a, &kind, err)) != HF_OK)
        return rc;
    if ((rc = addf(t, v, N_DIMS, day, 1, err, "offer_accepted:%s",
                   kind ? kind : "none")) != HF_OK ||
        (rc = addf(t, v, N_DIMS, day, c->kept_total, err, "revenue_kept:%s",
                   o->currency)) != HF_OK)
        return rc;
    return addf(t, v, N_DIMS, day, c->kept_discount, err, "discounts_given:%s",
                o->currency);
}

hf_rc hf_analytics_resolved(hf_txn *t, const hf_order *o,
                            const hf_conversation *c, hf_time at, hf_arena *a,
                            hf_err *err)
{
    const char *v[N_DIMS];
    hf_rc rc = request_of(t, o, c, a, v, err);
    return rc == HF_OK ? resolved(t, v, c, at, a, err) : rc;
}

hf_rc hf_analytics_escalation_cancelled(hf_txn *t, const hf_order *o,
                                        const hf_conversation *c, hf_time at,
                                        hf_arena *a, hf_err *err)
{
    const char *v[N_DIMS];
    hf_rc rc = request_of(t, o, c, a, v, err);
    return rc == HF_OK ? add_req(t, v, hf_analytics_day(at),
                                 "escalations_cancelled", 1, err)
                       : rc;
}

/* --- Targets ------------------------------------------------------------ */

hf_rc hf_kpi_targets_load(const hf_config *c, hf_kpi_targets *out, hf_err *err)
{
    *out =
        (hf_kpi_targets){0.01, 0.20, 24, 48, 0.30, 0.95, 120, 0.10, 4.0, 0.70};
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
        {"kpi.delivery_hours", offsetof(hf_kpi_targets, delivery_hours)},
        {"kpi.escalation_rate", offsetof(hf_kpi_targets, escalation_rate)},
        {"kpi.csat", offsetof(hf_kpi_targets, csat)},
        {"kpi.would_recommend", offsetof(hf_kpi_targets, would_recommend)},
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

enum { MAX_KEYS = 16 };

/* Counters with a key of their own (reason:X, offer_accepted:X, ...). */
typedef struct keyed {
    int64_t n_keys;
    struct {
        const char *key;
        int64_t n;
    } items[MAX_KEYS];
} keyed;

static void keyed_add(keyed *k, const char *key, int64_t n)
{
    for (int64_t i = 0; i < k->n_keys; i++)
        if (strcmp(k->items[i].key, key) == 0) {
            k->items[i].n += n;
            return;
        }
    if (k->n_keys < MAX_KEYS) {
        k->items[k->n_keys].key = key;
        k->items[k->n_keys++].n = n;
    }
}

static int64_t keyed_get(const keyed *k, const char *key)
{
    for (int64_t i = 0; i < k->n_keys; i++)
        if (strcmp(k->items[i].key, key) == 0)
            return k->items[i].n;
    return 0;
}

/* A resolution time's counters: overall, requests, conversations. */
typedef struct resolution {
    int64_t resolved, seconds;
    int64_t buckets[N_BUCKETS];
} resolution;

/* The counters of one dimension value over the range. */
typedef struct counts {
    const char *value;
    int64_t placed, cancelled, shipped, fulfillment_s, delivered, on_time;
    int64_t delivery_n, delivery_s;
    int64_t requests, retained, outcome_cancelled, escalated, offers_made;
    int64_t escalations_cancelled; /* closed by their order's
                                      cancellation, not by an agent */
    int64_t surveys, csat_sum, recommend_yes;
    int64_t lost;      /* requests made in the range whose order was cancelled
                          within 30 days, as far as known today */
    resolution res[3]; /* all, requests (self-service), conversations */
    keyed reasons, offers, revenue, discounts;
    keyed offered; /* requests shown each kind of offer */
    /* requests made on days old enough to know their outcome */
    int64_t mature_requests, mature_lost;
} counts;

static const char *const res_suffix[3] = {"", ".request", ".conversation"};

static void fold_resolution(counts *c, const hf_kpi_sum *s)
{
    for (int k = 2; k >= 0; k--) {
        size_t len = strlen(res_suffix[k]);
        const char *m = s->metric;
        resolution *r = &c->res[k];
        if (strncmp(m, "resolved", 8) == 0 && strcmp(m + 8, res_suffix[k]) == 0)
            r->resolved += s->n;
        else if (strncmp(m, "resolution_s", 12) == 0 &&
                 strcmp(m + 12, res_suffix[k]) == 0)
            r->seconds += s->n;
        else if (strncmp(m, "resolution_bucket", 17) == 0 &&
                 strncmp(m + 17, res_suffix[k], len) == 0 &&
                 m[17 + len] == ':') {
            int b = atoi(m + 18 + len);
            if (b >= 0 && b < N_BUCKETS)
                r->buckets[b] += s->n;
        } else
            continue;
        return;
    }
}

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
        {"delivery_n", offsetof(counts, delivery_n)},
        {"delivery_s", offsetof(counts, delivery_s)},
        {"requests", offsetof(counts, requests)},
        {"requests_lost", offsetof(counts, lost)},
        {"offers_made", offsetof(counts, offers_made)},
        {"outcome:retained", offsetof(counts, retained)},
        {"outcome:cancelled", offsetof(counts, outcome_cancelled)},
        {"outcome:escalated", offsetof(counts, escalated)},
        {"escalations_cancelled", offsetof(counts, escalations_cancelled)},
        {"surveys", offsetof(counts, surveys)},
        {"csat_sum", offsetof(counts, csat_sum)},
        {"recommend_yes", offsetof(counts, recommend_yes)},
    };
    for (size_t i = 0; i < sizeof(plain) / sizeof(plain[0]); i++)
        if (strcmp(s->metric, plain[i].metric) == 0) {
            *(int64_t *)((char *)c + plain[i].offset) += s->n;
            return;
        }
    static const struct {
        const char *prefix;
        size_t offset;
    } by_key[] = {
        {"reason:", offsetof(counts, reasons)},
        {"offer_accepted:", offsetof(counts, offers)},
        {"offers_made:", offsetof(counts, offered)},
        {"revenue_kept:", offsetof(counts, revenue)},
        {"discounts_given:", offsetof(counts, discounts)},
    };
    for (size_t i = 0; i < sizeof(by_key) / sizeof(by_key[0]); i++) {
        size_t len = strlen(by_key[i].prefix);
        if (strncmp(s->metric, by_key[i].prefix, len) == 0) {
            keyed_add((keyed *)((char *)c + by_key[i].offset), s->metric + len,
                      s->n);
            return;
        }
    }
    fold_resolution(c, s);
}

/* The groups of one dimension: each value's counts. */
typedef hf_slice_list groups;

static counts *group_of(groups *g, const char *value, hf_arena *a)
{
    return hf_slice_item(g, sizeof(counts), value, a);
}

/* The item of value in l (analytics_int.h). */
void *hf_slice_item(hf_slice_list *l, size_t size, const char *value,
                    hf_arena *a)
{
    char *items = l->items;
    for (size_t k = l->n; k > 0; k--) { /* the sums come sorted by value */
        char *item = items + (k - 1) * size;
        if (strcmp(*(const char **)item, value) == 0)
            return item;
    }
    if (l->n == l->cap) {
        size_t cap = l->cap ? 2 * l->cap : 16;
        char *grown = hf_arena_alloc(a, cap * size);
        if (grown == NULL)
            return NULL;
        if (l->n)
            memcpy(grown, items, l->n * size);
        l->items = items = grown;
        l->cap = cap;
    }
    char *item = items + l->n++ * size;
    memset(item, 0, size);
    *(const char **)item = value;
    return item;
}

static const char *day_text(int64_t day, hf_arena *a)
{
    time_t secs = (time_t)(day * 86400);
    struct tm tm;
    gmtime_r(&secs, &tm);
    return hf_arena_printf(a, "%04d-%02d-%02d", tm.tm_year + 1900,
                           tm.tm_mon + 1, tm.tm_mday);
}

/* The sums of dim over from..to; by day when dim is "day", each day
 * shown `shift` days later. */
static hf_rc sums(hf_txn *t, const char *dim, int64_t from, int64_t to,
                  int64_t shift, hf_arena *a, hf_kpi_sum **s, size_t *n,
                  hf_err *err)
{
    if (strcmp(dim, "day") != 0)
        return hf_txn_kpi_sum(t, dim, from, to, a, s, n, err);
    hf_rc rc = hf_txn_kpi_sum_by_day(t, from, to, a, s, n, err);
    for (size_t i = 0; i < *n && rc == HF_OK; i++)
        if (((*s)[i].value = day_text(atoll((*s)[i].value) + shift, a)) == NULL)
            return oom(err);
    return rc;
}

static hf_rc gather(hf_txn *t, const char *dim, const hf_kpi_query *q,
                    hf_arena *a, groups *g, hf_err *err)
{
    hf_kpi_sum *s;
    size_t n;
    hf_rc rc = sums(t, dim, q->from_day, q->to_day, 0, a, &s, &n, err);
    for (size_t i = 0; i < n && rc == HF_OK; i++) {
        counts *c = group_of(g, s[i].value, a);
        if (c == NULL)
            return oom(err);
        fold(c, &s[i]);
    }
    if (rc != HF_OK)
        return rc;
    /* the save rate of a range is that of the requests whose 30 days
     * ended in it (made 30 days before), as far as they have ended */
    int64_t from = q->from_day - SAVE_WINDOW_DAYS;
    int64_t to = q->to_day - SAVE_WINDOW_DAYS;
    int64_t last = hf_analytics_day(q->now) - SAVE_WINDOW_DAYS;
    if (to > last)
        to = last;
    if (to < from)
        return HF_OK;
    rc = sums(t, dim, from, to, SAVE_WINDOW_DAYS, a, &s, &n, err);
    for (size_t i = 0; i < n && rc == HF_OK; i++) {
        bool req = strcmp(s[i].metric, "requests") == 0;
        bool lost = strcmp(s[i].metric, "requests_lost") == 0;
        if (!req && !lost)
            continue;
        counts *c = group_of(g, s[i].value, a);
        if (c == NULL)
            return oom(err);
        *(req ? &c->mature_requests : &c->mature_lost) += s[i].n;
    }
    return rc;
}

/* One KPI of a group, computed. */
typedef struct kpi {
    const char *name;        /* stable key */
    const char *label;       /* the seed's metric name */
    const char *description; /* the seed's description */
    const char *unit;        /* "ratio", "hours", "score" */
    bool below;              /* met when current < target (else >=) */
    double target;           /* NAN: none */
    bool known;              /* false: no data in the range */
    double current;
    int64_t n;        /* what the value is over (orders, requests, ...) */
    double p90;       /* resolution hours only; NAN otherwise */
    double low, high; /* 95% interval of a ratio with one; NAN otherwise */
} kpi;

enum { N_KPIS = 14 };

static double ratio(int64_t a, int64_t b)
{
    return b > 0 ? (double)a / (double)b : NAN;
}

/* The upper bound of the bucket holding the 90th percentile. */
static double p90_of(const resolution *r)
{
    int64_t cum = 0;
    for (int b = 0; r->resolved > 0 && b < N_BUCKETS; b++) {
        cum += r->buckets[b];
        if (cum * 10 >= r->resolved * 9)
            return b < N_BUCKETS - 1 ? bucket_hours[b] : INFINITY;
    }
    return NAN;
}

static kpi resolution_kpi(const char *name, const char *label,
                          const char *description, const resolution *r,
                          double target)
{
    return (kpi){name,
                 label,
                 description,
                 "hours",
                 true,
                 target,
                 r->resolved > 0,
                 ratio(r->seconds, r->resolved) / 3600.0,
                 r->resolved,
                 p90_of(r),
                 NAN,
                 NAN};
}

static kpi plain_kpi(const char *name, const char *label,
                     const char *description, const char *unit, bool below,
                     double target, int64_t num, int64_t den, double scale)
{
    return (kpi){name,  label,  description, unit,
                 below, target, den > 0,     ratio(num, den) * scale,
                 den,   NAN,    NAN,         NAN};
}

static void compute(const counts *c, const hf_kpi_targets *tg, kpi k[N_KPIS])
{
    int64_t saved = c->mature_requests - c->mature_lost;
    hf_interval save = hf_stats_wilson(saved, c->mature_requests);
    int64_t accepted = 0;
    for (int64_t i = 0; i < c->offers.n_keys; i++)
        if (strcmp(c->offers.items[i].key, "none") != 0)
            accepted += c->offers.items[i].n;
    kpi all[N_KPIS] = {
        plain_kpi("cancellation_rate", "Daily Cancellation Rate",
                  "Percentage of orders cancelled daily", "ratio", true,
                  tg->cancellation_rate, c->cancelled, c->placed, 1),
        plain_kpi("reason_distribution", "Cancellation Reason Distribution",
                  "Breakdown of cancellation reasons (shipping delays' share)",
                  "ratio", true, tg->shipping_delay_share,
                  keyed_get(&c->reasons, "shipping_delay"), c->cancelled, 1),
        resolution_kpi("cancellation_resolution_hours",
                       "Average Resolution Time for Cancellation Inquiries",
                       "Time taken to address customer cancellation inquiries",
                       &c->res[0], tg->resolution_hours),
        resolution_kpi("request_resolution_hours",
                       "Resolution Time, Self-service Requests",
                       "Cancellation requests from the self-service page",
                       &c->res[1], tg->resolution_hours),
        resolution_kpi("conversation_resolution_hours",
                       "Resolution Time, Conversations",
                       "Cancellation conversations (chat, email, agents)",
                       &c->res[2], tg->resolution_hours),
        plain_kpi("fulfillment_hours", "Fulfillment Time",
                  "Time from order placement to shipment", "hours", true,
                  tg->fulfillment_hours, c->fulfillment_s, c->shipped,
                  1 / 3600.0),
        plain_kpi("delivery_hours", "Delivery Time",
                  "Time from shipment to delivery", "hours", true,
                  tg->delivery_hours, c->delivery_s, c->delivery_n, 1 / 3600.0),
        plain_kpi("on_time_rate", "On-time Delivery Rate",
                  "Deliveries by the promised date", "ratio", false,
                  tg->on_time_rate, c->on_time, c->delivered, 1),
        plain_kpi("save_rate", "Save Rate",
                  "Requests whose order is not cancelled within 30 days",
                  "ratio", false, tg->save_rate, saved, c->mature_requests, 1),
        plain_kpi("escalation_rate", "Escalation Rate",
                  "Cancellation requests handed to an agent", "ratio", true,
                  tg->escalation_rate, c->escalated, c->requests, 1),
        plain_kpi("offer_rate", "Offers Made",
                  "Cancellation requests shown a retention offer", "ratio",
                  false, NAN, c->offers_made, c->requests, 1),
        plain_kpi("offer_acceptance_rate", "Offers Accepted",
                  "Requests shown an offer that kept one", "ratio", false, NAN,
                  accepted, c->offers_made, 1),
        plain_kpi("csat", "Customer Satisfaction (CSAT)",
                  "Survey: satisfaction with customer service, 1-5", "score",
                  false, tg->csat, c->csat_sum, c->surveys, 1),
        plain_kpi("would_recommend", "Would Recommend",
                  "Survey: would recommend us", "ratio", false,
                  tg->would_recommend, c->recommend_yes, c->surveys, 1),
    };
    all[8].low = save.low;
    all[8].high = save.high;
    memcpy(k, all, sizeof(all));
}

static bool met(const kpi *k)
{
    return k->below ? k->current < k->target : k->current >= k->target;
}

/* Whether the KPI has a verdict: data and a target. */
static bool judged(const kpi *k)
{
    return k->known && !isnan(k->target);
}

static const char *show(const kpi *k, double v, hf_arena *a)
{
    if (!k->known || isnan(v))
        return "n/a";
    if (isinf(v))
        return hf_arena_printf(a, "> %d h", bucket_hours[N_BUCKETS - 2]);
    if (strcmp(k->unit, "ratio") == 0)
        return hf_arena_printf(a, "%.2f%%", v * 100);
    if (strcmp(k->unit, "score") == 0)
        return hf_arena_printf(a, "%.2f", v);
    return hf_arena_printf(a, "%.1f h", v);
}

static const char *show_target(const kpi *k, hf_arena *a)
{
    if (isnan(k->target))
        return "-";
    return hf_arena_printf(
        a, "%s %s", k->below ? "<" : ">=",
        show(&(kpi){.known = true, .unit = k->unit}, k->target, a));
}

static void json_keyed(hf_jsonw *w, const char *key, const keyed *k)
{
    hf_jw_key(w, key);
    hf_jw_object(w);
    for (int64_t i = 0; i < k->n_keys; i++) {
        hf_jw_key(w, k->items[i].key);
        hf_jw_int(w, k->items[i].n);
    }
    hf_jw_object_end(w);
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
        {"requests_resolved", offsetof(counts, res[0].resolved)},
        {"requests_lost", offsetof(counts, lost)},
        {"conversations_retained", offsetof(counts, retained)},
        {"conversations_cancelled", offsetof(counts, outcome_cancelled)},
        {"conversations_escalated", offsetof(counts, escalated)},
        {"escalations_cancelled", offsetof(counts, escalations_cancelled)},
        {"offers_made", offsetof(counts, offers_made)},
        {"surveys_answered", offsetof(counts, surveys)},
    };
    hf_jw_key(w, "counts");
    hf_jw_object(w);
    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
        hf_jw_key(w, keys[i].key);
        hf_jw_int(w, *(const int64_t *)((const char *)c + keys[i].offset));
    }
    json_keyed(w, "offers_accepted", &c->offers);
    json_keyed(w, "offers_made_by_kind", &c->offered);
    hf_jw_object_end(w);
    /* each kind of offer: how often it was kept when it was shown */
    hf_jw_key(w, "offer_take_rates");
    hf_jw_object(w);
    for (int64_t i = 0; i < c->offered.n_keys; i++) {
        const char *kind = c->offered.items[i].key;
        int64_t shown = c->offered.items[i].n,
                kept = keyed_get(&c->offers, kind);
        if (kept > shown) /* requests offered before kinds were counted */
            kept = shown;
        hf_interval ci = hf_stats_wilson(kept, shown);
        hf_jw_key(w, kind);
        hf_jw_object(w);
        hf_jw_key(w, "shown");
        hf_jw_int(w, shown);
        hf_jw_key(w, "kept");
        hf_jw_int(w, kept);
        hf_jw_key(w, "rate");
        hf_jw_double(w, shown ? (double)kept / (double)shown : 0);
        hf_jw_key(w, "low");
        hf_jw_double(w, ci.low);
        hf_jw_key(w, "high");
        hf_jw_double(w, ci.high);
        hf_jw_object_end(w);
    }
    hf_jw_object_end(w);
    /* money kept by retention, per currency, net of the discounts */
    hf_jw_key(w, "revenue_kept");
    hf_jw_object(w);
    for (int64_t i = 0; i < c->revenue.n_keys; i++) {
        const char *cur = c->revenue.items[i].key;
        int64_t discounts = keyed_get(&c->discounts, cur);
        hf_jw_key(w, cur);
        hf_jw_object(w);
        hf_jw_key(w, "kept");
        hf_jw_int(w, c->revenue.items[i].n);
        hf_jw_key(w, "discounts_given");
        hf_jw_int(w, discounts);
        hf_jw_object_end(w);
    }
    hf_jw_object_end(w);
}

static void json_kpi(hf_jsonw *w, const kpi *k, const counts *c)
{
    hf_jw_object(w);
    hf_jw_key(w, "description");
    hf_jw_str(w, k->description);
    hf_jw_key(w, "unit");
    hf_jw_str(w, k->unit);
    hf_jw_key(w, "comparison");
    if (isnan(k->target))
        hf_jw_null(w);
    else
        hf_jw_str(w, k->below ? "<" : ">=");
    hf_jw_key(w, "target");
    hf_jw_double(w, k->target);
    hf_jw_key(w, "current");
    if (k->known)
        hf_jw_double(w, k->current);
    else
        hf_jw_null(w);
    hf_jw_key(w, "met");
    if (judged(k))
        hf_jw_bool(w, met(k));
    else
        hf_jw_null(w);
    hf_jw_key(w, "n");
    hf_jw_int(w, k->n);
    if (strcmp(k->unit, "hours") == 0 && strstr(k->name, "resolution")) {
        hf_jw_key(w, "p90");
        if (k->known && !isinf(k->p90))
            hf_jw_double(w, k->p90);
        else
            hf_jw_null(w);
    }
    if (!isnan(k->low) || strcmp(k->name, "save_rate") == 0) {
        hf_jw_key(w, "low");
        hf_jw_double(w, k->low);
        hf_jw_key(w, "high");
        hf_jw_double(w, k->high);
    }
    if (strcmp(k->name, "reason_distribution") == 0) {
        hf_jw_key(w, "reason");
        hf_jw_str(w, "shipping_delay");
        hf_jw_key(w, "shares");
        hf_jw_object(w);
        for (int64_t r = 0; r < c->reasons.n_keys; r++) {
            hf_jw_key(w, c->reasons.items[r].key);
            hf_jw_double(w, ratio(c->reasons.items[r].n, c->cancelled));
        }
        hf_jw_object_end(w);
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
        json_kpi(w, &k[i], c);
    }
    hf_jw_object_end(w);
    json_counts(w, c);
}

bool hf_analytics_parse_day(const char *s, int64_t *day)
{
    int y, m, d;
    char tail;
    if (s == NULL || strlen(s) != 10 ||
        sscanf(s, "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3 || m < 1 || m > 12 ||
        d < 1 || d > 31 || y < 1970)
        return false;
    *day = hf_days_from_civil(y, (unsigned)m, (unsigned)d);
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

static void csv_num(char *buf, size_t size, double v, const char *fmt)
{
    buf[0] = '\0';
    if (!isnan(v) && !isinf(v))
        snprintf(buf, size, fmt, v);
}

/* CSV: one row per group and metric. */
static void csv_rows(text *x, const char *dim, const counts *c,
                     const hf_kpi_targets *tg)
{
    kpi k[N_KPIS];
    compute(c, tg, k);
    for (int i = 0; i < N_KPIS; i++) {
        char cur[32], tgt[32], p90[32], low[32], high[32];
        csv_num(tgt, sizeof(tgt), k[i].target, "%.6g");
        csv_num(cur, sizeof(cur), k[i].known ? k[i].current : NAN, "%.10g");
        csv_num(p90, sizeof(p90), k[i].known ? k[i].p90 : NAN, "%.6g");
        csv_num(low, sizeof(low), k[i].low, "%.6g");
        csv_num(high, sizeof(high), k[i].high, "%.6g");
        put(x, "%s,%s,%s,%s,%s,%s,%s,%lld,%s,%s,%s\r\n", dim, c->value,
            k[i].name,
            isnan(k[i].target) ? ""
            : k[i].below       ? "<"
                               : ">=",
            tgt, cur, judged(&k[i]) ? (met(&k[i]) ? "true" : "false") : "",
            (long long)k[i].n, p90, low, high);
    }
}

static const char *money_text(int64_t minor, const char *currency, hf_arena *a)
{
    return hf_arena_printf(
        a, "%s %s%lld.%02lld", currency, minor < 0 ? "-" : "",
        (long long)(llabs(minor) / 100), (long long)(llabs(minor) % 100));
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
        else if (!isnan(k[i].low) && k[i].known)
            cur = hf_arena_printf(a, "%s (95%% CI %s-%s)", cur,
                                  show(&k[i], k[i].low, a),
                                  show(&k[i], k[i].high, a));
        const char *tgt = show_target(&k[i], a);
        if (strcmp(k[i].name, "reason_distribution") == 0)
            tgt = hf_arena_printf(a, "Shipping Delays %s", tgt);
        put(x, "%-52s  %-62s  %-24s  %s%s\n", k[i].label, k[i].description, tgt,
            cur ? cur : "n/a",
            judged(&k[i]) ? (met(&k[i]) ? "" : "  (missed)") : "");
    }
    const char *kept = "n/a";
    for (int64_t i = 0; i < c->revenue.n_keys; i++) {
        const char *cur = c->revenue.items[i].key;
        const char *one = hf_arena_printf(
            a, "%s (discounts %s)", money_text(c->revenue.items[i].n, cur, a),
            money_text(keyed_get(&c->discounts, cur), cur, a));
        kept = i == 0 ? one : hf_arena_printf(a, "%s; %s", kept, one);
    }
    put(x, "%-52s  %-62s  %-24s  %s\n", "Revenue Kept",
        "Order totals kept by retention, net of the discounts given", "-",
        kept ? kept : "n/a");
}

/* The slices `by` may name. */
static bool slice_known(const char *by)
{
    static const char *const known[] = {"day",           "channel", "region",
                                        "category",      "product", "reason",
                                        "policy_version"};
    for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
        if (strcmp(by, known[i]) == 0)
            return true;
    return false;
}

hf_rc hf_analytics_kpis_txn(hf_txn *t, const hf_kpi_targets *targets,
                            const hf_kpi_query *q, hf_kpi_format format,
                            hf_arena *a, const char **out, hf_err *err)
{
    if (q->by != NULL && !slice_known(q->by))
        return hf_fail(err, HF_EINVAL, "invalid", "by",
                       "by must be day, channel, region, category, product, "
                       "reason or policy_version");
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
    const counts *slice = by.items;
    const counts *total = all.n > 0 ? (const counts *)all.items : &none;
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
                hf_jw_str(&w, slice[i].value);
                json_kpis(&w, &slice[i], targets);
                hf_jw_object_end(&w);
            }
            hf_jw_array_end(&w);
        }
        hf_jw_object_end(&w);
        *out = hf_jw_finish(&w);
        return *out ? HF_OK : oom(err);
    }
    text x = {.a = a};
    if (format == HF_KPI_CSV) {
        put(&x, "dimension,value,metric,comparison,target,current,met,n,p90,"
                "low,high\r\n");
        csv_rows(&x, "all", total, targets);
        for (size_t i = 0; i < by.n; i++)
            csv_rows(&x, q->by, &slice[i], targets);
    } else {
        put(&x, "KPIs from %s to %s\n\n", from, to);
        put(&x, "%-52s  %-62s  %-24s  %s\n", "Metric", "Description", "Target",
            "Current");
        table_rows(&x, total, targets, a);
        for (size_t i = 0; i < by.n; i++) {
            put(&x, "\n%s %s\n", q->by, slice[i].value);
            table_rows(&x, &slice[i], targets, a);
        }
    }
    if (x.oom || x.s == NULL)
        return oom(err);
    *out = x.s;
    return HF_OK;
}
