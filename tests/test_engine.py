"""Engine behaviour on the fixture pack: three values, versions, parameters, chaining, errors."""

from __future__ import annotations

import datetime as dt
import json
import threading
from typing import Any

import pytest

from engine import CasusError, Engine
from engine.conditions import AllNode, AnyNode, LeafNode, NotNode
from engine.conditions import evaluate as kleene

P1 = {"id": "p1", "rol": "aanvrager"}


def casus(**kw: Any) -> dict[str, Any]:
    person = {**P1, **kw.pop("persoon", {})}
    base: dict[str, Any] = {
        "peildatum": kw.pop("peildatum", "2025-06-01"),
        "personen": [person],
        "gewenste_effecten": [{"id": "e1", "omschrijving": "Iets.",
                               "leefgebied": kw.pop("leefgebied", "mobiliteit")}],
    }
    base.update(kw)
    return base


def instrument(receipt: Any, iid: str, effect: int = 0) -> dict[str, Any]:
    found: dict[str, Any] = next(
        i for i in receipt.advies["effecten"][effect]["stap4"]["instrumenten"] if i["id"] == iid)
    return found


def test_kleene_truth_tables() -> None:
    values = {0: True, 1: False, 2: None}
    leaf = values.get
    for a in (0, 1, 2):
        for b in (0, 1, 2):
            va, vb = values[a], values[b]
            conj = kleene(AllNode((LeafNode(a), LeafNode(b))), leaf)
            disj = kleene(AnyNode((LeafNode(a), LeafNode(b))), leaf)
            assert conj == (False if False in (va, vb) else None if None in (va, vb) else True)
            assert disj == (True if True in (va, vb) else None if None in (va, vb) else False)
        assert kleene(NotNode(LeafNode(a)), leaf) == (None if values[a] is None
                                                     else not values[a])


def test_unknown_is_voorwaardelijk_not_false(basis: Engine) -> None:
    r = basis.advies(casus())
    hulp = instrument(r, "basis.hulp")
    assert hulp["status"] == "voorwaardelijk"
    assert "personen[p1].leeftijd" in hulp["nog_uitvragen"]
    assert "huishouden.vermogen" in hulp["nog_uitvragen"]


def test_all_known_and_true_is_past(basis: Engine) -> None:
    r = basis.advies(casus(persoon={"leeftijd": 30, "beperkingen": ["lichamelijk"],
                                    "wlz_indicatie": False},
                           huishouden={"vermogen": 150}))
    hulp = instrument(r, "basis.hulp")
    assert hulp["status"] == "past"
    assert hulp["nog_uitvragen"] == []


def test_failing_condition_is_past_niet_with_citation(basis: Engine) -> None:
    r = basis.advies(casus(persoon={"leeftijd": 12}))
    hulp = instrument(r, "basis.hulp")
    assert hulp["status"] == "past_niet"
    assert [x["id"] for x in hulp["redenen"]] == ["volwassen"]
    assert hulp["redenen"][0]["citaat"] == "art. 1.1 Jeugdwet"
    assert hulp["nog_uitvragen"] == []


def test_exclusion_makes_past_niet(basis: Engine) -> None:
    r = basis.advies(casus(persoon={"leeftijd": 30, "beperkingen": ["lichamelijk"],
                                    "wlz_indicatie": True}, huishouden={"vermogen": 0}))
    hulp = instrument(r, "basis.hulp")
    assert hulp["status"] == "past_niet"
    assert hulp["redenen"][0]["soort"] == "uitsluiting"


def test_parameter_follows_peildatum(basis: Engine) -> None:
    """The grens is 100 in 2024 and 200 from 2025: 150 passes only in 2025."""
    common = {"persoon": {"leeftijd": 30, "beperkingen": ["lichamelijk"],
                          "wlz_indicatie": False}, "huishouden": {"vermogen": 150}}
    assert instrument(basis.advies(casus(peildatum="2024-06-01", **common)),
                      "basis.hulp")["status"] == "past_niet"
    assert instrument(basis.advies(casus(peildatum="2025-06-01", **common)),
                      "basis.hulp")["status"] == "past"


def test_rule_version_follows_peildatum(basis: Engine) -> None:
    old = instrument(basis.advies(casus(peildatum="2024-12-31")), "basis.oud")
    new = instrument(basis.advies(casus(peildatum="2025-01-01")), "basis.oud")
    assert old["naam"] == "Oude regeling"
    assert new["naam"] == "Oude regeling (nieuw)"


