# Shell helpers shared by the long-running scripts (tests/long/run, bench/run): a private
# PostgreSQL cluster in a folder, and the service built in Release. Source it; needs bash.
# As root, PostgreSQL runs as the postgres user (it refuses to run as root).

PG_BIN=${POSTGRES_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)}
[ -x "$PG_BIN/initdb" ] || { echo "PostgreSQL server binaries not found (apt-get install postgresql, or set POSTGRES_BIN)"; exit 1; }

as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

free_port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# pg_init DIR: a new durable cluster with password authentication; the port is kept in DIR/port.
pg_init() {
  local dir=$1
  mkdir -p "$dir"; chmod 755 "$dir"
  openssl rand -hex 16 > "$dir/password"
  free_port > "$dir/port"
  [ "$(id -u)" = 0 ] && chown -R postgres: "$dir"
  as_pg "$PG_BIN/initdb" -D "$dir/pgdata" -U postgres --pwfile "$dir/password" --auth=scram-sha-256 -E UTF8 --locale=C >/dev/null
}

pg_start() {
  local dir=$1 extra=${2:-}
  as_pg "$PG_BIN/pg_ctl" -D "$dir/pgdata" -l "$dir/postgres.log" -w -t 60 \
    -o "-p $(cat "$dir/port") -c listen_addresses=127.0.0.1 -c unix_socket_directories='' $extra" start >/dev/null
}

pg_stop() { as_pg "$PG_BIN/pg_ctl" -D "$1/pgdata" -m "${2:-fast}" -w stop >/dev/null; }

pg_url() { echo "postgresql://postgres:$(cat "$1/password")@127.0.0.1:$(cat "$1/port")/${2:-postgres}"; }

pg_psql() { local dir=$1; shift; PGPASSWORD=$(cat "$dir/password") psql -h 127.0.0.1 -p "$(cat "$dir/port")" -U postgres -v ON_ERROR_STOP=1 -qAt "$@"; }

# app_publish OUT: the service built in Release, once.
app_publish() { dotnet publish "$(git rev-parse --show-toplevel)/src/Social.Api" -c Release -o "$1" --nologo -v quiet >/dev/null; }

# app_start DLL URL LOG [VAR=value ...]: starts the service in the background, sets APP_PID, waits until ready.
app_start() {
  local dll=$1 url=$2 log=$3; shift 3
  env "$@" dotnet "$dll" --urls "$url" >"$log" 2>&1 &
  APP_PID=$!
  for _ in $(seq 1 300); do
    curl -sf "$url/health/ready" >/dev/null && return 0
    kill -0 "$APP_PID" 2>/dev/null || { echo "the service exited:"; tail -20 "$log"; return 1; }
    sleep 0.1
  done
  echo "the service did not become ready"; tail -20 "$log"; return 1
}

app_stop() { [ -n "${APP_PID:-}" ] && kill -TERM "$APP_PID" 2>/dev/null && wait "$APP_PID" 2>/dev/null; APP_PID=; }

rss_kib() { awk '/VmHWM/ {print $2}' "/proc/$1/status"; }
