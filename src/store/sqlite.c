/*
 * sqlite.c - the SQLite backend: connections, schema migrations, and the
 * writer thread that gives concurrent writes one durable commit.
 *
 * Why a writer thread: SQLite lets one transaction write at a time, and a
 * durable commit costs one fsync (~140 us here). Handing every write to
 * one thread lets it run all writes that arrived meanwhile inside one
 * transaction, each in a savepoint of its own, and pay the fsync once for
 * the batch. No caller is answered before the batch's commit returns, so
 * an acknowledged write survives power loss (synchronous=FULL).
 *
 * Reads run on a pool of read-only connections; WAL lets them proceed
 * while the writer commits.
 */
#include "store/store_int.h"
#include "util/log.h"
#include "util/mem.h"

#include <pthread.h>
#include <sqlite3.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

enum {
    MAX_BATCH = 512,           /* writes committed together at most */
    READERS = 16,              /* read connections in the pool */
    BUSY_MS = 10000,           /* wait for another process's lock this long */
    CACHE_KIB = 65536,         /* page cache per connection */
    CHECKPOINT_MS = 100,       /* the checkpointer looks this often */
    CHECKPOINT_FRAMES = 1024,  /* new WAL pages (4 MiB) that call for one */
    CHECKPOINT_IDLE_MS = 2000, /* ... or fewer, once this long unchanged */
    RESTART_FRAMES = 4096, /* WAL pages (16 MiB) before the WAL starts over */
};

typedef struct sqlite_conn {
    sqlite3 *db;
    sqlite3_stmt *stmts[SQL_COUNT]; /* prepared on first use */
} sqlite_conn;

typedef struct sqlite_txn {
    hf_txn base;
    sqlite_conn *conn;
} sqlite_txn;

static const hf_sql_driver sqlite_driver;
static hf_rc hf_sqlite_check_schema(hf_store *base, hf_err *err);
static void hf_sqlite_close(hf_store *base);

/* One write waiting for the writer thread. Lives on the caller's stack. */
typedef struct write_job {
    hf_txn_fn fn;
    void *arg;
    hf_rc rc;
    hf_err err;
    bool done;
    pthread_cond_t wake;   /* signalled when done: one waiter per job */
    hf_write_done on_done; /* set for hf_store_submit: called, then freed */
    struct write_job *next;
} write_job;

typedef struct sqlite_store {
    hf_store base;
    char *path;
    sqlite_conn writer;
    pthread_t writer_thread;
    bool writer_started;
    pthread_mutex_t mu;  /* guards the queue and the reader pool */
    pthread_cond_t work; /* the queue is not empty, or stopping */
    write_job *head, *tail;
    bool stopping;
    sqlite_conn readers[READERS];
    bool reader_busy[READERS];
    pthread_cond_t reader_free;
    atomic_ulong commits, writes, write_fails;
    atomic_int wal_frames;  /* pages in the WAL after the last commit */
    pthread_cond_t changed; /* broadcast after a commit with order events */
    uint64_t change_count;  /* such commits so far (under mu) */
    /* checkpoints run here, off the writer thread, on their own connection */
    pthread_t checkpointer;
    bool checkpointer_started;
    pthread_cond_t tick; /* wakes the checkpointer early to stop */
} sqlite_store;

/* --- Connections --------------------------------------------------------- */

