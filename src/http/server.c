/* server.c - libmicrohttpd glue: request bodies, auth, dispatch to the
 * read path or the store's write queue, idempotency, metrics. */
#include "http/server.h"
#include "http/routes.h"
#include "http/sse.h"
#include "http/shopper_routes.h"
#include "http/static.h"
#include "util/log.h"
#include "util/mem.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

enum {
    DEFAULT_MAX_BODY = 1 << 20,
    MAX_IDEMPOTENCY_KEY = 255,
    STATUS_CLASSES = 6, /* index status / 100 */
};

typedef enum conn_state {
    CONN_NEW,        /* first call seen; body may follow */
    CONN_DISPATCHED, /* queued with the store; the connection is suspended */
    CONN_ANSWERED,   /* res is ready to queue */
} conn_state;

typedef struct conn_ctx {
    hf_server *server;
    struct MHD_Connection *mhd;
    hf_arena *arena;
    char *body; /* request body so far (arena) */
    size_t body_len, body_cap;
    bool too_big;
    conn_state state;
    const hf_route *route;
    const hf_shopper_route *shopper; /* set when a shopper's link is used */
    hf_request req;
    hf_response res;
    hf_err err;
    const char *idempotency_key; /* NULL: none given */
    const char *request_hash;    /* of method, path and body */
    bool replayed;
    struct timespec submitted; /* when the write was queued */
} conn_ctx;

struct hf_server {
    const hf_services *svc;
    struct MHD_Daemon *daemon;
    hf_sse *sse;    /* event streams and the change feed they follow */
    hf_static *web; /* the web UI's files, or NULL: none served */
    size_t max_body;
    pthread_mutex_t mu;
    pthread_cond_t idle;
    unsigned in_flight; /* writes submitted and not yet resumed */
    /* requests answered, per route (last row: unrouted) and status class */
    atomic_ulong counts[64][STATUS_CLASSES];
    atomic_ulong successes[64]; /* per route: 2xx answers, not replays */
    atomic_ulong write_ns;      /* time spent in writes, for the mean */
};

/* --- Responses ----------------------------------------------------------- */

/* Counts the answer for /metrics and queues it. */
static enum MHD_Result queue_counted(conn_ctx *c, int status,
                                     struct MHD_Response *r)
{
    size_t route = c->route ? (size_t)(c->route - hf_routes) : 63;
    size_t cls =
        (size_t)status / 100 < STATUS_CLASSES ? (size_t)status / 100 : 0;
    atomic_fetch_add(&c->server->counts[route][cls], 1);
    if (cls == 2 && !c->replayed)
        atomic_fetch_add(&c->server->successes[route], 1);
    enum MHD_Result ret = MHD_queue_response(c->mhd, (unsigned)status, r);
    MHD_destroy_response(r);
    return ret;
}

static enum MHD_Result send_response(conn_ctx *c)
{
    const char *body = c->res.body ? c->res.body : "";
    /* a shopper sees the shopper's view (services/shopper.h) */
    if (c->shopper != NULL && c->res.status / 100 == 2 &&
        c->res.content_type == NULL) {
        body = hf_shopper_view(c->shopper->view, body, c->arena);
        if (body == NULL)
            return MHD_NO;
    }
    struct MHD_Response *r = MHD_create_response_from_buffer(
        strlen(body), (void *)body, MHD_RESPMEM_MUST_COPY);
    if (r == NULL)
        return MHD_NO;
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE,
                            c->res.content_type ? c->res.content_type
                                                : "application/json");
    if (c->replayed)
        MHD_add_response_header(r, "Idempotent-Replayed", "true");
    return queue_counted(c, c->res.status ? c->res.status : 500, r);
}

/* Answers with the event stream a read handler asked for (http/sse.h). */
static enum MHD_Result send_stream(conn_ctx *c)
{
    struct MHD_Response *r;
    if (hf_sse_open(c->server->sse, c->mhd, c->res.stream_order,
                    c->shopper != NULL, &r, &c->err) != HF_OK) {
        hf_http_error(&c->req, &c->res, &c->err);
        return send_response(c);
    }
    return queue_counted(c, 200, r);
}

static enum MHD_Result fail_now(conn_ctx *c, int status, hf_rc rc,
                                const char *code, const char *message)
{
    hf_fail(&c->err, rc, code, NULL, "%s", message);
    hf_http_error(&c->req, &c->res, &c->err);
    c->res.status = status;
    return send_response(c);
}

