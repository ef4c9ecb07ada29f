/*
 * routes.c - the route table and its handlers. Each handler reads its
 * input, calls one service function and renders the result.
 */
#include "http/routes.h"
#include "http/analytics_routes.h"
#include "http/dashboard_routes.h"
#include "http/policy_routes.h"
#include "http/retention_routes.h"
#include "http/screening_routes.h"
#include "http/shopper_routes.h"
#include "http/sse.h"
#include "http/task_routes.h"
#include "services/risk_features.h"
#include "services/catalog.h"
#include "services/order_json.h"
#include "services/orders.h"
#include "services/tracking.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { MAX_TEXT = 1000, MAX_NAME = 200 };

/* --- Small helpers ------------------------------------------------------- */

static json_t *product_json(const hf_product *p)
{
    json_t *attrs =
        p->attributes_json ? json_loads(p->attributes_json, 0, NULL) : NULL;
    return json_pack("{s:s, s:s, s:I, s:s, s:I, s:o, s:o, s:b, s:o}", "sku",
                     p->sku, "name", p->name, "price", (json_int_t)p->price,
                     "currency", p->currency, "cost", (json_int_t)p->cost,
                     "category", hf_json_str(p->category), "attributes",
                     attrs ? attrs : json_object(), "active", p->active,
                     "created_at", hf_json_time(p->created_at));
}

static json_t *customer_json(const hf_customer *c)
{
    return json_pack("{s:s, s:s, s:o, s:o, s:o}", "id", c->id, "email",
                     c->email, "name", hf_json_str(c->name), "phone",
                     hf_json_str(c->phone), "created_at",
                     hf_json_time(c->created_at));
}

static json_t *inventory_json(const hf_inventory *inv)
{
    json_t *locations = json_array();
    for (size_t i = 0; i < inv->n_levels; i++) {
        const hf_stock_level *l = &inv->levels[i];
        json_array_append_new(
            locations,
            json_pack("{s:s, s:I, s:I, s:I}", "location", l->location,
                      "on_hand", (json_int_t)l->on_hand, "reserved",
                      (json_int_t)l->reserved, "available",
                      (json_int_t)(l->on_hand - l->reserved)));
    }
    return json_pack("{s:s, s:I, s:I, s:I, s:o}", "sku", inv->sku, "on_hand",
                     (json_int_t)inv->on_hand, "reserved",
                     (json_int_t)inv->reserved, "available",
                     (json_int_t)inv->available, "locations", locations);
}

/* Sets res to a stored JSON document as it is. */
static hf_rc raw(hf_response *res, int status, const char *doc)
{
    res->status = status;
    res->body = doc;
    res->content_type = NULL;
    return HF_OK;
}

/* --- Health -------------------------------------------------------------- */

static hf_rc get_healthz(hf_request *req, hf_response *res, hf_err *err)
{
    (void)req;
    (void)err;
    return raw(res, 200, "{\"status\":\"ok\"}");
}

/* --- API keys and locations ---------------------------------------------- */

static hf_rc post_api_key(hf_txn *t, hf_request *req, hf_response *res,
                          hf_err *err)
{
    const char *role_name, *label;
    HF_TRY(hf_http_need_object(req, err));
    HF_TRY(hf_json_get_str(req, req->body, NULL, "role", true, 16, &role_name,
                           err));
    HF_TRY(hf_json_get_str(req, req->body, NULL, "label", false, MAX_NAME,
                           &label, err));
    hf_role role;
    if (!hf_role_parse(role_name, &role))
        return hf_fail(err, HF_EINVAL, "invalid", "role",
                       "role must be admin, agent or service");
    char key[HF_KEY_TEXT], id[HF_KEY_TEXT];
    HF_TRY(hf_auth_key_create(t, req->svc, role, label, key, id, err));
    return hf_http_json(req, res, 201,
                        json_pack("{s:s, s:s, s:o, s:s}", "id", id, "role",
                                  role_name, "label", hf_json_str(label), "key",
                                  key),
                        err);
}

static hf_rc list_locations(hf_txn *t, void *arg, hf_err *err)
{
    hf_request *req = arg;
    hf_location *locs;
    size_t n;
    HF_TRY(hf_txn_location_list(t, req->arena, &locs, &n, err));
    json_t *data = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(
            data, json_pack("{s:s, s:s, s:i}", "code", locs[i].code, "name",
                            locs[i].name, "priority", locs[i].priority));
    req->body = json_pack("{s:o}", "data", data); /* handed back below */
    return HF_OK;
}

static hf_rc get_locations(hf_request *req, hf_response *res, hf_err *err)
{
    HF_TRY(hf_store_read(req->svc->store, list_locations, req, err));
    json_t *out = req->body;
    req->body = NULL;
    return hf_http_json(req, res, 200, out, err);
}

static hf_rc post_location(hf_txn *t, hf_request *req, hf_response *res,
                           hf_err *err)
{
    hf_location loc = {NULL, NULL, 0};
    int64_t priority = 0;
    HF_TRY(hf_http_need_object(req, err));
    HF_TRY(hf_json_get_str(req, req->body, NULL, "code", true, 32, &loc.code,
                           err));
    HF_TRY(hf_json_get_str(req, req->body, NULL, "name", true, MAX_NAME,
                           &loc.name, err));
    HF_TRY(hf_json_get_int(req, req->body, NULL, "priority", false, &priority,
                           err));
    if (priority < 0 || priority > 1000)
        return hf_fail(err, HF_EINVAL, "invalid", "priority",
                       "priority must be from 0 to 1000");
    loc.priority = (int)priority;
    HF_TRY(hf_catalog_location_create(t, req->svc, &loc, err));
    return hf_http_json(req, res, 201,
                        json_pack("{s:s, s:s, s:i}", "code", loc.code, "name",
                                  loc.name, "priority", loc.priority),
                        err);
}

/* --- Products ------------------------------------------------------------ */

static hf_rc post_product(hf_txn *t, hf_request *req, hf_response *res,
                          hf_err *err)
{
    hf_product p;
    memset(&p, 0, sizeof(p));
    json_t *attrs;
    HF_TRY(hf_http_need_object(req, err));
    HF_TRY(hf_json_get_str(req, req->body, NULL, "sku", true, 64, &p.sku, err));
    HF_TRY(hf_json_get_str(req, req->body, NULL, "name", true, MAX_NAME,
                           &p.name, err));
    HF_TRY(hf_json_get_int(req, req->body, NULL, "price", true, &p.price, err));
    HF_TRY(hf_json_get_str(req, req->body, NULL, "currency", true, 3,
                           &p.currency, err));
    HF_TRY(hf_json_get_int(req, req->body, NULL, "cost", false, &p.cost, err));
    HF_TRY(hf_json_get_str(req, req->body, NULL, "category", false, MAX_NAME,
                           &p.category, err));
    HF_TRY(hf_json_get_obj(req, req->body, NULL, "attributes", false, &attrs,
                           err));
    if (attrs != NULL) {
        p.attributes_json = hf_json_text(attrs, req->arena);
        if (p.attributes_json == NULL || strlen(p.attributes_json) > 8192)
            return hf_fail(err, HF_EINVAL, "invalid", "attributes",
                           "attributes must be an object under 8 KiB");
    }
    HF_TRY(hf_catalog_product_create(t, req->svc, &p, err));
    return hf_http_json(req, res, 201, product_json(&p), err);
}

