/*
 * sqlite_queries.c - the SQLite backend's primitives: one prepared
 * statement each, and the hf_sqlite_ops table that names them all.
 */
#include "store/sqlite_int.h"

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

const char *const hf_sqlite_sql[SQL_COUNT] = {
    [SQL_LOCATION_INSERT] = "INSERT INTO locations (code, name, priority, "
                            "created_at) VALUES (?1, ?2, ?3, ?4)",
    [SQL_LOCATION_LIST] = "SELECT code, name, priority FROM locations "
                          "ORDER BY priority, code",
    [SQL_LOCATION_GET] = "SELECT 1 FROM locations WHERE code = ?1",
    [SQL_PRODUCT_INSERT] =
        "INSERT INTO products (sku, name, price, cost, currency, category, "
        "attributes, active, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, "
        "?8, ?9)",
    [SQL_PRODUCT_GET] = "SELECT sku, name, price, cost, currency, category, "
                        "attributes, active, created_at FROM products "
                        "WHERE sku = ?1",
    [SQL_PRODUCT_LIST] = "SELECT sku, name, price, cost, currency, category, "
                         "attributes, active, created_at FROM products "
                         "WHERE sku > ?1 ORDER BY sku LIMIT ?2",
    [SQL_STOCK_GET] = "SELECT s.sku, s.location, s.on_hand, s.reserved "
                      "FROM stock s JOIN locations l ON l.code = s.location "
                      "WHERE s.sku = ?1 ORDER BY l.priority, l.code",
    [SQL_STOCK_ENSURE] = "INSERT INTO stock (sku, location, on_hand, "
                         "reserved) VALUES (?1, ?2, 0, 0) "
                         "ON CONFLICT (sku, location) DO NOTHING",
    [SQL_STOCK_ADJUST] = "UPDATE stock SET on_hand = on_hand + ?3 "
                         "WHERE sku = ?1 AND location = ?2 "
                         "AND on_hand + ?3 >= reserved AND on_hand + ?3 >= 0",
    [SQL_STOCK_LEVEL] = "SELECT on_hand, reserved FROM stock "
                        "WHERE sku = ?1 AND location = ?2",
    [SQL_ADJUSTMENT_LOG] = "INSERT INTO inventory_adjustments (sku, location, "
                           "delta, reason, actor, at) "
                           "VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    /* the guard against overselling: only free units can be reserved */
    [SQL_STOCK_RESERVE] = "UPDATE stock SET reserved = reserved + ?3 "
                          "WHERE sku = ?1 AND location = ?2 "
                          "AND on_hand - reserved >= ?3",
    [SQL_STOCK_RELEASE] = "UPDATE stock SET reserved = reserved - ?3 "
                          "WHERE sku = ?1 AND location = ?2 "
                          "AND reserved >= ?3",
    [SQL_STOCK_CONSUME] = "UPDATE stock SET on_hand = on_hand - ?3, "
                          "reserved = reserved - ?3 "
                          "WHERE sku = ?1 AND location = ?2 "
                          "AND reserved >= ?3",
    [SQL_CUSTOMER_INSERT] = "INSERT INTO customers (id, email, name, phone, "
                            "created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
    [SQL_CUSTOMER_GET] = "SELECT id, email, name, phone, created_at "
                         "FROM customers WHERE id = ?1",
    [SQL_CUSTOMER_FIND] = "SELECT id, email, name, phone, created_at "
                          "FROM customers WHERE email = ?1",
    [SQL_ORDER_NEXT_SEQ] = "UPDATE counters SET value = value + 1 "
                           "WHERE name = 'order_seq' RETURNING value",
    [SQL_ORDER_INSERT] =
        "INSERT INTO orders (id, number, seq, customer_id, status, held_from, "
        "version, channel, currency, subtotal, shipping_total, discount_total, "
        "tax_total, total, shipping_method, ship_name, ship_line1, ship_line2, "
        "ship_city, ship_region, ship_postal_code, ship_country, ship_phone, "
        "bill_name, bill_line1, bill_line2, bill_city, bill_region, "
        "bill_postal_code, bill_country, bill_phone, payment_method, "
        "payment_gateway, payment_token, capture_mode, authorized, captured, "
        "refunded, voided, placed_at, updated_at, promised_by, cancel_reason, "
        "cancel_note, doc) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, "
        "?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, "
        "?25, ?26, ?27, ?28, ?29, ?30, ?31, ?32, ?33, ?34, ?35, ?36, ?37, ?38, "
        "?39, ?40, ?41, ?42, ?43, ?44, ?45)",
    [SQL_LINE_INSERT] = "INSERT INTO order_lines (order_id, line_no, sku, "
                        "name, qty, cancelled_qty, unit_price) "
                        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    [SQL_ALLOCATION_INSERT] = "INSERT INTO allocations (order_id, line_no, "
                              "location, qty) VALUES (?1, ?2, ?3, ?4)",
    [SQL_ORDER_UPDATE] =
        "UPDATE orders SET status = ?5, held_from = ?6, version = ?7, subtotal "
        "= ?10, shipping_total = ?11, discount_total = ?12, tax_total = ?13, "
        "total = ?14, ship_name = ?16, ship_line1 = ?17, ship_line2 = ?18, "
        "ship_city = ?19, ship_region = ?20, ship_postal_code = ?21, "
        "ship_country = ?22, ship_phone = ?23, bill_name = ?24, bill_line1 = "
        "?25, bill_line2 = ?26, bill_city = ?27, bill_region = ?28, "
        "bill_postal_code = ?29, bill_country = ?30, bill_phone = ?31, "
        "payment_method = ?32, payment_gateway = ?33, payment_token = ?34, "
        "capture_mode = ?35, authorized = ?36, captured = ?37, refunded = ?38, "
        "voided = ?39, updated_at = ?41, promised_by = ?42, cancel_reason = "
        "?43, cancel_note = ?44, doc = ?45 WHERE id = ?1 AND version = ?46",
    [SQL_LINE_UPDATE] = "UPDATE order_lines SET cancelled_qty = ?3 "
                        "WHERE order_id = ?1 AND line_no = ?2",
    [SQL_ALLOCATION_DELETE] = "DELETE FROM allocations WHERE order_id = ?1",
    [SQL_ORDER_GET_BY_ID] =
        "SELECT o.id, o.number, o.seq, o.customer_id, o.status, o.held_from, "
        "o.version, o.channel, o.currency, o.subtotal, o.shipping_total, "
        "o.discount_total, o.tax_total, o.total, o.shipping_method, "
        "o.ship_name, o.ship_line1, o.ship_line2, o.ship_city, o.ship_region, "
        "o.ship_postal_code, o.ship_country, o.ship_phone, o.bill_name, "
        "o.bill_line1, o.bill_line2, o.bill_city, o.bill_region, "
        "o.bill_postal_code, o.bill_country, o.bill_phone, o.payment_method, "
        "o.payment_gateway, o.payment_token, o.capture_mode, o.authorized, "
        "o.captured, o.refunded, o.voided, o.placed_at, o.updated_at, "
        "o.promised_by, o.cancel_reason, o.cancel_note, c.email, c.name, "
        "c.phone, c.created_at FROM orders o JOIN customers c ON c.id = "
        "o.customer_id"
        " WHERE o.id = ?1",
    [SQL_ORDER_GET_BY_NUMBER] =
        "SELECT o.id, o.number, o.seq, o.customer_id, o.status, o.held_from, "
        "o.version, o.channel, o.currency, o.subtotal, o.shipping_total, "
        "o.discount_total, o.tax_total, o.total, o.shipping_method, "
        "o.ship_name, o.ship_line1, o.ship_line2, o.ship_city, o.ship_region, "
        "o.ship_postal_code, o.ship_country, o.ship_phone, o.bill_name, "
        "o.bill_line1, o.bill_line2, o.bill_city, o.bill_region, "
        "o.bill_postal_code, o.bill_country, o.bill_phone, o.payment_method, "
        "o.payment_gateway, o.payment_token, o.capture_mode, o.authorized, "
        "o.captured, o.refunded, o.voided, o.placed_at, o.updated_at, "
        "o.promised_by, o.cancel_reason, o.cancel_note, c.email, c.name, "
        "c.phone, c.created_at FROM orders o JOIN customers c ON c.id = "
        "o.customer_id"
        " WHERE o.number = ?1",
    [SQL_LINES_GET] = "SELECT line_no, sku, name, qty, cancelled_qty, "
                      "unit_price FROM order_lines WHERE order_id = ?1 "
                      "ORDER BY line_no",
    [SQL_ALLOCATIONS_GET] = "SELECT line_no, location, qty FROM allocations "
                            "WHERE order_id = ?1 ORDER BY line_no, location",
    [SQL_EVENTS_GET] = "SELECT seq, at, type, actor, from_status, to_status, "
                       "reason, data FROM order_events WHERE order_id = ?1 "
                       "ORDER BY seq",
    [SQL_DOC_BY_ID] = "SELECT doc FROM orders WHERE id = ?1",
    [SQL_DOC_BY_NUMBER] = "SELECT doc FROM orders WHERE number = ?1",
    [SQL_ORDER_LIST] = "SELECT doc, seq FROM orders "
                       "WHERE (?1 IS NULL OR status = ?1) "
                       "AND (?2 IS NULL OR customer_id = ?2) "
                       "AND seq < ?3 ORDER BY seq DESC LIMIT ?4",
    [SQL_EVENT_APPEND] = "INSERT INTO order_events (order_id, seq, at, type, "
                         "actor, from_status, to_status, reason, data) "
                         "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    [SQL_PAYMENT_APPEND] = "INSERT INTO payments (order_id, op, amount, "
                           "currency, gateway, reference, gateway_ref, at) "
                           "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    [SQL_OUTBOX_PUT] = "INSERT INTO outbox (topic, order_id, payload, "
                       "created_at) VALUES (?1, ?2, ?3, ?4)",
    [SQL_API_KEY_INSERT] = "INSERT INTO api_keys (id, hash, role, label, "
                           "created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
    [SQL_API_KEY_FIND] = "SELECT id, hash, role, label, created_at "
                         "FROM api_keys WHERE hash = ?1 "
                         "AND revoked_at IS NULL",
    [SQL_IDEMPOTENCY_GET] = "SELECT request_hash, status, body "
                            "FROM idempotency_keys "
                            "WHERE principal = ?1 AND key = ?2",
    [SQL_IDEMPOTENCY_PUT] = "INSERT INTO idempotency_keys (principal, key, "
                            "request_hash, status, body, created_at) "
                            "VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    [SQL_BEGIN] = "BEGIN",
    [SQL_BEGIN_IMMEDIATE] = "BEGIN IMMEDIATE",
    [SQL_COMMIT] = "COMMIT",
    [SQL_ROLLBACK] = "ROLLBACK",
    [SQL_SAVEPOINT_JOB] = "SAVEPOINT job",
    [SQL_RELEASE_JOB] = "RELEASE job",
    [SQL_ROLLBACK_TO_JOB] = "ROLLBACK TO job",
    [SQL_SAVEPOINT_NESTED] = "SAVEPOINT nested",
    [SQL_RELEASE_NESTED] = "RELEASE nested",
    [SQL_ROLLBACK_TO_NESTED] = "ROLLBACK TO nested",
};

/* --- Helpers ------------------------------------------------------------- */

#define TXN(t) ((sqlite_txn *)(t))

/* Reads the columns of one result row into arena memory, remembering
 * whether any copy failed. */
typedef struct row {
    sqlite3_stmt *st;
    hf_arena *a;
    bool oom;
} row;

static const char *text(row *r, int col)
{
    const unsigned char *s = sqlite3_column_text(r->st, col);
    if (s == NULL)
        return NULL;
    char *copy = hf_arena_strndup(r->a, (const char *)s,
                                  (size_t)sqlite3_column_bytes(r->st, col));
    if (copy == NULL)
        r->oom = true;
    return copy;
}

static int64_t integer(row *r, int col)
{
    return sqlite3_column_int64(r->st, col);
}

static hf_rc row_done(row *r, hf_err *err)
{
    sqlite3_reset(r->st);
    if (r->oom)
        return hf_fail(err, HF_ENOMEM, NULL, NULL, "out of memory");
    return HF_OK;
}

static void bind_text(sqlite3_stmt *st, int i, const char *s)
{
    if (s != NULL)
        sqlite3_bind_text(st, i, s, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(st, i);
}

/* Steps a statement that returns no rows. */
static hf_rc step_done(hf_txn *t, sqlite3_stmt *st, const char *conflict,
                       hf_err *err)
{
    int rc = sqlite3_step(st);
    hf_rc out =
        rc == SQLITE_DONE ? HF_OK : hf_sqlite_fail(TXN(t), rc, conflict, err);
    sqlite3_reset(st);
    return out;
}

/* Steps to the first row: HF_OK with a row, HF_ENOTFOUND without. */
static hf_rc step_row(hf_txn *t, sqlite3_stmt *st, hf_err *err)
{
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        return HF_OK;
    sqlite3_reset(st);
    if (rc == SQLITE_DONE)
        return HF_ENOTFOUND;
    return hf_sqlite_fail(TXN(t), rc, NULL, err);
}

static int changes(hf_txn *t)
{
    return sqlite3_changes(TXN(t)->conn->db);
}

/* Grows an arena array by one element; NULL when the arena is full. */
static void *grow(hf_arena *a, void *items, size_t n, size_t size)
{
    /* double at powers of two so that n appends cost O(n) copies */
    if (n != 0 && (n & (n - 1)) != 0)
        return items;
    size_t cap = n == 0 ? 4 : n * 2;
    void *fresh = hf_arena_alloc(a, cap * size);
    if (fresh != NULL && n > 0)
        memcpy(fresh, items, n * size);
    return fresh;
}

#define STMT(var, t, id)                                                       \
    sqlite3_stmt *var = hf_sqlite_stmt(TXN(t), id, err);                       \
    if (var == NULL)                                                           \
    return HF_ESTORE

/* --- Locations ----------------------------------------------------------- */

static hf_rc location_insert(hf_txn *t, const hf_location *loc, hf_time now,
                             hf_err *err)
{
    STMT(st, t, SQL_LOCATION_INSERT);
    bind_text(st, 1, loc->code);
    bind_text(st, 2, loc->name);
    sqlite3_bind_int(st, 3, loc->priority);
    sqlite3_bind_int64(st, 4, now);
    hf_rc rc = step_done(t, st, "location_exists", err);
    if (rc == HF_ECONFLICT)
        hf_fail(err, rc, "location_exists", "code",
                "location %s already exists", loc->code);
    return rc;
}

static hf_rc location_list(hf_txn *t, hf_arena *a, hf_location **out, size_t *n,
                           hf_err *err)
{
    STMT(st, t, SQL_LOCATION_LIST);
    row r = {st, a, false};
    hf_location *items = NULL;
    size_t count = 0;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if ((items = grow(a, items, count, sizeof(*items))) == NULL) {
            r.oom = true;
            break;
        }
        items[count++] =
            (hf_location){text(&r, 0), text(&r, 1), (int)integer(&r, 2)};
    }
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return hf_sqlite_fail(TXN(t), rc, NULL, err);
    *out = items;
    *n = count;
    return row_done(&r, err);
}

static hf_rc location_get(hf_txn *t, const char *code, hf_err *err)
{
    STMT(st, t, SQL_LOCATION_GET);
    bind_text(st, 1, code);
    hf_rc rc = step_row(t, st, err);
    sqlite3_reset(st);
    return rc;
}

/* --- Products ------------------------------------------------------------ */

static hf_rc product_insert(hf_txn *t, const hf_product *p, hf_err *err)
{
    STMT(st, t, SQL_PRODUCT_INSERT);
    bind_text(st, 1, p->sku);
    bind_text(st, 2, p->name);
    sqlite3_bind_int64(st, 3, p->price);
    sqlite3_bind_int64(st, 4, p->cost);
    bind_text(st, 5, p->currency);
    bind_text(st, 6, p->category);
    bind_text(st, 7, p->attributes_json);
    sqlite3_bind_int(st, 8, p->active);
    sqlite3_bind_int64(st, 9, p->created_at);
    hf_rc rc = step_done(t, st, "sku_exists", err);
    if (rc == HF_ECONFLICT)
        hf_fail(err, rc, "sku_exists", "sku", "product %s already exists",
                p->sku);
    return rc;
}

static void read_product(row *r, hf_product *p)
{
    p->sku = text(r, 0);
    p->name = text(r, 1);
    p->price = integer(r, 2);
    p->cost = integer(r, 3);
    p->currency = text(r, 4);
    p->category = text(r, 5);
    p->attributes_json = text(r, 6);
    p->active = integer(r, 7) != 0;
    p->created_at = integer(r, 8);
}

static hf_rc product_get(hf_txn *t, const char *sku, hf_arena *a,
                         hf_product *out, hf_err *err)
{
    STMT(st, t, SQL_PRODUCT_GET);
    bind_text(st, 1, sku);
    hf_rc rc = step_row(t, st, err);
    if (rc == HF_ENOTFOUND)
        return hf_fail(err, rc, "not_found", NULL, "no product %s", sku);
    if (rc != HF_OK)
        return rc;
    row r = {st, a, false};
    read_product(&r, out);
    return row_done(&r, err);
}

static hf_rc product_list(hf_txn *t, const char *after, int limit, hf_arena *a,
                          hf_product **out, size_t *n, hf_err *err)
{
    STMT(st, t, SQL_PRODUCT_LIST);
    bind_text(st, 1, after ? after : "");
    sqlite3_bind_int(st, 2, limit);
    row r = {st, a, false};
    hf_product *items = NULL;
    size_t count = 0;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if ((items = grow(a, items, count, sizeof(*items))) == NULL) {
            r.oom = true;
            break;
        }
        read_product(&r, &items[count++]);
    }
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return hf_sqlite_fail(TXN(t), rc, NULL, err);
    *out = items;
    *n = count;
    return row_done(&r, err);
}

/* --- Stock --------------------------------------------------------------- */

static hf_rc stock_get(hf_txn *t, const char *sku, hf_arena *a,
                       hf_stock_level **out, size_t *n, hf_err *err)
{
    STMT(st, t, SQL_STOCK_GET);
    bind_text(st, 1, sku);
    row r = {st, a, false};
    hf_stock_level *items = NULL;
    size_t count = 0;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if ((items = grow(a, items, count, sizeof(*items))) == NULL) {
            r.oom = true;
            break;
        }
        items[count++] = (hf_stock_level){text(&r, 0), text(&r, 1),
                                          integer(&r, 2), integer(&r, 3)};
    }
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return hf_sqlite_fail(TXN(t), rc, NULL, err);
    *out = items;
    *n = count;
    return row_done(&r, err);
}

