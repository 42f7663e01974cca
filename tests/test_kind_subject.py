"""The child of an effect (`kind.x`) and the contract field `gewenste_effecten[].kind`.

docs/regeltaal.md §Conditions: "`kind` is the child the effect is about: the effect's own
person when that person has rol `kind`; else the person the effect names under
`gewenste_effecten[].kind`; else the only person with rol `kind` when the household has exactly
one; else no one: every `kind.x` is then onbekend and the question is which child, at
`gewenste_effecten[id].kind`." And §Input facts on `vervangen_door`. The expected values below
are written from that text and the tiny pack here (invented rules on real articles), never
copied from the engine's output. Both backends must give the same bytes.
"""

from __future__ import annotations

from typing import Any

import pytest

from engine import Engine, feitadres
from engine.errors import CasusError, PackError
from engine.vragen import rank_questions

PACK = """
regelpakket: {id: epsilon, naam: Testwet epsilon, domein: Jeugdwet, bwb_id: BWBR0034925,
              versie: "1", geldig_vanaf: 2024-01-01}
feiten:
  - id: eps_oud_toezicht
    onderwerp: effect
    type: bool
    vraag: "Heeft het kind van dit effect permanent toezicht nodig?"
    vervangen_door: [kind.eps_toezicht]
  - {id: eps_toezicht, onderwerp: persoon, type: bool,
     vraag: "Heeft deze persoon permanent toezicht nodig?"}
grondwaarden:
  - id: epsilon.opgroeien
    tekst: "Gezond opgroeien."
    rechtsgrond: {bwb_id: BWBR0034925, artikel: "2.3", lid: "1"}
    toets: {feit: effect.leefgebied, op: "=", waarde: opvoeden_en_opgroeien}
instrumenten:
  - id: epsilon.ondersteuning
    naam: Ondersteuning van de ouders van een minderjarige
    soort: individuele_voorziening
    trede: maatwerk
    rechtsgrond: {bwb_id: BWBR0034925, artikel: "2.3", lid: "3"}
    grondwaarden: [epsilon.opgroeien]
    voorwaarden:
      - id: minderjarig
        uitleg: "Het kind van het effect is jonger dan 18."
        rechtsgrond: {bwb_id: BWBR0034925, artikel: "2.3", lid: "3"}
        toets: {feit: kind.leeftijd, op: "<", waarde: 18}
      - id: toezicht
        uitleg: "Het kind is aangewezen op permanent toezicht."
        rechtsgrond: {bwb_id: BWBR0034925, artikel: "2.3", lid: "3"}
        toets:
          een_van:
            - {feit: kind.eps_toezicht, op: "=", waarde: true}
            - {feit: effect.eps_oud_toezicht, op: "=", waarde: true}
"""

OUDER = {"id": "ouder", "rol": "aanvrager", "leeftijd": 40}
"""Invented people only."""


@pytest.fixture(scope="module")
def eng(tmp_path_factory: pytest.TempPathFactory) -> Engine:
    folder = tmp_path_factory.mktemp("kind") / "epsilon"
    folder.mkdir()
    (folder / "epsilon.yaml").write_text(PACK, "utf-8")
    return Engine.load([folder])


def casus(*kinderen: dict[str, Any], **effect: Any) -> dict[str, Any]:
    return {"peildatum": "2026-03-01", "personen": [dict(OUDER), *kinderen],
            "gewenste_effecten": [{"id": "e1", "omschrijving": "Wij zijn op.",
                                   "leefgebied": "opvoeden_en_opgroeien", **effect}]}


def ondersteuning(eng: Engine, data: dict[str, Any]) -> dict[str, Any]:
    receipt = eng.advies(data)
    # durable-rules and the oracle give the same bytes, also with kind.x and the new field
    assert eng.with_backend("oracle").advies(data).trace_json == receipt.trace_json
    effect = receipt.advies["effecten"][0]
    found: dict[str, Any] = next(i for i in effect["stap4"]["instrumenten"]
                                 if i["id"] == "epsilon.ondersteuning")
    return found


def adres(ins: dict[str, Any]) -> str:
    leaf: str = ins["voorwaarden"][0]["toets"]["adres"]
    return leaf


K8 = {"id": "k8", "rol": "kind", "leeftijd": 8, "eps_toezicht": True}
K20 = {"id": "k20", "rol": "kind", "leeftijd": 20, "eps_toezicht": True}


