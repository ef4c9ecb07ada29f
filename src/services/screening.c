/*
 * screening.c - validation and fraud screening at placement, the address
 * correction that releases a hold, and the review queue's decisions.
 */
#include "services/screening.h"
#include "services/orders_int.h"
#include "util/id.h"
#include "util/jsonw.h"

#include <ctype.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { ADDRESS_FIX_DAYS = 3 };

/* --- Configuration ------------------------------------------------------- */

static void defaults(hf_screening_config *cfg)
{
    memset(cfg, 0, sizeof(*cfg));
    hf_fraud_config_default(&cfg->fraud);
    cfg->duplicate_window_min = HF_DUPLICATE_WINDOW_DEFAULT;
    cfg->po_box_refused[HF_SHIP_EXPEDITED] = true;
    cfg->address_fix_days = ADDRESS_FIX_DAYS;
}

static hf_rc int_key(const hf_config *c, const char *key, int lo, int hi,
                     int *out, hf_err *err)
{
    const char *v = hf_config_get(c, key, NULL);
    if (v == NULL)
        return HF_OK;
    char *end;
    long n = strtol(v, &end, 10);
    if (end == v || *end != '\0' || n < lo || n > hi)
        return hf_fail(err, HF_EINVAL, "bad_config", key,
                       "%s must be an integer from %d to %d", key, lo, hi);
    *out = (int)n;
    return HF_OK;
}

hf_rc hf_screening_config_load(const hf_config *c, hf_screening_config *cfg,
                               hf_err *err)
{
    defaults(cfg);
    if (c == NULL)
        return HF_OK;
    hf_rc rc = hf_fraud_config_load(c, &cfg->fraud, err);
    if (rc == HF_OK)
        rc = int_key(c, "validation.duplicate_window_minutes", 0, 24 * 60,
                     &cfg->duplicate_window_min, err);
    if (rc == HF_OK)
        rc = int_key(c, "validation.address_fix_days", 1, 60,
                     &cfg->address_fix_days, err);
    const char *list = hf_config_get(c, "validation.po_box_refused", NULL);
    if (rc != HF_OK || list == NULL)
        return rc;
    /* "expedited", "standard, expedited" or "none" */
    memset(cfg->po_box_refused, 0, sizeof(cfg->po_box_refused));
    char buf[128];
    snprintf(buf, sizeof(buf), "%s", list);
    for (char *save, *tok = strtok_r(buf, ", ", &save); tok != NULL;
         tok = strtok_r(NULL, ", ", &save)) {
        hf_shipping_method m;
        if (strcmp(tok, "none") == 0)
            continue;
        if (!hf_shipping_method_parse(tok, &m))
            return hf_fail(err, HF_EINVAL, "bad_config",
                           "validation.po_box_refused",
                           "validation.po_box_refused lists shipping methods "
                           "(standard, expedited) or none");
        cfg->po_box_refused[m] = true;
    }
    return HF_OK;
}

/* The service's configuration, or the defaults in *space. */
static const hf_screening_config *config_of(const hf_services *svc,
                                            hf_screening_config *space)
{
    if (svc->screening != NULL)
        return svc->screening;
    defaults(space);
    return space;
}

/* --- JSON of reasons ----------------------------------------------------- */

static void validation_reasons(hf_jsonw *w, const hf_validate_result *v,
                               bool (*want)(const hf_validate_reason *))
{
    hf_jw_array(w);
    for (size_t i = 0; i < v->n_reasons; i++) {
        const hf_validate_reason *r = &v->reasons[i];
        if (want != NULL && !want(r))
            continue;
        hf_jw_object(w);
        hf_jw_key(w, "code");
        hf_jw_str(w, hf_validate_code_name(r->code));
        hf_jw_key(w, "severity");
        hf_jw_str(w, hf_validate_severity_name(r->severity));
        hf_jw_key(w, "field");
        hf_jw_str(w, r->field);
        hf_jw_key(w, "message");
        hf_jw_str(w, r->message);
        hf_jw_object_end(w);
    }
    hf_jw_array_end(w);
}

static void fraud_hits(hf_jsonw *w, const hf_fraud_result *f)
{
    hf_jw_array(w);
    for (size_t i = 0; i < f->n_hits; i++) {
        hf_jw_object(w);
        hf_jw_key(w, "code");
        hf_jw_str(w, hf_fraud_rule_code(f->hits[i].rule));
        hf_jw_key(w, "points");
        hf_jw_int(w, f->hits[i].points);
        hf_jw_key(w, "message");
        hf_jw_str(w, f->hits[i].detail);
        hf_jw_object_end(w);
    }
    hf_jw_array_end(w);
}

