/*
 * Unit tests for notify/template: the shipped templates lint clean and
 * render, values fill placeholders, HTML escaping happens in the html part
 * only, lint reports each kind of problem at the right FILE:LINE:COL, the
 * SMS length rule, out-of-memory paths, and the `holdfast templates`
 * command.
 */
#include "notify/template.h"
#include "util/mem.h"

#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

/* --- Helpers ------------------------------------------------------------- */

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

/* The repository's templates/, found from this file's path. */
static const char *templates_dir(void)
{
    static char dir[4096];
    const char *slash = strrchr(__FILE__, '/');
    if (slash == NULL)
        return "../../templates";
    snprintf(dir, sizeof(dir), "%.*s/../../templates", (int)(slash - __FILE__),
             __FILE__);
    return dir;
}

/* The whole content of f from its start, NUL-terminated; free() it. */
static char *slurp(FILE *f)
{
    fflush(f);
    long n = ftell(f);
    assert_true(n >= 0);
    rewind(f);
    char *buf = malloc((size_t)n + 1);
    assert_non_null(buf);
    assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
    buf[n] = '\0';
    return buf;
}

static void write_file(const char *dir, const char *name, const char *data,
                       size_t len)
{
    char path[4200];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
}

static void remove_file(const char *dir, const char *name)
{
    char path[4200];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    assert_int_equal(unlink(path), 0);
}

/* A new directory holding copies of every shipped template; *dir gets its
 * path (PATH_MAX-sized buffer from the caller). */
