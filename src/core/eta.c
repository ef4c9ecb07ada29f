/* eta.c - expected delivery and delay decisions. */
#include "core/eta.h"

#include <math.h>
#include <string.h>

static const char *const status_names[HF_SHIP_STATUS_COUNT] = {
    [HF_SHIP_LABEL_CREATED] = "label_created",
    [HF_SHIP_PICKED_UP] = "picked_up",
    [HF_SHIP_IN_TRANSIT] = "in_transit",
    [HF_SHIP_OUT_FOR_DELIVERY] = "out_for_delivery",
    [HF_SHIP_DELIVERED] = "delivered",
    [HF_SHIP_EXCEPTION] = "exception",
};

const char *hf_ship_status_name(hf_ship_status s)
{
    return (unsigned)s < HF_SHIP_STATUS_COUNT ? status_names[s] : "unknown";
}

bool hf_ship_status_parse(const char *name, hf_ship_status *out)
{
    for (int s = 0; name != NULL && s < HF_SHIP_STATUS_COUNT; s++) {
        if (strcmp(name, status_names[s]) == 0) {
            *out = (hf_ship_status)s;
            return true;
        }
    }
    return false;
}

void hf_lane_add_transit(hf_lane_stats *lane, hf_time transit)
{
    int64_t s = transit / HF_SECOND;
    if (s < 0)
        return;
    lane->n++;
    lane->sum_s += s;
    lane->sum_sq_s += s * s / 1000;
}

hf_time hf_lane_silence_limit(const hf_lane_stats *lane)
{
    if (lane->gaps < HF_LANE_MIN_SAMPLES)
        return 48 * HF_HOUR;
    /* half again the longest gap seen, and never under a day */
    hf_time limit = lane->gap_max_s * HF_SECOND * 3 / 2;
    return limit > 24 * HF_HOUR ? limit : 24 * HF_HOUR;
}

/* Mean and standard deviation of the lane's transit time, in ms. */
static void lane_moments(const hf_lane_stats *l, double *mean, double *sd)
{
    double n = (double)l->n;
    double m = (double)l->sum_s / n;
    double var = (double)l->sum_sq_s * 1000.0 / n - m * m;
    *mean = m * 1000.0;
    *sd = (var > 0 ? sqrt(var) : 0) * 1000.0;
}

static hf_time end_of_day(hf_time t)
{
    return t - t % HF_DAY + HF_DAY - HF_SECOND;
}

void hf_eta_compute(const hf_eta_input *in, hf_eta *out)
{
    memset(out, 0, sizeof(*out));
    if (in->status == HF_SHIP_DELIVERED) {
        out->expected = out->earliest = out->latest = in->delivered_at;
        out->source = "delivered";
        out->delayed = in->delivered_at > in->promised_by;
        out->delay_reason = out->delayed ? "delivered_late" : NULL;
        return;
    }
    hf_time spread; /* half the width of the ~80% range */
    if (in->status == HF_SHIP_OUT_FOR_DELIVERY) {
        out->expected = end_of_day(in->status_at) - 3 * HF_HOUR;
        spread = 3 * HF_HOUR;
        out->source = "carrier";
    } else if (in->carrier_estimate != 0) {
        out->expected = in->carrier_estimate;
        spread = 12 * HF_HOUR;
        out->source = "carrier";
    } else if (in->lane.n >= HF_LANE_MIN_SAMPLES) {
        double mean, sd;
        lane_moments(&in->lane, &mean, &sd);
        out->expected = in->shipped_at + (hf_time)mean;
        spread = (hf_time)(1.28 * sd); /* the normal's 10th-90th */
        out->source = "lane";
    } else {
        out->expected = in->promised_by - 12 * HF_HOUR;
        spread = 24 * HF_HOUR;
        out->source = "promise";
    }
    if (spread < 6 * HF_HOUR)
        spread = 6 * HF_HOUR;
    /* a shipment past its expected time has not arrived: it comes later */
    if (out->expected < in->now) {
        out->expected = in->now + 12 * HF_HOUR;
        spread = spread > 12 * HF_HOUR ? spread : 12 * HF_HOUR;
    }
    out->earliest = out->expected - spread;
    if (out->earliest < in->now)
        out->earliest = in->now;
    out->latest = out->expected + spread;

    hf_time silence = in->last_event_at ? in->now - in->last_event_at : 0;
    if (in->status == HF_SHIP_EXCEPTION) {
        out->delayed = true;
        out->delay_reason = "carrier_exception";
    } else if (out->expected > in->promised_by) {
        out->delayed = true;
        out->delay_reason = "eta_after_promise";
    } else if (in->status != HF_SHIP_LABEL_CREATED &&
               silence > hf_lane_silence_limit(&in->lane)) {
        out->delayed = true;
        out->delay_reason = "no_scan";
    }
}
