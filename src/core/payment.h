/*
 * payment.h - payments behind a gateway interface.
 *
 * A gateway is a table of one function (like curl's TLS backends): it
 * executes one payment operation and says whether it succeeded. Every
 * operation carries a reference that is the same when the operation is
 * retried, so a gateway that already did it does not do it twice.
 *
 * Two gateways are built in:
 *   manual  records money moved outside holdfast (bank transfer, cash on
 *           delivery, a terminal); every operation succeeds.
 *   test    a sandbox in the manner of card processors' test modes: the
 *           token decides the outcome. "tok_decline" declines the
 *           authorization, "tok_capture_fails", "tok_void_fails" and
 *           "tok_refund_fails" fail that step; any other token succeeds.
 * Connectors to real processors register further gateways.
 */
#ifndef HF_PAYMENT_H
#define HF_PAYMENT_H

#include "core/money.h"
#include "util/hf.h"

typedef enum hf_payment_op {
    HF_PAY_AUTHORIZE,
    HF_PAY_CAPTURE,
    HF_PAY_VOID, /* release (part of) an authorization */
    HF_PAY_REFUND,
} hf_payment_op;

typedef struct hf_payment_request {
    hf_payment_op op;
    hf_minor amount;
    const char *currency;
    const char *token;     /* the order's payment token; may be NULL */
    const char *reference; /* stable across retries of this operation */
} hf_payment_request;

typedef struct hf_payment_result {
    char gateway_ref[64]; /* the gateway's id for the operation */
} hf_payment_result;

typedef struct hf_gateway hf_gateway;
struct hf_gateway {
    const char *name;
    /* Executes req. Returns HF_OK, or HF_EPAYMENT with err's code naming
     * why ("card_declined", "refund_failed"). */
    hf_rc (*execute)(const hf_gateway *gw, const hf_payment_request *req,
                     hf_payment_result *out, hf_err *err);
};

/* The gateway called name, or NULL when none is known. */
const hf_gateway *hf_gateway_find(const char *name);

/* "authorize", "capture", "void", "refund". */
const char *hf_payment_op_name(hf_payment_op op);

#endif
