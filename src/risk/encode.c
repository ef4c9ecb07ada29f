/*
 * encode.c - the feature encoding (see encode.h) and its file format.
 *
 * Saved as text, every string length-prefixed so that any byte (commas,
 * quotes, line breaks) survives:
 *
 *     holdfast-risk-encoding 1
 *     label LEN TEXT
 *     features N
 *     numeric LEN NAME                      (one line per feature, either
 *     categorical LEN NAME K                 form; a categorical line is
 *     LEN TEXT                               followed by its K texts, the
 *     ...                                    code is the position)
 *     end
 */
#include "risk/encode.h"
#include "util/mem.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Categories one column may have; texts past the cap encode as missing. */
#define MAX_CATEGORIES 1000000

typedef struct feature {
    char *name;       /* the column's name in the header */
    bool categorical; /* false: the cells are numbers */
    size_t ncat;      /* categories (texts) learned */
    size_t capcat;    /* room in cats */
    char **cats;      /* cats[code] is the text with that code */
    uint32_t *slots;  /* open-addressing hash: code + 1, or 0 for empty */
    size_t nslots;    /* a power of two, at least twice ncat */
} feature;

struct hf_risk_encoding {
    char *label;    /* the label column */
    size_t n;       /* features */
    feature *feats; /* in the order of the training file's columns */
};

/* True for the texts that mean "no value". */
static bool is_missing(const char *s)
{
    static const char *const words[] = {"",    "NA",  "N/A",  "NULL",
                                        "NaN", "nan", "null", "?"};
    for (size_t i = 0; i < HF_ARRAY_LEN(words); i++)
        if (strcmp(s, words[i]) == 0)
            return true;
    return false;
}

/* Reads s as a decimal number (sign, digits, point, exponent; no hex, no
 * "inf"); false when it is anything else. */
static bool parse_number(const char *s, double *v)
{
    const char *p = s;
    if (*p == '+' || *p == '-')
        p++;
    bool digits = false;
    while (*p >= '0' && *p <= '9')
        p++, digits = true;
    if (*p == '.')
        for (p++; *p >= '0' && *p <= '9'; p++)
            digits = true;
    if (!digits)
        return false;
    if (*p == 'e' || *p == 'E') {
        p++;
        if (*p == '+' || *p == '-')
            p++;
        if (!(*p >= '0' && *p <= '9'))
            return false;
        while (*p >= '0' && *p <= '9')
            p++;
    }
    if (*p != '\0')
        return false;
    *v = strtod(s, NULL);
    return isfinite(*v);
}

/* FNV-1a, enough to spread category texts. */
static uint32_t hash(const char *s)
{
    uint32_t h = 2166136261u;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 16777619u;
    return h;
}

/* The code of text s in f, or -1 when f has not seen it. */
static long lookup(const feature *f, const char *s)
{
    if (f->nslots == 0)
        return -1;
    for (size_t i = hash(s) & (f->nslots - 1);; i = (i + 1) & (f->nslots - 1)) {
        uint32_t v = f->slots[i];
        if (v == 0)
            return -1;
        if (strcmp(f->cats[v - 1], s) == 0)
            return (long)v - 1;
    }
}

/* Rebuilds f's hash with room for twice its categories. */
static bool rehash(feature *f, size_t nslots)
{
    uint32_t *slots = hf_calloc(nslots, sizeof(*slots));
    if (slots == NULL)
        return false;
    for (size_t c = 0; c < f->ncat; c++) {
        size_t i = hash(f->cats[c]) & (nslots - 1);
        while (slots[i] != 0)
            i = (i + 1) & (nslots - 1);
        slots[i] = (uint32_t)c + 1;
    }
    hf_free(f->slots);
    f->slots = slots;
    f->nslots = nslots;
    return true;
}

/* Gives text s (n bytes) the next code in f unless it has one; false when
 * memory runs out. Past MAX_CATEGORIES texts are left without a code. */
