/* Unit tests for intent/model: a model trained on data/intents puts
 * sentences it has never seen on the right intent, survives a save and a
 * load unchanged, and refuses a damaged file. */
#include "intent/corpus.h"
#include "intent/features.h"
#include "intent/intent.h"
#include "intent/lexicon.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <libstemmer.h>

static hf_intent_model *model; /* trained once for the whole run */

/* Sentences written for this test, worded unlike the corpus lines. */
static const struct {
    const char *text; /* a customer's message */
    hf_intent want;   /* what it means */
} fresh[] = {
    {"Alright, knock ten percent off and I'll hang on to it",
     HF_INTENT_ACCEPT_OFFER},
    {"that voucher for my next purchase sounds decent, I'm keeping it",
     HF_INTENT_ACCEPT_OFFER},
    {"sure, upgrade the delivery and we're sorted", HF_INTENT_ACCEPT_OFFER},
    {"swapping it for the grey version works for me", HF_INTENT_ACCEPT_OFFER},
    {"yes, I'm happy with the price reduction", HF_INTENT_ACCEPT_OFFER},
    {"none of those options appeal to me, sorry", HF_INTENT_DECLINE_OFFER},
    {"Thanks, but a discount isn't what I'm after", HF_INTENT_DECLINE_OFFER},
    {"nah, not keen on any of that", HF_INTENT_DECLINE_OFFER},
    {"I'll give the offers a miss thanks", HF_INTENT_DECLINE_OFFER},
    {"I really don't need a coupon, I never shop here",
     HF_INTENT_DECLINE_OFFER},
    {"Stop with the deals. Cancel. It. Now.", HF_INTENT_INSIST_CANCEL},
    {"I've said it three times already, I want the order cancelled",
     HF_INTENT_INSIST_CANCEL},
    {"not interested in deals, just get it cancelled", HF_INTENT_INSIST_CANCEL},
    {"please just process the cancellation, nothing else",
     HF_INTENT_INSIST_CANCEL},
    {"could I have a word with an actual human being?", HF_INTENT_ASK_AGENT},
    {"put me through to your team leader", HF_INTENT_ASK_AGENT},
    {"I'd like to chat with a live person about this", HF_INTENT_ASK_AGENT},
    {"is there a phone line where I can reach staff?", HF_INTENT_ASK_AGENT},
    {"roughly how many days would the refund take to clear?",
     HF_INTENT_QUESTION},
    {"does the coupon expire at some point?", HF_INTENT_QUESTION},
    {"would the express option get it to me before the 24th?",
     HF_INTENT_QUESTION},
    {"is there any charge if I cancel now?", HF_INTENT_QUESTION},
    {"I'm a bit worried the jacket will be too small", HF_INTENT_QUESTION},
    {"my parcel still hasn't shown up, where is it?", HF_INTENT_ORDER_STATUS},
    {"has HF-100042 left your warehouse yet?", HF_INTENT_ORDER_STATUS},
    {"can you tell me when my delivery is due", HF_INTENT_ORDER_STATUS},
    {"what's the tracking info for my package", HF_INTENT_ORDER_STATUS},
    {"I need the size on my order switched to a small", HF_INTENT_CHANGE_ORDER},
    {"please update the delivery address on my order", HF_INTENT_CHANGE_ORDER},
    {"can I add one more mug to the order before it goes out?",
     HF_INTENT_CHANGE_ORDER},
    {"thanks so much, you've been really helpful", HF_INTENT_THANKS},
    {"cheers for the help, have a good one", HF_INTENT_THANKS},
    {"many thanks for sorting that out", HF_INTENT_THANKS},
    {"I'd like to cancel the order I made on Tuesday", HF_INTENT_CANCEL_ORDER},
    {"Hello, can order HF-100311 still be cancelled?", HF_INTENT_CANCEL_ORDER},
    {"how would I go about cancelling my purchase?", HF_INTENT_CANCEL_ORDER},
    {"good morning!", HF_INTENT_OTHER},
    {"what's your favourite colour", HF_INTENT_OTHER},
    {"asdkjh qwpeoi zmxn", HF_INTENT_OTHER},
    {"I forgot the password to my account", HF_INTENT_OTHER},
};

