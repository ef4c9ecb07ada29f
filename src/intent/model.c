/*
 * model.c - training (liblinear, L2-regularised logistic regression) and
 * prediction of the intent model.
 *
 * Prediction does not call liblinear: the weights are copied into a flat
 * float table when training ends (or read from a file), and the
 * probabilities are computed the way liblinear's predict_probability does
 * for one-vs-rest logistic regression (a sigmoid per class, normalised to
 * sum to one). That keeps a loaded model small and classification free of
 * allocation beyond one feature buffer and a stemmer.
 *
 * Decision offsets: the intent chosen is argmax over c of log p_c + b_c.
 * Training picks the b_c (see search_offsets) to maximise macro-F1 on
 * out-of-fold probabilities of the examples it is given, so they move the
 * boundaries the probabilities place badly for the rarer or harder intents
 * (cancel_order vs insist_cancel, short thanks vs other) without looking
 * at anything but the training examples.
 */
#include "intent/features.h"
#include "intent/model_int.h"
#include "util/mem.h"

#include <libstemmer.h>
#include <linear.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* The regularisation constant when none is given: chosen by 5-fold
 * cross-validation on the training split (see intents eval --tune and the
 * table in features.c). With feature version 2, macro-F1 by C:
 *   C=10 0.9079, 30 0.9214, 100 0.9282, 300 0.9286, 1000 0.9298
 *   (3000 and 10000 gave 0.9294 and 0.9285 in the experiment build).
 * The corpus is close to separable, so weak regularisation wins; the
 * curve is flat above 300. */
#define DEFAULT_C 1000.0

struct hf_intent_model *hf_intent_model_new(int nr_class)
{
    struct hf_intent_model *m = hf_calloc(1, sizeof(*m));
    if (m == NULL)
        return NULL;
    m->dims = HF_FEAT_DIM;
    m->nr_class = nr_class;
    m->oof_f1[0] = m->oof_f1[1] = -1;
    m->w = hf_calloc((size_t)(m->dims + 1) * (size_t)nr_class, sizeof(float));
    if (m->w == NULL) {
        hf_free(m);
        return NULL;
    }
    return m;
}

/*
 * Frees m and its weights; NULL is fine.
 */
void hf_intent_model_free(hf_intent_model *m)
{
    if (m == NULL)
        return;
    hf_free(m->w);
    hf_free(m);
}

/* liblinear prints progress on stdout unless told otherwise. */
static void quiet(const char *s)
{
    (void)s;
}

/* The training set in liblinear's form; one buffer for all nodes. */
typedef struct lproblem {
    struct problem prob;       /* what train() reads */
    struct feature_node *pool; /* every example's nodes, -1 terminated */
} lproblem;

static void lproblem_free(lproblem *p)
{
    hf_free(p->prob.x);
    hf_free(p->prob.y);
    hf_free(p->pool);
}

/* Counts examples per intent; HF_EINVAL when one is out of range or an
 * intent has none. */
static hf_rc check_classes(const hf_intent_example *ex, size_t n,
                           size_t count[HF_INTENT_COUNT], hf_err *err)
{
    memset(count, 0, sizeof(size_t) * HF_INTENT_COUNT);
    if (ex == NULL || n == 0)
        return hf_fail(err, HF_EINVAL, "no_examples", NULL,
                       "no training examples");
    for (size_t i = 0; i < n; i++) {
        if ((unsigned)ex[i].intent >= HF_INTENT_COUNT || ex[i].text == NULL)
            return hf_fail(err, HF_EINVAL, "bad_example", NULL,
                           "example %zu has no text or a bad intent", i);
        count[ex[i].intent]++;
    }
    for (int k = 0; k < HF_INTENT_COUNT; k++)
        if (count[k] == 0)
            return hf_fail(err, HF_EINVAL, "empty_class", NULL,
                           "no examples of intent %s",
                           hf_intent_name((hf_intent)k));
    return HF_OK;
}

