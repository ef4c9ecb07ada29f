/*
 * server.h - the HTTP server: libmicrohttpd with an epoll thread pool.
 *
 * A write suspends its connection and is queued with the store
 * (hf_store_submit); when its durable group commit is done the store's
 * thread resumes the connection with the answer. So the HTTP threads never
 * block on a disk flush, no thread waits per request, and many concurrent
 * writes share one commit.
 */
#ifndef HF_SERVER_H
#define HF_SERVER_H

#include "services/services.h"
#include "util/hf.h"

typedef struct hf_server hf_server;

typedef struct hf_server_options {
    const char *listen;    /* "127.0.0.1:8080" */
    unsigned http_threads; /* 0: one per core */
    size_t max_body;       /* 0: 1 MiB */
    const char *web_dir;   /* the web UI's built files, or NULL: none */
} hf_server_options;

/* Starts serving. Returns HF_EINVAL for a bad listen address, HF_EIO when
 * the port cannot be bound,
 * HF_ENOTFOUND when web_dir is not a directory. Stop with hf_server_stop(). */
hf_rc hf_server_start(const hf_services *svc, const hf_server_options *opt,
                      hf_server **out, hf_err *err);

/* Stops accepting, finishes the requests under way, and frees the server. */
void hf_server_stop(hf_server *s);

#endif
