/*
 * forest.c - flat trees and their evaluation (see forest.h).
 *
 * Every node of every tree sits in one array of 16-byte nodes; a tree is
 * the index of its root. Rows are scored in blocks of BLOCK, tree by tree,
 * so a tree's nodes stay in cache while the block walks it.
 */
#include "risk/forest.h"
#include "util/mem.h"

#include <jansson.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define BLOCK 64 /* rows scored together */

typedef struct node {
    int32_t left;        /* index of the left child (the right one follows it);
                            a leaf points at itself */
    uint32_t feat;       /* feature index */
    float value;         /* go right when x >= value; a leaf's is +inf */
    uint32_t miss_right; /* 1: a missing value goes right */
} node;

struct hf_risk_forest {
    node *nodes;      /* every tree's nodes, tree after tree */
    size_t nnodes;    /* nodes in all */
    int32_t *roots;   /* index of each tree's root in nodes */
    uint8_t *depth;   /* the depth of each tree (steps to any leaf, at
                         most: a leaf steps to itself) */
    float *leaf;      /* leaf weights, by node index */
    size_t ntrees;    /* trees */
    size_t nfeatures; /* floats per row */
    double base;      /* margin before any tree: logit(base_score) */
};

/* Element i of a JSON array of numbers or booleans, as a double. */
static double num(const json_t *a, size_t i)
{
    const json_t *v = json_array_get(a, i);
    return json_is_boolean(v) ? (double)json_is_true(v) : json_number_value(v);
}

/* Appends tree t (one element of "trees") to f. */
static hf_rc add_tree(hf_risk_forest *f, const json_t *t, size_t *cap,
                      hf_err *err)
{
    const json_t *left = json_object_get(t, "left_children");
    const json_t *right = json_object_get(t, "right_children");
    const json_t *feat = json_object_get(t, "split_indices");
    const json_t *cond = json_object_get(t, "split_conditions");
    const json_t *dflt = json_object_get(t, "default_left");
    const json_t *type = json_object_get(t, "split_type");
    size_t n = json_array_size(left);
    if (n == 0 || json_array_size(right) != n || json_array_size(feat) != n ||
        json_array_size(cond) != n || json_array_size(dflt) != n)
        return hf_fail(err, HF_EPARSE, "bad_model", NULL,
                       "a tree of the model is malformed");
    if (f->nnodes + n > *cap) {
        size_t ncap = (*cap ? *cap * 2 : 4096) + n;
        node *nn = hf_realloc(f->nodes, ncap * sizeof(*nn));
        if (nn != NULL)
            f->nodes = nn;
        float *nl = nn ? hf_realloc(f->leaf, ncap * sizeof(*nl)) : NULL;
        if (nl == NULL)
            return hf_fail(err, HF_ENOMEM, "no_memory", NULL, "out of memory");
        f->leaf = nl;
        *cap = ncap;
    }
    size_t base = f->nnodes;
    uint8_t level[512]; /* depth of each node: trees of depth <= 8 fit */
    if (n > sizeof(level))
        return hf_fail(err, HF_EINVAL, "unsupported", NULL,
                       "a tree deeper than 8");
    memset(level, 0, n);
    unsigned depth = 0;
    for (size_t i = 0; i < n; i++) {
        node *d = &f->nodes[base + i];
        long l = (long)num(left, i), r = (long)num(right, i);
        long k = (long)num(feat, i);
        if (type != NULL && num(type, i) != 0)
            return hf_fail(err, HF_EINVAL, "unsupported", NULL,
                           "categorical splits");
        f->leaf[base + i] = (float)num(cond, i);
        if (l < 0) {
            /* a leaf steps to itself, whatever the row holds */
            *d = (node){(int32_t)(base + i), 0, INFINITY, 0};
            depth = level[i] > depth ? level[i] : depth;
            continue;
        }
        /* children come after their parent, the right one just after the
         * left (XGBoost allocates them as a pair) */
        if (l <= (long)i || l >= (long)n || r != l + 1 || k < 0 ||
            (size_t)k >= f->nfeatures)
            return hf_fail(err, HF_EINVAL, "unsupported", NULL,
                           "a tree whose children are not in pairs");
        level[l] = level[r] = (uint8_t)(level[i] + 1);
        *d = (node){(int32_t)(base + (size_t)l), (uint32_t)k,
                    (float)num(cond, i), num(dflt, i) == 0};
    }
    f->depth[f->ntrees] = (uint8_t)depth;
    f->roots[f->ntrees++] = (int32_t)base;
    f->nnodes += n;
    return HF_OK;
}

