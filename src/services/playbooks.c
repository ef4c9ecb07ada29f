/* playbooks.c - the actions a high cancellation-risk score sets off. */
#include "services/playbooks.h"

#include "services/order_changes.h"
#include "util/id.h"
#include "util/jsonw.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef hf_rc (*action_fn)(hf_txn *t, const hf_services *svc,
                           const char *order_id, double score, double threshold,
                           hf_arena *a, hf_order_result *out, hf_err *err);

/* {"order_id": ..., "number": ...} plus one more key when extra_key. */
static const char *payload(hf_arena *a, const hf_order *o,
                           const char *extra_key, const char *extra)
{
    hf_jsonw w;
    hf_jw_init(&w, a);
    hf_jw_object(&w);
    hf_jw_key(&w, "order_id");
    hf_jw_str(&w, o->id);
    hf_jw_key(&w, "number");
    hf_jw_str(&w, o->number);
    if (extra_key != NULL) {
        hf_jw_key(&w, extra_key);
        hf_jw_str(&w, extra);
    }
    hf_jw_object_end(&w);
    return hf_jw_finish(&w);
}

/* Queues the reassurance message; the template reads the current ETA
 * (the promised date) from the order when it is sent. */
static hf_rc reassure(hf_txn *t, const hf_services *svc, const char *order_id,
                      double score, double threshold, hf_arena *a,
                      hf_order_result *out, hf_err *err)
{
    (void)score, (void)threshold;
    const char *data = payload(a, &out->order, NULL, NULL);
    if (data == NULL)
        return hf_fail(err, HF_ENOMEM, NULL, NULL, "out of memory");
    return hf_txn_outbox_put(t, "playbook.reassurance", order_id, data,
                             hf_clock_now(svc->clock), err);
}

/* Free expedited shipping, told with the retention offer's message; an
 * order that already ships expedited, or has shipped, is left as it is. */
static hf_rc expedite(hf_txn *t, const hf_services *svc, const char *order_id,
                      double score, double threshold, hf_arena *a,
                      hf_order_result *out, hf_err *err)
{
    (void)score, (void)threshold;
    const hf_order *o = &out->order;
    if (o->shipping_method == HF_SHIP_EXPEDITED ||
        !(o->status == HF_STATUS_CONFIRMED || o->status == HF_STATUS_ON_HOLD ||
          o->status == HF_STATUS_ALLOCATED || o->status == HF_STATUS_PICKING ||
          o->status == HF_STATUS_PACKED))
        return HF_OK;
    hf_rc rc = hf_orders_upgrade_shipping_txn(t, svc, order_id, "playbook", a,
                                              out, err);
    if (rc != HF_OK)
        return rc;
    const char *data =
        payload(a, &out->order, "offer_description", "free expedited shipping");
    if (data == NULL)
        return hf_fail(err, HF_ENOMEM, NULL, NULL, "out of memory");
    return hf_txn_outbox_put(t, "retention.offer_applied", order_id, data,
                             hf_clock_now(svc->clock), err);
}

/* Opens a call task for an agent. */
static hf_rc call(hf_txn *t, const hf_services *svc, const char *order_id,
                  double score, double threshold, hf_arena *a,
                  hf_order_result *out, hf_err *err)
{
    (void)out;
    char id[HF_ID_MAX];
    hf_id_new("tsk", 20, id);
    hf_task task = {
        .id = id,
        .order_id = order_id,
        .kind = "call",
        .reason = hf_arena_printf(a,
                                  "cancellation risk %.2f reached the call "
                                  "playbook's %.2f",
                                  score, threshold),
        .created_at = hf_clock_now(svc->clock),
    };
    if (task.reason == NULL)
        return hf_fail(err, HF_ENOMEM, NULL, NULL, "out of memory");
    return hf_txn_task_insert(t, &task, err);
}

