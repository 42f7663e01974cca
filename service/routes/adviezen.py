"""`adviezen`: every evaluation stored as an immutable, chained receipt; replay for auditors.

An advies erased with its casus (AVG, `POST /v1/casussen/{id}/_wis`) still answers with its
hashes and its marker (`gewist`) but without its trace; replaying or comparing it is 410 Gone:
the facts it was made from no longer exist, by design."""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Depends, Query, Request, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import Receipt, canonical_json, kern_hash, kern_van
from engine.compare import parameter_info, vergelijk
from engine.evaluate import trace_hash
from engine.replay import diff
from engine.wettekst import woorden_bij_advies
from service.auth import Principal, require
from service.bewijsstuk import NietTeTonen, kern_of, remember, trace_json
from service.db import KETEN_NAAM, Advies, Casus, now
from service.deps import Paging, db_read, engines, settings
from service.engines import Engines
from service.keten import (
    Verification,
    checkpoint_document,
    document,
    lifespan,
    sign_head,
    signer_for,
    trusted_keys,
)
from service.keten import verify as verify_signed
from service.keten import verify_all as verify_all_signed
from service.problems import ApiProblem
from service.routes.besluiten import on_advies
from service.routes.casussen import markers
from service.routes.logboek import record_reads
from service.schemas import (
    AdviesIn,
    AdviesKernUit,
    AdviesLijst,
    AdviesSamenvatting,
    AdviesUit,
    BesluitUit,
    GewistUit,
    Herhaling,
    HerhalingVandaag,
    KetenAnker,
    KetenControlepunt,
    KetenVerificatie,
    Pagina,
    PakketRef,
    WetWoorden,
)
from service.settings import Settings
from service.store import (
    Controlepunt,
    casus_problems,
    count,
    evaluated_casus,
    log_verwerking,
    pseudonym,
    refuse_if_closed,
    store_advies,
    stored_kern,
    stores_kern,
)
from service.toegang import Actie, load, visible_to

router = APIRouter(tags=["adviezen"], lifespan=lifespan)  # lifespan: signs the chain head


GONE: dict[int | str, dict[str, Any]] = {410: {
    "description": "Het advies is gewist (AVG): herhalen kan niet meer",
    "content": {"application/problem+json": {"schema": {
        "type": "object", "required": ["title", "status", "detail"],
        "properties": {"type": {"type": "string"}, "title": {"type": "string"},
                       "status": {"type": "integer"}, "detail": {"type": "string"}}}}}}}
"""The extra response of the routes that need an advies' trace."""


def refuse_if_gone(session: Session, row: Advies) -> None:
    """410 for an erased advies: its trace (the facts) is gone, so it cannot be replayed,
    compared or quoted; the problem says when and by which wissing."""
    marker = markers(session, [row.casus_id]).get(row.casus_id or "")
    if marker is None:
        return
    raise ApiProblem(410, f"Advies {row.id} is gewist op {marker.tijdstip[:10]} (AVG, wissing "
                          f"{marker.id}): "
                          "de trace bestaat niet meer, dus herhalen of vergelijken kan niet. "
                          "trace_hash en de keten blijven controleerbaar.",
                     extra={"title": "Gewist"})


def summary(row: Advies, besluiten: list[BesluitUit] | None = None,
            gewist: GewistUit | None = None) -> AdviesSamenvatting:
    return AdviesSamenvatting(
        id=row.id, keten=row.keten, volgnummer=row.volgnummer, casus_id=row.casus_id,
        casus_versie=row.casus_versie, aangemaakt=row.aangemaakt,
        peildatum=row.peildatum, engine_versie=row.engine_versie,
        pakketten=[PakketRef(**p) for p in row.pakketten], trace_hash=row.trace_hash,
        kern_hash=row.kern_hash if stores_kern(row) else None,  # formula 1–3: never read
        vorige_hash=row.vorige_hash, keten_hash=row.keten_hash,
        keten_versie=row.keten_versie, door=row.door, besluiten=besluiten, gewist=gewist)


def stored_trace_json(session: Session, row: Advies, eng: Engines) -> str:
    """The advies' full trace as canonical text (`service.bewijsstuk`): as stored, or rendered
    from its kern's inputs and checked against trace_hash; 409 naming why it cannot be; "" for
    an erased advies."""
    try:
        return trace_json(session, row, eng.pinned)
    except NietTeTonen as exc:
        raise ApiProblem(409, str(exc), extra={"title": "Trace niet op te bouwen"}) from exc


