/*
 * template.c - notification templates: parse, render, lint, and the
 * `holdfast templates` command. The file format is described in
 * template.h and templates/README.md; why it is written by hand, too.
 */
#include "notify/template.h"
#include "util/mem.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* --- Tables -------------------------------------------------------------- */

typedef struct part_info {
    const char *name; /* the section name in the file */
    bool one_line;    /* must be one line; line breaks in values -> ' ' */
    bool html;        /* values are HTML-escaped */
} part_info;

static const part_info part_table[HF_TEMPLATE_PART_COUNT] = {
    /* the Subject: header of the email */
    [HF_TEMPLATE_EMAIL_SUBJECT] = {"email.subject", true, false},
    /* the text/plain alternative of the email */
    [HF_TEMPLATE_EMAIL_TEXT] = {"email.text", false, false},
    /* the text/html alternative of the email */
    [HF_TEMPLATE_EMAIL_HTML] = {"email.html", false, true},
    /* the text message; lint holds it to HF_TEMPLATE_SMS_MAX characters */
    [HF_TEMPLATE_SMS] = {"sms", false, false},
    /* the bold first line of a notification in the app */
    [HF_TEMPLATE_INAPP_TITLE] = {"inapp.title", true, false},
    /* the text under it */
    [HF_TEMPLATE_INAPP_BODY] = {"inapp.body", false, false},
};

#define SHOP "https://northwind-outfitters.example"
#define SIG "?t=Xk3v9Qm2LpR7wT4yZ8aB1c"

/* Every placeholder a template may name, sorted by name (strcmp). The
 * notify service supplies each value already formatted for a person: money
 * as hf_money_format() writes it, dates and times in the shop's time zone
 * as "Wednesday, 25 November 2026", links signed and absolute. Samples
 * are realistic and on the long side, since lint measures the SMS with
 * them. The third column is the row's comment; `holdfast templates
 * placeholders` prints it and templates/README.md repeats it. */
static const hf_template_placeholder placeholder_table[] = {
    {"address.fix_by", "Tuesday, 24 November 2026",
     "date by which a corrected address still keeps the promised delivery"},
    {"address.problem", "the postal code does not match the city",
     "what is wrong with the shipping address, as a clause"},
    {"address.text", "1 Main St, Apt 4B, Springfield, IL 62701, US",
     "the shipping address on one line"},
    {"coupon.code", "COMEBACK-7Q4X9", "the coupon code the customer types"},
    {"coupon.expires_at", "Thursday, 31 December 2026",
     "last day the coupon can be used"},
    {"coupon.value", "20% off",
     "what the coupon gives, as \"20% off\" or \"15.00 USD off\""},
    {"customer.email", "alexandra.montgomery@example.com",
     "the customer's email address"},
    {"customer.first_name", "Alexandra",
     "the customer's first name, for greetings (the full name when the "
     "first is unknown)"},
    {"customer.name", "Alexandra Montgomery", "the customer's full name"},
    {"delay.reason", "severe weather closed the carrier's Memphis hub",
     "why a shipment is late, as a clause without a final period"},
    {"fix_address_url", SHOP "/address/HF-100042" SIG,
     "signed link to the page where the customer corrects the address"},
    {"offer.description", "15% off this order, 19.49 USD back to your card",
     "the retention offer the customer accepted, as a phrase"},
    {"order.number", "HF-100042", "the order's human number"},
    {"order.placed_at", "Saturday, 21 November 2026",
     "date the order was placed"},
    {"order.promised_by", "Wednesday, 25 November 2026",
     "latest delivery date promised at checkout"},
    {"order.total", "129.95 USD",
     "the order's total, formatted money (after any offer)"},
    {"order_url", SHOP "/orders/HF-100042" SIG,
     "signed link to the order's page: items, status, self-service cancel"},
    {"refund.amount", "129.95 USD", "the amount refunded, formatted money"},
    {"refund.method", "your Visa card ending in 4242",
     "where the refund goes, as a phrase"},
    {"reply.text",
     "It ships from our warehouse tomorrow morning by express; you will "
     "have it on Friday.",
     "what a person on the team wrote to the customer"},
    {"shipment.carrier", "UPS", "the carrier's name as customers know it"},
    {"shipment.delivered_at", "Wednesday, 25 November at 2:41 PM",
     "date and time the carrier reported delivery"},
    {"shipment.eta", "Wednesday, 25 November 2026",
     "expected delivery date (the latest estimate)"},
    {"shipment.eta_earliest", "Tuesday, 24 November",
     "earliest expected delivery date"},
    {"shipment.eta_latest", "Thursday, 26 November",
     "latest expected delivery date"},
    {"shipment.previous_eta", "Monday, 23 November 2026",
     "the expected delivery date before the delay"},
    {"shipment.tracking_number", "1Z999AA10123456784",
     "the carrier's tracking number"},
    {"shop.name", "Northwind Outfitters", "the shop's name"},
    {"shop_url", SHOP, "link to the shop's home page"},
    {"support_email", "help@northwind-outfitters.example",
     "the address customers write to for help"},
    {"survey_url", SHOP "/survey/HF-100042" SIG,
     "signed link to the cancellation survey"},
    {"tracking_url", SHOP "/track/HF-100042" SIG,
     "signed link to the shop's tracking page for the order"},
    {"unsubscribe_url", SHOP "/unsubscribe" SIG,
     "signed link that stops marketing messages (survey, win-back)"},
};

