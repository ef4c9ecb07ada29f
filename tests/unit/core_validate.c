/* Unit tests for core/validate and core/postal: every validation rule with
 * an accepted and a held or rejected case, the postal format of every
 * table country, and the edges (empty, NULL, very long, non-ASCII). */
#include "core/postal.h"
#include "core/validate.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#define T0 ((hf_time)1790000000000LL) /* 2026-09-21, any fixed instant */

/* A clean US order: one line in stock, paid in full. Tests change what
 * they test. */
typedef struct fixture {
    hf_address ship;
    hf_address bill;
    hf_validate_line lines[4];
    hf_recent_order recent[4];
    hf_validate_input in;
    hf_validate_result out;
} fixture;

static void setup_order(fixture *f)
{
    memset(f, 0, sizeof(*f));
    f->ship = (hf_address){.name = "Ann Lee",
                           .line1 = "1 Main St",
                           .city = "Springfield",
                           .region = "IL",
                           .postal_code = "62701",
                           .country = "US"};
    f->bill = f->ship;
    f->lines[0] = (hf_validate_line){.sku = "TEE-1",
                                     .qty = 1,
                                     .known = true,
                                     .active = true,
                                     .available = 50};
    f->in.shipping = &f->ship;
    f->in.lines = f->lines;
    f->in.n_lines = 1;
    f->in.currency = "USD";
    f->in.total = 2500;
    f->in.payment_method = "card";
    f->in.payment_authorized = true;
    f->in.authorized = 2500;
    f->in.recent = f->recent;
    f->in.now = T0;
}

static hf_validate_outcome run(fixture *f)
{
    assert_int_equal(hf_validate_order(&f->in, &f->out), HF_OK);
    return f->out.outcome;
}

/* The reason with code in f->out, or NULL. */
static const hf_validate_reason *reason(const fixture *f, hf_validate_code c)
{
    for (size_t i = 0; i < f->out.n_reasons; i++) {
        if (f->out.reasons[i].code == c)
            return &f->out.reasons[i];
    }
    return NULL;
}

/* Asserts that f's order gives exactly one reason, code at field, and the
 * outcome its severity implies. */
static void expect_one(fixture *f, hf_validate_code code, const char *field)
{
    hf_validate_outcome o = run(f);
    if (f->out.n_reasons != 1) {
        for (size_t i = 0; i < f->out.n_reasons; i++)
            print_message("reason %s %s: %s\n",
                          hf_validate_code_name(f->out.reasons[i].code),
                          f->out.reasons[i].field, f->out.reasons[i].message);
    }
    assert_int_equal(f->out.n_reasons, 1);
    assert_string_equal(hf_validate_code_name(f->out.reasons[0].code),
                        hf_validate_code_name(code));
    assert_string_equal(f->out.reasons[0].field, field);
    assert_true(f->out.reasons[0].message[0] != '\0');
    switch (hf_validate_code_severity(code)) {
    case HF_VSEV_CUSTOMER:
        assert_int_equal(o, HF_VALIDATE_HOLD);
        assert_true(f->out.customer_prompt);
        assert_false(f->out.needs_review);
        break;
    case HF_VSEV_REVIEW:
        assert_int_equal(o, HF_VALIDATE_HOLD);
        assert_false(f->out.customer_prompt);
        assert_true(f->out.needs_review);
        break;
    case HF_VSEV_REJECT:
        assert_int_equal(o, HF_VALIDATE_REJECT);
        break;
    }
}

static void expect_accept(fixture *f)
{
    hf_validate_outcome o = run(f);
    for (size_t i = 0; i < f->out.n_reasons; i++)
        print_message("unexpected %s %s: %s\n",
                      hf_validate_code_name(f->out.reasons[i].code),
                      f->out.reasons[i].field, f->out.reasons[i].message);
    assert_int_equal(f->out.n_reasons, 0);
    assert_int_equal(o, HF_VALIDATE_ACCEPT);
    assert_false(f->out.customer_prompt);
    assert_false(f->out.needs_review);
}

/* --- Postal table ------------------------------------------------------ */

static void test_table_sorted_and_examples_valid(void **state)
{
    (void)state;
    size_t n;
    const hf_country_rule *t = hf_postal_countries(&n);
    assert_true(n >= 40);
    for (size_t i = 0; i < n; i++) {
        char canon[HF_POSTAL_MAX + 1];
        if (i > 0)
            assert_true(strcmp(t[i - 1].code, t[i].code) < 0);
        assert_true(hf_postal_country_assigned(t[i].code));
        assert_ptr_equal(hf_postal_country(t[i].code), &t[i]);
        if (t[i].postal == NULL) {
            assert_null(t[i].example);
            assert_false(t[i].postal_required);
            continue;
        }
        if (!hf_postal_check(&t[i], t[i].example, canon, sizeof(canon)))
            fail_msg("%s: example %s fails", t[i].code, t[i].example);
        assert_string_equal(canon, t[i].example); /* already canonical */
    }
    /* the 20 largest e-commerce markets all have a row */
    static const char *const top20[] = {
        "US", "CN", "GB", "JP", "DE", "KR", "FR", "IN", "CA", "BR",
        "ES", "IT", "AU", "NL", "RU", "MX", "SE", "ID", "TR", "PL",
    };
    for (size_t i = 0; i < HF_ARRAY_LEN(top20); i++)
        assert_non_null(hf_postal_country(top20[i]));
    assert_null(hf_postal_country("FJ")); /* assigned, no row */
    assert_null(hf_postal_country(NULL));
}

/* Valid and invalid codes for every country in the table: input, whether
 * it passes, and its canonical form. */
