/* experiments.c - policy experiments with a holdout arm (experiments.h). */
#include "services/experiments.h"

#include "core/stats.h"
#include "services/retention.h"
#include "util/id.h"
#include "util/jsonw.h"

#include <jansson.h>
#include <math.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { SAVE_WINDOW_DAYS = 30, MAX_NAME = 100, MAX_WEIGHT = 1000 };

/* --- Assignment ---------------------------------------------------------- */

size_t hf_experiment_pick(const char *experiment_id, const char *customer_id,
                          const int *weights, size_t n)
{
    /* BLAKE2b of "experiment:customer": uniform, and independent between
     * experiments, so one experiment's arm says nothing of another's */
    crypto_generichash_state st;
    unsigned char digest[8];
    crypto_generichash_init(&st, NULL, 0, sizeof(digest));
    crypto_generichash_update(&st, (const unsigned char *)experiment_id,
                              strlen(experiment_id));
    crypto_generichash_update(&st, (const unsigned char *)":", 1);
    crypto_generichash_update(&st, (const unsigned char *)customer_id,
                              strlen(customer_id));
    crypto_generichash_final(&st, digest, sizeof(digest));
    uint64_t h = 0;
    for (size_t i = 0; i < sizeof(digest); i++)
        h = h << 8 | digest[i];
    uint64_t total = 0;
    for (size_t i = 0; i < n; i++)
        total += (uint64_t)weights[i];
    /* the modulo bias is below 1e-15 for any total of weights allowed */
    uint64_t x = total ? h % total : 0;
    for (size_t i = 0; i < n; i++) {
        if (x < (uint64_t)weights[i])
            return i;
        x -= (uint64_t)weights[i];
    }
    return 0;
}

/* The stored arms of e, parsed (a new reference; NULL when corrupt). */
static json_t *arms_of(const hf_experiment_row *e)
{
    json_t *arms = json_loads(e->arms, 0, NULL);
    if (!json_is_array(arms) || json_array_size(arms) == 0 ||
        json_array_size(arms) > HF_EXPERIMENT_MAX_ARMS) {
        json_decref(arms);
        return NULL;
    }
    return arms;
}

static int cooldown_days(const hf_services *svc, const hf_experiment_row *e)
{
    if (e != NULL)
        return e->offer_cooldown_days;
    return svc->retention
               ? hf_retention_config_of(svc->retention)->offer_cooldown_days
               : 0;
}

hf_rc hf_experiment_assign(hf_txn *t, const hf_services *svc,
                           const char *customer_id, hf_time now, hf_arena *a,
                           hf_assignment *out, hf_err *err)
{
    memset(out, 0, sizeof(*out));
    hf_experiment_row e;
    hf_rc rc = hf_txn_experiment_running(t, a, &e, err);
    if (rc != HF_OK && rc != HF_ENOTFOUND)
        return rc;
    bool running = rc == HF_OK;
    int days = cooldown_days(svc, running ? &e : NULL);
    if (days > 0) {
        hf_time last;
        if ((rc = hf_txn_customer_last_offer(t, customer_id, &last, err)) !=
            HF_OK)
            return rc;
        if (last != 0 && now - last < (hf_time)days * HF_DAY) {
            out->experiment_id = running ? e.id : NULL;
            out->arm = "cooldown";
            out->no_offers = true;
            return HF_OK;
        }
    }
    if (!running)
        return HF_OK;
    json_t *arms = arms_of(&e);
    if (arms == NULL)
        return hf_fail(err, HF_ESTORE, "store_error", NULL,
                       "experiment %s has unreadable arms", e.id);
    int weights[HF_EXPERIMENT_MAX_ARMS];
    size_t n = json_array_size(arms);
    for (size_t i = 0; i < n; i++)
        weights[i] = (int)json_integer_value(
            json_object_get(json_array_get(arms, i), "weight"));
    json_t *arm =
        json_array_get(arms, hf_experiment_pick(e.id, customer_id, weights, n));
    const char *name = json_string_value(json_object_get(arm, "name"));
    const char *policy = json_string_value(json_object_get(arm, "policy"));
    out->experiment_id = e.id;
    out->arm = hf_arena_strdup(a, name ? name : "");
    out->policy = policy ? hf_arena_strdup(a, policy) : NULL;
    out->no_offers = json_is_true(json_object_get(arm, "holdout"));
    json_decref(arms);
    if (out->arm == NULL || (policy && out->policy == NULL))
        return hf_fail(err, HF_ENOMEM, NULL, NULL, "out of memory");
    return HF_OK;
}

