/*
 * csv.h - a reader of RFC 4180 CSV files, one record at a time (internal
 * to src/intent/, where it reads the Bitext corpus).
 *
 * Quoted fields may hold commas, doubled quotes and line breaks; CRLF and
 * LF both end a record. Every field is capped at HF_CSV_FIELD_MAX bytes
 * (the rest is dropped and the record marked truncated) and a record at
 * HF_CSV_MAX_FIELDS fields, so a hostile file cannot make it grow without
 * bound.
 */
#ifndef HF_INTENT_CSV_H
#define HF_INTENT_CSV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#define HF_CSV_FIELD_MAX 8192
#define HF_CSV_MAX_FIELDS 32

/* A reader over an open file; zero it, set f, and call hf_csv_next. */
typedef struct hf_csv {
    FILE *f;                       /* the input, owned by the caller */
    char *buf;                     /* fields, each NUL-terminated */
    size_t cap;                    /* bytes allocated in buf */
    size_t len;                    /* bytes used in buf */
    size_t off[HF_CSV_MAX_FIELDS]; /* start of each field in buf */
    size_t nf;                     /* fields in the current record */
    bool truncated;                /* a field or field count was capped */
    long line;                     /* line where the record started */
    long next_line;                /* line the next record starts on */
} hf_csv;

/* Reads the next record. Returns 1 for a record, 0 at the end of the
 * file, -1 for a malformed file (a quote left open at the end) or memory
 * running out. */
int hf_csv_next(hf_csv *r);

/* Field i of the current record, or "" when the record has fewer. */
const char *hf_csv_field(const hf_csv *r, size_t i);

/* Frees the reader's buffer (not the file). */
void hf_csv_free(hf_csv *r);

#endif
