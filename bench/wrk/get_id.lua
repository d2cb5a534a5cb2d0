-- GET <url-path><random id in [1, $MAX_ID]>, with "Authorization: Bearer $TOKEN" when TOKEN is set.
dofile(os.getenv("BENCH_WRK") .. "/common.lua")
local token = os.getenv("TOKEN")
local max_id = tonumber(os.getenv("MAX_ID") or "1000")
local headers = {}
if token and token ~= "" then headers["Authorization"] = "Bearer " .. token end
local prefix
function init(args) prefix = wrk.path; seed_random() end
function request() return wrk.format("GET", prefix .. math.random(1, max_id), headers) end
