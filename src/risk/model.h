/*
 * model.h - the cancellation-risk model: gradient-boosted trees (XGBoost,
 * through its C API) over the features of an encoding (encode.h).
 *
 * A model file holds both halves, so that scoring another file encodes it
 * exactly as the training file was:
 *
 *     holdfast-risk-model 1
 *     (the encoding, as hf_risk_encoding_write writes it)
 *     xgboost N
 *     (N bytes: the booster in XGBoost's own UBJSON model format)
 *
 * Training is deterministic: the same file, parameters and seed give the
 * same trees and so the same scores. A model is not safe to use from two
 * threads at once; give each thread its own (hf_risk_model_load twice).
 */
#ifndef HF_RISK_MODEL_H
#define HF_RISK_MODEL_H

#include "risk/encode.h"
#include "risk/table.h"

#include <stdbool.h>

/* Training parameters; hf_risk_params_default fills the defaults. */
typedef struct hf_risk_params {
    int rounds;              /* boosting rounds (trees) */
    int max_depth;           /* deepest a tree may grow */
    double eta;              /* learning rate */
    double subsample;        /* rows sampled for each tree */
    double colsample;        /* features sampled for each tree */
    double min_child_weight; /* least hessian in a leaf */
    double lambda;           /* L2 regularization of leaf weights */
    int max_bin;             /* histogram bins per numeric feature */
    bool native_categorical; /* categorical splits on category sets,
                                rather than on the ordinal codes */
    int nthread;             /* threads XGBoost may use */
    unsigned seed;           /* for the row and column sampling */
} hf_risk_params;

typedef struct hf_risk_model hf_risk_model;

/* The defaults: 400 rounds of depth 8 at eta 0.05, subsample and
 * colsample 0.8, min_child_weight 1, lambda 1, 256 bins, ordinal codes,
 * 2 threads, seed 1. */
void hf_risk_params_default(hf_risk_params *p);

/* Learns an encoding of t (every column but label and drop[0..ndrop)) and
 * trains a model on it. Errors: those of hf_risk_encoding_fit and
 * hf_risk_labels, HF_EINVAL when t has no rows or only one class, and
 * HF_EIO for a failure inside XGBoost (its message). *out is freed with
 * hf_risk_model_free. */
hf_rc hf_risk_model_train(const hf_risk_table *t, const char *label,
                          const char *const *drop, size_t ndrop,
                          const hf_risk_params *p, hf_risk_model **out,
                          hf_err *err);

/* Writes m to path (format above). HF_EIO when the file cannot be written
 * or XGBoost fails. */
hf_rc hf_risk_model_save(const hf_risk_model *m, const char *path, hf_err *err);

/* Reads a model written by hf_risk_model_save; predictions will use
 * nthread threads. Errors: HF_EIO (cannot open), HF_EPARSE (not a model,
 * or damaged), HF_ENOMEM. */
hf_rc hf_risk_model_load(const char *path, int nthread, hf_risk_model **out,
                         hf_err *err);

/* Frees m (NULL is fine). */
void hf_risk_model_free(hf_risk_model *m);

/* The encoding the model reads its features through (owned by m). */
const hf_risk_encoding *hf_risk_model_encoding(const hf_risk_model *m);

/* Scores rows x rows of encoded features (row-major, one float per
 * feature of the encoding, NaN for missing): out[i] is the probability
 * that row i has label 1. HF_EIO when XGBoost fails. */
hf_rc hf_risk_model_predict(hf_risk_model *m, const float *x, size_t rows,
                            float *out, hf_err *err);

/* The same scores through XGBoost's own predictor rather than the
 * compiled trees (forest.h); for checking them, and the fallback when the
 * trees could not be compiled. */
hf_rc hf_risk_model_predict_xgboost(hf_risk_model *m, const float *x,
                                    size_t rows, float *out, hf_err *err);

/* Each feature's SHAP contribution to one row's score x (one float per
 * feature of the encoding), in log-odds: out[0..features) and the bias in
 * out[features]; they sum to the row's margin. HF_EIO when XGBoost
 * fails. */
hf_rc hf_risk_model_contribs(hf_risk_model *m, const float *x, float *out,
                             hf_err *err);

/* True when m scores through compiled trees (forest.h), false when
 * through XGBoost's predictor. */
bool hf_risk_model_compiled(const hf_risk_model *m);

/* Encodes and scores every row of t into a new array (*scores, from
 * hf_malloc). Errors of hf_risk_encoding_matrix and
 * hf_risk_model_predict. */
hf_rc hf_risk_model_score_table(hf_risk_model *m, const hf_risk_table *t,
                                float **scores, hf_err *err);

#endif
