/*
 * tracking.h - shipments, carrier tracking events, estimated delivery and
 * delay detection.
 *
 * Every event recomputes the shipment's ETA (core/eta.h) from the carrier's
 * word, the promise and the lane's history. A status, ETA or delay change
 * joins the order's timeline (so live streams carry it), and a newly found
 * delay queues the customer's notice in the outbox in the same
 * transaction: the customer hears of it when it appears, not after the
 * promised date has passed.
 */
#ifndef HF_TRACKING_H
#define HF_TRACKING_H

#include "services/services.h"
#include "store/store.h"

typedef struct hf_ship_request {
    const char *order; /* id or number */
    const char *carrier;
    const char *tracking_number;
    const char *service_level; /* may be NULL */
    const char *actor;
} hf_ship_request;

/* Hands an order to a carrier: the order becomes shipped (its reserved
 * stock consumed) if it was not yet, and a shipment with its first ETA is
 * recorded. Errors: HF_ENOTFOUND, HF_EINVAL (invalid), HF_ECONFLICT
 * (not_shippable, tracking_number_exists). */
hf_rc hf_tracking_ship_txn(hf_txn *t, const hf_services *svc,
                           const hf_ship_request *req, hf_arena *a,
                           hf_shipment *out, hf_err *err);

typedef struct hf_scan_request {
    const char *shipment;        /* shipment id, or NULL ... */
    const char *carrier;         /* ... and the carrier's number */
    const char *tracking_number; /* instead */
    hf_tracking_event event;
    const char *actor;
} hf_scan_request;

/* Records a carrier event and recomputes the shipment. While the shipment
 * stays delayed, the customer hears again (a delay_update timeline entry
 * and notify.shipment_delayed) when the last delay message is older than
 * svc->delay_update_interval. With a risk model (svc->risk) the order is
 * re-scored with its features as they now stand and the playbooks run on
 * the new score. A repeat of an event already recorded changes nothing
 * (*duplicate says so). Errors: HF_ENOTFOUND, HF_EINVAL, the store's and
 * the model's. */
hf_rc hf_tracking_scan_txn(hf_txn *t, const hf_services *svc,
                           const hf_scan_request *req, hf_arena *a,
                           hf_shipment *out, bool *duplicate, hf_err *err);

/* True when a shipment still delayed at now should tell the customer
 * again: its last delay message (last_notice; 0: none) is at least
 * interval old (0: 24 hours). */
bool hf_tracking_delay_update_due(hf_time last_notice, hf_time now,
                                  hf_time interval);

/* Re-checks open shipments and unshipped orders as time passes: a
 * shipment silent longer than its lane allows, or an order not shipped
 * within svc->fulfillment_deadline of placement, is flagged as delayed
 * (timeline entry and customer notice). Handles at most `limit` of each;
 * *flagged counts what it flagged. */
hf_rc hf_tracking_sweep_txn(hf_txn *t, const hf_services *svc, int limit,
                            int *flagged, hf_err *err);

/* Writes a shipment as the API's JSON object. events may be NULL. */
void hf_shipment_write(hf_jsonw *w, const hf_shipment *sh,
                       const hf_tracking_event *events, size_t n_events);

#endif
