/*
 * policy_bench.c - how fast cancel requests run through a policy.
 *
 *   bench_policy local [--policies DIR] [--model FILE] [--data DIR]
 *                      [--iterations N]
 *       compile: hf_policy_compile of the retention policy, N times;
 *       turn: one conversation turn in process (classify the message and
 *       decide with the engine), over a four-message conversation replayed
 *       N times.
 *   bench_policy http --port P --key KEY --orders FILE [--conversations N]
 *       message: POST /v1/conversations/{id}/messages on a running server,
 *       one kept-alive connection, for N conversations of four messages
 *       on the orders listed in FILE (numbers, one a line, confirmed).
 *
 * Prints one line of key=value figures (microseconds) per measurement;
 * asserts nothing about speed. Exits non-zero when something fails.
 */
#include "intent/corpus.h"
#include "intent/intent.h"
#include "policy/engine.h"
#include "policy/plan.h"

#include <curl/curl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char *const messages[] = {
    "Hi, I need to cancel my order",
    "where is my order right now?",
    "thank you",
    "ok I'll take the free shipping upgrade",
};
enum { N_MESSAGES = sizeof(messages) / sizeof(messages[0]) };

static double now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static int by_value(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* Prints "what n=N p50=.. p90=.. p99=.. max=.." over samples. */
static void report(const char *what, double *s, size_t n)
{
    qsort(s, n, sizeof(*s), by_value);
    printf("%s n=%zu p50_us=%.1f p90_us=%.1f p99_us=%.1f max_us=%.1f\n", what,
           n, s[n / 2], s[n * 9 / 10], s[n * 99 / 100], s[n - 1]);
}

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return NULL;
    char *buf = malloc(HF_POLICY_MAX_BYTES + 1);
    *len = buf ? fread(buf, 1, HF_POLICY_MAX_BYTES, f) : 0;
    fclose(f);
    if (buf)
        buf[*len] = '\0';
    return buf;
}

static hf_plan *compile_file(const char *dir, const char *name,
                             const hf_policy_env *env)
{
    char path[4096];
    size_t len;
    snprintf(path, sizeof path, "%s/%s.md", dir, name);
    char *text = slurp(path, &len);
    hf_plan *p = NULL;
    if (text == NULL || hf_policy_compile(name, text, len, env, &p) != HF_OK ||
        p->n_diags > 0) {
        fprintf(stderr, "bench_policy: cannot compile %s\n", path);
        exit(1);
    }
    free(text);
    return p;
}

static int run_local(const char *dir, const char *model_path, const char *data,
                     int iterations)
{
    static const char *const names[] = {"Cancellation_retention_policy",
                                        "Single_order_cancellation_policy"};
    hf_policy_env env = {names, 2};
    char path[4096];
    size_t len;
    snprintf(path, sizeof path, "%s/%s.md", dir, names[0]);
    char *text = slurp(path, &len);
    if (text == NULL) {
        fprintf(stderr, "bench_policy: cannot read %s\n", path);
        return 1;
    }
    double *s = malloc((size_t)iterations * N_MESSAGES * sizeof(*s));
    for (int i = 0; i < iterations; i++) {
        hf_plan *p;
        double t0 = now_us();
        hf_rc rc = hf_policy_compile(names[0], text, len, &env, &p);
        s[i] = now_us() - t0;
        if (rc != HF_OK)
            return 1;
        hf_plan_free(p);
    }
    printf("policy_bytes=%zu ", len);
    report("compile", s, (size_t)iterations);
    free(text);

    hf_plan *plan = compile_file(dir, names[0], &env);
    hf_plan *cancel = compile_file(dir, names[1], &env);
    hf_intent_model *m = NULL;
    hf_err err;
    hf_rc rc = model_path ? hf_intent_model_load(model_path, &m, &err)
                          : hf_intent_train_default(data, NULL, &m, &err);
    if (rc != HF_OK) {
        fprintf(stderr, "bench_policy: model: %s\n", err.message);
        return 1;
    }
    hf_order_facts facts = {
        .number = "HF-100042",
        .status = HF_STATUS_CONFIRMED,
        .currency = "USD",
        .subtotal = 10000,
        .cost = 4000,
        .swap_sku = "TEE-2",
        .swap_name = "Tee, organic",
        .swap_from = "TEE-1",
        .max_discount_percent = 20,
        .coupon_days = 90,
        .last_cancellable = HF_STATUS_PACKED,
    };
    hf_ctx_value ctx[] = {{"order.number", "HF-100042"},
                          {"customer.first_name", "Ann"}};
    hf_arena *a = hf_arena_new(0);
    double *classify = malloc((size_t)iterations * N_MESSAGES * sizeof(*s));
    size_t n = 0;
    for (int i = 0; i < iterations; i++) {
        hf_convo_state st;
        hf_engine_state_init(&st);
        for (int k = 0; k < N_MESSAGES; k++) {
            hf_arena_reset(a);
            hf_intent_result r;
            hf_turn turn;
            hf_engine_input in = {.plan = plan,
                                  .cancel_plan = cancel,
                                  .facts = &facts,
                                  .ctx = ctx,
                                  .n_ctx = 2,
                                  .kind = HF_INPUT_MESSAGE,
                                  .intent = &r};
            double t0 = now_us();
            hf_intent_classify(m, messages[k], &r);
            double t1 = now_us();
            rc = hf_engine_turn(&in, &st, a, &turn, &err);
            double t2 = now_us();
            if (rc != HF_OK)
                return 1;
            classify[n] = t1 - t0;
            s[n++] = t2 - t0;
        }
    }
    report("classify", classify, n);
    report("turn_in_process", s, n);
    hf_arena_free(a);
    hf_plan_free(plan);
    hf_plan_free(cancel);
    hf_intent_model_free(m);
    free(s);
    free(classify);
    return 0;
}

