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
    python scripts/mutatie_score.py --steekproef 400 --te-doen # the sample's names not yet run

Modules whose mutants have all run (`mutmut run "engine.compare*"`) are counted exactly; the
sample estimates the rest (`stratified`), so running the quick modules completely narrows the
interval and spares the sample their mutants.
    python scripts/mutatie_score.py --bewaar docs/mutatie-resultaten.json   # keep the results
    python scripts/mutatie_score.py --herstel docs/mutatie-resultaten.json  # before a run

mutmut re-runs every mutant named on its command line, so a resumed sample names only the
mutants without a result (`--te-doen`). The results live in `mutants/`, which a new checkout
does not have: `--bewaar` writes each mutant's exit code and each function's source hash to one
JSON file in the repository, and `--herstel` puts them back before mutmut generates the mutants;
mutmut then keeps the result of every function whose hash is unchanged and runs the rest again.

A whole run of engine/ (10,000 mutants) takes more than ten hours on two cores; a simple random
sample (fixed seed, so anyone draws the same mutants) estimates the score of the whole with a 95 %
Wilson interval. `make mutatie-steekproef` draws it, runs it and prints the estimate.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
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
    """A simple random sample of the mutants: the `size` with the smallest SHA-256 of seed and name.

    Ranking by a hash of each name is a random permutation like any other, but a stable one: a
    change to one function adds or removes only its own mutants, and the rest of the sample (and
    their stored results) stays as it was, so a run resumes across sessions and code changes.
    """
    def rank(row: tuple[str, str]) -> str:
        return hashlib.sha256(f"{seed}:{row[0]}".encode()).hexdigest()

    return sorted(sorted(rows, key=rank)[:size])


def bewaar(mutants: Path, target: Path) -> int:
    """The results of mutmut's `.meta` files (exit codes, function hashes), one JSON file."""
    kept: dict[str, dict[str, dict[str, object]]] = {}
    for meta in sorted(mutants.rglob("*.py.meta")):
        data = json.loads(meta.read_text())
        kept[meta.relative_to(mutants).as_posix()] = {
            # the unrun too (null): a restored module then still shows it is incomplete
            "exit_code_by_key": dict(sorted(data["exit_code_by_key"].items())),
            "hash_by_function_name": dict(sorted(data["hash_by_function_name"].items())),
        }
    target.write_text(json.dumps(kept, indent=0, sort_keys=True) + "\n")
    return sum(1 for v in kept.values() for code in v["exit_code_by_key"].values()
               if code is not None)


def herstel(source: Path, mutants: Path) -> int:
    """Puts kept results back as mutmut's `.meta` files; mutmut re-checks every hash itself."""
    kept = json.loads(source.read_text())
    for name, data in kept.items():
        meta = mutants / name
        meta.parent.mkdir(parents=True, exist_ok=True)
        meta.write_text(json.dumps({**data, "type_check_error_by_key": {},
                                    "durations_by_key": {}, "estimated_durations_by_key": {}}))
    return sum(1 for v in kept.values() for code in v["exit_code_by_key"].values()
               if code is not None)


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


def complete_modules(rows: list[tuple[str, str]]) -> set[str]:
    """The modules every mutant of which has a result: their score is counted, not estimated."""
    by_module: dict[str, list[str]] = defaultdict(list)
    for key, status in rows:
        by_module[module_of(key)].append(status)
    return {m for m, statuses in by_module.items() if not any(s in NOT_RUN for s in statuses)}


def stratified(rows: list[tuple[str, str]], drawn: list[tuple[str, str]]) -> str:
    """The score of engine/ from two strata: the modules run completely (counted exactly) and
    the rest, estimated from the sample's mutants in the rest (a simple random sample of all
    mutants restricted to a stratum is a simple random sample of that stratum). The interval is
    the rest's Wilson interval scaled by the rest's share; exact modules add no uncertainty."""
    complete = complete_modules(rows)
    exact = [s for k, s in rows if module_of(k) in complete]
    exact_caught = sum(1 for s in exact if s in CAUGHT)
    rest_total = len(rows) - len(exact)
    sampled = [s for k, s in drawn if module_of(k) not in complete and s not in NOT_RUN]
    head = (f"stratified: {len(complete)} modules run completely ({len(exact)} mutants, "
            f"{exact_caught} caught), the other {rest_total} mutants estimated from "
            f"{len(sampled)} of the sample")
    if rest_total and not sampled:
        return head + "\nscore: not yet estimable (no sampled mutant of the rest has run)"
    caught = sum(1 for s in sampled if s in CAUGHT)
    low, high = wilson(caught, len(sampled)) if sampled else (1.0, 1.0)
    p = caught / len(sampled) if sampled else 1.0
    total = len(rows)

    def share(q: float) -> float:
        return 100 * (exact_caught + rest_total * q) / total

    return (f"{head}\nscore {share(p):.1f} % (95 % interval {share(low):.1f}–{share(high):.1f} %)"
            f"\n" + "\n".join(row(m, Counter(s for k, s in rows if module_of(k) == m))
                               for m in sorted(complete)))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--survivors", metavar="MODULE", help="list what survived in MODULE")
    parser.add_argument("--steekproef", type=int, metavar="N", help="a random sample of N")
    parser.add_argument("--seed", type=int, default=20261204, help="the sample's seed")
    parser.add_argument("--namen", action="store_true", help="print the sample's mutant names")
    parser.add_argument("--te-doen", action="store_true",
                        help="print the names of the sample's mutants that have no result yet")
    parser.add_argument("--bewaar", type=Path, metavar="JSON", help="keep mutants/ results here")
    parser.add_argument("--herstel", type=Path, metavar="JSON", help="restore kept results")
    args = parser.parse_args()
    if args.herstel:
        if not args.herstel.exists():
            print(f"{args.herstel}: no kept results, starting afresh", file=sys.stderr)
            return 0
        print(f"restored {herstel(args.herstel, Path('mutants'))} results from {args.herstel}")
        return 0
    if args.bewaar:
        print(f"kept {bewaar(Path('mutants'), args.bewaar)} results in {args.bewaar}")
        return 0
    mutmut = str(Path(sys.executable).with_name("mutmut"))
    rows = read(mutmut)
    if not rows:
        print("no mutmut results: run `make mutatie` first", file=sys.stderr)
        return 1
    if args.steekproef:
        drawn = sample(rows, args.steekproef, args.seed)
        if args.te_doen:  # a module run completely needs no sample
            complete = complete_modules(rows)
            print("\n".join(k for k, status in drawn
                            if status in NOT_RUN and module_of(k) not in complete))
        elif args.namen:
            print("\n".join(k for k, _ in drawn))
        else:
            print(estimate(drawn))
            print(stratified(rows, drawn))
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
