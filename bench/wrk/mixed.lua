-- The mixed workload: many users sending a blend of reads and writes, one class chosen at random
-- per request (the blend is documented in bench/report.py's "Mixed workload" section).
-- $READERS: bearer tokens of the readers (who also create posts); $VOTERS: tokens of users who
-- start with no votes; $MAX_POST, $MAX_USER: the seeded ids; WRITES=0: the read-only blend (the
-- two write classes left out, the rest in the same proportions).
-- Prints RESULT with the answers by status class, counted in response() and summed over threads.
dofile(os.getenv("BENCH_WRK") .. "/common.lua")

local function split(s)
  local t = {}
  for x in string.gmatch(s or "", "[^,]+") do t[#t + 1] = x end
  return t
end
local readers, voters = split(os.getenv("READERS")), split(os.getenv("VOTERS"))
local max_post = tonumber(os.getenv("MAX_POST") or "1000")
local max_user = tonumber(os.getenv("MAX_USER") or "1000")
local writes = os.getenv("WRITES") ~= "0"
-- Words of the seeded titles, and title prefixes ("title 12" matches titles 12, 120-129, 1200-...).
local searches = { "alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta", "iota", "kappa", "needle",
  "title%201", "title%2012", "title%20123", "title%202", "title%2034", "title%20456", "title%207", "title%2089" }
local blend = { { "list", 35 }, { "post", 25 }, { "page", 6 }, { "deep", 1 }, { "search", 4 }, { "user", 8 },
  { "vote", 14, true }, { "create", 7, true } }
local classes, total = {}, 0
for _, c in ipairs(blend) do
  if writes or not c[3] then total = total + c[2]; classes[#classes + 1] = { c[1], total } end
end

local function auth(list, json)
  local t = {}
  for i, token in ipairs(list) do
    t[i] = { ["Authorization"] = "Bearer " .. token }
    if json then t[i]["Content-Type"] = "application/json" end
  end
  return t
end
local reader_get, reader_post, voter_post = auth(readers), auth(readers, true), auth(voters, true)
local anonymous = {}
local create_body = '{"title": "mixed load title", "content": "mixed load content lorem ipsum dolor sit amet", "published": true}'

-- This thread's votes and their removals (common.lua's vote_queue).
local next_vote

local threads = {}
function setup(thread) threads[#threads + 1] = thread; thread:set("id", #threads) end
function init(args)
  seed_random(); math.randomseed(math.random(1, 1e9) + id * 7919)
  s2xx, s3xx, s4xx, s5xx = 0, 0, 0, 0
  next_vote = vote_queue(#voters, max_post)
end

local function reader() return math.random(1, #readers) end
function request()
  local r, class = math.random() * total, nil
  for _, c in ipairs(classes) do if r < c[2] then class = c[1]; break end end
  class = class or classes[#classes][1]
  if class == "list" then
    return wrk.format("GET", math.random(4) == 1 and "/posts/?limit=20" or "/posts/", reader_get[reader()])
  elseif class == "post" then
    return wrk.format("GET", "/posts/" .. math.random(1, max_post), reader_get[reader()])
  elseif class == "page" then
    return wrk.format("GET", "/posts/?skip=" .. 10 * math.random(1, 20), reader_get[reader()])
  elseif class == "deep" then
    return wrk.format("GET", "/posts/?skip=" .. math.random(1000, 20000), reader_get[reader()])
  elseif class == "search" then
    return wrk.format("GET", "/posts/?search=" .. searches[math.random(1, #searches)], reader_get[reader()])
  elseif class == "user" then
    return wrk.format("GET", "/users/" .. math.random(1, max_user), anonymous)
  elseif class == "create" then
    return wrk.format("POST", "/posts/", reader_post[reader()], create_body)
  end
  local voter, post, dir = next_vote()
  return wrk.format("POST", "/vote/", voter_post[voter], string.format('{"post_id": %d, "dir": %d}', post, dir))
end

function response(status, headers, body)
  if status < 300 then s2xx = s2xx + 1
  elseif status < 400 then s3xx = s3xx + 1
  elseif status < 500 then s4xx = s4xx + 1
  else s5xx = s5xx + 1 end
end

function done(summary, latency, requests)
  local n = { s2xx = 0, s3xx = 0, s4xx = 0, s5xx = 0 }
  for _, t in ipairs(threads) do
    for k in pairs(n) do n[k] = n[k] + (t:get(k) or 0) end
  end
  local e = summary.errors
  io.write(string.format("RESULT rps=%.1f p50_ms=%.2f p99_ms=%.2f requests=%d s2xx=%d s3xx=%d s4xx=%d s5xx=%d errors=%d\n",
    summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    summary.requests, n.s2xx, n.s3xx, n.s4xx, n.s5xx, e.connect + e.read + e.write + e.timeout))
end
