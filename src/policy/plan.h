/*
 * plan.h - a compiled policy: what the engine will do, read from the
 * Markdown outline a CX manager wrote (docs/policy-language.md).
 *
 * hf_policy_compile() does no I/O: it takes the document's text and the
 * names of the other policies that '#' references may resolve to, and
 * returns a plan. A plan owns its memory (one arena) and is read-only
 * once built, so any number of conversations may share it.
 *
 * A plan always comes back, with diagnostics for what could not be read
 * (an unknown tool, an unresolved '#', an unknown '$', a line that means
 * nothing in the lexicon); `holdfast policy lint` prints them and the
 * service refuses to run a plan that has any.
 */
#ifndef HF_POLICY_PLAN_H
#define HF_POLICY_PLAN_H

#include "core/offer.h"
#include "core/order_state.h"
#include "policy/tools.h"
#include "util/hf.h"

#include <stdbool.h>
#include <stddef.h>

/* Largest document a policy may be; above it compile gives HF_ETOOBIG. */
#define HF_POLICY_MAX_BYTES (256 * 1024)
/* Most rungs of one discount ladder ("10% or 15%" is two). */
#define HF_PLAN_LADDER_MAX 4

/* What the customer said, as the plan branches on it. */
typedef enum hf_branch {
    HF_BRANCH_ALWAYS,       /* not conditional: steps the policy always takes */
    HF_BRANCH_ACCEPTS,      /* takes an offer */
    HF_BRANCH_DECLINES,     /* says no to the offers */
    HF_BRANCH_INSISTS,      /* insists on cancelling despite the offers */
    HF_BRANCH_CONCERN,      /* has a concern or a question */
    HF_BRANCH_ASKS_AGENT,   /* asks for a person */
    HF_BRANCH_NOT_ELIGIBLE, /* the order can no longer be cancelled */
    HF_BRANCH_COUNT
} hf_branch;

typedef enum hf_action_kind {
    HF_ACT_LOOKUP_ORDER,   /* read the order (@order_details) */
    HF_ACT_PRESENT_OFFERS, /* ask whether the customer wants an offer */
    HF_ACT_APPLY_OFFER,    /* apply the offer the customer took */
    HF_ACT_NOTIFY,         /* tell the customer (a message, an email) */
    HF_ACT_THANK,          /* thank them and restate what they keep */
    HF_ACT_CANCEL,         /* cancel the order, per `ref` when given */
    HF_ACT_RELEASE_STOCK,  /* part of a cancellation: stock back on sale */
    HF_ACT_REFUND,         /* part of a cancellation: money back */
    HF_ACT_SEND_SURVEY,    /* ask why they cancelled */
    HF_ACT_OFFER_RETURN,   /* instead of a cancellation: a return */
    HF_ACT_ROUTE_AGENT,    /* hand over to a person */
    HF_ACT_COUNT
} hf_action_kind;

typedef struct hf_plan_action {
    hf_action_kind kind;
    hf_tool_id tool;     /* the tool the line names; HF_TOOL_COUNT if none */
    const char *ref;     /* a '#' policy name (no '#'), or NULL */
    const char *message; /* NOTIFY: text the line quotes, may hold $paths;
                            NULL: the engine's own wording */
    int line;            /* where it was written, 1-based */
} hf_plan_action;

typedef struct hf_plan_offer {
    hf_offer_kind kind;
    int percents[HF_PLAN_LADDER_MAX]; /* DISCOUNT: the ladder, first rung
                                         first; COUPON: [0] */
    size_t n_percents;                /* 0 when the line names no figure */
    int valid_days;  /* COUPON: days until it expires; 0: not stated */
    hf_tool_id tool; /* the tool the line names, else the kind's own */
    int line;
} hf_plan_offer;

/* How one line of the document was read, for `policy explain`. */
typedef enum hf_line_kind {
    HF_LINE_HEADING, /* a title or a group label ("Escalation:") */
    HF_LINE_TRIGGER, /* when the policy applies ("customer wants to cancel") */
    HF_LINE_OFFER,   /* an alternative to offer */
    HF_LINE_BRANCH,  /* a condition; the actions under or after it */
    HF_LINE_ACTION,  /* a step the engine takes */
    HF_LINE_RULE,    /* an eligibility rule ("cancellable until shipment") */
    HF_LINE_NOTE,    /* describes what another system does; no effect */
    HF_LINE_UNKNOWN, /* not understood: a lint error */
    HF_LINE_REMARK,  /* prose for people (purpose, tone, notes); no effect */
} hf_line_kind;

typedef struct hf_plan_line {
    int line, col; /* of the line's first word, 1-based */
    hf_line_kind kind;
    hf_branch branch;    /* the branch it belongs to (ALWAYS if none) */
    const char *text;    /* the line as written, Markdown markers removed */
    const char *reading; /* how it was read, one short phrase */
} hf_plan_line;

typedef struct hf_policy_diag {
    int line, col;       /* 1-based */
    const char *message; /* "unknown tool @foo" */
} hf_policy_diag;

typedef struct hf_plan {
    const char *name; /* "Cancellation_retention_policy" */

    hf_plan_offer *offers; /* in the order written: the order offered */
    size_t n_offers;

    /* What to do on each branch, in the order written. */
    hf_plan_action *actions[HF_BRANCH_COUNT];
    size_t n_actions[HF_BRANCH_COUNT];

    /* An eligibility rule: the last status in which the order may still
     * be cancelled ("until shipment": packed). */
    bool has_cancel_window;
    hf_order_status last_cancellable;

    const char *cancel_policy; /* the '#' policy the trigger or a CANCEL
                                  action names, or NULL */
    const char **refs;         /* every '#' name referenced, unique */
    size_t n_refs;

    hf_plan_line *lines; /* every non-blank line, in order */
    size_t n_lines;
    hf_policy_diag *diags; /* empty when the policy is clean */
    size_t n_diags;

    struct hf_arena *arena; /* owns everything above */
} hf_plan;

/* What '#' references may resolve to. */
typedef struct hf_policy_env {
    const char *const *policies; /* known policy names, without '#' */
    size_t n_policies;
} hf_policy_env;

/* Compiles the policy called name from text[0..len). *out is a new plan
 * (free with hf_plan_free) even when it has diagnostics. Errors:
 * HF_ENOMEM; HF_ETOOBIG above HF_POLICY_MAX_BYTES (no plan). */
hf_rc hf_policy_compile(const char *name, const char *text, size_t len,
                        const hf_policy_env *env, hf_plan **out);

void hf_plan_free(hf_plan *p);

/* True when path (without '$', "order.total") is a context value the
 * engine can fill in. */
bool hf_policy_context_known(const char *path, size_t len);

/* Names of the branches, actions and line kinds, for explain and JSON. */
const char *hf_branch_name(hf_branch b);
const char *hf_action_kind_name(hf_action_kind k);
const char *hf_line_kind_name(hf_line_kind k);

#endif
