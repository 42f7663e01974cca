"""Shared fixtures. Tests use invented people only."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine import Engine

ROOT = Path(__file__).resolve().parent.parent
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
