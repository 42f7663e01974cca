"""The auditor's round trip: an advies as the API returns it, saved to a file, replayed by
`ot herhaal` (issue 16). The CLI takes what the system gives and says no with a non-zero exit."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from typer.testing import CliRunner

from cli.main import app
from tests.api.conftest import AUDITOR, CONSULENT, example

runner = CliRunner()


def _saved_advies(client: TestClient, tmp_path: Path) -> tuple[dict[str, Any], Path]:
    r = client.post("/v1/adviezen", json={"casus": example("scootmobiel")}, headers=CONSULENT)
    assert r.status_code == 201, r.text
    got = client.get(f"/v1/adviezen/{r.json()['id']}", headers=AUDITOR)
    assert got.status_code == 200, got.text
    path = tmp_path / "advies.json"
    path.write_bytes(got.content)  # exactly what the API gave, as a browser would save it
    return got.json(), path


def test_the_api_advies_replays_identical_with_the_cli(client: TestClient, tmp_path: Path) -> None:
    _, path = _saved_advies(client, tmp_path)
    result = runner.invoke(app, ["herhaal", str(path)])
    assert result.exit_code == 0, result.output
    assert "identiek" in result.output and "intact (hash klopt): ja" in result.output


def test_a_changed_api_advies_exits_non_zero(client: TestClient, tmp_path: Path) -> None:
    advies, path = _saved_advies(client, tmp_path)
    advies["trace"]["advies"]["stap2"]["integraal_overleg"] = not advies["trace"]["advies"][
        "stap2"]["integraal_overleg"]
    path.write_text(json.dumps(advies), encoding="utf-8")
    result = runner.invoke(app, ["herhaal", str(path)])
    assert result.exit_code == 1
    assert "niet intact" in result.output and "advies.stap2.integraal_overleg" in result.output


def test_only_the_hash_changed_is_not_intact_and_exits_non_zero(client: TestClient,
                                                                tmp_path: Path) -> None:
    advies, path = _saved_advies(client, tmp_path)
    advies["trace_hash"] = "sha256:" + "0" * 64
    path.write_text(json.dumps(advies), encoding="utf-8")
    result = runner.invoke(app, ["herhaal", str(path)])
    assert result.exit_code == 1
    assert "niet intact" in result.output and "identiek" not in result.output


def test_a_document_that_is_no_advies_is_named_not_a_traceback(tmp_path: Path) -> None:
    path = tmp_path / "casus.json"
    path.write_text(json.dumps({"peildatum": "2026-11-02", "personen": []}), encoding="utf-8")
    result = runner.invoke(app, ["herhaal", str(path)])
    assert result.exit_code == 1
    assert "Traceback" not in result.output and "'casus'" in result.output
    assert "/v1/adviezen/{id}" in result.output
