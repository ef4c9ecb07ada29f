/* Unit tests for risk/table: RFC 4180 edge cases, the caps, the messages
 * a user reads for a broken file, and writing rows back out. */
#include "risk/table.h"
#include "util/mem.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

static long baseline;

static int note_live(void **state)
{
    (void)state;
    baseline = hf_mem_live();
    return 0;
}

static int check_leaks(void **state)
{
    (void)state;
    hf_mem_fail_after(0);
    assert_int_equal(hf_mem_live() - baseline, 0);
    return 0;
}

/* Parses text (a C string) as the file "t.csv"; returns the table. */
static hf_risk_table *parse_ok(const char *text)
{
    hf_risk_table *t = NULL;
    hf_err err;
    hf_rc rc = hf_risk_table_parse("t.csv", text, strlen(text), &t, &err);
    if (rc != HF_OK)
        fail_msg("parse failed: %s", err.message);
    return t;
}

/* Parses text that must fail with rc; returns the message. */
static const char *parse_bad(const char *text, hf_rc want)
{
    static hf_err err;
    hf_risk_table *t = NULL;
    hf_rc rc = hf_risk_table_parse("t.csv", text, strlen(text), &t, &err);
    assert_int_equal(rc, want);
    assert_null(t);
    return err.message;
}

static void test_plain_and_crlf(void **state)
{
    (void)state;
    hf_risk_table *t = parse_ok("a,b,c\r\n1,2,3\r\n4,5,6");
    assert_int_equal(hf_risk_table_cols(t), 3);
    assert_int_equal(hf_risk_table_rows(t), 2);
    assert_string_equal(hf_risk_table_header(t, 2), "c");
    assert_string_equal(hf_risk_table_cell(t, 0, 0), "1");
    assert_string_equal(hf_risk_table_cell(t, 1, 2), "6");
    assert_int_equal(hf_risk_table_find(t, "b"), 1);
    assert_int_equal(hf_risk_table_find(t, "z"), -1);
    hf_risk_table_free(t);
}

static void test_quotes(void **state)
{
    (void)state;
    hf_risk_table *t = parse_ok("name,note\n"
                                "\"Lee, Ann\",\"said \"\"hi\"\"\"\n"
                                "\"two\nlines\",\"\"\n"
                                "last,x\n");
    assert_int_equal(hf_risk_table_rows(t), 3);
    assert_string_equal(hf_risk_table_cell(t, 0, 0), "Lee, Ann");
    assert_string_equal(hf_risk_table_cell(t, 0, 1), "said \"hi\"");
    assert_string_equal(hf_risk_table_cell(t, 1, 0), "two\nlines");
    assert_string_equal(hf_risk_table_cell(t, 1, 1), "");
    /* the line break inside quotes counts: "last" starts on line 5 */
    assert_int_equal(hf_risk_table_line(t, 1), 3);
    assert_int_equal(hf_risk_table_line(t, 2), 5);
    hf_risk_table_free(t);
}

static void test_bom_blank_lines_empty_fields(void **state)
{
    (void)state;
    hf_risk_table *t = parse_ok("\xEF\xBB\xBF"
                                "a,b\n\n1,\n\r\n,\n");
    assert_string_equal(hf_risk_table_header(t, 0), "a");
    assert_int_equal(hf_risk_table_rows(t), 2);
    assert_string_equal(hf_risk_table_cell(t, 0, 1), "");
    assert_string_equal(hf_risk_table_cell(t, 1, 0), "");
    assert_int_equal(hf_risk_table_line(t, 1), 5);
    hf_risk_table_free(t);
}

static void test_header_only(void **state)
{
    (void)state;
    hf_risk_table *t = parse_ok("a,b\n");
    assert_int_equal(hf_risk_table_rows(t), 0);
    hf_risk_table_free(t);
}

static void test_errors_name_file_and_line(void **state)
{
    (void)state;
    assert_string_equal(parse_bad("a,b,c\n1,2,3\n4,5\n", HF_EPARSE),
                        "t.csv:3: 2 fields, the header has 3");
    assert_string_equal(parse_bad("a,b\n1,2\n\"open,3\n", HF_EPARSE),
                        "t.csv:4: a quoted field is not closed");
    assert_string_equal(parse_bad("a,b\n\"x\"y,2\n", HF_EPARSE),
                        "t.csv:2: text after a closing quote");
    assert_string_equal(parse_bad("a,b,a\n", HF_EPARSE),
                        "t.csv:1: column a appears twice");
    assert_string_equal(parse_bad("", HF_EPARSE),
                        "t.csv:1: the file is empty (no header)");
}

static void test_field_cap(void **state)
{
    (void)state;
    size_t n = HF_RISK_FIELD_MAX;
    char *text = malloc(n + 16);
    memcpy(text, "a\n", 2);
    memset(text + 2, 'x', n);
    text[2 + n] = '\0';
    hf_risk_table *t = parse_ok(text); /* exactly the cap is fine */
    assert_int_equal(strlen(hf_risk_table_cell(t, 0, 0)), n);
    hf_risk_table_free(t);
    strcpy(text + 2 + n, "x\n");
    assert_string_equal(parse_bad(text, HF_ETOOBIG),
                        "t.csv:2: a field is longer than 4096 bytes");
    free(text);
}

static void test_load_missing_file(void **state)
{
    (void)state;
    hf_risk_table *t = NULL;
    hf_err err;
    assert_int_equal(hf_risk_table_load("/nonexistent/x.csv", &t, &err),
                     HF_EIO);
    assert_null(t);
    assert_string_equal(err.message,
                        "/nonexistent/x.csv: No such file or directory");
}

static void test_write_round_trip(void **state)
{
    (void)state;
    const char *text = "a,b\n\"x,y\",plain\n\"q\"\"q\",\"l1\nl2\"\nlast,\n";
    hf_risk_table *t = parse_ok(text);
    char path[] = "/tmp/hf_risk_table_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "w");
    size_t rows[] = {2, 0};
    hf_err err;
    assert_int_equal(hf_risk_table_write(t, rows, 2, f, &err), HF_OK);
    fclose(f);
    hf_risk_table *back = NULL;
    assert_int_equal(hf_risk_table_load(path, &back, &err), HF_OK);
    unlink(path);
    assert_int_equal(hf_risk_table_rows(back), 2);
    assert_string_equal(hf_risk_table_cell(back, 0, 0), "last");
    assert_string_equal(hf_risk_table_cell(back, 1, 0), "x,y");
    assert_string_equal(hf_risk_table_cell(back, 1, 1), "plain");
    hf_risk_table_free(back);
    hf_risk_table_free(t);
}

static void test_every_allocation_failure(void **state)
{
    (void)state;
    const char *text = "a,b\n1,2\n3,4\n";
    for (long n = 1;; n++) {
        hf_mem_fail_after(n);
        hf_risk_table *t = NULL;
        hf_err err;
        hf_rc rc = hf_risk_table_parse("t.csv", text, strlen(text), &t, &err);
        hf_mem_fail_after(0);
        if (rc == HF_OK) {
            hf_risk_table_free(t);
            break;
        }
        assert_int_equal(rc, HF_ENOMEM);
        assert_null(t);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, note_live, check_leaks)
        T(test_plain_and_crlf),
        T(test_quotes),
        T(test_bom_blank_lines_empty_fields),
        T(test_header_only),
        T(test_errors_name_file_and_line),
        T(test_field_cap),
        T(test_load_missing_file),
        T(test_write_round_trip),
        T(test_every_allocation_failure),
#undef T
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
