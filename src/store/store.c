/* store.c - picks the backend by URL and forwards every call to it. */
#include "store/store_int.h"

#include <string.h>

hf_rc hf_store_open(const char *url, hf_store **out, hf_err *err)
{
    if (url == NULL || *url == '\0')
        return hf_fail(err, HF_EINVAL, "invalid_db", NULL,
                       "no database given (--db, HOLDFAST_DB)");
    if (strncmp(url, "postgresql://", 13) == 0 ||
        strncmp(url, "postgres://", 11) == 0)
        return hf_fail(err, HF_ESTORE, "backend_unavailable", NULL,
                       "this build has no PostgreSQL backend yet");
    if (strncmp(url, "sqlite:", 7) == 0)
        url += 7;
    return hf_sqlite_ops.open(url, out, err);
}

void hf_store_close(hf_store *s)
{
    if (s != NULL)
        s->ops->close(s);
}

hf_rc hf_store_migrate(hf_store *s, hf_err *err)
{
    return s->ops->migrate(s, err);
}

hf_rc hf_store_check_schema(hf_store *s, hf_err *err)
{
    return s->ops->check_schema(s, err);
}

const char *hf_store_backend(const hf_store *s)
{
    return s->ops->name;
}

hf_rc hf_store_write(hf_store *s, hf_txn_fn fn, void *arg, hf_err *err)
{
    return s->ops->write(s, fn, arg, err);
}

hf_rc hf_store_read(hf_store *s, hf_txn_fn fn, void *arg, hf_err *err)
{
    return s->ops->read(s, fn, arg, err);
}

void hf_store_stats_get(hf_store *s, hf_store_stats *out)
{
    s->ops->stats(s, out);
}

hf_rc hf_txn_savepoint(hf_txn *t, hf_err *err)
{
    return t->ops->savepoint(t, err);
}

hf_rc hf_txn_release(hf_txn *t, hf_err *err)
{
    return t->ops->release(t, err);
}

hf_rc hf_txn_rollback_to(hf_txn *t, hf_err *err)
{
    return t->ops->rollback_to(t, err);
}

hf_rc hf_txn_location_insert(hf_txn *t, const hf_location *loc, hf_time now,
                             hf_err *err)
{
    return t->ops->location_insert(t, loc, now, err);
}

hf_rc hf_txn_location_list(hf_txn *t, hf_arena *a, hf_location **out, size_t *n,
                           hf_err *err)
{
    return t->ops->location_list(t, a, out, n, err);
}

hf_rc hf_txn_location_get(hf_txn *t, const char *code, hf_err *err)
{
    return t->ops->location_get(t, code, err);
}

hf_rc hf_txn_product_insert(hf_txn *t, const hf_product *p, hf_err *err)
{
    return t->ops->product_insert(t, p, err);
}

hf_rc hf_txn_product_get(hf_txn *t, const char *sku, hf_arena *a,
                         hf_product *out, hf_err *err)
{
    return t->ops->product_get(t, sku, a, out, err);
}

hf_rc hf_txn_product_list(hf_txn *t, const char *after, int limit, hf_arena *a,
                          hf_product **out, size_t *n, hf_err *err)
{
    return t->ops->product_list(t, after, limit, a, out, n, err);
}

hf_rc hf_txn_stock_get(hf_txn *t, const char *sku, hf_arena *a,
                       hf_stock_level **out, size_t *n, hf_err *err)
{
    return t->ops->stock_get(t, sku, a, out, n, err);
}

hf_rc hf_txn_stock_adjust(hf_txn *t, const char *sku, const char *location,
                          int64_t delta, const char *reason, const char *actor,
                          hf_time now, hf_stock_level *after, hf_err *err)
{
    return t->ops->stock_adjust(t, sku, location, delta, reason, actor, now,
                                after, err);
}

hf_rc hf_txn_stock_reserve(hf_txn *t, const char *sku, const char *location,
                           int64_t qty, hf_err *err)
{
    return t->ops->stock_reserve(t, sku, location, qty, err);
}

