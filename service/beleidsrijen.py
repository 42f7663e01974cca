"""Beleidsinformatie: the rows the aggregates of `/v1/beleidsinformatie` are computed from.

The aggregates run in SQL over these indexed rows, never over the traces (~275 KB each). The
rows are derived from the chained trace and besluit when they are stored (`service.store`
calls `write_advies_rows`, `write_besluit_rows`, `erase_beleid_rows`) and, for older records,
by migration 0008; they are not links of the chain: the chain covers what they are read from.
Ids and categories only, never free text or a name (AVG).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, cast

import orjson
from sqlalchemy import Table, delete, insert, select, update
from sqlalchemy.orm import Session

from engine import Receipt, feitadres, semantics
from service.db import (
    Advies,
    AdviesEffect,
    AdviesInstrument,
    AdviesKenmerk,
    Besluit,
    BesluitInstrument,
    Opvolging,
    OpvolgingInstrument,
)


@dataclass(frozen=True)
class Afwijking:
    """A besluit departing from its advies on one instrument."""

    code: str
    """Its category in the beleidsinformatie (never the motivering)."""
    reden: str
    """The end of the reason why that instrument needs its own motivering (400)."""


AFWIJKINGEN: dict[tuple[str, str], Afwijking] = {
    ("toegekend", "past_niet"): Afwijking(
        "toegekend_past_niet", "niet past: motiveer waarom het toch gekozen is"),
    ("afgewezen", "past"): Afwijking(
        "afgewezen_past", "past: motiveer waarom het toch is afgewezen"),
}
"""(uitkomst, the advies' status) where a besluit departs from its advies: the one definition
the besluit check (`service.routes.besluiten`) and the beleidsinformatie read.
`niet_aangevraagd` departs from nothing: nobody decided on it."""


def afwijking_code(uitkomst: str, status: str | None) -> str | None:
    found = AFWIJKINGEN.get((uitkomst, status or ""))
    return None if found is None else found.code


BESLISTERMIJNEN = ("beslistermijn", "beschikking")
"""The trace's termijn ids that bound the time to decide on an aanvraag (Awb 4:13, Wmo 2.3.5
lid 2): the statutory period that the time from advies to besluit is set against."""

DAGEN_PER_EENHEID = {"dagen": 1, "weken": 7, "maanden": 30}
"""A termijn in days; a month counts 30 days (the decision periods in the packs are weeks)."""

def decision_period(instrument: Mapping[str, Any]) -> int | None:
    """The shortest statutory decision period of an instrument in the trace, in days; None
    when the trace names none that may apply."""
    days = [t["duur"] * DAGEN_PER_EENHEID[t["eenheid"]] for t in instrument.get("termijnen", [])
            if t.get("id") in BESLISTERMIJNEN and t.get("uitkomst") != "nee"
            and isinstance(t.get("duur"), int) and t.get("eenheid") in DAGEN_PER_EENHEID]
    return min(days) if days else None


def _fact_name(address: str) -> str | None:
    """`personen[p1].leeftijd` → `persoon.leeftijd`: the fact, never whose fact it is."""
    parsed = feitadres.parse(address)
    return None if parsed is None else parsed.catalogus_naam


def beleid_rows(trace: Mapping[str, Any], *, advies_id: str, volgnummer: int,
                casus_id: str | None, aangemaakt: str) -> dict[str, list[dict[str, Any]]]:
    """What aggregation needs of one advies' trace, as rows for `advies_effecten`,
    `advies_instrumenten` and `advies_kenmerken` (keys `effecten`, `instrumenten`,
    `kenmerken`). Pure: used by `store_advies` and by migration 0008's backfill."""
    advies = trace.get("advies") or {}
    gemeente = (trace.get("gemeente") or {}).get("code")
    base = {"advies_id": advies_id, "volgnummer": volgnummer, "dossier": casus_id or advies_id}
    casus_domeinen = len((advies.get("stap2") or {}).get("domeinen") or [])
    out: dict[str, list[dict[str, Any]]] = {"effecten": [], "instrumenten": [], "kenmerken": []}
    once: set[tuple[str, str, str | None, str | None]] = set()
    """Each (soort, kenmerk, instrument, door) once per advies, with the first effect that
    names it: the figures count casussen, and one row per advies lets them count rows
    (`count(*)`) instead of distinct dossiers."""
    for e in advies.get("effecten", []):
        stap2 = e.get("stap2") or {}
        effect = {"effect": e["id"], "gemeente": gemeente, "aangemaakt": aangemaakt,
                  "leefgebied": e.get("leefgebied", ""),
                  "domeinen": len(stap2.get("domeinen") or []),
                  "grondwaarde": not stap2.get("geen_grondwaarde", False)}
        out["effecten"].append({**base, **effect, "casus_id": casus_id,
                                "casus_domeinen": casus_domeinen})
        kenmerken: dict[tuple[str, str, str | None], str | None] = {}
        for vraag in e.get("nog_uitvragen", []):
            name = _fact_name(vraag.get("feit", ""))
            if name is not None:
                kenmerken[("nog_uitvragen", name, None)] = None
        for ins in e.get("stap4", {}).get("instrumenten", []):
            out["instrumenten"].append({**base, **effect, "instrument": ins["id"],
                                        "trede": ins.get("trede", ""), "status": ins["status"],
                                        "termijn_dagen": decision_period(ins)})
            if ins["status"] == "past_niet":
                continue  # a discretionary ground only decides where it keeps the door open
            for reden in ins.get("redenen", []):
                if (reden.get("door") and reden.get("soort") != "begrenzing"
                        and reden.get("stand") != semantics.STAND_ONBEKEND):
                    kenmerken[("beslisruimte", reden["id"], ins["id"])] = reden["door"]
        for (soort, kenmerk, instrument), door in kenmerken.items():
            if (soort, kenmerk, instrument, door) not in once:
                once.add((soort, kenmerk, instrument, door))
                out["kenmerken"].append({**base, "effect": e["id"], "soort": soort,
                                         "kenmerk": kenmerk, "instrument": instrument,
                                         "door": door, "gemeente": gemeente,
                                         "aangemaakt": aangemaakt})
    return out


