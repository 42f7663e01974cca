"""Steps 2 and 4 of the Omgekeerde Toets for one casus, from the documents alone.

Sources, cited per function: `docs/regeltaal.md` (§Conditions, §Who decides, what is uncertain,
caps and forms, §YAML tests for the statuses), `docs/ontwerp.md` §Nog uitvragen,
`../shared/domain/casus.md` and `../shared/domain/method.md` (step 2, integraal overleg).
Where the documents are silent and the intended behaviour was read from the engine, the
docstring says "DOCUMENTATION GAP" (listed in `docs/specificatie.md`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from tests.spec.logic import JA, NEE, ONBEKEND, compare, en, niet, of
from tests.spec.packs import Pack, Regime, regime

PAST, VOORWAARDELIJK, PAST_NIET, NVT = ("past", "voorwaardelijk", "past_niet",
                                        "niet_van_toepassing")
RANK = {PAST: 0, VOORWAARDELIJK: 1, PAST_NIET: 2}


@dataclass
class Context:
    """One gewenst effect: regeltaal §Conditions, "`persoon` (the person the effect concerns),
    `aanvrager`"; casus.md: `persoon` defaults to the aanvrager."""

    regime: Regime
    casus: dict[str, Any]
    effect: dict[str, Any]
    person: dict[str, Any]
    applicant: dict[str, Any]
    partner: dict[str, Any] | None = None
    """regeltaal §Conditions: "the one person with rol `partner`"; none (or several): None."""
    child: dict[str, Any] | None = None
    """regeltaal §Conditions, subject `kind`: "the child the effect is about"; none: None."""
    client: dict[str, Any] | None = None
    """regeltaal §Conditions, subject `client`: "the person the help is for"; never no one
    (`client_of`)."""
    belanghebbende: dict[str, Any] | None = None
    """regeltaal §Conditions, subject `belanghebbende`: "the person whose own means count"; no
    one while the named child's `kind_van_aanvrager` is onbekend (`belanghebbende_of`)."""
    betrokkene: dict[str, Any] | None = None
    """regeltaal §Conditions, subject `betrokkene`: "the person whose own debts the effect is
    about";
    no one while the named person's age is onbekend (`betrokkene_of`)."""
    werkende: dict[str, Any] | None = None
    """regeltaal §Conditions, subject `werkende`: "the person whose work the effect is about";
    no one while `werk_van_kind` is onbekend (`werkende_of`)."""
    derived: dict[str, str] = field(default_factory=dict)

    def children(self) -> list[dict[str, Any]]:
        return [p for p in self.casus.get("personen", []) if p.get("rol") == "kind"]

    def fact(self, subject: str, name: str) -> Any:
        """The raw value of `<onderwerp>.<naam>`, or None (onbekend)."""
        if subject == "afgeleid":
            return {JA: True, NEE: False}.get(self.derive(name))
        if subject == "persoon":
            return self.replaced("persoon", name, self.person.get(name))
        if subject == "aanvrager":
            return self.replaced("persoon", name, self.applicant.get(name))
        if subject == "partner":
            return None if self.partner is None else self.replaced(
                "persoon", name, self.partner.get(name))
        if subject == "kind":
            return None if self.child is None else self.replaced(
                "persoon", name, self.child.get(name))
        if subject == "client":
            who = self.client if self.client is not None else self.person
            return self.replaced("persoon", name, who.get(name))
        if subject == "belanghebbende":
            return None if self.belanghebbende is None else self.replaced(
                "persoon", name, self.belanghebbende.get(name))
        if subject == "betrokkene":
            return None if self.betrokkene is None else self.replaced(
                "persoon", name, self.betrokkene.get(name))
        if subject == "werkende":
            return None if self.werkende is None else self.replaced(
                "persoon", name, self.werkende.get(name))
        if subject == "effect" and name == "kosten_genoemd":
            return "kosten" in self.effect  # regeltaal §Conditions: computed, never onbekend
        if subject == "effect" and name == "kind_genoemd":
            return self.effect.get("kind") is not None  # regeltaal §Conditions: computed
        if subject == "effect" and name == "kind_van_een_ander":  # regeltaal: computed
            people = {p["id"]: p for p in self.casus.get("personen", [])}
            return child_elsewhere(people, self.effect, self.person) is not None
        if subject == "effect":
            return self.replaced("effect", name, self.effect.get(name))
        if subject == "huishouden" and name in ("aantal_kinderen", "jongste_kind_leeftijd",
                                                 "oudste_kind_leeftijd",
                                                 "aantal_meerderjarige_kinderen"):
            return household_figure(self.children(), name)
        if subject == "huishouden" and name == "aantal_overige_personen":
            return sum(1 for p in self.casus.get("personen", []) if p.get("rol") == "overig")
        if subject == "huishouden" and name == "aantal_partners":  # regeltaal: never onbekend
            return sum(1 for p in self.casus.get("personen", []) if p.get("rol") == "partner")
        if subject == "huishouden" and name == "aantal_personen_met_beperking":
            # regeltaal: the persons with stated, non-empty beperkingen or a Wlz indicatie;
            # onbekend while someone else has no stated beperkingen
            people = self.casus.get("personen", [])
            counts = [bool(p.get("beperkingen")) or p.get("wlz_indicatie") is True for p in people]
            unsure = any(not c and p.get("beperkingen") is None
                         for c, p in zip(counts, people, strict=True))
            return None if unsure else sum(counts)
        return self.replaced(subject, name, (self.casus.get(subject) or {}).get(name))

    def replaced(self, subject: str, name: str, found: Any) -> Any:
        """regeltaal §Input facts, `vervangen_door`: a replaced fact the casus does not carry
        "reads as nee" (so it is never asked)."""
        if found is None and name in self.regime.vervangen.get(subject, set()):
            return False
        return found

    def address(self, subject: str, name: str) -> str:
        """How the consulent knows a fact (`personen[p1].leeftijd`), as in "nog uitvragen"."""
        if subject == "persoon":
            return f"personen[{self.person['id']}].{name}"
        if subject == "aanvrager":
            return f"personen[{self.applicant['id']}].{name}"
        if subject == "partner":  # regeltaal §Conditions: "asked at the role address"
            return (f"partner.{name}" if self.partner is None
                    else f"personen[{self.partner['id']}].{name}")
        if subject == "kind":  # regeltaal §Conditions: "the question is which child"
            return (f"gewenste_effecten[{self.effect['id']}].kind" if self.child is None
                    else f"personen[{self.child['id']}].{name}")
        if subject == "client":  # regeltaal §Conditions: asked at that person
            who = self.client if self.client is not None else self.person
            return f"personen[{who['id']}].{name}"
        if subject == "belanghebbende":  # regeltaal §Conditions: the child's kind_van_aanvrager
            who = self.client if self.client is not None else self.person
            if self.belanghebbende is not None:
                return f"personen[{self.belanghebbende['id']}].{name}"
            people = {p["id"]: p for p in self.casus.get("personen", [])}
            question = belanghebbende_question(people, self.effect, self.person)
            if question is not None and self.effect.get(question) is None:  # "asked as that field"
                return f"gewenste_effecten[{self.effect['id']}].{question}"
            return f"personen[{who['id']}].kind_van_aanvrager"
        if subject == "betrokkene":  # regeltaal §Conditions: "the question is that
            # person's leeftijd", for an adult "gewenste_effecten[id].schulden_van_kind"
            who = self.client if self.client is not None else self.person
            if self.betrokkene is not None:
                return f"personen[{self.betrokkene['id']}].{name}"
            if who.get("leeftijd") is None:
                return f"personen[{who['id']}].leeftijd"
            return f"gewenste_effecten[{self.effect['id']}].schulden_van_kind"
        if subject == "werkende":  # regeltaal §Conditions: "the question is werk_van_kind"
            return (f"gewenste_effecten[{self.effect['id']}].werk_van_kind"
                    if self.werkende is None
                    else f"personen[{self.werkende['id']}].{name}")
        if subject == "effect":
            return f"gewenste_effecten[{self.effect['id']}].{name}"
        return f"{subject}.{name}"

    def derive(self, name: str) -> str:
        """An afgeleid feit: its toets, evaluated for this effect (regeltaal §A worked example,
        `afgeleide_feiten`: "derived facts, ja/nee/onbekend, usable as afgeleid.<id>")."""
        if name not in self.derived:
            self.derived[name] = ONBEKEND  # a cycle is an authoring error; guard anyway
            self.derived[name] = value(self, self.regime.afgeleid[name]["toets"])
        return self.derived[name]


