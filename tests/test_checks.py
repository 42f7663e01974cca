"""Decision-table checks (`controles`): an overlap or a gap is found, and reported where the
controle is written; the bundled packs pass their own checks exhaustively."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from cli.main import app as cli
from engine import Engine
from engine.checks import run_controles
from tests.packs import load_pack

HEAD = """
regelpakket: {id: t, naam: Test, domein: Test, bwb_id: BWBR0035362, versie: "1",
              geldig_vanaf: 2024-01-01}
grondwaarden:
  - id: t.doel
    tekst: Doel
    rechtsgrond: {bwb_id: BWBR0035362, artikel: "1"}
    toets: {feit: effect.leefgebied, op: "=", waarde: mobiliteit}
"""
"""The test packs' header and their one grondwaarde (effects on mobiliteit)."""

PACK = HEAD + """instrumenten:
  - id: t.jong
    naam: Voor jongeren
    soort: uitkering
    trede: maatwerk
    rechtsgrond: {bwb_id: BWBR0035362, artikel: "2"}
    grondwaarden: [t.doel]
    voorwaarden:
      - {id: leeftijd, uitleg: "Jonger dan 67.", rechtsgrond: {bwb_id: BWBR0035362, artikel: "2"},
         toets: {feit: persoon.leeftijd, op: "%(op_jong)s", waarde: %(grens_jong)s}}
  - id: t.oud
    naam: Voor ouderen
    soort: uitkering
    trede: maatwerk
    rechtsgrond: {bwb_id: BWBR0035362, artikel: "3"}
    grondwaarden: [t.doel]
    voorwaarden:
      - {id: leeftijd, uitleg: "67 of ouder.", rechtsgrond: {bwb_id: BWBR0035362, artikel: "3"},
         toets: {feit: persoon.leeftijd, op: ">=", waarde: %(grens_oud)s}}
controles:
  - id: jong_of_oud
    omschrijving: Precies één van beide
    rechtsgrond: {bwb_id: BWBR0035362, artikel: "4"}
    instrumenten: [t.jong, t.oud]
    uniek: true
    volledig: true
    binnen: {feit: effect.leefgebied, op: "=", waarde: mobiliteit}
"""


def load(tmp_path: Path, grens_jong: int, grens_oud: int, op_jong: str = "<") -> Path:
    """The pack above: t.jong for `leeftijd <op_jong> grens_jong`, t.oud from `grens_oud`."""
    folder = tmp_path / f"t{grens_jong}_{grens_oud}"
    folder.mkdir()
    (folder / "t.yaml").write_text(PACK % {"grens_jong": grens_jong, "grens_oud": grens_oud,
                                           "op_jong": op_jong},
                                   "utf-8")
    return folder


def test_exclusive_and_complete_passes(tmp_path: Path) -> None:
    (r,) = run_controles(Engine.load([load(tmp_path, 67, 67)]).rules)
    assert r.volledig_doorzocht and not r.overlap and not r.gaten


def test_overlap_is_found(tmp_path: Path) -> None:
    (r,) = run_controles(Engine.load([load(tmp_path, 70, 67)]).rules)
    assert r.overlap and not r.gaten
    assert set(r.overlap[0]["past"]) == {"t.jong", "t.oud"}
    (problem,) = r.problems()
    assert "overlap" in problem.melding and problem.regel and problem.bestand


def test_gap_is_found(tmp_path: Path) -> None:
    (r,) = run_controles(Engine.load([load(tmp_path, 65, 67)]).rules)
    assert r.gaten and not r.overlap
    assert r.gaten[0]["past"] == []


def no_law_texts(folder: Path) -> Path:
    """A law-text library that vendors nothing and lists the laws a test pack cites as not
    included: lint then checks the pack's language and decision tables, and only warns that its
    (invented) citations were not checked against a law text."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "niet_opgenomen.yaml").write_text(
        "wetten:\n"
        "  - {bwb_id: BWBR0035362, reden: \"testpakket, niet tegen de wet gecontroleerd\"}\n"
        "  - {bwb_id: BWBR0015703, reden: \"testpakket, niet tegen de wet gecontroleerd\"}\n",
        encoding="utf-8")
    return folder


def test_lint_reports_it(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["lint", str(load(tmp_path, 70, 67)), "--wetteksten",
                                      str(no_law_texts(tmp_path / "wetteksten"))],
                                env={"COLUMNS": "200"})
    assert result.exit_code == 1
    assert "controle 'jong_of_oud': overlap" in result.output


def test_bundled_controles_are_exhaustive(rules: Engine) -> None:
    results = run_controles(rules.rules)
    assert {r.controle.id for r in results} >= {"bijstand_of_aio", "begeleiding_jeugdige"}
    for r in results:
        assert r.volledig_doorzocht, r.controle.id
        assert not r.overlap and not r.gaten, r.problems()


NOISE = """
  - id: t.ander
    naam: Buiten de controle, met veel leeftijdsgrenzen
    soort: uitkering
    trede: maatwerk
    rechtsgrond: {bwb_id: BWBR0035362, artikel: "5"}
    grondwaarden: [t.doel]
    voorwaarden:
      - id: leeftijden
        uitleg: "Een van vijf leeftijdsgrenzen."
        rechtsgrond: {bwb_id: BWBR0035362, artikel: "5"}
        toets:
          een_van:
            - {feit: persoon.leeftijd, op: "<", waarde: 10}
            - {feit: persoon.leeftijd, op: "=", waarde: 20}
            - {feit: persoon.leeftijd, op: ">", waarde: 30}
            - {feit: persoon.leeftijd, op: "<=", waarde: 40}
            - {feit: aanvrager.leeftijd, op: "<", waarde: 50}