static void make_copy_dir(char *dir, size_t size)
{
    const char *tmp = getenv("TMPDIR");
    snprintf(dir, size, "%s/hf-tmpl-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    assert_non_null(mkdtemp(dir));
    for (size_t i = 0; hf_template_notification(i) != NULL; i++) {
        char src[4200];
        snprintf(src, sizeof(src), "%s/%s.tmpl", templates_dir(),
                 hf_template_notification(i));
        FILE *f = fopen(src, "rb");
        assert_non_null(f);
        fseek(f, 0, SEEK_END);
        char *text = slurp(f);
        fclose(f);
        char name[128];
        snprintf(name, sizeof(name), "%s.tmpl", hf_template_notification(i));
        write_file(dir, name, text, strlen(text));
        free(text);
    }
}

static void remove_dir(const char *dir)
{
    DIR *d = opendir(dir);
    assert_non_null(d);
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
            remove_file(dir, e->d_name);
    closedir(d);
    assert_int_equal(rmdir(dir), 0);
}

/* Runs hf_template_lint_dir(dir) and returns what it wrote; free() it. */
static char *lint_output(const char *dir, hf_rc *rc)
{
    FILE *out = tmpfile();
    assert_non_null(out);
    *rc = hf_template_lint_dir(dir, out);
    char *text = slurp(out);
    fclose(out);
    return text;
}

/* `expected` with every "DIR" replaced by dir; free() it. */
static char *with_dir(const char *expected, const char *dir)
{
    size_t cap = strlen(expected) * (strlen(dir) + 1) + 1, at = 0;
    char *out = malloc(cap);
    assert_non_null(out);
    for (const char *s = expected; *s;) {
        if (strncmp(s, "DIR", 3) == 0) {
            at += (size_t)snprintf(out + at, cap - at, "%s", dir);
            s += 3;
        } else {
            out[at++] = *s++;
        }
    }
    out[at] = '\0';
    return out;
}

/* A lookup over a NULL-terminated list of name, value pairs; names not in
 * it have no value. */
static const char *pairs_lookup(void *ctx, const char *name)
{
    const char *const *kv = ctx;
    for (; kv[0] != NULL; kv += 2)
        if (strcmp(kv[0], name) == 0)
            return kv[1];
    return NULL;
}

/* Parses text as template "t"; fails the test on a problem. */
static hf_template *parse_ok(const char *text)
{
    hf_template *t = NULL;
    hf_err err;
    hf_err_clear(&err);
    hf_rc rc = hf_template_parse("t", text, strlen(text), NULL, NULL, &t, &err);
    if (rc != HF_OK)
        fail_msg("parse failed: %s", err.message);
    return t;
}

/* Renders one part of t with lookup over kv into a static buffer. */
static const char *render(const hf_template *t, hf_template_part part,
                          const char *const *kv)
{
    static char buf[8192];
    hf_arena *a = hf_arena_new(0);
    assert_non_null(a);
    char *out;
    hf_err err;
    hf_rc rc =
        hf_template_render(t, part, pairs_lookup, (void *)kv, a, &out, &err);
    if (rc != HF_OK)
        fail_msg("render failed: %s", err.message);
    snprintf(buf, sizeof(buf), "%s", out);
    hf_arena_free(a);
    return buf;
}

/* Line numbers: 1 [email.subject] 2 text 3 [email.text] 4 text
 * 5 [email.html] 6 text 7 [sms] 8 text 9 [inapp.title] 10 text
 * 11 [inapp.body] 12 text. */
#define L1 "[email.subject]\n"
#define L2 "Hi {{customer.name}}\n"
#define L3 "[email.text]\n"
#define L4 "Text {{order.number}}\n"
#define L5 "[email.html]\n"
#define L6 "<p>{{order.number}}</p>\n"
#define L7 "[sms]\n"
#define L8 "SMS {{order.number}}\n"
#define L9 "[inapp.title]\n"
#define L10 "Title\n"
#define L11 "[inapp.body]\n"
#define L12 "Body\n"
#define VALID L1 L2 L3 L4 L5 L6 L7 L8 L9 L10 L11 L12

/* --- The shipped templates ----------------------------------------------- */

static void test_shipped_templates_lint_clean(void **state)
{
    (void)state;
    hf_rc rc;
    char *out = lint_output(templates_dir(), &rc);
    assert_string_equal(out, "");
    assert_int_equal(rc, HF_OK);
    free(out);
}

static void test_shipped_templates_render_with_samples(void **state)
{
    (void)state;
    size_t n = 0;
    for (; hf_template_notification(n) != NULL; n++) {
        char path[4200];
        snprintf(path, sizeof(path), "%s/%s.tmpl", templates_dir(),
                 hf_template_notification(n));
        hf_template *t;
        hf_err err;
        assert_int_equal(hf_template_load(path, NULL, NULL, &t, &err), HF_OK);
        assert_string_equal(hf_template_name(t), hf_template_notification(n));
        hf_arena *a = hf_arena_new(0);
        for (int p = 0; p < HF_TEMPLATE_PART_COUNT; p++) {
            char *text;
            assert_int_equal(hf_template_render(t, (hf_template_part)p,
                                                hf_template_sample_value, NULL,
                                                a, &text, &err),
                             HF_OK);
            assert_true(strlen(text) > 0);
            assert_null(strstr(text, "{{"));
            assert_null(strstr(text, "}}"));
            if (p == HF_TEMPLATE_EMAIL_SUBJECT || p == HF_TEMPLATE_INAPP_TITLE)
                assert_null(strchr(text, '\n'));
            if (p == HF_TEMPLATE_SMS)
                assert_true(strlen(text) <= HF_TEMPLATE_SMS_MAX);
        }
        hf_arena_free(a);
        hf_template_free(t);
    }
    assert_int_equal(n, 13);
}

/* Every placeholder and notification is documented for the people who
 * edit the texts, and the table is sorted (the lookup bsearches it). */
static void test_tables_documented_and_sorted(void **state)
{
    (void)state;
    char path[4200];
    snprintf(path, sizeof(path), "%s/README.md", templates_dir());
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    char *readme = slurp(f);
    fclose(f);
    size_t n;
    const hf_template_placeholder *ph = hf_template_placeholders(&n);
    assert_true(n >= 22);
    for (size_t i = 0; i < n; i++) {
        char want[128];
        snprintf(want, sizeof(want), "| `{{%s}}` | %s |", ph[i].name,
                 ph[i].meaning);
        if (strstr(readme, want) == NULL)
            fail_msg("templates/README.md lacks the row for %s", ph[i].name);
        assert_true(strlen(ph[i].name) <= HF_TEMPLATE_MAX_PLACEHOLDER);
        assert_true(strspn(ph[i].name, "abcdefghijklmnopqrstuvwxyz0123456789"
                                       "._") == strlen(ph[i].name));
        if (i > 0)
            assert_true(strcmp(ph[i - 1].name, ph[i].name) < 0);
        assert_ptr_equal(hf_template_placeholder_find(ph[i].name), &ph[i]);
    }
    assert_null(hf_template_placeholder_find("customer.nam"));
    for (size_t i = 0; hf_template_notification(i) != NULL; i++) {
        char want[128];
        snprintf(want, sizeof(want), "| `%s.tmpl` |",
                 hf_template_notification(i));
        if (strstr(readme, want) == NULL)
            fail_msg("templates/README.md lacks %s", want);
    }
    free(readme);
    for (int p = 0; p < HF_TEMPLATE_PART_COUNT; p++) {
        hf_template_part back;
        assert_true(hf_template_part_parse(
            hf_template_part_name((hf_template_part)p), &back));
        assert_int_equal(back, p);
    }
    hf_template_part back;
    assert_false(hf_template_part_parse("email", &back));
    assert_null(hf_template_part_name(HF_TEMPLATE_PART_COUNT));
}

/* --- Rendering ----------------------------------------------------------- */

static void test_render_fills_values(void **state)
{
    (void)state;
    hf_template *t = parse_ok("# a comment\n\n"
                              "[email.subject]\n"
                              "Order {{ order.number }} for {{customer.name}}"
                              "\n\n"
                              "[email.text]\r\n"
                              "\r\n"
                              "Hi {{customer.first_name}},\r\n"
                              "\r\n"
                              "  Total: {{order.total}}.\r\n"
                              "# not a comment here\r\n"
                              "\r\n"
                              "[email.html]\n<p>{{order.total}}</p>\n"
                              "[sms]\n{{order.number}}{{order.total}}\n"
                              "[inapp.title]\nT\n"
                              "[inapp.body]\nB {{order.number}}\n");
    static const char *const kv[] = {
        "order.number",
        "HF-1",
        "customer.name",
        "Ann Lee",
        "customer.first_name",
        "Ann",
        "order.total",
        "25.00 USD",
        NULL,
    };
    assert_string_equal(render(t, HF_TEMPLATE_EMAIL_SUBJECT, kv),
                        "Order HF-1 for Ann Lee");
    /* blank lines at the ends dropped, inside kept, CRLF read as LF */
    assert_string_equal(render(t, HF_TEMPLATE_EMAIL_TEXT, kv),
                        "Hi Ann,\n\n  Total: 25.00 USD.\n# not a comment here");
    assert_string_equal(render(t, HF_TEMPLATE_SMS, kv), "HF-125.00 USD");
    assert_string_equal(render(t, HF_TEMPLATE_INAPP_TITLE, kv), "T");
    assert_string_equal(render(t, HF_TEMPLATE_INAPP_BODY, kv), "B HF-1");
    hf_template_free(t);
}

static void test_html_escaping_only_in_html(void **state)
{
    (void)state;
    hf_template *t = parse_ok("[email.subject]\n<{{customer.name}}>\n"
                              "[email.text]\n<{{customer.name}}>\n"
                              "[email.html]\n<b>{{customer.name}}</b>\n"
                              "[sms]\n<{{customer.name}}>\n"
                              "[inapp.title]\n<{{customer.name}}>\n"
                              "[inapp.body]\n<{{customer.name}}>\n");
    static const char *const kv[] = {"customer.name",
                                     "<i>Tom & \"Jerry\"'s</i>", NULL};
    assert_string_equal(render(t, HF_TEMPLATE_EMAIL_HTML, kv),
                        "<b>&lt;i&gt;Tom &amp; &quot;Jerry&quot;&#39;s"
                        "&lt;/i&gt;</b>");
    static const hf_template_part raw[] = {
        HF_TEMPLATE_EMAIL_SUBJECT, HF_TEMPLATE_EMAIL_TEXT, HF_TEMPLATE_SMS,
        HF_TEMPLATE_INAPP_TITLE, HF_TEMPLATE_INAPP_BODY};
    for (size_t i = 0; i < sizeof(raw) / sizeof(raw[0]); i++)
        assert_string_equal(render(t, raw[i], kv),
                            "<<i>Tom & \"Jerry\"'s</i>>");
    hf_template_free(t);
}

/* A value cannot add lines to a subject (header injection) or a title;
 * elsewhere line breaks stay. */
static void test_one_line_parts_flatten_values(void **state)
{
    (void)state;
    hf_template *t = parse_ok(VALID);
    static const char *const kv[] = {"customer.name", "Ann\r\nBcc: x@y",
                                     "order.number", "A\nB", NULL};
    assert_string_equal(render(t, HF_TEMPLATE_EMAIL_SUBJECT, kv),
                        "Hi Ann  Bcc: x@y");
    assert_string_equal(render(t, HF_TEMPLATE_EMAIL_TEXT, kv), "Text A\nB");
    hf_template_free(t);
}

static void test_render_missing_value_fails(void **state)
{
    (void)state;
    hf_template *t = parse_ok(VALID);
    static const char *const kv[] = {"customer.name", "Ann", NULL};
    hf_arena *a = hf_arena_new(0);
    char *out = (char *)"untouched";
    hf_err err;
    assert_int_equal(hf_template_render(t, HF_TEMPLATE_EMAIL_TEXT, pairs_lookup,
                                        (void *)kv, a, &out, &err),
                     HF_ENOTFOUND);
    assert_null(out);
    assert_string_equal(err.field, "order.number");
    assert_string_equal(err.message, "t: no value for {{order.number}}");
    assert_int_equal(hf_template_render(t, HF_TEMPLATE_PART_COUNT, pairs_lookup,
                                        (void *)kv, a, &out, &err),
                     HF_EINVAL);
    hf_arena_free(a);
    hf_template_free(t);
}

/* --- Parsing and lint ---------------------------------------------------- */

typedef struct collected {
    char text[4096];
} collected;

static void collect(void *ctx, int line, int col, const char *message)
{
    collected *c = ctx;
    size_t at = strlen(c->text);
    snprintf(c->text + at, sizeof(c->text) - at, "%d:%d: %s\n", line, col,
             message);
}

static void test_parse_reports_in_line_order(void **state)
{
    (void)state;
    const char *text = L1 L2 L3 "{{nope}}\n" L5 L6 L9 L10 L11 L12;
    collected c = {""};
    hf_template *t = (hf_template *)1;
    hf_err err;
    assert_int_equal(hf_template_parse("delivered", text, strlen(text), collect,
                                       &c, &t, &err),
                     HF_EPARSE);
    assert_null(t);
    assert_string_equal(c.text,
                        "1:1: missing section [sms]\n"
                        "4:1: unknown placeholder {{nope}}; `holdfast "
                        "templates placeholders` lists the known ones\n");
    assert_string_equal(err.message, "delivered:1:1: missing section [sms]");
    assert_int_equal(err.rc, HF_EPARSE);
}

static void test_parse_accepts_bom_and_spaces(void **state)
{
    (void)state;
    hf_template *t = parse_ok("\xEF\xBB\xBF"
                              "  # indented comment\n" L1 L2 L3 L4 L5 L6
                              "[sms]  \n" L8 L9 L10 L11 L12);
    static const char *const kv[] = {"order.number", "N", NULL};
    assert_string_equal(render(t, HF_TEMPLATE_SMS, kv), "SMS N");
    hf_template_free(t);
}

typedef struct lint_case {
    const char *what;     /* the kind of problem */
    const char *file;     /* written into a copy of templates/ */
    const char *content;  /* NULL: remove the file */
    size_t len;           /* bytes of content; 0: strlen */
    const char *expected; /* lint's whole output, DIR for the directory */
} lint_case;

static const lint_case lint_cases[] = {
    {"unknown placeholder, column in characters", "delivered.tmpl",
     L1 L2 L3 "Caf\xC3\xA9 {{custmer.name}} ok\n" L5 L6 L7 L8 L9 L10 L11 L12, 0,
     "DIR/delivered.tmpl:4:6: unknown placeholder {{custmer.name}}; did you "
     "mean {{customer.name}}?\n"},
    {"unknown placeholder, no near name", "delivered.tmpl",
     L1 L2 L3 L4 L5 L6 L7 "{{ zzz }}\n" L9 L10 L11 L12, 0,
     "DIR/delivered.tmpl:8:1: unknown placeholder {{zzz}}; `holdfast "
     "templates placeholders` lists the known ones\n"},
    {"unclosed {{", "order_shipped.tmpl",
     L1 L2 L3 L4 L5 L6 L7 "SMS {{order.number} and\n}}\n" L9 L10 L11 L12, 0,
     "DIR/order_shipped.tmpl:8:5: unclosed {{: add }} on the same line\n"},
    {"unknown section", "delivered.tmpl",
     L1 L2 L3 L4 L5 L6 L7 L8 L9 L10 "[inapp.text]\n" L12, 0,
     "DIR/delivered.tmpl:1:1: missing section [inapp.body]\n"
     "DIR/delivered.tmpl:11:1: unknown section [inapp.text]; the sections "
     "are [email.subject], [email.text], [email.html], [sms], [inapp.title] "
     "and [inapp.body]\n"},
    {"missing section", "refund_issued.tmpl", L1 L2 L3 L4 L5 L6 L9 L10 L11 L12,
     0, "DIR/refund_issued.tmpl:1:1: missing section [sms]\n"},
    {"empty section", "delivered.tmpl",
     L1 L2 L3 L4 L5 L6 L7 L8 L9 "\n  \n" L11 L12, 0,
     "DIR/delivered.tmpl:9:1: section [inapp.title] is empty\n"},
    {"empty file", "delivered.tmpl", "", 0,
     "DIR/delivered.tmpl:1:1: empty file\n"},
    {"blank file", "delivered.tmpl", "\n \t\n", 0,
     "DIR/delivered.tmpl:1:1: empty file\n"},
    {"placeholder name over 64 characters", "delivered.tmpl",
     L1 L2 L3 L4 L5 L6 L7
     "{{aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa}} "
     "{{aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa}}"
     "\n" L9 L10 L11 L12,
     0,
     "DIR/delivered.tmpl:8:1: placeholder name is longer than 64 "
     "characters\n"
     "DIR/delivered.tmpl:8:71: unknown placeholder "
     "{{aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa}}; "
     "`holdfast templates placeholders` lists the known ones\n"},
    {"section twice", "delivered.tmpl", VALID "[sms]\nagain\n", 0,
     "DIR/delivered.tmpl:13:1: section [sms] appears twice (first on line "
     "7)\n"},
    {"two-line subject", "delivered.tmpl",
     L1 L2 "\nmore\n" L3 L4 L5 L6 L7 L8 L9 L10 L11 L12, 0,
     "DIR/delivered.tmpl:4:1: section [email.subject] must be one line\n"},
    {"text before the first section", "delivered.tmpl",
     "# fine\nnot a comment\nnor this\n" VALID, 0,
     "DIR/delivered.tmpl:2:1: text before the first section; start with a "
     "section such as [email.subject] or make the line a # comment\n"},
    {"invalid UTF-8", "delivered.tmpl",
     L1 L2 L3 "Text \xC3\xA9\xFF\n" L5 L6 L7 L8 L9 L10 L11 L12, 0,
     "DIR/delivered.tmpl:4:7: invalid UTF-8; save the file as UTF-8\n"},
    {"NUL byte", "delivered.tmpl", L1 "Hi\0\n", sizeof(L1 "Hi\0\n") - 1,
     "DIR/delivered.tmpl:2:3: NUL byte; the file must be text\n"},
    {"unknown notification", "order_cancelled.tmpl", VALID, 0,
     "DIR/order_cancelled.tmpl:1:1: unknown notification "
     "\"order_cancelled\"; a template file is named after the notification "
     "it writes (order_confirmed.tmpl ...)\n"},
    {"missing notification", "winback_offer.tmpl", NULL, 0,
     "DIR/winback_offer.tmpl:1:1: missing template for the winback_offer "
     "notification, sent when a customer who cancelled has not ordered "
     "since\n"},
    {"unclosed {{ at the end of a line", "address_needs_fixing.tmpl",
     L1 "{{x\n" L3 L4 L5 L6 L7 L8 L9 L10 L11 L12, 0,
     "DIR/address_needs_fixing.tmpl:2:1: unclosed {{: add }} on the same "
     "line\n"},
};

static void test_lint_reports_each_problem(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(lint_cases) / sizeof(lint_cases[0]); i++) {
        const lint_case *lc = &lint_cases[i];
        char dir[4096];
        make_copy_dir(dir, sizeof(dir));
        if (lc->content == NULL)
            remove_file(dir, lc->file);
        else
            write_file(dir, lc->file, lc->content,
                       lc->len ? lc->len : strlen(lc->content));
        hf_rc rc;
        char *out = lint_output(dir, &rc);
        char *want = with_dir(lc->expected, dir);
        if (strcmp(out, want) != 0)
            fail_msg("%s:\nwanted\n%sgot\n%s", lc->what, want, out);
        assert_int_equal(rc, HF_EPARSE);
        free(want);
        free(out);
        remove_dir(dir);
    }
}

