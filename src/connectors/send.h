/*
 * send.h - messages out to the world over libcurl: email over SMTP and SMS
 * through an HTTP provider (a Twilio-style form POST).
 *
 * Each send carries the message's stable key (the outbox id): as the
 * Message-ID of the email and the Idempotency-Key of the SMS request, so a
 * message sent again after a crash is recognisable as the same one.
 */
#ifndef HF_SEND_H
#define HF_SEND_H

#include "util/hf.h"

typedef struct hf_email {
    const char *from;       /* "Shop <orders@shop.example>" */
    const char *to;         /* one address */
    const char *subject;    /* one line */
    const char *text;       /* the plain-text part */
    const char *html;       /* the HTML part */
    const char *message_id; /* "<outbox-42@holdfast>" */
} hf_email;

/* Sends e through the SMTP server at url ("smtp://127.0.0.1:2525").
 * HF_EIO with err saying why when the server refuses or is unreachable. */
hf_rc hf_send_email(const char *url, const hf_email *e, hf_err *err);

typedef struct hf_sms {
    const char *from;
    const char *to; /* E.164: "+15551234567" */
    const char *body;
    const char *key; /* idempotency key */
} hf_sms;

/* POSTs the SMS as a form (From, To, Body) to the provider's url, with
 * HTTP basic auth when account is not NULL. HF_EIO unless it answers 2xx. */
hf_rc hf_send_sms(const char *url, const char *account, const char *token,
                  const hf_sms *s, hf_err *err);

#endif
