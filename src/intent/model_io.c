/*
 * model_io.c - the intent model's file format.
 *
 * Our own format rather than liblinear's text one: liblinear writes every
 * one of the 2^18 x 10 weights as decimal text (tens of megabytes) and its
 * loader trusts its input. Here only rows with a non-zero weight are kept,
 * as floats, and everything read is checked before it is used.
 *
 * Layout, all integers little-endian u32:
 *   "HFINTENT"                 magic, 8 bytes
 *   version (1), feature version (HF_FEAT_VERSION), dims, nr_class
 *   labels[nr_class]           intent of each weight column
 *   nrows                      rows that follow
 *   nrows x { index (0..dims, dims = bias), float32 w[nr_class] }
 *   checksum                   FNV-1a of every byte before it
 */
#include "intent/features.h"
#include "intent/model_int.h"
#include "util/mem.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#define MAGIC "HFINTENT"
#define FORMAT_VERSION 1u
#define MAX_FILE (64u << 20) /* far above any real model */

/* A growing output buffer; ok turns false when memory runs out. */
typedef struct wbuf {
    unsigned char *p; /* bytes (hf_malloc) */
    size_t len;       /* bytes used */
    size_t cap;       /* bytes allocated */
    bool ok;          /* false after a failed allocation */
} wbuf;

static void put(wbuf *b, const void *src, size_t n)
{
    if (!b->ok)
        return;
    if (b->len + n > b->cap) {
        size_t ncap = (b->len + n) * 2;
        unsigned char *np = hf_realloc(b->p, ncap);
        if (np == NULL) {
            b->ok = false;
            return;
        }
        b->p = np;
        b->cap = ncap;
    }
    memcpy(b->p + b->len, src, n);
    b->len += n;
}

static void put_u32(wbuf *b, uint32_t v)
{
    unsigned char le[4] = {(unsigned char)v, (unsigned char)(v >> 8),
                           (unsigned char)(v >> 16), (unsigned char)(v >> 24)};
    put(b, le, 4);
}

static void put_f32(wbuf *b, float f)
{
    uint32_t v;
    memcpy(&v, &f, 4);
    put_u32(b, v);
}

/* True when row r of m has a non-zero weight. */
static bool row_used(const hf_intent_model *m, uint32_t r)
{
    const float *row = m->w + (size_t)r * (size_t)m->nr_class;
    for (int k = 0; k < m->nr_class; k++)
        if (row[k] != 0.0f)
            return true;
    return false;
}

/* Serialises m into b. */
static void encode(const hf_intent_model *m, wbuf *b)
{
    put(b, MAGIC, 8);
    put_u32(b, FORMAT_VERSION);
    put_u32(b, HF_FEAT_VERSION);
    put_u32(b, m->dims);
    put_u32(b, (uint32_t)m->nr_class);
    for (int k = 0; k < m->nr_class; k++)
        put_u32(b, (uint32_t)m->labels[k]);
    uint32_t nrows = 0;
    for (uint32_t r = 0; r <= m->dims; r++)
        nrows += row_used(m, r);
    put_u32(b, nrows);
    for (uint32_t r = 0; r <= m->dims; r++) {
        if (!row_used(m, r))
            continue;
        put_u32(b, r);
        for (int k = 0; k < m->nr_class; k++)
            put_f32(b, m->w[(size_t)r * (size_t)m->nr_class + (size_t)k]);
    }
    if (b->ok)
        put_u32(b, hf_intent_hash(2166136261u, b->p, b->len));
}

/*
 * Writes m to path (replaced if it exists). Errors: HF_EIO (with the
 * system's reason), HF_ENOMEM.
 */
hf_rc hf_intent_model_save(const hf_intent_model *m, const char *path,
                           hf_err *err)
{
    wbuf b = {NULL, 0, 0, true};
    encode(m, &b);
    if (!b.ok) {
        hf_free(b.p);
        return hf_fail(err, HF_ENOMEM, NULL, NULL, "out of memory");
    }
    hf_rc rc = HF_OK;
    FILE *f = fopen(path, "wb");
    if (f == NULL || fwrite(b.p, 1, b.len, f) != b.len)
        rc = hf_fail(err, HF_EIO, NULL, NULL, "cannot write %s: %s", path,
                     strerror(errno));
    if (f != NULL && fclose(f) != 0 && rc == HF_OK)
        rc = hf_fail(err, HF_EIO, NULL, NULL, "cannot write %s: %s", path,
                     strerror(errno));
    hf_free(b.p);
    return rc;
}

/* A cursor over the bytes of a file being loaded. */
typedef struct rbuf {
    const unsigned char *p; /* file contents */
    size_t len;             /* bytes in p */
    size_t pos;             /* next byte to read */
} rbuf;

/* Reads a u32 into *v; false when the file ends first. */
static bool get_u32(rbuf *r, uint32_t *v)
{
    if (r->len - r->pos < 4)
        return false;
    const unsigned char *q = r->p + r->pos;
    *v = (uint32_t)q[0] | (uint32_t)q[1] << 8 | (uint32_t)q[2] << 16 |
         (uint32_t)q[3] << 24;
    r->pos += 4;
    return true;
}

