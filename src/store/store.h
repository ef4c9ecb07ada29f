/*
 * store.h - the one interface to holdfast's database.
 *
 * Services never speak SQL. They run a function inside a transaction:
 *
 *     hf_store_write(store, place_order_fn, &args, &err);
 *
 * and that function calls the hf_txn_* primitives below. The backend
 * (SQLite, PostgreSQL) is chosen by the database URL in hf_store_open();
 * each implements the primitives with prepared statements.
 *
 * Durability: hf_store_write() returns HF_OK only once the transaction is
 * on disk. The SQLite backend runs every write on one writer thread and
 * commits concurrent writes together (group commit): each write runs in
 * its own savepoint, so one that fails is rolled back alone, and none is
 * answered before the shared commit is durable.
 *
 * Strings that primitives return are allocated from the arena passed in.
 */
#ifndef HF_STORE_H
#define HF_STORE_H

#include "core/eta.h"
#include "core/order.h"
#include "util/arena.h"
#include "util/hf.h"

#include <stdbool.h>
#include <stdint.h>

typedef struct hf_store hf_store;
typedef struct hf_txn hf_txn;

/* The schema version this binary creates and understands. */
#define HF_SCHEMA_VERSION 8

/*
 * Opens the database named by url: a file path or "sqlite:PATH" (SQLite),
 * or "postgresql://..." (PostgreSQL). Does not create tables: call
 * hf_store_migrate(). Returns HF_ESTORE (with err saying why) when the
 * database cannot be opened or its schema is newer than this binary.
 * Close with hf_store_close().
 */
hf_rc hf_store_open(const char *url, hf_store **out, hf_err *err);
void hf_store_close(hf_store *s);

/* Creates or upgrades the schema to HF_SCHEMA_VERSION, and the default
 * stock location "main". Safe to run on an up-to-date database. */
hf_rc hf_store_migrate(hf_store *s, hf_err *err);

/* HF_OK when the schema is at HF_SCHEMA_VERSION; HF_ESTORE saying what
 * to do otherwise. */
hf_rc hf_store_check_schema(hf_store *s, hf_err *err);

/* "sqlite" or "postgresql". */
const char *hf_store_backend(const hf_store *s);

/* True when a write function's failure means it lost a race with another
 * transaction (HF_EBUSY; HF_ECONFLICT "concurrent_update" or
 * "idempotency_key_reused"), so that running it again on what is
 * committed now may succeed. The store reruns such writes itself; code
 * that catches errors inside a transaction must let these through. */
bool hf_store_lost_race(hf_rc rc, const hf_err *err);

/* A function run inside a transaction. Returning anything but HF_OK rolls
 * back what it wrote. */
typedef hf_rc (*hf_txn_fn)(hf_txn *txn, void *arg, hf_err *err);

/* Runs fn in a write transaction and returns once it is durable. Returns
 * fn's result; HF_ESTORE when the commit failed (then nothing fn did was
 * kept). May be called from many threads at once. */
hf_rc hf_store_write(hf_store *s, hf_txn_fn fn, void *arg, hf_err *err);

/* Called once a write queued with hf_store_submit() is durable (rc HF_OK)
 * or has failed (rc and err say why). Runs on a store thread: keep it
 * short and do not write from it. */
typedef void (*hf_write_done)(void *arg, hf_rc rc, const hf_err *err);

/* Queues fn to run in a write transaction like hf_store_write(), but
 * returns at once; done(arg, ...) follows exactly once. Returns HF_EBUSY
 * when the store is closing and HF_ENOMEM when out of memory; then done is
 * not called. For callers that must not block, such as the HTTP server. */
hf_rc hf_store_submit(hf_store *s, hf_txn_fn fn, void *arg, hf_write_done done,
                      hf_err *err);

/* Runs fn in a read-only transaction that sees one consistent snapshot. */
hf_rc hf_store_read(hf_store *s, hf_txn_fn fn, void *arg, hf_err *err);

/* Waits until a write that appended order events may have committed (in
 * this process or, on PostgreSQL, in another), or timeout_ms passes.
 * Spurious wake-ups happen: callers re-read what they follow. On SQLite,
 * writes by other processes are seen only when the wait times out. */
void hf_store_wait_change(hf_store *s, int timeout_ms);

/* Figures for /metrics. */
typedef struct hf_store_stats {
    uint64_t commits;     /* durable write transactions */
    uint64_t writes;      /* hf_store_write calls committed */
    uint64_t write_fails; /* writes whose function or commit failed */
} hf_store_stats;
void hf_store_stats_get(hf_store *s, hf_store_stats *out);

/* --- Primitives, valid only inside fn ----------------------------------- */

/* A nested savepoint: everything after hf_txn_savepoint() can be undone by
 * hf_txn_rollback_to() without undoing what came before. Savepoints nest;
 * hf_txn_release() keeps the work and closes the innermost one. */
hf_rc hf_txn_savepoint(hf_txn *t, hf_err *err);
hf_rc hf_txn_release(hf_txn *t, hf_err *err);
hf_rc hf_txn_rollback_to(hf_txn *t, hf_err *err);

/* Locations where stock is kept, in order of preference. */
typedef struct hf_location {
    const char *code;
    const char *name;
    int priority; /* lower is preferred */
} hf_location;

/* HF_ECONFLICT "location_exists" when code is taken. */
hf_rc hf_txn_location_insert(hf_txn *t, const hf_location *loc, hf_time now,
                             hf_err *err);
hf_rc hf_txn_location_list(hf_txn *t, hf_arena *a, hf_location **out, size_t *n,
                           hf_err *err);
