"""Impact analyses as jobs: each runs in its own process, so the service stays responsive.

Re-evaluating every stored advies with a candidate rule base is seconds to minutes of CPU, and
durable-rules never releases the GIL: in a thread of the service it would slow every other
request. So a job runs in a child process (multiprocessing, `spawn`: nothing of the service's
state is inherited) at a lower priority (`os.nice`). The child reads the stored traces itself
through the database URL, compiles the candidate packs, and reports its progress in shared
memory and its result through a pipe. Cancelling or a time limit terminates the process: the
work really stops.

Jobs live in the memory of one service process: they are lost on a restart, and with several
workers only the worker that accepted a job knows it. The result is not a record: impact changes
nothing stored, and a finished job is forgotten after `ImpactInstellingen.bewaar_s`.

What the result holds depends on who started the job, decided once at the start and computed in
the child, so no per-advies detail ever reaches this process for a beleidsmedewerker: the
overzicht (`engine.impact.ImpactRapport.overzicht`) for a beleidsmedewerker, the per-advies report
for an auditor. Only the principal that started a job and auditors can see it; others get 404.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import os
import queue
import threading
import time
import uuid
from collections import OrderedDict
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from multiprocessing.sharedctypes import Synchronized
from typing import Any, Literal

from service.auth import Principal
from service.db import now
from service.problems import ApiProblem
from service.settings import ImpactInstellingen
from service.toegang import Actie, may, sees_per_advies

log = logging.getLogger("service.impact")

Status = Literal["wachtend", "bezig", "klaar", "mislukt", "geannuleerd", "verlopen"]
EINDE: frozenset[str] = frozenset({"klaar", "mislukt", "geannuleerd", "verlopen"})
RETRY_AFTER_S = 30
"""What a client is told to wait when every place is taken (jobs take tens of seconds)."""
BEWAARD_MAX = 100
"""At most this many finished jobs are kept, oldest forgotten first (memory stays bounded)."""
STOP_WACHT_S = 5
"""How long a terminated process gets before it is killed."""

_spawn = multiprocessing.get_context("spawn")


@dataclass
class ImpactJob:
    id: str
    eigenaar: str
    """The principal's id (issuer and subject): who may see and cancel the job."""
    per_advies: bool
    """Started by an auditor: the result holds the per-advies detail."""
    sources: list[tuple[str, bytes]] | None
    """The candidate rule base (name, bytes); dropped once the child has it."""
    sinds: str | None
    peildatum: str | None
    tijdslimiet_s: float
    status: Status = "wachtend"
    aangemaakt: str = field(default_factory=now)
    gestart: str | None = None
    beeindigd: str | None = None
    beeindigd_om: float | None = None
    melding: str | None = None
    uitkomst: dict[str, Any] | None = None
    pid: int | None = None
    verwerkt: int = 0
    totaal: int | None = None
    _proces: Any = field(default=None, repr=False)
    _teller: Synchronized[int] | None = field(default=None, repr=False)
    _totaal: Synchronized[int] | None = field(default=None, repr=False)

    def voortgang(self) -> dict[str, int | None]:
        if self._teller is not None and self._totaal is not None:
            total = self._totaal.value
            return {"verwerkt": self._teller.value, "totaal": None if total < 0 else total}
        return {"verwerkt": self.verwerkt, "totaal": self.totaal}