def stored_trace(session: Session, row: Advies, eng: Engines) -> dict[str, Any]:
    """`stored_trace_json` parsed, for an advies that is not erased (callers refuse that
    first: `refuse_if_gone`)."""
    parsed: dict[str, Any] = json.loads(stored_trace_json(session, row, eng))
    return parsed


def full(summary_: AdviesSamenvatting, trace_json: str, status: int = 200,
         headers: dict[str, str] | None = None) -> Response:
    """The advies with its trace spliced in as stored: the canonical text is not parsed and
    re-encoded (hundreds of KB for a large casus), and the bytes are exactly the stored ones.
    The shape is `AdviesUit` (documented as the response model); an erased advies has no
    trace left: `null`."""
    return spliced(summary_, status, headers, trace=trace_json or "null")


def spliced(summary_: AdviesSamenvatting, status: int = 200,
            headers: dict[str, str] | None = None, **raw_json: str) -> Response:
    """The summary with fields whose JSON text is given as is (canonical, so a client can hash
    what it receives; an empty list stays left out where the stored form leaves it out)."""
    head = summary_.model_dump_json()
    body = head[:-1] + "".join(f',"{k}":{v}' for k, v in raw_json.items()) + "}"
    return Response(content=body.encode("utf-8"), status_code=status,
                    media_type="application/json", headers=headers)


@router.post("/adviezen", status_code=201, response_model=AdviesUit,
             summary="Evalueer een casus (stap 2 en 4) en sla het bewijsstuk op")
def create(body: AdviesIn, request: Request,
           reader: Session = Depends(db_read), eng: Engines = Depends(engines),
           cfg: Settings = Depends(settings),
           who: Principal = Depends(require("consulent", limiet="adviezen"))) -> Response:
    started = now()
    casus_id = casus_versie = None
    if body.casus_id is not None:
        row = load(reader, Casus, body.casus_id, who, Actie.SCHRIJVEN)
        refuse_if_closed(reader, row.id)
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
                              door=who.id, signer=signer_for(cfg.keten))
        log_verwerking(session, state=request.state, naam="advies_evalueren",
                       activiteit=cfg.verwerkingsactiviteit,
                       betrokkene=pseudonym(cfg.pseudoniem_sleutel, casus_id), status="OK",
                       start=started, advies_id=advies.id, door=who.id)
        session.commit()
    remember(advies, receipt.trace_json)
    return full(summary(advies, []), receipt.trace_json, 201,
                {"Location": f"/v1/adviezen/{advies.id}"})


@router.get("/adviezen", response_model=AdviesLijst,
            summary="Opgeslagen adviezen (eigen; auditor: alle)")
def index(paging: Paging = Depends(), casusId: str | None = None,
          session: Session = Depends(db_read),
          who: Principal = Depends(require("consulent", "auditor"))) -> AdviesLijst:
    where = visible_to(Advies, who)
    if casusId:
        where.append(Advies.casus_id == casusId)
    # newest first, with a total order: a volgnummer is a place in one chain (one per gemeente
    # since migration 0010), so two adviezen of different gemeenten can share it
    rows = session.scalars(select(Advies).where(*where)
                           .order_by(Advies.aangemaakt.desc(), Advies.id.desc())
                           .offset(paging.offset).limit(paging.grootte)).all()
    gewist = markers(session, (r.casus_id for r in rows))
    return AdviesLijst(adviezen=[summary(r, None, gewist.get(r.casus_id or "")) for r in rows],
                       pagina=Pagina(pagina=paging.pagina, pagina_grootte=paging.grootte,
                                     totaal=count(session, Advies, *where)))


Vorm = Literal["volledig", "kern"]


@router.get("/adviezen/{advies_id}", response_model=AdviesUit | AdviesKernUit,
            summary="Eén advies: met het volledige bewijsstuk (vorm=volledig) of met het "
                    "beslisrecord (vorm=kern, docs/kern.md)")
def show(advies_id: str, request: Request, session: Session = Depends(db_read),
         eng: Engines = Depends(engines),
         vorm: Vorm = Query("volledig", description=(
             "volledig: de canonieke trace (trace_hash), sinds keten_versie 4 opnieuw "
             "opgebouwd uit de casus en de vastgepinde pakketten; kern: alleen wat beslist is "
             "(stap 2, per instrument status, redenen en vragen) met kern_hash, zoals "
             "opgeslagen, een twintigste of minder van de trace")),
         who: Principal = Depends(require("consulent", "auditor"))) -> Response:
    row = load(session, Advies, advies_id, who, Actie.LEZEN)
    gewist = markers(session, [row.casus_id]).get(row.casus_id or "")
    head = summary(row, on_advies(session, row.id), gewist)
    if vorm == "kern":
        kern = kern_of(row)
        digest = row.kern_hash if stores_kern(row) else (kern_hash(kern) if kern else None)
        found = spliced(head, kern="null" if kern is None else canonical_json(kern),
                        kern_hash=json.dumps(digest))
    else:
        found = full(head, stored_trace_json(session, row, eng))
    record_reads(request, who, "advies_lezen", [(row.casus_id, row.id, None)])
    return found


