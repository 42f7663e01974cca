"""Tests that kill the mutants mutmut found surviving in `engine.impact` (issue 17,
docs/testen.md "Mutatietesten"): the published counts, the two views of the impact report, the
comparison of two traces, and the impact of a rule change on stored adviezen (`impact`) and on
a folder of casus files (`impact_casussen`), at engine level (the HTTP and CLI tests that also
reach them are not in the mutation selection).

The rule change is a tiny invented pack in two versions (real articles, invented rules): the
new one adds the condition "jonger dan 75" to `proef.vervoer`, and in one variant also adds an
instrument and drops one. The expected moves are worked out from those two texts and the module's
docstrings, not copied from the engine's output. Invented casussen only.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

import engine.impact as impact_module
from engine import Engine
from engine.errors import Problem
from engine.impact import (
    AFWEZIG,
    CasusImpact,
    CasussenRapport,
    ImpactRapport,
    Wijziging,
    _beslissend,
    _citaat,
    _counts,
    _names,
    casus_files,
    compare,
    gepubliceerd,
    impact,
    impact_casussen,
    statuses,
)

# ---- gepubliceerd: the one rule for a published count ------------------------------------------


@pytest.mark.parametrize(("n", "shown"), [
    (1, "<5"), (2, "<5"), (4, "<5"),
    (5, 5), (6, 5), (7, 5), (8, 10), (9, 10), (10, 10), (12, 10), (13, 15),
    (17, 15), (18, 20), (100, 100), (102, 100), (103, 105),
])
def test_gepubliceerd_suppresses_small_cells_and_rounds_half_up_to_five(n: int,
                                                                        shown: int | str) -> None:
    got = gepubliceerd(n)
    assert got == shown
    assert type(got) is type(shown)  # an int, never 5.0: the JSON says 5


def test_gepubliceerd_shows_zero_as_asked_and_small_cells_with_the_given_marker() -> None:
    assert gepubliceerd(0) == 0 and type(gepubliceerd(0)) is int
    assert gepubliceerd(0, nul="< 5") == "< 5"
    assert gepubliceerd(3, klein="< 5", nul="-") == "< 5"
    assert gepubliceerd(5, klein="< 5", nul="-") == 5


# ---- the report's views -----------------------------------------------------------------------

def test_wijziging_as_dict() -> None:
    w = Wijziging("e1", "proef.vervoer", "past", "past_niet", ["voorwaarden:x"], naam="Vervoer",
                  beslissend=[{"soort": "voorwaarde", "id": "x"}])
    assert w.as_dict() == {"effect": "e1", "instrument": "proef.vervoer", "naam": "Vervoer",
                           "van": "past", "naar": "past_niet", "voorwaarden": ["voorwaarden:x"],
                           "beslissend": [{"soort": "voorwaarde", "id": "x"}]}
    bare = Wijziging("e2", "i", "afwezig", "past")
    assert (bare.voorwaarden, bare.naam, bare.beslissend) == ([], "", [])


def test_counts_are_sorted_so_the_json_is_stable() -> None:
    moves = {"z.ins": Counter({"past → past_niet": 2, "afwezig → past": 1}),
             "a.ins": Counter({"voorwaardelijk → past": 3})}
    got = _counts(10, 4, 1, moves)
    assert got == {"totaal": 10, "veranderd": 4, "fouten": 1, "per_instrument": {
        "a.ins": {"voorwaardelijk → past": 3},
        "z.ins": {"afwezig → past": 1, "past → past_niet": 2}}}
    assert list(got) == ["totaal", "veranderd", "fouten", "per_instrument"]
    assert list(got["per_instrument"]) == ["a.ins", "z.ins"]
    assert list(got["per_instrument"]["z.ins"]) == ["afwezig → past", "past → past_niet"]
    assert all(type(m) is dict for m in got["per_instrument"].values())  # not a Counter


def rapport(n_adviezen: int) -> ImpactRapport:
    return ImpactRapport(totaal=n_adviezen + 3, veranderd=n_adviezen, fouten=0,
                         adviezen=[{"advies_id": f"a{i}"} for i in range(n_adviezen)])


def test_as_dict_cuts_the_list_of_adviezen_at_the_limit_and_says_so() -> None:
    exact = rapport(500).as_dict()
    assert len(exact["adviezen"]) == 500 and exact["afgekapt"] is False
    over = rapport(501).as_dict()
    assert len(over["adviezen"]) == 500 and over["afgekapt"] is True
    assert over["adviezen"][-1] == {"advies_id": "a499"}
    small = rapport(3).as_dict(limit=2)
    assert small == {"totaal": 6, "veranderd": 3, "fouten": 0, "per_instrument": {},
                     "herberekend": 0, "adviezen": [{"advies_id": "a0"}, {"advies_id": "a1"}],
                     "afgekapt": True}
    assert rapport(2).as_dict(limit=2)["afgekapt"] is False


def test_overzicht_rounds_every_cell_and_keeps_the_population_exact() -> None:
    report = ImpactRapport(totaal=123, veranderd=38, fouten=2, herberekend=61, per_instrument={
        "z.ins": Counter({"past → past_niet": 33, "afwezig → past": 5}),
        "a.ins": Counter({"voorwaardelijk → past": 1})},
        adviezen=[{"advies_id": "geheim"}])
    got = report.overzicht()
    assert got == {"totaal": 123, "herberekend": 61, "veranderd": 40, "fouten": "<5",
                   "per_instrument": {"a.ins": {"voorwaardelijk → past": "<5"},
                                      "z.ins": {"afwezig → past": 5, "past → past_niet": 35}},
                   "drempel": 5, "afronding": 5, "onderdrukt": True}
    assert list(got["per_instrument"]) == ["a.ins", "z.ins"]
    assert list(got["per_instrument"]["z.ins"]) == ["afwezig → past", "past → past_niet"]
    assert "geheim" not in json.dumps(got)


@pytest.mark.parametrize(("veranderd", "fouten", "cell", "onderdrukt"), [
    (0, 0, 5, False),   # 0 is no small cell, 5 is the threshold itself
    (5, 0, 5, False),
    (10, 5, 10, False),
    (1, 0, 5, True),    # each kind of cell can be the small one
    (5, 4, 5, True),
    (5, 0, 4, True),
    (5, 0, 1, True),
])
def test_overzicht_says_whether_a_cell_was_suppressed(veranderd: int, fouten: int, cell: int,
                                                      onderdrukt: bool) -> None:
    report = ImpactRapport(totaal=50, veranderd=veranderd, fouten=fouten,
                           per_instrument={"i": Counter({"past → past_niet": cell})})
    assert report.overzicht()["onderdrukt"] is onderdrukt


def test_overzicht_of_an_empty_report() -> None:
    assert ImpactRapport().overzicht() == {"totaal": 0, "herberekend": 0, "veranderd": 0,
                                           "fouten": 0,
                                           "per_instrument": {}, "drempel": 5, "afronding": 5,
                                           "onderdrukt": False}


# ---- statuses, _citaat, compare on hand-made traces -------------------------------------------

def trace(*effecten: tuple[str, list[dict[str, Any]], list[dict[str, Any]]]) -> dict[str, Any]:
    return {"advies": {"effecten": [{"id": eid, "stap4": {"instrumenten": shown,
                                                           "niet_van_toepassing": nvt}}
                                    for eid, shown, nvt in effecten]}}


def test_statuses_keys_each_instrument_by_effect_and_id() -> None:
    shown = {"id": "i.a", "status": "past", "naam": "A"}
    t = trace(("e1", [shown], [{"id": "i.b", "reden": "dient geen grondwaarde"}]),
              ("e2", [], [{"id": "i.a"}]))
    assert statuses(t) == {
        ("e1", "i.a"): shown,
        # the id is kept, so a move to or from "not applicable" names the instrument
        ("e1", "i.b"): {"id": "i.b", "status": "niet_van_toepassing",
                        "reden": "dient geen grondwaarde"},
        ("e2", "i.a"): {"id": "i.a", "status": "niet_van_toepassing", "reden": ""},
    }


def test_citaat_is_the_text_of_the_rechtsgrond_or_empty() -> None:
    assert _citaat({"rechtsgrond": {"tekst": "art. 2.3.5 lid 3 Wmo 2015"}}) == \
        "art. 2.3.5 lid 3 Wmo 2015"
    assert _citaat({"rechtsgrond": {"artikel": "1"}}) == ""
    assert _citaat({"rechtsgrond": "art. 1"}) == ""
    assert _citaat({}) == ""


def cond(cid: str, uitkomst: str) -> dict[str, Any]:
    return {"id": cid, "uitkomst": uitkomst, "uitleg": f"Uitleg {cid}."}


def test_compare_lists_each_status_change_with_the_conditions_that_changed() -> None:
    a = {"id": "i.a", "status": "past", "naam": "A oud",
         "voorwaarden": [cond("v1", "ja"), cond("v2", "ja")],
         "uitsluitingen": [cond("u1", "nee")], "voorliggend": [cond("l1", "nee")],
         "begrenzingen": [cond("b1", "nee")]}
    b = {"id": "i.a", "status": "past_niet", "naam": "A nieuw",
         "voorwaarden": [cond("v1", "ja"), cond("v2", "nee"), cond("v3", "ja")],
         "uitsluitingen": [cond("u1", "ja")], "voorliggend": [cond("l1", "ja")],
         "begrenzingen": [cond("b1", "ja")]}
    same = {"id": "i.z", "status": "voorwaardelijk", "naam": "Z"}
    old = trace(("e2", [a, same], []), ("e1", [dict(a, naam="")], []))
    new = trace(("e2", [b, dict(same, voorwaarden=[cond("x", "ja")])], []),
                ("e1", [dict(b, naam="")], []))
    changes = compare(old, new)
    # sorted by (effect, instrument); a status that stays is no change, whatever its conditions
    assert [(c.effect, c.instrument) for c in changes] == [("e1", "i.a"), ("e2", "i.a")]
    c = changes[1]
    assert (c.van, c.naar, c.naam) == ("past", "past_niet", "A nieuw")
    # the begrenzingen do not count as a changed condition (they cap, they do not refuse)
    assert c.voorwaarden == ["voorwaarden:v2", "voorwaarden:v3", "uitsluitingen:u1",
                             "voorliggend:l1"]
    assert c.beslissend == _beslissend(a, b)
    assert changes[0].naam == ""


def test_compare_takes_the_old_name_when_the_new_entry_has_none() -> None:
    a = {"id": "i.a", "status": "past", "naam": "A oud"}
    old = trace(("e1", [a], []))
    new = trace(("e1", [], [{"id": "i.a", "reden": "dient geen grondwaarde"}]))
    [c] = compare(old, new)
    assert (c.effect, c.instrument, c.van, c.naar, c.naam) == (
        "e1", "i.a", "past", "niet_van_toepassing", "A oud")
    assert c.voorwaarden == []


def test_compare_an_instrument_new_and_one_gone() -> None:
    new_ins = {"id": "i.n", "status": "past", "naam": "Nieuw", "voorwaarden": [cond("v", "ja")]}
    old_ins = {"id": "i.o", "status": "voorwaardelijk", "naam": "Oud"}
    changes = compare(trace(("e1", [old_ins], [])), trace(("e1", [new_ins], [])))
    assert [(c.instrument, c.van, c.naar, c.naam, c.voorwaarden) for c in changes] == [
        ("i.n", AFWEZIG, "past", "Nieuw", ["voorwaarden:v"]),
        ("i.o", "voorwaardelijk", AFWEZIG, "Oud", [])]


def test_beslissend_reads_each_section_and_names_its_kind() -> None:
    a = {"status": "past", "uitsluitingen": [cond("u", "nee")],
         "voorliggend": [cond("l", "nee")], "begrenzingen": [cond("b", "nee")]}
    b = {"status": "past_niet", "uitsluitingen": [cond("u", "ja")],
         "voorliggend": [cond("l", "ja")], "begrenzingen": [cond("b", "ja")]}
    assert [(x["soort"], x["id"], x["van"], x["naar"]) for x in _beslissend(a, b)] == [
        ("uitsluiting", "u", "nee", "ja"), ("voorliggend", "l", "nee", "ja"),
        ("begrenzing", "b", "nee", "ja")]


def test_beslissend_falls_back_to_the_name_and_an_empty_reason() -> None:
    a = {"status": "past", "voorwaarden": [{"id": "v", "uitkomst": "ja", "naam": "Naam v"}]}
    b = {"status": "past_niet", "voorwaarden": [{"id": "v", "uitkomst": "nee",
                                                   "naam": "Naam v", "uitleg": ""}]}
    assert _beslissend(a, b)[0]["uitleg"] == "Naam v"
    gone = {"status": "niet_van_toepassing"}
    shown = {"status": "past", "naam": "X"}
    [x] = _beslissend(gone, shown)
    assert x["uitleg"] == "Komt dit instrument bij dit gewenste effect in beeld? ()"
    assert (x["van"], x["naar"], x["citaat"]) == ("niet_van_toepassing", "past", "")


def test_beslissend_when_the_instrument_comes_into_play() -> None:
    """From niet_van_toepassing to shown: the reason is the old entry's (why it was not in
    play), the article the instrument's own, from the new entry."""
    gone = {"status": "niet_van_toepassing", "reden": "dient geen grondwaarde van dit effect"}
    shown = {"id": "wmo.x", "status": "past",
             "rechtsgrond": {"tekst": "art. 2.3.5 lid 3 Wmo 2015"}}
    assert _beslissend(gone, shown) == [
        {"soort": "toepassing", "id": "toepassing",
         "uitleg": "Komt dit instrument bij dit gewenste effect in beeld? (dient geen "
                   "grondwaarde van dit effect)",
         "citaat": "art. 2.3.5 lid 3 Wmo 2015", "van": "niet_van_toepassing", "naar": "past"}]
    # the reasons of the new status, each field defaulting to empty
    assert _beslissend({"status": "past"}, {"status": "voorwaardelijk",
                                            "redenen": [{}]}) == [
        {"soort": "", "id": "", "uitleg": "", "citaat": "", "stand": ""}]
    assert _beslissend({"status": "past"}, {"status": "voorwaardelijk"}) == []


