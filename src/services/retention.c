/*
 * retention.c - policies by version, and the intent model, for the
 * conversations service.
 *
 * A version is the text of the policy and of every policy it references,
 * kept as one JSON object and named by its hash: a conversation stores the
 * name and keeps running the text it started with, even after the files
 * change or the process restarts.
 */
#include "services/retention.h"

#include "intent/corpus.h"
#include "util/log.h"
#include "util/mem.h"

#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
    MAX_VERSIONS = 64, /* cached compiled versions; old ones stay usable */
    MAX_REFS = 16,     /* policies one version may pull in */
};

struct hf_retention {
    hf_retention_config cfg;
    hf_intent_model *model;
    hf_policy_bundle *current;
    bool trial;           /* a test screen's: runs current, borrows model */
    pthread_mutex_t lock; /* guards versions */
    hf_policy_bundle *versions[MAX_VERSIONS];
    size_t n_versions;
};

/* --- Bundles -------------------------------------------------------------- */

void hf_policy_bundle_free(hf_policy_bundle *b)
{
    if (b == NULL)
        return;
    hf_plan_free(b->plan);
    hf_plan_free(b->cancel_plan);
    free((char *)b->version);
    free((char *)b->name);
    free((char *)b->sources);
    hf_free(b);
}

/* "pv_" and the hex of a 16-byte BLAKE2b of the sources text. */
static char *version_of(const char *sources)
{
    unsigned char digest[16];
    crypto_generichash(digest, sizeof(digest), (const unsigned char *)sources,
                       strlen(sources), NULL, 0);
    char *out = malloc(3 + 2 * sizeof(digest) + 1);
    if (out == NULL)
        return NULL;
    memcpy(out, "pv_", 3);
    sodium_bin2hex(out + 3, 2 * sizeof(digest) + 1, digest, sizeof(digest));
    return out;
}

/* Compiles policy name out of the sources object, failing on any lint
 * error with the first one as file:line:col. */
static hf_rc compile_one(json_t *sources, const char *name, hf_plan **out,
                         hf_err *err)
{
    const char *names[MAX_REFS + 8];
    size_t n = 0;
    const char *key;
    json_t *v;
    json_object_foreach(sources, key, v)
    {
        if (n < HF_ARRAY_LEN(names))
            names[n++] = key;
    }
    json_t *text = json_object_get(sources, name);
    if (!json_is_string(text))
        return hf_fail(err, HF_ENOTFOUND, "policy_missing", NULL,
                       "policy %s is not among the sources", name);
    hf_policy_env env = {names, n};
    hf_plan *p;
    hf_rc rc = hf_policy_compile(name, json_string_value(text),
                                 json_string_length(text), &env, &p);
    if (rc != HF_OK)
        return hf_fail(err, rc, "policy_invalid", NULL,
                       "policy %s cannot be compiled (%s)", name,
                       hf_rc_name(rc));
    if (p->n_diags > 0) {
        hf_fail(err, HF_EPARSE, "policy_invalid", NULL, "%s.md:%d:%d: %s", name,
                p->diags[0].line, p->diags[0].col, p->diags[0].message);
        hf_plan_free(p);
        return HF_EPARSE;
    }
    *out = p;
    return HF_OK;
}

hf_rc hf_policy_bundle_compile(const char *name, const char *sources,
                               hf_policy_bundle **out, hf_err *err)
{
    json_error_t jerr;
    json_t *src = json_loads(sources, 0, &jerr);
    if (!json_is_object(src)) {
        json_decref(src);
        return hf_fail(err, HF_EPARSE, "policy_invalid", NULL,
                       "stored policy sources are not a JSON object");
    }
    hf_policy_bundle *b = hf_calloc(1, sizeof(*b));
    hf_rc rc = HF_ENOMEM;
    if (b == NULL)
        goto fail;
    b->name = strdup(name);
    b->sources = strdup(sources);
    b->version = version_of(sources);
    if (b->name == NULL || b->sources == NULL || b->version == NULL)
        goto fail;
    if ((rc = compile_one(src, name, &b->plan, err)) != HF_OK)
        goto fail;
    if (b->plan->cancel_policy != NULL &&
        strcmp(b->plan->cancel_policy, name) != 0 &&
        (rc = compile_one(src, b->plan->cancel_policy, &b->cancel_plan, err)) !=
            HF_OK)
        goto fail;
    json_decref(src);
    *out = b;
    return HF_OK;
fail:
    if (rc == HF_ENOMEM)
        hf_fail(err, rc, NULL, NULL, "out of memory");
    json_decref(src);
    hf_policy_bundle_free(b);
    return rc;
}

/* --- Reading policy files ------------------------------------------------- */