/* The playbooks, in the order they run when one score crosses several. */
static const struct playbook {
    const char *name;
    size_t threshold; /* offset of its threshold in hf_playbooks_config */
    action_fn action;
} playbooks[] = {
    /* a message with the current ETA */
    {"reassure", offsetof(hf_playbooks_config, reassure_at), reassure},
    /* free expedited shipping, before shipment */
    {"expedite", offsetof(hf_playbooks_config, expedite_at), expedite},
    /* a call task for an agent (GET /v1/tasks) */
    {"call", offsetof(hf_playbooks_config, call_at), call},
};

hf_rc hf_playbooks_config_load(const hf_config *c, hf_playbooks_config *out,
                               bool *any, hf_err *err)
{
    *out = HF_PLAYBOOKS_OFF;
    *any = false;
    const char *h = c ? hf_config_get(c, "playbooks.holdout", NULL) : NULL;
    if (h != NULL && *h != '\0') {
        char *end;
        out->holdout = strtod(h, &end);
        if (end == h || *end != '\0' || !(out->holdout >= 0) ||
            !(out->holdout < 1))
            return hf_fail(err, HF_EINVAL, "invalid", "playbooks.holdout",
                           "playbooks.holdout must be a share from 0 to "
                           "under 1");
    }
    for (size_t i = 0; i < HF_ARRAY_LEN(playbooks); i++) {
        char key[64];
        snprintf(key, sizeof key, "playbooks.%s_at", playbooks[i].name);
        const char *s = c ? hf_config_get(c, key, NULL) : NULL;
        if (s == NULL || *s == '\0')
            continue;
        char *end;
        double d = strtod(s, &end);
        if (end == s || *end != '\0' || !(d >= 0 && d <= 1))
            return hf_fail(err, HF_EINVAL, "invalid", key,
                           "%s must be a score from 0 to 1", key);
        *(double *)((char *)out + playbooks[i].threshold) = d;
        *any = true;
    }
    return HF_OK;
}

/* True when the order with this id is in the holdout share: FNV-1a of
 * the id, as a fraction of 2^64. */
static bool held_out(const char *order_id, double share)
{
    uint64_t h = 14695981039346656037u;
    for (const unsigned char *s = (const unsigned char *)order_id; *s; s++)
        h = (h ^ *s) * 1099511628211u;
    return (double)h / 18446744073709551616.0 < share;
}

hf_rc hf_playbooks_run_txn(hf_txn *t, const hf_services *svc,
                           const char *order_id, double score, hf_arena *a,
                           hf_order_result *out, hf_err *err)
{
    if (svc->playbooks == NULL)
        return HF_OK;
    hf_time now = hf_clock_now(svc->clock);
    double lowest = 2;
    for (size_t i = 0; i < HF_ARRAY_LEN(playbooks); i++) {
        double at = *(const double *)((const char *)svc->playbooks +
                                      playbooks[i].threshold);
        if (at >= 0 && at < lowest)
            lowest = at;
    }
    if (score < lowest)
        return HF_OK;
    /* at risk: recorded once, with or without outreach */
    bool outreach = !held_out(order_id, svc->playbooks->holdout), fresh;
    hf_order o;
    hf_rc rc = hf_txn_order_get(t, order_id, a, &o, err);
    if (rc == HF_OK)
        rc = hf_txn_at_risk_insert(t, o.seq, o.placed_at, now, score, outreach,
                                   &fresh, err);
    if (rc != HF_OK || !outreach)
        return rc;
    for (size_t i = 0; i < HF_ARRAY_LEN(playbooks); i++) {
        const struct playbook *p = &playbooks[i];
        double at =
            *(const double *)((const char *)svc->playbooks + p->threshold);
        if (at < 0 || score < at)
            continue;
        rc = hf_txn_playbook_run_insert(t, order_id, p->name, score, now,
                                        &fresh, err);
        if (rc != HF_OK)
            return rc;
        if (!fresh)
            continue;
        const char *data = hf_arena_printf(
            a, "{\"playbook\":\"%s\",\"score\":%.6f,\"threshold\":%.6f}",
            p->name, score, at);
        if (data == NULL)
            return hf_fail(err, HF_ENOMEM, NULL, NULL, "out of memory");
        /* the entry first: the action's own entries (shipping_upgraded)
         * follow the reason for them */
        if ((rc = hf_orders_note_txn(t, order_id, "playbook_fired", "system",
                                     now, p->name, data, a, out, err)) !=
                HF_OK ||
            (rc = p->action(t, svc, order_id, score, at, a, out, err)) != HF_OK)
            return rc;
    }
    return HF_OK;
}

