"""Impact of a rule change over many stored adviezen: a constructed, known change must give
exactly the expected counts, and nothing stored changes. How fast it goes over tens of
thousands is `make bench` (bench/impact_bench.py), not a test: 2,400 adviezen here took five
minutes per database of a loaded CI core and the suite missed CI's 90 minutes; 600 count the
same way.

`_impact` is a job (202 + Location, then poll `GET /v1/impact-taken/{id}`); the helpers here
start one and wait for it (also used by tests/api/test_impact_job.py)."""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from service.db import Advies
from service.store import store_advies
from tests.api.conftest import AUDITOR, BELEID, ROOT

IMPACT = "/v1/regelpakketten/_impact"
EINDE = {"klaar", "mislukt", "geannuleerd", "verlopen"}


def start(client: TestClient, content: bytes, headers: dict[str, str],
          params: dict[str, str] | None = None) -> str:
    """Start an impact job; its status resource."""
    r = client.post(IMPACT, content=content, params=params,
                    headers={**headers, "Content-Type": "application/yaml"})
    assert r.status_code == 202, r.text[:300]
    location = r.headers["Location"]
    assert re.fullmatch(r"/v1/impact-taken/[0-9a-f-]{36}", location), location
    assert r.json()["status"] in ("wachtend", "bezig") and r.json()["uitkomst"] is None
    return location


def wait(client: TestClient, location: str, headers: dict[str, str],
         until: set[str] | None = None, timeout: float = 900) -> dict[str, Any]:
    """Poll the job until its status is in `until` (default: finished). The deadline guards
    against a hang, it measures no speed (that is `make bench`): in a clean-clone rehearsal on
    two cores shared with a second test run, 2,400 adviezen took longer than the 180 s it was."""
    deadline = time.monotonic() + timeout
    while True:
        r = client.get(location, headers=headers)
        assert r.status_code == 200, r.text
        body: dict[str, Any] = r.json()
        if body["status"] in (until or EINDE):
            return body
        assert time.monotonic() < deadline, body
        time.sleep(0.05)


def run(client: TestClient, content: bytes, headers: dict[str, str],
        params: dict[str, str] | None = None) -> dict[str, Any]:
    """Start a job, wait for it, and return its uitkomst."""
    body = wait(client, start(client, content, headers, params), headers)
    assert body["status"] == "klaar", body
    uitkomst: dict[str, Any] = body["uitkomst"]
    return uitkomst

N = 600
AGES = list(range(60, 90))  # 30 ages; 75..79 are 5 of them -> N * 5 / 30 = 100


def casus(age: int) -> dict[str, Any]:
    return {"peildatum": "2026-11-02", "gemeente": "GM9991",
            "personen": [{"id": "p1", "rol": "aanvrager", "leeftijd": age,
                          "woont_in_gemeente": True, "beperkingen": ["psychisch"]}],
            "gewenste_effecten": [{"id": "e1", "omschrijving": "Zelf naar de markt.",
                                   "leefgebied": "mobiliteit"}]}


def fill(app: FastAPI) -> None:
    eng = app.state.engines.current
    receipts = {age: eng.advies(casus(age)) for age in AGES}
    with app.state.sessions() as s:
        for i in range(N):
            store_advies(s, receipts[AGES[i % len(AGES)]], casus_id=None, casus_versie=None,
                         door="consulent-1")
        s.commit()


def candidate() -> bytes:
    text = (ROOT / "rules" / "gemeenten" / "gm9991" / "gm9991.yaml").read_text("utf-8")
    assert "op: \">=\", waarde: 75}" in text
    version = re.search(r'versie: "([^"]+)"', text)
    assert version is not None
    return text.replace("op: \">=\", waarde: 75}", "op: \">=\", waarde: 80}").replace(
        version.group(0), f'versie: "{version.group(1)}-kandidaat"', 1).encode()


