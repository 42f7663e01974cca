"""Service fixtures: the same tests run on SQLite and on a real PostgreSQL server.

PostgreSQL is used when `OT_TEST_POSTGRES_URL` is set (`.ci/run` starts a server with
`scripts/postgres-start.sh` and sets it; locally run that script yourself). Invented people only.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jwt
import pytest
import yaml
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text

from service.app import create_app
from service.settings import ApiKey, JwtIssuer, Limiet, Settings
from tests.paths import EXAMPLES, ROOT

PG_URL = os.environ.get("OT_TEST_POSTGRES_URL")

KEYS = {
    "sleutel-consulent": ApiKey(rol="consulent", sub="consulent-1"),
    "sleutel-consulent-2": ApiKey(rol="consulent", sub="consulent-2"),
    "sleutel-beleid": ApiKey(rol="beleidsmedewerker", sub="beleid-1"),
    "sleutel-auditor": ApiKey(rol="auditor", sub="auditor-1"),
}
CONSULENT = {"Authorization": "Bearer sleutel-consulent"}
CONSULENT_2 = {"Authorization": "Bearer sleutel-consulent-2"}
BELEID = {"Authorization": "Bearer sleutel-beleid"}
AUDITOR = {"Authorization": "Bearer sleutel-auditor"}

PRIVATE = rsa.generate_private_key(public_exponent=65537, key_size=2048)
PUBLIC_PEM = PRIVATE.public_key().public_bytes(
    serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()
ISSUER = JwtIssuer(iss="https://idp.gemeente.example", aud="omgekeerde-toets", key=PUBLIC_PEM,
                   algorithms=["RS256"])


def token(**overrides: Any) -> str:
    now = dt.datetime.now(dt.UTC)
    claims: dict[str, Any] = {"iss": ISSUER.iss, "aud": ISSUER.aud, "sub": "medewerker-7",
                              "exp": now + dt.timedelta(minutes=5), "iat": now,
                              "rollen": ["consulent"]}
    claims.update(overrides)
    key = overrides.pop("_key", PRIVATE)
    claims.pop("_key", None)
    return jwt.encode(claims, key, algorithm="RS256")


def example(name: str) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((EXAMPLES / f"{name}.yaml").read_text("utf-8"))
    data.pop("verwachting", None)
    data["peildatum"] = str(data["peildatum"])
    return data


def reset_postgres(url: str) -> None:
    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'ot.sqlite3'}"
    if not PG_URL:
        pytest.skip("OT_TEST_POSTGRES_URL is not set (CI sets it; see scripts/postgres-start.sh)")
    reset_postgres(PG_URL)
    return PG_URL


RUIM = Limiet(adviezen="100000/minute", impact="100000/minute", valideer="100000/minute",
              test="100000/minute")
"""Rate limits out of the way of tests that make many requests (tests/api/test_access.py
tests the limits themselves)."""


def make_settings(db_url: str, rules_dir: Path | None = None, **extra: Any) -> Settings:
    """Settings for one test's app. On a copied rules folder (`rules_dir`) the packs' YAML tests
    at start are off unless the test turns them on (`pakkettests_bij_start=True`): they run
    once per folder path (`service.engines.pack_tests`), and every copy is a new path, so each
    start ran all 1,093 tests again (a minute each; test_pinned_packs alone took 28 minutes of
    CI). The tests of that start itself (`tests/api/test_pinned_packs.py`) turn them on, and
    the bundled folder keeps them on (one run per process)."""
    if rules_dir is not None:
        extra.setdefault("pakkettests_bij_start", False)
    extra.setdefault("limieten", RUIM)
    extra.setdefault("jwt_issuers", [ISSUER])
    # Impact in a child process of the service, also on PostgreSQL (where the default is the
    # job library, which needs `ot impact-worker` processes): tests/api/test_impact_procrastinate.py
    # starts workers and tests that way.
    impact = extra.setdefault("impact", {})
    if isinstance(impact, dict):
        impact.setdefault("uitvoering", "proces")
    return Settings(database_url=db_url, rules_dir=rules_dir, api_keys=KEYS,
                    cors_origins=["https://consulent.gemeente.example"], **extra)


@pytest.fixture
def app(db_url: str) -> Iterator[FastAPI]:
    application = create_app(make_settings(db_url))
    yield application
    dispose(application)


def dispose(application: FastAPI) -> None:
    """Close the app's connection pools (PostgreSQL allows only so many clients)."""
    application.state.db_engine.dispose()
    application.state.read_sessions.kw["bind"].dispose()


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


@pytest.fixture
def rules_copy(tmp_path: Path) -> Path:
    target = tmp_path / "rules"
    shutil.copytree(ROOT / "rules", target)
    return target
