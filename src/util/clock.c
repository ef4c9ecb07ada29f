/*
 * clock.c - system and manual clocks, RFC 3339 formatting and parsing.
 *
 * Civil-date arithmetic is written here rather than taken from timegm(3)
 * because timegm is not in C11 or POSIX and depends on the process's TZ
 * handling; the algorithm is the well-known days-from-civil conversion.
 */
#include "util/clock.h"
#include "util/mem.h"

#include <ctype.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

struct hf_clock {
    int manual;          /* 0: the system clock */
    _Atomic hf_time now; /* a manual clock's time */
};

static hf_clock system_clock = {0, 0};

hf_clock *hf_clock_system(void)
{
    return &system_clock;
}

hf_clock *hf_clock_manual(hf_time start)
{
    hf_clock *c = hf_malloc(sizeof(*c));
    if (c == NULL)
        return NULL;
    c->manual = 1;
    atomic_store(&c->now, start);
    return c;
}

void hf_clock_free(hf_clock *c)
{
    if (c != NULL && c != &system_clock)
        hf_free(c);
}

hf_time hf_clock_now(hf_clock *c)
{
    if (c != NULL && c->manual)
        return atomic_load(&c->now);
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (hf_time)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void hf_clock_set(hf_clock *c, hf_time t)
{
    if (c->manual)
        atomic_store(&c->now, t);
}

void hf_clock_advance(hf_clock *c, hf_time delta)
{
    if (c->manual)
        atomic_fetch_add(&c->now, delta);
}

int64_t hf_days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    const int64_t era = (y >= 0 ? y : y - 399) / 400;
    const unsigned yoe = (unsigned)(y - era * 400);
    const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
    z += 719468;
    const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const unsigned doe = (unsigned)(z - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = (int64_t)yoe + era * 400 + (*m <= 2);
}

static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

char *hf_time_format(hf_time t, char out[HF_TIME_TEXT])
{
    int64_t days = floor_div(t, HF_DAY);
    int64_t ms_of_day = t - days * HF_DAY;
    int64_t y;
    unsigned m, d;
    civil_from_days(days, &y, &m, &d);
    /* RFC 3339 has four-digit years: clamp the rest */
    if (y < 0)
        y = 0;
    if (y > 9999)
        y = 9999;
    /* every field reduced to its range, so the text fits HF_TIME_TEXT */
    unsigned hh = (unsigned)(ms_of_day / HF_HOUR % 24);
    unsigned mm = (unsigned)(ms_of_day / HF_MINUTE % 60);
    unsigned ss = (unsigned)(ms_of_day / HF_SECOND % 60);
    unsigned ms = (unsigned)(ms_of_day % 1000);
    m %= 13;
    d %= 32;
    if (ms != 0)
        snprintf(out, HF_TIME_TEXT, "%04lld-%02u-%02uT%02u:%02u:%02u.%03uZ",
                 (long long)y, m, d, hh, mm, ss, ms);
    else
        snprintf(out, HF_TIME_TEXT, "%04lld-%02u-%02uT%02u:%02u:%02uZ",
                 (long long)y, m, d, hh, mm, ss);
    return out;
}

/* Reads exactly n digits at *p into *out and advances *p. */
static int digits(const char **p, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (!isdigit((unsigned char)(*p)[i]))
            return -1;
        v = v * 10 + ((*p)[i] - '0');
    }
    *p += n;
    *out = v;
    return 0;
}

static int expect(const char **p, char c)
{
    if (**p != c)
        return -1;
    (*p)++;
    return 0;
}

int hf_time_parse(const char *text, hf_time *out)
{
    static const unsigned char month_days[] = {31, 29, 31, 30, 31, 30,
                                               31, 31, 30, 31, 30, 31};
    const char *p = text;
    int y, mo, d, h, mi, s, ms = 0;
    if (text == NULL || digits(&p, 4, &y) || expect(&p, '-') ||
        digits(&p, 2, &mo) || expect(&p, '-') || digits(&p, 2, &d))
        return -1;
    if (*p != 'T' && *p != 't' && *p != ' ')
        return -1;
    p++;
    if (digits(&p, 2, &h) || expect(&p, ':') || digits(&p, 2, &mi) ||
        expect(&p, ':') || digits(&p, 2, &s))
        return -1;
    if (*p == '.') {
        p++;
        int places = 0;
        while (isdigit((unsigned char)*p)) {
            if (places < 3)
                ms = ms * 10 + (*p - '0');
            places++;
            p++;
        }
        if (places == 0)
            return -1;
        for (; places < 3; places++)
            ms *= 10;
    }
    int offset_min = 0;
    if (*p == 'Z' || *p == 'z') {
        p++;
    } else if (*p == '+' || *p == '-') {
        int sign = *p == '-' ? -1 : 1, oh, om;
        p++;
        if (digits(&p, 2, &oh) || expect(&p, ':') || digits(&p, 2, &om) ||
            oh > 23 || om > 59)
            return -1;
        offset_min = sign * (oh * 60 + om);
    } else {
        return -1;
    }
    if (*p != '\0' || mo < 1 || mo > 12 || d < 1 || d > month_days[mo - 1] ||
        h > 23 || mi > 59 || s > 60)
        return -1;
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    if (mo == 2 && d == 29 && !leap)
        return -1;
    if (s == 60)
        s = 59; /* a leap second is read as the second before it */
    int64_t days = hf_days_from_civil(y, (unsigned)mo, (unsigned)d);
    *out = days * HF_DAY + h * HF_HOUR + mi * HF_MINUTE + s * HF_SECOND + ms -
           offset_min * HF_MINUTE;
    return 0;
}

int hf_time_weekday(hf_time t)
{
    int64_t days = floor_div(t, HF_DAY);
    /* 1970-01-01 was a Thursday (4) */
    int64_t w = (days + 4) % 7;
    return (int)(w < 0 ? w + 7 : w);
}
