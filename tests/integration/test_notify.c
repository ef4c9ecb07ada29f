/*
 * test_notify.c - customers hear what happens: a real SMTP server and an
 * SMS endpoint (tests/integration/sinks.py) receive the messages the
 * outbox delivers, and the in-app feed shows them. Opt-out is honoured; a
 * delay is told at once; two processes deliver each message once; a
 * process killed mid-delivery loses nothing, and anything sent again
 * carries the same Message-ID.
 */
#include "harness.h"
#include "sinks.h"

#include <dirent.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static hf_test_server *ts;
static ts_sinks sinks;

static int setup(void **state)
{
    (void)state;
    if (ts_sinks_start(&sinks) != 0)
        return -1;
    char ini[1024];
    snprintf(ini, sizeof ini,
             "[notify]\n"
             "smtp_url = smtp://127.0.0.1:%d\n"
             "email_from = Test Shop <orders@shop.example>\n"
             "sms_url = http://127.0.0.1:%d/sms\n"
             "sms_from = +15550000000\n"
             "shop_name = Test Shop\n"
             "lease_seconds = 2\n",
             sinks.smtp, sinks.http);
    ts = ts_start_with_config(ini);
    return ts ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    ts_free(ts);
    return ts_sinks_stop(&sinks);
}
/* Waits up to 10 s for at least `want` matching files. */
/* A header's value in a mail, or "". */
static void header(const char *mail, const char *name, char *out, size_t n)
{
    out[0] = '\0';
    const char *p = strstr(mail, name);
    if (p == NULL)
        return;
    p += strlen(name);
    size_t len = strcspn(p, "\r\n");
    snprintf(out, n, "%.*s", (int)(len < n ? len : n - 1), p);
}

static json_t *order_for(const char *sku, const char *email, const char *phone,
                         char number[32], char cust[64])
{
    long st;
    json_t *o = ts_order(ts, sku, 1,
                         json_pack("{s:{s:s, s:s, s:s}}", "customer", "email",
                                   email, "name", "Nia Okafor", "phone", phone),
                         &st);
    ts_assert_status(st, 201, o);
    snprintf(number, 32, "%s", ts_str(o, "number"));
    snprintf(cust, 64, "%s", ts_str(json_object_get(o, "customer"), "id"));
    return o;
}

