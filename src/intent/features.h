/*
 * features.h - turns a customer's message into the sparse vector the
 * intent model reads (internal to src/intent/).
 *
 * Steps: normalise (lower case, UTF-8 kept whole, apostrophes folded so
 * "don't" reads "do not"), split into tokens, stem them with libstemmer
 * (English), then emit stemmed word unigrams, bigrams and trigrams,
 * "not_"-marked words after a negation, character 3..5-grams inside word
 * boundaries, the word's classes from lexicon.c (alone and after the
 * previous stem), pairs of stems anywhere in the message, and a few
 * indicators of the message's shape (ends with '?',
 * opens with a question word, order number, percentage, all capitals,
 * length bucket).
 * Every feature is hashed (FNV-1a) into HF_FEAT_DIM slots and the vector is
 * L2-normalised. Nothing here is global: the caller owns the stemmer, so
 * threads never share one.
 */
#ifndef HF_INTENT_FEATURES_H
#define HF_INTENT_FEATURES_H

#include <stddef.h>
#include <stdint.h>

struct sb_stemmer;

#define HF_FEAT_BITS 18
#define HF_FEAT_DIM (1u << HF_FEAT_BITS) /* hashed feature slots */
/* Bumped whenever the features change, so old model files are refused. */
#define HF_FEAT_VERSION 3u
/* Only the first HF_INTENT_MAX_TEXT bytes of a message are read. */
#define HF_INTENT_MAX_TEXT 4096

/* One non-zero entry of a feature vector. */
typedef struct hf_feat {
    uint32_t index; /* slot, 0 <= index < HF_FEAT_DIM */
    float value;    /* weight after L2 normalisation */
} hf_feat;

/* Stems of one message that are paired with each other (the first ones).
 * 16 reads as well as 32 in cross-validation (0.9356 against 0.9360) and
 * caps the pairs at 120, where 496 made a long message cost 120 us. */
#define HF_FEAT_PAIR_WORDS 16

/* Room enough for the features of a text of len bytes. The densest input
 * is a rewrite that grows ("np" read as "no problem": 31 features for 3
 * bytes with the space); 16 a byte leaves a margin, and the pairs of
 * stems add at most n(n-1)/2 for n = HF_FEAT_PAIR_WORDS. The test
 * unit_intent_classify checks the densest texts against it. */
#define HF_FEAT_ROOM(len)                                                      \
    ((size_t)(len)*16 + 32 + HF_FEAT_PAIR_WORDS * (HF_FEAT_PAIR_WORDS - 1) / 2)

/* A room big enough for the features of any (capped) text. */
#define HF_FEAT_CAP HF_FEAT_ROOM(HF_INTENT_MAX_TEXT)

/*
 * Extracts the features of text (at most HF_INTENT_MAX_TEXT bytes read)
 * into out[0..cap), sorted by index with duplicates merged, L2-normalised.
 * Returns how many were written (0 for an empty or wordless text); when cap
 * is too small the surplus is dropped, never overrun. st is an English
 * stemmer from sb_stemmer_new; NULL means words are used unstemmed.
 */
size_t hf_intent_features(struct sb_stemmer *st, const char *text, hf_feat *out,
                          size_t cap);

/*
 * Normalises text for comparison: lower case, apostrophes dropped,
 * everything that is not a letter or digit folded to one space, at most
 * HF_INTENT_MAX_TEXT bytes read. Writes a NUL-terminated string of at most
 * cap-1 bytes into out and returns its length. Used to find duplicates and
 * to decide the held-out split.
 */
size_t hf_intent_normalise(const char *text, char *out, size_t cap);

/* FNV-1a over n bytes, continuing from h (start with 2166136261u). */
uint32_t hf_intent_hash(uint32_t h, const void *p, size_t n);

#endif
