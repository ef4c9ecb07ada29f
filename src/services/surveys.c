/*
 * surveys.c - the cancellation survey behind a signed link.
 */
#include "services/surveys.h"

#include "services/orders.h"
#include "util/jsonw.h"
#include "util/token.h"

#include <string.h>

/* What each reason code says to a customer, in the order asked. */
static const struct reason_label {
    const char *code, *label;
} reasons[] = {
    {"changed_mind", "I changed my mind"},
    {"shipping_delay", "Delivery would take too long"},
    {"found_better_price", "I found a better price elsewhere"},
    {"inaccurate_product_info", "The product was not what I expected"},
    {"ordered_by_mistake", "I ordered by mistake"},
    {"poor_customer_service", "I was unhappy with customer service"},
    {"other", "Something else"},
};

/* The order the token opens. */
static hf_rc open_order(hf_txn *t, const hf_services *svc, const char *token,
                        hf_arena *a, hf_order *o, hf_err *err)
{
    char order_id[HF_TOKEN_SUBJECT_MAX];
    if (!svc->has_link_key)
        return hf_fail(err, HF_EAUTH, "bad_token", NULL,
                       "this link is not valid");
    hf_rc rc = hf_token_verify(svc->link_key, "survey", token,
                               hf_clock_now(svc->clock), order_id, NULL, err);
    return rc == HF_OK ? hf_txn_order_get(t, order_id, a, o, err) : rc;
}

static void questions_json(hf_jsonw *w)
{
    hf_jw_array(w);
    hf_jw_object(w);
    hf_jw_key(w, "id");
    hf_jw_str(w, "reason");
    hf_jw_key(w, "text");
    hf_jw_str(w, "Why did you cancel your order?");
    hf_jw_key(w, "kind");
    hf_jw_str(w, "choice");
    hf_jw_key(w, "choices");
    hf_jw_array(w);
    for (size_t i = 0; i < HF_ARRAY_LEN(reasons); i++) {
        hf_jw_object(w);
        hf_jw_key(w, "code");
        hf_jw_str(w, reasons[i].code);
        hf_jw_key(w, "label");
        hf_jw_str(w, reasons[i].label);
        hf_jw_object_end(w);
    }
    hf_jw_array_end(w);
    hf_jw_object_end(w);
    static const char *const rest[][3] = {
        {"improve", "How could we have done better?", "text"},
        {"service_rating",
         "How satisfied were you with our customer service (1 to 5)?",
         "rating"},
        {"recommend", "Would you recommend us to a friend?", "yes_no"},
    };
    for (size_t i = 0; i < HF_ARRAY_LEN(rest); i++) {
        hf_jw_object(w);
        hf_jw_key(w, "id");
        hf_jw_str(w, rest[i][0]);
        hf_jw_key(w, "text");
        hf_jw_str(w, rest[i][1]);
        hf_jw_key(w, "kind");
        hf_jw_str(w, rest[i][2]);
        hf_jw_object_end(w);
    }
    hf_jw_array_end(w);
}

static void answer_json(hf_jsonw *w, const hf_survey_answer *s)
{
    hf_jw_object(w);
    hf_jw_key(w, "reason");
    hf_jw_str(w, s->reason);
    hf_jw_key(w, "improve");
    hf_jw_str(w, s->improve);
    hf_jw_key(w, "service_rating");
    hf_jw_int(w, s->service_rating);
    hf_jw_key(w, "recommend");
    hf_jw_bool(w, s->recommend);
    hf_jw_key(w, "answered_at");
    hf_jw_time(w, s->answered_at);
    hf_jw_object_end(w);
}

static const char *survey_json(const hf_order *o, const hf_survey_answer *s,
                               hf_arena *a)
{
    hf_jsonw w;
    hf_jw_init(&w, a);
    hf_jw_object(&w);
    hf_jw_key(&w, "order");
    hf_jw_str(&w, o->number);
    hf_jw_key(&w, "answered");
    hf_jw_bool(&w, s != NULL);
    hf_jw_key(&w, "questions");
    questions_json(&w);
    if (s != NULL) {
        hf_jw_key(&w, "answer");
        answer_json(&w, s);
    }
    hf_jw_object_end(&w);
    return hf_jw_finish(&w);
}

hf_rc hf_survey_get_txn(hf_txn *t, const hf_services *svc, const char *token,
                        hf_arena *a, const char **json, hf_err *err)
{
    hf_order o;
    hf_survey_answer s;
    hf_rc rc = open_order(t, svc, token, a, &o, err);
    if (rc != HF_OK)
        return rc;
    rc = hf_txn_survey_get(t, o.id, a, &s, err);
    if (rc != HF_OK && rc != HF_ENOTFOUND)
        return rc;
    *json = survey_json(&o, rc == HF_OK ? &s : NULL, a);
    return *json ? HF_OK : hf_fail(err, HF_ENOMEM, NULL, NULL, "out of memory");
}

static hf_rc check_answer(const hf_survey_answer *s, hf_err *err)
{
    bool known = false;
    for (size_t i = 0; s->reason && i < HF_ARRAY_LEN(reasons); i++)
        known = known || strcmp(s->reason, reasons[i].code) == 0;
    if (!known)
        return hf_fail(err, HF_EINVAL, "invalid", "reason",
                       "reason must be one of the survey's choices");
    if (s->improve && strlen(s->improve) > HF_SURVEY_TEXT_MAX)
        return hf_fail(err, HF_EINVAL, "invalid", "improve",
                       "improve is at most %d bytes", HF_SURVEY_TEXT_MAX);
    if (s->service_rating < 1 || s->service_rating > 5)
        return hf_fail(err, HF_EINVAL, "invalid", "service_rating",
                       "service_rating is 1 to 5");
    return HF_OK;
}

hf_rc hf_survey_answer_txn(hf_txn *t, const hf_services *svc, const char *token,
                           const hf_survey_answer *answer, hf_arena *a,
                           const char **json, hf_err *err)
{
    hf_order o;
    hf_rc rc = open_order(t, svc, token, a, &o, err);
    if (rc == HF_OK)
        rc = check_answer(answer, err);
    if (rc != HF_OK)
        return rc;
    hf_survey_answer s = *answer;
    s.answered_at = hf_clock_now(svc->clock);
    if ((rc = hf_txn_survey_put(t, o.id, &s, err)) != HF_OK)
        return rc;
    hf_jsonw w;
    hf_jw_init(&w, a);
    answer_json(&w, &s);
    const char *data = hf_jw_finish(&w);
    hf_order_result out;
    rc = hf_orders_note_txn(t, o.id, "survey_answered", "customer",
                            s.answered_at, s.reason, data, a, &out, err);
    if (rc != HF_OK)
        return rc;
    *json = survey_json(&o, &s, a);
    return *json ? HF_OK : hf_fail(err, HF_ENOMEM, NULL, NULL, "out of memory");
}
