/*
 * test_kpi_stream.c - the KPIs' aggregates and the experiments, driven
 * through the real services on a manual clock (weeks of history in a
 * second), on the test's database (SQLite, or PostgreSQL in the pg pass).
 *
 * 1. A random stream of events over 70 days (placements, status changes
 *    to shipment and delivery, cancellations, self-service requests with
 *    offers accepted or declined or handed to an agent, chat
 *    conversations, agents closing escalations, survey answers, an
 *    experiment started and stopped) keeps the aggregates as it goes;
 *    recomputing them from the base tables gives exactly the same
 *    counters. A counter changed behind the aggregates' back is found by
 *    the check and mended by the rebuild; `holdfast kpi check` agrees.
 * 2. An experiment with two policy arms and a holdout: the holdout is
 *    offered nothing and cancels, the arms are offered their policy's
 *    offers; a customer who kept an offer gets none for the cooldown; the
 *    results (customers, requests, saved, save rate, revenue kept, CSAT)
 *    match counts made by hand from the assignment.
 *
 * The server the harness starts only makes the database (and its keys);
 * it is stopped before the test opens the store itself.
 */
#include "harness.h"

#include "services/analytics.h"
#include "services/catalog.h"
#include "services/conversations.h"
#include "services/escalations.h"
#include "services/experiments.h"
#include "services/links.h"
#include "services/outlook.h"
#include "services/orders.h"
#include "services/retention.h"
#include "services/surveys.h"
#include "util/mem.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { N_CUSTOMERS = 24, N_PRODUCTS = 5, MAX_ORDERS = 400 };

/* The day the simulated history begins: 2026-01-05T09:00:00Z. */
#define START ((hf_time)1767603600000LL)

typedef struct world {
    hf_test_server *ts;
    hf_services svc;
    hf_clock *clock;
    hf_arena *a;
    uint64_t rng;
    /* what the stream made, by id */
    char orders[MAX_ORDERS][48];
    int n_orders;
    char requests[MAX_ORDERS][48]; /* open self-service requests */
    int n_requests;
    /* what happened, to show the stream covered every kind of event */
    int placed, moved, cancelled, requested, accepted, declined, escalated,
        closed, chats, surveys;
} world;

static uint64_t next(world *w)
{
    /* xorshift64*: enough for a reproducible test stream */
    w->rng ^= w->rng >> 12;
    w->rng ^= w->rng << 25;
    w->rng ^= w->rng >> 27;
    return w->rng * 2685821657736338717ULL;
}

static int below(world *w, int n)
{
    return (int)(next(w) % (uint64_t)n);
}

/* --- Opening the services on the test's database ------------------------ */

static world *open_world(void)
{
    world *w = calloc(1, sizeof(*w));
    assert_non_null(w);
    w->ts = ts_start();
    assert_non_null(w->ts);
    ts_stop(w->ts); /* it only made the database */
    hf_err err;
    hf_err_clear(&err);
    w->clock = hf_clock_manual(START);
    w->a = hf_arena_new(0);
    assert_non_null(w->a);
    w->svc.clock = w->clock;
    w->svc.last_cancellable = HF_STATUS_PACKED;
    if (hf_store_open(w->ts->db, &w->svc.store, &err) != HF_OK ||
        hf_links_init(&w->svc, &err) != HF_OK)
        fail_msg("store: %s", err.message);
    hf_retention_config rc = {
        .policy_dir = getenv("HOLDFAST_POLICIES"),
        .intents_model = getenv("HOLDFAST_INTENTS_MODEL"),
    };
    if (hf_retention_open(&rc, &w->svc.retention, &err) != HF_OK)
        fail_msg("retention: %s", err.message);
    w->rng = 0x9E3779B97F4A7C15ULL;
    return w;
}

static void close_world(world *w)
{
    hf_retention_close(w->svc.retention);
    hf_store_close(w->svc.store);
    hf_clock_free(w->clock);
    hf_arena_free(w->a);
    ts_free(w->ts);
    free(w);
}

/* One operation in its own write; its JSON answer parsed (or NULL). */
typedef hf_rc (*op_fn)(world *w, hf_txn *t, const void *arg, const char **json,
                       hf_err *err);

typedef struct op_call {
    world *w;
    op_fn fn;
    const void *arg;
    const char *json;
} op_call;

static hf_rc run_op(hf_txn *t, void *arg, hf_err *err)
{
    op_call *c = arg;
    c->json = NULL;
    return c->fn(c->w, t, c->arg, &c->json, err);
}

/* Runs fn in a write; returns its rc and, in *out (may be NULL), the
 * parsed answer. */
static hf_rc op(world *w, op_fn fn, const void *arg, json_t **out)
{
    op_call c = {w, fn, arg, NULL};
    hf_err err;
    hf_err_clear(&err);
    hf_arena_reset(w->a);
    hf_rc rc = hf_store_write(w->svc.store, run_op, &c, &err);
    if (out != NULL)
        *out = rc == HF_OK && c.json ? json_loads(c.json, 0, NULL) : NULL;
    return rc;
}

/* --- The shop ------------------------------------------------------------- */

static const struct {
    const char *sku, *category;
    long price;
} products[N_PRODUCTS] = {
    {"ks-tee", "apparel", 2500},        {"ks-hoodie", "apparel", 5900},
    {"ks-lamp", "home", 4900},          {"ks-mug", "home", 1500},
    {"ks-phone", "electronics", 39900},
};

