/*
 * extract.c - what a message names, by rules rather than by the model:
 * the offer it picks, a percentage and an order number.
 *
 * The text (first 4 KiB) is lower-cased and cut into words, numbers,
 * symbols and clause breaks. Offer phrases from a table are matched on the
 * tokens; a negation ("don't want", "no", "instead of", "not interested
 * in") before a phrase in the same clause, or right after it ("the
 * discount isn't enough"), rules that phrase out. The first phrase not
 * ruled out is the pick. Hand-written because these are a few dozen
 * phrases, not a grammar.
 */
#include "intent/features.h"
#include "intent/intent.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define MAX_TOKS 2048
#define MAX_MATCHES 64
#define NEG_REACH_NO 3   /* "no" rules out phrases this many tokens on */
#define POST_NEG_REACH 3 /* "the swap isn't ..." looks this far back */

typedef enum xkind {
    X_WORD,  /* letters */
    X_NUM,   /* digits, maybe with a decimal part */
    X_SYM,   /* one of % $ # - : and other signs */
    X_BREAK, /* end of a clause: . , ; ! ? newline, "but" */
} xkind;

/* One token, pointing into the lower-cased copy of the text. */
typedef struct xtok {
    uint16_t off;    /* first byte in text */
    uint16_t len;    /* bytes */
    uint8_t kind;    /* xkind */
    uint8_t ndigits; /* X_NUM: digits before any decimal point (max 255) */
    bool decimal;    /* X_NUM: had a decimal part ("15.99") */
    uint32_t value;  /* X_NUM: value of the integer part, capped */
} xtok;

/* The tokens of one message. */
typedef struct xtext {
    char low[HF_INTENT_MAX_TEXT + 1]; /* lower-cased text */
    xtok t[MAX_TOKS];                 /* tokens */
    int n;                            /* tokens used */
} xtext;

/* A matched offer phrase, tokens [start, end). */
typedef struct xmatch {
    hf_offer_kind kind; /* the offer the phrase names */
    int start, end;     /* token span */
    bool weak;          /* a bare percentage or "shipping": yields to a
                           nearby strong phrase of another kind */
    bool negated;       /* ruled out by a negation */
} xmatch;

/* Offer phrases: words separated by spaces; a trailing '*' matches any
 * word with that prefix. Longer phrases beat shorter ones they overlap. */
