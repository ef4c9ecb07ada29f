/*
 * sinks.h - the tests' SMTP server and SMS provider (sinks.py, Python's
 * standard library) and what arrived at them: one file per message in a
 * temporary directory.
 */
#ifndef HF_TEST_SINKS_H
#define HF_TEST_SINKS_H

#include <sys/types.h>

typedef struct ts_sinks {
    pid_t pid;     /* the sinks.py process, or 0 */
    char dir[256]; /* where each received message is a file */
    int smtp;      /* the SMTP port on 127.0.0.1 */
    int http;      /* the SMS provider's HTTP port on 127.0.0.1 */
} ts_sinks;

/* Starts sinks.py; 0 once it listens, -1 after printing why. */
int ts_sinks_start(ts_sinks *s);

/* Stops it and removes its directory; 0, or -1 when that failed. */
int ts_sinks_stop(ts_sinks *s);

/* The received messages of a kind ("mail", "sms") whose text contains
 * needle; each one's text goes to texts (up to max, caller frees). */
int ts_sinks_received(const ts_sinks *s, const char *kind, const char *needle,
                      char **texts, int max);

/* Waits up to 10 s for at least `want` such messages; returns how many. */
int ts_sinks_wait(const ts_sinks *s, const char *kind, const char *needle,
                  int want);

/* The first such message (caller frees), waiting up to 10 s; NULL when
 * none came. */
char *ts_sinks_first(const ts_sinks *s, const char *kind, const char *needle);

#endif
