/*
 * lexicon.c - what the words of a policy line mean.
 *
 * A line is read as a list of normalized words (lower case, punctuation
 * dropped, each with its Snowball English stem from libstemmer, so that
 * "cancelling", "canceling", "cancelled" and "cancellation" are one word).
 * The lexicon is one table of concepts in priority order; each concept has
 * phrases. A phrase is words separated by spaces, where
 *
 *   a|b|c   any of these words (compared by stem, or as written)
 *   =word   this word exactly as written, not by stem ("=shipped" is not
 *           "shipping")
 *   *       up to 3 other words in between; *N: up to N
 *   +       (last) the rest of the clause belongs to this match: what
 *           follows "notify the customer that" is the message, not an
 *           instruction
 *   ^       (first) the line starts here
 *   .       a clause ends here: the next word follows , ; : . ! ? or a
 *           dash, or the line ends ("^ yes ." is "Yes: ..." or "Yes, ...",
 *           not "Yes we can")
 *
 * The words of a phrase lie in one clause: neither a gap nor "+" spans a
 * clause break, so "if they still want out, cancel the order" is not
 * "still want ... cancel"; a gap may step over a clause set off by a pair
 * of breaks ("if the customer, however, accepts"), never over a sentence
 * end. "#" in a phrase is a #Policy reference.
 *
 * Concepts are tried in table order and a word belongs to at most one
 * match, so "ask the customer if they are interested" is a question (the
 * "ask ... if" concept comes first) and not the condition "if interested".
 * Quoted text ("..." or curly quotes) is a message and is never matched.
 * docs/policy-language.md lists the table for people.
 */
#include "policy/policy_int.h"

#include <libstemmer.h>
#include <string.h>

#define P(...)                                                                 \
    (const char *const[])                                                      \
    {                                                                          \
        __VA_ARGS__, NULL                                                      \
    }

/* Words that name the customer, for phrases. */
#define WHO "customer|customers|user|users|shopper|shoppers|buyer|client|them"
/* Words that open a condition: "if", "should they", "in the event that",
 * "in case", "where", "provided that"; "unless" too, which line.c turns
 * from "accepts" into "declines" or reports. */
#define IF                                                                     \
    "if|should|when|whenever|once|after|where|provided|providing|assuming|"    \
    "event|case|unless"
/* Words that name a person on the merchant's side, for "ask for" and
 * "hand over to". */
#define PERSON                                                                 \
    "human|humans|person|agent|agents|representative|rep|someone|somebody|"    \
    "manager|supervisor|people|teammate|teammates|colleague|colleagues|"       \
    "advisor|adviser|operator|specialist|staff"

/* Who the bot is, for "You are Acme's support assistant". */
#define HELPER "assistant|assistants|bot|chatbot|helper|concierge|team|" PERSON