/* --- The web UI ---------------------------------------------------------- */

/* True for a path the API answers (everything else may be a UI file). */
static bool api_path(const char *path)
{
    return strncmp(path, "/v1/", 4) == 0 || strcmp(path, "/v1") == 0 ||
           strcmp(path, "/healthz") == 0 || strcmp(path, "/metrics") == 0;
}

/* Answers a GET outside the API with a file of the web UI (http/static.h). */
static enum MHD_Result send_static(conn_ctx *c)
{
    hf_static_file f;
    if (hf_static_find(c->server->web, c->req.path, &f, &c->err) != HF_OK) {
        hf_http_error(&c->req, &c->res, &c->err);
        return send_response(c);
    }
    struct MHD_Response *r = MHD_create_response_from_fd(f.size, f.fd);
    if (r == NULL) {
        close(f.fd);
        return MHD_NO;
    }
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, f.content_type);
    MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL,
                            f.immutable ? "public, max-age=31536000, immutable"
                                        : "no-cache");
    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
    return queue_counted(c, 200, r);
}

/* --- Metrics ------------------------------------------------------------- */

static enum MHD_Result send_metrics(conn_ctx *c)
{
    hf_server *s = c->server;
    size_t cap = 64 + hf_routes_count * STATUS_CLASSES * 160 + 4096;
    char *out = hf_arena_alloc(c->arena, cap);
    if (out == NULL)
        return MHD_NO;
    size_t n = 0;
    n += (size_t)snprintf(out + n, cap - n,
                          "# HELP holdfast_http_requests_total HTTP requests "
                          "answered, by route and status class.\n"
                          "# TYPE holdfast_http_requests_total counter\n");
    for (size_t r = 0; r < hf_routes_count; r++) {
        for (size_t k = 1; k < STATUS_CLASSES; k++) {
            unsigned long v = atomic_load(&s->counts[r][k]);
            if (v == 0)
                continue;
            n += (size_t)snprintf(
                out + n, cap - n,
                "holdfast_http_requests_total{method=\"%s\",route=\"%s\","
                "status=\"%zuxx\"} %lu\n",
                hf_routes[r].method, hf_routes[r].pattern, k, v);
        }
    }
    for (size_t r = 0; r < hf_routes_count; r++) {
        if (hf_routes[r].counter == NULL)
            continue;
        n += (size_t)snprintf(out + n, cap - n,
                              "# HELP %s Successful %s %s (replays not "
                              "counted).\n# TYPE %s counter\n%s %lu\n",
                              hf_routes[r].counter, hf_routes[r].method,
                              hf_routes[r].pattern, hf_routes[r].counter,
                              hf_routes[r].counter,
                              atomic_load(&s->successes[r]));
    }
    hf_store_stats st;
    hf_store_stats_get(s->svc->store, &st);
    n += (size_t)snprintf(
        out + n, cap - n,
        "# HELP holdfast_store_commits_total Durable commits (one may carry "
        "many writes).\n"
        "# TYPE holdfast_store_commits_total counter\n"
        "holdfast_store_commits_total %llu\n"
        "# HELP holdfast_store_writes_total Writes committed.\n"
        "# TYPE holdfast_store_writes_total counter\n"
        "holdfast_store_writes_total %llu\n"
        "# HELP holdfast_store_write_failures_total Writes rolled back.\n"
        "# TYPE holdfast_store_write_failures_total counter\n"
        "holdfast_store_write_failures_total %llu\n"
        "# HELP holdfast_write_seconds_total Time spent answering writes.\n"
        "# TYPE holdfast_write_seconds_total counter\n"
        "holdfast_write_seconds_total %.6f\n",
        (unsigned long long)st.commits, (unsigned long long)st.writes,
        (unsigned long long)st.write_fails,
        (double)atomic_load(&s->write_ns) / 1e9);
    n += hf_sse_metrics(s->sse, out + n, cap - n);
    c->res = (hf_response){.status = 200,
                           .body = out,
                           .content_type = "text/plain; version=0.0.4"};
    return send_response(c);
}

/* --- Writes -------------------------------------------------------------- */

/* The write transaction: replay a stored answer, or run the handler and
 * store its answer with its changes. */
