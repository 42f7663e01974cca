"""Mutation score of engine/ per module, from mutmut's stored results (`make mutatie`).

mutmut prints one line per mutant (`mutmut results --all true`); this groups them by module and
counts. A mutant counts as caught when a test failed on it (`killed`) or it ran into the time
limit (`timeout`, an endless loop is a failure a user would see); everything else that ran
(`survived`, `no tests`, `suspicious`, `segfault`) counts against the score. `not checked`
(the run was stopped early) is reported separately and left out of the score, so a partial run
says how much it covered instead of pretending to be complete.

    python scripts/mutatie_score.py            # the table, on stdout
    python scripts/mutatie_score.py --survivors engine.trace   # the surviving mutants of one module
"""

from __future__ import annotations

import argparse
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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--survivors", metavar="MODULE", help="list what survived in MODULE")
    args = parser.parse_args()
    mutmut = str(Path(sys.executable).with_name("mutmut"))
    rows = read(mutmut)
    if not rows:
        print("no mutmut results: run `make mutatie` first", file=sys.stderr)
        return 1
    if args.survivors:
        for key, status in rows:
            if module_of(key) == args.survivors and status not in CAUGHT | NOT_RUN:
                print(f"{status:10} {key}")
        return 0
    print(table(rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