static const struct {
    hf_offer_kind kind; /* what the phrase picks */
    const char *phrase; /* lower case */
    bool weak;          /* see xmatch.weak */
} phrases[] = {
    {HF_OFFER_COUPON, "coupon*", false},
    {HF_OFFER_COUPON, "voucher*", false},
    {HF_OFFER_COUPON, "next order*", false},
    {HF_OFFER_COUPON, "next purchase*", false},
    {HF_OFFER_COUPON, "next time", false},
    {HF_OFFER_COUPON, "future order*", false},
    {HF_OFFER_COUPON, "future purchase*", false},
    {HF_OFFER_COUPON, "future discount*", false},
    {HF_OFFER_COUPON, "discount code*", false},
    {HF_OFFER_COUPON, "promo code*", false},
    {HF_OFFER_COUPON, "store credit", false},
    {HF_OFFER_COUPON, "gift card", false},
    {HF_OFFER_DISCOUNT, "discount*", false},
    {HF_OFFER_DISCOUNT, "money off", false},
    {HF_OFFER_DISCOUNT, "cheaper*", false},
    {HF_OFFER_DISCOUNT, "lower price", false},
    {HF_OFFER_DISCOUNT, "reduced price", false},
    {HF_OFFER_DISCOUNT, "price reduction", false},
    {HF_OFFER_DISCOUNT, "price cut", false},
    {HF_OFFER_DISCOUNT, "percent off", true},
    {HF_OFFER_DISCOUNT, "% off", true},
    {HF_OFFER_DISCOUNT, "off the price", false},
    {HF_OFFER_DISCOUNT, "off the order", false},
    {HF_OFFER_DISCOUNT, "off my order", false},
    {HF_OFFER_DISCOUNT, "off this order", false},
    {HF_OFFER_DISCOUNT, "rebate", false},
    {HF_OFFER_DISCOUNT, "reduction", false},
    {HF_OFFER_SHIPPING_UPGRADE, "free shipping", false},
    {HF_OFFER_SHIPPING_UPGRADE, "free postage", false},
    {HF_OFFER_SHIPPING_UPGRADE, "free delivery", false},
    {HF_OFFER_SHIPPING_UPGRADE, "shipping upgrade*", false},
    {HF_OFFER_SHIPPING_UPGRADE, "delivery upgrade*", false},
    {HF_OFFER_SHIPPING_UPGRADE, "upgrade*", false},
    {HF_OFFER_SHIPPING_UPGRADE, "express*", false},
    {HF_OFFER_SHIPPING_UPGRADE, "expedite*", false},
    {HF_OFFER_SHIPPING_UPGRADE, "faster shipping", false},
    {HF_OFFER_SHIPPING_UPGRADE, "fast shipping", false},
    {HF_OFFER_SHIPPING_UPGRADE, "quicker shipping", false},
    {HF_OFFER_SHIPPING_UPGRADE, "faster delivery", false},
    {HF_OFFER_SHIPPING_UPGRADE, "quicker delivery", false},
    {HF_OFFER_SHIPPING_UPGRADE, "fast delivery", false},
    {HF_OFFER_SHIPPING_UPGRADE, "priority shipping", false},
    {HF_OFFER_SHIPPING_UPGRADE, "priority delivery", false},
    {HF_OFFER_SHIPPING_UPGRADE, "next day", false},
    {HF_OFFER_SHIPPING_UPGRADE, "overnight", false},
    {HF_OFFER_SHIPPING_UPGRADE, "shipping", true},
    {HF_OFFER_SWAP, "swap*", false},
    {HF_OFFER_SWAP, "exchang*", false},
    {HF_OFFER_SWAP, "replac*", false},
    {HF_OFFER_SWAP, "different one", false},
    {HF_OFFER_SWAP, "different item*", false},
    {HF_OFFER_SWAP, "different product*", false},
    {HF_OFFER_SWAP, "another item*", false},
    {HF_OFFER_SWAP, "another product*", false},
    {HF_OFFER_SWAP, "switch it", false},
    {HF_OFFER_SWAP, "trade it", false},
    {HF_OFFER_SWAP, "trade for", false},
    {HF_OFFER_SWAP, "something else", false},
};

/* Words and pairs that start a negation. */
static const char *const negations[] = {
    "not",     "no",      "dont",       "never",       "without", "nor",
    "neither", "doesnt",  "didnt",      "wont",        "cant",    "cannot",
    "isnt",    "wouldnt", "instead of", "rather than", "skip",    "pass on",
    "forget",  "no need", "keep your",  "nope",        "nah",     "none",
    "arent",   "refuse",  "decline",
};

/* Phrases that look negative and are not. */
static const char *const not_negations[] = {
    "dont mind", "wouldnt mind", "not bad",       "why not",    "no problem",
    "cant wait", "no worries",   "not a problem", "never mind", "no doubt",
};

/* Spelled-out numbers for "fifteen percent". */
static const struct {
    const char *word; /* lower case */
    uint32_t value;   /* its value */
} number_words[] = {
    {"one", 1},        {"two", 2},       {"three", 3},     {"four", 4},
    {"five", 5},       {"six", 6},       {"seven", 7},     {"eight", 8},
    {"nine", 9},       {"ten", 10},      {"eleven", 11},   {"twelve", 12},
    {"thirteen", 13},  {"fourteen", 14}, {"fifteen", 15},  {"sixteen", 16},
    {"seventeen", 17}, {"eighteen", 18}, {"nineteen", 19}, {"twenty", 20},
    {"thirty", 30},    {"forty", 40},    {"fifty", 50},    {"sixty", 60},
    {"seventy", 70},   {"eighty", 80},   {"ninety", 90},   {"hundred", 100},
};

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

static bool is_alpha(unsigned char c)
{
    return c >= 'a' && c <= 'z';
}

static bool is_digit(unsigned char c)
{
    return c >= '0' && c <= '9';
}

/* Copies text into x->low: ASCII lower-cased, apostrophes inside words
 * dropped ("don't" -> "dont"), pound and euro signs as '$', every other
 * non-ASCII byte (valid or not) a space. Returns the length. */
