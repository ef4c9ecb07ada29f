/*
 * token.c - signed, expiring tokens: base64url(subject) "." expiry in
 * seconds "." base64url(first 16 bytes of HMAC-SHA-256 over purpose,
 * subject and expiry). The purpose is not in the text: a token made for
 * the survey does not open the address page.
 */
#include "util/token.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { MAC_BYTES = 16 };

static const int b64 = sodium_base64_VARIANT_URLSAFE_NO_PADDING;

static void mac_of(const unsigned char key[HF_TOKEN_KEY_BYTES],
                   const char *purpose, const char *subject,
                   long long expires_s, unsigned char mac[MAC_BYTES])
{
    char msg[HF_TOKEN_MAX + 64];
    int n =
        snprintf(msg, sizeof(msg), "%s|%s|%lld", purpose, subject, expires_s);
    unsigned char full[crypto_auth_hmacsha256_BYTES];
    crypto_auth_hmacsha256_state st;
    crypto_auth_hmacsha256_init(&st, key, HF_TOKEN_KEY_BYTES);
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)msg, (size_t)n);
    crypto_auth_hmacsha256_final(&st, full);
    memcpy(mac, full, MAC_BYTES);
    sodium_memzero(full, sizeof(full));
}

hf_rc hf_token_sign(const unsigned char key[HF_TOKEN_KEY_BYTES],
                    const char *purpose, const char *subject, hf_time expires,
                    char out[HF_TOKEN_MAX])
{
    size_t len = strlen(subject);
    if (len == 0 || len >= HF_TOKEN_SUBJECT_MAX || strchr(purpose, '|'))
        return HF_EINVAL;
    long long expires_s = expires / 1000;
    unsigned char mac[MAC_BYTES];
    mac_of(key, purpose, subject, expires_s, mac);
    char subj64[sodium_base64_ENCODED_LEN(
        HF_TOKEN_SUBJECT_MAX, sodium_base64_VARIANT_URLSAFE_NO_PADDING)];
    char mac64[sodium_base64_ENCODED_LEN(
        MAC_BYTES, sodium_base64_VARIANT_URLSAFE_NO_PADDING)];
    sodium_bin2base64(subj64, sizeof(subj64), (const unsigned char *)subject,
                      len, b64);
    sodium_bin2base64(mac64, sizeof(mac64), mac, MAC_BYTES, b64);
    snprintf(out, HF_TOKEN_MAX, "%s.%lld.%s", subj64, expires_s, mac64);
    return HF_OK;
}

static hf_rc bad(hf_err *err)
{
    return hf_fail(err, HF_EAUTH, "bad_token", NULL, "this link is not valid");
}

hf_rc hf_token_verify(const unsigned char key[HF_TOKEN_KEY_BYTES],
                      const char *purpose, const char *token, hf_time now,
                      char subject[HF_TOKEN_SUBJECT_MAX], hf_time *expires,
                      hf_err *err)
{
    if (token == NULL || strlen(token) >= HF_TOKEN_MAX)
        return bad(err);
    const char *dot1 = strchr(token, '.');
    const char *dot2 = dot1 ? strchr(dot1 + 1, '.') : NULL;
    if (dot1 == NULL || dot2 == NULL || strchr(dot2 + 1, '.') != NULL)
        return bad(err);
    unsigned char subj[HF_TOKEN_SUBJECT_MAX];
    size_t subj_len = 0;
    if (sodium_base642bin(subj, sizeof(subj) - 1, token, (size_t)(dot1 - token),
                          NULL, &subj_len, NULL, b64) != 0 ||
        subj_len == 0 || memchr(subj, '\0', subj_len) != NULL)
        return bad(err);
    subj[subj_len] = '\0';
    char *end;
    long long expires_s = strtoll(dot1 + 1, &end, 10);
    if (end != dot2 || dot1 + 1 == dot2 || expires_s < 0)
        return bad(err);
    unsigned char mac[MAC_BYTES], want[MAC_BYTES];
    size_t mac_len = 0;
    if (sodium_base642bin(mac, sizeof(mac), dot2 + 1, strlen(dot2 + 1), NULL,
                          &mac_len, NULL, b64) != 0 ||
        mac_len != MAC_BYTES)
        return bad(err);
    mac_of(key, purpose, (const char *)subj, expires_s, want);
    if (crypto_verify_16(mac, want) != 0)
        return bad(err);
    if (now / 1000 > expires_s)
        return hf_fail(err, HF_EAUTH, "token_expired", NULL,
                       "this link has expired");
    memcpy(subject, subj, subj_len + 1);
    if (expires)
        *expires = (hf_time)expires_s * 1000;
    return HF_OK;
}
