/* orders.c - placing, cancelling and moving orders. */
#include "services/orders.h"
#include "services/orders_int.h"
#include "core/allocation.h"
#include "core/payment.h"
#include "services/analytics.h"
#include "services/escalations.h"
#include "services/order_json.h"
#include "services/playbooks.h"
#include "services/risk_features.h"
#include "services/screening.h"
#include "util/id.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { MAX_LINES = 100, MAX_QTY = 10000 };

static hf_time now_or(const hf_services *svc, hf_time at)
{
    return at != 0 ? at : hf_clock_now(svc->clock);
}

/* Appends a timeline event to o in memory; hf_orders_persist() stores it. */
hf_rc hf_orders_add_event(hf_order *o, hf_arena *a, hf_time at,
                          const char *type, const char *actor,
                          hf_order_status from, hf_order_status to,
                          const char *reason, const char *data_json,
                          hf_err *err)
{
    hf_order_event *grown =
        hf_arena_alloc(a, (o->n_events + 1) * sizeof(*grown));
    if (grown == NULL)
        return hf_fail(err, HF_ENOMEM, NULL, NULL, "out of memory");
    if (o->n_events > 0)
        memcpy(grown, o->events, o->n_events * sizeof(*grown));
    grown[o->n_events] = (hf_order_event){(int)o->n_events + 1,
                                          at,
                                          type,
                                          actor ? actor : "system",
                                          from,
                                          to,
                                          reason,
                                          data_json};
    o->events = grown;
    o->n_events++;
    return HF_OK;
}

/* Renders o, writes it (a new order when expected_version is 0, else over
 * that version) and stores the events from index first_new on. */
hf_rc hf_orders_persist(hf_txn *t, hf_order *o, int expected_version,
                        size_t first_new, hf_arena *a, hf_order_result *out,
                        hf_err *err)
{
    out->order = *o;
    out->doc = hf_order_render(o, a);
    if (out->doc == NULL)
        return hf_fail(err, HF_ENOMEM, NULL, NULL, "out of memory");
    hf_rc rc = expected_version == 0
                   ? hf_txn_order_insert(t, o, out->doc, err)
                   : hf_txn_order_update(t, o, expected_version, out->doc, err);
    /* the KPIs' daily aggregates move in the same transaction */
    for (size_t i = first_new; i < o->n_events && rc == HF_OK; i++)
        if ((rc = hf_txn_event_append(t, o->seq, &o->events[i], err)) == HF_OK)
            rc = hf_analytics_order_event(t, o, &o->events[i], a, err);
    return rc;
}

/* Runs one payment operation through the order's gateway and records it. */
static hf_rc pay(hf_txn *t, hf_order *o, hf_payment_op op, hf_minor amount,
                 hf_time at, hf_arena *a, hf_err *err)
{
    if (amount <= 0)
        return HF_OK;
    const hf_gateway *gw = hf_gateway_find(o->payment.gateway);
    if (gw == NULL)
        return hf_fail(err, HF_EINVAL, "unknown_gateway", "payment.gateway",
                       "no payment gateway %s", o->payment.gateway);
    /* the reference is the same if this step is retried */
    const char *ref = hf_arena_printf(a, "%s:%s:%d", o->id,
                                      hf_payment_op_name(op), o->version);
    hf_payment_request req = {op, amount, o->currency, o->payment.token, ref};
    hf_payment_result res = {{0}};
    hf_rc rc = gw->execute(gw, &req, &res, err);
    if (rc != HF_OK)
        return rc;
    hf_payment_record rec = {o->seq,
                             hf_payment_op_name(op),
                             amount,
                             o->currency,
                             gw->name,
                             ref,
                             hf_arena_strdup(a, res.gateway_ref),
                             at};
    return hf_txn_payment_append(t, &rec, err);
}

/* --- Placement ----------------------------------------------------------- */

static bool blank(const char *s)
{
    if (s == NULL)
        return true;
    while (isspace((unsigned char)*s))
        s++;
    return *s == '\0';
}

