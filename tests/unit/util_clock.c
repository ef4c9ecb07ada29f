/* Unit tests for util/clock: manual clocks, RFC 3339 formatting and
 * parsing, the civil calendar and weekdays. */
#include "util/clock.h"
#include "util/mem.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

/* Parses text, failing the test when it does not parse. */
static hf_time parse_ok(const char *text)
{
    hf_time t = -42;
    if (hf_time_parse(text, &t) != 0)
        fail_msg("should parse: \"%s\"", text);
    return t;
}

static void test_manual_clock(void **state)
{
    (void)state;
    hf_clock *c = hf_clock_manual(1795341600000);
    assert_non_null(c);
    assert_int_equal(hf_clock_now(c), 1795341600000);
    assert_int_equal(hf_clock_now(c), 1795341600000); /* stands still */
    hf_clock_advance(c, HF_DAY + 5);
    assert_int_equal(hf_clock_now(c), 1795341600000 + HF_DAY + 5);
    hf_clock_advance(c, -5);
    assert_int_equal(hf_clock_now(c), 1795341600000 + HF_DAY);
    hf_clock_set(c, 0);
    assert_int_equal(hf_clock_now(c), 0);
    hf_clock_free(c);
}

static void test_manual_clock_out_of_memory(void **state)
{
    (void)state;
    long before = hf_mem_live();
    hf_mem_fail_after(1);
    assert_null(hf_clock_manual(0));
    hf_mem_fail_after(0);
    assert_int_equal(hf_mem_live(), before);
}

static void test_system_clock(void **state)
{
    (void)state;
    hf_clock *sys = hf_clock_system();
    assert_ptr_equal(sys, hf_clock_system());
    hf_time before = hf_clock_now(sys);
    /* after 2020 and before 2100: a real time, in milliseconds */
    assert_true(before > parse_ok("2020-01-01T00:00:00Z"));
    assert_true(before < parse_ok("2100-01-01T00:00:00Z"));
    /* setting or advancing the system clock does nothing */
    hf_clock_set(sys, 0);
    hf_clock_advance(sys, -10 * HF_DAY);
    hf_time after = hf_clock_now(sys);
    assert_true(after >= before);
    assert_true(after - before < HF_MINUTE);
    hf_clock_free(sys); /* a no-op on the shared clock */
    assert_true(hf_clock_now(hf_clock_system()) >= after);
}

static void test_format_known_instants(void **state)
{
    (void)state;
    char buf[HF_TIME_TEXT];
    assert_string_equal(hf_time_format(0, buf), "1970-01-01T00:00:00Z");
    assert_ptr_equal(hf_time_format(0, buf), buf);
    assert_string_equal(hf_time_format(1795341600000, buf),
                        "2026-11-22T10:00:00Z");
    assert_string_equal(hf_time_format(1709210096789, buf),
                        "2024-02-29T12:34:56.789Z");
    assert_string_equal(hf_time_format(946684799000, buf),
                        "1999-12-31T23:59:59Z");
    assert_string_equal(hf_time_format(951868800000, buf),
                        "2000-03-01T00:00:00Z");
    /* milliseconds keep their leading zeros */
    assert_string_equal(hf_time_format(5, buf), "1970-01-01T00:00:00.005Z");
    assert_string_equal(hf_time_format(50, buf), "1970-01-01T00:00:00.050Z");
    /* before the epoch */
    assert_string_equal(hf_time_format(-1000, buf), "1969-12-31T23:59:59Z");
    assert_string_equal(hf_time_format(-1, buf), "1969-12-31T23:59:59.999Z");
}

