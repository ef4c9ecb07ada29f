/*
 * order.h - the order and the records around it, as plain data.
 *
 * These are value records passed between layers, not handles: the store
 * fills them, services change them, the HTTP layer renders them. Every
 * string in them belongs to the arena of whoever built the record; nothing
 * here is freed on its own.
 */
#ifndef HF_ORDER_H
#define HF_ORDER_H

#include "core/money.h"
#include "core/order_state.h"
#include "util/clock.h"
#include "util/hf.h"

#include <stdbool.h>
#include <stddef.h>

typedef struct hf_address {
    const char *name;
    const char *line1;
    const char *line2; /* may be NULL */
    const char *city;
    const char *region;      /* state, province; may be NULL */
    const char *postal_code; /* may be NULL where a country has none */
    const char *country;     /* ISO 3166-1 alpha-2, upper case */
    const char *phone;       /* may be NULL */
} hf_address;

typedef struct hf_customer {
    const char *id;    /* "cus_..." */
    const char *email; /* lower-cased; unique */
    const char *name;
    const char *phone; /* may be NULL */
    hf_time created_at;
} hf_customer;

typedef struct hf_product {
    const char *sku;
    const char *name;
    hf_minor price; /* selling price per unit */
    hf_minor cost;  /* what a unit costs the merchant; for margins */
    const char *currency;
    const char *category;        /* may be NULL */
    const char *attributes_json; /* a JSON object as text; may be NULL */
    bool active;                 /* false: no longer sold */
    hf_time created_at;
} hf_product;

typedef struct hf_stock_level {
    const char *sku;
    const char *location; /* location code, "main" */
    int64_t on_hand;      /* units physically there */
    int64_t reserved;     /* units promised to open orders */
} hf_stock_level;

/* Units of one order line reserved at one location. */
typedef struct hf_allocation {
    const char *location;
    int64_t qty; /* units still reserved there (shipped or released: 0) */
} hf_allocation;

typedef struct hf_order_line {
    int line_no; /* 1-based, stable */
    const char *sku;
    const char *name; /* product name when ordered */
    int64_t qty;      /* units ordered */
    int64_t cancelled_qty;
    hf_minor unit_price;
    hf_allocation *allocations; /* where the live units are reserved */
    size_t n_allocations;
} hf_order_line;

typedef enum hf_shipping_method {
    HF_SHIP_STANDARD,
    HF_SHIP_EXPEDITED,
    HF_SHIP_COUNT
} hf_shipping_method;

typedef enum hf_capture_mode {
    HF_CAPTURE_ON_SHIPMENT, /* authorize now, capture when shipped */
    HF_CAPTURE_IMMEDIATE,   /* capture at placement */
} hf_capture_mode;

typedef struct hf_payment_info {
    const char *method;  /* "card", "paypal", "bank_transfer", ... */
    const char *gateway; /* "manual", "test", or a connector's name */
    const char *token;   /* gateway's payment token; may be NULL */
    hf_capture_mode capture;
    hf_minor authorized; /* currently authorized, not yet captured */
    hf_minor captured;   /* captured in total */
    hf_minor refunded;   /* refunded in total */
    hf_minor voided;     /* authorization released in total */
} hf_payment_info;

/* One entry of an order's timeline. */
typedef struct hf_order_event {
    int seq; /* 1, 2, ... within the order */
    hf_time at;
    const char *type;  /* "placed", "status_changed", "cancelled", ... */
    const char *actor; /* "api:key_id", "system", "customer" */
    hf_order_status from, to;
    const char *reason;    /* may be NULL */
    const char *data_json; /* a JSON object as text; may be NULL */
} hf_order_event;

typedef struct hf_order {
    const char *id;     /* "ord_..." */
    const char *number; /* "HF-100001" */
    int64_t seq;        /* the number's integer part; orders sort by it */
    hf_order_status status;
    hf_order_status held_from; /* with HF_STATUS_ON_HOLD: where to go back */
    int version;               /* bumped on every change */
    const char *channel;       /* "web", "pos", "marketplace", "phone" */
    hf_customer customer;
    const char *currency;
    hf_order_line *lines;
    size_t n_lines;
    hf_minor shipping_total;
    hf_minor discount_total;
    hf_minor tax_total;
    hf_shipping_method shipping_method;
    hf_address shipping_address;
    hf_address billing_address;
    bool has_billing_address;
    hf_payment_info payment;
    hf_time placed_at;
    hf_time updated_at;
    hf_time promised_by; /* latest delivery date promised to the customer */
    const char *cancel_reason; /* reason code once (partly) cancelled */
    const char *cancel_note;
    hf_order_event *events; /* the timeline, oldest first */
    size_t n_events;
    bool has_risk;           /* scored (a model was set at placement) */
    double risk_score;       /* probability of cancellation, 0..1 */
    const char *risk_model;  /* the model's file name, with has_risk */
    hf_time risk_at;         /* when the score was last computed */
    const char *risk_reason; /* what scored it: "placement", "tracking" */
} hf_order;

/* Sum of unit_price * live qty over the lines. */
hf_minor hf_order_subtotal(const hf_order *o);

/* subtotal + shipping - discount + tax. */
hf_minor hf_order_total(const hf_order *o);

/* Units of line still live (ordered minus cancelled). */
int64_t hf_order_line_live_qty(const hf_order_line *l);

/* True when every line is fully cancelled. */
bool hf_order_fully_cancelled(const hf_order *o);

/* --- Reference tables ---------------------------------------------------- */

/* True when code is one of the cancellation reasons holdfast records:
 * inaccurate_product_info, shipping_delay, poor_customer_service,
 * changed_mind, found_better_price, ordered_by_mistake, fraud_suspected,
 * out_of_stock, other. */
bool hf_cancel_reason_valid(const char *code);

/* The reason codes, NULL-terminated, in the order above. */
const char *const *hf_cancel_reasons(void);

const char *hf_shipping_method_name(hf_shipping_method m);
bool hf_shipping_method_parse(const char *name, hf_shipping_method *out);

/* "on_shipment" or "immediate". */
const char *hf_capture_mode_name(hf_capture_mode m);
bool hf_capture_mode_parse(const char *name, hf_capture_mode *out);

/* Shipping price of method m (minor units, any 2-exponent currency is
 * scaled to the currency's exponent). */
hf_minor hf_shipping_price(hf_shipping_method m, const char *currency);

/* The delivery date promised for an order placed at `placed_at` shipped by
 * method m: the end (23:59:59 UTC) of the Nth business day after placement,
 * where N is one handling day plus the method's transit days. */
hf_time hf_promised_by(hf_shipping_method m, hf_time placed_at);

#endif
