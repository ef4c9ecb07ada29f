/*
 * postgres.c - the PostgreSQL backend, on libpq.
 *
 * Several holdfast processes share one PostgreSQL. Each process keeps a
 * pool of connections; a write takes one, runs BEGIN, the caller's
 * function and COMMIT on it (PostgreSQL's own group commit shares the WAL
 * flush among concurrent commits). Concurrency control is the database's:
 * stock is reserved with a conditional UPDATE on the stock row (a row lock,
 * no global lock), orders are updated only at the version read, and order
 * numbers come from a sequence.
 *
 * A write whose transaction fails for a reason worth retrying (a
 * serialization failure, a deadlock, a racing insert of the same key, or a
 * connection lost before COMMIT was sent) runs again from the start on a
 * healthy connection. A connection lost while COMMIT was under way leaves
 * the outcome unknown: that write fails with store_error rather than risk
 * doing it twice (a client retrying with its Idempotency-Key gets the
 * first answer if it did commit).
 */
#include "store/store_int.h"
#include "util/log.h"
#include "util/mem.h"

#include <libpq-fe.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum {
    POOL_SIZE = 16,      /* connections per process */
    MAX_PARAMS = 48,     /* the orders INSERT binds 45 */
    RETRY_MS = 5000,     /* retry a write this long (a restart) */
    INT_TEXT = 24,       /* an int64 as text */
    ADVISORY_KEY = 7243, /* pg_advisory_xact_lock key of migrations */
    TEXT_OID = 25,       /* pg_type oid of text */
    ANNOUNCE_MS = 2      /* commits within this share one NOTIFY */
};

typedef struct pg_conn pg_conn;

/* One prepared statement on one connection, with its bound parameters
 * and, once run, its result. */
struct hf_stmt {
    pg_conn *conn;
    sql_id id;
    int n_params;
    const char *values[MAX_PARAMS];
    char ints[MAX_PARAMS][INT_TEXT]; /* text of integer parameters */
    PGresult *res;
    int row;         /* current row, -1 before the first */
    int64_t changed; /* rows a command changed */
};

struct pg_conn {
    PGconn *pg;
    bool prepared[SQL_COUNT];
    hf_stmt stmts[SQL_COUNT];
    bool broken; /* the connection was lost: reset before reuse */
};

typedef struct pg_txn {
    hf_txn base;
    pg_conn *conn;
} pg_txn;

/* A write queued by hf_store_submit, for the submit threads. */
typedef struct pg_job {
    hf_txn_fn fn;
    void *arg;
    hf_write_done done;
    struct pg_job *next;
} pg_job;

typedef struct pg_store {
    hf_store base;
    char *url;
    pg_conn conns[POOL_SIZE];
    bool busy[POOL_SIZE];
    pthread_mutex_t mu;
    pthread_cond_t free_conn;
    atomic_ulong commits, writes, write_fails;
    /* libpq blocks, so submitted writes run on threads of their own, as
     * many as there are connections */
    pthread_t submitters[POOL_SIZE];
    int n_submitters;
    pg_job *head, *tail;
    pthread_cond_t queued;
    bool stopping;
    /* a connection of its own that LISTENs for holdfast_events */
    pthread_mutex_t listen_mu;
    PGconn *listener;
    /* and one that NOTIFYs them, after commits, outside the writes'
     * transactions: PostgreSQL serializes the commits of transactions
     * that notify (a database-wide lock held through the WAL flush), which
     * took a third off the database's ceiling */
    pthread_t announcer;
    bool announcer_started;
    bool change_pending; /* under mu */
    pthread_cond_t changed;
} pg_store;

static const hf_sql_driver pg_driver;

