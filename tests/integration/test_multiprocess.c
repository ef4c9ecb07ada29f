/*
 * test_multiprocess.c - several holdfast processes over one store keep the
 * same promises as one: 64 clients split across two `holdfast serve`
 * processes race for 50 units and exactly 50 win; an Idempotency-Key
 * honoured by one process is honoured by the other, also when both get
 * the same request at the same moment. Runs on SQLite (two processes on
 * one file) and on PostgreSQL (the backend built for this).
 */
#include "harness.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
    CLIENTS = 64, /* split evenly across the two processes */
    STOCK = 50,
    ROUNDS = 10,
};

static hf_test_server *first, *second;

static int setup(void **state)
{
    (void)state;
    first = ts_start();
    if (first == NULL)
        return -1;
    second = ts_start_peer(first);
    return second ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    ts_free(second);
    ts_free(first);
    return 0;
}

typedef struct client {
    hf_test_server *via;      /* the process this client talks to */
    pthread_barrier_t *start; /* released together */
    const char *idempotency;  /* Idempotency-Key, or NULL */
    char *body;
    long status;
    char code[64];
    char id[128];
} client;

static void *run_client(void *arg)
{
    client *c = arg;
    pthread_barrier_wait(c->start);
    json_t *res = NULL;
    ts_request(c->via, "POST", "/v1/orders", c->via->service_key,
               c->idempotency, c->body, &c->status, &res);
    snprintf(c->code, sizeof c->code, "%s", ts_err_code(res));
    snprintf(c->id, sizeof c->id, "%s", ts_str(res, "id"));
    json_decref(res);
    return NULL;
}

/* Starts n clients together and waits for all. */
static void run_all(client *cs, int n)
{
    pthread_t th[CLIENTS];
    pthread_barrier_t start;
    assert_int_equal(pthread_barrier_init(&start, NULL, (unsigned)n), 0);
    for (int i = 0; i < n; i++) {
        cs[i].start = &start;
        assert_int_equal(pthread_create(&th[i], NULL, run_client, &cs[i]), 0);
    }
    for (int i = 0; i < n; i++)
        pthread_join(th[i], NULL);
    pthread_barrier_destroy(&start);
}

static void test_race_across_processes(void **state)
{
    (void)state;
    static client cs[CLIENTS];
    for (int round = 0; round < ROUNDS; round++) {
        char sku[32];
        snprintf(sku, sizeof sku, "mp-R%d", round);
        ts_product(first, sku, 100, STOCK);
        for (int i = 0; i < CLIENTS; i++) {
            memset(&cs[i], 0, sizeof cs[i]);
            cs[i].via = i % 2 ? second : first;
            char email[96];
            snprintf(email, sizeof email, "mp.r%d.c%d@example.com", round, i);
            json_t *b =
                ts_order_body(sku, 1,
                              json_pack("{s:{s:s, s:s}}", "customer", "email",
                                        email, "name", "Racer"));
            cs[i].body = json_dumps(b, JSON_COMPACT);
            json_decref(b);
        }
        run_all(cs, CLIENTS);
        int won = 0, out = 0, other = 0;
        for (int i = 0; i < CLIENTS; i++) {
            if (cs[i].status == 201)
                won++;
            else if (cs[i].status == 409 &&
                     strcmp(cs[i].code, "out_of_stock") == 0)
                out++;
            else {
                other++;
                fprintf(stderr, "round %d client %d: %ld %s\n", round, i,
                        cs[i].status, cs[i].code);
            }
            free(cs[i].body);
        }
        assert_int_equal(won, STOCK);
        assert_int_equal(out, CLIENTS - STOCK);
        assert_int_equal(other, 0);
        /* both processes see the same stock */
        ts_assert_inventory(first, sku, STOCK, STOCK, 0);
        ts_assert_inventory(second, sku, STOCK, STOCK, 0);
    }
}

static void test_idempotency_across_processes(void **state)
{
    (void)state;
    ts_product(first, "mp-IDEM", 100, 10);
    json_t *b = ts_order_body("mp-IDEM", 2, NULL);
    char *body = json_dumps(b, JSON_COMPACT);
    json_decref(b);

    ts_response one, two;
    assert_int_equal(ts_request_raw(first, "POST", "/v1/orders",
                                    first->service_key, "mp-key-1", body,
                                    strlen(body), NULL, &one),
                     0);
    assert_int_equal(ts_request_raw(second, "POST", "/v1/orders",
                                    second->service_key, "mp-key-1", body,
                                    strlen(body), NULL, &two),
                     0);
    assert_int_equal(one.status, 201);
    assert_int_equal(two.status, 201);
    assert_string_equal(one.body, two.body);
    char *replayed = ts_header(&two, "Idempotent-Replayed");
    assert_non_null(replayed);
    assert_string_equal(replayed, "true");
    free(replayed);
    ts_response_free(&one);
    ts_response_free(&two);
    ts_assert_inventory(second, "mp-IDEM", 10, 2, 8);

    /* the same key from both processes at the same moment: one order */
    enum { RETRIES = 16 };
    client cs[RETRIES];
    for (int i = 0; i < RETRIES; i++) {
        memset(&cs[i], 0, sizeof cs[i]);
        cs[i].via = i % 2 ? second : first;
        cs[i].idempotency = "mp-key-2";
        cs[i].body = body;
    }
    run_all(cs, RETRIES);
    for (int i = 0; i < RETRIES; i++) {
        if (cs[i].status != 201 || strcmp(cs[i].id, cs[0].id) != 0)
            fprintf(stderr, "retry %d: %ld %s %s (first %s)\n", i, cs[i].status,
                    cs[i].code, cs[i].id, cs[0].id);
        assert_int_equal(cs[i].status, 201);
        assert_string_equal(cs[i].id, cs[0].id);
    }
    ts_assert_inventory(first, "mp-IDEM", 10, 4, 6);
    free(body);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_race_across_processes),
        cmocka_unit_test(test_idempotency_across_processes),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
