/*
 * screening.h - orders are validated (core/validate.h) and screened for
 * fraud (core/fraud.h) as they are placed, inside the placement
 * transaction; what fails is rejected, what is doubtful is held: for the
 * customer to fix the address (a signed link), or for staff in the review
 * queue. This module gathers the inputs from the store, acts on the
 * outcome, and takes the corrections and decisions that release a hold.
 * docs/validation.md describes every rule.
 */
#ifndef HF_SCREENING_H
#define HF_SCREENING_H

#include "core/fraud.h"
#include "core/validate.h"
#include "services/orders.h"
#include "util/config.h"

typedef struct hf_screening_config {
    hf_fraud_config fraud;    /* [fraud] */
    int duplicate_window_min; /* [validation] duplicate_window_minutes */
    /* [validation] po_box_refused: the shipping methods whose carriers
     * refuse PO boxes (by default expedited: couriers deliver to a door) */
    bool po_box_refused[HF_SHIP_COUNT];
    int address_fix_days; /* [validation] address_fix_days: how long the
                             customer has to fix an address (default 3) */
} hf_screening_config;

/* Fills cfg with the defaults, then the [fraud] and [validation] keys of c
 * (c may be NULL). Errors: HF_EINVAL bad_config with the key in field. */
hf_rc hf_screening_config_load(const hf_config *c, hf_screening_config *cfg,
                               hf_err *err);

/* What screening found for one new order. */
typedef struct hf_screening {
    hf_validate_result validation;
    hf_fraud_result fraud;
    hf_screening_keys keys;  /* stored with the order */
    bool hold;               /* the order goes on hold */
    const char *hold_reason; /* the timeline's reason: "held: ..." */
    const char *hold_data;   /* the timeline's data: reasons and score */
} hf_screening;

/* The order as the screen sees it: o has its customer, priced lines (an
 * unknown or inactive line has price 0), shipping and currency; lines
 * say what the catalog knows of each. Runs validation and fraud
 * screening into *out. Errors (nothing is stored): HF_EINVAL
 * order_rejected (field and message of the first rejecting reason; every
 * reason in err->reasons) or fraud_rejected (the rules that fired in
 * err->reasons); HF_ESTORE. */
hf_rc hf_screening_check(hf_txn *t, const hf_services *svc, const hf_order *o,
                         const hf_validate_line *lines, size_t n_lines,
                         const char *currency, const char *client_ip,
                         const char *ip_country, hf_time now, hf_arena *a,
                         hf_screening *out, hf_err *err);

/* After the order is stored: keeps its screening keys, opens its reviews
 * and queues the "address needs fixing" message when asked. */
hf_rc hf_screening_record(hf_txn *t, const hf_services *svc, const hf_order *o,
                          const hf_screening *s, hf_time now, hf_arena *a,
                          hf_err *err);

typedef struct hf_address_fix {
    const char *order;         /* id or number */
    hf_address address;        /* the new shipping address */
    const char *token_subject; /* the shopper's token's order id, or NULL
                                  (a staff key) */
    const char *actor;
} hf_address_fix;

/* Replaces the shipping address of an order not yet shipped after
 * validating it alone; when the order was held only for its address, the
 * hold is released. Errors: HF_ENOTFOUND, HF_EAUTH bad_token (the token
 * names another order), HF_ECONFLICT not_changeable (shipped or
 * cancelled), HF_EINVAL invalid_address with err->reasons (nothing
 * changes: the order stays held). */
hf_rc hf_screening_fix_address_txn(hf_txn *t, const hf_services *svc,
                                   const hf_address_fix *req, hf_arena *a,
                                   hf_order_result *out, hf_err *err);

/* GET /v1/reviews: {"reviews": [...]} of the status (NULL: any) after
 * review id after (NULL: from the first). */
hf_rc hf_reviews_list_txn(hf_txn *t, const char *status, const char *after,
                          int limit, hf_arena *a, const char **json,
                          hf_err *err);

/* Decides an open review: approve releases the order's hold unless
 * another remains; reject cancels the order (fraud_suspected for a fraud
 * review, ordered_by_mistake for a duplicate), releasing its stock and
 * voiding its payment. The decision (who, when, note) is kept on the
 * review and on the order's timeline. *json gets {"review", "order"}.
 * Errors: HF_ENOTFOUND, HF_ECONFLICT review_decided, the cancellation's. */
hf_rc hf_reviews_decide_txn(hf_txn *t, const hf_services *svc,
                            const char *review_id, bool approve,
                            const char *note, const char *actor, hf_arena *a,
                            const char **json, hf_err *err);

#endif
