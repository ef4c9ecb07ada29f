/* Unit tests for core/allocation: which locations reserve an order's
 * units. */
#include "core/allocation.h"
#include "util/mem.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

static int setup(void **state)
{
    hf_arena *a = hf_arena_new(0);
    if (a == NULL)
        return -1;
    *state = a;
    return 0;
}

static int teardown(void **state)
{
    hf_arena_free(*state);
    return 0;
}

/* Units of line l reserved at location loc (0 when none). */
static int64_t reserved_at(const hf_order_line *l, const char *loc)
{
    int64_t sum = 0;
    for (size_t i = 0; i < l->n_allocations; i++)
        if (strcmp(l->allocations[i].location, loc) == 0)
            sum += l->allocations[i].qty;
    return sum;
}

/* Units of l reserved anywhere. */
static int64_t reserved_total(const hf_order_line *l)
{
    int64_t sum = 0;
    for (size_t i = 0; i < l->n_allocations; i++)
        sum += l->allocations[i].qty;
    return sum;
}

/* Asserts that no location reserves more of a SKU, over all lines, than it
 * had available, and that every allocation is of a positive quantity. */
static void assert_within_stock(const hf_order_line *lines, size_t n_lines,
                                const hf_stock_level *stock, size_t n_stock)
{
    for (size_t s = 0; s < n_stock; s++) {
        int64_t taken = 0;
        for (size_t j = 0; j < n_lines; j++)
            if (strcmp(lines[j].sku, stock[s].sku) == 0)
                taken += reserved_at(&lines[j], stock[s].location);
        int64_t avail = stock[s].on_hand - stock[s].reserved;
        if (avail < 0)
            avail = 0;
        if (taken > avail)
            fail_msg("%s at %s: reserved %lld of %lld available", stock[s].sku,
                     stock[s].location, (long long)taken, (long long)avail);
    }
    for (size_t j = 0; j < n_lines; j++)
        for (size_t i = 0; i < lines[j].n_allocations; i++)
            assert_true(lines[j].allocations[i].qty > 0);
}

static void test_single_line_preferred_location(void **state)
{
    hf_order_line lines[] = {{.sku = "MUG", .qty = 2}};
    hf_stock_level stock[] = {
        {.sku = "MUG", .location = "main", .on_hand = 10},
        {.sku = "MUG", .location = "east", .on_hand = 10},
    };
    hf_err err;
    hf_err_clear(&err);
    assert_int_equal(hf_allocate(lines, 1, stock, 2, *state, &err), HF_OK);
    assert_int_equal(lines[0].n_allocations, 1);
    assert_string_equal(lines[0].allocations[0].location, "main");
    assert_int_equal(lines[0].allocations[0].qty, 2);
}

static void test_prefers_one_location_for_whole_order(void **state)
{
    /* main has each SKU but not both; east has both. Line by line, MUG
     * would go to main; the whole order fits only at east, so one shipment
     * from east wins. */
    hf_order_line lines[] = {
        {.sku = "MUG", .qty = 2},
        {.sku = "TEE", .qty = 1},
    };
    hf_stock_level stock[] = {
        {.sku = "MUG", .location = "main", .on_hand = 5},
        {.sku = "TEE", .location = "main", .on_hand = 0},
        {.sku = "MUG", .location = "east", .on_hand = 3},
        {.sku = "TEE", .location = "east", .on_hand = 1},
    };
    assert_int_equal(hf_allocate(lines, 2, stock, 4, *state, NULL), HF_OK);
    for (size_t j = 0; j < 2; j++) {
        assert_int_equal(lines[j].n_allocations, 1);
        assert_string_equal(lines[j].allocations[0].location, "east");
    }
    assert_int_equal(reserved_at(&lines[0], "east"), 2);
    assert_int_equal(reserved_at(&lines[1], "east"), 1);
    assert_within_stock(lines, 2, stock, 4);
}

static void test_whole_order_counts_repeated_sku(void **state)
{
    /* two lines of the same SKU need 4 units together: main has 3, so the
     * order goes whole to east rather than being split */
    hf_order_line lines[] = {
        {.sku = "MUG", .qty = 2},
        {.sku = "MUG", .qty = 2},
    };
    hf_stock_level stock[] = {
        {.sku = "MUG", .location = "main", .on_hand = 3},
        {.sku = "MUG", .location = "east", .on_hand = 4},
    };
    assert_int_equal(hf_allocate(lines, 2, stock, 2, *state, NULL), HF_OK);
    assert_int_equal(reserved_at(&lines[0], "east"), 2);
    assert_int_equal(reserved_at(&lines[1], "east"), 2);
    assert_int_equal(reserved_at(&lines[0], "main"), 0);
    assert_int_equal(reserved_at(&lines[1], "main"), 0);
    assert_within_stock(lines, 2, stock, 2);
}

