"""Whose child is named, and when that is asked (`Casus.ouder_in_huis_mogelijk`,
`Casus.belanghebbende_van`).

docs/regeltaal.md §Conditions, `belanghebbende`: "The aanvrager's or his partner's effect naming a
minor with rol `kind` or `overig` whose `kind_van_aanvrager` is onbekend, while another person with
rol `kind` or `overig` is 14 to 55 years older than him or of unknown age (he could be that
person's child): no one yet, asked as his `personen[id].kind_van_aanvrager` ..., unless the effect
has `kosten` and `kosten_van_kind` nee: then the effect's own person, whose means count either
way." fresh103 BZ2 (a grandmother of 52, her daughter of 24 and the boy of 4), fresh104 CA2 (a
grandmother of 78 beside a mother of 35 and her girl of 5: not asked), CA3 (own costs: not asked).
Expected values written from that text. Invented people only.
"""

from __future__ import annotations

from typing import Any

import pytest

from engine import Engine


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine.load()


def casus(other_age: int | None, *, kosten_van_kind: bool | None = None,
          other_rol: str = "kind") -> dict[str, Any]:
    effect: dict[str, Any] = {"id": "e1", "omschrijving": "Een groter bed.",
                              "leefgebied": "financien", "persoon": "ans", "kind": "sem",
                              "kosten": 200}
    if kosten_van_kind is not None:
        effect["kosten_van_kind"] = kosten_van_kind
    other: dict[str, Any] = {"id": "lot", "rol": other_rol}
    if other_age is not None:
        other["leeftijd"] = other_age
    return {"peildatum": "2026-12-01",
            "huishouden": {"samenstelling": "overig"},
            "personen": [{"id": "ans", "rol": "aanvrager", "leeftijd": 60}, other,
                         {"id": "sem", "rol": "kind", "leeftijd": 4}],
            "gewenste_effecten": [effect]}


@pytest.mark.parametrize(("other_age", "asked"), [
    (17, False),    # 13 years older: not a possible parent
    (18, True),     # 14 years older: the lower bound
    (59, True),     # 55 years older: the upper bound
    (60, False),    # 56 years older: not a possible parent (fresh104 CA2)
    (None, True),   # unknown age: possible
])
def test_a_housemate_14_to_55_years_older_or_of_unknown_age_could_be_the_parent(
        engine: Engine, other_age: int | None, asked: bool) -> None:
    c = engine.casus(casus(other_age))
    effect = c.gewenste_effecten[0]
    assert (c.belanghebbende_van(effect) is None) is asked
    if not asked:
        assert c.belanghebbende_van(effect).id == "sem"  # type: ignore[union-attr]


@pytest.mark.parametrize("other_rol", ["kind", "overig"])
def test_own_costs_are_tested_on_the_asker_whoever_the_parent_is(engine: Engine,
                                                                 other_rol: str) -> None:
    c = engine.casus(casus(30, kosten_van_kind=False, other_rol=other_rol))
    person = c.belanghebbende_van(c.gewenste_effecten[0])
    assert person is not None and person.id == "ans"


def test_costs_of_the_child_or_unknown_still_ask_whose_child(engine: Engine) -> None:
    for answer in (None, True):
        c = engine.casus(casus(30, kosten_van_kind=answer))
        assert c.belanghebbende_van(c.gewenste_effecten[0]) is None


def huisgenoten(ouder_van_kind: bool | None, mira_age: int | None = 18,
                kosten_van_kind: bool | None = None) -> dict[str, Any]:
    """fresh102 BY2: an uncle of 20 (rol kind) names Lev (0), who is no child of the aanvrager;
    his sister Mira could be Lev's mother."""
    effect: dict[str, Any] = {"id": "e1", "omschrijving": "Een kinderwagen.",
                              "leefgebied": "financien", "persoon": "daan", "kind": "lev",
                              "kosten": 500}
    if ouder_van_kind is not None:
        effect["ouder_van_kind"] = ouder_van_kind
    if kosten_van_kind is not None:
        effect["kosten_van_kind"] = kosten_van_kind
    people: list[dict[str, Any]] = [
        {"id": "ahmed", "rol": "aanvrager", "leeftijd": 49},
        {"id": "daan", "rol": "kind", "leeftijd": 20},
        {"id": "lev", "rol": "kind", "leeftijd": 0, "kind_van_aanvrager": False}]
    if mira_age is not None:
        people.append({"id": "mira", "rol": "kind", "leeftijd": mira_age})
    return {"peildatum": "2026-12-01", "huishouden": {"samenstelling": "paar_met_kinderen"},
            "personen": people, "gewenste_effecten": [effect]}


