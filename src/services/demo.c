/*
 * demo.c - a deterministic demo shop, written through the services.
 *
 * The generator first plans the whole shop in memory from one seed, then
 * plays the plan through the same service functions the API calls, in time
 * order, with a manual clock standing at each event's time. Same seed, same
 * shop: SKUs, names, prices, customers, baskets, times, statuses and reasons
 * repeat exactly; only the random ids (ord_..., cus_...) differ. Order
 * numbers follow placement time (HF-100001 is the oldest).
 *
 * Why a PRNG written here (xoshiro256** seeded by splitmix64, both public
 * domain, Vigna): rand() differs between C libraries and libsodium's
 * generator cannot be seeded, while the demo must be reproducible. Each part
 * of the shop (catalog, customers, placement times, each order) draws from a
 * stream of its own, so asking for more orders leaves the catalog alone.
 *
 * The model and its distributions:
 * - Catalog: products in six categories (apparel 25%, home 20%, electronics
 *   15%, beauty 15%, outdoors 13%, footwear 12% of SKUs). Each item kind has
 *   a price range; the price is log-uniform in it and ends in 99 cents, the
 *   cost is 35-65% of the price. Popularity is log-normal (sigma 1): a few
 *   best sellers and a long tail.
 * - Customers: common first and last names, unique emails at example.com or
 *   example.org, fictional 555 phone numbers (15% give none), a home in one
 *   of 26 US cities weighted by size or (4%) in CA, GB, DE or AU. How often
 *   each orders is log-normal (sigma 1). About half had an account before
 *   the period; the others sign up just before their first order.
 * - Placement: a rate by hour of day and weekday in US Eastern time (quiet
 *   at night, peaks at lunch and 19-22 h; Sunday and Monday busiest), a
 *   growth from -10% to +10% across the period and a three-day sale (x1.6)
 *   60% of the way through, drawn by rejection sampling.
 * - Basket: 1-4 lines (62/25/9/4%) of distinct SKUs, 1 unit (82%), 2 (13%),
 *   3 (3%), 4 (2%). Standard shipping 85%, expedited 15%; 7% go to another
 *   address as gifts. Payment by card, PayPal (captured at once), Apple Pay
 *   or Shop Pay; channel web, marketplace, phone or pos.
 * - Fulfilment: the warehouse ships S after placement: standard 10 h +
 *   lognormal(median 18 h, sigma 0.55), so a median of 28 h and ~9% past
 *   48 h; expedited 3 h + lognormal(median 8 h, sigma 0.5). Allocated,
 *   picking and packed fall at 5-15%, 35-65% and 75-92% of S. Transit:
 *   standard lognormal(median 3.2 d, sigma 0.3) within 2-7 d, expedited
 *   1-3 d; 6% of parcels lose another 2-6 days, some past promised_by. 1% of
 *   orders are first held for review for 1-10 h, and the warehouse starts
 *   when they are released.
 * - Cancellations: about 3% of orders are cancelled whole before shipment,
 *   each with a probability from the causes of cancel_probability() below
 *   (a logistic model), for the reasons and after the delays of
 *   cancel_reasons[] (shipping_delay 25%, 30-96 h after placement: such an
 *   order had not shipped by then); fraud_suspected orders are held first.
 *   0.5% of orders lose one unit (partial cancellation) and ship the rest.
 *   2% of delivered orders come back 4-21 days later.
 * - Whatever the plan puts at or after `end` has not happened yet, so recent
 *   orders are still open in earlier statuses.
 * - Stock: each SKU has safety stock of half to one and a half week's
 *   average demand (5% of SKUs: 0-2 units), and receives every week, in
 *   case packs, what the coming week's orders will take and up to 10% more.
 *   Every delivery is spread over three locations (main 60%, east 30%, west
 *   10%); as orders prefer main, east and west ship what main runs out of.
 *   Since the plan knows every basket, no placement ever runs out of stock,
 *   and scarce SKUs end nearly sold out.
 *
 * Speed: events are applied EVENTS_PER_WRITE at a time in one hf_store_write
 * (one durable commit). Batches that large matter: every commit rewrites the
 * hot pages (indexes, timeline, outbox) to the WAL, and the default shop
 * took 30 s in batches of 400 against 12 s in batches of 8,000 (Release
 * build, 2 cores). Each operation's memory comes from one arena per batch,
 * reset after every operation. If an operation fails, that write is rolled
 * back and generation stops with the error; writes already committed
 * remain.
 */
#include "services/demo.h"
#include "services/catalog.h"
#include "services/conversations.h"
#include "services/escalations.h"
#include "services/links.h"
#include "services/orders.h"
#include "services/surveys.h"
#include "util/id.h"
#include "util/mem.h"

#include <jansson.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
    DEFAULT_DAYS = 90,
    DEFAULT_PRODUCTS = 200,
    DEFAULT_CUSTOMERS = 2000,
    DEFAULT_ORDERS = 20000,
    MAX_DAYS = 3650,
    MAX_PRODUCTS = 100000,
    MAX_CUSTOMERS = 1000000,
    MAX_ORDERS = 1000000,
    MAX_BASKET = 4,            /* lines per order at most */
    EVENTS_PER_WRITE = 8000,   /* operations per durable commit */
    CUSTOMERS_PER_WRITE = 1000 /* customers created per durable commit */
};

#define PARTIAL_RATE 0.005 /* orders that lose one unit */
#define HOLD_RATE 0.01     /* orders held for review, then released */
#define RETURN_RATE 0.02   /* delivered orders sent back */
#define DELAY_RATE 0.06    /* parcels the carrier delays */
#define GIFT_RATE 0.07     /* orders shipped to another address */
#define EXPEDITED_RATE 0.15
#define SALE_BOOST 1.6   /* order rate during the three-day sale */
#define SCARCE_RATE 0.05 /* SKUs with almost no safety stock */

/* --- Random numbers ------------------------------------------------------ */

/* xoshiro256**: fast, small state, passes BigCrush. */
typedef struct rng {
    uint64_t s[4];
} rng;

/* Streams: each part of the shop draws from its own. */
enum stream {
    STREAM_CATALOG = 1,
    STREAM_CUSTOMERS,
    STREAM_HOME,   /* one per customer: the home address */
    STREAM_TIMES,  /* placement times */
    STREAM_ORDER,  /* one per order: basket and fate */
    STREAM_DETAIL, /* one per order: address, payment, channel */
    STREAM_STOCK,
    STREAM_TRAITS, /* one per customer, then one per product: what makes
                      them cancel (cancel_probability) */
};

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

/* Seeds r for the index-th draw sequence of stream under seed. */
static void rng_seed(rng *r, uint64_t seed, enum stream stream, uint64_t index)
{
    uint64_t x = seed;
    x = splitmix64(&x) ^ (uint64_t)stream;
    x = splitmix64(&x) ^ index;
    for (int i = 0; i < 4; i++)
        r->s[i] = splitmix64(&x);
}

static uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

static uint64_t rng_next(rng *r)
{
    uint64_t *s = r->s;
    uint64_t result = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

/* Uniform in [0, 1). */
static double rng_unit(rng *r)
{
    return (double)(rng_next(r) >> 11) * 0x1.0p-53;
}

/* Uniform in [lo, hi). */
static double rng_uniform(rng *r, double lo, double hi)
{
    return lo + (hi - lo) * rng_unit(r);
}

/* Uniform integer in [0, n). */
static size_t rng_below(rng *r, size_t n)
{
    return (size_t)(rng_unit(r) * (double)n);
}

static int rng_int(rng *r, int lo, int hi_inclusive)
{
    return lo + (int)rng_below(r, (size_t)(hi_inclusive - lo + 1));
}

static bool rng_chance(rng *r, double p)
{
    return rng_unit(r) < p;
}

/* Log-uniform in [lo, hi): as many draws between 1 and 2 as between 10 and
 * 20. */
static double rng_log_uniform(rng *r, double lo, double hi)
{
    return lo * exp(rng_unit(r) * log(hi / lo));
}

/* Log-normal with the given median; sigma is the log's deviation. */
static double rng_lognormal(rng *r, double median, double sigma)
{
    double u1 = 1.0 - rng_unit(r); /* (0, 1]: log is finite */
    double u2 = rng_unit(r);
    double normal = sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2);
    return median * exp(sigma * normal);
}

/* Draws an index into a table whose rows have an int `weight`, with
 * probability proportional to it. */
#define PICK(r, table)                                                         \
    pick_weighted((r), &(table)[0].weight, sizeof((table)[0]),                 \
                  HF_ARRAY_LEN(table))

static size_t pick_weighted(rng *r, const int *first, size_t stride, size_t n)
{
    const char *base = (const char *)first;
    long total = 0;
    for (size_t i = 0; i < n; i++)
        total += *(const int *)(base + i * stride);
    long x = (long)(rng_unit(r) * (double)total);
    for (size_t i = 0; i < n; i++) {
        x -= *(const int *)(base + i * stride);
        if (x < 0)
            return i;
    }
    return n - 1;
}

/* Draws i with probability (cdf[i] - cdf[i-1]) / cdf[n-1]. */
static size_t pick_cdf(rng *r, const double *cdf, size_t n)
{
    double x = rng_unit(r) * cdf[n - 1];
    size_t lo = 0, hi = n - 1;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (cdf[mid] > x)
            hi = mid;
        else
            lo = mid + 1;
    }
    return lo;
}

/* --- Reference tables ---------------------------------------------------- */

typedef struct item_kind {
    const char *noun;
    int min_price, max_price; /* USD cents */
} item_kind;

typedef struct category {
    const char *name;
    const char *prefix; /* of its SKUs: "APP-1001" */
    int weight;         /* share of the catalog, percent */
    const char *const *styles;
    size_t n_styles;
    const item_kind *kinds;
    size_t n_kinds;
    bool coloured; /* names end in a colour: "Relaxed Hoodie - Navy" */
} category;

static const char *const apparel_styles[] = {
    "Classic", "Relaxed", "Slim", "Everyday", "Heavyweight", "Organic"};
