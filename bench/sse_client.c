/*
 * sse_client.c - the measuring side of bench/run-sse: opens many event
 * streams on a running holdfast, drives order transitions one at a time,
 * and reports how long after each transition's 200 answer every stream
 * received the event.
 *
 *   bench_sse --port P --key KEY --orders FILE [--streams N] [--rounds R]
 *             [--path /v1/stream] [--interval-ms MS] [--timeout-ms MS]
 *
 * FILE holds order ids, one a line, each in status confirmed; round k
 * moves order k / 5 to the k % 5-th of allocated, picking, packed,
 * shipped, delivered. Each round waits until every stream has the event
 * (or --timeout-ms passes: the stream counts as missing it), then sleeps
 * --interval-ms.
 *
 * Streams are read by one epoll thread over plain sockets with HTTP/1.0
 * requests, so the body arrives unchunked and a receipt is timed when its
 * bytes are read, with no client library in between. Transitions go out
 * on one kept-alive libcurl handle.
 *
 * Output: one line of key=value figures (milliseconds), for bench/run-sse
 * to collect. Exits non-zero when a stream does not open or a transition
 * is not answered 200.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

enum { LINE_MAX_BYTES = 8192, MAX_ORDERS = 100000 };

typedef struct conn {
    int fd;
    bool body;    /* headers done */
    bool ok;      /* the status was 200 */
    bool pending; /* an "event: status_changed" line was read */
    char line[LINE_MAX_BYTES];
    size_t len;
    int64_t *at; /* receipt time (ns) of each status_changed event */
    size_t cap;
    atomic_size_t got;  /* events in at */
    atomic_bool open;   /* the first body line arrived */
    atomic_bool closed; /* the server closed the stream */
} conn;

static conn *conns;
static size_t n_conns;
static atomic_bool stopping;

static int64_t now_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

static void die(const char *fmt, const char *arg)
{
    fprintf(stderr, "bench_sse: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\n");
    exit(1);
}

static void on_line(conn *c, int64_t at)
{
    if (!c->body) {
        if (c->len == 0) {
            c->body = true;
            return;
        }
        if (strncmp(c->line, "HTTP/1.", 7) == 0)
            c->ok = strncmp(c->line + 8, " 200", 4) == 0;
        return;
    }
    atomic_store(&c->open, true);
    if (c->len == 0) {
        if (c->pending) {
            size_t g = atomic_load(&c->got);
            if (g < c->cap)
                c->at[g] = at;
            atomic_store(&c->got, g + 1);
        }
        c->pending = false;
        return;
    }
    if (c->len >= 21 && strncmp(c->line, "event: status_changed", 21) == 0)
        c->pending = true;
}

static void on_bytes(conn *c, const char *p, size_t n, int64_t at)
{
    for (size_t i = 0; i < n; i++) {
        if (p[i] == '\n') {
            if (c->len > 0 && c->line[c->len - 1] == '\r')
                c->len--;
            c->line[c->len] = '\0';
            on_line(c, at);
            c->len = 0;
        } else if (c->len + 1 < sizeof(c->line)) {
            c->line[c->len++] = p[i];
        }
    }
}

static void *reader(void *arg)
{
    int ep = *(int *)arg;
    struct epoll_event evs[256];
    char buf[65536];
    while (!atomic_load(&stopping)) {
        int n = epoll_wait(ep, evs, 256, 100);
        for (int i = 0; i < n; i++) {
            conn *c = evs[i].data.ptr;
            for (;;) {
                ssize_t r = read(c->fd, buf, sizeof(buf));
                if (r > 0) {
                    on_bytes(c, buf, (size_t)r, now_ns());
                    continue;
                }
                if (r == 0 || (errno != EAGAIN && errno != EINTR)) {
                    atomic_store(&c->closed, true);
                    epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
                }
                break;
            }
        }
    }
    return NULL;
}

