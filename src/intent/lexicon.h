/*
 * lexicon.h - the word classes the intent features generalise over
 * (internal to src/intent/).
 *
 * A customer who asks for "your boss" or "a colleague" wants a person as
 * surely as one who asks for "an agent", but a model that has only seen
 * "agent" cannot know it. The lexicon names such families of words (a
 * person, a carrier, a payment method, a sign-off...), and the features
 * carry the family beside the word, so that what was learnt from the
 * common words reaches the rare ones.
 */
#ifndef HF_INTENT_LEXICON_H
#define HF_INTENT_LEXICON_H

#include <stddef.h>

/* How many word classes there are (bits of a class set). */
#define HF_WORD_CLASS_COUNT 23

/*
 * The classes word (lower case, apostrophes dropped, as the lexer reads
 * it) belongs to, as a set of bits 0..HF_WORD_CLASS_COUNT-1; 0 for a word
 * in none.
 */
unsigned hf_intent_word_classes(const char *word);

/* The name of class bit (0 <= bit < HF_WORD_CLASS_COUNT), e.g. "person". */
const char *hf_intent_word_class_name(int bit);

/*
 * Checks that the table is sorted with no word twice; returns the index of
 * the first entry out of order, or -1 when the table is sound.
 */
long hf_intent_lexicon_check(void);

#endif
