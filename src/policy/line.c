/*
 * line.c - one logical line of a policy, read on its own: its @tools,
 * #references and $context (checked), the concepts its words say
 * (lexicon.c), its figures ("10% or 15%", "valid for 60 days") and the
 * quoted message it gives, and from those its kind.
 */
#include "policy/line.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Most concept matches read from one line. */
#define MAX_MATCHES 64
/* Most tools one line names that are remembered for its steps. */
#define MAX_TOOLS 8

/* The marks of one line, as checked. */
typedef struct marks {
    hf_tool_id tools[MAX_TOOLS]; /* known tools named, in order */
    size_t tool_pos[MAX_TOOLS];  /* byte offset of each in the line */
    size_t n_tools;
} marks;

/* Where the line's steps and offers were said: token indexes. */
typedef struct places {
    size_t act_at[HF_ACT_COUNT];
    size_t offer_at[HF_OFFER_KIND_COUNT];
    size_t note_at; /* where another system's doing starts, or SIZE_MAX */
    size_t cond_at; /* where the condition kept is said, or SIZE_MAX */
} places;

/* --- Diagnostics and references ------------------------------------------ */

static bool diag(hf_line_ctx *lc, const hf_outline_line *l, size_t pos,
                 const char *fmt, const char *a, size_t alen, const char *b,
                 size_t blen)
{
    hf_plan *p = lc->plan;
    if (!hf_policy_grow(p->arena, (void **)&p->diags, p->n_diags,
                        &lc->cap_diags, sizeof(hf_policy_diag)))
        return false;
    hf_policy_diag *d = &p->diags[p->n_diags];
    hf_srcmap_pos(&lc->map, l->offs[pos < l->len ? pos : l->len - 1], &d->line,
                  &d->col);
    /* Names in messages are cut short: a diagnostic is one line. */
    d->message = hf_arena_printf(p->arena, fmt, (int)(alen > 80 ? 80 : alen), a,
                                 (int)(blen > 80 ? 80 : blen), b);
    p->n_diags += d->message != NULL;
    return d->message != NULL;
}

static bool name_known(const hf_line_ctx *lc, const char *s, size_t n)
{
    const char *own = lc->plan->name;
    if (strlen(own) == n && memcmp(own, s, n) == 0)
        return true;
    for (size_t i = 0; lc->env && i < lc->env->n_policies; i++) {
        const char *k = lc->env->policies[i];
        if (k != NULL && strlen(k) == n && memcmp(k, s, n) == 0)
            return true;
    }
    return false;
}

/* The plan's copy of reference s[0..n), added to plan->refs once. */
static const char *add_ref(hf_line_ctx *lc, const char *s, size_t n)
{
    hf_plan *p = lc->plan;
    for (size_t i = 0; i < p->n_refs; i++)
        if (strlen(p->refs[i]) == n && memcmp(p->refs[i], s, n) == 0)
            return p->refs[i];
    char *copy = hf_arena_strndup(p->arena, s, n);
    if (copy == NULL || !hf_policy_grow(p->arena, (void **)&p->refs, p->n_refs,
                                        &lc->cap_refs, sizeof(char *)))
        return NULL;
    p->refs[p->n_refs++] = copy;
    return copy;
}

/* --- @tool(arg: type, ...) ----------------------------------------------- */

static void trim(const char *t, size_t *from, size_t *to)
{
    while (*from < *to && (t[*from] == ' ' || t[*from] == '\t'))
        (*from)++;
    while (*to > *from && (t[*to - 1] == ' ' || t[*to - 1] == '\t'))
        (*to)--;
}

static const hf_tool_arg *tool_arg(const hf_tool_info *ti, const char *s,
                                   size_t n)
{
    for (size_t i = 0; i < ti->n_args; i++)
        if (strlen(ti->args[i].name) == n &&
            memcmp(ti->args[i].name, s, n) == 0)
            return &ti->args[i];
    return NULL;
}

/* Checks one "name: type" (or "name: \"text\"") of a tool's list. */
static bool check_arg(hf_line_ctx *lc, const hf_outline_line *l,
                      const hf_tool_info *ti, size_t from, size_t to)
{
    const char *t = l->text;
    trim(t, &from, &to);
    if (from == to)
        return true;
    const char *colon = memchr(t + from, ':', to - from);
    if (colon == NULL)
        return diag(lc, l, from, "expected name: type, not %.*s%.*s", t + from,
                    to - from, "", 0);
    size_t nend = (size_t)(colon - t), vfrom = nend + 1, nfrom = from;
    trim(t, &nfrom, &nend);
    trim(t, &vfrom, &to);
    const hf_tool_arg *arg = tool_arg(ti, t + nfrom, nend - nfrom);
    if (arg == NULL)
        return diag(lc, l, nfrom, "@%.*s takes no argument %.*s", ti->name,
                    strlen(ti->name), t + nfrom, nend - nfrom);
    hf_arg_type type;
    if (vfrom < to && (t[vfrom] == '"' || (unsigned char)t[vfrom] >= 0x80))
        return true; /* a value written out, not a type */
    if (!hf_arg_type_parse(t + vfrom, to - vfrom, &type))
        return diag(lc, l, vfrom, "unknown argument type %.*s%.*s", t + vfrom,
                    to - vfrom, "", 0);
    if (type != arg->type)
        return diag(lc, l, vfrom, "argument %.*s is a %.*s", arg->name,
                    strlen(arg->name), hf_arg_type_name(arg->type),
                    strlen(hf_arg_type_name(arg->type)));
    return true;
}

