/* Unit tests for util/mem: counting and fault injection. */
#include "util/mem.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

/* Counted blocks when the running test started: a test that fails and
 * leaks must not make the next one fail too. */
static long baseline;

static int note_live(void **state)
{
    (void)state;
    hf_mem_fail_after(0);
    baseline = hf_mem_live();
    return 0;
}

/* Blocks the running test holds now. */
static long live(void)
{
    return hf_mem_live() - baseline;
}

static int reset_faults(void **state)
{
    (void)state;
    hf_mem_fail_after(0);
    assert_int_equal(live(), 0);
    return 0;
}

static void test_counts_live_blocks(void **state)
{
    (void)state;
    void *a = hf_malloc(10);
    void *b = hf_calloc(4, 8);
    char *c = hf_strdup("holdfast");
    assert_non_null(a);
    assert_non_null(b);
    assert_non_null(c);
    assert_int_equal(live(), 3);
    hf_free(b);
    assert_int_equal(live(), 2);
    hf_free(NULL); /* no effect on the count */
    assert_int_equal(live(), 2);
    hf_free(a);
    hf_free(c);
    assert_int_equal(live(), 0);
}

static void test_zero_sizes_are_real_blocks(void **state)
{
    (void)state;
    void *a = hf_malloc(0);
    void *b = hf_calloc(0, 16);
    void *c = hf_calloc(16, 0);
    assert_non_null(a);
    assert_non_null(b);
    assert_non_null(c);
    assert_int_equal(live(), 3);
    hf_free(a);
    hf_free(b);
    hf_free(c);
}

static void test_calloc_zeroes(void **state)
{
    (void)state;
    unsigned char *p = hf_calloc(100, 3);
    assert_non_null(p);
    for (size_t i = 0; i < 300; i++)
        assert_int_equal(p[i], 0);
    hf_free(p);
}

static void test_realloc_keeps_contents_and_count(void **state)
{
    (void)state;
    char *p = hf_realloc(NULL, 4); /* like malloc: one new block */
    assert_non_null(p);
    assert_int_equal(live(), 1);
    memcpy(p, "abc", 4);
    p = hf_realloc(p, 100000);
    assert_non_null(p);
    assert_string_equal(p, "abc");
    assert_int_equal(live(), 1); /* still one block */
    hf_free(p);
}

static void test_strdup(void **state)
{
    (void)state;
    assert_null(hf_strdup(NULL));
    assert_int_equal(live(), 0);
    char *e = hf_strdup("");
    assert_string_equal(e, "");
    hf_free(e);
}

static void test_fail_next(void **state)
{
    (void)state;
    hf_mem_fail_after(1);
    assert_null(hf_malloc(8));
    /* only that one fails: injection turns itself off */
    void *p = hf_malloc(8);
    assert_non_null(p);
    void *q = hf_malloc(8);
    assert_non_null(q);
    hf_free(p);
    hf_free(q);
    assert_int_equal(live(), 0);
}

static void test_fail_nth(void **state)
{
    (void)state;
    /* the third allocation from now fails, whichever function makes it */
    hf_mem_fail_after(3);
    void *a = hf_malloc(8);
    char *b = hf_strdup("x");
    void *c = hf_calloc(1, 8);
    void *d = hf_malloc(8);
    assert_non_null(a);
    assert_non_null(b);
    assert_null(c);
    assert_non_null(d);
    assert_int_equal(live(), 3); /* the failed one is not counted */
    hf_free(a);
    hf_free(b);
    hf_free(d);
}

static void test_each_function_can_fail(void **state)
{
    (void)state;
    hf_mem_fail_after(1);
    assert_null(hf_calloc(2, 2));
    hf_mem_fail_after(1);
    assert_null(hf_strdup("abc"));
    hf_mem_fail_after(1);
    assert_null(hf_realloc(NULL, 10));
    assert_int_equal(live(), 0);
}

static void test_failed_realloc_keeps_the_block(void **state)
{
    (void)state;
    char *p = hf_malloc(4);
    memcpy(p, "xyz", 4);
    hf_mem_fail_after(1);
    assert_null(hf_realloc(p, 4096));
    /* like realloc(3): the old block is untouched and still ours */
    assert_string_equal(p, "xyz");
    assert_int_equal(live(), 1);
    hf_free(p);
}

static void test_zero_turns_injection_off(void **state)
{
    (void)state;
    hf_mem_fail_after(2);
    hf_mem_fail_after(0);
    void *blocks[10];
    for (int i = 0; i < 10; i++) {
        blocks[i] = hf_malloc(1);
        assert_non_null(blocks[i]);
    }
    for (int i = 0; i < 10; i++)
        hf_free(blocks[i]);
}

static void test_every_allocation_fails_in_turn(void **state)
{
    (void)state;
    /* the SQLite-style loop callers of hf_malloc use: a routine making
     * four allocations sees each one fail in turn and cleans up */
    for (long n = 1; n <= 5; n++) {
        hf_mem_fail_after(n);
        void *p[4];
        int failed_at = -1;
        for (int i = 0; i < 4; i++) {
            p[i] = hf_malloc(16);
            if (p[i] == NULL && failed_at < 0)
                failed_at = i;
        }
        hf_mem_fail_after(0);
        if (n <= 4)
            assert_int_equal(failed_at, n - 1);
        else
            assert_int_equal(failed_at, -1);
        for (int i = 0; i < 4; i++)
            hf_free(p[i]);
        assert_int_equal(live(), 0);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_counts_live_blocks, note_live,
                                        reset_faults),
        cmocka_unit_test_setup_teardown(test_zero_sizes_are_real_blocks,
                                        note_live, reset_faults),
        cmocka_unit_test_setup_teardown(test_calloc_zeroes, note_live,
                                        reset_faults),
        cmocka_unit_test_setup_teardown(test_realloc_keeps_contents_and_count,
                                        note_live, reset_faults),
        cmocka_unit_test_setup_teardown(test_strdup, note_live, reset_faults),
        cmocka_unit_test_setup_teardown(test_fail_next, note_live,
                                        reset_faults),
        cmocka_unit_test_setup_teardown(test_fail_nth, note_live, reset_faults),
        cmocka_unit_test_setup_teardown(test_each_function_can_fail, note_live,
                                        reset_faults),
        cmocka_unit_test_setup_teardown(test_failed_realloc_keeps_the_block,
                                        note_live, reset_faults),
        cmocka_unit_test_setup_teardown(test_zero_turns_injection_off,
                                        note_live, reset_faults),
        cmocka_unit_test_setup_teardown(test_every_allocation_fails_in_turn,
                                        note_live, reset_faults),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
