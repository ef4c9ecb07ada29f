/* Unit tests for policy/engine: the turn-by-turn decisions on a plan
 * built by hand (the compiler has its own tests), with the guards the
 * engine holds whatever the plan says. */
#include "policy/engine.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

/* --- A plan like the shipped retention policy --------------------------- */

static hf_plan_offer offers[] = {
    {HF_OFFER_DISCOUNT, {10, 15}, 2, 0, HF_TOOL_SET_DISCOUNT, 3},
    {HF_OFFER_SHIPPING_UPGRADE, {0}, 0, 0, HF_TOOL_UPGRADE_SHIPPING, 4},
    {HF_OFFER_SWAP, {0}, 0, 0, HF_TOOL_PRODUCT_SWAP, 5},
    {HF_OFFER_COUPON, {20}, 1, 0, HF_TOOL_FUTURE_COUPON, 6},
};
static hf_plan_action always[] = {
    {HF_ACT_PRESENT_OFFERS, HF_TOOL_COUNT, NULL, NULL, 8}};
static hf_plan_action accepts[] = {
    {HF_ACT_APPLY_OFFER, HF_TOOL_SET_DISCOUNT, NULL, NULL, 10},
    {HF_ACT_NOTIFY, HF_TOOL_SEND_MESSAGE, NULL,
     "Order $order.number is updated: thank you, $customer.first_name "
     "($offer.description).",
     11},
    {HF_ACT_THANK, HF_TOOL_COUNT, NULL, NULL, 14}};
static hf_plan_action declines[] = {{HF_ACT_CANCEL, HF_TOOL_COUNT,
                                     "Single_order_cancellation_policy", NULL,
                                     12}};
static hf_plan_action insists[] = {{HF_ACT_CANCEL, HF_TOOL_COUNT,
                                    "Single_order_cancellation_policy", NULL,
                                    17}};
static hf_plan_action concern[] = {
    {HF_ACT_ROUTE_AGENT, HF_TOOL_ROUTE_TO_AGENT, NULL, NULL, 16}};

static hf_plan_action cancel_always[] = {
    {HF_ACT_CANCEL, HF_TOOL_CANCEL_ORDER, NULL, NULL, 4},
    {HF_ACT_RELEASE_STOCK, HF_TOOL_COUNT, NULL, NULL, 5},
    {HF_ACT_REFUND, HF_TOOL_COUNT, NULL, NULL, 6},
    {HF_ACT_SEND_SURVEY, HF_TOOL_COUNT, NULL, NULL, 8}};
static hf_plan_action cancel_late[] = {
    {HF_ACT_OFFER_RETURN, HF_TOOL_COUNT, NULL, NULL, 3}};

static hf_plan retention, single;

static void build_plans(void)
{
    memset(&retention, 0, sizeof(retention));
    retention.name = "Cancellation_retention_policy";
    retention.offers = offers;
    retention.n_offers = HF_ARRAY_LEN(offers);
#define SET(p, br, arr)                                                        \
    (p).actions[br] = arr;                                                     \
    (p).n_actions[br] = HF_ARRAY_LEN(arr)
    SET(retention, HF_BRANCH_ALWAYS, always);
    SET(retention, HF_BRANCH_ACCEPTS, accepts);
    SET(retention, HF_BRANCH_DECLINES, declines);
    SET(retention, HF_BRANCH_INSISTS, insists);
    SET(retention, HF_BRANCH_CONCERN, concern);
    retention.cancel_policy = "Single_order_cancellation_policy";
    memset(&single, 0, sizeof(single));
    single.name = "Single_order_cancellation_policy";
    SET(single, HF_BRANCH_ALWAYS, cancel_always);
    SET(single, HF_BRANCH_NOT_ELIGIBLE, cancel_late);
    single.has_cancel_window = true;
    single.last_cancellable = HF_STATUS_PACKED;
#undef SET
}

/* --- A conversation driver ---------------------------------------------- */

typedef struct fixture {
    hf_order_facts facts;
    hf_convo_state st;
    hf_arena *a;
    hf_turn turn;
    hf_ctx_value ctx[4];
} fixture;

static int setup(void **state)
{
    build_plans();
    fixture *f = test_calloc(1, sizeof(*f));
    f->a = hf_arena_new(0);
    f->facts = (hf_order_facts){
        .number = "HF-100042",
        .status = HF_STATUS_CONFIRMED,
        .currency = "USD",
        .subtotal = 10000,
        .cost = 4000,
        .swap_sku = "TEE-2",
        .swap_name = "Tee, organic",
        .swap_from = "TEE-1",
        .max_discount_percent = 20,
        .coupon_days = 90,
        .last_cancellable = HF_STATUS_PACKED,
    };
    f->ctx[0] = (hf_ctx_value){"order.number", "HF-100042"};
    f->ctx[1] = (hf_ctx_value){"customer.first_name", "Ann"};
    hf_engine_state_init(&f->st);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    hf_arena_free(f->a);
    test_free(f);
    return 0;
}

static hf_engine_input input(fixture *f, const hf_intent_result *r)
{
    return (hf_engine_input){.plan = &retention,
                             .cancel_plan = &single,
                             .facts = &f->facts,
                             .ctx = f->ctx,
                             .n_ctx = 2,
                             .kind = HF_INPUT_MESSAGE,
                             .intent = r};
}

/* One message classified as intent (confidence 0.9) picking offer. */
static void say(fixture *f, hf_intent intent, hf_offer_kind offer, int percent)
{
    hf_intent_result r = {intent, 0.9, offer, percent, ""};
    hf_engine_input in = input(f, &r);
    hf_err err;
    assert_int_equal(hf_engine_turn(&in, &f->st, f->a, &f->turn, &err), HF_OK);
    assert_non_null(f->turn.reply);
}

