/* respond.c - error mapping, JSON responses and body readers for
 * handlers. */
#include "http/api.h"

#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int hf_http_status(const hf_err *err)
{
    /* one row per result code */
    static const int statuses[] = {
        [HF_OK] = 200,         [HF_ENOMEM] = 503,     [HF_EINVAL] = 422,
        [HF_EMALFORMED] = 400, [HF_ENOTFOUND] = 404,  [HF_ECONFLICT] = 409,
        [HF_ESTORE] = 500,     [HF_EPARSE] = 400,     [HF_ETOOBIG] = 413,
        [HF_EAUTH] = 401,      [HF_EFORBIDDEN] = 403, [HF_EPAYMENT] = 502,
        [HF_EIO] = 500,        [HF_EBUSY] = 503,
    };
    if ((size_t)err->rc < HF_ARRAY_LEN(statuses) && statuses[err->rc] != 0)
        return statuses[err->rc];
    return 500;
}

void hf_http_error(hf_request *req, hf_response *res, const hf_err *err)
{
    json_t *e = json_pack(
        "{s:s, s:s}", "code", err->code[0] ? err->code : hf_rc_name(err->rc),
        "message", err->message[0] ? err->message : "request failed");
    if (e != NULL && err->field[0])
        json_object_set_new(e, "field", json_string(err->field));
    json_t *reasons = err->reasons ? json_loads(err->reasons, 0, NULL) : NULL;
    if (e != NULL && json_is_array(reasons))
        json_object_set(e, "reasons", reasons);
    json_decref(reasons);
    json_t *body = json_pack("{s:o}", "error", e);
    char *text = body ? json_dumps(body, JSON_COMPACT) : NULL;
    res->status = hf_http_status(err);
    res->body = text ? hf_arena_strdup(req->arena, text)
                     : "{\"error\":{\"code\":\"out_of_memory\","
                       "\"message\":\"out of memory\"}}";
    res->content_type = NULL;
    free(text);
    json_decref(body);
}

hf_rc hf_http_json(hf_request *req, hf_response *res, int status, json_t *j,
                   hf_err *err)
{
    char *text = j ? json_dumps(j, JSON_COMPACT) : NULL;
    json_decref(j);
    if (text == NULL)
        return hf_fail(err, HF_ENOMEM, NULL, NULL, "out of memory");
    res->status = status;
    res->body = hf_arena_strdup(req->arena, text);
    res->content_type = NULL;
    free(text);
    if (res->body == NULL)
        return hf_fail(err, HF_ENOMEM, NULL, NULL, "out of memory");
    return HF_OK;
}

const char *hf_http_query(hf_request *req, const char *name)
{
    return MHD_lookup_connection_value(req->connection, MHD_GET_ARGUMENT_KIND,
                                       name);
}

/* "prefix.name" for messages, in the request's arena. */
static const char *field_path(hf_request *req, const char *field,
                              const char *name)
{
    if (field == NULL)
        return name;
    const char *p = hf_arena_printf(req->arena, "%s.%s", field, name);
    return p ? p : name;
}

static hf_rc missing(hf_request *req, const char *field, const char *name,
                     hf_err *err)
{
    const char *path = field_path(req, field, name);
    return hf_fail(err, HF_EINVAL, "invalid", path, "%s is required", path);
}

static hf_rc wrong_type(hf_request *req, const char *field, const char *name,
                        const char *type, hf_err *err)
{
    const char *path = field_path(req, field, name);
    return hf_fail(err, HF_EMALFORMED, "malformed", path, "%s must be %s", path,
                   type);
}

hf_rc hf_json_get_str(hf_request *req, json_t *obj, const char *field,
                      const char *name, bool required, size_t max_len,
                      const char **out, hf_err *err)
{
    json_t *v = json_object_get(obj, name);
    *out = NULL;
    if (v == NULL || json_is_null(v))
        return required ? missing(req, field, name, err) : HF_OK;
    if (!json_is_string(v))
        return wrong_type(req, field, name, "a string", err);
    if (json_string_length(v) > max_len) {
        const char *path = field_path(req, field, name);
        return hf_fail(err, HF_EINVAL, "invalid", path,
                       "%s is longer than %zu characters", path, max_len);
    }
    if (strlen(json_string_value(v)) != json_string_length(v)) {
        const char *path = field_path(req, field, name);
        return hf_fail(err, HF_EINVAL, "invalid", path,
                       "%s contains a NUL character", path);
    }
    *out = json_string_value(v);
    return HF_OK;
}

hf_rc hf_json_get_int(hf_request *req, json_t *obj, const char *field,
                      const char *name, bool required, int64_t *out,
                      hf_err *err)
{
    json_t *v = json_object_get(obj, name);
    if (v == NULL || json_is_null(v))
        return required ? missing(req, field, name, err) : HF_OK;
    if (!json_is_integer(v))
        return wrong_type(req, field, name, "an integer", err);
    *out = json_integer_value(v);
    return HF_OK;
}

hf_rc hf_json_get_obj(hf_request *req, json_t *obj, const char *field,
                      const char *name, bool required, json_t **out,
                      hf_err *err)
{
    json_t *v = json_object_get(obj, name);
    *out = NULL;
    if (v == NULL || json_is_null(v))
        return required ? missing(req, field, name, err) : HF_OK;
    if (!json_is_object(v))
        return wrong_type(req, field, name, "an object", err);
    *out = v;
    return HF_OK;
}

hf_rc hf_json_get_array(hf_request *req, json_t *obj, const char *field,
                        const char *name, bool required, json_t **out,
                        hf_err *err)
{
    json_t *v = json_object_get(obj, name);
    *out = NULL;
    if (v == NULL || json_is_null(v))
        return required ? missing(req, field, name, err) : HF_OK;
    if (!json_is_array(v))
        return wrong_type(req, field, name, "an array", err);
    *out = v;
    return HF_OK;
}

hf_rc hf_http_raw(hf_response *res, int status, const char *doc, hf_err *err)
{
    if (doc == NULL)
        return hf_fail(err, HF_ENOMEM, NULL, NULL, "out of memory");
    res->status = status;
    res->body = doc;
    res->content_type = NULL;
    return HF_OK;
}

hf_rc hf_http_need_object(hf_request *req, hf_err *err)
{
    if (!json_is_object(req->body))
        return hf_fail(err, HF_EMALFORMED, "malformed_json", NULL,
                       "the body must be a JSON object");
    return HF_OK;
}

hf_rc hf_http_list_limit(hf_request *req, int *out, hf_err *err)
{
    const char *text = hf_http_query(req, "limit");
    *out = HF_LIST_DEFAULT;
    if (text == NULL)
        return HF_OK;
    char *end;
    long v = strtol(text, &end, 10);
    if (*text == '\0' || *end != '\0' || v < 1 || v > HF_LIST_MAX)
        return hf_fail(err, HF_EINVAL, "invalid", "limit",
                       "limit must be an integer from 1 to %d", HF_LIST_MAX);
    *out = (int)v;
    return HF_OK;
}
