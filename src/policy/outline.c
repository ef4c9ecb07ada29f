/*
 * outline.c - a policy's Markdown as a list of logical lines.
 *
 * md4c parses the document (lists, headings, emphasis, code); this file
 * only collects the plain text of each block with the source offset of
 * every byte, so that diagnostics point at the right line and column.
 *
 * A block becomes one logical line, except that a paragraph is split
 * where a source line ends a sentence (". ! ? :") or has a hard break,
 * and where text pasted from a web page runs items together ("... it. -
 * Shipping Upgrade: ..."). A source line that does not end a sentence
 * continues the logical line: "Use\n@set_discount_to_order\nto offer"
 * reads as one instruction. A table row is one line, its cells set off
 * as clauses ("Discount; 10% or 15%; @set_discount_to_order"); the header
 * row is a label. Code blocks and raw HTML are ignored.
 */
#include "policy/policy_int.h"
#include "util/mem.h"

#include <md4c.h>
#include <string.h>

/* State while md4c walks the document. */
typedef struct builder {
    hf_arena *a;
    const char *doc;
    size_t len;
    const hf_srcmap *map;
    char *buf;      /* the logical line being collected (hf_malloc) */
    int32_t *offs;  /* source offset of each byte of buf */
    size_t n, cap;  /* bytes used and allocated in buf/offs */
    int lists;      /* open lists and quotes: the nesting depth */
    int heading;    /* level of the open heading, 0 when none */
    int skip;       /* open code or HTML blocks: text ignored */
    bool header;    /* inside a table's header row */
    int chain;      /* sentences of the block emitted so far */
    size_t lead_to; /* end of a bold or italic span that opens the text
                       ("**Eligibility.** An order ..."), 0 when none */
    bool lead;      /* that span is open */
    size_t strong_from, strong_to; /* the last bold span of buf */
    bool strong;                   /* buf has had a bold span */
    hf_outline_line *lines;
    size_t n_lines, cap_lines;
    bool failed; /* out of memory */
} builder;

bool hf_policy_grow(hf_arena *a, void **p, size_t n, size_t *cap, size_t size)
{
    if (n < *cap)
        return true;
    size_t nc = *cap ? *cap * 2 : 16;
    void *q = hf_arena_alloc(a, nc * size);
    if (q == NULL)
        return false;
    if (n > 0)
        memcpy(q, *p, n * size);
    *p = q;
    *cap = nc;
    return true;
}

void hf_srcmap_pos(const hf_srcmap *map, int32_t off, int *line, int *col)
{
    size_t lo = 0, hi = map->n;
    while (hi - lo > 1) { /* the last start <= off */
        size_t mid = lo + (hi - lo) / 2;
        if (map->starts[mid] <= off)
            lo = mid;
        else
            hi = mid;
    }
    *line = (int)lo + 1;
    *col = (int)(off - map->starts[lo]) + 1;
}

static bool map_build(hf_arena *a, const char *doc, size_t len, hf_srcmap *m)
{
    size_t n = 1;
    for (size_t i = 0; i < len; i++)
        n += doc[i] == '\n';
    int32_t *s = hf_arena_alloc(a, n * sizeof(*s));
    if (s == NULL)
        return false;
    s[0] = 0;
    for (size_t i = 0, k = 1; i < len; i++)
        if (doc[i] == '\n')
            s[k++] = (int32_t)(i + 1);
    m->starts = s;
    m->n = n;
    return true;
}

static void put(builder *b, const char *s, size_t n, int32_t off, bool real)
{
    if (b->failed || b->skip > 0)
        return;
    if (b->n + n > b->cap) {
        size_t nc = b->cap ? b->cap : 256;
        while (nc < b->n + n)
            nc *= 2;
        char *nb = hf_realloc(b->buf, nc);
        if (nb != NULL)
            b->buf = nb;
        int32_t *no = nb ? hf_realloc(b->offs, nc * sizeof(*no)) : NULL;
        if (no == NULL) {
            b->failed = true;
            return;
        }
        b->offs = no;
        b->cap = nc;
    }
    for (size_t i = 0; i < n; i++) {
        b->buf[b->n] = s[i];
        b->offs[b->n++] = real ? off + (int32_t)i : off;
    }
}

