/*
 * policy_editor.c - lint/explain as JSON, the policies in force,
 * publishing, and conversations with a policy for the test screen
 * (policy_editor.h).
 */
#include "services/policy_editor.h"

#include "core/offer.h"
#include "policy/plan.h"
#include "policy/tools.h"
#include "services/conversations.h"
#include "services/order_json.h"
#include "services/retention.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

enum { MAX_NAMES = 64 };

static hf_rc no_policy(hf_err *err)
{
    return hf_fail(err, HF_EBUSY, "policy_unavailable", NULL,
                   "no cancellation policy is loaded");
}

/* The version new conversations start on. */
static hf_rc current_of(hf_txn *t, const hf_services *svc,
                        const hf_policy_bundle **cur, hf_err *err)
{
    return svc->retention
               ? hf_retention_current_txn(svc->retention, t, cur, err)
               : no_policy(err);
}

/* --- Lint and explain ----------------------------------------------------- */

static json_t *plan_json(const hf_plan *p)
{
    json_t *offers = json_array();
    for (size_t i = 0; i < p->n_offers; i++) {
        const hf_plan_offer *o = &p->offers[i];
        json_t *pct = json_array();
        for (size_t k = 0; k < o->n_percents; k++)
            json_array_append_new(pct, json_integer(o->percents[k]));
        json_array_append_new(
            offers,
            json_pack("{s:s, s:o, s:i, s:s?, s:i}", "kind",
                      hf_offer_kind_name(o->kind), "percents", pct,
                      "valid_days", o->valid_days, "tool",
                      o->tool != HF_TOOL_COUNT ? hf_tool_get(o->tool)->name
                                               : NULL,
                      "line", o->line));
    }
    json_t *actions = json_object();
    for (int b = 0; b < HF_BRANCH_COUNT; b++) {
        if (p->n_actions[b] == 0)
            continue;
        json_t *list = json_array();
        for (size_t i = 0; i < p->n_actions[b]; i++) {
            const hf_plan_action *a = &p->actions[b][i];
            json_array_append_new(
                list,
                json_pack("{s:s, s:s?, s:s?, s:s?, s:i}", "kind",
                          hf_action_kind_name(a->kind), "tool",
                          a->tool != HF_TOOL_COUNT ? hf_tool_get(a->tool)->name
                                                   : NULL,
                          "policy", a->ref, "message", a->message, "line",
                          a->line));
        }
        json_object_set_new(actions, hf_branch_name((hf_branch)b), list);
    }
    json_t *refs = json_array();
    for (size_t i = 0; i < p->n_refs; i++)
        json_array_append_new(refs, json_string(p->refs[i]));
    return json_pack(
        "{s:o, s:o, s:o, s:s?, s:s?}", "offers", offers, "actions", actions,
        "references", refs, "cancels_by", p->cancel_policy, "cancellable_until",
        p->has_cancel_window ? hf_order_status_name(p->last_cancellable)
                             : NULL);
}

static json_t *check_json(const char *name, const hf_plan *p)
{
    json_t *diags = json_array(), *lines = json_array();
    for (size_t i = 0; i < p->n_diags; i++)
        json_array_append_new(
            diags, json_pack("{s:i, s:i, s:s}", "line", p->diags[i].line, "col",
                             p->diags[i].col, "message", p->diags[i].message));
    for (size_t i = 0; i < p->n_lines; i++) {
        const hf_plan_line *l = &p->lines[i];
        json_array_append_new(
            lines, json_pack("{s:i, s:i, s:s, s:s, s:s, s:s}", "line", l->line,
                             "col", l->col, "kind", hf_line_kind_name(l->kind),
                             "branch", hf_branch_name(l->branch), "reading",
                             l->reading, "text", l->text));
    }
    return json_pack("{s:s, s:b, s:o, s:o, s:o}", "name", name, "ok",
                     p->n_diags == 0, "diagnostics", diags, "lines", lines,
                     "plan", plan_json(p));
}

/* Renders j (taking it) into arena a as *json. */
static hf_rc render(json_t *j, hf_arena *a, const char **json, hf_err *err)
{
    *json = j ? hf_json_text(j, a) : NULL;
    json_decref(j);
    return *json ? HF_OK : hf_fail(err, HF_ENOMEM, NULL, NULL, "out of memory");
}

