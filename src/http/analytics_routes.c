/* analytics_routes.c - the KPI and experiment endpoints
 * (analytics_routes.h). */
#include "http/analytics_routes.h"
#include "services/analytics.h"
#include "services/experiments.h"
#include "services/outlook.h"

#include <stdlib.h>

#include <microhttpd.h>
#include <stdio.h>
#include <string.h>

typedef struct kpi_call {
    const hf_services *svc;
    hf_kpi_query q;
    hf_kpi_format format;
    hf_arena *a;
    const char *out;
} kpi_call;

static hf_rc read_kpis(hf_txn *t, void *arg, hf_err *err)
{
    kpi_call *c = arg;
    hf_kpi_targets defaults;
    const hf_kpi_targets *tg = c->svc->kpi_targets;
    if (tg == NULL) {
        hf_kpi_targets_load(NULL, &defaults, err);
        tg = &defaults;
    }
    return hf_analytics_kpis_txn(t, tg, &c->q, c->format, c->a, &c->out, err);
}

/* Reads ?name= as a day; fallback when absent. */
static hf_rc day_arg(hf_request *req, const char *name, int64_t fallback,
                     int64_t *out, hf_err *err)
{
    const char *s = hf_http_query(req, name);
    *out = fallback;
    if (s != NULL && !hf_analytics_parse_day(s, out))
        return hf_fail(err, HF_EINVAL, "invalid", name,
                       "%s must be a date YYYY-MM-DD", name);
    return HF_OK;
}

/* ?from= and ?to= (the 30 days ending today by default) into q. */
static hf_rc range_args(hf_request *req, hf_kpi_query *q, hf_err *err)
{
    q->now = hf_clock_now(req->svc->clock);
    int64_t today = hf_analytics_day(q->now);
    HF_TRY(day_arg(req, "to", today, &q->to_day, err));
    HF_TRY(day_arg(req, "from", q->to_day - 29, &q->from_day, err));
    if (q->to_day - q->from_day > 3660)
        return hf_fail(err, HF_EINVAL, "invalid", "from",
                       "the range may span at most ten years");
    return HF_OK;
}

hf_rc hf_get_kpis(hf_request *req, hf_response *res, hf_err *err)
{
    kpi_call c = {.svc = req->svc, .a = req->arena, .format = HF_KPI_JSON};
    HF_TRY(range_args(req, &c.q, err));
    c.q.by = hf_http_query(req, "by");
    const char *accept = MHD_lookup_connection_value(
        req->connection, MHD_HEADER_KIND, MHD_HTTP_HEADER_ACCEPT);
    if (accept != NULL && strstr(accept, "text/csv") != NULL)
        c.format = HF_KPI_CSV;
    HF_TRY(hf_store_read(req->svc->store, read_kpis, &c, err));
    res->status = 200;
    res->body = c.out;
    res->content_type =
        c.format == HF_KPI_CSV ? "text/csv; charset=utf-8" : NULL;
    return HF_OK;
}

static hf_rc read_drivers(hf_txn *t, void *arg, hf_err *err)
{
    kpi_call *c = arg;
    return hf_analytics_drivers_txn(t, &c->q, c->a, &c->out, err);
}

hf_rc hf_get_kpi_drivers(hf_request *req, hf_response *res, hf_err *err)
{
    kpi_call c = {.svc = req->svc, .a = req->arena, .format = HF_KPI_JSON};
    HF_TRY(range_args(req, &c.q, err));
    HF_TRY(hf_store_read(req->svc->store, read_drivers, &c, err));
    return hf_http_raw(res, 200, c.out, err);
}

/* Reads ?name= as an integer in lo..hi; fallback when absent. */
static hf_rc int_arg(hf_request *req, const char *name, int fallback, int lo,
                     int hi, int *out, hf_err *err)
{
    const char *s = hf_http_query(req, name);
    *out = fallback;
    if (s == NULL)
        return HF_OK;
    char *end;
    long v = strtol(s, &end, 10);
    if (*s == '\0' || *end != '\0' || v < lo || v > hi)
        return hf_fail(err, HF_EINVAL, "invalid", name,
                       "%s must be a whole number from %d to %d", name, lo, hi);
    *out = (int)v;
    return HF_OK;
}

typedef struct outlook_call {
    hf_outlook_query q;
    hf_arena *a;
    const char *json;
} outlook_call;

static hf_rc read_outlook(hf_txn *t, void *arg, hf_err *err)
{
    outlook_call *c = arg;
    return hf_outlook_txn(t, &c->q, c->a, &c->json, err);
}

hf_rc hf_get_inventory_outlook(hf_request *req, hf_response *res, hf_err *err)
{
    outlook_call c = {.a = req->arena};
    c.q.now = hf_clock_now(req->svc->clock);
    c.q.sku = hf_http_query(req, "sku");
    HF_TRY(int_arg(req, "days", 14, 1, 90, &c.q.horizon_days, err));
    HF_TRY(int_arg(req, "history_days", 56, 14, 365, &c.q.history_days, err));
    HF_TRY(int_arg(req, "limit", 50, 1, 1000, &c.q.limit, err));
    HF_TRY(hf_store_read(req->svc->store, read_outlook, &c, err));
    return hf_http_raw(res, 200, c.json, err);
}

