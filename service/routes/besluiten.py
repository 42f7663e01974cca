"""`besluiten`: per instrument of the advies, for which gewenst effect, whether it was granted
(`toegekend`), refused (`afgewezen`) or not applied for (`niet_aangevraagd`), with motivation,
on which advies, and by whom.

A besluit holds up in a bezwaar file: every instrument names its effect and is checked
against the advies' own trace, departing from the advies (granting what it judged `past_niet`,
refusing what it judged `past`) needs a motivering for that instrument, and a besluit is never
changed: a correction is a new version that names
the one it replaces (`vervangt`). Every version is a link of the chain (`service.store`).
After an AVG erasure of its casus a besluit keeps its instruments, actor and link but shows
its motiveringen as erased (`gewist`); no besluit can be added to an erased advies (409).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from fastapi import APIRouter, Depends, Query, Request, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from service.auth import Principal, require
from service.beleidsrijen import AFWIJKINGEN
from service.bewijsstuk import kern_of
from service.db import Advies, Besluit
from service.deps import Paging, db, db_read, settings
from service.keten import signer_for
from service.problems import ApiProblem
from service.routes.casussen import markers
from service.routes.logboek import record, record_reads
from service.schemas import (
    BesluitIn,
    BesluitLijst,
    BesluitUit,
    GekozenInstrumentUit,
    GewistUit,
    Pagina,
)
from service.settings import Settings
from service.store import count, refuse_if_closed, store_besluit
from service.toegang import Actie, load, visible_to

router = APIRouter(tags=["besluiten"])


def out(row: Besluit, vervangen_door: str | None = None,
        gewist: GewistUit | None = None) -> BesluitUit:
    return BesluitUit(id=row.id, advies_id=row.advies_id, casus_id=row.casus_id,
                      instrumenten=[GekozenInstrumentUit(effect=i.get("effect"),
                                                         instrument=i["instrument"],
                                                         uitkomst=i.get("uitkomst",
                                                                        "toegekend"),
                                                         motivering=i.get("motivering"))
                                    for i in row.instrumenten],
                      motivering=row.motivering, zaak_url=row.zaak_url,
                      aangemaakt=row.aangemaakt, door=row.door, versie=row.versie,
                      vervangt=row.vervangt, vervangen_door=vervangen_door,
                      keten=row.keten, volgnummer=row.volgnummer, keten_hash=row.keten_hash,
                      gewist=gewist)


def successors(session: Session, ids: Sequence[str]) -> dict[str, str]:
    """For each besluit id, the id of the version that replaces it (if any): one query."""
    if not ids:
        return {}
    rows = session.execute(select(Besluit.vervangt, Besluit.id)
                           .where(Besluit.vervangt.in_(list(ids)))).all()
    return {old: new for old, new in rows if old is not None}


def with_successors(session: Session, rows: Sequence[Besluit]) -> list[BesluitUit]:
    newer = successors(session, [r.id for r in rows])
    gewist = markers(session, (r.casus_id for r in rows))
    return [out(r, newer.get(r.id), gewist.get(r.casus_id or "")) for r in rows]


def on_advies(session: Session, advies_id: str) -> list[BesluitUit]:
    """Every besluit (each version) on one advies, oldest first: shown with the advies."""
    rows = session.scalars(select(Besluit).where(Besluit.advies_id == advies_id)
                           .order_by(Besluit.aangemaakt, Besluit.id)).all()
    return with_successors(session, rows)


def checked(body: BesluitIn, kern: dict[str, Any], advies_id: str) -> list[dict[str, Any]]:
    """The instruments, each checked against the advies' kern (what it decided): its effect
    exists, the instrument was judged for that effect, and where the besluit departs from the
    advies it carries a motivering. Every problem is named by its field (400)."""
    judged = {e["id"]: {i["id"]: i["status"] for i in e["instrumenten"]}
              for e in kern["effecten"]}
    problems: list[dict[str, str]] = []
    seen: set[tuple[str, str]] = set()
    for n, c in enumerate(body.instrumenten):
        field = f"instrumenten[{n}]"
        if c.effect not in judged:
            problems.append({"name": f"{field}.effect", "code": "invalid",
                             "reason": f"effect '{c.effect}' staat niet in advies {advies_id} "
                                       f"(wel: {', '.join(sorted(judged))})"})
            continue
        status = judged[c.effect].get(c.instrument)
        if status is None:
            problems.append({"name": f"{field}.instrument", "code": "invalid",
                             "reason": f"'{c.instrument}' staat niet in advies {advies_id} "
                                       f"bij effect '{c.effect}'"})
        elif (c.effect, c.instrument) in seen:
            problems.append({"name": f"{field}.instrument", "code": "invalid",
                             "reason": f"'{c.instrument}' is al gekozen bij effect "
                                       f"'{c.effect}'"})
        elif (departure := AFWIJKINGEN.get((c.uitkomst, status))) \
                and not (c.motivering or "").strip():
            problems.append({"name": f"{field}.motivering", "code": "required",
                             "reason": f"het advies zegt dat '{c.instrument}' bij effect "
                                       f"'{c.effect}' {departure.reden}"})
        seen.add((c.effect, c.instrument))
    if problems:
        raise ApiProblem(400, "Niet elk gekozen instrument houdt stand tegen het advies.",
                         invalid=problems)
    return [c.model_dump() for c in body.instrumenten]


@router.post("/besluiten", status_code=201, response_model=BesluitUit,
             summary="Leg vast per instrument en effect: toegekend, afgewezen of niet "
                     "aangevraagd, op welk advies (of corrigeer een besluit met een nieuwe "
                     "versie: vervangt)")
def create(body: BesluitIn, request: Request, response: Response,
           session: Session = Depends(db), cfg: Settings = Depends(settings),
           who: Principal = Depends(require("consulent"))) -> BesluitUit:
    advies = load(session, Advies, body.advies_id, who, Actie.SCHRIJVEN)
    refuse_if_closed(session, advies.casus_id)
    previous = None
    if body.vervangt is not None:
        previous = load(session, Besluit, body.vervangt, who, Actie.SCHRIJVEN)
        refuse_if_closed(session, previous.casus_id)
        same = (previous.advies_id == advies.id
                or (advies.casus_id is not None and previous.casus_id == advies.casus_id))
        if not same:
            raise ApiProblem(400, "Een correctie hoort bij hetzelfde advies of dezelfde casus.",
                             invalid=[{"name": "vervangt", "code": "invalid",
                                       "reason": f"besluit {previous.id} hoort niet bij advies "
                                                 f"{advies.id} of zijn casus"}])
    kern = kern_of(advies)
    if kern is None:  # refuse_if_closed let it through: a damaged row, not an erasure
        raise ApiProblem(409, f"Advies {advies.id}: het opgeslagen advies is niet te lezen.")
    instrumenten = checked(body, kern, advies.id)
    row = store_besluit(session, advies=advies, instrumenten=instrumenten,
                        motivering=body.motivering,
                        zaak_url=str(body.zaak_url) if body.zaak_url else None, door=who.id,
                        vervangt=previous, signer=signer_for(cfg.keten))
    record(session, request, who, "besluit_vastleggen", casus_id=row.casus_id,
           advies_id=advies.id, besluit_id=row.id)
    session.commit()
    response.headers["Location"] = f"/v1/besluiten/{row.id}"
    return out(row)  # new, so never erased


@router.get("/besluiten", response_model=BesluitLijst,
            summary="Besluiten (eigen; auditor: alle), elke versie; nieuwste eerst")
def index(request: Request, paging: Paging = Depends(),
          adviesId: str | None = Query(None, max_length=36),
          casusId: str | None = Query(None, max_length=36),
          session: Session = Depends(db_read),
          who: Principal = Depends(require("consulent", "auditor"))) -> BesluitLijst:
    where = visible_to(Besluit, who)
    if adviesId:
        where.append(Besluit.advies_id == adviesId)
    if casusId:
        where.append(Besluit.casus_id == casusId)
    rows = session.scalars(select(Besluit).where(*where).order_by(Besluit.aangemaakt.desc(),
                                                                  Besluit.id)
                           .offset(paging.offset).limit(paging.grootte)).all()
    found = with_successors(session, rows)
    total = count(session, Besluit, *where)
    record_reads(request, who, "besluit_lezen",
                 [(r.casus_id, r.advies_id, r.id) for r in rows])
    return BesluitLijst(besluiten=found,
                        pagina=Pagina(pagina=paging.pagina, pagina_grootte=paging.grootte,
                                      totaal=total))


@router.get("/besluiten/{besluit_id}", response_model=BesluitUit)
def show(besluit_id: str, request: Request, session: Session = Depends(db_read),
         who: Principal = Depends(require("consulent", "auditor"))) -> BesluitUit:
    row = load(session, Besluit, besluit_id, who, Actie.LEZEN)
    found = with_successors(session, [row])[0]
    record_reads(request, who, "besluit_lezen", [(row.casus_id, row.advies_id, row.id)])
    return found
