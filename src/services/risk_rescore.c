/* risk_rescore.c - scores after placement (see risk_rescore.h). */
#include "services/risk_rescore.h"
#include "services/orders_int.h"
#include "services/playbooks.h"
#include "services/risk_features.h"

hf_rc hf_risk_rescore_txn(hf_txn *t, const hf_services *svc, hf_order *o,
                          hf_time now, const char *reason, hf_arena *a,
                          hf_err *err)
{
    hf_risk_row row;
    hf_order_result res;
    hf_rc rc = hf_risk_features_now(t, o, now, svc->risk_cache, a, &row, err);
    if (rc == HF_OK)
        rc = hf_risk_scorer_score(svc->risk, &row, &o->risk_score, err);
    if (rc != HF_OK)
        return rc;
    o->risk_model = hf_risk_scorer_name(svc->risk);
    o->risk_at = now;
    o->risk_reason = reason;
    int version = o->version;
    o->version++;
    o->updated_at = now > o->updated_at ? now : o->updated_at;
    if ((rc = hf_txn_order_risk_put(t, o->seq, o->risk_score, o->risk_model,
                                    o->risk_at, o->risk_reason, err)) !=
            HF_OK ||
        (rc = hf_orders_persist(t, o, version, o->n_events, a, &res, err)) !=
            HF_OK)
        return rc;
    return hf_playbooks_run_txn(t, svc, o->id, o->risk_score, a, &res, err);
}

hf_rc hf_risk_rescore_due_txn(hf_txn *t, const hf_services *svc, int limit,
                              int *n, hf_err *err)
{
    *n = 0;
    if (svc->risk == NULL)
        return HF_OK;
    hf_arena *list = hf_arena_new(0), *a = hf_arena_new(0);
    hf_rc rc = list && a ? HF_OK
                         : hf_fail(err, HF_ENOMEM, NULL, NULL, "out of memory");
    hf_time now = hf_clock_now(svc->clock);
    hf_time every = svc->risk_rescore_every > 0 ? svc->risk_rescore_every
                                                : HF_RISK_RESCORE_DEFAULT;
    const char **due = NULL;
    size_t k = 0;
    if (rc == HF_OK)
        rc = hf_txn_risk_due(t, now - every, limit, list, &due, &k, err);
    for (size_t i = 0; i < k && rc == HF_OK; i++) {
        hf_arena_reset(a);
        hf_order o;
        if ((rc = hf_txn_order_get(t, due[i], a, &o, err)) == HF_OK &&
            (rc = hf_risk_rescore_txn(t, svc, &o, now, "schedule", a, err)) ==
                HF_OK)
            (*n)++;
    }
    hf_arena_free(a);
    hf_arena_free(list);
    return rc;
}
