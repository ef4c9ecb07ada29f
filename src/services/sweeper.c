/* sweeper.c - a thread that runs the tracking sweep periodically. */
#include "services/sweeper.h"
#include "services/risk_rescore.h"
#include "services/tracking.h"
#include "util/log.h"
#include "util/mem.h"

#include <pthread.h>
#include <time.h>

enum { BATCH = 500 }; /* shipments and orders looked at per pass */

struct hf_sweeper {
    const hf_services *svc;
    int interval_ms;
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t wake;
    bool stopping;
};

typedef struct sweep_args {
    const hf_services *svc;
    int flagged;
    int rescored;
} sweep_args;

static hf_rc sweep_fn(hf_txn *t, void *arg, hf_err *err)
{
    sweep_args *s = arg;
    return hf_tracking_sweep_txn(t, s->svc, BATCH, &s->flagged, err);
}

/* The scores that are due again (time since placement is a feature: it
 * moves without any event); a write of its own, so that a failure here
 * does not undo the tracking sweep. */
static hf_rc rescore_fn(hf_txn *t, void *arg, hf_err *err)
{
    sweep_args *s = arg;
    return hf_risk_rescore_due_txn(t, s->svc, BATCH, &s->rescored, err);
}

static void *sweeper_main(void *arg)
{
    hf_sweeper *sw = arg;
    pthread_mutex_lock(&sw->mu);
    while (!sw->stopping) {
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += sw->interval_ms / 1000;
        until.tv_nsec += (long)(sw->interval_ms % 1000) * 1000000L;
        until.tv_sec += until.tv_nsec / 1000000000L;
        until.tv_nsec %= 1000000000L;
        pthread_cond_timedwait(&sw->wake, &sw->mu, &until);
        if (sw->stopping)
            break;
        pthread_mutex_unlock(&sw->mu);
        sweep_args args = {sw->svc, 0, 0};
        hf_err err;
        if (hf_store_write(sw->svc->store, sweep_fn, &args, &err) != HF_OK)
            hf_log_warn("sweep failed: %s", err.message);
        else if (args.flagged > 0)
            hf_log_info("sweep flagged %d late shipments or orders",
                        args.flagged);
        if (sw->svc->risk != NULL &&
            hf_store_write(sw->svc->store, rescore_fn, &args, &err) != HF_OK)
            hf_log_warn("re-scoring failed: %s", err.message);
        pthread_mutex_lock(&sw->mu);
    }
    pthread_mutex_unlock(&sw->mu);
    return NULL;
}

hf_sweeper *hf_sweeper_start(const hf_services *svc, int interval_ms)
{
    hf_sweeper *sw = hf_calloc(1, sizeof(*sw));
    if (sw == NULL)
        return NULL;
    sw->svc = svc;
    sw->interval_ms = interval_ms > 0 ? interval_ms : 60000;
    pthread_mutex_init(&sw->mu, NULL);
    pthread_cond_init(&sw->wake, NULL);
    if (pthread_create(&sw->thread, NULL, sweeper_main, sw) != 0) {
        pthread_mutex_destroy(&sw->mu);
        pthread_cond_destroy(&sw->wake);
        hf_free(sw);
        return NULL;
    }
    return sw;
}

void hf_sweeper_stop(hf_sweeper *sw)
{
    if (sw == NULL)
        return;
    pthread_mutex_lock(&sw->mu);
    sw->stopping = true;
    pthread_cond_signal(&sw->wake);
    pthread_mutex_unlock(&sw->mu);
    pthread_join(sw->thread, NULL);
    pthread_mutex_destroy(&sw->mu);
    pthread_cond_destroy(&sw->wake);
    hf_free(sw);
}