static bool check_args(hf_line_ctx *lc, const hf_outline_line *l,
                       const hf_sigil *s, const hf_tool_info *ti)
{
    if (s->unclosed)
        return diag(lc, l, s->args_pos - 1, "unclosed '(' after @%.*s%.*s",
                    s->name, s->name_len, "", 0);
    if (s->args_pos == 0)
        return true;
    size_t from = s->args_pos;
    for (size_t i = from; i <= s->args_end; i++)
        if (i == s->args_end || l->text[i] == ',') {
            if (!check_arg(lc, l, ti, from, i))
                return false;
            from = i + 1;
        }
    return true;
}

static bool check_mark(hf_line_ctx *lc, const hf_outline_line *l,
                       const hf_sigil *s, hf_line_reading *r, marks *m)
{
    if (s->kind == HF_SIGIL_CTX) {
        if (hf_policy_context_known(s->name, s->name_len))
            return true;
        return diag(lc, l, s->pos, "unknown context value $%.*s%.*s", s->name,
                    s->name_len, "", 0);
    }
    if (s->kind == HF_SIGIL_REF) {
        const char *ref = add_ref(lc, s->name, s->name_len);
        if (ref == NULL)
            return false;
        if (r->ref == NULL)
            r->ref = ref;
        if (name_known(lc, s->name, s->name_len))
            return true;
        return diag(lc, l, s->pos, "unresolved reference #%.*s%.*s", s->name,
                    s->name_len, "", 0);
    }
    const hf_tool_info *ti = hf_tool_lookup(s->name, s->name_len);
    if (ti == NULL)
        return diag(lc, l, s->pos, "unknown tool @%.*s%.*s", s->name,
                    s->name_len, "", 0);
    if (m->n_tools < MAX_TOOLS) {
        m->tool_pos[m->n_tools] = s->pos;
        m->tools[m->n_tools++] = ti->id;
    }
    return check_args(lc, l, s, ti);
}

/* --- Concepts ------------------------------------------------------------ */

/* Adds action kind k (first seen at token pos) unless the line has it. */
static void note_act(hf_line_reading *r, hf_action_kind k, size_t pos,
                     size_t *where)
{
    for (size_t i = 0; i < r->n_acts; i++)
        if (r->acts[i].kind == k)
            return;
    size_t i = r->n_acts++;
    while (i > 0 && where[i - 1] > pos) { /* keep the order written */
        r->acts[i] = r->acts[i - 1];
        where[i] = where[i - 1];
        i--;
    }
    r->acts[i] = (hf_plan_action){.kind = k, .tool = HF_TOOL_COUNT};
    where[i] = pos;
}

static void note_offer(hf_line_reading *r, hf_offer_kind k, size_t pos,
                       size_t *where)
{
    for (size_t i = 0; i < r->n_offers; i++)
        if (r->offers[i].kind == k)
            return;
    size_t i = r->n_offers++;
    while (i > 0 && where[i - 1] > pos) {
        r->offers[i] = r->offers[i - 1];
        where[i] = where[i - 1];
        i--;
    }
    r->offers[i] = (hf_plan_offer){.kind = k, .tool = HF_TOOL_COUNT};
    where[i] = pos;
}

/* Fills r from the concepts found, and where each was said into at. */
static void read_matches(hf_line_reading *r, const hf_match *m, size_t n,
                         places *at)
{
    size_t *act_at = at->act_at, *offer_at = at->offer_at;
    for (size_t i = 0; i < n; i++) {
        const hf_concept *c = m[i].concept;
        switch (c->role) {
        case HF_ROLE_NOTE:
            r->note = true;
            if (m[i].first < at->note_at)
                at->note_at = m[i].first;
            break;
        case HF_ROLE_RULE:
            r->rule = true;
            r->last = (hf_order_status)c->value;
            break;
        case HF_ROLE_CONDITION: /* the one written first */
            if (m[i].first < at->cond_at) {
                r->cond = (hf_branch)c->value;
                at->cond_at = m[i].first;
            }
            break;
        case HF_ROLE_TRIGGER:
            r->trigger = true;
            break;
        case HF_ROLE_SECTION:
            r->section = true;
            break;
        case HF_ROLE_ACTION:
            note_act(r, (hf_action_kind)c->value, m[i].first, act_at);
            break;
        case HF_ROLE_OFFER:
            note_offer(r, (hf_offer_kind)c->value, m[i].first, offer_at);
            break;
        case HF_ROLE_OFFERS:
            break;
        case HF_ROLE_REMARK:
            r->remark = true;
            break;
        }
    }
}

/* Drops the steps and offers said from where another system's doing
 * starts: "apply the offer and notify them; Gladly will also send an
 * email" keeps apply and notify, not the email. */
static void drop_after_note(hf_line_reading *r, places *at)
{
    size_t k = 0;
    for (size_t i = 0; i < r->n_acts; i++)
        if (at->act_at[i] < at->note_at) {
            at->act_at[k] = at->act_at[i];
            r->acts[k++] = r->acts[i];
        }
    r->n_acts = k;
    k = 0;
    for (size_t i = 0; i < r->n_offers; i++)
        if (at->offer_at[i] < at->note_at) {
            at->offer_at[k] = at->offer_at[i];
            r->offers[k++] = r->offers[i];
        }
    r->n_offers = k;
}

