/*
 * escalations.c - the agent queue: conversations handed over to a person,
 * their replies (recorded and sent to the customer), the offers agents
 * make, and their closing: by an agent, or by holdfast when the order is
 * cancelled.
 */
#include "services/escalations.h"
#include "services/analytics.h"
#include "services/order_json.h"
#include "services/retention_tools.h"

#include "util/jsonw.h"

#include <jansson.h>
#include <string.h>

static void escalation_json(hf_jsonw *w, const hf_escalation *e)
{
    hf_jw_object(w);
    hf_jw_key(w, "id");
    hf_jw_str(w, e->id);
    hf_jw_key(w, "conversation");
    hf_jw_str(w, e->conversation_id);
    hf_jw_key(w, "order_id");
    hf_jw_str(w, e->order_id);
    hf_jw_key(w, "reason");
    hf_jw_str(w, e->reason);
    hf_jw_key(w, "status");
    hf_jw_str(w, e->status);
    hf_jw_key(w, "created_at");
    hf_jw_time(w, e->created_at);
    hf_jw_key(w, "closed_at");
    hf_jw_time_or_null(w, e->closed_at);
    hf_jw_key(w, "agent");
    hf_jw_str(w, e->agent);
    hf_jw_key(w, "resolution");
    hf_jw_str(w, e->resolution);
    hf_jw_object_end(w);
}

static hf_rc escalation_reply(hf_txn *t, const char *id, hf_arena *a,
                              const char **json, hf_err *err)
{
    hf_escalation e;
    hf_rc rc = hf_txn_escalation_get(t, id, a, &e, err);
    if (rc != HF_OK)
        return rc;
    hf_jsonw w;
    hf_jw_init(&w, a);
    escalation_json(&w, &e);
    *json = hf_jw_finish(&w);
    return *json ? HF_OK : hf_fail(err, HF_ENOMEM, NULL, NULL, "out of memory");
}

/* {"escalation": e's id, who_key: who, "text": text} in a; NULL when a
 * is full. */
static const char *event_data(const hf_escalation *e, const char *who_key,
                              const char *who, const char *text, hf_arena *a)
{
    hf_jsonw w;
    hf_jw_init(&w, a);
    hf_jw_object(&w);
    hf_jw_key(&w, "escalation");
    hf_jw_str(&w, e->id);
    hf_jw_key(&w, who_key);
    hf_jw_str(&w, who);
    hf_jw_key(&w, "text");
    hf_jw_str(&w, text ? text : "");
    hf_jw_object_end(&w);
    return hf_jw_finish(&w);
}

/* Appends an entry of kind with data (NULL: out of memory) to the audit
 * trail of conversation id. */
static hf_rc record(hf_txn *t, const hf_services *svc, const char *id,
                    const char *kind, const char *data, hf_arena *a,
                    hf_err *err)
{
    if (data == NULL)
        return hf_fail(err, HF_ENOMEM, NULL, NULL, "out of memory");
    hf_conversation c;
    hf_rc rc = hf_txn_conversation_get(t, id, a, &c, err);
    if (rc != HF_OK)
        return rc;
    int expected = c.version++;
    hf_conversation_event ev = {++c.turns, hf_clock_now(svc->clock), kind,
                                data};
    c.updated_at = ev.at;
    rc = hf_txn_conversation_event_append(t, c.seq, &ev, err);
    return rc == HF_OK ? hf_txn_conversation_update(t, &c, expected, err) : rc;
}

/* Appends an agent's entry to the escalation's conversation. */
static hf_rc agent_event(hf_txn *t, const hf_services *svc,
                         const hf_escalation *e, const char *kind,
                         const char *text, const char *actor, hf_arena *a,
                         hf_err *err)
{
    return record(t, svc, e->conversation_id, kind,
                  event_data(e, "agent", actor, text, a), a, err);
}

/* Escalation id, which must be open: HF_ECONFLICT not_open when closed. */
static hf_rc open_escalation(hf_txn *t, const char *id, hf_arena *a,
                             hf_escalation *e, hf_err *err)
{
    hf_rc rc = hf_txn_escalation_get(t, id, a, e, err);
    if (rc == HF_OK && strcmp(e->status, "open") != 0)
        rc = hf_fail(err, HF_ECONFLICT, "not_open", NULL,
                     "escalation %s is closed", id);
    return rc;
}

