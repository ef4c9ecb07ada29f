/* analytics_routes.c - the KPI endpoint (analytics_routes.h). */
#include "http/analytics_routes.h"
#include "services/analytics.h"

#include <microhttpd.h>
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

hf_rc hf_get_kpis(hf_request *req, hf_response *res, hf_err *err)
{
    kpi_call c = {.svc = req->svc, .a = req->arena, .format = HF_KPI_JSON};
    c.q.now = hf_clock_now(req->svc->clock);
    int64_t today = hf_analytics_day(c.q.now);
    HF_TRY(day_arg(req, "to", today, &c.q.to_day, err));
    HF_TRY(day_arg(req, "from", c.q.to_day - 29, &c.q.from_day, err));
    c.q.by = hf_http_query(req, "by");
    if (c.q.to_day - c.q.from_day > 3660)
        return hf_fail(err, HF_EINVAL, "invalid", "from",
                       "the range may span at most ten years");
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
