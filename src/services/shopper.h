/*
 * shopper.h - what a shopper's signed order link opens. The link in every
 * message (services/links.h, purpose "order") carries a token bound to one
 * order; presented as "Authorization: Link <token>" or as ?t=<token> (for
 * EventSource, which cannot send headers), it lets its holder read that
 * order, its shipments, events and live stream, ask to cancel it and
 * decide, talk about it in a conversation, and open its survey. Nothing
 * else: another order answers 404, staff endpoints 401.
 *
 * A shopper sees a shopper's view of each answer: no cost, fraud, risk,
 * payment-gateway or audit internals (hf_shopper_view).
 */
#ifndef HF_SHOPPER_H
#define HF_SHOPPER_H

#include "services/services.h"
#include "util/token.h"

/* Checks token (purpose "order") and copies the order id it opens into
 * order_id. Errors: HF_EAUTH bad_token or token_expired. */
hf_rc hf_shopper_verify(const hf_services *svc, const char *token,
                        char order_id[HF_TOKEN_SUBJECT_MAX], hf_err *err);

/* What a route names, which the link's order must own. */
typedef enum hf_shopper_scope {
    HF_SHOPPER_NONE,         /* staff only */
    HF_SHOPPER_ORDER,        /* the path's first capture: an order */
    HF_SHOPPER_CONVERSATION, /* ... a conversation about the order */
    HF_SHOPPER_BODY_ORDER,   /* the body's "order" member */
} hf_shopper_scope;

/* HF_OK when what (per scope) belongs to order_id; HF_ENOTFOUND not_found
 * otherwise, as though it did not exist; HF_ESTORE. Scratch in a. */
hf_rc hf_shopper_check(const hf_services *svc, hf_shopper_scope scope,
                       const char *order_id, const char *what, hf_arena *a,
                       hf_err *err);

/* True when a timeline entry of type is shown to shoppers. */
bool hf_shopper_event_visible(const char *type);

/* The shapes a shopper's answer is cut to. */
typedef enum hf_shopper_view_kind {
    HF_VIEW_AS_IS,        /* nothing to hide (shipments, surveys) */
    HF_VIEW_ORDER,        /* an order document */
    HF_VIEW_EVENTS,       /* {"data": [timeline entries]} */
    HF_VIEW_TURN,         /* a conversation turn or cancellation request */
    HF_VIEW_CONVERSATION, /* a conversation with its trail */
} hf_shopper_view_kind;

/* json (an answer of kind) as a shopper may see it, in arena a; NULL when
 * out of memory. JSON that does not parse is returned unchanged (error
 * bodies are not cut). */
const char *hf_shopper_view(hf_shopper_view_kind kind, const char *json,
                            hf_arena *a);

#endif
