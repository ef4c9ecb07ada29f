/*
 * retention_routes.c - HTTP handlers for cancel requests run through the
 * merchant's policy. Thin: read the body, call the conversations service,
 * return its JSON.
 */
#include "http/retention_routes.h"

#include "services/conversations.h"
#include "services/escalations.h"
#include "services/surveys.h"

#include <stdlib.h>
#include <string.h>

enum {
    MAX_MESSAGE = 4000, /* a customer's message; longer is 422 */
    MAX_CHANNEL = 32,
    MAX_NOTE = 1000,
    MAX_ID = 64,
    MAX_SKU = 64,
};

/* Channels a conversation may come through. */
static bool channel_valid(const char *c)
{
    static const char *const channels[] = {"chat",  "email",  "sms",
                                           "phone", "in_app", "self_service"};
    for (size_t i = 0; i < HF_ARRAY_LEN(channels); i++)
        if (strcmp(c, channels[i]) == 0)
            return true;
    return false;
}

hf_rc hf_post_conversation(hf_txn *t, hf_request *req, hf_response *res,
                           hf_err *err)
{
    const char *order, *channel = NULL;
    HF_TRY(hf_http_need_object(req, err));
    HF_TRY(hf_json_get_str(req, req->body, NULL, "order", true, MAX_ID, &order,
                           err));
    HF_TRY(hf_json_get_str(req, req->body, NULL, "channel", false, MAX_CHANNEL,
                           &channel, err));
    if (channel == NULL)
        channel = "chat";
    if (!channel_valid(channel))
        return hf_fail(err, HF_EINVAL, "invalid_channel", "channel",
                       "channel must be chat, email, sms, phone, in_app or "
                       "self_service");
    const char *json;
    HF_TRY(hf_conversation_start_txn(t, req->svc, order, channel, req->actor,
                                     req->arena, &json, err));
    return hf_http_raw(res, 201, json, err);
}

hf_rc hf_post_conversation_message(hf_txn *t, hf_request *req, hf_response *res,
                                   hf_err *err)
{
    hf_turn_request tr = {.conversation = req->params[0],
                          .kind = HF_INPUT_MESSAGE,
                          .actor = req->actor};
    HF_TRY(hf_http_need_object(req, err));
    HF_TRY(hf_json_get_str(req, req->body, NULL, "text", true, MAX_MESSAGE,
                           &tr.text, err));
    const char *json;
    HF_TRY(hf_conversation_turn_txn(t, req->svc, &tr, req->arena, &json, err));
    return hf_http_raw(res, 200, json, err);
}

typedef struct conversation_read {
    hf_request *req;
    const char *json;
} conversation_read;

static hf_rc read_conversation(hf_txn *t, void *arg, hf_err *err)
{
    conversation_read *r = arg;
    return hf_conversation_get_txn(t, r->req->params[0], r->req->arena,
                                   &r->json, err);
}

hf_rc hf_get_conversation(hf_request *req, hf_response *res, hf_err *err)
{
    conversation_read r = {req, NULL};
    HF_TRY(hf_store_read(req->svc->store, read_conversation, &r, err));
    return hf_http_raw(res, 200, r.json, err);
}

hf_rc hf_post_cancellation_request(hf_txn *t, hf_request *req, hf_response *res,
                                   hf_err *err)
{
    const char *reason = NULL, *note = NULL;
    HF_TRY(hf_http_need_object(req, err));
    HF_TRY(hf_json_get_str(req, req->body, NULL, "reason", false, 64, &reason,
                           err));
    HF_TRY(hf_json_get_str(req, req->body, NULL, "note", false, MAX_NOTE, &note,
                           err));
    const char *json;
    HF_TRY(hf_cancellation_request_txn(t, req->svc, req->params[0], reason,
                                       note, req->actor, req->arena, &json,
                                       err));
    return hf_http_raw(res, 201, json, err);
}

/* Exactly one of {"accept": OFFER_ID}, {"decline": true}, {"agent": true}. */
static hf_rc read_decision(hf_request *req, hf_turn_request *tr, hf_err *err)
{
    json_t *decline = json_object_get(req->body, "decline");
    json_t *agent = json_object_get(req->body, "agent");
    HF_TRY(hf_json_get_str(req, req->body, NULL, "accept", false, MAX_ID,
                           &tr->offer_id, err));
    if ((decline && !json_is_true(decline)) || (agent && !json_is_true(agent)))
        return hf_fail(err, HF_EMALFORMED, "malformed",
                       decline && !json_is_true(decline) ? "decline" : "agent",
                       "decline and agent, when given, are true");
    int given = (tr->offer_id != NULL) + (decline != NULL) + (agent != NULL);
    if (given != 1)
        return hf_fail(err, HF_EINVAL, "invalid_decision", NULL,
                       "give exactly one of accept (an offer id), decline "
                       "or agent");
    tr->kind = tr->offer_id ? HF_INPUT_ACCEPT
               : decline    ? HF_INPUT_DECLINE
                            : HF_INPUT_AGENT;
    return HF_OK;
}

hf_rc hf_post_cancellation_decision(hf_txn *t, hf_request *req,
                                    hf_response *res, hf_err *err)
{
    hf_turn_request tr = {.conversation = req->params[0], .actor = req->actor};
    HF_TRY(hf_http_need_object(req, err));
    HF_TRY(read_decision(req, &tr, err));
    const char *json;
    HF_TRY(hf_conversation_turn_txn(t, req->svc, &tr, req->arena, &json, err));
    return hf_http_raw(res, 200, json, err);
}

