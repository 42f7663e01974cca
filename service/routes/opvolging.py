"""`opvolgingen`: the follow-up (effectmeting) of each gewenst effect of a stored casus.

The toekomstplan asks "hoe ziet het er over een jaar uit": per gewenst effect of the advies in
force, a follow-up falls due `OT_OPVOLGING_MAANDEN` months (default 12) after the first advies
on that effect. On or after that date the owning consulent records whether the effect was
reached (`bereikt`, `deels`, `niet_bereikt`), which instruments were actually used (checked
against the advies' instruments for the effect; prefilled from what the besluiten granted)
and a short note. A correction is a new version that names the one it replaces; nothing is
overwritten. Each recording is a record of the processing log (never the note). An erased
casus keeps its follow-ups without the note; an archived one takes no new ones.

`GET /v1/opvolgingen?status=verschuldigd` lists the follow-ups due and not yet recorded on the
casussen the principal may see ("wat loopt er"), from the indexed rows, never the traces.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

from fastapi import APIRouter, Depends, Query, Request, Response
from sqlalchemy import and_, delete, exists, func, insert, select
from sqlalchemy.orm import Session

from service.auth import Principal, require
from service.db import (
    AdviesEffect,
    AdviesInstrument,
    BesluitInstrument,
    Casus,
    Opvolging,
    OpvolgingInstrument,
    now,
)
from service.deps import Paging, db, db_read, settings
from service.problems import ApiProblem
from service.routes.casussen import markers
from service.routes.logboek import record, record_reads
from service.schemas import (
    GewistUit,
    OpenOpvolging,
    OpvolgingEffect,
    Opvolgingen,
    OpvolgingIn,
    OpvolgingLijst,
    OpvolgingUit,
    Pagina,
)
from service.settings import Settings
from service.store import new_id, refuse_if_closed
from service.toegang import Actie, load, visible_to

router = APIRouter(tags=["opvolging"])


def today() -> dt.date:
    """Today in UTC, the clock every stored timestamp uses."""
    return dt.datetime.now(dt.UTC).date()


def add_months(day: dt.date, months: int) -> dt.date:
    """`day` plus whole calendar months; the 31st becomes the last day of a shorter month."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return day.replace(year=year, month=month,
                       day=min(day.day, calendar.monthrange(year, month)[1]))


def due_before(on: dt.date, months: int) -> str:
    """The stored time before which a first advies makes its follow-up due on `on`: the
    exact inverse of `add_months(advies date, months) <= on`, as a string bound on
    `aangemaakt`."""
    last = add_months(on, -months)
    if on.day == calendar.monthrange(on.year, on.month)[1]:  # month end: every later day too
        last = last.replace(day=calendar.monthrange(last.year, last.month)[1])
    return (last + dt.timedelta(days=1)).isoformat()


@dataclass
class EffectPlan:
    effect: str
    leefgebied: str
    advies_id: str
    opvolgdatum: dt.date
    instrumenten: list[str] = field(default_factory=list)
    trede: dict[str, str] = field(default_factory=dict)
    voorgesteld: list[str] = field(default_factory=list)
    versies: list[Opvolging] = field(default_factory=list)

    def in_force(self, replaced: set[str]) -> Opvolging | None:
        current = [v for v in self.versies if v.id not in replaced]
        return current[-1] if current else None


def plans(session: Session, casus_id: str, months: int) -> dict[str, EffectPlan]:
    """Per gewenst effect of the casus' latest advies: its follow-up date, the advies'
    instruments for it, what the besluiten in force granted, and every recorded version."""
    latest = session.scalar(select(func.max(AdviesEffect.volgnummer))
                            .where(AdviesEffect.dossier == casus_id))
    if latest is None:
        return {}
    first = dict(session.execute(
        select(AdviesEffect.effect, func.min(AdviesEffect.aangemaakt))
        .where(AdviesEffect.dossier == casus_id).group_by(AdviesEffect.effect)).all())
    found = {e.effect: EffectPlan(e.effect, e.leefgebied, e.advies_id,
                                  add_months(dt.date.fromisoformat(first[e.effect][:10]),
                                             months))
             for e in session.scalars(select(AdviesEffect).where(
                 AdviesEffect.dossier == casus_id, AdviesEffect.volgnummer == latest)
                 .order_by(AdviesEffect.effect))}
    for effect, instrument, trede in session.execute(
            select(AdviesInstrument.effect, AdviesInstrument.instrument, AdviesInstrument.trede)
            .where(AdviesInstrument.dossier == casus_id, AdviesInstrument.volgnummer == latest)):
        if effect in found:
            found[effect].instrumenten.append(instrument)
            found[effect].trede[instrument] = trede
    for effect, instrument in session.execute(
            select(BesluitInstrument.effect, BesluitInstrument.instrument).distinct()
            .where(BesluitInstrument.dossier == casus_id,
                   BesluitInstrument.uitkomst == "toegekend")
            .order_by(BesluitInstrument.effect, BesluitInstrument.instrument)):
        plan = found.get(effect)
        if plan is not None and instrument in plan.trede:
            plan.voorgesteld.append(instrument)
    for row in session.scalars(select(Opvolging).where(Opvolging.casus_id == casus_id)
                               .order_by(Opvolging.aangemaakt, Opvolging.versie)):
        if row.effect in found:
            found[row.effect].versies.append(row)
    return found


