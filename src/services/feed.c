/*
 * feed.c - the follower thread and the subscribers of the change feed. See
 * feed.h for what it promises.
 *
 * Written by hand: the fan-out is a few hundred lines over our own store
 * and the HTTP library's suspend/resume, and no maintained C library does
 * that part.
 *
 * Locks: the feed's mutex guards the registry of subscribers; each
 * subscriber's mutex guards its queue. The follower takes the feed's, then
 * a subscriber's; a reader takes only its subscriber's. notify and on_empty
 * run under the subscriber's lock, which is what orders a reader's suspend
 * before the resume that follows it.
 *
 * Frames are rendered once and shared by reference count between the
 * queues that hold them.
 */
#include "services/feed.h"
#include "services/shopper.h"
#include "services/order_json.h"
#include "util/jsonw.h"
#include "util/log.h"
#include "util/mem.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum {
    PAGE = 500,    /* events per read */
    WAIT_MS = 500, /* longest sleep in hf_store_wait_change */
    BUCKETS = 256, /* hash buckets of per-order subscribers */
    MARKS = 64,    /* remembered moments at which the newest id rose */
    FAIL_LOG_MS = 10000,
};

/* --- Frames -------------------------------------------------------------- */

typedef struct frame {
    atomic_uint refs; /* queues (and the renderer) holding it */
    int64_t id;       /* the event's id; 0 for a comment */
    size_t len;       /* bytes of text */
    char text[];      /* the SSE frame, ending in an empty line */
} frame;

static frame *frame_new(int64_t id, size_t len)
{
    frame *fr = hf_malloc(sizeof(*fr) + len + 1);
    if (fr == NULL)
        return NULL;
    atomic_init(&fr->refs, 1);
    fr->id = id;
    fr->len = len;
    return fr;
}

static frame *frame_ref(frame *fr)
{
    atomic_fetch_add(&fr->refs, 1);
    return fr;
}

static void frame_unref(frame *fr)
{
    if (fr != NULL && atomic_fetch_sub(&fr->refs, 1) == 1)
        hf_free(fr);
}

static frame *frame_text(const char *text)
{
    size_t len = strlen(text);
    frame *fr = frame_new(0, len);
    if (fr != NULL)
        memcpy(fr->text, text, len + 1);
    return fr;
}

/* Renders e as an SSE frame, or NULL when out of memory. The data is one
 * line (the JSON is compact); a line break that stored JSON might hold
 * would still start a new "data:" line, as SSE requires. */
static frame *frame_render(const hf_feed_event *e, hf_arena *a)
{
    hf_jsonw w;
    hf_jw_init(&w, a);
    hf_jw_object(&w);
    hf_jw_key(&w, "order_id");
    hf_jw_str(&w, e->order_id);
    hf_jw_key(&w, "number");
    hf_jw_str(&w, e->number);
    hf_jw_object_end(&w);
    const char *head = hf_jw_finish(&w);
    hf_jw_init(&w, a);
    hf_order_event_write(&w, &e->event);
    const char *entry = hf_jw_finish(&w);
    if (head == NULL || entry == NULL)
        return NULL;
    /* splice: {"order_id":..,"number":..} + {entry...} -> one object */
    size_t head_len = strlen(head) - 1; /* without its '}' */
    const char *rest = entry + 1;       /* without its '{' */
    bool empty = *rest == '}';
    size_t breaks = 0;
    for (const char *p = rest; *p; p++)
        breaks += *p == '\n' || (*p == '\r' && p[1] != '\n');
    const char *type = e->event.type ? e->event.type : "message";
    char idbuf[32];
    int idlen = snprintf(idbuf, sizeof(idbuf), "%lld", (long long)e->id);
    size_t cap = 4 + (size_t)idlen + 8 + strlen(type) + 7 + head_len + 1 +
                 strlen(rest) + breaks * 6 + 3;
    frame *fr = frame_new(e->id, cap);
    if (fr == NULL)
        return NULL;
    char *o = fr->text;
    o += sprintf(o, "id: %s\nevent: ", idbuf);
    for (const char *p = type; *p; p++)
        *o++ = (*p == '\n' || *p == '\r') ? '_' : *p;
    memcpy(o, "\ndata: ", 7);
    o += 7;
    memcpy(o, head, head_len);
    o += head_len;
    if (!empty)
        *o++ = ',';
    for (const char *p = rest; *p; p++) {
        if (*p == '\r' && p[1] == '\n')
            continue;
        if (*p == '\n' || *p == '\r') {
            memcpy(o, "\ndata:", 6);
            o += 6;
            continue;
        }
        *o++ = *p;
    }
    *o++ = '\n';
    *o++ = '\n';
    *o = '\0';
    fr->len = (size_t)(o - fr->text);
    return fr;
}

