/*
 * policy_editor.h - the CX manager's policy editor and test screen: lint
 * and explain a text as it is typed, list the policies in force, publish a
 * new version, and talk to a text as a customer of a real order would (a
 * dry run, rolled back). `holdfast policy test` runs its sessions through
 * hf_policy_session_txn too.
 */
#ifndef HF_POLICY_EDITOR_H
#define HF_POLICY_EDITOR_H

#include "policy/engine.h"
#include "services/services.h"

/* {"name", "ok", "diagnostics": [{"line", "col", "message"}], "lines":
 * [{"line", "col", "kind", "branch", "reading", "text"}], "plan":
 * {"offers", "actions", "references", "cancels_by", "cancellable_until"}}
 * for text compiled as policy name, its '#' references resolved against
 * the policies of the current version. Errors: HF_ETOOBIG, HF_ENOMEM, the
 * store's. */
hf_rc hf_policy_check_txn(hf_txn *t, const hf_services *svc, const char *name,
                          const char *text, hf_arena *a, const char **json,
                          hf_err *err);

/* {"policy", "version", "files_version", "published", "policies":
 * [{"name", "text"}], "files": [name]}: the policies new conversations
 * run, and every policy file an experiment's arm may name. */
hf_rc hf_policy_list_txn(hf_txn *t, const hf_services *svc, hf_arena *a,
                         const char **json, hf_err *err);

/* {"current", "versions": [{"id", "name", "created_at", "current"}]}:
 * the stored versions (published, or run by a conversation), newest
 * first, at most limit, of policy name when it is not NULL. */
hf_rc hf_policy_versions_txn(hf_txn *t, const hf_services *svc,
                             const char *name, int limit, hf_arena *a,
                             const char **json, hf_err *err);

/* {"id", "name", "created_at", "current", "policies": [{"name", "text"}]}:
 * one version and its texts, so that what an old conversation ran can be
 * read. The version in force is answered even before it is stored
 * (without created_at). HF_ENOTFOUND not_found for an unknown id. */
hf_rc hf_policy_version_txn(hf_txn *t, const hf_services *svc, const char *id,
                            hf_arena *a, const char **json, hf_err *err);

/* Publishes text as policy name (hf_retention_publish_txn) and answers
 * {"policy", "version", "name"}. */
hf_rc hf_policy_publish_txn(hf_txn *t, const hf_services *svc, const char *name,
                            const char *text, hf_arena *a, const char **json,
                            hf_err *err);

/* A conversation with a policy, turn by turn, inside the caller's
 * transaction: a chat about order is started, then each of the
 * customer's words (next, until it returns NULL) is a turn with context
 * ctx. show gets the start's JSON and then each turn's (those of
 * hf_conversation_start_txn and hf_conversation_turn_txn). */
typedef struct hf_policy_session {
    const char *order; /* id or number */
    const hf_ctx_value *ctx;
    size_t n_ctx;
    const char *actor;
    const char *(*next)(void *arg);
    void (*show)(void *arg, const char *json);
    void *arg;
} hf_policy_session;

/* Runs session s on svc's current policy. Errors: those of the
 * conversations service (HF_ENOTFOUND order, HF_EBUSY
 * policy_unavailable, ...). */
hf_rc hf_policy_session_txn(hf_txn *t, const hf_services *svc,
                            const hf_policy_session *s, hf_err *err);

/* The test screen: session s run on the current policies with text as
 * policy name, inside a savepoint rolled back at the end, so nothing it
 * does stays. Errors: HF_EPARSE policy_invalid (text does not lint);
 * those of hf_policy_session_txn. */
hf_rc hf_policy_trial_txn(hf_txn *t, const hf_services *svc, const char *name,
                          const char *text, const hf_policy_session *s,
                          hf_err *err);

#endif
