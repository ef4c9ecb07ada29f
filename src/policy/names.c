/*
 * names.c - the names of branches, actions and line kinds, as explain
 * prints them and JSON carries them. Indexed by the enums of plan.h.
 */
#include "policy/plan.h"

static const char *const branch_names[HF_BRANCH_COUNT] = {
    [HF_BRANCH_ALWAYS] = "always",
    [HF_BRANCH_ACCEPTS] = "accepts",
    [HF_BRANCH_DECLINES] = "declines",
    [HF_BRANCH_INSISTS] = "insists",
    [HF_BRANCH_CONCERN] = "concern",
    [HF_BRANCH_ASKS_AGENT] = "asks_agent",
    [HF_BRANCH_NOT_ELIGIBLE] = "not_eligible",
};

static const char *const action_names[HF_ACT_COUNT] = {
    [HF_ACT_LOOKUP_ORDER] = "lookup_order",
    [HF_ACT_PRESENT_OFFERS] = "present_offers",
    [HF_ACT_APPLY_OFFER] = "apply_offer",
    [HF_ACT_NOTIFY] = "notify",
    [HF_ACT_THANK] = "thank",
    [HF_ACT_CANCEL] = "cancel",
    [HF_ACT_RELEASE_STOCK] = "release_stock",
    [HF_ACT_REFUND] = "refund",
    [HF_ACT_SEND_SURVEY] = "send_survey",
    [HF_ACT_OFFER_RETURN] = "offer_return",
    [HF_ACT_ROUTE_AGENT] = "route_agent",
};

static const char *const line_names[] = {
    [HF_LINE_HEADING] = "heading", [HF_LINE_TRIGGER] = "trigger",
    [HF_LINE_OFFER] = "offer",     [HF_LINE_BRANCH] = "branch",
    [HF_LINE_ACTION] = "action",   [HF_LINE_RULE] = "rule",
    [HF_LINE_NOTE] = "note",       [HF_LINE_UNKNOWN] = "unknown",
    [HF_LINE_REMARK] = "remark",
};

/* "accepts" etc.; "?" for a value out of range. */
const char *hf_branch_name(hf_branch b)
{
    return (unsigned)b < HF_BRANCH_COUNT ? branch_names[b] : "?";
}

/* "apply_offer" etc.; "?" for a value out of range. */
const char *hf_action_kind_name(hf_action_kind k)
{
    return (unsigned)k < HF_ACT_COUNT ? action_names[k] : "?";
}

/* "offer" etc.; "?" for a value out of range. */
const char *hf_line_kind_name(hf_line_kind k)
{
    return (unsigned)k < HF_ARRAY_LEN(line_names) ? line_names[k] : "?";
}
