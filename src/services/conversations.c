/*
 * conversations.c - cancel requests run through the merchant's policy.
 *
 * A turn, inside one write transaction: load the conversation and its
 * policy version, gather the order's facts, classify the message, let the
 * engine decide, carry out its tool calls (rolled back together if a
 * guard refuses one, and the engine told), then append the turn to the
 * audit trail and store the new state. A failed turn changes nothing.
 */
#include "services/conversations.h"

#include "core/money.h"
#include "services/analytics.h"
#include "services/conversation_state.h"
#include "services/escalations.h"
#include "services/experiments.h"
#include "services/order_changes.h"
#include "services/retention.h"
#include "services/retention_tools.h"
#include "util/id.h"
#include "util/jsonw.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

enum { MAX_CTX = 24 };

/* --- What the engine is told ---------------------------------------------- */

/* The live line worth most: the one a swap would replace. */
static const hf_order_line *main_line(const hf_order *o)
{
    const hf_order_line *best = NULL;
    hf_minor best_value = -1;
    for (size_t i = 0; i < o->n_lines; i++) {
        hf_minor v =
            o->lines[i].unit_price * hf_order_line_live_qty(&o->lines[i]);
        if (hf_order_line_live_qty(&o->lines[i]) > 0 && v > best_value) {
            best = &o->lines[i];
            best_value = v;
        }
    }
    return best;
}

static hf_rc gather_facts(hf_txn *t, const hf_services *svc, const hf_order *o,
                          hf_arena *a, hf_order_facts *f, hf_err *err)
{
    const hf_retention_config *cfg = hf_retention_config_of(svc->retention);
    memset(f, 0, sizeof(*f));
    f->number = o->number;
    f->status = o->status;
    f->held_from = o->held_from;
    f->currency = o->currency;
    f->subtotal = hf_order_subtotal(o);
    f->discount = o->discount_total;
    f->expedited = o->shipping_method == HF_SHIP_EXPEDITED;
    f->max_discount_percent = cfg->max_discount_percent;
    f->coupon_days = cfg->coupon_days;
    f->last_cancellable = svc->last_cancellable;
    hf_rc rc = hf_orders_cost_txn(t, o, a, &f->cost, err);
    if (rc != HF_OK)
        return rc;
    const char *kind, *offer;
    rc = hf_txn_retention_get(t, o->id, a, &kind, &offer, err);
    if (rc != HF_OK && rc != HF_ENOTFOUND)
        return rc;
    f->offer_taken = rc == HF_OK;
    const hf_order_line *l = main_line(o);
    if (l == NULL || f->offer_taken)
        return HF_OK;
    hf_product cur, swap;
    rc = hf_txn_product_get(t, l->sku, a, &cur, err);
    if (rc != HF_OK && rc != HF_ENOTFOUND)
        return rc;
    rc = hf_txn_swap_candidate(t, o->currency, l->unit_price, l->sku,
                               rc == HF_OK ? cur.category : NULL,
                               hf_order_line_live_qty(l), a, &swap, err);
    if (rc == HF_OK) {
        f->swap_sku = swap.sku;
        f->swap_name = swap.name;
        f->swap_from = l->sku;
    }
    return rc == HF_ENOTFOUND ? HF_OK : rc;
}

static const char *day(hf_time t, hf_arena *a)
{
    char buf[HF_TIME_TEXT];
    hf_time_format(t, buf);
    return hf_arena_strndup(a, buf, 10);
}

/* The amount alone, "138.99": policies write "$order.total
 * $order.currency", so the code is not repeated here. */
static const char *amount(hf_minor v, const char *currency, hf_arena *a)
{
    char buf[48];
    hf_money_format(v, currency, buf, sizeof(buf));
    return hf_arena_strndup(a, buf, strcspn(buf, " "));
}

/* The $context values of this order, then the caller's overrides (a later
 * value wins: the engine takes the last match). */
