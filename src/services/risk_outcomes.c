/* risk_outcomes.c - the at_risk KPI (see risk_outcomes.h). */
#include "services/risk_outcomes.h"

#include <stdio.h>

/* A rate as JSON: null without orders. */
static void rate(hf_jsonw *w, int64_t n, int64_t of)
{
    if (of == 0) {
        hf_jw_null(w);
        return;
    }
    char buf[32];
    snprintf(buf, sizeof(buf), "%.6g", (double)n / (double)of);
    hf_jw_raw(w, buf);
}

static void group(hf_jsonw *w, const char *key, const hf_at_risk_sum *s)
{
    hf_jw_key(w, key);
    hf_jw_object(w);
    hf_jw_key(w, "orders");
    hf_jw_int(w, s->orders);
    hf_jw_key(w, "cancelled");
    hf_jw_int(w, s->cancelled);
    hf_jw_key(w, "delivered");
    hf_jw_int(w, s->delivered);
    hf_jw_key(w, "cancellation_rate");
    rate(w, s->cancelled, s->orders);
    hf_jw_object_end(w);
}

hf_rc hf_risk_outcomes_json(hf_txn *t, int64_t from_day, int64_t to_day,
                            hf_jsonw *w, hf_err *err)
{
    hf_at_risk_sum s[2]; /* [0] held out, [1] outreach */
    hf_rc rc = hf_txn_at_risk_sum(t, from_day, to_day, s, err);
    if (rc != HF_OK)
        return rc;
    hf_jw_object(w);
    hf_jw_key(w, "description");
    hf_jw_str(w, "Orders placed in the range whose cancellation risk reached "
                 "the lowest playbook threshold, and how they stand now, "
                 "with the playbooks' outreach and without it (the holdout)");
    hf_jw_key(w, "orders");
    hf_jw_int(w, s[0].orders + s[1].orders);
    group(w, "outreach", &s[1]);
    group(w, "no_outreach", &s[0]);
    hf_jw_key(w, "difference");
    if (s[0].orders == 0 || s[1].orders == 0) {
        hf_jw_null(w);
    } else {
        char buf[32];
        snprintf(buf, sizeof(buf), "%.6g",
                 (double)s[1].cancelled / (double)s[1].orders -
                     (double)s[0].cancelled / (double)s[0].orders);
        hf_jw_raw(w, buf);
    }
    hf_jw_object_end(w);
    return HF_OK;
}