/* Like say, with the customer's words and an order number they name. */
static void say_text(fixture *f, hf_intent intent, double confidence,
                     hf_offer_kind offer, int percent, const char *order,
                     const char *text)
{
    hf_intent_result r = {intent, confidence, offer, percent, ""};
    snprintf(r.order, sizeof(r.order), "%s", order ? order : "");
    hf_engine_input in = input(f, &r);
    in.text = text;
    hf_err err;
    assert_int_equal(hf_engine_turn(&in, &f->st, f->a, &f->turn, &err), HF_OK);
    assert_non_null(f->turn.reply);
}

static const hf_tool_call *call_of(const fixture *f, hf_tool_id tool)
{
    for (size_t i = 0; i < f->turn.n_calls; i++)
        if (f->turn.calls[i].tool == tool)
            return &f->turn.calls[i];
    return NULL;
}

static void assert_offer_ids(const fixture *f, const char *const *ids, int n)
{
    assert_int_equal(f->st.n_offers, n);
    for (int i = 0; i < n; i++)
        assert_string_equal(f->st.offers[i].id, ids[i]);
}

/* --- The paths ------------------------------------------------------------ */

static void test_cancel_request_presents_offers_in_plan_order(void **state)
{
    fixture *f = *state;
    say(f, HF_INTENT_CANCEL_ORDER, HF_OFFER_NONE, 0);
    static const char *const ids[] = {"discount-10", "shipping-upgrade",
                                      "swap-TEE-2", "coupon-20"};
    assert_offer_ids(f, ids, 4);
    assert_int_equal(f->st.phase, HF_PHASE_OFFERING);
    assert_int_equal(f->st.outcome, HF_OUTCOME_OPEN);
    assert_string_equal(f->turn.decision, "present_offers");
    assert_int_equal(f->turn.plan_line, 8);
    assert_non_null(call_of(f, HF_TOOL_ORDER_DETAILS));
    assert_null(call_of(f, HF_TOOL_CANCEL_ORDER));
    assert_non_null(strstr(f->turn.reply, "10% off"));
}

static void test_take_first_offer(void **state)
{
    fixture *f = *state;
    say(f, HF_INTENT_CANCEL_ORDER, HF_OFFER_NONE, 0);
    say(f, HF_INTENT_ACCEPT_OFFER, HF_OFFER_DISCOUNT, 0);
    const hf_tool_call *c = call_of(f, HF_TOOL_SET_DISCOUNT);
    assert_non_null(c);
    assert_non_null(strstr(c->args, "\"percent\":10"));
    const hf_tool_call *m = call_of(f, HF_TOOL_SEND_MESSAGE);
    assert_non_null(m);
    /* the policy's own words, with its $context filled in */
    assert_non_null(strstr(m->args, "Order HF-100042 is updated: thank "
                                    "you, Ann (10% off this order)."));
    assert_int_equal(f->st.outcome, HF_OUTCOME_RETAINED);
    assert_int_equal(f->st.phase, HF_PHASE_CLOSED);
    assert_string_equal(f->st.accepted.id, "discount-10");
    assert_null(call_of(f, HF_TOOL_CANCEL_ORDER));
}

static void test_decline_ten_then_take_fifteen(void **state)
{
    fixture *f = *state;
    say(f, HF_INTENT_CANCEL_ORDER, HF_OFFER_NONE, 0);
    say(f, HF_INTENT_DECLINE_OFFER, HF_OFFER_NONE, 0);
    assert_string_equal(f->turn.decision, "counter_offer");
    static const char *const ids[] = {"discount-15"};
    assert_offer_ids(f, ids, 1);
    assert_int_equal(f->turn.n_calls, 0);
    say(f, HF_INTENT_ACCEPT_OFFER, HF_OFFER_NONE, 0); /* "ok, that one" */
    const hf_tool_call *c = call_of(f, HF_TOOL_SET_DISCOUNT);
    assert_non_null(c);
    assert_non_null(strstr(c->args, "\"percent\":15"));
    assert_int_equal(f->st.outcome, HF_OUTCOME_RETAINED);
}

static void test_naming_the_next_rung_takes_it(void **state)
{
    fixture *f = *state;
    say(f, HF_INTENT_CANCEL_ORDER, HF_OFFER_NONE, 0);
    say(f, HF_INTENT_ACCEPT_OFFER, HF_OFFER_DISCOUNT, 15);
    const hf_tool_call *c = call_of(f, HF_TOOL_SET_DISCOUNT);
    assert_non_null(c);
    assert_non_null(strstr(c->args, "\"percent\":15"));
    /* asking for it puts it on the table, to say yes to */
    hf_engine_state_init(&f->st);
    say(f, HF_INTENT_CANCEL_ORDER, HF_OFFER_NONE, 0);
    say(f, HF_INTENT_QUESTION, HF_OFFER_DISCOUNT, 15);
    assert_string_equal(f->turn.decision, "counter_offer");
    assert_int_equal(f->turn.n_calls, 0);
    say(f, HF_INTENT_ACCEPT_OFFER, HF_OFFER_NONE, 0);
    assert_non_null(
        strstr(call_of(f, HF_TOOL_SET_DISCOUNT)->args, "\"percent\":15"));
    /* but not a figure the ladder does not have */
    hf_engine_state_init(&f->st);
    say(f, HF_INTENT_CANCEL_ORDER, HF_OFFER_NONE, 0);
    say(f, HF_INTENT_ACCEPT_OFFER, HF_OFFER_DISCOUNT, 50);
    assert_string_equal(f->turn.decision, "clarify");
    assert_int_equal(f->turn.n_calls, 0);
}

static void test_self_service_without_offers_waits(void **state)
{
    fixture *f = *state;
    f->facts.offer_taken = true;
    hf_intent_result r = {HF_INTENT_CANCEL_ORDER, 1.0, HF_OFFER_NONE, 0, ""};
    hf_engine_input in = input(f, &r);
    in.await_decision = true;
    hf_err err;
    assert_int_equal(hf_engine_turn(&in, &f->st, f->a, &f->turn, &err), HF_OK);
    assert_string_equal(f->turn.decision, "confirm_cancel");
    assert_null(call_of(f, HF_TOOL_CANCEL_ORDER));
    in.kind = HF_INPUT_DECLINE;
    assert_int_equal(hf_engine_turn(&in, &f->st, f->a, &f->turn, &err), HF_OK);
    assert_non_null(call_of(f, HF_TOOL_CANCEL_ORDER));
}

