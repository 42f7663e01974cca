"""Partitions: how the comparisons on one field are turned into a few mutually exclusive cells.

Firing a durable-rules action costs far more than matching, so instead of one rule per comparison
outcome we give every field a partition of its domain into cells such that every comparison on
that field has one truth value per cell:

* ja/nee: the cells `true` and `false`;
* keuze: one cell per value any comparison names, plus one "anders" cell;
* getal: the thresholds t1 < … < tn give `< t1`, `= t1`, `(t1, t2)`, …, `> tn`;
* keuzelijst: the list is encoded as a bitmask over the values comparisons name; one cell per mask.

A known field falls in exactly one cell, so one firing decides every comparison on it; an unknown
field is absent from the fact and matches no cell, so every comparison on it stays onbekend. The
truth table (cell -> comparison value) is computed here with the same `compare` the oracle uses.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from engine.catalogue import CASUS_SUBJECTS, PERSON_PREFIXES, Catalogue
from engine.conditions import Leaf, compare

ANDERS = "\x00anders"
"""Representative of the 'none of the named values' cell; equal to no real value."""

Cell = tuple[str, tuple[Any, ...]]
"""("eq", (v,)) | ("none_of", (v1, v2…)) | ("lt", (t,)) | ("gt", (t,)) | ("between", (a, b))."""


def kind_of(prefix: str) -> str:
    """The fact kind (durable fact type) that holds a condition prefix's values."""
    if prefix in PERSON_PREFIXES:
        return "persoon"
    return prefix


@dataclass(frozen=True)
class FieldPartition:
    kind: str
    name: str
    type: str
    cells: tuple[Cell, ...]
    truth: dict[int, tuple[bool, ...]]
    """leaf index -> truth value in each cell."""
    bits: tuple[str, ...] = ()
    """For keuzelijst: the values whose presence the bitmask encodes, in bit order."""

    def encode(self, value: Any) -> Any:
        """The value as asserted into the engine (bitmask for lists)."""
        if self.type == "keuzelijst":
            return sum(1 << i for i, b in enumerate(self.bits) if b in value)
        return value


def build_partitions(leaves: list[Leaf], catalogue: Catalogue) -> dict[tuple[str, str],
                                                                        FieldPartition]:
    by_field: dict[tuple[str, str], list[Leaf]] = {}
    for leaf in leaves:
        if leaf.value is None:
            continue  # a parameter without a value on this peildatum: always onbekend
        by_field.setdefault((kind_of(leaf.prefix), leaf.name), []).append(leaf)
    out: dict[tuple[str, str], FieldPartition] = {}
    for (kind, name), field_leaves in sorted(by_field.items()):
        prefix = "persoon" if kind == "persoon" else kind
        spec = catalogue.resolve(f"{prefix}.{name}")
        assert spec is not None
        cells, reps, bits = _cells(spec.type, spec.waarden, field_leaves)
        truth = {leaf.index: tuple(compare(r, leaf.op, leaf.value) for r in reps)
                 for leaf in field_leaves}
        out[(kind, name)] = FieldPartition(kind, name, spec.type, tuple(cells), truth, bits)
    return out


def _cells(type_: str, waarden: tuple[str, ...],
           leaves: list[Leaf]) -> tuple[list[Cell], list[Any], tuple[str, ...]]:
    if type_ == "bool":
        return [("eq", (True,)), ("eq", (False,))], [True, False], ()
    if type_ == "keuze":
        named: set[str] = set()
        for leaf in leaves:
            named.update(leaf.value if isinstance(leaf.value, tuple) else [leaf.value])
        values = [w for w in waarden if w in named]
        cells: list[Cell] = [("eq", (v,)) for v in values]
        reps: list[Any] = list(values)
        if len(values) < len(waarden):
            cells.append(("none_of", tuple(values)))
            reps.append(ANDERS)
        return cells, reps, ()
    if type_ == "keuzelijst":
        bits = tuple(w for w in waarden if any(leaf.value == w for leaf in leaves))
        masks = range(1 << len(bits))
        return ([("eq", (m,)) for m in masks],
                [[b for i, b in enumerate(bits) if m & (1 << i)] for m in masks], bits)
    thresholds = sorted({float(leaf.value) for leaf in leaves})
    cells = [("lt", (thresholds[0],))]
    reps = [thresholds[0] - 1]
    for i, t in enumerate(thresholds):
        cells.append(("eq", (t,)))
        reps.append(t)
        if i + 1 < len(thresholds):
            nxt = thresholds[i + 1]
            cells.append(("between", (t, nxt)))
            reps.append((t + nxt) / 2)
    cells.append(("gt", (thresholds[-1],)))
    reps.append(thresholds[-1] + 1)
    return cells, reps, ()


FACT_KINDS = (*CASUS_SUBJECTS, "persoon", "effect", "afgeleid")
