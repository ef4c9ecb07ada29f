/*
 * intents_cmd.c - `holdfast intents train|eval|classify|bench`: trains,
 * evaluates and runs the customer-message classifier (src/intent/).
 * Exit status: 0 done, 1 failed (or eval below --min-f1), 2 usage.
 */
#include "cli/commands.h"
#include "cli/intents_int.h"
#include "intent/corpus.h"
#include "intent/intent.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Options, one table row each, sorted by name. */
static const struct {
    const char *name; /* "--data" */
    int field;        /* which intents_opts member it sets */
    bool is_switch;   /* takes no value */
} options[] = {
    {"--bitext", 0, false},   {"--cv-errors", 8, true}, {"--data", 1, false},
    {"--min-f1", 2, false},   {"--model", 3, false},    {"--n", 4, false},
    {"--no-bitext", 5, true}, {"--out", 6, false},      {"--tune", 7, true},
};

/* Sets the option at table row k from value (NULL for switches); false
 * when the value is bad. */
static bool set_option(intents_opts *o, int field, const char *value)
{
    char *end = NULL;
    switch (field) {
    case 0:
        o->bitext = value;
        o->bitext_given = true;
        return true;
    case 1:
        o->data = value;
        return true;
    case 2:
        o->min_f1 = strtod(value, &end);
        return *end == '\0';
    case 3:
        o->model = value;
        return true;
    case 4:
        o->n = strtol(value, &end, 10);
        return *end == '\0' && o->n > 0;
    case 5:
        o->no_bitext = true;
        return true;
    case 6:
        o->out = value;
        return true;
    case 7:
        o->tune = true;
        return true;
    default:
        o->cv_errors = true;
        return true;
    }
}

/* Parses argv[2..) into o; the first non-flag is the text. Returns false
 * (after a message) on an unknown flag or a missing or bad value. */
static bool parse(int argc, char **argv, intents_opts *o)
{
    *o = (intents_opts){.data = "data/intents", .min_f1 = -1, .n = 20000};
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i];
        if (strncmp(a, "--", 2) != 0 || strcmp(a, "--") == 0) {
            if (strcmp(a, "--") == 0 && i + 1 < argc)
                a = argv[++i];
            if (o->text != NULL) {
                fprintf(stderr, "holdfast intents: one TEXT only (quote "
                                "it)\n");
                return false;
            }
            o->text = a;
            continue;
        }
        size_t k = 0;
        while (k < HF_ARRAY_LEN(options) && strcmp(a, options[k].name) != 0)
            k++;
        if (k == HF_ARRAY_LEN(options)) {
            fprintf(stderr, "holdfast intents: unknown option %s\n", a);
            return false;
        }
        bool is_switch = options[k].is_switch;
        if (!is_switch && i + 1 >= argc) {
            fprintf(stderr, "holdfast intents: %s needs a value\n", a);
            return false;
        }
        if (!set_option(o, options[k].field, is_switch ? NULL : argv[++i])) {
            fprintf(stderr, "holdfast intents: bad value for %s\n", a);
            return false;
        }
    }
    return true;
}

/*
 * The Bitext file to read: --bitext, else the default path when it exists
 * (a note on stderr when it does not), NULL with --no-bitext.
 */
const char *hf_intents_bitext(const intents_opts *o)
{
    if (o->no_bitext)
        return NULL;
    if (o->bitext_given)
        return o->bitext;
    if (access(HF_INTENT_BITEXT_DEFAULT, R_OK) == 0)
        return HF_INTENT_BITEXT_DEFAULT;
    fprintf(stderr,
            "holdfast intents: note: %s not found; training on %s "
            "alone\n",
            HF_INTENT_BITEXT_DEFAULT, o->data);
    return NULL;
}

/*
 * Prints err as "holdfast intents: message" and returns 1.
 */
int hf_intents_fail(const hf_err *err)
{
    fprintf(stderr, "holdfast intents: %s\n", err->message);
    return 1;
}

