-- get-order.lua - wrk script: GET /v1/orders/{id} of orders that exist.
-- Usage: wrk ... -s bench/get-order.lua URL -- KEY IDS_FILE
--   KEY       any role's API key
--   IDS_FILE  one order id (or number) a line; bench/run-orders writes it
--             from GET /v1/orders
-- Every thread walks the whole list from its own starting point.

local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(dir .. "report.lua")

local paths = {}
local at = 1

function init(args)
    wrk.headers["Authorization"] = "Bearer " .. args[1]
    for id in io.lines(args[2]) do
        if id ~= "" then
            table.insert(paths, "/v1/orders/" .. id)
        end
    end
    assert(#paths > 0, "no order ids in " .. args[2])
    at = ((thread_no or 0) * 97) % #paths + 1
end

function request()
    local p = paths[at]
    at = at % #paths + 1
    return wrk.format("GET", p)
end
