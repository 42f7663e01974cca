"""Wmo 2026.12.18, fresh53 AB5: on the own effect of a young mantelzorger, the kortdurend verblijf
(respijt) is for the person she cares for, so the Jeugdwet vermelding ("voor een jeugdige onder 18
kan logeeropvang ook jeugdhulp zijn", art. 2.3.5 lid 5 onder c Wmo 2015: "jeugdhulp ... die de
cliënt ontvangt of kan ontvangen") must not read her age. The YAML test format has no key for a
vermelding, so its `uitkomst` is read here.

Fails on the rules of commit 3247041 (the vermelding was `ja` for a 15-year-old mantelzorger of
her mother of 45); the control holds on both."""

from __future__ import annotations

from typing import Any

from engine import Engine


def _jeugdwet_vermelding(rules: Engine, casus: dict[str, Any]) -> str:
    effect = rules.advies(casus).advies["effecten"][0]
    verblijf = next(i for i in effect["stap4"]["instrumenten"]
                    if i["id"] == "wmo.kortdurend_verblijf")
    vermelding = next(v for v in verblijf["voorliggend"] if v["id"] == "jeugdwet")
    return str(vermelding["uitkomst"])


def _casus(effect: dict[str, Any]) -> dict[str, Any]:
    return {"peildatum": "2026-12-01",
            "huishouden": {"samenstelling": "alleenstaande_ouder", "woonsituatie": "huur"},
            "personen": [
                {"id": "moeder", "rol": "aanvrager", "leeftijd": 45, "woont_in_gemeente": True,
                 "verblijfsstatus": "nederlander", "beperkingen": ["lichamelijk"],
                 "wlz_indicatie": False},
                {"id": "noor", "rol": "kind", "leeftijd": 15, "woont_in_gemeente": True,
                 "verblijfsstatus": "nederlander", "beperkingen": ["psychisch"],
                 "wlz_indicatie": False, "wmo_geeft_mantelzorg": True}],
            "netwerk": {"mantelzorg_beschikbaar": True, "mantelzorger_overbelast": True,
                        "sociaal_netwerk": "beperkt"},
            "gewenste_effecten": [{"id": "e1", **effect}]}


def test_no_jeugdwet_vermelding_on_the_young_mantelzorgers_own_effect(rules: Engine) -> None:
    casus = _casus({"omschrijving": "Ik wil ook tijd voor mijn huiswerk en mijn vriendinnen.",
                    "leefgebied": "tijdsbesteding", "persoon": "noor"})
    assert _jeugdwet_vermelding(rules, casus) == "nee"


def test_jeugdwet_vermelding_stays_for_a_minor_cliënt(rules: Engine) -> None:
    """Control: the 15-year-old's own need for care (basale ADL): she is the cliënt."""
    casus = _casus({"omschrijving": "Hulp bij het aankleden.", "leefgebied": "basale_adl",
                    "persoon": "noor"})
    assert _jeugdwet_vermelding(rules, casus) == "ja"