/* HF_OK when it exists, HF_ENOTFOUND otherwise. */
hf_rc hf_txn_location_get(hf_txn *t, const char *code, hf_err *err);

/* HF_ECONFLICT "sku_exists" when the SKU is taken. */
hf_rc hf_txn_product_insert(hf_txn *t, const hf_product *p, hf_err *err);
/* HF_ENOTFOUND for an unknown SKU. */
hf_rc hf_txn_product_get(hf_txn *t, const char *sku, hf_arena *a,
                         hf_product *out, hf_err *err);
/* Up to limit products with SKU greater than after (NULL: from the start),
 * in SKU order. */
hf_rc hf_txn_product_list(hf_txn *t, const char *after, int limit, hf_arena *a,
                          hf_product **out, size_t *n, hf_err *err);

/* The SKU's stock at every location that has a row for it, in order of
 * location preference. */
hf_rc hf_txn_stock_get(hf_txn *t, const char *sku, hf_arena *a,
                       hf_stock_level **out, size_t *n, hf_err *err);

/* on_hand += delta at (sku, location), creating the row at zero first.
 * HF_ECONFLICT "insufficient_stock" when on_hand would drop below reserved
 * or below zero. Logs the adjustment with reason and actor. *after gets the
 * new level. */
hf_rc hf_txn_stock_adjust(hf_txn *t, const char *sku, const char *location,
                          int64_t delta, const char *reason, const char *actor,
                          hf_time now, hf_stock_level *after, hf_err *err);

/* reserved += qty only when on_hand - reserved >= qty: the guard that
 * stops overselling, also across processes. HF_ECONFLICT "out_of_stock"
 * when the units are not free. */
hf_rc hf_txn_stock_reserve(hf_txn *t, const char *sku, const char *location,
                           int64_t qty, hf_err *err);
/* reserved -= qty (a cancellation). */
hf_rc hf_txn_stock_release(hf_txn *t, const char *sku, const char *location,
                           int64_t qty, hf_err *err);
/* on_hand -= qty and reserved -= qty (a shipment). */
hf_rc hf_txn_stock_consume(hf_txn *t, const char *sku, const char *location,
                           int64_t qty, hf_err *err);

/* HF_ECONFLICT "email_exists" when the email is taken. */
hf_rc hf_txn_customer_insert(hf_txn *t, const hf_customer *c, hf_err *err);
/* By id; HF_ENOTFOUND when unknown. */
hf_rc hf_txn_customer_get(hf_txn *t, const char *id, hf_arena *a,
                          hf_customer *out, hf_err *err);
/* By (lower-cased) email; HF_ENOTFOUND when unknown. */
hf_rc hf_txn_customer_find(hf_txn *t, const char *email, hf_arena *a,
                           hf_customer *out, hf_err *err);

/* The next order sequence number (100001, 100002, ...). */
hf_rc hf_txn_order_next_seq(hf_txn *t, int64_t *seq, hf_err *err);

/* Stores a new order with its lines and allocations; doc is the order's
 * JSON representation, kept beside it so reads need no rendering. Events
 * are appended separately. */
hf_rc hf_txn_order_insert(hf_txn *t, const hf_order *o, const char *doc,
                          hf_err *err);

/* Writes o's current state (status, totals, payment, cancellation, line
 * quantities, allocations, doc) over the stored order, only if the stored
 * version is expected_version: HF_ECONFLICT "concurrent_update" otherwise. */
hf_rc hf_txn_order_update(hf_txn *t, const hf_order *o, int expected_version,
                          const char *doc, hf_err *err);

/* Loads the whole order (by id, or by number such as "HF-100001") with its
 * customer, lines, allocations and timeline. HF_ENOTFOUND when unknown. */
hf_rc hf_txn_order_get(hf_txn *t, const char *id_or_number, hf_arena *a,
                       hf_order *out, hf_err *err);

/* Only the stored JSON document of the order: the fast read path. */
hf_rc hf_txn_order_get_doc(hf_txn *t, const char *id_or_number, hf_arena *a,
                           const char **doc, hf_err *err);

typedef struct hf_order_filter {
    const char *status;      /* NULL: any */
    const char *customer_id; /* NULL: any */
    int64_t before_seq;      /* 0: from the newest */
    int limit;
} hf_order_filter;

/* JSON documents of orders matching f, newest first; *last_seq is the seq
 * of the last one returned (for the next page's before_seq). */
hf_rc hf_txn_order_list_docs(hf_txn *t, const hf_order_filter *f, hf_arena *a,
                             const char ***docs, size_t *n, int64_t *last_seq,
                             hf_err *err);

/* Appends e to the order's timeline; e->seq must be the next number. */
hf_rc hf_txn_event_append(hf_txn *t, int64_t order_seq, const hf_order_event *e,
                          hf_err *err);

/* An order event with where it belongs, as the change feed reads it. */
typedef struct hf_feed_event {
    int64_t id;           /* increases with every event of every order */
    const char *order_id; /* "ord_..." */
    const char *number;   /* "HF-100001" */
    hf_order_event event;
} hf_feed_event;

/* Up to limit events with id greater than after_id, oldest first. On
 * PostgreSQL ids are handed out before commit, so an event with a smaller
 * id can become visible after a larger one: a follower re-reads a window
 * behind its last id (services/feed.c). */
hf_rc hf_txn_events_since(hf_txn *t, int64_t after_id, int limit, hf_arena *a,
                          hf_feed_event **out, size_t *n, hf_err *err);

/* --- Shipments ---------------------------------------------------------- */

