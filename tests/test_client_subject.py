"""The person the help is for (`client.x`, `Casus.client_van`).

docs/regeltaal.md §Conditions: "`client` is the person the help is for (after Wmo 2015 art.
1.1.1 'cliënt' ...): the child the effect names under `gewenste_effecten[].kind` when that is
another person than the effect's own person (a parent's effect on behalf of the child);
otherwise the effect's own person. Unlike `kind` it always names someone: only an explicit
`kind` counts (the household's only child is not taken for it ...), so a `client.x` is asked at
that person (`personen[id].x`) and never as 'which child'." The expected values below are
written from that text and the tiny pack here (invented rules on real articles), never copied
from the engine's output. Both backends must give the same bytes.
"""

from __future__ import annotations

from typing import Any

import pytest

from engine import Engine, feitadres
from engine.vragen import rank_questions
from tests.packs import load_pack

PACK = """
regelpakket: {id: zeta, naam: Testwet zeta, domein: Wmo, bwb_id: BWBR0035362,
              versie: "1", geldig_vanaf: 2024-01-01}
feiten:
  - {id: zeta_beheer, onderwerp: persoon, type: bool,
     vraag: "Kan deze persoon een pgb beheren?"}
grondwaarden:
  - id: zeta.zelfredzaam
    tekst: "Zelfredzaamheid."
    rechtsgrond: {bwb_id: BWBR0035362, artikel: "2.3.5", lid: "3"}
    toets: {feit: client.beperkingen, op: bevat, waarde: lichamelijk}
instrumenten:
  - id: zeta.woningaanpassing
    naam: Woningaanpassing
    soort: individuele_voorziening
    trede: maatwerk
    rechtsgrond: {bwb_id: BWBR0035362, artikel: "2.3.5", lid: "3"}
    grondwaarden: [zeta.zelfredzaam]
    voorwaarden:
      - id: geen_wlz
        uitleg: "De cliënt heeft geen Wlz-indicatie."
        rechtsgrond: {bwb_id: BWBR0035362, artikel: "2.3.5", lid: "6"}
        toets: {feit: client.wlz_indicatie, op: "=", waarde: false}
      - id: beheer
        uitleg: "De cliënt kan het pgb beheren."
        rechtsgrond: {bwb_id: BWBR0035362, artikel: "2.3.6", lid: "2"}
        toets: {feit: client.zeta_beheer, op: "=", waarde: true}
"""

OUDER = {"id": "ouder", "rol": "aanvrager", "leeftijd": 40, "beperkingen": [],
         "wlz_indicatie": False, "zeta_beheer": True}
"""Invented people only. The parent has no beperking: read for the child, the law vanishes."""
K13 = {"id": "k13", "rol": "kind", "leeftijd": 13, "beperkingen": ["lichamelijk"],
       "wlz_indicatie": False}
K6 = {"id": "k6", "rol": "kind", "leeftijd": 6, "beperkingen": [], "wlz_indicatie": True}


@pytest.fixture(scope="module")
def eng(tmp_path_factory: pytest.TempPathFactory) -> Engine:
    return load_pack(tmp_path_factory.mktemp("client"), "zeta", PACK)


def casus(*people: dict[str, Any], **effect: Any) -> dict[str, Any]:
    return {"peildatum": "2026-03-01", "personen": [dict(p) for p in people],
            "gewenste_effecten": [{"id": "e1", "omschrijving": "Onze dochter kan niet douchen.",
                                   "leefgebied": "basale_adl", **effect}]}


def effect_of(eng: Engine, data: dict[str, Any]) -> dict[str, Any]:
    receipt = eng.advies(data)
    # durable-rules and the oracle give the same bytes with client.x
    assert eng.with_backend("oracle").advies(data).trace_json == receipt.trace_json
    found: dict[str, Any] = receipt.advies["effecten"][0]
    return found


def aanpassing(effect: dict[str, Any]) -> dict[str, Any] | None:
    return next((i for i in effect["stap4"]["instrumenten"]
                 if i["id"] == "zeta.woningaanpassing"), None)


def test_a_parents_effect_naming_the_child_reads_the_child(eng: Engine) -> None:
    """Wmo 1.1.1 'cliënt': "namens wie een melding is gedaan". The father has no beperking;
    the daughter has: the grondwaarde is served and every condition reads her facts."""
    got = aanpassing(effect_of(eng, casus(OUDER, K13, kind="k13")))
    assert got is not None
    assert got["status"] == "voorwaardelijk"
    assert got["nog_uitvragen"] == ["personen[k13].zeta_beheer"]
    assert got["voorwaarden"][0]["toets"]["adres"] == "personen[k13].wlz_indicatie"


def test_without_a_named_child_the_client_is_the_effects_own_person(eng: Engine) -> None:
    """One child in the household, no `kind` on the effect: `kind` would take the only child,
    `client` does not (the parent may ask for his own support). The parent has no beperking:
    the grondwaarde is not served, and nothing asks which child."""
    effect = effect_of(eng, casus(OUDER, K13))
    assert aanpassing(effect) is None
    assert all("gewenste_effecten[e1].kind" not in q for q in effect["nog_uitvragen"])


def test_a_childs_own_effect_reads_that_child(eng: Engine) -> None:
    got = aanpassing(effect_of(eng, casus(OUDER, K13, persoon="k13")))
    assert got is not None and got["nog_uitvragen"] == ["personen[k13].zeta_beheer"]
    same = aanpassing(effect_of(eng, casus(OUDER, K13, persoon="k13", kind="k13")))
    assert same is not None and same["status"] == got["status"]


def test_the_named_child_decides_among_several(eng: Engine) -> None:
    """Children of 13 (beperking, no Wlz) and 6 (Wlz): each named child reads its own facts."""
    assert aanpassing(effect_of(eng, casus(OUDER, K13, K6, kind="k6"))) is None
    with_beperking = {**K6, "beperkingen": ["lichamelijk"]}
    got = aanpassing(effect_of(eng, casus(OUDER, K13, with_beperking, kind="k6")))
    assert got is not None and got["status"] == "past_niet"
    got = aanpassing(effect_of(eng, casus(OUDER, K13, with_beperking, kind="k13")))
    assert got is not None and got["status"] == "voorwaardelijk"


def test_answering_a_client_fact_sets_it_at_the_child(eng: Engine) -> None:
    data = casus(OUDER, K13, kind="k13")
    changed, problems = feitadres.set_facts(data, [("personen[k13].zeta_beheer", True)])
    assert problems == []
    got = aanpassing(effect_of(eng, changed))
    assert got is not None and got["status"] == "past"


def test_the_ranking_asks_the_child_and_answering_which_child_rejudges(eng: Engine) -> None:
    """The ranking's fast path equals the slow one with `client.x`; its question is the
    child's."""
    data = casus(OUDER, K13, kind="k13")
    ranked = rank_questions(eng, data)
    assert [q.feit for q in ranked] == ["personen[k13].zeta_beheer"]
    assert {b.instrument for b in ranked[0].beslist} == {"zeta.woningaanpassing"}
    assert rank_questions(eng, data, fast=False) == ranked
