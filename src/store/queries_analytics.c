/* queries_analytics.c - the daily aggregates behind the KPIs, what their
 * rebuild reads, and the experiments (store.h). */
#include "store/queries_int.h"

#include <string.h>

hf_rc hf_txn_kpi_add(hf_txn *t, int64_t day, int n_dims,
                     const char *const *dims, const char *const *values,
                     const char *metric, int64_t n, hf_err *err)
{
    if (n_dims != 5 && n_dims != 7)
        return hf_fail(err, HF_EINVAL, NULL, NULL, "5 or 7 dimensions");
    STMT(st, t, n_dims == 5 ? SQL_KPI_ADD5 : SQL_KPI_ADD7);
    BIND_INT(st, 1, day);
    BIND_TEXT(st, 2, metric);
    BIND_INT(st, 3, n);
    for (int i = 0; i < n_dims; i++) {
        BIND_TEXT(st, 4 + 2 * i, dims[i]);
        BIND_TEXT(st, 5 + 2 * i, values[i]);
    }
    return hf_stmt_exec(t, st, NULL, NULL, err);
}

static void read_sum(hf_row *r, void *item)
{
    hf_kpi_sum *k = item;
    k->value = hf_row_text(r, 0);
    k->metric = hf_row_text(r, 1);
    k->n = hf_row_int(r, 2);
}

hf_rc hf_txn_kpi_sum(hf_txn *t, const char *dim, int64_t from, int64_t to,
                     hf_arena *a, hf_kpi_sum **out, size_t *n, hf_err *err)
{
    STMT(st, t, SQL_KPI_SUM);
    BIND_TEXT(st, 1, dim);
    BIND_INT(st, 2, from);
    BIND_INT(st, 3, to);
    *out = NULL;
    *n = 0;
    return hf_stmt_collect(t, st, a, sizeof(**out), read_sum, (void **)out, n,
                           err);
}

hf_rc hf_txn_kpi_sum_by_day(hf_txn *t, int64_t from, int64_t to, hf_arena *a,
                            hf_kpi_sum **out, size_t *n, hf_err *err)
{
    STMT(st, t, SQL_KPI_SUM_BY_DAY);
    BIND_INT(st, 1, from);
    BIND_INT(st, 2, to);
    *out = NULL;
    *n = 0;
    return hf_stmt_collect(t, st, a, sizeof(**out), read_sum, (void **)out, n,
                           err);
}

static void read_request(hf_row *r, void *item)
{
    *(hf_kpi_request *)item =
        (hf_kpi_request){hf_row_int(r, 0), hf_row_text(r, 1), hf_row_text(r, 2),
                         hf_row_text(r, 3)};
}

hf_rc hf_txn_kpi_requests_of_order(hf_txn *t, const char *order_id,
                                   hf_time from, hf_time to, hf_arena *a,
                                   hf_kpi_request **out, size_t *n, hf_err *err)
{
    STMT(st, t, SQL_KPI_REQUESTS_OF_ORDER);
    BIND_TEXT(st, 1, order_id);
    BIND_INT(st, 2, from);
    BIND_INT(st, 3, to);
    *out = NULL;
    *n = 0;
    return hf_stmt_collect(t, st, a, sizeof(**out), read_request, (void **)out,
                           n, err);
}

hf_rc hf_txn_kpi_dims_put(hf_txn *t, const char *order_id,
                          const char *const values[4], hf_err *err)
{
    STMT(st, t, SQL_KPI_DIMS_PUT);
    BIND_TEXT(st, 1, order_id);
    for (int i = 0; i < 4; i++)
        BIND_TEXT(st, 2 + i, values[i]);
    return hf_stmt_exec(t, st, NULL, NULL, err);
}

hf_rc hf_txn_kpi_dims_get(hf_txn *t, const char *order_id, hf_arena *a,
                          const char *values[4], hf_err *err)
{
    STMT(st, t, SQL_KPI_DIMS_GET);
    BIND_TEXT(st, 1, order_id);
    hf_rc rc = hf_stmt_first(t, st, err);
    if (rc != HF_OK)
        return rc;
    hf_row r = {t->drv, st, a, false};
    for (int i = 0; i < 4; i++)
        values[i] = hf_row_text(&r, i);
    return hf_row_done(&r, err);
}

static void read_row(hf_row *r, void *item)
{
    *(hf_kpi_row *)item =
        (hf_kpi_row){hf_row_int(r, 0), hf_row_text(r, 1), hf_row_text(r, 2),
                     hf_row_text(r, 3), hf_row_int(r, 4)};
}