/* Statements whose text differs from the portable one. */
static const char *const dialect[SQL_COUNT] = {
    [SQL_ORDER_NEXT_SEQ] = "SELECT nextval('order_seq')",
    [SQL_ORDER_LIST] = "SELECT doc, seq FROM orders "
                       "WHERE ($1::text IS NULL OR status = $1) "
                       "AND ($2::text IS NULL OR customer_id = $2) "
                       "AND seq < $3 ORDER BY seq DESC LIMIT $4",
    [SQL_BEGIN] = "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY",
    [SQL_BEGIN_IMMEDIATE] = "BEGIN",
    /* several processes claim at once: skip what another is taking */
    [SQL_OUTBOX_CLAIM] =
        "UPDATE outbox SET lease_until = $2, lease_owner = $3, "
        "attempts = attempts + 1 WHERE id = (SELECT id FROM outbox "
        "WHERE delivered_at IS NULL AND next_attempt_at <= $1 "
        "AND (lease_until IS NULL OR lease_until < $1) ORDER BY id LIMIT 1 "
        "FOR UPDATE SKIP LOCKED) "
        "RETURNING id, topic, order_id, payload, attempts",
};

/* --- Errors -------------------------------------------------------------- */

/* SQLSTATEs that mean "run the transaction again". */
static bool retryable_state(const char *state)
{
    return state != NULL && (strcmp(state, "40001") == 0 || /* serial. */
                             strcmp(state, "40P01") == 0 || /* deadlock */
                             strcmp(state, "55P03") == 0);  /* lock n/a */
}

static bool sqlstate_is(const PGresult *res, const char *state)
{
    const char *s = PQresultErrorField(res, PG_DIAG_SQLSTATE);
    return s != NULL && strcmp(s, state) == 0;
}

/* Fills err from a failed result (or the connection's message). */
static hf_rc fail_result(pg_conn *c, const PGresult *res, const char *conflict,
                         hf_err *err)
{
    const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    const char *msg = res ? PQresultErrorMessage(res) : PQerrorMessage(c->pg);
    if (PQstatus(c->pg) != CONNECTION_OK) {
        c->broken = true;
        return hf_fail(err, HF_EBUSY, "db_unavailable", NULL,
                       "lost the connection to PostgreSQL: %s", msg);
    }
    if (state != NULL && strcmp(state, "23505") == 0 && conflict != NULL)
        return hf_fail(err, HF_ECONFLICT, conflict, NULL, "it already exists");
    if (retryable_state(state))
        return hf_fail(err, HF_EBUSY, "busy", NULL,
                       "concurrent transactions collided: %s", msg);
    return hf_fail(err, HF_ESTORE, "store_error", NULL, "database error: %s",
                   msg);
}

/* Runs SQL text with no parameters on c. */
static hf_rc exec_text(pg_conn *c, const char *sql, hf_err *err)
{
    PGresult *res = PQexec(c->pg, sql);
    ExecStatusType st = PQresultStatus(res);
    hf_rc rc = (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK)
                   ? HF_OK
                   : fail_result(c, res, NULL, err);
    PQclear(res);
    return rc;
}

/* --- Connections --------------------------------------------------------- */

static void ignore_notice(void *arg, const char *message)
{
    (void)arg;
    (void)message;
}

static hf_rc conn_open(const char *url, pg_conn *c, hf_err *err)
{
    memset(c, 0, sizeof(*c));
    c->pg = PQconnectdb(url);
    if (PQstatus(c->pg) != CONNECTION_OK) {
        hf_fail(err, HF_ESTORE, "db_unavailable", NULL,
                "cannot connect to PostgreSQL: %s", PQerrorMessage(c->pg));
        PQfinish(c->pg);
        c->pg = NULL;
        return HF_ESTORE;
    }
    /* stay quiet on the client's stderr; errors come back in results */
    PQsetNoticeProcessor(c->pg, ignore_notice, NULL);
    return exec_text(c, "SET synchronous_commit = on", err);
}

static void conn_close(pg_conn *c)
{
    for (int i = 0; i < SQL_COUNT; i++)
        PQclear(c->stmts[i].res);
    PQfinish(c->pg);
    memset(c, 0, sizeof(*c));
}

