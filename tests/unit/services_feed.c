/* Unit tests for services/feed: which ids the follower counts as delivered
 * when PostgreSQL makes them visible out of order, how an event becomes an
 * SSE frame, and a subscriber's queue (notify after empty, slow ones
 * dropped, the end). Includes feed.c for its static functions; no store is
 * opened. */
#include "services/feed.c"

#include <jansson.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

/* --- tracker ------------------------------------------------------------- */

static void test_in_order_ids_move_the_floor(void **state)
{
    (void)state;
    tracker t;
    tracker_init(&t, 10);
    assert_true(tracker_seen(&t, 10));
    assert_false(tracker_seen(&t, 11));
    for (int64_t id = 11; id <= 20; id++) {
        assert_false(tracker_seen(&t, id));
        assert_int_equal(tracker_add(&t, id), 0);
        assert_true(tracker_seen(&t, id));
    }
    assert_int_equal(tracker_settle(&t, 0), 0);
    assert_int_equal(t.floor, 20);
    assert_int_equal(t.max_seen, 20);
    assert_int_equal(t.mark_n, 0);
}

static void test_late_commit_is_delivered_once(void **state)
{
    (void)state;
    tracker t;
    tracker_init(&t, 0);
    tracker_add(&t, 1);
    tracker_add(&t, 2);
    tracker_add(&t, 4); /* 3 is not committed yet */
    assert_int_equal(tracker_settle(&t, 1000), 0);
    assert_int_equal(t.floor, 2);
    assert_false(tracker_seen(&t, 3)); /* a re-read still delivers it */
    assert_true(tracker_seen(&t, 4));  /* ... but not 4 again */
    tracker_add(&t, 3);
    assert_int_equal(tracker_settle(&t, 1200), 0);
    assert_int_equal(t.floor, 4);
    assert_true(tracker_seen(&t, 3));
}

static void test_rolled_back_id_is_given_up_after_the_gap_time(void **state)
{
    (void)state;
    tracker t;
    tracker_init(&t, 0);
    tracker_add(&t, 1);
    tracker_add(&t, 3); /* 2 rolled back */
    assert_int_equal(tracker_settle(&t, 0), 0);
    assert_int_equal(t.floor, 1);
    tracker_add(&t, 4);
    assert_int_equal(tracker_settle(&t, HF_FEED_GAP_MS - 1), 0);
    assert_int_equal(t.floor, 1);
    assert_int_equal(tracker_settle(&t, HF_FEED_GAP_MS), 1);
    assert_int_equal(t.floor, 4);
    assert_true(tracker_seen(&t, 2));
    assert_int_equal(t.mark_n, 0);
}

static void test_window_moves_past_an_old_gap(void **state)
{
    (void)state;
    tracker t;
    tracker_init(&t, 0);
    tracker_add(&t, 1);
    tracker_add(&t, 3);
    tracker_settle(&t, 0);
    /* an id a window ahead forces the floor up: 2 is given up at once */
    int64_t far = 3 + HF_FEED_WINDOW;
    assert_int_equal(tracker_add(&t, far), 1);
    assert_int_equal(t.floor, far - HF_FEED_WINDOW);
    assert_true(tracker_seen(&t, 2));
    assert_true(tracker_seen(&t, far));
    assert_false(tracker_seen(&t, far - 1));
    assert_false(tracker_seen(&t, far + HF_FEED_WINDOW)); /* aliases far */
}

/* --- frames -------------------------------------------------------------- */

static hf_feed_event sample_event(const char *type, const char *data_json)
{
    hf_feed_event e;
    memset(&e, 0, sizeof(e));
    e.id = 42;
    e.order_id = "ord_abc";
    e.number = "HF-100007";
    e.event.seq = 3;
    e.event.at = 1795000000000;
    e.event.type = type;
    e.event.actor = "api:key_x";
    e.event.from = HF_STATUS_COUNT;
    e.event.to = HF_STATUS_COUNT;
    e.event.data_json = data_json;
    return e;
}