static const hf_concept table[] = {
    /* Another system acts; holdfast does nothing (an email the store
     * platform sends itself). Ends the reading of the line. */
    {"another system acts", HF_ROLE_NOTE, 0,
     P("will also send|email|notify", "also sends|emails",
       "automatically send|sends|email|emails",
       "=gladly|=magento|=kustomer|=bigcommerce|=shopify|=zendesk|=gorgias|"
       "platform|helpdesk *3 send|sends|email|emails|notify|notifies")},

    /* Eligibility: the last status in which cancelling is allowed. */
    {"cancellable until shipment", HF_ROLE_RULE, HF_STATUS_PACKED,
     P("cancel|cancellable|cancelable|eligible|window *6 until|till|before *6 "
       "ship|=shipped|=ships|shipment|dispatch|dispatched|leaves",
       "cancel|cancellable|cancelable|eligible|window . until|till|before *6 "
       "ship|=shipped|=ships|shipment|dispatch|dispatched|leaves",
       "cancel|cancellable|cancelable|eligible|window *6 up to *6 "
       "ship|=shipped|shipment|dispatch|dispatched")},
    {"cancellable until packing", HF_ROLE_RULE, HF_STATUS_PICKING,
     P("cancel|cancellable|cancelable|eligible|window *6 until|till|before *6 "
       "pack|packed|packing|packaged",
       "cancel|cancellable|cancelable|eligible|window . until|till|before *6 "
       "pack|packed|packing|packaged",
       "cancel|cancellable|cancelable|eligible|window *6 up to *6 "
       "pack|packed|packing|packaged")},
    {"cancellable until picking", HF_ROLE_RULE, HF_STATUS_ALLOCATED,
     P("cancel|cancellable|cancelable|eligible|window *6 until|till|before|up "
       "*6 pick|picked|picking")},

    /* A question to the customer, before conditions claim its "if". */
    {"ask about the offers", HF_ROLE_ACTION, HF_ACT_PRESENT_OFFERS,
     P("ask|asks *4 if|whether|which", "ask|asks *4 interest|interested",
       "see|check|find *2 if|whether *4 interest|interested")},

    /* Prose for people, before conditions claim "keep the order": who the
     * bot is and how to sound (no step), and what the policy is for (when
     * it applies, like the trigger below: "we try to keep the order before
     * we hand them over to the #X" names the cancelling policy). */
    {"the reader's role", HF_ROLE_REMARK, 0,
     P("^ you|we are *4 " HELPER, "^ youre|were *4 " HELPER)},
    {"the policy's aim", HF_ROLE_TRIGGER, 0,
     P("goal|aim|aims|job|purpose|mission|priority|objective|try|tries|"
       "trying *4 keep|save|retain|rescue *3 order|orders|sale|sales|"
       "customer|customers|it|them",
       "# *2 come|comes|follow|follows|kick|kicks|take|takes *2 "
       "after|afterwards|over|next|later|in|only",
       "# *1 apply|applies|run|runs .",
       "^ then|afterwards|after|next|followed *2 # .")},
    {"why it matters", HF_ROLE_REMARK, 0,
     P("lose|losing *3 customer|customers|order|orders|sale|sales")},
    {"a cap on the discount", HF_ROLE_REMARK, 0,
     P("never|not|no *2 above|over|beyond|exceed|exceeding|more *3 "
       "percent|max|maximum|cap|limit|$")},
    {"tone", HF_ROLE_REMARK, 0,
     P("^ be|stay|sound|keep|remain *3 warm|friendly|polite|kind|brief|"
       "concise|short|calm|empathetic|patient|professional|positive|honest|"
       "respectful|courteous|clear|natural",
       "tone|voice", "sound|sounds *2 scripted|robotic|pushy|natural",
       "be *2 pushy|rude|aggressive|robotic|scripted|defensive|curt|salesy|"
       "argumentative",
       "first name")},

    /* Conditions: what the customer said, or the order's state. */
    {"not eligible (shipped)", HF_ROLE_CONDITION, HF_BRANCH_NOT_ELIGIBLE,
     P("already *2 =shipped|=dispatched|=sent|=delivered|=packed|=left|"
       "=received|shipped|dispatched",
       "=shipped|=dispatched|=delivered *1 already",
       "after *3 shipment|=shipped|=ships|=dispatched|=dispatch|=delivered|"
       "=delivery",
       "once *3 =shipped|=ships|=dispatched|=delivered|shipment",
       "has|have|been|is|was *1 =shipped|=dispatched|=delivered",
       "cannot|cant *2 be *1 cancel|cancelled|canceled",
       "cannot|cant|unable|impossible *2 cancel|cancelled|canceled",
       "too late *3 cancel|cancelled|canceled",
       "no longer *3 =cancelled|=canceled|=cancellable|=cancelable|=eligible|"
       "=possible",
       "not|isnt *2 =eligible|=cancellable|=cancelable", "too late",
       "in transit")},
    {"insists", HF_ROLE_CONDITION, HF_BRANCH_INSISTS,
     P("insist|insists|insisted|insisting",
       "still *3 want|wants|wish|wishes|prefer|prefers|choose|chooses|"
       "decide|decides *3 cancel",
       "wont|doesnt|dont|not *3 change *3 mind",
       "persist|persists|adamant|determined",
       "keep|keeps *2 ask|asks|asking *3 cancel", "want|wants|wanted *1 out",
       "wont|doesnt *1 budge", "set|bent|intent on *2 cancel")},
    {"asks for a person", HF_ROLE_CONDITION, HF_BRANCH_ASKS_AGENT,
     P("ask|asks|asked|request|requests|want|wants|demand|demands|prefer|"
       "prefers *3 " PERSON,
       "speak|speaks|talk|talks *3 " PERSON, "chat|chats with *2 " PERSON,
       "real *1 person|human")},
    {"declines", HF_ROLE_CONDITION, HF_BRANCH_DECLINES,
     P("decline|declines|declined|declining",
       "accept|accepts|take|takes|want|wants|choose|chooses *1 none|neither",
       "say|says|said *2 no thank|thanks",
       "refuse|refuses|refused|refusing|reject|rejects|rejected",
       "say|says|said|answer|answers *2 no", "turn|turns|turned *3 down",
       "not|isnt|arent|wasnt|longer *2 interest|interested",
       "doesnt|dont|wont|not *2 want|accept|take|like|need *3 "
       "offer|offers|option|options|any|them|it|one",
       "no thank|thanks", "prefer|prefers|rather *1 not", "pass|passes on",
       "push|pushes|pushed *1 back",
       "not|isnt|arent *1 having *1 it|that|any|none",
       "not|isnt|arent|wasnt *2 persuaded|convinced|swayed|tempted|keen",
       "^ no|declined|refused|rejected .")},
    {"has a concern", HF_ROLE_CONDITION, HF_BRANCH_CONCERN,
     P("concern|concerns|concerned", "question|questions", "not *1 sure",
       "=issue|=issues|problem|problems",
       "unhappy|upset|worried|worry|worries|frustrated|angry|dissatisfied|"
       "annoyed|irritated|disappointed",
       "need|needs *2 help",
       "complain|complains|complaint|unsure|confused|confusion")},
    {"accepts", HF_ROLE_CONDITION, HF_BRANCH_ACCEPTS,
     P(IF " *3 accept|accepts|accepted|agree|agrees|agreed",
       "=accept|=accepts|=accepting|=agree|=agrees *3 "
       "offer|offers|option|one|discount|upgrade|swap|coupon|deal",
       IF " *3 say|says|said *2 yes", "if yes|so", IF " *3 on board",
       IF " *3 go|goes|went|opt|opts with",
       IF " *3 go|goes for *1 it|one|offer|that|deal",
       IF " *6 keep|keeps|keeping *2 order|orders|purchase",
       "^ yes|accepted|agreed|accepts|agrees .", IF " *3 interest|interested",
       IF " *3 happy|pleased|content|satisfied|okay|ok|fine",
       IF " *2 choose|chooses|chose|chosen|pick|picks|picked|"
          "select|selects|selected|take|takes|took *2 "
          "offer|option|one|alternative|deal",
       IF " *2 take|takes|accept|accepts *1 it|one",
       "decide|decides|agree|agrees|choose|chooses|want|wants|happy *2 "
       "keep|keeping|stay",
       WHO "|they *1 keep|keeps *2 order|orders|purchase|it|item",
       "for *1 keeping|staying")},

    /* Why the customer is cancelling, before the trigger claims "cancel". */
    {"send the survey", HF_ROLE_ACTION, HF_ACT_SEND_SURVEY,
     P("send|share|email|give|offer *3 survey|questionnaire",
       "survey|surveys|questionnaire", "feedback form",
       "ask|asks *4 why|reason", "reason *3 cancel")},

    /* When the policy applies. */
    {"customer wants to cancel", HF_ROLE_TRIGGER, 0,
     P("want|wants|wish|wishes|ask|asks|asking|request|requests|like|"
       "initiate|initiates|try|tries *4 cancel",
       "cancel *1 request|requests",
       "when *3 customer|customers|shopper|shoppers|user|users|buyer|"
       "buyers *3 cancel")},

    /* A section of steps taken once the customer kept the order. */
    {"follow-up", HF_ROLE_SECTION, HF_BRANCH_ACCEPTS,
     P("follow|=follow *1 up", "followup", "post *1 retention|purchase",
       "after *2 acceptance|retention")},

    /* Actions, in the order their phrases are claimed. Handing over to
     * a #policy is cancelling per that policy, not a person. */
    {"cancel per another policy", HF_ROLE_ACTION, HF_ACT_CANCEL,
     P("hand|hands|pass|passes|turn|turns|move|moves|send|sends|refer|refers|"
       "transfer|transfers *3 over|on|off|to *2 #")},
    {"hand over to a person", HF_ROLE_ACTION, HF_ACT_ROUTE_AGENT,
     P("route|routes|transfer|transfers|hand|hands|pass|passes|escalate|"
       "forward|assign|connect|refer|bring|loop|get|put|involve|call *5 "
       "support|team|" PERSON,
       "escalate|escalates|escalation", "hand|hands *3 over|off",
       "agent *2 queue")},
    {"tell the customer", HF_ROLE_ACTION, HF_ACT_NOTIFY,
     P("notify|notifies|notification|inform|informs|tell|tells +",
       "let|lets *3 know +",
       "send|sends|email|emails|text|message *4 message|email|confirmation|"
       "note|text|sms|update|notification|notice|receipt +",
       "receive|receives|get|gets *4 message|email|confirmation|note|"
       "notification|update|receipt +",
       "confirm|confirms *3 " WHO "|cancellation|change|update +",
       "confirm|confirms .", "message|email|update *2 " WHO " +")},
    /* "20% off as a thank-you" describes an offer, it is no step. */
    {"as a thank-you", HF_ROLE_OFFERS, 0, P("as *1 thank *1 you")},
    {"thank", HF_ROLE_ACTION, HF_ACT_THANK,
     P("thank|thanks|thanked", "express|show *2 gratitude|appreciation",
       "reiterate|restate|remind *3 benefit|benefits|bonus|bonuses|perks")},
    {"release the stock", HF_ROLE_ACTION, HF_ACT_RELEASE_STOCK,
     P("release|releases|free|return|put|unreserve *3 stock|inventory|item|"
       "items|reservation|reserved|units",
       "restock|restocks|replenish", "back *3 stock|inventory|shelf|sale",
       "stock *2 back")},
    {"refund", HF_ROLE_ACTION, HF_ACT_REFUND,
     P("refund|refunds|refunded|refunding|reimburse|reimburses",
       "money *1 back",
       "void|reverse|release *3 payment|charge|authorization|authorisation",
       "pay|paid *2 back")},
    {"offer a return instead", HF_ROLE_ACTION, HF_ACT_OFFER_RETURN,
     P("offer|offers|suggest|suggests|propose|start|initiate|open|provide|"
       "arrange|explain *3 return|returns",
       "return *2 instead|label|process|request|option", "instead *2 return")},
    {"apply the accepted offer", HF_ROLE_ACTION, HF_ACT_APPLY_OFFER,
     P("apply|applies|applied|applying|honor|honour|activate|redeem *3 "
       "offer|offers|option|choice|chosen|selected|accepted|agreed|one|"
       "retention|deal|discount|upgrade|swap|coupon|it",
       "offer|option|discount|upgrade|one|choice *4 applied",
       "process|carry *3 offer|option|choice|swap|upgrade",
       "put *3 offer|option|choice|discount|swap|upgrade|coupon|it *1 "
       "through")},
    {"look up the order", HF_ROLE_ACTION, HF_ACT_LOOKUP_ORDER,
     P("look|looks *1 up", "look *2 order",
       "check|checks|review|fetch|retrieve|read|pull|verify|load *3 "
       "order|orders|detail|details|status")},
    {"present the offers", HF_ROLE_ACTION, HF_ACT_PRESENT_OFFERS,
     P("present|presents|show|list|share|mention|explain *3 "
       "offer|offers|option|options|alternative|alternatives",
       "offer|provide|give|propose|suggest *3 alternatives|options|choices")},
    {"the offers at large", HF_ROLE_OFFERS, 0,
     P("cancellation|retention *2 alternative|alternatives|option|options|"
       "offer|offers|step|steps|decision",
       "alternative|alternatives *2 cancellation|cancel")},
    {"cancel the order", HF_ROLE_ACTION, HF_ACT_CANCEL,
     P("cancel|cancels|cancelled|canceled|cancellation",
       "void|abort *2 order")},

    /* Offers. The coupon comes first: "a discount for a future order". */
    {"coupon for a future order", HF_ROLE_OFFER, HF_OFFER_COUPON,
     P("coupon|coupons|voucher|vouchers",
       "discount|credit *3 future|next|later",
       "future|next|later *2 discount|order|purchase|purchases|orders|visit",
       "off *3 next|future|later", "store credit", "gift card",
       "discount|promo|promotional *1 code")},
    {"free shipping upgrade", HF_ROLE_OFFER, HF_OFFER_SHIPPING_UPGRADE,
     P("ship|shipping|delivery *2 upgrade|upgraded",
       "upgrade|upgrades|upgraded *3 ship|shipping|delivery|express|"
       "expedited|faster|priority|overnight",
       "expedited|express|faster|priority|overnight|rush|quicker *2 "
       "ship|shipping|delivery",
       "next|same|two *1 day *1 ship|shipping|delivery",
       "send|ship|deliver *3 express|expedited|priority|overnight|faster",
       "free upgrade")},
    {"swap to an item of equal or higher value", HF_ROLE_OFFER, HF_OFFER_SWAP,
     P("swap|swaps|swapping|swapped", "exchange|exchanges|exchanging",
       "replace|replacing|replacement *4 with|another|different|product|item",
       "another|different|alternative|other *3 product|item|model|size|"
       "color|colour|variant",
       "switch *3 product|item")},
    {"discount on this order", HF_ROLE_OFFER, HF_OFFER_DISCOUNT,
     P("discount|discounts|discounted", "percent *1 off",
       "off *3 order|price|total|purchase", "price *1 reduction|cut|drop",
       "reduce|lower|reduction|cut *3 price|total|cost", "money off")},
};

