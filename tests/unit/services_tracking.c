/* Unit tests for services/tracking's sweep: what time alone changes. A real
 * SQLite store in a temporary directory and a manual clock, so two days
 * pass in a moment. */
#include "services/catalog.h"
#include "services/orders.h"
#include "services/tracking.h"
#include "util/id.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

/* 2026-11-23T12:00:00Z, a Monday */
#define START ((hf_time)1795435200000LL)

typedef struct world {
    char dir[64], path[96];
    hf_store *store;
    hf_clock *clock;
    hf_services svc;
    hf_arena *arena;
} world;

static int setup(void **state)
{
    world *w = calloc(1, sizeof(*w));
    assert_int_equal(hf_id_init(), 0);
    snprintf(w->dir, sizeof(w->dir), "/tmp/hf-sweep-XXXXXX");
    assert_non_null(mkdtemp(w->dir));
    snprintf(w->path, sizeof(w->path), "%s/t.db", w->dir);
    hf_err err;
    assert_int_equal(hf_store_open(w->path, &w->store, &err), HF_OK);
    assert_int_equal(hf_store_migrate(w->store, &err), HF_OK);
    w->clock = hf_clock_manual(START);
    w->svc = (hf_services){.store = w->store,
                           .clock = w->clock,
                           .last_cancellable = HF_STATUS_PACKED};
    w->arena = hf_arena_new(0);
    *state = w;
    return 0;
}

static int teardown(void **state)
{
    world *w = *state;
    hf_arena_free(w->arena);
    hf_store_close(w->store);
    hf_clock_free(w->clock);
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", w->dir);
    assert_int_equal(system(cmd), 0);
    free(w);
    return 0;
}

typedef struct setup_args {
    world *w;
    const char *sku;
    hf_order_result order;
} setup_args;

/* A product with stock and one order for it. */
static hf_rc place_fn(hf_txn *t, void *arg, hf_err *err)
{
    setup_args *s = arg;
    hf_product p = {
        .sku = s->sku, .name = "Thing", .price = 1000, .currency = "USD"};
    hf_rc rc = hf_catalog_product_create(t, &s->w->svc, &p, err);
    hf_inventory inv;
    if (rc == HF_OK)
        rc = hf_catalog_inventory_adjust(t, &s->w->svc, s->sku, "main", 10,
                                         NULL, NULL, s->w->arena, &inv, err);
    if (rc != HF_OK)
        return rc;
    static hf_line_request line;
    line = (hf_line_request){s->sku, 1};
    hf_place_request req = {
        .customer = {.email = "sweep@example.com", .name = "Sam"},
        .lines = &line,
        .n_lines = 1,
        .shipping_address = {.name = "Sam",
                             .line1 = "1 Main St",
                             .city = "Springfield",
                             .region = "IL",
                             .postal_code = "62701",
                             .country = "US"},
        .payment = {.method = "card", .gateway = "manual"},
        .actor = "test"};
    return hf_orders_place_txn(t, &s->w->svc, &req, s->w->arena, &s->order,
                               err);
}

typedef struct sweep_args {
    world *w;
    int flagged;
} sweep_args;

static hf_rc sweep_fn(hf_txn *t, void *arg, hf_err *err)
{
    sweep_args *s = arg;
    return hf_tracking_sweep_txn(t, &s->w->svc, 100, &s->flagged, err);
}

static int sweep(world *w)
{
    sweep_args s = {w, 0};
    hf_err err;
    assert_int_equal(hf_store_write(w->store, sweep_fn, &s, &err), HF_OK);
    return s.flagged;
}

typedef struct count_args {
    world *w;
    const char *order;
    const char *type;
    int n;
} count_args;

static hf_rc count_fn(hf_txn *t, void *arg, hf_err *err)
{
    count_args *c = arg;
    hf_order o;
    hf_rc rc = hf_txn_order_get(t, c->order, c->w->arena, &o, err);
    for (size_t i = 0; rc == HF_OK && i < o.n_events; i++)
        c->n += strcmp(o.events[i].type, c->type) == 0;
    return rc;
}

