/*
 * store_int.h - what a store backend implements. Only src/store/ includes
 * this. A backend fills one hf_store_ops table (like sqlite3_vfs or curl's
 * TLS backends); store.c picks the table by URL and forwards every public
 * call through it.
 */
#ifndef HF_STORE_INT_H
#define HF_STORE_INT_H

#include "store/store.h"

typedef struct hf_store_ops hf_store_ops;

/* Every store starts with this header; the backend's struct follows. */
struct hf_store {
    const hf_store_ops *ops;
};

/* Every transaction starts with this header. */
struct hf_txn {
    const hf_store_ops *ops;
};

struct hf_store_ops {
    const char *name;
    /* url without its scheme prefix for SQLite; the whole URL otherwise */
    hf_rc (*open)(const char *url, hf_store **out, hf_err *err);
    void (*close)(hf_store *s);
    hf_rc (*migrate)(hf_store *s, hf_err *err);
    hf_rc (*check_schema)(hf_store *s, hf_err *err);
    hf_rc (*write)(hf_store *s, hf_txn_fn fn, void *arg, hf_err *err);
    hf_rc (*read)(hf_store *s, hf_txn_fn fn, void *arg, hf_err *err);
    void (*stats)(hf_store *s, hf_store_stats *out);

    hf_rc (*savepoint)(hf_txn *t, hf_err *err);
    hf_rc (*release)(hf_txn *t, hf_err *err);
    hf_rc (*rollback_to)(hf_txn *t, hf_err *err);

    hf_rc (*location_insert)(hf_txn *t, const hf_location *loc, hf_time now,
                             hf_err *err);
    hf_rc (*location_list)(hf_txn *t, hf_arena *a, hf_location **out, size_t *n,
                           hf_err *err);
    hf_rc (*location_get)(hf_txn *t, const char *code, hf_err *err);

    hf_rc (*product_insert)(hf_txn *t, const hf_product *p, hf_err *err);
    hf_rc (*product_get)(hf_txn *t, const char *sku, hf_arena *a,
                         hf_product *out, hf_err *err);
    hf_rc (*product_list)(hf_txn *t, const char *after, int limit, hf_arena *a,
                          hf_product **out, size_t *n, hf_err *err);

    hf_rc (*stock_get)(hf_txn *t, const char *sku, hf_arena *a,
                       hf_stock_level **out, size_t *n, hf_err *err);
    hf_rc (*stock_adjust)(hf_txn *t, const char *sku, const char *location,
                          int64_t delta, const char *reason, const char *actor,
                          hf_time now, hf_stock_level *after, hf_err *err);
    hf_rc (*stock_reserve)(hf_txn *t, const char *sku, const char *location,
                           int64_t qty, hf_err *err);
    hf_rc (*stock_release)(hf_txn *t, const char *sku, const char *location,
                           int64_t qty, hf_err *err);
    hf_rc (*stock_consume)(hf_txn *t, const char *sku, const char *location,
                           int64_t qty, hf_err *err);

    hf_rc (*customer_insert)(hf_txn *t, const hf_customer *c, hf_err *err);
    hf_rc (*customer_get)(hf_txn *t, const char *id, hf_arena *a,
                          hf_customer *out, hf_err *err);
    hf_rc (*customer_find)(hf_txn *t, const char *email, hf_arena *a,
                           hf_customer *out, hf_err *err);

    hf_rc (*order_next_seq)(hf_txn *t, int64_t *seq, hf_err *err);
    hf_rc (*order_insert)(hf_txn *t, const hf_order *o, const char *doc,
                          hf_err *err);
    hf_rc (*order_update)(hf_txn *t, const hf_order *o, int expected_version,
                          const char *doc, hf_err *err);
    hf_rc (*order_get)(hf_txn *t, const char *id_or_number, hf_arena *a,
                       hf_order *out, hf_err *err);
    hf_rc (*order_get_doc)(hf_txn *t, const char *id_or_number, hf_arena *a,
                           const char **doc, hf_err *err);
    hf_rc (*order_list_docs)(hf_txn *t, const hf_order_filter *f, hf_arena *a,
                             const char ***docs, size_t *n, int64_t *last_seq,
                             hf_err *err);
    hf_rc (*event_append)(hf_txn *t, const char *order_id,
                          const hf_order_event *e, hf_err *err);
    hf_rc (*payment_append)(hf_txn *t, const hf_payment_record *p, hf_err *err);
    hf_rc (*outbox_put)(hf_txn *t, const char *topic, const char *order_id,
                        const char *payload, hf_time now, hf_err *err);

    hf_rc (*api_key_insert)(hf_txn *t, const hf_api_key *k, hf_err *err);
    hf_rc (*api_key_find)(hf_txn *t, const char *hash, hf_arena *a,
                          hf_api_key *out, hf_err *err);

    hf_rc (*idempotency_get)(hf_txn *t, const char *principal, const char *key,
                             hf_arena *a, hf_idempotent_reply *out,
                             hf_err *err);
    hf_rc (*idempotency_put)(hf_txn *t, const char *principal, const char *key,
                             const hf_idempotent_reply *r, hf_time now,
                             hf_err *err);
};

/* The backends. */
extern const hf_store_ops hf_sqlite_ops;

#endif
