/*
 * queries_retention.c - the store's primitives for retention: policy
 * versions, conversations with their audit trail, the agent queue,
 * accepted offers, coupons, and finding a product to swap to.
 */
#include "store/queries_int.h"

#include <string.h>

/* --- Policy versions ----------------------------------------------------- */

hf_rc hf_txn_policy_version_put(hf_txn *t, const char *id, const char *name,
                                const char *sources, hf_time now, hf_err *err)
{
    STMT(st, t, SQL_POLICY_VERSION_PUT);
    BIND_TEXT(st, 1, id);
    BIND_TEXT(st, 2, name);
    BIND_TEXT(st, 3, sources);
    BIND_INT(st, 4, now);
    return hf_stmt_exec(t, st, NULL, NULL, err);
}

static void read_policy_version(hf_row *r, void *item)
{
    *(hf_policy_version *)item = (hf_policy_version){
        .id = hf_row_text(r, 0),
        .name = hf_row_text(r, 1),
        .created_at = hf_row_int(r, 2),
    };
}

hf_rc hf_txn_policy_version_list(hf_txn *t, const char *name, int limit,
                                 hf_arena *a, hf_policy_version **out,
                                 size_t *n, hf_err *err)
{
    STMT(st, t, SQL_POLICY_VERSION_LIST);
    BIND_TEXT(st, 1, name);
    BIND_INT(st, 2, limit);
    *out = NULL;
    *n = 0;
    return hf_stmt_collect(t, st, a, sizeof(**out), read_policy_version,
                           (void **)out, n, err);
}

hf_rc hf_txn_policy_version_get(hf_txn *t, const char *id, hf_arena *a,
                                hf_policy_version *out, hf_err *err)
{
    STMT(st, t, SQL_POLICY_VERSION_GET);
    BIND_TEXT(st, 1, id);
    hf_rc rc = hf_stmt_first(t, st, err);
    if (rc == HF_ENOTFOUND)
        return hf_fail(err, rc, "not_found", NULL, "no policy version %s", id);
    if (rc != HF_OK)
        return rc;
    hf_row r = {t->drv, st, a, false};
    read_policy_version(&r, out);
    out->sources = hf_row_text(&r, 3);
    return hf_row_done(&r, err);
}

/* --- Conversations ------------------------------------------------------- */

hf_rc hf_txn_conversation_insert(hf_txn *t, hf_conversation *c, hf_err *err)
{
    STMT(st, t, SQL_CONVERSATION_INSERT);
    BIND_TEXT(st, 1, c->id);
    BIND_TEXT(st, 2, c->order_id);
    BIND_TEXT(st, 3, c->channel);
    BIND_TEXT(st, 4, c->policy_version);
    BIND_TEXT(st, 5, c->state);
    BIND_TEXT(st, 6, c->outcome);
    BIND_TEXT(st, 7, c->state_json);
    BIND_INT(st, 8, c->turns);
    BIND_INT(st, 9, c->version);
    BIND_INT(st, 10, c->created_at);
    BIND_INT(st, 11, c->updated_at);
    BIND_TEXT(st, 12, c->reason);
    BIND_TEXT(st, 13, c->experiment_id);
    BIND_TEXT(st, 14, c->arm);
    hf_rc rc = hf_stmt_exec(t, st, "conversation_exists", NULL, err);
    if (rc != HF_OK)
        return rc;
    /* the seq is read back by id: portable across both dialects */
    STMT(get, t, SQL_CONVERSATION_GET);
    BIND_TEXT(get, 1, c->id);
    if ((rc = hf_stmt_first(t, get, err)) != HF_OK)
        return rc == HF_ENOTFOUND ? hf_fail(err, HF_ESTORE, "store_error", NULL,
                                            "conversation %s vanished", c->id)
                                  : rc;
    c->seq = t->drv->column_int(get, 0);
    t->drv->reset(get);
    return HF_OK;
}