static const item_kind apparel_kinds[] = {
    {"Crew Tee", 1500, 3500},      {"Hoodie", 4500, 8900},
    {"Oxford Shirt", 4000, 7900},  {"Chinos", 4500, 8500},
    {"Denim Jacket", 7900, 14900}, {"Merino Sweater", 7500, 13900},
    {"Joggers", 3900, 6900},       {"Flannel Shirt", 3900, 6900},
    {"Polo", 2900, 5900},          {"Rain Shell", 8900, 17900},
};
static const char *const footwear_styles[] = {"Classic", "Trail", "Urban",
                                              "Waterproof", "Lightweight"};
static const item_kind footwear_kinds[] = {
    {"Runner", 7900, 15900},        {"Leather Boot", 12900, 24900},
    {"Canvas Sneaker", 4500, 8900}, {"Chelsea Boot", 11900, 21900},
    {"Slip-On", 3900, 7900},        {"Sandal", 2900, 6900},
    {"Loafer", 8900, 16900},        {"Hiking Shoe", 9900, 18900},
};
static const char *const home_styles[] = {"Stoneware", "Linen",   "Oak",
                                          "Copper",    "Minimal", "Woven"};
static const item_kind home_kinds[] = {
    {"Mug Set", 1800, 4200},           {"Duvet Cover", 7900, 18900},
    {"Cast Iron Skillet", 3500, 7900}, {"Throw Blanket", 4500, 11900},
    {"Scented Candle", 1200, 3800},    {"Table Lamp", 5900, 15900},
    {"Bath Towel Set", 3900, 8900},    {"French Press", 2500, 5900},
    {"Planter", 1500, 4900},           {"Serving Board", 2200, 5500},
};
static const char *const electronics_styles[] = {"Compact",  "Pro",    "Studio",
                                                 "Everyday", "Travel", "Smart"};
static const item_kind electronics_kinds[] = {
    {"Wireless Earbuds", 4900, 19900},
    {"Bluetooth Speaker", 3900, 17900},
    {"USB-C Charger", 1900, 5900},
    {"Smart Plug", 1500, 3900},
    {"Power Bank", 2900, 7900},
    {"Mechanical Keyboard", 7900, 19900},
    {"Webcam", 4900, 14900},
    {"Fitness Tracker", 5900, 24900},
    {"Noise-Cancelling Headphones", 9900, 25000},
    {"LED Desk Lamp", 2900, 8900},
};
static const char *const beauty_styles[] = {"Hydrating",   "Gentle", "Daily",
                                            "Brightening", "Repair", "Mineral"};
static const item_kind beauty_kinds[] = {
    {"Face Serum", 2200, 5800},       {"Cleanser", 1200, 2900},
    {"Moisturizer", 1800, 4800},      {"Lip Balm", 800, 1600},
    {"Sunscreen SPF 30", 1400, 3200}, {"Shampoo", 1200, 3200},
    {"Hand Cream", 900, 2400},        {"Eye Cream", 2400, 6000},
    {"Body Wash", 1000, 2600},        {"Clay Mask", 1600, 3800},
};
static const char *const outdoors_styles[] = {
    "Ultralight", "Trail", "Alpine", "Basecamp", "Packable", "Weatherproof"};
static const item_kind outdoors_kinds[] = {
    {"Daypack", 4900, 12900},      {"Two-Person Tent", 14900, 25000},
    {"Sleeping Bag", 8900, 22900}, {"Trekking Poles", 4900, 12900},
    {"Headlamp", 2000, 5900},      {"Water Bottle", 1500, 3900},
    {"Camp Chair", 3900, 9900},    {"Hammock", 3900, 8900},
    {"Cooler", 6900, 19900},       {"Fleece Jacket", 5900, 12900},
};

#define KINDS(styles, kinds)                                                   \
    styles, HF_ARRAY_LEN(styles), kinds, HF_ARRAY_LEN(kinds)

static const category categories[] = {
    {"apparel", "APP", 25, KINDS(apparel_styles, apparel_kinds), true},
    {"footwear", "FTW", 12, KINDS(footwear_styles, footwear_kinds), true},
    {"home", "HOM", 20, KINDS(home_styles, home_kinds), false},
    {"electronics", "ELE", 15, KINDS(electronics_styles, electronics_kinds),
     false},
    {"beauty", "BTY", 15, KINDS(beauty_styles, beauty_kinds), false},
    {"outdoors", "OUT", 13, KINDS(outdoors_styles, outdoors_kinds), true},
};

static const char *const colours[] = {
    "Black", "Navy",  "Heather Grey", "Olive",    "Sand",
    "Rust",  "White", "Forest Green", "Charcoal", "Burgundy"};

static const char *const first_names[] = {
    "James",   "Mary",      "Robert",   "Patricia",  "John",     "Jennifer",
    "Michael", "Linda",     "David",    "Elizabeth", "William",  "Barbara",
    "Richard", "Susan",     "Joseph",   "Jessica",   "Thomas",   "Sarah",
    "Carlos",  "Karen",     "Daniel",   "Lisa",      "Matthew",  "Nancy",
    "Anthony", "Sandra",    "Mark",     "Ashley",    "Wei",      "Emily",
    "Andrew",  "Michelle",  "Joshua",   "Amanda",    "Kevin",    "Melissa",
    "Brian",   "Stephanie", "Priya",    "Rebecca",   "Ryan",     "Laura",
    "Jacob",   "Maria",     "Nicholas", "Olivia",    "Jonathan", "Sofia",
    "Aisha",   "Hannah",    "Diego",    "Grace",     "Ethan",    "Chloe",
    "Omar",    "Zoe",       "Liam",     "Ava",       "Noah",     "Mia"};

static const char *const last_names[] = {
    "Smith",    "Johnson", "Williams",  "Brown",    "Jones",     "Garcia",
    "Miller",   "Davis",   "Rodriguez", "Martinez", "Hernandez", "Lopez",
    "Gonzalez", "Wilson",  "Anderson",  "Thomas",   "Taylor",    "Moore",
    "Jackson",  "Martin",  "Lee",       "Perez",    "Thompson",  "White",
    "Harris",   "Sanchez", "Clark",     "Ramirez",  "Lewis",     "Robinson",
    "Walker",   "Young",   "Allen",     "King",     "Wright",    "Scott",
    "Torres",   "Nguyen",  "Hill",      "Flores",   "Green",     "Adams",
    "Nelson",   "Baker",   "Hall",      "Rivera",   "Campbell",  "Mitchell",
    "Carter",   "Roberts", "Patel",     "Kim",      "Chen",      "Singh",
    "Cohen",    "Murphy",  "Okafor",    "Schmidt",  "Rossi",     "Silva"};

/* Where customers live. */
typedef struct place {
    const char *city;
    const char *region;  /* NULL where addresses carry none */
    const char *country; /* ISO 3166-1 alpha-2 */
    const char *postal;  /* printf format of the postal code, one %d ... */
    int postal_lo;       /* ... drawn from postal_lo .. postal_lo+span-1 */
    int postal_span;
    const char *dial; /* phone prefix; 4 fictional digits follow */
    int weight;       /* customers per mille */
} place;

static const place places[] = {
    {"New York", "NY", "US", "%05d", 10001, 30, "+1212555", 90},
    {"Los Angeles", "CA", "US", "%05d", 90012, 60, "+1213555", 80},
    {"Chicago", "IL", "US", "%05d", 60601, 40, "+1312555", 55},
    {"Houston", "TX", "US", "%05d", 77002, 80, "+1713555", 50},
    {"Phoenix", "AZ", "US", "%05d", 85004, 40, "+1602555", 35},
    {"Philadelphia", "PA", "US", "%05d", 19103, 40, "+1215555", 35},
    {"San Francisco", "CA", "US", "%05d", 94103, 30, "+1415555", 35},
    {"Austin", "TX", "US", "%05d", 78701, 40, "+1512555", 30},
    {"Miami", "FL", "US", "%05d", 33130, 50, "+1305555", 35},
    {"Orlando", "FL", "US", "%05d", 32801, 30, "+1407555", 25},
    {"Columbus", "OH", "US", "%05d", 43215, 20, "+1614555", 25},
    {"Atlanta", "GA", "US", "%05d", 30303, 40, "+1404555", 35},
    {"Charlotte", "NC", "US", "%05d", 28202, 20, "+1704555", 25},
    {"Detroit", "MI", "US", "%05d", 48226, 20, "+1313555", 25},
    {"Newark", "NJ", "US", "%05d", 7102, 10, "+1973555", 25},
    {"Richmond", "VA", "US", "%05d", 23219, 20, "+1804555", 20},
    {"Seattle", "WA", "US", "%05d", 98101, 20, "+1206555", 35},
    {"Boston", "MA", "US", "%05d", 2108, 10, "+1617555", 30},
    {"Nashville", "TN", "US", "%05d", 37203, 20, "+1615555", 25},
    {"Denver", "CO", "US", "%05d", 80202, 20, "+1303555", 30},
    {"Minneapolis", "MN", "US", "%05d", 55401, 15, "+1612555", 20},
    {"Portland", "OR", "US", "%05d", 97205, 15, "+1503555", 20},
    {"St. Louis", "MO", "US", "%05d", 63101, 10, "+1314555", 15},
    {"Salt Lake City", "UT", "US", "%05d", 84101, 10, "+1801555", 15},
    {"Milwaukee", "WI", "US", "%05d", 53202, 10, "+1414555", 15},
    {"Springfield", "IL", "US", "%05d", 62701, 5, "+1217555", 10},
    {"Toronto", "ON", "CA", "M5V %dT6", 1, 8, "+1416555", 15},
    {"London", NULL, "GB", "EC1A %dBB", 1, 8, "+44207946", 12},
    {"Berlin", "BE", "DE", "%05d", 10115, 90, "+493023125", 7},
    {"Sydney", "NSW", "AU", "%04d", 2000, 10, "+6125550", 6},
};

static const char *const streets[] = {
    "Main St",      "Oak Ave",      "Maple Dr",        "Cedar Ln",
    "Park Ave",     "Elm St",       "Washington Blvd", "Lakeview Dr",
    "Hillcrest Rd", "Sunset Blvd",  "2nd St",          "Pine St",
    "River Rd",     "Highland Ave", "Church St",       "Willow Way",
    "Franklin Ave", "Union St"};

