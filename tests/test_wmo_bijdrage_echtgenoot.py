"""Art. 3.8 lid 3 onder f Uitvoeringsbesluit Wmo 2015: no bijdrage "door de gehuwde cliënt of de
gehuwde cliënten tezamen, waarvan ten minste een van beiden de pensioengerechtigde leeftijd nog
niet heeft bereikt". The spouse's own facts decide (partner.aow_leeftijd_bereikt, Wmo 2026.12.6);
a third independent reader found a client of 70 with a wife of 62 shown a possible bijdrage.
The YAML test format checks only what is shown, so the cap's outcome is read here."""

from __future__ import annotations

from typing import Any

import pytest

from engine import Engine


def _casus(client_aow: bool, spouse_aow: bool | None, effect_for: str = "p1",
           spouse_age: int | None = 62) -> dict[str, Any]:
    spouse: dict[str, Any] = {"id": "p2", "rol": "partner",
                              "woont_in_gemeente": True, "verblijfsstatus": "nederlander"}
    if spouse_age is not None:
        spouse["leeftijd"] = spouse_age
    if spouse_aow is not None:
        spouse["aow_leeftijd_bereikt"] = spouse_aow
    return {
        "peildatum": "2026-11-02",
        "huishouden": {"samenstelling": "paar", "woonsituatie": "huur"},
        "personen": [{"id": "p1", "rol": "aanvrager", "leeftijd": 70, "woont_in_gemeente": True,
                      "verblijfsstatus": "nederlander", "beperkingen": ["lichamelijk"],
                      "wlz_indicatie": False, "aow_leeftijd_bereikt": client_aow,
                      "wmo_bijdrage_bw_of_wlz": False, "wmo_opvang_twee_nachten": False,
                      "wmo_college_vrijstelling_bijdrage": False}, spouse],
        "gewenste_effecten": [{"id": "e1", "omschrijving": "Het huis schoon en de was gedaan.",
                               "leefgebied": "instrumentele_adl", "persoon": effect_for}],
    }


def _bijdrage(rules: Engine, casus: dict[str, Any]) -> str:
    effect = rules.advies(casus).advies["effecten"][0]
    hh = next(i for i in effect["stap4"]["instrumenten"] if i["id"] == "wmo.huishoudelijke_hulp")
    cap = next(b for b in hh["begrenzingen"] if b["id"] == "eigen_bijdrage")
    return str(cap["uitkomst"])


# Wmo 2026.12.7 (vierde lezing): the spouse's age decides "nog niet bereikt" when the AOW field is
# empty (Ub 1.1: the pensioengerechtigde leeftijd of art. 7a lid 1 AOW, 67 in 2026). Two cases
# changed for that reason: "both have reached it" now gives the wife an age over 67 (a wife of 62
# with the AOW age reached cannot exist in 2026), and a wife of 62 with the field empty is exempt.
@pytest.mark.parametrize(("client_aow", "spouse_aow", "spouse_age", "expected"), [
    (True, False, 62, "nee"),        # the wife (62) has not reached it: no bijdrage (was onbekend)
    (True, True, 68, "onbekend"),    # both have: the verordening decides (gemeenteraad)
    (True, None, 62, "nee"),         # field empty, but 62 < 67: not reached (2026.12.6: onbekend)
    (True, None, None, "onbekend"),  # neither the field nor the age known: not exempt yet
    (False, True, 62, "nee"),        # the client himself has not reached it
])
def test_the_spouse_under_aow_age_exempts_the_couple(rules: Engine, client_aow: bool,
                                                    spouse_aow: bool | None,
                                                    spouse_age: int | None,
                                                    expected: str) -> None:
    assert _bijdrage(rules, _casus(client_aow, spouse_aow, spouse_age=spouse_age)) == expected


def test_for_an_effect_of_the_spouse_the_applicant_is_the_other_spouse(rules: Engine) -> None:
    """The partner needs the help; the aanvrager (her husband) is the one under AOW age."""
    # 2026.12.7: the wife is 68 (she has reached the AOW age; at 62 her age alone would exempt).
    casus = _casus(client_aow=False, spouse_aow=True, effect_for="p2", spouse_age=68)
    casus["personen"][1].update(beperkingen=["lichamelijk"], wlz_indicatie=False,
                                wmo_bijdrage_bw_of_wlz=False, wmo_opvang_twee_nachten=False,
                                wmo_college_vrijstelling_bijdrage=False)
    assert _bijdrage(rules, casus) == "nee"
    casus["personen"][0]["aow_leeftijd_bereikt"] = True
    assert _bijdrage(rules, casus) == "onbekend"
