"""HTTP benchmark: POST /v1/adviezen (evaluate + store + chain + processing log) under load.

    python bench/http_load.py [--seconds 10] [--postgres URL] [--write docs/performance.md]
    python bench/http_load.py --baseline 077e98a [--seconds 5] [--rounds 6] [--write …]

The service runs in its own processes (uvicorn, 1 or 2 workers); the load generator (httpx,
asyncio, N concurrent clients) runs in this process. On a 2-core machine both compete for the
same cores, so the figures are a floor for a set-up with a separate load generator.

With `--baseline REF` (issue 13) it compares instead: this checkout's service and the baseline
commit's, installed by `bench/baseline.py` in `.bench/<commit>/` and started from its own tree
and virtual environment, both on SQLite with 1 worker, under the same load (16 clients, the
public examples that both versions accept) in alternating rounds; and in the same rounds the
in-process engine throughput of this checkout on one core (`bench/worker.py`, the same casussen).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import yaml

from service.launch import KEYS, free_port, live_server, stop_server

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT.parent / "shared" / "examples"
if not EXAMPLES.is_dir():
    EXAMPLES = ROOT / "examples"
HEADERS = {"Authorization": "Bearer sleutel-consulent"}
SECTION = "## HTTP against a baseline commit"
LIMITS = json.dumps(dict.fromkeys(("adviezen", "impact", "valideer", "test"), "1000000/minute"))
"""The rate limits out of the way of a load test, as `service.launch` sets them (a baseline
that has no rate limits ignores the variable)."""


def named_bodies() -> list[tuple[str, dict[str, Any]]]:
    out = []
    for p in sorted(EXAMPLES.glob("*.yaml")):
        data = yaml.safe_load(p.read_text("utf-8"))
        data.pop("verwachting", None)
        data["peildatum"] = str(data["peildatum"])
        out.append((p.stem, {"casus": data}))
    return out


def bodies() -> list[dict[str, Any]]:
    return [body for _, body in named_bodies()]


async def load(base: str, clients: int, seconds: float,
               payloads: list[dict[str, Any]] | None = None) -> tuple[int, list[float], int]:
    payloads = payloads or bodies()
    latencies: list[float] = []
    errors = 0
    deadline = time.perf_counter() + seconds
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=base, headers=HEADERS, limits=limits,
                                 timeout=60) as client:
        async def worker(n: int) -> None:
            nonlocal errors
            i = n
            while time.perf_counter() < deadline:
                t0 = time.perf_counter()
                r = await client.post("/v1/adviezen", json=payloads[i % len(payloads)])
                latencies.append((time.perf_counter() - t0) * 1000)
                if r.status_code != 201:
                    errors += 1
                i += clients

        await asyncio.gather(*(worker(n) for n in range(clients)))
    return len(latencies), latencies, errors


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


# ── --baseline: this checkout's service against a baseline commit's ─────────────────────────

@contextmanager
def service(python: Path | str, checkout: Path, database_url: str, log: Path) -> Iterator[str]:
    """A checkout's service (uvicorn, 1 worker) started from its own tree with its own Python,
    as `service.launch.start_server` starts this checkout's (same keys, same rate limits,
    same flags), so both sides are started alike; yields its address."""
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(checkout), "OT_DATABASE_URL": database_url,
           "OT_API_KEYS": json.dumps(KEYS), "OT_LIMIETEN": LIMITS}
    proc = subprocess.Popen(
        [str(python), "-m", "uvicorn", "--factory", "service.app:create_app", "--host",
         "127.0.0.1", "--port", str(port), "--workers", "1", "--log-level", "warning"],
        cwd=checkout, env=env, stdout=log.open("ab"), stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(600):
            try:
                if httpx.get(f"{base}/v1/gezondheid", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if proc.poll() is not None:
                tail = log.read_text("utf-8", "replace")[-1500:]
                raise RuntimeError(f"{checkout}: the service stopped with {proc.returncode}:\n"
                                   f"{tail}")
            time.sleep(0.1)
        else:
            raise RuntimeError(f"{checkout}: the service did not start")
        yield base
    finally:
        stop_server(proc)


@dataclass
class Side:
    """What one side answered over all rounds."""

    name: str
    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)
    errors: int = 0

    @property
    def rps(self) -> float:
        return len(self.latencies) / self.seconds if self.seconds else float("nan")


def targets(here: Side, base: Side, engine_per_s: float) -> list[tuple[str, str, str]]:
    """Issue 13's three HTTP targets: (target, measured, verdict)."""
    p50, p99 = pct(here.latencies, .5), pct(here.latencies, .99)

    def verdict(value: float, bound: float, at_most: bool = False) -> str:
        if value <= bound if at_most else value >= bound:
            return "met"
        factor = value / bound if at_most else bound / value
        return f"missed: a factor {factor:.2f} {'over' if at_most else 'short'}"

    return [
        ("requests/s ≥ 3× the baseline's", f"{here.rps / base.rps:.2f}×",
         verdict(here.rps / base.rps, 3)),
        ("requests/s ≥ 60 % of the in-process engine on one core",
         f"{100 * here.rps / engine_per_s:.0f} %", verdict(here.rps / engine_per_s, .6)),
        ("p99 ≤ 2× p50", f"{p99 / p50:.2f}×", verdict(p99 / p50, 2, at_most=True)),
    ]


