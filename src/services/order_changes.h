/*
 * order_changes.h - the changes a retention offer makes to an order, each
 * behind the guards no policy can lift. Each runs inside the caller's
 * transaction and, on success, records a timeline entry and gives the
 * changed order; on failure nothing was changed.
 */
#ifndef HF_ORDER_CHANGES_H
#define HF_ORDER_CHANGES_H

#include "services/orders.h"

/* Takes percent off the order's live subtotal and gives that money back
 * (a smaller authorization, or a refund of what was captured). Errors:
 * HF_ENOTFOUND; HF_EINVAL discount_too_large (above max_percent, or the
 * order would sell below cost); HF_ECONFLICT not_discountable (cancelled,
 * returned). */
hf_rc hf_orders_discount_txn(hf_txn *t, const hf_services *svc,
                             const char *order, int percent, int max_percent,
                             const char *actor, hf_arena *a,
                             hf_order_result *out, hf_err *err);

/* Moves the order to expedited shipping at no charge and brings its
 * promised date forward. Errors: HF_ENOTFOUND; HF_ECONFLICT
 * already_shipped, already_expedited. */
hf_rc hf_orders_upgrade_shipping_txn(hf_txn *t, const hf_services *svc,
                                     const char *order, const char *actor,
                                     hf_arena *a, hf_order_result *out,
                                     hf_err *err);

/* Swaps the order's line of from_sku to to_sku at the price already paid:
 * the old units' stock is released and the new item's reserved. Errors:
 * HF_ENOTFOUND (order, line, product); HF_EINVAL swap_not_allowed (cheaper,
 * inactive, another currency); HF_ECONFLICT already_shipped, out_of_stock. */
hf_rc hf_orders_swap_txn(hf_txn *t, const hf_services *svc, const char *order,
                         const char *from_sku, const char *to_sku,
                         const char *actor, hf_arena *a, hf_order_result *out,
                         hf_err *err);

/* What the order's live lines cost the merchant (from the catalog). */
hf_rc hf_orders_cost_txn(hf_txn *t, const hf_order *o, hf_arena *a,
                         hf_minor *cost, hf_err *err);

#endif
