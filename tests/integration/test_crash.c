/*
 * test_crash.c - the crash: clients place orders as fast as they can, the
 * server is killed with SIGKILL in the middle of it and started again on
 * the same database. Every order a client was told about (201) must still
 * be there, confirmed, and for every SKU the reserved count must equal the
 * units that open orders hold, with on_hand untouched. Five rounds against
 * one database, fresh SKUs ("cr-R<n>-A/B/C") each round.
 */
#include "harness.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
    WORKERS = 4,      /* client threads placing orders */
    ROUNDS = 5,       /* crashes in the one test */
    SKUS = 3,         /* SKUs per round */
    ON_HAND = 100000, /* units of each SKU: never runs out */
};

static hf_test_server *ts;
static atomic_int killing; /* set just before the server is killed */
static atomic_int stop;    /* set once it has been killed */

/* One client thread of one round. */
typedef struct worker {
    int round;           /* which round */
    int index;           /* which thread */
    const char **skus;   /* the round's SKUs */
    json_t *placed;      /* ids of orders answered 201 (thread-owned) */
    long unexpected;     /* answers other than 201 before the kill */
    char first_bad[256]; /* the first of those, for the report */
} worker;

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
    ts = NULL;
    return 0;
}

static void *run_worker(void *arg)
{
    worker *w = arg;
    char email[96];
    snprintf(email, sizeof email, "cr.r%d.t%d@example.com", w->round, w->index);
    for (unsigned k = 0; !atomic_load(&stop); k++) {
        const char *a = w->skus[(w->index + k) % SKUS];
        const char *b = w->skus[(w->index + k + 1) % SKUS];
        json_t *extra = json_pack("{s:{s:s, s:s}}", "customer", "email", email,
                                  "name", "Crash Test");
        /* Every third order has two lines. */
        if (k % 3 == 2)
            json_object_set_new(extra, "lines",
                                json_pack("[{s:s, s:i}, {s:s, s:i}]", "sku", a,
                                          "qty", 1, "sku", b, "qty", 2));
        long st = 0;
        json_t *res = ts_order(ts, a, 1 + (long)(k % 2), extra, &st);
        if (st == 201) {
            json_array_append_new(w->placed, json_string(ts_str(res, "id")));
        } else if (st != 0 || !atomic_load(&killing)) {
            /* A request cut off by the kill has no answer; any other
             * failure, or any answer but 201, is wrong. */
            if (w->unexpected++ == 0)
                snprintf(w->first_bad, sizeof w->first_bad,
                         "status %ld code \"%s\"", st, ts_err_code(res));
        }
        json_decref(res);
    }
    return NULL;
}

/* Asserts that every reservation of the round's SKUs is held by an open
 * order, that every order in placed is one of them and that on_hand did
 * not move. */
static void check_consistency(const char **skus, json_t *placed)
{
    json_t *all = ts_list_orders(ts, NULL, 5000);
    assert_non_null(all);
    long long held[SKUS] = {0};
    json_t *open = json_object(); /* id -> status of orders with our SKUs */
    for (size_t i = 0; i < json_array_size(all); i++) {
        json_t *o = json_array_get(all, i);
        json_t *lines = json_object_get(o, "lines");
        for (size_t j = 0; j < json_array_size(lines); j++) {
            json_t *l = json_array_get(lines, j);
            for (int s = 0; s < SKUS; s++) {
                if (strcmp(ts_str(l, "sku"), skus[s]) != 0)
                    continue;
                json_object_set_new(open, ts_str(o, "id"),
                                    json_string(ts_str(o, "status")));
                if (strcmp(ts_str(o, "status"), "confirmed") == 0)
                    held[s] += ts_int(l, "qty") - ts_int(l, "cancelled_qty");
            }
        }
    }
    /* Nothing but placements happened: every order with our SKUs is open,
     * and every order a client was told about is among them. */
    const char *id;
    json_t *v;
    json_object_foreach(open, id, v)
    {
        if (strcmp(json_string_value(v), "confirmed") != 0)
            fprintf(stderr, "order %s is %s\n", id, json_string_value(v));
        assert_string_equal(json_string_value(v), "confirmed");
    }
    size_t missing = 0;
    for (size_t i = 0; i < json_array_size(placed); i++)
        if (json_object_get(
                open, json_string_value(json_array_get(placed, i))) == NULL)
            missing++;
    if (missing)
        fprintf(stderr, "%zu acknowledged orders are not listed\n", missing);
    assert_int_equal(missing, 0);
    assert_true(json_object_size(open) >= json_array_size(placed));

    for (int s = 0; s < SKUS; s++) {
        long long on_hand, reserved, available;
        ts_inventory_view(ts, skus[s], &on_hand, &reserved, &available);
        if (reserved != held[s] || on_hand != ON_HAND)
            fprintf(stderr,
                    "%s: on_hand %lld reserved %lld; open orders hold "
                    "%lld\n",
                    skus[s], on_hand, reserved, held[s]);
        assert_int_equal(on_hand, ON_HAND);
        assert_int_equal(reserved, held[s]);
        assert_int_equal(available, on_hand - reserved);
    }
    json_decref(open);
    json_decref(all);
}