/* A file of exactly 64 KiB is fine; one byte more is refused. */
static void test_lint_file_size_cap(void **state)
{
    (void)state;
    char dir[4096];
    make_copy_dir(dir, sizeof(dir));
    size_t size = HF_TEMPLATE_MAX_FILE;
    char *big = malloc(size + 2);
    assert_non_null(big);
    size_t head = strlen(VALID);
    memcpy(big, VALID, head);
    memset(big + head, 'x', size - head); /* a long last line of the body */
    big[size - 1] = '\n';
    write_file(dir, "delivered.tmpl", big, size);
    hf_rc rc;
    char *out = lint_output(dir, &rc);
    assert_string_equal(out, "");
    assert_int_equal(rc, HF_OK);
    free(out);

    big[size - 1] = 'x';
    big[size] = '\n';
    write_file(dir, "delivered.tmpl", big, size + 1);
    out = lint_output(dir, &rc);
    char *want = with_dir("DIR/delivered.tmpl:1:1: file is over the 64 KiB "
                          "limit\n",
                          dir);
    assert_string_equal(out, want);
    assert_int_equal(rc, HF_EPARSE);
    free(want);
    free(out);
    free(big);
    remove_dir(dir);
}

/* Writes a valid delivered.tmpl whose [sms] (line 8) is `sms`, lints, and
 * checks the output. */