hf_rc hf_experiment_no_offers(hf_txn *t, const char *experiment_id,
                              const char *arm, hf_arena *a, bool *out,
                              hf_err *err)
{
    *out = arm != NULL && strcmp(arm, "cooldown") == 0;
    if (*out || experiment_id == NULL || arm == NULL)
        return HF_OK;
    hf_experiment_row e;
    hf_rc rc = hf_txn_experiment_get(t, experiment_id, a, &e, err);
    if (rc != HF_OK)
        return rc;
    json_t *arms = arms_of(&e);
    size_t i;
    json_t *item;
    json_array_foreach(arms, i, item)
    {
        const char *name = json_string_value(json_object_get(item, "name"));
        if (name && strcmp(name, arm) == 0)
            *out = json_is_true(json_object_get(item, "holdout"));
    }
    json_decref(arms);
    return HF_OK;
}

/* --- The resource -------------------------------------------------------- */

static void experiment_members(hf_jsonw *w, const hf_experiment_row *e)
{
    hf_jw_key(w, "id");
    hf_jw_str(w, e->id);
    hf_jw_key(w, "name");
    hf_jw_str(w, e->name);
    hf_jw_key(w, "status");
    hf_jw_str(w, e->status);
}

static void experiment_json(hf_jsonw *w, const hf_experiment_row *e)
{
    hf_jw_object(w);
    experiment_members(w, e);
    hf_jw_key(w, "arms");
    hf_jw_raw(w, e->arms);
    hf_jw_key(w, "offer_cooldown_days");
    hf_jw_int(w, e->offer_cooldown_days);
    hf_jw_key(w, "created_at");
    hf_jw_time(w, e->created_at);
    hf_jw_key(w, "stopped_at");
    hf_jw_time_or_null(w, e->stopped_at);
    hf_jw_object_end(w);
}

static hf_rc one_json(const hf_experiment_row *e, hf_arena *a,
                      const char **json, hf_err *err)
{
    hf_jsonw w;
    hf_jw_init(&w, a);
    experiment_json(&w, e);
    *json = hf_jw_finish(&w);
    return *json ? HF_OK : hf_fail(err, HF_ENOMEM, NULL, NULL, "out of memory");
}

