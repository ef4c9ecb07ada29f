/* order_json.c - rendering orders as JSON. */
#include "services/order_json.h"

#include <stdio.h>
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

static void status_or_null(hf_jsonw *w, hf_order_status s)
{
    hf_jw_str(w, s < HF_STATUS_COUNT ? hf_order_status_name(s) : NULL);
}

static void write_address(hf_jsonw *w, const hf_address *ad)
{
    hf_jw_object(w);
    hf_jw_key(w, "name");
    hf_jw_str(w, ad->name);
    hf_jw_key(w, "line1");
    hf_jw_str(w, ad->line1);
    hf_jw_key(w, "line2");
    hf_jw_str(w, ad->line2);
    hf_jw_key(w, "city");
    hf_jw_str(w, ad->city);
    hf_jw_key(w, "region");
    hf_jw_str(w, ad->region);
    hf_jw_key(w, "postal_code");
    hf_jw_str(w, ad->postal_code);
    hf_jw_key(w, "country");
    hf_jw_str(w, ad->country);
    hf_jw_key(w, "phone");
    hf_jw_str(w, ad->phone);
    hf_jw_object_end(w);
}

void hf_order_event_write(hf_jsonw *w, const hf_order_event *e)
{
    hf_jw_object(w);
    hf_jw_key(w, "seq");
    hf_jw_int(w, e->seq);
    hf_jw_key(w, "at");
    hf_jw_time(w, e->at);
    hf_jw_key(w, "type");
    hf_jw_str(w, e->type);
    hf_jw_key(w, "actor");
    hf_jw_str(w, e->actor);
    hf_jw_key(w, "from");
    status_or_null(w, e->from);
    hf_jw_key(w, "to");
    status_or_null(w, e->to);
    hf_jw_key(w, "reason");
    hf_jw_str(w, e->reason);
    hf_jw_key(w, "data");
    hf_jw_raw(w, e->data_json); /* stored as JSON by the services */
    hf_jw_object_end(w);
}

static void write_line(hf_jsonw *w, const hf_order_line *l)
{
    hf_jw_object(w);
    hf_jw_key(w, "line_no");
    hf_jw_int(w, l->line_no);
    hf_jw_key(w, "sku");
    hf_jw_str(w, l->sku);
    hf_jw_key(w, "name");
    hf_jw_str(w, l->name);
    hf_jw_key(w, "qty");
    hf_jw_int(w, l->qty);
    hf_jw_key(w, "cancelled_qty");
    hf_jw_int(w, l->cancelled_qty);
    hf_jw_key(w, "unit_price");
    hf_jw_int(w, l->unit_price);
    hf_jw_key(w, "line_total");
    hf_jw_int(w, l->unit_price * hf_order_line_live_qty(l));
    hf_jw_key(w, "allocations");
    hf_jw_array(w);
    for (size_t i = 0; i < l->n_allocations; i++) {
        hf_jw_object(w);
        hf_jw_key(w, "location");
        hf_jw_str(w, l->allocations[i].location);
        hf_jw_key(w, "qty");
        hf_jw_int(w, l->allocations[i].qty);
        hf_jw_object_end(w);
    }
    hf_jw_array_end(w);
    hf_jw_object_end(w);
}

static void write_payment(hf_jsonw *w, const hf_payment_info *p)
{
    hf_jw_object(w);
    hf_jw_key(w, "method");
    hf_jw_str(w, p->method);
    hf_jw_key(w, "gateway");
    hf_jw_str(w, p->gateway);
    hf_jw_key(w, "capture");
    hf_jw_str(w, hf_capture_mode_name(p->capture));
    hf_jw_key(w, "status");
    hf_jw_str(w, payment_status(p));
    hf_jw_key(w, "authorized");
    hf_jw_int(w, p->authorized);
    hf_jw_key(w, "captured");
    hf_jw_int(w, p->captured);
    hf_jw_key(w, "refunded");
    hf_jw_int(w, p->refunded);
    hf_jw_key(w, "voided");
    hf_jw_int(w, p->voided);
    hf_jw_object_end(w);
}

