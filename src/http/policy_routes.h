/*
 * policy_routes.h - the policy editor and test screen's API
 * (services/policy_editor.h).
 *
 *     GET  /v1/policies           the policies new conversations run
 *     POST /v1/policies/lint      {"name", "text"} -> diagnostics, explain
 *     POST /v1/policies/publish   {"name", "text"} -> a new version
 *     POST /v1/policies/test      {"name", "text", "order", "context",
 *                                  "messages"} -> each turn, rolled back
 */
#ifndef HF_POLICY_ROUTES_H
#define HF_POLICY_ROUTES_H

#include "http/api.h"

hf_rc hf_get_policies(hf_request *req, hf_response *res, hf_err *err);
/* GET /v1/policies/versions?name=&limit=: the stored versions. */
hf_rc hf_get_policy_versions(hf_request *req, hf_response *res, hf_err *err);
/* GET /v1/policies/versions/:id: one version and its texts. */
hf_rc hf_get_policy_version(hf_request *req, hf_response *res, hf_err *err);
hf_rc hf_post_policy_lint(hf_txn *t, hf_request *req, hf_response *res,
                          hf_err *err);
hf_rc hf_post_policy_publish(hf_txn *t, hf_request *req, hf_response *res,
                             hf_err *err);
hf_rc hf_post_policy_test(hf_txn *t, hf_request *req, hf_response *res,
                          hf_err *err);

#endif
