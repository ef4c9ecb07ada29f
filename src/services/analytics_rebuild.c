/*
 * analytics_rebuild.c - recomputing the daily aggregates from the base
 * tables (analytics.h, hf_analytics_rebuild).
 *
 * The rebuild replays what happened through the very functions that keep
 * the counters as events happen: every order's timeline, then every
 * conversation (its start, first offers and first outcome, at the times
 * the conversation recorded), then every closed escalation (closed by an
 * agent, or by its order's cancellation). One
 * definition of each counter serves both, so the rebuild cannot drift
 * from the incremental path; what it checks is that every event that
 * happened was counted once, in its transaction, no more and no less.
 */
#include "services/analytics.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* PAGE keys a page; the counters before and after are held in memory,
 * about 150 bytes each, up to KEEP_MAX bytes (some 25 million counters) */
enum { PAGE = 500 };
#define KEEP_MAX ((size_t)4 << 30)

typedef struct rebuild {
    hf_kpi_rebuild *out;
    bool check_only;
    hf_arena *page, *item; /* one page's keys; one item's rows */
} rebuild;

static hf_rc replay_order(hf_txn *t, const char *id, hf_arena *a, hf_err *err)
{
    hf_order o;
    hf_rc rc = hf_txn_order_get(t, id, a, &o, err);
    for (size_t i = 0; i < o.n_events && rc == HF_OK; i++)
        rc = hf_analytics_order_event(t, &o, &o.events[i], a, err);
    return rc;
}

/* What the rebuild needs from a conversation's audit trail: the kinds of
 * the offers it was first shown (its first present_offers decision), and
 * its first outcome. A conversation may move on from its first outcome (a
 * customer who kept an offer, or was handed to a person, can still
 * cancel), but the counters hold the first, as they were kept. */
typedef struct trail {
    const char *kinds[8];
    size_t n_kinds;
    const char *first_outcome; /* NULL when no decision left "open" */
} trail;

static hf_rc read_trail(hf_txn *t, const hf_conversation *c, hf_arena *a,
                        trail *out, hf_err *err)
{
    hf_conversation_event *ev;
    size_t n_ev;
    bool offered = false;
    *out = (trail){.n_kinds = 0};
    hf_rc rc = hf_txn_conversation_events(t, c->seq, a, &ev, &n_ev, err);
    for (size_t i = 0; rc == HF_OK && i < n_ev; i++) {
        if (strcmp(ev[i].kind, "decision") != 0)
            continue;
        json_t *d = json_loads(ev[i].body, 0, NULL);
        const char *what = json_string_value(json_object_get(d, "decision"));
        const char *outcome = json_string_value(json_object_get(d, "outcome"));
        if (!offered && what != NULL && strcmp(what, "present_offers") == 0) {
            offered = true;
            size_t k;
            json_t *o;
            json_array_foreach(json_object_get(d, "offers"), k, o)
            {
                const char *kind =
                    json_string_value(json_object_get(o, "kind"));
                if (kind != NULL && out->n_kinds < HF_ARRAY_LEN(out->kinds))
                    out->kinds[out->n_kinds++] = hf_arena_strdup(a, kind);
            }
        }
        if (out->first_outcome == NULL && outcome != NULL &&
            strcmp(outcome, "open") != 0)
            out->first_outcome = hf_arena_strdup(a, outcome);
        json_decref(d);
    }
    return rc;
}

static hf_rc replay_conversation(hf_txn *t, const char *id, hf_arena *a,
                                 hf_err *err)
{
    hf_conversation c;
    hf_order o;
    trail tr = {.n_kinds = 0};
    hf_rc rc = hf_txn_conversation_get(t, id, a, &c, err);
    if (rc == HF_OK)
        rc = hf_txn_order_get(t, c.order_id, a, &o, err);
    if (rc == HF_OK && (c.offered_at != 0 || strcmp(c.outcome, "open") != 0))
        rc = read_trail(t, &c, a, &tr, err); /* only when there is a use */
    if (rc == HF_OK)
        rc = hf_analytics_request(t, &o, &c, a, err);
    if (rc == HF_OK && c.offered_at != 0)
        rc = hf_analytics_offered(t, &o, &c, tr.kinds, tr.n_kinds, a, err);
    if (rc != HF_OK || strcmp(c.outcome, "open") == 0)
        return rc;
    if (tr.first_outcome != NULL)
        c.outcome = tr.first_outcome;
    if (c.outcome_at == 0) /* ended before outcome_at was kept */
        c.outcome_at = c.updated_at;
    return hf_analytics_outcome(t, &o, &c, a, err);
}

/* An escalation of conversation closed at closed_at: by an agent, or
 * (cancelled) by its order's cancellation. */
static hf_rc replay_escalation(hf_txn *t, const char *conversation,
                               hf_time closed_at, bool cancelled, hf_arena *a,
                               hf_err *err)
{
    hf_conversation c;
    hf_order o;
    hf_rc rc = hf_txn_conversation_get(t, conversation, a, &c, err);
    if (rc == HF_OK)
        rc = hf_txn_order_get(t, c.order_id, a, &o, err);
    if (rc != HF_OK)
        return rc;
    return cancelled
               ? hf_analytics_escalation_cancelled(t, &o, &c, closed_at, a, err)
               : hf_analytics_resolved(t, &o, &c, closed_at, a, err);
}

