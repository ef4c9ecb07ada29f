/*
 * conversation_state.h - what a conversation remembers between turns,
 * stored as a JSON object with the conversation: the engine's state and
 * the cancel request's reason and note.
 */
#ifndef HF_CONVERSATION_STATE_H
#define HF_CONVERSATION_STATE_H

#include "policy/engine.h"
#include "util/jsonw.h"

typedef struct hf_convo {
    hf_convo_state st;
    const char *reason; /* cancellation reason code, may be NULL */
    const char *note;   /* the customer's words with the request, may be
                           NULL */
} hf_convo;

/* c as JSON text in a; NULL when a is full. */
const char *hf_convo_to_json(const hf_convo *c, hf_arena *a);

/* Reads what hf_convo_to_json wrote (strings into a). HF_ESTORE when the
 * text is not such an object. Unknown names read as the first value. */
hf_rc hf_convo_from_json(const char *text, hf_arena *a, hf_convo *c,
                         hf_err *err);

/* An offer, and the offers on the table, as the API shows them. */
void hf_offer_json(hf_jsonw *w, const hf_offer *o, hf_arena *a);
void hf_offers_json(hf_jsonw *w, const hf_convo_state *st, hf_arena *a);

#endif
