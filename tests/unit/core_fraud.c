/* Unit tests for core/fraud: every rule fires and stays quiet, the score
 * maps to a decision by the thresholds, and the configuration overrides
 * the defaults. Includes fraud.c to check its domain lists are sorted. */
#include "core/fraud.c"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

/* A returning customer ordering a small basket at home. */
static hf_fraud_input quiet(void)
{
    return (hf_fraud_input){.email = "ann@example.com",
                            .shipping_country = "US",
                            .billing_country = "US",
                            .ip_country = "US",
                            .prior_orders = 4,
                            .total = 2500,
                            .currency = "USD"};
}

/* Screens in with the defaults and returns the result. */
static hf_fraud_result screen(const hf_fraud_input *in)
{
    hf_fraud_result r;
    assert_int_equal(hf_fraud_screen(in, NULL, &r), HF_OK);
    return r;
}

/* Asserts that in fires exactly rule (with its default points) and
 * nothing else. */
static void expect_only(const hf_fraud_input *in, hf_fraud_rule rule)
{
    hf_fraud_result r = screen(in);
    hf_fraud_config d;
    hf_fraud_config_default(&d);
    for (size_t i = 0; r.n_hits != 1 && i < r.n_hits; i++)
        print_message("hit %s (%d): %s\n", hf_fraud_rule_code(r.hits[i].rule),
                      r.hits[i].points, r.hits[i].detail);
    assert_int_equal(r.n_hits, 1);
    assert_string_equal(hf_fraud_rule_code(r.hits[0].rule),
                        hf_fraud_rule_code(rule));
    assert_int_equal(r.hits[0].points, d.points[rule]);
    assert_int_equal(r.score, d.points[rule]);
    assert_true(r.hits[0].detail[0] != '\0');
}

static void expect_quiet(const hf_fraud_input *in)
{
    hf_fraud_result r = screen(in);
    for (size_t i = 0; i < r.n_hits; i++)
        print_message("unexpected %s: %s\n", hf_fraud_rule_code(r.hits[i].rule),
                      r.hits[i].detail);
    assert_int_equal(r.n_hits, 0);
    assert_int_equal(r.score, 0);
    assert_int_equal(r.decision, HF_FRAUD_ACCEPT);
}

static void test_quiet_order_accepted(void **state)
{
    (void)state;
    hf_fraud_input in = quiet();
    expect_quiet(&in);
    /* nothing known at all is not suspicious either */
    hf_fraud_input empty = {0};
    expect_quiet(&empty);
}

/* Each velocity rule: one below its limit is quiet, at it fires. */
static void test_velocity_rules(void **state)
{
    (void)state;
    static const struct {
        hf_fraud_rule rule;
        size_t off; /* the hf_velocity in the input */
        bool day;
        int64_t limit;
    } cases[] = {
        {HF_FR_EMAIL_VELOCITY_HOUR, offsetof(hf_fraud_input, by_email), false,
         3},
        {HF_FR_EMAIL_VELOCITY_DAY, offsetof(hf_fraud_input, by_email), true,
         10},
        {HF_FR_PAYMENT_VELOCITY_HOUR, offsetof(hf_fraud_input, by_payment),
         false, 3},
        {HF_FR_PAYMENT_VELOCITY_DAY, offsetof(hf_fraud_input, by_payment), true,
         8},
        {HF_FR_IP_VELOCITY_HOUR, offsetof(hf_fraud_input, by_ip), false, 5},
        {HF_FR_IP_VELOCITY_DAY, offsetof(hf_fraud_input, by_ip), true, 20},
        {HF_FR_ADDRESS_VELOCITY_HOUR, offsetof(hf_fraud_input, by_address),
         false, 3},
        {HF_FR_ADDRESS_VELOCITY_DAY, offsetof(hf_fraud_input, by_address), true,
         10},
    };
    for (size_t i = 0; i < HF_ARRAY_LEN(cases); i++) {
        hf_fraud_input in = quiet();
        hf_velocity *v = (hf_velocity *)((char *)&in + cases[i].off);
        int64_t *n = cases[i].day ? &v->last_day : &v->last_hour;
        *n = cases[i].limit - 1;
        expect_quiet(&in);
        *n = cases[i].limit;
        expect_only(&in, cases[i].rule);
    }
    /* a burst counts in both windows */
    hf_fraud_input in = quiet();
    in.by_payment = (hf_velocity){5, 9};
    hf_fraud_result r = screen(&in);
    assert_int_equal(r.n_hits, 2);
    assert_int_equal(r.score, 45);
    assert_int_equal(r.decision, HF_FRAUD_REVIEW);
    assert_non_null(strstr(r.hits[0].detail, "5 other orders"));
}

