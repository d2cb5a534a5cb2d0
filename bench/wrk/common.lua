-- Shared by the bench scripts: one machine-readable RESULT line at the end of a wrk run.
function done(summary, latency, requests)
  local s = summary.duration / 1e6
  io.write(string.format("RESULT rps=%.1f p50_ms=%.2f p99_ms=%.2f requests=%d non2xx=%d errors=%d\n",
    summary.requests / s, latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    summary.requests, summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end

function seed_random()
  math.randomseed(os.time() + (tonumber(tostring({}):match("0x(%x+)"), 16) or 0) % 100000)
end

-- Votes that leave the table the size it was: a vote by a random voter on a random post, and,
-- every other call once 64 more votes are out (so the vote has surely landed), the removal of the
-- oldest one by the same voter. Returns voter (an index in 1..voters), post id, dir.
function vote_queue(voters, max_post)
  local pending, head, tail, n = {}, 1, 0, 0
  return function()
    n = n + 1
    if n % 2 == 0 and tail - head >= 64 then
      local vote = pending[head]; pending[head] = nil; head = head + 1
      return vote[1], vote[2], 0
    end
    local voter, post = math.random(1, voters), math.random(1, max_post)
    tail = tail + 1; pending[tail] = { voter, post }
    return voter, post, 1
  end
end
