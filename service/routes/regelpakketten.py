"""`regelpakketten`: what the engine knows, readable with citations; validation, tests and impact
analysis for beleidsmedewerkers (nothing is activated by them), and the impact jobs
(`impact-taken`). Parsing, compiling and evaluating never run on the event loop: in a worker
thread (`off_the_loop`), or for an impact analysis in a process of its own
(`service.impact_jobs`)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any, TypeVar

import anyio
import anyio.to_thread
from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse

from engine import Engine, PackError
from engine.citation import Rechtsgrond
from engine.loader import LoadedPack, load_pack_sources
from service.auth import Principal, require
from service.deps import engines
from service.engines import Engines, pack_tests
from service.impact_jobs import ImpactJob, ImpactJobs
from service.impact_taken import ImpactRuns
from service.problems import ApiProblem, invalid_from_problems
from service.schemas import ImpactTaak, PakketRef, Pakketversie, TestUitkomst, Validatie, Voortgang
from service.settings import Rol

router = APIRouter(tags=["regelpakketten"])
READERS: tuple[Rol, ...] = ("consulent", "beleidsmedewerker", "auditor")
T = TypeVar("T")


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


HASH = re.compile(r"^sha256:[0-9a-f]{64}$")


@router.get("/regelpakketten/{pakket_id}", response_model=Pakketversie | dict[str, Any],
            summary="Een regelpakket dat nu geldt (id), of een opgeslagen versie "
                    "(inhoudshash sha256:…) met haar YAML")
def show(pakket_id: str, eng: Engines = Depends(engines),
         who: Principal = Depends(require(*READERS))) -> Pakketversie | dict[str, Any]:
    """`pakket_id` is an id (`wmo`) or a content hash as an advies pins it
    (`pakketten[].hash`): that exact version stays readable after the pack changed on disk.
    An id never starts with `sha256:`."""
    if pakket_id.startswith("sha256:"):
        return pinned_version(eng, pakket_id)
    return meta(pack_of(eng, pakket_id))


def pinned_version(eng: Engines, digest: str) -> Pakketversie:
    if not HASH.fullmatch(digest):
        raise ApiProblem(400, "Geen geldige inhoudshash; zie invalidParams.", invalid=[
            {"name": "pakket_id", "code": "invalid",
             "reason": "een inhoudshash is 'sha256:' en 64 hexadecimale tekens (kleine letters)"}])
    found = eng.stored_version(digest)
    if found is None:
        raise ApiProblem(404, f"Geen opgeslagen regelpakketversie '{digest}'.")
    return Pakketversie(id=found.pakket_id, versie=found.versie, hash=found.hash,
                        bestand=found.bron, opgeslagen=found.opgeslagen,
                        geldt_nu=found.hash in eng.current_key, regelpakket=found.kop,
                        instrumenten=found.instrumenten, grondwaarden=found.grondwaarden,
                        yaml=found.inhoud.decode("utf-8"))


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

CANDIDATE_WORK = anyio.CapacityLimiter(1)
"""Parsing, compiling and evaluating candidate packs or YAML tests run in a worker thread, never
on the event loop, and one at a time per process: a 680 KB pack costs seconds of CPU that holds
the GIL, and ten at once would starve every other request."""


async def off_the_loop(func: Callable[[], T]) -> T:
    """Run CPU work in a worker thread (bounded by `CANDIDATE_WORK`); the event loop keeps
    answering other requests meanwhile."""
    return await anyio.to_thread.run_sync(func, limiter=CANDIDATE_WORK)


def _load_candidate(raw: bytes, name: str) -> tuple[Any, Any]:
    from engine.loader import load_pack_bytes

    loaded, problems = load_pack_bytes(raw, name)
    return (loaded, None) if loaded else (None, problems)


def candidate_packs(eng: Engines, raw: bytes, name: str) -> tuple[list[LoadedPack], str | None]:
    """The packs in force with the candidate in place of the pack with its id, loaded and
    cross-checked (400 listing every problem); and the candidate's id (None: no candidate,
    i.e. an empty body, the packs in force as they are)."""
    candidate = None
    if raw.strip():
        candidate, problems = _load_candidate(raw, name)
        if problems is not None:
            raise ApiProblem(400, "Het regelpakket klopt niet; zie invalidParams.",
                             invalid=invalid_from_problems(problems))
    sources = [(lp.source, lp.raw) for lp in eng.current.rules.packs
               if candidate is None or lp.id != candidate.id]
    if candidate is not None:
        sources.append((name, raw))
    try:
        packs = load_pack_sources(sources)
    except PackError as exc:
        raise ApiProblem(400, "Het regelpakket past niet bij de andere pakketten.",
                         invalid=invalid_from_problems(exc.problems)) from exc
    return packs, candidate.id if candidate is not None else None


@router.post("/regelpakketten/_valideer", response_model=Validatie, openapi_extra=YAML_BODY,
             summary="Valideer een kandidaat-regelpakket (YAML); activeert niets")
async def validate(request: Request, eng: Engines = Depends(engines),
                   who: Principal = Depends(require("beleidsmedewerker",
                                                    limiet="valideer"))) -> Validatie:
    raw = await request.body()
    name = request.headers.get("x-bestandsnaam", "kandidaat.yaml")[:100]
    if not raw.strip():
        raise ApiProblem(400, "De body is leeg; stuur het regelpakket als YAML.")
    # checked against the other packs in force (same id: the candidate replaces it)
    packs, candidate_id = await off_the_loop(lambda: candidate_packs(eng, raw, name))
    lp = next(p for p in packs if p.id == candidate_id)
    return Validatie(geldig=True, pakketten=[PakketRef(id=lp.id, versie=lp.pack.regelpakket.versie,
                                                       hash="sha256:" + lp.sha256)],
                     instrumenten=len(lp.pack.instrumenten))


TAAK_AANGENOMEN = {
    202: {"description": "De impactanalyse is aangenomen; volg haar via Location. Lopen of "
                         "wachten er al genoeg, dan 503 met Retry-After.",
          "headers": {"Location": {"description": "/v1/impact-taken/{id}",
                                   "schema": {"type": "string"}}}},
}


@router.post("/regelpakketten/_impact", status_code=202, response_model=ImpactTaak,
             openapi_extra=YAML_BODY, responses=TAAK_AANGENOMEN,  # type: ignore[arg-type]
             summary="Start een impactanalyse: wat verandert een kandidaat-pakket aan de "
                     "opgeslagen adviezen? (wijzigt niets)")
async def impact_start(request: Request, sinds: dt.date | None = None,
                       peildatum: dt.date | None = None,
                       eng: Engines = Depends(engines),
                       who: Principal = Depends(require("beleidsmedewerker", "auditor",
                                                        limiet="impact"))) -> JSONResponse:
    """An empty body: the packs in force (the impact of re-evaluating on `peildatum`). The job
    runs in its own process; a beleidsmedewerker gets counts only, an auditor per advies."""
    jobs: ImpactJobs | ImpactRuns = request.app.state.impact_jobs
    await off_the_loop(jobs.check_room)
    raw = await request.body()
    name = request.headers.get("x-bestandsnaam", "kandidaat.yaml")[:100]
    packs, _ = await off_the_loop(lambda: candidate_packs(eng, raw, name))
    job = await off_the_loop(lambda: jobs.submit(who, [(lp.source, lp.raw) for lp in packs],
                                                 sinds.isoformat() if sinds else None,
                                                 peildatum.isoformat() if peildatum else None))
    return JSONResponse(taak(job).model_dump(mode="json"), status_code=202,
                        headers={"Location": f"/v1/impact-taken/{job.id}"})


def taak(job: ImpactJob) -> ImpactTaak:
    weergave = "per_advies" if job.per_advies else "geaggregeerd"
    uitkomst = {**job.uitkomst, "weergave": weergave} if job.uitkomst is not None else None
    return ImpactTaak(id=job.id, status=job.status, weergave=weergave,
                      voortgang=Voortgang(**job.voortgang()), aangemaakt=job.aangemaakt,
                      gestart=job.gestart, beeindigd=job.beeindigd,
                      tijdslimiet_s=job.tijdslimiet_s, melding=job.melding,
                      uitkomst=uitkomst)


@router.get("/impact-taken/{taak_id}", response_model=ImpactTaak, tags=["impact-taken"],
            summary="Status, voortgang en (als klaar) het resultaat van een impactanalyse")
def impact_status(taak_id: str, request: Request,
                  who: Principal = Depends(require(*READERS))) -> ImpactTaak:
    """Only who started the job, and auditors, see it; anyone else gets 404."""
    return taak(request.app.state.impact_jobs.visible(taak_id, who))


@router.delete("/impact-taken/{taak_id}", response_model=ImpactTaak, tags=["impact-taken"],
               summary="Annuleer een impactanalyse (haar proces stopt)")
def impact_cancel(taak_id: str, request: Request,
                  who: Principal = Depends(require(*READERS))) -> ImpactTaak:
    return taak(request.app.state.impact_jobs.cancel(taak_id, who))


@router.post("/regelpakketten/_test", response_model=TestUitkomst,
             summary="Draai de YAML-tests van de regelpakketten die nu gelden")
async def run_tests(eng: Engines = Depends(engines),
                    who: Principal = Depends(require("beleidsmedewerker", limiet="test"))
                    ) -> TestUitkomst:
    return await off_the_loop(lambda: _run_tests(eng.current))


def _run_tests(engine: Engine) -> TestUitkomst:
    from pathlib import Path

    results, problems = pack_tests(engine)
    fouten: list[dict[str, Any]] = [{"bestand": Path(r.file).name, "regel": r.line,
                                     "naam": r.naam, "verschillen": r.failures}
                                    for r in results if not r.ok]
    fouten += [{"bestand": p.bestand, "regel": p.regel, "naam": "(testbestand)",
                "verschillen": [p.melding]} for p in problems]
    return TestUitkomst(geslaagd=sum(r.ok for r in results),
                        gefaald=sum(not r.ok for r in results) + len(problems), fouten=fouten)
