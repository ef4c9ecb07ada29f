/*
 * queries_playbooks.c - the store's primitives for playbooks: which
 * playbooks fired for an order, and the agents' task list they feed.
 */
#include "store/queries_int.h"

#include <string.h>

hf_rc hf_txn_playbook_run_insert(hf_txn *t, const char *order_id,
                                 const char *playbook, double score, hf_time at,
                                 bool *fresh, hf_err *err)
{
    STMT(st, t, SQL_PLAYBOOK_RUN_INSERT);
    BIND_TEXT(st, 1, order_id);
    BIND_TEXT(st, 2, playbook);
    BIND_INT(st, 3, (int64_t)(score * 1e6 + 0.5));
    BIND_INT(st, 4, at);
    int64_t changed = 0;
    hf_rc rc = hf_stmt_exec(t, st, NULL, &changed, err);
    *fresh = rc == HF_OK && changed > 0;
    return rc;
}

hf_rc hf_txn_at_risk_insert(hf_txn *t, int64_t order_seq, hf_time placed_at,
                            hf_time at, double score, bool outreach,
                            bool *fresh, hf_err *err)
{
    STMT(st, t, SQL_AT_RISK_INSERT);
    BIND_INT(st, 1, order_seq);
    BIND_INT(st, 2, placed_at / HF_DAY);
    BIND_INT(st, 3, at);
    BIND_INT(st, 4, (int64_t)(score * 1e6 + 0.5));
    BIND_INT(st, 5, outreach ? 1 : 0);
    int64_t changed = 0;
    hf_rc rc = hf_stmt_exec(t, st, NULL, &changed, err);
    *fresh = rc == HF_OK && changed > 0;
    return rc;
}

static void read_at_risk(hf_row *r, void *item)
{
    int64_t *v = item;
    for (int i = 0; i < 4; i++)
        v[i] = hf_row_int(r, i);
}

hf_rc hf_txn_at_risk_sum(hf_txn *t, int64_t from_day, int64_t to_day,
                         hf_at_risk_sum sum[2], hf_err *err)
{
    STMT(st, t, SQL_AT_RISK_SUM);
    BIND_INT(st, 1, from_day);
    BIND_INT(st, 2, to_day);
    memset(sum, 0, 2 * sizeof(*sum));
    hf_arena *a = hf_arena_new(1024);
    if (a == NULL)
        return hf_fail(err, HF_ENOMEM, NULL, NULL, "out of memory");
    int64_t(*rows)[4] = NULL;
    size_t n = 0;
    hf_rc rc = hf_stmt_collect(t, st, a, sizeof(*rows), read_at_risk,
                               (void **)&rows, &n, err);
    for (size_t i = 0; i < n && rc == HF_OK; i++)
        sum[rows[i][0] ? 1 : 0] =
            (hf_at_risk_sum){rows[i][1], rows[i][2], rows[i][3]};
    hf_arena_free(a);
    return rc;
}

hf_rc hf_txn_task_insert(hf_txn *t, const hf_task *task, hf_err *err)
{
    STMT(st, t, SQL_TASK_INSERT);
    BIND_TEXT(st, 1, task->id);
    BIND_TEXT(st, 2, task->order_id);
    BIND_TEXT(st, 3, task->kind);
    BIND_TEXT(st, 4, task->reason);
    BIND_INT(st, 5, task->created_at);
    return hf_stmt_exec(t, st, "task_exists", NULL, err);
}

static void read_task(hf_row *r, void *item)
{
    *(hf_task *)item = (hf_task){
        .seq = hf_row_int(r, 0),
        .id = hf_row_text(r, 1),
        .order_id = hf_row_text(r, 2),
        .kind = hf_row_text(r, 3),
        .reason = hf_row_text(r, 4),
        .status = hf_row_text(r, 5),
        .created_at = hf_row_int(r, 6),
        .done_at = hf_row_int(r, 7),
        .done_by = hf_row_text(r, 8),
        .note = hf_row_text(r, 9),
    };
}

hf_rc hf_txn_task_get(hf_txn *t, const char *id, hf_arena *a, hf_task *out,
                      hf_err *err)
{
    STMT(st, t, SQL_TASK_GET);
    BIND_TEXT(st, 1, id);
    hf_rc rc = hf_stmt_first(t, st, err);
    if (rc == HF_ENOTFOUND)
        return hf_fail(err, rc, "not_found", NULL, "no task %s", id);
    if (rc != HF_OK)
        return rc;
    hf_row r = {t->drv, st, a, false};
    read_task(&r, out);
    return hf_row_done(&r, err);
}

hf_rc hf_txn_task_list(hf_txn *t, const char *status, int64_t after_seq,
                       int limit, hf_arena *a, hf_task **out, size_t *n,
                       hf_err *err)
{
    STMT(st, t, SQL_TASK_LIST);
    BIND_TEXT(st, 1, status);
    BIND_INT(st, 2, after_seq);
    BIND_INT(st, 3, limit);
    *out = NULL;
    *n = 0;
    return hf_stmt_collect(t, st, a, sizeof(**out), read_task, (void **)out, n,
                           err);
}

hf_rc hf_txn_task_done(hf_txn *t, const char *id, hf_time at, const char *by,
                       const char *note, hf_err *err)
{
    STMT(st, t, SQL_TASK_DONE);
    BIND_TEXT(st, 1, id);
    BIND_INT(st, 2, at);
    BIND_TEXT(st, 3, by);
    BIND_TEXT(st, 4, note);
    int64_t changed;
    hf_rc rc = hf_stmt_exec(t, st, NULL, &changed, err);
    if (rc == HF_OK && changed == 0)
        return hf_fail(err, HF_ECONFLICT, "task_done", NULL,
                       "task %s is not open", id);
    return rc;
}
