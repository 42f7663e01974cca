"""The person whose own means count (`belanghebbende.x`, `Casus.belanghebbende_van`).

docs/regeltaal.md §Conditions: "`belanghebbende` is the person whose own means count (the
Participatiewet's rechthebbende). When the effect's own person has rol `kind` or `overig` and the
effect names another child under `gewenste_effecten[].kind`: the named child when it is 18 or
older; else it depends on the child's `kind_van_aanvrager`: ja, the named child (a minor then
belongs to the aanvrager's gezin); nee, the effect's own person; onbekend, no one yet ... the
question is the child's `kind_van_aanvrager`. Otherwise it is the client." fresh66 AO1: a young
father of 20 who lives with his baby in his own parents' house is himself the alleenstaande
ouder; tested on his mother's income, his bijstand was `past_niet`. fresh68 AQ2, AQ3: a named
adult is his own; a grandmother who raises her grandchild is tested on her own means. fresh67
AP1: for the Wmo the baby stays the cliënt, so `client` does not move. fresh70 AS2: "On an
effect with leefgebied `werk_en_opleiding` that names another person, whose work it is comes
first (the effect's `werk_van_kind`, as for `werkende`): nee, the effect's own person ...;
onbekend, no one yet (asked as `gewenste_effecten[id].werk_van_kind`); ja, as above." The
expected values below are written from that text and the tiny pack here (invented rules on real
articles), never copied from the engine's output. Both backends must give the same bytes.
Invented people only.
"""

from __future__ import annotations

from typing import Any

import pytest

from engine import Engine
from engine.vragen import rank_questions
from tests.packs import load_pack

PACK = """
regelpakket: {id: eta, naam: Testwet eta, domein: Participatiewet, bwb_id: BWBR0015703,
              versie: "1", geldig_vanaf: 2024-01-01}
feiten:
  - {id: eta_inkomen_laag, onderwerp: persoon, type: bool,
     vraag: "Ligt het eigen inkomen van deze persoon onder de norm?"}
grondwaarden:
  - id: eta.bestaan
    tekst: "Bestaanszekerheid."
    rechtsgrond: {bwb_id: BWBR0015703, artikel: "11", lid: "1"}
    toets: {feit: effect.leefgebied, op: in, waarde: [financien, werk_en_opleiding]}
instrumenten:
  - id: eta.bijstand
    naam: Bijstand
    soort: individuele_voorziening
    trede: maatwerk
    rechtsgrond: {bwb_id: BWBR0015703, artikel: "19", lid: "1"}
    grondwaarden: [eta.bestaan]
    voorwaarden:
      - id: inkomen
        uitleg: "Het inkomen van de rechthebbende ligt onder de norm."
        rechtsgrond: {bwb_id: BWBR0015703, artikel: "19", lid: "1"}
        toets: {feit: belanghebbende.eta_inkomen_laag, op: "=", waarde: true}
  - id: eta.toeslag
    naam: Toeslag
    soort: individuele_voorziening
    trede: maatwerk
    rechtsgrond: {bwb_id: BWBR0015703, artikel: "36", lid: "1"}
    grondwaarden: [eta.bestaan]
    voorwaarden:
      - id: inkomen
        uitleg: "Het inkomen van de rechthebbende ligt onder de norm."
        rechtsgrond: {bwb_id: BWBR0015703, artikel: "36", lid: "1"}
        toets: {feit: belanghebbende.eta_inkomen_laag, op: "=", waarde: true}
  - id: eta.hulp_kind
    naam: Hulp voor het kind
    soort: individuele_voorziening
    trede: maatwerk
    rechtsgrond: {bwb_id: BWBR0015703, artikel: "35", lid: "1"}
    grondwaarden: [eta.bestaan]
    voorwaarden:
      - id: jong
        uitleg: "De persoon voor wie de hulp is, is jonger dan 18."
        rechtsgrond: {bwb_id: BWBR0015703, artikel: "35", lid: "1"}
        toets: {feit: client.leeftijd, op: "<", waarde: 18}
"""

OMA = {"id": "oma", "rol": "aanvrager", "leeftijd": 48, "eta_inkomen_laag": False}
SEM = {"id": "sem", "rol": "kind", "leeftijd": 20, "eta_inkomen_laag": True}
RAVI = {"id": "ravi", "rol": "overig", "leeftijd": 19, "eta_inkomen_laag": True}
MILA = {"id": "mila", "rol": "kind", "leeftijd": 0, "kind_van_aanvrager": False}
"""Sem's daughter, not a child of the aanvrager (Sem's mother)."""
MILA_ONBEKEND = {"id": "mila", "rol": "kind", "leeftijd": 0}
ZUS = {"id": "zus", "rol": "kind", "leeftijd": 8, "kind_van_aanvrager": True}
"""Sem's little sister: a child of the aanvrager."""


