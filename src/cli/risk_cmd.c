/*
 * risk_cmd.c - `holdfast risk train|eval|split`: trains the cancellation-
 * risk model on any CSV with a 0/1 label column, evaluates a model on
 * another file (JSON on standard output), splits a file by time, and
 * exports the store's orders as such a file (services/risk_features.h).
 * Exit status: 0 done, 1 failed (bad input), 2 usage.
 */
#include "cli/commands.h"
#include "risk/metrics.h"
#include "risk/model.h"
#include "risk/split.h"
#include "risk/table.h"
#include "services/risk_features.h"
#include "store/store.h"
#include "util/clock.h"
#include "util/mem.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_LIST 64 /* columns in --drop or --by */

typedef struct risk_opts {
    const char *sub;       /* train, eval or split */
    const char *csv;       /* --csv */
    const char *label;     /* --label */
    const char *model;     /* --model */
    const char *drop;      /* --drop, comma-separated */
    const char *by;        /* --by, comma-separated */
    const char *train;     /* --train (split output) */
    const char *test;      /* --test (split output) */
    const char *db;        /* --db (export) */
    const char *out;       /* --out (export) */
    const char *until;     /* --until (export), RFC 3339 or a date */
    double threshold;      /* --threshold */
    double fraction;       /* --fraction */
    hf_risk_params params; /* --rounds, --seed, --eta, ... */
} risk_opts;

/* Options, one row each, sorted by name: the flag and what it sets. */
static const struct {
    const char *name; /* "--csv" */
    int field;        /* the case in set_option */
} options[] = {
    {"--by", 0},      {"--categorical", 1}, {"--colsample", 2},
    {"--csv", 3},     {"--db", 19},         {"--drop", 4},
    {"--eta", 5},     {"--fraction", 6},    {"--label", 7},
    {"--max-bin", 8}, {"--max-depth", 9},   {"--min-child-weight", 10},
    {"--model", 11},  {"--nthread", 12},    {"--out", 20},
    {"--rounds", 13}, {"--seed", 14},       {"--subsample", 15},
    {"--test", 16},   {"--threshold", 17},  {"--train", 18},
    {"--until", 21},
};

/* Reads a number in [lo, hi] from s; false when it is not one. */
static bool real_in(const char *s, double lo, double hi, double *v)
{
    char *end = NULL;
    *v = strtod(s, &end);
    return end != s && *end == '\0' && *v >= lo && *v <= hi;
}

/* Reads an integer in [lo, hi] from s. */
static bool int_in(const char *s, long lo, long hi, int *v)
{
    char *end = NULL;
    long n = strtol(s, &end, 10);
    *v = (int)n;
    return end != s && *end == '\0' && n >= lo && n <= hi;
}

/* Sets the option of table case `field` from value; false when bad. */
static bool set_option(risk_opts *o, int field, const char *v)
{
    hf_risk_params *p = &o->params;
    int seed = 0;
    switch (field) {
    case 0:
        return (o->by = v), true;
    case 1:
        p->native_categorical = strcmp(v, "native") == 0;
        return p->native_categorical || strcmp(v, "ordinal") == 0;
    case 2:
        return real_in(v, 0.01, 1, &p->colsample);
    case 3:
        return (o->csv = v), true;
    case 4:
        return (o->drop = v), true;
    case 5:
        return real_in(v, 1e-4, 1, &p->eta);
    case 6:
        return real_in(v, 0, 1, &o->fraction);
    case 7:
        return (o->label = v), true;
    case 8:
        return int_in(v, 2, 65536, &p->max_bin);
    case 9:
        return int_in(v, 1, 32, &p->max_depth);
    case 10:
        return real_in(v, 0, 1e6, &p->min_child_weight);
    case 11:
        return (o->model = v), true;
    case 12:
        return int_in(v, 1, 256, &p->nthread);
    case 13:
        return int_in(v, 1, 100000, &p->rounds);
    case 14:
        if (!int_in(v, 0, 2147483647, &seed))
            return false;
        p->seed = (unsigned)seed;
        return true;
    case 15:
        return real_in(v, 0.01, 1, &p->subsample);
    case 16:
        return (o->test = v), true;
    case 17:
        return real_in(v, 0, 1, &o->threshold);
    case 18:
        return (o->train = v), true;
    case 19:
        return (o->db = v), true;
    case 20:
        return (o->out = v), true;
    default:
        return (o->until = v), true;
    }
}

