/*
 * queries_screening.c - the store's primitives for screening orders at
 * placement: the keys duplicate and velocity checks compare, the counts
 * they need, the address hold, and the review queue.
 */
#include "store/queries_int.h"

#include <string.h>

hf_rc hf_txn_order_screening_put(hf_txn *t, int64_t order_seq,
                                 const hf_screening_keys *k, hf_err *err)
{
    STMT(st, t, SQL_ORDER_SCREENING_PUT);
    BIND_INT(st, 1, order_seq);
    /* stored as the signed 64-bit pattern; read back the same way */
    BIND_INT(st, 2, (int64_t)k->line_signature);
    BIND_TEXT(st, 3, k->address_key);
    BIND_TEXT(st, 4, k->payment_fp);
    BIND_TEXT(st, 5, k->client_ip);
    BIND_INT(st, 6, k->address_hold ? 1 : 0);
    return hf_stmt_exec(t, st, NULL, NULL, err);
}

hf_rc hf_txn_order_address_hold(hf_txn *t, int64_t order_seq, bool *out,
                                hf_err *err)
{
    STMT(st, t, SQL_ORDER_ADDRESS_HOLD_GET);
    BIND_INT(st, 1, order_seq);
    hf_rc rc = hf_stmt_first(t, st, err);
    if (rc == HF_ENOTFOUND)
        return hf_fail(err, rc, "not_found", NULL, "no order %lld",
                       (long long)order_seq);
    if (rc != HF_OK)
        return rc;
    *out = t->drv->column_int(st, 0) != 0;
    t->drv->reset(st);
    return HF_OK;
}

hf_rc hf_txn_order_address_hold_set(hf_txn *t, int64_t order_seq, bool hold,
                                    hf_err *err)
{
    STMT(st, t, SQL_ORDER_ADDRESS_HOLD_SET);
    BIND_INT(st, 1, order_seq);
    BIND_INT(st, 2, hold ? 1 : 0);
    return hf_stmt_exec(t, st, NULL, NULL, err);
}

static void read_recent(hf_row *r, void *item)
{
    *(hf_recent_order_row *)item = (hf_recent_order_row){
        hf_row_text(r, 0), hf_row_int(r, 1), (uint64_t)hf_row_int(r, 2)};
}

hf_rc hf_txn_orders_recent(hf_txn *t, const char *customer_id, hf_time since,
                           hf_arena *a, hf_recent_order_row **out, size_t *n,
                           hf_err *err)
{
    STMT(st, t, SQL_ORDERS_RECENT);
    BIND_TEXT(st, 1, customer_id);
    BIND_INT(st, 2, since);
    *out = NULL;
    *n = 0;
    return hf_stmt_collect(t, st, a, sizeof(**out), read_recent, (void **)out,
                           n, err);
}

hf_rc hf_txn_order_velocity(hf_txn *t, hf_velocity_key key, const char *value,
                            hf_time now, int64_t *last_hour, int64_t *last_day,
                            hf_err *err)
{
    static const sql_id ids[] = {
        [HF_VK_CUSTOMER] = SQL_VELOCITY_CUSTOMER,
        [HF_VK_ADDRESS] = SQL_VELOCITY_ADDRESS,
        [HF_VK_PAYMENT] = SQL_VELOCITY_PAYMENT,
        [HF_VK_IP] = SQL_VELOCITY_IP,
    };
    *last_hour = *last_day = 0;
    if (value == NULL || (size_t)key >= HF_ARRAY_LEN(ids))
        return HF_OK; /* no key: nothing shares it */
    STMT(st, t, ids[key]);
    BIND_TEXT(st, 1, value);
    BIND_INT(st, 2, now - HF_DAY);
    BIND_INT(st, 3, now - HF_HOUR);
    hf_rc rc = hf_stmt_first(t, st, err);
    if (rc == HF_ENOTFOUND)
        return HF_OK;
    if (rc != HF_OK)
        return rc;
    *last_day = t->drv->column_int(st, 0);
    *last_hour = t->drv->column_int(st, 1);
    t->drv->reset(st);
    return HF_OK;
}

