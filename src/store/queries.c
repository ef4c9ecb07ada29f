/*
 * queries.c - the store's primitives, written once over the SQL driver
 * interface (store_int.h) that every backend implements. The statements
 * themselves are in sql.c.
 */
#include "store/queries_int.h"

#include <stdio.h>
#include <string.h>

/* Columns of the orders table, in the order the statements bind them
 * (?1..?45); the UPDATE reuses the numbers and adds ?46 for the version
 * it expects. */
enum {
    COL_ID = 1,
    COL_NUMBER,
    COL_SEQ,
    COL_CUSTOMER_ID,
    COL_STATUS,
    COL_HELD_FROM,
    COL_VERSION,
    COL_CHANNEL,
    COL_CURRENCY,
    COL_SUBTOTAL,
    COL_SHIPPING_TOTAL,
    COL_DISCOUNT_TOTAL,
    COL_TAX_TOTAL,
    COL_TOTAL,
    COL_SHIPPING_METHOD,
    COL_SHIP_ADDRESS, /* 8 columns: name .. phone */
    COL_BILL_ADDRESS = COL_SHIP_ADDRESS + 8,
    COL_PAYMENT_METHOD = COL_BILL_ADDRESS + 8,
    COL_PAYMENT_GATEWAY,
    COL_PAYMENT_TOKEN,
    COL_CAPTURE_MODE,
    COL_AUTHORIZED,
    COL_CAPTURED,
    COL_REFUNDED,
    COL_VOIDED,
    COL_PLACED_AT,
    COL_UPDATED_AT,
    COL_PROMISED_BY,
    COL_CANCEL_REASON,
    COL_CANCEL_NOTE,
    COL_DOC,
    COL_EXPECTED_VERSION,
};

/* --- Locations ----------------------------------------------------------- */

hf_rc hf_txn_location_insert(hf_txn *t, const hf_location *loc, hf_time now,
                             hf_err *err)
{
    STMT(st, t, SQL_LOCATION_INSERT);
    BIND_TEXT(st, 1, loc->code);
    BIND_TEXT(st, 2, loc->name);
    BIND_INT(st, 3, loc->priority);
    BIND_INT(st, 4, now);
    hf_rc rc = hf_stmt_exec(t, st, "location_exists", NULL, err);
    if (rc == HF_ECONFLICT)
        hf_fail(err, rc, "location_exists", "code",
                "location %s already exists", loc->code);
    return rc;
}

static void read_location(hf_row *r, void *item)
{
    *(hf_location *)item = (hf_location){hf_row_text(r, 0), hf_row_text(r, 1),
                                         (int)hf_row_int(r, 2)};
}

hf_rc hf_txn_location_list(hf_txn *t, hf_arena *a, hf_location **out, size_t *n,
                           hf_err *err)
{
    STMT(st, t, SQL_LOCATION_LIST);
    *out = NULL;
    *n = 0;
    return hf_stmt_collect(t, st, a, sizeof(**out), read_location, (void **)out,
                           n, err);
}

hf_rc hf_txn_location_get(hf_txn *t, const char *code, hf_err *err)
{
    STMT(st, t, SQL_LOCATION_GET);
    BIND_TEXT(st, 1, code);
    hf_rc rc = hf_stmt_first(t, st, err);
    t->drv->reset(st);
    return rc;
}

/* --- Products ------------------------------------------------------------ */

hf_rc hf_txn_product_insert(hf_txn *t, const hf_product *p, hf_err *err)
{
    STMT(st, t, SQL_PRODUCT_INSERT);
    BIND_TEXT(st, 1, p->sku);
    BIND_TEXT(st, 2, p->name);
    BIND_INT(st, 3, p->price);
    BIND_INT(st, 4, p->cost);
    BIND_TEXT(st, 5, p->currency);
    BIND_TEXT(st, 6, p->category);
    BIND_TEXT(st, 7, p->attributes_json);
    BIND_INT(st, 8, p->active);
    BIND_INT(st, 9, p->created_at);
    hf_rc rc = hf_stmt_exec(t, st, "sku_exists", NULL, err);
    if (rc == HF_ECONFLICT)
        hf_fail(err, rc, "sku_exists", "sku", "product %s already exists",
                p->sku);
    return rc;
}

static void read_product(hf_row *r, hf_product *p)
{
    p->sku = hf_row_text(r, 0);
    p->name = hf_row_text(r, 1);
    p->price = hf_row_int(r, 2);
    p->cost = hf_row_int(r, 3);
    p->currency = hf_row_text(r, 4);
    p->category = hf_row_text(r, 5);
    p->attributes_json = hf_row_text(r, 6);
    p->active = hf_row_int(r, 7) != 0;
    p->created_at = hf_row_int(r, 8);
}

hf_rc hf_txn_product_get(hf_txn *t, const char *sku, hf_arena *a,
                         hf_product *out, hf_err *err)
{
    STMT(st, t, SQL_PRODUCT_GET);
    BIND_TEXT(st, 1, sku);
    hf_rc rc = hf_stmt_first(t, st, err);
    if (rc == HF_ENOTFOUND)
        return hf_fail(err, rc, "not_found", NULL, "no product %s", sku);
    if (rc != HF_OK)
        return rc;
    hf_row r = {t->drv, st, a, false};
    read_product(&r, out);
    return hf_row_done(&r, err);
}

static void read_product_list_row(hf_row *r, void *item)
{
    read_product(r, item);
}

hf_rc hf_txn_product_list(hf_txn *t, const char *after, int limit, hf_arena *a,
                          hf_product **out, size_t *n, hf_err *err)
{
    STMT(st, t, SQL_PRODUCT_LIST);
    BIND_TEXT(st, 1, after ? after : "");
    BIND_INT(st, 2, limit);
    *out = NULL;
    *n = 0;
    return hf_stmt_collect(t, st, a, sizeof(**out), read_product_list_row,
                           (void **)out, n, err);
}

/* --- Stock --------------------------------------------------------------- */

static void read_stock_get_row(hf_row *r, void *item)
{
    *(hf_stock_level *)item =
        (hf_stock_level){hf_row_text(r, 0), hf_row_text(r, 1), hf_row_int(r, 2),
                         hf_row_int(r, 3)};
}

hf_rc hf_txn_stock_get(hf_txn *t, const char *sku, hf_arena *a,
                       hf_stock_level **out, size_t *n, hf_err *err)
{
    STMT(st, t, SQL_STOCK_GET);
    BIND_TEXT(st, 1, sku);
    *out = NULL;
    *n = 0;
    return hf_stmt_collect(t, st, a, sizeof(**out), read_stock_get_row,
                           (void **)out, n, err);
}