static void check_sms(const char *dir, const char *sms, const char *expected)
{
    char text[8192];
    snprintf(text, sizeof(text), L1 L2 L3 L4 L5 L6 L7 "%s\n" L9 L10 L11 L12,
             sms);
    write_file(dir, "delivered.tmpl", text, strlen(text));
    hf_rc rc;
    char *out = lint_output(dir, &rc);
    char *want = with_dir(expected, dir);
    assert_string_equal(out, want);
    assert_int_equal(rc, expected[0] ? HF_EPARSE : HF_OK);
    free(want);
    free(out);
}

static void test_lint_sms_length(void **state)
{
    (void)state;
    char dir[4096];
    make_copy_dir(dir, sizeof(dir));
    /* characters, not bytes: 320 two-byte characters fit */
    char sms[4096] = "";
    for (int i = 0; i < HF_TEMPLATE_SMS_MAX; i++)
        strcat(sms, "\xC3\xA9");
    check_sms(dir, sms, "");
    strcat(sms, "e");
    check_sms(dir, sms,
              "DIR/delivered.tmpl:7:1: [sms] is 321 characters with sample "
              "values; the limit is 320\n");

    /* measured after rendering: short placeholders, long sample values */
    const char *url = hf_template_sample_value(NULL, "tracking_url");
    size_t reps = HF_TEMPLATE_SMS_MAX / strlen(url) + 1;
    assert_true(reps * strlen("{{tracking_url}}") < HF_TEMPLATE_SMS_MAX);
    sms[0] = '\0';
    for (size_t i = 0; i < reps; i++)
        strcat(sms, "{{tracking_url}}");
    char expected[256];
    snprintf(expected, sizeof(expected),
             "DIR/delivered.tmpl:7:1: [sms] is %zu characters with sample "
             "values; the limit is 320\n",
             reps * strlen(url));
    check_sms(dir, sms, expected);
    remove_dir(dir);
}

