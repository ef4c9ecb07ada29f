/*
 * escalations.c - the agent queue: conversations handed over to a person,
 * their replies (recorded and sent to the customer) and their closing.
 */
#include "services/escalations.h"
#include "services/analytics.h"

#include "util/jsonw.h"

#include <string.h>

static void escalation_json(hf_jsonw *w, const hf_escalation *e)
{
    hf_jw_object(w);
    hf_jw_key(w, "id");
    hf_jw_str(w, e->id);
    hf_jw_key(w, "conversation");
    hf_jw_str(w, e->conversation_id);
    hf_jw_key(w, "order_id");
    hf_jw_str(w, e->order_id);
    hf_jw_key(w, "reason");
    hf_jw_str(w, e->reason);
    hf_jw_key(w, "status");
    hf_jw_str(w, e->status);
    hf_jw_key(w, "created_at");
    hf_jw_time(w, e->created_at);
    hf_jw_key(w, "closed_at");
    hf_jw_time_or_null(w, e->closed_at);
    hf_jw_key(w, "agent");
    hf_jw_str(w, e->agent);
    hf_jw_key(w, "resolution");
    hf_jw_str(w, e->resolution);
    hf_jw_object_end(w);
}

static hf_rc escalation_reply(hf_txn *t, const char *id, hf_arena *a,
                              const char **json, hf_err *err)
{
    hf_escalation e;
    hf_rc rc = hf_txn_escalation_get(t, id, a, &e, err);
    if (rc != HF_OK)
        return rc;
    hf_jsonw w;
    hf_jw_init(&w, a);
    escalation_json(&w, &e);
    *json = hf_jw_finish(&w);
    return *json ? HF_OK : hf_fail(err, HF_ENOMEM, NULL, NULL, "out of memory");
}

/* Appends an agent's entry to the escalation's conversation. */
static hf_rc agent_event(hf_txn *t, const hf_services *svc,
                         const hf_escalation *e, const char *kind,
                         const char *text, const char *actor, hf_arena *a,
                         hf_err *err)
{
    hf_conversation c;
    hf_rc rc = hf_txn_conversation_get(t, e->conversation_id, a, &c, err);
    if (rc != HF_OK)
        return rc;
    hf_jsonw w;
    hf_jw_init(&w, a);
    hf_jw_object(&w);
    hf_jw_key(&w, "escalation");
    hf_jw_str(&w, e->id);
    hf_jw_key(&w, "agent");
    hf_jw_str(&w, actor);
    hf_jw_key(&w, "text");
    hf_jw_str(&w, text ? text : "");
    hf_jw_object_end(&w);
    int expected = c.version++;
    hf_conversation_event ev = {++c.turns, hf_clock_now(svc->clock), kind,
                                hf_jw_finish(&w)};
    if (ev.body == NULL)
        return hf_fail(err, HF_ENOMEM, NULL, NULL, "out of memory");
    c.updated_at = ev.at;
    rc = hf_txn_conversation_event_append(t, c.seq, &ev, err);
    return rc == HF_OK ? hf_txn_conversation_update(t, &c, expected, err) : rc;
}

hf_rc hf_escalation_reply_txn(hf_txn *t, const hf_services *svc, const char *id,
                              const char *text, const char *actor, hf_arena *a,
                              const char **json, hf_err *err)
{
    hf_escalation e;
    hf_rc rc = hf_txn_escalation_get(t, id, a, &e, err);
    if (rc != HF_OK)
        return rc;
    if (strcmp(e.status, "open") != 0)
        return hf_fail(err, HF_ECONFLICT, "not_open", NULL,
                       "escalation %s is closed", id);
    rc = agent_event(t, svc, &e, "agent_reply", text, actor, a, err);
    if (rc != HF_OK)
        return rc;
    /* the customer hears it by their channels, like any message */
    hf_jsonw w;
    hf_jw_init(&w, a);
    hf_jw_object(&w);
    hf_jw_key(&w, "order_id");
    hf_jw_str(&w, e.order_id);
    hf_jw_key(&w, "conversation_id");
    hf_jw_str(&w, e.conversation_id);
    hf_jw_key(&w, "text");
    hf_jw_str(&w, text);
    hf_jw_object_end(&w);
    const char *payload = hf_jw_finish(&w);
    if (payload == NULL)
        return hf_fail(err, HF_ENOMEM, NULL, NULL, "out of memory");
    rc = hf_txn_outbox_put(t, "conversation.agent_reply", e.order_id, payload,
                           hf_clock_now(svc->clock), err);
    return rc == HF_OK ? escalation_reply(t, id, a, json, err) : rc;
}

hf_rc hf_escalation_close_txn(hf_txn *t, const hf_services *svc, const char *id,
                              const char *resolution, const char *actor,
                              hf_arena *a, const char **json, hf_err *err)
{
    hf_escalation e;
    hf_rc rc = hf_txn_escalation_get(t, id, a, &e, err);
    if (rc == HF_OK)
        rc = hf_txn_escalation_close(t, id, hf_clock_now(svc->clock), actor,
                                     resolution, err);
    if (rc == HF_OK)
        rc = agent_event(t, svc, &e, "agent_closed", resolution, actor, a, err);
    /* an escalated request is resolved when the agent closes it */
    hf_conversation c;
    hf_order o;
    if (rc == HF_OK)
        rc = hf_txn_conversation_get(t, e.conversation_id, a, &c, err);
    if (rc == HF_OK)
        rc = hf_txn_order_get(t, e.order_id, a, &o, err);
    if (rc == HF_OK)
        rc = hf_analytics_resolved(t, &o, &c, hf_clock_now(svc->clock), a, err);
    return rc == HF_OK ? escalation_reply(t, id, a, json, err) : rc;
}

hf_rc hf_escalation_list_txn(hf_txn *t, const char *status, const char *after,
                             int limit, hf_arena *a, const char **json,
                             hf_err *err)
{
    int64_t after_seq = 0;
    if (after != NULL) {
        hf_escalation e;
        hf_rc rc = hf_txn_escalation_get(t, after, a, &e, err);
        if (rc != HF_OK)
            return rc;
        after_seq = e.seq;
    }
    hf_escalation *list;
    size_t n;
    hf_rc rc =
        hf_txn_escalation_list(t, status, after_seq, limit, a, &list, &n, err);
    if (rc != HF_OK)
        return rc;
    hf_jsonw w;
    hf_jw_init(&w, a);
    hf_jw_object(&w);
    hf_jw_key(&w, "escalations");
    hf_jw_array(&w);
    for (size_t i = 0; i < n; i++)
        escalation_json(&w, &list[i]);
    hf_jw_array_end(&w);
    hf_jw_object_end(&w);
    *json = hf_jw_finish(&w);
    return *json ? HF_OK : hf_fail(err, HF_ENOMEM, NULL, NULL, "out of memory");
}
