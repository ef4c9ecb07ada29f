/*
 * policy_routes.c - the policy editor's handlers (policy_routes.h). Thin:
 * read the body, call the policy editor service, return its JSON.
 */
#include "http/policy_routes.h"

#include "policy/plan.h"
#include "services/policy_editor.h"

#include <string.h>

enum {
    MAX_NAME = 128,
    MAX_MESSAGES = 20, /* turns one test run may take */
    MAX_MESSAGE = 4000,
    MAX_CONTEXT = 32,
    MAX_VALUE = 1000,
};

typedef struct policy_list {
    hf_request *req;
    const char *json;
} policy_list;

static hf_rc read_list(hf_txn *t, void *arg, hf_err *err)
{
    policy_list *l = arg;
    return hf_policy_list_txn(t, l->req->svc, l->req->arena, &l->json, err);
}

hf_rc hf_get_policies(hf_request *req, hf_response *res, hf_err *err)
{
    policy_list l = {req, NULL};
    HF_TRY(hf_store_read(req->svc->store, read_list, &l, err));
    return hf_http_raw(res, 200, l.json, err);
}

typedef struct version_read {
    hf_request *req;
    const char *name; /* versions of this policy only; NULL: all */
    int limit;
    const char *json;
} version_read;

static hf_rc read_versions(hf_txn *t, void *arg, hf_err *err)
{
    version_read *v = arg;
    return hf_policy_versions_txn(t, v->req->svc, v->name, v->limit,
                                  v->req->arena, &v->json, err);
}

hf_rc hf_get_policy_versions(hf_request *req, hf_response *res, hf_err *err)
{
    version_read v = {req, hf_http_query(req, "name"), 0, NULL};
    if (v.name != NULL && (*v.name == '\0' || strlen(v.name) > MAX_NAME))
        return hf_fail(err, HF_EINVAL, "invalid", "name",
                       "name must be a policy's name, 1 to %d characters",
                       MAX_NAME);
    HF_TRY(hf_http_list_limit(req, &v.limit, err));
    HF_TRY(hf_store_read(req->svc->store, read_versions, &v, err));
    return hf_http_raw(res, 200, v.json, err);
}

static hf_rc read_version(hf_txn *t, void *arg, hf_err *err)
{
    version_read *v = arg;
    return hf_policy_version_txn(t, v->req->svc, v->req->params[0],
                                 v->req->arena, &v->json, err);
}

hf_rc hf_get_policy_version(hf_request *req, hf_response *res, hf_err *err)
{
    version_read v = {req, NULL, 0, NULL};
    HF_TRY(hf_store_read(req->svc->store, read_version, &v, err));
    return hf_http_raw(res, 200, v.json, err);
}

/* The body's "name" and "text" (a policy is at most HF_POLICY_MAX_BYTES). */
static hf_rc read_policy(hf_request *req, const char **name, const char **text,
                         hf_err *err)
{
    HF_TRY(hf_http_need_object(req, err));
    HF_TRY(hf_json_get_str(req, req->body, NULL, "name", true, MAX_NAME, name,
                           err));
    return hf_json_get_str(req, req->body, NULL, "text", true,
                           HF_POLICY_MAX_BYTES, text, err);
}

hf_rc hf_post_policy_lint(hf_txn *t, hf_request *req, hf_response *res,
                          hf_err *err)
{
    const char *name, *text, *json;
    HF_TRY(read_policy(req, &name, &text, err));
    HF_TRY(
        hf_policy_check_txn(t, req->svc, name, text, req->arena, &json, err));
    return hf_http_raw(res, 200, json, err);
}

/* A text that does not lint is the caller's mistake: 422, not 500. */
static hf_rc lint_failure(hf_rc rc, hf_err *err)
{
    if (rc != HF_EPARSE)
        return rc;
    hf_err first = *err;
    return hf_fail(err, HF_EINVAL, "policy_invalid", "text", "%s",
                   first.message);
}

hf_rc hf_post_policy_publish(hf_txn *t, hf_request *req, hf_response *res,
                             hf_err *err)
{
    const char *name, *text, *json;
    HF_TRY(read_policy(req, &name, &text, err));
    hf_rc rc =
        hf_policy_publish_txn(t, req->svc, name, text, req->arena, &json, err);
    HF_TRY(lint_failure(rc, err));
    return hf_http_raw(res, 201, json, err);
}

/* The test run: the customer's messages in turn, each answer kept. */
typedef struct trial {
    json_t *messages;
    size_t next;
    json_t *greeting, *turns;
} trial;