typedef struct hf_shipment {
    int64_t seq;                   /* store order; the list cursor */
    const char *id;                /* "shp_..." */
    int64_t order_seq;             /* the order's seq */
    const char *order_id, *number; /* the order's, when read */
    const char *carrier;
    const char *tracking_number;
    const char *service_level; /* may be NULL */
    const char *origin;        /* stock location it left from */
    const char *dest_region, *dest_country;
    hf_ship_status status; /* latest by event time */
    hf_time status_at;
    hf_time promised_by; /* the order's promise */
    hf_time shipped_at;
    hf_time delivered_at;     /* 0 until delivered */
    hf_time carrier_estimate; /* 0: the carrier gave none */
    hf_time last_event_at;    /* newest event time; 0: none */
    hf_eta eta;               /* with the delay verdict */
    hf_time delayed_at;       /* when it was first found delayed; 0 */
    int version;
    hf_time created_at;
} hf_shipment;

typedef struct hf_tracking_event {
    hf_ship_status status;
    hf_time at;
    const char *description; /* all text fields may be NULL */
    const char *city, *region, *country;
    const char *latitude, *longitude; /* decimal degrees, as sent */
    hf_time carrier_estimate;         /* 0: none */
    hf_time received_at;
} hf_tracking_event;

/* HF_ECONFLICT "tracking_number_exists" when the carrier's number is
 * taken. Sets sh->seq. */
hf_rc hf_txn_shipment_insert(hf_txn *t, hf_shipment *sh, hf_err *err);
/* Writes sh over the stored shipment if it is still at expected_version;
 * HF_ECONFLICT "concurrent_update" otherwise. */
hf_rc hf_txn_shipment_update(hf_txn *t, const hf_shipment *sh,
                             int expected_version, hf_err *err);
/* By id; HF_ENOTFOUND when unknown. */
hf_rc hf_txn_shipment_get(hf_txn *t, const char *id, hf_arena *a,
                          hf_shipment *out, hf_err *err);
/* By carrier and tracking number; HF_ENOTFOUND when unknown. */
hf_rc hf_txn_shipment_find(hf_txn *t, const char *carrier,
                           const char *tracking_number, hf_arena *a,
                           hf_shipment *out, hf_err *err);

typedef struct hf_shipment_filter {
    int delayed;       /* 1: delayed only, 0: not delayed, -1: any */
    int open_only;     /* not delivered */
    int64_t order_seq; /* 0: any order */
    int64_t after_seq; /* cursor: shipments with seq above */
    int limit;
} hf_shipment_filter;
hf_rc hf_txn_shipment_list(hf_txn *t, const hf_shipment_filter *f, hf_arena *a,
                           hf_shipment **out, size_t *n, hf_err *err);

/* Records a tracking event. HF_ECONFLICT "duplicate_event" when the same
 * status at the same time was recorded already. */
hf_rc hf_txn_tracking_event_insert(hf_txn *t, int64_t shipment_seq,
                                   const hf_tracking_event *e, hf_err *err);
/* The shipment's events, oldest first. */
hf_rc hf_txn_tracking_events(hf_txn *t, int64_t shipment_seq, hf_arena *a,
                             hf_tracking_event **out, size_t *n, hf_err *err);

/* The lane's history (zeros when new), and its replacement. */
hf_rc hf_txn_lane_get(hf_txn *t, const char *lane, hf_lane_stats *out,
                      hf_err *err);
hf_rc hf_txn_lane_put(hf_txn *t, const char *lane, const hf_lane_stats *l,
                      hf_err *err);

/* Orders still unshipped (confirmed..packed) placed before `placed_before`
 * and not yet flagged late: up to limit of their ids. */
hf_rc hf_txn_orders_unshipped_before(hf_txn *t, hf_time placed_before,
                                     int limit, hf_arena *a, const char ***ids,
                                     size_t *n, hf_err *err);
/* Marks the order flagged late for fulfilment at `at`. */
hf_rc hf_txn_order_flag_late(hf_txn *t, int64_t order_seq, hf_time at,
                             hf_err *err);

/* --- Delivering the outbox ---------------------------------------------- */

typedef struct hf_outbox_message {
    int64_t id;           /* the message's key: its idempotency key too */
    const char *topic;    /* "order.confirmed", "notify.shipment_delayed" */
    const char *order_id; /* may be NULL */
    const char *payload;  /* JSON object as text */
    int attempts;         /* this one included */
} hf_outbox_message;

/* Leases the oldest message due at `now` that nobody holds, until
 * lease_until, for `owner`. HF_ENOTFOUND when none is due. */
hf_rc hf_txn_outbox_claim(hf_txn *t, hf_time now, hf_time lease_until,
                          const char *owner, hf_arena *a,
                          hf_outbox_message *out, hf_err *err);
/* Marks a leased message delivered. */
hf_rc hf_txn_outbox_done(hf_txn *t, int64_t id, const char *owner, hf_time now,
                         hf_err *err);
/* Gives a leased message back, due again at next_attempt_at. */
hf_rc hf_txn_outbox_retry(hf_txn *t, int64_t id, const char *owner,
                          hf_time next_attempt_at, const char *error,
                          hf_err *err);
/* Marks every undelivered message written before `before` as settled
 * without sending it (history imported or generated, not news). */
hf_rc hf_txn_outbox_settle(hf_txn *t, hf_time before, hf_err *err);
/* Whether the message went out on the channel ("email", "sms", "inapp"). */
hf_rc hf_txn_delivery_done(hf_txn *t, int64_t outbox_id, const char *channel,
                           bool *delivered, hf_err *err);
/* Records one attempt on a channel: delivered_at (0: failed, with error). */
hf_rc hf_txn_delivery_record(hf_txn *t, int64_t outbox_id, const char *channel,
                             const char *recipient, hf_time delivered_at,
                             const char *error, hf_err *err);

