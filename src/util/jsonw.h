/*
 * jsonw.h - writes JSON text straight into an arena buffer.
 *
 * jansson builds a tree of malloc'd nodes and then prints it; for the
 * documents holdfast renders on every write (the order), that tree costs
 * more than the database work around it. This writer appends text directly,
 * escaping strings as RFC 8259 requires, and needs no allocation beyond
 * the buffer. Parsing input stays with jansson.
 *
 * Errors are sticky: after an allocation fails every call does nothing and
 * hf_jw_finish() returns NULL.
 */
#ifndef HF_JSONW_H
#define HF_JSONW_H

#include "util/arena.h"
#include "util/clock.h"

#include <stdbool.h>
#include <stdint.h>

enum { HF_JW_MAX_DEPTH = 32 };

typedef struct hf_jsonw {
    hf_arena *arena;
    char *buf;
    size_t len, cap;
    bool failed;
    int depth;
    bool after_key; /* a key was just written: no comma before its value */
    bool first[HF_JW_MAX_DEPTH]; /* no member written yet at this level */
} hf_jsonw;

/* Starts a document in arena a. */
void hf_jw_init(hf_jsonw *w, hf_arena *a);

void hf_jw_object(hf_jsonw *w);
void hf_jw_object_end(hf_jsonw *w);
void hf_jw_array(hf_jsonw *w);
void hf_jw_array_end(hf_jsonw *w);

/* The next member's name, inside an object. */
void hf_jw_key(hf_jsonw *w, const char *key);

/* Values. hf_jw_str writes null for NULL. hf_jw_raw appends text that is
 * already JSON (null for NULL). */
void hf_jw_str(hf_jsonw *w, const char *s);
void hf_jw_int(hf_jsonw *w, int64_t v);
void hf_jw_bool(hf_jsonw *w, bool v);
void hf_jw_null(hf_jsonw *w);
void hf_jw_time(hf_jsonw *w, hf_time t);
/* t as hf_jw_time writes it, or null when t is 0 (not happened yet). */
void hf_jw_time_or_null(hf_jsonw *w, hf_time t);
void hf_jw_raw(hf_jsonw *w, const char *json);
/* v with 10 significant digits, or null when v is NaN or infinite. */
void hf_jw_double(hf_jsonw *w, double v);

/* The document, NUL-terminated in the arena; NULL if anything failed. */
const char *hf_jw_finish(hf_jsonw *w);

#endif