def replaced_ids(session: Session, casus_id: str) -> set[str]:
    return {v for v in session.scalars(select(Opvolging.vervangt).where(
        Opvolging.casus_id == casus_id, Opvolging.vervangt.is_not(None))) if v is not None}


def out(row: Opvolging, newer: dict[str, str], gewist: GewistUit | None) -> OpvolgingUit:
    return OpvolgingUit(id=row.id, casus_id=row.casus_id, advies_id=row.advies_id,
                        effect=row.effect, opvolgdatum=dt.date.fromisoformat(row.opvolgdatum),
                        uitkomst=row.uitkomst,
                        gebruikte_instrumenten=list(row.gebruikte_instrumenten),
                        toelichting=row.toelichting, door=row.door, aangemaakt=row.aangemaakt,
                        versie=row.versie, vervangt=row.vervangt,
                        vervangen_door=newer.get(row.id), gewist=gewist)


def checked_instruments(body: OpvolgingIn, plan: EffectPlan) -> list[str]:
    """The instruments used: as given, or the granted ones; each from the advies for this
    effect, once (400 naming the field otherwise)."""
    if body.gebruikte_instrumenten is None:
        return list(plan.voorgesteld)
    problems: list[dict[str, str]] = []
    seen: set[str] = set()
    for n, instrument in enumerate(body.gebruikte_instrumenten):
        name = f"gebruikte_instrumenten[{n}]"
        if instrument not in plan.trede:
            problems.append({"name": name, "code": "invalid",
                             "reason": f"'{instrument}' staat niet in advies {plan.advies_id} "
                                       f"bij effect '{plan.effect}'"})
        elif instrument in seen:
            problems.append({"name": name, "code": "invalid",
                             "reason": f"'{instrument}' staat er al in"})
        seen.add(instrument)
    if problems:
        raise ApiProblem(400, "Niet elk gebruikt instrument hoort bij dit effect in het advies.",
                         invalid=problems)
    return list(body.gebruikte_instrumenten)


def store_opvolging(session: Session, *, casus_id: str, plan: EffectPlan, uitkomst: str,
                    gebruikte: Sequence[str], toelichting: str, door: str,
                    vervangt: Opvolging | None) -> Opvolging:
    """Add one version, and its derived rows for aggregation (`opvolging_instrumenten`, only
    for the version in force: those of the version it replaces go; that version stays)."""
    row = Opvolging(id=new_id(), casus_id=casus_id, advies_id=plan.advies_id,
                    effect=plan.effect, opvolgdatum=plan.opvolgdatum.isoformat(),
                    uitkomst=uitkomst, gebruikte_instrumenten=list(gebruikte),
                    toelichting=toelichting, door=door, aangemaakt=now(),
                    versie=1 if vervangt is None else vervangt.versie + 1,
                    vervangt=None if vervangt is None else vervangt.id)
    session.add(row)
    if vervangt is not None:
        session.execute(delete(OpvolgingInstrument).where(
            OpvolgingInstrument.opvolging_id == vervangt.id))
    session.flush()
    if gebruikte:
        session.execute(insert(OpvolgingInstrument), [
            {"opvolging_id": row.id, "instrument": i, "dossier": casus_id,
             "effect": plan.effect, "trede": plan.trede.get(i), "uitkomst": uitkomst}
            for i in gebruikte])
    return row


@router.post("/casussen/{casus_id}/opvolgingen", status_code=201, response_model=OpvolgingUit,
             summary="Leg de opvolging van één gewenst effect vast (op of na de opvolgdatum): "
                     "bereikt, deels of niet bereikt, de gebruikte instrumenten en een korte "
                     "toelichting; een correctie is een nieuwe versie (vervangt)")
