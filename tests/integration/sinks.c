/*
 * sinks.c - starting the tests' message sinks and reading what they got.
 */
#include "sinks.h"
#include "harness.h"

#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

int ts_sinks_start(ts_sinks *s)
{
    memset(s, 0, sizeof(*s));
    snprintf(s->dir, sizeof s->dir, "/tmp/hf-sinks-XXXXXX");
    if (mkdtemp(s->dir) == NULL)
        return -1;
    int fds[2];
    if (pipe(fds) != 0)
        return -1;
    s->pid = fork();
    if (s->pid == 0) {
        dup2(fds[1], 1);
        close(fds[0]);
        char script[PATH_MAX];
        snprintf(script, sizeof script, "%s/sinks.py", HF_TEST_SOURCE_DIR);
        execl("/usr/bin/python3", "python3", script, s->dir, (char *)NULL);
        _exit(127);
    }
    close(fds[1]);
    char line[128] = "";
    FILE *f = fdopen(fds[0], "r");
    if (f == NULL || fgets(line, sizeof line, f) == NULL ||
        sscanf(line, "READY smtp=%d http=%d", &s->smtp, &s->http) != 2) {
        fprintf(stderr, "sinks did not start: %s\n", line);
        if (f)
            fclose(f);
        return -1;
    }
    fclose(f);
    return 0;
}

int ts_sinks_stop(ts_sinks *s)
{
    if (s->pid > 0) {
        kill(s->pid, SIGTERM);
        waitpid(s->pid, NULL, 0);
        s->pid = 0;
    }
    if (s->dir[0] == '\0')
        return 0;
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf %s", s->dir);
    return system(cmd) == 0 ? 0 : -1;
}

int ts_sinks_received(const ts_sinks *s, const char *kind, const char *needle,
                      char **texts, int max)
{
    DIR *d = opendir(s->dir);
    int n = 0;
    struct dirent *e;
    while (d && (e = readdir(d)) != NULL) {
        if (strncmp(e->d_name, kind, strlen(kind)) != 0 ||
            strstr(e->d_name, ".tmp") != NULL)
            continue;
        char path[600];
        snprintf(path, sizeof path, "%s/%s", s->dir, e->d_name);
        FILE *f = fopen(path, "r");
        if (f == NULL)
            continue;
        static char buf[65536];
        size_t len = fread(buf, 1, sizeof buf - 1, f);
        buf[len] = '\0';
        fclose(f);
        if (strstr(buf, needle) == NULL)
            continue;
        if (texts != NULL && n < max)
            texts[n] = strdup(buf);
        n++;
    }
    if (d)
        closedir(d);
    return n;
}

int ts_sinks_wait(const ts_sinks *s, const char *kind, const char *needle,
                  int want)
{
    int n = 0;
    for (int i = 0;
         i < 200 && (n = ts_sinks_received(s, kind, needle, NULL, 0)) < want;
         i++)
        ts_sleep_ms(50);
    return n;
}

char *ts_sinks_first(const ts_sinks *s, const char *kind, const char *needle)
{
    char *text[1] = {NULL};
    if (ts_sinks_wait(s, kind, needle, 1) < 1)
        return NULL;
    ts_sinks_received(s, kind, needle, text, 1);
    return text[0];
}
