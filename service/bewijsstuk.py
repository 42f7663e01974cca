"""The full trace (bewijsstuk) of a stored advies, rendered on demand (issue 13).

Since migration 0009 an advies stores its kern (`engine.kern`, docs/kern.md), not its full
trace: the trace is a deterministic function of the casus as evaluated, the pinned pack
versions and the engine version, so it is evaluated again whenever someone asks for it (the
API, the web page, the report, replay, impact). What is shown must be exactly what was decided
then: the rendered trace must hash to the stored and chained `trace_hash`, and its kern to
`kern_hash`; otherwise it is refused (`NietTeTonen`) with the reason, never shown as if it
were the advies. An advies stored before 0009 keeps its trace as stored.

Rendered traces are kept per process by their hash (content-addressed, so a hit needs no
check again), a few at a time: they are large (up to a few hundred KB).
"""

from __future__ import annotations

import json
import logging
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import CasusError, Engine, kern_van
from engine.evaluate import trace_hash
from engine.impact import Opgeslagen
from engine.version import __version__
from service.db import Advies
from service.problems import ApiProblem
from service.store import evaluated_casus, is_erased, stored_kern, stores_kern

Pinned = Callable[[list[str]], Engine]
"""An engine of the given stored pack versions (`service.engines.Engines.pinned`)."""

log = logging.getLogger("service")
CACHE = 16
_cache: OrderedDict[str, tuple[str, tuple[str, ...], str]] = OrderedDict()
"""trace_hash → (casus_hash, pack hashes, trace text) of traces rendered and checked."""
_lock = threading.Lock()


class NietTeTonen(Exception):
    """The stored advies cannot be shown as its full trace; the message says why in Dutch and
    names no person or casus field."""


def trace_json(session: Session, row: Advies, pinned: Pinned) -> str:
    """The advies' full trace as canonical JSON text: as stored (formula 1–3), or rendered
    from its casus and pinned packs and checked against `trace_hash` (formula 4). "" for an
    erased advies.

    The cache spares the evaluation, never the checks of this row's own inputs: a rendered
    trace is kept with the casus hash and pack hashes it was made from, and used only for a
    row whose trace_hash, casus_hash and packs are those, after its casus is checked."""
    if not stores_kern(row):
        return row.trace
    if is_erased(row):
        return ""
    casus = _checked_casus(session, row)
    packs = tuple(p["hash"] for p in row.pakketten)
    with _lock:
        found = _cache.get(row.trace_hash)
        if found is not None:
            _cache.move_to_end(row.trace_hash)
    if found is not None and found[:2] == (row.casus_hash, packs):
        return found[2]
    text = _render(row, casus, pinned)
    _keep(row, text)
    return text


def _keep(row: Advies, text: str) -> None:
    """Cache a trace under the row's trace_hash with the casus hash and packs it was made from."""
    with _lock:
        _cache[row.trace_hash] = (str(row.casus_hash), tuple(p["hash"] for p in row.pakketten),
                                  text)
        while len(_cache) > CACHE:
            _cache.popitem(last=False)


def clear_cache() -> None:
    """Forget every rendered trace (tests use it to make a read render again)."""
    with _lock:
        _cache.clear()


def remember(row: Advies, text: str) -> None:
    """Keep the trace of an advies just made (its receipt's text, which `trace_hash` was
    computed from), so that reading it back in this worker costs no evaluation."""
    if stores_kern(row):
        _keep(row, text)


def trace_of(session: Session, row: Advies, pinned: Pinned) -> dict[str, Any] | None:
    """`trace_json` parsed; None for an erased advies."""
    text = trace_json(session, row, pinned)
    if not text:
        return None
    parsed: dict[str, Any] = json.loads(text)
    return parsed


def kern_of(row: Advies) -> dict[str, Any] | None:
    """The advies' kern: as stored (formula 4) or projected from its stored trace; None for an
    erased advies."""
    if stores_kern(row):
        return stored_kern(row.kern)
    return kern_van(json.loads(row.trace)) if row.trace else None


