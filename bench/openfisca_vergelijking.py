"""Against the field: OpenFisca and this engine, side by side in one run (issue 13).

    python bench/openfisca_vergelijking.py [--runs 1000] [--rounds 10] [--write docs/performance.md]

Issue 13's targets: OpenFisca-Core with its country template, computing six variables for one
household, is the yardstick; the scootmobiel advies (one effect, every instrument of four laws)
should take no longer, and gezin-meervoudig (four effects) at most twice as long.

OpenFisca (numpy and friends) is never a dependency of the project: on first use it is
installed, at pinned versions, in its own virtual environment under `.bench/openfisca/`. Each
side runs in its own worker process and both speak the protocol of `bench/worker.py` (one JSON
line in, one out), so both pay the same IPC, and they are asked in turn, in interleaved rounds,
so both see the same machine state:

* this checkout: `bench/worker.py`, a full advies as the service stores it (validation, every
  effect, the canonical trace and its hash) for the public examples scootmobiel and
  gezin-meervoudig;
* OpenFisca: this file with `--worker`, in the OpenFisca environment: per run, build the
  simulation from the household's situation (`SimulationBuilder().build_from_entities`) and
  calculate the six variables.

Both workers load their rules once and then call `gc.freeze()`, as the service does.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import IO, Any

HERE = Path(__file__).resolve()
ROOT = HERE.parent.parent
SECTION = "## Against the field: OpenFisca"
PINS = ("openfisca-core==46.0.1", "openfisca-country-template==8.2.0")
EXAMPLES = ("scootmobiel", "gezin-meervoudig")
TARGETS = {"scootmobiel": 1.0, "gezin-meervoudig": 2.0}
"""At most this many times OpenFisca's median (issue 13)."""

PERIOD = "2016-11"
VARIABLES = ("income_tax", "social_security_contribution", "basic_income", "housing_allowance",
             "disposable_income", "total_taxes")
HOUSEHOLD: dict[str, Any] = {
    "persons": {
        "Alicia": {"birth": {"ETERNITY": "1980-01-01"}, "salary": {PERIOD: 4000}},
        "Javier": {"birth": {"ETERNITY": "1984-01-01"}, "salary": {PERIOD: 2500}},
    },
    "households": {"_": {"adults": ["Alicia", "Javier"], "rent": {PERIOD: 1100}}},
}
"""The country template's `situation_examples.couple` (two adults, their salaries), in the last
month in which `housing_allowance` still applies (it ended on 2016-11-30), with a rent so that
its formula has something to compute."""


# ── The OpenFisca side (runs in .bench/openfisca/venv, imports nothing of the project) ─────

def serve(lines: Iterable[str], out: IO[str], compute: Callable[[dict[str, Any]], Any]) -> None:
    """The worker protocol of `bench/worker.py`, for any computation:
        {"casus": {...}, "runs": 200}  ->  {"us": [...], "bytes": n, "waarden": {...}}
        {"casus": {...}, "runs": 0}    ->  {"us": [], ...}   (checks and warms up)
    `bytes` and `waarden` are the JSON of the last result; an error is answered as
    {"fout": "..."} and the worker goes on."""
    for line in lines:
        request: dict[str, Any] = json.loads(line)
        try:
            times: list[float] = []
            result: Any = None
            for _ in range(max(1, int(request["runs"]))):
                t0 = time.perf_counter_ns()
                result = compute(request["casus"])
                times.append((time.perf_counter_ns() - t0) / 1000)
            text = json.dumps(result, sort_keys=True)
            answer: dict[str, Any] = {"us": times if request["runs"] else [],
                                      "bytes": len(text.encode("utf-8")), "waarden": result}
        except Exception as exc:  # reported to the driver, which stops
            answer = {"fout": f"{type(exc).__name__}: {exc}"[:500]}
        out.write(json.dumps(answer) + "\n")
        out.flush()


def openfisca_worker() -> None:
    import gc

    from openfisca_core.simulations import SimulationBuilder  # type: ignore[import-not-found]
    from openfisca_country_template import (  # type: ignore[import-not-found]
        CountryTaxBenefitSystem,
    )

    system = CountryTaxBenefitSystem()
    gc.freeze()  # as the engine's worker does after loading its rules

    def compute(situation: dict[str, Any]) -> dict[str, list[float]]:
        simulation = SimulationBuilder().build_from_entities(system, situation)
        return {name: simulation.calculate(name, PERIOD).tolist() for name in VARIABLES}

    serve(sys.stdin, sys.stdout, compute)


# ── The driver (the project's environment) ────────────────────────────────────────────────