typedef struct hf_notification {
    int64_t id;
    const char *kind; /* the template: "order_shipped" */
    const char *title;
    const char *body;
    hf_time created_at;
} hf_notification;
/* Adds to a customer's in-app feed, once per outbox message. */
hf_rc hf_txn_notification_insert(hf_txn *t, const char *customer_id,
                                 int64_t outbox_id, const hf_notification *n,
                                 hf_err *err);
/* The newest `limit` notifications of the customer. */
hf_rc hf_txn_notification_list(hf_txn *t, const char *customer_id, int limit,
                               hf_arena *a, hf_notification **out, size_t *n,
                               hf_err *err);

/* Whether the customer turned a channel off (false when never set). */
hf_rc hf_txn_preference_get(hf_txn *t, const char *customer_id,
                            const char *channel, bool *opted_out, hf_err *err);
hf_rc hf_txn_preference_put(hf_txn *t, const char *customer_id,
                            const char *channel, bool opted_out, hf_time now,
                            hf_err *err);

/* One payment operation that happened. */
typedef struct hf_payment_record {
    int64_t order_seq; /* the order's seq */
    const char *op;    /* "authorize", "capture", "void", "refund" */
    hf_minor amount;
    const char *currency;
    const char *gateway;
    const char *reference;   /* ours, stable across retries */
    const char *gateway_ref; /* the gateway's */
    hf_time at;
} hf_payment_record;
hf_rc hf_txn_payment_append(hf_txn *t, const hf_payment_record *p, hf_err *err);

/* A message to deliver later, written with the change that causes it. */
hf_rc hf_txn_outbox_put(hf_txn *t, const char *topic, const char *order_id,
                        const char *payload, hf_time now, hf_err *err);

typedef struct hf_api_key {
    const char *id;   /* "key_..." */
    const char *hash; /* hex of the key's hash; the key itself is not kept */
    const char *role; /* "admin", "agent", "service" */
    const char *label;
    hf_time created_at;
} hf_api_key;
hf_rc hf_txn_api_key_insert(hf_txn *t, const hf_api_key *k, hf_err *err);
/* By hash; HF_ENOTFOUND when no live key has it. */
hf_rc hf_txn_api_key_find(hf_txn *t, const char *hash, hf_arena *a,
                          hf_api_key *out, hf_err *err);

/* A stored answer to an idempotent request. */
typedef struct hf_idempotent_reply {
    const char *request_hash; /* what the first request was */
    int status;
    const char *body;
} hf_idempotent_reply;
/* HF_ENOTFOUND when (principal, key) has not been seen. */
hf_rc hf_txn_idempotency_get(hf_txn *t, const char *principal, const char *key,
                             hf_arena *a, hf_idempotent_reply *out,
                             hf_err *err);
hf_rc hf_txn_idempotency_put(hf_txn *t, const char *principal, const char *key,
                             const hf_idempotent_reply *r, hf_time now,
                             hf_err *err);

/* --- Retention (queries_retention.c) ------------------------------------- */

/* The texts of the policies a conversation runs, stored once per version
 * so a conversation keeps the policy it started with. sources is a JSON
 * object {"Policy_name": "markdown", ...}. Putting an existing id is a
 * no-op. */
hf_rc hf_txn_policy_version_put(hf_txn *t, const char *id, const char *name,
                                const char *sources, hf_time now, hf_err *err);

/* A stored policy version: published, or run by a conversation. */
typedef struct hf_policy_version {
    const char *id;      /* "pv_..." */
    const char *name;    /* the policy run on cancel requests */
    hf_time created_at;  /* when it was first stored */
    const char *sources; /* the JSON object of texts; NULL in lists */
} hf_policy_version;
/* The stored versions, newest first, at most limit; of one policy when
 * name is not NULL. */
hf_rc hf_txn_policy_version_list(hf_txn *t, const char *name, int limit,
                                 hf_arena *a, hf_policy_version **out,
                                 size_t *n, hf_err *err);
/* One version with its texts; HF_ENOTFOUND not_found when unknown. */
hf_rc hf_txn_policy_version_get(hf_txn *t, const char *id, hf_arena *a,
                                hf_policy_version *out, hf_err *err);

typedef struct hf_conversation {
    int64_t seq;
    const char *id;             /* "cnv_..." */
    const char *order_id;       /* "ord_..." */
    const char *channel;        /* "chat", "email", "self_service", ... */
    const char *policy_version; /* "pv_..." */
    const char *state;          /* the engine's phase ("offering") */
    const char *outcome;        /* open, retained, cancelled, escalated */
    const char *state_json;     /* the engine's whole state, a JSON object */
    int turns;                  /* events recorded so far */
    int version;                /* bumped on every update */
    hf_time created_at, updated_at;
    const char *reason;        /* the reason the customer gave; may be NULL */
    hf_time outcome_at;        /* when the outcome first left open; 0: not */
    hf_time offered_at;        /* when offers were first presented; 0: not */
    int64_t kept_total;        /* retained: the order's total then */
    int64_t kept_discount;     /* retained: the discount it carried then */
    const char *experiment_id; /* the experiment it is in; NULL: none */
    const char *arm;           /* that experiment's arm; NULL: none */
} hf_conversation;

/* Stores a new conversation (with its reason, experiment and arm); c->seq
 * is set. */
hf_rc hf_txn_conversation_insert(hf_txn *t, hf_conversation *c, hf_err *err);
/* HF_ENOTFOUND when unknown. */
hf_rc hf_txn_conversation_get(hf_txn *t, const char *id, hf_arena *a,
                              hf_conversation *out, hf_err *err);
