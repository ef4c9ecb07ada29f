/*
 * test_conversations.c - cancel requests run through the shipped retention
 * policy, over HTTP, with the real intent model: every path of the policy
 * in a chat (take the first offer; decline 10% then take 15%; take the
 * swap; take the coupon; decline everything; insist at once; a concern; a
 * shipped order), what each does to the order, its stock and its
 * timeline, the audit trail, the agent queue, and what bad input gets.
 * SKUs here start with "cv-".
 */
#include "harness.h"

#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

static hf_test_server *ts;

static int setup(void **state)
{
    (void)state;
    ts = ts_start();
    return ts ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    ts_free(ts);
    ts = NULL;
    return 0;
}

/* A shop with the ordered item (cv-a, 50.00, cost 20.00), a dearer one in
 * the same category to swap to (cv-b, 60.00), and one order of cv-a whose
 * number goes into number. */
static void shop_with_order(char *number, size_t size, char *id, size_t idsize)
{
    long st;
    const char *skus[] = {"cv-a", "cv-b"};
    const long prices[] = {5000, 6000};
    for (int i = 0; i < 2; i++) {
        json_t *p =
            ts_post(ts,
                    json_pack("{s:s, s:s, s:I, s:s, s:i, s:s}", "sku", skus[i],
                              "name", i ? "Rain jacket, deluxe" : "Rain jacket",
                              "price", (json_int_t)prices[i], "currency", "USD",
                              "cost", 2000, "category", "outerwear"),
                    &st, "/v1/products");
        ts_assert_status(st, 201, p);
        json_decref(p);
        p = ts_post(ts,
                    json_pack("{s:s, s:s, s:i, s:s}", "sku", skus[i],
                              "location", "main", "delta", 10, "reason",
                              "received"),
                    &st, "/v1/inventory/adjustments");
        ts_assert_status(st, 201, p);
        json_decref(p);
    }
    json_t *o = ts_order(ts, "cv-a", 1, NULL, &st);
    ts_assert_status(st, 201, o);
    snprintf(number, size, "%s", ts_str(o, "number"));
    snprintf(id, idsize, "%s", ts_str(o, "id"));
    json_decref(o);
}

/* POST /v1/conversations for the order, as the storefront's service key. */
static void start_chat(const char *order, char *conv, size_t size)
{
    long st;
    json_t *c =
        ts_post_as(ts, ts->service_key, NULL,
                   json_pack("{s:s, s:s}", "order", order, "channel", "chat"),
                   &st, "/v1/conversations");
    ts_assert_status(st, 201, c);
    assert_string_equal(ts_str(c, "state"), "start");
    assert_string_equal(ts_str(c, "outcome"), "open");
    assert_true(strncmp(ts_str(c, "policy_version"), "pv_", 3) == 0);
    snprintf(conv, size, "%s", ts_str(c, "id"));
    json_decref(c);
}

/* One customer message; asserts 200 and returns the turn. */
static json_t *say(const char *conv, const char *text)
{
    long st;
    json_t *t =
        ts_post_as(ts, ts->service_key, NULL, json_pack("{s:s}", "text", text),
                   &st, "/v1/conversations/%s/messages", conv);
    ts_assert_status(st, 200, t);
    return t;
}

static bool has_offer(const json_t *turn, const char *id)
{
    json_t *offers = json_object_get(turn, "offers"), *o;
    size_t i;
    json_array_foreach(offers, i, o)
    {
        if (strcmp(ts_str(o, "id"), id) == 0)
            return true;
    }
    return false;
}

/* The tool call of turn named tool (holdfast's name), or NULL. */
static json_t *tool_call(const json_t *turn, const char *tool)
{
    json_t *calls = json_object_get(turn, "tool_calls"), *c;
    size_t i;
    json_array_foreach(calls, i, c)
    {
        if (strcmp(ts_str(c, "tool"), tool) == 0)
            return c;
    }
    return NULL;
}

static void assert_outcome(const json_t *turn, const char *state,
                           const char *outcome)
{
    if (strcmp(ts_str(turn, "outcome"), outcome) != 0 ||
        strcmp(ts_str(turn, "state"), state) != 0)
        ts_print_json("unexpected turn", turn);
    assert_string_equal(ts_str(turn, "state"), state);
    assert_string_equal(ts_str(turn, "outcome"), outcome);
}

/* "I want to cancel": the four offers of the policy, discount first. */
static void ask_to_cancel(const char *conv)
{
    json_t *t = say(conv, "Hi, I want to cancel my order please");
    assert_string_equal(ts_str(json_object_get(t, "intent"), "intent"),
                        "cancel_order");
    assert_outcome(t, "offering", "open");
    assert_int_equal(json_array_size(json_object_get(t, "offers")), 4);
    assert_string_equal(
        ts_str(json_array_get(json_object_get(t, "offers"), 0), "id"),
        "discount-10");
    assert_true(has_offer(t, "shipping-upgrade"));
    assert_true(has_offer(t, "swap-cv-b"));
    assert_true(has_offer(t, "coupon-20"));
    assert_null(tool_call(t, "cancel_order"));
    json_decref(t);
}

/* Whether the order's timeline has an entry of type. */
static bool has_event(const char *order, const char *type)
{
    long st;
    json_t *ev = ts_get(ts, &st, "/v1/orders/%s/events", order);
    ts_assert_status(st, 200, ev);
    json_t *list = json_object_get(ev, "data"), *e;
    size_t i;
    bool found = false;
    json_array_foreach(list, i, e)
    {
        found = found || strcmp(ts_str(e, "type"), type) == 0;
    }
    json_decref(ev);
    return found;
}

/* The order is cancelled and its unit of cv-a back on sale. */
static void assert_cancelled_and_restocked(const char *id)
{
    json_t *o = ts_get_order(ts, id);
    assert_string_equal(ts_str(o, "status"), "cancelled");
    json_decref(o);
    ts_assert_inventory(ts, "cv-a", 10, 0, 10);
}