/* --- Figures ------------------------------------------------------------- */

/* True when token t[i] is one of words. */
static bool word_is(const hf_token *t, size_t n, size_t i,
                    const char *const *words, size_t n_words)
{
    for (size_t k = 0; i < n && k < n_words; k++)
        if (strcmp(t[i].raw, words[k]) == 0)
            return true;
    return false;
}

/* The value of a number written in digits or as a word ("two months",
 * "ten percent"); 0 when t is neither. */
static int number_of(const hf_token *t)
{
    static const char *const words[] = {
        "one",     "two",       "three",    "four",     "five",
        "six",     "seven",     "eight",    "nine",     "ten",
        "eleven",  "twelve",    "thirteen", "fourteen", "fifteen",
        "sixteen", "seventeen", "eighteen", "nineteen", "twenty"};
    static const struct {
        const char *w;
        int v;
    } tens[] = {{"thirty", 30}, {"forty", 40},   {"fifty", 50},
                {"sixty", 60},  {"seventy", 70}, {"eighty", 80},
                {"ninety", 90}, {"hundred", 100}};
    if (t->raw[0] >= '0' && t->raw[0] <= '9')
        return strlen(t->raw) > 3 ? 0 : atoi(t->raw);
    for (size_t i = 0; i < HF_ARRAY_LEN(words); i++)
        if (strcmp(t->raw, words[i]) == 0)
            return (int)i + 1;
    for (size_t i = 0; i < HF_ARRAY_LEN(tens); i++)
        if (strcmp(t->raw, tens[i].w) == 0)
            return tens[i].v;
    return 0;
}

static bool is_number(const hf_token *t)
{
    return number_of(t) > 0;
}

static int days_of(const hf_token *t, size_t n, size_t i, int v);

/* True when the number at t[i] is a percentage: "10%", "10 or 15 percent",
 * "first 10%, then 15%", or a later rung said bare after one: "10% off,
 * bump it to 15" (not "up to 30 days"). */
static bool is_percent(const hf_token *t, size_t n, size_t i)
{
    static const char *const rungs[] = {"to", "or", "then"};
    bool rung = false;
    for (size_t k = 0; i > 0 && k < HF_ARRAY_LEN(rungs); k++)
        rung |= strcmp(t[i - 1].raw, rungs[k]) == 0;
    for (size_t j = 0; rung && j + 1 < i; j++)
        if (is_number(&t[j]) && strcmp(t[j + 1].raw, "percent") == 0 &&
            days_of(t, n, i, 1) == 0)
            return true;
    static const char *const links[] = {"or",    "and",  "then", "to",
                                        "first", "next", "later"};
    for (size_t j = i + 1; j < n && j < i + 8; j++) {
        if (strcmp(t[j].raw, "percent") == 0 || strcmp(t[j].raw, "pct") == 0)
            return true;
        bool link = is_number(&t[j]);
        for (size_t k = 0; k < HF_ARRAY_LEN(links) && !link; k++)
            link = strcmp(t[j].raw, links[k]) == 0;
        if (!link)
            return false;
    }
    return false;
}

static int days_of(const hf_token *t, size_t n, size_t i, int v)
{
    if (i + 1 >= n)
        return 0;
    const char *u = t[i + 1].stem;
    return strcmp(u, "day") == 0     ? v
           : strcmp(u, "week") == 0  ? v * 7
           : strcmp(u, "month") == 0 ? v * 30
                                     : 0;
}

/* The discount or coupon offer of r nearest to token i, or NULL. */
static hf_plan_offer *nearest(hf_line_reading *r, const size_t *at, size_t i,
                              hf_offer_kind want)
{
    hf_plan_offer *best = NULL;
    size_t best_d = (size_t)-1;
    for (size_t k = 0; k < r->n_offers; k++) {
        hf_offer_kind kind = r->offers[k].kind;
        if ((want != HF_OFFER_NONE && kind != want) ||
            (kind != HF_OFFER_DISCOUNT && kind != HF_OFFER_COUPON))
            continue;
        size_t d = at[k] > i ? at[k] - i : i - at[k];
        if (d < best_d) {
            best = &r->offers[k];
            best_d = d;
        }
    }
    return best;
}

static void add_percent(hf_plan_offer *o, int v)
{
    for (size_t k = 0; k < o->n_percents; k++)
        if (o->percents[k] == v)
            return;
    if (o->n_percents < HF_PLAN_LADDER_MAX)
        o->percents[o->n_percents++] = v;
}

/* A figure the plan cannot hold: where it is written and why. */
typedef struct bad_figure {
    const char *why; /* a format with one %.*s for the figure, or NULL */
    size_t from, to; /* byte range of the figure in the line */
} bad_figure;

/* True when t[i] (digits) has a decimal part right after it: "12.5". */
static bool has_decimals(const char *text, const hf_token *t, size_t n,
                         size_t i)
{
    size_t end = t[i].pos + strlen(t[i].raw);
    return i + 1 < n && t[i].raw[0] >= '0' && t[i].raw[0] <= '9' &&
           (text[end] == '.' || text[end] == ',') && t[i + 1].pos == end + 1 &&
           t[i + 1].raw[0] >= '0' && t[i + 1].raw[0] <= '9';
}

