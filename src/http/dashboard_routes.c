/*
 * dashboard_routes.c - small reads the CX dashboard needs
 * (dashboard_routes.h). Thin: read the query, call the store, render.
 */
#include "http/dashboard_routes.h"

#include <stdlib.h>

typedef struct at_risk {
    int64_t min_ppm;
    int limit;
    hf_arena *a;
    const char **docs;
    size_t n;
} at_risk;

static hf_rc read_at_risk(hf_txn *t, void *arg, hf_err *err)
{
    at_risk *r = arg;
    return hf_txn_orders_at_risk(t, r->min_ppm, r->limit, r->a, &r->docs, &r->n,
                                 err);
}

hf_rc hf_get_orders_at_risk(hf_request *req, hf_response *res, hf_err *err)
{
    at_risk r = {500000, 0, req->arena, NULL, 0};
    HF_TRY(hf_http_list_limit(req, &r.limit, err));
    const char *min = hf_http_query(req, "min_score");
    if (min != NULL) {
        char *end;
        double score = strtod(min, &end);
        if (*min == '\0' || *end != '\0' || !(score >= 0 && score <= 1))
            return hf_fail(err, HF_EINVAL, "invalid", "min_score",
                           "min_score is a number from 0 to 1");
        r.min_ppm = (int64_t)(score * 1e6 + 0.5);
    }
    HF_TRY(hf_store_read(req->svc->store, read_at_risk, &r, err));
    hf_jsonw w;
    hf_jw_init(&w, req->arena);
    hf_jw_object(&w);
    hf_jw_key(&w, "data");
    hf_jw_array(&w);
    for (size_t i = 0; i < r.n; i++)
        hf_jw_raw(&w, r.docs[i]); /* stored JSON documents */
    hf_jw_array_end(&w);
    hf_jw_object_end(&w);
    return hf_http_raw(res, 200, hf_jw_finish(&w), err);
}