hf_rc hf_txn_conversation_get(hf_txn *t, const char *id, hf_arena *a,
                              hf_conversation *out, hf_err *err)
{
    STMT(st, t, SQL_CONVERSATION_GET);
    BIND_TEXT(st, 1, id);
    hf_rc rc = hf_stmt_first(t, st, err);
    if (rc == HF_ENOTFOUND)
        return hf_fail(err, rc, "not_found", NULL, "no conversation %s", id);
    if (rc != HF_OK)
        return rc;
    hf_row r = {t->drv, st, a, false};
    *out = (hf_conversation){
        .seq = hf_row_int(&r, 0),
        .id = hf_row_text(&r, 1),
        .order_id = hf_row_text(&r, 2),
        .channel = hf_row_text(&r, 3),
        .policy_version = hf_row_text(&r, 4),
        .state = hf_row_text(&r, 5),
        .outcome = hf_row_text(&r, 6),
        .state_json = hf_row_text(&r, 7),
        .turns = (int)hf_row_int(&r, 8),
        .version = (int)hf_row_int(&r, 9),
        .created_at = hf_row_int(&r, 10),
        .updated_at = hf_row_int(&r, 11),
        .reason = hf_row_text(&r, 12),
        .outcome_at = hf_row_int(&r, 13),
        .offered_at = hf_row_int(&r, 14),
        .kept_total = hf_row_int(&r, 15),
        .kept_discount = hf_row_int(&r, 16),
        .experiment_id = hf_row_text(&r, 17),
        .arm = hf_row_text(&r, 18),
    };
    return hf_row_done(&r, err);
}

hf_rc hf_txn_conversation_update(hf_txn *t, const hf_conversation *c,
                                 int expected_version, hf_err *err)
{
    STMT(st, t, SQL_CONVERSATION_UPDATE);
    BIND_INT(st, 1, c->seq);
    BIND_TEXT(st, 2, c->state);
    BIND_TEXT(st, 3, c->outcome);
    BIND_TEXT(st, 4, c->state_json);
    BIND_INT(st, 5, c->turns);
    BIND_INT(st, 6, c->version);
    BIND_INT(st, 7, c->updated_at);
    BIND_INT(st, 8, expected_version);
    BIND_INT(st, 9, c->outcome_at);
    BIND_INT(st, 10, c->offered_at);
    BIND_INT(st, 11, c->kept_total);
    BIND_INT(st, 12, c->kept_discount);
    int64_t changed;
    hf_rc rc = hf_stmt_exec(t, st, NULL, &changed, err);
    if (rc == HF_OK && changed == 0)
        return hf_fail(err, HF_ECONFLICT, "concurrent_update", NULL,
                       "conversation %s changed meanwhile; try again", c->id);
    return rc;
}

hf_rc hf_txn_conversation_event_append(hf_txn *t, int64_t conversation_seq,
                                       const hf_conversation_event *e,
                                       hf_err *err)
{
    STMT(st, t, SQL_CONVERSATION_EVENT_APPEND);
    BIND_INT(st, 1, conversation_seq);
    BIND_INT(st, 2, e->n);
    BIND_INT(st, 3, e->at);
    BIND_TEXT(st, 4, e->kind);
    BIND_TEXT(st, 5, e->body);
    return hf_stmt_exec(t, st, "concurrent_update", NULL, err);
}

static void read_conversation_event(hf_row *r, void *item)
{
    *(hf_conversation_event *)item =
        (hf_conversation_event){(int)hf_row_int(r, 0), hf_row_int(r, 1),
                                hf_row_text(r, 2), hf_row_text(r, 3)};
}

hf_rc hf_txn_conversation_events(hf_txn *t, int64_t conversation_seq,
                                 hf_arena *a, hf_conversation_event **out,
                                 size_t *n, hf_err *err)
{
    STMT(st, t, SQL_CONVERSATION_EVENTS);
    BIND_INT(st, 1, conversation_seq);
    *out = NULL;
    *n = 0;
    return hf_stmt_collect(t, st, a, sizeof(**out), read_conversation_event,
                           (void **)out, n, err);
}

/* --- Escalations --------------------------------------------------------- */

hf_rc hf_txn_escalation_insert(hf_txn *t, const hf_escalation *e, hf_err *err)
{
    STMT(st, t, SQL_ESCALATION_INSERT);
    BIND_TEXT(st, 1, e->id);
    BIND_TEXT(st, 2, e->conversation_id);
    BIND_TEXT(st, 3, e->order_id);
    BIND_TEXT(st, 4, e->reason);
    BIND_INT(st, 5, e->created_at);
    return hf_stmt_exec(t, st, "escalation_exists", NULL, err);
}

static void read_escalation(hf_row *r, void *item)
{
    *(hf_escalation *)item = (hf_escalation){
        .seq = hf_row_int(r, 0),
        .id = hf_row_text(r, 1),
        .conversation_id = hf_row_text(r, 2),
        .order_id = hf_row_text(r, 3),
        .reason = hf_row_text(r, 4),
        .status = hf_row_text(r, 5),
        .created_at = hf_row_int(r, 6),
        .closed_at = hf_row_int(r, 7),
        .agent = hf_row_text(r, 8),
        .resolution = hf_row_text(r, 9),
    };
}

