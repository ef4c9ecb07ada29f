/*
 * corpus.h - the labelled examples the intent model learns from: our own
 * data/intents/<intent>.txt files (one utterance a line, '#' comments)
 * and, optionally, the public Bitext customer-support corpus, read from
 * where it lies at train time and never copied into the repository
 * (CDLA-Sharing-1.0).
 *
 * Duplicates (after normalisation) are kept once. The held-out split is
 * decided by a hash of the normalised text, so it is the same on every
 * run and a text and its duplicates always fall on the same side.
 */
#ifndef HF_INTENT_CORPUS_H
#define HF_INTENT_CORPUS_H

#include "intent/intent.h"

/* The path `intents train` and `eval` read Bitext from when not told. */
#define HF_INTENT_BITEXT_DEFAULT                                               \
    "../shared/research-data/bitext-customer-support/"                         \
    "Bitext_Sample_Customer_Support_Training_Dataset.csv"

/* Examples loaded from files; every text is owned by the corpus. */
typedef struct hf_intent_corpus {
    hf_intent_example *ex; /* examples, ours first (hf_malloc) */
    size_t n;              /* examples */
    size_t cap;            /* room in ex */
    size_t from_bitext;    /* how many of them came from Bitext */
    size_t duplicates;     /* lines dropped as duplicates */
    size_t conflicts;      /* of those, labelled differently */
} hf_intent_corpus;

/*
 * Loads data_dir/<intent>.txt for every intent and, when bitext_csv is not
 * NULL, the Bitext rows whose intents map onto ours (capped per class).
 * Errors: HF_ENOTFOUND (a corpus file or the CSV is missing), HF_EPARSE
 * (an over-long line, a malformed CSV; the message names file and line),
 * HF_EIO, HF_ENOMEM. On error *out is empty. Free with
 * hf_intent_corpus_free.
 */
hf_rc hf_intent_corpus_load(const char *data_dir, const char *bitext_csv,
                            hf_intent_corpus *out, hf_err *err);

/* Frees the examples and their texts; c is left empty. */
void hf_intent_corpus_free(hf_intent_corpus *c);

/* True when text belongs to the held-out split (about 20%). */
bool hf_intent_heldout(const char *text);

/*
 * Splits c into newly allocated arrays of the training and held-out
 * examples (texts still owned by c). Errors: HF_ENOMEM. Free both arrays
 * with hf_free.
 */
hf_rc hf_intent_corpus_split(const hf_intent_corpus *c,
                             hf_intent_example **train, size_t *ntrain,
                             hf_intent_example **test, size_t *ntest,
                             hf_err *err);

/*
 * Loads the corpus (as hf_intent_corpus_load) and trains on all of it.
 * From data/intents alone this takes well under a second. Errors: those
 * of loading and training.
 */
hf_rc hf_intent_train_default(const char *data_dir, const char *bitext_csv,
                              hf_intent_model **out, hf_err *err);

#endif