static bool add_category(feature *f, const char *s, size_t n)
{
    if (f->ncat >= MAX_CATEGORIES)
        return true;
    if (f->ncat == f->capcat) {
        size_t ncap = f->capcat ? f->capcat * 2 : 16;
        char **nc = hf_realloc(f->cats, ncap * sizeof(*nc));
        if (nc == NULL)
            return false;
        f->cats = nc;
        f->capcat = ncap;
    }
    char *copy = hf_malloc(n + 1);
    if (copy == NULL)
        return false;
    memcpy(copy, s, n);
    copy[n] = '\0';
    f->cats[f->ncat++] = copy;
    if (f->ncat * 2 > f->nslots)
        return rehash(f, f->nslots ? f->nslots * 2 : 32);
    size_t i = hash(copy) & (f->nslots - 1);
    while (f->slots[i] != 0)
        i = (i + 1) & (f->nslots - 1);
    f->slots[i] = (uint32_t)f->ncat;
    return true;
}

/* See encode.h. */
void hf_risk_encoding_free(hf_risk_encoding *e)
{
    if (e == NULL)
        return;
    for (size_t i = 0; i < e->n; i++) {
        feature *f = &e->feats[i];
        for (size_t c = 0; c < f->ncat; c++)
            hf_free(f->cats[c]);
        hf_free(f->cats);
        hf_free(f->slots);
        hf_free(f->name);
    }
    hf_free(e->feats);
    hf_free(e->label);
    hf_free(e);
}

/* True when column `name` is in drop[0..ndrop). */
static bool dropped(const char *name, const char *const *drop, size_t ndrop)
{
    for (size_t i = 0; i < ndrop; i++)
        if (strcmp(name, drop[i]) == 0)
            return true;
    return false;
}

/* Learns feature f from column col of t. */
static bool fit_column(feature *f, const hf_risk_table *t, size_t col)
{
    size_t rows = hf_risk_table_rows(t);
    f->categorical = false;
    for (size_t r = 0; r < rows && !f->categorical; r++) {
        const char *s = hf_risk_table_cell(t, r, col);
        double v;
        if (!is_missing(s) && !parse_number(s, &v))
            f->categorical = true;
    }
    for (size_t r = 0; f->categorical && r < rows; r++) {
        const char *s = hf_risk_table_cell(t, r, col);
        if (!is_missing(s) && lookup(f, s) < 0 &&
            !add_category(f, s, strlen(s)))
            return false;
    }
    return true;
}

/* See encode.h. */
hf_rc hf_risk_encoding_fit(const hf_risk_table *t, const char *label,
                           const char *const *drop, size_t ndrop,
                           hf_risk_encoding **out, hf_err *err)
{
    *out = NULL;
    const char *file = hf_risk_table_name(t);
    if (hf_risk_table_find(t, label) < 0)
        return hf_fail(err, HF_ENOTFOUND, "no_column", NULL,
                       "%s:1: no column %s (the label)", file, label);
    for (size_t i = 0; i < ndrop; i++)
        if (hf_risk_table_find(t, drop[i]) < 0)
            return hf_fail(err, HF_ENOTFOUND, "no_column", NULL,
                           "%s:1: no column %s (to drop)", file, drop[i]);
    hf_risk_encoding *e = hf_calloc(1, sizeof(*e));
    size_t cols = hf_risk_table_cols(t);
    if (e == NULL || (e->label = hf_strdup(label)) == NULL ||
        (e->feats = hf_calloc(cols, sizeof(*e->feats))) == NULL)
        goto nomem;
    for (size_t c = 0; c < cols; c++) {
        const char *name = hf_risk_table_header(t, c);
        if (strcmp(name, label) == 0 || dropped(name, drop, ndrop))
            continue;
        feature *f = &e->feats[e->n++];
        if ((f->name = hf_strdup(name)) == NULL || !fit_column(f, t, c))
            goto nomem;
    }
    if (e->n == 0) {
        hf_risk_encoding_free(e);
        return hf_fail(err, HF_EINVAL, "no_features", NULL,
                       "%s: no columns left to learn from", file);
    }
    *out = e;
    return HF_OK;
nomem:
    hf_risk_encoding_free(e);
    return hf_fail(err, HF_ENOMEM, "no_memory", NULL, "out of memory");
}

