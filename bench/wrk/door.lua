-- One door recorded per request, posted as the walk list's script posts it (static/js/walk.js): the form's
-- fields as multipart FormData, the session cookie and the form's CSRF token, Accept: application/json,
-- and a fresh record id (a version-4 UUID) and time for every tap. The doors go round the turf's stops.
--
-- wrk -s door.lua URL -- PATH COOKIE CSRF TURF ACTION PAGE ADDRESSES [PACE_MS] [ENCODING] [USER_AGENT] [PACING]
-- ADDRESSES is a comma-separated list of address ids; PACE_MS > 0 makes each connection wait that long
-- between its requests (a paced canvasser), 0 posts back to back. PACING "fixed" waits exactly PACE_MS each
-- time; "random" waits a random time of PACE_MS on average (exponential), so the connections' posts arrive as
-- independent canvassers' do, not in the step wrk gives them by starting every connection at the same moment. ENCODING is what the page's script sends:
-- "urlencoded" (URLSearchParams, walk.js since the door record was made lean) or "multipart" (FormData, as
-- before, with a new random boundary per request as browsers make it). USER_AGENT is the phone's browser, the one
-- the session was logged in from.

local path, csrf, turf, action, page
local addresses = {}
local pace = 0
local counter = 0
local encoding = "urlencoded"
local pacing = "fixed"

function init(args)
  path, wrk.headers["Cookie"], csrf, turf, action, page = args[1], args[2], args[3], args[4], args[5], args[6]
  for id in string.gmatch(args[7], "%d+") do addresses[#addresses + 1] = id end
  pace = tonumber(args[8] or "0")
  encoding = args[9] or encoding
  -- The browser the session was logged in from: Flask-Login's session protection compares it on every request.
  if args[10] then wrk.headers["User-Agent"] = args[10] end
  pacing = args[11] or pacing
  wrk.method = "POST"
  wrk.headers["Accept"] = "application/json"
  -- Each thread its own sequence: a seed from the clock alone would repeat ids across threads.
  math.randomseed(os.time() + tonumber(tostring({}):match("0x(%x+)") or "0", 16) % 100000)
end

local function uuid4()
  local hex = "0123456789abcdef"
  local out = {}
  for i = 1, 32 do
    local n = math.random(0, 15)
    if i == 13 then n = 4 elseif i == 17 then n = 8 + n % 4 end
    out[#out + 1] = hex:sub(n + 1, n + 1)
    if i == 8 or i == 12 or i == 16 or i == 20 then out[#out + 1] = "-" end
  end
  return table.concat(out)
end

local function escaped(value)
  return (value:gsub("[^%w%-%._~]", function(c) return string.format("%%%02X", string.byte(c)) end))
end

function request()
  counter = counter + 1
  local fields = {{"csrf_token", csrf}, {"id", uuid4()}, {"recorded_at", os.date("!%Y-%m-%dT%H:%M:%S.000Z")},
    {"turf_id", turf}, {"action_id", action}, {"address_id", addresses[(counter % #addresses) + 1]},
    {"unit", tostring(counter % 9 + 1)}, {"page", page}, {"outcome", "not_home"}}
  -- wrk.format takes these headers instead of wrk.headers, so they carry the cookie and Accept too.
  local parts, headers = {}, {}
  for name, value in pairs(wrk.headers) do headers[name] = value end
  if encoding == "multipart" then
    local boundary = "----WebKitFormBoundary" .. uuid4():gsub("-", ""):sub(1, 16)
    for _, f in ipairs(fields) do
      parts[#parts + 1] = "--" .. boundary .. "\r\nContent-Disposition: form-data; name=\"" .. f[1] .. "\"\r\n\r\n"
        .. f[2] .. "\r\n"
    end
    parts[#parts + 1] = "--" .. boundary .. "--\r\n"
    headers["Content-Type"] = "multipart/form-data; boundary=" .. boundary
    return wrk.format(nil, path, headers, table.concat(parts))
  end
  for _, f in ipairs(fields) do parts[#parts + 1] = f[1] .. "=" .. escaped(f[2]) end
  headers["Content-Type"] = "application/x-www-form-urlencoded;charset=UTF-8"
  return wrk.format(nil, path, headers, table.concat(parts, "&"))
end

function delay()
  if pacing == "random" and pace > 0 then
    return math.floor(-math.log(1 - math.random()) * pace)
  end
  return pace
end

function done(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format("RESULT requests=%d seconds=%.3f p50_ms=%.2f p95_ms=%.2f p99_ms=%.2f errors=%d\n",
    summary.requests, summary.duration / 1e6, latency:percentile(50) / 1000, latency:percentile(95) / 1000,
    latency:percentile(99) / 1000,
    errors.connect + errors.read + errors.write + errors.status + errors.timeout))
end
