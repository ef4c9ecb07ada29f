/*
 * sql.h - every statement the store runs, by id. The text (sql.c) is
 * portable SQL with ?N placeholders; a backend may substitute its own text
 * for an id where its dialect differs.
 */
#ifndef HF_SQL_H
#define HF_SQL_H

#include <stddef.h>

typedef enum sql_id {
    SQL_LOCATION_INSERT,
    SQL_LOCATION_LIST,
    SQL_LOCATION_GET,
    SQL_PRODUCT_INSERT,
    SQL_PRODUCT_GET,
    SQL_PRODUCT_LIST,
    SQL_STOCK_GET,
    SQL_STOCK_ENSURE,
    SQL_STOCK_ADJUST,
    SQL_STOCK_LEVEL,
    SQL_ADJUSTMENT_LOG,
    SQL_STOCK_RESERVE,
    SQL_STOCK_RELEASE,
    SQL_STOCK_CONSUME,
    SQL_CUSTOMER_INSERT,
    SQL_CUSTOMER_GET,
    SQL_CUSTOMER_FIND,
    SQL_ORDER_NEXT_SEQ,
    SQL_ORDER_INSERT,
    SQL_LINE_INSERT,
    SQL_ALLOCATION_INSERT,
    SQL_ORDER_UPDATE,
    SQL_LINE_UPDATE,
    SQL_ALLOCATION_DELETE,
    SQL_ORDER_GET_BY_ID,
    SQL_ORDER_GET_BY_SEQ,
    SQL_LINES_GET,
    SQL_ALLOCATIONS_GET,
    SQL_EVENTS_GET,
    SQL_DOC_BY_ID,
    SQL_DOC_BY_SEQ,
    SQL_ORDER_LIST,
    SQL_EVENT_APPEND,
    SQL_PAYMENT_APPEND,
    SQL_OUTBOX_PUT,
    SQL_API_KEY_INSERT,
    SQL_API_KEY_FIND,
    SQL_IDEMPOTENCY_GET,
    SQL_IDEMPOTENCY_PUT,
    SQL_EVENTS_SINCE,
    SQL_SHIPMENT_INSERT,
    SQL_SHIPMENT_UPDATE,
    SQL_SHIPMENT_GET,
    SQL_SHIPMENT_FIND,
    SQL_SHIPMENT_LIST,
    SQL_TRACKING_INSERT,
    SQL_TRACKING_LIST,
    SQL_LANE_GET,
    SQL_LANE_PUT,
    SQL_ORDERS_UNSHIPPED,
    SQL_ORDER_FLAG_LATE,
    SQL_OUTBOX_CLAIM,
    SQL_OUTBOX_DONE,
    SQL_OUTBOX_RETRY,
    SQL_OUTBOX_SETTLE,
    SQL_DELIVERY_GET,
    SQL_DELIVERY_PUT,
    SQL_NOTIFICATION_INSERT,
    SQL_NOTIFICATION_LIST,
    SQL_PREFERENCE_GET,
    SQL_PREFERENCE_PUT,
    SQL_POLICY_VERSION_PUT,
    SQL_POLICY_VERSION_GET,
    SQL_CONVERSATION_INSERT,
    SQL_CONVERSATION_GET,
    SQL_CONVERSATION_UPDATE,
    SQL_CONVERSATION_EVENT_APPEND,
    SQL_CONVERSATION_EVENTS,
    SQL_ESCALATION_INSERT,
    SQL_ESCALATION_GET,
    SQL_ESCALATION_LIST,
    SQL_ESCALATION_CLOSE,
    SQL_RETENTION_GET,
    SQL_RETENTION_PUT,
    SQL_COUPON_INSERT,
    SQL_SWAP_CANDIDATE,
    SQL_SURVEY_GET,
    SQL_SURVEY_PUT,
    SQL_SETTING_GET,
    SQL_SETTING_ADD,
    SQL_SETTING_PUT,
    SQL_ORDERS_AT_RISK,
    SQL_ORDER_SCREENING_PUT,
    SQL_ORDER_ADDRESS_HOLD_GET,
    SQL_ORDER_ADDRESS_HOLD_SET,
    SQL_ORDERS_RECENT,
    SQL_VELOCITY_CUSTOMER,
    SQL_VELOCITY_ADDRESS,
    SQL_VELOCITY_PAYMENT,
    SQL_VELOCITY_IP,
    SQL_CUSTOMER_ORDER_COUNT,
    SQL_REVIEW_INSERT,
    SQL_REVIEW_GET,
    SQL_REVIEW_LIST,
    SQL_REVIEW_DECIDE,
    SQL_REVIEW_OPEN_COUNT,
    SQL_RISK_ORDERS,
    SQL_RISK_CUSTOMER,
    SQL_RISK_SKU,
    SQL_RISK_SKU_ADD,
    SQL_ORDER_RISK_PUT,
    SQL_ORDER_CANCELLED_AT,
    SQL_ORDER_RETURNED_AT,
    SQL_KPI_ADD4,
    SQL_KPI_SUM,
    SQL_KPI_REQUESTS_OF_ORDER,
    SQL_PLAYBOOK_RUN_INSERT,
    SQL_TASK_INSERT,
    SQL_TASK_GET,
    SQL_TASK_LIST,
    SQL_TASK_DONE,
    /* transaction control, prepared like the rest: compiling them again on
     * every request costs more than the statement */
    SQL_BEGIN,
    SQL_BEGIN_IMMEDIATE,
    SQL_COMMIT,
    SQL_ROLLBACK,
    SQL_SAVEPOINT_JOB,
    SQL_RELEASE_JOB,
    SQL_ROLLBACK_TO_JOB,
    SQL_SAVEPOINT_NESTED,
    SQL_RELEASE_NESTED,
    SQL_ROLLBACK_TO_NESTED,
    SQL_COUNT
} sql_id;

/* The portable text of every statement. */
extern const char *const hf_sql_text[SQL_COUNT];

/* The schema migrations; [N-1] takes the schema from version N-1 to N.
 * "@AUTO_ID@" and "@SEQ_KEY@" stand for key types that differ between
 * dialects. */
extern const char *const hf_sql_migrations[];

/* Copies sql into out (size bytes), replacing each subs[2k] with
 * subs[2k+1]; subs ends with NULL. Returns 0, or -1 when out is too
 * small. */
int hf_sql_dialect(const char *sql, const char *const *subs, char *out,
                   size_t size);

#endif
