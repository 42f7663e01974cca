"""`ot bewaartermijn` (issue 14): after the retention period the municipality set
(`OT_BEWAARTERMIJN_JAREN`, counted from archiving), the archived casussen are erased by the same
code as `_wis`; a dry run only lists. The chain still verifies, a replay of an erased advies
answers 410, the processing log records each erasure. SQLite and PostgreSQL; invented people."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from cli.main import app as cli
from service.app import create_app
from service.store import BEWAARTERMIJN_DOOR
from tests.api.conftest import (  # noqa: F401  (db_url: the SQLite/PostgreSQL fixture)
    AUDITOR,
    CONSULENT,
    db_url,
    dispose,
    example,
    make_settings,
)

runner = CliRunner()
GROND = "bewaartermijn verstreken (OT_BEWAARTERMIJN_JAREN=7)"


def ot(*args: str, **env: str) -> tuple[int, str]:
    result = runner.invoke(cli, list(args), env={"COLUMNS": "250", **env})
    return result.exit_code, " ".join(result.output.split())


def years_ago(years: int, days: int = 0) -> str:
    stamp = dt.datetime.now(dt.UTC) - dt.timedelta(days=365 * years + years // 4 + days)
    return stamp.isoformat(timespec="microseconds").replace("+00:00", "Z")


def three_casussen(c: TestClient) -> dict[str, Any]:
    """`oud`: archived 8 years ago, with an advies and a besluit; `recent`: archived 6 years
    ago; `open`: never archived. Each with an advies."""
    made: dict[str, Any] = {}
    for name, voorbeeld in (("oud", "scootmobiel"), ("recent", "gezin-meervoudig"),
                            ("open", "scootmobiel")):
        casus = c.post("/v1/casussen", json=example(voorbeeld), headers=CONSULENT).json()
        advies = c.post("/v1/adviezen", json={"casus_id": casus["id"]}, headers=CONSULENT)
        assert advies.status_code == 201, advies.text
        made[name] = {"casus": casus, "advies": advies.json()}
    besluit = c.post("/v1/besluiten", headers=CONSULENT, json={
        "advies_id": made["oud"]["advies"]["id"], "motivering": "Eerst collectief vervoer.",
        "instrumenten": [{"effect": "e1", "instrument": "wmo.collectief_vervoer"}]})
    assert besluit.status_code == 201, besluit.text
    for name in ("oud", "recent"):
        cid = made[name]["casus"]["id"]
        assert c.post(f"/v1/casussen/{cid}/_archiveer", headers=CONSULENT).status_code == 200
    return made


def backdate(app: Any, casus_id: str, stamp: str) -> None:
    """As if the casus had been archived at `stamp` (the test cannot wait years)."""
    with app.state.db_engine.begin() as conn:
        conn.execute(sa.text("UPDATE casussen SET gearchiveerd = :t WHERE id = :i"),
                     {"t": stamp, "i": casus_id})


def test_dry_run_lists_then_uitvoeren_erases_only_those_past_the_period(
        db_url: str) -> None:  # noqa: F811
    app = create_app(make_settings(db_url))
    try:
        with TestClient(app) as c:
            made = three_casussen(c)
            oud, recent = made["oud"]["casus"]["id"], made["recent"]["casus"]["id"]
            backdate(app, oud, years_ago(8))
            backdate(app, recent, years_ago(6))

            # no period set: nothing is erased, and it says why
            code, output = ot("bewaartermijn", "--uitvoeren", "--database-url", db_url)
            assert code == 2 and "OT_BEWAARTERMIJN_JAREN ontbreekt" in output

            # the dry run lists only the casus past the period, and erases nothing
            code, output = ot("bewaartermijn", "--database-url", db_url,
                              OT_BEWAARTERMIJN_JAREN="7")
            assert code == 0, output
            assert oud in output and recent not in output
            assert made["open"]["casus"]["id"] not in output
            assert "1 casussen te wissen; er is niets gewist (droog)" in output
            assert c.get(f"/v1/casussen/{oud}", headers=CONSULENT).json()["gewist"] is None
            assert c.post(f"/v1/adviezen/{made['oud']['advies']['id']}/_herhaal",
                          headers=AUDITOR).json()["identiek"] is True

            code, output = ot("bewaartermijn", "--uitvoeren", "--database-url", db_url,
                              OT_BEWAARTERMIJN_JAREN="7")
            assert code == 0, output
            assert f"gewist: casus {oud}" in output and "1 casussen gewist" in output

            shown = c.get(f"/v1/casussen/{oud}", headers=CONSULENT).json()
            assert shown["casus"] == {} and shown["gewist"]["grond"] == GROND
            assert shown["gewist"]["door"] == BEWAARTERMIJN_DOOR
            for name in ("recent", "open"):
                other = c.get(f"/v1/casussen/{made[name]['casus']['id']}",
                              headers=CONSULENT).json()
                assert other["gewist"] is None and other["casus"] == made[name]["casus"][
                    "casus"], name
                assert c.post(f"/v1/adviezen/{made[name]['advies']['id']}/_herhaal",
                              headers=AUDITOR).json()["identiek"] is True, name

            # the chain still verifies; a replay of the erased advies says it is gone
            chain = c.post("/v1/adviezen/_verifieer-keten", headers=AUDITOR).json()
            assert chain["geldig"] is True, chain
            assert "1 wissing" in chain["melding"]
            gone = c.post(f"/v1/adviezen/{made['oud']['advies']['id']}/_herhaal",
                          headers=AUDITOR)
            assert gone.status_code == 410, gone.text
            besluit = c.get(f"/v1/besluiten?adviesId={made['oud']['advies']['id']}",
                            headers=AUDITOR).json()["besluiten"][0]
            assert besluit["motivering"] == "" and besluit["gewist"] is not None

            # the processing log records it, by the system actor, the casus as pseudonym
            log = c.get("/v1/logboek?naam=casus_wissen", headers=AUDITOR).json()
            assert [(v["door"], v["naam"]) for v in log["verwerkingen"]] == [
                (BEWAARTERMIJN_DOOR, "casus_wissen")]
            assert log["verwerkingen"][0]["betrokkene"].startswith("psn:")
            assert c.get(f"/v1/logboek?casusId={oud}&naam=casus_wissen",
                         headers=AUDITOR).json()["pagina"]["totaal"] == 1

            # a second run finds nothing more to do
            code, output = ot("bewaartermijn", "--uitvoeren", "--database-url", db_url,
                              OT_BEWAARTERMIJN_JAREN="7")
            assert code == 0 and "0 casussen gewist" in output
            code, output = ot("bewaartermijn", "--database-url", db_url,
                              OT_BEWAARTERMIJN_JAREN="7")
            assert code == 0 and "geen casus te wissen" in output
    finally:
        dispose(app)


def test_a_dearchived_casus_is_not_erased(db_url: str) -> None:  # noqa: F811
    app = create_app(make_settings(db_url))
    try:
        with TestClient(app) as c:
            made = three_casussen(c)
            oud = made["oud"]["casus"]["id"]
            backdate(app, oud, years_ago(8))
            assert c.post(f"/v1/casussen/{oud}/_dearchiveer",
                          headers=CONSULENT).status_code == 200
            code, output = ot("bewaartermijn", "--uitvoeren", "--database-url", db_url,
                              OT_BEWAARTERMIJN_JAREN="7")
            assert code == 0 and "0 casussen gewist" in output
            assert c.get(f"/v1/casussen/{oud}", headers=CONSULENT).json()["gewist"] is None
    finally:
        dispose(app)


def test_a_bad_period_or_missing_database_erases_nothing(tmp_path: Path) -> None:
    missing = tmp_path / "nergens" / "ot.sqlite3"
    code, output = ot("bewaartermijn", "--database-url", f"sqlite:///{missing}",
                      OT_BEWAARTERMIJN_JAREN="7")
    assert code == 2 and "geen database op" in output
    assert not (tmp_path / "nergens").exists()
    code, output = ot("bewaartermijn", "--database-url", f"sqlite:///{missing}",
                      OT_BEWAARTERMIJN_JAREN="zeven")
    assert code == 2 and "bewaartermijn_jaren" in output