def test_the_only_child_is_the_child_of_a_parents_effect(eng: Engine) -> None:
    got = ondersteuning(eng, casus(dict(K8)))
    assert got["status"] == "past"
    assert adres(got) == "personen[k8].leeftijd"


def test_the_named_child_decides_not_the_youngest(eng: Engine) -> None:
    """Children of 8 and 20: the effect about the 20-year-old reads his age (the youngest
    child's would say 'minor')."""
    assert ondersteuning(eng, casus(dict(K8), dict(K20), kind="k20"))["status"] == "past_niet"
    got = ondersteuning(eng, casus(dict(K8), dict(K20), kind="k8"))
    assert got["status"] == "past"
    assert adres(got) == "personen[k8].leeftijd"


def test_several_children_and_none_named_asks_which_child(eng: Engine) -> None:
    """No one child is meant: every kind.x is onbekend, voorwaardelijk (never past_niet), and
    the one question is which child."""
    receipt = eng.advies(casus(dict(K8), dict(K20)))
    got = ondersteuning(eng, casus(dict(K8), dict(K20)))
    assert got["status"] == "voorwaardelijk"
    assert got["nog_uitvragen"] == ["gewenste_effecten[e1].kind"]
    assert adres(got) == "gewenste_effecten[e1].kind"
    vraag = next(q["vraag"] for q in receipt.advies["nog_uitvragen"]
                 if q["feit"] == "gewenste_effecten[e1].kind")
    assert vraag.startswith("Over welk kind gaat dit gewenste effect?")


def test_no_child_at_all_is_onbekend_too(eng: Engine) -> None:
    got = ondersteuning(eng, casus())
    assert got["status"] == "voorwaardelijk"
    assert got["nog_uitvragen"] == ["gewenste_effecten[e1].kind"]


def test_the_effect_of_a_child_itself_reads_that_child(eng: Engine) -> None:
    """The effect's own person comes first: a child's effect is about that child, even in a
    household with more children, and nothing asks which child."""
    data = casus(dict(K8), dict(K20), persoon="k20")
    got = ondersteuning(eng, data)
    assert got["status"] == "past_niet"
    assert adres(got) == "personen[k20].leeftijd"
    data = casus(dict(K8), dict(K20), persoon="k8", kind="k8")  # naming itself is allowed
    assert ondersteuning(eng, data)["status"] == "past"


def test_an_adult_with_rol_kind_may_name_his_own_child(eng: Engine) -> None:
    """The young mother of 20 who lives with her baby in her own parents' house is entered
    with rol `kind`; her effect names the baby, and `kind.x` reads the baby (fresh61 AJ2).
    Without the name her own effect is about herself, as before."""
    moeder = {"id": "k20", "rol": "kind", "leeftijd": 20, "eps_toezicht": False}
    baby = {"id": "baby", "rol": "kind", "leeftijd": 0, "eps_toezicht": True}
    got = ondersteuning(eng, casus(dict(moeder), dict(baby), persoon="k20", kind="baby"))
    assert got["status"] == "past"
    assert adres(got) == "personen[baby].leeftijd"
    got = ondersteuning(eng, casus(dict(moeder), dict(baby), persoon="k20"))
    assert got["status"] == "past_niet"
    assert adres(got) == "personen[k20].leeftijd"
    # whether a child may name another child does not hang on a fact (erasing or answering
    # his age must keep a valid casus valid): a minor mother's effect names her baby too
    zonder_leeftijd = {k: v for k, v in moeder.items() if k != "leeftijd"}
    got = ondersteuning(eng, casus(zonder_leeftijd, dict(baby), persoon="k20", kind="baby"))
    assert adres(got) == "personen[baby].leeftijd"
    got = ondersteuning(eng, casus({**moeder, "leeftijd": 16}, dict(baby), persoon="k20",
                                   kind="baby"))
    assert adres(got) == "personen[baby].leeftijd"


