/*
 * sse.h - Server-Sent Events streams over libmicrohttpd: the HTTP side of
 * the change feed (services/feed.h).
 *
 *     GET /v1/orders/{id or number}/stream   one order's events
 *     GET /v1/stream                         every order's events
 *
 * A stream is a response whose body never ends: a content reader copies
 * the frames the feed queued for it. When none are queued the reader
 * suspends its connection (returning 0 without suspending would make the
 * epoll thread call it again at once, spinning the CPU) and the feed
 * resumes it when a frame arrives. The subscription ends when the response
 * is freed: the client went away (noticed at the next frame or keepalive,
 * at most 15 s later, as a suspended connection is not watched), the feed
 * dropped it for being slow, or the server stops.
 *
 * The client may send Last-Event-ID (the id of the last event it got) to
 * resume after it without loss or repeats.
 */
#ifndef HF_SSE_H
#define HF_SSE_H

#include "http/api.h"
#include "services/feed.h"
#include "services/services.h"

struct MHD_Connection;
struct MHD_Response;

typedef struct hf_sse hf_sse;

/* Starts the change feed for svc's store. Returns what hf_feed_start
 * returns. Free with hf_sse_free(). */
hf_rc hf_sse_start(const hf_services *svc, hf_sse **out, hf_err *err);

/* Ends every stream (each finishes what it has queued, then its body
 * ends) and refuses new ones with 503, then waits up to a second for the
 * streams to finish sending. Call once the daemon is quiesced and before
 * MHD_stop_daemon: no stream stays suspended. */
void hf_sse_shutdown(hf_sse *s);

/* Stops the feed and frees s; every stream's response must have been
 * freed (MHD_stop_daemon does it). s may be NULL. */
void hf_sse_free(hf_sse *s);

/* Opens a stream of order_id's events (NULL: every order's) on conn,
 * honouring its Last-Event-ID header. *out gets the response to queue with
 * status 200; the caller queues and destroys it like any other. Returns
 * HF_EMALFORMED for a bad Last-Event-ID, the feed's errors (409 for an id
 * too old to replay, 503 while stopping), HF_ENOMEM. */
hf_rc hf_sse_open(hf_sse *s, struct MHD_Connection *conn, const char *order_id,
                  bool shopper, struct MHD_Response **out, hf_err *err);

/* Route handlers (http/routes.c), read handlers that ask the server for a
 * stream (hf_response.stream). The order's stream answers 404 for an
 * unknown order (given by id or number). */
hf_rc hf_sse_order_stream(hf_request *req, hf_response *res, hf_err *err);
hf_rc hf_sse_all_stream(hf_request *req, hf_response *res, hf_err *err);

/* Prometheus text for /metrics into out (at most cap bytes, NUL
 * terminated). Returns the length written. */
size_t hf_sse_metrics(hf_sse *s, char *out, size_t cap);

#endif
