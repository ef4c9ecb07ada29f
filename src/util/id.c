/* id.c - random identifiers. */
#include "util/id.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

int hf_id_init(void)
{
    return sodium_init() < 0 ? -1 : 0;
}

void hf_id_new(const char *prefix, int chars, char out[HF_ID_MAX])
{
    /* no 0/o, 1/l confusion when ids are read aloud to support */
    static const char alphabet[] = "abcdefghjkmnpqrstuvwxyz23456789";
    if (chars > 32)
        chars = 32;
    unsigned char raw[32];
    randombytes_buf(raw, (size_t)chars);
    int n = snprintf(out, HF_ID_MAX, "%s_", prefix);
    for (int i = 0; i < chars && n < HF_ID_MAX - 1; i++)
        out[n++] = alphabet[raw[i] % (sizeof(alphabet) - 1)];
    out[n] = '\0';
}