def create(casus_id: str, body: OpvolgingIn, request: Request, response: Response,
           session: Session = Depends(db), cfg: Settings = Depends(settings),
           who: Principal = Depends(require("consulent"))) -> OpvolgingUit:
    casus = load(session, Casus, casus_id, who, Actie.SCHRIJVEN, for_update=True)
    refuse_if_closed(session, casus.id)
    found = plans(session, casus.id, cfg.opvolging_maanden)
    plan = found.get(body.effect)
    if plan is None:
        known = ", ".join(sorted(found)) or "geen: er is nog geen advies op deze casus"
        raise ApiProblem(400, "Dit effect staat niet in het advies van de casus.",
                         invalid=[{"name": "effect", "code": "invalid",
                                   "reason": f"effect '{body.effect}' staat niet in het advies "
                                             f"(wel: {known})"}])
    if today() < plan.opvolgdatum:
        raise ApiProblem(409, f"De opvolging van effect '{plan.effect}' is pas verschuldigd op "
                              f"{plan.opvolgdatum.isoformat()}; leg haar op of na die datum "
                              "vast.")
    gebruikte = checked_instruments(body, plan)
    replaced = replaced_ids(session, casus.id)
    current = plan.in_force(replaced)
    previous = None
    if body.vervangt is not None:
        previous = next((v for v in plan.versies if v.id == body.vervangt), None)
        if previous is None:
            raise ApiProblem(400, "Een correctie hoort bij dezelfde casus en hetzelfde effect.",
                             invalid=[{"name": "vervangt", "code": "invalid",
                                       "reason": f"geen opvolging '{body.vervangt}' bij effect "
                                                 f"'{plan.effect}' van deze casus"}])
        if previous.id in replaced:
            raise ApiProblem(409, f"Opvolging {previous.id} is al gecorrigeerd; corrigeer de "
                                  f"nieuwste versie ({current.id if current else '?'}).",
                             invalid=[{"name": "vervangt", "code": "conflict",
                                       "reason": "al vervangen"}])
    elif current is not None:
        raise ApiProblem(409, f"De opvolging van effect '{plan.effect}' is al vastgelegd "
                              f"({current.id}); een correctie noemt die in 'vervangt'.",
                         invalid=[{"name": "vervangt", "code": "required",
                                   "reason": f"corrigeer opvolging {current.id}"}])
    row = store_opvolging(session, casus_id=casus.id, plan=plan, uitkomst=body.uitkomst,
                          gebruikte=gebruikte, toelichting=body.toelichting, door=who.id,
                          vervangt=previous)
    record(session, request, who, "opvolging_vastleggen", casus_id=casus.id,
           advies_id=plan.advies_id)
    session.commit()
    response.headers["Location"] = f"/v1/casussen/{casus.id}/opvolgingen/{row.id}"
    return out(row, {}, None)


@router.get("/casussen/{casus_id}/opvolgingen", response_model=Opvolgingen,
            summary="Per gewenst effect van het geldende advies: opvolgdatum, status, de "
                    "instrumenten van het advies, de voorinvulling uit de besluiten en elke "
                    "versie van de opvolging (eigen; auditor: alle)")
def index(casus_id: str, request: Request, session: Session = Depends(db_read),
          cfg: Settings = Depends(settings),
          who: Principal = Depends(require("consulent", "auditor"))) -> Opvolgingen:
    casus = load(session, Casus, casus_id, who, Actie.LEZEN)
    gewist = markers(session, [casus.id]).get(casus.id)
    found = plans(session, casus.id, cfg.opvolging_maanden)
    replaced = replaced_ids(session, casus.id)
    newer = {r.vervangt: r.id for p in found.values() for r in p.versies if r.vervangt}
    on = today()
    effecten = []
    for plan in found.values():
        current = plan.in_force(replaced)
        status: Literal["gepland", "verschuldigd", "vastgelegd"] = (
            "vastgelegd" if current is not None
            else "verschuldigd" if on >= plan.opvolgdatum else "gepland")
        effecten.append(OpvolgingEffect(
            effect=plan.effect, leefgebied=plan.leefgebied, advies_id=plan.advies_id,
            opvolgdatum=plan.opvolgdatum, status=status, instrumenten=plan.instrumenten,
            voorgestelde_instrumenten=plan.voorgesteld,
            opvolging=None if current is None else out(current, newer, gewist),
            versies=[out(v, newer, gewist) for v in plan.versies]))
    if gewist is not None and not found:  # erased: the derived rows are gone, versions stay
        rows = session.scalars(select(Opvolging).where(Opvolging.casus_id == casus.id)
                               .order_by(Opvolging.aangemaakt, Opvolging.versie)).all()
        newer = {r.vervangt: r.id for r in rows if r.vervangt}
        by_effect: dict[str, list[Opvolging]] = {}
        for r in rows:
            by_effect.setdefault(r.effect, []).append(r)
        for effect, versies in by_effect.items():
            current_row = next((v for v in reversed(versies) if v.id not in replaced), None)
            effecten.append(OpvolgingEffect(
                effect=effect, leefgebied="", advies_id=versies[-1].advies_id,
                opvolgdatum=dt.date.fromisoformat(versies[-1].opvolgdatum),
                status="vastgelegd", instrumenten=[], voorgestelde_instrumenten=[],
                opvolging=None if current_row is None else out(current_row, newer, gewist),
                versies=[out(v, newer, gewist) for v in versies]))
    record_reads(request, who, "opvolging_lezen", [(casus.id, None, None)])
    return Opvolgingen(casus_id=casus.id, opvolging_maanden=cfg.opvolging_maanden,
                       effecten=effecten, gewist=gewist)


