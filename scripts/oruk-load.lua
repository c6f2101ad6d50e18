-- wrk script: Open Referral UK searches as an aggregator or a referral system sends them,
-- spread over many words, pages and postcodes, so that each request is one of 270 different
-- ones rather than the same URL again.
--   wrk -t2 -c16 -d20s -s scripts/oruk-load.lua http://127.0.0.1:8080
local words = {"walking", "gardening", "choir", "knit", "art", "lunch", "food", "cooking", "debt",
  "football", "conservation", "painting", "craft", "singing", "repair", "allotment", "nordic",
  "sewing", "pantry", "advice", "carers", "dementia", "yoga", "reading", "swimming", "befriending",
  "housing", "digital", "volunteers", "gardning"}
local extras = {"", "&page=2", "&postcode=HX1%201AA&proximity=5000"}
local paths = {}
for _, w in ipairs(words) do
  for _, e in ipairs(extras) do
    for _, place in ipairs({"1"}) do
      table.insert(paths, "/oruk/services?search=" .. w .. "&place=" .. place .. e)
    end
  end
end
local n = 0
request = function()
  n = n + 1
  return wrk.format("GET", paths[(n % #paths) + 1])
end