const hf_concept *hf_lexicon_table(size_t *n)
{
    *n = HF_ARRAY_LEN(table);
    return table;
}

/* --- Prepared phrases ---------------------------------------------------- */

typedef struct alt {
    const char *raw;  /* as written, lower case */
    const char *stem; /* its stem */
    uint32_t raw_hash, stem_hash;
    bool raw_only; /* "=word": compare raw only */
} alt;

typedef struct elem {
    int gap;         /* other words allowed before this one */
    bool tail;       /* "+": the rest of the line */
    bool line_start; /* "^": the line starts here */
    bool clause_end; /* ".": a clause ends here */
    alt *alts;
    size_t n_alts;
} elem;

typedef struct phrase {
    elem *elems;
    size_t n;
    uint64_t first; /* a bit per hash (mod 64) of the first element's
                       words and stems: a token with none of them cannot
                       start the phrase */
} phrase;

typedef struct row {
    const hf_concept *concept;
    phrase *phrases;
    size_t n;
} row;

struct hf_lexicon {
    struct sb_stemmer *stemmer;
    hf_arena *a;
    row rows[HF_ARRAY_LEN(table)];
};

/* FNV-1a of s: compared before the strings themselves. */
static uint32_t hash_of(const char *s)
{
    uint32_t h = 2166136261u;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 16777619u;
    return h;
}

