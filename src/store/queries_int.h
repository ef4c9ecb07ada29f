/*
 * queries_int.h - the helpers every file of store primitives shares:
 * reading result rows into an arena, stepping statements, and the
 * prepare/bind shorthands. Only src/store/ includes this.
 */
#ifndef HF_QUERIES_INT_H
#define HF_QUERIES_INT_H

#include "store/store_int.h"
#include "util/arena.h"

#include <stdbool.h>

/* Reads the columns of one result row into arena memory, remembering
 * whether any copy failed. */
typedef struct hf_row {
    const hf_sql_driver *drv;
    hf_stmt *st;
    hf_arena *a;
    bool oom;
} hf_row;

/* Column col of r's current row, copied into r's arena; NULL for SQL NULL
 * (or when the copy fails: r->oom is set). */
const char *hf_row_text(hf_row *r, int col);
int64_t hf_row_int(hf_row *r, int col);

/* Resets r's statement; HF_ENOMEM when a copy failed. */
hf_rc hf_row_done(hf_row *r, hf_err *err);

/* Steps a statement that returns no rows; *changed (may be NULL) gets the
 * number of rows it changed. A uniqueness violation becomes HF_ECONFLICT
 * with code conflict. */
hf_rc hf_stmt_exec(hf_txn *t, hf_stmt *st, const char *conflict,
                   int64_t *changed, hf_err *err);

/* Steps to the first row: HF_OK with a row, HF_ENOTFOUND without. */
hf_rc hf_stmt_first(hf_txn *t, hf_stmt *st, hf_err *err);

/* Steps to the first row and reads its first column into *out; with no
 * row, *out is left alone and HF_OK returned all the same (a count or a
 * flag whose absence means its default). */
hf_rc hf_stmt_first_int(hf_txn *t, hf_stmt *st, int64_t *out, hf_err *err);

/* Grows an arena array by one element; NULL when the arena is full. */
void *hf_grow(hf_arena *a, void *items, size_t n, size_t size);

/* Steps st to its end, appending each row, as `read` fills it, to a
 * growing arena array of item_size-byte items: *out and *n. */
hf_rc hf_stmt_collect(hf_txn *t, hf_stmt *st, hf_arena *a, size_t item_size,
                      void (*read)(hf_row *r, void *item), void **out,
                      size_t *n, hf_err *err);

#define STMT(var, t, id)                                                       \
    hf_stmt *var = (t)->drv->prepare((t), (id), err);                          \
    if (var == NULL)                                                           \
    return HF_ESTORE

#define BIND_TEXT(st, i, s) t->drv->bind_text((st), (i), (s))
#define BIND_INT(st, i, v) t->drv->bind_int((st), (i), (int64_t)(v))

#endif