static const struct postal_case {
    const char *cc, *text;
    bool ok;
    const char *canon;
} postal_cases[] = {
    {"AR", "C1425DKA", true, "C1425DKA"},
    {"AR", "1425", true, "1425"},
    {"AR", "C142DKA", false, NULL},
    {"AT", "1010", true, "1010"},
    {"AT", "10100", false, NULL},
    {"AU", "2000", true, "2000"},
    {"AU", "200", false, NULL},
    {"BE", "1000", true, "1000"},
    {"BE", "B-1000", false, NULL},
    {"BR", "01310-100", true, "01310-100"},
    {"BR", "01310100", true, "01310-100"},
    {"BR", "0131-0100", true, "01310-100"}, /* separators are ignored */
    {"BR", "01310-10", false, NULL},
    {"CA", "K1A 0B1", true, "K1A 0B1"},
    {"CA", "k1a0b1", true, "K1A 0B1"},
    {"CA", "K1A-0B1", true, "K1A 0B1"},
    {"CA", "D1A 0B1", false, NULL}, /* D never used */
    {"CA", "W1A 0B1", false, NULL}, /* W never first */
    {"CA", "K1A 0B", false, NULL},
    {"CA", "12345", false, NULL},
    {"CH", "8001", true, "8001"},
    {"CH", "80011", false, NULL},
    {"CL", "8320000", true, "8320000"},
    {"CL", "832000", false, NULL},
    {"CN", "100000", true, "100000"},
    {"CN", "10000", false, NULL},
    {"CO", "110111", true, "110111"},
    {"CO", "1101", false, NULL},
    {"CZ", "110 00", true, "110 00"},
    {"CZ", "11000", true, "110 00"},
    {"CZ", "1100", false, NULL},
    {"DE", "10115", true, "10115"},
    {"DE", "1011", false, NULL},
    {"DE", "D-10115", false, NULL},
    {"DK", "1050", true, "1050"},
    {"DK", "DK1050", false, NULL},
    {"ES", "28013", true, "28013"},
    {"ES", "53013", false, NULL}, /* no province 53 */
    {"ES", "00013", false, NULL},
    {"FI", "00100", true, "00100"},
    {"FI", "0010", false, NULL},
    {"FR", "75008", true, "75008"},
    {"FR", "7500", false, NULL},
    {"GB", "SW1A 1AA", true, "SW1A 1AA"},
    {"GB", "sw1a1aa", true, "SW1A 1AA"},
    {"GB", "M1 1AE", true, "M1 1AE"},
    {"GB", "B33 8TH", true, "B33 8TH"},
    {"GB", "CR2 6XH", true, "CR2 6XH"},
    {"GB", "DN55 1PT", true, "DN55 1PT"},
    {"GB", "W1A 0AX", true, "W1A 0AX"},
    {"GB", "EC1A 1BB", true, "EC1A 1BB"},
    {"GB", "SW1A 1AC", false, NULL}, /* C never in the inward code */
    {"GB", "SW1A", false, NULL},
    {"GB", "12345", false, NULL},
    {"GR", "105 57", true, "105 57"},
    {"GR", "1055", false, NULL},
    {"ID", "10110", true, "10110"},
    {"ID", "1011", false, NULL},
    {"IE", "D02 X285", true, "D02 X285"},
    {"IE", "D6W 1234", true, "D6W 1234"},
    {"IE", "a65f4e2", true, "A65 F4E2"},
    {"IE", "D02", false, NULL},
    {"IL", "6100000", true, "6100000"},
    {"IL", "61000", false, NULL},
    {"IN", "110001", true, "110001"},
    {"IN", "010001", false, NULL}, /* never starts with 0 */
    {"IN", "11001", false, NULL},
    {"IT", "00184", true, "00184"},
    {"IT", "0018", false, NULL},
    {"JP", "100-0001", true, "100-0001"},
    {"JP", "1000001", true, "100-0001"},
    {"JP", "100-001", false, NULL},
    {"KR", "03187", true, "03187"},
    {"KR", "110-100", false, NULL}, /* the old 6-digit codes ended 2015 */
    {"MX", "06600", true, "06600"},
    {"MX", "0660", false, NULL},
    {"MY", "50450", true, "50450"},
    {"MY", "5045", false, NULL},
    {"NL", "1012 JS", true, "1012 JS"},
    {"NL", "1012js", true, "1012 JS"},
    {"NL", "0123 AB", false, NULL}, /* never starts with 0 */
    {"NL", "1012 SS", false, NULL}, /* SS unused */
    {"NL", "1012", false, NULL},
    {"NO", "0150", true, "0150"},
    {"NO", "015", false, NULL},
    {"NZ", "6011", true, "6011"},
    {"NZ", "60111", false, NULL},
    {"PH", "1000", true, "1000"},
    {"PH", "100", false, NULL},
    {"PL", "00-950", true, "00-950"},
    {"PL", "00950", true, "00-950"},
    {"PL", "0095", false, NULL},
    {"PT", "1100-148", true, "1100-148"},
    {"PT", "1100", false, NULL},
    {"RU", "101000", true, "101000"},
    {"RU", "10100", false, NULL},
    {"SA", "11564", true, "11564"},
    {"SA", "11564-1234", true, "11564-1234"},
    {"SA", "1156", false, NULL},
    {"SE", "111 52", true, "111 52"},
    {"SE", "11152", true, "111 52"},
    {"SE", "SE-111 52", false, NULL},
    {"SG", "018956", true, "018956"},
    {"SG", "18956", false, NULL},
    {"TH", "10200", true, "10200"},
    {"TH", "1020", false, NULL},
    {"TR", "34000", true, "34000"},
    {"TR", "3400", false, NULL},
    {"TW", "100", true, "100"},
    {"TW", "10048", true, "10048"},
    {"TW", "100048", true, "100048"},
    {"TW", "1004", false, NULL},
    {"UA", "01001", true, "01001"},
    {"UA", "0100", false, NULL},
    {"US", "62701", true, "62701"},
    {"US", "62701-1234", true, "62701-1234"},
    {"US", "627011234", true, "62701-1234"},
    {"US", " 62701 ", true, "62701"},
    {"US", "6270", false, NULL}, /* a lost leading zero */
    {"US", "62701-12", false, NULL},
    {"US", "6270A", false, NULL},
    {"US", "62701.", false, NULL},
    {"VN", "100000", true, "100000"},
    {"VN", "10000", false, NULL},
    {"ZA", "8001", true, "8001"},
    {"ZA", "800", false, NULL},
};

