"""Three-valued logic and the comparison of one fact with a value, as the documents define them.

Written from `docs/regeltaal.md` §Conditions (`toets`) and `../shared/domain/casus.md`
§Principles ("Unknown is a value"), not from the engine: a mistake in the engine's Kleene or
comparison code must show up as a disagreement with this module.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

JA, NEE, ONBEKEND = "ja", "nee", "onbekend"


def en(values: Iterable[str]) -> str:
    """`alle`: nee if any child is nee, ja if all are ja, else onbekend (regeltaal §Three
    values)."""
    seen = list(values)
    if NEE in seen:
        return NEE
    return JA if all(v == JA for v in seen) else ONBEKEND


def of(values: Iterable[str]) -> str:
    """`een_van`: ja if any is ja, nee if all are nee, else onbekend (regeltaal §Three values)."""
    seen = list(values)
    if JA in seen:
        return JA
    return NEE if all(v == NEE for v in seen) else ONBEKEND


def niet(value: str) -> str:
    """`niet` swaps ja and nee and keeps onbekend (regeltaal §Three values)."""
    return {JA: NEE, NEE: JA}.get(value, ONBEKEND)


def truth(holds: bool) -> str:
    return JA if holds else NEE


def _number(x: Any) -> Decimal:
    """Amounts are whole cents and counts whole numbers (regeltaal §Numbers): compare them as
    the decimals the casus and the pack write, not as binary floats."""
    return Decimal(str(x))


def _is_number(x: Any) -> bool:
    return isinstance(x, int | float) and not isinstance(x, bool)


def compare(actual: Any, op: str, expected: Any) -> str:
    """One comparison `{feit, op, waarde}` (regeltaal §Conditions, the operator table).

    An absent fact, or a `parameter` without a value on the peildatum (regeltaal §Open norms:
    "Without a local value the parameter is onbekend"), gives onbekend for every operator,
    `!=` and `niet_in` included.
    """
    if actual is None or expected is None:
        return ONBEKEND
    if op in ("bevat", "bevat_niet"):  # keuzelijst with one value
        return truth((expected in actual) == (op == "bevat"))
    if op in ("in", "niet_in"):  # keuze with a list
        return truth((actual in expected) == (op == "in"))
    if op in ("=", "!="):
        if _is_number(actual) and _is_number(expected):
            same = _number(actual) == _number(expected)
        else:  # bool or keuze: a bool equals only a bool (True is not 1)
            same = type(actual) is type(expected) and actual == expected
        return truth(same == (op == "="))
    left, right = _number(actual), _number(expected)
    return truth({"<": left < right, "<=": left <= right,
                  ">": left > right, ">=": left >= right}[op])
