/*
 * catalog.h - products, stock locations, inventory and customers.
 *
 * Write functions validate their input (HF_EINVAL with the field at fault)
 * and run inside the caller's write transaction t (hf_store_write), so the
 * HTTP layer can keep the idempotent reply in the same transaction.
 * Results come back in arena a.
 */
#ifndef HF_CATALOG_H
#define HF_CATALOG_H

#include "core/order.h"
#include "services/services.h"

/* Creates a product. HF_EINVAL for a bad SKU, name, price or currency;
 * HF_ECONFLICT sku_exists. */
hf_rc hf_catalog_product_create(hf_txn *t, const hf_services *svc,
                                hf_product *p, hf_err *err);

/* Creates a location. HF_ECONFLICT location_exists. */
hf_rc hf_catalog_location_create(hf_txn *t, const hf_services *svc,
                                 const hf_location *loc, hf_err *err);

/* The inventory of one SKU: totals and each location's level. */
typedef struct hf_inventory {
    const char *sku;
    int64_t on_hand, reserved, available;
    hf_stock_level *levels;
    size_t n_levels;
} hf_inventory;

/* Reads the SKU's inventory inside t (a read or write transaction).
 * HF_ENOTFOUND for an unknown SKU. */
hf_rc hf_catalog_inventory_get(hf_txn *t, const char *sku, hf_arena *a,
                               hf_inventory *out, hf_err *err);

/* Adds delta units at a location and returns the SKU's inventory after.
 * HF_EINVAL unknown_sku / unknown_location / zero delta; HF_ECONFLICT
 * insufficient_stock when on hand would fall below reserved. */
hf_rc hf_catalog_inventory_adjust(hf_txn *t, const hf_services *svc,
                                  const char *sku, const char *location,
                                  int64_t delta, const char *reason,
                                  const char *actor, hf_arena *a,
                                  hf_inventory *out, hf_err *err);

/* Creates a customer (email lower-cased). HF_ECONFLICT email_exists. */
hf_rc hf_catalog_customer_create(hf_txn *t, const hf_services *svc,
                                 hf_customer *c, hf_arena *a, hf_err *err);

/* True when sku is 1..64 characters of letters, digits, '.', '_', '-'. */
bool hf_catalog_sku_valid(const char *sku);

#endif