/* Appends one logical line from buf[from..to) (trimmed) to the list. */
static void emit(builder *b, size_t from, size_t to)
{
    while (from < to && (b->buf[from] == ' ' || b->buf[from] == '\t'))
        from++;
    while (to > from && (b->buf[to - 1] == ' ' || b->buf[to - 1] == '\t'))
        to--;
    if (from == to || b->failed)
        return;
    size_t n = to - from;
    char *t = hf_arena_alloc(b->a, n + 1);
    int32_t *o = hf_arena_alloc(b->a, n * sizeof(*o));
    if (t == NULL || o == NULL ||
        !hf_policy_grow(b->a, (void **)&b->lines, b->n_lines, &b->cap_lines,
                        sizeof(*b->lines))) {
        b->failed = true;
        return;
    }
    memcpy(t, b->buf + from, n);
    t[n] = '\0';
    memcpy(o, b->offs + from, n * sizeof(*o));
    hf_outline_line *l = &b->lines[b->n_lines++];
    l->text = t;
    l->len = n;
    l->offs = o;
    hf_srcmap_pos(b->map, o[0], &l->line, &l->col);
    l->heading = b->heading > 0;
    l->bold = b->strong && b->strong_from <= from && b->strong_to >= to;
    /* each sentence of a block is nested under the one before, so that
     * "If they accept, apply it. Then thank them." thanks on accepts */
    l->depth = b->heading > 0 ? b->heading - 7 : b->lists + b->chain;
    l->sentence = b->chain;
    b->chain++;
    l->header = b->header;
}

/* True at buf[i] = '-' that runs a pasted item into the previous one:
 * ". - X", ") - X" with X a capital letter. */
static bool run_in_item(const builder *b, size_t i)
{
    if (i < 2 || i + 2 >= b->n)
        return false;
    char before = b->buf[i - 2], after = b->buf[i + 2];
    return b->buf[i - 1] == ' ' && b->buf[i + 1] == ' ' &&
           (before == '.' || before == ')' || before == '!') && after >= 'A' &&
           after <= 'Z';
}

/* True at buf[i] = '.', '!' or '?' that ends a sentence inside a line:
 * a space, then a capital letter ("apply it. If they say no, ..."), not
 * inside a quoted message. */
static bool sentence_end(const builder *b, size_t i, bool quoted)
{
    if (quoted || strchr(".!?", b->buf[i]) == NULL || i + 2 >= b->n ||
        b->buf[i + 1] != ' ' || (b->lead_to > 0 && i <= b->lead_to))
        return false; /* a run-in title ends with its span */
    size_t j = i + 1;
    while (j < b->n &&
           (b->buf[j] == ' ' || b->buf[j] == '*' || b->buf[j] == '_'))
        j++;
    return j < b->n && b->buf[j] >= 'A' && b->buf[j] <= 'Z';
}

/* Emits the text so far as logical lines: one per item run in by a paste
 * (siblings) and per sentence (each nested under the one before). A
 * block's end (end) starts the next block's sentences afresh. */
static void flush_text(builder *b, bool end)
{
    size_t from = 0;
    bool quoted = false;
    for (size_t i = 0; i < b->n; i++) {
        const unsigned char *c = (const unsigned char *)b->buf + i;
        if (c[0] == '"' || (i + 2 < b->n && c[0] == 0xE2 && c[1] == 0x80 &&
                            (c[2] == 0x9C || c[2] == 0x9D)))
            quoted = c[0] == '"' ? !quoted : c[2] == 0x9C;
        if (b->buf[i] == '-' && run_in_item(b, i)) {
            emit(b, from, i);
            b->chain = 0;
            from = i + 1;
        } else if (sentence_end(b, i, quoted)) {
            emit(b, from, i + 1);
            from = i + 1;
        }
    }
    emit(b, from, b->n);
    b->n = 0;
    b->strong = false;
    b->lead_to = 0;
    if (end)
        b->chain = 0;
}

/* Ends the block's text. */
static void flush(builder *b)
{
    flush_text(b, true);
}

/* True when the text so far ends a sentence, so a soft break ends the
 * logical line too. */
static bool ends_sentence(const builder *b)
{
    size_t i = b->n;
    while (i > 0 && strchr(" \t*_\"')", b->buf[i - 1]) != NULL)
        i--;
    return i > 0 && strchr(".!?:", b->buf[i - 1]) != NULL;
}

