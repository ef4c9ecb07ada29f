/*
 * timing.h - what the in-process bench programs share: a monotonic clock
 * in seconds and sorting samples for their percentiles.
 */
#ifndef HF_BENCH_TIMING_H
#define HF_BENCH_TIMING_H

#include <stdlib.h>
#include <time.h>

/* Seconds of the monotonic clock. */
static inline double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* qsort's comparison of doubles, ascending. */
static inline int by_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

#endif
