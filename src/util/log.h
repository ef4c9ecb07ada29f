/*
 * log.h - one-line log records on standard error.
 *
 * Format: "2026-11-22T10:00:00.123Z level message". Thread-safe: each
 * record is written with one write(2).
 */
#ifndef HF_LOG_H
#define HF_LOG_H

typedef enum hf_log_level {
    HF_LOG_DEBUG,
    HF_LOG_INFO,
    HF_LOG_WARN,
    HF_LOG_ERROR,
} hf_log_level;

/* Records below `level` are dropped. The default is HF_LOG_INFO. */
void hf_log_set_level(hf_log_level level);

void hf_log(hf_log_level level, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#define hf_log_info(...) hf_log(HF_LOG_INFO, __VA_ARGS__)
#define hf_log_warn(...) hf_log(HF_LOG_WARN, __VA_ARGS__)
#define hf_log_error(...) hf_log(HF_LOG_ERROR, __VA_ARGS__)

#endif
