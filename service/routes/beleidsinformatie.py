"""`beleidsinformatie`: what the desk teaches policy, in counts only.

For a beleidsmedewerker (and the auditor): over a period, per gemeente, how many casussen span
one, two or three or more domains (with Oosterhout's reference figure), which gewenste effecten
no law's purpose covers, per instrument and rung what was advised, granted and reached at the
follow-up, which besluiten depart from their advies, which questions were most often still
open, which discretionary grounds most often decided, and how long a besluit took against its
statutory period.

Every figure is one SQL GROUP BY over the derived, indexed rows (`service.db.AdviesEffect` and
its siblings), never a trace loaded into Python. Privacy: no casus, advies or besluit id, no
free text, and every count is published by the one rule the impact overzicht uses too
(`engine.impact.gepubliceerd`, bound here in `published`): under `DREMPEL` (0 included) the
string "< 5", anything else rounded to a multiple of `AFRONDING`. Exact counts next to "< 5"
would give a small cell away by subtraction (a trede's total minus its other instruments);
rounded ones leave it a range as wide as "< 5" itself (docs/beleidsinformatie.md). Totals
are rounded on their own, so rows need not add up to them. Each request is a record of the
processing log (an aggregation of personal data for policy), without a betrokkene.

The population: every casus with an advies made in the period (`van` to `tot`, both
inclusive, UTC dates), for `gemeente` when given; per casus its latest advies in the period
counts, with the besluiten in force and the follow-ups in force of that casus.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable, Iterable, Sequence
from typing import Any, Literal

from fastapi import APIRouter, Depends, Query, Request, Response
from sqlalchemy import ColumnElement, Select, case, exists, func, or_, select, tuple_
from sqlalchemy.orm import Session, aliased

from engine.impact import AFRONDING, DREMPEL, gepubliceerd
from service.auth import Principal, require
from service.db import (
    AdviesEffect,
    AdviesInstrument,
    AdviesKenmerk,
    BesluitInstrument,
    Opvolging,
    OpvolgingInstrument,
)
from service.deps import db_read
from service.problems import ApiProblem
from service.routes.logboek import record_reads
from service.schemas import (
    AfwijkingRij,
    Beleidsinformatie,
    BeslisruimteRij,
    CasussenPerDomeinen,
    DomeinenRij,
    InstrumentRij,
    LeefgebiedRij,
    OpenVraagRij,
    OpvolgingRij,
    Referentie,
    TermijnRij,
    TredeRij,
    ZonderGrondwaarde,
)

router = APIRouter(tags=["beleidsinformatie"])

ONDERDRUKT: Literal["< 5"] = "< 5"
"""How this contract spells a small cell (and 0)."""
TOP = 10
"""How many open questions and discretionary grounds are listed."""

OOSTERHOUT = Referentie(
    bron="Factsheet 'Regelvrij & integraal: De inwoner centraal', evaluatie van de pilot "
         "'Regelvrij integraal sociaal domein', gemeente Oosterhout",
    citaat="in slechts 1 tot 3% van de vraagstukken in Oosterhout naar schatting sprake is van "
           "problematiek op drie domeinen (Wmo, Jeugd en Participatie)",
    domeinen="3+", aandeel_procent_van=1.0, aandeel_procent_tot=3.0)

TREDEN = ("eigen_kracht", "gebruikelijke_hulp", "netwerk", "algemene_voorziening", "maatwerk")
"""The ladder, in order (rows are sorted along it)."""

TABELLEN = ("domeinen", "zonder_grondwaarde", "instrumenten", "treden", "afwijkingen",
            "open_vragen", "beslisruimte", "termijnen", "opvolging")
Tabel = Literal["domeinen", "zonder_grondwaarde", "instrumenten", "treden", "afwijkingen",
                "open_vragen", "beslisruimte", "termijnen", "opvolging"]


def published(n: int | None) -> int | Literal["< 5"]:
    """A count as this resource publishes it: `engine.impact.gepubliceerd` (the one rule),
    with 0 shown as "< 5" too, so "< 5" never tells that someone is there."""
    shown = gepubliceerd(int(n or 0), klein=ONDERDRUKT, nul=ONDERDRUKT)
    return ONDERDRUKT if isinstance(shown, str) else shown


class Periode:
    """The query: period, gemeente, and the population as a predicate on any of the three
    `advies_*` tables (`current`).

    Without `gemeente`, "per casus its latest advies in the period" is a range predicate on the
    row itself: made in the period and not superseded (`vervangen_op`, the time the dossier's
    next advies was stored) before the period ends. That is the same set as the latest advies
    made within the period: a later advies inside the period supersedes it before the end, one
    after the period does not. No GROUP BY per dossier: each figure reads its own table's
    covering index (`ix_*_laatste`, ordered as the figure groups, so it streams unsorted).
    With `gemeente`, the latest advies *in that gemeente* counts (a casus may move), which a
    single `vervangen_op` cannot express: that population stays the GROUP BY per dossier,
    narrowed to the gemeente's rows.
    """

    def __init__(self, van: dt.date | None, tot: dt.date | None, gemeente: str | None):
        self.van, self.tot, self.gemeente = van, tot, gemeente
        self.start = None if van is None else van.isoformat()
        self.end = None if tot is None else (tot + dt.timedelta(days=1)).isoformat()
        """Exclusive: the first moment after the period (timestamps compare as ISO text)."""
        self.latest = None
        if gemeente is not None:
            ae = AdviesEffect
            self.latest = (select(ae.dossier, func.max(ae.volgnummer).label("volgnummer"))
                           .where(*self._period(ae), ae.gemeente == gemeente)
                           .group_by(ae.dossier).subquery("laatste"))

    def _period(self, model: Any) -> list[ColumnElement[bool]]:
        where = []
        if self.start is not None:
            where.append(model.aangemaakt >= self.start)
        if self.end is not None:
            where.append(model.aangemaakt < self.end)
        return where

    def current(self, model: Any) -> list[ColumnElement[bool]]:
        """The rows of `model` (AdviesEffect, AdviesInstrument or AdviesKenmerk) that belong to
        the population's adviezen."""
        if self.latest is not None:
            # by dossier and volgnummer: a volgnummer is a place in one chain (one per
            # gemeente since migration 0010), not an advies of its own
            return [model.gemeente == self.gemeente,
                    tuple_(model.dossier, model.volgnummer).in_(
                        select(self.latest.c.dossier, self.latest.c.volgnummer))]
        if self.end is None:
            return [*self._period(model), model.vervangen_op.is_(None)]
        return [*self._period(model),
                or_(model.vervangen_op.is_(None), model.vervangen_op >= self.end)]

    def dossiers(self) -> Select[Any]:
        return select(AdviesEffect.dossier).where(*self.current(AdviesEffect))