/* See encode.h. */
const char *hf_risk_encoding_label(const hf_risk_encoding *e)
{
    return e->label;
}

/* See encode.h. */
size_t hf_risk_encoding_features(const hf_risk_encoding *e)
{
    return e->n;
}

/* See encode.h. */
const char *hf_risk_encoding_name(const hf_risk_encoding *e, size_t f)
{
    return e->feats[f].name;
}

/* See encode.h. */
bool hf_risk_encoding_categorical(const hf_risk_encoding *e, size_t f)
{
    return e->feats[f].categorical;
}

/* See encode.h. */
size_t hf_risk_encoding_categories(const hf_risk_encoding *e, size_t f)
{
    return e->feats[f].ncat;
}

/* See encode.h. */
float hf_risk_encoding_value(const hf_risk_encoding *e, size_t f, const char *s)
{
    const feature *ft = &e->feats[f];
    if (is_missing(s))
        return NAN;
    if (ft->categorical) {
        long code = lookup(ft, s);
        return code < 0 ? NAN : (float)code;
    }
    double v;
    return parse_number(s, &v) ? (float)v : NAN;
}

/* See encode.h. */
hf_rc hf_risk_encoding_matrix(const hf_risk_encoding *e, const hf_risk_table *t,
                              float **x, hf_err *err)
{
    *x = NULL;
    size_t rows = hf_risk_table_rows(t), n = e->n;
    size_t *col = hf_malloc((n ? n : 1) * sizeof(*col));
    float *m = hf_malloc((rows ? rows : 1) * n * sizeof(*m));
    if (col == NULL || m == NULL) {
        hf_free(col);
        hf_free(m);
        return hf_fail(err, HF_ENOMEM, "no_memory", NULL, "out of memory");
    }
    for (size_t f = 0; f < n; f++) {
        long c = hf_risk_table_find(t, e->feats[f].name);
        if (c < 0) {
            hf_free(col);
            hf_free(m);
            return hf_fail(err, HF_ENOTFOUND, "no_column", NULL,
                           "%s:1: no column %s (the model needs it)",
                           hf_risk_table_name(t), e->feats[f].name);
        }
        col[f] = (size_t)c;
    }
    for (size_t r = 0; r < rows; r++)
        for (size_t f = 0; f < n; f++)
            m[r * n + f] =
                hf_risk_encoding_value(e, f, hf_risk_table_cell(t, r, col[f]));
    hf_free(col);
    *x = m;
    return HF_OK;
}

/* See encode.h. */
hf_rc hf_risk_labels(const hf_risk_table *t, const char *label, float **y,
                     hf_err *err)
{
    *y = NULL;
    long c = hf_risk_table_find(t, label);
    if (c < 0)
        return hf_fail(err, HF_ENOTFOUND, "no_column", NULL,
                       "%s:1: no column %s (the label)", hf_risk_table_name(t),
                       label);
    size_t rows = hf_risk_table_rows(t);
    float *v = hf_malloc((rows ? rows : 1) * sizeof(*v));
    if (v == NULL)
        return hf_fail(err, HF_ENOMEM, "no_memory", NULL, "out of memory");
    for (size_t r = 0; r < rows; r++) {
        const char *s = hf_risk_table_cell(t, r, (size_t)c);
        if (strcmp(s, "0") != 0 && strcmp(s, "1") != 0) {
            hf_free(v);
            return hf_fail(err, HF_EINVAL, "bad_label", NULL,
                           "%s:%ld: %s is \"%.40s\", not 0 or 1",
                           hf_risk_table_name(t), hf_risk_table_line(t, r),
                           label, s);
        }
        v[r] = s[0] == '1' ? 1.0f : 0.0f;
    }
    *y = v;
    return HF_OK;
}

