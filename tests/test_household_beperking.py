"""`huishouden.aantal_personen_met_beperking` (docs/regeltaal.md): computed by the engine from
every person's `beperkingen`, onbekend while any person's are not stated, and then those persons'
`beperkingen` are what is asked. Wmo 2026.12.21 (fresh57 AF4) reads it to tell a mantelzorger with
her own beperking, who cares for someone else with one, from the cliënt whose mantelzorger is
overbelast. The expected values follow from the pack below by hand."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from engine import Engine, rank_questions
from tests.packs import load_pack

PACK = """\
# Invented rules on real article numbers; only for tests/test_household_beperking.py.
regelpakket:
  id: telt
  naam: Testpakket beperkingen in huis
  domein: Test
  bwb_id: BWBR0035362
  versie: "1"
  geldig_vanaf: 2024-01-01
grondwaarden:
  - id: telt.doel
    tekst: "Een doel."
    rechtsgrond: {bwb_id: BWBR0035362, artikel: "2.1.1"}
    toets: {feit: effect.leefgebied, op: in, waarde: [tijdsbesteding]}
instrumenten:
  - id: telt.twee
    naam: Twee met een beperking
    soort: maatwerkvoorziening
    trede: maatwerk
    rechtsgrond: {bwb_id: BWBR0035362, artikel: "2.3.5", lid: "3"}
    grondwaarden: [telt.doel]
    voorwaarden:
      - id: twee
        uitleg: "Twee personen in huis hebben een beperking."
        rechtsgrond: {bwb_id: BWBR0035362, artikel: "2.3.5", lid: "3"}
        toets: {feit: huishouden.aantal_personen_met_beperking, op: ">=", waarde: 2}
"""


def _casus(zoon: dict[str, Any]) -> dict[str, Any]:
    return {"peildatum": "2026-03-01",
            "personen": [{"id": "p1", "rol": "aanvrager", "beperkingen": ["lichamelijk"]},
                         {"id": "k1", "rol": "kind", **zoon}],
            "gewenste_effecten": [{"id": "e1", "omschrijving": "Even bijkomen.",
                                   "leefgebied": "tijdsbesteding", "persoon": "p1"}]}


def _twee(eng: Engine, casus: dict[str, Any]) -> dict[str, Any]:
    effect = eng.advies(casus).advies["effecten"][0]
    found: dict[str, Any] = next(i for i in effect["stap4"]["instrumenten"]
                                 if i["id"] == "telt.twee")
    return found


def test_two_stated_limitations_count_two(tmp_path: Path) -> None:
    eng = load_pack(tmp_path, "telt", PACK)
    assert _twee(eng, _casus({"beperkingen": ["verstandelijk"]}))["status"] == "past"


def test_an_empty_list_is_a_stated_none(tmp_path: Path) -> None:
    eng = load_pack(tmp_path, "telt", PACK)
    assert _twee(eng, _casus({"beperkingen": []}))["status"] == "past_niet"


def test_an_unstated_list_is_onbekend_and_asked(tmp_path: Path) -> None:
    eng = load_pack(tmp_path, "telt", PACK)
    twee = _twee(eng, _casus({}))
    assert twee["status"] == "voorwaardelijk"
    assert twee["nog_uitvragen"] == ["personen[k1].beperkingen"]
    ranked = {q.feit: q for q in rank_questions(eng, _casus({}))}
    assert [b.instrument for b in ranked["personen[k1].beperkingen"].beslist] == ["telt.twee"]
    assert ranked == {q.feit: q for q in rank_questions(eng, _casus({}), fast=False,
                                                        narrow=False)}


def test_a_wlz_indicatie_counts_as_a_limitation(tmp_path: Path) -> None:
    """A Wlz indicatie presupposes a limitation (Wlz 3.2.1 lid 1), so the son counts without
    stated beperkingen (fresh58 AG1: the husband with a Wlz indicatie did not count)."""
    eng = load_pack(tmp_path, "telt", PACK)
    assert _twee(eng, _casus({"wlz_indicatie": True}))["status"] == "past"
    assert _twee(eng, _casus({"wlz_indicatie": False}))["nog_uitvragen"] == [
        "personen[k1].beperkingen"]
