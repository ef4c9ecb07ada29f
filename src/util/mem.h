/*
 * mem.h - allocation for long-lived objects.
 *
 * Every long-lived allocation goes through hf_malloc and friends so that
 * tests can count live blocks and make the Nth allocation fail (fault
 * injection, as SQLite's test harness does). Short-lived data belongs in an
 * arena (arena.h) instead.
 */
#ifndef HF_MEM_H
#define HF_MEM_H

#include <stddef.h>

/* malloc/calloc/realloc/free that count and can be made to fail. They
 * return NULL on failure, like the C library's. */
void *hf_malloc(size_t size);
void *hf_calloc(size_t n, size_t size);
void *hf_realloc(void *p, size_t size);
void hf_free(void *p);

/* A copy of s (NULL for NULL) from hf_malloc, or NULL on failure. */
char *hf_strdup(const char *s);

/* Blocks allocated and not yet freed through these functions. */
long hf_mem_live(void);

/* Makes the allocation `n` calls from now fail (1 = the next one); 0 turns
 * fault injection off. For tests. */
void hf_mem_fail_after(long n);

#endif
