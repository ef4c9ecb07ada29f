/*
 * order_changes.c - discounts, shipping upgrades and product swaps applied
 * to an existing order.
 */
#include "services/order_changes.h"

#include "services/orders_int.h"
#include "util/jsonw.h"

#include <stdio.h>
#include <string.h>

/* Still before shipment: what a shipping upgrade or a swap needs. */
static bool not_shipped(const hf_order *o)
{
    return hf_order_cancellable(o->status, o->held_from, HF_STATUS_PACKED);
}

hf_rc hf_orders_cost_txn(hf_txn *t, const hf_order *o, hf_arena *a,
                         hf_minor *cost, hf_err *err)
{
    *cost = 0;
    for (size_t i = 0; i < o->n_lines; i++) {
        int64_t live = hf_order_line_live_qty(&o->lines[i]);
        if (live == 0)
            continue;
        hf_product p;
        hf_rc rc = hf_txn_product_get(t, o->lines[i].sku, a, &p, err);
        if (rc == HF_ENOTFOUND)
            continue; /* a product since removed costs what we cannot know */
        if (rc != HF_OK)
            return rc;
        *cost += p.cost * live;
    }
    return HF_OK;
}

hf_rc hf_orders_discount_txn(hf_txn *t, const hf_services *svc,
                             const char *order, int percent, int max_percent,
                             const char *actor, hf_arena *a,
                             hf_order_result *out, hf_err *err)
{
    hf_order o;
    hf_rc rc = hf_txn_order_get(t, order, a, &o, err);
    if (rc != HF_OK)
        return rc;
    if (o.status == HF_STATUS_CANCELLED || o.status == HF_STATUS_RETURNED)
        return hf_fail(err, HF_ECONFLICT, "not_discountable", NULL,
                       "order %s is %s", o.number,
                       hf_order_status_name(o.status));
    if (percent < 1 || percent > 100 ||
        (max_percent > 0 && percent > max_percent))
        return hf_fail(err, HF_EINVAL, "discount_too_large", "percent",
                       "a discount of %d%% is above the allowed %d%%", percent,
                       max_percent);
    hf_minor subtotal = hf_order_subtotal(&o), cost;
    if ((rc = hf_orders_cost_txn(t, &o, a, &cost, err)) != HF_OK)
        return rc;
    hf_minor amount = subtotal * percent / 100;
    if (subtotal - o.discount_total - amount < cost)
        return hf_fail(err, HF_EINVAL, "discount_too_large", "percent",
                       "a discount of %d%% would sell order %s below cost",
                       percent, o.number);
    hf_time now = hf_clock_now(svc->clock);
    int version = o.version;
    size_t first_new = o.n_events;
    if ((rc = hf_orders_return_money(t, &o, amount, now, a, err)) != HF_OK)
        return rc;
    o.discount_total += amount;
    o.updated_at = now;
    o.version++;
    const char *data = hf_arena_printf(a, "{\"percent\":%d,\"amount\":%lld}",
                                       percent, (long long)amount);
    rc = hf_orders_add_event(&o, a, now, "discount_applied", actor, o.status,
                             o.status, "retention_offer", data, err);
    if (rc != HF_OK)
        return rc;
    return hf_orders_persist(t, &o, version, first_new, a, out, err);
}

hf_rc hf_orders_upgrade_shipping_txn(hf_txn *t, const hf_services *svc,
                                     const char *order, const char *actor,
                                     hf_arena *a, hf_order_result *out,
                                     hf_err *err)
{
    hf_order o;
    hf_rc rc = hf_txn_order_get(t, order, a, &o, err);
    if (rc != HF_OK)
        return rc;
    if (!not_shipped(&o))
        return hf_fail(err, HF_ECONFLICT, "already_shipped", NULL,
                       "order %s is %s: too late to change its shipping",
                       o.number, hf_order_status_name(o.status));
    if (o.shipping_method == HF_SHIP_EXPEDITED)
        return hf_fail(err, HF_ECONFLICT, "already_expedited", NULL,
                       "order %s already ships expedited", o.number);
    hf_time now = hf_clock_now(svc->clock);
    int version = o.version;
    size_t first_new = o.n_events;
    o.shipping_method = HF_SHIP_EXPEDITED;
    hf_time sooner = hf_promised_by(HF_SHIP_EXPEDITED, now);
    if (sooner < o.promised_by)
        o.promised_by = sooner;
    o.updated_at = now;
    o.version++;
    const char *data =
        hf_arena_printf(a, "{\"shipping_method\":\"expedited\"}");
    rc = hf_orders_add_event(&o, a, now, "shipping_upgraded", actor, o.status,
                             o.status, "retention_offer", data, err);
    if (rc != HF_OK)
        return rc;
    return hf_orders_persist(t, &o, version, first_new, a, out, err);
}

