"""`regelpakketten`: what the engine knows, readable with citations; validation and tests for
beleidsmedewerkers (nothing is activated by them)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, Depends, Request

from engine import Engine, PackError
from engine.citation import Rechtsgrond
from engine.loader import LoadedPack, load_pack_sources
from engine.yamltests import find_test_files, run_files
from service.auth import Principal, require
from service.deps import engines
from service.engines import Engines
from service.problems import ApiProblem, invalid_from_problems
from service.schemas import ImpactUitkomst, PakketRef, TestUitkomst, Validatie
from service.settings import Rol

router = APIRouter(tags=["regelpakketten"])
READERS: tuple[Rol, ...] = ("consulent", "beleidsmedewerker", "auditor")


def cite(value: Any) -> Any:
    """Add the readable citation and the jci link next to every rechtsgrond."""
    if isinstance(value, dict):
        out = {k: cite(v) for k, v in value.items()}
        if "rechtsgrond" in value and isinstance(value["rechtsgrond"], dict):
            rg = Rechtsgrond.model_validate(value["rechtsgrond"])
            out["rechtsgrond"] = rg.render()
        return out
    if isinstance(value, list):
        return [cite(v) for v in value]
    return value


def pack_of(eng: Engines, pakket_id: str) -> LoadedPack:
    for lp in eng.current.rules.packs:
        if lp.id == pakket_id:
            return lp
    raise ApiProblem(404, f"Geen regelpakket '{pakket_id}'.")


def meta(lp: LoadedPack) -> dict[str, Any]:
    return {**lp.pack.regelpakket.model_dump(mode="json", exclude_none=True),
            "hash": "sha256:" + lp.sha256, "instrumenten": len(lp.pack.instrumenten),
            "grondwaarden": len(lp.pack.grondwaarden)}


@router.get("/regelpakketten", summary="De regelpakketten die nu gelden")
def index(eng: Engines = Depends(engines),
          who: Principal = Depends(require(*READERS))) -> list[dict[str, Any]]:
    return [meta(lp) for lp in eng.current.rules.packs]


@router.get("/regelpakketten/{pakket_id}")
def show(pakket_id: str, eng: Engines = Depends(engines),
         who: Principal = Depends(require(*READERS))) -> dict[str, Any]:
    return meta(pack_of(eng, pakket_id))


@router.get("/regelpakketten/{pakket_id}/instrumenten")
def instruments(pakket_id: str, eng: Engines = Depends(engines),
                who: Principal = Depends(require(*READERS))) -> list[dict[str, Any]]:
    lp = pack_of(eng, pakket_id)
    return [cite(i.model_dump(mode="json", exclude_none=True)) for i in lp.pack.instrumenten]


@router.get("/regelpakketten/{pakket_id}/instrumenten/{instrument_id}")
def instrument(pakket_id: str, instrument_id: str, eng: Engines = Depends(engines),
               who: Principal = Depends(require(*READERS))) -> list[dict[str, Any]]:
    """All versions of one instrument (usually one), with their validity. An earlier id
    (`aliassen`) answers with the instrument it became."""
    lp = pack_of(eng, pakket_id)
    current = eng.current.rules.instrument_id(instrument_id) or instrument_id
    found = [cite(i.model_dump(mode="json", exclude_none=True)) for i in lp.pack.instrumenten
             if i.id == current]
    if not found:
        raise ApiProblem(404, f"Geen instrument '{instrument_id}' in '{pakket_id}'.")
    return found


@router.get("/regelpakketten/{pakket_id}/grondwaarden")
def grondwaarden(pakket_id: str, eng: Engines = Depends(engines),
                 who: Principal = Depends(require(*READERS))) -> list[dict[str, Any]]:
    lp = pack_of(eng, pakket_id)
    return [cite(g.model_dump(mode="json", exclude_none=True)) for g in lp.pack.grondwaarden]


YAML_BODY = {"requestBody": {"required": True, "content": {
    "application/yaml": {"schema": {"type": "string"}}}}}


@router.post("/regelpakketten/_valideer", response_model=Validatie, openapi_extra=YAML_BODY,
             summary="Valideer een kandidaat-regelpakket (YAML); activeert niets")
async def validate(request: Request, eng: Engines = Depends(engines),
                   who: Principal = Depends(require("beleidsmedewerker"))) -> Validatie:
    raw = await request.body()
    name = request.headers.get("x-bestandsnaam", "kandidaat.yaml")[:100]
    if not raw.strip():
        raise ApiProblem(400, "De body is leeg; stuur het regelpakket als YAML.")
    candidate, problems = _load_candidate(raw, name)
    if problems is not None:
        raise ApiProblem(400, "Het regelpakket klopt niet; zie invalidParams.",
                         invalid=invalid_from_problems(problems))
    # check it against the other packs in force (same id: the candidate replaces it)
    others = [(lp.source, lp.raw) for lp in eng.current.rules.packs if lp.id != candidate.id]
    try:
        packs = load_pack_sources([*others, (name, raw)])
    except PackError as exc:
        raise ApiProblem(400, "Het regelpakket past niet bij de andere pakketten.",
                         invalid=invalid_from_problems(exc.problems)) from exc
    lp = next(p for p in packs if p.id == candidate.id)
    return Validatie(geldig=True, pakketten=[PakketRef(id=lp.id, versie=lp.pack.regelpakket.versie,
                                                       hash="sha256:" + lp.sha256)],
                     instrumenten=len(lp.pack.instrumenten))


def _load_candidate(raw: bytes, name: str) -> tuple[Any, Any]:
    from engine.loader import load_pack_bytes

    loaded, problems = load_pack_bytes(raw, name)
    return (loaded, None) if loaded else (None, problems)


@router.post("/regelpakketten/_impact", response_model=ImpactUitkomst, openapi_extra=YAML_BODY,
             summary="Wat verandert een kandidaat-pakket aan de opgeslagen adviezen? "
                     "(wijzigt niets)")
async def impact_run(request: Request, sinds: dt.date | None = None,
                     peildatum: dt.date | None = None,
                     eng: Engines = Depends(engines),
                     who: Principal = Depends(require("beleidsmedewerker"))) -> ImpactUitkomst:
    from starlette.concurrency import run_in_threadpool

    from engine import Engine as EngineCls
    from engine.impact import impact
    from service.store import stored_traces

    raw = await request.body()
    name = request.headers.get("x-bestandsnaam", "kandidaat.yaml")[:100]
    candidate_pack, problems = _load_candidate(raw, name) if raw.strip() else (None, None)
    if problems is not None:
        raise ApiProblem(400, "Het regelpakket klopt niet; zie invalidParams.",
                         invalid=invalid_from_problems(problems))
    sources = [(lp.source, lp.raw) for lp in eng.current.rules.packs
               if candidate_pack is None or lp.id != candidate_pack.id]
    if candidate_pack is not None:
        sources.append((name, raw))
    try:
        candidate = EngineCls.from_sources(sources)
    except PackError as exc:
        raise ApiProblem(400, "Het regelpakket past niet bij de andere pakketten.",
                         invalid=invalid_from_problems(exc.problems)) from exc

    def run() -> dict[str, Any]:
        with request.app.state.read_sessions() as session:
            report = impact(stored_traces(session, sinds.isoformat() if sinds else None),
                            candidate,
                            peildatum=peildatum.isoformat() if peildatum else None)
        candidate.close()
        return report.as_dict()

    return ImpactUitkomst(**await run_in_threadpool(run))


@router.post("/regelpakketten/_test", response_model=TestUitkomst,
             summary="Draai de YAML-tests van de regelpakketten die nu gelden")
def run_tests(eng: Engines = Depends(engines),
              who: Principal = Depends(require("beleidsmedewerker"))) -> TestUitkomst:
    from pathlib import Path

    dirs = sorted({Path(lp.source).parent for lp in eng.current.rules.packs})
    engine: Engine = eng.current
    results, problems = run_files(engine, find_test_files(dirs))
    fouten: list[dict[str, Any]] = [{"bestand": Path(r.file).name, "regel": r.line,
                                     "naam": r.naam, "verschillen": r.failures}
                                    for r in results if not r.ok]
    fouten += [{"bestand": p.bestand, "regel": p.regel, "naam": "(testbestand)",
                "verschillen": [p.melding]} for p in problems]
    return TestUitkomst(geslaagd=sum(r.ok for r in results),
                        gefaald=sum(not r.ok for r in results) + len(problems), fouten=fouten)