/* Queues text for the escalation's customer, by their channels. */
static hf_rc tell_customer(hf_txn *t, const hf_services *svc,
                           const hf_escalation *e, const char *text,
                           hf_arena *a, hf_err *err)
{
    hf_jsonw w;
    hf_jw_init(&w, a);
    hf_jw_object(&w);
    hf_jw_key(&w, "order_id");
    hf_jw_str(&w, e->order_id);
    hf_jw_key(&w, "conversation_id");
    hf_jw_str(&w, e->conversation_id);
    hf_jw_key(&w, "text");
    hf_jw_str(&w, text);
    hf_jw_object_end(&w);
    const char *payload = hf_jw_finish(&w);
    if (payload == NULL)
        return hf_fail(err, HF_ENOMEM, NULL, NULL, "out of memory");
    return hf_txn_outbox_put(t, "conversation.agent_reply", e->order_id,
                             payload, hf_clock_now(svc->clock), err);
}

hf_rc hf_escalation_reply_txn(hf_txn *t, const hf_services *svc, const char *id,
                              const char *text, const char *actor, hf_arena *a,
                              const char **json, hf_err *err)
{
    hf_escalation e;
    hf_rc rc = open_escalation(t, id, a, &e, err);
    if (rc != HF_OK)
        return rc;
    rc = agent_event(t, svc, &e, "agent_reply", text, actor, a, err);
    /* the customer hears it by their channels, like any message */
    if (rc == HF_OK)
        rc = tell_customer(t, svc, &e, text, a, err);
    return rc == HF_OK ? escalation_reply(t, id, a, json, err) : rc;
}

hf_rc hf_escalation_close_txn(hf_txn *t, const hf_services *svc, const char *id,
                              const char *resolution, const char *actor,
                              hf_arena *a, const char **json, hf_err *err)
{
    hf_escalation e;
    hf_rc rc = hf_txn_escalation_get(t, id, a, &e, err);
    if (rc == HF_OK)
        rc = hf_txn_escalation_close(t, id, hf_clock_now(svc->clock), actor,
                                     resolution, err);
    if (rc == HF_OK)
        rc = agent_event(t, svc, &e, "agent_closed", resolution, actor, a, err);
    /* an escalated request is resolved when the agent closes it */
    hf_conversation c;
    hf_order o;
    if (rc == HF_OK)
        rc = hf_txn_conversation_get(t, e.conversation_id, a, &c, err);
    if (rc == HF_OK)
        rc = hf_txn_order_get(t, e.order_id, a, &o, err);
    if (rc == HF_OK)
        rc = hf_analytics_resolved(t, &o, &c, hf_clock_now(svc->clock), a, err);
    return rc == HF_OK ? escalation_reply(t, id, a, json, err) : rc;
}

/* --- Closed by the order's cancellation ------------------------------- */

/* Closes open escalation e, whose order o was cancelled by `by` (the
 * cancellation's actor), with resolution, as agent's (a person who
 * cancelled: counted as a resolution, as when an agent closes it) or with
 * no agent (counted as hf_analytics_escalation_cancelled); *data is its
 * escalation_closed event's. */
static hf_rc close_cancelled(hf_txn *t, const hf_services *svc,
                             const hf_escalation *e, const hf_order *o,
                             const char *resolution, const char *by,
                             const char *agent, hf_arena *a, const char **data,
                             hf_err *err)
{
    hf_time now = hf_clock_now(svc->clock);
    hf_conversation c;
    hf_rc rc = hf_txn_escalation_close(t, e->id, now, agent, resolution, err);
    if (rc == HF_OK)
        rc = hf_txn_conversation_get(t, e->conversation_id, a, &c, err);
    if (rc == HF_OK)
        rc = agent ? hf_analytics_resolved(t, o, &c, now, a, err)
                   : hf_analytics_escalation_cancelled(t, o, &c, now, a, err);
    if (rc != HF_OK)
        return rc;
    *data = event_data(e, "cancelled_by", by, resolution, a);
    return *data ? HF_OK : hf_fail(err, HF_ENOMEM, NULL, NULL, "out of memory");
}

/* What closed an escalation when req cancelled its order from elsewhere
 * than its conversation. */
static const char *cancelled_elsewhere(const hf_cancel_request *req,
                                       hf_arena *a)
{
    if (req->conversation != NULL)
        return hf_arena_printf(a,
                               "the customer cancelled the order in "
                               "conversation %s",
                               req->conversation);
    return hf_arena_printf(a, "the order was cancelled by %s (%s)",
                           req->actor ? req->actor : "holdfast", req->reason);
}

