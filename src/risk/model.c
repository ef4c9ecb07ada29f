/*
 * model.c - training, saving, loading and scoring through XGBoost's C API
 * (see model.h). XGBoost keeps its own state per booster; nothing here is
 * global.
 */
#include "risk/model.h"
#include "risk/forest.h"
#include "util/mem.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <xgboost/c_api.h>

struct hf_risk_model {
    hf_risk_encoding *enc;  /* how cells become features */
    BoosterHandle booster;  /* the trees */
    hf_risk_forest *forest; /* the same trees compiled for scoring, or NULL
                               when XGBoost scores (forest.h) */
};

/* Compiles m's trees into m->forest. A model forest.c does not support
 * keeps forest NULL and is scored by XGBoost; only running out of memory
 * is an error. */
static hf_rc compile_forest(hf_risk_model *m, hf_err *err)
{
    bst_ulong len = 0;
    const char *json = NULL;
    if (XGBoosterSaveModelToBuffer(m->booster, "{\"format\": \"json\"}", &len,
                                   &json) != 0)
        return HF_OK;
    hf_err ignored;
    hf_rc rc = hf_risk_forest_compile(
        json, len, hf_risk_encoding_features(m->enc), &m->forest, &ignored);
    if (rc == HF_ENOMEM)
        return hf_fail(err, HF_ENOMEM, "no_memory", NULL, "out of memory");
    return HF_OK;
}

/* Records XGBoost's last error as HF_EIO. */
static hf_rc xgb_fail(hf_err *err, const char *what)
{
    return hf_fail(err, HF_EIO, "xgboost", NULL, "XGBoost: %s: %.180s", what,
                   XGBGetLastError());
}

/* See model.h. */
void hf_risk_params_default(hf_risk_params *p)
{
    *p = (hf_risk_params){
        .rounds = 400,
        .max_depth = 8,
        .eta = 0.05,
        .subsample = 0.8,
        .colsample = 0.8,
        .min_child_weight = 1,
        .lambda = 1,
        .max_bin = 256,
        .native_categorical = false,
        .nthread = 2,
        .seed = 1,
    };
}

/* Sets the booster's parameters from p; false (XGBoost's error pending)
 * when one is refused. */
static bool set_params(BoosterHandle b, const hf_risk_params *p)
{
    char v[10][32];
    snprintf(v[0], sizeof(v[0]), "%d", p->max_depth);
    snprintf(v[1], sizeof(v[1]), "%g", p->eta);
    snprintf(v[2], sizeof(v[2]), "%g", p->subsample);
    snprintf(v[3], sizeof(v[3]), "%g", p->colsample);
    snprintf(v[4], sizeof(v[4]), "%g", p->min_child_weight);
    snprintf(v[5], sizeof(v[5]), "%g", p->lambda);
    snprintf(v[6], sizeof(v[6]), "%d", p->max_bin);
    snprintf(v[7], sizeof(v[7]), "%d", p->nthread);
    snprintf(v[8], sizeof(v[8]), "%u", p->seed);
    /* One row per parameter XGBoost is given. */
    const char *const params[][2] = {
        {"booster", "gbtree"},
        {"objective", "binary:logistic"},
        {"tree_method", "hist"},
        {"verbosity", "0"},
        {"max_depth", v[0]},
        {"eta", v[1]},
        {"subsample", v[2]},
        {"colsample_bytree", v[3]},
        {"min_child_weight", v[4]},
        {"lambda", v[5]},
        {"max_bin", v[6]},
        {"nthread", v[7]},
        {"seed", v[8]},
    };
    for (size_t i = 0; i < HF_ARRAY_LEN(params); i++)
        if (XGBoosterSetParam(b, params[i][0], params[i][1]) != 0)
            return false;
    return true;
}

/* Builds the training DMatrix from x and y, declaring the categorical
 * features when p asks for native categorical splits. */