/* The start of the amount of money t[i] gives as an offer ("£10 off",
 * "$10 off", "a 10 euro voucher", "a coupon worth 10 dollars", "a tenner
 * off"), or SIZE_MAX when it is none ("orders over $50" offers no
 * amount); *to gets its end. */
static size_t amount_at(const char *text, const hf_token *t, size_t n, size_t i,
                        size_t *to)
{
    static const char *const slang[] = {"tenner", "fiver", "quid", "bucks"};
    static const char *const signs[] = {"\xC2\xA3", "\xE2\x82\xAC",
                                        "\xC2\xA5"}; /* £ € ¥ */
    static const char *const units[] = {"pound", "dollar", "euro", "quid",
                                        "buck",  "usd",    "gbp",  "eur"};
    static const char *const after[] = {"off",     "coupon",   "coupons",
                                        "voucher", "vouchers", "discount",
                                        "credit",  "gift"};
    static const char *const before[] = {"worth", "of"};
    size_t first = i, last = i, from = t[i].pos;
    if (word_is(t, n, i, slang, HF_ARRAY_LEN(slang))) {
    } else if (number_of(&t[i]) == 0) {
        return SIZE_MAX;
    } else if (t[i].pos > 0 && text[t[i].pos - 1] == '$') {
        from = t[i].pos - 1;
    } else if (i > 0 && word_is(t, n, i - 1, signs, HF_ARRAY_LEN(signs)) &&
               t[i - 1].pos + strlen(t[i - 1].raw) == t[i].pos) {
        first = i - 1;
        from = t[i - 1].pos;
    } else {
        bool unit = false;
        for (size_t k = 0; i + 1 < n && k < HF_ARRAY_LEN(units); k++)
            unit |= strcmp(t[i + 1].stem, units[k]) == 0;
        if (!unit)
            return SIZE_MAX;
        last = i + 1;
    }
    *to = t[last].pos + strlen(t[last].raw);
    bool offered =
        word_is(t, n, last + 1, after, HF_ARRAY_LEN(after)) ||
        (first > 0 && word_is(t, n, first - 1, before, HF_ARRAY_LEN(before)));
    return offered ? from : SIZE_MAX;
}

/* True when the figure t[i] is said as a further rung: "go up to 15%",
 * "then 15%", "offer 15%". */
static bool rung_word_before(const hf_token *t, size_t n, size_t i)
{
    static const char *const words[] = {"to", "then", "offer", "give"};
    return i > 0 && !t[i].brk &&
           word_is(t, n, i - 1, words, HF_ARRAY_LEN(words));
}

/* Reads the line's percentages and validity into its offers. A line that
 * names no offer and no step but gives rungs ("If they turn that down, go
 * up to 15%") continues the plan's last discount or coupon. A decimal
 * percentage or an amount of money for a discount or coupon is reported
 * in *bad. */
static void read_figures(const hf_line_ctx *lc, const char *text,
                         hf_line_reading *r, const hf_token *t, size_t n,
                         size_t *offer_at, bad_figure *bad)
{
    int bare[HF_PLAN_LADDER_MAX];
    size_t n_bare = 0, bare_at = 0;
    bool rung = false; /* a bare percentage is said as a further rung */
    for (size_t i = 0; i < n; i++) {
        int v = number_of(&t[i]);
        size_t to, money = amount_at(text, t, n, i, &to);
        if (money != SIZE_MAX && nearest(r, offer_at, i, HF_OFFER_NONE)) {
            *bad = (bad_figure){"a discount is a percentage, not an amount: "
                                "%.*s%.*s",
                                money, to};
            return;
        }
        if (v == 0)
            continue;
        if (has_decimals(text, t, n, i) && is_percent(t, n, i + 1)) {
            *bad = (bad_figure){"a percentage is a whole number, not %.*s%.*s",
                                t[i].pos, t[i + 1].pos + strlen(t[i + 1].raw)};
            return;
        }
        hf_plan_offer *o;
        if (v >= 1 && v <= 100 && is_percent(t, n, i) &&
            (o = nearest(r, offer_at, i, HF_OFFER_NONE)) != NULL)
            add_percent(o, v);
        else if (v >= 1 && v <= 100 && is_percent(t, n, i) &&
                 n_bare < HF_PLAN_LADDER_MAX) {
            rung |= rung_word_before(t, n, i);
            bare_at = n_bare == 0 ? i : bare_at;
            bare[n_bare++] = v;
        } else if (days_of(t, n, i, v) > 0 &&
                   (o = nearest(r, offer_at, i, HF_OFFER_COUPON)) != NULL)
            o->valid_days = days_of(t, n, i, v);
    }
    const hf_plan *p = lc->plan;
    const hf_plan_offer *last = p->n_offers ? &p->offers[p->n_offers - 1] : 0;
    if (!rung || r->n_offers > 0 || r->n_acts > 0 || last == NULL ||
        (last->kind != HF_OFFER_DISCOUNT && last->kind != HF_OFFER_COUPON) ||
        (r->cond != HF_BRANCH_COUNT && r->cond != HF_BRANCH_DECLINES))
        return;
    note_offer(r, last->kind, bare_at, offer_at);
    for (size_t k = 0; k < n_bare; k++)
        add_percent(&r->offers[0], bare[k]);
    r->continues = true;
}

/* --- Tools, messages, kind ----------------------------------------------- */

/* The tool of m that does action k, or HF_TOOL_COUNT. Applying an offer
 * takes the accepted offer's own tool, so the tools that line lists are
 * checked but not kept. */
