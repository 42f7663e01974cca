""""Nog uitvragen" ranked by what one answer settles (engine/vragen.py, issue 14).

A constructed pack where the two rankings differ: two facts occur in three conditions each but
neither decides anything on its own (each waits on the other), while one fact in two
conditions settles two instruments whatever the answer. The trace's order (`aantal`) puts the
first two on top; the ranking by what an answer settles puts the third there. Expected values
are worked out by hand from the pack below.
"""

from __future__ import annotations

import time
from typing import Any

import pytest

from engine import Engine, RankedQuestion, rank_questions
from tests.conftest import ROOT

PACK = """\
# Invented rules on real article numbers; only for tests/test_vragen.py.
regelpakket:
  id: rang
  naam: Testpakket rangorde
  domein: Test
  bwb_id: BWBR0035362
  versie: "1"
  geldig_vanaf: 2024-01-01
grondwaarden:
  - id: rang.doel
    tekst: "Een doel."
    rechtsgrond: {bwb_id: BWBR0035362, artikel: "2.1.1"}
    toets: {feit: effect.leefgebied, op: in, waarde: [mobiliteit]}
instrumenten:
""" + "".join(f"""\
  - id: rang.netwerk_{n}
    naam: Netwerk {n}
    soort: algemene_voorziening
    trede: netwerk
    rechtsgrond: {{bwb_id: BWBR0035362, artikel: "2.1.2"}}
    grondwaarden: [rang.doel]
    voorwaarden:
      - id: netwerk
        uitleg: "Mantelzorg en een netwerk."
        rechtsgrond: {{bwb_id: BWBR0035362, artikel: "2.1.2"}}
        toets:
          een_van:
            - alle:
                - {{feit: netwerk.mantelzorg_beschikbaar, op: "=", waarde: true}}
                - {{feit: netwerk.sociaal_netwerk, op: "=", waarde: sterk}}
            - alle:
                - {{feit: netwerk.mantelzorg_beschikbaar, op: "=", waarde: false}}
                - {{feit: netwerk.sociaal_netwerk, op: "!=", waarde: sterk}}
""" for n in (1, 2, 3)) + """\
  - id: rang.schuldhulp
    naam: Schuldhulp
    soort: maatwerkvoorziening
    trede: maatwerk
    rechtsgrond: {bwb_id: BWBR0035362, artikel: "2.3.5", lid: "3"}
    grondwaarden: [rang.doel]
    voorwaarden:
      - id: schulden
        uitleg: "Problematische schulden."
        rechtsgrond: {bwb_id: BWBR0035362, artikel: "2.3.5", lid: "3"}
        toets: {feit: financien.problematische_schulden, op: "=", waarde: true}
  - id: rang.bewind
    naam: Bewind
    soort: maatwerkvoorziening
    trede: maatwerk
    rechtsgrond: {bwb_id: BWBR0035362, artikel: "2.3.5", lid: "3"}
    grondwaarden: [rang.doel]
    voorwaarden:
      - id: schulden
        uitleg: "Problematische schulden, ter beoordeling van het college."
        rechtsgrond: {bwb_id: BWBR0035362, artikel: "2.3.5", lid: "3"}
        toets: {feit: financien.problematische_schulden, op: "=", waarde: true}
        beslisruimte:
          door: college
          wettekst: "Het college beslist …"
  - id: rang.volwassen
    naam: Voor volwassenen
    soort: maatwerkvoorziening
    trede: maatwerk
    rechtsgrond: {bwb_id: BWBR0035362, artikel: "2.3.5", lid: "3"}
    grondwaarden: [rang.doel]
    voorwaarden:
      - id: leeftijd
        uitleg: "Achttien of ouder."
        rechtsgrond: {bwb_id: BWBR0035362, artikel: "2.3.5", lid: "3"}
        toets: {feit: persoon.leeftijd, op: ">=", waarde: 18}
"""

CASUS: dict[str, Any] = {
    "peildatum": "2026-03-01",
    "personen": [{"id": "p1", "rol": "aanvrager"}],
    "gewenste_effecten": [{"id": "e1", "omschrijving": "Zelf naar de markt.",
                           "leefgebied": "mobiliteit"}],
}


@pytest.fixture(scope="module")
def eng(tmp_path_factory: pytest.TempPathFactory) -> Engine:
    folder = tmp_path_factory.mktemp("rang")
    (folder / "rang.yaml").write_text(PACK, "utf-8")
    return Engine.load([folder])