static void test_take_swap_and_coupon_by_name(void **state)
{
    fixture *f = *state;
    say(f, HF_INTENT_CANCEL_ORDER, HF_OFFER_NONE, 0);
    say(f, HF_INTENT_ACCEPT_OFFER, HF_OFFER_SWAP, 0);
    const hf_tool_call *c = call_of(f, HF_TOOL_PRODUCT_SWAP);
    assert_non_null(c);
    assert_non_null(strstr(c->args, "\"sku\":\"TEE-2\""));
    assert_non_null(strstr(c->args, "\"from_sku\":\"TEE-1\""));

    hf_engine_state_init(&f->st);
    say(f, HF_INTENT_CANCEL_ORDER, HF_OFFER_NONE, 0);
    say(f, HF_INTENT_ACCEPT_OFFER, HF_OFFER_NONE, 20); /* "the 20% one" */
    c = call_of(f, HF_TOOL_FUTURE_COUPON);
    assert_non_null(c);
    assert_non_null(strstr(c->args, "\"days\":90"));
}

static void test_ambiguous_accept_asks_which(void **state)
{
    fixture *f = *state;
    say(f, HF_INTENT_CANCEL_ORDER, HF_OFFER_NONE, 0);
    say(f, HF_INTENT_ACCEPT_OFFER, HF_OFFER_NONE, 0); /* "yes ok" */
    assert_string_equal(f->turn.decision, "clarify");
    assert_int_equal(f->turn.n_calls, 0);
    assert_int_equal(f->st.phase, HF_PHASE_OFFERING);
}

static void test_decline_all_cancels_with_survey(void **state)
{
    fixture *f = *state;
    say(f, HF_INTENT_CANCEL_ORDER, HF_OFFER_NONE, 0);
    say(f, HF_INTENT_DECLINE_OFFER, HF_OFFER_NONE, 0);
    say(f, HF_INTENT_DECLINE_OFFER, HF_OFFER_NONE, 0);
    const hf_tool_call *c = call_of(f, HF_TOOL_CANCEL_ORDER);
    assert_non_null(c);
    assert_non_null(strstr(c->args, "\"survey\":true"));
    assert_non_null(strstr(c->args, "Single_order_cancellation_policy"));
    assert_int_equal(f->st.outcome, HF_OUTCOME_CANCELLED);
    assert_int_equal(f->turn.plan_line, 12);
}

static void test_insist_at_once_cancels(void **state)
{
    fixture *f = *state;
    say(f, HF_INTENT_CANCEL_ORDER, HF_OFFER_NONE, 0);
    say(f, HF_INTENT_INSIST_CANCEL, HF_OFFER_NONE, 0);
    assert_non_null(call_of(f, HF_TOOL_CANCEL_ORDER));
    assert_int_equal(f->st.outcome, HF_OUTCOME_CANCELLED);
    assert_int_equal(f->turn.plan_line, 17);
}

static void test_concern_escalates(void **state)
{
    fixture *f = *state;
    say(f, HF_INTENT_CANCEL_ORDER, HF_OFFER_NONE, 0);
    say(f, HF_INTENT_QUESTION, HF_OFFER_NONE, 0);
    assert_non_null(call_of(f, HF_TOOL_ROUTE_TO_AGENT));
    assert_null(call_of(f, HF_TOOL_CANCEL_ORDER));
    assert_int_equal(f->st.outcome, HF_OUTCOME_ESCALATED);
    /* later messages change nothing (but a request to cancel: see
     * test_cancel_while_a_person_has_it) */
    say(f, HF_INTENT_QUESTION, HF_OFFER_NONE, 0);
    assert_int_equal(f->turn.n_calls, 0);
    assert_int_equal(f->st.outcome, HF_OUTCOME_ESCALATED);
}

static void test_shipped_order_is_offered_a_return(void **state)
{
    fixture *f = *state;
    f->facts.status = HF_STATUS_SHIPPED;
    say(f, HF_INTENT_CANCEL_ORDER, HF_OFFER_NONE, 0);
    assert_string_equal(f->turn.decision, "offer_return");
    assert_int_equal(f->st.phase, HF_PHASE_NOT_ELIGIBLE);
    assert_int_equal(f->st.n_offers, 0);
    assert_null(call_of(f, HF_TOOL_CANCEL_ORDER));
    say(f, HF_INTENT_INSIST_CANCEL, HF_OFFER_NONE, 0);
    assert_null(call_of(f, HF_TOOL_CANCEL_ORDER));
    assert_int_equal(f->st.outcome, HF_OUTCOME_OPEN);
}

static void test_policy_window_overrides_setting(void **state)
{
    fixture *f = *state;
    f->facts.status = HF_STATUS_PICKING;
    single.last_cancellable = HF_STATUS_CONFIRMED; /* "until picking" */
    say(f, HF_INTENT_CANCEL_ORDER, HF_OFFER_NONE, 0);
    assert_int_equal(f->st.phase, HF_PHASE_NOT_ELIGIBLE);
}

static void test_unclear_never_acts(void **state)
{
    fixture *f = *state;
    say(f, HF_INTENT_CANCEL_ORDER, HF_OFFER_NONE, 0);
    hf_intent_result r = {HF_INTENT_INSIST_CANCEL, 0.3, HF_OFFER_NONE, 0, ""};
    hf_engine_input in = input(f, &r);
    hf_err err;
    for (int i = 0; i < HF_ENGINE_MAX_CLARIFY - 1; i++) {
        assert_int_equal(hf_engine_turn(&in, &f->st, f->a, &f->turn, &err),
                         HF_OK);
        assert_string_equal(f->turn.decision, "clarify");
        assert_int_equal(f->turn.n_calls, 0);
    }
    /* the last straw hands over to a person, never cancels */
    assert_int_equal(hf_engine_turn(&in, &f->st, f->a, &f->turn, &err), HF_OK);
    assert_non_null(call_of(f, HF_TOOL_ROUTE_TO_AGENT));
    assert_null(call_of(f, HF_TOOL_CANCEL_ORDER));
}

