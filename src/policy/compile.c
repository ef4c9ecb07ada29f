/*
 * compile.c - a policy's logical lines into a plan.
 *
 * Each line is read on its own first (line.c: its marks, its concepts, its
 * figures), then placed: a condition opens a branch that covers the lines
 * nested under it, or, when it has no steps of its own and nothing nested,
 * the sibling lines after it up to the next condition or section label. A
 * Markdown heading or a label line ("Escalation:") starts a section; the
 * follow-up section means "accepts" for lines that state no condition.
 *
 * Within a branch each action happens once: a later line that says the
 * same thing again ("notify", then "send a follow-up message") adds its
 * tool or message to the first. Offers likewise, by kind, so a ladder
 * written over two lines stays one offer.
 */
#include "policy/line.h"
#include "util/mem.h"

#include <string.h>

/* An open section or branch while placing lines. */
typedef struct scope {
    int depth;           /* of the line that opened it */
    hf_branch branch;    /* HF_BRANCH_COUNT: inherits the enclosing one */
    bool flat_ok;        /* may cover the siblings after it */
    bool has_children;   /* the line after it was nested under it */
    bool fresh;          /* no line placed since it opened */
    const char *remarks; /* a label of prose for people ("Notes"): its
                            text; NULL otherwise */
} scope;

/* Everything while compiling one document. */
typedef struct compiler {
    hf_plan *p;
    hf_line_ctx lc; /* what line.c needs */
    size_t cap_offers, cap_lines;
    size_t cap_actions[HF_BRANCH_COUNT];
    scope *scopes; /* the open ones, innermost last (in the work arena) */
    size_t n_scopes, cap_scopes;
} compiler;

/* --- Placing a line ------------------------------------------------------ */

static bool opens_scope(const hf_line_reading *r)
{
    return r->label || r->cond != HF_BRANCH_COUNT || r->remark_label;
}

/* How many of the open scopes a line at depth d leaves open. */
static size_t surviving(const compiler *c, int d, bool opener)
{
    size_t k = c->n_scopes;
    while (k > 0) {
        const scope *s = &c->scopes[k - 1];
        if (s->depth < d)
            break;
        if (s->depth == d && s->flat_ok && !s->has_children && !opener)
            break;
        k--;
    }
    return k;
}

/* The text of the remark label a line at depth d stays under, or NULL. */
static const char *remarks_over(const compiler *c, int d, bool opener)
{
    for (size_t k = surviving(c, d, opener); k > 0; k--)
        if (c->scopes[k - 1].remarks != NULL)
            return c->scopes[k - 1].remarks;
    return NULL;
}

/* Closes the scopes that end before a line at depth d. */
static void close_scopes(compiler *c, int d, bool opener)
{
    c->n_scopes = surviving(c, d, opener);
    if (c->n_scopes > 0 && c->scopes[c->n_scopes - 1].fresh) {
        scope *s = &c->scopes[c->n_scopes - 1];
        s->has_children = d > s->depth;
        s->fresh = false;
    }
}

static hf_branch enclosing(const compiler *c)
{
    for (size_t i = c->n_scopes; i > 0; i--)
        if (c->scopes[i - 1].branch != HF_BRANCH_COUNT)
            return c->scopes[i - 1].branch;
    return HF_BRANCH_ALWAYS;
}

/* The branch of line r at depth d, opening its scope when it has one. */
static bool place(compiler *c, const hf_outline_line *l, hf_line_reading *r)
{
    const char *remarks = NULL;
    if (r->remark_label) {
        remarks = hf_arena_strndup(c->lc.work, l->text,
                                   r->run_in ? r->run_in : l->len);
        if (remarks == NULL)
            return false;
    }
    close_scopes(c, l->depth, opens_scope(r));
    hf_branch outer = enclosing(c);
    if (r->cond != HF_BRANCH_COUNT)
        r->branch = r->cond;
    else if (r->section && (r->label || outer == HF_BRANCH_ALWAYS))
        r->branch = HF_BRANCH_ACCEPTS;
    else
        r->branch = outer;
    if (!opens_scope(r))
        return true;
    if (!hf_policy_grow(c->lc.work, (void **)&c->scopes, c->n_scopes,
                        &c->cap_scopes, sizeof(scope)))
        return false;
    hf_branch own = r->cond != HF_BRANCH_COUNT ? r->cond
                    : r->section               ? HF_BRANCH_ACCEPTS
                    : l->heading               ? HF_BRANCH_ALWAYS
                                               : HF_BRANCH_COUNT;
    c->scopes[c->n_scopes++] = (scope){
        .depth = l->depth,
        .branch = own,
        .flat_ok = r->n_acts == 0 && r->n_offers == 0 && r->run_in == 0,
        .fresh = true,
        .remarks = remarks,
    };
    return true;
}