static void test_parse_known_instants(void **state)
{
    (void)state;
    assert_int_equal(parse_ok("1970-01-01T00:00:00Z"), 0);
    assert_int_equal(parse_ok("2026-11-22T10:00:00Z"), 1795341600000);
    assert_int_equal(parse_ok("2024-02-29T12:34:56.789Z"), 1709210096789);
    assert_int_equal(parse_ok("1969-12-31T23:59:59Z"), -1000);
    /* RFC 3339 allows lower-case t and z, and a space for T */
    assert_int_equal(parse_ok("2026-11-22t10:00:00z"), 1795341600000);
    assert_int_equal(parse_ok("2026-11-22 10:00:00Z"), 1795341600000);
}

static void test_parse_fractions(void **state)
{
    (void)state;
    hf_time base = parse_ok("2026-11-22T10:00:00Z");
    assert_int_equal(parse_ok("2026-11-22T10:00:00.5Z"), base + 500);
    assert_int_equal(parse_ok("2026-11-22T10:00:00.05Z"), base + 50);
    assert_int_equal(parse_ok("2026-11-22T10:00:00.000Z"), base);
    /* beyond milliseconds is truncated, not rounded */
    assert_int_equal(parse_ok("2026-11-22T10:00:00.123999Z"), base + 123);
    assert_int_equal(parse_ok("2026-11-22T10:00:00.999999999Z"), base + 999);
}

static void test_parse_offsets(void **state)
{
    (void)state;
    hf_time utc = parse_ok("2024-01-01T00:00:00Z");
    /* midnight in India is 18:30 the day before in UTC */
    assert_int_equal(parse_ok("2024-01-01T00:00:00+05:30"),
                     utc - 5 * HF_HOUR - 30 * HF_MINUTE);
    assert_int_equal(parse_ok("2024-01-01T00:00:00+05:30"), 1704047400000);
    assert_int_equal(parse_ok("2023-12-31T19:00:00-05:00"), utc);
    assert_int_equal(parse_ok("2024-01-01T00:00:00+00:00"), utc);
    assert_int_equal(parse_ok("2024-01-01T00:00:00-00:00"), utc);
    assert_int_equal(parse_ok("2024-01-01T13:45:00+13:45"), utc);
    assert_int_equal(parse_ok("2023-12-31T00:01:00-23:59"), utc);
    char buf[HF_TIME_TEXT];
    assert_string_equal(
        hf_time_format(parse_ok("2026-03-08T01:30:00.250-08:00"), buf),
        "2026-03-08T09:30:00.250Z");
}

static void test_parse_rejects_invalid(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "",
        "2026",
        "2026-11-22",                /* a date is not a time */
        "2026-11-22T10:00:00",       /* no offset: ambiguous */
        "2026-11-22T10:00Z",         /* no seconds */
        "2026-11-22X10:00:00Z",      /* bad separator */
        "2026/11/22T10:00:00Z",      /* bad date separator */
        "26-11-22T10:00:00Z",        /* two-digit year */
        "2026-1-22T10:00:00Z",       /* one-digit month */
        "2026-11-22T10:00:00ZZ",     /* trailing text */
        "2026-11-22T10:00:00Z ",     /* trailing space */
        " 2026-11-22T10:00:00Z",     /* leading space */
        "2026-11-22T10:00:00.Z",     /* empty fraction */
        "2026-11-22T10:00:00+0530",  /* offset without colon */
        "2026-11-22T10:00:00+05",    /* offset without minutes */
        "2026-11-22T10:00:00+24:00", /* offset hour out of range */
        "2026-11-22T10:00:00+05:60", /* offset minute out of range */
        "2026-00-10T10:00:00Z",      /* month 0 */
        "2026-13-10T10:00:00Z",      /* month 13 */
        "2026-11-00T10:00:00Z",      /* day 0 */
        "2026-11-31T10:00:00Z",      /* November has 30 days */
        "2026-04-31T10:00:00Z",
        "2026-01-32T10:00:00Z",
        "2026-11-22T24:00:00Z", /* hour 24 */
        "2026-11-22T10:60:00Z", /* minute 60 */
        "2026-11-22T10:00:61Z", /* second 61 */
        "2026-11-22T1a:00:00Z",
        "2026-11-22T10:00:00+5:30",
        "x026-11-22T10:00:00Z",
        "2026-11-22T10:00:00.12a3Z",
        "-026-11-22T10:00:00Z",
        "2026-11-22T10:00:00 Z",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        hf_time t = 12345;
        if (hf_time_parse(bad[i], &t) != -1)
            fail_msg("should not parse: \"%s\"", bad[i]);
        assert_int_equal(t, 12345); /* output untouched on failure */
    }
    hf_time t = 12345;
    assert_int_equal(hf_time_parse(NULL, &t), -1);
    assert_int_equal(t, 12345);
}

