/*
 * risk_outcomes.h - did outreach to at-risk orders keep them? The `at_risk`
 * part of the KPI report.
 *
 * An order is at risk once its cancellation-risk score reaches the lowest
 * playbook threshold; services/playbooks.c records that moment once per
 * order (risk_at_risk), with whether the playbooks acted on it or the
 * order fell in the holdout share ([playbooks] holdout) that no playbook
 * contacts. How each ended is read from the order as it stands now.
 */
#ifndef HF_RISK_OUTCOMES_H
#define HF_RISK_OUTCOMES_H

#include "store/store.h"
#include "util/jsonw.h"

/* Writes the at_risk object for orders placed in days [from_day, to_day]
 * (days since 1970-01-01, UTC) to w:
 *   {"description", "orders",
 *    "outreach": {"orders", "cancelled", "delivered", "cancellation_rate"},
 *    "no_outreach": {... the same ...},
 *    "difference": outreach's cancellation rate minus no_outreach's}
 * Rates are null where there are no orders. Errors: the store's (w is
 * then incomplete). */
hf_rc hf_risk_outcomes_json(hf_txn *t, int64_t from_day, int64_t to_day,
                            hf_jsonw *w, hf_err *err);

#endif