static hf_rc write_txn(hf_txn *t, void *arg, hf_err *err)
{
    conn_ctx *c = arg;
    if (c->idempotency_key == NULL)
        return c->route->write(t, &c->req, &c->res, err);

    hf_idempotent_reply prior;
    hf_rc rc = hf_txn_idempotency_get(t, c->req.actor, c->idempotency_key,
                                      c->arena, &prior, err);
    if (rc == HF_OK) {
        if (strcmp(prior.request_hash, c->request_hash) != 0)
            return hf_fail(err, HF_EINVAL, "idempotency_key_reused", NULL,
                           "this Idempotency-Key was used for a different "
                           "request");
        c->res = (hf_response){.status = prior.status, .body = prior.body};
        c->replayed = true;
        return HF_OK;
    }
    if (rc != HF_ENOTFOUND)
        return rc;
    if ((rc = hf_txn_savepoint(t, err)) != HF_OK)
        return rc;
    hf_err handler_err;
    hf_err_clear(&handler_err);
    rc = c->route->write(t, &c->req, &c->res, &handler_err);
    if (rc != HF_OK) {
        hf_txn_rollback_to(t, err);
        int status = hf_http_status(&handler_err);
        /* a server-side failure is not an answer to remember */
        if (status >= 500 && status != 502) {
            *err = handler_err;
            return rc;
        }
        hf_http_error(&c->req, &c->res, &handler_err);
    } else if ((rc = hf_txn_release(t, err)) != HF_OK) {
        return rc;
    }
    hf_idempotent_reply reply = {c->request_hash, c->res.status, c->res.body};
    return hf_txn_idempotency_put(t, c->req.actor, c->idempotency_key, &reply,
                                  hf_clock_now(c->server->svc->clock), err);
}

/* The store's answer to a submitted write (on a store thread): render a
 * failure, and hand the connection back to libmicrohttpd. */
static void on_write_done(void *arg, hf_rc rc, const hf_err *err)
{
    conn_ctx *c = arg;
    hf_server *s = c->server;
    if (rc != HF_OK) {
        c->err = *err;
        hf_http_error(&c->req, &c->res, &c->err);
    }
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    atomic_fetch_add(
        &s->write_ns,
        (unsigned long)((now.tv_sec - c->submitted.tv_sec) * 1000000000L +
                        (now.tv_nsec - c->submitted.tv_nsec)));
    c->state = CONN_ANSWERED;
    pthread_mutex_lock(&s->mu);
    /* resume under the lock so that stop sees in_flight drop only after
     * the connection is handed back */
    MHD_resume_connection(c->mhd);
    s->in_flight--;
    pthread_cond_broadcast(&s->idle);
    pthread_mutex_unlock(&s->mu);
}

/* Queues the write with the store and suspends the connection until
 * on_write_done; the HTTP thread goes on serving others meanwhile. */
static enum MHD_Result dispatch_write(conn_ctx *c)
{
    hf_server *s = c->server;
    c->state = CONN_DISPATCHED;
    clock_gettime(CLOCK_MONOTONIC, &c->submitted);
    pthread_mutex_lock(&s->mu);
    s->in_flight++;
    pthread_mutex_unlock(&s->mu);
    MHD_suspend_connection(c->mhd);
    hf_rc rc =
        hf_store_submit(s->svc->store, write_txn, c, on_write_done, &c->err);
    if (rc != HF_OK) {
        hf_http_error(&c->req, &c->res, &c->err);
        c->state = CONN_ANSWERED;
        pthread_mutex_lock(&s->mu);
        MHD_resume_connection(c->mhd);
        s->in_flight--;
        pthread_cond_broadcast(&s->idle);
        pthread_mutex_unlock(&s->mu);
    }
    return MHD_YES;
}

/* --- Request handling ---------------------------------------------------- */

/* A shopper's order link: "Authorization: Link <token>", or ?t=<token>
 * when no Authorization header is sent (EventSource cannot send one).
 * Verified, it opens the routes that take a link, for its order alone. */
static hf_rc authenticate_link(conn_ctx *c, const char *auth)
{
    const char *token = auth ? auth + 5 : hf_http_query(&c->req, "t");
    const hf_shopper_route *sr = hf_shopper_route_of(c->route);
    if (sr == NULL)
        return hf_fail(&c->err, HF_EAUTH, "unauthorized", NULL,
                       "%s %s needs Authorization: Bearer <api key>",
                       c->route->method, c->route->pattern);
    char order_id[HF_TOKEN_SUBJECT_MAX];
    hf_rc rc = hf_shopper_verify(c->server->svc, token, order_id, &c->err);
    if (rc != HF_OK)
        return rc;
    c->req.link_order = hf_arena_strdup(c->arena, order_id);
    c->req.actor = hf_arena_printf(c->arena, "shopper:%s", order_id);
    if (c->req.link_order == NULL || c->req.actor == NULL)
        return hf_fail(&c->err, HF_ENOMEM, NULL, NULL, "out of memory");
    c->shopper = sr;
    /* the body's order is checked once the body is read (handle) */
    if (sr->scope == HF_SHOPPER_BODY_ORDER)
        return HF_OK;
    return hf_shopper_check(c->server->svc, sr->scope, c->req.link_order,
                            c->req.params[0], c->arena, &c->err);
}

