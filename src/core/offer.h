/*
 * offer.h - the kinds of alternative holdfast offers a customer who asks
 * to cancel. Shared by the policy compiler (which reads them from a
 * policy), the intent reader (which hears which one a customer picks) and
 * the retention service (which applies them).
 */
#ifndef HF_OFFER_H
#define HF_OFFER_H

#include <stdbool.h>

typedef enum hf_offer_kind {
    HF_OFFER_NONE = 0,
    HF_OFFER_DISCOUNT,         /* a percentage off the current order */
    HF_OFFER_SHIPPING_UPGRADE, /* free upgrade to expedited shipping */
    HF_OFFER_SWAP,             /* another item of the same or higher value */
    HF_OFFER_COUPON,           /* a percentage off a future order */
    HF_OFFER_KIND_COUNT
} hf_offer_kind;

/* "discount", "shipping_upgrade", "swap", "coupon"; "none" for NONE. */
const char *hf_offer_kind_name(hf_offer_kind k);

/* The kind named name (as hf_offer_kind_name prints it); false if none. */
bool hf_offer_kind_parse(const char *name, hf_offer_kind *out);

#endif
