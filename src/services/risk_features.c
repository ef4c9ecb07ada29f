/*
 * risk_features.c - an order's features for the cancellation-risk model,
 * the export that trains it, and the scorer that reads them (see
 * risk_features.h).
 */
#include "services/risk_features.h"
#include "core/validate.h"
#include "risk/model.h"
#include "util/mem.h"

#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The features, one row each, in the export's column order. */
static const char *const names[HF_RISK_NFEATURES] = {
    "total",                  /* minor units as placed (before changes) */
    "lines",                  /* order lines */
    "max_unit_price",         /* the dearest line's unit price */
    "main_category",          /* category of the line worth the most */
    "payment_method",         /* card, paypal, ... */
    "payment_gateway",        /* the gateway that authorized it */
    "shipping_method",        /* standard, express, ... */
    "ship_country",           /* ISO country of the shipping address */
    "ship_region",            /* its region (state, province) */
    "channel",                /* web, pos, marketplace, phone */
    "prior_orders",           /* the customer's orders placed earlier */
    "prior_cancellations",    /* of those, cancelled before this one */
    "prior_returns",          /* of those, returned before this one */
    "days_since_first_order", /* missing for a first order */
    "sku_cancel_rate",        /* highest cancellation rate of a SKU over
                                 the 90 days before the placement day */
    "sku_history_lines",      /* lines of this order's SKUs in those days */
    "hour",                   /* of placement, UTC */
    "weekday",                /* of placement, 0 Sunday .. 6 Saturday */
    "promised_days",          /* promised delivery, days after placement */
    "held",                   /* 1 when screening held it at placement */
    "delay_hours",            /* the shipments' expected delivery past the
                                 promise, hours (0 at placement) */
    "shipment_delayed",       /* 1 when a shipment is flagged delayed (0 at
                                 placement) */
    "address_issues",         /* what a carrier may stumble on in the
                                 shipping address (address_issues()) */
    "lane_late_rate",         /* share of the lane's deliveries after their
                                 promise, 90 days before the placement day;
                                 missing without deliveries */
    "lane_deliveries",        /* those deliveries */
    "hours_since_placement",  /* at the score (0 at placement) */
};

const char *hf_risk_feature_name(size_t f)
{
    return f < HF_RISK_NFEATURES ? names[f] : NULL;
}

bool hf_risk_order_held(const hf_order *o)
{
    for (size_t i = 0; i < o->n_events; i++)
        if (o->events[i].at == o->placed_at &&
            o->events[i].to == HF_STATUS_ON_HOLD)
            return true;
    return false;
}

/* The shipping address's problems: the validation reasons against it (a
 * PO box counts only where validation refuses it, which needs the config;
 * not here) plus one when it has no phone number for the carrier. */
static int address_issues(const hf_address *ad)
{
    hf_validate_result v;
    hf_validate_address(ad, true, false, &v);
    return (int)v.n_reasons + (ad->phone == NULL || ad->phone[0] == '\0');
}

static const char *text_or_blank(const char *s)
{
    return s ? s : "";
}

/* The order's lines as placed: ordered quantities, whatever was cancelled
 * since (a later cancellation must not show in the features). */
static void line_totals(const hf_order *o, hf_minor *subtotal,
                        hf_minor *max_price, size_t *main)
{
    hf_minor best = -1;
    *subtotal = *max_price = 0;
    *main = 0;
    for (size_t i = 0; i < o->n_lines; i++) {
        const hf_order_line *l = &o->lines[i];
        hf_minor v = l->unit_price * l->qty;
        *subtotal += v;
        if (l->unit_price > *max_price)
            *max_price = l->unit_price;
        if (v > best) {
            best = v;
            *main = i;
        }
    }
}

/* --- The windows' cache --------------------------------------------------- */

enum {
    CACHE_SLOTS = 1 << 14, /* entries; full, the cache starts afresh */
    CACHE_KEY = 64         /* longer keys are not cached */
};

typedef struct cache_entry {
    char key[CACHE_KEY]; /* "s" + SKU or "l" + lane; "" for a free slot */
    int64_t day;         /* the window ends before this day */
    int64_t a, b;        /* its two sums */
} cache_entry;

struct hf_risk_cache {
    pthread_mutex_t lock;
    size_t used;       /* slots taken */
    cache_entry *slot; /* [CACHE_SLOTS], open addressing */
};

