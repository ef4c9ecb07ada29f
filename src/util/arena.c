/* arena.c - chunked bump allocator. */
#include "util/arena.h"
#include "util/mem.h"

#include <stdalign.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

enum { FIRST_CHUNK = 8192 };

typedef struct chunk {
    struct chunk *next; /* older chunk */
    size_t size;        /* usable bytes in data */
    size_t used;        /* bytes handed out from data */
    alignas(max_align_t) unsigned char data[];
} chunk;

struct hf_arena {
    chunk *head;  /* newest chunk, where allocation happens */
    size_t cap;   /* most bytes of chunks this arena may hold */
    size_t total; /* bytes of chunks held now */
    size_t used;  /* bytes handed out */
};

static chunk *chunk_new(size_t size)
{
    if (size > SIZE_MAX - sizeof(chunk))
        return NULL;
    chunk *c = hf_malloc(sizeof(chunk) + size);
    if (c == NULL)
        return NULL;
    c->next = NULL;
    c->size = size;
    c->used = 0;
    return c;
}

hf_arena *hf_arena_new(size_t cap)
{
    hf_arena *a = hf_calloc(1, sizeof(*a));
    if (a == NULL)
        return NULL;
    a->cap = cap ? cap : (size_t)64 << 20;
    return a;
}

void hf_arena_free(hf_arena *a)
{
    if (a == NULL)
        return;
    chunk *c = a->head;
    while (c != NULL) {
        chunk *next = c->next;
        hf_free(c);
        c = next;
    }
    hf_free(a);
}

void hf_arena_reset(hf_arena *a)
{
    chunk *c = a->head;
    if (c == NULL)
        return;
    /* keep only the oldest chunk: it has the size of a typical request */
    while (c->next != NULL) {
        chunk *next = c->next;
        a->total -= c->size;
        hf_free(c);
        c = next;
    }
    c->used = 0;
    a->head = c;
    a->used = 0;
}

void *hf_arena_alloc(hf_arena *a, size_t size)
{
    const size_t align = alignof(max_align_t);
    /* refuse before rounding up: a size near SIZE_MAX would wrap around to
     * a tiny block that the caller then overruns */
    if (size > a->cap || size > SIZE_MAX - align)
        return NULL;
    size = (size + align - 1) & ~(align - 1);
    if (size == 0)
        size = align;
    chunk *c = a->head;
    if (c == NULL || c->size - c->used < size) {
        size_t want = c ? c->size * 2 : FIRST_CHUNK;
        if (want < size)
            want = size;
        /* total <= cap always, so the subtraction cannot wrap where an
         * addition could */
        if (want > a->cap - a->total) {
            want = size; /* try the exact size before giving up */
            if (want > a->cap - a->total)
                return NULL;
        }
        chunk *fresh = chunk_new(want);
        if (fresh == NULL)
            return NULL;
        fresh->next = c;
        a->head = fresh;
        a->total += want;
        c = fresh;
    }
    void *p = c->data + c->used;
    c->used += size;
    a->used += size;
    return p;
}

void *hf_arena_zalloc(hf_arena *a, size_t size)
{
    void *p = hf_arena_alloc(a, size);
    if (p != NULL)
        memset(p, 0, size);
    return p;
}

char *hf_arena_strndup(hf_arena *a, const char *s, size_t n)
{
    char *copy = hf_arena_alloc(a, n + 1);
    if (copy == NULL)
        return NULL;
    memcpy(copy, s, n);
    copy[n] = '\0';
    return copy;
}

char *hf_arena_strdup(hf_arena *a, const char *s)
{
    if (s == NULL)
        return NULL;
    return hf_arena_strndup(a, s, strlen(s));
}

char *hf_arena_printf(hf_arena *a, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return NULL;
    char *out = hf_arena_alloc(a, (size_t)n + 1);
    if (out == NULL)
        return NULL;
    va_start(ap, fmt);
    vsnprintf(out, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return out;
}

size_t hf_arena_used(const hf_arena *a)
{
    return a->used;
}