static hf_tool_id tool_for_act(const marks *m, hf_action_kind k)
{
    static const hf_tool_id by_act[HF_ACT_COUNT] = {
        [HF_ACT_LOOKUP_ORDER] = HF_TOOL_ORDER_DETAILS,
        [HF_ACT_PRESENT_OFFERS] = HF_TOOL_COUNT,
        [HF_ACT_APPLY_OFFER] = HF_TOOL_COUNT,
        [HF_ACT_NOTIFY] = HF_TOOL_SEND_MESSAGE,
        [HF_ACT_THANK] = HF_TOOL_COUNT,
        [HF_ACT_CANCEL] = HF_TOOL_CANCEL_ORDER,
        [HF_ACT_RELEASE_STOCK] = HF_TOOL_COUNT,
        [HF_ACT_REFUND] = HF_TOOL_COUNT,
        [HF_ACT_SEND_SURVEY] = HF_TOOL_COUNT,
        [HF_ACT_OFFER_RETURN] = HF_TOOL_COUNT,
        [HF_ACT_ROUTE_AGENT] = HF_TOOL_ROUTE_TO_AGENT,
    };
    for (size_t i = 0; i < m->n_tools; i++)
        if (m->tools[i] == by_act[k] && by_act[k] != HF_TOOL_COUNT)
            return m->tools[i];
    return HF_TOOL_COUNT;
}

/* The index of the token at byte pos of the line (a tool's "@"). */
static size_t token_at(const hf_token *t, size_t n, size_t pos)
{
    size_t i = 0;
    while (i + 1 < n && t[i].pos < pos)
        i++;
    return i;
}

/* What a line that names tools but says nothing else means: each tool's
 * own step (offer tools: the offer, or applying it under a condition). */
static void tools_alone(hf_line_reading *r, const marks *m, const hf_token *t,
                        size_t n, places *at)
{
    static const hf_action_kind by_tool[HF_TOOL_COUNT] = {
        [HF_TOOL_ORDER_DETAILS] = HF_ACT_LOOKUP_ORDER,
        [HF_TOOL_SEND_MESSAGE] = HF_ACT_NOTIFY,
        [HF_TOOL_CANCEL_ORDER] = HF_ACT_CANCEL,
        [HF_TOOL_ROUTE_TO_AGENT] = HF_ACT_ROUTE_AGENT,
    };
    for (size_t i = 0; i < m->n_tools; i++) {
        hf_offer_kind k = hf_tool_get(m->tools[i])->applies;
        size_t pos = token_at(t, n, m->tool_pos[i]);
        if (k != HF_OFFER_NONE && r->cond == HF_BRANCH_COUNT)
            note_offer(r, k, pos, at->offer_at);
        else if (k != HF_OFFER_NONE)
            note_act(r, HF_ACT_APPLY_OFFER, pos, at->act_at);
        else
            note_act(r, by_tool[m->tools[i]], pos, at->act_at);
    }
}

/* The first quoted text of the line ("..." or curly quotes), or NULL. */
static const char *quoted(hf_arena *a, const char *t, size_t n)
{
    const char *open = "\"", *close = "\"";
    const char *s = memchr(t, '"', n);
    const char *curly = strstr(t, "\xE2\x80\x9C");
    if (curly != NULL && (s == NULL || curly < s)) {
        s = curly;
        open = "\xE2\x80\x9C";
        close = "\xE2\x80\x9D";
    }
    if (s == NULL)
        return NULL;
    s += strlen(open);
    const char *e = strstr(s, close);
    return e != NULL && e > s ? hf_arena_strndup(a, s, (size_t)(e - s)) : NULL;
}

/* Sets tools, references and the message on r's steps and offers. */
static void attach(hf_line_ctx *lc, const hf_outline_line *l,
                   hf_line_reading *r, const marks *m)
{
    for (size_t i = 0; i < r->n_acts; i++) {
        hf_plan_action *a = &r->acts[i];
        a->tool = tool_for_act(m, a->kind);
        a->line = l->line;
        a->ref = a->kind == HF_ACT_CANCEL ? r->ref : NULL;
        if (a->kind == HF_ACT_NOTIFY)
            a->message = quoted(lc->plan->arena, l->text, l->len);
    }
    for (size_t i = 0; i < r->n_offers; i++) {
        hf_plan_offer *o = &r->offers[i];
        const hf_tool_info *own = hf_tool_for_offer(o->kind);
        o->tool = own ? own->id : HF_TOOL_COUNT;
        for (size_t k = 0; k < m->n_tools; k++)
            if (hf_tool_get(m->tools[k])->applies == o->kind) {
                o->tool = m->tools[k];
                break;
            }
        o->line = l->line;
    }
}

static bool is_label(const hf_outline_line *l)
{
    return l->heading || l->header || l->text[l->len - 1] == ':';
}

/* Decides the line's kind, dropping what the kind does not carry; words
 * is how many words the line has, tools how many tools it names. */
