"""Benchmark: a full advies per public example, durable-rules vs the plain-Python oracle.

    python bench/bench.py [--runs 2000] [--write docs/performance.md]

Both backends are measured in the same run, interleaved per example, after a warm-up (the
ruleset of each peildatum regime is compiled on first use, never per request). A "full advies"
is what the service stores: validation of the casus, evaluation of every effect, the canonical
trace and its hash.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import os
import platform
import statistics
import sys
import time
from pathlib import Path
from typing import Any

from engine import Engine

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT.parent / "shared" / "examples"
if not EXAMPLES.is_dir():
    EXAMPLES = ROOT / "examples"


def measure(eng: Engine, data: dict[str, Any], runs: int) -> tuple[list[float], int]:
    times = []
    firings = 0
    for _ in range(runs):
        t0 = time.perf_counter_ns()
        receipt = eng.advies(data)
        times.append((time.perf_counter_ns() - t0) / 1000)
        firings = receipt.firings
    return times, firings


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def load_example(eng: Engine, path: Path) -> dict[str, Any]:
    casus = eng.casus_file(path)
    return casus.model_dump(mode="json", exclude_none=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=2000)
    parser.add_argument("--write", type=Path)
    parser.add_argument("--notes", type=Path, help="text appended to the written report")
    args = parser.parse_args()
    durable = Engine.load()
    oracle = durable.with_backend("oracle")
    # As the service does after start-up: the long-lived rule objects leave the cyclic GC's
    # young generations, so a collection no longer walks them (p99 14 ms -> 5 ms here).
    gc.freeze()
    from scaling import casus_with  # same folder: the generated large casus

    cases = [(p.stem, load_example(durable, p)) for p in sorted(EXAMPLES.glob("*.yaml"))]
    cases.append(("gegenereerd: huishouden van zes, tien effecten", casus_with(10)))
    rows = []
    for name, data in cases:
        measure(durable, data, 50)
        measure(oracle, data, 50)
        d_times: list[float] = []
        o_times: list[float] = []
        firings = 0
        for _ in range(10):  # interleave so both see the same machine state
            t, firings = measure(durable, data, args.runs // 10)
            d_times += t
            o_times += measure(oracle, data, args.runs // 10)[0]
        n_eff = len(data["gewenste_effecten"])
        rows.append((name, n_eff, firings, pct(d_times, .5), pct(d_times, .99),
                     pct(o_times, .5), pct(o_times, .99),
                     statistics.median(d_times) / statistics.median(o_times)))
    regime = durable.rules.regime(dt.date(2026, 11, 2))
    n_rules = regime.backend_state.get("durable_rules", "?")
    header = (f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python "
              f"{platform.python_version()}, {platform.system()}; {args.runs} runs per backend "
              f"per example; {len(regime.instrumenten)} instruments, "
              f"{len(regime.leaves.leaves)} distinct comparisons, {n_rules} durable-rules rules "
              f"in the 2026-11-02 regime.")
    lines = [
        "| example | effecten | firings | durable p50 µs | durable p99 µs | oracle p50 µs "
        "| oracle p99 µs | durable / oracle (p50) |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for name, n_eff, firings, dp50, dp99, op50, op99, ratio in rows:
        lines.append(f"| {name} | {n_eff} | {firings} | {dp50:.0f} | {dp99:.0f} | {op50:.0f} | "
                     f"{op99:.0f} | {ratio:.2f}× |")
    table = "\n".join(lines)
    print(header)
    print(table)
    if args.write:
        stamp = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
        args.write.write_text(
            "# Performance\n\n"
            f"Made by `make bench` (`python bench/bench.py --write docs/performance.md`) on "
            f"{stamp}.\n\n{header}\n\n{table}\n\n"
            "Aim (issue 3): p50 ≤ 2 ms for the largest public example and ≤ 5× the oracle.\n"
            + (args.notes.read_text(encoding="utf-8") if args.notes else ""),
            encoding="utf-8")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