static hf_rc stock_adjust(hf_txn *t, const char *sku, const char *location,
                          int64_t delta, const char *reason, const char *actor,
                          hf_time now, hf_stock_level *after, hf_err *err)
{
    STMT(ensure, t, SQL_STOCK_ENSURE);
    bind_text(ensure, 1, sku);
    bind_text(ensure, 2, location);
    hf_rc rc = step_done(t, ensure, NULL, err);
    if (rc != HF_OK)
        return rc;
    STMT(st, t, SQL_STOCK_ADJUST);
    bind_text(st, 1, sku);
    bind_text(st, 2, location);
    sqlite3_bind_int64(st, 3, delta);
    if ((rc = step_done(t, st, NULL, err)) != HF_OK)
        return rc;
    if (changes(t) == 0)
        return hf_fail(err, HF_ECONFLICT, "insufficient_stock", "delta",
                       "on hand of %s at %s cannot drop below what is "
                       "reserved or below zero",
                       sku, location);
    STMT(log, t, SQL_ADJUSTMENT_LOG);
    bind_text(log, 1, sku);
    bind_text(log, 2, location);
    sqlite3_bind_int64(log, 3, delta);
    bind_text(log, 4, reason);
    bind_text(log, 5, actor);
    sqlite3_bind_int64(log, 6, now);
    if ((rc = step_done(t, log, NULL, err)) != HF_OK)
        return rc;
    STMT(level, t, SQL_STOCK_LEVEL);
    bind_text(level, 1, sku);
    bind_text(level, 2, location);
    if ((rc = step_row(t, level, err)) != HF_OK)
        return rc == HF_ENOTFOUND ? HF_ESTORE : rc;
    after->sku = sku;
    after->location = location;
    after->on_hand = sqlite3_column_int64(level, 0);
    after->reserved = sqlite3_column_int64(level, 1);
    sqlite3_reset(level);
    return HF_OK;
}

