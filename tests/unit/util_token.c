/* Unit tests for util/token: signed links open for their purpose and
 * subject until they expire, and nothing else opens them. */
#include "util/token.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

static unsigned char key[HF_TOKEN_KEY_BYTES], other_key[HF_TOKEN_KEY_BYTES];

static int setup(void **state)
{
    (void)state;
    if (sodium_init() < 0)
        return -1;
    randombytes_buf(key, sizeof(key));
    randombytes_buf(other_key, sizeof(other_key));
    return 0;
}

static const hf_time now = 1795000000000; /* ms */

static void test_round_trip(void **state)
{
    (void)state;
    char tok[HF_TOKEN_MAX], subject[HF_TOKEN_SUBJECT_MAX];
    hf_time exp = 0;
    hf_err err;
    assert_int_equal(
        hf_token_sign(key, "survey", "ord_abc123", now + 3600 * 1000, tok),
        HF_OK);
    /* URL-safe: no '+', '/', '=' or spaces */
    assert_null(strpbrk(tok, "+/= ?&"));
    assert_int_equal(
        hf_token_verify(key, "survey", tok, now, subject, &exp, &err), HF_OK);
    assert_string_equal(subject, "ord_abc123");
    assert_int_equal(exp, now + 3600 * 1000);
}

static void test_refusals(void **state)
{
    (void)state;
    char tok[HF_TOKEN_MAX], subject[HF_TOKEN_SUBJECT_MAX];
    hf_err err;
    assert_int_equal(
        hf_token_sign(key, "address", "ord_abc123", now + 1000, tok), HF_OK);
    /* another purpose, another key */
    assert_int_equal(
        hf_token_verify(key, "survey", tok, now, subject, NULL, &err),
        HF_EAUTH);
    assert_string_equal(err.code, "bad_token");
    assert_int_equal(
        hf_token_verify(other_key, "address", tok, now, subject, NULL, &err),
        HF_EAUTH);
    /* expired */
    assert_int_equal(
        hf_token_verify(key, "address", tok, now + 2000, subject, NULL, &err),
        HF_EAUTH);
    assert_string_equal(err.code, "token_expired");
    /* every single changed character is refused */
    size_t n = strlen(tok);
    for (size_t i = 0; i < n; i++) {
        char t[HF_TOKEN_MAX];
        memcpy(t, tok, n + 1);
        t[i] = t[i] == 'A' ? 'B' : 'A';
        if (t[i] == tok[i])
            continue;
        assert_int_not_equal(
            hf_token_verify(key, "address", t, now, subject, NULL, &err),
            HF_OK);
    }
    /* malformed */
    const char *junk[] = {"",
                          ".",
                          "..",
                          "a.b.c",
                          "abc",
                          "a.1.b.c",
                          "YQ.-5.AAAAAAAAAAAAAAAAAAAAAA"};
    for (size_t i = 0; i < sizeof(junk) / sizeof(junk[0]); i++)
        assert_int_equal(
            hf_token_verify(key, "address", junk[i], now, subject, NULL, &err),
            HF_EAUTH);
}

static void test_sign_rejects_bad_subjects(void **state)
{
    (void)state;
    char tok[HF_TOKEN_MAX], longer[HF_TOKEN_SUBJECT_MAX + 1];
    memset(longer, 'x', sizeof(longer) - 1);
    longer[sizeof(longer) - 1] = '\0';
    assert_int_equal(hf_token_sign(key, "survey", "", now, tok), HF_EINVAL);
    assert_int_equal(hf_token_sign(key, "survey", longer, now, tok), HF_EINVAL);
    assert_int_equal(hf_token_sign(key, "a|b", "ord_1", now, tok), HF_EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_refusals),
        cmocka_unit_test(test_sign_rejects_bad_subjects),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