static void test_postal_formats_every_country(void **state)
{
    (void)state;
    size_t n;
    const hf_country_rule *t = hf_postal_countries(&n);
    /* every country with a format has a valid and an invalid case */
    for (size_t i = 0; i < n; i++) {
        bool good = false, bad = false;
        for (size_t j = 0; j < HF_ARRAY_LEN(postal_cases); j++) {
            if (strcmp(postal_cases[j].cc, t[i].code) != 0)
                continue;
            good |= postal_cases[j].ok;
            bad |= !postal_cases[j].ok;
        }
        if (t[i].postal != NULL && !(good && bad))
            fail_msg("%s lacks a valid or an invalid case", t[i].code);
    }
    for (size_t j = 0; j < HF_ARRAY_LEN(postal_cases); j++) {
        const struct postal_case *c = &postal_cases[j];
        char canon[HF_POSTAL_MAX + 1];
        bool ok = hf_postal_check(hf_postal_country(c->cc), c->text, canon,
                                  sizeof(canon));
        if (ok != c->ok)
            fail_msg("%s %s: expected %s", c->cc, c->text,
                     c->ok ? "valid" : "invalid");
        assert_string_equal(canon, c->ok ? c->canon : "");
    }
}

static void test_postal_edges(void **state)
{
    (void)state;
    char canon[HF_POSTAL_MAX + 1];
    const hf_country_rule *us = hf_postal_country("US");
    assert_false(hf_postal_check(us, NULL, canon, sizeof(canon)));
    assert_false(hf_postal_check(us, "", canon, sizeof(canon)));
    assert_false(hf_postal_check(us, "   ", canon, sizeof(canon)));
    assert_false(hf_postal_check(us, "62701\xc3\xa9", canon, sizeof(canon)));
    assert_false(hf_postal_check(us, "６２７０１", canon, sizeof(canon)));
    char longcode[300];
    memset(longcode, '1', sizeof(longcode) - 1);
    longcode[sizeof(longcode) - 1] = '\0';
    assert_false(hf_postal_check(us, longcode, canon, sizeof(canon)));
    /* no format (Hong Kong): nothing matches */
    assert_false(hf_postal_check(hf_postal_country("HK"), "000000", canon,
                                 sizeof(canon)));
    assert_false(hf_postal_check(NULL, "62701", canon, sizeof(canon)));
    /* too small an output buffer fails rather than truncates */
    char tiny[4];
    assert_false(hf_postal_check(us, "62701", tiny, sizeof(tiny)));
    /* the pattern language itself */
    assert_true(hf_postal_match("AX9", "b29", canon, sizeof(canon)));
    assert_string_equal(canon, "B29");
    assert_false(hf_postal_match("AX9", "929a", canon, sizeof(canon)));
}

static void test_country_codes_assigned(void **state)
{
    (void)state;
    assert_true(hf_postal_country_assigned("US"));
    assert_true(hf_postal_country_assigned("AD")); /* first */
    assert_true(hf_postal_country_assigned("ZW")); /* last */
    assert_true(hf_postal_country_assigned("XK"));
    assert_false(hf_postal_country_assigned("XX"));
    assert_false(hf_postal_country_assigned("UK")); /* GB is the code */
    assert_false(hf_postal_country_assigned("us"));
    assert_false(hf_postal_country_assigned("USA"));
    assert_false(hf_postal_country_assigned(""));
    assert_false(hf_postal_country_assigned(NULL));
}

/* --- Addresses ----------------------------------------------------------- */

static void test_clean_order_accepted(void **state)
{
    (void)state;
    fixture f;
    setup_order(&f);
    expect_accept(&f);
    assert_string_equal(f.out.shipping_postal, "62701");
    /* with a billing address too */
    f.in.billing = &f.bill;
    expect_accept(&f);
    assert_string_equal(f.out.billing_postal, "62701");
}

static void test_missing_required_fields(void **state)
{
    (void)state;
    static const struct {
        size_t off;
        const char *field;
    } required[] = {
        {offsetof(hf_address, name), "shipping_address.name"},
        {offsetof(hf_address, line1), "shipping_address.line1"},
        {offsetof(hf_address, city), "shipping_address.city"},
        {offsetof(hf_address, region), "shipping_address.region"},
        {offsetof(hf_address, postal_code), "shipping_address.postal_code"},
        {offsetof(hf_address, country), "shipping_address.country"},
    };
    for (size_t i = 0; i < HF_ARRAY_LEN(required); i++) {
        static const char *const empties[] = {NULL, "", "  \t "};
        for (size_t e = 0; e < HF_ARRAY_LEN(empties); e++) {
            fixture f;
            setup_order(&f);
            *(const char **)((char *)&f.ship + required[i].off) = empties[e];
            expect_one(&f, HF_VC_MISSING_FIELD, required[i].field);
        }
    }
}

static void test_region_and_postal_by_country(void **state)
{
    (void)state;
    fixture f;
    /* Germany needs no region */
    setup_order(&f);
    f.ship = (hf_address){.name = "Max Muster",
                          .line1 = "Hauptstr. 5",
                          .city = "Berlin",
                          .postal_code = "10115",
                          .country = "DE"};
    expect_accept(&f);
    /* Canada does */
    setup_order(&f);
    f.ship = (hf_address){.name = "Jo Tremblay",
                          .line1 = "24 Sussex Dr",
                          .city = "Ottawa",
                          .postal_code = "k1m1m4",
                          .country = "CA"};
    expect_one(&f, HF_VC_MISSING_FIELD, "shipping_address.region");
    f.ship.region = "ON";
    expect_accept(&f);
    assert_string_equal(f.out.shipping_postal, "K1M 1M4");
    /* Hong Kong has no postal codes; one given is ignored */
    setup_order(&f);
    f.ship = (hf_address){.name = "Chan Tai Man",
                          .line1 = "Flat A, 12/F, Tower 1",
                          .city = "Hong Kong",
                          .country = "HK"};
    expect_accept(&f);
    f.ship.postal_code = "000000";
    expect_accept(&f);
    /* Ireland: the Eircode is optional, but checked when given */
    setup_order(&f);
    f.ship = (hf_address){.name = "Aoife Byrne",
                          .line1 = "Rose Cottage",
                          .city = "Kilkenny",
                          .country = "IE"};
    expect_accept(&f);
    f.ship.postal_code = "R95 XY12";
    expect_accept(&f);
    f.ship.postal_code = "12345";
    expect_one(&f, HF_VC_POSTAL_CODE_FORMAT, "shipping_address.postal_code");
    /* a country without a row: generic checks only */
    setup_order(&f);
    f.ship = (hf_address){.name = "Ana",
                          .line1 = "Main Road",
                          .city = "Suva",
                          .postal_code = "anything-goes",
                          .country = "FJ"};
    expect_accept(&f);
}