/* Takes a connection from the pool, (re)connecting it when needed. */
static hf_rc acquire(pg_store *s, pg_conn **out, hf_err *err)
{
    int slot = -1;
    pthread_mutex_lock(&s->mu);
    while (slot < 0) {
        for (int i = 0; i < POOL_SIZE && slot < 0; i++)
            if (!s->busy[i])
                slot = i;
        if (slot < 0)
            pthread_cond_wait(&s->free_conn, &s->mu);
    }
    s->busy[slot] = true;
    pthread_mutex_unlock(&s->mu);
    pg_conn *c = &s->conns[slot];
    hf_rc rc = HF_OK;
    if (c->pg != NULL && (c->broken || PQstatus(c->pg) != CONNECTION_OK))
        conn_close(c);
    if (c->pg == NULL)
        rc = conn_open(s->url, c, err);
    if (rc != HF_OK) {
        pthread_mutex_lock(&s->mu);
        s->busy[slot] = false;
        pthread_cond_signal(&s->free_conn);
        pthread_mutex_unlock(&s->mu);
        return rc;
    }
    *out = c;
    return HF_OK;
}

static void release_conn(pg_store *s, pg_conn *c)
{
    pthread_mutex_lock(&s->mu);
    s->busy[c - s->conns] = false;
    pthread_cond_signal(&s->free_conn);
    pthread_mutex_unlock(&s->mu);
}

/* --- The SQL driver ------------------------------------------------------ */

/* The statement's text in PostgreSQL's dialect: ?N becomes $N. used[i]
 * (when not NULL) tells whether parameter i+1 appears in the text. */
static void pg_text(sql_id id, char *out, size_t size, int *n_params,
                    bool used[MAX_PARAMS])
{
    const char *src = dialect[id] ? dialect[id] : hf_sql_text[id];
    size_t n = 0;
    *n_params = 0;
    if (used != NULL)
        memset(used, 0, MAX_PARAMS * sizeof(bool));
    for (; *src && n + 1 < size; src++) {
        if (*src == '?' || *src == '$') {
            out[n++] = '$';
            int v = atoi(src + 1);
            if (v > *n_params)
                *n_params = v;
            if (used != NULL && v >= 1 && v <= MAX_PARAMS)
                used[v - 1] = true;
            continue;
        }
        out[n++] = *src;
    }
    out[n] = '\0';
}

static hf_stmt *drv_prepare(hf_txn *t, sql_id id, hf_err *err)
{
    pg_conn *c = ((pg_txn *)t)->conn;
    hf_stmt *st = &c->stmts[id];
    if (!c->prepared[id]) {
        char text[8192], name[16];
        int n_params;
        bool used[MAX_PARAMS];
        pg_text(id, text, sizeof(text), &n_params, used);
        snprintf(name, sizeof(name), "s%d", (int)id);
        /* the server infers each parameter's type from where it is used;
         * one a statement binds but does not use (the order UPDATE shares
         * the INSERT's numbering) is declared text */
        Oid types[MAX_PARAMS];
        for (int i = 0; i < n_params; i++)
            types[i] = used[i] ? 0 : TEXT_OID;
        PGresult *res = PQprepare(c->pg, name, text, n_params, types);
        hf_rc rc = PQresultStatus(res) == PGRES_COMMAND_OK
                       ? HF_OK
                       : fail_result(c, res, NULL, err);
        PQclear(res);
        if (rc != HF_OK)
            return NULL;
        c->prepared[id] = true;
        st->conn = c;
        st->id = id;
        st->n_params = n_params;
    }
    PQclear(st->res);
    st->res = NULL;
    st->row = -1;
    st->changed = 0;
    for (int i = 0; i < st->n_params; i++)
        st->values[i] = NULL;
    return st;
}

static void drv_bind_text(hf_stmt *st, int i, const char *s)
{
    if (i >= 1 && i <= MAX_PARAMS)
        st->values[i - 1] = s;
}

