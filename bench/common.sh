# Shared by bench/run and bench/ab (source it after scripts/lib.sh, from the repository's root):
# the tools they need, the seeded cluster, and one run of the mixed workload with its CPU time.

# bench_deps: as root, installs what is missing (wrk, jq, python3-bcrypt for the password hash).
bench_deps() {
  [ "$(id -u)" = 0 ] || return 0
  local missing=()
  command -v wrk >/dev/null || missing+=(wrk)
  command -v jq >/dev/null || missing+=(jq)
  /usr/bin/python3 -c 'import bcrypt' 2>/dev/null || missing+=(python3-bcrypt)
  ((${#missing[@]})) || return 0
  apt-get update -qq && apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# bench_seed PGDIR DLL USERS POSTS VOTES: a new cluster in PGDIR, database "social" migrated by the
# service DLL and seeded with bench/seed.sql (every password "password123", bcrypt cost 12). Sets DB_URL.
bench_seed() {
  local pg=$1 dll=$2 users=$3 posts=$4 votes=$5 pwhash
  pg_init "$pg"; pg_start "$pg" "-c shared_buffers=256MB -c log_line_prefix='%m [%p] %a: '"
  pg_psql "$pg" -c "CREATE DATABASE social"
  DB_URL=$(pg_url "$pg" social)
  DATABASE_URL=$DB_URL dotnet "$dll" migrate >/dev/null
  pwhash=$(/usr/bin/python3 -c 'import bcrypt; print(bcrypt.hashpw(b"password123", bcrypt.gensalt(12)).decode())')
  pg_psql "$pg" -d social -v users="$users" -v posts="$posts" -v votes="$votes" -v pwhash="$pwhash" -f bench/seed.sql \
    | tail -1 | sed 's/^/  users|posts|votes|most votes on one post: /'
}

# mixed_env SECRET USERS POSTS: the environment of bench/wrk/mixed.lua. Readers are users 1..500;
# voters the 100 spare users (USERS+1..USERS+100), who start with no votes.
mixed_env() {
  export BENCH_WRK=$PWD/bench/wrk MAX_USER=$2 MAX_POST=$3
  READERS=$(bench/mint_tokens.py "$1" 1 $(($2 < 500 ? $2 : 500)))
  VOTERS=$(bench/mint_tokens.py "$1" $(($2 + 1)) $(($2 + 100)))
  export READERS VOTERS
}

# One wrk thread, as for the per-endpoint rows: on two cores shared with the service and PostgreSQL,
# a second one showed no clear gain side by side and takes CPU from them. MIXED_THREADS=2 to try again.
MIXED_THREADS=${MIXED_THREADS:-1}
MIXED_CONNS=16
MIXED_COLUMNS='rps\tp50_ms\tp99_ms\trequests\ts2xx\ts3xx\ts4xx\ts5xx\terrors\tservice_us\tpostgres_us'

# mixed_run URL SECONDS WRITES SERVICE_PID PGDIR: one run of the mixed blend (WRITES=1) or the
# read-only one (WRITES=0); prints the MIXED_COLUMNS fields, tab-separated. The CPU time of the
# service and of PostgreSQL is sampled just before and after wrk, per request in µs.
mixed_run() {
  local url=$1 secs=$2 writes=$3 pid=$4 pg=$5 before after res
  before=$(bench/cpu_ticks.py "$pid" "$pg/pgdata")
  res=$(WRITES=$writes timeout $((secs + 60)) wrk -t$MIXED_THREADS -c$MIXED_CONNS -d"${secs}s" --timeout 10s \
          -s bench/wrk/mixed.lua "$url" | grep '^RESULT') || { echo "mixed_run: wrk failed" >&2; return 1; }
  after=$(bench/cpu_ticks.py "$pid" "$pg/pgdata")
  /usr/bin/python3 - "$res" "$before" "$after" "$(getconf CLK_TCK)" <<'PY'
import sys
res = dict(kv.split("=") for kv in sys.argv[1].split()[1:])
(s0, p0), (s1, p1) = (map(int, a.split()) for a in sys.argv[2:4])
per = 1e6 / int(sys.argv[4]) / max(int(res["requests"]), 1)  # µs per tick, per request
cols = [res[k] for k in "rps p50_ms p99_ms requests s2xx s3xx s4xx s5xx errors".split()]
print("\t".join(cols + [f"{(s1 - s0) * per:.1f}", f"{(p1 - p0) * per:.1f}"]))
PY
}

# mixed_show LABEL FIELDS...: one human line for a mixed_run.
mixed_show() {
  printf '  %-9s %9s req/s  p50 %6s ms  p99 %7s ms  2xx %s 3xx %s 4xx %s 5xx %s errors %s  CPU µs/req: service %s, PostgreSQL %s\n' \
    "$1" "$2" "$3" "$4" "$6" "$7" "$8" "$9" "${10}" "${11}" "${12}"
}

# svc_stop: SIGTERM to the service started by app_start, SIGKILL if it has not exited after 30 s.
svc_stop() {
  [ -n "${APP_PID:-}" ] || return 0
  kill -TERM "$APP_PID" 2>/dev/null || true
  for _ in $(seq 1 300); do kill -0 "$APP_PID" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$APP_PID" 2>/dev/null || true
  wait "$APP_PID" 2>/dev/null || true
  APP_PID=
}