static hf_rc make_dmatrix(const hf_risk_encoding *e, const float *x,
                          const float *y, size_t rows, const hf_risk_params *p,
                          DMatrixHandle *out, hf_err *err)
{
    size_t n = hf_risk_encoding_features(e);
    if (XGDMatrixCreateFromMat(x, rows, n, NAN, out) != 0)
        return xgb_fail(err, "creating the training matrix");
    if (XGDMatrixSetFloatInfo(*out, "label", y, rows) != 0) {
        XGDMatrixFree(*out);
        return xgb_fail(err, "setting the labels");
    }
    if (!p->native_categorical)
        return HF_OK;
    const char **types = hf_malloc(n * sizeof(*types));
    if (types == NULL) {
        XGDMatrixFree(*out);
        return hf_fail(err, HF_ENOMEM, "no_memory", NULL, "out of memory");
    }
    for (size_t f = 0; f < n; f++)
        types[f] = hf_risk_encoding_categorical(e, f) ? "c" : "q";
    int bad = XGDMatrixSetStrFeatureInfo(*out, "feature_type", types, n);
    hf_free(types);
    if (bad != 0) {
        XGDMatrixFree(*out);
        return xgb_fail(err, "declaring categorical features");
    }
    return HF_OK;
}

/* See model.h. */
hf_rc hf_risk_model_train(const hf_risk_table *t, const char *label,
                          const char *const *drop, size_t ndrop,
                          const hf_risk_params *p, hf_risk_model **out,
                          hf_err *err)
{
    *out = NULL;
    size_t rows = hf_risk_table_rows(t);
    float *x = NULL, *y = NULL;
    DMatrixHandle dm = NULL;
    hf_risk_model *m = hf_calloc(1, sizeof(*m));
    if (m == NULL)
        return hf_fail(err, HF_ENOMEM, "no_memory", NULL, "out of memory");
    hf_rc rc = hf_risk_labels(t, label, &y, err);
    if (rc == HF_OK && rows == 0)
        rc = hf_fail(err, HF_EINVAL, "no_rows", NULL,
                     "%s: no rows to learn from", hf_risk_table_name(t));
    size_t pos = 0;
    for (size_t r = 0; rc == HF_OK && r < rows; r++)
        pos += y[r] > 0.5f;
    if (rc == HF_OK && (pos == 0 || pos == rows))
        rc = hf_fail(err, HF_EINVAL, "one_class", NULL,
                     "%s: every row has %s = %d; nothing to learn",
                     hf_risk_table_name(t), label, pos ? 1 : 0);
    if (rc == HF_OK)
        rc = hf_risk_encoding_fit(t, label, drop, ndrop, &m->enc, err);
    if (rc == HF_OK)
        rc = hf_risk_encoding_matrix(m->enc, t, &x, err);
    if (rc == HF_OK)
        rc = make_dmatrix(m->enc, x, y, rows, p, &dm, err);
    if (rc == HF_OK && XGBoosterCreate(&dm, 1, &m->booster) != 0)
        rc = xgb_fail(err, "creating the booster");
    if (rc == HF_OK && !set_params(m->booster, p))
        rc = xgb_fail(err, "setting parameters");
    for (int i = 0; rc == HF_OK && i < p->rounds; i++)
        if (XGBoosterUpdateOneIter(m->booster, i, dm) != 0)
            rc = xgb_fail(err, "training");
    if (rc == HF_OK)
        rc = compile_forest(m, err);
    if (dm != NULL)
        XGDMatrixFree(dm);
    hf_free(x);
    hf_free(y);
    if (rc != HF_OK) {
        hf_risk_model_free(m);
        return rc;
    }
    *out = m;
    return HF_OK;
}

/* See model.h. */
void hf_risk_model_free(hf_risk_model *m)
{
    if (m == NULL)
        return;
    if (m->booster != NULL)
        XGBoosterFree(m->booster);
    hf_risk_forest_free(m->forest);
    hf_risk_encoding_free(m->enc);
    hf_free(m);
}

/* See model.h. */
const hf_risk_encoding *hf_risk_model_encoding(const hf_risk_model *m)
{
    return m->enc;
}