/* Runs one of the guarded stock updates; no row changed means the guard
 * refused. */
static hf_rc stock_move(hf_txn *t, sql_id id, const char *sku,
                        const char *location, int64_t qty, const char *code,
                        hf_err *err)
{
    STMT(st, t, id);
    bind_text(st, 1, sku);
    bind_text(st, 2, location);
    sqlite3_bind_int64(st, 3, qty);
    hf_rc rc = step_done(t, st, NULL, err);
    if (rc == HF_OK && changes(t) == 0)
        return hf_fail(err, HF_ECONFLICT, code, NULL,
                       "not enough stock of %s at %s", sku, location);
    return rc;
}

static hf_rc stock_reserve(hf_txn *t, const char *sku, const char *location,
                           int64_t qty, hf_err *err)
{
    return stock_move(t, SQL_STOCK_RESERVE, sku, location, qty, "out_of_stock",
                      err);
}

static hf_rc stock_release(hf_txn *t, const char *sku, const char *location,
                           int64_t qty, hf_err *err)
{
    return stock_move(t, SQL_STOCK_RELEASE, sku, location, qty,
                      "stock_mismatch", err);
}

static hf_rc stock_consume(hf_txn *t, const char *sku, const char *location,
                           int64_t qty, hf_err *err)
{
    return stock_move(t, SQL_STOCK_CONSUME, sku, location, qty,
                      "stock_mismatch", err);
}

