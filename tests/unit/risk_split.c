/* Unit tests for risk/split: rows ordered by numbers, month names and
 * text, several keys, and ties kept in file order. */
#include "risk/split.h"
#include "util/mem.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

/* The ids (column 0) of t's rows in the order by cols, joined by spaces. */
static void order_of(const char *text, const char *const *cols, size_t n,
                     char *out)
{
    hf_risk_table *t = NULL;
    hf_err err;
    assert_int_equal(hf_risk_table_parse("t.csv", text, strlen(text), &t, &err),
                     HF_OK);
    size_t *o = NULL;
    assert_int_equal(hf_risk_split_order(t, cols, n, &o, &err), HF_OK);
    out[0] = '\0';
    for (size_t r = 0; r < hf_risk_table_rows(t); r++) {
        strcat(out, r ? " " : "");
        strcat(out, hf_risk_table_cell(t, o[r], 0));
    }
    hf_free(o);
    hf_risk_table_free(t);
}

static void test_year_month_day(void **state)
{
    (void)state;
    const char *text = "id,year,month,day\n"
                       "a,2016,January,2\n"
                       "b,2015,December,10\n"
                       "c,2016,February,1\n"
                       "d,2015,december,9\n"
                       "e,2016,January,2\n"
                       "f,2015,May,31\n";
    const char *cols[] = {"year", "month", "day"};
    char out[64];
    order_of(text, cols, 3, out);
    /* numbers numerically (9 before 10), months in calendar order, ties
     * (a and e) in file order */
    assert_string_equal(out, "f d b a e c");
}

static void test_text_and_numbers(void **state)
{
    (void)state;
    const char *text = "id,k\n1,10\n2,9\n3,-1\n4,2.5\n";
    const char *cols[] = {"k"};
    char out[64];
    order_of(text, cols, 1, out);
    assert_string_equal(out, "3 4 2 1");
    /* one text makes the column text: "10" < "9" < "x" */
    const char *mixed = "id,k\n1,10\n2,9\n3,x\n4,10\n";
    order_of(mixed, cols, 1, out);
    assert_string_equal(out, "1 4 2 3");
}

static void test_unknown_column(void **state)
{
    (void)state;
    hf_risk_table *t = NULL;
    hf_err err;
    assert_int_equal(hf_risk_table_parse("t.csv", "a\n1\n", 4, &t, &err),
                     HF_OK);
    const char *cols[] = {"when"};
    size_t *o = NULL;
    assert_int_equal(hf_risk_split_order(t, cols, 1, &o, &err), HF_ENOTFOUND);
    assert_string_equal(err.message, "t.csv:1: no column when");
    hf_risk_table_free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_year_month_day),
        cmocka_unit_test(test_text_and_numbers),
        cmocka_unit_test(test_unknown_column),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
