/*
 * policy_test.c - `holdfast policy test`: the CX manager's test screen in
 * a terminal. It talks to a policy file as the customer of a real order
 * would, through the same conversations service the API uses, inside one
 * transaction that is rolled back at the end (unless --commit): the
 * order, stock and payments are left as they were.
 *
 * With --batch it reads JSON lines {"say": "..."} from standard input and
 * writes one JSON line per turn, for scripts and tests.
 */
#include "cli/commands.h"

#include "services/policy_editor.h"
#include "services/retention.h"
#include "util/arena.h"
#include "util/clock.h"

#include <jansson.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { MAX_CONTEXT = 16, MAX_LINE = 8192 };

typedef struct test_args {
    const char *file, *db, *order, *intents;
    hf_ctx_value ctx[MAX_CONTEXT];
    size_t n_ctx;
    bool batch, commit;
} test_args;

static int usage_error(const char *msg)
{
    fprintf(stderr, "holdfast policy test: %s\n%s", msg, HF_POLICY_USAGE);
    return 2;
}

/* --context key=value: key without '$'. */
static int add_context(test_args *ta, char *kv)
{
    char *eq = strchr(kv, '=');
    if (eq == NULL || eq == kv || ta->n_ctx == MAX_CONTEXT)
        return usage_error("--context takes key=value (at most 16)");
    *eq = '\0';
    ta->ctx[ta->n_ctx++] = (hf_ctx_value){kv[0] == '$' ? kv + 1 : kv, eq + 1};
    return 0;
}

static int parse_args(int argc, char **argv, test_args *ta)
{
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "--batch") == 0)
            ta->batch = true;
        else if (strcmp(a, "--commit") == 0)
            ta->commit = true;
        else if (strcmp(a, "--db") == 0 && v && ++i)
            ta->db = v;
        else if (strcmp(a, "--order") == 0 && v && ++i)
            ta->order = v;
        else if (strcmp(a, "--intents") == 0 && v && ++i)
            ta->intents = v;
        else if (strcmp(a, "--context") == 0 && v && ++i) {
            if (add_context(ta, argv[i]) != 0)
                return 2;
        } else if (a[0] != '-' && ta->file == NULL)
            ta->file = a;
        else
            return usage_error(a[0] == '-' ? "unknown option or missing value"
                                           : "one policy file at a time");
    }
    if (ta->file == NULL || ta->order == NULL)
        return usage_error("a policy FILE and --order NUMBER are needed");
    if (ta->db == NULL)
        ta->db = getenv("HOLDFAST_DB") ? getenv("HOLDFAST_DB") : "holdfast.db";
    if (ta->intents == NULL)
        ta->intents = getenv("HOLDFAST_INTENTS_MODEL");
    return 0;
}

/* One session: everything runs in this write, rolled back at the end. */
typedef struct session {
    const test_args *ta;
    const hf_services *svc;
    int status;   /* the exit status */
    bool started; /* the greeting has been shown */
    char line[MAX_LINE];
} session;

/* Reads the customer's next words: a JSON line's "say" in batch mode, a
 * plain line otherwise. NULL at the end of input. */
static const char *next_words(session *s, char *line, size_t size)
{
    for (;;) {
        if (!s->ta->batch) {
            fputs("customer> ", stdout);
            fflush(stdout);
        }
        if (fgets(line, (int)size, stdin) == NULL)
            return NULL;
        size_t len = strlen(line);
        if (len == size - 1 && line[len - 1] != '\n') {
            /* longer than a line may be: skip the rest of it, say so once */
            int c;
            while ((c = getchar()) != EOF && c != '\n')
                ;
            printf(s->ta->batch ? "{\"error\":{\"code\":\"line_too_long\","
                                  "\"message\":\"a line is at most %zu "
                                  "bytes\"}}\n"
                                : "  [a line is at most %zu bytes; ignored]\n",
                   size - 2);
            s->status = 1;
            continue;
        }
        line[strcspn(line, "\r\n")] = '\0';
        if (!s->ta->batch)
            return line[0] ? line : (const char *)"";
        if (line[0] == '\0')
            continue;
        json_error_t jerr;
        json_t *j = json_loads(line, 0, &jerr);
        const char *say = json_string_value(json_object_get(j, "say"));
        if (say == NULL) {
            printf("{\"error\":{\"code\":\"malformed\",\"message\":"
                   "\"each line is a JSON object with a string \\\"say\\\"\"}"
                   "}\n");
            json_decref(j);
            s->status = 1;
            continue;
        }
        snprintf(line, size, "%s", say);
        json_decref(j);
        return line;
    }
}

/* Prints a turn: the JSON line as it is in batch mode, a readable form
 * otherwise. */
