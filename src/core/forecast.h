/*
 * forecast.h - demand forecasts for the inventory outlook: additive
 * Holt-Winters with a seasonal period (a week of days), its smoothing
 * constants chosen by the smallest one-step-ahead squared error over a
 * grid. Pure; no I/O.
 *
 * Why Holt-Winters and written here: daily unit sales of one SKU have a
 * level, a slow trend and a weekly shape (the demo's weekday rates, and
 * real shops'), which is exactly the model's; ARIMA-class models need far
 * more history per SKU than a shop keeps at hand, and no Debian C library
 * offers Holt-Winters (GSL has no exponential smoothing). The recursions
 * are a dozen lines (Hyndman & Athanasopoulos, "Forecasting: Principles
 * and Practice", 8.3), checked on a series with known seasonality in
 * tests/unit/core_forecast.c.
 */
#ifndef HF_FORECAST_H
#define HF_FORECAST_H

#include <stddef.h>

typedef struct hf_hw_fit {
    double alpha, beta, gamma; /* level, trend and season smoothing */
    double sse;                /* one-step-ahead squared error */
    const char *method;        /* "holt_winters", or "mean" when the
                                  history is shorter than two periods */
} hf_hw_fit;

/* Forecasts y[n..n+horizon-1] from y[0..n-1] into out (horizon values,
 * none below 0) with seasonal period `period`. Needs 2 periods of
 * history for the seasonal model; with less it forecasts the mean. fit
 * (may be NULL) says what was fitted. */
void hf_forecast(const double *y, size_t n, size_t period, size_t horizon,
                 double *out, hf_hw_fit *fit);

#endif
