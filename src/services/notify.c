/* notify.c - the outbox's delivery workers. */
#include "services/notify.h"

#include "connectors/send.h"
#include "core/money.h"
#include "notify/template.h"
#include "services/links.h"
#include "services/orders.h"
#include "util/log.h"
#include "util/mem.h"

#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

enum {
    MAX_WORKERS = 8,
    IDLE_MS = 200,     /* look for new messages this often when idle */
    MAX_ATTEMPTS = 10, /* then the message is given up, and logged */
    LINK_DAYS = 90,    /* how long a link in a message keeps working */
};

/* Which notification each outbox topic sends; topics not listed are
 * internal (a warehouse step) and tell the customer nothing. */
static const struct topic_template {
    const char *topic, *template_name;
} topic_templates[] = {
    {"order.confirmed", "order_confirmed"},
    {"order.address_needs_fixing", "address_needs_fixing"},
    {"notify.order_shipped", "order_shipped"},
    {"notify.shipment_delayed", "shipment_delayed"},
    {"order.delivered", "delivered"},
    {"order.cancelled", "cancellation_confirmed"},
    {"retention.offer_applied", "retention_offer_applied"},
    {"retention.survey", "cancellation_survey"},
    {"playbook.reassurance", "reassurance"},
    {"conversation.agent_reply", "agent_reply"},
};

const char *hf_notify_template_for(const char *topic)
{
    for (size_t i = 0; topic && i < HF_ARRAY_LEN(topic_templates); i++)
        if (strcmp(topic, topic_templates[i].topic) == 0)
            return topic_templates[i].template_name;
    return NULL;
}

typedef struct loaded {
    const char *name;
    hf_template *t;
} loaded;

struct hf_notifier {
    const hf_services *svc;
    hf_notify_config cfg;
    loaded templates[HF_ARRAY_LEN(topic_templates)];
    pthread_t threads[MAX_WORKERS];
    int n_threads;
    pthread_mutex_t mu;
    pthread_cond_t wake;
    bool stopping;
    char owner[96]; /* host:pid, the lease owner's name */
};

static const hf_template *template_named(hf_notifier *n, const char *name)
{
    for (size_t i = 0; i < HF_ARRAY_LEN(n->templates); i++)
        if (n->templates[i].name && strcmp(n->templates[i].name, name) == 0)
            return n->templates[i].t;
    return NULL;
}

/* --- What a message is about --------------------------------------------- */

/* The channels, in the order they are tried. */
static const char *const channels[] = {"email", "sms", "inapp"};
enum { N_CHANNELS = 3 };

/* One channel's outcome, recorded with the message's in one write. */
typedef struct channel_result {
    bool attempted;
    const char *recipient;
    const char *error;     /* NULL: it went out */
    hf_notification inapp; /* with title: add to the feed too */
} channel_result;

typedef struct context {
    hf_notifier *n;
    const hf_outbox_message *msg;
    hf_order order;
    bool has_order;
    json_t *payload;
    hf_shipment shipment;
    bool has_shipment;
    bool sent[N_CHANNELS];      /* went out on an earlier attempt */
    bool opted_out[N_CHANNELS]; /* the customer turned it off */
    channel_result results[N_CHANNELS];
    hf_arena *a;
} context;

typedef struct load_args {
    context *c;
} load_args;

static hf_rc load_fn(hf_txn *t, void *arg, hf_err *err)
{
    context *c = ((load_args *)arg)->c;
    if (c->msg->order_id != NULL) {
        hf_rc rc = hf_txn_order_get(t, c->msg->order_id, c->a, &c->order, err);
        if (rc != HF_OK)
            return rc;
        c->has_order = true;
    }
    const char *shipment =
        json_string_value(json_object_get(c->payload, "shipment_id"));
    if (shipment != NULL &&
        hf_txn_shipment_get(t, shipment, c->a, &c->shipment, err) == HF_OK)
        c->has_shipment = true;
    for (int i = 0; i < N_CHANNELS; i++) {
        hf_rc rc =
            hf_txn_delivery_done(t, c->msg->id, channels[i], &c->sent[i], err);
        if (rc == HF_OK && c->has_order)
            rc = hf_txn_preference_get(t, c->order.customer.id, channels[i],
                                       &c->opted_out[i], err);
        if (rc != HF_OK)
            return rc;
    }
    return HF_OK;
}

static const char *day(context *c, hf_time t)
{
    if (t == 0)
        return "";
    time_t secs = (time_t)(t / 1000);
    struct tm tm;
    gmtime_r(&secs, &tm);
    char buf[48];
    strftime(buf, sizeof(buf), "%A, %d %B", &tm);
    return hf_arena_strdup(c->a, buf);
}