hf_rc hf_txn_stock_adjust(hf_txn *t, const char *sku, const char *location,
                          int64_t delta, const char *reason, const char *actor,
                          hf_time now, hf_stock_level *after, hf_err *err)
{
    STMT(ensure, t, SQL_STOCK_ENSURE);
    BIND_TEXT(ensure, 1, sku);
    BIND_TEXT(ensure, 2, location);
    hf_rc rc = hf_stmt_exec(t, ensure, NULL, NULL, err);
    if (rc != HF_OK)
        return rc;
    STMT(st, t, SQL_STOCK_ADJUST);
    BIND_TEXT(st, 1, sku);
    BIND_TEXT(st, 2, location);
    BIND_INT(st, 3, delta);
    int64_t changed;
    if ((rc = hf_stmt_exec(t, st, NULL, &changed, err)) != HF_OK)
        return rc;
    if (changed == 0)
        return hf_fail(err, HF_ECONFLICT, "insufficient_stock", "delta",
                       "on hand of %s at %s cannot drop below what is "
                       "reserved or below zero",
                       sku, location);
    STMT(log, t, SQL_ADJUSTMENT_LOG);
    BIND_TEXT(log, 1, sku);
    BIND_TEXT(log, 2, location);
    BIND_INT(log, 3, delta);
    BIND_TEXT(log, 4, reason);
    BIND_TEXT(log, 5, actor);
    BIND_INT(log, 6, now);
    if ((rc = hf_stmt_exec(t, log, NULL, NULL, err)) != HF_OK)
        return rc;
    STMT(level, t, SQL_STOCK_LEVEL);
    BIND_TEXT(level, 1, sku);
    BIND_TEXT(level, 2, location);
    if ((rc = hf_stmt_first(t, level, err)) != HF_OK)
        return rc == HF_ENOTFOUND ? HF_ESTORE : rc;
    after->sku = sku;
    after->location = location;
    after->on_hand = t->drv->column_int(level, 0);
    after->reserved = t->drv->column_int(level, 1);
    t->drv->reset(level);
    return HF_OK;
}

/* Runs one of the guarded stock updates; no row changed means the guard
 * refused. */
static hf_rc stock_move(hf_txn *t, sql_id id, const char *sku,
                        const char *location, int64_t qty, const char *code,
                        hf_err *err)
{
    STMT(st, t, id);
    BIND_TEXT(st, 1, sku);
    BIND_TEXT(st, 2, location);
    BIND_INT(st, 3, qty);
    int64_t changed;
    hf_rc rc = hf_stmt_exec(t, st, NULL, &changed, err);
    if (rc == HF_OK && changed == 0)
        return hf_fail(err, HF_ECONFLICT, code, NULL,
                       "not enough stock of %s at %s", sku, location);
    return rc;
}

hf_rc hf_txn_stock_reserve(hf_txn *t, const char *sku, const char *location,
                           int64_t qty, hf_err *err)
{
    return stock_move(t, SQL_STOCK_RESERVE, sku, location, qty, "out_of_stock",
                      err);
}

hf_rc hf_txn_stock_release(hf_txn *t, const char *sku, const char *location,
                           int64_t qty, hf_err *err)
{
    return stock_move(t, SQL_STOCK_RELEASE, sku, location, qty,
                      "stock_mismatch", err);
}

hf_rc hf_txn_stock_consume(hf_txn *t, const char *sku, const char *location,
                           int64_t qty, hf_err *err)
{
    return stock_move(t, SQL_STOCK_CONSUME, sku, location, qty,
                      "stock_mismatch", err);
}

/* --- Customers ----------------------------------------------------------- */

hf_rc hf_txn_customer_insert(hf_txn *t, const hf_customer *c, hf_err *err)
{
    STMT(st, t, SQL_CUSTOMER_INSERT);
    BIND_TEXT(st, 1, c->id);
    BIND_TEXT(st, 2, c->email);
    BIND_TEXT(st, 3, c->name);
    BIND_TEXT(st, 4, c->phone);
    BIND_INT(st, 5, c->created_at);
    hf_rc rc = hf_stmt_exec(t, st, "email_exists", NULL, err);
    if (rc == HF_ECONFLICT)
        hf_fail(err, rc, "email_exists", "email",
                "a customer with email %s already exists", c->email);
    return rc;
}

static hf_rc customer_read(hf_txn *t, sql_id id, const char *key, hf_arena *a,
                           hf_customer *out, hf_err *err)
{
    STMT(st, t, id);
    BIND_TEXT(st, 1, key);
    hf_rc rc = hf_stmt_first(t, st, err);
    if (rc == HF_ENOTFOUND)
        return hf_fail(err, rc, "not_found", NULL, "no customer %s", key);
    if (rc != HF_OK)
        return rc;
    hf_row r = {t->drv, st, a, false};
    out->id = hf_row_text(&r, 0);
    out->email = hf_row_text(&r, 1);
    out->name = hf_row_text(&r, 2);
    out->phone = hf_row_text(&r, 3);
    out->created_at = hf_row_int(&r, 4);
    return hf_row_done(&r, err);
}

hf_rc hf_txn_customer_get(hf_txn *t, const char *id, hf_arena *a,
                          hf_customer *out, hf_err *err)
{
    return customer_read(t, SQL_CUSTOMER_GET, id, a, out, err);
}

hf_rc hf_txn_customer_find(hf_txn *t, const char *email, hf_arena *a,
                           hf_customer *out, hf_err *err)
{
    return customer_read(t, SQL_CUSTOMER_FIND, email, a, out, err);
}

/* --- Orders -------------------------------------------------------------- */

hf_rc hf_txn_order_next_seq(hf_txn *t, int64_t *seq, hf_err *err)
{
    STMT(st, t, SQL_ORDER_NEXT_SEQ);
    hf_rc rc = hf_stmt_first(t, st, err);
    if (rc != HF_OK)
        return rc == HF_ENOTFOUND ? HF_ESTORE : rc;
    *seq = t->drv->column_int(st, 0);
    t->drv->reset(st);
    return HF_OK;
}

static void bind_address(hf_txn *t, hf_stmt *st, int first,
                         const hf_address *ad, bool present)
{
    const char *fields[8] = {NULL};
    if (present) {
        fields[0] = ad->name;
        fields[1] = ad->line1;
        fields[2] = ad->line2;
        fields[3] = ad->city;
        fields[4] = ad->region;
        fields[5] = ad->postal_code;
        fields[6] = ad->country;
        fields[7] = ad->phone;
    }
    for (int i = 0; i < 8; i++)
        BIND_TEXT(st, first + i, fields[i]);
}

