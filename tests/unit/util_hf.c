/* Unit tests for util/hf: the error context and result-code names. */
#include "util/hf.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

static void test_fail_fills_context(void **state)
{
    (void)state;
    hf_err err;
    hf_err_clear(&err);
    hf_rc rc = hf_fail(&err, HF_EINVAL, "bad_qty", "lines[0].qty",
                       "qty must be positive, got %d", -3);
    assert_int_equal(rc, HF_EINVAL);
    assert_int_equal(err.rc, HF_EINVAL);
    assert_string_equal(err.code, "bad_qty");
    assert_string_equal(err.field, "lines[0].qty");
    assert_string_equal(err.message, "qty must be positive, got -3");
}

static void test_fail_defaults(void **state)
{
    (void)state;
    hf_err err;
    hf_err_clear(&err);
    /* no code: the rc's name; no field: empty */
    assert_int_equal(hf_fail(&err, HF_ENOTFOUND, NULL, NULL, "no order"),
                     HF_ENOTFOUND);
    assert_string_equal(err.code, "not_found");
    assert_string_equal(err.field, "");
    /* a NULL context still returns the code */
    assert_int_equal(hf_fail(NULL, HF_ECONFLICT, "x", "y", "z"), HF_ECONFLICT);
}

static void test_fail_truncates_long_text(void **state)
{
    (void)state;
    char big[1000];
    memset(big, 'a', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    hf_err err;
    hf_fail(&err, HF_ETOOBIG, big, big, "%s", big);
    assert_int_equal(strlen(err.code), sizeof(err.code) - 1);
    assert_int_equal(strlen(err.field), sizeof(err.field) - 1);
    assert_int_equal(strlen(err.message), sizeof(err.message) - 1);
}

static void test_clear(void **state)
{
    (void)state;
    hf_err err;
    hf_fail(&err, HF_ESTORE, "db", "f", "m");
    hf_err_clear(&err);
    assert_int_equal(err.rc, HF_OK);
    assert_string_equal(err.code, "");
    assert_string_equal(err.field, "");
    assert_string_equal(err.message, "");
    hf_err_clear(NULL); /* allowed */
}

static void test_rc_names_distinct(void **state)
{
    (void)state;
    assert_string_equal(hf_rc_name(HF_OK), "ok");
    assert_string_equal(hf_rc_name(HF_ENOMEM), "out_of_memory");
    assert_string_equal(hf_rc_name(HF_EPAYMENT), "payment_failed");
    assert_string_equal(hf_rc_name(HF_EBUSY), "busy");
    /* every code has its own name, so clients can tell them apart */
    for (int a = HF_OK; a <= HF_EBUSY; a++) {
        assert_string_not_equal(hf_rc_name((hf_rc)a), "unknown");
        for (int b = a + 1; b <= HF_EBUSY; b++)
            assert_string_not_equal(hf_rc_name((hf_rc)a), hf_rc_name((hf_rc)b));
    }
    assert_string_equal(hf_rc_name((hf_rc)(HF_EBUSY + 1)), "unknown");
    assert_string_equal(hf_rc_name((hf_rc)-1), "unknown");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fail_fills_context),
        cmocka_unit_test(test_fail_defaults),
        cmocka_unit_test(test_fail_truncates_long_text),
        cmocka_unit_test(test_clear),
        cmocka_unit_test(test_rc_names_distinct),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