static void test_take_first_offer(void **state)
{
    (void)state;
    char number[32], id[64], conv[64];
    shop_with_order(number, sizeof number, id, sizeof id);
    json_t *before = ts_get_order(ts, id);
    start_chat(number, conv, sizeof conv);
    ask_to_cancel(conv);
    json_t *t = say(conv, "ok, I'll take the 10% discount");
    assert_outcome(t, "closed", "retained");
    assert_non_null(tool_call(t, "set_discount_to_order"));
    assert_non_null(tool_call(t, "send_async_message"));
    json_decref(t);

    json_t *after = ts_get_order(ts, id);
    assert_string_equal(ts_str(after, "status"), "confirmed");
    assert_int_equal(ts_int(after, "total"), ts_int(before, "total") - 500);
    assert_true(has_event(id, "discount_applied"));
    ts_assert_inventory(ts, "cv-a", 10, 1, 9);
    json_decref(before);
    json_decref(after);

    /* the audit trail holds the customer's words, the calls and why */
    long st;
    json_t *c = ts_get(ts, &st, "/v1/conversations/%s", conv);
    ts_assert_status(st, 200, c);
    assert_string_equal(ts_str(c, "outcome"), "retained");
    assert_string_equal(ts_str(c, "order"), number);
    json_t *events = json_object_get(c, "events"), *e;
    size_t i;
    int customer = 0, calls = 0, decisions = 0;
    json_array_foreach(events, i, e)
    {
        const char *kind = ts_str(e, "kind");
        customer += strcmp(kind, "customer") == 0;
        calls += strcmp(kind, "tool_call") == 0;
        decisions += strcmp(kind, "decision") == 0;
    }
    assert_int_equal(customer, 2);
    assert_int_equal(decisions, 2);
    assert_true(calls >= 3); /* order_details, the discount, the message */
    json_decref(c);
}

static void test_decline_ten_then_take_fifteen(void **state)
{
    (void)state;
    char number[32], id[64], conv[64];
    shop_with_order(number, sizeof number, id, sizeof id);
    json_t *before = ts_get_order(ts, id);
    start_chat(number, conv, sizeof conv);
    ask_to_cancel(conv);
    json_t *t = say(conv, "no thanks, that's not enough");
    assert_outcome(t, "offering", "open");
    assert_true(has_offer(t, "discount-15"));
    assert_null(tool_call(t, "cancel_order"));
    json_decref(t);
    t = say(conv, "alright, 15% off works for me");
    assert_outcome(t, "closed", "retained");
    json_decref(t);
    json_t *after = ts_get_order(ts, id);
    assert_int_equal(ts_int(after, "total"), ts_int(before, "total") - 750);
    json_decref(before);
    json_decref(after);
}

static void test_take_the_swap(void **state)
{
    (void)state;
    char number[32], id[64], conv[64];
    shop_with_order(number, sizeof number, id, sizeof id);
    start_chat(number, conv, sizeof conv);
    ask_to_cancel(conv);
    json_t *t = say(conv, "Yes please, swap it for the deluxe one");
    assert_outcome(t, "closed", "retained");
    assert_non_null(tool_call(t, "product_swap"));
    json_decref(t);
    json_t *o = ts_get_order(ts, id);
    json_t *line = json_array_get(json_object_get(o, "lines"), 0);
    assert_string_equal(ts_str(line, "sku"), "cv-b");
    assert_int_equal(ts_int(line, "unit_price"), 5000); /* no extra cost */
    json_decref(o);
    ts_assert_inventory(ts, "cv-a", 10, 0, 10);
    ts_assert_inventory(ts, "cv-b", 10, 1, 9);
}

static void test_take_the_coupon(void **state)
{
    (void)state;
    char number[32], id[64], conv[64];
    shop_with_order(number, sizeof number, id, sizeof id);
    start_chat(number, conv, sizeof conv);
    ask_to_cancel(conv);
    json_t *t = say(conv, "I'll keep it if I get the coupon for my next order");
    assert_outcome(t, "closed", "retained");
    json_t *call = tool_call(t, "issue_future_coupon");
    assert_non_null(call);
    const char *code = ts_str(json_object_get(call, "result"), "code");
    assert_true(strncmp(code, "SAVE20-", 7) == 0);
    assert_non_null(strstr(ts_str(t, "reply"), code)); /* told the code */
    json_decref(t);
    assert_true(has_event(id, "coupon_issued"));
    /* one accepted offer per order: a second request gets none */
    char conv2[64];
    start_chat(number, conv2, sizeof conv2);
    t = say(conv2, "I want to cancel this order");
    assert_int_equal(json_array_size(json_object_get(t, "offers")), 0);
    assert_null(tool_call(t, "issue_future_coupon"));
    json_decref(t);
}

static void test_decline_everything_cancels(void **state)
{
    (void)state;
    char number[32], id[64], conv[64];
    shop_with_order(number, sizeof number, id, sizeof id);
    start_chat(number, conv, sizeof conv);
    ask_to_cancel(conv);
    json_t *t = say(conv, "no thank you");
    assert_outcome(t, "offering", "open");
    json_decref(t);
    t = say(conv, "No. I'm not interested in any of these offers");
    assert_outcome(t, "closed", "cancelled");
    assert_non_null(tool_call(t, "cancel_order"));
    json_decref(t);
    assert_cancelled_and_restocked(id);
}

static void test_insist_at_once_cancels(void **state)
{
    (void)state;
    char number[32], id[64], conv[64];
    shop_with_order(number, sizeof number, id, sizeof id);
    start_chat(number, conv, sizeof conv);
    ask_to_cancel(conv);
    json_t *o = ts_get_order(ts, id);
    char refund[64];
    snprintf(refund, sizeof refund, "and %lld.%02lld USD will be refunded",
             (long long)ts_int(o, "total") / 100,
             (long long)ts_int(o, "total") % 100);
    json_decref(o);
    json_t *t = say(conv, "I don't want any offers, just cancel it now");
    assert_outcome(t, "closed", "cancelled");
    /* the policy's confirmation, its $context filled in: the amount once,
     * then the currency once */
    if (strstr(ts_str(t, "reply"), refund) == NULL)
        fail_msg("the reply does not say \"%s\": %s", refund,
                 ts_str(t, "reply"));
    json_decref(t);
    assert_cancelled_and_restocked(id);
}

