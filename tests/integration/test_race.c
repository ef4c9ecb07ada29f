/*
 * test_race.c - the race that matters: 64 clients, released together, each
 * order one unit of a SKU that has 50 in stock. Exactly 50 must win and 14
 * must hear out_of_stock; the stock must show 50 reserved and none
 * available. Twenty rounds against one server, a fresh SKU each round
 * ("rc-R<n>"). Then the same request sent by many clients at once with
 * one Idempotency-Key must place one order.
 */
#include "harness.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
    CLIENTS = 64, /* concurrent clients per round */
    STOCK = 50,   /* units on hand per round */
    ROUNDS = 20,  /* rounds in the one test */
};

static hf_test_server *ts;

/* One client of one round. */
typedef struct client {
    pthread_barrier_t *start; /* released together */
    char *body;               /* the order, serialised before the start */
    long status;              /* what the server answered (0: no answer) */
    char code[64];            /* error.code of a refusal */
    char id[128];             /* id of a placed order */
    char number[32];          /* number of a placed order */
    char order_status[32];    /* status of a placed order */
} client;

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

static void *run_client(void *arg)
{
    client *c = arg;
    pthread_barrier_wait(c->start);
    json_t *res = NULL;
    ts_request(ts, "POST", "/v1/orders", ts->service_key, NULL, c->body,
               &c->status, &res);
    snprintf(c->code, sizeof c->code, "%s", ts_err_code(res));
    snprintf(c->id, sizeof c->id, "%s", ts_str(res, "id"));
    snprintf(c->number, sizeof c->number, "%s", ts_str(res, "number"));
    snprintf(c->order_status, sizeof c->order_status, "%s",
             ts_str(res, "status"));
    json_decref(res);
    return NULL;
}

/* Runs one round on sku and asserts its outcome. */
static void one_round(int round, const char *sku)
{
    ts_product(ts, sku, 100, STOCK);
    ts_assert_inventory(ts, sku, STOCK, 0, STOCK);

    static client cs[CLIENTS];
    pthread_t th[CLIENTS];
    pthread_barrier_t start;
    assert_int_equal(pthread_barrier_init(&start, NULL, CLIENTS), 0);
    for (int i = 0; i < CLIENTS; i++) {
        memset(&cs[i], 0, sizeof cs[i]);
        cs[i].start = &start;
        char email[96];
        snprintf(email, sizeof email, "rc.r%d.t%d@example.com", round, i);
        json_t *b = ts_order_body(sku, 1,
                                  json_pack("{s:{s:s, s:s}}", "customer",
                                            "email", email, "name", "Racer"));
        cs[i].body = json_dumps(b, JSON_COMPACT);
        json_decref(b);
        assert_non_null(cs[i].body);
    }
    for (int i = 0; i < CLIENTS; i++)
        assert_int_equal(pthread_create(&th[i], NULL, run_client, &cs[i]), 0);
    for (int i = 0; i < CLIENTS; i++)
        pthread_join(th[i], NULL);
    pthread_barrier_destroy(&start);

    int won = 0, out = 0, other = 0, dup = 0;
    for (int i = 0; i < CLIENTS; i++) {
        if (cs[i].status == 201) {
            won++;
            if (strcmp(cs[i].order_status, "confirmed") != 0 ||
                cs[i].id[0] == '\0')
                other++;
            for (int j = 0; j < i; j++)
                if (cs[j].status == 201 &&
                    (strcmp(cs[j].id, cs[i].id) == 0 ||
                     strcmp(cs[j].number, cs[i].number) == 0))
                    dup++;
        } else if (cs[i].status == 409 &&
                   strcmp(cs[i].code, "out_of_stock") == 0) {
            out++;
        } else {
            other++;
            fprintf(stderr, "round %d client %d: status %ld code \"%s\"\n",
                    round, i, cs[i].status, cs[i].code);
        }
        free(cs[i].body);
        cs[i].body = NULL;
    }
    if (won != STOCK || out != CLIENTS - STOCK || other || dup)
        fprintf(stderr,
                "round %d: %d placed, %d out_of_stock, %d other, %d "
                "duplicate ids or numbers\n",
                round, won, out, other, dup);
    assert_int_equal(won, STOCK);
    assert_int_equal(out, CLIENTS - STOCK);
    assert_int_equal(other, 0);
    assert_int_equal(dup, 0);
    ts_assert_inventory(ts, sku, STOCK, STOCK, 0);
}

static void test_last_units_race(void **state)
{
    (void)state;
    for (int round = 0; round < ROUNDS; round++) {
        char sku[32];
        snprintf(sku, sizeof sku, "rc-R%d", round);
        one_round(round, sku);
    }
}

/* One of several clients retrying the same request at once. */
typedef struct retry {
    pthread_barrier_t *start; /* released together */
    const char *body;         /* the same order for all */
    long status;              /* what the server answered */
    char id[128];             /* id of the order it answered with */
} retry;

static void *run_retry(void *arg)
{
    retry *r = arg;
    pthread_barrier_wait(r->start);
    json_t *res = NULL;
    ts_request(ts, "POST", "/v1/orders", ts->service_key, "rc-retry-1", r->body,
               &r->status, &res);
    snprintf(r->id, sizeof r->id, "%s", ts_str(res, "id"));
    json_decref(res);
    return NULL;
}

/* A client that times out and retries may send the same request with the
 * same Idempotency-Key while the first is still running: one order, one
 * reservation, one answer for all. */
static void test_concurrent_idempotent_retries(void **state)
{
    (void)state;
    enum { RETRIES = 16 };
    ts_product(ts, "rc-RETRY", 100, 10);
    json_t *b = ts_order_body("rc-RETRY", 3, NULL);
    char *body = json_dumps(b, JSON_COMPACT);
    json_decref(b);
    pthread_barrier_t start;
    assert_int_equal(pthread_barrier_init(&start, NULL, RETRIES), 0);
    retry rs[RETRIES];
    pthread_t th[RETRIES];
    for (int i = 0; i < RETRIES; i++) {
        memset(&rs[i], 0, sizeof rs[i]);
        rs[i].start = &start;
        rs[i].body = body;
        assert_int_equal(pthread_create(&th[i], NULL, run_retry, &rs[i]), 0);
    }
    for (int i = 0; i < RETRIES; i++)
        pthread_join(th[i], NULL);
    pthread_barrier_destroy(&start);
    free(body);

    int bad = 0;
    for (int i = 0; i < RETRIES; i++)
        if (rs[i].status != 201 || strcmp(rs[i].id, rs[0].id) != 0) {
            fprintf(stderr, "retry %d: status %ld order %s (first: %s)\n", i,
                    rs[i].status, rs[i].id, rs[0].id);
            bad++;
        }
    assert_int_equal(bad, 0);
    ts_assert_inventory(ts, "rc-RETRY", 10, 3, 7);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_last_units_race),
        cmocka_unit_test(test_concurrent_idempotent_retries),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
