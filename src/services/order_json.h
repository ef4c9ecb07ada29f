/*
 * order_json.h - the order's JSON representation, the one the API returns.
 *
 * Rendered once per change and stored beside the order (the read path
 * serves it without rendering), so every client sees the same document.
 */
#ifndef HF_ORDER_JSON_H
#define HF_ORDER_JSON_H

#include "core/order.h"
#include "util/arena.h"
#include "util/jsonw.h"

#include <jansson.h>

/* Writes o as a JSON object to w. */
void hf_order_write(hf_jsonw *w, const hf_order *o);

/* Writes one timeline entry as a JSON object to w. */
void hf_order_event_write(hf_jsonw *w, const hf_order_event *e);

/* o rendered as compact JSON text in arena a, or NULL when out of
 * memory. */
const char *hf_order_render(const hf_order *o, hf_arena *a);

/* JSON text of j in arena a (compact), or NULL when out of memory. Does
 * not take j's reference. */
const char *hf_json_text(const json_t *j, hf_arena *a);

/* A JSON time value: an RFC 3339 string. */
json_t *hf_json_time(hf_time t);

/* A JSON string, or null for NULL. */
json_t *hf_json_str(const char *s);

#endif
