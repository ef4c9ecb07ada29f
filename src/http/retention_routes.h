/*
 * retention_routes.h - the handlers of conversations, self-service
 * cancellation requests and the agent queue; their rows are in the route
 * table (routes.c).
 */
#ifndef HF_RETENTION_ROUTES_H
#define HF_RETENTION_ROUTES_H

#include "http/api.h"

hf_rc hf_post_conversation(hf_txn *t, hf_request *req, hf_response *res,
                           hf_err *err);
hf_rc hf_post_conversation_message(hf_txn *t, hf_request *req, hf_response *res,
                                   hf_err *err);
hf_rc hf_get_conversation(hf_request *req, hf_response *res, hf_err *err);
hf_rc hf_post_cancellation_request(hf_txn *t, hf_request *req, hf_response *res,
                                   hf_err *err);
hf_rc hf_post_cancellation_decision(hf_txn *t, hf_request *req,
                                    hf_response *res, hf_err *err);
hf_rc hf_get_escalations(hf_request *req, hf_response *res, hf_err *err);
hf_rc hf_post_escalation_reply(hf_txn *t, hf_request *req, hf_response *res,
                               hf_err *err);
hf_rc hf_post_escalation_close(hf_txn *t, hf_request *req, hf_response *res,
                               hf_err *err);
/* POST /v1/escalations/:id/offers: an agent applies an offer. */
hf_rc hf_post_escalation_offer(hf_txn *t, hf_request *req, hf_response *res,
                               hf_err *err);

/* The cancellation survey behind a shopper's signed link (no API key). */
hf_rc hf_get_survey(hf_request *req, hf_response *res, hf_err *err);
hf_rc hf_post_survey(hf_txn *t, hf_request *req, hf_response *res, hf_err *err);

#endif
