/*
 * table.c - CSV files in memory (see table.h). Written by hand rather than
 * with a library: the file is read once and rewritten in place into
 * NUL-terminated cells (an unquoted cell is never longer than its text), so
 * 119,390 bookings of 32 columns cost one buffer and one offset per cell,
 * and the caps and line numbers in messages are ours to set.
 */
#include "risk/table.h"
#include "util/mem.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>

struct hf_risk_table {
    char *name;      /* the file name, for messages */
    char *text;      /* the file, rewritten into NUL-terminated cells */
    size_t ncols;    /* fields in every record */
    size_t nrecs;    /* records, the header included */
    size_t cap;      /* records that cells and lines have room for */
    uint32_t *cells; /* nrecs * ncols offsets into text; record 0: header */
    uint32_t *lines; /* line on which each record starts */
};

/* Appends the record whose fields start at off[0..nf) to t. */
static hf_rc add_record(hf_risk_table *t, const uint32_t *off, size_t nf,
                        long line, hf_err *err)
{
    if (t->nrecs == 0) {
        t->ncols = nf;
    } else if (nf != t->ncols) {
        return hf_fail(err, HF_EPARSE, "bad_csv", NULL,
                       "%s:%ld: %zu fields, the header has %zu", t->name, line,
                       nf, t->ncols);
    }
    if (t->nrecs == t->cap) {
        size_t ncap = t->cap ? t->cap * 2 : 1024;
        uint32_t *c = hf_realloc(t->cells, ncap * t->ncols * sizeof(*c));
        if (c == NULL)
            return hf_fail(err, HF_ENOMEM, "no_memory", NULL, "out of memory");
        t->cells = c;
        uint32_t *l = hf_realloc(t->lines, ncap * sizeof(*l));
        if (l == NULL)
            return hf_fail(err, HF_ENOMEM, "no_memory", NULL, "out of memory");
        t->lines = l;
        t->cap = ncap;
    }
    memcpy(t->cells + t->nrecs * t->ncols, off, nf * sizeof(*off));
    t->lines[t->nrecs++] = (uint32_t)line;
    return HF_OK;
}

/* Parses t->text[0..len) (with one spare byte after it) into records. */
static hf_rc parse(hf_risk_table *t, size_t len, hf_err *err)
{
    char *s = t->text;
    size_t i = 0, w = 0;
    long line = 1;
    uint32_t *off = hf_malloc(HF_RISK_MAX_COLS * sizeof(*off));
    if (off == NULL)
        return hf_fail(err, HF_ENOMEM, "no_memory", NULL, "out of memory");
    hf_rc rc = HF_OK;
    if (len >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0)
        i = 3; /* a UTF-8 byte-order mark, as spreadsheets write */
    while (i < len && rc == HF_OK) {
        if (s[i] == '\n' || (s[i] == '\r' && i + 1 < len && s[i + 1] == '\n')) {
            i += s[i] == '\r' ? 2 : 1; /* blank lines separate nothing */
            line++;
            continue;
        }
        long rec_line = line;
        size_t nf = 0;
        for (;;) {
            if (nf == HF_RISK_MAX_COLS) {
                rc = hf_fail(err, HF_ETOOBIG, "too_big", NULL,
                             "%s:%ld: more than %d columns", t->name, line,
                             HF_RISK_MAX_COLS);
                goto done;
            }
            size_t start = w;
            if (i < len && s[i] == '"') {
                i++;
                for (;;) {
                    if (i >= len) {
                        rc = hf_fail(err, HF_EPARSE, "bad_csv", NULL,
                                     "%s:%ld: a quoted field is not closed",
                                     t->name, line);
                        goto done;
                    }
                    if (s[i] == '"') {
                        if (i + 1 < len && s[i + 1] == '"')
                            i++; /* a doubled quote stands for one */
                        else
                            break;
                    }
                    if (s[i] == '\n')
                        line++;
                    if (w - start >= HF_RISK_FIELD_MAX)
                        goto toobig;
                    s[w++] = s[i++];
                }
                i++; /* the closing quote */
                if (i < len && s[i] != ',' && s[i] != '\n' &&
                    !(s[i] == '\r' && i + 1 < len && s[i + 1] == '\n')) {
                    rc = hf_fail(err, HF_EPARSE, "bad_csv", NULL,
                                 "%s:%ld: text after a closing quote", t->name,
                                 line);
                    goto done;
                }
            } else {
                while (i < len && s[i] != ',' && s[i] != '\n' &&
                       !(s[i] == '\r' && i + 1 < len && s[i + 1] == '\n')) {
                    if (w - start >= HF_RISK_FIELD_MAX)
                        goto toobig;
                    s[w++] = s[i++];
                }
            }
            /* Look at the delimiter before the NUL may overwrite it. */
            char d = i < len ? s[i] : '\n';
            s[w++] = '\0';
            off[nf++] = (uint32_t)start;
            if (d == ',') {
                i++;
                continue;
            }
            if (i < len) {
                i += d == '\r' ? 2 : 1;
                line++;
            }
            break;
        }
        rc = add_record(t, off, nf, rec_line, err);
    }
    if (rc == HF_OK && t->nrecs == 0)
        rc = hf_fail(err, HF_EPARSE, "bad_csv", NULL,
                     "%s:1: the file is empty (no header)", t->name);
    for (size_t c = 0; rc == HF_OK && c < t->ncols; c++)
        for (size_t k = 0; k < c; k++)
            if (strcmp(s + t->cells[c], s + t->cells[k]) == 0) {
                rc = hf_fail(err, HF_EPARSE, "bad_csv", NULL,
                             "%s:1: column %s appears twice", t->name,
                             s + t->cells[c]);
                break;
            }
    goto done;
toobig:
    rc = hf_fail(err, HF_ETOOBIG, "too_big", NULL,
                 "%s:%ld: a field is longer than %d bytes", t->name, line,
                 HF_RISK_FIELD_MAX);
done:
    hf_free(off);
    return rc;
}

