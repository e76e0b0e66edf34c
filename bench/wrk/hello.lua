-- The yardstick's requests (a bare GET /), reported the same way as door.lua's; PACE_MS as there.
local pace = 0

function init(args)
  pace = tonumber(args[1] or "0")
end

function delay()
  return pace
end

function done(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format("RESULT requests=%d seconds=%.3f p50_ms=%.2f p95_ms=%.2f p99_ms=%.2f errors=%d\n",
    summary.requests, summary.duration / 1e6, latency:percentile(50) / 1000, latency:percentile(95) / 1000,
    latency:percentile(99) / 1000,
    errors.connect + errors.read + errors.write + errors.status + errors.timeout))
end