def _rows(session: Session, stmt: Any) -> Sequence[Any]:
    return session.execute(stmt).all()


def domeinen(session: Session, p: Periode) -> CasussenPerDomeinen:
    bucket = case((AdviesEffect.casus_domeinen >= 3, "3+"),
                  (AdviesEffect.casus_domeinen == 2, "2"),
                  (AdviesEffect.casus_domeinen == 1, "1"), else_="0").label("b")
    found = dict(_rows(session, select(bucket, func.count(func.distinct(AdviesEffect.advies_id)))
                       .where(*p.current(AdviesEffect)).group_by(bucket)))
    return CasussenPerDomeinen(
        rijen=[DomeinenRij(domeinen=b, casussen=published(found.get(b)))
               for b in ("0", "1", "2", "3+")],
        referentie=OOSTERHOUT)


def zonder_grondwaarde(session: Session, p: Periode) -> ZonderGrondwaarde:
    """One GROUP BY: the total is the sum of the exact counts per leefgebied, then published
    on its own (so the rows need not add up to it)."""
    n = func.count()
    per = _rows(session, select(AdviesEffect.leefgebied, n)
                .where(*p.current(AdviesEffect), AdviesEffect.grondwaarde.is_(False))
                .group_by(AdviesEffect.leefgebied).order_by(n.desc(), AdviesEffect.leefgebied))
    return ZonderGrondwaarde(effecten=published(sum(int(r[1]) for r in per)),
                             per_leefgebied=[LeefgebiedRij(leefgebied=r[0],
                                                          effecten=published(r[1]))
                                             for r in per])


