/* config.c - settings from an INI file, the environment and flags. */
#include "util/config.h"
#include "util/mem.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

enum { MAX_FILE = 1 << 20, MAX_ENTRIES = 256 };

typedef struct entry {
    char *key;
    char *value;
} entry;

struct hf_config {
    entry entries[MAX_ENTRIES];
    size_t n;
};

hf_config *hf_config_new(void)
{
    return hf_calloc(1, sizeof(hf_config));
}

void hf_config_free(hf_config *c)
{
    if (c == NULL)
        return;
    for (size_t i = 0; i < c->n; i++) {
        hf_free(c->entries[i].key);
        hf_free(c->entries[i].value);
    }
    hf_free(c);
}

hf_rc hf_config_set(hf_config *c, const char *key, const char *value)
{
    char *v = hf_strdup(value);
    if (v == NULL)
        return HF_ENOMEM;
    for (size_t i = 0; i < c->n; i++) {
        if (strcmp(c->entries[i].key, key) == 0) {
            hf_free(c->entries[i].value);
            c->entries[i].value = v;
            return HF_OK;
        }
    }
    char *k = hf_strdup(key);
    if (k == NULL || c->n == MAX_ENTRIES) {
        hf_free(k);
        hf_free(v);
        return k == NULL ? HF_ENOMEM : HF_ETOOBIG;
    }
    c->entries[c->n++] = (entry){k, v};
    return HF_OK;
}

const char *hf_config_get(const hf_config *c, const char *key,
                          const char *fallback)
{
    for (size_t i = 0; c != NULL && i < c->n; i++)
        if (strcmp(c->entries[i].key, key) == 0)
            return c->entries[i].value;
    return fallback;
}

/* Trims spaces at both ends of [*s, *e). */
static void trim(char **s, char **e)
{
    while (*s < *e && isspace((unsigned char)**s))
        (*s)++;
    while (*e > *s && isspace((unsigned char)(*e)[-1]))
        (*e)--;
}

static bool valid_name(const char *s, const char *e)
{
    if (s == e)
        return false;
    for (; s < e; s++)
        if (!isalnum((unsigned char)*s) && *s != '_' && *s != '-' && *s != '.')
            return false;
    return true;
}

hf_rc hf_config_load(hf_config *c, const char *path, hf_err *err)
{
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return hf_fail(err, HF_EIO, "config_unreadable", NULL,
                       "%s: cannot open", path);
    char *text = hf_malloc(MAX_FILE + 1);
    size_t len = text ? fread(text, 1, MAX_FILE + 1, f) : 0;
    fclose(f);
    if (text == NULL)
        return hf_fail(err, HF_ENOMEM, NULL, NULL, "out of memory");
    if (len > MAX_FILE) {
        hf_free(text);
        return hf_fail(err, HF_ETOOBIG, "config_too_large", NULL,
                       "%s: larger than %d bytes", path, MAX_FILE);
    }
    text[len] = '\0';
    char section[64] = "";
    hf_rc rc = HF_OK;
    int line_no = 0;
    for (char *line = text; line != NULL && rc == HF_OK;) {
        char *next = strchr(line, '\n');
        char *end = next ? next : line + strlen(line);
        line_no++;
        char *s = line, *e = end;
        trim(&s, &e);
        int col = (int)(s - line) + 1;
        if (s == e || *s == '#' || *s == ';') {
            /* blank or comment */
        } else if (*s == '[') {
            if (e[-1] != ']' || !valid_name(s + 1, e - 1) ||
                (size_t)(e - s - 2) >= sizeof(section))
                rc = hf_fail(err, HF_EPARSE, "config_syntax", NULL,
                             "%s:%d:%d: a section is [name]", path, line_no,
                             col);
            else
                snprintf(section, sizeof(section), "%.*s", (int)(e - s - 2),
                         s + 1);
        } else {
            char *eq = memchr(s, '=', (size_t)(e - s));
            char *ks = s, *ke = eq ? eq : e;
            trim(&ks, &ke);
            if (eq == NULL || !valid_name(ks, ke)) {
                rc = hf_fail(err, HF_EPARSE, "config_syntax", NULL,
                             "%s:%d:%d: expected key = value", path, line_no,
                             col);
            } else {
                char *vs = eq + 1, *ve = e;
                /* a '#' or ';' after a space starts a trailing comment */
                for (char *p = vs; p < ve; p++)
                    if ((*p == '#' || *p == ';') && p > vs &&
                        isspace((unsigned char)p[-1])) {
                        ve = p;
                        break;
                    }
                trim(&vs, &ve);
                char key[160], value[1024];
                snprintf(key, sizeof(key), "%s%s%.*s", section,
                         section[0] ? "." : "", (int)(ke - ks), ks);
                snprintf(value, sizeof(value), "%.*s", (int)(ve - vs), vs);
                if (hf_config_set(c, key, value) != HF_OK)
                    rc = hf_fail(err, HF_ENOMEM, NULL, NULL,
                                 "%s:%d:%d: too many settings", path, line_no,
                                 col);
            }
        }
        line = next ? next + 1 : NULL;
    }
    hf_free(text);
    return rc;
}