static void drv_bind_int(hf_stmt *st, int i, int64_t v)
{
    if (i < 1 || i > MAX_PARAMS)
        return;
    snprintf(st->ints[i - 1], INT_TEXT, "%lld", (long long)v);
    st->values[i - 1] = st->ints[i - 1];
}

static int drv_step(hf_stmt *st, const char *conflict, hf_err *err)
{
    if (st->res == NULL) {
        char name[16];
        snprintf(name, sizeof(name), "s%d", (int)st->id);
        st->res = PQexecPrepared(st->conn->pg, name, st->n_params, st->values,
                                 NULL, NULL, 0);
        ExecStatusType status = PQresultStatus(st->res);
        if (status == PGRES_COMMAND_OK) {
            st->changed = atoll(PQcmdTuples(st->res));
            return HF_STEP_DONE;
        }
        if (status != PGRES_TUPLES_OK) {
            fail_result(st->conn, st->res, conflict, err);
            return -1;
        }
        st->changed = atoll(PQcmdTuples(st->res));
    }
    st->row++;
    return st->row < PQntuples(st->res) ? HF_STEP_ROW : HF_STEP_DONE;
}

static const char *drv_column_text(hf_stmt *st, int col, size_t *len)
{
    if (PQgetisnull(st->res, st->row, col)) {
        *len = 0;
        return NULL;
    }
    *len = (size_t)PQgetlength(st->res, st->row, col);
    return PQgetvalue(st->res, st->row, col);
}

static int64_t drv_column_int(hf_stmt *st, int col)
{
    return atoll(PQgetvalue(st->res, st->row, col));
}

static int64_t drv_changes(hf_stmt *st)
{
    return st->changed;
}

static void drv_reset(hf_stmt *st)
{
    PQclear(st->res);
    st->res = NULL;
    st->row = -1;
}

static const hf_sql_driver pg_driver = {
    .prepare = drv_prepare,
    .bind_text = drv_bind_text,
    .bind_int = drv_bind_int,
    .step = drv_step,
    .column_text = drv_column_text,
    .column_int = drv_column_int,
    .changes = drv_changes,
    .reset = drv_reset,
};

/* --- Transactions -------------------------------------------------------- */

static hf_rc run_sql(pg_txn *t, sql_id id, hf_err *err)
{
    char text[128];
    int n;
    pg_text(id, text, sizeof(text), &n, NULL);
    return exec_text(t->conn, text, err);
}

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Waits before another attempt, and says whether one is still worth
 * making before the deadline. */
static bool pause_before_retry(int attempt, int64_t deadline)
{
    /* 1, 2, 4 ... 128 ms with jitter, so that colliding writers spread out
     * and a restarting database is not hammered */
    long ms = (1L << (attempt < 7 ? attempt : 7)) + rand() % 3;
    if (now_ms() + ms > deadline)
        return false;
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
    return true;
}

/* Tells the announcer that a commit added order events. */
static void announce_change(pg_store *s)
{
    pthread_mutex_lock(&s->mu);
    s->change_pending = true;
    pthread_cond_signal(&s->changed);
    pthread_mutex_unlock(&s->mu);
}

/* Sends one NOTIFY for however many commits happened since the last, so
 * that followers in every process wake; at most one every ANNOUNCE_MS. */
static void *announcer_main(void *arg)
{
    pg_store *s = arg;
    PGconn *pg = NULL;
    pthread_mutex_lock(&s->mu);
    while (!s->stopping) {
        while (!s->change_pending && !s->stopping)
            pthread_cond_wait(&s->changed, &s->mu);
        if (s->stopping)
            break;
        s->change_pending = false;
        pthread_mutex_unlock(&s->mu);
        if (pg == NULL || PQstatus(pg) != CONNECTION_OK) {
            PQfinish(pg);
            pg = PQconnectdb(s->url);
        }
        PGresult *res = PQexec(pg, "NOTIFY holdfast_events");
        if (PQresultStatus(res) != PGRES_COMMAND_OK)
            hf_log_warn("cannot notify followers: %s", PQerrorMessage(pg));
        PQclear(res);
        struct timespec pause = {0, ANNOUNCE_MS * 1000000L};
        nanosleep(&pause, NULL);
        pthread_mutex_lock(&s->mu);
    }
    pthread_mutex_unlock(&s->mu);
    PQfinish(pg);
    return NULL;
}