/* Binds ?1..?45 of the order INSERT and UPDATE. */
static void bind_order(hf_txn *t, hf_stmt *st, const hf_order *o,
                       const char *doc)
{
    BIND_TEXT(st, COL_ID, o->id);
    BIND_TEXT(st, COL_NUMBER, o->number);
    BIND_INT(st, COL_SEQ, o->seq);
    BIND_TEXT(st, COL_CUSTOMER_ID, o->customer.id);
    BIND_TEXT(st, COL_STATUS, hf_order_status_name(o->status));
    BIND_TEXT(st, COL_HELD_FROM,
              o->status == HF_STATUS_ON_HOLD
                  ? hf_order_status_name(o->held_from)
                  : NULL);
    BIND_INT(st, COL_VERSION, o->version);
    BIND_TEXT(st, COL_CHANNEL, o->channel);
    BIND_TEXT(st, COL_CURRENCY, o->currency);
    BIND_INT(st, COL_SUBTOTAL, hf_order_subtotal(o));
    BIND_INT(st, COL_SHIPPING_TOTAL, o->shipping_total);
    BIND_INT(st, COL_DISCOUNT_TOTAL, o->discount_total);
    BIND_INT(st, COL_TAX_TOTAL, o->tax_total);
    BIND_INT(st, COL_TOTAL, hf_order_total(o));
    BIND_TEXT(st, COL_SHIPPING_METHOD,
              hf_shipping_method_name(o->shipping_method));
    bind_address(t, st, COL_SHIP_ADDRESS, &o->shipping_address, true);
    bind_address(t, st, COL_BILL_ADDRESS, &o->billing_address,
                 o->has_billing_address);
    BIND_TEXT(st, COL_PAYMENT_METHOD, o->payment.method);
    BIND_TEXT(st, COL_PAYMENT_GATEWAY, o->payment.gateway);
    BIND_TEXT(st, COL_PAYMENT_TOKEN, o->payment.token);
    BIND_TEXT(st, COL_CAPTURE_MODE, hf_capture_mode_name(o->payment.capture));
    BIND_INT(st, COL_AUTHORIZED, o->payment.authorized);
    BIND_INT(st, COL_CAPTURED, o->payment.captured);
    BIND_INT(st, COL_REFUNDED, o->payment.refunded);
    BIND_INT(st, COL_VOIDED, o->payment.voided);
    BIND_INT(st, COL_PLACED_AT, o->placed_at);
    BIND_INT(st, COL_UPDATED_AT, o->updated_at);
    BIND_INT(st, COL_PROMISED_BY, o->promised_by);
    BIND_TEXT(st, COL_CANCEL_REASON, o->cancel_reason);
    BIND_TEXT(st, COL_CANCEL_NOTE, o->cancel_note);
    BIND_TEXT(st, COL_DOC, doc);
}

static hf_rc insert_allocations(hf_txn *t, const hf_order *o, hf_err *err)
{
    for (size_t i = 0; i < o->n_lines; i++) {
        const hf_order_line *l = &o->lines[i];
        for (size_t j = 0; j < l->n_allocations; j++) {
            if (l->allocations[j].qty == 0)
                continue;
            STMT(st, t, SQL_ALLOCATION_INSERT);
            BIND_INT(st, 1, o->seq);
            BIND_INT(st, 2, l->line_no);
            BIND_TEXT(st, 3, l->allocations[j].location);
            BIND_INT(st, 4, l->allocations[j].qty);
            hf_rc rc = hf_stmt_exec(t, st, NULL, NULL, err);
            if (rc != HF_OK)
                return rc;
        }
    }
    return HF_OK;
}

hf_rc hf_txn_order_insert(hf_txn *t, const hf_order *o, const char *doc,
                          hf_err *err)
{
    STMT(st, t, SQL_ORDER_INSERT);
    bind_order(t, st, o, doc);
    hf_rc rc = hf_stmt_exec(t, st, "order_exists", NULL, err);
    if (rc != HF_OK)
        return rc;
    for (size_t i = 0; i < o->n_lines; i++) {
        const hf_order_line *l = &o->lines[i];
        STMT(line, t, SQL_LINE_INSERT);
        BIND_INT(line, 1, o->seq);
        BIND_INT(line, 2, l->line_no);
        BIND_TEXT(line, 3, l->sku);
        BIND_TEXT(line, 4, l->name);
        BIND_INT(line, 5, l->qty);
        BIND_INT(line, 6, l->cancelled_qty);
        BIND_INT(line, 7, l->unit_price);
        if ((rc = hf_stmt_exec(t, line, NULL, NULL, err)) != HF_OK)
            return rc;
    }
    return insert_allocations(t, o, err);
}

hf_rc hf_txn_order_update(hf_txn *t, const hf_order *o, int expected_version,
                          const char *doc, hf_err *err)
{
    STMT(st, t, SQL_ORDER_UPDATE);
    bind_order(t, st, o, doc);
    BIND_INT(st, COL_EXPECTED_VERSION, expected_version);
    int64_t changed;
    hf_rc rc = hf_stmt_exec(t, st, NULL, &changed, err);
    if (rc != HF_OK)
        return rc;
    if (changed == 0)
        return hf_fail(err, HF_ECONFLICT, "concurrent_update", NULL,
                       "order %s changed meanwhile; retry", o->number);
    for (size_t i = 0; i < o->n_lines; i++) {
        STMT(line, t, SQL_LINE_UPDATE);
        BIND_INT(line, 1, o->seq);
        BIND_INT(line, 2, o->lines[i].line_no);
        BIND_INT(line, 3, o->lines[i].cancelled_qty);
        BIND_TEXT(line, 4, o->lines[i].sku);
        BIND_TEXT(line, 5, o->lines[i].name);
        if ((rc = hf_stmt_exec(t, line, NULL, NULL, err)) != HF_OK)
            return rc;
    }
    STMT(del, t, SQL_ALLOCATION_DELETE);
    BIND_INT(del, 1, o->seq);
    if ((rc = hf_stmt_exec(t, del, NULL, NULL, err)) != HF_OK)
        return rc;
    return insert_allocations(t, o, err);
}

static void read_address(hf_row *r, int first, hf_address *ad)
{
    ad->name = hf_row_text(r, first);
    ad->line1 = hf_row_text(r, first + 1);
    ad->line2 = hf_row_text(r, first + 2);
    ad->city = hf_row_text(r, first + 3);
    ad->region = hf_row_text(r, first + 4);
    ad->postal_code = hf_row_text(r, first + 5);
    ad->country = hf_row_text(r, first + 6);
    ad->phone = hf_row_text(r, first + 7);
}

static hf_order_status status_or(const char *name, hf_order_status fallback)
{
    hf_order_status s;
    return hf_order_status_parse(name, &s) ? s : fallback;
}

/* Reads the order row (columns COL_ID-1 .. COL_CANCEL_NOTE-1, then the
 * customer's email, name, phone, created_at). */
