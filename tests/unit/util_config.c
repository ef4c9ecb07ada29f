/* Unit tests for util/config: INI files with file:line:col errors. */
#include "util/config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

/* Writes text to a fresh temporary file and returns its path (static). */
static const char *write_file(const char *text)
{
    static char path[64];
    snprintf(path, sizeof(path), "/tmp/hf-config-XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
    return path;
}

static void test_sections_keys_and_comments(void **state)
{
    (void)state;
    const char *path = write_file("# holdfast settings\n"
                                  "[server]\n"
                                  "db = /var/lib/hf.db\n"
                                  "  listen=127.0.0.1:9000   # trailing\n"
                                  "\n"
                                  "; another comment\n"
                                  "[orders]\n"
                                  "cancellable_until = picking ; why\n"
                                  "note = a#b\n");
    hf_config *c = hf_config_new();
    hf_err err;
    assert_int_equal(hf_config_load(c, path, &err), HF_OK);
    assert_string_equal(hf_config_get(c, "server.db", NULL), "/var/lib/hf.db");
    assert_string_equal(hf_config_get(c, "server.listen", NULL),
                        "127.0.0.1:9000");
    assert_string_equal(hf_config_get(c, "orders.cancellable_until", NULL),
                        "picking");
    /* a '#' inside a value is kept */
    assert_string_equal(hf_config_get(c, "orders.note", NULL), "a#b");
    assert_string_equal(hf_config_get(c, "server.missing", "dflt"), "dflt");
    hf_config_free(c);
    unlink(path);
}

static void test_later_value_replaces_earlier(void **state)
{
    (void)state;
    hf_config *c = hf_config_new();
    assert_int_equal(hf_config_set(c, "flag.db", "a.db"), HF_OK);
    assert_int_equal(hf_config_set(c, "flag.db", "b.db"), HF_OK);
    assert_string_equal(hf_config_get(c, "flag.db", NULL), "b.db");
    hf_config_free(c);
}

static void test_syntax_error_names_file_line_col(void **state)
{
    (void)state;
    const char *path = write_file("[server]\n"
                                  "db = x.db\n"
                                  "   this line has no equals sign\n");
    hf_config *c = hf_config_new();
    hf_err err;
    assert_int_equal(hf_config_load(c, path, &err), HF_EPARSE);
    char want[128];
    snprintf(want, sizeof(want), "%s:3:4: expected key = value", path);
    assert_string_equal(err.message, want);
    hf_config_free(c);
    unlink(path);
}

static void test_bad_section_is_an_error(void **state)
{
    (void)state;
    const char *path = write_file("[server\n");
    hf_config *c = hf_config_new();
    hf_err err;
    assert_int_equal(hf_config_load(c, path, &err), HF_EPARSE);
    assert_non_null(strstr(err.message, ":1:1: a section is [name]"));
    hf_config_free(c);
    unlink(path);
}

static void test_missing_file(void **state)
{
    (void)state;
    hf_config *c = hf_config_new();
    hf_err err;
    assert_int_equal(hf_config_load(c, "/nonexistent/holdfast.ini", &err),
                     HF_EIO);
    assert_non_null(strstr(err.message, "/nonexistent/holdfast.ini"));
    hf_config_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sections_keys_and_comments),
        cmocka_unit_test(test_later_value_replaces_earlier),
        cmocka_unit_test(test_syntax_error_names_file_line_col),
        cmocka_unit_test(test_bad_section_is_an_error),
        cmocka_unit_test(test_missing_file),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