/* Turns the examples into feature vectors with a bias node. */
static hf_rc build_problem(const hf_intent_example *ex, size_t n, lproblem *p,
                           hf_err *err)
{
    hf_rc rc = HF_ENOMEM;
    struct sb_stemmer *st = sb_stemmer_new("english", NULL);
    hf_feat *buf = hf_malloc(HF_FEAT_CAP * sizeof(*buf));
    size_t cap = 0, used = 0;
    size_t *start = hf_malloc(n * sizeof(*start));
    memset(p, 0, sizeof(*p));
    p->prob.y = hf_malloc(n * sizeof(double));
    p->prob.x = hf_malloc(n * sizeof(struct feature_node *));
    if (st == NULL || buf == NULL || start == NULL || p->prob.y == NULL ||
        p->prob.x == NULL)
        goto out;
    for (size_t i = 0; i < n; i++) {
        size_t m = hf_intent_features(st, ex[i].text, buf, HF_FEAT_CAP);
        if (used + m + 2 > cap) {
            size_t ncap = (cap + m + 2) * 2;
            void *np = hf_realloc(p->pool, ncap * sizeof(*p->pool));
            if (np == NULL)
                goto out;
            p->pool = np;
            cap = ncap;
        }
        start[i] = used;
        for (size_t j = 0; j < m; j++)
            p->pool[used++] =
                (struct feature_node){(int)buf[j].index + 1, buf[j].value};
        p->pool[used++] = (struct feature_node){(int)HF_FEAT_DIM + 1, 1.0};
        p->pool[used++] = (struct feature_node){-1, 0.0};
        p->prob.y[i] = (double)ex[i].intent;
    }
    for (size_t i = 0; i < n; i++)
        p->prob.x[i] = p->pool + start[i];
    p->prob.l = (int)n;
    p->prob.n = (int)HF_FEAT_DIM + 1;
    p->prob.bias = 1.0;
    rc = HF_OK;
out:
    if (rc != HF_OK)
        hf_fail(err, rc, NULL, NULL, "out of memory building features");
    hf_free(start);
    hf_free(buf);
    if (st != NULL)
        sb_stemmer_delete(st);
    return rc;
}

/* Copies liblinear's weights (row-major by feature, bias last) into a new
 * model. */
static hf_rc copy_weights(const struct model *lm, hf_intent_model **out,
                          hf_err *err)
{
    hf_intent_model *m = hf_intent_model_new(lm->nr_class);
    if (m == NULL)
        return hf_fail(err, HF_ENOMEM, NULL, NULL, "out of memory");
    for (int k = 0; k < lm->nr_class; k++)
        m->labels[k] = lm->label[k];
    size_t total = (size_t)(m->dims + 1) * (size_t)m->nr_class;
    for (size_t i = 0; i < total; i++)
        m->w[i] = (float)lm->w[i];
    *out = m;
    return HF_OK;
}

/* The search for decision offsets (see hf_intent_train_with): K folds
 * decided by a hash of the text with a seed of their own (not the one
 * intents eval --tune cross-validates with, so nested cross-validation
 * still has K non-empty inner folds), a grid of OFF_STEPS values either
 * side of 0, at most OFF_PASSES passes of coordinate ascent. */
#define OFF_FOLDS 5
#define OFF_SEED 0x6f666673u /* "offs" */
#define OFF_STEP 0.05
#define OFF_STEPS 30 /* -1.5 .. +1.5 */
#define OFF_PASSES 4

/*
 * Log-probabilities of the nr classes from decision values dec, as
 * hf_intent_classify computes them: a sigmoid per class, normalised to sum
 * to one (liblinear's predict_probability for one-vs-rest), in logs so a
 * tiny probability stays finite.
 */
static void log_probs(const double *dec, int nr, double *logp)
{
    double sum = 0;
    for (int k = 0; k < nr; k++) {
        double d = dec[k];
        /* log sigmoid(d), without overflow either way */
        logp[k] = d >= 0 ? -log1p(exp(-d)) : d - log1p(exp(d));
        sum += exp(logp[k]);
    }
    double ls = log(sum);
    for (int k = 0; k < nr; k++)
        logp[k] -= ls;
}

