/*
 * shopper.c - a signed order link's scope and the shopper's view of the
 * answers (shopper.h). The views are allow-lists: a field added to an
 * answer later stays hidden from shoppers until it is listed here.
 */
#include "services/shopper.h"
#include "services/order_json.h"

#include <jansson.h>
#include <string.h>

hf_rc hf_shopper_verify(const hf_services *svc, const char *token,
                        char order_id[HF_TOKEN_SUBJECT_MAX], hf_err *err)
{
    if (!svc->has_link_key)
        return hf_fail(err, HF_EAUTH, "bad_token", "t",
                       "this server signs no links");
    return hf_token_verify(svc->link_key, "order", token,
                           hf_clock_now(svc->clock), order_id, NULL, err);
}

typedef struct scope_check {
    hf_shopper_scope scope;
    const char *what;
    hf_arena *a;
    const char *owner; /* out: the order id what belongs to (in a) */
} scope_check;

static hf_rc read_owner(hf_txn *t, void *arg, hf_err *err)
{
    scope_check *s = arg;
    if (s->scope == HF_SHOPPER_CONVERSATION) {
        hf_conversation c;
        hf_rc rc = hf_txn_conversation_get(t, s->what, s->a, &c, err);
        s->owner = rc == HF_OK ? c.order_id : NULL;
        return rc;
    }
    const char *doc;
    hf_rc rc = hf_txn_order_get_doc(t, s->what, s->a, &doc, err);
    if (rc != HF_OK)
        return rc;
    json_t *j = json_loads(doc, 0, NULL);
    const char *id = json_string_value(json_object_get(j, "id"));
    s->owner = id ? hf_arena_strdup(s->a, id) : NULL;
    json_decref(j);
    return s->owner ? HF_OK
                    : hf_fail(err, HF_ENOMEM, NULL, NULL, "out of memory");
}

hf_rc hf_shopper_check(const hf_services *svc, hf_shopper_scope scope,
                       const char *order_id, const char *what, hf_arena *a,
                       hf_err *err)
{
    scope_check s = {scope, what, a, NULL};
    hf_rc rc = HF_ENOTFOUND;
    if (scope != HF_SHOPPER_NONE && what != NULL)
        rc = hf_store_read(svc->store, read_owner, &s, err);
    if (rc != HF_OK && rc != HF_ENOTFOUND)
        return rc;
    /* another order's, or none: the same answer, so a link probes nothing */
    if (rc == HF_OK && strcmp(s.owner, order_id) == 0)
        return HF_OK;
    return hf_fail(err, HF_ENOTFOUND, "not_found", NULL, "no such %s",
                   scope == HF_SHOPPER_CONVERSATION ? "conversation" : "order");
}

/* --- Views --------------------------------------------------------------- */

/* A copy of object o with only the listed keys. */
static json_t *pick(json_t *o, const char *const *keys)
{
    json_t *out = json_object();
    for (size_t i = 0; keys[i] != NULL; i++) {
        json_t *v = json_object_get(o, keys[i]);
        if (v != NULL)
            json_object_set(out, keys[i], v);
    }
    return out;
}

/* Timeline entries a shopper is shown, with the data each may carry. */
static const struct {
    const char *type;
    bool data; /* its data (delay reason, location, new ETA) is theirs */
} shopper_events[] = {
    {"placed", false},
    {"status_changed", false},
    {"cancelled", false},
    {"lines_cancelled", false},
    {"shipment_status", true},
    {"eta_changed", true},
    {"shipment_delayed", true},
    {"discount_applied", true},
    {"shipping_upgraded", false},
    {"product_swapped", true},
    {"coupon_issued", true},
    {"address_corrected", false},
    {"survey_answered", false},
};

bool hf_shopper_event_visible(const char *type)
{
    for (size_t k = 0; type && k < HF_ARRAY_LEN(shopper_events); k++)
        if (strcmp(type, shopper_events[k].type) == 0)
            return true;
    return false;
}

static json_t *timeline_view(json_t *events)
{
    static const char *const keys[] = {"seq", "at", "type", "from", "to", NULL};
    json_t *out = json_array();
    size_t i;
    json_t *e;
    json_array_foreach(events, i, e)
    {
        const char *type = json_string_value(json_object_get(e, "type"));
        for (size_t k = 0; type && k < HF_ARRAY_LEN(shopper_events); k++) {
            if (strcmp(type, shopper_events[k].type) != 0)
                continue;
            json_t *v = pick(e, keys);
            if (shopper_events[k].data)
                json_object_set(v, "data", json_object_get(e, "data"));
            json_array_append_new(out, v);
        }
    }
    return out;
}

