/*
 * experiments.h - A/B and multi-arm tests of retention policies, with a
 * no-offer holdout arm, and their results.
 *
 * A customer's arm is a pure function of the experiment's id and the
 * customer's id (a hash, split by the arms' weights), so a customer who
 * asks again lands in the same arm, on every process, without a stored
 * assignment. Assignment happens when a cancellation request or a
 * conversation starts, while an experiment runs: the conversation runs
 * the arm's policy, and in the holdout arm the policy's cancellation
 * without any offer (holdfast never blocks a cancellation). A customer who
 * kept a retention offer within the cooldown (the experiment's
 * offer_cooldown_days, or [retention] offer_cooldown_days without one)
 * is offered nothing and counted in no arm. docs/analytics.md defines the
 * results.
 */
#ifndef HF_EXPERIMENTS_H
#define HF_EXPERIMENTS_H

#include "services/services.h"

#include <stdbool.h>
#include <stddef.h>

enum { HF_EXPERIMENT_MAX_ARMS = 8, HF_EXPERIMENT_DEFAULT_COOLDOWN = 90 };

typedef struct hf_experiment_arm {
    const char *name;   /* unique in the experiment */
    const char *policy; /* the policy file it runs; NULL for the holdout */
    bool holdout;       /* offers nothing */
    int weight;         /* its share of customers, 1..1000 */
} hf_experiment_arm;

typedef struct hf_experiment_spec {
    const char *name;
    hf_experiment_arm arms[HF_EXPERIMENT_MAX_ARMS];
    size_t n_arms;
    int offer_cooldown_days; /* 0..3650; -1: the default, 90 */
} hf_experiment_spec;

/* Starts an experiment; *json is it as GET /v1/experiments/{id} shows it.
 * Errors: HF_EINVAL (with the field) for fewer than two arms, a duplicate
 * or empty name, a weight out of range, more than one holdout, an arm
 * without a policy, or a policy that does not exist or does not compile;
 * HF_EBUSY when cancel requests are not available (no policies loaded). */
hf_rc hf_experiment_create_txn(hf_txn *t, const hf_services *svc,
                               const hf_experiment_spec *spec, hf_arena *a,
                               const char **json, hf_err *err);
/* HF_ENOTFOUND when unknown. */
hf_rc hf_experiment_get_txn(hf_txn *t, const char *id, hf_arena *a,
                            const char **json, hf_err *err);
hf_rc hf_experiment_list_txn(hf_txn *t, hf_arena *a, const char **json,
                             hf_err *err);
/* Stops it (new requests join no arm); stopping a stopped one changes
 * nothing. HF_ENOTFOUND when unknown. */
hf_rc hf_experiment_stop_txn(hf_txn *t, const hf_services *svc, const char *id,
                             hf_arena *a, const char **json, hf_err *err);
/* Per arm: customers, requests, saved, the save rate with its 95%
 * interval, revenue kept and discounts given, CSAT; and each arm against
 * the holdout. HF_ENOTFOUND when unknown. */
hf_rc hf_experiment_results_txn(hf_txn *t, const hf_services *svc,
                                const char *id, hf_arena *a, const char **json,
                                hf_err *err);

/* The arm, 0..n-1, of customer_id in experiment_id, given the arms'
 * weights (each > 0). Pure and stable. */
size_t hf_experiment_pick(const char *experiment_id, const char *customer_id,
                          const int *weights, size_t n);

/* Where a new cancellation request of customer_id goes. */
typedef struct hf_assignment {
    const char *experiment_id; /* NULL: in no experiment */
    const char *arm;           /* its arm; "cooldown" when the customer
                                  kept an offer too recently */
    const char *policy;        /* the arm's policy; NULL: the current one */
    bool no_offers;            /* the holdout, or the cooldown */
} hf_assignment;

/* Decides it at `now`. Errors: the store's. */
hf_rc hf_experiment_assign(hf_txn *t, const hf_services *svc,
                           const char *customer_id, hf_time now, hf_arena *a,
                           hf_assignment *out, hf_err *err);

/* Whether conversation c (of experiment_id, in arm) may be offered
 * nothing: its arm is the holdout or the cooldown. */
hf_rc hf_experiment_no_offers(hf_txn *t, const char *experiment_id,
                              const char *arm, hf_arena *a, bool *out,
                              hf_err *err);

#endif