/* One bit for each of two hashes: a 64-bit filter of words. */
static uint64_t hash_bits(uint32_t a, uint32_t b)
{
    return ((uint64_t)1 << (a & 63)) | ((uint64_t)1 << (b & 63));
}

/* The stem of word[0..n) in a; the word itself when not plain ASCII. */
static const char *stem(hf_lexicon *lx, hf_arena *a, const char *w, size_t n)
{
    bool ascii = n <= 40;
    for (size_t i = 0; i < n && ascii; i++)
        ascii = (unsigned char)w[i] < 0x80;
    if (ascii) {
        const sb_symbol *s =
            sb_stemmer_stem(lx->stemmer, (const sb_symbol *)w, (int)n);
        if (s != NULL)
            return hf_arena_strndup(a, (const char *)s,
                                    (size_t)sb_stemmer_length(lx->stemmer));
    }
    return hf_arena_strndup(a, w, n);
}

/* Splits "a|=b" into alternatives. */
static bool prep_alts(hf_lexicon *lx, const char *w, size_t n, elem *e)
{
    size_t count = 1, cap = 0;
    for (size_t i = 0; i < n; i++)
        count += w[i] == '|';
    e->alts = NULL;
    e->n_alts = 0;
    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j < n && w[j] != '|')
            j++;
        if (!hf_policy_grow(lx->a, (void **)&e->alts, e->n_alts, &cap,
                            sizeof(alt)))
            return false;
        alt *x = &e->alts[e->n_alts++];
        x->raw_only = w[i] == '=';
        size_t s = i + x->raw_only;
        x->raw = hf_arena_strndup(lx->a, w + s, j - s);
        x->stem = stem(lx, lx->a, w + s, j - s);
        if (x->raw == NULL || x->stem == NULL)
            return false;
        x->raw_hash = hash_of(x->raw);
        x->stem_hash = hash_of(x->stem);
        i = j + 1;
    }
    return e->n_alts == count;
}

