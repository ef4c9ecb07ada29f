/*
 * postal.c - the per-country address table and the postal-code matcher.
 *
 * Sources for the formats: the postal operators' published addressing
 * guides (USPS Pub 28, Canada Post, Royal Mail PAF, Japan Post, Correios,
 * Deutsche Post, ...) as summarised by the Universal Postal Union's
 * addressing pages. Where a country's codes exist but are rarely written
 * (Ireland's Eircode, Colombia, Vietnam, Chile) the code is optional but
 * checked when given.
 *
 * house_number is set where the national addressing standard numbers
 * every delivery point and the number is written in Arabic numerals on
 * the street line; it is off where building names stand in for numbers
 * (GB, IE), where numbers are often written in native numerals or the
 * address is a block/district system (CN, JP, HK, SG, TW), and where
 * landmark-based addresses are common (IN, ID, PH, TH, MY, TR, ZA, ...).
 */
#include "core/postal.h"

#include "util/hf.h"

#include <stdlib.h>
#include <string.h>

static bool ca_letters(const char *c);
static bool es_province(const char *c);
static bool gb_inward(const char *c);
static bool in_first_digit(const char *c);
static bool nl_letters(const char *c);

/* One row per country, sorted by code (hf_postal_country searches it). */
static const hf_country_rule countries[] = {
    /* United Arab Emirates: no postal codes; the emirate is required */
    {"AE", "United Arab Emirates", NULL, NULL, false, true, false, NULL},
    /* Argentina: CPA "C1425DKA", old 4-digit codes still in use */
    {"AR", "Argentina", "A9999AAA|9999", "C1425DKA", true, true, true, NULL},
    /* Austria: 4 digits */
    {"AT", "Austria", "9999", "1010", true, false, true, NULL},
    /* Australia: 4 digits; state required */
    {"AU", "Australia", "9999", "2000", true, true, true, NULL},
    /* Belgium: 4 digits */
    {"BE", "Belgium", "9999", "1000", true, false, true, NULL},
    /* Brazil: CEP "12345-678"; state required; "s/n" for no number */
    {"BR", "Brazil", "99999-999", "01310-100", true, true, true, NULL},
    /* Canada: "A1A 1A1", no D F I O Q U, no W or Z first; province req. */
    {"CA", "Canada", "A9A 9A9", "K1A 0B1", true, true, true, ca_letters},
    /* Switzerland: 4 digits */
    {"CH", "Switzerland", "9999", "8001", true, false, true, NULL},
    /* Chile: 7 digits, rarely written; region required */
    {"CL", "Chile", "9999999", "8320000", false, true, true, NULL},
    /* China: 6 digits; province required; numbers often in hanzi */
    {"CN", "China", "999999", "100000", true, true, false, NULL},
    /* Colombia: 6 digits, rarely written; department required */
    {"CO", "Colombia", "999999", "110111", false, true, true, NULL},
    /* Czechia: "123 45" */
    {"CZ", "Czechia", "999 99", "110 00", true, false, true, NULL},
    /* Germany: 5 digits */
    {"DE", "Germany", "99999", "10115", true, false, true, NULL},
    /* Denmark: 4 digits */
    {"DK", "Denmark", "9999", "1050", true, false, true, NULL},
    /* Spain: 5 digits, the first two a province 01-52; "s/n" allowed */
    {"ES", "Spain", "99999", "28013", true, false, true, es_province},
    /* Finland: 5 digits */
    {"FI", "Finland", "99999", "00100", true, false, true, NULL},
    /* France: 5 digits; "lieu-dit" addresses carry no number */
    {"FR", "France", "99999", "75008", true, false, true, NULL},
    /* United Kingdom: outward (A9, A99, AA9, AA99, A9A, AA9A) + inward
     * 9AA, the inward letters never C I K M O V; building names count as
     * house numbers, so no number is required */
    {"GB", "United Kingdom", "A9 9AA|A99 9AA|AA9 9AA|AA99 9AA|A9A 9AA|AA9A 9AA",
     "SW1A 1AA", true, false, false, gb_inward},
    /* Greece: "123 45" */
    {"GR", "Greece", "999 99", "105 57", true, false, true, NULL},
    /* Hong Kong: no postal codes; estate and block addressing */
    {"HK", "Hong Kong", NULL, NULL, false, false, false, NULL},
    /* Indonesia: 5 digits; province required; landmark addresses */
    {"ID", "Indonesia", "99999", "10110", true, true, false, NULL},
    /* Ireland: Eircode "A65 F4E2" (D6W for Dublin 6W), optional */
    {"IE", "Ireland", "A99 XXXX|A9A XXXX", "D02 X285", false, false, false,
     NULL},
    /* Israel: 7 digits */
    {"IL", "Israel", "9999999", "6100000", true, false, true, NULL},
    /* India: PIN, 6 digits, never starting with 0; state required */
    {"IN", "India", "999999", "110001", true, true, false, in_first_digit},
    /* Italy: CAP, 5 digits; province required; "snc" for no number */
    {"IT", "Italy", "99999", "00184", true, true, true, NULL},
    /* Japan: "123-4567"; prefecture required; chome-ban-go in kanji */
    {"JP", "Japan", "999-9999", "100-0001", true, true, false, NULL},
    /* South Korea: 5 digits; road-name addresses carry building numbers */
    {"KR", "South Korea", "99999", "03187", true, false, true, NULL},
    /* Mexico: 5 digits; state required; "s/n" allowed */
    {"MX", "Mexico", "99999", "06600", true, true, true, NULL},
    /* Malaysia: 5 digits; state required */
    {"MY", "Malaysia", "99999", "50450", true, true, false, NULL},
    /* Netherlands: "1234 AB", no leading 0, never SA SD SS */
    {"NL", "Netherlands", "9999 AA", "1012 JS", true, false, true, nl_letters},
    /* Norway: 4 digits */
    {"NO", "Norway", "9999", "0150", true, false, true, NULL},
    /* New Zealand: 4 digits */
    {"NZ", "New Zealand", "9999", "6011", true, false, true, NULL},
    /* Philippines: 4 digits; province required */
    {"PH", "Philippines", "9999", "1000", true, true, false, NULL},
    /* Poland: "12-345" */
    {"PL", "Poland", "99-999", "00-950", true, false, true, NULL},
    /* Portugal: "1234-567" */
    {"PT", "Portugal", "9999-999", "1100-148", true, false, true, NULL},
    /* Russia: 6 digits */
    {"RU", "Russia", "999999", "101000", true, false, true, NULL},
    /* Saudi Arabia: 5 digits, optionally +4 */
    {"SA", "Saudi Arabia", "99999|99999-9999", "11564", true, false, false,
     NULL},
    /* Sweden: "123 45"; "Box 123" is a PO box */
    {"SE", "Sweden", "999 99", "111 52", true, false, true, NULL},
    /* Singapore: 6 digits; block numbers, often "Blk 123" */
    {"SG", "Singapore", "999999", "018956", true, false, false, NULL},
    /* Thailand: 5 digits; province required */
    {"TH", "Thailand", "99999", "10200", true, true, false, NULL},
    /* Turkey: 5 digits; province (il) required */
    {"TR", "Turkey", "99999", "34000", true, true, false, NULL},
    /* Taiwan: 3, 5 or 6 digits (3+2, 3+3) */
    {"TW", "Taiwan", "999|99999|999999", "10048", true, false, false, NULL},
    /* Ukraine: 5 digits */
    {"UA", "Ukraine", "99999", "01001", true, false, true, NULL},
    /* United States: ZIP or ZIP+4; state required */
    {"US", "United States", "99999|99999-9999", "62701", true, true, true,
     NULL},
    /* Vietnam: 6 digits, rarely written; province required */
    {"VN", "Vietnam", "999999", "100000", false, true, false, NULL},
    /* South Africa: 4 digits */
    {"ZA", "South Africa", "9999", "8001", true, false, false, NULL},
};

