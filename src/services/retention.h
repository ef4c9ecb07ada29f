/*
 * retention.h - what the conversations service runs on: the merchant's
 * policies (compiled, by version), the intent model, and the limits the
 * engine enforces whatever a policy says. One per process, built at
 * start-up and read-only after, except the cache of policy versions.
 */
#ifndef HF_RETENTION_H
#define HF_RETENTION_H

#include "intent/intent.h"
#include "policy/plan.h"
#include "store/store.h"

typedef struct hf_retention_config {
    const char *policy_dir;    /* the policies/ directory */
    const char *policy;        /* the one cancel requests run; NULL:
                                  "Cancellation_retention_policy" */
    const char *intents_model; /* a trained model file; NULL: train from
                                  intents_data at start-up */
    const char *intents_data;  /* NULL: "data/intents" */
    int max_discount_percent;  /* 0: 20 */
    int coupon_days;           /* a coupon's life when a policy says none;
                                  0: 90 */
    double min_confidence;     /* below it, ask again; 0: 0.5 */
    const char *shop_name;     /* for $shop.name; may be NULL */
    const char *support_email; /* for $support_email; may be NULL */
    int offer_cooldown_days;   /* a customer who kept an offer this many
                                  days ago gets none; 0: no limit (an
                                  experiment may set its own) */
} hf_retention_config;

typedef struct hf_retention hf_retention;

/* A policy version: the policy a conversation runs and the one it cancels
 * by, compiled. Owned by the hf_retention; lives as long as it. */
typedef struct hf_policy_bundle {
    const char *version; /* "pv_" + hash of the sources */
    const char *name;    /* the policy's name */
    const char *sources; /* JSON {"Name": "markdown", ...} */
    hf_plan *plan;
    hf_plan *cancel_plan; /* the '#' policy it cancels by; may be NULL */
} hf_policy_bundle;

/* Loads and compiles the policy (and the policies it references) and the
 * intent model. Errors: HF_EIO (a file that cannot be read), HF_EPARSE (a
 * policy with lint errors: err->message holds the first as
 * file:line:col), HF_ENOMEM. */
hf_rc hf_retention_open(const hf_retention_config *cfg, hf_retention **out,
                        hf_err *err);
void hf_retention_close(hf_retention *r);

const hf_retention_config *hf_retention_config_of(const hf_retention *r);
const hf_intent_model *hf_retention_model(const hf_retention *r);

/* The version of the policy files, read at start-up. */
const hf_policy_bundle *hf_retention_current(hf_retention *r);

/* The version new conversations start on: the one last published
 * (hf_retention_publish_txn) on top of these same files, else the files'.
 * Every process sharing the database agrees, and a restart keeps it; new
 * policy files (a deploy) win over a version published on older ones.
 * Errors: those of hf_retention_version. */
hf_rc hf_retention_current_txn(hf_retention *r, hf_txn *t,
                               const hf_policy_bundle **out, hf_err *err);

/* Publishes text as policy `name` (the policy run, or one it refers to):
 * a new version made of the current sources with that text, compiled,
 * stored and made current for new conversations; those under way keep
 * theirs. Errors: HF_ENOTFOUND unknown_policy (name is not among the
 * current sources); HF_EPARSE policy_invalid (a lint error, the first in
 * err->message as NAME.md:LINE:COL); those of the store. */
hf_rc hf_retention_publish_txn(hf_retention *r, hf_txn *t, const char *name,
                               const char *text, hf_time now,
                               const hf_policy_bundle **out, hf_err *err);

/* The current version with text as policy `name`, compiled into *out
 * (free with hf_policy_bundle_free), neither stored nor made current.
 * Errors: those of hf_retention_publish_txn. */
hf_rc hf_retention_edit_txn(hf_retention *r, hf_txn *t, const char *name,
                            const char *text, hf_policy_bundle **out,
                            hf_err *err);

/* A retention that runs bundle b (taking it) with r's model and limits:
 * the test screen's, for a text not yet published. Close it with
 * hf_retention_close before r. */
hf_rc hf_retention_trial(const hf_retention *r, hf_policy_bundle *b,
                         hf_retention **out, hf_err *err);

/* The bundle of a stored version: from the cache, or compiled from the
 * sources kept in the store. Errors: HF_ENOTFOUND, HF_EPARSE, HF_ENOMEM. */
hf_rc hf_retention_version(hf_retention *r, hf_txn *t, const char *version,
                           const hf_policy_bundle **out, hf_err *err);

/* The bundle of the policy file `name` in the policy directory (an
 * experiment arm's policy), compiled on first use and cached like a
 * version: later edits of the file take effect at restart, as for the
 * current policy. Errors: HF_EINVAL (field "policy") for
 * a name that is not a plain file name, HF_ENOTFOUND for a missing file,
 * HF_EPARSE (a policy with lint errors), HF_EBUSY when the cache is full,
 * HF_ENOMEM. */
hf_rc hf_retention_named(hf_retention *r, const char *name,
                         const hf_policy_bundle **out, hf_err *err);

/* Compiles a bundle from sources (as stored) without a store: the test
 * screen uses it on a file being edited. name is the policy to run. The
 * bundle is freed with hf_policy_bundle_free. */
hf_rc hf_policy_bundle_compile(const char *name, const char *sources,
                               hf_policy_bundle **out, hf_err *err);
void hf_policy_bundle_free(hf_policy_bundle *b);

/* The names of the policy files in r's policy directory (without ".md"),
 * sorted, into names (strdup'd; free each), at most cap; their number.
 * Any of them may run on cancel requests in an experiment's arm. */
size_t hf_retention_policy_files(const hf_retention *r, char **names,
                                 size_t cap);

/* Reads policy `name` from dir with the policies it references into a
 * sources JSON text (malloc'd; free()). Errors: HF_EIO, HF_ENOMEM. */
hf_rc hf_policy_sources_read(const char *dir, const char *name, char **out,
                             hf_err *err);

#endif
