/* order.c - order arithmetic and the reference tables of reasons and
 * shipping methods. */
#include "core/order.h"

#include <string.h>

int64_t hf_order_line_live_qty(const hf_order_line *l)
{
    return l->qty - l->cancelled_qty;
}

hf_minor hf_order_subtotal(const hf_order *o)
{
    hf_minor sum = 0;
    for (size_t i = 0; i < o->n_lines; i++)
        sum += o->lines[i].unit_price * hf_order_line_live_qty(&o->lines[i]);
    return sum;
}

hf_minor hf_order_total(const hf_order *o)
{
    return hf_order_subtotal(o) + o->shipping_total - o->discount_total +
           o->tax_total;
}

bool hf_order_fully_cancelled(const hf_order *o)
{
    for (size_t i = 0; i < o->n_lines; i++)
        if (hf_order_line_live_qty(&o->lines[i]) > 0)
            return false;
    return true;
}

static const char *const cancel_reasons[] = {
    "inaccurate_product_info", /* the product was not what it seemed */
    "shipping_delay",          /* too slow, or late */
    "poor_customer_service",
    "changed_mind",
    "found_better_price",
    "ordered_by_mistake",
    "fraud_suspected", /* cancelled by the merchant */
    "out_of_stock",    /* cancelled by the merchant */
    "other",
    NULL,
};

bool hf_cancel_reason_valid(const char *code)
{
    if (code == NULL)
        return false;
    for (size_t i = 0; cancel_reasons[i] != NULL; i++)
        if (strcmp(code, cancel_reasons[i]) == 0)
            return true;
    return false;
}

const char *const *hf_cancel_reasons(void)
{
    return cancel_reasons;
}

/* Shipping methods: price in hundredths of the currency's major unit, and
 * carrier transit time in business days. */
static const struct shipping_method {
    const char *name;
    hf_minor price_hundredths;
    int transit_days;
} shipping_methods[HF_SHIP_COUNT] = {
    [HF_SHIP_STANDARD] = {"standard", 0, 5},
    [HF_SHIP_EXPEDITED] = {"expedited", 1500, 2},
};

const char *hf_shipping_method_name(hf_shipping_method m)
{
    if ((unsigned)m >= HF_SHIP_COUNT)
        return "unknown";
    return shipping_methods[m].name;
}

bool hf_shipping_method_parse(const char *name, hf_shipping_method *out)
{
    if (name == NULL)
        return false;
    for (int m = 0; m < HF_SHIP_COUNT; m++) {
        if (strcmp(name, shipping_methods[m].name) == 0) {
            *out = (hf_shipping_method)m;
            return true;
        }
    }
    return false;
}

hf_minor hf_shipping_price(hf_shipping_method m, const char *currency)
{
    if ((unsigned)m >= HF_SHIP_COUNT)
        m = HF_SHIP_STANDARD;
    hf_minor price = shipping_methods[m].price_hundredths;
    int exponent = hf_currency_exponent(currency);
    for (; exponent < 2 && exponent >= 0; exponent++)
        price /= 10;
    for (; exponent > 2; exponent--)
        price *= 10;
    return price;
}

hf_time hf_promised_by(hf_shipping_method m, hf_time placed_at)
{
    if ((unsigned)m >= HF_SHIP_COUNT)
        m = HF_SHIP_STANDARD;
    int business_days = 1 + shipping_methods[m].transit_days;
    hf_time day = placed_at - placed_at % HF_DAY;
    while (business_days > 0) {
        day += HF_DAY;
        int weekday = hf_time_weekday(day);
        if (weekday != 0 && weekday != 6)
            business_days--;
    }
    return day + HF_DAY - HF_SECOND;
}

const char *hf_capture_mode_name(hf_capture_mode m)
{
    return m == HF_CAPTURE_IMMEDIATE ? "immediate" : "on_shipment";
}

bool hf_capture_mode_parse(const char *name, hf_capture_mode *out)
{
    if (name == NULL)
        return false;
    if (strcmp(name, "immediate") == 0)
        *out = HF_CAPTURE_IMMEDIATE;
    else if (strcmp(name, "on_shipment") == 0)
        *out = HF_CAPTURE_ON_SHIPMENT;
    else
        return false;
    return true;
}
