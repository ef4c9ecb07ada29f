/*
 * describe.c - how a line was read, as one short phrase for `holdfast
 * policy explain`: "if accepts: apply_offer @set_discount_to_order",
 * "offer discount 10% then 15% @set_discount_to_order".
 */
#include "policy/line.h"

#include <stdio.h>
#include <string.h>

/* A bounded text being written; longer output is cut. */
typedef struct out {
    char buf[512];
    size_t n;
} out;

static void say(out *o, const char *fmt, const char *a, const char *b)
{
    if (o->n >= sizeof(o->buf) - 1)
        return;
    int w = snprintf(o->buf + o->n, sizeof(o->buf) - o->n, fmt, a, b);
    if (w > 0)
        o->n += (size_t)w < sizeof(o->buf) - o->n ? (size_t)w
                                                  : sizeof(o->buf) - o->n - 1;
}

static void say_tool(out *o, hf_tool_id t)
{
    if (t != HF_TOOL_COUNT)
        say(o, " @%s%s", hf_tool_get(t)->name, "");
}

static void say_offer(out *o, const hf_plan_offer *f)
{
    say(o, "offer %s%s", hf_offer_kind_name(f->kind), "");
    for (size_t i = 0; i < f->n_percents; i++) {
        char pct[16];
        snprintf(pct, sizeof(pct), "%d%%", f->percents[i]);
        say(o, "%s%s", i == 0 ? " " : " then ", pct);
    }
    if (f->valid_days > 0) {
        char days[32];
        snprintf(days, sizeof(days), " valid %d days", f->valid_days);
        say(o, "%s%s", days, "");
    }
    say_tool(o, f->tool);
}

static void say_action(out *o, const hf_plan_action *a)
{
    say(o, "%s%s", hf_action_kind_name(a->kind), "");
    say_tool(o, a->tool);
    if (a->ref != NULL)
        say(o, " per #%s%s", a->ref, "");
    if (a->message != NULL)
        say(o, " \"%.60s\"%s", a->message, "");
}

static void say_steps(out *o, const hf_line_reading *r)
{
    if (o->n > 0 && (r->kind != HF_LINE_BRANCH || r->rule) &&
        r->n_acts + r->n_offers > 0)
        say(o, "%s%s", "; ", "");
    for (size_t i = 0; i < r->n_acts; i++) {
        say(o, "%s%s", i > 0 ? ", " : "", "");
        say_action(o, &r->acts[i]);
    }
    for (size_t i = 0; i < r->n_offers; i++) {
        say(o, "%s%s", i > 0 || r->n_acts > 0 ? ", " : "", "");
        say_offer(o, &r->offers[i]);
    }
}

static void say_head(out *o, const hf_line_reading *r)
{
    switch (r->kind) {
    case HF_LINE_HEADING:
        say(o, "%s%s", "section",
            r->section ? ": accepts unless a line says otherwise" : "");
        break;
    case HF_LINE_TRIGGER:
        say(o, "applies when the customer wants to cancel%s%s",
            r->ref ? "; cancelling per #" : "", r->ref ? r->ref : "");
        break;
    case HF_LINE_BRANCH:
        say(o, "if %s%s", hf_branch_name(r->cond),
            r->n_acts + r->n_offers > 0 && !r->rule ? ": " : "");
        break;
    case HF_LINE_NOTE:
        say(o, "%s%s", "another system does this; no effect", "");
        break;
    case HF_LINE_UNKNOWN:
        say(o, "%s%s", "not understood", "");
        break;
    case HF_LINE_REMARK:
        say(o, "%s%s", "remark for people; no effect", "");
        break;
    default:
        break;
    }
}

const char *hf_line_describe(hf_arena *a, const hf_line_reading *r)
{
    out o = {.n = 0};
    o.buf[0] = '\0';
    say_head(&o, r);
    if (r->rule)
        say(&o, "%scancellable up to status %s", o.n > 0 ? "; " : "",
            hf_order_status_name(r->last));
    if (r->kind != HF_LINE_NOTE && r->kind != HF_LINE_HEADING &&
        r->kind != HF_LINE_REMARK)
        say_steps(&o, r);
    return hf_arena_strdup(a, o.buf);
}
