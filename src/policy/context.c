/*
 * context.c - the $ values a policy may write into its messages: one
 * table of the paths the engine fills in from the order, the customer,
 * the offer being made and the shop's settings.
 */
#include "policy/plan.h"

#include <string.h>

/* Sorted by path; each row says where the value comes from. */
static const char *const paths[] = {
    "coupon.code",           /* the coupon issued for a future order */
    "coupon.expires_at",     /* its expiry, RFC 3339 */
    "coupon.percent",        /* its percentage */
    "customer.email",        /* the order's customer */
    "customer.first_name",   /* first word of customer.name */
    "customer.name",         /* as on the order */
    "max_discount_percent",  /* the configured ceiling for discounts */
    "offer.description",     /* the offer being made, in words */
    "offer.percent",         /* its percentage, when it has one */
    "order.currency",        /* ISO 4217 */
    "order.id",              /* the order's id */
    "order.number",          /* the human number, HF-100042 */
    "order.placed_at",       /* RFC 3339 */
    "order.promised_by",     /* the delivery promise, RFC 3339 */
    "order.shipping_method", /* "standard", "expedited", ... */
    "order.status",          /* "confirmed", "packed", ... */
    "order.subtotal",        /* lines before shipping and tax, "120.00" */
    "order.total",           /* what the customer paid, "138.99" */
    "order.tracking_url",    /* the carrier's tracking page, if shipped */
    "shop.name",             /* the merchant's name */
    "support_email",         /* where customers write to a person */
};

bool hf_policy_context_known(const char *path, size_t len)
{
    if (path == NULL)
        return false;
    for (size_t i = 0; i < HF_ARRAY_LEN(paths); i++)
        if (strlen(paths[i]) == len && memcmp(paths[i], path, len) == 0)
            return true;
    return false;
}

/* The table, for explain and the docs; *n gets its length. */
const char *const *hf_policy_context_paths(size_t *n)
{
    *n = HF_ARRAY_LEN(paths);
    return paths;
}
