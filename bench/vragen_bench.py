"""Benchmark: the question ranking (`engine.rank_questions`, issue 14) per public example.

    python bench/vragen_bench.py [--runs 10] [--backend durable|oracle] [--straight] [NAME…]

Prints, per example, the median and spread of `rank_questions(engine, casus, base)` over
`--runs` runs after one warm-up (the regime is compiled and the base advies made beforehand,
as the service has them: it passes the stored receipt). `--straight` also gives the median of
the re-evaluation per answer (`fast=False`: the code before issue 14's fast path, a whole advies
of the waiting effects per answer), over a fifth of the runs. Figures, not a test: the issue's
goal is gezin-meervoudig <= 150 ms.
"""

from __future__ import annotations

import argparse
import functools
import inspect
import statistics
import time
from pathlib import Path
from typing import Any

from engine import Engine, rank_questions

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT.parent / "shared" / "examples"
if not EXAMPLES.is_dir():
    EXAMPLES = ROOT / "examples"


def timed(runs: int, call: Any) -> tuple[list[float], Any]:
    call()  # warm-up
    times = []
    result = None
    for _ in range(runs):
        t0 = time.perf_counter()
        result = call()
        times.append((time.perf_counter() - t0) * 1000)
    return times, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--backend", choices=["durable", "oracle"], default="durable")
    parser.add_argument("--straight", action="store_true",
                        help="also time the re-evaluation per answer (fast=False)")
    parser.add_argument("examples", nargs="*", help="example names (default: all)")
    args = parser.parse_args()
    eng = Engine.load(backend=args.backend)
    names = args.examples or sorted(p.stem for p in EXAMPLES.glob("*.yaml"))
    has_fast = "fast" in inspect.signature(rank_questions).parameters
    print(f"rank_questions, backend {args.backend}, median of {args.runs} runs (ms)")
    print(f"{'voorbeeld':28} {'vragen':>6} {'antw.':>6} {'mediaan':>8} {'min':>7} {'max':>7}"
          + (f" {'fast=False':>10}" if args.straight else ""))
    for name in names:
        casus = eng.casus_file(EXAMPLES / f"{name}.yaml")
        base = eng.advies(casus)
        times, ranked = timed(args.runs, functools.partial(rank_questions, eng, casus, base))
        row = (f"{name:28} {len(ranked):6d} {sum(len(q.antwoorden) for q in ranked):6d} "
               f"{statistics.median(times):8.1f} {min(times):7.1f} {max(times):7.1f}")
        if args.straight:
            kwargs: dict[str, Any] = {"fast": False} if has_fast else {}
            plain, _ = timed(max(1, args.runs // 5),
                             functools.partial(rank_questions, eng, casus, base, **kwargs))
            row += f" {statistics.median(plain):10.1f}"
        print(row)


if __name__ == "__main__":
    main()
