"""Tests that kill the mutants mutmut found surviving in `engine.feitadres` (issue 17,
docs/testen.md "Mutatietesten"): the fact address, its catalogue name, and the setter that
answers a question at an address.

The expected values are written from the module's docstrings (one person with rol `partner`,
`None` removes a fact, a problem per answer that names no fact, the copy leaves the original
alone), not copied from the engine's output. Invented casussen only: no real people.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest

from engine import feitadres
from engine.feitadres import Feitadres, parse, set_facts

# ---- parse and the address's catalogue name ---------------------------------------------------

@pytest.mark.parametrize(("address", "expected"), [
    ("personen[p1].leeftijd", Feitadres("personen", "p1", None, "leeftijd")),
    ("gewenste_effecten[e-2].kosten", Feitadres("gewenste_effecten", "e-2", None, "kosten")),
    ("huishouden.vermogen", Feitadres(None, None, "huishouden", "vermogen")),
    ("financien.schulden_totaal", Feitadres(None, None, "financien", "schulden_totaal")),
    ("netwerk.mantelzorg", Feitadres(None, None, "netwerk", "mantelzorg")),
    ("partner.aow_leeftijd_bereikt", Feitadres(None, None, "partner", "aow_leeftijd_bereikt")),
])
def test_parse_splits_an_address_into_its_parts(address: str, expected: Feitadres) -> None:
    assert parse(address) == expected


@pytest.mark.parametrize("address", [
    "", "leeftijd", "persoon.leeftijd", "personen.leeftijd", "personen[].leeftijd",
    "huishouden[h1].vermogen", "huishouden.Vermogen", "partner[p2].leeftijd",
    "personen[p1].leeftijd.extra", " huishouden.vermogen",
])
def test_parse_refuses_what_is_not_an_address(address: str) -> None:
    assert parse(address) is None


@pytest.mark.parametrize(("address", "catalogus", "persoon"), [
    ("personen[p1].leeftijd", "persoon.leeftijd", True),
    ("partner.leeftijd", "persoon.leeftijd", True),
    ("gewenste_effecten[e1].kosten", "effect.kosten", False),
    ("huishouden.vermogen", "huishouden.vermogen", False),
    ("financien.schulden_totaal", "financien.schulden_totaal", False),
    ("netwerk.mantelzorg", "netwerk.mantelzorg", False),
])
def test_catalogue_name_and_whether_it_is_a_persons_fact(address: str, catalogus: str,
                                                         persoon: bool) -> None:
    """A person's fact is `persoon.x` in the rule language, whether addressed by id or by
    role; an effect's fact is `effect.x`; a household-level group keeps its own name."""
    adres = parse(address)
    assert adres is not None
    assert adres.catalogus_naam == catalogus
    assert adres.is_persoon is persoon


# ---- set_facts: each answer set at its address, or a problem for it ---------------------------

def casus() -> dict[str, Any]:
    """An invented casus: an aanvrager, a child, one gewenst effect, a household."""
    return {"peildatum": "2026-03-01",
            "huishouden": {"samenstelling": "alleenstaand_met_kinderen", "vermogen": 100},
            "personen": [{"id": "p1", "rol": "aanvrager", "leeftijd": 40},
                         {"id": "k1", "rol": "kind", "leeftijd": 9}],
            "gewenste_effecten": [{"id": "e1", "omschrijving": "Rondkomen.",
                                   "leefgebied": "financien"}]}


def test_each_answer_lands_at_its_own_address() -> None:
    data = casus()
    original = copy.deepcopy(data)
    out, problems = set_facts(data, [
        ("personen[k1].leeftijd", 10),
        ("personen[p1].beperkingen", ["lichamelijk"]),
        ("gewenste_effecten[e1].kosten", 250),
        ("huishouden.vermogen", 300),
        ("financien.schulden_totaal", 1200),  # a group the casus does not have yet
    ])
    assert problems == []
    assert out["personen"] == [
        {"id": "p1", "rol": "aanvrager", "leeftijd": 40, "beperkingen": ["lichamelijk"]},
        {"id": "k1", "rol": "kind", "leeftijd": 10}]
    assert out["gewenste_effecten"] == [{"id": "e1", "omschrijving": "Rondkomen.",
                                         "leefgebied": "financien", "kosten": 250}]
    assert out["huishouden"] == {"samenstelling": "alleenstaand_met_kinderen", "vermogen": 300}
    assert out["financien"] == {"schulden_totaal": 1200}
    assert data == original  # a copy: nested lists and dicts of the caller untouched


