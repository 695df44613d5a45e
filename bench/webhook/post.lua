-- wrk script: POST a mix of realistic AdmissionReview v1 bodies to /validate over TLS.
-- RATE (req/s, all connections together) and CONNS pace the connections with delay():
-- wrk 4.1 (Debian) has no constant-rate mode, so each connection sleeps CONNS*1000/RATE ms
-- between requests (closed loop: latency under coordinated omission, reported as such).
local dir = os.getenv("REVIEWS") or "bench/webhook/reviews"
local names = {
  "1-pod-create-clean", "2-pod-create-privileged", "3-deploy-update-scale",
  "4-deploy-create-clean", "5-pod-delete", "6-widget-create",
}
local bodies = {}
for i, n in ipairs(names) do
  local f = assert(io.open(dir .. "/" .. n .. ".json", "r"))
  bodies[i] = f:read("*a")
  f:close()
end
local rate = tonumber(os.getenv("RATE") or "0")
local conns = tonumber(os.getenv("CONNS") or "1")
local pause = 0
if rate > 0 then pause = math.floor(conns * 1000 / rate) end

local threads = {}
function setup(thread) table.insert(threads, thread) end

local counter = 0
codes = {}
function init(args) codes = {} end

function request()
  counter = counter + 1
  local body = bodies[(counter % #bodies) + 1]
  return wrk.format("POST", "/validate", { ["Content-Type"] = "application/json" }, body)
end

function delay() return pause end

function response(status, headers, body)
  codes[status] = (codes[status] or 0) + 1
end

function done(summary, latency, requests)
  local total = {}
  for _, t in ipairs(threads) do
    local c = t:get("codes") or {}
    for k, v in pairs(c) do total[k] = (total[k] or 0) + v end
  end
  local parts = {}
  for k, v in pairs(total) do table.insert(parts, string.format("%s=%d", k, v)) end
  table.sort(parts)
  io.write(string.format("STATUS %s\n", table.concat(parts, " ")))
  io.write(string.format("RESULT req=%d secs=%.1f rps=%.0f p50_ms=%.2f p90_ms=%.2f p99_ms=%.2f max_ms=%.2f errors=%d\n",
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000,
    latency.max / 1000,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
