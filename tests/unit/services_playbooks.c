/* services_playbooks.c - a playbook fires once per order: the first
 * scoring at or above its threshold runs it, a later one (however high)
 * does not; a score that rises fires the thresholds it newly reaches. */
#include "services/playbooks.h"
#include "services/demo.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

typedef struct shop {
    char dir[64];
    char path[96];
    hf_store *store;
    hf_clock *clock;
    hf_services svc;
    hf_playbooks_config playbooks;
} shop;

static void shop_open(shop *s)
{
    memset(s, 0, sizeof(*s));
    snprintf(s->dir, sizeof(s->dir), "/tmp/hf-pb-XXXXXX");
    assert_non_null(mkdtemp(s->dir));
    snprintf(s->path, sizeof(s->path), "%s/pb.db", s->dir);
    hf_err err;
    assert_int_equal(hf_store_open(s->path, &s->store, &err), HF_OK);
    assert_int_equal(hf_store_migrate(s->store, &err), HF_OK);
    hf_time end = 0;
    assert_int_equal(hf_time_parse("2026-03-15T12:00:00Z", &end), 0);
    s->clock = hf_clock_manual(end + HF_DAY);
    s->svc = (hf_services){.store = s->store,
                           .clock = s->clock,
                           .last_cancellable = HF_STATUS_PACKED};
    hf_demo_options opt = {3, 5, 5, 5, 5, end};
    assert_int_equal(hf_demo_generate(&s->svc, &opt, &err), HF_OK);
    /* off by default: the demo shop ran no playbook */
    s->playbooks = (hf_playbooks_config){0.3, -1, 0.8, 0};
    s->svc.playbooks = &s->playbooks;
}

static void shop_close(shop *s)
{
    hf_store_close(s->store);
    hf_clock_free(s->clock);
    static const char *const suffixes[] = {"", "-wal", "-shm"};
    for (size_t i = 0; i < 3; i++) {
        char file[128];
        snprintf(file, sizeof(file), "%s%s", s->path, suffixes[i]);
        unlink(file);
    }
    rmdir(s->dir);
}

/* One integer from SQL. */
static long long sql_int(const shop *s, const char *sql)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    long long v = -1;
    assert_int_equal(sqlite3_open_v2(s->path, &db, SQLITE_OPEN_READONLY, NULL),
                     SQLITE_OK);
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
    return v;
}

typedef struct run_args {
    const hf_services *svc;
    const char *order;
    double score;
} run_args;

static hf_rc run_fn(hf_txn *t, void *arg, hf_err *err)
{
    run_args *r = arg;
    hf_arena *a = hf_arena_new(0);
    hf_order_result out;
    hf_rc rc =
        hf_playbooks_run_txn(t, r->svc, r->order, r->score, a, &out, err);
    hf_arena_free(a);
    return rc;
}

/* Scores the order (its id) again at score. */
static void score(shop *s, const char *order, double value)
{
    run_args r = {&s->svc, order, value};
    hf_err err;
    assert_int_equal(hf_store_write(s->store, run_fn, &r, &err), HF_OK);
}

static char order_id[64];

static void first_order(shop *s)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_open_v2(s->path, &db, SQLITE_OPEN_READONLY, NULL),
                     SQLITE_OK);
    assert_int_equal(
        sqlite3_prepare_v2(db, "SELECT id FROM orders ORDER BY seq LIMIT 1", -1,
                           &st, NULL),
        SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    snprintf(order_id, sizeof order_id, "%s",
             (const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    sqlite3_close(db);
}

static long long fired(const shop *s)
{
    return sql_int(s, "SELECT COUNT(*) FROM order_events "
                      "WHERE type = 'playbook_fired'");
}

static void test_fires_once_per_threshold_crossing(void **state)
{
    (void)state;
    shop s;
    shop_open(&s);
    first_order(&s);
    assert_int_equal(fired(&s), 0);

    score(&s, order_id, 0.1); /* below every threshold */
    assert_int_equal(sql_int(&s, "SELECT COUNT(*) FROM playbook_runs"), 0);
    assert_int_equal(fired(&s), 0);

    score(&s, order_id, 0.5); /* reaches reassure only */
    assert_int_equal(sql_int(&s, "SELECT COUNT(*) FROM playbook_runs "
                                 "WHERE playbook = 'reassure'"),
                     1);
    assert_int_equal(sql_int(&s, "SELECT COUNT(*) FROM outbox "
                                 "WHERE topic = 'playbook.reassurance'"),
                     1);
    assert_int_equal(sql_int(&s, "SELECT COUNT(*) FROM tasks"), 0);
    assert_int_equal(fired(&s), 1);

    score(&s, order_id, 0.5); /* the same again: nothing */
    score(&s, order_id, 0.9); /* reaches call, reassure fired already */
    assert_int_equal(sql_int(&s, "SELECT COUNT(*) FROM playbook_runs"), 2);
    assert_int_equal(sql_int(&s, "SELECT COUNT(*) FROM tasks "
                                 "WHERE kind = 'call' AND status = 'open'"),
                     1);
    assert_int_equal(sql_int(&s, "SELECT COUNT(*) FROM outbox "
                                 "WHERE topic = 'playbook.reassurance'"),
                     1);
    assert_int_equal(fired(&s), 2);
    assert_int_equal(sql_int(&s, "SELECT score_ppm FROM playbook_runs "
                                 "WHERE playbook = 'call'"),
                     900000);

    score(&s, order_id, 0.99); /* higher still: nothing new */
    assert_int_equal(sql_int(&s, "SELECT COUNT(*) FROM tasks"), 1);
    assert_int_equal(fired(&s), 2);

    shop_close(&s);
}

static void test_config(void **state)
{
    (void)state;
    hf_config *c = NULL;
    hf_err err;
    hf_playbooks_config pb;
    bool any = true;
    assert_int_equal(hf_playbooks_config_load(NULL, &pb, &any, &err), HF_OK);
    assert_false(any);
    assert_true(pb.reassure_at < 0 && pb.expedite_at < 0 && pb.call_at < 0);
    assert_non_null(c = hf_config_new());
    assert_int_equal(hf_config_set(c, "playbooks.call_at", "0.75"), HF_OK);
    assert_int_equal(hf_playbooks_config_load(c, &pb, &any, &err), HF_OK);
    assert_true(any);
    assert_true(pb.call_at == 0.75 && pb.reassure_at < 0);
    assert_int_equal(hf_config_set(c, "playbooks.call_at", "1.5"), HF_OK);
    assert_int_equal(hf_playbooks_config_load(c, &pb, &any, &err), HF_EINVAL);
    assert_string_equal(err.field, "playbooks.call_at");
    assert_int_equal(hf_config_set(c, "playbooks.call_at", "0.75"), HF_OK);
    assert_int_equal(hf_config_set(c, "playbooks.holdout", "0.25"), HF_OK);
    assert_int_equal(hf_playbooks_config_load(c, &pb, &any, &err), HF_OK);
    assert_true(pb.holdout == 0.25);
    assert_int_equal(hf_config_set(c, "playbooks.holdout", "1"), HF_OK);
    assert_int_equal(hf_playbooks_config_load(c, &pb, &any, &err), HF_EINVAL);
    assert_string_equal(err.field, "playbooks.holdout");
    hf_config_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fires_once_per_threshold_crossing),
        cmocka_unit_test(test_config),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