static hf_rc check_spec(const hf_services *svc, const hf_experiment_spec *s,
                        hf_err *err)
{
    if (s->name == NULL || *s->name == '\0' || strlen(s->name) > MAX_NAME)
        return hf_fail(err, HF_EINVAL, "invalid", "name",
                       "name must be 1 to %d characters", MAX_NAME);
    if (s->n_arms < 2 || s->n_arms > HF_EXPERIMENT_MAX_ARMS)
        return hf_fail(err, HF_EINVAL, "invalid", "arms",
                       "an experiment has 2 to %d arms",
                       HF_EXPERIMENT_MAX_ARMS);
    if (s->offer_cooldown_days < -1 || s->offer_cooldown_days > 3650)
        return hf_fail(err, HF_EINVAL, "invalid", "offer_cooldown_days",
                       "offer_cooldown_days must be 0 to 3650");
    size_t holdouts = 0;
    for (size_t i = 0; i < s->n_arms; i++) {
        const hf_experiment_arm *arm = &s->arms[i];
        char field[32];
        snprintf(field, sizeof(field), "arms[%zu]", i);
        if (arm->name == NULL || *arm->name == '\0' ||
            strlen(arm->name) > MAX_NAME || strcmp(arm->name, "cooldown") == 0)
            return hf_fail(err, HF_EINVAL, "invalid", field,
                           "each arm needs a name of 1 to %d characters "
                           "(not \"cooldown\")",
                           MAX_NAME);
        for (size_t j = 0; j < i; j++)
            if (strcmp(s->arms[j].name, arm->name) == 0)
                return hf_fail(err, HF_EINVAL, "invalid", field,
                               "two arms are named %s", arm->name);
        if (arm->weight < 1 || arm->weight > MAX_WEIGHT)
            return hf_fail(err, HF_EINVAL, "invalid", field,
                           "an arm's weight is 1 to %d", MAX_WEIGHT);
        if (arm->holdout) {
            if (++holdouts > 1)
                return hf_fail(err, HF_EINVAL, "invalid", field,
                               "an experiment has at most one holdout arm");
            continue;
        }
        if (arm->policy == NULL)
            return hf_fail(err, HF_EINVAL, "invalid", field,
                           "an arm that is not the holdout names a policy");
        const hf_policy_bundle *b;
        hf_rc rc = hf_retention_named(svc->retention, arm->policy, &b, err);
        if (rc != HF_OK) {
            char why[sizeof(err->message)];
            snprintf(why, sizeof(why), "%s", err->message);
            return hf_fail(err, HF_EINVAL, "invalid_policy", field,
                           "arm %s: %s", arm->name, why);
        }
    }
    return HF_OK;
}

hf_rc hf_experiment_create_txn(hf_txn *t, const hf_services *svc,
                               const hf_experiment_spec *spec, hf_arena *a,
                               const char **json, hf_err *err)
{
    if (svc->retention == NULL)
        return hf_fail(err, HF_EBUSY, "policy_unavailable", NULL,
                       "no cancellation policy is loaded");
    hf_rc rc = check_spec(svc, spec, err);
    if (rc != HF_OK)
        return rc;
    hf_jsonw w;
    hf_jw_init(&w, a);
    hf_jw_array(&w);
    for (size_t i = 0; i < spec->n_arms; i++) {
        hf_jw_object(&w);
        hf_jw_key(&w, "name");
        hf_jw_str(&w, spec->arms[i].name);
        hf_jw_key(&w, "policy");
        hf_jw_str(&w, spec->arms[i].holdout ? NULL : spec->arms[i].policy);
        hf_jw_key(&w, "holdout");
        hf_jw_bool(&w, spec->arms[i].holdout);
        hf_jw_key(&w, "weight");
        hf_jw_int(&w, spec->arms[i].weight);
        hf_jw_object_end(&w);
    }
    hf_jw_array_end(&w);
    char *id = hf_arena_alloc(a, HF_ID_MAX);
    if (id == NULL)
        return hf_fail(err, HF_ENOMEM, NULL, NULL, "out of memory");
    hf_id_new("exp", 16, id);
    hf_experiment_row e = {
        .id = id,
        .name = spec->name,
        .status = "running",
        .arms = hf_jw_finish(&w),
        .offer_cooldown_days = spec->offer_cooldown_days < 0
                                   ? HF_EXPERIMENT_DEFAULT_COOLDOWN
                                   : spec->offer_cooldown_days,
        .created_at = hf_clock_now(svc->clock),
    };
    if (e.arms == NULL)
        return hf_fail(err, HF_ENOMEM, NULL, NULL, "out of memory");
    if ((rc = hf_txn_experiment_insert(t, &e, err)) != HF_OK)
        return rc;
    return one_json(&e, a, json, err);
}

hf_rc hf_experiment_get_txn(hf_txn *t, const char *id, hf_arena *a,
                            const char **json, hf_err *err)
{
    hf_experiment_row e;
    hf_rc rc = hf_txn_experiment_get(t, id, a, &e, err);
    return rc == HF_OK ? one_json(&e, a, json, err) : rc;
}