/* liblinear's solvers draw from rand(); re-seeding before every fit makes
 * a model depend on its examples only, not on what the process trained
 * before (seed 1 is what an unseeded process starts from). */
static struct model *fit(const struct problem *prob,
                         const struct parameter *param)
{
    srand(1);
    set_print_string_function(quiet);
    return train(prob, param);
}

/*
 * Fills logp[i * NC + intent] with out-of-fold log-probabilities for every
 * example of p: OFF_FOLDS models, each trained on the other folds. False
 * (logp untouched) when a fold's training part lacks an intent or memory
 * runs out; the caller then keeps offsets of 0.
 */
static bool out_of_fold(const hf_intent_example *ex, const lproblem *p,
                        const struct parameter *param, double *logp)
{
    size_t n = (size_t)p->prob.l;
    unsigned char *fold = hf_malloc(n);
    struct feature_node **x = hf_malloc(n * sizeof(*x));
    double *y = hf_malloc(n * sizeof(*y));
    bool ok = fold != NULL && x != NULL && y != NULL;
    for (size_t i = 0; ok && i < n; i++)
        fold[i] = (unsigned char)(hf_intent_hash(OFF_SEED, ex[i].text,
                                                 strlen(ex[i].text)) %
                                  OFF_FOLDS);
    for (unsigned f = 0; ok && f < OFF_FOLDS; f++) {
        size_t count[HF_INTENT_COUNT] = {0}, nt = 0;
        for (size_t i = 0; i < n; i++) {
            if (fold[i] == f)
                continue;
            x[nt] = p->prob.x[i];
            y[nt++] = p->prob.y[i];
            count[ex[i].intent]++;
        }
        for (int k = 0; k < HF_INTENT_COUNT; k++)
            ok = ok && count[k] > 0;
        if (!ok)
            break;
        struct problem sub = p->prob;
        sub.l = (int)nt;
        sub.x = x;
        sub.y = y;
        struct model *lm = fit(&sub, param);
        if (lm == NULL) {
            ok = false;
            break;
        }
        for (size_t i = 0; i < n; i++) {
            if (fold[i] != f)
                continue;
            double dec[HF_INTENT_COUNT], lp[HF_INTENT_COUNT];
            predict_values(lm, p->prob.x[i], dec);
            log_probs(dec, lm->nr_class, lp);
            for (int k = 0; k < lm->nr_class; k++)
                logp[i * HF_INTENT_COUNT + (size_t)lm->label[k]] = lp[k];
        }
        free_and_destroy_model(&lm);
    }
    hf_free(fold);
    hf_free(x);
    hf_free(y);
    return ok;
}

/* Macro-F1 over all intents of the predictions pred[0..n) against the
 * examples' intents. */
static double macro_f1(const hf_intent_example *ex, const int *pred, size_t n)
{
    long tp[HF_INTENT_COUNT] = {0}, np[HF_INTENT_COUNT] = {0},
         ng[HF_INTENT_COUNT] = {0};
    for (size_t i = 0; i < n; i++) {
        np[pred[i]]++;
        ng[ex[i].intent]++;
        tp[pred[i]] += pred[i] == (int)ex[i].intent;
    }
    double sum = 0;
    for (int k = 0; k < HF_INTENT_COUNT; k++)
        if (np[k] + ng[k] > 0)
            sum += 2.0 * (double)tp[k] / (double)(np[k] + ng[k]);
    return sum / HF_INTENT_COUNT;
}

/* argmax over intents of logp[k] + b[k], the lowest intent on a tie (as
 * hf_intent_classify, whose columns may be in another order, would only
 * differ on an exact tie of two doubles). */
static int decide(const double *logp, const double *b)
{
    int best = 0;
    for (int k = 1; k < HF_INTENT_COUNT; k++)
        if (logp[k] + b[k] > logp[best] + b[best])
            best = k;
    return best;
}

