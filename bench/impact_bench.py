"""Impact analysis throughput: stored adviezen re-evaluated per second, 1 and 2 processes.

    python bench/impact_bench.py [--n 10000] [--write docs/performance.md]

Stores N adviezen (the six public examples in turn, with the GM9991 overlay) in a fresh SQLite
database, then runs the impact of a candidate overlay over all of them: once in one process,
once split over two processes (each re-evaluates every other advies).
"""

from __future__ import annotations

import argparse
import multiprocessing
import tempfile
import time
from pathlib import Path
from typing import Any

from engine import Engine
from engine.impact import impact
from engine.loader import DEFAULT_RULES_DIR, pack_files
from service.bewijsstuk import pinned_in, stored_adviezen
from service.db import make_engines, session_factory
from service.engines import Engines
from service.migrate import upgrade
from service.store import store_advies

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT.parent / "shared" / "examples"
if not EXAMPLES.is_dir():
    EXAMPLES = ROOT / "examples"


def candidate_sources() -> list[tuple[str, bytes]]:
    sources = []
    for f in pack_files([DEFAULT_RULES_DIR]):
        raw = f.read_bytes()
        if f.name == "gm9991.yaml":
            raw = raw.replace(b'op: ">=", waarde: 75}', b'op: ">=", waarde: 80}')
        sources.append((str(f), raw))
    return sources


def worker(args: tuple[str, int, int, bool]) -> dict[str, Any]:
    url, part, parts, selectief = args
    eng = Engine.from_sources(candidate_sources())
    _, reader = make_engines(url)
    with session_factory(reader)() as s:
        return impact(stored_adviezen(s, pinned_in(s), deel=(part, parts)), eng,
                      selectief=selectief).as_dict(limit=0)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=10_000)
    parser.add_argument("--write", type=Path)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="ot-impact-"))
    url = f"sqlite:///{folder}/ot.sqlite3"
    writer, reader = make_engines(url)
    upgrade(writer)
    Engines(None, session_factory(writer), session_factory(reader)).store_current()
    eng = Engine.load()
    receipts = []
    for p in sorted(EXAMPLES.glob("*.yaml")):
        data = eng.casus_file(p).model_dump(mode="json", exclude_none=True)
        data["gemeente"] = "GM9991"
        receipts.append(eng.advies(data))
    with session_factory(writer)() as s:
        for i in range(args.n):
            store_advies(s, receipts[i % len(receipts)], casus_id=None, casus_versie=None,
                         door="bench")
        s.commit()
    rows = []
    for selectief, parts in ((False, 1), (False, 2), (True, 1), (True, 2)):
        t = time.perf_counter()
        if parts == 1:
            results = [worker((url, 0, 1, selectief))]
        else:
            with multiprocessing.get_context("spawn").Pool(parts) as pool:
                results = pool.map(worker, [(url, k, parts, selectief) for k in range(parts)])
        took = time.perf_counter() - t
        total = sum(r["totaal"] for r in results)
        again = sum(r["herberekend"] for r in results)
        changed = sum(r["veranderd"] for r in results)
        mode = "selectief" if selectief else "volledig"
        rows.append((mode, parts, total, again, changed, took, total / took))
        print(f"{mode}, {parts} process(es): {total} adviezen ({again} re-evaluated) in "
              f"{took:.1f} s = {total / took:.0f}/s ({changed} would change)", flush=True)
    text = ("\n## Impact analysis\n\nMade by `python bench/impact_bench.py` on "
            f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} (SQLite; {args.n} adviezen, "
            "the six public examples in turn with the GM9991 overlay; candidate: Regiotaxi age "
            "75 → 80, a change to the body of one local instrument (`gm9991.regiotaxi`), which "
            "none of them is affected by; includes process start and loading the packs; each "
            "process reads only its own share of the adviezen). `volledig` re-evaluates every "
            "advies (`selectief=False`); `selectief` only those that list the changed instrument "
            "(`engine/selectie.py`), the rest are counted from their kern.\n\n| impact | "
            "processes | adviezen | re-evaluated | would change | seconds | adviezen/s |\n"
            "|---|---|---|---|---|---|---|\n"
            + "\n".join(f"| {m} | {p} | {n} | {a} | {c} | {s:.1f} | {r:.0f} |"
                        for m, p, n, a, c, s, r in rows)
            + "\n")
    if args.write:
        with args.write.open("a", encoding="utf-8") as f:
            f.write(text)
    writer.dispose()
    reader.dispose()


if __name__ == "__main__":
    main()
