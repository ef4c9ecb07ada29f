/* order_json.c - rendering orders as JSON. */
#include "services/order_json.h"

#include <stdlib.h>
#include <string.h>

json_t *hf_json_str(const char *s)
{
    return s ? json_string(s) : json_null();
}

json_t *hf_json_time(hf_time t)
{
    char text[HF_TIME_TEXT];
    return json_string(hf_time_format(t, text));
}

const char *hf_json_text(const json_t *j, hf_arena *a)
{
    char *text = json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY);
    if (text == NULL)
        return NULL;
    const char *copy = hf_arena_strdup(a, text);
    free(text);
    return copy;
}

static json_t *address_json(const hf_address *ad)
{
    return json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o}", "name",
                     hf_json_str(ad->name), "line1", hf_json_str(ad->line1),
                     "line2", hf_json_str(ad->line2), "city",
                     hf_json_str(ad->city), "region", hf_json_str(ad->region),
                     "postal_code", hf_json_str(ad->postal_code), "country",
                     hf_json_str(ad->country), "phone", hf_json_str(ad->phone));
}

/* The payment's state in one word, for people and dashboards. */
static const char *payment_status(const hf_payment_info *p)
{
    if (p->refunded > 0)
        return p->refunded >= p->captured ? "refunded" : "partially_refunded";
    if (p->captured > 0)
        return "captured";
    if (p->authorized > 0)
        return "authorized";
    if (p->voided > 0)
        return "voided";
    return "none";
}

static json_t *status_or_null(hf_order_status s)
{
    return s < HF_STATUS_COUNT ? json_string(hf_order_status_name(s))
                               : json_null();
}

json_t *hf_order_event_to_json(const hf_order_event *e)
{
    json_t *data = NULL;
    if (e->data_json != NULL)
        data = json_loads(e->data_json, 0, NULL);
    return json_pack("{s:i, s:o, s:s, s:o, s:o, s:o, s:o, s:o}", "seq", e->seq,
                     "at", hf_json_time(e->at), "type", e->type, "actor",
                     hf_json_str(e->actor), "from", status_or_null(e->from),
                     "to", status_or_null(e->to), "reason",
                     hf_json_str(e->reason), "data", data ? data : json_null());
}

static json_t *line_json(const hf_order_line *l)
{
    json_t *allocations = json_array();
    for (size_t i = 0; i < l->n_allocations; i++)
        json_array_append_new(allocations,
                              json_pack("{s:s, s:I}", "location",
                                        l->allocations[i].location, "qty",
                                        (json_int_t)l->allocations[i].qty));
    return json_pack("{s:i, s:s, s:o, s:I, s:I, s:I, s:I, s:o}", "line_no",
                     l->line_no, "sku", l->sku, "name", hf_json_str(l->name),
                     "qty", (json_int_t)l->qty, "cancelled_qty",
                     (json_int_t)l->cancelled_qty, "unit_price",
                     (json_int_t)l->unit_price, "line_total",
                     (json_int_t)(l->unit_price * hf_order_line_live_qty(l)),
                     "allocations", allocations);
}

json_t *hf_order_to_json(const hf_order *o)
{
    json_t *lines = json_array(), *timeline = json_array();
    for (size_t i = 0; i < o->n_lines; i++)
        json_array_append_new(lines, line_json(&o->lines[i]));
    for (size_t i = 0; i < o->n_events; i++)
        json_array_append_new(timeline, hf_order_event_to_json(&o->events[i]));
    const hf_payment_info *p = &o->payment;
    json_t *payment =
        json_pack("{s:o, s:o, s:s, s:s, s:I, s:I, s:I, s:I}", "method",
                  hf_json_str(p->method), "gateway", hf_json_str(p->gateway),
                  "capture", hf_capture_mode_name(p->capture), "status",
                  payment_status(p), "authorized", (json_int_t)p->authorized,
                  "captured", (json_int_t)p->captured, "refunded",
                  (json_int_t)p->refunded, "voided", (json_int_t)p->voided);
    json_t *customer = json_pack(
        "{s:o, s:o, s:o, s:o}", "id", hf_json_str(o->customer.id), "email",
        hf_json_str(o->customer.email), "name", hf_json_str(o->customer.name),
        "phone", hf_json_str(o->customer.phone));
    json_t *cancellation =
        o->cancel_reason ? json_pack("{s:s, s:o}", "reason", o->cancel_reason,
                                     "note", hf_json_str(o->cancel_note))
                         : json_null();
    json_t *doc = json_pack(
        "{s:s, s:s, s:s, s:o, s:i, s:o, s:o, s:s, s:I, s:I, s:I, s:I, s:I, "
        "s:o, s:s, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o}",
        "id", o->id, "number", o->number, "status",
        hf_order_status_name(o->status), "held_from",
        o->status == HF_STATUS_ON_HOLD
            ? json_string(hf_order_status_name(o->held_from))
            : json_null(),
        "version", o->version, "channel", hf_json_str(o->channel), "customer",
        customer, "currency", o->currency, "subtotal",
        (json_int_t)hf_order_subtotal(o), "shipping_total",
        (json_int_t)o->shipping_total, "discount_total",
        (json_int_t)o->discount_total, "tax_total", (json_int_t)o->tax_total,
        "total", (json_int_t)hf_order_total(o), "lines", lines,
        "shipping_method", hf_shipping_method_name(o->shipping_method),
        "shipping_address", address_json(&o->shipping_address),
        "billing_address",
        o->has_billing_address ? address_json(&o->billing_address)
                               : json_null(),
        "payment", payment, "placed_at", hf_json_time(o->placed_at),
        "updated_at", hf_json_time(o->updated_at), "promised_by",
        hf_json_time(o->promised_by), "cancellation", cancellation, "timeline",
        timeline);
    return doc;
}

const char *hf_order_render(const hf_order *o, hf_arena *a)
{
    json_t *doc = hf_order_to_json(o);
    if (doc == NULL)
        return NULL;
    const char *text = hf_json_text(doc, a);
    json_decref(doc);
    return text;
}