static void test_lint_unreadable_dir(void **state)
{
    (void)state;
    hf_rc rc;
    char *out = lint_output("/nonexistent/templates", &rc);
    assert_string_equal(out, "/nonexistent/templates: cannot read "
                             "directory: No such file or directory\n");
    assert_int_equal(rc, HF_EIO);
    free(out);
}

/* Every allocation of parse and render fails in turn: the result is
 * HF_ENOMEM and nothing leaks, until enough succeed. */
static void test_out_of_memory(void **state)
{
    (void)state;
    hf_rc rc = HF_ENOMEM;
    long k;
    for (k = 1; k < 1000; k++) {
        hf_template *t;
        hf_err err;
        hf_mem_fail_after(k);
        rc = hf_template_parse("t", VALID, strlen(VALID), NULL, NULL, &t, &err);
        hf_mem_fail_after(0);
        if (rc == HF_OK) {
            hf_template_free(t);
            break;
        }
        assert_int_equal(rc, HF_ENOMEM);
        assert_null(t);
        assert_int_equal(hf_mem_live() - baseline, 0);
    }
    assert_int_equal(rc, HF_OK);
    assert_true(k > 1);

    hf_template *t = parse_ok(VALID);
    hf_arena *a = hf_arena_new(0);
    char *out;
    hf_err err;
    hf_mem_fail_after(1);
    rc = hf_template_render(t, HF_TEMPLATE_EMAIL_TEXT, hf_template_sample_value,
                            NULL, a, &out, &err);
    hf_mem_fail_after(0);
    assert_int_equal(rc, HF_ENOMEM);
    hf_arena_free(a);
    hf_template_free(t);
}