static hf_rc read_file(const char *dir, const char *name, char **out,
                       hf_err *err)
{
    char path[4096];
    snprintf(path, sizeof(path), "%s/%s.md", dir, name);
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return hf_fail(err, HF_EIO, "policy_missing", NULL, "%s: %s", path,
                       strerror(errno));
    char *buf = malloc(HF_POLICY_MAX_BYTES + 1);
    size_t n = buf ? fread(buf, 1, HF_POLICY_MAX_BYTES + 1, f) : 0;
    fclose(f);
    if (buf == NULL)
        return hf_fail(err, HF_ENOMEM, NULL, NULL, "out of memory");
    if (n > HF_POLICY_MAX_BYTES) {
        free(buf);
        return hf_fail(err, HF_ETOOBIG, "policy_too_big", NULL,
                       "%s is larger than %d bytes", path, HF_POLICY_MAX_BYTES);
    }
    buf[n] = '\0';
    *out = buf;
    return HF_OK;
}

/* Names of the policies in dir (file names without ".md"), into names
 * (strdup'd; free each). */
static size_t list_policies(const char *dir, char **names, size_t cap)
{
    DIR *d = opendir(dir);
    size_t n = 0;
    struct dirent *e;
    while (d != NULL && n < cap && (e = readdir(d)) != NULL) {
        size_t len = strlen(e->d_name);
        if (len > 3 && strcmp(e->d_name + len - 3, ".md") == 0 &&
            e->d_name[0] != '.')
            names[n++] = strndup(e->d_name, len - 3);
    }
    if (d != NULL)
        closedir(d);
    return n;
}

static int cmp_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

size_t hf_retention_policy_files(const hf_retention *r, char **names,
                                 size_t cap)
{
    size_t n = list_policies(r->cfg.policy_dir ? r->cfg.policy_dir : "policies",
                             names, cap);
    qsort(names, n, sizeof(*names), cmp_name);
    return n;
}

hf_rc hf_policy_sources_read(const char *dir, const char *name, char **out,
                             hf_err *err)
{
    char *known[256];
    size_t n_known = list_policies(dir, known, HF_ARRAY_LEN(known));
    json_t *src = json_object();
    const char *queue[MAX_REFS];
    size_t n_queue = 0, next = 0;
    hf_rc rc = HF_OK;
    queue[n_queue++] = name;
    while (rc == HF_OK && next < n_queue) {
        const char *cur = queue[next++];
        if (json_object_get(src, cur) != NULL)
            continue;
        char *text = NULL;
        if ((rc = read_file(dir, cur, &text, err)) != HF_OK)
            break;
        json_object_set_new(src, cur, json_string(text));
        hf_policy_env env = {(const char *const *)known, n_known};
        hf_plan *p = NULL;
        if (hf_policy_compile(cur, text, strlen(text), &env, &p) == HF_OK)
            for (size_t i = 0; i < p->n_refs && n_queue < MAX_REFS; i++)
                queue[n_queue++] = strdup(p->refs[i]);
        hf_plan_free(p);
        free(text);
    }
    for (size_t i = 1; i < n_queue; i++)
        free((char *)queue[i]);
    for (size_t i = 0; i < n_known; i++)
        free(known[i]);
    if (rc == HF_OK) {
        *out = json_dumps(src, JSON_SORT_KEYS | JSON_COMPACT);
        if (*out == NULL)
            rc = hf_fail(err, HF_ENOMEM, NULL, NULL, "out of memory");
    }
    json_decref(src);
    return rc;
}

/* --- The registry --------------------------------------------------------- */

static hf_rc load_model(hf_retention *r, hf_err *err)
{
    if (r->cfg.intents_model != NULL)
        return hf_intent_model_load(r->cfg.intents_model, &r->model, err);
    return hf_intent_train_default(r->cfg.intents_data ? r->cfg.intents_data
                                                       : "data/intents",
                                   NULL, &r->model, err);
}

hf_rc hf_retention_open(const hf_retention_config *cfg, hf_retention **out,
                        hf_err *err)
{
    hf_retention *r = hf_calloc(1, sizeof(*r));
    if (r == NULL)
        return hf_fail(err, HF_ENOMEM, NULL, NULL, "out of memory");
    r->cfg = *cfg;
    if (r->cfg.policy == NULL)
        r->cfg.policy = "Cancellation_retention_policy";
    if (r->cfg.max_discount_percent <= 0)
        r->cfg.max_discount_percent = 20;
    if (r->cfg.coupon_days <= 0)
        r->cfg.coupon_days = 90;
    if (r->cfg.min_confidence <= 0)
        r->cfg.min_confidence = 0.5;
    pthread_mutex_init(&r->lock, NULL);
    char *sources = NULL;
    hf_rc rc = hf_policy_sources_read(r->cfg.policy_dir ? r->cfg.policy_dir
                                                        : "policies",
                                      r->cfg.policy, &sources, err);
    if (rc == HF_OK)
        rc = hf_policy_bundle_compile(r->cfg.policy, sources, &r->current, err);
    free(sources);
    if (rc == HF_OK)
        rc = load_model(r, err);
    if (rc != HF_OK) {
        hf_retention_close(r);
        return rc;
    }
    r->versions[r->n_versions++] = r->current;
    *out = r;
    return HF_OK;
}