hf_rc hf_txn_kpi_all(hf_txn *t, hf_arena *a, hf_kpi_row **out, size_t *n,
                     hf_err *err)
{
    STMT(st, t, SQL_KPI_ALL);
    *out = NULL;
    *n = 0;
    return hf_stmt_collect(t, st, a, sizeof(**out), read_row, (void **)out, n,
                           err);
}

hf_rc hf_txn_kpi_clear(hf_txn *t, hf_err *err)
{
    STMT(st, t, SQL_KPI_CLEAR);
    return hf_stmt_exec(t, st, NULL, NULL, err);
}

/* One key of a rebuild page. */
typedef struct page_item {
    int64_t seq;
    const char *id;
    hf_time at;
} page_item;

static void read_page_item(hf_row *r, void *item)
{
    page_item *p = item;
    p->seq = hf_row_int(r, 0);
    p->id = hf_row_text(r, 1);
    p->at = 0;
}

static void read_escalation_item(hf_row *r, void *item)
{
    read_page_item(r, item);
    ((page_item *)item)->at = hf_row_int(r, 2);
}

hf_rc hf_txn_kpi_page(hf_txn *t, hf_kpi_page what, int64_t after, int limit,
                      hf_arena *a, int64_t **seqs, const char ***ids,
                      hf_time **times, size_t *n, hf_err *err)
{
    static const sql_id stmts[] = {
        SQL_KPI_ORDERS_AFTER, SQL_KPI_CONVERSATIONS_AFTER,
        SQL_KPI_CLOSED_ESCALATIONS_AFTER, SQL_KPI_CANCELLED_ESCALATIONS_AFTER};
    STMT(st, t, stmts[what]);
    BIND_INT(st, 1, after);
    BIND_INT(st, 2, limit);
    page_item *items = NULL;
    *n = 0;
    hf_rc rc = hf_stmt_collect(t, st, a, sizeof(*items),
                               what != HF_KPI_PAGE_ORDERS &&
                                       what != HF_KPI_PAGE_CONVERSATIONS
                                   ? read_escalation_item
                                   : read_page_item,
                               (void **)&items, n, err);
    if (rc != HF_OK)
        return rc;
    *seqs = hf_arena_alloc(a, (*n + 1) * sizeof(**seqs));
    *ids = hf_arena_alloc(a, (*n + 1) * sizeof(**ids));
    *times = hf_arena_alloc(a, (*n + 1) * sizeof(**times));
    if (*seqs == NULL || *ids == NULL || *times == NULL)
        return hf_fail(err, HF_ENOMEM, NULL, NULL, "out of memory");
    for (size_t i = 0; i < *n; i++) {
        (*seqs)[i] = items[i].seq;
        (*ids)[i] = items[i].id;
        (*times)[i] = items[i].at;
    }
    return HF_OK;
}

hf_rc hf_txn_kpi_offer_of(hf_txn *t, const char *order_id,
                          const char *conversation_id, hf_arena *a,
                          const char **kind, hf_err *err)
{
    STMT(st, t, SQL_KPI_OFFER_OF_CONVERSATION);
    BIND_TEXT(st, 1, order_id);
    BIND_TEXT(st, 2, conversation_id);
    *kind = NULL;
    hf_rc rc = hf_stmt_first(t, st, err);
    if (rc == HF_ENOTFOUND)
        return HF_OK;
    if (rc != HF_OK)
        return rc;
    hf_row r = {t->drv, st, a, false};
    *kind = hf_row_text(&r, 0);
    return hf_row_done(&r, err);
}

/* --- Experiments --------------------------------------------------------- */

hf_rc hf_txn_experiment_insert(hf_txn *t, const hf_experiment_row *e,
                               hf_err *err)
{
    STMT(st, t, SQL_EXPERIMENT_INSERT);
    BIND_TEXT(st, 1, e->id);
    BIND_TEXT(st, 2, e->name);
    BIND_TEXT(st, 3, e->arms);
    BIND_INT(st, 4, e->offer_cooldown_days);
    BIND_INT(st, 5, e->created_at);
    return hf_stmt_exec(t, st, "experiment_exists", NULL, err);
}

static void read_experiment(hf_row *r, void *item)
{
    *(hf_experiment_row *)item = (hf_experiment_row){
        hf_row_text(r, 0), hf_row_text(r, 1),     hf_row_text(r, 2),
        hf_row_text(r, 3), (int)hf_row_int(r, 4), hf_row_int(r, 5),
        hf_row_int(r, 6)};
}