/* Replays every row of one kind, a page at a time. */
static hf_rc replay(hf_txn *t, rebuild *r, hf_kpi_page what, int64_t *count,
                    hf_err *err)
{
    int64_t after = 0;
    for (;;) {
        int64_t *seqs;
        const char **ids;
        hf_time *times;
        size_t n;
        hf_arena_reset(r->page);
        hf_rc rc = hf_txn_kpi_page(t, what, after, PAGE, r->page, &seqs, &ids,
                                   &times, &n, err);
        for (size_t i = 0; i < n && rc == HF_OK; i++) {
            hf_arena_reset(r->item);
            if (what == HF_KPI_PAGE_ORDERS)
                rc = replay_order(t, ids[i], r->item, err);
            else if (what == HF_KPI_PAGE_CONVERSATIONS)
                rc = replay_conversation(t, ids[i], r->item, err);
            else
                rc = replay_escalation(
                    t, ids[i], times[i],
                    what == HF_KPI_PAGE_CANCELLED_ESCALATIONS, r->item, err);
            after = seqs[i];
            ++*count;
        }
        if (rc != HF_OK || n < PAGE)
            return rc;
    }
}

static int row_cmp(const void *pa, const void *pb)
{
    const hf_kpi_row *a = pa, *b = pb;
    int c = strcmp(a->dim, b->dim);
    if (c == 0)
        c = a->day < b->day ? -1 : a->day > b->day;
    if (c == 0)
        c = strcmp(a->value, b->value);
    return c != 0 ? c : strcmp(a->metric, b->metric);
}

static void note(hf_kpi_rebuild *out, const hf_kpi_row *r, int64_t before,
                 int64_t after)
{
    if (out->differences++ == 0)
        snprintf(out->first_difference, sizeof(out->first_difference),
                 "day %lld %s=%s %s: %lld -> %lld", (long long)r->day, r->dim,
                 r->value, r->metric, (long long)before, (long long)after);
}

/* Counts the counters that differ between the sorted lists. */
static void compare(hf_kpi_row *a, size_t na, hf_kpi_row *b, size_t nb,
                    hf_kpi_rebuild *out)
{
    qsort(a, na, sizeof(*a), row_cmp);
    qsort(b, nb, sizeof(*b), row_cmp);
    size_t i = 0, j = 0;
    while (i < na || j < nb) {
        int c = i == na ? 1 : j == nb ? -1 : row_cmp(&a[i], &b[j]);
        if (c < 0) {
            if (a[i].n != 0)
                note(out, &a[i], a[i].n, 0);
            i++;
        } else if (c > 0) {
            if (b[j].n != 0)
                note(out, &b[j], 0, b[j].n);
            j++;
        } else {
            if (a[i].n != b[j].n)
                note(out, &a[i], a[i].n, b[j].n);
            i++;
            j++;
        }
    }
}

static hf_rc rebuild_txn(hf_txn *t, void *arg, hf_err *err)
{
    rebuild *r = arg;
    hf_kpi_rebuild *out = r->out;
    memset(out, 0, sizeof(*out));
    hf_arena *keep = hf_arena_new(KEEP_MAX);
    if (keep == NULL)
        return hf_fail(err, HF_ENOMEM, NULL, NULL, "out of memory");
    hf_kpi_row *before, *after;
    size_t nb, na;
    hf_rc rc = hf_txn_kpi_all(t, keep, &before, &nb, err);
    if (rc == HF_OK)
        rc = hf_txn_savepoint(t, err);
    if (rc == HF_OK)
        rc = hf_txn_kpi_clear(t, err);
    if (rc == HF_OK)
        rc = replay(t, r, HF_KPI_PAGE_ORDERS, &out->orders, err);
    if (rc == HF_OK)
        rc = replay(t, r, HF_KPI_PAGE_CONVERSATIONS, &out->conversations, err);
    if (rc == HF_OK)
        rc = replay(t, r, HF_KPI_PAGE_CLOSED_ESCALATIONS, &out->escalations,
                    err);
    if (rc == HF_OK)
        rc = replay(t, r, HF_KPI_PAGE_CANCELLED_ESCALATIONS, &out->escalations,
                    err);
    if (rc == HF_OK)
        rc = hf_txn_kpi_all(t, keep, &after, &na, err);
    if (rc == HF_OK) {
        int64_t orders = out->orders, convs = out->conversations,
                escs = out->escalations;
        compare(before, nb, after, na, out);
        out->orders = orders;
        out->conversations = convs;
        out->escalations = escs;
        out->rows_before = (int64_t)nb;
        out->rows_after = (int64_t)na;
        rc =
            r->check_only ? hf_txn_rollback_to(t, err) : hf_txn_release(t, err);
    }
    hf_arena_free(keep);
    return rc;
}

hf_rc hf_analytics_rebuild(hf_store *store, bool check_only,
                           hf_kpi_rebuild *out, hf_err *err)
{
    rebuild r = {out, check_only, hf_arena_new(0), hf_arena_new(0)};
    hf_rc rc = r.page && r.item
                   ? hf_store_write(store, rebuild_txn, &r, err)
                   : hf_fail(err, HF_ENOMEM, NULL, NULL, "out of memory");
    hf_arena_free(r.page);
    hf_arena_free(r.item);
    return rc;
}