static void test_parse_truncated_inputs(void **state)
{
    (void)state;
    /* every proper prefix of a valid time is invalid, and reading one
     * never goes past its end (ASan checks the copies below) */
    const char *full = "2024-02-29T12:34:56.789+05:30";
    size_t n = strlen(full);
    for (size_t len = 0; len < n; len++) {
        char *prefix = test_malloc(len + 1);
        memcpy(prefix, full, len);
        prefix[len] = '\0';
        hf_time t;
        /* "...56.78" and "...56.7" are still shorter fractions with no
         * offset; none of the prefixes is complete */
        if (hf_time_parse(prefix, &t) == 0)
            fail_msg("prefix should not parse: \"%s\"", prefix);
        test_free(prefix);
    }
    hf_time t;
    assert_int_equal(hf_time_parse(full, &t), 0);
}

static void test_leap_years(void **state)
{
    (void)state;
    hf_time t;
    /* divisible by 4 */
    assert_int_equal(hf_time_parse("2024-02-29T00:00:00Z", &t), 0);
    assert_int_equal(hf_time_parse("2023-02-29T00:00:00Z", &t), -1);
    /* centuries are not, unless divisible by 400 */
    assert_int_equal(hf_time_parse("1900-02-29T00:00:00Z", &t), -1);
    assert_int_equal(hf_time_parse("2100-02-29T00:00:00Z", &t), -1);
    assert_int_equal(hf_time_parse("2000-02-29T00:00:00Z", &t), 0);
    assert_int_equal(hf_time_parse("2400-02-29T00:00:00Z", &t), 0);
    assert_int_equal(hf_time_parse("2024-02-30T00:00:00Z", &t), -1);
    /* the day after 29 February is 1 March */
    char buf[HF_TIME_TEXT];
    assert_string_equal(
        hf_time_format(parse_ok("2024-02-29T00:00:00Z") + HF_DAY, buf),
        "2024-03-01T00:00:00Z");
    assert_string_equal(
        hf_time_format(parse_ok("2023-02-28T00:00:00Z") + HF_DAY, buf),
        "2023-03-01T00:00:00Z");
    assert_string_equal(
        hf_time_format(parse_ok("2100-02-28T00:00:00Z") + HF_DAY, buf),
        "2100-03-01T00:00:00Z");
    /* a leap year is 366 days long */
    assert_int_equal(parse_ok("2025-01-01T00:00:00Z") -
                         parse_ok("2024-01-01T00:00:00Z"),
                     366 * HF_DAY);
    assert_int_equal(parse_ok("2101-01-01T00:00:00Z") -
                         parse_ok("2100-01-01T00:00:00Z"),
                     365 * HF_DAY);
}

static void test_leap_second_reads_as_59(void **state)
{
    (void)state;
    assert_int_equal(parse_ok("2016-12-31T23:59:60Z"),
                     parse_ok("2016-12-31T23:59:59Z"));
}

