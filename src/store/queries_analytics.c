/* queries_analytics.c - the daily aggregates behind the KPIs (store.h). */
#include "store/queries_int.h"

hf_rc hf_txn_kpi_add4(hf_txn *t, int64_t day, const char *const dims[4],
                      const char *const values[4], const char *metric,
                      int64_t n, hf_err *err)
{
    STMT(st, t, SQL_KPI_ADD4);
    BIND_INT(st, 1, day);
    BIND_TEXT(st, 2, metric);
    BIND_INT(st, 3, n);
    for (int i = 0; i < 4; i++) {
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

static void read_time(hf_row *r, void *item)
{
    *(hf_time *)item = hf_row_int(r, 0);
}

hf_rc hf_txn_kpi_requests_of_order(hf_txn *t, const char *order_id,
                                   hf_time from, hf_time to, hf_arena *a,
                                   hf_time **out, size_t *n, hf_err *err)
{
    STMT(st, t, SQL_KPI_REQUESTS_OF_ORDER);
    BIND_TEXT(st, 1, order_id);
    BIND_INT(st, 2, from);
    BIND_INT(st, 3, to);
    *out = NULL;
    *n = 0;
    return hf_stmt_collect(t, st, a, sizeof(**out), read_time, (void **)out, n,
                           err);
}
