/* mem.c - counted allocation with fault injection. */
#include "util/mem.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

static atomic_long live_blocks;
static atomic_long fail_countdown; /* 0: off; N: the Nth call fails */

static int should_fail(void)
{
    long n = atomic_load(&fail_countdown);
    if (n <= 0)
        return 0;
    return atomic_fetch_sub(&fail_countdown, 1) == 1;
}

void *hf_malloc(size_t size)
{
    if (should_fail())
        return NULL;
    void *p = malloc(size ? size : 1);
    if (p != NULL)
        atomic_fetch_add(&live_blocks, 1);
    return p;
}

void *hf_calloc(size_t n, size_t size)
{
    if (should_fail())
        return NULL;
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (p != NULL)
        atomic_fetch_add(&live_blocks, 1);
    return p;
}

void *hf_realloc(void *p, size_t size)
{
    if (p == NULL)
        return hf_malloc(size);
    if (should_fail())
        return NULL;
    return realloc(p, size ? size : 1);
}

void hf_free(void *p)
{
    if (p == NULL)
        return;
    atomic_fetch_sub(&live_blocks, 1);
    free(p);
}

char *hf_strdup(const char *s)
{
    if (s == NULL)
        return NULL;
    size_t n = strlen(s) + 1;
    char *copy = hf_malloc(n);
    if (copy != NULL)
        memcpy(copy, s, n);
    return copy;
}

long hf_mem_live(void)
{
    return atomic_load(&live_blocks);
}

void hf_mem_fail_after(long n)
{
    atomic_store(&fail_countdown, n);
}
