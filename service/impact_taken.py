"""Impact analyses through a job library on PostgreSQL (procrastinate): several hosts, one run.

`service.impact_jobs` runs a job in a child process of the service process that accepted it:
fine for one machine on SQLite, but the job is in that process's memory only. On PostgreSQL a
run is stored instead (`impact_runs`) and split into `delen` jobs of the job library, each
re-evaluating every n-th stored advies (volgnummer mod n, so each advies is in exactly one).
Workers started with `ot impact-worker`, on any host with the database URL, take the jobs; every
service process answers for every run. No scheduler of our own: procrastinate queues, hands out
and retires the jobs; this module only says what a job does and how parts make a run.

A part writes its progress to `impact_delen` about twice a second and looks at its run then:
when the run was cancelled or its time limit passed, it stops. The last part to finish merges
the counts of all parts (under a row lock on the run) and only then suppresses small cells, for
a beleidsmedewerker (`engine.impact.ImpactRapport.overzicht`); the per-advies detail is kept
only in a run an auditor started. What a run holds is decided when it starts, as in
`service.impact_jobs`, and the routes and the response (`ImpactTaak`) are the same for both.
"""

from __future__ import annotations

import base64
import datetime as dt
import functools
import json
import logging
import os
import socket
import time
import uuid
import zlib
from collections import Counter
from typing import Any

import procrastinate
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from service.auth import Principal
from service.db import Advies, ImpactDeel, ImpactRun, make_engines, now, session_factory
from service.impact_jobs import EINDE, RETRY_AFTER_S, ImpactJob, Status, refuse_when_full
from service.problems import ApiProblem
from service.settings import ImpactInstellingen
from service.store import count
from service.toegang import Actie, may, sees_per_advies

log = logging.getLogger("service.impact")

QUEUE = "impact"
TASK = "ot:impact_deel"
MELD_S = 0.5
"""How often a part writes its progress and looks whether its run still goes on."""
WACHT_S = 60.0
"""A run no worker has started within its time limit plus this is `verlopen` (no worker)."""



def _conninfo(database_url: str) -> str:
    """A libpq URL from a SQLAlchemy one (`postgresql+psycopg://` → `postgresql://`)."""
    scheme, rest = database_url.split("://", 1)
    return f"{scheme.split('+', 1)[0]}://{rest}"


def make_app(database_url: str, *, sync: bool = False) -> procrastinate.App:
    """The procrastinate app on the service's database: sync for the service (it defers from a
    worker thread), async for a worker (`ot impact-worker`)."""
    connector: procrastinate.BaseConnector = (
        procrastinate.SyncPsycopgConnector(conninfo=_conninfo(database_url)) if sync else
        procrastinate.PsycopgConnector(conninfo=_conninfo(database_url)))
    app = procrastinate.App(connector=connector)
    # a blueprint of its own each time: procrastinate renames the tasks of a blueprint it adds
    tasks = procrastinate.Blueprint()
    tasks.task(name="impact_deel", queue=QUEUE, pass_context=True)(impact_deel)
    app.add_tasks_from(tasks, namespace="ot")
    return app


def run_worker(database_url: str, concurrency: int = 1) -> None:
    """Take impact jobs until stopped (SIGINT/SIGTERM end the current part first). One part at a
    time per process: durable-rules holds the GIL, so start a process per core."""
    make_app(database_url).run_worker(
        queues=[QUEUE], concurrency=concurrency, install_signal_handlers=True,
        additional_context={"database_url": database_url}, delete_jobs="successful")


# ── the candidate as stored ──────────────────────────────────────────────────────────────────

def pack_sources(sources: list[tuple[str, bytes]]) -> bytes:
    return zlib.compress(json.dumps([[name, base64.b64encode(raw).decode("ascii")]
                                     for name, raw in sources]).encode("utf-8"))


def unpack_sources(data: bytes) -> list[tuple[str, bytes]]:
    return [(name, base64.b64decode(raw)) for name, raw in json.loads(zlib.decompress(data))]


# ── what a worker does ───────────────────────────────────────────────────────────────────────