static hf_rc conn_open(const char *path, bool readonly, sqlite_conn *c,
                       hf_err *err)
{
    memset(c, 0, sizeof(*c));
    int flags = SQLITE_OPEN_NOMUTEX |
                (readonly ? SQLITE_OPEN_READONLY
                          : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
    int rc = sqlite3_open_v2(path, &c->db, flags, NULL);
    if (rc != SQLITE_OK) {
        hf_fail(err, HF_ESTORE, "db_unavailable", NULL,
                "cannot open database %s: %s", path,
                c->db ? sqlite3_errmsg(c->db) : sqlite3_errstr(rc));
        sqlite3_close(c->db);
        c->db = NULL;
        return HF_ESTORE;
    }
    sqlite3_busy_timeout(c->db, BUSY_MS);
    char pragmas[256];
    snprintf(pragmas, sizeof(pragmas),
             "PRAGMA foreign_keys=ON; PRAGMA cache_size=-%d; "
             "PRAGMA temp_store=MEMORY;%s",
             CACHE_KIB,
             readonly ? ""
                      : " PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
                        " PRAGMA wal_autocheckpoint=0;"
                        " PRAGMA journal_size_limit=67108864;");
    char *msg = NULL;
    if (sqlite3_exec(c->db, pragmas, NULL, NULL, &msg) != SQLITE_OK) {
        hf_fail(err, HF_ESTORE, "db_unavailable", NULL,
                "cannot set up database %s: %s", path, msg ? msg : "?");
        sqlite3_free(msg);
        sqlite3_close(c->db);
        c->db = NULL;
        return HF_ESTORE;
    }
    return HF_OK;
}

static void conn_close(sqlite_conn *c)
{
    for (int i = 0; i < SQL_COUNT; i++)
        sqlite3_finalize(c->stmts[i]);
    sqlite3_close(c->db);
    memset(c, 0, sizeof(*c));
}

/* The statement id on t's connection, reset and ready to bind. */
static sqlite3_stmt *stmt_get(sqlite_txn *t, sql_id id, hf_err *err)
{
    sqlite_conn *c = t->conn;
    if (c->stmts[id] == NULL) {
        int rc =
            sqlite3_prepare_v3(c->db, hf_sql_text[id], -1,
                               SQLITE_PREPARE_PERSISTENT, &c->stmts[id], NULL);
        if (rc != SQLITE_OK) {
            hf_fail(err, HF_ESTORE, "store_error", NULL,
                    "cannot prepare statement %d: %s", (int)id,
                    sqlite3_errmsg(c->db));
            return NULL;
        }
        return c->stmts[id];
    }
    sqlite3_reset(c->stmts[id]);
    sqlite3_clear_bindings(c->stmts[id]);
    return c->stmts[id];
}

/* Maps a failed step's result to an hf_rc, filling err. A uniqueness
 * violation becomes HF_ECONFLICT with conflict_code. */
static hf_rc fail_rc(sqlite3 *db, int rc, const char *conflict_code,
                     hf_err *err)
{
    int ext = sqlite3_extended_errcode(db);
    if (conflict_code != NULL && (ext == SQLITE_CONSTRAINT_UNIQUE ||
                                  ext == SQLITE_CONSTRAINT_PRIMARYKEY))
        return hf_fail(err, HF_ECONFLICT, conflict_code, NULL, "%s",
                       "it already exists");
    if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
        return hf_fail(err, HF_EBUSY, "busy", NULL, "the database is busy: %s",
                       sqlite3_errmsg(db));
    return hf_fail(err, HF_ESTORE, "store_error", NULL, "database error: %s",
                   sqlite3_errmsg(db));
}

/* Runs SQL text that returns no rows (the migrations). */
static hf_rc exec_text(sqlite_txn *t, const char *sql, hf_err *err)
{
    char *msg = NULL;
    int rc = sqlite3_exec(t->conn->db, sql, NULL, NULL, &msg);
    if (rc == SQLITE_OK)
        return HF_OK;
    hf_fail(err, rc == SQLITE_BUSY ? HF_EBUSY : HF_ESTORE, "store_error", NULL,
            "database error: %s", msg ? msg : sqlite3_errstr(rc));
    sqlite3_free(msg);
    return err ? err->rc : HF_ESTORE;
}

/* Runs a prepared statement that returns no rows (BEGIN, SAVEPOINT...). */
static hf_rc run(sqlite_txn *t, sql_id id, hf_err *err)
{
    sqlite3_stmt *st = stmt_get(t, id, err);
    if (st == NULL)
        return HF_ESTORE;
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc == SQLITE_DONE)
        return HF_OK;
    return fail_rc(t->conn->db, rc, NULL, err);
}

/* --- The writer thread --------------------------------------------------- */

