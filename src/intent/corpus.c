/*
 * corpus.c - loading the labelled examples (see corpus.h).
 */
#include "intent/corpus.h"
#include "intent/csv.h"
#include "intent/features.h"
#include "util/mem.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LINE_MAX_BYTES HF_INTENT_MAX_TEXT /* longest corpus line */
#define BITEXT_PER_SOURCE 40              /* rows kept of one Bitext intent */
#define BITEXT_PER_CLASS 100              /* rows kept for one of our intents */

/* Which Bitext intents become which of ours; those not listed are not
 * used (refunds, complaints and payment problems fit none cleanly).
 * Also left out, because each mixes two of our intents (see
 * data/intents/README.md) and would teach the boundary wrongly:
 *   delivery_period - "when will my parcel arrive" (order_status) mixed
 *     with "how long does shipping take" (question);
 *   contact_customer_service - about half ask for customer service
 *     (ask_agent), the rest ask at what hours it can be reached (other). */
static const struct {
    const char *bitext; /* Bitext's intent column */
    hf_intent ours;     /* what it means here */
} bitext_map[] = {
    {"cancel_order", HF_INTENT_CANCEL_ORDER},
    {"contact_human_agent", HF_INTENT_ASK_AGENT},
    {"track_order", HF_INTENT_ORDER_STATUS},
    {"change_order", HF_INTENT_CHANGE_ORDER},
    {"change_shipping_address", HF_INTENT_CHANGE_ORDER},
    {"check_cancellation_fee", HF_INTENT_QUESTION},
    {"check_refund_policy", HF_INTENT_QUESTION},
    {"check_payment_methods", HF_INTENT_QUESTION},
    {"delivery_options", HF_INTENT_QUESTION},
    {"create_account", HF_INTENT_OTHER},
    {"edit_account", HF_INTENT_OTHER},
    {"delete_account", HF_INTENT_OTHER},
    {"switch_account", HF_INTENT_OTHER},
    {"recover_password", HF_INTENT_OTHER},
    {"registration_problems", HF_INTENT_OTHER},
    {"newsletter_subscription", HF_INTENT_OTHER},
    {"review", HF_INTENT_OTHER},
    {"check_invoice", HF_INTENT_OTHER},
    {"get_invoice", HF_INTENT_OTHER},
    {"place_order", HF_INTENT_OTHER},
    {"set_up_shipping_address", HF_INTENT_OTHER},
};

#define N_SOURCES (sizeof(bitext_map) / sizeof(bitext_map[0]))

/* A 64-bit key of the normalised text, for duplicates. */
static uint64_t text_key(const char *text)
{
    char norm[HF_INTENT_MAX_TEXT + 1];
    size_t len = hf_intent_normalise(text, norm, sizeof(norm));
    uint32_t a = hf_intent_hash(2166136261u, norm, len);
    uint32_t b = hf_intent_hash(0x9747b28cu, norm, len);
    return (uint64_t)a << 32 | b;
}

/* True when text belongs to the held-out split (about 20%). */
bool hf_intent_heldout(const char *text)
{
    uint64_t k = text_key(text);
    k ^= k >> 33;
    k *= 0xff51afd7ed558ccdULL;
    k ^= k >> 33;
    return k % 10 < 2;
}

/* Appends a copy of text labelled intent. */
static hf_rc append(hf_intent_corpus *c, const char *text, hf_intent intent,
                    hf_err *err)
{
    if (c->n == c->cap) {
        size_t ncap = c->cap ? c->cap * 2 : 1024;
        void *np = hf_realloc(c->ex, ncap * sizeof(*c->ex));
        if (np == NULL)
            return hf_fail(err, HF_ENOMEM, NULL, NULL, "out of memory");
        c->ex = np;
        c->cap = ncap;
    }
    char *copy = hf_strdup(text);
    if (copy == NULL)
        return hf_fail(err, HF_ENOMEM, NULL, NULL, "out of memory");
    c->ex[c->n++] = (hf_intent_example){copy, intent};
    return HF_OK;
}

/* Strips surrounding white space in place; returns the start. */
static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    size_t len = strlen(s);
    while (len > 0 && strchr(" \t\r\n", s[len - 1]) != NULL)
        s[--len] = '\0';
    return s;
}

/* Loads one data_dir/<intent>.txt file. */
static hf_rc load_file(hf_intent_corpus *c, const char *dir, hf_intent in,
                       hf_err *err)
{
    char path[1024], line[LINE_MAX_BYTES + 2];
    snprintf(path, sizeof(path), "%s/%s.txt", dir, hf_intent_name(in));
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return hf_fail(err, errno == ENOENT ? HF_ENOTFOUND : HF_EIO,
                       "missing_corpus", NULL, "cannot read %s: %s", path,
                       strerror(errno));
    hf_rc rc = HF_OK;
    for (long no = 1; rc == HF_OK && fgets(line, sizeof(line), f); no++) {
        size_t len = strlen(line);
        if (len == sizeof(line) - 1 && line[len - 1] != '\n')
            rc = hf_fail(err, HF_EPARSE, "line_too_long", NULL,
                         "%s:%ld: line longer than %d bytes", path, no,
                         LINE_MAX_BYTES);
        char *t = trim(line);
        if (rc == HF_OK && *t != '\0' && *t != '#')
            rc = append(c, t, in, err);
    }
    if (rc == HF_OK && ferror(f))
        rc = hf_fail(err, HF_EIO, NULL, NULL, "cannot read %s", path);
    fclose(f);
    return rc;
}

