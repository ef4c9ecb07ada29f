/* Unit tests for util/arena: alignment, the cap, reset and strings. */
#include "util/arena.h"
#include "util/mem.h"

#include <setjmp.h>
#include <stdalign.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#define ALIGN alignof(max_align_t)

/* Counted blocks when the running test started: a test that fails and
 * leaks must not make the next one fail too. */
static long baseline;

static int note_live(void **state)
{
    (void)state;
    baseline = hf_mem_live();
    return 0;
}

/* Blocks the running test holds now. */
static long live(void)
{
    return hf_mem_live() - baseline;
}

static int check_leaks(void **state)
{
    (void)state;
    /* every test frees what it made */
    hf_mem_fail_after(0);
    assert_int_equal(live(), 0);
    return 0;
}

static void test_alignment(void **state)
{
    (void)state;
    hf_arena *a = hf_arena_new(0);
    assert_non_null(a);
    static const size_t sizes[] = {1, 3, 8, 15, 16, 17, 33, 100, 7, 1, 4095};
    for (int round = 0; round < 200; round++) {
        for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
            void *p = hf_arena_alloc(a, sizes[i]);
            assert_non_null(p);
            assert_int_equal((uintptr_t)p % ALIGN, 0);
            memset(p, 0xab, sizes[i]); /* ASan: the whole size is ours */
        }
    }
    /* zero bytes still gives a distinct, aligned pointer */
    void *z1 = hf_arena_alloc(a, 0);
    void *z2 = hf_arena_alloc(a, 0);
    assert_non_null(z1);
    assert_non_null(z2);
    assert_ptr_not_equal(z1, z2);
    assert_int_equal((uintptr_t)z1 % ALIGN, 0);
    hf_arena_free(a);
}

static void test_allocations_do_not_overlap(void **state)
{
    (void)state;
    hf_arena *a = hf_arena_new(0);
    unsigned char *blocks[64];
    size_t sizes[64];
    for (size_t i = 0; i < 64; i++) {
        sizes[i] = 1 + i * 37 % 700;
        blocks[i] = hf_arena_alloc(a, sizes[i]);
        assert_non_null(blocks[i]);
        memset(blocks[i], (int)i, sizes[i]);
    }
    for (size_t i = 0; i < 64; i++)
        for (size_t j = 0; j < sizes[i]; j++)
            assert_int_equal(blocks[i][j], i);
    hf_arena_free(a);
}

static void test_used_counts_aligned_bytes(void **state)
{
    (void)state;
    hf_arena *a = hf_arena_new(0);
    assert_int_equal(hf_arena_used(a), 0);
    hf_arena_alloc(a, 1);
    assert_int_equal(hf_arena_used(a), ALIGN);
    hf_arena_alloc(a, ALIGN);
    assert_int_equal(hf_arena_used(a), 2 * ALIGN);
    hf_arena_alloc(a, ALIGN + 1);
    assert_int_equal(hf_arena_used(a), 4 * ALIGN);
    hf_arena_free(a);
}

static void test_large_allocation_beyond_first_chunk(void **state)
{
    (void)state;
    hf_arena *a = hf_arena_new(0);
    unsigned char *small = hf_arena_alloc(a, 10);
    unsigned char *big = hf_arena_alloc(a, 100000);
    assert_non_null(small);
    assert_non_null(big);
    memset(big, 1, 100000);
    memset(small, 2, 10);
    assert_int_equal(big[99999], 1);
    hf_arena_free(a);
}

static void test_cap_enforced(void **state)
{
    (void)state;
    hf_arena *a = hf_arena_new(1024);
    assert_non_null(a);
    /* a single request over the cap */
    assert_null(hf_arena_alloc(a, 1025));
    assert_null(hf_arena_zalloc(a, 4096));
    /* fill up to the cap in small pieces, then one more is refused */
    size_t got = 0;
    while (hf_arena_alloc(a, 64) != NULL) {
        got += 64;
        assert_true(got <= 1024);
    }
    assert_true(got > 0);
    assert_true(hf_arena_used(a) <= 1024);
    assert_null(hf_arena_alloc(a, 64));
    assert_null(hf_arena_alloc(a, 1));
    assert_null(hf_arena_strdup(a, "x"));
    assert_null(hf_arena_printf(a, "%d", 1));
    hf_arena_free(a);
}

static void test_cap_exact_fit(void **state)
{
    (void)state;
    /* a request of exactly the cap fits in an empty arena */
    hf_arena *a = hf_arena_new(4096);
    void *p = hf_arena_alloc(a, 4096);
    assert_non_null(p);
    memset(p, 0, 4096);
    assert_null(hf_arena_alloc(a, 1));
    hf_arena_free(a);
}

static void test_huge_request_refused(void **state)
{
    (void)state;
    /* sizes near SIZE_MAX must be refused, not wrap around to a tiny
     * block that the caller would then overrun */
    hf_arena *a = hf_arena_new(0);
    assert_null(hf_arena_alloc(a, SIZE_MAX));
    assert_null(hf_arena_alloc(a, SIZE_MAX - 1));
    assert_null(hf_arena_alloc(a, SIZE_MAX - ALIGN + 2));
    assert_null(hf_arena_zalloc(a, SIZE_MAX));
    assert_null(hf_arena_alloc(a, ((size_t)64 << 20) + 1)); /* default cap */
    assert_int_equal(hf_arena_used(a), 0);
    /* the arena still works afterwards */
    assert_non_null(hf_arena_alloc(a, 10));
    hf_arena_free(a);
}