/* Checks the bearer key against the route's roles, or a shopper's link. */
static hf_rc authenticate(conn_ctx *c)
{
    if (c->route->roles == 0) { /* public, or a shopper's signed link */
        c->req.actor = "shopper";
        c->shopper = hf_shopper_route_of(c->route); /* its view, if any */
        return HF_OK;
    }
    const char *auth = MHD_lookup_connection_value(
        c->mhd, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION);
    /* an authentication scheme's name is case-insensitive (RFC 9110) */
    if ((auth != NULL && strncasecmp(auth, "Link ", 5) == 0) ||
        (auth == NULL && hf_http_query(&c->req, "t") != NULL))
        return authenticate_link(c, auth);
    if (auth == NULL || strncasecmp(auth, "Bearer ", 7) != 0)
        return hf_fail(&c->err, HF_EAUTH, "unauthorized", NULL,
                       "send Authorization: Bearer <api key>");
    char key_id[HF_KEY_TEXT];
    hf_rc rc =
        hf_auth_verify(c->server->svc, auth + 7, &c->req.role, key_id, &c->err);
    if (rc != HF_OK)
        return rc;
    c->req.actor = hf_arena_printf(c->arena, "api:%s", key_id);
    if ((c->route->roles & HF_ROLE_BIT(c->req.role)) == 0)
        return hf_fail(&c->err, HF_EFORBIDDEN, "forbidden", NULL,
                       "the %s role may not %s %s", hf_role_name(c->req.role),
                       c->route->method, c->route->pattern);
    return HF_OK;
}

/* Reads the Idempotency-Key header and hashes the request. */
static hf_rc prepare_idempotency(conn_ctx *c)
{
    const char *key =
        MHD_lookup_connection_value(c->mhd, MHD_HEADER_KIND, "Idempotency-Key");
    if (key == NULL)
        return HF_OK;
    size_t n = strlen(key);
    if (n == 0 || n > MAX_IDEMPOTENCY_KEY)
        return hf_fail(&c->err, HF_EINVAL, "invalid", "Idempotency-Key",
                       "Idempotency-Key must be 1 to %d characters",
                       MAX_IDEMPOTENCY_KEY);
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)key[i] < 0x20 || (unsigned char)key[i] > 0x7e)
            return hf_fail(&c->err, HF_EINVAL, "invalid", "Idempotency-Key",
                           "Idempotency-Key must be printable ASCII");
    unsigned char digest[32];
    crypto_generichash_state st;
    crypto_generichash_init(&st, NULL, 0, sizeof(digest));
    crypto_generichash_update(&st, (const unsigned char *)c->req.method,
                              strlen(c->req.method) + 1);
    crypto_generichash_update(&st, (const unsigned char *)c->req.path,
                              strlen(c->req.path) + 1);
    crypto_generichash_update(&st, (const unsigned char *)c->body, c->body_len);
    crypto_generichash_final(&st, digest, sizeof(digest));
    char *hex = hf_arena_alloc(c->arena, 65);
    if (hex == NULL)
        return hf_fail(&c->err, HF_ENOMEM, NULL, NULL, "out of memory");
    sodium_bin2hex(hex, 65, digest, sizeof(digest));
    c->idempotency_key = key;
    c->request_hash = hex;
    return HF_OK;
}

