/*
 * Unit tests for the policy compiler: the shipped policies give the plans
 * the retention service relies on, the three platform versions and the
 * rewordings of the retention and single-order policies (in other voices:
 * prose, numbered steps, terse bullets, long-winded, British, other
 * headings, offers introduced differently; in round two: addressed to the
 * bot, by "we", pasted Markdown, a table, notes sections, "Otherwise" and
 * "unless", several sentences to a line) give the same plans, branch and
 * step phrasings are read alike, lint reports each kind of problem at the
 * right line and column and still rejects lines that mean nothing, hostile
 * input is refused or read without harm, and no allocation failure leaks or
 * crashes.
 */
#include "policy/plan.h"
#include "util/mem.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#ifndef HF_SOURCE_DIR
#define HF_SOURCE_DIR "."
#endif

/* --- Helpers ------------------------------------------------------------- */

static const char *const known[] = {"Single_order_cancellation_policy",
                                    "Cancellation_retention_policy"};
static const hf_policy_env env = {known, 2};

static long baseline;

static int note_live(void **state)
{
    (void)state;
    baseline = hf_mem_live();
    return 0;
}

static int check_leaks(void **state)
{
    (void)state;
    hf_mem_fail_after(0);
    assert_int_equal(hf_mem_live() - baseline, 0);
    return 0;
}

/* The file at HF_SOURCE_DIR/rel, NUL-terminated; free() it. */
static char *slurp(const char *rel, size_t *len)
{
    char path[4096];
    snprintf(path, sizeof(path), "%s/%s", HF_SOURCE_DIR, rel);
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    char *buf = malloc(HF_POLICY_MAX_BYTES + 1);
    assert_non_null(buf);
    *len = fread(buf, 1, HF_POLICY_MAX_BYTES, f);
    buf[*len] = '\0';
    fclose(f);
    return buf;
}

static hf_plan *compile_text(const char *name, const char *text)
{
    hf_plan *p = NULL;
    assert_int_equal(hf_policy_compile(name, text, strlen(text), &env, &p),
                     HF_OK);
    assert_non_null(p);
    return p;
}

/* Compiles a file of the source tree; it must be clean. */
static hf_plan *compile_file(const char *rel)
{
    size_t len;
    char *text = slurp(rel, &len);
    hf_plan *p = NULL;
    assert_int_equal(hf_policy_compile("x", text, len, &env, &p), HF_OK);
    free(text);
    for (size_t i = 0; i < p->n_diags; i++)
        print_error("%s:%d:%d: %s\n", rel, p->diags[i].line, p->diags[i].col,
                    p->diags[i].message);
    assert_int_equal(p->n_diags, 0);
    return p;
}

/* The kinds of branch b's actions, as "kind kind ...". */
static const char *acts(const hf_plan *p, hf_branch b)
{
    static char buf[512];
    buf[0] = '\0';
    for (size_t i = 0; i < p->n_actions[b]; i++) {
        strcat(buf, i ? " " : "");
        strcat(buf, hf_action_kind_name(p->actions[b][i].kind));
    }
    return buf;
}

/* Asserts what a customer of the retention policy meets. */
static void assert_retention(const hf_plan *p)
{
    assert_int_equal(p->n_offers, 4);
    assert_int_equal(p->offers[0].kind, HF_OFFER_DISCOUNT);
    assert_int_equal(p->offers[0].n_percents, 2);
    assert_int_equal(p->offers[0].percents[0], 10);
    assert_int_equal(p->offers[0].percents[1], 15);
    assert_int_equal(p->offers[0].tool, HF_TOOL_SET_DISCOUNT);
    assert_int_equal(p->offers[1].kind, HF_OFFER_SHIPPING_UPGRADE);
    assert_int_equal(p->offers[1].tool, HF_TOOL_UPGRADE_SHIPPING);
    assert_int_equal(p->offers[2].kind, HF_OFFER_SWAP);
    assert_int_equal(p->offers[3].kind, HF_OFFER_COUPON);
    assert_int_equal(p->offers[3].n_percents, 1);
    assert_int_equal(p->offers[3].percents[0], 20);
    assert_string_equal(p->cancel_policy, "Single_order_cancellation_policy");
    assert_string_equal(acts(p, HF_BRANCH_ALWAYS), "present_offers");
    assert_string_equal(acts(p, HF_BRANCH_ACCEPTS), "apply_offer notify thank");
    assert_int_equal(p->actions[HF_BRANCH_ACCEPTS][1].tool,
                     HF_TOOL_SEND_MESSAGE);
    assert_string_equal(acts(p, HF_BRANCH_DECLINES), "cancel");
    assert_string_equal(p->actions[HF_BRANCH_DECLINES][0].ref,
                        "Single_order_cancellation_policy");
    assert_string_equal(acts(p, HF_BRANCH_INSISTS), "cancel");
    assert_string_equal(acts(p, HF_BRANCH_CONCERN), "route_agent");
    assert_false(p->has_cancel_window);
}

static void assert_same_tool(hf_tool_id a, hf_tool_id b)
{
    assert_int_equal(a, b);
}

