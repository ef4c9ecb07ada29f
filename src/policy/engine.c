/*
 * engine.c - one conversation turn: from what the customer said and what
 * the plan says, to a reply, tool calls and the next state.
 *
 * The plan decides what is offered (its offers, in the order written,
 * each kept only where the engine's guards allow it) and what each branch
 * does. The engine holds the rules no policy may override: an order that
 * can no longer be cancelled is never offered a cancellation; a customer
 * who declines or insists is cancelled without another round of offers
 * (a discount ladder gets one counter-offer, and only on a plain "no");
 * an unclear message never leads to anything that cannot be undone.
 */
#include "policy/engine.h"

#include "util/jsonw.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

static const char *const phase_names[HF_PHASE_COUNT] = {
    "start", "offering", "not_eligible", "closed"};
static const char *const outcome_names[HF_OUTCOME_COUNT] = {
    "open", "retained", "cancelled", "escalated"};

const char *hf_phase_name(hf_phase p)
{
    return (unsigned)p < HF_PHASE_COUNT ? phase_names[p] : "start";
}

const char *hf_outcome_name(hf_outcome o)
{
    return (unsigned)o < HF_OUTCOME_COUNT ? outcome_names[o] : "open";
}

void hf_engine_state_init(hf_convo_state *st)
{
    memset(st, 0, sizeof(*st));
}

/* --- Building a turn ------------------------------------------------------ */

/* A turn under construction. */
typedef struct turn_builder {
    const hf_engine_input *in;
    hf_arena *a;
    hf_turn *out;
    size_t cap_calls;
    bool oom;
    bool confirmed; /* the customer said yes to "shall I cancel?" */
} turn_builder;

static void add_call(turn_builder *b, hf_tool_id tool, const char *args)
{
    if (b->out->n_calls == b->cap_calls) {
        size_t cap = b->cap_calls ? b->cap_calls * 2 : 4;
        hf_tool_call *calls = hf_arena_alloc(b->a, cap * sizeof(*calls));
        if (calls == NULL) {
            b->oom = true;
            return;
        }
        if (b->out->n_calls)
            memcpy(calls, b->out->calls, b->out->n_calls * sizeof(*calls));
        b->out->calls = calls;
        b->cap_calls = cap;
    }
    b->out->calls[b->out->n_calls++] = (hf_tool_call){tool, args ? args : "{}"};
}

static void decide(turn_builder *b, const char *decision, const char *why,
                   int line)
{
    b->out->decision = decision;
    b->out->why = why;
    b->out->plan_line = line;
}