@pytest.fixture(scope="module")
def eng(tmp_path_factory: pytest.TempPathFactory) -> Engine:
    return load_pack(tmp_path_factory.mktemp("belanghebbende"), "eta", PACK)


def casus(*people: dict[str, Any], **effect: Any) -> dict[str, Any]:
    return {"peildatum": "2026-03-01", "personen": [dict(p) for p in people],
            "gewenste_effecten": [{"id": "e1", "omschrijving": "Geen geld voor een bedje.",
                                   "leefgebied": "financien", **effect}]}


def instruments(eng: Engine, data: dict[str, Any]) -> dict[str, dict[str, Any]]:
    receipt = eng.advies(data)
    assert eng.with_backend("oracle").advies(data).trace_json == receipt.trace_json
    return {i["id"]: i for i in receipt.advies["effecten"][0]["stap4"]["instrumenten"]}


def inkomen_adres(found: dict[str, dict[str, Any]]) -> str:
    [voorwaarde] = found["eta.bijstand"]["voorwaarden"]
    adres: str = voorwaarde["toets"]["adres"]
    return adres


def test_a_housemate_who_names_a_child_not_of_the_aanvrager_is_the_belanghebbende(
        eng: Engine) -> None:
    """Sem (20, rol kind) names Mila, who is not a child of the aanvrager (she is his): his
    own income counts (he is low: past); the help for the child still reads Mila (client)."""
    found = instruments(eng, casus(OMA, SEM, MILA, persoon="sem", kind="mila"))
    assert inkomen_adres(found) == "personen[sem].eta_inkomen_laag"
    assert found["eta.bijstand"]["status"] == "past"
    assert found["eta.toeslag"]["status"] == "past"
    assert found["eta.hulp_kind"]["status"] == "past"


def test_until_answered_no_one_is_the_belanghebbende_and_ja_makes_it_the_child(
        eng: Engine) -> None:
    """Not answered: no one yet, so `belanghebbende.x` is onbekend and asked as Mila's
    `kind_van_aanvrager` (never Sem's mother, never the baby). Ja, Sem names his sister: the
    child, the client."""
    found = instruments(eng, casus(OMA, SEM, MILA_ONBEKEND, persoon="sem", kind="mila"))
    assert inkomen_adres(found) == "personen[mila].kind_van_aanvrager"
    assert found["eta.bijstand"]["status"] == "voorwaardelijk"
    assert found["eta.bijstand"]["nog_uitvragen"] == ["personen[mila].kind_van_aanvrager"]
    found = instruments(eng, casus(OMA, SEM, ZUS, persoon="sem", kind="zus"))
    assert inkomen_adres(found) == "personen[zus].eta_inkomen_laag"
    assert found["eta.bijstand"]["status"] == "voorwaardelijk"


def test_a_rol_overig_housemate_too_but_never_the_aanvrager_or_his_partner(
        eng: Engine) -> None:
    found = instruments(eng, casus(OMA, RAVI, MILA, persoon="ravi", kind="mila"))
    assert inkomen_adres(found) == "personen[ravi].eta_inkomen_laag"
    # the aanvrager's effect naming a child: the child while it is not known to be someone
    # else's (a child of the aanvrager belongs to her gezin) ...
    found = instruments(eng, casus(OMA, MILA_ONBEKEND, kind="mila"))
    assert inkomen_adres(found) == "personen[mila].eta_inkomen_laag"
    # ... but a known minor of someone else is no 'kind' of hers (Pw art. 4 lid 1): no one,
    # nothing asked, never the aanvrager's own income (fresh100 BW1: her savings made it
    # past_niet)
    found = instruments(eng, casus(OMA, MILA, kind="mila"))
    assert found["eta.bijstand"]["status"] == "voorwaardelijk"
    assert found["eta.bijstand"]["nog_uitvragen"] == []
    assert inkomen_adres(found) != "personen[oma].eta_inkomen_laag"


def test_the_young_parents_own_effect_without_a_named_child_is_his_own(eng: Engine) -> None:
    found = instruments(eng, casus(OMA, SEM, MILA, persoon="sem"))
    assert inkomen_adres(found) == "personen[sem].eta_inkomen_laag"
    assert found["eta.hulp_kind"]["status"] == "past_niet"  # client is Sem, 20