static bool prep_phrase(hf_lexicon *lx, const char *s, phrase *p)
{
    size_t cap = 0;
    int gap = 0;
    p->elems = NULL;
    p->n = 0;
    while (*s != '\0') {
        size_t n = strcspn(s, " ");
        if (s[0] == '*') {
            gap = n > 1 ? s[1] - '0' : 3;
        } else {
            if (!hf_policy_grow(lx->a, (void **)&p->elems, p->n, &cap,
                                sizeof(elem)))
                return false;
            elem *e = &p->elems[p->n++];
            e->gap = gap;
            e->tail = s[0] == '+';
            e->line_start = n == 1 && s[0] == '^';
            e->clause_end = n == 1 && s[0] == '.';
            gap = 0;
            if (e->tail || e->line_start || e->clause_end)
                e->n_alts = 0;
            else if (!prep_alts(lx, s, n, e))
                return false;
        }
        s += n;
        while (*s == ' ')
            s++;
    }
    /* a phrase starting with a mark ("+", "^") is not filtered by word */
    p->first = p->n > 0 && p->elems[0].n_alts > 0 ? 0 : ~(uint64_t)0;
    for (size_t i = 0; p->n > 0 && i < p->elems[0].n_alts; i++)
        p->first |= hash_bits(p->elems[0].alts[i].raw_hash,
                              p->elems[0].alts[i].stem_hash);
    return true;
}