static size_t build_ctx(const hf_services *svc, const hf_order *o,
                        const hf_turn_request *req, hf_arena *a,
                        hf_ctx_value *ctx)
{
    const hf_retention_config *cfg = hf_retention_config_of(svc->retention);
    size_t first_space = o->customer.name ? strcspn(o->customer.name, " ") : 0;
    hf_ctx_value base[] = {
        {"order.number", o->number},
        {"order.id", o->id},
        {"order.status", hf_order_status_name(o->status)},
        {"order.total", amount(hf_order_total(o), o->currency, a)},
        {"order.subtotal", amount(hf_order_subtotal(o), o->currency, a)},
        {"order.currency", o->currency},
        {"order.promised_by", day(o->promised_by, a)},
        {"order.placed_at", day(o->placed_at, a)},
        {"order.shipping_method", hf_shipping_method_name(o->shipping_method)},
        {"customer.name", o->customer.name ? o->customer.name : ""},
        {"customer.first_name",
         o->customer.name ? hf_arena_strndup(a, o->customer.name, first_space)
                          : "there"},
        {"customer.email", o->customer.email},
        {"shop.name", cfg->shop_name ? cfg->shop_name : "our shop"},
        {"support_email", cfg->support_email ? cfg->support_email : ""},
        {"max_discount_percent",
         hf_arena_printf(a, "%d", cfg->max_discount_percent)},
    };
    size_t n = 0;
    for (size_t i = 0; i < HF_ARRAY_LEN(base) && n < MAX_CTX; i++)
        ctx[n++] = base[i];
    for (size_t i = 0; i < req->n_ctx && n < MAX_CTX; i++)
        ctx[n++] = req->ctx[i];
    return n;
}

/* --- Rendering -------------------------------------------------------------
 */

static void intent_json(hf_jsonw *w, const hf_intent_result *r)
{
    hf_jw_object(w);
    hf_jw_key(w, "intent");
    hf_jw_str(w, hf_intent_name(r->intent));
    hf_jw_key(w, "confidence");
    hf_jw_raw(w, hf_arena_printf(w->arena, "%.3f", r->confidence));
    hf_jw_key(w, "offer");
    if (r->offer != HF_OFFER_NONE)
        hf_jw_str(w, hf_offer_kind_name(r->offer));
    else
        hf_jw_null(w);
    hf_jw_key(w, "percent");
    if (r->percent)
        hf_jw_int(w, r->percent);
    else
        hf_jw_null(w);
    hf_jw_key(w, "order");
    if (r->order[0])
        hf_jw_str(w, r->order);
    else
        hf_jw_null(w);
    hf_jw_object_end(w);
}

/* One executed tool call, for the reply and the audit trail. */
typedef struct done_call {
    hf_tool_id tool;
    const char *args, *result; /* JSON */
    const char *error;         /* the guard's code; NULL when it ran */
    const char *message;
} done_call;

static void call_json(hf_jsonw *w, const done_call *d)
{
    hf_jw_object(w);
    hf_jw_key(w, "tool");
    hf_jw_str(w, hf_tool_get(d->tool)->name);
    hf_jw_key(w, "args");
    hf_jw_raw(w, d->args);
    hf_jw_key(w, "ok");
    hf_jw_bool(w, d->error == NULL);
    if (d->error) {
        hf_jw_key(w, "error");
        hf_jw_str(w, d->error);
        hf_jw_key(w, "message");
        hf_jw_str(w, d->message);
    } else {
        hf_jw_key(w, "result");
        hf_jw_raw(w, d->result);
    }
    hf_jw_object_end(w);
}

/* --- A turn -----------------------------------------------------------------
 */

typedef struct turn_ctx {
    hf_txn *t;
    const hf_services *svc;
    hf_arena *a;
    hf_conversation conv;
    const hf_policy_bundle *bundle;
    hf_order order;
    hf_order_facts facts;
    hf_ctx_value ctx[MAX_CTX];
    size_t n_ctx;
    hf_convo state;
    hf_intent_result intent;
    bool has_intent;
    done_call *done;
    size_t n_done;
    const char *actor;  /* the turn's tool calls': "conversation:<id>" */
    const char *coupon; /* a coupon code issued this turn, or NULL */
    bool no_offers;     /* the holdout arm or the offer cooldown: the
                           policy's cancellation, without offers */
} turn_ctx;