def _ladder(trede: str | None) -> tuple[int, str]:
    return (TREDEN.index(trede) if trede in TREDEN else len(TREDEN), trede or "")


Counts = dict[tuple[str, str], dict[str, int]]
COLUMNS_INSTRUMENT = ("past", "voorwaardelijk", "toegekend", "bereikt", "deels", "niet_bereikt")


def instrument_counts(session: Session, p: Periode) -> Counts:
    """Per (trede, instrument): advised past / voorwaardelijk (per gewenst effect of the latest
    advies), granted by a besluit in force, and the follow-up's outcome where the instrument
    was used. Each column is its own GROUP BY; the per-trede table sums these (every column
    counts rows or distinct tuples that include the instrument, so the sums are exact). The
    counts are exact here: only `instrumenten` and `treden` publish them, each cell on its own."""
    counts: Counts = {}

    def add(key: tuple[str, str], column: str, n: int) -> None:
        counts.setdefault(key, {})[column] = counts.get(key, {}).get(column, 0) + n

    ai = AdviesInstrument
    for trede, instrument, status, n in _rows(
            session, select(ai.trede, ai.instrument, ai.status, func.count())
            .where(*p.current(ai), ai.status.in_(("past", "voorwaardelijk")))
            .group_by(ai.trede, ai.instrument, ai.status)):
        add((trede, instrument), status, n)
    bi = BesluitInstrument
    granted = (select(bi.dossier, bi.effect, bi.instrument, bi.trede).distinct()
               .where(bi.uitkomst == "toegekend", bi.dossier.in_(p.dossiers()))
               .subquery("toegekend"))
    for trede, instrument, n in _rows(
            session, select(granted.c.trede, granted.c.instrument, func.count())
            .group_by(granted.c.trede, granted.c.instrument)):
        add((trede or "", instrument), "toegekend", n)
    oi = OpvolgingInstrument
    for trede, instrument, uitkomst, n in _rows(
            session, select(oi.trede, oi.instrument, oi.uitkomst, func.count())
            .where(oi.dossier.in_(p.dossiers()))
            .group_by(oi.trede, oi.instrument, oi.uitkomst)):
        add((trede or "", instrument), uitkomst, n)
    return counts


def instrumenten(counts: Counts) -> list[InstrumentRij]:
    ordered = sorted(counts.items(), key=lambda kv: (*_ladder(kv[0][0]), kv[0][1]))
    return [InstrumentRij(trede=trede, instrument=instrument,
                          **{c: published(v.get(c)) for c in COLUMNS_INSTRUMENT})
            for (trede, instrument), v in ordered]


def treden(counts: Counts) -> list[TredeRij]:
    per: dict[str, dict[str, int]] = {}
    for (trede, _), v in counts.items():
        for column, n in v.items():
            per.setdefault(trede, {})[column] = per.get(trede, {}).get(column, 0) + n
    return [TredeRij(trede=trede, **{c: published(v.get(c)) for c in COLUMNS_INSTRUMENT})
            for trede, v in sorted(per.items(), key=lambda kv: _ladder(kv[0]))]


def afwijkingen(session: Session, p: Periode) -> list[AfwijkingRij]:
    bi = BesluitInstrument
    departed = (select(bi.dossier, bi.effect, bi.instrument, bi.afwijking).distinct()
                .where(bi.afwijking.is_not(None), bi.dossier.in_(p.dossiers()))
                .subquery("afwijkend"))
    rows = _rows(session, select(departed.c.instrument, departed.c.afwijking, func.count())
                 .group_by(departed.c.instrument, departed.c.afwijking)
                 .order_by(departed.c.instrument, departed.c.afwijking))
    return [AfwijkingRij(instrument=r[0], categorie=r[1], besluiten=published(r[2]))
            for r in rows]


def _top(session: Session, p: Periode, soort: str, *columns: Any) -> Sequence[Any]:
    """Casussen per kenmerk: a row is stored once per advies (`beleid_rows`) and the population
    holds one advies per casus, so counting rows counts casussen (no DISTINCT: the
    costliest aggregate of the answer)."""
    ak = AdviesKenmerk
    n = func.count()
    return _rows(session, select(*columns, n)
                 .where(ak.soort == soort, *p.current(ak)).group_by(*columns)
                 .order_by(n.desc(), *columns).limit(TOP))