/* Runs one batch of jobs in one transaction and marks them done. */
static void run_batch(sqlite_store *s, write_job *batch)
{
    sqlite_txn txn = {{s->base.ops, &sqlite_driver, false}, &s->writer};
    hf_err err;
    hf_rc begin = run(&txn, SQL_BEGIN_IMMEDIATE, &err);
    int ok = 0;
    for (write_job *j = batch; j != NULL; j = j->next) {
        if (begin != HF_OK) {
            j->rc = begin;
            j->err = err;
            continue;
        }
        hf_rc rc = run(&txn, SQL_SAVEPOINT_JOB, &j->err);
        if (rc == HF_OK)
            rc = j->fn(&txn.base, j->arg, &j->err);
        if (rc != HF_OK) {
            hf_err ignored;
            run(&txn, SQL_ROLLBACK_TO_JOB, &ignored);
        }
        run(&txn, SQL_RELEASE_JOB, &j->err);
        j->rc = rc;
        ok += rc == HF_OK;
    }
    if (begin == HF_OK && run(&txn, SQL_COMMIT, &err) != HF_OK) {
        hf_log_error("commit failed, %d writes lost: %s", ok, err.message);
        hf_err ignored;
        run(&txn, SQL_ROLLBACK, &ignored);
        for (write_job *j = batch; j != NULL; j = j->next) {
            if (j->rc == HF_OK) {
                j->rc = err.rc;
                j->err = err;
            }
        }
        ok = 0;
    }
    int n = 0;
    for (write_job *j = batch; j != NULL; j = j->next)
        n++;
    if (ok > 0 && txn.base.events_added) {
        pthread_mutex_lock(&s->mu);
        s->change_count++;
        pthread_cond_broadcast(&s->changed);
        pthread_mutex_unlock(&s->mu);
    }
    /* a batch whose every job rolled back (the notifier finding nothing to
     * claim) wrote nothing: no durable commit to count */
    if (begin == HF_OK && ok > 0)
        atomic_fetch_add(&s->commits, 1);
    atomic_fetch_add(&s->writes, (unsigned long)ok);
    atomic_fetch_add(&s->write_fails, (unsigned long)(n - ok));
}

/* sqlite3_wal_hook: remembers how long the WAL is after each commit. */
static int on_wal_commit(void *arg, sqlite3 *db, const char *name, int frames)
{
    (void)db;
    (void)name;
    atomic_store(&((sqlite_store *)arg)->wal_frames, frames);
    return SQLITE_OK;
}

/* Starts the WAL over once it is long (see checkpointer_main). */
static void restart_wal_if_long(sqlite_store *s)
{
    if (atomic_load(&s->wal_frames) < RESTART_FRAMES)
        return;
    int rc = sqlite3_wal_checkpoint_v2(s->writer.db, NULL,
                                       SQLITE_CHECKPOINT_RESTART, NULL, NULL);
    if (rc == SQLITE_OK)
        atomic_store(&s->wal_frames, 0);
    else if (rc != SQLITE_BUSY)
        hf_log_warn("checkpoint failed: %s", sqlite3_errmsg(s->writer.db));
}

static void *writer_main(void *arg)
{
    sqlite_store *s = arg;
    pthread_mutex_lock(&s->mu);
    for (;;) {
        while (s->head == NULL && !s->stopping)
            pthread_cond_wait(&s->work, &s->mu);
        if (s->head == NULL && s->stopping)
            break;
        /* take up to MAX_BATCH jobs off the queue */
        write_job *batch = s->head, *last = s->head;
        for (int n = 1; n < MAX_BATCH && last->next != NULL; n++)
            last = last->next;
        s->head = last->next;
        if (s->head == NULL)
            s->tail = NULL;
        last->next = NULL;
        pthread_mutex_unlock(&s->mu);

        run_batch(s, batch);

        pthread_mutex_lock(&s->mu);
        write_job *submitted = NULL;
        for (write_job *j = batch; j != NULL;) {
            write_job *next = j->next; /* j may vanish once done is seen */
            if (j->on_done != NULL) {
                j->next = submitted;
                submitted = j;
            } else {
                j->done = true;
                pthread_cond_signal(&j->wake);
            }
            j = next;
        }
        pthread_mutex_unlock(&s->mu);
        while (submitted != NULL) {
            write_job *next = submitted->next;
            submitted->on_done(submitted->arg, submitted->rc, &submitted->err);
            hf_free(submitted);
            submitted = next;
        }
        /* between batches, with the callers already answered */
        restart_wal_if_long(s);
        pthread_mutex_lock(&s->mu);
    }
    pthread_mutex_unlock(&s->mu);
    return NULL;
}

