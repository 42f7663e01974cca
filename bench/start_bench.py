"""Service start and pack reload: how long loading the bundled packs and building the app take,
the first time in a process and again (issue 13; `engine.yamlsource` keeps parsed documents).

    python bench/start_bench.py [--runs 5] [--write docs/performance.md]

Each run is a fresh interpreter (no warm caches from an earlier run): it times `import engine`,
`Engine.load()` twice (the second parses nothing: every pack's text is a cache hit) and
`service.app.create_app` twice on a new SQLite file (the second is what a pack reload or a second
app in the same process costs). The medians of the runs are printed and, with `--write`,
appended to docs/performance.md.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

CHILD = r"""
import json, sys, time
t0 = time.perf_counter()
from engine import Engine
t1 = time.perf_counter()
Engine.load()
t2 = time.perf_counter()
Engine.load()
t3 = time.perf_counter()
from service.app import create_app
from service.settings import Settings
def settings(name):
    return Settings(database_url=f"sqlite:///{sys.argv[1]}/{name}.sqlite3",
                    pakkettests_bij_start=False)
t4 = time.perf_counter()
create_app(settings("a"))
t5 = time.perf_counter()
create_app(settings("b"))
t6 = time.perf_counter()
print(json.dumps({"import engine": t1 - t0, "Engine.load, first": t2 - t1,
                  "Engine.load, again": t3 - t2, "create_app, first": t5 - t4,
                  "create_app, again": t6 - t5}))
"""


def one_run() -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        out = subprocess.run([sys.executable, "-c", CHILD, tmp], cwd=ROOT, check=True,
                             capture_output=True, text=True)
    figures: dict[str, float] = json.loads(out.stdout.strip().splitlines()[-1])
    return figures


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--write", type=Path)
    args = parser.parse_args()
    runs = [one_run() for _ in range(args.runs)]
    medians = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
    lines = [f"| {k} | {v * 1000:.0f} ms |" for k, v in medians.items()]
    for line in lines:
        print(line)
    if args.write:
        with args.write.open("a", encoding="utf-8") as f:
            f.write("\n## Start and pack reload\n\nMade by `python bench/start_bench.py` "
                    f"(median of {args.runs} fresh interpreters; `create_app` on a new SQLite "
                    "file, without the packs' YAML tests at start). The second `Engine.load` "
                    "and `create_app` in a process parse no YAML: `engine.yamlsource` keeps "
                    "parsed documents by the sha256 of their text.\n\n| step | median |\n"
                    "|---|---|\n" + "\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