controles:"""


def with_noise(tmp_path: Path, grens_jong: int, grens_oud: int) -> Path:
    folder = load(tmp_path, grens_jong, grens_oud)
    text = (folder / "t.yaml").read_text("utf-8").replace("controles:", NOISE, 1)
    (folder / "t.yaml").write_text(text, "utf-8")
    return folder


def test_the_search_tries_one_cell_per_class_the_check_can_tell_apart(tmp_path: Path) -> None:
    """Another instrument compares the age with five more bounds, so the partition of
    `persoon.leeftijd` has 13 cells; the check reads only `< 67` and `>= 67`, so two classes of
    ages (and two of the leefgebied: mobiliteit or another) are all it needs to search."""
    rules = Engine.load([with_noise(tmp_path, 67, 67)]).rules
    regime = rules.regime(rules.packs[0].pack.regelpakket.geldig_vanaf, None)
    assert len(regime.partitions[("persoon", "leeftijd")].cells) == 13
    (r,) = run_controles(rules, day=regime.start)
    assert r.combinaties == 2 * 2
    assert r.volledig_doorzocht and not r.overlap and not r.gaten


def test_classes_keep_every_bound_the_check_reads(tmp_path: Path) -> None:
    """An overlap between 60 and 67 is still found when other rules split the ages further,
    and its example is an age in that band."""
    (r,) = run_controles(Engine.load([with_noise(tmp_path, 67, 60)]).rules)
    assert r.overlap and not r.gaten
    ages = {v for e in r.overlap for k, v in e["feiten"].items() if k == "persoon.leeftijd"}
    assert ages and all(a == 60 or str(a).startswith("60") for a in ages), ages


def test_a_gap_strictly_between_two_thresholds_reads_as_a_range(tmp_path: Path) -> None:
    """Ages 61 to 69 fit neither: the example is the open cell between 60 and 70, shown as
    whole numbers the way the rule writes them."""
    (r,) = run_controles(Engine.load([load(tmp_path, 60, 70, op_jong="<=")]).rules)
    assert not r.overlap
    assert r.gaten[0] == {"feiten": {"effect.leefgebied": "mobiliteit",
                                     "persoon.leeftijd": "60..70"}, "past": []}
    (problem,) = r.problems()
    assert problem.melding == ("controle 'jong_of_oud': gat, geen instrument past bij "
                               "bijvoorbeeld {effect.leefgebied=mobiliteit, "
                               "persoon.leeftijd=60..70} (past: geen)")


def test_a_gap_at_a_threshold_reads_as_a_whole_number(tmp_path: Path) -> None:
    (r,) = run_controles(Engine.load([load(tmp_path, 65, 67)]).rules)
    assert r.gaten[0]["feiten"]["persoon.leeftijd"] == 65
    assert "persoon.leeftijd=65}" in r.problems()[0].melding


def test_outside_the_grondwaarde_no_instrument_fits(tmp_path: Path) -> None:
    """Without a `binnen` scope the check also reads effects outside the grondwaarde (another
    leefgebied than mobiliteit): there neither instrument serves the effect, so that is a gap,
    even though the two age conditions together cover every age."""
    folder = load(tmp_path, 67, 67)
    text = (folder / "t.yaml").read_text("utf-8")
    text = text.replace('    binnen: {feit: effect.leefgebied, op: "=", waarde: mobiliteit}\n', "")
    (folder / "t.yaml").write_text(text, "utf-8")
    (r,) = run_controles(Engine.load([folder]).rules)
    assert not r.overlap
    assert r.gaten and all(g["feiten"]["effect.leefgebied"] != "mobiliteit" for g in r.gaten)


def test_at_most_three_examples_of_an_overlap_are_kept(tmp_path: Path) -> None:
    """An overlap over ages 10 to 69, which the scope splits into four classes: the report
    keeps three examples, no more (a long list would bury the first one a beleidsmedewerker
    must read)."""
    folder = load(tmp_path, 70, 10)
    text = (folder / "t.yaml").read_text("utf-8").replace(
        '    binnen: {feit: effect.leefgebied, op: "=", waarde: mobiliteit}\n',
        '    binnen:\n'
        '      alle:\n'
        '        - {feit: effect.leefgebied, op: "=", waarde: mobiliteit}\n'
        '        - een_van:\n'
        '            - {feit: persoon.leeftijd, op: "<", waarde: 20}\n'
        '            - {feit: persoon.leeftijd, op: "<", waarde: 30}\n'
        '            - {feit: persoon.leeftijd, op: "<", waarde: 40}\n'
        '            - {feit: persoon.leeftijd, op: ">=", waarde: 0}\n')
    (folder / "t.yaml").write_text(text, "utf-8")
    (r,) = run_controles(Engine.load([folder]).rules)
    assert r.volledig_doorzocht and not r.gaten
    assert len(r.overlap) == 3
    assert all(set(o["past"]) == {"t.jong", "t.oud"} for o in r.overlap)


def test_a_search_cut_short_never_reads_as_complete(tmp_path: Path) -> None:
    """With a budget too small to reach the overlap, the check must not say it searched every
    combination: the beleidsmedewerker would read "no overlap" as proven. (Counting visited
    nodes, probes included, once made a cut search of these six combinations read as
    complete.)"""
    (r,) = run_controles(Engine.load([with_noise(tmp_path, 70, 10)]).rules, limit=8)
    assert r.combinaties == 6
    assert not r.overlap
    assert not r.volledig_doorzocht and r.gecontroleerd < r.combinaties
    (tmp_path / "x").mkdir()
    (full,) = run_controles(Engine.load([with_noise(tmp_path / "x", 70, 10)]).rules)
    assert full.volledig_doorzocht and full.overlap


def test_a_gap_below_the_lowest_threshold_reads_as_below_it(tmp_path: Path) -> None:
    """Both instruments need an age from 20 (t.jong) or 67 (t.oud): below 20 nothing fits."""
    (r,) = run_controles(Engine.load([load(tmp_path, 20, 67, op_jong=">=")]).rules)
    assert {"effect.leefgebied": "mobiliteit", "persoon.leeftijd": "<20"} in [
        g["feiten"] for g in r.gaten]


PARAMETER = """parameters:
  - id: t_grens
    omschrijving: Leeftijdsgrens
    eenheid: jaar
    rechtsgrond: {bwb_id: BWBR0035362, artikel: "2"}
    waarden:
      - {waarde: 67, geldig_vanaf: 2024-01-01}