/* Checks the learner is one forest.c can score and reads base_score. */
static hf_rc read_learner(hf_risk_forest *f, const json_t *learner,
                          const json_t **trees, hf_err *err)
{
    const json_t *gb = json_object_get(learner, "gradient_booster");
    const char *booster = json_string_value(json_object_get(gb, "name"));
    const char *objective = json_string_value(
        json_object_get(json_object_get(learner, "objective"), "name"));
    if (booster == NULL || strcmp(booster, "gbtree") != 0 ||
        objective == NULL || strcmp(objective, "binary:logistic") != 0)
        return hf_fail(err, HF_EINVAL, "unsupported", NULL,
                       "only gbtree with binary:logistic is compiled");
    *trees = json_object_get(json_object_get(gb, "model"), "trees");
    const char *bs = json_string_value(json_object_get(
        json_object_get(learner, "learner_model_param"), "base_score"));
    double b = bs ? strtod(bs, NULL) : 0.5;
    if (!json_is_array(*trees) || !(b > 0 && b < 1))
        return hf_fail(err, HF_EPARSE, "bad_model", NULL,
                       "the model has no trees or a bad base_score");
    f->base = log(b / (1 - b));
    return HF_OK;
}

/* See forest.h. */
hf_rc hf_risk_forest_compile(const char *json, size_t len, size_t nfeatures,
                             hf_risk_forest **out, hf_err *err)
{
    *out = NULL;
    json_error_t jerr;
    json_t *root = json_loadb(json, len, 0, &jerr);
    if (root == NULL)
        return hf_fail(err, HF_EPARSE, "bad_model", NULL,
                       "the model's JSON: %.100s", jerr.text);
    hf_risk_forest *f = hf_calloc(1, sizeof(*f));
    const json_t *trees = NULL;
    hf_rc rc = HF_OK;
    if (f == NULL)
        rc = hf_fail(err, HF_ENOMEM, "no_memory", NULL, "out of memory");
    else {
        f->nfeatures = nfeatures;
        rc = read_learner(f, json_object_get(root, "learner"), &trees, err);
    }
    size_t cap = 0;
    size_t nt = json_array_size(trees) + 1;
    if (rc == HF_OK && ((f->roots = hf_malloc(nt * sizeof(int32_t))) == NULL ||
                        (f->depth = hf_malloc(nt)) == NULL))
        rc = hf_fail(err, HF_ENOMEM, "no_memory", NULL, "out of memory");
    for (size_t i = 0; rc == HF_OK && i < json_array_size(trees); i++)
        rc = add_tree(f, json_array_get(trees, i), &cap, err);
    json_decref(root);
    if (rc != HF_OK) {
        hf_risk_forest_free(f);
        return rc;
    }
    *out = f;
    return HF_OK;
}

/* See forest.h. */
void hf_risk_forest_free(hf_risk_forest *f)
{
    if (f == NULL)
        return;
    hf_free(f->nodes);
    hf_free(f->roots);
    hf_free(f->depth);
    hf_free(f->leaf);
    hf_free(f);
}

/* See forest.h. Every row of a block takes exactly the tree's depth in
 * steps, without a branch (a leaf steps to itself), and the rows of the
 * block are independent, so the processor overlaps their loads. */
void hf_risk_forest_predict(const hf_risk_forest *f, const float *x,
                            size_t rows, float *out)
{
    double sum[BLOCK];
    int32_t at[BLOCK];
    const node *nodes = f->nodes;
    size_t nf = f->nfeatures;
    for (size_t r0 = 0; r0 < rows; r0 += BLOCK) {
        size_t nb = rows - r0 < BLOCK ? rows - r0 : BLOCK;
        const float *xb = x + r0 * nf;
        for (size_t r = 0; r < nb; r++)
            sum[r] = f->base;
        for (size_t t = 0; t < f->ntrees; t++) {
            for (size_t r = 0; r < nb; r++)
                at[r] = f->roots[t];
            for (unsigned s = 0; s < f->depth[t]; s++)
                for (size_t r = 0; r < nb; r++) {
                    const node *d = &nodes[at[r]];
                    float v = xb[r * nf + d->feat];
                    at[r] = d->left +
                            ((v >= d->value) | ((v != v) & (int)d->miss_right));
                }
            for (size_t r = 0; r < nb; r++)
                sum[r] += f->leaf[at[r]];
        }
        for (size_t r = 0; r < nb; r++)
            out[r0 + r] = (float)(1.0 / (1.0 + exp(-sum[r])));
    }
}
