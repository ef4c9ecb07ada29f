/*
 * main.c - the holdfast command: one sorted table of subcommands, each
 * with --help. Settings come from flags, then the environment
 * (HOLDFAST_DB, HOLDFAST_LISTEN), then an INI file (--config), then
 * defaults.
 */
#include "cli/commands.h"
#include "http/server.h"
#include "notify/template.h"
#include "services/analytics.h"
#include "services/auth.h"
#include "services/demo.h"
#include "services/links.h"
#include "services/notify.h"
#include "services/playbooks.h"
#include "services/retention.h"
#include "services/risk_features.h"
#include "services/screening.h"
#include "services/sweeper.h"
#include "util/config.h"
#include "util/id.h"
#include "util/log.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Parsed command line: the subcommand's flags as config keys. */
typedef struct cli {
    hf_config *cfg;
    const char *command;
    const char *sub; /* "create" of "keys create" */
} cli;

typedef struct command {
    const char *name;
    int (*run)(cli *c);
    const char *usage;
    /* instead of run: a command that parses its own arguments */
    int (*own)(int argc, char **argv);
} command;

static int fail(const char *what, const hf_err *err)
{
    fprintf(stderr, "holdfast: %s: %s\n", what, err->message);
    return 1;
}

/* The database URL: --db, HOLDFAST_DB, [server] db, ./holdfast.db. */
static const char *db_url(cli *c)
{
    const char *db = hf_config_get(c->cfg, "flag.db", NULL);
    if (db == NULL)
        db = getenv("HOLDFAST_DB");
    if (db == NULL)
        db = hf_config_get(c->cfg, "server.db", "holdfast.db");
    return db;
}

static const char *listen_addr(cli *c)
{
    const char *l = hf_config_get(c->cfg, "flag.listen", NULL);
    if (l == NULL)
        l = getenv("HOLDFAST_LISTEN");
    if (l == NULL)
        l = hf_config_get(c->cfg, "server.listen", "127.0.0.1:8080");
    return l;
}

/* The process's risk scorer and its windows' cache, freed at exit. */
static hf_risk_scorer *risk_scorer;
static hf_risk_cache *risk_cache;

static void free_risk_scorer(void)
{
    hf_risk_scorer_free(risk_scorer);
    risk_scorer = NULL;
    hf_risk_cache_free(risk_cache);
    risk_cache = NULL;
}