/* A Bitext row that may be kept. */
typedef struct candidate {
    char *text;     /* instruction (hf_malloc) */
    int source;     /* row of bitext_map */
    uint32_t order; /* hash deciding which rows are kept under the caps */
} candidate;

static int cmp_candidate(const void *a, const void *b)
{
    uint32_t x = ((const candidate *)a)->order;
    uint32_t y = ((const candidate *)b)->order;
    return (x > y) - (x < y);
}

/* The row of bitext_map for a Bitext intent, or -1. */
static int source_of(const char *intent)
{
    for (size_t i = 0; i < N_SOURCES; i++)
        if (strcmp(intent, bitext_map[i].bitext) == 0)
            return (int)i;
    return -1;
}

/* Column index of name in the header record, or -1. */
static int column(const hf_csv *r, const char *name)
{
    for (size_t i = 0; i < r->nf; i++)
        if (strcmp(hf_csv_field(r, i), name) == 0)
            return (int)i;
    return -1;
}

/* The candidates read from a CSV file. */
typedef struct candidates {
    candidate *v; /* rows (hf_malloc) */
    size_t n;     /* rows used */
    size_t cap;   /* rows allocated */
} candidates;

static void candidates_free(candidates *cs)
{
    for (size_t i = 0; i < cs->n; i++)
        hf_free(cs->v[i].text);
    hf_free(cs->v);
}

/* Adds the row's instruction if its intent maps onto ours. */
static hf_rc add_candidate(candidates *cs, const char *text, const char *intent)
{
    int src = source_of(intent);
    if (src < 0 || *text == '\0' || strlen(text) > LINE_MAX_BYTES)
        return HF_OK;
    if (cs->n == cs->cap) {
        size_t ncap = cs->cap ? cs->cap * 2 : 1024;
        void *np = hf_realloc(cs->v, ncap * sizeof(*cs->v));
        if (np == NULL)
            return HF_ENOMEM;
        cs->v = np;
        cs->cap = ncap;
    }
    char *copy = hf_strdup(text);
    if (copy == NULL)
        return HF_ENOMEM;
    uint32_t h = hf_intent_hash(2166136261u, copy, strlen(copy));
    cs->v[cs->n++] = (candidate){copy, src, h * 2654435761u};
    return HF_OK;
}

/* Reads the instruction and intent columns of every row of the CSV. */
static hf_rc read_bitext(FILE *f, const char *path, candidates *cs, hf_err *err)
{
    hf_csv r = {.f = f};
    hf_rc rc = HF_OK;
    int got = hf_csv_next(&r), ci = -1, cn = -1;
    if (got == 1) {
        ci = column(&r, "instruction");
        cn = column(&r, "intent");
    }
    if (ci < 0 || cn < 0)
        rc = hf_fail(err, HF_EPARSE, "bad_bitext", NULL,
                     "%s: no header with instruction and intent columns", path);
    while (rc == HF_OK && (got = hf_csv_next(&r)) == 1) {
        if (r.truncated)
            continue; /* a row we could not read whole is not evidence */
        rc = add_candidate(cs, hf_csv_field(&r, (size_t)ci),
                           hf_csv_field(&r, (size_t)cn));
        if (rc != HF_OK)
            hf_fail(err, rc, NULL, NULL, "out of memory");
    }
    if (rc == HF_OK && got < 0)
        rc = hf_fail(err, HF_EPARSE, "bad_bitext", NULL,
                     "%s:%ld: malformed CSV (unterminated quote?)", path,
                     r.line);
    hf_csv_free(&r);
    return rc;
}

/* Loads the Bitext rows that map onto our intents, at most
 * BITEXT_PER_SOURCE of each of its intents and BITEXT_PER_CLASS of each
 * of ours, chosen by a hash so that every run keeps the same rows. */
static hf_rc load_bitext(hf_intent_corpus *c, const char *path, hf_err *err)
{
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return hf_fail(err, errno == ENOENT ? HF_ENOTFOUND : HF_EIO,
                       "missing_bitext", NULL, "cannot read %s: %s", path,
                       strerror(errno));
    candidates cs = {NULL, 0, 0};
    hf_rc rc = read_bitext(f, path, &cs, err);
    fclose(f);
    if (rc == HF_OK && cs.n > 0)
        qsort(cs.v, cs.n, sizeof(*cs.v), cmp_candidate);
    size_t per_source[N_SOURCES] = {0}, per_class[HF_INTENT_COUNT] = {0};
    for (size_t i = 0; rc == HF_OK && i < cs.n; i++) {
        int s = cs.v[i].source;
        hf_intent in = bitext_map[s].ours;
        if (per_source[s] >= BITEXT_PER_SOURCE ||
            per_class[in] >= BITEXT_PER_CLASS)
            continue;
        per_source[s]++;
        per_class[in]++;
        rc = append(c, cs.v[i].text, in, err);
        c->from_bitext += rc == HF_OK;
    }
    candidates_free(&cs);
    return rc;
}

