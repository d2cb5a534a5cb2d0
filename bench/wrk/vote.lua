-- POST /vote/: a vote on a random post, then (64 requests later, when it has surely landed) its
-- removal; so the table stays the size it was. $TOKENS: bearer tokens of users without votes.
dofile(os.getenv("BENCH_WRK") .. "/common.lua")
local tokens = {}
for t in string.gmatch(os.getenv("TOKENS") or "", "[^,]+") do tokens[#tokens + 1] = t end
local max_id = tonumber(os.getenv("MAX_ID") or "1000")
local pending, head, tail, n = {}, 1, 0, 0
function init(args) seed_random() end
function request()
  n = n + 1
  local token, post, dir
  if n % 2 == 0 and tail - head >= 64 then
    local vote = pending[head]; pending[head] = nil; head = head + 1
    token, post, dir = vote[1], vote[2], 0
  else
    token, post, dir = tokens[math.random(1, #tokens)], math.random(1, max_id), 1
    tail = tail + 1; pending[tail] = { token, post }
  end
  return wrk.format("POST", "/vote/", { ["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. token },
    string.format('{"post_id": %d, "dir": %d}', post, dir))
end
