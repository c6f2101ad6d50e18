-- wrk script of `make bench` (cmd/benchreport): the referrals of referral-load.lua (read its
-- notes for LINKWORK_TOKEN, LINKWORK_NEED_IDS and LINKWORK_SCHEME_ID), with the summary line of
-- bench-summary.lua at the end. Every response should be 201 Created.
--
--   LINKWORK_TOKEN=lw_… BENCH_EXPECT=201 wrk -t2 -c16 -d10s -s scripts/bench-referral.lua http://127.0.0.1:8080

local dir = string.match(debug.getinfo(1, "S").source, "^@(.*/)") or "./"
dofile(dir .. "referral-load.lua")
dofile(dir .. "bench-summary.lua")
