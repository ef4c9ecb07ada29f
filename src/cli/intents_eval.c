/*
 * intents_eval.c - `holdfast intents eval` (train on the training split,
 * report on the held-out split) and `holdfast intents bench` (classify
 * latency).
 */
#include "cli/intents_int.h"
#include "intent/corpus.h"
#include "intent/features.h"
#include "util/mem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define NC HF_INTENT_COUNT

/* Counts of (true, predicted) pairs over some examples. */
typedef struct confusion {
    long m[NC][NC];             /* m[true][predicted] */
    const char *sample[NC][NC]; /* one text of each off-diagonal pair */
} confusion;

/* Classifies ex[0..n) with m into c (zeroed first); only examples for
 * keep[i] holds when keep is not NULL. */
static void tally(const hf_intent_model *m, const hf_intent_example *ex,
                  size_t n, const bool *keep, confusion *c)
{
    memset(c, 0, sizeof(*c));
    for (size_t i = 0; i < n; i++) {
        if (keep != NULL && !keep[i])
            continue;
        hf_intent_result r;
        hf_intent_classify(m, ex[i].text, &r);
        c->m[ex[i].intent][r.intent]++;
        if (c->sample[ex[i].intent][r.intent] == NULL)
            c->sample[ex[i].intent][r.intent] = ex[i].text;
    }
}

/* Precision, recall and F1 of class k. */
static void prf(const confusion *c, int k, double *p, double *r, double *f)
{
    long tp = c->m[k][k], pred = 0, gold = 0;
    for (int j = 0; j < NC; j++) {
        pred += c->m[j][k];
        gold += c->m[k][j];
    }
    *p = pred ? (double)tp / (double)pred : 0;
    *r = gold ? (double)tp / (double)gold : 0;
    *f = *p + *r > 0 ? 2 * *p * *r / (*p + *r) : 0;
}

/* Accuracy and macro-F1 (over classes present in truth or prediction). */
static void summary(const confusion *c, double *acc, double *macro)
{
    long right = 0, all = 0;
    double fsum = 0;
    int classes = 0;
    for (int k = 0; k < NC; k++) {
        long row = 0, col = 0;
        for (int j = 0; j < NC; j++) {
            row += c->m[k][j];
            col += c->m[j][k];
        }
        right += c->m[k][k];
        all += row;
        if (row == 0 && col == 0)
            continue;
        double p, r, f;
        prf(c, k, &p, &r, &f);
        fsum += f;
        classes++;
    }
    *acc = all ? (double)right / (double)all : 0;
    *macro = classes ? fsum / classes : 0;
}

/* Prints the per-intent table and the most frequent confusions. */
static void report(confusion *c)
{
    printf("%-15s %6s %6s %6s %5s\n", "intent", "prec", "recall", "f1", "n");
    for (int k = 0; k < NC; k++) {
        double p, r, f;
        long n = 0;
        for (int j = 0; j < NC; j++)
            n += c->m[k][j];
        prf(c, k, &p, &r, &f);
        printf("%-15s %6.3f %6.3f %6.3f %5ld\n", hf_intent_name((hf_intent)k),
               p, r, f, n);
    }
    printf("\nconfusions (true -> predicted: count, e.g.):\n");
    for (int shown = 0; shown < 12; shown++) {
        long best = 0;
        int bi = 0, bj = 0;
        for (int i = 0; i < NC; i++)
            for (int j = 0; j < NC; j++)
                if (i != j && c->m[i][j] > best && c->sample[i][j] != NULL) {
                    best = c->m[i][j];
                    bi = i;
                    bj = j;
                }
        if (best == 0)
            break;
        printf("  %s -> %s: %ld, \"%.70s\"\n", hf_intent_name((hf_intent)bi),
               hf_intent_name((hf_intent)bj), best, c->sample[bi][bj]);
        c->sample[bi][bj] = NULL; /* shown */
    }
}

/* The corpus cut into the training and held-out sides. */
typedef struct split {
    hf_intent_example *train; /* training examples (hf_malloc) */
    size_t ntrain;            /* how many */
    hf_intent_example *test;  /* held-out examples (hf_malloc) */
    bool *test_ours;          /* test[i] came from data/intents */
    size_t ntest;             /* how many */
} split;

