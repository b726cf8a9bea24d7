-- wrk: GET /api/v1/callcenter/lookup?phone= for mobiles drawn from FINCRM_PHONES (one
-- per line, written as a PBX would: "+86 138-0013-8000"), signed in with FINCRM_TOKEN.
local phones = {}
local token = os.getenv("FINCRM_TOKEN")
for line in io.lines(os.getenv("FINCRM_PHONES")) do phones[#phones + 1] = line end
math.randomseed(os.time())
request = function()
  local phone = phones[math.random(#phones)]
  return wrk.format("GET", "/api/v1/callcenter/lookup?phone=" .. phone, {["Authorization"] = "Bearer " .. token})
end
