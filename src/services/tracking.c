/* tracking.c - shipments, carrier events, ETA and delay. */
#include "services/tracking.h"
#include "services/orders.h"
#include "services/orders_int.h"
#include "services/playbooks.h"
#include "services/risk_features.h"
#include "services/risk_rescore.h"
#include "util/id.h"

#include <stdio.h>
#include <string.h>

#define DEFAULT_DEADLINE (48 * HF_HOUR)
#define DEFAULT_DELAY_UPDATE (24 * HF_HOUR)

/* "main|US-IL|ups|ground": the history a shipment's ETA learns from. */
static const char *lane_key(const hf_shipment *sh, hf_arena *a)
{
    return hf_arena_printf(a, "%s|%s-%s|%s|%s", sh->origin ? sh->origin : "",
                           sh->dest_country ? sh->dest_country : "",
                           sh->dest_region ? sh->dest_region : "", sh->carrier,
                           sh->service_level ? sh->service_level : "");
}

static void recompute(hf_shipment *sh, const hf_lane_stats *lane, hf_time now)
{
    hf_eta_input in = {
        now,        sh->shipped_at, sh->promised_by,   sh->carrier_estimate,
        sh->status, sh->status_at,  sh->last_event_at, sh->delivered_at,
        *lane};
    hf_eta_compute(&in, &sh->eta);
}

/* The JSON text of an ETA, for timeline entries and messages. */
static const char *eta_data(const hf_shipment *sh, hf_arena *a)
{
    hf_jsonw w;
    hf_jw_init(&w, a);
    hf_jw_object(&w);
    hf_jw_key(&w, "shipment_id");
    hf_jw_str(&w, sh->id);
    hf_jw_key(&w, "status");
    hf_jw_str(&w, hf_ship_status_name(sh->status));
    hf_jw_key(&w, "expected");
    hf_jw_time(&w, sh->eta.expected);
    hf_jw_key(&w, "earliest");
    hf_jw_time(&w, sh->eta.earliest);
    hf_jw_key(&w, "latest");
    hf_jw_time(&w, sh->eta.latest);
    hf_jw_key(&w, "delayed");
    hf_jw_bool(&w, sh->eta.delayed);
    hf_jw_key(&w, "delay_reason");
    hf_jw_str(&w, sh->eta.delay_reason);
    hf_jw_object_end(&w);
    return hf_jw_finish(&w);
}

/* Tells the order's timeline and the customer (through the outbox) what
 * changed between before and after. */
static hf_rc announce(hf_txn *t, const hf_shipment *before,
                      const hf_shipment *after, const char *actor, hf_time now,
                      hf_arena *a, hf_err *err)
{
    const char *data = eta_data(after, a);
    if (data == NULL)
        return hf_fail(err, HF_ENOMEM, NULL, NULL, "out of memory");
    hf_order_result res;
    hf_rc rc = HF_OK;
    if (before == NULL || before->status != after->status)
        rc = hf_orders_note_txn(t, after->order_id, "shipment_status", actor,
                                now, hf_ship_status_name(after->status), data,
                                a, &res, err);
    if (rc == HF_OK && before != NULL &&
        before->eta.expected != after->eta.expected &&
        after->status != HF_SHIP_DELIVERED)
        rc = hf_orders_note_txn(t, after->order_id, "eta_changed", actor, now,
                                after->eta.source, data, a, &res, err);
    bool newly_delayed = after->eta.delayed &&
                         after->status != HF_SHIP_DELIVERED &&
                         (before == NULL || !before->eta.delayed);
    if (rc == HF_OK && newly_delayed) {
        rc = hf_orders_note_txn(t, after->order_id, "shipment_delayed", actor,
                                now, after->eta.delay_reason, data, a, &res,
                                err);
        if (rc == HF_OK)
            rc = hf_txn_outbox_put(t, "notify.shipment_delayed",
                                   after->order_id, data, now, err);
    }
    return rc;
}

/* --- Shipping ------------------------------------------------------------ */

static bool shippable(hf_order_status s)
{
    return s == HF_STATUS_CONFIRMED || s == HF_STATUS_ALLOCATED ||
           s == HF_STATUS_PICKING || s == HF_STATUS_PACKED ||
           s == HF_STATUS_SHIPPED;
}