static void test_reserved_units_are_not_available(void **state)
{
    /* main holds 10 but 9 are promised to other orders */
    hf_order_line lines[] = {{.sku = "MUG", .qty = 2}};
    hf_stock_level stock[] = {
        {.sku = "MUG", .location = "main", .on_hand = 10, .reserved = 9},
        {.sku = "MUG", .location = "east", .on_hand = 2},
    };
    assert_int_equal(hf_allocate(lines, 1, stock, 2, *state, NULL), HF_OK);
    assert_int_equal(reserved_at(&lines[0], "east"), 2);
    assert_int_equal(reserved_at(&lines[0], "main"), 0);
    assert_within_stock(lines, 1, stock, 2);
}

static void test_lines_go_whole_to_different_locations(void **state)
{
    /* no location has both SKUs: each line goes whole where it is */
    hf_order_line lines[] = {
        {.sku = "MUG", .qty = 2},
        {.sku = "TEE", .qty = 3},
    };
    hf_stock_level stock[] = {
        {.sku = "MUG", .location = "main", .on_hand = 5},
        {.sku = "TEE", .location = "main", .on_hand = 1},
        {.sku = "MUG", .location = "east", .on_hand = 0},
        {.sku = "TEE", .location = "east", .on_hand = 3},
    };
    assert_int_equal(hf_allocate(lines, 2, stock, 4, *state, NULL), HF_OK);
    assert_int_equal(lines[0].n_allocations, 1);
    assert_int_equal(reserved_at(&lines[0], "main"), 2);
    assert_int_equal(lines[1].n_allocations, 1);
    assert_int_equal(reserved_at(&lines[1], "east"), 3);
    assert_within_stock(lines, 2, stock, 4);
}

static void test_splits_when_no_location_can(void **state)
{
    /* 7 units wanted, 4 + 2 + 3 available: split, fullest first */
    hf_order_line lines[] = {{.sku = "MUG", .qty = 7}};
    hf_stock_level stock[] = {
        {.sku = "MUG", .location = "main", .on_hand = 2},
        {.sku = "MUG", .location = "east", .on_hand = 4},
        {.sku = "MUG", .location = "west", .on_hand = 5, .reserved = 2},
    };
    assert_int_equal(hf_allocate(lines, 1, stock, 3, *state, NULL), HF_OK);
    assert_int_equal(reserved_total(&lines[0]), 7);
    assert_int_equal(lines[0].n_allocations, 2);
    assert_string_equal(lines[0].allocations[0].location, "east");
    assert_int_equal(lines[0].allocations[0].qty, 4);
    assert_string_equal(lines[0].allocations[1].location, "west");
    assert_int_equal(lines[0].allocations[1].qty, 3);
    assert_within_stock(lines, 1, stock, 3);
}

static void test_split_uses_every_last_unit(void **state)
{
    hf_order_line lines[] = {{.sku = "MUG", .qty = 9}};
    hf_stock_level stock[] = {
        {.sku = "MUG", .location = "main", .on_hand = 2},
        {.sku = "MUG", .location = "east", .on_hand = 4},
        {.sku = "MUG", .location = "west", .on_hand = 3},
    };
    assert_int_equal(hf_allocate(lines, 1, stock, 3, *state, NULL), HF_OK);
    assert_int_equal(reserved_at(&lines[0], "main"), 2);
    assert_int_equal(reserved_at(&lines[0], "east"), 4);
    assert_int_equal(reserved_at(&lines[0], "west"), 3);
    assert_within_stock(lines, 1, stock, 3);
}

static void test_later_lines_see_earlier_reservations(void **state)
{
    /* both lines want MUG; the first takes main's 3, the second must not
     * be given the same units again */
    hf_order_line lines[] = {
        {.sku = "MUG", .qty = 3},
        {.sku = "MUG", .qty = 3},
        {.sku = "TEE", .qty = 1},
    };
    hf_stock_level stock[] = {
        {.sku = "MUG", .location = "main", .on_hand = 3},
        {.sku = "MUG", .location = "east", .on_hand = 4},
        {.sku = "TEE", .location = "north", .on_hand = 1},
    };
    assert_int_equal(hf_allocate(lines, 3, stock, 3, *state, NULL), HF_OK);
    assert_int_equal(reserved_total(&lines[0]), 3);
    assert_int_equal(reserved_total(&lines[1]), 3);
    assert_int_equal(reserved_at(&lines[0], "main"), 3);
    assert_int_equal(reserved_at(&lines[1], "east"), 3);
    assert_int_equal(reserved_at(&lines[2], "north"), 1);
    assert_within_stock(lines, 3, stock, 3);
}