class _Gestopt(Exception):
    """The run was cancelled or ran out of time: this part stops."""


@functools.lru_cache(maxsize=4)
def _engines(database_url: str) -> Any:
    """One SQLAlchemy engine pair per database in a worker process."""
    return make_engines(database_url)


def _deadline(run: ImpactRun) -> float:
    start = dt.datetime.fromisoformat((run.gestart or run.aangemaakt).replace("Z", "+00:00"))
    return start.timestamp() + run.tijdslimiet_s


def impact_deel(context: procrastinate.JobContext, run_id: str, deel: int) -> None:
    """One part of a run: re-evaluate every n-th stored advies with the run's candidate."""
    run_part(context.additional_context["database_url"], run_id, deel)


def run_part(database_url: str, run_id: str, deel: int) -> None:
    from engine import Engine, PackError
    from engine.impact import impact
    from service.bewijsstuk import pinned_in, stored_adviezen

    writer, reader = _engines(database_url)
    sessions = session_factory(writer)
    with sessions() as s:
        run = s.get(ImpactRun, run_id, with_for_update=True)
        part = s.get(ImpactDeel, (run_id, deel))
        if run is None or part is None or run.status in EINDE or part.status != "wachtend":
            return  # cancelled, expired, or delivered twice: nothing to do
        if run.status == "wachtend":
            run.status, run.gestart = "bezig", now()
        part.status, part.door = "bezig", f"{socket.gethostname()}:{os.getpid()}"
        s.commit()
        sources, n, sinds, peildatum = unpack_sources(run.kandidaat), run.delen, run.sinds, \
            run.peildatum
        per_advies, deadline = run.per_advies, _deadline(run)
    candidate = None
    try:
        candidate = Engine.from_sources(sources)
        with session_factory(reader)() as r:
            _write(sessions, run_id, deel, totaal=count(
                r, Advies, Advies.volgnummer % n == deel,
                *([Advies.aangemaakt >= sinds] if sinds else [])))
            last = time.monotonic()

            def progress(i: int) -> None:
                nonlocal last
                if time.monotonic() - last >= MELD_S:
                    last = time.monotonic()
                    _write(sessions, run_id, deel, verwerkt=i)
                    _check(sessions, run_id, deadline)

            report = impact(stored_adviezen(r, pinned_in(r), sinds, deel=(deel, n)), candidate,
                            progress=progress, peildatum=peildatum)
        rapport = {"totaal": report.totaal, "herberekend": report.herberekend,
                   "veranderd": report.veranderd, "fouten": report.fouten,
                   "per_instrument": {k: dict(v) for k, v in report.per_instrument.items()},
                   "adviezen": report.adviezen if per_advies else []}
        _finish_part(sessions, run_id, deel, rapport, report.totaal)
    except _Gestopt:
        _write(sessions, run_id, deel, status="gestopt")
    except PackError:
        _fail(sessions, run_id, deel, "de kandidaat-pakketten laden niet")
    except Exception as exc:  # the reason names no person and no casus field
        log.error("impactdeel mislukt", extra={"fout": type(exc).__name__})
        _fail(sessions, run_id, deel, f"fout bij het herevalueren ({type(exc).__name__})")
    finally:
        if candidate is not None:
            candidate.close()


def _write(sessions: Any, run_id: str, deel: int, **values: Any) -> None:
    with sessions() as s:
        part = s.get(ImpactDeel, (run_id, deel))
        if part is not None:
            for key, value in values.items():
                setattr(part, key, value)
            s.commit()


def _check(sessions: Any, run_id: str, deadline: float) -> None:
    with sessions() as s:
        run = s.get(ImpactRun, run_id)
        if run is None or run.status in EINDE:
            raise _Gestopt
        if time.time() > deadline:
            _end(s, run, "verlopen", f"gestopt na de tijdslimiet van {run.tijdslimiet_s:g} s")
            s.commit()
            raise _Gestopt


def _fail(sessions: Any, run_id: str, deel: int, melding: str) -> None:
    with sessions() as s:
        run = s.get(ImpactRun, run_id, with_for_update=True)
        part = s.get(ImpactDeel, (run_id, deel))
        if part is not None:
            part.status = "mislukt"
        if run is not None and run.status not in EINDE:
            _end(s, run, "mislukt", melding)
        s.commit()