def report(here: Side, base: Side, engine_per_s: float, engine_n: int) -> str:
    lines = ["| side | requests | requests/s | p50 ms | p99 ms | errors |",
             "|---|---|---|---|---|---|"]
    for side in (here, base):
        lines.append(f"| {side.name} | {len(side.latencies)} | {side.rps:.1f} | "
                     f"{pct(side.latencies, .5):.1f} | {pct(side.latencies, .99):.1f} | "
                     f"{side.errors} |")
    lines.append(f"| in-process engine, this checkout, one process | {engine_n} | "
                 f"{engine_per_s:.1f} advies/s | | | |")
    lines += ["", "| target (issue 13) | measured | verdict |", "|---|---|---|"]
    lines += [f"| {t} | {m} | {v} |" for t, m, v in targets(here, base, engine_per_s)]
    return "\n".join(lines)


def runtime_extras(src: Path, python: Path) -> list[str]:
    """What a checkout's service imports at start but its pyproject lists only under the dev
    extra (httpx, for the web pages' API client, in 077e98a), installed from that same list
    into its environment so the service starts; returns what was installed."""
    import tomllib

    project = tomllib.loads((src / "pyproject.toml").read_text("utf-8"))["project"]
    needed = [spec for spec in project.get("optional-dependencies", {}).get("dev", [])
              if re.split(r"[<>=!~\[; ]", spec, maxsplit=1)[0] == "httpx"]
    if needed and subprocess.run([str(python), "-c", "import httpx"],
                                 capture_output=True).returncode:
        subprocess.run([str(python), "-m", "pip", "install", "--quiet", *needed], check=True)
    return needed


def accepted(url: str, named: list[tuple[str, dict[str, Any]]]) -> dict[str, str]:
    """The examples a service refuses, with why (status and the start of its answer)."""
    refused = {}
    with httpx.Client(base_url=url, headers=HEADERS, timeout=120) as client:
        for name, body in named:
            r = client.post("/v1/adviezen", json=body)
            if r.status_code != 201:
                refused[name] = f"{r.status_code} {r.text[:160]}"
    return refused