/* --- The command --------------------------------------------------------- */

typedef struct ran {
    int status;
    char *out; /* what it printed on stdout; free() it */
    char *err; /* and on stderr */
} ran;

static ran run(int argc, char **argv)
{
    ran r;
    FILE *o = tmpfile(), *e = tmpfile();
    assert_non_null(o);
    assert_non_null(e);
    fflush(stdout);
    fflush(stderr);
    int so = dup(1), se = dup(2);
    dup2(fileno(o), 1);
    dup2(fileno(e), 2);
    r.status = hf_templates_command(argc, argv);
    fflush(stdout);
    fflush(stderr);
    dup2(so, 1);
    dup2(se, 2);
    close(so);
    close(se);
    fseek(o, 0, SEEK_END);
    fseek(e, 0, SEEK_END);
    r.out = slurp(o);
    r.err = slurp(e);
    fclose(o);
    fclose(e);
    return r;
}

static void ran_free(ran *r)
{
    free(r->out);
    free(r->err);
}

static void test_command_lint(void **state)
{
    (void)state;
    char dir[4096];
    snprintf(dir, sizeof(dir), "%s", templates_dir());
    char *ok[] = {"templates", "lint", dir};
    ran r = run(3, ok);
    assert_int_equal(r.status, 0);
    assert_string_equal(r.out, "13 templates OK\n");
    assert_string_equal(r.err, "");
    ran_free(&r);

    char copy[4096];
    make_copy_dir(copy, sizeof(copy));
    write_file(copy, "delivered.tmpl", "", 0);
    char *bad[] = {"templates", "lint", copy};
    r = run(3, bad);
    assert_int_equal(r.status, 1);
    assert_string_equal(r.out, "");
    char *want = with_dir("DIR/delivered.tmpl:1:1: empty file\n", copy);
    assert_string_equal(r.err, want);
    free(want);
    ran_free(&r);
    remove_dir(copy);

    char *extra[] = {"templates", "lint", dir, "more"};
    r = run(4, extra);
    assert_int_equal(r.status, 2);
    ran_free(&r);
}