def open_vragen(session: Session, p: Periode) -> list[OpenVraagRij]:
    return [OpenVraagRij(feit=r[0], casussen=published(r[1]))
            for r in _top(session, p, "nog_uitvragen", AdviesKenmerk.kenmerk)]


def beslisruimte(session: Session, p: Periode) -> list[BeslisruimteRij]:
    ak = AdviesKenmerk
    return [BeslisruimteRij(instrument=r[0] or "", grond=r[1], door=r[2] or "",
                            casussen=published(r[3]))
            for r in _top(session, p, "beslisruimte", ak.instrument, ak.kenmerk, ak.door)]


def termijnen(session: Session, p: Periode) -> list[TermijnRij]:
    """Besluiten in force that decided (granted or refused) an instrument with a statutory
    decision period: how many within it, counted from the advies (which stands in for the
    aanvraag) to the besluit, in whole days. `buiten_termijn` is computed from the exact counts
    and published on its own: besluiten minus binnen_termijn as shown is not it."""
    bi = BesluitInstrument
    binnen = func.sum(case((bi.dagen <= bi.termijn_dagen, 1), else_=0))
    rows = _rows(session, select(bi.instrument, bi.termijn_dagen, func.count(), binnen)
                 .where(bi.termijn_dagen.is_not(None),
                        bi.uitkomst.in_(("toegekend", "afgewezen")),
                        bi.dossier.in_(p.dossiers()))
                 .group_by(bi.instrument, bi.termijn_dagen)
                 .order_by(bi.instrument, bi.termijn_dagen))
    return [TermijnRij(instrument=r[0], termijn_dagen=r[1], besluiten=published(r[2]),
                       binnen_termijn=published(r[3]),
                       buiten_termijn=published(int(r[2]) - int(r[3] or 0)))
            for r in rows]


def opvolging(session: Session, p: Periode) -> list[OpvolgingRij]:
    newer = aliased(Opvolging)
    found = dict(_rows(session, select(Opvolging.uitkomst, func.count())
                       .where(Opvolging.casus_id.in_(p.dossiers()),
                              ~exists().where(newer.vervangt == Opvolging.id))
                       .group_by(Opvolging.uitkomst)))
    return [OpvolgingRij(uitkomst=u, effecten=published(found.get(u)))
            for u in ("bereikt", "deels", "niet_bereikt")]


def gather(session: Session, van: dt.date | None, tot: dt.date | None,
           gemeente: str | None) -> Beleidsinformatie:
    """Every figure for the period: one SQL aggregate each (the per-trede table is summed
    from the per-instrument counts)."""
    p = Periode(van, tot, gemeente)
    counts = instrument_counts(session, p)
    return Beleidsinformatie(
        van=van, tot=tot, gemeente=gemeente, drempel=DREMPEL, afronding=AFRONDING,
        domeinen=domeinen(session, p),
        zonder_grondwaarde=zonder_grondwaarde(session, p),
        instrumenten=instrumenten(counts), treden=treden(counts),
        afwijkingen=afwijkingen(session, p), open_vragen=open_vragen(session, p),
        beslisruimte=beslisruimte(session, p), termijnen=termijnen(session, p),
        opvolging=opvolging(session, p))


def one_table(session: Session, van: dt.date | None, tot: dt.date | None,
              gemeente: str | None, tabel: str) -> list[Any]:
    """The rows of one table only (the CSV export): only its own aggregates run."""
    p = Periode(van, tot, gemeente)
    if tabel == "domeinen":
        return domeinen(session, p).rijen
    if tabel == "zonder_grondwaarde":
        return zonder_grondwaarde(session, p).per_leefgebied
    if tabel in ("instrumenten", "treden"):
        counts = instrument_counts(session, p)
        return instrumenten(counts) if tabel == "instrumenten" else treden(counts)
    figures: dict[str, Callable[[Session, Periode], list[Any]]] = {
        "afwijkingen": afwijkingen, "open_vragen": open_vragen, "beslisruimte": beslisruimte,
        "termijnen": termijnen, "opvolging": opvolging}
    return figures[tabel](session, p)