/* --- Customers ----------------------------------------------------------- */

static hf_rc customer_insert(hf_txn *t, const hf_customer *c, hf_err *err)
{
    STMT(st, t, SQL_CUSTOMER_INSERT);
    bind_text(st, 1, c->id);
    bind_text(st, 2, c->email);
    bind_text(st, 3, c->name);
    bind_text(st, 4, c->phone);
    sqlite3_bind_int64(st, 5, c->created_at);
    hf_rc rc = step_done(t, st, "email_exists", err);
    if (rc == HF_ECONFLICT)
        hf_fail(err, rc, "email_exists", "email",
                "a customer with email %s already exists", c->email);
    return rc;
}

static hf_rc customer_read(hf_txn *t, sql_id id, const char *key, hf_arena *a,
                           hf_customer *out, hf_err *err)
{
    STMT(st, t, id);
    bind_text(st, 1, key);
    hf_rc rc = step_row(t, st, err);
    if (rc == HF_ENOTFOUND)
        return hf_fail(err, rc, "not_found", NULL, "no customer %s", key);
    if (rc != HF_OK)
        return rc;
    row r = {st, a, false};
    out->id = text(&r, 0);
    out->email = text(&r, 1);
    out->name = text(&r, 2);
    out->phone = text(&r, 3);
    out->created_at = integer(&r, 4);
    return row_done(&r, err);
}