static void test_country_mismatch(void **state)
{
    (void)state;
    hf_fraud_input in = quiet();
    in.ip_country = NULL;
    in.shipping_country = "GB";
    expect_only(&in, HF_FR_COUNTRY_MISMATCH);
    in.shipping_country = "us"; /* case does not matter */
    expect_quiet(&in);
    in.billing_country = NULL; /* no billing address: nothing to compare */
    in.shipping_country = "GB";
    expect_quiet(&in);
}

static void test_ip_country_mismatch(void **state)
{
    (void)state;
    hf_fraud_input in = quiet();
    in.ip_country = "NG";
    expect_only(&in, HF_FR_IP_COUNTRY_MISMATCH);
    in.ip_country = NULL; /* unknown IP country */
    expect_quiet(&in);
    in.ip_country = "";
    expect_quiet(&in);
    /* without billing, the shipping country stands in */
    in = quiet();
    in.billing_country = NULL;
    in.ip_country = "US";
    expect_quiet(&in);
    in.ip_country = "RO";
    expect_only(&in, HF_FR_IP_COUNTRY_MISMATCH);
}

static void test_new_customer_high_value(void **state)
{
    (void)state;
    hf_fraud_input in = quiet();
    in.prior_orders = 0;
    in.total = 49999;
    expect_quiet(&in);
    in.total = 50000;
    expect_only(&in, HF_FR_NEW_CUSTOMER_HIGH_VALUE);
    in.prior_orders = 1;
    expect_quiet(&in);
    /* per currency: 75,000 JPY is high, 50,000 JPY is not */
    in = quiet();
    in.prior_orders = 0;
    in.currency = "JPY";
    in.total = 50000;
    expect_quiet(&in);
    in.total = 75000;
    expect_only(&in, HF_FR_NEW_CUSTOMER_HIGH_VALUE);
    /* a currency without a threshold is never high value */
    in.currency = "ISK";
    in.total = 999999999;
    expect_quiet(&in);
    in.currency = NULL;
    expect_quiet(&in);
}

static void test_disposable_email(void **state)
{
    (void)state;
    hf_fraud_input in = quiet();
    in.email = "x@mailinator.com";
    expect_only(&in, HF_FR_DISPOSABLE_EMAIL);
    in.email = "X@MailInator.COM";
    expect_only(&in, HF_FR_DISPOSABLE_EMAIL);
    in.email = "x@eu.yopmail.com"; /* a subdomain */
    expect_only(&in, HF_FR_DISPOSABLE_EMAIL);
    in.email = "x@mailinator.com.";
    expect_only(&in, HF_FR_DISPOSABLE_EMAIL);
    in.email = "x@notmailinator.com"; /* not a parent domain */
    expect_quiet(&in);
    in.email = "mailinator.com"; /* no '@' */
    expect_quiet(&in);
    in.email = "x@";
    expect_quiet(&in);
    in.email = NULL;
    expect_quiet(&in);
}

static void test_freemail_high_value(void **state)
{
    (void)state;
    hf_fraud_input in = quiet();
    in.email = "ann@gmail.com";
    expect_quiet(&in); /* free mail alone is normal */
    in.total = 50000;
    expect_only(&in, HF_FR_FREEMAIL_HIGH_VALUE);
    in.email = "ann@shop.example";
    expect_quiet(&in);
}

static void test_domain_lists_sorted_and_found(void **state)
{
    (void)state;
    for (size_t i = 0; i < HF_ARRAY_LEN(disposable_domains); i++) {
        char email[300];
        if (i > 0)
            assert_true(
                strcmp(disposable_domains[i - 1], disposable_domains[i]) < 0);
        snprintf(email, sizeof(email), "a@%s", disposable_domains[i]);
        assert_true(hf_fraud_email_disposable(email));
        assert_false(hf_fraud_email_freemail(email));
    }
    for (size_t i = 0; i < HF_ARRAY_LEN(freemail_domains); i++) {
        char email[300];
        if (i > 0)
            assert_true(strcmp(freemail_domains[i - 1], freemail_domains[i]) <
                        0);
        snprintf(email, sizeof(email), "a@%s", freemail_domains[i]);
        assert_true(hf_fraud_email_freemail(email));
        assert_false(hf_fraud_email_disposable(email));
    }
    assert_true(HF_ARRAY_LEN(disposable_domains) >= 50);
    /* very long and non-ASCII addresses are simply not listed */
    char longmail[1000];
    memset(longmail, 'a', sizeof(longmail) - 1);
    longmail[sizeof(longmail) - 1] = '\0';
    longmail[10] = '@';
    assert_false(hf_fraud_email_disposable(longmail));
    assert_false(hf_fraud_email_disposable("j\xc3\xb6rg@b\xc3\xbc"
                                           "cher.de"));
}

