"""The scale benchmark's Markdown tables: one per run, and one across runs (the README's)."""

from __future__ import annotations

from typing import Any


def _num(value: float, digits: int = 0) -> str:
    return f"{value:,.{digits}f}"


def run_table(r: dict[str, Any]) -> str:
    bare = r["bare"]
    build = r["build"]
    lines = [
        f"### {r['backend']}, {r['size']:,} claims",
        "",
        "| endpoint | req/s | p50 ms | p99 ms | req/s ÷ bare | p50 ÷ bare | p99 ÷ bare | one request alone, ms | body bytes |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
        f"| bare FastAPI endpoint (mean of before and after) | {_num(bare['rps'])} | {_num(bare['p50_ms'], 2)} | {_num(bare['p99_ms'], 2)}"
        f" | 1.000 | 1.0 | 1.0 | {_num(r['bare before']['alone_ms'], 1)} | 15 |",
    ]
    for e in r["endpoints"]:
        errors = f" ({e['errors']:,} errors)" if e["errors"] else ""
        if e["requests"]:
            latencies = (f"{_num(e['p50_ms'], 2)} | {_num(e['p99_ms'], 2)} | {e['rps'] / bare['rps']:.3f} | {e['p50_ms'] / bare['p50_ms']:.1f}"
                         f" | {e['p99_ms'] / bare['p99_ms']:.1f}")
        else:
            latencies = f"none completed in {r['duration']:g} s | — | 0 | — | —"
        lines.append(f"| {e['label']}{errors} | {_num(e['rps'], 1 if e['rps'] < 10 else 0)} | {latencies} | {_num(e['alone_ms'], 1)}"
                     f" | {_num(e['bytes'])} |")
    memory = r["memory"]
    seconds = build["seconds"]
    phases = ", ".join(f"{label.split(' (')[0]} {100 * s / seconds['build']:.0f}%" for label, s, _ in build["seed_phases"] if s >= 0.005 * seconds["build"])
    lines += ["", "| measure | value |", "|---|---|",
              f"| bare endpoint before / after | {_num(r['bare before']['rps'])} / {_num(r['bare after']['rps'])} req/s |",
              f"| server memory (RSS) at start, at end, peak | {memory_mb(memory['start'])}, {memory_mb(memory['end'])},"
              f" {memory_mb(memory['peak'])}" + (f" ({memory['restarts']} restarts after loads it did not finish)" if memory["restarts"] else "") + " |",
              f"| database size | {r['database bytes'] / 1e6:,.0f} MB |",
              f"| build: generate, check, build (migrations and seed) | {seconds['generate']:,.1f} s, {seconds['check']:,.1f} s,"
              f" {seconds['build']:,.1f} s{' (documents indexed)' if build.get('index_documents') else ''};"
              f" peak memory {build.get('peak_memory_bytes', 0) / 2**30:,.1f} GiB |",
              f"| where the build's time went | {phases} |"]
    for name, w in r["writes"]["operations"].items():
        lines.append(f"| {name}: p50, p99, max ({w['n']} requests) | {w['p50_ms']:,.1f} ms, {w['p99_ms']:,.1f} ms, {w['max_ms']:,.1f} ms |")
    if r["writes"]["failed"]:
        lines.append(f"| write failures | {r['writes']['failed']}: {r['writes']['failures'][0][:200]} |")
    h = r["healthz under search"]
    lines.append(f"| `/healthz` from 1 connection, p50 / p99: alone; while 8 connections search `egypt` ({_num(h['search']['rps'], 1)} searches/s)"
                 f" | {latency(h['healthz alone'])}; {latency(h['healthz while searching'])} |")
    if "healthz under fresh search" in r:
        h = r["healthz under fresh search"]
        lines.append(f"| the same with no search pages kept (`CLAIMS_SEARCH_CACHE_MB=0`; {_num(h['search']['rps'], 1)} searches/s)"
                     f" | {latency(h['healthz alone'])}; {latency(h['healthz while searching'])} |")
    m = r["mixed"]
    writes = m["writes"]
    lines.append(f"| mixed reads on 16 connections: alone; while one writer creates and deletes claims"
                 f" | {_num(m['reads alone']['rps'])} req/s, p50 / p99 {latency(m['reads alone'])};"
                 f" {_num(m['reads while writing']['rps'])} req/s, p50 / p99 {latency(m['reads while writing'])}"
                 + (f" (writes: {writes['n']}, p50 {writes['p50_ms']:,.1f} ms, p99 {writes['p99_ms']:,.1f} ms)" if writes else "") + " |")
    return "\n".join(lines)


def latency(load: dict[str, Any]) -> str:
    """p50 / p99 of a wrk run, or that no request completed (wrk then reports no latency)."""
    if not load["requests"]:
        return "no request completed"
    return f"{load['p50_ms']:,.2f} / {load['p99_ms']:,.2f} ms ({load['requests']:,} requests)"


def memory_mb(value: int) -> str:
    return f"{value / 2**20:,.0f} MiB"


def across_table(runs: list[dict[str, Any]]) -> str:
    """One row per endpoint, two columns per run: req/s (÷ bare) and p99 ms (÷ bare)."""
    head = "| endpoint | " + " | ".join(f"{r['backend']} {r['size']:,}: req/s (÷ bare) | p99 ms (÷ bare)" for r in runs) + " |"
    lines = [head, "|---|" + "---:|---:|" * len(runs)]
    labels = [e["label"] for e in runs[0]["endpoints"]]
    for i, label in enumerate(labels):
        cells = []
        for r in runs:
            e, bare = r["endpoints"][i], r["bare"]
            if e["requests"]:
                cells.append(f"{_num(e['rps'], 1 if e['rps'] < 10 else 0)} ({e['rps'] / bare['rps']:.3f})"
                             f" | {_num(e['p99_ms'], 1)} ({e['p99_ms'] / bare['p99_ms']:.1f})")
            else:
                cells.append(f"0 (none in {r['duration']:g} s) | one alone: {_num(e['alone_ms'])}")
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def profile_table(build: dict[str, Any]) -> str:
    """The build's sampling profile: the functions most often on the stack, then those most often running."""
    title = f"Sampling profile of the build ({build['profile_samples']:,} samples over {build.get('profile_cpu_seconds', 0):,.1f} s of CPU)"
    lines = [title, "", "| self % | total % | function |", "|---:|---:|---|"]
    for where, own, total in build["profile"]:
        lines.append(f"| {own:.1f} | {total:.1f} | `{where}` |" if total else f"| | | {where.strip('- ')} |")
    return "\n".join(lines)
