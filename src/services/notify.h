/*
 * notify.h - delivers the outbox: the customer messages that changes wrote
 * in their own transactions.
 *
 * Worker threads lease one message at a time (no other worker, in this
 * process or another, takes a leased message), render its notification's
 * template for each channel the customer has not turned off (email, SMS,
 * in-app), send it, and record each channel's result, so a retry resends
 * only what failed. Failures are retried with exponential backoff. A
 * process that dies mid-delivery leaves its lease to expire and another
 * worker resumes; a channel that was sent but not yet recorded may be sent
 * again, carrying the same Message-ID / Idempotency-Key (the outbox id),
 * so the receiver can tell.
 */
#ifndef HF_NOTIFY_H
#define HF_NOTIFY_H

#include "services/services.h"

typedef struct hf_notify_config {
    const char *templates_dir; /* NULL: "templates" */
    const char *smtp_url;      /* NULL: no email */
    const char *email_from;
    const char *sms_url; /* NULL: no SMS */
    const char *sms_account, *sms_token, *sms_from;
    const char *shop_name;
    const char *support_email;
    const char *public_url; /* base of links in messages */
    int workers;            /* 0: 2 */
    int lease_seconds;      /* 0: 60 */
} hf_notify_config;

typedef struct hf_notifier hf_notifier;

/* Loads the templates and starts the workers. NULL with err set when a
 * template does not load or a thread cannot start. */
hf_notifier *hf_notifier_start(const hf_services *svc,
                               const hf_notify_config *cfg, hf_err *err);
void hf_notifier_stop(hf_notifier *n);

/* The template a topic's message uses, or NULL when the topic tells the
 * customer nothing (an internal state change). */
const char *hf_notify_template_for(const char *topic);

#endif
