"""Whose work and whose debts (`werkende.x`, `betrokkene.x`; `Casus.werkende_van`,
`Casus.betrokkene_van`).

docs/regeltaal.md §Conditions: "`werkende` is the person whose work the effect is about ...: when
the effect names another person, that person if the effect's `werk_van_kind` is ja, the effect's
own person if nee, no one while it is onbekend (asked as `werk_van_kind`); otherwise the effect's
own person." and "`betrokkene` is the person whose own debts the effect is about ...: the effect's
own person when the effect names no one else or names a minor ... When the effect names another
person who is 18 or older, whose debts they are is asked, never presumed: the effect's
`schulden_van_kind` ja, the named person ...; nee, the effect's own person ...; onbekend, no one
yet (... the question is `gewenste_effecten[id].schulden_van_kind`). No one while the named
person's age is onbekend". fresh67 AP2: the sister of 24 who reported for her brother of 30 got
sociale activering `past_niet` on her own age (art. 7 lid 3 a, "jonger dan 27"); fresh69 AR4: a
mother who cannot apply for jobs because she cares for her son of 24 was tested on his work; fresh68
AQ1: a grandmother with her own debts who names her grandchild is the schuldenaar; fresh75 AX1: a
mother with her own debts who names her son of 24 (none) was tested on his. The expected
values are written from that text and the tiny pack here (invented rules on real articles).
Both backends must give the same bytes. Invented people only.
"""

from __future__ import annotations

from typing import Any

import pytest

from engine import Engine
from engine.vragen import rank_questions
from tests.packs import load_pack

PACK = """
regelpakket: {id: theta, naam: Testwet theta, domein: Participatiewet, bwb_id: BWBR0015703,
              versie: "1", geldig_vanaf: 2024-01-01}
feiten:
  - {id: theta_schulden, onderwerp: persoon, type: bool,
     vraag: "Heeft deze persoon zelf problematische schulden?"}
grondwaarden:
  - id: theta.werk
    tekst: "Arbeidsinschakeling en schulden."
    rechtsgrond: {bwb_id: BWBR0015703, artikel: "7", lid: "1"}
    toets: {feit: effect.leefgebied, op: "=", waarde: tijdsbesteding}
instrumenten:
  - id: theta.sociale_activering
    naam: Sociale activering
    soort: individuele_voorziening
    trede: maatwerk
    rechtsgrond: {bwb_id: BWBR0015703, artikel: "7", lid: "1", onderdeel: a}
    grondwaarden: [theta.werk]
    uitsluitingen:
      - id: jonger_dan_27
        uitleg: "Art. 7 lid 1 a geldt niet voor wie jonger is dan 27."
        rechtsgrond: {bwb_id: BWBR0015703, artikel: "7", lid: "3", onderdeel: a}
        toets: {feit: werkende.leeftijd, op: "<", waarde: 27}
  - id: theta.schuldhulp
    naam: Schuldhulp
    soort: individuele_voorziening
    trede: maatwerk
    rechtsgrond: {bwb_id: BWBR0031331, artikel: "1"}
    grondwaarden: [theta.werk]
    voorwaarden:
      - id: schulden
        uitleg: "De schuldenaar heeft problematische schulden."
        rechtsgrond: {bwb_id: BWBR0031331, artikel: "1"}
        toets: {feit: betrokkene.theta_schulden, op: "=", waarde: true}
"""

MOEDER = {"id": "ria", "rol": "aanvrager", "leeftijd": 62, "theta_schulden": True}
EVA = {"id": "eva", "rol": "kind", "leeftijd": 24, "theta_schulden": False}
BAS = {"id": "bas", "rol": "kind", "leeftijd": 30, "theta_schulden": True}
JIP = {"id": "jip", "rol": "kind", "leeftijd": 1}


@pytest.fixture(scope="module")
def eng(tmp_path_factory: pytest.TempPathFactory) -> Engine:
    return load_pack(tmp_path_factory.mktemp("werkende"), "theta", PACK)


def casus(*people: dict[str, Any], **effect: Any) -> dict[str, Any]:
    return {"peildatum": "2026-03-01", "personen": [dict(p) for p in people],
            "gewenste_effecten": [{"id": "e1", "omschrijving": "Hij zit de hele dag thuis.",
                                   "leefgebied": "tijdsbesteding", **effect}]}