static void test_reset_forgets_and_reuses(void **state)
{
    (void)state;
    hf_arena *a = hf_arena_new(0);
    void *first = hf_arena_alloc(a, 100);
    for (int i = 0; i < 100; i++)
        assert_non_null(hf_arena_alloc(a, 1000)); /* several chunks */
    long blocks = live();
    assert_true(hf_arena_used(a) > 100000);
    hf_arena_reset(a);
    assert_int_equal(hf_arena_used(a), 0);
    /* only the first chunk (and the arena) remain */
    assert_true(live() < blocks);
    assert_int_equal(live(), 2);
    /* the next allocation reuses the kept chunk from its start */
    void *again = hf_arena_alloc(a, 100);
    assert_ptr_equal(again, first);
    hf_arena_free(a);
}

static void test_reset_returns_room_under_cap(void **state)
{
    (void)state;
    /* a request-sized arena serves request after request: reset gives
     * back the room the last one used */
    hf_arena *a = hf_arena_new(20000);
    size_t first = 0;
    for (int request = 0; request < 50; request++) {
        size_t n = 0;
        while (hf_arena_alloc(a, 512) != NULL)
            n++;
        if (request == 0)
            first = n;
        /* nearly the whole cap, and as much every time */
        assert_true(n * 512 > 16000);
        assert_int_equal(n, first);
        hf_arena_reset(a);
        assert_int_equal(hf_arena_used(a), 0);
    }
    hf_arena_free(a);
}

static void test_reset_and_free_empty(void **state)
{
    (void)state;
    hf_arena *a = hf_arena_new(0);
    hf_arena_reset(a); /* nothing allocated yet */
    assert_int_equal(hf_arena_used(a), 0);
    assert_non_null(hf_arena_alloc(a, 1));
    hf_arena_free(a);
    hf_arena_free(NULL);
}

static void test_zalloc_zeroes_reused_memory(void **state)
{
    (void)state;
    hf_arena *a = hf_arena_new(0);
    unsigned char *p = hf_arena_alloc(a, 256);
    memset(p, 0xff, 256);
    hf_arena_reset(a);
    unsigned char *z = hf_arena_zalloc(a, 256);
    assert_ptr_equal(z, p);
    for (size_t i = 0; i < 256; i++)
        assert_int_equal(z[i], 0);
    hf_arena_free(a);
}

static void test_strings(void **state)
{
    (void)state;
    hf_arena *a = hf_arena_new(0);
    const char *src = "order HF-100001";
    char *copy = hf_arena_strdup(a, src);
    assert_string_equal(copy, src);
    assert_ptr_not_equal(copy, src);
    assert_null(hf_arena_strdup(a, NULL));
    assert_string_equal(hf_arena_strndup(a, "abcdef", 3), "abc");
    /* strndup copies n bytes: the source need not be terminated */
    const char raw[4] = {'w', 'x', 'y', 'z'};
    assert_string_equal(hf_arena_strndup(a, raw, 4), "wxyz");
    assert_string_equal(hf_arena_strndup(a, "", 0), "");
    assert_string_equal(hf_arena_printf(a, "%s-%06d", "HF", 42), "HF-000042");
    assert_string_equal(hf_arena_printf(a, "%s", ""), "");
    /* a printf longer than the first chunk */
    char *long_text = hf_arena_printf(a, "%20000d", 7);
    assert_non_null(long_text);
    assert_int_equal(strlen(long_text), 20000);
    assert_int_equal(long_text[19999], '7');
    hf_arena_free(a);
}

static void test_every_allocation_failure(void **state)
{
    (void)state;
    /* fault injection: each underlying allocation fails in turn; the
     * arena reports NULL and leaks nothing */
    int completed = 0;
    for (long n = 1; n < 20 && !completed; n++) {
        hf_mem_fail_after(n);
        hf_arena *a = hf_arena_new(0);
        if (a == NULL) {
            hf_mem_fail_after(0);
            assert_int_equal(live(), 0);
            continue;
        }
        int ok = 1;
        for (int i = 0; i < 10 && ok; i++)
            ok = hf_arena_alloc(a, 5000) != NULL;
        hf_mem_fail_after(0);
        if (ok)
            completed = 1;
        hf_arena_free(a);
        assert_int_equal(live(), 0);
    }
    assert_true(completed);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_alignment, note_live, check_leaks),
        cmocka_unit_test_setup_teardown(test_allocations_do_not_overlap,
                                        note_live, check_leaks),
        cmocka_unit_test_setup_teardown(test_used_counts_aligned_bytes,
                                        note_live, check_leaks),
        cmocka_unit_test_setup_teardown(
            test_large_allocation_beyond_first_chunk, note_live, check_leaks),
        cmocka_unit_test_setup_teardown(test_cap_enforced, note_live,
                                        check_leaks),
        cmocka_unit_test_setup_teardown(test_cap_exact_fit, note_live,
                                        check_leaks),
        cmocka_unit_test_setup_teardown(test_huge_request_refused, note_live,
                                        check_leaks),
        cmocka_unit_test_setup_teardown(test_reset_forgets_and_reuses,
                                        note_live, check_leaks),
        cmocka_unit_test_setup_teardown(test_reset_returns_room_under_cap,
                                        note_live, check_leaks),
        cmocka_unit_test_setup_teardown(test_reset_and_free_empty, note_live,
                                        check_leaks),
        cmocka_unit_test_setup_teardown(test_zalloc_zeroes_reused_memory,
                                        note_live, check_leaks),
        cmocka_unit_test_setup_teardown(test_strings, note_live, check_leaks),
        cmocka_unit_test_setup_teardown(test_every_allocation_failure,
                                        note_live, check_leaks),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