static const char *const unit_formats[] = {"Apt %d", "Unit %d", "Suite %d"};

static const struct weighted_int {
    int value;
    int weight;
} basket_sizes[] = {{1, 62}, {2, 25}, {3, 9}, {4, 4}},
  quantities[] = {{1, 82}, {2, 13}, {3, 3}, {4, 2}};

static const struct weighted_name {
    const char *name;
    int weight;
} channels[] = {{"web", 86}, {"marketplace", 8}, {"phone", 4}, {"pos", 2}},
  hold_reasons[] = {{"address_verification", 60},
                    {"payment_review", 40},
                    {"fraud_review", 0}}, /* HOLD_FRAUD: only before a
                                           * fraud_suspected cancellation */
    return_reasons[] = {{"wrong_size", 35},
                        {"not_as_described", 25},
                        {"damaged", 20},
                        {"no_longer_needed", 20}};

static const struct payment_kind {
    const char *method;
    hf_capture_mode capture;
    int weight; /* percent */
} payment_kinds[] = {
    {"card", HF_CAPTURE_ON_SHIPMENT, 72},
    {"paypal", HF_CAPTURE_IMMEDIATE, 16},
    {"apple_pay", HF_CAPTURE_ON_SHIPMENT, 8},
    {"shop_pay", HF_CAPTURE_ON_SHIPMENT, 4},
};

enum { HOLD_FRAUD = 2 };

/* Why whole orders are cancelled: how often, how long after placement,
 * who asks. */
static const struct cancel_reason {
    const char *code;
    int weight;          /* percent of whole cancellations */
    double min_h, max_h; /* hours after placement, log-uniform */
    const char *actor;
    const char *note; /* may be NULL */
} cancel_reasons[] = {
    {"shipping_delay", 25, 30, 96, "customer",
     "Not shipped yet; the customer needs it sooner."},
    {"changed_mind", 20, 0.2, 18, "customer", NULL},
    {"found_better_price", 12, 1, 36, "customer",
     "Found it cheaper elsewhere."},
    {"ordered_by_mistake", 11, 0.05, 4, "customer", "Placed twice by mistake."},
    {"inaccurate_product_info", 7, 2, 40, "customer",
     "The size chart did not match the description."},
    {"poor_customer_service", 4, 12, 72, "agent:cx",
     "Unhappy with the answer to an earlier question."},
    {"out_of_stock", 8, 4, 36, "warehouse",
     "Units not found at the pick location."},
    {"fraud_suspected", 5, 0.5, 8, "agent:risk-review",
     "Billing and shipping details failed review."},
    {"other", 8, 0.5, 48, "customer", NULL},
};

/* Why one unit is cancelled from an order that still ships. */
static const struct partial_reason {
    const char *code;
    int weight;
    const char *actor;
} partial_reasons[] = {
    {"out_of_stock", 40, "warehouse"},
    {"changed_mind", 30, "customer"},
    {"ordered_by_mistake", 20, "customer"},
    {"found_better_price", 10, "customer"},
};

/* The stock locations ("main" comes with the schema) and each one's share
 * of every delivery. */
static const struct stock_site {
    hf_location loc;
    int share; /* percent */
} stock_sites[] = {
    {{"main", "Main warehouse", 0}, 60},
    {{"east", "East fulfillment center", 1}, 30},
    {{"west", "West fulfillment center", 2}, 10},
};

/* Order rate by local hour (US Eastern) and by weekday (Sunday first). */
static const double hour_rate[24] = {
    0.35, 0.20, 0.12, 0.08, 0.07, 0.10, 0.20, 0.40, 0.65, 0.85, 1.00, 1.10,
    1.20, 1.15, 1.05, 1.00, 1.00, 1.05, 1.15, 1.30, 1.40, 1.35, 1.00, 0.65};
static const double weekday_rate[7] = {1.15, 1.12, 1.05, 1.00,
                                       0.97, 0.88, 0.90};
#define RATE_MAX (1.40 * 1.15 * 1.10 * SALE_BOOST)

/* --- The plan ------------------------------------------------------------ */

/* The steps of an order's life. Equal times keep this order. */
typedef enum step {
    STEP_PLACE,
    STEP_HOLD,
    STEP_RELEASE,
    STEP_ALLOCATE,
    STEP_PICK,
    STEP_PACK,
    STEP_PARTIAL, /* one unit cancelled */
    STEP_CANCEL,  /* the whole order cancelled */
    STEP_SHIP,
    STEP_DELIVER,
    STEP_RETURN,
    STEP_COUNT,
    STEP_RESTOCK = STEP_COUNT /* a stock delivery, not an order's step */
} step;

/* What each transition step asks for and who does it. */
static const struct step_info {
    const char *name; /* for error messages */
    const char *to;   /* status for a transition; NULL otherwise */
    const char *actor;
} steps[STEP_COUNT + 1] = {
    [STEP_PLACE] = {"place", NULL, "storefront"},
    [STEP_HOLD] = {"hold", "on_hold", "agent:risk-review"},
    [STEP_RELEASE] = {"release", "confirmed", "agent:risk-review"},
    [STEP_ALLOCATE] = {"allocate", "allocated", "warehouse"},
    [STEP_PICK] = {"pick", "picking", "warehouse"},
    [STEP_PACK] = {"pack", "packed", "warehouse"},
    [STEP_PARTIAL] = {"partial cancel", NULL, NULL},
    [STEP_CANCEL] = {"cancel", NULL, NULL},
    [STEP_SHIP] = {"ship", "shipped", "warehouse"},
    [STEP_DELIVER] = {"deliver", "delivered", "carrier"},
    [STEP_RETURN] = {"return", "returned", "warehouse"},
    [STEP_RESTOCK] = {"restock", NULL, "purchasing"},
};

typedef struct demo_product {
    char sku[16];
    const char *name; /* in the demo's names arena */
    const char *category;
    hf_minor price, cost;
    double popularity;
} demo_product;

typedef struct demo_customer {
    char id[HF_ID_MAX]; /* given by the catalog service */
    const char *name, *email, *phone;
    size_t home; /* index in places[] */
    hf_time created_at;
    hf_time first_order; /* 0: never orders */
} demo_customer;

typedef struct demo_line {
    int product;
    int qty;
} demo_line;

typedef struct demo_order {
    hf_time at[STEP_COUNT]; /* when each step happens; 0: not (yet) */
    int customer;
    demo_line lines[MAX_BASKET];
    int n_lines;
    hf_shipping_method method;
    unsigned char cancel_reason;  /* index in cancel_reasons[] */
    unsigned char partial_reason; /* index in partial_reasons[] */
    unsigned char partial_line;   /* the line that loses a unit */
    unsigned char hold_reason;    /* index in hold_reasons[] */
    unsigned char return_reason;  /* index in return_reasons[] */
    char id[HF_ID_MAX];           /* given by the orders service */
} demo_order;

/* One thing to apply: a step of order `who`, or a delivery of qty units of
 * product `who` to stock_sites[site] (STEP_RESTOCK). */
typedef struct demo_event {
    hf_time at;
    uint32_t who;
    int32_t qty;        /* STEP_RESTOCK only */
    unsigned char site; /* STEP_RESTOCK only */
    unsigned char step;
} demo_event;

typedef struct demo {
    hf_services svc; /* the caller's, with the manual clock */
    hf_clock *clock; /* stands at each operation's time */
    uint64_t seed;
    int n_products, n_customers, n_orders;
    hf_time start, end; /* the history is [start, end) */
    int weeks;          /* in the history; the last may be short */
    hf_time sale;       /* start of the three-day sale; 0: none */
    hf_arena *names;    /* product names, customer names, emails, phones */
    demo_product *products;
    double *product_cdf; /* cumulative popularity */
    demo_customer *customers;
    double *customer_cdf; /* cumulative order frequency */
    demo_order *orders;
    int64_t *demand; /* units of product p ordered in week w: [p*weeks+w] */
    demo_event *events;
    size_t n_events;
    struct demo_retention *retention; /* requests and conversations
                                         (demo_retention_plan) */
} demo;

/* A cancellation request's or conversation's step (demo_retention_*). */
enum { STEP_RETENTION = STEP_COUNT + 1 };
static hf_rc demo_retention_plan(demo *d, hf_err *err);
static hf_rc demo_retention_apply(hf_txn *t, demo *d, const demo_event *e,
                                  hf_arena *a, hf_err *err);

static hf_time hours(double h)
{
    return (hf_time)(h * (double)HF_HOUR);
}

/* t moved by h hours (either way), down to a whole second. */
static hf_time shift(hf_time t, double h)
{
    hf_time x = t + hours(h);
    return x - ((x % HF_SECOND) + HF_SECOND) % HF_SECOND;
}

/* t plus h hours, to the whole second and at least one second later, so
 * that the steps of an order never share an instant. */
static hf_time later(hf_time t, double h)
{
    hf_time x = shift(t, h);
    return x > t ? x : t + HF_SECOND;
}

static hf_rc oom(hf_err *err)
{
    return hf_fail(err, HF_ENOMEM, NULL, NULL, "out of memory");
}

/* --- Planning the catalog ------------------------------------------------ */

/* True when one of the first n products of category cat (a name from
 * categories[], compared by address) is called name. */
static bool name_taken(const demo *d, int n, const char *cat, const char *name)
{
    for (int i = 0; i < n; i++)
        if (d->products[i].category == cat &&
            strcmp(d->products[i].name, name) == 0)
            return true;
    return false;
}

/* A product name of category c not yet in the catalog (after a few tries,
 * any). NULL when the arena is full. */