static void decide(const hf_outline_line *l, hf_line_reading *r, size_t words,
                   size_t tools)
{
    bool only_present =
        r->n_acts == 1 && r->acts[0].kind == HF_ACT_PRESENT_OFFERS;
    r->label = is_label(l) && !r->note;
    /* A line written all in bold ("**How it goes from there**") is a label
     * unless it gives steps or ends a sentence: "**Offer a pony.**" is
     * still a line to understand. */
    char end = l->text[l->len - 1];
    if (l->bold && r->cond == HF_BRANCH_COUNT && r->n_acts == 0 &&
        r->n_offers == 0 && end != '.' && end != '!' && end != '?')
        r->label = true;
    /* A bold title of one or two words ("**Escalation**", "**Next
     * steps**") is a label even when its noun names a step. */
    if (l->bold && words <= 2 && tools == 0 && end != '.' && end != '!' &&
        end != '?')
        r->label = true;
    /* The cancelling a trigger line names ("before we hand them over to
     * the #X") is the policy that cancels, not a step of this one. */
    if (r->trigger && r->cond == HF_BRANCH_COUNT) {
        size_t k = 0;
        for (size_t i = 0; i < r->n_acts; i++)
            if (r->acts[i].kind != HF_ACT_CANCEL)
                r->acts[k++] = r->acts[i];
        r->n_acts = k;
    }
    /* A condition on a line that only names offers says when the offer
     * suits ("15% if they decline the first" is the ladder; "free express
     * shipping for a customer who is worried about timing"): the offers
     * are made in the order listed, so it is an offer line. */
    if (r->n_offers > 0 && r->n_acts == 0 && !r->label) {
        /* "15% off if they say no to that" under the 10% line: more rungs
         * of the same offer */
        r->continues |= r->cond == HF_BRANCH_DECLINES;
        r->cond = HF_BRANCH_COUNT;
    }
    if (l->header) /* the names of a table's columns */
        r->cond = HF_BRANCH_COUNT;
    if (r->label) {
        r->n_acts = 0;
        r->n_offers = 0;
    } else if (r->n_offers > 0 && only_present) {
        r->n_acts = 0;
    } else if (r->n_acts > 0) {
        r->n_offers = 0;
    }
    r->kind = r->cond != HF_BRANCH_COUNT                      ? HF_LINE_BRANCH
              : r->note && r->n_acts == 0 && r->n_offers == 0 ? HF_LINE_NOTE
              : r->trigger                                    ? HF_LINE_TRIGGER
              : r->label                                      ? HF_LINE_HEADING
              : r->rule                                       ? HF_LINE_RULE
              : r->n_acts > 0                                 ? HF_LINE_ACTION
              : r->n_offers > 0                               ? HF_LINE_OFFER
              : r->remark                                     ? HF_LINE_REMARK
                                                              : HF_LINE_UNKNOWN;
}

/* True when the line states a condition the lexicon cannot place: it opens
 * with "if", "should", "in case" or "in the event" (not "if needed") yet
 * no condition was read, or it says "unless", which no branch expresses.
 * Read as steps, such a line would run them always. */
static bool unread_condition(hf_line_reading *r, const hf_token *t, size_t n,
                             size_t cond_at)
{
    /* a condition read, even one an offer line drops ("If they turn that
     * down, go up to 15%"), is no unread one */
    bool read = cond_at != SIZE_MAX;
    static const char *const openers[] = {"if", "should"};
    static const char *const in[] = {"case", "cases", "event"};
    static const char *const hedges[] = {"needed",      "necessary",
                                         "possible",    "applicable",
                                         "appropriate", "required"};
    /* "Unless they accept (an offer), cancel" is the declines branch; no
     * other condition has an "unless" the plan can say. */
    for (size_t i = 0; i < n; i++) {
        if (strcmp(t[i].raw, "unless") != 0)
            continue;
        if (r->cond != HF_BRANCH_ACCEPTS || cond_at != i)
            return true;
        r->cond = HF_BRANCH_DECLINES;
    }
    if (read || r->trigger || n == 0)
        return false;
    bool opens = word_is(t, n, 0, openers, HF_ARRAY_LEN(openers)) ||
                 (strcmp(t[0].raw, "in") == 0 &&
                  (word_is(t, n, 1, in, HF_ARRAY_LEN(in)) ||
                   word_is(t, n, 2, in, HF_ARRAY_LEN(in))));
    return opens && !word_is(t, n, 1, hedges, HF_ARRAY_LEN(hedges));
}

/* True when a step of the line is said with a negation before it in its
 * clause ("Do not refund the shipping", "Never cancel an order without
 * offering first", "Cancel without a refund"): read as the step, it
 * would be taken. */
static bool negated_step(const hf_token *t, const hf_match *m, size_t n)
{
    static const char *const nots[] = {"not",     "dont", "never",    "no",
                                       "without", "nor",  "doesnt",   "wont",
                                       "cannot",  "cant", "shouldnt", "mustnt"};
    for (size_t i = 0; i < n; i++) {
        if (m[i].concept->role != HF_ROLE_ACTION)
            continue;
        for (size_t back = 1; back <= 3 && back <= m[i].first; back++) {
            size_t j = m[i].first - back;
            if (t[j + 1].brk)
                break;
            if (!t[j].claimed &&
                word_is(t, m[i].first, j, nots, HF_ARRAY_LEN(nots)))
                return true;
        }
    }
    return false;
}

/* The branch an "Otherwise", "Else" or "If not" at the start of the line
 * stands for: the other side of the condition before it (accepts and
 * declines; not eligible: the always branch). HF_BRANCH_COUNT when the
 * line does not open so; *unread when it does but has no other side. */
