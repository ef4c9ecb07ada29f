/*
 * model_int.h - the fields of hf_intent_model, shared by model.c
 * (training, prediction) and model_io.c (the file format). Nothing outside
 * src/intent/ includes this.
 */
#ifndef HF_INTENT_MODEL_INT_H
#define HF_INTENT_MODEL_INT_H

#include "intent/intent.h"

#include <stdint.h>

/* A trained one-vs-rest logistic regression over hashed features. */
struct hf_intent_model {
    uint32_t dims;               /* feature slots (HF_FEAT_DIM) */
    int nr_class;                /* always HF_INTENT_COUNT */
    int labels[HF_INTENT_COUNT]; /* intent of weight column k */
    float *w;                    /* (dims + 1) rows of nr_class weights;
                                    row dims is the bias (hf_malloc) */
};

/* An empty model with zero weights, or NULL when memory runs out. */
struct hf_intent_model *hf_intent_model_new(int nr_class);

#endif