def test_impact_counts_a_known_change(app: FastAPI, client: TestClient, tmp_path: Path) -> None:
    fill(app)
    with app.state.read_sessions() as s:
        before = s.scalar(select(func.count()).select_from(Advies))
        head = s.scalars(select(Advies).order_by(Advies.volgnummer.desc())).first()
    assert before == N and head is not None
    report = run(client, candidate(), AUDITOR)  # the auditor sees the per-advies detail
    assert report["totaal"] == N
    assert report["veranderd"] == N * 5 // len(AGES) == 100
    assert report["per_instrument"] == {"gm9991.regiotaxi": {"past → past_niet": 100}}
    change = report["adviezen"][0]["wijzigingen"][0]
    assert change["voorwaarden"] == ["voorwaarden:doelgroep"]
    with app.state.read_sessions() as s:
        assert s.scalar(select(func.count()).select_from(Advies)) == N
        again = s.scalars(select(Advies).order_by(Advies.volgnummer.desc())).first()
    assert again is not None and again.keten_hash == head.keten_hash

    # the same through the CLI, against the same database
    from typer.testing import CliRunner

    from cli.main import app as cli

    path = tmp_path / "gm9991.yaml"
    path.write_bytes(candidate())
    url = str(app.state.db_engine.url.render_as_string(hide_password=False))
    url = url.replace("postgresql+psycopg://", "postgresql://")
    result = CliRunner().invoke(cli, ["impact", str(path), "--database-url", url, "--json"])
    assert result.exit_code == 0, result.output
    import json

    cli_report = json.loads(result.stdout)
    assert cli_report["veranderd"] == 100
    assert cli_report["per_instrument"] == report["per_instrument"]


def test_impact_of_the_packs_in_force_is_nil(app: FastAPI, client: TestClient) -> None:
    fill(app)
    report = run(client, b" ", BELEID)
    assert report["veranderd"] == 0 and report["totaal"] == N


def test_what_the_1_january_amount_change_does(app: FastAPI, client: TestClient) -> None:
    """A candidate Proefdorp overlay with a 2027 income limit, evaluated on 2027-01-01: only the
    households between the old and the new limit move."""
    eng = app.state.engines.current
    incomes = [1900, 2100, 2150, 2250, 2400]  # 2026 limit 2120; candidate 2027 limit 2300

    def gezin(income: int) -> dict[str, Any]:
        return {"peildatum": "2026-11-02", "gemeente": "GM9992",
                "huishouden": {"netto_inkomen_maand": income},
                "personen": [{"id": "p1", "rol": "aanvrager", "leeftijd": 39,
                              "woont_in_gemeente": True}, {"id": "k1", "rol": "kind",
                                                           "leeftijd": 9}],
                "gewenste_effecten": [{"id": "e1", "omschrijving": "Rondkomen.",
                                       "leefgebied": "financien"}]}

    receipts = {income: eng.advies(gezin(income)) for income in incomes}  # once each, as fill
    with app.state.sessions() as s:
        for _ in range(100):
            for income in incomes:
                store_advies(s, receipts[income], casus_id=None, casus_versie=None,
                             door="consulent-1")
        s.commit()
    text = (ROOT / "rules" / "gemeenten" / "gm9992" / "gm9992.yaml").read_text("utf-8")
    old = "      - {waarde: 2120, geldig_vanaf: 2026-01-01}"
    assert old in text
    candidate = text.replace(old, "      - {waarde: 2120, geldig_vanaf: 2026-01-01, "
                                  "geldig_tot: 2026-12-31}\n"
                                  "      - {waarde: 2300, geldig_vanaf: 2027-01-01}")
    report = run(client, candidate.encode(), BELEID, {"peildatum": "2027-01-01"})
    assert report["totaal"] == 500
    # 2150 and 2250 move from past_niet to past; 1900 stays past, 2100 stays past, 2400 stays
    assert report["per_instrument"]["gm9992.kindpakket"] == {"past_niet → past": 200}