def _end(s: Session, run: ImpactRun, status: Status, melding: str | None,
         uitkomst: dict[str, Any] | None = None) -> None:
    run.status, run.melding, run.uitkomst = status, melding, uitkomst
    run.beeindigd = now()
    run.kandidaat = b""  # the candidate is not kept once the run has ended


def _finish_part(sessions: Any, run_id: str, deel: int, rapport: dict[str, Any],
                 totaal: int) -> None:
    """Store this part's counts; the last part of a run merges them all (the run row locked,
    so two parts that end together do not both merge, or neither)."""
    with sessions() as s:
        run = s.get(ImpactRun, run_id, with_for_update=True)
        part = s.get(ImpactDeel, (run_id, deel))
        if run is None or part is None:
            return
        part.status, part.rapport, part.verwerkt = "klaar", rapport, totaal
        s.flush()
        parts = s.scalars(select(ImpactDeel).where(ImpactDeel.run_id == run_id)).all()
        if run.status not in EINDE and all(p.status == "klaar" for p in parts):
            _end(s, run, "klaar", None, merge([p.rapport or {} for p in parts], run.per_advies))
        s.commit()


def merge(rapporten: list[dict[str, Any]], per_advies: bool) -> dict[str, Any]:
    """The run's result from its parts' raw counts: what `ImpactRapport` gives for one run."""
    from engine.impact import ImpactRapport

    total = ImpactRapport()
    for r in rapporten:
        total.totaal += r["totaal"]
        total.herberekend += r["herberekend"]
        total.veranderd += r["veranderd"]
        total.fouten += r["fouten"]
        for iid, moves in r["per_instrument"].items():
            total.per_instrument.setdefault(iid, Counter()).update(moves)
        total.adviezen.extend(r["adviezen"])
    return total.as_dict() if per_advies else total.overzicht()


# ── what the service does ────────────────────────────────────────────────────────────────────

