/*
 * shopper_routes.c - the links that open one order to its shopper
 * (shopper_routes.h). Thin: find the order, sign, render.
 */
#include "http/shopper_routes.h"

#include "services/links.h"
#include "services/order_json.h"

#include <string.h>

enum { DEFAULT_DAYS = 90, MAX_DAYS = 90 };

/* What a shopper's link opens: their order, its shipments, events and
 * stream; a cancellation request and its decision; a conversation about
 * it; its survey link. One row per route, as in hf_routes. */
static const hf_shopper_route shopper_routes[] = {
    {"GET", "/v1/orders/:id", HF_SHOPPER_ORDER, HF_VIEW_ORDER},
    {"GET", "/v1/orders/:id/events", HF_SHOPPER_ORDER, HF_VIEW_EVENTS},
    {"GET", "/v1/orders/:id/stream", HF_SHOPPER_ORDER, HF_VIEW_AS_IS},
    {"GET", "/v1/orders/:id/shipments", HF_SHOPPER_ORDER, HF_VIEW_AS_IS},
    {"GET", "/v1/orders/:id/survey", HF_SHOPPER_ORDER, HF_VIEW_AS_IS},
    {"POST", "/v1/orders/:id/cancellation-requests", HF_SHOPPER_ORDER,
     HF_VIEW_TURN},
    {"GET", "/v1/cancellation-requests/:id", HF_SHOPPER_CONVERSATION,
     HF_VIEW_CONVERSATION},
    {"POST", "/v1/cancellation-requests/:id/decision", HF_SHOPPER_CONVERSATION,
     HF_VIEW_TURN},
    {"POST", "/v1/conversations", HF_SHOPPER_BODY_ORDER, HF_VIEW_TURN},
    {"GET", "/v1/conversations/:id", HF_SHOPPER_CONVERSATION,
     HF_VIEW_CONVERSATION},
    {"POST", "/v1/conversations/:id/messages", HF_SHOPPER_CONVERSATION,
     HF_VIEW_TURN},
    /* public (its "address" token is checked by the handler): only the
     * view applies */
    {"POST", "/v1/orders/:id/address", HF_SHOPPER_NONE, HF_VIEW_ORDER},
};

const hf_shopper_route *hf_shopper_route_of(const hf_route *r)
{
    for (size_t i = 0; r != NULL && i < HF_ARRAY_LEN(shopper_routes); i++)
        if (strcmp(r->method, shopper_routes[i].method) == 0 &&
            strcmp(r->pattern, shopper_routes[i].pattern) == 0)
            return &shopper_routes[i];
    return NULL;
}

typedef struct order_ref {
    const char *id, *number; /* in the request's arena */
} order_ref;

/* The order's id and number from its stored document. */
static hf_rc find_order(hf_txn *t, hf_request *req, order_ref *o, hf_err *err)
{
    const char *doc;
    hf_rc rc = hf_txn_order_get_doc(t, req->params[0], req->arena, &doc, err);
    if (rc != HF_OK)
        return rc;
    json_t *j = json_loads(doc, 0, NULL);
    o->id = hf_arena_strdup(req->arena,
                            json_string_value(json_object_get(j, "id")));
    o->number = hf_arena_strdup(
        req->arena, json_string_value(json_object_get(j, "number")));
    json_decref(j);
    return o->id && o->number
               ? HF_OK
               : hf_fail(err, HF_ENOMEM, NULL, NULL, "out of memory");
}

hf_rc hf_post_order_link(hf_txn *t, hf_request *req, hf_response *res,
                         hf_err *err)
{
    int64_t days = DEFAULT_DAYS;
    const char *purpose = NULL;
    HF_TRY(hf_http_need_object(req, err));
    HF_TRY(hf_json_get_str(req, req->body, NULL, "purpose", false, 16, &purpose,
                           err));
    /* the order page, or the page that fixes a held order's address */
    bool address = purpose != NULL && strcmp(purpose, "address") == 0;
    if (purpose != NULL && !address && strcmp(purpose, "order") != 0)
        return hf_fail(err, HF_EINVAL, "invalid", "purpose",
                       "purpose is order or address");
    if (json_object_get(req->body, "days") != NULL)
        HF_TRY(hf_json_get_int(req, req->body, NULL, "days", true, &days, err));
    if (days < 1 || days > MAX_DAYS)
        return hf_fail(err, HF_EINVAL, "invalid", "days",
                       "days must be 1 to %d", MAX_DAYS);
    order_ref o;
    HF_TRY(find_order(t, req, &o, err));
    const char *token = hf_links_token(
        req->svc, req->arena, address ? "address" : "order", o.id, (int)days);
    if (token == NULL)
        return hf_fail(err, HF_EBUSY, "no_link_key", NULL,
                       "this server signs no links");
    hf_time expires = hf_clock_now(req->svc->clock) + (hf_time)days * HF_DAY;
    json_t *j = json_pack(
        "{s:s, s:s, s:s, s:o}", "order", o.number, "token", token, "path",
        hf_arena_printf(req->arena, "/orders/%s%s?t=%s", o.number,
                        address ? "/address" : "", token),
        "expires_at", hf_json_time(expires));
    return hf_http_json(req, res, 201, j, err);
}

typedef struct survey_ref {
    hf_request *req;
    order_ref order;
} survey_ref;

static hf_rc read_order_ref(hf_txn *t, void *arg, hf_err *err)
{
    survey_ref *s = arg;
    return find_order(t, s->req, &s->order, err);
}

hf_rc hf_get_order_survey(hf_request *req, hf_response *res, hf_err *err)
{
    survey_ref s = {req, {NULL, NULL}};
    HF_TRY(hf_store_read(req->svc->store, read_order_ref, &s, err));
    const char *token = hf_links_token(req->svc, req->arena, "survey",
                                       s.order.id, DEFAULT_DAYS);
    if (token == NULL)
        return hf_fail(err, HF_EBUSY, "no_link_key", NULL,
                       "this server signs no links");
    json_t *j =
        json_pack("{s:s, s:s, s:s}", "order", s.order.number, "token", token,
                  "path", hf_arena_printf(req->arena, "/surveys/%s", token));
    return hf_http_json(req, res, 200, j, err);
}
