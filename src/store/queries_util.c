/*
 * queries_util.c - the row and statement helpers of queries_int.h.
 */
#include "store/queries_int.h"

#include <string.h>

const char *hf_row_text(hf_row *r, int col)
{
    size_t len;
    const char *s = r->drv->column_text(r->st, col, &len);
    if (s == NULL)
        return NULL;
    char *copy = hf_arena_strndup(r->a, s, len);
    if (copy == NULL)
        r->oom = true;
    return copy;
}

int64_t hf_row_int(hf_row *r, int col)
{
    return r->drv->column_int(r->st, col);
}

hf_rc hf_row_done(hf_row *r, hf_err *err)
{
    r->drv->reset(r->st);
    if (r->oom)
        return hf_fail(err, HF_ENOMEM, NULL, NULL, "out of memory");
    return HF_OK;
}

/* Steps a statement that returns no rows; *changed (may be NULL) gets the
 * number of rows it changed. A uniqueness violation becomes HF_ECONFLICT
 * with code conflict. */
hf_rc hf_stmt_exec(hf_txn *t, hf_stmt *st, const char *conflict,
                   int64_t *changed, hf_err *err)
{
    int rc = t->drv->step(st, conflict, err);
    if (changed != NULL)
        *changed = rc == HF_STEP_DONE ? t->drv->changes(st) : 0;
    t->drv->reset(st);
    return rc == HF_STEP_DONE ? HF_OK : err->rc;
}

/* Steps to the first row: HF_OK with a row, HF_ENOTFOUND without. */
hf_rc hf_stmt_first(hf_txn *t, hf_stmt *st, hf_err *err)
{
    int rc = t->drv->step(st, NULL, err);
    if (rc == HF_STEP_ROW)
        return HF_OK;
    t->drv->reset(st);
    return rc == HF_STEP_DONE ? HF_ENOTFOUND : err->rc;
}

hf_rc hf_stmt_first_int(hf_txn *t, hf_stmt *st, int64_t *out, hf_err *err)
{
    hf_rc rc = hf_stmt_first(t, st, err);
    if (rc == HF_ENOTFOUND)
        return HF_OK;
    if (rc != HF_OK)
        return rc;
    *out = t->drv->column_int(st, 0);
    t->drv->reset(st);
    return HF_OK;
}

/* Grows an arena array by one element; NULL when the arena is full. */
void *hf_grow(hf_arena *a, void *items, size_t n, size_t size)
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

/* Steps st to its end, appending each row, as `read` fills it, to a
 * growing arena array of item_size-byte items: *out and *n. */
hf_rc hf_stmt_collect(hf_txn *t, hf_stmt *st, hf_arena *a, size_t item_size,
                      void (*read)(hf_row *r, void *item), void **out,
                      size_t *n, hf_err *err)
{
    hf_row r = {t->drv, st, a, false};
    char *items = *out;
    size_t count = *n;
    int rc;
    while ((rc = t->drv->step(st, NULL, err)) == HF_STEP_ROW) {
        if ((items = hf_grow(a, items, count, item_size)) == NULL) {
            r.oom = true;
            break;
        }
        memset(items + count * item_size, 0, item_size);
        read(&r, items + count * item_size);
        count++;
    }
    if (rc != HF_STEP_ROW && rc != HF_STEP_DONE)
        return err->rc;
    *out = items;
    *n = count;
    return hf_row_done(&r, err);
}
