/*
 * store_int.h - what a store backend implements. Only src/store/ includes
 * this.
 *
 * A backend provides two tables (like sqlite3_vfs and curl's TLS
 * backends): hf_store_ops for the store's life and its transactions, and
 * hf_sql_driver for running one prepared statement. The primitives of
 * store.h are written once (queries.c) over the driver, so every backend
 * runs the same statements with the same checks.
 */
#ifndef HF_STORE_INT_H
#define HF_STORE_INT_H

#include "store/sql.h"
#include "store/store.h"

typedef struct hf_store_ops hf_store_ops;
typedef struct hf_sql_driver hf_sql_driver;

/* A backend's prepared statement, ready to bind and step. */
typedef struct hf_stmt hf_stmt;

/* Every store starts with this header; the backend's struct follows. */
struct hf_store {
    const hf_store_ops *ops;
};

/* Every transaction starts with this header. */
struct hf_txn {
    const hf_store_ops *ops;
    const hf_sql_driver *drv;
    bool events_added; /* order events were appended: wake the followers */
};

struct hf_store_ops {
    const char *name;
    hf_rc (*open)(const char *url, hf_store **out, hf_err *err);
    void (*close)(hf_store *s);
    hf_rc (*migrate)(hf_store *s, hf_err *err);
    hf_rc (*check_schema)(hf_store *s, hf_err *err);
    hf_rc (*write)(hf_store *s, hf_txn_fn fn, void *arg, hf_err *err);
    hf_rc (*submit)(hf_store *s, hf_txn_fn fn, void *arg, hf_write_done done,
                    hf_err *err);
    hf_rc (*read)(hf_store *s, hf_txn_fn fn, void *arg, hf_err *err);
    void (*stats)(hf_store *s, hf_store_stats *out);
    void (*wait_change)(hf_store *s, int timeout_ms);
    hf_rc (*savepoint)(hf_txn *t, hf_err *err);
    hf_rc (*release)(hf_txn *t, hf_err *err);
    hf_rc (*rollback_to)(hf_txn *t, hf_err *err);
};

/* What hf_sql_driver.step returns besides an error (negative). */
enum { HF_STEP_DONE = 0, HF_STEP_ROW = 1 };

struct hf_sql_driver {
    /* Statement id on t's connection, with no parameters bound; NULL with
     * err set when it cannot be prepared. */
    hf_stmt *(*prepare)(hf_txn *t, sql_id id, hf_err *err);
    /* Binds parameter i (1-based); NULL text binds SQL NULL. The text must
     * stay valid until the statement is reset. */
    void (*bind_text)(hf_stmt *st, int i, const char *s);
    void (*bind_int)(hf_stmt *st, int i, int64_t v);
    /* Runs the statement or moves to its next row: HF_STEP_ROW,
     * HF_STEP_DONE, or -1 with err set. A uniqueness violation sets
     * HF_ECONFLICT with code conflict (when not NULL). */
    int (*step)(hf_stmt *st, const char *conflict, hf_err *err);
    /* Column col (0-based) of the current row; NULL for SQL NULL. */
    const char *(*column_text)(hf_stmt *st, int col, size_t *len);
    int64_t (*column_int)(hf_stmt *st, int col);
    /* Rows changed by the statement that just finished. */
    int64_t (*changes)(hf_stmt *st);
    /* Ends the statement so it can run again. */
    void (*reset)(hf_stmt *st);
};

/* The backends. */
extern const hf_store_ops hf_sqlite_ops;
extern const hf_store_ops hf_postgres_ops;

#endif
