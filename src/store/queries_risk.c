/*
 * queries_risk.c - the store's primitives for the cancellation-risk
 * model: the orders to export, a customer's and a SKU's history as it
 * stood at a moment, and the score stored on an order.
 */
#include "store/queries_int.h"

hf_rc hf_txn_risk_orders(hf_txn *t, hf_time until, hf_arena *a, int64_t **seqs,
                         size_t *n, hf_err *err)
{
    STMT(st, t, SQL_RISK_ORDERS);
    BIND_INT(st, 1, until);
    int64_t *items = NULL;
    size_t count = 0;
    int rc;
    while ((rc = t->drv->step(st, NULL, err)) == HF_STEP_ROW) {
        if ((items = hf_grow(a, items, count, sizeof(*items))) == NULL) {
            t->drv->reset(st);
            return hf_fail(err, HF_ENOMEM, NULL, NULL, "out of memory");
        }
        items[count++] = t->drv->column_int(st, 0);
    }
    t->drv->reset(st);
    if (rc != HF_STEP_DONE)
        return err->rc;
    *seqs = items;
    *n = count;
    return HF_OK;
}

hf_rc hf_txn_risk_customer(hf_txn *t, const char *customer_id, hf_time before,
                           hf_risk_history *out, hf_err *err)
{
    *out = (hf_risk_history){0};
    STMT(st, t, SQL_RISK_CUSTOMER);
    BIND_TEXT(st, 1, customer_id);
    BIND_INT(st, 2, before);
    hf_rc rc = hf_stmt_first(t, st, err);
    if (rc == HF_ENOTFOUND)
        return HF_OK;
    if (rc != HF_OK)
        return rc;
    out->orders = t->drv->column_int(st, 0);
    out->first_at = out->orders > 0 ? t->drv->column_int(st, 1) : 0;
    out->cancelled = t->drv->column_int(st, 2);
    out->returned = t->drv->column_int(st, 3);
    t->drv->reset(st);
    return HF_OK;
}

/* Two sums over the window of HF_RISK_SKU_DAYS days before the day of
 * before, for key, by statement id (risk_sku_days, risk_lane_days). */
static hf_rc window_sum(hf_txn *t, sql_id id, const char *key, hf_time before,
                        int64_t *a, int64_t *b, hf_err *err)
{
    *a = *b = 0;
    int64_t day = before / HF_DAY;
    STMT(st, t, id);
    BIND_TEXT(st, 1, key);
    BIND_INT(st, 2, day);
    BIND_INT(st, 3, day - HF_RISK_SKU_DAYS);
    hf_rc rc = hf_stmt_first(t, st, err);
    if (rc == HF_ENOTFOUND)
        return HF_OK;
    if (rc != HF_OK)
        return rc;
    *a = t->drv->column_int(st, 0);
    *b = t->drv->column_int(st, 1);
    t->drv->reset(st);
    return HF_OK;
}

/* Adds a and b to key's counters on the day of at, by statement id. */
static hf_rc window_add(hf_txn *t, sql_id id, const char *key, hf_time at,
                        int64_t a, int64_t b, hf_err *err)
{
    STMT(st, t, id);
    BIND_TEXT(st, 1, key);
    BIND_INT(st, 2, at / HF_DAY);
    BIND_INT(st, 3, a);
    BIND_INT(st, 4, b);
    return hf_stmt_exec(t, st, NULL, NULL, err);
}

hf_rc hf_txn_risk_sku(hf_txn *t, const char *sku, hf_time before,
                      int64_t *lines, int64_t *cancelled, hf_err *err)
{
    return window_sum(t, SQL_RISK_SKU, sku, before, lines, cancelled, err);
}

hf_rc hf_txn_risk_sku_add(hf_txn *t, const char *sku, hf_time at, int64_t lines,
                          int64_t cancelled, hf_err *err)
{
    return window_add(t, SQL_RISK_SKU_ADD, sku, at, lines, cancelled, err);
}

hf_rc hf_txn_risk_lane(hf_txn *t, const char *lane, hf_time before,
                       int64_t *delivered, int64_t *late, hf_err *err)
{
    return window_sum(t, SQL_RISK_LANE, lane, before, delivered, late, err);
}

hf_rc hf_txn_risk_lane_add(hf_txn *t, const char *lane, hf_time at, bool late,
                           hf_err *err)
{
    return window_add(t, SQL_RISK_LANE_ADD, lane, at, 1, late ? 1 : 0, err);
}

static void read_number(hf_row *r, void *item)
{
    *(const char **)item = hf_row_text(r, 0);
}

hf_rc hf_txn_risk_due(hf_txn *t, hf_time before, int limit, hf_arena *a,
                      const char ***numbers, size_t *n, hf_err *err)
{
    STMT(st, t, SQL_RISK_DUE);
    BIND_INT(st, 1, before);
    BIND_INT(st, 2, limit);
    *numbers = NULL;
    *n = 0;
    return hf_stmt_collect(t, st, a, sizeof(**numbers), read_number,
                           (void **)numbers, n, err);
}

hf_rc hf_txn_order_risk_put(hf_txn *t, int64_t order_seq, double score,
                            const char *model, hf_time at, const char *reason,
                            hf_err *err)
{
    STMT(st, t, SQL_ORDER_RISK_PUT);
    BIND_INT(st, 1, order_seq);
    BIND_INT(st, 2, (int64_t)(score * 1e6 + 0.5));
    BIND_TEXT(st, 3, model);
    BIND_INT(st, 4, at);
    BIND_TEXT(st, 5, reason);
    return hf_stmt_exec(t, st, NULL, NULL, err);
}

hf_rc hf_txn_order_outcome_at(hf_txn *t, int64_t order_seq, bool returned,
                              hf_time at, hf_err *err)
{
    STMT(st, t, returned ? SQL_ORDER_RETURNED_AT : SQL_ORDER_CANCELLED_AT);
    BIND_INT(st, 1, order_seq);
    BIND_INT(st, 2, at);
    return hf_stmt_exec(t, st, NULL, NULL, err);
}