static void test_off_topic_in_a_row_escalates(void **state)
{
    fixture *f = *state;
    say(f, HF_INTENT_CANCEL_ORDER, HF_OFFER_NONE, 0);
    for (int i = 0; i < HF_ENGINE_MAX_CLARIFY - 1; i++) {
        say(f, HF_INTENT_OTHER, HF_OFFER_NONE, 0);
        assert_string_equal(f->turn.decision, "clarify");
    }
    say(f, HF_INTENT_OTHER, HF_OFFER_NONE, 0);
    assert_non_null(call_of(f, HF_TOOL_ROUTE_TO_AGENT));
}

static void test_discount_guards(void **state)
{
    fixture *f = *state;
    f->facts.max_discount_percent = 12; /* 15% is above the ceiling */
    say(f, HF_INTENT_CANCEL_ORDER, HF_OFFER_NONE, 0);
    assert_string_equal(f->st.offers[0].id, "discount-10");
    say(f, HF_INTENT_DECLINE_OFFER, HF_OFFER_NONE, 0);
    assert_non_null(call_of(f, HF_TOOL_CANCEL_ORDER)); /* no counter */

    hf_engine_state_init(&f->st);
    f->facts.max_discount_percent = 20;
    f->facts.cost = 9500; /* 10% off would sell below cost */
    say(f, HF_INTENT_CANCEL_ORDER, HF_OFFER_NONE, 0);
    for (int i = 0; i < f->st.n_offers; i++)
        assert_int_not_equal(f->st.offers[i].kind, HF_OFFER_DISCOUNT);
}

static void test_offers_follow_the_order(void **state)
{
    fixture *f = *state;
    f->facts.expedited = true;
    f->facts.swap_sku = NULL;
    say(f, HF_INTENT_CANCEL_ORDER, HF_OFFER_NONE, 0);
    static const char *const ids[] = {"discount-10", "coupon-20"};
    assert_offer_ids(f, ids, 2);

    /* one accepted offer per order: none left, so cancel outright */
    hf_engine_state_init(&f->st);
    f->facts.offer_taken = true;
    say(f, HF_INTENT_CANCEL_ORDER, HF_OFFER_NONE, 0);
    assert_non_null(call_of(f, HF_TOOL_CANCEL_ORDER));
}

static void test_self_service_choices(void **state)
{
    fixture *f = *state;
    say(f, HF_INTENT_CANCEL_ORDER, HF_OFFER_NONE, 0);
    hf_engine_input in = input(f, NULL);
    in.kind = HF_INPUT_ACCEPT;
    in.offer_id = "discount-50";
    hf_err err;
    hf_convo_state before = f->st;
    assert_int_equal(hf_engine_turn(&in, &f->st, f->a, &f->turn, &err),
                     HF_EINVAL);
    assert_string_equal(err.code, "unknown_offer");
    assert_memory_equal(&before, &f->st, sizeof(before));
    /* a decline on the page cancels at once, ladder or not */
    in.kind = HF_INPUT_DECLINE;
    assert_int_equal(hf_engine_turn(&in, &f->st, f->a, &f->turn, &err), HF_OK);
    assert_non_null(call_of(f, HF_TOOL_CANCEL_ORDER));
    assert_int_equal(hf_engine_turn(&in, &f->st, f->a, &f->turn, &err),
                     HF_ECONFLICT);
    assert_string_equal(err.code, "conversation_closed");
}

static void test_refused_offer_comes_off_the_table(void **state)
{
    fixture *f = *state;
    say(f, HF_INTENT_CANCEL_ORDER, HF_OFFER_NONE, 0);
    hf_convo_state before = f->st;
    say(f, HF_INTENT_ACCEPT_OFFER, HF_OFFER_SWAP, 0);
    f->st = before; /* the service rolled the turn back */
    f->facts.swap_sku = NULL;
    hf_intent_result r = {HF_INTENT_ACCEPT_OFFER, 0.9, HF_OFFER_SWAP, 0, ""};
    hf_engine_input in = input(f, &r);
    hf_err err;
    assert_int_equal(hf_engine_offer_failed(&in, &f->st, "swap-TEE-2",
                                            "out of stock", f->a, &f->turn,
                                            &err),
                     HF_OK);
    assert_int_equal(f->st.phase, HF_PHASE_OFFERING);
    for (int i = 0; i < f->st.n_offers; i++)
        assert_string_not_equal(f->st.offers[i].id, "swap-TEE-2");
    assert_non_null(strstr(f->turn.reply, "out of stock"));
}

/* --- Messages seen in scripted conversations ------------------------------ */

/* The offer at place `place` (1-based) of the list is taken when the
 * customer picks it by its place in words. */
static void assert_place_taken(const char *text, const char *offer_id)
{
    fixture *f;
    setup((void **)&f);
    say(f, HF_INTENT_CANCEL_ORDER, HF_OFFER_NONE, 0);
    say_text(f, HF_INTENT_ACCEPT_OFFER, 0.9, HF_OFFER_NONE, 0, NULL, text);
    assert_int_equal(f->st.outcome, HF_OUTCOME_RETAINED);
    assert_string_equal(f->st.accepted.id, offer_id);
    teardown((void **)&f);
}