/* Writes state, outcome, state_json, turns, version, updated_at,
 * outcome_at, offered_at, kept_total and kept_discount if the stored
 * version is expected_version; HF_ECONFLICT concurrent_update
 * otherwise. */
hf_rc hf_txn_conversation_update(hf_txn *t, const hf_conversation *c,
                                 int expected_version, hf_err *err);

/* One entry of a conversation's audit trail. */
typedef struct hf_conversation_event {
    int n; /* 1, 2, ... within the conversation */
    hf_time at;
    const char *kind; /* "customer", "reply", "tool_call", "decision", ... */
    const char *body; /* a JSON object */
} hf_conversation_event;
hf_rc hf_txn_conversation_event_append(hf_txn *t, int64_t conversation_seq,
                                       const hf_conversation_event *e,
                                       hf_err *err);
hf_rc hf_txn_conversation_events(hf_txn *t, int64_t conversation_seq,
                                 hf_arena *a, hf_conversation_event **out,
                                 size_t *n, hf_err *err);

typedef struct hf_escalation {
    int64_t seq;
    const char *id; /* "esc_..." */
    const char *conversation_id;
    const char *order_id;
    const char *reason; /* why it was handed over */
    const char *status; /* "open", "closed" */
    hf_time created_at;
    hf_time closed_at;      /* 0 while open */
    const char *agent;      /* who closed it (or cancelled its order);
                               NULL while open, and when its order's
                               cancellation by no person closed it */
    const char *resolution; /* the agent's note, or who cancelled the
                               order; may be NULL */
} hf_escalation;
hf_rc hf_txn_escalation_insert(hf_txn *t, const hf_escalation *e, hf_err *err);
hf_rc hf_txn_escalation_get(hf_txn *t, const char *id, hf_arena *a,
                            hf_escalation *out, hf_err *err);
/* Escalations with the status (NULL: any) and seq above after_seq, oldest
 * first. */
hf_rc hf_txn_escalation_list(hf_txn *t, const char *status, int64_t after_seq,
                             int limit, hf_arena *a, hf_escalation **out,
                             size_t *n, hf_err *err);
/* Closes an open escalation; HF_ECONFLICT not_open when it is not. agent
 * NULL: its order's cancellation closed it, and no person cancelled. */
hf_rc hf_txn_escalation_close(hf_txn *t, const char *id, hf_time at,
                              const char *agent, const char *resolution,
                              hf_err *err);
/* The open escalations about order_id (an "ord_..." id), oldest first. */
hf_rc hf_txn_escalation_open_of_order(hf_txn *t, const char *order_id,
                                      hf_arena *a, hf_escalation **out,
                                      size_t *n, hf_err *err);

/* The offer an order's customer accepted; HF_ENOTFOUND when none. */
hf_rc hf_txn_retention_get(hf_txn *t, const char *order_id, hf_arena *a,
                           const char **kind, const char **offer_json,
                           hf_err *err);
/* Records the accepted offer; HF_ECONFLICT offer_already_accepted when the
 * order already has one (one accepted offer per order). */
hf_rc hf_txn_retention_put(hf_txn *t, const char *order_id,
                           const char *conversation_id, const char *kind,
                           const char *offer_json, hf_time at, hf_err *err);

typedef struct hf_coupon {
    const char *code; /* unique, "SAVE20-..." */
    const char *customer_id;
    const char *order_id; /* the order it was issued to keep */
    int percent;
    hf_time created_at, expires_at;
} hf_coupon;
/* HF_ECONFLICT coupon_exists when the code is taken. */
hf_rc hf_txn_coupon_insert(hf_txn *t, const hf_coupon *c, hf_err *err);

/* A customer's answers to the cancellation survey of one order. */
typedef struct hf_survey_answer {
    const char *reason;  /* a cancellation reason code */
    const char *improve; /* how we could have done better; may be NULL */
    int service_rating;  /* satisfaction with customer service, 1..5 */
    bool recommend;      /* would recommend the shop */
    hf_time answered_at;
} hf_survey_answer;
/* HF_ENOTFOUND when the order's survey is unanswered. */
hf_rc hf_txn_survey_get(hf_txn *t, const char *order_id, hf_arena *a,
                        hf_survey_answer *out, hf_err *err);
/* HF_ECONFLICT already_answered when it was answered before. */
hf_rc hf_txn_survey_put(hf_txn *t, const char *order_id,
                        const hf_survey_answer *s, hf_err *err);

/* A setting the service keeps in the database; HF_ENOTFOUND when unset. */
hf_rc hf_txn_setting_get(hf_txn *t, const char *name, hf_arena *a,
                         const char **value, hf_err *err);
/* Sets name to value unless it is set already (then it is left alone). */
hf_rc hf_txn_setting_add(hf_txn *t, const char *name, const char *value,
                         hf_err *err);
/* Sets a setting, replacing its value. */
hf_rc hf_txn_setting_put(hf_txn *t, const char *name, const char *value,
                         hf_err *err);

/* The stored documents of open orders (not yet delivered, cancelled or
 * returned) whose cancellation risk is at least min_ppm parts per
 * million, riskiest first, at most limit. */
hf_rc hf_txn_orders_at_risk(hf_txn *t, int64_t min_ppm, int limit, hf_arena *a,
                            const char ***docs, size_t *n, hf_err *err);

/* A product to swap a line to: active, same currency, priced at least
 * min_price, not `sku`, with qty units free; same category first, then
 * the cheapest. HF_ENOTFOUND when there is none. */