@router.get("/adviezen/{advies_id}/wetteksten",
            response_model=dict[str, dict[str, WetWoorden]], responses=GONE,
            summary="De woorden van de wet bij elke reden van stap 4 (per instrument, "
                    "per 'soort:id'), op de peildatum, uit de meegeleverde wetteksten")
def law_words(advies_id: str, request: Request, session: Session = Depends(db_read),
              eng: Engines = Depends(engines),
              who: Principal = Depends(require("consulent", "auditor"))
              ) -> dict[str, dict[str, WetWoorden]]:
    row = load(session, Advies, advies_id, who, Actie.LEZEN)
    refuse_if_gone(session, row)
    pinned = eng.pinned([p["hash"] for p in row.pakketten])
    found = woorden_bij_advies(pinned.rules.packs, stored_trace(session, row, eng),
                               eng.wetteksten)
    record_reads(request, who, "advies_lezen", [(row.casus_id, row.id, None)])
    return {ins: {key: WetWoorden(**words) for key, words in reasons.items()}
            for ins, reasons in found.items()}


@router.post("/adviezen/{advies_id}/_herhaal", response_model=Herhaling,
             responses=GONE,
             summary="Herhaal met de vastgepinde pakketversies: identiek of de verschillen")
def replay(advies_id: str, request: Request, session: Session = Depends(db_read),
           eng: Engines = Depends(engines),
           who: Principal = Depends(require("auditor"))) -> Herhaling:
    row = load(session, Advies, advies_id, who, Actie.LEZEN)
    refuse_if_gone(session, row)
    pinned = eng.pinned([p["hash"] for p in row.pakketten])
    casus = evaluated_casus(session, row)
    if casus is None:
        raise ApiProblem(409, f"Advies {row.id}: de geëvalueerde casus is niet te lezen; "
                              "herhalen is niet mogelijk.")
    found = _compare(row, pinned.advies(casus), session)
    record_reads(request, who, "advies_herhalen", [(row.casus_id, row.id, None)])
    return found


@router.post("/adviezen/{advies_id}/_vergelijk", response_model=HerhalingVandaag,
             responses=GONE,
             summary="Vergelijk met de regelpakketten die vandaag gelden: per instrument de "
                     "status toen en nu, met voorwaarden, artikelen en parameters")
def compare_today(advies_id: str, request: Request, session: Session = Depends(db_read),
                  eng: Engines = Depends(engines),
                  who: Principal = Depends(require("auditor"))) -> HerhalingVandaag:
    row = load(session, Advies, advies_id, who, Actie.LEZEN)
    refuse_if_gone(session, row)
    stored = stored_trace(session, row, eng)
    new = eng.current.advies(stored["casus"])
    base = _compare(row, new, session, stored)
    try:  # the omschrijving and validity of the old values come from the pinned packs
        info_then = parameter_info(eng.pinned([p["hash"] for p in row.pakketten]), stored)
    except ApiProblem:  # not every pinned version is stored: compare without them
        info_then = {}
    law = vergelijk(stored, new.trace, info_toen=info_then,
                    info_nu=parameter_info(eng.current, new.trace))
    record_reads(request, who, "advies_vergelijken", [(row.casus_id, row.id, None)])
    return HerhalingVandaag(**base.model_dump(), vergelijking=law)


def _compare(row: Advies, new: Receipt, session: Session,
             rendered: dict[str, Any] | None = None) -> Herhaling:
    """Intact means: the stored record hashes to its hash (the trace to trace_hash; since
    formula 4 the kern to kern_hash), and the advies still commits to the casus it evaluated
    (`casus_problems`: the casus and the stored casus version hash to casus_hash). Each
    commitment that fails comes first in `verschillen`. For formula 4 the differences are
    those of the kern (what was decided): the trace is not stored to compare with, and
    whether the replay equals it byte for byte is `identiek` (trace_hash); with the stored
    trace `rendered` (checked against trace_hash) they are those of the whole trace."""
    if stores_kern(row):
        kern = stored_kern(row.kern)
        # the own copy (formula 4 without a stored casus); a stored version is read there
        problems = casus_problems(session, row, row.casus)
        if kern is None or trace_hash(kern) != row.kern_hash:
            problems.insert(0, "kern klopt niet met kern_hash")
        intact = not problems
        if new.trace_hash == row.trace_hash:
            differences = problems
        elif rendered is not None:
            differences = problems + diff(rendered, new.trace)
        else:
            differences = problems + diff(kern or {}, kern_van(new.trace))
        return _herhaling(row, new, intact, differences)
    stored = json.loads(row.trace)
    problems = casus_problems(session, row, stored.get("casus"))
    intact = trace_hash(stored) == row.trace_hash and not problems
    return _herhaling(row, new, intact, problems + diff(stored, new.trace))