static bool is_review(const hf_validate_reason *r)
{
    return r->severity == HF_VSEV_REVIEW;
}

static bool is_customer(const hf_validate_reason *r)
{
    return r->severity == HF_VSEV_CUSTOMER;
}

/* --- Keys ---------------------------------------------------------------- */

/* "1 main st|62701|us": line1, postal code and country, lower-cased, runs
 * of blanks made one space. */
static const char *address_key(const hf_address *ad, hf_arena *a)
{
    const char *parts[] = {ad->line1, ad->postal_code, ad->country};
    char buf[512];
    size_t n = 0;
    for (size_t i = 0; i < HF_ARRAY_LEN(parts); i++) {
        if (i > 0 && n + 1 < sizeof(buf))
            buf[n++] = '|';
        bool space = true; /* drops leading blanks */
        for (const char *p = parts[i] ? parts[i] : ""; *p; p++) {
            if (n + 2 >= sizeof(buf))
                break;
            if (isspace((unsigned char)*p)) {
                space = true;
                continue;
            }
            if (space && n > 0 && buf[n - 1] != '|')
                buf[n++] = ' ';
            space = false;
            buf[n++] = (char)tolower((unsigned char)*p);
        }
    }
    buf[n] = '\0';
    return hf_arena_strdup(a, buf);
}

/* A fingerprint of the payment token (the gateway's card token), so that
 * the token itself is not what velocity compares; NULL without a token. */
static const char *payment_fp(const hf_payment_info *p, hf_arena *a)
{
    if (p->token == NULL || p->token[0] == '\0')
        return NULL;
    unsigned char h[12];
    crypto_generichash_state st;
    crypto_generichash_init(&st, NULL, 0, sizeof(h));
    const char *gw = p->gateway ? p->gateway : "";
    crypto_generichash_update(&st, (const unsigned char *)gw, strlen(gw) + 1);
    crypto_generichash_update(&st, (const unsigned char *)p->token,
                              strlen(p->token));
    crypto_generichash_final(&st, h, sizeof(h));
    char hex[2 * sizeof(h) + 1];
    sodium_bin2hex(hex, sizeof(hex), h, sizeof(h));
    return hf_arena_printf(a, "pf_%s", hex);
}

/* --- At placement -------------------------------------------------------- */

static hf_rc velocity(hf_txn *t, hf_velocity_key k, const char *value,
                      hf_time now, hf_velocity *out, hf_err *err)
{
    return hf_txn_order_velocity(t, k, value, now, &out->last_hour,
                                 &out->last_day, err);
}

/* Fails the placement: code, the first reason's field and message, and
 * every reason in err->reasons. */
static hf_rc reject(hf_err *err, const char *code, const char *field,
                    const char *message, const char *reasons)
{
    hf_fail(err, HF_EINVAL, code, field, "%s", message);
    if (err != NULL)
        err->reasons = reasons;
    return HF_EINVAL;
}

