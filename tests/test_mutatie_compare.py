"""`engine.compare` on small invented traces (issue 17, docs/testen.md "Mutatietesten").

Every expected value is written by hand from what the comparison is meant to answer (the module
docstring of `engine.compare`: which instrument changed status for which effect, on which
condition and article, which parameter changed from what to what, which questions were added or
are no longer needed), not copied from its output. The traces are dictionaries with only the
fields the comparison reads; no person is described at all.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from engine import Engine
from engine.compare import (
    ParameterInfo,
    _bool,
    _cite,
    _dict,
    _iso,
    _list,
    _param_state,
    _stap2,
    _status,
    _str,
    _strings,
    parameter_info,
    vergelijk,
)
from tests.paths import FIXTURES


def trace(*, effecten: list[Any] | None = None, stap2: Any = None,
          nog_uitvragen: list[Any] | None = None, parameters: list[Any] | None = None,
          pakketten: list[Any] | None = None, peildatum: Any = "2025-03-01") -> dict[str, Any]:
    advies: dict[str, Any] = {"effecten": effecten or []}
    if stap2 is not None:
        advies["stap2"] = stap2
    if nog_uitvragen is not None:
        advies["nog_uitvragen"] = nog_uitvragen
    return {"peildatum": peildatum, "advies": advies, "parameters": parameters or [],
            "pakketten": pakketten or []}


def effect(eid: Any, instrumenten: list[Any] | None = None, nvt: list[Any] | None = None,
           afgeleid: list[Any] | None = None) -> dict[str, Any]:
    return {"id": eid, "stap4": {"instrumenten": instrumenten or [],
                                 "niet_van_toepassing": nvt or []},
            "afgeleide_feiten": afgeleid or []}


def cite(tekst: str) -> dict[str, str]:
    return {"tekst": tekst, "bwb_id": "BWBR0000000"}


# ── instruments: which changed, and what the comparison says about each ────────────────────

def test_only_the_instruments_that_changed_are_listed_in_order_with_their_status() -> None:
    then = effect("e1", instrumenten=[
        {"id": "i.zelfde", "naam": "Zelfde", "status": "past", "markering": ["m"],
         "rechtsgrond": cite("art. 1")},
        {"id": "i.status", "naam": "Oude naam", "status": "voorwaardelijk",
         "rechtsgrond": cite("art. 2")},
        {"id": "i.markering", "status": "past", "markering": ["eerste"]},
        {"id": "i.artikel", "naam": "Artikel", "status": "past", "rechtsgrond": cite("art. 3")},
        {"id": "i.weg", "naam": "Weg", "status": "past_niet", "rechtsgrond": cite("art. 4")},
    ], nvt=[{"id": "i.reden", "reden": "oude reden"}, {"id": "i.blijft", "reden": "zelfde"}])
    now = effect("e1", instrumenten=[
        {"id": "i.nieuw", "naam": "Nieuw", "status": "past"},
        {"id": "i.zelfde", "naam": "Zelfde", "status": "past", "markering": ["m"],
         "rechtsgrond": cite("art. 1")},
        {"id": "i.status", "naam": "Nieuwe naam", "status": "past", "rechtsgrond": cite("art. 2")},
        {"id": "i.markering", "status": "past", "markering": ["eerste", "tweede"]},
        {"id": "i.artikel", "naam": "Artikel", "status": "past",
         "rechtsgrond": cite("art. 3a")},
    ], nvt=[{"id": "i.reden", "reden": "nieuwe reden"}, {"id": "i.zonder_reden"},
            {"id": "i.blijft", "reden": "zelfde"}])

    v = vergelijk(trace(effecten=[then]), trace(effecten=[now]))

    assert not v.gelijk
    assert [i.model_dump() for i in v.instrumenten] == [
        # new instruments first (in the new order), then the new niet-van-toepassing list,
        # then what only the old trace had
        {"effect": "e1", "instrument": "i.nieuw", "naam": "Nieuw", "rechtsgrond": None,
         "status_toen": "ontbreekt", "status_nu": "past", "markering_toen": [],
         "markering_nu": [], "reden_toen": None, "reden_nu": None, "gronden": []},
        {"effect": "e1", "instrument": "i.status", "naam": "Nieuwe naam",
         "rechtsgrond": "art. 2", "status_toen": "voorwaardelijk", "status_nu": "past",
         "markering_toen": [], "markering_nu": [], "reden_toen": None, "reden_nu": None,
         "gronden": []},
        {"effect": "e1", "instrument": "i.markering", "naam": "i.markering",
         "rechtsgrond": None, "status_toen": "past", "status_nu": "past",
         "markering_toen": ["eerste"], "markering_nu": ["eerste", "tweede"],
         "reden_toen": None, "reden_nu": None, "gronden": []},
        {"effect": "e1", "instrument": "i.artikel", "naam": "Artikel", "rechtsgrond": "art. 3a",
         "status_toen": "past", "status_nu": "past", "markering_toen": [], "markering_nu": [],
         "reden_toen": None, "reden_nu": None, "gronden": []},
        {"effect": "e1", "instrument": "i.reden", "naam": "i.reden", "rechtsgrond": None,
         "status_toen": "niet_van_toepassing", "status_nu": "niet_van_toepassing",
         "markering_toen": [], "markering_nu": [], "reden_toen": "oude reden",
         "reden_nu": "nieuwe reden", "gronden": []},
        {"effect": "e1", "instrument": "i.zonder_reden", "naam": "i.zonder_reden",
         "rechtsgrond": None, "status_toen": "ontbreekt", "status_nu": "niet_van_toepassing",
         "markering_toen": [], "markering_nu": [], "reden_toen": None, "reden_nu": "",
         "gronden": []},
        {"effect": "e1", "instrument": "i.weg", "naam": "Weg", "rechtsgrond": "art. 4",
         "status_toen": "past_niet", "status_nu": "ontbreekt", "markering_toen": [],
         "markering_nu": [], "reden_toen": None, "reden_nu": None, "gronden": []},
    ]


def test_an_instrument_only_in_the_old_niet_van_toepassing_list_is_listed() -> None:
    v = vergelijk(trace(effecten=[effect("e1", nvt=[{"id": "i.x", "reden": "geen grondwaarde"}])]),
                  trace(effecten=[effect("e1")]))
    (ins,) = v.instrumenten
    assert (ins.instrument, ins.naam, ins.status_toen, ins.status_nu) == (
        "i.x", "i.x", "niet_van_toepassing", "ontbreekt")
    assert (ins.reden_toen, ins.reden_nu) == ("geen grondwaarde", None)


def test_the_old_name_is_used_when_the_new_trace_has_none() -> None:
    then = effect("e1", instrumenten=[{"id": "i.a", "naam": "Oud", "status": "past"}])
    now = effect("e1", instrumenten=[{"id": "i.a", "naam": 7, "status": "voorwaardelijk"}])
    (ins,) = vergelijk(trace(effecten=[then]), trace(effecten=[now])).instrumenten
    assert ins.naam == "Oud"


@pytest.mark.parametrize("old_first", [True, False])
def test_an_article_seen_on_one_side_only_is_no_change(old_first: bool) -> None:
    """An instrument present as a dictionary on one side only, with the same status both times
    (here: an unknown status, so it reads as niet van toepassing either way), is not a change
    just because only one side names an article: the article is compared only when both sides
    have the instrument."""
    present = effect("e1", instrumenten=[{"id": "i.a", "status": "onzin",
                                          "rechtsgrond": cite("art. 9")}],
                     nvt=[{"id": "i.a", "reden": "r"}])
    absent = effect("e1", nvt=[{"id": "i.a", "reden": "r"}])
    a, b = (present, absent) if old_first else (absent, present)
    v = vergelijk(trace(effecten=[a]), trace(effecten=[b]))
    assert v.instrumenten == [] and v.gelijk


def test_the_article_of_an_instrument_on_both_sides_is_compared() -> None:
    a = effect("e1", instrumenten=[{"id": "i.a", "status": "past"}])
    b = effect("e1", instrumenten=[{"id": "i.a", "status": "past", "rechtsgrond": cite("art. 9")}])
    (ins,) = vergelijk(trace(effecten=[a]), trace(effecten=[b])).instrumenten
    assert ins.rechtsgrond == "art. 9"
    (ins,) = vergelijk(trace(effecten=[b]), trace(effecten=[a])).instrumenten
    assert ins.rechtsgrond == "art. 9"


@pytest.mark.parametrize(("ins", "nvt", "expected"), [
    ({"status": "past"}, False, "past"),
    ({"status": "voorwaardelijk"}, True, "voorwaardelijk"),
    ({"status": "past_niet"}, False, "past_niet"),
    ({"status": "niet_van_toepassing"}, False, "ontbreekt"),
    ({"status": "onzin"}, True, "niet_van_toepassing"),
    ({}, False, "ontbreekt"),
    (None, True, "niet_van_toepassing"),
    (None, False, "ontbreekt"),
])
def test_status_reads_only_the_three_statuses_of_an_instrument(
        ins: Any, nvt: bool, expected: str) -> None:
    assert _status(ins, nvt) == expected


def test_effects_are_paired_by_id_new_ones_first_then_those_that_left() -> None:
    ins = {"id": "i.a", "naam": "A", "status": "past"}
    oud = trace(effecten=[effect("e_weg", instrumenten=[ins]), effect("e1", instrumenten=[ins]),
                          "geen effect"])
    nieuw = trace(effecten=[effect(2, instrumenten=[ins]), effect("e1", instrumenten=[ins])])
    v = vergelijk(oud, nieuw)
    assert [(i.effect, i.instrument, i.status_toen, i.status_nu) for i in v.instrumenten] == [
        ("2", "i.a", "ontbreekt", "past"), ("e_weg", "i.a", "past", "ontbreekt")]


# ── the grounds that carry a change ─────────────────────────────────────────────────────────

def test_the_grounds_are_the_conditions_whose_outcome_or_reason_changed() -> None:
    then = {"id": "i.a", "naam": "A", "status": "past_niet",
            "toepassing": {"uitkomst": "ja"},
            "voorwaarden": [
                {"id": "v1", "uitkomst": "nee", "rechtsgrond": cite("art. 5 lid 1"),
                 "uitleg": "Eerste voorwaarde.", "beslisruimte": {"door": "college"}},
                {"id": "v2", "uitkomst": "onbekend", "uitleg": "Tweede voorwaarde."},
                {"id": "v_weg", "uitkomst": "ja", "uitleg": "Verdwenen voorwaarde.",
                 "rechtsgrond": cite("art. 5 lid 3")}],
            "redenen": [
                {"soort": "vorm_van", "id": "i.basis", "stand": "past niet",
                 "citaat": "art. 6", "uitleg": "Een vorm van de basis."},
                {"soort": "instrument", "id": "toekenning", "stand": "college beslist",
                 "door": "college"}]}
    now = {"id": "i.a", "naam": "A", "status": "voorwaardelijk",
           "toepassing": {"uitkomst": "onbekend"},
           "voorwaarden": [
               {"id": "v1", "uitkomst": "ja", "uitleg": "Eerste voorwaarde, nieuw."},
               {"id": "v2", "uitkomst": "onbekend", "uitleg": "Tweede voorwaarde."}],
           "uitsluitingen": [
               {"id": "u1", "uitkomst": "nee", "rechtsgrond": cite("art. 7"),
                "omschrijving": "Een uitsluiting.", "beslisruimte": {"door": "rechter"}}],
           "begrenzingen": [{"id": "b1", "uitkomst": "ja", "naam": "Goedkoopst adequaat",
                             "beslisruimte": "college"}],
           "redenen": [
               {"soort": "voorwaarde", "id": "v2", "stand": "nog onbekend"},
               # the item's own article, explanation and decider win over the reason's
               {"soort": "uitsluiting", "id": "u1", "stand": "sluit uit", "citaat": "ander",
                "uitleg": "andere uitleg", "door": "iemand anders"},
               {"soort": "vorm_van", "id": "i.basis", "stand": "voorwaardelijk",
                "citaat": "art. 6", "uitleg": "Een vorm van de basis.", "door": "svb"},
               {"soort": "instrument", "id": "toekenning", "stand": "college beslist",
                "door": "college"}]}
    v = vergelijk(trace(effecten=[effect("e1", instrumenten=[then])]),
                  trace(effecten=[effect("e1", instrumenten=[now])]))
    (ins,) = v.instrumenten
    assert [g.model_dump() for g in ins.gronden] == [
        {"soort": "toepassing", "id": "toepassing", "rechtsgrond": None, "uitleg": None,
         "uitkomst_toen": "ja", "uitkomst_nu": "onbekend", "stand_toen": None,
         "stand_nu": None, "door": None},
        # the article and the decider only the old trace named are kept
        {"soort": "voorwaarde", "id": "v1", "rechtsgrond": "art. 5 lid 1",
         "uitleg": "Eerste voorwaarde, nieuw.", "uitkomst_toen": "nee", "uitkomst_nu": "ja",
         "stand_toen": None, "stand_nu": None, "door": "college"},
        # v2: same outcome, only now listed as a reason: it does not decide the change
        {"soort": "uitsluiting", "id": "u1", "rechtsgrond": "art. 7",
         "uitleg": "Een uitsluiting.", "uitkomst_toen": None, "uitkomst_nu": "nee",
         "stand_toen": None, "stand_nu": "sluit uit", "door": "rechter"},
        {"soort": "begrenzing", "id": "b1", "rechtsgrond": None,
         "uitleg": "Goedkoopst adequaat", "uitkomst_toen": None, "uitkomst_nu": "ja",
         "stand_toen": None, "stand_nu": None, "door": None},
        # a ground that is only a reason counts when its reason changed
        {"soort": "vorm_van", "id": "i.basis", "rechtsgrond": "art. 6",
         "uitleg": "Een vorm van de basis.", "uitkomst_toen": None, "uitkomst_nu": None,
         "stand_toen": "past niet", "stand_nu": "voorwaardelijk", "door": "svb"},
        # the instrument reason did not change; the condition that left did
        {"soort": "voorwaarde", "id": "v_weg", "rechtsgrond": "art. 5 lid 3",
         "uitleg": "Verdwenen voorwaarde.", "uitkomst_toen": "ja", "uitkomst_nu": None,
         "stand_toen": None, "stand_nu": None, "door": None},
    ]


def test_a_changed_ground_alone_makes_the_instrument_a_change() -> None:
    """Same status, same markers, same reasons: a condition whose outcome changed still makes
    the instrument worth listing (`gronden` is part of the change)."""
    then = {"id": "i.a", "status": "voorwaardelijk",
            "voorwaarden": [{"id": "v1", "uitkomst": "onbekend"}]}
    now = {"id": "i.a", "status": "voorwaardelijk",
           "voorwaarden": [{"id": "v1", "uitkomst": "ja"}]}
    (ins,) = vergelijk(trace(effecten=[effect("e1", instrumenten=[then])]),
                       trace(effecten=[effect("e1", instrumenten=[now])])).instrumenten
    assert [(g.id, g.uitkomst_toen, g.uitkomst_nu) for g in ins.gronden] == [
        ("v1", "onbekend", "ja")]


def test_the_new_article_explanation_and_decider_of_a_ground_come_first() -> None:
    then = {"id": "i.a", "status": "past_niet",
            "voorwaarden": [{"id": "v1", "uitkomst": "nee", "rechtsgrond": cite("oud"),
                             "uitleg": "oud", "beslisruimte": {"door": "oud"}}]}
    now = {"id": "i.a", "status": "past",
           "voorwaarden": [{"id": "v1", "uitkomst": "ja", "rechtsgrond": cite("nieuw"),
                            "uitleg": "nieuw", "beslisruimte": {"door": "nieuw"}}]}
    (ins,) = vergelijk(trace(effecten=[effect("e1", instrumenten=[then])]),
                       trace(effecten=[effect("e1", instrumenten=[now])])).instrumenten
    (grond,) = ins.gronden
    assert (grond.rechtsgrond, grond.uitleg, grond.door) == ("nieuw", "nieuw", "nieuw")


# ── derived facts ───────────────────────────────────────────────────────────────────────────

def test_derived_facts_whose_outcome_changed_are_listed() -> None:
    then = effect("e1", afgeleid=[
        {"id": "d1", "uitkomst": "ja", "rechtsgrond": cite("art. 8"), "uitleg": "D1 oud."},
        {"id": "d_zelfde", "uitkomst": "ja", "uitleg": "Zelfde."},
        {"id": "d_weg", "uitkomst": "nee", "rechtsgrond": cite("art. 9"), "uitleg": "Weg."}])
    now = effect("e1", afgeleid=[
        {"id": "d1", "uitkomst": "nee", "uitleg": "D1 nieuw."},
        {"id": "d_zelfde", "uitkomst": "ja", "uitleg": "Zelfde, anders verwoord."},
        {"id": "d_nieuw", "uitkomst": "onbekend", "rechtsgrond": cite("art. 10")}])
    v = vergelijk(trace(effecten=[then]), trace(effecten=[now]))
    assert not v.gelijk and v.instrumenten == []
    assert [d.model_dump() for d in v.afgeleide_feiten] == [
        {"effect": "e1", "id": "d1", "rechtsgrond": "art. 8", "uitleg": "D1 nieuw.",
         "uitkomst_toen": "ja", "uitkomst_nu": "nee"},
        {"effect": "e1", "id": "d_nieuw", "rechtsgrond": "art. 10", "uitleg": None,
         "uitkomst_toen": None, "uitkomst_nu": "onbekend"},
        {"effect": "e1", "id": "d_weg", "rechtsgrond": "art. 9", "uitleg": "Weg.",
         "uitkomst_toen": "nee", "uitkomst_nu": None},
    ]


def test_the_new_article_of_a_derived_fact_comes_first() -> None:
    then = effect("e1", afgeleid=[{"id": "d1", "uitkomst": "ja", "rechtsgrond": cite("oud")}])
    now = effect("e1", afgeleid=[{"id": "d1", "uitkomst": "nee", "rechtsgrond": cite("nieuw")}])
    (d,) = vergelijk(trace(effecten=[then]), trace(effecten=[now])).afgeleide_feiten
    assert d.rechtsgrond == "nieuw"


# ── stap 2 ──────────────────────────────────────────────────────────────────────────────────

def test_stap2_is_only_reported_when_it_differs() -> None:
    same = {"integraal_overleg": True, "domeinen": ["wmo", "jeugd"]}
    assert _stap2(same, dict(same)) is None
    assert _stap2({}, {}) is None
    change = _stap2(same, {"integraal_overleg": True, "domeinen": ["wmo"]})
    assert change is not None and change.model_dump() == {
        "integraal_overleg_toen": True, "integraal_overleg_nu": True,
        "domeinen_toen": ["wmo", "jeugd"], "domeinen_nu": ["wmo"]}
    change = _stap2({"integraal_overleg": False}, {"integraal_overleg": "ja"})
    assert change is not None and change.model_dump() == {
        "integraal_overleg_toen": False, "integraal_overleg_nu": None,
        "domeinen_toen": [], "domeinen_nu": []}


def test_a_stap2_change_alone_makes_the_traces_differ() -> None:
    v = vergelijk(trace(stap2={"integraal_overleg": True, "domeinen": ["wmo", "jeugd"]}),
                  trace(stap2={"integraal_overleg": False, "domeinen": ["wmo", "jeugd"]}))
    assert not v.gelijk
    assert v.stap2 is not None and (v.stap2.integraal_overleg_toen,
                                    v.stap2.integraal_overleg_nu) == (True, False)
    assert v.stap2.domeinen_toen == v.stap2.domeinen_nu == ["wmo", "jeugd"]


# ── parameters ──────────────────────────────────────────────────────────────────────────────

def test_changed_parameters_are_listed_by_id_with_both_values_and_their_validity() -> None:
    oud = trace(parameters=[
        {"id": "p_b", "waarde": 10, "eenheid": "euro", "rechtsgrond": cite("art. 11"),
         "bron": "landelijk"},
        {"id": "p_a", "waarde": 1.5},
        {"id": "p_gelijk", "waarde": 3, "eenheid": "jaar"},
        {"id": "p_weg", "waarde": True, "eenheid": 5}])
    nieuw = trace(parameters=[
        {"id": "p_b", "waarde": 12, "eenheid": "euro", "rechtsgrond": cite("art. 11a"),
         "bron": "lokaal"},
        {"id": "p_a", "waarde": 2.5},
        {"id": "p_gelijk", "waarde": 3, "eenheid": "jaar"},
        {"id": "p_nieuw", "waarde": "veel"}])
    info_toen = {"p_b": ParameterInfo(omschrijving="B toen", geldig_vanaf="2024-01-01",
                                      geldig_tot="2024-12-31"),
                 "p_weg": ParameterInfo(omschrijving="Weg", geldig_vanaf=None, geldig_tot=None)}
    info_nu = {"p_b": ParameterInfo(omschrijving="B nu", geldig_vanaf="2025-01-01",
                                    geldig_tot=None)}

    v = vergelijk(oud, nieuw, info_toen=info_toen, info_nu=info_nu)

    assert not v.gelijk
    leeg = {"waarde": None, "eenheid": None, "rechtsgrond": None, "bron": None,
            "geldig_vanaf": None, "geldig_tot": None}
    assert [p.model_dump() for p in v.parameters] == [
        {"id": "p_a", "omschrijving": None, "toen": {**leeg, "waarde": 1.5},
         "nu": {**leeg, "waarde": 2.5}},
        {"id": "p_b", "omschrijving": "B nu",
         "toen": {"waarde": 10, "eenheid": "euro", "rechtsgrond": "art. 11",
                  "bron": "landelijk", "geldig_vanaf": "2024-01-01",
                  "geldig_tot": "2024-12-31"},
         "nu": {"waarde": 12, "eenheid": "euro", "rechtsgrond": "art. 11a", "bron": "lokaal",
                "geldig_vanaf": "2025-01-01", "geldig_tot": None}},
        # p_gelijk, between them in the order, did not change
        # a value that is not a number (damaged trace) reads as absent
        {"id": "p_nieuw", "omschrijving": None, "toen": None, "nu": leeg},
        # a boolean is not a number here
        {"id": "p_weg", "omschrijving": "Weg", "toen": leeg, "nu": None},
    ]


def test_without_information_the_parameters_have_no_description_or_validity() -> None:
    v = vergelijk(trace(parameters=[{"id": "p", "waarde": 1}]),
                  trace(parameters=[{"id": "p", "waarde": 2}]))
    (p,) = v.parameters
    assert p.omschrijving is None and p.toen is not None and p.nu is not None
    assert (p.toen.geldig_vanaf, p.toen.geldig_tot, p.nu.geldig_vanaf) == (None, None, None)


def test_param_state_reads_a_parameter_of_the_trace() -> None:
    info = ParameterInfo(omschrijving="X", geldig_vanaf="2026-01-01", geldig_tot="2026-06-30")
    assert _param_state(None, info) is None
    state = _param_state({"waarde": 0, "eenheid": "euro", "rechtsgrond": cite("art. 1"),
                          "bron": "lokaal"}, info)
    assert state is not None and state.model_dump() == {
        "waarde": 0, "eenheid": "euro", "rechtsgrond": "art. 1", "bron": "lokaal",
        "geldig_vanaf": "2026-01-01", "geldig_tot": "2026-06-30"}
    state = _param_state({"waarde": False}, None)
    assert state is not None and state.waarde is None


# ── questions, packs, peildatum and `gelijk` ────────────────────────────────────────────────

def test_questions_added_and_no_longer_needed() -> None:
    v = vergelijk(trace(nog_uitvragen=[{"feit": "f1", "vraag": "Eerste?"},
                                       {"feit": "f2", "vraag": "Tweede?"}]),
                  trace(nog_uitvragen=[{"feit": "f2", "vraag": "Tweede?"}, {"feit": "f3"},
                                       {"feit": "f4", "vraag": "Vierde?"}]))
    assert not v.gelijk
    assert [q.model_dump() for q in v.vragen_erbij] == [{"feit": "f3", "vraag": None},
                                                        {"feit": "f4", "vraag": "Vierde?"}]
    assert [q.model_dump() for q in v.vragen_vervallen] == [{"feit": "f1", "vraag": "Eerste?"}]


def test_a_question_added_alone_makes_the_traces_differ() -> None:
    v = vergelijk(trace(), trace(nog_uitvragen=[{"feit": "f1", "vraag": "Eerste?"}]))
    assert not v.gelijk and [q.feit for q in v.vragen_erbij] == ["f1"]
    v = vergelijk(trace(nog_uitvragen=[{"feit": "f1", "vraag": "Eerste?"}]), trace())
    assert not v.gelijk and [q.feit for q in v.vragen_vervallen] == ["f1"]


def test_packs_with_another_hash_are_listed_by_id_but_are_not_a_difference_in_law() -> None:
    """`gelijk` is about status, conditions, derived facts, parameters, questions and stap 2
    (its description); a pack whose content changed without any of those changing is listed
    but leaves the traces equal in terms of the law."""
    v = vergelijk(trace(pakketten=[{"id": "b", "versie": "1", "hash": "x"},
                                   {"id": "a", "versie": "2", "hash": "y"},
                                   {"id": "weg", "versie": "3", "hash": "z"}]),
                  trace(pakketten=[{"id": "b", "versie": "1.1", "hash": "x2"},
                                   {"id": "a", "versie": "2", "hash": "y"},
                                   {"id": "nieuw", "versie": 4, "hash": "n"}]))
    assert [p.model_dump() for p in v.pakketten] == [
        {"id": "b", "versie_toen": "1", "versie_nu": "1.1"},
        {"id": "nieuw", "versie_toen": None, "versie_nu": None},
        {"id": "weg", "versie_toen": "3", "versie_nu": None},
    ]
    assert v.gelijk


def test_an_unchanged_trace_is_equal_and_names_both_peildata() -> None:
    ins = {"id": "i.a", "naam": "A", "status": "past", "voorwaarden": [
        {"id": "v1", "uitkomst": "ja"}], "redenen": [{"soort": "voorwaarde", "id": "v1",
                                                      "stand": "ja"}]}
    full = trace(effecten=[effect("e1", instrumenten=[ins], afgeleid=[
        {"id": "d", "uitkomst": "ja"}])], stap2={"integraal_overleg": False},
        nog_uitvragen=[{"feit": "f"}], parameters=[{"id": "p", "waarde": 1}],
        pakketten=[{"id": "a", "hash": "h"}])
    later = {**full, "peildatum": "2026-01-01"}
    v = vergelijk(full, later)
    assert v.gelijk and v.stap2 is None
    assert (v.peildatum_toen, v.peildatum_nu) == ("2025-03-01", "2026-01-01")
    v = vergelijk(trace(peildatum=20250301), trace(peildatum=None))
    assert (v.peildatum_toen, v.peildatum_nu) == (None, None)


# ── tolerant access: a damaged trace reads as absent ────────────────────────────────────────

def test_the_tolerant_readers() -> None:
    assert _dict({"a": {"b": 1}}, "a") == {"b": 1}
    assert _dict({"a": [1]}, "a") == {}
    assert _dict([("a", {})], "a") == {}
    assert _list({"a": [{"x": 1}, 2, None, {"y": 2}]}, "a") == [{"x": 1}, {"y": 2}]
    assert _list({"a": {"x": 1}}, "a") == []
    assert _list("a", "a") == []
    assert _strings(["a", 1]) == ["a", "1"]
    assert _strings("ab") == []
    assert (_str("a"), _str(1)) == ("a", None)
    assert (_bool(True), _bool(False), _bool(1), _bool("ja")) == (True, False, None, None)
    assert _cite({"tekst": "art. 1", "bwb_id": "X"}) == "art. 1"
    assert _cite({"tekst": 1}) is None and _cite("art. 1") is None
    assert _iso(dt.date(2026, 1, 2)) == "2026-01-02" and _iso(None) is None


# ── parameter_info: from the rule base the trace was made with ─────────────────────────────

@pytest.fixture(scope="module")
def basis_engine() -> Engine:
    return Engine.load([FIXTURES / "basis"])


def test_parameter_info_gives_the_value_in_force_on_the_peildatum(basis_engine: Engine) -> None:
    # basis.yaml: grens 100 from 2024-01-01 to 2024-12-31, 200 from 2025-01-01
    assert parameter_info(basis_engine, {"peildatum": "2024-12-31"}) == {
        "grens": ParameterInfo(omschrijving="Een grens", geldig_vanaf="2024-01-01",
                               geldig_tot="2024-12-31")}
    assert parameter_info(basis_engine, {"peildatum": "2025-01-01", "gemeente": 3}) == {
        "grens": ParameterInfo(omschrijving="Een grens", geldig_vanaf="2025-01-01",
                               geldig_tot=None)}
    assert parameter_info(basis_engine, {"peildatum": "1 januari 2025"}) == {}
    assert parameter_info(basis_engine, {}) == {}


def test_parameter_info_takes_the_local_values_of_the_traces_municipality(rules: Engine) -> None:
    # rules/gemeenten/gm9991: an invented municipality fills in the individuele
    # inkomenstoeslag from 2026-01-01; without the municipality there is no value.
    local = parameter_info(rules, {"peildatum": "2026-03-01", "gemeente": {"code": "GM9991"}})
    assert local["pw_iit_hoogte_alleenstaande"].geldig_vanaf == "2026-01-01"
    national = parameter_info(rules, {"peildatum": "2026-03-01",
                                      "gemeente": {"code": ["GM9991"]}})
    assert "pw_iit_hoogte_alleenstaande" not in national
    assert set(national) < set(local)
