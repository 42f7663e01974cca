"""The person whose work the effect is about (`betrokkene.x`, `Casus.betrokkene_van`).

docs/regeltaal.md §Conditions: "`betrokkene` is the person whose work the effect is about
(Participatiewet art. 7 lid 1 a ...): the client when the effect names another person who is 18
or older (a sister who reports for her brother of 30); the effect's own person when the named
child is a minor (a parent who names his baby because of its care asks about his own work) or
when the effect names no one else; no one while the named person's age is onbekend (every
`betrokkene.x` is then onbekend and the question is that person's `leeftijd`)." fresh67 AP2: the
sister of 24 who reported for her brother of 30 got sociale activering `past_niet` on her own
age (art. 7 lid 3 a, "jonger dan 27"). The expected values are written from that text and the
tiny pack here (invented rules on real articles). Both backends must give the same bytes.
Invented people only.
"""

from __future__ import annotations

from typing import Any

import pytest

from engine import Engine
from engine.vragen import rank_questions

PACK = """
regelpakket: {id: theta, naam: Testwet theta, domein: Participatiewet, bwb_id: BWBR0015703,
              versie: "1", geldig_vanaf: 2024-01-01}
grondwaarden:
  - id: theta.werk
    tekst: "Arbeidsinschakeling."
    rechtsgrond: {bwb_id: BWBR0015703, artikel: "7", lid: "1"}
    toets: {feit: effect.leefgebied, op: "=", waarde: tijdsbesteding}
instrumenten:
  - id: theta.sociale_activering
    naam: Sociale activering
    soort: individuele_voorziening
    trede: maatwerk
    rechtsgrond: {bwb_id: BWBR0015703, artikel: "7", lid: "1", onderdeel: a}
    grondwaarden: [theta.werk]
    uitsluitingen:
      - id: jonger_dan_27
        uitleg: "Art. 7 lid 1 a geldt niet voor wie jonger is dan 27."
        rechtsgrond: {bwb_id: BWBR0015703, artikel: "7", lid: "3", onderdeel: a}
        toets: {feit: betrokkene.leeftijd, op: "<", waarde: 27}
"""

MOEDER = {"id": "ria", "rol": "aanvrager", "leeftijd": 62}
EVA = {"id": "eva", "rol": "kind", "leeftijd": 24}
BAS = {"id": "bas", "rol": "kind", "leeftijd": 30}
JIP = {"id": "jip", "rol": "kind", "leeftijd": 1}


@pytest.fixture(scope="module")
def eng(tmp_path_factory: pytest.TempPathFactory) -> Engine:
    folder = tmp_path_factory.mktemp("betrokkene") / "theta"
    folder.mkdir()
    (folder / "theta.yaml").write_text(PACK, "utf-8")
    return Engine.load([folder])


def casus(*people: dict[str, Any], **effect: Any) -> dict[str, Any]:
    return {"peildatum": "2026-03-01", "personen": [dict(p) for p in people],
            "gewenste_effecten": [{"id": "e1", "omschrijving": "Hij zit de hele dag thuis.",
                                   "leefgebied": "tijdsbesteding", **effect}]}


def activering(eng: Engine, data: dict[str, Any]) -> dict[str, Any]:
    receipt = eng.advies(data)
    assert eng.with_backend("oracle").advies(data).trace_json == receipt.trace_json
    [found] = [i for i in receipt.advies["effecten"][0]["stap4"]["instrumenten"]
               if i["id"] == "theta.sociale_activering"]
    return found


def adres(found: dict[str, Any]) -> str:
    [uitsluiting] = found["uitsluitingen"]
    address: str = uitsluiting["toets"]["adres"]
    return address


def test_a_sister_who_reports_for_her_adult_brother_asks_about_his_work(eng: Engine) -> None:
    found = activering(eng, casus(MOEDER, EVA, BAS, persoon="eva", kind="bas"))
    assert adres(found) == "personen[bas].leeftijd"
    assert found["status"] == "past"  # Bas is 30: no exclusion; hers (24) would have given one


def test_a_parent_who_names_a_minor_asks_about_his_own_work(eng: Engine) -> None:
    found = activering(eng, casus(MOEDER, EVA, JIP, persoon="eva", kind="jip"))
    assert adres(found) == "personen[eva].leeftijd"
    assert found["status"] == "past_niet"  # Eva is 24
    found = activering(eng, casus(MOEDER, JIP, kind="jip"))
    assert adres(found) == "personen[ria].leeftijd" and found["status"] == "past"


def test_the_own_effect_is_the_own_person(eng: Engine) -> None:
    found = activering(eng, casus(MOEDER, BAS, persoon="bas"))
    assert adres(found) == "personen[bas].leeftijd" and found["status"] == "past"


def test_while_the_named_persons_age_is_onbekend_no_one_is_meant(eng: Engine) -> None:
    """Not Eva's age (24, an exclusion) and not no answer: the question is Bas's age."""
    bas = {k: v for k, v in BAS.items() if k != "leeftijd"}
    data = casus(MOEDER, EVA, bas, persoon="eva", kind="bas")
    found = activering(eng, data)
    assert adres(found) == "personen[bas].leeftijd"
    assert found["status"] == "voorwaardelijk"
    assert found["nog_uitvragen"] == ["personen[bas].leeftijd"]
    ranked = rank_questions(eng, data)
    assert rank_questions(eng, data, fast=False) == ranked
    [leeftijd] = ranked
    # 30 makes it past (his age), 17 past_niet (then Eva works, 24): every answer decides
    assert {b.instrument for b in leeftijd.beslist} == {"theta.sociale_activering"}
