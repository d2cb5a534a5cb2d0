-- POST /login as an OAuth2 password form: user<N>@example.com / $PASSWORD, N uniform in [1, $MAX_USER].
dofile(os.getenv("BENCH_WRK") .. "/common.lua")
local max_user = tonumber(os.getenv("MAX_USER") or "1000")
local password = os.getenv("PASSWORD") or "password123"
function init(args) seed_random() end
function request()
  return wrk.format("POST", nil, { ["Content-Type"] = "application/x-www-form-urlencoded" },
    "username=user" .. math.random(1, max_user) .. "%40example.com&password=" .. password)
end