static void test_thresholds_decide(void **state)
{
    (void)state;
    /* disposable (35) alone: accept; + IP mismatch (20) = 55: review;
     * + payment velocity hour (30) = 85: reject */
    hf_fraud_input in = quiet();
    in.email = "x@yopmail.com";
    hf_fraud_result r = screen(&in);
    assert_int_equal(r.score, 35);
    assert_int_equal(r.decision, HF_FRAUD_ACCEPT);
    in.ip_country = "VN";
    r = screen(&in);
    assert_int_equal(r.score, 55);
    assert_int_equal(r.decision, HF_FRAUD_REVIEW);
    in.by_payment.last_hour = 3;
    r = screen(&in);
    assert_int_equal(r.score, 85);
    assert_int_equal(r.decision, HF_FRAUD_REJECT);
    assert_int_equal(r.n_hits, 3);
    /* hits come in table order */
    assert_int_equal(r.hits[0].rule, HF_FR_PAYMENT_VELOCITY_HOUR);
    assert_int_equal(r.hits[1].rule, HF_FR_IP_COUNTRY_MISMATCH);
    assert_int_equal(r.hits[2].rule, HF_FR_DISPOSABLE_EMAIL);

    /* exactly at a threshold counts */
    hf_fraud_config cfg;
    hf_fraud_config_default(&cfg);
    cfg.review_at = 35;
    in = quiet();
    in.email = "x@yopmail.com";
    assert_int_equal(hf_fraud_screen(&in, &cfg, &r), HF_OK);
    assert_int_equal(r.decision, HF_FRAUD_REVIEW);
    cfg.reject_at = 35;
    assert_int_equal(hf_fraud_screen(&in, &cfg, &r), HF_OK);
    assert_int_equal(r.decision, HF_FRAUD_REJECT);
}

static void test_weights_switch_rules(void **state)
{
    (void)state;
    hf_fraud_config cfg;
    hf_fraud_result r;
    hf_fraud_config_default(&cfg);
    hf_fraud_input in = quiet();
    in.email = "x@yopmail.com";
    cfg.points[HF_FR_DISPOSABLE_EMAIL] = 0; /* off */
    assert_int_equal(hf_fraud_screen(&in, &cfg, &r), HF_OK);
    assert_int_equal(r.n_hits, 0);
    cfg.points[HF_FR_DISPOSABLE_EMAIL] = 90;
    assert_int_equal(hf_fraud_screen(&in, &cfg, &r), HF_OK);
    assert_int_equal(r.score, 90);
    assert_int_equal(r.decision, HF_FRAUD_REJECT);
    /* a tighter velocity limit */
    hf_fraud_config_default(&cfg);
    in = quiet();
    in.by_ip.last_hour = 2;
    assert_int_equal(hf_fraud_screen(&in, &cfg, &r), HF_OK);
    assert_int_equal(r.n_hits, 0);
    cfg.ip_limit.last_hour = 2;
    assert_int_equal(hf_fraud_screen(&in, &cfg, &r), HF_OK);
    assert_int_equal(r.n_hits, 1);
}

static void test_bad_arguments(void **state)
{
    (void)state;
    hf_fraud_result r;
    hf_fraud_config cfg;
    hf_fraud_input in = quiet();
    assert_int_equal(hf_fraud_screen(NULL, NULL, &r), HF_EINVAL);
    assert_int_equal(r.decision, HF_FRAUD_REVIEW); /* fail towards a human */
    assert_int_equal(hf_fraud_screen(&in, NULL, NULL), HF_EINVAL);
    hf_fraud_config_default(&cfg);
    cfg.reject_at = cfg.review_at - 1;
    assert_int_equal(hf_fraud_screen(&in, &cfg, &r), HF_EINVAL);
    cfg.review_at = 0;
    cfg.reject_at = 10;
    assert_int_equal(hf_fraud_screen(&in, &cfg, &r), HF_EINVAL);
}