static void test_concern_goes_to_an_agent(void **state)
{
    (void)state;
    char number[32], id[64], conv[64];
    shop_with_order(number, sizeof number, id, sizeof id);
    start_chat(number, conv, sizeof conv);
    ask_to_cancel(conv);
    json_t *t = say(conv, "I'm worried it won't arrive before my trip, "
                          "how long does delivery take?");
    assert_outcome(t, "closed", "escalated");
    json_t *call = tool_call(t, "route_to_agent");
    assert_non_null(call);
    char esc[64];
    snprintf(esc, sizeof esc, "%s",
             ts_str(json_object_get(call, "result"), "escalation"));
    json_decref(t);
    json_t *o = ts_get_order(ts, id);
    assert_string_equal(ts_str(o, "status"), "confirmed");
    json_decref(o);

    long st;
    json_t *q =
        ts_get_as(ts, ts->agent_key, &st, "/v1/escalations?status=open");
    ts_assert_status(st, 200, q);
    json_t *first = json_array_get(json_object_get(q, "escalations"), 0);
    assert_string_equal(ts_str(first, "id"), esc);
    assert_string_equal(ts_str(first, "conversation"), conv);
    json_decref(q);
    json_t *r =
        ts_post_as(ts, ts->agent_key, NULL,
                   json_pack("{s:s}", "text", "It ships tomorrow by express."),
                   &st, "/v1/escalations/%s/replies", esc);
    ts_assert_status(st, 200, r);
    json_decref(r);
    r = ts_post_as(ts, ts->agent_key, NULL,
                   json_pack("{s:s}", "resolution", "kept the order"), &st,
                   "/v1/escalations/%s/close", esc);
    ts_assert_status(st, 200, r);
    assert_string_equal(ts_str(r, "status"), "closed");
    json_decref(r);
    r = ts_post_as(ts, ts->agent_key, NULL, json_pack("{s:s}", "text", "hi"),
                   &st, "/v1/escalations/%s/replies", esc);
    ts_assert_error(st, r, 409, "not_open");
    json_decref(r);
    q = ts_get_as(ts, ts->agent_key, &st, "/v1/escalations?status=open");
    assert_int_equal(json_array_size(json_object_get(q, "escalations")), 0);
    json_decref(q);
    json_t *c = ts_get(ts, &st, "/v1/conversations/%s", conv);
    json_t *events = json_object_get(c, "events");
    json_t *last = json_array_get(events, json_array_size(events) - 1);
    assert_string_equal(ts_str(last, "kind"), "agent_closed");
    json_decref(c);
}

/* An order whose chat the customer handed to a person. */
typedef struct escalated {
    char number[32], id[64]; /* the order */
    char conv[64], esc[64];  /* the chat, and its escalation */
} escalated;

/* A new order of n units of cv-a (the shop is made) whose customer asks
 * to cancel in a chat, then for a person. */
static void escalated_order(long n, escalated *e)
{
    long st;
    json_t *o = ts_order(ts, "cv-a", n, NULL, &st);
    ts_assert_status(st, 201, o);
    snprintf(e->number, sizeof e->number, "%s", ts_str(o, "number"));
    snprintf(e->id, sizeof e->id, "%s", ts_str(o, "id"));
    json_decref(o);
    start_chat(e->number, e->conv, sizeof e->conv);
    ask_to_cancel(e->conv);
    json_t *t = say(e->conv, "can I speak to a real person please");
    assert_outcome(t, "closed", "escalated");
    json_t *call = tool_call(t, "route_to_agent");
    assert_non_null(call);
    snprintf(e->esc, sizeof e->esc, "%s",
             ts_str(json_object_get(call, "result"), "escalation"));
    json_decref(t);
}

/* Escalation esc as the agent queue lists it (a new reference). */
static json_t *queued_escalation(const char *esc)
{
    long st;
    json_t *q = ts_get_as(ts, ts->agent_key, &st, "/v1/escalations?limit=200");
    ts_assert_status(st, 200, q);
    json_t *found = NULL, *e;
    size_t i;
    json_array_foreach(json_object_get(q, "escalations"), i, e)
    {
        if (strcmp(ts_str(e, "id"), esc) == 0)
            found = json_incref(e);
    }
    json_decref(q);
    assert_non_null(found);
    return found;
}

/* Whether esc is on the queue's open list. */
static bool waits_for_an_agent(const char *esc)
{
    long st;
    json_t *q = ts_get_as(ts, ts->agent_key, &st,
                          "/v1/escalations?status=open&limit=200");
    ts_assert_status(st, 200, q);
    bool found = false;
    json_t *e;
    size_t i;
    json_array_foreach(json_object_get(q, "escalations"), i, e)
    {
        found = found || strcmp(ts_str(e, "id"), esc) == 0;
    }
    json_decref(q);
    return found;
}

/* The escalation_closed entries of conv's audit trail: how many, and the
 * data of the last into *data (a new reference; NULL when none). *last
 * says whether it is the trail's last entry. */
static int closed_entries(const char *conv, json_t **data, bool *last)
{
    long st;
    json_t *c = ts_get(ts, &st, "/v1/conversations/%s", conv);
    ts_assert_status(st, 200, c);
    json_t *events = json_object_get(c, "events"), *e;
    size_t i;
    int n = 0;
    *data = NULL;
    json_array_foreach(events, i, e)
    {
        if (strcmp(ts_str(e, "kind"), "escalation_closed") != 0)
            continue;
        n++;
        json_decref(*data);
        *data = json_incref(json_object_get(e, "data"));
        *last = i + 1 == json_array_size(events);
    }
    json_decref(c);
    return n;
}

/* Whether escalation e (JSON) was closed by agent (NULL: none). */
static void assert_agent(const json_t *e, const char *agent)
{
    if (agent == NULL)
        assert_true(json_is_null(json_object_get(e, "agent")));
    else
        assert_string_equal(ts_str(e, "agent"), agent);
}