def compare(ref: str, seconds: float, rounds: int, clients: int, note: str) -> tuple[str, str]:
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from baseline import Worker, git, install, load_average, machine

    sha, src, base_python = install(ref)
    extras = runtime_extras(src, base_python)
    before = load_average()
    folder = tempfile.mkdtemp(prefix="ot-http-baseline-")
    named = named_bodies()
    here = Side("this checkout")
    base = Side(f"baseline {sha[:12]}")
    engine = Worker.start("engine", sys.executable, ROOT)
    try:
        with service(sys.executable, ROOT, f"sqlite:///{folder}/deze.sqlite3",
                     Path(folder, "deze.log")) as here_url, \
                service(base_python, src, f"sqlite:///{folder}/basis.sqlite3",
                        Path(folder, "basis.log")) as base_url:
            refused = {f"{name} (this checkout)": why
                       for name, why in accepted(here_url, named).items()}
            refused |= {f"{name} (baseline)": why
                        for name, why in accepted(base_url, named).items()}
            both = [(name, body) for name, body in named
                    if not any(r.startswith(name + " ") for r in refused)]
            if not both:
                raise SystemExit(f"no example is accepted by both: {refused}")
            payloads = [body for _, body in both]
            urls = {here.name: here_url, base.name: base_url}
            for url in urls.values():  # warm-up: compile the regimes
                asyncio.run(load(url, 4, 2, payloads))
            for name, body in both:
                engine.ask(name, body["casus"], 0)
                engine.times.pop(name, None)
            for r in range(rounds):
                order = (here, base) if r % 2 == 0 else (base, here)
                for side in order:  # alternating rounds: both see the same machine state
                    t0 = time.perf_counter()
                    n, latencies, errors = asyncio.run(load(urls[side.name], clients, seconds,
                                                            payloads))
                    side.seconds += time.perf_counter() - t0  # to the last answer
                    side.latencies += latencies
                    side.errors += errors
                    print(f"round {r + 1}/{rounds} {side.name}: "
                          f"{n / (time.perf_counter() - t0):.1f} req/s", file=sys.stderr,
                          flush=True)
                for name, body in both:  # about as many adviezen as one HTTP round serves
                    engine.ask(name, body["casus"],
                               max(1, round(len(latencies) / len(both))))
    finally:
        engine.stop()
    times = [t for name, _ in both for t in engine.times[name]]
    engine_per_s = len(times) / (sum(times) / 1e6)
    header = (
        f"Machine: {machine()}; load average (1 / 5 / 15 min) {before} at the start, "
        f"{load_average()} at the end{f' ({note})' if note else ''}. The load generator "
        f"(httpx, asyncio, in the driver's process) shares the cores with the service. "
        f"This checkout ({git('rev-parse', '--short=12', 'HEAD')}) against {sha[:12]} "
        f"(`--baseline {ref}`, installed in `.bench/{sha[:12]}/` with its own virtual "
        f"environment and started from its own tree): each service with uvicorn, 1 worker, "
        f"SQLite (a new database file each), the same API key and no rate limit in the way; "
        f"{clients} clients posting `POST /v1/adviezen` with an inline casus, cycling through "
        f"the public examples both accept ({', '.join(n for n, _ in both)}); {rounds} "
        f"alternating rounds of {seconds:g} s per side after a 2 s warm-up each. In-process "
        f"engine: this checkout's `Engine.advies` in one worker process (`bench/worker.py`, "
        f"one core: the engine holds the GIL), the same casussen in equal numbers, measured "
        f"after each round; its throughput is 1 / the mean time of a full advies.")
    if extras:
        header += (f" The baseline's service imports httpx at start, which its pyproject lists "
                   f"only under the dev extra; installed into its environment from that list "
                   f"({', '.join(extras)}).")
    if refused:
        header += " Not sent (refused by one side): " + "; ".join(
            f"{k}: {v}" for k, v in sorted(refused.items()))
    return header, report(here, base, engine_per_s, len(times))


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--postgres", default=os.environ.get("OT_TEST_POSTGRES_URL"))
    parser.add_argument("--write", type=Path)
    parser.add_argument("--baseline", metavar="REF",
                        help="compare with this commit instead (SQLite, 1 worker, 16 clients)")
    parser.add_argument("--rounds", type=int, default=6, help="with --baseline")
    parser.add_argument("--clients", type=int, default=16, help="with --baseline")
    parser.add_argument("--note", default="", help="with --baseline: said of the machine in "
                        "the report, e.g. what else ran on it")
    args = parser.parse_args(argv)
    if args.baseline:
        header, text = compare(args.baseline, args.seconds, args.rounds, args.clients,
                               args.note)
        print(header)
        print(text)
        if args.write:
            from baseline import write

            write(args.write, header, text, SECTION,
                  "`python bench/http_load.py --baseline` (`make bench-http`)")
        return
    setups: list[tuple[str, str, int]] = []
    folder = tempfile.mkdtemp(prefix="ot-http-bench-")
    for workers in (1, 2):
        setups.append(("SQLite", f"sqlite:///{folder}/ot-{workers}.sqlite3", workers))
    if args.postgres:
        for workers in (1, 2):
            setups.append(("PostgreSQL", args.postgres, workers))
    rows = []
    for db, url, workers in setups:
        with live_server(url, workers=workers) as base:
            asyncio.run(load(base, 4, 2))  # warm-up: compile the regime in every worker
            for clients in (1, 16, 64):
                n, lat, errors = asyncio.run(load(base, clients, args.seconds))
                rows.append((db, workers, clients, n / args.seconds, pct(lat, .5),
                             pct(lat, .99), errors))
                print(f"{db:10} workers={workers} clients={clients:3}: {n / args.seconds:7.1f} "
                      f"req/s p50 {pct(lat, .5):7.1f} ms p99 {pct(lat, .99):7.1f} ms "
                      f"errors {errors}", flush=True)
    table = ["| database | workers | clients | requests/s | p50 ms | p99 ms | errors |",
             "|---|---|---|---|---|---|---|"]
    table += [f"| {db} | {w} | {c} | {rps:.0f} | {p50:.1f} | {p99:.1f} | {e} |"
              for db, w, c, rps, p50, p99, e in rows]
    text = "\n".join(table)
    print(text)
    if args.write:
        head = (f"\n## HTTP: POST /v1/adviezen\n\nMade by `python bench/http_load.py --write "
                f"docs/performance.md` ({args.seconds:.0f} s per row; {platform.machine()}, "
                f"{os.cpu_count()} cores; the load generator shares the cores). Each request "
                "evaluates a public example, stores the receipt, appends it to the chain and "
                "writes a processing-log record.\n\n")
        with args.write.open("a", encoding="utf-8") as f:
            f.write(head + text + "\n")


if __name__ == "__main__":
    main()
