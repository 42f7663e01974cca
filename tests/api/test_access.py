"""Who may see and change what (service/toegang.py), ownership as issuer + subject, issuer keys
from a JWKS with rotation, rate limits per principal, and access logs without query strings.

Every test here failed on the code before this module existed: a principal with the roles
[consulent, auditor] could change another consulent's casus, a token from another issuer with
the same `sub` read the API-key consulent's casus, JWKS was not supported, nothing was
rate-limited, and uvicorn's access log wrote query strings.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from fastapi.testclient import TestClient
from pydantic import ValidationError

from service.app import create_app
from service.launch import free_port, wait_until_up
from service.settings import JwtIssuer, Limiet
from tests.api.conftest import (
    CONSULENT,
    CONSULENT_2,
    ISSUER,
    RUIM,
    dispose,
    example,
    make_settings,
    token,
)


def bearer(t: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {t}"}


def casus_with_advies(client: TestClient) -> tuple[dict[str, Any], dict[str, Any]]:
    casus = client.post("/v1/casussen", json=example("scootmobiel"), headers=CONSULENT).json()
    advies = client.post("/v1/adviezen", json={"casus_id": casus["id"]}, headers=CONSULENT)
    assert advies.status_code == 201
    return casus, advies.json()


# --- reads check visibility, writes check ownership ------------------------------------------

def test_consulent_and_auditor_in_one_token_may_read_but_not_change_others(
        client: TestClient) -> None:
    casus, advies = casus_with_advies(client)
    both = bearer(token(sub="medewerker-7", rollen=["consulent", "auditor"]))
    cid = casus["id"]
    writes = {
        "vervangen": client.put(f"/v1/casussen/{cid}", json=example("scootmobiel"),
                                headers=both),
        "beantwoorden": client.post(f"/v1/casussen/{cid}/_beantwoord", headers=both, json={
            "antwoorden": [{"feit": "netwerk.sociaal_netwerk", "waarde": "geen"}]}),
        "afwegingen": client.put(f"/v1/casussen/{cid}/afwegingen", headers=both,
                                 json={"waarden": "overschreven"}),
        "advies": client.post("/v1/adviezen", json={"casus_id": cid}, headers=both),
        "besluit": client.post("/v1/besluiten", headers=both, json={
            "advies_id": advies["id"], "motivering": "x",
            "instrumenten": [{"effect": "e1", "instrument": "wmo.collectief_vervoer",
                              "motivering": "x"}]}),
    }
    assert {k: r.status_code for k, r in writes.items()} == dict.fromkeys(writes, 404)
    assert all(r.headers["content-type"] == "application/problem+json"
               for r in writes.values())
    # nothing changed, nothing added
    stored = client.get(f"/v1/casussen/{cid}", headers=CONSULENT).json()
    assert stored["versie"] == 1 and stored.get("afwegingen") is None
    adviezen = client.get(f"/v1/adviezen?casusId={cid}", headers=CONSULENT).json()
    assert adviezen["pagina"]["totaal"] == 1
    assert client.get("/v1/besluiten", headers=CONSULENT).json()["pagina"]["totaal"] == 0
    # the auditor role still sees everything
    assert client.get(f"/v1/casussen/{cid}", headers=both).status_code == 200
    assert client.get(f"/v1/adviezen/{advies['id']}", headers=both).status_code == 200
    assert client.get("/v1/casussen", headers=both).json()["pagina"]["totaal"] == 1
    # and the same principal may change what it owns
    own = client.post("/v1/casussen", json=example("scootmobiel"), headers=both)
    assert own.status_code == 201
    changed = client.put(f"/v1/casussen/{own.json()['id']}/afwegingen", headers=both,
                         json={"waarden": "besproken"})
    assert changed.status_code == 200 and changed.json()["versie"] == 2


def test_another_consulent_neither_reads_nor_changes(client: TestClient) -> None:
    casus, advies = casus_with_advies(client)
    assert client.get(f"/v1/casussen/{casus['id']}", headers=CONSULENT_2).status_code == 404
    assert client.get(f"/v1/adviezen/{advies['id']}", headers=CONSULENT_2).status_code == 404
    assert client.post("/v1/adviezen", json={"casus_id": casus["id"]},
                       headers=CONSULENT_2).status_code == 404
    assert client.get("/v1/casussen", headers=CONSULENT_2).json()["pagina"]["totaal"] == 0


def test_no_route_compares_owners_itself() -> None:
    """One rule, one place: the routes ask service/toegang.py, never compare owners."""
    service = Path(__file__).resolve().parents[2] / "service"
    for path in [*service.glob("routes/*.py"), service / "impact_jobs.py",
                 service / "impact_taken.py"]:
        text = path.read_text("utf-8")
        for needle in ('"auditor" in', "who.sub", ".eigenaar ==", ".eigenaar !=", ".door =="):
            assert needle not in text, f"{path.name} decides access itself: {needle}"


# --- ownership is issuer + subject ------------------------------------------------------------

OTHER_PRIVATE = rsa.generate_private_key(public_exponent=65537, key_size=2048)
OTHER = JwtIssuer(
    iss="https://idp.andere-gemeente.example", aud="omgekeerde-toets",
    key=OTHER_PRIVATE.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode())


def other_token(sub: str, rollen: list[str]) -> str:
    now = dt.datetime.now(dt.UTC)
    return jwt.encode({"iss": OTHER.iss, "aud": OTHER.aud, "sub": sub, "rollen": rollen,
                       "exp": now + dt.timedelta(minutes=5), "iat": now}, OTHER_PRIVATE,
                      algorithm="RS256")


def test_same_sub_from_another_issuer_is_someone_else(db_url: str) -> None:
    app = create_app(make_settings(db_url, jwt_issuers=[ISSUER, OTHER]))
    try:
        with TestClient(app, raise_server_exceptions=False) as client:
            # the API-key consulent is `consulent-1`; a token of another issuer claims that sub
            casus = client.post("/v1/casussen", json=example("scootmobiel"), headers=CONSULENT)
            cid = casus.json()["id"]
            impostor = bearer(other_token("consulent-1", ["consulent"]))
            assert client.get(f"/v1/casussen/{cid}", headers=impostor).status_code == 404
            assert client.get("/v1/casussen", headers=impostor).json()["pagina"]["totaal"] == 0
            assert client.put(f"/v1/casussen/{cid}", json=example("scootmobiel"),
                              headers=impostor).status_code == 404
            # two JWT issuers, one sub: also two people
            mine = client.post("/v1/casussen", json=example("scootmobiel"),
                               headers=bearer(token(sub="medewerker-7"))).json()["id"]
            twin = bearer(other_token("medewerker-7", ["consulent"]))
            assert client.get(f"/v1/casussen/{mine}", headers=twin).status_code == 404
            assert client.get(f"/v1/casussen/{mine}",
                              headers=bearer(token(sub="medewerker-7"))).status_code == 200
    finally:
        dispose(app)


# --- issuer keys from a JWKS, with rotation ---------------------------------------------------

class JwksServer:
    """A local identity provider's key endpoint: serves `keys`, counts fetches."""

    def __init__(self) -> None:
        self.keys: list[dict[str, Any]] = []
        self.fetches = 0
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                owner.fetches += 1
                body = json.dumps({"keys": owner.keys}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/jwks.json"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def publish(self, *pairs: tuple[str, rsa.RSAPrivateKey]) -> None:
        self.keys = [{**jwt.algorithms.RSAAlgorithm.to_jwk(k.public_key(), as_dict=True),
                      "kid": kid, "use": "sig", "alg": "RS256"} for kid, k in pairs]

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def jwks() -> Iterator[JwksServer]:
    server = JwksServer()
    yield server
    server.stop()


IDP = "https://idp.jwks.example"


def signed(kid: str, key: rsa.RSAPrivateKey, sub: str = "medewerker-9") -> dict[str, str]:
    now = dt.datetime.now(dt.UTC)
    t = jwt.encode({"iss": IDP, "aud": "omgekeerde-toets", "sub": sub, "rollen": ["consulent"],
                    "exp": now + dt.timedelta(minutes=5), "iat": now}, key, algorithm="RS256",
                   headers={"kid": kid})
    return bearer(t)


@contextmanager
def jwks_client(db_url: str, jwks: JwksServer, afkoelen_s: float) -> Iterator[TestClient]:
    """The service with one issuer whose keys come from the local JWKS server."""
    issuer = JwtIssuer(iss=IDP, aud="omgekeerde-toets", jwks_url=jwks.url,
                       jwks_afkoelen_s=afkoelen_s)
    app = create_app(make_settings(db_url, jwt_issuers=[issuer]))
    try:
        with TestClient(app, raise_server_exceptions=False) as client:
            yield client
    finally:
        dispose(app)


def test_jwks_keys_rotate_without_restart(db_url: str, jwks: JwksServer) -> None:
    k1 = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    k2 = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    jwks.publish(("k1", k1))
    with jwks_client(db_url, jwks, afkoelen_s=0) as client:
        assert client.get("/v1/wie-ben-ik", headers=signed("k1", k1)).status_code == 200
        assert client.get("/v1/wie-ben-ik", headers=signed("k1", k1)).status_code == 200
        assert jwks.fetches == 1, "a known kid is served from the cache"
        # the provider rotates: k2 signs from now on, k1 is withdrawn
        jwks.publish(("k2", k2))
        assert client.get("/v1/wie-ben-ik", headers=signed("k2", k2)).status_code == 200
        assert jwks.fetches == 2, "an unknown kid fetches the key set again"
        assert client.get("/v1/wie-ben-ik", headers=signed("k1", k1)).status_code == 401
        # a kid that exists, with a signature by another key
        forged = client.get("/v1/wie-ben-ik", headers=signed("k2", k1))
        assert forged.status_code == 401
        made_up = client.get("/v1/wie-ben-ik", headers=signed("nergens", k2))
        assert made_up.status_code == 401
        assert made_up.headers["content-type"] == "application/problem+json"
        # the provider is down: 503 with Retry-After for a kid we do not hold, no 500
        jwks.stop()
        down = client.get("/v1/wie-ben-ik", headers=signed("k3", k2))
        assert down.status_code == 503, down.text
        assert int(down.headers["retry-after"]) > 0
        # a known key keeps working from the cache while the provider is down
        assert client.get("/v1/wie-ben-ik", headers=signed("k2", k2)).status_code == 200


def test_jwks_cooldown_bounds_fetches_for_made_up_kids(db_url: str, jwks: JwksServer) -> None:
    k1 = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    jwks.publish(("k1", k1))
    with jwks_client(db_url, jwks, afkoelen_s=60) as client:
        assert client.get("/v1/wie-ben-ik", headers=signed("k1", k1)).status_code == 200
        for n in range(20):
            r = client.get("/v1/wie-ben-ik", headers=signed(f"verzonnen-{n}", k1))
            assert r.status_code == 401
        assert jwks.fetches == 1


def test_issuer_takes_one_key_source() -> None:
    with pytest.raises(ValidationError, match="precies één"):
        JwtIssuer(iss=IDP, aud="x", key="k", jwks_url="https://idp.example/jwks")
    with pytest.raises(ValidationError, match="precies één"):
        JwtIssuer(iss=IDP, aud="x")
    with pytest.raises(ValidationError):
        JwtIssuer(iss="met|streep", aud="x", key="k")


# --- rate limits per principal ---------------------------------------------------------------

def test_rate_limit_per_principal_with_retry_after(db_url: str) -> None:
    limits = RUIM.model_copy(update={"adviezen": "3/minute", "valideer": "2/minute"})
    app = create_app(make_settings(db_url, limieten=limits))
    try:
        with TestClient(app, raise_server_exceptions=False) as client:
            body = {"casus": example("scootmobiel")}
            codes = [client.post("/v1/adviezen", json=body, headers=CONSULENT).status_code
                     for _ in range(4)]
            assert codes == [201, 201, 201, 429]
            r = client.post("/v1/adviezen", json=body, headers=CONSULENT)
            assert r.status_code == 429
            assert r.headers["content-type"] == "application/problem+json"
            assert 1 <= int(r.headers["retry-after"]) <= 60
            assert r.json()["status"] == 429
            # another principal has its own budget; cheap endpoints are not limited
            assert client.post("/v1/adviezen", json=body, headers=CONSULENT_2
                               ).status_code == 201
            assert client.get("/v1/adviezen", headers=CONSULENT).status_code == 200
            # the rejected requests stored nothing
            assert client.get("/v1/adviezen", headers=CONSULENT).json()["pagina"]["totaal"] == 3
    finally:
        dispose(app)


@pytest.mark.parametrize("groep", ["impact", "valideer", "test"])
def test_expensive_beleid_endpoints_are_limited(db_url: str, groep: str) -> None:
    from tests.api.conftest import BELEID

    limits = RUIM.model_copy(update={groep: "1/minute"})
    path = {"impact": "/v1/regelpakketten/_impact", "valideer": "/v1/regelpakketten/_valideer",
            "test": "/v1/regelpakketten/_test"}[groep]
    app = create_app(make_settings(db_url, limieten=limits))
    try:
        with TestClient(app, raise_server_exceptions=False) as client:
            first = client.post(path, content=b"", headers=BELEID)
            assert first.status_code != 429
            second = client.post(path, content=b"", headers=BELEID)
            assert second.status_code == 429, (groep, second.status_code, second.text)
            assert int(second.headers["retry-after"]) >= 1
    finally:
        dispose(app)


def test_a_limit_that_does_not_parse_is_refused_at_start() -> None:
    with pytest.raises(ValidationError, match="geen limiet"):
        Limiet(adviezen="veel")


# --- access log without query strings --------------------------------------------------------

def test_uvicorn_as_started_by_hand_logs_no_query_string(tmp_path: Path) -> None:
    """`uvicorn --factory service.app:create_app` with uvicorn's defaults (access log on):
    the only access line is the service's own, with the route and no query string."""
    port = free_port()
    env = {**os.environ, "OT_DATABASE_URL": f"sqlite:///{tmp_path / 'ot.sqlite3'}",
           "OT_API_KEYS": json.dumps({"sleutel-c": {"rol": "consulent", "sub": "c-1"}})}
    env.pop("OT_LOG_FILE", None)
    log = tmp_path / "server.log"
    with log.open("wb") as out:
        proc = subprocess.Popen([sys.executable, "-m", "uvicorn", "--factory",
                                 "service.app:create_app", "--port", str(port)],
                                env=env, stdout=out, stderr=subprocess.STDOUT)
        try:
            base = f"http://127.0.0.1:{port}"
            wait_until_up(base, proc)
            r = httpx.get(f"{base}/v1/casussen?access_token=geheim-uit-de-url-42&pagina=1",
                          headers={"Authorization": "Bearer sleutel-c"})
            assert r.status_code == 200
            httpx.get(f"{base}/v1/casussen/onbekend?access_token=geheim-uit-de-url-42",
                      headers={"Authorization": "Bearer sleutel-c"})
        finally:
            proc.terminate()
            proc.wait(timeout=20)
    text = log.read_text("utf-8")
    assert "geheim-uit-de-url-42" not in text
    assert "access_token" not in text
    lines = [json.loads(x) for x in text.splitlines() if x.startswith("{")]
    routes = [x.get("route") for x in lines if x.get("logger") == "service.http"]
    assert "/casussen" in routes and "/casussen/{casus_id}" in routes


# --- migration 0004: stored owners become issuer + subject -----------------------------------

@pytest.mark.parametrize("uitgever", [None, ISSUER.iss])
def test_migration_gives_existing_owners_an_issuer(db_url: str, uitgever: str | None,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    from alembic import command
    from sqlalchemy import text

    from service.db import make_engines
    from service.migrate import alembic_config, upgrade

    writer, reader = make_engines(db_url)
    upgrade(writer, "0003")
    casus = example("scootmobiel")
    with writer.begin() as conn:
        conn.execute(text("INSERT INTO casussen (id, eigenaar, versie, data, aangemaakt, "
                          "gewijzigd) VALUES ('c-oud', :sub, 1, :data, 'x', 'x')"),
                     {"sub": "medewerker-7" if uitgever else "consulent-1",
                      "data": json.dumps(casus)})
        conn.execute(text("INSERT INTO casus_versies (casus_id, versie, data, reden, door, "
                          "aangemaakt) VALUES ('c-oud', 1, :data, 'aangemaakt', :sub, 'x')"),
                     {"sub": "medewerker-7" if uitgever else "consulent-1",
                      "data": json.dumps(casus)})
    writer.dispose()
    reader.dispose()
    if uitgever:
        monkeypatch.setenv("OT_EIGENAAR_UITGEVER", uitgever)
    app = create_app(make_settings(db_url))
    try:
        with TestClient(app, raise_server_exceptions=False) as client:
            owner = bearer(token(sub="medewerker-7")) if uitgever else CONSULENT
            stranger = CONSULENT if uitgever else bearer(token(sub="consulent-1"))
            assert client.get("/v1/casussen/c-oud", headers=owner).status_code == 200
            assert client.get("/v1/casussen/c-oud", headers=stranger).status_code == 404
            versions = client.get("/v1/casussen/c-oud/versies", headers=owner).json()
            assert versions[0]["casus"]["huishouden"] == casus["huishouden"]
        with app.state.db_engine.connect() as conn:
            stored = conn.execute(text("SELECT eigenaar FROM casussen")).scalar_one()
        sub = "medewerker-7" if uitgever else "consulent-1"
        assert stored == f"{uitgever or 'api-sleutel'}|{sub}"
    finally:
        dispose(app)
    writer, reader = make_engines(db_url)
    try:
        # since 0005 the reads above are in the processing log with their actor; going below
        # 0005 is refused until those records are exported and removed (see test_migrations)
        with writer.begin() as conn:
            conn.execute(text("DELETE FROM verwerkingen"))
        command.downgrade(alembic_config(writer), "0003")
        with writer.connect() as conn:
            assert conn.execute(text("SELECT eigenaar FROM casussen")).scalar_one() == (
                "medewerker-7" if uitgever else "consulent-1")
            assert conn.execute(text("SELECT door FROM casus_versies")).scalar_one() == (
                "medewerker-7" if uitgever else "consulent-1")
    finally:
        writer.dispose()
        reader.dispose()


# --- role mapping: the municipality's group names → our roles (issue 14) ----------------------

@pytest.mark.parametrize(("raw", "vertaling", "rollen"), [
    (["consulent", "onbekend"], {}, {"consulent"}),
    ("auditor", {}, {"auditor"}),
    (["ot-consulenten", "ot-privacy"], {"ot-consulenten": "consulent", "ot-privacy": "privacy"},
     {"consulent", "privacy"}),
    ("ot-audit", {"ot-audit": "auditor"}, {"auditor"}),
    # with a mapping, a value that is not mapped gives nothing, even one named like our roles
    (["consulent", "ot-elders"], {"ot-audit": "auditor"}, set()),
    # anything but a string or a list of strings gives nothing (and no error)
    (7, {}, set()), ({"consulent": True}, {}, set()), (None, {}, set()),
    ([["consulent"], 3, "consulent"], {}, {"consulent"}),
])
def test_roles_from_claim(raw: object, vertaling: dict[str, Any], rollen: set[str]) -> None:
    from service.auth import roles_from_claim

    assert roles_from_claim(raw, vertaling) == rollen


def test_a_mapped_group_is_a_role_through_the_api(db_url: str) -> None:
    mapped = ISSUER.model_copy(update={"rollen_vertaling": {"ot-consulenten": "consulent",
                                                           "ot-privacy": "privacy"}})
    app = create_app(make_settings(db_url, jwt_issuers=[mapped]))
    try:
        with TestClient(app, raise_server_exceptions=False) as client:
            group = bearer(token(rollen=["ot-consulenten"]))
            assert client.get("/v1/wie-ben-ik", headers=group).json() == {"rollen": ["consulent"]}
            assert client.post("/v1/casussen", json=example("scootmobiel"),
                               headers=group).status_code == 201
            # our own role name is not a mapped group: no role
            assert client.get("/v1/wie-ben-ik",
                              headers=bearer(token(rollen=["consulent"]))).status_code == 403
            assert client.get("/v1/wie-ben-ik",
                              headers=bearer(token(rollen=42))).status_code == 403  # no 500
            privacy = bearer(token(sub="fg-1", rollen="ot-privacy"))
            assert client.get("/v1/casusoverzicht", headers=privacy).json()["pagina"][
                "totaal"] == 1
    finally:
        dispose(app)
    with pytest.raises(ValidationError, match="rollen_vertaling"):
        JwtIssuer(iss="https://idp.example", aud="ot", key="x", rollen_vertaling={"g": "baas"})
