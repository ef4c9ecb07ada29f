/*
 * test_pg_restart.c - PostgreSQL restarts while orders pour in: requests
 * during the restart may fail, but every order that was acknowledged with
 * a 201 is there afterwards, reserved stock matches the orders that exist,
 * and the server takes orders again once the database is back, without
 * being restarted itself. Runs only against the private cluster
 * (tests/integration/pg-cluster), which it restarts.
 */
#include "harness.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
    WRITERS = 8,
    MAX_ORDERS = 20000,
    RUN_MS = 3000,
    RESTART_AT_MS = 800,
};

static hf_test_server *ts;

typedef struct placed {
    char id[64];
} placed;

static placed acked[MAX_ORDERS];
static atomic_int n_acked;
static atomic_int n_failed;
static atomic_bool stop;

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

static void *writer(void *arg)
{
    long w = (long)arg;
    for (int i = 0; !atomic_load(&stop); i++) {
        char email[96];
        snprintf(email, sizeof email, "pr.w%ld.%d@example.com", w, i);
        json_t *b = ts_order_body(
            "pr-SKU", 1, json_pack("{s:{s:s}}", "customer", "email", email));
        char *body = json_dumps(b, JSON_COMPACT);
        json_decref(b);
        long status = 0;
        json_t *res = NULL;
        ts_request(ts, "POST", "/v1/orders", ts->service_key, NULL, body,
                   &status, &res);
        free(body);
        if (status == 201) {
            int k = atomic_fetch_add(&n_acked, 1);
            if (k < MAX_ORDERS)
                snprintf(acked[k].id, sizeof acked[k].id, "%s",
                         ts_str(res, "id"));
        } else {
            atomic_fetch_add(&n_failed, 1);
        }
        json_decref(res);
    }
    return NULL;
}

static void restart_postgres(void)
{
    const char *script = getenv("HF_TEST_PG_CLUSTER");
    const char *dir = getenv("HF_TEST_PG_HOST");
    assert_non_null(script);
    assert_non_null(dir);
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "%s restart %s", script, dir);
    assert_int_equal(system(cmd), 0);
}

static void test_restart_loses_nothing_acknowledged(void **state)
{
    (void)state;
    ts_product(ts, "pr-SKU", 100, 1000000);
    pthread_t th[WRITERS];
    for (long w = 0; w < WRITERS; w++)
        assert_int_equal(pthread_create(&th[w], NULL, writer, (void *)w), 0);
    ts_sleep_ms(RESTART_AT_MS);
    int before = atomic_load(&n_acked);
    restart_postgres();
    ts_sleep_ms(RUN_MS - RESTART_AT_MS);
    atomic_store(&stop, true);
    for (int w = 0; w < WRITERS; w++)
        pthread_join(th[w], NULL);
    int total = atomic_load(&n_acked);
    fprintf(stderr,
            "%d orders acknowledged (%d before the restart), %d requests "
            "failed\n",
            total, before, atomic_load(&n_failed));
    assert_true(before > 0);
    assert_true(total > before); /* it took orders again afterwards */
    assert_true(total <= MAX_ORDERS);

    /* every acknowledged order is there */
    for (int i = 0; i < total; i++) {
        json_t *o = ts_get_order(ts, acked[i].id);
        assert_non_null(o);
        assert_string_equal(ts_str(o, "status"), "confirmed");
        json_decref(o);
    }
    /* reserved stock is exactly what the existing orders hold (an order
     * whose answer was lost may exist without having been acknowledged) */
    json_t *all = ts_list_orders(ts, "limit=200", 1000);
    assert_non_null(all);
    long long existing = (long long)json_array_size(all);
    json_decref(all);
    assert_true(existing >= total);
    ts_assert_inventory(ts, "pr-SKU", 1000000, existing, 1000000 - existing);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_restart_loses_nothing_acknowledged),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
