/*
 * feed.h - the live change feed: order events as Server-Sent Events frames,
 * fanned out to subscribers (the streams of http/sse.c).
 *
 * One follower thread per process reads the order events that commit
 * (hf_txn_events_since) and, when there are none, sleeps in
 * hf_store_wait_change(): it wakes at once for writes of this process and,
 * on PostgreSQL, of other processes (LISTEN/NOTIFY); on SQLite another
 * process's writes are seen within the 500 ms the wait lasts. Each event is
 * rendered once as a frame
 *
 *     id: <event id>
 *     event: <type>
 *     data: {"order_id": ..., "number": ..., <the timeline entry>}
 *
 * and queued for every subscriber whose filter (one order, or all) matches.
 * A subscriber is a bounded queue of frames and a callback: a reader takes
 * frames with hf_feed_read() and, when the queue is empty, asks to be told
 * (notify) when there is more. A subscriber whose queue is full is slow: it
 * is ended, never waited for, so one stalled client cannot hold up others.
 * Every 15 s each subscriber gets a ": keepalive" comment.
 *
 * Ids and PostgreSQL: ids are handed out before commit there, so an event
 * with a smaller id can become visible after a larger one. The follower
 * re-reads a window behind the highest id it has delivered (1024 ids, or
 * until a missing id has stayed missing for 5 s: then it was rolled back)
 * and skips the ids it has already delivered.
 *
 * A subscriber starts at the present: it gets the events the follower
 * reads after it subscribed (which may include some that committed just
 * before, not yet read). Given the id of the last event it saw (SSE's
 * Last-Event-ID) it first gets the events after that id, then the live
 * ones, with none lost or repeated between the two.
 */
#ifndef HF_FEED_H
#define HF_FEED_H

#include "store/store.h"
#include "util/hf.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct hf_feed hf_feed;
typedef struct hf_feed_sub hf_feed_sub;

/* Limits, exposed for tests. */
enum {
    HF_FEED_QUEUE_FRAMES = 1024,       /* a subscriber's queue, in frames */
    HF_FEED_QUEUE_BYTES = 1024 * 1024, /* ... and in bytes */
    HF_FEED_WINDOW = 1024,             /* ids re-read behind the newest */
    HF_FEED_GAP_MS = 5000,             /* how long a missing id is awaited */
    HF_FEED_KEEPALIVE_MS = 15000,
    HF_FEED_REPLAY_SCAN = 10000, /* events a resume may look through */
};

/* Told that a subscriber that found its queue empty has something to read
 * again (a frame, or its end). Called on the follower's thread (or the one
 * calling hf_feed_close) with the subscriber's lock held: it must not call
 * back into the feed. */
typedef void (*hf_feed_notify)(void *arg);

/* Starts following store from its newest event. Returns HF_ESTORE when
 * the store cannot be read, HF_ENOMEM, HF_EIO when the thread cannot
 * start. Stop with hf_feed_stop(). */
hf_rc hf_feed_start(hf_store *store, hf_feed **out, hf_err *err);

/* Takes no more subscribers and ends every subscription: each reader gets
 * HF_FEED_END once it has read what is queued. Waiting readers are
 * notified. Idempotent. */
void hf_feed_close(hf_feed *f);

/* Waits until every subscriber has unsubscribed, or timeout_ms pass.
 * Returns whether none is left. */
bool hf_feed_wait_empty(hf_feed *f, int timeout_ms);

/* Closes the feed, stops the follower (within the 500 ms of its wait) and
 * frees everything. Every subscriber must have been unsubscribed. f may be
 * NULL. */
void hf_feed_stop(hf_feed *f);

/* Subscribes to the events of order_id ("ord_..."; NULL: of every order).
 * With after_id >= 0 (a Last-Event-ID) the events after that id are queued
 * first; after_id < 0 starts at the present. notify(arg) follows the rules
 * above. Returns HF_EBUSY "shutting_down" once the feed is closed,
 * HF_ECONFLICT "last_event_id_too_old" when more than HF_FEED_REPLAY_SCAN
 * events (or a full queue) lie after after_id, HF_EINVAL when after_id is
 * ahead of every event, HF_ESTORE, HF_ENOMEM. *out is released with
 * hf_feed_unsubscribe(). */
hf_rc hf_feed_subscribe(hf_feed *f, const char *order_id, int64_t after_id,
                        hf_feed_notify notify, void *arg, hf_feed_sub **out,
                        hf_err *err);

/* The same for a shopper following order_id through their signed link:
 * they get a frame only for the timeline entries a shopper is shown, with
 * its sequence, time, type and new status, and none of the rest (actor,
 * reason, data). */
hf_rc hf_feed_subscribe_shopper(hf_feed *f, const char *order_id,
                                int64_t after_id, hf_feed_notify notify,
                                void *arg, hf_feed_sub **out, hf_err *err);

/* Removes and frees s; notify is not called for it once this returns.
 * s may be NULL. */
void hf_feed_unsubscribe(hf_feed_sub *s);

typedef enum hf_feed_status {
    HF_FEED_DATA,    /* *n bytes were copied */
    HF_FEED_EMPTY,   /* nothing queued: on_empty said it waits; notify will */
    HF_FEED_END,     /* the subscription is over: the feed closed */
    HF_FEED_DROPPED, /* ... or it was ended for being slow */
} hf_feed_status;

/* Copies up to max (> 0) bytes of queued frames into buf (a frame may be
 * split over calls). When nothing is queued it calls on_empty(arg) with the
 * subscriber's lock held, and the next frame or the end calls notify(arg)
 * under that same lock: so a reader that suspends itself in on_empty is
 * resumed only after it has suspended. on_empty returns false, without
 * suspending, when its client is gone: the read then returns HF_FEED_END. */
hf_feed_status hf_feed_read(hf_feed_sub *s, char *buf, size_t max, size_t *n,
                            bool (*on_empty)(void *arg), void *arg);

/* Figures for /metrics. */
typedef struct hf_feed_stats {
    int64_t position;        /* the highest event id delivered */
    uint64_t subscribers;    /* open now */
    uint64_t events;         /* events delivered by the follower */
    uint64_t dropped;        /* subscribers ended for being slow */
    uint64_t frames_queued;  /* frames queued to subscribers */
    uint64_t read_failures;  /* reads of the store that failed */
    uint64_t gaps_abandoned; /* missing ids given up as rolled back */
} hf_feed_stats;
void hf_feed_stats_get(hf_feed *f, hf_feed_stats *out);

#endif