/* Escalation esc of conversation conv was closed by its order's
 * cancellation, by `by`, as agent's (NULL: no agent's): off the open
 * list, the resolution on the escalation and on one audit entry of the
 * conversation; an agent who replies, makes an offer or closes it now
 * gets not_open. */
static void assert_closed_by_cancellation(const char *esc, const char *conv,
                                          const char *by, const char *agent,
                                          const char *resolution)
{
    assert_false(waits_for_an_agent(esc));
    json_t *e = queued_escalation(esc);
    assert_string_equal(ts_str(e, "status"), "closed");
    assert_true(json_is_string(json_object_get(e, "closed_at")));
    assert_agent(e, agent);
    assert_string_equal(ts_str(e, "resolution"), resolution);
    json_t *data;
    bool last = false;
    assert_int_equal(closed_entries(conv, &data, &last), 1);
    assert_string_equal(ts_str(data, "escalation"), esc);
    assert_string_equal(ts_str(data, "cancelled_by"), by);
    assert_string_equal(ts_str(data, "text"), ts_str(e, "resolution"));
    json_decref(data);
    json_decref(e);

    /* an agent's reply, offer and close */
    const char *acts[] = {"replies", "offers", "close"};
    json_t *bodies[] = {
        json_pack("{s:s}", "text", "It ships tomorrow."),
        json_pack("{s:s, s:i}", "kind", "discount", "percent", 10),
        json_pack("{s:s}", "resolution", "kept the order")};
    for (int i = 0; i < 3; i++) {
        long st;
        json_t *r = ts_post_as(ts, ts->agent_key, NULL, bodies[i], &st,
                               "/v1/escalations/%s/%s", esc, acts[i]);
        ts_assert_error(st, r, 409, "not_open");
        json_decref(r);
    }
    /* still as the cancellation closed it, with its one entry */
    e = queued_escalation(esc);
    assert_agent(e, agent);
    json_decref(e);
    assert_int_equal(closed_entries(conv, &data, &last), 1);
    json_decref(data);
}

/* The KPIs count requests resolved and escalations closed by no agent's
 * cancellation as said. */
static void assert_kpi_counts(long long resolved, long long cancelled)
{
    long st;
    json_t *r = ts_get_as(ts, ts->agent_key, &st, "/v1/kpis");
    ts_assert_status(st, 200, r);
    json_t *counts = json_object_get(r, "counts");
    assert_int_equal(ts_int(counts, "requests_resolved"), resolved);
    assert_int_equal(ts_int(counts, "escalations_cancelled"), cancelled);
    json_decref(r);
}

/* Handed to a person, the customer who then wants to cancel is not made
 * to wait: the order is cancelled, and the escalation closes with it (the
 * agent has nothing left to do), said on the conversation after the turn
 * that cancelled; another order's escalation stays in the queue. */
static void test_cancel_while_an_agent_has_it(void **state)
{
    (void)state;
    char number[32], id[64];
    escalated mine, other;
    shop_with_order(number, sizeof number, id, sizeof id);
    escalated_order(1, &other);
    escalated_order(1, &mine);
    assert_true(waits_for_an_agent(mine.esc));

    json_t *t = say(mine.conv, "forget it, I just want to cancel my order");
    assert_outcome(t, "closed", "cancelled");
    assert_non_null(tool_call(t, "cancel_order"));
    json_decref(t);
    json_t *o = ts_get_order(ts, mine.id);
    assert_string_equal(ts_str(o, "status"), "cancelled");
    json_decref(o);
    ts_assert_inventory(ts, "cv-a", 10, 2, 8); /* the other two orders */
    char by[96];
    snprintf(by, sizeof by, "conversation:%s", mine.conv);
    assert_closed_by_cancellation(
        mine.esc, mine.conv, by, NULL,
        "the customer cancelled the order in this conversation");
    json_t *data;
    bool last = false;
    closed_entries(mine.conv, &data, &last);
    assert_true(last); /* after the turn's decision */
    json_decref(data);

    /* the other order and its escalation are as they were */
    assert_true(waits_for_an_agent(other.esc));
    assert_int_equal(closed_entries(other.conv, &data, &last), 0);
    o = ts_get_order(ts, other.id);
    assert_string_equal(ts_str(o, "status"), "confirmed");
    json_decref(o);
    long st;
    json_t *r =
        ts_post_as(ts, ts->agent_key, NULL, json_pack("{s:s}", "text", "hi"),
                   &st, "/v1/escalations/%s/replies", other.esc);
    ts_assert_status(st, 200, r);
    json_decref(r);
    /* the cancellation was no agent's resolution */
    assert_kpi_counts(0, 1);
}

/* POST /v1/orders/{id}/cancel with key and body (stolen); asserts 200 and
 * the order's status then; the actor of its cancellation into by. */
static void cancel_as(const char *key, const char *id, json_t *body,
                      const char *status, char by[96])
{
    long st;
    json_t *r =
        ts_post_as(ts, key, NULL, body, &st, "/v1/orders/%s/cancel", id);
    ts_assert_status(st, 200, r);
    assert_string_equal(ts_str(r, "status"), status);
    json_decref(r);
    r = ts_get(ts, &st, "/v1/orders/%s/events", id);
    ts_assert_status(st, 200, r);
    json_t *events = json_object_get(r, "data");
    json_t *last = json_array_get(events, json_array_size(events) - 1);
    snprintf(by, 96, "%s", ts_str(last, "actor"));
    assert_true(strncmp(by, "api:", 4) == 0);
    json_decref(r);
}

/* An order cancelled through the order API closes its open escalation,
 * saying who cancelled and why: as the agent's when an agent cancels it
 * (the queue's "Cancel the order": the agent's resolution), with no agent
 * when an integration does; cancelling some of its units does not. */