hf_rc hf_txn_swap_candidate(hf_txn *t, const char *currency, hf_minor min_price,
                            const char *sku, const char *category, int64_t qty,
                            hf_arena *a, hf_product *out, hf_err *err);

/* --- Screening at placement (services/screening.c) ----------------------- */

/* What the duplicate and velocity checks compare, stored with an order. */
typedef struct hf_screening_keys {
    uint64_t line_signature; /* hf_validate_order_signature */
    const char *address_key; /* normalised shipping address */
    const char *payment_fp;  /* payment fingerprint; NULL: none */
    const char *client_ip;   /* the shopper's IP; NULL: unknown */
    bool address_hold;       /* waits for the customer to fix the address */
} hf_screening_keys;
hf_rc hf_txn_order_screening_put(hf_txn *t, int64_t order_seq,
                                 const hf_screening_keys *k, hf_err *err);
/* Whether the order waits for its customer to fix the address. */
hf_rc hf_txn_order_address_hold(hf_txn *t, int64_t order_seq, bool *out,
                                hf_err *err);
hf_rc hf_txn_order_address_hold_set(hf_txn *t, int64_t order_seq, bool hold,
                                    hf_err *err);

/* One of a customer's recent orders, for duplicate detection. */
typedef struct hf_recent_order_row {
    const char *number;
    hf_time placed_at;
    uint64_t signature;
} hf_recent_order_row;
/* The customer's orders placed since `since` that are not cancelled, the
 * newest first (at most 50), into an arena array. */
hf_rc hf_txn_orders_recent(hf_txn *t, const char *customer_id, hf_time since,
                           hf_arena *a, hf_recent_order_row **out, size_t *n,
                           hf_err *err);

typedef enum hf_velocity_key {
    HF_VK_CUSTOMER, /* the customer (one per email) */
    HF_VK_ADDRESS,  /* hf_screening_keys.address_key */
    HF_VK_PAYMENT,  /* hf_screening_keys.payment_fp */
    HF_VK_IP,       /* hf_screening_keys.client_ip */
} hf_velocity_key;
/* Stored orders whose key equals value, placed in the hour and in the day
 * before now (the day's count includes the hour's). */
hf_rc hf_txn_order_velocity(hf_txn *t, hf_velocity_key key, const char *value,
                            hf_time now, int64_t *last_hour, int64_t *last_day,
                            hf_err *err);
/* Every stored order of the customer. */
hf_rc hf_txn_customer_order_count(hf_txn *t, const char *customer_id,
                                  int64_t *out, hf_err *err);

/* An order held for a person to look at. */
typedef struct hf_review {
    int64_t seq;
    const char *id; /* "rev_..." */
    const char *order_id;
    const char *order_number;
    const char *kind;    /* "fraud", "duplicate" */
    int score;           /* the fraud score; 0 for a duplicate */
    const char *reasons; /* a JSON array of {code, message, ...} */
    const char *status;  /* "open", "approved", "rejected" */
    hf_time created_at;
    const char *decided_by; /* the deciding key's actor; NULL while open */
    hf_time decided_at;     /* 0 while open */
    const char *note;       /* the decider's note; may be NULL */
} hf_review;
hf_rc hf_txn_review_insert(hf_txn *t, const hf_review *r, hf_err *err);
/* HF_ENOTFOUND not_found when there is no review id. */
hf_rc hf_txn_review_get(hf_txn *t, const char *id, hf_arena *a, hf_review *out,
                        hf_err *err);
/* Reviews with the status (NULL: any) and seq above after_seq, oldest
 * first. */
hf_rc hf_txn_review_list(hf_txn *t, const char *status, int64_t after_seq,
                         int limit, hf_arena *a, hf_review **out, size_t *n,
                         hf_err *err);
/* Records the decision on an open review; HF_ECONFLICT review_decided
 * when it was decided already. */
hf_rc hf_txn_review_decide(hf_txn *t, const char *id, const char *status,
                           const char *by, hf_time at, const char *note,
                           hf_err *err);
/* The order's reviews still open. */
hf_rc hf_txn_review_open_count(hf_txn *t, const char *order_id, int64_t *out,
                               hf_err *err);

/* --- The cancellation-risk model (services/risk_features.c) ----------- */

/* A customer's orders placed before a moment, and how many of them had
 * been cancelled or returned by then. */
typedef struct hf_risk_history {
    int64_t orders;    /* placed before the moment */
    int64_t cancelled; /* of those, cancelled before the moment */
    int64_t returned;  /* of those, returned before the moment */
    hf_time first_at;  /* the first one's placement; 0 without orders */
} hf_risk_history;

/* The seqs of every order placed before until, oldest first, into an
 * arena array. */
hf_rc hf_txn_risk_orders(hf_txn *t, hf_time until, hf_arena *a, int64_t **seqs,
                         size_t *n, hf_err *err);

/* The customer's history as it stood at `before` (orders placed, and
 * cancellations and returns recorded, strictly earlier). */
hf_rc hf_txn_risk_customer(hf_txn *t, const char *customer_id, hf_time before,
                           hf_risk_history *out, hf_err *err);

/* The days of a SKU's history its cancellation rate reads. */
#define HF_RISK_SKU_DAYS 90

/* A SKU's lines placed, and orders with it cancelled, over the
 * HF_RISK_SKU_DAYS whole UTC days before the day of `before` (the day
 * itself left out, so that nothing later than `before` can count). */
hf_rc hf_txn_risk_sku(hf_txn *t, const char *sku, hf_time before,
                      int64_t *lines, int64_t *cancelled, hf_err *err);