static hf_rc pg_write(hf_store *base, hf_txn_fn fn, void *arg, hf_err *err)
{
    pg_store *s = (pg_store *)base;
    int64_t deadline = now_ms() + RETRY_MS;
    hf_rc rc = HF_ESTORE;
    for (int attempt = 0;; attempt++) {
        if (attempt > 0 && !pause_before_retry(attempt, deadline))
            break;
        pg_conn *c;
        hf_err_clear(err);
        if ((rc = acquire(s, &c, err)) != HF_OK)
            continue; /* the database may be restarting */
        pg_txn t = {{&hf_postgres_ops, &pg_driver, false}, c};
        rc = run_sql(&t, SQL_BEGIN_IMMEDIATE, err);
        if (rc == HF_OK)
            rc = fn(&t.base, arg, err);
        if (rc != HF_OK) {
            hf_err ignored;
            if (!c->broken)
                exec_text(c, "ROLLBACK", &ignored);
            release_conn(s, c);
            /* a racing insert of the same unique key: run again, and the
             * function finds the other's row; a row changed by another
             * transaction after this one read it (writes run at READ
             * COMMITTED, so a version-guarded UPDATE then matches
             * nothing): run again on what is committed now */
            if (hf_store_lost_race(rc, err))
                continue;
            break;
        }
        PGresult *res = PQexec(c->pg, "COMMIT");
        bool committed = PQresultStatus(res) == PGRES_COMMAND_OK;
        if (!committed) {
            bool lost = PQstatus(c->pg) != CONNECTION_OK;
            rc = fail_result(c, res, NULL, err);
            if (lost)
                rc = hf_fail(err, HF_ESTORE, "commit_unknown", NULL,
                             "lost the connection to PostgreSQL during "
                             "COMMIT; retry with the same Idempotency-Key");
        }
        PQclear(res);
        release_conn(s, c);
        if (committed) {
            atomic_fetch_add(&s->commits, 1);
            atomic_fetch_add(&s->writes, 1);
            if (t.base.events_added)
                announce_change(s);
            return HF_OK;
        }
        if (rc != HF_EBUSY)
            break;
    }
    atomic_fetch_add(&s->write_fails, 1);
    return rc;
}

static hf_rc pg_read(hf_store *base, hf_txn_fn fn, void *arg, hf_err *err)
{
    pg_store *s = (pg_store *)base;
    int64_t deadline = now_ms() + RETRY_MS;
    hf_rc rc = HF_ESTORE;
    for (int attempt = 0;; attempt++) {
        if (attempt > 0 && !pause_before_retry(attempt, deadline))
            break;
        pg_conn *c;
        if ((rc = acquire(s, &c, err)) != HF_OK)
            continue;
        pg_txn t = {{&hf_postgres_ops, &pg_driver, false}, c};
        rc = run_sql(&t, SQL_BEGIN, err);
        if (rc == HF_OK) {
            rc = fn(&t.base, arg, err);
            hf_err ignored;
            if (!c->broken)
                exec_text(c, "COMMIT", &ignored);
        }
        bool lost = c->broken;
        release_conn(s, c);
        if (!(lost && rc == HF_EBUSY))
            break;
    }
    return rc;
}

static void *submitter_main(void *arg)
{
    pg_store *s = arg;
    pthread_mutex_lock(&s->mu);
    for (;;) {
        while (s->head == NULL && !s->stopping)
            pthread_cond_wait(&s->queued, &s->mu);
        if (s->head == NULL)
            break;
        pg_job *job = s->head;
        s->head = job->next;
        if (s->head == NULL)
            s->tail = NULL;
        pthread_mutex_unlock(&s->mu);
        hf_err err;
        hf_err_clear(&err);
        hf_rc rc = pg_write(&s->base, job->fn, job->arg, &err);
        job->done(job->arg, rc, &err);
        hf_free(job);
        pthread_mutex_lock(&s->mu);
    }
    pthread_mutex_unlock(&s->mu);
    return NULL;
}

