/* money.c - integer money arithmetic and the ISO 4217 table. */
#include "core/money.h"

#include <stdio.h>
#include <string.h>

/* 128-bit intermediates keep products exact; __extension__ tells -Wpedantic
 * that this GCC/Clang type is used on purpose. */
__extension__ typedef __int128 wide;

/* Active ISO 4217 codes with their minor-unit exponent, sorted by code for
 * binary search. Covers every currency of the 40 largest e-commerce
 * markets and the common reserve currencies. */
static const struct currency {
    char code[4];
    int exponent;
} currencies[] = {
    {"AED", 2}, {"ARS", 2}, {"AUD", 2}, {"BDT", 2}, {"BGN", 2}, {"BHD", 3},
    {"BRL", 2}, {"CAD", 2}, {"CHF", 2}, {"CLP", 0}, {"CNY", 2}, {"COP", 2},
    {"CZK", 2}, {"DKK", 2}, {"EGP", 2}, {"EUR", 2}, {"GBP", 2}, {"HKD", 2},
    {"HUF", 2}, {"IDR", 2}, {"ILS", 2}, {"INR", 2}, {"ISK", 0}, {"JOD", 3},
    {"JPY", 0}, {"KES", 2}, {"KRW", 0}, {"KWD", 3}, {"MAD", 2}, {"MXN", 2},
    {"MYR", 2}, {"NGN", 2}, {"NOK", 2}, {"NZD", 2}, {"OMR", 3}, {"PEN", 2},
    {"PHP", 2}, {"PKR", 2}, {"PLN", 2}, {"QAR", 2}, {"RON", 2}, {"RSD", 2},
    {"SAR", 2}, {"SEK", 2}, {"SGD", 2}, {"THB", 2}, {"TND", 3}, {"TRY", 2},
    {"TWD", 2}, {"UAH", 2}, {"USD", 2}, {"VND", 0}, {"ZAR", 2},
};

static const struct currency *find(const char *code)
{
    if (code == NULL || strlen(code) != 3)
        return NULL;
    size_t lo = 0, hi = sizeof(currencies) / sizeof(currencies[0]);
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int c = strcmp(code, currencies[mid].code);
        if (c == 0)
            return &currencies[mid];
        if (c < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return NULL;
}

bool hf_currency_valid(const char *code)
{
    return find(code) != NULL;
}

int hf_currency_exponent(const char *code)
{
    const struct currency *c = find(code);
    return c ? c->exponent : -1;
}

static bool in_range(hf_minor v)
{
    return v >= -HF_MONEY_MAX && v <= HF_MONEY_MAX;
}

bool hf_money_add(hf_minor a, hf_minor b, hf_minor *out)
{
    if (!in_range(a) || !in_range(b) || !in_range(a + b))
        return false;
    *out = a + b;
    return true;
}

bool hf_money_mul(hf_minor unit, int64_t qty, hf_minor *out)
{
    if (!in_range(unit) || qty < -HF_MONEY_MAX || qty > HF_MONEY_MAX)
        return false;
    wide product = (wide)unit * qty;
    if (product < -HF_MONEY_MAX || product > HF_MONEY_MAX)
        return false;
    *out = (hf_minor)product;
    return true;
}

hf_minor hf_money_percent(hf_minor amount, int64_t basis_points)
{
    wide scaled = (wide)amount * basis_points;
    wide half = 5000;
    if (scaled >= 0)
        return (hf_minor)((scaled + half) / 10000);
    return (hf_minor)((scaled - half) / 10000);
}

void hf_money_format(hf_minor amount, const char *currency, char *out,
                     size_t size)
{
    int exponent = hf_currency_exponent(currency);
    if (exponent <= 0) {
        snprintf(out, size, "%lld %s", (long long)amount,
                 currency ? currency : "");
        return;
    }
    hf_minor scale = 1;
    for (int i = 0; i < exponent; i++)
        scale *= 10;
    hf_minor whole = amount / scale, frac = amount % scale;
    const char *sign = amount < 0 ? "-" : "";
    if (whole < 0)
        whole = -whole;
    if (frac < 0)
        frac = -frac;
    snprintf(out, size, "%s%lld.%0*lld %s", sign, (long long)whole,
             exponent & 7, (long long)frac, currency);
}
