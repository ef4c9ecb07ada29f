/*
 * csv.c - RFC 4180 CSV records (see csv.h). Written by hand: a state
 * machine of a page is less than any library we would have to add, and the
 * caps on field size are ours to set.
 */
#include "intent/csv.h"
#include "util/mem.h"

#include <string.h>

/* Appends byte c to the current field unless the field is full; false
 * when memory runs out. */
static bool add(hf_csv *r, int c)
{
    if (r->len - r->off[r->nf] >= HF_CSV_FIELD_MAX) {
        r->truncated = true;
        return true;
    }
    if (r->len + 2 > r->cap) {
        size_t ncap = r->cap ? r->cap * 2 : 4096;
        char *nb = hf_realloc(r->buf, ncap);
        if (nb == NULL)
            return false;
        r->buf = nb;
        r->cap = ncap;
    }
    r->buf[r->len++] = (char)c;
    return true;
}

/* Ends the current field; false when memory runs out. */
static bool end_field(hf_csv *r)
{
    size_t save = r->off[r->nf];
    r->off[r->nf] = 0; /* make room for the NUL whatever the cap */
    bool ok = add(r, '\0');
    r->off[r->nf] = save;
    if (!ok)
        return false;
    if (r->nf + 1 < HF_CSV_MAX_FIELDS) {
        r->nf++;
        r->off[r->nf] = r->len;
    } else {
        r->truncated = true;
        r->len = r->off[r->nf]; /* later fields overwrite the last */
    }
    return true;
}

/* Reads the next record (see csv.h): 1, 0 at the end, -1 on error. */
int hf_csv_next(hf_csv *r)
{
    r->len = 0;
    r->nf = 0;
    r->off[0] = 0;
    r->truncated = false;
    r->line = r->next_line > 0 ? r->next_line : 1;
    r->next_line = r->line;
    bool quoted = false, any = false;
    for (;;) {
        int c = getc(r->f);
        if (c == EOF) {
            if (quoted)
                return -1;
            if (!any)
                return 0;
            break;
        }
        any = true;
        if (c == '\n')
            r->next_line++;
        if (quoted) {
            if (c == '"') {
                int d = getc(r->f);
                if (d != '"') {
                    quoted = false;
                    if (d != EOF)
                        ungetc(d, r->f);
                    continue;
                }
            }
            if (!add(r, c))
                return -1;
            continue;
        }
        if (c == '"' && r->len == r->off[r->nf]) {
            quoted = true;
        } else if (c == ',') {
            if (!end_field(r))
                return -1;
        } else if (c == '\n') {
            break;
        } else if (c != '\r') {
            if (!add(r, c))
                return -1;
        }
    }
    size_t last = r->nf;
    if (!end_field(r))
        return -1;
    r->nf = last + 1 > HF_CSV_MAX_FIELDS ? HF_CSV_MAX_FIELDS : last + 1;
    return 1;
}

/* Field i of the current record; "" past the last. Owned by r. */
const char *hf_csv_field(const hf_csv *r, size_t i)
{
    if (i >= r->nf || r->buf == NULL)
        return "";
    return r->buf + r->off[i];
}

/* Frees what r allocated; the file stays open. */
void hf_csv_free(hf_csv *r)
{
    hf_free(r->buf);
    r->buf = NULL;
    r->cap = r->len = 0;
}