/* Asserts that a and b do the same: offers, steps per branch, tools. */
static void assert_same_plan(const hf_plan *a, const hf_plan *b)
{
    assert_int_equal(a->n_offers, b->n_offers);
    for (size_t i = 0; i < a->n_offers; i++) {
        assert_int_equal(a->offers[i].kind, b->offers[i].kind);
        assert_int_equal(a->offers[i].n_percents, b->offers[i].n_percents);
        assert_memory_equal(a->offers[i].percents, b->offers[i].percents,
                            sizeof(a->offers[i].percents));
        assert_int_equal(a->offers[i].valid_days, b->offers[i].valid_days);
        assert_same_tool(a->offers[i].tool, b->offers[i].tool);
    }
    for (int br = 0; br < HF_BRANCH_COUNT; br++) {
        assert_int_equal(a->n_actions[br], b->n_actions[br]);
        for (size_t i = 0; i < a->n_actions[br]; i++) {
            const hf_plan_action *x = &a->actions[br][i];
            const hf_plan_action *y = &b->actions[br][i];
            assert_int_equal(x->kind, y->kind);
            assert_same_tool(x->tool, y->tool);
            assert_true((x->ref == NULL) == (y->ref == NULL));
            if (x->ref != NULL)
                assert_string_equal(x->ref, y->ref);
        }
    }
    assert_true((a->cancel_policy == NULL) == (b->cancel_policy == NULL));
    if (a->cancel_policy != NULL)
        assert_string_equal(a->cancel_policy, b->cancel_policy);
    assert_int_equal(a->has_cancel_window, b->has_cancel_window);
    assert_int_equal(a->last_cancellable, b->last_cancellable);
}

/* --- The shipped policies ------------------------------------------------ */

static void retention_policy_plan(void **state)
{
    (void)state;
    hf_plan *p = compile_file("policies/Cancellation_retention_policy.md");
    assert_retention(p);
    assert_int_equal(p->offers[3].valid_days, 60);
    hf_plan_free(p);
}

static void single_order_policy_plan(void **state)
{
    (void)state;
    hf_plan *p = compile_file("policies/Single_order_cancellation_policy.md");
    assert_true(p->has_cancel_window);
    assert_int_equal(p->last_cancellable, HF_STATUS_PACKED);
    assert_string_equal(acts(p, HF_BRANCH_ALWAYS),
                        "cancel release_stock refund notify send_survey");
    assert_int_equal(p->actions[HF_BRANCH_ALWAYS][0].tool,
                     HF_TOOL_CANCEL_ORDER);
    assert_non_null(
        strstr(p->actions[HF_BRANCH_ALWAYS][3].message, "$order.number"));
    assert_string_equal(acts(p, HF_BRANCH_NOT_ELIGIBLE), "offer_return");
    assert_int_equal(p->n_offers, 0);
    hf_plan_free(p);
}

/* Asserts that each of files compiles clean to the plan of ref_file. */
static void assert_files_give_plan(const char *ref_file,
                                   const char *const *files, size_t n)
{
    hf_plan *ref = compile_file(ref_file);
    for (size_t i = 0; i < n; i++) {
        print_message("%s\n", files[i]);
        hf_plan *p = compile_file(files[i]);
        assert_same_plan(ref, p);
        hf_plan_free(p);
    }
    hf_plan_free(ref);
}

static void platform_versions_give_one_plan(void **state)
{
    (void)state;
    static const char *const files[] = {
        "policies/Cancellation_retention_policy_BigCommerce_Kustomer.md",
        "policies/Cancellation_retention_policy_Magento_Gladly.md",
        "tests/data/policies/reworded_headings.md",
        "tests/data/policies/reworded_paragraphs.md",
        "tests/data/policies/reworded_plus.md",
    };
    assert_files_give_plan("policies/Cancellation_retention_policy.md", files,
                           HF_ARRAY_LEN(files));
}

/* Rewordings of the retention policy in other CX managers' voices, each
 * written from its meaning: the customer meets the same offers, ladder,
 * validity, tools and steps on every branch. */
static void voices_give_the_retention_plan(void **state)
{
    (void)state;
    static const char *const files[] = {
        "tests/data/policies/reworded_prose_uk.md",
        "tests/data/policies/reworded_numbered_steps.md",
        "tests/data/policies/reworded_terse.md",
        "tests/data/policies/reworded_long_winded.md",
        "tests/data/policies/reworded_reordered_offers.md",
        "tests/data/policies/reworded_gladly_headings.md",
        /* round two: addressed to the bot ("You are ..."), by "we", pasted
         * Markdown (CRLF, smart quotes, dashes, inline code, links, an HTML
         * comment, no-break and trailing spaces), a table of offers under
         * question headings, offers as sub-bullets with Purpose / Tone /
         * Notes sections, "Once" / "Otherwise" / "In case" / "When" over
         * soft-wrapped lines, and British prose by "we" */
        "tests/data/policies/bot_second_person.md",
        "tests/data/policies/we_bigcommerce.md",
        "tests/data/policies/pasted_gladly_crlf.md",
        "tests/data/policies/questions_table.md",
        "tests/data/policies/nested_notes.md",
        "tests/data/policies/clause_shapes.md",
        "tests/data/policies/we_soft_wrapped_uk.md",
    };
    assert_files_give_plan("policies/Cancellation_retention_policy.md", files,
                           HF_ARRAY_LEN(files));
}

/* Rewordings of the single-order policy: the same window, return offer
 * and cancellation steps. */