static int cmd_train(const intents_opts *o)
{
    if (o->out == NULL) {
        fprintf(stderr, "holdfast intents train: --out MODEL is required\n");
        return 2;
    }
    hf_err err;
    hf_intent_corpus c;
    hf_rc rc = hf_intent_corpus_load(o->data, hf_intents_bitext(o), &c, &err);
    if (rc != HF_OK)
        return hf_intents_fail(&err);
    hf_intent_model *m = NULL;
    rc = hf_intent_train(c.ex, c.n, &m, &err);
    if (rc == HF_OK)
        rc = hf_intent_model_save(m, o->out, &err);
    if (rc == HF_OK)
        fprintf(stderr,
                "holdfast intents: trained on %zu examples (%zu from "
                "Bitext), wrote %s\n",
                c.n, c.from_bitext, o->out);
    hf_intent_model_free(m);
    hf_intent_corpus_free(&c);
    return rc == HF_OK ? 0 : hf_intents_fail(&err);
}

/*
 * The model to use: --model loaded, else one trained on --data (and
 * --bitext when given) in memory. NULL after a message on failure.
 */
hf_intent_model *hf_intents_model(const intents_opts *o)
{
    hf_err err;
    hf_intent_model *m = NULL;
    hf_rc rc = o->model != NULL
                   ? hf_intent_model_load(o->model, &m, &err)
                   : hf_intent_train_default(
                         o->data, o->no_bitext ? NULL : o->bitext, &m, &err);
    if (rc != HF_OK) {
        hf_intents_fail(&err);
        return NULL;
    }
    return m;
}

/* A JSON string, or null for "". */
static json_t *str_or_null(const char *s)
{
    return s[0] != '\0' ? json_string(s) : json_null();
}

/* Prints r as the one-line JSON object classify promises. */
static void print_result(const hf_intent_result *r)
{
    json_t *o = json_object();
    json_object_set_new(o, "intent", json_string(hf_intent_name(r->intent)));
    json_object_set_new(o, "confidence",
                        json_real(round(r->confidence * 1000) / 1000));
    json_object_set_new(o, "offer",
                        r->offer != HF_OFFER_NONE
                            ? json_string(hf_offer_kind_name(r->offer))
                            : json_null());
    json_object_set_new(
        o, "percent", r->percent > 0 ? json_integer(r->percent) : json_null());
    json_object_set_new(o, "order", str_or_null(r->order));
    char *s = json_dumps(o, JSON_PRESERVE_ORDER | JSON_COMPACT |
                                JSON_REAL_PRECISION(3));
    if (s != NULL)
        printf("%s\n", s);
    free(s);
    json_decref(o);
}

static int cmd_classify(const intents_opts *o)
{
    if (o->text == NULL) {
        fprintf(stderr, "holdfast intents classify: TEXT is required\n");
        return 2;
    }
    hf_intent_model *m = hf_intents_model(o);
    if (m == NULL)
        return 1;
    hf_intent_result r;
    hf_intent_classify(m, o->text, &r);
    print_result(&r);
    hf_intent_model_free(m);
    return 0;
}

/* Subcommands, sorted by name. */
static const struct {
    const char *name;                     /* argv[1] */
    int (*run)(const intents_opts *opts); /* its implementation */
} subcommands[] = {
    {"bench", hf_intents_bench},
    {"classify", cmd_classify},
    {"eval", hf_intents_eval},
    {"train", cmd_train},
};

/*
 * `holdfast intents SUB [options]`; argv[0] is "intents". Returns the
 * exit status (2 for usage errors).
 */
int hf_intents_command(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "--help") == 0) {
        fputs(HF_INTENTS_USAGE, argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    for (size_t i = 0; i < HF_ARRAY_LEN(subcommands); i++) {
        if (strcmp(argv[1], subcommands[i].name) != 0)
            continue;
        intents_opts o;
        if (!parse(argc, argv, &o))
            return 2;
        return subcommands[i].run(&o);
    }
    fprintf(stderr, "holdfast intents: unknown subcommand %s\n%s", argv[1],
            HF_INTENTS_USAGE);
    return 2;
}
