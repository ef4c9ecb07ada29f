/*
 * order_state.h - the order state machine: statuses and the one table of
 * transitions between them.
 *
 *   pending -> confirmed -> allocated -> picking -> packed -> shipped
 *           -> delivered -> returned
 *   any status before shipped -> on_hold -> back to the status it left
 *   any status before shipped (by default) -> cancelled
 *
 * Cancellation goes through the cancel operation (it moves stock and money
 * too), never through a plain transition.
 */
#ifndef HF_ORDER_STATE_H
#define HF_ORDER_STATE_H

#include <stdbool.h>

typedef enum hf_order_status {
    HF_STATUS_PENDING,   /* received, payment not yet authorized */
    HF_STATUS_CONFIRMED, /* paid (authorized) and stock reserved */
    HF_STATUS_ALLOCATED, /* released to a location's warehouse */
    HF_STATUS_PICKING,
    HF_STATUS_PACKED,
    HF_STATUS_SHIPPED, /* handed to the carrier; reserved stock consumed */
    HF_STATUS_DELIVERED,
    HF_STATUS_ON_HOLD, /* stopped by fraud review, address fix or a person */
    HF_STATUS_CANCELLED,
    HF_STATUS_RETURNED, /* came back after delivery; restocked */
    HF_STATUS_COUNT
} hf_order_status;

/* "confirmed" etc.; "unknown" for a value out of range. */
const char *hf_order_status_name(hf_order_status s);

/* Parses a status name. Returns false for an unknown name. */
bool hf_order_status_parse(const char *name, hf_order_status *out);

/* True when a transition from -> to is allowed through the transitions
 * endpoint. held_from is the status an on_hold order left (ignored
 * otherwise): a held order is released back to exactly that status. */
bool hf_order_transition_allowed(hf_order_status from, hf_order_status to,
                                 hf_order_status held_from);

/* True when an order in status s (held from held_from) may still be
 * cancelled when cancellation is allowed up to and including
 * `last_cancellable` (HF_STATUS_PACKED by default: until shipment). */
bool hf_order_cancellable(hf_order_status s, hf_order_status held_from,
                          hf_order_status last_cancellable);

/* True for statuses whose reserved stock is still held (not yet shipped,
 * not cancelled). */
bool hf_order_status_holds_stock(hf_order_status s);

#endif