static const struct {
    const char *city, *region, *postal;
} places[] = {
    {"Springfield", "IL", "62701"},
    {"Austin", "TX", "78701"},
    {"Portland", "OR", "97201"},
};

static hf_rc make_shop(world *w, hf_txn *t, const void *arg, const char **json,
                       hf_err *err)
{
    (void)arg;
    (void)json;
    for (int i = 0; i < N_PRODUCTS; i++) {
        hf_product p = {products[i].sku,
                        products[i].sku,
                        products[i].price,
                        products[i].price / 3,
                        "USD",
                        products[i].category,
                        NULL,
                        true,
                        0};
        hf_inventory inv;
        hf_rc rc = hf_catalog_product_create(t, &w->svc, &p, err);
        if (rc == HF_OK)
            rc = hf_catalog_inventory_adjust(t, &w->svc, p.sku, "main", 100000,
                                             "received", "test", w->a, &inv,
                                             err);
        if (rc != HF_OK)
            return rc;
    }
    return HF_OK;
}

typedef struct place_arg {
    int customer, product, qty, channel, place;
} place_arg;

static hf_rc place(world *w, hf_txn *t, const void *arg, const char **json,
                   hf_err *err)
{
    const place_arg *p = arg;
    static const char *const channels[] = {"web", "phone", "marketplace"};
    hf_line_request line = {products[p->product].sku, p->qty};
    hf_place_request req;
    memset(&req, 0, sizeof(req));
    req.customer.email =
        hf_arena_printf(w->a, "stream%02d@example.com", p->customer);
    req.customer.name = "Kay Stream";
    req.lines = &line;
    req.n_lines = 1;
    req.shipping_address = (hf_address){"Kay Stream",
                                        "1 Main St",
                                        NULL,
                                        places[p->place].city,
                                        places[p->place].region,
                                        places[p->place].postal,
                                        "US",
                                        NULL};
    req.shipping_method = HF_SHIP_STANDARD;
    req.channel = channels[p->channel];
    req.payment.method = "card";
    req.payment.gateway = "manual";
    req.actor = "test";
    hf_order_result out;
    hf_rc rc = hf_orders_place_txn(t, &w->svc, &req, w->a, &out, err);
    if (rc == HF_OK)
        *json = out.doc;
    return rc;
}

/* Places an order; returns its index in w->orders, or -1. */
static int place_order(world *w, int customer, int product)
{
    place_arg p = {customer, product, 1 + below(w, 2), below(w, 3),
                   below(w, 3)};
    json_t *doc;
    if (w->n_orders == MAX_ORDERS || op(w, place, &p, &doc) != HF_OK)
        return -1;
    snprintf(w->orders[w->n_orders], sizeof(w->orders[0]), "%s",
             ts_str(doc, "id"));
    json_decref(doc);
    w->placed++;
    return w->n_orders++;
}

typedef struct order_arg {
    const char *order;
    const char *what; /* a status, a reason, a message ... */
    int kind;         /* what the operation needs beside */
} order_arg;

static hf_rc move(world *w, hf_txn *t, const void *arg, const char **json,
                  hf_err *err)
{
    const order_arg *o = arg;
    hf_transition_request req = {o->order, o->what, NULL, "test", 0};
    hf_order_result out;
    (void)json;
    return hf_orders_transition_txn(t, &w->svc, &req, w->a, &out, err);
}

/* Moves an order one status on, if it can go. */
static void move_on(world *w, const char *order)
{
    static const char *const path[] = {"allocated", "picking", "packed",
                                       "shipped", "delivered"};
    for (size_t i = 0; i < sizeof(path) / sizeof(path[0]); i++) {
        order_arg o = {order, path[i], 0};
        if (op(w, move, &o, NULL) == HF_OK) {
            w->moved++;
            return;
        }
    }
}

static hf_rc cancel(world *w, hf_txn *t, const void *arg, const char **json,
                    hf_err *err)
{
    const order_arg *o = arg;
    hf_cancel_request req = {
        .order = o->order, .reason = o->what, .actor = "test"};
    hf_order_result out;
    (void)json;
    return hf_orders_cancel_txn(t, &w->svc, &req, w->a, &out, err);
}

static hf_rc request(world *w, hf_txn *t, const void *arg, const char **json,
                     hf_err *err)
{
    const order_arg *o = arg;
    return hf_cancellation_request_txn(t, &w->svc, o->order, o->what, NULL,
                                       "test", w->a, json, err);
}

/* A decision on a request: kind is the input (accept takes offer what). */
static hf_rc decide(world *w, hf_txn *t, const void *arg, const char **json,
                    hf_err *err)
{
    const order_arg *o = arg;
    hf_turn_request req = {.conversation = o->order,
                           .kind = (hf_input_kind)o->kind,
                           .offer_id = o->what,
                           .actor = "test"};
    return hf_conversation_turn_txn(t, &w->svc, &req, w->a, json, err);
}

static hf_rc chat_start(world *w, hf_txn *t, const void *arg, const char **json,
                        hf_err *err)
{
    const order_arg *o = arg;
    return hf_conversation_start_txn(t, &w->svc, o->order, "chat", "test", w->a,
                                     json, err);
}

static hf_rc chat_say(world *w, hf_txn *t, const void *arg, const char **json,
                      hf_err *err)
{
    const order_arg *o = arg;
    hf_turn_request req = {.conversation = o->order,
                           .kind = HF_INPUT_MESSAGE,
                           .text = o->what,
                           .actor = "customer"};
    return hf_conversation_turn_txn(t, &w->svc, &req, w->a, json, err);
}

