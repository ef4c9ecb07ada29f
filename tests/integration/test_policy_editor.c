/*
 * test_policy_editor.c - the policy editor's API: lint shows an error on
 * its line, the test screen runs an edited text against a real order and
 * leaves the order as it was, and publishing makes a new version that new
 * conversations run while those under way keep theirs; the versions on
 * record, and each one's texts, can be read back. SKUs start "pe-".
 */
#include "harness.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static hf_test_server *ts;
static char *shipped; /* the shipped text of the policy run */
static char *edited;  /* its discount ladder made 12% then 18% */
static const char *NAME = "Cancellation_retention_policy";

/* text with the first `from` replaced by `to` (malloc'd). */
static char *replaced(const char *text, const char *from, const char *to)
{
    const char *at = strstr(text, from);
    assert_non_null(at);
    size_t n = strlen(text) - strlen(from) + strlen(to) + 1;
    char *out = malloc(n);
    snprintf(out, n, "%.*s%s%s", (int)(at - text), text, to, at + strlen(from));
    return out;
}

static int setup(void **state)
{
    (void)state;
    ts = ts_start();
    if (ts == NULL)
        return -1;
    ts_product(ts, "pe-LAMP", 5000, 20);
    long st = 0;
    json_t *l = ts_get(ts, &st, "/v1/policies");
    ts_assert_status(st, 200, l);
    assert_string_equal(ts_str(l, "policy"), NAME);
    size_t i;
    json_t *p;
    json_array_foreach(json_object_get(l, "policies"), i, p)
    {
        if (strcmp(ts_str(p, "name"), NAME) == 0)
            shipped = strdup(ts_str(p, "text"));
    }
    /* every policy file an experiment may run, the platform versions too */
    bool platform = false;
    json_array_foreach(json_object_get(l, "files"), i, p)
    {
        platform = platform ||
                   strcmp(json_string_value(p),
                          "Cancellation_retention_policy_Magento_Gladly") == 0;
    }
    assert_true(platform);
    json_decref(l);
    assert_non_null(shipped);
    edited = replaced(shipped, "10% first, or 15%", "12% first, or 18%");
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    free(shipped);
    free(edited);
    ts_free(ts);
    return 0;
}

static json_t *policy_body(const char *text)
{
    return json_pack("{s:s, s:s}", "name", NAME, "text", text);
}

static char *new_order(void)
{
    long st = 0;
    json_t *o = ts_order(ts, "pe-LAMP", 1, NULL, &st);
    ts_assert_status(st, 201, o);
    char *n = strdup(ts_str(o, "number"));
    json_decref(o);
    return n;
}

/* The first offer's percent after "I want to cancel" in conversation id. */
static long long first_offer_percent(const char *id)
{
    long st = 0;
    json_t *t = ts_post(ts, json_pack("{s:s}", "text", "I want to cancel"), &st,
                        "/v1/conversations/%s/messages", id);
    ts_assert_status(st, 200, t);
    long long pct =
        ts_int(json_array_get(json_object_get(t, "offers"), 0), "percent");
    json_decref(t);
    return pct;
}

static void test_lint_points_at_the_line(void **state)
{
    (void)state;
    char *bad = replaced(shipped, "@upgrade_shipping", "@upgrade_shiping");
    /* the line the typo is on */
    int line = 1;
    for (const char *c = shipped; c < strstr(shipped, "@upgrade_shipping"); c++)
        line += *c == '\n';
    long st = 0;
    json_t *r = ts_post(ts, policy_body(bad), &st, "/v1/policies/lint");
    ts_assert_status(st, 200, r);
    assert_false(json_is_true(json_object_get(r, "ok")));
    json_t *d = json_array_get(json_object_get(r, "diagnostics"), 0);
    assert_int_equal(ts_int(d, "line"), line);
    assert_non_null(strstr(ts_str(d, "message"), "@upgrade_shiping"));
    assert_true(json_array_size(json_object_get(r, "lines")) > 5);
    json_decref(r);
    r = ts_post(ts, policy_body(shipped), &st, "/v1/policies/lint");
    ts_assert_status(st, 200, r);
    assert_true(json_is_true(json_object_get(r, "ok")));
    json_decref(r);
    /* publishing it is refused, and changes nothing */
    r = ts_post(ts, policy_body(bad), &st, "/v1/policies/publish");
    ts_assert_error(st, r, 422, "policy_invalid");
    json_decref(r);
    r = ts_get(ts, &st, "/v1/policies");
    assert_false(json_is_true(json_object_get(r, "published")));
    json_decref(r);
    free(bad);
}