def test_none_removes_a_fact_and_removing_an_absent_one_is_no_problem() -> None:
    out, problems = set_facts(casus(), [
        ("personen[k1].leeftijd", None),
        ("huishouden.vermogen", None),
        ("huishouden.inkomen", None),          # not there: nothing to remove
        ("personen[p1].wlz_indicatie", None),  # not there either
    ])
    assert problems == []
    assert out["personen"][1] == {"id": "k1", "rol": "kind"}
    assert out["personen"][0] == {"id": "p1", "rol": "aanvrager", "leeftijd": 40}
    assert out["huishouden"] == {"samenstelling": "alleenstaand_met_kinderen"}


def test_removing_from_an_absent_group_is_no_problem() -> None:
    """`None` at a group the casus does not have: nothing to remove, no problem, no crash."""
    out, problems = set_facts(casus(), [("netwerk.mantelzorg", None)])
    assert problems == []
    assert out.get("netwerk", {}) == {}


def test_a_problem_per_answer_and_the_others_still_set() -> None:
    """Every answer that names no fact of this casus gets its index and why; the answers after
    it are still set (one bad answer does not stop the rest)."""
    out, problems = set_facts(casus(), [
        ("persoon.leeftijd", 1),               # 0: not an address
        ("personen[p1].id", "p9"),             # 1: identifies, is no fact
        ("personen[p1].rol", "partner"),       # 2
        ("gewenste_effecten[e1].omschrijving", "x"),  # 3
        ("gewenste_effecten[e1].leefgebied", "wonen"),  # 4
        ("personen[k1].persoon", "p1"),        # 5
        ("personen[p7].leeftijd", 30),         # 6: no such person
        ("gewenste_effecten[e9].kosten", 5),   # 7: no such effect
        ("huishouden.vermogen", 7),            # 8: fine
    ])
    assert problems == [
        (0, "onbekend adres 'persoon.leeftijd'"),
        (1, "'id' is geen feit om te beantwoorden"),
        (2, "'rol' is geen feit om te beantwoorden"),
        (3, "'omschrijving' is geen feit om te beantwoorden"),
        (4, "'leefgebied' is geen feit om te beantwoorden"),
        (5, "'persoon' is geen feit om te beantwoorden"),
        (6, "geen personen met id 'p7'"),
        (7, "geen gewenste_effecten met id 'e9'"),
    ]
    assert out["huishouden"]["vermogen"] == 7
    assert out["personen"] == casus()["personen"]
    assert out["gewenste_effecten"] == casus()["gewenste_effecten"]


def test_an_answer_for_a_list_the_casus_does_not_have() -> None:
    """A casus without `gewenste_effecten` (the caller re-validates later): the answer names no
    effect of this casus, a problem, not a crash."""
    data = {"personen": [{"id": "p1", "rol": "aanvrager"}]}
    out, problems = set_facts(data, [("gewenste_effecten[e1].kosten", 5),
                                     ("personen[p1].leeftijd", 50)])
    assert problems == [(0, "geen gewenste_effecten met id 'e1'")]
    assert out == {"personen": [{"id": "p1", "rol": "aanvrager", "leeftijd": 50}]}


def test_a_person_is_found_by_id_not_by_position() -> None:
    out, _ = set_facts(casus(), [("personen[k1].inkomen", 0)])
    assert out["personen"][0] == casus()["personen"][0]
    assert out["personen"][1]["inkomen"] == 0


# ---- the role address `partner.x` ---------------------------------------------------------------