static hf_branch otherwise(const hf_line_ctx *lc, const hf_token *t, size_t n,
                           bool *unread)
{
    static const char *const opens[] = {"otherwise", "else"};
    *unread = false;
    bool if_not = n >= 2 && strcmp(t[0].raw, "if") == 0 &&
                  strcmp(t[1].raw, "not") == 0 && (n == 2 || t[2].brk);
    if (!if_not && !word_is(t, n, 0, opens, HF_ARRAY_LEN(opens)))
        return HF_BRANCH_COUNT;
    switch (lc->last_cond) {
    case HF_BRANCH_ACCEPTS:
        return HF_BRANCH_DECLINES;
    case HF_BRANCH_DECLINES:
        return HF_BRANCH_ACCEPTS;
    case HF_BRANCH_NOT_ELIGIBLE:
        return HF_BRANCH_ALWAYS;
    default:
        *unread = true;
        return HF_BRANCH_COUNT;
    }
}

/* True when the line is written as an instruction: after "please",
 * "always", "never" and the like it starts with a step's verb or a
 * condition ("Offer them a pony", "Never cancel without ...", "If they
 * ask, ..."). Prose for people starts otherwise ("The discount tool
 * never goes above ...", "Be warm and brief"). */
static bool instruction_shaped(const hf_token *t, size_t n)
{
    static const char *const fillers[] = {
        "please",  "always", "also",  "then", "first", "just", "and",
        "finally", "next",   "never", "do",   "dont",  "now",  "immediately"};
    static const char *const verbs[] = {
        "offer",   "give",   "apply",     "cancel",   "refund",   "release",
        "restock", "send",   "notify",    "tell",     "inform",   "email",
        "message", "thank",  "ask",       "route",    "escalate", "transfer",
        "hand",    "pass",   "forward",   "present",  "propose",  "suggest",
        "provide", "issue",  "upgrade",   "swap",     "exchange", "confirm",
        "check",   "look",   "proceed",   "process",  "void",     "reimburse",
        "close",   "call",   "promise",   "mention",  "explain",  "if",
        "should",  "unless", "otherwise", "discount", "credit",   "waive"};
    size_t i = 0;
    while (i < n && word_is(t, n, i, fillers, HF_ARRAY_LEN(fillers)))
        i++;
    return word_is(t, n, i, verbs, HF_ARRAY_LEN(verbs));
}

/* True when t names prose for people: one of its words says so and every
 * other is a small word. */
static bool remark_words(const hf_token *t, size_t n)
{
    static const char *const words[] = {
        "note",      "notes", "purpose",      "background", "context",
        "tone",      "voice", "style",        "overview",   "summary",
        "rationale", "about", "introduction", "intro",      "aim",
        "aims",      "goal",  "goals",        "remarks",    "comments",
        "fyi",       "why",   "principles"};
    static const char *const small[] = {
        "a",        "an",        "the",        "and",   "of",      "for",
        "on",       "to",        "this",       "these", "policy",  "playbook",
        "page",     "our",       "we",         "do",    "it",      "general",
        "internal", "important", "additional", "extra", "further", "agents",
        "team",     "staff",     "editors",    "some",  "few",     "key",
        "quick",    "is",        "what",       "s"};
    bool named = false;
    for (size_t i = 0; i < n; i++) {
        if (word_is(t, n, i, words, HF_ARRAY_LEN(words)))
            named = true;
        else if (!word_is(t, n, i, small, HF_ARRAY_LEN(small)))
            return false;
    }
    return named;
}

/* True when label r names a section of prose for people ("Purpose",
 * "Notes for agents", "Tone of voice", "Background", "Why we do this"):
 * one of its words says so and every other is a small word ("Offers and
 * notes" is not one). */
static bool names_remarks(const hf_outline_line *l, const hf_line_reading *r,
                          const hf_token *t, size_t n, const hf_match *m,
                          size_t n_m)
{
    if (!r->label || l->header || r->cond != HF_BRANCH_COUNT || r->section ||
        r->trigger)
        return false;
    for (size_t i = 0; i < n_m; i++)
        if (m[i].concept->role != HF_ROLE_REMARK)
            return false;
    return remark_words(t, n);
}

/* How many tokens of the line come before a run-in label of prose for
 * people ("**Purpose:** This playbook exists ...", "_Why we do this:_ a
 * cancelled order ..."): a colon within the first six words, with only a
 * remark word and small words before it, and words after it. 0: none. */
static size_t run_in_remark(const hf_outline_line *l, const hf_token *t,
                            size_t n)
{
    const char *colon = memchr(l->text, ':', l->len);
    if (colon == NULL)
        return 0;
    size_t k = 0;
    while (k < n && t[k].pos < (size_t)(colon - l->text))
        k++;
    return k > 0 && k <= 6 && k < n && remark_words(t, k) ? k : 0;
}

/* Makes r a remark, keeping the diagnostics of its marks only (the plan
 * had keep before the line was read); a line written as an instruction
 * is reported as one under label instead. */
static hf_rc make_remark(hf_line_ctx *lc, const hf_outline_line *l,
                         hf_line_reading *r, size_t keep, const char *label,
                         size_t label_len)
{
    lc->plan->n_diags = keep + r->mark_diags;
    r->cond = HF_BRANCH_COUNT;
    r->n_acts = 0;
    r->n_offers = 0;
    r->rule = r->trigger = r->section = r->continues = false;
    r->kind = r->instruction ? HF_LINE_UNKNOWN : HF_LINE_REMARK;
    if (!r->instruction)
        return HF_OK;
    return diag(lc, l, 0,
                "an instruction under \"%.*s\" is not a step; move it to the "
                "steps%.*s",
                label, label_len, "", 0)
               ? HF_OK
               : HF_ENOMEM;
}

