/*
 * harness.h - starts the real `holdfast serve` for an integration test and
 * talks to it over HTTP, in the manner of h2o's t/Util.pm spawn_h2o.
 *
 * ts_start() makes a temporary directory, creates a database in it with
 * `holdfast init`, creates one API key per role with `holdfast keys create`,
 * picks a free loopback port and starts `holdfast serve` as a child process
 * whose standard error goes to DIR/server.log. It returns once GET /healthz
 * answers 200. The binary is found through the HOLDFAST_BIN environment
 * variable (tests/CMakeLists.txt sets it).
 *
 * The HTTP helpers use one libcurl easy handle per call, so they may be
 * called from any number of threads at once once ts_start() has returned
 * (it performs curl_global_init). They never assert: they report what the
 * server answered, and the test decides. The fixture helpers (ts_product,
 * ts_inventory_view, ...) assert with cmocka and are for the main thread
 * only.
 *
 * Unlike the rest of holdfast the server struct is not opaque: tests read
 * the keys and the directory straight from it, which is clearer than a
 * getter per field.
 *
 * Set HF_KEEP_TMP=1 in the environment to keep the temporary directory
 * (database and server.log) after the test.
 */
#ifndef HF_TEST_HARNESS_H
#define HF_TEST_HARNESS_H

#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <cmocka.h>
#include <jansson.h>

typedef struct hf_test_server {
    char dir[512];         /* the temporary directory, removed by ts_free */
    char db[PATH_MAX];     /* DIR/t.db, or a PostgreSQL URL */
    char log[PATH_MAX];    /* DIR/server.log: the server's standard error */
    char config[PATH_MAX]; /* DIR/holdfast.ini, or "" for none */
    char bin[PATH_MAX];    /* $HOLDFAST_BIN */
    char base_url[64];     /* "http://127.0.0.1:PORT", no trailing slash */
    int port;              /* the port of the running server */
    pid_t pid;             /* the server process, or 0 when none runs */
    char admin_key[256];   /* a key with role admin */
    char agent_key[256];   /* a key with role agent */
    char service_key[256]; /* a key with role service */
} hf_test_server;

/* One answer of the server, as the raw helpers return it. */
typedef struct ts_response {
    long status;     /* HTTP status, or 0 when no answer came (transport) */
    char *body;      /* the body, NUL-terminated (may hold other NULs) */
    size_t body_len; /* bytes in body, without the terminator */
    char *headers;   /* header lines of the final response, "\r\n" apart */
    json_t *json;    /* body parsed as JSON, or NULL when it is not JSON */
} ts_response;

/* --- the server process ------------------------------------------------ */

/* Creates the database and keys and starts the server. Returns NULL after
 * printing why (and the server log) on failure. Free with ts_free. */
hf_test_server *ts_start(void);

/* The same, with `ini` written to DIR/holdfast.ini and given to the server
 * with --config (NULL: no file). */
hf_test_server *ts_start_with_config(const char *ini);

/* Starts a second server process on ts's database (sharing its keys), on
 * its own port, logging to DIR/peer-N.log: several holdfast processes over
 * one store. Returns NULL after printing why on failure. Free with
 * ts_free (which leaves ts's directory alone). */
hf_test_server *ts_start_peer(const hf_test_server *ts);

/* Starts the server again on the same database (after ts_kill9 or
 * ts_stop), on a newly picked free port. Returns 0 once /healthz answers,
 * -1 after printing the server log on failure. */
int ts_restart(hf_test_server *ts);

/* Kills the server with SIGKILL and reaps it. No-op when none runs. */
void ts_kill9(hf_test_server *ts);

/* Asks the server to stop with SIGTERM and waits up to 10 s for it (then
 * SIGKILL). Returns the exit status of a normal exit, or -1 when it was
 * killed by a signal or none ran. */
int ts_stop(hf_test_server *ts);

/* Stops the server if it runs, removes the temporary directory (unless
 * HF_KEEP_TMP is set), frees ts and releases libcurl. ts may be NULL. */
void ts_free(hf_test_server *ts);

/* Prints the tail of the server log to stderr, under a title. */
void ts_dump_log(const hf_test_server *ts, const char *why);

/* --- HTTP -------------------------------------------------------------- */

/* Sends METHOD path (path starts with "/") with the bearer key (NULL: no
 * Authorization header), the Idempotency-Key (NULL: none) and body (NULL:
 * none; sent as application/json). Stores the HTTP status (0 when the
 * request failed in transport) in *status and the parsed body (new
 * reference, NULL when not JSON) in *response; either pointer may be NULL.
 * Returns 0 when an answer came, -1 otherwise. */
int ts_request(hf_test_server *ts, const char *method, const char *path,
               const char *key, const char *idempotency_key,
               const char *body_json_text, long *status, json_t **response);

/* Like ts_request but sends body_len raw bytes (body may be NULL) with the
 * given content type (NULL: application/json when there is a body) and
 * keeps everything about the answer in *out, which the caller releases with
 * ts_response_free. Returns 0 when an answer came, -1 otherwise. */
int ts_request_raw(hf_test_server *ts, const char *method, const char *path,
                   const char *key, const char *idempotency_key,
                   const char *body, size_t body_len, const char *content_type,
                   ts_response *out);

/* Releases what ts_request_raw stored in r and zeroes it. */
void ts_response_free(ts_response *r);

/* The value of response header name (case-insensitive), trimmed, as a new
 * malloc'd string; NULL when absent. */
char *ts_header(const ts_response *r, const char *name);

/* GET with the admin key; the path is a printf format. Returns the parsed
 * body (new reference) or NULL; *status as in ts_request. */