static void test_config_load(void **state)
{
    (void)state;
    hf_fraud_config cfg;
    hf_err err;
    hf_config *c = hf_config_new();
    assert_non_null(c);

    hf_fraud_config_default(&cfg);
    assert_int_equal(hf_fraud_config_load(c, &cfg, &err), HF_OK);
    assert_int_equal(cfg.review_at, 40); /* nothing set: the defaults */

    assert_int_equal(hf_config_set(c, "fraud.review_at", "30"), HF_OK);
    assert_int_equal(hf_config_set(c, "fraud.reject_at", "60"), HF_OK);
    assert_int_equal(hf_config_set(c, "fraud.points.disposable_email", "0"),
                     HF_OK);
    assert_int_equal(hf_config_set(c, "fraud.ip_per_day", "50"), HF_OK);
    assert_int_equal(hf_config_set(c, "fraud.high_value.USD", "100000"), HF_OK);
    assert_int_equal(hf_config_set(c, "fraud.high_value.ZAR", "900000"), HF_OK);
    assert_int_equal(hf_fraud_config_load(c, &cfg, &err), HF_OK);
    assert_int_equal(cfg.review_at, 30);
    assert_int_equal(cfg.reject_at, 60);
    assert_int_equal(cfg.points[HF_FR_DISPOSABLE_EMAIL], 0);
    assert_int_equal(cfg.points[HF_FR_COUNTRY_MISMATCH], 20);
    assert_int_equal(cfg.ip_limit.last_day, 50);
    assert_int_equal(cfg.ip_limit.last_hour, 5);
    assert_int_equal(hf_fraud_high_value(&cfg, "USD"), 100000);
    assert_int_equal(hf_fraud_high_value(&cfg, "ZAR"), 900000);
    assert_int_equal(hf_fraud_high_value(&cfg, "EUR"), 50000);
    assert_int_equal(hf_fraud_high_value(&cfg, "ISK"), -1);

    /* bad values name their key */
    static const char *const bad[][2] = {
        {"fraud.review_at", "lots"},
        {"fraud.review_at", "-1"},
        {"fraud.points.ip_velocity_hour", "1e3"},
        {"fraud.email_per_hour", "0"},
        {"fraud.high_value.EUR", ""},
    };
    for (size_t i = 0; i < HF_ARRAY_LEN(bad); i++) {
        hf_config *b = hf_config_new();
        assert_int_equal(hf_config_set(b, bad[i][0], bad[i][1]), HF_OK);
        hf_fraud_config_default(&cfg);
        assert_int_equal(hf_fraud_config_load(b, &cfg, &err), HF_EINVAL);
        assert_string_equal(err.field, bad[i][0]);
        hf_config_free(b);
    }
    hf_config *b = hf_config_new();
    assert_int_equal(hf_config_set(b, "fraud.reject_at", "20"), HF_OK);
    hf_fraud_config_default(&cfg);
    assert_int_equal(hf_fraud_config_load(b, &cfg, &err), HF_EINVAL);
    assert_string_equal(err.field, "fraud.reject_at");
    hf_config_free(b);
    hf_config_free(c);
}

static void test_rule_names(void **state)
{
    (void)state;
    for (int r = 0; r < HF_FR_RULE_COUNT; r++) {
        hf_fraud_rule back;
        const char *code = hf_fraud_rule_code((hf_fraud_rule)r);
        assert_string_not_equal(code, "unknown");
        assert_true(hf_fraud_rule_parse(code, &back));
        assert_int_equal(back, r);
        assert_int_equal(rules[r].rule, r); /* rows sit at their enum */
    }
    hf_fraud_rule back;
    assert_false(hf_fraud_rule_parse("nope", &back));
    assert_false(hf_fraud_rule_parse(NULL, &back));
    assert_string_equal(hf_fraud_rule_code(HF_FR_RULE_COUNT), "unknown");
    assert_string_equal(hf_fraud_decision_name(HF_FRAUD_REVIEW), "review");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_quiet_order_accepted),
        cmocka_unit_test(test_velocity_rules),
        cmocka_unit_test(test_country_mismatch),
        cmocka_unit_test(test_ip_country_mismatch),
        cmocka_unit_test(test_new_customer_high_value),
        cmocka_unit_test(test_disposable_email),
        cmocka_unit_test(test_freemail_high_value),
        cmocka_unit_test(test_domain_lists_sorted_and_found),
        cmocka_unit_test(test_thresholds_decide),
        cmocka_unit_test(test_weights_switch_rules),
        cmocka_unit_test(test_bad_arguments),
        cmocka_unit_test(test_config_load),
        cmocka_unit_test(test_rule_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