static int events_of_type(world *w, const char *order, const char *type)
{
    count_args c = {w, order, type, 0};
    hf_err err;
    assert_int_equal(hf_store_read(w->store, count_fn, &c, &err), HF_OK);
    return c.n;
}

static void test_unshipped_order_flagged_after_deadline(void **state)
{
    world *w = *state;
    setup_args s = {w, "SW-1", {{0}, NULL}};
    hf_err err;
    assert_int_equal(hf_store_write(w->store, place_fn, &s, &err), HF_OK);
    const char *id = s.order.order.id;

    hf_clock_advance(w->clock, 47 * HF_HOUR);
    assert_int_equal(sweep(w), 0);
    assert_int_equal(events_of_type(w, id, "fulfillment_late"), 0);

    hf_clock_advance(w->clock, 2 * HF_HOUR); /* 49 h after placement */
    assert_int_equal(sweep(w), 1);
    assert_int_equal(events_of_type(w, id, "fulfillment_late"), 1);
    /* flagged once, not on every pass */
    assert_int_equal(sweep(w), 0);
    assert_int_equal(events_of_type(w, id, "fulfillment_late"), 1);
}

typedef struct ship_args {
    world *w;
    const char *order;
    hf_shipment sh;
} ship_args;

static hf_rc ship_fn(hf_txn *t, void *arg, hf_err *err)
{
    ship_args *s = arg;
    hf_ship_request req = {s->order, "ups", "1ZSWEEP", "ground", "test"};
    hf_rc rc =
        hf_tracking_ship_txn(t, &s->w->svc, &req, s->w->arena, &s->sh, err);
    if (rc != HF_OK)
        return rc;
    hf_scan_request scan = {.shipment = s->sh.id};
    scan.event.status = HF_SHIP_IN_TRANSIT;
    scan.event.at = hf_clock_now(s->w->svc.clock);
    bool duplicate;
    return hf_tracking_scan_txn(t, &s->w->svc, &scan, s->w->arena, &s->sh,
                                &duplicate, err);
}

static void test_silent_shipment_flagged_by_the_sweep(void **state)
{
    world *w = *state;
    setup_args s = {w, "SW-2", {{0}, NULL}};
    hf_err err;
    assert_int_equal(hf_store_write(w->store, place_fn, &s, &err), HF_OK);
    ship_args sh = {w, s.order.order.id, {0}};
    assert_int_equal(hf_store_write(w->store, ship_fn, &sh, &err), HF_OK);
    assert_false(sh.sh.eta.delayed);

    hf_clock_advance(w->clock, 24 * HF_HOUR);
    assert_int_equal(sweep(w), 0);
    hf_clock_advance(w->clock, 25 * HF_HOUR); /* 49 h without a scan */
    assert_int_equal(sweep(w), 1);
    assert_int_equal(events_of_type(w, sh.order, "shipment_delayed"), 1);
    assert_int_equal(sweep(w), 0);
}

/* While delayed, the customer hears again once per interval: never told
 * is due, younger than the interval is not, the default is 24 hours. */
static void test_delay_update_interval(void **state)
{
    (void)state;
    hf_time t0 = 1700000000LL * HF_SECOND;
    assert_true(hf_tracking_delay_update_due(0, t0, 6 * HF_HOUR));
    assert_false(
        hf_tracking_delay_update_due(t0, t0 + 5 * HF_HOUR, 6 * HF_HOUR));
    assert_true(
        hf_tracking_delay_update_due(t0, t0 + 6 * HF_HOUR, 6 * HF_HOUR));
    assert_false(hf_tracking_delay_update_due(t0, t0 + 23 * HF_HOUR, 0));
    assert_true(hf_tracking_delay_update_due(t0, t0 + 24 * HF_HOUR, 0));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_delay_update_interval),
        cmocka_unit_test_setup_teardown(
            test_unshipped_order_flagged_after_deadline, setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_silent_shipment_flagged_by_the_sweep, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
