/*
 * id.h - random identifiers ("ord_7k2m...") from libsodium's CSPRNG.
 */
#ifndef HF_ID_H
#define HF_ID_H

#include <stddef.h>

enum { HF_ID_MAX = 48 };

/* Writes prefix, '_' and `chars` random characters of a lower-case
 * base-32 alphabet into out (HF_ID_MAX bytes). chars is at most 32.
 * 20 characters carry 100 bits: collisions are not a concern. */
void hf_id_new(const char *prefix, int chars, char out[HF_ID_MAX]);

/* Initializes libsodium; call once at startup. Returns 0, or -1 when the
 * library cannot start (no entropy source). */
int hf_id_init(void);

#endif
