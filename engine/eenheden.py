"""A value with its unit, the way a Dutch reader says it: "€ 2.120 per maand", "1 week", "5 jaar".

One place for every reader-facing rendering (the CLI, the regelboek, the web page): a pack's
`eenheid` is free text ("euro per maand", "euro_per_maand", "jaar", "jaren" all occur in the
packs and in stored pack versions, which must keep loading), so it is normalised here for
display and never rewritten in a pack.
"""

from __future__ import annotations

from typing import Any

ENKELVOUD = {"weken": "week", "dagen": "dag", "werkdagen": "werkdag", "maanden": "maand"}
"""The singular of a plural unit ("1 week"); years are "jaar" either way, as Dutch counts them."""


def value_text(v: Any) -> str:
    """A condition's value as a reader says it: ja/nee, a list with commas, no underscores."""
    if v is True:
        return "ja"
    if v is False:
        return "nee"
    if isinstance(v, list | tuple):
        return ", ".join(value_text(x) for x in v)
    return str(v).replace("_", " ")


def getal_text(v: Any, decimals: int | None = None) -> str:
    """A number the Dutch way: decimal comma, and for amounts a thousands point."""
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    if decimals is None:
        return str(v).replace(".", ",")
    text = f"{v:,}" if isinstance(v, int) else f"{v:,.{decimals}f}"
    return text.replace(",", " ").replace(".", ",").replace(" ", ".")


def met_eenheid(v: Any, eenheid: str | None) -> str:
    """A value with its parameter's `eenheid`: "5 weken", "1 week", "€ 21,80 per maand" (an
    open norm's bound or a municipality's value is meaningless without it). A value that is not
    a number, or has no unit, is shown as `value_text` shows it."""
    if not isinstance(v, int | float) or isinstance(v, bool) or not eenheid:
        return value_text(v)
    unit = eenheid.replace("_", " ").strip()
    if unit == "euro" or unit.startswith("euro "):
        rest = unit[4:].strip()
        return f"€ {getal_text(v, 2)}" + (f" {rest}" if rest else "")
    if unit == "jaren":
        unit = "jaar"  # "vijf jaar", as Dutch counts years (a pack's "jaar" stays as it is)
    elif v == 1:
        unit = ENKELVOUD.get(unit, unit)
    return f"{getal_text(v)} {unit}"
