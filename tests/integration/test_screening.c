/*
 * test_screening.c - orders are validated and screened as they arrive:
 * a clean order is confirmed; an unknown product or a bad currency is
 * refused with its reason and changes nothing; a bad postal code holds
 * the order and the customer gets a signed link (read here from the SMS
 * sink, as the customer would) that corrects it and releases the hold; a
 * duplicate and a likely fraud wait in the review queue, where approving
 * releases the order and rejecting cancels it with its stock back.
 */
#include "harness.h"
#include "sinks.h"

#include <dirent.h>
#include <stdbool.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static hf_test_server *ts;
static ts_sinks sinks;

static int setup(void **state)
{
    (void)state;
    if (ts_sinks_start(&sinks) != 0)
        return -1;
    char ini[1024];
    /* the documented defaults, stated so that the harness leaves them */
    snprintf(ini, sizeof ini,
             "[notify]\n"
             "smtp_url = smtp://127.0.0.1:%d\n"
             "email_from = Test Shop <orders@shop.example>\n"
             "sms_url = http://127.0.0.1:%d/sms\n"
             "sms_from = +15550000000\n"
             "shop_name = Test Shop\n"
             "[validation]\n"
             "duplicate_window_minutes = 10\n"
             "[fraud]\n"
             "review_at = 40\n"
             "reject_at = 80\n",
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
/* The order's timeline entry of type whose reason contains needle (NULL:
 * any), as a new reference, or NULL. */
static json_t *timeline_entry(const char *id, const char *type,
                              const char *needle)
{
    long st;
    json_t *ev = ts_get(ts, &st, "/v1/orders/%s/events", id);
    ts_assert_status(st, 200, ev);
    json_t *e, *found = NULL;
    size_t i;
    json_array_foreach(json_object_get(ev, "data"), i, e)
    {
        const char *reason = ts_str(e, "reason");
        if (strcmp(ts_str(e, "type"), type) == 0 &&
            (needle == NULL || strstr(reason, needle) != NULL))
            found = json_deep_copy(e);
    }
    json_decref(ev);
    return found;
}

/* The open review of the order's number, listed to an agent. */
static json_t *open_review(const char *number)
{
    long st;
    json_t *list = ts_get_as(ts, ts->agent_key, &st, "/v1/reviews?status=open");
    ts_assert_status(st, 200, list);
    json_t *r, *found = NULL;
    size_t i;
    json_array_foreach(json_object_get(list, "reviews"), i, r)
    {
        if (strcmp(ts_str(r, "order_number"), number) == 0)
            found = json_deep_copy(r);
    }
    json_decref(list);
    return found;
}

/* Whether j's JSON text contains needle. */
static bool json_mentions(const json_t *j, const char *needle)
{
    char *text = json_dumps(j, JSON_ENCODE_ANY);
    bool found = text != NULL && strstr(text, needle) != NULL;
    free(text);
    return found;
}

static bool has_reason(const json_t *err_body, const char *code)
{
    json_t *reasons =
        json_object_get(json_object_get(err_body, "error"), "reasons");
    json_t *r;
    size_t i;
    json_array_foreach(reasons, i, r)
    {
        if (strcmp(ts_str(r, "code"), code) == 0)
            return true;
    }
    return false;
}

static void test_clean_order_is_confirmed(void **state)
{
    (void)state;
    ts_product(ts, "SC-CLEAN", 2500, 5);
    long st;
    json_t *o = ts_order(ts, "SC-CLEAN", 1, NULL, &st);
    ts_assert_status(st, 201, o);
    assert_string_equal(ts_str(o, "status"), "confirmed");
    json_t *r = open_review(ts_str(o, "number"));
    assert_null(r);
    json_decref(o);
    ts_assert_inventory(ts, "SC-CLEAN", 5, 1, 4);
}

static void test_unknown_product_and_bad_currency_are_refused(void **state)
{
    (void)state;
    ts_product(ts, "SC-REAL", 2500, 5);
    long st;
    json_t *body = ts_order_body("SC-REAL", 1,
                                 json_pack("{s:[{s:s, s:i}, {s:s, s:i}]}",
                                           "lines", "sku", "SC-REAL", "qty", 1,
                                           "sku", "SC-NO-SUCH", "qty", 1));
    json_t *r = ts_post_as(ts, ts->service_key, NULL, body, &st, "/v1/orders");
    ts_assert_status(st, 422, r);
    assert_string_equal(ts_err_code(r), "order_rejected");
    assert_string_equal(ts_err_field(r), "lines[1].sku");
    assert_true(has_reason(r, "unknown_product"));
    json_decref(r);

    r = ts_order(ts, "SC-REAL", 1, json_pack("{s:s}", "currency", "XYZ"), &st);
    ts_assert_status(st, 422, r);
    assert_string_equal(ts_err_code(r), "order_rejected");
    assert_true(has_reason(r, "invalid_currency"));
    assert_string_equal(ts_err_field(r), "currency");
    json_decref(r);
    /* nothing was reserved by either */
    ts_assert_inventory(ts, "SC-REAL", 5, 0, 5);
}

static json_t *address(const char *postal)
{
    return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "name", "Ann Lee",
                     "line1", "1 Main St", "city", "Springfield", "region",
                     "IL", "postal_code", postal, "country", "US");
}

static void test_bad_postal_code_is_held_and_fixed_by_the_customer(void **state)
{
    (void)state;
    ts_product(ts, "SC-ZIP", 2500, 5);
    long st;
    json_t *o =
        ts_order(ts, "SC-ZIP", 1,
                 json_pack("{s:{s:s, s:s, s:s}, s:o}", "customer", "email",
                           "zip@example.com", "name", "Zia Park", "phone",
                           "+15551230077", "shipping_address", address("6270")),
                 &st);
    ts_assert_status(st, 201, o);
    assert_string_equal(ts_str(o, "status"), "on_hold");
    assert_string_equal(ts_str(o, "held_from"), "confirmed");
    char id[64], number[32], customer[64];
    snprintf(id, sizeof id, "%s", ts_str(o, "id"));
    snprintf(number, sizeof number, "%s", ts_str(o, "number"));
    snprintf(customer, sizeof customer, "%s",
             ts_str(json_object_get(o, "customer"), "id"));
    json_decref(o);
    ts_assert_inventory(ts, "SC-ZIP", 5, 1, 4);
    json_t *held = timeline_entry(id, "status_changed", "postal_code_format");
    assert_non_null(held);
    assert_string_equal(ts_str(held, "to"), "on_hold");
    json_decref(held);

    /* the customer hears it: in the app and by SMS, with a signed link */
    json_t *n = ts_feed_item(ts, customer, "address_needs_fixing");
    assert_non_null(n);
    assert_non_null(strstr(ts_str(n, "body"), "postal code"));
    json_decref(n);
    char *sms = ts_sinks_first(&sinks, "sms", number);
    assert_non_null(sms);
    const char *t = strstr(sms, "/address?t=");
    assert_non_null(t);
    t += strlen("/address?t=");
    char token[256];
    size_t len = strcspn(t, " \r\n\"&");
    assert_true(len > 10 && len < sizeof token);
    snprintf(token, sizeof token, "%.*s", (int)len, t);
    free(sms);

    /* a wrong token is refused, and so is a key in its place */
    json_t *r =
        ts_post_as(ts, NULL, NULL,
                   json_pack("{s:o}", "shipping_address", address("62701")),
                   &st, "/v1/orders/%s/address?t=%sx", id, token);
    ts_assert_status(st, 401, r);
    json_decref(r);
    r = ts_post_as(ts, NULL, NULL,
                   json_pack("{s:o}", "shipping_address", address("62701")),
                   &st, "/v1/orders/%s/address", id);
    ts_assert_status(st, 401, r);
    json_decref(r);
    /* still wrong: refused with the reason, the order stays held */
    r = ts_post_as(ts, NULL, NULL,
                   json_pack("{s:o}", "shipping_address", address("627")), &st,
                   "/v1/orders/%s/address?t=%s", id, token);
    ts_assert_status(st, 422, r);
    assert_string_equal(ts_err_code(r), "invalid_address");
    assert_true(has_reason(r, "postal_code_format"));
    json_decref(r);
    o = ts_get_order(ts, id);
    assert_string_equal(ts_str(o, "status"), "on_hold");
    json_decref(o);
    /* corrected: released to confirmed */
    r = ts_post_as(ts, NULL, NULL,
                   json_pack("{s:o}", "shipping_address", address("62701")),
                   &st, "/v1/orders/%s/address?t=%s", number, token);
    ts_assert_status(st, 200, r);
    assert_string_equal(ts_str(r, "status"), "confirmed");
    assert_string_equal(
        ts_str(json_object_get(r, "shipping_address"), "postal_code"), "62701");
    json_decref(r);
    json_t *fixed = timeline_entry(id, "address_corrected", NULL);
    assert_non_null(fixed);
    json_decref(fixed);
    ts_assert_inventory(ts, "SC-ZIP", 5, 1, 4);

    /* the same link opens no other order */
    json_t *other = ts_order(ts, "SC-ZIP", 1, NULL, &st);
    ts_assert_status(st, 201, other);
    r = ts_post_as(ts, NULL, NULL,
                   json_pack("{s:o}", "shipping_address", address("62701")),
                   &st, "/v1/orders/%s/address?t=%s", ts_str(other, "id"),
                   token);
    ts_assert_status(st, 401, r);
    json_decref(r);
    json_decref(other);
}

static void test_duplicate_waits_for_review_and_approval_confirms(void **state)
{
    (void)state;
    ts_product(ts, "SC-DUP", 2500, 5);
    long st;
    json_t *first = ts_order(ts, "SC-DUP", 2, NULL, &st);
    ts_assert_status(st, 201, first);
    assert_string_equal(ts_str(first, "status"), "confirmed");
    json_t *second = ts_order(ts, "SC-DUP", 2, NULL, &st);
    ts_assert_status(st, 201, second);
    assert_string_equal(ts_str(second, "status"), "on_hold");
    char id[64];
    snprintf(id, sizeof id, "%s", ts_str(second, "id"));
    json_t *review = open_review(ts_str(second, "number"));
    assert_non_null(review);
    assert_string_equal(ts_str(review, "kind"), "duplicate");
    assert_true(
        json_mentions(json_object_get(review, "reasons"), "likely_duplicate"));
    /* the service key (the store platform) does not decide reviews */
    json_t *r =
        ts_post_as(ts, ts->service_key, NULL, json_pack("{s:b}", "approve", 1),
                   &st, "/v1/reviews/%s/decision", ts_str(review, "id"));
    ts_assert_status(st, 403, r);
    json_decref(r);
    r = ts_post_as(ts, ts->agent_key, NULL,
                   json_pack("{s:b, s:s}", "approve", 1, "note",
                             "customer wants two sets"),
                   &st, "/v1/reviews/%s/decision", ts_str(review, "id"));
    ts_assert_status(st, 200, r);
    assert_string_equal(ts_str(json_object_get(r, "review"), "status"),
                        "approved");
    assert_non_null(
        strstr(ts_str(json_object_get(r, "review"), "decided_by"), "api:"));
    assert_string_equal(ts_str(json_object_get(r, "order"), "status"),
                        "confirmed");
    json_decref(r);
    /* decided once */
    r = ts_post_as(ts, ts->agent_key, NULL, json_pack("{s:b}", "reject", 1),
                   &st, "/v1/reviews/%s/decision", ts_str(review, "id"));
    ts_assert_status(st, 409, r);
    json_decref(r);
    json_t *audit = timeline_entry(id, "review_approved", NULL);
    assert_non_null(audit);
    assert_true(json_mentions(audit, "two sets"));
    json_decref(audit);
    assert_null(open_review(ts_str(second, "number")));
    json_decref(review);
    json_decref(first);
    json_decref(second);
    ts_assert_inventory(ts, "SC-DUP", 5, 4, 1);
}

static void test_fraud_review_rejected_cancels_and_restocks(void **state)
{
    (void)state;
    ts_product(ts, "SC-TV", 60000, 3);
    long st;
    /* a disposable address (35) and a new customer's high-value order
     * (25): 60, reviewed */
    json_t *o = ts_order(ts, "SC-TV", 1,
                         json_pack("{s:{s:s, s:s}}", "customer", "email",
                                   "quick@mailinator.com", "name", "Q Buyer"),
                         &st);
    ts_assert_status(st, 201, o);
    assert_string_equal(ts_str(o, "status"), "on_hold");
    char id[64];
    snprintf(id, sizeof id, "%s", ts_str(o, "id"));
    ts_assert_inventory(ts, "SC-TV", 3, 1, 2);
    json_t *review = open_review(ts_str(o, "number"));
    assert_non_null(review);
    assert_string_equal(ts_str(review, "kind"), "fraud");
    assert_int_equal(ts_int(review, "score"), 60);
    json_t *r = ts_post_as(
        ts, ts->admin_key, NULL,
        json_pack("{s:b, s:s}", "reject", 1, "note", "card reported stolen"),
        &st, "/v1/reviews/%s/decision", ts_str(review, "id"));
    ts_assert_status(st, 200, r);
    json_t *order = json_object_get(r, "order");
    assert_string_equal(ts_str(order, "status"), "cancelled");
    assert_string_equal(
        ts_str(json_object_get(order, "cancellation"), "reason"),
        "fraud_suspected");
    assert_string_equal(ts_str(json_object_get(r, "review"), "status"),
                        "rejected");
    json_decref(r);
    ts_assert_inventory(ts, "SC-TV", 3, 0, 3);
    json_t *audit = timeline_entry(id, "review_rejected", NULL);
    assert_non_null(audit);
    json_decref(audit);
    json_decref(review);
    json_decref(o);

    /* with an IP in another country too (20 more: 80): refused outright */
    r = ts_order(ts, "SC-TV", 1,
                 json_pack("{s:{s:s}, s:{s:s}}", "customer", "email",
                           "again@mailinator.com", "client", "ip_country",
                           "RU"),
                 &st);
    ts_assert_status(st, 422, r);
    assert_string_equal(ts_err_code(r), "fraud_rejected");
    assert_true(has_reason(r, "ip_country_mismatch"));
    json_decref(r);
    ts_assert_inventory(ts, "SC-TV", 3, 0, 3);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
        T(test_clean_order_is_confirmed),
        T(test_unknown_product_and_bad_currency_are_refused),
        T(test_bad_postal_code_is_held_and_fixed_by_the_customer),
        T(test_duplicate_waits_for_review_and_approval_confirms),
        T(test_fraud_review_rejected_cancels_and_restocks),
#undef T
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