def household_figure(children: list[dict[str, Any]], name: str) -> int | None:
    """`huishouden.aantal_kinderen`, `huishouden.jongste_kind_leeftijd` and
    `huishouden.aantal_meerderjarige_kinderen` (regeltaal §Conditions: "computed"; the last
    counts the children of 18 or older, 0 without children, onbekend while any child's age
    is).

    DOCUMENTATION GAP (read from the engine): the number of children is the number of persons
    with `rol: kind` (0 when none, never onbekend); the youngest child's age is the lowest
    `leeftijd` among them, onbekend when there is no child or any child's age is unknown
    (then the youngest could be the one without an age).
    """
    if name == "aantal_kinderen":
        return len(children)
    ages = [c.get("leeftijd") for c in children]
    known = [int(a) for a in ages if a is not None]
    if name == "aantal_meerderjarige_kinderen":  # Pw 4 lid 1: a child of 18 is not ten laste
        return len([a for a in known if a >= 18]) if len(known) == len(ages) else None
    if name == "oudste_kind_leeftijd":  # regeltaal: like the youngest, the highest age
        return max(known) if ages and len(known) == len(ages) else None
    return min(known) if ages and len(known) == len(ages) else None


def value(ctx: Context, node: dict[str, Any]) -> str:
    """A `toets` tree: `alle`, `een_van`, `niet` or one comparison (regeltaal §Conditions)."""
    if "alle" in node:
        return en(value(ctx, c) for c in node["alle"])
    if "een_van" in node:
        return of(value(ctx, c) for c in node["een_van"])
    if "niet" in node:
        return niet(value(ctx, node["niet"]))
    subject, _, name = node["feit"].partition(".")
    expected = (ctx.regime.parameters.get(node["parameter"]) if "parameter" in node
                else node.get("waarde"))
    found = compare(ctx.fact(subject, name), node["op"], expected)
    # regeltaal §Conditions, `bij_onbekend`: what it counts as while its fact is onbekend
    return node["bij_onbekend"] if found == ONBEKEND and "bij_onbekend" in node else found