static size_t fold(const char *text, char *low)
{
    const unsigned char *s = (const unsigned char *)text;
    size_t len = strnlen(text, HF_INTENT_MAX_TEXT), o = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = s[i];
        bool after = o > 0 && is_alpha((unsigned char)low[o - 1]);
        size_t alen = c == '\'' || c == '`' ? 1
                      : (c == 0xE2 && i + 2 < len && s[i + 1] == 0x80 &&
                         (s[i + 2] == 0x98 || s[i + 2] == 0x99))
                          ? 3
                          : 0;
        if (alen > 0 && after && i + alen < len &&
            is_alpha((unsigned char)(s[i + alen] | 0x20))) {
            i += alen - 1;
            continue;
        }
        if (c == 0xC2 && i + 1 < len && s[i + 1] == 0xA3) {
            low[o++] = '$';
            i++;
        } else if (c == 0xE2 && i + 2 < len && s[i + 1] == 0x82 &&
                   s[i + 2] == 0xAC) {
            low[o++] = '$';
            i += 2;
        } else if (c >= 0x80) {
            low[o++] = ' ';
        } else {
            low[o++] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
        }
    }
    low[o] = '\0';
    return o;
}

/* Appends a token unless the table is full. */
static void push(xtext *x, size_t off, size_t len, xkind kind)
{
    if (x->n >= MAX_TOKS)
        return;
    x->t[x->n] = (xtok){
        .off = (uint16_t)off, .len = (uint16_t)len, .kind = (uint8_t)kind};
    x->n++;
}

/* Reads a number at low[i..): digits, maybe ".digits". Returns the end. */
static size_t lex_number(xtext *x, size_t i, size_t len)
{
    size_t j = i;
    uint32_t v = 0;
    while (j < len && is_digit((unsigned char)x->low[j])) {
        v = v > 100000000u ? v : v * 10 + (uint32_t)(x->low[j] - '0');
        j++;
    }
    size_t nd = j - i;
    bool dec = false;
    if (j + 1 < len && x->low[j] == '.' &&
        is_digit((unsigned char)x->low[j + 1])) {
        dec = true;
        for (j++; j < len && is_digit((unsigned char)x->low[j]);)
            j++;
    }
    push(x, i, j - i, X_NUM);
    if (x->n > 0 && x->t[x->n - 1].off == i) {
        x->t[x->n - 1].value = v;
        x->t[x->n - 1].ndigits = (uint8_t)(nd > 255 ? 255 : nd);
        x->t[x->n - 1].decimal = dec;
    }
    return j;
}

/* Cuts x->low into tokens. */
static void lex(const char *text, xtext *x)
{
    size_t len = fold(text, x->low);
    x->n = 0;
    for (size_t i = 0; i < len;) {
        unsigned char c = (unsigned char)x->low[i];
        size_t j = i + 1;
        if (is_alpha(c)) {
            while (j < len && is_alpha((unsigned char)x->low[j]))
                j++;
            bool but = j - i == 3 && memcmp(x->low + i, "but", 3) == 0;
            push(x, i, j - i, but ? X_BREAK : X_WORD);
        } else if (is_digit(c)) {
            j = lex_number(x, i, len);
        } else if (strchr(".,;!?\n()", c) != NULL) {
            push(x, i, 1, X_BREAK);
        } else if (strchr("%$#-:", c) != NULL) {
            push(x, i, 1, X_SYM);
        }
        i = j;
    }
}

/* True when token i is the word (or symbol) w; a trailing '*' in w makes
 * it a prefix. */
static bool tok_is(const xtext *x, int i, const char *w, size_t wl)
{
    if (i < 0 || i >= x->n || x->t[i].kind == X_BREAK)
        return false;
    const xtok *t = &x->t[i];
    if (wl > 0 && w[wl - 1] == '*')
        return t->len >= wl - 1 && memcmp(x->low + t->off, w, wl - 1) == 0;
    return t->len == wl && memcmp(x->low + t->off, w, wl) == 0;
}

/* Tokens matched by the space-separated phrase at token i, or 0. */
static int phrase_at(const xtext *x, int i, const char *phrase)
{
    int k = 0;
    for (const char *p = phrase; *p != '\0'; k++) {
        size_t wl = strcspn(p, " ");
        if (!tok_is(x, i + k, p, wl))
            return 0;
        p += wl;
        p += *p == ' ';
    }
    return k;
}

