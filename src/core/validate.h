/*
 * validate.h - is an order, as placed, fit to be fulfilled?
 *
 * Pure: the caller gathers what the checks need (the addresses, the
 * catalog's view of each line, the payment authorization, the carrier's
 * restrictions, the customer's recent orders, the time) and
 * hf_validate_order returns an outcome with machine-readable reasons.
 *
 * Every reason code has one fixed severity (the table in validate.c, and
 * docs/validation.md):
 *   HF_VSEV_CUSTOMER  the customer can fix it: the order is held and the
 *                     customer gets the "address needs fixing" prompt with
 *                     a signed link; a corrected address (validated again)
 *                     releases the hold.
 *   HF_VSEV_REVIEW    staff decide: the order is held and queued for
 *                     review (a likely duplicate).
 *   HF_VSEV_REJECT    the order cannot be fulfilled as placed (an
 *                     unavailable product, a payment that does not match).
 * The outcome is REJECT when any reason rejects, else HOLD when there is
 * any reason, else ACCEPT.
 */
#ifndef HF_VALIDATE_H
#define HF_VALIDATE_H

#include "core/money.h"
#include "core/order.h"
#include "core/postal.h"
#include "util/clock.h"
#include "util/hf.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Reason codes; hf_validate_code_name gives the stable snake_case name. */
typedef enum hf_validate_code {
    HF_VC_MISSING_FIELD,           /* a required address field is empty */
    HF_VC_FIELD_TOO_LONG,          /* an address field is over its limit */
    HF_VC_INVALID_TEXT,            /* not UTF-8, or control characters */
    HF_VC_UNKNOWN_COUNTRY,         /* not an ISO 3166-1 alpha-2 code */
    HF_VC_POSTAL_CODE_FORMAT,      /* not the country's postal-code format */
    HF_VC_NO_HOUSE_NUMBER,         /* the street line lacks a number */
    HF_VC_PO_BOX_NOT_ALLOWED,      /* a PO box, and the carrier refuses them */
    HF_VC_NO_LINES,                /* the order has no lines */
    HF_VC_INVALID_QUANTITY,        /* a line's qty is not positive */
    HF_VC_UNKNOWN_PRODUCT,         /* a line's SKU is not in the catalog */
    HF_VC_PRODUCT_UNAVAILABLE,     /* the product is no longer sold */
    HF_VC_INSUFFICIENT_STOCK,      /* fewer units available than ordered */
    HF_VC_INVALID_CURRENCY,        /* the order's currency is not ISO 4217 */
    HF_VC_MISSING_PAYMENT,         /* no payment method */
    HF_VC_PAYMENT_AMOUNT_MISMATCH, /* authorized != order total */
    HF_VC_PAYMENT_CURRENCY_MISMATCH, /* authorized in another currency */
    HF_VC_LIKELY_DUPLICATE,          /* same lines as a recent order */
    HF_VC_COUNT
} hf_validate_code;

typedef enum hf_validate_severity {
    HF_VSEV_CUSTOMER, /* hold; the customer fixes it (address prompt) */
    HF_VSEV_REVIEW,   /* hold; staff review it */
    HF_VSEV_REJECT,   /* reject the order */
} hf_validate_severity;

typedef enum hf_validate_outcome {
    HF_VALIDATE_ACCEPT,
    HF_VALIDATE_HOLD,
    HF_VALIDATE_REJECT,
} hf_validate_outcome;

/* A line as the catalog sees it. */
typedef struct hf_validate_line {
    const char *sku;
    int64_t qty;       /* units ordered */
    bool known;        /* the SKU is in the catalog */
    bool active;       /* the product is still sold */
    int64_t available; /* units available to sell, or HF_STOCK_UNCHECKED */
} hf_validate_line;

/* hf_validate_line.available when stock is checked elsewhere (by the
 * reservation in the same transaction). */
#define HF_STOCK_UNCHECKED ((int64_t)-1)

/* One of the customer's other recent orders, for duplicate detection. */
typedef struct hf_recent_order {
    const char *number; /* "HF-100041", for the message; may be NULL */
    hf_time placed_at;
    uint64_t signature; /* hf_validate_signature of its live lines */
} hf_recent_order;

#define HF_DUPLICATE_WINDOW_DEFAULT 10 /* minutes */