def open_facts(ctx: Context, node: dict[str, Any]) -> list[str]:
    """The facts to ask for an undecided tree: only unknown leaves inside subtrees that are
    themselves onbekend, through derived facts (ontwerp.md §Nog uitvragen). For the youngest
    child's age and the number of adult children, the children without an age (DOCUMENTATION
    GAP: read from the engine; for the second, regeltaal §Conditions: "onbekend while any
    child's age is")."""
    if value(ctx, node) != ONBEKEND:
        return []
    kids = node.get("alle") or node.get("een_van") or ([node["niet"]] if "niet" in node else [])
    if kids:
        return [a for c in kids for a in open_facts(ctx, c)]
    subject, _, name = node["feit"].partition(".")
    if subject == "afgeleid":
        return open_facts(ctx, ctx.regime.afgeleid[name]["toets"])
    if node["feit"] in ("huishouden.jongste_kind_leeftijd", "huishouden.oudste_kind_leeftijd",
                        "huishouden.aantal_meerderjarige_kinderen"):
        return [f"personen[{c['id']}].leeftijd" for c in ctx.children()
                if c.get("leeftijd") is None]
    if node["feit"] == "huishouden.aantal_personen_met_beperking":  # regeltaal: who is unstated
        return [f"personen[{p['id']}].beperkingen" for p in ctx.casus.get("personen", [])
                if p.get("beperkingen") is None and p.get("wlz_indicatie") is not True]
    if (subject == "belanghebbende" and ctx.belanghebbende is None
            and child_elsewhere({p["id"]: p for p in ctx.casus.get("personen", [])},
                                ctx.effect, ctx.person) is not None):
        return []  # regeltaal §Conditions: "nothing is asked for it"
    return [ctx.address(subject, name)] if ctx.fact(subject, name) is None else []