# ---- two versions of an invented pack ---------------------------------------------------------

def pack(versie: str, vanaf: str, *, jonger: bool = False, nieuw: bool = False,
         vervalt: bool = True) -> str:
    """The invented `proef` pack: `proef.vervoer` for adults (18+) without a Wlz indication,
    serving mobiliteit and financien; optionally "jonger dan 75" added to it, a new instrument
    `proef.nieuw`, and `proef.vervalt` (18+) left out."""
    text = f"""regelpakket: {{id: proef, naam: Proefwet, domein: Wmo, bwb_id: BWBR0035362,
              versie: "{versie}", geldig_vanaf: {vanaf}}}
grondwaarden:
  - id: proef.doel
    tekst: "Zelfstandig meedoen."
    rechtsgrond: {{bwb_id: BWBR0035362, artikel: "2.1.1"}}
    toets: {{feit: effect.leefgebied, op: in, waarde: [mobiliteit, financien]}}
instrumenten:
  - id: proef.vervoer
    naam: Vervoer
    soort: maatwerkvoorziening
    trede: maatwerk
    rechtsgrond: {{bwb_id: BWBR0035362, artikel: "2.3.5", lid: "3"}}
    grondwaarden: [proef.doel]
    voorwaarden:
      - id: volwassen
        uitleg: "Achttien jaar of ouder."
        rechtsgrond: {{bwb_id: BWBR0035362, artikel: "2.3.5", lid: "3"}}
        toets: {{feit: persoon.leeftijd, op: ">=", waarde: 18}}
"""
    if jonger:
        text += """      - id: jonger_dan_75
        uitleg: "Jonger dan 75 jaar."
        rechtsgrond: {bwb_id: BWBR0035362, artikel: "2.2.3"}
        toets: {feit: persoon.leeftijd, op: "<", waarde: 75}
"""
    text += """    uitsluitingen:
      - id: wlz
        uitleg: "De Wlz gaat voor."
        rechtsgrond: {bwb_id: BWBR0035362, artikel: "2.3.5", lid: "6"}
        toets: {feit: persoon.wlz_indicatie, op: "=", waarde: true}
"""
    for iid, naam, artikel, wanted in (("proef.vervalt", "Vervallende regeling", "2.3.6", vervalt),
                                       ("proef.nieuw", "Nieuwe regeling", "2.3.7", nieuw)):
        if wanted:
            text += f"""  - id: {iid}
    naam: {naam}
    soort: maatwerkvoorziening
    trede: maatwerk
    rechtsgrond: {{bwb_id: BWBR0035362, artikel: "{artikel}"}}
    grondwaarden: [proef.doel]
    voorwaarden:
      - id: volwassen
        uitleg: "Achttien jaar of ouder."
        rechtsgrond: {{bwb_id: BWBR0035362, artikel: "{artikel}"}}
        toets: {{feit: persoon.leeftijd, op: ">=", waarde: 18}}
"""
    return text