static hf_rc count_one(hf_txn *t, sql_id id, const char *value, int64_t *out,
                       hf_err *err)
{
    STMT(st, t, id);
    BIND_TEXT(st, 1, value);
    *out = 0;
    return hf_stmt_first_int(t, st, out, err);
}

hf_rc hf_txn_customer_order_count(hf_txn *t, const char *customer_id,
                                  int64_t *out, hf_err *err)
{
    return count_one(t, SQL_CUSTOMER_ORDER_COUNT, customer_id, out, err);
}

/* --- The review queue ---------------------------------------------------- */

hf_rc hf_txn_review_insert(hf_txn *t, const hf_review *r, hf_err *err)
{
    STMT(st, t, SQL_REVIEW_INSERT);
    BIND_TEXT(st, 1, r->id);
    BIND_TEXT(st, 2, r->order_id);
    BIND_TEXT(st, 3, r->order_number);
    BIND_TEXT(st, 4, r->kind);
    BIND_INT(st, 5, r->score);
    BIND_TEXT(st, 6, r->reasons);
    BIND_INT(st, 7, r->created_at);
    return hf_stmt_exec(t, st, "review_exists", NULL, err);
}

static void read_review(hf_row *r, void *item)
{
    *(hf_review *)item = (hf_review){
        .seq = hf_row_int(r, 0),
        .id = hf_row_text(r, 1),
        .order_id = hf_row_text(r, 2),
        .order_number = hf_row_text(r, 3),
        .kind = hf_row_text(r, 4),
        .score = (int)hf_row_int(r, 5),
        .reasons = hf_row_text(r, 6),
        .status = hf_row_text(r, 7),
        .created_at = hf_row_int(r, 8),
        .decided_by = hf_row_text(r, 9),
        .decided_at = hf_row_int(r, 10),
        .note = hf_row_text(r, 11),
    };
}

hf_rc hf_txn_review_get(hf_txn *t, const char *id, hf_arena *a, hf_review *out,
                        hf_err *err)
{
    STMT(st, t, SQL_REVIEW_GET);
    BIND_TEXT(st, 1, id);
    hf_rc rc = hf_stmt_first(t, st, err);
    if (rc == HF_ENOTFOUND)
        return hf_fail(err, rc, "not_found", NULL, "no review %s", id);
    if (rc != HF_OK)
        return rc;
    hf_row r = {t->drv, st, a, false};
    read_review(&r, out);
    return hf_row_done(&r, err);
}

hf_rc hf_txn_review_list(hf_txn *t, const char *status, int64_t after_seq,
                         int limit, hf_arena *a, hf_review **out, size_t *n,
                         hf_err *err)
{
    STMT(st, t, SQL_REVIEW_LIST);
    BIND_TEXT(st, 1, status);
    BIND_INT(st, 2, after_seq);
    BIND_INT(st, 3, limit);
    *out = NULL;
    *n = 0;
    return hf_stmt_collect(t, st, a, sizeof(**out), read_review, (void **)out,
                           n, err);
}

hf_rc hf_txn_review_decide(hf_txn *t, const char *id, const char *status,
                           const char *by, hf_time at, const char *note,
                           hf_err *err)
{
    STMT(st, t, SQL_REVIEW_DECIDE);
    BIND_TEXT(st, 1, id);
    BIND_TEXT(st, 2, status);
    BIND_TEXT(st, 3, by);
    BIND_INT(st, 4, at);
    BIND_TEXT(st, 5, note);
    int64_t changed;
    hf_rc rc = hf_stmt_exec(t, st, NULL, &changed, err);
    if (rc == HF_OK && changed == 0)
        return hf_fail(err, HF_ECONFLICT, "review_decided", NULL,
                       "review %s has been decided already", id);
    return rc;
}

hf_rc hf_txn_review_open_count(hf_txn *t, const char *order_id, int64_t *out,
                               hf_err *err)
{
    return count_one(t, SQL_REVIEW_OPEN_COUNT, order_id, out, err);
}
