/*
 * template.h - the texts of customer notifications: one file per
 * notification in templates/, edited by CX people, checked by
 * `holdfast templates lint`, rendered with values the notify service
 * supplies.
 *
 * The file format (templates/README.md says the same for editors):
 *
 *     # order_confirmed: sent when an order is placed and paid.
 *     [email.subject]
 *     Your {{shop.name}} order {{order.number}} is confirmed
 *
 *     [email.text]
 *     Hi {{customer.first_name}},
 *     ...
 *
 *     [email.html]
 *     <p>Hi {{customer.first_name}},</p>
 *
 *     [sms]
 *     {{shop.name}}: order {{order.number}} is confirmed.
 *
 *     [inapp.title]
 *     Order {{order.number}} confirmed
 *
 *     [inapp.body]
 *     Thanks for your order!
 *
 * - The file is UTF-8 (a leading byte-order mark is skipped), at most
 *   HF_TEMPLATE_MAX_FILE bytes. Line ends may be LF or CRLF.
 * - A line that is exactly `[name]` (no spaces inside the brackets;
 *   trailing spaces allowed) starts a section. The six sections are
 *   email.subject, email.text, email.html, sms, inapp.title and
 *   inapp.body; each must appear exactly once, in any order, and must not
 *   be empty. email.subject and inapp.title are one line.
 * - Before the first section only blank lines and comment lines (starting
 *   with '#') may appear. Inside a section every line is text, '#' too.
 * - A section's text is its lines up to the next section, without the
 *   blank lines at its start and end; line ends become "\n" and the last
 *   line has none.
 * - `{{name}}` (spaces inside the braces allowed) is replaced by a value;
 *   the name must be one of the known placeholders below and at most
 *   HF_TEMPLATE_MAX_PLACEHOLDER characters, and `}}` must close it on the
 *   same line. There is no way to write a literal "{{".
 * - Values are inserted as given, except that in email.html they are
 *   HTML-escaped (& < > " '), and in the one-line parts (email.subject,
 *   inapp.title) line breaks in a value become spaces.
 * - The SMS, rendered with every placeholder's sample value, must be at
 *   most HF_TEMPLATE_SMS_MAX characters (lint checks it; samples are
 *   realistic and on the long side).
 *
 * Problems are reported as (line, column), both from 1; the column counts
 * characters (UTF-8 code points), not bytes. A problem that belongs to
 * no line (a missing section, an empty file) is reported at 1:1.
 *
 * Written by hand rather than with a template library: Debian packages
 * no C Mustache implementation, and Mustache's rules are the wrong way
 * round here (it escapes everywhere unless told not to, has no notion of
 * per-channel parts, and cannot reject an unknown name with a line and
 * column). The format needs one scan per line.
 */
#ifndef HF_NOTIFY_TEMPLATE_H
#define HF_NOTIFY_TEMPLATE_H

#include "util/arena.h"
#include "util/hf.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#define HF_TEMPLATE_MAX_FILE (64 * 1024)     /* bytes in one file */
#define HF_TEMPLATE_MAX_PLACEHOLDER 64       /* chars in {{ name }} */
#define HF_TEMPLATE_SMS_MAX 320              /* chars of rendered SMS */
#define HF_TEMPLATE_MAX_OUTPUT (1024 * 1024) /* bytes of one render */
#define HF_TEMPLATE_EXT ".tmpl"              /* file name suffix */

/* The parts of a notification, one per section of its file. */
typedef enum hf_template_part {
    HF_TEMPLATE_EMAIL_SUBJECT, /* [email.subject], one line */
    HF_TEMPLATE_EMAIL_TEXT,    /* [email.text], the plain-text body */
    HF_TEMPLATE_EMAIL_HTML,    /* [email.html], values HTML-escaped */
    HF_TEMPLATE_SMS,           /* [sms], short text */
    HF_TEMPLATE_INAPP_TITLE,   /* [inapp.title], one line */
    HF_TEMPLATE_INAPP_BODY,    /* [inapp.body] */
    HF_TEMPLATE_PART_COUNT
} hf_template_part;

/* One parsed notification file. Opaque; owns its memory. */
typedef struct hf_template hf_template;

/* A row of the fixed table of placeholders a template may name. */
typedef struct hf_template_placeholder {
    const char *name;    /* "order.number", as written between the braces */
    const char *sample;  /* value lint and `templates render` use */
    const char *meaning; /* what the notify service puts there */
} hf_template_placeholder;

/* Returns the value of placeholder `name` (always one from the table), or
 * NULL when there is none, which fails the render. The string must stay
 * valid until the render returns. */
typedef const char *(*hf_template_lookup_fn)(void *ctx, const char *name);

/* Receives one problem found while reading a template: line and column
 * from 1, and a sentence without the position. */