static void read_order_row(hf_row *r, hf_order *o)
{
    memset(o, 0, sizeof(*o));
    o->id = hf_row_text(r, COL_ID - 1);
    o->number = hf_row_text(r, COL_NUMBER - 1);
    o->seq = hf_row_int(r, COL_SEQ - 1);
    o->customer.id = hf_row_text(r, COL_CUSTOMER_ID - 1);
    o->status = status_or(hf_row_text(r, COL_STATUS - 1), HF_STATUS_PENDING);
    o->held_from =
        status_or(hf_row_text(r, COL_HELD_FROM - 1), HF_STATUS_CONFIRMED);
    o->version = (int)hf_row_int(r, COL_VERSION - 1);
    o->channel = hf_row_text(r, COL_CHANNEL - 1);
    o->currency = hf_row_text(r, COL_CURRENCY - 1);
    o->shipping_total = hf_row_int(r, COL_SHIPPING_TOTAL - 1);
    o->discount_total = hf_row_int(r, COL_DISCOUNT_TOTAL - 1);
    o->tax_total = hf_row_int(r, COL_TAX_TOTAL - 1);
    hf_shipping_method_parse(hf_row_text(r, COL_SHIPPING_METHOD - 1),
                             &o->shipping_method);
    read_address(r, COL_SHIP_ADDRESS - 1, &o->shipping_address);
    read_address(r, COL_BILL_ADDRESS - 1, &o->billing_address);
    o->has_billing_address = o->billing_address.line1 != NULL;
    o->payment.method = hf_row_text(r, COL_PAYMENT_METHOD - 1);
    o->payment.gateway = hf_row_text(r, COL_PAYMENT_GATEWAY - 1);
    o->payment.token = hf_row_text(r, COL_PAYMENT_TOKEN - 1);
    hf_capture_mode_parse(hf_row_text(r, COL_CAPTURE_MODE - 1),
                          &o->payment.capture);
    o->payment.authorized = hf_row_int(r, COL_AUTHORIZED - 1);
    o->payment.captured = hf_row_int(r, COL_CAPTURED - 1);
    o->payment.refunded = hf_row_int(r, COL_REFUNDED - 1);
    o->payment.voided = hf_row_int(r, COL_VOIDED - 1);
    o->placed_at = hf_row_int(r, COL_PLACED_AT - 1);
    o->updated_at = hf_row_int(r, COL_UPDATED_AT - 1);
    o->promised_by = hf_row_int(r, COL_PROMISED_BY - 1);
    o->cancel_reason = hf_row_text(r, COL_CANCEL_REASON - 1);
    o->cancel_note = hf_row_text(r, COL_CANCEL_NOTE - 1);
    int c = COL_CANCEL_NOTE; /* the customer's columns follow */
    o->customer.email = hf_row_text(r, c);
    o->customer.name = hf_row_text(r, c + 1);
    o->customer.phone = hf_row_text(r, c + 2);
    o->customer.created_at = hf_row_int(r, c + 3);
    o->risk_model = hf_row_text(r, c + 5);
    o->has_risk = o->risk_model != NULL;
    o->risk_score = (double)hf_row_int(r, c + 4) / 1e6;
    o->risk_at = hf_row_int(r, c + 6);
    o->risk_reason = hf_row_text(r, c + 7);
}

static hf_rc read_lines(hf_txn *t, hf_order *o, hf_arena *a, hf_err *err)
{
    STMT(st, t, SQL_LINES_GET);
    BIND_INT(st, 1, o->seq);
    hf_row r = {t->drv, st, a, false};
    int rc;
    while ((rc = t->drv->step(st, NULL, err)) == HF_STEP_ROW) {
        if ((o->lines = hf_grow(a, o->lines, o->n_lines, sizeof(*o->lines))) ==
            NULL) {
            r.oom = true;
            break;
        }
        hf_order_line *l = &o->lines[o->n_lines++];
        memset(l, 0, sizeof(*l));
        l->line_no = (int)hf_row_int(&r, 0);
        l->sku = hf_row_text(&r, 1);
        l->name = hf_row_text(&r, 2);
        l->qty = hf_row_int(&r, 3);
        l->cancelled_qty = hf_row_int(&r, 4);
        l->unit_price = hf_row_int(&r, 5);
    }
    if (rc != HF_STEP_ROW && rc != HF_STEP_DONE)
        return err->rc;
    hf_rc out = hf_row_done(&r, err);
    if (out != HF_OK)
        return out;

    STMT(al, t, SQL_ALLOCATIONS_GET);
    BIND_INT(al, 1, o->seq);
    r = (hf_row){t->drv, al, a, false};
    while ((rc = t->drv->step(al, NULL, err)) == HF_STEP_ROW) {
        int line_no = (int)hf_row_int(&r, 0);
        for (size_t i = 0; i < o->n_lines; i++) {
            hf_order_line *l = &o->lines[i];
            if (l->line_no != line_no)
                continue;
            l->allocations = hf_grow(a, l->allocations, l->n_allocations,
                                     sizeof(*l->allocations));
            if (l->allocations == NULL) {
                r.oom = true;
                break;
            }
            l->allocations[l->n_allocations++] =
                (hf_allocation){hf_row_text(&r, 1), hf_row_int(&r, 2)};
        }
    }
    if (rc != HF_STEP_ROW && rc != HF_STEP_DONE)
        return err->rc;
    return hf_row_done(&r, err);
}

static hf_rc read_events(hf_txn *t, hf_order *o, hf_arena *a, hf_err *err)
{
    STMT(st, t, SQL_EVENTS_GET);
    BIND_INT(st, 1, o->seq);
    hf_row r = {t->drv, st, a, false};
    int rc;
    while ((rc = t->drv->step(st, NULL, err)) == HF_STEP_ROW) {
        o->events = hf_grow(a, o->events, o->n_events, sizeof(*o->events));
        if (o->events == NULL) {
            r.oom = true;
            break;
        }
        hf_order_event *e = &o->events[o->n_events++];
        e->seq = (int)hf_row_int(&r, 0);
        e->at = hf_row_int(&r, 1);
        e->type = hf_row_text(&r, 2);
        e->actor = hf_row_text(&r, 3);
        e->from = status_or(hf_row_text(&r, 4), HF_STATUS_COUNT);
        e->to = status_or(hf_row_text(&r, 5), HF_STATUS_COUNT);
        e->reason = hf_row_text(&r, 6);
        e->data_json = hf_row_text(&r, 7);
    }
    if (rc != HF_STEP_ROW && rc != HF_STEP_DONE)
        return err->rc;
    return hf_row_done(&r, err);
}

/* The seq of an order number "HF-100042"; false for anything else. */
static bool number_seq(const char *s, int64_t *seq)
{
    if (strncmp(s, "HF-", 3) != 0 || s[3] < '1' || s[3] > '9')
        return false;
    int64_t v = 0;
    for (s += 3; *s; s++) {
        if (*s < '0' || *s > '9' || v > INT64_MAX / 10 - 9)
            return false;
        v = v * 10 + (*s - '0');
    }
    *seq = v;
    return true;
}

/* Prepares the lookup of an order by id or by number: the statement by_id
 * or by_seq, bound. */