json_t *ts_get(hf_test_server *ts, long *status, const char *path_fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* GET with the given key. */
json_t *ts_get_as(hf_test_server *ts, const char *key, long *status,
                  const char *path_fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* POST body (a reference the call steals; NULL sends no body) with the
 * admin key; the path is a printf format. */
json_t *ts_post(hf_test_server *ts, json_t *body, long *status,
                const char *path_fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* POST with the given key and Idempotency-Key (may be NULL); steals body. */
json_t *ts_post_as(hf_test_server *ts, const char *key,
                   const char *idempotency_key, json_t *body, long *status,
                   const char *path_fmt, ...)
    __attribute__((format(printf, 6, 7)));

/* --- reading answers --------------------------------------------------- */

/* error.code of an error body, or "" (never NULL). */
const char *ts_err_code(const json_t *body);

/* error.field of an error body, or "" (never NULL). */
const char *ts_err_field(const json_t *body);

/* The string member key of obj, or "" (never NULL). */
const char *ts_str(const json_t *obj, const char *key);

/* The integer member key of obj, or LLONG_MIN when absent or not an
 * integer (so that a comparison with an expected value fails). */
long long ts_int(const json_t *obj, const char *key);

/* Like ts_int for a member of a member: obj.outer.inner. */
long long ts_int2(const json_t *obj, const char *outer, const char *inner);

/* Prints body (or "(no JSON body)") to stderr under a title. */
void ts_print_json(const char *title, const json_t *body);

/* Asserts the status and, on a mismatch, prints the body first. */
#define ts_assert_status(got, want, body)                                      \
    do {                                                                       \
        if ((long)(got) != (long)(want))                                       \
            ts_print_json("unexpected status; body", (body));                  \
        assert_int_equal((got), (want));                                       \
    } while (0)

/* Asserts status and error.code, printing the body on a mismatch. */
#define ts_assert_error(got, body, want_status, want_code)                     \
    do {                                                                       \
        ts_assert_status((got), (want_status), (body));                        \
        if (strcmp(ts_err_code(body), (want_code)) != 0)                       \
            ts_print_json("unexpected error code; body", (body));              \
        assert_string_equal(ts_err_code(body), (want_code));                   \
    } while (0)

/* --- fixtures (main thread; they assert) ------------------------------- */

/* Creates product sku ("<sku> item", price in USD minor units, cost 0) and,
 * when stock > 0, adjusts its stock at location main by +stock. */
void ts_product(hf_test_server *ts, const char *sku, long price, long stock);

/* The inventory view of sku: asserts GET /v1/inventory/sku answered 200
 * and stores its totals. */
void ts_inventory_view(hf_test_server *ts, const char *sku, long long *on_hand,
                       long long *reserved, long long *available);

/* Asserts the inventory totals of sku. */
void ts_assert_inventory(hf_test_server *ts, const char *sku, long long on_hand,
                         long long reserved, long long available);

/* GET /v1/orders/id, asserting 200; returns the order (new reference). */
json_t *ts_get_order(hf_test_server *ts, const char *id);

/* The number of timeline entries GET /v1/orders/id/events returns
 * (asserting 200), leaving out `customer_notified`: the notification
 * worker adds those when it delivers, at a moment of its own, so a test
 * checking that a request changed nothing would otherwise race it. */
size_t ts_event_count(hf_test_server *ts, const char *id);

/* POST /v1/orders/id/transitions {"to": to} with the admin key, asserting
 * 200 and that the answer has status to; returns the order. */
json_t *ts_transition(hf_test_server *ts, const char *id, const char *to);

/* --- thread-safe builders and listings (do not assert) ----------------- */

/* The order body of DESIGN.md for qty units of sku, customer
 * "buyer.<sku>@example.com", manual gateway; the top-level members of extra
 * (stolen; may be NULL) replace those of the default body. New reference. */
json_t *ts_order_body(const char *sku, long qty, json_t *extra);

/* Places that order (POST /v1/orders) with the service key.
 * Returns the answer (new reference) or NULL; *status as in ts_request. */
json_t *ts_order(hf_test_server *ts, const char *sku, long qty, json_t *extra,
                 long *status);

/* Every order GET /v1/orders?QUERY lists, following next_cursor with
 * limit=200 (query may be NULL or "" or e.g. "status=confirmed"). Returns a
 * new array, or NULL after printing why when a page did not answer 200, a
 * cursor repeated, or more than max_pages pages came. */
json_t *ts_list_orders(hf_test_server *ts, const char *query, size_t max_pages);

/* Percent-encodes s (an opaque cursor, say) into out of size outsz for a
 * query string; aborts when it does not fit, which is a bug in the test. */
void ts_url_encode(const char *s, char *out, size_t outsz);

/* The in-app notification of kind in the customer's feed, waiting up to
 * 30 s for the outbox to deliver it (a loaded machine running sanitizers
 * is slow); NULL when none came. New reference. */
json_t *ts_feed_item(hf_test_server *ts, const char *customer,
                     const char *kind);

/* Runs a shell command (a holdfast subcommand, say); fails the test,
 * printing the command, when it does not exit 0. */
void ts_run(const char *cmd);

/* Trains a small risk model (150 rounds of depth 2, seed 1) on the CSV
 * at csv, label column "cancelled", into DIR/NAME.model; writes the
 * server's config as "[notify] enabled = false", "[risk] model = ..."
 * and then extra_config; restarts the server on it. 0 when it is up. */
int ts_serve_risk_model(hf_test_server *ts, const char *csv, const char *name,
                        const char *extra_config);

/* Milliseconds of a monotonic clock. */
long long ts_now_ms(void);

/* Sleeps ms milliseconds. */
void ts_sleep_ms(long ms);

/* A gauge or counter from /metrics, or -1 when it is not there. */
double ts_metric(hf_test_server *ts, const char *name);

#endif