hf_rc hf_experiment_list_txn(hf_txn *t, hf_arena *a, const char **json,
                             hf_err *err)
{
    hf_experiment_row *e;
    size_t n;
    hf_rc rc = hf_txn_experiment_list(t, a, &e, &n, err);
    if (rc != HF_OK)
        return rc;
    hf_jsonw w;
    hf_jw_init(&w, a);
    hf_jw_object(&w);
    hf_jw_key(&w, "experiments");
    hf_jw_array(&w);
    for (size_t i = 0; i < n; i++)
        experiment_json(&w, &e[i]);
    hf_jw_array_end(&w);
    hf_jw_object_end(&w);
    *json = hf_jw_finish(&w);
    return *json ? HF_OK : hf_fail(err, HF_ENOMEM, NULL, NULL, "out of memory");
}

hf_rc hf_experiment_stop_txn(hf_txn *t, const hf_services *svc, const char *id,
                             hf_arena *a, const char **json, hf_err *err)
{
    hf_experiment_row e;
    bool changed;
    hf_rc rc = hf_txn_experiment_get(t, id, a, &e, err);
    /* stopping a stopped experiment is a no-op (changed is false) */
    if (rc == HF_OK)
        rc = hf_txn_experiment_stop(t, id, hf_clock_now(svc->clock), &changed,
                                    err);
    if (rc == HF_OK)
        rc = hf_experiment_get_txn(t, id, a, json, err);
    return rc;
}

/* --- Results ------------------------------------------------------------- */

typedef struct arm_result {
    const char *name;
    bool holdout;
    int64_t customers, requests, mature, saved;
    int64_t kept, discounts;
    int64_t csat_sum, csat_n;
} arm_result;

static int by_arm_customer(const void *pa, const void *pb)
{
    const hf_experiment_request *a = pa, *b = pb;
    int c = strcmp(a->arm ? a->arm : "", b->arm ? b->arm : "");
    return c ? c : strcmp(a->customer_id, b->customer_id);
}

static void interval_json(hf_jsonw *w, hf_interval i)
{
    hf_jw_object(w);
    hf_jw_key(w, "value");
    hf_jw_double(w, i.value);
    hf_jw_key(w, "low");
    hf_jw_double(w, i.low);
    hf_jw_key(w, "high");
    hf_jw_double(w, i.high);
    hf_jw_object_end(w);
}

static void arm_json(hf_jsonw *w, const arm_result *r, const char *currency)
{
    hf_jw_object(w);
    hf_jw_key(w, "name");
    hf_jw_str(w, r->name);
    hf_jw_key(w, "holdout");
    hf_jw_bool(w, r->holdout);
    hf_jw_key(w, "customers");
    hf_jw_int(w, r->customers);
    hf_jw_key(w, "requests");
    hf_jw_int(w, r->requests);
    hf_jw_key(w, "mature_requests");
    hf_jw_int(w, r->mature);
    hf_jw_key(w, "saved");
    hf_jw_int(w, r->saved);
    hf_jw_key(w, "save_rate");
    interval_json(w, hf_stats_wilson(r->saved, r->mature));
    hf_jw_key(w, "revenue_kept");
    hf_jw_int(w, r->kept);
    hf_jw_key(w, "discounts_given");
    hf_jw_int(w, r->discounts);
    hf_jw_key(w, "currency");
    hf_jw_str(w, currency);
    hf_jw_key(w, "csat");
    hf_jw_object(w);
    hf_jw_key(w, "mean");
    hf_jw_double(w, r->csat_n ? (double)r->csat_sum / (double)r->csat_n : NAN);
    hf_jw_key(w, "n");
    hf_jw_int(w, r->csat_n);
    hf_jw_object_end(w);
    hf_jw_object_end(w);
}

/* Counts each request into its arm: a request is mature 30 days after it
 * began, and saved when mature and its order was not cancelled within
 * those 30 days; revenue kept and discounts are the saved orders'. */