static const char *product_name(demo *d, rng *r, int n, const category *c,
                                const item_kind **kind)
{
    const char *name = NULL;
    for (int attempt = 0; attempt < 20; attempt++) {
        *kind = &c->kinds[rng_below(r, c->n_kinds)];
        const char *style = c->styles[rng_below(r, c->n_styles)];
        if (c->coloured)
            name =
                hf_arena_printf(d->names, "%s %s - %s", style, (*kind)->noun,
                                colours[rng_below(r, HF_ARRAY_LEN(colours))]);
        else
            name = hf_arena_printf(d->names, "%s %s", style, (*kind)->noun);
        if (name == NULL || !name_taken(d, n, c->name, name))
            break;
    }
    return name;
}

static hf_rc plan_catalog(demo *d, hf_err *err)
{
    rng r;
    rng_seed(&r, d->seed, STREAM_CATALOG, 0);
    int next_sku[HF_ARRAY_LEN(categories)];
    for (size_t i = 0; i < HF_ARRAY_LEN(categories); i++)
        next_sku[i] = 1001;
    double total = 0;
    for (int i = 0; i < d->n_products; i++) {
        demo_product *p = &d->products[i];
        size_t ci = PICK(&r, categories);
        const category *c = &categories[ci];
        const item_kind *kind;
        p->name = product_name(d, &r, i, c, &kind);
        if (p->name == NULL)
            return oom(err);
        snprintf(p->sku, sizeof(p->sku), "%s-%d", c->prefix, next_sku[ci]++);
        p->category = c->name;
        /* whole dollars less a cent: 24.99 */
        double dollars = rng_log_uniform(&r, kind->min_price / 100.0,
                                         kind->max_price / 100.0);
        p->price = (hf_minor)(ceil(dollars) * 100) - 1;
        p->cost = (hf_minor)((double)p->price * rng_uniform(&r, 0.35, 0.65));
        p->popularity = rng_lognormal(&r, 1.0, 1.0);
        total += p->popularity;
        d->product_cdf[i] = total;
    }
    return HF_OK;
}

/* --- Planning customers -------------------------------------------------- */

/* Emails already given, as an open-addressing hash set. */
typedef struct email_set {
    const char **slots;
    size_t mask;
} email_set;

static uint64_t hash_text(const char *s)
{
    uint64_t h = 1469598103934665603u; /* FNV-1a */
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211u;
    return h;
}

/* Adds email unless present; false when it was. */
static bool email_add(email_set *set, const char *email)
{
    size_t i = (size_t)hash_text(email) & set->mask;
    for (; set->slots[i] != NULL; i = (i + 1) & set->mask)
        if (strcmp(set->slots[i], email) == 0)
            return false;
    set->slots[i] = email;
    return true;
}

static void lower(char *s)
{
    for (; *s; s++)
        if (*s >= 'A' && *s <= 'Z')
            *s = (char)(*s - 'A' + 'a');
}

/* A unique email for first last: first.last@, firstlast@, flast@ ... with
 * a number added until it is free. NULL when the arena is full. */
static const char *customer_email(demo *d, rng *r, email_set *set,
                                  const char *first, const char *last)
{
    static const char *const styles[] = {"%s.%s", "%s%s", "%.1s%s", "%s_%s"};
    const char *domain = rng_chance(r, 0.7) ? "example.com" : "example.org";
    char local[64];
    snprintf(local, sizeof(local), styles[rng_below(r, HF_ARRAY_LEN(styles))],
             first, last);
    lower(local);
    for (int n = 1;; n++) {
        char *email =
            n == 1
                ? hf_arena_printf(d->names, "%s@%s", local, domain)
                : hf_arena_printf(d->names, "%s%d@%s", local,
                                  n < 10 ? n : rng_int(r, 10, 99 + n), domain);
        if (email == NULL || email_add(set, email))
            return email;
    }
}

static hf_rc plan_customers(demo *d, hf_err *err)
{
    email_set set = {NULL, 0};
    size_t size = 16;
    while (size < 2 * (size_t)d->n_customers)
        size *= 2;
    set.slots = hf_calloc(size, sizeof(*set.slots));
    if (set.slots == NULL)
        return oom(err);
    set.mask = size - 1;

    rng r;
    rng_seed(&r, d->seed, STREAM_CUSTOMERS, 0);
    hf_rc rc = HF_OK;
    double total = 0;
    for (int i = 0; i < d->n_customers && rc == HF_OK; i++) {
        demo_customer *c = &d->customers[i];
        const char *first =
            first_names[rng_below(&r, HF_ARRAY_LEN(first_names))];
        const char *last = last_names[rng_below(&r, HF_ARRAY_LEN(last_names))];
        c->name = hf_arena_printf(d->names, "%s %s", first, last);
        c->email = customer_email(d, &r, &set, first, last);
        c->home = PICK(&r, places);
        bool has_phone = !rng_chance(&r, 0.15);
        if (has_phone)
            c->phone = hf_arena_printf(d->names, "%s%04d", places[c->home].dial,
                                       rng_int(&r, 100, 199));
        if (c->name == NULL || c->email == NULL ||
            (has_phone && c->phone == NULL))
            rc = oom(err);
        /* capped: even the keenest customer orders a few times a week */
        double keenness = rng_lognormal(&r, 1.0, 0.8);
        total += keenness < 6 ? keenness : 6;
        d->customer_cdf[i] = total;
    }
    hf_free(set.slots);
    return rc;
}

/* When each customer signed up: before the period, or just before the
 * first order; customers who never order sign up at any time. */
static void plan_signups(demo *d)
{
    rng r;
    rng_seed(&r, d->seed, STREAM_CUSTOMERS, 1);
    for (int i = 0; i < d->n_customers; i++) {
        demo_customer *c = &d->customers[i];
        hf_time span = d->end - d->start;
        if (c->first_order == 0)
            c->created_at = later(
                d->start - 365 * HF_DAY,
                rng_uniform(&r, 0,
                            (double)(365 * HF_DAY + span) / (double)HF_HOUR));
        else if (rng_chance(&r, 0.5))
            c->created_at = shift(d->start, -rng_uniform(&r, 24, 540 * 24));
        else
            c->created_at = shift(c->first_order, -rng_uniform(&r, 0.02, 1));
        if (c->first_order != 0 && c->created_at > c->first_order)
            c->created_at = c->first_order;
    }
}

/* --- Planning orders ----------------------------------------------------- */

/* The relative order rate at t. */
static double order_rate(const demo *d, hf_time t)
{
    hf_time local = t - 5 * HF_HOUR; /* US Eastern, standard time */
    int hour = (int)(((local % HF_DAY) + HF_DAY) % HF_DAY / HF_HOUR);
    double progress = (double)(t - d->start) / (double)(d->end - d->start);
    double rate = hour_rate[hour] * weekday_rate[hf_time_weekday(local)] *
                  (0.9 + 0.2 * progress);
    if (d->sale != 0 && t >= d->sale && t < d->sale + 3 * HF_DAY)
        rate *= SALE_BOOST;
    return rate;
}

/* A placement time in [start, end), whole seconds, following the rate. */
static hf_time draw_placement(const demo *d, rng *r)
{
    for (;;) {
        hf_time t =
            d->start + (hf_time)(rng_unit(r) * (double)(d->end - d->start));
        t -= t % HF_SECOND;
        if (t < d->start)
            continue;
        if (rng_unit(r) * RATE_MAX < order_rate(d, t))
            return t;
    }
}

static int compare_time(const void *a, const void *b)
{
    hf_time x = *(const hf_time *)a, y = *(const hf_time *)b;
    return (x > y) - (x < y);
}

/* Lines of distinct products and the customer. */
static void plan_basket(demo *d, rng *r, demo_order *o)
{
    size_t n = (size_t)basket_sizes[PICK(r, basket_sizes)].value;
    if (n > (size_t)d->n_products)
        n = (size_t)d->n_products;
    o->n_lines = 0;
    while ((size_t)o->n_lines < n) {
        int p = (int)pick_cdf(r, d->product_cdf, (size_t)d->n_products);
        bool dup = false;
        for (int i = 0; i < o->n_lines; i++)
            dup = dup || o->lines[i].product == p;
        if (dup)
            continue;
        o->lines[o->n_lines++] =
            (demo_line){p, quantities[PICK(r, quantities)].value};
    }
    o->customer = (int)pick_cdf(r, d->customer_cdf, (size_t)d->n_customers);
    o->method =
        rng_chance(r, EXPEDITED_RATE) ? HF_SHIP_EXPEDITED : HF_SHIP_STANDARD;
}

/* Hours from the warehouse's start to shipment. */
static double ship_hours(rng *r, hf_shipping_method m)
{
    double h = m == HF_SHIP_EXPEDITED ? 3 + rng_lognormal(r, 8, 0.5)
                                      : 10 + rng_lognormal(r, 18, 0.55);
    return h < 12 * 24 ? h : 12 * 24;
}

/* Hours the carrier takes. */
static double transit_hours(rng *r, hf_shipping_method m)
{
    double days = m == HF_SHIP_EXPEDITED ? rng_lognormal(r, 1.6, 0.3)
                                         : rng_lognormal(r, 3.2, 0.3);
    double lo = m == HF_SHIP_EXPEDITED ? 1 : 2;
    double hi = m == HF_SHIP_EXPEDITED ? 3 : 7;
    days = days < lo ? lo : days > hi ? hi : days;
    if (rng_chance(r, DELAY_RATE))
        days += rng_uniform(r, 2, 6);
    return days * 24;
}

static int64_t units(const demo_order *o)
{
    int64_t n = 0;
    for (int i = 0; i < o->n_lines; i++)
        n += o->lines[i].qty;
    return n;
}

/* Order oi's payment and whether it ships to someone else as a gift: the
 * first draws of its STREAM_DETAIL, which place_order() goes on drawing
 * from (r is left there). */
static const struct payment_kind *order_detail(const demo *d, uint32_t oi,
                                               rng *r, bool *gift)
{
    rng_seed(r, d->seed, STREAM_DETAIL, oi);
    const struct payment_kind *pay = &payment_kinds[PICK(r, payment_kinds)];
    *gift = rng_chance(r, GIFT_RATE);
    return pay;
}

/* True for the share p of customers (index i) or products (index
 * TRAIT_PRODUCT + i) that carry a trait; the same one every time. */