static hf_rc customer_get(hf_txn *t, const char *id, hf_arena *a,
                          hf_customer *out, hf_err *err)
{
    return customer_read(t, SQL_CUSTOMER_GET, id, a, out, err);
}

static hf_rc customer_find(hf_txn *t, const char *email, hf_arena *a,
                           hf_customer *out, hf_err *err)
{
    return customer_read(t, SQL_CUSTOMER_FIND, email, a, out, err);
}

/* --- Orders -------------------------------------------------------------- */

static hf_rc order_next_seq(hf_txn *t, int64_t *seq, hf_err *err)
{
    STMT(st, t, SQL_ORDER_NEXT_SEQ);
    hf_rc rc = step_row(t, st, err);
    if (rc != HF_OK)
        return rc == HF_ENOTFOUND ? HF_ESTORE : rc;
    *seq = sqlite3_column_int64(st, 0);
    /* step to the end so that the UPDATE completes */
    sqlite3_step(st);
    sqlite3_reset(st);
    return HF_OK;
}

static void bind_address(sqlite3_stmt *st, int first, const hf_address *ad,
                         bool present)
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
        bind_text(st, first + i, fields[i]);
}

/* Binds ?1..?45 of the order INSERT and UPDATE. */
static void bind_order(sqlite3_stmt *st, const hf_order *o, const char *doc)
{
    bind_text(st, COL_ID, o->id);
    bind_text(st, COL_NUMBER, o->number);
    sqlite3_bind_int64(st, COL_SEQ, o->seq);
    bind_text(st, COL_CUSTOMER_ID, o->customer.id);
    bind_text(st, COL_STATUS, hf_order_status_name(o->status));
    bind_text(st, COL_HELD_FROM,
              o->status == HF_STATUS_ON_HOLD
                  ? hf_order_status_name(o->held_from)
                  : NULL);
    sqlite3_bind_int(st, COL_VERSION, o->version);
    bind_text(st, COL_CHANNEL, o->channel);
    bind_text(st, COL_CURRENCY, o->currency);
    sqlite3_bind_int64(st, COL_SUBTOTAL, hf_order_subtotal(o));
    sqlite3_bind_int64(st, COL_SHIPPING_TOTAL, o->shipping_total);
    sqlite3_bind_int64(st, COL_DISCOUNT_TOTAL, o->discount_total);
    sqlite3_bind_int64(st, COL_TAX_TOTAL, o->tax_total);
    sqlite3_bind_int64(st, COL_TOTAL, hf_order_total(o));
    bind_text(st, COL_SHIPPING_METHOD,
              hf_shipping_method_name(o->shipping_method));
    bind_address(st, COL_SHIP_ADDRESS, &o->shipping_address, true);
    bind_address(st, COL_BILL_ADDRESS, &o->billing_address,
                 o->has_billing_address);
    bind_text(st, COL_PAYMENT_METHOD, o->payment.method);
    bind_text(st, COL_PAYMENT_GATEWAY, o->payment.gateway);
    bind_text(st, COL_PAYMENT_TOKEN, o->payment.token);
    bind_text(st, COL_CAPTURE_MODE, hf_capture_mode_name(o->payment.capture));
    sqlite3_bind_int64(st, COL_AUTHORIZED, o->payment.authorized);
    sqlite3_bind_int64(st, COL_CAPTURED, o->payment.captured);
    sqlite3_bind_int64(st, COL_REFUNDED, o->payment.refunded);
    sqlite3_bind_int64(st, COL_VOIDED, o->payment.voided);
    sqlite3_bind_int64(st, COL_PLACED_AT, o->placed_at);
    sqlite3_bind_int64(st, COL_UPDATED_AT, o->updated_at);
    sqlite3_bind_int64(st, COL_PROMISED_BY, o->promised_by);
    bind_text(st, COL_CANCEL_REASON, o->cancel_reason);
    bind_text(st, COL_CANCEL_NOTE, o->cancel_note);
    bind_text(st, COL_DOC, doc);
}