/* Opens and migrates the store, and builds the services around it. */
static int open_services(cli *c, hf_services *svc, bool migrate)
{
    hf_err err;
    hf_err_clear(&err);
    memset(svc, 0, sizeof(*svc));
    svc->clock = hf_clock_system();
    svc->last_cancellable = HF_STATUS_PACKED;
    const char *deadline =
        hf_config_get(c->cfg, "orders.fulfillment_deadline_hours", NULL);
    if (deadline != NULL)
        svc->fulfillment_deadline = (hf_time)atoi(deadline) * HF_HOUR;
    const char *update =
        hf_config_get(c->cfg, "tracking.delay_update_hours", NULL);
    if (update != NULL) {
        char *end;
        double h = strtod(update, &end);
        if (end == update || *end != '\0' || !(h > 0) || h > 24 * 365) {
            fprintf(stderr,
                    "holdfast: tracking.delay_update_hours: not a number of "
                    "hours: %s\n",
                    update);
            return 1;
        }
        svc->delay_update_interval = (hf_time)(h * (double)HF_HOUR);
    }
    const char *until = hf_config_get(c->cfg, "orders.cancellable_until", NULL);
    if (until != NULL &&
        !hf_order_status_parse(until, &svc->last_cancellable)) {
        fprintf(stderr,
                "holdfast: orders.cancellable_until: unknown status "
                "%s\n",
                until);
        return 1;
    }
    /* [fraud] and [validation]: one configuration for the process */
    static hf_screening_config screening;
    if (hf_screening_config_load(c->cfg, &screening, &err) != HF_OK)
        return fail("configuration", &err);
    svc->screening = &screening;
    /* [risk] model: scores every order at placement */
    const char *model = hf_config_get(c->cfg, "risk.model", NULL);
    if (model != NULL && *model != '\0' && risk_scorer == NULL) {
        if (hf_risk_scorer_load(model, &risk_scorer, &err) != HF_OK)
            return fail("risk.model", &err);
        atexit(free_risk_scorer);
        if ((risk_cache = hf_risk_cache_new()) == NULL) {
            fprintf(stderr, "holdfast: out of memory\n");
            return 1;
        }
    }
    svc->risk = risk_scorer;
    svc->risk_cache = risk_cache;
    const char *every = hf_config_get(c->cfg, "risk.rescore_hours", NULL);
    if (every != NULL) {
        char *end;
        double h = strtod(every, &end);
        if (end == every || *end != '\0' || !(h > 0 && h <= 24 * 365)) {
            fprintf(stderr, "holdfast: risk.rescore_hours must be a number "
                            "of hours above 0\n");
            return 1;
        }
        svc->risk_rescore_every = (hf_time)(h * (double)HF_HOUR);
    }
    /* [kpi]: the targets the KPIs are measured against */
    static hf_kpi_targets kpi_targets;
    if (hf_kpi_targets_load(c->cfg, &kpi_targets, &err) != HF_OK)
        return fail("configuration", &err);
    svc->kpi_targets = &kpi_targets;
    /* [playbooks]: what a high risk score sets off; off unless set */
    static hf_playbooks_config playbooks;
    bool any_playbook;
    if (hf_playbooks_config_load(c->cfg, &playbooks, &any_playbook, &err) !=
        HF_OK)
        return fail("configuration", &err);
    svc->playbooks = any_playbook ? &playbooks : NULL;
    if (hf_store_open(db_url(c), &svc->store, &err) != HF_OK)
        return fail("database", &err);
    hf_rc rc = migrate ? hf_store_migrate(svc->store, &err)
                       : hf_store_check_schema(svc->store, &err);
    if (rc == HF_OK && migrate)
        rc = hf_links_init(svc, &err);
    if (rc != HF_OK) {
        hf_store_close(svc->store);
        return fail("database", &err);
    }
    return 0;
}

/* --- Subcommands --------------------------------------------------------- */

static int cmd_init(cli *c)
{
    hf_services svc;
    if (open_services(c, &svc, true) != 0)
        return 1;
    fprintf(stderr, "holdfast: database %s is ready\n", db_url(c));
    hf_store_close(svc.store);
    return 0;
}

typedef struct key_args {
    const hf_services *svc;
    hf_role role;
    const char *label;
    char key[HF_KEY_TEXT], id[HF_KEY_TEXT];
} key_args;

static hf_rc key_create_fn(hf_txn *t, void *arg, hf_err *err)
{
    key_args *k = arg;
    return hf_auth_key_create(t, k->svc, k->role, k->label, k->key, k->id, err);
}

static int cmd_keys(cli *c)
{
    if (c->sub == NULL || strcmp(c->sub, "create") != 0) {
        fprintf(stderr, "holdfast: usage: holdfast keys create --role "
                        "admin|agent|service [--label TEXT] [--db URL]\n");
        return 2;
    }
    key_args k;
    memset(&k, 0, sizeof(k));
    if (!hf_role_parse(hf_config_get(c->cfg, "flag.role", ""), &k.role)) {
        fprintf(stderr, "holdfast: --role must be admin, agent or service\n");
        return 2;
    }
    k.label = hf_config_get(c->cfg, "flag.label", NULL);
    hf_services svc;
    if (open_services(c, &svc, true) != 0)
        return 1;
    k.svc = &svc;
    hf_err err;
    hf_rc rc = hf_store_write(svc.store, key_create_fn, &k, &err);
    hf_store_close(svc.store);
    if (rc != HF_OK)
        return fail("keys create", &err);
    printf("%s\n", k.key);
    return 0;
}

/* The outbox's delivery workers, configured by the [notify] section. A
 * failure to start is logged, not fatal: messages wait in the outbox and
 * go out once the configuration is fixed. */
