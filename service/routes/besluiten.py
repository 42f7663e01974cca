"""`besluiten`: which instruments the consulent chose, with motivation, on which advies."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from service.auth import Principal, require
from service.db import Advies, Besluit, now
from service.deps import Paging, db, db_read
from service.problems import ApiProblem
from service.schemas import BesluitIn, BesluitLijst, BesluitUit, GekozenInstrument, Pagina
from service.store import count, new_id
from service.toegang import Actie, load, visible_to

router = APIRouter(tags=["besluiten"])


def out(row: Besluit) -> BesluitUit:
    return BesluitUit(id=row.id, advies_id=row.advies_id, casus_id=row.casus_id,
                      instrumenten=[GekozenInstrument(**i) for i in row.instrumenten],
                      motivering=row.motivering, zaak_url=row.zaak_url,
                      aangemaakt=row.aangemaakt)


@router.post("/besluiten", status_code=201, response_model=BesluitUit,
             summary="Leg vast welke instrumenten gekozen zijn, op welk advies")
def create(body: BesluitIn, response: Response, session: Session = Depends(db),
           who: Principal = Depends(require("consulent"))) -> BesluitUit:
    import json

    advies = load(session, Advies, body.advies_id, who, Actie.SCHRIJVEN)
    known = {i["id"] for e in json.loads(advies.trace)["advies"]["effecten"]
             for i in e["stap4"]["instrumenten"]}
    unknown = [(n, c.instrument) for n, c in enumerate(body.instrumenten)
               if c.instrument not in known]
    if unknown:
        raise ApiProblem(400, "Een gekozen instrument staat niet in het advies.",
                         invalid=[{"name": f"instrumenten[{n}].instrument", "code": "invalid",
                                   "reason": f"'{iid}' staat niet in advies {advies.id}"}
                                  for n, iid in unknown])
    row = Besluit(id=new_id(), advies_id=advies.id, casus_id=advies.casus_id,
                  instrumenten=[c.model_dump() for c in body.instrumenten],
                  motivering=body.motivering,
                  zaak_url=str(body.zaak_url) if body.zaak_url else None, door=who.id,
                  aangemaakt=now())
    session.add(row)
    session.commit()
    response.headers["Location"] = f"/v1/besluiten/{row.id}"
    return out(row)


@router.get("/besluiten", response_model=BesluitLijst)
def index(paging: Paging = Depends(), session: Session = Depends(db_read),
          who: Principal = Depends(require("consulent", "auditor"))) -> BesluitLijst:
    where = visible_to(Besluit, who)
    rows = session.scalars(select(Besluit).where(*where).order_by(Besluit.aangemaakt.desc(),
                                                                  Besluit.id)
                           .offset(paging.offset).limit(paging.grootte)).all()
    return BesluitLijst(besluiten=[out(r) for r in rows],
                        pagina=Pagina(pagina=paging.pagina, pagina_grootte=paging.grootte,
                                      totaal=count(session, Besluit, *where)))


@router.get("/besluiten/{besluit_id}", response_model=BesluitUit)
def show(besluit_id: str, session: Session = Depends(db_read),
         who: Principal = Depends(require("consulent", "auditor"))) -> BesluitUit:
    return out(load(session, Besluit, besluit_id, who, Actie.LEZEN))
