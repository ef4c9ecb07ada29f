/*
 * forest.h - the trained trees compiled into flat arrays, for scoring
 * faster than XGBoost's general predictor (which spends most of its time
 * on bookkeeping for one row or a few: see docs/risk.md).
 *
 * It reads XGBoost's JSON model and supports what holdfast trains: a
 * gbtree booster, objective binary:logistic, numeric splits (the
 * encoding's ordinal codes included). For anything else it refuses, and
 * the model keeps scoring through XGBoost. Scores equal XGBoost's to float
 * rounding (the sum of leaves is taken in double here).
 */
#ifndef HF_RISK_FOREST_H
#define HF_RISK_FOREST_H

#include "util/hf.h"

#include <stddef.h>

typedef struct hf_risk_forest hf_risk_forest;

/* Compiles the XGBoost JSON model json[0..len) whose rows have nfeatures
 * features. Errors: HF_EINVAL for a model it does not support (the message
 * says what), HF_EPARSE for JSON it cannot read, HF_ENOMEM. *out is freed
 * with hf_risk_forest_free. */
hf_rc hf_risk_forest_compile(const char *json, size_t len, size_t nfeatures,
                             hf_risk_forest **out, hf_err *err);

/* Frees f (NULL is fine). */
void hf_risk_forest_free(hf_risk_forest *f);

/* Scores rows x rows (row-major, nfeatures floats each, NaN missing) into
 * out[0..rows): the probability of label 1. Never fails. */
void hf_risk_forest_predict(const hf_risk_forest *f, const float *x,
                            size_t rows, float *out);

#endif
