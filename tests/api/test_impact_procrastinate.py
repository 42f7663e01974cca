"""Impact through the job library on PostgreSQL (procrastinate, `service/impact_taken.py`):
the service stores a run and defers its parts; two `ot impact-worker` processes, started here
as a deployment would start them, take one part each; the merged result equals re-evaluating
every stored advies in this process, for a beleidsmedewerker (counts) and an auditor (per
advies); a second service process (another app on the same database) sees the same run; a
cancelled run stops its running part. Invented people only; PostgreSQL only (SQLite keeps the
in-process runner, tests/api/test_impact_job.py)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text

from engine import Engine
from engine.impact import impact
from service.app import create_app
from service.bewijsstuk import pinned_in, stored_adviezen
from tests.api.conftest import AUDITOR, BELEID, PG_URL, dispose, make_settings, reset_postgres
from tests.api.test_impact import IMPACT, candidate, start, wait
from tests.api.test_impact_job import ages, store
from tests.paths import ROOT

pytestmark = pytest.mark.skipif(not PG_URL, reason="OT_TEST_POSTGRES_URL is not set (CI sets "
                                                   "it; see scripts/postgres-start.sh)")


def _sa(url: str) -> str:
    return url.replace("postgresql://", "postgresql+psycopg://", 1)


@pytest.fixture
def pg() -> Iterator[str]:
    assert PG_URL
    reset_postgres(PG_URL)
    yield PG_URL


def make(url: str, **impact_settings: int) -> tuple[FastAPI, TestClient]:
    app = create_app(make_settings(url, impact={"uitvoering": "procrastinate", "delen": 2,
                                                "wachtrij": 4, **impact_settings}))
    return app, TestClient(app, raise_server_exceptions=True)


def workers_ready(url: str, n: int, timeout: float = 60) -> None:
    """Wait until `n` workers have registered with the job library (their heartbeat rows)."""
    engine = create_engine(_sa(url))
    deadline = time.monotonic() + timeout
    try:
        while True:
            with engine.connect() as conn:
                seen = conn.execute(text("SELECT COUNT(*) FROM procrastinate_workers")).scalar()
            if seen is not None and seen >= n:
                return
            assert time.monotonic() < deadline, f"{seen} of {n} impact-workers started"
            time.sleep(0.2)
    finally:
        engine.dispose()


@pytest.fixture
def workers(pg: str) -> Iterator[list[subprocess.Popen[bytes]]]:
    """Two worker processes, as `ot impact-worker` (the app's migrations ran first: they
    create the job library's schema)."""
    app, client = make(pg)  # migrates the database
    with client:
        pass
    dispose(app)
    env = {**os.environ, "OT_DATABASE_URL": pg, "PYTHONPATH": str(ROOT)}
    procs = [subprocess.Popen([sys.executable, "-m", "cli.main", "impact-worker"], cwd=ROOT,
                              env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
             for _ in range(2)]
    try:
        workers_ready(pg, 2)
        yield procs
    finally:
        for p in procs:
            p.send_signal(signal.SIGTERM)
        for p in procs:
            try:
                p.wait(timeout=30)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()


def expected(app: FastAPI, per_advies: bool) -> dict[str, Any]:
    """Every stored advies re-evaluated here, in this process, without the job library."""
    cand = Engine.from_sources([(lp.source, lp.raw) for lp in app.state.engines.current.rules.packs
                                if lp.id != "gm9991"] + [("gm9991.yaml", candidate())])
    try:
        with app.state.read_sessions() as s:
            report = impact(stored_adviezen(s, pinned_in(s)), cand, selectief=False)
    finally:
        cand.close()
    return report.as_dict(limit=10**6) if per_advies else report.overzicht()


def parts(url: str, run_id: str) -> list[tuple[int, str, str | None]]:
    engine = create_engine(_sa(url))
    try:
        with engine.connect() as conn:
            return [(r[0], r[1], r[2]) for r in conn.execute(text(
                "SELECT deel, status, door FROM impact_delen WHERE run_id = :r ORDER BY deel"),
                {"r": run_id})]
    finally:
        engine.dispose()


def test_two_workers_share_a_run_and_its_result_equals_a_full_re_evaluation(
        pg: str, workers: list[subprocess.Popen[bytes]]) -> None:
    app, client = make(pg)
    with client:
        store(app, ages(600))
        for who, per_advies in ((BELEID, False), (AUDITOR, True)):
            location = start(client, candidate(), who)
            body = wait(client, location, who, timeout=300)
            assert body["status"] == "klaar", body
            assert body["voortgang"] == {"verwerkt": 600, "totaal": 600}
            uitkomst = dict(body["uitkomst"])
            assert uitkomst.pop("weergave") == ("per_advies" if per_advies else "geaggregeerd")
            want = expected(app, per_advies)
            if per_advies:  # the parts' lists are joined part by part: compare as sets
                got_ids = sorted(a["advies_id"] for a in uitkomst.pop("adviezen"))
                assert got_ids == sorted(a["advies_id"] for a in want.pop("adviezen"))
            want.pop("herberekend")
            uitkomst.pop("herberekend")
            assert uitkomst == want
            done = parts(pg, location.rsplit("/", 1)[1])
            assert [(d, s) for d, s, _ in done] == [(0, "klaar"), (1, "klaar")]
            pids = {door.rsplit(":", 1)[1] for _, _, door in done if door}
            assert pids <= {str(p.pid) for p in workers}
            if not per_advies:
                assert uitkomst["veranderd"] == 100  # 1 in 6 of 600 (Regiotaxi from 80)
        # a second service process on the same database knows the run (and its result)
        other, other_client = make(pg)
        with other_client:
            assert other_client.get(location, headers=AUDITOR).json()["status"] == "klaar"
        dispose(other)
    dispose(app)


def test_both_workers_take_a_part_of_one_run(pg: str,
                                              workers: list[subprocess.Popen[bytes]]) -> None:
    app, client = make(pg)
    with client:
        store(app, ages(1200))
        location = start(client, candidate(), BELEID)
        assert wait(client, location, BELEID, timeout=300)["status"] == "klaar"
    dispose(app)
    doors = {door for _, _, door in parts(pg, location.rsplit("/", 1)[1])}
    assert doors == {f"{os.uname().nodename}:{p.pid}" for p in workers}


def test_a_cancelled_run_stops_its_running_parts(pg: str,
                                                 workers: list[subprocess.Popen[bytes]]) -> None:
    app, client = make(pg)
    with client:
        store(app, ages(3000))
        location = start(client, candidate(), BELEID)
        wait(client, location, BELEID, until={"bezig"}, timeout=120)
        r = client.delete(location, headers=BELEID)
        assert r.status_code == 200 and r.json()["status"] == "geannuleerd", r.text
        run_id = location.rsplit("/", 1)[1]
        deadline = time.monotonic() + 30
        while any(s == "bezig" for _, s, _ in parts(pg, run_id)):
            assert time.monotonic() < deadline, parts(pg, run_id)
            time.sleep(0.2)
        assert {s for _, s, _ in parts(pg, run_id)} <= {"gestopt", "wachtend"}
        body = client.get(location, headers=BELEID).json()
        assert body["status"] == "geannuleerd" and body["uitkomst"] is None
        assert body["voortgang"]["verwerkt"] < 3000
    dispose(app)


def test_the_bound_on_open_runs_holds_over_service_processes(pg: str) -> None:
    """`max_taken + wachtrij` open runs over all service processes on one database (no worker
    runs here, so the runs stay `wachtend`): one more is refused with 503 and Retry-After, by
    this process and by another; a cancelled run makes room again."""
    app, client = make(pg, max_taken=1, wachtrij=1)
    other, other_client = make(pg, max_taken=1, wachtrij=1)
    with client, other_client:
        store(app, ages(60))
        first = start(client, candidate(), BELEID)
        second = start(other_client, candidate(), AUDITOR)
        assert client.get(second, headers=AUDITOR).json()["status"] == "wachtend"
        for refusing in (client, other_client):
            r = refusing.post(IMPACT, content=candidate(),
                              headers={**BELEID, "Content-Type": "application/yaml"})
            assert r.status_code == 503, r.text
            assert r.headers["content-type"] == "application/problem+json"
            assert int(r.headers["Retry-After"]) > 0
        cancelled = client.delete(second, headers=AUDITOR).json()
        assert cancelled["status"] == "geannuleerd"
        third = start(other_client, candidate(), BELEID)
        assert client.get(third, headers=BELEID).json()["status"] == "wachtend"
        assert client.get(first, headers=BELEID).json()["status"] == "wachtend"
    dispose(other)
    dispose(app)
