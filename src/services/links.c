/*
 * links.c - signed shopper links, and the key they are signed with (kept
 * in the settings table so that every process sharing a database signs
 * and checks alike).
 */
#include "services/links.h"

#include "util/token.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

enum { KEY_HEX = 2 * HF_TOKEN_KEY_BYTES + 1 };

typedef struct key_args {
    unsigned char *key;
} key_args;

static hf_rc load_key(hf_txn *t, void *arg, hf_err *err)
{
    key_args *k = arg;
    char fresh[KEY_HEX];
    unsigned char bytes[HF_TOKEN_KEY_BYTES];
    randombytes_buf(bytes, sizeof(bytes));
    sodium_bin2hex(fresh, sizeof(fresh), bytes, sizeof(bytes));
    sodium_memzero(bytes, sizeof(bytes));
    /* another process may have made one first: theirs stays */
    hf_rc rc = hf_txn_setting_add(t, "link_key", fresh, err);
    sodium_memzero(fresh, sizeof(fresh));
    hf_arena *a = hf_arena_new(4096);
    const char *hex = NULL;
    if (rc == HF_OK && a == NULL)
        rc = hf_fail(err, HF_ENOMEM, NULL, NULL, "out of memory");
    if (rc == HF_OK)
        rc = hf_txn_setting_get(t, "link_key", a, &hex, err);
    size_t len = 0;
    if (rc == HF_OK && (sodium_hex2bin(k->key, HF_TOKEN_KEY_BYTES, hex,
                                       strlen(hex), NULL, &len, NULL) != 0 ||
                        len != HF_TOKEN_KEY_BYTES))
        rc = hf_fail(err, HF_ESTORE, "store_error", NULL,
                     "the stored link key is damaged");
    hf_arena_free(a);
    return rc;
}

hf_rc hf_links_init(hf_services *svc, hf_err *err)
{
    key_args k = {svc->link_key};
    hf_rc rc = hf_store_write(svc->store, load_key, &k, err);
    svc->has_link_key = rc == HF_OK;
    return rc;
}

const char *hf_links_token(const hf_services *svc, hf_arena *a,
                           const char *purpose, const char *order_id, int days)
{
    char tok[HF_TOKEN_MAX];
    hf_time expires = hf_clock_now(svc->clock) + (hf_time)days * HF_DAY;
    if (!svc->has_link_key ||
        hf_token_sign(svc->link_key, purpose, order_id, expires, tok) != HF_OK)
        return NULL;
    return hf_arena_strdup(a, tok);
}

const char *hf_links_url(const hf_services *svc, hf_arena *a, const char *base,
                         const char *path_fmt, const char *what,
                         const char *purpose, const char *order_id, int days)
{
    char path[256];
    snprintf(path, sizeof(path), path_fmt, what);
    const char *tok = hf_links_token(svc, a, purpose, order_id, days);
    if (tok == NULL) /* no key (a tool that signs nothing): a plain link */
        return hf_arena_printf(a, "%s%s", base, path);
    return hf_arena_printf(a, "%s%s?t=%s", base, path, tok);
}
