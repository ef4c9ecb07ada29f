/*
 * analytics_routes.h - GET /v1/kpis; its row is in the route table
 * (routes.c).
 */
#ifndef HF_ANALYTICS_ROUTES_H
#define HF_ANALYTICS_ROUTES_H

#include "http/api.h"

/* GET /v1/kpis?from=YYYY-MM-DD&to=YYYY-MM-DD&by=channel|region|category:
 * JSON, or CSV when the Accept header asks for text/csv. */
hf_rc hf_get_kpis(hf_request *req, hf_response *res, hf_err *err);

#endif
