/*
 * test_kpi.c - the KPIs of a small fixed shop, made through the API and
 * checked against values computed by hand: GET /v1/kpis as JSON (all, by
 * channel, by category), as CSV, with a target from [kpi], and the
 * `holdfast kpi` table.
 *
 * The shop, all today:
 *   o1  web    1 x kp-app (apparel)                 stays confirmed
 *   o2  phone  1 x kp-home (home)                   cancelled: shipping_delay
 *   o3  web    1 x kp-app + 1 x kp-home (main: home) request (shipping_delay),
 *              retained by the shipping upgrade, then shipped
 *   o4  web    2 x kp-app (apparel)                 request (changed_mind),
 *              declined: cancelled
 * So: placed 4, cancelled 2 (rate 0.5), shipping_delay share 0.5; requests 2,
 * resolved 2 within the hour (p90 bucket: 1 h), 1 retained, 1 cancelled, 1
 * lost; 1 shipped within the hour. By channel: web 1/3, phone 1/1. By
 * category: apparel 1/2, home 1/2. By product (the main line's SKU):
 * kp-app 1/2 (o1, o4), kp-home 1/2 (o2, o3). Both requests came from the
 * self-service page and were shown offers (offer rate 1), one kept the
 * shipping upgrade (acceptance 1/2), none went to an agent (escalation
 * rate 0); the revenue kept is o3's total as the upgrade left it, with no
 * discount. By the request's reason: shipping_delay (o3's request, o2's
 * cancellation) and changed_mind (o4's request and cancellation).
 */
#include "harness.h"

#include <curl/curl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static hf_test_server *ts;

static int setup(void **state)
{
    (void)state;
    /* a target from the configuration: 60% cancellations would be "met" */
    ts = ts_start_with_config("[kpi]\ncancellation_rate = 0.6\n");
    return ts ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    ts_free(ts);
    ts = NULL;
    return 0;
}

static void product(const char *sku, const char *category, long price)
{
    long st;
    json_t *r =
        ts_post(ts,
                json_pack("{s:s, s:s, s:I, s:s, s:I, s:s}", "sku", sku, "name",
                          sku, "price", (json_int_t)price, "currency", "USD",
                          "cost", (json_int_t)100, "category", category),
                &st, "/v1/products");
    ts_assert_status(st, 201, r);
    json_decref(r);
    r = ts_post(ts,
                json_pack("{s:s, s:s, s:i, s:s}", "sku", sku, "location",
                          "main", "delta", 100, "reason", "received"),
                &st, "/v1/inventory/adjustments");
    assert_true(st == 200 || st == 201);
    json_decref(r);
}

/* Places an order of lines (a JSON array) through channel; writes its id. */
static void place(const char *email, const char *channel, json_t *lines,
                  char *id, size_t size)
{
    long st;
    json_t *extra =
        json_pack("{s:{s:s, s:s}, s:s, s:o}", "customer", "email", email,
                  "name", "Kay Pi", "channel", channel, "lines", lines);
    json_t *r = ts_order(ts, "kp-app", 1, extra, &st);
    ts_assert_status(st, 201, r);
    assert_string_equal(ts_str(r, "status"), "confirmed");
    snprintf(id, size, "%s", ts_str(r, "id"));
    json_decref(r);
}

static json_t *line(const char *sku, int qty)
{
    return json_pack("{s:s, s:i}", "sku", sku, "qty", qty);
}

/* POST /v1/orders/{id}/cancellation-requests; writes the request's id. */
static void request(const char *order, const char *reason, char *id,
                    size_t size)
{
    long st;
    json_t *r = ts_post_as(ts, ts->service_key, NULL,
                           json_pack("{s:s}", "reason", reason), &st,
                           "/v1/orders/%s/cancellation-requests", order);
    ts_assert_status(st, 201, r);
    snprintf(id, size, "%s", ts_str(r, "id"));
    json_decref(r);
}

static void decide(const char *req, json_t *body, const char *outcome)
{
    long st;
    json_t *r = ts_post_as(ts, ts->service_key, NULL, body, &st,
                           "/v1/cancellation-requests/%s/decision", req);
    ts_assert_status(st, 200, r);
    assert_string_equal(ts_str(r, "outcome"), outcome);
    json_decref(r);
}

/* o3, the order the shipping upgrade kept */
static char kept_order[64];

