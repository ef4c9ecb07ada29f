/* order_state.c - the order state machine as one table. */
#include "core/order_state.h"

#include <string.h>

static const char *const status_names[HF_STATUS_COUNT] = {
    [HF_STATUS_PENDING] = "pending",     [HF_STATUS_CONFIRMED] = "confirmed",
    [HF_STATUS_ALLOCATED] = "allocated", [HF_STATUS_PICKING] = "picking",
    [HF_STATUS_PACKED] = "packed",       [HF_STATUS_SHIPPED] = "shipped",
    [HF_STATUS_DELIVERED] = "delivered", [HF_STATUS_ON_HOLD] = "on_hold",
    [HF_STATUS_CANCELLED] = "cancelled", [HF_STATUS_RETURNED] = "returned",
};

/* Every allowed move through the transitions endpoint, one row each. */
static const struct transition {
    hf_order_status from, to;
} transitions[] = {
    /* payment authorized after the order was taken */
    {HF_STATUS_PENDING, HF_STATUS_CONFIRMED},
    /* warehouse flow, in order */
    {HF_STATUS_CONFIRMED, HF_STATUS_ALLOCATED},
    {HF_STATUS_ALLOCATED, HF_STATUS_PICKING},
    {HF_STATUS_PICKING, HF_STATUS_PACKED},
    {HF_STATUS_PACKED, HF_STATUS_SHIPPED},
    /* a warehouse that does not report every step may skip ahead */
    {HF_STATUS_CONFIRMED, HF_STATUS_SHIPPED},
    {HF_STATUS_ALLOCATED, HF_STATUS_SHIPPED},
    {HF_STATUS_PICKING, HF_STATUS_SHIPPED},
    /* the carrier's side */
    {HF_STATUS_SHIPPED, HF_STATUS_DELIVERED},
    {HF_STATUS_DELIVERED, HF_STATUS_RETURNED},
    /* any status before shipment can be held */
    {HF_STATUS_PENDING, HF_STATUS_ON_HOLD},
    {HF_STATUS_CONFIRMED, HF_STATUS_ON_HOLD},
    {HF_STATUS_ALLOCATED, HF_STATUS_ON_HOLD},
    {HF_STATUS_PICKING, HF_STATUS_ON_HOLD},
    {HF_STATUS_PACKED, HF_STATUS_ON_HOLD},
};

const char *hf_order_status_name(hf_order_status s)
{
    if ((unsigned)s >= HF_STATUS_COUNT)
        return "unknown";
    return status_names[s];
}

bool hf_order_status_parse(const char *name, hf_order_status *out)
{
    if (name == NULL)
        return false;
    for (int s = 0; s < HF_STATUS_COUNT; s++) {
        if (strcmp(name, status_names[s]) == 0) {
            *out = (hf_order_status)s;
            return true;
        }
    }
    return false;
}

bool hf_order_transition_allowed(hf_order_status from, hf_order_status to,
                                 hf_order_status held_from)
{
    if (from == HF_STATUS_ON_HOLD)
        return to == held_from && to <= HF_STATUS_PACKED; /* holdable ones */
    for (size_t i = 0; i < sizeof(transitions) / sizeof(transitions[0]); i++)
        if (transitions[i].from == from && transitions[i].to == to)
            return true;
    return false;
}

bool hf_order_cancellable(hf_order_status s, hf_order_status held_from,
                          hf_order_status last_cancellable)
{
    if (s == HF_STATUS_ON_HOLD)
        s = held_from;
    switch (s) {
    case HF_STATUS_PENDING:
    case HF_STATUS_CONFIRMED:
    case HF_STATUS_ALLOCATED:
    case HF_STATUS_PICKING:
    case HF_STATUS_PACKED:
        /* the warehouse statuses are ordered: compare positions */
        return s <= last_cancellable;
    default:
        return false;
    }
}

bool hf_order_status_holds_stock(hf_order_status s)
{
    return s <= HF_STATUS_PACKED || s == HF_STATUS_ON_HOLD;
}