static hf_rc pg_submit(hf_store *base, hf_txn_fn fn, void *arg,
                       hf_write_done done, hf_err *err)
{
    pg_store *s = (pg_store *)base;
    pg_job *job = hf_calloc(1, sizeof(*job));
    if (job == NULL)
        return hf_fail(err, HF_ENOMEM, NULL, NULL, "out of memory");
    *job = (pg_job){fn, arg, done, NULL};
    pthread_mutex_lock(&s->mu);
    if (s->stopping || s->n_submitters == 0) {
        pthread_mutex_unlock(&s->mu);
        hf_free(job);
        return hf_fail(err, HF_EBUSY, "shutting_down", NULL,
                       "the store is closing");
    }
    if (s->tail != NULL)
        s->tail->next = job;
    else
        s->head = job;
    s->tail = job;
    pthread_cond_signal(&s->queued);
    pthread_mutex_unlock(&s->mu);
    return HF_OK;
}

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* True when a notification was waiting; drains them all. */
static bool drain_notifies(PGconn *pg)
{
    bool any = false;
    PGnotify *n;
    PQconsumeInput(pg);
    while ((n = PQnotifies(pg)) != NULL) {
        any = true;
        PQfreemem(n);
    }
    return any;
}

static void pg_wait_change(hf_store *base, int timeout_ms)
{
    pg_store *s = (pg_store *)base;
    pthread_mutex_lock(&s->listen_mu);
    if (s->listener == NULL || PQstatus(s->listener) != CONNECTION_OK) {
        PQfinish(s->listener);
        s->listener = PQconnectdb(s->url);
        PGresult *res = PQstatus(s->listener) == CONNECTION_OK
                            ? PQexec(s->listener, "LISTEN holdfast_events")
                            : NULL;
        bool ok = res != NULL && PQresultStatus(res) == PGRES_COMMAND_OK;
        PQclear(res);
        if (!ok) {
            PQfinish(s->listener);
            s->listener = NULL;
            pthread_mutex_unlock(&s->listen_mu);
            sleep_ms(timeout_ms); /* the database is away: poll slowly */
            return;
        }
    }
    if (!drain_notifies(s->listener)) {
        struct pollfd p = {PQsocket(s->listener), POLLIN, 0};
        if (poll(&p, 1, timeout_ms) > 0)
            drain_notifies(s->listener);
    }
    pthread_mutex_unlock(&s->listen_mu);
}

static hf_rc pg_savepoint(hf_txn *t, hf_err *err)
{
    return exec_text(((pg_txn *)t)->conn, "SAVEPOINT nested", err);
}

static hf_rc pg_release(hf_txn *t, hf_err *err)
{
    return exec_text(((pg_txn *)t)->conn, "RELEASE SAVEPOINT nested", err);
}

static hf_rc pg_rollback_to(hf_txn *t, hf_err *err)
{
    hf_rc rc =
        exec_text(((pg_txn *)t)->conn, "ROLLBACK TO SAVEPOINT nested", err);
    return rc == HF_OK ? pg_release(t, err) : rc;
}

/* --- Schema -------------------------------------------------------------- */

/* What each migration needs beyond the portable DDL. */
static const char *const migration_extra[HF_SCHEMA_VERSION] = {
    /* 1: order numbers from a sequence, not a locked counter row */
    "CREATE SEQUENCE order_seq START 100001",
    /* 2: nothing beyond the portable DDL */
    NULL,
    /* 3: likewise */
    NULL,
};