/* --- Which ids were delivered -------------------------------------------- */

/*
 * The follower's memory of what it delivered: every id up to floor was
 * delivered or given up; of the ids in (floor, floor + HF_FEED_WINDOW] a
 * bit says which were. An id missing below the newest one is a gap: on
 * PostgreSQL a transaction that has not committed yet, or one that rolled
 * back. A gap is given up HF_FEED_GAP_MS after it was first seen (marks
 * remember when the newest id rose), or when the window must move past it.
 */
typedef struct tracker {
    int64_t floor;    /* ids <= floor: delivered or given up */
    int64_t max_seen; /* the highest id delivered */
    uint64_t bits[HF_FEED_WINDOW / 64];
    struct {
        int64_t id;    /* max_seen became this ... */
        int64_t at_ms; /* ... at this monotonic time */
    } marks[MARKS];
    size_t mark_head, mark_n;
} tracker;

static bool bit_get(const tracker *t, int64_t id)
{
    uint64_t i = (uint64_t)id % HF_FEED_WINDOW;
    return (t->bits[i / 64] >> (i % 64)) & 1u;
}

static void bit_put(tracker *t, int64_t id, bool on)
{
    uint64_t i = (uint64_t)id % HF_FEED_WINDOW;
    if (on)
        t->bits[i / 64] |= (uint64_t)1 << (i % 64);
    else
        t->bits[i / 64] &= ~((uint64_t)1 << (i % 64));
}

static void tracker_init(tracker *t, int64_t floor)
{
    memset(t, 0, sizeof(*t));
    t->floor = floor;
    t->max_seen = floor;
}

static bool tracker_seen(const tracker *t, int64_t id)
{
    return id <= t->floor ||
           (id <= t->floor + HF_FEED_WINDOW && bit_get(t, id));
}

/* Moves floor up to upto, forgetting the bits below it. Returns how many
 * ids below max_seen were missing: gaps given up. */
static uint64_t tracker_advance(tracker *t, int64_t upto)
{
    uint64_t missing = 0;
    if (upto <= t->floor)
        return 0;
    int64_t last =
        upto < t->floor + HF_FEED_WINDOW ? upto : t->floor + HF_FEED_WINDOW;
    for (int64_t id = t->floor + 1; id <= last; id++) {
        if (bit_get(t, id))
            bit_put(t, id, false);
        else if (id < t->max_seen)
            missing++;
    }
    t->floor = upto;
    if (t->max_seen < upto)
        t->max_seen = upto;
    return missing;
}

/* Records id as delivered (it must not be tracker_seen). Returns the gaps
 * given up to make room. */
static uint64_t tracker_add(tracker *t, int64_t id)
{
    uint64_t given_up = 0;
    if (id > t->floor + HF_FEED_WINDOW)
        given_up = tracker_advance(t, id - HF_FEED_WINDOW);
    bit_put(t, id, true);
    if (id > t->max_seen)
        t->max_seen = id;
    return given_up;
}

/* After a read at now_ms: remembers when the newest id rose, gives up the
 * gaps older than HF_FEED_GAP_MS, and moves floor over delivered ids.
 * Returns the gaps given up. */
static uint64_t tracker_settle(tracker *t, int64_t now_ms)
{
    uint64_t given_up = 0;
    if (t->max_seen > t->floor && t->mark_n < MARKS) {
        size_t last = (t->mark_head + t->mark_n + MARKS - 1) % MARKS;
        if (t->mark_n == 0 || t->marks[last].id < t->max_seen) {
            size_t at = (t->mark_head + t->mark_n) % MARKS;
            t->marks[at].id = t->max_seen;
            t->marks[at].at_ms = now_ms;
            t->mark_n++;
        }
    }
    while (t->mark_n > 0 &&
           now_ms - t->marks[t->mark_head].at_ms >= HF_FEED_GAP_MS) {
        int64_t id = t->marks[t->mark_head].id;
        t->mark_head = (t->mark_head + 1) % MARKS;
        t->mark_n--;
        given_up += tracker_advance(t, id - 1);
    }
    while (t->floor < t->max_seen && bit_get(t, t->floor + 1)) {
        bit_put(t, t->floor + 1, false);
        t->floor++;
    }
    while (t->mark_n > 0 && t->marks[t->mark_head].id <= t->floor) {
        t->mark_head = (t->mark_head + 1) % MARKS;
        t->mark_n--;
    }
    return given_up;
}

/* A shopper's frame of e (hf_feed_subscribe_shopper): the entry's
 * sequence, time, type and new status, for the types a shopper is shown
 * (services/shopper.h); NULL for the others, or when out of memory. The
 * page reads the order again on it; actors, reasons and data stay out. */