static void one_round(int round)
{
    char names[SKUS][32];
    const char *skus[SKUS];
    for (int s = 0; s < SKUS; s++) {
        snprintf(names[s], sizeof names[s], "cr-R%d-%c", round, 'A' + s);
        skus[s] = names[s];
        ts_product(ts, skus[s], 100, ON_HAND);
    }

    worker ws[WORKERS];
    pthread_t th[WORKERS];
    atomic_store(&stop, 0);
    atomic_store(&killing, 0);
    for (int i = 0; i < WORKERS; i++) {
        memset(&ws[i], 0, sizeof ws[i]);
        ws[i].round = round;
        ws[i].index = i;
        ws[i].skus = skus;
        ws[i].placed = json_array();
        assert_int_equal(pthread_create(&th[i], NULL, run_worker, &ws[i]), 0);
    }
    /* Somewhere between 0.5 and 1 s into the load. */
    ts_sleep_ms(500 + (round * 131) % 500);
    atomic_store(&killing, 1);
    ts_kill9(ts);
    atomic_store(&stop, 1);
    json_t *placed = json_array();
    long unexpected = 0;
    for (int i = 0; i < WORKERS; i++) {
        pthread_join(th[i], NULL);
        json_array_extend(placed, ws[i].placed);
        json_decref(ws[i].placed);
        if (ws[i].unexpected) {
            fprintf(stderr,
                    "round %d worker %d: %ld unexpected answers, "
                    "first %s\n",
                    round, i, ws[i].unexpected, ws[i].first_bad);
            unexpected += ws[i].unexpected;
        }
    }
    fprintf(stderr, "round %d: %zu orders acknowledged before the kill\n",
            round, json_array_size(placed));
    assert_int_equal(unexpected, 0);
    /* Without load before the kill the round proves nothing. */
    assert_true(json_array_size(placed) > 0);

    assert_int_equal(ts_restart(ts), 0);

    /* Every acknowledged order survived, as it was. */
    for (size_t i = 0; i < json_array_size(placed); i++) {
        const char *id = json_string_value(json_array_get(placed, i));
        json_t *o = ts_get_order(ts, id);
        assert_string_equal(ts_str(o, "status"), "confirmed");
        json_decref(o);
    }
    check_consistency(skus, placed);

    /* And the restarted server takes orders again. */
    long long before;
    ts_inventory_view(ts, skus[0], NULL, &before, NULL);
    long st = 0;
    json_t *o = ts_order(ts, skus[0], 1, NULL, &st);
    ts_assert_status(st, 201, o);
    json_decref(o);
    ts_assert_inventory(ts, skus[0], ON_HAND, before + 1, ON_HAND - before - 1);
    json_decref(placed);
}

static void test_kill9_under_load(void **state)
{
    (void)state;
    for (int round = 0; round < ROUNDS; round++)
        one_round(round);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_kill9_under_load),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