static void test_only_live_units_are_allocated(void **state)
{
    hf_order_line lines[] = {
        {.sku = "MUG", .qty = 5, .cancelled_qty = 3},
        {.sku = "TEE", .qty = 2, .cancelled_qty = 2},
    };
    /* TEE is nowhere, but its line is fully cancelled */
    hf_stock_level stock[] = {
        {.sku = "MUG", .location = "main", .on_hand = 2},
    };
    assert_int_equal(hf_allocate(lines, 2, stock, 1, *state, NULL), HF_OK);
    assert_int_equal(reserved_at(&lines[0], "main"), 2);
    assert_int_equal(lines[1].n_allocations, 0);
    assert_within_stock(lines, 2, stock, 1);
}

static void test_replaces_previous_allocations(void **state)
{
    hf_allocation stale[] = {{.location = "gone", .qty = 99}};
    hf_order_line lines[] = {
        {.sku = "MUG", .qty = 1, .allocations = stale, .n_allocations = 1},
    };
    hf_stock_level stock[] = {{.sku = "MUG", .location = "main", .on_hand = 1}};
    assert_int_equal(hf_allocate(lines, 1, stock, 1, *state, NULL), HF_OK);
    assert_int_equal(lines[0].n_allocations, 1);
    assert_string_equal(lines[0].allocations[0].location, "main");
}

static void test_out_of_stock_names_the_line(void **state)
{
    hf_order_line lines[] = {
        {.sku = "MUG", .qty = 1},
        {.sku = "TEE", .qty = 4},
    };
    hf_stock_level stock[] = {
        {.sku = "MUG", .location = "main", .on_hand = 5},
        {.sku = "TEE", .location = "main", .on_hand = 2},
        {.sku = "TEE", .location = "east", .on_hand = 3, .reserved = 2},
    };
    hf_err err;
    hf_err_clear(&err);
    assert_int_equal(hf_allocate(lines, 2, stock, 3, *state, &err),
                     HF_ECONFLICT);
    assert_int_equal(err.rc, HF_ECONFLICT);
    assert_string_equal(err.code, "out_of_stock");
    assert_string_equal(err.field, "lines[1].qty");
    assert_non_null(strstr(err.message, "TEE"));
}

static void test_out_of_stock_unknown_sku(void **state)
{
    hf_order_line lines[] = {{.sku = "GHOST", .qty = 1}};
    hf_stock_level stock[] = {{.sku = "MUG", .location = "main", .on_hand = 5}};
    hf_err err;
    hf_err_clear(&err);
    assert_int_equal(hf_allocate(lines, 1, stock, 1, *state, &err),
                     HF_ECONFLICT);
    assert_string_equal(err.code, "out_of_stock");
    assert_string_equal(err.field, "lines[0].qty");

    hf_err_clear(&err);
    assert_int_equal(hf_allocate(lines, 1, NULL, 0, *state, &err),
                     HF_ECONFLICT);
    assert_string_equal(err.field, "lines[0].qty");
}

static void test_oversold_location_counts_as_empty(void **state)
{
    /* reserved above on_hand (a count correction) is zero available,
     * not negative: it must not cancel out another location's units */
    hf_order_line lines[] = {{.sku = "MUG", .qty = 3}};
    hf_stock_level stock[] = {
        {.sku = "MUG", .location = "main", .on_hand = 1, .reserved = 4},
        {.sku = "MUG", .location = "east", .on_hand = 2},
    };
    hf_err err;
    hf_err_clear(&err);
    assert_int_equal(hf_allocate(lines, 1, stock, 2, *state, &err),
                     HF_ECONFLICT);
    assert_string_equal(err.field, "lines[0].qty");

    lines[0].qty = 2;
    assert_int_equal(hf_allocate(lines, 1, stock, 2, *state, &err), HF_OK);
    assert_int_equal(reserved_at(&lines[0], "east"), 2);
    assert_int_equal(reserved_at(&lines[0], "main"), 0);
}

static void test_cancelled_line_does_not_block_preferred_location(void **state)
{
    /* the TEE line is fully cancelled; main is oversold on TEE (reserved
     * above on hand) but needs to ship no TEE, so main still takes the
     * whole order as the preferred location */
    hf_order_line lines[] = {
        {.sku = "MUG", .qty = 2},
        {.sku = "TEE", .qty = 1, .cancelled_qty = 1},
    };
    hf_stock_level stock[] = {
        {.sku = "MUG", .location = "main", .on_hand = 5},
        {.sku = "TEE", .location = "main", .on_hand = 0, .reserved = 2},
        {.sku = "MUG", .location = "east", .on_hand = 5},
    };
    assert_int_equal(hf_allocate(lines, 2, stock, 3, *state, NULL), HF_OK);
    assert_int_equal(lines[0].n_allocations, 1);
    assert_string_equal(lines[0].allocations[0].location, "main");
    assert_int_equal(lines[1].n_allocations, 0);
}

