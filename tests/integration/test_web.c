/*
 * test_web.c - serve answers the web UI's built files beside the API:
 * index.html for the UI's own routes, files with their type, and nothing
 * outside the directory, however the path is spelled.
 */
#include "harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static hf_test_server *ts;
static char root[256]; /* holds web/ (served) and secret.txt (not) */

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static int setup(void **state)
{
    (void)state;
    snprintf(root, sizeof root, "/tmp/holdfast-web-XXXXXX");
    if (mkdtemp(root) == NULL)
        return -1;
    char p[512], ini[600];
    snprintf(p, sizeof p, "%s/web", root);
    mkdir(p, 0755);
    snprintf(p, sizeof p, "%s/web/assets", root);
    mkdir(p, 0755);
    snprintf(p, sizeof p, "%s/web/index.html", root);
    write_file(p, "<!doctype html><title>ui</title>");
    snprintf(p, sizeof p, "%s/web/assets/app-1.js", root);
    write_file(p, "console.log(1)");
    snprintf(p, sizeof p, "%s/secret.txt", root);
    write_file(p, "do not serve");
    /* a link inside pointing out */
    char target[512];
    snprintf(target, sizeof target, "%s/secret.txt", root);
    snprintf(p, sizeof p, "%s/web/assets/leak.txt", root);
    if (symlink(target, p) != 0)
        return -1;
    snprintf(ini, sizeof ini,
             "[notify]\nenabled = false\n[web]\ndir = %s/web\n", root);
    ts = ts_start_with_config(ini);
    return ts ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    ts_free(ts);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
    return system(cmd) == 0 ? 0 : -1;
}

/* GETs path; asserts the status, and for 200 the Content-Type and that
 * the body starts with body_start. */
static void expect(const char *path, long status, const char *type,
                   const char *body_start)
{
    ts_response r;
    assert_int_equal(
        ts_request_raw(ts, "GET", path, NULL, NULL, NULL, 0, NULL, &r), 0);
    if (r.status != status)
        fprintf(stderr, "GET %s: %ld %s\n", path, r.status, r.body);
    assert_int_equal(r.status, status);
    if (status == 200) {
        char *ct = ts_header(&r, "Content-Type");
        assert_non_null(ct);
        assert_string_equal(ct, type);
        free(ct);
        assert_int_equal(strncmp(r.body, body_start, strlen(body_start)), 0);
    } else {
        assert_null(strstr(r.body, "do not serve"));
    }
    ts_response_free(&r);
}

static void test_files_and_routes(void **state)
{
    (void)state;
    const char *html = "text/html; charset=utf-8";
    expect("/", 200, html, "<!doctype html>");
    /* the UI's own routes answer index.html: the page routes itself */
    expect("/orders/HF-100042?t=abc", 200, html, "<!doctype html>");
    expect("/cx/dashboard", 200, html, "<!doctype html>");
    expect("/assets/app-1.js", 200, "text/javascript; charset=utf-8",
           "console.log");
    expect("/assets/missing.js", 404, NULL, NULL);
    /* the API is still the API */
    expect("/healthz", 200, "application/json", "{");
    expect("/v1/nothing-here", 404, NULL, NULL);
    /* only the UI's routes answer index.html */
    expect("/v2/orders", 404, NULL, NULL);
    expect("/login", 200, html, "<!doctype html>");
}

static void test_cache_headers(void **state)
{
    (void)state;
    ts_response r;
    assert_int_equal(ts_request_raw(ts, "GET", "/assets/app-1.js", NULL, NULL,
                                    NULL, 0, NULL, &r),
                     0);
    char *cc = ts_header(&r, "Cache-Control");
    assert_non_null(cc);
    assert_non_null(strstr(cc, "immutable"));
    free(cc);
    ts_response_free(&r);
    assert_int_equal(
        ts_request_raw(ts, "GET", "/cx/queue", NULL, NULL, NULL, 0, NULL, &r),
        0);
    cc = ts_header(&r, "Cache-Control");
    assert_non_null(cc);
    assert_string_equal(cc, "no-cache");
    free(cc);
    ts_response_free(&r);
}

static void test_no_path_traversal(void **state)
{
    (void)state;
    /* percent-encoded dots reach the server decoded: "../secret.txt" */
    expect("/%2e%2e/secret.txt", 404, NULL, NULL);
    expect("/assets/%2e%2e/%2e%2e/secret.txt", 404, NULL, NULL);
    expect("/assets/%2E%2E%2Fsecret.txt", 404, NULL, NULL);
    expect("/./index.html", 200, "text/html; charset=utf-8", "<!doctype");
    expect("/assets/..%5c..%5csecret.txt", 404, NULL, NULL);
    /* a symbolic link inside the directory that points outside it */
    expect("/assets/leak.txt", 404, NULL, NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_files_and_routes),
        cmocka_unit_test(test_cache_headers),
        cmocka_unit_test(test_no_path_traversal),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
