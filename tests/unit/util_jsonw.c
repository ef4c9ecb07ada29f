/* Unit tests for util/jsonw: the text it writes is valid JSON that reads
 * back as what was written. */
#include "util/jsonw.h"

#include <jansson.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

static json_t *parse(const char *text)
{
    json_error_t e;
    json_t *j = json_loads(text, 0, &e);
    if (j == NULL)
        fail_msg("not JSON (%s): %s", e.text, text);
    return j;
}

static void test_nested_document(void **state)
{
    (void)state;
    hf_arena *a = hf_arena_new(0);
    hf_jsonw w;
    hf_jw_init(&w, a);
    hf_jw_object(&w);
    hf_jw_key(&w, "n");
    hf_jw_int(&w, 42);
    hf_jw_key(&w, "list");
    hf_jw_array(&w);
    hf_jw_int(&w, -1);
    hf_jw_bool(&w, true);
    hf_jw_null(&w);
    hf_jw_object(&w);
    hf_jw_object_end(&w);
    hf_jw_array(&w);
    hf_jw_array_end(&w);
    hf_jw_array_end(&w);
    hf_jw_key(&w, "raw");
    hf_jw_raw(&w, "{\"x\":[1,2]}");
    hf_jw_key(&w, "none");
    hf_jw_str(&w, NULL);
    hf_jw_key(&w, "at");
    hf_jw_time(&w, 0);
    hf_jw_object_end(&w);
    const char *text = hf_jw_finish(&w);
    assert_non_null(text);
    assert_string_equal(text, "{\"n\":42,\"list\":[-1,true,null,{},[]],"
                              "\"raw\":{\"x\":[1,2]},\"none\":null,"
                              "\"at\":\"1970-01-01T00:00:00Z\"}");
    json_decref(parse(text));
    hf_arena_free(a);
}

static void test_strings_are_escaped(void **state)
{
    (void)state;
    const char *inputs[] = {
        "plain",
        "quote \" and backslash \\",
        "newline\nreturn\rtab\tbell\a nul-less \x01\x1f",
        "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x93\xa6", /* UTF-8 passes through */
        "</script>",
        "",
    };
    for (size_t i = 0; i < sizeof(inputs) / sizeof(inputs[0]); i++) {
        hf_arena *a = hf_arena_new(0);
        hf_jsonw w;
        hf_jw_init(&w, a);
        hf_jw_array(&w);
        hf_jw_str(&w, inputs[i]);
        hf_jw_array_end(&w);
        const char *text = hf_jw_finish(&w);
        assert_non_null(text);
        json_t *j = parse(text);
        assert_string_equal(json_string_value(json_array_get(j, 0)), inputs[i]);
        json_decref(j);
        hf_arena_free(a);
    }
}

static void test_integer_extremes(void **state)
{
    (void)state;
    const int64_t values[] = {0,         1,        -1, 9, 10, 1234567890123LL,
                              INT64_MAX, INT64_MIN};
    for (size_t i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
        hf_arena *a = hf_arena_new(0);
        hf_jsonw w;
        hf_jw_init(&w, a);
        hf_jw_array(&w);
        hf_jw_int(&w, values[i]);
        hf_jw_array_end(&w);
        json_t *j = parse(hf_jw_finish(&w));
        assert_true(json_integer_value(json_array_get(j, 0)) == values[i]);
        json_decref(j);
        hf_arena_free(a);
    }
}

static void test_large_document_grows(void **state)
{
    (void)state;
    hf_arena *a = hf_arena_new(0);
    hf_jsonw w;
    hf_jw_init(&w, a);
    hf_jw_array(&w);
    for (int i = 0; i < 10000; i++)
        hf_jw_str(&w, "a string long enough to need many buffer growths");
    hf_jw_array_end(&w);
    json_t *j = parse(hf_jw_finish(&w));
    assert_int_equal(json_array_size(j), 10000);
    json_decref(j);
    hf_arena_free(a);
}

static void test_full_arena_fails_cleanly(void **state)
{
    (void)state;
    hf_arena *a = hf_arena_new(4096);
    hf_jsonw w;
    hf_jw_init(&w, a);
    hf_jw_array(&w);
    for (int i = 0; i < 1000; i++)
        hf_jw_str(&w, "does not fit in four kilobytes at all");
    hf_jw_array_end(&w);
    assert_null(hf_jw_finish(&w));
    hf_arena_free(a);
}

static void test_nesting_too_deep_fails(void **state)
{
    (void)state;
    hf_arena *a = hf_arena_new(0);
    hf_jsonw w;
    hf_jw_init(&w, a);
    for (int i = 0; i < HF_JW_MAX_DEPTH + 1; i++)
        hf_jw_array(&w);
    assert_null(hf_jw_finish(&w));
    hf_arena_free(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_nested_document),
        cmocka_unit_test(test_strings_are_escaped),
        cmocka_unit_test(test_integer_extremes),
        cmocka_unit_test(test_large_document_grows),
        cmocka_unit_test(test_full_arena_fails_cleanly),
        cmocka_unit_test(test_nesting_too_deep_fails),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
