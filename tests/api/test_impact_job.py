"""`_impact` as a job: 202 + Location, a status resource with progress and result, cancel, a time
limit, a bound on concurrent jobs, only the starter (and auditors) see it, and what each role
sees of the result: a beleidsmedewerker counts only (small cells suppressed, the rest rounded),
an auditor the per-advies detail. SQLite and PostgreSQL (`db_url`); invented people only."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from engine.impact import gepubliceerd
from service.app import create_app
from service.store import store_advies
from tests.api.conftest import (
    AUDITOR,
    BELEID,
    CONSULENT,
    CONSULENT_2,
    dispose,
    make_settings,
    token,
)
from tests.api.test_impact import IMPACT, candidate, casus, run, start, wait

YAML = {"Content-Type": "application/yaml"}


def store(app: FastAPI, casussen: list[dict[str, Any]]) -> list[str]:
    """Store an advies per casus (identical casussen evaluated once); their ids in order."""
    eng = app.state.engines.current
    receipts: dict[str, Any] = {}
    ids = []
    with app.state.sessions() as s:
        for c in casussen:
            key = json.dumps(c, sort_keys=True)
            if key not in receipts:
                receipts[key] = eng.advies(c)
            ids.append(store_advies(s, receipts[key], casus_id=None, casus_versie=None,
                                    door="consulent-1").id)
        s.commit()
    return ids


def ages(n: int) -> list[dict[str, Any]]:
    """n casussen over 30 ages; the candidate (Regiotaxi from 80 instead of 75) moves 1 in 6."""
    return [casus(60 + i % 30) for i in range(n)]


def mixed() -> list[dict[str, Any]]:
    """10 adviezen that move past → past_niet, 3 that move voorwaardelijk → past_niet (their
    residence is unknown), 20 that do not move."""
    unknown = casus(78)
    del unknown["personen"][0]["woont_in_gemeente"]
    return [casus(77)] * 10 + [unknown] * 3 + [casus(60)] * 20


def pid_of(app: FastAPI, location: str, timeout: float = 30) -> int:
    """The process id of a running job's worker (internal: to see that it really stops)."""
    deadline = time.monotonic() + timeout
    while (pid := app.state.impact_jobs.get(location.rsplit("/", 1)[1]).pid) is None:
        assert time.monotonic() < deadline
        time.sleep(0.02)
    assert isinstance(pid, int) and Path(f"/proc/{pid}").exists()
    return pid


def process_gone(pid: int, timeout: float = 10) -> bool:
    deadline = time.monotonic() + timeout
    while Path(f"/proc/{pid}").exists():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


Made = Callable[..., tuple[FastAPI, TestClient]]


@pytest.fixture
def app_with(db_url: str) -> Iterator[Made]:
    """Make an app with other impact settings (and its client); closed after the test."""
    with ExitStack() as stack:
        def make(**settings: Any) -> tuple[FastAPI, TestClient]:
            application = create_app(make_settings(db_url, **settings))
            stack.callback(dispose, application)
            client = stack.enter_context(TestClient(application,
                                                    raise_server_exceptions=False))
            return application, client

        yield make


def test_published_counts_are_suppressed_below_5_and_rounded_to_5() -> None:
    assert [gepubliceerd(n) for n in (0, 1, 4, 5, 7, 8, 12, 13, 400, 403)] == [
        0, "<5", "<5", 5, 5, 10, 10, 15, 400, 405]
    # the same rule as the beleidsinformatie binds it: its own marker, and 0 hidden as well
    assert [gepubliceerd(n, klein="< 5", nul="< 5") for n in (0, 1, 4, 5, 7, 8, 62)] == [
        "< 5", "< 5", "< 5", 5, 5, 10, 60]