static hf_rc check_address(const hf_address *ad, const char *field, hf_err *err)
{
    static const struct {
        size_t offset;
        const char *name;
    } required[] = {
        {offsetof(hf_address, name), "name"},
        {offsetof(hf_address, line1), "line1"},
        {offsetof(hf_address, city), "city"},
        {offsetof(hf_address, country), "country"},
    };
    char where[96];
    for (size_t i = 0; i < HF_ARRAY_LEN(required); i++) {
        const char *value =
            *(const char *const *)((const char *)ad + required[i].offset);
        if (blank(value)) {
            snprintf(where, sizeof(where), "%s.%s", field, required[i].name);
            return hf_fail(err, HF_EINVAL, "invalid", where, "%s is required",
                           where);
        }
    }
    const char *c = ad->country;
    if (strlen(c) != 2 || !isupper((unsigned char)c[0]) ||
        !isupper((unsigned char)c[1])) {
        snprintf(where, sizeof(where), "%s.country", field);
        return hf_fail(err, HF_EINVAL, "invalid", where,
                       "country must be an ISO 3166-1 alpha-2 code such as "
                       "\"US\"");
    }
    return HF_OK;
}

static hf_rc check_request(const hf_place_request *req, hf_err *err)
{
    if (req->n_lines == 0)
        return hf_fail(err, HF_EINVAL, "invalid", "lines",
                       "an order needs at least one line");
    if (req->n_lines > MAX_LINES)
        return hf_fail(err, HF_EINVAL, "invalid", "lines",
                       "an order has at most %d lines", MAX_LINES);
    for (size_t i = 0; i < req->n_lines; i++) {
        char field[32];
        if (req->lines[i].qty < 1 || req->lines[i].qty > MAX_QTY) {
            snprintf(field, sizeof(field), "lines[%zu].qty", i);
            return hf_fail(err, HF_EINVAL, "invalid", field,
                           "qty must be between 1 and %d", MAX_QTY);
        }
    }
    if (req->customer_id == NULL) {
        const char *email = req->customer.email;
        if (blank(email) || strchr(email, '@') == NULL || strlen(email) > 254)
            return hf_fail(err, HF_EINVAL, "invalid", "customer.email",
                           "a valid customer email is required");
    }
    hf_rc rc = check_address(&req->shipping_address, "shipping_address", err);
    if (rc == HF_OK && req->has_billing_address)
        rc = check_address(&req->billing_address, "billing_address", err);
    if (rc != HF_OK)
        return rc;
    if (hf_gateway_find(req->payment.gateway) == NULL)
        return hf_fail(err, HF_EINVAL, "unknown_gateway", "payment.gateway",
                       "no payment gateway %s",
                       req->payment.gateway ? req->payment.gateway : "");
    return HF_OK;
}

/* The customer named by id, or the one with the email, created if new. */
static hf_rc resolve_customer(hf_txn *t, const hf_place_request *req,
                              hf_time now, hf_arena *a, hf_customer *out,
                              hf_err *err)
{
    if (req->customer_id != NULL) {
        hf_rc rc = hf_txn_customer_get(t, req->customer_id, a, out, err);
        if (rc == HF_ENOTFOUND)
            return hf_fail(err, HF_EINVAL, "unknown_customer", "customer_id",
                           "no customer %s", req->customer_id);
        return rc;
    }
    char *email = hf_arena_strdup(a, req->customer.email);
    if (email == NULL)
        return hf_fail(err, HF_ENOMEM, NULL, NULL, "out of memory");
    for (char *p = email; *p; p++)
        *p = (char)tolower((unsigned char)*p);
    hf_rc rc = hf_txn_customer_find(t, email, a, out, err);
    if (rc != HF_ENOTFOUND)
        return rc;
    char id[HF_ID_MAX];
    hf_id_new("cus", 20, id);
    *out = (hf_customer){hf_arena_strdup(a, id), email, req->customer.name,
                         req->customer.phone, now};
    rc = hf_txn_customer_insert(t, out, err);
    if (rc == HF_ECONFLICT)
        /* another process created this customer meanwhile: run again and
         * find it */
        return hf_fail(err, HF_EBUSY, "busy", NULL,
                       "customer %s was created concurrently", email);
    return rc;
}

/* Prices the lines from the catalog, and says in vlines what the catalog
 * knows of each: an unknown or inactive product is left for validation to
 * reject with its reason. */
