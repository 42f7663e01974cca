"""`adviezen`: every evaluation stored as an immutable, chained receipt; replay for auditors."""

from __future__ import annotations

import hashlib
import hmac
import json

from fastapi import APIRouter, Depends, Request, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import Receipt
from engine.evaluate import trace_hash
from engine.replay import diff
from service.auth import Principal, require
from service.db import Advies, now
from service.deps import Paging, db_read, engines, settings
from service.engines import Engines
from service.problems import ApiProblem
from service.routes.casussen import visible
from service.schemas import (
    AdviesIn,
    AdviesLijst,
    AdviesSamenvatting,
    AdviesUit,
    Herhaling,
    KetenControle,
    Pagina,
    PakketRef,
)
from service.settings import Settings
from service.store import count, log_verwerking, store_advies, verify_chain

router = APIRouter(tags=["adviezen"])


def summary(row: Advies) -> AdviesSamenvatting:
    return AdviesSamenvatting(
        id=row.id, volgnummer=row.volgnummer, casus_id=row.casus_id,
        casus_versie=row.casus_versie, aangemaakt=row.aangemaakt,
        peildatum=row.peildatum, engine_versie=row.engine_versie,
        pakketten=[PakketRef(**p) for p in row.pakketten], trace_hash=row.trace_hash,
        vorige_hash=row.vorige_hash, keten_hash=row.keten_hash)


def full(summary_: AdviesSamenvatting, trace_json: str, status: int = 200,
         headers: dict[str, str] | None = None) -> Response:
    """The advies with its trace spliced in as stored: the canonical text is not parsed and
    re-encoded (hundreds of KB for a large casus), and the bytes are exactly the stored ones.
    The shape is `AdviesUit` (documented as the response model)."""
    head = summary_.model_dump_json()
    body = head[:-1] + ',"trace":' + trace_json + "}"
    return Response(content=body.encode("utf-8"), status_code=status,
                    media_type="application/json", headers=headers)


def pseudonym(cfg: Settings, casus_id: str | None) -> str | None:
    if casus_id is None:
        return None
    mac = hmac.new(cfg.pseudoniem_sleutel.encode(), casus_id.encode(), hashlib.sha256)
    return "psn:" + mac.hexdigest()[:32]


def readable(session: Session, advies_id: str, who: Principal) -> Advies:
    row = session.get(Advies, advies_id)
    if row is None or ("auditor" not in who.rollen and row.door != who.sub):
        raise ApiProblem(404, f"Geen advies met id '{advies_id}'.")
    return row


@router.post("/adviezen", status_code=201, response_model=AdviesUit,
             summary="Evalueer een casus (stap 2 en 4) en sla het bewijsstuk op")
def create(body: AdviesIn, request: Request,
           reader: Session = Depends(db_read), eng: Engines = Depends(engines),
           cfg: Settings = Depends(settings),
           who: Principal = Depends(require("consulent"))) -> Response:
    started = now()
    casus_id = casus_versie = None
    if body.casus_id is not None:
        row = visible(reader, body.casus_id, who)
        data, casus_id, casus_versie = row.data, row.id, row.versie
    else:
        assert body.casus is not None
        data = body.casus.model_dump(mode="json", exclude_none=True)
    reader.close()
    receipt: Receipt = eng.current.advies(data)
    # The write transaction (and on SQLite its lock) covers only the append to the chain and
    # the processing-log record: both land together or not at all.
    with request.app.state.sessions() as session:
        advies = store_advies(session, receipt, casus_id=casus_id, casus_versie=casus_versie,
                              door=who.sub)
        log_verwerking(session, state=request.state, naam="advies_evalueren",
                       activiteit=cfg.verwerkingsactiviteit,
                       betrokkene=pseudonym(cfg, casus_id), status="OK", start=started,
                       advies_id=advies.id)
        session.commit()
    return full(summary(advies), receipt.trace_json, 201,
                {"Location": f"/v1/adviezen/{advies.id}"})


@router.get("/adviezen", response_model=AdviesLijst,
            summary="Opgeslagen adviezen (eigen; auditor: alle)")
def index(paging: Paging = Depends(), casusId: str | None = None,
          session: Session = Depends(db_read),
          who: Principal = Depends(require("consulent", "auditor"))) -> AdviesLijst:
    where = [] if "auditor" in who.rollen else [Advies.door == who.sub]
    if casusId:
        where.append(Advies.casus_id == casusId)
    rows = session.scalars(select(Advies).where(*where).order_by(Advies.volgnummer.desc())
                           .offset(paging.offset).limit(paging.grootte)).all()
    return AdviesLijst(adviezen=[summary(r) for r in rows],
                       pagina=Pagina(pagina=paging.pagina, pagina_grootte=paging.grootte,
                                     totaal=count(session, Advies, *where)))


@router.get("/adviezen/{advies_id}", response_model=AdviesUit)
def show(advies_id: str, session: Session = Depends(db_read),
         who: Principal = Depends(require("consulent", "auditor"))) -> Response:
    row = readable(session, advies_id, who)
    return full(summary(row), row.trace)


@router.post("/adviezen/{advies_id}/_herhaal", response_model=Herhaling,
             summary="Herhaal met de vastgepinde pakketversies: identiek of de verschillen")
def replay(advies_id: str, session: Session = Depends(db_read), eng: Engines = Depends(engines),
           who: Principal = Depends(require("auditor"))) -> Herhaling:
    row = readable(session, advies_id, who)
    pinned = eng.pinned([p["hash"] for p in row.pakketten])
    return _compare(row, pinned.advies(json.loads(row.trace)["casus"]))


@router.post("/adviezen/{advies_id}/_vergelijk", response_model=Herhaling,
             summary="Vergelijk met de regelpakketten die vandaag gelden")
def compare_today(advies_id: str, session: Session = Depends(db_read),
                  eng: Engines = Depends(engines),
                  who: Principal = Depends(require("auditor"))) -> Herhaling:
    row = readable(session, advies_id, who)
    return _compare(row, eng.current.advies(json.loads(row.trace)["casus"]))


def _compare(row: Advies, new: Receipt) -> Herhaling:
    stored = json.loads(row.trace)
    intact = trace_hash(stored) == row.trace_hash
    differences = diff(stored, new.trace)
    packs_then = {p["hash"] for p in row.pakketten}
    packs_now = {p["hash"] for p in new.trace["pakketten"]}
    return Herhaling(identiek=intact and new.trace_hash == row.trace_hash, intact=intact,
                     zelfde_pakketten=packs_then == packs_now,
                     trace_hash_opgeslagen=row.trace_hash, trace_hash_herhaling=new.trace_hash,
                     verschillen=differences)


@router.post("/adviezen/_verifieer-keten", response_model=KetenControle,
             summary="Controleer de hele keten van opgeslagen adviezen")
def verify(session: Session = Depends(db_read),
           who: Principal = Depends(require("auditor"))) -> KetenControle:
    ok, n, first, message = verify_chain(session)
    return KetenControle(geldig=ok, aantal=n, eerste_fout=first, melding=message)
