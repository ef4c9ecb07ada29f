/*
 * test_cli.c - the holdfast command as an operator meets it: --help on
 * every subcommand, clear failures for a wrong option, an unreachable
 * database or a schema newer than the binary, and settings from the
 * environment and from an INI file.
 */
#include "harness.h"

#include <libpq-fe.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

static hf_test_server *ts;

static int setup(void **state)
{
    (void)state;
    ts = ts_start();
    return ts ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    ts_free(ts);
    return 0;
}

/* Runs `holdfast ARGS` through the shell; returns its exit status and its
 * standard output and error together in out. */
static int holdfast(char *out, size_t size, const char *fmt, ...)
{
    char args[2048], cmd[PATH_MAX + 2200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(args, sizeof args, fmt, ap);
    va_end(ap);
    snprintf(cmd, sizeof cmd, "'%s' %s 2>&1", ts->bin, args);
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    size_t n = fread(out, 1, size - 1, p);
    out[n] = '\0';
    int st = pclose(p);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static bool on_postgres(void)
{
    return strncmp(ts->db, "postgresql://", 13) == 0;
}

static void test_help_and_usage_errors(void **state)
{
    (void)state;
    char out[8192];
    assert_int_equal(holdfast(out, sizeof out, "--help"), 0);
    for (const char *c = "demo init keys serve version"; *c;) {
        char name[16];
        int n = 0;
        while (*c && *c != ' ')
            name[n++] = *c++;
        name[n] = '\0';
        while (*c == ' ')
            c++;
        assert_non_null(strstr(out, name));
        char sub[8192];
        assert_int_equal(holdfast(sub, sizeof sub, "%s --help", name), 0);
        assert_non_null(strstr(sub, name));
    }
    assert_int_equal(holdfast(out, sizeof out, "version"), 0);
    assert_non_null(strstr(out, "holdfast "));
    assert_int_equal(holdfast(out, sizeof out, "frobnicate"), 2);
    assert_non_null(strstr(out, "unknown command frobnicate"));
    assert_int_equal(holdfast(out, sizeof out, "serve --bogus 1"), 2);
    assert_non_null(strstr(out, "unknown option --bogus"));
    assert_int_equal(holdfast(out, sizeof out,
                              "keys create --role king "
                              "--db '%s'",
                              ts->db),
                     2);
    assert_non_null(strstr(out, "--role must be"));
}

static void test_unreachable_database(void **state)
{
    (void)state;
    char out[8192];
    int rc = holdfast(out, sizeof out,
                      "init --db 'postgresql:///nowhere?host=/nonexistent"
                      "&port=1&connect_timeout=2'");
    assert_int_equal(rc, 1);
    assert_non_null(strstr(out, "cannot connect to PostgreSQL"));
    rc = holdfast(out, sizeof out, "serve --db /nonexistent/dir/x.db");
    assert_int_equal(rc, 1);
    assert_non_null(strstr(out, "cannot open database"));
}

/* The schema version the database claims. */
static int get_schema_version(void)
{
    int v = -1;
    if (on_postgres()) {
        PGconn *pg = PQconnectdb(ts->db);
        assert_int_equal(PQstatus(pg), CONNECTION_OK);
        PGresult *res = PQexec(pg, "SELECT version FROM hf_schema");
        assert_int_equal(PQresultStatus(res), PGRES_TUPLES_OK);
        v = atoi(PQgetvalue(res, 0, 0));
        PQclear(res);
        PQfinish(pg);
    } else {
        sqlite3 *db;
        sqlite3_stmt *st;
        assert_int_equal(sqlite3_open(ts->db, &db), SQLITE_OK);
        assert_int_equal(
            sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL),
            SQLITE_OK);
        assert_int_equal(sqlite3_step(st), SQLITE_ROW);
        v = sqlite3_column_int(st, 0);
        sqlite3_finalize(st);
        sqlite3_close(db);
    }
    return v;
}

/* Makes the database claim schema version v. */
static void set_schema_version(int v)
{
    char sql[128];
    if (on_postgres()) {
        PGconn *pg = PQconnectdb(ts->db);
        assert_int_equal(PQstatus(pg), CONNECTION_OK);
        snprintf(sql, sizeof sql, "UPDATE hf_schema SET version = %d", v);
        PGresult *res = PQexec(pg, sql);
        assert_int_equal(PQresultStatus(res), PGRES_COMMAND_OK);
        PQclear(res);
        PQfinish(pg);
    } else {
        sqlite3 *db;
        assert_int_equal(sqlite3_open(ts->db, &db), SQLITE_OK);
        snprintf(sql, sizeof sql, "PRAGMA user_version = %d", v);
        assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
        sqlite3_close(db);
    }
}

static void test_schema_newer_than_binary(void **state)
{
    (void)state;
    char out[8192];
    int current = get_schema_version();
    assert_true(current >= 1);
    set_schema_version(99);
    int rc = holdfast(out, sizeof out,
                      "serve --db '%s' --listen "
                      "127.0.0.1:1",
                      ts->db);
    set_schema_version(current);
    assert_int_equal(rc, 1);
    assert_non_null(strstr(out, "newer than this holdfast"));
}

static void test_settings_from_env_and_file(void **state)
{
    (void)state;
    char out[8192];
    /* HOLDFAST_DB names the database when --db is absent */
    char cmd[2048];
    snprintf(cmd, sizeof cmd, "keys create --role agent");
    setenv("HOLDFAST_DB", ts->db, 1);
    int rc = holdfast(out, sizeof out, "%s", cmd);
    unsetenv("HOLDFAST_DB");
    assert_int_equal(rc, 0);
    assert_int_equal(strncmp(out, "hf_", 3), 0);
    /* the key printed works against the running server */
    out[strcspn(out, "\n")] = '\0';
    long st = 0;
    json_t *r = ts_get_as(ts, out, &st, "/v1/locations");
    ts_assert_status(st, 200, r);
    json_decref(r);

    /* an INI file gives the database too; a broken one names its line */
    char ini[PATH_MAX + 64];
    snprintf(ini, sizeof ini, "%s/holdfast.ini", ts->dir[0] ? ts->dir : "/tmp");
    FILE *f = fopen(ini, "w");
    assert_non_null(f);
    fprintf(f, "# test settings\n[server]\ndb = %s\n", ts->db);
    fclose(f);
    assert_int_equal(holdfast(out, sizeof out,
                              "keys create --role service --config '%s'", ini),
                     0);
    assert_int_equal(strncmp(out, "hf_", 3), 0);
    f = fopen(ini, "w");
    assert_non_null(f);
    fprintf(f, "[server]\nthis is not a setting\n");
    fclose(f);
    assert_int_equal(holdfast(out, sizeof out,
                              "keys create --role service --config '%s'", ini),
                     2);
    char want[PATH_MAX + 128];
    snprintf(want, sizeof want, "%s:2:1:", ini);
    assert_non_null(strstr(out, want));
    remove(ini);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_help_and_usage_errors),
        cmocka_unit_test(test_unreachable_database),
        cmocka_unit_test(test_schema_newer_than_binary),
        cmocka_unit_test(test_settings_from_env_and_file),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
