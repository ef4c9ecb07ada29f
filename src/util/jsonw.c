/* jsonw.c - a JSON text writer over an arena buffer. */
#include "util/jsonw.h"

#include <math.h>
#include <stdio.h>

#include <string.h>

void hf_jw_init(hf_jsonw *w, hf_arena *a)
{
    memset(w, 0, sizeof(*w));
    w->arena = a;
    w->first[0] = true;
}

/* Makes room for n more bytes (and a terminator). */
static bool reserve(hf_jsonw *w, size_t n)
{
    if (w->failed)
        return false;
    if (w->len + n + 1 <= w->cap)
        return true;
    size_t cap = w->cap ? w->cap * 2 : 1024;
    while (cap < w->len + n + 1)
        cap *= 2;
    char *grown = hf_arena_alloc(w->arena, cap);
    if (grown == NULL) {
        w->failed = true;
        return false;
    }
    if (w->len > 0)
        memcpy(grown, w->buf, w->len);
    w->buf = grown;
    w->cap = cap;
    return true;
}

static void put(hf_jsonw *w, const char *s, size_t n)
{
    if (reserve(w, n)) {
        memcpy(w->buf + w->len, s, n);
        w->len += n;
    }
}

static void put_char(hf_jsonw *w, char c)
{
    if (reserve(w, 1))
        w->buf[w->len++] = c;
}

/* A comma before every value but the first at its level; none after a
 * key (the key wrote it). */
static void before_value(hf_jsonw *w)
{
    if (w->after_key) {
        w->after_key = false;
        return;
    }
    if (!w->first[w->depth])
        put_char(w, ',');
    w->first[w->depth] = false;
}

static void open_level(hf_jsonw *w, char c)
{
    before_value(w);
    put_char(w, c);
    if (w->depth + 1 >= HF_JW_MAX_DEPTH) {
        w->failed = true;
        return;
    }
    w->first[++w->depth] = true;
}

static void close_level(hf_jsonw *w, char c)
{
    put_char(w, c);
    if (w->depth > 0)
        w->depth--;
}

void hf_jw_object(hf_jsonw *w)
{
    open_level(w, '{');
}

void hf_jw_object_end(hf_jsonw *w)
{
    close_level(w, '}');
}

void hf_jw_array(hf_jsonw *w)
{
    open_level(w, '[');
}

void hf_jw_array_end(hf_jsonw *w)
{
    close_level(w, ']');
}

static void string(hf_jsonw *w, const char *s)
{
    static const char hex[] = "0123456789abcdef";
    put_char(w, '"');
    const char *run = s; /* bytes that need no escape, written together */
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c >= 0x20 && c != '"' && c != '\\')
            continue;
        put(w, run, (size_t)(s - run));
        run = s + 1;
        char esc[6] = {'\\', 0, 0, 0, 0, 0};
        size_t n = 2;
        switch (c) {
        case '"':
            esc[1] = '"';
            break;
        case '\\':
            esc[1] = '\\';
            break;
        case '\n':
            esc[1] = 'n';
            break;
        case '\r':
            esc[1] = 'r';
            break;
        case '\t':
            esc[1] = 't';
            break;
        case '\b':
            esc[1] = 'b';
            break;
        case '\f':
            esc[1] = 'f';
            break;
        default:
            esc[1] = 'u';
            esc[2] = '0';
            esc[3] = '0';
            esc[4] = hex[c >> 4];
            esc[5] = hex[c & 15];
            n = 6;
        }
        put(w, esc, n);
    }
    put(w, run, (size_t)(s - run));
    put_char(w, '"');
}

void hf_jw_key(hf_jsonw *w, const char *key)
{
    before_value(w);
    string(w, key);
    put_char(w, ':');
    w->after_key = true;
}

void hf_jw_str(hf_jsonw *w, const char *s)
{
    if (s == NULL) {
        hf_jw_null(w);
        return;
    }
    before_value(w);
    string(w, s);
}

void hf_jw_int(hf_jsonw *w, int64_t v)
{
    char digits[24];
    int n = 0;
    uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    do {
        digits[n++] = (char)('0' + u % 10);
        u /= 10;
    } while (u != 0);
    if (v < 0)
        digits[n++] = '-';
    char out[24];
    for (int i = 0; i < n; i++)
        out[i] = digits[n - 1 - i];
    before_value(w);
    put(w, out, (size_t)n);
}

void hf_jw_bool(hf_jsonw *w, bool v)
{
    before_value(w);
    put(w, v ? "true" : "false", v ? 4 : 5);
}

void hf_jw_null(hf_jsonw *w)
{
    before_value(w);
    put(w, "null", 4);
}

void hf_jw_time(hf_jsonw *w, hf_time t)
{
    char text[HF_TIME_TEXT];
    hf_jw_str(w, hf_time_format(t, text));
}

void hf_jw_time_or_null(hf_jsonw *w, hf_time t)
{
    if (t == 0)
        hf_jw_null(w);
    else
        hf_jw_time(w, t);
}

void hf_jw_raw(hf_jsonw *w, const char *json)
{
    if (json == NULL) {
        hf_jw_null(w);
        return;
    }
    before_value(w);
    put(w, json, strlen(json));
}

const char *hf_jw_finish(hf_jsonw *w)
{
    if (w->failed || w->buf == NULL)
        return NULL;
    w->buf[w->len] = '\0';
    return w->buf;
}

void hf_jw_double(hf_jsonw *w, double v)
{
    if (isnan(v) || isinf(v)) {
        hf_jw_null(w);
        return;
    }
    char buf[32];
    snprintf(buf, sizeof(buf), "%.10g", v);
    hf_jw_raw(w, buf);
}