def test_the_role_address_sets_the_one_named_partner() -> None:
    data = casus()
    data["personen"].append({"id": "p2", "rol": "partner"})
    out, problems = set_facts(data, [("partner.leeftijd", 41), ("partner.inkomen", 900)])
    assert problems == []
    assert out["personen"][2] == {"id": "p2", "rol": "partner", "leeftijd": 41, "inkomen": 900}
    assert len(out["personen"]) == 3
    removed, problems = set_facts(out, [("partner.leeftijd", None)])
    assert problems == []
    assert removed["personen"][2] == {"id": "p2", "rol": "partner", "inkomen": 900}


def test_a_partner_is_added_to_a_casus_without_personen() -> None:
    out, problems = set_facts({"huishouden": {}}, [("partner.leeftijd", 50)])
    assert problems == []
    assert out["personen"] == [{"id": "partner", "rol": "partner", "leeftijd": 50}]


def test_removing_a_fact_of_an_absent_partner_goes_on_with_the_next_answer() -> None:
    out, problems = set_facts(casus(), [("partner.leeftijd", None), ("huishouden.vermogen", 1)])
    assert problems == []
    assert [p["id"] for p in out["personen"]] == ["p1", "k1"]
    assert out["huishouden"]["vermogen"] == 1


def test_two_partners_a_problem_and_the_next_answer_still_set() -> None:
    data = casus()
    data["personen"] += [{"id": "p2", "rol": "partner"}, {"id": "p3", "rol": "partner"}]
    out, problems = set_facts(data, [("partner.leeftijd", 41), ("huishouden.vermogen", 2)])
    assert problems == [
        (0, "meer dan één persoon met rol 'partner': beantwoord de vraag bij personen[id]")]
    assert out["personen"][2:] == [{"id": "p2", "rol": "partner"},
                                   {"id": "p3", "rol": "partner"}]
    assert out["huishouden"]["vermogen"] == 2


def test_entries_that_are_not_persons_are_passed_over() -> None:
    """An unvalidated casus may hold something other than an object in `personen`: it is no
    partner and takes no id, and looking for the partner does not crash on it."""
    data = {"personen": ["p1", {"id": "p2", "rol": "partner"}]}
    out, problems = set_facts(data, [("partner.leeftijd", 30)])
    assert problems == []
    assert out["personen"] == ["p1", {"id": "p2", "rol": "partner", "leeftijd": 30}]
    added, problems = set_facts({"personen": ["partner"]}, [("partner.leeftijd", 30)])
    assert problems == []
    assert added["personen"] == ["partner", {"id": "partner", "rol": "partner", "leeftijd": 30}]


def test_the_next_free_id_counts_on_from_two() -> None:
    """`partner`, then `partner2`, `partner3`…: the first id not taken."""
    taken = [{"id": "partner", "rol": "kind"}, {"id": "partner3", "rol": "kind"}]
    out, problems = set_facts({"personen": taken}, [("partner.leeftijd", 40)])
    assert problems == []
    assert out["personen"][2] == {"id": "partner2", "rol": "partner", "leeftijd": 40}
    taken.insert(1, {"id": "partner2", "rol": "kind"})
    out, problems = set_facts({"personen": taken}, [("partner.leeftijd", 40)])
    assert out["personen"][3] == {"id": "partner4", "rol": "partner", "leeftijd": 40}


def test_partner_helper_directly() -> None:
    """`_partner`: the partner itself (the same dict, to be changed in place), None when absent
    and not to be created, a message when there are several."""
    one = {"id": "p2", "rol": "partner"}
    data: dict[str, Any] = {"personen": [{"id": "p1", "rol": "aanvrager"}, one]}
    assert feitadres._partner(data, create=False) is one
    assert feitadres._partner(data, create=True) is one
    empty: dict[str, Any] = {}
    assert feitadres._partner(empty, create=False) is None
    assert empty == {"personen": []}
    made = feitadres._partner(empty, create=True)
    assert made == {"id": "partner", "rol": "partner"}
    assert empty["personen"] == [made]
