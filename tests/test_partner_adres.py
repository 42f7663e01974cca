"""The partner's facts (`partner.x`): read from the one person with rol `partner`, asked at the
role address while the casus does not name the partner, and answering adds the partner.

docs/regeltaal.md §Conditions: "`partner` is the aanvrager's partner: the one person with rol
`partner` in `personen`. When the casus names no such person (or more than one), every
`partner.x` is onbekend and is asked at the role address `partner.x`; answering it adds the
partner to `personen` (id `partner`)." The expected values below are written from that text and
the tiny pack here (an invented rule on a real article), never copied from the engine's output.
Both backends must give the same bytes.
"""

from __future__ import annotations

from typing import Any

import pytest

from engine import Engine, feitadres
from engine.catalogue import Catalogue
from engine.vragen import rank_questions

PACK = """
regelpakket: {id: delta, naam: Testwet delta, domein: Participatiewet, bwb_id: BWBR0015703,
              versie: "1", geldig_vanaf: 2024-01-01}
grondwaarden:
  - id: delta.bestaan
    tekst: "Bestaanszekerheid."
    rechtsgrond: {bwb_id: BWBR0015703, artikel: "7", lid: "1"}
    toets: {feit: effect.leefgebied, op: "=", waarde: financien}
instrumenten:
  - id: delta.svb
    naam: Bijstand door de SVB (partner op AOW-leeftijd)
    soort: maatwerkvoorziening
    trede: maatwerk
    rechtsgrond: {bwb_id: BWBR0015703, artikel: "47a", lid: "1", onderdeel: b}
    grondwaarden: [delta.bestaan]
    voorwaarden:
      - id: partner_aow
        uitleg: "De aanvrager is gehuwd met iemand die de AOW-leeftijd heeft bereikt."
        rechtsgrond: {bwb_id: BWBR0015703, artikel: "47a", lid: "1", onderdeel: b}
        toets:
          alle:
            - {feit: huishouden.samenstelling, op: in, waarde: [paar, paar_met_kinderen]}
            - {feit: partner.aow_leeftijd_bereikt, op: "=", waarde: true}
"""

AANVRAGER = {"id": "p1", "rol": "aanvrager", "leeftijd": 60}
"""Invented people only."""


@pytest.fixture(scope="module")
def eng(tmp_path_factory: pytest.TempPathFactory) -> Engine:
    folder = tmp_path_factory.mktemp("partner") / "delta"
    folder.mkdir()
    (folder / "delta.yaml").write_text(PACK, "utf-8")
    return Engine.load([folder])


def casus(samenstelling: str, *personen: dict[str, Any]) -> dict[str, Any]:
    return {"peildatum": "2026-03-01", "huishouden": {"samenstelling": samenstelling},
            "personen": [dict(AANVRAGER), *personen],
            "gewenste_effecten": [{"id": "e1", "omschrijving": "Rondkomen.",
                                   "leefgebied": "financien"}]}


def svb(eng: Engine, data: dict[str, Any]) -> dict[str, Any]:
    receipt = eng.advies(data)
    assert eng.with_backend("oracle").advies(data).trace_json == receipt.trace_json
    effect = receipt.advies["effecten"][0]
    found: dict[str, Any] = next(i for i in effect["stap4"]["instrumenten"]
                                 if i["id"] == "delta.svb")
    return found


@pytest.mark.parametrize(("aow", "status"), [(True, "past"), (False, "past_niet")])
def test_the_partners_own_fact_decides(eng: Engine, aow: bool, status: str) -> None:
    """The partner is in `personen` with the fact: it decides, nothing is asked."""
    partner = {"id": "p2", "rol": "partner", "leeftijd": 70, "aow_leeftijd_bereikt": aow}
    got = svb(eng, casus("paar", partner))
    assert got["status"] == status
    assert got["nog_uitvragen"] == []
    toets = got["voorwaarden"][0]["toets"]["alle"][1]
    assert toets["adres"] == "personen[p2].aow_leeftijd_bereikt"


def test_a_named_partner_without_the_fact_is_asked_at_the_partner(eng: Engine) -> None:
    got = svb(eng, casus("paar", {"id": "p2", "rol": "partner"}))
    assert got["status"] == "voorwaardelijk"
    assert got["nog_uitvragen"] == ["personen[p2].aow_leeftijd_bereikt"]


