"""Details of the explanation that only the budgeted mutation run reached (docs/testen.md,
"Mutatietesten", 2026-12-07): the citation and the question of a toepassing without its own
text, the partner's question at the role address, and a child of exactly 18 as an adult.

The pack here is invented (rules on real articles); expected values are written from the
regeltaal and the law (Pw art. 4 lid 1: "ten laste komend kind: het kind jonger dan 18 jaar"),
never copied from the engine's output. Invented people only.
"""

from __future__ import annotations

from typing import Any

import pytest

from engine import Engine
from tests.packs import load_pack

PACK = """
regelpakket: {id: theta, naam: Testwet theta, domein: Wmo, bwb_id: BWBR0035362,
              versie: "1", geldig_vanaf: 2024-01-01}
feiten:
  - {id: theta_hulp_nodig, onderwerp: effect, type: bool, vraag: "Is hulp nodig?"}
  - {id: theta_zorgt, onderwerp: persoon, type: bool,
     vraag: "Zorgt deze persoon voor iemand? Deze persoon telt mee als mantelzorger."}
grondwaarden:
  - id: theta.steun
    tekst: "Steun."
    rechtsgrond: {bwb_id: BWBR0035362, artikel: "2.1.1", lid: "1"}
    toets: {feit: effect.leefgebied, op: "=", waarde: instrumentele_adl}
instrumenten:
  - id: theta.hulp
    naam: Hulp
    soort: individuele_voorziening
    trede: maatwerk
    rechtsgrond: {bwb_id: BWBR0035362, artikel: "2.3.5", lid: "3"}
    grondwaarden: [theta.steun]
    toepassing: {feit: effect.theta_hulp_nodig, op: "=", waarde: true}
    voorwaarden:
      - id: partner_zorgt
        uitleg: "De partner zorgt."
        rechtsgrond: {bwb_id: BWBR0035362, artikel: "2.3.2", lid: "4", onderdeel: d}
        toets: {feit: partner.theta_zorgt, op: "=", waarde: true}
      - id: een_volwassen_kind
        uitleg: "Er woont een meerderjarig kind in huis."
        rechtsgrond: {bwb_id: BWBR0035362, artikel: "2.3.2", lid: "4", onderdeel: d}
        toets: {feit: huishouden.aantal_meerderjarige_kinderen, op: ">", waarde: 0}
"""


@pytest.fixture(scope="module")
def eng(tmp_path_factory: pytest.TempPathFactory) -> Engine:
    return load_pack(tmp_path_factory.mktemp("theta"), "theta", PACK)


def advies(eng: Engine, kind_leeftijd: int, **effect: Any) -> dict[str, Any]:
    casus = {
        "peildatum": "2026-03-01",
        "huishouden": {"samenstelling": "overig"},
        "personen": [{"id": "a", "rol": "aanvrager", "leeftijd": 50},
                     {"id": "k", "rol": "kind", "leeftijd": kind_leeftijd}],
        "gewenste_effecten": [{"id": "e1", "omschrijving": "Hulp in huis.",
                               "leefgebied": "instrumentele_adl", **effect}],
    }
    receipt = eng.advies(casus)
    assert eng.with_backend("oracle").advies(casus).trace_json == receipt.trace_json
    return receipt.advies


def hulp(advies: dict[str, Any]) -> dict[str, Any]:
    [found] = [i for i in advies["effecten"][0]["stap4"]["instrumenten"]
               if i["id"] == "theta.hulp"]
    return found


def test_a_toepassing_without_its_own_text_cites_the_instrument_and_asks_if_it_is_in_view(
        eng: Engine) -> None:
    [reden] = [r for r in hulp(advies(eng, 18))["redenen"] if r["soort"] == "toepassing"]
    assert reden["citaat"] == "art. 2.3.5 lid 3 Wmo 2015"
    assert reden["uitleg"] == "Komt dit instrument bij dit gewenste effect in beeld?"


def test_the_partners_question_at_the_role_address_names_the_partner(eng: Engine) -> None:
    """No partner in the casus: the fact is asked at `partner.theta_zorgt`, and "deze persoon"
    would point at no one, at the start of a sentence too."""
    found = advies(eng, 18, theta_hulp_nodig=True)
    [vraag] = [v for v in found["nog_uitvragen"] if v["feit"] == "partner.theta_zorgt"]
    assert vraag["vraag"] == "Zorgt de partner voor iemand? De partner telt mee als mantelzorger."


def test_a_child_of_exactly_18_is_an_adult_child(eng: Engine) -> None:
    """Pw art. 4 lid 1: a ten laste komend kind is "jonger dan 18 jaar"; at 18 he counts."""
    [voorwaarde] = [v for v in hulp(advies(eng, 18, theta_hulp_nodig=True))["voorwaarden"]
                    if v["id"] == "een_volwassen_kind"]
    assert voorwaarde["uitkomst"] == "ja"
    [voorwaarde] = [v for v in hulp(advies(eng, 17, theta_hulp_nodig=True))["voorwaarden"]
                    if v["id"] == "een_volwassen_kind"]
    assert voorwaarde["uitkomst"] == "nee"
