"""The processing log (Logboek Dataverwerkingen, issue 16): reads of a casus, advies or besluit,
replays, besluiten, answers and evaluations each leave a record with ids, the actor's
pseudonymous id, the action and the time, never personal data; the auditor reads it through
`GET /v1/logboek` (paged), nobody else. SQLite and PostgreSQL; invented people only."""

from __future__ import annotations

import json
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.api.conftest import AUDITOR, BELEID, CONSULENT, CONSULENT_2, example

ACTOR = "api-sleutel|consulent-1"
AUDITOR_ID = "api-sleutel|auditor-1"


def logboek(client: TestClient, query: str = "") -> dict[str, Any]:
    r = client.get(f"/v1/logboek{query}", headers=AUDITOR)
    assert r.status_code == 200, r.text
    found: dict[str, Any] = r.json()
    return found


def test_who_did_what_is_logged_without_personal_data(client: TestClient) -> None:
    data = example("scootmobiel")
    data["gewenste_effecten"][0]["omschrijving"] = "Naar Truus-Testpersoon in Voorbeelddorp"
    casus = client.post("/v1/casussen", json=data, headers=CONSULENT).json()
    cid = casus["id"]
    client.post(f"/v1/casussen/{cid}/_beantwoord", headers=CONSULENT,
                json={"antwoorden": [{"feit": "netwerk.sociaal_netwerk", "waarde": "geen"}]})
    advies = client.post("/v1/adviezen", json={"casus_id": cid}, headers=CONSULENT).json()
    besluit = client.post("/v1/besluiten", headers=CONSULENT, json={
        "advies_id": advies["id"], "motivering": "Proefrit met Truus-Testpersoon.",
        "instrumenten": [{"effect": "e1", "instrument": "wmo.collectief_vervoer"}]}).json()
    assert client.get(f"/v1/casussen/{cid}", headers=CONSULENT).status_code == 200
    assert client.get(f"/v1/adviezen/{advies['id']}", headers=AUDITOR).status_code == 200
    assert client.get(f"/v1/besluiten/{besluit['id']}", headers=AUDITOR).status_code == 200
    assert client.post(f"/v1/adviezen/{advies['id']}/_herhaal",
                       headers=AUDITOR).json()["identiek"] is True
    # what the principal may not see is not processed, so not logged
    assert client.get(f"/v1/casussen/{cid}", headers=CONSULENT_2).status_code == 404

    log = logboek(client)
    seen = [(v["naam"], v["door"], v["advies_id"], v["besluit_id"])
            for v in reversed(log["verwerkingen"])]  # oldest first
    assert seen == [
        ("casus_vastleggen", ACTOR, None, None),
        ("casus_beantwoorden", ACTOR, None, None),
        ("advies_evalueren", ACTOR, advies["id"], None),
        ("besluit_vastleggen", ACTOR, advies["id"], besluit["id"]),
        ("casus_lezen", ACTOR, None, None),
        ("advies_lezen", AUDITOR_ID, advies["id"], None),
        ("besluit_lezen", AUDITOR_ID, advies["id"], besluit["id"]),
        ("advies_herhalen", AUDITOR_ID, advies["id"], None),
    ]
    assert log["pagina"] == {"pagina": 1, "pagina_grootte": 20, "totaal": 8}
    # every record names the inwoner only by the keyed pseudonym of the casus
    assert {v["betrokkene"] for v in log["verwerkingen"]} == {
        log["verwerkingen"][0]["betrokkene"]}
    assert log["verwerkingen"][0]["betrokkene"].startswith("psn:")
    assert all(v["status"] == "OK" and v["start"] <= v["eind"] and v["trace_id"]
               for v in log["verwerkingen"])
    text = json.dumps(log)
    for secret in (cid, "Truus-Testpersoon", "Voorbeelddorp", "Proefrit"):
        assert secret not in text, secret

    # found by casus (through its pseudonym), advies, besluit, actor and action
    assert logboek(client, f"?casusId={cid}")["pagina"]["totaal"] == 8
    assert logboek(client, "?casusId=bestaat-niet")["pagina"]["totaal"] == 0
    assert logboek(client, f"?besluitId={besluit['id']}")["pagina"]["totaal"] == 2
    assert logboek(client, f"?adviesId={advies['id']}")["pagina"]["totaal"] == 5
    assert logboek(client, f"?door={AUDITOR_ID}")["pagina"]["totaal"] == 3
    assert logboek(client, "?naam=casus_lezen")["pagina"]["totaal"] == 1


def test_listings_log_each_record_they_show(client: TestClient) -> None:
    for _ in range(3):
        client.post("/v1/casussen", json=example("scootmobiel"), headers=CONSULENT)
    assert len(client.get("/v1/casussen?paginaGrootte=2", headers=AUDITOR).json()[
        "casussen"]) == 2
    reads = logboek(client, "?naam=casus_lezen")
    assert reads["pagina"]["totaal"] == 2
    assert {v["door"] for v in reads["verwerkingen"]} == {AUDITOR_ID}


def test_the_log_is_paged_and_for_auditors_only(app: FastAPI, client: TestClient) -> None:
    casus = client.post("/v1/casussen", json=example("scootmobiel"), headers=CONSULENT).json()
    for _ in range(4):
        client.get(f"/v1/casussen/{casus['id']}", headers=CONSULENT)
    first = logboek(client, "?paginaGrootte=2")
    second = logboek(client, "?paginaGrootte=2&pagina=2")
    third = logboek(client, "?paginaGrootte=2&pagina=3")
    assert first["pagina"] == {"pagina": 1, "pagina_grootte": 2, "totaal": 5}
    ids = [v["id"] for page in (first, second, third) for v in page["verwerkingen"]]
    assert len(ids) == len(set(ids)) == 5
    assert first["verwerkingen"][0]["start"] >= third["verwerkingen"][-1]["start"]
    for headers in (CONSULENT, BELEID):
        r = client.get("/v1/logboek", headers=headers)
        assert r.status_code == 403
        assert r.headers["content-type"] == "application/problem+json"
    assert client.get("/v1/logboek").status_code == 401
    bad = client.get("/v1/logboek?paginaGrootte=1000", headers=AUDITOR)
    assert bad.status_code == 400
    assert bad.json()["invalidParams"][0]["name"] == "query.paginaGrootte"
    # reading the log is not itself a processing of personal data: the count is unchanged
    assert logboek(client)["pagina"]["totaal"] == 5