static hf_stmt *order_lookup(hf_txn *t, const char *id_or_number, sql_id by_id,
                             sql_id by_seq, hf_err *err)
{
    int64_t seq;
    bool by_number = number_seq(id_or_number, &seq);
    hf_stmt *st = t->drv->prepare(t, by_number ? by_seq : by_id, err);
    if (st == NULL)
        return NULL;
    if (by_number)
        BIND_INT(st, 1, seq);
    else
        BIND_TEXT(st, 1, id_or_number);
    return st;
}

hf_rc hf_txn_order_get(hf_txn *t, const char *id_or_number, hf_arena *a,
                       hf_order *out, hf_err *err)
{
    hf_rc rc = HF_ENOTFOUND;
    {
        hf_stmt *st = order_lookup(t, id_or_number, SQL_ORDER_GET_BY_ID,
                                   SQL_ORDER_GET_BY_SEQ, err);
        if (st == NULL)
            return HF_ESTORE;
        rc = hf_stmt_first(t, st, err);
        if (rc == HF_OK) {
            hf_row r = {t->drv, st, a, false};
            read_order_row(&r, out);
            rc = hf_row_done(&r, err);
        }
    }
    if (rc == HF_ENOTFOUND)
        return hf_fail(err, rc, "not_found", NULL, "no order %s", id_or_number);
    if (rc == HF_OK)
        rc = read_lines(t, out, a, err);
    if (rc == HF_OK)
        rc = read_events(t, out, a, err);
    return rc;
}

hf_rc hf_txn_order_get_doc(hf_txn *t, const char *id_or_number, hf_arena *a,
                           const char **doc, hf_err *err)
{
    hf_rc rc = HF_ENOTFOUND;
    {
        hf_stmt *st =
            order_lookup(t, id_or_number, SQL_DOC_BY_ID, SQL_DOC_BY_SEQ, err);
        if (st == NULL)
            return HF_ESTORE;
        rc = hf_stmt_first(t, st, err);
        if (rc == HF_OK) {
            hf_row r = {t->drv, st, a, false};
            *doc = hf_row_text(&r, 0);
            rc = hf_row_done(&r, err);
        }
    }
    if (rc == HF_ENOTFOUND)
        return hf_fail(err, rc, "not_found", NULL, "no order %s", id_or_number);
    return rc;
}

hf_rc hf_txn_order_list_docs(hf_txn *t, const hf_order_filter *f, hf_arena *a,
                             const char ***docs, size_t *n, int64_t *last_seq,
                             hf_err *err)
{
    STMT(st, t, SQL_ORDER_LIST);
    BIND_TEXT(st, 1, f->status);
    BIND_TEXT(st, 2, f->customer_id);
    BIND_INT(st, 3, f->before_seq > 0 ? f->before_seq : INT64_MAX);
    BIND_INT(st, 4, f->limit);
    hf_row r = {t->drv, st, a, false};
    const char **items = NULL;
    size_t count = 0;
    int rc;
    *last_seq = 0;
    while ((rc = t->drv->step(st, NULL, err)) == HF_STEP_ROW) {
        if ((items = hf_grow(a, items, count, sizeof(*items))) == NULL) {
            r.oom = true;
            break;
        }
        items[count++] = hf_row_text(&r, 0);
        *last_seq = hf_row_int(&r, 1);
    }
    if (rc != HF_STEP_ROW && rc != HF_STEP_DONE)
        return err->rc;
    *docs = items;
    *n = count;
    return hf_row_done(&r, err);
}

hf_rc hf_txn_event_append(hf_txn *t, int64_t order_seq, const hf_order_event *e,
                          hf_err *err)
{
    t->events_added = true;
    STMT(st, t, SQL_EVENT_APPEND);
    BIND_INT(st, 1, order_seq);
    BIND_INT(st, 2, e->seq);
    BIND_INT(st, 3, e->at);
    BIND_TEXT(st, 4, e->type);
    BIND_TEXT(st, 5, e->actor);
    BIND_TEXT(st, 6,
              e->from < HF_STATUS_COUNT ? hf_order_status_name(e->from) : NULL);
    BIND_TEXT(st, 7,
              e->to < HF_STATUS_COUNT ? hf_order_status_name(e->to) : NULL);
    BIND_TEXT(st, 8, e->reason);
    BIND_TEXT(st, 9, e->data_json);
    return hf_stmt_exec(t, st, NULL, NULL, err);
}

hf_rc hf_txn_payment_append(hf_txn *t, const hf_payment_record *p, hf_err *err)
{
    STMT(st, t, SQL_PAYMENT_APPEND);
    BIND_INT(st, 1, p->order_seq);
    BIND_TEXT(st, 2, p->op);
    BIND_INT(st, 3, p->amount);
    BIND_TEXT(st, 4, p->currency);
    BIND_TEXT(st, 5, p->gateway);
    BIND_TEXT(st, 6, p->reference);
    BIND_TEXT(st, 7, p->gateway_ref);
    BIND_INT(st, 8, p->at);
    return hf_stmt_exec(t, st, NULL, NULL, err);
}

hf_rc hf_txn_outbox_put(hf_txn *t, const char *topic, const char *order_id,
                        const char *payload, hf_time now, hf_err *err)
{
    STMT(st, t, SQL_OUTBOX_PUT);
    BIND_TEXT(st, 1, topic);
    BIND_TEXT(st, 2, order_id);
    BIND_TEXT(st, 3, payload);
    BIND_INT(st, 4, now);
    return hf_stmt_exec(t, st, NULL, NULL, err);
}

/* --- API keys and idempotency -------------------------------------------- */

hf_rc hf_txn_api_key_insert(hf_txn *t, const hf_api_key *k, hf_err *err)
{
    STMT(st, t, SQL_API_KEY_INSERT);
    BIND_TEXT(st, 1, k->id);
    BIND_TEXT(st, 2, k->hash);
    BIND_TEXT(st, 3, k->role);
    BIND_TEXT(st, 4, k->label);
    BIND_INT(st, 5, k->created_at);
    return hf_stmt_exec(t, st, "key_exists", NULL, err);
}

hf_rc hf_txn_api_key_find(hf_txn *t, const char *hash, hf_arena *a,
                          hf_api_key *out, hf_err *err)
{
    STMT(st, t, SQL_API_KEY_FIND);
    BIND_TEXT(st, 1, hash);
    hf_rc rc = hf_stmt_first(t, st, err);
    if (rc != HF_OK)
        return rc;
    hf_row r = {t->drv, st, a, false};
    out->id = hf_row_text(&r, 0);
    out->hash = hf_row_text(&r, 1);
    out->role = hf_row_text(&r, 2);
    out->label = hf_row_text(&r, 3);
    out->created_at = hf_row_int(&r, 4);
    return hf_row_done(&r, err);
}

