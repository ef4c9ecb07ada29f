/*
 * retention_tools.c - what each policy tool does to the store. The table
 * is indexed by hf_tool_id; aliases resolve to the same row in
 * policy/tools.c, so a BigCommerce-named policy acts on holdfast's store.
 */
#include "services/retention_tools.h"

#include "services/order_changes.h"
#include "services/order_json.h"
#include "services/orders.h"
#include "services/retention.h"
#include "util/id.h"
#include "util/jsonw.h"

#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

typedef hf_rc (*tool_fn)(const hf_tool_env *env, json_t *args, hf_jsonw *w,
                         hf_err *err);

static const hf_retention_config *config(const hf_tool_env *env)
{
    return hf_retention_config_of(env->svc->retention);
}

static const char *str_arg(json_t *args, const char *name)
{
    return json_string_value(json_object_get(args, name));
}

static int int_arg(json_t *args, const char *name)
{
    return (int)json_integer_value(json_object_get(args, name));
}

/* One accepted offer per order: records it, or HF_ECONFLICT. */
static hf_rc record_offer(const hf_tool_env *env, json_t *args,
                          const char *kind, hf_err *err)
{
    const char *k, *o;
    hf_rc rc = hf_txn_retention_get(env->t, env->order_id, env->a, &k, &o, err);
    if (rc == HF_OK)
        return hf_fail(err, HF_ECONFLICT, "offer_already_accepted", NULL,
                       "this order already kept an offer (%s)", k);
    if (rc != HF_ENOTFOUND)
        return rc;
    char *text = json_dumps(args, JSON_COMPACT | JSON_SORT_KEYS);
    if (text == NULL)
        return hf_fail(err, HF_ENOMEM, NULL, NULL, "out of memory");
    const char *copy = hf_arena_strdup(env->a, text);
    free(text);
    return hf_txn_retention_put(env->t, env->order_id, env->conversation_id,
                                kind, copy ? copy : "{}",
                                hf_clock_now(env->svc->clock), err);
}

static void order_summary(hf_jsonw *w, const hf_order *o)
{
    hf_jw_key(w, "order");
    hf_jw_str(w, o->number);
    hf_jw_key(w, "status");
    hf_jw_str(w, hf_order_status_name(o->status));
    hf_jw_key(w, "total");
    hf_jw_int(w, hf_order_total(o));
    hf_jw_key(w, "discount_total");
    hf_jw_int(w, o->discount_total);
    hf_jw_key(w, "shipping_method");
    hf_jw_str(w, hf_shipping_method_name(o->shipping_method));
    hf_jw_key(w, "promised_by");
    hf_jw_time(w, o->promised_by);
}

static hf_rc order_details(const hf_tool_env *env, json_t *args, hf_jsonw *w,
                           hf_err *err)
{
    (void)args;
    hf_order o;
    hf_rc rc = hf_txn_order_get(env->t, env->order_id, env->a, &o, err);
    if (rc == HF_OK)
        order_summary(w, &o);
    return rc;
}

static hf_rc set_discount(const hf_tool_env *env, json_t *args, hf_jsonw *w,
                          hf_err *err)
{
    hf_rc rc = record_offer(env, args, "discount", err);
    hf_order_result out;
    if (rc == HF_OK)
        rc = hf_orders_discount_txn(
            env->t, env->svc, env->order_id, int_arg(args, "percent"),
            config(env)->max_discount_percent, env->actor, env->a, &out, err);
    if (rc == HF_OK)
        order_summary(w, &out.order);
    return rc;
}

static hf_rc upgrade_shipping(const hf_tool_env *env, json_t *args, hf_jsonw *w,
                              hf_err *err)
{
    hf_rc rc = record_offer(env, args, "shipping_upgrade", err);
    hf_order_result out;
    if (rc == HF_OK)
        rc = hf_orders_upgrade_shipping_txn(env->t, env->svc, env->order_id,
                                            env->actor, env->a, &out, err);
    if (rc == HF_OK)
        order_summary(w, &out.order);
    return rc;
}

