/* sql.c - the text of every statement the store runs (see sql.h). */
#include "store/sql.h"
#include "store/store.h"

#include <string.h>

const char *const hf_sql_text[SQL_COUNT] = {
    [SQL_LOCATION_INSERT] = "INSERT INTO locations (code, name, priority, "
                            "created_at) VALUES (?1, ?2, ?3, ?4)",
    [SQL_LOCATION_LIST] = "SELECT code, name, priority FROM locations "
                          "ORDER BY priority, code",
    [SQL_LOCATION_GET] = "SELECT 1 FROM locations WHERE code = ?1",
    [SQL_PRODUCT_INSERT] =
        "INSERT INTO products (sku, name, price, cost, currency, category, "
        "attributes, active, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, "
        "?8, ?9)",
    [SQL_PRODUCT_GET] = "SELECT sku, name, price, cost, currency, category, "
                        "attributes, active, created_at FROM products "
                        "WHERE sku = ?1",
    [SQL_PRODUCT_LIST] = "SELECT sku, name, price, cost, currency, category, "
                         "attributes, active, created_at FROM products "
                         "WHERE sku > ?1 ORDER BY sku LIMIT ?2",
    [SQL_STOCK_GET] = "SELECT s.sku, s.location, s.on_hand, s.reserved "
                      "FROM stock s JOIN locations l ON l.code = s.location "
                      "WHERE s.sku = ?1 ORDER BY l.priority, l.code",
    [SQL_STOCK_ENSURE] = "INSERT INTO stock (sku, location, on_hand, "
                         "reserved) VALUES (?1, ?2, 0, 0) "
                         "ON CONFLICT (sku, location) DO NOTHING",
    [SQL_STOCK_ADJUST] = "UPDATE stock SET on_hand = on_hand + ?3 "
                         "WHERE sku = ?1 AND location = ?2 "
                         "AND on_hand + ?3 >= reserved AND on_hand + ?3 >= 0",
    [SQL_STOCK_LEVEL] = "SELECT on_hand, reserved FROM stock "
                        "WHERE sku = ?1 AND location = ?2",
    [SQL_ADJUSTMENT_LOG] = "INSERT INTO inventory_adjustments (sku, location, "
                           "delta, reason, actor, at) "
                           "VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    /* the guard against overselling: only free units can be reserved */
    [SQL_STOCK_RESERVE] = "UPDATE stock SET reserved = reserved + ?3 "
                          "WHERE sku = ?1 AND location = ?2 "
                          "AND on_hand - reserved >= ?3",
    [SQL_STOCK_RELEASE] = "UPDATE stock SET reserved = reserved - ?3 "
                          "WHERE sku = ?1 AND location = ?2 "
                          "AND reserved >= ?3",
    [SQL_STOCK_CONSUME] = "UPDATE stock SET on_hand = on_hand - ?3, "
                          "reserved = reserved - ?3 "
                          "WHERE sku = ?1 AND location = ?2 "
                          "AND reserved >= ?3",
    [SQL_CUSTOMER_INSERT] = "INSERT INTO customers (id, email, name, phone, "
                            "created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
    [SQL_CUSTOMER_GET] = "SELECT id, email, name, phone, created_at "
                         "FROM customers WHERE id = ?1",
    [SQL_CUSTOMER_FIND] = "SELECT id, email, name, phone, created_at "
                          "FROM customers WHERE email = ?1",
    [SQL_ORDER_NEXT_SEQ] = "UPDATE counters SET value = value + 1 "
                           "WHERE name = 'order_seq' RETURNING value",
    [SQL_ORDER_INSERT] =
        "INSERT INTO orders (id, number, seq, customer_id, status, held_from, "
        "version, channel, currency, subtotal, shipping_total, discount_total, "
        "tax_total, total, shipping_method, ship_name, ship_line1, ship_line2, "
        "ship_city, ship_region, ship_postal_code, ship_country, ship_phone, "
        "bill_name, bill_line1, bill_line2, bill_city, bill_region, "
        "bill_postal_code, bill_country, bill_phone, payment_method, "
        "payment_gateway, payment_token, capture_mode, authorized, captured, "
        "refunded, voided, placed_at, updated_at, promised_by, cancel_reason, "
        "cancel_note, doc) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, "
        "?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, "
        "?25, ?26, ?27, ?28, ?29, ?30, ?31, ?32, ?33, ?34, ?35, ?36, ?37, ?38, "
        "?39, ?40, ?41, ?42, ?43, ?44, ?45)",
    [SQL_LINE_INSERT] = "INSERT INTO order_lines (order_seq, line_no, sku, "
                        "name, qty, cancelled_qty, unit_price) "
                        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    [SQL_ALLOCATION_INSERT] = "INSERT INTO allocations (order_seq, line_no, "
                              "location, qty) VALUES (?1, ?2, ?3, ?4)",
    [SQL_ORDER_UPDATE] =
        "UPDATE orders SET status = ?5, held_from = ?6, version = ?7, subtotal "
        "= ?10, shipping_total = ?11, discount_total = ?12, tax_total = ?13, "
        "total = ?14, ship_name = ?16, ship_line1 = ?17, ship_line2 = ?18, "
        "ship_city = ?19, ship_region = ?20, ship_postal_code = ?21, "
        "ship_country = ?22, ship_phone = ?23, bill_name = ?24, bill_line1 = "
        "?25, bill_line2 = ?26, bill_city = ?27, bill_region = ?28, "
        "bill_postal_code = ?29, bill_country = ?30, bill_phone = ?31, "
        "payment_method = ?32, payment_gateway = ?33, payment_token = ?34, "
        "capture_mode = ?35, authorized = ?36, captured = ?37, refunded = ?38, "
        "voided = ?39, updated_at = ?41, promised_by = ?42, cancel_reason = "
        "?43, cancel_note = ?44, doc = ?45, shipping_method = ?15 "
        "WHERE seq = ?3 AND version = ?46",
    /* sku and name change when a line is swapped for another product */
    [SQL_LINE_UPDATE] = "UPDATE order_lines SET cancelled_qty = ?3, sku = ?4, "
                        "name = ?5 WHERE order_seq = ?1 AND line_no = ?2",
    [SQL_ALLOCATION_DELETE] = "DELETE FROM allocations WHERE order_seq = ?1",
    [SQL_ORDER_GET_BY_ID] =
        "SELECT o.id, o.number, o.seq, o.customer_id, o.status, o.held_from, "
        "o.version, o.channel, o.currency, o.subtotal, o.shipping_total, "
        "o.discount_total, o.tax_total, o.total, o.shipping_method, "
        "o.ship_name, o.ship_line1, o.ship_line2, o.ship_city, o.ship_region, "
        "o.ship_postal_code, o.ship_country, o.ship_phone, o.bill_name, "
        "o.bill_line1, o.bill_line2, o.bill_city, o.bill_region, "
        "o.bill_postal_code, o.bill_country, o.bill_phone, o.payment_method, "
        "o.payment_gateway, o.payment_token, o.capture_mode, o.authorized, "
        "o.captured, o.refunded, o.voided, o.placed_at, o.updated_at, "
        "o.promised_by, o.cancel_reason, o.cancel_note, c.email, c.name, "
        "c.phone, c.created_at, o.risk_ppm, o.risk_model, o.risk_at, "
        "o.risk_reason FROM orders o JOIN "
        "customers c ON c.id = "
        "o.customer_id"
        " WHERE o.id = ?1",
    [SQL_ORDER_GET_BY_SEQ] =
        "SELECT o.id, o.number, o.seq, o.customer_id, o.status, o.held_from, "
        "o.version, o.channel, o.currency, o.subtotal, o.shipping_total, "
        "o.discount_total, o.tax_total, o.total, o.shipping_method, "
        "o.ship_name, o.ship_line1, o.ship_line2, o.ship_city, o.ship_region, "
        "o.ship_postal_code, o.ship_country, o.ship_phone, o.bill_name, "
        "o.bill_line1, o.bill_line2, o.bill_city, o.bill_region, "
        "o.bill_postal_code, o.bill_country, o.bill_phone, o.payment_method, "
        "o.payment_gateway, o.payment_token, o.capture_mode, o.authorized, "
        "o.captured, o.refunded, o.voided, o.placed_at, o.updated_at, "
        "o.promised_by, o.cancel_reason, o.cancel_note, c.email, c.name, "
        "c.phone, c.created_at, o.risk_ppm, o.risk_model, o.risk_at, "
        "o.risk_reason FROM orders o JOIN "
        "customers c ON c.id = "
        "o.customer_id"
        " WHERE o.seq = ?1",
    [SQL_LINES_GET] = "SELECT line_no, sku, name, qty, cancelled_qty, "
                      "unit_price FROM order_lines WHERE order_seq = ?1 "
                      "ORDER BY line_no",
    [SQL_ALLOCATIONS_GET] = "SELECT line_no, location, qty FROM allocations "
                            "WHERE order_seq = ?1 ORDER BY line_no, location",
    [SQL_EVENTS_GET] = "SELECT seq, at, type, actor, from_status, to_status, "
                       "reason, data FROM order_events WHERE order_seq = ?1 "
                       "ORDER BY seq",
    [SQL_DOC_BY_ID] = "SELECT doc FROM orders WHERE id = ?1",
    [SQL_DOC_BY_SEQ] = "SELECT doc FROM orders WHERE seq = ?1",
    [SQL_ORDER_LIST] = "SELECT doc, seq FROM orders "
                       "WHERE (?1 IS NULL OR status = ?1) "
                       "AND (?2 IS NULL OR customer_id = ?2) "
                       "AND seq < ?3 ORDER BY seq DESC LIMIT ?4",
    [SQL_EVENT_APPEND] = "INSERT INTO order_events (order_seq, seq, at, type, "
                         "actor, from_status, to_status, reason, data) "
                         "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    [SQL_PAYMENT_APPEND] = "INSERT INTO payments (order_seq, op, amount, "
                           "currency, gateway, reference, gateway_ref, at) "
                           "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    [SQL_OUTBOX_PUT] = "INSERT INTO outbox (topic, order_id, payload, "
                       "created_at) VALUES (?1, ?2, ?3, ?4)",
    [SQL_API_KEY_INSERT] = "INSERT INTO api_keys (id, hash, role, label, "
                           "created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
    [SQL_API_KEY_FIND] = "SELECT id, hash, role, label, created_at "
                         "FROM api_keys WHERE hash = ?1 "
                         "AND revoked_at IS NULL",
    [SQL_IDEMPOTENCY_GET] = "SELECT request_hash, status, body "
                            "FROM idempotency_keys "
                            "WHERE principal = ?1 AND key = ?2",
    [SQL_IDEMPOTENCY_PUT] = "INSERT INTO idempotency_keys (principal, key, "
                            "request_hash, status, body, created_at) "
                            "VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    [SQL_EVENTS_SINCE] = "SELECT e.id, o.id, o.number, e.seq, e.at, e.type, "
                         "e.actor, e.from_status, e.to_status, e.reason, "
                         "e.data FROM order_events e "
                         "JOIN orders o ON o.seq = e.order_seq "
                         "WHERE e.id > ?1 ORDER BY e.id LIMIT ?2",
    [SQL_SHIPMENT_INSERT] =
        "INSERT INTO shipments (id, order_seq, carrier, tracking_number, "
        "service_level, origin, dest_region, dest_country, status, status_at, "
        "promised_by, shipped_at, delivered_at, carrier_estimate, "
        "last_event_at, eta_expected, eta_earliest, eta_latest, eta_source, "
        "delayed, delay_reason, delayed_at, version, created_at) VALUES (?1, "
        "?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, "
        "?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24) RETURNING seq",
    [SQL_SHIPMENT_UPDATE] =
        "UPDATE shipments SET service_level = ?5, origin = ?6, dest_region = "
        "?7, dest_country = ?8, status = ?9, status_at = ?10, promised_by = "
        "?11, shipped_at = ?12, delivered_at = ?13, carrier_estimate = ?14, "
        "last_event_at = ?15, eta_expected = ?16, eta_earliest = ?17, "
        "eta_latest = ?18, eta_source = ?19, delayed = ?20, delay_reason = "
        "?21, delayed_at = ?22, version = ?23 WHERE id = ?1 AND version = ?25",
    [SQL_SHIPMENT_GET] =
        "SELECT s.seq, s.id, s.order_seq, s.carrier, s.tracking_number, "
        "s.service_level, s.origin, s.dest_region, s.dest_country, s.status, "
        "s.status_at, s.promised_by, s.shipped_at, s.delivered_at, "
        "s.carrier_estimate, s.last_event_at, s.eta_expected, s.eta_earliest, "
        "s.eta_latest, s.eta_source, s.delayed, s.delay_reason, s.delayed_at, "
        "s.version, s.created_at, o.id, o.number FROM shipments s JOIN orders "
        "o ON o.seq = s.order_seq"
        " WHERE s.id = ?1",
    [SQL_SHIPMENT_FIND] =
        "SELECT s.seq, s.id, s.order_seq, s.carrier, s.tracking_number, "
        "s.service_level, s.origin, s.dest_region, s.dest_country, s.status, "
        "s.status_at, s.promised_by, s.shipped_at, s.delivered_at, "
        "s.carrier_estimate, s.last_event_at, s.eta_expected, s.eta_earliest, "
        "s.eta_latest, s.eta_source, s.delayed, s.delay_reason, s.delayed_at, "
        "s.version, s.created_at, o.id, o.number FROM shipments s JOIN orders "
        "o ON o.seq = s.order_seq"
        " WHERE s.carrier = ?1 AND s.tracking_number = ?2",
    [SQL_SHIPMENT_LIST] =
        "SELECT s.seq, s.id, s.order_seq, s.carrier, s.tracking_number, "
        "s.service_level, s.origin, s.dest_region, s.dest_country, s.status, "
        "s.status_at, s.promised_by, s.shipped_at, s.delivered_at, "
        "s.carrier_estimate, s.last_event_at, s.eta_expected, s.eta_earliest, "
        "s.eta_latest, s.eta_source, s.delayed, s.delay_reason, s.delayed_at, "
        "s.version, s.created_at, o.id, o.number FROM shipments s JOIN orders "
        "o ON o.seq = s.order_seq"
        " WHERE (?1 < 0 OR s.delayed = ?1) AND (?2 = 0 OR s.status <> "
        "'delivered')"
        " AND (?3 = 0 OR s.order_seq = ?3) AND s.seq > ?4 ORDER BY s.seq LIMIT "
        "?5",
    [SQL_TRACKING_INSERT] =
        "INSERT INTO tracking_events (shipment_seq, status, at, description, "
        "city, region, country, latitude, longitude, carrier_estimate, "
        "received_at) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11) "
        /* a resent scan is no error: a failed statement would abort the
         * whole transaction on PostgreSQL */
        "ON CONFLICT (shipment_seq, status, at) DO NOTHING",
    [SQL_TRACKING_LIST] =
        "SELECT status, at, description, city, region, country, latitude, "
        "longitude, carrier_estimate, received_at FROM tracking_events "
        "WHERE shipment_seq = ?1 ORDER BY at, id",
    [SQL_LANE_GET] = "SELECT n, sum_s, sum_sq_s, gaps, gap_sum_s, gap_max_s "
                     "FROM lanes WHERE lane = ?1",
    [SQL_LANE_PUT] =
        "INSERT INTO lanes (lane, n, sum_s, sum_sq_s, gaps, "
        "gap_sum_s, gap_max_s) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) "
        "ON CONFLICT (lane) DO UPDATE SET n = ?2, sum_s = ?3, "
        "sum_sq_s = ?4, gaps = ?5, gap_sum_s = ?6, gap_max_s = ?7",
    [SQL_ORDERS_UNSHIPPED] =
        "SELECT id FROM orders WHERE status IN "
        "('confirmed', 'allocated', 'picking', 'packed') "
        "AND placed_at < ?1 AND fulfillment_late_at IS NULL "
        "ORDER BY seq LIMIT ?2",
    [SQL_ORDER_FLAG_LATE] = "UPDATE orders SET fulfillment_late_at = ?2 "
                            "WHERE seq = ?1",
    /* the lease: a message is taken only when nobody holds it, so workers
     * in several processes never deliver the same one at once */
    [SQL_OUTBOX_CLAIM] =
        "UPDATE outbox SET lease_until = ?2, lease_owner = ?3, "
        "attempts = attempts + 1 WHERE id = (SELECT id FROM outbox "
        "WHERE delivered_at IS NULL AND next_attempt_at <= ?1 "
        "AND (lease_until IS NULL OR lease_until < ?1) ORDER BY id LIMIT 1) "
        "AND (lease_until IS NULL OR lease_until < ?1) "
        "RETURNING id, topic, order_id, payload, attempts",
    [SQL_OUTBOX_DONE] = "UPDATE outbox SET delivered_at = ?2, "
                        "lease_until = NULL WHERE id = ?1 "
                        "AND lease_owner = ?3",
    [SQL_OUTBOX_RETRY] = "UPDATE outbox SET next_attempt_at = ?2, "
                         "lease_until = NULL, last_error = ?4 "
                         "WHERE id = ?1 AND lease_owner = ?3",
    [SQL_OUTBOX_SETTLE] = "UPDATE outbox SET delivered_at = created_at, "
                          "last_error = 'settled: history' "
                          "WHERE delivered_at IS NULL AND created_at < ?1",
    [SQL_DELIVERY_GET] = "SELECT delivered_at FROM deliveries "
                         "WHERE outbox_id = ?1 AND channel = ?2",
    [SQL_DELIVERY_PUT] =
        "INSERT INTO deliveries (outbox_id, channel, recipient, "
        "delivered_at, attempts, last_error) VALUES (?1, ?2, ?3, ?4, 1, ?5) "
        "ON CONFLICT (outbox_id, channel) DO UPDATE SET recipient = ?3, "
        "delivered_at = ?4, attempts = deliveries.attempts + 1, "
        "last_error = ?5",
    [SQL_NOTIFICATION_INSERT] =
        "INSERT INTO notifications (customer_id, outbox_id, kind, title, "
        "body, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6) "
        "ON CONFLICT (outbox_id) DO NOTHING",
    [SQL_NOTIFICATION_LIST] = "SELECT id, kind, title, body, created_at "
                              "FROM notifications WHERE customer_id = ?1 "
                              "ORDER BY id DESC LIMIT ?2",
    [SQL_PREFERENCE_GET] = "SELECT opted_out FROM customer_preferences "
                           "WHERE customer_id = ?1 AND channel = ?2",
    [SQL_PREFERENCE_PUT] =
        "INSERT INTO customer_preferences (customer_id, channel, opted_out, "
        "updated_at) VALUES (?1, ?2, ?3, ?4) "
        "ON CONFLICT (customer_id, channel) DO UPDATE SET opted_out = ?3, "
        "updated_at = ?4",
    /* --- Retention: policies, conversations, escalations, offers --- */
    [SQL_POLICY_VERSION_PUT] =
        "INSERT INTO policy_versions (id, name, sources, created_at) "
        "VALUES (?1, ?2, ?3, ?4) ON CONFLICT (id) DO NOTHING",
    [SQL_POLICY_VERSION_LIST] =
        "SELECT id, name, created_at FROM policy_versions "
        "WHERE CAST(?1 AS TEXT) IS NULL OR name = ?1 "
        "ORDER BY created_at DESC, id DESC LIMIT ?2",
    [SQL_POLICY_VERSION_GET] = "SELECT id, name, created_at, sources "
                               "FROM policy_versions WHERE id = ?1",
    [SQL_CONVERSATION_INSERT] =
        "INSERT INTO conversations (id, order_id, channel, policy_version, "
        "state, outcome, state_json, turns, version, created_at, updated_at, "
        "reason, experiment_id, arm) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
    [SQL_CONVERSATION_GET] =
        "SELECT seq, id, order_id, channel, policy_version, state, outcome, "
        "state_json, turns, version, created_at, updated_at, reason, "
        "outcome_at, offered_at, kept_total, kept_discount, experiment_id, "
        "arm FROM conversations WHERE id = ?1",
    [SQL_CONVERSATION_UPDATE] =
        "UPDATE conversations SET state = ?2, outcome = ?3, state_json = ?4, "
        "turns = ?5, version = ?6, updated_at = ?7, "
        "outcome_at = NULLIF(CAST(?9 AS BIGINT), 0), "
        "offered_at = NULLIF(CAST(?10 AS BIGINT), 0), "
        "kept_total = ?11, kept_discount = ?12 "
        "WHERE seq = ?1 AND version = ?8",
    [SQL_CONVERSATION_EVENT_APPEND] =
        "INSERT INTO conversation_events (conversation_seq, n, at, kind, "
        "body) VALUES (?1, ?2, ?3, ?4, ?5)",
    [SQL_CONVERSATION_EVENTS] =
        "SELECT n, at, kind, body FROM conversation_events "
        "WHERE conversation_seq = ?1 ORDER BY n",
    [SQL_ESCALATION_INSERT] =
        "INSERT INTO escalations (id, conversation_id, order_id, reason, "
        "status, created_at) VALUES (?1, ?2, ?3, ?4, 'open', ?5)",
    [SQL_ESCALATION_GET] =
        "SELECT seq, id, conversation_id, order_id, reason, status, "
        "created_at, closed_at, agent, resolution FROM escalations "
        "WHERE id = ?1",
    [SQL_ESCALATION_LIST] =
        "SELECT seq, id, conversation_id, order_id, reason, status, "
        "created_at, closed_at, agent, resolution FROM escalations "
        "WHERE (CAST(?1 AS TEXT) IS NULL OR status = ?1) AND seq > ?2 "
        "ORDER BY seq "
        "LIMIT ?3",
    [SQL_ESCALATION_CLOSE] =
        "UPDATE escalations SET status = 'closed', closed_at = ?2, "
        "agent = ?3, resolution = ?4 WHERE id = ?1 AND status = 'open'",
    [SQL_ESCALATION_OPEN_OF_ORDER] =
        "SELECT seq, id, conversation_id, order_id, reason, status, "
        "created_at, closed_at, agent, resolution FROM escalations "
        "WHERE order_id = ?1 AND status = 'open' ORDER BY seq",
    [SQL_RETENTION_GET] = "SELECT conversation_id, kind, offer, accepted_at "
                          "FROM retention_offers WHERE order_id = ?1",
    [SQL_RETENTION_PUT] =
        "INSERT INTO retention_offers (order_id, conversation_id, kind, "
        "offer, accepted_at) VALUES (?1, ?2, ?3, ?4, ?5)",
    [SQL_COUPON_INSERT] =
        "INSERT INTO coupons (code, customer_id, order_id, percent, "
        "created_at, expires_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    /* an active product of the same currency, priced at least ?2, with ?4
     * units free across locations; the same category first, then the
     * cheapest, so a swap costs the merchant least */
    [SQL_SURVEY_GET] = "SELECT reason, improve, service_rating, recommend, "
                       "answered_at FROM surveys WHERE order_id = ?1",
    [SQL_SURVEY_PUT] = "INSERT INTO surveys (order_id, reason, improve, "
                       "service_rating, recommend, answered_at) "
                       "VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    [SQL_SETTING_GET] = "SELECT value FROM settings WHERE name = ?1",
    [SQL_SETTING_ADD] = "INSERT INTO settings (name, value) VALUES (?1, ?2) "
                        "ON CONFLICT (name) DO NOTHING",
    /* open orders by cancellation risk, highest first (the dashboard) */
    [SQL_ORDERS_AT_RISK] =
        "SELECT doc FROM orders WHERE risk_ppm >= ?1 AND status IN "
        "('pending', 'confirmed', 'allocated', 'picking', 'packed', "
        "'on_hold', 'shipped') ORDER BY risk_ppm DESC, seq DESC LIMIT ?2",
    [SQL_SETTING_PUT] = "INSERT INTO settings (name, value) VALUES (?1, ?2) "
                        "ON CONFLICT (name) DO UPDATE SET value = ?2",
    [SQL_SWAP_CANDIDATE] =
        "SELECT p.sku, p.name, p.price, p.cost FROM products p "
        "WHERE p.active = 1 AND p.currency = ?1 AND p.price >= ?2 "
        "AND p.sku <> ?3 AND (SELECT COALESCE(SUM(s.on_hand - s.reserved), 0) "
        "FROM stock s WHERE s.sku = p.sku) >= ?4 "
        "ORDER BY CASE WHEN p.category = ?5 THEN 0 ELSE 1 END, p.price, p.sku "
        "LIMIT 1",
    [SQL_ORDER_SCREENING_PUT] =
        "UPDATE orders SET line_signature = ?2, addr_key = ?3, payment_fp = "
        "?4, "
        "client_ip = ?5, address_hold = ?6 WHERE seq = ?1",
    [SQL_ORDER_ADDRESS_HOLD_GET] =
        "SELECT address_hold FROM orders WHERE seq = ?1",
    [SQL_ORDER_ADDRESS_HOLD_SET] =
        "UPDATE orders SET address_hold = ?2 WHERE seq = ?1",
    /* a cancelled order is no duplicate: ordering again is what the
     * customer should do */
    [SQL_ORDERS_RECENT] =
        "SELECT number, placed_at, line_signature FROM orders "
        "WHERE customer_id = ?1 AND placed_at >= ?2 AND status <> 'cancelled' "
        "AND line_signature IS NOT NULL ORDER BY seq DESC LIMIT 50",
    [SQL_VELOCITY_CUSTOMER] =
        "SELECT COUNT(*), COALESCE(SUM(CASE WHEN placed_at >= ?3 THEN 1 "
        "ELSE 0 END), 0) FROM orders WHERE customer_id = ?1 AND placed_at >= "
        "?2",
    [SQL_VELOCITY_ADDRESS] =
        "SELECT COUNT(*), COALESCE(SUM(CASE WHEN placed_at >= ?3 THEN 1 "
        "ELSE 0 END), 0) FROM orders WHERE addr_key = ?1 AND placed_at >= ?2",
    [SQL_VELOCITY_PAYMENT] =
        "SELECT COUNT(*), COALESCE(SUM(CASE WHEN placed_at >= ?3 THEN 1 "
        "ELSE 0 END), 0) FROM orders WHERE payment_fp = ?1 AND placed_at >= ?2",
    [SQL_VELOCITY_IP] =
        "SELECT COUNT(*), COALESCE(SUM(CASE WHEN placed_at >= ?3 THEN 1 "
        "ELSE 0 END), 0) FROM orders WHERE client_ip = ?1 AND placed_at >= ?2",
    [SQL_CUSTOMER_ORDER_COUNT] =
        "SELECT COUNT(*) FROM orders WHERE customer_id = ?1",
    [SQL_REVIEW_INSERT] =
        "INSERT INTO reviews (id, order_id, order_number, kind, score, "
        "reasons, status, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'open', "
        "?7)",
    [SQL_REVIEW_GET] =
        "SELECT seq, id, order_id, order_number, kind, score, reasons, status, "
        "created_at, decided_by, decided_at, note FROM reviews WHERE id = ?1",
    [SQL_REVIEW_LIST] =
        "SELECT seq, id, order_id, order_number, kind, score, reasons, status, "
        "created_at, decided_by, decided_at, note FROM reviews "
        "WHERE (CAST(?1 AS TEXT) IS NULL OR status = ?1) AND seq > ?2 "
        "ORDER BY seq LIMIT ?3",
    [SQL_REVIEW_DECIDE] =
        "UPDATE reviews SET status = ?2, decided_by = ?3, decided_at = ?4, "
        "note = ?5 WHERE id = ?1 AND status = 'open'",
    [SQL_REVIEW_OPEN_COUNT] =
        "SELECT COUNT(*) FROM reviews WHERE order_id = ?1 AND status = 'open'",
    /* the risk model's features (services/risk_features.c): every order
     * placed before a time, oldest first; a customer's history and a SKU's
     * cancellations as they stood at a moment, so that no feature sees what
     * happened after the order it describes */
    [SQL_RISK_ORDERS] = "SELECT seq FROM orders WHERE placed_at < ?1 "
                        "ORDER BY placed_at, seq",
    [SQL_RISK_CUSTOMER] =
        "SELECT COUNT(*), MIN(placed_at), COALESCE(SUM(CASE WHEN "
        "cancelled_at < ?2 THEN 1 ELSE 0 END), 0), COALESCE(SUM(CASE WHEN "
        "returned_at < ?2 THEN 1 ELSE 0 END), 0) FROM orders WHERE "
        "customer_id = ?1 AND placed_at < ?2",
    /* a SKU's lines placed and orders cancelled per UTC day, summed
     * over the 90 whole days before the placement day */
    [SQL_RISK_SKU] = "SELECT COALESCE(SUM(lines), 0), COALESCE(SUM(cancelled), "
                     "0) FROM risk_sku_days WHERE sku = ?1 AND day < ?2 AND "
                     "day >= ?3",
    [SQL_RISK_SKU_ADD] =
        "INSERT INTO risk_sku_days (sku, day, lines, cancelled) VALUES (?1, "
        "?2, ?3, ?4) ON CONFLICT (sku, day) DO UPDATE SET lines = "
        "risk_sku_days.lines + ?3, cancelled = risk_sku_days.cancelled + ?4",
    [SQL_ORDER_CANCELLED_AT] =
        "UPDATE orders SET cancelled_at = ?2 WHERE seq = ?1",
    [SQL_ORDER_RETURNED_AT] =
        "UPDATE orders SET returned_at = ?2 WHERE seq = ?1",
    [SQL_ORDER_RISK_PUT] =
        "UPDATE orders SET risk_ppm = ?2, risk_model = ?3, risk_at = ?4, "
        "risk_reason = ?5 WHERE seq = ?1",
    /* --- Analytics: the daily aggregates (services/analytics.c) --- */
    /* the same metric under the five dimensions of an order's event (all,
     * channel, region, category, product), or those and the two of a
     * cancellation request (reason, policy_version), in one statement (the
     * keys differ by dimension, so no row is hit twice) */
    [SQL_KPI_ADD5] =
        "INSERT INTO kpi_daily (day, dim, value, metric, n) VALUES "
        "(?1, ?4, ?5, ?2, ?3), (?1, ?6, ?7, ?2, ?3), (?1, ?8, ?9, ?2, ?3), "
        "(?1, ?10, ?11, ?2, ?3), (?1, ?12, ?13, ?2, ?3) "
        "ON CONFLICT (day, dim, value, metric) "
        "DO UPDATE SET n = kpi_daily.n + excluded.n",
    [SQL_KPI_ADD7] =
        "INSERT INTO kpi_daily (day, dim, value, metric, n) VALUES "
        "(?1, ?4, ?5, ?2, ?3), (?1, ?6, ?7, ?2, ?3), (?1, ?8, ?9, ?2, ?3), "
        "(?1, ?10, ?11, ?2, ?3), (?1, ?12, ?13, ?2, ?3), "
        "(?1, ?14, ?15, ?2, ?3), (?1, ?16, ?17, ?2, ?3) "
        "ON CONFLICT (day, dim, value, metric) "
        "DO UPDATE SET n = kpi_daily.n + excluded.n",
    [SQL_KPI_SUM] = "SELECT value, metric, SUM(n) FROM kpi_daily "
                    "WHERE dim = ?1 AND day >= ?2 AND day <= ?3 "
                    "GROUP BY value, metric ORDER BY value, metric",
    /* the counters of dimension "all" per day (by=day) */
    [SQL_KPI_SUM_BY_DAY] = "SELECT day, metric, SUM(n) FROM kpi_daily "
                           "WHERE dim = 'all' AND day >= ?1 AND day <= ?2 "
                           "GROUP BY day, metric ORDER BY day, metric",
    /* the cancellation requests an order's cancellation decides */
    [SQL_KPI_REQUESTS_OF_ORDER] =
        "SELECT created_at, reason, policy_version, channel "
        "FROM conversations WHERE order_id = ?1 "
        "AND created_at >= ?2 AND created_at <= ?3 ORDER BY seq",
    /* an order's slices, fixed at placement */
    [SQL_KPI_DIMS_PUT] =
        "INSERT INTO kpi_order_dims (order_id, channel, region, category, "
        "product) VALUES (?1, ?2, ?3, ?4, ?5) "
        "ON CONFLICT (order_id) DO NOTHING",
    [SQL_KPI_DIMS_GET] = "SELECT channel, region, category, product "
                         "FROM kpi_order_dims WHERE order_id = ?1",
    /* the rebuild: every counter, then the base rows page by page */
    [SQL_KPI_ALL] = "SELECT day, dim, value, metric, n FROM kpi_daily "
                    "ORDER BY dim, day, value, metric",
    [SQL_KPI_CLEAR] = "DELETE FROM kpi_daily",
    [SQL_KPI_ORDERS_AFTER] =
        "SELECT seq, id FROM orders WHERE seq > ?1 ORDER BY seq LIMIT ?2",
    [SQL_KPI_CONVERSATIONS_AFTER] =
        "SELECT seq, id FROM conversations WHERE seq > ?1 ORDER BY seq "
        "LIMIT ?2",
    /* closed by an agent (or an agent's cancelling the order); closed
     * with no agent: by the order's cancellation (services/escalations.c) */
    [SQL_KPI_CLOSED_ESCALATIONS_AFTER] =
        "SELECT seq, conversation_id, closed_at FROM escalations "
        "WHERE status = 'closed' AND agent IS NOT NULL AND seq > ?1 "
        "ORDER BY seq LIMIT ?2",
    [SQL_KPI_CANCELLED_ESCALATIONS_AFTER] =
        "SELECT seq, conversation_id, closed_at FROM escalations "
        "WHERE status = 'closed' AND agent IS NULL AND seq > ?1 "
        "ORDER BY seq LIMIT ?2",
    [SQL_KPI_OFFER_OF_CONVERSATION] =
        "SELECT kind FROM retention_offers WHERE order_id = ?1 "
        "AND conversation_id = ?2",
    /* --- Experiments (services/experiments.c) --- */
    [SQL_EXPERIMENT_INSERT] =
        "INSERT INTO experiments (id, name, status, arms, "
        "offer_cooldown_days, created_at) VALUES (?1, ?2, 'running', ?3, ?4, "
        "?5)",
    [SQL_EXPERIMENT_GET] = "SELECT id, name, status, arms, "
                           "offer_cooldown_days, created_at, stopped_at "
                           "FROM experiments WHERE id = ?1",
    [SQL_EXPERIMENT_LIST] = "SELECT id, name, status, arms, "
                            "offer_cooldown_days, created_at, stopped_at "
                            "FROM experiments ORDER BY seq",
    [SQL_EXPERIMENT_STOP] =
        "UPDATE experiments SET status = 'stopped', stopped_at = ?2 "
        "WHERE id = ?1 AND status = 'running'",
    /* the experiment new requests join: the oldest running */
    [SQL_EXPERIMENT_RUNNING] = "SELECT id, name, status, arms, "
                               "offer_cooldown_days, created_at, stopped_at "
                               "FROM experiments WHERE status = 'running' "
                               "ORDER BY seq LIMIT 1",
    /* an experiment's requests with what decides their fate */
    [SQL_EXPERIMENT_REQUESTS] =
        "SELECT c.arm, o.customer_id, c.created_at, o.cancelled_at, "
        "o.total, o.discount_total, o.currency, s.service_rating, "
        "c.offered_at FROM conversations c "
        "JOIN orders o ON o.id = c.order_id "
        "LEFT JOIN surveys s ON s.order_id = c.order_id "
        "WHERE c.experiment_id = ?1 ORDER BY c.seq",
    /* when the customer last accepted a retention offer */
    [SQL_CUSTOMER_LAST_OFFER] =
        "SELECT MAX(r.accepted_at) FROM retention_offers r "
        "JOIN orders o ON o.id = r.order_id WHERE o.customer_id = ?1",
    /* --- The inventory outlook (services/outlook.c) --- */
    /* units ordered per SKU and day (days since 1970-01-01) */
    [SQL_OUTLOOK_UNITS] =
        "SELECT l.sku, o.placed_at / 86400000, SUM(l.qty - l.cancelled_qty) "
        "FROM orders o JOIN order_lines l ON l.order_seq = o.seq "
        "WHERE o.placed_at >= ?1 AND o.placed_at < ?2 "
        "GROUP BY l.sku, o.placed_at / 86400000",
    [SQL_OUTLOOK_AVAILABLE] =
        "SELECT p.sku, COALESCE(SUM(s.on_hand - s.reserved), 0) "
        "FROM products p LEFT JOIN stock s ON s.sku = p.sku "
        "WHERE p.active = 1 GROUP BY p.sku ORDER BY p.sku",
    /* --- Playbooks and the agents' tasks (services/playbooks.c) --- */
    [SQL_PLAYBOOK_RUN_INSERT] =
        "INSERT INTO playbook_runs (order_id, playbook, score_ppm, at) "
        "VALUES (?1, ?2, ?3, ?4) ON CONFLICT (order_id, playbook) DO NOTHING",
    /* an order reaching the lowest playbook threshold, the first time */
    [SQL_AT_RISK_INSERT] =
        "INSERT INTO risk_at_risk (order_seq, placed_day, at, score_ppm, "
        "outreach) VALUES (?1, ?2, ?3, ?4, ?5) "
        "ON CONFLICT (order_seq) DO NOTHING",
    /* at-risk orders placed in a range of days and how they ended, with
     * and without outreach */
    [SQL_AT_RISK_SUM] =
        "SELECT r.outreach, COUNT(*), "
        "SUM(CASE WHEN o.status = 'cancelled' THEN 1 ELSE 0 END), "
        "SUM(CASE WHEN o.status IN ('delivered', 'returned') THEN 1 ELSE 0 "
        "END) FROM risk_at_risk r JOIN orders o ON o.seq = r.order_seq "
        "WHERE r.placed_day >= ?1 AND r.placed_day <= ?2 "
        "GROUP BY r.outreach ORDER BY r.outreach",
    /* a lane's deliveries over a window of days (risk features) */
    [SQL_RISK_LANE] =
        "SELECT COALESCE(SUM(delivered), 0), COALESCE(SUM(late), 0) FROM "
        "risk_lane_days WHERE lane = ?1 AND day < ?2 AND day >= ?3",
    [SQL_RISK_LANE_ADD] =
        "INSERT INTO risk_lane_days (lane, day, delivered, late) VALUES (?1, "
        "?2, ?3, ?4) ON CONFLICT (lane, day) DO UPDATE SET delivered = "
        "risk_lane_days.delivered + ?3, late = risk_lane_days.late + ?4",
    /* open orders with a score older than ?1, oldest score first */
    [SQL_RISK_DUE] =
        "SELECT number FROM orders WHERE risk_at < ?1 AND risk_ppm IS NOT "
        "NULL AND status IN ('confirmed', 'on_hold', 'allocated', "
        "'picking', 'packed', 'shipped') ORDER BY risk_at LIMIT ?2",
    [SQL_TASK_INSERT] =
        "INSERT INTO tasks (id, order_id, kind, reason, status, created_at) "
        "VALUES (?1, ?2, ?3, ?4, 'open', ?5)",
    [SQL_TASK_GET] = "SELECT seq, id, order_id, kind, reason, status, "
                     "created_at, done_at, done_by, note FROM tasks "
                     "WHERE id = ?1",
    [SQL_TASK_LIST] =
        "SELECT seq, id, order_id, kind, reason, status, created_at, done_at, "
        "done_by, note FROM tasks "
        "WHERE (CAST(?1 AS TEXT) IS NULL OR status = ?1) AND seq > ?2 "
        "ORDER BY seq LIMIT ?3",
    [SQL_TASK_DONE] =
        "UPDATE tasks SET status = 'done', done_at = ?2, done_by = ?3, "
        "note = ?4 WHERE id = ?1 AND status = 'open'",
    [SQL_BEGIN] = "BEGIN",
    [SQL_BEGIN_IMMEDIATE] = "BEGIN IMMEDIATE",
    [SQL_COMMIT] = "COMMIT",
    [SQL_ROLLBACK] = "ROLLBACK",
    [SQL_SAVEPOINT_JOB] = "SAVEPOINT job",
    [SQL_RELEASE_JOB] = "RELEASE job",
    [SQL_ROLLBACK_TO_JOB] = "ROLLBACK TO job",
    [SQL_SAVEPOINT_NESTED] = "SAVEPOINT nested",
    [SQL_RELEASE_NESTED] = "RELEASE nested",
    [SQL_ROLLBACK_TO_NESTED] = "ROLLBACK TO nested",
};
/* Numbered migrations; migration N takes the schema from N-1 to N. Never
 * edit one that has shipped: add the next. "@AUTO_ID@" stands for the
 * dialect's auto-numbered primary key, "@SEQ_KEY@" for an integer primary
 * key the application numbers (SQLite's rowid), "@CLUSTERED@" for a
 * table stored in its key's order (SQLite's WITHOUT ROWID; nothing on
 * PostgreSQL) and "@PK_INCLUDE_N@" for a primary key index that also
 * holds column n (PostgreSQL's INCLUDE; nothing on SQLite). */
const char *const hf_sql_migrations[HF_SCHEMA_VERSION] = {
    /* 1: the order core */
    "CREATE TABLE locations ("
    " code TEXT PRIMARY KEY, name TEXT NOT NULL,"
    " priority INTEGER NOT NULL DEFAULT 0, created_at BIGINT NOT NULL);"
    "CREATE TABLE products ("
    " sku TEXT PRIMARY KEY, name TEXT NOT NULL, price BIGINT NOT NULL,"
    " cost BIGINT NOT NULL, currency TEXT NOT NULL, category TEXT,"
    " attributes TEXT, active INTEGER NOT NULL DEFAULT 1,"
    " created_at BIGINT NOT NULL);"
    "CREATE TABLE stock ("
    " sku TEXT NOT NULL REFERENCES products(sku),"
    " location TEXT NOT NULL REFERENCES locations(code),"
    " on_hand BIGINT NOT NULL, reserved BIGINT NOT NULL,"
    " PRIMARY KEY (sku, location),"
    " CHECK (reserved >= 0 AND on_hand >= reserved));"
    "CREATE TABLE inventory_adjustments ("
    " id @AUTO_ID@, sku TEXT NOT NULL, location TEXT NOT NULL,"
    " delta BIGINT NOT NULL, reason TEXT NOT NULL, actor TEXT NOT NULL,"
    " at BIGINT NOT NULL);"
    "CREATE TABLE customers ("
    " id TEXT PRIMARY KEY, email TEXT NOT NULL UNIQUE, name TEXT,"
    " phone TEXT, created_at BIGINT NOT NULL);"
    "CREATE TABLE counters (name TEXT PRIMARY KEY, value BIGINT NOT NULL);"
    "INSERT INTO counters VALUES ('order_seq', 100000);"
    /* orders are keyed by their sequence number, so that new orders and
     * their lines, allocations and events append to the end of each
     * B-tree instead of scattering over it by the random id */
    "CREATE TABLE orders ("
    " seq @SEQ_KEY@, id TEXT NOT NULL UNIQUE, number TEXT NOT NULL,"
    " customer_id TEXT NOT NULL REFERENCES customers(id),"
    " status TEXT NOT NULL, held_from TEXT, version INTEGER NOT NULL,"
    " channel TEXT, currency TEXT NOT NULL, subtotal BIGINT NOT NULL,"
    " shipping_total BIGINT NOT NULL, discount_total BIGINT NOT NULL,"
    " tax_total BIGINT NOT NULL, total BIGINT NOT NULL,"
    " shipping_method TEXT NOT NULL,"
    " ship_name TEXT, ship_line1 TEXT, ship_line2 TEXT, ship_city TEXT,"
    " ship_region TEXT, ship_postal_code TEXT, ship_country TEXT,"
    " ship_phone TEXT,"
    " bill_name TEXT, bill_line1 TEXT, bill_line2 TEXT, bill_city TEXT,"
    " bill_region TEXT, bill_postal_code TEXT, bill_country TEXT,"
    " bill_phone TEXT,"
    " payment_method TEXT, payment_gateway TEXT, payment_token TEXT,"
    " capture_mode TEXT NOT NULL, authorized BIGINT NOT NULL,"
    " captured BIGINT NOT NULL, refunded BIGINT NOT NULL,"
    " voided BIGINT NOT NULL,"
    " placed_at BIGINT NOT NULL, updated_at BIGINT NOT NULL,"
    " promised_by BIGINT NOT NULL, cancel_reason TEXT, cancel_note TEXT,"
    " doc TEXT NOT NULL);"
    "CREATE INDEX orders_by_status ON orders(status, seq);"
    "CREATE INDEX orders_by_customer ON orders(customer_id, seq);"
    "CREATE TABLE order_lines ("
    " order_seq BIGINT NOT NULL REFERENCES orders(seq),"
    " line_no INTEGER NOT NULL, sku TEXT NOT NULL, name TEXT NOT NULL,"
    " qty BIGINT NOT NULL, cancelled_qty BIGINT NOT NULL,"
    " unit_price BIGINT NOT NULL, PRIMARY KEY (order_seq, line_no));"
    "CREATE TABLE allocations ("
    " order_seq BIGINT NOT NULL, line_no INTEGER NOT NULL,"
    " location TEXT NOT NULL, qty BIGINT NOT NULL,"
    " PRIMARY KEY (order_seq, line_no, location));"
    /* id numbers every event of every order in commit order: the change
     * feed that live streams follow, in this process and in others */
    "CREATE TABLE order_events ("
    " id @AUTO_ID@, order_seq BIGINT NOT NULL, seq INTEGER NOT NULL,"
    " at BIGINT NOT NULL, type TEXT NOT NULL, actor TEXT NOT NULL,"
    " from_status TEXT, to_status TEXT, reason TEXT, data TEXT,"
    " UNIQUE (order_seq, seq));"
    "CREATE TABLE payments ("
    " id @AUTO_ID@, order_seq BIGINT NOT NULL, op TEXT NOT NULL,"
    " amount BIGINT NOT NULL, currency TEXT NOT NULL,"
    " gateway TEXT NOT NULL, reference TEXT NOT NULL, gateway_ref TEXT,"
    " at BIGINT NOT NULL);"
    "CREATE INDEX payments_by_order ON payments(order_seq);"
    "CREATE TABLE api_keys ("
    " id TEXT PRIMARY KEY, hash TEXT NOT NULL UNIQUE, role TEXT NOT NULL,"
    " label TEXT, created_at BIGINT NOT NULL, revoked_at BIGINT);"
    "CREATE TABLE idempotency_keys ("
    " principal TEXT NOT NULL, key TEXT NOT NULL,"
    " request_hash TEXT NOT NULL, status INTEGER NOT NULL,"
    " body TEXT NOT NULL, created_at BIGINT NOT NULL,"
    " PRIMARY KEY (principal, key));"
    "CREATE TABLE outbox ("
    " id @AUTO_ID@, topic TEXT NOT NULL, order_id TEXT,"
    " payload TEXT NOT NULL, created_at BIGINT NOT NULL,"
    " attempts INTEGER NOT NULL DEFAULT 0, delivered_at BIGINT);",
    /* 2: shipments, their tracking events, and lane history */
    "CREATE TABLE shipments ("
    " seq @AUTO_ID@, id TEXT NOT NULL UNIQUE,"
    " order_seq BIGINT NOT NULL REFERENCES orders(seq),"
    " carrier TEXT NOT NULL, tracking_number TEXT NOT NULL,"
    " service_level TEXT, origin TEXT, dest_region TEXT,"
    " dest_country TEXT, status TEXT NOT NULL, status_at BIGINT NOT NULL,"
    " promised_by BIGINT NOT NULL, shipped_at BIGINT NOT NULL,"
    " delivered_at BIGINT, carrier_estimate BIGINT, last_event_at BIGINT,"
    " eta_expected BIGINT NOT NULL, eta_earliest BIGINT NOT NULL,"
    " eta_latest BIGINT NOT NULL, eta_source TEXT NOT NULL,"
    " delayed INTEGER NOT NULL, delay_reason TEXT, delayed_at BIGINT,"
    " version INTEGER NOT NULL, created_at BIGINT NOT NULL,"
    " UNIQUE (carrier, tracking_number));"
    "CREATE INDEX shipments_by_order ON shipments(order_seq);"
    "CREATE INDEX shipments_open ON shipments(status, delayed);"
    "CREATE TABLE tracking_events ("
    " id @AUTO_ID@, shipment_seq BIGINT NOT NULL, status TEXT NOT NULL,"
    " at BIGINT NOT NULL, description TEXT, city TEXT, region TEXT,"
    " country TEXT, latitude TEXT, longitude TEXT, carrier_estimate BIGINT,"
    " received_at BIGINT NOT NULL,"
    " UNIQUE (shipment_seq, status, at));"
    "CREATE TABLE lanes ("
    " lane TEXT PRIMARY KEY, n BIGINT NOT NULL, sum_s BIGINT NOT NULL,"
    " sum_sq_s BIGINT NOT NULL, gaps BIGINT NOT NULL,"
    " gap_sum_s BIGINT NOT NULL, gap_max_s BIGINT NOT NULL);"
    "ALTER TABLE orders ADD COLUMN fulfillment_late_at BIGINT;",
    /* 3: delivery of the outbox: leases, attempts, per-channel results,
     * the in-app feed and the customers' channel preferences */
    "ALTER TABLE outbox ADD COLUMN next_attempt_at BIGINT NOT NULL DEFAULT 0;"
    "ALTER TABLE outbox ADD COLUMN lease_until BIGINT;"
    "ALTER TABLE outbox ADD COLUMN lease_owner TEXT;"
    "ALTER TABLE outbox ADD COLUMN last_error TEXT;"
    "CREATE INDEX outbox_pending ON outbox(next_attempt_at)"
    " WHERE delivered_at IS NULL;"
    "CREATE TABLE deliveries ("
    " outbox_id BIGINT NOT NULL, channel TEXT NOT NULL, recipient TEXT,"
    " delivered_at BIGINT, attempts INTEGER NOT NULL, last_error TEXT,"
    " PRIMARY KEY (outbox_id, channel));"
    "CREATE TABLE notifications ("
    " id @AUTO_ID@, customer_id TEXT NOT NULL, outbox_id BIGINT NOT NULL,"
    " kind TEXT NOT NULL, title TEXT NOT NULL, body TEXT NOT NULL,"
    " created_at BIGINT NOT NULL, read_at BIGINT, UNIQUE (outbox_id));"
    "CREATE INDEX notifications_by_customer ON notifications(customer_id, id);"
    "CREATE TABLE customer_preferences ("
    " customer_id TEXT NOT NULL, channel TEXT NOT NULL,"
    " opted_out INTEGER NOT NULL, updated_at BIGINT NOT NULL,"
    " PRIMARY KEY (customer_id, channel));",
    /* 4: retention - policy versions, conversations and their audit
     * trail, the agent queue, accepted offers, coupons; settings the
     * service keeps for itself (the key that signs shopper links);
     * screening keys on orders and the review queue */
    "CREATE TABLE policy_versions ("
    " id TEXT PRIMARY KEY, name TEXT NOT NULL, sources TEXT NOT NULL,"
    " created_at BIGINT NOT NULL);"
    "CREATE TABLE conversations ("
    " seq @AUTO_ID@, id TEXT NOT NULL UNIQUE, order_id TEXT NOT NULL,"
    " channel TEXT NOT NULL, policy_version TEXT NOT NULL,"
    " state TEXT NOT NULL, outcome TEXT NOT NULL, state_json TEXT NOT NULL,"
    " turns INTEGER NOT NULL, version INTEGER NOT NULL,"
    " created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL);"
    "CREATE INDEX conversations_by_order ON conversations(order_id);"
    "CREATE TABLE conversation_events ("
    " conversation_seq BIGINT NOT NULL, n INTEGER NOT NULL,"
    " at BIGINT NOT NULL, kind TEXT NOT NULL, body TEXT NOT NULL,"
    " PRIMARY KEY (conversation_seq, n));"
    "CREATE TABLE escalations ("
    " seq @AUTO_ID@, id TEXT NOT NULL UNIQUE, conversation_id TEXT NOT NULL,"
    " order_id TEXT NOT NULL, reason TEXT NOT NULL, status TEXT NOT NULL,"
    " created_at BIGINT NOT NULL, closed_at BIGINT, agent TEXT,"
    " resolution TEXT);"
    "CREATE INDEX escalations_by_status ON escalations(status, seq);"
    "CREATE TABLE retention_offers ("
    " order_id TEXT PRIMARY KEY, conversation_id TEXT NOT NULL,"
    " kind TEXT NOT NULL, offer TEXT NOT NULL, accepted_at BIGINT NOT NULL);"
    "CREATE TABLE coupons ("
    " code TEXT PRIMARY KEY, customer_id TEXT NOT NULL,"
    " order_id TEXT NOT NULL, percent INTEGER NOT NULL,"
    " created_at BIGINT NOT NULL, expires_at BIGINT NOT NULL,"
    " redeemed_at BIGINT);"
    "CREATE TABLE settings (name TEXT PRIMARY KEY, value TEXT NOT NULL);"
    "CREATE TABLE surveys ("
    " order_id TEXT PRIMARY KEY, reason TEXT NOT NULL, improve TEXT,"
    " service_rating INTEGER NOT NULL, recommend INTEGER NOT NULL,"
    " answered_at BIGINT NOT NULL);"
    /* screening at placement: what duplicate and velocity checks compare
     * (the line signature, the normalised shipping address, a payment
     * fingerprint, the client IP), whether the order waits for the
     * customer to fix the address, and the review queue */
    "ALTER TABLE orders ADD COLUMN line_signature BIGINT;"
    "ALTER TABLE orders ADD COLUMN addr_key TEXT;"
    "ALTER TABLE orders ADD COLUMN payment_fp TEXT;"
    "ALTER TABLE orders ADD COLUMN client_ip TEXT;"
    "ALTER TABLE orders ADD COLUMN address_hold INTEGER NOT NULL DEFAULT 0;"
    "CREATE INDEX orders_by_customer_time ON orders(customer_id, placed_at);"
    "CREATE INDEX orders_by_addr_key ON orders(addr_key, placed_at);"
    "CREATE INDEX orders_by_payment_fp ON orders(payment_fp, placed_at);"
    "CREATE INDEX orders_by_client_ip ON orders(client_ip, placed_at);"
    "CREATE TABLE reviews ("
    " seq @AUTO_ID@, id TEXT NOT NULL UNIQUE, order_id TEXT NOT NULL,"
    " order_number TEXT NOT NULL, kind TEXT NOT NULL,"
    " score INTEGER NOT NULL, reasons TEXT NOT NULL, status TEXT NOT NULL,"
    " created_at BIGINT NOT NULL, decided_by TEXT, decided_at BIGINT,"
    " note TEXT);"
    "CREATE INDEX reviews_by_status ON reviews(status, seq);"
    "CREATE INDEX reviews_by_order ON reviews(order_id, status);"
    /* the cancellation-risk score at placement, in millionths, and the
     * model that gave it; when the order was cancelled or returned, read
     * (covered by an index) for the customer's history as it stood at a
     * moment; each SKU's lines and cancellations per day,
     * the history the SKU's cancellation rate is read from */
    "ALTER TABLE orders ADD COLUMN risk_ppm BIGINT;"
    "ALTER TABLE orders ADD COLUMN risk_model TEXT;"
    "ALTER TABLE orders ADD COLUMN cancelled_at BIGINT;"
    "ALTER TABLE orders ADD COLUMN returned_at BIGINT;"
    "CREATE INDEX orders_risk_history ON orders(customer_id, placed_at,"
    " cancelled_at, returned_at);"
    "CREATE TABLE risk_sku_days ("
    " sku TEXT NOT NULL, day BIGINT NOT NULL, lines BIGINT NOT NULL,"
    " cancelled BIGINT NOT NULL, PRIMARY KEY (sku, day));"
    /* covering: the window's sum reads the index alone (half the cost of
     * the features at placement) */
    "CREATE INDEX risk_sku_days_cover ON risk_sku_days(sku, day, lines,"
    " cancelled);"
    /* analytics: counters per day (days since 1970-01-01, UTC), dimension
     * (all, channel, region, category), its value and metric, added to
     * in the transaction of the event that moves them */
    "CREATE TABLE kpi_daily ("
    " day INTEGER NOT NULL, dim TEXT NOT NULL, value TEXT NOT NULL,"
    " metric TEXT NOT NULL, n BIGINT NOT NULL,"
    " PRIMARY KEY (dim, day, value, metric));"
    /* playbooks: each fires once per order, when the order's score first
     * reaches its threshold; the call tasks they open for agents */
    "CREATE TABLE playbook_runs ("
    " order_id TEXT NOT NULL, playbook TEXT NOT NULL,"
    " score_ppm BIGINT NOT NULL, at BIGINT NOT NULL,"
    " PRIMARY KEY (order_id, playbook));"
    "CREATE TABLE tasks ("
    " seq @AUTO_ID@, id TEXT NOT NULL UNIQUE, order_id TEXT NOT NULL,"
    " kind TEXT NOT NULL, reason TEXT NOT NULL, status TEXT NOT NULL,"
    " created_at BIGINT NOT NULL, done_at BIGINT, done_by TEXT,"
    " note TEXT);"
    "CREATE INDEX tasks_by_status ON tasks(status, seq);",
    /* 5: when the risk score was last computed and what computed it
     * (placement, or a tracking event that re-scored the order) */
    "ALTER TABLE orders ADD COLUMN risk_at BIGINT;"
    "ALTER TABLE orders ADD COLUMN risk_reason TEXT;",
    /* 6: the orders whose score reached the lowest playbook threshold, and
     * whether they got outreach or were held out to measure it
     * (services/playbooks.c, services/risk_outcomes.c) */
    "CREATE TABLE risk_at_risk ("
    " order_seq BIGINT PRIMARY KEY, placed_day BIGINT NOT NULL,"
    " at BIGINT NOT NULL, score_ppm BIGINT NOT NULL,"
    " outreach INTEGER NOT NULL);"
    "CREATE INDEX risk_at_risk_by_day ON risk_at_risk(placed_day);"
    /* a lane's (shipping method and destination region) deliveries and
     * late deliveries per day, for the risk model; covering like
     * risk_sku_days_cover */
    "CREATE TABLE risk_lane_days ("
    " lane TEXT NOT NULL, day BIGINT NOT NULL, delivered BIGINT NOT NULL,"
    " late BIGINT NOT NULL, PRIMARY KEY (lane, day));"
    "CREATE INDEX risk_lane_days_cover ON risk_lane_days(lane, day,"
    " delivered, late);"
    /* open orders whose score is due again (services/risk_rescore.c) */
    "CREATE INDEX orders_by_risk_at ON orders(risk_at);",
    /* 7: analytics - each order's slices fixed at placement (so an
     * address change or a product swap moves no counter between slices,
     * and a rebuild finds them); what a cancellation request was about,
     * when it first ended, was first offered something and what it kept;
     * experiments, and the arm each request was in */
    "CREATE TABLE kpi_order_dims ("
    " order_id TEXT PRIMARY KEY, channel TEXT NOT NULL,"
    " region TEXT NOT NULL, category TEXT NOT NULL, product TEXT NOT NULL);"
    "ALTER TABLE conversations ADD COLUMN reason TEXT;"
    "ALTER TABLE conversations ADD COLUMN outcome_at BIGINT;"
    "ALTER TABLE conversations ADD COLUMN offered_at BIGINT;"
    "ALTER TABLE conversations ADD COLUMN kept_total BIGINT;"
    "ALTER TABLE conversations ADD COLUMN kept_discount BIGINT;"
    "ALTER TABLE conversations ADD COLUMN experiment_id TEXT;"
    "ALTER TABLE conversations ADD COLUMN arm TEXT;"
    "CREATE INDEX conversations_by_experiment ON conversations("
    "experiment_id, seq);"
    "CREATE TABLE experiments ("
    " seq @AUTO_ID@, id TEXT NOT NULL UNIQUE, name TEXT NOT NULL,"
    " status TEXT NOT NULL, arms TEXT NOT NULL,"
    " offer_cooldown_days INTEGER NOT NULL, created_at BIGINT NOT NULL,"
    " stopped_at BIGINT);"
    "CREATE INDEX experiments_by_status ON experiments(status, seq);"
    /* the counters in their key's order (SQLite) or with the count in
     * the key's index (PostgreSQL): a KPI's range is read from one
     * B-tree, without a lookup per counter */
    "CREATE TABLE kpi_daily6 ("
    " day INTEGER NOT NULL, dim TEXT NOT NULL, value TEXT NOT NULL,"
    " metric TEXT NOT NULL, n BIGINT NOT NULL,"
    " PRIMARY KEY (dim, day, value, metric)@PK_INCLUDE_N@)@CLUSTERED@;"
    "INSERT INTO kpi_daily6 (day, dim, value, metric, n)"
    " SELECT day, dim, value, metric, n FROM kpi_daily;"
    "DROP TABLE kpi_daily;"
    "ALTER TABLE kpi_daily6 RENAME TO kpi_daily;",
    /* 8: an order's open escalations, which close when the order is
     * cancelled (services/escalations.c) */
    "CREATE INDEX escalations_by_order ON escalations(order_id, status);",
};

int hf_sql_dialect(const char *sql, const char *const *subs, char *out,
                   size_t size)
{
    size_t n = 0;
    while (*sql) {
        const char *const *sub = subs;
        while (*sub != NULL && strncmp(sql, sub[0], strlen(sub[0])) != 0)
            sub += 2;
        const char *piece = *sub ? sub[1] : sql;
        size_t len = *sub ? strlen(sub[1]) : 1;
        if (n + len >= size)
            return -1;
        memcpy(out + n, piece, len);
        n += len;
        sql += *sub ? strlen(sub[0]) : 1;
    }
    out[n] = '\0';
    return 0;
}
