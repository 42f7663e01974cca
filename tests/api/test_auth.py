"""Who may do what: tokens in the Authorization header only; each role's limits."""

from __future__ import annotations

import datetime as dt

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from fastapi.testclient import TestClient

from tests.api.conftest import AUDITOR, BELEID, CONSULENT, example, token


def bearer(t: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {t}"}


def test_only_openapi_and_health_answer_without_token(client: TestClient) -> None:
    doc = client.get("/v1/openapi.json").json()
    assert client.get("/v1/gezondheid").status_code == 200
    for path, ops in doc["paths"].items():
        if path in ("/v1/gezondheid",):
            continue
        concrete = path.replace("{casus_id}", "x").replace("{advies_id}", "x").replace(
            "{besluit_id}", "x").replace("{pakket_id}", "wmo").replace("{instrument_id}", "x")
        for method in ops:
            r = client.request(method.upper(), concrete, json={})
            assert r.status_code == 401, (method, path, r.status_code)
            assert r.headers["content-type"] == "application/problem+json"
            assert r.headers["www-authenticate"].startswith("Bearer")


def test_token_in_query_is_not_accepted(client: TestClient) -> None:
    assert client.get("/v1/casussen?access_token=sleutel-consulent").status_code == 401


def test_valid_jwt_with_role(client: TestClient) -> None:
    r = client.get("/v1/wie-ben-ik", headers=bearer(token()))
    assert r.status_code == 200 and r.json() == {"rollen": ["consulent"]}


@pytest.mark.parametrize("claims", [
    {"exp": dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)},
    {"aud": "ander-systeem"},
    {"iss": "https://ander.example"},
])
def test_bad_jwt_claims_are_401(client: TestClient, claims: dict[str, object]) -> None:
    assert client.get("/v1/casussen", headers=bearer(token(**claims))).status_code == 401


def test_wrong_signature_is_401(client: TestClient) -> None:
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    assert client.get("/v1/casussen", headers=bearer(token(_key=other))).status_code == 401


def test_alg_none_is_401(client: TestClient) -> None:
    now = dt.datetime.now(dt.UTC)
    unsigned = jwt.encode({"iss": "https://idp.gemeente.example", "aud": "omgekeerde-toets",
                           "sub": "x", "exp": now + dt.timedelta(minutes=5),
                           "rollen": ["auditor"]}, key=None, algorithm="none")
    assert client.get("/v1/casussen", headers=bearer(unsigned)).status_code == 401


def test_hs256_with_public_key_as_secret_is_401(client: TestClient) -> None:
    """Algorithm confusion: an HS256 token signed with the issuer's public key as HMAC secret.
    The issuer is configured RS256-only, so the token's own `alg` is not trusted."""
    import base64
    import hashlib
    import hmac
    import json

    from tests.api.conftest import PUBLIC_PEM

    def b64(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

    now = int(dt.datetime.now(dt.UTC).timestamp())
    header = b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    payload = b64(json.dumps({"iss": "https://idp.gemeente.example", "aud": "omgekeerde-toets",
                              "sub": "x", "exp": now + 300, "rollen": ["auditor"]}).encode())
    signature = b64(hmac.new(PUBLIC_PEM.encode(), f"{header}.{payload}".encode(),
                             hashlib.sha256).digest())
    forged = f"{header}.{payload}.{signature}"
    assert client.get("/v1/casussen", headers=bearer(forged)).status_code == 401


def test_consulent_limits(client: TestClient) -> None:
    advies = client.post("/v1/adviezen", json={"casus": example("scootmobiel")},
                         headers=CONSULENT).json()
    assert client.post(f"/v1/adviezen/{advies['id']}/_herhaal", headers=CONSULENT).status_code \
        == 403
    assert client.post("/v1/adviezen/_verifieer-keten", headers=CONSULENT).status_code == 403
    assert client.post("/v1/regelpakketten/_valideer", content=b"x: 1",
                       headers={**CONSULENT, "Content-Type": "application/yaml"}
                       ).status_code == 403


def test_beleidsmedewerker_limits(client: TestClient) -> None:
    assert client.get("/v1/regelpakketten", headers=BELEID).status_code == 200
    assert client.post("/v1/casussen", json=example("scootmobiel"), headers=BELEID
                       ).status_code == 403
    assert client.get("/v1/casussen", headers=BELEID).status_code == 403
    assert client.post("/v1/adviezen", json={"casus": example("scootmobiel")}, headers=BELEID
                       ).status_code == 403


def test_auditor_reads_everything_writes_nothing(client: TestClient) -> None:
    casus = client.post("/v1/casussen", json=example("scootmobiel"), headers=CONSULENT).json()
    advies = client.post("/v1/adviezen", json={"casus_id": casus["id"]},
                         headers=CONSULENT).json()
    assert client.get(f"/v1/casussen/{casus['id']}", headers=AUDITOR).status_code == 200
    assert client.get(f"/v1/adviezen/{advies['id']}", headers=AUDITOR).status_code == 200
    assert client.get("/v1/regelpakketten/wmo/instrumenten", headers=AUDITOR).status_code == 200
    writes = [
        client.post("/v1/casussen", json=example("scootmobiel"), headers=AUDITOR),
        client.put(f"/v1/casussen/{casus['id']}", json=example("scootmobiel"), headers=AUDITOR),
        client.post(f"/v1/casussen/{casus['id']}/_beantwoord", headers=AUDITOR,
                    json={"antwoorden": [{"feit": "netwerk.sociaal_netwerk", "waarde": "geen"}]}),
        client.post("/v1/adviezen", json={"casus_id": casus["id"]}, headers=AUDITOR),
        client.post("/v1/besluiten", headers=AUDITOR, json={
            "advies_id": advies["id"], "motivering": "x",
            "instrumenten": [{"effect": "e1", "instrument": "wmo.collectief_vervoer",
                              "motivering": "x"}]}),
    ]
    assert [w.status_code for w in writes] == [403] * 5


def test_web_pages_need_a_login(client: TestClient) -> None:
    """Besides /v1/openapi.json and /v1/gezondheid only the login form and the static assets
    answer without a token; every other page sends the browser to the login form."""
    from service.web.routes import router

    routes = [(r.path, sorted(r.methods)) for r in router.routes  # type: ignore[attr-defined]
              if r.path.startswith("/ui")]  # type: ignore[attr-defined]
    assert ("/ui/casussen", ["GET"]) in routes and len(routes) > 15
    for path, methods in routes:
        if path == "/ui/inloggen":
            continue
        concrete = path.replace("{casus_id}", "x").replace("{advies_id}", "x").replace(
            "{naam}", "wmo.html")
        for method in methods:
            r = client.request(method, concrete, follow_redirects=False,
                               headers={"Content-Type": "application/x-www-form-urlencoded"}
                               if method == "POST" else {})
            assert r.status_code == 303, (method, path, r.status_code)
            assert r.headers["location"] == "/ui/inloggen"
