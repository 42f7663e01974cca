""""Nog uitvragen" ranked by what one answer settles (engine/vragen.py, issue 14).

A constructed pack where the two rankings differ: two facts occur in three conditions each but
neither decides anything on its own (each waits on the other), while one fact in two
conditions settles two instruments whatever the answer. The trace's order (`aantal`) puts the
first two on top; the ranking by what an answer settles puts the third there. Expected values
are worked out by hand from the pack below.
"""

from __future__ import annotations

import copy
import time
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings

from engine import Engine, RankedQuestion, rank_questions, vragen
from tests.packs import load_pack
from tests.paths import EXAMPLES
from tests.test_properties import SETTINGS, casussen, get_engine, ranges

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
  - id: rang.jong_kind
    naam: Met een jong kind
    soort: maatwerkvoorziening
    trede: maatwerk
    rechtsgrond: {bwb_id: BWBR0035362, artikel: "2.3.5", lid: "3"}
    grondwaarden: [rang.doel]
    voorwaarden:
      - id: jong_kind
        uitleg: "Het jongste kind is jonger dan vijf."
        rechtsgrond: {bwb_id: BWBR0035362, artikel: "2.3.5", lid: "3"}
        toets: {feit: huishouden.jongste_kind_leeftijd, op: "<", waarde: 5}
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


def test_a_childs_age_decides_what_reads_the_youngest_childs_age(eng: Engine) -> None:
    """The rules read `huishouden.jongste_kind_leeftijd`; the consulent is asked the child's
    `leeftijd`, from which the evaluation derives it. Every answer decides the instrument."""
    casus = {**CASUS, "personen": [*CASUS["personen"], {"id": "k1", "rol": "kind"}]}
    ranked = by_fact(rank_questions(eng, casus))
    kind = ranked["personen[k1].leeftijd"]
    assert [b.instrument for b in kind.beslist] == ["rang.jong_kind"]
    assert kind.antwoorden == (4, 5, 6, 17, 18, 19) and kind.soms == ()
    assert ranked == by_fact(rank_questions(eng, casus, fast=False, narrow=False))


def test_numbers_are_tried_at_and_either_side_of_each_boundary(eng: Engine) -> None:
    leeftijd = by_fact(rank_questions(eng, CASUS))["personen[p1].leeftijd"]
    # 18 (a person's own age) and 5 (the youngest child's: a person's leeftijd too)
    assert leeftijd.antwoorden == (4, 5, 6, 17, 18, 19)


def test_the_ranking_does_not_touch_the_trace(eng: Engine) -> None:
    before = eng.advies(CASUS)
    rank_questions(eng, CASUS, before)
    assert eng.advies(CASUS).trace_json == before.trace_json


EXAMPLE_NAMES = sorted(p.stem for p in EXAMPLES.glob("*.yaml"))


@pytest.fixture(scope="module")
def rules_engine() -> Engine:
    return Engine.load()


def test_every_public_example_is_compared() -> None:
    assert len(EXAMPLE_NAMES) >= 6 and "gezin-meervoudig" in EXAMPLE_NAMES


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_the_fast_path_gives_the_ranking_of_a_whole_advies_per_answer(
        name: str, rules_engine: Engine) -> None:
    """The fast path (only the instruments that read the fact, one answer per cell, no
    trace) against the straightforward way: every answer a whole advies of the whole casus."""
    casus = rules_engine.casus_file(EXAMPLES / f"{name}.yaml")
    base = rules_engine.advies(casus)
    fast = rank_questions(rules_engine, casus, base)
    assert fast == rank_questions(rules_engine, casus, base, fast=False, narrow=False)
    assert len(fast) == len(base.advies["nog_uitvragen"])
    assert any(q.beslist for q in fast)


@pytest.mark.parametrize(("which", "examples"), [("basis", 40), ("oordeel", 40),
                                                 ("rules", 15), ("wsnp", 20)])
def test_generated_casussen_rank_the_same_either_way(which: str, examples: int) -> None:
    """On hypothesis casussen from tests/test_properties.py's generator (fixture packs, the
    bundled packs with overlays and every peildatum, the Wsnp across its versions): the fast
    path gives exactly the ranking of a whole advies per answer. The bundled packs get fewer
    examples: the reference costs up to a few seconds per generated casus."""
    eng = get_engine(which)
    catalogue = eng.rules.catalogue

    @settings(SETTINGS, max_examples=min(examples, SETTINGS.max_examples))
    @given(data=casussen(catalogue, ranges(eng)))
    def check(data: dict[str, Any]) -> None:
        base = eng.advies(data)
        fast = rank_questions(eng, data, base)
        assert fast == rank_questions(eng, data, base, fast=False, narrow=False)

    check()