/*
 * Chooses the offsets b maximising the macro-F1 of decide() on the
 * out-of-fold log-probabilities: coordinate ascent from b = 0, each intent
 * in turn tried at every grid value, a value kept only when it strictly
 * improves (grid visited from 0 outwards, so ties keep the smaller
 * offset), until a pass changes nothing. Returns the macro-F1 reached;
 * *before gets the one at b = 0.
 */
static double search_offsets(const hf_intent_example *ex, size_t n,
                             const double *logp, double b[HF_INTENT_COUNT],
                             double *before)
{
    int *pred = hf_malloc(n * sizeof(*pred));
    if (pred == NULL)
        return *before = 0;
    for (int k = 0; k < HF_INTENT_COUNT; k++)
        b[k] = 0;
    for (size_t i = 0; i < n; i++)
        pred[i] = decide(logp + i * HF_INTENT_COUNT, b);
    double best = macro_f1(ex, pred, n);
    *before = best;
    for (int pass = 0; pass < OFF_PASSES; pass++) {
        bool changed = false;
        for (int c = 0; c < HF_INTENT_COUNT; c++) {
            double keep = b[c], best_v = b[c];
            for (int s = 1; s <= 2 * OFF_STEPS; s++) {
                /* 0.05, -0.05, 0.1, -0.1, ... */
                double v = OFF_STEP * ((s + 1) / 2) * (s % 2 ? 1 : -1);
                b[c] = v;
                for (size_t i = 0; i < n; i++)
                    pred[i] = decide(logp + i * HF_INTENT_COUNT, b);
                double f = macro_f1(ex, pred, n);
                if (f > best + 1e-12) {
                    best = f;
                    best_v = v;
                }
            }
            b[c] = best_v;
            changed = changed || best_v != keep;
        }
        if (!changed)
            break;
    }
    hf_free(pred);
    return best;
}

/*
 * Like hf_intent_train with regularisation constant C (> 0; 0 picks the
 * default), class weights when balance is true, and the decision-offset
 * search only when offsets is true. Errors as hf_intent_train.
 */
hf_rc hf_intent_train_with(const hf_intent_example *ex, size_t n, double C,
                           bool balance, bool offsets, hf_intent_model **out,
                           hf_err *err)
{
    size_t count[HF_INTENT_COUNT];
    hf_rc rc = check_classes(ex, n, count, err);
    if (rc != HF_OK)
        return rc;
    lproblem p;
    rc = build_problem(ex, n, &p, err);
    if (rc != HF_OK) {
        lproblem_free(&p);
        return rc;
    }
    int wl[HF_INTENT_COUNT];
    double wv[HF_INTENT_COUNT];
    for (int k = 0; k < HF_INTENT_COUNT; k++) {
        wl[k] = k;
        wv[k] = (double)n / (HF_INTENT_COUNT * (double)count[k]);
    }
    struct parameter param = {
        .solver_type = L2R_LR_DUAL,
        .eps = 0.01,
        .C = C > 0 ? C : DEFAULT_C,
        .nr_weight = balance ? HF_INTENT_COUNT : 0,
        .weight_label = balance ? wl : NULL,
        .weight = balance ? wv : NULL,
    };
    const char *bad = check_parameter(&p.prob, &param);
    if (bad != NULL) {
        lproblem_free(&p);
        return hf_fail(err, HF_EINVAL, "bad_parameter", NULL, "%s", bad);
    }
    double b[HF_INTENT_COUNT] = {0}, f0 = 0, f1 = 0;
    bool searched = false;
    if (offsets) {
        double *logp = hf_malloc(n * HF_INTENT_COUNT * sizeof(*logp));
        if (logp != NULL && out_of_fold(ex, &p, &param, logp)) {
            f1 = search_offsets(ex, n, logp, b, &f0);
            searched = true;
        }
        hf_free(logp);
    }
    struct model *lm = fit(&p.prob, &param);
    lproblem_free(&p);
    if (lm == NULL)
        return hf_fail(err, HF_ENOMEM, NULL, NULL, "training failed");
    rc = copy_weights(lm, out, err);
    free_and_destroy_model(&lm);
    if (rc == HF_OK) {
        for (int k = 0; k < HF_INTENT_COUNT; k++)
            (*out)->offset[k] = (float)b[k];
        (*out)->oof_f1[0] = searched ? f0 : -1;
        (*out)->oof_f1[1] = searched ? f1 : -1;
    }
    return rc;
}