static void show_turn(session *s, const char *json)
{
    json_t *j = json_loads(json, 0, NULL);
    if (s->ta->batch) {
        json_t *line = json_pack("{s:O?, s:O?, s:O?, s:O?, s:O?, s:O?, s:O?}",
                                 "reply", json_object_get(j, "reply"), "intent",
                                 json_object_get(j, "intent"), "offers",
                                 json_object_get(j, "offers"), "tool_calls",
                                 json_object_get(j, "tool_calls"), "decision",
                                 json_object_get(j, "decision"), "state",
                                 json_object_get(j, "state"), "outcome",
                                 json_object_get(j, "outcome"));
        char *text = json_dumps(line, JSON_COMPACT | JSON_REAL_PRECISION(3));
        printf("%s\n", text ? text : "{}");
        free(text);
        json_decref(line);
    } else {
        json_t *intent = json_object_get(j, "intent"), *call;
        size_t i;
        printf("  [read as %s, %.2f]\n",
               json_string_value(json_object_get(intent, "intent")),
               json_number_value(json_object_get(intent, "confidence")));
        json_array_foreach(json_object_get(j, "tool_calls"), i, call)
        {
            printf(
                "  @%s %s\n", json_string_value(json_object_get(call, "tool")),
                json_is_true(json_object_get(call, "ok")) ? "done" : "refused");
        }
        printf("policy> %s\n  [%s, %s]\n",
               json_string_value(json_object_get(j, "reply")),
               json_string_value(json_object_get(j, "state")),
               json_string_value(json_object_get(j, "outcome")));
    }
    fflush(stdout);
    json_decref(j);
}

/* The session's callbacks (services/policy_editor.h). */
static const char *next_cb(void *arg)
{
    session *s = arg;
    return next_words(s, s->line, MAX_LINE);
}

static void show_cb(void *arg, const char *json)
{
    session *s = arg;
    if (s->started) {
        show_turn(s, json);
        return;
    }
    s->started = true; /* the greeting */
    json_t *start = json_loads(json, 0, NULL);
    if (!s->ta->batch)
        printf("policy> %s\n",
               json_string_value(json_object_get(start, "reply")));
    json_decref(start);
}

static hf_rc run_session(hf_txn *t, void *arg, hf_err *err)
{
    session *s = arg;
    hf_policy_session ps = {.order = s->ta->order,
                            .ctx = s->ta->ctx,
                            .n_ctx = s->ta->n_ctx,
                            .actor = "cli:policy-test",
                            .next = next_cb,
                            .show = show_cb,
                            .arg = s};
    hf_rc rc = hf_policy_session_txn(t, s->svc, &ps, err);
    if (rc != HF_OK)
        return rc;
    /* a dry run: undo everything the session did */
    return s->ta->commit
               ? HF_OK
               : hf_fail(err, HF_ECONFLICT, "dry_run", NULL, "rolled back");
}

int hf_policy_test_command(int argc, char **argv)
{
    test_args ta;
    memset(&ta, 0, sizeof(ta));
    int status = parse_args(argc, argv, &ta);
    if (status != 0)
        return status;
    char *dir_copy = strdup(ta.file), *base_copy = strdup(ta.file);
    char *name = basename(base_copy);
    size_t len = strlen(name);
    if (len > 3 && strcmp(name + len - 3, ".md") == 0)
        name[len - 3] = '\0';
    hf_retention_config rc = {.policy_dir = dirname(dir_copy),
                              .policy = name,
                              .intents_model = ta.intents};
    hf_services svc = {.clock = hf_clock_system(),
                       .last_cancellable = HF_STATUS_PACKED};
    hf_err err;
    hf_err_clear(&err);
    status = 1;
    if (hf_retention_open(&rc, &svc.retention, &err) != HF_OK) {
        fprintf(stderr, "holdfast policy test: %s\n", err.message);
        goto done;
    }
    if (hf_store_open(ta.db, &svc.store, &err) != HF_OK ||
        hf_store_migrate(svc.store, &err) != HF_OK) {
        fprintf(stderr, "holdfast policy test: database: %s\n", err.message);
        goto done;
    }
    session *s = calloc(1, sizeof(*s));
    if (s == NULL)
        goto done;
    *s = (session){.ta = &ta, .svc = &svc};
    hf_rc r = hf_store_write(svc.store, run_session, s, &err);
    if (r != HF_OK && strcmp(err.code, "dry_run") != 0)
        fprintf(stderr, "holdfast policy test: %s\n", err.message);
    else
        status = s->status;
    free(s);
done:
    if (svc.store)
        hf_store_close(svc.store);
    hf_retention_close(svc.retention);
    free(dir_copy);
    free(base_copy);
    return status;
}