static void single_order_rewordings_give_one_plan(void **state)
{
    (void)state;
    static const char *const files[] = {
        "tests/data/policies/single_order_prose.md",
        "tests/data/policies/single_order_steps_uk.md",
        "tests/data/policies/single_order_terse.md",
        /* round two: addressed to the bot, pasted with CRLF, by "we" */
        "tests/data/policies/single_order_bot.md",
        "tests/data/policies/single_order_pasted_crlf.md",
        "tests/data/policies/single_order_we_when.md",
    };
    assert_files_give_plan("policies/Single_order_cancellation_policy.md",
                           files, HF_ARRAY_LEN(files));
}

/* One line of a policy and the branch and steps it must give. */
typedef struct phrasing {
    const char *line;
    hf_branch branch;
    const char *acts;
} phrasing;

static void assert_phrasings(const phrasing *cases, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char text[512];
        snprintf(text, sizeof(text), "- %s\n", cases[i].line);
        print_message("%s\n", cases[i].line);
        hf_plan *p = compile_text("t", text);
        assert_int_equal(p->n_diags, 0);
        assert_int_equal(p->n_lines, 1);
        assert_string_equal(hf_branch_name(p->lines[0].branch),
                            hf_branch_name(cases[i].branch));
        assert_string_equal(acts(p, cases[i].branch), cases[i].acts);
        hf_plan_free(p);
    }
}

/* Branches said in other words: the same branch and steps. */
static void branch_phrasings(void **state)
{
    (void)state;
    static const phrasing cases[] = {
        {"If they're happy with that, apply the offer.", HF_BRANCH_ACCEPTS,
         "apply_offer"},
        {"In the event that the customer agrees, apply it.", HF_BRANCH_ACCEPTS,
         "apply_offer"},
        {"Yes: apply the offer and thank them.", HF_BRANCH_ACCEPTS,
         "apply_offer thank"},
        {"They keep the order: thank them.", HF_BRANCH_ACCEPTS, "thank"},
        {"Should the shopper refuse, cancel the order.", HF_BRANCH_DECLINES,
         "cancel"},
        {"If they push back, go ahead and cancel it.", HF_BRANCH_DECLINES,
         "cancel"},
        {"No: cancel the order.", HF_BRANCH_DECLINES, "cancel"},
        {"If the customer is not persuaded, cancel it.", HF_BRANCH_DECLINES,
         "cancel"},
        {"If they still want out, cancel the order.", HF_BRANCH_INSISTS,
         "cancel"},
        {"If they won't budge, cancel the order.", HF_BRANCH_INSISTS, "cancel"},
        {"If they have a worry or a question, hand the chat over to a "
         "teammate.",
         HF_BRANCH_CONCERN, "route_agent"},
        {"If they ask for a live agent, pass them to a colleague.",
         HF_BRANCH_ASKS_AGENT, "route_agent"},
        {"If they ask for a supervisor, hand the chat over.",
         HF_BRANCH_ASKS_AGENT, "route_agent"},
        {"If the customer wants to chat with a human, transfer to support.",
         HF_BRANCH_ASKS_AGENT, "route_agent"},
        {"If it has already been dispatched, we cannot cancel it, so suggest "
         "a return.",
         HF_BRANCH_NOT_ELIGIBLE, "offer_return"},
        {"Shipped already: return instead.", HF_BRANCH_NOT_ELIGIBLE,
         "offer_return"},
        {"Should the customer say yes, put the discount through.",
         HF_BRANCH_ACCEPTS, "apply_offer"},
        {"If they go for it, apply it.", HF_BRANCH_ACCEPTS, "apply_offer"},
        {"If so, apply it.", HF_BRANCH_ACCEPTS, "apply_offer"},
        {"If the customer is on board, apply the offer they picked.",
         HF_BRANCH_ACCEPTS, "apply_offer"},
        {"If they get annoyed, apologise and hand the chat over to a "
         "teammate.",
         HF_BRANCH_CONCERN, "route_agent"},
        {"If the customer already received the item, offer a return.",
         HF_BRANCH_NOT_ELIGIBLE, "offer_return"},
        {"If they change their mind and keep the order, thank them.",
         HF_BRANCH_ACCEPTS, "thank"},
        {"If they say no thanks, cancel it.", HF_BRANCH_DECLINES, "cancel"},
        {"If the customer accepts none of the offers, cancel the order.",
         HF_BRANCH_DECLINES, "cancel"},
        {"If they're still set on cancelling, cancel the order.",
         HF_BRANCH_INSISTS, "cancel"},
        {"If the customer, however, still wants to cancel, cancel it.",
         HF_BRANCH_INSISTS, "cancel"},
        {"If they're not sure, escalate.", HF_BRANCH_CONCERN, "route_agent"},
        {"If the shopper would rather talk to someone, loop in a teammate.",
         HF_BRANCH_ASKS_AGENT, "route_agent"},
        {"Too late to cancel: offer to start a return.", HF_BRANCH_NOT_ELIGIBLE,
         "offer_return"},
        {"Unless they accept one of the offers, cancel the order.",
         HF_BRANCH_DECLINES, "cancel"},
        {"Cancel the order unless they take one.", HF_BRANCH_DECLINES,
         "cancel"},
        {"In case they decline, cancel the order.", HF_BRANCH_DECLINES,
         "cancel"},
        {"Once they say no, cancel the order.", HF_BRANCH_DECLINES, "cancel"},
        {"When the customer is happy with an offer, apply it.",
         HF_BRANCH_ACCEPTS, "apply_offer"},
        {"If they say yes then apply the offer and thank them.",
         HF_BRANCH_ACCEPTS, "apply_offer thank"},
        {"If they would rather not, we go ahead and cancel it.",
         HF_BRANCH_DECLINES, "cancel"},
        {"If they're still not having it, cancel the order.",
         HF_BRANCH_DECLINES, "cancel"},
        {"Should they refuse, we cancel via #Single_order_cancellation_policy.",
         HF_BRANCH_DECLINES, "cancel"},
    };
    assert_phrasings(cases, HF_ARRAY_LEN(cases));
}