static void test_confirmation_by_email_sms_and_inapp(void **state)
{
    (void)state;
    char number[32], cust[64], order_id[64];
    ts_product(ts, "nt-A", 2500, 100);
    json_t *placed =
        order_for("nt-A", "nia@example.com", "+15551230001", number, cust);
    snprintf(order_id, sizeof order_id, "%s", ts_str(placed, "id"));
    json_decref(placed);
    assert_int_equal(ts_sinks_wait(&sinks, "mail", number, 1), 1);
    char *mail[1];
    assert_int_equal(ts_sinks_received(&sinks, "mail", number, mail, 1), 1);
    char subject[256], to[256], id[128];
    header(mail[0], "Subject: ", subject, sizeof subject);
    header(mail[0], "To: ", to, sizeof to);
    header(mail[0], "Message-ID: ", id, sizeof id);
    assert_non_null(strstr(subject, number));
    assert_non_null(strstr(to, "nia@example.com"));
    assert_non_null(strstr(mail[0], "RCPT: nia@example.com"));
    assert_non_null(strstr(mail[0], "Nia")); /* greeted by name */
    assert_non_null(strstr(mail[0], "text/html"));
    assert_true(strncmp(id, "<outbox-", 8) == 0);
    free(mail[0]);

    assert_int_equal(ts_sinks_wait(&sinks, "sms", number, 1), 1);
    char *sms[1];
    assert_int_equal(ts_sinks_received(&sinks, "sms", number, sms, 1), 1);
    assert_non_null(strstr(sms[0], "To: +15551230001"));
    assert_non_null(strstr(sms[0], "Idempotency-Key: outbox-"));
    /* the order's link is signed for the shopper */
    char link[64];
    snprintf(link, sizeof link, "/orders/%s?t=", number);
    assert_non_null(strstr(sms[0], link));
    free(sms[0]);

    long st;
    json_t *feed = NULL;
    for (int i = 0; i < 100; i++) {
        json_decref(feed);
        feed = ts_get(ts, &st, "/v1/customers/%s/notifications", cust);
        ts_assert_status(st, 200, feed);
        if (json_array_size(json_object_get(feed, "data")) > 0)
            break;
        ts_sleep_ms(50);
    }
    json_t *first = json_array_get(json_object_get(feed, "data"), 0);
    assert_non_null(first);
    assert_string_equal(ts_str(first, "kind"), "order_confirmed");
    assert_non_null(strstr(ts_str(first, "title"), number));
    json_decref(feed);

    /* the order's timeline (and so its live stream) says what the
     * customer was told, on which channels */
    json_t *noted = NULL;
    for (int i = 0; i < 100 && noted == NULL; i++) {
        json_t *ev = ts_get(ts, &st, "/v1/orders/%s/events", order_id);
        size_t k;
        json_t *e;
        json_array_foreach(json_object_get(ev, "data"), k, e)
        {
            if (noted == NULL &&
                strcmp(ts_str(e, "type"), "customer_notified") == 0)
                noted = json_deep_copy(e);
        }
        json_decref(ev);
        if (noted == NULL)
            ts_sleep_ms(50);
    }
    assert_non_null(noted);
    assert_string_equal(ts_str(noted, "reason"), "order_confirmed");
    json_t *data = json_object_get(noted, "data");
    assert_int_equal(json_array_size(json_object_get(data, "channels")), 3);
    assert_non_null(strstr(ts_str(data, "title"), number));
    json_decref(noted);
}

static void test_opt_out_is_honoured(void **state)
{
    (void)state;
    char number[32], cust[64];
    ts_product(ts, "nt-B", 2500, 100);
    json_decref(
        order_for("nt-B", "omar@example.com", "+15551230002", number, cust));
    assert_int_equal(ts_sinks_wait(&sinks, "sms", number, 1), 1);
    long st;
    json_t *r = ts_post(ts, json_pack("{s:b}", "sms", 0), &st,
                        "/v1/customers/%s/preferences", cust);
    ts_assert_status(st, 200, r);
    assert_false(json_is_true(json_object_get(r, "sms")));
    assert_true(json_is_true(json_object_get(r, "email")));
    json_decref(r);
    char second[32];
    json_decref(
        order_for("nt-B", "omar@example.com", "+15551230002", second, cust));
    assert_int_equal(ts_sinks_wait(&sinks, "mail", second, 1), 1);
    ts_sleep_ms(500); /* the SMS would have gone out with the email */
    assert_int_equal(ts_sinks_received(&sinks, "sms", second, NULL, 0), 0);
}