typedef struct product_read {
    hf_request *req;
    hf_product *items;
    size_t n;
} product_read;

static hf_rc read_product(hf_txn *t, void *arg, hf_err *err)
{
    product_read *r = arg;
    r->items = hf_arena_alloc(r->req->arena, sizeof(hf_product));
    if (r->items == NULL)
        return hf_fail(err, HF_ENOMEM, NULL, NULL, "out of memory");
    r->n = 1;
    return hf_txn_product_get(t, r->req->params[0], r->req->arena, r->items,
                              err);
}

static hf_rc get_product(hf_request *req, hf_response *res, hf_err *err)
{
    product_read r = {req, NULL, 0};
    HF_TRY(hf_store_read(req->svc->store, read_product, &r, err));
    return hf_http_json(req, res, 200, product_json(r.items), err);
}

typedef struct product_page {
    hf_request *req;
    const char *after;
    int limit;
    hf_product *items;
    size_t n;
} product_page;

static hf_rc read_products(hf_txn *t, void *arg, hf_err *err)
{
    product_page *p = arg;
    return hf_txn_product_list(t, p->after, p->limit, p->req->arena, &p->items,
                               &p->n, err);
}

static hf_rc get_products(hf_request *req, hf_response *res, hf_err *err)
{
    product_page p = {req, hf_http_query(req, "cursor"), 0, NULL, 0};
    HF_TRY(hf_http_list_limit(req, &p.limit, err));
    HF_TRY(hf_store_read(req->svc->store, read_products, &p, err));
    json_t *data = json_array();
    for (size_t i = 0; i < p.n; i++)
        json_array_append_new(data, product_json(&p.items[i]));
    json_t *next =
        (int)p.n == p.limit ? json_string(p.items[p.n - 1].sku) : json_null();
    return hf_http_json(
        req, res, 200,
        json_pack("{s:o, s:o}", "data", data, "next_cursor", next), err);
}

/* --- Inventory ----------------------------------------------------------- */

static hf_rc post_adjustment(hf_txn *t, hf_request *req, hf_response *res,
                             hf_err *err)
{
    const char *sku, *location, *reason;
    int64_t delta = 0;
    HF_TRY(hf_http_need_object(req, err));
    HF_TRY(hf_json_get_str(req, req->body, NULL, "sku", true, 64, &sku, err));
    HF_TRY(hf_json_get_str(req, req->body, NULL, "location", false, 32,
                           &location, err));
    HF_TRY(hf_json_get_int(req, req->body, NULL, "delta", true, &delta, err));
    HF_TRY(hf_json_get_str(req, req->body, NULL, "reason", false, MAX_NAME,
                           &reason, err));
    hf_inventory inv;
    HF_TRY(hf_catalog_inventory_adjust(t, req->svc, sku, location, delta,
                                       reason, req->actor, req->arena, &inv,
                                       err));
    return hf_http_json(req, res, 201, inventory_json(&inv), err);
}

typedef struct inventory_read {
    hf_request *req;
    hf_inventory inv;
} inventory_read;

static hf_rc read_inventory(hf_txn *t, void *arg, hf_err *err)
{
    inventory_read *r = arg;
    return hf_catalog_inventory_get(t, r->req->params[0], r->req->arena,
                                    &r->inv, err);
}

static hf_rc get_inventory(hf_request *req, hf_response *res, hf_err *err)
{
    inventory_read r = {req, {0}};
    HF_TRY(hf_store_read(req->svc->store, read_inventory, &r, err));
    return hf_http_json(req, res, 200, inventory_json(&r.inv), err);
}

/* --- Customers ----------------------------------------------------------- */

static hf_rc post_customer(hf_txn *t, hf_request *req, hf_response *res,
                           hf_err *err)
{
    hf_customer c;
    memset(&c, 0, sizeof(c));
    HF_TRY(hf_http_need_object(req, err));
    HF_TRY(hf_json_get_str(req, req->body, NULL, "email", true, 254, &c.email,
                           err));
    HF_TRY(hf_json_get_str(req, req->body, NULL, "name", false, MAX_NAME,
                           &c.name, err));
    HF_TRY(hf_json_get_str(req, req->body, NULL, "phone", false, 32, &c.phone,
                           err));
    HF_TRY(hf_catalog_customer_create(t, req->svc, &c, req->arena, err));
    return hf_http_json(req, res, 201, customer_json(&c), err);
}

typedef struct customer_read {
    hf_request *req;
    hf_customer c;
} customer_read;

static hf_rc read_customer(hf_txn *t, void *arg, hf_err *err)
{
    customer_read *r = arg;
    return hf_txn_customer_get(t, r->req->params[0], r->req->arena, &r->c, err);
}

static hf_rc get_customer(hf_request *req, hf_response *res, hf_err *err)
{
    customer_read r = {req, {0}};
    HF_TRY(hf_store_read(req->svc->store, read_customer, &r, err));
    return hf_http_json(req, res, 200, customer_json(&r.c), err);
}

/* --- Orders -------------------------------------------------------------- */

hf_rc hf_http_read_address(hf_request *req, json_t *obj, const char *field,
                           hf_address *ad, hf_err *err)
{
    static const struct {
        const char *name;
        size_t offset;
        bool required;
        size_t max;
    } fields[] = {
        {"name", offsetof(hf_address, name), true, MAX_NAME},
        {"line1", offsetof(hf_address, line1), true, MAX_NAME},
        {"line2", offsetof(hf_address, line2), false, MAX_NAME},
        {"city", offsetof(hf_address, city), true, 100},
        {"region", offsetof(hf_address, region), false, 100},
        {"postal_code", offsetof(hf_address, postal_code), false, 20},
        {"country", offsetof(hf_address, country), true, 2},
        {"phone", offsetof(hf_address, phone), false, 32},
    };
    for (size_t i = 0; i < HF_ARRAY_LEN(fields); i++) {
        const char **slot = (const char **)((char *)ad + fields[i].offset);
        HF_TRY(hf_json_get_str(req, obj, field, fields[i].name,
                               fields[i].required, fields[i].max, slot, err));
    }
    return HF_OK;
}