/* The notifications holdfast sends; each needs templates/NAME.tmpl. The
 * second column says when, for lint's message and the README. */
static const struct notification {
    const char *name;
    const char *when;
} notification_table[] = {
    {"order_confirmed", "an order is placed and its payment accepted"},
    {"order_shipped", "a shipment is handed to the carrier"},
    {"shipment_delayed", "a shipment's expected delivery moves later"},
    {"out_for_delivery", "the carrier reports the parcel out for delivery"},
    {"delivered", "the carrier reports the parcel delivered"},
    {"cancellation_confirmed", "an order, or part of it, is cancelled"},
    {"retention_offer_applied",
     "a customer accepts an offer instead of cancelling"},
    {"refund_issued", "a refund is sent to the payment gateway"},
    {"cancellation_survey", "after a cancellation, to ask why"},
    {"address_needs_fixing",
     "the shipping address fails validation before shipping"},
    {"winback_offer", "a customer who cancelled has not ordered since"},
    {"agent_reply", "a person on the team answers a handed-over "
                    "conversation"},
    {"reassurance", "an order's cancellation risk reaches the reassure "
                    "playbook's threshold"},
};

const char *hf_template_part_name(hf_template_part part)
{
    if ((unsigned)part >= HF_TEMPLATE_PART_COUNT)
        return NULL;
    return part_table[part].name;
}

/* The part whose name is the n bytes at s; -1 when none is. */
static int part_find(const char *s, size_t n)
{
    for (int i = 0; i < HF_TEMPLATE_PART_COUNT; i++)
        if (strlen(part_table[i].name) == n &&
            memcmp(part_table[i].name, s, n) == 0)
            return i;
    return -1;
}

bool hf_template_part_parse(const char *name, hf_template_part *out)
{
    int i = part_find(name, strlen(name));
    if (i < 0)
        return false;
    *out = (hf_template_part)i;
    return true;
}

const hf_template_placeholder *hf_template_placeholders(size_t *count)
{
    *count = HF_ARRAY_LEN(placeholder_table);
    return placeholder_table;
}

static int placeholder_cmp(const void *key, const void *row)
{
    return strcmp(key, ((const hf_template_placeholder *)row)->name);
}

const hf_template_placeholder *hf_template_placeholder_find(const char *name)
{
    return bsearch(name, placeholder_table, HF_ARRAY_LEN(placeholder_table),
                   sizeof(placeholder_table[0]), placeholder_cmp);
}

const char *hf_template_sample_value(void *ctx, const char *name)
{
    (void)ctx;
    const hf_template_placeholder *ph = hf_template_placeholder_find(name);
    return ph ? ph->sample : NULL;
}

const char *hf_template_notification(size_t i)
{
    return i < HF_ARRAY_LEN(notification_table) ? notification_table[i].name
                                                : NULL;
}

/* --- Text helpers -------------------------------------------------------- */

/* Bytes of the valid UTF-8 sequence at s (n bytes available), or 0 when it
 * is not one: overlong forms, surrogates and values past U+10FFFF are
 * refused. */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
    unsigned c = s[0];
    size_t len;
    uint32_t cp, min;
    if (c < 0x80)
        return 1;
    if (c >= 0xC2 && c <= 0xDF) {
        len = 2, cp = c & 0x1F, min = 0x80;
    } else if ((c & 0xF0) == 0xE0) {
        len = 3, cp = c & 0x0F, min = 0x800;
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4, cp = c & 0x07, min = 0x10000;
    } else {
        return 0;
    }
    if (len > n)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        cp = cp << 6 | (s[i] & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return len;
}

/* Characters (code points) in the n bytes of valid UTF-8 at s. */
static size_t utf8_chars(const char *s, size_t n)
{
    size_t chars = 0;
    for (size_t i = 0; i < n; i++)
        chars += ((unsigned char)s[i] & 0xC0) != 0x80;
    return chars;
}

/* The next line of text[0..len) from *pos: sets *s and *n to it without
 * its "\n" or "\r\n" and moves *pos past it. False at the end. */
static bool next_line(const char *text, size_t len, size_t *pos, const char **s,
                      size_t *n)
{
    if (*pos >= len)
        return false;
    const char *start = text + *pos;
    const char *nl = memchr(start, '\n', len - *pos);
    size_t l = nl ? (size_t)(nl - start) : len - *pos;
    *pos += l + (nl ? 1 : 0);
    if (l > 0 && start[l - 1] == '\r')
        l--;
    *s = start;
    *n = l;
    return true;
}

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' ||
           c == '\v';
}

static bool is_blank(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!is_space(s[i]))
            return false;
    return true;
}

/* True when the line is a section header "[name]"; *name and *nlen then
 * give the text between the brackets. */
static bool is_header(const char *s, size_t n, const char **name, size_t *nlen)
{
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        n--;
    if (n < 3 || s[0] != '[' || s[n - 1] != ']')
        return false;
    for (size_t i = 1; i + 1 < n; i++)
        if (s[i] == '[' || s[i] == ']' || s[i] == ' ' || s[i] == '\t')
            return false;
    *name = s + 1;
    *nlen = n - 2;
    return true;
}

/* Edit distance of a and b, case-insensitive; both at most
 * HF_TEMPLATE_MAX_PLACEHOLDER bytes. */