static hf_rc append_event(turn_ctx *x, const char *kind, const char *body,
                          hf_err *err)
{
    if (body == NULL)
        return hf_fail(err, HF_ENOMEM, NULL, NULL, "out of memory");
    hf_conversation_event e = {++x->conv.turns, hf_clock_now(x->svc->clock),
                               kind, body};
    return hf_txn_conversation_event_append(x->t, x->conv.seq, &e, err);
}

/* The string member name of the JSON object text, copied into a. */
static const char *json_field(const char *text, const char *name, hf_arena *a)
{
    json_t *j = json_loads(text, 0, NULL);
    const char *v = json_string_value(json_object_get(j, name));
    const char *copy = v ? hf_arena_strdup(a, v) : NULL;
    json_decref(j);
    return copy;
}

/* Runs the turn's tool calls. A guard's refusal rolls every call of the
 * turn back; *refused then names the offer and why. */
static hf_rc run_calls(turn_ctx *x, const hf_turn *turn, const char *actor,
                       done_call **refused, hf_err *err)
{
    x->done = hf_arena_zalloc(x->a, (turn->n_calls + 1) * sizeof(*x->done));
    x->n_done = 0;
    *refused = NULL;
    if (x->done == NULL)
        return hf_fail(err, HF_ENOMEM, NULL, NULL, "out of memory");
    hf_tool_env env = {.t = x->t,
                       .svc = x->svc,
                       .conversation_id = x->conv.id,
                       .order_id = x->order.id,
                       .reason = x->state.reason,
                       .note = x->state.note,
                       .actor = actor,
                       .a = x->a};
    hf_rc rc = hf_txn_savepoint(x->t, err);
    for (size_t i = 0; rc == HF_OK && i < turn->n_calls; i++) {
        done_call *d = &x->done[x->n_done++];
        d->tool = turn->calls[i].tool;
        d->args = turn->calls[i].args;
        hf_err tool_err;
        hf_err_clear(&tool_err);
        rc = hf_tool_run(&env, &turn->calls[i], &d->result, &tool_err);
        if (rc == HF_OK && d->tool == HF_TOOL_FUTURE_COUPON)
            env.coupon = x->coupon = json_field(d->result, "code", x->a);
        if (hf_store_lost_race(rc, &tool_err)) {
            /* not a refusal: another writer changed the order first; the
             * store runs the whole turn again on what it wrote */
            *err = tool_err;
            return rc;
        }
        if (rc == HF_EINVAL || rc == HF_ECONFLICT || rc == HF_ENOTFOUND ||
            rc == HF_EPAYMENT) {
            d->error = hf_arena_strdup(x->a, tool_err.code);
            d->message = hf_arena_strdup(x->a, tool_err.message);
            *refused = d;
            return hf_txn_rollback_to(x->t, err);
        }
        if (rc != HF_OK)
            *err = tool_err;
    }
    return rc == HF_OK ? hf_txn_release(x->t, err) : rc;
}

static const char *offer_of_call(const done_call *d, hf_arena *a)
{
    json_t *j = json_loads(d->args, 0, NULL);
    const char *id = json_string_value(json_object_get(j, "offer"));
    const char *copy = hf_arena_strdup(a, id ? id : "");
    json_decref(j);
    return copy;
}

/* The offers on the table, the phase and the outcome, as members of the
 * object being written. */
static void state_members(hf_jsonw *w, turn_ctx *x)
{
    hf_jw_key(w, "offers");
    hf_offers_json(w, &x->state.st, x->a);
    hf_jw_key(w, "state");
    hf_jw_str(w, hf_phase_name(x->state.st.phase));
    hf_jw_key(w, "outcome");
    hf_jw_str(w, hf_outcome_name(x->state.st.outcome));
}

