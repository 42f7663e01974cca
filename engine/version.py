"""The engine version, recorded in every trace so a replay can say which engine made it; and a
digest of the engine's code, for results that hold only as long as that code is unchanged."""

from __future__ import annotations

import hashlib
import importlib.metadata
from functools import lru_cache
from pathlib import Path

__version__ = "0.1.0"


@lru_cache(maxsize=1)
def code_digest() -> str:
    """`sha256:…` over every Python source of `engine/` and the installed durable-rules version.

    The version number changes by hand and rarely; this changes with any edit. The service keeps
    a passed run of the packs' YAML tests under it (`service.engines`), so a restart on the same
    packs, tests and engine code does not run them again, and any change to one of the three
    runs them afresh."""
    digest = hashlib.sha256()
    root = Path(__file__).parent
    for path in sorted(root.rglob("*.py")):
        digest.update(path.relative_to(root).as_posix().encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    try:
        durable = importlib.metadata.version("durable_rules")
    except importlib.metadata.PackageNotFoundError:
        durable = "-"
    digest.update(f"durable_rules=={durable}".encode())
    return "sha256:" + digest.hexdigest()
