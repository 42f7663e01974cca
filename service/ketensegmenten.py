"""One walk of a long chain split over processes (`ot keten --processen`; issue 13 asks for
20,000 links/s over 100,000, and one process walks about 10,000/s on this hardware).

Each link's checks need only the link itself and the stored `keten_hash` of its predecessor
(`service.store.walk_chain`). So a chain splits at any advies into segments that are walked side
by side: the first from the genesis (or from the auditor's checkpoint), every next one from a
checkpoint made of the stored link where the segment before it ends
(`walk_chain(vanaf=…, tot=…)`). Together they check exactly what one walk checks: segment i
proves the stored hash at its last link right (its `link_hash`), and segment i+1 starts from
that stored hash; only the last segment compares the chain's head. The first fault is that of
the first segment with one, so the answer (valid, count, first fault, message) is the one walk's
(`tests/api/test_keten_segmenten.py` holds them equal on damaged chains).

A segment is cut at an advies because an advies fixes the chain formula in force
(`keten_versie`), which the next segment needs; at a besluit or wissing it depends on what came
before. Below `MIN_LINKS` links the processes' start costs more than they save, and a request
of the service never starts processes: this is for the CLI.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Sequence
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from dataclasses import replace

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.db import Advies, make_engines, session_factory
from service.store import (
    ChainWalk,
    Controlepunt,
    has_ketens,
    head_of,
    intact_message,
    walk_chain,
)

MIN_LINKS = 20_000
"""Fewer links after the start than this: one walk (starting a process takes about a second)."""


def walk_segment(url: str, vanaf: Controlepunt | None, keten: str, tot: int | None) -> ChainWalk:
    """One segment in a process of its own: its own read-only connection to the database."""
    writer, reader = make_engines(url, create=False)
    try:
        with session_factory(reader)() as session:
            return walk_chain(session, vanaf, keten, tot)
    finally:
        writer.dispose()
        reader.dispose()


def cut_points(session: Session, keten: str, start: int, end: int, parts: int
               ) -> list[Controlepunt]:
    """Up to `parts - 1` adviezen strictly between `start` and `end`, spread evenly, as the
    checkpoints the later segments start from (their stored hash and formula)."""
    points: list[Controlepunt] = []
    for i in range(1, parts):
        target = start + (end - start) * i // parts
        query = (select(Advies.volgnummer, Advies.keten_hash, Advies.keten_versie)
                 .where(Advies.volgnummer >= max(target, start + 1), Advies.volgnummer < end)
                 .order_by(Advies.volgnummer).limit(1))
        if has_ketens(session):
            query = query.where(Advies.keten == keten)
        row = session.execute(query).first()
        if row is not None and row.keten_hash and (
                not points or row.volgnummer > points[-1].volgnummer):
            points.append(Controlepunt(row.volgnummer, row.keten_hash, row.keten_versie, keten))
    return points


def walk_in_segments(session: Session, vanaf: Controlepunt | None = None, keten: str = "",
                     processen: int = 2, *, min_links: int = MIN_LINKS,
                     executor: Callable[[int], Executor] | None = None) -> ChainWalk:
    """`walk_chain(session, vanaf, keten)`, with the links split over `processen` processes
    when there are at least `min_links` of them. `executor`: makes the pool for the later
    segments (default: processes started with spawn, each opening the session's database by
    its URL); the first segment is walked here, meanwhile."""
    if processen < 2:
        return walk_chain(session, vanaf, keten)
    keten = vanaf.keten if vanaf is not None else keten
    start = vanaf.volgnummer if vanaf is not None else 0
    head = head_of(session, keten)
    url = session.get_bind().engine.url
    if head is None or head[0] - start < min_links or url.database in (None, "", ":memory:"):
        return walk_chain(session, vanaf, keten)
    points = cut_points(session, keten, start, head[0], processen)
    if not points:
        return walk_chain(session, vanaf, keten)
    ends: list[int | None] = [p.volgnummer for p in points] + [None]
    make = executor or _processes
    with make(len(points)) as pool:
        later: list[Future[ChainWalk]] = [
            pool.submit(walk_segment, url.render_as_string(hide_password=False), p, keten, e)
            for p, e in zip(points, ends[1:], strict=True)]
        first = walk_chain(session, vanaf, keten, ends[0])
        walks = [first] + [f.result() for f in later]
    return combine(vanaf, [vanaf, *points], walks)


def combine(vanaf: Controlepunt | None, starts: Sequence[Controlepunt | None],
            walks: Sequence[ChainWalk]) -> ChainWalk:
    """The one walk's answer from its segments' (`starts[i]`: where segment i began)."""
    gewist = besluiten = wissingen = 0
    previous: ChainWalk | None = None
    for begin, walk in zip(starts, walks, strict=True):
        if previous is not None and begin is not None and (
                previous.kop_hash != begin.keten_hash or previous.formule != begin.formule):
            # the stored link changed between reading the cut and walking up to it
            return ChainWalk(False, begin.volgnummer, begin.volgnummer,
                             "keten_hash klopt niet (de schakel veranderde tijdens de controle)",
                             gewist, previous.kop_hash, previous.formule)
        if not walk.geldig:
            return replace(walk, gewist=gewist + walk.gewist)
        gewist += walk.gewist
        besluiten += walk.besluiten
        wissingen += walk.wissingen
        previous = walk
    assert previous is not None
    return ChainWalk(True, previous.aantal, None,
                     intact_message(previous.aantal, vanaf.volgnummer if vanaf else None,
                                    besluiten, wissingen, gewist),
                     gewist, previous.kop_hash, previous.formule, besluiten, wissingen)


def _processes(n: int) -> Executor:
    # spawn, not fork: the parent holds an open database connection and maybe threads
    return ProcessPoolExecutor(max_workers=n, mp_context=multiprocessing.get_context("spawn"))
