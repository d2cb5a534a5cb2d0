-- POST /posts/ with a small JSON body and "Authorization: Bearer $TOKEN".
dofile(os.getenv("BENCH_WRK") .. "/common.lua")
wrk.method = "POST"
wrk.body = '{"title": "load test title", "content": "load test content lorem ipsum dolor sit amet", "published": true}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. (os.getenv("TOKEN") or "")