hf_risk_cache *hf_risk_cache_new(void)
{
    hf_risk_cache *c = hf_calloc(1, sizeof(*c));
    if (c == NULL)
        return NULL;
    if ((c->slot = hf_calloc(CACHE_SLOTS, sizeof(*c->slot))) == NULL) {
        hf_free(c);
        return NULL;
    }
    pthread_mutex_init(&c->lock, NULL);
    return c;
}

void hf_risk_cache_free(hf_risk_cache *c)
{
    if (c == NULL)
        return;
    pthread_mutex_destroy(&c->lock);
    hf_free(c->slot);
    hf_free(c);
}

/* The slot for key and day in c: the entry, or the free slot where it
 * belongs. FNV-1a over the key and the day, linear probing. */
static cache_entry *cache_slot(hf_risk_cache *c, const char *key, int64_t day)
{
    uint64_t h = 14695981039346656037u ^ (uint64_t)day;
    for (const unsigned char *s = (const unsigned char *)key; *s; s++)
        h = (h ^ *s) * 1099511628211u;
    for (size_t i = (size_t)h % CACHE_SLOTS;; i = (i + 1) % CACHE_SLOTS) {
        cache_entry *e = &c->slot[i];
        if (e->key[0] == '\0' || (e->day == day && strcmp(e->key, key) == 0))
            return e;
    }
}

typedef hf_rc (*window_fn)(hf_txn *t, const char *key, hf_time before,
                           int64_t *a, int64_t *b, hf_err *err);

/* The window of key (kind 's' or 'l') before the day of `before`, through
 * c when there is one. */
static hf_rc window(hf_risk_cache *c, char kind, window_fn read, hf_txn *t,
                    const char *key, hf_time before, int64_t *a, int64_t *b,
                    hf_err *err)
{
    char k[CACHE_KEY];
    int len = snprintf(k, sizeof(k), "%c%s", kind, key);
    if (c == NULL || len < 0 || len >= CACHE_KEY)
        return read(t, key, before, a, b, err);
    int64_t day = before / HF_DAY;
    pthread_mutex_lock(&c->lock);
    cache_entry *e = cache_slot(c, k, day);
    bool hit = e->key[0] != '\0';
    if (hit)
        *a = e->a, *b = e->b;
    pthread_mutex_unlock(&c->lock);
    if (hit)
        return HF_OK;
    hf_rc rc = read(t, key, before, a, b, err);
    if (rc != HF_OK)
        return rc;
    pthread_mutex_lock(&c->lock);
    if (c->used >= CACHE_SLOTS / 2) { /* keep probes short: start afresh */
        memset(c->slot, 0, CACHE_SLOTS * sizeof(*c->slot));
        c->used = 0;
    }
    e = cache_slot(c, k, day);
    if (e->key[0] == '\0') {
        *e = (cache_entry){.day = day, .a = *a, .b = *b};
        memcpy(e->key, k, (size_t)len + 1);
        c->used++;
    }
    pthread_mutex_unlock(&c->lock);
    return HF_OK;
}

