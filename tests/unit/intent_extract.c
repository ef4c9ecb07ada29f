/* Unit tests for intent/extract: which offer a message picks, percentages,
 * order numbers, negation, and input that tries to break it. */
#include "intent/intent.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

/* A message and what extraction must find in it. */
typedef struct xcase {
    const char *text;    /* the customer's message */
    hf_offer_kind offer; /* the offer it picks */
    int percent;         /* the percentage it names, 0 for none */
    const char *order;   /* the order number, "" for none */
} xcase;

static void check(const xcase *c, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        hf_intent_result r;
        hf_intent_extract(c[i].text, &r);
        if (r.offer != c[i].offer || r.percent != c[i].percent ||
            strcmp(r.order, c[i].order) != 0)
            fail_msg("\"%s\": got offer %s percent %d order \"%s\", "
                     "want %s %d \"%s\"",
                     c[i].text, hf_offer_kind_name(r.offer), r.percent, r.order,
                     hf_offer_kind_name(c[i].offer), c[i].percent, c[i].order);
    }
}

static void test_offers(void **state)
{
    (void)state;
    static const xcase cases[] = {
        {"ok I'll take the discount", HF_OFFER_DISCOUNT, 0, ""},
        {"ok I'll take the 15%", HF_OFFER_DISCOUNT, 15, ""},
        {"some money off would be nice", HF_OFFER_DISCOUNT, 0, ""},
        {"the cheaper price is fine", HF_OFFER_DISCOUNT, 0, ""},
        {"the free shipping sounds good", HF_OFFER_SHIPPING_UPGRADE, 0, ""},
        {"faster shipping please", HF_OFFER_SHIPPING_UPGRADE, 0, ""},
        {"Express it is", HF_OFFER_SHIPPING_UPGRADE, 0, ""},
        {"expedited shipping, yes", HF_OFFER_SHIPPING_UPGRADE, 0, ""},
        {"I'll take the upgrade", HF_OFFER_SHIPPING_UPGRADE, 0, ""},
        {"yes please, swap it", HF_OFFER_SWAP, 0, ""},
        {"can you exchange it", HF_OFFER_SWAP, 0, ""},
        {"a different one is fine", HF_OFFER_SWAP, 0, ""},
        {"replace it with the blue one", HF_OFFER_SWAP, 0, ""},
        {"fine, keep the order with the coupon", HF_OFFER_COUPON, 0, ""},
        {"the voucher please", HF_OFFER_COUPON, 0, ""},
        {"20% off my next order then", HF_OFFER_COUPON, 20, ""},
        {"I'll take the 20% coupon", HF_OFFER_COUPON, 20, ""},
        {"a future discount works", HF_OFFER_COUPON, 0, ""},
        {"a discount code for later is fine", HF_OFFER_COUPON, 0, ""},
        {"no thanks", HF_OFFER_NONE, 0, ""},
        {"where is my order", HF_OFFER_NONE, 0, ""},
    };
    check(cases, sizeof(cases) / sizeof(cases[0]));
}

static void test_negation(void **state)
{
    (void)state;
    static const xcase cases[] = {
        {"I don't want the discount", HF_OFFER_NONE, 0, ""},
        {"I do not want the discount", HF_OFFER_NONE, 0, ""},
        {"I don\xE2\x80\x99t want the coupon", HF_OFFER_NONE, 0, ""},
        {"no discount, no coupon", HF_OFFER_NONE, 0, ""},
        {"not interested in free shipping", HF_OFFER_NONE, 0, ""},
        {"the discount isn't enough", HF_OFFER_NONE, 0, ""},
        {"I'll pass on the swap", HF_OFFER_NONE, 0, ""},
        {"keep your voucher", HF_OFFER_NONE, 0, ""},
        {"I don't want the discount but I'll take the swap", HF_OFFER_SWAP, 0,
         ""},
        {"not the coupon, the free shipping", HF_OFFER_SHIPPING_UPGRADE, 0, ""},
        {"the swap instead of the discount", HF_OFFER_SWAP, 0, ""},
        {"don't cancel, I'll take the discount", HF_OFFER_DISCOUNT, 0, ""},
        {"I don't want to cancel, give me the coupon", HF_OFFER_COUPON, 0, ""},
        {"I don't mind the coupon", HF_OFFER_COUPON, 0, ""},
        {"a swap? why not", HF_OFFER_SWAP, 0, ""},
        {"not 10% I want the 20% coupon", HF_OFFER_COUPON, 20, ""},
    };
    check(cases, sizeof(cases) / sizeof(cases[0]));
}