def _checked_casus(session: Session, row: Advies) -> dict[str, Any]:
    if row.engine_versie != __version__:
        raise NietTeTonen(f"Advies {row.id} is gemaakt met engine {row.engine_versie}; deze "
                          f"service draait engine {__version__}, dus de volledige trace is niet "
                          "byte voor byte opnieuw op te bouwen. De kern (vorm=kern) blijft "
                          "beschikbaar.")
    casus = evaluated_casus(session, row)
    if casus is None:
        raise NietTeTonen(f"Advies {row.id}: de geëvalueerde casus is niet (meer) opgeslagen.")
    if trace_hash(casus) != row.casus_hash:
        raise NietTeTonen(f"Advies {row.id}: de opgeslagen casus klopt niet met casus_hash; "
                          "de trace wordt niet getoond.")
    return casus


def _render(row: Advies, casus: dict[str, Any], pinned: Pinned) -> str:
    try:
        receipt = pinned([p["hash"] for p in row.pakketten]).advies(casus)
    except CasusError as exc:
        raise NietTeTonen(f"Advies {row.id}: de opgeslagen casus past niet bij de vastgepinde "
                          "pakketten") from exc
    if receipt.trace_hash != row.trace_hash:
        raise NietTeTonen(f"Advies {row.id}: de trace opnieuw opgebouwd uit de casus en de "
                          "vastgepinde pakketten hasht niet naar de opgeslagen trace_hash; de "
                          "trace wordt niet getoond.")
    if receipt.kern_json and trace_hash(json.loads(receipt.kern_json)) != row.kern_hash:
        raise NietTeTonen(f"Advies {row.id}: de kern van de opnieuw opgebouwde trace klopt niet "
                          "met kern_hash.")
    return receipt.trace_json


def stored_adviezen(session: Session, pinned: Pinned, sinds: str | None = None,
                    batch: int = 200, deel: tuple[int, int] | None = None
                    ) -> Iterator[Opgeslagen]:
    """Stored adviezen as impact reads them (`engine.impact.Opgeslagen`), in chain order, chain
    by chain, erased ones left out, streamed in batches (read-only): the kern at once, the full
    trace rendered only when impact asks (`trace()`, within this iteration: it reads the casus
    with `session`). `deel=(k, n)` selects every n-th advies (volgnummer mod n == k), to spread
    over processes. A trace that cannot be rendered gives None, with a warning naming the
    advies and why (`NietTeTonen`); impact leaves it out."""
    stmt = select(Advies).order_by(Advies.keten, Advies.volgnummer)
    if sinds:
        stmt = stmt.where(Advies.aangemaakt >= sinds)
    if deel:
        stmt = stmt.where(Advies.volgnummer % deel[1] == deel[0])
    for row in session.scalars(stmt.execution_options(yield_per=batch)):
        if is_erased(row):
            continue  # an erased advies has no trace left to re-evaluate
        kern = kern_of(row)
        if kern is None:
            continue

        def trace(row: Advies = row) -> dict[str, Any] | None:
            try:
                return trace_of(session, row, pinned)
            except (NietTeTonen, ApiProblem) as exc:
                log.warning("advies %s overgeslagen: %s", row.id,
                            exc.detail if isinstance(exc, ApiProblem) else exc)
                return None

        def casus(row: Advies = row) -> dict[str, Any] | None:
            try:
                return _checked_casus(session, row)
            except NietTeTonen as exc:
                log.warning("advies %s overgeslagen: %s", row.id, exc)
                return None

        try:
            engine = pinned([p["hash"] for p in row.pakketten])
        except ApiProblem:
            engine = None  # a pack version is not stored: trace() says so, impact leaves it out
        yield Opgeslagen(row.id, kern, engine, trace, casus if stores_kern(row) else None)


def stored_traces(session: Session, pinned: Pinned, sinds: str | None = None,
                  batch: int = 200, deel: tuple[int, int] | None = None
                  ) -> Iterator[tuple[str, dict[str, Any]]]:
    """Stored adviezen (id, full trace), as `stored_adviezen` with every trace rendered; an
    advies whose trace cannot be rendered is left out, with a warning."""
    for item in stored_adviezen(session, pinned, sinds, batch, deel):
        trace = item.trace()
        if trace is not None:
            yield item.id, trace


def pinned_in(session: Session) -> Pinned:
    """`Pinned` for a process without `service.engines.Engines` (the CLI, an impact job): the
    stored pack versions, one engine per combination, kept for the session's life."""
    from service.engines import stored_engine

    engines: dict[tuple[str, ...], Engine] = {}

    def pinned(hashes: list[str]) -> Engine:
        key = tuple(sorted(hashes))
        if key not in engines:
            engines[key] = stored_engine(session, key)
        return engines[key]

    return pinned
