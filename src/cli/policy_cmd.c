/*
 * policy_cmd.c - `holdfast policy lint|explain|test`.
 *
 * lint and explain read policy files, compile them (policy/plan.h) and
 * print what came out. A policy's name is its file name without ".md";
 * the names a '#' reference may resolve to are every *.md beside the file
 * plus the other files named on the command line. `policy test` belongs
 * to policy_test.c.
 */
#include "cli/commands.h"
#include "policy/plan.h"
#include "util/mem.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The names '#' may resolve to, collected from directories and files. */
typedef struct names {
    char **v;
    size_t n, cap;
} names;

static void names_free(names *ns)
{
    for (size_t i = 0; i < ns->n; i++)
        hf_free(ns->v[i]);
    hf_free(ns->v);
    *ns = (names){NULL, 0, 0};
}

/* Adds the policy name of path (base name without ".md"); false when out
 * of memory. Names that are already there are skipped. */
static bool names_add(names *ns, const char *path)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    size_t n = strlen(base);
    if (n > 3 && strcmp(base + n - 3, ".md") == 0)
        n -= 3;
    for (size_t i = 0; i < ns->n; i++)
        if (strlen(ns->v[i]) == n && memcmp(ns->v[i], base, n) == 0)
            return true;
    if (ns->n == ns->cap) {
        size_t cap = ns->cap ? ns->cap * 2 : 16;
        char **v = hf_realloc(ns->v, cap * sizeof(*v));
        if (v == NULL)
            return false;
        ns->v = v;
        ns->cap = cap;
    }
    char *copy = hf_malloc(n + 1);
    if (copy == NULL)
        return false;
    memcpy(copy, base, n);
    copy[n] = '\0';
    ns->v[ns->n++] = copy;
    return true;
}

/* Adds every *.md of the directory that holds path. */
static bool names_add_dir(names *ns, const char *path)
{
    const char *slash = strrchr(path, '/');
    char dir[4096];
    snprintf(dir, sizeof(dir), "%.*s", slash ? (int)(slash - path) : 1,
             slash ? path : ".");
    if (slash == path)
        snprintf(dir, sizeof(dir), "/");
    DIR *d = opendir(dir);
    if (d == NULL)
        return true; /* the file itself will say what is wrong */
    bool ok = true;
    struct dirent *e;
    while (ok && (e = readdir(d)) != NULL) {
        size_t n = strlen(e->d_name);
        if (n > 3 && strcmp(e->d_name + n - 3, ".md") == 0)
            ok = names_add(ns, e->d_name);
    }
    closedir(d);
    return ok;
}

/* Reads path whole into *buf (hf_malloc, NUL-terminated). Prints
 * "path: reason" and returns false when it cannot. */
static bool slurp(const char *path, char **buf, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        fprintf(stderr, "%s: %s\n", path, strerror(errno));
        return false;
    }
    char *b = hf_malloc(HF_POLICY_MAX_BYTES + 2);
    size_t n = b ? fread(b, 1, HF_POLICY_MAX_BYTES + 1, f) : 0;
    bool err = b == NULL || ferror(f);
    fclose(f);
    if (err || n > HF_POLICY_MAX_BYTES) {
        fprintf(stderr, "%s: %s\n", path,
                b == NULL ? "out of memory"
                : err     ? "read error (is it a directory?)"
                          : "too big (a policy is at most 256 KiB)");
        hf_free(b);
        return false;
    }
    b[n] = '\0';
    *buf = b;
    *len = n;
    return true;
}

/* Compiles the policy at path; prints why not and returns NULL on error.
 * *text gets the source (hf_free it) when text is not NULL. */
static hf_plan *compile_file(const char *path, const names *ns, char **text,
                             size_t *len)
{
    char *buf, name[256];
    size_t n;
    if (!slurp(path, &buf, &n))
        return NULL;
    const char *base = strrchr(path, '/');
    snprintf(name, sizeof(name), "%s", base ? base + 1 : path);
    size_t nl = strlen(name);
    if (nl > 3 && strcmp(name + nl - 3, ".md") == 0)
        name[nl - 3] = '\0';
    hf_policy_env env = {(const char *const *)ns->v, ns->n};
    hf_plan *p = NULL;
    hf_rc rc = hf_policy_compile(name, buf, n, &env, &p);
    if (rc != HF_OK)
        fprintf(stderr, "%s: %s\n", path, hf_rc_name(rc));
    if (text != NULL && rc == HF_OK) {
        *text = buf;
        *len = n;
    } else {
        hf_free(buf);
    }
    return p;
}

static void print_diags(FILE *to, const char *path, const hf_plan *p)
{
    for (size_t i = 0; i < p->n_diags; i++)
        fprintf(to, "%s:%d:%d: %s\n", path, p->diags[i].line, p->diags[i].col,
                p->diags[i].message);
}

static bool collect_names(names *ns, int n, char **files)
{
    for (int i = 0; i < n; i++)
        if (!names_add_dir(ns, files[i]) || !names_add(ns, files[i]))
            return false;
    return true;
}

