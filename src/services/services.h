/*
 * services.h - what every service function needs: the store, the clock
 * and the merchant's settings. One per process; read-only once built.
 */
#ifndef HF_SERVICES_H
#define HF_SERVICES_H

#include "core/order_state.h"
#include "store/store.h"
#include "util/clock.h"
#include "util/jsonw.h"

#include <stdbool.h>

typedef struct hf_services {
    hf_store *store;
    hf_clock *clock;
    /* the last status in which a customer may still cancel; by default
     * packed: "allowed until shipment" */
    hf_order_status last_cancellable;
    /* an order not shipped this long after placement is flagged late;
     * 0: 48 hours */
    hf_time fulfillment_deadline;
    /* while a shipment stays delayed, the customer hears again at most
     * this often (on a scan); 0: 24 hours */
    hf_time delay_update_interval;
    /* policies and the intent model for cancel requests; NULL when the
     * conversations endpoints are not available */
    struct hf_retention *retention;
    /* signs shopper links (services/links.h); has_link_key is false in
     * tools that send no messages */
    unsigned char link_key[32];
    bool has_link_key;
    /* validation and fraud screening at placement (services/screening.h);
     * NULL: the documented defaults */
    const struct hf_screening_config *screening;
    /* the cancellation-risk model that scores orders at placement and
     * again on every tracking event (services/risk_features.h); NULL:
     * orders carry no score */
    struct hf_risk_scorer *risk;
    /* the KPIs' targets ([kpi], services/analytics.h); NULL: the seed's */
    const struct hf_kpi_targets *kpi_targets;
    /* what a high risk score sets off ([playbooks], services/playbooks.h);
     * NULL: nothing */
    const struct hf_playbooks_config *playbooks;
    /* an open order's score is computed again when older than this, by
     * the sweeper ([risk] rescore_hours; services/risk_rescore.h); 0: 6
     * hours */
    hf_time risk_rescore_every;
    /* the SKUs' and lanes' windows already read, for the risk features
     * (services/risk_features.h); NULL: read them every time */
    struct hf_risk_cache *risk_cache;
} hf_services;

#endif