/* Reads the whole file at path into *out (hf_malloc). */
static hf_rc slurp(const char *path, unsigned char **out, size_t *len,
                   hf_err *err)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return hf_fail(err, HF_EIO, NULL, NULL, "cannot open %s: %s", path,
                       strerror(errno));
    unsigned char *p = NULL;
    size_t n = 0, cap = 0;
    hf_rc rc = HF_OK;
    for (;;) {
        if (n == cap) {
            cap = cap ? cap * 2 : 1u << 16;
            unsigned char *np = cap <= MAX_FILE ? hf_realloc(p, cap) : NULL;
            if (np == NULL) {
                rc = cap > MAX_FILE
                         ? hf_fail(err, HF_EPARSE, NULL, NULL,
                                   "%s: too large for a model", path)
                         : hf_fail(err, HF_ENOMEM, NULL, NULL, "out of memory");
                break;
            }
            p = np;
        }
        size_t got = fread(p + n, 1, cap - n, f);
        n += got;
        if (got == 0)
            break;
    }
    if (rc == HF_OK && ferror(f))
        rc = hf_fail(err, HF_EIO, NULL, NULL, "cannot read %s", path);
    fclose(f);
    if (rc != HF_OK) {
        hf_free(p);
        return rc;
    }
    *out = p;
    *len = n;
    return HF_OK;
}

/* Checks the header and fills a fresh model's labels; returns the rows
 * count through *nrows. */
static hf_rc decode_header(rbuf *r, hf_intent_model **out, uint32_t *nrows,
                           const char *path, hf_err *err)
{
    uint32_t ver, fver, dims, nc;
    if (r->len < 8 || memcmp(r->p, MAGIC, 8) != 0)
        return hf_fail(err, HF_EPARSE, NULL, NULL,
                       "%s: not an intent model (bad magic)", path);
    r->pos = 8;
    if (!get_u32(r, &ver) || !get_u32(r, &fver) || !get_u32(r, &dims) ||
        !get_u32(r, &nc))
        return hf_fail(err, HF_EPARSE, NULL, NULL, "%s: truncated header",
                       path);
    if (ver != FORMAT_VERSION || fver != HF_FEAT_VERSION)
        return hf_fail(err, HF_EPARSE, NULL, NULL,
                       "%s: model version %u/%u, this build reads %u/%u; "
                       "train it again",
                       path, ver, fver, FORMAT_VERSION, HF_FEAT_VERSION);
    if (dims != HF_FEAT_DIM || nc != HF_INTENT_COUNT)
        return hf_fail(err, HF_EPARSE, NULL, NULL,
                       "%s: %u features and %u classes, expected %u and %u",
                       path, dims, nc, HF_FEAT_DIM, HF_INTENT_COUNT);
    hf_intent_model *m = hf_intent_model_new((int)nc);
    if (m == NULL)
        return hf_fail(err, HF_ENOMEM, NULL, NULL, "out of memory");
    bool seen[HF_INTENT_COUNT] = {false};
    for (uint32_t k = 0; k < nc; k++) {
        uint32_t lab;
        if (!get_u32(r, &lab) || lab >= HF_INTENT_COUNT || seen[lab]) {
            hf_intent_model_free(m);
            return hf_fail(err, HF_EPARSE, NULL, NULL, "%s: bad class labels",
                           path);
        }
        seen[lab] = true;
        m->labels[k] = (int)lab;
    }
    if (!get_u32(r, nrows)) {
        hf_intent_model_free(m);
        return hf_fail(err, HF_EPARSE, NULL, NULL, "%s: truncated", path);
    }
    *out = m;
    return HF_OK;
}

/* Reads the weight rows into m; every index and weight is checked. */
static hf_rc decode_rows(rbuf *r, hf_intent_model *m, uint32_t nrows,
                         const char *path, hf_err *err)
{
    size_t row_bytes = 4 + 4 * (size_t)m->nr_class;
    if (nrows > m->dims + 1 || (r->len - r->pos) != nrows * row_bytes + 4)
        return hf_fail(err, HF_EPARSE, NULL, NULL,
                       "%s: size does not match its %u rows (truncated?)", path,
                       nrows);
    uint32_t last = 0;
    for (uint32_t i = 0; i < nrows; i++) {
        uint32_t idx = 0, v = 0;
        get_u32(r, &idx);
        if (idx > m->dims || (i > 0 && idx <= last))
            return hf_fail(err, HF_EPARSE, NULL, NULL, "%s: bad row index %u",
                           path, idx);
        last = idx;
        for (int k = 0; k < m->nr_class; k++) {
            get_u32(r, &v);
            float f;
            memcpy(&f, &v, 4);
            if (!isfinite(f))
                return hf_fail(err, HF_EPARSE, NULL, NULL,
                               "%s: weight is not a number", path);
            m->w[(size_t)idx * (size_t)m->nr_class + (size_t)k] = f;
        }
    }
    return HF_OK;
}

/*
 * Loads a model saved by hf_intent_model_save. Errors: HF_EIO (cannot
 * read), HF_EPARSE (not a model, another version, truncated or corrupt;
 * the message says which), HF_ENOMEM. Free with hf_intent_model_free.
 */
hf_rc hf_intent_model_load(const char *path, hf_intent_model **out, hf_err *err)
{
    unsigned char *p = NULL;
    size_t len = 0;
    hf_rc rc = slurp(path, &p, &len, err);
    if (rc != HF_OK)
        return rc;
    rbuf r = {p, len, 0};
    hf_intent_model *m = NULL;
    uint32_t nrows = 0, sum = 0;
    rc = decode_header(&r, &m, &nrows, path, err);
    if (rc == HF_OK)
        rc = decode_rows(&r, m, nrows, path, err);
    if (rc == HF_OK &&
        (!get_u32(&r, &sum) || sum != hf_intent_hash(2166136261u, p, len - 4)))
        rc = hf_fail(err, HF_EPARSE, NULL, NULL,
                     "%s: checksum mismatch (corrupt file)", path);
    hf_free(p);
    if (rc != HF_OK) {
        hf_intent_model_free(m);
        return rc;
    }
    *out = m;
    return HF_OK;
}