#define N_FRESH (sizeof(fresh) / sizeof(fresh[0]))

static int setup(void **state)
{
    (void)state;
    hf_err err;
    hf_rc rc = hf_intent_train_default(HF_SOURCE_DIR "/data/intents", NULL,
                                       &model, &err);
    if (rc != HF_OK)
        fprintf(stderr, "training failed: %s\n", err.message);
    return rc == HF_OK ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    hf_intent_model_free(model);
    return 0;
}

/* Nearly all fresh sentences land on their intent; each miss is shown. */
static void test_fresh_sentences(void **state)
{
    (void)state;
    size_t right = 0;
    for (size_t i = 0; i < N_FRESH; i++) {
        hf_intent_result r;
        hf_intent_classify(model, fresh[i].text, &r);
        if (r.intent == fresh[i].want)
            right++;
        else
            print_message("miss: \"%s\" -> %s (%.2f), want %s\n", fresh[i].text,
                          hf_intent_name(r.intent), r.confidence,
                          hf_intent_name(fresh[i].want));
    }
    print_message("%zu of %zu fresh sentences right\n", right, N_FRESH);
    assert_true(right * 100 >= N_FRESH * 90);
}

static void test_result_fields(void **state)
{
    (void)state;
    hf_intent_result r;
    hf_intent_classify(model, "ok fine, I'll take the 15% off HF-100042", &r);
    assert_int_equal(r.intent, HF_INTENT_ACCEPT_OFFER);
    assert_true(r.confidence > 0.5 && r.confidence <= 1.0);
    assert_int_equal(r.offer, HF_OFFER_DISCOUNT);
    assert_int_equal(r.percent, 15);
    assert_string_equal(r.order, "HF-100042");
    hf_intent_classify(model, "", &r);
    assert_int_equal(r.intent, HF_INTENT_OTHER);
    assert_true(r.confidence < 0.5);
    hf_intent_classify(model, "\xff\xfe\xfd", &r);
    assert_int_equal(r.intent, HF_INTENT_OTHER);
}

/* Chat shorthand and stretched letters read as the words they stand
 * for: the same intent with the same confidence. */
static void test_shorthand_reads_as_words(void **state)
{
    (void)state;
    static const char *const pairs[][2] = {
        {"tysm", "thank you so much"},
        {"byeee", "bye"},
        {"cya, thanks", "see you, thanks"},
        {"nty", "no thank you"},
        {"pleeease cancel my order", "please cancel my order"},
    };
    for (size_t i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
        hf_intent_result a, b;
        hf_intent_classify(model, pairs[i][0], &a);
        hf_intent_classify(model, pairs[i][1], &b);
        assert_int_equal(a.intent, b.intent);
        assert_true(a.confidence == b.confidence);
    }
    hf_intent_result r;
    hf_intent_classify(model, "tyvm!!", &r);
    assert_int_equal(r.intent, HF_INTENT_THANKS);
}

/* After "but", "however" or "though" the customer says what they settle
 * on: turning down one offer and naming another takes that one; a "but"
 * that ends in a refusal stays a refusal. */
static void test_contrast_decides(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        hf_intent want;
        hf_offer_kind offer;
    } cases[] = {
        {"I don't want the discount, but the coupon is nice",
         HF_INTENT_ACCEPT_OFFER, HF_OFFER_COUPON},
        {"no to the discount but yes to the coupon", HF_INTENT_ACCEPT_OFFER,
         HF_OFFER_COUPON},
        {"the discount is kind, but no thanks", HF_INTENT_DECLINE_OFFER,
         HF_OFFER_DISCOUNT},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        hf_intent_result r;
        hf_intent_classify(model, cases[i].text, &r);
        if (r.intent != cases[i].want)
            print_message("\"%s\" -> %s\n", cases[i].text,
                          hf_intent_name(r.intent));
        assert_int_equal(r.intent, cases[i].want);
        assert_int_equal(r.offer, cases[i].offer);
    }
}

/* The lexicon is sorted (its lookups are a binary search) and puts rare
 * words in the family of common ones. */
