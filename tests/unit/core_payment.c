/* Unit tests for core/payment: the gateway registry and the built-in
 * manual and test gateways. */
#include "core/payment.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

static const hf_payment_op all_ops[] = {HF_PAY_AUTHORIZE, HF_PAY_CAPTURE,
                                        HF_PAY_VOID, HF_PAY_REFUND};

/* Runs op with token through gateway gw; fills err and out. */
static hf_rc run(const hf_gateway *gw, hf_payment_op op, const char *token,
                 hf_payment_result *out, hf_err *err)
{
    hf_payment_request req = {
        .op = op,
        .amount = 2500,
        .currency = "USD",
        .token = token,
        .reference = "ord_1:authorize:1",
    };
    memset(out, 0, sizeof(*out));
    hf_err_clear(err);
    return gw->execute(gw, &req, out, err);
}

static void test_find(void **state)
{
    (void)state;
    const hf_gateway *manual = hf_gateway_find("manual");
    const hf_gateway *test = hf_gateway_find("test");
    assert_non_null(manual);
    assert_non_null(test);
    assert_string_equal(manual->name, "manual");
    assert_string_equal(test->name, "test");
    assert_non_null(manual->execute);
    assert_non_null(test->execute);
    assert_ptr_not_equal(manual, test);
    assert_null(hf_gateway_find("stripe"));
    assert_null(hf_gateway_find("Test"));
    assert_null(hf_gateway_find(""));
    assert_null(hf_gateway_find(NULL));
}

static void test_op_names(void **state)
{
    (void)state;
    assert_string_equal(hf_payment_op_name(HF_PAY_AUTHORIZE), "authorize");
    assert_string_equal(hf_payment_op_name(HF_PAY_CAPTURE), "capture");
    assert_string_equal(hf_payment_op_name(HF_PAY_VOID), "void");
    assert_string_equal(hf_payment_op_name(HF_PAY_REFUND), "refund");
    assert_string_equal(hf_payment_op_name((hf_payment_op)4), "unknown");
}

static void test_manual_always_succeeds(void **state)
{
    (void)state;
    const hf_gateway *gw = hf_gateway_find("manual");
    const char *tokens[] = {NULL, "tok_decline", "tok_refund_fails", "x"};
    for (size_t t = 0; t < sizeof(tokens) / sizeof(tokens[0]); t++) {
        for (size_t i = 0; i < sizeof(all_ops) / sizeof(all_ops[0]); i++) {
            hf_payment_result out;
            hf_err err;
            assert_int_equal(run(gw, all_ops[i], tokens[t], &out, &err), HF_OK);
            assert_string_equal(out.gateway_ref, "manual:ord_1:authorize:1");
        }
    }
}

static void test_test_gateway_succeeds_by_default(void **state)
{
    (void)state;
    const hf_gateway *gw = hf_gateway_find("test");
    const char *tokens[] = {NULL, "tok_visa", "", "tok_declined",
                            "TOK_DECLINE"};
    for (size_t t = 0; t < sizeof(tokens) / sizeof(tokens[0]); t++) {
        for (size_t i = 0; i < sizeof(all_ops) / sizeof(all_ops[0]); i++) {
            hf_payment_result out;
            hf_err err;
            assert_int_equal(run(gw, all_ops[i], tokens[t], &out, &err), HF_OK);
            assert_string_equal(out.gateway_ref, "test:ord_1:authorize:1");
            assert_int_equal(err.rc, HF_OK);
        }
    }
}

static void test_test_gateway_fails_exactly_the_named_step(void **state)
{
    (void)state;
    static const struct {
        const char *token;
        hf_payment_op fails;
        const char *code;
    } cases[] = {
        {"tok_decline", HF_PAY_AUTHORIZE, "card_declined"},
        {"tok_capture_fails", HF_PAY_CAPTURE, "capture_failed"},
        {"tok_void_fails", HF_PAY_VOID, "void_failed"},
        {"tok_refund_fails", HF_PAY_REFUND, "refund_failed"},
    };
    const hf_gateway *gw = hf_gateway_find("test");
    for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
        for (size_t i = 0; i < sizeof(all_ops) / sizeof(all_ops[0]); i++) {
            hf_payment_result out;
            hf_err err;
            hf_rc rc = run(gw, all_ops[i], cases[c].token, &out, &err);
            if (all_ops[i] == cases[c].fails) {
                if (rc != HF_EPAYMENT)
                    fail_msg("%s: %s should fail", cases[c].token,
                             hf_payment_op_name(all_ops[i]));
                assert_int_equal(err.rc, HF_EPAYMENT);
                assert_string_equal(err.code, cases[c].code);
                assert_string_equal(err.field, "payment.token");
                assert_true(strlen(err.message) > 0);
                assert_string_equal(out.gateway_ref, "");
            } else {
                if (rc != HF_OK)
                    fail_msg("%s: %s should succeed", cases[c].token,
                             hf_payment_op_name(all_ops[i]));
                assert_string_equal(out.gateway_ref, "test:ord_1:authorize:1");
            }
        }
    }
}

static void test_reference_is_echoed_and_bounded(void **state)
{
    (void)state;
    const hf_gateway *gw = hf_gateway_find("test");
    char long_ref[200];
    memset(long_ref, 'r', sizeof(long_ref) - 1);
    long_ref[sizeof(long_ref) - 1] = '\0';
    hf_payment_request req = {.op = HF_PAY_CAPTURE,
                              .amount = 1,
                              .currency = "USD",
                              .reference = long_ref};
    hf_payment_result out;
    assert_int_equal(gw->execute(gw, &req, &out, NULL), HF_OK);
    assert_int_equal(strlen(out.gateway_ref), sizeof(out.gateway_ref) - 1);
    assert_memory_equal(out.gateway_ref, "test:rrr", 8);

    /* the same reference gives the same gateway id: retries are
     * recognisable */
    req.reference = "ord_9:refund:2";
    hf_payment_result again;
    assert_int_equal(gw->execute(gw, &req, &out, NULL), HF_OK);
    assert_int_equal(gw->execute(gw, &req, &again, NULL), HF_OK);
    assert_string_equal(out.gateway_ref, again.gateway_ref);

    req.reference = NULL;
    assert_int_equal(gw->execute(gw, &req, &out, NULL), HF_OK);
    assert_string_equal(out.gateway_ref, "test:");
}

static void test_decline_without_err_context(void **state)
{
    (void)state;
    /* callers that do not want detail pass NULL and still get the code */
    const hf_gateway *gw = hf_gateway_find("test");
    hf_payment_request req = {.op = HF_PAY_AUTHORIZE,
                              .amount = 2500,
                              .currency = "USD",
                              .token = "tok_decline",
                              .reference = "r"};
    hf_payment_result out;
    assert_int_equal(gw->execute(gw, &req, &out, NULL), HF_EPAYMENT);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_find),
        cmocka_unit_test(test_op_names),
        cmocka_unit_test(test_manual_always_succeeds),
        cmocka_unit_test(test_test_gateway_succeeds_by_default),
        cmocka_unit_test(test_test_gateway_fails_exactly_the_named_step),
        cmocka_unit_test(test_reference_is_echoed_and_bounded),
        cmocka_unit_test(test_decline_without_err_context),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
