"""How long `GET /v1/beleidsinformatie` takes over 100,000 adviezen (issue 15).

    .venv/bin/python bench/beleidsinformatie_bench.py [--adviezen 100000]

Fills a fresh database (a temporary SQLite file; and PostgreSQL when `OT_TEST_POSTGRES_URL`
is set: that database is EMPTIED first) with N adviezen and their derived rows (what
`service.beleidsrijen.beleid_rows` reads from four real traces of the public examples, stored N
times; every tenth advies is a second advies on the casus before it, which supersedes that one:
`vervangen_op`), besluiten in force on 30 % of them and follow-ups on 10 %, then times the whole
aggregate (`service.routes.beleidsinformatie.gather`: every figure, one SQL GROUP BY each) for
all time and for one quarter. Only the aggregation reads these tables, so the adviezen
themselves are stored as stubs without a trace (the derived rows are what the figures read; the
~100-300 KB traces are never touched by them). Invented people only.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import insert, text

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from engine import Engine  # noqa: E402
from service.beleidsrijen import beleid_rows  # noqa: E402
from service.db import (  # noqa: E402
    Advies,
    AdviesEffect,
    AdviesInstrument,
    AdviesKenmerk,
    Besluit,
    BesluitInstrument,
    Casus,
    Opvolging,
    OpvolgingInstrument,
    make_engines,
    session_factory,
)
from service.migrate import upgrade  # noqa: E402
from service.routes.beleidsinformatie import TABELLEN, gather, one_table  # noqa: E402

EXAMPLES = ROOT.parent / "shared" / "examples"
MIX = (("scootmobiel", 60), ("levenseinde-medicatie", 20), ("overgang-18", 15),
       ("verslaving-schulden", 5))
BATCH = 2000


def traces() -> list[dict[str, Any]]:
    eng = Engine.load()
    out = []
    for name, _ in MIX:
        data = yaml.safe_load((EXAMPLES / f"{name}.yaml").read_text("utf-8"))
        data.pop("verwachting", None)
        out.append(eng.advies(data).trace)
    return out


def fill(url: str, n: int) -> None:
    writer, _ = make_engines(url)
    upgrade(writer)
    sessions = session_factory(writer)
    kinds = traces()
    weights = [w for _, w in MIX]
    start = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    buf: dict[Any, list[dict[str, Any]]] = {}

    def flush() -> None:
        with sessions() as s:
            for model in (Casus, Advies, AdviesEffect, AdviesInstrument, AdviesKenmerk, Besluit,
                          BesluitInstrument, Opvolging, OpvolgingInstrument):
                if buf.get(model):
                    s.execute(insert(model), buf[model])
            s.commit()
        buf.clear()

    cid = ""
    previous: list[dict[str, Any]] = []
    for i in range(n):
        k = next(j for j, acc in enumerate(
            [sum(weights[:m + 1]) for m in range(len(weights))]) if i % 100 < acc)
        trace = kinds[k]
        aid = str(uuid.uuid4())
        stamp = (start + dt.timedelta(minutes=5 * i)).isoformat(timespec="microseconds"
                                                               ).replace("+00:00", "Z")
        if i % 10 == 9 and previous:  # a second advies on the casus before: it supersedes
            for row in previous:
                row["vervangen_op"] = stamp
        else:
            cid = str(uuid.uuid4())
            buf.setdefault(Casus, []).append(dict(id=cid, eigenaar="bench|c", versie=1,
                                                  data={}, aangemaakt=stamp, gewijzigd=stamp))
        buf.setdefault(Advies, []).append(dict(
            id=aid, volgnummer=i + 1, casus_id=cid, casus_versie=1, door="bench|c",
            aangemaakt=stamp, peildatum=trace["peildatum"], engine_versie="bench",
            pakketten=[], trace="", trace_hash="", vorige_hash="", keten_hash="",
            casus_hash=None, keten_versie=3))
        rows = beleid_rows(trace, advies_id=aid, volgnummer=i + 1, casus_id=cid,
                           aangemaakt=stamp)
        previous = [r for key in ("effecten", "instrumenten", "kenmerken") for r in rows[key]]
        for row in previous:
            row["vervangen_op"] = None
        buf.setdefault(AdviesEffect, []).extend(rows["effecten"])
        buf.setdefault(AdviesInstrument, []).extend(rows["instrumenten"])
        buf.setdefault(AdviesKenmerk, []).extend(rows["kenmerken"])
        first = rows["instrumenten"][-1] if rows["instrumenten"] else None
        if first is not None and i % 10 < 3:
            bid = str(uuid.uuid4())
            buf.setdefault(Besluit, []).append(dict(
                id=bid, advies_id=aid, casus_id=cid, instrumenten=[], motivering="",
                door="bench|c", aangemaakt=stamp, versie=1))
            buf.setdefault(BesluitInstrument, []).append(dict(
                besluit_id=bid, effect=first["effect"], instrument=first["instrument"],
                advies_id=aid, dossier=cid, aangemaakt=stamp, trede=first["trede"],
                uitkomst="toegekend" if i % 7 else "afgewezen", advies_status=first["status"],
                afwijking=None if i % 13 else "afgewezen_past", dagen=i % 30,
                termijn_dagen=first["termijn_dagen"]))
            if i % 10 == 0:
                oid = str(uuid.uuid4())
                uitkomst = ("bereikt", "deels", "niet_bereikt")[i % 3]
                buf.setdefault(Opvolging, []).append(dict(
                    id=oid, casus_id=cid, advies_id=aid, effect=first["effect"],
                    opvolgdatum=stamp[:10], uitkomst=uitkomst,
                    gebruikte_instrumenten=[first["instrument"]], toelichting="",
                    door="bench|c", aangemaakt=stamp, versie=1))
                buf.setdefault(OpvolgingInstrument, []).append(dict(
                    opvolging_id=oid, instrument=first["instrument"], dossier=cid,
                    effect=first["effect"], trede=first["trede"], uitkomst=uitkomst))
        if (i + 1) % BATCH == 0:
            flush()
    flush()
    if url.startswith("postgresql"):
        with writer.connect() as conn:
            conn.execute(text("ANALYZE"))
            conn.commit()
    writer.dispose()


def measure(url: str, label: str, n: int) -> None:
    t0 = time.perf_counter()
    fill(url, n)
    filled = time.perf_counter() - t0
    _, reader = make_engines(url)
    sessions = session_factory(reader)
    with sessions() as s:
        counts = {t: s.execute(text(f"SELECT COUNT(*) FROM {t}")).scalar() for t in (
            "advies_effecten", "advies_instrumenten", "advies_kenmerken",
            "besluit_instrumenten", "opvolging_instrumenten")}
    print(f"{label}: {n} adviezen gevuld in {filled:.1f} s; rijen: {counts}")
    for name, van, tot in (("alles", None, None),
                           ("één kwartaal", dt.date(2026, 4, 1), dt.date(2026, 6, 30))):
        times = []
        for _ in range(5):
            with sessions() as s:
                t = time.perf_counter()
                gather(s, van, tot, None)
                times.append(time.perf_counter() - t)
        print(f"  {name}: mediaan {statistics.median(times):.3f} s, max {max(times):.3f} s "
              "(5 keer de hele beleidsinformatie)")
    per = {}
    for tabel in TABELLEN:  # where the time goes: each table alone, as its CSV computes it
        with sessions() as s:
            t = time.perf_counter()
            one_table(s, None, None, None, tabel)
            per[tabel] = round(time.perf_counter() - t, 3)
    print(f"  per tabel (alles, één keer, s): {per}")
    reader.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--adviezen", type=int, default=100_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        measure(f"sqlite:///{tmp}/bench.sqlite3", "SQLite", args.adviezen)
    pg = os.environ.get("OT_TEST_POSTGRES_URL")
    if pg:
        from tests.api.conftest import reset_postgres

        reset_postgres(pg)
        measure(pg, "PostgreSQL", args.adviezen)


if __name__ == "__main__":
    main()
