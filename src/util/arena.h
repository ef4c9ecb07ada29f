/*
 * arena.h - a bump allocator for one request, one conversation turn or one
 * compiled document: many small allocations, freed together at the end.
 *
 * Allocation never frees individually; hf_arena_reset() keeps the first
 * chunk for reuse, hf_arena_free() releases everything. An arena has a cap
 * so that input can never grow it without bound: past the cap allocation
 * returns NULL, which callers report as HF_ETOOBIG or HF_ENOMEM.
 */
#ifndef HF_ARENA_H
#define HF_ARENA_H

#include <stdarg.h>
#include <stddef.h>

typedef struct hf_arena hf_arena;

/* A new arena that grows to at most `cap` bytes (0: 64 MiB). NULL when out
 * of memory. Free with hf_arena_free(). */
hf_arena *hf_arena_new(size_t cap);
void hf_arena_free(hf_arena *a);

/* Forgets every allocation; keeps the first chunk for the next use. */
void hf_arena_reset(hf_arena *a);

/* size bytes aligned for any type, or NULL past the cap. */
void *hf_arena_alloc(hf_arena *a, size_t size);
/* The same, zeroed. */
void *hf_arena_zalloc(hf_arena *a, size_t size);
/* Copies of strings and printf output, or NULL past the cap. */
char *hf_arena_strdup(hf_arena *a, const char *s);
char *hf_arena_strndup(hf_arena *a, const char *s, size_t n);
char *hf_arena_printf(hf_arena *a, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Bytes handed out since creation or the last reset. */
size_t hf_arena_used(const hf_arena *a);

#endif
