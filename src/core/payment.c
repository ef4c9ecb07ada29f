/* payment.c - the gateway registry and the built-in gateways. */
#include "core/payment.h"

#include <stdio.h>
#include <string.h>

const char *hf_payment_op_name(hf_payment_op op)
{
    static const char *const names[] = {"authorize", "capture", "void",
                                        "refund"};
    return (unsigned)op < HF_ARRAY_LEN(names) ? names[op] : "unknown";
}

static hf_rc manual_execute(const hf_gateway *gw, const hf_payment_request *req,
                            hf_payment_result *out, hf_err *err)
{
    (void)gw;
    (void)err;
    snprintf(out->gateway_ref, sizeof(out->gateway_ref), "manual:%s",
             req->reference ? req->reference : "");
    return HF_OK;
}

/* The test gateway's outcomes: the token that makes each step fail. */
static const struct test_failure {
    hf_payment_op op;
    const char *token;
    const char *code;
    const char *message;
} test_failures[] = {
    {HF_PAY_AUTHORIZE, "tok_decline", "card_declined", "the card was declined"},
    {HF_PAY_CAPTURE, "tok_capture_fails", "capture_failed",
     "the gateway could not capture the payment"},
    {HF_PAY_VOID, "tok_void_fails", "void_failed",
     "the gateway could not void the authorization"},
    {HF_PAY_REFUND, "tok_refund_fails", "refund_failed",
     "the gateway could not refund the payment"},
};

static hf_rc test_execute(const hf_gateway *gw, const hf_payment_request *req,
                          hf_payment_result *out, hf_err *err)
{
    (void)gw;
    for (size_t i = 0; i < HF_ARRAY_LEN(test_failures); i++) {
        const struct test_failure *f = &test_failures[i];
        if (f->op == req->op && req->token != NULL &&
            strcmp(req->token, f->token) == 0)
            return hf_fail(err, HF_EPAYMENT, f->code, "payment.token", "%s",
                           f->message);
    }
    snprintf(out->gateway_ref, sizeof(out->gateway_ref), "test:%s",
             req->reference ? req->reference : "");
    return HF_OK;
}

static const hf_gateway builtin_gateways[] = {
    {"manual", manual_execute},
    {"test", test_execute},
};

const hf_gateway *hf_gateway_find(const char *name)
{
    if (name == NULL)
        return NULL;
    for (size_t i = 0; i < HF_ARRAY_LEN(builtin_gateways); i++)
        if (strcmp(builtin_gateways[i].name, name) == 0)
            return &builtin_gateways[i];
    return NULL;
}