class ImpactRuns:
    """The routes' view of stored runs (the same methods as `service.impact_jobs.ImpactJobs`).

    `max_taken + wachtrij` bounds the runs that are open at once over all service processes
    (503 with Retry-After beyond it); how many parts run at once is how many workers run."""

    def __init__(self, database_url: str, instellingen: ImpactInstellingen):
        self.database_url = database_url
        self.cfg = instellingen
        writer, _ = make_engines(database_url)
        self._engine = writer
        self._sessions = session_factory(writer)
        self._app = make_app(database_url, sync=True)
        self._open = False

    def _procrastinate(self) -> procrastinate.App:
        if not self._open:
            self._app.open()
            self._open = True
        return self._app

    def check_room(self) -> None:
        with self._sessions() as s:
            self._check_room(s)

    def _check_room(self, s: Session) -> None:
        self._forget_old(s)
        refuse_when_full(count(s, ImpactRun, ImpactRun.status.notin_(EINDE)), self.cfg)

    def submit(self, who: Principal, sources: list[tuple[str, bytes]], sinds: str | None,
               peildatum: str | None) -> ImpactJob:
        run = ImpactRun(id=str(uuid.uuid4()), eigenaar=who.id, per_advies=sees_per_advies(who),
                        kandidaat=pack_sources(sources), sinds=sinds, peildatum=peildatum,
                        delen=self.cfg.delen, status="wachtend",
                        tijdslimiet_s=self.cfg.tijdslimiet_s, aangemaakt=now())
        with self._sessions() as s:
            self._check_room(s)
            s.add(run)
            s.flush()  # the run before its parts (no relationship orders them)
            s.add_all([ImpactDeel(run_id=run.id, deel=k, status="wachtend", verwerkt=0)
                       for k in range(run.delen)])
            s.commit()
        task = self._procrastinate().tasks[TASK]
        try:
            job_ids = [task.defer(run_id=run.id, deel=k) for k in range(run.delen)]
        except Exception as exc:
            with self._sessions() as s:
                stored = s.get(ImpactRun, run.id)
                if stored is not None:
                    _end(s, stored, "mislukt", "de taak kon niet in de wachtrij")
                    s.commit()
            raise ApiProblem(503, "De impactanalyse kon niet in de wachtrij; probeer het over "
                                  f"{RETRY_AFTER_S} s opnieuw.",
                             headers={"Retry-After": str(RETRY_AFTER_S)}) from exc
        with self._sessions() as s:
            for k, job_id in enumerate(job_ids):
                part = s.get(ImpactDeel, (run.id, k))
                if part is not None:
                    part.job_id = job_id
            s.commit()
        return self._job(run, [])

    def visible(self, job_id: str, who: Principal) -> ImpactJob:
        with self._sessions() as s:
            self._forget_old(s)
            run = s.get(ImpactRun, job_id)
            if run is None or not may(who, run.eigenaar, Actie.LEZEN, als=None):
                raise ApiProblem(404, f"Geen impacttaak met id '{job_id}'.")
            if run.status not in EINDE and time.time() > _deadline(run) + (
                    WACHT_S if run.status == "wachtend" else 0):
                _end(s, run, "verlopen", f"gestopt na de tijdslimiet van "
                                         f"{run.tijdslimiet_s:g} s"
                     + ("" if run.gestart else "; geen impact-worker nam haar aan"))
            s.commit()
            parts = s.scalars(select(ImpactDeel).where(ImpactDeel.run_id == job_id)).all()
            return self._job(run, list(parts))

    def cancel(self, job_id: str, who: Principal) -> ImpactJob:
        """Stop a waiting or running run: its waiting jobs are cancelled in the job library, a
        running part sees it within `MELD_S` and stops. Only who started it may."""
        self.visible(job_id, who)
        with self._sessions() as s:
            run = s.get(ImpactRun, job_id, with_for_update=True)
            assert run is not None
            if not may(who, run.eigenaar, Actie.SCHRIJVEN, als=None):
                raise ApiProblem(403, "Alleen wie de impacttaak startte, kan haar annuleren.")
            if run.status not in EINDE:
                _end(s, run, "geannuleerd", "geannuleerd door wie de taak startte")
            s.commit()
            parts = s.scalars(select(ImpactDeel).where(ImpactDeel.run_id == job_id)).all()
        manager = self._procrastinate().job_manager
        for part in parts:
            if part.job_id is not None and part.status == "wachtend":
                try:
                    manager.cancel_job_by_id(part.job_id)
                except Exception:  # already taken: the part stops itself
                    log.info("impactdeel al aangenomen", extra={"deel": part.deel})
        return self.visible(job_id, who)

    def shutdown(self) -> None:
        """Runs go on in the workers; this process only lets go of its connections."""
        if self._open:
            self._app.close()
            self._open = False
        self._engine.dispose()

    def _forget_old(self, s: Session) -> None:
        limit = (dt.datetime.now(dt.UTC) - dt.timedelta(seconds=self.cfg.bewaar_s)).isoformat(
            timespec="microseconds").replace("+00:00", "Z")
        s.execute(delete(ImpactDeel).where(ImpactDeel.run_id.in_(
            select(ImpactRun.id).where(ImpactRun.beeindigd < limit))))
        s.execute(delete(ImpactRun).where(ImpactRun.beeindigd < limit))

    @staticmethod
    def _job(run: ImpactRun, parts: list[ImpactDeel]) -> ImpactJob:
        totals = [p.totaal for p in parts]
        job = ImpactJob(id=run.id, eigenaar=run.eigenaar, per_advies=run.per_advies,
                        sources=None, sinds=run.sinds, peildatum=run.peildatum,
                        tijdslimiet_s=run.tijdslimiet_s, status=run.status,  # type: ignore[arg-type]
                        aangemaakt=run.aangemaakt, gestart=run.gestart,
                        beeindigd=run.beeindigd, melding=run.melding, uitkomst=run.uitkomst)
        job.verwerkt = sum(p.verwerkt or 0 for p in parts)
        job.totaal = sum(t for t in totals if t is not None) if totals and all(
            t is not None for t in totals) else None
        return job
