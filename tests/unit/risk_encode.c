/* Unit tests for risk/encode: which columns are numbers, the codes of
 * categories, missing and unseen values, labels, and the encoding's round
 * trip through a file. */
#include "risk/encode.h"
#include "util/mem.h"

#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

static hf_risk_table *parse(const char *text)
{
    hf_risk_table *t = NULL;
    hf_err err;
    if (hf_risk_table_parse("t.csv", text, strlen(text), &t, &err) != HF_OK)
        fail_msg("%s", err.message);
    return t;
}

static const char train_csv[] = "id,y,price,color,note\n"
                                "1,0,10.5,red,\"a, b\"\n"
                                "2,1,NA,blue,x\n"
                                "3,1,-2e1,red,\"two\nlines\"\n"
                                "4,0,,NULL,x\n";

static hf_risk_encoding *fit(hf_risk_table *t)
{
    const char *drop[] = {"id"};
    hf_risk_encoding *e = NULL;
    hf_err err;
    if (hf_risk_encoding_fit(t, "y", drop, 1, &e, &err) != HF_OK)
        fail_msg("%s", err.message);
    return e;
}

static void test_kinds_and_codes(void **state)
{
    (void)state;
    hf_risk_table *t = parse(train_csv);
    hf_risk_encoding *e = fit(t);
    assert_int_equal(hf_risk_encoding_features(e), 3);
    assert_string_equal(hf_risk_encoding_name(e, 0), "price");
    assert_false(hf_risk_encoding_categorical(e, 0));
    assert_true(hf_risk_encoding_categorical(e, 1));
    assert_int_equal(hf_risk_encoding_categories(e, 1), 2);
    /* codes in first-seen order; missing and unseen are NaN */
    assert_true(hf_risk_encoding_value(e, 1, "red") == 0.0f);
    assert_true(hf_risk_encoding_value(e, 1, "blue") == 1.0f);
    assert_true(isnan(hf_risk_encoding_value(e, 1, "green")));
    assert_true(isnan(hf_risk_encoding_value(e, 1, "NULL")));
    assert_true(hf_risk_encoding_value(e, 0, "-2e1") == -20.0f);
    assert_true(isnan(hf_risk_encoding_value(e, 0, "")));
    assert_true(isnan(hf_risk_encoding_value(e, 0, "cheap")));
    float *x = NULL;
    hf_err err;
    assert_int_equal(hf_risk_encoding_matrix(e, t, &x, &err), HF_OK);
    assert_true(x[0] == 10.5f && x[1] == 0.0f && x[2] == 0.0f);
    assert_true(isnan(x[3]) && x[4] == 1.0f && x[5] == 1.0f);
    assert_true(isnan(x[9]) && isnan(x[10]) && x[11] == 1.0f);
    hf_free(x);
    hf_risk_encoding_free(e);
    hf_risk_table_free(t);
}

static void test_matrix_finds_columns_by_name(void **state)
{
    (void)state;
    hf_risk_table *t = parse(train_csv);
    hf_risk_encoding *e = fit(t);
    /* another file: columns reordered, a new category, no label */
    hf_risk_table *u = parse("note,color,price\nx,green,3\nzz,blue,4\n");
    float *x = NULL;
    hf_err err;
    assert_int_equal(hf_risk_encoding_matrix(e, u, &x, &err), HF_OK);
    assert_true(x[0] == 3.0f && isnan(x[1]) && x[2] == 1.0f);
    assert_true(x[3] == 4.0f && x[4] == 1.0f && isnan(x[5]));
    hf_free(x);
    hf_risk_table *v = parse("color,price\nred,1\n");
    assert_int_equal(hf_risk_encoding_matrix(e, v, &x, &err), HF_ENOTFOUND);
    assert_string_equal(err.message,
                        "t.csv:1: no column note (the model needs it)");
    hf_risk_table_free(v);
    hf_risk_table_free(u);
    hf_risk_encoding_free(e);
    hf_risk_table_free(t);
}