static void test_command_render(void **state)
{
    (void)state;
    char dir[4096];
    snprintf(dir, sizeof(dir), "%s", templates_dir());
    char *one[] = {"templates", "render", "order_shipped", "inapp.title",
                   "--dir",     dir,      "--set",         "order.number=HF-7"};
    ran r = run(8, one);
    assert_int_equal(r.status, 0);
    assert_string_equal(r.out, "Order HF-7 has shipped\n");
    ran_free(&r);

    /* --set=KEY=VALUE; samples for the rest; html escaped */
    char *html[] = {"templates",
                    "render",
                    "delivered",
                    "email.html",
                    "--dir",
                    dir,
                    "--set=shipment.carrier=A&B"};
    r = run(7, html);
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "<p>A&amp;B delivered your order "
                                  "<strong>HF-100042</strong>"));
    ran_free(&r);

    /* without PART: every part under its section line */
    char path[4200];
    snprintf(path, sizeof(path), "%s/out_for_delivery.tmpl", dir);
    char *all[] = {"templates", "render", path};
    r = run(3, all);
    assert_int_equal(r.status, 0);
    const char *start = "[email.subject]\nYour Northwind Outfitters order "
                        "HF-100042 arrives today\n\n[email.text]\nHi ";
    assert_true(strncmp(r.out, start, strlen(start)) == 0);
    for (int p = 0; p < HF_TEMPLATE_PART_COUNT; p++) {
        char head[64];
        snprintf(head, sizeof(head), "[%s]\n",
                 hf_template_part_name((hf_template_part)p));
        assert_non_null(strstr(r.out, head));
    }
    ran_free(&r);

    char *unknown_key[] = {"templates", "render", "delivered", "--dir",
                           dir,         "--set",  "order.id=1"};
    r = run(7, unknown_key);
    assert_int_equal(r.status, 2);
    assert_non_null(strstr(r.err, "unknown placeholder order.id"));
    ran_free(&r);

    char *bad_part[] = {"templates", "render", "delivered", "email"};
    r = run(4, bad_part);
    assert_int_equal(r.status, 2);
    ran_free(&r);

    char *missing[] = {"templates", "render", "nothing", "--dir", dir};
    r = run(5, missing);
    assert_int_equal(r.status, 1);
    assert_non_null(strstr(r.err, "nothing.tmpl:1:1: cannot open: "));
    ran_free(&r);
}