def test_job_answers_202_with_location_and_reports_progress(app: FastAPI,
                                                            client: TestClient) -> None:
    store(app, ages(900))
    location = start(client, candidate(), BELEID)
    seen: list[dict[str, Any]] = []
    deadline = time.monotonic() + 180
    while True:
        r = client.get(location, headers=BELEID)
        assert r.status_code == 200 and time.monotonic() < deadline, r.text[:300]
        body = r.json()
        seen.append(body)
        if body["status"] in ("klaar", "mislukt", "geannuleerd", "verlopen"):
            break
        time.sleep(0.02)
    assert body["status"] == "klaar", body
    assert body["voortgang"] == {"verwerkt": 900, "totaal": 900}
    assert body["uitkomst"]["veranderd"] == 150 and body["gestart"] and body["beeindigd"]
    running = [b["voortgang"] for b in seen if b["status"] == "bezig" and b["voortgang"]["totaal"]]
    assert any(0 < v["verwerkt"] < 900 for v in running), running  # progress was visible
    done = [b["voortgang"]["verwerkt"] for b in seen]
    assert done == sorted(done)  # and only went up
    assert all(b["uitkomst"] is None for b in seen[:-1])


def test_beleid_sees_counts_only_small_cells_suppressed(app: FastAPI, client: TestClient) -> None:
    ids = store(app, mixed())
    r = client.get(wait_location(client, BELEID), headers=BELEID)
    text = r.text
    assert not any(i in text for i in ids)  # no advies id anywhere in the answer
    uitkomst = r.json()["uitkomst"]
    assert uitkomst == {
        "weergave": "geaggregeerd", "totaal": 33,
        "herberekend": 33,  # every one lists the Regiotaxi, whose voorwaarde changed
        "veranderd": 15,  # 13, rounded to 5: 15 - 10 does not give away the 3
        "fouten": 0,
        "per_instrument": {"gm9991.regiotaxi": {"past → past_niet": 10,
                                                "voorwaardelijk → past_niet": "<5"}},
        "drempel": 5, "afronding": 5, "onderdrukt": True}


def wait_location(client: TestClient, headers: dict[str, str]) -> str:
    location = start(client, candidate(), headers)
    assert wait(client, location, headers)["status"] == "klaar"
    return location


def test_auditor_sees_per_advies_detail(app: FastAPI, client: TestClient) -> None:
    ids = store(app, mixed())
    uitkomst = run(client, candidate(), AUDITOR)
    assert uitkomst["weergave"] == "per_advies"
    assert uitkomst["veranderd"] == 13 and uitkomst["totaal"] == 33
    assert uitkomst["per_instrument"] == {"gm9991.regiotaxi": {"past → past_niet": 10,
                                                               "voorwaardelijk → past_niet": 3}}
    assert [a["advies_id"] for a in uitkomst["adviezen"]] == ids[:13]
    assert uitkomst["adviezen"][12]["wijzigingen"] == [
        {"effect": "e1", "instrument": "gm9991.regiotaxi", "van": "voorwaardelijk",
         "naar": "past_niet", "voorwaarden": ["voorwaarden:doelgroep"]}]


def test_only_the_starter_and_auditors_see_a_job(app: FastAPI, client: TestClient) -> None:
    store(app, mixed())
    location = start(client, candidate(), BELEID)
    other_beleid = {"Authorization": "Bearer " + token(sub="beleid-2",
                                                       rollen=["beleidsmedewerker"])}
    # the same sub as the API key's, but vouched for by another issuer: someone else
    same_sub = {"Authorization": "Bearer " + token(sub="beleid-1",
                                                   rollen=["beleidsmedewerker"])}
    for who in (CONSULENT, CONSULENT_2, other_beleid, same_sub):
        for method in ("GET", "DELETE"):
            r = client.request(method, location, headers=who)
            assert r.status_code == 404, (who, method, r.text)
            assert r.headers["content-type"] == "application/problem+json"
    assert client.get(location, headers=AUDITOR).status_code == 200
    assert wait(client, location, BELEID)["status"] == "klaar"
    assert client.get(location, headers=other_beleid).status_code == 404
    # an auditor's job is not the beleidsmedewerker's to see
    mine = start(client, candidate(), AUDITOR)
    assert client.get(mine, headers=BELEID).status_code == 404
    assert client.get("/v1/impact-taken/00000000-0000-4000-8000-000000000000",
                      headers=AUDITOR).status_code == 404
    wait(client, mine, AUDITOR)