/* Steps said in other words, and words that belong to one clause. */
static void step_phrasings(void **state)
{
    (void)state;
    static const phrasing cases[] = {
        {"Go ahead and cancel it following #Single_order_cancellation_policy.",
         HF_BRANCH_ALWAYS, "cancel"},
        {"If they decline, pass them on to #Single_order_cancellation_policy.",
         HF_BRANCH_DECLINES, "cancel"},
        {"Release the stock and refund.", HF_BRANCH_ALWAYS,
         "release_stock refund"},
        {"Let them know via @send_async_message, then thank them.",
         HF_BRANCH_ALWAYS, "notify thank"},
        {"Apply the chosen offer and let them know; Gladly will also send "
         "them an email.",
         HF_BRANCH_ALWAYS, "apply_offer notify"},
        {"Make sure the option they have chosen is applied.", HF_BRANCH_ALWAYS,
         "apply_offer"},
        {"Ask which of these they would like.", HF_BRANCH_ALWAYS,
         "present_offers"},
        {"Put them through to a live agent.", HF_BRANCH_ALWAYS, "route_agent"},
        {"Cancel, restock, refund, confirm, survey.", HF_BRANCH_ALWAYS,
         "cancel release_stock refund notify send_survey"},
    };
    assert_phrasings(cases, HF_ARRAY_LEN(cases));
    /* Handing over to the cancelling policy on a trigger line names that
     * policy; it is not a step taken at once. */
    hf_plan *p = compile_text(
        "t", "When a customer asks to cancel, we try to keep the order "
             "before we hand them over to the "
             "#Single_order_cancellation_policy.\n");
    assert_int_equal(p->lines[0].kind, HF_LINE_TRIGGER);
    assert_string_equal(p->cancel_policy, "Single_order_cancellation_policy");
    assert_int_equal(p->n_actions[HF_BRANCH_ALWAYS], 0);
    hf_plan_free(p);
}

/* Offers introduced differently, with their figures in words. */
static void offer_phrasings(void **state)
{
    (void)state;
    hf_plan *p = compile_text(
        "t", "- We can knock 10% off, rising to 15% if they say no.\n"
             "- Upgrade them to express for free.\n"
             "- Exchange the item for something of equal or greater value.\n"
             "- A voucher worth 20% on their next purchase, expiring after "
             "two months.\n"
             "- A shopper who is worried about timing gets priority shipping "
             "with @upgrade_shipping.\n"
             "- Offer a reduction on the price with @set_discount_to_order, "
             "starting at ten percent.\n"
             "- Throw in free next-day delivery.\n");
    assert_int_equal(p->n_diags, 0);
    assert_int_equal(p->n_offers, 4);
    assert_int_equal(p->offers[0].kind, HF_OFFER_DISCOUNT);
    assert_int_equal(p->offers[0].n_percents, 2);
    assert_int_equal(p->offers[0].percents[1], 15);
    assert_int_equal(p->offers[1].kind, HF_OFFER_SHIPPING_UPGRADE);
    assert_int_equal(p->offers[2].kind, HF_OFFER_SWAP);
    assert_int_equal(p->offers[3].kind, HF_OFFER_COUPON);
    assert_int_equal(p->offers[3].percents[0], 20);
    assert_int_equal(p->offers[3].valid_days, 60);
    /* a condition on a line that only names an offer is not a branch */
    for (size_t i = 0; i < p->n_lines; i++)
        assert_int_equal(p->lines[i].kind, HF_LINE_OFFER);
    hf_plan_free(p);
    p = compile_text("t", "- Offer a reduction on the price with "
                          "@set_discount_to_order, starting at ten percent.\n");
    assert_int_equal(p->offers[0].n_percents, 1);
    assert_int_equal(p->offers[0].percents[0], 10);
    hf_plan_free(p);
    /* a bare later rung, and a coupon given "as a thank-you" (no step) */
    p = compile_text("t", "- Offer 10 percent off; if that doesn't land, bump "
                          "it to 15.\n- Give them 20% off their next order as "
                          "a thank-you, good for up to 8 weeks.\n");
    assert_int_equal(p->n_diags, 0);
    assert_int_equal(p->n_offers, 2);
    assert_int_equal(p->offers[0].n_percents, 2);
    assert_int_equal(p->offers[0].percents[1], 15);
    assert_int_equal(p->offers[1].kind, HF_OFFER_COUPON);
    assert_int_equal(p->offers[1].n_percents, 1);
    assert_int_equal(p->offers[1].valid_days, 56);
    assert_int_equal(p->n_actions[HF_BRANCH_ALWAYS], 0);
    hf_plan_free(p);
}

static void assert_one_diag(const char *text, int line, int col,
                            const char *message);

/* "Otherwise", "Else" and "If not" are the other side of the condition
 * before them; where it has none the condition is reported. */
