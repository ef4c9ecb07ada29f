/*
 * validate.c - order validation at receipt: addresses, lines, payment,
 * duplicates. Pure; every limit is a constant here, every reason a row of
 * one table. docs/validation.md describes the rules for people.
 */
#include "core/validate.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* --- Reason codes ---------------------------------------------------------
 * One row per code: its stable name and what it does to the order. */
static const struct code_row {
    const char *name;
    hf_validate_severity severity;
} codes[HF_VC_COUNT] = {
    /* the customer can fill it in through the address prompt */
    [HF_VC_MISSING_FIELD] = {"missing_field", HF_VSEV_CUSTOMER},
    /* pasted junk or a runaway form field; the customer retypes it */
    [HF_VC_FIELD_TOO_LONG] = {"field_too_long", HF_VSEV_CUSTOMER},
    /* broken encoding or control characters; the customer retypes it */
    [HF_VC_INVALID_TEXT] = {"invalid_text", HF_VSEV_CUSTOMER},
    /* "USA", "XX": the customer picks the country again */
    [HF_VC_UNKNOWN_COUNTRY] = {"unknown_country", HF_VSEV_CUSTOMER},
    /* a typo in the postal code is the commonest fixable address error */
    [HF_VC_POSTAL_CODE_FORMAT] = {"postal_code_format", HF_VSEV_CUSTOMER},
    /* the parcel would come back; the customer adds the number */
    [HF_VC_NO_HOUSE_NUMBER] = {"no_house_number", HF_VSEV_CUSTOMER},
    /* the carrier refuses; the customer gives a street address */
    [HF_VC_PO_BOX_NOT_ALLOWED] = {"po_box_not_allowed", HF_VSEV_CUSTOMER},
    /* nothing to fulfil */
    [HF_VC_NO_LINES] = {"no_lines", HF_VSEV_REJECT},
    /* a line of zero or negative units is a broken request */
    [HF_VC_INVALID_QUANTITY] = {"invalid_quantity", HF_VSEV_REJECT},
    /* the catalog does not know the SKU */
    [HF_VC_UNKNOWN_PRODUCT] = {"unknown_product", HF_VSEV_REJECT},
    /* the product is no longer sold */
    [HF_VC_PRODUCT_UNAVAILABLE] = {"product_unavailable", HF_VSEV_REJECT},
    /* taking the order would oversell */
    [HF_VC_INSUFFICIENT_STOCK] = {"insufficient_stock", HF_VSEV_REJECT},
    /* amounts cannot be interpreted */
    [HF_VC_INVALID_CURRENCY] = {"invalid_currency", HF_VSEV_REJECT},
    /* nobody pays */
    [HF_VC_MISSING_PAYMENT] = {"missing_payment", HF_VSEV_REJECT},
    /* capturing would take the wrong amount */
    [HF_VC_PAYMENT_AMOUNT_MISMATCH] = {"payment_amount_mismatch",
                                       HF_VSEV_REJECT},
    /* the authorization is in another currency */
    [HF_VC_PAYMENT_CURRENCY_MISMATCH] = {"payment_currency_mismatch",
                                         HF_VSEV_REJECT},
    /* a double click or a retry without an idempotency key: staff decide,
     * since people do order the same thing twice on purpose */
    [HF_VC_LIKELY_DUPLICATE] = {"likely_duplicate", HF_VSEV_REVIEW},
};

const char *hf_validate_code_name(hf_validate_code c)
{
    if ((unsigned)c >= HF_VC_COUNT)
        return "unknown";
    return codes[c].name;
}

hf_validate_severity hf_validate_code_severity(hf_validate_code c)
{
    if ((unsigned)c >= HF_VC_COUNT)
        return HF_VSEV_REJECT;
    return codes[c].severity;
}

const char *hf_validate_outcome_name(hf_validate_outcome o)
{
    switch (o) {
    case HF_VALIDATE_ACCEPT:
        return "accept";
    case HF_VALIDATE_HOLD:
        return "hold";
    case HF_VALIDATE_REJECT:
        return "reject";
    }
    return "unknown";
}

const char *hf_validate_severity_name(hf_validate_severity s)
{
    switch (s) {
    case HF_VSEV_CUSTOMER:
        return "customer";
    case HF_VSEV_REVIEW:
        return "review";
    case HF_VSEV_REJECT:
        return "reject";
    }
    return "unknown";
}

/* Records a reason; past HF_VALIDATE_MAX_REASONS only counts it, but the
 * outcome flags still see it. */
