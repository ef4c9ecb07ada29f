/*
 * clock.h - time for holdfast: milliseconds since the Unix epoch, UTC.
 *
 * Services never call time() themselves; they ask an hf_clock, which is the
 * system clock in production and a manual clock in tests and simulations
 * (the demo generator runs 90 days of history in seconds).
 */
#ifndef HF_CLOCK_H
#define HF_CLOCK_H

#include <stddef.h>
#include <stdint.h>

typedef int64_t hf_time; /* milliseconds since 1970-01-01T00:00:00Z */

#define HF_SECOND ((hf_time)1000)
#define HF_MINUTE (60 * HF_SECOND)
#define HF_HOUR (60 * HF_MINUTE)
#define HF_DAY (24 * HF_HOUR)

typedef struct hf_clock hf_clock;

/* The system's real-time clock. Shared; never freed. */
hf_clock *hf_clock_system(void);

/* A clock that stands at `start` until set or advanced. NULL when out of
 * memory; free with hf_clock_free(). */
hf_clock *hf_clock_manual(hf_time start);
void hf_clock_free(hf_clock *c);

/* The clock's current time. Thread-safe. */
hf_time hf_clock_now(hf_clock *c);

/* Moves a manual clock (no effect on the system clock). */
void hf_clock_set(hf_clock *c, hf_time t);
void hf_clock_advance(hf_clock *c, hf_time delta);

enum { HF_TIME_TEXT = 32 };

/* Writes t as RFC 3339 in UTC ("2026-11-22T10:00:00Z", with ".123" when
 * t has milliseconds) into out, which holds HF_TIME_TEXT bytes. Returns out. */
char *hf_time_format(hf_time t, char out[HF_TIME_TEXT]);

/* Parses an RFC 3339 time with a Z or +hh:mm offset. Returns 0 on success,
 * -1 when text is not such a time. */
int hf_time_parse(const char *text, hf_time *out);

/* Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar. */
int64_t hf_days_from_civil(int64_t y, unsigned m, unsigned d);

/* 0 = Sunday .. 6 = Saturday for the day containing t (UTC). */
int hf_time_weekday(hf_time t);

#endif
