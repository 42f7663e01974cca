"""A schemathesis run against /v1/openapi.json of a live server: generated requests for every
operation and role find no 5xx and no response outside the spec (status codes, content types,
headers, bodies)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from service.launch import live_server

CHECKS = ("not_a_server_error,status_code_conformance,content_type_conformance,"
          "response_schema_conformance,response_headers_conformance")


@pytest.mark.parametrize("token", ["sleutel-consulent", "sleutel-auditor", "sleutel-beleid"])
def test_schemathesis_run(tmp_path: Path, token: str) -> None:
    with live_server(f"sqlite:///{tmp_path / 'ot.sqlite3'}", log=tmp_path / "server.log") as url:
        proc = subprocess.run(
            [str(Path(sys.executable).parent / "schemathesis"), "run",
             f"{url}/v1/openapi.json", "--checks", CHECKS, "-H",
             f"Authorization: Bearer {token}", "-n", "20", "--seed", "1", "--no-color",
             # an operation may take seconds on a loaded CI machine (20 requests at once share
             # one process); the checks are about the answers, not their speed
             "--request-timeout", "60"],
            capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stdout[-4000:]
    generated = re.search(r"(\d+) generated", proc.stdout)
    assert generated and int(generated.group(1)) >= 1000, proc.stdout[-1500:]
    assert "failed" not in proc.stdout.split("Test cases:")[-1].splitlines()[1]