/* Reads [{"sku", "qty"}, ...] into an arena array. */
static hf_rc read_lines(hf_request *req, json_t *arr, hf_line_request **out,
                        size_t *n, hf_err *err)
{
    size_t count = json_array_size(arr);
    if (count > 100)
        return hf_fail(err, HF_EINVAL, "invalid", "lines", "at most 100 lines");
    hf_line_request *lines =
        hf_arena_zalloc(req->arena, (count + 1) * sizeof(*lines));
    if (lines == NULL)
        return hf_fail(err, HF_ENOMEM, NULL, NULL, "out of memory");
    for (size_t i = 0; i < count; i++) {
        json_t *line = json_array_get(arr, i);
        const char *field = hf_arena_printf(req->arena, "lines[%zu]", i);
        if (!json_is_object(line))
            return hf_fail(err, HF_EMALFORMED, "malformed", field,
                           "%s must be an object", field);
        HF_TRY(hf_json_get_str(req, line, field, "sku", true, 64, &lines[i].sku,
                               err));
        HF_TRY(
            hf_json_get_int(req, line, field, "qty", true, &lines[i].qty, err));
    }
    *out = lines;
    *n = count;
    return HF_OK;
}

static hf_rc read_payment(hf_request *req, json_t *body, hf_payment_info *p,
                          hf_err *err)
{
    json_t *obj;
    const char *capture = NULL;
    memset(p, 0, sizeof(*p));
    HF_TRY(hf_json_get_obj(req, body, NULL, "payment", false, &obj, err));
    if (obj != NULL) {
        HF_TRY(hf_json_get_str(req, obj, "payment", "method", false, 32,
                               &p->method, err));
        HF_TRY(hf_json_get_str(req, obj, "payment", "gateway", false, 32,
                               &p->gateway, err));
        HF_TRY(hf_json_get_str(req, obj, "payment", "token", false, 255,
                               &p->token, err));
        HF_TRY(hf_json_get_str(req, obj, "payment", "capture", false, 16,
                               &capture, err));
    }
    if (p->method == NULL)
        p->method = "card";
    if (p->gateway == NULL)
        p->gateway = "manual";
    if (capture != NULL && !hf_capture_mode_parse(capture, &p->capture))
        return hf_fail(err, HF_EINVAL, "invalid", "payment.capture",
                       "capture must be on_shipment or immediate");
    return HF_OK;
}

static hf_rc post_order(hf_txn *t, hf_request *req, hf_response *res,
                        hf_err *err)
{
    hf_place_request pr;
    memset(&pr, 0, sizeof(pr));
    json_t *customer, *lines, *ship, *bill;
    const char *method;
    HF_TRY(hf_http_need_object(req, err));
    HF_TRY(hf_json_get_str(req, req->body, NULL, "customer_id", false, 64,
                           &pr.customer_id, err));
    HF_TRY(hf_json_get_obj(req, req->body, NULL, "customer",
                           pr.customer_id == NULL, &customer, err));
    if (customer != NULL) {
        HF_TRY(hf_json_get_str(req, customer, "customer", "email",
                               pr.customer_id == NULL, 254, &pr.customer.email,
                               err));
        HF_TRY(hf_json_get_str(req, customer, "customer", "name", false,
                               MAX_NAME, &pr.customer.name, err));
        HF_TRY(hf_json_get_str(req, customer, "customer", "phone", false, 32,
                               &pr.customer.phone, err));
    }
    HF_TRY(hf_json_get_array(req, req->body, NULL, "lines", true, &lines, err));
    HF_TRY(read_lines(req, lines, &pr.lines, &pr.n_lines, err));
    HF_TRY(hf_json_get_obj(req, req->body, NULL, "shipping_address", true,
                           &ship, err));
    HF_TRY(hf_http_read_address(req, ship, "shipping_address",
                                &pr.shipping_address, err));
    HF_TRY(hf_json_get_obj(req, req->body, NULL, "billing_address", false,
                           &bill, err));
    if (bill != NULL) {
        HF_TRY(hf_http_read_address(req, bill, "billing_address",
                                    &pr.billing_address, err));
        pr.has_billing_address = true;
    }
    HF_TRY(hf_json_get_str(req, req->body, NULL, "shipping_method", false, 32,
                           &method, err));
    if (method != NULL &&
        !hf_shipping_method_parse(method, &pr.shipping_method))
        return hf_fail(err, HF_EINVAL, "invalid", "shipping_method",
                       "shipping_method must be standard or expedited");
    HF_TRY(hf_json_get_str(req, req->body, NULL, "channel", false, 32,
                           &pr.channel, err));
    HF_TRY(read_payment(req, req->body, &pr.payment, err));
    HF_TRY(hf_json_get_str(req, req->body, NULL, "currency", false, 8,
                           &pr.currency, err));
    json_t *client;
    HF_TRY(
        hf_json_get_obj(req, req->body, NULL, "client", false, &client, err));
    if (client != NULL) {
        HF_TRY(hf_json_get_str(req, client, "client", "ip", false, 64,
                               &pr.client_ip, err));
        HF_TRY(hf_json_get_str(req, client, "client", "ip_country", false, 8,
                               &pr.client_ip_country, err));
    }
    pr.actor = req->actor;
    hf_order_result out;
    HF_TRY(hf_orders_place_txn(t, req->svc, &pr, req->arena, &out, err));
    return raw(res, 201, out.doc);
}

typedef struct order_read {
    hf_request *req;
    const char *doc;
} order_read;

static hf_rc read_order_doc(hf_txn *t, void *arg, hf_err *err)
{
    order_read *r = arg;
    return hf_txn_order_get_doc(t, r->req->params[0], r->req->arena, &r->doc,
                                err);
}

static hf_rc get_order(hf_request *req, hf_response *res, hf_err *err)
{
    order_read r = {req, NULL};
    HF_TRY(hf_store_read(req->svc->store, read_order_doc, &r, err));
    return raw(res, 200, r.doc);
}

typedef struct order_page {
    hf_request *req;
    hf_order_filter filter;
    const char **docs;
    size_t n;
    int64_t last_seq;
} order_page;

static hf_rc read_orders(hf_txn *t, void *arg, hf_err *err)
{
    order_page *p = arg;
    return hf_txn_order_list_docs(t, &p->filter, p->req->arena, &p->docs, &p->n,
                                  &p->last_seq, err);
}

