/* send.c - email over SMTP and SMS over HTTP, with libcurl. */
#include "connectors/send.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum { TIMEOUT_S = 10 };

/* Feeds a message to libcurl's upload. */
typedef struct upload {
    const char *data;
    size_t len, off;
} upload;

static size_t read_upload(char *buf, size_t size, size_t n, void *arg)
{
    upload *u = arg;
    size_t room = size * n, left = u->len - u->off;
    size_t k = left < room ? left : room;
    memcpy(buf, u->data + u->off, k);
    u->off += k;
    return k;
}

/* The address inside "Name <addr>", or the whole text. */
static void bare_address(const char *from, char *out, size_t size)
{
    const char *lt = strchr(from, '<'), *gt = lt ? strchr(lt, '>') : NULL;
    if (lt && gt && gt > lt + 1)
        snprintf(out, size, "<%.*s>", (int)(gt - lt - 1), lt + 1);
    else
        snprintf(out, size, "<%s>", from);
}

hf_rc hf_send_email(const char *url, const hf_email *e, hf_err *err)
{
    char date[64], boundary[64];
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S +0000", &tm);
    snprintf(boundary, sizeof(boundary), "hf-%s", e->message_id + 1);
    boundary[strcspn(boundary, "@>")] = '\0';
    /* a multipart/alternative message: text first, HTML preferred */
    const char *fmt = "Date: %s\r\nFrom: %s\r\nTo: <%s>\r\n"
                      "Message-ID: %s\r\nSubject: %s\r\nMIME-Version: 1.0\r\n"
                      "Content-Type: multipart/alternative; boundary=\"%s\"\r\n"
                      "\r\n--%s\r\nContent-Type: text/plain; charset=utf-8\r\n"
                      "Content-Transfer-Encoding: 8bit\r\n\r\n%s\r\n"
                      "--%s\r\nContent-Type: text/html; charset=utf-8\r\n"
                      "Content-Transfer-Encoding: 8bit\r\n\r\n%s\r\n--%s--\r\n";
    int n =
        snprintf(NULL, 0, fmt, date, e->from, e->to, e->message_id, e->subject,
                 boundary, boundary, e->text, boundary, e->html, boundary);
    char *msg = malloc((size_t)n + 1);
    if (msg == NULL)
        return hf_fail(err, HF_ENOMEM, NULL, NULL, "out of memory");
    snprintf(msg, (size_t)n + 1, fmt, date, e->from, e->to, e->message_id,
             e->subject, boundary, boundary, e->text, boundary, e->html,
             boundary);
    char from[256], to[320];
    bare_address(e->from, from, sizeof(from));
    snprintf(to, sizeof(to), "<%s>", e->to);
    CURL *h = curl_easy_init();
    struct curl_slist *rcpt = curl_slist_append(NULL, to);
    upload u = {msg, (size_t)n, 0};
    hf_rc rc = HF_OK;
    if (h == NULL || rcpt == NULL) {
        rc = hf_fail(err, HF_ENOMEM, NULL, NULL, "out of memory");
    } else {
        curl_easy_setopt(h, CURLOPT_URL, url);
        curl_easy_setopt(h, CURLOPT_MAIL_FROM, from);
        curl_easy_setopt(h, CURLOPT_MAIL_RCPT, rcpt);
        curl_easy_setopt(h, CURLOPT_READFUNCTION, read_upload);
        curl_easy_setopt(h, CURLOPT_READDATA, &u);
        curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
        curl_easy_setopt(h, CURLOPT_TIMEOUT, (long)TIMEOUT_S);
        curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
        CURLcode c = curl_easy_perform(h);
        if (c != CURLE_OK)
            rc = hf_fail(err, HF_EIO, "smtp_failed", NULL,
                         "SMTP to %s failed: %s", url, curl_easy_strerror(c));
    }
    curl_slist_free_all(rcpt);
    curl_easy_cleanup(h);
    free(msg);
    return rc;
}

static size_t discard(char *p, size_t size, size_t n, void *arg)
{
    (void)p;
    (void)arg;
    return size * n;
}

hf_rc hf_send_sms(const char *url, const char *account, const char *token,
                  const hf_sms *s, hf_err *err)
{
    CURL *h = curl_easy_init();
    if (h == NULL)
        return hf_fail(err, HF_ENOMEM, NULL, NULL, "out of memory");
    char *from = curl_easy_escape(h, s->from ? s->from : "", 0);
    char *to = curl_easy_escape(h, s->to, 0);
    char *body = curl_easy_escape(h, s->body, 0);
    char *form = NULL, key[160];
    struct curl_slist *headers = NULL;
    hf_rc rc = HF_OK;
    if (from && to && body) {
        size_t n = strlen(from) + strlen(to) + strlen(body) + 32;
        form = malloc(n);
        if (form)
            snprintf(form, n, "From=%s&To=%s&Body=%s", from, to, body);
    }
    snprintf(key, sizeof(key), "Idempotency-Key: %s", s->key);
    headers = curl_slist_append(NULL, key);
    if (form == NULL || headers == NULL) {
        rc = hf_fail(err, HF_ENOMEM, NULL, NULL, "out of memory");
    } else {
        curl_easy_setopt(h, CURLOPT_URL, url);
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, form);
        curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
        curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, discard);
        curl_easy_setopt(h, CURLOPT_TIMEOUT, (long)TIMEOUT_S);
        curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
        if (account != NULL) {
            curl_easy_setopt(h, CURLOPT_USERNAME, account);
            curl_easy_setopt(h, CURLOPT_PASSWORD, token ? token : "");
        }
        CURLcode c = curl_easy_perform(h);
        long status = 0;
        curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
        if (c != CURLE_OK)
            rc = hf_fail(err, HF_EIO, "sms_failed", NULL,
                         "SMS provider %s failed: %s", url,
                         curl_easy_strerror(c));
        else if (status < 200 || status > 299)
            rc = hf_fail(err, HF_EIO, "sms_failed", NULL,
                         "SMS provider %s answered %ld", url, status);
    }
    curl_slist_free_all(headers);
    free(form);
    curl_free(from);
    curl_free(to);
    curl_free(body);
    curl_easy_cleanup(h);
    return rc;
}
