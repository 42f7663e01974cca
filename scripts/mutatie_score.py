"""Mutation score of engine/ per module, from mutmut's stored results (`make mutatie`).

mutmut prints one line per mutant (`mutmut results --all true`); this groups them by module and
counts. A mutant counts as caught when a test failed on it (`killed`) or it ran into the time
limit (`timeout`, an endless loop is a failure a user would see); everything else that ran
(`survived`, `no tests`, `suspicious`, `segfault`) counts against the score. `not checked`
(the run was stopped early) is reported separately and left out of the score, so a partial run
says how much it covered instead of pretending to be complete.

    python scripts/mutatie_score.py            # the table, on stdout
    python scripts/mutatie_score.py --survivors engine.trace   # the surviving mutants of one module
    python scripts/mutatie_score.py --steekproef 400 --namen   # a seeded sample of mutant names
    python scripts/mutatie_score.py --steekproef 400           # the score over that sample

A whole run of engine/ (10,000 mutants) takes more than ten hours on two cores; a simple random
sample (fixed seed, so anyone draws the same mutants) estimates the score of the whole with a 95 %
Wilson interval. `make mutatie-steekproef` draws it, runs it and prints the estimate.
"""

from __future__ import annotations

import argparse
import math
import random
import re
import subprocess
import sys
from collections import Counter, defaultdict
from pathlib import Path

CAUGHT = {"killed", "timeout", "caught by type check"}
NOT_RUN = {"not checked", "skipped", "check was interrupted by user"}
LINE = re.compile(r"^\s*(?P<key>[\w.ǁ]+__mutmut_\d+): (?P<status>.+)$")


def module_of(key: str) -> str:
    """`engine.trace.x_canonical__mutmut_3` → `engine.trace`; methods are `xǁClassǁname`."""
    head = key.rsplit("__mutmut_", 1)[0]
    parts = head.split(".")
    return ".".join(p for p in parts[:-1])


def read(mutmut: str) -> list[tuple[str, str]]:
    out = subprocess.run([mutmut, "results", "--all", "true"], capture_output=True, text=True,
                         check=True).stdout
    rows = []
    for line in out.splitlines():
        m = LINE.match(line)
        if m:
            rows.append((m["key"], m["status"].strip()))
    return rows


def table(rows: list[tuple[str, str]]) -> str:
    by_module: dict[str, Counter[str]] = defaultdict(Counter)
    for key, status in rows:
        by_module[module_of(key)][status] += 1
    lines = ["| module | mutants | caught | survived | no tests | other | not run | score |",
             "|---|---:|---:|---:|---:|---:|---:|---:|"]
    total: Counter[str] = Counter()
    for module in sorted(by_module):
        c = by_module[module]
        total.update(c)
        lines.append(row(module, c))
    lines.append(row("**engine/**", total, bold=True))
    return "\n".join(lines)


def row(name: str, c: Counter[str], bold: bool = False) -> str:
    caught = sum(c[s] for s in CAUGHT)
    not_run = sum(c[s] for s in NOT_RUN)
    ran = sum(c.values()) - not_run
    other = ran - caught - c["survived"] - c["no tests"]
    score = f"{100 * caught / ran:.1f} %" if ran else "–"
    if bold:
        score = f"**{score}**"
    return (f"| {name} | {sum(c.values())} | {caught} | {c['survived']} | {c['no tests']} | "
            f"{other} | {not_run} | {score} |")


def sample(rows: list[tuple[str, str]], size: int, seed: int) -> list[tuple[str, str]]:
    """A simple random sample of the mutants, the same for the same mutants, size and seed."""
    ordered = sorted(rows)
    return random.Random(seed).sample(ordered, min(size, len(ordered)))


def wilson(caught: int, ran: int, z: float = 1.96) -> tuple[float, float]:
    """The 95 % Wilson score interval of a proportion (sound near 100 %, unlike p ± 2 se)."""
    if ran == 0:
        return (0.0, 1.0)
    p = caught / ran
    centre = (p + z * z / (2 * ran)) / (1 + z * z / ran)
    half = z * math.sqrt(p * (1 - p) / ran + z * z / (4 * ran * ran)) / (1 + z * z / ran)
    return (centre - half, centre + half)


def estimate(rows: list[tuple[str, str]]) -> str:
    ran_rows = [(k, s) for k, s in rows if s not in NOT_RUN]
    caught = sum(1 for _, s in ran_rows if s in CAUGHT)
    low, high = wilson(caught, len(ran_rows))
    left = len(rows) - len(ran_rows)
    head = (f"sample of {len(rows)} mutants: {len(ran_rows)} ran, {caught} caught"
            + (f", {left} not run yet" if left else ""))
    if not ran_rows:
        return head
    survivors = "\n".join(f"  {s:10} {k}" for k, s in ran_rows if s not in CAUGHT)
    return (f"{head}\nscore {100 * caught / len(ran_rows):.1f} % "
            f"(95 % interval {100 * low:.1f}–{100 * high:.1f} %)\n"
            + (f"not caught:\n{survivors}" if survivors else "not caught: none"))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--survivors", metavar="MODULE", help="list what survived in MODULE")
    parser.add_argument("--steekproef", type=int, metavar="N", help="a random sample of N")
    parser.add_argument("--seed", type=int, default=20261204, help="the sample's seed")
    parser.add_argument("--namen", action="store_true", help="print the sample's mutant names")
    args = parser.parse_args()
    mutmut = str(Path(sys.executable).with_name("mutmut"))
    rows = read(mutmut)
    if not rows:
        print("no mutmut results: run `make mutatie` first", file=sys.stderr)
        return 1
    if args.steekproef:
        drawn = sample(rows, args.steekproef, args.seed)
        print("\n".join(k for k, _ in drawn) if args.namen else estimate(drawn))
        return 0
    if args.survivors:
        for key, status in rows:
            if module_of(key) == args.survivors and status not in CAUGHT | NOT_RUN:
                print(f"{status:10} {key}")
        return 0
    print(table(rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
