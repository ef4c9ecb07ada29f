/*
 * sigil.c - the three marks of the policy language inside one line:
 * @tool or @tool(arg: type, ...), #Policy_name and $context.path.
 *
 * A mark counts only where a word starts: "a@b.com", "C#", "US$5" and
 * "page/#top" are plain text. A name starts with a letter ("#1" is not a
 * reference) and goes on with letters, digits and '_' ('.' too for $
 * paths, but not at the end: "$order.number." ends a sentence).
 */
#include "policy/policy_int.h"

#include <stdbool.h>

static bool is_alpha(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_word(char c)
{
    return is_alpha(c) || (c >= '0' && c <= '9') || c == '_';
}

/* True when the mark at text[i] starts a word. */
static bool at_word_start(const char *text, size_t i)
{
    if (i == 0)
        return true;
    char p = text[i - 1];
    return !is_word(p) && p != '/' && p != '&' && p != '#' && p != '@' &&
           p != '$' && (unsigned char)p < 0x80;
}

/* The end of the name that starts at text[i]. */
static size_t name_end(const char *text, size_t len, size_t i, bool dots)
{
    while (i < len &&
           (is_word(text[i]) ||
            (dots && text[i] == '.' && i + 1 < len && is_word(text[i + 1]))))
        i++;
    return i;
}

/* Reads "(...)" right after a tool's name into s. */
static void tool_args(const char *text, size_t len, hf_sigil *s)
{
    size_t i = s->end;
    if (i >= len || text[i] != '(')
        return;
    s->args_pos = i + 1;
    while (i < len && text[i] != ')')
        i++;
    s->args_end = i;
    s->unclosed = i == len;
    s->end = i < len ? i + 1 : len;
}

hf_rc hf_policy_sigils(hf_arena *a, const char *text, size_t len,
                       hf_sigil **out, size_t *n)
{
    size_t cap = 0;
    *out = NULL;
    *n = 0;
    for (size_t i = 0; i + 1 < len; i++) {
        char c = text[i];
        if ((c != '@' && c != '#' && c != '$') || !is_alpha(text[i + 1]) ||
            !at_word_start(text, i))
            continue;
        if (!hf_policy_grow(a, (void **)out, *n, &cap, sizeof(**out)))
            return HF_ENOMEM;
        hf_sigil *s = &(*out)[(*n)++];
        *s = (hf_sigil){.kind = (hf_sigil_kind)c, .pos = i};
        s->name = text + i + 1;
        s->end = name_end(text, len, i + 1, c == '$');
        s->name_len = s->end - i - 1;
        if (c == '@')
            tool_args(text, len, s);
        i = s->end - 1;
    }
    return HF_OK;
}