static hf_rc get_orders(hf_request *req, hf_response *res, hf_err *err)
{
    order_page p;
    memset(&p, 0, sizeof(p));
    p.req = req;
    HF_TRY(hf_http_list_limit(req, &p.filter.limit, err));
    p.filter.status = hf_http_query(req, "status");
    p.filter.customer_id = hf_http_query(req, "customer_id");
    hf_order_status ignored;
    if (p.filter.status && !hf_order_status_parse(p.filter.status, &ignored))
        return hf_fail(err, HF_EINVAL, "invalid", "status", "unknown status %s",
                       p.filter.status);
    const char *cursor = hf_http_query(req, "cursor");
    if (cursor != NULL) {
        char *end;
        p.filter.before_seq = strtoll(cursor, &end, 10);
        if (*cursor == '\0' || *end != '\0' || p.filter.before_seq <= 0)
            return hf_fail(err, HF_EINVAL, "invalid", "cursor",
                           "cursor must come from next_cursor");
    }
    HF_TRY(hf_store_read(req->svc->store, read_orders, &p, err));
    /* splice the stored documents into the list without re-parsing */
    size_t len = 64;
    for (size_t i = 0; i < p.n; i++)
        len += strlen(p.docs[i]) + 1;
    char *body = hf_arena_alloc(req->arena, len);
    if (body == NULL)
        return hf_fail(err, HF_ENOMEM, NULL, NULL, "out of memory");
    char *w = body;
    w += sprintf(w, "{\"data\":[");
    for (size_t i = 0; i < p.n; i++) {
        if (i > 0)
            *w++ = ',';
        size_t n = strlen(p.docs[i]);
        memcpy(w, p.docs[i], n);
        w += n;
    }
    if ((int)p.n == p.filter.limit)
        sprintf(w, "],\"next_cursor\":\"%lld\"}", (long long)p.last_seq);
    else
        sprintf(w, "],\"next_cursor\":null}");
    return raw(res, 200, body);
}

typedef struct events_read {
    hf_request *req;
    hf_order order;
} events_read;

static hf_rc read_events(hf_txn *t, void *arg, hf_err *err)
{
    events_read *r = arg;
    return hf_txn_order_get(t, r->req->params[0], r->req->arena, &r->order,
                            err);
}

static hf_rc get_order_events(hf_request *req, hf_response *res, hf_err *err)
{
    events_read r;
    memset(&r, 0, sizeof(r));
    r.req = req;
    HF_TRY(hf_store_read(req->svc->store, read_events, &r, err));
    hf_jsonw w;
    hf_jw_init(&w, req->arena);
    hf_jw_object(&w);
    hf_jw_key(&w, "data");
    hf_jw_array(&w);
    for (size_t i = 0; i < r.order.n_events; i++)
        hf_order_event_write(&w, &r.order.events[i]);
    hf_jw_array_end(&w);
    hf_jw_object_end(&w);
    const char *body = hf_jw_finish(&w);
    if (body == NULL)
        return hf_fail(err, HF_ENOMEM, NULL, NULL, "out of memory");
    return raw(res, 200, body);
}

typedef struct risk_read {
    hf_request *req;
    hf_order order;
    hf_risk_row row;
} risk_read;

static hf_rc read_risk(hf_txn *t, void *arg, hf_err *err)
{
    risk_read *r = arg;
    hf_rc rc =
        hf_txn_order_get(t, r->req->params[0], r->req->arena, &r->order, err);
    if (rc != HF_OK || !r->order.has_risk || r->req->svc->risk == NULL)
        return rc;
    /* the features as the score saw them: at placement, or as they stand
     * for a score recomputed later (a tracking event set the shipments'
     * delivery features; the hours since placement as of the score) */
    if (r->order.risk_reason != NULL &&
        strcmp(r->order.risk_reason, "placement") != 0)
        return hf_risk_features_now(t, &r->order, r->order.risk_at,
                                    r->req->svc->risk_cache, r->req->arena,
                                    &r->row, err);
    return hf_risk_features(t, &r->order, hf_risk_order_held(&r->order),
                            r->req->svc->risk_cache, r->req->arena, &r->row,
                            err);
}

/* GET /v1/orders/{id}/risk: the placement score and the features that
 * moved it most (SHAP contributions in log-odds); 404 without a score. */
static hf_rc get_order_risk(hf_request *req, hf_response *res, hf_err *err)
{
    risk_read r;
    memset(&r, 0, sizeof(r));
    r.req = req;
    HF_TRY(hf_store_read(req->svc->store, read_risk, &r, err));
    if (!r.order.has_risk || req->svc->risk == NULL)
        return hf_fail(err, HF_ENOTFOUND, "not_found", NULL,
                       "order %s has no risk score", req->params[0]);
    hf_risk_contribution top[HF_RISK_TOP];
    size_t n = 0;
    double now_score = 0;
    HF_TRY(hf_risk_scorer_explain(req->svc->risk, &r.row, &now_score, top, &n,
                                  err));
    hf_jsonw w;
    char num[32];
    hf_jw_init(&w, req->arena);
    hf_jw_object(&w);
    hf_jw_key(&w, "order_id");
    hf_jw_str(&w, r.order.id);
    hf_jw_key(&w, "score");
    snprintf(num, sizeof(num), "%.6f", r.order.risk_score);
    hf_jw_raw(&w, num);
    hf_jw_key(&w, "model");
    hf_jw_str(&w, r.order.risk_model);
    hf_jw_key(&w, "features");
    hf_jw_array(&w);
    for (size_t i = 0; i < n; i++) {
        hf_jw_object(&w);
        hf_jw_key(&w, "name");
        hf_jw_str(&w, top[i].name);
        hf_jw_key(&w, "value");
        hf_jw_str(&w, top[i].value);
        hf_jw_key(&w, "contribution");
        snprintf(num, sizeof(num), "%.6f", top[i].contribution);
        hf_jw_raw(&w, num);
        hf_jw_object_end(&w);
    }
    hf_jw_array_end(&w);
    hf_jw_object_end(&w);
    const char *body = hf_jw_finish(&w);
    if (body == NULL)
        return hf_fail(err, HF_ENOMEM, NULL, NULL, "out of memory");
    return raw(res, 200, body);
}