/* The data of a frame: its "data:" lines joined by line feeds. */
static json_t *frame_data(const frame *fr, char *type, size_t typesz)
{
    char data[4096] = "";
    const char *p = fr->text;
    type[0] = '\0';
    while (*p != '\0' && *p != '\n') {
        const char *eol = strchr(p, '\n');
        assert_non_null(eol);
        if (strncmp(p, "data:", 5) == 0) {
            const char *v = p[5] == ' ' ? p + 6 : p + 5;
            if (data[0] != '\0')
                strcat(data, "\n");
            strncat(data, v, (size_t)(eol - v));
        } else if (strncmp(p, "event: ", 7) == 0) {
            snprintf(type, typesz, "%.*s", (int)(eol - p - 7), p + 7);
        }
        p = eol + 1;
    }
    assert_int_equal(*p, '\n'); /* the frame ends with an empty line */
    assert_int_equal(p[1], '\0');
    json_error_t e;
    json_t *j = json_loads(data, 0, &e);
    if (j == NULL)
        fail_msg("data is not JSON (%s): %s", e.text, data);
    return j;
}

static void test_frame_has_id_type_and_the_entry(void **state)
{
    (void)state;
    hf_arena *a = hf_arena_new(0);
    hf_feed_event e = sample_event("status_changed", "{\"k\":1}");
    e.event.from = HF_STATUS_CONFIRMED;
    e.event.to = HF_STATUS_ALLOCATED;
    frame *fr = frame_render(&e, a);
    assert_non_null(fr);
    assert_int_equal(fr->id, 42);
    assert_int_equal(strlen(fr->text), fr->len);
    const char *start = "id: 42\nevent: status_changed\ndata: {";
    assert_memory_equal(fr->text, start, strlen(start));
    char type[64];
    json_t *j = frame_data(fr, type, sizeof(type));
    assert_string_equal(type, "status_changed");
    assert_string_equal(json_string_value(json_object_get(j, "order_id")),
                        "ord_abc");
    assert_string_equal(json_string_value(json_object_get(j, "number")),
                        "HF-100007");
    assert_int_equal(json_integer_value(json_object_get(j, "seq")), 3);
    assert_string_equal(json_string_value(json_object_get(j, "from")),
                        "confirmed");
    assert_string_equal(json_string_value(json_object_get(j, "to")),
                        "allocated");
    assert_int_equal(
        json_integer_value(json_object_get(json_object_get(j, "data"), "k")),
        1);
    json_decref(j);
    frame_unref(fr);
    hf_arena_free(a);
}

static void test_line_breaks_cannot_end_the_frame(void **state)
{
    (void)state;
    hf_arena *a = hf_arena_new(0);
    /* stored JSON with raw line breaks, and a type with one */
    hf_feed_event e = sample_event("eta\nchanged", "{\n\"a\":\r\n[1,\r2]\n}");
    frame *fr = frame_render(&e, a);
    assert_non_null(fr);
    /* the only empty line is the one that ends the frame */
    assert_ptr_equal(strstr(fr->text, "\n\n"), fr->text + fr->len - 2);
    assert_null(strchr(fr->text, '\r'));
    char type[64];
    json_t *j = frame_data(fr, type, sizeof(type));
    assert_string_equal(type, "eta_changed");
    json_t *arr = json_object_get(json_object_get(j, "data"), "a");
    assert_int_equal(json_array_size(arr), 2);
    json_decref(j);
    frame_unref(fr);
    hf_arena_free(a);
}

/* --- subscribers --------------------------------------------------------- */

typedef struct probe_reader {
    int suspended; /* on_empty calls */
    int resumed;   /* notify calls */
} probe_reader;

static bool on_empty(void *arg)
{
    probe_reader *r = arg;
    assert_int_equal(r->suspended, r->resumed); /* no double suspend */
    r->suspended++;
    return true;
}