def _herhaling(row: Advies, new: Receipt, intact: bool, differences: list[str]) -> Herhaling:
    packs_then = {p["hash"] for p in row.pakketten}
    packs_now = {p["hash"] for p in (new.kop or new.trace)["pakketten"]}
    return Herhaling(identiek=intact and new.trace_hash == row.trace_hash, intact=intact,
                     zelfde_pakketten=packs_then == packs_now,
                     trace_hash_opgeslagen=row.trace_hash, trace_hash_herhaling=new.trace_hash,
                     verschillen=differences)


@router.post("/adviezen/_verifieer-keten", response_model=KetenVerificatie,
             summary="Controleer de hele keten, de ondertekende koppen en een meegestuurd anker")
def verify(anker: Annotated[KetenAnker | None, Body(description="een eerder geëxporteerd anker "
                                                                "(optioneel)")] = None,
           keten: Annotated[str | None, Query(
               pattern=KETEN_NAAM, description="alleen deze keten: een gemeentecode, of leeg "
                                               "voor de keten zonder gemeente; zonder: elke "
                                               "keten (per keten in `ketens`)")] = None,
           session: Session = Depends(db_read), cfg: Settings = Depends(settings),
           who: Principal = Depends(require("auditor"))) -> KetenVerificatie:
    extern = [anker.model_dump(exclude_defaults=True)] if anker is not None else []
    keys = cfg.keten.vertrouwde_sleutels
    if keten is None:
        return _verificatie(verify_all_signed(session, keys, extern))
    return _verificatie(verify_signed(session, keys, extern, None, keten))


@router.post("/adviezen/_verifieer-keten-vanaf", response_model=KetenVerificatie,
             summary="Controleer alleen de schakels na een controlepunt van een eerdere "
                     "controle, en alle ondertekende koppen")
def verify_from(controlepunt: Annotated[KetenControlepunt, Body(
                    description="het controlepunt dat een eerdere controle teruggaf; een "
                                "wijziging van een schakel tot en met het controlepunt ziet "
                                "alleen een controle van de hele keten (docs/keten.md)")],
                session: Session = Depends(db_read), cfg: Settings = Depends(settings),
                who: Principal = Depends(require("auditor"))) -> KetenVerificatie:
    start = Controlepunt(controlepunt.volgnummer, controlepunt.keten_hash, controlepunt.formule,
                         controlepunt.keten)
    return _verificatie(verify_signed(session, cfg.keten.vertrouwde_sleutels, [], start))


def _verificatie(result: Verification) -> KetenVerificatie:
    fields = vars(result) | {
        "controlepunt": None if result.controlepunt is None else
        KetenControlepunt(**checkpoint_document(result.controlepunt)),
        "ketens": [_verificatie(r) for r in result.ketens]}
    return KetenVerificatie(**fields)


@router.post("/adviezen/_anker", response_model=KetenAnker,
             summary="Onderteken de kop van de keten nu; bewaar het anker buiten het systeem")
def anchor(request: Request, cfg: Settings = Depends(settings),
           keten: Annotated[str, Query(pattern=KETEN_NAAM,
                                       description="de keten: een gemeentecode, of leeg voor de "
                                                   "keten zonder gemeente")] = "",
           who: Principal = Depends(require("auditor"))) -> KetenAnker:
    signer = signer_for(cfg.keten)
    if signer is None:
        raise ApiProblem(409, "De keten wordt niet ondertekend: er is geen sleutel ingesteld "
                              "(OT_KETEN_SLEUTEL).")
    with request.app.state.sessions() as session:
        row = sign_head(session, signer, keten)
        if row is None:
            raise ApiProblem(409, "De keten is leeg: er is nog geen kop om te ondertekenen.")
        session.commit()
        return KetenAnker(**document(row, trusted_keys(cfg.keten.vertrouwde_sleutels)))