static int lint(int n, char **files)
{
    names ns = {NULL, 0, 0};
    if (!collect_names(&ns, n, files)) {
        names_free(&ns);
        fputs("holdfast policy lint: out of memory\n", stderr);
        return 1;
    }
    int bad = 0;
    for (int i = 0; i < n; i++) {
        hf_plan *p = compile_file(files[i], &ns, NULL, NULL);
        if (p == NULL) {
            bad++;
            continue;
        }
        print_diags(stderr, files[i], p);
        bad += p->n_diags > 0;
        hf_plan_free(p);
    }
    names_free(&ns);
    if (bad == 0)
        fprintf(stderr, "%d %s OK\n", n, n == 1 ? "policy" : "policies");
    return bad > 0;
}

/* --- explain ------------------------------------------------------------- */

static void explain_line(const hf_plan_line *l)
{
    char pos[32], branch[32];
    snprintf(pos, sizeof(pos), "%d:%d", l->line, l->col);
    snprintf(branch, sizeof(branch), "[%s]", hf_branch_name(l->branch));
    printf("%-8s %-8s %-14s %s  |  %s\n", pos, hf_line_kind_name(l->kind),
           branch, l->reading, l->text);
}

/* Every non-blank source line, with the plan lines that start on it. */
static void explain_lines(const hf_plan *p, const char *text, size_t len)
{
    size_t k = 0;
    int lineno = 1;
    for (size_t i = 0; i <= len; lineno++) {
        size_t end = i;
        bool blank = true;
        for (; end < len && text[end] != '\n'; end++)
            if (strchr(" \t\r", text[end]) == NULL)
                blank = false;
        bool shown = false;
        while (k < p->n_lines && p->lines[k].line == lineno) {
            explain_line(&p->lines[k++]);
            shown = true;
        }
        if (!blank && !shown)
            printf("%-8d %-8s %-14s %s\n", lineno, "-", "",
                   "(continues the line above, or code/HTML: not read)");
        i = end + 1;
    }
}

static void explain_actions(const hf_plan *p, hf_branch b)
{
    if (p->n_actions[b] == 0)
        return;
    printf("  if %s:\n", hf_branch_name(b));
    for (size_t i = 0; i < p->n_actions[b]; i++) {
        const hf_plan_action *a = &p->actions[b][i];
        printf("    %zu. %s", i + 1, hf_action_kind_name(a->kind));
        if (a->tool != HF_TOOL_COUNT)
            printf(" @%s", hf_tool_get(a->tool)->name);
        if (a->ref != NULL)
            printf(" per #%s", a->ref);
        if (a->message != NULL)
            printf(" \"%s\"", a->message);
        printf("  (line %d)\n", a->line);
    }
}

static void explain_offers(const hf_plan *p)
{
    printf("  offers, in the order made:%s\n", p->n_offers ? "" : " none");
    for (size_t i = 0; i < p->n_offers; i++) {
        const hf_plan_offer *o = &p->offers[i];
        printf("    %zu. %s", i + 1, hf_offer_kind_name(o->kind));
        for (size_t k = 0; k < o->n_percents; k++)
            printf("%s%d%%", k ? " then " : " ", o->percents[k]);
        if (o->valid_days > 0)
            printf(", valid %d days", o->valid_days);
        if (o->tool != HF_TOOL_COUNT)
            printf(" @%s", hf_tool_get(o->tool)->name);
        printf("  (line %d)\n", o->line);
    }
}

static void explain_plan(const hf_plan *p)
{
    printf("\nplan %s\n", p->name);
    if (p->has_cancel_window)
        printf("  cancellable up to status %s\n",
               hf_order_status_name(p->last_cancellable));
    if (p->cancel_policy != NULL)
        printf("  cancels per #%s\n", p->cancel_policy);
    explain_offers(p);
    for (int b = 0; b < HF_BRANCH_COUNT; b++)
        explain_actions(p, (hf_branch)b);
    for (size_t i = 0; i < p->n_refs; i++)
        printf("%s#%s", i ? ", " : "  references: ", p->refs[i]);
    if (p->n_refs > 0)
        printf("\n");
}

static int explain(const char *path)
{
    names ns = {NULL, 0, 0};
    char *text = NULL;
    size_t len = 0;
    hf_plan *p = NULL;
    if (collect_names(&ns, 1, (char **)&path))
        p = compile_file(path, &ns, &text, &len);
    names_free(&ns);
    if (p == NULL)
        return 1;
    printf("%-8s %-8s %-14s %s  |  %s\n", "LINE:COL", "KIND", "[BRANCH]",
           "READING", "TEXT");
    explain_lines(p, text, len);
    explain_plan(p);
    if (p->n_diags > 0) {
        printf("\nproblems:\n");
        print_diags(stdout, path, p);
    }
    int status = p->n_diags > 0;
    hf_plan_free(p);
    hf_free(text);
    return status;
}

/* argv[0] is "policy". */
int hf_policy_command(int argc, char **argv)
{
    const char *sub = argc > 1 ? argv[1] : NULL;
    if (sub != NULL && strcmp(sub, "test") == 0)
        return hf_policy_test_command(argc - 1, argv + 1);
    if (sub != NULL && (strcmp(sub, "--help") == 0 || strcmp(sub, "-h") == 0 ||
                        strcmp(sub, "help") == 0)) {
        fputs(HF_POLICY_USAGE, stdout);
        return 0;
    }
    if (sub != NULL && strcmp(sub, "lint") == 0 && argc > 2)
        return lint(argc - 2, argv + 2);
    if (sub != NULL && strcmp(sub, "explain") == 0 && argc == 3)
        return explain(argv[2]);
    fputs(HF_POLICY_USAGE, stderr);
    return 2;
}