def table(info: Beleidsinformatie, tabel: str) -> list[dict[str, Any]]:
    """One table of the answer as rows of plain values (the CSV export)."""
    if tabel == "domeinen":
        return [r.model_dump() for r in info.domeinen.rijen]
    if tabel == "zonder_grondwaarde":
        return [r.model_dump() for r in info.zonder_grondwaarde.per_leefgebied]
    rows: Iterable[Any] = getattr(info, tabel)
    return [r.model_dump() for r in rows]


def as_csv(rows: list[dict[str, Any]], columns: Sequence[str]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(columns), lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


COLUMNS: dict[str, tuple[str, ...]] = {
    "domeinen": ("domeinen", "casussen"),
    "zonder_grondwaarde": ("leefgebied", "effecten"),
    "instrumenten": ("trede", "instrument", "past", "voorwaardelijk", "toegekend", "bereikt",
                     "deels", "niet_bereikt"),
    "treden": ("trede", "past", "voorwaardelijk", "toegekend", "bereikt", "deels",
               "niet_bereikt"),
    "afwijkingen": ("instrument", "categorie", "besluiten"),
    "open_vragen": ("feit", "casussen"),
    "beslisruimte": ("instrument", "grond", "door", "casussen"),
    "termijnen": ("instrument", "termijn_dagen", "besluiten", "binnen_termijn",
                  "buiten_termijn"),
    "opvolging": ("uitkomst", "effecten"),
}
"""The columns of each table's CSV, in order (the field names of its JSON rows)."""

CSV_RESPONSE: dict[int | str, dict[str, Any]] = {200: {
    "description": "De cijfers als JSON, of met formaat=csv (of Accept: text/csv naast "
                   "application/json) één tabel als CSV (kolommen als de JSON-velden; "
                   "aantallen gepubliceerd als in de JSON: \"< 5\" onder de 5, anders "
                   "afgerond op 5)",
    "content": {"text/csv": {"schema": {"type": "string"}}}}}


@router.get("/beleidsinformatie", response_model=Beleidsinformatie, responses=CSV_RESPONSE,
            summary="Beleidsinformatie over een periode, alleen in aantallen (beleidsmedewerker "
                    "en auditor): domeinen per casus, effecten zonder grondwaarde, per "
                    "instrument en trede geadviseerd, toegekend en bereikt, afwijkingen, open "
                    "vragen, beslisruimte en termijnen; aantallen onder 5 als \"< 5\", "
                    "de andere afgerond op een veelvoud van 5")
def index(request: Request,
          van: dt.date | None = Query(None, description="eerste dag (UTC), inclusief"),
          tot: dt.date | None = Query(None, description="laatste dag (UTC), inclusief"),
          gemeente: str | None = Query(None, pattern=r"^GM\d{4}$",
                                       description="CBS-gemeentecode, bijv. GM0363"),
          formaat: Literal["json", "csv"] = Query("json", description="csv: één tabel (tabel=)"),
          tabel: Tabel | None = Query(None, description="bij csv: welke tabel"),
          session: Session = Depends(db_read),
          who: Principal = Depends(require("beleidsmedewerker", "auditor"))) -> Any:
    if van is not None and tot is not None and tot < van:
        raise ApiProblem(400, "De periode eindigt voor ze begint.",
                         invalid=[{"name": "tot", "code": "invalid",
                                   "reason": f"{tot.isoformat()} ligt voor van "
                                             f"{van.isoformat()}"}])
    wants_csv = formaat == "csv" or "text/csv" in request.headers.get("accept", "")
    if wants_csv and tabel is None:
        raise ApiProblem(400, "Een CSV bevat één tabel: kies er een.",
                         invalid=[{"name": "tabel", "code": "required",
                                   "reason": f"kies uit {', '.join(TABELLEN)}"}])
    if not wants_csv:
        info = gather(session, van, tot, gemeente)
        record_reads(request, who, "beleidsinformatie_lezen", [(None, None, None)])
        return info
    assert tabel is not None
    rows = [r.model_dump() for r in one_table(session, van, tot, gemeente, tabel)]
    record_reads(request, who, "beleidsinformatie_lezen", [(None, None, None)])
    return Response(content=as_csv(rows, COLUMNS[tabel]),
                    media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition":
                             f'attachment; filename="beleidsinformatie-{tabel}.csv"'})
