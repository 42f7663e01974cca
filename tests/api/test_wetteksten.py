"""The law's words beside each reason of an advies (issue 11): served from the vendored texts,
for the pack versions the advies was made with, on its peildatum; visible to whoever may read
the advies."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.api.conftest import AUDITOR, CONSULENT, CONSULENT_2, example


def test_each_reason_comes_with_the_laws_words(client: TestClient) -> None:
    advies = client.post("/v1/adviezen", json={"casus": example("scootmobiel")},
                         headers=CONSULENT).json()
    r = client.get(f"/v1/adviezen/{advies['id']}/wetteksten", headers=CONSULENT)
    assert r.status_code == 200, r.text
    words = r.json()
    reasons = {(i["id"], f"{x['soort']}:{x['id']}"): x
               for e in advies["trace"]["advies"]["effecten"]
               for i in e["stap4"]["instrumenten"] for x in i.get("redenen", [])}
    shown = {(ins, key) for ins, found in words.items() for key in found}
    assert shown and shown <= set(reasons)
    # every reason whose law is vendored (here all: Wmo 2015) has its words
    assert len(shown) == len(reasons)
    vervoer = words["wmo.vervoersvoorziening"]
    lid3 = next(w for w in vervoer.values() if w["citaat"] == "art. 2.3.5 lid 3 Wmo 2015")
    assert lid3["tekst"].startswith("Het college beslist tot verstrekking van een "
                                    "maatwerkvoorziening")
    assert lid3["versie"] == "2026-07-01"  # in force on the peildatum, 2026-11-02
    assert lid3["bron"].startswith("https://wetten.overheid.nl/")
    # who may read the advies may read its words; nobody else
    assert client.get(f"/v1/adviezen/{advies['id']}/wetteksten",
                      headers=AUDITOR).status_code == 200
    assert client.get(f"/v1/adviezen/{advies['id']}/wetteksten",
                      headers=CONSULENT_2).status_code == 404
