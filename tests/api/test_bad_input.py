"""Bad input gets a clear problem+json and changes nothing stored."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from service.db import Advies, Besluit, Casus, CasusVersie, Verwerking
from tests.api.conftest import CONSULENT, example


def snapshot(app: FastAPI) -> tuple[int, ...]:
    with app.state.read_sessions() as s:
        return tuple(s.scalar(select(func.count()).select_from(m)) or 0
                     for m in (Casus, CasusVersie, Advies, Besluit, Verwerking))


def bad_requests(casus_id: str) -> list[tuple[str, str, Any, dict[str, str]]]:
    json_h = {**CONSULENT, "Content-Type": "application/json"}
    wrong_type = example("scootmobiel")
    wrong_type["personen"][0]["leeftijd"] = -4
    unknown_person = example("scootmobiel")
    unknown_person["gewenste_effecten"][0]["persoon"] = "p9"
    bad_date = example("scootmobiel")
    bad_date["peildatum"] = "2026-02-30"
    zero_date = example("scootmobiel")
    zero_date["peildatum"] = "0000-00-00"
    negative_amount = example("scootmobiel")
    negative_amount["huishouden"]["netto_inkomen_maand"] = -100
    return [
        ("POST", "/v1/casussen", b'{"personen": [', json_h),
        ("POST", "/v1/casussen", b"\xff\xfe\x00garbage", json_h),
        ("POST", "/v1/casussen", wrong_type, CONSULENT),
        ("POST", "/v1/casussen", unknown_person, CONSULENT),
        ("POST", "/v1/casussen", bad_date, CONSULENT),
        ("POST", "/v1/casussen", zero_date, CONSULENT),
        ("POST", "/v1/casussen", negative_amount, CONSULENT),
        ("POST", "/v1/casussen", {**example("scootmobiel"), "bsn": "111222333"}, CONSULENT),
        ("POST", "/v1/adviezen", {"casus_id": "bestaat-niet"}, CONSULENT),
        ("POST", "/v1/adviezen", {"casus_id": casus_id, "casus": example("scootmobiel")},
         CONSULENT),
        ("POST", f"/v1/casussen/{casus_id}/_beantwoord",
         {"antwoorden": [{"feit": "personen[p9].leeftijd", "waarde": 3}]}, CONSULENT),
        ("POST", f"/v1/casussen/{casus_id}/_beantwoord",
         {"antwoorden": [{"feit": "personen[p1].leeftijd", "waarde": "oud"}]}, CONSULENT),
        ("POST", f"/v1/casussen/{casus_id}/_beantwoord",
         {"antwoorden": [{"feit": "netwerk.sociaal_netwerk", "waarde": "enorm"}]}, CONSULENT),
        ("PUT", f"/v1/casussen/{casus_id}", {"personen": []}, CONSULENT),
        ("POST", "/v1/besluiten", {"advies_id": "x", "instrumenten": [], "motivering": ""},
         CONSULENT),
        ("GET", "/v1/casussen/bestaat-niet", None, CONSULENT),
        ("GET", "/v1/casussen?pagina=0", None, CONSULENT),
    ]


def test_bad_input_changes_nothing(app: FastAPI, client: TestClient) -> None:
    casus = client.post("/v1/casussen", json=example("scootmobiel"), headers=CONSULENT).json()
    before = snapshot(app)
    for method, path, body, headers in bad_requests(casus["id"]):
        kwargs: dict[str, Any] = {"headers": headers}
        if isinstance(body, bytes):
            kwargs["content"] = body
        elif body is not None:
            kwargs["json"] = body
        r = client.request(method, path, **kwargs)
        assert 400 <= r.status_code < 500, (path, body, r.status_code, r.text)
        assert r.headers["content-type"] == "application/problem+json", path
        problem = r.json()
        assert problem["status"] == r.status_code and problem["detail"]
        if r.status_code == 400:
            assert problem.get("invalidParams"), (path, problem)
    assert snapshot(app) == before
    assert client.get(f"/v1/casussen/{casus['id']}", headers=CONSULENT).json()["versie"] == 1


def test_unknown_fields_are_named(client: TestClient) -> None:
    data = example("scootmobiel")
    data["personen"][0]["schoenmaat"] = 44
    r = client.post("/v1/casussen", json=data, headers=CONSULENT)
    assert r.status_code == 400
    assert "casus.personen[0].schoenmaat" in {p["name"] for p in r.json()["invalidParams"]}


def test_failure_midway_leaves_no_partial_advies(app: FastAPI, client: TestClient,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    import service.routes.adviezen as routes

    def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("schijf vol")

    monkeypatch.setattr(routes, "log_verwerking", broken)
    before = snapshot(app)
    r = client.post("/v1/adviezen", json={"casus": example("scootmobiel")}, headers=CONSULENT)
    assert r.status_code == 500
    assert r.headers["content-type"] == "application/problem+json"
    assert "schijf" not in r.text
    assert snapshot(app) == before
    monkeypatch.undo()
    ok = client.post("/v1/adviezen", json={"casus": example("scootmobiel")}, headers=CONSULENT)
    assert ok.status_code == 201 and ok.json()["volgnummer"] == 1


def test_hostile_bodies_are_refused_cleanly(app: FastAPI, client: TestClient) -> None:
    """Deeply nested JSON, huge strings and arrays, invalid UTF-8, impossible dates: each a
    clear problem+json (never a 5xx) and nothing stored changes."""
    before = snapshot(app)
    headers = {**CONSULENT, "Content-Type": "application/json"}
    bodies = {
        "nested arrays": b"[" * 100_000 + b"]" * 100_000,
        "nested objects": b'{"a":' * 50_000 + b"1" + b"}" * 50_000,
        "huge string": b'{"personen":[{"id":"' + b"x" * 900_000 + b'","rol":"aanvrager"}],'
                       b'"gewenste_effecten":[]}',
        "huge array": b'{"personen":[' + b",".join([b'{"id":"p","rol":"kind"}'] * 30_000)
                      + b'],"gewenste_effecten":[]}',
        "invalid utf-8": b'{"personen":"\xff\xfe"}',
        "zero date": b'{"peildatum":"0000-00-00","personen":[],"gewenste_effecten":[]}',
        "31 february": b'{"peildatum":"2026-02-31","personen":[],"gewenste_effecten":[]}',
    }
    for name, body in bodies.items():
        r = client.post("/v1/casussen", content=body, headers=headers)
        assert r.status_code == 400, (name, r.status_code)
        assert r.headers["content-type"] == "application/problem+json", name
        assert "There was an error" not in r.text
    assert snapshot(app) == before


def test_peildatum_outside_coverage_is_422_and_stores_nothing(app: FastAPI,
                                                              client: TestClient) -> None:
    before = snapshot(app)
    old = {**example("scootmobiel"), "peildatum": "2019-05-01"}
    r = client.post("/v1/casussen", json=old, headers=CONSULENT)
    assert r.status_code == 422, r.text
    assert r.headers["content-type"] == "application/problem+json"
    [param] = r.json()["invalidParams"]
    assert param["name"] == "casus.peildatum"
    assert "wmo geldt van 2025-01-01" in param["reason"]
    assert "gedekt zijn de peildata 2025-01-01" in param["reason"]
    assert snapshot(app) == before


def test_gemeente_code_is_checked_and_unknown_code_noticed(client: TestClient) -> None:
    wrong = {**example("scootmobiel"), "gemeente": "Proefdorp"}
    r = client.post("/v1/casussen", json=wrong, headers=CONSULENT)
    assert r.status_code == 400
    [param] = r.json()["invalidParams"]
    assert param["name"].split(".")[-1] == "gemeente" and "GM" in param["reason"]
    casus = client.post("/v1/casussen", json={**example("scootmobiel"), "gemeente": "GM0363"},
                        headers=CONSULENT).json()
    advies = client.post("/v1/adviezen", json={"casus_id": casus["id"]}, headers=CONSULENT)
    assert advies.status_code == 201, advies.text
    assert advies.json()["trace"]["gemeente"]["melding"] == (
        "geen lokaal beleid bekend voor GM0363; alleen landelijke regels")


def test_stale_norm_and_unknown_gemeente_shown_in_api_page_and_report(client: TestClient) -> None:
    """A peildatum after the next re-indexing day of the Pw norms (art. 38 Pw, 1 January and
    1 July) is answered, with a warning in the trace, on the advies page and in the report."""
    later = {**example("scootmobiel"), "peildatum": "2030-02-01", "gemeente": "GM0363"}
    casus = client.post("/v1/casussen", json=later, headers=CONSULENT).json()
    r = client.post("/v1/adviezen", json={"casus_id": casus["id"]}, headers=CONSULENT)
    assert r.status_code == 201, r.text
    warnings = r.json()["trace"]["waarschuwingen"]
    assert warnings and all(w["soort"] == "herziening" for w in warnings)
    assert any("ontbreekt" in w["tekst"] and "Participatiewet" in w["tekst"] for w in warnings)
    client.cookies.set("ot_sessie", CONSULENT["Authorization"].removeprefix("Bearer "))
    for path in (f"/ui/adviezen/{r.json()['id']}", f"/ui/adviezen/{r.json()['id']}/rapport"):
        page = client.get(path)
        assert page.status_code == 200, path
        assert "geen lokaal beleid bekend voor GM0363" in page.text
        assert warnings[0]["tekst"] in page.text.replace("&#39;", "'")
        # the ladder of art. 2.3.5 lid 3 is "naar het oordeel van het college": the marker
        # next to the status and the reason say who decides
        assert 'class="badge markering"' in page.text
        assert "ter beoordeling van het college" in page.text
        assert "beslist: het college" in page.text