hf_rc hf_txn_stock_release(hf_txn *t, const char *sku, const char *location,
                           int64_t qty, hf_err *err)
{
    return t->ops->stock_release(t, sku, location, qty, err);
}

hf_rc hf_txn_stock_consume(hf_txn *t, const char *sku, const char *location,
                           int64_t qty, hf_err *err)
{
    return t->ops->stock_consume(t, sku, location, qty, err);
}

hf_rc hf_txn_customer_insert(hf_txn *t, const hf_customer *c, hf_err *err)
{
    return t->ops->customer_insert(t, c, err);
}

hf_rc hf_txn_customer_get(hf_txn *t, const char *id, hf_arena *a,
                          hf_customer *out, hf_err *err)
{
    return t->ops->customer_get(t, id, a, out, err);
}

hf_rc hf_txn_customer_find(hf_txn *t, const char *email, hf_arena *a,
                           hf_customer *out, hf_err *err)
{
    return t->ops->customer_find(t, email, a, out, err);
}

hf_rc hf_txn_order_next_seq(hf_txn *t, int64_t *seq, hf_err *err)
{
    return t->ops->order_next_seq(t, seq, err);
}

hf_rc hf_txn_order_insert(hf_txn *t, const hf_order *o, const char *doc,
                          hf_err *err)
{
    return t->ops->order_insert(t, o, doc, err);
}

hf_rc hf_txn_order_update(hf_txn *t, const hf_order *o, int expected_version,
                          const char *doc, hf_err *err)
{
    return t->ops->order_update(t, o, expected_version, doc, err);
}

hf_rc hf_txn_order_get(hf_txn *t, const char *id_or_number, hf_arena *a,
                       hf_order *out, hf_err *err)
{
    return t->ops->order_get(t, id_or_number, a, out, err);
}

hf_rc hf_txn_order_get_doc(hf_txn *t, const char *id_or_number, hf_arena *a,
                           const char **doc, hf_err *err)
{
    return t->ops->order_get_doc(t, id_or_number, a, doc, err);
}

hf_rc hf_txn_order_list_docs(hf_txn *t, const hf_order_filter *f, hf_arena *a,
                             const char ***docs, size_t *n, int64_t *last_seq,
                             hf_err *err)
{
    return t->ops->order_list_docs(t, f, a, docs, n, last_seq, err);
}

hf_rc hf_txn_event_append(hf_txn *t, const char *order_id,
                          const hf_order_event *e, hf_err *err)
{
    return t->ops->event_append(t, order_id, e, err);
}

hf_rc hf_txn_payment_append(hf_txn *t, const hf_payment_record *p, hf_err *err)
{
    return t->ops->payment_append(t, p, err);
}

hf_rc hf_txn_outbox_put(hf_txn *t, const char *topic, const char *order_id,
                        const char *payload, hf_time now, hf_err *err)
{
    return t->ops->outbox_put(t, topic, order_id, payload, now, err);
}

hf_rc hf_txn_api_key_insert(hf_txn *t, const hf_api_key *k, hf_err *err)
{
    return t->ops->api_key_insert(t, k, err);
}

hf_rc hf_txn_api_key_find(hf_txn *t, const char *hash, hf_arena *a,
                          hf_api_key *out, hf_err *err)
{
    return t->ops->api_key_find(t, hash, a, out, err);
}

hf_rc hf_txn_idempotency_get(hf_txn *t, const char *principal, const char *key,
                             hf_arena *a, hf_idempotent_reply *out, hf_err *err)
{
    return t->ops->idempotency_get(t, principal, key, a, out, err);
}

hf_rc hf_txn_idempotency_put(hf_txn *t, const char *principal, const char *key,
                             const hf_idempotent_reply *r, hf_time now,
                             hf_err *err)
{
    return t->ops->idempotency_put(t, principal, key, r, now, err);
}
