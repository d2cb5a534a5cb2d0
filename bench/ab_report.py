#!/usr/bin/env python3
"""bench/ab's Markdown table from its raw TSV (columns: round, variant, then bench/common.sh's
MIXED_COLUMNS): per variant the medians over rounds, and each round's requests/s against the first
variant's in that round. usage: ab_report.py TSV DESCRIPTION SPEC... (SPEC: NAME=APPDIR[,...])"""
import csv, statistics, sys

tsv, description, specs = sys.argv[1], sys.argv[2], sys.argv[3:]
rows = list(csv.DictReader(open(tsv), delimiter="\t"))
names = [s.split("=", 1)[0] for s in specs]
first = names[0]

def med(name, col):
    values = [float(r[col]) for r in rows if r["variant"] == name]
    return statistics.median(values) if values else float("nan")

rps = {(r["round"], r["variant"]): float(r["rps"]) for r in rows}
rounds = sorted({r["round"] for r in rows}, key=int)
print(f"bench/ab: {description}.")
print()
print("| variant | requests/s | p50 ms | p99 ms | 5xx per round (median; total) | CPU µs/request: service | CPU µs/request: PostgreSQL "
      f"| requests/s ÷ {first}'s, per round: median (min – max) |")
print("|---|---:|---:|---:|---:|---:|---:|---:|")
for name in names:
    ratios = [rps[(r, name)] / rps[(r, first)] for r in rounds if (r, name) in rps and rps.get((r, first))]
    total_5xx = sum(int(r["s5xx"]) for r in rows if r["variant"] == name)
    ratio = f"{statistics.median(ratios):.3f} ({min(ratios):.3f} – {max(ratios):.3f})" if ratios else "–"
    print(f"| {name} | {med(name, 'rps'):,.1f} | {med(name, 'p50_ms'):.2f} | {med(name, 'p99_ms'):.2f} "
          f"| {med(name, 's5xx'):.0f}; {total_5xx} | {med(name, 'service_us'):.0f} | {med(name, 'postgres_us'):.0f} | {ratio} |")
print()
for spec in specs:
    print(f"- `{spec}`")