hf_rc hf_txn_escalation_get(hf_txn *t, const char *id, hf_arena *a,
                            hf_escalation *out, hf_err *err)
{
    STMT(st, t, SQL_ESCALATION_GET);
    BIND_TEXT(st, 1, id);
    hf_rc rc = hf_stmt_first(t, st, err);
    if (rc == HF_ENOTFOUND)
        return hf_fail(err, rc, "not_found", NULL, "no escalation %s", id);
    if (rc != HF_OK)
        return rc;
    hf_row r = {t->drv, st, a, false};
    read_escalation(&r, out);
    return hf_row_done(&r, err);
}

hf_rc hf_txn_escalation_list(hf_txn *t, const char *status, int64_t after_seq,
                             int limit, hf_arena *a, hf_escalation **out,
                             size_t *n, hf_err *err)
{
    STMT(st, t, SQL_ESCALATION_LIST);
    BIND_TEXT(st, 1, status);
    BIND_INT(st, 2, after_seq);
    BIND_INT(st, 3, limit);
    *out = NULL;
    *n = 0;
    return hf_stmt_collect(t, st, a, sizeof(**out), read_escalation,
                           (void **)out, n, err);
}

hf_rc hf_txn_escalation_close(hf_txn *t, const char *id, hf_time at,
                              const char *agent, const char *resolution,
                              hf_err *err)
{
    STMT(st, t, SQL_ESCALATION_CLOSE);
    BIND_TEXT(st, 1, id);
    BIND_INT(st, 2, at);
    BIND_TEXT(st, 3, agent);
    BIND_TEXT(st, 4, resolution);
    int64_t changed;
    hf_rc rc = hf_stmt_exec(t, st, NULL, &changed, err);
    if (rc == HF_OK && changed == 0)
        return hf_fail(err, HF_ECONFLICT, "not_open", NULL,
                       "escalation %s is not open", id);
    return rc;
}

hf_rc hf_txn_escalation_open_of_order(hf_txn *t, const char *order_id,
                                      hf_arena *a, hf_escalation **out,
                                      size_t *n, hf_err *err)
{
    STMT(st, t, SQL_ESCALATION_OPEN_OF_ORDER);
    BIND_TEXT(st, 1, order_id);
    *out = NULL;
    *n = 0;
    return hf_stmt_collect(t, st, a, sizeof(**out), read_escalation,
                           (void **)out, n, err);
}

/* --- Accepted offers and coupons ----------------------------------------- */

hf_rc hf_txn_retention_get(hf_txn *t, const char *order_id, hf_arena *a,
                           const char **kind, const char **offer_json,
                           hf_err *err)
{
    STMT(st, t, SQL_RETENTION_GET);
    BIND_TEXT(st, 1, order_id);
    hf_rc rc = hf_stmt_first(t, st, err);
    if (rc != HF_OK)
        return rc;
    hf_row r = {t->drv, st, a, false};
    *kind = hf_row_text(&r, 1);
    *offer_json = hf_row_text(&r, 2);
    return hf_row_done(&r, err);
}

hf_rc hf_txn_retention_put(hf_txn *t, const char *order_id,
                           const char *conversation_id, const char *kind,
                           const char *offer_json, hf_time at, hf_err *err)
{
    STMT(st, t, SQL_RETENTION_PUT);
    BIND_TEXT(st, 1, order_id);
    BIND_TEXT(st, 2, conversation_id);
    BIND_TEXT(st, 3, kind);
    BIND_TEXT(st, 4, offer_json);
    BIND_INT(st, 5, at);
    hf_rc rc = hf_stmt_exec(t, st, "offer_already_accepted", NULL, err);
    if (rc == HF_ECONFLICT)
        hf_fail(err, rc, "offer_already_accepted", NULL,
                "order %s already has an accepted offer", order_id);
    return rc;
}

hf_rc hf_txn_coupon_insert(hf_txn *t, const hf_coupon *c, hf_err *err)
{
    STMT(st, t, SQL_COUPON_INSERT);
    BIND_TEXT(st, 1, c->code);
    BIND_TEXT(st, 2, c->customer_id);
    BIND_TEXT(st, 3, c->order_id);
    BIND_INT(st, 4, c->percent);
    BIND_INT(st, 5, c->created_at);
    BIND_INT(st, 6, c->expires_at);
    return hf_stmt_exec(t, st, "coupon_exists", NULL, err);
}