/* The oldest open escalation; HF_ENOTFOUND when none. */
static hf_rc oldest_open(world *w, hf_txn *t, hf_escalation *out, hf_err *err)
{
    hf_escalation *e;
    size_t n;
    hf_rc rc = hf_txn_escalation_list(t, "open", 0, 1, w->a, &e, &n, err);
    if (rc == HF_OK && n == 0)
        rc = hf_fail(err, HF_ENOTFOUND, "none", NULL, "no open escalation");
    if (rc == HF_OK)
        *out = e[0];
    return rc;
}

static hf_rc close_one(world *w, hf_txn *t, const void *arg, const char **json,
                       hf_err *err)
{
    (void)arg;
    hf_escalation e;
    hf_rc rc = oldest_open(w, t, &e, err);
    return rc == HF_OK
               ? hf_escalation_close_txn(t, &w->svc, e.id, "kept the order",
                                         "agent:test", w->a, json, err)
               : rc;
}

/* An agent in the queue cancels the order of the oldest open escalation,
 * which closes it as the agent's. */
static hf_rc cancel_one(world *w, hf_txn *t, const void *arg, const char **json,
                        hf_err *err)
{
    (void)arg;
    (void)json;
    hf_escalation e;
    hf_rc rc = oldest_open(w, t, &e, err);
    if (rc != HF_OK)
        return rc;
    hf_cancel_request req = {.order = e.order_id,
                             .reason = "changed_mind",
                             .actor = "agent:cx",
                             .agent = "agent:cx"};
    hf_order_result out;
    return hf_orders_cancel_txn(t, &w->svc, &req, w->a, &out, err);
}

/* The closed escalations, up to 200 (the stream closes fewer). */
static hf_rc closed_list(world *w, hf_txn *t, const void *arg,
                         const char **json, hf_err *err)
{
    (void)arg;
    return hf_escalation_list_txn(t, "closed", NULL, 200, w->a, json, err);
}

static hf_rc answer(world *w, hf_txn *t, const void *arg, const char **json,
                    hf_err *err)
{
    const order_arg *o = arg;
    const char *token = hf_links_token(&w->svc, w->a, "survey", o->order, 30);
    hf_survey_answer s = {"shipping_delay", NULL, o->kind, o->kind >= 4, 0};
    return hf_survey_answer_txn(t, &w->svc, token, &s, w->a, json, err);
}

/* The first offer's id of a request's answer, or NULL. */
static const char *first_offer(json_t *doc)
{
    json_t *offers = json_object_get(doc, "offers");
    return json_string_value(json_object_get(json_array_get(offers, 0), "id"));
}

/* A self-service request: a third take the first offer at once, the
 * others wait for decide_one. */
static void self_service(world *w, const char *order)
{
    static const char *const reasons[] = {"changed_mind", "shipping_delay",
                                          "found_better_price",
                                          "ordered_by_mistake"};
    order_arg o = {order, reasons[below(w, 4)], 0};
    json_t *doc;
    if (op(w, request, &o, &doc) != HF_OK)
        return;
    w->requested++;
    const char *offer = first_offer(doc);
    order_arg acc = {ts_str(doc, "id"), offer, HF_INPUT_ACCEPT};
    if (offer != NULL && below(w, 3) == 0) {
        if (op(w, decide, &acc, NULL) == HF_OK)
            w->accepted++;
    } else if (w->n_requests < MAX_ORDERS)
        snprintf(w->requests[w->n_requests++], sizeof(w->requests[0]), "%s",
                 ts_str(doc, "id"));
    json_decref(doc);
}

/* Decides the oldest open request: decline (cancel) or ask for a person. */
static void decide_one(world *w)
{
    if (w->n_requests == 0)
        return;
    order_arg d = {w->requests[0], NULL,
                   below(w, 2) ? HF_INPUT_DECLINE : HF_INPUT_AGENT};
    if (op(w, decide, &d, NULL) == HF_OK)
        *(d.kind == HF_INPUT_AGENT ? &w->escalated : &w->declined) += 1;
    memmove(w->requests[0], w->requests[1],
            (size_t)(w->n_requests - 1) * sizeof(w->requests[0]));
    w->n_requests--;
}

static void chat(world *w, const char *order)
{
    static const char *const lines[] = {
        "I want to cancel my order", "Please cancel this order now",
        "Can I talk to a real person please", "I changed my mind, cancel it"};
    order_arg o = {order, NULL, 0};
    json_t *doc;
    if (op(w, chat_start, &o, &doc) != HF_OK)
        return;
    w->chats++;
    order_arg say = {ts_str(doc, "id"), lines[below(w, 4)], 0};
    op(w, chat_say, &say, NULL);
    if (below(w, 2)) {
        say.what = lines[below(w, 4)];
        op(w, chat_say, &say, NULL);
    }
    json_decref(doc);
}

/* Adds 1 to a counter behind the aggregates' back. */
static hf_rc tamper(world *w, hf_txn *t, const void *arg, const char **json,
                    hf_err *err)
{
    static const char *const dims[] = {"all", "channel", "region", "category",
                                       "product"};
    static const char *const values[] = {"", "web", "US-IL", "home", "ks-mug"};
    (void)w;
    (void)arg;
    (void)json;
    return hf_txn_kpi_add(t, START / HF_DAY + 3, 5, dims, values, "placed", 1,
                          err);
}