static void test_postal_code_format_holds(void **state)
{
    (void)state;
    fixture f;
    setup_order(&f);
    f.ship.postal_code = "6270";
    expect_one(&f, HF_VC_POSTAL_CODE_FORMAT, "shipping_address.postal_code");
    assert_non_null(strstr(f.out.reasons[0].message, "62701")); /* example */
    assert_string_equal(f.out.shipping_postal, "");
    /* a bad billing postal code holds too, named as billing */
    setup_order(&f);
    f.in.billing = &f.bill;
    f.bill.postal_code = "ABCDE";
    expect_one(&f, HF_VC_POSTAL_CODE_FORMAT, "billing_address.postal_code");
}

static void test_unknown_country(void **state)
{
    (void)state;
    static const char *const bad[] = {"USA", "XX",        "U",
                                      "1A",  "U\xc3\xa9", "United States"};
    for (size_t i = 0; i < HF_ARRAY_LEN(bad); i++) {
        fixture f;
        setup_order(&f);
        f.ship.country = bad[i];
        expect_one(&f, HF_VC_UNKNOWN_COUNTRY, "shipping_address.country");
    }
    /* lower case and blanks are forgiven */
    fixture f;
    setup_order(&f);
    f.ship.country = " us ";
    expect_accept(&f);
}

static void test_text_limits_and_encoding(void **state)
{
    (void)state;
    fixture f;
    char longline[5000];
    memset(longline, 'a', sizeof(longline) - 1);
    longline[sizeof(longline) - 1] = '\0';
    memcpy(longline, "12 ", 3);

    setup_order(&f);
    f.ship.line1 = longline;
    expect_one(&f, HF_VC_FIELD_TOO_LONG, "shipping_address.line1");
    setup_order(&f);
    f.ship.postal_code = longline;
    expect_one(&f, HF_VC_FIELD_TOO_LONG, "shipping_address.postal_code");
    setup_order(&f);
    f.ship.name = "Ann\x01Lee";
    expect_one(&f, HF_VC_INVALID_TEXT, "shipping_address.name");
    setup_order(&f);
    f.ship.city = "Spring\xc0\xafield"; /* overlong '/' */
    expect_one(&f, HF_VC_INVALID_TEXT, "shipping_address.city");
    setup_order(&f);
    f.ship.city = "Spring\xed\xa0\x80"; /* a surrogate */
    expect_one(&f, HF_VC_INVALID_TEXT, "shipping_address.city");
    setup_order(&f);
    f.ship.line2 = "Apt \xe2\x82"; /* cut short */
    expect_one(&f, HF_VC_INVALID_TEXT, "shipping_address.line2");
    setup_order(&f);
    f.ship.phone = "+1 555\x7f";
    expect_one(&f, HF_VC_INVALID_TEXT, "shipping_address.phone");

    /* well-formed non-ASCII is welcome */
    setup_order(&f);
    f.ship.name = "Zo\xc3\xab Br\xc3\xbc"
                  "ckner \xf0\x9f\x8e\x81";
    expect_accept(&f);
    setup_order(&f);
    f.ship = (hf_address){.name = "山田太郎",
                          .line1 = "千代田1-1",
                          .city = "千代田区",
                          .region = "東京都",
                          .postal_code = "100-0001",
                          .country = "JP"};
    expect_accept(&f);
}

/* --- House numbers -----------------------------------------------------------
 */

static const struct house_case {
    const char *line1, *line2;
    bool has;
} house_cases[] = {
    {"1 Main St", NULL, true},
    {"Main St 1", NULL, true},
    {"Hauptstr. 5", NULL, true},
    {"221B Baker Street", NULL, true},
    {"One Main St", NULL, true},       /* a number word */
    {"twelve oaks drive", NULL, true}, /* any case */
    {"Calle Mayor s/n", NULL, true},   /* sin numero */
    {"Rua Augusta, S/N", NULL, true},
    {"Via Roma snc", NULL, true},
    {"Lieu-dit Les Granges", NULL, true},
    {"Apt 5", "123 Main St", true},     /* street on line2 */
    {"Unit 3/12 Smith St", NULL, true}, /* AU unit/number */
    {"Calle 12 # 34-56", NULL, true},
    {"Hauptstra\xc3\x9f"
     "e \xef\xbc\x95",
     NULL, true}, /* fullwidth 5 */
    {"Main St", NULL, false},
    {"Main St", "Apt 5", false}, /* the number is the flat's */
    {"Flat 3", "High Street", false},
    {"Main St #12", NULL, false},
    {"Main St, Suite 200", NULL, false},
    {"Someone Street", NULL, false}, /* "one" only as a whole word */
    {"Hauptstraße", NULL, false},
    {"", NULL, false},
    {NULL, NULL, false},
};

static void test_house_number_detection(void **state)
{
    (void)state;
    for (size_t i = 0; i < HF_ARRAY_LEN(house_cases); i++) {
        const struct house_case *c = &house_cases[i];
        if (hf_validate_has_house_number(c->line1, c->line2) != c->has)
            fail_msg("\"%s\" / \"%s\": expected %s", c->line1 ? c->line1 : "",
                     c->line2 ? c->line2 : "", c->has ? "a number" : "none");
    }
}

