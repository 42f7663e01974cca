"""`GET /v1/adviezen/{id}?vorm=kern`: the compact decision record of a stored advies (issue 13,
docs/kern.md), canonical as sent, its hash recomputable by a client, described in OpenAPI."""

from __future__ import annotations

import hashlib
import json

from fastapi.testclient import TestClient

from engine import Kern
from tests.api.conftest import AUDITOR, CONSULENT, example


def _hash(value: object) -> str:
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()


def test_the_kern_of_a_stored_advies_matches_its_full_trace(client: TestClient) -> None:
    r = client.post("/v1/adviezen", json={"casus": example("gezin-meervoudig")},
                    headers=CONSULENT)
    assert r.status_code == 201, r.text
    advies = r.json()
    volledig = client.get(f"/v1/adviezen/{advies['id']}", headers=AUDITOR)
    kern_r = client.get(f"/v1/adviezen/{advies['id']}?vorm=kern", headers=AUDITOR)
    assert kern_r.status_code == 200, kern_r.text
    body = kern_r.json()
    assert "trace" not in body and body["trace_hash"] == advies["trace_hash"]
    kern = body["kern"]
    Kern.model_validate(kern)
    assert body["kern_hash"] == _hash(kern)  # the client can recompute it from what it got
    # the decisions are the full trace's, read here from the full trace itself
    trace = volledig.json()["trace"]
    assert kern["casus"] == _hash(trace["casus"])
    for k, full in zip(kern["effecten"], trace["advies"]["effecten"], strict=True):
        assert [(i["id"], i["status"]) for i in k["instrumenten"]] == [
            (i["id"], i["status"]) for i in full["stap4"]["instrumenten"]]
    # stored canonical: an empty list is left out, as in the stored form
    assert all("redenen" not in i or i["redenen"] for e in kern["effecten"]
               for i in e["instrumenten"])
    assert len(kern_r.content) * 10 < len(volledig.content)


def test_the_default_is_the_full_trace_and_an_unknown_vorm_is_refused(
        client: TestClient) -> None:
    r = client.post("/v1/adviezen", json={"casus": example("scootmobiel")}, headers=CONSULENT)
    advies_id = r.json()["id"]
    assert "trace" in client.get(f"/v1/adviezen/{advies_id}", headers=CONSULENT).json()
    bad = client.get(f"/v1/adviezen/{advies_id}?vorm=compact", headers=CONSULENT)
    assert bad.status_code == 400  # the service's problem for a bad request parameter
    assert "vorm" in bad.text


def test_openapi_describes_both_forms(client: TestClient) -> None:
    spec = client.get("/v1/openapi.json").json()
    op = spec["paths"]["/v1/adviezen/{advies_id}"]["get"]
    vorm = next(p for p in op["parameters"] if p["name"] == "vorm")
    assert vorm["schema"]["enum"] == ["volledig", "kern"]
    schema = json.dumps(op["responses"]["200"])
    assert "AdviesUit" in schema and "AdviesKernUit" in schema
    assert "Kern" in spec["components"]["schemas"]