def load(folder: Path, text: str) -> Engine:
    folder.mkdir()
    (folder / "proef.yaml").write_text(text, "utf-8")
    return Engine.load([folder])


@pytest.fixture(scope="module")
def engines(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Engine]:
    root = tmp_path_factory.mktemp("impact")
    return {
        "oud": load(root / "oud", pack("1", "2024-01-01")),
        # the 1 January change: "jonger dan 75", and the pack starts on 2025-01-01
        "nieuw": load(root / "nieuw", pack("2", "2025-01-01", jonger=True)),
        # the same, and an instrument added and one dropped
        "anders": load(root / "anders", pack("3", "2025-01-01", jonger=True, nieuw=True,
                                             vervalt=False)),
    }


def casus(leeftijd: int, *leefgebieden: str, peildatum: str = "2025-06-01",
          wlz: bool = False) -> dict[str, Any]:
    """An invented person of `leeftijd` with a gewenst effect per leefgebied (e1, e2, ...)."""
    return {"peildatum": peildatum,
            "personen": [{"id": "p1", "rol": "aanvrager", "leeftijd": leeftijd,
                          "wlz_indicatie": wlz}],
            "gewenste_effecten": [{"id": f"e{i}", "omschrijving": "Zelf naar de markt.",
                                   "leefgebied": gebied}
                                  for i, gebied in enumerate(leefgebieden or ("mobiliteit",),
                                                             start=1)]}