/* Counts lines placed and orders cancelled for the SKU on the UTC day of
 * at (placement adds lines, a whole cancellation adds cancelled). */
hf_rc hf_txn_risk_sku_add(hf_txn *t, const char *sku, hf_time at, int64_t lines,
                          int64_t cancelled, hf_err *err);

/* A lane's deliveries and late deliveries (after the promise) over the
 * HF_RISK_SKU_DAYS whole UTC days before the day of `before`. */
hf_rc hf_txn_risk_lane(hf_txn *t, const char *lane, hf_time before,
                       int64_t *delivered, int64_t *late, hf_err *err);

/* Counts a delivery on the lane (late: after its promise) on the UTC day
 * of at. */
hf_rc hf_txn_risk_lane_add(hf_txn *t, const char *lane, hf_time at, bool late,
                           hf_err *err);

/* The numbers ("HF-100042") of up to limit open orders (confirmed to
 * shipped) with a risk score computed before `before`, oldest first. */
hf_rc hf_txn_risk_due(hf_txn *t, hf_time before, int limit, hf_arena *a,
                      const char ***numbers, size_t *n, hf_err *err);

/* Records when the order was wholly cancelled (returned false) or came
 * back (returned true), for the customer's history. */
hf_rc hf_txn_order_outcome_at(hf_txn *t, int64_t order_seq, bool returned,
                              hf_time at, hf_err *err);

/* Stores the order's latest score (0..1), the model's name, when it was
 * computed and what computed it ("placement", "tracking"). */
hf_rc hf_txn_order_risk_put(hf_txn *t, int64_t order_seq, double score,
                            const char *model, hf_time at, const char *reason,
                            hf_err *err);
/* --- Playbooks and tasks (queries_playbooks.c) ------------------------ */

/* Records that the playbook fired for the order at score (0..1); *fresh
 * is false, and nothing is written, when it had fired before. */
hf_rc hf_txn_playbook_run_insert(hf_txn *t, const char *order_id,
                                 const char *playbook, double score, hf_time at,
                                 bool *fresh, hf_err *err);

/* Records, the first time, that order_seq (placed at placed_at) reached
 * the lowest playbook threshold at `at` with score, and whether it gets
 * outreach (false: held out). *fresh: it was not recorded before. */
hf_rc hf_txn_at_risk_insert(hf_txn *t, int64_t order_seq, hf_time placed_at,
                            hf_time at, double score, bool outreach,
                            bool *fresh, hf_err *err);

/* At-risk orders placed in days [from_day, to_day] (days since
 * 1970-01-01, UTC) and how they stand now. */
typedef struct hf_at_risk_sum {
    int64_t orders;    /* at-risk orders */
    int64_t cancelled; /* of those, cancelled whole since */
    int64_t delivered; /* of those, delivered (or returned after) */
} hf_at_risk_sum;

/* Fills sum[1] for the orders with outreach, sum[0] for those held out. */
hf_rc hf_txn_at_risk_sum(hf_txn *t, int64_t from_day, int64_t to_day,
                         hf_at_risk_sum sum[2], hf_err *err);

typedef struct hf_task {
    int64_t seq;
    const char *id; /* "tsk_..." */
    const char *order_id;
    const char *kind;   /* "call" */
    const char *reason; /* why it was opened */
    const char *status; /* "open", "done" */
    hf_time created_at;
    hf_time done_at;     /* 0 while open */
    const char *done_by; /* the agent who closed it; NULL while open */
    const char *note;    /* the agent's note; may be NULL */
} hf_task;
hf_rc hf_txn_task_insert(hf_txn *t, const hf_task *task, hf_err *err);
hf_rc hf_txn_task_get(hf_txn *t, const char *id, hf_arena *a, hf_task *out,
                      hf_err *err);
/* Tasks with the status (NULL: any) and seq above after_seq, oldest
 * first. */
hf_rc hf_txn_task_list(hf_txn *t, const char *status, int64_t after_seq,
                       int limit, hf_arena *a, hf_task **out, size_t *n,
                       hf_err *err);
/* Marks an open task done; HF_ECONFLICT task_done when it is not open. */
hf_rc hf_txn_task_done(hf_txn *t, const char *id, hf_time at, const char *by,
                       const char *note, hf_err *err);

/* --- Analytics (queries_analytics.c) ------------------------------------ */

/* Adds n to the counters (day, dims[i], values[i], metric) of kpi_daily,
 * for i below n_dims (5 or 7), creating each at n; the dimensions must
 * differ. day counts days since 1970-01-01 UTC. */
hf_rc hf_txn_kpi_add(hf_txn *t, int64_t day, int n_dims,
                     const char *const *dims, const char *const *values,
                     const char *metric, int64_t n, hf_err *err);

/* One summed counter of kpi_daily. */
typedef struct hf_kpi_sum {
    const char *value;  /* the dimension's value; "" for dim "all"; the day
                           as a number for the sums by day */
    const char *metric; /* "placed", "reason:shipping_delay", ... */
    int64_t n;          /* the sum over the days asked for */
} hf_kpi_sum;

/* The counters of dimension dim summed over days from..to (inclusive), by
 * value and metric, sorted so. */
hf_rc hf_txn_kpi_sum(hf_txn *t, const char *dim, int64_t from, int64_t to,
                     hf_arena *a, hf_kpi_sum **out, size_t *n, hf_err *err);
/* The counters of dimension "all" per day from..to, the day (a number) as
 * the value. */
hf_rc hf_txn_kpi_sum_by_day(hf_txn *t, int64_t from, int64_t to, hf_arena *a,
                            hf_kpi_sum **out, size_t *n, hf_err *err);