/* See model.h. */
hf_rc hf_risk_model_save(const hf_risk_model *m, const char *path, hf_err *err)
{
    bst_ulong len = 0;
    const char *raw = NULL;
    if (XGBoosterSaveModelToBuffer(m->booster, "{\"format\": \"ubj\"}", &len,
                                   &raw) != 0)
        return xgb_fail(err, "saving the model");
    FILE *f = fopen(path, "wb");
    if (f == NULL)
        return hf_fail(err, HF_EIO, "io", NULL, "%s: %s", path,
                       strerror(errno));
    fputs("holdfast-risk-model 1\n", f);
    hf_rc rc = hf_risk_encoding_write(m->enc, f, err);
    if (rc == HF_OK) {
        fprintf(f, "xgboost %llu\n", (unsigned long long)len);
        fwrite(raw, 1, len, f);
    }
    bool failed = ferror(f) != 0;
    if (fclose(f) != 0)
        failed = true;
    if (rc == HF_OK && failed)
        rc = hf_fail(err, HF_EIO, "io", NULL, "%s: write failed", path);
    return rc;
}

/* Reads the booster that follows the encoding in f into m. */
static hf_rc load_booster(hf_risk_model *m, FILE *f, const char *path,
                          int nthread, hf_err *err)
{
    unsigned long long len = 0;
    if (fscanf(f, "xgboost %llu", &len) != 1 || fgetc(f) != '\n' || len == 0 ||
        len > (unsigned long long)HF_RISK_FILE_MAX)
        return hf_fail(err, HF_EPARSE, "bad_model", NULL,
                       "%s: not a holdfast risk model, or damaged", path);
    char *raw = hf_malloc((size_t)len);
    if (raw == NULL)
        return hf_fail(err, HF_ENOMEM, "no_memory", NULL, "out of memory");
    hf_rc rc = HF_OK;
    char nt[16];
    snprintf(nt, sizeof(nt), "%d", nthread > 0 ? nthread : 1);
    if (fread(raw, 1, (size_t)len, f) != (size_t)len)
        rc = hf_fail(err, HF_EPARSE, "bad_model", NULL,
                     "%s: the model is cut short", path);
    else if (XGBoosterCreate(NULL, 0, &m->booster) != 0)
        rc = xgb_fail(err, "creating the booster");
    else if (XGBoosterLoadModelFromBuffer(m->booster, raw, (bst_ulong)len) != 0)
        rc = hf_fail(err, HF_EPARSE, "bad_model", NULL,
                     "%s: XGBoost cannot read the model: %.150s", path,
                     XGBGetLastError());
    else if (XGBoosterSetParam(m->booster, "nthread", nt) != 0)
        rc = xgb_fail(err, "setting nthread");
    hf_free(raw);
    return rc;
}

/* See model.h. */
hf_rc hf_risk_model_load(const char *path, int nthread, hf_risk_model **out,
                         hf_err *err)
{
    *out = NULL;
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return hf_fail(err, HF_EIO, "io", NULL, "%s: %s", path,
                       strerror(errno));
    hf_risk_model *m = hf_calloc(1, sizeof(*m));
    char magic[32];
    int version = 0;
    hf_rc rc = HF_OK;
    if (m == NULL)
        rc = hf_fail(err, HF_ENOMEM, "no_memory", NULL, "out of memory");
    else if (fscanf(f, "%31s %d", magic, &version) != 2 ||
             strcmp(magic, "holdfast-risk-model") != 0 || version != 1 ||
             fgetc(f) != '\n')
        rc = hf_fail(err, HF_EPARSE, "bad_model", NULL,
                     "%s: not a holdfast risk model", path);
    else
        rc = hf_risk_encoding_read(f, path, &m->enc, err);
    if (rc == HF_OK)
        rc = load_booster(m, f, path, nthread, err);
    fclose(f);
    if (rc == HF_OK) {
        bst_ulong nf = 0;
        if (XGBoosterGetNumFeature(m->booster, &nf) != 0 ||
            nf != hf_risk_encoding_features(m->enc))
            rc = hf_fail(err, HF_EPARSE, "bad_model", NULL,
                         "%s: the trees and the encoding disagree", path);
    }
    if (rc == HF_OK)
        rc = compile_forest(m, err);
    if (rc != HF_OK) {
        hf_risk_model_free(m);
        return rc;
    }
    *out = m;
    return HF_OK;
}