static void otherwise_clauses(void **state)
{
    (void)state;
    hf_plan *p = compile_text("t", "- If they accept, apply it.\n"
                                   "- Otherwise, cancel the order.\n");
    assert_int_equal(p->n_diags, 0);
    assert_string_equal(acts(p, HF_BRANCH_ACCEPTS), "apply_offer");
    assert_string_equal(acts(p, HF_BRANCH_DECLINES), "cancel");
    hf_plan_free(p);
    p = compile_text("t", "If they say no, cancel the order.\n\n"
                          "If not, apply the offer they chose.\n");
    assert_int_equal(p->n_diags, 0);
    assert_string_equal(acts(p, HF_BRANCH_ACCEPTS), "apply_offer");
    hf_plan_free(p);
    p = compile_text("t", "Once it has shipped, offer a return.\n\n"
                          "Otherwise:\n\n1. Cancel it.\n2. Refund it.\n");
    assert_int_equal(p->n_diags, 0);
    assert_string_equal(acts(p, HF_BRANCH_NOT_ELIGIBLE), "offer_return");
    assert_string_equal(acts(p, HF_BRANCH_ALWAYS), "cancel refund");
    hf_plan_free(p);
    assert_one_diag("- Thank them.\n- Otherwise, cancel the order.\n", 2, 3,
                    "cannot understand the condition");
    assert_one_diag("- If they have a question, escalate.\n"
                    "- Otherwise, cancel the order.\n",
                    2, 3, "cannot understand the condition");
}

/* Prose for people: who the bot is, what the policy is for, how to
 * sound, and sections of it ("Purpose", "Notes", "Tone"), which add no
 * step, offer or condition. Lint still reports an instruction there, a
 * bad mark, and prose that is none of these. */
static void remarks_for_people(void **state)
{
    (void)state;
    hf_plan *p = compile_text(
        "t", "You are Acme's customer support assistant.\n"
             "Your job is to keep the order if you reasonably can.\n"
             "We never want to lose a customer over something we could fix.\n"
             "Be warm and brief, and never sound scripted.\n"
             "Don't be pushy.\n");
    assert_int_equal(p->n_diags, 0);
    assert_int_equal(p->n_lines, 5);
    for (size_t i = 0; i < p->n_lines; i++) /* the aim: when it applies */
        assert_int_equal(p->lines[i].kind,
                         i == 1 ? HF_LINE_TRIGGER : HF_LINE_REMARK);
    assert_int_equal(p->n_actions[HF_BRANCH_ALWAYS], 0);
    assert_int_equal(p->n_actions[HF_BRANCH_ACCEPTS], 0);
    hf_plan_free(p);
    p = compile_text(
        "t", "## Purpose\n\nMost customers who cancel are worried about "
             "delivery, so a shipping upgrade or a discount often keeps "
             "them.\nA customer who declines is no failure.\n\n"
             "## Steps\n\n- Thank them.\n\n"
             "## Notes\n\nThe discount tool never goes above the "
             "configured maximum.\n");
    assert_int_equal(p->n_diags, 0);
    assert_int_equal(p->n_offers, 0);
    assert_string_equal(acts(p, HF_BRANCH_ALWAYS), "thank");
    assert_int_equal(p->n_actions[HF_BRANCH_DECLINES], 0);
    assert_int_equal(p->lines[1].kind, HF_LINE_REMARK);
    hf_plan_free(p);
    assert_one_diag("## Notes\n\nOffer them a free pony.\n", 3, 1,
                    "an instruction under \"Notes\" is not a step; move it "
                    "to the steps");
    assert_one_diag("**Background:**\n\nBe kind.\n\nNever cancel without "
                    "offering the alternatives.\n",
                    5, 1,
                    "an instruction under \"Background:\" is not a step; "
                    "move it to the steps");
    assert_one_diag("## Notes\n\nThe @give_money tool is retired.\n", 3, 5,
                    "unknown tool @give_money");
    /* a run-in label of prose: the rest of the paragraph is a remark */
    p = compile_text("t", "_Why we do this:_ a cancelled order should be "
                          "over in one message.\n\n"
                          "**Note:** Gladly also emails them.\n");
    assert_int_equal(p->n_diags, 0);
    assert_int_equal(p->lines[0].kind, HF_LINE_REMARK);
    assert_int_equal(p->n_actions[HF_BRANCH_ALWAYS], 0);
    hf_plan_free(p);
    assert_one_diag("**Note:** offer them a pony.\n", 1, 3,
                    "an instruction under \"Note:\" is not a step; move it "
                    "to the steps");
    assert_one_diag("You are a pony.\n", 1, 1, "cannot understand this line");
    assert_one_diag("- Be a pony.\n", 1, 3, "cannot understand this line");
    /* a bold title of one or two words is a label, whatever its noun */
    p = compile_text("t", "**Escalation**\n\n- If they have a question, "
                          "escalate.\n");
    assert_int_equal(p->n_diags, 0);
    assert_int_equal(p->lines[0].kind, HF_LINE_HEADING);
    assert_int_equal(p->n_actions[HF_BRANCH_ALWAYS], 0);
    assert_string_equal(acts(p, HF_BRANCH_CONCERN), "route_agent");
    hf_plan_free(p);
}

/* Figures said otherwise: other percentages, a rung on a line of its own,
 * validity in weeks; a decimal percentage and an amount of money are
 * reported, since a discount and a coupon are whole percentages. */