def test_no_partner_in_the_casus_is_asked_at_the_role(eng: Engine) -> None:
    """A couple whose partner is not in `personen`: the question goes to `partner.x`."""
    got = svb(eng, casus("paar"))
    assert got["status"] == "voorwaardelijk"
    assert got["nog_uitvragen"] == ["partner.aow_leeftijd_bereikt"]


def test_a_single_person_is_not_asked_about_a_partner(eng: Engine) -> None:
    got = svb(eng, casus("alleenstaand"))
    assert got["status"] == "past_niet"
    assert got["nog_uitvragen"] == []


def test_two_persons_with_rol_partner_name_no_one(eng: Engine) -> None:
    """No single partner: the facts of neither decide; the role address is asked, and it
    cannot be answered there (the answer must name the person)."""
    a = {"id": "p2", "rol": "partner", "aow_leeftijd_bereikt": True}
    b = {"id": "p3", "rol": "partner", "aow_leeftijd_bereikt": True}
    data = casus("paar", a, b)
    got = svb(eng, data)
    assert got["status"] == "voorwaardelijk"
    assert got["nog_uitvragen"] == ["partner.aow_leeftijd_bereikt"]
    _, problems = feitadres.set_facts(data, [("partner.aow_leeftijd_bereikt", True)])
    assert problems and "meer dan één" in problems[0][1]


def test_answering_the_role_address_adds_the_partner(eng: Engine) -> None:
    data = casus("paar")
    changed, problems = feitadres.set_facts(data, [("partner.aow_leeftijd_bereikt", True)])
    assert problems == []
    assert changed["personen"][1] == {"id": "partner", "rol": "partner",
                                      "aow_leeftijd_bereikt": True}
    assert data["personen"] == [AANVRAGER]  # the original is untouched
    assert svb(eng, changed)["status"] == "past"
    # the second answer lands on the partner now named, not on a new one
    again, _ = feitadres.set_facts(changed, [("partner.leeftijd", 71)])
    assert [p["id"] for p in again["personen"]] == ["p1", "partner"]
    assert again["personen"][1]["leeftijd"] == 71


def test_a_taken_id_gives_the_next_free_one() -> None:
    data = {"personen": [{"id": "partner", "rol": "kind"}]}
    changed, problems = feitadres.set_facts(data, [("partner.leeftijd", 40)])
    assert problems == []
    assert changed["personen"][1] == {"id": "partner2", "rol": "partner", "leeftijd": 40}


def test_removing_a_fact_of_an_absent_partner_adds_no_one() -> None:
    data = {"personen": [dict(AANVRAGER)]}
    changed, problems = feitadres.set_facts(data, [("partner.leeftijd", None)])
    assert problems == [] and changed == data


def test_role_address_names_the_catalogue_person_fact() -> None:
    adres = feitadres.parse("partner.leeftijd")
    assert adres is not None and adres.is_persoon
    assert adres.catalogus_naam == "persoon.leeftijd"
    spec = Catalogue.contract().resolve("partner.leeftijd")
    assert spec is not None and spec.type == "geheel"
    assert feitadres.parse("partner[p2].leeftijd") is None


def test_the_ranking_tries_answers_at_the_role_address(eng: Engine) -> None:
    """The question ranking sets the answer at the role address (adding the partner) and
    sees it decide the instrument."""
    ranked = rank_questions(eng, casus("paar"))
    first = ranked[0]
    assert first.feit == "partner.aow_leeftijd_bereikt"
    assert {b.instrument for b in first.beslist} == {"delta.svb"}


def test_a_question_at_the_role_address_names_the_partner(eng: Engine) -> None:
    """"Heeft deze persoon…" would point at no one while the partner is not in the casus."""
    advies = eng.advies(casus("paar")).advies
    vragen = {v["feit"]: v["vraag"] for v in advies["nog_uitvragen"]}
    assert vragen["partner.aow_leeftijd_bereikt"] == "Heeft de partner de AOW-leeftijd bereikt?"
    named = eng.advies(casus("paar", {"id": "p2", "rol": "partner"})).advies
    assert {v["feit"]: v["vraag"] for v in named["nog_uitvragen"]}[
        "personen[p2].aow_leeftijd_bereikt"] == "Heeft deze persoon de AOW-leeftijd bereikt?"