static void test_pick_offer_by_its_place(void **state)
{
    (void)state;
    assert_place_taken("option 2", "shipping-upgrade");
    assert_place_taken("yes please, that first one sounds good", "discount-10");
    assert_place_taken("the third one", "swap-TEE-2");
    assert_place_taken("I'll go with #4", "coupon-20");
    assert_place_taken("2 please", "shipping-upgrade");
    assert_place_taken("the last one", "coupon-20");
    assert_place_taken("I'll take 1.", "discount-10");
}

/* A bare "3" answering the numbered list is a choice even when the model
 * reads it as something else, or is unsure; a place inside a longer
 * message that says no is not. */
static void test_bare_place_is_a_choice(void **state)
{
    fixture *f = *state;
    say(f, HF_INTENT_CANCEL_ORDER, HF_OFFER_NONE, 0);
    say_text(f, HF_INTENT_DECLINE_OFFER, 0.9, HF_OFFER_NONE, 0, NULL,
             "no, not the 2nd one");
    assert_string_equal(f->turn.decision, "counter_offer");
    assert_int_equal(f->turn.n_calls, 0);
    teardown(state);
    setup(state);
    f = *state;
    say(f, HF_INTENT_CANCEL_ORDER, HF_OFFER_NONE, 0);
    say_text(f, HF_INTENT_OTHER, 0.3, HF_OFFER_NONE, 0, NULL, "3");
    assert_int_equal(f->st.outcome, HF_OUTCOME_RETAINED);
    assert_string_equal(f->st.accepted.id, "swap-TEE-2");
    say_text(f, HF_INTENT_THANKS, 0.9, HF_OFFER_NONE, 0, NULL, "thanks!");
    assert_int_equal(f->turn.n_calls, 0);
    assert_non_null(strstr(f->turn.reply, "You're welcome"));
}

static void test_unclear_place_asks_which(void **state)
{
    fixture *f = *state;
    say(f, HF_INTENT_CANCEL_ORDER, HF_OFFER_NONE, 0);
    /* two places, a place beyond the list, a number that is no place */
    static const char *const texts[] = {
        "1 or 2?", "option 7", "sure, I'll take it for my 2 kids", "yes"};
    for (size_t i = 0; i < HF_ARRAY_LEN(texts); i++) {
        say_text(f, HF_INTENT_ACCEPT_OFFER, 0.9, HF_OFFER_NONE, 0, NULL,
                 texts[i]);
        assert_string_equal(f->turn.decision, "clarify");
        assert_int_equal(f->turn.n_calls, 0);
        assert_int_equal(f->st.n_offers, 4);
    }
}

static void test_another_order_is_left_alone(void **state)
{
    fixture *f = *state;
    /* asked at once: no offers for this order, nothing done */
    say_text(f, HF_INTENT_CANCEL_ORDER, 0.9, HF_OFFER_NONE, 0, "HF-100777",
             "I want to cancel order HF-100777");
    assert_int_equal(f->turn.n_calls, 0);
    assert_int_equal(f->st.phase, HF_PHASE_START);
    assert_non_null(strstr(f->turn.reply, "HF-100777"));
    assert_non_null(strstr(f->turn.reply, "HF-100042"));
    /* while offers are on the table: still nothing cancelled */
    say(f, HF_INTENT_CANCEL_ORDER, HF_OFFER_NONE, 0);
    say_text(f, HF_INTENT_INSIST_CANCEL, 0.9, HF_OFFER_NONE, 0, "HF-100777",
             "no, just cancel HF-100777");
    assert_null(call_of(f, HF_TOOL_CANCEL_ORDER));
    assert_int_equal(f->st.outcome, HF_OUTCOME_OPEN);
    assert_int_equal(f->st.n_offers, 4);
    /* "cancel it" now may mean the other order: asked, not cancelled */
    say(f, HF_INTENT_INSIST_CANCEL, HF_OFFER_NONE, 0);
    assert_string_equal(f->turn.decision, "confirm_order");
    assert_int_equal(f->turn.n_calls, 0);
    assert_int_equal(f->st.outcome, HF_OUTCOME_OPEN);
    /* this order's number, however written, is this order */
    say_text(f, HF_INTENT_INSIST_CANCEL, 0.9, HF_OFFER_NONE, 0, "HF-100042",
             "just cancel hf100042");
    assert_non_null(call_of(f, HF_TOOL_CANCEL_ORDER));
}

/* In a conversation closed with outcome `closed`, an unsure request to
 * cancel changes nothing and a clear one cancels the order. */
static void assert_cancel_still_possible(fixture *f, hf_outcome closed)
{
    assert_int_equal(f->st.outcome, closed);
    say_text(f, HF_INTENT_INSIST_CANCEL, 0.3, HF_OFFER_NONE, 0, NULL,
             "hmm cancel?");
    assert_int_equal(f->turn.n_calls, 0);
    assert_int_equal(f->st.outcome, closed);
    say(f, HF_INTENT_INSIST_CANCEL, HF_OFFER_NONE, 0);
    assert_non_null(call_of(f, HF_TOOL_CANCEL_ORDER));
    assert_int_equal(f->st.outcome, HF_OUTCOME_CANCELLED);
}

static void test_cancel_after_keeping_an_offer(void **state)
{
    fixture *f = *state;
    say(f, HF_INTENT_CANCEL_ORDER, HF_OFFER_NONE, 0);
    say(f, HF_INTENT_ACCEPT_OFFER, HF_OFFER_DISCOUNT, 10);
    assert_cancel_still_possible(f, HF_OUTCOME_RETAINED);
}

/* Handed to a person, the customer is still never made to wait to
 * cancel; other messages change nothing. */
static void test_cancel_while_a_person_has_it(void **state)
{
    fixture *f = *state;
    say(f, HF_INTENT_CANCEL_ORDER, HF_OFFER_NONE, 0);
    say(f, HF_INTENT_ASK_AGENT, HF_OFFER_NONE, 0);
    say(f, HF_INTENT_THANKS, HF_OFFER_NONE, 0);
    assert_int_equal(f->turn.n_calls, 0);
    assert_cancel_still_possible(f, HF_OUTCOME_ESCALATED);
}