static hf_rc build_lines(hf_txn *t, const hf_place_request *req, hf_arena *a,
                         hf_order *o, hf_validate_line *vlines, hf_err *err)
{
    o->lines = hf_arena_zalloc(a, req->n_lines * sizeof(*o->lines));
    if (o->lines == NULL)
        return hf_fail(err, HF_ENOMEM, NULL, NULL, "out of memory");
    o->n_lines = req->n_lines;
    for (size_t i = 0; i < req->n_lines; i++) {
        char field[32];
        snprintf(field, sizeof(field), "lines[%zu].sku", i);
        const char *sku = req->lines[i].sku;
        vlines[i] = (hf_validate_line){sku, req->lines[i].qty, false, false,
                                       HF_STOCK_UNCHECKED};
        o->lines[i] = (hf_order_line){(int)i + 1, sku, sku,  req->lines[i].qty,
                                      0,          0,   NULL, 0};
        hf_product p;
        hf_rc rc = hf_txn_product_get(t, sku, a, &p, err);
        if (rc == HF_ENOTFOUND)
            continue;
        if (rc != HF_OK)
            return rc;
        vlines[i].known = true;
        vlines[i].active = p.active;
        if (!p.active)
            continue;
        if (o->currency == NULL)
            o->currency = p.currency;
        else if (strcmp(o->currency, p.currency) != 0)
            return hf_fail(err, HF_EINVAL, "currency_mismatch", field,
                           "%s is priced in %s, the order in %s", p.sku,
                           p.currency, o->currency);
        hf_minor line_total;
        if (!hf_money_mul(p.price, req->lines[i].qty, &line_total))
            return hf_fail(err, HF_EINVAL, "invalid", field,
                           "line total out of range");
        o->lines[i] = (hf_order_line){
            (int)i + 1, p.sku, p.name, req->lines[i].qty, 0, p.price, NULL, 0};
    }
    return HF_OK;
}

/* One reservation to take: units of a line at a location. */
typedef struct stock_take {
    size_t line;
    const char *sku;
    const hf_allocation *alloc;
} stock_take;

static int take_order(const void *pa, const void *pb)
{
    const stock_take *a = pa, *b = pb;
    int c = strcmp(a->sku, b->sku);
    return c != 0 ? c : strcmp(a->alloc->location, b->alloc->location);
}

/* Reserves the order's units: reads stock, plans with hf_allocate, then
 * takes each planned unit through the guarded reserve. */
hf_rc hf_orders_reserve(hf_txn *t, hf_order *o, hf_arena *a, hf_err *err)
{
    hf_stock_level *stock = NULL;
    size_t n_stock = 0;
    for (size_t i = 0; i < o->n_lines; i++) {
        bool seen = false;
        for (size_t j = 0; j < i; j++)
            seen = seen || strcmp(o->lines[j].sku, o->lines[i].sku) == 0;
        if (seen)
            continue;
        hf_stock_level *levels;
        size_t n;
        hf_rc rc = hf_txn_stock_get(t, o->lines[i].sku, a, &levels, &n, err);
        if (rc != HF_OK)
            return rc;
        hf_stock_level *all =
            hf_arena_alloc(a, (n_stock + n + 1) * sizeof(*all));
        if (all == NULL)
            return hf_fail(err, HF_ENOMEM, NULL, NULL, "out of memory");
        if (n_stock > 0)
            memcpy(all, stock, n_stock * sizeof(*all));
        if (n > 0)
            memcpy(all + n_stock, levels, n * sizeof(*all));
        stock = all;
        n_stock += n;
    }
    /* each SKU's levels come in location preference order */
    hf_rc rc = hf_allocate(o->lines, o->n_lines, stock, n_stock, a, err);
    if (rc != HF_OK)
        return rc;
    /* take the rows in one global order (SKU, then location) so that two
     * orders over the same SKUs cannot deadlock on a shared database */
    size_t n_takes = 0;
    for (size_t i = 0; i < o->n_lines; i++)
        n_takes += o->lines[i].n_allocations;
    stock_take *takes = hf_arena_alloc(a, (n_takes + 1) * sizeof(*takes));
    if (takes == NULL)
        return hf_fail(err, HF_ENOMEM, NULL, NULL, "out of memory");
    n_takes = 0;
    for (size_t i = 0; i < o->n_lines; i++)
        for (size_t j = 0; j < o->lines[i].n_allocations; j++)
            takes[n_takes++] =
                (stock_take){i, o->lines[i].sku, &o->lines[i].allocations[j]};
    qsort(takes, n_takes, sizeof(*takes), take_order);
    for (size_t k = 0; k < n_takes; k++) {
        rc = hf_txn_stock_reserve(t, takes[k].sku, takes[k].alloc->location,
                                  takes[k].alloc->qty, err);
        if (rc == HF_ECONFLICT) {
            char field[32];
            snprintf(field, sizeof(field), "lines[%zu].qty", takes[k].line);
            return hf_fail(err, rc, "out_of_stock", field,
                           "not enough stock of %s", takes[k].sku);
        }
        if (rc != HF_OK)
            return rc;
    }
    return HF_OK;
}

