/*
 * sweeper.h - the background pass that notices what time alone changes: a
 * shipment that has gone silent, an order not shipped by its deadline, an
 * open order's risk score grown old (services/risk_rescore.h).
 * Events recompute shipments as they come; this covers the events that
 * never come.
 */
#ifndef HF_SWEEPER_H
#define HF_SWEEPER_H

#include "services/services.h"

typedef struct hf_sweeper hf_sweeper;

/* Starts a thread that runs hf_tracking_sweep_txn every interval_ms.
 * NULL when the thread cannot start. Stop with hf_sweeper_stop(). */
hf_sweeper *hf_sweeper_start(const hf_services *svc, int interval_ms);
void hf_sweeper_stop(hf_sweeper *sw);

#endif