def soft(item: dict[str, Any]) -> bool:
    """A ground the law leaves to someone (`beslisruimte`) or marked `onzeker` never makes an
    instrument `past_niet` (regeltaal §Who decides…, status rule 2)."""
    return bool(item.get("onzeker") or item.get("beslisruimte"))


@dataclass
class Result:
    """One instrument for one effect: its status, markers (for `past`) and open facts."""

    status: str
    markering: set[str] = field(default_factory=set)
    open: list[str] = field(default_factory=list)


def instrument(ctx: Context, ins: dict[str, Any], gw: dict[str, str]) -> Result:
    """The status from the instrument's grounds (regeltaal §Who decides…, rules 1–4, and
    §YAML tests, `niet_van_toepassing`).

    Considered only if one of its grondwaarden is not nee for this effect; a hard `toepassing`
    nee hides it, an `onzeker`/`beslisruimte` one keeps it as a ground against.
    Against: a voorwaarde or toepassing nee; an uitsluiting, or a voorliggend with
    `gevolg: uitsluiting`, ja. Open: any of those onbekend. `past_niet` only on a hard ground
    against; else `voorwaardelijk` when a ground is open or a soft ground goes against; else
    `past`. Begrenzingen, termijnen and `gevolg: vermelding` never change the status.
    """
    if all(gw.get(g, NEE) == NEE for g in ins["grondwaarden"]):
        return Result(NVT)
    grounds: list[tuple[dict[str, Any], str, str]] = []  # (item, value, value that goes against)
    toep = ins.get("toepassing")
    if toep is not None:
        long_form = "toets" in toep
        item = toep if long_form else {}
        v = value(ctx, toep["toets"] if long_form else toep)
        if v == NEE and not soft(item):
            return Result(NVT)
        grounds.append(({**item, "toets": item.get("toets", toep)}, v, NEE))
    grounds += [(c, value(ctx, c["toets"]), NEE) for c in ins.get("voorwaarden", [])]
    grounds += [(c, value(ctx, c["toets"]), JA) for c in ins.get("uitsluitingen", [])]
    grounds += [(c, value(ctx, c["toets"]), JA) for c in ins.get("voorliggend", [])
                if c.get("gevolg") == "uitsluiting" and "toets" in c]
    against = [item for item, v, bad in grounds if v == bad]
    opened = [item for item, v, _ in grounds if v == ONBEKEND]
    if any(not soft(item) for item in against):
        status = PAST_NIET
    elif opened or against:
        status = VOORWAARDELIJK
    else:
        status = PAST
    holding = [item for item, v, bad in grounds if bad == NEE and v == JA]
    asked = [a for item, v, _ in grounds if v == ONBEKEND for a in open_facts(ctx, item["toets"])]
    return Result(status, markers(status, ins, holding, against), asked)


def markers(status: str, ins: dict[str, Any], holding: list[dict[str, Any]],
            against: list[dict[str, Any]]) -> set[str]:
    """Rule 4: a `past` that rests on a voorwaarde or long-form toepassing marked `onzeker` or
    `beslisruimte` that holds, or on an instrument-level mark, carries that marker; an
    uitsluiting that does not apply leaves none. DOCUMENTATION GAP (read from the engine's
    output): a `voorwaardelijk` carries the same markers plus those of the soft grounds that go
    against it; a `past_niet` carries none."""
    if status == PAST_NIET:
        return set()
    marks: set[str] = set()
    for item in (ins, *holding, *against):
        if item.get("beslisruimte"):
            marks.add("beslisruimte")
        if item.get("onzeker"):
            marks.add("onzeker")
    return marks


