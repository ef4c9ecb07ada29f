/*
 * table.h - a CSV file held in memory as rows of text cells (the input of
 * the risk model's training, evaluation and split commands).
 *
 * The file is RFC 4180: fields separated by commas, records by LF or CRLF;
 * a quoted field may hold commas, doubled quotes and line breaks. The first
 * record names the columns, and every later record must have as many
 * fields. A field is capped at HF_RISK_FIELD_MAX bytes, a file at
 * HF_RISK_FILE_MAX bytes and a header at HF_RISK_MAX_COLS columns, so a
 * hostile file fails cleanly instead of growing without bound. Problems
 * are reported as "file:line: message" in the hf_err.
 */
#ifndef HF_RISK_TABLE_H
#define HF_RISK_TABLE_H

#include "util/hf.h"

#include <stdio.h>

#define HF_RISK_FIELD_MAX 4096                 /* bytes in one field */
#define HF_RISK_MAX_COLS 1024                  /* columns in one file */
#define HF_RISK_FILE_MAX (1024L * 1024 * 1024) /* bytes in one file */

typedef struct hf_risk_table hf_risk_table;

/* Reads and parses the CSV file at path. On success *out owns the table
 * (free with hf_risk_table_free). Errors: HF_EIO (cannot read; message
 * "path: reason"), HF_EPARSE (malformed, "path:line: message"),
 * HF_ETOOBIG (a cap exceeded), HF_ENOMEM. */
hf_rc hf_risk_table_load(const char *path, hf_risk_table **out, hf_err *err);

/* Parses len bytes of CSV text; name stands for the file in messages.
 * The text is copied. Errors as hf_risk_table_load. */
hf_rc hf_risk_table_parse(const char *name, const char *text, size_t len,
                          hf_risk_table **out, hf_err *err);

/* Frees t and every cell (NULL is fine). */
void hf_risk_table_free(hf_risk_table *t);

/* Data rows (the header excluded) and columns. */
size_t hf_risk_table_rows(const hf_risk_table *t);
size_t hf_risk_table_cols(const hf_risk_table *t);

/* The name of column col (from the header), owned by t. */
const char *hf_risk_table_header(const hf_risk_table *t, size_t col);

/* The index of the column named name, or -1 when there is none. */
long hf_risk_table_find(const hf_risk_table *t, const char *name);

/* The text of a cell (unquoted, NUL-terminated), owned by t. */
const char *hf_risk_table_cell(const hf_risk_table *t, size_t row, size_t col);

/* The line of the file on which data row `row` starts (the header is on
 * line 1), for messages. */
long hf_risk_table_line(const hf_risk_table *t, size_t row);

/* The file name given at load, owned by t. */
const char *hf_risk_table_name(const hf_risk_table *t);

/* Writes the header and then the rows listed in rows[0..n) as CSV to f,
 * quoting the fields that need it. HF_EIO when writing fails. */
hf_rc hf_risk_table_write(const hf_risk_table *t, const size_t *rows, size_t n,
                          FILE *f, hf_err *err);

#endif