static void make_shop(void)
{
    product("kp-app", "apparel", 2000);
    product("kp-home", "home", 5000);
    char o1[64], o2[64], o3[64], o4[64], req[64];
    place("kp1@example.com", "web", json_pack("[o]", line("kp-app", 1)), o1,
          sizeof o1);
    place("kp2@example.com", "phone", json_pack("[o]", line("kp-home", 1)), o2,
          sizeof o2);
    place("kp3@example.com", "web",
          json_pack("[o, o]", line("kp-app", 1), line("kp-home", 1)), o3,
          sizeof o3);
    place("kp4@example.com", "web", json_pack("[o]", line("kp-app", 2)), o4,
          sizeof o4);

    long st;
    json_t *r = ts_post(ts, json_pack("{s:s}", "reason", "shipping_delay"), &st,
                        "/v1/orders/%s/cancel", o2);
    ts_assert_status(st, 200, r);
    json_decref(r);

    snprintf(kept_order, sizeof kept_order, "%s", o3);
    request(o3, "shipping_delay", req, sizeof req);
    decide(req, json_pack("{s:s}", "accept", "shipping-upgrade"), "retained");
    r = ts_post(ts,
                json_pack("{s:s, s:s}", "carrier", "ups", "tracking_number",
                          "1ZKPI0003"),
                &st, "/v1/orders/%s/shipments", o3);
    ts_assert_status(st, 201, r);
    json_decref(r);

    request(o4, "changed_mind", req, sizeof req);
    decide(req, json_pack("{s:b}", "decline", 1), "cancelled");
}

static const json_t *metric(const json_t *doc, const char *name)
{
    const json_t *m = json_object_get(json_object_get(doc, "kpis"), name);
    assert_non_null(m);
    return m;
}

static double num(const json_t *obj, const char *key)
{
    const json_t *v = json_object_get(obj, key);
    assert_true(json_is_number(v));
    return json_number_value(v);
}

static const json_t *group(const json_t *doc, const char *value)
{
    const json_t *g;
    size_t i;
    json_array_foreach(json_object_get(doc, "groups"), i, g)
    {
        if (strcmp(ts_str(g, "value"), value) == 0)
            return g;
    }
    fail_msg("no group %s", value);
    return NULL;
}

static size_t collect(char *data, size_t size, size_t n, void *arg)
{
    char *buf = arg;
    size_t have = strlen(buf), add = size * n;
    if (have + add >= 8192)
        add = 8191 - have;
    memcpy(buf + have, data, add);
    buf[have + add] = '\0';
    return size * n;
}