typedef void (*hf_template_report_fn)(void *ctx, int line, int col,
                                      const char *message);

/* "email.subject" for HF_TEMPLATE_EMAIL_SUBJECT ...; NULL when out of
 * range. */
const char *hf_template_part_name(hf_template_part part);

/* Sets *out to the part named `name` ("sms"); false when there is none. */
bool hf_template_part_parse(const char *name, hf_template_part *out);

/* The table of known placeholders, sorted by name; *count gets its size. */
const hf_template_placeholder *hf_template_placeholders(size_t *count);

/* The row for `name`, or NULL when it is not a known placeholder. */
const hf_template_placeholder *hf_template_placeholder_find(const char *name);

/* A lookup function (ctx unused) that answers every known placeholder
 * with its sample value and anything else with NULL. */
const char *hf_template_sample_value(void *ctx, const char *name);

/* The i-th of the notifications holdfast sends ("order_confirmed" ...),
 * each of which needs templates/NAME.tmpl; NULL when i is past the end. */
const char *hf_template_notification(size_t i);

/* Parses the `len` bytes at `text` as template `name` (the notification,
 * e.g. "order_confirmed"). Every problem goes to report (which may be
 * NULL) and the first also into err as "NAME:LINE:COL: message".
 * On success *out is a template to free with hf_template_free(). Returns
 * HF_EPARSE when there was any problem, HF_ETOOBIG for more than
 * HF_TEMPLATE_MAX_FILE bytes, HF_ENOMEM; *out is then NULL. The caller
 * keeps `text`; the template copies what it needs. */
hf_rc hf_template_parse(const char *name, const char *text, size_t len,
                        hf_template_report_fn report, void *report_ctx,
                        hf_template **out, hf_err *err);

/* Reads the file at `path` and parses it as hf_template_parse() does,
 * naming the template after the file ("dir/delivered.tmpl" is
 * "delivered"). This is the only function here that reads a file.
 * Returns, besides hf_template_parse()'s codes, HF_EIO when the file
 * cannot be read (reported at 1:1 as well). */
hf_rc hf_template_load(const char *path, hf_template_report_fn report,
                       void *report_ctx, hf_template **out, hf_err *err);

/* Frees t and everything it owns; NULL is fine. */
void hf_template_free(hf_template *t);

/* The template's name, owned by t. */
const char *hf_template_name(const hf_template *t);

/* Renders one part of t, asking lookup(ctx, name) for each placeholder,
 * into a NUL-terminated string allocated from `arena` (*out; freed with
 * the arena). Values are HTML-escaped in HF_TEMPLATE_EMAIL_HTML only;
 * line breaks in values become spaces in the one-line parts. Returns
 * HF_EINVAL for a bad part, HF_ENOTFOUND when lookup returns NULL
 * (err->field names the placeholder), HF_ETOOBIG past
 * HF_TEMPLATE_MAX_OUTPUT bytes, HF_ENOMEM when the arena is exhausted. */
hf_rc hf_template_render(const hf_template *t, hf_template_part part,
                         hf_template_lookup_fn lookup, void *ctx,
                         hf_arena *arena, char **out, hf_err *err);

/* Checks every *.tmpl file in DIR: that it parses, that its SMS fits in
 * HF_TEMPLATE_SMS_MAX characters with sample values, that its name is a
 * known notification, and that every notification has a file. Writes
 * each problem to `out` as "DIR/FILE:LINE:COL: message\n", in file
 * order, then line order. Returns HF_OK when there is none, HF_EPARSE
 * when there is any, HF_EIO when DIR cannot be read (also written to
 * out), HF_ENOMEM. */
hf_rc hf_template_lint_dir(const char *dir, FILE *out);

/* The `holdfast templates` command. argv[0] is "templates" and argv[1]
 * the subcommand, as main() passes (argc - 1, argv + 1):
 *   lint [DIR]   problems to stderr, "N templates OK" to stdout
 *   render NAME [PART] [--dir DIR] [--set KEY=VALUE]...
 *                NAME is a notification in DIR (default "templates") or
 *                a path to a .tmpl file; placeholders not --set take
 *                their sample values; without PART every part is
 *                printed under its [section] line
 *   placeholders the table: name, sample value, meaning
 * Returns the exit status: 0 clean, 1 problems or failure, 2 usage. */
int hf_templates_command(int argc, char **argv);

/* The command's entry for `holdfast --help`, in main.c's style. */
#define HF_TEMPLATES_USAGE                                                     \
    "holdfast templates lint [DIR] | render NAME [PART] [--dir DIR]\n"         \
    "                   [--set KEY=VALUE]... | placeholders\n"                 \
    "  Checks the notification templates in DIR (default templates/),\n"       \
    "  prints one rendered with sample or given values, or lists the\n"        \
    "  placeholders a template may use.\n"

#endif
