-- place-order.lua - wrk script: POST /v1/orders, one order per request.
-- Usage: wrk ... -s bench/place-order.lua URL -- KEY SKUS CUSTOMERS
--   KEY        admin or service API key
--   SKUS       the products are BENCH-1 .. BENCH-SKUS (bench/run-orders
--              creates them with plenty of stock)
--   CUSTOMERS  e-mail addresses are drawn from a pool this large, so most
--              orders come from returning customers once the pool is used
-- Each request picks its SKU, quantity (1 or 2), customer and city at
-- random, so consecutive orders touch different stock rows and customers.

local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(dir .. "report.lua")

local key, skus, customers
local cities = {
    {"Springfield", "IL", "62701"}, {"Portland", "OR", "97201"},
    {"Austin", "TX", "73301"}, {"Madison", "WI", "53703"},
    {"Burlington", "VT", "05401"}, {"Boulder", "CO", "80302"},
}
local first = {"Ann", "Bo", "Cy", "Di", "Ed", "Flo", "Gus", "Hal"}
local last = {"Lee", "Ng", "Diaz", "Okafor", "Smith", "Kowalski"}

local template = '{"customer":{"email":"%s","name":"%s","phone":"+1555%07d"},' ..
    '"lines":[{"sku":"BENCH-%d","qty":%d}],' ..
    '"shipping_address":{"name":"%s","line1":"%d Main St","city":"%s",' ..
    '"region":"%s","postal_code":"%s","country":"US"},' ..
    '"shipping_method":"standard",' ..
    '"payment":{"method":"card","gateway":"manual"}}'

function init(args)
    key = args[1]
    skus = tonumber(args[2]) or 10
    customers = tonumber(args[3]) or 10000
    math.randomseed(os.time() * 1000 + (thread_no or 0) * 7919)
    wrk.headers["Authorization"] = "Bearer " .. key
    wrk.headers["Content-Type"] = "application/json"
end

function request()
    local c = math.random(customers)
    local name = first[c % #first + 1] .. " " .. last[c % #last + 1]
    local city = cities[c % #cities + 1]
    local body = string.format(template,
        "customer" .. c .. "@example.com", name, c,
        math.random(skus), math.random(2),
        name, c % 999 + 1, city[1], city[2], city[3])
    return wrk.format("POST", "/v1/orders", nil, body)
end
