/* Unit tests for core/money: range-checked arithmetic, percent rounding,
 * ISO 4217 exponents and formatting. */
#include "core/money.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

static void test_add_in_range(void **state)
{
    (void)state;
    hf_minor out = 0;
    assert_true(hf_money_add(1999, 501, &out));
    assert_int_equal(out, 2500);
    assert_true(hf_money_add(-1000, 250, &out));
    assert_int_equal(out, -750);
    /* exactly the limit is still an amount */
    assert_true(hf_money_add(HF_MONEY_MAX - 1, 1, &out));
    assert_int_equal(out, HF_MONEY_MAX);
    assert_true(hf_money_add(-HF_MONEY_MAX + 1, -1, &out));
    assert_int_equal(out, -HF_MONEY_MAX);
}

static void test_add_overflow_refused(void **state)
{
    (void)state;
    hf_minor out = 42;
    assert_false(hf_money_add(HF_MONEY_MAX, 1, &out));
    assert_int_equal(out, 42); /* left alone */
    assert_false(hf_money_add(-HF_MONEY_MAX, -1, &out));
    assert_false(hf_money_add(INT64_MAX, 0, &out));
    assert_false(hf_money_add(0, INT64_MIN, &out));
    /* would wrap in int64 without the operand checks */
    assert_false(hf_money_add(INT64_MAX, INT64_MAX, &out));
    assert_int_equal(out, 42);
}

static void test_mul(void **state)
{
    (void)state;
    hf_minor out = 0;
    assert_true(hf_money_mul(1999, 3, &out));
    assert_int_equal(out, 5997);
    assert_true(hf_money_mul(1999, 0, &out));
    assert_int_equal(out, 0);
    assert_true(hf_money_mul(-250, 4, &out));
    assert_int_equal(out, -1000);
    assert_true(hf_money_mul(HF_MONEY_MAX, 1, &out));
    assert_int_equal(out, HF_MONEY_MAX);
}

static void test_mul_overflow_refused(void **state)
{
    (void)state;
    hf_minor out = 7;
    /* the product leaves the range though each factor is inside it */
    assert_false(hf_money_mul(HF_MONEY_MAX / 2 + 1, 2, &out));
    assert_false(hf_money_mul(1000000000LL, 1000000000LL, &out));
    /* would overflow int64 itself */
    assert_false(hf_money_mul(HF_MONEY_MAX, HF_MONEY_MAX, &out));
    assert_false(hf_money_mul(1, INT64_MAX, &out));
    assert_false(hf_money_mul(INT64_MIN, 1, &out));
    assert_false(hf_money_mul(-HF_MONEY_MAX, 2, &out));
    assert_int_equal(out, 7); /* left alone */
}

static void test_percent_rounding(void **state)
{
    (void)state;
    /* the header's example: 15% of 29.99 is 4.4985, shown as 4.50 */
    assert_int_equal(hf_money_percent(2999, 1500), 450);
    assert_int_equal(hf_money_percent(10000, 1500), 1500);
    assert_int_equal(hf_money_percent(10000, 0), 0);
    assert_int_equal(hf_money_percent(0, 1500), 0);
    /* exact halves round away from zero, both signs */
    assert_int_equal(hf_money_percent(1, 5000), 1);
    assert_int_equal(hf_money_percent(-1, 5000), -1);
    assert_int_equal(hf_money_percent(5, 1000), 1);   /* 0.5 */
    assert_int_equal(hf_money_percent(-5, 1000), -1); /* -0.5 */
    assert_int_equal(hf_money_percent(25, 1000), 3);  /* 2.5 */
    assert_int_equal(hf_money_percent(-25, 1000), -3);
    /* just below a half rounds toward zero */
    assert_int_equal(hf_money_percent(4999, 1), 0);  /* 0.4999 */
    assert_int_equal(hf_money_percent(-4999, 1), 0); /* -0.4999 */
    assert_int_equal(hf_money_percent(14999, 1), 1); /* 1.4999 */
    assert_int_equal(hf_money_percent(15000, 1), 2); /* 1.5 */
    assert_int_equal(hf_money_percent(-15000, 1), -2);
    /* a negative rate (a surcharge reversal) is symmetric too */
    assert_int_equal(hf_money_percent(2999, -1500), -450);
    /* large amounts stay exact: no floating point */
    assert_int_equal(hf_money_percent(HF_MONEY_MAX, 10000), HF_MONEY_MAX);
    assert_int_equal(hf_money_percent(HF_MONEY_MAX, 2000), HF_MONEY_MAX / 5);
}