static void test_order_cancel_closes_its_escalation(void **state)
{
    (void)state;
    char number[32], id[64], by[96], resolution[160];
    escalated two, one;
    shop_with_order(number, sizeof number, id, sizeof id);
    escalated_order(2, &two);
    escalated_order(1, &one);
    cancel_as(ts->agent_key, two.id,
              json_pack("{s:s, s:[{s:s, s:i}]}", "reason", "changed_mind",
                        "lines", "sku", "cv-a", "qty", 1),
              "confirmed", by);
    assert_true(waits_for_an_agent(two.esc));

    cancel_as(ts->agent_key, two.id,
              json_pack("{s:s}", "reason", "found_better_price"), "cancelled",
              by);
    snprintf(resolution, sizeof resolution,
             "the order was cancelled by %s (found_better_price)", by);
    assert_closed_by_cancellation(two.esc, two.conv, by, by, resolution);
    assert_true(waits_for_an_agent(one.esc));

    /* the storefront's integration cancels the other one */
    cancel_as(ts->service_key, one.id,
              json_pack("{s:s}", "reason", "changed_mind"), "cancelled", by);
    snprintf(resolution, sizeof resolution,
             "the order was cancelled by %s (changed_mind)", by);
    assert_closed_by_cancellation(one.esc, one.conv, by, NULL, resolution);
    /* the agent's cancellation resolved a request; the integration's was
     * no agent's doing */
    assert_kpi_counts(1, 1);
}

/* The customer declines on the self-service page of request req, which
 * cancels order id. */
static void decline_cancels(const char *req, const char *id)
{
    long st;
    json_t *r =
        ts_post_as(ts, ts->service_key, NULL, json_pack("{s:b}", "decline", 1),
                   &st, "/v1/cancellation-requests/%s/decision", req);
    ts_assert_status(st, 200, r);
    assert_string_equal(ts_str(r, "outcome"), "cancelled");
    json_decref(r);
    r = ts_get_order(ts, id);
    assert_string_equal(ts_str(r, "status"), "cancelled");
    json_decref(r);
}

/* The customer who cancels on the self-service page while a chat about
 * the order waits for an agent: that escalation closes too. */
static void test_self_service_cancel_closes_the_chat_escalation(void **state)
{
    (void)state;
    char number[32], id[64], req[64], by[96], resolution[160];
    escalated e;
    shop_with_order(number, sizeof number, id, sizeof id);
    escalated_order(1, &e);
    long st;
    json_t *r = ts_post_as(ts, ts->service_key, NULL,
                           json_pack("{s:s}", "reason", "changed_mind"), &st,
                           "/v1/orders/%s/cancellation-requests", e.number);
    ts_assert_status(st, 201, r);
    snprintf(req, sizeof req, "%s", ts_str(r, "id"));
    json_decref(r);
    decline_cancels(req, e.id);
    snprintf(by, sizeof by, "conversation:%s", req);
    snprintf(resolution, sizeof resolution,
             "the customer cancelled the order in conversation %s", req);
    assert_closed_by_cancellation(e.esc, e.conv, by, NULL, resolution);
    json_t *data;
    bool last;
    assert_int_equal(closed_entries(req, &data, &last), 0);
}

static void test_shipped_order_gets_a_return(void **state)
{
    (void)state;
    char number[32], id[64], conv[64];
    shop_with_order(number, sizeof number, id, sizeof id);
    const char *steps[] = {"allocated", "picking", "packed", "shipped"};
    for (int i = 0; i < 4; i++)
        json_decref(ts_transition(ts, id, steps[i]));
    start_chat(number, conv, sizeof conv);
    json_t *t = say(conv, "I need to cancel my order");
    assert_outcome(t, "not_eligible", "open");
    assert_int_equal(json_array_size(json_object_get(t, "offers")), 0);
    assert_null(tool_call(t, "cancel_order"));
    assert_non_null(strstr(ts_str(t, "reply"), "return"));
    json_decref(t);
    t = say(conv, "just cancel it, I insist");
    assert_null(tool_call(t, "cancel_order"));
    json_decref(t);
    json_t *o = ts_get_order(ts, id);
    assert_string_equal(ts_str(o, "status"), "shipped");
    json_decref(o);

    long st;
    json_t *r = ts_post_as(ts, ts->service_key, NULL,
                           json_pack("{s:s}", "reason", "changed_mind"), &st,
                           "/v1/orders/%s/cancellation-requests", id);
    ts_assert_status(st, 201, r);
    assert_false(json_is_true(json_object_get(r, "eligible")));
    json_decref(r);
}

static void test_self_service_request_and_decisions(void **state)
{
    (void)state;
    char number[32], id[64];
    shop_with_order(number, sizeof number, id, sizeof id);
    long st;
    json_t *r = ts_post_as(ts, ts->service_key, NULL,
                           json_pack("{s:s, s:s}", "reason", "shipping_delay",
                                     "note", "it takes too long"),
                           &st, "/v1/orders/%s/cancellation-requests", number);
    ts_assert_status(st, 201, r);
    assert_true(json_is_true(json_object_get(r, "eligible")));
    assert_int_equal(json_array_size(json_object_get(r, "offers")), 4);
    char req[64];
    snprintf(req, sizeof req, "%s", ts_str(r, "id"));
    json_decref(r);

    /* an offer that is not on the table changes nothing */
    r = ts_post_as(ts, ts->service_key, NULL,
                   json_pack("{s:s}", "accept", "discount-90"), &st,
                   "/v1/cancellation-requests/%s/decision", req);
    ts_assert_error(st, r, 422, "unknown_offer");
    json_decref(r);
    r = ts_post_as(
        ts, ts->service_key, NULL,
        json_pack("{s:s, s:b}", "accept", "discount-10", "decline", 1), &st,
        "/v1/cancellation-requests/%s/decision", req);
    ts_assert_error(st, r, 422, "invalid_decision");
    json_decref(r);

    r = ts_post_as(ts, ts->service_key, NULL,
                   json_pack("{s:s}", "accept", "shipping-upgrade"), &st,
                   "/v1/cancellation-requests/%s/decision", req);
    ts_assert_status(st, 200, r);
    assert_string_equal(ts_str(r, "outcome"), "retained");
    json_decref(r);
    json_t *o = ts_get_order(ts, id);
    assert_string_equal(ts_str(o, "shipping_method"), "expedited");
    json_decref(o);
    r = ts_post_as(ts, ts->service_key, NULL, json_pack("{s:b}", "decline", 1),
                   &st, "/v1/cancellation-requests/%s/decision", req);
    ts_assert_error(st, r, 409, "conversation_closed");
    json_decref(r);

    /* a second request: no offer left, and one step to cancel */
    r = ts_post_as(ts, ts->service_key, NULL,
                   json_pack("{s:s}", "reason", "changed_mind"), &st,
                   "/v1/orders/%s/cancellation-requests", number);
    ts_assert_status(st, 201, r);
    assert_int_equal(json_array_size(json_object_get(r, "offers")), 0);
    snprintf(req, sizeof req, "%s", ts_str(r, "id"));
    json_decref(r);
    o = ts_get_order(ts, id);
    assert_string_equal(ts_str(o, "status"), "confirmed");
    json_decref(o);
    decline_cancels(req, id);
    o = ts_get_order(ts, id);
    assert_string_equal(ts_str(json_object_get(o, "cancellation"), "reason"),
                        "changed_mind");
    json_decref(o);
}