/* The value of the number word at token i, or 0. */
static uint32_t number_word(const xtext *x, int i)
{
    for (size_t k = 0; k < ARRAY_LEN(number_words); k++)
        if (tok_is(x, i, number_words[k].word, strlen(number_words[k].word)))
            return number_words[k].value;
    return 0;
}

/* Tokens of a percent sign or word at i ("%", "percent", "per cent"). */
static int percent_sign_at(const xtext *x, int i)
{
    if (tok_is(x, i, "%", 1) || tok_is(x, i, "percent", 7) ||
        tok_is(x, i, "pct", 3))
        return 1;
    return phrase_at(x, i, "per cent") ? 2 : 0;
}

/* If a percentage starts at token i, stores it in *v and returns its
 * token count; 0 otherwise. "15%", "15 percent", "fifteen per cent",
 * "twenty-five percent". */
static int percent_at(const xtext *x, int i, int *v)
{
    int k = i;
    uint32_t val;
    if (x->t[i].kind == X_NUM) {
        if (x->t[i].ndigits > 3)
            return 0;
        val = x->t[i].value;
        k++;
    } else {
        val = number_word(x, i);
        if (val == 0)
            return 0;
        k++;
        int j = tok_is(x, k, "-", 1) ? k + 1 : k;
        uint32_t unit = val >= 20 && val % 10 == 0 ? number_word(x, j) : 0;
        if (unit > 0 && unit < 10) {
            val += unit;
            k = j + 1;
        }
    }
    int s = percent_sign_at(x, k);
    if (s == 0 || val > 100)
        return 0;
    *v = (int)val;
    return k + s - i;
}

/* All offer phrases and percentages found in a message. */
typedef struct xmatches {
    xmatch m[MAX_MATCHES];     /* in order of start */
    int percent[MAX_MATCHES];  /* value when m[i] is a percentage, else 0 */
    bool dropped[MAX_MATCHES]; /* inside a longer phrase, or yielded */
    int n;                     /* matches used */
} xmatches;

/* Index of the first clause break at or after token i (x->n if none). */
static int clause_end(const xtext *x, int i)
{
    while (i < x->n && x->t[i].kind != X_BREAK)
        i++;
    return i;
}

/* True when no clause break lies between tokens a and b (a <= b). */
static bool same_clause(const xtext *x, int a, int b)
{
    return clause_end(x, a) >= b;
}

/* Records every phrase and percentage, longest first at each token. */
static void find_matches(const xtext *x, xmatches *ms)
{
    ms->n = 0;
    for (int i = 0; i < x->n && ms->n < MAX_MATCHES; i++) {
        int best = 0, v = 0;
        size_t which = 0;
        for (size_t k = 0; k < ARRAY_LEN(phrases); k++) {
            int len = phrase_at(x, i, phrases[k].phrase);
            if (len > best) {
                best = len;
                which = k;
            }
        }
        int plen = percent_at(x, i, &v);
        if (plen > 0) {
            ms->m[ms->n] =
                (xmatch){HF_OFFER_DISCOUNT, i, i + plen, true, false};
            ms->percent[ms->n] = v;
            ms->dropped[ms->n++] = false;
        } else if (best > 0) {
            ms->m[ms->n] = (xmatch){phrases[which].kind, i, i + best,
                                    phrases[which].weak, false};
            ms->percent[ms->n] = 0;
            ms->dropped[ms->n++] = false;
        }
    }
}

/* Drops phrases inside a longer one ("discount" in "discount code"),
 * percentages that describe a coupon ("the 20% coupon", "a coupon for
 * 20%") and a bare "shipping" next to a more specific offer. */
static void settle(const xtext *x, xmatches *ms)
{
    for (int a = 0; a < ms->n; a++)
        for (int b = 0; b < ms->n; b++) {
            const xmatch *p = &ms->m[a], *q = &ms->m[b];
            if (a == b || ms->dropped[b])
                continue;
            bool overlap = p->start < q->end && q->start < p->end;
            if (overlap && p->end - p->start > q->end - q->start) {
                ms->dropped[b] = true;
                continue;
            }
            if (!q->weak || p->weak || overlap)
                continue;
            bool near = p->start >= q->end ? p->start - q->end <= 4
                                           : q->start - p->end <= 3;
            bool yields = q->kind == HF_OFFER_DISCOUNT
                              ? p->kind == HF_OFFER_COUPON
                              : p->kind != q->kind;
            int lo = p->start < q->start ? p->start : q->start;
            int hi = p->end > q->end ? p->end : q->end;
            if (near && yields && same_clause(x, lo, hi - 1))
                ms->dropped[b] = true;
        }
}

