/*
 * conversation_state.c - a conversation's memory to and from JSON.
 */
#include "services/conversation_state.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

void hf_offer_json(hf_jsonw *w, const hf_offer *o, hf_arena *a)
{
    hf_jw_object(w);
    hf_jw_key(w, "id");
    hf_jw_str(w, o->id);
    hf_jw_key(w, "kind");
    hf_jw_str(w, hf_offer_kind_name(o->kind));
    hf_jw_key(w, "description");
    hf_jw_str(w, hf_offer_describe(o, a));
    if (o->percent) {
        hf_jw_key(w, "percent");
        hf_jw_int(w, o->percent);
    }
    if (o->valid_days) {
        hf_jw_key(w, "valid_days");
        hf_jw_int(w, o->valid_days);
    }
    if (o->sku[0]) {
        hf_jw_key(w, "sku");
        hf_jw_str(w, o->sku);
        hf_jw_key(w, "name");
        hf_jw_str(w, o->name);
        hf_jw_key(w, "replaces");
        hf_jw_str(w, o->from_sku);
    }
    hf_jw_object_end(w);
}

void hf_offers_json(hf_jsonw *w, const hf_convo_state *st, hf_arena *a)
{
    hf_jw_array(w);
    for (int i = 0; i < st->n_offers; i++)
        hf_offer_json(w, &st->offers[i], a);
    hf_jw_array_end(w);
}

const char *hf_convo_to_json(const hf_convo *c, hf_arena *a)
{
    hf_jsonw w;
    hf_jw_init(&w, a);
    hf_jw_object(&w);
    hf_jw_key(&w, "phase");
    hf_jw_str(&w, hf_phase_name(c->st.phase));
    hf_jw_key(&w, "outcome");
    hf_jw_str(&w, hf_outcome_name(c->st.outcome));
    hf_jw_key(&w, "rung");
    hf_jw_int(&w, c->st.rung);
    hf_jw_key(&w, "countered");
    hf_jw_bool(&w, c->st.countered);
    hf_jw_key(&w, "clarifications");
    hf_jw_int(&w, c->st.clarifications);
    hf_jw_key(&w, "other_order");
    hf_jw_bool(&w, c->st.other_order);
    hf_jw_key(&w, "confirm_cancel");
    hf_jw_bool(&w, c->st.confirm_cancel);
    hf_jw_key(&w, "offers");
    hf_offers_json(&w, &c->st, a);
    if (c->st.accepted.kind != HF_OFFER_NONE) {
        hf_jw_key(&w, "accepted");
        hf_offer_json(&w, &c->st.accepted, a);
    }
    if (c->reason) {
        hf_jw_key(&w, "reason");
        hf_jw_str(&w, c->reason);
    }
    if (c->note) {
        hf_jw_key(&w, "note");
        hf_jw_str(&w, c->note);
    }
    hf_jw_object_end(&w);
    return hf_jw_finish(&w);
}

static void copy_str(char *dst, size_t size, json_t *v)
{
    snprintf(dst, size, "%s", json_is_string(v) ? json_string_value(v) : "");
}

static void offer_from_json(json_t *j, hf_offer *o)
{
    memset(o, 0, sizeof(*o));
    copy_str(o->id, sizeof(o->id), json_object_get(j, "id"));
    const char *kind = json_string_value(json_object_get(j, "kind"));
    if (kind == NULL || !hf_offer_kind_parse(kind, &o->kind))
        o->kind = HF_OFFER_NONE;
    o->percent = (int)json_integer_value(json_object_get(j, "percent"));
    o->valid_days = (int)json_integer_value(json_object_get(j, "valid_days"));
    copy_str(o->sku, sizeof(o->sku), json_object_get(j, "sku"));
    copy_str(o->name, sizeof(o->name), json_object_get(j, "name"));
    copy_str(o->from_sku, sizeof(o->from_sku), json_object_get(j, "replaces"));
}

static int name_index(const char *name, const char *(*fn)(int), int count)
{
    for (int i = 0; name && i < count; i++)
        if (strcmp(fn(i), name) == 0)
            return i;
    return 0;
}

static const char *phase_at(int i)
{
    return hf_phase_name((hf_phase)i);
}

static const char *outcome_at(int i)
{
    return hf_outcome_name((hf_outcome)i);
}

hf_rc hf_convo_from_json(const char *text, hf_arena *a, hf_convo *c,
                         hf_err *err)
{
    memset(c, 0, sizeof(*c));
    json_t *j = json_loads(text, 0, NULL);
    if (!json_is_object(j)) {
        json_decref(j);
        return hf_fail(err, HF_ESTORE, "store_error", NULL,
                       "a conversation's stored state is damaged");
    }
    c->st.phase =
        (hf_phase)name_index(json_string_value(json_object_get(j, "phase")),
                             phase_at, HF_PHASE_COUNT);
    c->st.outcome =
        (hf_outcome)name_index(json_string_value(json_object_get(j, "outcome")),
                               outcome_at, HF_OUTCOME_COUNT);
    c->st.rung = (int)json_integer_value(json_object_get(j, "rung"));
    c->st.countered = json_is_true(json_object_get(j, "countered"));
    c->st.clarifications =
        (int)json_integer_value(json_object_get(j, "clarifications"));
    c->st.other_order = json_is_true(json_object_get(j, "other_order"));
    c->st.confirm_cancel = json_is_true(json_object_get(j, "confirm_cancel"));
    json_t *offers = json_object_get(j, "offers"), *o;
    size_t i;
    json_array_foreach(offers, i, o)
    {
        if (c->st.n_offers < HF_ENGINE_MAX_OFFERS)
            offer_from_json(o, &c->st.offers[c->st.n_offers++]);
    }
    if (json_is_object(json_object_get(j, "accepted")))
        offer_from_json(json_object_get(j, "accepted"), &c->st.accepted);
    const char *reason = json_string_value(json_object_get(j, "reason"));
    const char *note = json_string_value(json_object_get(j, "note"));
    c->reason = reason ? hf_arena_strdup(a, reason) : NULL;
    c->note = note ? hf_arena_strdup(a, note) : NULL;
    json_decref(j);
    return HF_OK;
}