def apply_forms(results: dict[str, Result], instruments: dict[str, dict[str, Any]]) -> None:
    """A form (`vorm_van`) never fits better than the best of its bases for the same effect;
    when none of its bases applies to the effect, neither does the form (regeltaal §Who
    decides…, `vorm_van` and rule 5).

    DOCUMENTATION GAP (read from the engine): a form that is capped, or a `past` form, also
    shows the markers of that best base (the first in `vorm_van` order among equals) and, when
    a `past` is capped to `voorwaardelijk`, asks the base's open facts; capped to `past_niet`
    it asks nothing and carries no marker.
    """
    done: set[str] = set()

    def settle(iid: str) -> None:
        if iid in done or results[iid].status == NVT:
            return
        done.add(iid)
        bases = [b for b in instruments[iid].get("vorm_van", []) if b in results]
        for b in bases:
            settle(b)
        applying = [results[b] for b in bases if results[b].status != NVT]
        if not instruments[iid].get("vorm_van"):
            return
        if not applying:
            results[iid] = Result(NVT)
            return
        best = min(applying, key=lambda r: RANK[r.status])
        own = results[iid]
        if RANK[best.status] <= RANK[own.status] and own.status != PAST:
            return
        status = max(own.status, best.status, key=RANK.__getitem__)
        if status == PAST_NIET:
            results[iid] = Result(status)
            return
        asked = own.open + (best.open if status != own.status else [])
        results[iid] = Result(status, own.markering | best.markering, asked)

    for iid in list(results):
        settle(iid)


def step2(ctx: Context, gw: dict[str, str], law_of: dict[str, Pack]) -> dict[str, Any]:
    """Per law: ja when one of its grondwaarden is ja, else onbekend when one is onbekend,
    else nee (regeltaal §YAML tests, `wetten`). The domains are the laws that are ja; the
    laws that are onbekend are possible domains (DOCUMENTATION GAP: `mogelijke_domeinen` is
    not described, read from the engine's output); no law ja or onbekend means the effect
    serves no grondwaarde (method.md step 2)."""
    wetten: dict[str, str] = {}
    for gid, v in gw.items():
        pack = law_of[gid]
        wetten[pack.id] = of([wetten.get(pack.id, NEE), v])
    domain = {law_of[g].id: law_of[g].domein for g in gw}
    return {
        "wetten": {k: v for k, v in wetten.items() if v != NEE},
        "domeinen": sorted({domain[k] for k, v in wetten.items() if v == JA}),
        "mogelijke_domeinen": sorted({domain[k] for k, v in wetten.items() if v == ONBEKEND}),
        "geen_grondwaarde": all(v == NEE for v in wetten.values()),
    }


def effect_advies(reg: Regime, casus: dict[str, Any], effect: dict[str, Any]) -> dict[str, Any]:
    people = {p["id"]: p for p in casus.get("personen", [])}
    applicant = next(p for p in people.values() if p.get("rol") == "aanvrager")
    partners = [p for p in people.values() if p.get("rol") == "partner"]
    person = people[effect.get("persoon", applicant["id"])]
    effect = with_shared_parent_answer(casus, people, effect, person, applicant)
    ctx = Context(reg, casus, effect, person, applicant,
                  partners[0] if len(partners) == 1 else None, child_of(people, effect, person),
                  client_of(people, effect, person), belanghebbende_of(people, effect, person),
                  betrokkene_of(people, effect, person), werkende_of(people, effect, person))
    gw = {g["id"]: value(ctx, g["toets"]) for _, g in reg.grondwaarden}
    law_of = {g["id"]: p for p, g in reg.grondwaarden}
    instruments = {ins["id"]: ins for _, ins in reg.instrumenten}
    results = {iid: instrument(ctx, ins, gw) for iid, ins in instruments.items()}
    apply_forms(results, instruments)
    asked = [a for _, g in reg.grondwaarden for a in open_facts(ctx, g["toets"])]
    asked += [a for r in results.values() if r.status == VOORWAARDELIJK for a in r.open]
    return {
        "stap2": step2(ctx, gw, law_of),
        "instrumenten": {iid: r.status for iid, r in results.items()},
        "markering": {iid: r.markering for iid, r in results.items() if r.status != NVT},
        "nog_uitvragen": set(asked),
    }


def child_of(people: dict[str, dict[str, Any]], effect: dict[str, Any],
             person: dict[str, Any]) -> dict[str, Any] | None:
    """regeltaal §Conditions, `kind`: "the effect's own person when that person has rol
    `kind` and the effect names no other child; else the person the effect names under
    `kind` (`gewenste_effecten[].kind`); else the only person with rol `kind` when there is
    exactly one; else no one"."""
    if person.get("rol") == "kind" and effect.get("kind") in (None, person.get("id")):
        return person
    if effect.get("kind") is not None:
        return people[effect["kind"]]
    children = [p for p in people.values() if p.get("rol") == "kind"]
    return children[0] if len(children) == 1 else None


