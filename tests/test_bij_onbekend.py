"""`bij_onbekend`: a comparison that counts as ja or nee while its fact is onbekend.

docs/regeltaal.md §Conditions: "`bij_onbekend: ja|nee` on a comparison: what it counts as while
its fact is onbekend ... The fact is then not asked through this comparison ... The loader
refuses a `bij_onbekend` that could, on a fact nobody asked, make a voorwaarde, toepassing or
grondwaarde nee, or an uitsluiting ja ... except inside a branch of the top-level `een_van` of a
toepassing or a grondwaarde". The expected values below are written from that text and the
tiny packs here (invented rules on real articles), not copied from the engine's output; both
backends must give the same bytes. Invented people only.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from engine import Engine, PackError
from tests.packs import load_pack

HEAD = """
regelpakket: {id: t, naam: Test, domein: Wmo, bwb_id: BWBR0035362, versie: "1",
              geldig_vanaf: 2024-01-01}
feiten:
  - {id: t_geeft_zorg, onderwerp: persoon, type: bool, vraag: "Geeft deze persoon mantelzorg?"}
  - {id: t_overbelast, onderwerp: persoon, type: bool, vraag: "Is de mantelzorger overbelast?"}
  - {id: t_signaal, onderwerp: persoon, type: bool, vraag: "Is er een signaal?"}
grondwaarden:
  - id: t.doel
    tekst: Doel
    rechtsgrond: {bwb_id: BWBR0035362, artikel: "2.1.1", lid: "1"}
    toets: {feit: effect.leefgebied, op: in, waarde: [mobiliteit, sociaal_netwerk]}
"""

PRESUMPTION = HEAD + """
afgeleide_feiten:
  - id: t_mantelzorger
    uitleg: "Deze persoon is mantelzorger."
    rechtsgrond: {bwb_id: BWBR0035362, artikel: "2.2.2", lid: "2"}
    toets:
      een_van:
        - {feit: persoon.t_geeft_zorg, op: "=", waarde: true}
        - alle:
            - {feit: persoon.t_overbelast, op: "=", waarde: true}
            - {feit: persoon.t_geeft_zorg, op: "!=", waarde: false, bij_onbekend: ja}
instrumenten:
  - id: t.steun
    naam: Mantelzorgondersteuning
    soort: algemene_voorziening
    trede: algemene_voorziening
    rechtsgrond: {bwb_id: BWBR0035362, artikel: "2.2.2", lid: "2"}
    grondwaarden: [t.doel]
    voorwaarden:
      - id: mantelzorger
        uitleg: "De persoon is mantelzorger."
        rechtsgrond: {bwb_id: BWBR0035362, artikel: "2.2.2", lid: "2"}
        toets: {feit: afgeleid.t_mantelzorger, op: "=", waarde: true}
"""
"""The presumption "an overburdened carer gives mantelzorg unless the casus says otherwise"."""

WIDENING = HEAD + """
instrumenten:
  - id: t.maatregel
    naam: Maatregel
    soort: rechterlijke_procedure
    trede: maatwerk
    rechtsgrond: {bwb_id: BWBR0035362, artikel: "2.1.1", lid: "1"}
    grondwaarden: [t.doel]
    toepassing:
      een_van:
        - {feit: effect.leefgebied, op: "=", waarde: sociaal_netwerk}
        - {feit: persoon.t_signaal, op: "=", waarde: true, bij_onbekend: nee}
