/*
 * fraud.c - the fraud rules as one table, and the domain lists they use.
 *
 * The domain lists are small, hand-kept and sorted for binary search: the
 * large community blocklists change daily and belong in data the merchant
 * updates, not in code; these catch the providers seen most often.
 */
#include "core/fraud.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* --- Domain lists (sorted by strcmp; a unit test checks) ------------------ */

static const char *const disposable_domains[] = {
    "10minutemail.com",
    "20minutemail.com",
    "33mail.com",
    "anonbox.net",
    "burnermail.io",
    "discard.email",
    "dispostable.com",
    "dropmail.me",
    "emailfake.com",
    "emailondeck.com",
    "fakeinbox.com",
    "fakemail.net",
    "fakemailgenerator.com",
    "getairmail.com",
    "getnada.com",
    "grr.la",
    "guerrillamail.biz",
    "guerrillamail.com",
    "guerrillamail.de",
    "guerrillamail.net",
    "guerrillamail.org",
    "guerrillamailblock.com",
    "harakirimail.com",
    "inboxkitten.com",
    "incognitomail.org",
    "jetable.org",
    "mail.tm",
    "mailcatch.com",
    "maildrop.cc",
    "mailinator.com",
    "mailinator.net",
    "mailnesia.com",
    "mailnull.com",
    "mailpoof.com",
    "mintemail.com",
    "moakt.com",
    "mohmal.com",
    "mytemp.email",
    "mytrashmail.com",
    "nada.email",
    "sharklasers.com",
    "spam4.me",
    "spambog.com",
    "spamex.com",
    "spamgourmet.com",
    "temp-mail.io",
    "temp-mail.org",
    "tempail.com",
    "tempinbox.com",
    "tempmail.dev",
    "tempmail.net",
    "tempmailo.com",
    "tempr.email",
    "throwawaymail.com",
    "trashmail.com",
    "trashmail.de",
    "trashmail.net",
    "yopmail.com",
    "yopmail.fr",
    "yopmail.net",
};

static const char *const freemail_domains[] = {
    "126.com",        "163.com",     "aol.com",        "bol.com.br",
    "daum.net",       "free.fr",     "gmail.com",      "gmx.com",
    "gmx.de",         "gmx.net",     "googlemail.com", "hanmail.net",
    "hotmail.co.uk",  "hotmail.com", "hotmail.fr",     "icloud.com",
    "laposte.net",    "libero.it",   "live.com",       "mail.com",
    "mail.ru",        "me.com",      "msn.com",        "naver.com",
    "o2.pl",          "orange.fr",   "outlook.com",    "proton.me",
    "protonmail.com", "qq.com",      "rediffmail.com", "seznam.cz",
    "t-online.de",    "uol.com.br",  "web.de",         "wp.pl",
    "yahoo.co.jp",    "yahoo.co.uk", "yahoo.com",      "yahoo.de",
    "yahoo.fr",       "yandex.com",  "yandex.ru",      "zoho.com",
};

static int cmp_str(const void *key, const void *elem)
{
    return strcmp(key, *(const char *const *)elem);
}

/* True when email's domain, or any parent of it ("eu.mailinator.com" ->
 * "mailinator.com"), is in the sorted list. */
