/*
 * orders_int.h - the steps every change to an order is made of, shared by
 * orders.c and order_changes.c. Only src/services/ includes this.
 */
#ifndef HF_ORDERS_INT_H
#define HF_ORDERS_INT_H

#include "services/orders.h"

/* Appends a timeline entry to o (in arena a); the strings must outlive
 * o. */
hf_rc hf_orders_add_event(hf_order *o, hf_arena *a, hf_time at,
                          const char *type, const char *actor,
                          hf_order_status from, hf_order_status to,
                          const char *reason, const char *data_json,
                          hf_err *err);

/* Re-renders o and writes it (insert when expected_version is 0, else an
 * update guarded by it) with its events from first_new on; out gets the
 * order and its document. */
hf_rc hf_orders_persist(hf_txn *t, hf_order *o, int expected_version,
                        size_t first_new, hf_arena *a, hf_order_result *out,
                        hf_err *err);

/* Reserves the live units of o's lines (filling their allocations), or
 * HF_ECONFLICT out_of_stock. */
hf_rc hf_orders_reserve(hf_txn *t, hf_order *o, hf_arena *a, hf_err *err);

/* Takes qty units of line l out of its reservations, releasing the stock
 * when holds_stock. */
hf_rc hf_orders_release_units(hf_txn *t, hf_order_line *l, int64_t qty,
                              bool holds_stock, hf_arena *a, hf_err *err);

/* Gives back amount: voids what is only authorized, refunds the rest of
 * what was captured. */
hf_rc hf_orders_return_money(hf_txn *t, hf_order *o, hf_minor amount,
                             hf_time at, hf_arena *a, hf_err *err);

#endif