instrumenten:
  - id: t.eerder
    naam: Buiten de controle, dezelfde grens als getal
    soort: uitkering
    trede: maatwerk
    rechtsgrond: {bwb_id: BWBR0035362, artikel: "5"}
    grondwaarden: [t.doel]
    voorwaarden:
      - {id: leeftijd, uitleg: "Jonger dan 67.", rechtsgrond: {bwb_id: BWBR0035362, artikel: "5"},
         toets: {feit: persoon.leeftijd, op: "<", waarde: 67}}
"""


def test_a_scope_keeps_a_parameter_apart_from_the_same_number(tmp_path: Path) -> None:
    """t.jong reads its bound from a parameter (67) and another instrument compares the same
    fact with the number 67: they are two leaves of the regime, and the check's private copy of
    the leaf table (made for its `binnen` scope) must keep them apart, or every later leaf
    shifts and the check reads the wrong comparisons."""
    folder = load(tmp_path, 67, 67)
    text = (folder / "t.yaml").read_text("utf-8")
    text = text.replace("instrumenten:\n", PARAMETER, 1).replace(
        'toets: {feit: persoon.leeftijd, op: "<", waarde: 67}}\n  - id: t.oud',
        'toets: {feit: persoon.leeftijd, op: "<", parameter: t_grens}}\n  - id: t.oud', 1)
    assert "parameter: t_grens}" in text
    (folder / "t.yaml").write_text(text, "utf-8")
    (r,) = run_controles(Engine.load([folder]).rules)
    assert r.volledig_doorzocht and not r.overlap and not r.gaten


# ── the search order: a fact that separates the instruments is decided first ────────────────
# The verdict of a check does not depend on the order in which it assigns facts; whether it
# finishes within its budget does. A check that is cut short says "niet volledig doorzocht",
# and a beleidsmedewerker then has no proof of exclusivity. In these packs one fact alone makes
# the two instruments exclusive, and yes/no facts that separate nothing come before it by name:
# decided first, the check needs a handful of steps (the root, its probes and one step per cell
# of that fact, under 20); decided after the others, the search branches over their
# combinations and a budget of 50 steps runs out.

NOISE_FACTS = ("financien.dreigende_afsluiting", "financien.dreigende_huisuitzetting",
         "financien.fraude_vordering", "financien.minnelijk_traject_mislukt",
         "financien.problematische_schulden", "financien.te_goeder_trouw",
         "netwerk.gebruikelijke_hulp_mogelijk", "netwerk.mantelzorger_overbelast")
"""Yes/no facts of the casus contract, used only as noise: each instrument needs one of them."""

ORDER_CONTROLE = """controles:
  - id: a_of_b
    omschrijving: Nooit beide
    rechtsgrond: {bwb_id: BWBR0035362, artikel: "4"}
    instrumenten: [t.a, t.b]
    uniek: true