hf_rc hf_txn_idempotency_get(hf_txn *t, const char *principal, const char *key,
                             hf_arena *a, hf_idempotent_reply *out, hf_err *err)
{
    STMT(st, t, SQL_IDEMPOTENCY_GET);
    BIND_TEXT(st, 1, principal);
    BIND_TEXT(st, 2, key);
    hf_rc rc = hf_stmt_first(t, st, err);
    if (rc != HF_OK)
        return rc;
    hf_row r = {t->drv, st, a, false};
    out->request_hash = hf_row_text(&r, 0);
    out->status = (int)hf_row_int(&r, 1);
    out->body = hf_row_text(&r, 2);
    return hf_row_done(&r, err);
}

hf_rc hf_txn_idempotency_put(hf_txn *t, const char *principal, const char *key,
                             const hf_idempotent_reply *rep, hf_time now,
                             hf_err *err)
{
    STMT(st, t, SQL_IDEMPOTENCY_PUT);
    BIND_TEXT(st, 1, principal);
    BIND_TEXT(st, 2, key);
    BIND_TEXT(st, 3, rep->request_hash);
    BIND_INT(st, 4, rep->status);
    BIND_TEXT(st, 5, rep->body);
    BIND_INT(st, 6, now);
    return hf_stmt_exec(t, st, "idempotency_key_reused", NULL, err);
}

static void read_events_since_row(hf_row *r, void *item)
{
    hf_feed_event *f = item;
    f->id = hf_row_int(r, 0);
    f->order_id = hf_row_text(r, 1);
    f->number = hf_row_text(r, 2);
    f->event.seq = (int)hf_row_int(r, 3);
    f->event.at = hf_row_int(r, 4);
    f->event.type = hf_row_text(r, 5);
    f->event.actor = hf_row_text(r, 6);
    f->event.from = status_or(hf_row_text(r, 7), HF_STATUS_COUNT);
    f->event.to = status_or(hf_row_text(r, 8), HF_STATUS_COUNT);
    f->event.reason = hf_row_text(r, 9);
    f->event.data_json = hf_row_text(r, 10);
}

hf_rc hf_txn_events_since(hf_txn *t, int64_t after_id, int limit, hf_arena *a,
                          hf_feed_event **out, size_t *n, hf_err *err)
{
    STMT(st, t, SQL_EVENTS_SINCE);
    BIND_INT(st, 1, after_id);
    BIND_INT(st, 2, limit);
    *out = NULL;
    *n = 0;
    return hf_stmt_collect(t, st, a, sizeof(**out), read_events_since_row,
                           (void **)out, n, err);
}

/* --- Shipments ----------------------------------------------------------- */

/* Binds ?1..?24 of the shipment INSERT and UPDATE (the column order of
 * sql.c). Times of 0 are stored as NULL where a column may be empty. */
static void bind_shipment(hf_txn *t, hf_stmt *st, const hf_shipment *sh)
{
#define BIND_TIME(i, v)                                                        \
    do {                                                                       \
        if ((v) != 0)                                                          \
            BIND_INT(st, i, v);                                                \
        else                                                                   \
            BIND_TEXT(st, i, NULL);                                            \
    } while (0)
    BIND_TEXT(st, 1, sh->id);
    BIND_INT(st, 2, sh->order_seq);
    BIND_TEXT(st, 3, sh->carrier);
    BIND_TEXT(st, 4, sh->tracking_number);
    BIND_TEXT(st, 5, sh->service_level);
    BIND_TEXT(st, 6, sh->origin);
    BIND_TEXT(st, 7, sh->dest_region);
    BIND_TEXT(st, 8, sh->dest_country);
    BIND_TEXT(st, 9, hf_ship_status_name(sh->status));
    BIND_INT(st, 10, sh->status_at);
    BIND_INT(st, 11, sh->promised_by);
    BIND_INT(st, 12, sh->shipped_at);
    BIND_TIME(13, sh->delivered_at);
    BIND_TIME(14, sh->carrier_estimate);
    BIND_TIME(15, sh->last_event_at);
    BIND_INT(st, 16, sh->eta.expected);
    BIND_INT(st, 17, sh->eta.earliest);
    BIND_INT(st, 18, sh->eta.latest);
    BIND_TEXT(st, 19, sh->eta.source);
    BIND_INT(st, 20, sh->eta.delayed ? 1 : 0);
    BIND_TEXT(st, 21, sh->eta.delay_reason);
    BIND_TIME(22, sh->delayed_at);
    BIND_INT(st, 23, sh->version);
    BIND_INT(st, 24, sh->created_at);
#undef BIND_TIME
}

/* Interns the text a row gives for one of a small set of names, so that
 * the struct keeps static strings ("lane", "no_scan"...). */
static const char *intern(const char *s, const char *const *names)
{
    for (; s != NULL && *names != NULL; names++)
        if (strcmp(s, *names) == 0)
            return *names;
    return NULL;
}

static void read_shipment(hf_row *r, hf_shipment *sh)
{
    static const char *const sources[] = {"delivered", "carrier", "lane",
                                          "promise", NULL};
    static const char *const reasons[] = {"eta_after_promise", "no_scan",
                                          "carrier_exception", "delivered_late",
                                          NULL};
    memset(sh, 0, sizeof(*sh));
    sh->seq = hf_row_int(r, 0);
    sh->id = hf_row_text(r, 1);
    sh->order_seq = hf_row_int(r, 2);
    sh->carrier = hf_row_text(r, 3);
    sh->tracking_number = hf_row_text(r, 4);
    sh->service_level = hf_row_text(r, 5);
    sh->origin = hf_row_text(r, 6);
    sh->dest_region = hf_row_text(r, 7);
    sh->dest_country = hf_row_text(r, 8);
    hf_ship_status_parse(hf_row_text(r, 9), &sh->status);
    sh->status_at = hf_row_int(r, 10);
    sh->promised_by = hf_row_int(r, 11);
    sh->shipped_at = hf_row_int(r, 12);
    sh->delivered_at = hf_row_int(r, 13);
    sh->carrier_estimate = hf_row_int(r, 14);
    sh->last_event_at = hf_row_int(r, 15);
    sh->eta.expected = hf_row_int(r, 16);
    sh->eta.earliest = hf_row_int(r, 17);
    sh->eta.latest = hf_row_int(r, 18);
    sh->eta.source = intern(hf_row_text(r, 19), sources);
    sh->eta.delayed = hf_row_int(r, 20) != 0;
    sh->eta.delay_reason = intern(hf_row_text(r, 21), reasons);
    sh->delayed_at = hf_row_int(r, 22);
    sh->version = (int)hf_row_int(r, 23);
    sh->created_at = hf_row_int(r, 24);
    sh->order_id = hf_row_text(r, 25);
    sh->number = hf_row_text(r, 26);
}

hf_rc hf_txn_shipment_insert(hf_txn *t, hf_shipment *sh, hf_err *err)
{
    STMT(st, t, SQL_SHIPMENT_INSERT);
    bind_shipment(t, st, sh);
    int rc = t->drv->step(st, "tracking_number_exists", err);
    if (rc == HF_STEP_ROW)
        sh->seq = t->drv->column_int(st, 0);
    t->drv->reset(st);
    if (rc < 0 && err->rc == HF_ECONFLICT)
        return hf_fail(err, HF_ECONFLICT, "tracking_number_exists",
                       "tracking_number",
                       "%s already has a shipment with tracking number %s",
                       sh->carrier, sh->tracking_number);
    return rc < 0 ? err->rc : HF_OK;
}