static hf_rc product_swap(const hf_tool_env *env, json_t *args, hf_jsonw *w,
                          hf_err *err)
{
    const char *to = str_arg(args, "sku"), *from = str_arg(args, "from_sku");
    if (to == NULL || from == NULL)
        return hf_fail(err, HF_EINVAL, "invalid", "sku",
                       "a swap names the item and what it replaces");
    hf_rc rc = record_offer(env, args, "swap", err);
    hf_order_result out;
    if (rc == HF_OK)
        rc = hf_orders_swap_txn(env->t, env->svc, env->order_id, from, to,
                                env->actor, env->a, &out, err);
    if (rc == HF_OK) {
        order_summary(w, &out.order);
        hf_jw_key(w, "swapped_to");
        hf_jw_str(w, to);
    }
    return rc;
}

/* "SAVE20-" and 10 characters no one confuses (no 0/O, 1/I). */
static void coupon_code(int percent, char out[32])
{
    static const char alphabet[] = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    int n = snprintf(out, 32, "SAVE%d-", percent);
    for (int i = 0; i < 10 && n + i < 31; i++)
        out[n + i] = alphabet[randombytes_uniform(sizeof(alphabet) - 1)];
    out[n + 10 < 31 ? n + 10 : 31] = '\0';
}

static hf_rc future_coupon(const hf_tool_env *env, json_t *args, hf_jsonw *w,
                           hf_err *err)
{
    int percent = int_arg(args, "percent"), days = int_arg(args, "days");
    if (percent < 1 || percent > 100)
        return hf_fail(err, HF_EINVAL, "invalid", "percent",
                       "a coupon is 1 to 100 percent");
    if (days < 1)
        days = config(env)->coupon_days;
    hf_order o;
    hf_rc rc = hf_txn_order_get(env->t, env->order_id, env->a, &o, err);
    if (rc == HF_OK)
        rc = record_offer(env, args, "coupon", err);
    if (rc != HF_OK)
        return rc;
    char code[32];
    hf_time now = hf_clock_now(env->svc->clock);
    hf_coupon c = {code,    o.customer.id, o.id,
                   percent, now,           now + (hf_time)days * HF_DAY};
    /* 32^10 codes: a clash is all but impossible, but never reuse one */
    for (int attempt = 0; attempt < 3; attempt++) {
        coupon_code(percent, code);
        if ((rc = hf_txn_coupon_insert(env->t, &c, err)) != HF_ECONFLICT)
            break;
    }
    if (rc != HF_OK)
        return rc;
    const char *data = hf_arena_printf(
        env->a, "{\"code\":\"%s\",\"percent\":%d}", code, percent);
    hf_order_result out;
    rc = hf_orders_note_txn(env->t, o.id, "coupon_issued", env->actor, now,
                            "retention_offer", data, env->a, &out, err);
    if (rc != HF_OK)
        return rc;
    hf_jw_key(w, "code");
    hf_jw_str(w, code);
    hf_jw_key(w, "percent");
    hf_jw_int(w, percent);
    hf_jw_key(w, "expires_at");
    hf_jw_time(w, c.expires_at);
    return HF_OK;
}

static hf_rc send_message(const hf_tool_env *env, json_t *args, hf_jsonw *w,
                          hf_err *err)
{
    const char *message = str_arg(args, "message");
    const char *offer = str_arg(args, "offer_description");
    hf_jsonw p;
    hf_jw_init(&p, env->a);
    hf_jw_object(&p);
    hf_jw_key(&p, "order_id");
    hf_jw_str(&p, env->order_id);
    hf_jw_key(&p, "conversation_id");
    hf_jw_str(&p, env->conversation_id);
    hf_jw_key(&p, "message");
    hf_jw_str(&p, message ? message : "");
    hf_jw_key(&p, "offer_description");
    const char *what = offer ? offer : (message ? message : "");
    if (env->coupon != NULL) /* the customer needs the code itself */
        what = hf_arena_printf(env->a, "%s: code %s", what, env->coupon);
    hf_jw_str(&p, what ? what : "");
    hf_jw_object_end(&p);
    const char *payload = hf_jw_finish(&p);
    if (payload == NULL)
        return hf_fail(err, HF_ENOMEM, NULL, NULL, "out of memory");
    hf_rc rc =
        hf_txn_outbox_put(env->t, "retention.offer_applied", env->order_id,
                          payload, hf_clock_now(env->svc->clock), err);
    if (rc == HF_OK) {
        hf_jw_key(w, "queued");
        hf_jw_str(w, "retention_offer_applied");
    }
    return rc;
}

