/* catalog.c - products, locations, inventory, customers. */
#include "services/catalog.h"
#include "util/id.h"

#include <ctype.h>
#include <string.h>

bool hf_catalog_sku_valid(const char *sku)
{
    size_t n = sku ? strlen(sku) : 0;
    if (n == 0 || n > 64)
        return false;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)sku[i];
        if (!isalnum(c) && c != '.' && c != '_' && c != '-')
            return false;
    }
    return true;
}

hf_rc hf_catalog_product_create(hf_txn *t, const hf_services *svc,
                                hf_product *p, hf_err *err)
{
    if (!hf_catalog_sku_valid(p->sku))
        return hf_fail(err, HF_EINVAL, "invalid", "sku",
                       "sku must be 1 to 64 letters, digits, '.', '_' or '-'");
    if (p->name == NULL || *p->name == '\0' || strlen(p->name) > 200)
        return hf_fail(err, HF_EINVAL, "invalid", "name",
                       "name must be 1 to 200 characters");
    if (p->price < 0 || p->price > HF_MONEY_MAX)
        return hf_fail(err, HF_EINVAL, "invalid", "price",
                       "price must be a non-negative amount in minor units");
    if (p->cost < 0 || p->cost > HF_MONEY_MAX)
        return hf_fail(err, HF_EINVAL, "invalid", "cost",
                       "cost must be a non-negative amount in minor units");
    if (!hf_currency_valid(p->currency))
        return hf_fail(err, HF_EINVAL, "invalid", "currency",
                       "currency must be an ISO 4217 code such as \"USD\"");
    p->active = true;
    p->created_at = hf_clock_now(svc->clock);
    return hf_txn_product_insert(t, p, err);
}

hf_rc hf_catalog_location_create(hf_txn *t, const hf_services *svc,
                                 const hf_location *loc, hf_err *err)
{
    if (!hf_catalog_sku_valid(loc->code) || strlen(loc->code) > 32)
        return hf_fail(err, HF_EINVAL, "invalid", "code",
                       "code must be 1 to 32 letters, digits, '.', '_' or "
                       "'-'");
    if (loc->name == NULL || *loc->name == '\0')
        return hf_fail(err, HF_EINVAL, "invalid", "name", "name is required");
    return hf_txn_location_insert(t, loc, hf_clock_now(svc->clock), err);
}

hf_rc hf_catalog_inventory_get(hf_txn *t, const char *sku, hf_arena *a,
                               hf_inventory *out, hf_err *err)
{
    hf_product p;
    hf_rc rc = hf_txn_product_get(t, sku, a, &p, err);
    if (rc != HF_OK)
        return rc;
    memset(out, 0, sizeof(*out));
    out->sku = p.sku;
    rc = hf_txn_stock_get(t, sku, a, &out->levels, &out->n_levels, err);
    for (size_t i = 0; rc == HF_OK && i < out->n_levels; i++) {
        out->on_hand += out->levels[i].on_hand;
        out->reserved += out->levels[i].reserved;
    }
    out->available = out->on_hand - out->reserved;
    return rc;
}

hf_rc hf_catalog_inventory_adjust(hf_txn *t, const hf_services *svc,
                                  const char *sku, const char *location,
                                  int64_t delta, const char *reason,
                                  const char *actor, hf_arena *a,
                                  hf_inventory *out, hf_err *err)
{
    if (delta == 0 || delta > 1000000000 || delta < -1000000000)
        return hf_fail(err, HF_EINVAL, "invalid", "delta",
                       "delta must be a non-zero number of units");
    if (location == NULL)
        location = "main";
    hf_product p;
    hf_rc rc = hf_txn_product_get(t, sku, a, &p, err);
    if (rc == HF_ENOTFOUND)
        return hf_fail(err, HF_EINVAL, "unknown_sku", "sku", "no product %s",
                       sku);
    if (rc != HF_OK)
        return rc;
    rc = hf_txn_location_get(t, location, err);
    if (rc == HF_ENOTFOUND)
        return hf_fail(err, HF_EINVAL, "unknown_location", "location",
                       "no location %s", location);
    hf_stock_level after;
    if (rc == HF_OK)
        rc = hf_txn_stock_adjust(
            t, sku, location, delta, reason ? reason : "adjustment",
            actor ? actor : "system", hf_clock_now(svc->clock), &after, err);
    return rc == HF_OK ? hf_catalog_inventory_get(t, sku, a, out, err) : rc;
}

hf_rc hf_catalog_customer_create(hf_txn *t, const hf_services *svc,
                                 hf_customer *c, hf_arena *a, hf_err *err)
{
    if (c->email == NULL || strchr(c->email, '@') == NULL ||
        strlen(c->email) > 254)
        return hf_fail(err, HF_EINVAL, "invalid", "email",
                       "a valid email is required");
    char *email = hf_arena_strdup(a, c->email);
    char id[HF_ID_MAX];
    hf_id_new("cus", 20, id);
    c->id = hf_arena_strdup(a, id);
    if (email == NULL || c->id == NULL)
        return hf_fail(err, HF_ENOMEM, NULL, NULL, "out of memory");
    for (char *p = email; *p; p++)
        *p = (char)tolower((unsigned char)*p);
    c->email = email;
    c->created_at = hf_clock_now(svc->clock);
    return hf_txn_customer_insert(t, c, err);
}