/* --- Adding to the plan -------------------------------------------------- */

static bool add_action(compiler *c, hf_branch b, const hf_plan_action *act)
{
    hf_plan *p = c->p;
    for (size_t i = 0; i < p->n_actions[b]; i++) {
        hf_plan_action *old = &p->actions[b][i];
        if (old->kind != act->kind)
            continue;
        if (old->tool == HF_TOOL_COUNT)
            old->tool = act->tool;
        if (old->message == NULL)
            old->message = act->message;
        if (old->ref == NULL)
            old->ref = act->ref;
        return true;
    }
    if (!hf_policy_grow(p->arena, (void **)&p->actions[b], p->n_actions[b],
                        &c->cap_actions[b], sizeof(*act)))
        return false;
    p->actions[b][p->n_actions[b]++] = *act;
    return true;
}

/* Adds offer o, or fills in the figures of the offer of its kind; more
 * adds its percentages as further rungs ("If they turn that down, go up
 * to 15%"). */
static bool add_offer(compiler *c, const hf_plan_offer *o, bool more)
{
    hf_plan *p = c->p;
    for (size_t i = 0; i < p->n_offers; i++) {
        hf_plan_offer *old = &p->offers[i];
        if (old->kind != o->kind)
            continue;
        for (size_t k = 0; more && k < o->n_percents; k++) {
            bool have = false;
            for (size_t j = 0; j < old->n_percents; j++)
                have |= old->percents[j] == o->percents[k];
            if (!have && old->n_percents < HF_PLAN_LADDER_MAX)
                old->percents[old->n_percents++] = o->percents[k];
        }
        if (old->n_percents == 0) {
            memcpy(old->percents, o->percents, sizeof(o->percents));
            old->n_percents = o->n_percents;
        }
        if (old->valid_days == 0)
            old->valid_days = o->valid_days;
        return true;
    }
    if (!hf_policy_grow(p->arena, (void **)&p->offers, p->n_offers,
                        &c->cap_offers, sizeof(*o)))
        return false;
    p->offers[p->n_offers++] = *o;
    return true;
}

/* Applies what line r says to the plan. */
static bool apply(compiler *c, const hf_line_reading *r)
{
    hf_plan *p = c->p;
    if (r->rule && !p->has_cancel_window) {
        p->has_cancel_window = true;
        p->last_cancellable = r->last;
    }
    if ((r->trigger || r->kind == HF_LINE_REMARK) && r->ref != NULL)
        p->cancel_policy = r->ref;
    for (size_t i = 0; i < r->n_acts; i++) {
        if (!add_action(c, r->branch, &r->acts[i]))
            return false;
        if (r->acts[i].kind == HF_ACT_CANCEL && p->cancel_policy == NULL)
            p->cancel_policy = r->acts[i].ref;
    }
    for (size_t i = 0; i < r->n_offers; i++)
        if (!add_offer(c, &r->offers[i], r->continues))
            return false;
    return true;
}

static bool add_line(compiler *c, const hf_outline_line *l,
                     const hf_line_reading *r)
{
    hf_plan *p = c->p;
    if (!hf_policy_grow(p->arena, (void **)&p->lines, p->n_lines, &c->cap_lines,
                        sizeof(hf_plan_line)))
        return false;
    hf_plan_line *pl = &p->lines[p->n_lines++];
    pl->line = l->line;
    pl->col = l->col;
    pl->kind = r->kind;
    pl->branch = r->branch;
    pl->text = hf_arena_strndup(p->arena, l->text, l->len);
    pl->reading = hf_line_describe(p->arena, r);
    return pl->text != NULL && pl->reading != NULL;
}

