"""The fact address, defined once: `personen[p1].leeftijd`, `gewenste_effecten[e1].kosten`,
`huishouden.vermogen`.

It is how `nog_uitvragen` names a fact still to ask, how an answer names the fact it sets
(`_beantwoord`), how the question ranking tries an answer, and how a page finds the fact's type.
One parser and one setter, so the four cannot drift apart."""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass
from typing import Any

PATTERN = re.compile(r"^(?:(personen|gewenste_effecten)\[([A-Za-z0-9_-]{1,40})\]|"
                     r"(huishouden|financien|netwerk))\.([a-z0-9_]{1,60})$")
ONDERWERP = {"personen": "persoon", "gewenste_effecten": "effect"}
"""The rule language's subject for each list of the casus (a person's facts are `persoon.x`)."""
GEEN_FEIT = ("id", "rol", "omschrijving", "leefgebied", "persoon")
"""Fields of a person or effect that identify or describe it: never answered as a fact."""


@dataclass(frozen=True)
class Feitadres:
    lijst: str | None
    """`personen` or `gewenste_effecten`, or None for a household-level group."""
    id: str | None
    groep: str | None
    """`huishouden`, `financien` or `netwerk` when `lijst` is None."""
    naam: str

    @property
    def catalogus_naam(self) -> str:
        """The fact's name in the rule language's catalogue (`persoon.leeftijd`)."""
        onderwerp = ONDERWERP[self.lijst] if self.lijst else self.groep
        return f"{onderwerp}.{self.naam}"


def parse(address: str) -> Feitadres | None:
    m = PATTERN.match(address)
    if m is None:
        return None
    lijst, ident, groep, naam = m.groups()
    return Feitadres(lijst=lijst, id=ident, groep=groep, naam=naam)


def set_facts(data: dict[str, Any], antwoorden: list[tuple[str, Any]]
              ) -> tuple[dict[str, Any], list[tuple[int, str]]]:
    """A copy of the casus with each fact set at its address (None removes it), and per
    answer that names no fact of this casus its index and why. The caller re-validates the
    whole casus (types, bounds) before it is used."""
    out = copy.deepcopy(data)
    problems: list[tuple[int, str]] = []
    for i, (address, value) in enumerate(antwoorden):
        adres = parse(address)
        if adres is None:
            problems.append((i, f"onbekend adres '{address}'"))
            continue
        if adres.lijst:
            target = next((x for x in out.get(adres.lijst, []) if x.get("id") == adres.id), None)
            if target is None:
                problems.append((i, f"geen {adres.lijst} met id '{adres.id}'"))
                continue
        else:
            target = out.setdefault(str(adres.groep), {})
        if adres.naam in GEEN_FEIT:
            problems.append((i, f"'{adres.naam}' is geen feit om te beantwoorden"))
            continue
        if value is None:
            target.pop(adres.naam, None)
        else:
            target[adres.naam] = value
    return out, problems