def test_answers_in_one_cell_are_judged_once(eng: Engine,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """Six ages are tried, but for p1 (no children, so no youngest child's age) only `>= 18`
    tells them apart: 4 to 17 are one cell of the partition, 18 and 19 another. The fast path
    judges two answers, and still lists all six."""
    judged: list[str] = []
    original = vragen._Judge._decided

    def counting(self: Any, ctx: Any, targets: list[str]) -> tuple[list[str], set[str]]:
        judged.extend(targets)
        return original(self, ctx, targets)

    monkeypatch.setattr(vragen._Judge, "_decided", counting)
    leeftijd = by_fact(rank_questions(eng, CASUS))["personen[p1].leeftijd"]
    assert leeftijd.antwoorden == (4, 5, 6, 17, 18, 19)
    assert judged.count("rang.volwassen") == 2


@pytest.mark.parametrize("name", ["scootmobiel", "gezin-meervoudig"])
def test_the_ranking_leaves_the_stored_receipt_byte_identical(
        name: str, rules_engine: Engine) -> None:
    casus = rules_engine.casus_file(EXAMPLES / f"{name}.yaml")
    base = rules_engine.advies(casus)
    text, digest, parsed = base.trace_json, base.trace_hash, copy.deepcopy(base.trace)
    rank_questions(rules_engine, casus, base)
    assert (base.trace_json, base.trace_hash, base.trace) == (text, digest, parsed)
    again = rules_engine.advies(casus)
    assert (again.trace_json, again.trace_hash) == (text, digest)


def test_cost_for_gezin_meervoudig() -> None:
    """Measured, not asserted tightly: bench/vragen_bench.py gives the figures (about 60 ms
    here, against about 1 s for a whole advies per answer)."""
    eng = Engine.load()
    casus = eng.casus_file(EXAMPLES / "gezin-meervoudig.yaml")
    base = eng.advies(casus)
    rank_questions(eng, casus, base)
    started = time.perf_counter()
    ranked = rank_questions(eng, casus, base)
    elapsed = time.perf_counter() - started
    print(f"\nrank_questions(gezin-meervoudig): {elapsed * 1000:.0f} ms, "
          f"{sum(len(q.antwoorden) for q in ranked)} antwoorden geprobeerd")
    assert elapsed < 10


# ── the fast path on casussen the generator rarely makes (mutation sample, docs/testen.md) ──

PARENT_AND_CHILD: dict[str, Any] = {
    "peildatum": "2026-11-02",
    "personen": [{"id": "p1", "rol": "aanvrager", "leeftijd": 41, "woont_in_gemeente": True},
                 {"id": "k1", "rol": "kind"}],
    "huishouden": {"samenstelling": "alleenstaande_ouder"},
    "gewenste_effecten": [{"id": "e1", "omschrijving": "Rust in huis na schooltijd.",
                           "leefgebied": "opvoeden_en_opgroeien"}],
}


@pytest.mark.parametrize("variant", ["kind_zonder_leeftijd", "eigen_effect_zonder_leeftijd"])
def test_the_fast_path_follows_a_childs_age_and_a_grondwaarde_it_decides(
        rules: Engine, variant: str) -> None:
    """A child's unknown age decides through the youngest child's age (the household fact the
    evaluation derives), and an age decides whether the effect serves a grondwaarde at all:
    the fast ranking must re-judge both exactly as a whole advies per answer does."""
    data = copy.deepcopy(PARENT_AND_CHILD)
    if variant == "eigen_effect_zonder_leeftijd":
        data["personen"][1]["leeftijd"] = 9
        del data["personen"][0]["leeftijd"]
        data["gewenste_effecten"][0]["leefgebied"] = "geestelijke_gezondheid"
    base = rules.advies(data)
    fast = rank_questions(rules, data, base)
    assert fast == rank_questions(rules, data, base, fast=False, narrow=False)
    assert fast  # there are questions to rank (whether one alone decides depends on the packs)


def test_every_choice_is_tried_and_a_refused_answer_skips_only_itself(rules: Engine) -> None:
    regime = rules.rules.regime(rules.casus(PARENT_AND_CHILD).peildatum, None)
    spec = regime.catalogue.facts["huishouden.samenstelling"]
    assert vragen._answers(spec, "huishouden.samenstelling", []) == list(spec.waarden)
    tried, _, _ = vragen._reevaluated(rules, copy.deepcopy(PARENT_AND_CHILD),
                                      "personen[k1].leeftijd", ["negen", 9], {"e1"}, False, {})
    assert tried == [9]


def test_an_amount_is_tried_at_its_cents() -> None:
    from engine.catalogue import FactSpec
    from engine.conditions import Leaf

    spec = FactSpec("huishouden", "vermogen", "bedrag", "Vermogen?")
    leaves = [Leaf(0, "huishouden.vermogen", ">", 7605.5, None)]
    assert vragen._boundaries(spec, "huishouden.vermogen", leaves) == [7605.49, 7605.5, 7605.51]


def test_a_boundary_below_the_facts_minimum_is_skipped_not_the_rest() -> None:
    """A bound at the fact's minimum (`inkomen > 0`, minimum 0): the value just below it is no
    answer anyone can give and is left out; the bound itself and the value above it stay."""
    from engine.catalogue import FactSpec
    from engine.conditions import Leaf

    spec = FactSpec("huishouden", "inkomen", "geheel", "Inkomen?", minimum=0)
    leaves = [Leaf(0, "huishouden.inkomen", ">", 0, None),
              Leaf(1, "huishouden.inkomen", "<", 5, None)]
    assert vragen._boundaries(spec, "huishouden.inkomen", leaves) == [0, 1, 4, 5, 6]


def test_a_childs_age_is_tried_at_18_where_a_rule_counts_the_adult_children() -> None:
    """`huishouden.aantal_meerderjarige_kinderen` is computed from the children's ages at 18
    (`MEERDERJARIG`, art. 4 lid 1 Participatiewet: an adult child is no longer in his parent's
    gezin); a rule that reads the count is decided by a child's age either side of 18, so the
    ranking tries 17, 18 and 19 there, and not where nothing reads the count."""
    from engine.catalogue import FactSpec
    from engine.conditions import Leaf

    spec = FactSpec("persoon", "leeftijd", "geheel", "Leeftijd?", minimum=0)
    count = Leaf(0, "huishouden.aantal_meerderjarige_kinderen", ">=", 1, None)
    other = Leaf(1, "huishouden.inkomen", "<", 5, None)
    assert vragen._boundaries(spec, "personen[k1].leeftijd", [count, other]) == [17, 18, 19]
    assert vragen._boundaries(spec, "personen[k1].leeftijd", [other]) == []


def test_a_childs_age_is_tried_at_the_bounds_of_the_oldest_and_youngest_child() -> None:
    """The household's `jongste_kind_leeftijd` and `oudste_kind_leeftijd` are computed from the
    children's ages (`evaluate`); a rule that reads either (art. 9a Participatiewet: a child
    under 5; the teenage mother at 12) is decided by a child's `leeftijd`, so the ranking tries
    that age at their bounds. A surviving mutant misspelled the oldest child's path (the sample
    of 2026-12-07, `_boundaries` 36)."""
    from engine.catalogue import FactSpec
    from engine.conditions import Leaf

    spec = FactSpec("persoon", "leeftijd", "geheel", "Leeftijd?", minimum=0)
    oudste = Leaf(0, "huishouden.oudste_kind_leeftijd", "<", 12, None)
    jongste = Leaf(1, "huishouden.jongste_kind_leeftijd", "<", 5, None)
    assert vragen._boundaries(spec, "personen[k1].leeftijd", [oudste]) == [11, 12, 13]
    assert vragen._boundaries(spec, "personen[k1].leeftijd", [jongste]) == [4, 5, 6]


# ── what the ranking tries, seen in its result (surviving mutants, docs/testen.md) ──────────

def test_a_choice_is_tried_with_each_of_its_values(eng: Engine) -> None:
    """`netwerk.sociaal_netwerk` is a `keuze`: every value of its list is an answer to try
    (module docstring), not a number's boundaries (a choice has none)."""
    waarden = eng.rules.catalogue.facts["netwerk.sociaal_netwerk"].waarden
    assert waarden == ("sterk", "beperkt", "geen")
    sociaal = by_fact(rank_questions(eng, CASUS))["netwerk.sociaal_netwerk"]
    assert sociaal.antwoorden == waarden


def _pack_head(pack_id: str) -> str:
    return PACK.split("instrumenten:\n", 1)[0].replace("id: rang\n", f"id: {pack_id}\n", 1) \
        .replace("rang.doel", f"{pack_id}.doel")


VERMOGEN_PACK = _pack_head("cent") + """\
instrumenten:
  - id: cent.gift
    naam: Gift
    soort: maatwerkvoorziening
    trede: maatwerk
    rechtsgrond: {bwb_id: BWBR0035362, artikel: "2.3.5", lid: "3"}
    grondwaarden: [cent.doel]
    voorwaarden:
      - id: vermogen
        uitleg: "Niet meer vermogen dan 7605 euro."
        rechtsgrond: {bwb_id: BWBR0035362, artikel: "2.3.5", lid: "3"}
        toets: {feit: huishouden.vermogen, op: "<=", waarde: 7605}
      - id: schulden
        uitleg: "Problematische schulden."
        rechtsgrond: {bwb_id: BWBR0035362, artikel: "2.3.5", lid: "3"}
        toets: {feit: financien.problematische_schulden, op: "=", waarde: true}
"""


def test_an_amount_is_tried_one_cent_either_side_of_a_whole_euro_limit(
        tmp_path: Path) -> None:
    """Vermogen up to 7605 euro: 7605.01 is over the limit, so that answer settles the gift
    (past_niet) while 7604.99 and 7605 leave it waiting on the schulden question. An amount is
    tried in cents; tried in whole euros, nothing above the limit would be tried."""
    eng = load_pack(tmp_path, "cent", VERMOGEN_PACK)
    vermogen = by_fact(rank_questions(eng, CASUS))["huishouden.vermogen"]
    assert vermogen.antwoorden == (7604.99, 7605, 7605.01)
    assert vermogen.beslist == ()
    assert [b.instrument for b in vermogen.soms] == ["cent.gift"]


VERVALLEN_PACK = _pack_head("oud") + """\
  - id: oud.vroeger
    tekst: "Een doel dat niet meer geldt."
    rechtsgrond: {bwb_id: BWBR0035362, artikel: "2.1.1"}
    geldig_tot: 2025-12-31
    toets: {feit: effect.leefgebied, op: in, waarde: [mobiliteit]}
instrumenten:
  - id: oud.hulp
    naam: Hulp onder een vervallen doel
    soort: maatwerkvoorziening
    trede: maatwerk
    rechtsgrond: {bwb_id: BWBR0035362, artikel: "2.3.5", lid: "3"}
    grondwaarden: [oud.vroeger]
    voorwaarden:
      - id: schulden
        uitleg: "Problematische schulden."
        rechtsgrond: {bwb_id: BWBR0035362, artikel: "2.3.5", lid: "3"}
        toets: {feit: financien.problematische_schulden, op: "=", waarde: true}
"""


def test_the_fast_path_judges_an_instrument_whose_grondwaarde_is_not_in_force(
        tmp_path: Path) -> None:
    """On the peildatum (2026-03-01) the instrument's only grondwaarde has ended: the advies
    reads it as onbekend, not nee, so the instrument is still judged and waits on the
    schulden question. The fast ranking must judge it the same way, not fail on the
    grondwaarde the regime of that day does not have."""
    eng = load_pack(tmp_path, "oud", VERVALLEN_PACK)
    advies = eng.advies(CASUS).advies
    [hulp] = advies["effecten"][0]["stap4"]["instrumenten"]
    assert hulp["id"] == "oud.hulp" and hulp["nog_uitvragen"]
    fast = rank_questions(eng, CASUS)
    assert fast == rank_questions(eng, CASUS, fast=False, narrow=False)
    schulden = by_fact(fast)["financien.problematische_schulden"]
    assert [b.instrument for b in schulden.beslist] == ["oud.hulp"]


GATE = """\
# Invented rules on a real article number; only for tests/test_vragen.py.
regelpakket: {id: poort, naam: Testpakket poort, domein: Test, bwb_id: BWBR0035362, versie: "1",
              geldig_vanaf: 2024-01-01}
feiten:
""" + "".join(f"""\
  - {{id: t_{n}, onderwerp: persoon, type: bool, vraag: "Vraag {n}?"}}
""" for n in ("a1", "a2", "b1", "b2", "poort")) + """\
grondwaarden:
  - id: poort.doel
    tekst: "Een doel."
    rechtsgrond: {bwb_id: BWBR0035362, artikel: "2.1.1"}
    toets: {feit: effect.leefgebied, op: in, waarde: [financien]}
instrumenten:
  - id: poort.hulp
    naam: Hulp
    soort: maatwerkvoorziening
    trede: maatwerk
    rechtsgrond: {bwb_id: BWBR0035362, artikel: "2.3.5", lid: "3"}
    grondwaarden: [poort.doel]
    voorwaarden:
      - id: schulden
        uitleg: "De eigen schulden, of die van het huishouden."
        rechtsgrond: {bwb_id: BWBR0035362, artikel: "2.3.5", lid: "3"}
        toets:
          een_van:
            - alle:
                - {feit: persoon.t_poort, op: "=", waarde: true}
                - {feit: persoon.t_a1, op: "=", waarde: true}
                - {feit: persoon.t_a2, op: "=", waarde: true}
            - alle:
                - {feit: persoon.t_poort, op: "=", waarde: false}
                - {feit: persoon.t_b1, op: "=", waarde: true}
                - {feit: persoon.t_b2, op: "=", waarde: true}
"""
"""A gate: `t_poort` chooses which pair of questions counts (like "are the debts under financiën
the applicant's own?"). No answer of any one fact decides `poort.hulp`."""


def test_a_gate_that_makes_questions_moot_comes_before_the_questions_it_gates(
        tmp_path: Path) -> None:
    """Worked out by hand. `t_poort` ja leaves `t_a1`, `t_a2` (the b-pair is moot), nee leaves
    `t_b1`, `t_b2`: whatever the answer two other questions go, so `overbodig` is 2. `t_a1` nee
    makes `t_a2` moot but ja none: 0. Nothing settles the instrument, and every fact is open
    in one condition, so the ranking by instruments alone (and then by address) put the gate
    last; by the questions an answer makes moot it comes first (fresh40 N6, fresh37 K5)."""
    eng = load_pack(tmp_path, "poort", GATE)
    data = {"peildatum": "2026-03-01", "personen": [{"id": "p1", "rol": "aanvrager"}],
            "gewenste_effecten": [{"id": "e1", "omschrijving": "Van de schulden af.",
                                   "leefgebied": "financien"}]}
    ranked = rank_questions(eng, data)
    assert ranked == rank_questions(eng, data, fast=False, narrow=False)
    assert [q.feit for q in ranked] == [f"personen[p1].t_{n}"
                                        for n in ("poort", "a1", "a2", "b1", "b2")]
    assert [q.overbodig for q in ranked] == [2, 0, 0, 0, 0]
    assert all(q.beslist == () and q.soms == () and q.aantal == 1 for q in ranked)


def test_answering_a_partner_fact_renames_the_partners_questions_without_making_them_moot(
        rules: Engine) -> None:
    """Answering `partner.x` adds the partner to `personen`; its other facts are then asked at
    `personen[partner].y`. Those are the same questions, not moot ones (a generated casus
    found the fast and the straightforward ranking counting them apart)."""
    data = {"peildatum": "2025-01-02", "personen": [{"id": "p1", "rol": "aanvrager"}],
            "gewenste_effecten": [{"id": "e1", "omschrijving": "Een gewenst effect.",
                                   "leefgebied": "financien", "persoon": "p1"}]}
    ranked = by_fact(rank_questions(rules, data))
    partner = [q for f, q in ranked.items() if f.startswith("partner.")]
    assert len(partner) > 10
    # read as new addresses, the 16 other partner questions all looked moot after any answer
    assert all(q.overbodig < len(partner) - 1 for q in partner), \
        [(q.feit, q.overbodig) for q in partner]
    assert ranked == by_fact(rank_questions(rules, data, fast=False, narrow=False))


def test_an_effect_that_reads_a_fact_without_asking_it_is_looked_at(rules: Engine) -> None:
    """A comparison with `bij_onbekend: nee` reads a fact without asking it: for a detained
    applicant the Bbz on his werk-effect is `past_niet` once his (unnamed) partner is known to
    have no right of her own (Pw art. 11 lid 4, 13 lid 1 h), although that effect never asks
    `partner.pw_uitreiziger`; only the financien-effect does. The fast path looked only at the
    effects that ask the fact and missed it (a generated casus in CI, December 2026)."""
    data = {"peildatum": "2026-11-01",
            "personen": [{"id": "p1", "rol": "aanvrager", "verblijfsstatus": "nederlander",
                          "gedetineerd": True, "pw_grond_vrijheidsbeneming": "strafrecht"}],
            "gewenste_effecten": [
                {"id": "e1", "omschrijving": "Rondkomen.", "leefgebied": "financien",
                 "persoon": "p1"},
                {"id": "e2", "omschrijving": "Een baan na de detentie.",
                 "leefgebied": "werk_en_opleiding", "persoon": "p1"}]}
    base = rules.advies(data)
    asked = {e["id"]: {q["feit"] for q in e["nog_uitvragen"]} for e in base.advies["effecten"]}
    assert "partner.pw_uitreiziger" in asked["e1"] and "partner.pw_uitreiziger" not in asked["e2"]
    ranked = by_fact(rank_questions(rules, data, base))
    some = ranked["partner.pw_uitreiziger"].soms + ranked["partner.pw_uitreiziger"].beslist
    assert ("e2", "participatiewet.bbz") in {(b.effect, b.instrument) for b in some}
    assert ranked == by_fact(rank_questions(rules, data, base, fast=False, narrow=False))
