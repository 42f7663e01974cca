"""Omgekeerde Toets engine: rule language, loader, inference and trace.

Public API: `Engine` (load packs, validate a casus, evaluate it), `Receipt`, the error types,
and `semantics` (what a status, marker and reason mean, and how they read); `rank_questions`
orders "nog uitvragen" by what one answer settles; `Kern`, `kern_van` and `kern_hash` are the
compact decision record (docs/kern.md).
The only module that imports durable-rules is `engine.durable_backend`.
"""

from engine import semantics
from engine.api import Engine
from engine.casus import Casus
from engine.errors import CasusError, CoverageError, EngineError, PackError, Problem
from engine.evaluate import Receipt, canonical_json
from engine.kern import Kern, kern_hash, kern_van
from engine.trace import Trace
from engine.version import __version__
from engine.vragen import Beslist, RankedQuestion, rank_questions

__all__ = ["Beslist", "Casus", "CasusError", "CoverageError", "Engine", "EngineError", "Kern",
           "PackError", "Problem", "RankedQuestion", "Receipt", "Trace", "__version__",
           "canonical_json", "kern_hash", "kern_van", "rank_questions", "semantics"]