static void test_no_house_number_by_country(void **state)
{
    (void)state;
    fixture f;
    setup_order(&f);
    f.ship.line1 = "Main St";
    expect_one(&f, HF_VC_NO_HOUSE_NUMBER, "shipping_address.line1");
    f.ship.line2 = "Apt 5";
    expect_one(&f, HF_VC_NO_HOUSE_NUMBER, "shipping_address.line1");
    /* Germany too */
    setup_order(&f);
    f.ship = (hf_address){.name = "Max",
                          .line1 = "Hauptstraße",
                          .city = "Berlin",
                          .postal_code = "10115",
                          .country = "DE"};
    expect_one(&f, HF_VC_NO_HOUSE_NUMBER, "shipping_address.line1");
    /* a British building name is an address */
    setup_order(&f);
    f.ship = (hf_address){.name = "Ann",
                          .line1 = "Rose Cottage",
                          .line2 = "Church Lane",
                          .city = "Ambridge",
                          .postal_code = "B33 8TH",
                          .country = "GB"};
    expect_accept(&f);
    /* Japan: chome in kanji */
    setup_order(&f);
    f.ship = (hf_address){.name = "山田",
                          .line1 = "銀座一丁目",
                          .city = "中央区",
                          .region = "東京都",
                          .postal_code = "104-0061",
                          .country = "JP"};
    expect_accept(&f);
    /* billing addresses are not held for it */
    setup_order(&f);
    f.in.billing = &f.bill;
    f.bill.line1 = "Main St";
    expect_accept(&f);
}

/* --- PO boxes
 * ----------------------------------------------------------------- */

static const struct po_case {
    const char *line;
    bool box;
} po_cases[] = {
    {"PO Box 123", true},
    {"P.O. Box 123", true},
    {"p.o.box 9", true},
    {"POBox 9", true},
    {"Post Office Box 77", true},
    {"POB 12", true},
    {"GPO Box 1234", true},
    {"Locked Bag 5", true},
    {"Postfach 10 01 01", true},
    {"Postbus 123", true},
    {"Apartado de Correos 45", true},
    {"Apdo. 45", true},
    {"Caixa Postal 1000", true},
    {"Boîte postale 12", true},
    {"BP 12", true},
    {"Box 123", true}, /* Swedish style, at the line's start */
    {"Casilla 321", true},
    {"Skrytka pocztowa 5", true},
    {"General Delivery", true},
    {"1 Main St", false},
    {"12 Box Hill Rd", false},
    {"Boxwood Lane 3", false},
    {"Pobox Street 3", true}, /* a false alarm the rule accepts */
    {"3 Post Office Sq", false},
    {"1 Box Road", false},
    {"", false},
    {NULL, false},
};

static void test_po_box_detection(void **state)
{
    (void)state;
    for (size_t i = 0; i < HF_ARRAY_LEN(po_cases); i++) {
        if (hf_validate_is_po_box(po_cases[i].line) != po_cases[i].box)
            fail_msg("\"%s\": expected %s", po_cases[i].line,
                     po_cases[i].box ? "a PO box" : "no PO box");
    }
}

static void test_po_box_when_carrier_refuses(void **state)
{
    (void)state;
    fixture f;
    setup_order(&f);
    f.ship.line1 = "PO Box 123";
    expect_accept(&f); /* the carrier takes them */
    f.in.carrier_refuses_po_box = true;
    expect_one(&f, HF_VC_PO_BOX_NOT_ALLOWED, "shipping_address.line1");
    setup_order(&f);
    f.in.carrier_refuses_po_box = true;
    f.ship.line2 = "P.O. Box 9";
    expect_one(&f, HF_VC_PO_BOX_NOT_ALLOWED, "shipping_address.line2");
    setup_order(&f);
    f.in.carrier_refuses_po_box = true;
    expect_accept(&f);
}

/* --- Lines
 * -------------------------------------------------------------------- */

static void test_lines(void **state)
{
    (void)state;
    fixture f;
    setup_order(&f);
    f.in.n_lines = 0;
    expect_one(&f, HF_VC_NO_LINES, "lines");
    setup_order(&f);
    f.in.lines = NULL;
    expect_one(&f, HF_VC_NO_LINES, "lines");

    setup_order(&f);
    f.lines[1] = f.lines[0];
    f.lines[1].sku = "MUG";
    f.in.n_lines = 2;
    expect_accept(&f);
    f.lines[1].qty = 0;
    expect_one(&f, HF_VC_INVALID_QUANTITY, "lines[1].qty");
    f.lines[1].qty = -3;
    expect_one(&f, HF_VC_INVALID_QUANTITY, "lines[1].qty");
    f.lines[1].qty = 1;
    f.lines[1].known = false;
    expect_one(&f, HF_VC_UNKNOWN_PRODUCT, "lines[1].sku");
    f.lines[1].known = true;
    f.lines[1].sku = NULL;
    expect_one(&f, HF_VC_UNKNOWN_PRODUCT, "lines[1].sku");
    f.lines[1].sku = "MUG";
    f.lines[1].active = false;
    expect_one(&f, HF_VC_PRODUCT_UNAVAILABLE, "lines[1].sku");
    assert_non_null(strstr(f.out.reasons[0].message, "MUG"));
    f.lines[1].active = true;
    f.lines[1].qty = 51;
    expect_one(&f, HF_VC_INSUFFICIENT_STOCK, "lines[1].sku");
    f.lines[1].qty = 50;
    expect_accept(&f);
    f.lines[1].available = 0;
    f.lines[1].qty = 1;
    expect_one(&f, HF_VC_INSUFFICIENT_STOCK, "lines[1].sku");
    f.lines[1].available = HF_STOCK_UNCHECKED;
    f.lines[1].qty = 1000000;
    expect_accept(&f);
}