static bool domain_listed(const char *email, const char *const *list, size_t n)
{
    char dom[256];
    const char *at = email != NULL ? strrchr(email, '@') : NULL;
    size_t len;

    if (at == NULL)
        return false;
    len = strlen(at + 1);
    if (len == 0 || len >= sizeof(dom))
        return false;
    for (size_t i = 0; i <= len; i++) {
        char c = at[1 + i];
        dom[i] = (char)(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    }
    while (len > 0 && dom[len - 1] == '.')
        dom[--len] = '\0'; /* "mailinator.com." is the same domain */
    for (const char *d = dom; d != NULL && *d != '\0';) {
        if (bsearch(d, list, n, sizeof(list[0]), cmp_str) != NULL)
            return true;
        d = strchr(d, '.');
        if (d != NULL)
            d++;
    }
    return false;
}

bool hf_fraud_email_disposable(const char *email)
{
    return domain_listed(email, disposable_domains,
                         HF_ARRAY_LEN(disposable_domains));
}

bool hf_fraud_email_freemail(const char *email)
{
    return domain_listed(email, freemail_domains,
                         HF_ARRAY_LEN(freemail_domains));
}

/* --- Rules ------------------------------------------------------------------
 */

hf_minor hf_fraud_high_value(const hf_fraud_config *cfg, const char *currency)
{
    if (cfg == NULL || currency == NULL)
        return -1;
    for (size_t i = 0; i < cfg->n_high_value; i++) {
        if (strcmp(cfg->high_value[i].currency, currency) == 0)
            return cfg->high_value[i].amount;
    }
    return -1;
}

static bool high_value(const hf_fraud_input *in, const hf_fraud_config *cfg)
{
    hf_minor t = hf_fraud_high_value(cfg, in->currency);
    return t >= 0 && in->total >= t;
}

/* Two country codes given and different (case-insensitive). */
static bool countries_differ(const char *a, const char *b)
{
    if (a == NULL || b == NULL || a[0] == '\0' || b[0] == '\0')
        return false;
    return strcasecmp(a, b) != 0;
}

struct rule_row;
typedef bool (*rule_fn)(const struct rule_row *row, const hf_fraud_input *in,
                        const hf_fraud_config *cfg, char *detail, size_t size);

/* One rule: its code, its default points, how it is evaluated. Velocity
 * rules share one evaluator and name their counts by offset. */
struct rule_row {
    hf_fraud_rule rule;
    const char *code;
    int points; /* default weight */
    rule_fn eval;
    const char *what; /* velocity: what the orders share */
    size_t count_off; /* velocity: offsetof the hf_velocity in the input */
    size_t limit_off; /* velocity: offsetof the limit in the config */
    bool day;         /* velocity: the 24-hour count, else the hour's */
};

static bool velocity(const struct rule_row *row, const hf_fraud_input *in,
                     const hf_fraud_config *cfg, char *detail, size_t size)
{
    const hf_velocity *n =
        (const hf_velocity *)((const char *)in + row->count_off);
    const hf_velocity *lim =
        (const hf_velocity *)((const char *)cfg + row->limit_off);
    int64_t count = row->day ? n->last_day : n->last_hour;
    int64_t limit = row->day ? lim->last_day : lim->last_hour;
    if (limit <= 0 || count < limit)
        return false;
    snprintf(detail, size,
             "%" PRId64 " other orders with this %s in the last %s", count,
             row->what, row->day ? "24 hours" : "hour");
    return true;
}

static bool country_mismatch(const struct rule_row *row,
                             const hf_fraud_input *in,
                             const hf_fraud_config *cfg, char *detail,
                             size_t size)
{
    (void)row;
    (void)cfg;
    if (!countries_differ(in->billing_country, in->shipping_country))
        return false;
    snprintf(detail, size, "billed in %.3s, shipped to %.3s",
             in->billing_country, in->shipping_country);
    return true;
}

static bool ip_country_mismatch(const struct rule_row *row,
                                const hf_fraud_input *in,
                                const hf_fraud_config *cfg, char *detail,
                                size_t size)
{
    (void)row;
    (void)cfg;
    /* without a billing address, the shipping country stands in */
    const char *home = in->billing_country != NULL ? in->billing_country
                                                   : in->shipping_country;
    if (!countries_differ(in->ip_country, home))
        return false;
    snprintf(detail, size, "ordered from an IP in %.3s, billed in %.3s",
             in->ip_country, home);
    return true;
}

static bool new_customer_high_value(const struct rule_row *row,
                                    const hf_fraud_input *in,
                                    const hf_fraud_config *cfg, char *detail,
                                    size_t size)
{
    (void)row;
    if (in->prior_orders > 0 || !high_value(in, cfg))
        return false;
    char amount[48];
    hf_money_format(in->total, in->currency, amount, sizeof(amount));
    snprintf(detail, size, "first order, %s", amount);
    return true;
}

static bool disposable_email(const struct rule_row *row,
                             const hf_fraud_input *in,
                             const hf_fraud_config *cfg, char *detail,
                             size_t size)
{
    (void)row;
    (void)cfg;
    if (!hf_fraud_email_disposable(in->email))
        return false;
    snprintf(detail, size, "disposable email domain %.64s",
             strrchr(in->email, '@') + 1);
    return true;
}

static bool freemail_high_value(const struct rule_row *row,
                                const hf_fraud_input *in,
                                const hf_fraud_config *cfg, char *detail,
                                size_t size)
{
    (void)row;
    if (!high_value(in, cfg) || !hf_fraud_email_freemail(in->email))
        return false;
    snprintf(detail, size, "free-mail address %.64s on a high-value order",
             strrchr(in->email, '@') + 1);
    return true;
}

#define VEL(r, code, pts, what, field, day)                                    \
    [r] = {r,                                                                  \
           code,                                                               \
           pts,                                                                \
           velocity,                                                           \
           what,                                                               \
           offsetof(hf_fraud_input, by_##field),                               \
           offsetof(hf_fraud_config, field##_limit),                           \
           day}
#define RULE(r, code, pts, fn) [r] = {r, code, pts, fn, NULL, 0, 0, false}

static const struct rule_row rules[HF_FR_RULE_COUNT] = {
    /* card testing and bots place many orders from one email quickly */
    VEL(HF_FR_EMAIL_VELOCITY_HOUR, "email_velocity_hour", 25, "email", email,
        false),
    VEL(HF_FR_EMAIL_VELOCITY_DAY, "email_velocity_day", 15, "email", email,
        true),
    /* one stolen card tried across many orders: the strongest signal */
    VEL(HF_FR_PAYMENT_VELOCITY_HOUR, "payment_velocity_hour", 30,
        "payment method", payment, false),
    VEL(HF_FR_PAYMENT_VELOCITY_DAY, "payment_velocity_day", 15,
        "payment method", payment, true),
    /* one machine behind many accounts; offices share IPs, so weaker */
    VEL(HF_FR_IP_VELOCITY_HOUR, "ip_velocity_hour", 20, "IP address", ip,
        false),
    VEL(HF_FR_IP_VELOCITY_DAY, "ip_velocity_day", 10, "IP address", ip, true),
    /* a drop address receiving goods bought with many identities */
    VEL(HF_FR_ADDRESS_VELOCITY_HOUR, "address_velocity_hour", 15,
        "shipping address", address, false),
    VEL(HF_FR_ADDRESS_VELOCITY_DAY, "address_velocity_day", 10,
        "shipping address", address, true),
    /* goods sent abroad from a card's home country; gifts do this too */
    RULE(HF_FR_COUNTRY_MISMATCH, "country_mismatch", 20, country_mismatch),
    /* buyer not where the card lives; travellers and VPNs do this too */
    RULE(HF_FR_IP_COUNTRY_MISMATCH, "ip_country_mismatch", 20,
         ip_country_mismatch),
    /* fraud concentrates in first orders worth reselling */
    RULE(HF_FR_NEW_CUSTOMER_HIGH_VALUE, "new_customer_high_value", 25,
         new_customer_high_value),
    /* an address made to be thrown away */
    RULE(HF_FR_DISPOSABLE_EMAIL, "disposable_email", 35, disposable_email),
    /* a throwaway free-mail account on a big basket; weak alone */
    RULE(HF_FR_FREEMAIL_HIGH_VALUE, "freemail_high_value", 10,
         freemail_high_value),
};

const char *hf_fraud_rule_code(hf_fraud_rule r)
{
    if ((unsigned)r >= HF_FR_RULE_COUNT)
        return "unknown";
    return rules[r].code;
}

bool hf_fraud_rule_parse(const char *code, hf_fraud_rule *out)
{
    if (code == NULL)
        return false;
    for (int r = 0; r < HF_FR_RULE_COUNT; r++) {
        if (strcmp(code, rules[r].code) == 0) {
            *out = (hf_fraud_rule)r;
            return true;
        }
    }
    return false;
}

const char *hf_fraud_decision_name(hf_fraud_decision d)
{
    switch (d) {
    case HF_FRAUD_ACCEPT:
        return "accept";
    case HF_FRAUD_REVIEW:
        return "review";
    case HF_FRAUD_REJECT:
        return "reject";
    }
    return "unknown";
}

/* --- Configuration ----------------------------------------------------------
 */

/* About USD 500 in each currency, rounded; the merchant overrides them. */
static const hf_fraud_threshold default_high_value[] = {
    {"AUD", 75000},   {"BRL", 250000},    {"CAD", 70000},   {"CHF", 45000},
    {"CNY", 350000},  {"DKK", 350000},    {"EUR", 50000},   {"GBP", 40000},
    {"HKD", 400000},  {"IDR", 800000000}, {"INR", 4000000}, {"JPY", 75000},
    {"KRW", 700000},  {"MXN", 900000},    {"NOK", 500000},  {"NZD", 80000},
    {"PLN", 200000},  {"RUB", 4500000},   {"SEK", 500000},  {"SGD", 65000},
    {"TRY", 1500000}, {"USD", 50000},
};

void hf_fraud_config_default(hf_fraud_config *cfg)
{
    memset(cfg, 0, sizeof(*cfg));
    cfg->review_at = 40;
    cfg->reject_at = 80;
    for (int r = 0; r < HF_FR_RULE_COUNT; r++)
        cfg->points[r] = rules[r].points;
    cfg->email_limit = (hf_velocity){3, 10};
    cfg->payment_limit = (hf_velocity){3, 8};
    cfg->ip_limit = (hf_velocity){5, 20};
    cfg->address_limit = (hf_velocity){3, 10};
    memcpy(cfg->high_value, default_high_value, sizeof(default_high_value));
    cfg->n_high_value = HF_ARRAY_LEN(default_high_value);
}

/* Parses a decimal integer in [lo, hi]. */
static bool parse_int(const char *s, int64_t lo, int64_t hi, int64_t *out)
{
    char *end;
    if (s == NULL || *s == '\0')
        return false;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno != 0 || *end != '\0' || v < lo || v > hi)
        return false;
    *out = v;
    return true;
}

/* The integer settings with a fixed key, one row each. */
static const struct int_key {
    const char *key;
    size_t off; /* offsetof in hf_fraud_config */
    bool wide;  /* an int64_t (a velocity limit), else an int */
    int64_t lo, hi;
} int_keys[] = {
    {"fraud.review_at", offsetof(hf_fraud_config, review_at), false, 1, 10000},
    {"fraud.reject_at", offsetof(hf_fraud_config, reject_at), false, 1, 10000},
    {"fraud.email_per_hour", offsetof(hf_fraud_config, email_limit.last_hour),
     true, 1, 1000000},
    {"fraud.email_per_day", offsetof(hf_fraud_config, email_limit.last_day),
     true, 1, 1000000},
    {"fraud.payment_per_hour",
     offsetof(hf_fraud_config, payment_limit.last_hour), true, 1, 1000000},
    {"fraud.payment_per_day", offsetof(hf_fraud_config, payment_limit.last_day),
     true, 1, 1000000},
    {"fraud.ip_per_hour", offsetof(hf_fraud_config, ip_limit.last_hour), true,
     1, 1000000},
    {"fraud.ip_per_day", offsetof(hf_fraud_config, ip_limit.last_day), true, 1,
     1000000},
    {"fraud.address_per_hour",
     offsetof(hf_fraud_config, address_limit.last_hour), true, 1, 1000000},
    {"fraud.address_per_day", offsetof(hf_fraud_config, address_limit.last_day),
     true, 1, 1000000},
};

hf_rc hf_fraud_config_load(const hf_config *c, hf_fraud_config *cfg,
                           hf_err *err)
{
    char key[64];
    int64_t v;

    for (size_t i = 0; i < HF_ARRAY_LEN(int_keys); i++) {
        const struct int_key *k = &int_keys[i];
        const char *s = hf_config_get(c, k->key, NULL);
        if (s == NULL)
            continue;
        if (!parse_int(s, k->lo, k->hi, &v))
            return hf_fail(err, HF_EINVAL, "bad_config", k->key,
                           "%s must be an integer from %" PRId64 " to %" PRId64,
                           k->key, k->lo, k->hi);
        char *at = (char *)cfg + k->off;
        if (k->wide)
            memcpy(at, &v, sizeof(int64_t));
        else
            *(int *)at = (int)v;
    }
    for (int r = 0; r < HF_FR_RULE_COUNT; r++) {
        snprintf(key, sizeof(key), "fraud.points.%s", rules[r].code);
        const char *s = hf_config_get(c, key, NULL);
        if (s == NULL)
            continue;
        if (!parse_int(s, 0, 10000, &v))
            return hf_fail(err, HF_EINVAL, "bad_config", key,
                           "%s must be an integer from 0 to 10000", key);
        cfg->points[r] = (int)v;
    }
    /* high_value.<CUR> for every currency holdfast knows */
    static const char *const probe[] = {
        "AUD", "BRL", "CAD", "CHF", "CNY", "CZK", "DKK", "EUR", "GBP", "HKD",
        "HUF", "IDR", "ILS", "INR", "JPY", "KRW", "MXN", "MYR", "NOK", "NZD",
        "PHP", "PLN", "RUB", "SEK", "SGD", "THB", "TRY", "TWD", "USD", "ZAR",
    };
    for (size_t i = 0; i < HF_ARRAY_LEN(probe); i++) {
        snprintf(key, sizeof(key), "fraud.high_value.%s", probe[i]);
        const char *s = hf_config_get(c, key, NULL);
        if (s == NULL)
            continue;
        if (!parse_int(s, 0, HF_MONEY_MAX, &v))
            return hf_fail(err, HF_EINVAL, "bad_config", key,
                           "%s must be an amount in minor units", key);
        size_t j = 0;
        while (j < cfg->n_high_value &&
               strcmp(cfg->high_value[j].currency, probe[i]) != 0)
            j++;
        if (j == cfg->n_high_value) {
            if (j >= HF_FRAUD_MAX_THRESHOLDS)
                return hf_fail(err, HF_EINVAL, "bad_config", key,
                               "too many high-value thresholds");
            cfg->n_high_value++;
            memcpy(cfg->high_value[j].currency, probe[i], 4);
        }
        cfg->high_value[j].amount = v;
    }
    if (cfg->reject_at < cfg->review_at)
        return hf_fail(err, HF_EINVAL, "bad_config", "fraud.reject_at",
                       "fraud.reject_at must not be below fraud.review_at");
    return HF_OK;
}

/* --- Screening --------------------------------------------------------------
 */

hf_rc hf_fraud_screen(const hf_fraud_input *in, const hf_fraud_config *cfg,
                      hf_fraud_result *out)
{
    hf_fraud_config defaults;

    if (out == NULL)
        return HF_EINVAL;
    memset(out, 0, sizeof(*out));
    out->decision = HF_FRAUD_REVIEW;
    if (cfg == NULL) {
        hf_fraud_config_default(&defaults);
        cfg = &defaults;
    }
    if (in == NULL || cfg->review_at <= 0 || cfg->reject_at < cfg->review_at)
        return HF_EINVAL;

    int64_t score = 0;
    for (int r = 0; r < HF_FR_RULE_COUNT; r++) {
        const struct rule_row *row = &rules[r];
        int points = cfg->points[r];
        hf_fraud_hit *hit = &out->hits[out->n_hits];
        if (points <= 0)
            continue; /* switched off */
        if (!row->eval(row, in, cfg, hit->detail, sizeof(hit->detail)))
            continue;
        hit->rule = row->rule;
        hit->points = points;
        out->n_hits++;
        score += points;
    }
    out->score = score > 1000000 ? 1000000 : (int)score;
    if (out->score >= cfg->reject_at)
        out->decision = HF_FRAUD_REJECT;
    else if (out->score >= cfg->review_at)
        out->decision = HF_FRAUD_REVIEW;
    else
        out->decision = HF_FRAUD_ACCEPT;
    return HF_OK;
}