@pytest.mark.parametrize(("ouder_van_kind", "mira_age", "expected", "elsewhere", "vraag"), [
    (None, 18, None, False, "ouder_van_kind"),   # Mira could be the mother: asked
    (None, None, "daan", False, None),           # no other housemate: presumed the parent
    (None, 13, "daan", False, None),             # Mira (13) cannot be: presumed the parent
    (True, 18, "daan", False, None),             # his child: his means
    (False, 18, None, True, "kosten_van_kind"),  # a child of someone else: no one
])
def test_a_housemate_naming_a_child_of_someone_else_is_its_parent_as_ouder_van_kind_says(
        engine: Engine, ouder_van_kind: bool | None, mira_age: int | None, expected: str | None,
        elsewhere: bool, vraag: str | None) -> None:
    c = engine.casus(huisgenoten(ouder_van_kind, mira_age))
    effect = c.gewenste_effecten[0]
    found = c.belanghebbende_van(effect)
    assert (found.id if found else None) == expected
    assert (c.kind_van_een_ander(effect) is not None) is elsewhere
    assert c.belanghebbende_vraag(effect) == vraag


def test_the_uncles_own_costs_are_his_whoever_the_parent_is(engine: Engine) -> None:
    c = engine.casus(huisgenoten(None, kosten_van_kind=False))
    effect = c.gewenste_effecten[0]
    found = c.belanghebbende_van(effect)
    assert found is not None and found.id == "daan"
    assert c.kind_van_een_ander(effect) is None


@pytest.mark.parametrize(("own_age", "asked"), [
    (28, True),    # 13 years older than the child of 15: not a parent (fresh108 CE1)
    (29, False),   # 14 years older: presumed the parent
    (55, False),   # 40 years older: still presumed (OUDER_VERMOEDEN_MAX)
    (56, True),    # 41 years older: asked (fresh109 CF1)
    (70, True),    # 55 years older: a grandfather more likely than a father (fresh109 a02)
    (None, True),  # unknown age: asked, never presumed
])
def test_a_housemate_too_young_or_too_old_is_not_presumed_the_parent(
        engine: Engine, own_age: int | None, asked: bool) -> None:
    """docs/regeltaal.md: "he is when no other person with rol `kind` or `overig` could be the
    parent ... and his own age is 14 to 40 years above the child's"; "it is onbekend ... when
    his own age is unknown or not 14 to 40 years above the child's" (fresh108 CE1: an uncle of 22
    naming his niece of 15; fresh109 CF1: a grandfather of 70 naming his grandson of 15 was
    tested on his own savings). The child is 15."""
    data = huisgenoten(None, mira_age=None)
    if own_age is None:
        del data["personen"][1]["leeftijd"]
    else:
        data["personen"][1]["leeftijd"] = own_age
    data["personen"][2]["leeftijd"] = 15
    c = engine.casus(data)
    effect = c.gewenste_effecten[0]
    assert (c.belanghebbende_vraag(effect) == "ouder_van_kind") is asked
    found = c.belanghebbende_van(effect)
    assert (found is None) is asked


def _rol_teksten(engine: Engine, data: dict[str, Any]) -> list[str]:
    return [w["tekst"] for w in engine.advies(data).trace["waarschuwingen"]
            if w["soort"] == "rol"]


def test_the_advies_says_when_it_presumed_the_housemate_is_the_parent(engine: Engine) -> None:
    """fresh109 CF2: the presumption decides whose means count, on a fact nobody gave, so the
    advies says it and how to say otherwise; given `ouder_van_kind`, nothing is presumed."""
    presumed = [t for t in _rol_teksten(engine, huisgenoten(None, mira_age=None))
                if "is aangenomen dat daan de ouder" in t]
    assert len(presumed) == 1 and "geef dan gewenste_effecten[e1].ouder_van_kind nee" in presumed[0]
    for given in (True, False):
        assert not [t for t in _rol_teksten(engine, huisgenoten(given, mira_age=None))
                    if "is aangenomen" in t]


def test_the_notice_for_a_housemates_child_of_someone_else_speaks_of_the_housemate(
        engine: Engine) -> None:
    """fresh109 CF3: with `ouder_van_kind` nee the notice says whose gezin and means do not
    count: the housemate's, not "hun" (the aanvrager and his partner, whom it does not name)."""
    [tekst] = [t for t in _rol_teksten(engine, huisgenoten(False, mira_age=None))
               if "geldeffect e1 gaat over lev" in t]
    assert "niet tot het gezin van daan" in tekst and "de middelen van daan" in tekst
    assert "hun " not in tekst


