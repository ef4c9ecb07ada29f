/*
 * test_stream.c - live streams: GET /v1/orders/{id}/stream and GET
 * /v1/stream as Server-Sent Events, read by a real SSE client (libcurl,
 * parsing frames as EventSource does, on a thread of its own).
 *
 * An order's stream gets each of its changes within a second, in order,
 * with ids and JSON that match the timeline, and nothing of other orders;
 * the all-orders stream gets every order's; Last-Event-ID resumes without
 * loss or repeats; a stream on one process sees writes made through
 * another; 200 streams at once all get an event; a client that leaves is
 * forgotten, one that stops reading is cut off without slowing the others;
 * and the server stops cleanly with streams open. SKUs start with "st-".
 */
#include "harness.h"

#include <arpa/inet.h>
#include <errno.h>
#include <libpq-fe.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/socket.h>
#include <unistd.h>

#include <curl/curl.h>

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

enum {
    DEADLINE_MS = 1000, /* the issue: "within a second of it happening" */
    OPEN_TIMEOUT_MS = 10000,
    LINE_MAX_BYTES = 1 << 16,
};

static hf_test_server *ts;

/* --- an SSE client ------------------------------------------------------- */

/* One event as EventSource would dispatch it. */
typedef struct sse_event {
    long long id;    /* the id field, or -1 */
    char type[64];   /* the event field ("message" when none) */
    char *data;      /* the data lines joined by "\n" */
    json_t *json;    /* data parsed, or NULL */
    long long at_ms; /* when it arrived (ts_now_ms) */
} sse_event;

typedef struct sse_group sse_group;

typedef struct sse_stream {
    sse_group *group;
    CURL *easy;
    struct curl_slist *headers;
    char content_type[128]; /* of the response */
    char cache_control[128];
    bool open;  /* the first field arrived: the server subscribed us */
    bool ended; /* the transfer finished */
    CURLcode result;
    long status;
    size_t keepalives; /* comment lines seen */
    char line[LINE_MAX_BYTES];
    size_t line_len;
    bool skip_lf; /* a CR ended the last line; skip a LF after it */
    /* the event being read */
    long long cur_id;
    char cur_type[64];
    char *cur_data;
    size_t cur_len;
    bool cur_has_data;
    sse_event *events;
    size_t n_events, cap_events;
} sse_stream;

/* Streams read by one thread over one curl multi handle. */
struct sse_group {
    CURLM *multi;
    pthread_t thread;
    pthread_mutex_t mu; /* guards the streams' state and stop */
    pthread_cond_t changed;
    bool stop;
    size_t n;
    sse_stream *streams;
};

static void dispatch(sse_stream *st)
{
    if (!st->cur_has_data) {
        st->cur_type[0] = '\0';
        return;
    }
    if (st->n_events == st->cap_events) {
        st->cap_events = st->cap_events ? st->cap_events * 2 : 16;
        st->events = realloc(st->events, st->cap_events * sizeof(*st->events));
        assert_non_null(st->events);
    }
    sse_event *e = &st->events[st->n_events++];
    e->id = st->cur_id;
    snprintf(e->type, sizeof(e->type), "%s",
             st->cur_type[0] ? st->cur_type : "message");
    e->data = st->cur_data ? st->cur_data : strdup("");
    e->json = json_loads(e->data, 0, NULL);
    e->at_ms = ts_now_ms();
    st->cur_data = NULL;
    st->cur_len = 0;
    st->cur_has_data = false;
    st->cur_type[0] = '\0';
    st->cur_id = -1;
}

/* One line of the stream, as the SSE specification reads it. */
static void on_line(sse_stream *st, const char *line, size_t len)
{
    if (len == 0) {
        dispatch(st);
        return;
    }
    st->open = true;
    if (line[0] == ':') {
        st->keepalives++;
        return;
    }
    const char *colon = memchr(line, ':', len);
    size_t flen = colon ? (size_t)(colon - line) : len;
    const char *v = colon ? colon + 1 : line + len;
    if (v < line + len && *v == ' ')
        v++;
    size_t vlen = (size_t)(line + len - v);
    if (flen == 4 && memcmp(line, "data", 4) == 0) {
        st->cur_data = realloc(st->cur_data, st->cur_len + vlen + 2);
        assert_non_null(st->cur_data);
        if (st->cur_has_data)
            st->cur_data[st->cur_len++] = '\n';
        memcpy(st->cur_data + st->cur_len, v, vlen);
        st->cur_len += vlen;
        st->cur_data[st->cur_len] = '\0';
        st->cur_has_data = true;
    } else if (flen == 5 && memcmp(line, "event", 5) == 0) {
        snprintf(st->cur_type, sizeof(st->cur_type), "%.*s", (int)vlen, v);
    } else if (flen == 2 && memcmp(line, "id", 2) == 0) {
        st->cur_id = strtoll(v, NULL, 10);
    }
}

