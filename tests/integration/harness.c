/*
 * harness.c - spawns `holdfast serve` for integration tests and drives it
 * over HTTP with libcurl. See harness.h.
 *
 * Processes are started with fork + execv rather than posix_spawn because
 * the child must redirect its output and ask to die with its parent
 * (PR_SET_PDEATHSIG), so that a test killed by a ctest timeout leaves no
 * server behind.
 */
#include "harness.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libpq-fe.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdbool.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

enum {
    REQUEST_TIMEOUT_MS = 60000, /* a whole request; generous for ASan */
    HEALTH_TIMEOUT_MS = 10000,  /* the server must answer /healthz by then */
    MAX_BODY = 256 << 20,       /* cap on a response body we keep */
    MAX_HEADERS = 64 << 10,     /* cap on the response headers we keep */
};

static int curl_users; /* ts_start calls not yet matched by ts_free */

/* ---------------------------------------------------------------------- */
/* small utilities                                                         */

long long ts_now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

void ts_sleep_ms(long ms)
{
    struct timespec t = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&t, &t) != 0 && errno == EINTR)
        ;
}

/* Removes path and, for a directory, everything under it. Returns 0 or -1. */
static int rm_tree(const char *path)
{
    struct stat st;
    if (lstat(path, &st) != 0)
        return errno == ENOENT ? 0 : -1;
    if (!S_ISDIR(st.st_mode))
        return unlink(path);
    DIR *d = opendir(path);
    if (d == NULL)
        return -1;
    int rc = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        char sub[PATH_MAX];
        int n = snprintf(sub, sizeof sub, "%s/%s", path, e->d_name);
        if (n < 0 || (size_t)n >= sizeof sub || rm_tree(sub) != 0)
            rc = -1;
    }
    closedir(d);
    if (rmdir(path) != 0)
        rc = -1;
    return rc;
}

/* A free loopback TCP port (bind to port 0, read it, close), or -1. */
static int free_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        return -1;
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = 0;
    socklen_t len = sizeof a;
    int port = -1;
    if (bind(fd, (struct sockaddr *)&a, sizeof a) == 0 &&
        getsockname(fd, (struct sockaddr *)&a, &len) == 0)
        port = ntohs(a.sin_port);
    close(fd);
    return port;
}

void ts_dump_log(const hf_test_server *ts, const char *why)
{
    fprintf(stderr, "---- %s; tail of %s ----\n", why, ts->log);
    FILE *f = fopen(ts->log, "r");
    if (f == NULL) {
        fprintf(stderr, "(cannot open the log: %s)\n", strerror(errno));
        return;
    }
    if (fseek(f, 0, SEEK_END) == 0) {
        long end = ftell(f);
        if (end > 8192)
            fseek(f, end - 8192, SEEK_SET);
        else
            fseek(f, 0, SEEK_SET);
    }
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0)
        fwrite(buf, 1, n, stderr);
    fclose(f);
    fprintf(stderr, "---- end of server log ----\n");
}

/* ---------------------------------------------------------------------- */
/* child processes                                                         */

/* In a freshly forked child: die with the parent, read nothing, write
 * standard output to out_fd (or the log) and standard error to the log,
 * then exec argv. Never returns. */
static void exec_child(const char *log, int out_fd, char *const argv[])
{
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    int null_fd = open("/dev/null", O_RDONLY);
    int log_fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (null_fd < 0 || log_fd < 0)
        _exit(126);
    dup2(null_fd, 0);
    dup2(out_fd >= 0 ? out_fd : log_fd, 1);
    dup2(log_fd, 2);
    execv(argv[0], argv);
    dprintf(2, "harness: cannot exec %s: %s\n", argv[0], strerror(errno));
    _exit(127);
}

/* Runs argv to completion with standard output captured into out (NUL
 * terminated, truncated to outsz) and standard error appended to the log.
 * Returns the exit status, or -1 when it did not exit normally. */