def test_the_presumption_is_told_on_an_effect_without_money_too(engine: Engine) -> None:
    """fresh110 CG2: a sleeping place for the child (huisvesting, no `kosten`) tests the
    algemene bijstand on the presumed parent's means just the same, so it says so too."""
    data = huisgenoten(None, mira_age=None)
    effect = data["gewenste_effecten"][0]
    del effect["kosten"]
    effect.update(leefgebied="huisvesting", omschrijving="Een eigen slaapplek voor Lev.")
    assert [t for t in _rol_teksten(engine, data) if "is aangenomen dat daan de ouder" in t]


def test_the_presumption_is_told_once_for_the_housemate_and_the_child(engine: Engine) -> None:
    """fresh111 CH2: one fact about two people, one notice naming every effect it applies to,
    not the same notice per effect."""
    data = huisgenoten(None, mira_age=None)
    second = dict(data["gewenste_effecten"][0], id="e2", omschrijving="Een bedje.", kosten=150)
    data["gewenste_effecten"].append(second)
    [tekst] = [t for t in _rol_teksten(engine, data) if "is aangenomen dat daan de ouder" in t]
    assert "de effecten e1, e2" in tekst
    assert "gewenste_effecten[e1].ouder_van_kind en gewenste_effecten[e2].ouder_van_kind" in tekst


def _vragen(engine: Engine, data: dict[str, Any], effect: str) -> set[str]:
    [e] = [x for x in engine.advies(data).advies["effecten"] if x["id"] == effect]
    return {v for i in e["stap4"]["instrumenten"] for v in i["nog_uitvragen"]}


@pytest.mark.parametrize("answer", [False, True])
def test_an_answer_on_one_effect_holds_for_every_effect_about_the_same_pair(
        engine: Engine, answer: bool) -> None:
    """fresh112 CI2: whether the housemate is the child's parent is one fact about two people.
    Answered on e2 only, e1 about the same housemate and child follows it: no presumption (and
    no notice) beside a nee, and the question is not asked again beside a ja."""
    data = huisgenoten(None, mira_age=None)
    second = dict(data["gewenste_effecten"][0], id="e2", omschrijving="Een eigen slaapplek.",
                  leefgebied="huisvesting", ouder_van_kind=answer)
    del second["kosten"]
    data["gewenste_effecten"].append(second)
    valid = engine.casus(data)
    first = valid.gewenste_effecten[0]
    assert first.ouder_van_kind is None
    assert valid.huisgenoot_is_ouder(first) is answer
    assert not [t for t in _rol_teksten(engine, data) if "is aangenomen" in t]
    assert "gewenste_effecten[e1].ouder_van_kind" not in _vragen(engine, data, "e1")


def test_answers_both_ways_on_other_effects_leave_it_asked(engine: Engine) -> None:
    """Given ja on one effect and nee on another, a third effect about the same pair has no
    answer to follow and no presumption to make: it is asked (the consulent must settle it)."""
    data = huisgenoten(None, mira_age=None)
    base = data["gewenste_effecten"][0]
    data["gewenste_effecten"] += [dict(base, id="e2", ouder_van_kind=True),
                                  dict(base, id="e3", ouder_van_kind=False)]
    valid = engine.casus(data)
    assert valid.huisgenoot_is_ouder(valid.gewenste_effecten[0]) is None


def test_the_notice_for_the_aanvragers_grandchild_speaks_of_their_gezin_and_means(
        engine: Engine) -> None:
    """The other side of fresh109 CF3: when the aanvrager names a grandchild (`kind_van_aanvrager`
    nee) on a money effect, the notice speaks of the aanvrager and his partner: "hun gezin",
    "hun middelen" and, for an effect about their own money, "hun eigen geld"."""
    data = {"peildatum": "2026-12-01", "huishouden": {"samenstelling": "overig"},
            "personen": [{"id": "ans", "rol": "aanvrager", "leeftijd": 60},
                         {"id": "sem", "rol": "kind", "leeftijd": 4, "kind_van_aanvrager": False}],
            "gewenste_effecten": [{"id": "e1", "omschrijving": "Een groter bed.",
                                   "leefgebied": "financien", "kind": "sem", "kosten": 200}]}
    [tekst] = [t for t in _rol_teksten(engine, data) if "geldeffect e1 gaat over sem" in t]
    assert "van de aanvrager of zijn partner is (kind_van_aanvrager nee)" in tekst
    assert "niet tot hun gezin" in tekst and "dus tellen hun middelen voor dit effect niet" in tekst
    assert "Gaat het effect over hun eigen geld" in tekst and "dan tellen hun middelen wel" in tekst