void hf_retention_close(hf_retention *r)
{
    if (r == NULL)
        return;
    for (size_t i = 0; i < r->n_versions; i++)
        hf_policy_bundle_free(r->versions[i]);
    if (r->n_versions == 0)
        hf_policy_bundle_free(r->current);
    if (!r->trial)
        hf_intent_model_free(r->model);
    pthread_mutex_destroy(&r->lock);
    hf_free(r);
}

const hf_retention_config *hf_retention_config_of(const hf_retention *r)
{
    return &r->cfg;
}

const hf_intent_model *hf_retention_model(const hf_retention *r)
{
    return r->model;
}

const hf_policy_bundle *hf_retention_current(hf_retention *r)
{
    return r->current;
}

static const hf_policy_bundle *cached(hf_retention *r, const char *version)
{
    const hf_policy_bundle *found = NULL;
    pthread_mutex_lock(&r->lock);
    for (size_t i = 0; i < r->n_versions && found == NULL; i++)
        if (strcmp(r->versions[i]->version, version) == 0)
            found = r->versions[i];
    pthread_mutex_unlock(&r->lock);
    return found;
}

/* Caches b (or finds a bundle of its version cached meanwhile): *out is
 * the one to use; b is freed when it is not. */
static hf_rc cache_put(hf_retention *r, hf_policy_bundle *b,
                       const hf_policy_bundle **out, hf_err *err)
{
    pthread_mutex_lock(&r->lock);
    const hf_policy_bundle *raced = NULL;
    for (size_t i = 0; i < r->n_versions && raced == NULL; i++)
        if (strcmp(r->versions[i]->version, b->version) == 0 &&
            strcmp(r->versions[i]->name, b->name) == 0)
            raced = r->versions[i];
    bool stored = raced == NULL && r->n_versions < MAX_VERSIONS;
    if (stored)
        r->versions[r->n_versions++] = b;
    pthread_mutex_unlock(&r->lock);
    if (raced != NULL) {
        hf_policy_bundle_free(b);
        *out = raced;
        return HF_OK;
    }
    if (!stored) {
        hf_log_warn("policy version cache is full; %s not cached", b->version);
        hf_policy_bundle_free(b);
        return hf_fail(err, HF_EBUSY, "policy_cache_full", NULL,
                       "too many policy versions in use; restart to clear");
    }
    *out = b;
    return HF_OK;
}

hf_rc hf_retention_version(hf_retention *r, hf_txn *t, const char *version,
                           const hf_policy_bundle **out, hf_err *err)
{
    if ((*out = cached(r, version)) != NULL)
        return HF_OK;
    hf_arena *a = hf_arena_new(0);
    if (a == NULL)
        return hf_fail(err, HF_ENOMEM, NULL, NULL, "out of memory");
    hf_policy_version v;
    hf_rc rc = hf_txn_policy_version_get(t, version, a, &v, err);
    hf_policy_bundle *b = NULL;
    if (rc == HF_OK)
        rc = hf_policy_bundle_compile(v.name, v.sources, &b, err);
    hf_arena_free(a);
    if (rc != HF_OK)
        return rc;
    return cache_put(r, b, out, err);
}

hf_rc hf_retention_named(hf_retention *r, const char *name,
                         const hf_policy_bundle **out, hf_err *err)
{
    if (name == NULL || *name == '\0' || strlen(name) > 128 ||
        strchr(name, '/') != NULL || name[0] == '.')
        return hf_fail(err, HF_EINVAL, "invalid", "policy",
                       "a policy is named by its file name, without .md");
    const hf_policy_bundle *found = NULL;
    pthread_mutex_lock(&r->lock);
    for (size_t i = 0; i < r->n_versions && found == NULL; i++)
        if (strcmp(r->versions[i]->name, name) == 0)
            found = r->versions[i];
    pthread_mutex_unlock(&r->lock);
    hf_rc rc = HF_OK;
    if (found == NULL) {
        char *sources = NULL;
        hf_policy_bundle *b = NULL;
        rc = hf_policy_sources_read(r->cfg.policy_dir ? r->cfg.policy_dir
                                                      : "policies",
                                    name, &sources, err);
        if (rc == HF_EIO)
            rc = hf_fail(err, HF_ENOTFOUND, "policy_missing", "policy",
                         "no policy %s", name);
        if (rc == HF_OK)
            rc = hf_policy_bundle_compile(name, sources, &b, err);
        free(sources);
        if (rc == HF_OK)
            rc = cache_put(r, b, &found, err);
    }
    *out = found;
    return rc;
}

