"""`GET /v1/adviezen/{id}/vragen`: the advies' "nog uitvragen", best question first.

The ranking (`engine.rank_questions`) re-evaluates the casus once per possible answer, so it
is computed on request, never stored: the trace and its hash stay as they were. It uses the
pack versions pinned in the advies, like `_herhaal`, so an advies made under older rules is
ranked by those rules. Who may read the advies may read its questions (`service.toegang`).

The result depends only on the trace (casus, peildatum, pack hashes), so it is kept per
`trace_hash` in a small per-worker cache; a miss costs up to a few hundred milliseconds of CPU
(gezin-meervoudig, the largest public example, about 0.2 s on a shared 2-core machine since the
packs grew; `bench/vragen_bench.py` measures it) and counts against the principal's `adviezen`
rate limit, like an evaluation.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

from fastapi import APIRouter, Depends, Request
from sqlalchemy.orm import Session

from engine import CasusError, RankedQuestion, Receipt, rank_questions
from service.auth import Principal, require
from service.db import Advies
from service.deps import db_read, engines
from service.engines import Engines
from service.problems import ApiProblem
from service.routes.adviezen import GONE, refuse_if_gone, stored_trace_json
from service.routes.logboek import record_reads
from service.schemas import BeslistInstrument, GerangschikteVraag, Vragen
from service.toegang import Actie, load

router = APIRouter(tags=["adviezen"])

CACHE_SIZE = 128
_cache: OrderedDict[str, list[RankedQuestion]] = OrderedDict()
_lock = threading.Lock()


@router.get("/adviezen/{advies_id}/vragen", response_model=Vragen, responses=GONE,
            summary="Nog uitvragen, gerangschikt naar het aantal instrumenten dat één "
                    "antwoord beslist")
def ranked(advies_id: str, request: Request, session: Session = Depends(db_read),
           eng: Engines = Depends(engines),
           who: Principal = Depends(require("consulent", "auditor"))) -> Vragen:
    row = load(session, Advies, advies_id, who, Actie.LEZEN)
    refuse_if_gone(session, row)
    hashes = [p["hash"] for p in row.pakketten]
    digest, casus_id = row.trace_hash, row.casus_id
    found = _cached(digest)
    if found is None:
        request.app.state.rate_limits.hit("adviezen", who)
        trace_json = stored_trace_json(session, row, eng)
        session.close()  # the evaluations below need no database connection
        pinned = eng.pinned(hashes)
        stored = Receipt(trace_json=trace_json, trace_hash=digest, backend="opgeslagen",
                         firings=0)
        try:
            found = rank_questions(pinned, stored.trace["casus"], stored)
        except CasusError as e:  # an old advies whose casus this engine no longer accepts
            raise ApiProblem(409, "De casus van dit advies past niet in het casuscontract van "
                                  "deze engine: de vragen zijn niet te rangschikken. Het advies "
                                  "zelf is ongewijzigd.") from e
        _remember(digest, found)
    record_reads(request, who, "advies_lezen", [(casus_id, advies_id, None)])
    return Vragen(advies_id=advies_id, vragen=[
        GerangschikteVraag(
            feit=q.feit, vraag=q.vraag, aantal=q.aantal, antwoorden=list(q.antwoorden),
            beslist=[BeslistInstrument(**vars(b)) for b in q.beslist],
            soms=[BeslistInstrument(**vars(b)) for b in q.soms], overbodig=q.overbodig)
        for q in found])


def _cached(digest: str) -> list[RankedQuestion] | None:
    with _lock:
        found = _cache.get(digest)
        if found is not None:
            _cache.move_to_end(digest)
        return found


def _remember(digest: str, found: list[RankedQuestion]) -> None:
    with _lock:
        _cache[digest] = found
        while len(_cache) > CACHE_SIZE:
            _cache.popitem(last=False)
