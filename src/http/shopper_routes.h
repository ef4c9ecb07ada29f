/*
 * shopper_routes.h - the links that let a shopper reach their own order
 * (services/shopper.h): minted by staff, and the survey's for the order
 * page.
 */
#ifndef HF_SHOPPER_ROUTES_H
#define HF_SHOPPER_ROUTES_H

#include "http/api.h"
#include "http/routes.h"
#include "services/shopper.h"

/* A route a shopper's signed order link opens besides staff keys: what
 * the link's order must own, and the view of the answer it gets. */
typedef struct hf_shopper_route {
    const char *method;
    const char *pattern; /* as in hf_routes */
    hf_shopper_scope scope;
    hf_shopper_view_kind view;
} hf_shopper_route;

/* r's row in the shopper table, or NULL: a link does not open r. */
const hf_shopper_route *hf_shopper_route_of(const hf_route *r);

/* POST /v1/orders/{id}/links {"days"?: 1..90, "purpose"?: "order" |
 * "address"} -> 201 {"order", "token", "path", "expires_at"}: the signed
 * link of the order page (or of the page that fixes a held order's
 * address), to send a shopper. */
hf_rc hf_post_order_link(hf_txn *t, hf_request *req, hf_response *res,
                         hf_err *err);

/* GET /v1/orders/{id}/survey -> {"token", "path"}: the order's
 * cancellation survey link (the survey itself is /v1/surveys/{token}). */
hf_rc hf_get_order_survey(hf_request *req, hf_response *res, hf_err *err);

#endif