static void test_reasons_capped_outcome_kept(void **state)
{
    (void)state;
    fixture f;
    hf_validate_line many[100];
    setup_order(&f);
    for (size_t i = 0; i < HF_ARRAY_LEN(many); i++)
        many[i] = (hf_validate_line){.sku = "OLD",
                                     .qty = 1,
                                     .known = true,
                                     .active = false,
                                     .available = HF_STOCK_UNCHECKED};
    f.in.lines = many;
    f.in.n_lines = HF_ARRAY_LEN(many);
    f.ship.postal_code = "nope";
    assert_int_equal(run(&f), HF_VALIDATE_REJECT);
    assert_int_equal(f.out.n_reasons, HF_VALIDATE_MAX_REASONS);
    assert_int_equal(f.out.n_reasons + f.out.n_omitted, 101);
    assert_true(f.out.customer_prompt); /* the postal code came first */
    assert_string_equal(f.out.reasons[HF_VALIDATE_MAX_REASONS - 1].field,
                        "lines[30].sku");
}

/* --- Payment
 * ------------------------------------------------------------------ */

static void test_payment(void **state)
{
    (void)state;
    fixture f;
    setup_order(&f);
    f.in.authorized = 2499;
    expect_one(&f, HF_VC_PAYMENT_AMOUNT_MISMATCH, "payment.authorized");
    assert_non_null(strstr(f.out.reasons[0].message, "24.99 USD"));
    assert_non_null(strstr(f.out.reasons[0].message, "25.00 USD"));
    f.in.authorized = 2501;
    expect_one(&f, HF_VC_PAYMENT_AMOUNT_MISMATCH, "payment.authorized");
    /* nothing authorized yet (bank transfer): nothing to compare */
    f.in.payment_authorized = false;
    expect_accept(&f);

    setup_order(&f);
    f.in.authorized_currency = "USD";
    expect_accept(&f);
    f.in.authorized_currency = "EUR";
    expect_one(&f, HF_VC_PAYMENT_CURRENCY_MISMATCH, "payment.currency");

    setup_order(&f);
    f.in.payment_method = NULL;
    expect_one(&f, HF_VC_MISSING_PAYMENT, "payment.method");
    f.in.payment_method = " ";
    expect_one(&f, HF_VC_MISSING_PAYMENT, "payment.method");

    setup_order(&f);
    f.in.currency = "XYZ";
    expect_one(&f, HF_VC_INVALID_CURRENCY, "currency");
    f.in.currency = NULL;
    expect_one(&f, HF_VC_INVALID_CURRENCY, "currency");
}

/* --- Duplicates
 * ------------------------------------------------------------------ */

static void test_signature(void **state)
{
    (void)state;
    hf_validate_line a[] = {{.sku = "TEE", .qty = 2}, {.sku = "MUG", .qty = 1}};
    hf_validate_line b[] = {{.sku = "MUG", .qty = 1}, {.sku = "TEE", .qty = 2}};
    hf_validate_line c[] = {{.sku = "MUG", .qty = 1},
                            {.sku = "TEE", .qty = 1},
                            {.sku = "TEE", .qty = 1}};
    hf_validate_line d[] = {{.sku = "TEE", .qty = 1}, {.sku = "MUG", .qty = 2}};
    hf_validate_line e[] = {{.sku = "TEE", .qty = 2},
                            {.sku = "MUG", .qty = 1},
                            {.sku = "CAP", .qty = 0}};
    uint64_t s = hf_validate_signature(a, 2);
    assert_true(s != 0);
    assert_true(hf_validate_signature(b, 2) == s); /* order-independent */
    assert_true(hf_validate_signature(c, 3) == s); /* merged per SKU */
    assert_true(hf_validate_signature(d, 2) != s); /* other quantities */
    assert_true(hf_validate_signature(e, 3) == s); /* zero qty ignored */
    assert_true(hf_validate_signature(NULL, 0) == 0);

    /* the order's own signature counts live units only */
    hf_order_line ol[] = {{.sku = "TEE", .qty = 3, .cancelled_qty = 1},
                          {.sku = "MUG", .qty = 1}};
    hf_order o = {.lines = ol, .n_lines = 2};
    assert_true(hf_validate_order_signature(&o) == s);
}

static void test_likely_duplicate(void **state)
{
    (void)state;
    fixture f;
    setup_order(&f);
    uint64_t sig = hf_validate_signature(f.lines, 1);
    f.recent[0] = (hf_recent_order){"HF-100041", T0 - 3 * HF_MINUTE, sig};
    f.in.n_recent = 1;
    expect_one(&f, HF_VC_LIKELY_DUPLICATE, "lines");
    assert_non_null(strstr(f.out.reasons[0].message, "HF-100041"));
    assert_non_null(strstr(f.out.reasons[0].message, "3 minutes"));

    /* exactly at the window's edge still counts; past it does not */
    f.recent[0].placed_at = T0 - 10 * HF_MINUTE;
    expect_one(&f, HF_VC_LIKELY_DUPLICATE, "lines");
    f.recent[0].placed_at = T0 - 10 * HF_MINUTE - 1;
    expect_accept(&f);
    /* a longer window from the caller */
    f.in.duplicate_window_min = 30;
    expect_one(&f, HF_VC_LIKELY_DUPLICATE, "lines");
    f.in.duplicate_window_min = 0;

    /* other items, or the same items in another quantity */
    f.recent[0].placed_at = T0 - HF_MINUTE;
    f.recent[0].signature = sig + 1;
    expect_accept(&f);

    /* the newest of several matches is named; no number is fine */
    f.recent[0] = (hf_recent_order){"HF-1", T0 - 8 * HF_MINUTE, sig};
    f.recent[1] = (hf_recent_order){NULL, T0 - 2 * HF_MINUTE, sig};
    f.in.n_recent = 2;
    expect_one(&f, HF_VC_LIKELY_DUPLICATE, "lines");
    assert_non_null(strstr(f.out.reasons[0].message, "2 minutes"));
    /* absurd times are not near now, and do not overflow */
    f.recent[0] = (hf_recent_order){"HF-1", INT64_MIN, sig};
    f.recent[1] = (hf_recent_order){"HF-2", INT64_MAX, sig};
    expect_accept(&f);
    /* no lines: nothing to duplicate */
    f.in.n_lines = 0;
    expect_one(&f, HF_VC_NO_LINES, "lines");
}

/* --- The rest
 * -------------------------------------------------------------------- */

