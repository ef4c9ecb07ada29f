/*
 * escalations.h - the agent queue. Conversations the policy hands over to
 * a person wait here (GET /v1/escalations); an agent replies, which is
 * recorded on the conversation and sent to the customer, makes an offer
 * on the customer's behalf through the policy tools and their guards, and
 * closes. An escalation whose order is cancelled whole (in its chat, on
 * another channel, through the API) has nothing left for a person to do:
 * it closes in the cancellation's transaction, with a resolution that
 * says who cancelled and an escalation_closed entry on its conversation's
 * audit trail; as the agent's who cancelled (an admin or agent through the
 * API, the queue's "Cancel the order"), else with no agent. An agent who
 * then replies, makes an offer or closes it gets not_open, as for any
 * closed escalation.
 * Each function runs in the caller's transaction and answers with JSON
 * text in arena a.
 */
#ifndef HF_ESCALATIONS_H
#define HF_ESCALATIONS_H

#include "services/orders.h"
#include "services/services.h"

/* Agent queue: an agent's reply recorded on the escalated conversation,
 * and closing the escalation with a resolution. Both answer with the
 * escalation. Errors: HF_ENOTFOUND; HF_ECONFLICT not_open. */
hf_rc hf_escalation_reply_txn(hf_txn *t, const hf_services *svc, const char *id,
                              const char *text, const char *actor, hf_arena *a,
                              const char **json, hf_err *err);
hf_rc hf_escalation_close_txn(hf_txn *t, const hf_services *svc, const char *id,
                              const char *resolution, const char *actor,
                              hf_arena *a, const char **json, hf_err *err);
/* An offer an agent applies for the customer. */
typedef struct hf_agent_offer {
    const char *kind;     /* "discount", "shipping_upgrade", "swap", "coupon" */
    int percent;          /* discount and coupon: 1..100 */
    int days;             /* coupon: days valid; 0: the configured default */
    const char *sku;      /* swap: the item to swap to */
    const char *from_sku; /* swap: the order's item it replaces */
} hf_agent_offer;

/* Applies o to the escalated order through the same tool, and the same
 * guards, as a customer taking the offer in the chat (one accepted offer
 * per order, the maximum discount and the cost, a swap only to an in-stock
 * item of the same or higher price, an upgrade only before shipment);
 * records it on the conversation and tells the customer. Answers
 * {"escalation", "tool_call": {"tool", "args", "ok", "result"}, "message"}
 * (what the customer was told). Errors:
 * HF_ENOTFOUND; HF_ECONFLICT not_open; HF_EINVAL invalid_offer (field
 * kind) or invalid (percent, days, sku, from_sku); a guard's refusal. */
hf_rc hf_escalation_offer_txn(hf_txn *t, const hf_services *svc, const char *id,
                              const hf_agent_offer *o, const char *actor,
                              hf_arena *a, const char **json, hf_err *err);

/* Order o was just cancelled whole by req: closes each open escalation
 * about it (as req->agent's, or with no agent), records an
 * escalation_closed entry {"escalation", "cancelled_by": req->actor,
 * "text": the resolution} on its conversation and counts it (a resolution
 * when req->agent, else hf_analytics_escalation_cancelled). The
 * escalations of req->conversation are left to that conversation's turn,
 * which is writing its own audit trail (below). Errors: the store's. */
hf_rc hf_escalations_order_cancelled_txn(hf_txn *t, const hf_services *svc,
                                         const hf_order *o,
                                         const hf_cancel_request *req,
                                         hf_arena *a, hf_err *err);
/* The turn of conversation id (actor: "conversation:<id>") cancelled its
 * order o: closes the conversation's open escalations the same way (the
 * customer cancelled: no agent) and answers their escalation_closed
 * entries' data, (*events)[0..*n) in a, for the turn to append to its
 * trail. Errors: the store's. */
hf_rc hf_escalations_conversation_cancelled_txn(
    hf_txn *t, const hf_services *svc, const hf_order *o, const char *id,
    const char *actor, hf_arena *a, const char ***events, size_t *n,
    hf_err *err);

/* {"escalations": [...]} with status (NULL: any), after (an id; NULL:
 * from the first), at most limit. */
hf_rc hf_escalation_list_txn(hf_txn *t, const char *status, const char *after,
                             int limit, hf_arena *a, const char **json,
                             hf_err *err);

#endif
