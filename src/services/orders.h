/*
 * orders.h - taking, changing and cancelling orders.
 *
 * Each operation comes in two forms: hf_orders_X() runs it in its own
 * durable write, and hf_orders_X_txn() runs it inside a transaction the
 * caller already holds (the HTTP layer uses that to store the idempotent
 * reply in the same transaction). On success both give the changed order
 * and its JSON document (in arena a). On failure nothing was changed.
 */
#ifndef HF_ORDERS_H
#define HF_ORDERS_H

#include "core/order.h"
#include "services/services.h"

typedef struct hf_line_request {
    const char *sku;
    int64_t qty;
} hf_line_request;

typedef struct hf_place_request {
    const char *customer_id; /* an existing customer, or NULL ... */
    hf_customer customer;    /* ... then found or created by email */
    hf_line_request *lines;
    size_t n_lines;
    hf_address shipping_address;
    hf_address billing_address;
    bool has_billing_address;
    hf_shipping_method shipping_method;
    const char *channel;           /* NULL: "web" */
    hf_payment_info payment;       /* method, gateway, token, capture */
    const char *actor;             /* who placed it: "api:key_..." */
    hf_time placed_at;             /* 0: the clock's now (the demo sets it) */
    const char *currency;          /* what the shop charged in; NULL: the
                                      products' (must be theirs when given) */
    const char *client_ip;         /* the shopper's IP, for fraud velocity */
    const char *client_ip_country; /* its country (ISO 3166-1); NULL */
} hf_place_request;

typedef struct hf_order_result {
    hf_order order;
    const char *doc; /* the order's JSON */
} hf_order_result;

/* Places an order: validates and screens it (services/screening.h),
 * reserves its stock (never more than is free), authorizes (and with
 * capture=immediate captures) the payment, and records it as confirmed, or
 * on hold (held from confirmed) when screening holds it. Errors: HF_EINVAL
 * (order_rejected or fraud_rejected with err->reasons, currency_mismatch,
 * invalid, with field), HF_ECONFLICT out_of_stock, HF_EPAYMENT (the
 * gateway's code). */
hf_rc hf_orders_place(const hf_services *svc, const hf_place_request *req,
                      hf_arena *a, hf_order_result *out, hf_err *err);
hf_rc hf_orders_place_txn(hf_txn *t, const hf_services *svc,
                          const hf_place_request *req, hf_arena *a,
                          hf_order_result *out, hf_err *err);

typedef struct hf_cancel_request {
    const char *order;      /* id or number */
    const char *reason;     /* one of hf_cancel_reasons() */
    const char *note;       /* may be NULL */
    hf_line_request *lines; /* NULL: the whole order */
    size_t n_lines;
    const char *actor;
    const char *conversation; /* the conversation whose turn cancels it
                                 (its escalations are that turn's to
                                 close, services/escalations.h); NULL:
                                 none */
    const char *agent;        /* the person cancelling it (an admin's or
                                 agent's key, "api:<id>"), who so closes
                                 its open escalations; NULL: no person
                                 (the customer, an integration) */
} hf_cancel_request;

/* Cancels the whole order or the given units: releases their stock, voids
 * the authorization or refunds what was captured, and records why. A whole
 * cancellation closes the order's open escalations (a person has nothing
 * left to do for it; services/escalations.h). A whole cancellation of an
 * order already cancelled returns it unchanged.
 * Errors: HF_ENOTFOUND, HF_EINVAL (invalid_reason, invalid), HF_ECONFLICT
 * not_cancellable, HF_EPAYMENT (the order stays as it was). */
hf_rc hf_orders_cancel(const hf_services *svc, const hf_cancel_request *req,
                       hf_arena *a, hf_order_result *out, hf_err *err);
hf_rc hf_orders_cancel_txn(hf_txn *t, const hf_services *svc,
                           const hf_cancel_request *req, hf_arena *a,
                           hf_order_result *out, hf_err *err);

typedef struct hf_transition_request {
    const char *order; /* id or number */
    const char *to;    /* status name */
    const char *reason;
    const char *actor;
    hf_time at; /* 0: the clock's now */
} hf_transition_request;

/* Moves the order along the state machine. Shipping consumes the reserved
 * stock (and captures an on-shipment payment); a return restocks.
 * Errors: HF_ENOTFOUND, HF_EINVAL (unknown status; cancelled must go
 * through cancel), HF_ECONFLICT invalid_transition, HF_EPAYMENT. */
hf_rc hf_orders_transition(const hf_services *svc,
                           const hf_transition_request *req, hf_arena *a,
                           hf_order_result *out, hf_err *err);
hf_rc hf_orders_transition_txn(hf_txn *t, const hf_services *svc,
                               const hf_transition_request *req, hf_arena *a,
                               hf_order_result *out, hf_err *err);

/* Adds a timeline entry to an order without changing its status (a
 * shipment scan, a changed ETA, a delay), with the reason and data (a JSON
 * object as text, may be NULL), and stores the re-rendered order.
 * Errors: HF_ENOTFOUND. */
hf_rc hf_orders_note_txn(hf_txn *t, const char *order, const char *type,
                         const char *actor, hf_time at, const char *reason,
                         const char *data_json, hf_arena *a,
                         hf_order_result *out, hf_err *err);

#endif