static hf_rc insert_allocations(hf_txn *t, const hf_order *o, hf_err *err)
{
    for (size_t i = 0; i < o->n_lines; i++) {
        const hf_order_line *l = &o->lines[i];
        for (size_t j = 0; j < l->n_allocations; j++) {
            if (l->allocations[j].qty == 0)
                continue;
            STMT(st, t, SQL_ALLOCATION_INSERT);
            bind_text(st, 1, o->id);
            sqlite3_bind_int(st, 2, l->line_no);
            bind_text(st, 3, l->allocations[j].location);
            sqlite3_bind_int64(st, 4, l->allocations[j].qty);
            hf_rc rc = step_done(t, st, NULL, err);
            if (rc != HF_OK)
                return rc;
        }
    }
    return HF_OK;
}

static hf_rc order_insert(hf_txn *t, const hf_order *o, const char *doc,
                          hf_err *err)
{
    STMT(st, t, SQL_ORDER_INSERT);
    bind_order(st, o, doc);
    hf_rc rc = step_done(t, st, "order_exists", err);
    if (rc != HF_OK)
        return rc;
    for (size_t i = 0; i < o->n_lines; i++) {
        const hf_order_line *l = &o->lines[i];
        STMT(line, t, SQL_LINE_INSERT);
        bind_text(line, 1, o->id);
        sqlite3_bind_int(line, 2, l->line_no);
        bind_text(line, 3, l->sku);
        bind_text(line, 4, l->name);
        sqlite3_bind_int64(line, 5, l->qty);
        sqlite3_bind_int64(line, 6, l->cancelled_qty);
        sqlite3_bind_int64(line, 7, l->unit_price);
        if ((rc = step_done(t, line, NULL, err)) != HF_OK)
            return rc;
    }
    return insert_allocations(t, o, err);
}

static hf_rc order_update(hf_txn *t, const hf_order *o, int expected_version,
                          const char *doc, hf_err *err)
{
    STMT(st, t, SQL_ORDER_UPDATE);
    bind_order(st, o, doc);
    sqlite3_bind_int(st, COL_EXPECTED_VERSION, expected_version);
    hf_rc rc = step_done(t, st, NULL, err);
    if (rc != HF_OK)
        return rc;
    if (changes(t) == 0)
        return hf_fail(err, HF_ECONFLICT, "concurrent_update", NULL,
                       "order %s changed meanwhile; retry", o->number);
    for (size_t i = 0; i < o->n_lines; i++) {
        STMT(line, t, SQL_LINE_UPDATE);
        bind_text(line, 1, o->id);
        sqlite3_bind_int(line, 2, o->lines[i].line_no);
        sqlite3_bind_int64(line, 3, o->lines[i].cancelled_qty);
        if ((rc = step_done(t, line, NULL, err)) != HF_OK)
            return rc;
    }
    STMT(del, t, SQL_ALLOCATION_DELETE);
    bind_text(del, 1, o->id);
    if ((rc = step_done(t, del, NULL, err)) != HF_OK)
        return rc;
    return insert_allocations(t, o, err);
}

static void read_address(row *r, int first, hf_address *ad)
{
    ad->name = text(r, first);
    ad->line1 = text(r, first + 1);
    ad->line2 = text(r, first + 2);
    ad->city = text(r, first + 3);
    ad->region = text(r, first + 4);
    ad->postal_code = text(r, first + 5);
    ad->country = text(r, first + 6);
    ad->phone = text(r, first + 7);
}

static hf_order_status status_or(const char *name, hf_order_status fallback)
{
    hf_order_status s;
    return hf_order_status_parse(name, &s) ? s : fallback;
}

/* Reads the order row (columns COL_ID-1 .. COL_CANCEL_NOTE-1, then the
 * customer's email, name, phone, created_at). */
static void read_order_row(row *r, hf_order *o)
{
    memset(o, 0, sizeof(*o));
    o->id = text(r, COL_ID - 1);
    o->number = text(r, COL_NUMBER - 1);
    o->seq = integer(r, COL_SEQ - 1);
    o->customer.id = text(r, COL_CUSTOMER_ID - 1);
    o->status = status_or(text(r, COL_STATUS - 1), HF_STATUS_PENDING);
    o->held_from = status_or(text(r, COL_HELD_FROM - 1), HF_STATUS_CONFIRMED);
    o->version = (int)integer(r, COL_VERSION - 1);
    o->channel = text(r, COL_CHANNEL - 1);
    o->currency = text(r, COL_CURRENCY - 1);
    o->shipping_total = integer(r, COL_SHIPPING_TOTAL - 1);
    o->discount_total = integer(r, COL_DISCOUNT_TOTAL - 1);
    o->tax_total = integer(r, COL_TAX_TOTAL - 1);
    hf_shipping_method_parse(text(r, COL_SHIPPING_METHOD - 1),
                             &o->shipping_method);
    read_address(r, COL_SHIP_ADDRESS - 1, &o->shipping_address);
    read_address(r, COL_BILL_ADDRESS - 1, &o->billing_address);
    o->has_billing_address = o->billing_address.line1 != NULL;
    o->payment.method = text(r, COL_PAYMENT_METHOD - 1);
    o->payment.gateway = text(r, COL_PAYMENT_GATEWAY - 1);
    o->payment.token = text(r, COL_PAYMENT_TOKEN - 1);
    hf_capture_mode_parse(text(r, COL_CAPTURE_MODE - 1), &o->payment.capture);
    o->payment.authorized = integer(r, COL_AUTHORIZED - 1);
    o->payment.captured = integer(r, COL_CAPTURED - 1);
    o->payment.refunded = integer(r, COL_REFUNDED - 1);
    o->payment.voided = integer(r, COL_VOIDED - 1);
    o->placed_at = integer(r, COL_PLACED_AT - 1);
    o->updated_at = integer(r, COL_UPDATED_AT - 1);
    o->promised_by = integer(r, COL_PROMISED_BY - 1);
    o->cancel_reason = text(r, COL_CANCEL_REASON - 1);
    o->cancel_note = text(r, COL_CANCEL_NOTE - 1);
    int c = COL_CANCEL_NOTE; /* the customer's columns follow */
    o->customer.email = text(r, c);
    o->customer.name = text(r, c + 1);
    o->customer.phone = text(r, c + 2);
    o->customer.created_at = integer(r, c + 3);
}