static void test_escalation_takes_offers_off_the_table(void **state)
{
    fixture *f = *state;
    say(f, HF_INTENT_CANCEL_ORDER, HF_OFFER_NONE, 0);
    say(f, HF_INTENT_ASK_AGENT, HF_OFFER_NONE, 0);
    assert_int_equal(f->st.outcome, HF_OUTCOME_ESCALATED);
    assert_int_equal(f->st.n_offers, 0);
}

static void test_unsure_request_for_next_rung_offers_it(void **state)
{
    fixture *f = *state;
    say(f, HF_INTENT_CANCEL_ORDER, HF_OFFER_NONE, 0);
    say_text(f, HF_INTENT_QUESTION, 0.4, HF_OFFER_DISCOUNT, 15, NULL,
             "could you do 15 percent?");
    assert_string_equal(f->turn.decision, "counter_offer");
    assert_int_equal(f->turn.n_calls, 0);
    static const char *const ids[] = {"discount-15"};
    assert_offer_ids(f, ids, 1);
    say(f, HF_INTENT_ACCEPT_OFFER, HF_OFFER_NONE, 0);
    assert_non_null(call_of(f, HF_TOOL_SET_DISCOUNT));
    assert_string_equal(f->st.accepted.id, "discount-15");
}

static void test_offer_not_on_the_table_is_named(void **state)
{
    fixture *f = *state;
    say(f, HF_INTENT_CANCEL_ORDER, HF_OFFER_NONE, 0);
    say(f, HF_INTENT_ACCEPT_OFFER, HF_OFFER_DISCOUNT, 30);
    assert_int_equal(f->turn.n_calls, 0);
    assert_int_equal(f->st.n_offers, 4);
    assert_non_null(strstr(f->turn.reply, "cannot offer 30% off"));
    assert_non_null(strstr(f->turn.reply, "10% off this order"));
}

/* The last turn called no tool, left the outcome at outcome and said
 * words. */
static void assert_only_said(const fixture *f, hf_outcome outcome,
                             const char *words)
{
    assert_int_equal(f->turn.n_calls, 0);
    assert_int_equal(f->st.outcome, outcome);
    if (strstr(f->turn.reply, words) == NULL)
        fail_msg("reply \"%s\" does not say \"%s\"", f->turn.reply, words);
}

static void test_offer_after_cancelling_says_why_not(void **state)
{
    fixture *f = *state;
    say(f, HF_INTENT_CANCEL_ORDER, HF_OFFER_NONE, 0);
    say(f, HF_INTENT_INSIST_CANCEL, HF_OFFER_NONE, 0);
    say(f, HF_INTENT_ACCEPT_OFFER, HF_OFFER_DISCOUNT, 10);
    assert_only_said(f, HF_OUTCOME_CANCELLED, "already cancelled");
    /* "can I keep it after all?" */
    say(f, HF_INTENT_QUESTION, HF_OFFER_NONE, 0);
    assert_only_said(f, HF_OUTCOME_CANCELLED, "cannot be undone");
}

/* "stop" or "never mind, I don't want to cancel" read as insisting, but
 * not surely: the engine asks before cancelling; a yes cancels, a no
 * keeps the order and its offers. */
static void test_unsure_cancel_asks_first(void **state)
{
    fixture *f = *state;
    say(f, HF_INTENT_CANCEL_ORDER, HF_OFFER_NONE, 0);
    say_text(f, HF_INTENT_INSIST_CANCEL, 0.61, HF_OFFER_NONE, 0, NULL, "stop");
    assert_string_equal(f->turn.decision, "confirm_cancel");
    assert_int_equal(f->turn.n_calls, 0);
    assert_int_equal(f->st.outcome, HF_OUTCOME_OPEN);
    assert_int_equal(f->st.n_offers, 4);
    say_text(f, HF_INTENT_DECLINE_OFFER, 0.95, HF_OFFER_NONE, 0, NULL, "no");
    assert_string_equal(f->turn.decision, "keep_order");
    assert_int_equal(f->turn.n_calls, 0);
    assert_int_equal(f->st.n_offers, 4);
    assert_non_null(strstr(f->turn.reply, "not cancelled anything"));
    /* asked again, a plain yes cancels */
    say_text(f, HF_INTENT_INSIST_CANCEL, 0.6, HF_OFFER_NONE, 0, NULL,
             "actually never mind, I don't want to cancel anymore");
    assert_string_equal(f->turn.decision, "confirm_cancel");
    say_text(f, HF_INTENT_ACCEPT_OFFER, 0.95, HF_OFFER_NONE, 0, NULL, "yes");
    assert_non_null(call_of(f, HF_TOOL_CANCEL_ORDER));
    assert_int_equal(f->st.outcome, HF_OUTCOME_CANCELLED);
}

/* A bare "y", "ok" or "n" answers the question the bot asked, whatever
 * the model made of a word so short: the one offer on the table is taken,
 * several get "which one?", a no declines, and "shall I cancel?" is
 * answered. */
static void test_bare_yes_and_no(void **state)
{
    fixture *f = *state;
    say(f, HF_INTENT_CANCEL_ORDER, HF_OFFER_NONE, 0);
    say_text(f, HF_INTENT_OTHER, 0.99, HF_OFFER_NONE, 0, NULL, "ok");
    assert_string_equal(f->turn.decision, "clarify");
    assert_non_null(strstr(f->turn.reply, "Which one"));
    assert_int_equal(f->turn.n_calls, 0);
    say(f, HF_INTENT_DECLINE_OFFER, HF_OFFER_NONE, 0); /* the 15% rung */
    assert_int_equal(f->st.n_offers, 1);
    say_text(f, HF_INTENT_OTHER, 0.99, HF_OFFER_NONE, 0, NULL, "y");
    assert_int_equal(f->st.outcome, HF_OUTCOME_RETAINED);
    assert_int_equal(f->st.accepted.percent, 15);
    assert_non_null(call_of(f, HF_TOOL_SET_DISCOUNT));
}