static const char *delay_text(const char *reason)
{
    static const struct {
        const char *code, *text;
    } texts[] = {
        {"eta_after_promise", "the carrier now expects it later than we "
                              "promised"},
        {"no_scan", "the carrier has not scanned it for longer than usual"},
        {"carrier_exception", "the carrier reported a problem on the way"},
        {"delivered_late", "it arrived later than we promised"},
    };
    for (size_t i = 0; reason && i < HF_ARRAY_LEN(texts); i++)
        if (strcmp(reason, texts[i].code) == 0)
            return texts[i].text;
    return "the carrier has been held up";
}

static const char *first_name(context *c, const char *name)
{
    if (name == NULL)
        return "there";
    size_t n = strcspn(name, " ");
    return hf_arena_strndup(c->a, name, n);
}

/* "1 Main St, Apt 2, Springfield, IL 62701, US": the address on one
 * line, as the customer typed it. */
static const char *address_text(context *c, const hf_address *ad)
{
    const char *parts[] = {ad->line1, ad->line2, ad->city};
    const char *s = "";
    for (size_t i = 0; i < HF_ARRAY_LEN(parts); i++)
        if (parts[i] != NULL && parts[i][0] != '\0')
            s = hf_arena_printf(c->a, "%s%s%s", s, *s ? ", " : "", parts[i]);
    const char *region = ad->region ? ad->region : "";
    const char *postal = ad->postal_code ? ad->postal_code : "";
    if (*region || *postal)
        s = hf_arena_printf(c->a, "%s, %s%s%s", s, region,
                            *region && *postal ? " " : "", postal);
    s = hf_arena_printf(c->a, "%s, %s", s, ad->country ? ad->country : "");
    return s ? s : "";
}

/* hf_template_lookup_fn: the value of a placeholder for this message. */
static const char *lookup(void *arg, const char *name)
{
    context *c = arg;
    const hf_notify_config *cfg = &c->n->cfg;
    const hf_order *o = &c->order;
    const char *base = cfg->public_url ? cfg->public_url : "";
    char money[48];
    if (strcmp(name, "shop.name") == 0)
        return cfg->shop_name ? cfg->shop_name : "our shop";
    if (strcmp(name, "shop_url") == 0)
        return base;
    if (strcmp(name, "support_email") == 0)
        return cfg->support_email ? cfg->support_email : "";
    if (strcmp(name, "unsubscribe_url") == 0)
        return hf_arena_printf(c->a, "%s/preferences", base);
    if (!c->has_order)
        return "";
    if (strcmp(name, "customer.name") == 0)
        return o->customer.name ? o->customer.name : "";
    if (strcmp(name, "customer.first_name") == 0)
        return first_name(c, o->customer.name);
    if (strcmp(name, "customer.email") == 0)
        return o->customer.email;
    if (strcmp(name, "order.number") == 0)
        return o->number;
    if (strcmp(name, "order.total") == 0) {
        hf_money_format(hf_order_total(o), o->currency, money, sizeof(money));
        return hf_arena_strdup(c->a, money);
    }
    if (strcmp(name, "order.placed_at") == 0)
        return day(c, o->placed_at);
    if (strcmp(name, "order.promised_by") == 0)
        return day(c, o->promised_by);
    /* shopper links open one thing of one order, signed (links.h) */
    if (strcmp(name, "order_url") == 0 || strcmp(name, "tracking_url") == 0)
        return hf_links_url(c->n->svc, c->a, base, "/orders/%s", o->number,
                            "order", o->id, LINK_DAYS);
    if (strcmp(name, "survey_url") == 0) {
        const char *tok =
            hf_links_token(c->n->svc, c->a, "survey", o->id, LINK_DAYS);
        return hf_arena_printf(c->a, "%s/surveys/%s", base, tok ? tok : "");
    }
    if (strcmp(name, "refund.amount") == 0) {
        json_int_t amount =
            json_integer_value(json_object_get(c->payload, "amount"));
        hf_money_format(amount, o->currency, money, sizeof(money));
        return hf_arena_strdup(c->a, money);
    }
    if (strcmp(name, "refund.method") == 0)
        return o->payment.method ? o->payment.method : "";
    if (strcmp(name, "reply.text") == 0) {
        const char *text =
            json_string_value(json_object_get(c->payload, "text"));
        return text ? text : "";
    }
    if (strcmp(name, "offer.description") == 0) {
        const char *d =
            json_string_value(json_object_get(c->payload, "offer_description"));
        return d ? d : "";
    }
    /* the address prompt: what is wrong, by when, and the signed link */
    if (strcmp(name, "address.problem") == 0) {
        const char *p =
            json_string_value(json_object_get(c->payload, "problem"));
        return p ? p : "the delivery address needs checking";
    }
    if (strcmp(name, "address.fix_by") == 0)
        return day(c, (hf_time)json_integer_value(
                          json_object_get(c->payload, "fix_by")));
    if (strcmp(name, "address.text") == 0)
        return address_text(c, &o->shipping_address);
    if (strcmp(name, "fix_address_url") == 0)
        return hf_links_url(c->n->svc, c->a, base, "/orders/%s/address",
                            o->number, "address", o->id, LINK_DAYS);
    if (strcmp(name, "delay.reason") == 0)
        return delay_text(
            json_string_value(json_object_get(c->payload, "delay_reason")));
    if (c->has_shipment) {
        const hf_shipment *s = &c->shipment;
        if (strcmp(name, "shipment.carrier") == 0)
            return s->carrier;
        if (strcmp(name, "shipment.tracking_number") == 0)
            return s->tracking_number;
        if (strcmp(name, "shipment.eta") == 0)
            return day(c, s->eta.expected);
        if (strcmp(name, "shipment.eta_earliest") == 0)
            return day(c, s->eta.earliest);
        if (strcmp(name, "shipment.eta_latest") == 0)
            return day(c, s->eta.latest);
        if (strcmp(name, "shipment.previous_eta") == 0)
            return day(c, s->promised_by);
        if (strcmp(name, "shipment.delivered_at") == 0)
            return day(c, s->delivered_at);
    }
    return ""; /* known, but nothing to say for this message */
}

