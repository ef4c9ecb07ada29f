/* log.c - one-line log records on standard error. */
#include "util/log.h"
#include "util/clock.h"

#include <stdarg.h>
#include <stdio.h>
#include <unistd.h>

static hf_log_level min_level = HF_LOG_INFO;

void hf_log_set_level(hf_log_level level)
{
    min_level = level;
}

void hf_log(hf_log_level level, const char *fmt, ...)
{
    static const char *const names[] = {"debug", "info", "warn", "error"};
    if (level < min_level)
        return;
    char line[1024], when[HF_TIME_TEXT];
    hf_time_format(hf_clock_now(hf_clock_system()), when);
    int n = snprintf(line, sizeof(line), "%s %s ", when, names[level]);
    va_list ap;
    va_start(ap, fmt);
    n += vsnprintf(line + n, sizeof(line) - (size_t)n - 1, fmt, ap);
    va_end(ap);
    if (n > (int)sizeof(line) - 2)
        n = (int)sizeof(line) - 2;
    line[n++] = '\n';
    ssize_t ignored = write(STDERR_FILENO, line, (size_t)n);
    (void)ignored;
}
