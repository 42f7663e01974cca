"""One side of a side-by-side benchmark: an engine in its own process, timed on request.

    PYTHONPATH=<checkout> <python> bench/worker.py

Started by `bench/baseline.py` twice, once with this checkout and once with a baseline commit
installed in its own virtual environment, so both answer the same requests on the same machine
at the same time. It uses only what every version of the engine has (`Engine.load`,
`Engine.advies`, the receipt's `trace_json`), so it runs unchanged against an older commit.

Protocol: one JSON object per line on stdin, one per line on stdout.
    {"casus": {...}, "runs": 200}  ->  {"us": [812.4, ...], "bytes": 275012}
    {"casus": {...}, "runs": 0}    ->  {"us": [], "bytes": ...}   (validates and warms up)
An error is answered as {"fout": "..."} and the worker goes on.
"""

from __future__ import annotations

import gc
import json
import sys
import time
from typing import Any


def main() -> None:
    from engine import Engine  # the checkout on PYTHONPATH decides which engine this is

    eng = Engine.load()
    gc.freeze()  # as the service does after start-up (bench/bench.py)
    for line in sys.stdin:
        request: dict[str, Any] = json.loads(line)
        try:
            times: list[float] = []
            size = 0
            for _ in range(max(1, int(request["runs"]))):
                t0 = time.perf_counter_ns()
                receipt = eng.advies(request["casus"])
                times.append((time.perf_counter_ns() - t0) / 1000)
                size = len(receipt.trace_json.encode("utf-8"))
            answer: dict[str, Any] = {"us": times if request["runs"] else [], "bytes": size}
        except Exception as exc:  # reported to the driver, which stops
            answer = {"fout": f"{type(exc).__name__}: {exc}"[:500]}
        sys.stdout.write(json.dumps(answer) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
