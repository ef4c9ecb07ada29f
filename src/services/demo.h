/*
 * demo.h - a deterministic demo shop: catalog, stock, customers and 90
 * days of order history with fulfilment, delays and cancellations, written
 * through the same services the API uses.
 */
#ifndef HF_DEMO_H
#define HF_DEMO_H

#include "services/services.h"

typedef struct hf_demo_options {
    unsigned long seed; /* same seed, same shop */
    int days;           /* history length; 0: 90 */
    int products;       /* 0: 200 */
    int customers;      /* 0: 2000 */
    int orders;         /* 0: 20000 */
    hf_time end;        /* history ends here; 0: the clock's now */
} hf_demo_options;

/* Fills an empty, migrated store. Returns HF_ECONFLICT when the store
 * already has products. Prints nothing. */
hf_rc hf_demo_generate(const hf_services *svc, const hf_demo_options *opt,
                       hf_err *err);

#endif
