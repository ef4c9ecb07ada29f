/* Tests for services/demo: a small shop generated into a temporary SQLite
 * store and read back the way a user of the demo would look at it: the
 * counts, the timeline, the cancellations, the stock, and the same shop
 * again from the same seed. */
#include "services/demo.h"
#include "services/catalog.h"
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

#include "demo_shop.h"
#include <sqlite3.h>

enum { PRODUCTS = 20, CUSTOMERS = 50, ORDERS = 500, DAYS = 30, SEED = 7 };

/* Fills s with the tests' shop from seed. */
static hf_rc generate(shop *s, unsigned long seed, hf_err *err)
{
    return shop_generate(s, seed, DAYS, PRODUCTS, CUSTOMERS, ORDERS, err);
}

/* One number from SQL, for what the store interface does not list. */
static long long sql_count(const shop *s, const char *sql)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    long long n = -1;
    assert_int_equal(sqlite3_open_v2(s->path, &db, SQLITE_OPEN_READONLY, NULL),
                     SQLITE_OK);
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
        n = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
    return n;
}

/* --- What the shop looks like -------------------------------------------- */

typedef struct product_row {
    char text[200]; /* sku|name|price|cost|category */
    hf_minor price, cost;
    int64_t on_hand, reserved;  /* over all locations */
    int64_t reserved_by_orders; /* live allocations of open orders */
    bool level_ok;              /* 0 <= reserved <= on_hand everywhere */
} product_row;

typedef struct order_row {
    hf_order_status status;
    hf_minor total;
    hf_time placed_at;
    hf_time shipped_at; /* 0: not shipped */
    char reason[32];    /* cancel reason, "" if none */
    bool whole_cancel;  /* has a "cancelled" event */
    bool times_ok;      /* events in order, none before placement */
    hf_time last_event;
    char text[400]; /* what a person reads: number, customer, address,
                     * payment, lines, status, total, times */
} order_row;

typedef struct summary {
    product_row products[PRODUCTS + 1];
    size_t n_products;
    order_row orders[ORDERS + 1];
    size_t n_orders;
    size_t n_locations;
} summary;

typedef struct read_args {
    summary *sum;
    hf_arena *a;
} read_args;

static product_row *find_product(summary *sum, const char *sku)
{
    for (size_t i = 0; i < sum->n_products; i++)
        if (strncmp(sum->products[i].text, sku, strlen(sku)) == 0 &&
            sum->products[i].text[strlen(sku)] == '|')
            return &sum->products[i];
    return NULL;
}

static hf_rc read_products(hf_txn *t, summary *sum, hf_arena *a, hf_err *err)
{
    hf_product *p;
    size_t n;
    hf_rc rc = hf_txn_product_list(t, NULL, PRODUCTS + 1, a, &p, &n, err);
    for (size_t i = 0; rc == HF_OK && i < n && i <= PRODUCTS; i++) {
        product_row *row = &sum->products[sum->n_products++];
        snprintf(row->text, sizeof(row->text), "%s|%s|%lld|%lld|%s", p[i].sku,
                 p[i].name, (long long)p[i].price, (long long)p[i].cost,
                 p[i].category ? p[i].category : "");
        row->price = p[i].price;
        row->cost = p[i].cost;
        hf_stock_level *levels;
        size_t nl;
        rc = hf_txn_stock_get(t, p[i].sku, a, &levels, &nl, err);
        row->level_ok = true;
        for (size_t j = 0; rc == HF_OK && j < nl; j++) {
            row->on_hand += levels[j].on_hand;
            row->reserved += levels[j].reserved;
            row->level_ok = row->level_ok && levels[j].reserved >= 0 &&
                            levels[j].reserved <= levels[j].on_hand;
        }
    }
    return rc;
}

static void read_order(summary *sum, const hf_order *o, hf_time end)
{
    order_row *row = &sum->orders[sum->n_orders++];
    row->status = o->status;
    row->total = hf_order_total(o);
    row->placed_at = o->placed_at;
    snprintf(row->reason, sizeof(row->reason), "%s",
             o->cancel_reason ? o->cancel_reason : "");
    row->times_ok = true;
    hf_time prev = o->placed_at;
    for (size_t i = 0; i < o->n_events; i++) {
        const hf_order_event *e = &o->events[i];
        row->times_ok = row->times_ok && e->at >= prev && e->at < end;
        prev = e->at;
        if (strcmp(e->type, "status_changed") == 0 &&
            e->to == HF_STATUS_SHIPPED)
            row->shipped_at = e->at;
        if (strcmp(e->type, "cancelled") == 0)
            row->whole_cancel = true;
    }
    row->last_event = prev;
    int n = snprintf(row->text, sizeof(row->text),
                     "%s|%s|%s|%s|%s %s|%s|%s|%s|%s|%s|%s|%lld|%lld|%lld|%s",
                     o->number, o->customer.email, o->customer.name,
                     o->shipping_address.name, o->shipping_address.line1,
                     o->shipping_address.line2 ? o->shipping_address.line2 : "",
                     o->shipping_address.city, o->shipping_address.postal_code,
                     o->shipping_address.country, o->channel, o->payment.method,
                     hf_order_status_name(o->status), (long long)row->total,
                     (long long)o->placed_at, (long long)prev,
                     o->cancel_reason ? o->cancel_reason : "");
    for (size_t i = 0; i < o->n_lines && n > 0 && (size_t)n < sizeof(row->text);
         i++)
        n += snprintf(row->text + n, sizeof(row->text) - (size_t)n, "|%s x%lld",
                      o->lines[i].sku, (long long)o->lines[i].qty);
    if (!hf_order_status_holds_stock(o->status))
        return;
    for (size_t i = 0; i < o->n_lines; i++) {
        product_row *p = find_product(sum, o->lines[i].sku);
        for (size_t j = 0; p != NULL && j < o->lines[i].n_allocations; j++)
            p->reserved_by_orders += o->lines[i].allocations[j].qty;
    }
}