static void test_word_classes(void **state)
{
    (void)state;
    assert_int_equal(hf_intent_lexicon_check(), -1);
    static const char *const same[][2] = {
        {"boss", "agent"},   {"klarna", "paypal"},  {"dpd", "courier"},
        {"nope", "no"},      {"voucher", "coupon"}, {"unsubscribe", "login"},
        {"ttyl", "goodbye"},
    };
    for (size_t i = 0; i < sizeof(same) / sizeof(same[0]); i++) {
        unsigned a = hf_intent_word_classes(same[i][0]);
        assert_true(a != 0);
        assert_true((a & hf_intent_word_classes(same[i][1])) != 0);
    }
    assert_int_equal(hf_intent_word_classes("table"), 0);
    assert_int_equal(hf_intent_word_classes(""), 0);
    unsigned person = hf_intent_word_classes("supervisor");
    int bit = 0;
    while (!(person & 1u << bit))
        bit++;
    assert_string_equal(hf_intent_word_class_name(bit), "person");
    assert_null(hf_intent_word_class_name(HF_WORD_CLASS_COUNT));
}

/* Fills buf with copies of word separated by spaces, up to HF_INTENT_MAX_TEXT
 * bytes; returns the length. */
static size_t repeat_word(char *buf, const char *word)
{
    size_t len = 0, wl = strlen(word);
    while (len + wl + 1 <= HF_INTENT_MAX_TEXT) {
        memcpy(buf + len, word, wl);
        len += wl;
        buf[len++] = ' ';
    }
    buf[len] = '\0';
    return len;
}

/* HF_FEAT_ROOM holds every feature of the densest texts, alone and
 * repeated to the longest text read: shorthand that grows into several
 * words, question marks, one- and two-letter words. With less
 * room the surplus would be dropped and the text misread. */
static void test_feature_room(void **state)
{
    (void)state;
    static const char *const dense[] = {"np",  "tysm", "gn", "idk", "nty",
                                        "ty",  "u",    "u?", "no",  "a",
                                        "hq?", "u?",   "ok"};
    struct sb_stemmer *st = sb_stemmer_new("english", NULL);
    static char text[HF_INTENT_MAX_TEXT + 1];
    size_t big = 4 * HF_FEAT_CAP;
    hf_feat *all = malloc(big * sizeof(*all));
    hf_feat *fit = malloc(HF_FEAT_CAP * sizeof(*fit));
    assert_non_null(st);
    assert_non_null(all);
    assert_non_null(fit);
    for (size_t i = 0; i < sizeof(dense) / sizeof(dense[0]); i++) {
        for (int whole = 0; whole < 2; whole++) {
            size_t len = whole ? repeat_word(text, dense[i])
                               : strlen(strcpy(text, dense[i]));
            size_t room = HF_FEAT_ROOM(len);
            assert_true(room <= HF_FEAT_CAP);
            size_t n_all = hf_intent_features(st, text, all, big);
            size_t n_fit = hf_intent_features(st, text, fit, room);
            assert_true(n_all > 0);
            assert_int_equal(n_fit, n_all);
            assert_memory_equal(fit, all, n_all * sizeof(*all));
        }
    }
    /* Many distinct words: every pair of the first ones is a feature. */
    size_t len = 0;
    for (char a = 'a'; a <= 'z'; a++)
        for (char b = 'a'; b <= 'z' && len + 3 <= HF_INTENT_MAX_TEXT; b++) {
            text[len++] = a;
            text[len++] = b;
            text[len++] = ' ';
        }
    text[len] = '\0';
    size_t n_all = hf_intent_features(st, text, all, big);
    assert_int_equal(hf_intent_features(st, text, fit, HF_FEAT_ROOM(len)),
                     n_all);
    assert_memory_equal(fit, all, n_all * sizeof(*all));
    free(all);
    free(fit);
    sb_stemmer_delete(st);
}

/* A temporary file path. */
static void temp_path(char *buf, size_t n)
{
    snprintf(buf, n, "/tmp/hf-intent-test-%ld.model", (long)getpid());
}