def write_advies_rows(session: Session, receipt: Receipt, row: Advies) -> None:
    """The derived rows of a new advies, in the transaction that stores it (`beleid_rows`),
    read from the trace as the evaluator built it where the receipt still has it (parsing the
    text again cost a sixth of a stored advies). The rows go in as one Core executemany per
    table: the ORM's bulk path builds objects the transaction never reads."""
    trace = receipt.built if receipt.built is not None else orjson.loads(receipt.trace_json)
    rows = beleid_rows(trace, advies_id=row.id, volgnummer=row.volgnummer,
                       casus_id=row.casus_id, aangemaakt=row.aangemaakt)
    session.flush()  # the advies first: the rows refer to it
    if rows["effecten"]:
        supersede(session, rows["effecten"][0]["dossier"], row.volgnummer, row.aangemaakt)
    for model, key in ((AdviesEffect, "effecten"), (AdviesInstrument, "instrumenten"),
                       (AdviesKenmerk, "kenmerken")):
        if rows[key]:
            session.execute(insert(cast(Table, model.__table__)), rows[key])


ADVIES_ROWS = (AdviesEffect, AdviesInstrument, AdviesKenmerk)


def supersede(session: Session, dossier: str, volgnummer: int, aangemaakt: str) -> None:
    """A new advies with effects on `dossier` supersedes the dossier's latest one: its rows get
    `vervangen_op`, so the beleidsinformatie finds "per casus its latest advies in the period"
    with a range predicate. Only an advies with effects supersedes: one without has no rows and
    was never part of the population (migration 0008's backfill follows the same rule)."""
    for model in ADVIES_ROWS:
        session.execute(update(model).where(
            model.dossier == dossier, model.vervangen_op.is_(None),
            model.volgnummer < volgnummer).values(vervangen_op=aangemaakt))


def whole_days(van: str, tot: str) -> int:
    """Calendar days between two stored timestamps (their UTC dates)."""
    return (dt.date.fromisoformat(tot[:10]) - dt.date.fromisoformat(van[:10])).days


def besluit_rows(besluit: Mapping[str, Any], *, advies_aangemaakt: str, dossier: str,
                 judged: Mapping[tuple[str, str], tuple[str, str, int | None]]
                 ) -> list[dict[str, Any]]:
    """The derived rows of one besluit (`besluit_instrumenten`); `judged` maps (effect,
    instrument) of its advies to (trede, status, termijn_dagen). Pure: used by
    `store_besluit` and by migration 0008's backfill."""
    rows = []
    for i in besluit["instrumenten"]:
        trede, status, termijn = judged.get((i.get("effect") or "", i["instrument"]),
                                            (None, None, None))
        uitkomst = i.get("uitkomst", "toegekend")
        rows.append({"besluit_id": besluit["id"], "effect": i.get("effect") or "",
                     "instrument": i["instrument"], "advies_id": besluit["advies_id"],
                     "dossier": dossier, "aangemaakt": besluit["aangemaakt"], "trede": trede,
                     "uitkomst": uitkomst, "advies_status": status,
                     "afwijking": afwijking_code(uitkomst, status),
                     "dagen": whole_days(advies_aangemaakt, besluit["aangemaakt"]),
                     "termijn_dagen": termijn})
    return rows


def write_besluit_rows(session: Session, row: Besluit, advies: Advies) -> None:
    """The derived rows of a new besluit; those of the version it corrects go (the besluit
    itself stays): the rows hold the besluiten in force."""
    if row.vervangt is not None:
        session.execute(delete(BesluitInstrument).where(
            BesluitInstrument.besluit_id == row.vervangt))
    judged = {(r.effect, r.instrument): (r.trede, r.status, r.termijn_dagen)
              for r in session.execute(select(
                  AdviesInstrument.effect, AdviesInstrument.instrument, AdviesInstrument.trede,
                  AdviesInstrument.status, AdviesInstrument.termijn_dagen).where(
                  AdviesInstrument.advies_id == advies.id))}
    rows = besluit_rows({k: getattr(row, k) for k in ("id", "advies_id", "aangemaakt",
                                                      "instrumenten")},
                        advies_aangemaakt=advies.aangemaakt,
                        dossier=advies.casus_id or advies.id, judged=judged)
    session.flush()  # the besluit first: the rows refer to it
    if rows:
        session.execute(insert(BesluitInstrument), rows)


def erase_beleid_rows(session: Session, casus_id: str) -> None:
    """With an AVG erasure: the derived rows of the casus go like its traces, and the note of
    each follow-up (`toelichting`, the one free text) is blanked; the follow-ups' outcome,
    instruments, actor and times stay, as a besluit's do."""
    for model in (AdviesEffect, AdviesInstrument, AdviesKenmerk, BesluitInstrument,
                  OpvolgingInstrument):
        session.execute(delete(model).where(model.dossier == casus_id))
    session.execute(update(Opvolging).where(Opvolging.casus_id == casus_id)
                    .values(toelichting=""))
# ── einde beleidsinformatie ─────────────────────────────────────────────────────────────────
