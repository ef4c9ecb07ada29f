/* task_routes.c - the agents' task list over HTTP. */
#include "http/task_routes.h"

#include "services/playbooks.h"

#include <string.h>

enum { MAX_NOTE = 1000 };

typedef struct task_page {
    hf_request *req;
    const char *status, *after;
    int limit;
    const char *json;
} task_page;

static hf_rc read_tasks(hf_txn *t, void *arg, hf_err *err)
{
    task_page *p = arg;
    return hf_tasks_list_txn(t, p->status, p->after, p->limit, p->req->arena,
                             &p->json, err);
}

hf_rc hf_get_tasks(hf_request *req, hf_response *res, hf_err *err)
{
    task_page p = {req, hf_http_query(req, "status"),
                   hf_http_query(req, "after"), 0, NULL};
    if (p.status && strcmp(p.status, "open") != 0 &&
        strcmp(p.status, "done") != 0)
        return hf_fail(err, HF_EINVAL, "invalid", "status",
                       "status must be open or done");
    HF_TRY(hf_http_list_limit(req, &p.limit, err));
    HF_TRY(hf_store_read(req->svc->store, read_tasks, &p, err));
    return hf_http_raw(res, 200, p.json, err);
}

hf_rc hf_post_task_done(hf_txn *t, hf_request *req, hf_response *res,
                        hf_err *err)
{
    HF_TRY(hf_http_need_object(req, err));
    const char *note;
    HF_TRY(hf_json_get_str(req, req->body, NULL, "note", false, MAX_NOTE, &note,
                           err));
    const char *json;
    HF_TRY(hf_tasks_done_txn(t, req->svc, req->params[0], note, req->actor,
                             req->arena, &json, err));
    return hf_http_raw(res, 200, json, err);
}