/* How many words t has (marks and quotes are not words). */
static size_t count_words(const hf_token *t, size_t n)
{
    size_t w = 0;
    for (size_t i = 0; i < n; i++)
        w += t[i].raw[1] != '\0' || (t[i].raw[0] != '@' && t[i].raw[0] != '#' &&
                                     t[i].raw[0] != '$' && t[i].raw[0] != '"');
    return w;
}

hf_rc hf_line_read(hf_line_ctx *lc, const hf_outline_line *l,
                   hf_line_reading *r)
{
    *r = (hf_line_reading){.cond = HF_BRANCH_COUNT};
    hf_sigil *sg;
    size_t n_sg, n_tok;
    places at = {.note_at = SIZE_MAX, .cond_at = SIZE_MAX};
    hf_token *tok;
    marks m = {.n_tools = 0};
    hf_match *found = hf_arena_alloc(lc->scratch, MAX_MATCHES * sizeof(*found));
    if (found == NULL ||
        hf_policy_sigils(lc->scratch, l->text, l->len, &sg, &n_sg) != HF_OK)
        return HF_ENOMEM;
    size_t before = lc->plan->n_diags;
    for (size_t i = 0; i < n_sg; i++)
        if (!check_mark(lc, l, &sg[i], r, &m))
            return HF_ENOMEM;
    r->mark_diags = lc->plan->n_diags - before;
    if (hf_lexicon_tokenize(lc->lx, lc->scratch, l->text, l->len, sg, n_sg,
                            &tok, &n_tok) != HF_OK)
        return HF_ENOMEM;
    size_t n = hf_lexicon_match(lc->lx, tok, n_tok, found, MAX_MATCHES);
    read_matches(r, found, n, &at);
    bool no_other_side;
    hf_branch other = otherwise(lc, tok, n_tok, &no_other_side);
    if (r->cond == HF_BRANCH_COUNT && other != HF_BRANCH_COUNT) {
        r->cond = other;
        at.cond_at = 0;
    }
    if (r->n_acts == 0 && r->n_offers == 0 && !r->trigger && !r->rule)
        tools_alone(r, &m, tok, n_tok, &at);
    drop_after_note(r, &at);
    bad_figure bad = {NULL, 0, 0};
    read_figures(lc, l->text, r, tok, n_tok, at.offer_at, &bad);
    attach(lc, l, r, &m);
    decide(l, r, count_words(tok, n_tok), m.n_tools);
    size_t run_in = run_in_remark(l, tok, n_tok);
    r->instruction = instruction_shaped(tok + run_in, n_tok - run_in);
    r->remark_label = names_remarks(l, r, tok, n_tok, found, n);
    if (run_in > 0 && !r->label) {
        r->remark_label = true;
        r->run_in = tok[run_in].pos - 1;
        return make_remark(lc, l, r, before, l->text, r->run_in);
    }
    if (bad.why != NULL) {
        r->kind = HF_LINE_UNKNOWN;
        r->cond = HF_BRANCH_COUNT;
        r->n_acts = 0;
        r->n_offers = 0;
        return diag(lc, l, bad.from, bad.why, l->text + bad.from,
                    bad.to - bad.from, "", 0)
                   ? HF_OK
                   : HF_ENOMEM;
    }
    const char *why = NULL;
    if (no_other_side && r->cond == HF_BRANCH_COUNT)
        why = "cannot understand the condition";
    else if (r->kind != HF_LINE_UNKNOWN &&
             unread_condition(r, tok, n_tok, at.cond_at))
        why = "cannot understand the condition";
    else if (r->kind != HF_LINE_UNKNOWN && negated_step(tok, found, n))
        why = "cannot take a step it is told not to take";
    if (why != NULL) {
        r->kind = HF_LINE_UNKNOWN;
        r->cond = HF_BRANCH_COUNT;
        r->n_acts = 0;
        r->n_offers = 0;
        return diag(lc, l, 0, "%.*s%.*s", why, strlen(why), "", 0) ? HF_OK
                                                                   : HF_ENOMEM;
    }
    if (r->kind == HF_LINE_UNKNOWN &&
        !diag(lc, l, 0, "cannot understand this line%.*s%.*s", "", 0, "", 0))
        return HF_ENOMEM;
    return HF_OK;
}

hf_rc hf_line_remark(hf_line_ctx *lc, const hf_outline_line *l,
                     hf_line_reading *r, size_t diags_before, const char *label)
{
    return make_remark(lc, l, r, diags_before, label, strlen(label));
}

bool hf_line_trigger_more(hf_line_ctx *lc, hf_line_reading *r,
                          size_t diags_before)
{
    for (size_t i = 0; i < r->n_acts; i++)
        if (r->acts[i].kind != HF_ACT_CANCEL)
            return false;
    if (r->ref == NULL || r->cond != HF_BRANCH_COUNT || r->n_offers > 0 ||
        r->label || r->rule)
        return false;
    lc->plan->n_diags = diags_before + r->mark_diags;
    r->n_acts = 0;
    r->trigger = true;
    r->kind = HF_LINE_TRIGGER;
    return true;
}