static hf_rc read_lines(hf_txn *t, hf_order *o, hf_arena *a, hf_err *err)
{
    STMT(st, t, SQL_LINES_GET);
    bind_text(st, 1, o->id);
    row r = {st, a, false};
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if ((o->lines = grow(a, o->lines, o->n_lines, sizeof(*o->lines))) ==
            NULL) {
            r.oom = true;
            break;
        }
        hf_order_line *l = &o->lines[o->n_lines++];
        memset(l, 0, sizeof(*l));
        l->line_no = (int)integer(&r, 0);
        l->sku = text(&r, 1);
        l->name = text(&r, 2);
        l->qty = integer(&r, 3);
        l->cancelled_qty = integer(&r, 4);
        l->unit_price = integer(&r, 5);
    }
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return hf_sqlite_fail(TXN(t), rc, NULL, err);
    hf_rc out = row_done(&r, err);
    if (out != HF_OK)
        return out;

    STMT(al, t, SQL_ALLOCATIONS_GET);
    bind_text(al, 1, o->id);
    r = (row){al, a, false};
    while ((rc = sqlite3_step(al)) == SQLITE_ROW) {
        int line_no = (int)integer(&r, 0);
        for (size_t i = 0; i < o->n_lines; i++) {
            hf_order_line *l = &o->lines[i];
            if (l->line_no != line_no)
                continue;
            l->allocations = grow(a, l->allocations, l->n_allocations,
                                  sizeof(*l->allocations));
            if (l->allocations == NULL) {
                r.oom = true;
                break;
            }
            l->allocations[l->n_allocations++] =
                (hf_allocation){text(&r, 1), integer(&r, 2)};
        }
    }
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return hf_sqlite_fail(TXN(t), rc, NULL, err);
    return row_done(&r, err);
}

static hf_rc read_events(hf_txn *t, hf_order *o, hf_arena *a, hf_err *err)
{
    STMT(st, t, SQL_EVENTS_GET);
    bind_text(st, 1, o->id);
    row r = {st, a, false};
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        o->events = grow(a, o->events, o->n_events, sizeof(*o->events));
        if (o->events == NULL) {
            r.oom = true;
            break;
        }
        hf_order_event *e = &o->events[o->n_events++];
        e->seq = (int)integer(&r, 0);
        e->at = integer(&r, 1);
        e->type = text(&r, 2);
        e->actor = text(&r, 3);
        e->from = status_or(text(&r, 4), HF_STATUS_COUNT);
        e->to = status_or(text(&r, 5), HF_STATUS_COUNT);
        e->reason = text(&r, 6);
        e->data_json = text(&r, 7);
    }
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return hf_sqlite_fail(TXN(t), rc, NULL, err);
    return row_done(&r, err);
}

