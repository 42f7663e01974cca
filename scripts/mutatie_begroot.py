"""Run named mutants against a time-budgeted share of their tests; record only what is decided.

mutmut runs, per mutant, every selected test that covers the mutated function (fastest first,
stopping at the first failure). For the core of the engine that is the whole suite, about 2,550
CPU seconds, so every mutant no fast test kills costs three quarters of an hour on one core and
the seeded sample (`scripts/mutatie_score.py --steekproef 400`) could not finish in a session.

This script runs the same tests in the same order (by the durations of mutmut's own stats, in
`mutants/`, with `-x`), but only the fastest ones up to a budget of estimated seconds:

* a test fails: the mutant is **killed** (exit code 1 in mutmut's `.meta`), a verdict the full
  run would give too, since the full run runs these tests first;
* the run passes the budget's tests: nothing is decided. It is written as **survived** (exit
  code 0) only with `--overlevend-als-overleefd`, which makes the score a lower bound (a full
  run may still kill it); without the flag the mutant stays "not checked";
* the run exceeds its CPU-time limit (RLIMIT_CPU, like mutmut's SIGXCPU; not the wall clock, which
  a shared machine stretches): `timeout` (mutmut's 36), as mutmut counts an endless loop.

Unlike mutmut's fork server, each mutant runs in a fresh `python -m pytest` in `mutants/` with
`MUTANT_UNDER_TEST` set, so a mutated function called at import time is mutated too (mutmut
imports before it forks and so never sees those): a test module that fails to import under the
mutant is recorded as killed and counted apart ("killed at import"); any other pytest error is
left undecided. A function mutmut has no stats for (added since its last stats run) borrows the
tests of the function named by `--tests-van`, or is skipped.

    python scripts/mutatie_begroot.py --budget 150 --jobs 2 NAME...   # names as mutmut prints them
    python scripts/mutatie_score.py --steekproef 400 --te-doen \
      | xargs python scripts/mutatie_begroot.py

Run `scripts/mutatie_score.py --bewaar docs/mutatie-resultaten.json` afterwards to keep the results.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

MUTANTS = Path("mutants")
ARGS = ["-x", "-q", "-p", "no:randomly", "-p", "no:random-order", "-p", "no:cacheprovider",
        "--tb=no", "--rootdir=."]


def mangled(name: str) -> str:
    """`engine.casus.xǁCasusǁkind_van__mutmut_17` → the key of mutmut's stats."""
    return name.rsplit("__mutmut_", 1)[0]


def meta_path(name: str) -> Path:
    head = mangled(name)
    module = head.rsplit(".", 1)[0]
    return MUTANTS / (module.replace(".", "/") + ".py.meta")


def collected() -> set[str]:
    """The test ids pytest collects now in `mutants/`: mutmut's stats name YAML tests by file and
    line, so an edited YAML test file leaves ids in the stats that no longer exist (pytest stops
    with a usage error on one such id); those are dropped."""
    proc = subprocess.run([sys.executable, "-m", "pytest", "--collect-only", "-p", "no:randomly",
                           "tests/", "--ignore=tests/api", "--ignore=tests/web"],
                          cwd=MUTANTS, capture_output=True, text=True)
    return {line.strip() for line in proc.stdout.splitlines() if "::" in line}


def select(name: str, stats: dict[str, Any], budget: float, borrow: dict[str, str],
           present: set[str]) -> list[str]:
    """The covering tests that still exist, fastest first, up to `budget` estimated seconds."""
    tests = stats["tests_by_mangled_function_name"].get(mangled(name))
    if not tests and mangled(name) in borrow:
        tests = stats["tests_by_mangled_function_name"].get(borrow[mangled(name)])
    durations = stats["duration_by_test"]
    chosen: list[str] = []
    spent = 0.0
    alive = (t for t in tests or [] if t in present)
    for test in sorted(alive, key=lambda t: durations.get(t, 0.0)):
        cost = durations.get(test, 0.0)
        if chosen and spent + cost > budget:
            break
        chosen.append(test)
        spent += cost
    return chosen