static int run_capture(const hf_test_server *ts, char *const argv[], char *out,
                       size_t outsz)
{
    int p[2];
    if (pipe(p) != 0)
        return -1;
    pid_t pid = fork();
    if (pid < 0) {
        close(p[0]);
        close(p[1]);
        return -1;
    }
    if (pid == 0) {
        close(p[0]);
        exec_child(ts->log, p[1], argv);
    }
    close(p[1]);
    size_t len = 0;
    for (;;) {
        char buf[512];
        ssize_t n = read(p[0], buf, sizeof buf);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        for (ssize_t i = 0; i < n; i++)
            if (len + 1 < outsz)
                out[len++] = buf[i];
    }
    out[len] = '\0';
    close(p[0]);
    int st;
    while (waitpid(pid, &st, 0) < 0)
        if (errno != EINTR)
            return -1;
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* `holdfast keys create --db DB --role ROLE` into key. Returns 0 or -1. */
static int create_key(hf_test_server *ts, const char *role, char *key,
                      size_t keysz)
{
    char *argv[] = {ts->bin, "keys",   "create",     "--db",
                    ts->db,  "--role", (char *)role, NULL};
    char out[1024];
    int rc = run_capture(ts, argv, out, sizeof out);
    /* The key is alone on one line: strip the surrounding white space. */
    char *s = out;
    while (isspace((unsigned char)*s))
        s++;
    size_t n = strlen(s);
    while (n > 0 && isspace((unsigned char)s[n - 1]))
        s[--n] = '\0';
    if (rc != 0 || n == 0 || n >= keysz || strchr(s, '\n') != NULL) {
        fprintf(stderr,
                "harness: keys create --role %s exited %d with \"%s\"\n", role,
                rc, out);
        return -1;
    }
    memcpy(key, s, n + 1);
    return 0;
}

static int http_status(hf_test_server *ts, const char *path, long timeout_ms);

/* Starts `holdfast serve` on a new free port and waits for /healthz. */
static int spawn_server(hf_test_server *ts)
{
    ts->port = free_port();
    if (ts->port < 0) {
        fprintf(stderr, "harness: no free port: %s\n", strerror(errno));
        return -1;
    }
    snprintf(ts->base_url, sizeof ts->base_url, "http://127.0.0.1:%d",
             ts->port);
    char listen[32];
    snprintf(listen, sizeof listen, "127.0.0.1:%d", ts->port);
    char *argv[] = {ts->bin, "serve",    "--db",     ts->db, "--listen",
                    listen,  "--config", ts->config, NULL};
    if (ts->config[0] == '\0')
        argv[6] = NULL; /* no settings file */
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0)
        exec_child(ts->log, -1, argv);
    ts->pid = pid;

    long long deadline = ts_now_ms() + HEALTH_TIMEOUT_MS;
    while (ts_now_ms() < deadline) {
        int st;
        if (waitpid(pid, &st, WNOHANG) == pid) {
            ts->pid = 0;
            fprintf(stderr, "harness: holdfast serve exited (status 0x%x)\n",
                    (unsigned)st);
            ts_dump_log(ts, "server died while starting");
            return -1;
        }
        if (http_status(ts, "/healthz", 1000) == 200)
            return 0;
        ts_sleep_ms(50);
    }
    ts_dump_log(ts, "server did not answer GET /healthz with 200 in 10 s");
    ts_kill9(ts);
    return -1;
}

/*
 * With HF_TEST_PG_HOST and HF_TEST_PG_PORT set (the private cluster that
 * tests/integration/pg-cluster starts), the server gets a fresh PostgreSQL
 * database instead of a SQLite file: the same suite runs on both backends.
 * Returns the length of the URL written to ts->db, 0 when PostgreSQL is
 * not asked for, -1 on failure.
 */
static int pg_database(hf_test_server *ts)
{
    const char *host = getenv("HF_TEST_PG_HOST");
    const char *port = getenv("HF_TEST_PG_PORT");
    if (host == NULL || port == NULL || *host == '\0')
        return 0;
    char conninfo[512], name[64], sql[128];
    snprintf(conninfo, sizeof conninfo,
             "host=%s port=%s user=holdfast dbname=postgres", host, port);
    /* the temp dir's unique suffix names the database */
    snprintf(name, sizeof name, "it_%s", strrchr(ts->dir, '-') + 1);
    for (char *p = name; *p; p++)
        *p = (char)tolower((unsigned char)*p);
    PGconn *pg = PQconnectdb(conninfo);
    if (PQstatus(pg) != CONNECTION_OK) {
        fprintf(stderr, "harness: cannot reach PostgreSQL: %s",
                PQerrorMessage(pg));
        PQfinish(pg);
        return -1;
    }
    snprintf(sql, sizeof sql, "CREATE DATABASE %s", name);
    PGresult *res = PQexec(pg, sql);
    int ok = PQresultStatus(res) == PGRES_COMMAND_OK;
    if (!ok)
        fprintf(stderr, "harness: %s: %s", sql, PQerrorMessage(pg));
    PQclear(res);
    PQfinish(pg);
    if (!ok)
        return -1;
    return snprintf(ts->db, sizeof ts->db,
                    "postgresql:///%s?host=%s&port=%s&user=holdfast", name,
                    host, port);
}