static hf_notifier *start_notifier(cli *c, const hf_services *svc)
{
    if (strcmp(hf_config_get(c->cfg, "notify.enabled", "true"), "false") == 0)
        return NULL; /* messages wait in the outbox */
    const char *templates = hf_config_get(c->cfg, "notify.templates", NULL);
    if (templates == NULL)
        templates = getenv("HOLDFAST_TEMPLATES");
    hf_notify_config nc = {
        .templates_dir = templates,
        .smtp_url = hf_config_get(c->cfg, "notify.smtp_url", NULL),
        .email_from = hf_config_get(c->cfg, "notify.email_from", NULL),
        .sms_url = hf_config_get(c->cfg, "notify.sms_url", NULL),
        .sms_account = hf_config_get(c->cfg, "notify.sms_account", NULL),
        .sms_token = hf_config_get(c->cfg, "notify.sms_token", NULL),
        .sms_from = hf_config_get(c->cfg, "notify.sms_from", NULL),
        .shop_name = hf_config_get(c->cfg, "notify.shop_name", NULL),
        .support_email = hf_config_get(c->cfg, "notify.support_email", NULL),
        .public_url =
            hf_config_get(c->cfg, "notify.public_url", "http://127.0.0.1:8080"),
        .workers = atoi(hf_config_get(c->cfg, "notify.workers", "2")),
        .lease_seconds =
            atoi(hf_config_get(c->cfg, "notify.lease_seconds", "60")),
    };
    hf_err err;
    hf_notifier *n = hf_notifier_start(svc, &nc, &err);
    if (n == NULL)
        hf_log_error("notifications are not being sent: %s", err.message);
    return n;
}

/* A setting from the config file, else the environment variable env. */
static const char *setting(cli *c, const char *key, const char *env,
                           const char *fallback)
{
    const char *v = hf_config_get(c->cfg, key, NULL);
    if (v == NULL && env != NULL)
        v = getenv(env);
    return v ? v : fallback;
}

/* The policies and intent model cancel requests run on ([policy],
 * [intents] and [retention]). A policy that does not compile is logged
 * and leaves the conversation endpoints answering 503 policy_unavailable,
 * while orders go on being served. */
static hf_retention *open_retention(cli *c)
{
    hf_retention_config rc = {
        .policy_dir = setting(c, "policy.dir", "HOLDFAST_POLICIES", "policies"),
        .policy = setting(c, "policy.cancel", NULL, NULL),
        .intents_model =
            setting(c, "intents.model", "HOLDFAST_INTENTS_MODEL", NULL),
        .intents_data =
            setting(c, "intents.data", "HOLDFAST_INTENTS_DATA", NULL),
        .max_discount_percent =
            atoi(setting(c, "retention.max_discount_percent", NULL, "0")),
        .coupon_days = atoi(setting(c, "retention.coupon_days", NULL, "0")),
        .min_confidence =
            atof(setting(c, "retention.min_confidence", NULL, "0")),
        .shop_name = hf_config_get(c->cfg, "notify.shop_name", NULL),
        .support_email = hf_config_get(c->cfg, "notify.support_email", NULL),
        .offer_cooldown_days =
            atoi(setting(c, "retention.offer_cooldown_days", NULL, "0")),
    };
    hf_retention *r = NULL;
    hf_err err;
    if (hf_retention_open(&rc, &r, &err) != HF_OK) {
        hf_log_error("cancel requests are not available: %s", err.message);
        return NULL;
    }
    hf_log_info("cancel requests run %s (%s)", hf_retention_current(r)->name,
                hf_retention_current(r)->version);
    return r;
}

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
    (void)sig;
    stop_requested = 1;
}

/* The web UI's built files: --web, [web] dir, else web/dist of the source
 * tree the program was built from, else ./web/dist; NULL (the API alone)
 * when none of the defaults exists. */
static const char *web_dir(cli *c)
{
    const char *dir = hf_config_get(c->cfg, "flag.web", NULL);
    if (dir == NULL)
        dir = hf_config_get(c->cfg, "web.dir", NULL);
    if (dir != NULL)
        return dir;
    static const char *const defaults[] = {HF_SOURCE_WEB_DIR, "web/dist"};
    for (size_t i = 0; i < HF_ARRAY_LEN(defaults); i++)
        if (access(defaults[i], R_OK | X_OK) == 0)
            return defaults[i];
    hf_log_info("no web UI built (web/dist): serving the API alone");
    return NULL;
}