hf_rc hf_tracking_ship_txn(hf_txn *t, const hf_services *svc,
                           const hf_ship_request *req, hf_arena *a,
                           hf_shipment *out, hf_err *err)
{
    if (req->carrier == NULL || *req->carrier == '\0')
        return hf_fail(err, HF_EINVAL, "invalid", "carrier",
                       "carrier is required");
    if (req->tracking_number == NULL || *req->tracking_number == '\0')
        return hf_fail(err, HF_EINVAL, "invalid", "tracking_number",
                       "tracking_number is required");
    hf_order o;
    hf_rc rc = hf_txn_order_get(t, req->order, a, &o, err);
    if (rc != HF_OK)
        return rc;
    if (!shippable(o.status))
        return hf_fail(err, HF_ECONFLICT, "not_shippable", NULL,
                       "order %s is %s and cannot ship", o.number,
                       hf_order_status_name(o.status));
    hf_time now = hf_clock_now(svc->clock);
    if (o.status != HF_STATUS_SHIPPED) {
        hf_transition_request tr = {o.id, "shipped", "handed to the carrier",
                                    req->actor, now};
        hf_order_result res;
        if ((rc = hf_orders_transition_txn(t, svc, &tr, a, &res, err)) != HF_OK)
            return rc;
    }
    hf_shipment sh;
    memset(&sh, 0, sizeof(sh));
    char id[HF_ID_MAX];
    hf_id_new("shp", 20, id);
    sh.id = hf_arena_strdup(a, id);
    sh.order_seq = o.seq;
    sh.order_id = o.id;
    sh.number = o.number;
    sh.carrier = req->carrier;
    sh.tracking_number = req->tracking_number;
    sh.service_level = req->service_level;
    sh.origin = o.n_lines > 0 && o.lines[0].n_allocations > 0
                    ? o.lines[0].allocations[0].location
                    : "main";
    sh.dest_region = o.shipping_address.region;
    sh.dest_country = o.shipping_address.country;
    sh.status = HF_SHIP_LABEL_CREATED;
    sh.status_at = now;
    sh.promised_by = o.promised_by;
    sh.shipped_at = now;
    sh.version = 1;
    sh.created_at = now;
    hf_lane_stats lane;
    if ((rc = hf_txn_lane_get(t, lane_key(&sh, a), &lane, err)) != HF_OK)
        return rc;
    recompute(&sh, &lane, now);
    if (sh.eta.delayed)
        sh.delayed_at = now;
    if ((rc = hf_txn_shipment_insert(t, &sh, err)) != HF_OK ||
        (rc = announce(t, NULL, &sh, req->actor, now, a, err)) != HF_OK)
        return rc;
    *out = sh;
    return hf_txn_outbox_put(t, "notify.order_shipped", o.id, eta_data(&sh, a),
                             now, err);
}

/* --- Carrier events ------------------------------------------------------ */

bool hf_tracking_delay_update_due(hf_time last_notice, hf_time now,
                                  hf_time interval)
{
    if (interval <= 0)
        interval = DEFAULT_DELAY_UPDATE;
    return last_notice == 0 || now - last_notice >= interval;
}

/* While sh stays delayed, tells the customer again (delay_update on the
 * timeline, notify.shipment_delayed) once the last delay message of the
 * order o is older than the configured interval. */
static hf_rc delay_update(hf_txn *t, const hf_services *svc, const hf_order *o,
                          const hf_shipment *sh, const char *actor, hf_time now,
                          hf_arena *a, hf_err *err)
{
    hf_time last = 0;
    for (size_t i = 0; i < o->n_events; i++) {
        const hf_order_event *e = &o->events[i];
        if ((strcmp(e->type, "shipment_delayed") == 0 ||
             strcmp(e->type, "delay_update") == 0) &&
            e->at > last)
            last = e->at;
    }
    if (!hf_tracking_delay_update_due(last, now, svc->delay_update_interval))
        return HF_OK;
    const char *data = eta_data(sh, a);
    if (data == NULL)
        return hf_fail(err, HF_ENOMEM, NULL, NULL, "out of memory");
    hf_order_result res;
    hf_rc rc = hf_orders_note_txn(t, o->id, "delay_update", actor, now,
                                  sh->eta.delay_reason, data, a, &res, err);
    if (rc == HF_OK)
        rc = hf_txn_outbox_put(t, "notify.shipment_delayed", o->id, data, now,
                               err);
    return rc;
}