/* Tokens of the negation starting at token i, or 0 (also 0 for phrases
 * that only look negative: "don't mind", "why not"). */
static int negation_at(const xtext *x, int i)
{
    for (size_t k = 0; k < ARRAY_LEN(not_negations); k++)
        if (phrase_at(x, i, not_negations[k]) ||
            phrase_at(x, i - 1, not_negations[k]))
            return 0;
    int best = 0;
    for (size_t k = 0; k < ARRAY_LEN(negations); k++) {
        int len = phrase_at(x, i, negations[k]);
        if (len > best)
            best = len;
    }
    return best;
}

/* True when tokens [a, b) only join offers into a list ("the discount or
 * the coupon"), so a negation before the first reaches them all. */
static bool only_connectors(const xtext *x, int a, int b)
{
    static const char *const joins[] = {"or", "nor", "and",    "the", "a",
                                        "an", "any", "either", "of",  "to"};
    for (int i = a; i < b; i++) {
        bool ok = x->t[i].kind == X_BREAK && x->low[x->t[i].off] == ',';
        for (size_t k = 0; !ok && k < ARRAY_LEN(joins); k++)
            ok = tok_is(x, i, joins[k], strlen(joins[k]));
        if (!ok)
            return false;
    }
    return true;
}

/* Applies the negation at tokens [i, i+len) to the matches it rules
 * out: the first after it in its clause and those listed with it ("no
 * discount or coupon"), unless it is about cancelling ("don't cancel, I'll
 * take the swap"); else the one just before it ("the swap isn't for
 * me"). */
static void negate(const xtext *x, xmatches *ms, int i, int len)
{
    bool short_reach = phrase_at(x, i, "no") && len == 1;
    int end = clause_end(x, i);
    if (short_reach && end > i + len + NEG_REACH_NO)
        end = i + len + NEG_REACH_NO;
    int first = -1;
    for (int k = 0; k < ms->n; k++)
        if (!ms->dropped[k] && ms->m[k].start >= i + len &&
            ms->m[k].start < end) {
            first = k;
            break;
        }
    int stop = first >= 0 ? ms->m[first].start : end;
    for (int t = i + len; t < stop; t++)
        if (tok_is(x, t, "cancel*", 7))
            return;
    if (first >= 0) {
        int last = first;
        ms->m[first].negated = true;
        for (int k = first + 1; k < ms->n && ms->m[k].start < end; k++) {
            if (ms->dropped[k])
                continue;
            if (!only_connectors(x, ms->m[last].end, ms->m[k].start))
                break;
            ms->m[k].negated = true;
            last = k;
        }
        return;
    }
    for (int k = ms->n - 1; k >= 0; k--) {
        const xmatch *m = &ms->m[k];
        if (ms->dropped[k] || m->end > i)
            continue;
        if (i - m->end <= POST_NEG_REACH && same_clause(x, m->end - 1, i))
            ms->m[k].negated = true;
        break;
    }
}

/* Index of the picked match: the first neither dropped nor negated, or
 * -1. */
static int pick(const xmatches *ms)
{
    for (int k = 0; k < ms->n; k++)
        if (!ms->dropped[k] && !ms->m[k].negated)
            return k;
    return -1;
}

/* True when matches a and b are at most 4 tokens apart in one clause. */
static bool beside(const xtext *x, const xmatch *a, const xmatch *b)
{
    int gap = a->start >= b->end ? a->start - b->end : b->start - a->end;
    int lo = a->start < b->start ? a->start : b->start;
    int hi = a->start < b->start ? b->start : a->start;
    return gap <= 4 && same_clause(x, lo, hi);
}

/* The percentage to report: the one in or beside the picked phrase, else
 * the first not negated, else the first; 0 if none. */
static int pick_percent(const xtext *x, const xmatches *ms, int chosen)
{
    int first = 0, free_one = 0;
    for (int k = 0; k < ms->n; k++) {
        int v = ms->percent[k];
        if (v == 0)
            continue;
        if (chosen >= 0 &&
            (k == chosen || beside(x, &ms->m[k], &ms->m[chosen])))
            return v;
        if (first == 0)
            first = v;
        if (free_one == 0 && !ms->m[k].negated)
            free_one = v;
    }
    return free_one ? free_one : first;
}

