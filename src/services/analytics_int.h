/*
 * analytics_int.h - what the analytics files share and nothing else
 * uses: a list of items keyed by a slice value, filled from sums that
 * come sorted by value.
 */
#ifndef HF_ANALYTICS_INT_H
#define HF_ANALYTICS_INT_H

#include "util/arena.h"

#include <stddef.h>

/* Items of `size` bytes whose first member is their `const char *` value,
 * in arena memory, growing by doubling. */
typedef struct hf_slice_list {
    void *items;
    size_t n, cap;
} hf_slice_list;

/* The item of value in l, appended zeroed (with its value set) when
 * absent; NULL when the arena is full. The last item is tried first. */
void *hf_slice_item(hf_slice_list *l, size_t size, const char *value,
                    hf_arena *a);

#endif
