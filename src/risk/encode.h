/*
 * encode.h - how the cells of a CSV table become the numbers the model
 * reads, learned once from the training file and saved with the model so
 * that every later file is encoded the same way.
 *
 * Every column except the label and the dropped ones is a feature. A
 * column is numeric when every cell that is not missing reads as a
 * decimal number; its cells become those numbers. Any other column is
 * categorical: each distinct text gets an ordinal code, 0, 1, 2, ... in
 * the order first seen in the training file (so the same file always
 * gives the same codes). Missing cells ("", NA, N/A, NULL, NaN, ?) and,
 * when scoring, texts the training file never had become NaN, which
 * XGBoost treats as missing.
 */
#ifndef HF_RISK_ENCODE_H
#define HF_RISK_ENCODE_H

#include "risk/table.h"

#include <stdbool.h>
#include <stdio.h>

typedef struct hf_risk_encoding hf_risk_encoding;

/* Learns the encoding of t's features: every column but `label` and the
 * columns named in drop[0..ndrop). Errors: HF_ENOTFOUND when label or a
 * dropped column is not in the header ("file:1: no column X"), HF_EINVAL
 * when no feature is left, HF_ENOMEM. *out is freed with
 * hf_risk_encoding_free. */
hf_rc hf_risk_encoding_fit(const hf_risk_table *t, const char *label,
                           const char *const *drop, size_t ndrop,
                           hf_risk_encoding **out, hf_err *err);

/* Frees e (NULL is fine). */
void hf_risk_encoding_free(hf_risk_encoding *e);

/* The label column's name, owned by e. */
const char *hf_risk_encoding_label(const hf_risk_encoding *e);

/* Features, and for each its column name (owned by e), whether it is
 * categorical, and how many categories the training file had (0 for a
 * numeric feature). */
size_t hf_risk_encoding_features(const hf_risk_encoding *e);
const char *hf_risk_encoding_name(const hf_risk_encoding *e, size_t f);
bool hf_risk_encoding_categorical(const hf_risk_encoding *e, size_t f);
size_t hf_risk_encoding_categories(const hf_risk_encoding *e, size_t f);

/* The number feature f takes for the text s (NaN for missing or unseen). */
float hf_risk_encoding_value(const hf_risk_encoding *e, size_t f,
                             const char *s);

/* Encodes every row of t into a new row-major matrix of rows x features
 * floats (*x, from hf_malloc; the caller frees it with hf_free). Columns
 * are found by name, so t may order them differently from the training
 * file. Errors: HF_ENOTFOUND when t lacks a feature column, HF_ENOMEM. */
hf_rc hf_risk_encoding_matrix(const hf_risk_encoding *e, const hf_risk_table *t,
                              float **x, hf_err *err);

/* Reads t's label column as 0/1 floats into a new array (*y, from
 * hf_malloc). Errors: HF_ENOTFOUND (no such column), HF_EINVAL for a cell
 * other than 0 or 1 ("file:line: is_canceled is \"x\", not 0 or 1"). */
hf_rc hf_risk_labels(const hf_risk_table *t, const char *label, float **y,
                     hf_err *err);

/* Writes e to f as text (the format is in encode.c). HF_EIO on failure. */
hf_rc hf_risk_encoding_write(const hf_risk_encoding *e, FILE *f, hf_err *err);

/* Reads an encoding written by hf_risk_encoding_write; name is the file
 * for messages. Errors: HF_EPARSE (not an encoding, or damaged),
 * HF_ETOOBIG, HF_ENOMEM. */
hf_rc hf_risk_encoding_read(FILE *f, const char *name, hf_risk_encoding **out,
                            hf_err *err);

#endif