hf_rc hf_risk_features(hf_txn *t, const hf_order *o, bool held,
                       hf_risk_cache *cache, hf_arena *a, hf_risk_row *out,
                       hf_err *err)
{
    const char **v = out->value;
    hf_minor subtotal, max_price;
    size_t main;
    line_totals(o, &subtotal, &max_price, &main);
    v[0] =
        hf_arena_printf(a, "%lld", (long long)(subtotal + o->shipping_total));
    v[1] = hf_arena_printf(a, "%zu", o->n_lines);
    v[2] = hf_arena_printf(a, "%lld", (long long)max_price);
    v[3] = "";
    if (o->n_lines > 0) {
        hf_product p;
        hf_rc rc = hf_txn_product_get(t, o->lines[main].sku, a, &p, err);
        if (rc == HF_OK)
            v[3] = text_or_blank(p.category);
        else if (rc != HF_ENOTFOUND)
            return rc;
    }
    v[4] = text_or_blank(o->payment.method);
    v[5] = text_or_blank(o->payment.gateway);
    v[6] = hf_shipping_method_name(o->shipping_method);
    v[7] = text_or_blank(o->shipping_address.country);
    v[8] = text_or_blank(o->shipping_address.region);
    v[9] = text_or_blank(o->channel);

    hf_risk_history h;
    hf_rc rc = hf_txn_risk_customer(t, o->customer.id, o->placed_at, &h, err);
    if (rc != HF_OK)
        return rc;
    v[10] = hf_arena_printf(a, "%lld", (long long)h.orders);
    v[11] = hf_arena_printf(a, "%lld", (long long)h.cancelled);
    v[12] = hf_arena_printf(a, "%lld", (long long)h.returned);
    v[13] = h.orders > 0
                ? hf_arena_printf(a, "%.2f",
                                  (double)(o->placed_at - h.first_at) / HF_DAY)
                : "";

    int64_t past = 0;
    double worst = -1;
    for (size_t i = 0; i < o->n_lines; i++) {
        int64_t lines, cancelled;
        if ((rc = window(cache, 's', hf_txn_risk_sku, t, o->lines[i].sku,
                         o->placed_at, &lines, &cancelled, err)) != HF_OK)
            return rc;
        past += lines;
        if (lines > 0 && (double)cancelled / (double)lines > worst)
            worst = (double)cancelled / (double)lines;
    }
    v[14] = worst >= 0 ? hf_arena_printf(a, "%.4f", worst) : "";
    v[15] = hf_arena_printf(a, "%lld", (long long)past);

    int64_t day = o->placed_at / HF_DAY;
    v[16] = hf_arena_printf(a, "%d", (int)((o->placed_at % HF_DAY) / HF_HOUR));
    v[17] = hf_arena_printf(a, "%d", (int)((day + 4) % 7)); /* 1970-01-01 Thu */
    v[18] = hf_arena_printf(a, "%.2f",
                            (double)(o->promised_by - o->placed_at) / HF_DAY);
    v[19] = held ? "1" : "0";
    v[20] = "0"; /* nothing has shipped when the order is placed */
    v[21] = "0";
    v[22] = hf_arena_printf(a, "%d", address_issues(&o->shipping_address));
    int64_t delivered, late;
    const char *lane = hf_risk_lane(o, a);
    if (lane == NULL)
        return hf_fail(err, HF_ENOMEM, NULL, NULL, "out of memory");
    if ((rc = window(cache, 'l', hf_txn_risk_lane, t, lane, o->placed_at,
                     &delivered, &late, err)) != HF_OK)
        return rc;
    v[23] = delivered > 0
                ? hf_arena_printf(a, "%.4f", (double)late / (double)delivered)
                : "";
    v[24] = hf_arena_printf(a, "%lld", (long long)delivered);
    v[25] = "0";
    for (size_t f = 0; f < HF_RISK_NFEATURES; f++)
        if (v[f] == NULL)
            return hf_fail(err, HF_ENOMEM, NULL, NULL, "out of memory");
    return HF_OK;
}

const char *hf_risk_lane(const hf_order *o, hf_arena *a)
{
    return hf_arena_printf(a, "%s|%s|%s",
                           hf_shipping_method_name(o->shipping_method),
                           text_or_blank(o->shipping_address.country),
                           text_or_blank(o->shipping_address.region));
}

hf_rc hf_risk_lane_delivered(hf_txn *t, const hf_order *o, hf_time delivered_at,
                             hf_time now, hf_arena *a, hf_err *err)
{
    const char *lane = hf_risk_lane(o, a);
    if (lane == NULL)
        return hf_fail(err, HF_ENOMEM, NULL, NULL, "out of memory");
    return hf_txn_risk_lane_add(t, lane, now, delivered_at > o->promised_by,
                                err);
}

hf_rc hf_risk_features_now(hf_txn *t, const hf_order *o, hf_time now,
                           hf_risk_cache *cache, hf_arena *a, hf_risk_row *out,
                           hf_err *err)
{
    hf_rc rc =
        hf_risk_features(t, o, hf_risk_order_held(o), cache, a, out, err);
    if (rc != HF_OK)
        return rc;
    hf_shipment_filter f = {-1, 0, o->seq, 0, 100};
    hf_shipment *sh;
    size_t n;
    if ((rc = hf_txn_shipment_list(t, &f, a, &sh, &n, err)) != HF_OK)
        return rc;
    hf_time late = 0;
    bool delayed = false;
    for (size_t i = 0; i < n; i++) {
        hf_time promised =
            sh[i].promised_by ? sh[i].promised_by : o->promised_by;
        if (promised != 0 && sh[i].eta.expected - promised > late)
            late = sh[i].eta.expected - promised;
        delayed = delayed || sh[i].eta.delayed;
    }
    out->value[20] = hf_arena_printf(a, "%.2f", (double)late / HF_HOUR);
    out->value[21] = delayed ? "1" : "0";
    out->value[25] = hf_arena_printf(
        a, "%.2f",
        now > o->placed_at ? (double)(now - o->placed_at) / HF_HOUR : 0.0);
    if (out->value[20] == NULL || out->value[25] == NULL)
        return hf_fail(err, HF_ENOMEM, NULL, NULL, "out of memory");
    return HF_OK;
}