static json_t *order_view(json_t *o)
{
    static const char *const keys[] = {
        "id",         "number",          "status",           "currency",
        "subtotal",   "shipping_total",  "discount_total",   "tax_total",
        "total",      "shipping_method", "shipping_address", "placed_at",
        "updated_at", "promised_by",     "cancellation",     NULL};
    static const char *const line_keys[] = {
        "line_no",       "sku",        "name",       "qty",
        "cancelled_qty", "unit_price", "line_total", NULL};
    static const char *const customer_keys[] = {"name", NULL};
    static const char *const payment_keys[] = {"method", "status", "refunded",
                                               NULL};
    json_t *v = pick(o, keys);
    json_t *lines = json_array();
    size_t i;
    json_t *l;
    json_array_foreach(json_object_get(o, "lines"), i, l)
        json_array_append_new(lines, pick(l, line_keys));
    json_object_set_new(v, "lines", lines);
    json_object_set_new(v, "customer",
                        pick(json_object_get(o, "customer"), customer_keys));
    json_object_set_new(v, "payment",
                        pick(json_object_get(o, "payment"), payment_keys));
    json_object_set_new(v, "timeline",
                        timeline_view(json_object_get(o, "timeline")));
    return v;
}

static json_t *turn_view(json_t *o)
{
    static const char *const keys[] = {
        "id",       "conversation", "order",  "channel",
        "eligible", "reply",        "offers", "state",
        "outcome",  "created_at",   "reason", "ineligible_reason",
        NULL};
    return pick(o, keys);
}

/* A conversation's trail as the customer saw it: what they wrote and what
 * they were answered, by the policy or by an agent. */
static json_t *conversation_view(json_t *o)
{
    static const char *const keys[] = {"id",         "order",   "channel",
                                       "state",      "outcome", "created_at",
                                       "updated_at", NULL};
    json_t *v = pick(o, keys);
    json_t *events = json_array();
    size_t i;
    json_t *e;
    json_array_foreach(json_object_get(o, "events"), i, e)
    {
        const char *kind = json_string_value(json_object_get(e, "kind"));
        json_t *data = json_object_get(e, "data");
        const char *text = NULL, *who = NULL;
        if (kind == NULL)
            continue;
        if (strcmp(kind, "customer") == 0) {
            who = "customer";
            text = json_string_value(json_object_get(data, "text"));
        } else if (strcmp(kind, "agent_reply") == 0) {
            who = "agent";
            text = json_string_value(json_object_get(data, "text"));
        } else if (strcmp(kind, "started") == 0 ||
                   strcmp(kind, "decision") == 0) {
            who = "holdfast";
            text = json_string_value(json_object_get(data, "reply"));
        }
        if (text == NULL || *text == '\0')
            continue;
        json_array_append_new(events, json_pack("{s:O, s:O, s:s, s:s}", "n",
                                                json_object_get(e, "n"), "at",
                                                json_object_get(e, "at"),
                                                "from", who, "text", text));
    }
    json_object_set_new(v, "messages", events);
    return v;
}

const char *hf_shopper_view(hf_shopper_view_kind kind, const char *json,
                            hf_arena *a)
{
    if (kind == HF_VIEW_AS_IS || json == NULL)
        return json;
    json_t *in = json_loads(json, 0, NULL);
    if (in == NULL || json_object_get(in, "error") != NULL) {
        json_decref(in);
        return json;
    }
    json_t *out = NULL;
    switch (kind) {
    case HF_VIEW_ORDER:
        out = order_view(in);
        break;
    case HF_VIEW_EVENTS:
        out = json_pack("{s:o}", "data",
                        timeline_view(json_object_get(in, "data")));
        break;
    case HF_VIEW_TURN:
        out = turn_view(in);
        break;
    case HF_VIEW_CONVERSATION:
        out = conversation_view(in);
        break;
    case HF_VIEW_AS_IS:
        break;
    }
    json_decref(in);
    const char *text = out ? hf_json_text(out, a) : NULL;
    json_decref(out);
    return text;
}