static hf_rc start_experiment(world *w, hf_txn *t, const void *arg,
                              const char **json, hf_err *err)
{
    (void)arg;
    hf_experiment_spec spec = {
        .name = "stream",
        .arms = {{"retention", "Cancellation_retention_policy", false, 2},
                 {"holdout", NULL, true, 1}},
        .n_arms = 2,
        .offer_cooldown_days = 30};
    return hf_experiment_create_txn(t, &w->svc, &spec, w->a, json, err);
}

static hf_rc stop_experiment(world *w, hf_txn *t, const void *arg,
                             const char **json, hf_err *err)
{
    return hf_experiment_stop_txn(t, &w->svc, arg, w->a, json, err);
}

static hf_kpi_rebuild check(world *w, bool check_only)
{
    hf_kpi_rebuild r;
    hf_err err;
    hf_err_clear(&err);
    if (hf_analytics_rebuild(w->svc.store, check_only, &r, &err) != HF_OK)
        fail_msg("rebuild: %s", err.message);
    return r;
}

static void test_incremental_equals_rebuild(void **state)
{
    (void)state;
    world *w = open_world();
    assert_int_equal(op(w, make_shop, NULL, NULL), HF_OK);
    char experiment[64] = "";
    for (int step = 0; step < 900; step++) {
        hf_clock_advance(w->clock, (hf_time)below(w, 170) * HF_MINUTE);
        hf_time day = (hf_clock_now(w->clock) - START) / HF_DAY;
        if (day == 20 && experiment[0] == '\0') {
            json_t *doc;
            assert_int_equal(op(w, start_experiment, NULL, &doc), HF_OK);
            snprintf(experiment, sizeof(experiment), "%s", ts_str(doc, "id"));
            json_decref(doc);
        }
        if (day == 50 && experiment[0] != '\0' &&
            strcmp(experiment, "stopped") != 0) {
            assert_int_equal(op(w, stop_experiment, experiment, NULL), HF_OK);
            snprintf(experiment, sizeof(experiment), "stopped");
        }
        int what = below(w, 100);
        const char *order =
            w->n_orders ? w->orders[below(w, w->n_orders)] : NULL;
        if (what < 30 || order == NULL)
            place_order(w, below(w, N_CUSTOMERS), below(w, N_PRODUCTS));
        else if (what < 58)
            move_on(w, order);
        else if (what < 64) {
            static const char *const reasons[] = {
                "shipping_delay", "changed_mind", "found_better_price",
                "ordered_by_mistake"};
            order_arg o = {order, reasons[below(w, 4)], 0};
            if (op(w, cancel, &o, NULL) == HF_OK)
                w->cancelled++;
        } else if (what < 76)
            self_service(w, order);
        else if (what < 84)
            decide_one(w);
        else if (what < 89)
            chat(w, order);
        else if (what < 91) {
            if (op(w, close_one, NULL, NULL) == HF_OK)
                w->closed++;
        } else if (what < 93) {
            op(w, cancel_one, NULL, NULL);
        } else {
            order_arg o = {order, NULL, 1 + below(w, 5)};
            if (op(w, answer, &o, NULL) == HF_OK)
                w->surveys++;
        }
    }
    /* the stream touched every kind of event */
    fprintf(stderr,
            "stream: %d placed, %d moves, %d cancelled, %d requests (%d "
            "accepted, %d declined, %d to an agent), %d chats, %d closed, %d "
            "surveys\n",
            w->placed, w->moved, w->cancelled, w->requested, w->accepted,
            w->declined, w->escalated, w->chats, w->closed, w->surveys);
    assert_true(w->placed >= 100 && w->moved >= 100 && w->cancelled >= 10);
    assert_true(w->requested >= 30 && w->accepted >= 5 && w->declined >= 5);
    assert_true(w->escalated >= 3 && w->closed >= 1 && w->chats >= 10);
    assert_true(w->surveys >= 5);
    /* escalations closed by an agent, and by their order's cancellation
     * (no agent): the check covers both */
    json_t *closed, *e;
    size_t i;
    int by_cancellation = 0, by_agents_cancelling = 0;
    assert_int_equal(op(w, closed_list, NULL, &closed), HF_OK);
    json_array_foreach(json_object_get(closed, "escalations"), i, e)
    {
        const char *agent = json_string_value(json_object_get(e, "agent"));
        by_cancellation += agent == NULL;
        by_agents_cancelling += agent && strcmp(agent, "agent:cx") == 0;
    }
    json_decref(closed);
    fprintf(stderr,
            "stream: %d escalations closed by a cancellation, %d by an "
            "agent's\n",
            by_cancellation, by_agents_cancelling);
    assert_true(by_cancellation >= 1 && by_agents_cancelling >= 1);

    /* the kept counters are what the base tables say */
    hf_kpi_rebuild r = check(w, true);
    if (r.differences != 0)
        fail_msg("%lld counters differ, first: %s", (long long)r.differences,
                 r.first_difference);
    assert_true(r.rows_before > 500);
    assert_int_equal(r.rows_after, r.rows_before);
    assert_int_equal(r.orders, w->placed);

    /* a counter changed behind their back is found, and mended */
    assert_int_equal(op(w, tamper, NULL, NULL), HF_OK);
    r = check(w, true);
    assert_int_equal(r.differences, 5);
    assert_non_null(strstr(r.first_difference, "placed"));
    r = check(w, false);
    assert_int_equal(r.differences, 5);
    r = check(w, true);
    assert_int_equal(r.differences, 0);

    /* the command line's check agrees */
    char cmd[16384], out[4096] = "";
    snprintf(cmd, sizeof(cmd), "'%s' kpi check --db '%s'", w->ts->bin,
             w->ts->db);
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    size_t n = fread(out, 1, sizeof(out) - 1, p);
    out[n] = '\0';
    assert_int_equal(pclose(p), 0);
    if (strstr(out, "\n0 differ") == NULL)
        fail_msg("holdfast kpi check said:\n%s", out);
    close_world(w);
}