"""


def _instrument(iid: str, noise: tuple[str, ...], value: bool, own: str) -> str:
    """An instrument that needs one of the `noise` facts to be `value`, and `own`."""
    one_of = "".join(f"\n          - {{feit: {f}, op: \"=\", waarde: {str(value).lower()}}}"
                     for f in noise)
    return f"""  - id: {iid}
    naam: {iid}
    soort: uitkering
    trede: maatwerk
    rechtsgrond: {{bwb_id: BWBR0035362, artikel: "2"}}
    grondwaarden: [t.doel]
    voorwaarden:
      - id: ruis
        uitleg: "Een van de ruisfeiten."
        rechtsgrond: {{bwb_id: BWBR0035362, artikel: "2"}}
        toets:
          een_van:{one_of}
{own}"""


def test_a_fact_that_alone_separates_the_instruments_is_tried_first(tmp_path: Path) -> None:
    """t.a needs a strong social network, t.b a limited one: whatever the network is, at most
    one fits. The static order puts that fact sixth, after five noise facts (by name), so only
    probing near the root (fail first) finds that every answer to it closes the search."""
    def own(value: str) -> str:
        return (f"      - id: netwerk\n        uitleg: \"Netwerk {value}.\"\n"
                f"        rechtsgrond: {{bwb_id: BWBR0035362, artikel: \"3\"}}\n"
                f"        toets: {{feit: netwerk.sociaal_netwerk, op: \"=\", waarde: {value}}}\n")
    noise = NOISE_FACTS[:5]
    text = (HEAD + "instrumenten:\n" + _instrument("t.a", noise, True, own("sterk"))
            + _instrument("t.b", noise, False, own("beperkt")) + ORDER_CONTROLE)
    (r,) = run_controles(load_pack(tmp_path, "volgorde", text).rules, limit=50)
    assert r.volledig_doorzocht and not r.overlap


def test_a_fact_one_instrument_needs_and_the_other_is_excluded_by_goes_first(
        tmp_path: Path) -> None:
    """t.a needs, through a derived fact, that mantelzorg is available; t.b is excluded,
    through another derived fact, when it is. The fact both reach (`_conflicting_facts`) goes
    before the eight noise facts in the static order, and the check needs a handful of
    steps."""
    derived = "afgeleide_feiten:\n" + "".join(f"""  - id: t_{name}
    uitleg: "Mantelzorg is beschikbaar."
    rechtsgrond: {{bwb_id: BWBR0035362, artikel: "3"}}
    toets: {{feit: netwerk.mantelzorg_beschikbaar, op: "=", waarde: true}}
""" for name in ("kan_a", "sluit_b_uit"))
    needs = ("      - id: mantelzorg\n        uitleg: \"Met mantelzorg.\"\n"
             "        rechtsgrond: {bwb_id: BWBR0035362, artikel: \"3\"}\n"
             "        toets: {feit: afgeleid.t_kan_a, op: \"=\", waarde: true}\n")
    excluded = ("    uitsluitingen:\n      - id: mantelzorg\n"
                "        uitleg: \"Niet met mantelzorg.\"\n"
                "        rechtsgrond: {bwb_id: BWBR0035362, artikel: \"3\"}\n"
                "        toets: {feit: afgeleid.t_sluit_b_uit, op: \"=\", waarde: true}\n")
    text = (HEAD + derived + "instrumenten:\n" + _instrument("t.a", NOISE_FACTS, True, needs)
            + _instrument("t.b", NOISE_FACTS, False, "") + excluded + ORDER_CONTROLE)
    (r,) = run_controles(load_pack(tmp_path, "volgorde", text).rules, limit=50)
    assert r.volledig_doorzocht and not r.overlap
