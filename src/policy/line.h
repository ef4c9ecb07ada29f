/*
 * line.h - how one logical line of a policy is read on its own (what it
 * names, states and asks for), before compile.c places it in a branch.
 * Internal to src/policy/.
 */
#ifndef HF_POLICY_LINE_H
#define HF_POLICY_LINE_H

#include "policy/policy_int.h"

/* What reading lines needs; diagnostics and references go into plan. */
typedef struct hf_line_ctx {
    hf_plan *plan;
    const hf_policy_env *env;
    hf_arena *work;    /* lives for the whole compile */
    hf_arena *scratch; /* reset before each line */
    hf_lexicon *lx;
    hf_srcmap map;
    size_t cap_diags, cap_refs; /* allocated in plan->diags, plan->refs */
    hf_branch last_cond;        /* of the last line with a condition, for
                                   "Otherwise"; HF_BRANCH_COUNT: none (compile.c) */
} hf_line_ctx;

/* What one line says. */
typedef struct hf_line_reading {
    hf_line_kind kind;
    hf_branch cond;       /* the condition it states; HF_BRANCH_COUNT: none */
    hf_branch branch;     /* where it belongs; set by compile.c */
    bool label;           /* a heading or a "Label:" line: opens a section */
    bool section;         /* names the follow-up section */
    bool rule;            /* states the cancellation window */
    hf_order_status last; /* rule: last cancellable status */
    bool trigger;         /* says when the policy applies */
    bool note;            /* describes another system's doing */
    bool remark;          /* prose for people: the bot's role, the aim, tone */
    bool remark_label;    /* a label naming prose ("Notes", "Purpose") */
    size_t run_in;        /* bytes of a run-in label of prose ("**Note:**
                             ..."), which the line's later sentences stay
                             under; 0: none */
    bool instruction;     /* written as an instruction (a step's verb, "if") */
    bool continues;       /* figures only: more rungs of the offer before */
    size_t mark_diags;    /* diagnostics its marks gave */
    const char *ref;      /* the first #name on the line, or NULL */
    hf_plan_action acts[HF_ACT_COUNT]; /* in the order written, unique */
    size_t n_acts;
    hf_plan_offer offers[HF_OFFER_KIND_COUNT]; /* in the order written */
    size_t n_offers;
} hf_line_reading;

/* Reads line l into r; diagnostics for its marks and for a line that says
 * nothing the lexicon knows go into lc->plan. Errors: HF_ENOMEM. */
hf_rc hf_line_read(hf_line_ctx *lc, const hf_outline_line *l,
                   hf_line_reading *r);

/* Makes r, read from line l under a remark label (label: its text), a
 * remark: no step, offer or condition. A line written as an instruction
 * is reported instead; diags_before is plan->n_diags before l was read
 * (its marks' diagnostics stay). Errors: HF_ENOMEM. */
hf_rc hf_line_remark(hf_line_ctx *lc, const hf_outline_line *l,
                     hf_line_reading *r, size_t diags_before,
                     const char *label);

/* Makes r, read from a later sentence of a paragraph that opens with when
 * the policy applies, part of that: a sentence that names a #policy and
 * states no condition, offer or other step ("This comes before #X",
 * "Cancelling itself happens per #X") says which policy cancels. Returns
 * false when r is not such a sentence. diags_before: as for
 * hf_line_remark. */
bool hf_line_trigger_more(hf_line_ctx *lc, hf_line_reading *r,
                          size_t diags_before);

/* One short phrase for explain ("if accepts: apply_offer
 * @set_discount_to_order"), in a; NULL when out of memory. */
const char *hf_line_describe(hf_arena *a, const hf_line_reading *r);

#endif
