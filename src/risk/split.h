/*
 * split.h - the order of a table's rows by some of its columns, for a
 * time-based split (train on the earliest rows, test on the latest).
 */
#ifndef HF_RISK_SPLIT_H
#define HF_RISK_SPLIT_H

#include "risk/table.h"

/* Orders the rows of t by the columns named cols[0..ncols), the first
 * deciding, then the next for ties, and so on; rows equal on all of them
 * keep their order in the file (a stable sort). Each column compares as
 * numbers when every cell is a number, as months when every cell is a
 * month name (January..December, or Jan..Dec, any case), and as text
 * otherwise. *order receives the row indices (from hf_malloc). Errors:
 * HF_ENOTFOUND for an unknown column ("file:1: no column X"), HF_ENOMEM. */
hf_rc hf_risk_split_order(const hf_risk_table *t, const char *const *cols,
                          size_t ncols, size_t **order, hf_err *err);

#endif