static const char *turn_json(turn_ctx *x, const hf_turn *turn, bool request)
{
    hf_jsonw w;
    hf_jw_init(&w, x->a);
    hf_jw_object(&w);
    hf_jw_key(&w, request ? "id" : "conversation");
    hf_jw_str(&w, x->conv.id);
    hf_jw_key(&w, "order");
    hf_jw_str(&w, x->order.number);
    if (request) {
        hf_jw_key(&w, "eligible");
        hf_jw_bool(&w, x->state.st.phase != HF_PHASE_NOT_ELIGIBLE);
    }
    hf_jw_key(&w, "reply");
    hf_jw_str(&w, turn->reply);
    if (x->has_intent) {
        hf_jw_key(&w, "intent");
        intent_json(&w, &x->intent);
    }
    hf_jw_key(&w, "tool_calls");
    hf_jw_array(&w);
    for (size_t i = 0; i < x->n_done; i++)
        call_json(&w, &x->done[i]);
    hf_jw_array_end(&w);
    hf_jw_key(&w, "decision");
    hf_jw_str(&w, turn->decision);
    state_members(&w, x);
    hf_jw_key(&w, "policy_version");
    hf_jw_str(&w, x->conv.policy_version);
    hf_jw_object_end(&w);
    return hf_jw_finish(&w);
}

/* The audit entry of the engine's decision. */
static const char *decision_json(turn_ctx *x, const hf_turn *turn)
{
    hf_jsonw w;
    hf_jw_init(&w, x->a);
    hf_jw_object(&w);
    hf_jw_key(&w, "decision");
    hf_jw_str(&w, turn->decision);
    hf_jw_key(&w, "why");
    hf_jw_str(&w, turn->why ? turn->why : "");
    hf_jw_key(&w, "policy");
    hf_jw_str(&w, x->bundle->name);
    hf_jw_key(&w, "policy_line");
    hf_jw_int(&w, turn->plan_line);
    hf_jw_key(&w, "reply");
    hf_jw_str(&w, turn->reply);
    state_members(&w, x);
    hf_jw_object_end(&w);
    return hf_jw_finish(&w);
}

static const char *customer_json(turn_ctx *x, const hf_turn_request *req)
{
    hf_jsonw w;
    hf_jw_init(&w, x->a);
    hf_jw_object(&w);
    hf_jw_key(&w, "input");
    static const char *const kinds[] = {"message", "accept", "decline",
                                        "agent"};
    hf_jw_str(&w, kinds[req->kind]);
    if (req->text) {
        hf_jw_key(&w, "text");
        hf_jw_str(&w, req->text);
    }
    if (req->offer_id) {
        hf_jw_key(&w, "offer");
        hf_jw_str(&w, req->offer_id);
    }
    if (x->has_intent) {
        hf_jw_key(&w, "intent");
        intent_json(&w, &x->intent);
    }
    hf_jw_object_end(&w);
    return hf_jw_finish(&w);
}

static hf_rc load_turn(turn_ctx *x, const char *id, hf_err *err)
{
    if (x->svc->retention == NULL)
        return hf_fail(err, HF_EBUSY, "policy_unavailable", NULL,
                       "no cancellation policy is loaded");
    hf_rc rc = hf_txn_conversation_get(x->t, id, x->a, &x->conv, err);
    if (rc == HF_OK)
        rc = hf_retention_version(x->svc->retention, x->t,
                                  x->conv.policy_version, &x->bundle, err);
    if (rc == HF_OK)
        rc = hf_txn_order_get(x->t, x->conv.order_id, x->a, &x->order, err);
    if (rc == HF_OK)
        rc = hf_convo_from_json(x->conv.state_json, x->a, &x->state, err);
    if (rc == HF_OK)
        rc = hf_experiment_no_offers(x->t, x->conv.experiment_id, x->conv.arm,
                                     x->a, &x->no_offers, err);
    return rc;
}

