/*
 * engine.h - runs a compiled policy against a conversation, one customer
 * turn at a time. Pure: it takes the plan, the conversation's state, what
 * is known about the order (facts) and what the customer said (an intent,
 * or a choice from the self-service page), and returns the decision: the
 * reply, the offers on the table, the tool calls to make, and the new
 * state. The conversations service carries out the tool calls through
 * the guarded tools and stores everything; the same inputs always give
 * the same decision.
 */
#ifndef HF_POLICY_ENGINE_H
#define HF_POLICY_ENGINE_H

#include "core/money.h"
#include "intent/intent.h"
#include "policy/plan.h"
#include "util/arena.h"

#include <stdbool.h>

/* Most offers on the table at once. */
#define HF_ENGINE_MAX_OFFERS 8
/* Unclear messages in a row before the engine hands over to a person. */
#define HF_ENGINE_MAX_CLARIFY 3
/* Least confidence a message needs for the engine to cancel on it; below
 * it (and above the merchant's min_confidence) the customer is asked to
 * confirm first. */
#define HF_ENGINE_CANCEL_CONFIDENCE 0.75

typedef enum hf_phase {
    HF_PHASE_START,        /* the customer has not asked for anything yet */
    HF_PHASE_OFFERING,     /* offers on the table, waiting for a choice */
    HF_PHASE_NOT_ELIGIBLE, /* cannot be cancelled; a return was offered */
    HF_PHASE_CLOSED,       /* an outcome was reached */
    HF_PHASE_COUNT
} hf_phase;

typedef enum hf_outcome {
    HF_OUTCOME_OPEN,
    HF_OUTCOME_RETAINED,
    HF_OUTCOME_CANCELLED,
    HF_OUTCOME_ESCALATED,
    HF_OUTCOME_COUNT
} hf_outcome;

/* One concrete offer made to the customer. */
typedef struct hf_offer {
    char id[48]; /* stable within the conversation: "discount-10" */
    hf_offer_kind kind;
    int percent;       /* DISCOUNT, COUPON */
    int valid_days;    /* COUPON */
    char sku[64];      /* SWAP: the item offered instead ... */
    char name[96];     /* ... and its name */
    char from_sku[64]; /* SWAP: the line's item it replaces */
} hf_offer;

/* Everything the engine remembers between turns (stored as JSON). */
typedef struct hf_convo_state {
    hf_phase phase;
    hf_outcome outcome;
    hf_offer offers[HF_ENGINE_MAX_OFFERS]; /* on the table now */
    int n_offers;
    int rung;            /* discount ladder rung on the table (index) */
    bool countered;      /* the ladder's next rung was already offered */
    int clarifications;  /* unclear messages in a row */
    bool other_order;    /* the customer named another order: this one is
                            cancelled only once they name it */
    hf_offer accepted;   /* the offer taken, once RETAINED */
    bool confirm_cancel; /* the last reply asked "shall I cancel?": a yes
                            cancels, a no keeps the order */
} hf_convo_state;

/* What the service knows about the order this turn. */
typedef struct hf_order_facts {
    const char *number; /* "HF-100042" */
    hf_order_status status;
    hf_order_status held_from;
    const char *currency;
    hf_minor subtotal;    /* live lines at their prices */
    hf_minor cost;        /* what the live lines cost the merchant */
    hf_minor discount;    /* discount already on the order */
    bool expedited;       /* already ships expedited */
    bool offer_taken;     /* an offer was accepted before (one per order) */
    const char *swap_sku; /* an in-stock item of >= value; NULL if none */
    const char *swap_name;
    const char *swap_from;    /* the order's item it would replace */
    int max_discount_percent; /* the merchant's ceiling */
    int coupon_days;          /* a coupon's life when the policy says none */
    hf_order_status last_cancellable; /* when no policy states a window */
} hf_order_facts;

/* A context value for '$' in messages: "order.number" -> "HF-100042". */
typedef struct hf_ctx_value {
    const char *path;
    const char *value;
} hf_ctx_value;

/* What the customer did this turn. */
typedef enum hf_input_kind {
    HF_INPUT_MESSAGE, /* a message, classified into `intent` */
    HF_INPUT_ACCEPT,  /* self-service: took offer `offer_id` */
    HF_INPUT_DECLINE, /* self-service: declined; cancel now */
    HF_INPUT_AGENT,   /* self-service: wants a person */
} hf_input_kind;

typedef struct hf_engine_input {
    const hf_plan *plan;        /* the policy the conversation runs */
    const hf_plan *cancel_plan; /* the policy it cancels by; may be NULL */
    const hf_order_facts *facts;
    const hf_ctx_value *ctx; /* may be NULL */
    size_t n_ctx;
    hf_input_kind kind;
    const hf_intent_result *intent; /* MESSAGE */
    const char *offer_id;           /* ACCEPT */
    double min_confidence;          /* below it, ask again; 0: 0.5 */
    bool await_decision;            /* the self-service page: a request with no
                                       offers waits for the customer to confirm */
    /* MESSAGE: the customer's words, for picking an offer by its place in
     * the list ("option 2"); may be NULL */
    const char *text;
} hf_engine_input;

/* A tool call the engine decided on. */
typedef struct hf_tool_call {
    hf_tool_id tool;
    const char *args; /* a JSON object */
} hf_tool_call;

typedef struct hf_turn {
    const char *reply;    /* to the customer */
    const char *decision; /* "present_offers", "apply_offer", "cancel", ... */
    const char *why;      /* the plan's reason, for the audit trail */
    int plan_line;        /* the policy line that decided; 0: the engine's
                             own rule */
    hf_tool_call *calls;
    size_t n_calls;
} hf_turn;

/* Decides one turn and updates *st. Strings live in a. Errors: HF_ENOMEM,
 * HF_EINVAL (an ACCEPT of an offer not on the table: code unknown_offer;
 * a decision on a closed conversation: code conversation_closed). On
 * error *st is unchanged. */
hf_rc hf_engine_turn(const hf_engine_input *in, hf_convo_state *st, hf_arena *a,
                     hf_turn *out, hf_err *err);

/* A tool call of the last turn failed its guard (the swap item sold out,
 * the order shipped meanwhile): takes the offer off the table and says so.
 * The turn's other effects must have been rolled back by the caller. */
hf_rc hf_engine_offer_failed(const hf_engine_input *in, hf_convo_state *st,
                             const char *offer_id, const char *message,
                             hf_arena *a, hf_turn *out, hf_err *err);

/* A new conversation's state. */
void hf_engine_state_init(hf_convo_state *st);

/* "start", "offering", "not_eligible", "closed"; and the outcomes
 * "open", "retained", "cancelled", "escalated". */
const char *hf_phase_name(hf_phase p);
const char *hf_outcome_name(hf_outcome o);

/* Human description of an offer: "15% off this order". */
const char *hf_offer_describe(const hf_offer *o, hf_arena *a);

#endif