hf_rc hf_orders_place_txn(hf_txn *t, const hf_services *svc,
                          const hf_place_request *req, hf_arena *a,
                          hf_order_result *out, hf_err *err)
{
    hf_rc rc = check_request(req, err);
    if (rc != HF_OK)
        return rc;
    hf_time now = now_or(svc, req->placed_at);
    hf_order o;
    memset(&o, 0, sizeof(o));
    char id[HF_ID_MAX];
    hf_id_new("ord", 20, id);
    o.id = hf_arena_strdup(a, id);
    o.channel = req->channel ? req->channel : "web";
    o.shipping_method = req->shipping_method;
    o.shipping_address = req->shipping_address;
    o.billing_address = req->billing_address;
    o.has_billing_address = req->has_billing_address;
    o.payment = req->payment;
    o.payment.authorized = o.payment.captured = 0;
    o.payment.refunded = o.payment.voided = 0;
    o.placed_at = o.updated_at = now;
    o.promised_by = hf_promised_by(o.shipping_method, now);
    o.version = 1;
    o.status = HF_STATUS_PENDING;

    hf_validate_line *vlines =
        hf_arena_alloc(a, (req->n_lines + 1) * sizeof(*vlines));
    if (vlines == NULL)
        return hf_fail(err, HF_ENOMEM, NULL, NULL, "out of memory");
    if ((rc = resolve_customer(t, req, now, a, &o.customer, err)) != HF_OK ||
        (rc = build_lines(t, req, a, &o, vlines, err)) != HF_OK)
        return rc;
    o.shipping_total =
        hf_shipping_price(o.shipping_method, o.currency ? o.currency : "USD");
    /* validation and fraud screening reject before anything is reserved
     * or charged */
    hf_screening scr;
    const char *currency = req->currency ? req->currency : o.currency;
    if ((rc = hf_screening_check(t, svc, &o, vlines, req->n_lines,
                                 currency ? currency : "", req->client_ip,
                                 req->client_ip_country, now, a, &scr, err)) !=
        HF_OK)
        return rc;
    if (req->currency != NULL && strcmp(req->currency, o.currency) != 0)
        return hf_fail(err, HF_EINVAL, "currency_mismatch", "currency",
                       "the order is in %s but its products are priced in %s",
                       req->currency, o.currency);
    if ((rc = hf_orders_reserve(t, &o, a, err)) != HF_OK)
        return rc;
    if ((rc = hf_txn_order_next_seq(t, &o.seq, err)) != HF_OK)
        return rc;
    o.number = hf_arena_printf(a, "HF-%lld", (long long)o.seq);

    hf_minor total = hf_order_total(&o);
    if ((rc = pay(t, &o, HF_PAY_AUTHORIZE, total, now, a, err)) != HF_OK)
        return rc;
    o.payment.authorized = total;
    if (o.payment.capture == HF_CAPTURE_IMMEDIATE) {
        if ((rc = pay(t, &o, HF_PAY_CAPTURE, total, now, a, err)) != HF_OK)
            return rc;
        o.payment.authorized = 0;
        o.payment.captured = total;
    }
    o.status = HF_STATUS_CONFIRMED;
    o.version = 1;
    if ((rc = hf_orders_add_event(&o, a, now, "placed", req->actor,
                                  HF_STATUS_COUNT, HF_STATUS_PENDING, NULL,
                                  NULL, err)) != HF_OK ||
        (rc = hf_orders_add_event(&o, a, now, "status_changed", "system",
                                  HF_STATUS_PENDING, HF_STATUS_CONFIRMED,
                                  "payment authorized, stock reserved", NULL,
                                  err)) != HF_OK)
        return rc;
    if (scr.hold) {
        /* placed, reserved and authorized, but waiting: for the customer
         * to fix the address, or for a person to review it */
        o.held_from = HF_STATUS_CONFIRMED;
        o.status = HF_STATUS_ON_HOLD;
        if ((rc = hf_orders_add_event(&o, a, now, "status_changed", "system",
                                      HF_STATUS_CONFIRMED, HF_STATUS_ON_HOLD,
                                      scr.hold_reason, scr.hold_data, err)) !=
            HF_OK)
            return rc;
    }
    if (svc->risk != NULL) {
        /* the same features the model was trained on (risk export) */
        hf_risk_row row;
        if ((rc = hf_risk_features(t, &o, scr.hold, svc->risk_cache, a, &row,
                                   err)) != HF_OK ||
            (rc = hf_risk_scorer_score(svc->risk, &row, &o.risk_score, err)) !=
                HF_OK)
            return rc;
        o.has_risk = true;
        o.risk_model = hf_risk_scorer_name(svc->risk);
        o.risk_at = now;
        o.risk_reason = "placement";
    }
    if ((rc = hf_orders_persist(t, &o, 0, 0, a, out, err)) != HF_OK ||
        (rc = hf_screening_record(t, svc, &o, &scr, now, a, err)) != HF_OK)
        return rc;
    /* the SKUs' history for the risk model, kept whether or not a model
     * scores now, so that one trained later has it */
    for (size_t i = 0; i < o.n_lines; i++)
        if ((rc = hf_txn_risk_sku_add(t, o.lines[i].sku, now, 1, 0, err)) !=
            HF_OK)
            return rc;
    if (o.has_risk &&
        (rc = hf_txn_order_risk_put(t, o.seq, o.risk_score, o.risk_model,
                                    o.risk_at, o.risk_reason, err)) != HF_OK)
        return rc;
    /* a high score sets off the playbooks, in this transaction */
    if (o.has_risk && (rc = hf_playbooks_run_txn(t, svc, o.id, o.risk_score, a,
                                                 out, err)) != HF_OK)
        return rc;
    const char *note = hf_arena_printf(
        a, "{\"order_id\":\"%s\",\"number\":\"%s\"}", o.id, o.number);
    /* a held order is confirmed to the customer when it is released */
    return hf_txn_outbox_put(t, scr.hold ? "order.on_hold" : "order.confirmed",
                             o.id, note, now, err);
}