static void on_notify(void *arg)
{
    probe_reader *r = arg;
    r->resumed++;
    assert_int_equal(r->suspended, r->resumed); /* resume follows suspend */
}

/* A feed without a store or thread: enough for subscribers. */
static hf_feed *bare_feed(void)
{
    hf_feed *f = hf_calloc(1, sizeof(*f));
    assert_non_null(f);
    pthread_mutex_init(&f->mu, NULL);
    pthread_cond_init(&f->emptied, NULL);
    f->keepalive = frame_text(": keepalive\n\n");
    return f;
}

static void free_bare_feed(hf_feed *f)
{
    assert_true(hf_feed_wait_empty(f, 0));
    frame_unref(f->keepalive);
    pthread_cond_destroy(&f->emptied);
    pthread_mutex_destroy(&f->mu);
    hf_free(f);
}

static frame *event_frame(int64_t id)
{
    char text[64];
    int n =
        snprintf(text, sizeof(text), "id: %lld\ndata: {}\n\n", (long long)id);
    frame *fr = frame_new(id, (size_t)n);
    memcpy(fr->text, text, (size_t)n + 1);
    return fr;
}

static void publish(hf_feed *f, const char *order_id, int64_t id)
{
    frame *fr = event_frame(id);
    pthread_mutex_lock(&f->mu);
    fan_out(f, order_id, fr);
    pthread_mutex_unlock(&f->mu);
    frame_unref(fr);
}

static void test_reader_is_told_after_it_waits(void **state)
{
    (void)state;
    hf_feed *f = bare_feed();
    probe_reader r = {0, 0};
    hf_feed_sub *s;
    hf_err err;
    assert_int_equal(hf_feed_subscribe(f, "ord_1", -1, on_notify, &r, &s, &err),
                     HF_OK);
    char buf[256];
    size_t n;
    assert_int_equal(hf_feed_read(s, buf, sizeof(buf), &n, on_empty, &r),
                     HF_FEED_EMPTY);
    assert_int_equal(r.suspended, 1);
    publish(f, "ord_2", 1); /* another order: nothing */
    assert_int_equal(r.resumed, 0);
    publish(f, "ord_1", 2);
    assert_int_equal(r.resumed, 1);
    publish(f, "ord_1", 3); /* not waiting: no second notify */
    assert_int_equal(r.resumed, 1);
    /* a small buffer splits frames; nothing is lost */
    char all[256] = "";
    while (hf_feed_read(s, buf, 5, &n, on_empty, &r) == HF_FEED_DATA)
        strncat(all, buf, n);
    assert_string_equal(all, "id: 2\ndata: {}\n\nid: 3\ndata: {}\n\n");
    assert_int_equal(r.suspended, 2);
    hf_feed_close(f); /* the end wakes the waiting reader */
    assert_int_equal(r.resumed, 2);
    assert_int_equal(hf_feed_read(s, buf, sizeof(buf), &n, on_empty, &r),
                     HF_FEED_END);
    hf_feed_sub *late;
    assert_int_equal(hf_feed_subscribe(f, NULL, -1, on_notify, &r, &late, &err),
                     HF_EBUSY);
    hf_feed_unsubscribe(s);
    free_bare_feed(f);
}

