/*
 * hf.h - the result codes and the error context every fallible function
 * in holdfast shares.
 *
 * A fallible function returns an hf_rc; HF_OK is zero. Detail for a person
 * (a stable machine code such as "out_of_stock", a message, the offending
 * field) goes into an hf_err the caller passes in, never into a global.
 */
#ifndef HF_H
#define HF_H

#include <stdarg.h>
#include <stddef.h>

typedef enum hf_rc {
    HF_OK = 0,
    HF_ENOMEM,     /* an allocation failed */
    HF_EINVAL,     /* well-formed but invalid input (HTTP 422) */
    HF_EMALFORMED, /* input that does not parse (HTTP 400) */
    HF_ENOTFOUND,  /* no such thing (HTTP 404) */
    HF_ECONFLICT,  /* conflicts with current state (HTTP 409) */
    HF_ESTORE,     /* the database failed (HTTP 500/503) */
    HF_EPARSE,     /* a document (config, policy) does not parse */
    HF_ETOOBIG,    /* input over its size limit (HTTP 413) */
    HF_EAUTH,      /* no or bad credentials (HTTP 401) */
    HF_EFORBIDDEN, /* credentials lack the role (HTTP 403) */
    HF_EPAYMENT,   /* the payment gateway refused or failed (HTTP 502) */
    HF_EIO,        /* an operating-system call failed */
    HF_EBUSY,      /* try again later (HTTP 503) */
} hf_rc;

/* Detail of the last failure. Fixed-size so that filling it never fails. */
typedef struct hf_err {
    hf_rc rc;          /* the code the failing function returned */
    char code[48];     /* stable snake_case code for clients */
    char message[256]; /* one sentence for a person */
    char field[96];    /* offending input field ("lines[0].qty"), or "" */
    /* A JSON array of machine-readable reasons (an order's validation
     * failures), rendered as the error's "reasons"; NULL when none. The
     * text is owned by whoever set it (a request's arena) and must outlive
     * the rendering of the error. hf_fail resets it. */
    const char *reasons;
} hf_err;

/* Records a failure in err (which may be NULL) and returns rc, so that
 * callers can write `return hf_fail(err, HF_EINVAL, "bad_qty", "lines[0].qty",
 * "qty must be positive");`. code and field may be NULL. */
hf_rc hf_fail(hf_err *err, hf_rc rc, const char *code, const char *field,
              const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* Clears err to "no error". */
void hf_err_clear(hf_err *err);

/* A short stable name for rc ("enomem"); never NULL. */
const char *hf_rc_name(hf_rc rc);

#define HF_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

#endif