/* True when the number at token i is money or a percentage, never an
 * order number ("$15", "15%", "15 dollars"). */
static bool is_amount(const xtext *x, int i)
{
    static const char *const after[] = {"dollar*", "usd", "buck*", "pound*",
                                        "euro*",   "gbp", "eur",   "cents"};
    if (tok_is(x, i - 1, "$", 1) || percent_sign_at(x, i + 1) > 0)
        return true;
    for (size_t k = 0; k < ARRAY_LEN(after); k++)
        if (tok_is(x, i + 1, after[k], strlen(after[k])))
            return true;
    return false;
}

/* True when token i is a whole number of lo..12 digits that is not an
 * amount. */
static bool order_digits(const xtext *x, int i, int lo)
{
    if (i < 0 || i >= x->n || x->t[i].kind != X_NUM || x->t[i].decimal)
        return false;
    return x->t[i].ndigits >= lo && x->t[i].ndigits <= 12 && !is_amount(x, i);
}

/* Words that introduce an order number ("order 100042", "order no.
 * 100042", "purchase #100042"). */
static int order_lead_at(const xtext *x, int i)
{
    static const char *const leads[] = {
        "order number", "order no",  "order nr",        "order num",
        "order id",     "order ref", "order reference", "order",
        "purchase",     "ref",       "reference",       "reference number",
    };
    int best = 0;
    for (size_t k = 0; k < ARRAY_LEN(leads); k++) {
        int len = phrase_at(x, i, leads[k]);
        best = len > best ? len : best;
    }
    return best;
}

/* Skips the filler between a lead and its number: "#", ":", "is", ".". */
static int skip_filler(const xtext *x, int i)
{
    for (int k = 0; k < 3 && i < x->n; k++) {
        if (tok_is(x, i, "#", 1) || tok_is(x, i, ":", 1) ||
            tok_is(x, i, "is", 2) || tok_is(x, i, "-", 1) ||
            (x->t[i].kind == X_BREAK && x->low[x->t[i].off] == '.'))
            i++;
        else
            break;
    }
    return i;
}

/* Finds the first order number: "HF-100042", "hf100042", "order 100042",
 * "#100042". Writes "HF-<digits>" into out (size 32) or leaves it "". */
static void find_order(const xtext *x, char out[32])
{
    for (int i = 0; i < x->n; i++) {
        int num = -1;
        if (tok_is(x, i, "hf", 2)) {
            int j = tok_is(x, i + 1, "-", 1) ? i + 2 : i + 1;
            num = order_digits(x, j, 3) ? j : -1;
        } else if (tok_is(x, i, "#", 1)) {
            num = order_digits(x, i + 1, 4) ? i + 1 : -1;
        } else if (order_lead_at(x, i) > 0) {
            int j = skip_filler(x, i + order_lead_at(x, i));
            j = tok_is(x, j, "hf", 2) ? skip_filler(x, j + 1) : j;
            num = order_digits(x, j, 4) ? j : -1;
        }
        if (num >= 0) {
            snprintf(out, 32, "HF-%.*s", (int)x->t[num].len,
                     x->low + x->t[num].off);
            return;
        }
    }
}

/* Reads the offer, percentage and order number of text. Never fails;
 * NULL or empty text leaves out empty (intent OTHER, confidence 0). Only
 * the first 4 KiB are read. The work space (about 40 KiB) is on the
 * stack. */
void hf_intent_extract(const char *text, hf_intent_result *out)
{
    memset(out, 0, sizeof(*out));
    out->intent = HF_INTENT_OTHER;
    out->offer = HF_OFFER_NONE;
    if (text == NULL)
        return;
    xtext x;
    xmatches ms;
    lex(text, &x);
    find_matches(&x, &ms);
    settle(&x, &ms);
    for (int i = 0; i < x.n; i++) {
        int len = negation_at(&x, i);
        if (len > 0)
            negate(&x, &ms, i, len);
    }
    int chosen = pick(&ms);
    if (chosen >= 0)
        out->offer = ms.m[chosen].kind;
    out->percent = pick_percent(&x, &ms, chosen);
    find_order(&x, out->order);
}
