/*
 * tools.h - the tools a policy may name with @: one table of what each is
 * called (holdfast's own name and the store platforms' aliases from the
 * seed policies), the arguments it takes and what it does. The table is
 * pure data; the conversations service carries the calls out, with the
 * guards, against the store.
 */
#ifndef HF_POLICY_TOOLS_H
#define HF_POLICY_TOOLS_H

#include "core/offer.h"

#include <stddef.h>

typedef enum hf_tool_id {
    HF_TOOL_ORDER_DETAILS,    /* read the order: status, lines, totals */
    HF_TOOL_SET_DISCOUNT,     /* a percentage off the current order */
    HF_TOOL_UPGRADE_SHIPPING, /* free upgrade to expedited shipping */
    HF_TOOL_PRODUCT_SWAP,     /* swap a line to an item of >= value */
    HF_TOOL_FUTURE_COUPON,    /* a coupon for the customer's next order */
    HF_TOOL_SEND_MESSAGE,     /* a message to the customer (outbox) */
    HF_TOOL_CANCEL_ORDER,     /* cancel: release stock, refund, confirm */
    HF_TOOL_ROUTE_TO_AGENT,   /* put the conversation in the agent queue */
    HF_TOOL_COUNT
} hf_tool_id;

typedef enum hf_arg_type {
    HF_ARG_STR,
    HF_ARG_INT,
    HF_ARG_PERCENT,
} hf_arg_type;

typedef struct hf_tool_arg {
    const char *name; /* "message" */
    hf_arg_type type;
} hf_tool_arg;

typedef struct hf_tool_info {
    hf_tool_id id;
    const char *name;           /* holdfast's own: "set_discount_to_order" */
    const char *const *aliases; /* platform names, NULL-terminated */
    hf_offer_kind applies;      /* the offer it applies; NONE for others */
    const hf_tool_arg *args;    /* what @name(arg: type) may declare */
    size_t n_args;
    const char *summary; /* one line, for explain and the docs */
} hf_tool_info;

/* The tool called name (holdfast's name or an alias, without the '@',
 * compared exactly); NULL when no tool has that name. */
const hf_tool_info *hf_tool_lookup(const char *name, size_t len);

/* The tool with that id; never NULL for a valid id. */
const hf_tool_info *hf_tool_get(hf_tool_id id);

/* The tool that applies offers of kind k; NULL for HF_OFFER_NONE. */
const hf_tool_info *hf_tool_for_offer(hf_offer_kind k);

/* "str", "int", "percent"; parses the same (false when unknown). */
const char *hf_arg_type_name(hf_arg_type t);
int hf_arg_type_parse(const char *name, size_t len, hf_arg_type *out);

#endif
