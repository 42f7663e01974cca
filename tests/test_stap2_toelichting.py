"""The casus-level step-2 sentence (`advies.stap2.toelichting`) says what step 2 found.

fresh101 BX2: at a first conversation the grondwaarde of the Wmo is still onbekend (the
beperking is not yet asked), so step 2 names no domain but a possible one; the sentence said
"Geen domein: het gewenste effect dient geen grondwaarde", which is untrue while the answer is
still open. Invented people.
"""

from __future__ import annotations

from typing import Any

from engine import Engine


def _stap2(rules: Engine, leefgebied: str, **persoon: Any) -> dict[str, Any]:
    casus = {
        "peildatum": "2026-03-02",
        "huishouden": {"samenstelling": "alleenstaand"},
        "personen": [{"id": "p1", "rol": "aanvrager", "leeftijd": 84, **persoon}],
        "gewenste_effecten": [{"id": "e1", "omschrijving": "Het huishouden lukt niet meer.",
                               "leefgebied": leefgebied}],
    }
    stap2: dict[str, Any] = rules.advies(casus).advies["stap2"]
    return stap2


def test_only_possible_domains_say_that_the_answer_is_still_open(rules: Engine) -> None:
    stap2 = _stap2(rules, "instrumentele_adl")
    assert stap2["domeinen"] == []
    assert stap2["mogelijke_domeinen"] == ["Wmo"]
    assert stap2["toelichting"].startswith("Nog geen domein vastgesteld")
    assert "dient geen grondwaarde" not in stap2["toelichting"]


def test_a_stated_answer_gives_one_domain(rules: Engine) -> None:
    stap2 = _stap2(rules, "instrumentele_adl", beperkingen=["lichamelijk"])
    assert stap2["domeinen"] == ["Wmo"]
    assert stap2["toelichting"].startswith("Eén domein")


def test_no_domain_at_all_still_says_geen_domein(rules: Engine) -> None:
    stap2 = _stap2(rules, "instrumentele_adl", beperkingen=[])
    assert stap2["domeinen"] == [] and stap2["mogelijke_domeinen"] == []
    assert stap2["toelichting"].startswith("Geen domein")