/* --- Running a txn function as its own write ----------------------------- */

typedef struct op_call {
    const hf_services *svc;
    const void *req;
    hf_arena *a;
    hf_order_result *out;
    hf_rc (*fn)(hf_txn *, const hf_services *, const void *, hf_arena *,
                hf_order_result *, hf_err *);
} op_call;

static hf_rc op_call_fn(hf_txn *t, void *arg, hf_err *err)
{
    op_call *c = arg;
    return c->fn(t, c->svc, c->req, c->a, c->out, err);
}

static hf_rc place_any(hf_txn *t, const hf_services *svc, const void *req,
                       hf_arena *a, hf_order_result *out, hf_err *err)
{
    return hf_orders_place_txn(t, svc, req, a, out, err);
}

hf_rc hf_orders_place(const hf_services *svc, const hf_place_request *req,
                      hf_arena *a, hf_order_result *out, hf_err *err)
{
    op_call c = {svc, req, a, out, place_any};
    return hf_store_write(svc->store, op_call_fn, &c, err);
}

/* --- Cancellation -------------------------------------------------------- */

/* Takes qty units of line l out of its reservations, releasing them. */
hf_rc hf_orders_release_units(hf_txn *t, hf_order_line *l, int64_t qty,
                              bool holds_stock, hf_arena *a, hf_err *err)
{
    hf_allocation *copy =
        hf_arena_alloc(a, (l->n_allocations + 1) * sizeof(*copy));
    if (copy == NULL)
        return hf_fail(err, HF_ENOMEM, NULL, NULL, "out of memory");
    if (l->n_allocations > 0)
        memcpy(copy, l->allocations, l->n_allocations * sizeof(*copy));
    l->allocations = copy;
    /* release from the last location first: the split's remainder */
    for (size_t i = l->n_allocations; i-- > 0 && qty > 0;) {
        int64_t take = copy[i].qty < qty ? copy[i].qty : qty;
        if (take == 0)
            continue;
        if (holds_stock) {
            hf_rc rc =
                hf_txn_stock_release(t, l->sku, copy[i].location, take, err);
            if (rc != HF_OK)
                return rc;
        }
        copy[i].qty -= take;
        qty -= take;
    }
    return HF_OK;
}