hf_test_server *ts_start(void)
{
    /* messages stay in the outbox: a notification joins the order's
     * timeline when sent, and most tests count timeline entries;
     * test_notify starts servers that send */
    return ts_start_with_config("[notify]\nenabled = false\n");
}

hf_test_server *ts_start_with_config(const char *ini)
{
    const char *bin = getenv("HOLDFAST_BIN");
    if (bin == NULL || *bin == '\0') {
        fprintf(stderr, "harness: HOLDFAST_BIN is not set\n");
        return NULL;
    }
    if (access(bin, X_OK) != 0) {
        fprintf(stderr, "harness: %s: %s\n", bin, strerror(errno));
        return NULL;
    }
    hf_test_server *ts = calloc(1, sizeof *ts);
    if (ts == NULL)
        return NULL;
    if (curl_users++ == 0 && curl_global_init(CURL_GLOBAL_ALL) != 0) {
        fprintf(stderr, "harness: curl_global_init failed\n");
        curl_users--;
        free(ts);
        return NULL;
    }
    snprintf(ts->bin, sizeof ts->bin, "%s", bin);
    const char *tmp = getenv("TMPDIR");
    if (tmp == NULL || *tmp == '\0')
        tmp = "/tmp";
    snprintf(ts->dir, sizeof ts->dir, "%s/holdfast-it-XXXXXX", tmp);
    if (mkdtemp(ts->dir) == NULL) {
        fprintf(stderr, "harness: mkdtemp %s: %s\n", ts->dir, strerror(errno));
        ts->dir[0] = '\0';
        ts_free(ts);
        return NULL;
    }
    if (ini != NULL) {
        snprintf(ts->config, sizeof ts->config, "%s/holdfast.ini", ts->dir);
        FILE *f = fopen(ts->config, "w");
        /* Tests drive many identical orders from one shopper in seconds:
         * to the screen that is a duplicate and a velocity burst, and
         * every order would wait for review. Unless a test configures
         * screening itself, duplicates are not looked for and velocity
         * limits are out of reach; every other rule stays on. */
        static const char test_traffic[] =
            "\n[validation]\nduplicate_window_minutes = 0\n"
            "[fraud]\nemail_per_hour = 1000000\nemail_per_day = 1000000\n"
            "payment_per_hour = 1000000\npayment_per_day = 1000000\n"
            "ip_per_hour = 1000000\nip_per_day = 1000000\n"
            "address_per_hour = 1000000\naddress_per_day = 1000000\n";
        bool own = strstr(ini, "[fraud]") || strstr(ini, "[validation]");
        if (f != NULL && !own && fputs(test_traffic, f) < 0) {
            fclose(f);
            f = NULL;
        }
        if (f == NULL || fputs(ini, f) < 0) {
            fprintf(stderr, "harness: cannot write %s\n", ts->config);
            if (f != NULL)
                fclose(f);
            ts_free(ts);
            return NULL;
        }
        fclose(f);
    }
    int n1 = pg_database(ts);
    if (n1 == 0)
        n1 = snprintf(ts->db, sizeof ts->db, "%s/t.db", ts->dir);
    int n2 = snprintf(ts->log, sizeof ts->log, "%s/server.log", ts->dir);
    if (n1 < 0 || (size_t)n1 >= sizeof ts->db || n2 < 0 ||
        (size_t)n2 >= sizeof ts->log) {
        fprintf(stderr, "harness: %s is too long a path\n", ts->dir);
        ts_free(ts);
        return NULL;
    }

    char out[1024];
    char *init[] = {ts->bin, "init", "--db", ts->db, NULL};
    int rc = run_capture(ts, init, out, sizeof out);
    if (rc != 0) {
        fprintf(stderr, "harness: holdfast init exited %d\n", rc);
        ts_dump_log(ts, "holdfast init failed");
        ts_free(ts);
        return NULL;
    }
    if (create_key(ts, "admin", ts->admin_key, sizeof ts->admin_key) != 0 ||
        create_key(ts, "agent", ts->agent_key, sizeof ts->agent_key) != 0 ||
        create_key(ts, "service", ts->service_key, sizeof ts->service_key) !=
            0) {
        ts_dump_log(ts, "holdfast keys create failed");
        ts_free(ts);
        return NULL;
    }
    if (spawn_server(ts) != 0) {
        ts_free(ts);
        return NULL;
    }
    return ts;
}

