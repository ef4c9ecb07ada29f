/*
 * policy_fuzz.c - libFuzzer target for policy documents: any bytes go
 * through hf_policy_compile and every part of the plan is walked, so that
 * AddressSanitizer sees any read out of bounds.
 *
 * Built with clang and -DHF_FUZZ=ON it links libFuzzer; otherwise a main
 * below replays every file of the corpus directory given as argv[1] (the
 * test run does this: ctest -R fuzz.policy_replay).
 */
#include "policy/plan.h"

#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const known[] = {"Single_order_cancellation_policy"};

/* Touches every string of p; returns a sum so nothing is optimized out. */
static size_t walk(const hf_plan *p)
{
    size_t sum = strlen(p->name);
    for (size_t i = 0; i < p->n_lines; i++)
        sum += strlen(p->lines[i].text) + strlen(p->lines[i].reading) +
               strlen(hf_line_kind_name(p->lines[i].kind)) +
               strlen(hf_branch_name(p->lines[i].branch));
    for (size_t i = 0; i < p->n_diags; i++)
        sum += strlen(p->diags[i].message) + (size_t)p->diags[i].line;
    for (size_t i = 0; i < p->n_refs; i++)
        sum += strlen(p->refs[i]);
    for (int b = 0; b < HF_BRANCH_COUNT; b++)
        for (size_t i = 0; i < p->n_actions[b]; i++) {
            const hf_plan_action *a = &p->actions[b][i];
            sum += a->ref ? strlen(a->ref) : 0;
            sum += a->message ? strlen(a->message) : 0;
            sum += strlen(hf_action_kind_name(a->kind));
        }
    for (size_t i = 0; i < p->n_offers; i++)
        sum += p->offers[i].n_percents + (size_t)p->offers[i].tool;
    return sum;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    hf_policy_env env = {known, 1};
    hf_plan *p = NULL;
    hf_rc rc = hf_policy_compile("fuzz", (const char *)data, size, &env, &p);
    if (rc == HF_OK) {
        volatile size_t sum = walk(p);
        (void)sum;
        hf_plan_free(p);
    } else if (rc != HF_ETOOBIG && rc != HF_ENOMEM) {
        abort();
    }
    return 0;
}

#ifndef HF_LIBFUZZER
/* Runs one corpus file; returns 0 when it could be read. */
static int replay(const char *dir, const char *name)
{
    char path[4096];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return 1;
    uint8_t *buf = malloc(HF_POLICY_MAX_BYTES + 1);
    size_t n = buf ? fread(buf, 1, HF_POLICY_MAX_BYTES + 1, f) : 0;
    fclose(f);
    if (buf == NULL)
        return 1;
    LLVMFuzzerTestOneInput(buf, n);
    free(buf);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s CORPUS_DIR\n", argv[0]);
        return 2;
    }
    DIR *d = opendir(argv[1]);
    if (d == NULL) {
        perror(argv[1]);
        return 1;
    }
    int runs = 0, bad = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        bad += replay(argv[1], e->d_name);
        runs++;
    }
    closedir(d);
    printf("%d inputs replayed\n", runs);
    return bad > 0 || runs == 0;
}
#endif