static void figures_round_two(void **state)
{
    (void)state;
    hf_plan *p = compile_text(
        "t", "- Offer 5% off the order, rising to 25% if they say no.\n"
             "- A coupon for 12% off their next order that expires in 6 "
             "weeks.\n"
             "- Offer to swap it for a different size or colour.\n");
    assert_int_equal(p->n_diags, 0);
    assert_int_equal(p->n_offers, 3);
    assert_int_equal(p->offers[0].n_percents, 2);
    assert_int_equal(p->offers[0].percents[0], 5);
    assert_int_equal(p->offers[0].percents[1], 25);
    assert_int_equal(p->offers[1].kind, HF_OFFER_COUPON);
    assert_int_equal(p->offers[1].percents[0], 12);
    assert_int_equal(p->offers[1].valid_days, 42);
    assert_int_equal(p->offers[2].kind, HF_OFFER_SWAP);
    hf_plan_free(p);
    p = compile_text("t", "First, offer 10% off the order.\n"
                          "If they turn that down, go up to 15%.\n"
                          "If they decline, cancel the order.\n");
    assert_int_equal(p->n_diags, 0);
    assert_int_equal(p->n_offers, 1);
    assert_int_equal(p->offers[0].n_percents, 2);
    assert_int_equal(p->offers[0].percents[1], 15);
    assert_int_equal(p->lines[1].kind, HF_LINE_OFFER);
    assert_string_equal(acts(p, HF_BRANCH_DECLINES), "cancel");
    hf_plan_free(p);
    assert_one_diag("- Offer 10% off the order, then 12.5%.\n", 1, 33,
                    "a percentage is a whole number, not 12.5");
    assert_one_diag("- Offer a tenner off the order.\n", 1, 11,
                    "a discount is a percentage, not an amount: tenner");
    assert_one_diag("- Give them \xC2\xA3"
                    "10 off their order.\n",
                    1, 13,
                    "a discount is a percentage, not an amount: \xC2\xA3"
                    "10");
    assert_one_diag("- A coupon worth 10 dollars.\n", 1, 18,
                    "a discount is a percentage, not an amount: 10 dollars");
    /* an amount that is not what is offered is no figure of the offer */
    p = compile_text("t", "- Offer 10% off orders over $50.\n");
    assert_int_equal(p->n_diags, 0);
    assert_int_equal(p->offers[0].percents[0], 10);
    hf_plan_free(p);
}

/* Sentences that share a source line are lines of their own, each nested
 * under the one before: a condition covers the sentences after it in its
 * paragraph, a quoted message is not split, a run-in title ending in a
 * period stays one, and what follows a trigger names the cancelling
 * policy. */
static void sentences_of_a_paragraph(void **state)
{
    (void)state;
    hf_plan *p = compile_text(
        "t", "If they accept, apply the offer. Then thank them. If they say "
             "no, cancel the order. Send the survey too.\n\n"
             "Notify them: \"Order cancelled. Money is on its way.\" Then "
             "refund it.\n\n"
             "**Eligibility.** An order is cancellable until it ships.\n\n"
             "A customer asks to cancel. This comes before "
             "#Single_order_cancellation_policy.\n");
    assert_int_equal(p->n_diags, 0);
    assert_string_equal(acts(p, HF_BRANCH_ACCEPTS), "apply_offer thank");
    assert_string_equal(acts(p, HF_BRANCH_DECLINES), "cancel send_survey");
    assert_string_equal(acts(p, HF_BRANCH_ALWAYS), "notify refund");
    assert_string_equal(p->actions[HF_BRANCH_ALWAYS][0].message,
                        "Order cancelled. Money is on its way.");
    assert_true(p->has_cancel_window);
    assert_string_equal(p->cancel_policy, "Single_order_cancellation_policy");
    hf_plan_free(p);
    /* after a trigger, only a sentence naming a policy is taken as one */
    assert_one_diag("A customer asks to cancel. Ponies eat hay.\n", 1, 28,
                    "cannot understand this line");
}

/* The retention step exactly as pasted from the seed's web page: odd line
 * breaks, items run together, the section repeated. */
static void seed_as_pasted(void **state)
{
    (void)state;
    hf_plan *p = compile_file("tests/fuzz/corpus/policy/seed_003_pasted.md");
    assert_retention(p);
    hf_plan_free(p);
}

/* --- Lint ---------------------------------------------------------------- */

/* Asserts the plan of text has exactly one diagnostic, at line:col. */
static void assert_one_diag(const char *text, int line, int col,
                            const char *message)
{
    hf_plan *p = compile_text("t", text);
    for (size_t i = 0; i < p->n_diags; i++)
        print_message("%d:%d: %s\n", p->diags[i].line, p->diags[i].col,
                      p->diags[i].message);
    assert_int_equal(p->n_diags, 1);
    assert_int_equal(p->diags[0].line, line);
    assert_int_equal(p->diags[0].col, col);
    assert_string_equal(p->diags[0].message, message);
    hf_plan_free(p);
}

static void lint_unknown_tool(void **state)
{
    (void)state;
    assert_one_diag("# Retention\n\n- Offer a 10% discount with @give_money.\n",
                    3, 29, "unknown tool @give_money");
}

static void lint_unresolved_reference(void **state)
{
    (void)state;
    assert_one_diag("- If declined:\n  - Cancel the order per #Refund_rules.\n",
                    2, 26, "unresolved reference #Refund_rules");
}

static void lint_unknown_context(void **state)
{
    (void)state;
    assert_one_diag("1. Thank the customer.\n2. Notify the customer: "
                    "\"Order $order.nubmer is updated\"\n",
                    2, 32, "unknown context value $order.nubmer");
}