def client_of(people: dict[str, dict[str, Any]], effect: dict[str, Any],
              person: dict[str, Any]) -> dict[str, Any]:
    """regeltaal §Conditions, `client`: "the child the effect names under
    `gewenste_effecten[].kind` when that is another person than the effect's own person;
    otherwise the effect's own person" (never the only child by default, never no one)."""
    named = effect.get("kind")
    if named is not None and named != person.get("id"):
        return people[named]
    return person


def belanghebbende_of(people: dict[str, dict[str, Any]], effect: dict[str, Any],
                      person: dict[str, Any]) -> dict[str, Any] | None:
    """regeltaal §Conditions, `belanghebbende`: "when the effect's own person has rol `kind` or
    `overig` and the effect names another child under `gewenste_effecten[].kind`: the named
    child when it is 18 or older; else the named child if its `kind_van_aanvrager` is ja, that
    person if nee, and no one while it is onbekend; otherwise the client"; and "on an effect
    that names another person, the answer of `belanghebbende_question` comes first: nee, the
    effect's own person; onbekend, no one"; "where neither decides ..., an effect whose
    `schulden_van_kind` is nee is about the asker's own money: the effect's own person"."""
    if child_elsewhere(people, effect, person) is not None:
        return None
    client = client_of(people, effect, person)
    question = belanghebbende_question(people, effect, person)
    if question is None and client is not person and effect.get("schulden_van_kind") is False:
        return person
    if question is not None:
        if effect.get(question) is None:
            return None
        if effect[question] is False:
            return person
    if person.get("rol") in ("kind", "overig") and client is not person:
        if client.get("leeftijd") is not None and client["leeftijd"] >= 18:
            return client
        if client.get("kind_van_aanvrager") is None:
            return None
        return client if client["kind_van_aanvrager"] is True else person
    if possible_parent_in_house(people, client, person):
        # "... unless the effect has `kosten` and `kosten_van_kind` nee: the effect's own person"
        # (fresh104 CA3)
        if effect.get("kosten") is not None and effect.get("kosten_van_kind") is False:
            return person
        return None
    return client


def possible_parent_in_house(people: dict[str, dict[str, Any]], child: dict[str, Any],
                             person: dict[str, Any]) -> bool:
    """regeltaal §Conditions, `belanghebbende`: "the aanvrager's or his partner's effect naming a
    minor with rol `kind` or `overig` whose `kind_van_aanvrager` is onbekend, while another
    person with rol `kind` or `overig` is 14 to 55 years older than him or of unknown age
    (he could be that person's child): no one yet, asked as his `kind_van_aanvrager`"
    (fresh103 BZ2, fresh104 CA2)."""
    if person.get("rol") not in ("aanvrager", "partner") or child is person:
        return False
    if child.get("rol") not in ("kind", "overig") or child.get("kind_van_aanvrager") is not None:
        return False
    age = child.get("leeftijd")
    if age is None or age >= 18:
        return False
    return any(other is not child and other.get("rol") in ("kind", "overig")
               and (other.get("leeftijd") is None or 14 <= other["leeftijd"] - age <= 55)
               for other in people.values())


def child_elsewhere(people: dict[str, dict[str, Any]], effect: dict[str, Any],
                    person: dict[str, Any]) -> dict[str, Any] | None:
    """regeltaal §Conditions, `belanghebbende`: "a child of someone else: a person with rol
    `kind` or `overig`, `kind_van_aanvrager` nee, known to be under 18 ... whose own effect it
    is (the effect names no other child), or the aanvrager's or his partner's effect naming him
    under `kind`, unless that effect is about their own money (`kosten_van_kind` nee, onbekend
    counting as the child's costs; `werk_van_kind` nee or onbekend; or without such a question
    `schulden_van_kind` nee): no one, and nothing is asked for it" (fresh97 BT1, fresh99 BV3,
    fresh100 BW1, fresh102 BY1). Returns that child."""
    child = client_of(people, effect, person)
    if child.get("rol") not in ("kind", "overig") or child.get("kind_van_aanvrager") is not False:
        return None
    if child.get("leeftijd") is None or child["leeftijd"] >= 18:
        return None
    if child is person:
        return child
    if person.get("rol") not in ("aanvrager", "partner") and housemate_is_parent(
            people, effect, person) is not False:
        return None
    question = belanghebbende_question(people, effect, person)
    if question == "kosten_van_kind":  # "the child's costs until the answer nee"
        return None if effect.get(question) is False else child
    if question is not None:
        return child if effect.get(question) is True else None
    return None if effect.get("schulden_van_kind") is False else child