hf_test_server *ts_start_peer(const hf_test_server *ts)
{
    static int peers;
    hf_test_server *peer = malloc(sizeof *peer);
    if (peer == NULL)
        return NULL;
    *peer = *ts;
    peer->pid = 0;
    int n = snprintf(peer->log, sizeof peer->log, "%s/peer-%d.log", ts->dir,
                     ++peers);
    peer->dir[0] = '\0'; /* the first server's directory: not ours */
    curl_users++;
    if (n < 0 || (size_t)n >= sizeof peer->log || spawn_server(peer) != 0) {
        ts_free(peer);
        return NULL;
    }
    return peer;
}

int ts_restart(hf_test_server *ts)
{
    if (ts->pid > 0)
        ts_stop(ts);
    return spawn_server(ts);
}

void ts_kill9(hf_test_server *ts)
{
    if (ts->pid <= 0)
        return;
    kill(ts->pid, SIGKILL);
    while (waitpid(ts->pid, NULL, 0) < 0 && errno == EINTR)
        ;
    ts->pid = 0;
}

int ts_stop(hf_test_server *ts)
{
    if (ts->pid <= 0)
        return -1;
    kill(ts->pid, SIGTERM);
    long long deadline = ts_now_ms() + 10000;
    int st = 0;
    pid_t got = 0;
    while ((got = waitpid(ts->pid, &st, WNOHANG)) == 0 &&
           ts_now_ms() < deadline)
        ts_sleep_ms(20);
    if (got != ts->pid) {
        fprintf(stderr, "harness: server ignored SIGTERM for 10 s\n");
        ts_kill9(ts);
        return -1;
    }
    ts->pid = 0;
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

void ts_free(hf_test_server *ts)
{
    if (ts == NULL)
        return;
    ts_stop(ts);
    if (ts->dir[0] != '\0') {
        const char *keep = getenv("HF_KEEP_TMP");
        if (keep != NULL && *keep != '\0' && strcmp(keep, "0") != 0)
            fprintf(stderr, "harness: kept %s\n", ts->dir);
        else if (rm_tree(ts->dir) != 0)
            fprintf(stderr, "harness: cannot remove %s\n", ts->dir);
    }
    free(ts);
    if (curl_users > 0 && --curl_users == 0)
        curl_global_cleanup();
}

/* ---------------------------------------------------------------------- */
/* HTTP                                                                    */

typedef struct buf {
    char *p;    /* the bytes, NUL-terminated once anything was added */
    size_t len; /* bytes held */
    size_t cap; /* bytes allocated */
    size_t max; /* refuse to grow beyond this */
} buf;

static int buf_add(buf *b, const char *s, size_t n)
{
    if (b->len + n + 1 > b->max)
        return -1;
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 1024;
        while (cap < b->len + n + 1)
            cap *= 2;
        char *p = realloc(b->p, cap);
        if (p == NULL)
            return -1;
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
    return 0;
}

static size_t on_body(char *data, size_t size, size_t n, void *ud)
{
    return buf_add(ud, data, size * n) == 0 ? size * n : 0;
}

static size_t on_header(char *data, size_t size, size_t n, void *ud)
{
    buf *b = ud;
    /* Keep only the headers of the last response (not of a 100 Continue). */
    if (size * n >= 5 && memcmp(data, "HTTP/", 5) == 0)
        b->len = 0;
    return buf_add(b, data, size * n) == 0 ? size * n : 0;
}

static int do_request(hf_test_server *ts, const char *method, const char *path,
                      const char *key, const char *idem, const char *body,
                      size_t body_len, const char *content_type,
                      long timeout_ms, ts_response *out)
{
    memset(out, 0, sizeof *out);
    CURL *h = curl_easy_init();
    if (h == NULL)
        return -1;
    char url[4096];
    snprintf(url, sizeof url, "%s%s", ts->base_url, path);
    buf b = {NULL, 0, 0, MAX_BODY};
    buf hd = {NULL, 0, 0, MAX_HEADERS};
    struct curl_slist *hl = NULL;
    char line[1024];
    if (key != NULL) {
        snprintf(line, sizeof line, "Authorization: Bearer %s", key);
        hl = curl_slist_append(hl, line);
    }
    if (idem != NULL) {
        snprintf(line, sizeof line, "Idempotency-Key: %s", idem);
        hl = curl_slist_append(hl, line);
    }
    if (body != NULL) {
        snprintf(line, sizeof line, "Content-Type: %s",
                 content_type ? content_type : "application/json");
        hl = curl_slist_append(hl, line);
    }
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_PROXY, "");
    curl_easy_setopt(h, CURLOPT_NOPROXY, "*");
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, timeout_ms);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, 5000L);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &b);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, &hd);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hl);
    if (strcmp(method, "GET") == 0) {
        curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
    } else {
        if (strcmp(method, "POST") == 0)
            curl_easy_setopt(h, CURLOPT_POST, 1L);
        else
            curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
        if (body != NULL || strcmp(method, "POST") == 0) {
            curl_easy_setopt(h, CURLOPT_POSTFIELDS, body ? body : "");
            curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE,
                             (curl_off_t)(body ? body_len : 0));
        }
    }
    CURLcode cc = curl_easy_perform(h);
    long status = 0;
    if (cc == CURLE_OK)
        curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    curl_slist_free_all(hl);
    curl_easy_cleanup(h);

    out->status = status;
    out->body = b.p ? b.p : calloc(1, 1);
    out->body_len = b.len;
    out->headers = hd.p ? hd.p : calloc(1, 1);
    if (cc == CURLE_OK && b.len > 0)
        out->json = json_loadb(b.p, b.len, 0, NULL);
    return cc == CURLE_OK ? 0 : -1;
}

