/*
 * surveys.h - the cancellation survey (the seed's four questions): why
 * the customer cancelled, how we could have done better, how satisfied
 * they were with customer service (1-5), and whether they would
 * recommend the shop. A customer reaches it through the signed link in
 * the cancellation_survey message; the token is all the authority it
 * needs, and it opens that one order's survey, once.
 */
#ifndef HF_SURVEYS_H
#define HF_SURVEYS_H

#include "services/services.h"

/* The survey of the order the token names: {"order", "answered",
 * "questions": [...], "answer"?}. Errors: HF_EAUTH bad_token,
 * token_expired; HF_ENOTFOUND. */
hf_rc hf_survey_get_txn(hf_txn *t, const hf_services *svc, const char *token,
                        hf_arena *a, const char **json, hf_err *err);

/* Records the answers; the order's timeline gets survey_answered. Errors:
 * those of hf_survey_get_txn; HF_EINVAL (field: reason, improve,
 * service_rating); HF_ECONFLICT already_answered. */
hf_rc hf_survey_answer_txn(hf_txn *t, const hf_services *svc, const char *token,
                           const hf_survey_answer *answer, hf_arena *a,
                           const char **json, hf_err *err);

/* Longest answer to "how could we have done better", in bytes. */
enum { HF_SURVEY_TEXT_MAX = 2000 };

#endif