"""
"""A toepassing branch that counts only once its fact is known (adds a leefgebied on a signal)."""


def person(**facts: Any) -> dict[str, Any]:
    return {"id": "p1", "rol": "aanvrager", "leeftijd": 50, "beperkingen": [], **facts}


def casus(leefgebied: str = "mobiliteit", **facts: Any) -> dict[str, Any]:
    return {"peildatum": "2026-03-01", "personen": [person(**facts)],
            "gewenste_effecten": [{"id": "e1", "persoon": "p1", "leefgebied": leefgebied,
                                   "omschrijving": "Ik wil er weer op uit."}]}


def instrument(eng: Engine, data: dict[str, Any], ins: str) -> dict[str, Any] | None:
    receipt = eng.advies(data)
    assert eng.with_backend("oracle").advies(data).trace_json == receipt.trace_json
    found = [i for i in receipt.advies["effecten"][0]["stap4"]["instrumenten"]
             if i["id"] == ins]
    return found[0] if found else None


@pytest.fixture(scope="module")
def presumption(tmp_path_factory: pytest.TempPathFactory) -> Engine:
    return load_pack(tmp_path_factory.mktemp("vermoeden"), "t", PRESUMPTION)


def test_a_presumption_holds_while_the_fact_is_onbekend_and_is_not_asked(
        presumption: Engine) -> None:
    got = instrument(presumption, casus(t_overbelast=True), "t.steun")
    assert got is not None and got["status"] == "past"
    assert got["nog_uitvragen"] == []


def test_a_known_nee_overrides_the_presumption(presumption: Engine) -> None:
    got = instrument(presumption, casus(t_overbelast=True, t_geeft_zorg=False), "t.steun")
    assert got is not None and got["status"] == "past_niet"


def test_without_the_presumption_the_fact_is_asked(presumption: Engine) -> None:
    got = instrument(presumption, casus(t_overbelast=False), "t.steun")
    assert got is not None and got["status"] == "voorwaardelijk"
    assert got["nog_uitvragen"] == ["personen[p1].t_geeft_zorg"]


def test_the_trace_shows_the_comparison_and_what_it_counted_as(presumption: Engine) -> None:
    trace = presumption.advies(casus(t_overbelast=True)).trace
    text = str(trace)
    assert "'bij_onbekend': 'ja'" in text
    leaf = _find(trace, lambda n: n.get("bij_onbekend") == "ja")
    assert leaf["gevonden"] is None and leaf["uitkomst"] == "ja"
    assert leaf["adres"] == "personen[p1].t_geeft_zorg" and leaf["op"] == "!="
    known = _find(presumption.advies(casus(t_overbelast=True, t_geeft_zorg=False)).trace,
                  lambda n: n.get("bij_onbekend") == "ja")
    assert known["gevonden"] is False and known["uitkomst"] == "nee"


def _find(node: Any, pred: Any) -> dict[str, Any]:
    stack = [node]
    while stack:
        n = stack.pop()
        if isinstance(n, dict):
            if "feit" in n and pred(n):
                return n
            stack.extend(n.values())
        elif isinstance(n, list):
            stack.extend(n)
    raise AssertionError("not in the trace")


def test_a_toepassing_branch_counts_once_its_fact_is_known(tmp_path: Path) -> None:
    eng = load_pack(tmp_path, "t", WIDENING)
    assert instrument(eng, casus("mobiliteit"), "t.maatregel") is None  # hidden, not asked
    shown = instrument(eng, casus("mobiliteit", t_signaal=True), "t.maatregel")
    assert shown is not None and shown["status"] == "past"
    assert instrument(eng, casus("mobiliteit", t_signaal=False), "t.maatregel") is None
    other = instrument(eng, casus("sociaal_netwerk"), "t.maatregel")
    assert other is not None and other["status"] == "past"


def refused(tmp_path: Path, text: str, folder: str = "t") -> list[str]:
    """The loader's problems with `text`, written in its own `folder` under `tmp_path`."""
    with pytest.raises(PackError) as e:
        load_pack(tmp_path, folder, text)
    return [f"{p.regel}: {p.pad}: {p.melding}" for p in e.value.problems]


def _voorwaarde(toets: str) -> str:
    return HEAD + f"""
instrumenten:
  - id: t.steun
    naam: Steun
    soort: algemene_voorziening
    trede: algemene_voorziening
    rechtsgrond: {{bwb_id: BWBR0035362, artikel: "2.2.2", lid: "2"}}
    grondwaarden: [t.doel]
    voorwaarden:
      - id: v
        uitleg: "Voorwaarde."
        rechtsgrond: {{bwb_id: BWBR0035362, artikel: "2.2.2", lid: "2"}}
        toets: {toets}
"""