/* --- Delivery ------------------------------------------------------------ */

static char *render(context *c, const hf_template *t, hf_template_part part,
                    hf_err *err)
{
    char *out = NULL;
    if (hf_template_render(t, part, lookup, c, c->a, &out, err) != HF_OK)
        return NULL;
    return out;
}

/* Sends channel i, noting the outcome in c->results[i]. Returns HF_OK when
 * it went out or needs not. */
static hf_rc send_channel(context *c, const hf_template *t, int i, hf_err *err)
{
    if (c->sent[i] || c->opted_out[i])
        return HF_OK;
    const hf_notify_config *cfg = &c->n->cfg;
    const hf_customer *cu = &c->order.customer;
    channel_result *res = &c->results[i];
    const char *channel = channels[i];
    char key[48];
    snprintf(key, sizeof(key), "outbox-%lld", (long long)c->msg->id);
    hf_rc rc;
    if (strcmp(channel, "email") == 0) {
        if (cfg->smtp_url == NULL || cu->email == NULL)
            return HF_OK;
        hf_email e = {cfg->email_from ? cfg->email_from : "orders@localhost",
                      cu->email,
                      render(c, t, HF_TEMPLATE_EMAIL_SUBJECT, err),
                      render(c, t, HF_TEMPLATE_EMAIL_TEXT, err),
                      render(c, t, HF_TEMPLATE_EMAIL_HTML, err),
                      hf_arena_printf(c->a, "<%s@holdfast>", key)};
        res->recipient = cu->email;
        if (e.subject == NULL || e.text == NULL || e.html == NULL)
            rc = err->rc;
        else
            rc = hf_send_email(cfg->smtp_url, &e, err);
    } else if (strcmp(channel, "sms") == 0) {
        if (cfg->sms_url == NULL || cu->phone == NULL)
            return HF_OK;
        hf_sms sms = {cfg->sms_from, cu->phone,
                      render(c, t, HF_TEMPLATE_SMS, err), key};
        res->recipient = cu->phone;
        rc = sms.body ? hf_send_sms(cfg->sms_url, cfg->sms_account,
                                    cfg->sms_token, &sms, err)
                      : err->rc;
    } else {
        res->recipient = cu->id;
        res->inapp =
            (hf_notification){0, hf_notify_template_for(c->msg->topic),
                              render(c, t, HF_TEMPLATE_INAPP_TITLE, err),
                              render(c, t, HF_TEMPLATE_INAPP_BODY, err),
                              hf_clock_now(c->n->svc->clock)};
        rc = res->inapp.title && res->inapp.body ? HF_OK : err->rc;
    }
    res->attempted = true;
    if (rc != HF_OK)
        res->error = hf_arena_strdup(c->a, err->message);
    return rc;
}