hf_rc hf_tracking_scan_txn(hf_txn *t, const hf_services *svc,
                           const hf_scan_request *req, hf_arena *a,
                           hf_shipment *out, bool *duplicate, hf_err *err)
{
    *duplicate = false;
    hf_shipment sh;
    hf_rc rc = req->shipment != NULL
                   ? hf_txn_shipment_get(t, req->shipment, a, &sh, err)
                   : hf_txn_shipment_find(t, req->carrier, req->tracking_number,
                                          a, &sh, err);
    if (rc != HF_OK)
        return rc;
    const hf_tracking_event *ev = &req->event;
    hf_time now = hf_clock_now(svc->clock);
    hf_tracking_event stored = *ev;
    stored.received_at = now;
    rc = hf_txn_tracking_event_insert(t, sh.seq, &stored, err);
    if (rc == HF_ECONFLICT) {
        *duplicate = true; /* carriers resend: the first copy counts */
        *out = sh;
        return HF_OK;
    }
    if (rc != HF_OK)
        return rc;

    hf_shipment before = sh;
    const char *key = lane_key(&sh, a);
    hf_lane_stats lane;
    if ((rc = hf_txn_lane_get(t, key, &lane, err)) != HF_OK)
        return rc;
    bool lane_changed = false;
    /* the gap since the previous scan teaches the lane how long silence
     * is normal */
    if (sh.last_event_at != 0 && ev->at > sh.last_event_at) {
        int64_t gap = (ev->at - sh.last_event_at) / HF_SECOND;
        lane.gaps++;
        lane.gap_sum_s += gap;
        if (gap > lane.gap_max_s)
            lane.gap_max_s = gap;
        lane_changed = true;
    }
    if (ev->at > sh.last_event_at)
        sh.last_event_at = ev->at;
    if (ev->carrier_estimate != 0)
        sh.carrier_estimate = ev->carrier_estimate;
    /* the newest event by its own time sets the status (carriers report
     * out of order); label_created is ours, so the carrier's first word
     * replaces it whatever its time; delivery is final */
    if (sh.status != HF_SHIP_DELIVERED &&
        (sh.status == HF_SHIP_LABEL_CREATED || ev->at >= sh.status_at)) {
        sh.status = ev->status;
        sh.status_at = ev->at;
    }
    bool delivered_now =
        sh.status == HF_SHIP_DELIVERED && before.status != HF_SHIP_DELIVERED;
    if (delivered_now) {
        sh.delivered_at = ev->at;
        hf_lane_add_transit(&lane, sh.delivered_at - sh.shipped_at);
        lane_changed = true;
    }
    if (lane_changed && (rc = hf_txn_lane_put(t, key, &lane, err)) != HF_OK)
        return rc;
    recompute(&sh, &lane, now);
    if (sh.eta.delayed && sh.delayed_at == 0)
        sh.delayed_at = now;
    sh.version++;
    if ((rc = hf_txn_shipment_update(t, &sh, before.version, err)) != HF_OK ||
        (rc = announce(t, &before, &sh, req->actor, now, a, err)) != HF_OK)
        return rc;
    bool still_delayed =
        sh.eta.delayed && before.eta.delayed && sh.status != HF_SHIP_DELIVERED;
    if (still_delayed || svc->risk != NULL) {
        /* o has the timeline announce just added to; the re-score writes
         * it back (with a new version), the delay update reads it afresh */
        hf_order o;
        if ((rc = hf_txn_order_get(t, sh.order_id, a, &o, err)) != HF_OK ||
            (svc->risk != NULL && o.has_risk &&
             (rc = hf_risk_rescore_txn(t, svc, &o, now, "tracking", a, err)) !=
                 HF_OK) ||
            (still_delayed && (rc = delay_update(t, svc, &o, &sh, req->actor,
                                                 now, a, err)) != HF_OK))
            return rc;
    }
    if (delivered_now) {
        hf_order o;
        if ((rc = hf_txn_order_get(t, sh.order_id, a, &o, err)) != HF_OK)
            return rc;
        if (o.status == HF_STATUS_SHIPPED) {
            hf_transition_request tr = {o.id, "delivered", "carrier delivered",
                                        req->actor, ev->at};
            hf_order_result res;
            if ((rc = hf_orders_transition_txn(t, svc, &tr, a, &res, err)) !=
                HF_OK)
                return rc;
        }
    }
    *out = sh;
    return HF_OK;
}

/* --- The sweep ----------------------------------------------------------- */

