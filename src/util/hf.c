/* hf.c - result codes and error context. */
#include "util/hf.h"

#include <stdio.h>
#include <string.h>

hf_rc hf_fail(hf_err *err, hf_rc rc, const char *code, const char *field,
              const char *fmt, ...)
{
    if (err == NULL)
        return rc;
    err->rc = rc;
    err->reasons = NULL;
    snprintf(err->code, sizeof(err->code), "%s", code ? code : hf_rc_name(rc));
    snprintf(err->field, sizeof(err->field), "%s", field ? field : "");
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof(err->message), fmt, ap);
    va_end(ap);
    return rc;
}

void hf_err_clear(hf_err *err)
{
    if (err != NULL)
        memset(err, 0, sizeof(*err));
}

const char *hf_rc_name(hf_rc rc)
{
    static const char *const names[] = {
        [HF_OK] = "ok",
        [HF_ENOMEM] = "out_of_memory",
        [HF_EINVAL] = "invalid",
        [HF_EMALFORMED] = "malformed",
        [HF_ENOTFOUND] = "not_found",
        [HF_ECONFLICT] = "conflict",
        [HF_ESTORE] = "store_error",
        [HF_EPARSE] = "parse_error",
        [HF_ETOOBIG] = "too_large",
        [HF_EAUTH] = "unauthorized",
        [HF_EFORBIDDEN] = "forbidden",
        [HF_EPAYMENT] = "payment_failed",
        [HF_EIO] = "io_error",
        [HF_EBUSY] = "busy",
    };
    if ((size_t)rc < HF_ARRAY_LEN(names) && names[rc] != NULL)
        return names[rc];
    return "unknown";
}