static void test_delay_is_told_at_once(void **state)
{
    (void)state;
    char number[32], cust[64], t[32], later[32];
    ts_product(ts, "nt-C", 2500, 100);
    json_t *o =
        order_for("nt-C", "lee@example.com", "+15551230003", number, cust);
    char id[128];
    snprintf(id, sizeof id, "%s", ts_str(o, "id"));
    json_decref(o);
    long st;
    json_t *sh = ts_post(ts,
                         json_pack("{s:s, s:s}", "carrier", "ups",
                                   "tracking_number", "1ZNOTIFY"),
                         &st, "/v1/orders/%s/shipments", id);
    ts_assert_status(st, 201, sh);
    char sid[128];
    snprintf(sid, sizeof sid, "%s", ts_str(sh, "id"));
    json_decref(sh);
    time_t now = time(NULL), far = now + 20 * 86400;
    strftime(t, sizeof t, "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
    strftime(later, sizeof later, "%Y-%m-%dT%H:%M:%SZ", gmtime(&far));
    json_t *r = ts_post(ts,
                        json_pack("{s:s, s:s, s:s}", "status", "in_transit",
                                  "time", t, "estimated_delivery", later),
                        &st, "/v1/shipments/%s/events", sid);
    ts_assert_status(st, 201, r);
    json_decref(r);
    /* confirmation, shipped, and the delay: three mails for this order */
    assert_int_equal(ts_sinks_wait(&sinks, "mail", number, 3), 3);
    char *mails[3];
    assert_int_equal(ts_sinks_received(&sinks, "mail", number, mails, 3), 3);
    /* the delay notice says why, in words, and names the new date */
    int delays = 0;
    for (int i = 0; i < 3; i++) {
        delays += strstr(mails[i], "running late") != NULL &&
                  strstr(mails[i], "later than we promised") != NULL;
        free(mails[i]);
    }
    assert_int_equal(delays, 1);
}

/* Places n orders for sku and records their numbers. */
static void place_many(const char *sku, int n, char numbers[][32])
{
    for (int i = 0; i < n; i++) {
        char email[64], cust[64];
        snprintf(email, sizeof email, "many.%s.%d@example.com", sku, i);
        json_decref(order_for(sku, email, "+15551239999", numbers[i], cust));
    }
}

/* Every order got its confirmation; copies of one share a Message-ID. */
static int check_delivered(char numbers[][32], int n, bool allow_copies)
{
    int copies = 0;
    for (int i = 0; i < n; i++) {
        int got = ts_sinks_wait(&sinks, "mail", numbers[i], 1);
        assert_true(got >= 1);
        char *mails[8];
        int k = ts_sinks_received(&sinks, "mail", numbers[i], mails, 8);
        char first[128] = "";
        for (int j = 0; j < k && j < 8; j++) {
            char id[128];
            header(mails[j], "Message-ID: ", id, sizeof id);
            if (j == 0)
                snprintf(first, sizeof first, "%s", id);
            assert_string_equal(id, first);
            free(mails[j]);
        }
        if (!allow_copies)
            assert_int_equal(k, 1);
        copies += k - 1;
    }
    return copies;
}

static void test_two_processes_deliver_each_message_once(void **state)
{
    (void)state;
    enum { N = 30 };
    hf_test_server *peer = ts_start_peer(ts);
    assert_non_null(peer);
    ts_product(ts, "nt-D", 2500, 1000);
    char numbers[N][32];
    place_many("nt-D", N, numbers);
    check_delivered(numbers, N, false);
    ts_free(peer);
}

static void test_kill_during_delivery_loses_nothing(void **state)
{
    (void)state;
    enum { N = 40 };
    ts_product(ts, "nt-E", 2500, 1000);
    char numbers[N][32];
    place_many("nt-E", N, numbers);
    ts_kill9(ts); /* while the workers are sending */
    assert_int_equal(ts_restart(ts), 0);
    int copies = check_delivered(numbers, N, true);
    fprintf(stderr, "%d messages sent again after the kill, same ids\n",
            copies);
}

/* A cancellation through the policy sends the survey; its signed link
 * opens that order's survey once, and nothing else opens it. */
static void test_cancellation_survey_by_signed_link(void **state)
{
    (void)state;
    char number[32], cust[64], order_id[64];
    ts_product(ts, "nt-S", 2500, 100);
    json_t *placed =
        order_for("nt-S", "sam@example.com", "+15551230077", number, cust);
    snprintf(order_id, sizeof order_id, "%s", ts_str(placed, "id"));
    json_decref(placed);
    long st;
    json_t *r = ts_post_as(ts, ts->service_key, NULL,
                           json_pack("{s:s}", "reason", "shipping_delay"), &st,
                           "/v1/orders/%s/cancellation-requests", order_id);
    ts_assert_status(st, 201, r);
    char req[64];
    snprintf(req, sizeof req, "%s", ts_str(r, "id"));
    json_decref(r);
    r = ts_post_as(ts, ts->service_key, NULL, json_pack("{s:b}", "decline", 1),
                   &st, "/v1/cancellation-requests/%s/decision", req);
    ts_assert_status(st, 200, r);
    json_decref(r);

    /* the survey's SMS carries /surveys/TOKEN */
    assert_int_equal(ts_sinks_wait(&sinks, "sms", "/surveys/", 1), 1);
    char *sms[1];
    assert_int_equal(ts_sinks_received(&sinks, "sms", "/surveys/", sms, 1), 1);
    char token[256];
    const char *at = strstr(sms[0], "/surveys/") + strlen("/surveys/");
    size_t n = strcspn(at, " \n");
    assert_true(n > 20 && n < sizeof token);
    memcpy(token, at, n);
    token[n] = '\0';
    free(sms[0]);

    json_t *sv = ts_get_as(ts, NULL, &st, "/v1/surveys/%s", token);
    ts_assert_status(st, 200, sv);
    assert_string_equal(ts_str(sv, "order"), number);
    assert_false(json_is_true(json_object_get(sv, "answered")));
    assert_int_equal(json_array_size(json_object_get(sv, "questions")), 4);
    json_decref(sv);
    json_t *bad =
        ts_post_as(ts, NULL, NULL,
                   json_pack("{s:s, s:i, s:b}", "reason", "shipping_delay",
                             "service_rating", 9, "recommend", 0),
                   &st, "/v1/surveys/%s", token);
    ts_assert_error(st, bad, 422, "invalid");
    json_decref(bad);
    json_t *ans = ts_post_as(
        ts, NULL, NULL,
        json_pack("{s:s, s:s, s:i, s:b}", "reason", "shipping_delay", "improve",
                  "faster shipping", "service_rating", 4, "recommend", 1),
        &st, "/v1/surveys/%s", token);
    ts_assert_status(st, 201, ans);
    json_decref(ans);
    ans = ts_post_as(ts, NULL, NULL,
                     json_pack("{s:s, s:i, s:b}", "reason", "other",
                               "service_rating", 1, "recommend", 0),
                     &st, "/v1/surveys/%s", token);
    ts_assert_error(st, ans, 409, "already_answered");
    json_decref(ans);
    sv = ts_get_as(ts, NULL, &st, "/v1/surveys/%s", token);
    assert_true(json_is_true(json_object_get(sv, "answered")));
    assert_int_equal(ts_int2(sv, "answer", "service_rating"), 4);
    json_decref(sv);
    /* a token one character off, or made up, opens nothing */
    token[n / 2] = token[n / 2] == 'A' ? 'B' : 'A';
    sv = ts_get_as(ts, NULL, &st, "/v1/surveys/%s", token);
    ts_assert_error(st, sv, 401, "bad_token");
    json_decref(sv);
    sv = ts_get_as(ts, NULL, &st, "/v1/surveys/b3JkXzE.9999999999.AAAA");
    ts_assert_error(st, sv, 401, "bad_token");
    json_decref(sv);
}

/* An idle server writes nothing: the notifier looks for messages five
 * times a second, and a look that finds none is no commit. Once the
 * deliveries the other tests left are done, a second passes without
 * one. */
static void test_idle_server_commits_nothing(void **state)
{
    (void)state;
    long long deadline = ts_now_ms() + 20000;
    double before, after;
    do {
        before = ts_metric(ts, "holdfast_store_commits_total");
        ts_sleep_ms(1000);
        after = ts_metric(ts, "holdfast_store_commits_total");
    } while (after != before && ts_now_ms() < deadline);
    assert_true(before > 0);
    assert_true(after == before);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_confirmation_by_email_sms_and_inapp),
        cmocka_unit_test(test_idle_server_commits_nothing),
        cmocka_unit_test(test_opt_out_is_honoured),
        cmocka_unit_test(test_cancellation_survey_by_signed_link),
        cmocka_unit_test(test_delay_is_told_at_once),
        cmocka_unit_test(test_two_processes_deliver_each_message_once),
        cmocka_unit_test(test_kill_during_delivery_loses_nothing),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
