/*
 * playbooks.h - what holdfast does, unasked, for an order whose
 * cancellation-risk score is high ([playbooks] in the config): reassure
 * the customer with the current ETA, upgrade the shipping for free, open
 * a call task for an agent. Each playbook fires once per order, the first
 * time its score reaches the playbook's threshold; the tasks wait in
 * GET /v1/tasks.
 */
#ifndef HF_PLAYBOOKS_H
#define HF_PLAYBOOKS_H

#include "services/orders.h"
#include "util/config.h"

/* The thresholds (scores 0..1); a negative one turns its playbook off. */
typedef struct hf_playbooks_config {
    double reassure_at; /* queue reassurance with the current ETA */
    double expedite_at; /* free expedited shipping, before shipment */
    double call_at;     /* open a call task for an agent */
    double holdout;     /* share of at-risk orders no playbook contacts,
                           to measure what outreach changes (0..1) */
} hf_playbooks_config;

/* Every playbook off. */
#define HF_PLAYBOOKS_OFF ((hf_playbooks_config){-1, -1, -1, 0})

/* Reads [playbooks] reassure_at, expedite_at, call_at (each a score from
 * 0 to 1; absent: that playbook is off) and holdout (a share from 0 to
 * under 1; absent: 0) into out; *any is true when a playbook is on.
 * Errors: HF_EINVAL (with the key) for a value out of its range. */
hf_rc hf_playbooks_config_load(const hf_config *c, hf_playbooks_config *out,
                               bool *any, hf_err *err);

/* Runs, in t, each playbook of svc->playbooks whose threshold score
 * reaches and that has not fired for the order before: its action, a
 * playbook_fired timeline entry, and the record that it fired. A score
 * reaching the lowest threshold
 * makes the order "at risk": recorded once (risk_at_risk), and when the
 * order falls in the holdout share (by a hash of its id, so always the
 * same answer) no playbook runs for it, ever. When anything fired, *out
 * is the changed order (else untouched). Errors: those of the store and
 * of the actions (the caller rolls back). */
hf_rc hf_playbooks_run_txn(hf_txn *t, const hf_services *svc,
                           const char *order_id, double score, hf_arena *a,
                           hf_order_result *out, hf_err *err);

/* {"tasks": [...]} with status (NULL: any), after (a task id; NULL: from
 * the start), at most limit. Errors: HF_ENOTFOUND (after). */
hf_rc hf_tasks_list_txn(hf_txn *t, const char *status, const char *after,
                        int limit, hf_arena *a, const char **json, hf_err *err);

/* Marks an open task done by actor with a note (may be NULL), recorded on
 * the order's timeline (task_done); *json is the task. Errors:
 * HF_ENOTFOUND; HF_ECONFLICT task_done. */
hf_rc hf_tasks_done_txn(hf_txn *t, const hf_services *svc, const char *id,
                        const char *note, const char *actor, hf_arena *a,
                        const char **json, hf_err *err);

#endif
