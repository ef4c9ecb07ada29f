/*
 * offer.c - names of the offer kinds.
 */
#include "core/offer.h"

#include <string.h>

static const char *const kind_names[HF_OFFER_KIND_COUNT] = {
    [HF_OFFER_NONE] = "none",
    [HF_OFFER_DISCOUNT] = "discount",
    [HF_OFFER_SHIPPING_UPGRADE] = "shipping_upgrade",
    [HF_OFFER_SWAP] = "swap",
    [HF_OFFER_COUPON] = "coupon",
};

const char *hf_offer_kind_name(hf_offer_kind k)
{
    return (unsigned)k < HF_OFFER_KIND_COUNT ? kind_names[k] : "none";
}

bool hf_offer_kind_parse(const char *name, hf_offer_kind *out)
{
    for (int k = 1; k < HF_OFFER_KIND_COUNT; k++)
        if (strcmp(name, kind_names[k]) == 0) {
            *out = (hf_offer_kind)k;
            return true;
        }
    return false;
}