typedef struct finish_args {
    hf_notifier *n;
    const hf_outbox_message *msg;
    context *c; /* the channels' outcomes; NULL: nothing was tried */
    bool done;
    const char *error;
} finish_args;

/* Adds "customer_notified" to the order's timeline, with what was sent on
 * which channels: the audit of what the customer was told, and the way the
 * in-app message reaches the order's live stream. Nothing when no channel
 * went out this time. */
static hf_rc note_on_timeline(hf_txn *t, context *c, hf_time now, hf_err *err)
{
    hf_jsonw w;
    hf_jw_init(&w, c->a);
    hf_jw_object(&w);
    hf_jw_key(&w, "kind");
    hf_jw_str(&w, hf_notify_template_for(c->msg->topic));
    hf_jw_key(&w, "channels");
    hf_jw_array(&w);
    int sent = 0;
    const hf_notification *inapp = NULL;
    for (int i = 0; i < N_CHANNELS; i++) {
        const channel_result *res = &c->results[i];
        if (!res->attempted || res->error != NULL)
            continue;
        hf_jw_str(&w, channels[i]);
        sent++;
        if (res->inapp.title != NULL)
            inapp = &res->inapp;
    }
    hf_jw_array_end(&w);
    hf_jw_key(&w, "title");
    hf_jw_str(&w, inapp ? inapp->title : NULL);
    hf_jw_key(&w, "body");
    hf_jw_str(&w, inapp ? inapp->body : NULL);
    hf_jw_object_end(&w);
    const char *data = hf_jw_finish(&w);
    if (sent == 0)
        return HF_OK;
    if (data == NULL)
        return hf_fail(err, HF_ENOMEM, NULL, NULL, "out of memory");
    hf_order_result res;
    return hf_orders_note_txn(t, c->order.id, "customer_notified", "notify",
                              now, hf_notify_template_for(c->msg->topic), data,
                              c->a, &res, err);
}

/* Records every channel's outcome and the message's own, in one write. */
static hf_rc finish_fn(hf_txn *t, void *arg, hf_err *err)
{
    finish_args *f = arg;
    hf_time now = hf_clock_now(f->n->svc->clock);
    for (int i = 0; f->c != NULL && i < N_CHANNELS; i++) {
        const channel_result *res = &f->c->results[i];
        if (!res->attempted)
            continue;
        hf_rc rc = HF_OK;
        if (res->error == NULL && res->inapp.title != NULL)
            rc = hf_txn_notification_insert(t, f->c->order.customer.id,
                                            f->msg->id, &res->inapp, err);
        if (rc == HF_OK)
            rc = hf_txn_delivery_record(t, f->msg->id, channels[i],
                                        res->recipient, res->error ? 0 : now,
                                        res->error, err);
        if (rc != HF_OK)
            return rc;
    }
    if (f->c != NULL && f->c->has_order) {
        /* a concurrent change of the order (PostgreSQL) makes the store
         * run this whole write again (postgres.c) */
        hf_rc rc = note_on_timeline(t, f->c, now, err);
        if (rc != HF_OK)
            return rc;
    }
    if (f->done)
        return hf_txn_outbox_done(t, f->msg->id, f->n->owner, now, err);
    int shift = f->msg->attempts < 12 ? f->msg->attempts : 12;
    hf_time backoff = HF_SECOND << shift; /* 2 s, 4 s ... about an hour */
    return hf_txn_outbox_retry(t, f->msg->id, f->n->owner, now + backoff,
                               f->error, err);
}

static void deliver(hf_notifier *n, const hf_outbox_message *msg)
{
    hf_arena *a = hf_arena_new(0);
    context c = {.n = n, .msg = msg, .a = a};
    hf_err err;
    hf_err_clear(&err);
    bool ok = true;
    const char *name = hf_notify_template_for(msg->topic);
    const hf_template *t = name ? template_named(n, name) : NULL;
    if (t != NULL && a != NULL) {
        c.payload = json_loads(msg->payload ? msg->payload : "{}", 0, NULL);
        load_args la = {&c};
        ok = hf_store_read(n->svc->store, load_fn, &la, &err) == HF_OK;
        for (int i = 0; ok && i < N_CHANNELS; i++)
            if (send_channel(&c, t, i, &err) != HF_OK)
                ok = false;
        json_decref(c.payload);
    }
    if (!ok)
        hf_log_warn("message %lld (%s), attempt %d: %s", (long long)msg->id,
                    msg->topic, msg->attempts, err.message);
    bool give_up = !ok && msg->attempts >= MAX_ATTEMPTS;
    if (give_up)
        hf_log_error("message %lld (%s) given up after %d attempts",
                     (long long)msg->id, msg->topic, msg->attempts);
    finish_args f = {n, msg, &c, ok || give_up, ok ? NULL : err.message};
    hf_err ferr;
    if (hf_store_write(n->svc->store, finish_fn, &f, &ferr) != HF_OK)
        hf_log_warn("message %lld: %s", (long long)msg->id, ferr.message);
    hf_arena_free(a);
}

