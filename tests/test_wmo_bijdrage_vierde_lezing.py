"""Wmo 2026.12.7, vierde lezing (2026-12-04): the bijdrage exemptions of art. 3.8 Uitvoeringsbesluit
Wmo 2015 (Ub), read whole. The YAML test format only checks that a cap is shown, so whether a
bijdrage may be charged (the begrenzing `eigen_bijdrage`: `nee` = exempt, `onbekend` = mogelijk,
the verordening decides, art. 2.1.4a lid 1 Wmo 2015 "Bij verordening kan") is read here.

* Finding 1 (casus b12): lid 3 onder f exempts only "de gehuwde cliënt of de gehuwde cliënten
  tezamen, waarvan ten minste een van beiden de pensioengerechtigde leeftijd nog niet heeft
  bereikt"; an unmarried son living with his parents is not gehuwd (Wmo 1.1.2 lid 2 onder a:
  "tenzij het betreft een bloedverwant in de eerste graad").
* Finding 2 (casussen b10, b11): "nog niet bereikt" follows from the age when the AOW field is
  empty (Ub 1.1: the pensioengerechtigde leeftijd of art. 7a lid 1 AOW; 67 in 2026).
* Finding 3 (casussen b08, b09): lid 6 "Het derde lid is van overeenkomstige toepassing op degenen
  die op grond van artikel 2.1.5 de bijdrage verschuldigd zijn voor een woningaanpassing voor
  minderjarige cliënten": married parents of whom at least one is under the AOW age owe nothing
  for their child's woningaanpassing.

Fail on 2026.12.6 (checked by running this file against /work/main's rules): the son (nee there),
the couple of 45/44 and the partner of 64 (onbekend there), and the married parents (onbekend
there). The other cases hold the boundary on both versions."""

from __future__ import annotations

from typing import Any

import pytest

from engine import Engine


def _persoon(pid: str, rol: str, leeftijd: int | None, aow: bool | None = None,
             **extra: Any) -> dict[str, Any]:
    p: dict[str, Any] = {"id": pid, "rol": rol, "woont_in_gemeente": True,
                         "verblijfsstatus": "nederlander", **extra}
    if leeftijd is not None:
        p["leeftijd"] = leeftijd
    if aow is not None:
        p["aow_leeftijd_bereikt"] = aow
    return p


def _cap(rules: Engine, casus: dict[str, Any], instrument: str) -> str:
    effect = rules.advies(casus).advies["effecten"][0]
    found = next(i for i in effect["stap4"]["instrumenten"] if i["id"] == instrument)
    cap = next(b for b in found["begrenzingen"] if b["id"] == "eigen_bijdrage")
    return str(cap["uitkomst"])


def _huishoudelijke_hulp(samenstelling: str, personen: list[dict[str, Any]]) -> dict[str, Any]:
    return {"peildatum": "2026-12-01",
            "huishouden": {"samenstelling": samenstelling, "woonsituatie": "huur"},
            "personen": personen,
            "gewenste_effecten": [{"id": "e1", "omschrijving": "Het huis schoon houden.",
                                   "leefgebied": "instrumentele_adl", "persoon": "p1"}]}


BEPERKT = {"beperkingen": ["lichamelijk"], "wlz_indicatie": False}


def test_unmarried_son_living_with_his_parents_is_not_exempt_under_f(rules: Engine) -> None:
    """b12: 25, rol aanvrager, parents (rol overig) in a household paar_met_kinderen."""
    casus = _huishoudelijke_hulp("paar_met_kinderen", [
        _persoon("p1", "aanvrager", 25, False, **BEPERKT),
        _persoon("vader", "overig", 58, False), _persoon("moeder", "overig", 56, False)])
    assert _cap(rules, casus, "wmo.huishoudelijke_hulp") == "onbekend"  # was nee (exempt)


def test_a_couple_is_still_exempt_under_f(rules: Engine) -> None:
    """The same facts with a partner: the married (or cohabiting) couple is exempt."""
    casus = _huishoudelijke_hulp("paar", [
        _persoon("p1", "aanvrager", 25, False, **BEPERKT), _persoon("p2", "partner", 26, False)])
    assert _cap(rules, casus, "wmo.huishoudelijke_hulp") == "nee"


@pytest.mark.parametrize(("client", "spouse", "expected"), [
    ((45, None), (44, None), "nee"),      # b10: both far under 67, AOW fields empty
    ((70, True), (64, None), "nee"),      # b11: the partner of 64 has not reached 67
    ((70, True), (67, None), "onbekend"),  # 67 in whole years does not say "not reached"
    ((70, True), (None, None), "onbekend"),  # nothing known of the partner: no exemption yet
    ((70, True), (69, True), "onbekend"),  # both reached it: the verordening decides
])
def test_the_age_decides_not_yet_reached(rules: Engine, client: tuple[int, bool | None],
                                         spouse: tuple[int | None, bool | None],
                                         expected: str) -> None:
    casus = _huishoudelijke_hulp("paar", [_persoon("p1", "aanvrager", *client, **BEPERKT),
                                          _persoon("p2", "partner", *spouse)])
    assert _cap(rules, casus, "wmo.huishoudelijke_hulp") == expected


def _woningaanpassing_kind(samenstelling: str, ouders: list[dict[str, Any]]) -> dict[str, Any]:
    return {"peildatum": "2026-11-02",
            "huishouden": {"samenstelling": samenstelling, "woonsituatie": "huur"},
            "personen": [*ouders, _persoon("jip", "kind", 9, **BEPERKT)],
            "gewenste_effecten": [{"id": "e1", "leefgebied": "basale_adl", "persoon": "jip",
                                   "omschrijving": "Jip moet zelf naar de badkamer kunnen."}]}


def test_married_parents_under_aow_age_owe_no_bijdrage_for_the_childs_adaptation(
        rules: Engine) -> None:
    """b09 (b08 of the other reader): lid 6 with lid 3 onder f for the parents (2.1.5)."""
    casus = _woningaanpassing_kind("paar_met_kinderen", [
        _persoon("vader", "aanvrager", 40, False), _persoon("moeder", "partner", 39, False)])
    assert _cap(rules, casus, "wmo.woningaanpassing") == "nee"  # was onbekend


@pytest.mark.parametrize(("samenstelling", "ouders"), [
    # a single parent is not gehuwd: f does not apply to her (the verordening decides)
    ("alleenstaande_ouder", [_persoon("moeder", "aanvrager", 40, False)]),
    # grandparents raising the child, both over the AOW age: no exemption f
    ("paar_met_kinderen", [_persoon("opa", "aanvrager", 70, True),
                           _persoon("oma", "partner", 68, True)]),
])
def test_parents_without_an_exemption_may_owe_the_bijdrage(
        rules: Engine, samenstelling: str, ouders: list[dict[str, Any]]) -> None:
    casus = _woningaanpassing_kind(samenstelling, ouders)
    assert _cap(rules, casus, "wmo.woningaanpassing") == "onbekend"


def test_a_parent_paying_a_wlz_bijdrage_exempts_the_parents(rules: Engine) -> None:
    """Lid 6 with lid 3 onder a: "indien de cliënt of de echtgenoot van de cliënt een bijdrage ...
    ingevolge de artikelen 3.3.2.1 of 3.3.2.2 van het Besluit langdurige zorg verschuldigd is"."""
    casus = _woningaanpassing_kind("paar_met_kinderen", [
        _persoon("opa", "aanvrager", 70, True),
        _persoon("oma", "partner", 68, True, wmo_bijdrage_bw_of_wlz=True)])
    assert _cap(rules, casus, "wmo.woningaanpassing") == "nee"