/* A key with the position of its example, for finding duplicates. */
typedef struct keyed {
    uint64_t key; /* text_key of the example */
    size_t idx;   /* its index in the corpus */
} keyed;

static int cmp_keyed(const void *a, const void *b)
{
    const keyed *x = a, *y = b;
    if (x->key != y->key)
        return (x->key > y->key) - (x->key < y->key);
    return (x->idx > y->idx) - (x->idx < y->idx);
}

/* Drops every example whose normalised text came before, keeping the
 * order of the rest. Counts label conflicts. */
static hf_rc dedupe(hf_intent_corpus *c, hf_err *err)
{
    if (c->n == 0)
        return HF_OK;
    keyed *k = hf_malloc(c->n * sizeof(*k));
    bool *drop = hf_calloc(c->n, sizeof(*drop));
    if (k == NULL || drop == NULL) {
        hf_free(k);
        hf_free(drop);
        return hf_fail(err, HF_ENOMEM, NULL, NULL, "out of memory");
    }
    for (size_t i = 0; i < c->n; i++)
        k[i] = (keyed){text_key(c->ex[i].text), i};
    qsort(k, c->n, sizeof(*k), cmp_keyed);
    for (size_t i = 1, g = 0; i < c->n; i++) {
        if (k[i].key != k[g].key) {
            g = i; /* the first of a group has the lowest index: kept */
            continue;
        }
        drop[k[i].idx] = true;
        c->duplicates++;
        c->conflicts += c->ex[k[i].idx].intent != c->ex[k[g].idx].intent;
    }
    size_t o = 0, bitext_start = c->n - c->from_bitext;
    for (size_t i = 0; i < c->n; i++) {
        if (drop[i]) {
            c->from_bitext -= i >= bitext_start;
            hf_free((char *)c->ex[i].text);
            continue;
        }
        c->ex[o++] = c->ex[i];
    }
    c->n = o;
    hf_free(k);
    hf_free(drop);
    return HF_OK;
}

/* Frees the examples and their texts; c is left empty. */
void hf_intent_corpus_free(hf_intent_corpus *c)
{
    for (size_t i = 0; i < c->n; i++)
        hf_free((char *)c->ex[i].text);
    hf_free(c->ex);
    memset(c, 0, sizeof(*c));
}

/* Loads our files, then Bitext when asked, then drops duplicates. */
hf_rc hf_intent_corpus_load(const char *data_dir, const char *bitext_csv,
                            hf_intent_corpus *out, hf_err *err)
{
    memset(out, 0, sizeof(*out));
    hf_rc rc = HF_OK;
    for (int i = 0; rc == HF_OK && i < HF_INTENT_COUNT; i++)
        rc = load_file(out, data_dir, (hf_intent)i, err);
    if (rc == HF_OK && bitext_csv != NULL)
        rc = load_bitext(out, bitext_csv, err);
    if (rc == HF_OK)
        rc = dedupe(out, err);
    if (rc != HF_OK)
        hf_intent_corpus_free(out);
    return rc;
}

/* Training and held-out arrays (hf_malloc), texts owned by c. */
hf_rc hf_intent_corpus_split(const hf_intent_corpus *c,
                             hf_intent_example **train, size_t *ntrain,
                             hf_intent_example **test, size_t *ntest,
                             hf_err *err)
{
    *train = hf_malloc((c->n + 1) * sizeof(**train));
    *test = hf_malloc((c->n + 1) * sizeof(**test));
    if (*train == NULL || *test == NULL) {
        hf_free(*train);
        hf_free(*test);
        *train = *test = NULL;
        return hf_fail(err, HF_ENOMEM, NULL, NULL, "out of memory");
    }
    *ntrain = *ntest = 0;
    for (size_t i = 0; i < c->n; i++) {
        if (hf_intent_heldout(c->ex[i].text))
            (*test)[(*ntest)++] = c->ex[i];
        else
            (*train)[(*ntrain)++] = c->ex[i];
    }
    return HF_OK;
}

/* Loads the corpus and trains on all of it. */
hf_rc hf_intent_train_default(const char *data_dir, const char *bitext_csv,
                              hf_intent_model **out, hf_err *err)
{
    hf_intent_corpus c;
    hf_rc rc = hf_intent_corpus_load(data_dir, bitext_csv, &c, err);
    if (rc != HF_OK)
        return rc;
    rc = hf_intent_train(c.ex, c.n, out, err);
    hf_intent_corpus_free(&c);
    return rc;
}
