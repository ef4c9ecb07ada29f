/*
 * intent.h - what a customer's message means: an intent with a confidence,
 * which offer it picks, and an order number it mentions.
 *
 * The model is a liblinear logistic regression over hashed features:
 * stemmed word unigrams and bigrams (libstemmer, English) and character
 * n-grams, so misspellings and rewordings still land. It is trained from
 * labelled examples (data/intents/ plus the public Bitext corpus, see
 * intent_corpus.h) and saved to one file. Classification is pure CPU, no
 * I/O, thread-safe on a shared model.
 */
#ifndef HF_INTENT_H
#define HF_INTENT_H

#include "core/offer.h"
#include "util/hf.h"

#include <stdbool.h>
#include <stddef.h>

typedef enum hf_intent {
    HF_INTENT_CANCEL_ORDER,  /* "I want to cancel my order" */
    HF_INTENT_ACCEPT_OFFER,  /* "ok, I'll take the discount" */
    HF_INTENT_DECLINE_OFFER, /* "no thanks" */
    HF_INTENT_INSIST_CANCEL, /* "just cancel it, I don't want offers" */
    HF_INTENT_ASK_AGENT,     /* "can I talk to a person" */
    HF_INTENT_QUESTION,      /* a question or a concern */
    HF_INTENT_ORDER_STATUS,  /* "where is my order" */
    HF_INTENT_CHANGE_ORDER,  /* "can I change the size" */
    HF_INTENT_THANKS,        /* "thank you" */
    HF_INTENT_OTHER,         /* anything else */
    HF_INTENT_COUNT
} hf_intent;

/* "cancel_order", ...; parse is its inverse (false when unknown). */
const char *hf_intent_name(hf_intent i);
bool hf_intent_parse(const char *name, hf_intent *out);

typedef struct hf_intent_result {
    hf_intent intent;
    double confidence;   /* the model's probability of intent, 0..1 */
    hf_offer_kind offer; /* the offer the message picks; NONE if none */
    int percent;         /* a percentage it names ("15%"), 0 if none */
    char order[32];      /* an order number it names ("HF-100042"), or "" */
} hf_intent_result;

typedef struct hf_intent_model hf_intent_model;

/* One labelled example; text is UTF-8. */
typedef struct hf_intent_example {
    const char *text;
    hf_intent intent;
} hf_intent_example;

/* Trains a model on ex[0..n). Errors: HF_EINVAL (no examples, or a class
 * with none), HF_ENOMEM. Free with hf_intent_model_free. */
hf_rc hf_intent_train(const hf_intent_example *ex, size_t n,
                      hf_intent_model **out, hf_err *err);

/* Like hf_intent_train with regularisation constant C (0: the default)
 * and, when balance is true, class weights inversely proportional to
 * class sizes. Errors as hf_intent_train. */
hf_rc hf_intent_train_with(const hf_intent_example *ex, size_t n, double C,
                           bool balance, hf_intent_model **out, hf_err *err);

/* Saves to / loads from one file. Errors: HF_EIO, HF_EPARSE (a file that
 * is not a model, with the reason), HF_ENOMEM. */
hf_rc hf_intent_model_save(const hf_intent_model *m, const char *path,
                           hf_err *err);
hf_rc hf_intent_model_load(const char *path, hf_intent_model **out,
                           hf_err *err);
void hf_intent_model_free(hf_intent_model *m);

/* Classifies text (at most the first 4 KiB are read) and extracts the
 * offer and order number. Never fails; empty text is OTHER with low
 * confidence. */
void hf_intent_classify(const hf_intent_model *m, const char *text,
                        hf_intent_result *out);

/* Only the extraction part (offer, percent, order number), without a
 * model; classify calls it too. */
void hf_intent_extract(const char *text, hf_intent_result *out);

#endif