JONGER = {"soort": "voorwaarde", "id": "jonger_dan_75", "uitleg": "Jonger dan 75 jaar.",
          "citaat": "art. 2.2.3 Wmo 2015", "van": AFWEZIG, "naar": "nee"}
"""What decides the move of an 80-year-old: the new condition, absent before, now `nee`."""


# ---- impact: stored adviezen re-evaluated with a candidate -----------------------------------

def test_impact_counts_the_adviezen_that_move(engines: dict[str, Engine]) -> None:
    oud, nieuw = engines["oud"], engines["nieuw"]
    stored = [("a1", oud.advies(casus(80)).trace),                 # past → past_niet
              ("a2", oud.advies(casus(40)).trace),                 # stays past
              ("a3", oud.advies(casus(76, "mobiliteit", "financien")).trace),  # twice, once
              ("a4", oud.advies(casus(90, wlz=True)).trace)]       # past_niet either way
    seen: list[int] = []
    report = impact(stored, nieuw, progress=seen.append)
    assert seen == [1, 2, 3, 4]
    assert (report.totaal, report.veranderd, report.fouten) == (4, 2, 0)
    move = {"effect": "e1", "instrument": "proef.vervoer", "van": "past", "naar": "past_niet",
            "voorwaarden": ["voorwaarden:jonger_dan_75"]}
    assert report.adviezen == [
        {"advies_id": "a1", "wijzigingen": [move]},
        {"advies_id": "a3", "wijzigingen": [move, {**move, "effect": "e2"}]}]
    # an advies whose two effecten make the same move counts once: cells count adviezen
    assert report.per_instrument == {"proef.vervoer": Counter({"past → past_niet": 2})}


