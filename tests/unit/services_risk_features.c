/* services_risk_features.c - the risk model's features: taken as the
 * store stood at the order's placement, so that what happens later (a
 * later order of the customer cancelled) never changes them. */
#include "services/risk_features.h"
#include "services/demo.h"
#include "services/orders.h"
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

enum { PRODUCTS = 20, CUSTOMERS = 50, ORDERS = 300, DAYS = 30, SEED = 7 };

/* Fills s with the tests' shop from seed. */
static hf_rc generate(shop *s, unsigned long seed, hf_err *err)
{
    return shop_generate(s, seed, DAYS, PRODUCTS, CUSTOMERS, ORDERS, err);
}

/* Opens s and fills it with the tests' shop. */
static void open_generated(shop *s)
{
    shop_open(s);
    hf_err err;
    assert_int_equal(generate(s, SEED, &err), HF_OK);
}

/* One text from SQL. */
static void sql_text(const shop *s, const char *sql, char *out, size_t size)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    out[0] = '\0';
    assert_int_equal(sqlite3_open_v2(s->path, &db, SQLITE_OPEN_READONLY, NULL),
                     SQLITE_OK);
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
        snprintf(out, size, "%s", (const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    sqlite3_close(db);
}

typedef struct feat_args {
    const char *number;
    hf_arena *a;
    hf_risk_row row;
    hf_time placed_at;    /* not 0: the order's features as if placed then */
    hf_risk_cache *cache; /* NULL: none */
} feat_args;

static hf_rc feat_fn(hf_txn *t, void *arg, hf_err *err)
{
    feat_args *f = arg;
    hf_order o;
    hf_rc rc = hf_txn_order_get(t, f->number, f->a, &o, err);
    if (f->placed_at != 0)
        o.placed_at = f->placed_at;
    if (rc == HF_OK)
        rc = hf_risk_features(t, &o, hf_risk_order_held(&o), f->cache, f->a,
                              &f->row, err);
    return rc;
}

static hf_risk_row read_features(shop *s, feat_args *x)
{
    hf_err err;
    assert_int_equal(hf_store_read(s->store, feat_fn, x, &err), HF_OK);
    return x->row;
}

static void features(shop *s, const char *number, hf_arena *a, hf_risk_row *row)
{
    feat_args f = {number, a, {{0}}, 0, NULL};
    *row = read_features(s, &f);
}

static void test_names_are_unique(void **state)
{
    (void)state;
    for (size_t i = 0; i < HF_RISK_NFEATURES; i++) {
        assert_non_null(hf_risk_feature_name(i));
        for (size_t j = 0; j < i; j++)
            assert_string_not_equal(hf_risk_feature_name(i),
                                    hf_risk_feature_name(j));
    }
    assert_null(hf_risk_feature_name(HF_RISK_NFEATURES));
}

/* A customer's earlier order keeps its features when a later one is
 * cancelled; the later one counts the earlier in its history. */
static void test_no_future_leakage(void **state)
{
    (void)state;
    shop s;
    hf_err err;
    open_generated(&s);
    char early[32], late[32];
    static const char pair[] =
        "SELECT a.number || ' ' || b.number FROM orders a JOIN orders b ON "
        "a.customer_id = b.customer_id AND b.placed_at > a.placed_at JOIN "
        "order_lines la ON la.order_seq = a.seq JOIN order_lines lb ON "
        "lb.order_seq = b.seq AND lb.sku = la.sku WHERE b.status IN "
        "('confirmed', 'allocated', 'picking', 'packed') ORDER BY b.seq "
        "LIMIT 1";
    char both[70];
    sql_text(&s, pair, both, sizeof(both));
    assert_int_equal(sscanf(both, "%31s %31s", early, late), 2);

    hf_arena *a = hf_arena_new(1 << 16);
    hf_risk_row before, after, later;
    features(&s, early, a, &before);
    features(&s, late, a, &later);
    /* the later order sees the earlier one in its history */
    assert_true(atoi(later.value[10]) >= 1);
    assert_true(atoi(later.value[15]) >= 1);
    assert_string_not_equal(later.value[13], "");

    hf_cancel_request cr = {
        .order = late, .reason = "changed_mind", .actor = "test"};
    hf_order_result out;
    assert_int_equal(hf_orders_cancel(&s.svc, &cr, a, &out, &err), HF_OK);
    features(&s, early, a, &after);
    for (size_t f = 0; f < HF_RISK_NFEATURES; f++)
        assert_string_equal(before.value[f], after.value[f]);
    /* and the later order's own features do not show its cancellation */
    hf_risk_row late_after;
    features(&s, late, a, &late_after);
    for (size_t f = 0; f < HF_RISK_NFEATURES; f++)
        assert_string_equal(later.value[f], late_after.value[f]);
    hf_arena_free(a);
    shop_close(&s);
}

/* address_issues: 0 for a clean address with a phone, one more for a
 * missing phone, one more for a postal code the country does not use. */
typedef struct address_args {
    const char *number;
    hf_arena *a;
    const char *issues[3];
} address_args;

static hf_rc address_fn(hf_txn *t, void *arg, hf_err *err)
{
    address_args *x = arg;
    hf_order o;
    hf_risk_row row;
    hf_rc rc = hf_txn_order_get(t, x->number, x->a, &o, err);
    o.shipping_address.phone = "+1 555 0100";
    for (int i = 0; i < 3 && rc == HF_OK; i++) {
        if (i == 1)
            o.shipping_address.phone = NULL;
        if (i == 2)
            o.shipping_address.postal_code = "not a zip";
        rc = hf_risk_features(t, &o, false, NULL, x->a, &row, err);
        x->issues[i] = row.value[22];
    }
    return rc;
}

static void test_address_issues(void **state)
{
    (void)state;
    shop s;
    hf_err err;
    open_generated(&s);
    assert_string_equal(hf_risk_feature_name(22), "address_issues");
    hf_arena *a = hf_arena_new(1 << 16);
    address_args x = {"HF-100001", a, {NULL}};
    assert_int_equal(hf_store_read(s.store, address_fn, &x, &err), HF_OK);
    assert_string_equal(x.issues[0], "0");
    assert_string_equal(x.issues[1], "1");
    assert_string_equal(x.issues[2], "2");
    hf_arena_free(a);
    shop_close(&s);
}

/* The lane's history: an order placed tomorrow on a shipped order's lane
 * counts that order's delivery today; the window's cache gives the same
 * features as the store, and a window it holds stays as it was read. */
static void test_lane_history(void **state)
{
    (void)state;
    shop s;
    hf_err err;
    open_generated(&s);
    assert_string_equal(hf_risk_feature_name(24), "lane_deliveries");
    char number[32];
    sql_text(&s,
             "SELECT number FROM orders WHERE status = 'shipped' "
             "ORDER BY seq LIMIT 1",
             number, sizeof(number));
    assert_true(number[0] != '\0');
    hf_arena *a = hf_arena_new(1 << 16);
    hf_risk_cache *cache = hf_risk_cache_new();
    assert_non_null(cache);
    hf_time tomorrow = hf_clock_now(s.clock) + HF_DAY;
    feat_args x = {number, a, {{0}}, tomorrow, NULL};
    hf_risk_row before = read_features(&s, &x);
    x.cache = cache;
    hf_risk_row cached = read_features(&s, &x);
    for (size_t f = 0; f < HF_RISK_NFEATURES; f++)
        assert_string_equal(before.value[f], cached.value[f]);
    x.placed_at = hf_clock_now(s.clock);
    x.cache = NULL;
    hf_risk_row today = read_features(&s, &x);

    hf_transition_request tr = {number, "delivered", NULL, "test", 0};
    hf_order_result out;
    assert_int_equal(hf_orders_transition(&s.svc, &tr, a, &out, &err), HF_OK);
    /* an order placed today does not count today's delivery */
    assert_string_equal(read_features(&s, &x).value[24], today.value[24]);
    x.placed_at = tomorrow;
    hf_risk_row after = read_features(&s, &x);
    assert_int_equal(atoi(after.value[24]), atoi(before.value[24]) + 1);
    assert_string_not_equal(after.value[23], "");
    /* the cache holds tomorrow's window as it read it */
    x.cache = cache;
    assert_string_equal(read_features(&s, &x).value[24], before.value[24]);
    hf_risk_cache_free(cache);
    hf_arena_free(a);
    shop_close(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_names_are_unique),
        cmocka_unit_test(test_no_future_leakage),
        cmocka_unit_test(test_address_issues),
        cmocka_unit_test(test_lane_history),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