class ImpactJobs:
    """The jobs of one service process: a bounded queue, `max_taken` runner threads (started on
    first use) that each supervise one child process at a time, and a lock over every status
    change."""

    def __init__(self, database_url: str, instellingen: ImpactInstellingen):
        self.database_url = database_url
        self.cfg = instellingen
        self._jobs: OrderedDict[str, ImpactJob] = OrderedDict()
        self._lock = threading.Lock()
        self._queue: queue.Queue[ImpactJob | None] = queue.Queue()
        self._runners: list[threading.Thread] = []
        self._closed = False

    # ── what the routes call ────────────────────────────────────────────────────────────
    def check_room(self) -> None:
        """503 with Retry-After when no job can be accepted now (checked before a candidate is
        parsed, so a full service does not parse it for nothing; `submit` checks again)."""
        with self._lock:
            self._check_room()

    def submit(self, who: Principal, sources: list[tuple[str, bytes]], sinds: str | None,
               peildatum: str | None) -> ImpactJob:
        job = ImpactJob(id=str(uuid.uuid4()), eigenaar=who.id,
                        per_advies=sees_per_advies(who), sources=sources, sinds=sinds,
                        peildatum=peildatum, tijdslimiet_s=self.cfg.tijdslimiet_s)
        with self._lock:
            self._check_room()
            self._forget_old()
            self._jobs[job.id] = job
            if len(self._runners) < self.cfg.max_taken:
                runner = threading.Thread(target=self._run, name=f"impact-{len(self._runners)}",
                                          daemon=True)
                self._runners.append(runner)
                runner.start()
        self._queue.put(job)
        return job

    def visible(self, job_id: str, who: Principal) -> ImpactJob:
        """The job if `who` started it or is an auditor; otherwise 404, as for an unknown id."""
        with self._lock:
            self._forget_old()
            job = self._jobs.get(job_id)
        if job is None or not may(who, job.eigenaar, Actie.LEZEN, als=None):
            raise ApiProblem(404, f"Geen impacttaak met id '{job_id}'.")
        return job

    def cancel(self, job_id: str, who: Principal) -> ImpactJob:
        """Stop a waiting or running job (its process is terminated); a finished job stays as
        it is. Only the principal that started the job may cancel it."""
        job = self.visible(job_id, who)
        if not may(who, job.eigenaar, Actie.SCHRIJVEN, als=None):
            raise ApiProblem(403, "Alleen wie de impacttaak startte, kan haar annuleren.")
        self._end(job, "geannuleerd", "geannuleerd door wie de taak startte")
        return job

    def get(self, job_id: str) -> ImpactJob | None:
        with self._lock:
            return self._jobs.get(job_id)

    def shutdown(self) -> None:
        """At the end of the app's lifespan: accept nothing more, stop every job and runner."""
        with self._lock:
            self._closed = True
            jobs = list(self._jobs.values())
        for job in jobs:
            self._end(job, "geannuleerd", "de service stopte")
        for _ in self._runners:
            self._queue.put(None)
        for runner in self._runners:
            runner.join(timeout=STOP_WACHT_S + 5)

    # ── inside ──────────────────────────────────────────────────────────────────────────
    def _check_room(self) -> None:
        if self._closed:
            raise ApiProblem(503, "De service stopt; start de impactanalyse later opnieuw.",
                             headers={"Retry-After": str(RETRY_AFTER_S)})
        refuse_when_full(sum(j.status not in EINDE for j in self._jobs.values()), self.cfg)

    def _forget_old(self) -> None:
        limit = time.monotonic() - self.cfg.bewaar_s
        finished = [j for j in self._jobs.values() if j.beeindigd_om is not None]
        for job in finished:
            if job.beeindigd_om is not None and job.beeindigd_om < limit:
                del self._jobs[job.id]
        finished = [j for j in finished if j.id in self._jobs]
        for job in finished[:max(0, len(finished) - BEWAARD_MAX)]:
            del self._jobs[job.id]

    def _end(self, job: ImpactJob, status: Status, melding: str | None,
             uitkomst: dict[str, Any] | None = None) -> bool:
        """Finish `job` (once: the first ending wins) and stop its process if it runs.
        Called from requests, the runner and shutdown; only the runner joins the process."""
        with self._lock:
            if job.status in EINDE:
                return False
            progress = job.voortgang()
            job.verwerkt, job.totaal = progress["verwerkt"] or 0, progress["totaal"]
            job._teller = job._totaal = None
            job.status, job.melding, job.uitkomst = status, melding, uitkomst
            job.beeindigd, job.beeindigd_om = now(), time.monotonic()
            job.sources = None
            proces = job._proces
        if proces is not None and proces.pid is not None:
            # SIGTERM stops the child at once (it has no handler); its runner reaps it
            with contextlib.suppress(OSError, ValueError):
                proces.terminate()
        return True

    def _run(self) -> None:
        while (job := self._queue.get()) is not None:
            with self._lock:
                if job.status != "wachtend" or job.sources is None:
                    continue  # cancelled while waiting
                teller, totaal = _spawn.Value("q", 0), _spawn.Value("q", -1)
                receive, send = _spawn.Pipe(duplex=False)
                proces = _spawn.Process(
                    target=work, name=f"impact-{job.id[:8]}", daemon=True,
                    args=(send, teller, totaal, self.database_url, job.sources, job.sinds,
                          job.peildatum, job.per_advies, self.cfg.nice))
                job.sources = None  # the process holds them until it has started
                job.status, job.gestart = "bezig", now()
                job._teller, job._totaal, job._proces = teller, totaal, proces
            try:
                proces.start()  # outside the lock: spawn writes the sources to the child
                job.pid = proces.pid
                send.close()
                self._supervise(job, proces, receive)
            except Exception as exc:  # never let a runner die: the queue would stall
                log.error("impacttaak: toezicht mislukt", extra={"fout": type(exc).__name__})
                self._end(job, "mislukt", "interne fout")
            finally:
                send.close()
                receive.close()
                if proces.pid is not None:
                    _stop(proces)
                with self._lock:
                    job._proces = None

    def _supervise(self, job: ImpactJob, proces: Any, receive: Connection) -> None:
        deadline = time.monotonic() + job.tijdslimiet_s
        while job.status == "bezig":
            left = deadline - time.monotonic()
            if left <= 0:
                self._end(job, "verlopen", f"gestopt na de tijdslimiet van "
                                           f"{job.tijdslimiet_s:g} s")
                return
            ready = wait([receive, proces.sentinel], timeout=min(left, 1.0))
            if receive in ready:
                try:
                    kind, payload = receive.recv()
                except (EOFError, OSError):
                    kind, payload = "mislukt", "het rekenproces stopte onverwacht"
                if kind == "klaar":
                    self._end(job, "klaar", None, payload)
                else:
                    self._end(job, "mislukt", str(payload))
                return
            if proces.sentinel in ready and not receive.poll():
                self._end(job, "mislukt", f"het rekenproces stopte onverwacht "
                                          f"(code {proces.exitcode})")
                return