static size_t on_data(char *data, size_t size, size_t n, void *ud)
{
    sse_stream *st = ud;
    size_t len = size * n;
    pthread_mutex_lock(&st->group->mu);
    if (st->status == 0)
        curl_easy_getinfo(st->easy, CURLINFO_RESPONSE_CODE, &st->status);
    for (size_t i = 0; i < len; i++) {
        char c = data[i];
        if (st->skip_lf && c == '\n') {
            st->skip_lf = false;
            continue;
        }
        st->skip_lf = false;
        if (c == '\r' || c == '\n') {
            on_line(st, st->line, st->line_len);
            st->line_len = 0;
            st->skip_lf = c == '\r';
            continue;
        }
        if (st->line_len + 1 < sizeof(st->line))
            st->line[st->line_len++] = c;
    }
    pthread_cond_broadcast(&st->group->changed);
    pthread_mutex_unlock(&st->group->mu);
    return len;
}

static size_t on_header_line(char *data, size_t size, size_t n, void *ud)
{
    sse_stream *st = ud;
    size_t len = size * n;
    char h[256];
    snprintf(h, sizeof(h), "%.*s", (int)len, data);
    h[strcspn(h, "\r\n")] = '\0';
    pthread_mutex_lock(&st->group->mu);
    if (strncasecmp(h, "Content-Type: ", 14) == 0)
        snprintf(st->content_type, sizeof(st->content_type), "%.100s", h + 14);
    else if (strncasecmp(h, "Cache-Control: ", 15) == 0)
        snprintf(st->cache_control, sizeof(st->cache_control), "%.100s",
                 h + 15);
    pthread_mutex_unlock(&st->group->mu);
    return len;
}

static void *group_run(void *arg)
{
    sse_group *g = arg;
    for (;;) {
        pthread_mutex_lock(&g->mu);
        bool stop = g->stop;
        pthread_mutex_unlock(&g->mu);
        if (stop)
            break;
        int running;
        curl_multi_perform(g->multi, &running);
        CURLMsg *m;
        int left;
        while ((m = curl_multi_info_read(g->multi, &left)) != NULL) {
            if (m->msg != CURLMSG_DONE)
                continue;
            sse_stream *st = NULL;
            curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, (char **)&st);
            pthread_mutex_lock(&g->mu);
            st->ended = true;
            st->result = m->data.result;
            curl_easy_getinfo(st->easy, CURLINFO_RESPONSE_CODE, &st->status);
            pthread_cond_broadcast(&g->changed);
            pthread_mutex_unlock(&g->mu);
        }
        curl_multi_poll(g->multi, NULL, 0, 50, NULL);
    }
    return NULL;
}

/* Waits (g->mu held) until pred(g, arg) or timeout_ms pass; returns it. */
static bool group_wait(sse_group *g, bool (*pred)(sse_group *, void *),
                       void *arg, long timeout_ms)
{
    long long deadline = ts_now_ms() + timeout_ms;
    while (!pred(g, arg)) {
        long long left = deadline - ts_now_ms();
        if (left <= 0)
            return false;
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += left / 1000;
        until.tv_nsec += (left % 1000) * 1000000L;
        if (until.tv_nsec >= 1000000000L) {
            until.tv_sec++;
            until.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&g->changed, &g->mu, &until);
    }
    return true;
}

static bool all_open_or_ended(sse_group *g, void *arg)
{
    (void)arg;
    for (size_t i = 0; i < g->n; i++)
        if (!g->streams[i].open && !g->streams[i].ended)
            return false;
    return true;
}

/* Opens n streams of path with key (NULL: none) and Last-Event-ID (NULL:
 * none) and waits until each is open (the server has subscribed it) or
 * has ended. Close with group_close. */