@router.get("/casussen/{casus_id}/opvolgingen/{opvolging_id}", response_model=OpvolgingUit,
            summary="Eén versie van een opvolging (eigen; auditor: alle)")
def show(casus_id: str, opvolging_id: str, request: Request,
         session: Session = Depends(db_read),
         who: Principal = Depends(require("consulent", "auditor"))) -> OpvolgingUit:
    casus = load(session, Casus, casus_id, who, Actie.LEZEN)
    row = session.scalars(select(Opvolging).where(Opvolging.id == opvolging_id,
                                                  Opvolging.casus_id == casus.id)).first()
    if row is None:
        raise ApiProblem(404, f"Geen opvolging met id '{opvolging_id}'.")
    newer = session.scalar(select(Opvolging.id).where(Opvolging.vervangt == row.id))
    found = out(row, {row.id: newer} if newer else {},
                markers(session, [casus.id]).get(casus.id))
    record_reads(request, who, "opvolging_lezen", [(casus.id, None, None)])
    return found


@router.get("/opvolgingen", response_model=OpvolgingLijst,
            summary="Wat loopt er: de opvolgingen die verschuldigd (of nog gepland) zijn en "
                    "nog niet vastgelegd, op de casussen in de werklijst (eigen; auditor: "
                    "alle); oudste eerst")
def due(paging: Paging = Depends(),
        status: Literal["verschuldigd", "gepland"] = Query(
            "verschuldigd", description="verschuldigd: de opvolgdatum is bereikt; gepland: "
                                        "nog niet"),
        session: Session = Depends(db_read), cfg: Settings = Depends(settings),
        who: Principal = Depends(require("consulent", "auditor"))) -> OpvolgingLijst:
    """Computed in SQL over `advies_effecten`: the latest advies per casus gives the effects,
    the first advies on each effect its date. Ids and dates only: no processing-log record
    (nothing of a casus' content is read)."""
    where = visible_to(Casus, who)
    own = [AdviesEffect.dossier.in_(select(Casus.id).where(*where))] if where else []
    latest = (select(AdviesEffect.dossier, func.max(AdviesEffect.volgnummer).label("v"))
              .where(AdviesEffect.casus_id.is_not(None), *own)
              .group_by(AdviesEffect.dossier).subquery("laatste"))
    first = (select(AdviesEffect.dossier, AdviesEffect.effect,
                    func.min(AdviesEffect.aangemaakt).label("eerste"))
             .where(AdviesEffect.casus_id.is_not(None), *own)
             .group_by(AdviesEffect.dossier, AdviesEffect.effect).subquery("eerste"))
    bound = due_before(today(), cfg.opvolging_maanden)
    query = (select(AdviesEffect.dossier, AdviesEffect.effect, AdviesEffect.leefgebied,
                    AdviesEffect.advies_id, first.c.eerste)
             .join(latest, and_(latest.c.dossier == AdviesEffect.dossier,
                                latest.c.v == AdviesEffect.volgnummer))
             .join(first, and_(first.c.dossier == AdviesEffect.dossier,
                               first.c.effect == AdviesEffect.effect))
             .join(Casus, Casus.id == AdviesEffect.dossier)
             .where(Casus.gearchiveerd.is_(None),
                    first.c.eerste < bound if status == "verschuldigd"
                    else first.c.eerste >= bound,
                    ~exists().where(Opvolging.casus_id == AdviesEffect.dossier,
                                    Opvolging.effect == AdviesEffect.effect)))
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.execute(query.order_by(first.c.eerste, AdviesEffect.dossier,
                                          AdviesEffect.effect)
                           .offset(paging.offset).limit(paging.grootte)).all()
    return OpvolgingLijst(
        opvolgingen=[OpenOpvolging(casus_id=r.dossier, effect=r.effect, leefgebied=r.leefgebied,
                                   advies_id=r.advies_id,
                                   opvolgdatum=add_months(dt.date.fromisoformat(r.eerste[:10]),
                                                          cfg.opvolging_maanden))
                     for r in rows],
        pagina=Pagina(pagina=paging.pagina, pagina_grootte=paging.grootte, totaal=int(total)))