static void test_test_run_is_dry(void **state)
{
    (void)state;
    char *number = new_order();
    size_t events = ts_event_count(ts, number);
    long st = 0;
    json_t *body = policy_body(edited);
    json_object_set_new(body, "order", json_string(number));
    json_object_set_new(body, "context",
                        json_pack("{s:s}", "max_discount_percent", "25"));
    json_object_set_new(body, "messages",
                        json_pack("[s, s, s]", "I want to cancel my order",
                                  "no thanks", "ok, the 18% works"));
    json_t *r = ts_post(ts, body, &st, "/v1/policies/test");
    ts_assert_status(st, 200, r);
    json_t *turns = json_object_get(r, "turns");
    assert_int_equal(json_array_size(turns), 3);
    json_t *first = json_array_get(turns, 0);
    assert_int_equal(
        ts_int(json_array_get(json_object_get(first, "offers"), 0), "percent"),
        12);
    json_t *last = json_array_get(turns, 2);
    assert_string_equal(ts_str(last, "outcome"), "retained");
    assert_true(json_array_size(json_object_get(last, "tool_calls")) > 0);
    json_decref(r);
    /* nothing stayed: no discount, no new timeline entries */
    json_t *o = ts_get_order(ts, number);
    assert_int_equal(ts_int(o, "discount_total"), 0);
    json_decref(o);
    assert_int_equal(ts_event_count(ts, number), events);
    free(number);
}

static void test_publish_new_version(void **state)
{
    (void)state;
    char *number = new_order();
    long st = 0;
    json_t *before = ts_post(ts, json_pack("{s:s}", "order", number), &st,
                             "/v1/conversations");
    ts_assert_status(st, 201, before);
    /* agents may not publish */
    json_t *r = ts_post_as(ts, ts->agent_key, NULL, policy_body(edited), &st,
                           "/v1/policies/publish");
    ts_assert_error(st, r, 403, "forbidden");
    json_decref(r);
    r = ts_post(ts, policy_body(edited), &st, "/v1/policies/publish");
    ts_assert_status(st, 201, r);
    char *version = strdup(ts_str(r, "version"));
    assert_string_not_equal(version, ts_str(before, "policy_version"));
    json_decref(r);
    r = ts_get(ts, &st, "/v1/policies");
    assert_string_equal(ts_str(r, "version"), version);
    assert_true(json_is_true(json_object_get(r, "published")));
    json_decref(r);

    json_t *after = ts_post(ts, json_pack("{s:s}", "order", number), &st,
                            "/v1/conversations");
    ts_assert_status(st, 201, after);
    assert_string_equal(ts_str(after, "policy_version"), version);
    assert_int_equal(first_offer_percent(ts_str(after, "id")), 12);
    /* the conversation started before keeps the text it started on */
    assert_int_equal(first_offer_percent(ts_str(before, "id")), 10);
    json_decref(before);
    json_decref(after);

    /* and a restart keeps the published version */
    assert_int_equal(ts_restart(ts), 0);
    r = ts_get(ts, &st, "/v1/policies");
    assert_string_equal(ts_str(r, "version"), version);
    json_decref(r);
    free(version);
    free(number);
}

/* The text of policy NAME in a version's "policies" (borrowed from v). */
static const char *text_of(json_t *v)
{
    size_t i;
    json_t *p;
    json_array_foreach(json_object_get(v, "policies"), i, p)
    {
        if (strcmp(ts_str(p, "name"), NAME) == 0)
            return ts_str(p, "text");
    }
    fail_msg("no %s in the version", NAME);
    return NULL;
}