/* See model.h. */
hf_rc hf_risk_model_predict(hf_risk_model *m, const float *x, size_t rows,
                            float *out, hf_err *err)
{
    if (m->forest == NULL)
        return hf_risk_model_predict_xgboost(m, x, rows, out, err);
    hf_risk_forest_predict(m->forest, x, rows, out);
    return HF_OK;
}

/* See model.h. */
bool hf_risk_model_compiled(const hf_risk_model *m)
{
    return m->forest != NULL;
}

/* See model.h. */
hf_rc hf_risk_model_predict_xgboost(hf_risk_model *m, const float *x,
                                    size_t rows, float *out, hf_err *err)
{
    if (rows == 0)
        return HF_OK;
    /* XGBoost's array interface: the matrix is read in place, no copy. */
    char values[160];
    snprintf(values, sizeof(values),
             "{\"data\": [%ju, true], \"shape\": [%zu, %zu], "
             "\"typestr\": \"<f4\", \"version\": 3}",
             (uintmax_t)(uintptr_t)x, rows, hf_risk_encoding_features(m->enc));
    static const char config[] =
        "{\"type\": 0, \"training\": false, \"iteration_begin\": 0, "
        "\"iteration_end\": 0, \"strict_shape\": false, \"cache_id\": 0, "
        "\"missing\": NaN}";
    const bst_ulong *shape = NULL;
    bst_ulong dim = 0;
    const float *result = NULL;
    if (XGBoosterPredictFromDense(m->booster, values, config, NULL, &shape,
                                  &dim, &result) != 0)
        return xgb_fail(err, "scoring");
    memcpy(out, result, rows * sizeof(*out));
    return HF_OK;
}

/* See model.h. */
hf_rc hf_risk_model_contribs(hf_risk_model *m, const float *x, float *out,
                             hf_err *err)
{
    size_t nf = hf_risk_encoding_features(m->enc);
    /* contributions need a DMatrix: the in-place predictor has no type 4 */
    DMatrixHandle dm = NULL;
    if (XGDMatrixCreateFromMat(x, 1, (bst_ulong)nf, NAN, &dm) != 0)
        return xgb_fail(err, "contributions");
    /* type 2: SHAP contributions, one per feature and the bias last (4
     * would be the interactions, features+1 squared) */
    static const char config[] =
        "{\"type\": 2, \"training\": false, \"iteration_begin\": 0, "
        "\"iteration_end\": 0, \"strict_shape\": false}";
    const bst_ulong *shape = NULL;
    bst_ulong dim = 0;
    const float *result = NULL;
    hf_rc rc = HF_OK;
    if (XGBoosterPredictFromDMatrix(m->booster, dm, config, &shape, &dim,
                                    &result) != 0)
        rc = xgb_fail(err, "contributions");
    bst_ulong total = 1;
    for (bst_ulong i = 0; rc == HF_OK && i < dim; i++)
        total *= shape[i];
    if (rc == HF_OK && total != nf + 1)
        rc = hf_fail(err, HF_EIO, "xgboost", NULL,
                     "contributions: %ju values for %zu features",
                     (uintmax_t)total, nf);
    if (rc == HF_OK)
        memcpy(out, result, (nf + 1) * sizeof(*out));
    XGDMatrixFree(dm);
    return rc;
}

/* See model.h. */
hf_rc hf_risk_model_score_table(hf_risk_model *m, const hf_risk_table *t,
                                float **scores, hf_err *err)
{
    *scores = NULL;
    float *x = NULL;
    size_t rows = hf_risk_table_rows(t);
    hf_rc rc = hf_risk_encoding_matrix(m->enc, t, &x, err);
    if (rc != HF_OK)
        return rc;
    float *s = hf_malloc((rows ? rows : 1) * sizeof(*s));
    if (s == NULL)
        rc = hf_fail(err, HF_ENOMEM, "no_memory", NULL, "out of memory");
    else
        rc = hf_risk_model_predict(m, x, rows, s, err);
    hf_free(x);
    if (rc != HF_OK) {
        hf_free(s);
        return rc;
    }
    *scores = s;
    return HF_OK;
}