typedef struct escalation_page {
    hf_request *req;
    const char *status, *after;
    int limit;
    const char *json;
} escalation_page;

static hf_rc read_escalations(hf_txn *t, void *arg, hf_err *err)
{
    escalation_page *p = arg;
    return hf_escalation_list_txn(t, p->status, p->after, p->limit,
                                  p->req->arena, &p->json, err);
}

hf_rc hf_get_escalations(hf_request *req, hf_response *res, hf_err *err)
{
    escalation_page p = {req, hf_http_query(req, "status"),
                         hf_http_query(req, "after"), 0, NULL};
    if (p.status && strcmp(p.status, "open") != 0 &&
        strcmp(p.status, "closed") != 0)
        return hf_fail(err, HF_EINVAL, "invalid", "status",
                       "status must be open or closed");
    HF_TRY(hf_http_list_limit(req, &p.limit, err));
    HF_TRY(hf_store_read(req->svc->store, read_escalations, &p, err));
    return hf_http_raw(res, 200, p.json, err);
}

hf_rc hf_post_escalation_reply(hf_txn *t, hf_request *req, hf_response *res,
                               hf_err *err)
{
    const char *text;
    HF_TRY(hf_http_need_object(req, err));
    HF_TRY(hf_json_get_str(req, req->body, NULL, "text", true, MAX_MESSAGE,
                           &text, err));
    const char *json;
    HF_TRY(hf_escalation_reply_txn(t, req->svc, req->params[0], text,
                                   req->actor, req->arena, &json, err));
    return hf_http_raw(res, 200, json, err);
}

hf_rc hf_post_escalation_close(hf_txn *t, hf_request *req, hf_response *res,
                               hf_err *err)
{
    const char *resolution = NULL;
    HF_TRY(hf_http_need_object(req, err));
    HF_TRY(hf_json_get_str(req, req->body, NULL, "resolution", false, MAX_NOTE,
                           &resolution, err));
    const char *json;
    HF_TRY(hf_escalation_close_txn(t, req->svc, req->params[0], resolution,
                                   req->actor, req->arena, &json, err));
    return hf_http_raw(res, 200, json, err);
}

hf_rc hf_post_escalation_offer(hf_txn *t, hf_request *req, hf_response *res,
                               hf_err *err)
{
    hf_agent_offer o = {0};
    int64_t percent = 0, days = 0;
    HF_TRY(hf_http_need_object(req, err));
    HF_TRY(
        hf_json_get_str(req, req->body, NULL, "kind", true, 32, &o.kind, err));
    HF_TRY(
        hf_json_get_int(req, req->body, NULL, "percent", false, &percent, err));
    HF_TRY(hf_json_get_int(req, req->body, NULL, "days", false, &days, err));
    HF_TRY(hf_json_get_str(req, req->body, NULL, "sku", false, MAX_SKU, &o.sku,
                           err));
    HF_TRY(hf_json_get_str(req, req->body, NULL, "from_sku", false, MAX_SKU,
                           &o.from_sku, err));
    if (percent < 0 || percent > 100)
        return hf_fail(err, HF_EINVAL, "invalid", "percent",
                       "percent must be 1 to 100");
    if (days < 0 || days > 3650)
        return hf_fail(err, HF_EINVAL, "invalid", "days",
                       "days must be 1 to 3650 (0 or none: the default)");
    o.percent = (int)percent;
    o.days = (int)days;
    const char *json;
    HF_TRY(hf_escalation_offer_txn(t, req->svc, req->params[0], &o, req->actor,
                                   req->arena, &json, err));
    return hf_http_raw(res, 200, json, err);
}

typedef struct survey_read {
    hf_request *req;
    const char *json;
} survey_read;

static hf_rc read_survey(hf_txn *t, void *arg, hf_err *err)
{
    survey_read *r = arg;
    return hf_survey_get_txn(t, r->req->svc, r->req->params[0], r->req->arena,
                             &r->json, err);
}

hf_rc hf_get_survey(hf_request *req, hf_response *res, hf_err *err)
{
    survey_read r = {req, NULL};
    HF_TRY(hf_store_read(req->svc->store, read_survey, &r, err));
    return hf_http_raw(res, 200, r.json, err);
}

hf_rc hf_post_survey(hf_txn *t, hf_request *req, hf_response *res, hf_err *err)
{
    hf_survey_answer s = {0};
    int64_t rating = 0;
    HF_TRY(hf_http_need_object(req, err));
    HF_TRY(hf_json_get_str(req, req->body, NULL, "reason", true, 64, &s.reason,
                           err));
    HF_TRY(hf_json_get_str(req, req->body, NULL, "improve", false,
                           HF_SURVEY_TEXT_MAX, &s.improve, err));
    HF_TRY(hf_json_get_int(req, req->body, NULL, "service_rating", true,
                           &rating, err));
    json_t *recommend = json_object_get(req->body, "recommend");
    if (recommend == NULL)
        return hf_fail(err, HF_EINVAL, "invalid", "recommend",
                       "recommend is required");
    if (!json_is_boolean(recommend))
        return hf_fail(err, HF_EMALFORMED, "malformed", "recommend",
                       "recommend is true or false");
    s.recommend = json_is_true(recommend);
    s.service_rating = rating >= 1 && rating <= 5 ? (int)rating : 0;
    const char *json;
    HF_TRY(hf_survey_answer_txn(t, req->svc, req->params[0], &s, req->arena,
                                &json, err));
    return hf_http_raw(res, 201, json, err);
}