/* Decides (and, if a guard refuses, decides again) and carries out. */
static hf_rc decide_and_act(turn_ctx *x, const hf_turn_request *req,
                            hf_turn *turn, hf_err *err)
{
    hf_rc rc = gather_facts(x->t, x->svc, &x->order, x->a, &x->facts, err);
    if (rc != HF_OK)
        return rc;
    x->n_ctx = build_ctx(x->svc, &x->order, req, x->a, x->ctx);
    const hf_retention_config *cfg = hf_retention_config_of(x->svc->retention);
    /* without offers, the conversation runs the policy's cancellation */
    const hf_plan *cancel_plan =
        x->bundle->cancel_plan ? x->bundle->cancel_plan : x->bundle->plan;
    hf_engine_input in = {
        .plan = x->no_offers ? cancel_plan : x->bundle->plan,
        .cancel_plan = x->no_offers ? NULL : x->bundle->cancel_plan,
        .facts = &x->facts,
        .ctx = x->ctx,
        .n_ctx = x->n_ctx,
        .kind = req->kind,
        .intent = x->has_intent ? &x->intent : NULL,
        .text = req->text,
        .offer_id = req->offer_id,
        .min_confidence = cfg->min_confidence,
        .await_decision = strcmp(x->conv.channel, "self_service") == 0,
    };
    hf_convo_state before = x->state.st;
    if ((rc = hf_engine_turn(&in, &x->state.st, x->a, turn, err)) != HF_OK)
        return rc;
    x->actor = hf_arena_printf(x->a, "conversation:%s", x->conv.id);
    done_call *refused;
    if ((rc = run_calls(x, turn, x->actor, &refused, err)) != HF_OK)
        return rc;
    if (refused == NULL && x->coupon != NULL) /* known only now */
        turn->reply = hf_arena_printf(x->a, "%s Your coupon code is %s.",
                                      turn->reply, x->coupon);
    if (refused == NULL)
        return HF_OK;
    /* a guard said no: nothing of this turn happened; say so */
    done_call failed = *refused;
    x->state.st = before;
    rc = hf_engine_offer_failed(&in, &x->state.st, offer_of_call(&failed, x->a),
                                failed.message, x->a, turn, err);
    x->done[0] = failed;
    x->n_done = 1;
    return rc;
}

/* When the turn cancelled the order, the conversation's open escalations
 * close with it (an agent has nothing left to do), each recorded after
 * the decision. */
static hf_rc close_escalations(turn_ctx *x, hf_err *err)
{
    bool cancelled = false;
    for (size_t i = 0; i < x->n_done; i++)
        cancelled = cancelled || (x->done[i].tool == HF_TOOL_CANCEL_ORDER &&
                                  x->done[i].error == NULL);
    if (!cancelled)
        return HF_OK;
    const char **events;
    size_t n;
    hf_rc rc = hf_escalations_conversation_cancelled_txn(
        x->t, x->svc, &x->order, x->conv.id, x->actor, x->a, &events, &n, err);
    for (size_t i = 0; i < n && rc == HF_OK; i++)
        rc = append_event(x, "escalation_closed", events[i], err);
    return rc;
}

/* What the turn moves in the KPIs: the request's first offers, and its
 * first outcome (with what a retained order kept). */
static hf_rc count_turn(turn_ctx *x, const hf_turn *turn, hf_err *err)
{
    hf_time now = hf_clock_now(x->svc->clock);
    hf_rc rc = HF_OK;
    if (x->conv.offered_at == 0 &&
        strcmp(turn->decision, "present_offers") == 0) {
        const char *kinds[HF_ENGINE_MAX_OFFERS];
        size_t n = 0;
        for (int i = 0; i < x->state.st.n_offers; i++)
            kinds[n++] = hf_offer_kind_name(x->state.st.offers[i].kind);
        x->conv.offered_at = now;
        rc = hf_analytics_offered(x->t, &x->order, &x->conv, kinds, n, x->a,
                                  err);
    }
    const char *before = x->conv.outcome;
    x->conv.outcome = hf_outcome_name(x->state.st.outcome);
    if (rc != HF_OK || before == NULL || strcmp(before, "open") != 0 ||
        strcmp(x->conv.outcome, "open") == 0)
        return rc;
    x->conv.outcome_at = now;
    if (strcmp(x->conv.outcome, "retained") == 0) {
        /* the order as the offer left it */
        hf_order kept;
        if ((rc = hf_txn_order_get(x->t, x->order.id, x->a, &kept, err)) !=
            HF_OK)
            return rc;
        x->conv.kept_total = hf_order_total(&kept);
        x->conv.kept_discount = kept.discount_total;
    }
    return hf_analytics_outcome(x->t, &x->order, &x->conv, x->a, err);
}

