/*
 * fraud.h - fraud screening of a new order by documented rules.
 *
 * Pure: the caller counts the recent orders that share this order's
 * email, payment fingerprint, IP address and shipping address, and says
 * what it knows of the customer and the countries involved;
 * hf_fraud_screen adds up the points of every rule that fires (the table
 * in fraud.c, and docs/validation.md) and decides:
 *   score >= reject_at   REJECT  (cancel and void the authorization)
 *   score >= review_at   REVIEW  (hold the order in the review queue)
 *   otherwise            ACCEPT
 * Weights, limits and thresholds live in hf_fraud_config, with defaults
 * from hf_fraud_config_default and overrides from the [fraud] section of
 * the configuration file (hf_fraud_config_load).
 */
#ifndef HF_FRAUD_H
#define HF_FRAUD_H

#include "core/money.h"
#include "util/config.h"
#include "util/hf.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum hf_fraud_rule {
    HF_FR_EMAIL_VELOCITY_HOUR,
    HF_FR_EMAIL_VELOCITY_DAY,
    HF_FR_PAYMENT_VELOCITY_HOUR,
    HF_FR_PAYMENT_VELOCITY_DAY,
    HF_FR_IP_VELOCITY_HOUR,
    HF_FR_IP_VELOCITY_DAY,
    HF_FR_ADDRESS_VELOCITY_HOUR,
    HF_FR_ADDRESS_VELOCITY_DAY,
    HF_FR_COUNTRY_MISMATCH,
    HF_FR_IP_COUNTRY_MISMATCH,
    HF_FR_NEW_CUSTOMER_HIGH_VALUE,
    HF_FR_DISPOSABLE_EMAIL,
    HF_FR_FREEMAIL_HIGH_VALUE,
    HF_FR_RULE_COUNT
} hf_fraud_rule;

typedef enum hf_fraud_decision {
    HF_FRAUD_ACCEPT,
    HF_FRAUD_REVIEW,
    HF_FRAUD_REJECT,
} hf_fraud_decision;

/* Other orders (not this one) sharing a key, placed in the last hour and
 * in the last 24 hours (the day count includes the hour's). */
typedef struct hf_velocity {
    int64_t last_hour;
    int64_t last_day;
} hf_velocity;

typedef struct hf_fraud_input {
    const char *email;            /* the customer's email; may be NULL */
    const char *shipping_country; /* ISO 3166-1 alpha-2; may be NULL */
    const char *billing_country;  /* NULL when no billing address */
    const char *ip_country;       /* geolocated client IP; NULL: unknown */
    hf_velocity by_email;         /* same email (case-insensitive) */
    hf_velocity by_payment;       /* same card/payment fingerprint */
    hf_velocity by_ip;            /* same client IP */
    hf_velocity by_address;       /* same normalised shipping address */
    int64_t prior_orders;         /* the customer's earlier orders; 0: new */
    hf_minor total;               /* the order total */
    const char *currency;         /* its ISO 4217 code */
} hf_fraud_input;

/* An amount above which an order is "high value", per currency. */
typedef struct hf_fraud_threshold {
    char currency[4];
    hf_minor amount; /* minor units */
} hf_fraud_threshold;

#define HF_FRAUD_MAX_THRESHOLDS 32

typedef struct hf_fraud_config {
    int review_at; /* score from which an order is reviewed (default 40) */
    int reject_at; /* score from which it is rejected (default 80) */
    int points[HF_FR_RULE_COUNT]; /* per rule; 0 switches a rule off */
    /* A velocity rule fires when the count of OTHER orders reaches its
     * limit: email_per_hour = 3 fires on the fourth order in an hour. */
    hf_velocity email_limit;   /* default 3 / 10 */
    hf_velocity payment_limit; /* default 3 / 8 */
    hf_velocity ip_limit;      /* default 5 / 20 */
    hf_velocity address_limit; /* default 3 / 10 */
    /* High value, per currency; a currency not listed is never high
     * value (the rules that need it do not fire). */
    hf_fraud_threshold high_value[HF_FRAUD_MAX_THRESHOLDS];
    size_t n_high_value;
} hf_fraud_config;

typedef struct hf_fraud_hit {
    hf_fraud_rule rule;
    int points;
    char detail[128]; /* what was seen: "4 orders from this email..." */
} hf_fraud_hit;

typedef struct hf_fraud_result {
    int score;
    hf_fraud_decision decision;
    hf_fraud_hit hits[HF_FR_RULE_COUNT]; /* the rules that fired, in table
                                            order */
    size_t n_hits;
} hf_fraud_result;

/* Fills cfg with the defaults documented in docs/validation.md. */
void hf_fraud_config_default(hf_fraud_config *cfg);

/* Applies the [fraud] keys of c over cfg (start from the defaults):
 *   fraud.review_at, fraud.reject_at            integers
 *   fraud.points.<rule code>                    integer, 0 = off
 *   fraud.email_per_hour, fraud.email_per_day, fraud.payment_per_hour,
 *   fraud.payment_per_day, fraud.ip_per_hour, fraud.ip_per_day,
 *   fraud.address_per_hour, fraud.address_per_day   integers >= 1
 *   fraud.high_value.<CUR>                      minor units, replaces or
 *                                               adds that currency
 * Returns HF_EINVAL with err's field naming the key when a value is not a
 * non-negative integer in range or reject_at < review_at; cfg may then be
 * partly updated. */
hf_rc hf_fraud_config_load(const hf_config *c, hf_fraud_config *cfg,
                           hf_err *err);

/* Scores in with cfg (NULL: the defaults) into *out. Returns HF_EINVAL
 * when in or out is NULL or cfg's thresholds are not
 * 0 < review_at <= reject_at; *out (when not NULL) is then score 0 with
 * decision REVIEW, so that a broken configuration holds orders for a
 * person rather than letting them through. Else HF_OK. */
hf_rc hf_fraud_screen(const hf_fraud_input *in, const hf_fraud_config *cfg,
                      hf_fraud_result *out);

/* The high-value threshold of currency in cfg, or -1 when none. */
hf_minor hf_fraud_high_value(const hf_fraud_config *cfg, const char *currency);

/* True when email's domain (or a parent domain of it) is a known
 * disposable-mail provider / a large free-mail provider. Case-insensitive;
 * false for NULL or an address without '@'. */
bool hf_fraud_email_disposable(const char *email);
bool hf_fraud_email_freemail(const char *email);

/* "email_velocity_hour", ...; "unknown" out of range. */
const char *hf_fraud_rule_code(hf_fraud_rule r);

/* The rule whose code is code; false when none. */
bool hf_fraud_rule_parse(const char *code, hf_fraud_rule *out);

/* "accept", "review", "reject". */
const char *hf_fraud_decision_name(hf_fraud_decision d);

#endif