/* --- Experiments ---------------------------------------------------------- */

static hf_rc start_ab(world *w, hf_txn *t, const void *arg, const char **json,
                      hf_err *err)
{
    (void)arg;
    hf_experiment_spec spec = {
        .name = "policies",
        .arms = {{"plain", "Cancellation_retention_policy", false, 1},
                 {"bigcommerce",
                  "Cancellation_retention_policy_BigCommerce_Kustomer", false,
                  1},
                 {"holdout", NULL, true, 1}},
        .n_arms = 3,
        .offer_cooldown_days = -1};
    return hf_experiment_create_txn(t, &w->svc, &spec, w->a, json, err);
}

static hf_rc results(world *w, hf_txn *t, const void *arg, const char **json,
                     hf_err *err)
{
    return hf_experiment_results_txn(t, &w->svc, arg, w->a, json, err);
}

/* The order's total and discount now. */
static hf_rc order_money(world *w, hf_txn *t, const void *arg,
                         const char **json, hf_err *err)
{
    hf_order o;
    hf_rc rc = hf_txn_order_get(t, arg, w->a, &o, err);
    if (rc == HF_OK)
        *json = hf_arena_printf(w->a, "{\"total\": %lld, \"discount\": %lld}",
                                (long long)hf_order_total(&o),
                                (long long)o.discount_total);
    return rc;
}

typedef struct hand {
    int customers, requests, saved, csat_n, csat_sum;
    long long kept, discounts;
} hand;

static const json_t *arm_named(const json_t *doc, const char *name)
{
    const json_t *arm;
    size_t i;
    json_array_foreach(json_object_get(doc, "arms"), i, arm)
    {
        if (strcmp(ts_str(arm, "name"), name) == 0)
            return arm;
    }
    fail_msg("no arm %s", name);
    return NULL;
}

/* Places an order for customer c and opens a self-service request on it;
 * writes the order's id and customer's id; returns the request's answer. */
static json_t *order_and_request(world *w, int c, char order[64],
                                 char customer[64])
{
    place_arg p = {c, c % N_PRODUCTS, 1, 0, 0};
    json_t *doc;
    assert_int_equal(op(w, place, &p, &doc), HF_OK);
    snprintf(order, 64, "%s", ts_str(doc, "id"));
    snprintf(customer, 64, "%s",
             ts_str(json_object_get(doc, "customer"), "id"));
    json_decref(doc);
    order_arg o = {order, "changed_mind", 0};
    assert_int_equal(op(w, request, &o, &doc), HF_OK);
    return doc;
}