static frame *frame_render_shopper(const hf_feed_event *e, hf_arena *a)
{
    if (!hf_shopper_event_visible(e->event.type))
        return NULL;
    hf_jsonw w;
    hf_jw_init(&w, a);
    hf_jw_object(&w);
    hf_jw_key(&w, "number");
    hf_jw_str(&w, e->number);
    hf_jw_key(&w, "seq");
    hf_jw_int(&w, e->event.seq);
    hf_jw_key(&w, "at");
    hf_jw_time(&w, e->event.at);
    hf_jw_key(&w, "type");
    hf_jw_str(&w, e->event.type);
    hf_jw_key(&w, "to");
    hf_jw_str(&w, e->event.to < HF_STATUS_COUNT
                      ? hf_order_status_name(e->event.to)
                      : NULL);
    hf_jw_object_end(&w);
    const char *data = hf_jw_finish(&w);
    const char *text =
        data ? hf_arena_printf(a, "id: %lld\nevent: %s\ndata: %s\n\n",
                               (long long)e->id, e->event.type, data)
             : NULL;
    frame *fr = text ? frame_text(text) : NULL;
    if (fr != NULL)
        fr->id = e->id;
    return fr;
}

/* --- The feed and its subscribers ---------------------------------------- */

struct hf_feed_sub {
    hf_feed *feed;
    char *order_id;           /* NULL: every order */
    bool shopper;             /* gets shopper frames (frame_render_shopper) */
    unsigned bucket;          /* of order_id */
    hf_feed_sub *prev, *next; /* in feed->all or feed->buckets[bucket] */
    hf_feed_notify notify;
    void *arg;
    pthread_mutex_t mu; /* guards what follows */
    frame **q;          /* ring of queued frames */
    size_t q_cap, q_head, q_len;
    size_t q_off;      /* bytes of the head frame already read */
    size_t q_bytes;    /* bytes of the queued frames */
    bool waiting;      /* on_empty was called; notify on the next change */
    bool ended;        /* no more frames: the feed closed, or dropped */
    bool dropped;      /* ended for being slow: the queue is discarded */
    int64_t after_id;  /* skip live events up to this id (a resume) */
    int64_t *replayed; /* ids queued by the resume, sorted */
    size_t n_replayed;
};

struct hf_feed {
    hf_store *store;
    pthread_t thread;
    bool thread_started;
    atomic_bool stop;
    pthread_mutex_t mu;     /* guards the registry and closed */
    pthread_cond_t emptied; /* signalled when the last subscriber leaves */
    bool closed;
    hf_feed_sub *all;              /* subscribers to every order */
    hf_feed_sub *buckets[BUCKETS]; /* subscribers to one order */
    uint64_t subscribers;
    frame *keepalive;
    tracker tr;            /* the follower's alone */
    atomic_llong position; /* tr.max_seen, for subscribers */
    atomic_ullong events;  /* counters for hf_feed_stats_get */
    atomic_ullong dropped;
    atomic_ullong frames;
    atomic_ullong read_failures;
    atomic_ullong gaps;
};

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static unsigned bucket_of(const char *order_id)
{
    uint32_t h = 2166136261u; /* FNV-1a */
    for (const unsigned char *p = (const unsigned char *)order_id; *p; p++)
        h = (h ^ *p) * 16777619u;
    return h % BUCKETS;
}

static hf_feed_sub **list_of(hf_feed *f, hf_feed_sub *s)
{
    return s->order_id ? &f->buckets[s->bucket] : &f->all;
}

/* Tells a reader waiting on s that something changed (s->mu held). */
static void wake(hf_feed_sub *s)
{
    if (s->waiting) {
        s->waiting = false;
        s->notify(s->arg);
    }
}

static void queue_clear(hf_feed_sub *s)
{
    for (size_t i = 0; i < s->q_len; i++)
        frame_unref(s->q[(s->q_head + i) % s->q_cap]);
    s->q_head = s->q_len = s->q_off = s->q_bytes = 0;
}

/* Room for one more frame in s's ring; false when the queue is full. */
static bool queue_room(hf_feed_sub *s, size_t len)
{
    if (s->q_len >= HF_FEED_QUEUE_FRAMES ||
        s->q_bytes + len > HF_FEED_QUEUE_BYTES)
        return false;
    if (s->q_len < s->q_cap)
        return true;
    size_t cap = s->q_cap ? s->q_cap * 2 : 16;
    frame **q = hf_malloc(cap * sizeof(*q));
    if (q == NULL)
        return false;
    for (size_t i = 0; i < s->q_len; i++)
        q[i] = s->q[(s->q_head + i) % s->q_cap];
    hf_free(s->q);
    s->q = q;
    s->q_cap = cap;
    s->q_head = 0;
    return true;
}