static void test_input_from_order(void **state)
{
    (void)state;
    hf_order_line ol[] = {{.sku = "TEE", .qty = 2, .unit_price = 1000}};
    hf_order o = {.currency = "EUR",
                  .lines = ol,
                  .n_lines = 1,
                  .shipping_total = 500,
                  .shipping_address = {.country = "DE"},
                  .billing_address = {.country = "FR"},
                  .payment = {.method = "card", .authorized = 2500}};
    hf_validate_input in;
    hf_validate_input_from_order(&o, &in);
    assert_ptr_equal(in.shipping, &o.shipping_address);
    assert_null(in.billing);
    assert_string_equal(in.currency, "EUR");
    assert_int_equal(in.total, 2500);
    assert_string_equal(in.payment_method, "card");
    assert_true(in.payment_authorized);
    assert_int_equal(in.authorized, 2500);
    assert_null(in.lines);
    o.has_billing_address = true;
    o.payment = (hf_payment_info){.method = "card", .captured = 2500};
    hf_validate_input_from_order(&o, &in);
    assert_ptr_equal(in.billing, &o.billing_address);
    assert_int_equal(in.authorized, 2500); /* captured counts */
    o.payment = (hf_payment_info){.method = "bank_transfer"};
    hf_validate_input_from_order(&o, &in);
    assert_false(in.payment_authorized);
}

/* A held order's address, corrected by the customer, passes alone. */
static void test_corrected_address_releases(void **state)
{
    (void)state;
    fixture f;
    setup_order(&f);
    f.in.carrier_refuses_po_box = true;
    f.ship.postal_code = "6270";
    f.ship.line1 = "PO Box 12";
    assert_int_equal(run(&f), HF_VALIDATE_HOLD);
    assert_int_equal(f.out.n_reasons, 2);

    hf_validate_result r;
    assert_int_equal(hf_validate_address(&f.ship, true, true, &r), HF_OK);
    assert_int_equal(r.outcome, HF_VALIDATE_HOLD);
    assert_int_equal(r.n_reasons, 2);
    assert_string_equal(r.reasons[0].field, "shipping_address.postal_code");
    f.ship.postal_code = "62701-0001";
    f.ship.line1 = "1 Main St";
    assert_int_equal(hf_validate_address(&f.ship, true, true, &r), HF_OK);
    assert_int_equal(r.outcome, HF_VALIDATE_ACCEPT);
    assert_int_equal(r.n_reasons, 0);
    assert_false(r.customer_prompt);
    assert_string_equal(r.shipping_postal, "62701-0001");
    /* a billing address is not held for a missing number or a PO box */
    f.bill.line1 = "PO Box 12";
    assert_int_equal(hf_validate_address(&f.bill, false, true, &r), HF_OK);
    assert_int_equal(r.outcome, HF_VALIDATE_ACCEPT);
    f.bill.postal_code = NULL;
    assert_int_equal(hf_validate_address(&f.bill, false, true, &r), HF_OK);
    assert_string_equal(r.reasons[0].field, "billing_address.postal_code");
    assert_int_equal(hf_validate_address(NULL, true, true, &r), HF_EINVAL);
    assert_int_equal(r.outcome, HF_VALIDATE_REJECT);
}

/* Random bytes in every address field (a fixed seed): no crash under the
 * sanitizers, and the outcome always agrees with the reasons. */
static void test_random_addresses_hold_together(void **state)
{
    (void)state;
    static const char alphabet[] = "0123456789 abcxyzABCPOBox.-#/,\x01"
                                   "\xc3\xa9\xe2\x82\xac\xff\xed\xa0";
    uint64_t seed = 42;
    char buf[8][64];
    for (int iter = 0; iter < 3000; iter++) {
        fixture f;
        setup_order(&f);
        f.in.carrier_refuses_po_box = iter % 2;
        const char **fields[] = {&f.ship.name,    &f.ship.line1,
                                 &f.ship.line2,   &f.ship.city,
                                 &f.ship.region,  &f.ship.postal_code,
                                 &f.ship.country, &f.ship.phone};
        for (size_t k = 0; k < HF_ARRAY_LEN(fields); k++) {
            seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
            size_t len = (size_t)(seed >> 58); /* 0..63 */
            if (k == 6)
                len %= 4; /* country: short, so some are real codes */
            for (size_t i = 0; i < len && i < sizeof(buf[k]) - 1; i++) {
                seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
                buf[k][i] = alphabet[(seed >> 33) % (sizeof(alphabet) - 1)];
            }
            buf[k][len < sizeof(buf[k]) ? len : sizeof(buf[k]) - 1] = '\0';
            *fields[k] = (seed >> 20) % 7 == 0 ? NULL : buf[k];
        }
        hf_validate_outcome o = run(&f);
        assert_true(f.out.n_reasons <= HF_VALIDATE_MAX_REASONS);
        assert_int_equal(o == HF_VALIDATE_ACCEPT, f.out.n_reasons == 0);
        bool prompt = false, review = false, reject = false;
        for (size_t i = 0; i < f.out.n_reasons; i++) {
            prompt |= f.out.reasons[i].severity == HF_VSEV_CUSTOMER;
            review |= f.out.reasons[i].severity == HF_VSEV_REVIEW;
            reject |= f.out.reasons[i].severity == HF_VSEV_REJECT;
            assert_non_null(memchr(f.out.reasons[i].message, '\0',
                                   sizeof(f.out.reasons[i].message)));
        }
        assert_int_equal(prompt, f.out.customer_prompt);
        assert_int_equal(review, f.out.needs_review);
        assert_int_equal(reject, o == HF_VALIDATE_REJECT);
    }
}

static void test_bad_arguments(void **state)
{
    (void)state;
    hf_validate_result out;
    hf_validate_input in;
    memset(&in, 0, sizeof(in));
    assert_int_equal(hf_validate_order(NULL, &out), HF_EINVAL);
    assert_int_equal(out.outcome, HF_VALIDATE_REJECT);
    assert_int_equal(hf_validate_order(&in, &out), HF_EINVAL);
    assert_int_equal(hf_validate_order(&in, NULL), HF_EINVAL);
}