static void test_experiment_with_holdout(void **state)
{
    (void)state;
    enum { HOLDOUT = 2 };
    static const char *const names[] = {"plain", "bigcommerce", "holdout"};
    world *w = open_world();
    assert_int_equal(op(w, make_shop, NULL, NULL), HF_OK);
    json_t *doc;
    assert_int_equal(op(w, start_ab, NULL, &doc), HF_OK);
    char exp[64];
    snprintf(exp, sizeof(exp), "%s", ts_str(doc, "id"));
    assert_string_equal(ts_str(doc, "status"), "running");
    assert_int_equal(ts_int(doc, "offer_cooldown_days"), 90);
    json_decref(doc);
    /* before anyone asks to cancel, every arm is empty */
    assert_int_equal(op(w, results, exp, &doc), HF_OK);
    for (int i = 0; i < 3; i++)
        assert_int_equal(ts_int(arm_named(doc, names[i]), "requests"), 0);
    json_decref(doc);

    hand h[3];
    memset(h, 0, sizeof(h));
    const int weights[] = {1, 1, 1};
    char keeper[64] = ""; /* a customer who kept an offer */
    int holdout_c = -1;   /* one who cancelled in the holdout */
    /* customers until every arm has 8 (ids are random: how many it takes
     * varies, never the outcome) */
    int c = 0;
    for (; c < 400 &&
           (h[0].requests < 8 || h[1].requests < 8 || h[2].requests < 8);
         c++) {
        char order[64], customer[64];
        json_t *req = order_and_request(w, c, order, customer);
        size_t arm = hf_experiment_pick(exp, customer, weights, 3);
        /* the same customer, the same arm */
        assert_int_equal(hf_experiment_pick(exp, customer, weights, 3), arm);
        hand *x = &h[arm];
        x->customers++;
        x->requests++;
        const char *offer = first_offer(req);
        if (arm == HOLDOUT) {
            /* told it is cancelled per policy, offered nothing */
            assert_null(offer);
        } else if (offer == NULL)
            fail_msg("arm %s offered nothing: %s", names[arm],
                     json_dumps(req, 0));
        /* even customers keep the order (the arms by their first offer,
         * the holdout by not confirming); odd ones cancel */
        order_arg d = {ts_str(req, "id"), offer,
                       c % 2 == 0 ? HF_INPUT_ACCEPT : HF_INPUT_DECLINE};
        if (c % 2 != 0 || arm != HOLDOUT)
            assert_int_equal(op(w, decide, &d, NULL), HF_OK);
        if (c % 2 != 0 && arm == HOLDOUT)
            holdout_c = c;
        if (c % 2 == 0) {
            json_t *money;
            assert_int_equal(op(w, order_money, order, &money), HF_OK);
            x->saved++;
            x->kept += ts_int(money, "total");
            x->discounts += ts_int(money, "discount");
            json_decref(money);
            if (arm != HOLDOUT && keeper[0] == '\0')
                snprintf(keeper, sizeof(keeper), "%d", c);
        }
        if (c % 3 == 0) {
            order_arg s = {order, NULL, 1 + c % 5};
            assert_int_equal(op(w, answer, &s, NULL), HF_OK);
            x->csat_n++;
            x->csat_sum += 1 + c % 5;
        }
        json_decref(req);
        hf_clock_advance(w->clock, 7 * HF_MINUTE);
    }
    fprintf(stderr, "arms: %d %d %d customers\n", h[0].requests, h[1].requests,
            h[2].requests);
    for (int i = 0; i < 3; i++)
        assert_true(h[i].requests >= 8);

    /* a customer who kept an offer asks again: no offer, in no arm */
    assert_true(keeper[0] != '\0');
    char order[64], customer[64];
    json_t *again = order_and_request(w, atoi(keeper), order, customer);
    assert_null(first_offer(again));
    json_decref(again);

    /* 30 days on, every request's fate is known */
    hf_clock_advance(w->clock, 31 * HF_DAY);
    assert_int_equal(op(w, results, exp, &doc), HF_OK);
    assert_int_equal(ts_int(doc, "cooldown_requests"), 1);
    for (int i = 0; i < 3; i++) {
        const json_t *arm = arm_named(doc, names[i]);
        assert_int_equal(ts_int(arm, "customers"), h[i].customers);
        assert_int_equal(ts_int(arm, "requests"), h[i].requests);
        assert_int_equal(ts_int(arm, "saved"), h[i].saved);
        assert_int_equal(json_is_true(json_object_get(arm, "holdout")),
                         i == HOLDOUT);
        const json_t *rate = json_object_get(arm, "save_rate");
        double p = (double)h[i].saved / h[i].requests;
        assert_true(
            fabs(json_number_value(json_object_get(rate, "value")) - p) < 1e-9);
        /* Wilson's interval holds p strictly inside, except at 0 and 1
         * (an arm whose customers all kept their orders, say) */
        assert_true(json_number_value(json_object_get(rate, "low")) < p ||
                    p == 0);
        assert_true(json_number_value(json_object_get(rate, "high")) > p ||
                    p == 1);
        assert_int_equal(ts_int(arm, "revenue_kept"), h[i].kept);
        assert_int_equal(ts_int(arm, "discounts_given"), h[i].discounts);
        assert_string_equal(ts_str(arm, "currency"), "USD");
        const json_t *csat = json_object_get(arm, "csat");
        assert_int_equal(ts_int(csat, "n"), h[i].csat_n);
        if (h[i].csat_n > 0)
            assert_true(fabs(json_number_value(json_object_get(csat, "mean")) -
                             (double)h[i].csat_sum / h[i].csat_n) < 1e-9);
    }
    /* each arm against the holdout */
    assert_int_equal(json_array_size(json_object_get(doc, "comparisons")), 2);
    const json_t *cmp = json_array_get(json_object_get(doc, "comparisons"), 0);
    assert_string_equal(ts_str(cmp, "versus"), "holdout");
    double d = (double)h[0].saved / h[0].requests -
               (double)h[HOLDOUT].saved / h[HOLDOUT].requests;
    assert_true(
        fabs(json_number_value(json_object_get(cmp, "difference")) - d) < 1e-9);
    json_decref(doc);

    /* stopped, new requests join no arm: the current policy offers */
    assert_int_equal(op(w, stop_experiment, exp, &doc), HF_OK);
    assert_string_equal(ts_str(doc, "status"), "stopped");
    json_decref(doc);
    assert_true(holdout_c >= 0);
    again = order_and_request(w, holdout_c, order, customer);
    assert_non_null(first_offer(again));
    json_decref(again);
    close_world(w);
}

/* --- A small history by hand --------------------------------------------- */

static hf_rc kpis(world *w, hf_txn *t, const void *arg, const char **json,
                  hf_err *err)
{
    hf_kpi_targets tg;
    hf_kpi_targets_load(NULL, &tg, err);
    return hf_analytics_kpis_txn(t, &tg, arg, HF_KPI_JSON, w->a, json, err);
}

static double kpi_value(const json_t *doc, const char *name, const char *key)
{
    const json_t *v = json_object_get(
        json_object_get(json_object_get(doc, "kpis"), name), key);
    if (!json_is_number(v))
        fail_msg("%s.%s is not a number", name, key);
    return json_number_value(v);
}

/*
 * Day 0: orders o0..o5 placed (one line each, web). Requests on o0..o3:
 * o0 takes the first offer, o1 declines (cancelled at once), o2 and o3
 * stay open; o2 is cancelled on day 10, o3 never. Surveys: o1 rates
 * customer service 5 and would recommend, o2 rates 3 and would not. o4
 * ships on day 1 and is delivered on day 3 (48 h); o5 ships on day 1 and
 * is delivered on day 2 (24 h). On day 40 every request is 30 days old:
 * 4 requests, 2 lost (o1, o2), save rate 2/4 with the Wilson interval
 * 0.1500 .. 0.8500; CSAT (5 + 3) / 2 = 4, would recommend 1/2; delivery
 * 36 h; cancellation rate 2/6.
 */