static hf_rc read_summary(hf_txn *t, void *arg, hf_err *err)
{
    read_args *r = arg;
    summary *sum = r->sum;
    hf_location *locs;
    hf_rc rc = hf_txn_location_list(t, r->a, &locs, &sum->n_locations, err);
    if (rc == HF_OK)
        rc = read_products(t, sum, r->a, err);
    /* numbers are sequential: read until the first that does not exist */
    while (rc == HF_OK && sum->n_orders <= ORDERS) {
        char number[32];
        snprintf(number, sizeof(number), "HF-%zu", 100001 + sum->n_orders);
        hf_order o;
        hf_arena_reset(r->a);
        rc = hf_txn_order_get(t, number, r->a, &o, err);
        if (rc == HF_ENOTFOUND)
            return HF_OK;
        if (rc == HF_OK)
            read_order(sum, &o, end_time());
    }
    return rc;
}

/* Reads the shop into a new summary (free with free()). */
static summary *summarize(shop *s)
{
    summary *sum = calloc(1, sizeof(*sum));
    assert_non_null(sum);
    read_args r = {sum, hf_arena_new(0)};
    assert_non_null(r.a);
    hf_err err;
    hf_rc rc = hf_store_read(s->store, read_summary, &r, &err);
    hf_arena_free(r.a);
    if (rc != HF_OK)
        fail_msg("reading the shop: %s", err.message);
    return sum;
}

/* --- The shared shop ----------------------------------------------------- */

typedef struct fixture {
    shop shop;
    summary *sum;
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof(*f));
    if (f == NULL || hf_id_init() != 0)
        return -1;
    shop_open(&f->shop);
    hf_err err;
    if (generate(&f->shop, SEED, &err) != HF_OK) {
        fprintf(stderr, "demo: %s\n", err.message);
        return -1;
    }
    f->sum = summarize(&f->shop);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    shop_close(&f->shop);
    free(f->sum);
    free(f);
    return 0;
}

static size_t count_status(const summary *sum, hf_order_status s)
{
    size_t n = 0;
    for (size_t i = 0; i < sum->n_orders; i++)
        n += sum->orders[i].status == s;
    return n;
}

/* --- Tests --------------------------------------------------------------- */

static void test_counts(void **state)
{
    fixture *f = *state;
    const summary *sum = f->sum;
    assert_int_equal(sum->n_products, PRODUCTS);
    assert_int_equal(sum->n_orders, ORDERS);
    assert_int_equal(sum->n_locations, 3); /* main, east, west */
    assert_int_equal(sql_count(&f->shop, "SELECT count(*) FROM customers"),
                     CUSTOMERS);
    /* every order belongs to one of the customers created */
    assert_int_equal(sql_count(&f->shop,
                               "SELECT count(*) FROM orders WHERE "
                               "customer_id NOT IN (SELECT id FROM customers)"),
                     0);
    assert_true(sql_count(&f->shop, "SELECT count(DISTINCT category) FROM "
                                    "products") >= 3);
    /* the history's messages were written, and settled: nobody is told
     * about months-old orders when the demo starts */
    assert_true(sql_count(&f->shop, "SELECT count(*) FROM outbox") > 0);
    assert_int_equal(sql_count(&f->shop, "SELECT count(*) FROM outbox "
                                         "WHERE delivered_at IS NULL"),
                     0);
}

static void test_prices_and_costs(void **state)
{
    fixture *f = *state;
    for (size_t i = 0; i < f->sum->n_products; i++) {
        const product_row *p = &f->sum->products[i];
        assert_in_range(p->price, 700, 25000);
        assert_true(p->cost * 100 >= p->price * 34);
        assert_true(p->cost * 100 <= p->price * 66);
    }
}