static hf_rc post_cancel(hf_txn *t, hf_request *req, hf_response *res,
                         hf_err *err)
{
    hf_cancel_request cr;
    memset(&cr, 0, sizeof(cr));
    json_t *lines;
    HF_TRY(hf_http_need_object(req, err));
    cr.order = req->params[0];
    HF_TRY(hf_json_get_str(req, req->body, NULL, "reason", true, 64, &cr.reason,
                           err));
    HF_TRY(hf_json_get_str(req, req->body, NULL, "note", false, MAX_TEXT,
                           &cr.note, err));
    HF_TRY(
        hf_json_get_array(req, req->body, NULL, "lines", false, &lines, err));
    if (lines != NULL)
        HF_TRY(read_lines(req, lines, &cr.lines, &cr.n_lines, err));
    if (lines != NULL && cr.lines == NULL)
        return hf_fail(err, HF_ENOMEM, NULL, NULL, "out of memory");
    cr.actor = req->actor;
    /* an admin or agent (the queue's "Cancel the order") resolves the
     * order's escalations by cancelling it; an integration does not */
    if (req->link_order == NULL && req->role != HF_ROLE_SERVICE)
        cr.agent = req->actor;
    hf_order_result out;
    HF_TRY(hf_orders_cancel_txn(t, req->svc, &cr, req->arena, &out, err));
    return raw(res, 200, out.doc);
}

static hf_rc post_transition(hf_txn *t, hf_request *req, hf_response *res,
                             hf_err *err)
{
    hf_transition_request tr;
    memset(&tr, 0, sizeof(tr));
    HF_TRY(hf_http_need_object(req, err));
    tr.order = req->params[0];
    HF_TRY(hf_json_get_str(req, req->body, NULL, "to", true, 32, &tr.to, err));
    HF_TRY(hf_json_get_str(req, req->body, NULL, "reason", false, MAX_TEXT,
                           &tr.reason, err));
    tr.actor = req->actor;
    hf_order_result out;
    HF_TRY(hf_orders_transition_txn(t, req->svc, &tr, req->arena, &out, err));
    return raw(res, 200, out.doc);
}

/* --- Shipments and tracking ---------------------------------------------- */

/* Renders a shipment (with its events when events is not NULL). */
static hf_rc shipment_reply(hf_request *req, hf_response *res, int status,
                            const hf_shipment *sh,
                            const hf_tracking_event *events, size_t n,
                            hf_err *err)
{
    hf_jsonw w;
    hf_jw_init(&w, req->arena);
    hf_shipment_write(&w, sh, events, n);
    const char *body = hf_jw_finish(&w);
    if (body == NULL)
        return hf_fail(err, HF_ENOMEM, NULL, NULL, "out of memory");
    return raw(res, status, body);
}

static hf_rc post_shipment(hf_txn *t, hf_request *req, hf_response *res,
                           hf_err *err)
{
    hf_ship_request sr;
    memset(&sr, 0, sizeof(sr));
    HF_TRY(hf_http_need_object(req, err));
    sr.order = req->params[0];
    HF_TRY(hf_json_get_str(req, req->body, NULL, "carrier", true, 32,
                           &sr.carrier, err));
    HF_TRY(hf_json_get_str(req, req->body, NULL, "tracking_number", true, 64,
                           &sr.tracking_number, err));
    HF_TRY(hf_json_get_str(req, req->body, NULL, "service_level", false, 32,
                           &sr.service_level, err));
    sr.actor = req->actor;
    hf_shipment sh;
    HF_TRY(hf_tracking_ship_txn(t, req->svc, &sr, req->arena, &sh, err));
    return shipment_reply(req, res, 201, &sh, NULL, 0, err);
}

/* A time field: RFC 3339 text. */
static hf_rc read_time(hf_request *req, json_t *obj, const char *name,
                       bool required, hf_time *out, hf_err *err)
{
    const char *text;
    *out = 0;
    HF_TRY(hf_json_get_str(req, obj, NULL, name, required, 40, &text, err));
    if (text != NULL && hf_time_parse(text, out) != 0)
        return hf_fail(err, HF_EINVAL, "invalid", name,
                       "%s must be an RFC 3339 time such as "
                       "2026-11-22T10:00:00Z",
                       name);
    return HF_OK;
}

/* latitude/longitude: a JSON number within range, kept as its text. */
static hf_rc read_degrees(hf_request *req, json_t *loc, const char *name,
                          double limit, const char **out, hf_err *err)
{
    json_t *v = json_object_get(loc, name);
    *out = NULL;
    if (v == NULL || json_is_null(v))
        return HF_OK;
    const char *field = hf_arena_printf(req->arena, "location.%s", name);
    if (!json_is_number(v))
        return hf_fail(err, HF_EMALFORMED, "malformed", field,
                       "%s must be a number", field);
    double d = json_number_value(v);
    if (d < -limit || d > limit)
        return hf_fail(err, HF_EINVAL, "invalid", field,
                       "%s must be between -%g and %g", field, limit, limit);
    *out = hf_arena_printf(req->arena, "%.6f", d);
    return HF_OK;
}

/* The body of a tracking event, as sent by POST /v1/shipments/{id}/events
 * and by carriers to POST /v1/carriers/{carrier}/events. */
static hf_rc read_scan(hf_request *req, hf_scan_request *sr, hf_err *err)
{
    const char *status;
    json_t *loc;
    hf_tracking_event *e = &sr->event;
    HF_TRY(hf_http_need_object(req, err));
    HF_TRY(hf_json_get_str(req, req->body, NULL, "status", true, 32, &status,
                           err));
    if (!hf_ship_status_parse(status, &e->status))
        return hf_fail(err, HF_EINVAL, "invalid", "status",
                       "status must be label_created, picked_up, in_transit, "
                       "out_for_delivery, delivered or exception");
    HF_TRY(read_time(req, req->body, "time", true, &e->at, err));
    HF_TRY(read_time(req, req->body, "estimated_delivery", false,
                     &e->carrier_estimate, err));
    HF_TRY(hf_json_get_str(req, req->body, NULL, "description", false, MAX_TEXT,
                           &e->description, err));
    HF_TRY(hf_json_get_obj(req, req->body, NULL, "location", false, &loc, err));
    if (loc != NULL) {
        HF_TRY(hf_json_get_str(req, loc, "location", "city", false, 100,
                               &e->city, err));
        HF_TRY(hf_json_get_str(req, loc, "location", "region", false, 100,
                               &e->region, err));
        HF_TRY(hf_json_get_str(req, loc, "location", "country", false, 2,
                               &e->country, err));
        HF_TRY(read_degrees(req, loc, "latitude", 90, &e->latitude, err));
        HF_TRY(read_degrees(req, loc, "longitude", 180, &e->longitude, err));
    }
    sr->actor = req->actor;
    return HF_OK;
}

static hf_rc scan_reply(hf_txn *t, hf_request *req, hf_response *res,
                        hf_scan_request *sr, hf_err *err)
{
    hf_shipment sh;
    bool duplicate;
    HF_TRY(hf_tracking_scan_txn(t, req->svc, sr, req->arena, &sh, &duplicate,
                                err));
    hf_tracking_event *events;
    size_t n;
    HF_TRY(hf_txn_tracking_events(t, sh.seq, req->arena, &events, &n, err));
    /* a repeat of a recorded event is answered 200 and changes nothing */
    return shipment_reply(req, res, duplicate ? 200 : 201, &sh, events, n, err);
}