@pytest.mark.parametrize("toets", [
    '{feit: persoon.t_signaal, op: "=", waarde: true, bij_onbekend: nee}',
    '{niet: {feit: persoon.t_signaal, op: "=", waarde: true, bij_onbekend: ja}}',
    '{een_van: [{feit: persoon.leeftijd, op: ">", waarde: 60},'
    ' {feit: persoon.t_signaal, op: "=", waarde: true, bij_onbekend: nee}]}',
])
def test_a_voorwaarde_cannot_turn_nee_on_an_unknown_fact(tmp_path: Path, toets: str) -> None:
    problems = refused(tmp_path, _voorwaarde(toets))
    assert len(problems) == 1, problems
    line, where, message = problems[0].split(": ", 2)
    assert int(line) == HEAD.count("\n") + 13  # the line of the toets in the pack
    assert where.startswith("instrumenten[0].voorwaarden[0].toets") and \
        where.endswith("bij_onbekend")
    assert "maakt een voorwaarde nee zolang persoon.t_signaal onbekend is" in message


def test_a_voorwaarde_may_presume_ja(tmp_path: Path) -> None:
    eng = load_pack(tmp_path, "t", _voorwaarde(
        '{feit: persoon.t_signaal, op: "=", waarde: true, bij_onbekend: ja}'))
    got = instrument(eng, casus(), "t.steun")
    assert got is not None and got["status"] == "past" and got["nog_uitvragen"] == []


def test_an_uitsluiting_cannot_turn_ja_on_an_unknown_fact(tmp_path: Path) -> None:
    text = _voorwaarde('{feit: persoon.leeftijd, op: ">", waarde: 17}') + """
    uitsluitingen:
      - id: u
        uitleg: "Uitsluiting."
        rechtsgrond: {bwb_id: BWBR0035362, artikel: "2.3.5", lid: "6"}
        wettekst: "geen aanspraak op een maatwerkvoorziening"
        toets: {feit: persoon.t_signaal, op: "=", waarde: true, bij_onbekend: ja}
"""
    problems = refused(tmp_path, text)
    assert len(problems) == 1 and "maakt een uitsluiting ja" in problems[0], problems


def test_a_derived_fact_takes_the_direction_of_its_readers(tmp_path: Path) -> None:
    """The presumption pack, read the other way round: an uitsluiting on `t_mantelzorger`
    would exclude on the presumed ja; the same derived fact read `= false` in a voorwaarde
    too. Read `= true` in a voorwaarde (PRESUMPTION) it loads."""
    body = PRESUMPTION.split("instrumenten:")[0]
    for n, reader in enumerate(('{feit: afgeleid.t_mantelzorger, op: "=", waarde: false}',
                                '{niet: {feit: afgeleid.t_mantelzorger, op: "=", waarde: true}}')):
        text = body + _voorwaarde(reader).split(HEAD)[1]
        problems = refused(tmp_path, text, f"t{n}")
        assert len(problems) == 1, problems
        assert "afgeleide_feiten[0].toets" in problems[0]
        assert "het afgeleide feit 't_mantelzorger'" in problems[0]


def test_a_toepassing_may_not_hide_outside_a_top_level_branch(tmp_path: Path) -> None:
    text = WIDENING.replace("""      een_van:
        - {feit: effect.leefgebied, op: "=", waarde: sociaal_netwerk}
        - {feit: persoon.t_signaal, op: "=", waarde: true, bij_onbekend: nee}""",
                            """      alle:
        - {feit: effect.leefgebied, op: "=", waarde: sociaal_netwerk}
        - {feit: persoon.t_signaal, op: "=", waarde: true, bij_onbekend: nee}""")
    assert text != WIDENING
    problems = refused(tmp_path, text)
    assert len(problems) == 1 and "maakt een toepassing nee" in problems[0], problems