static void split_free(split *s)
{
    hf_free(s->train);
    hf_free(s->test);
    hf_free(s->test_ours);
}

/* Cuts c by hf_intent_heldout; ours are c->ex[0..n - from_bitext). */
static bool split_corpus(const hf_intent_corpus *c, split *s)
{
    s->train = hf_malloc((c->n + 1) * sizeof(*s->train));
    s->test = hf_malloc((c->n + 1) * sizeof(*s->test));
    s->test_ours = hf_malloc((c->n + 1) * sizeof(*s->test_ours));
    s->ntrain = s->ntest = 0;
    if (s->train == NULL || s->test == NULL || s->test_ours == NULL)
        return false;
    for (size_t i = 0; i < c->n; i++) {
        if (!hf_intent_heldout(c->ex[i].text)) {
            s->train[s->ntrain++] = c->ex[i];
            continue;
        }
        s->test_ours[s->ntest] = i < c->n - c->from_bitext;
        s->test[s->ntest++] = c->ex[i];
    }
    return true;
}

/* Macro-F1 of 5-fold cross-validation with constant C on ex[0..n) (the
 * training split only: the held-out texts play no part in choosing). */
static double cross_validate(const hf_intent_example *ex, size_t n, double C)
{
    hf_intent_example *tr = hf_malloc((n + 1) * sizeof(*tr));
    bool *keep = hf_malloc((n + 1) * sizeof(*keep));
    confusion total, part;
    memset(&total, 0, sizeof(total));
    for (unsigned fold = 0; tr != NULL && keep != NULL && fold < 5; fold++) {
        size_t nt = 0;
        for (size_t i = 0; i < n; i++) {
            unsigned h =
                hf_intent_hash(12345u, ex[i].text, strlen(ex[i].text)) % 5;
            keep[i] = h == fold;
            if (!keep[i])
                tr[nt++] = ex[i];
        }
        hf_intent_model *m = NULL;
        hf_err err;
        if (hf_intent_train_with(tr, nt, C, true, &m, &err) != HF_OK)
            continue;
        tally(m, ex, n, keep, &part);
        for (int i = 0; i < NC; i++)
            for (int j = 0; j < NC; j++)
                total.m[i][j] += part.m[i][j];
        hf_intent_model_free(m);
    }
    hf_free(tr);
    hf_free(keep);
    double acc, macro;
    summary(&total, &acc, &macro);
    return macro;
}

/* Prints every training-split text that 5-fold cross-validation gets
 * wrong, as "true -> predicted (confidence): text", for auditing the
 * corpus; the held-out texts are neither read nor shown. */
static void list_cv_errors(const hf_intent_example *ex, size_t n)
{
    hf_intent_example *tr = hf_malloc((n + 1) * sizeof(*tr));
    for (unsigned fold = 0; tr != NULL && fold < 5; fold++) {
        size_t nt = 0;
        for (size_t i = 0; i < n; i++)
            if (hf_intent_hash(12345u, ex[i].text, strlen(ex[i].text)) % 5 !=
                fold)
                tr[nt++] = ex[i];
        hf_intent_model *m = NULL;
        hf_err err;
        if (hf_intent_train_with(tr, nt, 0, true, &m, &err) != HF_OK)
            continue;
        for (size_t i = 0; i < n; i++) {
            if (hf_intent_hash(12345u, ex[i].text, strlen(ex[i].text)) % 5 !=
                fold)
                continue;
            hf_intent_result r;
            hf_intent_classify(m, ex[i].text, &r);
            if (r.intent != ex[i].intent)
                printf("%s -> %s (%.2f): %s\n", hf_intent_name(ex[i].intent),
                       hf_intent_name(r.intent), r.confidence, ex[i].text);
        }
        hf_intent_model_free(m);
    }
    hf_free(tr);
}

/* Picks C by cross-validation on the training split. */
static double tune(const split *s)
{
    static const double grid[] = {100, 300, 1000, 3000};
    double best_c = 0, best = -1;
    for (size_t i = 0; i < HF_ARRAY_LEN(grid); i++) {
        double f = cross_validate(s->train, s->ntrain, grid[i]);
        printf("cv C=%-5g macro-F1 %.4f\n", grid[i], f);
        if (f > best) {
            best = f;
            best_c = grid[i];
        }
    }
    printf("chosen C=%g\n\n", best_c);
    return best_c;
}

