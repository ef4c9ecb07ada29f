/*
 * demo_shop.h - for unit tests: a temporary SQLite store with the
 * services around it on a manual clock, filled by the demo generator.
 * Include after cmocka.h; define nothing else named shop, at, end_time.
 */
#ifndef HF_TEST_DEMO_SHOP_H
#define HF_TEST_DEMO_SHOP_H

#include "services/demo.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* --- A temporary store --------------------------------------------------- */

typedef struct shop {
    char dir[64];
    char path[96];
    hf_store *store;
    hf_clock *clock;
    hf_services svc;
} shop;

static inline hf_time at(const char *text)
{
    hf_time t = 0;
    if (hf_time_parse(text, &t) != 0)
        fail_msg("bad time in test: %s", text);
    return t;
}

/* The history ends here; the services' clock stands a week later. */
static inline hf_time end_time(void)
{
    return at("2026-03-15T12:00:00Z");
}

static inline void shop_open(shop *s)
{
    memset(s, 0, sizeof(*s));
    snprintf(s->dir, sizeof(s->dir), "/tmp/hf-demo-XXXXXX");
    assert_non_null(mkdtemp(s->dir));
    snprintf(s->path, sizeof(s->path), "%s/demo.db", s->dir);
    hf_err err;
    assert_int_equal(hf_store_open(s->path, &s->store, &err), HF_OK);
    assert_int_equal(hf_store_migrate(s->store, &err), HF_OK);
    s->clock = hf_clock_manual(end_time() + 7 * HF_DAY);
    assert_non_null(s->clock);
    s->svc = (hf_services){.store = s->store,
                           .clock = s->clock,
                           .last_cancellable = HF_STATUS_PACKED};
}

static inline void shop_close(shop *s)
{
    hf_store_close(s->store);
    hf_clock_free(s->clock);
    static const char *const suffixes[] = {"", "-wal", "-shm"};
    for (size_t i = 0; i < 3; i++) {
        char file[128];
        snprintf(file, sizeof(file), "%s%s", s->path, suffixes[i]);
        unlink(file);
    }
    rmdir(s->dir);
}

/* Fills s with a deterministic shop of the given size from seed. */
static inline hf_rc shop_generate(shop *s, unsigned long seed, int days,
                                  int products, int customers, int orders,
                                  hf_err *err)
{
    hf_demo_options opt = {seed, days, products, customers, orders, end_time()};
    return hf_demo_generate(&s->svc, &opt, err);
}

#endif
