"""The "Mixed workload" section of docs/benchmarks.md, from bench/run's WORK/mixed.tsv (one row per
run and blend, columns as bench/common.sh's MIXED_COLUMNS); used by bench/report.py."""
import statistics

BLEND = [
    "- 35 % `GET /posts/`, the first page (a quarter of them with `limit=20`);",
    "- 25 % `GET /posts/{id}`, the id uniform over the seeded posts;",
    "- 6 % `GET /posts/?skip=S`, pages 2 to 21 (S = 10 × k, k uniform in 1..20);",
    "- 1 % deep pages, `skip` uniform in 1000..20000;",
    "- 4 % searches, `search=` one of the words of the seeded titles (alpha … kappa, needle) or a title",
    "  prefix such as `title 12`;",
    "- 8 % `GET /users/{id}` (no token), the id uniform over the seeded users;",
    "- 14 % `POST /vote/`, half votes and half their removals: a vote by one of the 100 spare users (who",
    "  start with no votes) on a random post, and, once 64 more votes have been sent, its removal by the",
    "  same user, so nearly every answer is 201;",
    "- 7 % `POST /posts/` by a reader.",
]


def mixed_section(rows, meta, targets, pct):
    """Markdown lines; appends the mixed workload's targets to `targets`."""
    def med(blend, col):
        return statistics.median(float(r[col]) for r in rows if r["blend"] == blend)

    def total(blend, col):
        return sum(int(r[col]) for r in rows if r["blend"] == blend)

    lines = [
        "## Mixed workload",
        "",
        "Many users at once, each request drawn at random from a blend of the endpoints (`bench/wrk/mixed.lua`):",
        "500 readers (users 1 to 500, one token each) and 100 voters, on the data set above:",
        "",
        *BLEND,
        "",
        "That is 21 % writes. The **read-only blend** is the same without the two write classes (the reads in",
        f"the same proportions). wrk with {meta.get('mixed_threads', '1')} thread and {meta['connections']} connections: on two cores shared with the service",
        "and PostgreSQL, a second wrk thread showed no clear gain and takes CPU from them. Both blends run on the service that",
        f"served the rows above, after a warm-up: {meta['runs']} × {meta['seconds']} s of each, alternated. The figures are",
        "medians, the answers are summed over the runs. **CPU per request** is the CPU time (user + system,",
        "from /proc) the service's process and PostgreSQL (the postmaster and all its backends) used during",
        "the run, divided by the requests answered. The last 64 or so votes of a run (and of the `POST /vote/`",
        "rows) are never removed, wrk stopping first; a later run's vote can meet one of them (409), rarely",
        "but for the small data set of `--quick`: the few 4xx answers.",
        "",
        "| mixed workload | requests/s | p50 ms | p99 ms | answers 2xx / 3xx / 4xx / 5xx / socket errors | CPU µs/request: service | CPU µs/request: PostgreSQL |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for blend, title in (("mixed", "mixed blend (21 % writes)"), ("read", "read-only blend")):
        if not any(r["blend"] == blend for r in rows):
            continue
        answers = " / ".join(f"{total(blend, c):,}" for c in ("s2xx", "s3xx", "s4xx", "s5xx", "errors"))
        lines.append(f"| {title} | {med(blend, 'rps'):,.1f} | {med(blend, 'p50_ms'):.2f} | {med(blend, 'p99_ms'):.2f} "
                     f"| {answers} | {med(blend, 'service_us'):.0f} | {med(blend, 'postgres_us'):.0f} |")
    # Throughput compared run by run: each pair ran one right after the other.
    by_run = {}
    for r in rows:
        by_run.setdefault(r["run"], {})[r["blend"]] = float(r["rps"])
    ratios = [b["mixed"] / b["read"] for b in by_run.values() if b.get("read")]
    if ratios:
        ratio = statistics.median(ratios)
        lines += ["", "Mixed throughput against the read-only blend's, per run: " + ", ".join(pct(x) for x in ratios) + "."]
        targets.append(("mixed workload: throughput ≥ 50 % of the read-only blend's", ratio >= 0.5, pct(ratio)))
    p99 = med("mixed", "p99_ms")
    targets.append((f"mixed workload: p99 ≤ 25 ms at {meta['connections']} connections", p99 <= 25, f"{p99:.1f} ms"))
    errors = total("mixed", "s5xx")
    targets.append(("mixed workload: no 5xx answer", errors == 0, f"{errors:,}"))
    return lines + [""]