static void test_kpis_of_a_fixed_shop(void **state)
{
    (void)state;
    make_shop();
    long st;
    /* the agent role may read KPIs too */
    json_t *doc = ts_get_as(ts, ts->agent_key, &st, "/v1/kpis");
    ts_assert_status(st, 200, doc);

    const json_t *m = metric(doc, "cancellation_rate");
    assert_true(fabs(num(m, "current") - 0.5) < 1e-9);
    assert_true(fabs(num(m, "target") - 0.6) < 1e-9); /* from [kpi] */
    assert_true(json_is_true(json_object_get(m, "met")));
    assert_int_equal(ts_int(m, "n"), 4);

    m = metric(doc, "reason_distribution");
    assert_true(fabs(num(m, "current") - 0.5) < 1e-9);
    assert_true(fabs(num(m, "target") - 0.2) < 1e-9);
    assert_true(json_is_false(json_object_get(m, "met")));
    assert_true(fabs(num(json_object_get(m, "shares"), "changed_mind") - 0.5) <
                1e-9);

    m = metric(doc, "cancellation_resolution_hours");
    assert_int_equal(ts_int(m, "n"), 2);
    assert_true(num(m, "current") >= 0 && num(m, "current") < 0.1);
    assert_true(fabs(num(m, "p90") - 1) < 1e-9);
    assert_true(json_is_true(json_object_get(m, "met")));

    m = metric(doc, "fulfillment_hours");
    assert_int_equal(ts_int(m, "n"), 1);
    assert_true(num(m, "current") >= 0 && num(m, "current") < 0.1);
    assert_true(json_is_true(json_object_get(m, "met")));

    /* both requests are younger than 30 days: no save rate yet */
    m = metric(doc, "save_rate");
    assert_true(json_is_null(json_object_get(m, "current")));
    assert_true(json_is_null(json_object_get(m, "met")));

    m = metric(doc, "save_rate");
    assert_true(json_is_null(json_object_get(m, "low")));
    m = metric(doc, "request_resolution_hours");
    assert_int_equal(ts_int(m, "n"), 2);
    m = metric(doc, "conversation_resolution_hours");
    assert_int_equal(ts_int(m, "n"), 0);
    assert_true(json_is_null(json_object_get(m, "current")));
    m = metric(doc, "escalation_rate");
    assert_true(fabs(num(m, "current")) < 1e-9);
    assert_true(json_is_true(json_object_get(m, "met")));
    m = metric(doc, "offer_rate");
    assert_true(fabs(num(m, "current") - 1) < 1e-9);
    assert_true(json_is_null(json_object_get(m, "met"))); /* no target */
    m = metric(doc, "offer_acceptance_rate");
    assert_true(fabs(num(m, "current") - 0.5) < 1e-9);
    m = metric(doc, "delivery_hours");
    assert_true(json_is_null(json_object_get(m, "current")));
    m = metric(doc, "csat");
    assert_int_equal(ts_int(m, "n"), 0);

    const json_t *c = json_object_get(doc, "counts");
    assert_int_equal(ts_int(c, "offers_made"), 2);
    assert_int_equal(
        ts_int(json_object_get(c, "offers_accepted"), "shipping_upgrade"), 1);
    /* both requests were shown the discount and the upgrade; one kept the
     * upgrade: its take rate is 1 of 2, with its interval */
    const json_t *made = json_object_get(c, "offers_made_by_kind");
    assert_int_equal(ts_int(made, "shipping_upgrade"), 2);
    assert_int_equal(ts_int(made, "discount"), 2);
    const json_t *rates = json_object_get(doc, "offer_take_rates");
    const json_t *up = json_object_get(rates, "shipping_upgrade");
    assert_int_equal(ts_int(up, "shown"), 2);
    assert_int_equal(ts_int(up, "kept"), 1);
    assert_true(fabs(num(up, "rate") - 0.5) < 1e-9);
    assert_true(num(up, "low") < 0.5 && num(up, "high") > 0.5);
    assert_int_equal(ts_int(json_object_get(rates, "discount"), "kept"), 0);
    json_t *kept = ts_get_order(ts, kept_order);
    const json_t *usd =
        json_object_get(json_object_get(doc, "revenue_kept"), "USD");
    assert_int_equal(ts_int(usd, "kept"), ts_int(kept, "total"));
    assert_int_equal(ts_int(usd, "discounts_given"), 0);
    json_decref(kept);
    assert_int_equal(ts_int(c, "orders_placed"), 4);
    assert_int_equal(ts_int(c, "orders_cancelled"), 2);
    assert_int_equal(ts_int(c, "orders_shipped"), 1);
    assert_int_equal(ts_int(c, "cancellation_requests"), 2);
    assert_int_equal(ts_int(c, "requests_resolved"), 2);
    assert_int_equal(ts_int(c, "requests_lost"), 1);
    assert_int_equal(ts_int(c, "conversations_retained"), 1);
    assert_int_equal(ts_int(c, "conversations_cancelled"), 1);
    json_decref(doc);

    /* by channel and by the main line's category */
    doc = ts_get(ts, &st, "/v1/kpis?by=channel");
    ts_assert_status(st, 200, doc);
    assert_int_equal(json_array_size(json_object_get(doc, "groups")), 2);
    m = metric(group(doc, "web"), "cancellation_rate");
    assert_true(fabs(num(m, "current") - 1.0 / 3) < 1e-6);
    m = metric(group(doc, "phone"), "cancellation_rate");
    assert_true(fabs(num(m, "current") - 1.0) < 1e-9);
    json_decref(doc);
    doc = ts_get(ts, &st, "/v1/kpis?by=category");
    ts_assert_status(st, 200, doc);
    m = metric(group(doc, "apparel"), "cancellation_rate");
    assert_true(fabs(num(m, "current") - 0.5) < 1e-9);
    m = metric(group(doc, "home"), "fulfillment_hours");
    assert_int_equal(ts_int(m, "n"), 1);
    json_decref(doc);

    doc = ts_get(ts, &st, "/v1/kpis?by=product");
    ts_assert_status(st, 200, doc);
    assert_int_equal(json_array_size(json_object_get(doc, "groups")), 2);
    m = metric(group(doc, "kp-app"), "cancellation_rate");
    assert_true(fabs(num(m, "current") - 0.5) < 1e-9);
    m = metric(group(doc, "kp-home"), "cancellation_rate");
    assert_true(fabs(num(m, "current") - 0.5) < 1e-9);
    json_decref(doc);
    doc = ts_get(ts, &st, "/v1/kpis?by=reason");
    ts_assert_status(st, 200, doc);
    c = json_object_get(group(doc, "changed_mind"), "counts");
    assert_int_equal(ts_int(c, "cancellation_requests"), 1);
    assert_int_equal(ts_int(c, "requests_lost"), 1);
    c = json_object_get(group(doc, "shipping_delay"), "counts");
    assert_int_equal(ts_int(c, "cancellation_requests"), 1);
    assert_int_equal(ts_int(c, "conversations_retained"), 1);
    json_decref(doc);
    doc = ts_get(ts, &st, "/v1/kpis?by=policy_version");
    ts_assert_status(st, 200, doc);
    assert_int_equal(json_array_size(json_object_get(doc, "groups")), 1);
    json_decref(doc);
    doc = ts_get(ts, &st, "/v1/kpis?by=day");
    ts_assert_status(st, 200, doc);
    assert_int_equal(json_array_size(json_object_get(doc, "groups")), 1);
    c = json_object_get(json_array_get(json_object_get(doc, "groups"), 0),
                        "counts");
    assert_int_equal(ts_int(c, "orders_placed"), 4);
    json_decref(doc);

    /* the demand outlook: every active SKU, validated arguments */
    doc = ts_get(ts, &st, "/v1/inventory/outlook?days=7");
    ts_assert_status(st, 200, doc);
    assert_int_equal(json_array_size(json_object_get(doc, "skus")), 2);
    assert_int_equal(ts_int(doc, "horizon_days"), 7);
    json_decref(doc);
    doc = ts_get(ts, &st, "/v1/inventory/outlook?days=0");
    ts_assert_error(st, doc, 422, "invalid");
    json_decref(doc);
    doc = ts_get(ts, &st, "/v1/inventory/outlook?sku=nope");
    ts_assert_error(st, doc, 404, "not_found");
    json_decref(doc);

    /* a range without events: no current values */
    doc = ts_get(ts, &st, "/v1/kpis?from=2020-01-01&to=2020-01-31");
    ts_assert_status(st, 200, doc);
    assert_true(json_is_null(
        json_object_get(metric(doc, "cancellation_rate"), "current")));
    assert_int_equal(ts_int(json_object_get(doc, "counts"), "orders_placed"),
                     0);
    json_decref(doc);

    doc = ts_get(ts, &st, "/v1/kpis?by=colour");
    ts_assert_error(st, doc, 422, "invalid");
    json_decref(doc);
    doc = ts_get(ts, &st, "/v1/kpis?from=2026-13-01");
    ts_assert_error(st, doc, 422, "invalid");
    json_decref(doc);

    /* CSV when asked for */
    char url[256], body[8192] = "", auth[300];
    snprintf(url, sizeof url, "%s/v1/kpis", ts->base_url);
    snprintf(auth, sizeof auth, "Authorization: Bearer %s", ts->admin_key);
    CURL *h = curl_easy_init();
    struct curl_slist *hdr = curl_slist_append(NULL, "Accept: text/csv");
    hdr = curl_slist_append(hdr, auth);
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdr);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, body);
    assert_int_equal(curl_easy_perform(h), CURLE_OK);
    char *type = NULL;
    curl_easy_getinfo(h, CURLINFO_CONTENT_TYPE, &type);
    assert_non_null(type);
    assert_non_null(strstr(type, "text/csv"));
    curl_slist_free_all(hdr);
    curl_easy_cleanup(h);
    assert_non_null(strstr(
        body, "dimension,value,metric,comparison,target,current,met,n,p90"));
    assert_non_null(strstr(body, "all,,cancellation_rate,<,0.6,0.5,true,4,"));
    assert_non_null(
        strstr(body, "all,,reason_distribution,<,0.2,0.5,false,2,"));

    /* the command line prints the seed's table */
    char cmd[16384], out[8192] = "";
    snprintf(cmd, sizeof cmd, "'%s' kpi --db '%s' --config '%s'", ts->bin,
             ts->db, ts->config);
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    size_t n = fread(out, 1, sizeof out - 1, p);
    out[n] = '\0';
    assert_int_equal(pclose(p), 0);
    static const char *const rows[] = {
        "Metric",
        "Description",
        "Target",
        "Current",
        "Daily Cancellation Rate",
        "Percentage of orders cancelled daily",
        "Cancellation Reason Distribution",
        "Shipping Delays < 20.00%",
        "Shipping Delays 50.00%",
        "Average Resolution Time for Cancellation "
        "Inquiries",
        "Fulfillment Time",
        "Time from order placement to shipment",
        "< 48.0 h",
        "< 60.00%",
        "50.00%"};
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
        if (strstr(out, rows[i]) == NULL)
            fail_msg("no \"%s\" in:\n%s", rows[i], out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_kpis_of_a_fixed_shop),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