def test_a_begrenzing_may_count_either_way(tmp_path: Path) -> None:
    text = _voorwaarde('{feit: persoon.leeftijd, op: ">", waarde: 17}') + """
    begrenzingen:
      - id: b
        uitleg: "Voor zover."
        rechtsgrond: {bwb_id: BWBR0035362, artikel: "2.3.5", lid: "3"}
        toets: {feit: persoon.t_signaal, op: "=", waarde: true, bij_onbekend: nee}
"""
    eng = load_pack(tmp_path, "t", text)
    got = instrument(eng, casus(), "t.steun")
    assert got is not None and got["status"] == "past"


def test_the_regelboek_says_what_an_unknown_counts_as(presumption: Engine) -> None:
    from service.regelboek import toets_lines

    af = presumption.rules.packs[0].pack.afgeleide_feiten[0]
    lines = toets_lines(af.toets, presumption.rules.catalogue, {})
    leaf = lines["kinderen"][1]["kinderen"][1]
    assert leaf["feit"] == "persoon.t_geeft_zorg"
    assert leaf["tekst"].endswith("(zolang onbekend: telt als ja)")
    assert not lines["kinderen"][0]["tekst"].endswith(")")


def test_a_toepassing_of_such_branches_only_is_refused(tmp_path: Path) -> None:
    """`een_van` with only a branch that counts as nee while onbekend widens nothing: it would
    hide the instrument until its fact is known."""
    text = WIDENING.replace(
        '        - {feit: effect.leefgebied, op: "=", waarde: sociaal_netwerk}\n', "")
    assert text != WIDENING
    problems = refused(tmp_path, text)
    assert len(problems) == 1 and "maakt een toepassing nee" in problems[0], problems


def test_a_grondwaarde_cannot_turn_nee_on_an_unknown_fact(tmp_path: Path) -> None:
    """A grondwaarde nee drops the law from stap 2 and hides its instruments."""
    text = _voorwaarde('{feit: persoon.leeftijd, op: ">", waarde: 17}').replace(
        "    toets: {feit: effect.leefgebied, op: in, waarde: [mobiliteit, sociaal_netwerk]}",
        "    toets: {alle: [{feit: effect.leefgebied, op: in, waarde: [mobiliteit]},"
        " {feit: persoon.t_signaal, op: \"=\", waarde: true, bij_onbekend: nee}]}")
    problems = refused(tmp_path, text)
    assert len(problems) == 1 and "maakt een grondwaarde nee" in problems[0], problems
    assert "grondwaarden[0].toets.alle[1].bij_onbekend" in problems[0]


GRONDWAARDE_WIDENING = _voorwaarde('{feit: persoon.leeftijd, op: ">", waarde: 17}').replace(
    "    toets: {feit: effect.leefgebied, op: in, waarde: [mobiliteit, sociaal_netwerk]}",
    "    toets: {een_van: [{feit: effect.leefgebied, op: in, waarde: [mobiliteit]},"
    " {feit: persoon.t_signaal, op: \"=\", waarde: true, bij_onbekend: nee}]}")
"""A grondwaarde that also serves any leefgebied once the casus gives a signal."""


def test_a_grondwaarde_branch_counts_once_its_fact_is_known(tmp_path: Path) -> None:
    """Like a toepassing: while the signal is onbekend the grondwaarde is what it is without
    the branch (nee on sociaal_netwerk: no domain, the instrument serves nothing, nothing
    asked); a given ja names the law and shows the instrument; a given nee is nee."""
    assert GRONDWAARDE_WIDENING.count("bij_onbekend: nee") == 1
    eng = load_pack(tmp_path, "t", GRONDWAARDE_WIDENING)

    def stap2(data: dict[str, Any]) -> dict[str, Any]:
        got: dict[str, Any] = eng.advies(data).advies["effecten"][0]["stap2"]
        return got

    unknown = casus("sociaal_netwerk")
    assert instrument(eng, unknown, "t.steun") is None
    assert stap2(unknown)["domeinen"] == [] and stap2(unknown)["mogelijke_domeinen"] == []
    assert eng.advies(unknown).advies["nog_uitvragen"] == []
    assert stap2(unknown)["geen_grondwaarde"] is True
    known = casus("sociaal_netwerk", t_signaal=True)
    shown = instrument(eng, known, "t.steun")
    assert shown is not None and shown["status"] == "past"
    assert stap2(known)["domeinen"] == ["Wmo"]
    assert instrument(eng, casus("sociaal_netwerk", t_signaal=False), "t.steun") is None
    plain = instrument(eng, casus("mobiliteit"), "t.steun")
    assert plain is not None and plain["status"] == "past"