static hf_rc run_turn(turn_ctx *x, const hf_turn_request *req, bool request,
                      const char **json, hf_err *err)
{
    if (req->reason != NULL)
        x->state.reason = req->reason;
    if (req->kind == HF_INPUT_MESSAGE) {
        if (req->intent)
            x->intent = *req->intent;
        else
            hf_intent_classify(hf_retention_model(x->svc->retention),
                               req->text ? req->text : "", &x->intent);
        x->has_intent = true;
    }
    hf_rc rc = append_event(x, "customer", customer_json(x, req), err);
    hf_turn turn;
    if (rc == HF_OK)
        rc = decide_and_act(x, req, &turn, err);
    for (size_t i = 0; rc == HF_OK && i < x->n_done; i++) {
        hf_jsonw w;
        hf_jw_init(&w, x->a);
        call_json(&w, &x->done[i]);
        rc = append_event(x, "tool_call", hf_jw_finish(&w), err);
    }
    if (rc == HF_OK)
        rc = append_event(x, "decision", decision_json(x, &turn), err);
    if (rc == HF_OK)
        rc = close_escalations(x, err);
    if (rc != HF_OK)
        return rc;
    int expected = x->conv.version;
    x->conv.version++;
    x->conv.state = hf_phase_name(x->state.st.phase);
    if ((rc = count_turn(x, &turn, err)) != HF_OK)
        return rc;
    x->conv.state_json = hf_convo_to_json(&x->state, x->a);
    x->conv.updated_at = hf_clock_now(x->svc->clock);
    if (x->conv.state_json == NULL)
        return hf_fail(err, HF_ENOMEM, NULL, NULL, "out of memory");
    if ((rc = hf_txn_conversation_update(x->t, &x->conv, expected, err)) !=
        HF_OK)
        return rc;
    *json = turn_json(x, &turn, request);
    return *json ? HF_OK : hf_fail(err, HF_ENOMEM, NULL, NULL, "out of memory");
}

hf_rc hf_conversation_turn_txn(hf_txn *t, const hf_services *svc,
                               const hf_turn_request *req, hf_arena *a,
                               const char **json, hf_err *err)
{
    turn_ctx x = {.t = t, .svc = svc, .a = a};
    hf_rc rc = load_turn(&x, req->conversation, err);
    if (rc != HF_OK)
        return rc;
    return run_turn(&x, req, false, json, err);
}

/* --- Starting
 * ----------------------------------------------------------------- */

static hf_rc create(hf_txn *t, const hf_services *svc, const char *order,
                    const char *channel, const hf_convo *initial, hf_arena *a,
                    hf_conversation *out, hf_order *o, hf_err *err)
{
    if (svc->retention == NULL)
        return hf_fail(err, HF_EBUSY, "policy_unavailable", NULL,
                       "no cancellation policy is loaded");
    hf_rc rc = hf_txn_order_get(t, order, a, o, err);
    if (rc != HF_OK)
        return rc;
    const hf_policy_bundle *b;
    if ((rc = hf_retention_current_txn(svc->retention, t, &b, err)) != HF_OK)
        return rc;
    hf_time now = hf_clock_now(svc->clock);
    /* a running experiment picks the customer's arm and its policy */
    hf_assignment arm;
    if ((rc = hf_experiment_assign(t, svc, o->customer.id, now, a, &arm,
                                   err)) != HF_OK)
        return rc;
    if (arm.policy != NULL &&
        (rc = hf_retention_named(svc->retention, arm.policy, &b, err)) != HF_OK)
        return rc;
    if ((rc = hf_txn_policy_version_put(t, b->version, b->name, b->sources, now,
                                        err)) != HF_OK)
        return rc;
    char *id = hf_arena_alloc(a, HF_ID_MAX);
    if (id == NULL)
        return hf_fail(err, HF_ENOMEM, NULL, NULL, "out of memory");
    hf_id_new("cnv", 20, id);
    *out = (hf_conversation){
        .id = id,
        .order_id = o->id,
        .channel = channel,
        .policy_version = b->version,
        .state = hf_phase_name(HF_PHASE_START),
        .outcome = hf_outcome_name(HF_OUTCOME_OPEN),
        .state_json = hf_convo_to_json(initial, a),
        .version = 1,
        .created_at = now,
        .updated_at = now,
        .reason = initial->reason,
        .experiment_id = arm.experiment_id,
        .arm = arm.arm,
    };
    if (out->state_json == NULL)
        return hf_fail(err, HF_ENOMEM, NULL, NULL, "out of memory");
    if ((rc = hf_analytics_request(t, o, out, a, err)) != HF_OK)
        return rc;
    return hf_txn_conversation_insert(t, out, err);
}