/* --- Publishing ------------------------------------------------------------
 */

/* The setting naming the published version: "PUBLISHED FILES", the
 * version and the files' version it was made on. */
#define PUBLISHED_SETTING "policy_published"

hf_rc hf_retention_current_txn(hf_retention *r, hf_txn *t,
                               const hf_policy_bundle **out, hf_err *err)
{
    *out = r->current;
    if (r->trial)
        return HF_OK;
    hf_arena *a = hf_arena_new(512);
    if (a == NULL)
        return hf_fail(err, HF_ENOMEM, NULL, NULL, "out of memory");
    const char *value = NULL;
    hf_rc rc = hf_txn_setting_get(t, PUBLISHED_SETTING, a, &value, err);
    const char *space = rc == HF_OK ? strchr(value, ' ') : NULL;
    if (rc == HF_ENOTFOUND) {
        rc = HF_OK;
        hf_err_clear(err);
    } else if (space != NULL && strcmp(space + 1, r->current->version) == 0) {
        char version[64];
        snprintf(version, sizeof(version), "%.*s", (int)(space - value), value);
        rc = hf_retention_version(r, t, version, out, err);
    }
    hf_arena_free(a);
    return rc;
}

/* The sources of current with `name` replaced by text, as a JSON text
 * (malloc'd; free()). Errors: HF_ENOTFOUND unknown_policy, HF_ENOMEM. */
static hf_rc sources_with(const hf_policy_bundle *current, const char *name,
                          const char *text, char **out, hf_err *err)
{
    json_t *src = json_loads(current->sources, 0, NULL);
    if (json_object_get(src, name) == NULL) {
        json_decref(src);
        return hf_fail(err, HF_ENOTFOUND, "unknown_policy", "name",
                       "%s is not a policy of the current version (%s and "
                       "the policies it refers to)",
                       name, current->name);
    }
    json_object_set_new(src, name, json_string(text));
    *out = json_dumps(src, JSON_SORT_KEYS | JSON_COMPACT);
    json_decref(src);
    return *out ? HF_OK : hf_fail(err, HF_ENOMEM, NULL, NULL, "out of memory");
}

hf_rc hf_retention_edit_txn(hf_retention *r, hf_txn *t, const char *name,
                            const char *text, hf_policy_bundle **out,
                            hf_err *err)
{
    const hf_policy_bundle *cur;
    char *sources = NULL;
    hf_rc rc = hf_retention_current_txn(r, t, &cur, err);
    if (rc == HF_OK)
        rc = sources_with(cur, name, text, &sources, err);
    if (rc == HF_OK)
        rc = hf_policy_bundle_compile(cur->name, sources, out, err);
    free(sources);
    return rc;
}

hf_rc hf_retention_publish_txn(hf_retention *r, hf_txn *t, const char *name,
                               const char *text, hf_time now,
                               const hf_policy_bundle **out, hf_err *err)
{
    hf_policy_bundle *b = NULL;
    hf_rc rc = hf_retention_edit_txn(r, t, name, text, &b, err);
    /* the files' version too, so the history shows what this replaces
     * (if nothing stored it yet, as from a moment before, to list under
     * the new one) */
    if (rc == HF_OK)
        rc = hf_txn_policy_version_put(t, r->current->version, r->current->name,
                                       r->current->sources, now - 1, err);
    if (rc == HF_OK)
        rc = hf_txn_policy_version_put(t, b->version, b->name, b->sources, now,
                                       err);
    char value[160];
    if (rc == HF_OK) {
        snprintf(value, sizeof(value), "%s %s", b->version,
                 r->current->version);
        rc = hf_txn_setting_put(t, PUBLISHED_SETTING, value, err);
    }
    if (rc == HF_OK)
        rc = hf_retention_version(r, t, b->version, out, err);
    hf_policy_bundle_free(b);
    return rc;
}

hf_rc hf_retention_trial(const hf_retention *r, hf_policy_bundle *b,
                         hf_retention **out, hf_err *err)
{
    hf_retention *x = hf_calloc(1, sizeof(*x));
    if (x == NULL) {
        hf_policy_bundle_free(b);
        return hf_fail(err, HF_ENOMEM, NULL, NULL, "out of memory");
    }
    x->cfg = r->cfg;
    x->model = r->model;
    x->trial = true;
    x->current = b;
    x->versions[x->n_versions++] = b;
    pthread_mutex_init(&x->lock, NULL);
    *out = x;
    return HF_OK;
}
