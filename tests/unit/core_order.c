/* Unit tests for core/order: totals over live quantities, the cancel
 * reasons, shipping methods and the promised delivery date. */
#include "core/order.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

/* The instant text names; fails the test when text does not parse. */
static hf_time at(const char *text)
{
    hf_time t = 0;
    if (hf_time_parse(text, &t) != 0)
        fail_msg("bad time in test: %s", text);
    return t;
}

/* Asserts that t is the instant `want` (RFC 3339), showing both on
 * failure. */
static void assert_time(hf_time t, const char *want)
{
    char got[HF_TIME_TEXT];
    hf_time_format(t, got);
    assert_string_equal(got, want);
}

static void test_line_live_qty(void **state)
{
    (void)state;
    hf_order_line l = {.qty = 5, .cancelled_qty = 2};
    assert_int_equal(hf_order_line_live_qty(&l), 3);
    l.cancelled_qty = 5;
    assert_int_equal(hf_order_line_live_qty(&l), 0);
    l.cancelled_qty = 0;
    assert_int_equal(hf_order_line_live_qty(&l), 5);
}

static void test_totals(void **state)
{
    (void)state;
    hf_order_line lines[] = {
        {.line_no = 1, .sku = "MUG", .qty = 2, .unit_price = 1250},
        {.line_no = 2, .sku = "TEE", .qty = 3, .unit_price = 1999},
    };
    hf_order o = {.currency = "USD", .lines = lines, .n_lines = 2};
    assert_int_equal(hf_order_subtotal(&o), 2 * 1250 + 3 * 1999);
    assert_int_equal(hf_order_total(&o), 8497);

    o.shipping_total = 1500;
    o.discount_total = 1000;
    o.tax_total = 680;
    assert_int_equal(hf_order_subtotal(&o), 8497);
    assert_int_equal(hf_order_total(&o), 8497 + 1500 - 1000 + 680);
}

static void test_totals_exclude_cancelled_units(void **state)
{
    (void)state;
    hf_order_line lines[] = {
        {.line_no = 1, .sku = "MUG", .qty = 2, .unit_price = 1250},
        {.line_no = 2,
         .sku = "TEE",
         .qty = 3,
         .cancelled_qty = 1,
         .unit_price = 1999},
    };
    hf_order o = {.lines = lines, .n_lines = 2, .shipping_total = 500};
    assert_int_equal(hf_order_subtotal(&o), 2500 + 2 * 1999);
    assert_int_equal(hf_order_total(&o), 2500 + 2 * 1999 + 500);
    assert_false(hf_order_fully_cancelled(&o));

    lines[0].cancelled_qty = 2;
    lines[1].cancelled_qty = 3;
    assert_int_equal(hf_order_subtotal(&o), 0);
    assert_int_equal(hf_order_total(&o), 500); /* shipping is not a line */
    assert_true(hf_order_fully_cancelled(&o));
}

static void test_fully_cancelled_needs_every_line(void **state)
{
    (void)state;
    hf_order_line lines[] = {
        {.sku = "A", .qty = 1, .cancelled_qty = 1, .unit_price = 100},
        {.sku = "B", .qty = 4, .cancelled_qty = 3, .unit_price = 100},
    };
    hf_order o = {.lines = lines, .n_lines = 2};
    assert_false(hf_order_fully_cancelled(&o));
    lines[1].cancelled_qty = 4;
    assert_true(hf_order_fully_cancelled(&o));
}

static void test_empty_order(void **state)
{
    (void)state;
    hf_order o = {.tax_total = 10};
    assert_int_equal(hf_order_subtotal(&o), 0);
    assert_int_equal(hf_order_total(&o), 10);
    assert_true(hf_order_fully_cancelled(&o));
}

static void test_cancel_reasons(void **state)
{
    (void)state;
    static const char *const want[] = {
        "inaccurate_product_info",
        "shipping_delay",
        "poor_customer_service",
        "changed_mind",
        "found_better_price",
        "ordered_by_mistake",
        "fraud_suspected",
        "out_of_stock",
        "other",
    };
    const char *const *got = hf_cancel_reasons();
    size_t n = 0;
    while (got[n] != NULL) {
        assert_true(n < sizeof(want) / sizeof(want[0]));
        assert_string_equal(got[n], want[n]);
        assert_true(hf_cancel_reason_valid(got[n]));
        n++;
    }
    assert_int_equal(n, sizeof(want) / sizeof(want[0]));
}

static void test_cancel_reason_rejects_others(void **state)
{
    (void)state;
    assert_false(hf_cancel_reason_valid(NULL));
    assert_false(hf_cancel_reason_valid(""));
    assert_false(hf_cancel_reason_valid("Other"));
    assert_false(hf_cancel_reason_valid("changed-mind"));
    assert_false(hf_cancel_reason_valid("changed_mind "));
    assert_false(hf_cancel_reason_valid("out_of"));
    assert_false(hf_cancel_reason_valid("customer_request"));
}