static void test_bare_no_declines_and_answers(void **state)
{
    fixture *f = *state;
    say(f, HF_INTENT_CANCEL_ORDER, HF_OFFER_NONE, 0);
    say(f, HF_INTENT_DECLINE_OFFER, HF_OFFER_NONE, 0);
    say_text(f, HF_INTENT_OTHER, 0.99, HF_OFFER_NONE, 0, NULL, "n");
    assert_non_null(call_of(f, HF_TOOL_CANCEL_ORDER));
    assert_int_equal(f->st.outcome, HF_OUTCOME_CANCELLED);
}

static void test_bare_yes_confirms_a_cancel(void **state)
{
    fixture *f = *state;
    say(f, HF_INTENT_CANCEL_ORDER, HF_OFFER_NONE, 0);
    say_text(f, HF_INTENT_INSIST_CANCEL, 0.6, HF_OFFER_NONE, 0, NULL,
             "stop it");
    assert_string_equal(f->turn.decision, "confirm_cancel");
    say_text(f, HF_INTENT_OTHER, 0.99, HF_OFFER_NONE, 0, NULL, "ok then");
    assert_non_null(call_of(f, HF_TOOL_CANCEL_ORDER));
    assert_int_equal(f->st.outcome, HF_OUTCOME_CANCELLED);
}

/* Two offers asked for at once get the one-offer rule and the list, not
 * a person and not one of them picked silently; turning one down while
 * naming the other is no such request. */
static void test_two_offers_at_once(void **state)
{
    fixture *f = *state;
    say(f, HF_INTENT_CANCEL_ORDER, HF_OFFER_NONE, 0);
    say_text(f, HF_INTENT_QUESTION, 0.87, HF_OFFER_NONE, 0, NULL,
             "can I have 1 and 2?");
    assert_only_said(f, HF_OUTCOME_OPEN, "Only one offer");
    say_text(f, HF_INTENT_ACCEPT_OFFER, 0.9, HF_OFFER_DISCOUNT, 0, NULL,
             "the discount and the free shipping please");
    assert_only_said(f, HF_OUTCOME_OPEN, "Only one offer");
    assert_int_equal(f->st.n_offers, 4);
    say_text(f, HF_INTENT_ACCEPT_OFFER, 0.9, HF_OFFER_COUPON, 0, NULL,
             "no to the discount and yes to the coupon");
    assert_int_equal(f->st.outcome, HF_OUTCOME_RETAINED);
    assert_int_equal(f->st.accepted.kind, HF_OFFER_COUPON);
}

/* A request to cancel part of the order cancels nothing: the engine
 * cancels whole orders, so a person takes it (or, once the conversation
 * has an outcome, the customer is told how); "just cancel it" is whole. */
static void test_part_of_the_order(void **state)
{
    fixture *f = *state;
    say_text(f, HF_INTENT_CANCEL_ORDER, 0.9, HF_OFFER_NONE, 0, NULL,
             "I only want to cancel one of the items");
    assert_null(call_of(f, HF_TOOL_CANCEL_ORDER));
    assert_non_null(call_of(f, HF_TOOL_ROUTE_TO_AGENT));
    assert_int_equal(f->st.outcome, HF_OUTCOME_ESCALATED);
    assert_non_null(strstr(f->turn.reply, "whole of order"));
}

static void test_part_of_the_order_while_offering(void **state)
{
    fixture *f = *state;
    say(f, HF_INTENT_CANCEL_ORDER, HF_OFFER_NONE, 0);
    say_text(f, HF_INTENT_INSIST_CANCEL, 0.95, HF_OFFER_NONE, 0, NULL,
             "cancel the mug but keep the rest");
    assert_null(call_of(f, HF_TOOL_CANCEL_ORDER));
    assert_int_equal(f->st.outcome, HF_OUTCOME_ESCALATED);
    /* a clear whole request still cancels once escalated */
    say(f, HF_INTENT_CANCEL_ORDER, HF_OFFER_NONE, 0);
    assert_non_null(call_of(f, HF_TOOL_CANCEL_ORDER));
}

static void test_whole_requests_stay_whole(void **state)
{
    fixture *f = *state;
    say_text(f, HF_INTENT_INSIST_CANCEL, 0.95, HF_OFFER_NONE, 0, NULL,
             "just cancel it, I only ordered it yesterday");
    assert_null(call_of(f, HF_TOOL_ROUTE_TO_AGENT));
    assert_int_equal(f->st.n_offers, 4);
    say(f, HF_INTENT_ACCEPT_OFFER, HF_OFFER_COUPON, 0);
    say_text(f, HF_INTENT_CANCEL_ORDER, 0.95, HF_OFFER_NONE, 0, NULL,
             "actually cancel one of them");
    assert_null(call_of(f, HF_TOOL_CANCEL_ORDER));
    assert_only_said(f, HF_OUTCOME_RETAINED, "ask for a person");
}

/* The same holds after keeping an offer: no cancellation on a guess. */
static void test_unsure_cancel_after_keeping_asks_first(void **state)
{
    fixture *f = *state;
    say(f, HF_INTENT_CANCEL_ORDER, HF_OFFER_NONE, 0);
    say(f, HF_INTENT_ACCEPT_OFFER, HF_OFFER_COUPON, 0);
    say_text(f, HF_INTENT_CANCEL_ORDER, 0.6, HF_OFFER_NONE, 0, NULL,
             "ok stop there");
    assert_string_equal(f->turn.decision, "confirm_cancel");
    assert_int_equal(f->turn.n_calls, 0);
    assert_int_equal(f->st.outcome, HF_OUTCOME_RETAINED);
    say_text(f, HF_INTENT_CANCEL_ORDER, 0.9, HF_OFFER_NONE, 0, NULL,
             "yes cancel it");
    assert_non_null(call_of(f, HF_TOOL_CANCEL_ORDER));
}