/* The status of GET path without a key, or 0 when no answer came. */
static int http_status(hf_test_server *ts, const char *path, long timeout_ms)
{
    ts_response r;
    do_request(ts, "GET", path, NULL, NULL, NULL, 0, NULL, timeout_ms, &r);
    int st = (int)r.status;
    ts_response_free(&r);
    return st;
}

int ts_request_raw(hf_test_server *ts, const char *method, const char *path,
                   const char *key, const char *idempotency_key,
                   const char *body, size_t body_len, const char *content_type,
                   ts_response *out)
{
    return do_request(ts, method, path, key, idempotency_key, body, body_len,
                      content_type, REQUEST_TIMEOUT_MS, out);
}

void ts_response_free(ts_response *r)
{
    free(r->body);
    free(r->headers);
    json_decref(r->json);
    memset(r, 0, sizeof *r);
}

char *ts_header(const ts_response *r, const char *name)
{
    size_t nlen = strlen(name);
    const char *p = r->headers;
    while (p != NULL && *p != '\0') {
        const char *eol = strchr(p, '\n');
        size_t len = eol ? (size_t)(eol - p) : strlen(p);
        if (len > nlen && p[nlen] == ':' && strncasecmp(p, name, nlen) == 0) {
            const char *v = p + nlen + 1;
            const char *end = p + len;
            while (v < end && isspace((unsigned char)*v))
                v++;
            while (end > v && isspace((unsigned char)end[-1]))
                end--;
            char *s = malloc((size_t)(end - v) + 1);
            if (s != NULL) {
                memcpy(s, v, (size_t)(end - v));
                s[end - v] = '\0';
            }
            return s;
        }
        p = eol ? eol + 1 : NULL;
    }
    return NULL;
}

int ts_request(hf_test_server *ts, const char *method, const char *path,
               const char *key, const char *idempotency_key,
               const char *body_json_text, long *status, json_t **response)
{
    ts_response r;
    int rc = do_request(ts, method, path, key, idempotency_key, body_json_text,
                        body_json_text ? strlen(body_json_text) : 0, NULL,
                        REQUEST_TIMEOUT_MS, &r);
    if (status != NULL)
        *status = r.status;
    if (response != NULL) {
        *response = r.json;
        r.json = NULL;
    }
    ts_response_free(&r);
    return rc;
}

