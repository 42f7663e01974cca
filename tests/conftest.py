"""Shared fixtures. Tests use invented people only."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

from engine import Engine

ROOT = Path(__file__).resolve().parent.parent
LOG_FILE = Path(os.environ.setdefault(
    "OT_LOG_FILE", str(Path(tempfile.mkdtemp(prefix="ot-logs-")) / "service.jsonl")))
"""Every service log line of the whole run (in-process apps and live servers alike), scanned
for personal data by tests/zz_einde/test_privacy_scan.py, which runs last."""
SHARED = ROOT.parent / "shared"
EXAMPLES = SHARED / "examples"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture(scope="session")
def basis() -> Engine:
    """The small fixture pack, durable-rules backend."""
    return Engine.load([FIXTURES / "basis"])


@pytest.fixture(scope="session")
def rules() -> Engine:
    """The bundled rule packs, durable-rules backend."""
    return Engine.load()