static void test_shipping_method_names(void **state)
{
    (void)state;
    hf_shipping_method m = HF_SHIP_COUNT;
    assert_string_equal(hf_shipping_method_name(HF_SHIP_STANDARD), "standard");
    assert_string_equal(hf_shipping_method_name(HF_SHIP_EXPEDITED),
                        "expedited");
    assert_string_equal(hf_shipping_method_name(HF_SHIP_COUNT), "unknown");
    assert_true(hf_shipping_method_parse("standard", &m));
    assert_int_equal(m, HF_SHIP_STANDARD);
    assert_true(hf_shipping_method_parse("expedited", &m));
    assert_int_equal(m, HF_SHIP_EXPEDITED);

    m = HF_SHIP_EXPEDITED;
    assert_false(hf_shipping_method_parse("Standard", &m));
    assert_false(hf_shipping_method_parse("overnight", &m));
    assert_false(hf_shipping_method_parse("", &m));
    assert_false(hf_shipping_method_parse(NULL, &m));
    assert_int_equal(m, HF_SHIP_EXPEDITED); /* untouched */
}

static void test_shipping_price_scales_to_currency(void **state)
{
    (void)state;
    assert_int_equal(hf_shipping_price(HF_SHIP_STANDARD, "USD"), 0);
    assert_int_equal(hf_shipping_price(HF_SHIP_STANDARD, "JPY"), 0);
    /* 15.00 in the currency's own minor units */
    assert_int_equal(hf_shipping_price(HF_SHIP_EXPEDITED, "USD"), 1500);
    assert_int_equal(hf_shipping_price(HF_SHIP_EXPEDITED, "EUR"), 1500);
    assert_int_equal(hf_shipping_price(HF_SHIP_EXPEDITED, "JPY"), 15);
    assert_int_equal(hf_shipping_price(HF_SHIP_EXPEDITED, "KWD"), 15000);
}

static void test_promised_by_standard_weekday(void **state)
{
    (void)state;
    /* Monday 2026-03-02: handling Tue, then five transit days Wed..Fri,
     * Mon, Tue; due at the end of Tuesday 2026-03-10 */
    assert_time(hf_promised_by(HF_SHIP_STANDARD, at("2026-03-02T09:00:00Z")),
                "2026-03-10T23:59:59Z");
    /* the hour of placement within the day does not matter */
    assert_time(hf_promised_by(HF_SHIP_STANDARD, at("2026-03-02T00:00:00Z")),
                "2026-03-10T23:59:59Z");
    assert_time(
        hf_promised_by(HF_SHIP_STANDARD, at("2026-03-02T23:59:59.999Z")),
        "2026-03-10T23:59:59Z");
}

static void test_promised_by_expedited(void **state)
{
    (void)state;
    /* Monday: Tue (handling), Wed, Thu */
    assert_time(hf_promised_by(HF_SHIP_EXPEDITED, at("2026-03-02T09:00:00Z")),
                "2026-03-05T23:59:59Z");
    /* Wednesday: Thu, Fri, then the weekend, then Monday */
    assert_time(hf_promised_by(HF_SHIP_EXPEDITED, at("2026-03-04T09:00:00Z")),
                "2026-03-09T23:59:59Z");
}

static void test_promised_by_skips_weekends(void **state)
{
    (void)state;
    /* Friday: Mon, Tue, Wed */
    assert_time(hf_promised_by(HF_SHIP_EXPEDITED, at("2026-03-06T17:00:00Z")),
                "2026-03-11T23:59:59Z");
    /* Saturday and Sunday count like Friday evening */
    assert_time(hf_promised_by(HF_SHIP_EXPEDITED, at("2026-03-07T10:00:00Z")),
                "2026-03-11T23:59:59Z");
    assert_time(hf_promised_by(HF_SHIP_EXPEDITED, at("2026-03-08T23:00:00Z")),
                "2026-03-11T23:59:59Z");
    /* standard from Friday: Mon..Fri, Mon */
    assert_time(hf_promised_by(HF_SHIP_STANDARD, at("2026-03-06T17:00:00Z")),
                "2026-03-16T23:59:59Z");
    assert_time(hf_promised_by(HF_SHIP_STANDARD, at("2026-03-08T12:00:00Z")),
                "2026-03-16T23:59:59Z");
}

static void test_promised_by_never_on_weekend(void **state)
{
    (void)state;
    /* every hour for four weeks: the date is a weekday, after placement,
     * and expedited is never later than standard */
    hf_time start = at("2026-02-01T00:00:00Z");
    for (hf_time t = start; t < start + 28 * HF_DAY; t += HF_HOUR) {
        hf_time std = hf_promised_by(HF_SHIP_STANDARD, t);
        hf_time exp = hf_promised_by(HF_SHIP_EXPEDITED, t);
        int wd = hf_time_weekday(std);
        assert_true(wd >= 1 && wd <= 5);
        wd = hf_time_weekday(exp);
        assert_true(wd >= 1 && wd <= 5);
        assert_true(exp > t + 2 * HF_DAY);
        assert_true(exp < std);
        assert_true(std - t < 11 * HF_DAY);
        assert_int_equal(std % HF_DAY, HF_DAY - HF_SECOND);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_line_live_qty),
        cmocka_unit_test(test_totals),
        cmocka_unit_test(test_totals_exclude_cancelled_units),
        cmocka_unit_test(test_fully_cancelled_needs_every_line),
        cmocka_unit_test(test_empty_order),
        cmocka_unit_test(test_cancel_reasons),
        cmocka_unit_test(test_cancel_reason_rejects_others),
        cmocka_unit_test(test_shipping_method_names),
        cmocka_unit_test(test_shipping_price_scales_to_currency),
        cmocka_unit_test(test_promised_by_standard_weekday),
        cmocka_unit_test(test_promised_by_expedited),
        cmocka_unit_test(test_promised_by_skips_weekends),
        cmocka_unit_test(test_promised_by_never_on_weekend),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