def test_a_grondwaarde_of_such_branches_only_is_refused(tmp_path: Path) -> None:
    text = GRONDWAARDE_WIDENING.replace(
        "{een_van: [{feit: effect.leefgebied, op: in, waarde: [mobiliteit]},", "{een_van: [")
    assert text != GRONDWAARDE_WIDENING
    problems = refused(tmp_path, text)
    assert len(problems) == 1 and "maakt een grondwaarde nee" in problems[0], problems
    assert "grondwaarden[0].toets.een_van[0].bij_onbekend" in problems[0]


def test_a_derived_fact_read_by_a_derived_fact_takes_the_outer_readers_direction(
        tmp_path: Path) -> None:
    """`t_b` presumes ja while `t_signaal` is onbekend; `t_a` reads `t_b = false`; a
    voorwaarde reads `t_a = true`: so a presumed ja of `t_b` makes `t_a` nee and the voorwaarde
    nee. The direction passes through both derived facts."""
    derived = """
afgeleide_feiten:
  - id: t_b
    uitleg: "B."
    rechtsgrond: {bwb_id: BWBR0035362, artikel: "2.2.2", lid: "2"}
    toets: {feit: persoon.t_signaal, op: "=", waarde: true, bij_onbekend: ja}
  - id: t_a
    uitleg: "A."
    rechtsgrond: {bwb_id: BWBR0035362, artikel: "2.2.2", lid: "2"}
    toets: {feit: afgeleid.t_b, op: "=", waarde: false}
"""
    text = HEAD + derived + _voorwaarde(
        '{feit: afgeleid.t_a, op: "=", waarde: true}').split(HEAD)[1]
    problems = refused(tmp_path, text)
    assert len(problems) == 1 and "het afgeleide feit 't_b'" in problems[0], problems
    # read the other way round (t_a = false in the voorwaarde), the presumption helps: loads
    load_pack(tmp_path, "ander", text.replace('{feit: afgeleid.t_a, op: "=", waarde: true}',
                                              '{feit: afgeleid.t_a, op: "=", waarde: false}'))


def test_a_vermelding_may_count_either_way_an_excluding_voorliggende_not(tmp_path: Path
                                                                         ) -> None:
    text = _voorwaarde('{feit: persoon.leeftijd, op: ">", waarde: 17}') + """
    voorliggend:
      - id: vl
        naam: Iets anders
        uitleg: "Wordt alleen genoemd."
        rechtsgrond: {bwb_id: BWBR0035362, artikel: "2.3.5", lid: "6"}
        toets: {feit: persoon.t_signaal, op: "=", waarde: true, bij_onbekend: ja}
"""
    eng = load_pack(tmp_path, "t", text)
    got = instrument(eng, casus(), "t.steun")
    assert got is not None and got["status"] == "past"
    with_exclusion = text.replace("        toets: {feit: persoon.t_signaal, op: \"=\", waarde: "
                                  "true, bij_onbekend: ja}",
                                  "        gevolg: uitsluiting\n        wettekst: \"geen "
                                  "aanspraak op een maatwerkvoorziening\"\n        toets: "
                                  "{feit: persoon.t_signaal, op: \"=\", waarde: true, "
                                  "bij_onbekend: ja}")
    assert with_exclusion != text
    problems = refused(tmp_path, with_exclusion, "uitsluiting")
    assert len(problems) == 1 and "voorliggende voorziening met gevolg uitsluiting ja" in \
        problems[0], problems