static int cmd_serve(cli *c)
{
    hf_services svc;
    if (open_services(c, &svc, true) != 0)
        return 1;
    svc.retention = open_retention(c);
    hf_server_options opt = {listen_addr(c), 0, 0, web_dir(c)};
    hf_server *server;
    hf_err err;
    if (hf_server_start(&svc, &opt, &server, &err) != HF_OK) {
        hf_retention_close(svc.retention);
        hf_store_close(svc.store);
        return fail("serve", &err);
    }
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    hf_notifier *notifier = start_notifier(c, &svc);
    const char *sweep = hf_config_get(c->cfg, "tracking.sweep_seconds", "60");
    hf_sweeper *sweeper = hf_sweeper_start(&svc, atoi(sweep) * 1000);
    hf_log_info("holdfast %s serving on http://%s (%s)", HF_VERSION, opt.listen,
                hf_store_backend(svc.store));
    while (!stop_requested)
        pause();
    hf_log_info("stopping");
    hf_server_stop(server);
    hf_sweeper_stop(sweeper);
    hf_notifier_stop(notifier);
    hf_retention_close(svc.retention);
    hf_store_close(svc.store);
    return 0;
}

static int cmd_demo(cli *c)
{
    hf_demo_options opt;
    memset(&opt, 0, sizeof(opt));
    opt.seed = strtoul(hf_config_get(c->cfg, "flag.seed", "1"), NULL, 10);
    opt.days = atoi(hf_config_get(c->cfg, "flag.days", "0"));
    opt.orders = atoi(hf_config_get(c->cfg, "flag.orders", "0"));
    opt.products = atoi(hf_config_get(c->cfg, "flag.products", "0"));
    opt.customers = atoi(hf_config_get(c->cfg, "flag.customers", "0"));
    const char *end = hf_config_get(c->cfg, "flag.end", NULL);
    if (end != NULL && hf_time_parse(end, &opt.end) != 0) {
        fprintf(stderr, "holdfast demo: bad --end %s (RFC 3339)\n", end);
        return 2;
    }
    hf_services svc;
    if (open_services(c, &svc, true) != 0)
        return 1;
    /* with the policies, the demo's customers also ask to cancel */
    svc.retention = open_retention(c);
    hf_err err;
    hf_rc rc = hf_demo_generate(&svc, &opt, &err);
    hf_retention_close(svc.retention);
    hf_store_close(svc.store);
    if (rc != HF_OK)
        return fail("demo", &err);
    fprintf(stderr, "holdfast: demo data written to %s\n", db_url(c));
    return 0;
}

typedef struct kpi_args {
    const hf_services *svc;
    hf_kpi_query q;
    hf_kpi_format format;
    hf_arena *a;
    const char *out;
    bool drivers; /* holdfast kpi drivers */
} kpi_args;

static hf_rc kpi_fn(hf_txn *t, void *arg, hf_err *err)
{
    kpi_args *k = arg;
    if (k->drivers)
        return hf_analytics_drivers_txn(t, &k->q, k->a, &k->out, err);
    return hf_analytics_kpis_txn(t, k->svc->kpi_targets, &k->q, k->format, k->a,
                                 &k->out, err);
}

/* holdfast kpi rebuild|check: recomputes the aggregates from the base
 * tables (check compares and writes nothing; exit 1 when they differ). */
static int kpi_rebuild(cli *c, bool check_only)
{
    hf_services svc;
    if (open_services(c, &svc, false) != 0)
        return 1;
    hf_err err;
    hf_err_clear(&err);
    hf_kpi_rebuild r;
    hf_rc rc = hf_analytics_rebuild(svc.store, check_only, &r, &err);
    hf_store_close(svc.store);
    if (rc != HF_OK)
        return fail("kpi", &err);
    printf("%s %lld counters from %lld orders, %lld conversations and %lld "
           "closed escalations; %lld counters were kept before\n",
           check_only ? "recomputed" : "rebuilt", (long long)r.rows_after,
           (long long)r.orders, (long long)r.conversations,
           (long long)r.escalations, (long long)r.rows_before);
    printf("%lld differ%s%s\n", (long long)r.differences,
           r.differences ? ", first: " : "", r.first_difference);
    return check_only && r.differences > 0 ? 1 : 0;
}

