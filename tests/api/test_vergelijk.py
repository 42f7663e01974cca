"""`POST /v1/adviezen/{id}/_vergelijk` in terms of the law (issue 16): per effect and
instrument the status then and now, the deciding condition with its article, the changed
parameter with old and new value and validity; the raw `verschillen` stay. Invented people."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from service.app import create_app
from tests.api.conftest import AUDITOR, CONSULENT, make_settings
from tests.test_compare import raise_limit, spaarder


def test_vergelijk_names_status_condition_and_parameter(db_url: str, rules_copy: Path) -> None:
    with TestClient(create_app(make_settings(db_url, rules_copy))) as c:
        r = c.post("/v1/adviezen", json={"casus": spaarder()}, headers=CONSULENT)
        assert r.status_code == 201, r.text
        advies = r.json()
        same = c.post(f"/v1/adviezen/{advies['id']}/_vergelijk", headers=AUDITOR)
        assert same.status_code == 200, same.text
        assert same.json()["identiek"] is True
        assert same.json()["vergelijking"]["gelijk"] is True
        assert same.json()["vergelijking"]["instrumenten"] == []

    raise_limit(rules_copy)
    with TestClient(create_app(make_settings(db_url, rules_copy))) as c:
        r = c.post(f"/v1/adviezen/{advies['id']}/_vergelijk", headers=AUDITOR)
        assert r.status_code == 200, r.text
        body = r.json()
        pinned = c.post(f"/v1/adviezen/{advies['id']}/_herhaal", headers=AUDITOR).json()

    # compatibility: the old fields are all still there
    assert body["identiek"] is False and body["intact"] is True
    assert body["zelfde_pakketten"] is False
    assert any(d.endswith("8000 → 8800") for d in body["verschillen"])
    v = body["vergelijking"]
    assert v["gelijk"] is False
    assert v["peildatum_toen"] == v["peildatum_nu"] == spaarder()["peildatum"]
    assert [p["id"] for p in v["pakketten"]] == ["participatiewet"]
    assert v["parameters"] == [{
        "id": "pw_vermogensgrens_alleenstaande", "omschrijving": "Vermogensgrens alleenstaande",
        "toen": {"waarde": 8000, "eenheid": "euro", "bron": "landelijk",
                 "rechtsgrond": "art. 34 lid 3 onder a Participatiewet",
                 "geldig_vanaf": "2026-01-01", "geldig_tot": None},
        "nu": {"waarde": 8800, "eenheid": "euro", "bron": "landelijk",
               "rechtsgrond": "art. 34 lid 3 onder a Participatiewet",
               "geldig_vanaf": "2026-01-01", "geldig_tot": None}}]
    bijstand = next(i for i in v["instrumenten"] if i["effect"] == "e1"
                    and i["instrument"] == "participatiewet.algemene_bijstand")
    assert (bijstand["status_toen"], bijstand["status_nu"]) == ("past_niet", "voorwaardelijk")
    assert bijstand["rechtsgrond"] == "art. 19 lid 1 Participatiewet"
    assert [(g["id"], g["rechtsgrond"], g["uitkomst_toen"], g["uitkomst_nu"])
            for g in bijstand["gronden"]] == [
        ("geen_vermogen", "art. 19 lid 1 onder b Participatiewet", "nee", "ja")]
    assert bijstand["gronden"][0]["uitleg"]
    # the voorschot's own question (art. 52 lid 1 a) is new; whether bijstand was applied for
    # is asked before already, by the ontheffingen of art. 9 (fresh46 U2)
    assert "huishouden.pw_verwijtbaar_onvolledige_gegevens" in {
        q["feit"] for q in v["vragen_erbij"]}
    # the law-level part is small where the raw list is long
    assert len(v["instrumenten"]) < len(body["verschillen"]) / 5
    # the replay with the pinned versions is unchanged and has no comparison
    assert pinned["identiek"] is True and "vergelijking" not in pinned


def test_vergelijk_is_for_auditors_only(client: TestClient) -> None:
    r = client.post("/v1/adviezen", json={"casus": spaarder()}, headers=CONSULENT)
    assert r.status_code == 201, r.text
    denied = client.post(f"/v1/adviezen/{r.json()['id']}/_vergelijk", headers=CONSULENT)
    assert denied.status_code == 403
    assert denied.headers["content-type"].startswith("application/problem+json")
    assert client.post("/v1/adviezen/bestaat-niet/_vergelijk",
                       headers=AUDITOR).status_code == 404


def test_the_openapi_document_describes_the_comparison(client: TestClient) -> None:
    doc = client.get("/v1/openapi.json").json()
    schemas = doc["components"]["schemas"]
    assert "Wetsvergelijking" in schemas and "HerhalingVandaag" in schemas
    assert "Vergelijking" in schemas  # the trace's own comparison keeps its name
    ok = doc["paths"]["/v1/adviezen/{advies_id}/_vergelijk"]["post"]["responses"]["200"]
    assert ok["content"]["application/json"]["schema"]["$ref"].endswith("/HerhalingVandaag")
