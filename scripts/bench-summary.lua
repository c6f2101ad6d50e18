-- Shared by the `make bench` wrk scripts (cmd/benchreport): counts the responses whose status
-- is not the one expected, and at the end prints one line that benchreport reads:
--
--   linkwork-bench requests=N duration_us=N p50_us=N p95_us=N p99_us=N max_us=N mean_us=N
--     unexpected=N connect_errors=N read_errors=N write_errors=N timeouts=N first_unexpected="…"
--
-- (on one line). A script loads it with dofile after defining its own request and setup, if
-- any. BENCH_EXPECT is the status every response should have (default 200), so that a run
-- that only measured refusals or redirects to the sign-in page cannot pass for a fast one.

local expected = tonumber(os.getenv("BENCH_EXPECT") or "200")
local threads = {}
local own_setup = setup

-- setup runs in the main interpreter once per thread: it keeps the threads, to read their
-- counts in done, and then runs the script's own setup.
function setup(thread)
  table.insert(threads, thread)
  if own_setup then
    own_setup(thread)
  end
end

unexpected = 0
first_unexpected = ""

function response(status, headers, body)
  if status ~= expected then
    unexpected = unexpected + 1
    if first_unexpected == "" then
      first_unexpected = status .. " " .. string.sub(body or "", 1, 160)
    end
  end
end

function done(summary, latency, requests)
  local bad, first = 0, ""
  for _, t in ipairs(threads) do
    bad = bad + (t:get("unexpected") or 0)
    local f = t:get("first_unexpected") or ""
    if first == "" then
      first = f
    end
  end
  first = string.gsub(string.gsub(first, "[%c\"\\]", " "), "%s+", " ")
  local e = summary.errors
  io.write(string.format("linkwork-bench requests=%d duration_us=%d p50_us=%d p95_us=%d p99_us=%d max_us=%d mean_us=%.1f " ..
    "unexpected=%d connect_errors=%d read_errors=%d write_errors=%d timeouts=%d first_unexpected=\"%s\"\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95), latency:percentile(99),
    latency.max, latency.mean, bad, e.connect, e.read, e.write, e.timeout, first))
end