static void test_currency_exponents(void **state)
{
    (void)state;
    assert_int_equal(hf_currency_exponent("USD"), 2);
    assert_int_equal(hf_currency_exponent("EUR"), 2);
    assert_int_equal(hf_currency_exponent("GBP"), 2);
    assert_int_equal(hf_currency_exponent("JPY"), 0);
    assert_int_equal(hf_currency_exponent("KRW"), 0);
    assert_int_equal(hf_currency_exponent("KWD"), 3);
    assert_int_equal(hf_currency_exponent("BHD"), 3);
    assert_int_equal(hf_currency_exponent("OMR"), 3);
    /* the ends of the sorted table are found by the binary search */
    assert_int_equal(hf_currency_exponent("AED"), 2);
    assert_int_equal(hf_currency_exponent("ZAR"), 2);
    assert_int_equal(hf_currency_exponent("XXX"), -1);
    assert_int_equal(hf_currency_exponent(NULL), -1);
}

static void test_currency_valid(void **state)
{
    (void)state;
    assert_true(hf_currency_valid("USD"));
    assert_true(hf_currency_valid("JPY"));
    assert_true(hf_currency_valid("KWD"));
    assert_false(hf_currency_valid("usd")); /* codes are upper case */
    assert_false(hf_currency_valid("US"));
    assert_false(hf_currency_valid("USDX"));
    assert_false(hf_currency_valid("USD "));
    assert_false(hf_currency_valid(""));
    assert_false(hf_currency_valid("ABC"));
    assert_false(hf_currency_valid("AAA")); /* before the first entry */
    assert_false(hf_currency_valid("ZZZ")); /* after the last entry */
    assert_false(hf_currency_valid(NULL));
}

static void test_format(void **state)
{
    (void)state;
    char buf[64];
    hf_money_format(2500, "USD", buf, sizeof(buf));
    assert_string_equal(buf, "25.00 USD");
    hf_money_format(5, "EUR", buf, sizeof(buf));
    assert_string_equal(buf, "0.05 EUR");
    hf_money_format(0, "USD", buf, sizeof(buf));
    assert_string_equal(buf, "0.00 USD");
    hf_money_format(-1999, "USD", buf, sizeof(buf));
    assert_string_equal(buf, "-19.99 USD");
    /* a refund smaller than one major unit keeps its sign */
    hf_money_format(-50, "USD", buf, sizeof(buf));
    assert_string_equal(buf, "-0.50 USD");
    hf_money_format(1500, "JPY", buf, sizeof(buf));
    assert_string_equal(buf, "1500 JPY");
    hf_money_format(-1500, "JPY", buf, sizeof(buf));
    assert_string_equal(buf, "-1500 JPY");
    hf_money_format(1234, "KWD", buf, sizeof(buf));
    assert_string_equal(buf, "1.234 KWD");
    hf_money_format(7, "KWD", buf, sizeof(buf));
    assert_string_equal(buf, "0.007 KWD");
    hf_money_format(HF_MONEY_MAX, "USD", buf, sizeof(buf));
    assert_string_equal(buf, "10000000000000.00 USD");
}

static void test_format_truncates_to_buffer(void **state)
{
    (void)state;
    char buf[6];
    memset(buf, 'x', sizeof(buf));
    hf_money_format(2500, "USD", buf, sizeof(buf));
    assert_string_equal(buf, "25.00");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_add_in_range),
        cmocka_unit_test(test_add_overflow_refused),
        cmocka_unit_test(test_mul),
        cmocka_unit_test(test_mul_overflow_refused),
        cmocka_unit_test(test_percent_rounding),
        cmocka_unit_test(test_currency_exponents),
        cmocka_unit_test(test_currency_valid),
        cmocka_unit_test(test_format),
        cmocka_unit_test(test_format_truncates_to_buffer),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