#define TRAIT_PRODUCT ((uint64_t)1 << 32)
static bool has_trait(const demo *d, uint64_t index, double p)
{
    rng r;
    rng_seed(&r, d->seed, STREAM_TRAITS, index);
    return rng_chance(&r, p);
}

/*
 * The probability that order oi is cancelled whole: a logistic model of
 * causes a real shop sees,
 *     logit(p) = CANCEL_BASE + the sum of the effects that apply,
 * and the draw against p is the noise (two equal orders may go either
 * way). Every cause is one that the risk model's features
 * (services/risk_features.c) can observe at placement, directly or through
 * the history the store has recorded before it:
 *   customer   10% of customers change their minds often (+2.3): seen
 *              only through their earlier cancellations
 *              (prior_cancellations, prior_orders)
 *   new, big   a customer's first order with goods worth $250 or more
 *              (+1.8): prior_orders = 0, total
 *   product    6% of SKUs are misdescribed (+2.0 when the order has one):
 *              seen through the SKU's earlier cancellations
 *              (sku_cancel_rate, sku_history_lines)
 *   category   of the line worth most (main_category): electronics +0.5,
 *              apparel +0.4, footwear +0.2, beauty -0.3
 *   payment    paypal +0.3, apple_pay -0.3, shop_pay -0.5, card 0
 *              (payment_method)
 *   address    no phone number on the shipping address, so the carrier
 *              cannot call (+1.0): address_issues
 *   promise    +0.3 per promised day past seven (promised_days: standard
 *              shipping promises 8-10 days, more when placed late in the
 *              week; expedited 3-5)
 * CANCEL_BASE puts about 3% of orders in the cancelled set. Shipment
 * delays do not enter: the demo cancels only before shipment, and the
 * warehouse's pace is not known at placement.
 */
#define CANCEL_BASE (-5.3)
static double cancel_probability(const demo *d, uint32_t oi,
                                 const demo_order *o)
{
    double logit = CANCEL_BASE;
    const demo_customer *c = &d->customers[o->customer];
    if (has_trait(d, (uint64_t)o->customer, 0.10))
        logit += 2.3;
    hf_minor goods = 0, best = -1;
    const char *main_category = "";
    bool misdescribed = false;
    for (int i = 0; i < o->n_lines; i++) {
        const demo_product *p = &d->products[o->lines[i].product];
        hf_minor v = p->price * o->lines[i].qty;
        goods += v;
        if (v > best) {
            best = v;
            main_category = p->category;
        }
        misdescribed =
            misdescribed ||
            has_trait(d, TRAIT_PRODUCT + (uint64_t)o->lines[i].product, 0.06);
    }
    if (c->first_order == 0 && goods >= 25000) /* planned in time order */
        logit += 1.8;
    if (misdescribed)
        logit += 2.0;
    static const struct {
        const char *name;
        double effect;
    } effects[] = {{"electronics", 0.5}, {"apparel", 0.4}, {"footwear", 0.2},
                   {"beauty", -0.3},     {"paypal", 0.3},  {"apple_pay", -0.3},
                   {"shop_pay", -0.5}};
    rng r;
    bool gift;
    const char *method = order_detail(d, oi, &r, &gift)->method;
    for (size_t i = 0; i < HF_ARRAY_LEN(effects); i++)
        if (strcmp(effects[i].name, main_category) == 0 ||
            strcmp(effects[i].name, method) == 0)
            logit += effects[i].effect;
    if (gift || c->phone == NULL) /* a gift's address has no phone */
        logit += 1.0;
    hf_time placed = o->at[STEP_PLACE];
    double days = (double)(hf_promised_by(o->method, placed) - placed) / HF_DAY;
    if (days > 7)
        logit += 0.3 * (days - 7);
    return 1 / (1 + exp(-logit));
}

/* When each step of order oi happens, from placement on. */
static void plan_fate(const demo *d, uint32_t oi, rng *r, demo_order *o)
{
    hf_time *at = o->at;
    hf_time placed = at[STEP_PLACE];
    hf_time cancel = 0, work = placed; /* the warehouse starts at work */
    if (rng_chance(r, cancel_probability(d, oi, o))) {
        o->cancel_reason = (unsigned char)PICK(r, cancel_reasons);
        const struct cancel_reason *c = &cancel_reasons[o->cancel_reason];
        cancel = later(placed, rng_log_uniform(r, c->min_h, c->max_h));
        if (strcmp(c->code, "fraud_suspected") == 0) {
            /* held at once; the warehouse never sees it */
            at[STEP_HOLD] = later(placed, rng_uniform(r, 0.05, 0.4));
            at[STEP_CANCEL] =
                cancel > at[STEP_HOLD] ? cancel : later(at[STEP_HOLD], 0.5);
            o->hold_reason = HOLD_FRAUD;
            return;
        }
    }
    if (rng_chance(r, HOLD_RATE)) {
        o->hold_reason = (unsigned char)PICK(r, hold_reasons);
        at[STEP_HOLD] = later(placed, rng_uniform(r, 0.08, 0.75));
        at[STEP_RELEASE] = later(at[STEP_HOLD], rng_log_uniform(r, 1, 10));
        work = at[STEP_RELEASE];
    }
    hf_time ship = later(work, ship_hours(r, o->method));
    if (cancel != 0 && ship <= cancel) /* it had not shipped when cancelled */
        ship = later(cancel, rng_uniform(r, 2, 24));
    double span = (double)(ship - work) / (double)HF_HOUR;
    at[STEP_ALLOCATE] = later(work, span * rng_uniform(r, 0.05, 0.15));
    at[STEP_PICK] = later(work, span * rng_uniform(r, 0.35, 0.65));
    at[STEP_PACK] = later(work, span * rng_uniform(r, 0.75, 0.92));
    if (cancel != 0) {
        at[STEP_CANCEL] = cancel;
        for (int s = STEP_HOLD; s < STEP_CANCEL; s++)
            if (at[s] >= cancel)
                at[s] = 0; /* never happened */
        return;
    }
    at[STEP_SHIP] = ship;
    at[STEP_DELIVER] = later(ship, transit_hours(r, o->method));
    if (units(o) >= 2 && rng_chance(r, PARTIAL_RATE)) {
        o->partial_reason = (unsigned char)PICK(r, partial_reasons);
        o->partial_line = (unsigned char)rng_below(r, (size_t)o->n_lines);
        at[STEP_PARTIAL] = later(placed, (double)(ship - placed) / HF_HOUR *
                                             rng_uniform(r, 0.1, 0.8));
    }
    if (rng_chance(r, RETURN_RATE)) {
        o->return_reason = (unsigned char)PICK(r, return_reasons);
        at[STEP_RETURN] = later(at[STEP_DELIVER], rng_uniform(r, 4, 21) * 24);
    }
}

/* Placement times in order, then each order's basket and fate; counts
 * each product's demand and each customer's first order. */
static hf_rc plan_orders(demo *d, hf_err *err)
{
    hf_time *times = hf_calloc((size_t)d->n_orders, sizeof(*times));
    if (times == NULL)
        return oom(err);
    rng r;
    rng_seed(&r, d->seed, STREAM_TIMES, 0);
    for (int i = 0; i < d->n_orders; i++)
        times[i] = draw_placement(d, &r);
    qsort(times, (size_t)d->n_orders, sizeof(*times), compare_time);
    for (int i = 0; i < d->n_orders; i++) {
        demo_order *o = &d->orders[i];
        memset(o, 0, sizeof(*o));
        o->at[STEP_PLACE] = times[i];
        rng_seed(&r, d->seed, STREAM_ORDER, (uint64_t)i);
        plan_basket(d, &r, o);
        plan_fate(d, (uint32_t)i, &r, o);
        for (int s = 0; s < STEP_COUNT; s++)
            if (o->at[s] >= d->end)
                o->at[s] = 0; /* not yet */
        demo_customer *c = &d->customers[o->customer];
        if (c->first_order == 0)
            c->first_order = o->at[STEP_PLACE];
        size_t week = (size_t)((o->at[STEP_PLACE] - d->start) / (7 * HF_DAY));
        for (int l = 0; l < o->n_lines; l++)
            d->demand[(size_t)o->lines[l].product * (size_t)d->weeks + week] +=
                o->lines[l].qty;
    }
    hf_free(times);
    return HF_OK;
}

/* --- Planning stock ------------------------------------------------------ */

/* A delivery of qty units of product p at time at, spread over the
 * locations by their shares. */
static void add_delivery(demo *d, hf_time at, int p, int64_t qty)
{
    int64_t left = qty;
    for (size_t i = 0; i < HF_ARRAY_LEN(stock_sites) && left > 0; i++) {
        int64_t part = i + 1 == HF_ARRAY_LEN(stock_sites)
                           ? left
                           : qty * stock_sites[i].share / 100;
        if (part > 0)
            d->events[d->n_events++] =
                (demo_event){at, (uint32_t)p, (int32_t)part, (unsigned char)i,
                             (unsigned char)STEP_RESTOCK};
        left -= part;
    }
}

/* Deliveries: before the period the safety stock and the first week's
 * demand, then as each week begins its demand; each week's quantity a
 * little more than the orders will take, rounded up to case packs.
 * Whatever the orders of a week take, the deliveries so far cover it:
 * stock never runs out. */
static void plan_stock(demo *d)
{
    rng r;
    rng_seed(&r, d->seed, STREAM_STOCK, 0);
    for (int p = 0; p < d->n_products; p++) {
        const int64_t *week = &d->demand[(size_t)p * (size_t)d->weeks];
        int64_t total = 0;
        for (int w = 0; w < d->weeks; w++)
            total += week[w];
        bool scarce = rng_chance(&r, SCARCE_RATE);
        int64_t safety = scarce ? rng_int(&r, 0, 2)
                                : (int64_t)ceil((double)total / d->weeks *
                                                rng_uniform(&r, 0.5, 1.5)) +
                                      rng_int(&r, 3, 12);
        for (int w = 0; w < d->weeks; w++) {
            int64_t pack = scarce          ? 1
                           : week[w] >= 24 ? 12
                           : week[w] >= 6  ? 6
                                           : 1;
            double more = scarce ? 1.0 : rng_uniform(&r, 1.0, 1.1);
            int64_t qty =
                (int64_t)ceil((double)week[w] * more / (double)pack) * pack;
            if (w == 0)
                add_delivery(d, d->start - 2 * HF_DAY, p, safety + qty);
            else
                add_delivery(d, d->start + w * 7 * HF_DAY, p, qty);
        }
    }
}