/* Formats a path; aborts on overflow, which is a bug in the test. */
static void vpath(char *path, size_t size, const char *fmt, va_list ap)
{
    int n = vsnprintf(path, size, fmt, ap);
    if (n < 0 || (size_t)n >= size) {
        fprintf(stderr, "harness: path too long: %s\n", fmt);
        abort();
    }
}

static json_t *get_v(hf_test_server *ts, const char *key, long *status,
                     const char *fmt, va_list ap)
{
    char path[2048];
    vpath(path, sizeof path, fmt, ap);
    json_t *res = NULL;
    ts_request(ts, "GET", path, key, NULL, NULL, status, &res);
    return res;
}

json_t *ts_get(hf_test_server *ts, long *status, const char *path_fmt, ...)
{
    va_list ap;
    va_start(ap, path_fmt);
    json_t *res = get_v(ts, ts->admin_key, status, path_fmt, ap);
    va_end(ap);
    return res;
}

json_t *ts_get_as(hf_test_server *ts, const char *key, long *status,
                  const char *path_fmt, ...)
{
    va_list ap;
    va_start(ap, path_fmt);
    json_t *res = get_v(ts, key, status, path_fmt, ap);
    va_end(ap);
    return res;
}

static json_t *post_v(hf_test_server *ts, const char *key, const char *idem,
                      json_t *body, long *status, const char *fmt, va_list ap)
{
    char path[2048];
    vpath(path, sizeof path, fmt, ap);
    char *text = NULL;
    if (body != NULL) {
        text = json_dumps(body, JSON_COMPACT);
        json_decref(body);
        if (text == NULL) {
            fprintf(stderr, "harness: cannot serialise the body\n");
            abort();
        }
    }
    json_t *res = NULL;
    ts_request(ts, "POST", path, key, idem, text, status, &res);
    free(text);
    return res;
}

json_t *ts_post(hf_test_server *ts, json_t *body, long *status,
                const char *path_fmt, ...)
{
    va_list ap;
    va_start(ap, path_fmt);
    json_t *res = post_v(ts, ts->admin_key, NULL, body, status, path_fmt, ap);
    va_end(ap);
    return res;
}

json_t *ts_post_as(hf_test_server *ts, const char *key,
                   const char *idempotency_key, json_t *body, long *status,
                   const char *path_fmt, ...)
{
    va_list ap;
    va_start(ap, path_fmt);
    json_t *res = post_v(ts, key, idempotency_key, body, status, path_fmt, ap);
    va_end(ap);
    return res;
}

/* ---------------------------------------------------------------------- */
/* reading answers                                                         */

const char *ts_err_code(const json_t *body)
{
    const char *s = json_string_value(
        json_object_get(json_object_get(body, "error"), "code"));
    return s ? s : "";
}

const char *ts_err_field(const json_t *body)
{
    const char *s = json_string_value(
        json_object_get(json_object_get(body, "error"), "field"));
    return s ? s : "";
}

const char *ts_str(const json_t *obj, const char *key)
{
    const char *s = json_string_value(json_object_get(obj, key));
    return s ? s : "";
}

long long ts_int(const json_t *obj, const char *key)
{
    json_t *v = json_object_get(obj, key);
    return json_is_integer(v) ? (long long)json_integer_value(v) : LLONG_MIN;
}

long long ts_int2(const json_t *obj, const char *outer, const char *inner)
{
    return ts_int(json_object_get(obj, outer), inner);
}

void ts_print_json(const char *title, const json_t *body)
{
    char *s = body ? json_dumps(body, JSON_INDENT(2)) : NULL;
    fprintf(stderr, "%s: %s\n", title, s ? s : "(no JSON body)");
    free(s);
}

/* ---------------------------------------------------------------------- */
/* fixtures                                                                */

void ts_product(hf_test_server *ts, const char *sku, long price, long stock)
{
    long st = 0;
    char name[128];
    snprintf(name, sizeof name, "%s item", sku);
    json_t *res =
        ts_post(ts,
                json_pack("{s:s, s:s, s:I, s:s, s:i, s:s}", "sku", sku, "name",
                          name, "price", (json_int_t)price, "currency", "USD",
                          "cost", 0, "category", "test"),
                &st, "/v1/products");
    ts_assert_status(st, 201, res);
    assert_string_equal(ts_str(res, "sku"), sku);
    json_decref(res);
    if (stock == 0)
        return;
    res = ts_post(ts,
                  json_pack("{s:s, s:s, s:I, s:s}", "sku", sku, "location",
                            "main", "delta", (json_int_t)stock, "reason",
                            "received"),
                  &st, "/v1/inventory/adjustments");
    ts_assert_status(st, 201, res);
    json_decref(res);
}