static void test_percent(void **state)
{
    (void)state;
    static const xcase cases[] = {
        {"15 % please", HF_OFFER_DISCOUNT, 15, ""},
        {"15 percent off", HF_OFFER_DISCOUNT, 15, ""},
        {"15 per cent is fine", HF_OFFER_DISCOUNT, 15, ""},
        {"fifteen percent then", HF_OFFER_DISCOUNT, 15, ""},
        {"Twenty-five percent and I keep it", HF_OFFER_DISCOUNT, 25, ""},
        {"twenty five per cent", HF_OFFER_DISCOUNT, 25, ""},
        {"ten percent off", HF_OFFER_DISCOUNT, 10, ""},
        {"it's 150% better", HF_OFFER_NONE, 0, ""},
        {"I paid $15 for it", HF_OFFER_NONE, 0, ""},
    };
    check(cases, sizeof(cases) / sizeof(cases[0]));
}

static void test_order_numbers(void **state)
{
    (void)state;
    static const xcase cases[] = {
        {"cancel HF-100042", HF_OFFER_NONE, 0, "HF-100042"},
        {"cancel hf100042 please", HF_OFFER_NONE, 0, "HF-100042"},
        {"where is order 100042?", HF_OFFER_NONE, 0, "HF-100042"},
        {"order number 100042", HF_OFFER_NONE, 0, "HF-100042"},
        {"order no. 100042", HF_OFFER_NONE, 0, "HF-100042"},
        {"my order is #100311", HF_OFFER_NONE, 0, "HF-100311"},
        {"#100311 please", HF_OFFER_NONE, 0, "HF-100311"},
        {"Order: HF-100519", HF_OFFER_NONE, 0, "HF-100519"},
        {"I paid $1500 for order", HF_OFFER_NONE, 0, ""},
        {"order 1500 dollars worth", HF_OFFER_NONE, 0, ""},
        {"I spent $100042", HF_OFFER_NONE, 0, ""},
        {"order 15.99", HF_OFFER_NONE, 0, ""},
        {"call me on 5551234567", HF_OFFER_NONE, 0, ""},
        {"#1", HF_OFFER_NONE, 0, ""},
        {"apply the 10% to HF-100042", HF_OFFER_DISCOUNT, 10, "HF-100042"},
    };
    check(cases, sizeof(cases) / sizeof(cases[0]));
}

static void test_hostile_input(void **state)
{
    (void)state;
    hf_intent_result r;
    hf_intent_extract("", &r);
    assert_int_equal(r.offer, HF_OFFER_NONE);
    assert_int_equal(r.percent, 0);
    assert_string_equal(r.order, "");
    hf_intent_extract(NULL, &r);
    assert_int_equal(r.offer, HF_OFFER_NONE);

    /* 10 KiB: only the first 4 KiB are read, nothing overruns */
    char *big = malloc(10 * 1024 + 1);
    assert_non_null(big);
    for (size_t i = 0; i < 10 * 1024; i++)
        big[i] = "discount %9 HF-"[i % 15];
    big[10 * 1024] = '\0';
    hf_intent_extract(big, &r);
    assert_int_equal(r.offer, HF_OFFER_DISCOUNT);
    memset(big, '9', 10 * 1024);
    memcpy(big, "order ", 6);
    hf_intent_extract(big, &r); /* a 4 KiB run of digits is no order */
    assert_string_equal(r.order, "");
    /* what lies past 4 KiB is not read */
    memset(big, ' ', 10 * 1024);
    memcpy(big + 8000, "free shipping HF-100042", 23);
    hf_intent_extract(big, &r);
    assert_int_equal(r.offer, HF_OFFER_NONE);
    assert_string_equal(r.order, "");
    free(big);

    /* invalid UTF-8 around the words still reads the words */
    hf_intent_extract("\xff\xfe swap \xc3 it \xed\xa0\x80 HF-100042 \xf8", &r);
    assert_int_equal(r.offer, HF_OFFER_SWAP);
    assert_string_equal(r.order, "HF-100042");
    hf_intent_extract("%%%%%%%%%%######------::::", &r);
    assert_int_equal(r.offer, HF_OFFER_NONE);
    assert_string_equal(r.order, "");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_offers),
        cmocka_unit_test(test_negation),
        cmocka_unit_test(test_percent),
        cmocka_unit_test(test_order_numbers),
        cmocka_unit_test(test_hostile_input),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