static hf_rc post_shipment_event(hf_txn *t, hf_request *req, hf_response *res,
                                 hf_err *err)
{
    hf_scan_request sr;
    memset(&sr, 0, sizeof(sr));
    sr.shipment = req->params[0];
    HF_TRY(read_scan(req, &sr, err));
    return scan_reply(t, req, res, &sr, err);
}

static hf_rc post_carrier_event(hf_txn *t, hf_request *req, hf_response *res,
                                hf_err *err)
{
    hf_scan_request sr;
    memset(&sr, 0, sizeof(sr));
    sr.carrier = req->params[0];
    HF_TRY(read_scan(req, &sr, err));
    HF_TRY(hf_json_get_str(req, req->body, NULL, "tracking_number", true, 64,
                           &sr.tracking_number, err));
    return scan_reply(t, req, res, &sr, err);
}

typedef struct shipment_read {
    hf_request *req;
    hf_shipment sh;
    hf_tracking_event *events;
    size_t n;
} shipment_read;

static hf_rc read_shipment(hf_txn *t, void *arg, hf_err *err)
{
    shipment_read *r = arg;
    HF_TRY(
        hf_txn_shipment_get(t, r->req->params[0], r->req->arena, &r->sh, err));
    return hf_txn_tracking_events(t, r->sh.seq, r->req->arena, &r->events,
                                  &r->n, err);
}

static hf_rc get_shipment(hf_request *req, hf_response *res, hf_err *err)
{
    shipment_read r;
    memset(&r, 0, sizeof(r));
    r.req = req;
    HF_TRY(hf_store_read(req->svc->store, read_shipment, &r, err));
    return shipment_reply(req, res, 200, &r.sh, r.events, r.n, err);
}

typedef struct shipment_page {
    hf_request *req;
    const char *order; /* NULL: every order */
    hf_shipment_filter filter;
    hf_shipment *items;
    size_t n;
} shipment_page;

static hf_rc read_shipments(hf_txn *t, void *arg, hf_err *err)
{
    shipment_page *p = arg;
    if (p->order != NULL) {
        hf_order o;
        HF_TRY(hf_txn_order_get(t, p->order, p->req->arena, &o, err));
        p->filter.order_seq = o.seq;
    }
    return hf_txn_shipment_list(t, &p->filter, p->req->arena, &p->items, &p->n,
                                err);
}

static hf_rc shipments_reply(hf_request *req, hf_response *res,
                             shipment_page *p, hf_err *err)
{
    HF_TRY(hf_store_read(req->svc->store, read_shipments, p, err));
    hf_jsonw w;
    hf_jw_init(&w, req->arena);
    hf_jw_object(&w);
    hf_jw_key(&w, "data");
    hf_jw_array(&w);
    for (size_t i = 0; i < p->n; i++)
        hf_shipment_write(&w, &p->items[i], NULL, 0);
    hf_jw_array_end(&w);
    hf_jw_key(&w, "next_cursor");
    if (p->order == NULL && (int)p->n == p->filter.limit) {
        char cursor[24];
        snprintf(cursor, sizeof(cursor), "%lld",
                 (long long)p->items[p->n - 1].seq);
        hf_jw_str(&w, cursor);
    } else {
        hf_jw_null(&w);
    }
    hf_jw_object_end(&w);
    const char *body = hf_jw_finish(&w);
    if (body == NULL)
        return hf_fail(err, HF_ENOMEM, NULL, NULL, "out of memory");
    return raw(res, 200, body);
}

static hf_rc get_shipments(hf_request *req, hf_response *res, hf_err *err)
{
    shipment_page p;
    memset(&p, 0, sizeof(p));
    p.req = req;
    p.filter.delayed = -1;
    HF_TRY(hf_http_list_limit(req, &p.filter.limit, err));
    const char *delayed = hf_http_query(req, "delayed");
    if (delayed != NULL) {
        if (strcmp(delayed, "true") != 0 && strcmp(delayed, "false") != 0)
            return hf_fail(err, HF_EINVAL, "invalid", "delayed",
                           "delayed must be true or false");
        p.filter.delayed = strcmp(delayed, "true") == 0;
        p.filter.open_only = p.filter.delayed; /* delayed and not arrived */
    }
    const char *cursor = hf_http_query(req, "cursor");
    if (cursor != NULL) {
        char *end;
        p.filter.after_seq = strtoll(cursor, &end, 10);
        if (*cursor == '\0' || *end != '\0' || p.filter.after_seq < 0)
            return hf_fail(err, HF_EINVAL, "invalid", "cursor",
                           "cursor must come from next_cursor");
    }
    return shipments_reply(req, res, &p, err);
}

static hf_rc get_order_shipments(hf_request *req, hf_response *res, hf_err *err)
{
    shipment_page p;
    memset(&p, 0, sizeof(p));
    p.req = req;
    p.order = req->params[0];
    p.filter.delayed = -1;
    p.filter.limit = HF_LIST_MAX;
    return shipments_reply(req, res, &p, err);
}

/* --- Notifications -------------------------------------------------------- */

typedef struct feed_read {
    hf_request *req;
    hf_notification *items;
    size_t n;
} feed_read;

static hf_rc read_feed(hf_txn *t, void *arg, hf_err *err)
{
    feed_read *f = arg;
    hf_customer c;
    HF_TRY(hf_txn_customer_get(t, f->req->params[0], f->req->arena, &c, err));
    return hf_txn_notification_list(t, c.id, HF_LIST_MAX, f->req->arena,
                                    &f->items, &f->n, err);
}

static hf_rc get_notifications(hf_request *req, hf_response *res, hf_err *err)
{
    feed_read f = {req, NULL, 0};
    HF_TRY(hf_store_read(req->svc->store, read_feed, &f, err));
    hf_jsonw w;
    hf_jw_init(&w, req->arena);
    hf_jw_object(&w);
    hf_jw_key(&w, "data");
    hf_jw_array(&w);
    for (size_t i = 0; i < f.n; i++) {
        hf_jw_object(&w);
        hf_jw_key(&w, "id");
        hf_jw_int(&w, f.items[i].id);
        hf_jw_key(&w, "kind");
        hf_jw_str(&w, f.items[i].kind);
        hf_jw_key(&w, "title");
        hf_jw_str(&w, f.items[i].title);
        hf_jw_key(&w, "body");
        hf_jw_str(&w, f.items[i].body);
        hf_jw_key(&w, "created_at");
        hf_jw_time(&w, f.items[i].created_at);
        hf_jw_object_end(&w);
    }
    hf_jw_array_end(&w);
    hf_jw_object_end(&w);
    const char *body = hf_jw_finish(&w);
    if (body == NULL)
        return hf_fail(err, HF_ENOMEM, NULL, NULL, "out of memory");
    return raw(res, 200, body);
}

