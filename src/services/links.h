/*
 * links.h - the links a shopper gets in messages: their order's page, the
 * cancellation survey, the address fix. Each carries a signed token
 * (util/token.h) bound to a purpose and the order, so the link opens that
 * one thing for that one order until it expires.
 */
#ifndef HF_LINKS_H
#define HF_LINKS_H

#include "services/services.h"
#include "util/arena.h"

/* Reads the shop's link-signing key from the database, creating it (32
 * random bytes) on first use, into svc->link_key. Errors: HF_ESTORE. */
hf_rc hf_links_init(hf_services *svc, hf_err *err);

/* "BASE/PATH?t=TOKEN" for order_id and purpose, valid for days; PATH is
 * a printf format with one %s for what (an order number, say). NULL when
 * the arena is full. */
const char *hf_links_url(const hf_services *svc, hf_arena *a, const char *base,
                         const char *path_fmt, const char *what,
                         const char *purpose, const char *order_id, int days);

/* Just the token, for links whose path is the token (the survey). */
const char *hf_links_token(const hf_services *svc, hf_arena *a,
                           const char *purpose, const char *order_id, int days);

#endif