def test_derived_facts_chain(basis: Engine) -> None:
    """volwassen_met_hulp depends on volwassen, which depends on leeftijd (two strata)."""
    r = basis.advies(casus(peildatum="2024-06-01",
                           persoon={"leeftijd": 19, "jeugdhulp_voor_18": True}))
    derived = {d["id"]: d["uitkomst"] for d in r.advies["effecten"][0]["afgeleide_feiten"]}
    assert derived == {"volwassen": "ja", "volwassen_met_hulp": "ja"}
    assert instrument(r, "basis.oud")["status"] == "past"
    r2 = basis.advies(casus(peildatum="2024-06-01", persoon={"leeftijd": 19}))
    assert instrument(r2, "basis.oud")["nog_uitvragen"] == ["personen[p1].jeugdhulp_voor_18"]


def test_negation_and_lists(basis: Engine) -> None:
    # een_van[schulden > 1000, niet(samenstelling niet_in [alleenstaand, paar])]
    r = basis.advies(casus(huishouden={"samenstelling": "paar"}))
    assert instrument(r, "basis.oud")["voorwaarden"][0]["uitkomst"] == "ja"
    r = basis.advies(casus(huishouden={"samenstelling": "overig"}))
    assert instrument(r, "basis.oud")["voorwaarden"][0]["uitkomst"] == "onbekend"
    r = basis.advies(casus(huishouden={"samenstelling": "overig"}, financien={
        "schulden_totaal": 10}))
    assert instrument(r, "basis.oud")["voorwaarden"][0]["uitkomst"] == "nee"


def test_not_considered_when_grondwaarde_is_nee(basis: Engine) -> None:
    r = basis.advies(casus(leefgebied="justitie"))
    effect = r.advies["effecten"][0]
    assert effect["stap4"]["instrumenten"] == []
    assert effect["stap2"]["geen_grondwaarde"] is True
    assert r.advies["stap2"]["effecten_zonder_grondwaarde"] == ["e1"]


def test_trace_is_deterministic_and_backends_agree(basis: Engine) -> None:
    data = casus(persoon={"leeftijd": 40, "beperkingen": ["psychisch", "lichamelijk"]})
    a = basis.advies(data)
    b = basis.advies(data)
    c = basis.with_backend("oracle").advies(data)
    assert a.trace_json == b.trace_json == c.trace_json
    assert a.trace_hash == c.trace_hash
    assert json.loads(a.trace_json)["advies"]["effecten"][0]["omschrijving"] == "Iets."


def test_trace_cites_with_jci(basis: Engine) -> None:
    r = basis.advies(casus())
    rg = instrument(r, "basis.hulp")["rechtsgrond"]
    assert rg["tekst"] == "art. 2.3.5 lid 3 Wmo 2015"
    assert rg["jci"] == "jci1.3:c:BWBR0035362&artikel=2.3.5&lid=3&z=2025-06-01&g=2025-06-01"


@pytest.mark.parametrize("bad, where", [
    ({"leefgebied": "wonen"}, "gewenste_effecten[0].leefgebied"),
    ({"persoon": {"leeftijd": "18"}}, "personen[0].leeftijd"),
    ({"persoon": {"leeftijd": -3}}, "personen[0].leeftijd"),
    ({"persoon": {"wlz_indicatie": "ja"}}, "personen[0].wlz_indicatie"),
    ({"persoon": {"bsn": "123456782"}}, "personen[0].bsn"),
    ({"peildatum": "2026-02-30"}, "peildatum"),
])
def test_bad_casus_names_the_field(basis: Engine, bad: dict[str, Any], where: str) -> None:
    with pytest.raises(CasusError) as info:
        basis.advies(casus(**bad))
    assert where in [p.pad for p in info.value.problems]


def test_bad_casus_lists_every_problem(basis: Engine) -> None:
    data = casus(persoon={"leeftijd": "x", "rol": "baas"})
    data["gewenste_effecten"].append({"id": "e2", "omschrijving": "x", "leefgebied": "x",
                                      "persoon": "p9"})
    with pytest.raises(CasusError) as info:
        basis.advies(data)
    paths = {p.pad for p in info.value.problems}
    assert {"personen[0].leeftijd", "personen[0].rol", "gewenste_effecten[1].leefgebied"} <= paths


