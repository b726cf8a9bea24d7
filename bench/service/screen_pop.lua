-- wrk: GET /api/v1/callcenter/lookup?phone= for mobiles drawn from FINCRM_PHONES (one
-- per line, written as a PBX would: "+86 138-0013-8000"), signed in with FINCRM_TOKEN.
-- FINCRM_ROUTE replaces the path (run.sh sends the same requests to the trivial route,
-- so that wrk's own work per request, which shares the cores, is the same in both
-- runs); FINCRM_DELAY_MS makes each connection wait on average that long (uniformly
-- 0.5 to 1.5 times it) before its next request: a paced load, 1,000 agents' consoles
-- rather than 1,000 clients in a tight loop. A fixed wait kept the 1,000 connections
-- in lockstep, so each wave of 1,000 requests queued behind itself.
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
  delay = function() return math.floor(pause * (0.5 + math.random())) end
end