hf_rc hf_policy_check_txn(hf_txn *t, const hf_services *svc, const char *name,
                          const char *text, hf_arena *a, const char **json,
                          hf_err *err)
{
    const hf_policy_bundle *cur;
    hf_rc rc = current_of(t, svc, &cur, err);
    if (rc != HF_OK)
        return rc;
    /* '#' resolves to the policies of the current version */
    const char *names[MAX_NAMES];
    size_t n = 0;
    json_t *src = json_loads(cur->sources, 0, NULL);
    const char *key;
    json_t *v;
    json_object_foreach(src, key, v)
    {
        if (n < MAX_NAMES)
            names[n++] = key;
    }
    hf_policy_env env = {names, n};
    hf_plan *p = NULL;
    rc = hf_policy_compile(name, text, strlen(text), &env, &p);
    if (rc == HF_ETOOBIG)
        hf_fail(err, rc, "policy_too_big", "text",
                "a policy is at most %d bytes", HF_POLICY_MAX_BYTES);
    else if (rc != HF_OK)
        hf_fail(err, rc, NULL, NULL, "out of memory");
    else
        rc = render(check_json(name, p), a, json, err);
    hf_plan_free(p);
    json_decref(src);
    return rc;
}

/* --- The policies in force, and publishing -------------------------------- */

/* [{"name", "text"}] of a version's sources (a JSON object). */
static json_t *texts_of(const char *sources)
{
    json_t *src = json_loads(sources, 0, NULL);
    json_t *policies = json_array();
    const char *key;
    json_t *v;
    json_object_foreach(src, key, v)
    {
        json_array_append_new(policies,
                              json_pack("{s:s, s:O}", "name", key, "text", v));
    }
    json_decref(src);
    return policies;
}

hf_rc hf_policy_list_txn(hf_txn *t, const hf_services *svc, hf_arena *a,
                         const char **json, hf_err *err)
{
    const hf_policy_bundle *cur;
    hf_rc rc = current_of(t, svc, &cur, err);
    if (rc != HF_OK)
        return rc;
    const hf_policy_bundle *files = hf_retention_current(svc->retention);
    char *names[MAX_NAMES];
    size_t n = hf_retention_policy_files(svc->retention, names, MAX_NAMES);
    json_t *on_disk = json_array();
    for (size_t i = 0; i < n; i++) {
        json_array_append_new(on_disk, json_string(names[i]));
        free(names[i]);
    }
    return render(json_pack("{s:s, s:s, s:s, s:b, s:o, s:o}", "policy",
                            cur->name, "version", cur->version, "files_version",
                            files->version, "published", cur != files,
                            "policies", texts_of(cur->sources), "files",
                            on_disk),
                  a, json, err);
}

/* A version's created_at as JSON: the time, or null when not stored. */
static json_t *time_json(hf_time at)
{
    char text[HF_TIME_TEXT];
    return at != 0 ? json_string(hf_time_format(at, text)) : json_null();
}

hf_rc hf_policy_versions_txn(hf_txn *t, const hf_services *svc,
                             const char *name, int limit, hf_arena *a,
                             const char **json, hf_err *err)
{
    const hf_policy_bundle *cur;
    hf_policy_version *v;
    size_t n;
    hf_rc rc = current_of(t, svc, &cur, err);
    if (rc == HF_OK)
        rc = hf_txn_policy_version_list(t, name, limit, a, &v, &n, err);
    if (rc != HF_OK)
        return rc;
    json_t *list = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(
            list, json_pack("{s:s, s:s, s:o, s:b}", "id", v[i].id, "name",
                            v[i].name, "created_at", time_json(v[i].created_at),
                            "current", strcmp(v[i].id, cur->version) == 0));
    return render(
        json_pack("{s:s, s:o}", "current", cur->version, "versions", list), a,
        json, err);
}

