/*
 * intents_int.h - what the files of `holdfast intents` share:
 * intents_cmd.c (options, train, classify) and intents_eval.c (eval,
 * bench).
 */
#ifndef HF_CLI_INTENTS_INT_H
#define HF_CLI_INTENTS_INT_H

#include "intent/intent.h"

#include <stdbool.h>

/* The options of every `intents` subcommand. */
typedef struct intents_opts {
    const char *data;   /* --data: corpus directory */
    const char *bitext; /* --bitext: Bitext CSV */
    bool bitext_given;  /* --bitext was given (else the default path) */
    bool no_bitext;     /* --no-bitext */
    const char *out;    /* --out: model file to write */
    const char *model;  /* --model: model file to read */
    double min_f1;      /* --min-f1: eval fails below it; < 0 none */
    long n;             /* --n: bench iterations */
    bool tune;          /* --tune: eval picks C by cross-validation */
    bool cv_errors;     /* --cv-errors: eval lists cross-validation errors */
    const char *text;   /* the TEXT argument */
} intents_opts;

/* See intents_cmd.c. */
const char *hf_intents_bitext(const intents_opts *o);
int hf_intents_fail(const hf_err *err);
hf_intent_model *hf_intents_model(const intents_opts *o);

/* `intents eval` and `intents bench` (intents_eval.c). */
int hf_intents_eval(const intents_opts *o);
int hf_intents_bench(const intents_opts *o);

#endif