/* --- The export ----------------------------------------------------------- */

/* Writes s as a CSV field, quoted when it needs to be. */
static void put_field(FILE *f, const char *s)
{
    if (strpbrk(s, ",\"\r\n") == NULL) {
        fputs(s, f);
        return;
    }
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', f);
        fputc(*s, f);
    }
    fputc('"', f);
}

typedef struct export_args {
    hf_time until;
    FILE *f;
    size_t rows;
} export_args;

static hf_rc export_fn(hf_txn *t, void *arg, hf_err *err)
{
    export_args *x = arg;
    hf_arena *list = hf_arena_new(1 << 20), *a = hf_arena_new(1 << 16);
    hf_rc rc = list && a ? HF_OK
                         : hf_fail(err, HF_ENOMEM, NULL, NULL, "out of memory");
    int64_t *seqs = NULL;
    size_t n = 0;
    if (rc == HF_OK)
        rc = hf_txn_risk_orders(t, x->until, list, &seqs, &n, err);
    for (size_t f = 0; f < HF_RISK_NFEATURES && rc == HF_OK; f++)
        fprintf(x->f, "%s,", names[f]);
    if (rc == HF_OK)
        fputs("placed_at,cancelled\n", x->f);
    for (size_t i = 0; i < n && rc == HF_OK; i++) {
        hf_arena_reset(a);
        hf_order o;
        char number[32], when[HF_TIME_TEXT];
        snprintf(number, sizeof(number), "HF-%lld", (long long)seqs[i]);
        hf_risk_row row;
        if ((rc = hf_txn_order_get(t, number, a, &o, err)) != HF_OK ||
            (rc = hf_risk_features(t, &o, hf_risk_order_held(&o), NULL, a, &row,
                                   err)) != HF_OK)
            break;
        for (size_t f = 0; f < HF_RISK_NFEATURES; f++) {
            put_field(x->f, row.value[f]);
            fputc(',', x->f);
        }
        fprintf(x->f, "%s,%d\n", hf_time_format(o.placed_at, when),
                o.status == HF_STATUS_CANCELLED ? 1 : 0);
        x->rows++;
    }
    hf_arena_free(a);
    hf_arena_free(list);
    return rc;
}

hf_rc hf_risk_export(hf_store *s, hf_time until, FILE *f, size_t *rows,
                     hf_err *err)
{
    export_args x = {until, f, 0};
    hf_rc rc = hf_store_read(s, export_fn, &x, err);
    *rows = x.rows;
    if (rc == HF_OK && (fflush(f) != 0 || ferror(f)))
        rc = hf_fail(err, HF_EIO, "io", NULL, "writing the export failed");
    return rc;
}

/* --- The scorer ----------------------------------------------------------- */

struct hf_risk_scorer {
    hf_risk_model *model;
    const hf_risk_encoding *enc; /* the model's */
    size_t nf;                   /* the encoding's features */
    int *feature;                /* [nf]: our feature index, -1 none */
    char *name;                  /* the model file's name */
    pthread_mutex_t lock;        /* the model is not thread-safe */
};