/* Every assigned ISO 3166-1 alpha-2 code, two letters each, sorted (from
 * Debian's iso-codes, iso_3166-1.json), plus XK. */
static const char assigned_codes[] =
    "ADAEAFAGAIALAMAOAQARASATAUAWAXAZBABBBDBEBFBGBHBIBJBLBMBNBOBQBRBSBTBV"
    "BWBYBZCACCCDCFCGCHCICKCLCMCNCOCRCUCVCWCXCYCZDEDJDKDMDODZECEEEGEHERES"
    "ETFIFJFKFMFOFRGAGBGDGEGFGGGHGIGLGMGNGPGQGRGSGTGUGWGYHKHMHNHRHTHUIDIE"
    "ILIMINIOIQIRISITJEJMJOJPKEKGKHKIKMKNKPKRKWKYKZLALBLCLILKLRLSLTLULVLY"
    "MAMCMDMEMFMGMHMKMLMMMNMOMPMQMRMSMTMUMVMWMXMYMZNANCNENFNGNINLNONPNRNU"
    "NZOMPAPEPFPGPHPKPLPMPNPRPSPTPWPYQARERORSRURWSASBSCSDSESGSHSISJSKSLSM"
    "SNSOSRSSSTSVSXSYSZTCTDTFTGTHTJTKTLTMTNTOTRTTTVTWTZUAUGUMUSUYUZVAVCVE"
    "VGVIVNVUWFWSXKYEYTZAZMZW";

static int cmp_rule(const void *key, const void *elem)
{
    const hf_country_rule *r = elem;
    return strcmp(key, r->code);
}

const hf_country_rule *hf_postal_country(const char *code)
{
    if (code == NULL)
        return NULL;
    return bsearch(code, countries, HF_ARRAY_LEN(countries),
                   sizeof(countries[0]), cmp_rule);
}

const hf_country_rule *hf_postal_countries(size_t *n)
{
    *n = HF_ARRAY_LEN(countries);
    return countries;
}