/* --- Over HTTP ------------------------------------------------------------ */

typedef struct body {
    char *text;
    size_t len;
} body;

static size_t on_body(char *data, size_t size, size_t n, void *arg)
{
    body *b = arg;
    char *grown = realloc(b->text, b->len + size * n + 1);
    if (grown == NULL)
        return 0;
    memcpy(grown + b->len, data, size * n);
    b->len += size * n;
    grown[b->len] = '\0';
    b->text = grown;
    return size * n;
}

/* POSTs json to url; returns the status and the parsed answer in *out. */
static long post(CURL *c, const char *url, const char *json, json_t **out)
{
    body b = {NULL, 0};
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, json);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
    long status = 0;
    if (curl_easy_perform(c) == CURLE_OK)
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    *out = b.text ? json_loads(b.text, 0, NULL) : NULL;
    free(b.text);
    return status;
}

static int run_http(int port, const char *key, const char *orders_file,
                    int conversations)
{
    FILE *f = fopen(orders_file, "r");
    if (f == NULL) {
        fprintf(stderr, "bench_policy: cannot read %s\n", orders_file);
        return 1;
    }
    curl_global_init(CURL_GLOBAL_ALL);
    CURL *c = curl_easy_init();
    char auth[512], url[256], number[64];
    snprintf(auth, sizeof auth, "Authorization: Bearer %s", key);
    struct curl_slist *h = curl_slist_append(NULL, auth);
    h = curl_slist_append(h, "Content-Type: application/json");
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    double *s = malloc((size_t)conversations * N_MESSAGES * sizeof(*s));
    double *by_turn[N_MESSAGES];
    for (int k = 0; k < N_MESSAGES; k++)
        by_turn[k] = malloc((size_t)conversations * sizeof(double));
    size_t n = 0;
    int done = 0, retained = 0;
    while (done < conversations && fscanf(f, "%63s", number) == 1) {
        char start[128];
        json_t *j;
        snprintf(url, sizeof url, "http://127.0.0.1:%d/v1/conversations", port);
        snprintf(start, sizeof start, "{\"order\":\"%s\",\"channel\":\"chat\"}",
                 number);
        if (post(c, url, start, &j) != 201) {
            fprintf(stderr, "bench_policy: cannot start a conversation\n");
            return 1;
        }
        snprintf(url, sizeof url,
                 "http://127.0.0.1:%d/v1/conversations/%s/messages", port,
                 json_string_value(json_object_get(j, "id")));
        json_decref(j);
        for (int k = 0; k < N_MESSAGES; k++) {
            json_t *text = json_pack("{s:s}", "text", messages[k]);
            char *payload = json_dumps(text, JSON_COMPACT);
            double t0 = now_us();
            long status = post(c, url, payload, &j);
            s[n++] = now_us() - t0;
            by_turn[k][done] = s[n - 1];
            free(payload);
            json_decref(text);
            if (status != 200) {
                fprintf(stderr, "bench_policy: message answered %ld\n", status);
                return 1;
            }
            if (k == N_MESSAGES - 1)
                retained +=
                    strcmp(json_string_value(json_object_get(j, "outcome")),
                           "retained") == 0;
            json_decref(j);
        }
        done++;
    }
    fclose(f);
    printf("conversations=%d retained=%d ", done, retained);
    report("message_http", s, n);
    for (int k = 0; k < N_MESSAGES; k++) {
        char what[32];
        snprintf(what, sizeof what, "message_http_turn%d", k + 1);
        report(what, by_turn[k], (size_t)done);
        free(by_turn[k]);
    }
    curl_slist_free_all(h);
    curl_easy_cleanup(c);
    free(s);
    return done == conversations ? 0 : 1;
}

int main(int argc, char **argv)
{
    const char *dir = "policies", *model = NULL, *data = "data/intents";
    const char *key = NULL, *orders = NULL;
    int iterations = 2000, port = 0, conversations = 500;
    for (int i = 2; i + 1 < argc; i += 2) {
        const char *o = argv[i], *v = argv[i + 1];
        if (strcmp(o, "--policies") == 0)
            dir = v;
        else if (strcmp(o, "--model") == 0)
            model = v;
        else if (strcmp(o, "--data") == 0)
            data = v;
        else if (strcmp(o, "--iterations") == 0)
            iterations = atoi(v);
        else if (strcmp(o, "--port") == 0)
            port = atoi(v);
        else if (strcmp(o, "--key") == 0)
            key = v;
        else if (strcmp(o, "--orders") == 0)
            orders = v;
        else if (strcmp(o, "--conversations") == 0)
            conversations = atoi(v);
        else {
            fprintf(stderr, "bench_policy: unknown option %s\n", o);
            return 2;
        }
    }
    if (argc >= 2 && strcmp(argv[1], "local") == 0 && iterations > 0)
        return run_local(dir, model, data, iterations);
    if (argc >= 2 && strcmp(argv[1], "http") == 0 && port > 0 && key &&
        orders && conversations > 0)
        return run_http(port, key, orders, conversations);
    fprintf(stderr, "usage: bench_policy local [--policies DIR] [--model "
                    "FILE] [--data DIR] [--iterations N]\n"
                    "       bench_policy http --port P --key KEY --orders "
                    "FILE [--conversations N]\n");
    return 2;
}
