/*
 * auth.h - API keys and roles.
 *
 * A key is "hf_" followed by 32 random base-32 characters (160 bits). Only
 * its BLAKE2b hash is stored. A slow password hash is not needed: the key
 * is random and long, so the hash cannot be reversed by guessing, and a
 * fast hash keeps verification off the request's critical path.
 */
#ifndef HF_AUTH_H
#define HF_AUTH_H

#include "services/services.h"
#include "store/store.h"

typedef enum hf_role {
    HF_ROLE_ADMIN,
    HF_ROLE_AGENT,
    HF_ROLE_SERVICE,
    HF_ROLE_COUNT
} hf_role;

const char *hf_role_name(hf_role r);
bool hf_role_parse(const char *name, hf_role *out);

enum { HF_KEY_TEXT = 64 };

/* Creates a key with the role; writes the key itself (shown once, never
 * stored) into key_text and its id into id_out (HF_KEY_TEXT bytes each). */
hf_rc hf_auth_key_create(hf_txn *t, const hf_services *svc, hf_role role,
                         const char *label, char key_text[HF_KEY_TEXT],
                         char id_out[HF_KEY_TEXT], hf_err *err);

/* The role and id of a presented key. HF_EAUTH when it is not a live key.
 * id is copied into id_out (HF_KEY_TEXT bytes). A key found valid is
 * remembered in memory for a minute, so revoking one takes effect within
 * that. */
hf_rc hf_auth_verify(const hf_services *svc, const char *key_text,
                     hf_role *role, char id_out[HF_KEY_TEXT], hf_err *err);

#endif