static int enter_block(MD_BLOCKTYPE type, void *detail, void *user)
{
    builder *b = user;
    if (type == MD_BLOCK_TH || type == MD_BLOCK_TD) {
        /* a table row is one line; its cells are clauses of it */
        if (b->n > 0)
            put(b, "; ", 2, b->offs[b->n - 1] + 1, false);
        return b->failed ? -1 : 0;
    }
    flush(b);
    if (type == MD_BLOCK_THEAD)
        b->header = true;
    if (type == MD_BLOCK_UL || type == MD_BLOCK_OL || type == MD_BLOCK_QUOTE)
        b->lists++;
    else if (type == MD_BLOCK_H)
        b->heading = (int)((MD_BLOCK_H_DETAIL *)detail)->level;
    else if (type == MD_BLOCK_CODE || type == MD_BLOCK_HTML)
        b->skip++;
    return b->failed ? -1 : 0;
}

static int leave_block(MD_BLOCKTYPE type, void *detail, void *user)
{
    builder *b = user;
    (void)detail;
    if (type == MD_BLOCK_TH || type == MD_BLOCK_TD)
        return 0;
    flush(b);
    if (type == MD_BLOCK_THEAD)
        b->header = false;
    if (type == MD_BLOCK_UL || type == MD_BLOCK_OL || type == MD_BLOCK_QUOTE)
        b->lists--;
    else if (type == MD_BLOCK_H)
        b->heading = 0;
    else if (type == MD_BLOCK_CODE || type == MD_BLOCK_HTML)
        b->skip--;
    return b->failed ? -1 : 0;
}

static int enter_span(MD_SPANTYPE type, void *detail, void *user)
{
    builder *b = user;
    (void)detail;
    if (type == MD_SPAN_STRONG)
        b->strong_from = b->n;
    if ((type == MD_SPAN_STRONG || type == MD_SPAN_EM) && b->n == 0)
        b->lead = true;
    return 0;
}

static int leave_span(MD_SPANTYPE type, void *detail, void *user)
{
    builder *b = user;
    (void)detail;
    if (type == MD_SPAN_STRONG) {
        b->strong_to = b->n;
        b->strong = true;
    }
    if ((type == MD_SPAN_STRONG || type == MD_SPAN_EM) && b->lead) {
        b->lead_to = b->n;
        b->lead = false;
    }
    return 0;
}

static int text(MD_TEXTTYPE type, const MD_CHAR *s, MD_SIZE size, void *user)
{
    builder *b = user;
    int32_t last = b->n > 0 ? b->offs[b->n - 1] + 1 : 0;
    bool inside = s >= b->doc && s + size <= b->doc + b->len;
    if (type == MD_TEXT_HTML || b->skip > 0)
        return 0;
    if (type == MD_TEXT_BR) {
        flush_text(b, false);
    } else if (type == MD_TEXT_SOFTBR) {
        if (ends_sentence(b))
            flush_text(b, false);
        else
            put(b, " ", 1, last, false);
    } else if (type == MD_TEXT_NULLCHAR || !inside) {
        put(b, "\xEF\xBF\xBD", 3, last, false); /* U+FFFD */
    } else {
        put(b, s, size, (int32_t)(s - b->doc), true);
    }
    return b->failed ? -1 : 0;
}

hf_rc hf_policy_outline(hf_arena *a, const char *doc, size_t len,
                        hf_srcmap *map, hf_outline_line **out, size_t *n)
{
    builder b = {.a = a, .doc = doc, .len = len, .map = map};
    *out = NULL;
    *n = 0;
    if (!map_build(a, doc, len, map))
        return HF_ENOMEM;
    MD_PARSER p = {
        .abi_version = 0,
        .flags = MD_FLAG_NOINDENTEDCODEBLOCKS | MD_FLAG_TABLES,
        .enter_block = enter_block,
        .leave_block = leave_block,
        .enter_span = enter_span,
        .leave_span = leave_span,
        .text = text,
    };
    int r = md_parse(doc, (MD_SIZE)len, &p, &b);
    flush(&b);
    hf_free(b.buf);
    hf_free(b.offs);
    if (b.failed || r != 0)
        return HF_ENOMEM;
    *out = b.lines;
    *n = b.n_lines;
    return HF_OK;
}
