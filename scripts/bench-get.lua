-- wrk script of `make bench` (cmd/benchreport): GET requests to the paths in the file
-- BENCH_PATHS (one a line), each thread going round them from its own starting point, and the
-- summary line of bench-summary.lua at the end. Headers, such as a session cookie or an API
-- token, are given to wrk with -H.
--
--   BENCH_PATHS=paths.txt wrk -t2 -c16 -d10s -s scripts/bench-get.lua http://127.0.0.1:8080

local file = os.getenv("BENCH_PATHS")
if file == nil or file == "" then
  error("set BENCH_PATHS to a file of paths to request, one a line")
end
local paths = {}
for line in io.lines(file) do
  if line ~= "" then
    table.insert(paths, line)
  end
end
if #paths == 0 then
  error("BENCH_PATHS names a file with no paths in it: " .. file)
end

local thread_count = 0
function setup(thread)
  thread:set("thread_number", thread_count)
  thread_count = thread_count + 1
end

thread_number = 0
local n = nil
function request()
  if n == nil then
    n = thread_number * 7919
  end
  n = n + 1
  return wrk.format("GET", paths[(n % #paths) + 1])
end

local dir = string.match(debug.getinfo(1, "S").source, "^@(.*/)") or "./"
dofile(dir .. "bench-summary.lua")
