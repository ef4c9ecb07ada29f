/*
 * static.c - the web UI's built files (web/dist), served beside the API.
 *
 * Written by hand rather than taken from a library: libmicrohttpd serves
 * a file descriptor directly, so what is left is choosing the file, its
 * type, and refusing anything outside the directory, all short.
 */
#include "http/static.h"
#include "util/mem.h"

#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum { MAX_URL_PATH = 1024 };

struct hf_static {
    char root[PATH_MAX]; /* the directory, resolved, without a final '/' */
};

/* File types by extension: what the built UI holds. */
static const struct {
    const char *ext;
    const char *type;
} types[] = {
    {".html", "text/html; charset=utf-8"},
    {".js", "text/javascript; charset=utf-8"},
    {".css", "text/css; charset=utf-8"},
    {".json", "application/json"},
    {".svg", "image/svg+xml"},
    {".png", "image/png"},
    {".ico", "image/x-icon"},
    {".woff2", "font/woff2"},
    {".txt", "text/plain; charset=utf-8"},
    {".map", "application/json"},
};

const char *hf_static_type(const char *path)
{
    const char *slash = strrchr(path, '/');
    const char *dot = strrchr(slash ? slash : path, '.');
    if (dot == NULL)
        return NULL;
    for (size_t i = 0; i < HF_ARRAY_LEN(types); i++)
        if (strcmp(dot, types[i].ext) == 0)
            return types[i].type;
    return "application/octet-stream";
}

hf_rc hf_static_open(const char *dir, hf_static **out, hf_err *err)
{
    hf_static *s = hf_calloc(1, sizeof(*s));
    if (s == NULL)
        return hf_fail(err, HF_ENOMEM, NULL, NULL, "out of memory");
    struct stat st;
    if (realpath(dir, s->root) == NULL || stat(s->root, &st) != 0 ||
        !S_ISDIR(st.st_mode)) {
        hf_free(s);
        return hf_fail(err, HF_ENOTFOUND, "no_web_dir", "web",
                       "the web UI directory %s does not exist (build it "
                       "with: cd web && npm ci && npx vite build)",
                       dir);
    }
    *out = s;
    return HF_OK;
}

void hf_static_free(hf_static *s)
{
    hf_free(s);
}

/* True when the URL path has no "." or ".." segment, no backslash and
 * no control character: nothing that could climb out of the root. */
static bool safe_path(const char *p)
{
    if (p[0] != '/' || strlen(p) >= MAX_URL_PATH)
        return false;
    for (const char *c = p; *c; c++)
        if ((unsigned char)*c < 0x20 || *c == '\\')
            return false;
    for (const char *seg = p + 1; seg != NULL;) {
        const char *end = strchr(seg, '/');
        size_t n = end ? (size_t)(end - seg) : strlen(seg);
        if ((n == 1 && seg[0] == '.') ||
            (n == 2 && seg[0] == '.' && seg[1] == '.'))
            return false;
        seg = end ? end + 1 : NULL;
    }
    return true;
}

/* Opens root + rel when it is a regular file that resolves inside root
 * (a symbolic link pointing out is refused). -1 otherwise. */
static int open_inside(const hf_static *s, const char *rel, size_t *size)
{
    char want[PATH_MAX], real[PATH_MAX];
    size_t root_len = strlen(s->root);
    if ((size_t)snprintf(want, sizeof(want), "%s%s", s->root, rel) >=
        sizeof(want))
        return -1;
    if (realpath(want, real) == NULL || strncmp(real, s->root, root_len) != 0 ||
        real[root_len] != '/')
        return -1;
    int fd = open(real, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (fd < 0)
        return -1;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return -1;
    }
    *size = (size_t)st.st_size;
    return fd;
}

/* The UI's own routes (web/src/main.js), answered with index.html; any
 * other path without an extension stays the API's 404. */
static bool client_route(const char *path)
{
    static const char *const exact[] = {"/", "/login", "/cx"};
    static const char *const prefixes[] = {"/orders/", "/surveys/", "/cx/"};
    for (size_t i = 0; i < HF_ARRAY_LEN(exact); i++)
        if (strcmp(path, exact[i]) == 0)
            return true;
    for (size_t i = 0; i < HF_ARRAY_LEN(prefixes); i++)
        if (strncmp(path, prefixes[i], strlen(prefixes[i])) == 0)
            return true;
    return false;
}

hf_rc hf_static_find(const hf_static *s, const char *path, hf_static_file *out,
                     hf_err *err)
{
    if (!safe_path(path))
        return hf_fail(err, HF_ENOTFOUND, "not_found", NULL, "no such file");
    const char *type = hf_static_type(path);
    bool route = client_route(path);
    if (type == NULL && !route)
        return hf_fail(err, HF_ENOTFOUND, "not_found", NULL,
                       "no such endpoint");
    const char *rel = route ? "/index.html" : path;
    size_t size = 0;
    int fd = open_inside(s, rel, &size);
    if (fd < 0)
        return hf_fail(err, HF_ENOTFOUND, "not_found", NULL, "no such file");
    *out = (hf_static_file){
        .fd = fd,
        .size = size,
        .content_type = route ? hf_static_type(rel) : type,
        /* Vite names built assets by their content: they never change */
        .immutable = strncmp(path, "/assets/", 8) == 0,
    };
    return HF_OK;
}