def test_only_beleid_and_auditor_start_jobs_and_bad_packs_are_400(app: FastAPI,
                                                                  client: TestClient) -> None:
    r = client.post(IMPACT, content=candidate(), headers={**CONSULENT, **YAML})
    assert r.status_code == 403
    r = client.post(IMPACT, content=b"regelpakket: {id: [", headers={**BELEID, **YAML})
    assert r.status_code == 400 and r.json()["invalidParams"], r.text
    assert "location" not in r.headers


def test_cancel_stops_the_work(app: FastAPI, client: TestClient) -> None:
    store(app, ages(2400))
    location = start(client, candidate(), BELEID)
    body = wait(client, location, BELEID, until={"bezig"})
    while body["voortgang"]["verwerkt"] == 0:
        body = wait(client, location, BELEID, until={"bezig"})
    pid = pid_of(app, location)
    r = client.delete(location, headers=BELEID)
    assert r.status_code == 200 and r.json()["status"] == "geannuleerd", r.text
    assert process_gone(pid)  # the worker process is stopped, not left to finish
    first = client.get(location, headers=BELEID).json()
    time.sleep(1.0)
    later = client.get(location, headers=BELEID).json()
    assert later["status"] == "geannuleerd" and later["uitkomst"] is None
    assert later["voortgang"] == first["voortgang"]
    assert 0 < later["voortgang"]["verwerkt"] < 2400
    # cancelling again changes nothing
    assert client.delete(location, headers=BELEID).json()["status"] == "geannuleerd"


def test_time_limit_ends_the_job_as_verlopen(app_with: Made) -> None:
    app, client = app_with(impact={"tijdslimiet_s": 3})
    store(app, ages(2400))
    location = start(client, candidate(), BELEID)
    pid = pid_of(app, location)
    body = wait(client, location, BELEID, timeout=60)
    assert body["status"] == "verlopen", body
    assert "3" in body["melding"] and body["uitkomst"] is None
    assert body["voortgang"]["verwerkt"] < 2400
    assert process_gone(pid)


def test_bound_on_concurrent_jobs(app_with: Made) -> None:
    app, client = app_with(impact={"max_taken": 1, "wachtrij": 1})
    store(app, ages(2400))
    first = start(client, candidate(), BELEID)
    wait(client, first, BELEID, until={"bezig"})
    second = start(client, candidate(), AUDITOR)
    assert client.get(second, headers=AUDITOR).json()["status"] == "wachtend"
    r = client.post(IMPACT, content=candidate(), headers={**BELEID, **YAML})
    assert r.status_code == 503, r.text
    assert r.headers["content-type"] == "application/problem+json"
    assert int(r.headers["Retry-After"]) > 0
    # a waiting job is cancelled before it ever ran, which makes room again
    cancelled = client.delete(second, headers=AUDITOR).json()
    assert cancelled["status"] == "geannuleerd" and cancelled["gestart"] is None
    assert cancelled["voortgang"]["verwerkt"] == 0
    third = start(client, candidate(), BELEID)
    assert client.get(third, headers=BELEID).json()["status"] == "wachtend"
    assert client.delete(first, headers=BELEID).json()["status"] == "geannuleerd"
    wait(client, third, BELEID, until={"bezig"})
    assert client.get(second, headers=AUDITOR).json()["status"] == "geannuleerd"
    assert client.delete(third, headers=BELEID).json()["status"] == "geannuleerd"