static size_t distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    size_t row[HF_TEMPLATE_MAX_PLACEHOLDER + 1];
    for (size_t j = 0; j <= lb; j++)
        row[j] = j;
    for (size_t i = 1; i <= la; i++) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t up = row[j];
            size_t cost = tolower((unsigned char)a[i - 1]) !=
                          tolower((unsigned char)b[j - 1]);
            size_t best = diag + cost;
            if (up + 1 < best)
                best = up + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    return row[lb];
}

/* The known placeholder closest to name when it is close enough to be a
 * likely typo, else NULL. */
static const char *suggest(const char *name)
{
    size_t best = (size_t)-1, limit = 1 + strlen(name) / 5;
    const char *found = NULL;
    if (limit > 3)
        limit = 3;
    for (size_t i = 0; i < HF_ARRAY_LEN(placeholder_table); i++) {
        size_t d = distance(name, placeholder_table[i].name);
        if (d < best) {
            best = d;
            found = placeholder_table[i].name;
        }
    }
    return best <= limit ? found : NULL;
}

/* --- Parsing ------------------------------------------------------------- */

/* One piece of a part: literal text or a placeholder. */
typedef struct seg {
    const char *text;                  /* literal bytes; NULL: placeholder */
    size_t len;                        /* bytes at text */
    const hf_template_placeholder *ph; /* the placeholder when text NULL */
} seg;

typedef struct tpart {
    seg *segs; /* in order */
    size_t n;  /* entries of segs */
    int line;  /* line of the [section] header */
} tpart;

struct hf_template {
    hf_arena *arena; /* owns this struct, name and every part */
    char *name;      /* notification name ("delivered") */
    tpart parts[HF_TEMPLATE_PART_COUNT];
};

enum {
    MAX_PROBLEMS = 50,    /* problems kept per file; the rest are counted */
    MAX_MESSAGE = 240,    /* bytes of one problem's message */
    ARENA_CAP = 8u << 20, /* a 64 KiB file needs well under this */
    NO_SECTION = -1,      /* parse state: before the first section */
    SKIP_SECTION = -2,    /* parse state: in an unknown or repeated one */
    MAX_DIR_FILES = 1000, /* *.tmpl files lint reads from one directory */
};

typedef struct problem {
    int line, col;
    int seq; /* order found, to keep qsort stable */
    char message[MAX_MESSAGE];
} problem;

/* Problems of one parse, kept to be reported in line order. */
typedef struct pctx {
    problem list[MAX_PROBLEMS];
    int n;       /* entries of list */
    int dropped; /* problems past MAX_PROBLEMS */
} pctx;