/* Parses argv into o; false (after a message) on bad usage. */
static bool parse(int argc, char **argv, risk_opts *o)
{
    *o = (risk_opts){.threshold = 0.5, .fraction = -1};
    hf_risk_params_default(&o->params);
    if (argc < 2) {
        fprintf(stderr, "holdfast risk: train, eval or split?\n");
        return false;
    }
    o->sub = argv[1];
    /* options come in pairs: the name, then its value */
    for (int i = 2; i < argc; i += 2) {
        size_t k = 0;
        while (k < HF_ARRAY_LEN(options) && strcmp(argv[i], options[k].name))
            k++;
        if (k == HF_ARRAY_LEN(options)) {
            fprintf(stderr, "holdfast risk: unknown option %s\n", argv[i]);
            return false;
        }
        if (i + 1 >= argc) {
            fprintf(stderr, "holdfast risk: %s needs a value\n", argv[i]);
            return false;
        }
        if (!set_option(o, options[k].field, argv[i + 1])) {
            fprintf(stderr, "holdfast risk: bad value for %s: %s\n", argv[i],
                    argv[i + 1]);
            return false;
        }
    }
    return true;
}

/* Splits a comma-separated list in place into at most MAX_LIST items. */
static size_t split_list(char *s, const char **items)
{
    size_t n = 0;
    for (char *tok = strtok(s, ","); tok && n < MAX_LIST;
         tok = strtok(NULL, ","))
        items[n++] = tok;
    return n;
}

/* Seconds on the monotonic clock. */
static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Prints err as "holdfast risk: message" and returns 1. */
static int fail(const hf_err *err)
{
    fprintf(stderr, "holdfast risk: %s\n", err->message);
    return 1;
}

/* Loads the --csv file and checks it has rows. */
static int load(const risk_opts *o, hf_risk_table **t, hf_err *err)
{
    if (hf_risk_table_load(o->csv, t, err) != HF_OK)
        return fail(err);
    if (hf_risk_table_rows(*t) == 0) {
        fprintf(stderr, "holdfast risk: %s: no rows after the header\n",
                o->csv);
        hf_risk_table_free(*t);
        return 1;
    }
    return 0;
}

/* holdfast risk train */
static int cmd_train(const risk_opts *o)
{
    if (!o->csv || !o->label || !o->model) {
        fprintf(stderr, "holdfast risk train: --csv, --label and --model "
                        "are required\n");
        return 2;
    }
    hf_err err;
    hf_risk_table *t;
    double t0 = now();
    if (load(o, &t, &err) != 0)
        return 1;
    char *dropbuf = hf_strdup(o->drop ? o->drop : "");
    const char *drop[MAX_LIST];
    size_t ndrop = dropbuf ? split_list(dropbuf, drop) : 0;
    double t1 = now();
    hf_risk_model *m = NULL;
    hf_rc rc =
        hf_risk_model_train(t, o->label, drop, ndrop, &o->params, &m, &err);
    double t2 = now();
    if (rc == HF_OK)
        rc = hf_risk_model_save(m, o->model, &err);
    if (rc == HF_OK)
        fprintf(stderr,
                "holdfast risk: trained on %zu rows, %zu features, %d "
                "rounds in %.1f s (reading %.1f s); model in %s\n",
                hf_risk_table_rows(t),
                hf_risk_encoding_features(hf_risk_model_encoding(m)),
                o->params.rounds, t2 - t1, t1 - t0, o->model);
    hf_risk_model_free(m);
    hf_free(dropbuf);
    hf_risk_table_free(t);
    return rc == HF_OK ? 0 : fail(&err);
}