hf_rc hf_screening_check(hf_txn *t, const hf_services *svc, const hf_order *o,
                         const hf_validate_line *lines, size_t n_lines,
                         const char *currency, const char *client_ip,
                         const char *ip_country, hf_time now, hf_arena *a,
                         hf_screening *out, hf_err *err)
{
    hf_screening_config space;
    const hf_screening_config *cfg = config_of(svc, &space);
    memset(out, 0, sizeof(*out));

    /* the customer's recent orders, for duplicates (a window of 0 minutes
     * looks for none) */
    int window = cfg->duplicate_window_min;
    hf_recent_order_row *rows = NULL;
    size_t n_rows = 0;
    hf_rc rc = window <= 0
                   ? HF_OK
                   : hf_txn_orders_recent(t, o->customer.id,
                                          now - (hf_time)window * HF_MINUTE, a,
                                          &rows, &n_rows, err);
    if (rc != HF_OK)
        return rc;
    hf_recent_order *recent = hf_arena_alloc(a, (n_rows + 1) * sizeof(*recent));
    if (recent == NULL)
        return hf_fail(err, HF_ENOMEM, NULL, NULL, "out of memory");
    for (size_t i = 0; i < n_rows; i++)
        recent[i] = (hf_recent_order){rows[i].number, rows[i].placed_at,
                                      rows[i].signature};

    hf_validate_input in;
    hf_validate_input_from_order(o, &in);
    in.currency = currency;
    in.lines = lines;
    in.n_lines = n_lines;
    /* the authorization is made for exactly the total after screening */
    in.payment_authorized = false;
    in.carrier_refuses_po_box = cfg->po_box_refused[o->shipping_method];
    in.recent = recent;
    in.n_recent = n_rows;
    in.duplicate_window_min = window > 0 ? window : 1;
    in.now = now;
    hf_validate_order(&in, &out->validation);
    const hf_validate_result *v = &out->validation;
    if (v->outcome == HF_VALIDATE_REJECT) {
        const hf_validate_reason *first = NULL;
        for (size_t i = 0; i < v->n_reasons && first == NULL; i++)
            if (v->reasons[i].severity == HF_VSEV_REJECT)
                first = &v->reasons[i];
        hf_jsonw w;
        hf_jw_init(&w, a);
        validation_reasons(&w, v, NULL);
        return reject(err, "order_rejected", first ? first->field : NULL,
                      first ? first->message : "the order cannot be accepted",
                      hf_jw_finish(&w));
    }

    /* keys and counts for fraud screening */
    out->keys.line_signature = hf_validate_signature(lines, n_lines);
    out->keys.address_key = address_key(&o->shipping_address, a);
    out->keys.payment_fp = payment_fp(&o->payment, a);
    out->keys.client_ip = client_ip;
    hf_fraud_input fi = {
        .email = o->customer.email,
        .shipping_country = o->shipping_address.country,
        .billing_country =
            o->has_billing_address ? o->billing_address.country : NULL,
        .ip_country = ip_country,
        .total = hf_order_total(o),
        .currency = currency,
    };
    if ((rc = velocity(t, HF_VK_CUSTOMER, o->customer.id, now, &fi.by_email,
                       err)) != HF_OK ||
        (rc = velocity(t, HF_VK_ADDRESS, out->keys.address_key, now,
                       &fi.by_address, err)) != HF_OK ||
        (rc = velocity(t, HF_VK_PAYMENT, out->keys.payment_fp, now,
                       &fi.by_payment, err)) != HF_OK ||
        (rc = velocity(t, HF_VK_IP, client_ip, now, &fi.by_ip, err)) != HF_OK ||
        (rc = hf_txn_customer_order_count(t, o->customer.id, &fi.prior_orders,
                                          err)) != HF_OK)
        return rc;
    /* a broken configuration answers REVIEW: a person looks */
    (void)hf_fraud_screen(&fi, &cfg->fraud, &out->fraud);
    const hf_fraud_result *f = &out->fraud;
    if (f->decision == HF_FRAUD_REJECT) {
        hf_jsonw w;
        hf_jw_init(&w, a);
        fraud_hits(&w, f);
        return reject(err, "fraud_rejected", NULL,
                      hf_arena_printf(a,
                                      "the order was declined by fraud "
                                      "screening (score %d)",
                                      f->score),
                      hf_jw_finish(&w));
    }

    out->keys.address_hold = v->customer_prompt;
    out->hold =
        v->outcome == HF_VALIDATE_HOLD || f->decision == HF_FRAUD_REVIEW;
    if (!out->hold)
        return HF_OK;
    /* the timeline's entry: every code, then the details as data */
    char why[512];
    size_t n = (size_t)snprintf(why, sizeof(why), "held:");
    for (size_t i = 0; i < v->n_reasons && n < sizeof(why); i++)
        n += (size_t)snprintf(why + n, sizeof(why) - n, "%s %s", i ? "," : "",
                              hf_validate_code_name(v->reasons[i].code));
    if (f->decision == HF_FRAUD_REVIEW && n < sizeof(why))
        snprintf(why + n, sizeof(why) - n, "%s fraud_review (score %d)",
                 v->n_reasons ? "," : "", f->score);
    out->hold_reason = hf_arena_strdup(a, why);
    hf_jsonw w;
    hf_jw_init(&w, a);
    hf_jw_object(&w);
    hf_jw_key(&w, "validation");
    validation_reasons(&w, v, NULL);
    hf_jw_key(&w, "address_needs_fixing");
    hf_jw_bool(&w, v->customer_prompt);
    hf_jw_key(&w, "fraud");
    hf_jw_object(&w);
    hf_jw_key(&w, "score");
    hf_jw_int(&w, f->score);
    hf_jw_key(&w, "decision");
    hf_jw_str(&w, hf_fraud_decision_name(f->decision));
    hf_jw_key(&w, "rules");
    fraud_hits(&w, f);
    hf_jw_object_end(&w);
    hf_jw_object_end(&w);
    out->hold_data = hf_jw_finish(&w);
    if (out->hold_reason == NULL || out->hold_data == NULL)
        return hf_fail(err, HF_ENOMEM, NULL, NULL, "out of memory");
    return HF_OK;
}

