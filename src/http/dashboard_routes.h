/*
 * dashboard_routes.h - small reads the CX dashboard needs beside the KPIs.
 */
#ifndef HF_DASHBOARD_ROUTES_H
#define HF_DASHBOARD_ROUTES_H

#include "http/api.h"

/* GET /v1/risk/orders?min_score=0.5&limit=N -> {"data": [orders]}: open
 * orders by cancellation risk, riskiest first. */
hf_rc hf_get_orders_at_risk(hf_request *req, hf_response *res, hf_err *err);

#endif