/* The schema version, or 0 for an empty database; -1 on error. */
static int schema_version(pg_conn *c, hf_err *err)
{
    PGresult *res = PQexec(c->pg, "SELECT version FROM hf_schema");
    int v = -1;
    if (PQresultStatus(res) == PGRES_TUPLES_OK)
        v = PQntuples(res) > 0 ? atoi(PQgetvalue(res, 0, 0)) : 0;
    else if (sqlstate_is(res, "42P01"))
        v = 0; /* no hf_schema table yet */
    else
        fail_result(c, res, NULL, err);
    PQclear(res);
    return v;
}

static hf_rc check_version(pg_store *s, int v, hf_err *err)
{
    if (v > HF_SCHEMA_VERSION)
        return hf_fail(err, HF_ESTORE, "schema_too_new", NULL,
                       "the database has schema %d, newer than this holdfast "
                       "(%d): upgrade holdfast",
                       v, HF_SCHEMA_VERSION);
    if (v < HF_SCHEMA_VERSION)
        return hf_fail(err, HF_ESTORE, "schema_too_old", NULL,
                       "the database has schema %d, older than this "
                       "holdfast (%d): run `holdfast init --db URL`",
                       v, HF_SCHEMA_VERSION);
    (void)s;
    return HF_OK;
}

static hf_rc pg_check_schema(hf_store *base, hf_err *err)
{
    pg_store *s = (pg_store *)base;
    pg_conn *c;
    hf_rc rc = acquire(s, &c, err);
    if (rc != HF_OK)
        return rc;
    int v = schema_version(c, err);
    release_conn(s, c);
    return v < 0 ? HF_ESTORE : check_version(s, v, err);
}

typedef struct migrate_args {
    int from;
} migrate_args;

static hf_rc migrate_fn(hf_txn *t, void *arg, hf_err *err)
{
    pg_conn *c = ((pg_txn *)t)->conn;
    migrate_args *m = arg;
    char sql[96];
    /* one migrating process at a time; the others then see it done */
    snprintf(sql, sizeof(sql), "SELECT pg_advisory_xact_lock(%d)",
             ADVISORY_KEY);
    hf_rc rc = exec_text(c, sql, err);
    if (rc == HF_OK)
        rc = exec_text(c,
                       "CREATE TABLE IF NOT EXISTS hf_schema "
                       "(version INTEGER NOT NULL)",
                       err);
    if (rc != HF_OK)
        return rc;
    m->from = schema_version(c, err);
    if (m->from < 0)
        return HF_ESTORE;
    if (m->from > HF_SCHEMA_VERSION)
        return check_version(NULL, m->from, err);
    for (int v = m->from; v < HF_SCHEMA_VERSION; v++) {
        char ddl[16384];
        static const char *const subs[] = {
            "@AUTO_ID@", "BIGSERIAL PRIMARY KEY", "@SEQ_KEY@",
            "BIGINT PRIMARY KEY",
            /* no clustered tables: the key's index carries the value, for
             * index-only scans */
            "@CLUSTERED@", "", "@PK_INCLUDE_N@", " INCLUDE (n)", NULL};
        if (hf_sql_dialect(hf_sql_migrations[v], subs, ddl, sizeof(ddl)) != 0)
            return hf_fail(err, HF_ESTORE, "store_error", NULL,
                           "migration %d is too long", v + 1);
        if ((rc = exec_text(c, ddl, err)) != HF_OK)
            return rc;
        if (migration_extra[v] != NULL &&
            (rc = exec_text(c, migration_extra[v], err)) != HF_OK)
            return rc;
        snprintf(sql, sizeof(sql),
                 "DELETE FROM hf_schema; INSERT INTO hf_schema VALUES (%d)",
                 v + 1);
        if ((rc = exec_text(c, sql, err)) != HF_OK)
            return rc;
    }
    if (m->from == 0) {
        hf_location main_loc = {"main", "Main warehouse", 0};
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        return hf_txn_location_insert(
            t, &main_loc, (hf_time)ts.tv_sec * 1000 + ts.tv_nsec / 1000000,
            err);
    }
    return HF_OK;
}