/* Gives back `amount`: voids what is only authorized, refunds the rest
 * from what was captured. */
hf_rc hf_orders_return_money(hf_txn *t, hf_order *o, hf_minor amount,
                             hf_time at, hf_arena *a, hf_err *err)
{
    hf_payment_info *p = &o->payment;
    hf_minor void_amount = amount < p->authorized ? amount : p->authorized;
    hf_minor refundable = p->captured - p->refunded;
    hf_minor refund_amount = amount - void_amount;
    if (refund_amount > refundable)
        refund_amount = refundable;
    hf_rc rc = pay(t, o, HF_PAY_VOID, void_amount, at, a, err);
    if (rc == HF_OK)
        rc = pay(t, o, HF_PAY_REFUND, refund_amount, at, a, err);
    if (rc != HF_OK)
        return rc;
    p->authorized -= void_amount;
    p->voided += void_amount;
    p->refunded += refund_amount;
    return HF_OK;
}

/* Units to cancel per line: every live unit, or the requested ones (a SKU
 * on several lines is taken from them in order). */
static hf_rc units_to_cancel(const hf_order *o, const hf_cancel_request *req,
                             int64_t *per_line, hf_err *err)
{
    for (size_t i = 0; i < o->n_lines; i++)
        per_line[i] = req->lines ? 0 : hf_order_line_live_qty(&o->lines[i]);
    for (size_t r = 0; req->lines && r < req->n_lines; r++) {
        char field[32];
        snprintf(field, sizeof(field), "lines[%zu].qty", r);
        int64_t want = req->lines[r].qty;
        if (want < 1)
            return hf_fail(err, HF_EINVAL, "invalid", field,
                           "qty must be at least 1");
        for (size_t i = 0; i < o->n_lines && want > 0; i++) {
            if (strcmp(o->lines[i].sku, req->lines[r].sku) != 0)
                continue;
            int64_t room = hf_order_line_live_qty(&o->lines[i]) - per_line[i];
            int64_t take = room < want ? room : want;
            per_line[i] += take;
            want -= take;
        }
        if (want > 0)
            return hf_fail(err, HF_EINVAL, "invalid", field,
                           "the order has fewer live units of %s than that",
                           req->lines[r].sku);
    }
    return HF_OK;
}

