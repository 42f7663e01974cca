"""The fact address, defined once: `personen[p1].leeftijd`, `gewenste_effecten[e1].kosten`,
`huishouden.vermogen`, and `partner.leeftijd` for the aanvrager's partner while the casus
names no one with rol `partner`. A fact of the child of an effect (`kind.x`) is asked at that
child (`personen[k1].x`), or, while the effect names no one child, as the question which child:
`gewenste_effecten[e1].kind`, answered with the child's id. A fact of the person the help is
for (`client.x`) is asked at that person (`personen[k1].x` or the effect's own person).

It is how `nog_uitvragen` names a fact still to ask, how an answer names the fact it sets
(`_beantwoord`), how the question ranking tries an answer, and how a page finds the fact's type.
One parser and one setter, so the four cannot drift apart."""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass
from typing import Any

PATTERN = re.compile(r"^(?:(personen|gewenste_effecten)\[([A-Za-z0-9_-]{1,40})\]|"
                     r"(huishouden|financien|netwerk|partner))\.([a-z0-9_]{1,60})$")
PARTNER = "partner"
"""The role address: the one person with rol `partner`. A rule may read the partner's facts
(`partner.x`) before the casus names the partner; the question is then addressed to the role,
and answering it adds the partner to `personen` (id `partner`, or `partner2`… when taken)."""
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
    """`huishouden`, `financien`, `netwerk` or `partner` when `lijst` is None."""
    naam: str

    @property
    def catalogus_naam(self) -> str:
        """The fact's name in the rule language's catalogue (`persoon.leeftijd`)."""
        if self.groep == PARTNER:
            return f"persoon.{self.naam}"
        onderwerp = ONDERWERP[self.lijst] if self.lijst else self.groep
        return f"{onderwerp}.{self.naam}"

    @property
    def is_persoon(self) -> bool:
        """A person's fact: `personen[id].x` or the role address `partner.x`."""
        return self.lijst == "personen" or self.groep == PARTNER


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
        if adres.naam in GEEN_FEIT:
            problems.append((i, f"'{adres.naam}' is geen feit om te beantwoorden"))
            continue
        if adres.lijst:
            target = next((x for x in out.get(adres.lijst, []) if x.get("id") == adres.id), None)
            if target is None:
                problems.append((i, f"geen {adres.lijst} met id '{adres.id}'"))
                continue
        elif adres.groep == PARTNER:
            found = _partner(out, create=value is not None)
            if isinstance(found, str):
                problems.append((i, found))
                continue
            if found is None:
                continue  # removing a fact of a partner the casus does not name: nothing to do
            target = found
        else:
            target = out.setdefault(str(adres.groep), {})
        if value is None:
            target.pop(adres.naam, None)
        else:
            target[adres.naam] = value
    return out, problems


def _partner(data: dict[str, Any], create: bool) -> dict[str, Any] | str | None:
    """The person with rol `partner` in this (copied) casus, added when absent and `create`;
    a message when several persons have that rol (the address then names no one)."""
    personen = data.setdefault("personen", [])
    partners = [p for p in personen if isinstance(p, dict) and p.get("rol") == PARTNER]
    if len(partners) > 1:
        return "meer dan één persoon met rol 'partner': beantwoord de vraag bij personen[id]"
    if partners:
        return partners[0]
    if not create:
        return None
    taken = {p.get("id") for p in personen if isinstance(p, dict)}
    ident = next(c for c in (PARTNER, *(f"{PARTNER}{n}" for n in range(2, 32)))
                 if c not in taken)
    added: dict[str, Any] = {"id": ident, "rol": PARTNER}
    personen.append(added)
    return added