static int cmd_kpi(cli *c)
{
    if (c->sub != NULL &&
        (strcmp(c->sub, "rebuild") == 0 || strcmp(c->sub, "check") == 0))
        return kpi_rebuild(c, strcmp(c->sub, "check") == 0);
    kpi_args k = {.format = HF_KPI_TABLE};
    k.drivers = c->sub != NULL && strcmp(c->sub, "drivers") == 0;
    if (c->sub != NULL && !k.drivers) {
        fprintf(stderr,
                "holdfast kpi: unknown subcommand %s (rebuild, "
                "check, drivers)\n",
                c->sub);
        return 2;
    }
    const char *format = hf_config_get(c->cfg, "flag.format", "table");
    if (strcmp(format, "json") == 0)
        k.format = HF_KPI_JSON;
    else if (strcmp(format, "csv") == 0)
        k.format = HF_KPI_CSV;
    else if (strcmp(format, "table") != 0) {
        fprintf(stderr, "holdfast kpi: --format must be table, json or csv\n");
        return 2;
    }
    k.q.now = hf_clock_now(hf_clock_system());
    k.q.to_day = hf_analytics_day(k.q.now);
    const char *to = hf_config_get(c->cfg, "flag.to", NULL);
    if (to != NULL && !hf_analytics_parse_day(to, &k.q.to_day)) {
        fprintf(stderr, "holdfast kpi: --to must be a date YYYY-MM-DD\n");
        return 2;
    }
    k.q.from_day = k.q.to_day - 29;
    const char *from = hf_config_get(c->cfg, "flag.from", NULL);
    if (from != NULL && !hf_analytics_parse_day(from, &k.q.from_day)) {
        fprintf(stderr, "holdfast kpi: --from must be a date YYYY-MM-DD\n");
        return 2;
    }
    k.q.by = hf_config_get(c->cfg, "flag.by", NULL);
    hf_services svc;
    if (open_services(c, &svc, false) != 0)
        return 1;
    k.svc = &svc;
    k.a = hf_arena_new(64u << 20);
    hf_err err;
    hf_err_clear(&err);
    hf_rc rc = k.a ? hf_store_read(svc.store, kpi_fn, &k, &err)
                   : hf_fail(&err, HF_ENOMEM, NULL, NULL, "out of memory");
    if (rc == HF_OK)
        fputs(k.out, stdout);
    hf_arena_free(k.a);
    hf_store_close(svc.store);
    return rc == HF_OK ? 0 : fail("kpi", &err);
}

static int cmd_version(cli *c)
{
    (void)c;
    printf("holdfast %s\n", HF_VERSION);
    return 0;
}

/* Sorted by name. */
static const command commands[] = {
    {"demo", cmd_demo,
     "holdfast demo [--db URL] [--seed N] [--days N] [--orders N]\n"
     "              [--products N] [--customers N] [--end TIME]\n"
     "  Fills an empty database with a deterministic demo shop: 200 SKUs\n"
     "  over 3 locations, 2,000 customers and 90 days of orders, ending\n"
     "  at TIME (RFC 3339; default now).\n",
     NULL},
    {"init", cmd_init,
     "holdfast init [--db URL] [--config FILE]\n"
     "  Creates or migrates the schema, with the stock location \"main\".\n",
     NULL},
    {"intents", NULL, HF_INTENTS_USAGE, hf_intents_command},
    {"keys", cmd_keys,
     "holdfast keys create --role admin|agent|service [--label TEXT] "
     "[--db URL]\n"
     "  Creates an API key and prints it, alone, on standard output.\n",
     NULL},
    {"kpi", cmd_kpi,
     "holdfast kpi [--db URL] [--from YYYY-MM-DD] [--to YYYY-MM-DD]\n"
     "             [--by day|channel|region|category|product|reason|\n"
     "                   policy_version] [--format table|json|csv]\n"
     "  Prints the cancellation KPIs against their targets ([kpi] in\n"
     "  --config), by default over the last 30 days.\n"
     "holdfast kpi drivers [--db URL] [--from YYYY-MM-DD] [--to YYYY-MM-DD]\n"
     "  Prints (JSON) the products, categories and regions that cancel\n"
     "  above the norm, and the correlations with response time and delay.\n"
     "holdfast kpi rebuild|check [--db URL]\n"
     "  Recomputes the daily aggregates from the orders, conversations and\n"
     "  escalations (check: compares them and changes nothing; exit 1 when\n"
     "  they differ).\n",
     NULL},
    {"policy", NULL, HF_POLICY_USAGE, hf_policy_command},
    {"risk", NULL, HF_RISK_USAGE, hf_risk_command},
    {"serve", cmd_serve,
     "holdfast serve [--db URL] [--listen HOST:PORT] [--config FILE]\n"
     "               [--web DIR]\n"
     "  Serves the API; GET /healthz answers 200 once ready. Other GETs\n"
     "  answer the web UI's built files from DIR ([web] dir; by default\n"
     "  web/dist of the source tree, or of the current directory).\n",
     NULL},
    {"templates", NULL, HF_TEMPLATES_USAGE, hf_templates_command},
    {"version", cmd_version, "holdfast version\n  Prints the version.\n", NULL},
};