def test_the_ranking_sees_that_kind_van_aanvrager_moves_the_belanghebbende(
        eng: Engine) -> None:
    """Unanswered, both instruments wait on whether Mila is a child of the aanvrager. Nee makes
    them past (Sem's low income), ja leaves them waiting on Mila's income: the answer moves
    `belanghebbende.x`, which the fast path must see (`_read_by`), and it must equal the slow
    path."""
    data = casus(OMA, SEM, MILA_ONBEKEND, persoon="sem", kind="mila")
    ranked = rank_questions(eng, data)
    assert rank_questions(eng, data, fast=False) == ranked
    [vraag] = ranked
    assert vraag.feit == "personen[mila].kind_van_aanvrager"
    assert not vraag.beslist
    assert {b.instrument for b in vraag.soms} == {"eta.bijstand", "eta.toeslag"}


def test_the_casus_form_keeps_kind_van_aanvrager() -> None:
    """The web form has the question per person (ja / nee / onbekend) and round-trips it; an
    empty choice stays onbekend, never nee."""
    from service.web import forms

    for given in (True, False, None):
        mila = dict(MILA_ONBEKEND) if given is None else {**MILA, "kind_van_aanvrager": given}
        state = forms.from_casus(casus(OMA, SEM, mila, persoon="sem", kind="mila"))
        assert state.v("p2.kind_van_aanvrager") == {True: "ja", False: "nee", None: ""}[given]
        back, errors = forms.to_casus(state)
        assert errors == {}
        assert back["personen"][2].get("kind_van_aanvrager") is given


def test_an_adult_named_child_is_his_own_belanghebbende_without_the_question(
        eng: Engine) -> None:
    """A sister (rol kind) who names her brother of 30: he is never a ten laste komend kind, so
    his own means count and nothing asks whether she is his parent."""
    broer = {"id": "bas", "rol": "kind", "leeftijd": 30, "eta_inkomen_laag": True}
    found = instruments(eng, casus(OMA, SEM, broer, persoon="sem", kind="bas"))
    assert inkomen_adres(found) == "personen[bas].eta_inkomen_laag"
    assert found["eta.bijstand"]["status"] == "past"


LIES = {"id": "lies", "rol": "aanvrager", "leeftijd": 45, "eta_inkomen_laag": True}
EVA = {"id": "eva", "rol": "kind", "leeftijd": 22, "eta_inkomen_laag": False}
"""Lies, a zelfstandig kapper whose salon suffers because she cares for Eva by day (fresh70
AS2, s09): her own business is the question, not Eva's."""


def werk(**effect: Any) -> dict[str, Any]:
    data = casus(LIES, EVA, persoon="lies", kind="eva", **effect)
    data["gewenste_effecten"][0].update(leefgebied="werk_en_opleiding",
                                        omschrijving="Mijn zaak loopt terug door de zorg.")
    return data


def test_on_work_whose_work_it_is_decides_the_belanghebbende(eng: Engine) -> None:
    """Nee (her own work): Lies's own means (low: past). Onbekend: no one yet, asked as the
    effect's werk_van_kind (never Eva's means). Ja (Eva's work): Eva, an adult, her own."""
    found = instruments(eng, werk(werk_van_kind=False))
    assert inkomen_adres(found) == "personen[lies].eta_inkomen_laag"
    assert found["eta.bijstand"]["status"] == "past"
    found = instruments(eng, werk())
    assert inkomen_adres(found) == "gewenste_effecten[e1].werk_van_kind"
    assert found["eta.bijstand"]["status"] == "voorwaardelijk"
    assert found["eta.bijstand"]["nog_uitvragen"] == ["gewenste_effecten[e1].werk_van_kind"]
    found = instruments(eng, werk(werk_van_kind=True))
    assert inkomen_adres(found) == "personen[eva].eta_inkomen_laag"
    assert found["eta.bijstand"]["status"] == "past_niet"


def test_on_money_werk_van_kind_does_not_move_the_belanghebbende(eng: Engine) -> None:
    """A money question about Eva, with werk_van_kind answered nee (it is not about her
    work): still Eva's own means, never her mother's."""
    found = instruments(eng, casus(LIES, EVA, persoon="lies", kind="eva", werk_van_kind=False))
    assert inkomen_adres(found) == "personen[eva].eta_inkomen_laag"


def test_on_work_with_costs_whose_costs_decides_not_whose_work(eng: Engine) -> None:
    """regeltaal: "With `kosten`: the effect's `kosten_van_kind` (whose costs ...), unless
    `werk_van_kind` is ja or the named person is a minor". fresh72 AU1: Lies cannot work more
    because she drives Eva to her work (werk_van_kind nee) and asks for Eva's taxi (ja: Eva's
    means, not low: past_niet). fresh73 AV1: she asks for her own course and names Eva as the
    reason (nee: her own means, low: past). Not answered: no one, asked as kosten_van_kind."""
    found = instruments(eng, werk(werk_van_kind=False, kosten=180, kosten_van_kind=True))
    assert inkomen_adres(found) == "personen[eva].eta_inkomen_laag"
    assert found["eta.bijstand"]["status"] == "past_niet"
    found = instruments(eng, werk(werk_van_kind=False, kosten=650, kosten_van_kind=False))
    assert inkomen_adres(found) == "personen[lies].eta_inkomen_laag"
    assert found["eta.bijstand"]["status"] == "past"
    for open_werk in ({"werk_van_kind": False}, {}):
        found = instruments(eng, werk(kosten=650, **open_werk))
        assert inkomen_adres(found) == "gewenste_effecten[e1].kosten_van_kind"
        assert found["eta.bijstand"]["nog_uitvragen"] == ["gewenste_effecten[e1].kosten_van_kind"]
    # her work is Eva's own (ja): Eva's costs, nothing asked
    found = instruments(eng, werk(werk_van_kind=True, kosten=180))
    assert inkomen_adres(found) == "personen[eva].eta_inkomen_laag"


