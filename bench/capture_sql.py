#!/usr/bin/env python3
"""Turn the statements one request made (PostgreSQL's log, log_min_duration_statement=0) into a
pgbench script that sends exactly the same SQL: the database ceiling of that request.

usage: capture_sql.py LOG OFFSET APP OUT.sql [VALUE=pgbench-expression ...]
  LOG, OFFSET  the server log and the byte offset where the request's statements start
  APP          application_name of the service's connections (log_line_prefix has '%a: ')
  VALUE=expr   parameters equal to VALUE become a variable set by the pgbench expression
               (e.g. 77='random(1, 100000)'), so each transaction asks for another row
Writes the script and prints the pgbench -D options for the remaining (literal) parameters.
Exit status 3: the request sent no SQL (nothing written)."""
import re, shlex, sys

log, offset, app, out = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
randomised = dict(arg.split("=", 1) for arg in sys.argv[5:])

with open(log, "rb") as f:
    f.seek(offset)
    text = f.read().decode("utf-8", "replace")

# Entries start with a timestamp; continuation lines start with a tab.
entries, current = [], None
for line in text.splitlines():
    if re.match(r"^\d{4}-\d\d-\d\d ", line):
        current = [line]; entries.append(current)
    elif current is not None:
        current.append(line[1:] if line.startswith("\t") else line)

statements = []  # (sql, {n: value})
for i, entry in enumerate(entries):
    head = entry[0]
    m = re.search(r"\] (?P<app>.*?): LOG:  duration: [\d.]+ ms  execute [^:]*: (?P<sql>.*)$", head)
    if not m or m.group("app") != app:
        continue
    # The listener's heartbeat (a NOTIFY through the pool four times a second) belongs to no request.
    if m.group("sql").startswith("SELECT pg_notify("):
        continue
    sql = "\n".join([m.group("sql")] + entry[1:])
    params = {}
    if i + 1 < len(entries) and "DETAIL:  parameters:" in entries[i + 1][0]:
        detail = "\n".join(entries[i + 1]).split("DETAIL:  parameters: ", 1)[1]
        for pm in re.finditer(r"\$(\d+) = (NULL|'((?:[^']|'')*)')", detail):
            params[int(pm.group(1))] = None if pm.group(2) == "NULL" else pm.group(3).replace("''", "'")
    statements.append((sql, params))

if not statements:
    # The request was answered without the database (e.g. from the known-users cache).
    print(f"no statements of {app} after offset {offset} in {log}", file=sys.stderr)
    sys.exit(3)

lines, defines, seen = [], {}, {}
for n, (sql, params) in enumerate(statements, 1):
    def variable(match):
        index = int(match.group(1))
        value = params[index]
        # A one-element array of ids (GET /posts/{id}: a batch of one request) is randomised as its id.
        array = re.fullmatch(r"\{(\d+)\}", value or "")
        key = array.group(1) if array else value
        if key in randomised:
            name = seen.setdefault(key, f"r{len(seen) + 1}")
            if f"\\set {name} " not in "\n".join(lines):
                lines.insert(0, f"\\set {name} {randomised[key]}")
            return f"ARRAY[:{name}::int]" if array else f":{name}"
        name = f"s{n}p{index}"
        defines[name] = value
        return f":{name}"
    body = re.sub(r"\$(\d+)", variable, sql).rstrip().rstrip(";")
    lines.append(body + ";")

with open(out, "w") as f:
    f.write(f"-- captured from the service's statements of one request ({len(statements)} statement(s))\n")
    f.write("\n".join(lines) + "\n")
print(" ".join(shlex.quote(f"-D{k}={v}") for k, v in defines.items()))