static sse_group *group_open(const char *path, const char *key,
                             const char *last_event_id, size_t n)
{
    sse_group *g = calloc(1, sizeof(*g));
    assert_non_null(g);
    g->n = n;
    g->streams = calloc(n, sizeof(*g->streams));
    assert_non_null(g->streams);
    g->multi = curl_multi_init();
    pthread_mutex_init(&g->mu, NULL);
    pthread_cond_init(&g->changed, NULL);
    char url[1024], line[512];
    snprintf(url, sizeof(url), "%s%s", ts->base_url, path);
    for (size_t i = 0; i < n; i++) {
        sse_stream *st = &g->streams[i];
        st->group = g;
        st->cur_id = -1;
        st->easy = curl_easy_init();
        st->headers = curl_slist_append(NULL, "Accept: text/event-stream");
        if (key != NULL) {
            snprintf(line, sizeof(line), "Authorization: Bearer %s", key);
            st->headers = curl_slist_append(st->headers, line);
        }
        if (last_event_id != NULL) {
            snprintf(line, sizeof(line), "Last-Event-ID: %s", last_event_id);
            st->headers = curl_slist_append(st->headers, line);
        }
        curl_easy_setopt(st->easy, CURLOPT_URL, url);
        curl_easy_setopt(st->easy, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(st->easy, CURLOPT_PROXY, "");
        curl_easy_setopt(st->easy, CURLOPT_CONNECTTIMEOUT_MS, 5000L);
        curl_easy_setopt(st->easy, CURLOPT_HTTPHEADER, st->headers);
        curl_easy_setopt(st->easy, CURLOPT_WRITEFUNCTION, on_data);
        curl_easy_setopt(st->easy, CURLOPT_WRITEDATA, st);
        curl_easy_setopt(st->easy, CURLOPT_HEADERFUNCTION, on_header_line);
        curl_easy_setopt(st->easy, CURLOPT_HEADERDATA, st);
        curl_easy_setopt(st->easy, CURLOPT_PRIVATE, st);
        curl_multi_add_handle(g->multi, st->easy);
    }
    assert_int_equal(pthread_create(&g->thread, NULL, group_run, g), 0);
    pthread_mutex_lock(&g->mu);
    bool ok = group_wait(g, all_open_or_ended, NULL, OPEN_TIMEOUT_MS);
    pthread_mutex_unlock(&g->mu);
    if (!ok)
        fprintf(stderr, "streams of %s did not open in %d ms\n", path,
                OPEN_TIMEOUT_MS);
    assert_true(ok);
    return g;
}

/* Closes the connections (as a client that goes away) and frees g. */
static void group_close(sse_group *g)
{
    pthread_mutex_lock(&g->mu);
    g->stop = true;
    pthread_mutex_unlock(&g->mu);
    curl_multi_wakeup(g->multi);
    pthread_join(g->thread, NULL);
    for (size_t i = 0; i < g->n; i++) {
        sse_stream *st = &g->streams[i];
        curl_multi_remove_handle(g->multi, st->easy);
        curl_easy_cleanup(st->easy);
        curl_slist_free_all(st->headers);
        for (size_t k = 0; k < st->n_events; k++) {
            free(st->events[k].data);
            json_decref(st->events[k].json);
        }
        free(st->events);
        free(st->cur_data);
    }
    curl_multi_cleanup(g->multi);
    pthread_mutex_destroy(&g->mu);
    pthread_cond_destroy(&g->changed);
    free(g->streams);
    free(g);
}

typedef struct count_goal {
    size_t stream; /* index, or SIZE_MAX for every stream */
    size_t events;
} count_goal;

static bool has_events(sse_group *g, void *arg)
{
    count_goal *c = arg;
    for (size_t i = 0; i < g->n; i++) {
        if (c->stream != SIZE_MAX && i != c->stream)
            continue;
        if (g->streams[i].n_events < c->events && !g->streams[i].ended)
            return false;
    }
    return true;
}

/* Waits until stream i (SIZE_MAX: every stream) holds at least n events
 * (or has ended); returns whether it came within timeout_ms. */
static bool wait_events(sse_group *g, size_t i, size_t n, long timeout_ms)
{
    count_goal c = {i, n};
    pthread_mutex_lock(&g->mu);
    bool ok = group_wait(g, has_events, &c, timeout_ms);
    pthread_mutex_unlock(&g->mu);
    return ok;
}

static bool ended(sse_group *g, void *arg)
{
    (void)arg;
    for (size_t i = 0; i < g->n; i++)
        if (!g->streams[i].ended)
            return false;
    return true;
}

/* Waits up to 10 s for every stream of g to end, asserting they did. */
static void wait_ended(sse_group *g)
{
    pthread_mutex_lock(&g->mu);
    bool ok = group_wait(g, ended, NULL, 10000);
    pthread_mutex_unlock(&g->mu);
    assert_true(ok);
}

/* How many events stream i holds now. */
static size_t count(sse_group *g, size_t i)
{
    pthread_mutex_lock(&g->mu);
    size_t n = g->streams[i].n_events;
    pthread_mutex_unlock(&g->mu);
    return n;
}

/* Event k of stream i; stable once it arrived (the array only grows, and
 * only the group thread appends, under the lock we take). */
static sse_event event_at(sse_group *g, size_t i, size_t k)
{
    pthread_mutex_lock(&g->mu);
    assert_true(k < g->streams[i].n_events);
    sse_event e = g->streams[i].events[k];
    pthread_mutex_unlock(&g->mu);
    return e;
}

static void print_events(sse_group *g, size_t i, const char *title)
{
    pthread_mutex_lock(&g->mu);
    fprintf(stderr, "%s: stream %zu holds %zu events\n", title, i,
            g->streams[i].n_events);
    for (size_t k = 0; k < g->streams[i].n_events; k++)
        fprintf(stderr, "  id %lld %s %s\n", g->streams[i].events[k].id,
                g->streams[i].events[k].type, g->streams[i].events[k].data);
    pthread_mutex_unlock(&g->mu);
}

/* --- helpers ------------------------------------------------------------- */

/* Places an order of sku; returns its id and number (static buffers of
 * the caller). */
static void place(const char *sku, char *id, size_t idsz, char *number,
                  size_t numsz)
{
    long st = 0;
    json_t *o = ts_order(ts, sku, 1, NULL, &st);
    ts_assert_status(st, 201, o);
    snprintf(id, idsz, "%s", ts_str(o, "id"));
    if (number != NULL)
        snprintf(number, numsz, "%s", ts_str(o, "number"));
    json_decref(o);
}

/* POSTs a transition through server s (thread-safe, does not assert);
 * returns the HTTP status. */
static long transition_via(hf_test_server *s, const char *id, const char *to)
{
    char path[256], body[64];
    snprintf(path, sizeof(path), "/v1/orders/%s/transitions", id);
    snprintf(body, sizeof(body), "{\"to\":\"%s\"}", to);
    long st = 0;
    ts_request(s, "POST", path, s->admin_key, NULL, body, &st, NULL);
    return st;
}

/* Waits up to timeout_ms for metric name to reach at most (or, with
 * at_least, at least) value; returns the last reading. */
static double wait_metric(const char *name, double value, bool at_least,
                          long timeout_ms)
{
    long long deadline = ts_now_ms() + timeout_ms;
    double v;
    while (((v = ts_metric(ts, name)), at_least ? v < value : v > value) &&
           ts_now_ms() < deadline)
        ts_sleep_ms(50);
    return v;
}

/* CPU seconds the server process has used (user + system). */
static double server_cpu_seconds(void)
{
    char path[64], text[1024];
    snprintf(path, sizeof(path), "/proc/%d/stat", (int)ts->pid);
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    size_t n = fread(text, 1, sizeof(text) - 1, f);
    fclose(f);
    text[n] = '\0';
    /* fields after the command's closing parenthesis; utime and stime
     * are the 12th and 13th of them */
    const char *p = strrchr(text, ')');
    assert_non_null(p);
    unsigned long long ut = 0, st = 0;
    assert_int_equal(sscanf(p + 2,
                            "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u "
                            "%llu %llu",
                            &ut, &st),
                     2);
    return (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
}

/* Asserts that e is the status change of order (id, number) from -> to. */
static void assert_status_event(const sse_event *e, const char *id,
                                const char *number, const char *from,
                                const char *to)
{
    if (e->json == NULL)
        fail_msg("event data is not JSON: %s", e->data);
    assert_string_equal(e->type, "status_changed");
    assert_string_equal(ts_str(e->json, "type"), "status_changed");
    assert_string_equal(ts_str(e->json, "order_id"), id);
    assert_string_equal(ts_str(e->json, "number"), number);
    assert_string_equal(ts_str(e->json, "from"), from);
    assert_string_equal(ts_str(e->json, "to"), to);
    assert_true(ts_int(e->json, "seq") > 0);
    assert_true(strlen(ts_str(e->json, "at")) >= 20);
    assert_true(e->id > 0);
}

/* A stream starts with what its process's feed reads after it opened,
 * which may include changes made just before (on SQLite another process's
 * are read every 500 ms). Tests that count events wait this long after
 * their last change before they open a stream. */
static void quiet(void)
{
    ts_sleep_ms(700);
}

/* --- setup --------------------------------------------------------------- */

static int setup(void **state)
{
    (void)state;
    ts = ts_start();
    return ts ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    ts_free(ts);
    ts = NULL;
    return 0;
}

/* --- tests --------------------------------------------------------------- */

static void test_refused_without_key_or_order(void **state)
{
    (void)state;
    long st = 0;
    json_t *r = NULL;
    ts_request(ts, "GET", "/v1/stream", NULL, NULL, NULL, &st, &r);
    ts_assert_error(st, r, 401, "unauthorized");
    json_decref(r);
    ts_request(ts, "GET", "/v1/orders/ord_x/stream", NULL, NULL, NULL, &st, &r);
    ts_assert_error(st, r, 401, "unauthorized");
    json_decref(r);
    ts_request(ts, "GET", "/v1/stream", "hf_wrong", NULL, NULL, &st, &r);
    ts_assert_error(st, r, 401, "unauthorized");
    json_decref(r);

    r = ts_get(ts, &st, "/v1/orders/ord_nosuchorder/stream");
    ts_assert_status(st, 404, r);
    json_decref(r);
    r = ts_get(ts, &st, "/v1/orders/HF-999999/stream");
    ts_assert_status(st, 404, r);
    json_decref(r);

    /* a Last-Event-ID that is not one of ours, or is ahead of them all */
    sse_group *g = group_open("/v1/stream", ts->agent_key, "banana", 1);
    wait_ended(g);
    assert_int_equal(g->streams[0].status, 400);
    group_close(g);
    g = group_open("/v1/stream", ts->agent_key, "99999999", 1);
    wait_ended(g);
    assert_int_equal(g->streams[0].status, 422);
    group_close(g);
}

static void test_order_stream_gets_its_changes_in_time(void **state)
{
    (void)state;
    ts_product(ts, "st-ONE", 1500, 20);
    char id[64], number[32], other[64];
    place("st-ONE", id, sizeof(id), number, sizeof(number));
    place("st-ONE", other, sizeof(other), NULL, 0);
    quiet();

    char path[128];
    snprintf(path, sizeof(path), "/v1/orders/%s/stream", id);
    sse_group *g = group_open(path, ts->agent_key, NULL, 1);
    /* the same order followed by its number */
    snprintf(path, sizeof(path), "/v1/orders/%s/stream", number);
    sse_group *by_number = group_open(path, ts->service_key, NULL, 1);
    assert_int_equal(g->streams[0].status, 200);
    assert_string_equal(g->streams[0].content_type, "text/event-stream");
    assert_string_equal(g->streams[0].cache_control, "no-cache");

    static const char *const steps[] = {"confirmed", "allocated", "picking",
                                        "packed", "shipped"};
    long long last_id = 0, last_seq = 0;
    for (size_t k = 1; k < N_OF(steps); k++) {
        /* another order changes too: its event must not show up */
        assert_int_equal(transition_via(ts, other, steps[k]), 200);
        long long before = ts_now_ms();
        json_t *o = ts_transition(ts, id, steps[k]);
        json_decref(o);
        bool came = wait_events(g, 0, k, DEADLINE_MS);
        if (!came)
            print_events(g, 0, "missing event");
        assert_true(came);
        sse_event e = event_at(g, 0, k - 1);
        long long latency = e.at_ms - before;
        if (latency >= DEADLINE_MS)
            fprintf(stderr, "event %zu took %lld ms\n", k, latency);
        assert_true(latency < DEADLINE_MS);
        assert_status_event(&e, id, number, steps[k - 1], steps[k]);
        assert_true(e.id > last_id); /* ids rise */
        assert_true(ts_int(e.json, "seq") > last_seq);
        last_id = e.id;
        last_seq = ts_int(e.json, "seq");
    }
    /* nothing else arrives: not the other order's, not a repeat */
    ts_sleep_ms(300);
    if (count(g, 0) != 4)
        print_events(g, 0, "unexpected events");
    assert_int_equal(count(g, 0), 4);
    assert_true(wait_events(by_number, 0, 4, DEADLINE_MS));
    assert_int_equal(count(by_number, 0), 4);
    for (size_t k = 0; k < 4; k++)
        assert_int_equal(event_at(by_number, 0, k).id, event_at(g, 0, k).id);

    /* the timeline the API serves says the same, entry for entry */
    json_t *tl = ts_get(ts, NULL, "/v1/orders/%s/events", id);
    json_t *data = json_object_get(tl, "data");
    size_t n = json_array_size(data);
    assert_true(n >= 4);
    for (size_t k = 0; k < 4; k++) {
        json_t *entry = json_array_get(data, n - 4 + k);
        sse_event e = event_at(g, 0, k);
        assert_int_equal(ts_int(entry, "seq"), ts_int(e.json, "seq"));
        assert_string_equal(ts_str(entry, "at"), ts_str(e.json, "at"));
        assert_string_equal(ts_str(entry, "to"), ts_str(e.json, "to"));
        assert_string_equal(ts_str(entry, "actor"), ts_str(e.json, "actor"));
    }
    json_decref(tl);
    group_close(by_number);
    group_close(g);
}

static void test_all_stream_gets_every_order(void **state)
{
    (void)state;
    ts_product(ts, "st-ALL", 900, 50);
    sse_group *g = group_open("/v1/stream", ts->admin_key, NULL, 1);
    char ids[3][64];
    for (int i = 0; i < 3; i++)
        place("st-ALL", ids[i], sizeof(ids[i]), NULL, 0);
    for (int i = 0; i < 3; i++)
        assert_int_equal(transition_via(ts, ids[i], "allocated"), 200);
    /* each placement is "placed" + confirmed; then one change each */
    bool came = wait_events(g, 0, 9, DEADLINE_MS);
    if (!came)
        print_events(g, 0, "all-orders stream");
    assert_true(came);
    int placed[3] = {0}, allocated[3] = {0};
    long long last = 0;
    for (size_t k = 0; k < count(g, 0); k++) {
        sse_event e = event_at(g, 0, k);
        assert_non_null(e.json);
        assert_true(e.id > last);
        last = e.id;
        assert_string_equal(e.type, ts_str(e.json, "type"));
        for (int i = 0; i < 3; i++) {
            if (strcmp(ts_str(e.json, "order_id"), ids[i]) != 0)
                continue;
            placed[i] += strcmp(e.type, "placed") == 0;
            allocated[i] += strcmp(ts_str(e.json, "to"), "allocated") == 0;
        }
    }
    for (int i = 0; i < 3; i++) {
        assert_int_equal(placed[i], 1);
        assert_int_equal(allocated[i], 1);
    }
    group_close(g);
}

/* Ids of the events of stream i of g after id `after`. */
static size_t ids_after(sse_group *g, size_t i, long long after, long long *out,
                        size_t cap)
{
    size_t n = 0;
    for (size_t k = 0; k < count(g, i); k++) {
        long long id = event_at(g, i, k).id;
        if (id > after && n < cap)
            out[n++] = id;
    }
    return n;
}

static void test_last_event_id_resumes_without_loss(void **state)
{
    (void)state;
    ts_product(ts, "st-RES", 700, 20);
    char id[64], number[32];
    place("st-RES", id, sizeof(id), number, sizeof(number));
    quiet();
    /* the reference: a stream that stays open throughout */
    sse_group *ref = group_open("/v1/stream", ts->admin_key, NULL, 1);
    char path[128];
    snprintf(path, sizeof(path), "/v1/orders/%s/stream", id);
    sse_group *first = group_open(path, ts->admin_key, NULL, 1);

    assert_int_equal(transition_via(ts, id, "allocated"), 200);
    assert_true(wait_events(first, 0, 1, DEADLINE_MS));
    long long seen = event_at(first, 0, 0).id;
    group_close(first); /* the client drops off ... */

    /* ... changes happen while it is away, to this order and others ... */
    char other[64];
    place("st-RES", other, sizeof(other), NULL, 0);
    assert_int_equal(transition_via(ts, id, "picking"), 200);
    assert_int_equal(transition_via(ts, other, "allocated"), 200);
    assert_int_equal(transition_via(ts, id, "packed"), 200);
    assert_true(wait_events(ref, 0, 6, DEADLINE_MS));

    /* ... and it comes back with the id of the last event it saw */
    char last[32];
    snprintf(last, sizeof(last), "%lld", seen);
    sse_group *again = group_open(path, ts->admin_key, last, 1);
    sse_group *all_again = group_open("/v1/stream", ts->admin_key, last, 1);
    assert_int_equal(again->streams[0].status, 200);
    assert_int_equal(transition_via(ts, id, "shipped"), 200);
    assert_true(wait_events(ref, 0, 7, DEADLINE_MS));
    assert_true(wait_events(again, 0, 3, DEADLINE_MS));
    assert_true(wait_events(all_again, 0, 6, DEADLINE_MS));
    ts_sleep_ms(300); /* anything repeated would be here by now */

    /* the order's stream: picking, packed (replayed), shipped (live) */
    assert_int_equal(count(again, 0), 3);
    static const char *const to[] = {"picking", "packed", "shipped"};
    static const char *const from[] = {"allocated", "picking", "packed"};
    for (size_t k = 0; k < 3; k++) {
        sse_event e = event_at(again, 0, k);
        assert_status_event(&e, id, number, from[k], to[k]);
    }
    /* the all-orders stream: exactly what the reference got after it */
    long long want[64], got[64];
    size_t nw = ids_after(ref, 0, seen, want, 64);
    size_t ng = ids_after(all_again, 0, -1, got, 64);
    if (nw != ng)
        print_events(all_again, 0, "resumed all-orders stream");
    assert_int_equal(ng, nw);
    assert_int_equal(nw, 6);
    for (size_t k = 0; k < nw; k++)
        assert_int_equal(got[k], want[k]);
    group_close(all_again);
    group_close(again);
    group_close(ref);
}

static void test_other_process_changes_reach_the_stream(void **state)
{
    (void)state;
    hf_test_server *peer = ts_start_peer(ts);
    assert_non_null(peer);
    ts_product(ts, "st-PEER", 400, 20);
    char id[64], number[32];
    place("st-PEER", id, sizeof(id), number, sizeof(number));
    quiet();
    char path[128];
    snprintf(path, sizeof(path), "/v1/orders/%s/stream", id);
    sse_group *here = group_open(path, ts->agent_key, NULL, 1);
    hf_test_server *saved = ts;
    ts = peer; /* group_open connects to ts */
    sse_group *there = group_open(path, peer->agent_key, NULL, 1);
    ts = saved;

    static const char *const steps[] = {"confirmed", "allocated", "picking",
                                        "packed"};
    for (size_t k = 1; k < 4; k++) {
        /* alternate: through the peer, then through the first */
        hf_test_server *via = k % 2 ? peer : ts;
        long long before = ts_now_ms();
        assert_int_equal(transition_via(via, id, steps[k]), 200);
        bool a = wait_events(here, 0, k, DEADLINE_MS);
        bool b = wait_events(there, 0, k, DEADLINE_MS);
        if (!a || !b) {
            print_events(here, 0, "first process");
            print_events(there, 0, "peer process");
        }
        assert_true(a && b);
        sse_event e1 = event_at(here, 0, k - 1), e2 = event_at(there, 0, k - 1);
        assert_true(e1.at_ms - before < DEADLINE_MS);
        assert_true(e2.at_ms - before < DEADLINE_MS);
        assert_status_event(&e1, id, number, steps[k - 1], steps[k]);
        assert_int_equal(e1.id, e2.id);
    }
    group_close(there);
    group_close(here);
    ts_free(peer);
}

static void test_two_hundred_streams_all_get_the_event(void **state)
{
    (void)state;
    ts_product(ts, "st-MANY", 300, 20);
    char id[64], number[32];
    place("st-MANY", id, sizeof(id), number, sizeof(number));
    quiet();
    char path[128];
    snprintf(path, sizeof(path), "/v1/orders/%s/stream", id);
    double base = ts_metric(ts, "holdfast_sse_streams");
    sse_group *order_streams = group_open(path, ts->agent_key, NULL, 100);
    sse_group *all_streams = group_open("/v1/stream", ts->agent_key, NULL, 100);
    for (size_t i = 0; i < 100; i++) {
        assert_int_equal(order_streams->streams[i].status, 200);
        assert_int_equal(all_streams->streams[i].status, 200);
    }
    assert_true(ts_metric(ts, "holdfast_sse_streams") >= base + 200);

    /* 200 idle streams cost the server nothing: suspended, not polled */
    double cpu = server_cpu_seconds();
    ts_sleep_ms(2000);
    cpu = server_cpu_seconds() - cpu;
    fprintf(stderr, "200 idle streams: %.2f s of server CPU in 2 s\n", cpu);
    assert_true(cpu < 0.2);

    long long before = ts_now_ms();
    assert_int_equal(transition_via(ts, id, "allocated"), 200);
    bool a = wait_events(order_streams, SIZE_MAX, 1, DEADLINE_MS);
    bool b = wait_events(all_streams, SIZE_MAX, 1, DEADLINE_MS);
    assert_true(a && b);
    long long worst = 0;
    for (size_t i = 0; i < 100; i++) {
        sse_event e = event_at(order_streams, i, 0);
        assert_status_event(&e, id, number, "confirmed", "allocated");
        sse_event f = event_at(all_streams, i, 0);
        assert_int_equal(f.id, e.id);
        worst = e.at_ms - before > worst ? e.at_ms - before : worst;
        worst = f.at_ms - before > worst ? f.at_ms - before : worst;
    }
    fprintf(stderr,
            "200 streams: the last got the event %lld ms after the "
            "request\n",
            worst);
    assert_true(worst < DEADLINE_MS);

    /* clients that go away are forgotten at the next event */
    group_close(order_streams);
    group_close(all_streams);
    assert_int_equal(transition_via(ts, id, "picking"), 200);
    double left = wait_metric("holdfast_sse_streams", base, false, 5000);
    if (left > base)
        fprintf(stderr, "%g streams still open, %g before\n", left, base);
    assert_true(left <= base);
}

/* On PostgreSQL an event id is taken before commit: a transaction that
 * took a smaller id and commits after a larger one must still be streamed,
 * once. The late transaction here is written straight to the database. */
static void test_late_commit_is_streamed_once(void **state)
{
    (void)state;
    if (strncmp(ts->db, "postgresql:", 11) != 0)
        skip(); /* SQLite commits one writer at a time, in id order */
    ts_product(ts, "st-LATE", 100, 5);
    char id[64], number[32];
    place("st-LATE", id, sizeof(id), number, sizeof(number));
    quiet();
    sse_group *g = group_open("/v1/stream", ts->agent_key, NULL, 1);

    PGconn *pg = PQconnectdb(ts->db);
    assert_int_equal(PQstatus(pg), CONNECTION_OK);
    PGresult *r = PQexec(pg, "BEGIN");
    assert_int_equal(PQresultStatus(r), PGRES_COMMAND_OK);
    PQclear(r);
    char sql[512];
    snprintf(sql, sizeof(sql),
             "INSERT INTO order_events (order_seq, seq, at, type, actor) "
             "VALUES (%s, 1000, 0, 'late_note', 'test') RETURNING id",
             strchr(number, '-') + 1);
    r = PQexec(pg, sql);
    if (PQresultStatus(r) != PGRES_TUPLES_OK)
        fail_msg("%s: %s", sql, PQerrorMessage(pg));
    long long late = atoll(PQgetvalue(r, 0, 0));
    PQclear(r);

    /* a later id commits first, through the API */
    assert_int_equal(transition_via(ts, id, "allocated"), 200);
    assert_true(wait_events(g, 0, 1, DEADLINE_MS));
    assert_true(event_at(g, 0, 0).id > late);

    long long before = ts_now_ms();
    r = PQexec(pg, "NOTIFY holdfast_events; COMMIT");
    assert_int_equal(PQresultStatus(r), PGRES_COMMAND_OK);
    PQclear(r);
    PQfinish(pg);
    bool came = wait_events(g, 0, 2, DEADLINE_MS);
    if (!came)
        print_events(g, 0, "after the late commit");
    assert_true(came);
    sse_event e = event_at(g, 0, 1);
    assert_int_equal(e.id, late);
    assert_string_equal(e.type, "late_note");
    assert_string_equal(ts_str(e.json, "order_id"), id);
    assert_true(e.at_ms - before < DEADLINE_MS);
    /* and only once, though the feed reads that window again */
    assert_int_equal(transition_via(ts, id, "picking"), 200);
    assert_true(wait_events(g, 0, 3, DEADLINE_MS));
    ts_sleep_ms(600);
    assert_int_equal(count(g, 0), 3);
    group_close(g);
}

/* A client that opens a stream and never reads it. */
static int stalled_client(int port, const char *key)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(fd >= 0);
    int small = 4096;
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof(small));
    struct sockaddr_in a;
    memset(&a, 0, sizeof(a));
    a.sin_family = AF_INET;
    a.sin_port = htons((uint16_t)port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(connect(fd, (struct sockaddr *)&a, sizeof(a)), 0);
    char req[512];
    int n = snprintf(req, sizeof(req),
                     "GET /v1/stream HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                     "Authorization: Bearer %s\r\n\r\n",
                     key);
    assert_int_equal(write(fd, req, (size_t)n), n);
    return fd;
}

typedef struct busy_worker {
    char sku[32];
    int orders;
    int failures;
} busy_worker;

/* Places orders and walks each through its life: 7 events per order. */
static void *make_events(void *arg)
{
    busy_worker *w = arg;
    static const char *const steps[] = {"allocated", "picking", "packed",
                                        "shipped", "delivered"};
    for (int i = 0; i < w->orders; i++) {
        long st = 0;
        json_t *o = ts_order(ts, w->sku, 1, NULL, &st);
        if (st != 201) {
            w->failures++;
            json_decref(o);
            continue;
        }
        char id[64];
        snprintf(id, sizeof(id), "%s", ts_str(o, "id"));
        json_decref(o);
        for (size_t k = 0; k < 5; k++)
            w->failures += transition_via(ts, id, steps[k]) != 200;
    }
    return NULL;
}

static void test_stalled_client_is_cut_off_alone(void **state)
{
    (void)state;
    double dropped = ts_metric(ts, "holdfast_sse_streams_dropped_total");
    int stalled = stalled_client(ts->port, ts->agent_key);
    sse_group *g = group_open("/v1/stream", ts->agent_key, NULL, 1);
    /* enough events to fill the stalled stream's queue and the socket
     * buffers in front of it */
    enum { WORKERS = 4, ORDERS = 80 };
    busy_worker w[WORKERS];
    pthread_t th[WORKERS];
    for (int i = 0; i < WORKERS; i++) {
        snprintf(w[i].sku, sizeof(w[i].sku), "st-BUSY%d", i);
        w[i].orders = ORDERS;
        w[i].failures = 0;
        ts_product(ts, w[i].sku, 100, ORDERS);
    }
    for (int i = 0; i < WORKERS; i++)
        assert_int_equal(pthread_create(&th[i], NULL, make_events, &w[i]), 0);
    for (int i = 0; i < WORKERS; i++) {
        pthread_join(th[i], NULL);
        assert_int_equal(w[i].failures, 0);
    }
    size_t total = WORKERS * ORDERS * 7;
    /* the reading client got every event, promptly */
    bool all = wait_events(g, 0, total, 5000);
    if (!all)
        fprintf(stderr, "reader got %zu of %zu events\n", count(g, 0), total);
    assert_true(all);
    assert_true(ts_metric(ts, "holdfast_sse_streams_dropped_total") >=
                dropped + 1);
    /* the stalled one reads what was in flight, then the end */
    char buf[65536];
    ssize_t n;
    size_t bytes = 0;
    struct timeval tv = {10, 0};
    setsockopt(stalled, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    while ((n = read(stalled, buf, sizeof(buf))) > 0)
        bytes += (size_t)n;
    assert_int_equal(n, 0); /* closed by the server, not timed out */
    fprintf(stderr, "the stalled client had %zu bytes in flight\n", bytes);
    close(stalled);
    group_close(g);
}

/* Last: stops the server with streams open. */
static void test_server_stops_with_streams_open(void **state)
{
    (void)state;
    ts_product(ts, "st-STOP", 100, 5);
    char id[64];
    place("st-STOP", id, sizeof(id), NULL, 0);
    char path[128];
    snprintf(path, sizeof(path), "/v1/orders/%s/stream", id);
    sse_group *one = group_open(path, ts->agent_key, NULL, 3);
    sse_group *all = group_open("/v1/stream", ts->agent_key, NULL, 3);
    long long before = ts_now_ms();
    assert_int_equal(ts_stop(ts), 0);
    long long took = ts_now_ms() - before;
    fprintf(stderr, "stopped in %lld ms with 6 streams open\n", took);
    assert_true(took < 5000);
    wait_ended(one);
    wait_ended(all);
    /* a clean end of the body, not a broken connection */
    for (size_t i = 0; i < 3; i++) {
        assert_int_equal(one->streams[i].result, CURLE_OK);
        assert_int_equal(all->streams[i].result, CURLE_OK);
    }
    group_close(one);
    group_close(all);
}

/* A delay found by a carrier event reaches the customer's stream at once,
 * with the ETA that caused it. */
static void test_delay_reaches_the_stream_at_once(void **state)
{
    (void)state;
    ts_product(ts, "st-DELAY", 1500, 20);
    char id[64], number[32];
    place("st-DELAY", id, sizeof(id), number, sizeof(number));
    long st = 0;
    json_t *sh = ts_post(ts,
                         json_pack("{s:s, s:s}", "carrier", "ups",
                                   "tracking_number", "1ZSTREAMLATE"),
                         &st, "/v1/orders/%s/shipments", id);
    ts_assert_status(st, 201, sh);
    char shipment[64];
    snprintf(shipment, sizeof(shipment), "%s", ts_str(sh, "id"));
    json_decref(sh);
    quiet();

    char path[128];
    snprintf(path, sizeof(path), "/v1/orders/%s/stream", id);
    sse_group *g = group_open(path, ts->agent_key, NULL, 1);
    char now_text[32], later[32];
    time_t now = time(NULL), far = now + 20 * 86400;
    strftime(now_text, sizeof(now_text), "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
    strftime(later, sizeof(later), "%Y-%m-%dT%H:%M:%SZ", gmtime(&far));
    long long before = ts_now_ms();
    json_t *r =
        ts_post(ts,
                json_pack("{s:s, s:s, s:s}", "status", "in_transit", "time",
                          now_text, "estimated_delivery", later),
                &st, "/v1/shipments/%s/events", shipment);
    ts_assert_status(st, 201, r);
    json_decref(r);
    /* status, ETA and delay: three entries, the delay among them */
    bool came = wait_events(g, 0, 3, DEADLINE_MS);
    if (!came)
        print_events(g, 0, "missing delay");
    assert_true(came);
    bool delayed = false;
    for (size_t k = 0; k < count(g, 0); k++) {
        sse_event e = event_at(g, 0, k);
        if (strcmp(e.type, "shipment_delayed") != 0)
            continue;
        delayed = true;
        assert_true(e.at_ms - before < DEADLINE_MS);
        assert_string_equal(ts_str(e.json, "reason"), "eta_after_promise");
        json_t *data = json_object_get(e.json, "data");
        assert_string_equal(ts_str(data, "expected"), later);
    }
    assert_true(delayed);
    group_close(g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_refused_without_key_or_order),
        cmocka_unit_test(test_order_stream_gets_its_changes_in_time),
        cmocka_unit_test(test_delay_reaches_the_stream_at_once),
        cmocka_unit_test(test_all_stream_gets_every_order),
        cmocka_unit_test(test_last_event_id_resumes_without_loss),
        cmocka_unit_test(test_other_process_changes_reach_the_stream),
        cmocka_unit_test(test_two_hundred_streams_all_get_the_event),
        cmocka_unit_test(test_late_commit_is_streamed_once),
        cmocka_unit_test(test_stalled_client_is_cut_off_alone),
        cmocka_unit_test(test_server_stops_with_streams_open),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
