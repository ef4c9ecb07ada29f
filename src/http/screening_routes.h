/*
 * screening_routes.h - the handlers of address corrections and the review
 * queue; their rows are in the route table (routes.c).
 */
#ifndef HF_SCREENING_ROUTES_H
#define HF_SCREENING_ROUTES_H

#include "http/api.h"

/* POST /v1/orders/{id}/address?t=TOKEN: the shopper's signed link. */
hf_rc hf_post_order_address(hf_txn *t, hf_request *req, hf_response *res,
                            hf_err *err);
/* POST /v1/orders/{id}/shipping-address: staff with a key. */
hf_rc hf_post_order_shipping_address(hf_txn *t, hf_request *req,
                                     hf_response *res, hf_err *err);
hf_rc hf_get_reviews(hf_request *req, hf_response *res, hf_err *err);
hf_rc hf_post_review_decision(hf_txn *t, hf_request *req, hf_response *res,
                              hf_err *err);

#endif
