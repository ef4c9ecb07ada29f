/*
 * static.h - serving the web UI's built files (web/dist) beside the API.
 *
 * A GET of a path outside /v1/, /healthz and /metrics answers the file of
 * that name under the directory; a route of the UI itself (/, /login,
 * /orders/..., /surveys/..., /cx/...) answers index.html; anything else
 * is 404, as before. Nothing outside the directory is ever served: "." and ".."
 * segments are refused, and the resolved file must lie inside.
 */
#ifndef HF_STATIC_H
#define HF_STATIC_H

#include "util/hf.h"

#include <stdbool.h>
#include <stddef.h>

typedef struct hf_static hf_static;

typedef struct hf_static_file {
    int fd; /* open, read-only; the caller closes it (or hands it on) */
    size_t size;
    const char *content_type;
    bool immutable; /* a content-hashed asset: cache it for good */
} hf_static_file;

/* Serves files from dir. HF_ENOTFOUND when dir is not a directory. Free
 * with hf_static_free(). */
hf_rc hf_static_open(const char *dir, hf_static **out, hf_err *err);
void hf_static_free(hf_static *s);

/* The file for URL path (already percent-decoded), or index.html for a
 * route of the UI. HF_ENOTFOUND for a missing file or a path that tries
 * to leave the directory. */
hf_rc hf_static_find(const hf_static *s, const char *path, hf_static_file *out,
                     hf_err *err);

/* The Content-Type for path's extension; NULL when it has none. */
const char *hf_static_type(const char *path);

#endif