static void test_bad_input_changes_nothing(void **state)
{
    (void)state;
    char number[32], id[64], conv[64];
    shop_with_order(number, sizeof number, id, sizeof id);
    start_chat(number, conv, sizeof conv);
    long st;
    json_t *r = ts_post_as(ts, ts->service_key, NULL, json_object(), &st,
                           "/v1/conversations/%s/messages", conv);
    ts_assert_error(st, r, 422, "invalid");
    json_decref(r);
    r = ts_post_as(ts, ts->service_key, NULL, json_pack("{s:i}", "text", 3),
                   &st, "/v1/conversations/%s/messages", conv);
    ts_assert_status(st, 400, r);
    json_decref(r);
    char *longtext = malloc(5001);
    memset(longtext, 'a', 5000);
    longtext[5000] = '\0';
    r = ts_post_as(ts, ts->service_key, NULL,
                   json_pack("{s:s}", "text", longtext), &st,
                   "/v1/conversations/%s/messages", conv);
    free(longtext);
    assert_int_equal(st, 422);
    json_decref(r);
    r = ts_post_as(ts, ts->service_key, NULL, json_pack("{s:s}", "text", "hi"),
                   &st, "/v1/conversations/cnv_nope/messages");
    ts_assert_error(st, r, 404, "not_found");
    json_decref(r);
    r = ts_post_as(ts, ts->service_key, NULL,
                   json_pack("{s:s, s:s}", "order", number, "channel", "fax"),
                   &st, "/v1/conversations");
    ts_assert_error(st, r, 422, "invalid_channel");
    json_decref(r);
    r = ts_post_as(ts, ts->service_key, NULL,
                   json_pack("{s:s}", "order", "HF-999999"), &st,
                   "/v1/conversations");
    ts_assert_status(st, 404, r);
    json_decref(r);
    r = ts_post_as(ts, ts->service_key, NULL,
                   json_pack("{s:s}", "reason", "bored"), &st,
                   "/v1/orders/%s/cancellation-requests", id);
    ts_assert_error(st, r, 422, "invalid_reason");
    json_decref(r);
    r = ts_get_as(ts, ts->service_key, &st, "/v1/escalations");
    ts_assert_status(st, 403, r);
    json_decref(r);
    /* only the conversation's start is on record */
    r = ts_get(ts, &st, "/v1/conversations/%s", conv);
    assert_int_equal(json_array_size(json_object_get(r, "events")), 1);
    json_decref(r);
}

static void test_a_repeated_message_is_one_turn(void **state)
{
    (void)state;
    char number[32], id[64], conv[64];
    shop_with_order(number, sizeof number, id, sizeof id);
    start_chat(number, conv, sizeof conv);
    long st1, st2;
    json_t *a = ts_post_as(ts, ts->service_key, "turn-1",
                           json_pack("{s:s}", "text", "please cancel my order"),
                           &st1, "/v1/conversations/%s/messages", conv);
    json_t *b = ts_post_as(ts, ts->service_key, "turn-1",
                           json_pack("{s:s}", "text", "please cancel my order"),
                           &st2, "/v1/conversations/%s/messages", conv);
    ts_assert_status(st1, 200, a);
    ts_assert_status(st2, 200, b);
    assert_true(json_equal(a, b));
    json_decref(a);
    json_decref(b);
    json_t *c = ts_get(ts, &st1, "/v1/conversations/%s", conv);
    json_t *events = json_object_get(c, "events"), *e;
    size_t i;
    int customer = 0;
    json_array_foreach(events, i, e)
    {
        customer += strcmp(ts_str(e, "kind"), "customer") == 0;
    }
    assert_int_equal(customer, 1);
    json_decref(c);
}