/* Writes "LEN TEXT". */
static void put_string(FILE *f, const char *s)
{
    fprintf(f, "%zu ", strlen(s));
    fputs(s, f);
}

/* See encode.h. */
hf_rc hf_risk_encoding_write(const hf_risk_encoding *e, FILE *f, hf_err *err)
{
    fputs("holdfast-risk-encoding 1\nlabel ", f);
    put_string(f, e->label);
    fprintf(f, "\nfeatures %zu\n", e->n);
    for (size_t i = 0; i < e->n; i++) {
        const feature *ft = &e->feats[i];
        fputs(ft->categorical ? "categorical " : "numeric ", f);
        put_string(f, ft->name);
        if (ft->categorical)
            fprintf(f, " %zu", ft->ncat);
        fputc('\n', f);
        for (size_t c = 0; c < ft->ncat; c++) {
            put_string(f, ft->cats[c]);
            fputc('\n', f);
        }
    }
    fputs("end\n", f);
    if (ferror(f))
        return hf_fail(err, HF_EIO, "io", NULL, "writing the encoding failed");
    return HF_OK;
}

/* Reads "LEN TEXT" into a new string; NULL when damaged or too long. */
static char *get_string(FILE *f)
{
    size_t n;
    if (fscanf(f, "%zu", &n) != 1 || n > HF_RISK_FIELD_MAX || fgetc(f) != ' ')
        return NULL;
    char *s = hf_malloc(n + 1);
    if (s == NULL)
        return NULL;
    if (fread(s, 1, n, f) != n) {
        hf_free(s);
        return NULL;
    }
    s[n] = '\0';
    return s;
}

/* Reads one feature line and its categories into ft. */
static bool read_feature(FILE *f, feature *ft)
{
    char kind[16];
    if (fscanf(f, " %15s ", kind) != 1)
        return false;
    ft->categorical = strcmp(kind, "categorical") == 0;
    if (!ft->categorical && strcmp(kind, "numeric") != 0)
        return false;
    if ((ft->name = get_string(f)) == NULL)
        return false;
    size_t k = 0;
    if (ft->categorical && (fscanf(f, " %zu", &k) != 1 || k > MAX_CATEGORIES))
        return false;
    if (fgetc(f) != '\n')
        return false;
    for (size_t c = 0; c < k; c++) {
        char *s = get_string(f);
        bool ok = s != NULL && fgetc(f) == '\n' &&
                  add_category(ft, s, strlen(s)) && ft->ncat == c + 1;
        hf_free(s);
        if (!ok)
            return false;
    }
    return true;
}

/* See encode.h. */
hf_rc hf_risk_encoding_read(FILE *f, const char *name, hf_risk_encoding **out,
                            hf_err *err)
{
    *out = NULL;
    char word[32];
    int version = 0;
    size_t n = 0;
    hf_risk_encoding *e = hf_calloc(1, sizeof(*e));
    if (e == NULL)
        return hf_fail(err, HF_ENOMEM, "no_memory", NULL, "out of memory");
    if (fscanf(f, "%31s %d", word, &version) != 2 ||
        strcmp(word, "holdfast-risk-encoding") != 0 || version != 1 ||
        fscanf(f, " label ") != 0 || (e->label = get_string(f)) == NULL ||
        fscanf(f, " features %zu", &n) != 1 || n > HF_RISK_MAX_COLS ||
        fgetc(f) != '\n')
        goto bad;
    if ((e->feats = hf_calloc(n ? n : 1, sizeof(*e->feats))) == NULL)
        goto bad;
    for (; e->n < n;)
        if (!read_feature(f, &e->feats[e->n++]))
            goto bad;
    if (fscanf(f, "%31s", word) != 1 || strcmp(word, "end") != 0 ||
        fgetc(f) != '\n')
        goto bad;
    *out = e;
    return HF_OK;
bad:
    hf_risk_encoding_free(e);
    return hf_fail(err, HF_EPARSE, "bad_model", NULL,
                   "%s: not a holdfast risk model, or damaged", name);
}