static void test_command_usage(void **state)
{
    (void)state;
    char *none[] = {"templates"};
    ran r = run(1, none);
    assert_int_equal(r.status, 2);
    assert_non_null(strstr(r.err, "usage: holdfast templates lint"));
    ran_free(&r);

    char *help[] = {"templates", "--help"};
    r = run(2, help);
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "usage: holdfast templates lint"));
    ran_free(&r);

    char *what[] = {"templates", "frobnicate"};
    r = run(2, what);
    assert_int_equal(r.status, 2);
    ran_free(&r);

    char *list[] = {"templates", "placeholders"};
    r = run(2, list);
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "{{order.number}}\n    the order's human "
                                  "number\n    e.g. HF-100042\n"));
    ran_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_shipped_templates_lint_clean,
                                        note_live, check_leaks),
        cmocka_unit_test_setup_teardown(
            test_shipped_templates_render_with_samples, note_live, check_leaks),
        cmocka_unit_test_setup_teardown(test_tables_documented_and_sorted,
                                        note_live, check_leaks),
        cmocka_unit_test_setup_teardown(test_render_fills_values, note_live,
                                        check_leaks),
        cmocka_unit_test_setup_teardown(test_html_escaping_only_in_html,
                                        note_live, check_leaks),
        cmocka_unit_test_setup_teardown(test_one_line_parts_flatten_values,
                                        note_live, check_leaks),
        cmocka_unit_test_setup_teardown(test_render_missing_value_fails,
                                        note_live, check_leaks),
        cmocka_unit_test_setup_teardown(test_parse_reports_in_line_order,
                                        note_live, check_leaks),
        cmocka_unit_test_setup_teardown(test_parse_accepts_bom_and_spaces,
                                        note_live, check_leaks),
        cmocka_unit_test_setup_teardown(test_lint_reports_each_problem,
                                        note_live, check_leaks),
        cmocka_unit_test_setup_teardown(test_lint_file_size_cap, note_live,
                                        check_leaks),
        cmocka_unit_test_setup_teardown(test_lint_sms_length, note_live,
                                        check_leaks),
        cmocka_unit_test_setup_teardown(test_lint_unreadable_dir, note_live,
                                        check_leaks),
        cmocka_unit_test_setup_teardown(test_out_of_memory, note_live,
                                        check_leaks),
        cmocka_unit_test_setup_teardown(test_command_lint, note_live,
                                        check_leaks),
        cmocka_unit_test_setup_teardown(test_command_render, note_live,
                                        check_leaks),
        cmocka_unit_test_setup_teardown(test_command_usage, note_live,
                                        check_leaks),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
