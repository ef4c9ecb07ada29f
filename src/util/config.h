/*
 * config.h - holdfast's settings, from flags, the environment and an INI
 * file, in that order of precedence.
 *
 * The INI file has sections and key = value lines; '#' and ';' start
 * comments, at the start of a line or after a space:
 *
 *     [server]
 *     db = /var/lib/holdfast/holdfast.db
 *     listen = 127.0.0.1:8080
 */
#ifndef HF_CONFIG_H
#define HF_CONFIG_H

#include "util/hf.h"

#include <stddef.h>

typedef struct hf_config hf_config;

/* A new, empty configuration; NULL when out of memory. */
hf_config *hf_config_new(void);
void hf_config_free(hf_config *c);

/* Reads an INI file into c; keys become "section.key". A line that is not
 * a section, a key = value or a comment fails with HF_EPARSE and
 * err->message "FILE:LINE:COL: why". Files over 1 MiB are refused. */
hf_rc hf_config_load(hf_config *c, const char *path, hf_err *err);

/* Sets key to value, replacing an earlier value. */
hf_rc hf_config_set(hf_config *c, const char *key, const char *value);

/* The value of key, or fallback when it is not set. */
const char *hf_config_get(const hf_config *c, const char *key,
                          const char *fallback);

#endif