/* Flags that take a value, sorted; each becomes config key "flag.NAME". */
static const char *const value_flags[] = {
    "by",     "config", "customers", "days",   "db",     "end",
    "format", "from",   "label",     "listen", "orders", "products",
    "role",   "seed",   "to",        "web",
};

static void usage(FILE *to)
{
    fprintf(to, "usage: holdfast COMMAND [options]   (holdfast COMMAND "
                "--help)\n\ncommands:\n");
    for (size_t i = 0; i < HF_ARRAY_LEN(commands); i++)
        fprintf(to, "  %s", commands[i].usage);
}

int main(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "--help") == 0 ||
        strcmp(argv[1], "help") == 0) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    const command *cmd = NULL;
    for (size_t i = 0; i < HF_ARRAY_LEN(commands); i++)
        if (strcmp(argv[1], commands[i].name) == 0)
            cmd = &commands[i];
    if (cmd == NULL) {
        fprintf(stderr, "holdfast: unknown command %s\n", argv[1]);
        usage(stderr);
        return 2;
    }
    if (hf_id_init() != 0) {
        fprintf(stderr, "holdfast: cannot initialize libsodium\n");
        return 1;
    }
    if (cmd->own != NULL)
        return cmd->own(argc - 1, argv + 1);
    cli c = {hf_config_new(), cmd->name, NULL};
    if (c.cfg == NULL)
        return 1;
    int status = 0;
    for (int i = 2; i < argc && status == 0; i++) {
        const char *arg = argv[i];
        if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
            fputs(cmd->usage, stdout);
            hf_config_free(c.cfg);
            return 0;
        }
        if (strncmp(arg, "--", 2) != 0) {
            if (c.sub == NULL) {
                c.sub = arg;
                continue;
            }
            fprintf(stderr, "holdfast: unexpected argument %s\n", arg);
            status = 2;
            break;
        }
        const char *name = arg + 2, *value = NULL;
        char flag[32];
        const char *eq = strchr(name, '=');
        size_t len = eq ? (size_t)(eq - name) : strlen(name);
        snprintf(flag, sizeof(flag), "%.*s", (int)len, name);
        bool known = false;
        for (size_t f = 0; f < HF_ARRAY_LEN(value_flags); f++)
            known = known || strcmp(flag, value_flags[f]) == 0;
        if (!known) {
            fprintf(stderr, "holdfast %s: unknown option --%s\n", cmd->name,
                    flag);
            status = 2;
            break;
        }
        value = eq ? eq + 1 : (i + 1 < argc ? argv[++i] : NULL);
        if (value == NULL) {
            fprintf(stderr, "holdfast %s: --%s needs a value\n", cmd->name,
                    flag);
            status = 2;
            break;
        }
        char key[48];
        snprintf(key, sizeof(key), "flag.%s", flag);
        hf_config_set(c.cfg, key, value);
    }
    const char *config_file = hf_config_get(c.cfg, "flag.config", NULL);
    if (status == 0 && config_file != NULL) {
        hf_err err;
        if (hf_config_load(c.cfg, config_file, &err) != HF_OK) {
            fprintf(stderr, "holdfast: %s\n", err.message);
            status = 2;
        }
    }
    if (status == 0)
        status = cmd->run(&c);
    hf_config_free(c.cfg);
    return status;
}
