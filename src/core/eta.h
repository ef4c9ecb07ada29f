/*
 * eta.h - when a shipment will arrive, and whether it is late.
 *
 * Pure: from what the carrier said (its last status and its own
 * estimate), the promise made to the customer, and how long the same lane
 * (origin location -> destination region, carrier, service level) has
 * taken in holdfast's own history, it computes an expected delivery time
 * with a range and decides whether the shipment is delayed. Recomputed on
 * every tracking event and by the periodic sweep.
 */
#ifndef HF_ETA_H
#define HF_ETA_H

#include "util/clock.h"

#include <stdbool.h>
#include <stdint.h>

/* What the lane's delivered shipments looked like. Running sums, so they
 * can be kept up to date with one UPDATE per delivery. */
typedef struct hf_lane_stats {
    int64_t n;         /* delivered shipments */
    int64_t sum_s;     /* sum of transit times, seconds */
    int64_t sum_sq_s;  /* sum of squared transit times / 1000 (s^2/1000) */
    int64_t gaps;      /* gaps between consecutive tracking events */
    int64_t gap_sum_s; /* their sum, seconds */
    int64_t gap_max_s; /* the longest */
} hf_lane_stats;

typedef enum hf_ship_status {
    HF_SHIP_LABEL_CREATED,
    HF_SHIP_PICKED_UP,
    HF_SHIP_IN_TRANSIT,
    HF_SHIP_OUT_FOR_DELIVERY,
    HF_SHIP_DELIVERED,
    HF_SHIP_EXCEPTION, /* carrier problem: damaged, address, weather... */
    HF_SHIP_STATUS_COUNT
} hf_ship_status;

const char *hf_ship_status_name(hf_ship_status s);
bool hf_ship_status_parse(const char *name, hf_ship_status *out);

typedef struct hf_eta_input {
    hf_time now;
    hf_time shipped_at;
    hf_time promised_by;
    hf_time carrier_estimate; /* 0: none given */
    hf_ship_status status;    /* the latest */
    hf_time status_at;        /* when the latest event happened */
    hf_time last_event_at;    /* the newest event by time; 0: none */
    hf_time delivered_at;     /* with HF_SHIP_DELIVERED */
    hf_lane_stats lane;
} hf_eta_input;

typedef struct hf_eta {
    hf_time expected;
    hf_time earliest;
    hf_time latest;
    const char *source; /* "delivered", "carrier", "lane", "promise" */
    bool delayed;
    const char *delay_reason; /* "eta_after_promise", "no_scan",
                                 "carrier_exception", "delivered_late" */
} hf_eta;

/* Lane history counts once it has this many deliveries. */
#define HF_LANE_MIN_SAMPLES 5

/* Computes the ETA and the delay verdict. */
void hf_eta_compute(const hf_eta_input *in, hf_eta *out);

/* Adds one delivered shipment's transit time to the lane. */
void hf_lane_add_transit(hf_lane_stats *lane, hf_time transit);

/* The gap without a scan after which an in-transit shipment counts as
 * delayed: the lane's longest seen gap with a margin, or 48 hours while the
 * lane has no history. */
hf_time hf_lane_silence_limit(const hf_lane_stats *lane);

#endif