hf_rc hf_risk_scorer_load(const char *path, hf_risk_scorer **out, hf_err *err)
{
    *out = NULL;
    hf_risk_scorer *sc = hf_calloc(1, sizeof(*sc));
    if (sc == NULL)
        return hf_fail(err, HF_ENOMEM, NULL, NULL, "out of memory");
    pthread_mutex_init(&sc->lock, NULL);
    hf_rc rc = hf_risk_model_load(path, 1, &sc->model, err);
    if (rc != HF_OK) {
        hf_risk_scorer_free(sc);
        return rc;
    }
    sc->enc = hf_risk_model_encoding(sc->model);
    sc->nf = hf_risk_encoding_features(sc->enc);
    const char *slash = strrchr(path, '/');
    sc->name = hf_strdup(slash ? slash + 1 : path);
    sc->feature = hf_calloc(sc->nf ? sc->nf : 1, sizeof(*sc->feature));
    if (sc->name == NULL || sc->feature == NULL) {
        hf_risk_scorer_free(sc);
        return hf_fail(err, HF_ENOMEM, NULL, NULL, "out of memory");
    }
    size_t known = 0;
    for (size_t i = 0; i < sc->nf; i++) {
        sc->feature[i] = -1;
        for (size_t f = 0; f < HF_RISK_NFEATURES; f++)
            if (strcmp(hf_risk_encoding_name(sc->enc, i), names[f]) == 0)
                sc->feature[i] = (int)f;
        known += sc->feature[i] >= 0;
    }
    if (known == 0) {
        hf_risk_scorer_free(sc);
        return hf_fail(err, HF_EINVAL, "bad_model", NULL,
                       "%s: none of the model's columns is an order feature "
                       "(train it on `holdfast risk export`)",
                       path);
    }
    *out = sc;
    return HF_OK;
}

void hf_risk_scorer_free(hf_risk_scorer *sc)
{
    if (sc == NULL)
        return;
    pthread_mutex_destroy(&sc->lock);
    hf_risk_model_free(sc->model);
    hf_free(sc->feature);
    hf_free(sc->name);
    hf_free(sc);
}

const char *hf_risk_scorer_name(const hf_risk_scorer *sc)
{
    return sc->name;
}

/* Encodes row through the model's encoding into x[0..nf). */
static void encode(const hf_risk_scorer *sc, const hf_risk_row *row, float *x)
{
    for (size_t i = 0; i < sc->nf; i++)
        x[i] = sc->feature[i] < 0 ? NAN
                                  : hf_risk_encoding_value(
                                        sc->enc, i, row->value[sc->feature[i]]);
}

hf_rc hf_risk_scorer_score(hf_risk_scorer *sc, const hf_risk_row *row,
                           double *score, hf_err *err)
{
    float stack[64], *x = sc->nf <= 64 ? stack : hf_malloc(sc->nf * 4);
    if (x == NULL)
        return hf_fail(err, HF_ENOMEM, NULL, NULL, "out of memory");
    encode(sc, row, x);
    float s = 0;
    pthread_mutex_lock(&sc->lock);
    hf_rc rc = hf_risk_model_predict(sc->model, x, 1, &s, err);
    pthread_mutex_unlock(&sc->lock);
    if (x != stack)
        hf_free(x);
    *score = s;
    return rc;
}

hf_rc hf_risk_scorer_explain(hf_risk_scorer *sc, const hf_risk_row *row,
                             double *score, hf_risk_contribution *top,
                             size_t *n, hf_err *err)
{
    *n = 0;
    float *x = hf_malloc((2 * sc->nf + 1) * sizeof(*x));
    if (x == NULL)
        return hf_fail(err, HF_ENOMEM, NULL, NULL, "out of memory");
    float *c = x + sc->nf, s = 0;
    encode(sc, row, x);
    pthread_mutex_lock(&sc->lock);
    hf_rc rc = hf_risk_model_predict(sc->model, x, 1, &s, err);
    if (rc == HF_OK)
        rc = hf_risk_model_contribs(sc->model, x, c, err);
    pthread_mutex_unlock(&sc->lock);
    *score = s;
    /* a selection of the largest |c|, HF_RISK_TOP at most */
    for (size_t k = 0; k < HF_RISK_TOP && rc == HF_OK; k++) {
        size_t best = sc->nf;
        for (size_t i = 0; i < sc->nf; i++)
            if (sc->feature[i] >= 0 && !isnan(c[i]) &&
                (best == sc->nf || fabsf(c[i]) > fabsf(c[best])))
                best = i;
        if (best == sc->nf)
            break;
        top[k] = (hf_risk_contribution){hf_risk_encoding_name(sc->enc, best),
                                        row->value[sc->feature[best]], c[best]};
        c[best] = NAN;
        (*n)++;
    }
    hf_free(x);
    return rc;
}