/* --- Planning the timeline ----------------------------------------------- */

static int compare_events(const void *a, const void *b)
{
    const demo_event *x = a, *y = b;
    if (x->at != y->at)
        return (x->at > y->at) - (x->at < y->at);
    /* deliveries first, then by order (numbers follow placement), step */
    int xr = x->step == STEP_RESTOCK, yr = y->step == STEP_RESTOCK;
    if (xr != yr)
        return yr - xr;
    if (x->who != y->who)
        return (x->who > y->who) - (x->who < y->who);
    if (x->site != y->site)
        return x->site - y->site;
    return (x->step > y->step) - (x->step < y->step);
}

/* Every step that happens, after the deliveries plan_stock() added, in
 * time order. */
static void plan_events(demo *d)
{
    for (int i = 0; i < d->n_orders; i++)
        for (int s = 0; s < STEP_COUNT; s++)
            if (d->orders[i].at[s] != 0)
                d->events[d->n_events++] = (demo_event){
                    d->orders[i].at[s], (uint32_t)i, 0, 0, (unsigned char)s};
    qsort(d->events, d->n_events, sizeof(*d->events), compare_events);
}

/* --- Writing: catalog, stock and customers ------------------------------- */

/* Locations and products, in one write. */
static hf_rc write_setup(hf_txn *t, void *arg, hf_err *err)
{
    demo *d = arg;
    hf_clock_set(d->clock, d->start - 30 * HF_DAY);
    for (size_t i = 0; i < HF_ARRAY_LEN(stock_sites); i++) {
        hf_rc rc = hf_txn_location_get(t, stock_sites[i].loc.code, err);
        if (rc == HF_ENOTFOUND)
            rc = hf_catalog_location_create(t, &d->svc, &stock_sites[i].loc,
                                            err);
        if (rc != HF_OK)
            return rc;
    }
    for (int i = 0; i < d->n_products; i++) {
        const demo_product *p = &d->products[i];
        hf_product prod = {p->sku,      p->name, p->price, p->cost, "USD",
                           p->category, NULL,    true,     0};
        hf_rc rc = hf_catalog_product_create(t, &d->svc, &prod, err);
        if (rc != HF_OK)
            return rc;
    }
    return HF_OK;
}

typedef struct customer_args {
    demo *d;
    int from, to; /* customers [from, to) */
    hf_arena *a;
} customer_args;

static hf_rc write_customers(hf_txn *t, void *arg, hf_err *err)
{
    customer_args *s = arg;
    for (int i = s->from; i < s->to; i++) {
        demo_customer *dc = &s->d->customers[i];
        hf_customer c = {NULL, dc->email, dc->name, dc->phone, 0};
        hf_clock_set(s->d->clock, dc->created_at);
        hf_rc rc = hf_catalog_customer_create(t, &s->d->svc, &c, s->a, err);
        if (rc != HF_OK)
            return rc;
        snprintf(dc->id, sizeof(dc->id), "%s", c.id);
    }
    return HF_OK;
}

/* --- Writing: the timeline ----------------------------------------------- */

/* A street address in place pl, drawn from r. NULL fields when the arena
 * is full; the service then refuses the order. */
static hf_address make_address(rng *r, const place *pl, const char *name,
                               const char *phone, hf_arena *a)
{
    hf_address ad;
    memset(&ad, 0, sizeof(ad));
    ad.name = name;
    ad.line1 = hf_arena_printf(a, "%d %s", (int)rng_log_uniform(r, 1, 9999),
                               streets[rng_below(r, HF_ARRAY_LEN(streets))]);
    if (rng_chance(r, 0.25))
        ad.line2 = hf_arena_printf(
            a, unit_formats[rng_below(r, HF_ARRAY_LEN(unit_formats))],
            rng_int(r, 1, 40));
    ad.city = pl->city;
    ad.region = pl->region;
    ad.postal_code = hf_arena_printf(
        a, pl->postal, pl->postal_lo + rng_int(r, 0, pl->postal_span - 1));
    ad.country = pl->country;
    ad.phone = phone;
    return ad;
}

/* Where customer ci lives: the same address for every order. */
static hf_address home_address(const demo *d, int ci, hf_arena *a)
{
    const demo_customer *c = &d->customers[ci];
    rng r;
    rng_seed(&r, d->seed, STREAM_HOME, (uint64_t)ci);
    return make_address(&r, &places[c->home], c->name, c->phone, a);
}

/* Someone else, somewhere else: a gift. */
static hf_address gift_address(rng *r, hf_arena *a)
{
    const char *name = hf_arena_printf(
        a, "%s %s", first_names[rng_below(r, HF_ARRAY_LEN(first_names))],
        last_names[rng_below(r, HF_ARRAY_LEN(last_names))]);
    return make_address(r, &places[PICK(r, places)], name, NULL, a);
}

static hf_rc place_order(hf_txn *t, demo *d, uint32_t oi, hf_arena *a,
                         hf_err *err)
{
    demo_order *o = &d->orders[oi];
    rng r;
    bool gift;
    const struct payment_kind *pay = order_detail(d, oi, &r, &gift);
    hf_line_request lines[MAX_BASKET];
    for (int i = 0; i < o->n_lines; i++)
        lines[i] = (hf_line_request){d->products[o->lines[i].product].sku,
                                     o->lines[i].qty};
    hf_place_request req;
    memset(&req, 0, sizeof(req));
    req.customer_id = d->customers[o->customer].id;
    req.lines = lines;
    req.n_lines = (size_t)o->n_lines;
    req.shipping_address =
        gift ? gift_address(&r, a) : home_address(d, o->customer, a);
    req.shipping_method = o->method;
    req.channel = channels[PICK(&r, channels)].name;
    req.payment.method = pay->method;
    req.payment.gateway = "manual";
    req.payment.capture = pay->capture;
    req.actor = steps[STEP_PLACE].actor;
    req.placed_at = o->at[STEP_PLACE];
    hf_order_result out;
    hf_rc rc = hf_orders_place_txn(t, &d->svc, &req, a, &out, err);
    if (rc == HF_OK)
        snprintf(o->id, sizeof(o->id), "%s", out.order.id);
    return rc;
}

static hf_rc cancel_order(hf_txn *t, demo *d, const demo_order *o, bool partial,
                          hf_arena *a, hf_err *err)
{
    hf_cancel_request req;
    memset(&req, 0, sizeof(req));
    req.order = o->id;
    hf_line_request unit;
    if (partial) {
        const struct partial_reason *p = &partial_reasons[o->partial_reason];
        unit = (hf_line_request){
            d->products[o->lines[o->partial_line].product].sku, 1};
        req.reason = p->code;
        req.actor = p->actor;
        req.lines = &unit;
        req.n_lines = 1;
    } else {
        const struct cancel_reason *c = &cancel_reasons[o->cancel_reason];
        req.reason = c->code;
        req.note = c->note;
        req.actor = c->actor;
    }
    hf_order_result out;
    return hf_orders_cancel_txn(t, &d->svc, &req, a, &out, err);
}

static hf_rc move_order(hf_txn *t, demo *d, const demo_order *o, step s,
                        hf_time at, hf_arena *a, hf_err *err)
{
    hf_transition_request req;
    memset(&req, 0, sizeof(req));
    req.order = o->id;
    req.to = steps[s].to;
    req.actor = steps[s].actor;
    req.at = at;
    if (s == STEP_HOLD)
        req.reason = hold_reasons[o->hold_reason].name;
    else if (s == STEP_RETURN)
        req.reason = return_reasons[o->return_reason].name;
    hf_order_result out;
    return hf_orders_transition_txn(t, &d->svc, &req, a, &out, err);
}

static hf_rc apply_event(hf_txn *t, demo *d, const demo_event *e, hf_arena *a,
                         hf_err *err)
{
    hf_clock_set(d->clock, e->at);
    if (e->step == STEP_RETENTION)
        return demo_retention_apply(t, d, e, a, err);
    switch ((step)e->step) {
    case STEP_PLACE:
        return place_order(t, d, e->who, a, err);
    case STEP_RESTOCK: {
        hf_inventory inv;
        return hf_catalog_inventory_adjust(
            t, &d->svc, d->products[e->who].sku, stock_sites[e->site].loc.code,
            e->qty, "received", steps[STEP_RESTOCK].actor, a, &inv, err);
    }
    case STEP_PARTIAL:
        return cancel_order(t, d, &d->orders[e->who], true, a, err);
    case STEP_CANCEL:
        return cancel_order(t, d, &d->orders[e->who], false, a, err);
    default:
        return move_order(t, d, &d->orders[e->who], (step)e->step, e->at, a,
                          err);
    }
}

typedef struct batch_args {
    demo *d;
    const demo_event *events;
    size_t n;
    hf_arena *a;
} batch_args;

/* Applies a run of events in one write. A failure says which event. */
static hf_rc write_batch(hf_txn *t, void *arg, hf_err *err)
{
    batch_args *b = arg;
    for (size_t i = 0; i < b->n; i++) {
        const demo_event *e = &b->events[i];
        hf_rc rc = apply_event(t, b->d, e, b->a, err);
        hf_arena_reset(b->a);
        if (rc != HF_OK) {
            hf_err why = err ? *err : (hf_err){0};
            char when[HF_TIME_TEXT];
            return hf_fail(
                err, rc, why.code[0] ? why.code : NULL,
                why.field[0] ? why.field : NULL, "demo: %s of %s %u at %s: %s",
                e->step == STEP_RETENTION ? "retention" : steps[e->step].name,
                e->step == STEP_RESTOCK ? "product" : "order", (unsigned)e->who,
                hf_time_format(e->at, when), why.message);
        }
    }
    return HF_OK;
}