/* What the customer is told is wrong, for the first reason they can fix. */
static const char *problem_text(const hf_validate_result *v)
{
    static const struct {
        hf_validate_code code;
        const char *text;
    } texts[] = {
        {HF_VC_MISSING_FIELD, "part of the delivery address is missing"},
        {HF_VC_FIELD_TOO_LONG, "part of the delivery address is too long"},
        {HF_VC_INVALID_TEXT,
         "the delivery address holds characters we cannot print"},
        {HF_VC_UNKNOWN_COUNTRY, "we do not recognise the country"},
        {HF_VC_POSTAL_CODE_FORMAT,
         "the postal code does not look right for the country"},
        {HF_VC_NO_HOUSE_NUMBER, "the street address has no house number"},
        {HF_VC_PO_BOX_NOT_ALLOWED,
         "the carrier for your shipping method cannot deliver to a PO box"},
    };
    for (size_t i = 0; i < v->n_reasons; i++)
        for (size_t j = 0; j < HF_ARRAY_LEN(texts); j++)
            if (v->reasons[i].severity == HF_VSEV_CUSTOMER &&
                v->reasons[i].code == texts[j].code)
                return texts[j].text;
    return "the delivery address needs checking";
}

static hf_rc open_review(hf_txn *t, const hf_order *o, const char *kind,
                         int score, const char *reasons, hf_time now,
                         hf_err *err)
{
    char id[HF_ID_MAX];
    hf_id_new("rev", 20, id);
    hf_review r = {.id = id,
                   .order_id = o->id,
                   .order_number = o->number,
                   .kind = kind,
                   .score = score,
                   .reasons = reasons ? reasons : "[]",
                   .created_at = now};
    return hf_txn_review_insert(t, &r, err);
}

hf_rc hf_screening_record(hf_txn *t, const hf_services *svc, const hf_order *o,
                          const hf_screening *s, hf_time now, hf_arena *a,
                          hf_err *err)
{
    hf_screening_config space;
    const hf_screening_config *cfg = config_of(svc, &space);
    hf_rc rc = hf_txn_order_screening_put(t, o->seq, &s->keys, err);
    if (rc != HF_OK || !s->hold)
        return rc;
    const hf_validate_result *v = &s->validation;
    if (v->needs_review) {
        hf_jsonw w;
        hf_jw_init(&w, a);
        validation_reasons(&w, v, is_review);
        if ((rc = open_review(t, o, "duplicate", 0, hf_jw_finish(&w), now,
                              err)) != HF_OK)
            return rc;
    }
    if (s->fraud.decision == HF_FRAUD_REVIEW) {
        hf_jsonw w;
        hf_jw_init(&w, a);
        fraud_hits(&w, &s->fraud);
        if ((rc = open_review(t, o, "fraud", s->fraud.score, hf_jw_finish(&w),
                              now, err)) != HF_OK)
            return rc;
    }
    if (!v->customer_prompt)
        return HF_OK;
    hf_jsonw w;
    hf_jw_init(&w, a);
    hf_jw_object(&w);
    hf_jw_key(&w, "order_id");
    hf_jw_str(&w, o->id);
    hf_jw_key(&w, "number");
    hf_jw_str(&w, o->number);
    hf_jw_key(&w, "problem");
    hf_jw_str(&w, problem_text(v));
    hf_jw_key(&w, "fix_by");
    hf_jw_int(&w, now + (hf_time)cfg->address_fix_days * HF_DAY);
    hf_jw_key(&w, "reasons");
    validation_reasons(&w, v, is_customer);
    hf_jw_object_end(&w);
    const char *payload = hf_jw_finish(&w);
    if (payload == NULL)
        return hf_fail(err, HF_ENOMEM, NULL, NULL, "out of memory");
    return hf_txn_outbox_put(t, "order.address_needs_fixing", o->id, payload,
                             now, err);
}

/* --- Releasing a hold ---------------------------------------------------- */

/* Moves an order on hold back to where it was when nothing holds it any
 * more (no address to fix, no open review); else leaves it. out gets the
 * order as it stands. */