hf_rc hf_conversation_start_txn(hf_txn *t, const hf_services *svc,
                                const char *order, const char *channel,
                                const char *actor, hf_arena *a,
                                const char **json, hf_err *err)
{
    (void)actor;
    hf_convo initial;
    memset(&initial, 0, sizeof(initial));
    hf_conversation c;
    hf_order o;
    hf_rc rc = create(t, svc, order, channel, &initial, a, &c, &o, err);
    if (rc != HF_OK)
        return rc;
    const char *greeting = hf_arena_printf(
        a, "Hi%s%s! How can I help with order %s?", o.customer.name ? " " : "",
        o.customer.name ? hf_arena_strndup(a, o.customer.name,
                                           strcspn(o.customer.name, " "))
                        : "",
        o.number);
    hf_jsonw w;
    hf_jw_init(&w, a);
    hf_jw_object(&w);
    hf_jw_key(&w, "reply");
    hf_jw_str(&w, greeting);
    hf_jw_key(&w, "channel");
    hf_jw_str(&w, channel);
    hf_jw_object_end(&w);
    hf_conversation_event e = {++c.turns, c.created_at, "started",
                               hf_jw_finish(&w)};
    if (e.body == NULL)
        return hf_fail(err, HF_ENOMEM, NULL, NULL, "out of memory");
    int expected = c.version++;
    if ((rc = hf_txn_conversation_event_append(t, c.seq, &e, err)) != HF_OK ||
        (rc = hf_txn_conversation_update(t, &c, expected, err)) != HF_OK)
        return rc;
    hf_jw_init(&w, a);
    hf_jw_object(&w);
    hf_jw_key(&w, "id");
    hf_jw_str(&w, c.id);
    hf_jw_key(&w, "order");
    hf_jw_str(&w, o.number);
    hf_jw_key(&w, "channel");
    hf_jw_str(&w, channel);
    const hf_policy_bundle *b;
    if ((rc = hf_retention_version(svc->retention, t, c.policy_version, &b,
                                   err)) != HF_OK)
        return rc;
    hf_jw_key(&w, "policy");
    hf_jw_str(&w, b->name);
    hf_jw_key(&w, "policy_version");
    hf_jw_str(&w, c.policy_version);
    hf_jw_key(&w, "reply");
    hf_jw_str(&w, greeting);
    hf_jw_key(&w, "state");
    hf_jw_str(&w, c.state);
    hf_jw_key(&w, "outcome");
    hf_jw_str(&w, c.outcome);
    hf_jw_key(&w, "created_at");
    hf_jw_time(&w, c.created_at);
    hf_jw_object_end(&w);
    *json = hf_jw_finish(&w);
    return *json ? HF_OK : hf_fail(err, HF_ENOMEM, NULL, NULL, "out of memory");
}

