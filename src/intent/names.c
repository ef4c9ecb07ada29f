/* names.c - the names of intents, as files, JSON and the CLI spell them. */
#include "intent/intent.h"

#include <string.h>

/* Indexed by hf_intent; also the corpus file names (data/intents/X.txt). */
static const char *const names[HF_INTENT_COUNT] = {
    [HF_INTENT_CANCEL_ORDER] = "cancel_order",
    [HF_INTENT_ACCEPT_OFFER] = "accept_offer",
    [HF_INTENT_DECLINE_OFFER] = "decline_offer",
    [HF_INTENT_INSIST_CANCEL] = "insist_cancel",
    [HF_INTENT_ASK_AGENT] = "ask_agent",
    [HF_INTENT_QUESTION] = "question",
    [HF_INTENT_ORDER_STATUS] = "order_status",
    [HF_INTENT_CHANGE_ORDER] = "change_order",
    [HF_INTENT_THANKS] = "thanks",
    [HF_INTENT_OTHER] = "other",
};

/*
 * The snake_case name of intent i; "other" for a value out of range, so
 * the result is never NULL.
 */
const char *hf_intent_name(hf_intent i)
{
    if ((unsigned)i >= HF_INTENT_COUNT)
        return names[HF_INTENT_OTHER];
    return names[i];
}

/*
 * Sets *out to the intent called name and returns true; false (and *out
 * untouched) when name is NULL or no intent's name.
 */
bool hf_intent_parse(const char *name, hf_intent *out)
{
    if (name == NULL)
        return false;
    for (int i = 0; i < HF_INTENT_COUNT; i++)
        if (strcmp(name, names[i]) == 0) {
            *out = (hf_intent)i;
            return true;
        }
    return false;
}
