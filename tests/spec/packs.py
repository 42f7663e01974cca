"""The rule packs as plain YAML, and what is in force on a peildatum.

Read with PyYAML directly (no engine loader). Sources: `docs/regeltaal.md` §A worked example
(the pack layout), §Versions ("Any grondwaarde, instrument or afgeleid feit may appear several
times with the same id and `geldig_vanaf`/`geldig_tot` (inclusive) … The casus `peildatum`
selects one. Parameters carry their values the same way."), §Open norms, local overlays
(overlays apply to a casus with that `gemeente`, on top of the national packs; `invullingen`
fill open norms, "newer goes before older").
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

RULES = Path(__file__).resolve().parents[2] / "rules"


@dataclass
class Pack:
    """One YAML rule pack (a law, or a municipal overlay when `gemeente` is set)."""

    id: str
    domein: str
    gemeente: str | None
    vanaf: dt.date
    tot: dt.date | None
    data: dict[str, Any] = field(repr=False)

    def in_force(self, day: dt.date) -> bool:
        return in_force(self.data["regelpakket"], day)


def in_force(item: dict[str, Any], day: dt.date) -> bool:
    """Validity is inclusive at both ends; an absent bound is open (regeltaal §Versions)."""
    start, end = item.get("geldig_vanaf"), item.get("geldig_tot")
    return (start is None or start <= day) and (end is None or day <= end)


def load_packs(root: Path = RULES) -> list[Pack]:
    """Every pack file directly in `rules/<pakket>/` and in `rules/gemeenten/<code>/`
    (regeltaal, first paragraph)."""
    files = sorted(root.glob("*/*.yaml")) + sorted(root.glob("gemeenten/*/*.yaml"))
    packs = []
    for path in files:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        if not isinstance(data, dict) or "regelpakket" not in data:
            continue  # wetteksten and other data files
        meta = data["regelpakket"]
        packs.append(Pack(meta["id"], meta["domein"], meta.get("gemeente"),
                          meta["geldig_vanaf"], meta.get("geldig_tot"), data))
    return packs


@dataclass
class Regime:
    """What applies on one peildatum for one municipality: one version of every item."""

    peildatum: dt.date
    grondwaarden: list[tuple[Pack, dict[str, Any]]]
    instrumenten: list[tuple[Pack, dict[str, Any]]]
    afgeleid: dict[str, dict[str, Any]]
    parameters: dict[str, Any]
    vervangen: dict[str, set[str]] = field(default_factory=dict)
    """Per onderwerp, the input facts a pack marks `vervangen_door` (regeltaal §Input facts)."""


def regime(packs: list[Pack], peildatum: dt.date, gemeente: str | None) -> Regime:
    """Select the packs in force (an overlay only for its own `gemeente`) and, within them,
    the version of each item whose validity holds the peildatum."""
    active = [p for p in packs if p.in_force(peildatum)
              and (p.gemeente is None or p.gemeente == gemeente)]

    def pick(kind: str) -> list[tuple[Pack, dict[str, Any]]]:
        return [(p, item) for p in active for item in p.data.get(kind, [])
                if in_force(item, peildatum)]

    return Regime(
        peildatum=peildatum,
        grondwaarden=pick("grondwaarden"),
        instrumenten=pick("instrumenten"),
        afgeleid={item["id"]: item for _, item in pick("afgeleide_feiten")},
        parameters=_parameters(active, peildatum),
        vervangen=_replaced(packs),
    )


def _replaced(packs: list[Pack]) -> dict[str, set[str]]:
    """Every pack's `feiten` with `vervangen_door`, by `onderwerp` (input facts are declared
    for all peildata: they have no validity of their own)."""
    out: dict[str, set[str]] = {}
    for p in packs:
        for feit in p.data.get("feiten", []):
            if feit.get("vervangen_door"):
                out.setdefault(feit["onderwerp"], set()).add(feit["id"])
    return out


def _value_on(values: list[dict[str, Any]], day: dt.date) -> Any:
    """The `waarde` in force on `day`, or None (onbekend). A value without bounds always holds
    (the national default of an open norm, regeltaal §Open norms)."""
    for v in values:
        if in_force(v, day):
            return v["waarde"]
    return None


def _parameters(active: list[Pack], day: dt.date) -> dict[str, Any]:
    """National (and overlay-declared) parameters first; an overlay's `invulling` of an open
    norm replaces the national default where it holds on the day (regeltaal §Open norms:
    "the municipality's value where an overlay fills it, else the national default, else
    onbekend")."""
    out: dict[str, Any] = {}
    for p in active:
        for par in p.data.get("parameters", []):
            out[par["id"]] = _value_on(par.get("waarden", []), day)
    for p in active:
        for inv in p.data.get("invullingen", []):
            local = _value_on(inv["waarden"], day)
            if local is not None:
                out[inv["parameter"]] = local
    return out


def coverage_start(packs: list[Pack]) -> dt.date:
    """The first peildatum on which every national pack is in force (regeltaal §YAML tests,
    `pakketten`: "Without it every pack must be in force on the peildatum, as in an advies")."""
    return max(p.vanaf for p in packs if p.gemeente is None)