hf_rc hf_cancellation_request_txn(hf_txn *t, const hf_services *svc,
                                  const char *order, const char *reason,
                                  const char *note, const char *actor,
                                  hf_arena *a, const char **json, hf_err *err)
{
    if (reason != NULL && !hf_cancel_reason_valid(reason))
        return hf_fail(err, HF_EINVAL, "invalid_reason", "reason",
                       "reason must be one of the cancellation reason codes");
    hf_convo initial;
    memset(&initial, 0, sizeof(initial));
    initial.reason = reason;
    initial.note = note;
    turn_ctx x = {.t = t, .svc = svc, .a = a};
    hf_rc rc = create(t, svc, order, "self_service", &initial, a, &x.conv,
                      &x.order, err);
    if (rc == HF_OK)
        rc = hf_retention_version(svc->retention, t, x.conv.policy_version,
                                  &x.bundle, err);
    if (rc == HF_OK)
        rc = hf_experiment_no_offers(t, x.conv.experiment_id, x.conv.arm, a,
                                     &x.no_offers, err);
    if (rc != HF_OK)
        return rc;
    x.state = initial;
    /* the page's request is an unambiguous "cancel this order" */
    hf_intent_result ask = {.intent = HF_INTENT_CANCEL_ORDER,
                            .confidence = 1.0};
    hf_turn_request req = {.conversation = x.conv.id,
                           .kind = HF_INPUT_MESSAGE,
                           .text = note,
                           .intent = &ask,
                           .actor = actor};
    return run_turn(&x, &req, true, json, err);
}

/* --- Reading -----------------------------------------------------------------
 */

hf_rc hf_conversation_get_txn(hf_txn *t, const char *id, hf_arena *a,
                              const char **json, hf_err *err)
{
    hf_conversation c;
    hf_rc rc = hf_txn_conversation_get(t, id, a, &c, err);
    hf_conversation_event *ev;
    size_t n;
    const char *doc;
    if (rc == HF_OK)
        rc = hf_txn_conversation_events(t, c.seq, a, &ev, &n, err);
    if (rc == HF_OK)
        rc = hf_txn_order_get_doc(t, c.order_id, a, &doc, err);
    if (rc != HF_OK)
        return rc;
    hf_policy_version version;
    rc = hf_txn_policy_version_get(t, c.policy_version, a, &version, err);
    if (rc != HF_OK)
        return rc;
    json_t *order = json_loads(doc, 0, NULL);
    const char *number = json_string_value(json_object_get(order, "number"));
    hf_jsonw w;
    hf_jw_init(&w, a);
    hf_jw_object(&w);
    hf_jw_key(&w, "id");
    hf_jw_str(&w, c.id);
    hf_jw_key(&w, "order");
    hf_jw_str(&w, number ? number : c.order_id);
    json_decref(order);
    hf_jw_key(&w, "channel");
    hf_jw_str(&w, c.channel);
    hf_jw_key(&w, "policy");
    hf_jw_str(&w, version.name);
    hf_jw_key(&w, "policy_version");
    hf_jw_str(&w, c.policy_version);
    hf_jw_key(&w, "state");
    hf_jw_str(&w, c.state);
    hf_jw_key(&w, "outcome");
    hf_jw_str(&w, c.outcome);
    hf_jw_key(&w, "created_at");
    hf_jw_time(&w, c.created_at);
    hf_jw_key(&w, "updated_at");
    hf_jw_time(&w, c.updated_at);
    hf_jw_key(&w, "events");
    hf_jw_array(&w);
    for (size_t i = 0; i < n; i++) {
        hf_jw_object(&w);
        hf_jw_key(&w, "n");
        hf_jw_int(&w, ev[i].n);
        hf_jw_key(&w, "at");
        hf_jw_time(&w, ev[i].at);
        hf_jw_key(&w, "kind");
        hf_jw_str(&w, ev[i].kind);
        hf_jw_key(&w, "data");
        hf_jw_raw(&w, ev[i].body);
        hf_jw_object_end(&w);
    }
    hf_jw_array_end(&w);
    hf_jw_object_end(&w);
    *json = hf_jw_finish(&w);
    return *json ? HF_OK : hf_fail(err, HF_ENOMEM, NULL, NULL, "out of memory");
}
