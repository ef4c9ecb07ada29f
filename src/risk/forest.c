/*
 * forest.c - flat trees and their evaluation (see forest.h).
 *
 * Every tree is stored complete to the forest's depth, breadth first, in
 * one array of 8-byte inner nodes and one of leaves, so a step down is
 * 2i+1 or 2i+2 with no child index to load; a row walks LANES trees at a
 * time.
 */
#include "risk/forest.h"
#include "util/mem.h"

#include <jansson.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define LANES 8      /* trees walked together for one row */
#define MAX_DEPTH 12 /* deeper trees stay with XGBoost's predictor */

/* An inner node. Every tree is stored complete to the forest's depth D,
 * breadth first: node i's children are 2i+1 (left) and 2i+2 (right), the
 * 2^D leaves follow the 2^D - 1 inner nodes in leaf[]. A leaf of XGBoost's
 * tree above depth D becomes a subtree whose leaves all carry its value
 * (its inner nodes test NaN, which sends every row left). */
typedef struct node {
    uint32_t feat; /* index in the widened row (widen()): the feature, plus
                      nfeatures when a missing value goes right */
    float value;   /* go right when x >= value */
} node;

struct hf_risk_forest {
    node *nodes;      /* ntrees * (2^depth - 1) inner nodes, tree by tree */
    float *leaf;      /* ntrees * 2^depth leaf weights, tree by tree */
    size_t ntrees;    /* trees */
    unsigned depth;   /* D: steps from the root to any leaf */
    size_t nfeatures; /* floats per row */
    double base;      /* margin before any tree: logit(base_score) */
};

/* Element i of a JSON array of numbers or booleans, as a double. */
static double num(const json_t *a, size_t i)
{
    const json_t *v = json_array_get(a, i);
    return json_is_boolean(v) ? (double)json_is_true(v) : json_number_value(v);
}

/* A tree's arrays, as XGBoost's JSON gives them. */
typedef struct xtree {
    const json_t *left, *right, *feat, *cond, *dflt;
    size_t n;
} xtree;

/* Checks tree t and fills x; *depth gets its depth (root alone: 0). */
static hf_rc read_tree(const json_t *t, size_t nfeatures, xtree *x,
                       unsigned *depth, hf_err *err)
{
    x->left = json_object_get(t, "left_children");
    x->right = json_object_get(t, "right_children");
    x->feat = json_object_get(t, "split_indices");
    x->cond = json_object_get(t, "split_conditions");
    x->dflt = json_object_get(t, "default_left");
    const json_t *type = json_object_get(t, "split_type");
    size_t n = x->n = json_array_size(x->left);
    if (n == 0 || json_array_size(x->right) != n ||
        json_array_size(x->feat) != n || json_array_size(x->cond) != n ||
        json_array_size(x->dflt) != n)
        return hf_fail(err, HF_EPARSE, "bad_model", NULL,
                       "a tree of the model is malformed");
    uint8_t *level = hf_calloc(n, 1);
    if (level == NULL)
        return hf_fail(err, HF_ENOMEM, "no_memory", NULL, "out of memory");
    hf_rc rc = HF_OK;
    *depth = 0;
    for (size_t i = 0; i < n && rc == HF_OK; i++) {
        long l = (long)num(x->left, i), r = (long)num(x->right, i);
        long k = (long)num(x->feat, i);
        if (type != NULL && num(type, i) != 0)
            rc = hf_fail(err, HF_EINVAL, "unsupported", NULL,
                         "categorical splits");
        else if (l < 0)
            *depth = level[i] > *depth ? level[i] : *depth;
        /* children come after their parent (XGBoost numbers them so) */
        else if (l <= (long)i || l >= (long)n || r <= (long)i || r >= (long)n ||
                 k < 0 || (size_t)k >= nfeatures)
            rc = hf_fail(err, HF_EINVAL, "unsupported", NULL,
                         "a tree whose nodes are not in order");
        else if (level[i] >= MAX_DEPTH)
            rc = hf_fail(err, HF_EINVAL, "unsupported", NULL,
                         "a tree deeper than %d", MAX_DEPTH);
        else
            level[l] = level[r] = (uint8_t)(level[i] + 1);
    }
    hf_free(level);
    return rc;
}

/* Lays XGBoost's node i of x (at depth level) out at position at of a
 * complete tree of depth d (nodes, then leaf); nf: the row's features. */
static void lay_out(const xtree *x, size_t i, size_t at, unsigned level,
                    unsigned d, size_t nf, node *nodes, float *leaf)
{
    long l = (long)num(x->left, i);
    if (level == d) { /* a leaf at the full depth */
        leaf[at - (((size_t)1 << d) - 1)] = (float)num(x->cond, i);
        return;
    }
    if (l < 0) { /* a leaf above it: a subtree of copies, all going left */
        nodes[at] = (node){0, NAN};
        lay_out(x, i, 2 * at + 1, level + 1, d, nf, nodes, leaf);
        lay_out(x, i, 2 * at + 2, level + 1, d, nf, nodes, leaf);
        return;
    }
    size_t feat = (size_t)num(x->feat, i) + (num(x->dflt, i) == 0 ? nf : 0);
    nodes[at] = (node){(uint32_t)feat, (float)num(x->cond, i)};
    lay_out(x, (size_t)l, 2 * at + 1, level + 1, d, nf, nodes, leaf);
    lay_out(x, (size_t)num(x->right, i), 2 * at + 2, level + 1, d, nf, nodes,
            leaf);
}

