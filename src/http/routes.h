/*
 * routes.h - the API's routes: one table, one row per endpoint.
 */
#ifndef HF_ROUTES_H
#define HF_ROUTES_H

#include "http/api.h"

#define HF_ROLE_BIT(r) (1u << (r))
#define HF_ANY_ROLE                                                            \
    (HF_ROLE_BIT(HF_ROLE_ADMIN) | HF_ROLE_BIT(HF_ROLE_AGENT) |                 \
     HF_ROLE_BIT(HF_ROLE_SERVICE))

typedef struct hf_route {
    const char *method;
    const char *pattern;    /* "/v1/orders/:id"; ":x" captures one segment */
    unsigned roles;         /* HF_ROLE_BITs allowed; 0: no key needed */
    hf_read_handler read;   /* a read, answered on the HTTP thread ... */
    hf_write_handler write; /* ... or a write, run by the store */
    const char *counter;    /* metric counting its successes (not replays),
                               or NULL */
} hf_route;

extern const hf_route hf_routes[];
extern const size_t hf_routes_count;

/* The route for method and path, with its captures in params (pointers
 * into arena a). NULL when none matches; *path_known then says whether
 * the path exists for another method (405 rather than 404). */
const hf_route *hf_route_match(const char *method, const char *path,
                               hf_arena *a,
                               const char *params[HF_MAX_PATH_PARAMS],
                               bool *path_known);

/* False for a write documented without a request body (POST
 * /v1/experiments/{id}/stop): the server then does not read the body and
 * hands the handler {}. */
bool hf_route_takes_body(const hf_route *r);

#endif