static void test_code_table(void **state)
{
    (void)state;
    for (int i = 0; i < HF_VC_COUNT; i++) {
        const char *name = hf_validate_code_name((hf_validate_code)i);
        assert_non_null(name);
        assert_string_not_equal(name, "unknown");
        for (int j = 0; j < i; j++)
            assert_string_not_equal(name,
                                    hf_validate_code_name((hf_validate_code)j));
    }
    assert_string_equal(hf_validate_code_name(HF_VC_COUNT), "unknown");
    /* the decisions the docs promise */
    assert_int_equal(hf_validate_code_severity(HF_VC_POSTAL_CODE_FORMAT),
                     HF_VSEV_CUSTOMER);
    assert_int_equal(hf_validate_code_severity(HF_VC_PRODUCT_UNAVAILABLE),
                     HF_VSEV_REJECT);
    assert_int_equal(hf_validate_code_severity(HF_VC_PAYMENT_AMOUNT_MISMATCH),
                     HF_VSEV_REJECT);
    assert_int_equal(hf_validate_code_severity(HF_VC_LIKELY_DUPLICATE),
                     HF_VSEV_REVIEW);
    assert_string_equal(hf_validate_outcome_name(HF_VALIDATE_HOLD), "hold");
    assert_string_equal(hf_validate_severity_name(HF_VSEV_REVIEW), "review");
}

static void test_mixed_outcome(void **state)
{
    (void)state;
    /* a hold and a reject together reject, with both reasons */
    fixture f;
    setup_order(&f);
    f.ship.postal_code = "1";
    f.lines[0].active = false;
    assert_int_equal(run(&f), HF_VALIDATE_REJECT);
    assert_int_equal(f.out.n_reasons, 2);
    assert_non_null(reason(&f, HF_VC_POSTAL_CODE_FORMAT));
    assert_non_null(reason(&f, HF_VC_PRODUCT_UNAVAILABLE));
    /* a customer fix and a review together: both flags */
    setup_order(&f);
    f.ship.postal_code = "1";
    f.recent[0] =
        (hf_recent_order){"HF-9", T0, hf_validate_signature(f.lines, 1)};
    f.in.n_recent = 1;
    assert_int_equal(run(&f), HF_VALIDATE_HOLD);
    assert_true(f.out.customer_prompt);
    assert_true(f.out.needs_review);
}

/* --- The documentation ------------------------------------------------ */

/* The row docs/validation.md shows for r. */
static void doc_row(const hf_country_rule *r, char *out, size_t size)
{
    char fmt[160] = "none";
    if (r->postal != NULL) {
        size_t n = 0;
        const char *p = r->postal;
        n += (size_t)snprintf(fmt, sizeof(fmt), "`");
        for (; *p != '\0' && n + 8 < sizeof(fmt); p++) {
            if (*p == '|')
                n += (size_t)snprintf(fmt + n, sizeof(fmt) - n, "` or `");
            else
                fmt[n++] = *p;
        }
        snprintf(fmt + n, sizeof(fmt) - n, "`");
    }
    snprintf(out, size, "| %s | %s | %s | %s | %s | %s | %s |", r->code,
             r->name, fmt, r->example != NULL ? r->example : "-",
             r->postal == NULL    ? "-"
             : r->postal_required ? "required"
                                  : "optional",
             r->region_required ? "required" : "-",
             r->house_number ? "required" : "-");
}

/* docs/validation.md carries the country table exactly as the code has
 * it; on a difference the whole expected table is printed to paste. */
static void test_docs_country_table_matches(void **state)
{
    (void)state;
    static char doc[200000];
    FILE *fp = fopen(HF_SOURCE_DIR "/docs/validation.md", "r");
    assert_non_null(fp);
    size_t len = fread(doc, 1, sizeof(doc) - 1, fp);
    fclose(fp);
    doc[len] = '\0';

    size_t n;
    const hf_country_rule *t = hf_postal_countries(&n);
    bool all = true;
    for (size_t i = 0; i < n; i++) {
        char row[400];
        doc_row(&t[i], row, sizeof(row));
        if (strstr(doc, row) == NULL) {
            print_error("missing from docs/validation.md: %s\n", row);
            all = false;
        }
    }
    if (!all) {
        for (size_t i = 0; i < n; i++) {
            char row[400];
            doc_row(&t[i], row, sizeof(row));
            print_message("%s\n", row);
        }
        fail_msg("docs/validation.md's country table differs from postal.c");
    }
    /* and every reason code is documented */
    for (int c = 0; c < HF_VC_COUNT; c++) {
        char code[64];
        snprintf(code, sizeof(code), "`%s`",
                 hf_validate_code_name((hf_validate_code)c));
        if (strstr(doc, code) == NULL)
            fail_msg("docs/validation.md lacks %s", code);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table_sorted_and_examples_valid),
        cmocka_unit_test(test_postal_formats_every_country),
        cmocka_unit_test(test_postal_edges),
        cmocka_unit_test(test_country_codes_assigned),
        cmocka_unit_test(test_clean_order_accepted),
        cmocka_unit_test(test_missing_required_fields),
        cmocka_unit_test(test_region_and_postal_by_country),
        cmocka_unit_test(test_postal_code_format_holds),
        cmocka_unit_test(test_unknown_country),
        cmocka_unit_test(test_text_limits_and_encoding),
        cmocka_unit_test(test_house_number_detection),
        cmocka_unit_test(test_no_house_number_by_country),
        cmocka_unit_test(test_po_box_detection),
        cmocka_unit_test(test_po_box_when_carrier_refuses),
        cmocka_unit_test(test_lines),
        cmocka_unit_test(test_reasons_capped_outcome_kept),
        cmocka_unit_test(test_payment),
        cmocka_unit_test(test_signature),
        cmocka_unit_test(test_likely_duplicate),
        cmocka_unit_test(test_input_from_order),
        cmocka_unit_test(test_corrected_address_releases),
        cmocka_unit_test(test_random_addresses_hold_together),
        cmocka_unit_test(test_bad_arguments),
        cmocka_unit_test(test_code_table),
        cmocka_unit_test(test_mixed_outcome),
        cmocka_unit_test(test_docs_country_table_matches),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