/* Before anything ran or published it, the version in force is still
 * there to read, not yet on record. */
static void test_version_in_force_before_any_run(void **state)
{
    (void)state;
    long st = 0;
    json_t *l = ts_get(ts, &st, "/v1/policies");
    char *files = strdup(ts_str(l, "files_version"));
    json_decref(l);
    json_t *v =
        ts_get_as(ts, ts->agent_key, &st, "/v1/policies/versions/%s", files);
    ts_assert_status(st, 200, v);
    assert_true(json_is_null(json_object_get(v, "created_at")));
    assert_true(json_is_true(json_object_get(v, "current")));
    assert_string_equal(text_of(v), shipped);
    json_decref(v);
    l = ts_get(ts, &st, "/v1/policies/versions");
    ts_assert_status(st, 200, l);
    assert_string_equal(ts_str(l, "current"), files);
    assert_int_equal(json_array_size(json_object_get(l, "versions")), 0);
    json_decref(l);
    free(files);
}

/* After the publish: both versions on record, newest first, each with the
 * text it had; what an old conversation ran can be read back. */
static void test_version_history(void **state)
{
    (void)state;
    long st = 0;
    json_t *l = ts_get(ts, &st, "/v1/policies");
    char *files = strdup(ts_str(l, "files_version"));
    char *published = strdup(ts_str(l, "version"));
    json_decref(l);
    l = ts_get_as(ts, ts->agent_key, &st, "/v1/policies/versions");
    ts_assert_status(st, 200, l);
    assert_string_equal(ts_str(l, "current"), published);
    json_t *list = json_object_get(l, "versions");
    assert_int_equal(json_array_size(list), 2);
    json_t *newest = json_array_get(list, 0), *older = json_array_get(list, 1);
    assert_string_equal(ts_str(newest, "id"), published);
    assert_true(json_is_true(json_object_get(newest, "current")));
    assert_string_equal(ts_str(older, "id"), files);
    assert_true(json_is_false(json_object_get(older, "current")));
    assert_string_equal(ts_str(older, "name"), NAME);
    assert_non_null(ts_str(older, "created_at"));
    json_decref(l);

    json_t *v = ts_get(ts, &st, "/v1/policies/versions/%s", files);
    ts_assert_status(st, 200, v);
    assert_string_equal(text_of(v), shipped);
    assert_true(json_is_false(json_object_get(v, "current")));
    json_decref(v);
    v = ts_get(ts, &st, "/v1/policies/versions/%s", published);
    ts_assert_status(st, 200, v);
    assert_string_equal(text_of(v), edited);
    json_decref(v);

    /* one policy's versions, a page of one, and the mistakes */
    l = ts_get(ts, &st, "/v1/policies/versions?name=%s&limit=1", NAME);
    ts_assert_status(st, 200, l);
    assert_int_equal(json_array_size(json_object_get(l, "versions")), 1);
    json_decref(l);
    l = ts_get(ts, &st, "/v1/policies/versions?name=Another_policy");
    ts_assert_status(st, 200, l);
    assert_int_equal(json_array_size(json_object_get(l, "versions")), 0);
    json_decref(l);
    l = ts_get(ts, &st, "/v1/policies/versions?limit=0");
    ts_assert_error(st, l, 422, "invalid");
    json_decref(l);
    l = ts_get(ts, &st, "/v1/policies/versions?name=");
    ts_assert_error(st, l, 422, "invalid");
    json_decref(l);
    v = ts_get(ts, &st, "/v1/policies/versions/pv_nosuchversion");
    ts_assert_error(st, v, 404, "not_found");
    json_decref(v);
    free(files);
    free(published);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_version_in_force_before_any_run),
        cmocka_unit_test(test_lint_points_at_the_line),
        cmocka_unit_test(test_test_run_is_dry),
        cmocka_unit_test(test_publish_new_version),
        cmocka_unit_test(test_version_history),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
