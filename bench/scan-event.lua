-- scan-event.lua - wrk script: POST /v1/carriers/ups/events, one carrier
-- scan per request, spread over shipments 1ZBENCH1 .. 1ZBENCH<N>.
-- Usage: wrk ... -s bench/scan-event.lua URL -- KEY SHIPMENTS
-- Every request carries a time of its own (a thread's counter), so no
-- scan repeats an earlier one and each is a real write: event stored, ETA
-- recomputed, shipment updated.
local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(dir .. "report.lua")

local key, shipments
local counter = 0
local base = os.time() - 3 * 24 * 3600 -- scans in the last three days

function init(args)
    key = args[1]
    shipments = tonumber(args[2])
    math.randomseed(os.time() + (thread_no or 0))
end

function request()
    counter = counter + 1
    -- seconds stay unique per thread: thread number in the units digit
    local t = base + counter * 10 + (thread_no or 0)
    local body = string.format(
        '{"tracking_number":"1ZBENCH%d","status":"in_transit",' ..
        '"time":"%s","location":{"city":"Memphis","region":"TN",' ..
        '"country":"US"}}',
        math.random(1, shipments), os.date("!%Y-%m-%dT%H:%M:%SZ", t))
    return wrk.format("POST", "/v1/carriers/ups/events",
        {["Authorization"] = "Bearer " .. key,
         ["Content-Type"] = "application/json"}, body)
end