/* All of the request is in: route, authenticate, then answer or dispatch. */
static enum MHD_Result handle(conn_ctx *c)
{
    if (strcmp(c->req.method, "GET") == 0 &&
        strcmp(c->req.path, "/metrics") == 0)
        return send_metrics(c);
    if (c->server->web != NULL &&
        (strcmp(c->req.method, "GET") == 0 ||
         strcmp(c->req.method, "HEAD") == 0) &&
        !api_path(c->req.path))
        return send_static(c);
    bool path_known;
    c->route = hf_route_match(c->req.method, c->req.path, c->arena,
                              c->req.params, &path_known);
    if (c->route == NULL)
        return path_known ? fail_now(c, 405, HF_EINVAL, "method_not_allowed",
                                     "this path does not take that method")
                          : fail_now(c, 404, HF_ENOTFOUND, "not_found",
                                     "no such endpoint");
    hf_rc rc = authenticate(c);
    if (rc == HF_OK && c->too_big)
        rc = hf_fail(&c->err, HF_ETOOBIG, "body_too_large", NULL,
                     "the body is larger than %zu bytes", c->server->max_body);
    if (rc != HF_OK) {
        hf_http_error(&c->req, &c->res, &c->err);
        return send_response(c);
    }
    if (c->route->read != NULL) {
        rc = c->route->read(&c->req, &c->res, &c->err);
        if (rc != HF_OK)
            hf_http_error(&c->req, &c->res, &c->err);
        else if (c->res.stream)
            return send_stream(c);
        return send_response(c);
    }
    json_error_t jerr = {0};
    if (!hf_route_takes_body(c->route))
        c->req.body = json_object(); /* documented without one: ignored */
    else
        c->req.body = json_loadb(c->body ? c->body : "", c->body_len,
                                 JSON_REJECT_DUPLICATES, &jerr);
    if (c->req.body == NULL) {
        hf_fail(&c->err, HF_EMALFORMED, "malformed_json", NULL,
                "the body is not valid JSON: %s at line %d column %d",
                jerr.text, jerr.line, jerr.column);
        hf_http_error(&c->req, &c->res, &c->err);
        return send_response(c);
    }
    if (c->shopper != NULL && c->shopper->scope == HF_SHOPPER_BODY_ORDER &&
        (rc = hf_shopper_check(
             c->server->svc, HF_SHOPPER_BODY_ORDER, c->req.link_order,
             json_string_value(json_object_get(c->req.body, "order")), c->arena,
             &c->err)) != HF_OK) {
        hf_http_error(&c->req, &c->res, &c->err);
        return send_response(c);
    }
    if ((rc = prepare_idempotency(c)) != HF_OK) {
        hf_http_error(&c->req, &c->res, &c->err);
        return send_response(c);
    }
    return dispatch_write(c);
}

static bool append_body(conn_ctx *c, const char *data, size_t n)
{
    if (c->too_big || c->body_len + n > c->server->max_body) {
        c->too_big = true; /* keep reading, answer 413 at the end */
        return true;
    }
    if (c->body_len + n + 1 > c->body_cap) {
        size_t cap = c->body_cap ? c->body_cap * 2 : 4096;
        while (cap < c->body_len + n + 1)
            cap *= 2;
        char *grown = hf_arena_alloc(c->arena, cap);
        if (grown == NULL)
            return false;
        if (c->body_len)
            memcpy(grown, c->body, c->body_len);
        c->body = grown;
        c->body_cap = cap;
    }
    memcpy(c->body + c->body_len, data, n);
    c->body_len += n;
    c->body[c->body_len] = '\0';
    return true;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *mhd,
                                  const char *url, const char *method,
                                  const char *version, const char *upload,
                                  size_t *upload_size, void **con_cls)
{
    (void)version;
    hf_server *s = cls;
    conn_ctx *c = *con_cls;
    if (c == NULL) {
        /* answer on a later call: queueing a response on the first call
         * makes libmicrohttpd 0.9.75 close keep-alive connections */
        hf_arena *a = hf_arena_new(0);
        if (a == NULL)
            return MHD_NO;
        c = hf_arena_zalloc(a, sizeof(*c));
        if (c == NULL) {
            hf_arena_free(a);
            return MHD_NO;
        }
        c->server = s;
        c->mhd = mhd;
        c->arena = a;
        c->req = (hf_request){.method = method,
                              .path = url,
                              .connection = mhd,
                              .arena = a,
                              .svc = s->svc,
                              .actor = "anonymous"};
        *con_cls = c;
        return MHD_YES;
    }
    if (c->state == CONN_ANSWERED)
        return send_response(c);
    if (c->state == CONN_DISPATCHED)
        return MHD_YES; /* spurious call while suspended */
    if (*upload_size > 0) {
        if (!append_body(c, upload, *upload_size))
            return MHD_NO;
        *upload_size = 0;
        return MHD_YES;
    }
    return handle(c);
}

