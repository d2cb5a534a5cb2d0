#!/usr/bin/env python3
"""CPU time so far, in clock ticks (utime+stime, /proc), of the service's process and of PostgreSQL.
usage: cpu_ticks.py SERVICE_PID PGDATA   prints "SERVICE_TICKS POSTGRES_TICKS"
PostgreSQL's is the postmaster (first line of PGDATA/postmaster.pid) with its children that exited
(its cutime+cstime: it reaps them) and those alive now. So the difference of two samples counts a
backend that started between them from 0, and one that exited between them in full."""
import os, sys

def stat(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()  # after the command name, which may hold spaces
    except OSError:
        return None
    # fields[0] is field 3 (state): ppid is field 4, utime..cstime are fields 14..17
    return int(fields[1]), [int(x) for x in fields[11:15]]

service = stat(sys.argv[1])
if service is None:
    sys.exit(f"cpu_ticks.py: no process {sys.argv[1]}")
with open(os.path.join(sys.argv[2], "postmaster.pid")) as f:
    postmaster = int(f.readline())
_, (utime, stime, cutime, cstime) = stat(postmaster)
postgres = utime + stime + cutime + cstime
for pid in filter(str.isdigit, os.listdir("/proc")):
    s = stat(pid)
    if s and s[0] == postmaster:
        postgres += s[1][0] + s[1][1]
print(sum(service[1][:2]), postgres)