/* Trains on the split's training side and prints the held-out report;
 * returns the exit status. */
static int evaluate(const intents_opts *o, const hf_intent_corpus *c,
                    const split *s)
{
    double C = o->tune ? tune(s) : 0;
    hf_err err;
    hf_intent_model *m = NULL;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    if (hf_intent_train_with(s->train, s->ntrain, C, true, &m, &err) != HF_OK)
        return hf_intents_fail(&err);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    printf("corpus: %zu examples (%zu from Bitext); %zu duplicates dropped "
           "(%zu labelled differently)\n",
           c->n, c->from_bitext, c->duplicates, c->conflicts);
    printf("split: %zu training, %zu held out; trained in %.2f s\n\n",
           s->ntrain, s->ntest,
           (double)(t1.tv_sec - t0.tv_sec) +
               (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
    confusion all, ours;
    double acc, macro, acc_o, macro_o;
    tally(m, s->test, s->ntest, s->test_ours, &ours);
    tally(m, s->test, s->ntest, NULL, &all);
    summary(&ours, &acc_o, &macro_o);
    summary(&all, &acc, &macro);
    report(&all);
    printf("\nheld-out, data/intents only: accuracy %.4f, macro-F1 %.4f\n",
           acc_o, macro_o);
    printf("held-out, all: accuracy %.4f, macro-F1 %.4f\n", acc, macro);
    hf_intent_model_free(m);
    if (o->min_f1 >= 0 && macro < o->min_f1) {
        fprintf(stderr, "holdfast intents eval: macro-F1 %.4f below %.4f\n",
                macro, o->min_f1);
        return 1;
    }
    return 0;
}

/*
 * `intents eval`: loads the corpus, trains on the training split, reports
 * on the held-out split. 1 when macro-F1 is below --min-f1.
 */
int hf_intents_eval(const intents_opts *o)
{
    hf_err err;
    hf_intent_corpus c;
    if (hf_intent_corpus_load(o->data, hf_intents_bitext(o), &c, &err) != HF_OK)
        return hf_intents_fail(&err);
    split s;
    int status = 1;
    if (split_corpus(&c, &s)) {
        if (o->cv_errors)
            list_cv_errors(s.train, s.ntrain), status = 0;
        else
            status = evaluate(o, &c, &s);
    }
    split_free(&s);
    hf_intent_corpus_free(&c);
    return status;
}

static double now_us(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e6 + (double)t.tv_nsec / 1e3;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/*
 * `intents bench`: classifies a fixed set of messages --n times in all
 * and prints the median, 90th and 99th percentile latency of one call.
 */
int hf_intents_bench(const intents_opts *o)
{
    static const char *const msgs[] = {
        "ok I'll take the 15% discount then",
        "no thanks",
        "Just cancel my order HF-100042 please, I don't want any offers.",
        "can I talk to a real person",
        "how long will shipping take if I keep it?",
        "Hi, I ordered a jacket last week (order #100311) and it still "
        "hasn't shipped. I'd like to cancel unless it can arrive before "
        "the 20th. Otherwise the free express shipping would be fine.",
        "thx",
        "where is my parcel",
    };
    hf_intent_model *m = hf_intents_model(o);
    if (m == NULL)
        return 1;
    double *t = hf_malloc((size_t)o->n * sizeof(*t));
    if (t == NULL) {
        hf_intent_model_free(m);
        return 1;
    }
    hf_intent_result r;
    for (long i = 0; i < o->n; i++) {
        double a = now_us();
        hf_intent_classify(m, msgs[i % HF_ARRAY_LEN(msgs)], &r);
        t[i] = now_us() - a;
    }
    qsort(t, (size_t)o->n, sizeof(*t), cmp_double);
    printf("classify: %ld calls, median %.1f us, p90 %.1f us, p99 %.1f us\n",
           o->n, t[o->n / 2], t[o->n * 9 / 10], t[o->n * 99 / 100]);
    hf_free(t);
    hf_intent_model_free(m);
    return 0;
}