static void write_customer(hf_jsonw *w, const hf_customer *c)
{
    hf_jw_object(w);
    hf_jw_key(w, "id");
    hf_jw_str(w, c->id);
    hf_jw_key(w, "email");
    hf_jw_str(w, c->email);
    hf_jw_key(w, "name");
    hf_jw_str(w, c->name);
    hf_jw_key(w, "phone");
    hf_jw_str(w, c->phone);
    hf_jw_object_end(w);
}

void hf_order_write(hf_jsonw *w, const hf_order *o)
{
    hf_jw_object(w);
    hf_jw_key(w, "id");
    hf_jw_str(w, o->id);
    hf_jw_key(w, "number");
    hf_jw_str(w, o->number);
    hf_jw_key(w, "status");
    hf_jw_str(w, hf_order_status_name(o->status));
    hf_jw_key(w, "held_from");
    hf_jw_str(w, o->status == HF_STATUS_ON_HOLD
                     ? hf_order_status_name(o->held_from)
                     : NULL);
    hf_jw_key(w, "version");
    hf_jw_int(w, o->version);
    hf_jw_key(w, "channel");
    hf_jw_str(w, o->channel);
    hf_jw_key(w, "customer");
    write_customer(w, &o->customer);
    hf_jw_key(w, "currency");
    hf_jw_str(w, o->currency);
    hf_jw_key(w, "subtotal");
    hf_jw_int(w, hf_order_subtotal(o));
    hf_jw_key(w, "shipping_total");
    hf_jw_int(w, o->shipping_total);
    hf_jw_key(w, "discount_total");
    hf_jw_int(w, o->discount_total);
    hf_jw_key(w, "tax_total");
    hf_jw_int(w, o->tax_total);
    hf_jw_key(w, "total");
    hf_jw_int(w, hf_order_total(o));
    hf_jw_key(w, "lines");
    hf_jw_array(w);
    for (size_t i = 0; i < o->n_lines; i++)
        write_line(w, &o->lines[i]);
    hf_jw_array_end(w);
    hf_jw_key(w, "shipping_method");
    hf_jw_str(w, hf_shipping_method_name(o->shipping_method));
    hf_jw_key(w, "shipping_address");
    write_address(w, &o->shipping_address);
    hf_jw_key(w, "billing_address");
    if (o->has_billing_address)
        write_address(w, &o->billing_address);
    else
        hf_jw_null(w);
    hf_jw_key(w, "payment");
    write_payment(w, &o->payment);
    hf_jw_key(w, "placed_at");
    hf_jw_time(w, o->placed_at);
    hf_jw_key(w, "updated_at");
    hf_jw_time(w, o->updated_at);
    hf_jw_key(w, "promised_by");
    hf_jw_time(w, o->promised_by);
    hf_jw_key(w, "risk");
    if (o->has_risk) {
        hf_jw_object(w);
        hf_jw_key(w, "score");
        char score[32];
        snprintf(score, sizeof(score), "%.6f", o->risk_score);
        hf_jw_raw(w, score);
        hf_jw_key(w, "model");
        hf_jw_str(w, o->risk_model);
        hf_jw_key(w, "scored_at");
        hf_jw_time(w, o->risk_at ? o->risk_at : o->placed_at);
        hf_jw_key(w, "reason");
        hf_jw_str(w, o->risk_reason ? o->risk_reason : "placement");
        hf_jw_object_end(w);
    } else {
        hf_jw_null(w);
    }
    hf_jw_key(w, "cancellation");
    if (o->cancel_reason != NULL) {
        hf_jw_object(w);
        hf_jw_key(w, "reason");
        hf_jw_str(w, o->cancel_reason);
        hf_jw_key(w, "note");
        hf_jw_str(w, o->cancel_note);
        hf_jw_object_end(w);
    } else {
        hf_jw_null(w);
    }
    hf_jw_key(w, "timeline");
    hf_jw_array(w);
    for (size_t i = 0; i < o->n_events; i++)
        hf_order_event_write(w, &o->events[i]);
    hf_jw_array_end(w);
    hf_jw_object_end(w);
}

const char *hf_order_render(const hf_order *o, hf_arena *a)
{
    hf_jsonw w;
    hf_jw_init(&w, a);
    hf_order_write(&w, o);
    return hf_jw_finish(&w);
}
