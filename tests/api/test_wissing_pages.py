"""What the web pages and `ot herhaal` show of an erased casus (issue 16): no personal data,
no crash, but when, by whom and why it was erased and what stayed. SQLite and PostgreSQL;
invented people only."""

from __future__ import annotations

import json
from pathlib import Path

from fastapi.testclient import TestClient
from typer.testing import CliRunner

from cli.main import app as cli
from service.app import create_app

from .conftest import CONSULENT, dispose, example, make_settings

GROND = "Verzoek van de inwoner om wissing (art. 17 AVG), dossier afgesloten."


def test_erased_casus_and_advies_pages_say_so_and_show_no_content(db_url: str,
                                                                  tmp_path: Path) -> None:
    application = create_app(make_settings(db_url))
    try:
        with TestClient(application, raise_server_exceptions=False) as c:
            data = example("scootmobiel")
            wens = data["gewenste_effecten"][0]["omschrijving"]
            casus = c.post("/v1/casussen", json=data, headers=CONSULENT).json()
            advies = c.post("/v1/adviezen", json={"casus_id": casus["id"]},
                            headers=CONSULENT).json()
            c.cookies.set("ot_sessie", "sleutel-consulent")
            assert wens in c.get(f"/ui/casussen/{casus['id']}").text  # before: the wish shows
            wis = c.post(f"/v1/casussen/{casus['id']}/_wis", json={"grond": GROND},
                         headers=CONSULENT)
            assert wis.status_code == 200, wis.text

            for path in (f"/ui/casussen/{casus['id']}", f"/ui/casussen/{casus['id']}/bewerken",
                         f"/ui/adviezen/{advies['id']}", f"/ui/adviezen/{advies['id']}/rapport"):
                r = c.get(path)
                assert r.status_code == 200, (path, r.text[:300])
                assert "gewist" in r.text and GROND in r.text, path
                assert wens not in r.text, path
            report = c.get(f"/ui/adviezen/{advies['id']}/rapport").text
            assert advies["trace_hash"] in report and advies["keten_hash"] in report
            listing = c.get("/ui/casussen").text
            assert "gewist op" in listing and wens not in listing

            c.cookies.set("ot_sessie", "sleutel-auditor")  # replay is the auditor's
            replay = c.post(f"/ui/adviezen/{advies['id']}/herhaal")
            assert replay.status_code == 410 and "Gewist" in replay.text

            receipt = c.get(f"/ui/adviezen/{advies['id']}/bewijsstuk.json")
            assert receipt.status_code == 200 and receipt.json()["trace"] is None
    finally:
        dispose(application)
    path = tmp_path / "advies.json"
    path.write_text(json.dumps(receipt.json()))
    result = CliRunner().invoke(cli, ["herhaal", str(path)], env={"COLUMNS": "300"})  # unwrapped
    assert result.exit_code != 0
    assert "gewist" in result.output and "herhalen kan niet" in result.output
