"""Memory over many evaluations: RSS at start (after warm-up), at the end, and the peak.

    python bench/memory.py [--n 100000]

Cycles through the public examples with the durable-rules backend. A leak in session handling
(the failure mode of durable-rules when sessions are not deleted) shows as steady growth.
"""

from __future__ import annotations

import argparse
import resource
import time
from pathlib import Path

from engine import Engine

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT.parent / "shared" / "examples"
if not EXAMPLES.is_dir():
    EXAMPLES = ROOT / "examples"


def rss_mib() -> float:
    with open("/proc/self/statm") as f:
        pages = int(f.read().split()[1])
    return pages * resource.getpagesize() / 2**20


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--write", type=Path)
    args = parser.parse_args()
    eng = Engine.load()
    cases = [eng.casus_file(p) for p in sorted(EXAMPLES.glob("*.yaml"))]
    for c in cases * 20:
        eng.advies(c)
    start = peak = rss_mib()
    t0 = time.perf_counter()
    for i in range(args.n):
        eng.advies(cases[i % len(cases)])
        if i % 1000 == 0:
            peak = max(peak, rss_mib())
    end = rss_mib()
    peak = max(peak, end)
    took = time.perf_counter() - t0
    line = (f"{args.n} evaluations in {took:.1f} s ({args.n / took:.0f}/s): RSS start "
            f"{start:.1f} MiB, end {end:.1f} MiB, peak {peak:.1f} MiB, growth "
            f"{end - start:+.1f} MiB")
    print(line)
    if args.write:
        with args.write.open("a", encoding="utf-8") as f:
            f.write(f"\n## Memory\n\nMade by `python bench/memory.py` (durable-rules backend, "
                    f"cycling through the six public examples): {line}.\n")


if __name__ == "__main__":
    main()
