/*
 * analytics.h - the cancellation KPIs, from daily aggregates kept current
 * as events happen.
 *
 * Every order event and every cancellation request that moves a KPI adds
 * to counters of the kpi_daily table in the transaction that records it:
 * one counter per (day, dimension, value, metric), for the dimensions
 * "all", "channel", "region" (shipping country, or country-region) and
 * "category" and "product" (of the order's main line), fixed when the
 * order is placed, and for a cancellation request's counters also
 * "reason" and "policy_version". A KPI over a date range sums those
 * counters and never reads orders. docs/analytics.md defines every
 * metric.
 */
#ifndef HF_ANALYTICS_H
#define HF_ANALYTICS_H

#include "core/order.h"
#include "store/store.h"
#include "util/config.h"

#include <stdbool.h>

/* --- Keeping the aggregates --------------------------------------------- */

/* Adds what event e of order o (as it is after the event) moves: placed,
 * cancelled (with its reason, and the requests it decides), shipped (with
 * the fulfilment time), delivered (on time or not). Other events add
 * nothing. Errors: the store's. */
hf_rc hf_analytics_order_event(hf_txn *t, const hf_order *o,
                               const hf_order_event *e, hf_arena *a,
                               hf_err *err);

/* Counts the cancellation request (a conversation) c about o, begun at
 * c->created_at, under o's slices and c's reason and policy version. */
hf_rc hf_analytics_request(hf_txn *t, const hf_order *o,
                           const hf_conversation *c, hf_arena *a, hf_err *err);

/* Counts that request c was first presented offers, at c->offered_at,
 * and each kind among them (kinds[0..n_kinds), "discount", "swap", ...;
 * a kind named twice counts once). */
hf_rc hf_analytics_offered(hf_txn *t, const hf_order *o,
                           const hf_conversation *c, const char *const *kinds,
                           size_t n_kinds, hf_arena *a, hf_err *err);

/* Counts the first outcome of request c ("retained", "cancelled" or
 * "escalated"), reached at c->outcome_at. Retained and cancelled resolve
 * the request (its resolution time is counted); retained also counts the
 * offer the order kept in c and the revenue kept (c->kept_total, net of
 * the discount c->kept_discount); escalated waits for
 * hf_analytics_resolved when the agent closes it (or ends in
 * hf_analytics_escalation_cancelled). */
hf_rc hf_analytics_outcome(hf_txn *t, const hf_order *o,
                           const hf_conversation *c, hf_arena *a, hf_err *err);

/* Counts the resolution of request c at `at` (an agent closed its
 * escalation, or a person cancelled its order). */
hf_rc hf_analytics_resolved(hf_txn *t, const hf_order *o,
                            const hf_conversation *c, hf_time at, hf_arena *a,
                            hf_err *err);

/* Counts that the escalation of request c closed at `at` because its order
 * o was cancelled ("escalations_cancelled"). No agent resolved it, so it
 * is not a resolution: the resolution times keep measuring how soon the
 * policy or an agent settles a request, and these, the handed-over
 * requests that ended in a cancellation before an agent closed them, are
 * counted beside them. */
hf_rc hf_analytics_escalation_cancelled(hf_txn *t, const hf_order *o,
                                        const hf_conversation *c, hf_time at,
                                        hf_arena *a, hf_err *err);

/* What a rebuild found. */
typedef struct hf_kpi_rebuild {
    int64_t orders, conversations, escalations; /* replayed */
    int64_t rows_before, rows_after;            /* counters in kpi_daily */
    int64_t differences;        /* counters whose value the rebuild changed (or
                                   created, or dropped) */
    char first_difference[256]; /* "day dim value metric: old -> new" */
} hf_kpi_rebuild;

/* Recomputes every daily aggregate from the base tables (orders with
 * their timelines, conversations, escalations, accepted offers, survey
 * answers) in one write transaction: the counters are cleared and each
 * order's events, then each conversation, then each closed escalation is
 * counted again through the functions above, as it was when it happened.
 * With check_only the recomputation is compared and rolled back. out
 * says what differed. Errors: the store's. */
hf_rc hf_analytics_rebuild(hf_store *store, bool check_only,
                           hf_kpi_rebuild *out, hf_err *err);

/* --- The KPIs ----------------------------------------------------------- */

/* The targets, from [kpi] (the seed's dashboard by default). */
typedef struct hf_kpi_targets {
    double cancellation_rate;    /* below; 0.01 */
    double shipping_delay_share; /* below; 0.20 */
    double resolution_hours;     /* below; 24 (requests and conversations) */
    double fulfillment_hours;    /* below; 48 */
    double save_rate;            /* at least; 0.30 */
    double on_time_rate;         /* at least; 0.95 */
    double delivery_hours;       /* below; 120 */
    double escalation_rate;      /* below; 0.10 */
    double csat;                 /* at least; 4.0 (of 5) */
    double would_recommend;      /* at least; 0.70 */
} hf_kpi_targets;

/* Reads [kpi] cancellation_rate, shipping_delay_share, resolution_hours,
 * fulfillment_hours, save_rate, on_time_rate, delivery_hours,
 * escalation_rate, csat, would_recommend. HF_EINVAL (field: the key) for
 * a value that is not a non-negative number. */
hf_rc hf_kpi_targets_load(const hf_config *c, hf_kpi_targets *out, hf_err *err);

typedef struct hf_kpi_query {
    int64_t from_day, to_day; /* days since 1970-01-01 UTC, inclusive */
    const char *by;           /* NULL or a slice: "day", "channel",
                                 "region", "category", "product", "reason",
                                 "policy_version" */
    hf_time now;              /* for the save rate's 30-day maturity */
} hf_kpi_query;

typedef enum hf_kpi_format {
    HF_KPI_JSON,
    HF_KPI_CSV,
    HF_KPI_TABLE
} hf_kpi_format;

/* The KPIs of q as a JSON document, CSV or a text table (in a's memory).
 * Errors: HF_EINVAL (field "by") for an unknown dimension; the store's. */
hf_rc hf_analytics_kpis_txn(hf_txn *t, const hf_kpi_targets *targets,
                            const hf_kpi_query *q, hf_kpi_format format,
                            hf_arena *a, const char **out, hf_err *err);

/* What drives cancellations over q's days (q->by unused): the products,
 * categories and regions whose cancellation rate is above the rest's
 * (orders, cancelled, rate, expected, the exact one-sided binomial test's
 * p-value and Holm-adjusted p-value, significant), and the correlation of
 * the daily cancellation rate with the resolution time of cancellation
 * inquiries, the fulfilment time and the share of late deliveries.
 * docs/analytics.md, "Drivers". Errors: HF_EINVAL (field "to"); the
 * store's. */
hf_rc hf_analytics_drivers_txn(hf_txn *t, const hf_kpi_query *q, hf_arena *a,
                               const char **json, hf_err *err);

/* Parses "YYYY-MM-DD" into days since 1970-01-01; false when malformed. */
bool hf_analytics_parse_day(const char *s, int64_t *day);

/* The day of time t (UTC). */
int64_t hf_analytics_day(hf_time t);

#endif
