"""This checkout against a baseline commit, side by side in one run (issue 13's targets).

    python bench/baseline.py [--ref 077e98a] [--runs 2000] [--write docs/performance.md]

The baseline is installed once in its own virtual environment under `.bench/<commit>/` (its
own source tree from `git archive`, its own pinned dependencies from the package registry), so
what is measured is that commit as it shipped. Both engines then run in their own worker
process (`bench/worker.py`) and are asked in turn, ten rounds per example, so both see the same
machine state; the figures are a full advies as the service stores it (validation, every
effect, the canonical trace and its hash), and the bytes of that trace.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import statistics
import subprocess
import sys
import tarfile
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT.parent / "shared" / "examples"
if not EXAMPLES.is_dir():
    EXAMPLES = ROOT / "examples"
WORKER = Path(__file__).resolve().parent / "worker.py"
SECTION = "## Against a baseline commit"


def git(*args: str) -> str:
    return subprocess.run(["git", "-C", str(ROOT), *args], check=True, capture_output=True,
                          text=True).stdout.strip()


def install(ref: str) -> tuple[str, Path, Path]:
    """The baseline's commit, source tree and Python (installed on first use)."""
    sha = git("rev-parse", f"{ref}^{{commit}}")
    base = ROOT / ".bench" / sha[:12]
    src, venv = base / "src", base / "venv"
    python = venv / "bin" / "python"
    if (base / "klaar").is_file():
        return sha, src, python
    src.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryFile() as archive:
        subprocess.run(["git", "-C", str(ROOT), "archive", sha], stdout=archive, check=True)
        archive.seek(0)
        with tarfile.open(fileobj=archive) as tar:
            tar.extractall(src, filter="data")
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    print(f"installing {sha[:12]} in {venv} (once)…", file=sys.stderr)
    subprocess.run([str(python), "-m", "pip", "install", "--quiet", "-e", str(src)], check=True)
    (base / "klaar").write_text(sha + "\n", encoding="utf-8")
    return sha, src, python


@dataclass
class Worker:
    """An engine in its own process (`bench/worker.py`)."""

    name: str
    process: subprocess.Popen[str]
    times: dict[str, list[float]] = field(default_factory=dict)
    size: dict[str, int] = field(default_factory=dict)

    @classmethod
    def start(cls, name: str, python: Path | str, checkout: Path,
              command: tuple[str, ...] = (str(WORKER),)) -> Worker:
        """`command`: the worker script and its arguments (another script that speaks the same
        protocol, such as `bench/openfisca_vergelijking.py --worker`)."""
        env = {**os.environ, "PYTHONPATH": str(checkout), "PYTHONHASHSEED": "0"}
        process = subprocess.Popen([str(python), *command], cwd=checkout, env=env,
                                   stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        return cls(name, process)

    def ask(self, example: str, casus: dict[str, Any], runs: int) -> None:
        stdin: IO[str] | None = self.process.stdin
        stdout: IO[str] | None = self.process.stdout
        assert stdin is not None and stdout is not None
        stdin.write(json.dumps({"casus": casus, "runs": runs}) + "\n")
        stdin.flush()
        answer = json.loads(stdout.readline() or '{"fout": "worker stopped"}')
        if "fout" in answer:
            raise RuntimeError(f"{self.name}, {example}: {answer['fout']}")
        self.times.setdefault(example, []).extend(answer["us"])
        self.size[example] = answer["bytes"]

    def stop(self) -> None:
        if self.process.stdin:
            self.process.stdin.close()
        self.process.wait(timeout=30)


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def cases() -> list[tuple[str, dict[str, Any]]]:
    """The public examples as plain casus data (the contract's fields only)."""
    from engine import Engine

    eng = Engine.load()
    out = []
    for path in sorted(EXAMPLES.glob("*.yaml")):
        out.append((path.stem, eng.casus_file(path).model_dump(mode="json", exclude_none=True)))
    return out


def run(ref: str, runs: int, rounds: int) -> tuple[str, str]:
    sha, src, python = install(ref)
    here = Worker.start("deze checkout", sys.executable, ROOT)
    base = Worker.start(f"basis {sha[:12]}", python, src)
    skipped: list[str] = []
    try:
        measured = []
        for name, casus in cases():
            try:
                for worker in (here, base):
                    worker.ask(name, casus, 0)
                    worker.times.pop(name, None)
                for _ in range(rounds):  # interleaved: both see the same machine state
                    for worker in (here, base):
                        worker.ask(name, casus, max(1, runs // rounds))
            except RuntimeError as exc:
                skipped.append(str(exc))
                continue
            measured.append((name, len(casus["gewenste_effecten"])))
    finally:
        here.stop()
        base.stop()
    header = (f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python "
              f"{platform.python_version()}, {platform.system()}. This checkout "
              f"({git('rev-parse', '--short=12', 'HEAD')}) against {sha[:12]} (`--ref {ref}`), "
              f"each in its own process and virtual environment, {runs} full adviezen per "
              f"example each, in {rounds} interleaved rounds.")
    lines = ["| example | effecten | p50 µs | p99 µs | basis p50 µs | basis p99 µs | "
             "sneller (p50) | bytes | basis bytes |", "|---|---|---|---|---|---|---|---|---|"]
    for name, n in measured:
        h, b = here.times[name], base.times[name]
        lines.append(
            f"| {name} | {n} | {pct(h, .5):.0f} | {pct(h, .99):.0f} | {pct(b, .5):.0f} | "
            f"{pct(b, .99):.0f} | {statistics.median(b) / statistics.median(h):.2f}× | "
            f"{here.size[name]:,} | {base.size[name]:,} |".replace(",", " "))
    table = "\n".join(lines)
    if skipped:
        table += "\n\nNot measured (the baseline refused the casus): " + "; ".join(skipped)
    return header, table


def machine() -> str:
    """The machine as one phrase: processor, cores, Python, system."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text("utf-8").splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (f"{cpu} ({platform.machine()}), {os.cpu_count()} cores, Python "
            f"{platform.python_version()}, {platform.system()}")


def load_average() -> str:
    """How busy the machine is right now: the load average over 1, 5 and 15 minutes."""
    return " / ".join(f"{x:.2f}" for x in os.getloadavg())


def replace_section(text: str, heading: str, section: str) -> str:
    """`text` with the section under `heading` replaced by `section` (or `section` added at
    the end); the other sections stay as they are."""
    start = text.find(heading + "\n")
    if start < 0:
        return text.rstrip("\n") + "\n\n" + section
    end = text.find("\n## ", start + len(heading))
    return text[:start] + section + ("" if end < 0 else text[end:])


def write(path: Path, header: str, table: str, heading: str = SECTION,
          made_by: str = "`python bench/baseline.py` (`make bench`)") -> None:
    """Replace this section of the report (or add it), leaving the others as they are."""
    stamp = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    section = f"{heading}\n\nMade by {made_by} on {stamp}.\n\n{header}\n\n{table}\n"
    text = path.read_text("utf-8") if path.is_file() else "# Performance\n"
    path.write_text(replace_section(text, heading, section), encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ref", default="077e98a", help="the baseline commit (any git ref)")
    parser.add_argument("--runs", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--write", type=Path)
    args = parser.parse_args()
    header, table = run(args.ref, args.runs, args.rounds)
    print(header)
    print(table)
    if args.write:
        write(args.write, header, table)


if __name__ == "__main__":
    main()