def test_impact_counts_a_casus_that_no_longer_fits(engines: dict[str, Engine]) -> None:
    """A stored casus of 2024 does not fit a pack that starts in 2025 (a CasusError): counted
    as a fout, not as a change, and progress still goes on."""
    oud, nieuw = engines["oud"], engines["nieuw"]
    stored = [("a1", oud.advies(casus(80, peildatum="2024-06-01")).trace),
              ("a2", oud.advies(casus(80)).trace),
              ("a3", oud.advies(casus(40, peildatum="2024-12-31")).trace)]
    seen: list[int] = []
    report = impact(iter(stored), nieuw, progress=seen.append)
    assert seen == [1, 2, 3]
    assert (report.totaal, report.veranderd, report.fouten) == (3, 1, 2)
    assert [a["advies_id"] for a in report.adviezen] == ["a2"]


def test_impact_on_a_peildatum_evaluates_every_casus_on_that_day(
        engines: dict[str, Engine]) -> None:
    """With `peildatum` the stored 2024 casus is evaluated on 2025-06-01: it fits again and
    moves; without it, it does not fit."""
    oud, nieuw = engines["oud"], engines["nieuw"]
    stored = [("a1", oud.advies(casus(80, peildatum="2024-06-01")).trace)]
    report = impact(stored, nieuw, peildatum="2025-06-01")
    assert (report.totaal, report.veranderd, report.fouten) == (1, 1, 0)
    assert report.per_instrument == {"proef.vervoer": Counter({"past → past_niet": 1})}
    assert stored[0][1]["casus"]["peildatum"] == "2024-06-01"  # nothing stored is touched
    assert impact(stored, nieuw).fouten == 1


