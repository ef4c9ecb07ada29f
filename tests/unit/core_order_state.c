/* Unit tests for core/order_state: names, the transition table, holds and
 * cancellability. */
#include "core/order_state.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

/* Short names keep the tables below one row per line. */
#define P HF_STATUS_PENDING
#define C HF_STATUS_CONFIRMED
#define A HF_STATUS_ALLOCATED
#define K HF_STATUS_PICKING
#define B HF_STATUS_PACKED
#define S HF_STATUS_SHIPPED
#define D HF_STATUS_DELIVERED
#define H HF_STATUS_ON_HOLD
#define X HF_STATUS_CANCELLED
#define R HF_STATUS_RETURNED

/* The moves the documentation promises, written out independently of the
 * table in order_state.c; every other pair must be refused. */
static const struct {
    hf_order_status from, to;
} documented[] = {
    {P, C}, {C, A}, {A, K}, {K, B}, {B, S}, /* warehouse flow */
    {C, S}, {A, S}, {K, S},                 /* skipping ahead */
    {S, D}, {D, R},                         /* carrier */
    {P, H}, {C, H}, {A, H}, {K, H}, {B, H}, /* holds before shipment */
};

static bool documented_move(hf_order_status from, hf_order_status to)
{
    for (size_t i = 0; i < sizeof(documented) / sizeof(documented[0]); i++)
        if (documented[i].from == from && documented[i].to == to)
            return true;
    return false;
}

static void test_names_round_trip(void **state)
{
    (void)state;
    static const char *const names[HF_STATUS_COUNT] = {
        "pending", "confirmed", "allocated", "picking",   "packed",
        "shipped", "delivered", "on_hold",   "cancelled", "returned",
    };
    for (int s = 0; s < HF_STATUS_COUNT; s++) {
        assert_string_equal(hf_order_status_name((hf_order_status)s), names[s]);
        hf_order_status parsed = HF_STATUS_COUNT;
        assert_true(hf_order_status_parse(names[s], &parsed));
        assert_int_equal(parsed, s);
    }
    assert_string_equal(hf_order_status_name(HF_STATUS_COUNT), "unknown");
    assert_string_equal(hf_order_status_name((hf_order_status)-1), "unknown");
}

static void test_parse_rejects_unknown(void **state)
{
    (void)state;
    hf_order_status out = HF_STATUS_SHIPPED;
    assert_false(hf_order_status_parse("Pending", &out));
    assert_false(hf_order_status_parse("on-hold", &out));
    assert_false(hf_order_status_parse("canceled", &out));
    assert_false(hf_order_status_parse("", &out));
    assert_false(hf_order_status_parse("unknown", &out));
    assert_false(hf_order_status_parse(NULL, &out));
    assert_int_equal(out, HF_STATUS_SHIPPED); /* untouched */
}

static void test_exactly_documented_moves(void **state)
{
    (void)state;
    int allowed = 0;
    for (int f = 0; f < HF_STATUS_COUNT; f++) {
        if (f == H)
            continue; /* releases depend on held_from; tested below */
        for (int t = 0; t < HF_STATUS_COUNT; t++) {
            bool want = documented_move(f, t);
            /* held_from must not matter for an order that is not held */
            for (int h = 0; h < HF_STATUS_COUNT; h++) {
                bool got = hf_order_transition_allowed(f, t, h);
                if (got != want)
                    fail_msg("%s -> %s (held_from %s): got %d, want %d",
                             hf_order_status_name(f), hf_order_status_name(t),
                             hf_order_status_name(h), got, want);
            }
            allowed += want;
        }
    }
    assert_int_equal(allowed, 15);
}

static void test_forbidden_moves(void **state)
{
    (void)state;
    /* backwards */
    assert_false(hf_order_transition_allowed(D, K, P));
    assert_false(hf_order_transition_allowed(S, B, P));
    assert_false(hf_order_transition_allowed(C, P, P));
    /* holding after shipment */
    assert_false(hf_order_transition_allowed(S, H, P));
    assert_false(hf_order_transition_allowed(D, H, P));
    /* skipping payment or the carrier */
    assert_false(hf_order_transition_allowed(P, S, P));
    assert_false(hf_order_transition_allowed(P, A, P));
    assert_false(hf_order_transition_allowed(B, D, P));
    /* returned only after delivery */
    assert_false(hf_order_transition_allowed(S, R, P));
    /* cancellation is its own operation, never a transition */
    for (int s = 0; s < HF_STATUS_COUNT; s++)
        assert_false(hf_order_transition_allowed(s, X, s));
    /* staying put is not a move */
    for (int s = 0; s < HF_STATUS_COUNT; s++)
        assert_false(hf_order_transition_allowed(s, s, s));
}