static void test_timeline(void **state)
{
    fixture *f = *state;
    const summary *sum = f->sum;
    hf_time end = end_time(), start = end - DAYS * HF_DAY;
    size_t shipped = 0, slow = 0, fast = 0;
    for (size_t i = 0; i < sum->n_orders; i++) {
        const order_row *o = &sum->orders[i];
        assert_true(o->placed_at >= start && o->placed_at < end);
        /* numbers follow placement time */
        if (i > 0)
            assert_true(o->placed_at >= sum->orders[i - 1].placed_at);
        assert_true(o->times_ok);
        /* nothing placed in the last three hours is on its way yet */
        if (o->placed_at > end - 3 * HF_HOUR)
            assert_true(o->shipped_at == 0);
        if (o->shipped_at != 0) {
            hf_time took = o->shipped_at - o->placed_at;
            shipped++;
            slow += took > 48 * HF_HOUR;
            fast += took < 3 * HF_HOUR;
        }
    }
    /* shipping takes about a day, with a tail past two days */
    assert_true(shipped > ORDERS * 8 / 10);
    assert_in_range(slow * 100 / shipped, 2, 25);
    assert_int_equal(fast, 0);
    /* most orders are done; recent ones are still moving */
    size_t done = count_status(sum, HF_STATUS_DELIVERED) +
                  count_status(sum, HF_STATUS_RETURNED) +
                  count_status(sum, HF_STATUS_CANCELLED);
    assert_true(done > ORDERS * 8 / 10);
    assert_true(count_status(sum, HF_STATUS_SHIPPED) > 0);
    assert_true(count_status(sum, HF_STATUS_CONFIRMED) +
                    count_status(sum, HF_STATUS_ALLOCATED) +
                    count_status(sum, HF_STATUS_PICKING) +
                    count_status(sum, HF_STATUS_PACKED) >
                0);
}

static void test_cancellations(void **state)
{
    fixture *f = *state;
    const summary *sum = f->sum;
    size_t cancelled = count_status(sum, HF_STATUS_CANCELLED);
    /* about 1.5% */
    assert_in_range(cancelled, 2, ORDERS * 4 / 100);
    for (size_t i = 0; i < sum->n_orders; i++) {
        const order_row *o = &sum->orders[i];
        if (o->status == HF_STATUS_CANCELLED) {
            assert_true(hf_cancel_reason_valid(o->reason));
            assert_true(o->whole_cancel);
            assert_true(o->shipped_at == 0); /* cancelled before shipment */
            assert_int_equal(o->total, 0);
        } else if (o->reason[0] != '\0') {
            /* a partial cancellation: the rest went on */
            assert_true(hf_cancel_reason_valid(o->reason));
            assert_false(o->whole_cancel);
        }
    }
}

static void test_stock_consistent(void **state)
{
    fixture *f = *state;
    for (size_t i = 0; i < f->sum->n_products; i++) {
        const product_row *p = &f->sum->products[i];
        assert_true(p->level_ok);
        assert_true(p->on_hand >= 0);
        /* every reserved unit is held by an open order, and only those */
        assert_int_equal(p->reserved, p->reserved_by_orders);
    }
}

static void test_refuses_non_empty_store(void **state)
{
    fixture *f = *state;
    hf_err err;
    assert_int_equal(generate(&f->shop, SEED, &err), HF_ECONFLICT);
    assert_string_equal(err.code, "not_empty");
    assert_int_equal(sql_count(&f->shop, "SELECT count(*) FROM orders"),
                     ORDERS);
}

static void test_rejects_bad_options(void **state)
{
    (void)state;
    shop s;
    shop_open(&s);
    hf_demo_options opt = {1, -3, 0, 0, 0, end_time()};
    hf_err err;
    assert_int_equal(hf_demo_generate(&s.svc, &opt, &err), HF_EINVAL);
    assert_string_equal(err.field, "days");
    assert_int_equal(sql_count(&s, "SELECT count(*) FROM products"), 0);
    shop_close(&s);
}

static bool same_shop(const summary *a, const summary *b)
{
    if (a->n_products != b->n_products || a->n_orders != b->n_orders)
        return false;
    for (size_t i = 0; i < a->n_products; i++)
        if (strcmp(a->products[i].text, b->products[i].text) != 0)
            return false;
    for (size_t i = 0; i < a->n_orders; i++) {
        if (strcmp(a->orders[i].text, b->orders[i].text) != 0)
            return false;
    }
    return true;
}

static void test_same_seed_same_shop(void **state)
{
    fixture *f = *state;
    shop again, other;
    shop_open(&again);
    shop_open(&other);
    hf_err err;
    assert_int_equal(generate(&again, SEED, &err), HF_OK);
    assert_int_equal(generate(&other, SEED + 1, &err), HF_OK);
    summary *same = summarize(&again), *different = summarize(&other);
    assert_true(same_shop(f->sum, same));
    assert_false(same_shop(f->sum, different));
    free(same);
    free(different);
    shop_close(&again);
    shop_close(&other);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_counts),
        cmocka_unit_test(test_prices_and_costs),
        cmocka_unit_test(test_timeline),
        cmocka_unit_test(test_cancellations),
        cmocka_unit_test(test_stock_consistent),
        cmocka_unit_test(test_refuses_non_empty_store),
        cmocka_unit_test(test_rejects_bad_options),
        cmocka_unit_test(test_same_seed_same_shop),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