static hf_rc post_preferences(hf_txn *t, hf_request *req, hf_response *res,
                              hf_err *err)
{
    static const char *const channels[] = {"email", "sms", "inapp"};
    HF_TRY(hf_http_need_object(req, err));
    hf_customer c;
    HF_TRY(hf_txn_customer_get(t, req->params[0], req->arena, &c, err));
    hf_time now = hf_clock_now(req->svc->clock);
    json_t *out = json_object();
    for (size_t i = 0; i < HF_ARRAY_LEN(channels); i++) {
        json_t *v = json_object_get(req->body, channels[i]);
        bool opted_out = false;
        if (v != NULL && !json_is_boolean(v))
            return hf_fail(err, HF_EMALFORMED, "malformed", channels[i],
                           "%s must be true (send) or false (do not send)",
                           channels[i]);
        if (v != NULL)
            HF_TRY(hf_txn_preference_put(t, c.id, channels[i], !json_is_true(v),
                                         now, err));
        HF_TRY(hf_txn_preference_get(t, c.id, channels[i], &opted_out, err));
        json_object_set_new(out, channels[i], json_boolean(!opted_out));
    }
    return hf_http_json(req, res, 200, out, err);
}

/* --- The table ----------------------------------------------------------- */

#define ADMIN HF_ROLE_BIT(HF_ROLE_ADMIN)
#define ADMIN_SERVICE                                                          \
    (HF_ROLE_BIT(HF_ROLE_ADMIN) | HF_ROLE_BIT(HF_ROLE_SERVICE))
#define ADMIN_AGENT (HF_ROLE_BIT(HF_ROLE_ADMIN) | HF_ROLE_BIT(HF_ROLE_AGENT))

