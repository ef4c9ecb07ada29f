/*
 * task_routes.h - the handlers of the agents' task list (call tasks the
 * playbooks open); their rows are in the route table (routes.c).
 */
#ifndef HF_TASK_ROUTES_H
#define HF_TASK_ROUTES_H

#include "http/api.h"

/* GET /v1/tasks?status=open|done&after=ID&limit=N */
hf_rc hf_get_tasks(hf_request *req, hf_response *res, hf_err *err);
/* POST /v1/tasks/{id}/done {"note"} */
hf_rc hf_post_task_done(hf_txn *t, hf_request *req, hf_response *res,
                        hf_err *err);

#endif
