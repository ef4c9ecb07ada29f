/*
 * test_agent_offers.c - an agent in the queue applies an offer for the
 * customer of an escalated request: it changes the order as the chat's
 * own offer would, is on the conversation's audit trail and is sent to
 * the customer; the engine's guards hold for agents too, and a refused or
 * malformed offer changes nothing. SKUs here start with "ao-".
 */
#include "harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static hf_test_server *ts;

static int setup(void **state)
{
    (void)state;
    ts = ts_start_with_config("[notify]\nenabled = true\n");
    if (ts == NULL)
        return -1;
    ts_product(ts, "ao-a", 5000, 10); /* the item ordered */
    ts_product(ts, "ao-b", 6000, 10); /* a dearer one to swap to */
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    ts_free(ts);
    return 0;
}

/* A new order of ao-a, handed to the agent queue from the self-service
 * page; its number, id, the request's conversation and the escalation go
 * into the buffers. */
static void escalated_order(char number[32], char id[64], char conv[64],
                            char esc[64])
{
    long st;
    json_t *o = ts_order(ts, "ao-a", 1, NULL, &st);
    ts_assert_status(st, 201, o);
    snprintf(number, 32, "%s", ts_str(o, "number"));
    snprintf(id, 64, "%s", ts_str(o, "id"));
    json_decref(o);
    json_t *r = ts_post(ts, json_pack("{s:s}", "reason", "other"), &st,
                        "/v1/orders/%s/cancellation-requests", number);
    ts_assert_status(st, 201, r);
    char *req = conv;
    snprintf(req, 64, "%s", ts_str(r, "id"));
    json_decref(r);
    r = ts_post(ts, json_pack("{s:b}", "agent", 1), &st,
                "/v1/cancellation-requests/%s/decision", req);
    ts_assert_status(st, 200, r);
    assert_string_equal(ts_str(r, "outcome"), "escalated");
    json_decref(r);
    json_t *q = ts_get_as(ts, ts->agent_key, &st,
                          "/v1/escalations?status=open&limit=200");
    ts_assert_status(st, 200, q);
    json_t *e;
    size_t i;
    esc[0] = '\0';
    json_array_foreach(json_object_get(q, "escalations"), i, e)
    {
        if (strcmp(ts_str(e, "conversation"), req) == 0)
            snprintf(esc, 64, "%s", ts_str(e, "id"));
    }
    json_decref(q);
    assert_true(esc[0] != '\0');
}

/* POST /v1/escalations/{esc}/offers as the agent. */
static json_t *offer(const char *esc, json_t *body, long *st)
{
    return ts_post_as(ts, ts->agent_key, NULL, body, st,
                      "/v1/escalations/%s/offers", esc);
}

static json_t *order_of(const char *id)
{
    return ts_get_order(ts, id);
}

/* The last entry of conversation conv's audit trail (a new reference). */
static json_t *last_event(const char *conv)
{
    long st;
    json_t *c = ts_get(ts, &st, "/v1/conversations/%s", conv);
    ts_assert_status(st, 200, c);
    json_t *events = json_object_get(c, "events");
    json_t *last =
        json_incref(json_array_get(events, json_array_size(events) - 1));
    json_decref(c);
    return last;
}

static void test_agent_applies_a_discount(void **state)
{
    (void)state;
    char number[32], id[64], conv[64], esc[64];
    escalated_order(number, id, conv, esc);
    json_t *o = order_of(id);
    char who[64];
    snprintf(who, sizeof who, "%s",
             ts_str(json_object_get(o, "customer"), "id"));
    json_decref(o);

    long st;
    json_t *r = offer(
        esc, json_pack("{s:s, s:i}", "kind", "discount", "percent", 15), &st);
    ts_assert_status(st, 200, r);
    json_t *call = json_object_get(r, "tool_call");
    assert_string_equal(ts_str(call, "tool"), "set_discount_to_order");
    assert_true(json_is_true(json_object_get(call, "ok")));
    assert_non_null(strstr(ts_str(r, "message"), "15%"));
    assert_string_equal(ts_str(json_object_get(r, "escalation"), "status"),
                        "open");
    json_decref(r);
    o = order_of(id);
    assert_int_equal(ts_int(o, "discount_total"), 750);
    assert_string_equal(ts_str(o, "status"), "confirmed");
    json_decref(o);

    /* on the audit trail, and sent to the customer */
    json_t *last = last_event(conv);
    assert_string_equal(ts_str(last, "kind"), "agent_offer");
    assert_non_null(
        strstr(ts_str(json_object_get(last, "data"), "text"), "15% off order"));
    json_decref(last);
    json_t *n = ts_feed_item(ts, who, "agent_reply");
    assert_non_null(n);
    assert_non_null(strstr(ts_str(n, "body"), "15% off order"));
    assert_non_null(strstr(ts_str(n, "body"), number));
    json_decref(n);

    /* one accepted offer per order, whoever applies it */
    r = offer(esc, json_pack("{s:s}", "kind", "shipping_upgrade"), &st);
    ts_assert_error(st, r, 409, "offer_already_accepted");
    json_decref(r);
    o = order_of(id);
    assert_string_equal(ts_str(o, "shipping_method"), "standard");
    assert_int_equal(ts_int(o, "discount_total"), 750);
    json_decref(o);
}