static hf_rc hf_sqlite_write(hf_store *base, hf_txn_fn fn, void *arg,
                             hf_err *err)
{
    sqlite_store *s = (sqlite_store *)base;
    write_job job = {fn,   arg, HF_OK, {0}, false, PTHREAD_COND_INITIALIZER,
                     NULL, NULL};
    pthread_mutex_lock(&s->mu);
    if (s->stopping) {
        pthread_mutex_unlock(&s->mu);
        return hf_fail(err, HF_EBUSY, "shutting_down", NULL,
                       "the store is closing");
    }
    if (s->tail != NULL)
        s->tail->next = &job;
    else
        s->head = &job;
    s->tail = &job;
    pthread_cond_signal(&s->work);
    while (!job.done)
        pthread_cond_wait(&job.wake, &s->mu);
    pthread_mutex_unlock(&s->mu);
    pthread_cond_destroy(&job.wake);
    if (job.rc != HF_OK && err != NULL)
        *err = job.err;
    return job.rc;
}

static hf_rc hf_sqlite_submit(hf_store *base, hf_txn_fn fn, void *arg,
                              hf_write_done done, hf_err *err)
{
    sqlite_store *s = (sqlite_store *)base;
    write_job *job = hf_calloc(1, sizeof(*job));
    if (job == NULL)
        return hf_fail(err, HF_ENOMEM, NULL, NULL, "out of memory");
    job->fn = fn;
    job->arg = arg;
    job->on_done = done;
    pthread_mutex_lock(&s->mu);
    if (s->stopping) {
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
    pthread_cond_signal(&s->work);
    pthread_mutex_unlock(&s->mu);
    return HF_OK;
}

static void hf_sqlite_wait_change(hf_store *base, int timeout_ms)
{
    sqlite_store *s = (sqlite_store *)base;
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += timeout_ms / 1000;
    until.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
    until.tv_sec += until.tv_nsec / 1000000000L;
    until.tv_nsec %= 1000000000L;
    pthread_mutex_lock(&s->mu);
    uint64_t seen = s->change_count;
    while (s->change_count == seen && !s->stopping)
        if (pthread_cond_timedwait(&s->changed, &s->mu, &until) != 0)
            break;
    pthread_mutex_unlock(&s->mu);
}

/* --- Checkpoints --------------------------------------------------------- */

/* Copies committed pages from the WAL into the database file once
 * CHECKPOINT_FRAMES pages have been committed since the last copy, or
 * sooner when writes have paused for CHECKPOINT_IDLE_MS. Not on a fixed
 * beat: a checkpoint syncs the WAL and the database file, and a commit
 * whose own sync meets those waits for them, so copying every 100 ms put
 * a checkpoint's syncs beside about one commit in a hundred (the p99 of a
 * chat message over HTTP); and after a copy that catches up, the next
 * commit starts the WAL over and syncs its header too, one sync more.
 * The writer's own automatic checkpoint is off: run inside COMMIT it
 * would stall every write waiting on that batch. A passive checkpoint
 * here never blocks the writer or the readers, but under steady load it
 * never catches the last commit, and a WAL that is never wholly copied
 * back is never reused: it would grow without bound. So the writer
 * itself, between two batches, runs a RESTART checkpoint once the WAL
 * passes RESTART_FRAMES (restart_wal_if_long): it copies only what was
 * committed since the last passive pass, and the next commit starts the
 * WAL over. (A RESTART from this thread would have to win the write lock
 * from a writer that takes it back after every batch.) */
static bool checkpoint_due(int frames, int *copied, int *unchanged_ms,
                           int *last_seen)
{
    if (frames < *copied) /* the WAL started over */
        *copied = 0;
    *unchanged_ms = frames == *last_seen ? *unchanged_ms + CHECKPOINT_MS : 0;
    *last_seen = frames;
    return frames - *copied >= CHECKPOINT_FRAMES ||
           (frames > *copied && *unchanged_ms >= CHECKPOINT_IDLE_MS);
}

static void *checkpointer_main(void *arg)
{
    sqlite_store *s = arg;
    sqlite_conn c;
    hf_err err;
    if (conn_open(s->path, false, &c, &err) != HF_OK) {
        hf_log_error("checkpoints disabled: %s", err.message);
        return NULL;
    }
    int copied = 0, unchanged_ms = 0, last_seen = 0;
    pthread_mutex_lock(&s->mu);
    while (!s->stopping) {
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_nsec += CHECKPOINT_MS * 1000000L;
        until.tv_sec += until.tv_nsec / 1000000000L;
        until.tv_nsec %= 1000000000L;
        pthread_cond_timedwait(&s->tick, &s->mu, &until);
        if (s->stopping)
            break;
        int frames = atomic_load(&s->wal_frames);
        if (!checkpoint_due(frames, &copied, &unchanged_ms, &last_seen))
            continue;
        pthread_mutex_unlock(&s->mu);
        int rc = sqlite3_wal_checkpoint_v2(
            c.db, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
        if (rc == SQLITE_OK)
            copied = frames;
        else if (rc != SQLITE_BUSY)
            hf_log_warn("checkpoint failed: %s", sqlite3_errmsg(c.db));
        pthread_mutex_lock(&s->mu);
    }
    pthread_mutex_unlock(&s->mu);
    conn_close(&c);
    return NULL;
}

/* --- Reads --------------------------------------------------------------- */

static hf_rc hf_sqlite_read(hf_store *base, hf_txn_fn fn, void *arg,
                            hf_err *err)
{
    sqlite_store *s = (sqlite_store *)base;
    int slot = -1;
    pthread_mutex_lock(&s->mu);
    while (slot < 0) {
        for (int i = 0; i < READERS; i++) {
            if (!s->reader_busy[i]) {
                slot = i;
                break;
            }
        }
        if (slot < 0)
            pthread_cond_wait(&s->reader_free, &s->mu);
    }
    s->reader_busy[slot] = true;
    pthread_mutex_unlock(&s->mu);

    hf_rc rc = HF_OK;
    sqlite_conn *c = &s->readers[slot];
    if (c->db == NULL)
        rc = conn_open(s->path, true, c, err);
    if (rc == HF_OK) {
        sqlite_txn txn = {{s->base.ops, &sqlite_driver, false}, c};
        rc = run(&txn, SQL_BEGIN, err);
        if (rc == HF_OK) {
            rc = fn(&txn.base, arg, err);
            hf_err ignored;
            run(&txn, SQL_COMMIT, &ignored);
        }
    }

    pthread_mutex_lock(&s->mu);
    s->reader_busy[slot] = false;
    pthread_cond_signal(&s->reader_free);
    pthread_mutex_unlock(&s->mu);
    return rc;
}

/* --- Savepoints for services --------------------------------------------- */

static hf_rc hf_sqlite_savepoint(hf_txn *t, hf_err *err)
{
    return run((sqlite_txn *)t, SQL_SAVEPOINT_NESTED, err);
}

static hf_rc hf_sqlite_release(hf_txn *t, hf_err *err)
{
    return run((sqlite_txn *)t, SQL_RELEASE_NESTED, err);
}

static hf_rc hf_sqlite_rollback_to(hf_txn *t, hf_err *err)
{
    /* ROLLBACK TO keeps the savepoint open; release it too */
    hf_rc rc = run((sqlite_txn *)t, SQL_ROLLBACK_TO_NESTED, err);
    if (rc == HF_OK)
        rc = hf_sqlite_release(t, err);
    return rc;
}

/* --- Schema -------------------------------------------------------------- */

static int schema_version(sqlite3 *db)
{
    sqlite3_stmt *st = NULL;
    int version = 0;
    if (sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL) ==
            SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
        version = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    return version;
}

typedef struct migrate_args {
    int from;
    hf_time now;
} migrate_args;

static hf_rc migrate_fn(hf_txn *t, void *arg, hf_err *err)
{
    sqlite_txn *st = (sqlite_txn *)t;
    migrate_args *m = arg;
    /* read again inside the write lock: another process may have migrated */
    m->from = schema_version(st->conn->db);
    for (int v = m->from; v < HF_SCHEMA_VERSION; v++) {
        char ddl[16384];
        static const char *const subs[] = {
            "@AUTO_ID@", "INTEGER PRIMARY KEY", /* the rowid */
            "@SEQ_KEY@", "INTEGER PRIMARY KEY",
            /* a table stored in its primary key's order, so a range of
             * keys is read without a lookup per row */
            "@CLUSTERED@", " WITHOUT ROWID", "@PK_INCLUDE_N@", "", NULL};
        if (hf_sql_dialect(hf_sql_migrations[v], subs, ddl, sizeof(ddl)) != 0)
            return hf_fail(err, HF_ESTORE, "store_error", NULL,
                           "migration %d is too long", v + 1);
        hf_rc rc = exec_text(st, ddl, err);
        if (rc != HF_OK)
            return rc;
        char set[64];
        snprintf(set, sizeof(set), "PRAGMA user_version=%d", v + 1);
        if ((rc = exec_text(st, set, err)) != HF_OK)
            return rc;
    }
    if (m->from == 0) {
        hf_location main_loc = {"main", "Main warehouse", 0};
        return hf_txn_location_insert(t, &main_loc, m->now, err);
    }
    return HF_OK;
}

static hf_rc hf_sqlite_migrate(hf_store *base, hf_err *err)
{
    sqlite_store *s = (sqlite_store *)base;
    if (schema_version(s->writer.db) > HF_SCHEMA_VERSION)
        return hf_sqlite_check_schema(base, err);
    migrate_args m = {0, 0};
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    m.now = (hf_time)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
    hf_rc rc = hf_sqlite_write(base, migrate_fn, &m, err);
    if (rc == HF_OK && m.from < HF_SCHEMA_VERSION)
        hf_log_info("database %s migrated from schema %d to %d", s->path,
                    m.from, HF_SCHEMA_VERSION);
    return rc;
}

static hf_rc hf_sqlite_check_schema(hf_store *base, hf_err *err)
{
    sqlite_store *s = (sqlite_store *)base;
    int v = schema_version(s->writer.db);
    if (v > HF_SCHEMA_VERSION)
        return hf_fail(err, HF_ESTORE, "schema_too_new", NULL,
                       "database %s has schema %d, newer than this holdfast "
                       "(%d): upgrade holdfast",
                       s->path, v, HF_SCHEMA_VERSION);
    if (v < HF_SCHEMA_VERSION)
        return hf_fail(err, HF_ESTORE, "schema_too_old", NULL,
                       "database %s has schema %d, older than this holdfast "
                       "(%d): run `holdfast init --db %s`",
                       s->path, v, HF_SCHEMA_VERSION, s->path);
    return HF_OK;
}

/* --- Lifecycle ----------------------------------------------------------- */

/* Process-wide SQLite settings, made once before the first connection. */
static void configure_sqlite(void)
{
    /* memory statistics take a global mutex on every allocation */
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

static hf_rc hf_sqlite_open(const char *path, hf_store **out, hf_err *err)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, configure_sqlite);
    sqlite_store *s = hf_calloc(1, sizeof(*s));
    if (s == NULL)
        return hf_fail(err, HF_ENOMEM, NULL, NULL, "out of memory");
    s->base.ops = &hf_sqlite_ops;
    s->path = hf_strdup(path);
    pthread_mutex_init(&s->mu, NULL);
    pthread_cond_init(&s->work, NULL);
    pthread_cond_init(&s->reader_free, NULL);
    pthread_cond_init(&s->tick, NULL);
    pthread_cond_init(&s->changed, NULL);
    hf_rc rc = s->path ? conn_open(path, false, &s->writer, err)
                       : hf_fail(err, HF_ENOMEM, NULL, NULL, "out of memory");
    if (rc == HF_OK)
        sqlite3_wal_hook(s->writer.db, on_wal_commit, s);
    if (rc == HF_OK && schema_version(s->writer.db) > HF_SCHEMA_VERSION)
        rc = hf_sqlite_check_schema(&s->base, err);
    if (rc == HF_OK) {
        if (pthread_create(&s->writer_thread, NULL, writer_main, s) != 0)
            rc = hf_fail(err, HF_ENOMEM, NULL, NULL,
                         "cannot start the writer thread");
        else
            s->writer_started = true;
    }
    if (rc == HF_OK &&
        pthread_create(&s->checkpointer, NULL, checkpointer_main, s) == 0)
        s->checkpointer_started = true;
    if (rc != HF_OK) {
        hf_sqlite_close(&s->base);
        return rc;
    }
    *out = &s->base;
    return HF_OK;
}

static void hf_sqlite_close(hf_store *base)
{
    sqlite_store *s = (sqlite_store *)base;
    if (s->writer_started) {
        pthread_mutex_lock(&s->mu);
        s->stopping = true;
        pthread_cond_signal(&s->work);
        pthread_cond_broadcast(&s->changed);
        pthread_mutex_unlock(&s->mu);
        pthread_join(s->writer_thread, NULL);
    }
    if (s->checkpointer_started) {
        pthread_mutex_lock(&s->mu);
        pthread_cond_signal(&s->tick);
        pthread_mutex_unlock(&s->mu);
        pthread_join(s->checkpointer, NULL);
    }
    for (int i = 0; i < READERS; i++)
        if (s->readers[i].db != NULL)
            conn_close(&s->readers[i]);
    if (s->writer.db != NULL)
        conn_close(&s->writer);
    pthread_mutex_destroy(&s->mu);
    pthread_cond_destroy(&s->work);
    pthread_cond_destroy(&s->reader_free);
    pthread_cond_destroy(&s->tick);
    pthread_cond_destroy(&s->changed);
    hf_free(s->path);
    hf_free(s);
}

static void hf_sqlite_stats(hf_store *base, hf_store_stats *out)
{
    sqlite_store *s = (sqlite_store *)base;
    out->commits = atomic_load(&s->commits);
    out->writes = atomic_load(&s->writes);
    out->write_fails = atomic_load(&s->write_fails);
}

/* --- The SQL driver ------------------------------------------------------ */

static hf_stmt *drv_prepare(hf_txn *t, sql_id id, hf_err *err)
{
    return (hf_stmt *)stmt_get((sqlite_txn *)t, id, err);
}

static void drv_bind_text(hf_stmt *st, int i, const char *s)
{
    if (s != NULL)
        sqlite3_bind_text((sqlite3_stmt *)st, i, s, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null((sqlite3_stmt *)st, i);
}

static void drv_bind_int(hf_stmt *st, int i, int64_t v)
{
    sqlite3_bind_int64((sqlite3_stmt *)st, i, v);
}

static int drv_step(hf_stmt *st, const char *conflict, hf_err *err)
{
    sqlite3_stmt *s = (sqlite3_stmt *)st;
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW)
        return HF_STEP_ROW;
    if (rc == SQLITE_DONE)
        return HF_STEP_DONE;
    fail_rc(sqlite3_db_handle(s), rc, conflict, err);
    return -1;
}

static const char *drv_column_text(hf_stmt *st, int col, size_t *len)
{
    sqlite3_stmt *s = (sqlite3_stmt *)st;
    const unsigned char *text = sqlite3_column_text(s, col);
    *len = text ? (size_t)sqlite3_column_bytes(s, col) : 0;
    return (const char *)text;
}

static int64_t drv_column_int(hf_stmt *st, int col)
{
    return sqlite3_column_int64((sqlite3_stmt *)st, col);
}

static int64_t drv_changes(hf_stmt *st)
{
    return sqlite3_changes(sqlite3_db_handle((sqlite3_stmt *)st));
}

static void drv_reset(hf_stmt *st)
{
    sqlite3_reset((sqlite3_stmt *)st);
}

static const hf_sql_driver sqlite_driver = {
    .prepare = drv_prepare,
    .bind_text = drv_bind_text,
    .bind_int = drv_bind_int,
    .step = drv_step,
    .column_text = drv_column_text,
    .column_int = drv_column_int,
    .changes = drv_changes,
    .reset = drv_reset,
};

const hf_store_ops hf_sqlite_ops = {
    .name = "sqlite",
    .open = hf_sqlite_open,
    .close = hf_sqlite_close,
    .migrate = hf_sqlite_migrate,
    .check_schema = hf_sqlite_check_schema,
    .write = hf_sqlite_write,
    .submit = hf_sqlite_submit,
    .read = hf_sqlite_read,
    .stats = hf_sqlite_stats,
    .wait_change = hf_sqlite_wait_change,
    .savepoint = hf_sqlite_savepoint,
    .release = hf_sqlite_release,
    .rollback_to = hf_sqlite_rollback_to,
};