static void lint_bad_argument_type(void **state)
{
    (void)state;
    assert_one_diag("* Use @send_async_message(message: blob) to notify "
                    "the customer.\n",
                    1, 36, "unknown argument type blob");
    assert_one_diag("* Use @send_async_message(text: str) to notify.\n", 1, 27,
                    "@send_async_message takes no argument text");
    assert_one_diag("* Use @send_async_message(message: str to notify.\n", 1,
                    26, "unclosed '(' after @send_async_message");
}

static void lint_lines_it_cannot_carry_out(void **state)
{
    (void)state;
    assert_one_diag("- Offer a 10% discount.\n- Offer them a free pony.\n", 2,
                    3, "cannot understand this line");
    assert_one_diag("## Steps\n\n1. Call the customer's mother.\n", 3, 4,
                    "cannot understand this line");
    assert_one_diag("Lorem ipsum dolor sit amet.\n", 1, 1,
                    "cannot understand this line");
}

/* What the new readings accept is bounded: bold only labels a phrase, a
 * "yes"/"no" only opens a branch before a break, number words are only
 * figures, and "window" needs a moment. */
static void lint_still_strict(void **state)
{
    (void)state;
    assert_one_diag(
        "**How it goes from there**\n\n**Offer them a free pony.**\n", 3, 3,
        "cannot understand this line");
    assert_one_diag("- Yes: thank them.\n- Yes we have no bananas.\n", 2, 3,
                    "cannot understand this line");
    assert_one_diag("- Window: until shipped.\n- Window: whenever.\n", 2, 3,
                    "cannot understand this line");
    assert_one_diag("- Ten ponies, twenty days.\n", 1, 3,
                    "cannot understand this line");
    assert_one_diag("- Thank them.\n- Hand them a pony.\n", 2, 3,
                    "cannot understand this line");
}

/* A step said with a negation would be taken: lint reports it. A
 * negation that belongs to a condition ("If they say no, cancel") or to
 * another clause does not. */
static void lint_negated_step(void **state)
{
    (void)state;
    assert_one_diag("- Never cancel an order without offering the "
                    "alternatives first.\n",
                    1, 3, "cannot take a step it is told not to take");
    assert_one_diag("- Refund in full.\n- Do not refund the shipping cost.\n",
                    2, 3, "cannot take a step it is told not to take");
    assert_one_diag("- Thank them.\n- No need to notify the customer.\n", 2, 3,
                    "cannot take a step it is told not to take");
    hf_plan *p = compile_text("t", "- If they say no, cancel the order.\n"
                                   "- No: cancel the order.\n"
                                   "- If they don't want any offer, cancel "
                                   "it.\n");
    assert_int_equal(p->n_diags, 0);
    assert_string_equal(acts(p, HF_BRANCH_DECLINES), "cancel");
    hf_plan_free(p);
}

/* A step under a condition the compiler cannot place would run always:
 * lint reports the condition instead, and "unless", which no branch
 * expresses. Hedges ("if needed") are no condition. */
static void lint_unread_condition(void **state)
{
    (void)state;
    assert_one_diag("- Thank them.\n- If the customer says \"no\", cancel the "
                    "order.\n",
                    2, 3, "cannot understand the condition");
    assert_one_diag("1. Should the moon be full, refund the order.\n", 1, 4,
                    "cannot understand the condition");
    assert_one_diag("In case of rain, cancel the order.\n", 1, 1,
                    "cannot understand the condition");
    assert_one_diag("- Cancel the order unless they decline.\n", 1, 3,
                    "cannot understand the condition");
    assert_one_diag("- Refund it unless it has shipped.\n", 1, 3,
                    "cannot understand the condition");
    /* a label's condition too: the steps under it would run always */
    assert_one_diag("- If the moon is full:\n  - Refund the order.\n", 1, 3,
                    "cannot understand the condition");
    hf_plan *p = compile_text("t", "- If they have a question, escalate.\n"
                                   "- If needed, escalate to a supervisor.\n");
    assert_int_equal(p->n_diags, 0);
    assert_int_equal(p->n_lines, 2);
    assert_int_equal(p->lines[1].kind, HF_LINE_ACTION);
    hf_plan_free(p);
}

static void marks_that_are_not_marks(void **state)
{
    (void)state;
    hf_plan *p = compile_text(
        "t", "# C# and #1\n\n- Offer a 10% discount, write to a@b.com, "
             "see https://x.io/#top, costs US$5.\n");
    assert_int_equal(p->n_diags, 0);
    assert_int_equal(p->n_refs, 0);
    assert_int_equal(p->lines[0].kind, HF_LINE_HEADING);
    hf_plan_free(p);
}

static void explain_lines_read(void **state)
{
    (void)state;
    hf_plan *p = compile_text(
        "t", "Orders can be cancelled up to the moment they are packed.\n"
             "- If the customer asks for a human, hand over to an agent.\n"
             "- Magento will also send a confirmation email.\n");
    assert_int_equal(p->n_lines, 3);
    assert_int_equal(p->lines[0].kind, HF_LINE_RULE);
    assert_true(p->has_cancel_window);
    assert_int_equal(p->last_cancellable, HF_STATUS_PICKING);
    assert_int_equal(p->lines[1].kind, HF_LINE_BRANCH);
    assert_string_equal(acts(p, HF_BRANCH_ASKS_AGENT), "route_agent");
    assert_int_equal(p->lines[2].kind, HF_LINE_NOTE);
    assert_int_equal(p->n_diags, 0);
    hf_plan_free(p);
}