static void test_terminal_statuses_go_nowhere(void **state)
{
    (void)state;
    for (int t = 0; t < HF_STATUS_COUNT; t++) {
        for (int h = 0; h < HF_STATUS_COUNT; h++) {
            assert_false(hf_order_transition_allowed(X, t, h));
            assert_false(hf_order_transition_allowed(R, t, h));
        }
    }
}

static void test_hold_releases_only_to_held_from(void **state)
{
    (void)state;
    const hf_order_status holdable[] = {P, C, A, K, B};
    for (size_t i = 0; i < sizeof(holdable) / sizeof(holdable[0]); i++) {
        hf_order_status from = holdable[i];
        for (int t = 0; t < HF_STATUS_COUNT; t++) {
            bool got = hf_order_transition_allowed(H, t, from);
            if (got != (t == (int)from))
                fail_msg("on_hold (from %s) -> %s: got %d",
                         hf_order_status_name(from), hf_order_status_name(t),
                         got);
        }
    }
    /* a held packed order cannot jump to shipped on release */
    assert_false(hf_order_transition_allowed(H, S, B));
    /* nor stay on hold by "releasing" into on_hold */
    assert_false(hf_order_transition_allowed(H, H, H));
}

static void test_cancellable_by_default_until_shipment(void **state)
{
    (void)state;
    const hf_order_status last = HF_STATUS_PACKED;
    assert_true(hf_order_cancellable(P, P, last));
    assert_true(hf_order_cancellable(C, P, last));
    assert_true(hf_order_cancellable(A, P, last));
    assert_true(hf_order_cancellable(K, P, last));
    assert_true(hf_order_cancellable(B, P, last));
    assert_false(hf_order_cancellable(S, P, last));
    assert_false(hf_order_cancellable(D, P, last));
    assert_false(hf_order_cancellable(R, P, last));
    assert_false(hf_order_cancellable(X, P, last)); /* already cancelled */
}

static void test_cancellable_on_hold_follows_held_from(void **state)
{
    (void)state;
    assert_true(hf_order_cancellable(H, P, HF_STATUS_PACKED));
    assert_true(hf_order_cancellable(H, B, HF_STATUS_PACKED));
    assert_false(hf_order_cancellable(H, A, HF_STATUS_CONFIRMED));
    assert_true(hf_order_cancellable(H, C, HF_STATUS_CONFIRMED));
    /* a corrupt hold that points at itself is not cancellable */
    assert_false(hf_order_cancellable(H, H, HF_STATUS_PACKED));
}

static void test_cancellable_respects_policy(void **state)
{
    (void)state;
    /* a merchant who stops cancellation once the warehouse has it */
    assert_true(hf_order_cancellable(P, P, HF_STATUS_CONFIRMED));
    assert_true(hf_order_cancellable(C, P, HF_STATUS_CONFIRMED));
    assert_false(hf_order_cancellable(A, P, HF_STATUS_CONFIRMED));
    assert_false(hf_order_cancellable(K, P, HF_STATUS_CONFIRMED));
    /* no setting makes a shipped order cancellable */
    for (int last = 0; last < HF_STATUS_COUNT; last++) {
        assert_false(hf_order_cancellable(S, P, last));
        assert_false(hf_order_cancellable(D, P, last));
        assert_false(hf_order_cancellable(X, P, last));
        assert_false(hf_order_cancellable(R, P, last));
    }
}

static void test_holds_stock(void **state)
{
    (void)state;
    assert_true(hf_order_status_holds_stock(P));
    assert_true(hf_order_status_holds_stock(C));
    assert_true(hf_order_status_holds_stock(A));
    assert_true(hf_order_status_holds_stock(K));
    assert_true(hf_order_status_holds_stock(B));
    assert_true(hf_order_status_holds_stock(H));
    assert_false(hf_order_status_holds_stock(S));
    assert_false(hf_order_status_holds_stock(D));
    assert_false(hf_order_status_holds_stock(X));
    assert_false(hf_order_status_holds_stock(R));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_names_round_trip),
        cmocka_unit_test(test_parse_rejects_unknown),
        cmocka_unit_test(test_exactly_documented_moves),
        cmocka_unit_test(test_forbidden_moves),
        cmocka_unit_test(test_terminal_statuses_go_nowhere),
        cmocka_unit_test(test_hold_releases_only_to_held_from),
        cmocka_unit_test(test_cancellable_by_default_until_shipment),
        cmocka_unit_test(test_cancellable_on_hold_follows_held_from),
        cmocka_unit_test(test_cancellable_respects_policy),
        cmocka_unit_test(test_holds_stock),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
