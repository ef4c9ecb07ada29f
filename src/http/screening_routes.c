/* screening_routes.c - address corrections and the review queue. */
#include "http/screening_routes.h"
#include "services/screening.h"
#include "util/token.h"

#include <string.h>

enum { MAX_NOTE = 1000 };

/* Reads {"shipping_address": {...}} and corrects the order's address. */
static hf_rc fix_address(hf_txn *t, hf_request *req, hf_response *res,
                         const char *subject, const char *actor, hf_err *err)
{
    hf_address_fix fix = {
        .order = req->params[0], .token_subject = subject, .actor = actor};
    json_t *ship;
    HF_TRY(hf_http_need_object(req, err));
    HF_TRY(hf_json_get_obj(req, req->body, NULL, "shipping_address", true,
                           &ship, err));
    HF_TRY(
        hf_http_read_address(req, ship, "shipping_address", &fix.address, err));
    hf_order_result out;
    HF_TRY(
        hf_screening_fix_address_txn(t, req->svc, &fix, req->arena, &out, err));
    return hf_http_raw(res, 200, out.doc, err);
}

hf_rc hf_post_order_address(hf_txn *t, hf_request *req, hf_response *res,
                            hf_err *err)
{
    const hf_services *svc = req->svc;
    const char *token = hf_http_query(req, "t");
    char subject[HF_TOKEN_SUBJECT_MAX];
    if (token == NULL || !svc->has_link_key)
        return hf_fail(err, HF_EAUTH, "bad_token", "t",
                       "this link is not valid");
    HF_TRY(hf_token_verify(svc->link_key, "address", token,
                           hf_clock_now(svc->clock), subject, NULL, err));
    return fix_address(t, req, res, subject, "customer", err);
}

hf_rc hf_post_order_shipping_address(hf_txn *t, hf_request *req,
                                     hf_response *res, hf_err *err)
{
    return fix_address(t, req, res, NULL, req->actor, err);
}

typedef struct review_page {
    hf_request *req;
    const char *status, *after;
    int limit;
    const char *json;
} review_page;

static hf_rc read_reviews(hf_txn *t, void *arg, hf_err *err)
{
    review_page *p = arg;
    return hf_reviews_list_txn(t, p->status, p->after, p->limit, p->req->arena,
                               &p->json, err);
}

hf_rc hf_get_reviews(hf_request *req, hf_response *res, hf_err *err)
{
    review_page p = {req, hf_http_query(req, "status"),
                     hf_http_query(req, "after"), 0, NULL};
    if (p.status && strcmp(p.status, "open") != 0 &&
        strcmp(p.status, "approved") != 0 && strcmp(p.status, "rejected") != 0)
        return hf_fail(err, HF_EINVAL, "invalid", "status",
                       "status must be open, approved or rejected");
    HF_TRY(hf_http_list_limit(req, &p.limit, err));
    HF_TRY(hf_store_read(req->svc->store, read_reviews, &p, err));
    return hf_http_raw(res, 200, p.json, err);
}

hf_rc hf_post_review_decision(hf_txn *t, hf_request *req, hf_response *res,
                              hf_err *err)
{
    HF_TRY(hf_http_need_object(req, err));
    json_t *approve = json_object_get(req->body, "approve");
    json_t *reject = json_object_get(req->body, "reject");
    if ((approve && !json_is_true(approve)) ||
        (reject && !json_is_true(reject)))
        return hf_fail(err, HF_EMALFORMED, "malformed",
                       approve && !json_is_true(approve) ? "approve" : "reject",
                       "approve and reject, when given, are true");
    if ((approve != NULL) == (reject != NULL))
        return hf_fail(err, HF_EINVAL, "invalid_decision", NULL,
                       "give exactly one of approve or reject");
    const char *note;
    HF_TRY(hf_json_get_str(req, req->body, NULL, "note", false, MAX_NOTE, &note,
                           err));
    const char *json;
    HF_TRY(hf_reviews_decide_txn(t, req->svc, req->params[0], approve != NULL,
                                 note, req->actor, req->arena, &json, err));
    return hf_http_raw(res, 200, json, err);
}