static void test_kpis_by_hand_over_weeks(void **state)
{
    (void)state;
    world *w = open_world();
    assert_int_equal(op(w, make_shop, NULL, NULL), HF_OK);
    char ids[6][64], req[4][64];
    for (int i = 0; i < 6; i++) {
        int oi = place_order(w, i, 0);
        assert_true(oi >= 0);
        snprintf(ids[i], sizeof(ids[i]), "%s", w->orders[oi]);
    }
    json_t *doc;
    for (int i = 0; i < 4; i++) {
        order_arg o = {ids[i], "changed_mind", 0};
        assert_int_equal(op(w, request, &o, &doc), HF_OK);
        snprintf(req[i], sizeof(req[i]), "%s", ts_str(doc, "id"));
        if (i == 0) {
            order_arg acc = {req[0], first_offer(doc), HF_INPUT_ACCEPT};
            assert_non_null(acc.what);
            assert_int_equal(op(w, decide, &acc, NULL), HF_OK);
        }
        json_decref(doc);
    }
    order_arg dec = {req[1], NULL, HF_INPUT_DECLINE};
    assert_int_equal(op(w, decide, &dec, NULL), HF_OK);
    order_arg s1 = {ids[1], NULL, 5};
    assert_int_equal(op(w, answer, &s1, NULL), HF_OK);
    hf_clock_advance(w->clock, HF_DAY);
    for (int i = 4; i < 6; i++) {
        move_on(w, ids[i]); /* allocated */
        move_on(w, ids[i]); /* picking */
        move_on(w, ids[i]); /* packed */
        move_on(w, ids[i]); /* shipped */
    }
    hf_clock_advance(w->clock, HF_DAY);
    move_on(w, ids[5]); /* delivered after 24 h */
    hf_clock_advance(w->clock, HF_DAY);
    move_on(w, ids[4]);                     /* delivered after 48 h */
    hf_clock_advance(w->clock, 7 * HF_DAY); /* day 10 */
    order_arg late = {ids[2], "found_better_price", 0};
    assert_int_equal(op(w, cancel, &late, NULL), HF_OK);
    order_arg s2 = {ids[2], NULL, 3};
    assert_int_equal(op(w, answer, &s2, NULL), HF_OK);
    hf_clock_advance(w->clock, 30 * HF_DAY); /* day 40 */

    hf_kpi_query q = {hf_analytics_day(START), hf_analytics_day(START) + 40,
                      NULL, hf_clock_now(w->clock)};
    assert_int_equal(op(w, kpis, &q, &doc), HF_OK);
    assert_non_null(doc);
    assert_true(fabs(kpi_value(doc, "save_rate", "current") - 0.5) < 1e-9);
    assert_int_equal((int)kpi_value(doc, "save_rate", "n"), 4);
    assert_true(fabs(kpi_value(doc, "save_rate", "low") - 0.1500) < 5e-4);
    assert_true(fabs(kpi_value(doc, "save_rate", "high") - 0.8500) < 5e-4);
    assert_true(fabs(kpi_value(doc, "csat", "current") - 4) < 1e-9);
    assert_true(fabs(kpi_value(doc, "would_recommend", "current") - 0.5) <
                1e-9);
    assert_true(fabs(kpi_value(doc, "delivery_hours", "current") - 36) < 1e-9);
    assert_true(fabs(kpi_value(doc, "cancellation_rate", "current") - 2.0 / 6) <
                1e-9);
    assert_int_equal(ts_int(json_object_get(doc, "counts"), "requests_lost"),
                     2);
    json_decref(doc);
    close_world(w);
}

/* --- Drivers ---------------------------------------------------------------
 */

static hf_rc drivers(world *w, hf_txn *t, const void *arg, const char **json,
                     hf_err *err)
{
    return hf_analytics_drivers_txn(t, arg, w->a, json, err);
}

/*
 * 20 days of 15 orders a day, three of each product; on day d every
 * ks-phone order of an even index is cancelled (about half of them: 30
 * of 60), and one other order every other day (10 of 240). ks-phone must
 * stand out, with a tiny adjusted p-value; no other product may; and the
 * electronics category (ks-phone alone) likewise. Orders that are not
 * cancelled ship the same day, after 2 h on odd days and 12 h on even
 * days: the daily series for the correlations has 20 days.
 */