hf_rc hf_escalations_order_cancelled_txn(hf_txn *t, const hf_services *svc,
                                         const hf_order *o,
                                         const hf_cancel_request *req,
                                         hf_arena *a, hf_err *err)
{
    hf_escalation *open;
    size_t n = 0;
    hf_rc rc = hf_txn_escalation_open_of_order(t, o->id, a, &open, &n, err);
    if (rc != HF_OK || n == 0)
        return rc;
    const char *resolution = cancelled_elsewhere(req, a);
    if (resolution == NULL)
        return hf_fail(err, HF_ENOMEM, NULL, NULL, "out of memory");
    for (size_t i = 0; i < n && rc == HF_OK; i++) {
        if (req->conversation != NULL &&
            strcmp(open[i].conversation_id, req->conversation) == 0)
            continue; /* that conversation's turn closes it */
        const char *data;
        rc = close_cancelled(t, svc, &open[i], o, resolution,
                             req->actor ? req->actor : "holdfast", req->agent,
                             a, &data, err);
        if (rc == HF_OK)
            rc = record(t, svc, open[i].conversation_id, "escalation_closed",
                        data, a, err);
    }
    return rc;
}

hf_rc hf_escalations_conversation_cancelled_txn(
    hf_txn *t, const hf_services *svc, const hf_order *o, const char *id,
    const char *actor, hf_arena *a, const char ***events, size_t *n,
    hf_err *err)
{
    hf_escalation *open;
    size_t n_open;
    *n = 0;
    hf_rc rc =
        hf_txn_escalation_open_of_order(t, o->id, a, &open, &n_open, err);
    if (rc == HF_OK &&
        (*events = hf_arena_alloc(a, (n_open + 1) * sizeof(**events))) == NULL)
        return hf_fail(err, HF_ENOMEM, NULL, NULL, "out of memory");
    for (size_t i = 0; i < n_open && rc == HF_OK; i++)
        if (strcmp(open[i].conversation_id, id) == 0)
            rc = close_cancelled(
                t, svc, &open[i], o,
                "the customer cancelled the order in this conversation", actor,
                NULL, a, &(*events)[(*n)++], err);
    return rc;
}

/* The tool and its arguments for offer o; HF_EINVAL for a bad one. */
static hf_rc offer_call(const hf_agent_offer *o, hf_arena *a,
                        hf_tool_call *call, hf_err *err)
{
    bool pct =
        strcmp(o->kind, "discount") == 0 || strcmp(o->kind, "coupon") == 0;
    if (pct && (o->percent < 1 || o->percent > 100))
        return hf_fail(err, HF_EINVAL, "invalid", "percent",
                       "a %s is 1 to 100 percent", o->kind);
    json_t *args;
    if (strcmp(o->kind, "discount") == 0) {
        call->tool = HF_TOOL_SET_DISCOUNT;
        args = json_pack("{s:i}", "percent", o->percent);
    } else if (strcmp(o->kind, "shipping_upgrade") == 0) {
        call->tool = HF_TOOL_UPGRADE_SHIPPING;
        args = json_object();
    } else if (strcmp(o->kind, "coupon") == 0) {
        if (o->days < 0)
            return hf_fail(err, HF_EINVAL, "invalid", "days",
                           "days must be 1 or more (0: the default)");
        call->tool = HF_TOOL_FUTURE_COUPON;
        args = json_pack("{s:i, s:i}", "percent", o->percent, "days", o->days);
    } else if (strcmp(o->kind, "swap") == 0) {
        if (o->sku == NULL || o->from_sku == NULL)
            return hf_fail(err, HF_EINVAL, "invalid",
                           o->sku == NULL ? "sku" : "from_sku",
                           "a swap names the item (sku) and the order's item "
                           "it replaces (from_sku)");
        call->tool = HF_TOOL_PRODUCT_SWAP;
        args = json_pack("{s:s, s:s}", "sku", o->sku, "from_sku", o->from_sku);
    } else {
        return hf_fail(err, HF_EINVAL, "invalid_offer", "kind",
                       "kind must be discount, shipping_upgrade, swap or "
                       "coupon");
    }
    call->args = args ? hf_json_text(args, a) : NULL;
    json_decref(args);
    return call->args != NULL
               ? HF_OK
               : hf_fail(err, HF_ENOMEM, NULL, NULL, "out of memory");
}