static void tally(hf_experiment_request *q, size_t n, hf_time now,
                  arm_result *r, size_t n_arms, int64_t *cooldown,
                  const char **currency)
{
    if (n > 1) /* qsort's array may not be NULL, even empty */
        qsort(q, n, sizeof(*q), by_arm_customer);
    for (size_t i = 0; i < n; i++) {
        arm_result *arm = NULL;
        for (size_t k = 0; k < n_arms && arm == NULL; k++)
            if (q[i].arm && strcmp(q[i].arm, r[k].name) == 0)
                arm = &r[k];
        if (arm == NULL) {
            ++*cooldown;
            continue;
        }
        arm->requests++;
        if (i == 0 || by_arm_customer(&q[i - 1], &q[i]) != 0)
            arm->customers++;
        if (q[i].rating > 0) {
            arm->csat_sum += q[i].rating;
            arm->csat_n++;
        }
        hf_time window = SAVE_WINDOW_DAYS * HF_DAY;
        if (q[i].at + window > now)
            continue;
        arm->mature++;
        if (q[i].cancelled_at != 0 && q[i].cancelled_at <= q[i].at + window)
            continue;
        arm->saved++;
        if (*currency == NULL)
            *currency = q[i].currency;
        if (strcmp(*currency, q[i].currency) == 0) {
            arm->kept += q[i].total;
            arm->discounts += q[i].discount;
        }
    }
}

hf_rc hf_experiment_results_txn(hf_txn *t, const hf_services *svc,
                                const char *id, hf_arena *a, const char **json,
                                hf_err *err)
{
    hf_experiment_row e;
    hf_experiment_request *q;
    size_t n;
    hf_rc rc = hf_txn_experiment_get(t, id, a, &e, err);
    if (rc == HF_OK)
        rc = hf_txn_experiment_requests(t, id, a, &q, &n, err);
    if (rc != HF_OK)
        return rc;
    json_t *arms = arms_of(&e);
    arm_result r[HF_EXPERIMENT_MAX_ARMS];
    size_t n_arms = json_array_size(arms), holdout = n_arms;
    memset(r, 0, sizeof(r));
    for (size_t i = 0; i < n_arms; i++) {
        json_t *arm = json_array_get(arms, i);
        r[i].name =
            hf_arena_strdup(a, json_string_value(json_object_get(arm, "name")));
        r[i].holdout = json_is_true(json_object_get(arm, "holdout"));
        if (r[i].holdout)
            holdout = i;
        if (r[i].name == NULL)
            r[i].name = "";
    }
    json_decref(arms);
    int64_t cooldown = 0;
    const char *currency = NULL;
    tally(q, n, hf_clock_now(svc->clock), r, n_arms, &cooldown, &currency);
    hf_jsonw w;
    hf_jw_init(&w, a);
    hf_jw_object(&w);
    experiment_members(&w, &e);
    hf_jw_key(&w, "arms");
    hf_jw_array(&w);
    for (size_t i = 0; i < n_arms; i++)
        arm_json(&w, &r[i], currency);
    hf_jw_array_end(&w);
    hf_jw_key(&w, "cooldown_requests");
    hf_jw_int(&w, cooldown);
    hf_jw_key(&w, "comparisons");
    hf_jw_array(&w);
    for (size_t i = 0; holdout < n_arms && i < n_arms; i++) {
        if (i == holdout)
            continue;
        hf_comparison c = hf_stats_two_proportions(
            r[i].saved, r[i].mature, r[holdout].saved, r[holdout].mature);
        hf_jw_object(&w);
        hf_jw_key(&w, "arm");
        hf_jw_str(&w, r[i].name);
        hf_jw_key(&w, "versus");
        hf_jw_str(&w, r[holdout].name);
        hf_jw_key(&w, "metric");
        hf_jw_str(&w, "save_rate");
        hf_jw_key(&w, "difference");
        hf_jw_double(&w, c.difference);
        hf_jw_key(&w, "low");
        hf_jw_double(&w, c.low);
        hf_jw_key(&w, "high");
        hf_jw_double(&w, c.high);
        hf_jw_key(&w, "p_value");
        hf_jw_double(&w, c.p_value);
        hf_jw_object_end(&w);
    }
    hf_jw_array_end(&w);
    hf_jw_object_end(&w);
    *json = hf_jw_finish(&w);
    return *json ? HF_OK : hf_fail(err, HF_ENOMEM, NULL, NULL, "out of memory");
}
