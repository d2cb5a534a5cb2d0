# Sourced by bench/run (its variables PG, URL, TOKEN, SECRET, WORK, USERS, POSTS, SKIP, CURSOR_PATH): captures,
# from PostgreSQL's statement log, the SQL the service sends for each request, as pgbench scripts
# WORK/LABEL.sql with their random ranges in WORK/LABEL.defines (LABEL.nosql: none in the common case).

say "capturing the SQL the service sends for each request"
pg_psql "$PG" -c "ALTER SYSTEM SET log_min_duration_statement = 0" -c "SELECT pg_reload_conf()" >/dev/null
capture() { # label, then the request as curl arguments
  # Sent twice. The second is the common case: its SQL is the ceiling. When it sent none (answered
  # from memory), the first one's SQL (a cache miss) is still measured, and reported as such.
  local label=$1; shift
  local first; first=$(stat -c %s "$PG/postgres.log")
  curl -s -o /dev/null -H "Authorization: Bearer $TOKEN" "$@"
  sleep 0.3
  local offset; offset=$(stat -c %s "$PG/postgres.log")
  curl -s -o /dev/null -H "Authorization: Bearer $TOKEN" "$@"
  sleep 0.5
  local rc=0
  bench/capture_sql.py "$PG/postgres.log" "$offset" social-api "$WORK/$label.sql" "${RANDOMISE[@]}" > "$WORK/$label.defines" 2>/dev/null || rc=$?
  case $rc in
    0) ;;
    3) touch "$WORK/$label.nosql"; echo "  $label: no SQL in the common case (answered from memory)"
       bench/capture_sql.py "$PG/postgres.log" "$first" social-api "$WORK/$label.sql" "${RANDOMISE[@]}" > "$WORK/$label.defines" 2>/dev/null \
         || rm -f "$WORK/$label.sql" "$WORK/$label.defines" ;;
    *) echo "capturing the SQL of $label failed"; exit 1 ;;
  esac
}
# The token's user is looked up once; that lookup must not count as a page's SQL.
curl -s -o /dev/null -H "Authorization: Bearer $TOKEN" "$URL/posts/1"
RANDOMISE=(); capture list "$URL/posts/"
RANDOMISE=(); capture search "$URL/posts/?search=needle"
RANDOMISE=(); capture skip "$URL/posts/?skip=$SKIP"
for sort in new top hot; do RANDOMISE=(); capture $sort "$URL/posts/?sort=$sort"; done
RANDOMISE=(); capture top_week "$URL/posts/?sort=top&t=week"
RANDOMISE=(); capture cursor "$URL$CURSOR_PATH"
RANDOMISE=("77=random(1, $POSTS)"); capture post "$URL/posts/77"
RANDOMISE=("77=random(1, $USERS)"); capture user "$URL/users/77"
RANDOMISE=(); capture create -H 'Content-Type: application/json' -d '{"title": "load test title", "content": "load test content lorem ipsum dolor sit amet", "published": true}' "$URL/posts/"
# A vote and its removal by a spare user, with distinctive ids to randomise.
VOTER=$(bench/mint_tokens.py "$SECRET" $((USERS + 42)) $((USERS + 42)))
offset=$(stat -c %s "$PG/postgres.log")
for dir in 1 0; do curl -s -o /dev/null -H "Authorization: Bearer $VOTER" -H 'Content-Type: application/json' -d "{\"post_id\": 4242, \"dir\": $dir}" "$URL/vote/"; done
for dir in 1 0; do curl -s -o /dev/null -H "Authorization: Bearer $VOTER" -H 'Content-Type: application/json' -d "{\"post_id\": 4242, \"dir\": $dir}" "$URL/vote/"; done
sleep 0.5
log_offset=$offset
# keep only the second pair (the first warmed the caches)
offset2=$(grep -b -n "" "$PG/postgres.log" | awk -F: -v o=$log_offset '$2 >= o && /execute/ && /INSERT INTO votes/ {print $2}' | sed -n 2p)
bench/capture_sql.py "$PG/postgres.log" "$offset2" social-api "$WORK/vote.sql" "4242=random(1, $POSTS)" "$((USERS + 42))=random($((USERS + 1)), $((USERS + 100)))" > "$WORK/vote.defines"
pg_psql "$PG" -c "ALTER SYSTEM RESET log_min_duration_statement" -c "SELECT pg_reload_conf()" >/dev/null
cp bench/pgbench/best_list.sql "$WORK/best_list.sql"; : > "$WORK/best_list.defines"