hf_lexicon *hf_lexicon_new(hf_arena *a)
{
    hf_lexicon *lx = hf_arena_zalloc(a, sizeof(*lx));
    if (lx == NULL)
        return NULL;
    lx->a = a;
    lx->stemmer = sb_stemmer_new("english", "UTF_8");
    if (lx->stemmer == NULL)
        return NULL;
    for (size_t i = 0; i < HF_ARRAY_LEN(table); i++) {
        row *r = &lx->rows[i];
        r->concept = &table[i];
        while (table[i].phrases[r->n] != NULL)
            r->n++;
        r->phrases = hf_arena_zalloc(a, r->n * sizeof(phrase));
        for (size_t k = 0; r->phrases != NULL && k < r->n; k++)
            if (!prep_phrase(lx, table[i].phrases[k], &r->phrases[k]))
                r->phrases = NULL;
        if (r->phrases == NULL) {
            hf_lexicon_free(lx);
            return NULL;
        }
    }
    return lx;
}

void hf_lexicon_free(hf_lexicon *lx)
{
    if (lx != NULL && lx->stemmer != NULL) {
        sb_stemmer_delete(lx->stemmer);
        lx->stemmer = NULL;
    }
}

/* --- Tokens -------------------------------------------------------------- */

/* Bytes of the UTF-8 punctuation at s (dashes, curly quotes, ellipsis,
 * no-break space) or 0. */
static size_t punct_len(const unsigned char *s, size_t n)
{
    if (n >= 3 && s[0] == 0xE2 && s[1] == 0x80)
        return 3;
    if (n >= 2 && s[0] == 0xC2 &&
        (s[1] == 0xA0 || s[1] == 0xAB || s[1] == 0xBB))
        return 2;
    return 0;
}

/* True for an opening quote at s: '"' or U+201C. Sets *n to its bytes. */
static bool quote_open(const unsigned char *s, size_t len, size_t *n)
{
    *n = s[0] == '"'                                                  ? 1
         : (len >= 3 && s[0] == 0xE2 && s[1] == 0x80 && s[2] == 0x9C) ? 3
                                                                      : 0;
    return *n > 0;
}

/* Where the quote opened at i ends (after its closing mark), or i + n when
 * it never closes (then the quote mark is just punctuation). */