static void test_offers_repeated_on_request(void **state)
{
    fixture *f = *state;
    say(f, HF_INTENT_CANCEL_ORDER, HF_OFFER_NONE, 0);
    say_text(f, HF_INTENT_QUESTION, 0.99, HF_OFFER_NONE, 0, NULL,
             "sorry, what were the options again?");
    assert_string_equal(f->turn.decision, "repeat_offers");
    assert_only_said(f, HF_OUTCOME_OPEN, "10% off this order");
    say_text(f, HF_INTENT_INSIST_CANCEL, 0.56, HF_OFFER_NONE, 0, NULL,
             "can you repeat the offers");
    assert_string_equal(f->turn.decision, "repeat_offers");
    assert_int_equal(f->turn.n_calls, 0);
    assert_int_equal(f->st.n_offers, 4);
}

static void test_question_for_an_offer_not_made(void **state)
{
    fixture *f = *state;
    say(f, HF_INTENT_CANCEL_ORDER, HF_OFFER_NONE, 0);
    say_text(f, HF_INTENT_QUESTION, 0.95, HF_OFFER_DISCOUNT, 50, NULL,
             "can I get 50% off instead?");
    assert_only_said(f, HF_OUTCOME_OPEN, "cannot offer 50% off");
    assert_int_equal(f->st.n_offers, 4);
}

static void test_second_offer_after_keeping_one(void **state)
{
    fixture *f = *state;
    say(f, HF_INTENT_CANCEL_ORDER, HF_OFFER_NONE, 0);
    say(f, HF_INTENT_ACCEPT_OFFER, HF_OFFER_COUPON, 0);
    say(f, HF_INTENT_CHANGE_ORDER, HF_OFFER_SHIPPING_UPGRADE, 0);
    assert_only_said(f, HF_OUTCOME_RETAINED, "only one offer");
    assert_non_null(strstr(f->turn.reply, "shipping upgrade"));
}

static void test_status_said_in_words(void **state)
{
    fixture *f = *state;
    f->facts.status = HF_STATUS_PICKING;
    say(f, HF_INTENT_ORDER_STATUS, HF_OFFER_NONE, 0);
    assert_null(strstr(f->turn.reply, "is picking"));
    assert_non_null(strstr(f->turn.reply, "being picked"));
    f->facts.status = HF_STATUS_DELIVERED;
    say(f, HF_INTENT_CANCEL_ORDER, HF_OFFER_NONE, 0);
    assert_null(strstr(f->turn.reply, "on its way"));
    assert_non_null(strstr(f->turn.reply, "delivered"));
}

/* "Cancel it and give me a discount next time" before any offer: the
 * offers, not "did you want to cancel?". */
static void test_offer_named_before_the_offers(void **state)
{
    fixture *f = *state;
    say(f, HF_INTENT_ACCEPT_OFFER, HF_OFFER_DISCOUNT, 0);
    assert_string_equal(f->turn.decision, "present_offers");
    assert_int_equal(f->st.n_offers, 4);
    assert_null(call_of(f, HF_TOOL_CANCEL_ORDER));
}

static void test_refund_amount_is_answered(void **state)
{
    fixture *f = *state;
    f->ctx[2] = (hf_ctx_value){"order.total", "104.99"};
    f->ctx[3] = (hf_ctx_value){"order.currency", "USD"};
    say(f, HF_INTENT_CANCEL_ORDER, HF_OFFER_NONE, 0);
    hf_intent_result r = {HF_INTENT_QUESTION, 0.99, HF_OFFER_NONE, 0, ""};
    hf_engine_input in = input(f, &r);
    in.n_ctx = 4;
    in.text = "how much will the refund be?";
    hf_err err;
    assert_int_equal(hf_engine_turn(&in, &f->st, f->a, &f->turn, &err), HF_OK);
    assert_only_said(f, HF_OUTCOME_OPEN, "104.99 USD is refunded");
    assert_int_equal(f->st.n_offers, 4);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
        T(test_cancel_request_presents_offers_in_plan_order),
        T(test_take_first_offer),
        T(test_decline_ten_then_take_fifteen),
        T(test_take_swap_and_coupon_by_name),
        T(test_naming_the_next_rung_takes_it),
        T(test_self_service_without_offers_waits),
        T(test_ambiguous_accept_asks_which),
        T(test_decline_all_cancels_with_survey),
        T(test_insist_at_once_cancels),
        T(test_concern_escalates),
        T(test_shipped_order_is_offered_a_return),
        T(test_policy_window_overrides_setting),
        T(test_unclear_never_acts),
        T(test_off_topic_in_a_row_escalates),
        T(test_discount_guards),
        T(test_offers_follow_the_order),
        T(test_self_service_choices),
        T(test_refused_offer_comes_off_the_table),
        T(test_pick_offer_by_its_place),
        T(test_unclear_place_asks_which),
        T(test_bare_place_is_a_choice),
        T(test_another_order_is_left_alone),
        T(test_cancel_after_keeping_an_offer),
        T(test_cancel_while_a_person_has_it),
        T(test_escalation_takes_offers_off_the_table),
        T(test_unsure_request_for_next_rung_offers_it),
        T(test_offer_not_on_the_table_is_named),
        T(test_offer_after_cancelling_says_why_not),
        T(test_bare_yes_and_no),
        T(test_two_offers_at_once),
        T(test_part_of_the_order),
        T(test_part_of_the_order_while_offering),
        T(test_whole_requests_stay_whole),
        T(test_bare_no_declines_and_answers),
        T(test_bare_yes_confirms_a_cancel),
        T(test_unsure_cancel_asks_first),
        T(test_unsure_cancel_after_keeping_asks_first),
        T(test_offers_repeated_on_request),
        T(test_question_for_an_offer_not_made),
        T(test_second_offer_after_keeping_one),
        T(test_status_said_in_words),
        T(test_offer_named_before_the_offers),
        T(test_refund_amount_is_answered),
#undef T
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
