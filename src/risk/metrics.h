/*
 * metrics.h - how good a risk model's scores are: the area under the ROC
 * curve, the confusion counts at a threshold, and a calibration table.
 * Labels are 0/1 floats; scores are probabilities in [0, 1].
 */
#ifndef HF_RISK_METRICS_H
#define HF_RISK_METRICS_H

#include "util/hf.h"

#include <stddef.h>

#define HF_RISK_CAL_BINS 10 /* calibration bins, each 0.1 of score wide */

/* Counts and rates at one threshold (a score >= threshold predicts 1). */
typedef struct hf_risk_confusion {
    size_t tp, fp, tn, fn; /* true/false positives, true/false negatives */
    double accuracy;       /* (tp + tn) / all */
    double precision;      /* tp / (tp + fp); 0 when nothing is predicted 1 */
    double recall;         /* tp / (tp + fn); 0 when no row is 1 */
} hf_risk_confusion;

/* One calibration bin: rows whose score falls in [lo, hi). */
typedef struct hf_risk_bin {
    double lo, hi;    /* score range (the last bin includes 1.0) */
    size_t count;     /* rows in the bin */
    double predicted; /* mean score of those rows (0 when empty) */
    double observed;  /* share of them labelled 1 (0 when empty) */
} hf_risk_bin;

/* The area under the ROC curve of score against label over n rows: the
 * probability that a random positive scores above a random negative, a
 * tie counting one half (rank statistic with average ranks). *auc is NaN
 * when either class is absent. HF_ENOMEM when the sort's memory is not
 * there. */
hf_rc hf_risk_auc(const float *score, const float *label, size_t n,
                  double *auc);

/* The confusion counts and rates at threshold. */
hf_risk_confusion hf_risk_confusion_at(const float *score, const float *label,
                                       size_t n, double threshold);

/* Fills bins[0..HF_RISK_CAL_BINS) with the calibration table. */
void hf_risk_calibration(const float *score, const float *label, size_t n,
                         hf_risk_bin bins[HF_RISK_CAL_BINS]);

#endif