static size_t quote_end(const unsigned char *s, size_t len, size_t i, size_t n)
{
    for (size_t j = i + n; j < len; j++) {
        if (s[j] == '"')
            return j + 1;
        if (j + 2 < len && s[j] == 0xE2 && s[j + 1] == 0x80 && s[j + 2] == 0x9D)
            return j + 3;
    }
    return i + n;
}

typedef struct tok_list {
    hf_lexicon *lx;
    hf_arena *a;
    hf_token *t;
    size_t n, cap;
    uint8_t brk; /* the strongest break since the last token */
} tok_list;

static bool add(tok_list *ts, const char *raw, size_t n, size_t pos)
{
    if (!hf_policy_grow(ts->a, (void **)&ts->t, ts->n, &ts->cap,
                        sizeof(hf_token)))
        return false;
    hf_token *t = &ts->t[ts->n++];
    t->raw = hf_arena_strndup(ts->a, raw, n);
    t->stem = t->raw ? stem(ts->lx, ts->a, raw, n) : NULL;
    t->pos = pos;
    t->brk = ts->brk;
    ts->brk = 0;
    t->claimed = false;
    if (t->stem == NULL)
        return false;
    t->raw_hash = hash_of(t->raw);
    t->stem_hash = hash_of(t->stem);
    return true;
}

static bool is_digit(unsigned char c)
{
    return c >= '0' && c <= '9';
}

static bool is_word(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c >= 0x80;
}

/* Reads one word (letters, or digits) at s[i]: lower case, apostrophes
 * inside dropped. Returns the index after it. */
static size_t word(tok_list *ts, const unsigned char *s, size_t len, size_t i,
                   bool *ok)
{
    char buf[64];
    size_t n = 0, start = i;
    bool digits = is_digit(s[i]);
    while (i < len) {
        size_t apos = s[i] == '\'' ? 1
                      : (len - i >= 3 && s[i] == 0xE2 && s[i + 1] == 0x80 &&
                         s[i + 2] == 0x99)
                          ? 3
                          : 0;
        if (apos && n > 0 && !digits && i + apos < len &&
            is_word(s[i + apos]) &&
            punct_len(s + i + apos, len - i - apos) == 0) {
            i += apos;
            continue;
        }
        if (digits ? !is_digit(s[i])
                   : (!is_word(s[i]) || punct_len(s + i, len - i) > 0))
            break;
        if (n < sizeof(buf))
            buf[n++] = (char)(s[i] >= 'A' && s[i] <= 'Z' ? s[i] + 32 : s[i]);
        i++;
    }
    *ok = add(ts, buf, n, start);
    return i;
}

/* The break that s[i] (not a word) makes: 2 ends a sentence (". ! ?"
 * before a space or the end), 1 a clause (", ; :", a lone "." as in
 * "e.g.", and "a - b" or "a -> b" but not "next-order"), else 0. */
static uint8_t break_at(const unsigned char *s, size_t len, size_t i)
{
    bool ends = i + 1 == len || s[i + 1] == ' ' || s[i + 1] == '\t';
    if (s[i] == '!' || s[i] == '?' || (s[i] == '.' && ends))
        return 2;
    if (s[i] == ',' || s[i] == ';' || s[i] == ':' || s[i] == '.' ||
        (s[i] == '-' && i > 0 && s[i - 1] == ' '))
        return 1;
    return 0;
}