def test_impact_with_the_same_rules_moves_nothing(engines: dict[str, Engine]) -> None:
    oud = engines["oud"]
    report = impact([("a1", oud.advies(casus(80)).trace)], oud)  # no progress: fine
    assert report.as_dict() == {"totaal": 1, "herberekend": 1, "veranderd": 0, "fouten": 0,
                                "per_instrument": {},
                                "adviezen": [], "afgekapt": False}


def test_impact_counts_each_instrument_and_move_of_an_advies(engines: dict[str, Engine]) -> None:
    """A new instrument, a dropped one and a changed one in one advies: a cell each."""
    oud, anders = engines["oud"], engines["anders"]
    report = impact([("a1", oud.advies(casus(80)).trace),
                     ("a2", oud.advies(casus(30)).trace)], anders)
    assert report.veranderd == 2
    assert report.per_instrument == {
        "proef.nieuw": Counter({"afwezig → past": 2}),
        "proef.vervalt": Counter({"past → afwezig": 2}),
        "proef.vervoer": Counter({"past → past_niet": 1})}


# ---- impact_casussen: a folder of casus files, old and new rules side by side -----------------

def write(folder: Path, name: str, data: dict[str, Any] | str) -> Path:
    path = folder / name
    path.write_text(data if isinstance(data, str) else json.dumps(data), "utf-8")
    return path


def test_casus_files_takes_a_folders_casus_files_sorted_and_a_file_as_given(
        tmp_path: Path) -> None:
    folder = tmp_path / "map"
    (folder / "sub").mkdir(parents=True)
    for name in ("b.yaml", "a.json", "c.yml", "D.YAML", "notes.txt", "sub/e.yaml"):
        (folder / name).write_text("{}", "utf-8")
    (folder / "x.yaml.d").mkdir()  # a folder with a casus suffix is no casus file
    (folder / "f.json").mkdir()
    los = tmp_path / "los.txt"
    assert casus_files([folder, los]) == [
        folder / "D.YAML", folder / "a.json", folder / "b.yaml", folder / "c.yml", los]
    assert casus_files([]) == []