/* --- Tasks --------------------------------------------------------------- */

static void task_json(hf_jsonw *w, const hf_task *k)
{
    hf_jw_object(w);
    hf_jw_key(w, "id");
    hf_jw_str(w, k->id);
    hf_jw_key(w, "order_id");
    hf_jw_str(w, k->order_id);
    hf_jw_key(w, "kind");
    hf_jw_str(w, k->kind);
    hf_jw_key(w, "reason");
    hf_jw_str(w, k->reason);
    hf_jw_key(w, "status");
    hf_jw_str(w, k->status);
    hf_jw_key(w, "created_at");
    hf_jw_time(w, k->created_at);
    hf_jw_key(w, "done_at");
    hf_jw_time_or_null(w, k->done_at);
    hf_jw_key(w, "done_by");
    hf_jw_str(w, k->done_by);
    hf_jw_key(w, "note");
    hf_jw_str(w, k->note);
    hf_jw_object_end(w);
}

hf_rc hf_tasks_list_txn(hf_txn *t, const char *status, const char *after,
                        int limit, hf_arena *a, const char **json, hf_err *err)
{
    int64_t after_seq = 0;
    if (after != NULL) {
        hf_task k;
        hf_rc rc = hf_txn_task_get(t, after, a, &k, err);
        if (rc != HF_OK)
            return rc;
        after_seq = k.seq;
    }
    hf_task *list;
    size_t n;
    hf_rc rc = hf_txn_task_list(t, status, after_seq, limit, a, &list, &n, err);
    if (rc != HF_OK)
        return rc;
    hf_jsonw w;
    hf_jw_init(&w, a);
    hf_jw_object(&w);
    hf_jw_key(&w, "tasks");
    hf_jw_array(&w);
    for (size_t i = 0; i < n; i++)
        task_json(&w, &list[i]);
    hf_jw_array_end(&w);
    hf_jw_object_end(&w);
    *json = hf_jw_finish(&w);
    return *json ? HF_OK : hf_fail(err, HF_ENOMEM, NULL, NULL, "out of memory");
}

hf_rc hf_tasks_done_txn(hf_txn *t, const hf_services *svc, const char *id,
                        const char *note, const char *actor, hf_arena *a,
                        const char **json, hf_err *err)
{
    hf_time now = hf_clock_now(svc->clock);
    hf_task k;
    hf_rc rc = hf_txn_task_get(t, id, a, &k, err);
    if (rc == HF_OK)
        rc = hf_txn_task_done(t, id, now, actor, note, err);
    if (rc == HF_OK)
        rc = hf_txn_task_get(t, id, a, &k, err);
    if (rc != HF_OK)
        return rc;
    hf_jsonw w;
    hf_jw_init(&w, a);
    task_json(&w, &k);
    const char *task = hf_jw_finish(&w);
    if (task == NULL)
        return hf_fail(err, HF_ENOMEM, NULL, NULL, "out of memory");
    /* the audit: who closed which task, and what they noted */
    hf_order_result res;
    if ((rc = hf_orders_note_txn(t, k.order_id, "task_done", actor, now, k.kind,
                                 task, a, &res, err)) != HF_OK)
        return rc;
    *json = task;
    return HF_OK;
}
