/* sse.c - Server-Sent Events streams: a libmicrohttpd content reader over a
 * feed subscription, suspended while there is nothing to send. See sse.h.
 *
 * Suspend and resume follow libmicrohttpd's rule for content readers
 * ("returning zero should only be used in conjunction with
 * MHD_suspend_connection() to avoid busy waiting"): the reader suspends
 * inside hf_feed_read's on_empty, under the subscriber's lock, and the feed
 * resumes under that same lock, so a resume never comes before its
 * suspend. */
#include "http/sse.h"
#include "util/log.h"
#include "util/mem.h"

#include <errno.h>
#include <microhttpd.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

enum {
    BLOCK_SIZE = 16 * 1024,  /* the most one reader call copies */
    SEND_BUFFER = 64 * 1024, /* kernel buffer of a stream's socket */
    SHUTDOWN_WAIT_MS = 1000,
};

/* The first bytes of every stream: the reconnection delay for EventSource
 * clients. It also gets the headers out at once, so a client knows the
 * stream is open before any event. */
static const char preamble[] = "retry: 1000\n\n";

struct hf_sse {
    hf_feed *feed;
    atomic_ulong opened; /* streams opened since start */
};

typedef struct stream {
    struct MHD_Connection *conn;
    int fd; /* the connection's socket, or -1 */
    hf_feed_sub *sub;
    size_t preamble_sent; /* bytes of preamble already read */
    bool gone;            /* the client closed its end */
} stream;

hf_rc hf_sse_start(const hf_services *svc, hf_sse **out, hf_err *err)
{
    hf_sse *s = hf_calloc(1, sizeof(*s));
    if (s == NULL)
        return hf_fail(err, HF_ENOMEM, NULL, NULL, "out of memory");
    atomic_init(&s->opened, 0);
    hf_rc rc = hf_feed_start(svc->store, &s->feed, err);
    if (rc != HF_OK) {
        hf_free(s);
        return rc;
    }
    *out = s;
    return HF_OK;
}

void hf_sse_shutdown(hf_sse *s)
{
    if (s == NULL)
        return;
    hf_feed_close(s->feed);
    /* let each body end cleanly (its last chunk sent) before the daemon
     * closes the connections; a client that does not read is not waited
     * for long */
    if (!hf_feed_wait_empty(s->feed, SHUTDOWN_WAIT_MS))
        hf_log_warn("sse: streams still open after %d ms; closing them",
                    SHUTDOWN_WAIT_MS);
}

void hf_sse_free(hf_sse *s)
{
    if (s == NULL)
        return;
    hf_feed_stop(s->feed);
    hf_free(s);
}

/* Whether the client has closed its end. libmicrohttpd does not watch a
 * suspended connection, so a client that left would otherwise be noticed
 * only when a second frame fails to send; a peek at the socket before
 * suspending notices it at the first. */
static bool client_gone(const stream *st)
{
    if (st->fd < 0)
        return false;
    char c;
    ssize_t n = recv(st->fd, &c, 1, MSG_PEEK | MSG_DONTWAIT);
    return n == 0 ||
           (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR);
}

/* on_empty of hf_feed_read, on the connection's HTTP thread. */
static bool suspend_stream(void *arg)
{
    stream *st = arg;
    if (client_gone(st)) {
        st->gone = true;
        return false;
    }
    MHD_suspend_connection(st->conn);
    return true;
}

/* The feed's notify, on the follower's thread. */
static void resume_stream(void *arg)
{
    MHD_resume_connection(((stream *)arg)->conn);
}

static ssize_t read_stream(void *cls, uint64_t pos, char *buf, size_t max)
{
    stream *st = cls;
    (void)pos;
    if (st->preamble_sent < sizeof(preamble) - 1) {
        size_t n = sizeof(preamble) - 1 - st->preamble_sent;
        if (n > max)
            n = max;
        memcpy(buf, preamble + st->preamble_sent, n);
        st->preamble_sent += n;
        return (ssize_t)n;
    }
    size_t n;
    switch (hf_feed_read(st->sub, buf, max, &n, suspend_stream, st)) {
    case HF_FEED_DATA:
        return (ssize_t)n;
    case HF_FEED_EMPTY:
        return 0;     /* suspended: resume_stream brings it back */
    case HF_FEED_END: /* the server stops: a clean end of the body */
        return st->gone ? MHD_CONTENT_READER_END_WITH_ERROR
                        : MHD_CONTENT_READER_END_OF_STREAM;
    case HF_FEED_DROPPED:
        break;
    }
    /* too slow: close the connection, so that the client reconnects with
     * its Last-Event-ID rather than wait on a kept-alive connection */
    return MHD_CONTENT_READER_END_WITH_ERROR;
}

/* The response is freed: the stream is over, whatever ended it. */
static void free_stream(void *cls)
{
    stream *st = cls;
    hf_feed_unsubscribe(st->sub);
    hf_free(st);
}

/* The Last-Event-ID header: -1 when absent or empty (as EventSource sends
 * it before any event), else a decimal event id. */