def test_impact_casussen_per_casus_what_moves_and_why(tmp_path: Path,
                                                      engines: dict[str, Engine]) -> None:
    folder = tmp_path / "casussen"
    folder.mkdir()
    oud80 = write(folder, "oud.json", casus(80))
    jong = write(folder, "jong.json", casus(40))
    ouder = write(folder, "ouder.json", casus(91))
    seen: list[int] = []
    report = impact_casussen(casus_files([folder]), engines["oud"], engines["nieuw"],
                             progress=seen.append)
    assert seen == [1, 2, 3]
    assert isinstance(report, CasussenRapport)
    assert (report.totaal, report.veranderd, report.fouten) == (3, 2, 0)
    assert [c.casus for c in report.casussen] == [str(jong), str(oud80), str(ouder)]
    assert report.casussen[0].wijzigingen == []
    move = {"effect": "e1", "instrument": "proef.vervoer", "naam": "Vervoer",
            "van": "past", "naar": "past_niet",
            "voorwaarden": ["voorwaarden:jonger_dan_75"], "beslissend": [JONGER]}
    assert report.as_dict() == {
        "totaal": 3, "veranderd": 2, "fouten": 0,
        "per_instrument": {"proef.vervoer": {"past → past_niet": 2}},
        "casussen": [{"casus": str(jong), "wijzigingen": []},
                     {"casus": str(oud80), "wijzigingen": [move]},
                     {"casus": str(ouder), "wijzigingen": [move]}]}



def test_impact_casussen_names_an_instrument_the_trace_does_not_name(
        tmp_path: Path, engines: dict[str, Engine]) -> None:
    """A new instrument that does not apply to an effect has no name in either trace (not in
    the old, `niet_van_toepassing` in the new): the name comes from the packs. Two effecten
    making the same move count once for the casus."""
    path = write(tmp_path, "c.json", casus(30, "huisvesting", "justitie"))
    report = impact_casussen([path], engines["oud"], engines["anders"])
    [item] = report.casussen
    got = [(w.effect, w.instrument, w.naam, w.van, w.naar) for w in item.wijzigingen]
    assert got == [
        ("e1", "proef.nieuw", "Nieuwe regeling", AFWEZIG, "niet_van_toepassing"),
        ("e1", "proef.vervalt", "Vervallende regeling", "niet_van_toepassing", AFWEZIG),
        ("e2", "proef.nieuw", "Nieuwe regeling", AFWEZIG, "niet_van_toepassing"),
        ("e2", "proef.vervalt", "Vervallende regeling", "niet_van_toepassing", AFWEZIG)]
    assert report.per_instrument == {
        "proef.nieuw": Counter({"afwezig → niet_van_toepassing": 1}),
        "proef.vervalt": Counter({"niet_van_toepassing → afwezig": 1})}


def test_an_instrument_no_pack_names_keeps_an_empty_name(
        tmp_path: Path, engines: dict[str, Engine], monkeypatch: pytest.MonkeyPatch) -> None:
    """The name is a string, also when the packs do not name the instrument either."""
    monkeypatch.setattr(impact_module, "_names", lambda *engines: {})
    path = write(tmp_path, "c.json", casus(30, "huisvesting"))
    [item] = impact_casussen([path], engines["oud"], engines["anders"]).casussen
    assert [w.naam for w in item.wijzigingen] == ["", ""]


def test_names_of_the_instruments_of_both_rule_sets(engines: dict[str, Engine]) -> None:
    assert _names(engines["oud"], engines["anders"]) == {
        "proef.vervoer": "Vervoer", "proef.vervalt": "Vervallende regeling",
        "proef.nieuw": "Nieuwe regeling"}
    assert _names() == {}


def test_impact_casussen_lists_a_casus_that_fits_neither_and_goes_on(
        tmp_path: Path, engines: dict[str, Engine]) -> None:
    bad = write(tmp_path, "1-slecht.json", {**casus(80), "peildatum": "geen datum"})
    broken = write(tmp_path, "2-kapot.yaml", "personen: [\n")
    te_vroeg = write(tmp_path, "3-2024.json", casus(80, peildatum="2024-06-01"))
    missing = tmp_path / "4-weg.yaml"
    good = write(tmp_path, "5-goed.json", casus(80))
    seen: list[int] = []
    report = impact_casussen([bad, broken, te_vroeg, missing, good], engines["oud"],
                             engines["nieuw"], progress=seen.append)
    assert seen == [1, 2, 3, 4, 5]
    assert (report.totaal, report.veranderd, report.fouten) == (5, 1, 4)
    items = report.casussen
    assert [c.fout for c in items] == ["huidige regels", "huidige regels", "nieuwe regels",
                                       "huidige regels", None]
    assert all(c.problemen and not c.wijzigingen for c in items[:4])
    assert items[0].problemen[0].pad == "peildatum"
    assert items[1].problemen[0].bestand == str(broken)
    assert items[2].problemen[0].pad == "peildatum"
    assert "2025-01-01" in items[2].problemen[0].melding
    assert items[3].problemen == [Problem(bestand=str(missing), pad="(document)",
                                          melding="No such file or directory")]
    assert items[3].as_dict() == {
        "casus": str(missing), "wijzigingen": [], "fout": "huidige regels",
        "problemen": [f"{missing}:1:1: (document): No such file or directory"]}
    assert items[4].as_dict()["wijzigingen"][0]["beslissend"] == [JONGER]
    assert "fout" not in items[4].as_dict() and "problemen" not in items[4].as_dict()
    assert report.per_instrument == {"proef.vervoer": Counter({"past → past_niet": 1})}