hf_rc hf_tracking_sweep_txn(hf_txn *t, const hf_services *svc, int limit,
                            int *flagged, hf_err *err)
{
    *flagged = 0;
    hf_arena *a = hf_arena_new(0);
    if (a == NULL)
        return hf_fail(err, HF_ENOMEM, NULL, NULL, "out of memory");
    hf_time now = hf_clock_now(svc->clock);
    hf_shipment_filter f = {0, 1, 0, 0, limit};
    hf_shipment *open;
    size_t n;
    hf_rc rc = hf_txn_shipment_list(t, &f, a, &open, &n, err);
    for (size_t i = 0; rc == HF_OK && i < n; i++) {
        hf_shipment sh = open[i], before = open[i];
        hf_lane_stats lane;
        if ((rc = hf_txn_lane_get(t, lane_key(&sh, a), &lane, err)) != HF_OK)
            break;
        recompute(&sh, &lane, now);
        if (!sh.eta.delayed)
            continue; /* ETAs move with events, not with the sweep */
        sh.delayed_at = now;
        sh.version++;
        if ((rc = hf_txn_shipment_update(t, &sh, before.version, err)) ==
                HF_OK &&
            (rc = announce(t, &before, &sh, "system", now, a, err)) == HF_OK)
            (*flagged)++;
    }
    hf_time deadline = svc->fulfillment_deadline ? svc->fulfillment_deadline
                                                 : DEFAULT_DEADLINE;
    const char **late;
    if (rc == HF_OK)
        rc = hf_txn_orders_unshipped_before(t, now - deadline, limit, a, &late,
                                            &n, err);
    for (size_t i = 0; rc == HF_OK && i < n; i++) {
        hf_order_result res;
        const char *data = hf_arena_printf(a, "{\"deadline_hours\":%lld}",
                                           (long long)(deadline / HF_HOUR));
        rc = hf_orders_note_txn(t, late[i], "fulfillment_late", "system", now,
                                "not shipped by the fulfilment deadline", data,
                                a, &res, err);
        if (rc == HF_OK)
            rc = hf_txn_order_flag_late(t, res.order.seq, now, err);
        if (rc == HF_OK)
            rc = hf_txn_outbox_put(t, "notify.order_delayed", res.order.id,
                                   data, now, err);
        if (rc == HF_OK)
            (*flagged)++;
    }
    hf_arena_free(a);
    return rc;
}

/* --- JSON ---------------------------------------------------------------- */

void hf_shipment_write(hf_jsonw *w, const hf_shipment *sh,
                       const hf_tracking_event *events, size_t n_events)
{
    hf_jw_object(w);
    hf_jw_key(w, "id");
    hf_jw_str(w, sh->id);
    hf_jw_key(w, "order_id");
    hf_jw_str(w, sh->order_id);
    hf_jw_key(w, "order_number");
    hf_jw_str(w, sh->number);
    hf_jw_key(w, "carrier");
    hf_jw_str(w, sh->carrier);
    hf_jw_key(w, "tracking_number");
    hf_jw_str(w, sh->tracking_number);
    hf_jw_key(w, "service_level");
    hf_jw_str(w, sh->service_level);
    hf_jw_key(w, "origin");
    hf_jw_str(w, sh->origin);
    hf_jw_key(w, "status");
    hf_jw_str(w, hf_ship_status_name(sh->status));
    hf_jw_key(w, "shipped_at");
    hf_jw_time(w, sh->shipped_at);
    hf_jw_key(w, "delivered_at");
    hf_jw_time_or_null(w, sh->delivered_at);
    hf_jw_key(w, "promised_by");
    hf_jw_time(w, sh->promised_by);
    hf_jw_key(w, "eta");
    hf_jw_object(w);
    hf_jw_key(w, "expected");
    hf_jw_time(w, sh->eta.expected);
    hf_jw_key(w, "earliest");
    hf_jw_time(w, sh->eta.earliest);
    hf_jw_key(w, "latest");
    hf_jw_time(w, sh->eta.latest);
    hf_jw_key(w, "source");
    hf_jw_str(w, sh->eta.source);
    hf_jw_object_end(w);
    hf_jw_key(w, "delayed");
    hf_jw_bool(w, sh->eta.delayed);
    hf_jw_key(w, "delay_reason");
    hf_jw_str(w, sh->eta.delay_reason);
    if (events != NULL) {
        hf_jw_key(w, "events");
        hf_jw_array(w);
        for (size_t i = 0; i < n_events; i++) {
            const hf_tracking_event *e = &events[i];
            hf_jw_object(w);
            hf_jw_key(w, "status");
            hf_jw_str(w, hf_ship_status_name(e->status));
            hf_jw_key(w, "time");
            hf_jw_time(w, e->at);
            hf_jw_key(w, "description");
            hf_jw_str(w, e->description);
            hf_jw_key(w, "location");
            hf_jw_object(w);
            hf_jw_key(w, "city");
            hf_jw_str(w, e->city);
            hf_jw_key(w, "region");
            hf_jw_str(w, e->region);
            hf_jw_key(w, "country");
            hf_jw_str(w, e->country);
            hf_jw_key(w, "latitude");
            hf_jw_raw(w, e->latitude);
            hf_jw_key(w, "longitude");
            hf_jw_raw(w, e->longitude);
            hf_jw_object_end(w);
            hf_jw_key(w, "estimated_delivery");
            hf_jw_time_or_null(w, e->carrier_estimate);
            hf_jw_object_end(w);
        }
        hf_jw_array_end(w);
    }
    hf_jw_object_end(w);
}