def test_with_costs_on_any_leefgebied_whose_costs_is_asked(eng: Engine) -> None:
    """fresh74 AW1: "With `kosten`, on any leefgebied: the effect's `kosten_van_kind`". A
    money question naming Eva (22) with costs: no one until answered; nee (Lies's own removal
    costs): Lies; ja (Eva's glasses): Eva. Without costs a named adult stays his own (AQ2)."""
    data = casus(LIES, EVA, persoon="lies", kind="eva", kosten=1800)
    found = instruments(eng, data)
    assert inkomen_adres(found) == "gewenste_effecten[e1].kosten_van_kind"
    data["gewenste_effecten"][0]["kosten_van_kind"] = False
    assert inkomen_adres(instruments(eng, data)) == "personen[lies].eta_inkomen_laag"
    data["gewenste_effecten"][0]["kosten_van_kind"] = True
    assert inkomen_adres(instruments(eng, data)) == "personen[eva].eta_inkomen_laag"
    found = instruments(eng, casus(LIES, EVA, persoon="lies", kind="eva"))
    assert inkomen_adres(found) == "personen[eva].eta_inkomen_laag"


def test_on_work_with_costs_for_a_minor_nothing_more_is_asked(eng: Engine) -> None:
    """A named minor of the aanvrager: his costs are his parents' gezin's either way (fresh72
    AU2), so neither werk_van_kind nor kosten_van_kind is asked."""
    zoon = {"id": "jesse", "rol": "kind", "leeftijd": 15, "kind_van_aanvrager": True,
            "eta_inkomen_laag": True}
    data = casus(LIES, zoon, persoon="lies", kind="jesse", kosten=450)
    data["gewenste_effecten"][0]["leefgebied"] = "werk_en_opleiding"
    found = instruments(eng, data)
    assert inkomen_adres(found) == "personen[jesse].eta_inkomen_laag"
    assert found["eta.bijstand"]["status"] == "past"


def test_the_ranking_sees_that_kosten_van_kind_moves_the_belanghebbende(eng: Engine) -> None:
    """Unanswered, the money instruments wait on whose costs; nee makes them past (Lies),
    ja past_niet (Eva): the fast path must see it (`_read_by`) and equal the slow path."""
    data = werk(werk_van_kind=False, kosten=650)
    ranked = rank_questions(eng, data)
    assert rank_questions(eng, data, fast=False) == ranked
    [vraag] = ranked
    assert vraag.feit == "gewenste_effecten[e1].kosten_van_kind"
    assert {b.instrument for b in vraag.beslist} == {"eta.bijstand", "eta.toeslag"}


def test_the_casus_form_keeps_kosten_van_kind() -> None:
    """The web form has the question per effect (ja / nee / onbekend) and round-trips it."""
    from service.web import forms

    for given in (True, False, None):
        data = werk(werk_van_kind=False, kosten=650)
        if given is not None:
            data["gewenste_effecten"][0]["kosten_van_kind"] = given
        state = forms.from_casus(data)
        assert state.v("e0.kosten_van_kind") == {True: "ja", False: "nee", None: ""}[given]
        back, errors = forms.to_casus(state)
        assert errors == {}
        assert back["gewenste_effecten"][0].get("kosten_van_kind") is given


def test_the_ranking_sees_that_werk_van_kind_moves_the_belanghebbende_on_work(
        eng: Engine) -> None:
    """Unanswered, both money instruments wait on whose work it is; nee makes them past
    (Lies's low income), ja past_niet (Eva's): the answer moves `belanghebbende.x`, which the
    fast path must see (`_read_by`), and it must equal the slow path."""
    data = werk()
    ranked = rank_questions(eng, data)
    assert rank_questions(eng, data, fast=False) == ranked
    [vraag] = ranked
    assert vraag.feit == "gewenste_effecten[e1].werk_van_kind"
    assert {b.instrument for b in vraag.beslist} == {"eta.bijstand", "eta.toeslag"}
