"""Who decides, what is uncertain, caps and forms (engine/semantics.py), on the `oordeel` fixture.

Expected values follow the rules of docs/regeltaal.md, written by hand per case: a discretionary
or uncertain ground never gives `past_niet`; a "voor zover" cap never changes the status; a form
never exceeds what it is a form of. Both backends must agree byte for byte.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from engine import CasusError, Engine, semantics
from engine.checks import check
from engine.language import Beslisruimte, Controle
from engine.regime import RuleBase
from tests.paths import FIXTURES

OK_PERSON = {"id": "p1", "rol": "aanvrager", "woont_in_gemeente": True, "wlz_indicatie": False,
             "weigert_medewerking": False}


@pytest.fixture(scope="module")
def eng() -> Engine:
    return Engine.load([FIXTURES / "oordeel"])


def casus(person: dict[str, Any] | None = None, effect: dict[str, Any] | None = None,
          **top: Any) -> dict[str, Any]:
    return {
        "peildatum": top.pop("peildatum", "2026-03-01"),
        "personen": [{**OK_PERSON, **(person or {})}],
        "gewenste_effecten": [{"id": "e1", "omschrijving": "Iets.", "leefgebied": "mobiliteit",
                               **(effect or {})}],
        **top,
    }


def advies(eng: Engine, data: dict[str, Any]) -> dict[str, dict[str, Any]]:
    receipt = eng.advies(data)
    assert eng.with_backend("oracle").advies(data).trace_json == receipt.trace_json
    receipt.model()
    effect = receipt.advies["effecten"][0]
    out = {i["id"]: i for i in effect["stap4"]["instrumenten"]}
    for i in effect["stap4"]["niet_van_toepassing"]:
        out[i["id"]] = {"status": "niet_van_toepassing", **i}
    return out


def test_certain_ground_against_gives_past_niet(eng: Engine) -> None:
    got = advies(eng, casus({"woont_in_gemeente": False}))["oordeel.voorziening"]
    assert got["status"] == "past_niet"
    assert [(r["id"], r["stand"]) for r in got["redenen"]] == [("ingezetene", "niet voldaan")]
    assert got["markering"] == []


def test_discretionary_exclusion_gives_voorwaardelijk_naming_who_decides(eng: Engine) -> None:
    got = advies(eng, casus({"wlz_indicatie": True}))["oordeel.voorziening"]
    assert got["status"] == "voorwaardelijk"
    wlz = next(r for r in got["redenen"] if r["id"] == "wlz")
    assert wlz["stand"] == "ter beoordeling" and wlz["door"] == "college"
    assert wlz["wettekst"].startswith("Het college kan")
    assert "beslisruimte" in got["markering"]
    assert semantics.markering_label(got).startswith("ter beoordeling van het college")


def test_uncertain_exclusion_gives_voorwaardelijk(eng: Engine) -> None:
    got = advies(eng, casus({"weigert_medewerking": True}))["oordeel.voorziening"]
    assert got["status"] == "voorwaardelijk"
    assert got["markering"] == ["onzeker"]
    assert any(r["stand"] == "onzeker" and r["onzeker"] for r in got["redenen"])


def test_certain_ground_wins_over_soft_ones(eng: Engine) -> None:
    got = advies(eng, casus({"woont_in_gemeente": False, "wlz_indicatie": True,
                             "weigert_medewerking": True}))["oordeel.voorziening"]
    assert got["status"] == "past_niet"
    # the certain ground decides; the soft ones are shown beside it, with who decides
    assert [(r["id"], r["stand"]) for r in got["redenen"]] == [
        ("ingezetene", "niet voldaan"), ("wlz", "ter beoordeling"), ("medewerking", "onzeker")]
    assert got["markering"] == []


def test_exclusion_that_does_not_apply_leaves_no_marker(eng: Engine) -> None:
    got = advies(eng, casus())["oordeel.voorziening"]
    assert got["status"] == "past"
    assert got["markering"] == []  # the uncertain and the discretionary exclusion are nee
    assert got["redenen"] == []


def test_unknown_soft_ground_is_asked(eng: Engine) -> None:
    person = {**OK_PERSON}
    del person["wlz_indicatie"]
    got = advies(eng, {**casus(), "personen": [person]})["oordeel.voorziening"]
    assert got["status"] == "voorwaardelijk"
    assert "personen[p1].wlz_indicatie" in got["nog_uitvragen"]


@pytest.mark.parametrize(("person", "base", "pgb"), [
    ({}, "past", "past"),
    ({"woont_in_gemeente": False}, "past_niet", "past_niet"),
    ({"wlz_indicatie": True}, "voorwaardelijk", "voorwaardelijk"),
])
def test_form_never_exceeds_its_base(eng: Engine, person: dict[str, Any], base: str,
                                     pgb: str) -> None:
    got = advies(eng, casus(person, {"pgb_gewenst": True}))
    assert got["oordeel.voorziening"]["status"] == base
    assert got["oordeel.pgb"]["status"] == pgb
    assert got["oordeel.pgb"]["vorm_van"] == ["oordeel.voorziening"]
    if base != "past":
        reden = next(r for r in got["oordeel.pgb"]["redenen"] if r["soort"] == "vorm_van")
        assert reden["id"] == "oordeel.voorziening"
    if base == "past_niet":
        assert got["oordeel.pgb"]["nog_uitvragen"] == []


def test_form_keeps_its_own_refusal(eng: Engine) -> None:
    got = advies(eng, casus({}, {"pgb_gewenst": False}))
    assert got["oordeel.voorziening"]["status"] == "past"
    assert got["oordeel.pgb"]["status"] == "past_niet"


def test_form_of_an_instrument_that_does_not_apply_does_not_apply(eng: Engine) -> None:
    got = advies(eng, casus({}, {"leefgebied": "financien", "pgb_gewenst": True}))
    assert got["oordeel.voorziening"]["status"] == "niet_van_toepassing"
    assert got["oordeel.pgb"]["status"] == "niet_van_toepassing"
    assert "vorm van oordeel.voorziening" in got["oordeel.pgb"]["reden"]


@pytest.mark.parametrize(("duurder", "stand"), [(True, "voor zover"),
                                                (None, "mogelijk, voor zover"), (False, None)])
def test_voor_zover_is_a_cap_not_a_refusal(eng: Engine, duurder: bool | None,
                                           stand: str | None) -> None:
    effect: dict[str, Any] = {"pgb_gewenst": True}
    if duurder is not None:
        effect["duurder"] = duurder
    got = advies(eng, casus({}, effect))["oordeel.pgb"]
    assert got["status"] == "past"
    caps = [r for r in got["redenen"] if r["soort"] == "begrenzing"]
    assert [r["stand"] for r in caps] == ([stand] if stand else [])
    assert [b["id"] for b in got["begrenzingen"]] == ["tarief_natura"]


def test_discretionary_grant_is_marked_on_past(eng: Engine) -> None:
    got = advies(eng, casus())["oordeel.lening"]
    assert got["status"] == "past"
    assert "beslisruimte" in got["markering"]
    assert got["beslisruimte"]["door"] == "college"
    assert any(r["soort"] == "instrument" and r["door"] == "college" for r in got["redenen"])


@pytest.mark.parametrize(("leefgebied", "dreigend", "status", "marks"), [
    # the uncertain toepassing holds: the outcome rests on it, so it is marked too
    ("financien", True, "past", ["beslisruimte", "onzeker"]),
    ("financien", False, "voorwaardelijk", ["beslisruimte", "onzeker"]),
    ("mobiliteit", True, "voorwaardelijk", ["beslisruimte", "onzeker"]),
])
def test_long_form_toepassing_and_discretionary_condition(
        eng: Engine, leefgebied: str, dreigend: bool, status: str, marks: list[str]) -> None:
    data = casus({}, {"leefgebied": leefgebied}, financien={"dreigende_huisuitzetting": dreigend})
    got = advies(eng, data)["oordeel.zeer_dringend"]
    assert got["status"] == status
    assert got["markering"] == marks
    if leefgebied == "mobiliteit":
        assert any(r["soort"] == "toepassing" and r["stand"] == "onzeker"
                   for r in got["redenen"])


def test_old_fact_name_still_answers(eng: Engine) -> None:
    person = {k: v for k, v in OK_PERSON.items() if k != "weigert_medewerking"}
    old = {**casus(), "personen": [{**person, "oude_weigering": True}]}
    new = {**casus(), "personen": [{**person, "weigert_medewerking": True}]}
    assert advies(eng, old)["oordeel.voorziening"] == advies(eng, new)["oordeel.voorziening"]


def test_old_instrument_id_resolves(eng: Engine) -> None:
    assert eng.rules.instrument_id("oordeel.oude_voorziening") == "oordeel.voorziening"
    assert eng.rules.instrument_id("oordeel.voorziening") == "oordeel.voorziening"
    assert eng.rules.instrument_id("oordeel.bestaat_niet") is None


def test_stale_norm_is_announced(eng: Engine) -> None:
    before = eng.advies(casus(peildatum="2026-06-30")).trace
    after = eng.advies(casus(peildatum="2026-07-01")).trace
    assert before["waarschuwingen"] == []
    [w] = after["waarschuwingen"]
    assert w["parameter"] == "norm"
    assert "per 2026-01-01 gebruikt" in w["tekst"] and "2026-07-01 ontbreekt" in w["tekst"]
    assert "art. 38 Participatiewet" in w["tekst"]


def test_peildatum_outside_coverage_is_refused(eng: Engine) -> None:
    with pytest.raises(CasusError) as exc:
        eng.advies(casus(peildatum="2027-01-01"))
    [problem] = exc.value.problems
    assert problem.pad == "peildatum"
    assert "2024-01-01 t/m 2026-12-31" in problem.melding


@pytest.mark.parametrize("code", ["GM12", "gm0363", "0363", "GM03630"])
def test_malformed_gemeente_is_refused(eng: Engine, code: str) -> None:
    with pytest.raises(CasusError) as exc:
        eng.advies(casus(gemeente=code))
    assert [p.pad for p in exc.value.problems] == ["gemeente"]


def test_unknown_gemeente_gets_a_notice(eng: Engine) -> None:
    trace = eng.advies(casus(gemeente="GM0363")).trace
    assert trace["gemeente"]["melding"] == ("geen lokaal beleid bekend voor GM0363; alleen "
                                            "landelijke regels")
    assert "melding" not in eng.advies(casus()).trace["gemeente"]


# ---- The module itself and the decision-table checks that use it

B = Beslisruimte(door="rechter", wettekst="kan worden toegewezen")


def test_decide_rules() -> None:
    g = semantics.Ground
    assert semantics.decide([g("voorwaarde", "a", False)]).status == "past_niet"
    assert semantics.decide([g("voorwaarde", "a", False, beslisruimte=B)]).status == (
        "voorwaardelijk")
    assert semantics.decide([g("uitsluiting", "a", True, onzeker=True)]).status == (
        "voorwaardelijk")
    assert semantics.decide([g("uitsluiting", "a", None)]).status == "voorwaardelijk"
    assert semantics.decide([g("begrenzing", "a", True)]).status == "past"
    d = semantics.decide([g("voorwaarde", "a", True, beslisruimte=B)])
    assert (d.status, d.markering) == ("past", ["beslisruimte"])
    # no further fact makes a soft-blocked instrument `past`: the checks may prune it
    assert semantics.decide([g("uitsluiting", "a", True, beslisruimte=B),
                             g("voorwaarde", "b", None)]).outlook is False
    assert semantics.decide([g("voorwaarde", "b", None)]).outlook is None
    assert semantics.cap_by_forms("past", ["voorwaardelijk", "past_niet"]) == "voorwaardelijk"
    assert semantics.cap_by_forms("voorwaardelijk", ["past"]) == "voorwaardelijk"
    assert semantics.cap_outlook(True, [False, None]) is None
    assert semantics.cap_outlook(True, [False]) is False


def test_checks_use_the_same_semantics(eng: Engine) -> None:
    regime = eng.rules.regime(dt.date(2026, 3, 1))
    lp = eng.rules.packs[0]
    both = Controle(id="x", omschrijving="x", rechtsgrond=lp.pack.instrumenten[0].rechtsgrond,
                    instrumenten=["oordeel.voorziening", "oordeel.pgb"], uniek=True)
    result = check(regime, lp, 0, both, 100_000)
    assert result.volledig_doorzocht
    assert result.overlap, "voorziening and its pgb can both be past"
    example = result.overlap[0]["feiten"]
    # the voorziening is past only when the uncertain and discretionary grounds do not apply
    assert example["persoon.wlz_indicatie"] is False
    assert example["persoon.weigert_medewerking"] is False
    assert example["effect.pgb_gewenst"] is True
    gap = Controle(id="y", omschrijving="y", rechtsgrond=lp.pack.instrumenten[0].rechtsgrond,
                   instrumenten=["oordeel.pgb", "oordeel.lening"], volledig=True)
    gaps = check(regime, lp, 0, gap, 100_000).gaten
    # a form is never past where its base is not: a Wlz client (discretionary) is a gap
    assert any(g["feiten"].get("persoon.wlz_indicatie") is True for g in gaps)


def test_unknown_node_kind_is_an_error() -> None:
    from engine.conditions import evaluate, leaves_of

    with pytest.raises(TypeError, match="onbekend soort toetsknoop"):
        evaluate(("L", 0), lambda i: True)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="onbekend soort toetsknoop"):
        leaves_of(("A", ()))  # type: ignore[arg-type]


def test_coverage_names_only_the_laws_out_of_force() -> None:
    rb = RuleBase.load([FIXTURES / "oordeel", FIXTURES / "basis"])
    assert rb.uncovered(dt.date(2026, 1, 1)) is None
    why = rb.uncovered(dt.date(2027, 1, 1))
    assert why is not None
    assert "oordeel geldt van 2024-01-01 t/m 2026-12-31" in why
    assert "basis geldt" not in why  # basis has no end date
    assert "er is geen peildatum waarop alle wetten gelden" not in why


@pytest.mark.parametrize(("status", "onzeker", "markering", "shown"), [
    ("voorwaardelijk", True, [], True),
    ("past", True, [], True),
    ("past_niet", True, [], False),            # the deciding ground is certain (third reader)
    ("voorwaardelijk", True, ["onzeker"], False),  # the markering already says it
    ("voorwaardelijk", False, [], False),
])
def test_bevat_onzekere_regels_is_shown_only_where_it_can_matter(
        status: str, onzeker: bool, markering: list[str], shown: bool) -> None:
    ins = {"status": status, "markering": markering, **({"onzeker": True} if onzeker else {})}
    assert semantics.toont_onzekere_regels(ins) is shown