hf_rc hf_orders_cancel_txn(hf_txn *t, const hf_services *svc,
                           const hf_cancel_request *req, hf_arena *a,
                           hf_order_result *out, hf_err *err)
{
    if (!hf_cancel_reason_valid(req->reason))
        return hf_fail(err, HF_EINVAL, "invalid_reason", "reason",
                       "reason must be one of the cancellation reason codes");
    if (req->lines != NULL && req->n_lines == 0)
        return hf_fail(err, HF_EINVAL, "invalid", "lines",
                       "lines, when given, names at least one line");
    hf_order o;
    hf_rc rc = hf_txn_order_get(t, req->order, a, &o, err);
    if (rc != HF_OK)
        return rc;
    if (o.status == HF_STATUS_CANCELLED && req->lines == NULL) {
        /* cancelling again changes nothing */
        out->order = o;
        return hf_txn_order_get_doc(t, o.id, a, &out->doc, err);
    }
    if (!hf_order_cancellable(o.status, o.held_from, svc->last_cancellable))
        return hf_fail(err, HF_ECONFLICT, "not_cancellable", NULL,
                       "order %s is %s and can no longer be cancelled",
                       o.number, hf_order_status_name(o.status));
    int64_t *per_line = hf_arena_zalloc(a, (o.n_lines + 1) * sizeof(int64_t));
    if (per_line == NULL)
        return hf_fail(err, HF_ENOMEM, NULL, NULL, "out of memory");
    if ((rc = units_to_cancel(&o, req, per_line, err)) != HF_OK)
        return rc;

    hf_time now = hf_clock_now(svc->clock);
    int version = o.version;
    size_t first_new = o.n_events;
    hf_minor before = hf_order_total(&o);
    bool holds = hf_order_status_holds_stock(o.status);
    for (size_t i = 0; i < o.n_lines; i++) {
        if (per_line[i] == 0)
            continue;
        if ((rc = hf_orders_release_units(t, &o.lines[i], per_line[i], holds, a,
                                          err)) != HF_OK)
            return rc;
        o.lines[i].cancelled_qty += per_line[i];
    }
    bool whole = hf_order_fully_cancelled(&o);
    if (whole)
        o.shipping_total = 0; /* nothing ships: shipping is returned too */
    hf_minor amount = before - hf_order_total(&o);
    if ((rc = hf_orders_return_money(t, &o, amount, now, a, err)) != HF_OK)
        return rc;

    hf_order_status from = o.status;
    o.cancel_reason = req->reason;
    o.cancel_note = req->note;
    o.updated_at = now;
    o.version++;
    const char *data =
        hf_arena_printf(a, "{\"amount\":%lld}", (long long)amount);
    if (whole) {
        o.status = HF_STATUS_CANCELLED;
        rc = hf_orders_add_event(&o, a, now, "cancelled", req->actor, from,
                                 HF_STATUS_CANCELLED, req->reason, data, err);
    } else {
        rc = hf_orders_add_event(&o, a, now, "lines_cancelled", req->actor,
                                 from, from, req->reason, data, err);
    }
    if (rc != HF_OK || (rc = hf_orders_persist(t, &o, version, first_new, a,
                                               out, err)) != HF_OK)
        return rc;
    /* the customer's and the SKUs' cancellation history for the risk
     * model */
    if (whole &&
        (rc = hf_txn_order_outcome_at(t, o.seq, false, now, err)) != HF_OK)
        return rc;
    for (size_t i = 0; whole && i < o.n_lines; i++)
        if ((rc = hf_txn_risk_sku_add(t, o.lines[i].sku, now, 0, 1, err)) !=
            HF_OK)
            return rc;
    const char *note = hf_arena_printf(
        a, "{\"order_id\":\"%s\",\"number\":\"%s\",\"amount\":%lld}", o.id,
        o.number, (long long)amount);
    rc = hf_txn_outbox_put(t,
                           whole ? "order.cancelled" : "order.lines_cancelled",
                           o.id, note, now, err);
    /* a person has nothing left to do about a cancelled order */
    if (rc == HF_OK && whole)
        rc = hf_escalations_order_cancelled_txn(t, svc, &o, req, a, err);
    return rc;
}

/* --- Transitions --------------------------------------------------------- */

/* Side effects of reaching `to`: stock and money move with the goods. */
static hf_rc on_reach(hf_txn *t, hf_order *o, hf_order_status to, hf_time at,
                      hf_arena *a, hf_err *err)
{
    hf_rc rc = HF_OK;
    if (to == HF_STATUS_SHIPPED) {
        for (size_t i = 0; i < o->n_lines && rc == HF_OK; i++) {
            const hf_order_line *l = &o->lines[i];
            for (size_t j = 0; j < l->n_allocations && rc == HF_OK; j++)
                if (l->allocations[j].qty > 0)
                    rc = hf_txn_stock_consume(t, l->sku,
                                              l->allocations[j].location,
                                              l->allocations[j].qty, err);
        }
        if (rc == HF_OK && o->payment.authorized > 0) {
            rc = pay(t, o, HF_PAY_CAPTURE, o->payment.authorized, at, a, err);
            if (rc == HF_OK) {
                o->payment.captured += o->payment.authorized;
                o->payment.authorized = 0;
            }
        }
    } else if (to == HF_STATUS_RETURNED) {
        /* for the customer's history (the risk model) */
        rc = hf_txn_order_outcome_at(t, o->seq, true, at, err);
        /* the shipped units come back to where they left from */
        for (size_t i = 0; i < o->n_lines && rc == HF_OK; i++) {
            const hf_order_line *l = &o->lines[i];
            for (size_t j = 0; j < l->n_allocations && rc == HF_OK; j++) {
                hf_stock_level after;
                if (l->allocations[j].qty > 0)
                    rc = hf_txn_stock_adjust(t, l->sku,
                                             l->allocations[j].location,
                                             l->allocations[j].qty, "returned",
                                             o->id, at, &after, err);
            }
        }
    }
    return rc;
}

