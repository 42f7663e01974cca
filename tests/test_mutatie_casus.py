"""The Dutch messages of a bad casus (engine.casus: dutch_message, problems_from_validation)
and Engine.from_sources' backend, at engine level (issue 17: the HTTP tests that read these
messages are outside the mutation selection). Expected texts are the module's own table and
the contract's wording: what a consulent or a beleidsmedewerker reads next to the field."""

from __future__ import annotations

from typing import Any

import pytest

from engine import CasusError, Engine
from engine.casus import dutch_message

BASE: dict[str, Any] = {
    "peildatum": "2026-11-02",
    "personen": [{"id": "p1", "rol": "aanvrager", "leeftijd": 40}],
    "gewenste_effecten": [{"id": "e1", "omschrijving": "Zelf boodschappen doen.",
                           "leefgebied": "mobiliteit"}],
}


@pytest.mark.parametrize(("err", "expected"), [
    ({"type": "less_than_equal", "ctx": {"le": 5}}, "mag hoogstens 5 zijn"),
    ({"type": "less_than", "ctx": {"lt": 5}}, "moet kleiner zijn dan 5"),
    ({"type": "greater_than_equal", "ctx": {"ge": 0}}, "moet minstens 0 zijn"),
    ({"type": "greater_than", "ctx": {"gt": 0}}, "moet groter zijn dan 0"),
    ({"type": "too_short", "ctx": {"min_length": 1}}, "te kort: minstens 1"),
    ({"type": "too_long", "ctx": {"max_length": 9}}, "te lang: hoogstens 9"),
    ({"type": "string_too_short", "ctx": {"min_length": 2}}, "te kort: minstens 2 tekens"),
    ({"type": "string_too_long", "ctx": {"max_length": 3}}, "te lang: hoogstens 3 tekens"),
    ({"type": "string_pattern_mismatch", "ctx": {"pattern": "^GM[0-9]{4}$"}},
     "heeft niet de vorm ^GM[0-9]{4}$"),
    # a bounded kind without its bound in ctx falls back to pydantic's own text
    ({"type": "less_than_equal", "ctx": {}, "msg": "Input should be <= 5"},
     "Input should be <= 5"),
    ({"type": "less_than_equal", "msg": "zonder ctx"}, "zonder ctx"),
    ({"type": "missing"}, "verplicht veld ontbreekt"),
    ({"type": "extra_forbidden"}, "onbekend veld"),
    ({"type": "date_parsing"}, "verwacht een geldige datum (JJJJ-MM-DD)"),
    ({"type": "int_parsing"}, "verwacht een geheel getal"),
    ({"type": "int_from_float"}, "verwacht een geheel getal"),
    ({"type": "float_parsing"}, "verwacht een getal"),
    ({"type": "bool_parsing"}, "verwacht ja/nee (true/false)"),
    ({"type": "json_invalid"}, "geen geldige JSON"),
    ({"type": "json_type"}, "geen geldige JSON"),
    ({"type": "url_parsing"}, "verwacht een URL"),
    ({"type": "url_scheme"}, "verwacht een http(s)-URL"),
    ({"type": "iets_nieuws", "msg": "pydantic's text"}, "pydantic's text"),
    ({"type": "iets_nieuws"}, "ongeldig"),
    ({}, "ongeldig"),
])
def test_dutch_message_for_each_kind(err: dict[str, Any], expected: str) -> None:
    assert dutch_message(err) == expected


def _problems(rules: Engine, data: dict[str, Any]) -> dict[str, str]:
    with pytest.raises(CasusError) as caught:
        rules.casus(data)
    return {p.pad: p.melding for p in caught.value.problems}


def test_a_wrong_choice_names_what_is_allowed_and_what_was_given(rules: Engine) -> None:
    data = {**BASE, "personen": [{"id": "p1", "rol": "baas", "leeftijd": 40}]}
    melding = _problems(rules, data)["personen[0].rol"]
    assert melding.startswith("ongeldige waarde; toegestaan: ")
    assert "'aanvrager'" in melding and "'overig'" in melding
    assert "Input should be" not in melding
    assert melding.endswith("(gekregen: 'baas')")


def test_a_bad_number_quotes_the_value_and_a_missing_field_does_not(rules: Engine) -> None:
    data = {**BASE, "personen": [{"id": "p1", "rol": "aanvrager", "leeftijd": "veertig"}],
            "gewenste_effecten": [{"id": "e1", "leefgebied": "mobiliteit"}]}
    problems = _problems(rules, data)
    assert problems["personen[0].leeftijd"] == "verwacht een geheel getal (gekregen: 'veertig')"
    assert problems["gewenste_effecten[0].omschrijving"] == "verplicht veld ontbreekt"


def test_a_value_error_is_its_own_text_without_prefix_or_input(rules: Engine) -> None:
    """A contract check (a model validator) speaks for itself: no 'Value error, ', no input."""
    data = {**BASE, "gewenste_effecten": [{**BASE["gewenste_effecten"][0], "persoon": "p9"}]}
    problems = _problems(rules, data)
    assert problems, problems
    for melding in problems.values():
        assert not melding.startswith("Value error")
        assert "(gekregen:" not in melding


def test_a_long_bad_value_is_shortened_in_the_message(rules: Engine) -> None:
    data = {**BASE, "personen": [{"id": "p1", "rol": "x" * 200, "leeftijd": 40}]}
    melding = _problems(rules, data)["personen[0].rol"]
    quoted = melding.split("(gekregen: ", 1)[1][:-1]
    assert len(quoted) == 80 and quoted.endswith("…")


def test_from_sources_keeps_the_backend_asked_for(rules: Engine) -> None:
    sources = [(lp.source, lp.raw) for lp in rules.rules.packs]
    oracle = Engine.from_sources(sources, backend="oracle")
    assert oracle.backend_name == "oracle" and oracle.backend.name == "oracle"
    assert Engine.from_sources(sources).backend.name == "durable"
    assert oracle.advies(BASE).trace_hash == rules.advies(BASE).trace_hash


def test_a_pack_fact_of_type_keuze_refuses_a_value_outside_its_list(rules: Engine) -> None:
    """engine.casus._type_problem: a `keuze` fact a pack declares (Participatiewet 48 lid 2)
    with a value the pack does not list is named, with what it allows."""
    effect = {**BASE["gewenste_effecten"][0], "pw_lening_grond": "loterij"}
    melding = _problems(rules, {**BASE, "gewenste_effecten": [effect]})[
        "gewenste_effecten[0].pw_lening_grond"]
    assert melding.startswith("ongeldige waarde 'loterij'; toegestaan: ")
    assert "middelen_op_korte_termijn" in melding and "geen" in melding


def test_a_pack_fact_of_type_geheel_refuses_a_negative_number(rules: Engine) -> None:
    """engine.casus._type_problem: a negative number of days abroad (a `geheel` fact of the
    Participatiewet, art. 13 lid 1 e) is no count of days."""
    person = {**BASE["personen"][0], "pw_dagen_buiten_nederland": -3}
    melding = _problems(rules, {**BASE, "personen": [person]})[
        "personen[0].pw_dagen_buiten_nederland"]
    assert melding == "mag niet negatief zijn (gekregen: -3)"
