/*
 * conversations.h - cancel requests handled by the merchant's policy: a
 * chat conversation turn by turn, or the self-service page's request and
 * decision. Every turn, tool call and decision is stored with the
 * conversation (its audit trail), in the same transaction as the changes
 * the tools make. Each function runs inside the caller's write (or read)
 * transaction and returns its answer as JSON text in arena a.
 */
#ifndef HF_CONVERSATIONS_H
#define HF_CONVERSATIONS_H

#include "policy/engine.h"
#include "services/services.h"

/* Starts a conversation about order (id or number) on channel ("chat",
 * "email", "sms", "self_service", ...), on the current policy version.
 * Errors: HF_ENOTFOUND (order), HF_EBUSY policy_unavailable. */
hf_rc hf_conversation_start_txn(hf_txn *t, const hf_services *svc,
                                const char *order, const char *channel,
                                const char *actor, hf_arena *a,
                                const char **json, hf_err *err);

typedef struct hf_turn_request {
    const char *conversation; /* its id */
    hf_input_kind kind;
    const char *text;               /* MESSAGE: what the customer wrote */
    const hf_intent_result *intent; /* MESSAGE: already classified; NULL:
                                       classify text */
    const char *offer_id;           /* ACCEPT */
    const char *reason;             /* a cancellation reason code; NULL:
                                       the conversation's, or changed_mind */
    const hf_ctx_value *ctx;        /* $context overrides; may be NULL */
    size_t n_ctx;
    const char *actor;
} hf_turn_request;

/* Runs one turn. The JSON: {"conversation", "reply", "intent", "offers",
 * "tool_calls", "decision", "state", "outcome"}. Errors: HF_ENOTFOUND;
 * HF_EINVAL unknown_offer; HF_ECONFLICT conversation_closed (a decision
 * on a closed request); HF_EBUSY policy_unavailable. */
hf_rc hf_conversation_turn_txn(hf_txn *t, const hf_services *svc,
                               const hf_turn_request *req, hf_arena *a,
                               const char **json, hf_err *err);

/* The conversation with its whole audit trail. Errors: HF_ENOTFOUND. */
hf_rc hf_conversation_get_txn(hf_txn *t, const char *id, hf_arena *a,
                              const char **json, hf_err *err);

/* The self-service page: opens a request to cancel order for reason (a
 * reason code) and note, and answers with eligibility and the ranked
 * offers: {"id", "order", "eligible", "offers", "reply", "state",
 * "outcome", ...}. */
hf_rc hf_cancellation_request_txn(hf_txn *t, const hf_services *svc,
                                  const char *order, const char *reason,
                                  const char *note, const char *actor,
                                  hf_arena *a, const char **json, hf_err *err);

#endif