static void queue_push(hf_feed_sub *s, frame *fr)
{
    s->q[(s->q_head + s->q_len) % s->q_cap] = frame_ref(fr);
    s->q_len++;
    s->q_bytes += fr->len;
}

/* Ends s for being slow: what it had queued is dropped (s->mu held). */
static void drop(hf_feed_sub *s)
{
    queue_clear(s);
    s->ended = s->dropped = true;
    atomic_fetch_add(&s->feed->dropped, 1);
    wake(s);
}

static bool was_replayed(const hf_feed_sub *s, int64_t id)
{
    size_t lo = 0, hi = s->n_replayed;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (s->replayed[mid] == id)
            return true;
        if (s->replayed[mid] < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return false;
}

/* Queues fr for s, or drops s when its queue is full. */
static void deliver(hf_feed_sub *s, frame *fr)
{
    pthread_mutex_lock(&s->mu);
    if (!s->ended &&
        (fr->id == 0 || (fr->id > s->after_id && !was_replayed(s, fr->id)))) {
        if (queue_room(s, fr->len)) {
            queue_push(s, fr);
            atomic_fetch_add(&s->feed->frames, 1);
            wake(s);
        } else {
            drop(s);
        }
    }
    pthread_mutex_unlock(&s->mu);
}

/* Hands one event's frame to every subscriber it concerns (f->mu held);
 * shoppers get their own (fan_out_shopper). */
static void fan_out(hf_feed *f, const char *order_id, frame *fr)
{
    for (hf_feed_sub *s = f->all; s != NULL; s = s->next)
        deliver(s, fr);
    for (hf_feed_sub *s = f->buckets[bucket_of(order_id)]; s != NULL;
         s = s->next)
        if (!s->shopper && strcmp(s->order_id, order_id) == 0)
            deliver(s, fr);
}

/* Hands e's shopper frame, rendered once if anyone wants it, to the
 * shoppers following its order (f->mu held). */
static void fan_out_shopper(hf_feed *f, const hf_feed_event *e, hf_arena *a)
{
    frame *fr = NULL;
    for (hf_feed_sub *s = f->buckets[bucket_of(e->order_id)]; s != NULL;
         s = s->next) {
        if (!s->shopper || strcmp(s->order_id, e->order_id) != 0)
            continue;
        if (fr == NULL && (fr = frame_render_shopper(e, a)) == NULL)
            return; /* not a shopper's, or out of memory */
        deliver(s, fr);
    }
    frame_unref(fr);
}

/* A comment to every idle subscriber, so that proxies keep the stream open
 * and a client that went away is noticed. */
static void send_keepalive(hf_feed *f)
{
    pthread_mutex_lock(&f->mu);
    for (size_t b = 0; b <= BUCKETS; b++) {
        hf_feed_sub *s = b < BUCKETS ? f->buckets[b] : f->all;
        for (; s != NULL; s = s->next) {
            pthread_mutex_lock(&s->mu);
            if (!s->ended && s->q_len == 0 && queue_room(s, 0)) {
                queue_push(s, f->keepalive);
                wake(s);
            }
            pthread_mutex_unlock(&s->mu);
        }
    }
    pthread_mutex_unlock(&f->mu);
}

/* --- Reading the store --------------------------------------------------- */

typedef struct page {
    int64_t after;
    hf_arena *arena;
    hf_feed_event *items;
    size_t n;
} page;

static hf_rc read_page(hf_txn *t, void *arg, hf_err *err)
{
    page *p = arg;
    return hf_txn_events_since(t, p->after, PAGE, p->arena, &p->items, &p->n,
                               err);
}

/* Whether an event with id above after exists; *next gets the first. */
static hf_rc probe(hf_txn *t, int64_t after, hf_arena *a, bool *exists,
                   int64_t *next, hf_err *err)
{
    hf_feed_event *items;
    size_t n;
    hf_rc rc = hf_txn_events_since(t, after, 1, a, &items, &n, err);
    if (rc != HF_OK)
        return rc;
    *exists = n > 0;
    *next = n > 0 ? items[0].id : 0;
    return HF_OK;
}

typedef struct newest {
    hf_arena *arena;
    int64_t id; /* OUT: the highest event id, 0 when there is none */
} newest;

/* Finds the highest event id with O(log n) lookups of the primary key
 * (store.h offers "events after id", not "the last id"): double until
 * nothing lies beyond, then halve. */
static hf_rc read_newest(hf_txn *t, void *arg, hf_err *err)
{
    newest *nw = arg;
    bool exists;
    int64_t next;
    hf_rc rc = probe(t, 0, nw->arena, &exists, &next, err);
    if (rc != HF_OK || !exists) {
        nw->id = 0;
        return rc;
    }
    int64_t lo = next - 1; /* an event lies above lo ... */
    int64_t hi = next;     /* ... is there one above hi? */
    for (;;) {
        if ((rc = probe(t, hi, nw->arena, &exists, &next, err)) != HF_OK)
            return rc;
        if (!exists)
            break;
        lo = next - 1;
        hi = next > INT64_MAX / 2 ? INT64_MAX : next * 2;
    }
    while (hi - lo > 1) { /* above lo: yes; above hi: no */
        int64_t mid = lo + (hi - lo) / 2;
        if ((rc = probe(t, mid, nw->arena, &exists, &next, err)) != HF_OK)
            return rc;
        if (exists)
            lo = next - 1 > mid ? next - 1 : mid;
        else
            hi = mid;
    }
    nw->id = hi;
    return HF_OK;
}

/* Delivers the events of a page that were not delivered yet. Returns how
 * many were new. */
static size_t deliver_page(hf_feed *f, const page *p)
{
    frame *stack[64];
    frame **frames = p->n <= 64 ? stack : hf_malloc(p->n * sizeof(*frames));
    size_t fresh = 0;
    if (frames == NULL)
        return 0; /* read again next round */
    for (size_t i = 0; i < p->n; i++) {
        frames[i] = NULL;
        if (tracker_seen(&f->tr, p->items[i].id))
            continue;
        frames[i] = frame_render(&p->items[i], p->arena);
        if (frames[i] == NULL)
            continue; /* out of memory: not marked, read again */
        atomic_fetch_add(&f->gaps, tracker_add(&f->tr, p->items[i].id));
        fresh++;
    }
    if (fresh > 0) {
        pthread_mutex_lock(&f->mu);
        for (size_t i = 0; i < p->n; i++)
            if (frames[i] != NULL) {
                fan_out(f, p->items[i].order_id, frames[i]);
                fan_out_shopper(f, &p->items[i], p->arena);
            }
        pthread_mutex_unlock(&f->mu);
    }
    for (size_t i = 0; i < p->n; i++)
        frame_unref(frames[i]);
    if (frames != stack)
        hf_free(frames);
    atomic_fetch_add(&f->events, fresh);
    return fresh;
}

static void *follow(void *arg)
{
    hf_feed *f = arg;
    hf_arena *a = hf_arena_new(0);
    int64_t next_keepalive = now_ms() + HF_FEED_KEEPALIVE_MS;
    int64_t next_fail_log = 0;
    while (a != NULL && !atomic_load(&f->stop)) {
        size_t fresh = 0;
        bool failed = false;
        page p = {f->tr.floor, a, NULL, 0};
        for (;;) {
            hf_arena_reset(a);
            p.items = NULL;
            p.n = 0;
            hf_err err;
            if (hf_store_read(f->store, read_page, &p, &err) != HF_OK) {
                atomic_fetch_add(&f->read_failures, 1);
                if (now_ms() >= next_fail_log) {
                    hf_log_warn("feed: cannot read events: %s", err.message);
                    next_fail_log = now_ms() + FAIL_LOG_MS;
                }
                failed = true;
                break;
            }
            fresh += deliver_page(f, &p);
            if (p.n < PAGE)
                break;
            p.after = p.items[p.n - 1].id;
        }
        int64_t now = now_ms();
        atomic_fetch_add(&f->gaps, tracker_settle(&f->tr, now));
        atomic_store(&f->position, f->tr.max_seen);
        if (now >= next_keepalive) {
            send_keepalive(f);
            next_keepalive = now + HF_FEED_KEEPALIVE_MS;
        }
        if (failed) {
            struct timespec ts = {0, WAIT_MS * 1000000L};
            nanosleep(&ts, NULL);
        } else if (fresh == 0) {
            /* after new events read again at once: a commit that lands
             * between a read and the wait could otherwise wait WAIT_MS */
            hf_store_wait_change(f->store, WAIT_MS);
        }
    }
    hf_arena_free(a);
    return NULL;
}

/* Starts the tracker at the newest event, remembering the window below it
 * as delivered so that a late commit inside it is still streamed. */
static hf_rc start_position(hf_feed *f, hf_err *err)
{
    hf_arena *a = hf_arena_new(0);
    if (a == NULL)
        return hf_fail(err, HF_ENOMEM, NULL, NULL, "out of memory");
    newest nw = {a, 0};
    hf_rc rc = hf_store_read(f->store, read_newest, &nw, err);
    if (rc != HF_OK)
        goto done;
    int64_t floor = nw.id > HF_FEED_WINDOW ? nw.id - HF_FEED_WINDOW : 0;
    tracker_init(&f->tr, floor);
    page p = {floor, a, NULL, 0};
    for (;;) {
        hf_arena_reset(a);
        if ((rc = hf_store_read(f->store, read_page, &p, err)) != HF_OK)
            goto done;
        for (size_t i = 0; i < p.n; i++)
            if (p.items[i].id <= nw.id && !tracker_seen(&f->tr, p.items[i].id))
                tracker_add(&f->tr, p.items[i].id);
        if (p.n < PAGE || p.items[p.n - 1].id >= nw.id)
            break;
        p.after = p.items[p.n - 1].id;
    }
    if (f->tr.max_seen < nw.id)
        f->tr.max_seen = nw.id;
    tracker_settle(&f->tr, now_ms());
    atomic_store(&f->position, f->tr.max_seen);
done:
    hf_arena_free(a);
    return rc;
}

hf_rc hf_feed_start(hf_store *store, hf_feed **out, hf_err *err)
{
    hf_feed *f = hf_calloc(1, sizeof(*f));
    if (f == NULL)
        return hf_fail(err, HF_ENOMEM, NULL, NULL, "out of memory");
    f->store = store;
    pthread_mutex_init(&f->mu, NULL);
    pthread_cond_init(&f->emptied, NULL);
    atomic_init(&f->stop, false);
    f->keepalive = frame_text(": keepalive\n\n");
    if (f->keepalive == NULL) {
        hf_feed_stop(f);
        return hf_fail(err, HF_ENOMEM, NULL, NULL, "out of memory");
    }
    hf_rc rc = start_position(f, err);
    if (rc != HF_OK) {
        hf_feed_stop(f);
        return rc;
    }
    if (pthread_create(&f->thread, NULL, follow, f) != 0) {
        hf_feed_stop(f);
        return hf_fail(err, HF_EIO, NULL, NULL, "cannot start the feed");
    }
    f->thread_started = true;
    *out = f;
    return HF_OK;
}

void hf_feed_close(hf_feed *f)
{
    if (f == NULL)
        return;
    pthread_mutex_lock(&f->mu);
    f->closed = true;
    for (size_t b = 0; b <= BUCKETS; b++) {
        hf_feed_sub *s = b < BUCKETS ? f->buckets[b] : f->all;
        for (; s != NULL; s = s->next) {
            pthread_mutex_lock(&s->mu);
            s->ended = true;
            wake(s);
            pthread_mutex_unlock(&s->mu);
        }
    }
    pthread_mutex_unlock(&f->mu);
}

void hf_feed_stop(hf_feed *f)
{
    if (f == NULL)
        return;
    hf_feed_close(f);
    atomic_store(&f->stop, true);
    if (f->thread_started)
        pthread_join(f->thread, NULL);
    if (f->subscribers > 0)
        hf_log_error("feed: stopped with %llu subscribers",
                     (unsigned long long)f->subscribers);
    frame_unref(f->keepalive);
    pthread_cond_destroy(&f->emptied);
    pthread_mutex_destroy(&f->mu);
    hf_free(f);
}

bool hf_feed_wait_empty(hf_feed *f, int timeout_ms)
{
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += timeout_ms / 1000;
    until.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
    until.tv_sec += until.tv_nsec / 1000000000L;
    until.tv_nsec %= 1000000000L;
    pthread_mutex_lock(&f->mu);
    while (f->subscribers > 0)
        if (pthread_cond_timedwait(&f->emptied, &f->mu, &until) != 0)
            break;
    bool empty = f->subscribers == 0;
    pthread_mutex_unlock(&f->mu);
    return empty;
}

/* --- Subscribers --------------------------------------------------------- */

typedef struct replay {
    const hf_feed_sub *sub;
    hf_arena *arena;
    frame **frames; /* OUT: the events after after_id for sub, by id */
    size_t n, cap;
} replay;

static hf_rc replay_fail(hf_err *err)
{
    return hf_fail(err, HF_ECONFLICT, "last_event_id_too_old", "Last-Event-ID",
                   "too many events happened since that id to replay them; "
                   "read the order again and stream from now");
}

/* Reads, in one snapshot, the events after the subscriber's after_id that
 * concern it, rendered. */
static hf_rc read_replay(hf_txn *t, void *arg, hf_err *err)
{
    replay *r = arg;
    page p = {r->sub->after_id, r->arena, NULL, 0};
    size_t scanned = 0;
    for (;;) {
        hf_arena_reset(r->arena);
        hf_rc rc = read_page(t, &p, err);
        if (rc != HF_OK)
            return rc;
        for (size_t i = 0; i < p.n; i++) {
            const hf_feed_event *e = &p.items[i];
            if (r->sub->order_id && strcmp(r->sub->order_id, e->order_id) != 0)
                continue;
            if (r->n == HF_FEED_QUEUE_FRAMES)
                return replay_fail(err);
            if (r->n == r->cap) {
                size_t cap = r->cap ? r->cap * 2 : 16;
                frame **grown = hf_realloc(r->frames, cap * sizeof(*grown));
                if (grown == NULL)
                    return hf_fail(err, HF_ENOMEM, NULL, NULL, "out of memory");
                r->frames = grown;
                r->cap = cap;
            }
            if (r->sub->shopper) {
                /* NULL: not a shopper's (or out of memory: it is missed,
                 * and the page reads the order on the next one) */
                if ((r->frames[r->n] = frame_render_shopper(e, r->arena)))
                    r->n++;
                continue;
            }
            if ((r->frames[r->n] = frame_render(e, r->arena)) == NULL)
                return hf_fail(err, HF_ENOMEM, NULL, NULL, "out of memory");
            r->n++;
        }
        scanned += p.n;
        if (p.n < PAGE)
            return HF_OK;
        if (scanned >= HF_FEED_REPLAY_SCAN)
            return replay_fail(err);
        p.after = p.items[p.n - 1].id;
    }
}

static bool queued(const hf_feed_sub *s, int64_t id)
{
    for (size_t i = 0; i < s->q_len; i++)
        if (s->q[(s->q_head + i) % s->q_cap]->id == id)
            return true;
    return false;
}

/* Queues the events after s->after_id ahead of the live ones queued since
 * s subscribed, without repeating any, and remembers their ids so that the
 * follower, if it reads one of them later, does not queue it again. */
static hf_rc resume(hf_feed_sub *s, hf_err *err)
{
    replay r = {s, hf_arena_new(0), NULL, 0, 0};
    int64_t *ids = NULL;
    hf_rc rc = r.arena ? hf_store_read(s->feed->store, read_replay, &r, err)
                       : hf_fail(err, HF_ENOMEM, NULL, NULL, "out of memory");
    if (rc == HF_OK && r.n > 0 && (ids = hf_malloc(r.n * sizeof(*ids))) == NULL)
        rc = hf_fail(err, HF_ENOMEM, NULL, NULL, "out of memory");
    if (rc != HF_OK)
        goto done;
    pthread_mutex_lock(&s->mu);
    size_t keep = 0, bytes = 0;
    for (size_t i = 0; i < r.n; i++) {
        if (queued(s, r.frames[i]->id)) {
            frame_unref(r.frames[i]);
            continue;
        }
        ids[keep] = r.frames[i]->id;
        bytes += r.frames[i]->len;
        r.frames[keep++] = r.frames[i];
    }
    r.n = keep;
    s->replayed = ids; /* sorted: the read was in id order */
    s->n_replayed = keep;
    ids = NULL;
    size_t total = keep + s->q_len;
    if (total > HF_FEED_QUEUE_FRAMES ||
        s->q_bytes + bytes > HF_FEED_QUEUE_BYTES) {
        pthread_mutex_unlock(&s->mu);
        rc = replay_fail(err);
        goto done;
    }
    frame **q = total > 0 ? hf_malloc(total * sizeof(*q)) : NULL;
    if (total > 0 && q == NULL) {
        pthread_mutex_unlock(&s->mu);
        rc = hf_fail(err, HF_ENOMEM, NULL, NULL, "out of memory");
        goto done;
    }
    for (size_t i = 0; i < keep; i++)
        q[i] = r.frames[i];
    for (size_t i = 0; i < s->q_len; i++)
        q[keep + i] = s->q[(s->q_head + i) % s->q_cap];
    hf_free(s->q);
    s->q = q;
    s->q_cap = total;
    s->q_head = 0;
    s->q_len = total;
    s->q_bytes += bytes;
    r.n = 0; /* the queue holds them now */
    pthread_mutex_unlock(&s->mu);
done:
    for (size_t i = 0; i < r.n; i++)
        frame_unref(r.frames[i]);
    hf_free(ids);
    hf_free(r.frames);
    hf_arena_free(r.arena);
    return rc;
}

static hf_rc subscribe(hf_feed *f, const char *order_id, bool shopper,
                       int64_t after_id, hf_feed_notify notify, void *arg,
                       hf_feed_sub **out, hf_err *err);

hf_rc hf_feed_subscribe(hf_feed *f, const char *order_id, int64_t after_id,
                        hf_feed_notify notify, void *arg, hf_feed_sub **out,
                        hf_err *err)
{
    return subscribe(f, order_id, false, after_id, notify, arg, out, err);
}

hf_rc hf_feed_subscribe_shopper(hf_feed *f, const char *order_id,
                                int64_t after_id, hf_feed_notify notify,
                                void *arg, hf_feed_sub **out, hf_err *err)
{
    return subscribe(f, order_id, true, after_id, notify, arg, out, err);
}

static hf_rc subscribe(hf_feed *f, const char *order_id, bool shopper,
                       int64_t after_id, hf_feed_notify notify, void *arg,
                       hf_feed_sub **out, hf_err *err)
{
    if (after_id >= 0) {
        int64_t pos = atomic_load(&f->position);
        if (after_id > pos + HF_FEED_WINDOW)
            return hf_fail(err, HF_EINVAL, "invalid", "Last-Event-ID",
                           "Last-Event-ID %lld is ahead of every event",
                           (long long)after_id);
        if (pos - after_id > HF_FEED_REPLAY_SCAN)
            return replay_fail(err);
    }
    hf_feed_sub *s = hf_calloc(1, sizeof(*s));
    if (s == NULL)
        return hf_fail(err, HF_ENOMEM, NULL, NULL, "out of memory");
    s->feed = f;
    s->shopper = shopper && order_id != NULL;
    s->notify = notify;
    s->arg = arg;
    s->after_id = after_id;
    pthread_mutex_init(&s->mu, NULL);
    if (order_id != NULL) {
        if ((s->order_id = hf_strdup(order_id)) == NULL) {
            pthread_mutex_destroy(&s->mu);
            hf_free(s);
            return hf_fail(err, HF_ENOMEM, NULL, NULL, "out of memory");
        }
        s->bucket = bucket_of(order_id);
    }
    pthread_mutex_lock(&f->mu);
    if (f->closed) {
        pthread_mutex_unlock(&f->mu);
        hf_free(s->order_id);
        pthread_mutex_destroy(&s->mu);
        hf_free(s);
        return hf_fail(err, HF_EBUSY, "shutting_down", NULL,
                       "the server is shutting down");
    }
    hf_feed_sub **head = list_of(f, s);
    s->next = *head;
    if (*head != NULL)
        (*head)->prev = s;
    *head = s;
    f->subscribers++;
    pthread_mutex_unlock(&f->mu);
    if (after_id >= 0) {
        hf_rc rc = resume(s, err);
        if (rc != HF_OK) {
            hf_feed_unsubscribe(s);
            return rc;
        }
    }
    *out = s;
    return HF_OK;
}

void hf_feed_unsubscribe(hf_feed_sub *s)
{
    if (s == NULL)
        return;
    hf_feed *f = s->feed;
    pthread_mutex_lock(&f->mu);
    if (s->prev != NULL)
        s->prev->next = s->next;
    else
        *list_of(f, s) = s->next;
    if (s->next != NULL)
        s->next->prev = s->prev;
    if (--f->subscribers == 0)
        pthread_cond_broadcast(&f->emptied);
    pthread_mutex_unlock(&f->mu);
    /* unlinked under f->mu: the follower no longer sees s */
    queue_clear(s);
    hf_free(s->q);
    hf_free(s->replayed);
    hf_free(s->order_id);
    pthread_mutex_destroy(&s->mu);
    hf_free(s);
}

hf_feed_status hf_feed_read(hf_feed_sub *s, char *buf, size_t max, size_t *n,
                            bool (*on_empty)(void *arg), void *arg)
{
    *n = 0;
    pthread_mutex_lock(&s->mu);
    if (s->dropped) {
        pthread_mutex_unlock(&s->mu);
        return HF_FEED_DROPPED;
    }
    if (s->q_len == 0 && s->ended) {
        pthread_mutex_unlock(&s->mu);
        return HF_FEED_END;
    }
    if (s->q_len == 0) {
        if (!on_empty(arg)) {
            s->ended = true;
            pthread_mutex_unlock(&s->mu);
            return HF_FEED_END;
        }
        s->waiting = true;
        pthread_mutex_unlock(&s->mu);
        return HF_FEED_EMPTY;
    }
    size_t copied = 0;
    while (s->q_len > 0 && copied < max) {
        frame *fr = s->q[s->q_head];
        size_t take = fr->len - s->q_off;
        if (take > max - copied)
            take = max - copied;
        memcpy(buf + copied, fr->text + s->q_off, take);
        copied += take;
        s->q_off += take;
        if (s->q_off == fr->len) {
            s->q_head = (s->q_head + 1) % s->q_cap;
            s->q_len--;
            s->q_bytes -= fr->len;
            s->q_off = 0;
            frame_unref(fr);
        }
    }
    pthread_mutex_unlock(&s->mu);
    *n = copied;
    return HF_FEED_DATA;
}

void hf_feed_stats_get(hf_feed *f, hf_feed_stats *out)
{
    memset(out, 0, sizeof(*out));
    pthread_mutex_lock(&f->mu);
    out->subscribers = f->subscribers;
    pthread_mutex_unlock(&f->mu);
    out->position = atomic_load(&f->position);
    out->events = atomic_load(&f->events);
    out->dropped = atomic_load(&f->dropped);
    out->frames_queued = atomic_load(&f->frames);
    out->read_failures = atomic_load(&f->read_failures);
    out->gaps_abandoned = atomic_load(&f->gaps);
}
