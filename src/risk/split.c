/*
 * split.c - ordering rows by columns (see split.h). Every key is turned
 * into a number first (the value, the month, or the rank of the text among
 * the column's sorted texts), so the sort compares doubles only; ties fall
 * back on the row index, which makes qsort stable.
 */
#include "risk/split.h"
#include "util/mem.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

typedef struct keyed {
    size_t row;   /* the row's index in the file */
    double *keys; /* its keys, one per column, in the caller's order */
} keyed;

/* The month of name (1..12), or 0 when it names none. */
static int month(const char *s)
{
    static const char *const names[] = {
        "january", "february", "march",     "april",   "may",      "june",
        "july",    "august",   "september", "october", "november", "december",
    };
    size_t n = strlen(s);
    for (int m = 0; m < 12; m++)
        if ((n >= 3 && n <= strlen(names[m]) &&
             strncasecmp(s, names[m], n) == 0 &&
             (n == 3 || n == strlen(names[m]))))
            return m + 1;
    return 0;
}

/* True when s is a whole decimal number, stored in *v. */
static bool number(const char *s, double *v)
{
    char *end = NULL;
    if (*s == '\0')
        return false;
    *v = strtod(s, &end);
    return *end == '\0';
}

/* Compares texts, for ranking a text column. */
static int by_text(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Fills key[r] for every row from column col, as numbers, months or the
 * ranks of texts. */
static bool column_keys(const hf_risk_table *t, size_t col, double *key)
{
    size_t rows = hf_risk_table_rows(t);
    bool numeric = true, months = true;
    for (size_t r = 0; r < rows; r++) {
        const char *s = hf_risk_table_cell(t, r, col);
        numeric = numeric && number(s, &key[r]);
        months = months && month(s) > 0;
    }
    if (numeric)
        return true;
    if (months) {
        for (size_t r = 0; r < rows; r++)
            key[r] = month(hf_risk_table_cell(t, r, col));
        return true;
    }
    const char **texts = hf_malloc((rows ? rows : 1) * sizeof(*texts));
    if (texts == NULL)
        return false;
    for (size_t r = 0; r < rows; r++)
        texts[r] = hf_risk_table_cell(t, r, col);
    qsort(texts, rows, sizeof(*texts), by_text);
    for (size_t r = 0; r < rows; r++) {
        const char *s = hf_risk_table_cell(t, r, col);
        const char **hit = bsearch(&s, texts, rows, sizeof(*texts), by_text);
        key[r] = (double)(hit - texts);
    }
    hf_free(texts);
    return true;
}

/* Orders keyed rows by their keys, then by their index. qsort passes no
 * context, so the number of keys sits just before each row's keys, at
 * keys[-1] (see hf_risk_split_order), rather than in a global. */
static int by_keys(const void *pa, const void *pb)
{
    const keyed *a = pa, *b = pb;
    size_t n = (size_t)a->keys[-1];
    for (size_t k = 0; k < n; k++)
        if (a->keys[k] != b->keys[k])
            return a->keys[k] < b->keys[k] ? -1 : 1;
    return (a->row > b->row) - (a->row < b->row);
}

/* See split.h. */
hf_rc hf_risk_split_order(const hf_risk_table *t, const char *const *cols,
                          size_t ncols, size_t **order, hf_err *err)
{
    *order = NULL;
    size_t rows = hf_risk_table_rows(t);
    for (size_t k = 0; k < ncols; k++)
        if (hf_risk_table_find(t, cols[k]) < 0)
            return hf_fail(err, HF_ENOTFOUND, "no_column", NULL,
                           "%s:1: no column %s", hf_risk_table_name(t),
                           cols[k]);
    /* Row r's keys sit at keys[r * stride + 1 ..], after a copy of ncols
     * that by_keys reads at keys[-1]. */
    size_t stride = ncols + 1;
    double *keys = hf_malloc((rows ? rows : 1) * stride * sizeof(*keys));
    double *col = hf_malloc((rows ? rows : 1) * sizeof(*col));
    keyed *v = hf_malloc((rows ? rows : 1) * sizeof(*v));
    size_t *o = hf_malloc((rows ? rows : 1) * sizeof(*o));
    bool ok = keys != NULL && col != NULL && v != NULL && o != NULL;
    for (size_t k = 0; ok && k < ncols; k++) {
        ok = column_keys(t, (size_t)hf_risk_table_find(t, cols[k]), col);
        for (size_t r = 0; ok && r < rows; r++)
            keys[r * stride + 1 + k] = col[r];
    }
    if (ok) {
        for (size_t r = 0; r < rows; r++) {
            keys[r * stride] = (double)ncols;
            v[r] = (keyed){r, &keys[r * stride + 1]};
        }
        qsort(v, rows, sizeof(*v), by_keys);
        for (size_t r = 0; r < rows; r++)
            o[r] = v[r].row;
    }
    hf_free(keys);
    hf_free(col);
    hf_free(v);
    if (!ok) {
        hf_free(o);
        return hf_fail(err, HF_ENOMEM, "no_memory", NULL, "out of memory");
    }
    *order = o;
    return HF_OK;
}