static hf_rc cancel_order(const hf_tool_env *env, json_t *args, hf_jsonw *w,
                          hf_err *err)
{
    const char *reason = env->reason ? env->reason : str_arg(args, "reason");
    hf_cancel_request cr = {
        .order = env->order_id,
        .reason =
            reason && hf_cancel_reason_valid(reason) ? reason : "changed_mind",
        .note = env->note,
        .actor = env->actor,
        .conversation = env->conversation_id,
    };
    hf_order_result out;
    hf_rc rc = hf_orders_cancel_txn(env->t, env->svc, &cr, env->a, &out, err);
    if (rc != HF_OK)
        return rc;
    order_summary(w, &out.order);
    hf_jw_key(w, "refunded");
    hf_jw_int(w, out.order.payment.refunded + out.order.payment.voided);
    if (json_is_true(json_object_get(args, "survey"))) {
        const char *payload = hf_arena_printf(
            env->a, "{\"order_id\":\"%s\",\"conversation_id\":\"%s\"}",
            env->order_id, env->conversation_id);
        rc = hf_txn_outbox_put(env->t, "retention.survey", env->order_id,
                               payload, hf_clock_now(env->svc->clock), err);
        hf_jw_key(w, "survey");
        hf_jw_bool(w, rc == HF_OK);
    }
    return rc;
}

static hf_rc route_to_agent(const hf_tool_env *env, json_t *args, hf_jsonw *w,
                            hf_err *err)
{
    char id[HF_ID_MAX];
    hf_id_new("esc", 20, id);
    const char *reason = str_arg(args, "reason");
    hf_escalation e = {
        .id = id,
        .conversation_id = env->conversation_id,
        .order_id = env->order_id,
        .reason = reason ? reason : "the customer needs a person",
        .created_at = hf_clock_now(env->svc->clock),
    };
    hf_rc rc = hf_txn_escalation_insert(env->t, &e, err);
    if (rc == HF_OK) {
        hf_jw_key(w, "escalation");
        hf_jw_str(w, id);
    }
    return rc;
}

/* Indexed by hf_tool_id. */
static const tool_fn tool_impl[HF_TOOL_COUNT] = {
    [HF_TOOL_ORDER_DETAILS] = order_details,
    [HF_TOOL_SET_DISCOUNT] = set_discount,
    [HF_TOOL_UPGRADE_SHIPPING] = upgrade_shipping,
    [HF_TOOL_PRODUCT_SWAP] = product_swap,
    [HF_TOOL_FUTURE_COUPON] = future_coupon,
    [HF_TOOL_SEND_MESSAGE] = send_message,
    [HF_TOOL_CANCEL_ORDER] = cancel_order,
    [HF_TOOL_ROUTE_TO_AGENT] = route_to_agent,
};

hf_rc hf_tool_run(const hf_tool_env *env, const hf_tool_call *call,
                  const char **result, hf_err *err)
{
    if ((unsigned)call->tool >= HF_TOOL_COUNT)
        return hf_fail(err, HF_EINVAL, "unknown_tool", NULL, "no such tool");
    json_t *args = json_loads(call->args, 0, NULL);
    if (args == NULL)
        args = json_object();
    hf_jsonw w;
    hf_jw_init(&w, env->a);
    hf_jw_object(&w);
    hf_rc rc = tool_impl[call->tool](env, args, &w, err);
    json_decref(args);
    hf_jw_object_end(&w);
    *result = hf_jw_finish(&w);
    if (rc == HF_OK && *result == NULL)
        rc = hf_fail(err, HF_ENOMEM, NULL, NULL, "out of memory");
    return rc;
}