/* The evaluation as JSON. */
static json_t *report(const float *s, const float *y, size_t n, double auc,
                      double threshold, double seconds)
{
    hf_risk_confusion c = hf_risk_confusion_at(s, y, n, threshold);
    hf_risk_bin bins[HF_RISK_CAL_BINS];
    hf_risk_calibration(s, y, n, bins);
    json_t *cal = json_array();
    for (int b = 0; b < HF_RISK_CAL_BINS; b++)
        json_array_append_new(cal, json_pack("{s:f, s:f, s:I, s:f, s:f}", "lo",
                                             bins[b].lo, "hi", bins[b].hi,
                                             "count", (json_int_t)bins[b].count,
                                             "predicted", bins[b].predicted,
                                             "observed", bins[b].observed));
    return json_pack(
        "{s:I, s:I, s:o, s:f, s:f, s:f, s:f, s:I, s:I, s:I, "
        "s:I, s:o, s:f}",
        "rows", (json_int_t)n, "positives", (json_int_t)(c.tp + c.fn), "auc",
        isnan(auc) ? json_null() : json_real(auc), "threshold", threshold,
        "accuracy", c.accuracy, "precision", c.precision, "recall", c.recall,
        "tp", (json_int_t)c.tp, "fp", (json_int_t)c.fp, "tn", (json_int_t)c.tn,
        "fn", (json_int_t)c.fn, "calibration", cal, "seconds", seconds);
}

/* holdfast risk eval */
static int cmd_eval(const risk_opts *o)
{
    if (!o->csv || !o->label || !o->model) {
        fprintf(stderr, "holdfast risk eval: --csv, --label and --model "
                        "are required\n");
        return 2;
    }
    hf_err err;
    hf_risk_model *m = NULL;
    hf_risk_table *t = NULL;
    float *y = NULL, *s = NULL;
    double t0 = now();
    if (hf_risk_model_load(o->model, o->params.nthread, &m, &err) != HF_OK)
        return fail(&err);
    if (load(o, &t, &err) != 0) {
        hf_risk_model_free(m);
        return 1;
    }
    hf_rc rc = hf_risk_labels(t, o->label, &y, &err);
    if (rc == HF_OK)
        rc = hf_risk_model_score_table(m, t, &s, &err);
    double auc = NAN;
    size_t n = hf_risk_table_rows(t);
    if (rc == HF_OK && hf_risk_auc(s, y, n, &auc) != HF_OK)
        rc = hf_fail(&err, HF_ENOMEM, "no_memory", NULL, "out of memory");
    if (rc == HF_OK) {
        json_t *j = report(s, y, n, auc, o->threshold, now() - t0);
        char *text = j ? json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER |
                                           JSON_REAL_PRECISION(6))
                       : NULL;
        if (text)
            puts(text);
        else
            rc = hf_fail(&err, HF_ENOMEM, "no_memory", NULL, "out of memory");
        free(text);
        json_decref(j);
    }
    hf_free(y);
    hf_free(s);
    hf_risk_table_free(t);
    hf_risk_model_free(m);
    return rc == HF_OK ? 0 : fail(&err);
}

/* Writes rows[0..n) of t to path. */
static hf_rc write_part(const hf_risk_table *t, const size_t *rows, size_t n,
                        const char *path, hf_err *err)
{
    FILE *f = fopen(path, "w");
    if (f == NULL)
        return hf_fail(err, HF_EIO, "io", NULL, "%s: cannot create", path);
    hf_rc rc = hf_risk_table_write(t, rows, n, f, err);
    if (fclose(f) != 0 && rc == HF_OK)
        rc = hf_fail(err, HF_EIO, "io", NULL, "%s: write failed", path);
    return rc;
}

