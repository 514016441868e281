-- wrk script of bench/httpload.py: one scenario per run, chosen by the environment.
--
--   BENCH_KIND    get | report | flow | post
--   BENCH_HEADER  "Name: value" sent with every GET (a session cookie or a bearer token)
--   BENCH_PATHS   get: a file of request paths, one a line; each request takes one at random
--   BENCH_GRID    report, flow: "token lng lat" per line: a grid worker's token and a point in their grid
--   BENCH_CODES   report, flow: category codes separated by spaces
--   BENCH_POST_PATH, BENCH_BODIES  post: JSON bodies, one a line, each request POSTs one at random
--                 to BENCH_POST_PATH with BENCH_HEADER (bench/httpload_window.py files applications)
--   BENCH_DISPATCHER  flow: the township dispatcher's token; the dispatcher registers each
--                 reported event, then dispatches it by the lists (POST .../dispatch {})
--
-- At the end one line: "HTTPBENCH {json}" with the counts and wrk's latency percentiles.

local kind = os.getenv("BENCH_KIND") or "get"
local header_line = os.getenv("BENCH_HEADER") or ""
local dispatcher = os.getenv("BENCH_DISPATCHER") or ""
local boundary = "httpbench-b0undary-5f1c"
local text = string.rep("道路积水严重，车辆无法通行，群众出行不便，请尽快安排处置。", 5)

local function read_lines(name)
  local lines = {}
  local path = os.getenv(name)
  if path and #path > 0 then
    for line in io.lines(path) do
      if #line > 0 then lines[#lines + 1] = line end
    end
  end
  return lines
end

local paths = read_lines("BENCH_PATHS")
local bodies = read_lines("BENCH_BODIES")
local post_path = os.getenv("BENCH_POST_PATH") or "/"
local grid = {}
for _, line in ipairs(read_lines("BENCH_GRID")) do
  local token, lng, lat = line:match("^(%S+) (%S+) (%S+)$")
  grid[#grid + 1] = { token = token, lng = lng, lat = lat }
end
local codes = {}
for code in (os.getenv("BENCH_CODES") or ""):gmatch("%S+") do codes[#codes + 1] = code end

local fixed = {}
do
  local name, value = header_line:match("^([^:]+):%s*(.*)$")
  if name then fixed[name] = value end
end

local all_threads = {}
local next_id = 0

function setup(thread)
  next_id = next_id + 1
  thread:set("id", next_id)
  all_threads[#all_threads + 1] = thread
end

function init(args)
  good, other, dispatched, made = 0, 0, 0, 0
  waiting = {}  -- flow: {step, case id} for events whose next step is the dispatcher's
  math.randomseed(os.time() + 7919 * id)
end

local function field(name, value)
  return "--" .. boundary .. "\r\nContent-Disposition: form-data; name=\"" .. name .. "\"\r\n\r\n" .. value .. "\r\n"
end

local function report()
  made = made + 1
  local who = grid[math.random(#grid)]
  local body = field("category", codes[math.random(#codes)])
    .. field("description", "压测上报 " .. id .. "-" .. made .. "-" .. math.random(1e9) .. " " .. text)
    .. field("lng", who.lng) .. field("lat", who.lat) .. field("channel", "grid")
    .. "--" .. boundary .. "--\r\n"
  return wrk.format("POST", "/api/events", {
    ["Authorization"] = "Bearer " .. who.token,
    ["Content-Type"] = "multipart/form-data; boundary=" .. boundary,
  }, body)
end

function request()
  if kind == "get" then
    return wrk.format("GET", paths[math.random(#paths)], fixed)
  end
  if kind == "post" then
    local headers = { ["Content-Type"] = "application/json" }
    for name, value in pairs(fixed) do headers[name] = value end
    return wrk.format("POST", post_path, headers, bodies[math.random(#bodies)])
  end
  if kind == "flow" and #waiting > 0 then
    local step = table.remove(waiting, 1)
    return wrk.format("POST", "/api/events/" .. step[2] .. "/" .. step[1], {
      ["Authorization"] = "Bearer " .. dispatcher, ["Content-Type"] = "application/json",
    }, "{}")
  end
  return report()
end

function response(status, headers, body)
  if status < 200 or status > 299 then
    other = other + 1
    return
  end
  good = good + 1
  if kind ~= "flow" then return end
  -- The answer is the event: its own "id" and "state" come first in the JSON.
  local case_id = body:match('"id":%s*(%d+)')
  local state = body:match('"state":%s*"([%a_]+)"')
  if state == "reported" and case_id then
    waiting[#waiting + 1] = { "register", case_id }
  elseif state == "registered" and case_id then
    waiting[#waiting + 1] = { "dispatch", case_id }
  elseif state == "dispatched" then
    dispatched = dispatched + 1
  end
end

function done(summary, latency, requests)
  local sums = { good = 0, other = 0, dispatched = 0 }
  for _, thread in ipairs(all_threads) do
    for key in pairs(sums) do sums[key] = sums[key] + thread:get(key) end
  end
  local errors = summary.errors
  io.write(string.format(
    'HTTPBENCH {"requests": %d, "good": %d, "other": %d, "dispatched": %d, "seconds": %.3f, ' ..
    '"socket_errors": %d, "timeouts": %d, "p50_ms": %.2f, "p99_ms": %.2f, "max_ms": %.2f}\n',
    summary.requests, sums.good, sums.other, sums.dispatched, summary.duration / 1e6,
    errors.connect + errors.read + errors.write, errors.timeout,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.max / 1000))
end
