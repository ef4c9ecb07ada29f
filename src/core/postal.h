/*
 * postal.h - what a postal address needs, country by country.
 *
 * One table, a row per country (see postal.c), says which fields a
 * country's addresses need, what its postal codes look like and whether
 * the street line must carry a house number. Countries without a row get
 * only the generic checks of core/validate.
 *
 * Postal-code formats are small patterns, not regular expressions:
 *   '9' an ASCII digit, 'A' an ASCII letter, 'X' either,
 *   ' ' or '-' a separator.
 * Alternatives are separated by '|'. A code is compared after upper-casing
 * it and dropping its spaces and hyphens, so "k1a0b1", "K1A-0B1" and
 * "K1A 0B1" are all the Canadian "K1A 0B1"; the canonical form puts the
 * pattern's separators back. A row may add a check the pattern cannot
 * express (Canada's unused letters, Spain's province prefix).
 *
 * Written by hand: the formats are a handful of fixed shapes, and a regex
 * library would add a dependency and a second syntax for no gain.
 */
#ifndef HF_POSTAL_H
#define HF_POSTAL_H

#include <stdbool.h>
#include <stddef.h>

/* Longest postal code accepted, canonical form, without the NUL. */
#define HF_POSTAL_MAX 15

typedef struct hf_country_rule {
    const char *code;     /* ISO 3166-1 alpha-2, upper case */
    const char *name;     /* English short name, for messages and docs */
    const char *postal;   /* pattern(s); NULL: the country has no codes */
    const char *example;  /* a valid code in canonical form, or NULL */
    bool postal_required; /* a code must be given (else optional) */
    bool region_required; /* state, province, prefecture... */
    bool house_number;    /* the street line must carry a number */
    /* A further check on the canonical code; NULL when none. */
    bool (*postal_extra)(const char *canonical);
} hf_country_rule;

/* The row for an ISO 3166-1 alpha-2 code (upper case), or NULL when the
 * country has no row. */
const hf_country_rule *hf_postal_country(const char *code);

/* The whole table, sorted by code; *n receives its length. */
const hf_country_rule *hf_postal_countries(size_t *n);

/* True when code is an assigned ISO 3166-1 alpha-2 code (or XK, Kosovo,
 * which carriers use). Case-sensitive: upper case only. */
bool hf_postal_country_assigned(const char *code);

/* Checks text against rule's postal-code format. On a match writes the
 * canonical form (upper case, the pattern's separators) into out, which
 * holds size bytes (HF_POSTAL_MAX + 1 is always enough), and returns true.
 * Returns false when text does not match, is NULL or empty, or the rule
 * has no format; out is then "" (when size > 0). */
bool hf_postal_check(const hf_country_rule *rule, const char *text, char *out,
                     size_t size);

/* True when text matches one of the '|'-separated patterns (the syntax
 * above), with the same normalisation; canonical form into out as
 * hf_postal_check. Exposed for tests and for rules defined elsewhere. */
bool hf_postal_match(const char *patterns, const char *text, char *out,
                     size_t size);

#endif