def housemate_names_child_of_another(people: dict[str, dict[str, Any]], effect: dict[str, Any],
                                     person: dict[str, Any]) -> bool:
    """A housemate with rol `kind` or `overig` whose effect names another person with rol `kind`
    or `overig`, `kind_van_aanvrager` nee, known to be under 18."""
    child = client_of(people, effect, person)
    if person.get("rol") not in ("kind", "overig") or child is person:
        return False
    if child.get("rol") not in ("kind", "overig") or child.get("kind_van_aanvrager") is not False:
        return False
    return child.get("leeftijd") is not None and child["leeftijd"] < 18


def housemate_is_parent(people: dict[str, dict[str, Any]], effect: dict[str, Any],
                        person: dict[str, Any]) -> bool | None:
    """regeltaal §Conditions, `belanghebbende`: "A housemate with rol `kind` or `overig` who
    names a minor with `kind_van_aanvrager` nee is that child's parent as the effect's
    `ouder_van_kind` says; not given, he is when no other person with rol `kind` or `overig`
    could be the parent (14 to 55 years older than the child, or of unknown age) and his own
    age is 14 to 40 years above the child's", "it is onbekend when one could, and when his own
    age is unknown or not 14 to 40 years above the child's" (fresh102 BY2, fresh108 CE1,
    fresh109 CF1). None where it does not apply."""
    if not housemate_names_child_of_another(people, effect, person):
        return None
    child = client_of(people, effect, person)
    age = child["leeftijd"]
    if effect.get("ouder_van_kind") is not None:
        return bool(effect["ouder_van_kind"])
    if effect.get("ouder_van_kind_onbeslist"):
        return None
    # "... and when his own age is unknown or not 14 to 40 years above the child's"
    own = person.get("leeftijd")
    if own is None or not 14 <= own - age <= 40:
        return None
    other = any(p is not child and p is not person and p.get("rol") in ("kind", "overig")
                and (p.get("leeftijd") is None or 14 <= p["leeftijd"] - age <= 55)
                for p in people.values())
    return None if other else True


def with_shared_parent_answer(casus: dict[str, Any], people: dict[str, dict[str, Any]],
                              effect: dict[str, Any], person: dict[str, Any],
                              applicant: dict[str, Any]) -> dict[str, Any]:
    """regeltaal §Conditions, `belanghebbende`: "not given on the effect, the answer given on
    another effect about the same housemate and child counts (one fact about two people); given
    both ways there, it is onbekend (asked, never presumed)" (fresh112 CI2). The effect with that
    answer filled in, or marked undecided."""
    if effect.get("ouder_van_kind") is not None or not housemate_names_child_of_another(
            people, effect, person):
        return effect
    child = client_of(people, effect, person)
    answers = set()
    for other in casus["gewenste_effecten"]:
        if other.get("id") == effect.get("id") or other.get("ouder_van_kind") is None:
            continue
        who = people[other.get("persoon", applicant["id"])]
        if (who is person and client_of(people, other, who) is child
                and housemate_names_child_of_another(people, other, who)):
            answers.add(bool(other["ouder_van_kind"]))
    if len(answers) == 1:
        return {**effect, "ouder_van_kind": answers.pop()}
    # "given both ways there, it is onbekend (asked, never presumed)"
    return {**effect, "ouder_van_kind_onbeslist": True} if answers else effect