/* --- Cancellation requests and conversations ---------------------------
 *
 * When cancel requests are available (svc->retention), some customers ask
 * through the retention service instead of having the order cancelled
 * for them, at the times the plan already has:
 * - of the orders the plan cancels for a customer's reason, 60% ask first,
 *   0.5-6 h before (after the order's last step before it): 45% on the
 *   self-service page and then leave (the
 *   order is cancelled as planned: the request is lost), 35% on the page
 *   and decline the offers when the plan cancels (the policy cancels),
 *   20% in a chat ("I want to cancel my order", then "No thanks, just
 *   cancel it");
 * - of the orders that ship with no hold and no partial cancellation, 2%
 *   ask between placement and 60% of the way to shipment: 60% take an
 *   offer, the discount, the shipping upgrade or the coupon by 5:3:2 among
 *   those offered (a swap would move stock the plan counts on), 25% ask
 *   for a person (an agent closes the escalation 1-30 h later), 15% leave
 *   the page; all these ship;
 * - 40% of customer cancellations answer the survey 1-48 h later (service
 *   rating 1-5 weighted 5/10/15/35/35%, would recommend mostly with 4-5).
 * An operation the policy refuses (the order moved on, say) is skipped,
 * not fatal: it runs under a savepoint. The plan's own cancellation of an
 * order a conversation cancelled is skipped likewise.
 */

enum {
    R_REQUEST = 0, /* a STEP_RETENTION event's qty: what it does */
    R_ACCEPT,
    R_DECLINE,
    R_AGENT,
    R_CLOSE,
    R_CHAT,
    R_CHAT_SAY,
    R_CANCEL,
    R_SURVEY,
    R_PER_ORDER = 4 /* events one order may add */
};

/* One order's requests: what they created, for the later steps. */
typedef struct demo_request {
    char conversation[HF_ID_MAX];
    char offer[48]; /* the offer to accept; "" when none fits */
} demo_request;

typedef struct demo_retention {
    demo_request *by_order; /* indexed by order */
} demo_retention;

static bool customer_reason(const struct cancel_reason *c)
{
    return strcmp(c->actor, "customer") == 0;
}

static void add_retention(demo *d, hf_time at, int order, int what)
{
    d->events[d->n_events++] =
        (demo_event){at, (uint32_t)order, what, 0, STEP_RETENTION};
}

/* Plans the requests, conversations and survey answers (see above) into
 * d->events, in time order with the rest. */
static hf_rc demo_retention_plan(demo *d, hf_err *err)
{
    if (d->svc.retention == NULL)
        return HF_OK;
    size_t cap = d->n_events + (size_t)d->n_orders / 8 * R_PER_ORDER + 64;
    demo_event *grown = hf_realloc(d->events, cap * sizeof(*grown));
    d->retention = hf_calloc(1, sizeof(*d->retention));
    if (grown == NULL || d->retention == NULL)
        return oom(err);
    d->events = grown;
    d->retention->by_order =
        hf_calloc((size_t)d->n_orders, sizeof(*d->retention->by_order));
    if (d->retention->by_order == NULL)
        return oom(err);
    size_t planned = d->n_events;
    for (int i = 0; i < d->n_orders && d->n_events + R_PER_ORDER < cap; i++) {
        demo_order *o = &d->orders[i];
        rng r;
        rng_seed(&r, d->seed, STREAM_DETAIL,
                 (uint64_t)d->n_orders + (uint64_t)i);
        hf_time placed = o->at[STEP_PLACE], cancel = o->at[STEP_CANCEL];
        const struct cancel_reason *c = &cancel_reasons[o->cancel_reason];
        if (cancel != 0 && customer_reason(c)) {
            if (rng_chance(&r, 0.4)) {
                if (rng_chance(&r, 0.4))
                    add_retention(d, later(cancel, rng_uniform(&r, 1, 48)), i,
                                  R_SURVEY);
                continue;
            }
            /* after the order's last step before the cancellation, so a
             * conversation that cancels early leaves no step behind */
            hf_time last = placed;
            for (int st = STEP_HOLD; st < STEP_CANCEL; st++)
                if (o->at[st] > last && o->at[st] < cancel)
                    last = o->at[st];
            hf_time ask = shift(cancel, -rng_uniform(&r, 0.5, 6));
            if (ask <= last)
                ask = last + (cancel - last) / 3;
            double mode = rng_unit(&r);
            if (mode >= 0.8 && ask + 3 * HF_MINUTE >= cancel)
                mode = 0; /* no time for a chat */
            add_retention(d, ask, i, mode < 0.8 ? R_REQUEST : R_CHAT);
            if (mode >= 0.8)
                add_retention(d, ask + 2 * HF_MINUTE, i, R_CHAT_SAY);
            else if (mode >= 0.45)
                add_retention(d, cancel, i, R_DECLINE);
            /* the plan's cancellation, unless a conversation did it */
            add_retention(d, cancel + 1, i, R_CANCEL);
            if (rng_chance(&r, 0.4))
                add_retention(d, later(cancel, rng_uniform(&r, 1, 48)), i,
                              R_SURVEY);
            continue;
        }
        hf_time ship = o->at[STEP_SHIP];
        if (cancel != 0 || ship == 0 || o->at[STEP_HOLD] != 0 ||
            o->at[STEP_PARTIAL] != 0 || ship - placed < 3 * HF_HOUR ||
            !rng_chance(&r, 0.02))
            continue;
        hf_time ask = later(placed, (double)(ship - placed) / HF_HOUR *
                                        rng_uniform(&r, 0.05, 0.6));
        double mode = rng_unit(&r);
        add_retention(d, ask, i, R_REQUEST);
        if (mode < 0.6)
            add_retention(d, later(ask, rng_uniform(&r, 0.02, 0.3)), i,
                          R_ACCEPT);
        else if (mode < 0.85) {
            hf_time agent = later(ask, rng_uniform(&r, 0.02, 0.3));
            add_retention(d, agent, i, R_AGENT);
            add_retention(d, later(agent, rng_uniform(&r, 1, 30)), i, R_CLOSE);
        }
    }
    /* the orders a request stands for are cancelled by R_CANCEL instead */
    size_t kept = 0;
    for (size_t e = 0; e < planned; e++) {
        const demo_event *ev = &d->events[e];
        bool replaced = false;
        if (ev->step == STEP_CANCEL)
            for (size_t k = planned; k < d->n_events && !replaced; k++)
                replaced =
                    d->events[k].who == ev->who && d->events[k].qty == R_CANCEL;
        if (!replaced)
            d->events[kept++] = *ev;
    }
    memmove(&d->events[kept], &d->events[planned],
            (d->n_events - planned) * sizeof(*d->events));
    d->n_events = kept + (d->n_events - planned);
    qsort(d->events, d->n_events, sizeof(*d->events), compare_events);
    return HF_OK;
}

/* The id of the offer a customer takes from a request's answer, drawn by
 * kind among those that move no stock: the discount in half the cases,
 * the shipping upgrade in three of ten, the coupon in one of five (the
 * weights of the kinds offered); "" when none is offered. */
static void pick_offer(const char *json, rng *r, char out[48])
{
    static const struct {
        const char *kind;
        double weight;
    } taste[] = {{"discount", 0.5}, {"shipping_upgrade", 0.3}, {"coupon", 0.2}};
    json_t *doc = json_loads(json, 0, NULL);
    json_t *offers = json_object_get(doc, "offers");
    const char *ids[HF_ARRAY_LEN(taste)] = {NULL};
    double total = 0;
    size_t i;
    json_t *offer;
    json_array_foreach(offers, i, offer)
    {
        const char *kind = json_string_value(json_object_get(offer, "kind"));
        for (size_t k = 0; kind != NULL && k < HF_ARRAY_LEN(taste); k++)
            if (strcmp(kind, taste[k].kind) == 0 && ids[k] == NULL) {
                ids[k] = json_string_value(json_object_get(offer, "id"));
                total += ids[k] ? taste[k].weight : 0;
            }
    }
    double x = rng_unit(r) * total;
    out[0] = '\0';
    for (size_t k = 0; k < HF_ARRAY_LEN(taste) && out[0] == '\0'; k++) {
        if (ids[k] == NULL)
            continue;
        if (x < taste[k].weight || k + 1 == HF_ARRAY_LEN(taste))
            snprintf(out, 48, "%s", ids[k]);
        x -= taste[k].weight;
    }
    json_decref(doc);
}

static const char *json_id(const char *json, char out[HF_ID_MAX])
{
    json_t *doc = json_loads(json, 0, NULL);
    const char *id = json_string_value(json_object_get(doc, "id"));
    snprintf(out, HF_ID_MAX, "%s", id ? id : "");
    json_decref(doc);
    return out;
}

/* Closes the open escalation of conversation c, if any. */
static hf_rc close_escalation(hf_txn *t, demo *d, const char *c, hf_arena *a,
                              const char **json, hf_err *err)
{
    hf_escalation *e;
    size_t n;
    int64_t after = 0;
    do {
        hf_rc rc =
            hf_txn_escalation_list(t, "open", after, 200, a, &e, &n, err);
        if (rc != HF_OK)
            return rc;
        for (size_t i = 0; i < n; i++)
            if (strcmp(e[i].conversation_id, c) == 0)
                return hf_escalation_close_txn(
                    t, &d->svc, e[i].id, "Explained the delivery date; kept",
                    "agent:cx", a, json, err);
        after = n ? e[n - 1].seq : after;
    } while (n == 200);
    return hf_fail(err, HF_ENOTFOUND, "not_found", NULL, "no escalation");
}

