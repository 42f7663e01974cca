"""How fast the advies chain verifies (issue 13: `ot keten` ≥ 20,000 adviezen/s over 100,000).

    .venv/bin/python bench/keten_bench.py [--adviezen 100000] [--write docs/performance.md]

Fills a fresh temporary SQLite database with N adviezen the way the service stores them
(`service.store.store_advies`: the kern, its hash, the casus, the chain link; schema head),
from the receipts of the six public examples, each advies on a casus sent with the request
(the casus is stored in the advies' row), then times `service.store.walk_chain`, which is what
`ot keten` and `GET /v1/keten` run: every link's hashes, the kern against its hash, the casus
against its hash. The figure is verified adviezen per second of wall time, the best of three
walks, with the profile's top entries of one walk. Invented people only.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from engine import Engine  # noqa: E402
from service.db import make_engines, session_factory  # noqa: E402
from service.ketensegmenten import walk_in_segments  # noqa: E402
from service.migrate import upgrade  # noqa: E402
from service.store import store_advies  # noqa: E402

EXAMPLES = ROOT.parent / "shared" / "examples"
BATCH = 2000


def fill(url: str, n: int) -> float:
    """Store n adviezen; return the seconds it took."""
    writer, _ = make_engines(url)
    upgrade(writer)
    sessions = session_factory(writer)
    eng = Engine.load()
    receipts = []
    for p in sorted(EXAMPLES.glob("*.yaml")):
        data = yaml.safe_load(p.read_text("utf-8"))
        data.pop("verwachting", None)
        receipts.append(eng.advies(data))
    for r in receipts:
        _ = r.trace  # parsed once, as the service has it in memory
    start = time.perf_counter()
    done = 0
    while done < n:
        with sessions.begin() as session:
            for i in range(done, min(n, done + BATCH)):
                store_advies(session, receipts[i % len(receipts)], casus_id=None,
                             casus_versie=None, door="bench")
        done = min(n, done + BATCH)
    writer.dispose()
    return time.perf_counter() - start


def walk(url: str, processen: int = 1) -> tuple[float, int, str]:
    """One whole walk; with `processen` > 1 split over processes as `ot keten --processen`
    does (`service.ketensegmenten`; the processes' start is included in the time)."""
    _, reader = make_engines(url, create=False)
    sessions = session_factory(reader)
    start = time.perf_counter()
    with sessions() as session:
        result = walk_in_segments(session, processen=processen)
    seconds = time.perf_counter() - start
    reader.dispose()
    assert result.geldig, result.melding
    return seconds, result.aantal, result.melding


def profile(url: str, top: int = 12) -> str:
    prof = cProfile.Profile()
    prof.enable()
    walk(url)
    prof.disable()
    out = io.StringIO()
    pstats.Stats(prof, stream=out).sort_stats("cumulative").print_stats(top)
    lines = [ln for ln in out.getvalue().splitlines() if ln.strip()]
    start = next(i for i, ln in enumerate(lines) if ln.lstrip().startswith("ncalls"))
    return "\n".join(lines[start:start + top + 1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--adviezen", type=int, default=100_000)
    parser.add_argument("--write", type=Path, help="append the figures to this markdown file")
    parser.add_argument("--processen", type=int, default=min(os.cpu_count() or 1, 4),
                        help="processes for the split walk (as `ot keten --processen`)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/keten.db"
        filled = fill(url, args.adviezen)
        size = os.path.getsize(f"{tmp}/keten.db")
        walks = [walk(url) for _ in range(3)]
        split = [walk(url, args.processen) for _ in range(3)] if args.processen > 1 else []
        best = min(w[0] for w in walks)
        top = profile(url)
    rate = args.adviezen / best
    split_text = ""
    if split:
        best_split = min(w[0] for w in split)
        split_text = (f" Split over {args.processen} processes (`ot keten --processen "
                      f"{args.processen}`, their start included): best {best_split:.2f} s, "
                      f"**{args.adviezen / best_split:,.0f} adviezen/s** ({split[0][2]}).")
    text = (f"\n## Chain verification (`ot keten`, SQLite)\n\n"
            f"Made by `python bench/keten_bench.py --adviezen {args.adviezen}` "
            f"({os.cpu_count()} cores). {args.adviezen:,} adviezen of the six public examples, "
            f"stored as the service stores them ({filled:.0f} s to store, "
            f"{size / 1e6:.0f} MB database), then verified whole three times: "
            f"one process best {best:.2f} s, **{rate:,.0f} adviezen/s** (target ≥ 20,000/s; "
            f"{walks[0][2]}).{split_text}\n\nWhere one walk in one process spends its time "
            f"(cProfile, cumulative):\n\n"
            f"```\n{top}\n```\n")
    print(text)
    if args.write:
        with args.write.open("a", encoding="utf-8") as f:
            f.write(text)


if __name__ == "__main__":
    main()