static void test_slow_subscriber_is_dropped_alone(void **state)
{
    (void)state;
    hf_feed *f = bare_feed();
    probe_reader slow_r = {0, 0}, fast_r = {0, 0};
    hf_feed_sub *slow, *fast;
    hf_err err;
    assert_int_equal(
        hf_feed_subscribe(f, NULL, -1, on_notify, &slow_r, &slow, &err), HF_OK);
    assert_int_equal(
        hf_feed_subscribe(f, "ord_1", -1, on_notify, &fast_r, &fast, &err),
        HF_OK);
    char buf[64];
    size_t n;
    for (int64_t id = 1; id <= HF_FEED_QUEUE_FRAMES + 1; id++) {
        publish(f, "ord_1", id);
        assert_int_equal(
            hf_feed_read(fast, buf, sizeof(buf), &n, on_empty, &fast_r),
            HF_FEED_DATA);
    }
    assert_int_equal(
        hf_feed_read(slow, buf, sizeof(buf), &n, on_empty, &slow_r),
        HF_FEED_DROPPED);
    hf_feed_stats st;
    hf_feed_stats_get(f, &st);
    assert_int_equal(st.dropped, 1);
    assert_int_equal(st.subscribers, 2);
    publish(f, "ord_1", HF_FEED_QUEUE_FRAMES + 2); /* fast goes on */
    assert_int_equal(
        hf_feed_read(fast, buf, sizeof(buf), &n, on_empty, &fast_r),
        HF_FEED_DATA);
    hf_feed_unsubscribe(slow);
    hf_feed_unsubscribe(fast);
    hf_feed_stats_get(f, &st);
    assert_int_equal(st.subscribers, 0);
    free_bare_feed(f);
}

static void test_resume_skips_what_was_replayed(void **state)
{
    (void)state;
    hf_feed *f = bare_feed();
    probe_reader r = {0, 0};
    hf_feed_sub *s;
    hf_err err;
    /* subscribed live (no store needed), then marked as a resume after 5
     * whose replay held 7 and 8, as resume() leaves it */
    assert_int_equal(hf_feed_subscribe(f, NULL, -1, on_notify, &r, &s, &err),
                     HF_OK);
    s->after_id = 5;
    s->replayed = hf_malloc(2 * sizeof(int64_t));
    s->replayed[0] = 7;
    s->replayed[1] = 8;
    s->n_replayed = 2;
    for (int64_t id = 4; id <= 9; id++)
        publish(f, "ord_1", id);
    char buf[256];
    size_t n;
    assert_int_equal(hf_feed_read(s, buf, sizeof(buf), &n, on_empty, &r),
                     HF_FEED_DATA);
    buf[n] = '\0';
    assert_string_equal(buf, "id: 6\ndata: {}\n\nid: 9\ndata: {}\n\n");
    hf_feed_unsubscribe(s);
    free_bare_feed(f);
}

static void test_keepalive_goes_to_idle_subscribers(void **state)
{
    (void)state;
    hf_feed *f = bare_feed();
    probe_reader r1 = {0, 0}, r2 = {0, 0};
    hf_feed_sub *idle, *busy;
    hf_err err;
    assert_int_equal(
        hf_feed_subscribe(f, "ord_1", -1, on_notify, &r1, &idle, &err), HF_OK);
    assert_int_equal(
        hf_feed_subscribe(f, NULL, -1, on_notify, &r2, &busy, &err), HF_OK);
    char buf[256];
    size_t n;
    assert_int_equal(hf_feed_read(idle, buf, sizeof(buf), &n, on_empty, &r1),
                     HF_FEED_EMPTY);
    publish(f, "ord_2", 1); /* busy has a frame waiting, idle nothing */
    send_keepalive(f);
    assert_int_equal(r1.resumed, 1); /* the waiting reader is woken */
    assert_int_equal(hf_feed_read(idle, buf, sizeof(buf), &n, on_empty, &r1),
                     HF_FEED_DATA);
    buf[n] = '\0';
    assert_string_equal(buf, ": keepalive\n\n");
    assert_int_equal(hf_feed_read(busy, buf, sizeof(buf), &n, on_empty, &r2),
                     HF_FEED_DATA);
    buf[n] = '\0';
    assert_string_equal(buf, "id: 1\ndata: {}\n\n"); /* no keepalive */
    hf_feed_unsubscribe(idle);
    hf_feed_unsubscribe(busy);
    free_bare_feed(f);
}

static bool client_gone(void *arg)
{
    (void)arg;
    return false;
}

/* A shopper following their order gets frames only for the entries a
 * shopper is shown, without actor, reason or data; staff get every one. */
