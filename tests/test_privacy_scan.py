"""The privacy scan of all service logs (tests/conftest.py `pytest_sessionfinish`) really fails
the run: a pytest run whose log holds an invented name exits non-zero and says why; the same
run with a clean log passes. Replaces tests/zz_einde, which relied on running last."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.paths import ROOT

CLEAN = {"tijd": "2026-01-05T10:00:00", "niveau": "INFO", "logger": "service.http",
         "bericht": "verzoek", "methode": "POST", "route": "/v1/adviezen", "status": 201}


def run_pytest_with_log(tmp_path: Path,
                        *entries: dict[str, object]) -> subprocess.CompletedProcess[str]:
    """A tiny pytest session in `tmp_path` that uses the suite's hook, with $OT_LOG_FILE
    holding `entries` as if the service had logged them."""
    log = tmp_path / "service.jsonl"
    log.write_text("".join(json.dumps(e, ensure_ascii=False) + "\n" for e in entries), "utf-8")
    (tmp_path / "conftest.py").write_text(
        "from tests.conftest import pytest_sessionfinish  # noqa: F401  (the hook under test)\n")
    (tmp_path / "test_niets.py").write_text("def test_niets():\n    assert True\n")
    env = {**os.environ, "OT_LOG_FILE": str(log), "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:randomly",
                           "-p", "no:cacheprovider", "--rootdir", str(tmp_path), str(tmp_path)],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)


def test_a_name_in_a_log_line_fails_the_run(tmp_path: Path) -> None:
    leak = {**CLEAN, "bericht": "casus van Jan-Jansen opgeslagen"}
    result = run_pytest_with_log(tmp_path, CLEAN, leak)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "PRIVACY SCAN FAILED" in result.stdout
    assert "line 2: 'Jan-Jansen'" in result.stdout
    assert "1 passed" in result.stdout  # the test itself passed: the scan failed the run


def test_a_birth_date_in_a_log_line_fails_the_run(tmp_path: Path) -> None:
    leak = {**CLEAN, "fout": "geboortedatum 1961-04-12 ongeldig"}
    result = run_pytest_with_log(tmp_path, leak)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "line 1: a date" in result.stdout


def test_a_clean_log_passes(tmp_path: Path) -> None:
    result = run_pytest_with_log(tmp_path, CLEAN, CLEAN)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "PRIVACY SCAN" not in result.stdout