typedef struct claim_args {
    hf_notifier *n;
    hf_arena *a;
    hf_outbox_message msg;
} claim_args;

static hf_rc claim_fn(hf_txn *t, void *arg, hf_err *err)
{
    claim_args *c = arg;
    hf_time now = hf_clock_now(c->n->svc->clock);
    int lease = c->n->cfg.lease_seconds > 0 ? c->n->cfg.lease_seconds : 60;
    return hf_txn_outbox_claim(t, now, now + lease * HF_SECOND, c->n->owner,
                               c->a, &c->msg, err);
}

static void *worker_main(void *arg)
{
    hf_notifier *n = arg;
    hf_arena *a = hf_arena_new(0);
    for (;;) {
        pthread_mutex_lock(&n->mu);
        bool stop = n->stopping;
        pthread_mutex_unlock(&n->mu);
        if (stop || a == NULL)
            break;
        hf_arena_reset(a);
        claim_args c = {n, a, {0}};
        hf_err err;
        hf_rc rc = hf_store_write(n->svc->store, claim_fn, &c, &err);
        if (rc == HF_OK) {
            deliver(n, &c.msg);
            continue;
        }
        if (rc != HF_ENOTFOUND)
            hf_log_warn("outbox: %s", err.message);
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_nsec += IDLE_MS * 1000000L;
        until.tv_sec += until.tv_nsec / 1000000000L;
        until.tv_nsec %= 1000000000L;
        pthread_mutex_lock(&n->mu);
        if (!n->stopping)
            pthread_cond_timedwait(&n->wake, &n->mu, &until);
        pthread_mutex_unlock(&n->mu);
    }
    hf_arena_free(a);
    return NULL;
}

hf_notifier *hf_notifier_start(const hf_services *svc,
                               const hf_notify_config *cfg, hf_err *err)
{
    hf_notifier *n = hf_calloc(1, sizeof(*n));
    if (n == NULL) {
        hf_fail(err, HF_ENOMEM, NULL, NULL, "out of memory");
        return NULL;
    }
    n->svc = svc;
    n->cfg = *cfg;
    char host[64] = "host";
    gethostname(host, sizeof(host) - 1);
    snprintf(n->owner, sizeof(n->owner), "%s:%d", host, (int)getpid());
    const char *dir = cfg->templates_dir ? cfg->templates_dir : "templates";
    for (size_t i = 0; i < HF_ARRAY_LEN(topic_templates); i++) {
        char path[512];
        const char *name = topic_templates[i].template_name;
        if (template_named(n, name) != NULL)
            continue;
        snprintf(path, sizeof(path), "%s/%s%s", dir, name, HF_TEMPLATE_EXT);
        n->templates[i].name = name;
        if (hf_template_load(path, NULL, NULL, &n->templates[i].t, err) !=
            HF_OK) {
            hf_notifier_stop(n);
            return NULL;
        }
    }
    pthread_mutex_init(&n->mu, NULL);
    pthread_cond_init(&n->wake, NULL);
    int workers = cfg->workers > 0 ? cfg->workers : 2;
    if (workers > MAX_WORKERS)
        workers = MAX_WORKERS;
    while (n->n_threads < workers &&
           pthread_create(&n->threads[n->n_threads], NULL, worker_main, n) == 0)
        n->n_threads++;
    return n;
}

void hf_notifier_stop(hf_notifier *n)
{
    if (n == NULL)
        return;
    if (n->n_threads > 0) {
        pthread_mutex_lock(&n->mu);
        n->stopping = true;
        pthread_cond_broadcast(&n->wake);
        pthread_mutex_unlock(&n->mu);
        for (int i = 0; i < n->n_threads; i++)
            pthread_join(n->threads[i], NULL);
        pthread_mutex_destroy(&n->mu);
        pthread_cond_destroy(&n->wake);
    }
    for (size_t i = 0; i < HF_ARRAY_LEN(n->templates); i++)
        hf_template_free(n->templates[i].t);
    hf_free(n);
}