/* What the customer is told of offer o, applied with result (the tool's
 * JSON) to order number. */
static const char *offer_message(const hf_agent_offer *o, const char *number,
                                 const char *result, hf_arena *a)
{
    if (strcmp(o->kind, "discount") == 0)
        return hf_arena_printf(a, "We have taken %d%% off order %s.",
                               o->percent, number);
    if (strcmp(o->kind, "shipping_upgrade") == 0)
        return hf_arena_printf(a,
                               "We have upgraded order %s to expedited "
                               "shipping, free of charge.",
                               number);
    if (strcmp(o->kind, "swap") == 0)
        return hf_arena_printf(a, "We have swapped %s for %s on order %s.",
                               o->from_sku, o->sku, number);
    json_t *r = json_loads(result, 0, NULL);
    const char *text = hf_arena_printf(
        a, "Here is a %d%% coupon for your next order: %s.", o->percent,
        r ? json_string_value(json_object_get(r, "code")) : "");
    json_decref(r);
    return text;
}

hf_rc hf_escalation_offer_txn(hf_txn *t, const hf_services *svc, const char *id,
                              const hf_agent_offer *o, const char *actor,
                              hf_arena *a, const char **json, hf_err *err)
{
    hf_escalation e;
    hf_tool_call call;
    hf_order order;
    hf_rc rc = open_escalation(t, id, a, &e, err);
    if (rc != HF_OK)
        return rc;
    if ((rc = offer_call(o, a, &call, err)) != HF_OK ||
        (rc = hf_txn_order_get(t, e.order_id, a, &order, err)) != HF_OK)
        return rc;
    hf_tool_env env = {.t = t,
                       .svc = svc,
                       .conversation_id = e.conversation_id,
                       .order_id = e.order_id,
                       .actor = actor,
                       .a = a};
    const char *result;
    if ((rc = hf_tool_run(&env, &call, &result, err)) != HF_OK)
        return rc; /* a guard said no; the caller rolls back */
    const char *told = offer_message(o, order.number, result, a);
    if ((rc = agent_event(t, svc, &e, "agent_offer", told, actor, a, err)) !=
            HF_OK ||
        (rc = tell_customer(t, svc, &e, told, a, err)) != HF_OK)
        return rc;
    hf_jsonw w;
    hf_jw_init(&w, a);
    hf_jw_object(&w);
    hf_jw_key(&w, "escalation");
    escalation_json(&w, &e);
    hf_jw_key(&w, "tool_call");
    hf_jw_object(&w);
    hf_jw_key(&w, "tool");
    hf_jw_str(&w, hf_tool_get(call.tool)->name);
    hf_jw_key(&w, "args");
    hf_jw_raw(&w, call.args);
    hf_jw_key(&w, "ok");
    hf_jw_bool(&w, true);
    hf_jw_key(&w, "result");
    hf_jw_raw(&w, result);
    hf_jw_object_end(&w);
    hf_jw_key(&w, "message");
    hf_jw_str(&w, told);
    hf_jw_object_end(&w);
    *json = hf_jw_finish(&w);
    return *json ? HF_OK : hf_fail(err, HF_ENOMEM, NULL, NULL, "out of memory");
}

hf_rc hf_escalation_list_txn(hf_txn *t, const char *status, const char *after,
                             int limit, hf_arena *a, const char **json,
                             hf_err *err)
{
    int64_t after_seq = 0;
    if (after != NULL) {
        hf_escalation e;
        hf_rc rc = hf_txn_escalation_get(t, after, a, &e, err);
        if (rc != HF_OK)
            return rc;
        after_seq = e.seq;
    }
    hf_escalation *list;
    size_t n;
    hf_rc rc =
        hf_txn_escalation_list(t, status, after_seq, limit, a, &list, &n, err);
    if (rc != HF_OK)
        return rc;
    hf_jsonw w;
    hf_jw_init(&w, a);
    hf_jw_object(&w);
    hf_jw_key(&w, "escalations");
    hf_jw_array(&w);
    for (size_t i = 0; i < n; i++)
        escalation_json(&w, &list[i]);
    hf_jw_array_end(&w);
    hf_jw_object_end(&w);
    *json = hf_jw_finish(&w);
    return *json ? HF_OK : hf_fail(err, HF_ENOMEM, NULL, NULL, "out of memory");
}