bool hf_postal_country_assigned(const char *code)
{
    if (code == NULL || strlen(code) != 2)
        return false;
    if (code[0] < 'A' || code[0] > 'Z' || code[1] < 'A' || code[1] > 'Z')
        return false;
    for (size_t i = 0; i + 1 < sizeof(assigned_codes); i += 2) {
        if (assigned_codes[i] == code[0] && assigned_codes[i + 1] == code[1])
            return true;
    }
    return false;
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static bool is_upper(char c)
{
    return c >= 'A' && c <= 'Z';
}

static bool is_sep(char c)
{
    return c == ' ' || c == '-';
}

/* Does the compact code (no separators) fit the pattern p[0..len)? On a
 * match writes the canonical form into out (which holds HF_POSTAL_MAX + 1
 * bytes at least). */
static bool match_one(const char *p, size_t len, const char *compact, char *out)
{
    size_t ci = 0, oi = 0;
    for (size_t i = 0; i < len; i++) {
        char want = p[i];
        if (is_sep(want)) {
            if (oi >= HF_POSTAL_MAX)
                return false;
            out[oi++] = want;
            continue;
        }
        char c = compact[ci++];
        bool ok = (want == '9' && is_digit(c)) ||
                  (want == 'A' && is_upper(c)) ||
                  (want == 'X' && (is_digit(c) || is_upper(c)));
        if (!ok || oi >= HF_POSTAL_MAX)
            return false;
        out[oi++] = c;
    }
    if (compact[ci] != '\0')
        return false;
    out[oi] = '\0';
    return true;
}

bool hf_postal_match(const char *patterns, const char *text, char *out,
                     size_t size)
{
    char compact[HF_POSTAL_MAX + 1];
    char canon[HF_POSTAL_MAX + 1];
    size_t n = 0;

    if (out != NULL && size > 0)
        out[0] = '\0';
    if (patterns == NULL || text == NULL)
        return false;
    /* upper-case, drop separators, leading and trailing blanks */
    for (const char *s = text; *s != '\0'; s++) {
        char c = *s;
        if (is_sep(c) || c == '\t')
            continue;
        if (c >= 'a' && c <= 'z')
            c = (char)(c - 'a' + 'A');
        if (!is_digit(c) && !is_upper(c))
            return false; /* punctuation, non-ASCII, control */
        if (n >= HF_POSTAL_MAX)
            return false;
        compact[n++] = c;
    }
    compact[n] = '\0';
    if (n == 0)
        return false;

    const char *p = patterns;
    for (;;) {
        const char *bar = strchr(p, '|');
        size_t len = bar != NULL ? (size_t)(bar - p) : strlen(p);
        if (match_one(p, len, compact, canon)) {
            if (out != NULL && size > 0) {
                if (strlen(canon) >= size)
                    return false;
                memcpy(out, canon, strlen(canon) + 1);
            }
            return true;
        }
        if (bar == NULL)
            return false;
        p = bar + 1;
    }
}

bool hf_postal_check(const hf_country_rule *rule, const char *text, char *out,
                     size_t size)
{
    char canon[HF_POSTAL_MAX + 1];

    if (out != NULL && size > 0)
        out[0] = '\0';
    if (rule == NULL || rule->postal == NULL)
        return false;
    if (!hf_postal_match(rule->postal, text, canon, sizeof(canon)))
        return false;
    if (rule->postal_extra != NULL && !rule->postal_extra(canon))
        return false;
    if (out != NULL && size > 0) {
        if (strlen(canon) >= size)
            return false;
        memcpy(out, canon, strlen(canon) + 1);
    }
    return true;
}

/* --- Checks the patterns cannot express ---------------------------------- */

/* Canada Post never uses D F I O Q U, nor W or Z as the first letter.
 * Canonical "A9A 9A9": letters at 0, 2 and 5. */
static bool ca_letters(const char *c)
{
    static const int at[] = {0, 2, 5};
    for (size_t i = 0; i < HF_ARRAY_LEN(at); i++) {
        if (strchr("DFIOQU", c[at[i]]) != NULL)
            return false;
    }
    return c[0] != 'W' && c[0] != 'Z';
}

/* Spain: the first two digits are the province, 01 to 52. */
static bool es_province(const char *c)
{
    int prov = (c[0] - '0') * 10 + (c[1] - '0');
    return prov >= 1 && prov <= 52;
}

/* United Kingdom: the inward code's letters (the last two) are never
 * C I K M O V. */
static bool gb_inward(const char *c)
{
    size_t n = strlen(c);
    return strchr("CIKMOV", c[n - 1]) == NULL &&
           strchr("CIKMOV", c[n - 2]) == NULL;
}

/* India: PIN codes start with 1 to 9. */
static bool in_first_digit(const char *c)
{
    return c[0] != '0';
}

/* Netherlands: the digits never start with 0; SA, SD and SS are unused. */
static bool nl_letters(const char *c)
{
    /* canonical "1234 AB" */
    if (c[0] == '0')
        return false;
    const char *l = c + 5;
    return strcmp(l, "SA") != 0 && strcmp(l, "SD") != 0 && strcmp(l, "SS") != 0;
}
