/*
 * api.h - what an HTTP handler sees: the parsed request and the response
 * it fills. Handlers are thin: read input, call one service function,
 * render the result.
 */
#ifndef HF_HTTP_API_H
#define HF_HTTP_API_H

#include "services/auth.h"
#include "services/services.h"
#include "store/store.h"
#include "util/arena.h"
#include "util/hf.h"

#include <jansson.h>
#include <stdbool.h>

enum { HF_MAX_PATH_PARAMS = 4 };

typedef struct hf_request {
    const char *method;
    const char *path;                       /* without the query */
    const char *params[HF_MAX_PATH_PARAMS]; /* the route's :captures */
    void *connection;                       /* for query arguments */
    json_t *body;                           /* parsed POST body */
    hf_role role;                           /* of the caller's key */
    const char *actor;                      /* "api:key_..." */
    const char *link_order; /* a shopper's: the order their link opens
                               ("ord_..."); NULL for a staff key */
    hf_arena *arena;        /* freed with the request */
    const hf_services *svc;
} hf_request;

typedef struct hf_response {
    int status;
    const char *body;         /* JSON text, or the content_type's */
    const char *content_type; /* NULL: application/json */
    /* A read handler sets stream to answer with a stream of Server-Sent
     * Events (http/sse.h) instead of a body: the events of order
     * stream_order ("ord_..."), or of every order when it is NULL. */
    bool stream;
    const char *stream_order;
} hf_response;

/* A handler that reads (runs on the HTTP thread) or writes (runs on a
 * store thread inside the write transaction t; its reply is stored for
 * idempotent replays in that same transaction). Returning an error fills
 * err; the server renders it. */
typedef hf_rc (*hf_read_handler)(hf_request *req, hf_response *res,
                                 hf_err *err);
typedef hf_rc (*hf_write_handler)(hf_txn *t, hf_request *req, hf_response *res,
                                  hf_err *err);

/* The HTTP status for an error code. */
int hf_http_status(const hf_err *err);

/* Renders err as {"error": {"code", "message", "field", "reasons"}} into
 * res ("field" and "reasons" when err has them). */
void hf_http_error(hf_request *req, hf_response *res, const hf_err *err);

/* Sets res to status with the JSON body j (takes j's reference). */
hf_rc hf_http_json(hf_request *req, hf_response *res, int status, json_t *j,
                   hf_err *err);

/* Returns from the calling handler when expr fails. */
#define HF_TRY(expr)                                                           \
    do {                                                                       \
        hf_rc rc_ = (expr);                                                    \
        if (rc_ != HF_OK)                                                      \
            return rc_;                                                        \
    } while (0)

/* Lists answer at most this many items a page, 50 unless ?limit= says. */
enum { HF_LIST_DEFAULT = 50, HF_LIST_MAX = 200 };

/* The page size from ?limit= (1..HF_LIST_MAX, default HF_LIST_DEFAULT);
 * HF_EINVAL for anything else. */
hf_rc hf_http_list_limit(hf_request *req, int *out, hf_err *err);

/* HF_EMALFORMED malformed_json unless the body is a JSON object. */
hf_rc hf_http_need_object(hf_request *req, hf_err *err);

/* Sets res to status with body doc, JSON text that lives as long as the
 * request (in its arena). Returns HF_ENOMEM when doc is NULL. */
hf_rc hf_http_raw(hf_response *res, int status, const char *doc, hf_err *err);

/* The value of query argument name, or NULL. */
const char *hf_http_query(hf_request *req, const char *name);

/* --- Reading JSON bodies --------------------------------------------------
 * Each reads member `name` of object obj. A member of the wrong type gives
 * HF_EMALFORMED (400); a missing required one HF_EINVAL (422). field is the
 * path prefix for messages ("shipping_address"), or NULL at the top. */
hf_rc hf_json_get_str(hf_request *req, json_t *obj, const char *field,
                      const char *name, bool required, size_t max_len,
                      const char **out, hf_err *err);
hf_rc hf_json_get_int(hf_request *req, json_t *obj, const char *field,
                      const char *name, bool required, int64_t *out,
                      hf_err *err);
/* obj's member `name` if it is an object (or NULL when absent and not
 * required). */
hf_rc hf_json_get_obj(hf_request *req, json_t *obj, const char *field,
                      const char *name, bool required, json_t **out,
                      hf_err *err);
/* An address object's fields (name, line1, line2, city, region,
 * postal_code, country, phone) into ad; field is the prefix for messages
 * ("shipping_address"). Strings point into obj. */
hf_rc hf_http_read_address(hf_request *req, json_t *obj, const char *field,
                           hf_address *ad, hf_err *err);
hf_rc hf_json_get_array(hf_request *req, json_t *obj, const char *field,
                        const char *name, bool required, json_t **out,
                        hf_err *err);

#endif