static void add_reason(hf_validate_result *out, hf_validate_code code,
                       const char *field, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void add_reason(hf_validate_result *out, hf_validate_code code,
                       const char *field, const char *fmt, ...)
{
    hf_validate_severity sev = codes[code].severity;

    if (sev == HF_VSEV_REJECT)
        out->outcome = HF_VALIDATE_REJECT;
    else if (out->outcome == HF_VALIDATE_ACCEPT)
        out->outcome = HF_VALIDATE_HOLD;
    if (sev == HF_VSEV_CUSTOMER)
        out->customer_prompt = true;
    if (sev == HF_VSEV_REVIEW)
        out->needs_review = true;

    if (out->n_reasons >= HF_VALIDATE_MAX_REASONS) {
        out->n_omitted++;
        return;
    }
    hf_validate_reason *r = &out->reasons[out->n_reasons++];
    r->code = code;
    r->severity = sev;
    snprintf(r->field, sizeof(r->field), "%s", field);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->message, sizeof(r->message), fmt, ap);
    va_end(ap);
}

/* --- Text helpers ----------------------------------------------------------
 */

static bool is_space(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* NULL, empty or only blanks. */
static bool blank(const char *s)
{
    if (s == NULL)
        return true;
    for (; *s != '\0'; s++) {
        if (!is_space((unsigned char)*s))
            return false;
    }
    return true;
}

/* Well-formed UTF-8 (no overlong forms, no surrogates, at most U+10FFFF)
 * without C0 controls other than tab and without DEL. */
static bool clean_text(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    while (*p != '\0') {
        unsigned char c = *p;
        if (c < 0x80) {
            if ((c < 0x20 && c != '\t') || c == 0x7f)
                return false;
            p++;
            continue;
        }
        int n;
        unsigned cp;
        if (c >= 0xc2 && c <= 0xdf) {
            n = 1;
            cp = c & 0x1f;
        } else if (c >= 0xe0 && c <= 0xef) {
            n = 2;
            cp = c & 0x0f;
        } else if (c >= 0xf0 && c <= 0xf4) {
            n = 3;
            cp = c & 0x07;
        } else {
            return false;
        }
        for (int i = 1; i <= n; i++) {
            if ((p[i] & 0xc0) != 0x80)
                return false;
            cp = (cp << 6) | (p[i] & 0x3f);
        }
        if ((n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) ||
            cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
            return false;
        p += n + 1;
    }
    return true;
}

/* --- Addresses --------------------------------------------------------------
 * The fields of an address, with their byte limits. Required: always, or
 * when the country's row says so (region, postal_code). */
enum need { ALWAYS, NEVER, BY_REGION, BY_POSTAL };

/* Indexes into address_fields, for the checks that follow the loop. */
enum {
    F_NAME,
    F_LINE1,
    F_LINE2,
    F_CITY,
    F_REGION,
    F_POSTAL,
    F_COUNTRY,
    F_PHONE,
    F_COUNT
};

static const struct field_row {
    const char *name;
    size_t offset;
    size_t max; /* bytes */
    enum need need;
} address_fields[F_COUNT] = {
    /* who receives the parcel */
    [F_NAME] = {"name", offsetof(hf_address, name), 200, ALWAYS},
    /* the street line */
    [F_LINE1] = {"line1", offsetof(hf_address, line1), 200, ALWAYS},
    /* flat, floor, building */
    [F_LINE2] = {"line2", offsetof(hf_address, line2), 200, NEVER},
    [F_CITY] = {"city", offsetof(hf_address, city), 100, ALWAYS},
    /* state, province, prefecture; required by country */
    [F_REGION] = {"region", offsetof(hf_address, region), 100, BY_REGION},
    /* checked against the country's format afterwards */
    [F_POSTAL] = {"postal_code", offsetof(hf_address, postal_code), 32,
                  BY_POSTAL},
    /* ISO 3166-1 alpha-2; its content is checked afterwards */
    [F_COUNTRY] = {"country", offsetof(hf_address, country), 2, ALWAYS},
    /* free form; only its text is checked */
    [F_PHONE] = {"phone", offsetof(hf_address, phone), 40, NEVER},
};

static const char *field_value(const hf_address *a, const struct field_row *f)
{
    return *(const char *const *)((const char *)a + f->offset);
}

/* The country code of a, trimmed and upper-cased into cc[3]; false when it
 * is not two ASCII letters. */
static bool country_code(const char *text, char cc[3])
{
    while (is_space((unsigned char)*text))
        text++;
    size_t n = 0;
    for (; text[n] != '\0' && !is_space((unsigned char)text[n]); n++) {
        if (n >= 2)
            return false;
        char c = text[n];
        if (c >= 'a' && c <= 'z')
            c = (char)(c - 'a' + 'A');
        if (c < 'A' || c > 'Z')
            return false;
        cc[n] = c;
    }
    if (n != 2 || !blank(text + n))
        return false;
    cc[2] = '\0';
    return true;
}

static void check_address(const hf_address *a, const char *prefix,
                          bool shipping, const hf_validate_input *in,
                          hf_validate_result *out, char *postal_out)
{
    char field[64];
    bool bad[F_COUNT] = {false};
    const hf_country_rule *rule = NULL;
    char cc[3] = "";

    /* The country first: it decides what else is required. Its text
     * problems are reported in the loop below. */
    if (!blank(a->country) && strlen(a->country) <= 8 &&
        country_code(a->country, cc) && hf_postal_country_assigned(cc))
        rule = hf_postal_country(cc);

    for (size_t i = 0; i < HF_ARRAY_LEN(address_fields); i++) {
        const struct field_row *f = &address_fields[i];
        const char *v = field_value(a, f);
        bool required =
            f->need == ALWAYS ||
            (f->need == BY_REGION && rule != NULL && rule->region_required) ||
            (f->need == BY_POSTAL && rule != NULL && rule->postal_required);
        snprintf(field, sizeof(field), "%s.%s", prefix, f->name);
        if (blank(v)) {
            bad[i] = true;
            if (required)
                add_reason(out, HF_VC_MISSING_FIELD, field,
                           "%s is required%s%s.", field,
                           rule != NULL && f->need != ALWAYS ? " in " : "",
                           rule != NULL && f->need != ALWAYS ? rule->name : "");
            continue;
        }
        if (i == F_COUNTRY)
            continue; /* its own check below, whatever its length */
        if (strlen(v) > f->max) {
            bad[i] = true;
            add_reason(out, HF_VC_FIELD_TOO_LONG, field,
                       "%s is longer than %zu bytes.", field, f->max);
        } else if (!clean_text(v)) {
            bad[i] = true;
            add_reason(out, HF_VC_INVALID_TEXT, field,
                       "%s has invalid characters.", field);
        }
    }

    if (!blank(a->country) && rule == NULL &&
        !(country_code(a->country, cc) && hf_postal_country_assigned(cc))) {
        snprintf(field, sizeof(field), "%s.country", prefix);
        add_reason(out, HF_VC_UNKNOWN_COUNTRY, field,
                   "The country must be an ISO 3166-1 two-letter code.");
    }
    if (rule == NULL)
        return; /* no row: the generic checks above are all */

    if (!bad[F_POSTAL] && rule->postal != NULL &&
        !hf_postal_check(rule, a->postal_code, postal_out, HF_POSTAL_MAX + 1)) {
        snprintf(field, sizeof(field), "%s.postal_code", prefix);
        add_reason(out, HF_VC_POSTAL_CODE_FORMAT, field,
                   "This is not a %s postal code (for example %s).", rule->name,
                   rule->example);
    }
    if (!shipping || bad[F_LINE1])
        return;
    if (rule->house_number && !hf_validate_has_house_number(
                                  a->line1, bad[F_LINE2] ? NULL : a->line2)) {
        snprintf(field, sizeof(field), "%s.line1", prefix);
        add_reason(out, HF_VC_NO_HOUSE_NUMBER, field,
                   "The street address needs a house number.");
    }
    if (in->carrier_refuses_po_box &&
        (hf_validate_is_po_box(a->line1) ||
         (!bad[F_LINE2] && hf_validate_is_po_box(a->line2)))) {
        snprintf(field, sizeof(field), "%s.%s", prefix,
                 hf_validate_is_po_box(a->line1) ? "line1" : "line2");
        add_reason(out, HF_VC_PO_BOX_NOT_ALLOWED, field,
                   "The carrier does not deliver to PO boxes; give a street "
                   "address.");
    }
}

/* --- Tokens for the street-line rules --------------------------------------
 */

enum { MAX_TOKENS = 128, TOKEN_LEN = 32 };

typedef struct tokens {
    char t[MAX_TOKENS][TOKEN_LEN];
    size_t n;
} tokens;

/* Splits s into tokens. With words_only, a token is a run of ASCII letters
 * and digits and non-ASCII bytes (punctuation separates: "P.O." is "p",
 * "o"); otherwise a run of anything but blanks, ',' and ';'. ASCII is
 * lower-cased; a token longer than TOKEN_LEN - 1 is cut; tokens past
 * MAX_TOKENS are dropped. */
static void tokenize(const char *s, bool words_only, tokens *tk)
{
    tk->n = 0;
    if (s == NULL)
        return;
    const unsigned char *p = (const unsigned char *)s;
    while (*p != '\0' && tk->n < MAX_TOKENS) {
        bool in;
        size_t len = 0;
        char *t = tk->t[tk->n];
        for (;; p++) {
            unsigned char c = *p;
            if (words_only)
                in = c >= 0x80 || (c >= '0' && c <= '9') ||
                     (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
            else
                in = c != '\0' && !is_space(c) && c != ',' && c != ';';
            if (!in)
                break;
            if (len + 1 < TOKEN_LEN)
                t[len++] = (char)(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
        }
        if (len > 0) {
            t[len] = '\0';
            tk->n++;
        }
        if (*p != '\0')
            p++;
    }
}

static bool has_digit(const char *t)
{
    const unsigned char *p = (const unsigned char *)t;
    for (; *p != '\0'; p++) {
        if (*p >= '0' && *p <= '9')
            return true;
        /* fullwidth digits U+FF10..U+FF19: EF BC 90..99 */
        if (p[0] == 0xef && p[1] == 0xbc && p[2] >= 0x90 && p[2] <= 0x99)
            return true;
    }
    return false;
}

static bool in_list(const char *t, const char *const *list, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (strcmp(t, list[i]) == 0)
            return true;
    }
    return false;
}

/* --- PO boxes ---------------------------------------------------------------
 * Phrases of word tokens (see tokenize); "#" matches a token that starts
 * with a digit, a leading "^" anchors the phrase at the line's start. */
static const char *const po_box_phrases[] = {
    "po box",
    "p o box",
    "pobox",
    "post office box", /* English */
    "pob #",
    "p o b #",
    "po b #", /* abbreviated */
    "gpo box",
    "locked bag",
    "private bag", /* AU, NZ */
    "general delivery",
    "poste restante", /* held at the office */
    "postfach",       /* DE, AT, CH */
    "postbus",        /* NL */
    "postboks",       /* DK, NO */
    "postilokero",    /* FI */
    "^box #",         /* SE "Box 123" */
    "apartado",
    "apdo", /* ES, PT, MX */
    "casilla #",
    "casilla de correo", /* CL, AR */
    "caixa postal",
    "cx postal",       /* BR */
    "casella postale", /* IT */
    "boite postale",
    "bo\xc3\xaete postale",
    "bp #",             /* FR */
    "case postale",     /* CH */
    "skrytka pocztowa", /* PL */
    "posta kutusu",     /* TR */
};

static bool phrase_at(const tokens *tk, size_t at, const char *phrase)
{
    if (phrase[0] == '^') {
        if (at != 0)
            return false;
        phrase++;
    }
    size_t i = at;
    const char *p = phrase;
    while (*p != '\0') {
        const char *sp = strchr(p, ' ');
        size_t len = sp != NULL ? (size_t)(sp - p) : strlen(p);
        if (i >= tk->n)
            return false;
        const char *t = tk->t[i];
        if (len == 1 && p[0] == '#') {
            if (t[0] < '0' || t[0] > '9')
                return false;
        } else if (strlen(t) != len || memcmp(t, p, len) != 0) {
            return false;
        }
        i++;
        p += len;
        if (*p == ' ')
            p++;
    }
    return true;
}

bool hf_validate_is_po_box(const char *line)
{
    tokens tk;
    tokenize(line, true, &tk);
    for (size_t at = 0; at < tk.n; at++) {
        for (size_t i = 0; i < HF_ARRAY_LEN(po_box_phrases); i++) {
            if (phrase_at(&tk, at, po_box_phrases[i]))
                return true;
        }
    }
    return false;
}

/* --- House numbers ----------------------------------------------------------
 */

/* Words that number a unit, not a house: the token after them is skipped. */
static const char *const unit_words[] = {
    "apt",   "apartment",    "flat",        "unit",   "suite",   "ste",
    "room",  "rm",           "floor",       "fl",     "wohnung", "whg",
    "piso",  "appt",         "appartement", "bureau", "oficina", "dpto",
    "depto", "departamento", "lgh",         "andar",  "etage",   "#",
};

/* Leading English number words: "One Main St". */
static const char *const number_words[] = {
    "one",    "two",    "three", "four",  "five",    "six",
    "seven",  "eight",  "nine",  "ten",   "eleven",  "twelve",
    "twenty", "thirty", "forty", "fifty", "hundred",
};

/* Explicit "no number" marks: Spanish and Portuguese "sin/sem número",
 * Italian "senza numero civico", French "lieu-dit". */
static const char *const no_number_marks[] = {
    "s/n", "sn", "s/nº", "s/no", "snc", "lieu-dit", "lieudit",
};

/* The token without trailing '.' and ':'. */
static void strip_punct(char *t)
{
    size_t n = strlen(t);
    while (n > 1 && (t[n - 1] == '.' || t[n - 1] == ':'))
        t[--n] = '\0';
}

static bool line_has_number(const char *line)
{
    tokens tk;
    tokenize(line, false, &tk);
    for (size_t i = 0; i < tk.n; i++) {
        char *t = tk.t[i];
        strip_punct(t);
        if (in_list(t, no_number_marks, HF_ARRAY_LEN(no_number_marks)))
            return true;
        if (i == 0 && in_list(t, number_words, HF_ARRAY_LEN(number_words)))
            return true;
        if (in_list(t, unit_words, HF_ARRAY_LEN(unit_words))) {
            /* "Unit 3/12 Smith St": the part after '/' is the house */
            if (i + 1 < tk.n) {
                const char *slash = strchr(tk.t[i + 1], '/');
                if (slash != NULL && has_digit(slash + 1))
                    return true;
            }
            i++;
            continue;
        }
        if (t[0] == '#')
            continue; /* "#12" numbers a unit */
        if (has_digit(t))
            return true;
    }
    return false;
}

bool hf_validate_has_house_number(const char *line1, const char *line2)
{
    return line_has_number(line1) || line_has_number(line2);
}

/* --- Lines, payment, duplicates ------------------------------------------- */

static void check_lines(const hf_validate_input *in, hf_validate_result *out)
{
    char field[64];

    if (in->n_lines == 0 || in->lines == NULL) {
        add_reason(out, HF_VC_NO_LINES, "lines", "The order has no lines.");
        return;
    }
    for (size_t i = 0; i < in->n_lines; i++) {
        const hf_validate_line *l = &in->lines[i];
        const char *sku = l->sku != NULL ? l->sku : "";
        if (l->qty <= 0) {
            snprintf(field, sizeof(field), "lines[%zu].qty", i);
            add_reason(out, HF_VC_INVALID_QUANTITY, field,
                       "The quantity must be at least 1.");
        }
        snprintf(field, sizeof(field), "lines[%zu].sku", i);
        if (blank(sku) || !l->known) {
            add_reason(out, HF_VC_UNKNOWN_PRODUCT, field,
                       "The product %.64s is not in the catalog.", sku);
        } else if (!l->active) {
            add_reason(out, HF_VC_PRODUCT_UNAVAILABLE, field,
                       "The product %.64s is no longer sold.", sku);
        } else if (l->available >= 0 && l->qty > 0 && l->available < l->qty) {
            add_reason(out, HF_VC_INSUFFICIENT_STOCK, field,
                       "Only %lld of %.64s are available.",
                       (long long)l->available, sku);
        }
    }
}

static void check_payment(const hf_validate_input *in, hf_validate_result *out)
{
    if (!hf_currency_valid(in->currency)) {
        add_reason(out, HF_VC_INVALID_CURRENCY, "currency",
                   "The order's currency is not an ISO 4217 code.");
        return; /* amounts cannot be compared */
    }
    if (blank(in->payment_method))
        add_reason(out, HF_VC_MISSING_PAYMENT, "payment.method",
                   "The order has no payment method.");
    if (!in->payment_authorized)
        return;
    if (in->authorized_currency != NULL &&
        strcmp(in->authorized_currency, in->currency) != 0) {
        add_reason(out, HF_VC_PAYMENT_CURRENCY_MISMATCH, "payment.currency",
                   "The payment is in %.8s but the order is in %s.",
                   in->authorized_currency, in->currency);
        return;
    }
    if (in->authorized != in->total) {
        char paid[48], total[48];
        hf_money_format(in->authorized, in->currency, paid, sizeof(paid));
        hf_money_format(in->total, in->currency, total, sizeof(total));
        add_reason(out, HF_VC_PAYMENT_AMOUNT_MISMATCH, "payment.authorized",
                   "%s is authorized but the order totals %s.", paid, total);
    }
}

static void check_duplicate(const hf_validate_input *in,
                            hf_validate_result *out)
{
    uint64_t sig = hf_validate_signature(in->lines, in->n_lines);
    int minutes = in->duplicate_window_min > 0 ? in->duplicate_window_min
                                               : HF_DUPLICATE_WINDOW_DEFAULT;
    hf_time window = (hf_time)minutes * HF_MINUTE;
    const hf_recent_order *best = NULL;

    if (sig == 0 || in->recent == NULL)
        return;
    for (size_t i = 0; i < in->n_recent; i++) {
        const hf_recent_order *r = &in->recent[i];
        hf_time age;
        if (r->signature != sig ||
            __builtin_sub_overflow(in->now, r->placed_at, &age) ||
            age < -window || age > window)
            continue; /* other items, or a time nowhere near now */
        if (best == NULL || r->placed_at > best->placed_at)
            best = r;
    }
    if (best == NULL)
        return;
    hf_time age = in->now - best->placed_at;
    add_reason(out, HF_VC_LIKELY_DUPLICATE, "lines",
               "The same items as order %.32s, placed %lld minutes ago.",
               best->number != NULL ? best->number : "(unnamed)",
               (long long)((age < 0 ? 0 : age) / HF_MINUTE));
}

hf_rc hf_validate_order(const hf_validate_input *in, hf_validate_result *out)
{
    if (out == NULL)
        return HF_EINVAL;
    memset(out, 0, sizeof(*out));
    out->outcome = HF_VALIDATE_ACCEPT;
    if (in == NULL || in->shipping == NULL) {
        out->outcome = HF_VALIDATE_REJECT;
        return HF_EINVAL;
    }
    check_address(in->shipping, "shipping_address", true, in, out,
                  out->shipping_postal);
    if (in->billing != NULL)
        check_address(in->billing, "billing_address", false, in, out,
                      out->billing_postal);
    check_lines(in, out);
    check_payment(in, out);
    check_duplicate(in, out);
    return HF_OK;
}

hf_rc hf_validate_address(const hf_address *a, bool shipping,
                          bool carrier_refuses_po_box, hf_validate_result *out)
{
    hf_validate_input in = {.carrier_refuses_po_box = carrier_refuses_po_box};

    if (out == NULL)
        return HF_EINVAL;
    memset(out, 0, sizeof(*out));
    out->outcome = HF_VALIDATE_ACCEPT;
    if (a == NULL) {
        out->outcome = HF_VALIDATE_REJECT;
        return HF_EINVAL;
    }
    check_address(a, shipping ? "shipping_address" : "billing_address",
                  shipping, &in, out,
                  shipping ? out->shipping_postal : out->billing_postal);
    return HF_OK;
}

void hf_validate_input_from_order(const hf_order *o, hf_validate_input *in)
{
    memset(in, 0, sizeof(*in));
    in->shipping = &o->shipping_address;
    in->billing = o->has_billing_address ? &o->billing_address : NULL;
    in->currency = o->currency;
    in->total = hf_order_total(o);
    in->payment_method = o->payment.method;
    in->payment_authorized = o->payment.authorized + o->payment.captured > 0;
    in->authorized = o->payment.authorized + o->payment.captured;
}

/* --- Signatures -------------------------------------------------------------
 */

static uint64_t fnv1a(const char *s)
{
    uint64_t h = 14695981039346656037ULL;
    for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++) {
        h ^= *p;
        h *= 1099511628211ULL;
    }
    return h;
}

/* splitmix64's finaliser: spreads the sum's bits; maps 0 to 0. */
static uint64_t mix(uint64_t x)
{
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ULL;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebULL;
    x ^= x >> 31;
    return x;
}

static uint64_t line_term(const char *sku, int64_t qty)
{
    if (sku == NULL || qty <= 0)
        return 0;
    /* | 1: an odd multiplier, so no SKU's term vanishes for any qty */
    return (fnv1a(sku) | 1) * (uint64_t)qty;
}

uint64_t hf_validate_signature(const hf_validate_line *lines, size_t n)
{
    uint64_t sum = 0;
    for (size_t i = 0; lines != NULL && i < n; i++)
        sum += line_term(lines[i].sku, lines[i].qty);
    return mix(sum);
}

uint64_t hf_validate_order_signature(const hf_order *o)
{
    uint64_t sum = 0;
    for (size_t i = 0; o->lines != NULL && i < o->n_lines; i++)
        sum += line_term(o->lines[i].sku, hf_order_line_live_qty(&o->lines[i]));
    return mix(sum);
}
