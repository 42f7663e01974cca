"""Citations corrected against the vendored law texts (issue 11): where a rule's legal basis moved
to another lid when the law changed, the trace must cite the lid in force on the peildatum."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest

from engine import Engine
from engine.citation import Rechtsgrond
from engine.wettekst import Wetteksten, citaat_gevonden

PW = "BWBR0015703"


def _items(node: Any, item_id: str) -> Iterator[dict[str, Any]]:
    if isinstance(node, dict):
        if node.get("id") == item_id:
            yield node
        for v in node.values():
            yield from _items(v, item_id)
    elif isinstance(node, list):
        for v in node:
            yield from _items(v, item_id)


def _jongere(peildatum: str) -> dict[str, Any]:
    return {"peildatum": peildatum,
            "personen": [{"id": "p1", "rol": "aanvrager", "leeftijd": 24, "woont_in_gemeente": True,
                          "uitkering": "bijstand", "pw_vooralsnog_niet_bemiddelbaar": True}],
            "gewenste_effecten": [{"id": "e1", "omschrijving": "Ervaring opdoen.",
                                   "leefgebied": "werk_en_opleiding"}]}


@pytest.mark.parametrize(("peildatum", "lid", "onderdeel", "woorden"), [
    ("2025-06-02", "8", None, "door middel van artikel 10a is niet van toepassing op de persoon "
                              "die jonger is dan 27 jaar"),
    ("2026-06-01", "3", "a", "jonger dan 27 jaar"),
])
def test_participatieplaats_under_27_cites_the_lid_in_force(
        rules: Engine, peildatum: str, lid: str, onderdeel: str | None, woorden: str) -> None:
    trace = rules.advies(_jongere(peildatum)).trace
    facts = list(_items(trace, "pw_participatieplaats_niet_onder_27"))
    assert facts and all(f["uitkomst"] == "ja" for f in facts)
    rg = facts[0]["rechtsgrond"]
    assert (rg["artikel"], rg["lid"], rg["onderdeel"]) == ("7", lid, onderdeel)
    # and those are the law's words on that day, in the vendored text
    passage = Wetteksten.load().passage(
        Rechtsgrond(bwb_id=PW, artikel="7", lid=lid, onderdeel=onderdeel),
        dt.date.fromisoformat(peildatum))
    assert passage is not None and citaat_gevonden(woorden, passage.tekst)


def test_wmo_kortdurend_verblijf_for_a_child_is_not_barred_by_the_jeugdwet(rules: Engine) -> None:
    """Jw 1.2 lid 1 b relieves the Jeugdwet college where another law gives an aanspraak (save Wmo
    begeleiding): it never bars Wmo kortdurend verblijf. What remains is the Wmo's own duty to
    attune to jeugdhulp (2.3.5 lid 5 c), a vermelding."""
    casus = {"peildatum": "2026-11-02",
             "huishouden": {"samenstelling": "paar_met_kinderen"},
             "netwerk": {"mantelzorg_beschikbaar": True, "mantelzorger_overbelast": True,
                         "gebruikelijke_hulp_mogelijk": False, "sociaal_netwerk": "beperkt",
                         "algemene_voorziening_toereikend": False},
             "personen": [{"id": "p1", "rol": "aanvrager", "leeftijd": 12,
                           "woont_in_gemeente": True, "verblijfsstatus": "nederlander",
                           "beperkingen": ["verstandelijk"], "wlz_indicatie": False,
                           "wmo_wlz_weigert_medewerking": False}],
             "gewenste_effecten": [{"id": "e1", "omschrijving": "Op adem komen.",
                                    "leefgebied": "basale_adl",
                                    "wmo_eigen_kracht_toereikend": False,
                                    "wmo_netwerk_toereikend_effect": False}]}
    trace = rules.advies(casus).trace
    ins = next(_items(trace, "wmo.kortdurend_verblijf"))
    assert ins["status"] == "past"
    jw = next(_items(ins, "jeugdwet"))
    assert jw["rechtsgrond"]["bwb_id"] == "BWBR0035362"
    assert (jw["rechtsgrond"]["artikel"], jw["rechtsgrond"]["lid"],
            jw["rechtsgrond"]["onderdeel"]) == ("2.3.5", "5", "c")
