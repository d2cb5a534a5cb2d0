-- The mixed blend (mixed.lua) at a bounded rate: each connection waits $PAUSE_MS between its
-- answer and its next request, so latency is measured below saturation, as a share of real traffic sees it.
dofile(os.getenv("BENCH_WRK") .. "/mixed.lua")
local pause = tonumber(os.getenv("PAUSE_MS") or "10")
function delay() return pause end
