"""bench/README.md's figures from bench/results.json: the machine, one table per part with each target and by
how much it is met or missed. Written between the README's ``results`` markers; the text around them (why a
target is missed) is written by hand."""

from __future__ import annotations

from pathlib import Path

README = Path(__file__).resolve().parent / "README.md"
START, END = "<!-- results:start (bench/report.py writes this part) -->", "<!-- results:end -->"
TARGET_RATIO = 5.0
TARGET_LIST_P95_MS = 150.0
TARGET_BULK_RPS = 2000
TARGET_LOAD_P95_MS = 300.0


def _rows(headers: list[str], rows: list[list]) -> list[str]:
    return [
        "| " + " | ".join(headers) + " |",
        "|" + "|".join("---" for _ in headers) + "|",
        *("| " + " | ".join(str(x) for x in row) + " |" for row in rows),
    ]


def _verdict(ok: bool, detail: str) -> str:
    return ("met" if ok else "**missed**") + (f" ({detail})" if detail else "")


def table(results: dict) -> str:
    lines: list[str] = []
    measured = results.get("measured", {})

    def when(part: str) -> list[str]:
        return [f"Measured {measured[part]}.", ""] if part in measured else []

    m, run = results.get("machine", {}), results.get("run", {})
    lines += [
        f"Last run {run.get('date')} at commit `{run.get('git')}` ({run.get('wall_s')} s in all) on: "
        f"{m.get('cpu')}, {m.get('cores')} cores, {m.get('ram_gb')} GB RAM, {m.get('os')} (kernel {m.get('kernel')}), "
        f"Python {m.get('python')}, SQLite {m.get('sqlite')}, {m.get('postgresql')}, {m.get('redis')}, "
        f"{m.get('haproxy')}; load average at the start {m.get('load_average_at_start')}.",
        "",
    ]
    if "transition" in results:
        lines += ["### Transition against the floor (target: at most 5x)", "", *when("transition")]
        rows = []
        for t in results["transition"].values():
            ratio = t["ratio"]
            rows.append(
                [
                    t["database"],
                    t["floor_ms_p50"],
                    t["transition_ms_p50"],
                    f"{ratio}x",
                    t["statements_per_transition"],
                    t["floor_statements"],
                    _verdict(
                        ratio <= TARGET_RATIO,
                        "" if ratio <= TARGET_RATIO else f"{ratio / TARGET_RATIO:.2f}x the target",
                    ),
                ]
            )
        headers = ["database", "floor p50 ms", "transition p50 ms", "ratio", "statements", "floor statements", "target"]
        lines += [*_rows(headers, rows), ""]
    if "pages" in results:
        pages = results["pages"]
        lines += [
            f"### Lists at {pages['reviews']} reviews on PostgreSQL (target: p95 at most 150 ms, constant queries)",
            "",
            *when("pages"),
        ]
        rows = []
        for r in pages["rows"]:
            ok = r["p95_ms"] <= TARGET_LIST_P95_MS
            trivial = r["page"].startswith("trivial")
            rows.append(
                [
                    r["person"],
                    r["page"],
                    r["status"],
                    r["p50_ms"],
                    r["p95_ms"],
                    r["queries"],
                    "(reference)"
                    if trivial
                    else _verdict(ok, "" if ok else f"+{r['p95_ms'] - TARGET_LIST_P95_MS:.0f} ms"),
                ]
            )
        lines += [*_rows(["person", "page", "status", "p50 ms", "p95 ms", "queries", "p95 target"], rows), ""]
    if "bulk" in results:
        bulk = results["bulk"]
        lines += [
            f"### Bulk compliance audit over {bulk['reviews']} reviews, SQLite (target: at least 2,000 reviews/s)",
            "",
            *when("bulk"),
        ]
        rows = [
            [
                r["scope"],
                r["reviews"],
                r["format"],
                r["seconds"],
                r["reviews_per_s"],
                r["queries"],
                r["output_mb"],
                _verdict(r["reviews_per_s"] >= TARGET_BULK_RPS, "") if r["scope"] == "city" else "(small scope)",
            ]
            for r in bulk["runs"]
        ]
        lines += [*_rows(["scope", "reviews", "format", "s", "reviews/s", "queries", "output MB", "target"], rows), ""]
        memory = bulk["memory"]
        lines += [
            "Peak Python memory (tracemalloc, CSV): "
            + ", ".join(f"{r['peak_mb']} MB for {r['reviews']} reviews" for r in memory)
            + f"; peak RSS of the process {bulk['peak_rss_mb']} MB.",
            "",
        ]
    if "load" in results:
        lines += _load(results["load"], when("load"))
    return "\n".join(lines).rstrip() + "\n"


def _load(load: dict, measured: list[str]) -> list[str]:
    """The load run: the steady state against the target, the logins of the ramp-up apart, the failures."""
    total = load["total"]
    ok = total["errors"] == 0 and total["p95_ms"] <= TARGET_LOAD_P95_MS
    logins = load.get("logins")
    lines = [
        f"### Load: {load['users']} users against the scaled mode ({load['gunicorn']}; target: 0 errors, "
        "p95 at most 300 ms)",
        "",
        *measured,
    ]
    if logins:
        think = load.get("think_time_s", [3, 10])
        personas = ", ".join(f"{n} {kind}" for kind, n in sorted(load.get("personas", {}).items()))
        average = load.get("load_average", {})
        lines += [
            f"People log in once, arriving {load.get('spawn_rate')} a second ({logins['ramp_s']} s until the last "
            f"login answered), then work with {think[0]}-{think[1]} s of think time between actions; the table is "
            f"{logins['steady_s']} s of that work (locust's statistics reset after the last login). People: "
            f"{personas}. Load average before {average.get('before')}, after {average.get('after')}.",
            "",
        ]
    rows = [
        [name, f["requests"], f["errors"], f["rps"], f["p50_ms"], f["p95_ms"]]
        for name, f in sorted(load["by_request"].items())
    ]
    rows.append(["**all**", total["requests"], total["errors"], total["rps"], total["p50_ms"], total["p95_ms"]])
    lines += [*_rows(["request", "requests", "errors", "req/s", "p50 ms", "p95 ms"], rows), ""]
    detail = [] if total["errors"] == 0 else [f"{total['errors']} errors"]
    if total["p95_ms"] > TARGET_LOAD_P95_MS:
        detail.append(f"p95 +{total['p95_ms'] - TARGET_LOAD_P95_MS:.0f} ms")
    lines += [f"Target: {_verdict(ok, ', '.join(detail))}.", ""]
    for failure in load.get("failures", [])[:10]:
        lines.append(f"* {failure['count']} x {failure['request']}: {failure['error']}")
    if load.get("failures"):
        lines.append("")
    if logins:
        rows = [
            [name, f["requests"], f["errors"], f["p50_ms"], f["p95_ms"], f["max_ms"]]
            for name, f in sorted(logins["by_request"].items())
        ]
        lines += [
            "Logins of the ramp-up (not in the figures above):",
            "",
            *_rows(["request", "requests", "errors", "p50 ms", "p95 ms", "max ms"], rows),
            "",
        ]
        for name, f in sorted(logins["by_request"].items()):
            lines += [f"* {name}: {error}" for error in f["first_errors"]]
    return lines


def write(results: dict) -> None:
    text = README.read_text() if README.exists() else f"# Benchmarks\n\n{START}\n{END}\n"
    if START not in text:
        text += f"\n{START}\n{END}\n"
    head, rest = text.split(START, 1)
    tail = rest.split(END, 1)[1]
    README.write_text(f"{head}{START}\n{table(results)}{END}{tail}")