def by_fact(ranked: list[RankedQuestion]) -> dict[str, RankedQuestion]:
    return {q.feit: q for q in ranked}


def test_ranking_by_what_an_answer_settles_differs_from_ranking_by_count(eng: Engine) -> None:
    trace_order = [q["feit"] for q in eng.advies(CASUS).advies["nog_uitvragen"]]
    ranked = rank_questions(eng, CASUS)
    # the trace's order: by the number of open conditions the fact occurs in
    assert trace_order == ["netwerk.mantelzorg_beschikbaar", "netwerk.sociaal_netwerk",
                           "financien.problematische_schulden", "personen[p1].leeftijd"]
    # by what one answer settles: the schulden question decides two instruments whatever the
    # answer; the two network facts, in three conditions each, settle nothing alone
    assert [q.feit for q in ranked] == ["financien.problematische_schulden",
                                        "personen[p1].leeftijd",
                                        "netwerk.mantelzorg_beschikbaar",
                                        "netwerk.sociaal_netwerk"]
    found = by_fact(ranked)
    schulden = found["financien.problematische_schulden"]
    assert [b.instrument for b in schulden.beslist] == ["rang.schuldhulp", "rang.bewind"]
    assert schulden.soms == () and schulden.aantal == 2
    assert schulden.antwoorden == (True, False)
    mantelzorg = found["netwerk.mantelzorg_beschikbaar"]
    assert mantelzorg.aantal == 3 and mantelzorg.beslist == () and mantelzorg.soms == ()
    assert [b.naam for b in found["personen[p1].leeftijd"].beslist] == ["Voor volwassenen"]


def test_a_discretionary_ground_once_known_counts_as_decided(eng: Engine) -> None:
    """Bewind after "nee" stays voorwaardelijk (the college decides, the law says "kan"), but
    no fact is left to ask: the facts are done, so the schulden question settles it."""
    def bewind(answer: bool) -> dict[str, Any]:
        found = eng.advies({**CASUS, "financien": {"problematische_schulden": answer}})
        return next(i for i in found.advies["effecten"][0]["stap4"]["instrumenten"]
                    if i["id"] == "rang.bewind")
    assert bewind(False)["status"] == "voorwaardelijk" and bewind(False)["nog_uitvragen"] == []
    assert bewind(True)["status"] == "past" and bewind(True)["markering"] == ["beslisruimte"]
    assert "rang.bewind" in {b.instrument for b in by_fact(rank_questions(eng, CASUS))[
        "financien.problematische_schulden"].beslist}


def test_numbers_are_tried_at_and_either_side_of_each_boundary(eng: Engine) -> None:
    leeftijd = by_fact(rank_questions(eng, CASUS))["personen[p1].leeftijd"]
    assert leeftijd.antwoorden == (17, 18, 19)


def test_the_ranking_does_not_touch_the_trace(eng: Engine) -> None:
    before = eng.advies(CASUS)
    rank_questions(eng, CASUS, before)
    assert eng.advies(CASUS).trace_json == before.trace_json


@pytest.mark.parametrize("name", ["scootmobiel", "gezin-meervoudig"])
def test_evaluating_only_the_effects_that_wait_on_a_fact_gives_the_same_ranking(
        name: str) -> None:
    eng = Engine.load()
    casus = eng.casus_file(ROOT.parent / "shared" / "examples" / f"{name}.yaml")
    narrow = rank_questions(eng, casus)
    assert narrow == rank_questions(eng, casus, narrow=False)
    assert len(narrow) == len(eng.advies(casus).advies["nog_uitvragen"])
    assert any(q.beslist for q in narrow)


def test_cost_for_gezin_meervoudig() -> None:
    """Measured, not asserted tightly: the cost goes into the report (about 1 s here)."""
    eng = Engine.load()
    casus = eng.casus_file(ROOT.parent / "shared" / "examples" / "gezin-meervoudig.yaml")
    base = eng.advies(casus)
    rank_questions(eng, casus, base)
    started = time.perf_counter()
    ranked = rank_questions(eng, casus, base)
    elapsed = time.perf_counter() - started
    print(f"\nrank_questions(gezin-meervoudig): {elapsed * 1000:.0f} ms, "
          f"{sum(len(q.antwoorden) for q in ranked)} antwoorden geprobeerd")
    assert elapsed < 10
