/*
 * risk_features.h - the cancellation-risk model's view of an order: one
 * row of named features taken from the order and from the store's history
 * as it stood when the order was placed (nothing that happened later: not
 * the order's own status or cancellation, not a later order's fate), and
 * the delivery features (delay past the promise), which are 0 at placement
 * and read from the shipments when a tracking event re-scores the order.
 *
 * The same code makes the rows of `holdfast risk export` (training) and
 * the row scored at placement, and the features carry the same names in
 * both, so a model trained on an export reads the placement rows through
 * its saved encoding (risk/encode.h) exactly as it read the file.
 *
 * A scorer (hf_risk_scorer) is a loaded model plus the map from its
 * encoding's columns to these features; it is safe to share between
 * threads (a mutex guards the model).
 */
#ifndef HF_RISK_FEATURES_H
#define HF_RISK_FEATURES_H

#include "core/order.h"
#include "store/store.h"
#include "util/arena.h"

#include <stdbool.h>
#include <stdio.h>

#define HF_RISK_NFEATURES 26 /* features in a row */
#define HF_RISK_TOP 5        /* contributions GET .../risk reports */

/* One order's features as text cells, as they appear in the export. */
typedef struct hf_risk_row {
    const char *value[HF_RISK_NFEATURES]; /* "" when missing */
} hf_risk_row;

/* The name of feature f (the export's column header). */
const char *hf_risk_feature_name(size_t f);

/*
 * A cache of the SKUs' and lanes' 90-day windows, for a process that
 * scores orders as they are placed. A window ends before the placement's
 * day and its counters are written on the day they are recorded (the
 * clock's, never earlier), so once read it never changes: every order
 * placed the same day on the same SKU or lane reads it from here, not
 * from the store. One cache belongs to one store; it is safe to share
 * between threads.
 */
typedef struct hf_risk_cache hf_risk_cache;

/* A new, empty cache; NULL when out of memory. */
hf_risk_cache *hf_risk_cache_new(void);

/* Frees c (NULL is fine). */
void hf_risk_cache_free(hf_risk_cache *c);

/* Computes o's features as of o->placed_at. o must have its customer id,
 * lines (sku, qty, unit_price), shipping, payment, placed_at and
 * promised_by; held says whether screening held it at placement; cache
 * (NULL: none) keeps the windows read. Strings go into a. Errors: the
 * store's. */
hf_rc hf_risk_features(hf_txn *t, const hf_order *o, bool held,
                       hf_risk_cache *cache, hf_arena *a, hf_risk_row *out,
                       hf_err *err);

/* Computes o's features as they stand at now, for a score after
 * placement: those of hf_risk_features (history as of placement; held
 * from the timeline) with the delivery features (delay_hours,
 * shipment_delayed) read from o's shipments as they are and the hours
 * since placement. Errors: the store's. */
hf_rc hf_risk_features_now(hf_txn *t, const hf_order *o, hf_time now,
                           hf_risk_cache *cache, hf_arena *a, hf_risk_row *out,
                           hf_err *err);

/* o's lane for the delivery history: "method|country|region" of its
 * shipping (the carrier service is the shipping method's; the carrier
 * itself is not known at placement). In a; NULL when out of memory. */
const char *hf_risk_lane(const hf_order *o, hf_arena *a);

/* Counts o's delivery at delivered_at on its lane, late when after the
 * promise, on the day of now (the clock's, so that a window read before,
 * which ends before today, never changes). Errors: the store's. */
hf_rc hf_risk_lane_delivered(hf_txn *t, const hf_order *o, hf_time delivered_at,
                             hf_time now, hf_arena *a, hf_err *err);

/* True when screening held o at placement (its timeline says so). */
bool hf_risk_order_held(const hf_order *o);

/* Writes the export of every order placed before until (oldest first) as
 * CSV to f: the features, placed_at (RFC 3339) and cancelled (0/1, the
 * label). *rows gets the number of orders written. Errors: the store's,
 * HF_EIO when writing fails. */
hf_rc hf_risk_export(hf_store *s, hf_time until, FILE *f, size_t *rows,
                     hf_err *err);

typedef struct hf_risk_scorer hf_risk_scorer;

/* Loads a model written by `holdfast risk train` (risk/model.h) and maps
 * its columns to the features; a column that is no feature here reads as
 * missing. Errors: those of hf_risk_model_load; HF_EINVAL when not one of
 * the model's columns is a feature. Free with hf_risk_scorer_free. */
hf_rc hf_risk_scorer_load(const char *path, hf_risk_scorer **out, hf_err *err);

/* Frees sc (NULL is fine). */
void hf_risk_scorer_free(hf_risk_scorer *sc);

/* The model's name as orders record it: its file name. Owned by sc. */
const char *hf_risk_scorer_name(const hf_risk_scorer *sc);

/* Scores a row: the probability of cancellation. Errors: the model's. */
hf_rc hf_risk_scorer_score(hf_risk_scorer *sc, const hf_risk_row *row,
                           double *score, hf_err *err);

/* One feature's part in a score. */
typedef struct hf_risk_contribution {
    const char *name;    /* the feature (owned by the scorer) */
    const char *value;   /* its text in the row */
    double contribution; /* SHAP value, in log-odds */
} hf_risk_contribution;

/* Scores row and lists the HF_RISK_TOP features that moved the score
 * most (by |contribution|, largest first) into top[0..*n). Errors: the
 * model's. */
hf_rc hf_risk_scorer_explain(hf_risk_scorer *sc, const hf_risk_row *row,
                             double *score, hf_risk_contribution *top,
                             size_t *n, hf_err *err);

#endif
