"""HTTP benchmark: POST /v1/adviezen (evaluate + store + chain + processing log) under load.

    python bench/http_load.py [--seconds 10] [--postgres URL] [--write docs/performance.md]

The service runs in its own processes (uvicorn, 1 or 2 workers); the load generator (httpx,
asyncio, N concurrent clients) runs in this process. On a 2-core machine both compete for the
same cores, so the figures are a floor for a set-up with a separate load generator.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
import yaml

from service.launch import live_server

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT.parent / "shared" / "examples"
if not EXAMPLES.is_dir():
    EXAMPLES = ROOT / "examples"
HEADERS = {"Authorization": "Bearer sleutel-consulent"}


def bodies() -> list[dict[str, Any]]:
    out = []
    for p in sorted(EXAMPLES.glob("*.yaml")):
        data = yaml.safe_load(p.read_text("utf-8"))
        data.pop("verwachting", None)
        data["peildatum"] = str(data["peildatum"])
        out.append({"casus": data})
    return out


async def load(base: str, clients: int, seconds: float) -> tuple[int, list[float], int]:
    payloads = bodies()
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


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--postgres", default=os.environ.get("OT_TEST_POSTGRES_URL"))
    parser.add_argument("--write", type=Path)
    args = parser.parse_args()
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
