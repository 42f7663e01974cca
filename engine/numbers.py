"""Bounded numbers: every number the engine compares is finite and compared exactly.

Python accepts numbers the engine cannot handle. JSON bodies may carry `NaN` and `Infinity`, YAML
has `.inf` and `.nan`, and integers have no size limit. The inference backend (durable-rules, in
C) reads facts and rules as JSON and fails on what Python lets through: non-finite numbers, an
exponent (`1e+308`, `1e-320`) and integers beyond 64 bits. A casus that stores such a value makes
every later advies on it fail, and a `NaN` is silently stored as null.

So the bounds below hold everywhere a number enters: the casus contract and the facts a pack
declares (`engine.casus`), the rule language (`engine.language`), and the answers to "nog
uitvragen" (`service.schemas`). The bounds are chosen so that every value is exact in an IEEE
double (which the backend uses) and Python writes it without an exponent:

* **bedrag** (euro): whole cents, at most `MAX_BEDRAG` (10^12) either way. 10^14 cents is below
  2^53, so cents stay exact.
* **geheel** (whole number): at most `MAX_GEHEEL` (2^53 - 1) either way, exact as a double and as
  a 64-bit integer.
* **getal**: a number whose kind is not known where it is written (a threshold or parameter in
  a rule pack, an answer): a geheel, or a number with decimals that is a valid bedrag.

The limits live here only; `docs/regeltaal.md` documents them for authors.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from decimal import Decimal
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, Field, StrictFloat, StrictInt, WithJsonSchema
from pydantic_core import PydanticCustomError

MAX_BEDRAG = 10**12
"""Largest amount in euro, either way (a casus, a pack threshold, an answer)."""

BEDRAG_DECIMALEN = 2
"""Amounts are whole cents."""

MAX_GEHEEL = 2**53 - 1
"""Largest whole number either way: every integer up to it is exact in a double."""

ERROR_TYPE = "getal_buiten_grens"
"""The pydantic error type of a bound violation (its message is already Dutch)."""


def _finite_problem(value: float) -> str | None:
    if math.isnan(value):
        return "geen getal (NaN)"
    if math.isinf(value):
        return "een getal moet eindig zijn (geen oneindig)"
    return None


def _grens(limit: int) -> str:
    """10^12 as a Dutch reader writes it: 1.000.000.000.000."""
    return f"{limit:_}".replace("_", ".")


def bedrag_problem(value: int | float) -> str | None:
    """Why `value` is not a valid amount, or None."""
    if isinstance(value, float) and (why := _finite_problem(value)):
        return why
    if abs(value) > MAX_BEDRAG:
        return f"een bedrag ligt tussen -{_grens(MAX_BEDRAG)} en {_grens(MAX_BEDRAG)} euro"
    if isinstance(value, float) and _decimals(value) > BEDRAG_DECIMALEN:
        return f"een bedrag heeft hoogstens {BEDRAG_DECIMALEN} decimalen (hele centen)"
    return None


def geheel_problem(value: int | float) -> str | None:
    """Why `value` is not a valid whole number (a float is left to the type check), or None."""
    if isinstance(value, int) and abs(value) > MAX_GEHEEL:
        return f"een geheel getal ligt tussen -{MAX_GEHEEL} en {MAX_GEHEEL} (2^53 - 1)"
    return None


def getal_problem(value: int | float) -> str | None:
    """Why `value` is not a number the engine can compare: a geheel, or a number with
    decimals within the bounds of a bedrag."""
    if isinstance(value, int):
        return geheel_problem(value)
    if why := _finite_problem(value):
        return why
    if abs(value) > MAX_BEDRAG:
        return (f"een getal met decimalen ligt tussen -{_grens(MAX_BEDRAG)} en "
                f"{_grens(MAX_BEDRAG)}")
    if _decimals(value) > BEDRAG_DECIMALEN:
        return f"een getal heeft hoogstens {BEDRAG_DECIMALEN} decimalen"
    return None


def number_problem(kind: str, value: Any) -> str | None:
    """The problem of a value of a catalogue type (`geheel`, `bedrag`); None for other values.

    Booleans, text and other types are left to the type checks: only a number is judged here.
    """
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    check = {"geheel": geheel_problem, "bedrag": bedrag_problem}.get(kind, getal_problem)
    return check(value)


def _decimals(value: float) -> int:
    """Decimals of the shortest text that reads back as `value` (what JSON and YAML carry)."""
    exponent = Decimal(repr(value)).as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


def bounded(kind: str) -> Callable[[Any], Any]:
    """A pydantic validator: refuse a number outside the bounds of `kind`, with one
    Dutch error at the field itself (not one per member of a union type), lists item by item.
    Anything else passes unchanged to the field's own type."""

    def check(value: Any) -> Any:
        items = value if isinstance(value, list) else [value]
        for i, item in enumerate(items):
            why = number_problem(kind, item)
            if why:
                where = f"item {i}: " if isinstance(value, list) else ""
                raise PydanticCustomError(ERROR_TYPE, where + why)
        return value

    return check


def _schema(kind: str, minimum: int, maximum: int) -> WithJsonSchema:
    return WithJsonSchema({"type": kind, "minimum": minimum, "maximum": maximum}
                          | ({"description": "euro, in hele centen"} if kind == "number" else {}))


Bedrag = Annotated[StrictInt | StrictFloat, BeforeValidator(bounded("bedrag")),
                   _schema("number", -MAX_BEDRAG, MAX_BEDRAG)]
"""An amount in euro in the casus contract: whole cents within ±`MAX_BEDRAG`."""

BedragNietNegatief = Annotated[StrictInt | StrictFloat, Field(ge=0),
                               BeforeValidator(bounded("bedrag")), _schema("number", 0, MAX_BEDRAG)]
"""The same, at least 0 (income, debts, costs)."""

GeheelNietNegatief = Annotated[StrictInt, Field(ge=0), BeforeValidator(bounded("geheel")),
                               _schema("integer", 0, MAX_GEHEEL)]
"""A count or a number of years in the casus contract: 0 up to `MAX_GEHEEL`."""

GETAL = AfterValidator(bounded("getal"))
"""Put on a field that may hold a number of either kind (with other types, or a list of them):
a threshold or parameter in a rule pack, an answer to a question. It runs after the field's own
type, so a text that a lax number type reads as a number ("1e308", "inf") is judged too."""