hf_rc hf_txn_shipment_update(hf_txn *t, const hf_shipment *sh,
                             int expected_version, hf_err *err)
{
    STMT(st, t, SQL_SHIPMENT_UPDATE);
    bind_shipment(t, st, sh);
    BIND_INT(st, 25, expected_version);
    int64_t changed;
    hf_rc rc = hf_stmt_exec(t, st, NULL, &changed, err);
    if (rc == HF_OK && changed == 0)
        return hf_fail(err, HF_ECONFLICT, "concurrent_update", NULL,
                       "shipment %s changed meanwhile; retry", sh->id);
    return rc;
}

static hf_rc shipment_read_one(hf_txn *t, hf_stmt *st, hf_arena *a,
                               hf_shipment *out, const char *what, hf_err *err)
{
    hf_rc rc = hf_stmt_first(t, st, err);
    if (rc == HF_ENOTFOUND)
        return hf_fail(err, rc, "not_found", NULL, "no shipment %s", what);
    if (rc != HF_OK)
        return rc;
    hf_row r = {t->drv, st, a, false};
    read_shipment(&r, out);
    return hf_row_done(&r, err);
}

hf_rc hf_txn_shipment_get(hf_txn *t, const char *id, hf_arena *a,
                          hf_shipment *out, hf_err *err)
{
    STMT(st, t, SQL_SHIPMENT_GET);
    BIND_TEXT(st, 1, id);
    return shipment_read_one(t, st, a, out, id, err);
}

hf_rc hf_txn_shipment_find(hf_txn *t, const char *carrier,
                           const char *tracking_number, hf_arena *a,
                           hf_shipment *out, hf_err *err)
{
    STMT(st, t, SQL_SHIPMENT_FIND);
    BIND_TEXT(st, 1, carrier);
    BIND_TEXT(st, 2, tracking_number);
    return shipment_read_one(t, st, a, out, tracking_number, err);
}

static void read_shipment_list_row(hf_row *r, void *item)
{
    read_shipment(r, item);
}

hf_rc hf_txn_shipment_list(hf_txn *t, const hf_shipment_filter *f, hf_arena *a,
                           hf_shipment **out, size_t *n, hf_err *err)
{
    STMT(st, t, SQL_SHIPMENT_LIST);
    BIND_INT(st, 1, f->delayed);
    BIND_INT(st, 2, f->open_only);
    BIND_INT(st, 3, f->order_seq);
    BIND_INT(st, 4, f->after_seq);
    BIND_INT(st, 5, f->limit);
    *out = NULL;
    *n = 0;
    return hf_stmt_collect(t, st, a, sizeof(**out), read_shipment_list_row,
                           (void **)out, n, err);
}

hf_rc hf_txn_tracking_event_insert(hf_txn *t, int64_t shipment_seq,
                                   const hf_tracking_event *e, hf_err *err)
{
    STMT(st, t, SQL_TRACKING_INSERT);
    BIND_INT(st, 1, shipment_seq);
    BIND_TEXT(st, 2, hf_ship_status_name(e->status));
    BIND_INT(st, 3, e->at);
    BIND_TEXT(st, 4, e->description);
    BIND_TEXT(st, 5, e->city);
    BIND_TEXT(st, 6, e->region);
    BIND_TEXT(st, 7, e->country);
    BIND_TEXT(st, 8, e->latitude);
    BIND_TEXT(st, 9, e->longitude);
    if (e->carrier_estimate != 0)
        BIND_INT(st, 10, e->carrier_estimate);
    else
        BIND_TEXT(st, 10, NULL);
    BIND_INT(st, 11, e->received_at);
    int64_t changed;
    hf_rc rc = hf_stmt_exec(t, st, NULL, &changed, err);
    if (rc == HF_OK && changed == 0)
        return hf_fail(err, HF_ECONFLICT, "duplicate_event", NULL,
                       "this event was recorded already");
    return rc;
}

hf_rc hf_txn_tracking_events(hf_txn *t, int64_t shipment_seq, hf_arena *a,
                             hf_tracking_event **out, size_t *n, hf_err *err)
{
    STMT(st, t, SQL_TRACKING_LIST);
    BIND_INT(st, 1, shipment_seq);
    hf_row r = {t->drv, st, a, false};
    hf_tracking_event *items = NULL;
    size_t count = 0;
    int rc;
    while ((rc = t->drv->step(st, NULL, err)) == HF_STEP_ROW) {
        if ((items = hf_grow(a, items, count, sizeof(*items))) == NULL) {
            r.oom = true;
            break;
        }
        hf_tracking_event *e = &items[count++];
        memset(e, 0, sizeof(*e));
        hf_ship_status_parse(hf_row_text(&r, 0), &e->status);
        e->at = hf_row_int(&r, 1);
        e->description = hf_row_text(&r, 2);
        e->city = hf_row_text(&r, 3);
        e->region = hf_row_text(&r, 4);
        e->country = hf_row_text(&r, 5);
        e->latitude = hf_row_text(&r, 6);
        e->longitude = hf_row_text(&r, 7);
        e->carrier_estimate = hf_row_int(&r, 8);
        e->received_at = hf_row_int(&r, 9);
    }
    if (rc != HF_STEP_ROW && rc != HF_STEP_DONE)
        return err->rc;
    *out = items;
    *n = count;
    return hf_row_done(&r, err);
}

hf_rc hf_txn_lane_get(hf_txn *t, const char *lane, hf_lane_stats *out,
                      hf_err *err)
{
    STMT(st, t, SQL_LANE_GET);
    BIND_TEXT(st, 1, lane);
    memset(out, 0, sizeof(*out));
    hf_rc rc = hf_stmt_first(t, st, err);
    if (rc == HF_ENOTFOUND)
        return HF_OK;
    if (rc != HF_OK)
        return rc;
    out->n = t->drv->column_int(st, 0);
    out->sum_s = t->drv->column_int(st, 1);
    out->sum_sq_s = t->drv->column_int(st, 2);
    out->gaps = t->drv->column_int(st, 3);
    out->gap_sum_s = t->drv->column_int(st, 4);
    out->gap_max_s = t->drv->column_int(st, 5);
    t->drv->reset(st);
    return HF_OK;
}

hf_rc hf_txn_lane_put(hf_txn *t, const char *lane, const hf_lane_stats *l,
                      hf_err *err)
{
    STMT(st, t, SQL_LANE_PUT);
    BIND_TEXT(st, 1, lane);
    BIND_INT(st, 2, l->n);
    BIND_INT(st, 3, l->sum_s);
    BIND_INT(st, 4, l->sum_sq_s);
    BIND_INT(st, 5, l->gaps);
    BIND_INT(st, 6, l->gap_sum_s);
    BIND_INT(st, 7, l->gap_max_s);
    return hf_stmt_exec(t, st, NULL, NULL, err);
}