hf_rc hf_txn_swap_candidate(hf_txn *t, const char *currency, hf_minor min_price,
                            const char *sku, const char *category, int64_t qty,
                            hf_arena *a, hf_product *out, hf_err *err)
{
    STMT(st, t, SQL_SWAP_CANDIDATE);
    BIND_TEXT(st, 1, currency);
    BIND_INT(st, 2, min_price);
    BIND_TEXT(st, 3, sku);
    BIND_INT(st, 4, qty);
    BIND_TEXT(st, 5, category);
    hf_rc rc = hf_stmt_first(t, st, err);
    if (rc != HF_OK)
        return rc;
    hf_row r = {t->drv, st, a, false};
    memset(out, 0, sizeof(*out));
    out->sku = hf_row_text(&r, 0);
    out->name = hf_row_text(&r, 1);
    out->price = hf_row_int(&r, 2);
    out->cost = hf_row_int(&r, 3);
    out->currency = currency;
    out->active = true;
    return hf_row_done(&r, err);
}

/* --- Settings ------------------------------------------------------------ */

hf_rc hf_txn_setting_get(hf_txn *t, const char *name, hf_arena *a,
                         const char **value, hf_err *err)
{
    STMT(st, t, SQL_SETTING_GET);
    BIND_TEXT(st, 1, name);
    hf_rc rc = hf_stmt_first(t, st, err);
    if (rc != HF_OK)
        return rc;
    hf_row r = {t->drv, st, a, false};
    *value = hf_row_text(&r, 0);
    return hf_row_done(&r, err);
}

hf_rc hf_txn_setting_add(hf_txn *t, const char *name, const char *value,
                         hf_err *err)
{
    STMT(st, t, SQL_SETTING_ADD);
    BIND_TEXT(st, 1, name);
    BIND_TEXT(st, 2, value);
    return hf_stmt_exec(t, st, NULL, NULL, err);
}

hf_rc hf_txn_setting_put(hf_txn *t, const char *name, const char *value,
                         hf_err *err)
{
    STMT(st, t, SQL_SETTING_PUT);
    BIND_TEXT(st, 1, name);
    BIND_TEXT(st, 2, value);
    return hf_stmt_exec(t, st, NULL, NULL, err);
}

static void read_doc(hf_row *r, void *item)
{
    *(const char **)item = hf_row_text(r, 0);
}

hf_rc hf_txn_orders_at_risk(hf_txn *t, int64_t min_ppm, int limit, hf_arena *a,
                            const char ***docs, size_t *n, hf_err *err)
{
    STMT(st, t, SQL_ORDERS_AT_RISK);
    BIND_INT(st, 1, min_ppm);
    BIND_INT(st, 2, limit);
    return hf_stmt_collect(t, st, a, sizeof(**docs), read_doc, (void **)docs, n,
                           err);
}

/* --- The cancellation survey --------------------------------------------- */

hf_rc hf_txn_survey_get(hf_txn *t, const char *order_id, hf_arena *a,
                        hf_survey_answer *out, hf_err *err)
{
    STMT(st, t, SQL_SURVEY_GET);
    BIND_TEXT(st, 1, order_id);
    hf_rc rc = hf_stmt_first(t, st, err);
    if (rc != HF_OK)
        return rc;
    hf_row r = {t->drv, st, a, false};
    *out = (hf_survey_answer){hf_row_text(&r, 0), hf_row_text(&r, 1),
                              (int)hf_row_int(&r, 2), hf_row_int(&r, 3) != 0,
                              hf_row_int(&r, 4)};
    return hf_row_done(&r, err);
}

hf_rc hf_txn_survey_put(hf_txn *t, const char *order_id,
                        const hf_survey_answer *s, hf_err *err)
{
    STMT(st, t, SQL_SURVEY_PUT);
    BIND_TEXT(st, 1, order_id);
    BIND_TEXT(st, 2, s->reason);
    BIND_TEXT(st, 3, s->improve);
    BIND_INT(st, 4, s->service_rating);
    BIND_INT(st, 5, s->recommend ? 1 : 0);
    BIND_INT(st, 6, s->answered_at);
    hf_rc rc = hf_stmt_exec(t, st, "already_answered", NULL, err);
    if (rc == HF_ECONFLICT)
        hf_fail(err, rc, "already_answered", NULL,
                "this survey has been answered already");
    return rc;
}
