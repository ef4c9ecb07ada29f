/* auth.c - API keys: creation and verification. */
#include "services/auth.h"
#include "util/id.h"

#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

static const char *const role_names[HF_ROLE_COUNT] = {"admin", "agent",
                                                      "service"};

const char *hf_role_name(hf_role r)
{
    return (unsigned)r < HF_ROLE_COUNT ? role_names[r] : "unknown";
}

bool hf_role_parse(const char *name, hf_role *out)
{
    for (int r = 0; name != NULL && r < HF_ROLE_COUNT; r++) {
        if (strcmp(name, role_names[r]) == 0) {
            *out = (hf_role)r;
            return true;
        }
    }
    return false;
}

/* Hex of BLAKE2b-256 of the key. */
static void key_hash(const char *key, char hex[65])
{
    unsigned char digest[32];
    crypto_generichash(digest, sizeof(digest), (const unsigned char *)key,
                       strlen(key), NULL, 0);
    sodium_bin2hex(hex, 65, digest, sizeof(digest));
}

hf_rc hf_auth_key_create(hf_txn *t, const hf_services *svc, hf_role role,
                         const char *label, char key_text[HF_KEY_TEXT],
                         char id_out[HF_KEY_TEXT], hf_err *err)
{
    char id[HF_ID_MAX], secret[HF_ID_MAX], hash[65];
    hf_id_new("key", 16, id);
    hf_id_new("hf", 32, secret);
    key_hash(secret, hash);
    hf_api_key k = {id, hash, hf_role_name(role), label,
                    hf_clock_now(svc->clock)};
    hf_rc rc = hf_txn_api_key_insert(t, &k, err);
    if (rc != HF_OK)
        return rc;
    snprintf(key_text, HF_KEY_TEXT, "%s", secret);
    snprintf(id_out, HF_KEY_TEXT, "%s", id);
    return HF_OK;
}

typedef struct verify_args {
    const char *hash;
    hf_role *role;
    char *id_out;
} verify_args;

static hf_rc key_find_fn(hf_txn *t, void *arg, hf_err *err)
{
    verify_args *v = arg;
    hf_arena *a = hf_arena_new(16384); /* the record: a few short strings */
    if (a == NULL)
        return hf_fail(err, HF_ENOMEM, NULL, NULL, "out of memory");
    hf_api_key k;
    hf_rc rc = hf_txn_api_key_find(t, v->hash, a, &k, err);
    if (rc == HF_OK) {
        if (!hf_role_parse(k.role, v->role))
            rc = HF_ENOTFOUND;
        snprintf(v->id_out, HF_KEY_TEXT, "%s", k.id);
    }
    hf_arena_free(a);
    return rc;
}

/* Keys verified lately, so that a request costs a hash lookup in memory
 * rather than a database read. Entries live CACHE_TTL; only valid keys are
 * kept, so a wrong key always reaches the database. */
enum { CACHE_SLOTS = 256 };
#define CACHE_TTL (60 * HF_SECOND)

static struct cached_key {
    char hash[65]; /* "" for an empty slot */
    hf_role role;
    char id[HF_KEY_TEXT];
    hf_time expires;
} key_cache[CACHE_SLOTS];
static pthread_mutex_t key_cache_mu = PTHREAD_MUTEX_INITIALIZER;

static struct cached_key *cache_slot(const char *hash)
{
    /* the hash is uniformly random hex: its first bytes pick the slot */
    unsigned h = 0;
    for (int i = 0; i < 4; i++)
        h = h * 16 +
            (unsigned)(hash[i] <= '9' ? hash[i] - '0' : hash[i] - 'a' + 10);
    return &key_cache[h % CACHE_SLOTS];
}

static bool cache_get(const char *hash, hf_time now, hf_role *role,
                      char id_out[HF_KEY_TEXT])
{
    bool hit = false;
    pthread_mutex_lock(&key_cache_mu);
    struct cached_key *k = cache_slot(hash);
    if (strcmp(k->hash, hash) == 0 && now < k->expires) {
        *role = k->role;
        memcpy(id_out, k->id, HF_KEY_TEXT);
        hit = true;
    }
    pthread_mutex_unlock(&key_cache_mu);
    return hit;
}

static void cache_put(const char *hash, hf_time now, hf_role role,
                      const char *id)
{
    pthread_mutex_lock(&key_cache_mu);
    struct cached_key *k = cache_slot(hash);
    snprintf(k->hash, sizeof(k->hash), "%s", hash);
    k->role = role;
    snprintf(k->id, sizeof(k->id), "%s", id);
    k->expires = now + CACHE_TTL;
    pthread_mutex_unlock(&key_cache_mu);
}

hf_rc hf_auth_verify(const hf_services *svc, const char *key_text,
                     hf_role *role, char id_out[HF_KEY_TEXT], hf_err *err)
{
    if (key_text == NULL || strncmp(key_text, "hf_", 3) != 0 ||
        strlen(key_text) > 64)
        return hf_fail(err, HF_EAUTH, "unauthorized", NULL,
                       "a valid API key is required");
    char hash[65];
    key_hash(key_text, hash);
    hf_time now = hf_clock_now(svc->clock);
    if (cache_get(hash, now, role, id_out))
        return HF_OK;
    verify_args v = {hash, role, id_out};
    hf_rc rc = hf_store_read(svc->store, key_find_fn, &v, err);
    if (rc == HF_ENOTFOUND)
        return hf_fail(err, HF_EAUTH, "unauthorized", NULL,
                       "a valid API key is required");
    if (rc == HF_OK)
        cache_put(hash, now, *role, id_out);
    return rc;
}
