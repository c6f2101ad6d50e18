-- wrk script: referrals sent through POST /api/v1/referrals as a GP practice's system would
-- send them, each for a different invented person, so that the duplicate check (same NHS
-- number, or same name, date of birth and postcode) finds few matches and the load is that
-- of new referrals, not of a pile of duplicates.
--
--   LINKWORK_TOKEN=lw_… wrk -t2 -c16 -d20s -s scripts/referral-load.lua http://127.0.0.1:8080
--
-- LINKWORK_TOKEN is an API token of a user who may send referrals (in the demonstration
-- place, referrer@example.org: `linkwork token create --email referrer@example.org --name load`).
-- LINKWORK_NEED_IDS (default "1,2") are terms of the place's need taxonomy, separated by
-- commas; LINKWORK_SCHEME_ID (default 0) names the connector scheme, and 0 leaves it to
-- routing, as the issue's target ("creating a referral (with routing)") asks.
--
-- The NHS numbers start with 999, the range the NHS keeps for testing, and carry a valid
-- modulus 11 check digit, so that they pass validation and none can be a real person's.

local token = os.getenv("LINKWORK_TOKEN")
if token == nil or token == "" then
  error("set LINKWORK_TOKEN to an API token of a user who may send referrals")
end
local needs = os.getenv("LINKWORK_NEED_IDS") or "1,2"
local scheme = tonumber(os.getenv("LINKWORK_SCHEME_ID") or "0") or 0

local given = {"Ann", "Bilal", "Cerys", "Dev", "Eilidh", "Femi", "Grace", "Hamza", "Iris", "Jack",
  "Kasia", "Liam", "Maryam", "Noah", "Olu", "Priya", "Quinn", "Rosa", "Sam", "Tomasz"}
local family = {"Ackroyd", "Begum", "Clegg", "Dewhirst", "Evans", "Farrar", "Greenwood", "Hussain",
  "Illingworth", "Jowett", "Khan", "Lister", "Mitchell", "Nowak", "Oldroyd", "Pickles", "Quarmby",
  "Riley", "Sutcliffe", "Thornton"}
-- Real Halifax postcodes that linkwork ships, so that routing can place them.
local postcodes = {"HX1 1AA", "HX1 1AD", "HX2 0AA", "HX3 0AB", "HX4 0AA", "HX5 0AB", "HX6 1AA", "HX7 5AA", "HX7 5AB"}

-- nhsNumber returns ten digits starting 999 with a valid modulus 11 check digit, for the
-- n-th number a thread makes; the thread's own digit keeps threads apart. About one in
-- eleven bodies has no valid check digit (it would be 10), and is skipped.
local function nhsNumber(thread, n)
  while true do
    local body = string.format("999%d%05d", thread % 10, n % 100000)
    local sum = 0
    for i = 1, 9 do
      sum = sum + tonumber(body:sub(i, i)) * (11 - i)
    end
    local check = 11 - sum % 11
    if check == 11 then check = 0 end
    if check ~= 10 then
      return body .. check, n
    end
    n = n + 1
  end
end

local threads = 0
local counter = 0
local thread_id = 0

-- setup runs in the main interpreter once per thread: it numbers the threads.
function setup(thread)
  thread:set("thread_id", threads)
  threads = threads + 1
end

-- init runs in each thread's own interpreter.
function init(args)
  math.randomseed(os.time() + thread_id * 7919)
  -- Start each run somewhere else, so that runs one after another seldom repeat a person.
  counter = math.random(0, 99999)
end

local headers = {
  ["Content-Type"] = "application/json",
  ["Authorization"] = "Bearer " .. token,
}

function request()
  local nhs
  nhs, counter = nhsNumber(thread_id, counter)
  counter = counter + 1
  local g = given[counter % #given + 1]
  local f = family[math.floor(counter / #given) % #family + 1]
  local dob = string.format("%d-%02d-%02d", 1935 + counter % 70, counter % 12 + 1, counter % 28 + 1)
  local pc = postcodes[counter % #postcodes + 1]
  local body = string.format([[{"person":{"given_name":"%s","family_name":"%s","date_of_birth":"%s","nhs_number":"%s",]]
    .. [["address_1":"%d Park Road","town":"Halifax","postcode":"%s","phone":"07700 900%03d","contact_preferences":["phone"]},]]
    .. [["need_ids":[%s],"reason":"Feeling isolated since retiring; would like to meet people nearby.","urgency":"routine",]]
    .. [["referrer":{"type":"gp_practice","role":"GP"},"consent":{"to_referral":true,"method":"verbal"},"scheme_id":%d}]],
    g, f, dob, nhs, counter % 200 + 1, pc, counter % 1000, needs, scheme)
  return wrk.format("POST", "/api/v1/referrals", headers, body)
end

-- Anything but 201 is counted and the first few are shown, so that a run that only
-- measured refusals (a bad token, an unknown need) cannot pass for a fast one.
local shown = 0
function response(status, hdrs, body)
  if status ~= 201 then
    if shown < 3 then
      io.stderr:write("status " .. status .. ": " .. body .. "\n")
      shown = shown + 1
    end
  end
end