/* Takes ownership of text (len bytes plus one spare) and parses it. */
static hf_rc build(const char *name, char *text, size_t len,
                   hf_risk_table **out, hf_err *err)
{
    *out = NULL;
    hf_risk_table *t = hf_calloc(1, sizeof(*t));
    if (t == NULL || (t->name = hf_strdup(name)) == NULL) {
        hf_free(text);
        hf_free(t);
        return hf_fail(err, HF_ENOMEM, "no_memory", NULL, "out of memory");
    }
    t->text = text;
    hf_rc rc = parse(t, len, err);
    if (rc != HF_OK) {
        hf_risk_table_free(t);
        return rc;
    }
    *out = t;
    return HF_OK;
}

/* See table.h. */
hf_rc hf_risk_table_parse(const char *name, const char *text, size_t len,
                          hf_risk_table **out, hf_err *err)
{
    *out = NULL;
    if (len > (size_t)HF_RISK_FILE_MAX)
        return hf_fail(err, HF_ETOOBIG, "too_big", NULL,
                       "%s: larger than %ld bytes", name, HF_RISK_FILE_MAX);
    char *copy = hf_malloc(len + 1);
    if (copy == NULL)
        return hf_fail(err, HF_ENOMEM, "no_memory", NULL, "out of memory");
    memcpy(copy, text, len);
    copy[len] = '\0';
    return build(name, copy, len, out, err);
}

/* See table.h. */
hf_rc hf_risk_table_load(const char *path, hf_risk_table **out, hf_err *err)
{
    *out = NULL;
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return hf_fail(err, HF_EIO, "io", NULL, "%s: %s", path,
                       strerror(errno));
    char *buf = NULL;
    size_t len = 0, cap = 0;
    hf_rc rc = HF_OK;
    for (;;) {
        if (cap - len < 65536) {
            cap = cap ? cap * 2 : 1 << 20;
            char *nb = hf_realloc(buf, cap + 1);
            if (nb == NULL) {
                rc =
                    hf_fail(err, HF_ENOMEM, "no_memory", NULL, "out of memory");
                break;
            }
            buf = nb;
        }
        size_t got = fread(buf + len, 1, cap - len, f);
        len += got;
        if (len > (size_t)HF_RISK_FILE_MAX) {
            rc = hf_fail(err, HF_ETOOBIG, "too_big", NULL,
                         "%s: larger than %ld bytes", path, HF_RISK_FILE_MAX);
            break;
        }
        if (got == 0) {
            if (ferror(f))
                rc = hf_fail(err, HF_EIO, "io", NULL, "%s: read error", path);
            break;
        }
    }
    fclose(f);
    if (rc != HF_OK) {
        hf_free(buf);
        return rc;
    }
    buf[len] = '\0';
    return build(path, buf, len, out, err);
}

/* See table.h. */
void hf_risk_table_free(hf_risk_table *t)
{
    if (t == NULL)
        return;
    hf_free(t->name);
    hf_free(t->text);
    hf_free(t->cells);
    hf_free(t->lines);
    hf_free(t);
}

/* See table.h. */
size_t hf_risk_table_rows(const hf_risk_table *t)
{
    return t->nrecs - 1;
}

/* See table.h. */
size_t hf_risk_table_cols(const hf_risk_table *t)
{
    return t->ncols;
}

/* See table.h. */
const char *hf_risk_table_header(const hf_risk_table *t, size_t col)
{
    return t->text + t->cells[col];
}

/* See table.h. */
long hf_risk_table_find(const hf_risk_table *t, const char *name)
{
    for (size_t c = 0; c < t->ncols; c++)
        if (strcmp(t->text + t->cells[c], name) == 0)
            return (long)c;
    return -1;
}

/* See table.h. */
const char *hf_risk_table_cell(const hf_risk_table *t, size_t row, size_t col)
{
    return t->text + t->cells[(row + 1) * t->ncols + col];
}

/* See table.h. */
long hf_risk_table_line(const hf_risk_table *t, size_t row)
{
    return (long)t->lines[row + 1];
}

/* See table.h. */
const char *hf_risk_table_name(const hf_risk_table *t)
{
    return t->name;
}

/* Writes one field, quoted when it holds a comma, quote or line break. */
static void write_field(const char *s, FILE *f)
{
    if (strpbrk(s, ",\"\r\n") == NULL) {
        fputs(s, f);
        return;
    }
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', f);
        fputc(*s, f);
    }
    fputc('"', f);
}

/* Writes record rec (0: the header) as one CSV line. */
static void write_record(const hf_risk_table *t, size_t rec, FILE *f)
{
    for (size_t c = 0; c < t->ncols; c++) {
        if (c > 0)
            fputc(',', f);
        write_field(t->text + t->cells[rec * t->ncols + c], f);
    }
    fputc('\n', f);
}

/* See table.h. */
hf_rc hf_risk_table_write(const hf_risk_table *t, const size_t *rows, size_t n,
                          FILE *f, hf_err *err)
{
    write_record(t, 0, f);
    for (size_t i = 0; i < n; i++)
        write_record(t, rows[i] + 1, f);
    if (fflush(f) != 0 || ferror(f))
        return hf_fail(err, HF_EIO, "io", NULL, "writing the CSV failed: %s",
                       strerror(errno));
    return HF_OK;
}