def instruments(eng: Engine, data: dict[str, Any]) -> dict[str, dict[str, Any]]:
    receipt = eng.advies(data)
    assert eng.with_backend("oracle").advies(data).trace_json == receipt.trace_json
    return {i["id"]: i for i in receipt.advies["effecten"][0]["stap4"]["instrumenten"]}


def adres(found: dict[str, dict[str, Any]], iid: str) -> str:
    ins = found[iid]
    [item] = ins["uitsluitingen"] or ins["voorwaarden"]
    address: str = item["toets"]["adres"]
    return address


def test_a_sister_who_reports_for_her_brothers_work(eng: Engine) -> None:
    found = instruments(eng, casus(MOEDER, EVA, BAS, persoon="eva", kind="bas",
                                   werk_van_kind=True))
    assert adres(found, "theta.sociale_activering") == "personen[bas].leeftijd"
    assert found["theta.sociale_activering"]["status"] == "past"  # Bas is 30
    # whose debts is its own question: werk_van_kind does not answer it (fresh75 AX1)
    assert adres(found, "theta.schuldhulp") == "gewenste_effecten[e1].schulden_van_kind"
    assert found["theta.schuldhulp"]["status"] == "voorwaardelijk"


def test_a_mother_who_cannot_work_for_the_care_of_her_son(eng: Engine) -> None:
    """fresh69 AR4: nee, her own work (Eva, 24: the exclusion applies to her)."""
    found = instruments(eng, casus(MOEDER, EVA, BAS, persoon="eva", kind="bas",
                                   werk_van_kind=False))
    assert adres(found, "theta.sociale_activering") == "personen[eva].leeftijd"
    assert found["theta.sociale_activering"]["status"] == "past_niet"


def test_until_answered_no_one_works_and_the_question_is_asked(eng: Engine) -> None:
    data = casus(MOEDER, EVA, BAS, persoon="eva", kind="bas")
    found = instruments(eng, data)
    assert adres(found, "theta.sociale_activering") == "gewenste_effecten[e1].werk_van_kind"
    assert found["theta.sociale_activering"]["status"] == "voorwaardelijk"
    ranked = rank_questions(eng, data)
    assert rank_questions(eng, data, fast=False) == ranked
    # whose work, and (for the debts) whose debts: two questions
    vragen = {v.feit: v for v in ranked}
    assert set(vragen) == {"gewenste_effecten[e1].werk_van_kind",
                           "gewenste_effecten[e1].schulden_van_kind"}
    vraag = vragen["gewenste_effecten[e1].werk_van_kind"]
    # ja: past (Bas, 30); nee: past_niet (Eva, 24): every answer decides
    assert {b.instrument for b in vraag.beslist} == {"theta.sociale_activering"}


def test_the_own_effect_needs_no_question(eng: Engine) -> None:
    found = instruments(eng, casus(MOEDER, BAS, persoon="bas"))
    assert adres(found, "theta.sociale_activering") == "personen[bas].leeftijd"
    assert found["theta.sociale_activering"]["status"] == "past"


def test_a_named_minor_leaves_the_debts_with_the_one_who_asks(eng: Engine) -> None:
    """fresh68 AQ1: the effect's own person is the schuldenaar when it names a minor."""
    found = instruments(eng, casus(MOEDER, EVA, JIP, persoon="eva", kind="jip"))
    assert adres(found, "theta.schuldhulp") == "personen[eva].theta_schulden"
    assert found["theta.schuldhulp"]["status"] == "past_niet"


def test_costs_that_are_the_askers_own_leave_the_debts_with_her(eng: Engine) -> None:
    """fresh75 AX1, regeltaal: "An effect whose `kosten_van_kind` is nee ... is about the
    asker's money: the effect's own person". Ria (her own debts) names Eva (24, none) and asks
    for costs that are hers: Ria owes (past). With ja (Eva's costs) whose debts is still asked:
    Eva's costs do not make the debts hers."""
    data = casus(MOEDER, EVA, persoon="ria", kind="eva", kosten=60, kosten_van_kind=False)
    found = instruments(eng, data)
    assert adres(found, "theta.schuldhulp") == "personen[ria].theta_schulden"
    assert found["theta.schuldhulp"]["status"] == "past"
    data["gewenste_effecten"][0]["kosten_van_kind"] = True
    found = instruments(eng, data)
    assert adres(found, "theta.schuldhulp") == "gewenste_effecten[e1].schulden_van_kind"
    assert found["theta.schuldhulp"]["status"] == "voorwaardelijk"