static hf_rc release_if_clear(hf_txn *t, const hf_services *svc,
                              const char *order_id, const char *actor,
                              const char *why, hf_arena *a,
                              hf_order_result *out, hf_err *err)
{
    hf_order o;
    hf_rc rc = hf_txn_order_get(t, order_id, a, &o, err);
    if (rc != HF_OK)
        return rc;
    bool address_hold = false;
    int64_t open = 0;
    if ((rc = hf_txn_order_address_hold(t, o.seq, &address_hold, err)) !=
            HF_OK ||
        (rc = hf_txn_review_open_count(t, o.id, &open, err)) != HF_OK)
        return rc;
    if (o.status != HF_STATUS_ON_HOLD || address_hold || open > 0) {
        out->order = o;
        return hf_txn_order_get_doc(t, o.id, a, &out->doc, err);
    }
    hf_transition_request tr = {.order = o.id,
                                .to = hf_order_status_name(o.held_from),
                                .reason = why,
                                .actor = actor};
    return hf_orders_transition_txn(t, svc, &tr, a, out, err);
}

/* --- Correcting the address ---------------------------------------------- */

hf_rc hf_screening_fix_address_txn(hf_txn *t, const hf_services *svc,
                                   const hf_address_fix *req, hf_arena *a,
                                   hf_order_result *out, hf_err *err)
{
    hf_order o;
    hf_rc rc = hf_txn_order_get(t, req->order, a, &o, err);
    if (rc == HF_ENOTFOUND && req->token_subject != NULL)
        /* a shopper learns nothing about orders their link does not name */
        return hf_fail(err, HF_EAUTH, "bad_token", NULL,
                       "this link is not for that order");
    if (rc != HF_OK)
        return rc;
    if (req->token_subject != NULL && strcmp(req->token_subject, o.id) != 0)
        return hf_fail(err, HF_EAUTH, "bad_token", NULL,
                       "this link is not for that order");
    if (!hf_order_status_holds_stock(o.status))
        return hf_fail(err, HF_ECONFLICT, "not_changeable", NULL,
                       "order %s is %s: its address can no longer change",
                       o.number, hf_order_status_name(o.status));
    hf_screening_config space;
    const hf_screening_config *cfg = config_of(svc, &space);
    hf_address ad = req->address;
    hf_validate_result v;
    hf_validate_address(&ad, true, cfg->po_box_refused[o.shipping_method], &v);
    if (v.outcome != HF_VALIDATE_ACCEPT) {
        hf_jsonw w;
        hf_jw_init(&w, a);
        validation_reasons(&w, &v, NULL);
        return reject(
            err, "invalid_address", v.n_reasons ? v.reasons[0].field : NULL,
            v.n_reasons ? v.reasons[0].message : "the address is not valid",
            hf_jw_finish(&w));
    }
    /* stored as the carrier will print it */
    if (v.shipping_postal[0] != '\0')
        ad.postal_code = hf_arena_strdup(a, v.shipping_postal);
    char *country = hf_arena_strdup(a, ad.country);
    if (country == NULL)
        return hf_fail(err, HF_ENOMEM, NULL, NULL, "out of memory");
    for (char *p = country; *p; p++)
        *p = (char)toupper((unsigned char)*p);
    ad.country = country;

    hf_time now = hf_clock_now(svc->clock);
    int version = o.version;
    size_t first_new = o.n_events;
    o.shipping_address = ad;
    o.version++;
    o.updated_at = now;
    if ((rc = hf_orders_add_event(&o, a, now, "address_corrected", req->actor,
                                  HF_STATUS_COUNT, HF_STATUS_COUNT,
                                  req->token_subject
                                      ? "the customer corrected the shipping "
                                        "address"
                                      : "the shipping address was corrected",
                                  NULL, err)) != HF_OK ||
        (rc = hf_orders_persist(t, &o, version, first_new, a, out, err)) !=
            HF_OK ||
        (rc = hf_txn_order_address_hold_set(t, o.seq, false, err)) != HF_OK)
        return rc;
    return release_if_clear(t, svc, o.id, req->actor, "address corrected", a,
                            out, err);
}

/* --- The review queue ---------------------------------------------------- */