static hf_rc retention_step(hf_txn *t, demo *d, const demo_event *e,
                            hf_arena *a, hf_err *err)
{
    demo_order *o = &d->orders[e->who];
    demo_request *q = &d->retention->by_order[e->who];
    const struct cancel_reason *c = &cancel_reasons[o->cancel_reason];
    rng r;
    rng_seed(&r, d->seed, STREAM_DETAIL,
             (uint64_t)d->n_orders * 2 + (uint64_t)e->who);
    const char *json = NULL;
    hf_rc rc;
    switch (e->qty) {
    case R_REQUEST:
        rc = hf_cancellation_request_txn(
            t, &d->svc, o->id, o->at[STEP_CANCEL] ? c->code : "changed_mind",
            NULL, "customer", a, &json, err);
        if (rc == HF_OK) {
            json_id(json, q->conversation);
            pick_offer(json, &r, q->offer);
        }
        return rc;
    case R_CHAT:
        rc = hf_conversation_start_txn(t, &d->svc, o->id, "chat", "customer", a,
                                       &json, err);
        if (rc == HF_OK)
            json_id(json, q->conversation);
        if (rc == HF_OK) {
            hf_turn_request say = {.conversation = q->conversation,
                                   .kind = HF_INPUT_MESSAGE,
                                   .text = "I want to cancel my order",
                                   .reason = c->code,
                                   .actor = "customer"};
            rc = hf_conversation_turn_txn(t, &d->svc, &say, a, &json, err);
        }
        return rc;
    case R_CHAT_SAY: {
        hf_turn_request say = {.conversation = q->conversation,
                               .kind = HF_INPUT_MESSAGE,
                               .text = "No thanks, please just cancel it",
                               .actor = "customer"};
        return hf_conversation_turn_txn(t, &d->svc, &say, a, &json, err);
    }
    case R_ACCEPT:
    case R_DECLINE:
    case R_AGENT: {
        static const hf_input_kind kinds[] = {[R_ACCEPT] = HF_INPUT_ACCEPT,
                                              [R_DECLINE] = HF_INPUT_DECLINE,
                                              [R_AGENT] = HF_INPUT_AGENT};
        if (e->qty == R_ACCEPT && q->offer[0] == '\0')
            return HF_OK; /* nothing the demo would take: leaves */
        hf_turn_request in = {.conversation = q->conversation,
                              .kind = kinds[e->qty],
                              .offer_id = q->offer,
                              .actor = "customer"};
        return hf_conversation_turn_txn(t, &d->svc, &in, a, &json, err);
    }
    case R_CLOSE:
        return close_escalation(t, d, q->conversation, a, &json, err);
    case R_CANCEL:
        return cancel_order(t, d, o, false, a, err);
    default: { /* R_SURVEY */
        static const int rating_weight[] = {5, 10, 15, 35, 35};
        int rating = 1 + (int)pick_weighted(&r, rating_weight,
                                            sizeof(rating_weight[0]), 5);
        hf_survey_answer s = {c->code, NULL, rating,
                              rng_chance(&r, rating >= 4 ? 0.85 : 0.2), 0};
        const char *token = hf_links_token(&d->svc, a, "survey", o->id, 30);
        return token
                   ? hf_survey_answer_txn(t, &d->svc, token, &s, a, &json, err)
                   : oom(err);
    }
    }
}

/* Applies one event of this section; what the services refuse (the order
 * moved on, a conversation already cancelled it) is skipped. */
static hf_rc demo_retention_apply(hf_txn *t, demo *d, const demo_event *e,
                                  hf_arena *a, hf_err *err)
{
    hf_rc rc = hf_txn_savepoint(t, err);
    if (rc != HF_OK)
        return rc;
    hf_err why;
    hf_err_clear(&why);
    rc = retention_step(t, d, e, a, &why);
    if (rc == HF_OK)
        return hf_txn_release(t, err);
    if (rc == HF_ENOMEM || rc == HF_ESTORE || hf_store_lost_race(rc, &why)) {
        if (err)
            *err = why;
        return rc;
    }
    return hf_txn_rollback_to(t, err);
}

/* --- The generator ------------------------------------------------------- */

static hf_rc check_empty(hf_txn *t, void *arg, hf_err *err)
{
    hf_product *p;
    size_t n = 0;
    hf_rc rc = hf_txn_product_list(t, NULL, 1, arg, &p, &n, err);
    if (rc == HF_OK && n > 0)
        return hf_fail(err, HF_ECONFLICT, "not_empty", NULL,
                       "the store already has products; the demo fills only "
                       "an empty store");
    return rc;
}

/* Reads an option: 0 means the default; out of range is HF_EINVAL. */
static hf_rc option(int value, int fallback, int lo, int hi, const char *name,
                    int *out, hf_err *err)
{
    *out = value == 0 ? fallback : value;
    if (*out < lo || *out > hi)
        return hf_fail(err, HF_EINVAL, "invalid", name,
                       "%s must be between %d and %d", name, lo, hi);
    return HF_OK;
}

static hf_rc demo_init(demo *d, const hf_services *svc,
                       const hf_demo_options *opt, hf_err *err)
{
    int days;
    hf_rc rc;
    if ((rc = option(opt->days, DEFAULT_DAYS, 1, MAX_DAYS, "days", &days,
                     err)) != HF_OK ||
        (rc = option(opt->products, DEFAULT_PRODUCTS, 1, MAX_PRODUCTS,
                     "products", &d->n_products, err)) != HF_OK ||
        (rc = option(opt->customers, DEFAULT_CUSTOMERS, 1, MAX_CUSTOMERS,
                     "customers", &d->n_customers, err)) != HF_OK ||
        (rc = option(opt->orders, DEFAULT_ORDERS, 1, MAX_ORDERS, "orders",
                     &d->n_orders, err)) != HF_OK)
        return rc;
    d->seed = opt->seed;
    d->end = opt->end != 0 ? opt->end : hf_clock_now(svc->clock);
    d->start = d->end - days * HF_DAY;
    d->weeks = (days + 6) / 7;
    if (days >= 14)
        d->sale = d->start + (d->end - d->start) * 6 / 10;
    d->clock = hf_clock_manual(d->start);
    d->svc = *svc;
    d->svc.clock = d->clock;

    size_t np = (size_t)d->n_products, nc = (size_t)d->n_customers;
    size_t no = (size_t)d->n_orders;
    /* at most every step of every order, and per product each week's
     * delivery spread over every location */
    size_t nw = (size_t)d->weeks;
    size_t ne = no * STEP_COUNT + np * nw * HF_ARRAY_LEN(stock_sites);
    d->names = hf_arena_new(((size_t)1 << 20) + 256 * (np + nc));
    d->products = hf_calloc(np, sizeof(*d->products));
    d->product_cdf = hf_calloc(np, sizeof(*d->product_cdf));
    d->customers = hf_calloc(nc, sizeof(*d->customers));
    d->customer_cdf = hf_calloc(nc, sizeof(*d->customer_cdf));
    d->orders = hf_calloc(no, sizeof(*d->orders));
    d->demand = hf_calloc(np * nw, sizeof(*d->demand));
    d->events = hf_calloc(ne, sizeof(*d->events));
    if (d->clock == NULL || d->names == NULL || d->products == NULL ||
        d->product_cdf == NULL || d->customers == NULL ||
        d->customer_cdf == NULL || d->orders == NULL || d->demand == NULL ||
        d->events == NULL)
        return oom(err);
    return HF_OK;
}

static void demo_free(demo *d)
{
    hf_clock_free(d->clock);
    hf_arena_free(d->names);
    hf_free(d->products);
    hf_free(d->product_cdf);
    hf_free(d->customers);
    hf_free(d->customer_cdf);
    hf_free(d->orders);
    hf_free(d->demand);
    hf_free(d->events);
    if (d->retention != NULL)
        hf_free(d->retention->by_order);
    hf_free(d->retention);
}

/* Plans the whole shop in memory. */
static hf_rc plan(demo *d, hf_err *err)
{
    hf_rc rc = plan_catalog(d, err);
    if (rc == HF_OK)
        rc = plan_customers(d, err);
    if (rc == HF_OK)
        rc = plan_orders(d, err);
    if (rc != HF_OK)
        return rc;
    plan_signups(d);
    plan_stock(d);
    plan_events(d);
    return demo_retention_plan(d, err);
}

/* Writes the plan: setup, customers, then the timeline in batches. */
static hf_rc write_plan(demo *d, hf_arena *a, hf_err *err)
{
    hf_rc rc = hf_store_write(d->svc.store, write_setup, d, err);
    for (int i = 0; i < d->n_customers && rc == HF_OK;
         i += CUSTOMERS_PER_WRITE) {
        int to = i + CUSTOMERS_PER_WRITE;
        customer_args c = {d, i, to < d->n_customers ? to : d->n_customers, a};
        rc = hf_store_write(d->svc.store, write_customers, &c, err);
        hf_arena_reset(a);
    }
    for (size_t i = 0; i < d->n_events && rc == HF_OK; i += EVENTS_PER_WRITE) {
        size_t n = d->n_events - i;
        batch_args b = {d, &d->events[i],
                        n < EVENTS_PER_WRITE ? n : EVENTS_PER_WRITE, a};
        rc = hf_store_write(d->svc.store, write_batch, &b, err);
    }
    return rc;
}

static hf_rc settle_history(hf_txn *t, void *arg, hf_err *err)
{
    (void)arg;
    return hf_txn_outbox_settle(t, INT64_MAX, err);
}

/* Plans the shop, then writes it through the services. Returns
 * HF_ECONFLICT not_empty when the store has products, HF_EINVAL for an
 * option out of range, or the first failing operation's error (earlier
 * writes stay). opt may be NULL: every default, seed 0. Owns nothing the
 * caller must free. */
hf_rc hf_demo_generate(const hf_services *svc, const hf_demo_options *opt,
                       hf_err *err)
{
    static const hf_demo_options defaults;
    if (opt == NULL)
        opt = &defaults;
    demo d;
    memset(&d, 0, sizeof(d));
    hf_arena *a = hf_arena_new(0);
    if (a == NULL)
        return oom(err);
    hf_rc rc = hf_store_read(svc->store, check_empty, a, err);
    if (rc == HF_OK)
        rc = demo_init(&d, svc, opt, err);
    if (rc == HF_OK)
        rc = plan(&d, err);
    if (rc == HF_OK)
        rc = write_plan(&d, a, err);
    /* the history's messages belong to the past: nobody is told now */
    if (rc == HF_OK)
        rc = hf_store_write(svc->store, settle_history, NULL, err);
    demo_free(&d);
    hf_arena_free(a);
    return rc;
}
