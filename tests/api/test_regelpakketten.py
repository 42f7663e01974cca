"""Rule packs over HTTP: readable with citations; validation and tests for beleidsmedewerkers."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.api.conftest import BELEID, CONSULENT, ROOT

YAML = {"Content-Type": "application/yaml"}


def test_packs_instruments_and_citations(client: TestClient) -> None:
    packs = client.get("/v1/regelpakketten", headers=CONSULENT).json()
    assert {p["id"] for p in packs if "gemeente" not in p} == {
        "wmo", "jeugdwet", "participatiewet", "wsnp"}
    assert {p["gemeente"] for p in packs if "gemeente" in p} == {"GM9991", "GM9992"}
    assert all(p["hash"].startswith("sha256:") for p in packs)
    ins = client.get("/v1/regelpakketten/wmo/instrumenten/wmo.vervoersvoorziening",
                     headers=CONSULENT).json()[0]
    assert ins["rechtsgrond"]["tekst"] == "art. 2.3.5 lid 3 Wmo 2015"
    assert ins["rechtsgrond"]["jci"].startswith("jci1.3:c:BWBR0035362&artikel=2.3.5")
    assert all("tekst" in v["rechtsgrond"] for v in ins["voorwaarden"])
    gw = client.get("/v1/regelpakketten/jeugdwet/grondwaarden", headers=CONSULENT).json()
    assert gw and all(g["rechtsgrond"]["bwb_id"] == "BWBR0034925" for g in gw)
    assert client.get("/v1/regelpakketten/zorgwet", headers=CONSULENT).status_code == 404


def test_validate_candidate_reports_located_errors(client: TestClient) -> None:
    broken = (ROOT / "tests" / "broken_packs" / "multiple_errors.yaml").read_bytes()
    r = client.post("/v1/regelpakketten/_valideer", content=broken,
                    headers={**BELEID, **YAML, "X-Bestandsnaam": "kandidaat.yaml"})
    assert r.status_code == 400
    assert r.headers["content-type"] == "application/problem+json"
    params = r.json()["invalidParams"]
    assert len(params) == 3
    assert {p["regel"] for p in params} == {"43", "52", "61"}
    assert all(p["bestand"] == "kandidaat.yaml" for p in params)


def test_validate_candidate_activates_nothing(client: TestClient) -> None:
    wmo = (ROOT / "rules" / "wmo" / "wmo.yaml").read_text("utf-8")
    candidate = wmo.replace('versie: "', 'versie: "kandidaat-', 1).replace(
        "naam: Collectief vervoer", "naam: Regiotaxi", 1)
    before = client.get("/v1/regelpakketten/wmo", headers=BELEID).json()
    r = client.post("/v1/regelpakketten/_valideer", content=candidate.encode(),
                    headers={**BELEID, **YAML})
    assert r.status_code == 200, r.text
    assert r.json()["geldig"] is True
    assert r.json()["pakketten"][0]["hash"] != before["hash"]
    assert client.get("/v1/regelpakketten/wmo", headers=BELEID).json() == before


def test_validate_yaml_bomb_and_bad_bytes(client: TestClient) -> None:
    bomb = b"a: &a [x, x, x]\nb: &b [*a, *a, *a]\nc: [*b, *b, *b]\n"
    r = client.post("/v1/regelpakketten/_valideer", content=bomb, headers={**BELEID, **YAML})
    assert r.status_code == 400 and "ankers" in r.text
    r = client.post("/v1/regelpakketten/_valideer", content=b"\xff\xfe\xfa",
                    headers={**BELEID, **YAML})
    assert r.status_code == 400 and "UTF-8" in r.text


def test_run_pack_tests(client: TestClient) -> None:
    r = client.post("/v1/regelpakketten/_test", headers=BELEID)
    assert r.status_code == 200
    body = r.json()
    assert body["gefaald"] == 0 and body["geslaagd"] >= 150
