"""`GET /v1/adviezen/{id}/vragen` (issue 14): the advies' open questions ranked by what one
answer settles, with the pinned packs, for whoever may read the advies; on SQLite and
PostgreSQL. Invented people only."""

from __future__ import annotations

from dataclasses import asdict

from fastapi.testclient import TestClient

from engine import Engine, rank_questions
from tests.api.conftest import AUDITOR, BELEID, CONSULENT, CONSULENT_2, example


def test_questions_are_ranked_by_what_an_answer_settles(client: TestClient) -> None:
    made = client.post("/v1/adviezen", json={"casus": example("scootmobiel")},
                       headers=CONSULENT)
    assert made.status_code == 201, made.text
    advies = made.json()
    r = client.get(f"/v1/adviezen/{advies['id']}/vragen", headers=CONSULENT)
    assert r.status_code == 200, r.text
    found = r.json()
    assert found["advies_id"] == advies["id"]
    vragen = found["vragen"]
    trace_order = [q["feit"] for q in advies["trace"]["advies"]["nog_uitvragen"]]
    # the same questions as the trace, in another order: the trace puts mantelzorg first (in
    # 6 open conditions; 5 before the woningaanpassing came into view on mobiliteit, Wmo
    # 2026.12.6), but no single answer to it decides an instrument
    assert sorted(q["feit"] for q in vragen) == sorted(trace_order)
    assert trace_order[0] == "netwerk.mantelzorg_beschikbaar"
    first = vragen[0]
    assert first["feit"] == "gewenste_effecten[e1].wmo_eigen_kracht_toereikend"
    assert first["beslist"] == [{"effect": "e1", "instrument": "wmo.eigen_kracht",
                                 "naam": first["beslist"][0]["naam"]}]
    assert first["antwoorden"] == [True, False]
    mantelzorg = next(q for q in vragen if q["feit"] == "netwerk.mantelzorg_beschikbaar")
    assert mantelzorg["beslist"] == [] and mantelzorg["aantal"] == 6
    keys = [(-len(q["beslist"]), -len(q["soms"]), -q["aantal"], q["feit"]) for q in vragen]
    assert keys == sorted(keys)
    # computing it changed nothing stored: the advies and its replay are as they were
    again = client.get(f"/v1/adviezen/{advies['id']}", headers=CONSULENT).json()
    assert again["trace_hash"] == advies["trace_hash"]
    replay = client.post(f"/v1/adviezen/{advies['id']}/_herhaal", headers=AUDITOR).json()
    assert replay["identiek"] is True


def test_who_may_read_the_advies_may_read_its_questions(client: TestClient) -> None:
    advies = client.post("/v1/adviezen", json={"casus": example("scootmobiel")},
                         headers=CONSULENT).json()
    path = f"/v1/adviezen/{advies['id']}/vragen"
    assert client.get(path, headers=AUDITOR).status_code == 200
    other = client.get(path, headers=CONSULENT_2)
    assert other.status_code == 404
    assert other.headers["content-type"].startswith("application/problem+json")
    assert client.get(path, headers=BELEID).status_code == 403
    assert client.get(path).status_code == 401
    assert client.get("/v1/adviezen/bestaat-niet/vragen", headers=AUDITOR).status_code == 404


def test_an_erased_advies_has_no_questions(client: TestClient) -> None:
    casus = client.post("/v1/casussen", json=example("scootmobiel"), headers=CONSULENT).json()
    advies = client.post("/v1/adviezen", json={"casus_id": casus["id"]},
                         headers=CONSULENT).json()
    wis = client.post(f"/v1/casussen/{casus['id']}/_wis", headers=CONSULENT,
                      json={"grond": "Verzoek van de inwoner, AVG art. 17"})
    assert wis.status_code in (200, 201), wis.text
    r = client.get(f"/v1/adviezen/{advies['id']}/vragen", headers=CONSULENT)
    assert r.status_code == 410, r.text


def test_a_large_casus_gets_the_ranking_of_a_whole_advies_per_answer(
        client: TestClient) -> None:
    """The service answers with the engine's fast path; for the four-effect example it is the
    ranking the straightforward way gives (a whole advies per answer, in process), and the
    stored advies is untouched."""
    casus = example("gezin-meervoudig")
    made = client.post("/v1/adviezen", json={"casus": casus}, headers=CONSULENT)
    assert made.status_code == 201, made.text
    advies = made.json()
    r = client.get(f"/v1/adviezen/{advies['id']}/vragen", headers=CONSULENT)
    assert r.status_code == 200, r.text
    eng = Engine.load()
    reference = rank_questions(eng, casus, fast=False, narrow=False)
    assert r.json()["vragen"] == [{**asdict(q), "antwoorden": list(q.antwoorden),
                                   "beslist": [asdict(b) for b in q.beslist],
                                   "soms": [asdict(b) for b in q.soms]} for q in reference]
    again = client.get(f"/v1/adviezen/{advies['id']}", headers=CONSULENT).json()
    assert (again["trace_hash"], again["trace"]) == (advies["trace_hash"], advies["trace"])
    replay = client.post(f"/v1/adviezen/{advies['id']}/_herhaal", headers=AUDITOR).json()
    assert replay["identiek"] is True
