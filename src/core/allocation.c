/* allocation.c - choosing locations for an order's units. */
#include "core/allocation.h"

#include <stdio.h>
#include <string.h>

/* Stock still free at one location for one SKU while a plan is built. */
typedef struct slot {
    const char *sku;
    const char *location;
    int64_t free;
} slot;

static int64_t available(const hf_stock_level *s)
{
    int64_t a = s->on_hand - s->reserved;
    return a > 0 ? a : 0;
}

/* Units of sku free at location, or 0. */
static int64_t free_at(const slot *slots, size_t n, const char *sku,
                       const char *location)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(slots[i].sku, sku) == 0 &&
            strcmp(slots[i].location, location) == 0)
            return slots[i].free;
    return 0;
}

static void take(slot *slots, size_t n, const char *sku, const char *location,
                 int64_t qty)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(slots[i].sku, sku) == 0 &&
            strcmp(slots[i].location, location) == 0)
            slots[i].free -= qty;
}

/* True when location has every line's live units, counting SKUs that
 * appear on several lines together. */
static bool covers_whole_order(slot *slots, size_t n_slots,
                               const hf_order_line *lines, size_t n_lines,
                               const char *location)
{
    for (size_t i = 0; i < n_lines; i++) {
        int64_t need = 0;
        for (size_t j = 0; j < n_lines; j++)
            if (strcmp(lines[j].sku, lines[i].sku) == 0)
                need += hf_order_line_live_qty(&lines[j]);
        if (free_at(slots, n_slots, lines[i].sku, location) < need)
            return false;
    }
    return true;
}

static hf_rc assign(hf_order_line *line, const char *location, int64_t qty,
                    hf_arena *a, hf_err *err)
{
    size_t n = line->n_allocations;
    hf_allocation *grown = hf_arena_alloc(a, (n + 1) * sizeof(*grown));
    if (grown == NULL)
        return hf_fail(err, HF_ENOMEM, NULL, NULL, "out of memory");
    if (n > 0)
        memcpy(grown, line->allocations, n * sizeof(*grown));
    grown[n].location = location;
    grown[n].qty = qty;
    line->allocations = grown;
    line->n_allocations = n + 1;
    return HF_OK;
}

hf_rc hf_allocate(hf_order_line *lines, size_t n_lines,
                  const hf_stock_level *stock, size_t n_stock, hf_arena *a,
                  hf_err *err)
{
    slot *slots = hf_arena_alloc(a, (n_stock + 1) * sizeof(*slots));
    if (slots == NULL)
        return hf_fail(err, HF_ENOMEM, NULL, NULL, "out of memory");
    for (size_t i = 0; i < n_stock; i++)
        slots[i] =
            (slot){stock[i].sku, stock[i].location, available(&stock[i])};
    for (size_t i = 0; i < n_lines; i++) {
        lines[i].allocations = NULL;
        lines[i].n_allocations = 0;
    }

    /* 1. one location for everything, in order of preference */
    for (size_t i = 0; i < n_stock; i++) {
        const char *loc = stock[i].location;
        if (!covers_whole_order(slots, n_stock, lines, n_lines, loc))
            continue;
        for (size_t j = 0; j < n_lines; j++) {
            int64_t qty = hf_order_line_live_qty(&lines[j]);
            if (qty == 0)
                continue;
            hf_rc rc = assign(&lines[j], loc, qty, a, err);
            if (rc != HF_OK)
                return rc;
        }
        return HF_OK;
    }

    /* 2. line by line: whole at the first location that has it, else split
     * across locations, the fullest first */
    for (size_t j = 0; j < n_lines; j++) {
        int64_t need = hf_order_line_live_qty(&lines[j]);
        for (size_t i = 0; i < n_stock && need > 0; i++) {
            if (strcmp(slots[i].sku, lines[j].sku) == 0 &&
                slots[i].free >= need) {
                hf_rc rc = assign(&lines[j], slots[i].location, need, a, err);
                if (rc != HF_OK)
                    return rc;
                slots[i].free -= need;
                need = 0;
            }
        }
        while (need > 0) {
            slot *best = NULL;
            for (size_t i = 0; i < n_stock; i++)
                if (strcmp(slots[i].sku, lines[j].sku) == 0 &&
                    slots[i].free > 0 && (!best || slots[i].free > best->free))
                    best = &slots[i];
            if (best == NULL) {
                char field[32];
                snprintf(field, sizeof(field), "lines[%zu].qty", j);
                return hf_fail(err, HF_ECONFLICT, "out_of_stock", field,
                               "not enough stock of %s", lines[j].sku);
            }
            int64_t qty = best->free < need ? best->free : need;
            hf_rc rc = assign(&lines[j], best->location, qty, a, err);
            if (rc != HF_OK)
                return rc;
            take(slots, n_stock, best->sku, best->location, qty);
            need -= qty;
        }
    }
    return HF_OK;
}