static void add_problem(pctx *p, int line, int col, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void add_problem(pctx *p, int line, int col, const char *fmt, ...)
{
    if (p->n == MAX_PROBLEMS) {
        p->dropped++;
        return;
    }
    problem *pr = &p->list[p->n];
    pr->seq = p->n++;
    pr->line = line;
    pr->col = col;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(pr->message, sizeof(pr->message), fmt, ap);
    va_end(ap);
}

static int problem_cmp(const void *a, const void *b)
{
    const problem *x = a, *y = b;
    if (x->line != y->line)
        return x->line < y->line ? -1 : 1;
    if (x->col != y->col)
        return x->col < y->col ? -1 : 1;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Sends the problems to report in line order and the first to err, as
 * "LABEL:LINE:COL: message". Returns rc when there was any, else HF_OK. */
static hf_rc flush_problems(pctx *p, const char *label, hf_rc rc,
                            hf_template_report_fn report, void *ctx,
                            hf_err *err)
{
    if (p->n == 0)
        return HF_OK;
    qsort(p->list, (size_t)p->n, sizeof(p->list[0]), problem_cmp);
    for (int i = 0; i < p->n && report != NULL; i++)
        report(ctx, p->list[i].line, p->list[i].col, p->list[i].message);
    if (p->dropped > 0 && report != NULL) {
        char more[64];
        snprintf(more, sizeof(more), "%d more problems not shown", p->dropped);
        report(ctx, p->list[p->n - 1].line, p->list[p->n - 1].col, more);
    }
    return hf_fail(err, rc, "template_invalid", NULL, "%s:%d:%d: %s", label,
                   p->list[0].line, p->list[0].col, p->list[0].message);
}

/* Checks that text is UTF-8 without NUL bytes; records the first offence. */
static bool check_encoding(pctx *p, const char *text, size_t len)
{
    int line = 1, col = 1;
    for (size_t i = 0; i < len; col++) {
        if (text[i] == '\n') {
            line++, i++, col = 0;
            continue;
        }
        if (text[i] == '\0') {
            add_problem(p, line, col, "NUL byte; the file must be text");
            return false;
        }
        size_t k = utf8_seq((const unsigned char *)text + i, len - i);
        if (k == 0) {
            add_problem(p, line, col, "invalid UTF-8; save the file as UTF-8");
            return false;
        }
        i += k;
    }
    return true;
}

/* Where a section's text lies, found by the first scan. */
typedef struct span {
    int header;   /* line of [name]; 0 when absent */
    int first;    /* line of the first non-blank text line; 0: none */
    int second;   /* line of the second one; 0: none */
    size_t begin; /* byte offset where the first text line starts */
    size_t end;   /* byte offset where the last one ends (no \r\n) */
} span;

/* Compiles the placeholder between the braces (n bytes at s, spaces
 * trimmed) or records why it cannot be; NULL then. */
static const hf_template_placeholder *placeholder_at(pctx *p, int line, int col,
                                                     const char *s, size_t n)
{
    while (n > 0 && (*s == ' ' || *s == '\t'))
        s++, n--;
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        n--;
    if (n == 0) {
        add_problem(p, line, col, "empty placeholder {{}}");
        return NULL;
    }
    if (utf8_chars(s, n) > HF_TEMPLATE_MAX_PLACEHOLDER) {
        add_problem(p, line, col,
                    "placeholder name is longer than %d characters",
                    HF_TEMPLATE_MAX_PLACEHOLDER);
        return NULL;
    }
    char name[4 * HF_TEMPLATE_MAX_PLACEHOLDER + 1];
    memcpy(name, s, n);
    name[n] = '\0';
    const hf_template_placeholder *ph = hf_template_placeholder_find(name);
    if (ph != NULL)
        return ph;
    const char *near = suggest(name);
    if (near != NULL)
        add_problem(p, line, col,
                    "unknown placeholder {{%s}}; did you mean {{%s}}?", name,
                    near);
    else
        add_problem(p, line, col,
                    "unknown placeholder {{%s}}; `holdfast templates "
                    "placeholders` lists the known ones",
                    name);
    return NULL;
}

/* Builds part `which` of t from the text that sp locates. Returns false
 * only when out of memory; problems go to p. */
static bool compile_part(pctx *p, hf_template *t, int which, const span *sp,
                         const char *text)
{
    size_t opens = 0;
    for (size_t i = sp->begin; i + 1 < sp->end; i++)
        if (text[i] == '{' && text[i + 1] == '{')
            opens++, i++;
    tpart *pt = &t->parts[which];
    pt->line = sp->header;
    pt->segs = hf_arena_alloc(t->arena, (2 * opens + 1) * sizeof(seg));
    char *buf = hf_arena_alloc(t->arena, sp->end - sp->begin + 1);
    if (pt->segs == NULL || buf == NULL)
        return false;
    size_t bp = 0, lit = 0, pos = sp->begin;
    const char *s;
    size_t n;
    for (int line = sp->first; next_line(text, sp->end, &pos, &s, &n); line++) {
        if (line > sp->first)
            buf[bp++] = '\n';
        int col = 1; /* of s[i], counted as we go: lines can be long */
        for (size_t i = 0; i < n;) {
            if (!(s[i] == '{' && i + 1 < n && s[i + 1] == '{')) {
                col += ((unsigned char)s[i] & 0xC0) != 0x80;
                buf[bp++] = s[i++];
                continue;
            }
            const char *close = NULL;
            for (size_t j = i + 2; j + 1 < n && close == NULL; j++)
                if (s[j] == '}' && s[j + 1] == '}')
                    close = s + j;
            if (close == NULL) {
                add_problem(p, line, col,
                            "unclosed {{: add }} on the same line");
                break;
            }
            const hf_template_placeholder *ph = placeholder_at(
                p, line, col, s + i + 2, (size_t)(close - (s + i + 2)));
            if (ph != NULL) {
                if (bp > lit)
                    pt->segs[pt->n++] = (seg){buf + lit, bp - lit, NULL};
                pt->segs[pt->n++] = (seg){NULL, 0, ph};
                lit = bp;
            }
            size_t next = (size_t)(close - s) + 2;
            col += (int)utf8_chars(s + i, next - i);
            i = next;
        }
    }
    if (bp > lit)
        pt->segs[pt->n++] = (seg){buf + lit, bp - lit, NULL};
    return true;
}

/* Finds the sections (first scan): headers, where each one's text lies,
 * and stray text before the first. */
static void find_sections(pctx *p, const char *text, size_t len,
                          span spans[HF_TEMPLATE_PART_COUNT])
{
    int cur = NO_SECTION, line = 0;
    bool stray = false;
    size_t pos = 0;
    const char *s, *name;
    size_t n, nlen;
    while (next_line(text, len, &pos, &s, &n)) {
        line++;
        if (is_header(s, n, &name, &nlen)) {
            int which = part_find(name, nlen);
            if (which < 0) {
                add_problem(p, line, 1,
                            "unknown section [%.*s]; the sections are "
                            "[email.subject], [email.text], [email.html], "
                            "[sms], [inapp.title] and [inapp.body]",
                            (int)(nlen < 64 ? nlen : 64), name);
                cur = SKIP_SECTION;
            } else if (spans[which].header != 0) {
                add_problem(p, line, 1,
                            "section [%s] appears twice (first on line %d)",
                            part_table[which].name, spans[which].header);
                cur = SKIP_SECTION;
            } else {
                spans[which].header = line;
                cur = which;
            }
            continue;
        }
        if (is_blank(s, n) || cur == SKIP_SECTION)
            continue;
        if (cur == NO_SECTION) {
            size_t i = 0;
            while (i < n && is_space(s[i]))
                i++;
            if (s[i] != '#' && !stray) {
                add_problem(p, line, 1,
                            "text before the first section; start with a "
                            "section such as [email.subject] or make the "
                            "line a # comment");
                stray = true;
            }
            continue;
        }
        span *sp = &spans[cur];
        if (sp->first == 0) {
            sp->first = line;
            sp->begin = (size_t)(s - text);
        } else if (sp->second == 0) {
            sp->second = line;
        }
        sp->end = (size_t)(s - text) + n;
    }
}

/* hf_template_parse(), with `label` naming the source in err. */
static hf_rc parse(const char *name, const char *label, const char *text,
                   size_t len, hf_template_report_fn report, void *rctx,
                   hf_template **out, hf_err *err)
{
    *out = NULL;
    pctx *p = hf_calloc(1, sizeof(*p));
    if (p == NULL)
        return hf_fail(err, HF_ENOMEM, NULL, NULL, "out of memory");
    hf_rc rc = HF_EPARSE;
    hf_template *t = NULL;
    if (len > HF_TEMPLATE_MAX_FILE) {
        add_problem(p, 1, 1, "file is over the %d KiB limit",
                    HF_TEMPLATE_MAX_FILE / 1024);
        rc = HF_ETOOBIG;
        goto done;
    }
    if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
        text += 3, len -= 3;
    if (!check_encoding(p, text, len))
        goto done;
    if (is_blank(text, len)) {
        add_problem(p, 1, 1, "empty file");
        goto done;
    }
    span spans[HF_TEMPLATE_PART_COUNT];
    memset(spans, 0, sizeof(spans));
    find_sections(p, text, len, spans);

    hf_arena *arena = hf_arena_new(ARENA_CAP);
    if (arena == NULL)
        goto nomem;
    t = hf_arena_zalloc(arena, sizeof(*t));
    if (t == NULL) {
        hf_arena_free(arena);
        goto nomem;
    }
    t->arena = arena;
    t->name = hf_arena_strdup(arena, name);
    if (t->name == NULL)
        goto nomem;
    for (int i = 0; i < HF_TEMPLATE_PART_COUNT; i++) {
        const span *sp = &spans[i];
        const char *pn = part_table[i].name;
        if (sp->header == 0)
            add_problem(p, 1, 1, "missing section [%s]", pn);
        else if (sp->first == 0)
            add_problem(p, sp->header, 1, "section [%s] is empty", pn);
        else if (!compile_part(p, t, i, sp, text))
            goto nomem;
        else if (part_table[i].one_line && sp->second != 0)
            add_problem(p, sp->second, 1, "section [%s] must be one line", pn);
    }
    if (p->n == 0) {
        *out = t;
        t = NULL;
        rc = HF_OK;
    }
done:
    rc = flush_problems(p, label, rc, report, rctx, err);
    hf_template_free(t);
    hf_free(p);
    return rc;
nomem:
    hf_template_free(t);
    hf_free(p);
    return hf_fail(err, HF_ENOMEM, NULL, NULL, "out of memory");
}

hf_rc hf_template_parse(const char *name, const char *text, size_t len,
                        hf_template_report_fn report, void *report_ctx,
                        hf_template **out, hf_err *err)
{
    return parse(name, name, text, len, report, report_ctx, out, err);
}

hf_rc hf_template_load(const char *path, hf_template_report_fn report,
                       void *report_ctx, hf_template **out, hf_err *err)
{
    *out = NULL;
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    size_t blen = strlen(base), elen = strlen(HF_TEMPLATE_EXT);
    if (blen > elen && strcmp(base + blen - elen, HF_TEMPLATE_EXT) == 0)
        blen -= elen;
    char name[256];
    snprintf(name, sizeof(name), "%.*s", (int)(blen < 255 ? blen : 255), base);

    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        char why[MAX_MESSAGE];
        snprintf(why, sizeof(why), "cannot open: %s", strerror(errno));
        if (report != NULL)
            report(report_ctx, 1, 1, why);
        return hf_fail(err, HF_EIO, "template_unreadable", NULL, "%s: %s", path,
                       why);
    }
    /* One byte past the cap tells "at the cap" from "over it". */
    char *buf = hf_malloc(HF_TEMPLATE_MAX_FILE + 1);
    if (buf == NULL) {
        fclose(f);
        return hf_fail(err, HF_ENOMEM, NULL, NULL, "out of memory");
    }
    size_t n = fread(buf, 1, HF_TEMPLATE_MAX_FILE + 1, f);
    int failed = ferror(f) ? (errno ? errno : EIO) : 0;
    fclose(f);
    hf_rc rc;
    if (failed != 0) {
        char why[MAX_MESSAGE];
        snprintf(why, sizeof(why), "cannot read: %s", strerror(failed));
        if (report != NULL)
            report(report_ctx, 1, 1, why);
        rc = hf_fail(err, HF_EIO, "template_unreadable", NULL, "%s: %s", path,
                     why);
    } else {
        rc = parse(name, path, buf, n, report, report_ctx, out, err);
    }
    hf_free(buf);
    return rc;
}

void hf_template_free(hf_template *t)
{
    if (t != NULL)
        hf_arena_free(t->arena);
}

const char *hf_template_name(const hf_template *t)
{
    return t->name;
}

/* --- Rendering ----------------------------------------------------------- */

/* Bytes that c takes in the output of a part with info pi. */
static size_t out_len(const part_info *pi, char c)
{
    if (!pi->html)
        return 1;
    switch (c) {
    case '&':
        return 5; /* &amp; */
    case '<':
    case '>':
        return 4; /* &lt; &gt; */
    case '"':
        return 6; /* &quot; */
    case '\'':
        return 5; /* &#39; */
    default:
        return 1;
    }
}

/* Writes value c to dst as out_len() counted it; returns the bytes. */
static size_t out_put(const part_info *pi, char c, char *dst)
{
    const char *rep = NULL;
    if (pi->one_line && (c == '\n' || c == '\r'))
        c = ' ';
    if (pi->html) {
        switch (c) {
        case '&':
            rep = "&amp;";
            break;
        case '<':
            rep = "&lt;";
            break;
        case '>':
            rep = "&gt;";
            break;
        case '"':
            rep = "&quot;";
            break;
        case '\'':
            rep = "&#39;";
            break;
        default:
            break;
        }
    }
    if (rep == NULL) {
        *dst = c;
        return 1;
    }
    size_t n = strlen(rep);
    memcpy(dst, rep, n);
    return n;
}

hf_rc hf_template_render(const hf_template *t, hf_template_part part,
                         hf_template_lookup_fn lookup, void *ctx,
                         hf_arena *arena, char **out, hf_err *err)
{
    *out = NULL;
    if ((unsigned)part >= HF_TEMPLATE_PART_COUNT)
        return hf_fail(err, HF_EINVAL, "bad_part", NULL, "no template part %d",
                       (int)part);
    const tpart *pt = &t->parts[part];
    const part_info *pi = &part_table[part];
    /* Ask for every value once, then size the output, then write it. */
    const char **vals = hf_arena_zalloc(arena, (pt->n + 1) * sizeof(*vals));
    if (vals == NULL)
        return hf_fail(err, HF_ENOMEM, NULL, NULL, "out of memory");
    size_t total = 0;
    for (size_t i = 0; i < pt->n; i++) {
        const seg *sg = &pt->segs[i];
        size_t add = sg->len;
        if (sg->text == NULL) {
            vals[i] = lookup(ctx, sg->ph->name);
            if (vals[i] == NULL)
                return hf_fail(err, HF_ENOTFOUND, "missing_value", sg->ph->name,
                               "%s: no value for {{%s}}", t->name,
                               sg->ph->name);
            add = 0;
            for (const char *v = vals[i];
                 *v != '\0' && add <= HF_TEMPLATE_MAX_OUTPUT; v++)
                add += out_len(pi, *v);
        }
        if (add > HF_TEMPLATE_MAX_OUTPUT - total)
            return hf_fail(err, HF_ETOOBIG, "render_too_large", NULL,
                           "%s [%s] renders to over %d bytes", t->name,
                           pi->name, HF_TEMPLATE_MAX_OUTPUT);
        total += add;
    }
    char *buf = hf_arena_alloc(arena, total + 1);
    if (buf == NULL)
        return hf_fail(err, HF_ENOMEM, NULL, NULL, "out of memory");
    size_t at = 0;
    for (size_t i = 0; i < pt->n; i++) {
        const seg *sg = &pt->segs[i];
        if (sg->text != NULL) {
            memcpy(buf + at, sg->text, sg->len);
            at += sg->len;
        } else {
            for (const char *v = vals[i]; *v != '\0'; v++)
                at += out_put(pi, *v, buf + at);
        }
    }
    buf[at] = '\0';
    *out = buf;
    return HF_OK;
}

/* --- Lint ---------------------------------------------------------------- */

/* Where lint writes one file's problems. */
typedef struct lint_out {
    FILE *out;
    const char *path; /* as the user named it: "templates/delivered.tmpl" */
    int problems;     /* written so far, all files */
} lint_out;

static void lint_report(void *ctx, int line, int col, const char *message)
{
    lint_out *lo = ctx;
    fprintf(lo->out, "%s:%d:%d: %s\n", lo->path, line, col, message);
    lo->problems++;
}

/* Lints one file: it parses, and its SMS fits with sample values. */
static hf_rc lint_file(lint_out *lo)
{
    hf_template *t;
    hf_err err;
    hf_rc rc = hf_template_load(lo->path, lint_report, lo, &t, &err);
    if (rc == HF_ENOMEM)
        return rc;
    if (rc != HF_OK)
        return HF_OK; /* reported */
    hf_arena *a = hf_arena_new(4 * HF_TEMPLATE_MAX_OUTPUT);
    char *sms = NULL;
    rc = a ? hf_template_render(t, HF_TEMPLATE_SMS, hf_template_sample_value,
                                NULL, a, &sms, &err)
           : HF_ENOMEM;
    if (rc == HF_OK) {
        size_t chars = utf8_chars(sms, strlen(sms));
        if (chars > HF_TEMPLATE_SMS_MAX) {
            char msg[MAX_MESSAGE];
            snprintf(msg, sizeof(msg),
                     "[sms] is %zu characters with sample values; the "
                     "limit is %d",
                     chars, HF_TEMPLATE_SMS_MAX);
            lint_report(lo, t->parts[HF_TEMPLATE_SMS].line, 1, msg);
        }
    } else if (rc != HF_ENOMEM) {
        lint_report(lo, t->parts[HF_TEMPLATE_SMS].line, 1, err.message);
        rc = HF_OK;
    }
    hf_arena_free(a);
    hf_template_free(t);
    return rc;
}

static int name_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static char *join(hf_arena *a, const char *dir, const char *file)
{
    size_t n = strlen(dir);
    return hf_arena_printf(a, "%s%s%s", dir,
                           n > 0 && dir[n - 1] == '/' ? "" : "/", file);
}

/* Lists the *.tmpl files of dir, sorted, into *names (from a). */
static hf_rc list_templates(const char *dir, hf_arena *a, FILE *out,
                            char ***names, size_t *count)
{
    *names = NULL;
    *count = 0;
    DIR *d = opendir(dir);
    if (d == NULL) {
        fprintf(out, "%s: cannot read directory: %s\n", dir, strerror(errno));
        return HF_EIO;
    }
    char **list = hf_arena_alloc(a, MAX_DIR_FILES * sizeof(*list));
    size_t n = 0, elen = strlen(HF_TEMPLATE_EXT);
    hf_rc rc = list ? HF_OK : HF_ENOMEM;
    struct dirent *e;
    while (rc == HF_OK && (e = readdir(d)) != NULL) {
        size_t len = strlen(e->d_name);
        if (e->d_name[0] == '.' || len <= elen ||
            strcmp(e->d_name + len - elen, HF_TEMPLATE_EXT) != 0)
            continue;
        if (n == MAX_DIR_FILES) {
            fprintf(out, "%s: more than %d %s files\n", dir, MAX_DIR_FILES,
                    HF_TEMPLATE_EXT);
            rc = HF_ETOOBIG;
        } else if ((list[n++] = hf_arena_strdup(a, e->d_name)) == NULL) {
            rc = HF_ENOMEM;
        }
    }
    closedir(d);
    if (rc == HF_OK)
        qsort(list, n, sizeof(*list), name_cmp);
    *names = list;
    *count = n;
    return rc;
}

/* hf_template_lint_dir(), telling also how many files it read. */
static hf_rc lint_dir(const char *dir, FILE *out, size_t *files)
{
    *files = 0;
    hf_arena *a = hf_arena_new(0);
    if (a == NULL)
        return HF_ENOMEM;
    char **names;
    size_t n;
    hf_rc rc = list_templates(dir, a, out, &names, &n);
    lint_out lo = {out, NULL, 0};
    size_t elen = strlen(HF_TEMPLATE_EXT);
    for (size_t i = 0; rc == HF_OK && i < n; i++) {
        lo.path = join(a, dir, names[i]);
        if (lo.path == NULL) {
            rc = HF_ENOMEM;
            break;
        }
        size_t stem = strlen(names[i]) - elen;
        bool known = false;
        for (size_t k = 0; k < HF_ARRAY_LEN(notification_table); k++)
            known = known ||
                    (strlen(notification_table[k].name) == stem &&
                     memcmp(notification_table[k].name, names[i], stem) == 0);
        if (!known)
            fprintf(out,
                    "%s:1:1: unknown notification \"%.*s\"; a template "
                    "file is named after the notification it writes "
                    "(order_confirmed.tmpl ...)\n",
                    lo.path, (int)stem, names[i]);
        lo.problems += !known;
        rc = lint_file(&lo);
        (*files)++;
    }
    for (size_t k = 0; rc == HF_OK && k < HF_ARRAY_LEN(notification_table);
         k++) {
        const struct notification *nt = &notification_table[k];
        char file[128];
        snprintf(file, sizeof(file), "%s%s", nt->name, HF_TEMPLATE_EXT);
        bool found = false;
        for (size_t i = 0; i < n && !found; i++)
            found = strcmp(names[i], file) == 0;
        if (found)
            continue;
        const char *path = join(a, dir, file);
        if (path == NULL) {
            rc = HF_ENOMEM;
            break;
        }
        fprintf(out,
                "%s:1:1: missing template for the %s notification, sent "
                "when %s\n",
                path, nt->name, nt->when);
        lo.problems++;
    }
    hf_arena_free(a);
    if (rc == HF_OK && lo.problems > 0)
        rc = HF_EPARSE;
    return rc;
}

hf_rc hf_template_lint_dir(const char *dir, FILE *out)
{
    size_t files;
    return lint_dir(dir, out, &files);
}

/* --- The command --------------------------------------------------------- */

static int usage(FILE *to, int status)
{
    fputs("usage: " HF_TEMPLATES_USAGE, to);
    return status;
}

/* --set values for `templates render`, in command-line order. */
typedef struct overrides {
    const char **keys;   /* placeholder names */
    const char **values; /* their values */
    size_t n;
} overrides;

/* The last --set value of name, else its sample. */
static const char *override_lookup(void *ctx, const char *name)
{
    const overrides *o = ctx;
    for (size_t i = o->n; i-- > 0;)
        if (strcmp(o->keys[i], name) == 0)
            return o->values[i];
    return hf_template_sample_value(NULL, name);
}

/* Stores `--set` argument kv ("key=value") into o; prints why not. */
static bool add_override(hf_arena *a, overrides *o, const char *kv)
{
    const char *eq = strchr(kv, '=');
    if (eq == NULL) {
        fprintf(stderr, "holdfast templates: --set wants KEY=VALUE, not %s\n",
                kv);
        return false;
    }
    char *key = hf_arena_strndup(a, kv, (size_t)(eq - kv));
    if (key == NULL) {
        fprintf(stderr, "holdfast templates: out of memory\n");
        return false;
    }
    if (hf_template_placeholder_find(key) == NULL) {
        fprintf(stderr,
                "holdfast templates: unknown placeholder %s (holdfast "
                "templates placeholders lists them)\n",
                key);
        return false;
    }
    o->keys[o->n] = key;
    o->values[o->n++] = eq + 1;
    return true;
}

static void stderr_report(void *ctx, int line, int col, const char *message)
{
    fprintf(stderr, "%s:%d:%d: %s\n", (const char *)ctx, line, col, message);
}

/* templates render NAME [PART] [--dir DIR] [--set KEY=VALUE]... */
static int cmd_render(hf_arena *a, int argc, char **argv)
{
    const char *name = NULL, *part_name = NULL, *dir = "templates";
    overrides o = {hf_arena_alloc(a, (size_t)argc * sizeof(char *) + 1),
                   hf_arena_alloc(a, (size_t)argc * sizeof(char *) + 1), 0};
    if (o.keys == NULL || o.values == NULL)
        return 1;
    for (int i = 0; i < argc; i++) {
        const char *arg = argv[i];
        bool is_dir =
            strncmp(arg, "--dir", 5) == 0 && (arg[5] == '\0' || arg[5] == '=');
        bool is_set =
            strncmp(arg, "--set", 5) == 0 && (arg[5] == '\0' || arg[5] == '=');
        if (is_dir || is_set) {
            const char *value = arg[5] == '='  ? arg + 6
                                : i + 1 < argc ? argv[++i]
                                               : NULL;
            if (value == NULL) {
                fprintf(stderr, "holdfast templates: %.5s needs a value\n",
                        arg);
                return 2;
            }
            if (is_dir)
                dir = value;
            else if (!add_override(a, &o, value))
                return 2;
        } else if (arg[0] == '-' && arg[1] != '\0') {
            fprintf(stderr, "holdfast templates: unknown option %s\n", arg);
            return 2;
        } else if (name == NULL) {
            name = arg;
        } else if (part_name == NULL) {
            part_name = arg;
        } else {
            fprintf(stderr, "holdfast templates: unexpected argument %s\n",
                    arg);
            return 2;
        }
    }
    if (name == NULL)
        return usage(stderr, 2);
    hf_template_part only = HF_TEMPLATE_PART_COUNT;
    if (part_name != NULL && !hf_template_part_parse(part_name, &only)) {
        fprintf(stderr,
                "holdfast templates: unknown part %s; the parts are "
                "email.subject, email.text, email.html, sms, inapp.title "
                "and inapp.body\n",
                part_name);
        return 2;
    }
    size_t nlen = strlen(name), elen = strlen(HF_TEMPLATE_EXT);
    bool is_path =
        strchr(name, '/') != NULL ||
        (nlen > elen && strcmp(name + nlen - elen, HF_TEMPLATE_EXT) == 0);
    const char *path =
        is_path
            ? name
            : hf_arena_printf(a, "%s%s%s%s", dir,
                              dir[0] && dir[strlen(dir) - 1] == '/' ? "" : "/",
                              name, HF_TEMPLATE_EXT);
    if (path == NULL)
        return 1;
    hf_template *t;
    hf_err err;
    if (hf_template_load(path, stderr_report, (void *)path, &t, &err) != HF_OK)
        return 1;
    int status = 0;
    for (int i = 0; i < HF_TEMPLATE_PART_COUNT && status == 0; i++) {
        if (only != HF_TEMPLATE_PART_COUNT && i != (int)only)
            continue;
        char *text;
        if (hf_template_render(t, (hf_template_part)i, override_lookup, &o, a,
                               &text, &err) != HF_OK) {
            fprintf(stderr, "holdfast templates: %s\n", err.message);
            status = 1;
        } else if (only != HF_TEMPLATE_PART_COUNT) {
            printf("%s\n", text);
        } else {
            printf("%s[%s]\n%s\n", i > 0 ? "\n" : "", part_table[i].name, text);
        }
    }
    hf_template_free(t);
    return status;
}

static int cmd_placeholders(void)
{
    for (size_t i = 0; i < HF_ARRAY_LEN(placeholder_table); i++) {
        const hf_template_placeholder *ph = &placeholder_table[i];
        printf("{{%s}}\n    %s\n    e.g. %s\n", ph->name, ph->meaning,
               ph->sample);
    }
    return 0;
}

int hf_templates_command(int argc, char **argv)
{
    for (int i = 1; i < argc; i++)
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
            return usage(stdout, 0);
    if (argc < 2)
        return usage(stderr, 2);
    const char *sub = argv[1];
    if (strcmp(sub, "lint") == 0) {
        if (argc > 3 || (argc == 3 && argv[2][0] == '-'))
            return usage(stderr, 2);
        size_t files;
        hf_rc rc = lint_dir(argc == 3 ? argv[2] : "templates", stderr, &files);
        if (rc == HF_OK) {
            printf("%zu templates OK\n", files);
            return 0;
        }
        if (rc == HF_ENOMEM)
            fprintf(stderr, "holdfast templates: out of memory\n");
        return 1;
    }
    if (strcmp(sub, "render") == 0) {
        hf_arena *a = hf_arena_new(0);
        if (a == NULL) {
            fprintf(stderr, "holdfast templates: out of memory\n");
            return 1;
        }
        int status = cmd_render(a, argc - 2, argv + 2);
        hf_arena_free(a);
        return status;
    }
    if (strcmp(sub, "placeholders") == 0 && argc == 2)
        return cmd_placeholders();
    fprintf(stderr, "holdfast templates: unknown subcommand %s\n", sub);
    return usage(stderr, 2);
}