void ts_inventory_view(hf_test_server *ts, const char *sku, long long *on_hand,
                       long long *reserved, long long *available)
{
    long st = 0;
    json_t *inv = ts_get(ts, &st, "/v1/inventory/%s", sku);
    ts_assert_status(st, 200, inv);
    if (on_hand != NULL)
        *on_hand = ts_int(inv, "on_hand");
    if (reserved != NULL)
        *reserved = ts_int(inv, "reserved");
    if (available != NULL)
        *available = ts_int(inv, "available");
    json_decref(inv);
}

void ts_assert_inventory(hf_test_server *ts, const char *sku, long long on_hand,
                         long long reserved, long long available)
{
    long long oh, re, av;
    ts_inventory_view(ts, sku, &oh, &re, &av);
    if (oh != on_hand || re != reserved || av != available)
        fprintf(stderr,
                "inventory of %s: on_hand %lld reserved %lld available %lld; "
                "expected %lld %lld %lld\n",
                sku, oh, re, av, on_hand, reserved, available);
    assert_int_equal(oh, on_hand);
    assert_int_equal(re, reserved);
    assert_int_equal(av, available);
}

json_t *ts_get_order(hf_test_server *ts, const char *id)
{
    long st = 0;
    json_t *o = ts_get(ts, &st, "/v1/orders/%s", id);
    if (st != 200)
        fprintf(stderr, "GET /v1/orders/%s answered %ld\n", id, st);
    ts_assert_status(st, 200, o);
    return o;
}

size_t ts_event_count(hf_test_server *ts, const char *id)
{
    long st = 0;
    json_t *ev = ts_get(ts, &st, "/v1/orders/%s/events", id);
    ts_assert_status(st, 200, ev);
    json_t *data = json_object_get(ev, "data");
    assert_true(json_is_array(data));
    size_t n = 0, i;
    json_t *e;
    json_array_foreach(data, i, e)
    {
        const char *type = json_string_value(json_object_get(e, "type"));
        n += type == NULL || strcmp(type, "customer_notified") != 0;
    }
    json_decref(ev);
    return n;
}

json_t *ts_transition(hf_test_server *ts, const char *id, const char *to)
{
    long st = 0;
    json_t *o = ts_post(ts, json_pack("{s:s}", "to", to), &st,
                        "/v1/orders/%s/transitions", id);
    ts_assert_status(st, 200, o);
    assert_string_equal(ts_str(o, "status"), to);
    return o;
}

/* ---------------------------------------------------------------------- */
/* builders and listings                                                   */

json_t *ts_order_body(const char *sku, long qty, json_t *extra)
{
    char email[160];
    size_t n = (size_t)snprintf(email, sizeof email, "buyer.");
    for (const char *s = sku; *s != '\0' && n + 16 < sizeof email; s++)
        email[n++] = (char)tolower((unsigned char)*s);
    snprintf(email + n, sizeof email - n, "@example.com");
    json_t *body = json_pack(
        "{s:{s:s, s:s, s:s}, s:[{s:s, s:I}],"
        " s:{s:s, s:s, s:s, s:s, s:s, s:s}, s:s, s:{s:s, s:s}}",
        "customer", "email", email, "name", "Ann Lee", "phone", "+15551234567",
        "lines", "sku", sku, "qty", (json_int_t)qty, "shipping_address", "name",
        "Ann Lee", "line1", "1 Main St", "city", "Springfield", "region", "IL",
        "postal_code", "62701", "country", "US", "shipping_method", "standard",
        "payment", "method", "card", "gateway", "manual");
    if (body == NULL)
        abort();
    if (extra != NULL) {
        json_object_update(body, extra);
        json_decref(extra);
    }
    return body;
}

json_t *ts_order(hf_test_server *ts, const char *sku, long qty, json_t *extra,
                 long *status)
{
    return ts_post_as(ts, ts->service_key, NULL, ts_order_body(sku, qty, extra),
                      status, "/v1/orders");
}

