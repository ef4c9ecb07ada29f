/* Unit tests for core/eta: expected delivery, its range, and when a
 * shipment counts as delayed. */
#include "core/eta.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

/* 2026-11-23T12:00:00Z, a Monday */
#define MONDAY_NOON ((hf_time)1795435200000LL)

static hf_eta_input shipped_monday(void)
{
    hf_eta_input in = {0};
    in.now = MONDAY_NOON;
    in.shipped_at = MONDAY_NOON;
    in.promised_by = MONDAY_NOON + 4 * HF_DAY;
    in.status = HF_SHIP_LABEL_CREATED;
    in.status_at = MONDAY_NOON;
    return in;
}

static void test_without_history_the_promise_sets_the_eta(void **state)
{
    (void)state;
    hf_eta_input in = shipped_monday();
    hf_eta eta;
    hf_eta_compute(&in, &eta);
    assert_string_equal(eta.source, "promise");
    assert_true(eta.expected <= in.promised_by);
    assert_true(eta.earliest <= eta.expected && eta.expected <= eta.latest);
    assert_false(eta.delayed);
}

static void test_lane_history_sets_the_eta(void **state)
{
    (void)state;
    hf_eta_input in = shipped_monday();
    for (int i = 0; i < 20; i++) /* 2 days, give or take 2 hours */
        hf_lane_add_transit(&in.lane, 2 * HF_DAY + (i % 5 - 2) * HF_HOUR);
    hf_eta eta;
    hf_eta_compute(&in, &eta);
    assert_string_equal(eta.source, "lane");
    hf_time off = eta.expected - (MONDAY_NOON + 2 * HF_DAY);
    assert_true(off > -HF_HOUR && off < HF_HOUR);
    assert_false(eta.delayed);
}

static void test_slow_lane_is_a_delay_before_the_promise_passes(void **state)
{
    (void)state;
    hf_eta_input in = shipped_monday();
    for (int i = 0; i < 10; i++) /* this lane takes six days */
        hf_lane_add_transit(&in.lane, 6 * HF_DAY);
    hf_eta eta;
    hf_eta_compute(&in, &eta);
    assert_true(eta.delayed); /* at shipment, days before the promise */
    assert_string_equal(eta.delay_reason, "eta_after_promise");
}

static void test_carrier_estimate_wins(void **state)
{
    (void)state;
    hf_eta_input in = shipped_monday();
    in.carrier_estimate = MONDAY_NOON + 5 * HF_DAY; /* after the promise */
    hf_eta eta;
    hf_eta_compute(&in, &eta);
    assert_string_equal(eta.source, "carrier");
    assert_int_equal(eta.expected, in.carrier_estimate);
    assert_true(eta.delayed);
    assert_string_equal(eta.delay_reason, "eta_after_promise");
}

static void test_silence_beyond_the_lane_norm_is_a_delay(void **state)
{
    (void)state;
    hf_eta_input in = shipped_monday();
    in.status = HF_SHIP_IN_TRANSIT;
    in.status_at = in.last_event_at = MONDAY_NOON;
    in.now = MONDAY_NOON + 47 * HF_HOUR;
    hf_eta eta;
    hf_eta_compute(&in, &eta);
    assert_false(eta.delayed); /* 47 h: within the default 48 h */
    in.now = MONDAY_NOON + 49 * HF_HOUR;
    hf_eta_compute(&in, &eta);
    assert_true(eta.delayed);
    assert_string_equal(eta.delay_reason, "no_scan");

    /* a lane that scans every 6 hours tolerates much less silence */
    in.lane.gaps = 10;
    in.lane.gap_sum_s = 10 * 6 * 3600;
    in.lane.gap_max_s = 8 * 3600;
    assert_int_equal(hf_lane_silence_limit(&in.lane), 24 * HF_HOUR);
    in.now = MONDAY_NOON + 25 * HF_HOUR;
    hf_eta_compute(&in, &eta);
    assert_true(eta.delayed);
}

static void test_exception_is_a_delay(void **state)
{
    (void)state;
    hf_eta_input in = shipped_monday();
    in.status = HF_SHIP_EXCEPTION;
    in.last_event_at = MONDAY_NOON;
    hf_eta eta;
    hf_eta_compute(&in, &eta);
    assert_true(eta.delayed);
    assert_string_equal(eta.delay_reason, "carrier_exception");
}

static void test_overdue_shipment_moves_forward(void **state)
{
    (void)state;
    hf_eta_input in = shipped_monday();
    in.status = HF_SHIP_IN_TRANSIT;
    in.last_event_at = in.status_at = MONDAY_NOON + 3 * HF_DAY;
    in.now = MONDAY_NOON + 4 * HF_DAY + HF_HOUR; /* past the promise */
    hf_eta eta;
    hf_eta_compute(&in, &eta);
    assert_true(eta.expected > in.now);
    assert_true(eta.earliest >= in.now);
    assert_true(eta.delayed);
}

static void test_delivered(void **state)
{
    (void)state;
    hf_eta_input in = shipped_monday();
    in.status = HF_SHIP_DELIVERED;
    in.delivered_at = MONDAY_NOON + 2 * HF_DAY;
    hf_eta eta;
    hf_eta_compute(&in, &eta);
    assert_int_equal(eta.expected, in.delivered_at);
    assert_false(eta.delayed);
    in.delivered_at = in.promised_by + HF_HOUR;
    hf_eta_compute(&in, &eta);
    assert_true(eta.delayed);
    assert_string_equal(eta.delay_reason, "delivered_late");
}

static void test_status_names(void **state)
{
    (void)state;
    for (int s = 0; s < HF_SHIP_STATUS_COUNT; s++) {
        hf_ship_status back;
        assert_true(hf_ship_status_parse(hf_ship_status_name(s), &back));
        assert_int_equal(back, s);
    }
    hf_ship_status ignored;
    assert_false(hf_ship_status_parse("teleported", &ignored));
    assert_false(hf_ship_status_parse(NULL, &ignored));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_without_history_the_promise_sets_the_eta),
        cmocka_unit_test(test_lane_history_sets_the_eta),
        cmocka_unit_test(test_slow_lane_is_a_delay_before_the_promise_passes),
        cmocka_unit_test(test_carrier_estimate_wins),
        cmocka_unit_test(test_silence_beyond_the_lane_norm_is_a_delay),
        cmocka_unit_test(test_exception_is_a_delay),
        cmocka_unit_test(test_overdue_shipment_moves_forward),
        cmocka_unit_test(test_delivered),
        cmocka_unit_test(test_status_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