static void test_shopper_sees_only_their_entries(void **state)
{
    (void)state;
    hf_feed *f = bare_feed();
    hf_arena *a = hf_arena_new(0);
    probe_reader rs = {0, 0}, rf = {0, 0};
    hf_feed_sub *shopper, *staff;
    hf_err err;
    assert_int_equal(hf_feed_subscribe_shopper(f, "ord_abc", -1, on_notify, &rs,
                                               &shopper, &err),
                     HF_OK);
    assert_int_equal(
        hf_feed_subscribe(f, "ord_abc", -1, on_notify, &rf, &staff, &err),
        HF_OK);
    hf_feed_event internal =
        sample_event("playbook_fired", "{\"risk\":0.91,\"playbook\":\"call\"}");
    internal.id = 41;
    hf_feed_event scan =
        sample_event("shipment_status", "{\"status\":\"in_transit\"}");
    hf_feed_event *events[] = {&internal, &scan};
    pthread_mutex_lock(&f->mu);
    for (size_t i = 0; i < 2; i++) {
        frame *fr = frame_render(events[i], a);
        fan_out(f, events[i]->order_id, fr);
        fan_out_shopper(f, events[i], a);
        frame_unref(fr);
    }
    pthread_mutex_unlock(&f->mu);
    char buf[1024], got[2048] = "";
    size_t n;
    while (hf_feed_read(shopper, buf, sizeof(buf), &n, on_empty, &rs) ==
           HF_FEED_DATA)
        strncat(got, buf, n);
    assert_null(strstr(got, "playbook_fired"));
    assert_null(strstr(got, "risk"));
    assert_null(strstr(got, "api:key_x"));  /* the actor */
    assert_null(strstr(got, "in_transit")); /* the data */
    assert_non_null(strstr(got, "id: 42\nevent: shipment_status\ndata: "));
    assert_non_null(strstr(got, "\"number\":\"HF-100007\",\"seq\":3"));
    got[0] = '\0';
    while (hf_feed_read(staff, buf, sizeof(buf), &n, on_empty, &rf) ==
           HF_FEED_DATA)
        strncat(got, buf, n);
    assert_non_null(strstr(got, "playbook_fired"));
    assert_non_null(strstr(got, "in_transit"));
    hf_feed_unsubscribe(shopper);
    hf_feed_unsubscribe(staff);
    hf_arena_free(a);
    free_bare_feed(f);
}

static void test_reader_whose_client_left_ends(void **state)
{
    (void)state;
    hf_feed *f = bare_feed();
    probe_reader r = {0, 0};
    hf_feed_sub *s;
    hf_err err;
    assert_int_equal(hf_feed_subscribe(f, NULL, -1, on_notify, &r, &s, &err),
                     HF_OK);
    char buf[64];
    size_t n;
    assert_int_equal(hf_feed_read(s, buf, sizeof(buf), &n, client_gone, NULL),
                     HF_FEED_END);
    publish(f, "ord_1", 1); /* ended: nothing is queued, nobody notified */
    assert_int_equal(r.resumed, 0);
    assert_int_equal(hf_feed_read(s, buf, sizeof(buf), &n, on_empty, &r),
                     HF_FEED_END);
    hf_feed_unsubscribe(s);
    free_bare_feed(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_in_order_ids_move_the_floor),
        cmocka_unit_test(test_late_commit_is_delivered_once),
        cmocka_unit_test(test_rolled_back_id_is_given_up_after_the_gap_time),
        cmocka_unit_test(test_window_moves_past_an_old_gap),
        cmocka_unit_test(test_frame_has_id_type_and_the_entry),
        cmocka_unit_test(test_line_breaks_cannot_end_the_frame),
        cmocka_unit_test(test_reader_is_told_after_it_waits),
        cmocka_unit_test(test_slow_subscriber_is_dropped_alone),
        cmocka_unit_test(test_resume_skips_what_was_replayed),
        cmocka_unit_test(test_keepalive_goes_to_idle_subscribers),
        cmocka_unit_test(test_reader_whose_client_left_ends),
        cmocka_unit_test(test_shopper_sees_only_their_entries),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
