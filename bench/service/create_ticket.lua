-- wrk: POST /api/v1/tickets for customers drawn from FINCRM_CUSTOMER_IDS, signed in.
local ids = {}
local token = os.getenv("FINCRM_TOKEN")
for line in io.lines(os.getenv("FINCRM_CUSTOMER_IDS")) do ids[#ids + 1] = line end
math.randomseed(os.time() + 7)
request = function()
  local body = '{"customer_id":"' .. ids[math.random(#ids)] .. '","type":"inquiry","priority":"normal","subject":"bench"}'
  return wrk.format("POST", "/api/v1/tickets", {["Authorization"] = "Bearer " .. token,
                                                ["Content-Type"] = "application/json"}, body)
end
