/*
 * token.h - signed links for shoppers. A shopper reaches their own order
 * (its page, the address fix, the survey) only through a token bound to a
 * purpose, a subject (the order id) and an expiry, signed with the shop's
 * secret key (HMAC-SHA-256, libsodium). Tokens are URL-safe text.
 */
#ifndef HF_TOKEN_H
#define HF_TOKEN_H

#include "util/clock.h"
#include "util/hf.h"

enum {
    HF_TOKEN_KEY_BYTES = 32, /* the secret key */
    HF_TOKEN_MAX = 192,      /* a token's text, with its terminator */
    HF_TOKEN_SUBJECT_MAX = 64,
};

/* Writes the token for (purpose, subject, expires) into out. Returns
 * HF_EINVAL when subject is empty or longer than HF_TOKEN_SUBJECT_MAX - 1
 * bytes or purpose holds a '|'. */
hf_rc hf_token_sign(const unsigned char key[HF_TOKEN_KEY_BYTES],
                    const char *purpose, const char *subject, hf_time expires,
                    char out[HF_TOKEN_MAX]);

/* Checks token for purpose at time now; on success copies its subject
 * into subject and its expiry into *expires (may be NULL). Errors, with
 * err set: HF_EAUTH bad_token (malformed, another purpose, a wrong
 * signature) or token_expired. Comparisons take constant time. */
hf_rc hf_token_verify(const unsigned char key[HF_TOKEN_KEY_BYTES],
                      const char *purpose, const char *token, hf_time now,
                      char subject[HF_TOKEN_SUBJECT_MAX], hf_time *expires,
                      hf_err *err);

#endif
