/*
 * outlook.h - the inventory outlook: per SKU, a seasonal forecast of
 * demand from the order history and the days the available stock covers
 * (docs/analytics.md, "Demand outlook").
 */
#ifndef HF_OUTLOOK_H
#define HF_OUTLOOK_H

#include "services/services.h"

typedef struct hf_outlook_query {
    hf_time now;
    int history_days; /* days of history fitted; 14..365 */
    int horizon_days; /* days forecast; 1..90 */
    const char *sku;  /* one SKU only; NULL: every active SKU */
    int limit;        /* SKUs answered, least covered first */
} hf_outlook_query;

/* The outlook as JSON: {"as_of", "history_days", "horizon_days",
 * "method", "skus": [{"sku", "available", "mean_daily_demand",
 * "forecast": [...], "days_of_cover", "stockout_date", "model"}]}, least
 * days of cover first. Errors: HF_EINVAL (with the field) for a range out
 * of bounds; HF_ENOTFOUND for an unknown sku; the store's. */
hf_rc hf_outlook_txn(hf_txn *t, const hf_outlook_query *q, hf_arena *a,
                     const char **json, hf_err *err);

#endif
