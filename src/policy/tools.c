/*
 * tools.c - the tool table. Platform aliases act on holdfast's own store
 * until connectors for those platforms exist; a policy written for
 * BigCommerce & Kustomer or Magento & Gladly runs unchanged.
 */
#include "policy/tools.h"

#include <string.h>

static const char *const details_aliases[] = {"bigcommerce_order_details",
                                              "magento_order_details",
                                              "get_order_details", NULL};
static const char *const discount_aliases[] = {
    "bigcommerce_set_discount", "magento_set_discount", "apply_discount", NULL};
static const char *const shipping_aliases[] = {"bigcommerce_shipping_upgrade",
                                               "magento_shipping_upgrade",
                                               "shipping_upgrade", NULL};
static const char *const swap_aliases[] = {
    "bigcommerce_product_swap", "magento_product_swap", "swap_product", NULL};
static const char *const coupon_aliases[] = {"bigcommerce_discount_future",
                                             "magento_discount_future",
                                             "future_discount", NULL};
static const char *const message_aliases[] = {"kustomer_send_async_message",
                                              "gladly_send_async_message",
                                              "send_message", NULL};
static const char *const cancel_aliases[] = {"bigcommerce_cancel_order",
                                             "magento_cancel_order", NULL};
static const char *const route_aliases[] = {"kustomer_route_to_agent",
                                            "gladly_route_to_agent",
                                            "escalate_to_agent", NULL};

static const hf_tool_arg discount_args[] = {{"percent", HF_ARG_PERCENT}};
static const hf_tool_arg swap_args[] = {{"sku", HF_ARG_STR}};
static const hf_tool_arg coupon_args[] = {{"percent", HF_ARG_PERCENT},
                                          {"days", HF_ARG_INT}};
static const hf_tool_arg message_args[] = {{"message", HF_ARG_STR}};
static const hf_tool_arg cancel_args[] = {{"reason", HF_ARG_STR}};
static const hf_tool_arg route_args[] = {{"reason", HF_ARG_STR}};

#define ARGS(a) a, sizeof(a) / sizeof((a)[0])

/* Indexed by hf_tool_id. */
static const hf_tool_info tools[HF_TOOL_COUNT] = {
    {HF_TOOL_ORDER_DETAILS, "order_details", details_aliases, HF_OFFER_NONE,
     NULL, 0, "reads the order: status, lines, totals, delivery date"},
    {HF_TOOL_SET_DISCOUNT, "set_discount_to_order", discount_aliases,
     HF_OFFER_DISCOUNT, ARGS(discount_args),
     "takes a percentage off the current order (never above the configured "
     "maximum, never below cost)"},
    {HF_TOOL_UPGRADE_SHIPPING, "upgrade_shipping", shipping_aliases,
     HF_OFFER_SHIPPING_UPGRADE, NULL, 0,
     "upgrades the order to expedited shipping free of charge (before "
     "shipment only)"},
    {HF_TOOL_PRODUCT_SWAP, "product_swap", swap_aliases, HF_OFFER_SWAP,
     ARGS(swap_args),
     "swaps an item for one of the same or higher price that is in stock, at "
     "no extra cost"},
    {HF_TOOL_FUTURE_COUPON, "issue_future_coupon", coupon_aliases,
     HF_OFFER_COUPON, ARGS(coupon_args),
     "issues a unique coupon, with an expiry, for the customer's next order"},
    {HF_TOOL_SEND_MESSAGE, "send_async_message", message_aliases, HF_OFFER_NONE,
     ARGS(message_args),
     "sends the customer a message through the notification outbox"},
    {HF_TOOL_CANCEL_ORDER, "cancel_order", cancel_aliases, HF_OFFER_NONE,
     ARGS(cancel_args),
     "cancels the order: releases its stock, refunds, confirms"},
    {HF_TOOL_ROUTE_TO_AGENT, "route_to_agent", route_aliases, HF_OFFER_NONE,
     ARGS(route_args), "hands the conversation to a person in the agent queue"},
};

static int name_is(const char *name, const char *s, size_t len)
{
    return strlen(name) == len && memcmp(name, s, len) == 0;
}

const hf_tool_info *hf_tool_lookup(const char *name, size_t len)
{
    for (int i = 0; i < HF_TOOL_COUNT; i++) {
        if (name_is(tools[i].name, name, len))
            return &tools[i];
        for (const char *const *a = tools[i].aliases; a && *a; a++)
            if (name_is(*a, name, len))
                return &tools[i];
    }
    return NULL;
}

const hf_tool_info *hf_tool_get(hf_tool_id id)
{
    return (unsigned)id < HF_TOOL_COUNT ? &tools[id] : NULL;
}

const hf_tool_info *hf_tool_for_offer(hf_offer_kind k)
{
    for (int i = 0; i < HF_TOOL_COUNT; i++)
        if (k != HF_OFFER_NONE && tools[i].applies == k)
            return &tools[i];
    return NULL;
}

static const char *const type_names[] = {"str", "int", "percent"};

const char *hf_arg_type_name(hf_arg_type t)
{
    return (unsigned)t < 3 ? type_names[t] : "str";
}

int hf_arg_type_parse(const char *name, size_t len, hf_arg_type *out)
{
    static const struct {
        const char *name;
        hf_arg_type type;
    } spellings[] = {
        {"str", HF_ARG_STR},         {"string", HF_ARG_STR},
        {"text", HF_ARG_STR},        {"int", HF_ARG_INT},
        {"integer", HF_ARG_INT},     {"number", HF_ARG_INT},
        {"percent", HF_ARG_PERCENT}, {"percentage", HF_ARG_PERCENT},
    };
    for (size_t i = 0; i < sizeof(spellings) / sizeof(spellings[0]); i++)
        if (name_is(spellings[i].name, name, len)) {
            *out = spellings[i].type;
            return 1;
        }
    return 0;
}