hf_rc hf_lexicon_tokenize(hf_lexicon *lx, hf_arena *scratch, const char *text,
                          size_t len, const hf_sigil *sigils, size_t n_sigils,
                          hf_token **out, size_t *n)
{
    const unsigned char *s = (const unsigned char *)text;
    tok_list ts = {.lx = lx, .a = scratch};
    size_t k = 0, q;
    bool ok = true;
    for (size_t i = 0; i < len && ok;) {
        if (k < n_sigils && i == sigils[k].pos) {
            char mark[2] = {(char)sigils[k].kind, '\0'};
            ok = add(&ts, mark, 1, i);
            i = sigils[k++].end;
        } else if (quote_open(s + i, len - i, &q) &&
                   quote_end(s, len, i, q) > i + q) {
            ok = add(&ts, "\"", 1, i);
            i = quote_end(s, len, i, q);
            while (k < n_sigils && sigils[k].pos < i)
                k++;
        } else if (s[i] == '%') {
            ok = add(&ts, "percent", 7, i);
            i++;
        } else if (punct_len(s + i, len - i) > 0) {
            /* en and em dashes (U+2013, U+2014) end a clause */
            if (s[i] == 0xE2 && (s[i + 2] == 0x93 || s[i + 2] == 0x94) &&
                ts.brk == 0)
                ts.brk = 1;
            i += punct_len(s + i, len - i);
        } else if (is_word(s[i]) || is_digit(s[i])) {
            i = word(&ts, s, len, i, &ok);
        } else {
            uint8_t b = break_at(s, len, i);
            ts.brk = b > ts.brk ? b : ts.brk;
            i++;
        }
    }
    *out = ts.t;
    *n = ts.n;
    return ok ? HF_OK : HF_ENOMEM;
}

/* --- Matching ------------------------------------------------------------ */

static bool elem_ok(const elem *e, const hf_token *t)
{
    if (t->claimed)
        return false;
    for (size_t i = 0; i < e->n_alts; i++) {
        const alt *x = &e->alts[i];
        if ((t->raw_hash == x->raw_hash && strcmp(t->raw, x->raw) == 0) ||
            (!x->raw_only && t->stem_hash == x->stem_hash &&
             strcmp(t->stem, x->stem) == 0))
            return true;
    }
    return false;
}

/* Matches elements k.. of p with element k at t[at..at+gap], within the
 * clause of t[at - 1]; sets *last to the index of the last token matched. */
static bool match_from(const phrase *p, size_t k, const hf_token *t, size_t n,
                       size_t at, size_t *last)
{
    if (k == p->n) {
        *last = at - 1;
        return true;
    }
    const elem *e = &p->elems[k];
    if (e->tail) { /* the rest of the clause */
        size_t end = at;
        while (end < n && (end == at || t[end].brk == 0))
            end++;
        *last = end > at ? end - 1 : at - 1;
        return true;
    }
    if (e->line_start)
        return at == 0 && match_from(p, k + 1, t, n, at, last);
    if (e->clause_end)
        return at > 0 && (at == n || t[at].brk) &&
               match_from(p, k + 1, t, n, at, last);
    size_t gap =
        k == 0 || (k == 1 && p->elems[0].line_start) ? 0 : (size_t)e->gap;
    bool bounded =
        k > 0 && !p->elems[k - 1].line_start && !p->elems[k - 1].clause_end;
    size_t crossed = 0; /* clause breaks between the last match and t[j] */
    for (size_t j = at; j < n && j <= at + gap; j++) {
        if (bounded && t[j].brk == 2)
            break; /* the phrase would run into the next sentence */
        crossed += bounded && t[j].brk == 1;
        /* one break ends the clause; a pair sets off an inserted one ("if
         * the customer, however, accepts") */
        if (crossed % 2 == 0 && elem_ok(e, &t[j]) &&
            match_from(p, k + 1, t, n, j + 1, last))
            return true;
    }
    return false;
}

/* The phrase of r that matches at t[at], or false. */
static bool row_at(const row *r, const hf_token *t, size_t n, size_t at,
                   size_t *last)
{
    uint64_t bits = hash_bits(t[at].raw_hash, t[at].stem_hash);
    for (size_t i = 0; i < r->n; i++)
        if (r->phrases[i].n > 0 && (r->phrases[i].first & bits) != 0 &&
            match_from(&r->phrases[i], 0, t, n, at, last))
            return true;
    return false;
}

size_t hf_lexicon_match(const hf_lexicon *lx, hf_token *tokens, size_t n,
                        hf_match *out, size_t max)
{
    size_t found = 0;
    for (size_t i = 0; i < HF_ARRAY_LEN(table); i++) {
        for (size_t at = 0; at < n && found < max; at++) {
            size_t last;
            if (!row_at(&lx->rows[i], tokens, n, at, &last))
                continue;
            for (size_t j = at; j <= last; j++)
                tokens[j].claimed = true;
            out[found++] = (hf_match){&table[i], at, last};
            at = last;
        }
    }
    return found;
}