/* Writes text to DIR/NAME.md. */
static void write_policy(const char *dir, const char *name, const char *text)
{
    char path[2 * PATH_MAX];
    snprintf(path, sizeof path, "%s/%s.md", dir, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

/* A merchant's own policy, in its own words: offers a discount ladder of
 * first and then second percent, and nothing else. */
static void write_own_policies(const char *dir, int first, int second)
{
    char text[1024];
    snprintf(text, sizeof text,
             "# Keep the order\n\n"
             "When a shopper wants to cancel, follow "
             "#Single_order_cancellation_policy.\n\n"
             "* Offer %d%% off the order with @set_discount_to_order, and "
             "%d%% if they say no.\n"
             "* Should the shopper agree, apply the discount and thank "
             "them.\n"
             "* Should they refuse, cancel the order per "
             "#Single_order_cancellation_policy.\n"
             "* If they ask for a human, hand over to a human.\n",
             first, second);
    write_policy(dir, "Cancellation_retention_policy", text);
    write_policy(dir, "Single_order_cancellation_policy",
                 "# Cancelling\n\n"
                 "1. An order may be cancelled until it ships.\n"
                 "2. Once shipped, offer a return instead.\n"
                 "3. Cancel it with @cancel_order, restock the items and "
                 "refund the customer.\n");
}

/* A conversation keeps the policy version it started with, through an
 * edit of the policy and a restart; a new one runs the edited policy. */
static void test_conversation_keeps_its_policy_version(void **state)
{
    (void)state;
    ts_free(ts);
    char dir[PATH_MAX], ini[PATH_MAX + 64];
    snprintf(dir, sizeof dir, "%s/holdfast-policies-XXXXXX",
             getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    assert_non_null(mkdtemp(dir));
    write_own_policies(dir, 10, 15);
    snprintf(ini, sizeof ini, "[notify]\nenabled = false\n[policy]\ndir = %s\n",
             dir);
    ts = ts_start_with_config(ini);
    assert_non_null(ts);
    char number[32], id[64], conv[64];
    shop_with_order(number, sizeof number, id, sizeof id);
    start_chat(number, conv, sizeof conv);
    json_t *t = say(conv, "I want to cancel my order");
    assert_int_equal(json_array_size(json_object_get(t, "offers")), 1);
    assert_true(has_offer(t, "discount-10"));
    char v1[64];
    snprintf(v1, sizeof v1, "%s", ts_str(t, "policy_version"));
    json_decref(t);

    write_own_policies(dir, 5, 8);
    assert_int_equal(ts_stop(ts), 0);
    assert_int_equal(ts_restart(ts), 0);
    t = say(conv, "no thanks");
    assert_true(has_offer(t, "discount-15")); /* still the first version */
    assert_string_equal(ts_str(t, "policy_version"), v1);
    json_decref(t);
    char conv2[64];
    start_chat(number, conv2, sizeof conv2);
    t = say(conv2, "I want to cancel my order");
    assert_true(has_offer(t, "discount-5"));
    assert_string_not_equal(ts_str(t, "policy_version"), v1);
    json_decref(t);
    char cmd[PATH_MAX + 16];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

/* Runs `holdfast policy test POLICY --batch` against the server's database
 * with lines as standard input; returns the output lines as an array and
 * the exit status in *status. */
static json_t *policy_test_status(const char *policy, const char *order,
                                  const char *const *lines, size_t n,
                                  int *status)
{
    char in[PATH_MAX + 16], cmd[4 * PATH_MAX];
    snprintf(in, sizeof in, "%s/turns.jsonl", ts->dir);
    FILE *f = fopen(in, "w");
    assert_non_null(f);
    for (size_t i = 0; i < n; i++) {
        json_t *say = json_pack("{s:s}", "say", lines[i]);
        char *text = json_dumps(say, JSON_COMPACT);
        fprintf(f, "%s\n", text);
        free(text);
        json_decref(say);
    }
    fclose(f);
    snprintf(cmd, sizeof cmd,
             "'%s' policy test '%s/../../policies/%s.md' --db '%s' --order %s "
             "--context shop.name=Acme --batch < '%s'",
             ts->bin, HF_TEST_SOURCE_DIR, policy, ts->db, order, in);
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    json_t *out = json_array();
    char line[65536];
    while (fgets(line, sizeof line, p) != NULL) {
        json_t *j = json_loads(line, 0, NULL);
        if (j == NULL)
            fprintf(stderr, "not JSON: %s", line);
        assert_non_null(j);
        json_array_append_new(out, j);
    }
    int rc = pclose(p);
    *status = WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
    return out;
}

/* policy_test_status for a run that must succeed. */
static json_t *policy_test(const char *policy, const char *order,
                           const char *const *lines, size_t n)
{
    int status;
    json_t *out = policy_test_status(policy, order, lines, n, &status);
    assert_int_equal(status, 0);
    return out;
}

/* The test screen runs every wording of the policy the same way, and as a
 * dry run: the order is left as it was. */
static void test_policy_test_screen(void **state)
{
    (void)state;
    char number[32], id[64];
    shop_with_order(number, sizeof number, id, sizeof id);
    json_t *before = ts_get_order(ts, id);
    const char *policies[] = {"Cancellation_retention_policy",
                              "Cancellation_retention_policy_BigCommerce_"
                              "Kustomer",
                              "Cancellation_retention_policy_Magento_Gladly"};
    const char *lines[] = {"I'd like to cancel my order", "no thanks",
                           "ok, 15% it is"};
    for (size_t i = 0; i < 3; i++) {
        json_t *turns = policy_test(policies[i], number, lines, 3);
        assert_int_equal(json_array_size(turns), 3);
        json_t *first = json_array_get(turns, 0);
        json_t *last = json_array_get(turns, 2);
        assert_string_equal(ts_str(first, "state"), "offering");
        assert_string_equal(ts_str(json_object_get(first, "intent"), "intent"),
                            "cancel_order");
        assert_true(has_offer(json_array_get(turns, 1), "discount-15"));
        assert_string_equal(ts_str(last, "outcome"), "retained");
        assert_non_null(tool_call(last, "set_discount_to_order"));
        json_decref(turns);
    }
    json_t *after = ts_get_order(ts, id);
    assert_int_equal(ts_int(after, "total"), ts_int(before, "total"));
    assert_int_equal(ts_int(after, "version"), ts_int(before, "version"));
    json_decref(before);
    json_decref(after);
}
/* A line too long for the test screen is one clear error, not pieces
 * read as lines; the turns around it run, and the exit status says so. */
static void test_policy_test_screen_long_line(void **state)
{
    (void)state;
    char number[32], id[64];
    shop_with_order(number, sizeof number, id, sizeof id);
    char *huge = malloc(20001);
    memset(huge, 'a', 20000);
    huge[20000] = '\0';
    const char *lines[] = {"I'd like to cancel my order", huge, "no thanks"};
    int status;
    json_t *out = policy_test_status("Cancellation_retention_policy", number,
                                     lines, 3, &status);
    free(huge);
    assert_int_equal(status, 1);
    assert_int_equal(json_array_size(out), 3);
    assert_string_equal(ts_str(json_array_get(out, 0), "state"), "offering");
    assert_string_equal(
        ts_str(json_object_get(json_array_get(out, 1), "error"), "code"),
        "line_too_long");
    assert_true(has_offer(json_array_get(out, 2), "discount-15"));
    json_decref(out);
}

/* With delivery on (in-app only: no SMTP or SMS set), the customer is told
 * about the offer applied and hears what the agent wrote. */
static void test_customer_hears_offer_and_agent(void **state)
{
    (void)state;
    ts_free(ts);
    ts = ts_start_with_config("[notify]\nenabled = true\n");
    assert_non_null(ts);
    char number[32], id[64], conv[64];
    shop_with_order(number, sizeof number, id, sizeof id);
    json_t *o = ts_get_order(ts, id);
    char customer[64];
    snprintf(customer, sizeof customer, "%s",
             ts_str(json_object_get(o, "customer"), "id"));
    json_decref(o);
    start_chat(number, conv, sizeof conv);
    ask_to_cancel(conv);
    json_t *t0 = say(conv, "the free shipping upgrade please");
    assert_outcome(t0, "closed", "retained");
    json_decref(t0);
    json_t *n = ts_feed_item(ts, customer, "retention_offer_applied");
    assert_non_null(n);
    assert_non_null(strstr(ts_str(n, "body"), "expedited"));
    json_decref(n);

    char conv2[64];
    start_chat(number, conv2, sizeof conv2);
    json_t *t = say(conv2, "can I speak to a real person please");
    json_t *call = tool_call(t, "route_to_agent");
    assert_non_null(call);
    char esc[64];
    snprintf(esc, sizeof esc, "%s",
             ts_str(json_object_get(call, "result"), "escalation"));
    json_decref(t);
    long st;
    json_t *r =
        ts_post_as(ts, ts->agent_key, NULL,
                   json_pack("{s:s}", "text", "Your parcel leaves on Monday."),
                   &st, "/v1/escalations/%s/replies", esc);
    ts_assert_status(st, 200, r);
    json_decref(r);
    n = ts_feed_item(ts, customer, "agent_reply");
    assert_non_null(n);
    assert_string_equal(ts_str(n, "body"), "Your parcel leaves on Monday.");
    json_decref(n);
}

/* Messages from scripted conversations the engine once got wrong. */

/* A shop with one order (its number and id into number and id, each of
 * 64 bytes), a chat about it, and the four offers on the table. */
static void chat_with_offers(char *number, char *id, char *conv)
{
    shop_with_order(number, 64, id, 64);
    start_chat(number, conv, 64);
    ask_to_cancel(conv);
}

static void test_pick_an_offer_by_its_place(void **state)
{
    (void)state;
    char number[64], id[64], conv[64];
    chat_with_offers(number, id, conv);
    json_t *t = say(conv, "option 2");
    assert_outcome(t, "closed", "retained");
    assert_non_null(tool_call(t, "upgrade_shipping"));
    json_decref(t);
    json_t *o = ts_get_order(ts, id);
    assert_string_equal(ts_str(o, "shipping_method"), "expedited");
    json_decref(o);
}

static void test_another_order_is_never_cancelled(void **state)
{
    (void)state;
    char number[64], id[64], conv[64];
    chat_with_offers(number, id, conv);
    long st;
    json_t *other = ts_order(ts, "cv-a", 1, NULL, &st);
    ts_assert_status(st, 201, other);
    char text[128];
    snprintf(text, sizeof text, "Sorry, I meant order %s, cancel that one",
             ts_str(other, "number"));
    json_t *t = say(conv, text);
    assert_string_equal(ts_str(t, "decision"), "other_order");
    assert_int_equal(json_array_size(json_object_get(t, "tool_calls")), 0);
    assert_outcome(t, "offering", "open");
    assert_non_null(strstr(ts_str(t, "reply"), ts_str(other, "number")));
    json_decref(t);
    /* "it" may now be either order: asked, not cancelled */
    t = say(conv, "just cancel it");
    assert_string_equal(ts_str(t, "decision"), "confirm_order");
    assert_null(tool_call(t, "cancel_order"));
    assert_outcome(t, "offering", "open");
    json_decref(t);
    /* neither order changed: both still hold their unit */
    json_t *o = ts_get_order(ts, id);
    assert_string_equal(ts_str(o, "status"), "confirmed");
    json_decref(o);
    o = ts_get_order(ts, ts_str(other, "id"));
    assert_string_equal(ts_str(o, "status"), "confirmed");
    json_decref(o);
    ts_assert_inventory(ts, "cv-a", 10, 2, 8);
    json_decref(other);
}

static void test_cancel_after_keeping_an_offer(void **state)
{
    (void)state;
    char number[64], id[64], conv[64];
    chat_with_offers(number, id, conv);
    json_t *t = say(conv, "ok, I'll take the 10% discount");
    assert_outcome(t, "closed", "retained");
    json_decref(t);
    t = say(conv, "actually no, cancel it after all");
    assert_outcome(t, "closed", "cancelled");
    assert_non_null(tool_call(t, "cancel_order"));
    json_decref(t);
    assert_cancelled_and_restocked(id);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
        T(test_take_first_offer),
        T(test_decline_ten_then_take_fifteen),
        T(test_take_the_swap),
        T(test_take_the_coupon),
        T(test_decline_everything_cancels),
        T(test_insist_at_once_cancels),
        T(test_concern_goes_to_an_agent),
        T(test_cancel_while_an_agent_has_it),
        T(test_order_cancel_closes_its_escalation),
        T(test_self_service_cancel_closes_the_chat_escalation),
        T(test_shipped_order_gets_a_return),
        T(test_self_service_request_and_decisions),
        T(test_bad_input_changes_nothing),
        T(test_a_repeated_message_is_one_turn),
        T(test_policy_test_screen),
        T(test_policy_test_screen_long_line),
        T(test_conversation_keeps_its_policy_version),
        T(test_customer_hears_offer_and_agent),
        T(test_pick_an_offer_by_its_place),
        T(test_another_order_is_never_cancelled),
        T(test_cancel_after_keeping_an_offer),
#undef T
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