@pytest.mark.parametrize(("effect", "melding"), [
    ({"kind": "k9"}, "gewenste_effecten[0].kind: onbekende persoon 'k9'"),
    ({"kind": "ouder"}, "gewenste_effecten[0].kind: persoon 'ouder' heeft rol 'aanvrager', "
                        "niet 'kind'"),
])
def test_a_bad_kind_is_refused_naming_the_field(eng: Engine, effect: dict[str, Any],
                                               melding: str) -> None:
    with pytest.raises(CasusError) as caught:
        eng.casus(casus(dict(K8), dict(K20), **effect))
    assert any(melding in p.melding for p in caught.value.problems), caught.value.problems


def test_answering_which_child_sets_the_field(eng: Engine) -> None:
    data = casus(dict(K8), dict(K20))
    changed, problems = feitadres.set_facts(data, [("gewenste_effecten[e1].kind", "k8")])
    assert problems == []
    assert changed["gewenste_effecten"][0]["kind"] == "k8"
    assert ondersteuning(eng, changed)["status"] == "past"
    adres_ = feitadres.parse("gewenste_effecten[e1].kind")
    assert adres_ is not None and adres_.catalogus_naam == "effect.kind"


def test_the_ranking_tries_each_child(eng: Engine) -> None:
    """Which child: the answers tried are the children's ids; the answer decides the
    instrument either way (k8: past, k20: past_niet)."""
    ranked = rank_questions(eng, casus(dict(K8), dict(K20)))
    first = ranked[0]
    assert first.feit == "gewenste_effecten[e1].kind"
    assert first.antwoorden == ("k8", "k20")
    assert {b.instrument for b in first.beslist} == {"epsilon.ondersteuning"}
    slow = rank_questions(eng, casus(dict(K8), dict(K20)), fast=False)
    assert slow == ranked


def test_a_replaced_fact_is_still_read_and_never_asked(eng: Engine) -> None:
    """`vervangen_door`: a stored casus with the old effect fact still counts its ja; a casus
    without it reads the old fact as nee, so only the child's own fact is asked."""
    kind = {"id": "k8", "rol": "kind", "leeftijd": 8}
    assert ondersteuning(eng, casus(kind, eps_oud_toezicht=True))["status"] == "past"
    got = ondersteuning(eng, casus(dict(kind)))
    assert got["status"] == "voorwaardelijk"
    assert got["nog_uitvragen"] == ["personen[k8].eps_toezicht"]
    no = ondersteuning(eng, casus({**kind, "eps_toezicht": False}))
    assert no["status"] == "past_niet"


def _load(tmp_path: Any, pack: str) -> None:
    folder = tmp_path / "epsilon"
    folder.mkdir()
    (folder / "epsilon.yaml").write_text(pack, "utf-8")
    Engine.load([folder])


def test_a_replaced_fact_alone_is_refused(tmp_path: Any) -> None:
    """Read without its successor beside it, the old fact's 'absent = nee' would decide: the
    loader refuses it."""
    bad = PACK.replace("            - {feit: kind.eps_toezicht, op: \"=\", waarde: true}\n", "")
    with pytest.raises(PackError) as caught:
        _load(tmp_path, bad)
    assert any("vervangen door kind.eps_toezicht" in p.melding for p in caught.value.problems)


def test_effect_kind_is_not_a_condition(tmp_path: Any) -> None:
    bad = PACK.replace("toets: {feit: kind.leeftijd, op: \"<\", waarde: 18}",
                       "toets: {feit: effect.kind, op: \"=\", waarde: k8}")
    with pytest.raises(PackError) as caught:
        _load(tmp_path, bad)
    assert any("kind.<naam>" in p.melding for p in caught.value.problems)


def test_the_casus_form_keeps_the_child_of_an_effect() -> None:
    """The web form (generated from the contract's fields) has "over welk kind" per effect,
    offering the persons with rol kind, and round-trips the field."""
    from service.web import forms

    data = casus(dict(K8), dict(K20), kind="k20")
    state = forms.from_casus(data)
    assert state.v("e0.kind") == "k20"
    assert [pid for pid, _ in forms.child_choices(state)] == ["k8", "k20"]
    back, errors = forms.to_casus(state)
    assert errors == {} and back["gewenste_effecten"][0]["kind"] == "k20"


def test_the_advies_page_offers_the_children_for_which_child(eng: Engine) -> None:
    from service.web.routes import _fact_type

    spec = _fact_type(eng, "gewenste_effecten[e1].kind", casus(dict(K8), dict(K20)))
    assert spec.type == "keuze" and spec.waarden == ("k8", "k20")