/* Sets the reply from a printf format. */
static void say(turn_builder *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void say(turn_builder *b, const char *fmt, ...)
{
    char buf[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    b->out->reply = hf_arena_strdup(b->a, buf);
    if (b->out->reply == NULL)
        b->oom = true;
}

/* The first action of kind k on branch br of p; NULL if none. */
static const hf_plan_action *find_action(const hf_plan *p, hf_branch br,
                                         hf_action_kind k)
{
    if (p == NULL)
        return NULL;
    for (size_t i = 0; i < p->n_actions[br]; i++)
        if (p->actions[br][i].kind == k)
            return &p->actions[br][i];
    return NULL;
}

static int action_line(const hf_plan_action *act)
{
    return act ? act->line : 0;
}

/* The value of context path p[0..len): the turn's extras first, then the
 * caller's values (the last of equal paths wins); NULL when unknown. */
static const char *ctx_lookup(const hf_engine_input *in,
                              const hf_ctx_value *extra, size_t n_extra,
                              const char *p, size_t len)
{
    const char *value = NULL;
    for (size_t i = 0; i < in->n_ctx; i++)
        if (strlen(in->ctx[i].path) == len &&
            memcmp(in->ctx[i].path, p, len) == 0)
            value = in->ctx[i].value;
    for (size_t i = 0; value == NULL && i < n_extra; i++)
        if (strlen(extra[i].path) == len && memcmp(extra[i].path, p, len) == 0)
            value = extra[i].value;
    return value;
}

/* Replaces each $path in text with its context value; unknown paths stay
 * as written. */
static const char *render(const hf_engine_input *in, const char *text,
                          const hf_ctx_value *extra, size_t n_extra,
                          hf_arena *a)
{
    char out[1024];
    size_t n = 0;
    for (const char *p = text; *p && n + 1 < sizeof(out);) {
        size_t len = 0;
        if (*p == '$')
            while (p[1 + len] && (p[1 + len] == '.' || p[1 + len] == '_' ||
                                  (p[1 + len] >= 'a' && p[1 + len] <= 'z') ||
                                  (p[1 + len] >= 'A' && p[1 + len] <= 'Z') ||
                                  (p[1 + len] >= '0' && p[1 + len] <= '9')))
                len++;
        while (len > 0 && p[len] == '.') /* a sentence's full stop */
            len--;
        const char *value =
            len ? ctx_lookup(in, extra, n_extra, p + 1, len) : NULL;
        if (value == NULL) {
            out[n++] = *p++;
            continue;
        }
        size_t vlen = strlen(value);
        if (n + vlen >= sizeof(out))
            break;
        memcpy(out + n, value, vlen);
        n += vlen;
        p += 1 + len;
    }
    out[n] = '\0';
    return hf_arena_strdup(a, out);
}

/* --- Offers --------------------------------------------------------------- */

const char *hf_offer_describe(const hf_offer *o, hf_arena *a)
{
    switch (o->kind) {
    case HF_OFFER_DISCOUNT:
        return hf_arena_printf(a, "%d%% off this order", o->percent);
    case HF_OFFER_SHIPPING_UPGRADE:
        return hf_arena_strdup(a, "a free upgrade to expedited shipping");
    case HF_OFFER_SWAP:
        return hf_arena_printf(a, "a swap to %s at no extra cost", o->name);
    case HF_OFFER_COUPON:
        return hf_arena_printf(a,
                               "a %d%% coupon for your next order (valid "
                               "%d days)",
                               o->percent, o->valid_days);
    default:
        return hf_arena_strdup(a, "an offer");
    }
}

/* True when percent off the order keeps it within the merchant's ceiling
 * and above what the goods cost. */
static bool discount_allowed(const hf_order_facts *f, int percent)
{
    if (percent <= 0 || percent > 100)
        return false;
    if (f->max_discount_percent > 0 && percent > f->max_discount_percent)
        return false;
    hf_minor off = f->subtotal * percent / 100;
    return f->subtotal - f->discount - off >= f->cost;
}

/* The index of the first allowed rung of the ladder at or after from; -1
 * when none. */
static int allowed_rung(const hf_order_facts *f, const hf_plan_offer *po,
                        int from)
{
    for (int i = from; i < (int)po->n_percents; i++)
        if (discount_allowed(f, po->percents[i]))
            return i;
    return -1;
}

/* Fills o from the plan's offer po, or returns false when the guards or
 * the order rule it out. */
static bool make_offer(const hf_engine_input *in, const hf_plan_offer *po,
                       int rung, hf_offer *o)
{
    const hf_order_facts *f = in->facts;
    memset(o, 0, sizeof(*o));
    o->kind = po->kind;
    switch (po->kind) {
    case HF_OFFER_DISCOUNT: {
        int r = po->n_percents ? allowed_rung(f, po, rung) : -1;
        if (po->n_percents == 0 && rung == 0 &&
            discount_allowed(f, f->max_discount_percent))
            o->percent = f->max_discount_percent;
        else if (r < 0)
            return false;
        else
            o->percent = po->percents[r];
        snprintf(o->id, sizeof(o->id), "discount-%d", o->percent);
        return true;
    }
    case HF_OFFER_SHIPPING_UPGRADE:
        snprintf(o->id, sizeof(o->id), "shipping-upgrade");
        return !f->expedited;
    case HF_OFFER_SWAP:
        if (f->swap_sku == NULL)
            return false;
        snprintf(o->id, sizeof(o->id), "swap-%.40s", f->swap_sku);
        snprintf(o->sku, sizeof(o->sku), "%s", f->swap_sku);
        snprintf(o->name, sizeof(o->name), "%s",
                 f->swap_name ? f->swap_name : f->swap_sku);
        snprintf(o->from_sku, sizeof(o->from_sku), "%s",
                 f->swap_from ? f->swap_from : "");
        return true;
    case HF_OFFER_COUPON:
        o->percent = po->n_percents ? po->percents[0] : 10;
        o->valid_days = po->valid_days ? po->valid_days : f->coupon_days;
        if (o->valid_days <= 0)
            o->valid_days = 90;
        snprintf(o->id, sizeof(o->id), "coupon-%d", o->percent);
        return o->percent > 0 && o->percent <= 100;
    default:
        return false;
    }
}

/* Puts the plan's offers that may be made on the table, the discount at
 * ladder rung st->rung. */
static void table_offers(const hf_engine_input *in, hf_convo_state *st)
{
    st->n_offers = 0;
    if (in->facts->offer_taken)
        return; /* one accepted offer per order */
    for (size_t i = 0; i < in->plan->n_offers; i++) {
        if (st->n_offers == HF_ENGINE_MAX_OFFERS)
            break;
        hf_offer o;
        int rung = in->plan->offers[i].kind == HF_OFFER_DISCOUNT ? st->rung : 0;
        if (make_offer(in, &in->plan->offers[i], rung, &o))
            st->offers[st->n_offers++] = o;
    }
}

/* "1. 10% off this order\n2. ..." */
static const char *offer_list(const hf_convo_state *st, hf_arena *a)
{
    char buf[1024];
    size_t n = 0;
    buf[0] = '\0';
    for (int i = 0; i < st->n_offers && n < sizeof(buf); i++)
        n += (size_t)snprintf(buf + n, sizeof(buf) - n, "\n%d. %s", i + 1,
                              hf_offer_describe(&st->offers[i], a));
    return hf_arena_strdup(a, buf);
}

/* Words of a message, lower-cased, for reading a place in the list. */
enum { PLACE_WORDS = 48, PLACE_WORD_LEN = 12 };
typedef struct place_words {
    char w[PLACE_WORDS][PLACE_WORD_LEN];
    char after[PLACE_WORDS];  /* the character right after the word */
    char before[PLACE_WORDS]; /* the character right before it */
    int n;
} place_words;

static void split_words(const char *text, place_words *pw)
{
    pw->n = 0;
    const char *p = text;
    while (*p && pw->n < PLACE_WORDS) {
        if (!isalnum((unsigned char)*p)) {
            p++;
            continue;
        }
        const char *start = p;
        size_t len = 0;
        while (isalnum((unsigned char)*p)) {
            if (len + 1 < PLACE_WORD_LEN)
                pw->w[pw->n][len++] = (char)tolower((unsigned char)*p);
            p++;
        }
        pw->w[pw->n][len] = '\0';
        pw->before[pw->n] = start > text ? start[-1] : ' ';
        pw->after[pw->n] = *p;
        pw->n++;
    }
}

static bool word_in(const char *w, const char *const *list)
{
    for (; *list; list++)
        if (strcmp(w, *list) == 0)
            return true;
    return false;
}

/* The place (1-based) word i names: "second", "2nd", or a number after
 * "option", "number", "#"..., or a number alone in a short message; 0
 * when none. A number that is a percentage or a count of days is not a
 * place. */
static int place_at(const place_words *pw, int i)
{
    static const char *const ordinals[] = {"first",   "second", "third",
                                           "fourth",  "fifth",  "sixth",
                                           "seventh", "eighth"};
    static const char *const short_ordinals[] = {"1st", "2nd", "3rd", "4th",
                                                 "5th", "6th", "7th", "8th"};
    static const char *const leads[] = {"option", "number", "offer", "choice",
                                        "pick",   "take",   "want",  "choose",
                                        "with",   NULL};
    static const char *const units[] = {"percent", "pct",     "off", "day",
                                        "days",    "dollars", "usd", NULL};
    const char *w = pw->w[i];
    for (int k = 0; k < (int)HF_ARRAY_LEN(ordinals); k++)
        if (strcmp(w, ordinals[k]) == 0 || strcmp(w, short_ordinals[k]) == 0)
            return k + 1;
    if (!isdigit((unsigned char)w[0]) || w[1] != '\0')
        return 0;
    if (pw->after[i] == '%' || pw->before[i] == '-' || pw->before[i] == '$' ||
        (i + 1 < pw->n && word_in(pw->w[i + 1], units)))
        return 0;
    bool led = pw->before[i] == '#' || (i > 0 && word_in(pw->w[i - 1], leads));
    return led || pw->n <= 3 ? w[0] - '0' : 0;
}

/* The offer the customer picks by its place in the list ("option 2",
 * "the second one", "#1", "3"; "the last one"): its index, or -1 when
 * the text names no place, names two, or one beyond the list. *only
 * (may be NULL) tells whether the message says nothing else ("3",
 * "option 3 please"). */
static int offer_by_place(const char *text, int n_offers, bool *only)
{
    static const char *const filler[] = {
        "the",  "one", "option", "number", "offer", "choice", "please",
        "pls",  "plz", "ok",     "okay",   "yes",   "sure",   "that",
        "i",    "ll",  "take",   "go",     "with",  "want",   "choose",
        "pick", "it",  "is",     "will",   NULL};
    bool alone = true;
    if (only)
        *only = false;
    if (text == NULL || n_offers <= 0)
        return -1;
    place_words pw;
    split_words(text, &pw);
    int place = 0;
    for (int i = 0; i < pw.n; i++) {
        int at = strcmp(pw.w[i], "last") == 0 ? n_offers : place_at(&pw, i);
        if (at == 0)
            alone = alone && word_in(pw.w[i], filler);
        if (at == 0 || at == place)
            continue;
        if (place != 0)
            return -1; /* "1 or 2?" */
        place = at;
    }
    if (place < 1 || place > n_offers)
        return -1;
    if (only)
        *only = alone;
    return place - 1;
}

/* The offer on the table the customer means: by id, by kind (and percent),
 * by its place in the list, or the only one. NULL when unclear. */
static const hf_offer *chosen_offer(const hf_engine_input *in,
                                    const hf_convo_state *st)
{
    if (in->kind == HF_INPUT_ACCEPT) {
        for (int i = 0; i < st->n_offers; i++)
            if (strcmp(st->offers[i].id, in->offer_id) == 0)
                return &st->offers[i];
        return NULL;
    }
    const hf_intent_result *r = in->intent;
    const hf_offer *match = NULL;
    int matches = 0;
    for (int i = 0; i < st->n_offers; i++) {
        const hf_offer *o = &st->offers[i];
        bool kind_ok =
            r->offer == o->kind ||
            (r->offer == HF_OFFER_NONE && r->percent > 0 &&
             (o->kind == HF_OFFER_DISCOUNT || o->kind == HF_OFFER_COUPON));
        bool percent_ok = r->percent == 0 || r->percent == o->percent;
        if (kind_ok && percent_ok) {
            match = o;
            matches++;
        }
    }
    if (matches == 1)
        return match;
    if (matches == 0 && r->offer == HF_OFFER_NONE && r->percent == 0) {
        int place = offer_by_place(in->text, st->n_offers, NULL);
        if (place >= 0)
            return &st->offers[place];
        if (st->n_offers == 1)
            return &st->offers[0];
    }
    return NULL;
}

/* Whether the customer asks for two or more of the offers on the table
 * at once ("1 and 2?", "the discount and the free shipping", "can I have
 * both?"): names two of them, by place or by kind, with a word that joins
 * them, and refuses nothing ("no to the discount and the coupon"). */
static bool asks_for_several(const char *text, const hf_convo_state *st)
{
    static const struct {
        const char *word;
        hf_offer_kind kind;
    } kinds[] = {
        {"discount", HF_OFFER_DISCOUNT},
        {"off", HF_OFFER_DISCOUNT},
        {"shipping", HF_OFFER_SHIPPING_UPGRADE},
        {"express", HF_OFFER_SHIPPING_UPGRADE},
        {"expedited", HF_OFFER_SHIPPING_UPGRADE},
        {"upgrade", HF_OFFER_SHIPPING_UPGRADE},
        {"delivery", HF_OFFER_SHIPPING_UPGRADE},
        {"swap", HF_OFFER_SWAP},
        {"exchange", HF_OFFER_SWAP},
        {"coupon", HF_OFFER_COUPON},
        {"voucher", HF_OFFER_COUPON},
    };
    static const char *const joins[] = {"and", "both", "plus",    "all",
                                        "too", "also", "combine", NULL};
    static const char *const refusals[] = {"no",  "not",   "dont", "don",
                                           "nah", "never", "nope", NULL};
    if (text == NULL || st->n_offers < 2)
        return false;
    place_words pw;
    split_words(text, &pw);
    bool named[HF_ENGINE_MAX_OFFERS] = {false}, joined = false, both = false;
    for (int i = 0; i < pw.n; i++) {
        if (word_in(pw.w[i], refusals))
            return false;
        joined = joined || word_in(pw.w[i], joins);
        both = both || strcmp(pw.w[i], "both") == 0;
        /* a bare digit counts here: two of them joined ("1 and 2") */
        int at = place_at(&pw, i);
        if (at == 0 && pw.w[i][0] >= '1' && pw.w[i][0] <= '9' &&
            pw.w[i][1] == '\0' && pw.after[i] != '%')
            at = pw.w[i][0] - '0';
        if (at >= 1 && at <= st->n_offers)
            named[at - 1] = true;
        for (size_t k = 0; k < HF_ARRAY_LEN(kinds); k++)
            if (strcmp(pw.w[i], kinds[k].word) == 0)
                for (int o = 0; o < st->n_offers; o++)
                    named[o] |= st->offers[o].kind == kinds[k].kind;
    }
    int count = 0;
    for (int o = 0; o < st->n_offers; o++)
        count += named[o];
    return both || (joined && count >= 2);
}

/* A customer who names a later rung of the discount ladder ("15% and I
 * keep it" while 10% is offered) is declining the rung on the table and
 * taking the next: the policy allows that rung after a decline. */
static bool ladder_rung_named(const hf_engine_input *in,
                              const hf_convo_state *st, hf_offer *out)
{
    const hf_intent_result *r = in->intent;
    if (r == NULL || r->percent <= 0 ||
        (r->offer != HF_OFFER_DISCOUNT && r->offer != HF_OFFER_NONE))
        return false;
    bool discount_on_table = false;
    for (int i = 0; i < st->n_offers; i++)
        discount_on_table |= st->offers[i].kind == HF_OFFER_DISCOUNT;
    for (size_t i = 0; discount_on_table && i < in->plan->n_offers; i++) {
        const hf_plan_offer *po = &in->plan->offers[i];
        if (po->kind != HF_OFFER_DISCOUNT)
            continue;
        for (int k = st->rung + 1; k < (int)po->n_percents; k++)
            if (po->percents[k] == r->percent &&
                discount_allowed(in->facts, r->percent))
                return make_offer(in, po, k, out);
    }
    return false;
}

/* --- Outcomes ------------------------------------------------------------- */

/* Where the order is, in words for the customer: "being picked in our
 * warehouse" rather than the status name "picking". */
static const char *status_words(hf_order_status s)
{
    switch (s) {
    case HF_STATUS_PENDING:
        return "waiting for its payment to be confirmed";
    case HF_STATUS_CONFIRMED:
        return "confirmed and waiting to be prepared";
    case HF_STATUS_ALLOCATED:
        return "with our warehouse, waiting to be picked";
    case HF_STATUS_PICKING:
        return "being picked in our warehouse";
    case HF_STATUS_PACKED:
        return "packed and waiting for the carrier";
    case HF_STATUS_SHIPPED:
        return "on its way";
    case HF_STATUS_DELIVERED:
        return "delivered";
    case HF_STATUS_ON_HOLD:
        return "on hold while we check it";
    default:
        return hf_order_status_name(s);
    }
}

/* The window for cancelling: the cancellation policy's rule, else this
 * policy's, else the merchant's setting. */
static bool cancellable(const hf_engine_input *in)
{
    hf_order_status window = in->facts->last_cancellable;
    if (in->cancel_plan && in->cancel_plan->has_cancel_window)
        window = in->cancel_plan->last_cancellable;
    else if (in->plan->has_cancel_window)
        window = in->plan->last_cancellable;
    return hf_order_cancellable(in->facts->status, in->facts->held_from,
                                window);
}

static void not_eligible(turn_builder *b, hf_convo_state *st)
{
    const hf_engine_input *in = b->in;
    const hf_plan *cp = in->cancel_plan ? in->cancel_plan : in->plan;
    const hf_plan_action *ret =
        find_action(cp, HF_BRANCH_NOT_ELIGIBLE, HF_ACT_OFFER_RETURN);
    st->phase = HF_PHASE_NOT_ELIGIBLE;
    st->n_offers = 0;
    if (in->facts->status == HF_STATUS_CANCELLED) {
        say(b, "Order %s is already cancelled; there is nothing more to do.",
            in->facts->number);
        decide(b, "already_cancelled", "the order is already cancelled", 0);
        return;
    }
    if (ret != NULL)
        say(b,
            "Order %s has already left us (it is %s), so it can no longer "
            "be cancelled. %s you can return it for a refund; reply "
            "\"return\" or ask for a person and we will arrange it.",
            in->facts->number, status_words(in->facts->status),
            in->facts->status == HF_STATUS_SHIPPED ? "Once it arrives"
                                                   : "Instead,");
    else
        say(b,
            "Order %s is %s, so it can no longer be cancelled. Ask for a "
            "person if you would like help with it.",
            in->facts->number, status_words(in->facts->status));
    decide(b, ret ? "offer_return" : "not_cancellable",
           "the cancellation window has closed", action_line(ret));
}

/* The confidence below which the engine asks before cancelling. */
static double cancel_bar(const hf_engine_input *in)
{
    double min = in->min_confidence > 0 ? in->min_confidence : 0.5;
    return min > HF_ENGINE_CANCEL_CONFIDENCE ? min
                                             : HF_ENGINE_CANCEL_CONFIDENCE;
}

/* Sets the reply to text, followed by lead and the offers when offers
 * are on the table. */
static void say_with_offers(turn_builder *b, const hf_convo_state *st,
                            const char *text, const char *lead)
{
    if (st->phase == HF_PHASE_OFFERING && st->n_offers > 0)
        say(b, "%s %s%s", text ? text : "", lead, offer_list(st, b->a));
    else
        say(b, "%s", text ? text : "");
}

/* A message the model is not sure enough of to cancel on: ask first. */
static void confirm_cancel(turn_builder *b, hf_convo_state *st)
{
    st->confirm_cancel = true;
    say_with_offers(b, st,
                    hf_arena_printf(b->a,
                                    "Just to be sure: shall I cancel order %s "
                                    "now? Say \"yes\" and I will cancel it, "
                                    "or \"no\" to keep it.",
                                    b->in->facts->number),
                    "These are still open if one would help:");
    decide(b, "confirm_cancel", "the message was not clear enough to cancel on",
           0);
}

static void cancel(turn_builder *b, hf_convo_state *st, hf_branch why,
                   const char *reason)
{
    const hf_engine_input *in = b->in;
    if (!cancellable(in)) {
        not_eligible(b, st);
        return;
    }
    if (in->kind == HF_INPUT_MESSAGE && !b->confirmed &&
        in->intent->confidence < cancel_bar(in)) {
        confirm_cancel(b, st);
        return;
    }
    if (st->other_order && in->kind == HF_INPUT_MESSAGE) {
        /* "cancel it" after naming another order may mean that one */
        say(b,
            "To be sure I cancel the right order: this conversation is about "
            "order %s. Say \"cancel %s\" and I will cancel it; for another "
            "order, please start a new request for that order.",
            in->facts->number, in->facts->number);
        decide(b, "confirm_order", "the customer named another order before",
               0);
        return;
    }
    const hf_plan *cp = in->cancel_plan ? in->cancel_plan : in->plan;
    const hf_plan_action *act = find_action(in->plan, why, HF_ACT_CANCEL);
    bool survey = find_action(cp, HF_BRANCH_ALWAYS, HF_ACT_SEND_SURVEY) != NULL;
    hf_jsonw w;
    hf_jw_init(&w, b->a);
    hf_jw_object(&w);
    hf_jw_key(&w, "reason");
    hf_jw_str(&w, reason ? reason : "changed_mind");
    hf_jw_key(&w, "survey");
    hf_jw_bool(&w, survey);
    /* "as outlined in the cancellation policy" names none: the plan's */
    const char *ref = act && act->ref ? act->ref : in->plan->cancel_policy;
    if (ref) {
        hf_jw_key(&w, "policy");
        hf_jw_str(&w, ref);
    }
    hf_jw_object_end(&w);
    add_call(b, HF_TOOL_CANCEL_ORDER, hf_jw_finish(&w));
    st->phase = HF_PHASE_CLOSED;
    st->outcome = HF_OUTCOME_CANCELLED;
    st->n_offers = 0;
    /* the cancellation policy's own words, when it gives some */
    const hf_plan_action *notify =
        find_action(cp, HF_BRANCH_ALWAYS, HF_ACT_NOTIFY);
    if (notify && notify->message)
        say(b, "%s", render(in, notify->message, NULL, 0, b->a));
    else
        say(b,
            "Done: order %s is cancelled. Its items are released and your "
            "payment is refunded or released to your card. A confirmation is "
            "on its way.",
            in->facts->number);
    decide(b, "cancel",
           why == HF_BRANCH_INSISTS    ? "the customer insists on cancelling"
           : why == HF_BRANCH_DECLINES ? "the customer declined the offers"
                                       : "the customer asked to cancel",
           action_line(act));
}

static void escalate(turn_builder *b, hf_convo_state *st, hf_branch why,
                     const char *reason)
{
    const hf_plan_action *act =
        find_action(b->in->plan, why, HF_ACT_ROUTE_AGENT);
    if (act == NULL && why == HF_BRANCH_ASKS_AGENT)
        act = find_action(b->in->plan, HF_BRANCH_CONCERN, HF_ACT_ROUTE_AGENT);
    hf_jsonw w;
    hf_jw_init(&w, b->a);
    hf_jw_object(&w);
    hf_jw_key(&w, "reason");
    hf_jw_str(&w, reason);
    hf_jw_object_end(&w);
    add_call(b, HF_TOOL_ROUTE_TO_AGENT, hf_jw_finish(&w));
    st->phase = HF_PHASE_CLOSED;
    st->outcome = HF_OUTCOME_ESCALATED;
    st->n_offers = 0; /* a person decides now; nothing is left to take */
    say(b, "I'm passing this to a member of our team, who will reply here "
           "shortly. Nothing about your order changes in the meantime.");
    decide(b, "escalate", reason, action_line(act));
}

/* The message the ACCEPTS branch sends: the policy's words when it quotes
 * some, else ours. */
static const char *accepted_message(turn_builder *b, const hf_offer *o)
{
    const hf_plan_action *act =
        find_action(b->in->plan, HF_BRANCH_ACCEPTS, HF_ACT_NOTIFY);
    if (act && act->message) {
        hf_ctx_value offer[] = {
            {"offer.description", hf_offer_describe(o, b->a)},
            {"offer.percent", hf_arena_printf(b->a, "%d", o->percent)},
        };
        return render(b->in, act->message, offer, HF_ARRAY_LEN(offer), b->a);
    }
    return hf_arena_printf(b->a,
                           "Your order %s has been updated: %s. Thank you "
                           "for keeping it!",
                           b->in->facts->number, hf_offer_describe(o, b->a));
}

static const char *offer_args(turn_builder *b, const hf_offer *o)
{
    hf_jsonw w;
    hf_jw_init(&w, b->a);
    hf_jw_object(&w);
    hf_jw_key(&w, "offer");
    hf_jw_str(&w, o->id);
    if (o->percent) {
        hf_jw_key(&w, "percent");
        hf_jw_int(&w, o->percent);
    }
    if (o->kind == HF_OFFER_COUPON) {
        hf_jw_key(&w, "days");
        hf_jw_int(&w, o->valid_days);
    }
    if (o->kind == HF_OFFER_SWAP) {
        hf_jw_key(&w, "sku");
        hf_jw_str(&w, o->sku);
        hf_jw_key(&w, "from_sku");
        hf_jw_str(&w, o->from_sku);
    }
    hf_jw_object_end(&w);
    return hf_jw_finish(&w);
}

static void accept(turn_builder *b, hf_convo_state *st, const hf_offer *o)
{
    const hf_plan *p = b->in->plan;
    hf_offer taken = *o;
    const hf_tool_info *tool = hf_tool_for_offer(taken.kind);
    add_call(b, tool->id, offer_args(b, &taken));
    if (find_action(p, HF_BRANCH_ACCEPTS, HF_ACT_NOTIFY) ||
        p->n_actions[HF_BRANCH_ACCEPTS] == 0) {
        hf_jsonw w;
        hf_jw_init(&w, b->a);
        hf_jw_object(&w);
        hf_jw_key(&w, "message");
        hf_jw_str(&w, accepted_message(b, &taken));
        hf_jw_key(&w, "offer");
        hf_jw_str(&w, taken.id);
        hf_jw_key(&w, "offer_description");
        hf_jw_str(&w, hf_offer_describe(&taken, b->a));
        hf_jw_object_end(&w);
        add_call(b, HF_TOOL_SEND_MESSAGE, hf_jw_finish(&w));
    }
    st->accepted = taken;
    st->phase = HF_PHASE_CLOSED;
    st->outcome = HF_OUTCOME_RETAINED;
    st->n_offers = 0;
    const char *benefit = hf_offer_describe(&taken, b->a);
    if (find_action(p, HF_BRANCH_ACCEPTS, HF_ACT_THANK))
        say(b,
            "Thank you for keeping your order! %s now has %s, and we have "
            "sent you a message confirming it.",
            b->in->facts->number, benefit);
    else
        say(b, "Done: %s now has %s. A confirmation is on its way.",
            b->in->facts->number, benefit);
    decide(b, "apply_offer", "the customer took an offer",
           action_line(find_action(p, HF_BRANCH_ACCEPTS, HF_ACT_APPLY_OFFER)));
}

/* --- Phases --------------------------------------------------------------- */

/* The customer asked to cancel: offers first when there are any. */
static void on_cancel_request(turn_builder *b, hf_convo_state *st)
{
    const hf_engine_input *in = b->in;
    add_call(b, HF_TOOL_ORDER_DETAILS, "{}");
    if (!cancellable(in)) {
        not_eligible(b, st);
        return;
    }
    st->rung = 0;
    st->countered = false;
    table_offers(in, st);
    st->phase = HF_PHASE_OFFERING;
    if (st->n_offers == 0 && !in->await_decision) {
        cancel(b, st, HF_BRANCH_ALWAYS, NULL); /* nothing to offer */
        return;
    }
    if (st->n_offers == 0) {
        say(b, "Order %s can be cancelled. Confirm and we will cancel it.",
            in->facts->number);
        decide(b, "confirm_cancel", "no offer can be made on this order", 0);
        return;
    }
    if (in->await_decision) /* the page shows the offers as choices */
        say(b,
            "Order %s can be cancelled. Before you do, would one of these "
            "help you keep it?%s\nChoose one, or confirm the cancellation.",
            in->facts->number, offer_list(st, b->a));
    else
        say(b,
            "I can cancel order %s for you. Before I do, would one of these "
            "help you keep it?%s\nReply with the one you would like, or say "
            "\"cancel\" and I will cancel it right away.",
            in->facts->number, offer_list(st, b->a));
    decide(b, "present_offers", "offer alternatives before cancelling",
           action_line(
               find_action(in->plan, HF_BRANCH_ALWAYS, HF_ACT_PRESENT_OFFERS)));
}

/* A plain "no": the ladder's next rung once, then the cancellation. */
static void on_decline(turn_builder *b, hf_convo_state *st)
{
    const hf_engine_input *in = b->in;
    if (!st->countered && in->kind == HF_INPUT_MESSAGE) {
        for (size_t i = 0; i < in->plan->n_offers; i++) {
            const hf_plan_offer *po = &in->plan->offers[i];
            if (po->kind != HF_OFFER_DISCOUNT)
                continue;
            int next = allowed_rung(in->facts, po, st->rung + 1);
            bool on_table = false;
            for (int k = 0; k < st->n_offers; k++)
                on_table |= st->offers[k].kind == HF_OFFER_DISCOUNT;
            if (next < 0 || !on_table)
                break;
            st->rung = next;
            st->countered = true;
            hf_offer o;
            make_offer(in, po, next, &o);
            st->offers[0] = o;
            st->n_offers = 1;
            say(b,
                "I understand. One last thing: I can make it %d%% off this "
                "order instead. Would you like that? If not, say so and I "
                "will cancel the order right away.",
                o.percent);
            decide(b, "counter_offer", "the discount ladder's next rung",
                   po->line);
            return;
        }
    }
    cancel(b, st, HF_BRANCH_DECLINES, NULL);
}

static void clarify(turn_builder *b, hf_convo_state *st)
{
    if (++st->clarifications >= HF_ENGINE_MAX_CLARIFY) {
        escalate(b, st, HF_BRANCH_CONCERN,
                 "the customer's messages could not be understood");
        return;
    }
    if (st->phase == HF_PHASE_OFFERING)
        say(b,
            "Sorry, I did not quite follow. Would you like one of these?%s\n"
            "Or say \"cancel\" to cancel order %s, or \"agent\" to talk to a "
            "person.",
            offer_list(st, b->a), b->in->facts->number);
    else
        say(b,
            "Sorry, I did not quite follow. Would you like to cancel "
            "order %s, or talk to a person?",
            b->in->facts->number);
    decide(b, "clarify", "the message was unclear", 0);
}

static void order_status_reply(turn_builder *b)
{
    say(b, "Order %s is %s.%s", b->in->facts->number,
        status_words(b->in->facts->status),
        b->in->facts->status <= HF_STATUS_PACKED ? " It has not shipped yet."
                                                 : "");
    decide(b, "answer_status", "the customer asked about the order", 0);
}

/* "Can you do 15%?" while 10% is offered: the ladder's later rung is put
 * on the table, for the customer to say yes to. */
static bool counter_asked_rung(turn_builder *b, hf_convo_state *st)
{
    hf_offer rung;
    if (!ladder_rung_named(b->in, st, &rung))
        return false;
    st->offers[0] = rung;
    st->n_offers = 1;
    st->countered = true;
    for (size_t i = 0; i < b->in->plan->n_offers; i++)
        for (size_t k = 0; k < b->in->plan->offers[i].n_percents; k++)
            if (b->in->plan->offers[i].kind == HF_OFFER_DISCOUNT &&
                b->in->plan->offers[i].percents[k] == rung.percent)
                st->rung = (int)k;
    say(b, "Yes, I can make it %d%% off this order. Shall I apply it?",
        rung.percent);
    decide(b, "counter_offer",
           "the customer asked for the ladder's next "
           "rung",
           0);
    return true;
}

/* What the customer named that is not on the table ("30% off", "a
 * product swap"), described; NULL when they named nothing, or an offer
 * that is there. */
static const char *named_elsewhere(const hf_engine_input *in,
                                   const hf_convo_state *st, hf_arena *a)
{
    const hf_intent_result *r = in->intent;
    if (r->offer == HF_OFFER_NONE && r->percent == 0)
        return NULL;
    for (int i = 0; i < st->n_offers; i++) {
        const hf_offer *o = &st->offers[i];
        bool kind_ok =
            r->offer == HF_OFFER_NONE
                ? o->kind == HF_OFFER_DISCOUNT || o->kind == HF_OFFER_COUPON
                : r->offer == o->kind;
        if (kind_ok && (r->percent == 0 || r->percent == o->percent))
            return NULL;
    }
    switch (r->offer) {
    case HF_OFFER_SHIPPING_UPGRADE:
        return hf_arena_strdup(a, "a shipping upgrade");
    case HF_OFFER_SWAP:
        return hf_arena_strdup(a, "a swap");
    case HF_OFFER_COUPON:
        return r->percent ? hf_arena_printf(a, "a %d%% coupon", r->percent)
                          : hf_arena_strdup(a, "a coupon");
    default:
        return r->percent ? hf_arena_printf(a, "%d%% off", r->percent)
                          : hf_arena_strdup(a, "a discount");
    }
}

/* The customer named or asked for an offer the policy does not make
 * here ("50% off"): say so and show what there is. */
static void not_on_the_table(turn_builder *b, hf_convo_state *st,
                             const char *elsewhere)
{
    say(b,
        "Sorry, I cannot offer %s on order %s. These are the options I "
        "have:%s\nReply with the one you would like, or say \"cancel\" and "
        "I will cancel the order.",
        elsewhere, b->in->facts->number, offer_list(st, b->a));
    decide(b, "clarify", "the offer named is not on the table", 0);
}

/* A yes to the offers without saying which. */
static void which_offer(turn_builder *b, const hf_convo_state *st)
{
    say(b, "Happy to! Which one would you like?%s", offer_list(st, b->a));
    decide(b, "clarify", "which offer was not clear", 0);
}

/* Two offers asked for at once: an order takes one (an engine guard). */
static void one_of_them(turn_builder *b, const hf_convo_state *st)
{
    say(b,
        "Only one offer can be applied to an order, so I cannot combine "
        "them. Which one would you like?%s",
        offer_list(st, b->a));
    decide(b, "clarify", "the customer asked for more than one offer", 0);
}

/* A message while offers are on the table. */
static void while_offering(turn_builder *b, hf_convo_state *st,
                           const hf_intent_result *r)
{
    if ((r->intent == HF_INTENT_OTHER || r->intent == HF_INTENT_QUESTION) &&
        counter_asked_rung(b, st))
        return;
    if ((r->intent == HF_INTENT_ACCEPT_OFFER ||
         r->intent == HF_INTENT_QUESTION) &&
        asks_for_several(b->in->text, st)) {
        one_of_them(b, st);
        return;
    }
    /* "Can I get 50% off instead?" is answered, not passed to a person */
    const char *asked = r->intent == HF_INTENT_QUESTION
                            ? named_elsewhere(b->in, st, b->a)
                            : NULL;
    if (asked != NULL) {
        not_on_the_table(b, st, asked);
        return;
    }
    switch (r->intent) {
    case HF_INTENT_ACCEPT_OFFER: {
        const hf_offer *o = chosen_offer(b->in, st);
        hf_offer rung;
        if (o == NULL && ladder_rung_named(b->in, st, &rung))
            o = &rung;
        const char *elsewhere = o ? NULL : named_elsewhere(b->in, st, b->a);
        if (elsewhere != NULL) {
            not_on_the_table(b, st, elsewhere);
            return;
        }
        if (o == NULL) {
            which_offer(b, st);
            return;
        }
        accept(b, st, o);
        return;
    }
    case HF_INTENT_DECLINE_OFFER:
        on_decline(b, st);
        return;
    case HF_INTENT_INSIST_CANCEL:
    case HF_INTENT_CANCEL_ORDER:
        cancel(b, st, HF_BRANCH_INSISTS, NULL);
        return;
    case HF_INTENT_ASK_AGENT:
        escalate(b, st, HF_BRANCH_ASKS_AGENT,
                 "the customer asked for a "
                 "person");
        return;
    case HF_INTENT_QUESTION:
    case HF_INTENT_CHANGE_ORDER:
        escalate(b, st, HF_BRANCH_CONCERN,
                 r->intent == HF_INTENT_QUESTION
                     ? "the customer has a concern or question"
                     : "the customer wants to change the order");
        return;
    case HF_INTENT_ORDER_STATUS:
        order_status_reply(b);
        return;
    case HF_INTENT_THANKS:
        say(b, "You're welcome! Would you like one of the offers?%s",
            offer_list(st, b->a));
        decide(b, "answer", "the customer said thanks", 0);
        return;
    default:
        clarify(b, st);
        return;
    }
}

static void while_starting(turn_builder *b, hf_convo_state *st,
                           const hf_intent_result *r)
{
    /* "cancel it, or give me a discount on the next one" before any offer
     * was made: the offers are what they ask for */
    if (r->intent == HF_INTENT_ACCEPT_OFFER &&
        (r->offer != HF_OFFER_NONE || r->percent > 0)) {
        on_cancel_request(b, st);
        return;
    }
    switch (r->intent) {
    case HF_INTENT_CANCEL_ORDER:
    case HF_INTENT_INSIST_CANCEL:
    case HF_INTENT_DECLINE_OFFER:
        on_cancel_request(b, st);
        return;
    case HF_INTENT_ASK_AGENT:
    case HF_INTENT_CHANGE_ORDER:
    case HF_INTENT_QUESTION:
        escalate(b, st,
                 r->intent == HF_INTENT_ASK_AGENT ? HF_BRANCH_ASKS_AGENT
                                                  : HF_BRANCH_CONCERN,
                 r->intent == HF_INTENT_ASK_AGENT
                     ? "the customer asked for a person"
                     : "the customer has a concern or question");
        return;
    case HF_INTENT_ORDER_STATUS:
        order_status_reply(b);
        return;
    case HF_INTENT_THANKS:
        say(b, "You're welcome! Is there anything else about order %s?",
            b->in->facts->number);
        decide(b, "answer", "the customer said thanks", 0);
        return;
    default:
        clarify(b, st);
        return;
    }
}

static bool unclear(const hf_engine_input *in)
{
    double min = in->min_confidence > 0 ? in->min_confidence : 0.5;
    return in->intent->confidence < min;
}

static bool wants_cancel(const hf_intent_result *r)
{
    return r->intent == HF_INTENT_CANCEL_ORDER ||
           r->intent == HF_INTENT_INSIST_CANCEL;
}

/* Whether a cancellation is of part of the order ("I only want to cancel
 * one of the items", "cancel some of it and keep the rest"): the engine
 * cancels whole orders, so a person does that. Phrases, not single words:
 * "just cancel it" and "only ordered it yesterday" are whole requests. */
static bool asks_partial_cancel(const char *text)
{
    static const char *const phrases[] = {"one of the items",
                                          "one of my items",
                                          "one of the products",
                                          "one item",
                                          "some of the items",
                                          "some items",
                                          "part of the order",
                                          "part of my order",
                                          "part of it",
                                          "one of them",
                                          "the rest",
                                          "not the whole order",
                                          "not the entire order",
                                          "not the whole thing",
                                          "just one item",
                                          "only one item",
                                          "single item",
                                          "one of the things"};
    if (text == NULL)
        return false;
    char low[512];
    size_t n = 0;
    low[n++] = ' ';
    for (const char *p = text; *p && n + 2 < sizeof(low); p++)
        low[n++] =
            isalnum((unsigned char)*p) ? (char)tolower((unsigned char)*p) : ' ';
    low[n++] = ' ';
    low[n] = '\0';
    for (size_t i = 0; i < HF_ARRAY_LEN(phrases); i++) {
        char key[64];
        snprintf(key, sizeof(key), " %s ", phrases[i]);
        if (strstr(low, key) != NULL)
            return true;
    }
    return false;
}

/* A clear request to cancel part of the order cancels nothing: before an
 * outcome it goes to a person, who can cancel single lines; after one
 * (kept, or with a person already) the customer is told how. True when
 * the turn was taken. */
static bool part_of_order(turn_builder *b, hf_convo_state *st)
{
    const hf_intent_result *r = b->in->intent;
    if (!wants_cancel(r) || unclear(b->in) ||
        st->outcome == HF_OUTCOME_CANCELLED ||
        st->phase == HF_PHASE_NOT_ELIGIBLE || !asks_partial_cancel(b->in->text))
        return false;
    const char *number = b->in->facts->number;
    if (st->phase == HF_PHASE_CLOSED) {
        say(b,
            "I can only cancel the whole of order %s here; a member of our "
            "team can cancel part of it%s.",
            number,
            st->outcome == HF_OUTCOME_ESCALATED
                ? ", and already has this conversation"
                : ": just ask for a person");
        decide(b, "answer", "the customer wants to cancel part of the order",
               0);
        return true;
    }
    escalate(b, st, HF_BRANCH_CONCERN,
             "the customer wants to cancel part of the order");
    say(b, /* escalate's reply, said for this case */
        "I can only cancel the whole of order %s here, so I'm passing this "
        "to a member of our team, who can cancel part of it and will reply "
        "here shortly. Nothing about your order changes in the meantime.",
        number);
    return true;
}

static void while_closed(turn_builder *b, hf_convo_state *st)
{
    const hf_intent_result *r = b->in->intent;
    /* a closed conversation never locks the customer in: a clear request
     * to cancel is carried out (the order's window permitting), whether
     * they kept an offer or a person has the conversation (who sees it on
     * the conversation) */
    if (st->outcome != HF_OUTCOME_CANCELLED && wants_cancel(r) &&
        !unclear(b->in)) {
        cancel(b, st, HF_BRANCH_INSISTS, NULL);
        return;
    }
    const char *other = named_elsewhere(b->in, st, b->a);
    switch (st->outcome) {
    case HF_OUTCOME_RETAINED:
        if (other != NULL && r->intent != HF_INTENT_THANKS &&
            (r->offer == HF_OFFER_NONE || r->offer != st->accepted.kind))
            /* one accepted offer per order: no second one, no switch */
            say(b,
                "Order %s already has %s, and only one offer can be applied "
                "to an order, so I cannot add %s. If you would rather switch, "
                "ask for a person and they will look at it.",
                b->in->facts->number, hf_offer_describe(&st->accepted, b->a),
                other);
        else
            say(b, "%sYour order %s is kept with %s. Anything else, just ask.",
                r->intent == HF_INTENT_THANKS ? "You're welcome! " : "",
                b->in->facts->number, hf_offer_describe(&st->accepted, b->a));
        break;
    case HF_OUTCOME_CANCELLED:
        if (r->intent == HF_INTENT_ACCEPT_OFFER || r->offer != HF_OFFER_NONE ||
            r->percent > 0)
            say(b,
                "Order %s is already cancelled, so an offer can no longer "
                "be applied to it. You are welcome to place a new order "
                "whenever you like.",
                b->in->facts->number);
        else if (r->intent == HF_INTENT_THANKS || r->intent == HF_INTENT_OTHER)
            say(b, "%sOrder %s is cancelled; the confirmation has been sent.",
                r->intent == HF_INTENT_THANKS ? "You're welcome! " : "",
                b->in->facts->number);
        else /* "can I keep it after all?" */
            say(b,
                "Order %s is already cancelled and a cancellation cannot be "
                "undone; the confirmation has been sent. You are welcome to "
                "place a new order whenever you like.",
                b->in->facts->number);
        break;
    default:
        say(b, "A member of our team has this conversation and will reply "
               "here.");
        break;
    }
    decide(b, "closed", "the conversation has an outcome", 0);
}

/* Digits of an order number: "HF-100042" and "hf100042" are the same
 * order. */
static bool same_order(const char *x, const char *y)
{
    for (;;) {
        while (*x && !isdigit((unsigned char)*x))
            x++;
        while (*y && !isdigit((unsigned char)*y))
            y++;
        if (*x != *y)
            return false;
        if (*x == '\0')
            return true;
        x++;
        y++;
    }
}

/* The customer names another order than the one this conversation is
 * about: nothing is done to either; they are told which order this is. */
static void other_order(turn_builder *b)
{
    const char *number = b->in->facts->number;
    say(b,
        "This conversation is about order %s, so I cannot make changes to "
        "order %s here. To cancel or change %s, please start a new request "
        "for that order, or ask for a person. Is there anything I can do "
        "for order %s?",
        number, b->in->intent->order, b->in->intent->order, number);
    decide(b, "other_order", "the customer named another order", 0);
}

/* Whether the customer asks to hear the offers again ("what were the
 * options again?", "can you repeat the offers"). */
static bool asks_for_offers(const char *text)
{
    static const char *const again[] = {"again", "repeat", "remind",
                                        "list",  "what",   "which",
                                        "show",  "were",   NULL};
    static const char *const offers[] = {"option",      "options", "offer",
                                         "offers",      "choice",  "choices",
                                         "alternative", NULL};
    if (text == NULL)
        return false;
    place_words pw;
    split_words(text, &pw);
    bool asks = false, named = false;
    for (int i = 0; i < pw.n; i++) {
        asks = asks || word_in(pw.w[i], again);
        named = named || word_in(pw.w[i], offers);
    }
    return asks && named;
}

/* Whether the customer asks how much they would get back ("how much will
 * the refund be?", "what amount do I get back"). */
static bool asks_refund_amount(const char *text)
{
    static const char *const money[] = {"refund", "refunded", "back",
                                        "money",  "refunds",  NULL};
    if (text == NULL)
        return false;
    place_words pw;
    split_words(text, &pw);
    bool how = false, much = false, named = false;
    for (int i = 0; i < pw.n; i++) {
        how = how || strcmp(pw.w[i], "how") == 0 ||
              strcmp(pw.w[i], "amount") == 0;
        much = much || strcmp(pw.w[i], "much") == 0 ||
               strcmp(pw.w[i], "amount") == 0;
        named = named || word_in(pw.w[i], money);
    }
    return how && much && named;
}

/* "How much will I get back?": the order's total, from the context. */
static bool refund_amount(turn_builder *b, const hf_convo_state *st)
{
    const char *total = ctx_lookup(b->in, NULL, 0, "order.total", 11);
    const char *currency = ctx_lookup(b->in, NULL, 0, "order.currency", 14);
    if (total == NULL || currency == NULL)
        return false;
    say_with_offers(b, st,
                    hf_arena_printf(b->a,
                                    "If order %s is cancelled, %s %s is "
                                    "refunded to your payment method.",
                                    b->in->facts->number, total, currency),
                    "Would one of these help you keep it instead?");
    decide(b, "answer_refund", "the customer asked how much is refunded", 0);
    return true;
}

static void repeat_offers(turn_builder *b, const hf_convo_state *st)
{
    say(b,
        "Of course. These are the options for order %s:%s\nReply with the "
        "one you would like, or say \"cancel\" and I will cancel it.",
        b->in->facts->number, offer_list(st, b->a));
    decide(b, "repeat_offers", "the customer asked to hear the offers again",
           0);
}

/* A reply of nothing but yes or no ("ok", "y", "sure thanks", "n",
 * "nope"), answering the question the bot just asked: 1 for yes, -1 for
 * no, 0 for anything else. The model reads such a bare word without the
 * question it answers ("ok" alone is small talk), so the engine, which
 * knows the question, reads it. */
static int bare_yes_no(const char *text)
{
    static const char *const yes[] = {
        "ok",  "okay", "okey", "k",    "kk",      "y",    "yes", "yeah",
        "yep", "yup",  "sure", "fine", "alright", "deal", "yea", NULL};
    static const char *const no[] = {"n", "no", "nope", "nah", "nay", NULL};
    static const char *const filler[] = {
        "then", "please", "pls", "thanks", "thank", "you", "ty", "thx", NULL};
    if (text == NULL)
        return 0;
    place_words pw;
    split_words(text, &pw);
    int answer = 0;
    if (pw.n == 0 || pw.n > 3)
        return 0;
    for (int i = 0; i < pw.n; i++) {
        int w = word_in(pw.w[i], yes) ? 1 : word_in(pw.w[i], no) ? -1 : 0;
        if (w == 0 && !word_in(pw.w[i], filler))
            return 0;
        if (w != 0 && answer != 0 && w != answer)
            return 0; /* "yes no" */
        if (w != 0)
            answer = w;
    }
    return answer;
}

/* The answer to "shall I cancel?": true when the turn was taken. */
static bool answer_to_confirm(turn_builder *b, hf_convo_state *st)
{
    const hf_intent_result *r = b->in->intent;
    int bare = bare_yes_no(b->in->text);
    bool yes = bare > 0 || wants_cancel(r) ||
               (r->intent == HF_INTENT_ACCEPT_OFFER &&
                r->offer == HF_OFFER_NONE && r->percent == 0 &&
                offer_by_place(b->in->text, st->n_offers, NULL) < 0);
    bool no = bare < 0 || r->intent == HF_INTENT_DECLINE_OFFER;
    if (bare == 0 && (unclear(b->in) || (!yes && !no)))
        return false;
    if (yes) {
        b->confirmed = true;
        cancel(b, st, HF_BRANCH_INSISTS, NULL);
        return true;
    }
    st->clarifications = 0;
    say_with_offers(b, st,
                    hf_arena_printf(b->a,
                                    "All right, I have not cancelled anything: "
                                    "order %s stays as it is.",
                                    b->in->facts->number),
                    "If one of these would help, just say which:");
    decide(b, "keep_order", "the customer did not confirm the cancellation", 0);
    return true;
}

static void message_turn(turn_builder *b, hf_convo_state *st)
{
    const hf_intent_result *r = b->in->intent;
    bool confirming = st->confirm_cancel;
    st->confirm_cancel = false;
    if (r->order[0] != '\0' && !same_order(r->order, b->in->facts->number)) {
        st->other_order = true;
        other_order(b);
        return;
    }
    if (r->order[0] != '\0') /* this order, by its number */
        st->other_order = false;
    if (confirming && answer_to_confirm(b, st))
        return;
    /* a request to hear the offers again, or what the refund would be,
     * is answered, unless the message clearly does something else */
    bool aside = st->phase != HF_PHASE_CLOSED &&
                 st->phase != HF_PHASE_NOT_ELIGIBLE &&
                 r->intent != HF_INTENT_ASK_AGENT &&
                 !(r->intent == HF_INTENT_ACCEPT_OFFER &&
                   chosen_offer(b->in, st) != NULL) &&
                 !((wants_cancel(r) || r->intent == HF_INTENT_DECLINE_OFFER) &&
                   r->confidence >= cancel_bar(b->in));
    if (aside && st->phase == HF_PHASE_OFFERING && st->n_offers > 0 &&
        asks_for_offers(b->in->text)) {
        repeat_offers(b, st);
        return;
    }
    if (aside && asks_refund_amount(b->in->text) && refund_amount(b, st))
        return;
    if (part_of_order(b, st))
        return;
    if (st->phase == HF_PHASE_CLOSED) {
        while_closed(b, st);
        return;
    }
    /* "3" or "option 3" answering the numbered list is a choice, whatever
     * the model made of so short a message */
    bool only = false;
    int place = st->phase == HF_PHASE_OFFERING && r->offer == HF_OFFER_NONE &&
                        r->percent == 0
                    ? offer_by_place(b->in->text, st->n_offers, &only)
                    : -1;
    if (place >= 0 && only) {
        st->clarifications = 0;
        accept(b, st, &st->offers[place]);
        return;
    }
    /* a bare "ok" or "y" answers "would you like one of these?": with one
     * offer on the table it takes it, with several it asks which; a bare
     * "n" declines */
    int bare = st->phase == HF_PHASE_OFFERING && st->n_offers > 0
                   ? bare_yes_no(b->in->text)
                   : 0;
    if (bare != 0) {
        st->clarifications = 0;
        if (bare < 0)
            on_decline(b, st);
        else if (st->n_offers == 1)
            accept(b, st, &st->offers[0]);
        else
            which_offer(b, st);
        return;
    }
    /* naming the ladder's next rung only puts it on the table, so a
     * message the model is unsure of may still do that */
    if (unclear(b->in)) {
        if (st->phase != HF_PHASE_OFFERING || !counter_asked_rung(b, st))
            clarify(b, st);
        return;
    }
    if (r->intent != HF_INTENT_OTHER) /* understood: start counting over */
        st->clarifications = 0;
    if (st->phase == HF_PHASE_NOT_ELIGIBLE) {
        if (r->intent == HF_INTENT_ASK_AGENT || r->intent == HF_INTENT_QUESTION)
            escalate(b, st, HF_BRANCH_ASKS_AGENT,
                     "the customer wants help with an order that cannot be "
                     "cancelled");
        else
            not_eligible(b, st);
        return;
    }
    if (st->phase == HF_PHASE_OFFERING)
        while_offering(b, st, r);
    else
        while_starting(b, st, r);
}

/* A choice made on the self-service page. */
static hf_rc choice_turn(turn_builder *b, hf_convo_state *st, hf_err *err)
{
    if (st->phase == HF_PHASE_CLOSED)
        return hf_fail(err, HF_ECONFLICT, "conversation_closed", NULL,
                       "this request is already %s",
                       hf_outcome_name(st->outcome));
    switch (b->in->kind) {
    case HF_INPUT_ACCEPT: {
        const hf_offer *o = chosen_offer(b->in, st);
        if (o == NULL)
            return hf_fail(err, HF_EINVAL, "unknown_offer", "accept",
                           "offer %s is not on the table", b->in->offer_id);
        accept(b, st, o);
        return HF_OK;
    }
    case HF_INPUT_DECLINE:
        if (st->phase == HF_PHASE_NOT_ELIGIBLE)
            not_eligible(b, st);
        else
            cancel(b, st, HF_BRANCH_DECLINES, NULL);
        return HF_OK;
    default:
        escalate(b, st, HF_BRANCH_ASKS_AGENT,
                 "the customer asked for a person");
        return HF_OK;
    }
}

hf_rc hf_engine_turn(const hf_engine_input *in, hf_convo_state *st, hf_arena *a,
                     hf_turn *out, hf_err *err)
{
    memset(out, 0, sizeof(*out));
    hf_convo_state next = *st;
    turn_builder b = {in, a, out, 0, false, false};
    if (in->kind == HF_INPUT_MESSAGE) {
        message_turn(&b, &next);
    } else {
        hf_rc rc = choice_turn(&b, &next, err);
        if (rc != HF_OK)
            return rc;
    }
    if (b.oom || out->reply == NULL)
        return hf_fail(err, HF_ENOMEM, NULL, NULL, "out of memory");
    *st = next;
    return HF_OK;
}

hf_rc hf_engine_offer_failed(const hf_engine_input *in, hf_convo_state *st,
                             const char *offer_id, const char *message,
                             hf_arena *a, hf_turn *out, hf_err *err)
{
    memset(out, 0, sizeof(*out));
    hf_convo_state next = *st;
    turn_builder b = {in, a, out, 0, false, false};
    if (next.outcome == HF_OUTCOME_RETAINED) { /* undo the acceptance */
        next.outcome = HF_OUTCOME_OPEN;
        next.phase = HF_PHASE_OFFERING;
        memset(&next.accepted, 0, sizeof(next.accepted));
    }
    table_offers(in, &next);
    int kept = 0;
    for (int i = 0; i < next.n_offers; i++)
        if (strcmp(next.offers[i].id, offer_id) != 0)
            next.offers[kept++] = next.offers[i];
    next.n_offers = kept;
    if (kept == 0) {
        next.phase = HF_PHASE_OFFERING;
        say(&b,
            "Sorry, I could not apply that offer (%s). Shall I cancel order "
            "%s, or would you like to talk to a person?",
            message, in->facts->number);
    } else {
        say(&b,
            "Sorry, I could not apply that offer (%s). These are still "
            "open:%s",
            message, offer_list(&next, a));
    }
    decide(&b, "offer_unavailable", message, 0);
    if (b.oom || out->reply == NULL)
        return hf_fail(err, HF_ENOMEM, NULL, NULL, "out of memory");
    *st = next;
    return HF_OK;
}