/* The swap and the coupon, through the same tools as in the chat. */
static void test_agent_swaps_and_issues_a_coupon(void **state)
{
    (void)state;
    char number[32], id[64], conv[64], esc[64];
    escalated_order(number, id, conv, esc);
    long st;
    json_t *r = offer(esc,
                      json_pack("{s:s, s:s, s:s}", "kind", "swap", "sku",
                                "ao-b", "from_sku", "ao-a"),
                      &st);
    ts_assert_status(st, 200, r);
    assert_string_equal(ts_str(json_object_get(r, "tool_call"), "tool"),
                        "product_swap");
    json_decref(r);
    json_t *o = order_of(id);
    json_t *line = json_array_get(json_object_get(o, "lines"), 0);
    assert_string_equal(ts_str(line, "sku"), "ao-b");
    json_decref(o);
    /* the swapped unit is back on sale (the first test's order still holds
     * one of ao-a); ao-b holds this one */
    ts_assert_inventory(ts, "ao-a", 10, 1, 9);
    ts_assert_inventory(ts, "ao-b", 10, 1, 9);

    escalated_order(number, id, conv, esc);
    r = offer(esc, json_pack("{s:s, s:i}", "kind", "coupon", "percent", 20),
              &st);
    ts_assert_status(st, 200, r);
    const char *code = ts_str(
        json_object_get(json_object_get(r, "tool_call"), "result"), "code");
    assert_non_null(code);
    assert_int_equal(strncmp(code, "SAVE20-", 7), 0);
    assert_non_null(strstr(ts_str(r, "message"), code));
    json_decref(r);
}

/* A guard's refusal, a closed escalation and malformed offers get clear
 * errors and change nothing. */
static void test_refusals_change_nothing(void **state)
{
    (void)state;
    char number[32], id[64], conv[64], esc[64];
    escalated_order(number, id, conv, esc);
    int events = ts_event_count(ts, number);
    long st;
    struct {
        json_t *body;
        long status;
        const char *code;
    } bad[] = {
        {json_pack("{s:s, s:i}", "kind", "discount", "percent", 90), 422,
         "discount_too_large"},
        {json_pack("{s:s}", "kind", "free_money"), 422, "invalid_offer"},
        {json_pack("{s:s}", "kind", "discount"), 422, "invalid"},
        {json_pack("{s:s, s:s}", "kind", "discount", "percent", "ten"), 400,
         "malformed"},
        {json_pack("{s:s, s:s}", "kind", "swap", "sku", "ao-b"), 422,
         "invalid"},
        {json_pack("{s:s, s:i, s:i}", "kind", "coupon", "percent", 20, "days",
                   -3),
         422, "invalid"},
        {json_pack("{}"), 422, "invalid"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        json_t *r = offer(esc, bad[i].body, &st);
        ts_assert_error(st, r, bad[i].status, bad[i].code);
        json_decref(r);
    }
    /* only the agents' roles may; an unknown escalation is not found */
    json_t *r = ts_post_as(ts, ts->service_key, NULL,
                           json_pack("{s:s}", "kind", "shipping_upgrade"), &st,
                           "/v1/escalations/%s/offers", esc);
    ts_assert_error(st, r, 403, "forbidden");
    json_decref(r);
    r = offer("esc_nosuchescalation",
              json_pack("{s:s}", "kind", "shipping_upgrade"), &st);
    ts_assert_error(st, r, 404, "not_found");
    json_decref(r);
    assert_int_equal(ts_event_count(ts, number), events);
    json_t *o = order_of(id);
    assert_int_equal(ts_int(o, "discount_total"), 0);
    json_decref(o);

    /* the refused discount left no accepted offer behind */
    r = offer(esc, json_pack("{s:s}", "kind", "shipping_upgrade"), &st);
    ts_assert_status(st, 200, r);
    json_decref(r);
    o = order_of(id);
    assert_string_equal(ts_str(o, "shipping_method"), "expedited");
    json_decref(o);
    events = ts_event_count(ts, number);

    /* once closed, no more offers */
    r = ts_post_as(ts, ts->agent_key, NULL,
                   json_pack("{s:s}", "resolution", "talked it through"), &st,
                   "/v1/escalations/%s/close", esc);
    ts_assert_status(st, 200, r);
    json_decref(r);
    r = offer(esc, json_pack("{s:s}", "kind", "shipping_upgrade"), &st);
    ts_assert_error(st, r, 409, "not_open");
    json_decref(r);
    assert_int_equal(ts_event_count(ts, number), events);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_agent_applies_a_discount),
        cmocka_unit_test(test_agent_swaps_and_issues_a_coupon),
        cmocka_unit_test(test_refusals_change_nothing),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