/* Reads every tree of trees into f, complete to the deepest one's depth. */
static hf_rc add_trees(hf_risk_forest *f, const json_t *trees, hf_err *err)
{
    size_t nt = json_array_size(trees);
    xtree *x = hf_calloc(nt ? nt : 1, sizeof(*x));
    if (x == NULL)
        return hf_fail(err, HF_ENOMEM, "no_memory", NULL, "out of memory");
    hf_rc rc = HF_OK;
    f->depth = 0;
    for (size_t t = 0; t < nt && rc == HF_OK; t++) {
        unsigned d = 0;
        rc = read_tree(json_array_get(trees, t), f->nfeatures, &x[t], &d, err);
        f->depth = d > f->depth ? d : f->depth;
    }
    size_t inner = ((size_t)1 << f->depth) - 1, leaves = inner + 1;
    if (rc == HF_OK &&
        ((f->nodes = hf_calloc(nt * inner + 1, sizeof(node))) == NULL ||
         (f->leaf = hf_calloc(nt * leaves + 1, sizeof(float))) == NULL))
        rc = hf_fail(err, HF_ENOMEM, "no_memory", NULL, "out of memory");
    for (size_t t = 0; t < nt && rc == HF_OK; t++)
        lay_out(&x[t], 0, 0, 0, f->depth, f->nfeatures, f->nodes + t * inner,
                f->leaf + t * leaves);
    f->ntrees = rc == HF_OK ? nt : 0;
    hf_free(x);
    return rc;
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
    if (rc == HF_OK)
        rc = add_trees(f, trees, err);
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
    hf_free(f->leaf);
    hf_free(f);
}

/* The row x as the nodes read it: x2[f] is x[f] with a missing value
 * (NaN) as -inf, x2[nf + f] with it as +inf. A node that sends missing
 * values right reads the second copy, the others the first, so that one
 * comparison (x >= value) decides every step. */
static void widen(const float *x, size_t nf, float *x2)
{
    for (size_t f = 0; f < nf; f++) {
        bool miss = x[f] != x[f];
        x2[f] = miss ? -INFINITY : x[f];
        x2[nf + f] = miss ? INFINITY : x[f];
    }
}

/* One step down from node i of a tree's nodes n for the widened row x2:
 * to 2i+1, or 2i+2 when the value reaches the threshold. No branch. */
static inline uint32_t step(const node *n, uint32_t i, const float *x2)
{
    return 2 * i + 1 + (x2[n[i].feat] >= n[i].value);
}

/* Scores the widened row x2, LANES trees at a time: the walks of different
 * trees are independent, so the processor overlaps their loads. */
static float predict_row(const hf_risk_forest *f, const float *x2)
{
    size_t inner = ((size_t)1 << f->depth) - 1, leaves = inner + 1;
    double sum = f->base;
    size_t t = 0;
    for (; t + LANES <= f->ntrees; t += LANES) {
        uint32_t at[LANES] = {0};
        const node *n = f->nodes + t * inner;
        for (unsigned s = 0; s < f->depth; s++)
            for (size_t k = 0; k < LANES; k++)
                at[k] = step(n + k * inner, at[k], x2);
        const float *leaf = f->leaf + t * leaves - inner;
        for (size_t k = 0; k < LANES; k++)
            sum += leaf[k * leaves + at[k]];
    }
    for (; t < f->ntrees; t++) {
        uint32_t at = 0;
        for (unsigned s = 0; s < f->depth; s++)
            at = step(f->nodes + t * inner, at, x2);
        sum += f->leaf[t * leaves + at - inner];
    }
    return (float)(1.0 / (1.0 + exp(-sum)));
}

/* See forest.h. Row by row: a row's LANES walks at a time keep the
 * processor busy as well as blocks of rows did, and the forest (3 KiB per
 * tree of depth 8) stays in the second-level cache. */
void hf_risk_forest_predict(const hf_risk_forest *f, const float *x,
                            size_t rows, float *out)
{
    size_t nf = f->nfeatures;
    float stack[2 * 64], *x2 = nf <= 64 ? stack : hf_malloc(2 * nf * 4);
    for (size_t r = 0; r < rows; r++) {
        if (x2 == NULL) { /* out of memory: XGBoost would not do better */
            out[r] = NAN;
            continue;
        }
        widen(x + r * nf, nf, x2);
        out[r] = predict_row(f, x2);
    }
    if (x2 != stack)
        hf_free(x2);
}