static int open_stream(int port, const char *path, const char *key)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        die("socket: %s", strerror(errno));
    struct sockaddr_in a;
    memset(&a, 0, sizeof(a));
    a.sin_family = AF_INET;
    a.sin_port = htons((uint16_t)port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, (struct sockaddr *)&a, sizeof(a)) != 0)
        die("connect: %s", strerror(errno));
    char req[1024];
    int n = snprintf(req, sizeof(req),
                     "GET %s HTTP/1.0\r\nHost: 127.0.0.1\r\n"
                     "Accept: text/event-stream\r\n"
                     "Authorization: Bearer %s\r\n\r\n",
                     path, key);
    if (write(fd, req, (size_t)n) != n)
        die("write: %s", strerror(errno));
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    return fd;
}

static size_t discard(char *p, size_t size, size_t n, void *ud)
{
    (void)p;
    (void)ud;
    return size * n;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double pct(const double *v, size_t n, double p)
{
    if (n == 0)
        return 0;
    size_t i = (size_t)(p * (double)(n - 1) + 0.5);
    return v[i];
}

int main(int argc, char **argv)
{
    int port = 0;
    const char *key = NULL, *orders_file = NULL, *path = "/v1/stream";
    size_t rounds = 100;
    long interval_ms = 20, timeout_ms = 5000;
    n_conns = 1000;
    for (int i = 1; i + 1 < argc; i += 2) {
        const char *o = argv[i], *v = argv[i + 1];
        if (strcmp(o, "--port") == 0)
            port = atoi(v);
        else if (strcmp(o, "--key") == 0)
            key = v;
        else if (strcmp(o, "--orders") == 0)
            orders_file = v;
        else if (strcmp(o, "--streams") == 0)
            n_conns = strtoul(v, NULL, 10);
        else if (strcmp(o, "--rounds") == 0)
            rounds = strtoul(v, NULL, 10);
        else if (strcmp(o, "--path") == 0)
            path = v;
        else if (strcmp(o, "--interval-ms") == 0)
            interval_ms = atol(v);
        else if (strcmp(o, "--timeout-ms") == 0)
            timeout_ms = atol(v);
        else
            die("unknown option %s", o);
    }
    if (port <= 0 || key == NULL || orders_file == NULL || n_conns == 0 ||
        rounds == 0)
        die("%s", "usage: bench_sse --port P --key KEY --orders FILE "
                  "[--streams N] [--rounds R] [--path P] [--interval-ms MS] "
                  "[--timeout-ms MS]");

    static char ids[MAX_ORDERS][64];
    size_t n_orders = 0;
    FILE *f = fopen(orders_file, "r");
    if (f == NULL)
        die("cannot open %s", orders_file);
    while (n_orders < MAX_ORDERS && fgets(ids[n_orders], 64, f) != NULL) {
        ids[n_orders][strcspn(ids[n_orders], "\r\n")] = '\0';
        if (ids[n_orders][0] != '\0')
            n_orders++;
    }
    fclose(f);
    if (n_orders * 5 < rounds)
        die("%s", "not enough orders for the rounds (5 transitions each)");

    /* open the streams */
    int ep = epoll_create1(0);
    conns = calloc(n_conns, sizeof(*conns));
    for (size_t i = 0; i < n_conns; i++) {
        conn *c = &conns[i];
        c->cap = rounds + 16;
        c->at = calloc(c->cap, sizeof(*c->at));
        c->fd = open_stream(port, path, key);
        struct epoll_event ev = {.events = EPOLLIN, .data.ptr = c};
        epoll_ctl(ep, EPOLL_CTL_ADD, c->fd, &ev);
    }
    pthread_t th;
    pthread_create(&th, NULL, reader, &ep);
    int64_t deadline = now_ns() + 20 * 1000000000LL;
    for (size_t i = 0; i < n_conns; i++) {
        while (!atomic_load(&conns[i].open) && !atomic_load(&conns[i].closed) &&
               now_ns() < deadline)
            usleep(1000);
        if (!atomic_load(&conns[i].open) || !conns[i].ok)
            die("%s", "a stream did not open with 200 within 20 s");
    }
    usleep(500 * 1000);
    size_t *base = calloc(n_conns, sizeof(*base));
    for (size_t i = 0; i < n_conns; i++)
        base[i] = atomic_load(&conns[i].got);

    /* transitions, one at a time */
    static const char *const steps[] = {"allocated", "picking", "packed",
                                        "shipped", "delivered"};
    int64_t *sent = calloc(rounds, sizeof(*sent));
    int64_t *answered = calloc(rounds, sizeof(*answered));
    CURL *h = curl_easy_init();
    struct curl_slist *hl = NULL;
    char line[1024], url[512], body[64];
    snprintf(line, sizeof(line), "Authorization: Bearer %s", key);
    hl = curl_slist_append(hl, line);
    hl = curl_slist_append(hl, "Content-Type: application/json");
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hl);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, discard);
    curl_easy_setopt(h, CURLOPT_PROXY, "");
    curl_easy_setopt(h, CURLOPT_TCP_NODELAY, 1L);
    size_t late = 0;
    for (size_t k = 0; k < rounds; k++) {
        snprintf(url, sizeof(url),
                 "http://127.0.0.1:%d/v1/orders/%s/transitions", port,
                 ids[k / 5]);
        snprintf(body, sizeof(body), "{\"to\":\"%s\"}", steps[k % 5]);
        curl_easy_setopt(h, CURLOPT_URL, url);
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
        sent[k] = now_ns();
        CURLcode cc = curl_easy_perform(h);
        answered[k] = now_ns();
        long status = 0;
        curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
        if (cc != CURLE_OK || status != 200) {
            snprintf(line, sizeof(line), "%s -> %s: %ld %s", ids[k / 5],
                     steps[k % 5], status, curl_easy_strerror(cc));
            die("transition %s", line);
        }
        int64_t until = answered[k] + timeout_ms * 1000000LL;
        for (size_t i = 0; i < n_conns; i++) {
            while (atomic_load(&conns[i].got) < base[i] + k + 1 &&
                   now_ns() < until)
                usleep(200);
        }
        if (now_ns() >= until)
            late++;
        if (interval_ms > 0)
            usleep((useconds_t)interval_ms * 1000);
    }

    /* figures */
    size_t total = n_conns * rounds, n = 0, missing = 0, before_answer = 0;
    double *from_answer = malloc(total * sizeof(double));
    double *from_request = malloc(total * sizeof(double));
    for (size_t i = 0; i < n_conns; i++) {
        size_t got = atomic_load(&conns[i].got);
        for (size_t k = 0; k < rounds; k++) {
            size_t idx = base[i] + k;
            if (idx >= got || idx >= conns[i].cap) {
                missing++;
                continue;
            }
            double a = (double)(conns[i].at[idx] - answered[k]) / 1e6;
            before_answer += a < 0;
            from_answer[n] = a < 0 ? 0 : a;
            from_request[n] = (double)(conns[i].at[idx] - sent[k]) / 1e6;
            n++;
        }
    }
    qsort(from_answer, n, sizeof(double), cmp_double);
    qsort(from_request, n, sizeof(double), cmp_double);
    double post_ms = 0;
    for (size_t k = 0; k < rounds; k++)
        post_ms += (double)(answered[k] - sent[k]) / 1e6;
    printf("streams=%zu rounds=%zu samples=%zu missing=%zu late_rounds=%zu "
           "p50_ms=%.3f p90_ms=%.3f p99_ms=%.3f max_ms=%.3f "
           "before_answer=%.1f%% req_p50_ms=%.3f req_p99_ms=%.3f "
           "post_mean_ms=%.3f\n",
           n_conns, rounds, n, missing, late, pct(from_answer, n, 0.50),
           pct(from_answer, n, 0.90), pct(from_answer, n, 0.99),
           n ? from_answer[n - 1] : 0.0,
           n ? 100.0 * (double)before_answer / (double)n : 0.0,
           pct(from_request, n, 0.50), pct(from_request, n, 0.99),
           post_ms / (double)rounds);

    atomic_store(&stopping, true);
    pthread_join(th, NULL);
    for (size_t i = 0; i < n_conns; i++) {
        close(conns[i].fd);
        free(conns[i].at);
    }
    curl_slist_free_all(hl);
    curl_easy_cleanup(h);
    free(conns);
    free(base);
    free(sent);
    free(answered);
    free(from_answer);
    free(from_request);
    close(ep);
    return missing == 0 ? 0 : 2;
}