static void test_exhaustive_small_cases_stay_within_stock(void **state)
{
    /* every stock vector of 0..3 units at three locations against an order
     * of two lines of the same SKU: never over-allocates, and succeeds
     * exactly when the units exist */
    for (int m = 0; m <= 3; m++) {
        for (int e = 0; e <= 3; e++) {
            for (int w = 0; w <= 3; w++) {
                for (int q1 = 1; q1 <= 3; q1++) {
                    for (int q2 = 0; q2 <= 3; q2++) {
                        hf_order_line lines[] = {
                            {.sku = "MUG", .qty = q1},
                            {.sku = "MUG", .qty = q2},
                        };
                        hf_stock_level stock[] = {
                            {.sku = "MUG", .location = "main", .on_hand = m},
                            {.sku = "MUG", .location = "east", .on_hand = e},
                            {.sku = "MUG", .location = "west", .on_hand = w},
                        };
                        hf_arena_reset(*state);
                        hf_rc rc =
                            hf_allocate(lines, 2, stock, 3, *state, NULL);
                        if (q1 + q2 <= m + e + w) {
                            assert_int_equal(rc, HF_OK);
                            assert_int_equal(reserved_total(&lines[0]), q1);
                            assert_int_equal(reserved_total(&lines[1]), q2);
                            assert_within_stock(lines, 2, stock, 3);
                        } else {
                            assert_int_equal(rc, HF_ECONFLICT);
                        }
                    }
                }
            }
        }
    }
}

static void test_full_arena_is_enomem(void **state)
{
    (void)state;
    /* an arena too small for the plan itself */
    hf_arena *tiny = hf_arena_new(16);
    assert_non_null(tiny);
    hf_order_line lines[] = {{.sku = "MUG", .qty = 1}};
    hf_stock_level stock[] = {
        {.sku = "MUG", .location = "main", .on_hand = 1},
        {.sku = "MUG", .location = "east", .on_hand = 1},
    };
    hf_err err;
    hf_err_clear(&err);
    assert_int_equal(hf_allocate(lines, 1, stock, 2, tiny, &err), HF_ENOMEM);
    assert_int_equal(err.rc, HF_ENOMEM);
    hf_arena_free(tiny);
}

static void test_every_allocation_failure_is_enomem(void **state)
{
    (void)state;
    /* fault injection: make each memory allocation fail in turn; the
     * result is HF_OK or HF_ENOMEM, never a crash or a leak */
    long before = hf_mem_live();
    int saw_enomem = 0, saw_ok = 0;
    for (long n = 1; n < 50 && !saw_ok; n++) {
        hf_order_line lines[] = {
            {.sku = "MUG", .qty = 7},
            {.sku = "TEE", .qty = 1},
        };
        hf_stock_level stock[] = {
            {.sku = "MUG", .location = "main", .on_hand = 2},
            {.sku = "MUG", .location = "east", .on_hand = 4},
            {.sku = "MUG", .location = "west", .on_hand = 3},
            {.sku = "TEE", .location = "west", .on_hand = 3},
        };
        hf_arena *a = hf_arena_new(0);
        if (a == NULL)
            continue;
        hf_mem_fail_after(n);
        hf_rc rc = hf_allocate(lines, 2, stock, 4, a, NULL);
        hf_mem_fail_after(0);
        if (rc == HF_OK) {
            saw_ok = 1;
            assert_within_stock(lines, 2, stock, 4);
            assert_int_equal(reserved_total(&lines[0]), 7);
        } else {
            assert_int_equal(rc, HF_ENOMEM);
            saw_enomem = 1;
        }
        hf_arena_free(a);
    }
    assert_true(saw_enomem);
    assert_true(saw_ok);
    assert_int_equal(hf_mem_live(), before);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_single_line_preferred_location,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_prefers_one_location_for_whole_order, setup, teardown),
        cmocka_unit_test_setup_teardown(test_whole_order_counts_repeated_sku,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_reserved_units_are_not_available,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_lines_go_whole_to_different_locations, setup, teardown),
        cmocka_unit_test_setup_teardown(test_splits_when_no_location_can, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_split_uses_every_last_unit, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(
            test_later_lines_see_earlier_reservations, setup, teardown),
        cmocka_unit_test_setup_teardown(test_only_live_units_are_allocated,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_replaces_previous_allocations,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_out_of_stock_names_the_line, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_out_of_stock_unknown_sku, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_oversold_location_counts_as_empty,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_cancelled_line_does_not_block_preferred_location, setup,
            teardown),
        cmocka_unit_test_setup_teardown(
            test_exhaustive_small_cases_stay_within_stock, setup, teardown),
        cmocka_unit_test(test_full_arena_is_enomem),
        cmocka_unit_test(test_every_allocation_failure_is_enomem),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