/* --- Hostile input ------------------------------------------------------- */

static void empty_and_blank(void **state)
{
    (void)state;
    hf_plan *p = NULL;
    assert_int_equal(hf_policy_compile("e", "", 0, NULL, &p), HF_OK);
    assert_int_equal(p->n_lines, 0);
    assert_int_equal(p->n_diags, 0);
    hf_plan_free(p);
    p = compile_text("w", "  \n\t\n\r\n   \n");
    assert_int_equal(p->n_lines, 0);
    hf_plan_free(p);
}

static void too_big(void **state)
{
    (void)state;
    size_t n = 300 * 1024;
    char *big = malloc(n);
    memset(big, 'a', n);
    hf_plan *p = (hf_plan *)1;
    assert_int_equal(hf_policy_compile("b", big, n, &env, &p), HF_ETOOBIG);
    assert_null(p);
    free(big);
}

static void binary_and_deep(void **state)
{
    (void)state;
    size_t n = HF_POLICY_MAX_BYTES;
    char *buf = malloc(n);
    unsigned seed = 7;
    for (size_t i = 0; i < n; i++) {
        seed = seed * 1103515245u + 12345u;
        buf[i] = (char)(seed >> 16);
    }
    hf_plan *p = NULL;
    assert_int_equal(hf_policy_compile("r", buf, n, &env, &p), HF_OK);
    hf_plan_free(p);
    /* Nested lists and quotes as deep as the cap allows, one long line. */
    size_t k = 0;
    for (; k + 4 < n / 2; k += 2)
        memcpy(buf + k, "> ", 2);
    for (; k + 3 < n; k++)
        buf[k] = "@#$("[k % 4];
    assert_int_equal(hf_policy_compile("d", buf, n, &env, &p), HF_OK);
    assert_true(p->n_diags >= 1);
    hf_plan_free(p);
    free(buf);
}

static void nul_bytes_and_bad_utf8(void **state)
{
    (void)state;
    static const char text[] = "- Offer a \0 10% discount \xff\xfe\xc3.\n"
                               "- \xe2\x80 Thank them \xe2\x80\x9c";
    hf_plan *p = NULL;
    assert_int_equal(hf_policy_compile("n", text, sizeof(text) - 1, &env, &p),
                     HF_OK);
    assert_int_equal(p->n_offers, 1);
    hf_plan_free(p);
}

/* Every allocation fails in turn: HF_ENOMEM or a plan, never a leak. */
static void allocation_failures(void **state)
{
    (void)state;
    size_t len;
    char *text = slurp("policies/Cancellation_retention_policy.md", &len);
    for (long n = 1;; n++) {
        hf_plan *p = NULL;
        hf_mem_fail_after(n);
        hf_rc rc = hf_policy_compile("x", text, len, &env, &p);
        hf_mem_fail_after(0);
        if (rc == HF_OK) {
            assert_retention(p);
            hf_plan_free(p);
            break;
        }
        assert_int_equal(rc, HF_ENOMEM);
        assert_null(p);
        assert_int_equal(hf_mem_live() - baseline, 0);
    }
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(retention_policy_plan, note_live,
                                        check_leaks),
        cmocka_unit_test_setup_teardown(single_order_policy_plan, note_live,
                                        check_leaks),
        cmocka_unit_test_setup_teardown(platform_versions_give_one_plan,
                                        note_live, check_leaks),
        cmocka_unit_test_setup_teardown(voices_give_the_retention_plan,
                                        note_live, check_leaks),
        cmocka_unit_test_setup_teardown(single_order_rewordings_give_one_plan,
                                        note_live, check_leaks),
        cmocka_unit_test_setup_teardown(branch_phrasings, note_live,
                                        check_leaks),
        cmocka_unit_test_setup_teardown(step_phrasings, note_live, check_leaks),
        cmocka_unit_test_setup_teardown(offer_phrasings, note_live,
                                        check_leaks),
        cmocka_unit_test_setup_teardown(seed_as_pasted, note_live, check_leaks),
        cmocka_unit_test_setup_teardown(otherwise_clauses, note_live,
                                        check_leaks),
        cmocka_unit_test_setup_teardown(remarks_for_people, note_live,
                                        check_leaks),
        cmocka_unit_test_setup_teardown(figures_round_two, note_live,
                                        check_leaks),
        cmocka_unit_test_setup_teardown(sentences_of_a_paragraph, note_live,
                                        check_leaks),
        cmocka_unit_test(lint_unknown_tool),
        cmocka_unit_test(lint_unresolved_reference),
        cmocka_unit_test(lint_unknown_context),
        cmocka_unit_test(lint_bad_argument_type),
        cmocka_unit_test(lint_lines_it_cannot_carry_out),
        cmocka_unit_test(lint_still_strict),
        cmocka_unit_test(lint_unread_condition),
        cmocka_unit_test(lint_negated_step),
        cmocka_unit_test(marks_that_are_not_marks),
        cmocka_unit_test(explain_lines_read),
        cmocka_unit_test_setup_teardown(empty_and_blank, note_live,
                                        check_leaks),
        cmocka_unit_test(too_big),
        cmocka_unit_test_setup_teardown(binary_and_deep, note_live,
                                        check_leaks),
        cmocka_unit_test(nul_bytes_and_bad_utf8),
        cmocka_unit_test_setup_teardown(allocation_failures, note_live,
                                        check_leaks),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