def test_unknown_person_reference(basis: Engine) -> None:
    data = casus()
    data["gewenste_effecten"][0]["persoon"] = "p9"
    with pytest.raises(CasusError) as info:
        basis.advies(data)
    assert "onbekende persoon 'p9'" in str(info.value)


def test_threads_give_serial_results(basis: Engine) -> None:
    cases = [casus(persoon={"leeftijd": age, "beperkingen": ["lichamelijk"]},
                   huishouden={"vermogen": age * 7}) for age in range(0, 80)]
    serial = [basis.advies(c).trace_hash for c in cases]
    results: dict[int, list[str]] = {}

    def worker(n: int) -> None:
        results[n] = [basis.advies(c).trace_hash for c in cases]

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(results[n] == serial for n in range(8))


def test_no_session_left_behind(basis: Engine) -> None:
    from engine.api import durable_backend

    backend = durable_backend()
    for age in range(50):
        basis.advies(casus(persoon={"leeftijd": age}))
    assert backend.live_sessions == 0  # type: ignore[attr-defined]


def test_default_peildatum_is_today(basis: Engine) -> None:
    data = casus()
    del data["peildatum"]
    assert basis.casus(data).peildatum == dt.date.today()


def _hashes_in_process(cases: list[dict[str, Any]]) -> list[str]:
    from engine import Engine as E

    eng = E.load()
    return [eng.advies(c).trace_hash for c in cases]


def test_two_processes_give_the_serial_results(rules: Engine) -> None:
    """Each process has its own durable-rules host; spawned workers must agree byte for byte."""
    import multiprocessing

    cases = [{"peildatum": "2026-11-02",
              "huishouden": {"samenstelling": "alleenstaand", "netto_inkomen_maand": 900 + 37 * i},
              "financien": {"schulden_totaal": 500 * i, "problematische_schulden": i % 2 == 0},
              "personen": [{"id": "p1", "rol": "aanvrager", "leeftijd": 16 + i,
                            "woont_in_gemeente": True, "beperkingen": ["lichamelijk"]}],
              "gewenste_effecten": [{"id": "e1", "omschrijving": "x",
                                     "leefgebied": ["financien", "mobiliteit", "werk_en_opleiding",
                                                    "opvoeden_en_opgroeien"][i % 4]}]}
             for i in range(40)]
    serial = [rules.advies(c).trace_hash for c in cases]
    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(2) as pool:
        halves = pool.map(_hashes_in_process, [cases[:20], cases[20:]])
    assert halves[0] + halves[1] == serial


def test_effect_kosten_genoemd_is_computed_never_asked(rules: Engine) -> None:
    """`effect.kosten_genoemd` (computed like `huishouden.aantal_kinderen`): ja when the effect
    gives `kosten`, nee when it does not, never onbekend and never asked. The Participatiewet's
    grondwaarde uses it (vierde lezing, D1): costs named on any leefgebied bring bijzondere
    bijstand into view (art. 35 lid 1); an effect that names no costs stays out of view, and
    its costs are not asked."""
    base = {"peildatum": "2026-12-01", "personen": [{"id": "p1", "rol": "aanvrager"}]}
    met = rules.advies({**base, "gewenste_effecten": [
        {"id": "e1", "omschrijving": "Reiskosten.", "leefgebied": "mobiliteit", "kosten": 600}]})
    zonder = rules.advies({**base, "gewenste_effecten": [
        {"id": "e1", "omschrijving": "Zelf naar de markt.", "leefgebied": "mobiliteit"}]})

    def bb(r: Any) -> tuple[str, list[str]]:
        e = r.advies["effecten"][0]["stap4"]
        for i in e["instrumenten"]:
            if i["id"] == "participatiewet.bijzondere_bijstand":
                return i["status"], i["nog_uitvragen"]
        assert any(i["id"] == "participatiewet.bijzondere_bijstand"
                   for i in e["niet_van_toepassing"])
        return "niet_van_toepassing", []

    status, vragen = bb(met)
    assert status == "voorwaardelijk"
    assert not any("kosten_genoemd" in v for v in vragen)
    assert bb(zonder)[0] == "niet_van_toepassing"
    for r in (met, zonder):
        asked = [v for i in r.advies["effecten"][0]["stap4"]["instrumenten"]
                 for v in i["nog_uitvragen"]]
        assert not any("kosten_genoemd" in v for v in asked)
    gw = {g["id"]: g["uitkomst"] for g in zonder.advies["effecten"][0]["stap2"]["grondwaarden"]}
    assert gw["participatiewet.bestaanszekerheid"] == "nee"
