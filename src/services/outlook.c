/* outlook.c - demand forecasts and days of cover per SKU (outlook.h). */
#include "services/outlook.h"

#include "core/forecast.h"
#include "util/jsonw.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

enum { WEEK = 7 };

typedef struct sku_outlook {
    const char *sku;
    int64_t available;
    double *forecast; /* horizon values */
    double mean;      /* per day over the horizon */
    double cover;     /* days; INFINITY without demand */
    int stockout;     /* forecast day the stock runs out; -1: not within */
    hf_hw_fit fit;
} sku_outlook;

static int by_cover(const void *pa, const void *pb)
{
    const sku_outlook *a = pa, *b = pb;
    if (a->cover != b->cover)
        return a->cover < b->cover ? -1 : 1;
    return strcmp(a->sku, b->sku);
}

static int find_sku(const hf_sku_units *avail, size_t n, const char *sku)
{
    size_t lo = 0, hi = n; /* avail is sorted by SKU */
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int c = strcmp(avail[mid].sku, sku);
        if (c == 0)
            return (int)mid;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return -1;
}

static void sku_json(hf_jsonw *w, const sku_outlook *o, int horizon,
                     int64_t today)
{
    hf_jw_object(w);
    hf_jw_key(w, "sku");
    hf_jw_str(w, o->sku);
    hf_jw_key(w, "available");
    hf_jw_int(w, o->available);
    hf_jw_key(w, "mean_daily_demand");
    hf_jw_double(w, o->mean);
    hf_jw_key(w, "forecast");
    hf_jw_array(w);
    for (int h = 0; h < horizon; h++)
        hf_jw_double(w, o->forecast[h]);
    hf_jw_array_end(w);
    hf_jw_key(w, "days_of_cover");
    hf_jw_double(w, o->cover);
    hf_jw_key(w, "stockout_date");
    if (o->stockout >= 0)
        hf_jw_time(w, (today + o->stockout) * HF_DAY);
    else
        hf_jw_null(w);
    hf_jw_key(w, "model");
    hf_jw_object(w);
    hf_jw_key(w, "method");
    hf_jw_str(w, o->fit.method);
    if (strcmp(o->fit.method, "holt_winters") == 0) {
        hf_jw_key(w, "alpha");
        hf_jw_double(w, o->fit.alpha);
        hf_jw_key(w, "beta");
        hf_jw_double(w, o->fit.beta);
        hf_jw_key(w, "gamma");
        hf_jw_double(w, o->fit.gamma);
    }
    hf_jw_object_end(w);
    hf_jw_object_end(w);
}

hf_rc hf_outlook_txn(hf_txn *t, const hf_outlook_query *q, hf_arena *a,
                     const char **json, hf_err *err)
{
    if (q->history_days < 2 * WEEK || q->history_days > 365)
        return hf_fail(err, HF_EINVAL, "invalid", "history_days",
                       "history_days must be 14 to 365");
    if (q->horizon_days < 1 || q->horizon_days > 90)
        return hf_fail(err, HF_EINVAL, "invalid", "days",
                       "days must be 1 to 90");
    /* whole days of history, ending with yesterday */
    int64_t today = q->now / HF_DAY, first = today - q->history_days;
    hf_sku_units *avail, *units;
    size_t n_avail, n_units;
    hf_rc rc = hf_txn_outlook_available(t, a, &avail, &n_avail, err);
    if (rc == HF_OK)
        rc = hf_txn_outlook_units(t, first * HF_DAY, today * HF_DAY, a, &units,
                                  &n_units, err);
    if (rc != HF_OK)
        return rc;
    if (q->sku != NULL && find_sku(avail, n_avail, q->sku) < 0)
        return hf_fail(err, HF_ENOTFOUND, "not_found", "sku",
                       "no active product %s", q->sku);
    size_t hist = (size_t)q->history_days, hz = (size_t)q->horizon_days;
    double *series = hf_arena_zalloc(a, n_avail * hist * sizeof(*series));
    sku_outlook *out = hf_arena_zalloc(a, (n_avail + 1) * sizeof(*out));
    if ((n_avail && series == NULL) || out == NULL)
        return hf_fail(err, HF_ENOMEM, NULL, NULL, "out of memory");
    for (size_t i = 0; i < n_units; i++) {
        int k = find_sku(avail, n_avail, units[i].sku);
        int64_t d = units[i].day - first;
        if (k >= 0 && d >= 0 && d < (int64_t)hist)
            series[(size_t)k * hist + (size_t)d] += (double)units[i].units;
    }
    size_t n = 0;
    for (size_t k = 0; k < n_avail; k++) {
        if (q->sku != NULL && strcmp(avail[k].sku, q->sku) != 0)
            continue;
        sku_outlook *o = &out[n++];
        o->sku = avail[k].sku;
        o->available = avail[k].units;
        o->forecast = hf_arena_alloc(a, hz * sizeof(double));
        if (o->forecast == NULL)
            return hf_fail(err, HF_ENOMEM, NULL, NULL, "out of memory");
        hf_forecast(&series[k * hist], hist, WEEK, hz, o->forecast, &o->fit);
        double total = 0, left = (double)o->available;
        o->stockout = -1;
        for (size_t h = 0; h < hz; h++) {
            total += o->forecast[h];
            left -= o->forecast[h];
            if (left < 0 && o->stockout < 0)
                o->stockout = (int)h;
        }
        o->mean = total / (double)hz;
        o->cover = o->mean > 0 ? (double)o->available / o->mean : INFINITY;
    }
    qsort(out, n, sizeof(*out), by_cover);
    hf_jsonw w;
    hf_jw_init(&w, a);
    hf_jw_object(&w);
    hf_jw_key(&w, "as_of");
    hf_jw_time(&w, q->now);
    hf_jw_key(&w, "history_days");
    hf_jw_int(&w, q->history_days);
    hf_jw_key(&w, "horizon_days");
    hf_jw_int(&w, q->horizon_days);
    hf_jw_key(&w, "method");
    hf_jw_str(&w, "holt_winters_additive_weekly");
    hf_jw_key(&w, "skus");
    hf_jw_array(&w);
    for (size_t i = 0; i < n && (q->limit <= 0 || i < (size_t)q->limit); i++)
        sku_json(&w, &out[i], q->horizon_days, today);
    hf_jw_array_end(&w);
    hf_jw_object_end(&w);
    *json = hf_jw_finish(&w);
    return *json ? HF_OK : hf_fail(err, HF_ENOMEM, NULL, NULL, "out of memory");
}