hf_rc hf_orders_transition_txn(hf_txn *t, const hf_services *svc,
                               const hf_transition_request *req, hf_arena *a,
                               hf_order_result *out, hf_err *err)
{
    hf_order_status to;
    if (!hf_order_status_parse(req->to, &to))
        return hf_fail(err, HF_EINVAL, "invalid", "to", "unknown status %s",
                       req->to ? req->to : "");
    if (to == HF_STATUS_CANCELLED)
        return hf_fail(err, HF_EINVAL, "use_cancel", "to",
                       "cancel through POST /v1/orders/{id}/cancel, which "
                       "releases stock and returns the money");
    hf_order o;
    hf_rc rc = hf_txn_order_get(t, req->order, a, &o, err);
    if (rc != HF_OK)
        return rc;
    if (!hf_order_transition_allowed(o.status, to, o.held_from))
        return hf_fail(err, HF_ECONFLICT, "invalid_transition", "to",
                       "order %s cannot go from %s to %s", o.number,
                       hf_order_status_name(o.status),
                       hf_order_status_name(to));
    hf_time now = now_or(svc, req->at);
    int version = o.version;
    size_t first_new = o.n_events;
    if ((rc = on_reach(t, &o, to, now, a, err)) != HF_OK)
        return rc;
    hf_order_status from = o.status;
    if (to == HF_STATUS_ON_HOLD)
        o.held_from = from;
    o.status = to;
    o.updated_at = now;
    o.version++;
    if ((rc = hf_orders_add_event(&o, a, now, "status_changed", req->actor,
                                  from, to, req->reason, NULL, err)) != HF_OK ||
        (rc = hf_orders_persist(t, &o, version, first_new, a, out, err)) !=
            HF_OK)
        return rc;
    /* the lane's delivery history for the risk model */
    if (to == HF_STATUS_DELIVERED &&
        (rc = hf_risk_lane_delivered(t, &o, now, hf_clock_now(svc->clock), a,
                                     err)) != HF_OK)
        return rc;
    const char *topic = hf_arena_printf(a, "order.%s", req->to);
    const char *note = hf_arena_printf(
        a, "{\"order_id\":\"%s\",\"number\":\"%s\"}", o.id, o.number);
    return hf_txn_outbox_put(t, topic, o.id, note, now, err);
}

static hf_rc cancel_any(hf_txn *t, const hf_services *svc, const void *req,
                        hf_arena *a, hf_order_result *out, hf_err *err)
{
    return hf_orders_cancel_txn(t, svc, req, a, out, err);
}

static hf_rc transition_any(hf_txn *t, const hf_services *svc, const void *req,
                            hf_arena *a, hf_order_result *out, hf_err *err)
{
    return hf_orders_transition_txn(t, svc, req, a, out, err);
}

hf_rc hf_orders_cancel(const hf_services *svc, const hf_cancel_request *req,
                       hf_arena *a, hf_order_result *out, hf_err *err)
{
    op_call c = {svc, req, a, out, cancel_any};
    return hf_store_write(svc->store, op_call_fn, &c, err);
}

hf_rc hf_orders_transition(const hf_services *svc,
                           const hf_transition_request *req, hf_arena *a,
                           hf_order_result *out, hf_err *err)
{
    op_call c = {svc, req, a, out, transition_any};
    return hf_store_write(svc->store, op_call_fn, &c, err);
}

hf_rc hf_orders_note_txn(hf_txn *t, const char *order, const char *type,
                         const char *actor, hf_time at, const char *reason,
                         const char *data_json, hf_arena *a,
                         hf_order_result *out, hf_err *err)
{
    hf_order o;
    hf_rc rc = hf_txn_order_get(t, order, a, &o, err);
    if (rc != HF_OK)
        return rc;
    int version = o.version;
    size_t first_new = o.n_events;
    o.version++;
    o.updated_at = at > o.updated_at ? at : o.updated_at;
    rc = hf_orders_add_event(&o, a, at, type, actor, HF_STATUS_COUNT,
                             HF_STATUS_COUNT, reason, data_json, err);
    if (rc == HF_OK)
        rc = hf_orders_persist(t, &o, version, first_new, a, out, err);
    return rc;
}
