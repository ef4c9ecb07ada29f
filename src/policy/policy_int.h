/*
 * policy_int.h - internals shared by the policy compiler's files; nothing
 * outside src/policy/ (and its unit tests) includes this.
 *
 *   outline.c  Markdown (md4c) -> logical lines with line, column, depth
 *   sigil.c    @tool(args), #Policy, $context inside one line
 *   lexicon.c  the concept table; words of a line -> what it says
 *   compile.c  lines -> plan: branches, offers, actions, diagnostics
 *   context.c  the $ paths the engine can fill in
 *   names.c    names of branches, actions and line kinds
 */
#ifndef HF_POLICY_INT_H
#define HF_POLICY_INT_H

#include "policy/plan.h"
#include "util/arena.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* --- outline.c ----------------------------------------------------------- */

/* One logical line of the outline: a heading, a list item's own text, a
 * paragraph or one sentence-line of it. */
typedef struct hf_outline_line {
    const char *text;    /* plain text, Markdown markers removed, NUL-ended */
    size_t len;          /* bytes of text */
    const int32_t *offs; /* source byte offset of every byte of text */
    int line, col;       /* of the first byte, 1-based */
    int depth;           /* heading: level - 7 (< 0); else list nesting */
    bool heading;        /* a Markdown heading (# or underlined) */
    bool bold;           /* all of it in one bold span ("**Steps**") */
    bool header;         /* a table's header row: a label */
    int sentence;        /* 0: the block's first; n: its n-th sentence after */
} hf_outline_line;

/* The source position (1-based line and byte column) of byte offset off. */
typedef struct hf_srcmap {
    const int32_t *starts; /* byte offset of each source line's start */
    size_t n;              /* number of source lines */
} hf_srcmap;

/* Splits doc[0..len) into logical lines, allocated in a. Errors: HF_ENOMEM
 * (also when the arena's cap is reached). */
hf_rc hf_policy_outline(hf_arena *a, const char *doc, size_t len,
                        hf_srcmap *map, hf_outline_line **out, size_t *n);

/* Line and column of byte offset off through map. */
void hf_srcmap_pos(const hf_srcmap *map, int32_t off, int *line, int *col);

/* --- sigil.c ------------------------------------------------------------- */

typedef enum hf_sigil_kind {
    HF_SIGIL_TOOL = '@',
    HF_SIGIL_REF = '#',
    HF_SIGIL_CTX = '$',
} hf_sigil_kind;

/* One @tool, #Policy or $path in a line. */
typedef struct hf_sigil {
    hf_sigil_kind kind;
    size_t pos, end;  /* byte range in the line, sigil and (args) included */
    const char *name; /* after the sigil, into the line's text */
    size_t name_len;
    size_t args_pos; /* TOOL: just after '(' or 0 when no argument list */
    size_t args_end; /* TOOL: at ')' (or the line's end when unclosed) */
    bool unclosed;   /* TOOL: '(' without ')' */
} hf_sigil;

/* Finds the sigils of text[0..len) in order, into a. Errors: HF_ENOMEM. */
hf_rc hf_policy_sigils(hf_arena *a, const char *text, size_t len,
                       hf_sigil **out, size_t *n);

/* --- lexicon.c ----------------------------------------------------------- */

/* What a concept of the lexicon means when a line says it. */
typedef enum hf_concept_role {
    HF_ROLE_NOTE,      /* another system does this: no effect */
    HF_ROLE_RULE,      /* cancellation window; value: last status */
    HF_ROLE_CONDITION, /* value: hf_branch */
    HF_ROLE_TRIGGER,   /* when the policy applies */
    HF_ROLE_SECTION,   /* follow-up: the accepts branch unless stated */
    HF_ROLE_ACTION,    /* value: hf_action_kind */
    HF_ROLE_OFFERS,    /* "retention options": names the offers at large */
    HF_ROLE_OFFER,     /* value: hf_offer_kind */
    HF_ROLE_REMARK,    /* prose for people (the bot's role, the policy's aim,
                          tone): no step */
} hf_concept_role;

/* One row of the lexicon: a concept and the phrases that say it. */
typedef struct hf_concept {
    const char *name; /* for explain and the docs */
    hf_concept_role role;
    int value;                  /* branch, action, offer kind or status */
    const char *const *phrases; /* NULL-terminated; syntax in lexicon.c */
} hf_concept;

/* The concept table, in priority order, and its length. */
const hf_concept *hf_lexicon_table(size_t *n);

/* A word of a line, normalized. */
typedef struct hf_token {
    const char *raw;              /* lower case, apostrophes dropped */
    const char *stem;             /* Snowball English stem of raw */
    uint32_t raw_hash, stem_hash; /* of raw and stem: most comparisons end
                                     there, without a strcmp */
    size_t pos;                   /* byte offset in the line */
    uint8_t brk;  /* what ends before it: 0 nothing, 1 a clause (, ; :
                     or a dash), 2 a sentence (. ! ? then a space) */
    bool claimed; /* already part of a concept's match */
} hf_token;

/* The lexicon with its phrases split and stemmed, ready to match. */
typedef struct hf_lexicon hf_lexicon;

/* Prepares the lexicon in a. NULL when out of memory. The stemmer is
 * released by hf_lexicon_free (the arena holds the rest). */
hf_lexicon *hf_lexicon_new(hf_arena *a);
void hf_lexicon_free(hf_lexicon *lx);

/* Splits text[0..len) into tokens in scratch, skipping the byte ranges of
 * sigils (each becomes one token "@", "#" or "$"). Errors: HF_ENOMEM. */
hf_rc hf_lexicon_tokenize(hf_lexicon *lx, hf_arena *scratch, const char *text,
                          size_t len, const hf_sigil *sigils, size_t n_sigils,
                          hf_token **out, size_t *n);

/* One concept found in a line. */
typedef struct hf_match {
    const hf_concept *concept;
    size_t first, last; /* token range of the match */
} hf_match;

/* Finds the concepts tokens say, in priority order; a token belongs to at
 * most one match. Fills out (up to max) and returns how many. */
size_t hf_lexicon_match(const hf_lexicon *lx, hf_token *tokens, size_t n,
                        hf_match *out, size_t max);

/* --- context.c ----------------------------------------------------------- */

/* The known $ paths, sorted; *n gets how many. */
const char *const *hf_policy_context_paths(size_t *n);

/* --- growing arrays in an arena ------------------------------------------ */

/* Makes room for one more element of size bytes in *p (n used, *cap
 * allocated), doubling into a. false when out of memory. */
bool hf_policy_grow(hf_arena *a, void **p, size_t n, size_t *cap, size_t size);

#endif
