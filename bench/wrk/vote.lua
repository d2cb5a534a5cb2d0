-- POST /vote/: a vote on a random post, then (64 requests later, when it has surely landed) its
-- removal; so the table stays the size it was. $TOKENS: bearer tokens of users without votes.
dofile(os.getenv("BENCH_WRK") .. "/common.lua")
local tokens = {}
for t in string.gmatch(os.getenv("TOKENS") or "", "[^,]+") do tokens[#tokens + 1] = t end
local max_id = tonumber(os.getenv("MAX_ID") or "1000")
local next_vote
function init(args) seed_random(); next_vote = vote_queue(#tokens, max_id) end
function request()
  local voter, post, dir = next_vote()
  return wrk.format("POST", "/vote/", { ["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. tokens[voter] },
    string.format('{"post_id": %d, "dir": %d}', post, dir))
end