static hf_rc last_event_id(struct MHD_Connection *conn, int64_t *out,
                           hf_err *err)
{
    const char *v =
        MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Last-Event-ID");
    *out = -1;
    if (v == NULL || *v == '\0')
        return HF_OK;
    int64_t id = 0;
    size_t digits = 0;
    for (const char *p = v; *p; p++, digits++) {
        if (*p < '0' || *p > '9' || digits == 18)
            return hf_fail(err, HF_EMALFORMED, "invalid", "Last-Event-ID",
                           "Last-Event-ID must be an event id from this "
                           "stream");
        id = id * 10 + (*p - '0');
    }
    *out = id;
    return HF_OK;
}

hf_rc hf_sse_open(hf_sse *s, struct MHD_Connection *conn, const char *order_id,
                  bool shopper, struct MHD_Response **out, hf_err *err)
{
    int64_t after;
    hf_rc rc = last_event_id(conn, &after, err);
    if (rc != HF_OK)
        return rc;
    stream *st = hf_calloc(1, sizeof(*st));
    if (st == NULL)
        return hf_fail(err, HF_ENOMEM, NULL, NULL, "out of memory");
    st->conn = conn;
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
    st->fd = ci != NULL ? ci->connect_fd : -1;
    rc = shopper ? hf_feed_subscribe_shopper(s->feed, order_id, after,
                                             resume_stream, st, &st->sub, err)
                 : hf_feed_subscribe(s->feed, order_id, after, resume_stream,
                                     st, &st->sub, err);
    if (rc != HF_OK) {
        hf_free(st);
        return rc;
    }
    struct MHD_Response *r = MHD_create_response_from_callback(
        MHD_SIZE_UNKNOWN, BLOCK_SIZE, read_stream, st, free_stream);
    if (r == NULL) {
        free_stream(st);
        return hf_fail(err, HF_ENOMEM, NULL, NULL, "out of memory");
    }
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE,
                            "text/event-stream");
    MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-cache");
    MHD_add_response_header(r, "X-Accel-Buffering", "no"); /* for nginx */
    /* a stream's backlog waits in its queue, where a slow client is
     * noticed, rather than in megabytes of kernel buffer */
    if (st->fd >= 0) {
        int size = SEND_BUFFER;
        setsockopt(st->fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof(size));
    }
    atomic_fetch_add(&s->opened, 1);
    *out = r;
    return HF_OK;
}

typedef struct order_lookup {
    hf_request *req;
    hf_order order;
} order_lookup;

static hf_rc find_order(hf_txn *t, void *arg, hf_err *err)
{
    order_lookup *l = arg;
    return hf_txn_order_get(t, l->req->params[0], l->req->arena, &l->order,
                            err);
}

hf_rc hf_sse_order_stream(hf_request *req, hf_response *res, hf_err *err)
{
    order_lookup l;
    memset(&l, 0, sizeof(l));
    l.req = req;
    hf_rc rc = hf_store_read(req->svc->store, find_order, &l, err);
    if (rc != HF_OK)
        return rc;
    res->status = 200;
    res->stream = true;
    res->stream_order = l.order.id;
    return HF_OK;
}

hf_rc hf_sse_all_stream(hf_request *req, hf_response *res, hf_err *err)
{
    (void)req;
    (void)err;
    res->status = 200;
    res->stream = true;
    res->stream_order = NULL;
    return HF_OK;
}

size_t hf_sse_metrics(hf_sse *s, char *out, size_t cap)
{
    hf_feed_stats st;
    hf_feed_stats_get(s->feed, &st);
    int n = snprintf(
        out, cap,
        "# HELP holdfast_sse_streams Event streams open.\n"
        "# TYPE holdfast_sse_streams gauge\n"
        "holdfast_sse_streams %llu\n"
        "# HELP holdfast_sse_streams_opened_total Event streams opened.\n"
        "# TYPE holdfast_sse_streams_opened_total counter\n"
        "holdfast_sse_streams_opened_total %lu\n"
        "# HELP holdfast_sse_streams_dropped_total Streams ended because "
        "the client did not keep up.\n"
        "# TYPE holdfast_sse_streams_dropped_total counter\n"
        "holdfast_sse_streams_dropped_total %llu\n"
        "# HELP holdfast_feed_events_total Order events the feed read.\n"
        "# TYPE holdfast_feed_events_total counter\n"
        "holdfast_feed_events_total %llu\n"
        "# HELP holdfast_feed_frames_total Event frames queued to streams.\n"
        "# TYPE holdfast_feed_frames_total counter\n"
        "holdfast_feed_frames_total %llu\n"
        "# HELP holdfast_feed_position The newest event id the feed read.\n"
        "# TYPE holdfast_feed_position gauge\n"
        "holdfast_feed_position %lld\n"
        "# HELP holdfast_feed_read_failures_total Failed reads of the "
        "store by the feed.\n"
        "# TYPE holdfast_feed_read_failures_total counter\n"
        "holdfast_feed_read_failures_total %llu\n"
        "# HELP holdfast_feed_gaps_total Event ids the feed stopped waiting "
        "for (rolled back).\n"
        "# TYPE holdfast_feed_gaps_total counter\n"
        "holdfast_feed_gaps_total %llu\n",
        (unsigned long long)st.subscribers, atomic_load(&s->opened),
        (unsigned long long)st.dropped, (unsigned long long)st.events,
        (unsigned long long)st.frames_queued, (long long)st.position,
        (unsigned long long)st.read_failures,
        (unsigned long long)st.gaps_abandoned);
    if (n < 0)
        return 0;
    return (size_t)n < cap ? (size_t)n : (cap > 0 ? cap - 1 : 0);
}
