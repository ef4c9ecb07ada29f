/*
 * escalations.h - the agent queue. Conversations the policy hands over to
 * a person wait here (GET /v1/escalations); an agent replies, which is
 * recorded on the conversation and sent to the customer, and closes.
 * Each function runs in the caller's transaction and answers with JSON
 * text in arena a.
 */
#ifndef HF_ESCALATIONS_H
#define HF_ESCALATIONS_H

#include "services/services.h"

/* Agent queue: an agent's reply recorded on the escalated conversation,
 * and closing the escalation with a resolution. Both answer with the
 * escalation. Errors: HF_ENOTFOUND; HF_ECONFLICT not_open. */
hf_rc hf_escalation_reply_txn(hf_txn *t, const hf_services *svc, const char *id,
                              const char *text, const char *actor, hf_arena *a,
                              const char **json, hf_err *err);
hf_rc hf_escalation_close_txn(hf_txn *t, const hf_services *svc, const char *id,
                              const char *resolution, const char *actor,
                              hf_arena *a, const char **json, hf_err *err);
/* {"escalations": [...]} with status (NULL: any), after (an id; NULL:
 * from the first), at most limit. */
hf_rc hf_escalation_list_txn(hf_txn *t, const char *status, const char *after,
                             int limit, hf_arena *a, const char **json,
                             hf_err *err);

#endif