/* A cancellation request as the counters it decides see it. */
typedef struct hf_kpi_request {
    hf_time at;                 /* when it began */
    const char *reason;         /* may be NULL */
    const char *policy_version; /* "pv_..." */
    const char *channel;        /* "self_service", "chat", ... */
} hf_kpi_request;

/* The order's conversations (its cancellation requests) begun between
 * from and to (inclusive), oldest first. */
hf_rc hf_txn_kpi_requests_of_order(hf_txn *t, const char *order_id,
                                   hf_time from, hf_time to, hf_arena *a,
                                   hf_kpi_request **out, size_t *n,
                                   hf_err *err);

/* An order's slices as fixed at placement: values[0..3] are its channel,
 * region, category and product. Put keeps the first; get returns
 * HF_ENOTFOUND for an order placed before they were kept. */
hf_rc hf_txn_kpi_dims_put(hf_txn *t, const char *order_id,
                          const char *const values[4], hf_err *err);
hf_rc hf_txn_kpi_dims_get(hf_txn *t, const char *order_id, hf_arena *a,
                          const char *values[4], hf_err *err);

/* One stored counter. */
typedef struct hf_kpi_row {
    int64_t day;
    const char *dim, *value, *metric;
    int64_t n;
} hf_kpi_row;
/* Every counter of kpi_daily, sorted by dim, day, value, metric. */
hf_rc hf_txn_kpi_all(hf_txn *t, hf_arena *a, hf_kpi_row **out, size_t *n,
                     hf_err *err);
/* Deletes every counter (the rebuild starts over). */
hf_rc hf_txn_kpi_clear(hf_txn *t, hf_err *err);

/* A page of keys for the rebuild: rows with seq above after, at most
 * limit, in seq order; ids[i] is the order's or the conversation's id,
 * times[i] the escalation's closing time (0 for the others). */
typedef enum hf_kpi_page {
    HF_KPI_PAGE_ORDERS,
    HF_KPI_PAGE_CONVERSATIONS,
    HF_KPI_PAGE_CLOSED_ESCALATIONS,   /* with an agent; ids are their
                                         conversations' */
    HF_KPI_PAGE_CANCELLED_ESCALATIONS /* with none: closed by their
                                         order's cancellation; likewise */
} hf_kpi_page;
hf_rc hf_txn_kpi_page(hf_txn *t, hf_kpi_page what, int64_t after, int limit,
                      hf_arena *a, int64_t **seqs, const char ***ids,
                      hf_time **times, size_t *n, hf_err *err);

/* The kind of the offer the conversation's order kept in that
 * conversation; NULL when none. */
hf_rc hf_txn_kpi_offer_of(hf_txn *t, const char *order_id,
                          const char *conversation_id, hf_arena *a,
                          const char **kind, hf_err *err);

/* --- Experiments (queries_analytics.c) ---------------------------------- */

typedef struct hf_experiment_row {
    const char *id, *name;
    const char *status;      /* "running", "stopped" */
    const char *arms;        /* JSON array, as given */
    int offer_cooldown_days; /* one accepted offer per customer per ... */
    hf_time created_at;
    hf_time stopped_at; /* 0 while running */
} hf_experiment_row;

hf_rc hf_txn_experiment_insert(hf_txn *t, const hf_experiment_row *e,
                               hf_err *err);
/* HF_ENOTFOUND when unknown. */
hf_rc hf_txn_experiment_get(hf_txn *t, const char *id, hf_arena *a,
                            hf_experiment_row *out, hf_err *err);
hf_rc hf_txn_experiment_list(hf_txn *t, hf_arena *a, hf_experiment_row **out,
                             size_t *n, hf_err *err);
/* Stops a running experiment; *changed is false when it was not running. */
hf_rc hf_txn_experiment_stop(hf_txn *t, const char *id, hf_time at,
                             bool *changed, hf_err *err);
/* The oldest running experiment; HF_ENOTFOUND when none runs. */
hf_rc hf_txn_experiment_running(hf_txn *t, hf_arena *a, hf_experiment_row *out,
                                hf_err *err);

/* One request of an experiment with what decides its fate. */
typedef struct hf_experiment_request {
    const char *arm, *customer_id;
    hf_time at;           /* when the request began */
    hf_time cancelled_at; /* when its order was cancelled whole; 0: not */
    int64_t total, discount;
    const char *currency;
    int rating;         /* the order's survey's service rating; 0: none */
    hf_time offered_at; /* 0: no offer was presented */
} hf_experiment_request;
hf_rc hf_txn_experiment_requests(hf_txn *t, const char *id, hf_arena *a,
                                 hf_experiment_request **out, size_t *n,
                                 hf_err *err);

/* --- The inventory outlook (queries_analytics.c) ------------------------ */

/* Units of one SKU on one day (days since 1970-01-01), or available now. */
typedef struct hf_sku_units {
    const char *sku;
    int64_t day; /* 0 for available stock */
    int64_t units;
} hf_sku_units;
/* Units ordered (less units cancelled) per SKU and day of placement, for
 * orders placed in [from, to). */
hf_rc hf_txn_outlook_units(hf_txn *t, hf_time from, hf_time to, hf_arena *a,
                           hf_sku_units **out, size_t *n, hf_err *err);
/* Every active SKU's available units (on hand less reserved), by SKU. */
hf_rc hf_txn_outlook_available(hf_txn *t, hf_arena *a, hf_sku_units **out,
                               size_t *n, hf_err *err);

/* When the customer last accepted a retention offer; 0 when never. */
hf_rc hf_txn_customer_last_offer(hf_txn *t, const char *customer_id,
                                 hf_time *at, hf_err *err);

#endif