def install() -> Path:
    """OpenFisca's Python, installed on first use in `.bench/openfisca/venv` (pinned)."""
    base = ROOT / ".bench" / "openfisca"
    python = base / "venv" / "bin" / "python"
    marker = base / "klaar"
    if marker.is_file() and marker.read_text("utf-8").split() == list(PINS):
        return python
    base.mkdir(parents=True, exist_ok=True)
    if not python.is_file():
        subprocess.run([sys.executable, "-m", "venv", str(base / "venv")], check=True)
    print(f"installing {', '.join(PINS)} in {base / 'venv'} (once)…", file=sys.stderr)
    subprocess.run([str(python), "-m", "pip", "install", "--quiet", *PINS], check=True)
    marker.write_text("\n".join(PINS) + "\n", encoding="utf-8")
    return python


def pct(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


def table(times: dict[str, list[float]], reference: str = "OpenFisca") -> str:
    """Median, p90 and ratio to the reference's median per side, and each target's verdict."""
    base = statistics.median(times[reference])
    lines = ["| side | median µs | p90 µs | × OpenFisca (median) | target | met |",
             "|---|---|---|---|---|---|"]
    for side, values in times.items():
        median = statistics.median(values)
        ratio = median / base
        target = TARGETS.get(side)
        verdict = "" if target is None else ("yes" if ratio <= target else
                                             f"no: a factor {ratio / target:.2f} over")
        lines.append(f"| {side} | {median:.0f} | {pct(values, .9):.0f} | {ratio:.2f}× | "
                     f"{'' if target is None else f'≤ {target:g}×'} | {verdict} |")
    return "\n".join(lines)


def run(runs: int, rounds: int, note: str = "") -> tuple[str, str]:
    sys.path.insert(0, str(HERE.parent))
    from baseline import Worker, cases, git, load_average, machine

    before = load_average()
    openfisca_python = install()
    casus = {name: data for name, data in cases() if name in EXAMPLES}
    missing = set(EXAMPLES) - set(casus)
    if missing:
        raise SystemExit(f"public examples not found: {', '.join(sorted(missing))}")
    here = Worker.start("deze checkout", sys.executable, ROOT)
    field = Worker.start("OpenFisca", openfisca_python, ROOT, (str(HERE), "--worker"))
    asks = [(here, name, casus[name]) for name in EXAMPLES]
    asks.append((field, "OpenFisca", HOUSEHOLD))
    try:
        for worker, name, data in asks:  # check and warm up
            worker.ask(name, data, 0)
            worker.times.pop(name, None)
        for _ in range(rounds):  # interleaved: all sides see the same machine state
            for worker, name, data in asks:
                worker.ask(name, data, max(1, runs // rounds))
    finally:
        here.stop()
        field.stop()
    times = {name: here.times[name] for name in EXAMPLES}
    times["OpenFisca"] = field.times["OpenFisca"]
    note = f" ({note})" if note else ""
    header = (
        f"Machine: {machine()}; load average (1 / 5 / 15 min) {before} at the start, "
        f"{load_average()} at the end{note}. "
        f"This checkout ({git('rev-parse', '--short=12', 'HEAD')}): a full advies as the service "
        f"stores it (`Engine.advies`: validation, every effect, the canonical trace and its "
        f"hash, as in `bench/worker.py`) for the public examples scootmobiel (1 effect) and "
        f"gezin-meervoudig (4 effecten). OpenFisca ({', '.join(PINS)}, own virtual environment "
        f"under `.bench/openfisca/`): per run, build the simulation from the household's "
        f"situation (`SimulationBuilder().build_from_entities`; the template's couple, two "
        f"adults with their salaries, in {PERIOD} with a rent) and calculate {len(VARIABLES)} "
        f"variables ({', '.join(VARIABLES)}); the tax-benefit system is loaded once. Each side "
        f"in its own worker process (same JSON-lines protocol, same IPC), {runs} runs per "
        f"side in {rounds} interleaved rounds, after one warm-up run each; the times are taken "
        f"inside the worker around one computation.")
    return header, table(times)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--runs", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--write", type=Path)
    parser.add_argument("--note", default="", help="said of the machine in the report, e.g. "
                        "what else ran on it")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        openfisca_worker()
        return
    header, text = run(args.runs, args.rounds, args.note)
    print(header)
    print(text)
    if args.write:
        sys.path.insert(0, str(HERE.parent))
        from baseline import write

        write(args.write, header, text, SECTION,
              "`python bench/openfisca_vergelijking.py` (`make bench`)")


if __name__ == "__main__":
    main()
