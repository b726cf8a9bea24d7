-- wrk script: GET /api/v1/customers/{id} for random customers of the demo (C00000001..N),
-- signed in with the bearer token in $FINCRM_TOKEN; N from $FINCRM_CUSTOMERS.
local token = os.getenv("FINCRM_TOKEN")
local customers = tonumber(os.getenv("FINCRM_CUSTOMERS") or "100000")
local counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("seed", counter)
end

function init(args)
  math.randomseed(seed * 7919)
  wrk.headers["Authorization"] = "Bearer " .. token
end

function request()
  local id = string.format("C%08d", math.random(1, customers))
  return wrk.format("GET", "/api/v1/customers/" .. id)
end