static void read_first_text(hf_row *r, void *item)
{
    *(const char **)item = hf_row_text(r, 0);
}

hf_rc hf_txn_orders_unshipped_before(hf_txn *t, hf_time placed_before,
                                     int limit, hf_arena *a, const char ***ids,
                                     size_t *n, hf_err *err)
{
    STMT(st, t, SQL_ORDERS_UNSHIPPED);
    BIND_INT(st, 1, placed_before);
    BIND_INT(st, 2, limit);
    *ids = NULL;
    *n = 0;
    return hf_stmt_collect(t, st, a, sizeof(**ids), read_first_text,
                           (void **)ids, n, err);
}

hf_rc hf_txn_order_flag_late(hf_txn *t, int64_t order_seq, hf_time at,
                             hf_err *err)
{
    STMT(st, t, SQL_ORDER_FLAG_LATE);
    BIND_INT(st, 1, order_seq);
    BIND_INT(st, 2, at);
    return hf_stmt_exec(t, st, NULL, NULL, err);
}

/* --- Delivering the outbox ----------------------------------------------- */

hf_rc hf_txn_outbox_claim(hf_txn *t, hf_time now, hf_time lease_until,
                          const char *owner, hf_arena *a,
                          hf_outbox_message *out, hf_err *err)
{
    STMT(st, t, SQL_OUTBOX_CLAIM);
    BIND_INT(st, 1, now);
    BIND_INT(st, 2, lease_until);
    BIND_TEXT(st, 3, owner);
    hf_rc rc = hf_stmt_first(t, st, err);
    if (rc != HF_OK)
        return rc;
    hf_row r = {t->drv, st, a, false};
    out->id = hf_row_int(&r, 0);
    out->topic = hf_row_text(&r, 1);
    out->order_id = hf_row_text(&r, 2);
    out->payload = hf_row_text(&r, 3);
    out->attempts = (int)hf_row_int(&r, 4);
    return hf_row_done(&r, err);
}

hf_rc hf_txn_outbox_done(hf_txn *t, int64_t id, const char *owner, hf_time now,
                         hf_err *err)
{
    STMT(st, t, SQL_OUTBOX_DONE);
    BIND_INT(st, 1, id);
    BIND_INT(st, 2, now);
    BIND_TEXT(st, 3, owner);
    return hf_stmt_exec(t, st, NULL, NULL, err);
}

hf_rc hf_txn_outbox_retry(hf_txn *t, int64_t id, const char *owner,
                          hf_time next_attempt_at, const char *error,
                          hf_err *err)
{
    STMT(st, t, SQL_OUTBOX_RETRY);
    BIND_INT(st, 1, id);
    BIND_INT(st, 2, next_attempt_at);
    BIND_TEXT(st, 3, owner);
    BIND_TEXT(st, 4, error);
    return hf_stmt_exec(t, st, NULL, NULL, err);
}

hf_rc hf_txn_delivery_done(hf_txn *t, int64_t outbox_id, const char *channel,
                           bool *delivered, hf_err *err)
{
    STMT(st, t, SQL_DELIVERY_GET);
    BIND_INT(st, 1, outbox_id);
    BIND_TEXT(st, 2, channel);
    int64_t done = 0;
    hf_rc rc = hf_stmt_first_int(t, st, &done, err);
    *delivered = done != 0;
    return rc;
}

hf_rc hf_txn_delivery_record(hf_txn *t, int64_t outbox_id, const char *channel,
                             const char *recipient, hf_time delivered_at,
                             const char *error, hf_err *err)
{
    STMT(st, t, SQL_DELIVERY_PUT);
    BIND_INT(st, 1, outbox_id);
    BIND_TEXT(st, 2, channel);
    BIND_TEXT(st, 3, recipient);
    if (delivered_at != 0)
        BIND_INT(st, 4, delivered_at);
    else
        BIND_TEXT(st, 4, NULL);
    BIND_TEXT(st, 5, error);
    return hf_stmt_exec(t, st, NULL, NULL, err);
}

hf_rc hf_txn_notification_insert(hf_txn *t, const char *customer_id,
                                 int64_t outbox_id, const hf_notification *n,
                                 hf_err *err)
{
    STMT(st, t, SQL_NOTIFICATION_INSERT);
    BIND_TEXT(st, 1, customer_id);
    BIND_INT(st, 2, outbox_id);
    BIND_TEXT(st, 3, n->kind);
    BIND_TEXT(st, 4, n->title);
    BIND_TEXT(st, 5, n->body);
    BIND_INT(st, 6, n->created_at);
    return hf_stmt_exec(t, st, NULL, NULL, err);
}

static void read_notification_list_row(hf_row *r, void *item)
{
    *(hf_notification *)item = (hf_notification){
        hf_row_int(r, 0), hf_row_text(r, 1), hf_row_text(r, 2),
        hf_row_text(r, 3), hf_row_int(r, 4)};
}

hf_rc hf_txn_notification_list(hf_txn *t, const char *customer_id, int limit,
                               hf_arena *a, hf_notification **out, size_t *n,
                               hf_err *err)
{
    STMT(st, t, SQL_NOTIFICATION_LIST);
    BIND_TEXT(st, 1, customer_id);
    BIND_INT(st, 2, limit);
    *out = NULL;
    *n = 0;
    return hf_stmt_collect(t, st, a, sizeof(**out), read_notification_list_row,
                           (void **)out, n, err);
}

hf_rc hf_txn_preference_get(hf_txn *t, const char *customer_id,
                            const char *channel, bool *opted_out, hf_err *err)
{
    STMT(st, t, SQL_PREFERENCE_GET);
    BIND_TEXT(st, 1, customer_id);
    BIND_TEXT(st, 2, channel);
    int64_t off = 0;
    hf_rc rc = hf_stmt_first_int(t, st, &off, err);
    *opted_out = off != 0;
    return rc;
}

hf_rc hf_txn_preference_put(hf_txn *t, const char *customer_id,
                            const char *channel, bool opted_out, hf_time now,
                            hf_err *err)
{
    STMT(st, t, SQL_PREFERENCE_PUT);
    BIND_TEXT(st, 1, customer_id);
    BIND_TEXT(st, 2, channel);
    BIND_INT(st, 3, opted_out ? 1 : 0);
    BIND_INT(st, 4, now);
    return hf_stmt_exec(t, st, NULL, NULL, err);
}

hf_rc hf_txn_outbox_settle(hf_txn *t, hf_time before, hf_err *err)
{
    STMT(st, t, SQL_OUTBOX_SETTLE);
    BIND_INT(st, 1, before);
    return hf_stmt_exec(t, st, NULL, NULL, err);
}