static hf_rc pg_migrate(hf_store *base, hf_err *err)
{
    migrate_args m = {0};
    hf_rc rc = pg_write(base, migrate_fn, &m, err);
    if (rc == HF_OK && m.from < HF_SCHEMA_VERSION)
        hf_log_info("PostgreSQL database migrated from schema %d to %d", m.from,
                    HF_SCHEMA_VERSION);
    return rc;
}

/* --- Lifecycle ----------------------------------------------------------- */

static void pg_close(hf_store *base)
{
    pg_store *s = (pg_store *)base;
    pthread_mutex_lock(&s->mu);
    s->stopping = true;
    pthread_cond_broadcast(&s->queued);
    pthread_cond_broadcast(&s->changed);
    pthread_mutex_unlock(&s->mu);
    for (int i = 0; i < s->n_submitters; i++)
        pthread_join(s->submitters[i], NULL);
    if (s->announcer_started)
        pthread_join(s->announcer, NULL);
    for (int i = 0; i < POOL_SIZE; i++)
        if (s->conns[i].pg != NULL)
            conn_close(&s->conns[i]);
    pthread_mutex_destroy(&s->mu);
    pthread_cond_destroy(&s->free_conn);
    pthread_cond_destroy(&s->queued);
    PQfinish(s->listener);
    pthread_mutex_destroy(&s->listen_mu);
    pthread_cond_destroy(&s->changed);
    hf_free(s->url);
    hf_free(s);
}

static hf_rc pg_open(const char *url, hf_store **out, hf_err *err)
{
    pg_store *s = hf_calloc(1, sizeof(*s));
    if (s == NULL)
        return hf_fail(err, HF_ENOMEM, NULL, NULL, "out of memory");
    s->base.ops = &hf_postgres_ops;
    s->url = hf_strdup(url);
    pthread_mutex_init(&s->mu, NULL);
    pthread_cond_init(&s->free_conn, NULL);
    pthread_cond_init(&s->queued, NULL);
    pthread_mutex_init(&s->listen_mu, NULL);
    pthread_cond_init(&s->changed, NULL);
    if (s->url == NULL) {
        pg_close(&s->base);
        return hf_fail(err, HF_ENOMEM, NULL, NULL, "out of memory");
    }
    /* connect once now, so that a wrong URL or a database that is down is
     * reported at start-up, and refuse a schema newer than this binary */
    pg_conn *c;
    hf_rc rc = acquire(s, &c, err);
    if (rc == HF_OK) {
        int v = schema_version(c, err);
        release_conn(s, c);
        if (v < 0)
            rc = HF_ESTORE;
        else if (v > HF_SCHEMA_VERSION)
            rc = check_version(s, v, err);
    }
    if (rc == HF_OK &&
        pthread_create(&s->announcer, NULL, announcer_main, s) == 0)
        s->announcer_started = true;
    while (rc == HF_OK && s->n_submitters < POOL_SIZE &&
           pthread_create(&s->submitters[s->n_submitters], NULL, submitter_main,
                          s) == 0)
        s->n_submitters++;
    if (rc != HF_OK) {
        pg_close(&s->base);
        return rc;
    }
    *out = &s->base;
    return HF_OK;
}

static void pg_stats(hf_store *base, hf_store_stats *out)
{
    pg_store *s = (pg_store *)base;
    out->commits = atomic_load(&s->commits);
    out->writes = atomic_load(&s->writes);
    out->write_fails = atomic_load(&s->write_fails);
}

const hf_store_ops hf_postgres_ops = {
    .name = "postgresql",
    .open = pg_open,
    .close = pg_close,
    .migrate = pg_migrate,
    .check_schema = pg_check_schema,
    .write = pg_write,
    .submit = pg_submit,
    .read = pg_read,
    .stats = pg_stats,
    .wait_change = pg_wait_change,
    .savepoint = pg_savepoint,
    .release = pg_release,
    .rollback_to = pg_rollback_to,
};