typedef struct hf_validate_input {
    const hf_address *shipping; /* required */
    const hf_address *billing;  /* NULL when none was given */
    const hf_validate_line *lines;
    size_t n_lines;
    const char *currency;            /* the order's ISO 4217 code */
    hf_minor total;                  /* the order total (hf_order_total) */
    const char *payment_method;      /* "card", ...; NULL or "": missing */
    bool payment_authorized;         /* an authorization exists to compare */
    hf_minor authorized;             /* its amount */
    const char *authorized_currency; /* its currency; NULL: the order's */
    bool carrier_refuses_po_box;     /* the chosen carrier/method refuses */
    const hf_recent_order *recent;   /* the same customer's other orders */
    size_t n_recent;
    int duplicate_window_min; /* 0: HF_DUPLICATE_WINDOW_DEFAULT */
    hf_time now;              /* the clock's time at placement */
} hf_validate_input;

typedef struct hf_validate_reason {
    hf_validate_code code;
    hf_validate_severity severity;
    char field[64];    /* "shipping_address.postal_code", "lines[0].sku" */
    char message[192]; /* one sentence for a person */
} hf_validate_reason;

#define HF_VALIDATE_MAX_REASONS 32

typedef struct hf_validate_result {
    hf_validate_outcome outcome;
    bool customer_prompt; /* send the "address needs fixing" prompt */
    bool needs_review;    /* put the order in the review queue */
    hf_validate_reason reasons[HF_VALIDATE_MAX_REASONS];
    size_t n_reasons;
    size_t n_omitted; /* reasons beyond the array; outcome counts them */
    /* The postal codes in canonical form ("K1A 0B1") when they matched
     * their country's format, else "". */
    char shipping_postal[HF_POSTAL_MAX + 1];
    char billing_postal[HF_POSTAL_MAX + 1];
} hf_validate_result;

/* Runs every check on in and fills *out (always completely). Returns
 * HF_EINVAL, with out->outcome REJECT and no reasons, only when in, out or
 * in->shipping is NULL; otherwise HF_OK whatever the outcome. Nothing is
 * allocated; out holds no pointers into in. */
hf_rc hf_validate_order(const hf_validate_input *in, hf_validate_result *out);

/* Checks one address alone, with the same rules as hf_validate_order (the
 * house-number and PO-box rules only when shipping is true): for a
 * customer correcting a held order's address. Reasons name fields
 * "shipping_address.*" or "billing_address.*". An ACCEPT releases the
 * hold when the address was the only reason. Returns HF_EINVAL (outcome
 * REJECT) when a or out is NULL. */
hf_rc hf_validate_address(const hf_address *a, bool shipping,
                          bool carrier_refuses_po_box, hf_validate_result *out);

/* Fills the parts of *in that come from the order itself: addresses,
 * currency, total, payment method and authorization (authorized when
 * o->payment.authorized + captured > 0). Leaves lines, recent orders,
 * carrier restrictions and now zeroed for the caller. */
void hf_validate_input_from_order(const hf_order *o, hf_validate_input *in);

/* The canonical line signature: order-independent, lines of the same SKU
 * merged (two lines of 1 equal one line of 2), non-positive quantities
 * ignored. The sum over lines of qty * H(sku) (mod 2^64), H a 64-bit
 * FNV-1a hash, then mixed. Store it with the order for duplicate checks. */
uint64_t hf_validate_signature(const hf_validate_line *lines, size_t n);

/* The same signature over an order's live quantities. */
uint64_t hf_validate_order_signature(const hf_order *o);

/* True when line (an address's street line) names a PO box or the like:
 * "PO Box", "P.O. Box", "Postfach", "Apartado", "Caixa Postal",
 * "Boîte postale", "Postbus", "Locked Bag", ... (the table in validate.c). */
bool hf_validate_is_po_box(const char *line);

/* True when line1 (or, failing that, line2) carries a house number: a
 * token with a digit that is not a unit's number ("Flat 3", "Apt 5",
 * "#12"), a leading English number word ("One Main St"), or an explicit
 * "no number" mark ("s/n", "snc", "lieu-dit"). line2 may be NULL. */
bool hf_validate_has_house_number(const char *line1, const char *line2);

/* "missing_field", "postal_code_format", ...; "unknown" out of range. */
const char *hf_validate_code_name(hf_validate_code c);
hf_validate_severity hf_validate_code_severity(hf_validate_code c);

/* "accept", "hold", "reject". */
const char *hf_validate_outcome_name(hf_validate_outcome o);

/* "customer", "review", "reject". */
const char *hf_validate_severity_name(hf_validate_severity s);

#endif