def refuse_when_full(open_jobs: int, cfg: ImpactInstellingen) -> None:
    """503 with Retry-After when `max_taken + wachtrij` jobs are open (running or waiting): the
    one bound for both runners, in-process and the job library (`service.impact_taken`)."""
    if open_jobs >= cfg.max_taken + cfg.wachtrij:
        raise ApiProblem(503, f"Er lopen of wachten al {open_jobs} impactanalyses; probeer "
                              f"het over {RETRY_AFTER_S} s opnieuw.",
                         headers={"Retry-After": str(RETRY_AFTER_S)})


def _stop(proces: Any) -> None:
    """Terminate a child process and reap it (kill it if it does not stop)."""
    if proces.is_alive():
        proces.terminate()
        proces.join(STOP_WACHT_S)
        if proces.is_alive():
            proces.kill()
    proces.join(STOP_WACHT_S)


def work(send: Connection, teller: Synchronized[int], totaal: Synchronized[int],
         database_url: str, sources: list[tuple[str, bytes]], sinds: str | None,
         peildatum: str | None, per_advies: bool, nice: int) -> None:
    """The child process: compile the candidate, re-evaluate every stored advies, send
    ("klaar", result) or ("mislukt", reason). The reason names no person and no casus field."""
    with contextlib.suppress(OSError):
        os.nice(nice)
    from engine import Engine, PackError
    from engine.impact import impact
    from service.bewijsstuk import pinned_in, stored_adviezen
    from service.db import Advies, make_engines, session_factory
    from service.store import count

    writer = reader = candidate = None
    try:
        candidate = Engine.from_sources(sources)
        writer, reader = make_engines(database_url)
        with session_factory(reader)() as session:
            totaal.value = count(session, Advies, *([Advies.aangemaakt >= sinds] if sinds
                                                    else []))

            def progress(n: int) -> None:
                teller.value = n

            report = impact(stored_adviezen(session, pinned_in(session), sinds), candidate,
                            progress=progress,
                            peildatum=peildatum)
        totaal.value = max(totaal.value, report.totaal)
        send.send(("klaar", report.as_dict() if per_advies else report.overzicht()))
    except PackError:
        send.send(("mislukt", "de kandidaat-pakketten laden niet"))
    except Exception as exc:
        send.send(("mislukt", f"fout bij het herevalueren ({type(exc).__name__})"))
    finally:
        send.close()
        if candidate is not None:
            candidate.close()
        for engine in (writer, reader):
            if engine is not None:
                engine.dispose()
