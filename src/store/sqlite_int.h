/*
 * sqlite_int.h - shared between the SQLite backend's files: connections
 * with their prepared statements, and the transaction handle.
 */
#ifndef HF_SQLITE_INT_H
#define HF_SQLITE_INT_H

#include "store/store_int.h"

#include <sqlite3.h>

/* Every statement the backend runs, prepared once per connection. */
typedef enum sql_id {
    SQL_LOCATION_INSERT,
    SQL_LOCATION_LIST,
    SQL_LOCATION_GET,
    SQL_PRODUCT_INSERT,
    SQL_PRODUCT_GET,
    SQL_PRODUCT_LIST,
    SQL_STOCK_GET,
    SQL_STOCK_ENSURE,
    SQL_STOCK_ADJUST,
    SQL_STOCK_LEVEL,
    SQL_ADJUSTMENT_LOG,
    SQL_STOCK_RESERVE,
    SQL_STOCK_RELEASE,
    SQL_STOCK_CONSUME,
    SQL_CUSTOMER_INSERT,
    SQL_CUSTOMER_GET,
    SQL_CUSTOMER_FIND,
    SQL_ORDER_NEXT_SEQ,
    SQL_ORDER_INSERT,
    SQL_LINE_INSERT,
    SQL_ALLOCATION_INSERT,
    SQL_ORDER_UPDATE,
    SQL_LINE_UPDATE,
    SQL_ALLOCATION_DELETE,
    SQL_ORDER_GET_BY_ID,
    SQL_ORDER_GET_BY_NUMBER,
    SQL_LINES_GET,
    SQL_ALLOCATIONS_GET,
    SQL_EVENTS_GET,
    SQL_DOC_BY_ID,
    SQL_DOC_BY_NUMBER,
    SQL_ORDER_LIST,
    SQL_EVENT_APPEND,
    SQL_PAYMENT_APPEND,
    SQL_OUTBOX_PUT,
    SQL_API_KEY_INSERT,
    SQL_API_KEY_FIND,
    SQL_IDEMPOTENCY_GET,
    SQL_IDEMPOTENCY_PUT,
    /* transaction control, prepared like the rest: sqlite3_exec would
     * compile them again on every request */
    SQL_BEGIN,
    SQL_BEGIN_IMMEDIATE,
    SQL_COMMIT,
    SQL_ROLLBACK,
    SQL_SAVEPOINT_JOB,
    SQL_RELEASE_JOB,
    SQL_ROLLBACK_TO_JOB,
    SQL_SAVEPOINT_NESTED,
    SQL_RELEASE_NESTED,
    SQL_ROLLBACK_TO_NESTED,
    SQL_COUNT
} sql_id;

typedef struct sqlite_conn {
    sqlite3 *db;
    sqlite3_stmt *stmts[SQL_COUNT]; /* prepared on first use */
} sqlite_conn;

typedef struct sqlite_txn {
    hf_txn base;
    sqlite_conn *conn;
    int savepoints; /* depth of nested savepoints opened by services */
} sqlite_txn;

/* The statement id on t's connection, reset and ready to bind; NULL (with
 * err set) when it cannot be prepared. */
sqlite3_stmt *hf_sqlite_stmt(sqlite_txn *t, sql_id id, hf_err *err);

/* Maps a failed step's result to an hf_rc, filling err. A uniqueness
 * violation becomes HF_ECONFLICT with conflict_code. */
hf_rc hf_sqlite_fail(sqlite_txn *t, int rc, const char *conflict_code,
                     hf_err *err);

/* Runs one statement of SQL text (DDL). */
hf_rc hf_sqlite_exec(sqlite_txn *t, const char *sql, hf_err *err);

/* Runs a prepared statement that returns no rows (BEGIN, SAVEPOINT...). */
hf_rc hf_sqlite_run(sqlite_txn *t, sql_id id, hf_err *err);

/* SQL text of every statement, indexed by sql_id (sqlite_queries.c). */
extern const char *const hf_sqlite_sql[SQL_COUNT];

/* Lifecycle and transactions (sqlite.c); sqlite_queries.c holds the
 * primitives and the hf_sqlite_ops table that names all of them. */
hf_rc hf_sqlite_open(const char *path, hf_store **out, hf_err *err);
void hf_sqlite_close(hf_store *s);
hf_rc hf_sqlite_migrate(hf_store *s, hf_err *err);
hf_rc hf_sqlite_check_schema(hf_store *s, hf_err *err);
hf_rc hf_sqlite_write(hf_store *s, hf_txn_fn fn, void *arg, hf_err *err);
hf_rc hf_sqlite_read(hf_store *s, hf_txn_fn fn, void *arg, hf_err *err);
void hf_sqlite_stats(hf_store *s, hf_store_stats *out);
hf_rc hf_sqlite_savepoint(hf_txn *t, hf_err *err);
hf_rc hf_sqlite_release(hf_txn *t, hf_err *err);
hf_rc hf_sqlite_rollback_to(hf_txn *t, hf_err *err);

#endif