static hf_rc one_experiment(hf_txn *t, hf_stmt *st, hf_arena *a,
                            hf_experiment_row *out, hf_err *err)
{
    hf_rc rc = hf_stmt_first(t, st, err);
    if (rc != HF_OK)
        return rc;
    hf_row r = {t->drv, st, a, false};
    read_experiment(&r, out);
    return hf_row_done(&r, err);
}

hf_rc hf_txn_experiment_get(hf_txn *t, const char *id, hf_arena *a,
                            hf_experiment_row *out, hf_err *err)
{
    STMT(st, t, SQL_EXPERIMENT_GET);
    BIND_TEXT(st, 1, id);
    hf_rc rc = one_experiment(t, st, a, out, err);
    if (rc == HF_ENOTFOUND)
        return hf_fail(err, rc, "not_found", NULL, "no experiment %s", id);
    return rc;
}

hf_rc hf_txn_experiment_list(hf_txn *t, hf_arena *a, hf_experiment_row **out,
                             size_t *n, hf_err *err)
{
    STMT(st, t, SQL_EXPERIMENT_LIST);
    *out = NULL;
    *n = 0;
    return hf_stmt_collect(t, st, a, sizeof(**out), read_experiment,
                           (void **)out, n, err);
}

hf_rc hf_txn_experiment_stop(hf_txn *t, const char *id, hf_time at,
                             bool *changed, hf_err *err)
{
    STMT(st, t, SQL_EXPERIMENT_STOP);
    BIND_TEXT(st, 1, id);
    BIND_INT(st, 2, at);
    int64_t n = 0;
    hf_rc rc = hf_stmt_exec(t, st, NULL, &n, err);
    *changed = n > 0;
    return rc;
}

hf_rc hf_txn_experiment_running(hf_txn *t, hf_arena *a, hf_experiment_row *out,
                                hf_err *err)
{
    STMT(st, t, SQL_EXPERIMENT_RUNNING);
    return one_experiment(t, st, a, out, err);
}

static void read_experiment_request(hf_row *r, void *item)
{
    *(hf_experiment_request *)item = (hf_experiment_request){
        hf_row_text(r, 0), hf_row_text(r, 1),     hf_row_int(r, 2),
        hf_row_int(r, 3),  hf_row_int(r, 4),      hf_row_int(r, 5),
        hf_row_text(r, 6), (int)hf_row_int(r, 7), hf_row_int(r, 8)};
}

hf_rc hf_txn_experiment_requests(hf_txn *t, const char *id, hf_arena *a,
                                 hf_experiment_request **out, size_t *n,
                                 hf_err *err)
{
    STMT(st, t, SQL_EXPERIMENT_REQUESTS);
    BIND_TEXT(st, 1, id);
    *out = NULL;
    *n = 0;
    return hf_stmt_collect(t, st, a, sizeof(**out), read_experiment_request,
                           (void **)out, n, err);
}

hf_rc hf_txn_customer_last_offer(hf_txn *t, const char *customer_id,
                                 hf_time *at, hf_err *err)
{
    STMT(st, t, SQL_CUSTOMER_LAST_OFFER);
    BIND_TEXT(st, 1, customer_id);
    *at = 0;
    return hf_stmt_first_int(t, st, at, err);
}

/* --- The inventory outlook ----------------------------------------------- */

static void read_units(hf_row *r, void *item)
{
    *(hf_sku_units *)item =
        (hf_sku_units){hf_row_text(r, 0), hf_row_int(r, 1), hf_row_int(r, 2)};
}

hf_rc hf_txn_outlook_units(hf_txn *t, hf_time from, hf_time to, hf_arena *a,
                           hf_sku_units **out, size_t *n, hf_err *err)
{
    STMT(st, t, SQL_OUTLOOK_UNITS);
    BIND_INT(st, 1, from);
    BIND_INT(st, 2, to);
    *out = NULL;
    *n = 0;
    return hf_stmt_collect(t, st, a, sizeof(**out), read_units, (void **)out, n,
                           err);
}

static void read_available(hf_row *r, void *item)
{
    *(hf_sku_units *)item =
        (hf_sku_units){hf_row_text(r, 0), 0, hf_row_int(r, 1)};
}

hf_rc hf_txn_outlook_available(hf_txn *t, hf_arena *a, hf_sku_units **out,
                               size_t *n, hf_err *err)
{
    STMT(st, t, SQL_OUTLOOK_AVAILABLE);
    *out = NULL;
    *n = 0;
    return hf_stmt_collect(t, st, a, sizeof(**out), read_available,
                           (void **)out, n, err);
}