static const char *trial_next(void *arg)
{
    trial *x = arg;
    return json_string_value(json_array_get(x->messages, x->next++));
}

static void trial_show(void *arg, const char *json)
{
    trial *x = arg;
    json_t *j = json_loads(json, 0, NULL);
    if (x->greeting == NULL) {
        x->greeting = json_incref(json_object_get(j, "reply"));
    } else {
        json_t *turn = json_pack(
            "{s:O?, s:O?, s:O?, s:O?, s:O?, s:O?, s:O?, s:O?}", "say",
            json_array_get(x->messages, x->next - 1), "reply",
            json_object_get(j, "reply"), "intent", json_object_get(j, "intent"),
            "offers", json_object_get(j, "offers"), "tool_calls",
            json_object_get(j, "tool_calls"), "decision",
            json_object_get(j, "decision"), "state",
            json_object_get(j, "state"), "outcome",
            json_object_get(j, "outcome"));
        json_array_append_new(x->turns, turn);
    }
    json_decref(j);
}

/* "context": {"order.total": "5000", ...} -> ctx (strings, numbers and
 * booleans as text; they stand for $order.total and the like). */
static hf_rc read_context(hf_request *req, hf_ctx_value *ctx, size_t *n,
                          hf_err *err)
{
    json_t *c;
    HF_TRY(hf_json_get_obj(req, req->body, NULL, "context", false, &c, err));
    *n = 0;
    const char *key;
    json_t *v;
    json_object_foreach(c, key, v)
    {
        if (*n == MAX_CONTEXT)
            return hf_fail(err, HF_EINVAL, "invalid", "context",
                           "at most %d context values", MAX_CONTEXT);
        const char *text =
            json_is_string(v) ? json_string_value(v)
            : json_is_integer(v)
                ? hf_arena_printf(req->arena, "%lld",
                                  (long long)json_integer_value(v))
            : json_is_real(v)
                ? hf_arena_printf(req->arena, "%g", json_real_value(v))
            : json_is_boolean(v) ? (json_is_true(v) ? "true" : "false")
                                 : NULL;
        if (text == NULL || strlen(text) > MAX_VALUE)
            return hf_fail(err, HF_EINVAL, "invalid",
                           hf_arena_printf(req->arena, "context.%s", key),
                           "a context value is a string, number or boolean "
                           "of at most %d characters",
                           MAX_VALUE);
        ctx[(*n)++] = (hf_ctx_value){key[0] == '$' ? key + 1 : key, text};
    }
    return HF_OK;
}

hf_rc hf_post_policy_test(hf_txn *t, hf_request *req, hf_response *res,
                          hf_err *err)
{
    const char *name, *text, *order;
    json_t *messages;
    hf_ctx_value ctx[MAX_CONTEXT];
    size_t n_ctx = 0;
    HF_TRY(read_policy(req, &name, &text, err));
    HF_TRY(
        hf_json_get_str(req, req->body, NULL, "order", true, 64, &order, err));
    HF_TRY(hf_json_get_array(req, req->body, NULL, "messages", true, &messages,
                             err));
    size_t i;
    json_t *m;
    if (json_array_size(messages) > MAX_MESSAGES)
        return hf_fail(err, HF_EINVAL, "invalid", "messages",
                       "at most %d messages", MAX_MESSAGES);
    json_array_foreach(messages, i, m)
    {
        if (!json_is_string(m) || json_string_length(m) == 0 ||
            json_string_length(m) > MAX_MESSAGE)
            return hf_fail(err, HF_EINVAL, "invalid",
                           hf_arena_printf(req->arena, "messages[%zu]", i),
                           "each message is a text of 1 to %d characters",
                           MAX_MESSAGE);
    }
    HF_TRY(read_context(req, ctx, &n_ctx, err));
    trial x = {messages, 0, NULL, json_array()};
    hf_policy_session s = {order,      ctx,        n_ctx, req->actor,
                           trial_next, trial_show, &x};
    hf_rc rc = hf_policy_trial_txn(t, req->svc, name, text, &s, err);
    if ((rc = lint_failure(rc, err)) != HF_OK) {
        json_decref(x.greeting);
        json_decref(x.turns);
        return rc;
    }
    json_t *j = json_pack("{s:s, s:o?, s:o, s:b}", "order", order, "greeting",
                          x.greeting, "turns", x.turns, "rolled_back", 1);
    return hf_http_json(req, res, 200, j, err);
}