/* holdfast risk split */
static int cmd_split(const risk_opts *o)
{
    if (!o->csv || !o->by || !o->train || !o->test || o->fraction < 0) {
        fprintf(stderr, "holdfast risk split: --csv, --by, --fraction, "
                        "--train and --test are required\n");
        return 2;
    }
    hf_err err;
    hf_risk_table *t;
    if (load(o, &t, &err) != 0)
        return 1;
    char *bybuf = hf_strdup(o->by);
    const char *by[MAX_LIST];
    size_t nby = bybuf ? split_list(bybuf, by) : 0;
    size_t *order = NULL, n = hf_risk_table_rows(t);
    hf_rc rc = hf_risk_split_order(t, by, nby, &order, &err);
    size_t cut = (size_t)floor(o->fraction * (double)n + 0.5);
    if (rc == HF_OK)
        rc = write_part(t, order, cut, o->train, &err);
    if (rc == HF_OK)
        rc = write_part(t, order + cut, n - cut, o->test, &err);
    if (rc == HF_OK)
        fprintf(stderr, "holdfast risk: %zu rows to %s, %zu to %s\n", cut,
                o->train, n - cut, o->test);
    hf_free(order);
    hf_free(bybuf);
    hf_risk_table_free(t);
    return rc == HF_OK ? 0 : fail(&err);
}

/* Reads --until: an RFC 3339 time or a date (its midnight, UTC). */
static bool parse_until(const char *s, hf_time *out)
{
    char buf[HF_TIME_TEXT + 16];
    if (hf_time_parse(s, out) == 0)
        return true;
    snprintf(buf, sizeof(buf), "%sT00:00:00Z", s);
    return strlen(s) == 10 && hf_time_parse(buf, out) == 0;
}

/* holdfast risk export */
static int cmd_export(const risk_opts *o)
{
    if (!o->db || !o->out) {
        fprintf(stderr, "holdfast risk export: --db and --out are required\n");
        return 2;
    }
    hf_time until = hf_clock_now(hf_clock_system()) + 1;
    if (o->until && !parse_until(o->until, &until)) {
        fprintf(stderr, "holdfast risk export: bad --until %s\n", o->until);
        return 2;
    }
    hf_err err;
    hf_err_clear(&err);
    hf_store *s = NULL;
    if (hf_store_open(o->db, &s, &err) != HF_OK)
        return fail(&err);
    hf_rc rc = hf_store_check_schema(s, &err);
    FILE *f = rc == HF_OK ? fopen(o->out, "w") : NULL;
    if (rc == HF_OK && f == NULL)
        rc = hf_fail(&err, HF_EIO, "io", NULL, "%s: cannot create", o->out);
    size_t rows = 0;
    if (rc == HF_OK)
        rc = hf_risk_export(s, until, f, &rows, &err);
    if (f != NULL && fclose(f) != 0 && rc == HF_OK)
        rc = hf_fail(&err, HF_EIO, "io", NULL, "%s: write failed", o->out);
    if (rc == HF_OK)
        fprintf(stderr, "holdfast risk: %zu orders to %s\n", rows, o->out);
    hf_store_close(s);
    return rc == HF_OK ? 0 : fail(&err);
}

/* See commands.h. */
int hf_risk_command(int argc, char **argv)
{
    if (argc >= 2 &&
        (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "help") == 0)) {
        fputs(HF_RISK_USAGE, stdout);
        return 0;
    }
    risk_opts o;
    if (!parse(argc, argv, &o)) {
        fputs(HF_RISK_USAGE, stderr);
        return 2;
    }
    if (strcmp(o.sub, "train") == 0)
        return cmd_train(&o);
    if (strcmp(o.sub, "eval") == 0)
        return cmd_eval(&o);
    if (strcmp(o.sub, "split") == 0)
        return cmd_split(&o);
    if (strcmp(o.sub, "export") == 0)
        return cmd_export(&o);
    fprintf(stderr, "holdfast risk: unknown command %s\n", o.sub);
    fputs(HF_RISK_USAGE, stderr);
    return 2;
}