static void test_fit_errors(void **state)
{
    (void)state;
    hf_risk_table *t = parse(train_csv);
    hf_risk_encoding *e = NULL;
    hf_err err;
    assert_int_equal(hf_risk_encoding_fit(t, "cancelled", NULL, 0, &e, &err),
                     HF_ENOTFOUND);
    assert_string_equal(err.message,
                        "t.csv:1: no column cancelled (the label)");
    const char *drop[] = {"id", "colour"};
    assert_int_equal(hf_risk_encoding_fit(t, "y", drop, 2, &e, &err),
                     HF_ENOTFOUND);
    assert_string_equal(err.message, "t.csv:1: no column colour (to drop)");
    const char *all[] = {"id", "price", "color", "note"};
    assert_int_equal(hf_risk_encoding_fit(t, "y", all, 4, &e, &err), HF_EINVAL);
    assert_null(e);
    hf_risk_table_free(t);
}

static void test_labels(void **state)
{
    (void)state;
    hf_risk_table *t = parse(train_csv);
    float *y = NULL;
    hf_err err;
    assert_int_equal(hf_risk_labels(t, "y", &y, &err), HF_OK);
    assert_true(y[0] == 0 && y[1] == 1 && y[2] == 1 && y[3] == 0);
    hf_free(y);
    /* id is no label: its second row is on line 3 */
    assert_int_equal(hf_risk_labels(t, "id", &y, &err), HF_EINVAL);
    assert_string_equal(err.message, "t.csv:3: id is \"2\", not 0 or 1");
    assert_null(y);
    hf_risk_table_free(t);
    t = parse("y\n1\nyes\n");
    assert_int_equal(hf_risk_labels(t, "y", &y, &err), HF_EINVAL);
    assert_string_equal(err.message, "t.csv:3: y is \"yes\", not 0 or 1");
    hf_risk_table_free(t);
}

static void test_round_trip_through_file(void **state)
{
    (void)state;
    hf_risk_table *t = parse(train_csv);
    hf_risk_encoding *e = fit(t);
    FILE *f = tmpfile();
    hf_err err;
    assert_int_equal(hf_risk_encoding_write(e, f, &err), HF_OK);
    rewind(f);
    hf_risk_encoding *back = NULL;
    assert_int_equal(hf_risk_encoding_read(f, "m", &back, &err), HF_OK);
    fclose(f);
    assert_string_equal(hf_risk_encoding_label(back), "y");
    assert_int_equal(hf_risk_encoding_features(back), 3);
    float *a = NULL, *b = NULL;
    assert_int_equal(hf_risk_encoding_matrix(e, t, &a, &err), HF_OK);
    assert_int_equal(hf_risk_encoding_matrix(back, t, &b, &err), HF_OK);
    for (size_t i = 0; i < 12; i++)
        assert_true((isnan(a[i]) && isnan(b[i])) || a[i] == b[i]);
    /* a category with a comma and a line break survives */
    assert_true(hf_risk_encoding_value(back, 2, "two\nlines") == 2.0f);
    assert_true(hf_risk_encoding_value(back, 2, "a, b") == 0.0f);
    hf_free(a);
    hf_free(b);
    hf_risk_encoding_free(back);
    hf_risk_encoding_free(e);
    hf_risk_table_free(t);
}

static void test_damaged_file(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "",
        "holdfast-risk-encoding 2\n",
        "holdfast-risk-encoding 1\nlabel 1 y\nfeatures 1\nnumeric 9 x\nend\n",
        "holdfast-risk-encoding 1\nlabel 1 y\nfeatures 1\n"
        "categorical 1 c 2\n1 a\n",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        FILE *f = tmpfile();
        fputs(bad[i], f);
        rewind(f);
        hf_risk_encoding *e = NULL;
        hf_err err;
        assert_int_equal(hf_risk_encoding_read(f, "m", &e, &err), HF_EPARSE);
        assert_null(e);
        assert_string_equal(err.message,
                            "m: not a holdfast risk model, or damaged");
        fclose(f);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_kinds_and_codes),
        cmocka_unit_test(test_matrix_finds_columns_by_name),
        cmocka_unit_test(test_fit_errors),
        cmocka_unit_test(test_labels),
        cmocka_unit_test(test_round_trip_through_file),
        cmocka_unit_test(test_damaged_file),
    };
    long before = hf_mem_live();
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    if (hf_mem_live() != before) {
        fprintf(stderr, "risk_encode: %ld blocks leaked\n",
                hf_mem_live() - before);
        return 1;
    }
    return failed;
}