def belanghebbende_question(people: dict[str, dict[str, Any]], effect: dict[str, Any],
                            person: dict[str, Any]) -> str | None:
    """regeltaal §Conditions, `belanghebbende`: "With `kosten`, on any leefgebied: the
    effect's `kosten_van_kind` ..., unless `werk_van_kind` is ja or the named person is a
    minor (not a minor of someone else named by the aanvrager or his partner, unless
    `schulden_van_kind` is nee). Without
    `kosten`, on an effect with leefgebied `werk_en_opleiding`: the effect's `werk_van_kind`";
    only when the effect names another person."""
    client = client_of(people, effect, person)
    if client is person:
        return None
    parent = housemate_is_parent(people, effect, person)
    # "while it is onbekend, it is the question `ouder_van_kind`, unless the effect is about his
    # own work, costs or debts"
    if effect.get("kosten") is None:
        if effect.get("leefgebied") == "werk_en_opleiding":
            return "werk_van_kind"
        if (parent is None and housemate_names_child_of_another(people, effect, person)
                and effect.get("schulden_van_kind") is not False):
            return "ouder_van_kind"
        return None
    if effect.get("werk_van_kind") is True:
        return None
    if (parent is None and housemate_names_child_of_another(people, effect, person)
            and effect.get("kosten_van_kind") is not False):
        return "ouder_van_kind"
    minor = client.get("leeftijd") is not None and client["leeftijd"] < 18
    of_another = (client.get("kind_van_aanvrager") is False
                  and (person.get("rol") in ("aanvrager", "partner") or parent is False)
                  and effect.get("schulden_van_kind") is not False)
    return None if minor and not of_another else "kosten_van_kind"


def betrokkene_of(people: dict[str, dict[str, Any]], effect: dict[str, Any],
                person: dict[str, Any]) -> dict[str, Any] | None:
    """regeltaal §Conditions, `betrokkene`: "the effect's own person when the effect names no
    one else or names a minor"; for a named person of 18 or older "the effect's
    `schulden_van_kind` ja, the named person; nee, the effect's own person; onbekend, no one
    yet"; "no one while the named person's age is onbekend"; "an effect whose
    `schulden_van_kind` is nee, or that gives `kosten` whose `kosten_van_kind` is nee while
    `schulden_van_kind` is not given ...: the effect's own person, whatever the named person's
    age"."""
    client = client_of(people, effect, person)
    if client is person or effect.get("schulden_van_kind") is False or (
            effect.get("schulden_van_kind") is None and effect.get("kosten") is not None
            and effect.get("kosten_van_kind") is False):
        return person
    if client.get("leeftijd") is None:
        return None
    if client["leeftijd"] < 18:
        return person
    return client if effect.get("schulden_van_kind") is True else None


def werkende_of(people: dict[str, dict[str, Any]], effect: dict[str, Any],
                person: dict[str, Any]) -> dict[str, Any] | None:
    """regeltaal §Conditions, `werkende`: "when the effect names another person: that person if
    its `werk_van_kind` is ja, the effect's own person if nee, no one while onbekend; else the
    effect's own person"."""
    client = client_of(people, effect, person)
    if client is person:
        return person
    if effect.get("werk_van_kind") is None:
        return None
    return client if effect["werk_van_kind"] is True else person


def advies(packs: list[Pack], casus: dict[str, Any]) -> dict[str, Any]:
    """The whole advies: per effect step 2 and the instrument statuses; for the casus the
    domains and whether an integraal overleg is called for (method.md step 2: "a multi-domain
    one calls for an integraal overleg", i.e. two or more domains over all effects)."""
    peildatum = casus["peildatum"]
    if isinstance(peildatum, str):
        peildatum = dt.date.fromisoformat(peildatum)
    reg = regime(packs, peildatum, casus.get("gemeente"))
    effecten = {e["id"]: effect_advies(reg, casus, e) for e in casus["gewenste_effecten"]}
    domeinen = sorted({d for e in effecten.values() for d in e["stap2"]["domeinen"]})
    mogelijk = sorted({d for e in effecten.values() for d in e["stap2"]["mogelijke_domeinen"]}
                      - set(domeinen))
    return {
        "effecten": effecten,
        "stap2": {"domeinen": domeinen, "mogelijke_domeinen": mogelijk,
                  "integraal_overleg": len(domeinen) >= 2,
                  "effecten_zonder_grondwaarde": [k for k, e in effecten.items()
                                                  if e["stap2"]["geen_grondwaarde"]]},
    }
