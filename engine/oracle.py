"""The plain-Python oracle: the same conditions, each comparison evaluated directly.

It shares the Kleene combination and the trace with the durable-rules path but not the way a leaf
gets its value: here `compare(value, op, rvalue)` on the raw fact; there, the cell durable-rules
matched and the partition's truth table. Property tests require both to give byte-identical
traces; the benchmark reports both.
"""

from __future__ import annotations

from typing import Any

from engine.conditions import Leaf, Ternary, compare
from engine.regime import Regime

FactRecord = tuple[str, str, dict[str, Any]]


class OracleBackend:
    name = "oracle"

    def open(self, regime: Regime, records: list[FactRecord]) -> OracleSession:
        session = OracleSession()
        session.add(records)
        return session


class OracleSession:
    def __init__(self) -> None:
        self.values: dict[str, dict[str, Any]] = {}
        self.firings = 0

    def add(self, records: list[FactRecord]) -> None:
        for fact_id, _kind, values in records:
            self.values[fact_id] = values

    def value(self, fact_id: str, leaf: Leaf) -> Ternary:
        if leaf.value is None:
            return None
        raw = self.values.get(fact_id, {}).get(leaf.name)
        if raw is None:
            return None
        return compare(raw, leaf.op, leaf.value)

    def close(self) -> None:
        self.values.clear()
