/*
 * metrics.c - AUC, confusion counts and calibration (see metrics.h).
 */
#include "risk/metrics.h"
#include "util/mem.h"

#include <math.h>
#include <stdlib.h>

typedef struct scored {
    float score; /* the model's score */
    float label; /* 0 or 1 */
} scored;

/* Orders rows by score, ascending. */
static int by_score(const void *a, const void *b)
{
    float x = ((const scored *)a)->score, y = ((const scored *)b)->score;
    return (x > y) - (x < y);
}

/* See metrics.h. */
hf_rc hf_risk_auc(const float *score, const float *label, size_t n, double *auc)
{
    *auc = NAN;
    scored *v = hf_malloc((n ? n : 1) * sizeof(*v));
    if (v == NULL)
        return HF_ENOMEM;
    double pos = 0;
    for (size_t i = 0; i < n; i++) {
        v[i] = (scored){score[i], label[i]};
        pos += label[i] > 0.5f;
    }
    double neg = (double)n - pos;
    qsort(v, n, sizeof(*v), by_score);
    /* Sum of the ranks (1-based) of the positives; a run of equal scores
     * shares the average of its ranks. */
    double rank_sum = 0;
    for (size_t i = 0; i < n;) {
        size_t j = i;
        double run_pos = 0;
        while (j < n && v[j].score == v[i].score)
            run_pos += v[j++].label > 0.5f;
        rank_sum += run_pos * ((double)(i + 1) + (double)j) / 2.0;
        i = j;
    }
    hf_free(v);
    if (pos > 0 && neg > 0)
        *auc = (rank_sum - pos * (pos + 1) / 2.0) / (pos * neg);
    return HF_OK;
}

/* See metrics.h. */
hf_risk_confusion hf_risk_confusion_at(const float *score, const float *label,
                                       size_t n, double threshold)
{
    hf_risk_confusion c = {0};
    for (size_t i = 0; i < n; i++) {
        int said = score[i] >= threshold, is = label[i] > 0.5f;
        c.tp += said && is;
        c.fp += said && !is;
        c.tn += !said && !is;
        c.fn += !said && is;
    }
    c.accuracy = n ? (double)(c.tp + c.tn) / (double)n : 0;
    c.precision = c.tp + c.fp ? (double)c.tp / (double)(c.tp + c.fp) : 0;
    c.recall = c.tp + c.fn ? (double)c.tp / (double)(c.tp + c.fn) : 0;
    return c;
}

/* See metrics.h. */
void hf_risk_calibration(const float *score, const float *label, size_t n,
                         hf_risk_bin bins[HF_RISK_CAL_BINS])
{
    double sum[HF_RISK_CAL_BINS] = {0}, ones[HF_RISK_CAL_BINS] = {0};
    for (int b = 0; b < HF_RISK_CAL_BINS; b++)
        bins[b] = (hf_risk_bin){.lo = (double)b / HF_RISK_CAL_BINS,
                                .hi = (double)(b + 1) / HF_RISK_CAL_BINS};
    for (size_t i = 0; i < n; i++) {
        int b = (int)(score[i] * HF_RISK_CAL_BINS);
        b = b < 0 ? 0 : b >= HF_RISK_CAL_BINS ? HF_RISK_CAL_BINS - 1 : b;
        bins[b].count++;
        sum[b] += score[i];
        ones[b] += label[i] > 0.5f;
    }
    for (int b = 0; b < HF_RISK_CAL_BINS; b++)
        if (bins[b].count > 0) {
            bins[b].predicted = sum[b] / (double)bins[b].count;
            bins[b].observed = ones[b] / (double)bins[b].count;
        }
}