void ts_url_encode(const char *s, char *out, size_t outsz)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t n = 0;
    for (; *s != '\0'; s++) {
        unsigned char c = (unsigned char)*s;
        if (n + 4 >= outsz)
            abort();
        if (isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
            out[n++] = (char)c;
        } else {
            out[n++] = '%';
            out[n++] = hex[c >> 4];
            out[n++] = hex[c & 15];
        }
    }
    out[n] = '\0';
}

json_t *ts_list_orders(hf_test_server *ts, const char *query, size_t max_pages)
{
    json_t *all = json_array();
    json_t *seen = json_object(); /* cursors already followed */
    char cursor[1024] = "";
    for (size_t page = 0;; page++) {
        if (page >= max_pages) {
            fprintf(stderr, "harness: listing orders took over %zu pages\n",
                    max_pages);
            goto fail;
        }
        char path[1536];
        snprintf(path, sizeof path, "/v1/orders?limit=200%s%s%s%s",
                 query && *query ? "&" : "", query ? query : "",
                 *cursor ? "&cursor=" : "", cursor);
        long st = 0;
        json_t *res = NULL;
        ts_request(ts, "GET", path, ts->admin_key, NULL, NULL, &st, &res);
        json_t *data = json_object_get(res, "data");
        if (st != 200 || !json_is_array(data)) {
            fprintf(stderr, "harness: GET %s answered %ld\n", path, st);
            ts_print_json("body", res);
            json_decref(res);
            goto fail;
        }
        json_array_extend(all, data);
        const char *next =
            json_string_value(json_object_get(res, "next_cursor"));
        if (next == NULL || *next == '\0') {
            json_decref(res);
            break;
        }
        if (json_object_get(seen, next) != NULL) {
            fprintf(stderr, "harness: cursor %s came twice\n", next);
            json_decref(res);
            goto fail;
        }
        json_object_set_new(seen, next, json_true());
        ts_url_encode(next, cursor, sizeof cursor);
        json_decref(res);
    }
    json_decref(seen);
    return all;
fail:
    json_decref(seen);
    json_decref(all);
    return NULL;
}

json_t *ts_feed_item(hf_test_server *ts, const char *customer, const char *kind)
{
    for (int i = 0; i < 600; i++) {
        long st;
        json_t *feed =
            ts_get(ts, &st, "/v1/customers/%s/notifications", customer);
        json_t *n;
        size_t k;
        json_array_foreach(json_object_get(feed, "data"), k, n)
        {
            if (strcmp(ts_str(n, "kind"), kind) == 0) {
                json_t *copy = json_deep_copy(n);
                json_decref(feed);
                return copy;
            }
        }
        json_decref(feed);
        ts_sleep_ms(50);
    }
    return NULL;
}

void ts_run(const char *cmd)
{
    int rc = system(cmd);
    if (rc != 0)
        fprintf(stderr, "command failed (%d): %s\n", rc, cmd);
    assert_int_equal(rc, 0);
}

int ts_serve_risk_model(hf_test_server *ts, const char *csv, const char *name,
                        const char *extra_config)
{
    char cmd[8192];
    snprintf(cmd, sizeof cmd,
             "'%s' risk train --csv '%s' --label cancelled --rounds 150 "
             "--max-depth 2 --seed 1 --model '%s/%s.model' 2>/dev/null",
             ts->bin, csv, ts->dir, name);
    ts_run(cmd);
    FILE *f = fopen(ts->config, "w");
    if (f == NULL)
        return -1;
    fprintf(f, "[notify]\nenabled = false\n[risk]\nmodel = %s/%s.model\n%s",
            ts->dir, name, extra_config);
    fclose(f);
    return ts_restart(ts);
}

double ts_metric(hf_test_server *ts, const char *name)
{
    ts_response r;
    ts_request_raw(ts, "GET", "/metrics", NULL, NULL, NULL, 0, NULL, &r);
    double v = -1;
    size_t n = strlen(name);
    for (const char *p = r.body; p != NULL && *p != '\0';) {
        if (strncmp(p, name, n) == 0 && p[n] == ' ') {
            v = strtod(p + n + 1, NULL);
            break;
        }
        p = strchr(p, '\n');
        p = p ? p + 1 : NULL;
    }
    ts_response_free(&r);
    return v;
}
