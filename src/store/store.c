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
        return hf_postgres_ops.open(url, out, err);
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

bool hf_store_lost_race(hf_rc rc, const hf_err *err)
{
    return rc == HF_EBUSY ||
           (rc == HF_ECONFLICT &&
            (strcmp(err->code, "idempotency_key_reused") == 0 ||
             strcmp(err->code, "concurrent_update") == 0));
}

hf_rc hf_store_write(hf_store *s, hf_txn_fn fn, void *arg, hf_err *err)
{
    return s->ops->write(s, fn, arg, err);
}

hf_rc hf_store_submit(hf_store *s, hf_txn_fn fn, void *arg, hf_write_done done,
                      hf_err *err)
{
    return s->ops->submit(s, fn, arg, done, err);
}

hf_rc hf_store_read(hf_store *s, hf_txn_fn fn, void *arg, hf_err *err)
{
    return s->ops->read(s, fn, arg, err);
}

void hf_store_wait_change(hf_store *s, int timeout_ms)
{
    s->ops->wait_change(s, timeout_ms);
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