def test_an_unreadable_file_without_an_os_message_is_named_by_its_error(
        tmp_path: Path, engines: dict[str, Engine], monkeypatch: pytest.MonkeyPatch) -> None:
    oud = engines["oud"]

    def unreadable(path: Path) -> Any:
        raise PermissionError()

    monkeypatch.setattr(oud, "casus_file", unreadable)
    path = tmp_path / "c.yaml"
    [item] = impact_casussen([path], oud, engines["nieuw"]).casussen
    assert item.fout == "huidige regels"
    assert item.problemen == [Problem(bestand=str(path), pad="(document)",
                                      melding="PermissionError")]


def test_impact_casussen_on_a_peildatum_evaluates_both_on_that_day(
        tmp_path: Path, engines: dict[str, Engine]) -> None:
    """The file's own peildatum (2024) does not fit the new rules; on 2025-06-01 both fit and
    the 80-year-old moves."""
    path = write(tmp_path, "c.json", casus(80, peildatum="2024-06-01"))
    on_day = impact_casussen([path], engines["oud"], engines["nieuw"], peildatum="2025-06-01")
    assert (on_day.veranderd, on_day.fouten) == (1, 0)
    assert on_day.casussen[0].wijzigingen[0].beslissend == [JONGER]
    own = impact_casussen([path], engines["oud"], engines["nieuw"])
    assert (own.veranderd, own.fouten) == (0, 1)


def test_casus_impact_as_dict_without_and_with_a_fout() -> None:
    w = Wijziging("e1", "i", "past", "past_niet", naam="I")
    assert CasusImpact("c.yaml", [w]).as_dict() == {"casus": "c.yaml",
                                                    "wijzigingen": [w.as_dict()]}
    p = Problem(pad="peildatum", melding="ongeldig")
    assert CasusImpact("c.yaml", fout="nieuwe regels", problemen=[p]).as_dict() == {
        "casus": "c.yaml", "wijzigingen": [], "fout": "nieuwe regels",
        "problemen": ["peildatum: ongeldig"]}


def test_casussen_rapport_counts() -> None:
    w = Wijziging("e1", "i", "past", "past_niet")
    report = CasussenRapport(casussen=[CasusImpact("a", [w]), CasusImpact("b"),
                                       CasusImpact("c", fout="huidige regels"),
                                       CasusImpact("d", [w, w])])
    assert (report.totaal, report.veranderd, report.fouten) == (4, 2, 1)
    assert CasussenRapport().as_dict() == {"totaal": 0, "veranderd": 0, "fouten": 0,
                                           "per_instrument": {}, "casussen": []}


def test_a_new_instrument_that_does_not_apply_is_named_in_the_reason() -> None:
    """A new local instrument that does not concern this effect: the reason names it (was "")."""
    new = statuses(trace(("e1", [], [{"id": "gm.nieuw", "reden": "toepassing: nee"}])))
    (reden,) = _beslissend({"status": AFWEZIG}, new[("e1", "gm.nieuw")])
    assert reden["id"] == "gm.nieuw"
    assert reden["uitleg"] == "nieuw in de regels"
    assert (reden["van"], reden["naar"]) == (AFWEZIG, "niet_van_toepassing")