def test_whose_debts_is_asked_when_an_adult_is_named(eng: Engine) -> None:
    """fresh75 AX1, regeltaal: "`schulden_van_kind` ja, the named person ...; nee, the
    effect's own person ...; onbekend, no one yet". Ria (her own debts) names Eva (24, none)
    without costs: unanswered, the question (voorwaardelijk, never past_niet on Eva's debts);
    nee, Ria owes (past); ja, Eva (past_niet). The ranking sees that the answer moves it."""
    data = casus(MOEDER, EVA, persoon="ria", kind="eva")
    found = instruments(eng, data)
    assert adres(found, "theta.schuldhulp") == "gewenste_effecten[e1].schulden_van_kind"
    assert found["theta.schuldhulp"]["status"] == "voorwaardelijk"
    ranked = rank_questions(eng, data)
    assert rank_questions(eng, data, fast=False) == ranked
    [vraag] = [v for v in ranked if v.feit == "gewenste_effecten[e1].schulden_van_kind"]
    assert {b.instrument for b in vraag.beslist} == {"theta.schuldhulp"}
    for answer, who, status in ((False, "ria", "past"), (True, "eva", "past_niet")):
        data["gewenste_effecten"][0]["schulden_van_kind"] = answer
        found = instruments(eng, data)
        assert adres(found, "theta.schuldhulp") == f"personen[{who}].theta_schulden"
        assert found["theta.schuldhulp"]["status"] == status


def test_nee_to_whose_debts_leaves_them_with_the_asker_whatever_the_age(eng: Engine) -> None:
    """regeltaal: "An effect whose `schulden_van_kind` ... is nee ...: the effect's own person,
    whatever the named person's age" (no question about Bas's age)."""
    bas = {k: v for k, v in BAS.items() if k != "leeftijd"}
    found = instruments(eng, casus(MOEDER, bas, persoon="ria", kind="bas",
                                   schulden_van_kind=False))
    assert adres(found, "theta.schuldhulp") == "personen[ria].theta_schulden"
    assert found["theta.schuldhulp"]["status"] == "past"


def test_while_the_named_persons_age_is_onbekend_no_one_owes(eng: Engine) -> None:
    bas = {k: v for k, v in BAS.items() if k != "leeftijd"}
    data = casus(MOEDER, EVA, bas, persoon="eva", kind="bas", werk_van_kind=False)
    found = instruments(eng, data)
    assert adres(found, "theta.schuldhulp") == "personen[bas].leeftijd"
    assert found["theta.schuldhulp"]["status"] == "voorwaardelijk"
    ranked = rank_questions(eng, data)
    assert rank_questions(eng, data, fast=False) == ranked
    [vraag] = ranked
    assert vraag.feit == "personen[bas].leeftijd"
    # 17: Eva owes (none: past_niet); 30: whose debts is asked next (Bas's or Eva's)
    assert {b.instrument for b in vraag.beslist} == set()
    assert {b.instrument for b in vraag.soms} == {"theta.schuldhulp"}
    data["gewenste_effecten"][0]["schulden_van_kind"] = True  # Bas's: then his age decides
    ranked = rank_questions(eng, data)
    [vraag] = ranked
    assert vraag.feit == "personen[bas].leeftijd"
    assert {b.instrument for b in vraag.beslist} == {"theta.schuldhulp"}


def test_the_casus_form_keeps_werk_van_kind() -> None:
    from service.web import forms

    for given in (True, False, None):
        extra = {} if given is None else {"werk_van_kind": given}
        state = forms.from_casus(casus(MOEDER, EVA, BAS, persoon="eva", kind="bas", **extra))
        assert state.v("e0.werk_van_kind") == {True: "ja", False: "nee", None: ""}[given]
        back, errors = forms.to_casus(state)
        assert errors == {}
        assert back["gewenste_effecten"][0].get("werk_van_kind") is given


def test_the_casus_form_keeps_schulden_van_kind() -> None:
    from service.web import forms

    for given in (True, False, None):
        extra = {} if given is None else {"schulden_van_kind": given}
        state = forms.from_casus(casus(MOEDER, EVA, persoon="ria", kind="eva", **extra))
        assert state.v("e0.schulden_van_kind") == {True: "ja", False: "nee", None: ""}[given]
        back, errors = forms.to_casus(state)
        assert errors == {}
        assert back["gewenste_effecten"][0].get("schulden_van_kind") is given