def run_one(name: str, tests: list[str], limit: float) -> tuple[int | None, float]:
    """(exit code to record or None, seconds); 1 killed, 0 passed the budget, 36 timeout.

    The limit is CPU seconds (RLIMIT_CPU, as mutmut's SIGXCPU): on a shared machine a slow wall
    clock is no endless loop. A run that exceeds four times the limit in wall-clock time is
    stopped and left undecided."""
    env = dict(os.environ, MUTANT_UNDER_TEST=name)
    cpu = int(limit)

    def cap() -> None:
        resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 5))

    start = time.monotonic()
    try:
        proc = subprocess.run([sys.executable, "-m", "pytest", *ARGS, *tests], cwd=MUTANTS, env=env,
                              capture_output=True, text=True, timeout=4 * limit,
                              preexec_fn=cap)
    except subprocess.TimeoutExpired:
        return None, time.monotonic() - start
    seconds = time.monotonic() - start
    if proc.returncode in (-signal.SIGXCPU, -signal.SIGKILL, 128 + signal.SIGXCPU):
        return 36, seconds
    if proc.returncode == 1:
        return 1, seconds
    if proc.returncode == 0:
        return 0, seconds
    if proc.returncode in (2, 4) and "\nERROR tests/" in proc.stdout:
        # a test module fails to import under the mutant (it builds an Engine at import time,
        # which calls the mutated function): the suite fails on it, so the mutant is caught,
        # though mutmut, importing before it forks, would not see it (reported apart)
        return 2, seconds
    return None, seconds


def record(name: str, code: int) -> None:
    path = meta_path(name)
    data = json.loads(path.read_text())
    if name not in data["exit_code_by_key"]:
        raise SystemExit(f"{name}: not in {path}; regenerate mutants/ first")
    data["exit_code_by_key"][name] = code
    path.write_text(json.dumps(data, indent=4))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*")
    parser.add_argument("--budget", type=float, default=150.0,
                        help="estimated test seconds per mutant")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--overlevend-als-overleefd", action="store_true",
                        help="record a mutant that passes the budget's tests as survived "
                             "(a lower bound)")
    parser.add_argument("--ook", action="append", default=[], metavar="TEST",
                        help="tests to run first for every mutant (new tests mutmut's stats do "
                             "not know yet; copied into mutants/ by the caller)")
    parser.add_argument("--tests-van", action="append", default=[], metavar="NEW=OLD",
                        help="a function without stats borrows the tests of OLD (mangled names)")
    args = parser.parse_args()
    names = args.names or sys.stdin.read().split()
    stats = json.loads((MUTANTS / "mutmut-stats.json").read_text())
    borrow = dict(item.split("=", 1) for item in args.tests_van)
    present = collected()
    plan = [(n, args.ook + select(n, stats, args.budget, borrow, present)) for n in names]

    def job(item: tuple[str, list[str]]) -> tuple[str, int | None, float, int]:
        name, tests = item
        if not tests:
            return name, None, 0.0, 0
        code, seconds = run_one(name, tests, limit=max(600.0, 4 * args.budget))
        return name, code, seconds, len(tests)

    counts = {"killed": 0, "killed at import": 0, "timeout": 0, "passed the budget": 0,
              "undecided": 0}
    with ThreadPoolExecutor(max_workers=args.jobs) as pool:
        for name, code, seconds, n in pool.map(job, plan):
            verdict = {1: "killed", 2: "killed at import", 36: "timeout",
                       0: "passed the budget"}.get(code, "undecided")  # type: ignore[arg-type]
            counts[verdict] += 1
            if code in (1, 2, 36) or (code == 0 and args.overlevend_als_overleefd):
                record(name, 1 if code == 2 else code)
            print(f"{verdict:18} {seconds:6.0f} s {n:5} tests  {name}", flush=True)
    print(", ".join(f"{k}: {v}" for k, v in counts.items()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
