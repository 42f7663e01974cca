"""`casussen`: step 1 (the casus), answers to "nog uitvragen", and step 3 (afwegingen).

Every version records who made it (`door`); every read and change is a record of the
processing log (`service.routes.logboek`)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from service.auth import Principal, require
from service.db import Casus, CasusVersie, now
from service.deps import Paging, db, db_read, engines
from service.engines import Engines
from service.routes.logboek import record, record_reads
from service.schemas import (
    AfwegingenIn,
    Antwoorden,
    CasusIn,
    CasusLijst,
    CasusUit,
    CasusVersieUit,
    Pagina,
)
from service.store import add_casus_version, apply_answers, count, new_id
from service.toegang import Actie, load, visible_to

router = APIRouter(tags=["casussen"])


def out(row: Casus) -> CasusUit:
    return CasusUit(id=row.id, versie=row.versie, aangemaakt=row.aangemaakt,
                    gewijzigd=row.gewijzigd, casus=row.data, afwegingen=row.afwegingen)


def validated(eng: Engines, data: dict[str, Any]) -> dict[str, Any]:
    casus = eng.current.casus(data)
    dumped: dict[str, Any] = casus.model_dump(mode="json", exclude_none=True)
    return dumped


@router.post("/casussen", status_code=201, response_model=CasusUit,
             summary="Leg een casus vast (stap 1)")
def create(body: CasusIn, request: Request, response: Response, session: Session = Depends(db),
           eng: Engines = Depends(engines),
           who: Principal = Depends(require("consulent"))) -> CasusUit:
    data = validated(eng, body.model_dump(mode="json", exclude_none=True))
    stamp = now()
    row = Casus(id=new_id(), eigenaar=who.id, versie=1, data=data,
                afwegingen=data.get("stap3"), aangemaakt=stamp, gewijzigd=stamp)
    session.add(row)
    session.flush()
    add_casus_version(session, row, "aangemaakt", who.id)
    record(session, request, who, "casus_vastleggen", casus_id=row.id, start=stamp)
    session.commit()
    response.headers["Location"] = f"/v1/casussen/{row.id}"
    return out(row)


@router.get("/casussen", response_model=CasusLijst, summary="Casussen (eigen; auditor: alle)")
def index(request: Request, paging: Paging = Depends(), session: Session = Depends(db_read),
          who: Principal = Depends(require("consulent", "auditor"))) -> CasusLijst:
    where = visible_to(Casus, who)
    rows = session.scalars(select(Casus).where(*where).order_by(Casus.aangemaakt.desc(),
                                                                Casus.id)
                           .offset(paging.offset).limit(paging.grootte)).all()
    found = CasusLijst(casussen=[out(r) for r in rows],
                       pagina=Pagina(pagina=paging.pagina, pagina_grootte=paging.grootte,
                                     totaal=count(session, Casus, *where)))
    record_reads(request, who, "casus_lezen", [(r.id, None, None) for r in rows])
    return found


@router.get("/casussen/{casus_id}", response_model=CasusUit)
def show(casus_id: str, request: Request, session: Session = Depends(db_read),
         who: Principal = Depends(require("consulent", "auditor"))) -> CasusUit:
    found = out(load(session, Casus, casus_id, who, Actie.LEZEN))
    record_reads(request, who, "casus_lezen", [(casus_id, None, None)])
    return found


@router.get("/casussen/{casus_id}/versies", response_model=list[CasusVersieUit],
            summary="Alle versies van een casus (niets gaat verloren)")
def versions(casus_id: str, request: Request, session: Session = Depends(db_read),
             who: Principal = Depends(require("consulent", "auditor"))) -> list[CasusVersieUit]:
    load(session, Casus, casus_id, who, Actie.LEZEN)
    rows = session.scalars(select(CasusVersie).where(CasusVersie.casus_id == casus_id)
                           .order_by(CasusVersie.versie)).all()
    found = [CasusVersieUit(versie=r.versie, reden=r.reden, door=r.door,
                            aangemaakt=r.aangemaakt, casus=r.data, afwegingen=r.afwegingen)
             for r in rows]
    record_reads(request, who, "casus_versies_lezen", [(casus_id, None, None)])
    return found


LOGBOEK = {"vervangen": "casus_vervangen", "antwoorden": "casus_beantwoorden",
           "afwegingen": "afwegingen_vastleggen"}
"""The processing-log action of each kind of casus change (`reden`)."""


def _update(session: Session, request: Request, row: Casus, data: dict[str, Any], reden: str,
            who: Principal, afwegingen: dict[str, Any] | None) -> CasusUit:
    row.data = data
    row.afwegingen = afwegingen
    row.versie += 1
    row.gewijzigd = now()
    add_casus_version(session, row, reden, who.id)
    record(session, request, who, LOGBOEK[reden], casus_id=row.id, start=row.gewijzigd)
    session.commit()
    return out(row)


@router.put("/casussen/{casus_id}", response_model=CasusUit,
            summary="Vervang de casus (een nieuwe versie; de oude blijft bewaard)")
def replace(casus_id: str, body: CasusIn, request: Request, session: Session = Depends(db),
            eng: Engines = Depends(engines),
            who: Principal = Depends(require("consulent"))) -> CasusUit:
    row = load(session, Casus, casus_id, who, Actie.SCHRIJVEN, for_update=True)
    data = validated(eng, body.model_dump(mode="json", exclude_none=True))
    return _update(session, request, row, data, "vervangen", who, data.get("stap3"))


@router.post("/casussen/{casus_id}/_beantwoord", response_model=CasusUit,
             summary="Beantwoord 'nog uitvragen': zet feiten op hun adres")
def answer(casus_id: str, body: Antwoorden, request: Request, session: Session = Depends(db),
           eng: Engines = Depends(engines),
           who: Principal = Depends(require("consulent"))) -> CasusUit:
    row = load(session, Casus, casus_id, who, Actie.SCHRIJVEN, for_update=True)
    data = apply_answers(row.data, [(a.feit, a.waarde) for a in body.antwoorden])
    return _update(session, request, row, validated(eng, data), "antwoorden", who,
                   row.afwegingen)


@router.put("/casussen/{casus_id}/afwegingen", response_model=CasusUit,
            summary="Leg stap 3 vast (afwegingen; vastgelegd, nooit geëvalueerd)")
def weigh(casus_id: str, body: AfwegingenIn, request: Request, session: Session = Depends(db),
          eng: Engines = Depends(engines),
          who: Principal = Depends(require("consulent"))) -> CasusUit:
    row = load(session, Casus, casus_id, who, Actie.SCHRIJVEN, for_update=True)
    afwegingen = body.model_dump(exclude_none=True)
    data = {**row.data, "stap3": afwegingen} if afwegingen else {
        k: v for k, v in row.data.items() if k != "stap3"}
    return _update(session, request, row, validated(eng, data), "afwegingen", who,
                   afwegingen or None)
