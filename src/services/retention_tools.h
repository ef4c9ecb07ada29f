/*
 * retention_tools.h - the policy tools carried out against the store, one
 * function per row of the tool table (policy/tools.h), each with its
 * guards. The conversations service calls them, and the agent queue for
 * the offers agents apply.
 */
#ifndef HF_RETENTION_TOOLS_H
#define HF_RETENTION_TOOLS_H

#include "policy/engine.h"
#include "services/services.h"

typedef struct hf_tool_env {
    hf_txn *t;
    const hf_services *svc;
    const char *conversation_id;
    const char *order_id; /* "ord_..." */
    const char *reason;   /* cancellation reason code for cancel_order */
    const char *note;     /* the customer's words for cancel_order; may be
                             NULL */
    const char *actor;    /* "conversation:cnv_..." */
    const char *coupon;   /* a coupon code issued earlier in the turn (for
                             the message that confirms it), or NULL */
    hf_arena *a;
} hf_tool_env;

/* Carries out call; *result is a JSON object (in env->a) describing what
 * was done. A guard that refuses (an offer already accepted, a swap item
 * out of stock, a shipped order) returns HF_EINVAL or HF_ECONFLICT with
 * err set: the caller rolls the turn's tool calls back. */
hf_rc hf_tool_run(const hf_tool_env *env, const hf_tool_call *call,
                  const char **result, hf_err *err);

#endif