static void test_save_load_round_trip(void **state)
{
    (void)state;
    char path[64];
    temp_path(path, sizeof(path));
    hf_err err;
    assert_int_equal(hf_intent_model_save(model, path, &err), HF_OK);
    hf_intent_model *loaded = NULL;
    assert_int_equal(hf_intent_model_load(path, &loaded, &err), HF_OK);
    for (size_t i = 0; i < N_FRESH; i++) {
        hf_intent_result a, b;
        hf_intent_classify(model, fresh[i].text, &a);
        hf_intent_classify(loaded, fresh[i].text, &b);
        assert_int_equal(a.intent, b.intent);
        assert_true(a.confidence == b.confidence);
    }
    hf_intent_model_free(loaded);
    unlink(path);
}

/* Reads the whole file at path into a malloc'd buffer. */
static unsigned char *read_all(const char *path, long *len)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    *len = ftell(f);
    rewind(f);
    unsigned char *p = malloc((size_t)*len);
    assert_non_null(p);
    assert_int_equal(fread(p, 1, (size_t)*len, f), (size_t)*len);
    fclose(f);
    return p;
}

static void write_all(const char *path, const unsigned char *p, long len)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(p, 1, (size_t)len, f), (size_t)len);
    fclose(f);
}

/* Loading p[0..len) from a file must fail with HF_EPARSE, no crash. */
static void expect_eparse(const char *path, const unsigned char *p, long len)
{
    write_all(path, p, len);
    hf_intent_model *m = NULL;
    hf_err err;
    hf_rc rc = hf_intent_model_load(path, &m, &err);
    if (rc != HF_EPARSE)
        fail_msg("%ld bytes: got %s", len, hf_rc_name(rc));
    assert_null(m);
}

static void test_damaged_files(void **state)
{
    (void)state;
    char path[64];
    temp_path(path, sizeof(path));
    hf_err err;
    assert_int_equal(hf_intent_model_save(model, path, &err), HF_OK);
    long len;
    unsigned char *p = read_all(path, &len);
    /* truncated anywhere: header, labels, rows, checksum */
    long cuts[] = {0, 4, 8, 12, 20, 30, 60, 1000, len / 2, len - 5, len - 1};
    for (size_t i = 0; i < sizeof(cuts) / sizeof(cuts[0]); i++)
        expect_eparse(path, p, cuts[i]);
    /* one byte flipped anywhere */
    long spots[] = {0, 9, 17, 25, 40, 100, len / 3, len - 2};
    for (size_t i = 0; i < sizeof(spots) / sizeof(spots[0]); i++) {
        p[spots[i]] ^= 0x5a;
        expect_eparse(path, p, len);
        p[spots[i]] ^= 0x5a;
    }
    /* a huge row count must not be believed */
    unsigned char *q = malloc((size_t)len);
    memcpy(q, p, (size_t)len);
    long rows_at = 8 + 16 + 4 * HF_INTENT_COUNT;
    memset(q + rows_at, 0xff, 4);
    expect_eparse(path, q, len);
    free(q);
    /* not a model at all */
    expect_eparse(path, (const unsigned char *)"hello, world\n", 13);
    free(p);
    unlink(path);
    hf_intent_model *m = NULL;
    assert_int_equal(hf_intent_model_load(path, &m, &err), HF_EIO);
}

static void test_training_refuses_empty(void **state)
{
    (void)state;
    hf_intent_model *m = NULL;
    hf_err err;
    assert_int_equal(hf_intent_train(NULL, 0, &m, &err), HF_EINVAL);
    hf_intent_example one[] = {{"hi", HF_INTENT_OTHER}};
    assert_int_equal(hf_intent_train(one, 1, &m, &err), HF_EINVAL);
    assert_non_null(strstr(err.message, "cancel_order"));
    hf_intent_corpus c;
    assert_int_equal(hf_intent_corpus_load("/nonexistent", NULL, &c, &err),
                     HF_ENOTFOUND);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fresh_sentences),
        cmocka_unit_test(test_result_fields),
        cmocka_unit_test(test_shorthand_reads_as_words),
        cmocka_unit_test(test_contrast_decides),
        cmocka_unit_test(test_word_classes),
        cmocka_unit_test(test_feature_room),
        cmocka_unit_test(test_save_load_round_trip),
        cmocka_unit_test(test_damaged_files),
        cmocka_unit_test(test_training_refuses_empty),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