static void test_drivers(void **state)
{
    (void)state;
    world *w = open_world();
    assert_int_equal(op(w, make_shop, NULL, NULL), HF_OK);
    int phone_cancelled = 0, other_cancelled = 0;
    for (int d = 0; d < 20; d++) {
        hf_clock_set(w->clock, START + d * HF_DAY);
        int first = w->n_orders;
        for (int i = 0; i < 15; i++)
            assert_true(place_order(w, (d * 15 + i) % N_CUSTOMERS, i % 5) >= 0);
        for (int i = 0; i < 15; i++) {
            const char *o = w->orders[first + i];
            bool phone = i % 5 == 4;
            bool drop = phone ? (i / 5 + d) % 2 == 0 : (i == 0 && d % 2);
            if (drop) {
                order_arg c = {o, "changed_mind", 0};
                assert_int_equal(op(w, cancel, &c, NULL), HF_OK);
                *(phone ? &phone_cancelled : &other_cancelled) += 1;
                continue;
            }
            hf_clock_set(w->clock,
                         START + d * HF_DAY + (d % 2 ? 2 : 12) * HF_HOUR);
            for (int k = 0; k < 4; k++)
                move_on(w, o);
            hf_clock_set(w->clock, START + d * HF_DAY);
        }
    }
    assert_true(phone_cancelled >= 25 && other_cancelled == 10);
    hf_clock_set(w->clock, START + 25 * HF_DAY);
    hf_kpi_query q = {hf_analytics_day(START), hf_analytics_day(START) + 24,
                      NULL, hf_clock_now(w->clock)};
    json_t *doc;
    assert_int_equal(op(w, drivers, &q, &doc), HF_OK);
    assert_non_null(doc);
    assert_int_equal(ts_int(doc, "orders"), 300);
    assert_int_equal(ts_int(doc, "cancelled"), phone_cancelled + 10);
    const json_t *products_above = json_object_get(doc, "products");
    const json_t *top = json_array_get(products_above, 0);
    assert_string_equal(ts_str(top, "value"), "ks-phone");
    assert_int_equal(ts_int(top, "orders"), 60);
    assert_int_equal(ts_int(top, "cancelled"), phone_cancelled);
    assert_true(json_is_true(json_object_get(top, "significant")));
    assert_true(json_number_value(json_object_get(top, "p_adjusted")) < 1e-6);
    size_t i;
    const json_t *x;
    json_array_foreach(products_above, i, x)
    {
        if (i > 0 && json_is_true(json_object_get(x, "significant")))
            fail_msg("%s reported as a driver", ts_str(x, "value"));
    }
    top = json_array_get(json_object_get(doc, "categories"), 0);
    assert_string_equal(ts_str(top, "value"), "electronics");
    assert_true(json_is_true(json_object_get(top, "significant")));
    const json_t *c = json_object_get(doc, "correlations");
    const json_t *ship = json_object_get(c, "fulfillment_delay");
    assert_int_equal(ts_int(ship, "days"), 20);
    double r = json_number_value(json_object_get(ship, "r"));
    assert_true(r >= -1 && r <= 1);
    json_decref(doc);
    close_world(w);
}

/* --- Demand outlook --------------------------------------------------------
 */

static hf_rc outlook(world *w, hf_txn *t, const void *arg, const char **json,
                     hf_err *err)
{
    return hf_outlook_txn(t, arg, w->a, json, err);
}

/*
 * 8 weeks of ks-tee orders, one unit each: 6 a day, 12 on the weekday of
 * the first day, and one more a day every second week (a trend of about
 * 0.07 units a day). ks-mug sells nothing. The 14-day forecast must keep
 * the weekly peak, come within 20% of the truth each day, and its days of
 * cover must be the available units over the mean forecast; ks-mug has no
 * cover figure and comes last.
 */
static void test_demand_outlook(void **state)
{
    (void)state;
    world *w = open_world();
    assert_int_equal(op(w, make_shop, NULL, NULL), HF_OK);
    for (int d = 0; d < 56; d++) {
        int n = (d % 7 == 0 ? 12 : 6) + (d / 14);
        for (int i = 0; i < n; i++) {
            hf_clock_set(w->clock, START + d * HF_DAY + i * HF_MINUTE);
            place_arg p = {i % N_CUSTOMERS, 0, 1, 0, 0};
            assert_int_equal(op(w, place, &p, NULL), HF_OK);
        }
    }
    /* the history ends with yesterday: now is the first hour of day 56 */
    hf_clock_set(w->clock, START - 9 * HF_HOUR + 56 * HF_DAY + HF_HOUR);
    hf_outlook_query q = {hf_clock_now(w->clock), 56, 14, NULL, 0};
    json_t *doc;
    assert_int_equal(op(w, outlook, &q, &doc), HF_OK);
    assert_non_null(doc);
    json_t *skus = json_object_get(doc, "skus");
    assert_int_equal(json_array_size(skus), N_PRODUCTS);
    const json_t *tee = NULL, *x;
    size_t i;
    json_array_foreach(skus, i, x)
    {
        if (strcmp(ts_str(x, "sku"), "ks-tee") == 0)
            tee = x;
    }
    assert_non_null(tee);
    const json_t *f = json_object_get(tee, "forecast");
    assert_int_equal(json_array_size(f), 14);
    double sum = 0;
    for (size_t h = 0; h < 14; h++) {
        size_t d = 56 + h;
        double want = (d % 7 == 0 ? 12 : 6) + (double)d / 14;
        double got = json_number_value(json_array_get(f, h));
        if (fabs(got - want) > 0.2 * want)
            fail_msg("day %zu: forecast %.2f, about %.2f", d, got, want);
        sum += got;
    }
    /* the weekly peak falls on the first day's weekday again */
    assert_true(json_number_value(json_array_get(f, 0)) >
                json_number_value(json_array_get(f, 1)));
    double cover = json_number_value(json_object_get(tee, "days_of_cover"));
    assert_true(fabs(cover - (double)ts_int(tee, "available") / (sum / 14)) <
                1e-6 * cover);
    assert_string_equal(ts_str(json_object_get(tee, "model"), "method"),
                        "holt_winters");
    const json_t *last = json_array_get(skus, N_PRODUCTS - 1);
    assert_true(json_is_null(json_object_get(last, "days_of_cover")));
    assert_true(json_is_null(json_object_get(last, "stockout_date")));
    json_decref(doc);
    close_world(w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_incremental_equals_rebuild),
        cmocka_unit_test(test_experiment_with_holdout),
        cmocka_unit_test(test_kpis_by_hand_over_weeks),
        cmocka_unit_test(test_drivers),
        cmocka_unit_test(test_demand_outlook),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