/* The product to swap to, if it may replace line l. */
static hf_rc check_swap_target(hf_txn *t, const hf_order *o,
                               const hf_order_line *l, const char *to_sku,
                               hf_arena *a, hf_product *to, hf_err *err)
{
    hf_rc rc = hf_txn_product_get(t, to_sku, a, to, err);
    if (rc != HF_OK)
        return rc == HF_ENOTFOUND ? hf_fail(err, rc, "unknown_sku", "sku",
                                            "no product %s", to_sku)
                                  : rc;
    if (!to->active || strcmp(to->currency, o->currency) != 0 ||
        to->price < l->unit_price || strcmp(to_sku, l->sku) == 0)
        return hf_fail(err, HF_EINVAL, "swap_not_allowed", "sku",
                       "%s cannot replace %s: a swap goes to another active "
                       "item of the same or higher price",
                       to_sku, l->sku);
    return HF_OK;
}

hf_rc hf_orders_swap_txn(hf_txn *t, const hf_services *svc, const char *order,
                         const char *from_sku, const char *to_sku,
                         const char *actor, hf_arena *a, hf_order_result *out,
                         hf_err *err)
{
    hf_order o;
    hf_rc rc = hf_txn_order_get(t, order, a, &o, err);
    if (rc != HF_OK)
        return rc;
    if (!not_shipped(&o))
        return hf_fail(err, HF_ECONFLICT, "already_shipped", NULL,
                       "order %s is %s: too late to swap its items", o.number,
                       hf_order_status_name(o.status));
    hf_order_line *l = NULL;
    for (size_t i = 0; i < o.n_lines && l == NULL; i++)
        if (strcmp(o.lines[i].sku, from_sku) == 0 &&
            hf_order_line_live_qty(&o.lines[i]) > 0)
            l = &o.lines[i];
    if (l == NULL)
        return hf_fail(err, HF_ENOTFOUND, "not_found", "from_sku",
                       "order %s has no live line of %s", o.number, from_sku);
    hf_product to;
    if ((rc = check_swap_target(t, &o, l, to_sku, a, &to, err)) != HF_OK)
        return rc;
    int64_t live = hf_order_line_live_qty(l);
    bool holds = hf_order_status_holds_stock(o.status);
    if ((rc = hf_orders_release_units(t, l, live, holds, a, err)) != HF_OK)
        return rc;
    /* reserve the new item through the same path as a new order */
    hf_order_line fresh = {.line_no = l->line_no,
                           .sku = to.sku,
                           .name = to.name,
                           .qty = live,
                           .unit_price = l->unit_price};
    hf_order one = o;
    one.lines = &fresh;
    one.n_lines = 1;
    if (holds && (rc = hf_orders_reserve(t, &one, a, err)) != HF_OK)
        return rc;
    hf_time now = hf_clock_now(svc->clock);
    int version = o.version;
    size_t first_new = o.n_events;
    l->sku = to.sku;
    l->name = to.name;
    l->allocations = fresh.allocations;
    l->n_allocations = fresh.n_allocations;
    o.updated_at = now;
    o.version++;
    hf_jsonw w;
    hf_jw_init(&w, a);
    hf_jw_object(&w);
    hf_jw_key(&w, "line_no");
    hf_jw_int(&w, l->line_no);
    hf_jw_key(&w, "from");
    hf_jw_str(&w, from_sku);
    hf_jw_key(&w, "to");
    hf_jw_str(&w, to.sku);
    hf_jw_object_end(&w);
    const char *data = hf_jw_finish(&w);
    rc = hf_orders_add_event(&o, a, now, "product_swapped", actor, o.status,
                             o.status, "retention_offer", data, err);
    if (rc != HF_OK)
        return rc;
    return hf_orders_persist(t, &o, version, first_new, a, out, err);
}