/* --- The document -------------------------------------------------------- */

/* Sorts diagnostics by position, keeping the order of equal ones. */
static void sort_diags(hf_plan *p)
{
    for (size_t i = 1; i < p->n_diags; i++) {
        hf_policy_diag d = p->diags[i];
        size_t j = i;
        while (j > 0 && (p->diags[j - 1].line > d.line ||
                         (p->diags[j - 1].line == d.line &&
                          p->diags[j - 1].col > d.col))) {
            p->diags[j] = p->diags[j - 1];
            j--;
        }
        p->diags[j] = d;
    }
}

static hf_rc compile_lines(compiler *c, const hf_outline_line *lines, size_t n)
{
    bool trigger_block = false; /* the paragraph opens with a trigger */
    for (size_t i = 0; i < n; i++) {
        hf_line_reading r;
        hf_arena_reset(c->lc.scratch);
        size_t diags = c->p->n_diags;
        hf_rc rc = hf_line_read(&c->lc, &lines[i], &r);
        const char *remarks = remarks_over(c, lines[i].depth, r.label);
        if (rc == HF_OK && remarks != NULL && !r.label)
            rc = hf_line_remark(&c->lc, &lines[i], &r, diags, remarks);
        else if (rc == HF_OK && lines[i].sentence > 0 && trigger_block)
            hf_line_trigger_more(&c->lc, &r, diags);
        if (lines[i].sentence == 0)
            trigger_block = r.kind == HF_LINE_TRIGGER;
        if (rc != HF_OK)
            return rc;
        if (lines[i].heading)
            c->lc.last_cond = HF_BRANCH_COUNT;
        if (r.cond != HF_BRANCH_COUNT)
            c->lc.last_cond = r.cond;
        if (!place(c, &lines[i], &r) || !apply(c, &r) ||
            !add_line(c, &lines[i], &r))
            return HF_ENOMEM;
    }
    sort_diags(c->p);
    return HF_OK;
}

static hf_rc compile_doc(compiler *c, const char *text, size_t len)
{
    hf_outline_line *lines;
    size_t n;
    hf_rc rc = hf_policy_outline(c->lc.work, text, len, &c->lc.map, &lines, &n);
    if (rc != HF_OK)
        return rc;
    c->lc.lx = hf_lexicon_new(c->lc.work);
    if (c->lc.lx == NULL)
        return HF_ENOMEM;
    rc = compile_lines(c, lines, n);
    hf_lexicon_free(c->lc.lx);
    return rc;
}

static hf_plan *plan_new(const char *name)
{
    hf_arena *a = hf_arena_new(0);
    hf_plan *p = a ? hf_arena_zalloc(a, sizeof(*p)) : NULL;
    if (p == NULL) {
        hf_arena_free(a);
        return NULL;
    }
    p->arena = a;
    p->name = hf_arena_strdup(a, name ? name : "");
    p->last_cancellable = HF_STATUS_PACKED;
    return p;
}

hf_rc hf_policy_compile(const char *name, const char *text, size_t len,
                        const hf_policy_env *env, hf_plan **out)
{
    *out = NULL;
    if (len > HF_POLICY_MAX_BYTES)
        return HF_ETOOBIG;
    if (text == NULL && len > 0)
        return HF_EINVAL;
    compiler c = {.p = plan_new(name)};
    c.lc.plan = c.p;
    c.lc.env = env;
    c.lc.last_cond = HF_BRANCH_COUNT;
    c.lc.work = hf_arena_new(0);
    c.lc.scratch = hf_arena_new(0);
    hf_rc rc = HF_ENOMEM;
    if (c.p != NULL && c.p->name != NULL && c.lc.work != NULL &&
        c.lc.scratch != NULL)
        rc = compile_doc(&c, text ? text : "", len);
    hf_arena_free(c.lc.work);
    hf_arena_free(c.lc.scratch);
    if (rc != HF_OK) {
        hf_plan_free(c.p);
        return rc;
    }
    *out = c.p;
    return HF_OK;
}

void hf_plan_free(hf_plan *p)
{
    if (p != NULL)
        hf_arena_free(p->arena);
}
