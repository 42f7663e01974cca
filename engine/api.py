"""The engine's public Python API, shared by the CLI, the service and the tests.

    from engine import Engine
    eng = Engine.load()                     # bundled packs in rules/, durable-rules backend
    receipt = eng.advies({"personen": [...], "gewenste_effecten": [...]})
    receipt.trace_hash, receipt.advies["effecten"][0]["stap4"]

Nothing here knows about HTTP, storage or the command line.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal

from engine.casus import Casus, validate_casus
from engine.errors import CoverageError, Problem
from engine.evaluate import Backend, Receipt, evaluate
from engine.kern import kern
from engine.loader import load_pack_sources
from engine.oracle import OracleBackend
from engine.regime import RuleBase
from engine.yamlsource import YamlDocument, read_yaml_file

BackendName = Literal["durable", "oracle"]

_durable_lock = threading.Lock()
_durable: Backend | None = None


def durable_backend() -> Backend:
    """The process-wide durable-rules backend (one host per process, created on first use)."""
    global _durable
    with _durable_lock:
        if _durable is None:
            from engine.durable_backend import DurableBackend

            _durable = DurableBackend()
        return _durable


def get_backend(name: BackendName) -> Backend:
    return durable_backend() if name == "durable" else OracleBackend()


class Engine:
    """A loaded rule base plus a backend; thread-safe, cheap to share."""

    def __init__(self, rules: RuleBase, backend: BackendName = "durable"):
        self.rules = rules
        self.backend_name = backend
        self.backend = get_backend(backend)

    @classmethod
    def load(cls, paths: Sequence[Path] | None = None,
             backend: BackendName = "durable") -> Engine:
        """Load packs (default: the bundled `rules/`); raises `PackError` listing all problems."""
        return cls(RuleBase.load(paths), backend)

    @classmethod
    def from_sources(cls, sources: Sequence[tuple[str, bytes]],
                     backend: BackendName = "durable") -> Engine:
        """Packs given as (name, exact bytes), e.g. pinned versions from a store."""
        return cls(RuleBase(load_pack_sources(sources)), backend)

    def close(self) -> None:
        """Free the backend's compiled rulesets of this rule base (call when discarding it)."""
        release = getattr(self.backend, "release", None)
        if release is not None:
            for regime in self.rules.compiled_regimes():
                release(regime)

    def with_backend(self, backend: BackendName) -> Engine:
        return Engine(self.rules, backend)

    def casus(self, data: Any, doc: YamlDocument | None = None) -> Casus:
        """Validate raw casus data; raises `CasusError` listing every problem with its path."""
        casus = data if isinstance(data, Casus) else validate_casus(data, self.rules.catalogue,
                                                                     doc)
        why = self.rules.uncovered(casus.peildatum)
        if why is not None:
            where = doc.problem(("peildatum",), why) if doc is not None and isinstance(
                doc.data, dict) and "peildatum" in doc.data else Problem(pad="peildatum",
                                                                       melding=why)
            raise CoverageError([where])
        return casus

    def casus_file(self, path: Path) -> Casus:
        """Read a casus from YAML or JSON; a top-level `verwachting` (test expectations in
        the public examples) is not part of the casus and is set aside."""
        doc = read_yaml_file(path)
        data = doc.data
        if isinstance(data, dict):
            data = {k: v for k, v in data.items() if k != "verwachting"}
        return self.casus(data, doc)

    def advies(self, casus: Casus | dict[str, Any]) -> Receipt:
        """Steps 2 and 4 for every gewenst effect, with the canonical trace and its hash."""
        return evaluate(self.casus(casus), self.rules, self.backend)

    def kern(self, casus: Casus | dict[str, Any]) -> dict[str, Any]:
        """The compact decision record (docs/kern.md), decided without the full trace; equal
        to `engine.kern.kern_van(self.advies(casus).trace)`."""
        return kern(self.casus(casus), self.rules, self.backend)
