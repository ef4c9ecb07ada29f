/*
 * analytics_routes.h - GET /v1/kpis; its row is in the route table
 * (routes.c).
 */
#ifndef HF_ANALYTICS_ROUTES_H
#define HF_ANALYTICS_ROUTES_H

#include "http/api.h"

/* GET /v1/kpis?from=YYYY-MM-DD&to=YYYY-MM-DD&by=SLICE (day, channel,
 * region, category, product, reason, policy_version): JSON, or CSV when
 * the Accept header asks for text/csv. */
hf_rc hf_get_kpis(hf_request *req, hf_response *res, hf_err *err);

/* GET /v1/kpis/drivers?from=&to=: what drives cancellations. */
hf_rc hf_get_kpi_drivers(hf_request *req, hf_response *res, hf_err *err);

/* GET /v1/inventory/outlook?days=14&history_days=56&sku=&limit=50: per
 * SKU a forecast of demand and the days its stock covers. */
hf_rc hf_get_inventory_outlook(hf_request *req, hf_response *res, hf_err *err);

/* POST /v1/experiments {"name", "arms": [{"name", "policy", "weight",
 * "holdout"}], "offer_cooldown_days"} -> 201 the experiment. */
hf_rc hf_post_experiment(hf_txn *t, hf_request *req, hf_response *res,
                         hf_err *err);
/* GET /v1/experiments, /v1/experiments/{id}, /v1/experiments/{id}/results */
hf_rc hf_get_experiments(hf_request *req, hf_response *res, hf_err *err);
hf_rc hf_get_experiment(hf_request *req, hf_response *res, hf_err *err);
hf_rc hf_get_experiment_results(hf_request *req, hf_response *res, hf_err *err);
/* POST /v1/experiments/{id}/stop -> the experiment, stopped. */
hf_rc hf_post_experiment_stop(hf_txn *t, hf_request *req, hf_response *res,
                              hf_err *err);

#endif