static void on_completed(void *cls, struct MHD_Connection *mhd, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    (void)cls;
    (void)mhd;
    (void)toe;
    conn_ctx *c = *con_cls;
    if (c == NULL)
        return;
    json_decref(c->req.body);
    hf_arena_free(c->arena);
    *con_cls = NULL;
}

/* --- Lifecycle ----------------------------------------------------------- */

static hf_rc parse_listen(const char *listen, struct sockaddr_in *sa,
                          hf_err *err)
{
    char host[64];
    const char *colon = listen ? strrchr(listen, ':') : NULL;
    if (colon == NULL || (size_t)(colon - listen) >= sizeof(host))
        return hf_fail(err, HF_EINVAL, "invalid_listen", "listen",
                       "listen must be HOST:PORT, such as 127.0.0.1:8080");
    memcpy(host, listen, (size_t)(colon - listen));
    host[colon - listen] = '\0';
    char *end;
    long port = strtol(colon + 1, &end, 10);
    memset(sa, 0, sizeof(*sa));
    sa->sin_family = AF_INET;
    sa->sin_port = htons((uint16_t)port);
    if (strcmp(host, "localhost") == 0)
        strcpy(host, "127.0.0.1");
    if (*end != '\0' || port < 0 || port > 65535 ||
        inet_pton(AF_INET, host, &sa->sin_addr) != 1)
        return hf_fail(err, HF_EINVAL, "invalid_listen", "listen",
                       "listen must be IPV4:PORT, such as 127.0.0.1:8080");
    return HF_OK;
}

hf_rc hf_server_start(const hf_services *svc, const hf_server_options *opt,
                      hf_server **out, hf_err *err)
{
    struct sockaddr_in sa;
    hf_rc rc = parse_listen(opt->listen, &sa, err);
    if (rc != HF_OK)
        return rc;
    hf_server *s = hf_calloc(1, sizeof(*s));
    if (s == NULL)
        return hf_fail(err, HF_ENOMEM, NULL, NULL, "out of memory");
    s->svc = svc;
    s->max_body = opt->max_body ? opt->max_body : DEFAULT_MAX_BODY;
    pthread_mutex_init(&s->mu, NULL);
    pthread_cond_init(&s->idle, NULL);
    if (opt->web_dir != NULL &&
        (rc = hf_static_open(opt->web_dir, &s->web, err)) != HF_OK) {
        hf_server_stop(s);
        return rc;
    }
    if ((rc = hf_sse_start(svc, &s->sse, err)) != HF_OK) {
        hf_server_stop(s);
        return rc;
    }
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    unsigned threads = opt->http_threads ? opt->http_threads
                                         : (unsigned)(cores > 0 ? cores : 2);
    s->daemon = MHD_start_daemon(
        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL |
            MHD_ALLOW_SUSPEND_RESUME,
        0, NULL, NULL, on_request, s, MHD_OPTION_SOCK_ADDR,
        (struct sockaddr *)&sa, MHD_OPTION_THREAD_POOL_SIZE, threads,
        MHD_OPTION_CONNECTION_LIMIT, 4096u, MHD_OPTION_CONNECTION_TIMEOUT, 120u,
        MHD_OPTION_NOTIFY_COMPLETED, on_completed, s,
        MHD_OPTION_LISTEN_BACKLOG_SIZE, 1024u, MHD_OPTION_END);
    if (s->daemon == NULL) {
        hf_server_stop(s);
        return hf_fail(err, HF_EIO, "listen_failed", "listen",
                       "cannot listen on %s (in use, or not allowed)",
                       opt->listen);
    }
    *out = s;
    return HF_OK;
}

void hf_server_stop(hf_server *s)
{
    if (s == NULL)
        return;
    if (s->daemon != NULL) {
        MHD_socket fd = MHD_quiesce_daemon(s->daemon);
        /* suspended connections must be resumed before the daemon stops:
         * streams end (and resume), writes finish */
        hf_sse_shutdown(s->sse);
        pthread_mutex_lock(&s->mu);
        while (s->in_flight > 0)
            pthread_cond_wait(&s->idle, &s->mu);
        pthread_mutex_unlock(&s->mu);
        MHD_stop_daemon(s->daemon);
        if (fd != MHD_INVALID_SOCKET)
            close(fd);
    }
    hf_sse_free(s->sse); /* after the daemon: it freed every stream */
    hf_static_free(s->web);
    pthread_mutex_destroy(&s->mu);
    pthread_cond_destroy(&s->idle);
    hf_free(s);
}
