-- report.lua - shared by the wrk scripts in bench/: numbers the threads and
-- prints one machine-readable RESULT line at the end, which
-- bench/run-orders parses.
--
-- Latencies are wrk's own histogram in microseconds, from sending a request
-- to its last byte, per connection. wrk does not correct for coordinated
-- omission, so read p99 as a lower bound. Answers are not counted here by
-- status with a response() callback: that costs the client ~2.5 us per
-- request on the two cores it shares with the server. wrk counts statuses
-- >= 400 itself (status_errors), and bench/run-orders reads the exact
-- count of non-2xx answers per route from the server's /metrics.

local next_thread = 0

-- Runs once per thread, before its init(): gives each thread a number so
-- that it can seed its own random stream and start at its own place.
function setup(thread)
    thread:set("thread_no", next_thread)
    next_thread = next_thread + 1
end

function done(summary, latency, requests)
    local e = summary.errors
    local secs = summary.duration / 1e6
    io.write(string.format(
        "RESULT requests=%d seconds=%.3f rps=%.1f p50_ms=%.3f p90_ms=%.3f " ..
        "p99_ms=%.3f max_ms=%.3f status_errors=%d connect_errors=%d " ..
        "read_errors=%d write_errors=%d timeouts=%d\n",
        summary.requests, secs, summary.requests / secs,
        latency:percentile(50) / 1000, latency:percentile(90) / 1000,
        latency:percentile(99) / 1000, latency.max / 1000, e.status,
        e.connect, e.read, e.write, e.timeout))
end