/*
 * Trains with the default regularisation, balanced class weights and the
 * decision-offset search. Errors: HF_EINVAL (no examples, a class with
 * none), HF_ENOMEM.
 */
hf_rc hf_intent_train(const hf_intent_example *ex, size_t n,
                      hf_intent_model **out, hf_err *err)
{
    return hf_intent_train_with(ex, n, 0, true, true, out, err);
}

/* The decision offset of intent i (0 when none was searched). */
double hf_intent_model_offset(const hf_intent_model *m, hf_intent i)
{
    return (unsigned)i < HF_INTENT_COUNT ? (double)m->offset[i] : 0;
}

/* Out-of-fold macro-F1 without and with the offsets, from training. */
bool hf_intent_model_search_f1(const hf_intent_model *m, double *before,
                               double *after)
{
    *before = m->oof_f1[0];
    *after = m->oof_f1[1];
    return m->oof_f1[0] >= 0;
}

/* Fills logp[k] with the log-probability of column k from the features
 * x[0..nx). */
static void class_log_probs(const hf_intent_model *m, const hf_feat *x,
                            size_t nx, double *logp)
{
    int nc = m->nr_class;
    const float *bias = m->w + (size_t)m->dims * (size_t)nc;
    double dec[HF_INTENT_COUNT] = {0};
    for (int k = 0; k < nc; k++)
        dec[k] = bias[k];
    for (size_t i = 0; i < nx; i++) {
        const float *row = m->w + (size_t)x[i].index * (size_t)nc;
        for (int k = 0; k < nc; k++)
            dec[k] += (double)x[i].value * row[k];
    }
    log_probs(dec, nc, logp);
}

/*
 * Classifies text and extracts offer, percent and order number into out.
 * Never fails: empty text (or memory running out) gives OTHER with
 * confidence 0. Thread-safe: m is only read, the stemmer is per call.
 */
void hf_intent_classify(const hf_intent_model *m, const char *text,
                        hf_intent_result *out)
{
    hf_intent_extract(text, out);
    out->intent = HF_INTENT_OTHER;
    out->confidence = 0;
    if (m == NULL || text == NULL)
        return;
    size_t len = strnlen(text, HF_INTENT_MAX_TEXT);
    /* At most 5 features a byte (a "?" mark: its char gram, uni-, bi-,
     * trigram and negation mark; "u" read as "you" gives 10 for 2 bytes),
     * plus the end bigram and 6 shape indicators. */
    size_t cap = len * 8 + 16;
    hf_feat *x = hf_malloc(cap * sizeof(*x));
    struct sb_stemmer *st = sb_stemmer_new("english", NULL);
    size_t nx =
        x != NULL && st != NULL ? hf_intent_features(st, text, x, cap) : 0;
    if (nx > 0) {
        double logp[HF_INTENT_COUNT] = {0}, best_s = -HUGE_VAL;
        int best = 0;
        class_log_probs(m, x, nx, logp);
        for (int k = 0; k < m->nr_class; k++) {
            double s = logp[k] + m->offset[m->labels[k]];
            if (s > best_s || (s == best_s && m->labels[k] < m->labels[best])) {
                best_s = s;
                best = k;
            }
        }
        out->intent = (hf_intent)m->labels[best];
        out->confidence = exp(logp[best]);
    }
    if (st != NULL)
        sb_stemmer_delete(st);
    hf_free(x);
}
