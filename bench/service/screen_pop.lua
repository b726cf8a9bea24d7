-- wrk: GET /api/v1/callcenter/lookup?phone= for mobiles drawn from FINCRM_PHONES (one
-- per line, written as a PBX would: "+86 138-0013-8000"), signed in with FINCRM_TOKEN.
-- FINCRM_ROUTE replaces the path (run.sh sends the same requests to the trivial route,
-- so that wrk's own work per request, which shares the cores, is the same in both
-- runs); FINCRM_DELAY_MS makes each connection wait that long before its next request
-- (a paced load: 1,000 agents' consoles rather than 1,000 clients in a tight loop).
local phones = {}
local token = os.getenv("FINCRM_TOKEN")
local route = os.getenv("FINCRM_ROUTE") or "/api/v1/callcenter/lookup"
local pause = tonumber(os.getenv("FINCRM_DELAY_MS") or "")
for line in io.lines(os.getenv("FINCRM_PHONES")) do phones[#phones + 1] = line end
math.randomseed(os.time())
request = function()
  local phone = phones[math.random(#phones)]
  return wrk.format("GET", route .. "?phone=" .. phone, {["Authorization"] = "Bearer " .. token})
end
if pause then
  delay = function() return pause end
end