hf_rc hf_policy_version_txn(hf_txn *t, const hf_services *svc, const char *id,
                            hf_arena *a, const char **json, hf_err *err)
{
    const hf_policy_bundle *cur;
    hf_rc rc = current_of(t, svc, &cur, err);
    if (rc != HF_OK)
        return rc;
    hf_policy_version v;
    rc = hf_txn_policy_version_get(t, id, a, &v, err);
    if (rc == HF_ENOTFOUND && strcmp(id, cur->version) == 0) {
        hf_err_clear(err); /* in force, not yet run nor published */
        v = (hf_policy_version){cur->version, cur->name, 0, cur->sources};
        rc = HF_OK;
    }
    if (rc != HF_OK)
        return rc;
    return render(json_pack("{s:s, s:s, s:o, s:b, s:o}", "id", v.id, "name",
                            v.name, "created_at", time_json(v.created_at),
                            "current", strcmp(v.id, cur->version) == 0,
                            "policies", texts_of(v.sources)),
                  a, json, err);
}

hf_rc hf_policy_publish_txn(hf_txn *t, const hf_services *svc, const char *name,
                            const char *text, hf_arena *a, const char **json,
                            hf_err *err)
{
    const hf_policy_bundle *b;
    hf_rc rc = svc->retention ? HF_OK : no_policy(err);
    if (rc == HF_OK)
        rc = hf_retention_publish_txn(svc->retention, t, name, text,
                                      hf_clock_now(svc->clock), &b, err);
    if (rc != HF_OK)
        return rc;
    return render(json_pack("{s:s, s:s, s:s}", "policy", b->name, "version",
                            b->version, "name", name),
                  a, json, err);
}

/* --- Conversations with a policy ------------------------------------------ */

hf_rc hf_policy_session_txn(hf_txn *t, const hf_services *svc,
                            const hf_policy_session *s, hf_err *err)
{
    hf_arena *a = hf_arena_new(0);
    if (a == NULL)
        return hf_fail(err, HF_ENOMEM, NULL, NULL, "out of memory");
    const char *json;
    hf_rc rc = hf_conversation_start_txn(t, svc, s->order, "chat", s->actor, a,
                                         &json, err);
    json_t *start = rc == HF_OK ? json_loads(json, 0, NULL) : NULL;
    char *id = NULL;
    if (rc == HF_OK) {
        id = strdup(json_string_value(json_object_get(start, "id")));
        s->show(s->arg, json);
    }
    json_decref(start);
    const char *words;
    while (rc == HF_OK && id != NULL && (words = s->next(s->arg)) != NULL) {
        hf_arena_reset(a);
        hf_turn_request tr = {.conversation = id,
                              .kind = HF_INPUT_MESSAGE,
                              .text = words,
                              .ctx = s->ctx,
                              .n_ctx = s->n_ctx,
                              .actor = s->actor};
        rc = hf_conversation_turn_txn(t, svc, &tr, a, &json, err);
        if (rc == HF_OK)
            s->show(s->arg, json);
    }
    if (rc == HF_OK && id == NULL)
        rc = hf_fail(err, HF_ENOMEM, NULL, NULL, "out of memory");
    free(id);
    hf_arena_free(a);
    return rc;
}

hf_rc hf_policy_trial_txn(hf_txn *t, const hf_services *svc, const char *name,
                          const char *text, const hf_policy_session *s,
                          hf_err *err)
{
    const hf_policy_bundle *cur;
    hf_policy_bundle *b = NULL;
    hf_retention *trial = NULL;
    hf_rc rc = current_of(t, svc, &cur, err);
    if (rc == HF_OK)
        rc = hf_retention_edit_txn(svc->retention, t, name, text, &b, err);
    if (rc == HF_OK)
        rc = hf_retention_trial(svc->retention, b, &trial, err);
    if (rc != HF_OK)
        return rc;
    hf_services with = *svc;
    with.retention = trial;
    if ((rc = hf_txn_savepoint(t, err)) == HF_OK) {
        rc = hf_policy_session_txn(t, &with, s, err);
        /* a dry run: whatever the session did is undone */
        hf_err ignored;
        hf_rc undo = hf_txn_rollback_to(t, &ignored);
        if (rc == HF_OK && undo != HF_OK) {
            *err = ignored;
            rc = undo;
        }
    }
    hf_retention_close(trial);
    return rc;
}
