/*
 * money.h - money as an integer number of minor units and an ISO 4217
 * currency code. No floating point touches an amount.
 */
#ifndef HF_MONEY_H
#define HF_MONEY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef int64_t hf_minor; /* an amount in the currency's minor unit */

/* Largest amount holdfast accepts anywhere: 10^15 minor units, far above
 * any order, far below overflow when a few are added. */
#define HF_MONEY_MAX ((hf_minor)1000000000000000LL)

/* True when code is an active ISO 4217 code holdfast knows. */
bool hf_currency_valid(const char *code);

/* Digits after the decimal point of the currency (2 for USD, 0 for JPY,
 * 3 for KWD); -1 for an unknown code. */
int hf_currency_exponent(const char *code);

/* *out = a + b. Returns false, leaving *out alone, when the result would
 * leave [-HF_MONEY_MAX, HF_MONEY_MAX]. */
bool hf_money_add(hf_minor a, hf_minor b, hf_minor *out);

/* *out = unit * qty, with the same range check. */
bool hf_money_mul(hf_minor unit, int64_t qty, hf_minor *out);

/* amount * basis_points / 10000, rounded half away from zero: 15% of 2999
 * is hf_money_percent(2999, 1500) = 450. */
hf_minor hf_money_percent(hf_minor amount, int64_t basis_points);

/* Writes "25.00 USD" (the currency's exponent, then its code) into out. */
void hf_money_format(hf_minor amount, const char *currency, char *out,
                     size_t size);

#endif