/* --- Experiments --------------------------------------------------------- */

/* Reads one arm of the body into arm; strings point into the body. */
static hf_rc read_arm(hf_request *req, json_t *item, size_t i,
                      hf_experiment_arm *arm, hf_err *err)
{
    char field[32];
    snprintf(field, sizeof(field), "arms[%zu]", i);
    if (!json_is_object(item))
        return hf_fail(err, HF_EMALFORMED, "malformed", field,
                       "%s must be an object", field);
    int64_t weight = 1;
    json_t *holdout = json_object_get(item, "holdout");
    if (holdout != NULL && !json_is_boolean(holdout))
        return hf_fail(err, HF_EMALFORMED, "malformed", field,
                       "%s.holdout must be true or false", field);
    HF_TRY(
        hf_json_get_str(req, item, field, "name", true, 100, &arm->name, err));
    HF_TRY(hf_json_get_str(req, item, field, "policy", false, 128, &arm->policy,
                           err));
    HF_TRY(hf_json_get_int(req, item, field, "weight", false, &weight, err));
    arm->holdout = json_is_true(holdout);
    arm->weight = weight < 0 || weight > 1000000 ? 0 : (int)weight;
    return HF_OK;
}

hf_rc hf_post_experiment(hf_txn *t, hf_request *req, hf_response *res,
                         hf_err *err)
{
    HF_TRY(hf_http_need_object(req, err));
    hf_experiment_spec spec;
    memset(&spec, 0, sizeof(spec));
    json_t *arms;
    int64_t cooldown = -1;
    HF_TRY(hf_json_get_str(req, req->body, NULL, "name", true, 100, &spec.name,
                           err));
    HF_TRY(hf_json_get_array(req, req->body, NULL, "arms", true, &arms, err));
    HF_TRY(hf_json_get_int(req, req->body, NULL, "offer_cooldown_days", false,
                           &cooldown, err));
    if (cooldown < 0 &&
        json_is_integer(json_object_get(req->body, "offer_cooldown_days")))
        return hf_fail(err, HF_EINVAL, "invalid", "offer_cooldown_days",
                       "offer_cooldown_days must be 0 to 3650");
    spec.offer_cooldown_days = cooldown > 3650 ? 3651 : (int)cooldown;
    if (json_array_size(arms) > HF_EXPERIMENT_MAX_ARMS)
        return hf_fail(err, HF_EINVAL, "invalid", "arms",
                       "an experiment has 2 to %d arms",
                       HF_EXPERIMENT_MAX_ARMS);
    size_t i;
    json_t *item;
    json_array_foreach(arms, i, item)
    {
        HF_TRY(read_arm(req, item, i, &spec.arms[i], err));
    }
    spec.n_arms = json_array_size(arms);
    const char *json;
    HF_TRY(
        hf_experiment_create_txn(t, req->svc, &spec, req->arena, &json, err));
    return hf_http_raw(res, 201, json, err);
}

/* A read of one experiment (or all): which, and the answer. */
typedef struct experiment_call {
    hf_request *req;
    bool results;
    const char *json;
} experiment_call;

static hf_rc read_experiment(hf_txn *t, void *arg, hf_err *err)
{
    experiment_call *c = arg;
    hf_request *req = c->req;
    if (c->results)
        return hf_experiment_results_txn(t, req->svc, req->params[0],
                                         req->arena, &c->json, err);
    if (req->params[0] != NULL)
        return hf_experiment_get_txn(t, req->params[0], req->arena, &c->json,
                                     err);
    return hf_experiment_list_txn(t, req->arena, &c->json, err);
}

static hf_rc get_experiment_doc(hf_request *req, hf_response *res, bool results,
                                hf_err *err)
{
    experiment_call c = {req, results, NULL};
    HF_TRY(hf_store_read(req->svc->store, read_experiment, &c, err));
    return hf_http_raw(res, 200, c.json, err);
}

hf_rc hf_get_experiments(hf_request *req, hf_response *res, hf_err *err)
{
    return get_experiment_doc(req, res, false, err);
}

hf_rc hf_get_experiment(hf_request *req, hf_response *res, hf_err *err)
{
    return get_experiment_doc(req, res, false, err);
}

hf_rc hf_get_experiment_results(hf_request *req, hf_response *res, hf_err *err)
{
    return get_experiment_doc(req, res, true, err);
}

hf_rc hf_post_experiment_stop(hf_txn *t, hf_request *req, hf_response *res,
                              hf_err *err)
{
    const char *json;
    HF_TRY(hf_experiment_stop_txn(t, req->svc, req->params[0], req->arena,
                                  &json, err));
    return hf_http_raw(res, 200, json, err);
}