static hf_rc order_get(hf_txn *t, const char *id_or_number, hf_arena *a,
                       hf_order *out, hf_err *err)
{
    hf_rc rc = HF_ENOTFOUND;
    for (int pass = 0; pass < 2 && rc == HF_ENOTFOUND; pass++) {
        STMT(st, t, pass == 0 ? SQL_ORDER_GET_BY_ID : SQL_ORDER_GET_BY_NUMBER);
        bind_text(st, 1, id_or_number);
        rc = step_row(t, st, err);
        if (rc == HF_OK) {
            row r = {st, a, false};
            read_order_row(&r, out);
            rc = row_done(&r, err);
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

static hf_rc order_get_doc(hf_txn *t, const char *id_or_number, hf_arena *a,
                           const char **doc, hf_err *err)
{
    hf_rc rc = HF_ENOTFOUND;
    for (int pass = 0; pass < 2 && rc == HF_ENOTFOUND; pass++) {
        STMT(st, t, pass == 0 ? SQL_DOC_BY_ID : SQL_DOC_BY_NUMBER);
        bind_text(st, 1, id_or_number);
        rc = step_row(t, st, err);
        if (rc == HF_OK) {
            row r = {st, a, false};
            *doc = text(&r, 0);
            rc = row_done(&r, err);
        }
    }
    if (rc == HF_ENOTFOUND)
        return hf_fail(err, rc, "not_found", NULL, "no order %s", id_or_number);
    return rc;
}

static hf_rc order_list_docs(hf_txn *t, const hf_order_filter *f, hf_arena *a,
                             const char ***docs, size_t *n, int64_t *last_seq,
                             hf_err *err)
{
    STMT(st, t, SQL_ORDER_LIST);
    bind_text(st, 1, f->status);
    bind_text(st, 2, f->customer_id);
    sqlite3_bind_int64(st, 3, f->before_seq > 0 ? f->before_seq : INT64_MAX);
    sqlite3_bind_int(st, 4, f->limit);
    row r = {st, a, false};
    const char **items = NULL;
    size_t count = 0;
    int rc;
    *last_seq = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if ((items = grow(a, items, count, sizeof(*items))) == NULL) {
            r.oom = true;
            break;
        }
        items[count++] = text(&r, 0);
        *last_seq = integer(&r, 1);
    }
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return hf_sqlite_fail(TXN(t), rc, NULL, err);
    *docs = items;
    *n = count;
    return row_done(&r, err);
}

static hf_rc event_append(hf_txn *t, const char *order_id,
                          const hf_order_event *e, hf_err *err)
{
    STMT(st, t, SQL_EVENT_APPEND);
    bind_text(st, 1, order_id);
    sqlite3_bind_int(st, 2, e->seq);
    sqlite3_bind_int64(st, 3, e->at);
    bind_text(st, 4, e->type);
    bind_text(st, 5, e->actor);
    bind_text(st, 6,
              e->from < HF_STATUS_COUNT ? hf_order_status_name(e->from) : NULL);
    bind_text(st, 7,
              e->to < HF_STATUS_COUNT ? hf_order_status_name(e->to) : NULL);
    bind_text(st, 8, e->reason);
    bind_text(st, 9, e->data_json);
    return step_done(t, st, NULL, err);
}

static hf_rc payment_append(hf_txn *t, const hf_payment_record *p, hf_err *err)
{
    STMT(st, t, SQL_PAYMENT_APPEND);
    bind_text(st, 1, p->order_id);
    bind_text(st, 2, p->op);
    sqlite3_bind_int64(st, 3, p->amount);
    bind_text(st, 4, p->currency);
    bind_text(st, 5, p->gateway);
    bind_text(st, 6, p->reference);
    bind_text(st, 7, p->gateway_ref);
    sqlite3_bind_int64(st, 8, p->at);
    return step_done(t, st, NULL, err);
}

static hf_rc outbox_put(hf_txn *t, const char *topic, const char *order_id,
                        const char *payload, hf_time now, hf_err *err)
{
    STMT(st, t, SQL_OUTBOX_PUT);
    bind_text(st, 1, topic);
    bind_text(st, 2, order_id);
    bind_text(st, 3, payload);
    sqlite3_bind_int64(st, 4, now);
    return step_done(t, st, NULL, err);
}

/* --- API keys and idempotency -------------------------------------------- */

static hf_rc api_key_insert(hf_txn *t, const hf_api_key *k, hf_err *err)
{
    STMT(st, t, SQL_API_KEY_INSERT);
    bind_text(st, 1, k->id);
    bind_text(st, 2, k->hash);
    bind_text(st, 3, k->role);
    bind_text(st, 4, k->label);
    sqlite3_bind_int64(st, 5, k->created_at);
    return step_done(t, st, "key_exists", err);
}

static hf_rc api_key_find(hf_txn *t, const char *hash, hf_arena *a,
                          hf_api_key *out, hf_err *err)
{
    STMT(st, t, SQL_API_KEY_FIND);
    bind_text(st, 1, hash);
    hf_rc rc = step_row(t, st, err);
    if (rc != HF_OK)
        return rc;
    row r = {st, a, false};
    out->id = text(&r, 0);
    out->hash = text(&r, 1);
    out->role = text(&r, 2);
    out->label = text(&r, 3);
    out->created_at = integer(&r, 4);
    return row_done(&r, err);
}

static hf_rc idempotency_get(hf_txn *t, const char *principal, const char *key,
                             hf_arena *a, hf_idempotent_reply *out, hf_err *err)
{
    STMT(st, t, SQL_IDEMPOTENCY_GET);
    bind_text(st, 1, principal);
    bind_text(st, 2, key);
    hf_rc rc = step_row(t, st, err);
    if (rc != HF_OK)
        return rc;
    row r = {st, a, false};
    out->request_hash = text(&r, 0);
    out->status = (int)integer(&r, 1);
    out->body = text(&r, 2);
    return row_done(&r, err);
}

static hf_rc idempotency_put(hf_txn *t, const char *principal, const char *key,
                             const hf_idempotent_reply *rep, hf_time now,
                             hf_err *err)
{
    STMT(st, t, SQL_IDEMPOTENCY_PUT);
    bind_text(st, 1, principal);
    bind_text(st, 2, key);
    bind_text(st, 3, rep->request_hash);
    sqlite3_bind_int(st, 4, rep->status);
    bind_text(st, 5, rep->body);
    sqlite3_bind_int64(st, 6, now);
    return step_done(t, st, "idempotency_key_reused", err);
}

const hf_store_ops hf_sqlite_ops = {
    .name = "sqlite",
    .open = hf_sqlite_open,
    .close = hf_sqlite_close,
    .migrate = hf_sqlite_migrate,
    .check_schema = hf_sqlite_check_schema,
    .write = hf_sqlite_write,
    .read = hf_sqlite_read,
    .stats = hf_sqlite_stats,
    .savepoint = hf_sqlite_savepoint,
    .release = hf_sqlite_release,
    .rollback_to = hf_sqlite_rollback_to,
    .location_insert = location_insert,
    .location_list = location_list,
    .location_get = location_get,
    .product_insert = product_insert,
    .product_get = product_get,
    .product_list = product_list,
    .stock_get = stock_get,
    .stock_adjust = stock_adjust,
    .stock_reserve = stock_reserve,
    .stock_release = stock_release,
    .stock_consume = stock_consume,
    .customer_insert = customer_insert,
    .customer_get = customer_get,
    .customer_find = customer_find,
    .order_next_seq = order_next_seq,
    .order_insert = order_insert,
    .order_update = order_update,
    .order_get = order_get,
    .order_get_doc = order_get_doc,
    .order_list_docs = order_list_docs,
    .event_append = event_append,
    .payment_append = payment_append,
    .outbox_put = outbox_put,
    .api_key_insert = api_key_insert,
    .api_key_find = api_key_find,
    .idempotency_get = idempotency_get,
    .idempotency_put = idempotency_put,
};