static void review_json(hf_jsonw *w, const hf_review *r)
{
    hf_jw_object(w);
    hf_jw_key(w, "id");
    hf_jw_str(w, r->id);
    hf_jw_key(w, "order_id");
    hf_jw_str(w, r->order_id);
    hf_jw_key(w, "order_number");
    hf_jw_str(w, r->order_number);
    hf_jw_key(w, "kind");
    hf_jw_str(w, r->kind);
    hf_jw_key(w, "score");
    hf_jw_int(w, r->score);
    hf_jw_key(w, "reasons");
    hf_jw_raw(w, r->reasons ? r->reasons : "[]");
    hf_jw_key(w, "status");
    hf_jw_str(w, r->status);
    hf_jw_key(w, "created_at");
    hf_jw_time(w, r->created_at);
    hf_jw_key(w, "decided_by");
    hf_jw_str(w, r->decided_by);
    hf_jw_key(w, "decided_at");
    hf_jw_time_or_null(w, r->decided_at);
    hf_jw_key(w, "note");
    hf_jw_str(w, r->note);
    hf_jw_object_end(w);
}

hf_rc hf_reviews_list_txn(hf_txn *t, const char *status, const char *after,
                          int limit, hf_arena *a, const char **json,
                          hf_err *err)
{
    int64_t after_seq = 0;
    if (after != NULL) {
        hf_review r;
        hf_rc rc = hf_txn_review_get(t, after, a, &r, err);
        if (rc != HF_OK)
            return rc;
        after_seq = r.seq;
    }
    hf_review *list;
    size_t n;
    hf_rc rc =
        hf_txn_review_list(t, status, after_seq, limit, a, &list, &n, err);
    if (rc != HF_OK)
        return rc;
    hf_jsonw w;
    hf_jw_init(&w, a);
    hf_jw_object(&w);
    hf_jw_key(&w, "reviews");
    hf_jw_array(&w);
    for (size_t i = 0; i < n; i++)
        review_json(&w, &list[i]);
    hf_jw_array_end(&w);
    hf_jw_object_end(&w);
    *json = hf_jw_finish(&w);
    return *json ? HF_OK : hf_fail(err, HF_ENOMEM, NULL, NULL, "out of memory");
}

hf_rc hf_reviews_decide_txn(hf_txn *t, const hf_services *svc,
                            const char *review_id, bool approve,
                            const char *note, const char *actor, hf_arena *a,
                            const char **json, hf_err *err)
{
    hf_review r;
    hf_rc rc = hf_txn_review_get(t, review_id, a, &r, err);
    if (rc != HF_OK)
        return rc;
    if (strcmp(r.status, "open") != 0)
        return hf_fail(err, HF_ECONFLICT, "review_decided", NULL,
                       "review %s was %s already", r.id, r.status);
    hf_time now = hf_clock_now(svc->clock);
    const char *status = approve ? "approved" : "rejected";
    if ((rc = hf_txn_review_decide(t, r.id, status, actor, now, note, err)) !=
        HF_OK)
        return rc;
    hf_jsonw d;
    hf_jw_init(&d, a);
    hf_jw_object(&d);
    hf_jw_key(&d, "review_id");
    hf_jw_str(&d, r.id);
    hf_jw_key(&d, "kind");
    hf_jw_str(&d, r.kind);
    hf_jw_key(&d, "note");
    if (note)
        hf_jw_str(&d, note);
    else
        hf_jw_null(&d);
    hf_jw_object_end(&d);
    const char *data = hf_jw_finish(&d);
    hf_order_result out;
    const char *reason = hf_arena_printf(a, "%s review %s", r.kind, status);
    if ((rc = hf_orders_note_txn(
             t, r.order_id, approve ? "review_approved" : "review_rejected",
             actor, now, reason, data, a, &out, err)) != HF_OK)
        return rc;
    if (approve) {
        rc = release_if_clear(t, svc, r.order_id, actor,
                              hf_arena_printf(a, "%s review approved", r.kind),
                              a, &out, err);
    } else {
        hf_cancel_request cr = {
            .order = r.order_id,
            .reason = strcmp(r.kind, "fraud") == 0 ? "fraud_suspected"
                                                   : "ordered_by_mistake",
            .note = note,
            .actor = actor,
        };
        rc = hf_orders_cancel_txn(t, svc, &cr, a, &out, err);
    }
    if (rc != HF_OK)
        return rc;
    if ((rc = hf_txn_review_get(t, r.id, a, &r, err)) != HF_OK)
        return rc;
    hf_jsonw w;
    hf_jw_init(&w, a);
    hf_jw_object(&w);
    hf_jw_key(&w, "review");
    review_json(&w, &r);
    hf_jw_key(&w, "order");
    hf_jw_raw(&w, out.doc);
    hf_jw_object_end(&w);
    *json = hf_jw_finish(&w);
    return *json ? HF_OK : hf_fail(err, HF_ENOMEM, NULL, NULL, "out of memory");
}