const hf_route hf_routes[] = {
    /* liveness for load balancers and the test harness; no key */
    {"GET", "/healthz", 0, get_healthz, NULL, NULL},
    /* keys are minted by admins only */
    {"POST", "/v1/api-keys", ADMIN, NULL, post_api_key, NULL},
    {"GET", "/v1/locations", HF_ANY_ROLE, get_locations, NULL, NULL},
    {"POST", "/v1/locations", ADMIN, NULL, post_location, NULL},
    /* the catalog and stock are fed by admins and integrations */
    /* the cancellation KPIs against their targets, from daily aggregates */
    {"GET", "/v1/kpis", HF_ANY_ROLE, hf_get_kpis, NULL, NULL},
    {"GET", "/v1/products", HF_ANY_ROLE, get_products, NULL, NULL},
    {"POST", "/v1/products", ADMIN_SERVICE, NULL, post_product, NULL},
    {"GET", "/v1/products/:sku", HF_ANY_ROLE, get_product, NULL, NULL},
    {"POST", "/v1/inventory/adjustments", ADMIN_SERVICE, NULL, post_adjustment,
     NULL},
    /* per SKU, forecast demand and days of cover (before :sku) */
    {"GET", "/v1/inventory/outlook", HF_ANY_ROLE, hf_get_inventory_outlook,
     NULL, NULL},
    {"GET", "/v1/inventory/:sku", HF_ANY_ROLE, get_inventory, NULL, NULL},
    {"POST", "/v1/customers", ADMIN_SERVICE, NULL, post_customer, NULL},
    {"GET", "/v1/customers/:id", HF_ANY_ROLE, get_customer, NULL, NULL},
    /* the customer's in-app feed, and which channels they want */
    {"GET", "/v1/customers/:id/notifications", HF_ANY_ROLE, get_notifications,
     NULL, NULL},
    {"POST", "/v1/customers/:id/preferences", HF_ANY_ROLE, NULL,
     post_preferences, NULL},
    /* orders come from the store platform (service) or an admin */
    {"GET", "/v1/orders", HF_ANY_ROLE, get_orders, NULL, NULL},
    {"POST", "/v1/orders", ADMIN_SERVICE, NULL, post_order,
     "holdfast_orders_placed_total"},
    {"GET", "/v1/orders/:id", HF_ANY_ROLE, get_order, NULL, NULL},
    {"GET", "/v1/orders/:id/events", HF_ANY_ROLE, get_order_events, NULL, NULL},
    /* the cancellation-risk score and its top features */
    {"GET", "/v1/orders/:id/risk", HF_ANY_ROLE, get_order_risk, NULL, NULL},
    /* live Server-Sent Events: one order's timeline, or every order's */
    {"GET", "/v1/orders/:id/stream", HF_ANY_ROLE, hf_sse_order_stream, NULL,
     NULL},
    {"GET", "/v1/stream", HF_ANY_ROLE, hf_sse_all_stream, NULL, NULL},
    /* agents act on orders for customers */
    {"POST", "/v1/orders/:id/cancel", HF_ANY_ROLE, NULL, post_cancel,
     "holdfast_order_cancellations_total"},
    {"POST", "/v1/orders/:id/transitions", HF_ANY_ROLE, NULL, post_transition,
     "holdfast_order_transitions_total"},
    /* a held order's address, corrected by its shopper (the signed link
     * from the "address needs fixing" message is the key) or by staff */
    {"POST", "/v1/orders/:id/address", 0, NULL, hf_post_order_address,
     "holdfast_address_corrections_total"},
    {"POST", "/v1/orders/:id/shipping-address", ADMIN_AGENT, NULL,
     hf_post_order_shipping_address, "holdfast_address_corrections_total"},
    /* orders held by screening wait here for a person */
    {"GET", "/v1/reviews", ADMIN_AGENT, hf_get_reviews, NULL, NULL},
    {"POST", "/v1/reviews/:id/decision", ADMIN_AGENT, NULL,
     hf_post_review_decision, "holdfast_review_decisions_total"},
    /* the warehouse hands orders to carriers; carriers report scans */
    {"POST", "/v1/orders/:id/shipments", ADMIN_SERVICE, NULL, post_shipment,
     "holdfast_shipments_created_total"},
    {"GET", "/v1/orders/:id/shipments", HF_ANY_ROLE, get_order_shipments, NULL,
     NULL},
    {"GET", "/v1/shipments", HF_ANY_ROLE, get_shipments, NULL, NULL},
    {"GET", "/v1/shipments/:id", HF_ANY_ROLE, get_shipment, NULL, NULL},
    {"POST", "/v1/shipments/:id/events", ADMIN_SERVICE, NULL,
     post_shipment_event, "holdfast_tracking_events_total"},
    {"POST", "/v1/carriers/:carrier/events", ADMIN_SERVICE, NULL,
     post_carrier_event, "holdfast_carrier_events_total"},
    /* cancel requests run the merchant's retention policy: a chat, turn
     * by turn, or the self-service page's request and decision */
    {"POST", "/v1/conversations", HF_ANY_ROLE, NULL, hf_post_conversation,
     "holdfast_conversations_started_total"},
    {"GET", "/v1/conversations/:id", HF_ANY_ROLE, hf_get_conversation, NULL,
     NULL},
    {"POST", "/v1/conversations/:id/messages", HF_ANY_ROLE, NULL,
     hf_post_conversation_message, "holdfast_conversation_turns_total"},
    {"POST", "/v1/orders/:id/cancellation-requests", HF_ANY_ROLE, NULL,
     hf_post_cancellation_request, "holdfast_cancellation_requests_total"},
    {"GET", "/v1/cancellation-requests/:id", HF_ANY_ROLE, hf_get_conversation,
     NULL, NULL},
    {"POST", "/v1/cancellation-requests/:id/decision", HF_ANY_ROLE, NULL,
     hf_post_cancellation_decision, "holdfast_cancellation_decisions_total"},
    /* the cancellation survey: a shopper's signed link is its key */
    {"GET", "/v1/surveys/:token", 0, hf_get_survey, NULL, NULL},
    {"POST", "/v1/surveys/:token", 0, NULL, hf_post_survey,
     "holdfast_surveys_answered_total"},
    /* the agent queue: escalated conversations wait for a person */
    {"GET", "/v1/escalations", ADMIN_AGENT, hf_get_escalations, NULL, NULL},
    {"POST", "/v1/escalations/:id/replies", ADMIN_AGENT, NULL,
     hf_post_escalation_reply, NULL},
    {"POST", "/v1/escalations/:id/close", ADMIN_AGENT, NULL,
     hf_post_escalation_close, NULL},
    {"POST", "/v1/escalations/:id/offers", ADMIN_AGENT, NULL,
     hf_post_escalation_offer, "holdfast_agent_offers_total"},
    /* the agents' tasks: calls the playbooks open for risky orders */
    {"GET", "/v1/tasks", ADMIN_AGENT, hf_get_tasks, NULL, NULL},
    {"POST", "/v1/tasks/:id/done", ADMIN_AGENT, NULL, hf_post_task_done, NULL},
    /* experiments with retention policies: managers start and stop them,
     * everyone may read their results */
    {"POST", "/v1/experiments", ADMIN, NULL, hf_post_experiment, NULL},
    {"GET", "/v1/experiments", HF_ANY_ROLE, hf_get_experiments, NULL, NULL},
    {"GET", "/v1/experiments/:id", HF_ANY_ROLE, hf_get_experiment, NULL, NULL},
    {"GET", "/v1/experiments/:id/results", HF_ANY_ROLE,
     hf_get_experiment_results, NULL, NULL},
    {"POST", "/v1/experiments/:id/stop", ADMIN, NULL, hf_post_experiment_stop,
     NULL},
    /* what drives cancellations: slices above the norm, correlations */
    {"GET", "/v1/kpis/drivers", HF_ANY_ROLE, hf_get_kpi_drivers, NULL, NULL},
    /* a shopper's signed link to their order, minted for staff to send;
     * the survey link the order page opens after a cancellation (which
     * routes a link opens: hf_shopper_routes, http/shopper_routes.c) */
    {"POST", "/v1/orders/:id/links", ADMIN_AGENT, NULL, hf_post_order_link,
     NULL},
    {"GET", "/v1/orders/:id/survey", ADMIN_AGENT, hf_get_order_survey, NULL,
     NULL},
    /* the policy editor: lint and explain as typed, publish a version,
     * and the test screen's dry runs */
    {"GET", "/v1/policies", ADMIN_AGENT, hf_get_policies, NULL, NULL},
    {"GET", "/v1/policies/versions", ADMIN_AGENT, hf_get_policy_versions, NULL,
     NULL},
    {"GET", "/v1/policies/versions/:id", ADMIN_AGENT, hf_get_policy_version,
     NULL, NULL},
    {"POST", "/v1/policies/lint", ADMIN_AGENT, NULL, hf_post_policy_lint, NULL},
    {"POST", "/v1/policies/publish", ADMIN, NULL, hf_post_policy_publish,
     "holdfast_policies_published_total"},
    {"POST", "/v1/policies/test", ADMIN_AGENT, NULL, hf_post_policy_test, NULL},
    /* the dashboard's orders at risk of cancellation, riskiest first */
    {"GET", "/v1/risk/orders", ADMIN_AGENT, hf_get_orders_at_risk, NULL, NULL},
};
const size_t hf_routes_count = HF_ARRAY_LEN(hf_routes);

/* Matches path against pattern, capturing ":x" segments. */
static bool match(const char *pattern, const char *path, hf_arena *a,
                  const char *params[HF_MAX_PATH_PARAMS])
{
    int n = 0;
    while (*pattern && *path) {
        if (*pattern == ':') {
            const char *end = strchr(path, '/');
            size_t len = end ? (size_t)(end - path) : strlen(path);
            if (len == 0 || n == HF_MAX_PATH_PARAMS)
                return false;
            if (params != NULL)
                params[n] = hf_arena_strndup(a, path, len);
            n++;
            path += len;
            while (*pattern && *pattern != '/')
                pattern++;
            continue;
        }
        if (*pattern++ != *path++)
            return false;
    }
    return *pattern == '\0' && *path == '\0';
}

const hf_route *hf_route_match(const char *method, const char *path,
                               hf_arena *a,
                               const char *params[HF_MAX_PATH_PARAMS],
                               bool *path_known)
{
    *path_known = false;
    for (size_t i = 0; i < hf_routes_count; i++) {
        const hf_route *r = &hf_routes[i];
        if (!match(r->pattern, path, a, NULL))
            continue;
        *path_known = true;
        if (strcmp(r->method, method) == 0) {
            match(r->pattern, path, a, params);
            return r;
        }
    }
    return NULL;
}

/* The writes documented without a request body: whatever body is sent
 * (none, typically) is not read, and the handler sees {}. */
static const char *const routes_without_body[] = {
    "/v1/experiments/:id/stop", /* stopping takes nothing but the id */
};

bool hf_route_takes_body(const hf_route *r)
{
    for (size_t i = 0; i < HF_ARRAY_LEN(routes_without_body); i++)
        if (strcmp(r->pattern, routes_without_body[i]) == 0)
            return false;
    return true;
}
