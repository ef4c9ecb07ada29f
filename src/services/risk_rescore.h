/*
 * risk_rescore.h - scoring an order again after placement: on a tracking
 * event (services/tracking.c) and on a schedule while it is open (the
 * sweeper), since its delivery features and the time since placement
 * change. Each new score replaces the old one on the order and runs the
 * playbooks, which fire once per threshold crossing however often the
 * order is scored.
 */
#ifndef HF_RISK_RESCORE_H
#define HF_RISK_RESCORE_H

#include "services/services.h"

/* Scores o (as read in t, with svc->risk set) again with its features as
 * they stand at now (hf_risk_features_now), stores the score with reason
 * ("tracking", "schedule") and the order's document with it, and runs the
 * playbooks on it. o is updated (score, version). Errors: the store's,
 * the model's, the playbooks'. */
hf_rc hf_risk_rescore_txn(hf_txn *t, const hf_services *svc, hf_order *o,
                          hf_time now, const char *reason, hf_arena *a,
                          hf_err *err);

/* Default of svc->risk_rescore_every. */
#define HF_RISK_RESCORE_DEFAULT (6 * HF_HOUR)

/* Re-scores up to limit open orders (confirmed to shipped) whose score is
 * older than svc->risk_rescore_every, oldest first, with reason
 * "schedule"; *n gets how many. Does nothing without svc->risk. Errors:
 * as hf_risk_rescore_txn (the caller rolls back). */
hf_rc hf_risk_rescore_due_txn(hf_txn *t, const hf_services *svc, int limit,
                              int *n, hf_err *err);

#endif