static void test_days_from_civil(void **state)
{
    (void)state;
    assert_int_equal(hf_days_from_civil(1970, 1, 1), 0);
    assert_int_equal(hf_days_from_civil(1970, 1, 2), 1);
    assert_int_equal(hf_days_from_civil(1969, 12, 31), -1);
    assert_int_equal(hf_days_from_civil(2000, 3, 1), 11017);
    assert_int_equal(hf_days_from_civil(1600, 1, 1), -135140);
    assert_int_equal(hf_days_from_civil(2400, 2, 29), 157113);
    assert_int_equal(
        hf_days_from_civil(2024, 3, 1) - hf_days_from_civil(2024, 2, 28), 2);
    assert_int_equal(
        hf_days_from_civil(2023, 3, 1) - hf_days_from_civil(2023, 2, 28), 1);
}

static void test_round_trip(void **state)
{
    (void)state;
    /* format then parse gives back the instant, across four centuries,
     * both sides of the epoch, with and without milliseconds */
    hf_time lo = parse_ok("1800-01-01T00:00:00Z");
    hf_time hi = parse_ok("2200-01-01T00:00:00Z");
    hf_time step = 7 * HF_DAY + 3 * HF_HOUR + 17 * HF_MINUTE + 11 * HF_SECOND +
                   397; /* co-prime with everything calendar-shaped */
    int n = 0;
    for (hf_time t = lo; t < hi; t += step, n++) {
        char buf[HF_TIME_TEXT];
        hf_time back = -1;
        hf_time_format(t, buf);
        if (hf_time_parse(buf, &back) != 0 || back != t)
            fail_msg("%lld -> %s -> %lld", (long long)t, buf, (long long)back);
        /* whole seconds again, without a fraction */
        hf_time whole = t - ((t % 1000) + 1000) % 1000;
        hf_time_format(whole, buf);
        assert_null(strchr(buf, '.'));
        assert_int_equal(parse_ok(buf), whole);
    }
    assert_true(n > 10000);
}

static void test_weekday(void **state)
{
    (void)state;
    assert_int_equal(hf_time_weekday(0), 4); /* Thursday 1970-01-01 */
    assert_int_equal(hf_time_weekday(HF_DAY - 1), 4);
    assert_int_equal(hf_time_weekday(HF_DAY), 5);
    assert_int_equal(hf_time_weekday(-1), 3); /* Wednesday 1969-12-31 */
    assert_int_equal(hf_time_weekday(-HF_DAY), 3);
    assert_int_equal(hf_time_weekday(-HF_DAY - 1), 2);
    assert_int_equal(hf_time_weekday(parse_ok("2026-11-22T10:00:00Z")), 0);
    assert_int_equal(hf_time_weekday(parse_ok("2024-02-29T23:59:59Z")), 4);
    assert_int_equal(hf_time_weekday(parse_ok("2000-01-01T00:00:00Z")), 6);
    assert_int_equal(hf_time_weekday(parse_ok("2026-03-02T00:00:00Z")), 1);
    assert_int_equal(hf_time_weekday(parse_ok("1900-01-01T00:00:00Z")), 1);
    /* the weekday of the UTC day, not of the local one */
    assert_int_equal(hf_time_weekday(parse_ok("2026-11-22T01:00:00+05:00")), 6);
    /* seven consecutive days are seven different weekdays, in order */
    hf_time monday = parse_ok("2026-03-02T12:00:00Z");
    for (int i = 0; i < 14; i++)
        assert_int_equal(hf_time_weekday(monday + i * HF_DAY), (1 + i) % 7);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_manual_clock),
        cmocka_unit_test(test_manual_clock_out_of_memory),
        cmocka_unit_test(test_system_clock),
        cmocka_unit_test(test_format_known_instants),
        cmocka_unit_test(test_parse_known_instants),
        cmocka_unit_test(test_parse_fractions),
        cmocka_unit_test(test_parse_offsets),
        cmocka_unit_test(test_parse_rejects_invalid),
        cmocka_unit_test(test_parse_truncated_inputs),
        cmocka_unit_test(test_leap_years),
        cmocka_unit_test(test_leap_second_reads_as_59),
        cmocka_unit_test(test_days_from_civil),
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_weekday),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
