"""Seven realistic mistakes that once passed every test (issue 17), each now caught here.

An audit changed the engine in 20 small, plausible ways, one at a time; seven went unnoticed.
Every test below names the mistake it catches. The expected values are written by hand from the
method and the law (../shared/domain/method.md, casus.md, docs/regeltaal.md, the cited
articles) and from the small packs below, never copied from the engine's output; the trace hash
is recomputed here with the standard library (`json`, `hashlib`), not with `engine.evaluate`.
docs/testen.md records, per mistake, the exact edit and which test here fails on it.
"""

from __future__ import annotations

import copy
import hashlib
import json
from typing import Any

import pytest

from engine import Engine
from engine.evaluate import canonical_json, trace_hash
from engine.replay import replay

# ---- Three tiny laws, one per domain, written for these tests (invented rules on real articles).

ALFA = """
regelpakket: {id: alfa, naam: Testwet alfa, domein: Wmo, bwb_id: BWBR0035362, versie: "1",
              geldig_vanaf: 2024-01-01}
feiten:
  - {id: alfa_doel_open, onderwerp: effect, type: bool, vraag: "Dient het effect het open doel?"}
afgeleide_feiten:
  - id: jong_kind
    uitleg: "Het jongste kind is jonger dan vijf jaar."
    rechtsgrond: {bwb_id: BWBR0034925, artikel: "1.1"}
    toets: {feit: huishouden.jongste_kind_leeftijd, op: "<", waarde: 5}
grondwaarden:
  # one law, three purposes: the first and last stay onbekend (never asked), the middle one is ja
  - id: alfa.a_open
    tekst: "Een doel dat nog niet vaststaat."
    rechtsgrond: {bwb_id: BWBR0035362, artikel: "2.1.1"}
    toets: {feit: effect.alfa_doel_open, op: "=", waarde: true}
  - id: alfa.b_mobiel
    tekst: "Zich kunnen verplaatsen."
    rechtsgrond: {bwb_id: BWBR0035362, artikel: "2.1.1"}
    toets: {feit: effect.leefgebied, op: "=", waarde: mobiliteit}
  - id: alfa.c_open
    tekst: "Nog een doel dat niet vaststaat."
    rechtsgrond: {bwb_id: BWBR0035362, artikel: "2.1.1"}
    toets: {feit: effect.alfa_doel_open, op: "=", waarde: true}
instrumenten:
  - id: alfa.opvang_jong_kind
    naam: Opvang bij een kind onder de vijf
    soort: maatwerkvoorziening
    trede: maatwerk
    rechtsgrond: {bwb_id: BWBR0035362, artikel: "2.3.5", lid: "3"}
    grondwaarden: [alfa.b_mobiel]
    voorwaarden:
      - id: jong_kind
        uitleg: "Het jongste kind is jonger dan vijf."
        rechtsgrond: {bwb_id: BWBR0034925, artikel: "1.1"}
        toets: {feit: afgeleid.jong_kind, op: "=", waarde: true}
  - id: alfa.ingezetene_aanvrager
    naam: Voorziening voor wie de aanvrager in de gemeente woont
    soort: maatwerkvoorziening
    trede: maatwerk
    rechtsgrond: {bwb_id: BWBR0035362, artikel: "2.3.5", lid: "3"}
    grondwaarden: [alfa.b_mobiel]
    voorwaarden:
      - id: aanvrager_ingezetene
        uitleg: "De aanvrager woont in de gemeente."
        rechtsgrond: {bwb_id: BWBR0035362, artikel: "2.3.5", lid: "1"}
        toets: {feit: aanvrager.woont_in_gemeente, op: "=", waarde: true}
  - id: alfa.onzekere_voorwaarde
    naam: Voorziening met een onzekere voorwaarde
    soort: maatwerkvoorziening
    trede: maatwerk
    rechtsgrond: {bwb_id: BWBR0035362, artikel: "2.3.5", lid: "3"}
    grondwaarden: [alfa.b_mobiel]
    voorwaarden:
      - id: geen_wlz
        uitleg: "Geen Wlz-indicatie (onzeker gecodeerd)."
        rechtsgrond: {bwb_id: BWBR0035362, artikel: "2.3.5", lid: "6"}
        toets: {feit: persoon.wlz_indicatie, op: "=", waarde: false}
        onzeker: true
        notitie: "Testgrond."
  - id: alfa.onzekere_uitsluiting
    naam: Voorziening met een onzekere uitsluiting
    soort: maatwerkvoorziening
    trede: maatwerk
    rechtsgrond: {bwb_id: BWBR0035362, artikel: "2.3.5", lid: "3"}
    grondwaarden: [alfa.b_mobiel]
    uitsluitingen:
      - id: wlz
        uitleg: "Een Wlz-indicatie gaat voor (onzeker gecodeerd)."
        rechtsgrond: {bwb_id: BWBR0035362, artikel: "2.3.5", lid: "6"}
        toets: {feit: persoon.wlz_indicatie, op: "=", waarde: true}
        onzeker: true
        notitie: "Testgrond."
  - id: alfa.zeker
    naam: Voorziening zonder onzekerheid
    soort: maatwerkvoorziening
    trede: maatwerk
    rechtsgrond: {bwb_id: BWBR0035362, artikel: "2.3.5", lid: "3"}
    grondwaarden: [alfa.b_mobiel]
    voorwaarden:
      - id: geen_wlz
        uitleg: "Geen Wlz-indicatie."
        rechtsgrond: {bwb_id: BWBR0035362, artikel: "2.3.5", lid: "6"}
        toets: {feit: persoon.wlz_indicatie, op: "=", waarde: false}
"""

BETA = """
regelpakket: {id: beta, naam: Testwet beta, domein: Jeugdwet, bwb_id: BWBR0034925, versie: "1",
              geldig_vanaf: 2024-01-01}
grondwaarden:
  - id: beta.opgroeien
    tekst: "Gezond en veilig opgroeien."
    rechtsgrond: {bwb_id: BWBR0034925, artikel: "2.3", lid: "1"}
    toets: {feit: effect.leefgebied, op: "=", waarde: opvoeden_en_opgroeien}
instrumenten:
  - id: beta.hulp
    naam: Hulp bij opgroeien
    soort: individuele_voorziening
    trede: maatwerk
    rechtsgrond: {bwb_id: BWBR0034925, artikel: "2.3", lid: "1"}
    grondwaarden: [beta.opgroeien]
    voorwaarden:
      - id: ingezetene
        uitleg: "Woont in de gemeente."
        rechtsgrond: {bwb_id: BWBR0034925, artikel: "1.1"}
        toets: {feit: persoon.woont_in_gemeente, op: "=", waarde: true}
"""

GAMMA = """
regelpakket: {id: gamma, naam: Testwet gamma, domein: Participatiewet, bwb_id: BWBR0015703,
              versie: "1", geldig_vanaf: 2024-01-01}
grondwaarden:
  - id: gamma.werk
    tekst: "Aan het werk."
    rechtsgrond: {bwb_id: BWBR0015703, artikel: "11"}
    toets: {feit: effect.leefgebied, op: "=", waarde: werk_en_opleiding}
instrumenten:
  - id: gamma.begeleiding
    naam: Begeleiding naar werk
    soort: individuele_voorziening
    trede: maatwerk
    rechtsgrond: {bwb_id: BWBR0015703, artikel: "11"}
    grondwaarden: [gamma.werk]
    voorwaarden:
      - id: ingezetene
        uitleg: "Woont in de gemeente."
        rechtsgrond: {bwb_id: BWBR0015703, artikel: "11"}
        toets: {feit: persoon.woont_in_gemeente, op: "=", waarde: true}
"""


@pytest.fixture(scope="module")
def eng(tmp_path_factory: pytest.TempPathFactory) -> Engine:
    folder = tmp_path_factory.mktemp("mistakes")
    for name, text in (("alfa", ALFA), ("beta", BETA), ("gamma", GAMMA)):
        (folder / name).mkdir()
        (folder / name / f"{name}.yaml").write_text(text, "utf-8")
    return Engine.load([folder / "alfa", folder / "beta", folder / "gamma"])


OUDER = {"id": "p1", "rol": "aanvrager", "leeftijd": 38, "woont_in_gemeente": True,
         "wlz_indicatie": False}
"""An invented parent; every casus here is invented."""


def effect(eid: str, leefgebied: str, **extra: Any) -> dict[str, Any]:
    return {"id": eid, "omschrijving": f"Wens {eid}.", "leefgebied": leefgebied, **extra}


def casus(*effecten: dict[str, Any], personen: list[dict[str, Any]] | None = None,
          **top: Any) -> dict[str, Any]:
    return {"peildatum": "2026-03-01", "personen": personen or [dict(OUDER)],
            "gewenste_effecten": list(effecten) or [effect("e1", "mobiliteit")], **top}


def instrument(receipt_advies: dict[str, Any], iid: str, eid: str = "e1") -> dict[str, Any]:
    e = next(x for x in receipt_advies["effecten"] if x["id"] == eid)
    return next(i for i in e["stap4"]["instrumenten"] if i["id"] == iid)


def both(eng: Engine, data: dict[str, Any]) -> dict[str, Any]:
    """The advies of the durable-rules backend; the oracle must give the same bytes."""
    receipt = eng.advies(data)
    assert eng.with_backend("oracle").advies(data).trace_json == receipt.trace_json
    return receipt.advies


def stdlib_hash(trace: dict[str, Any]) -> str:
    """The receipt's hash as an auditor recomputes it with nothing but the standard library:
    SHA-256 of the whole trace as JSON with sorted keys, no whitespace, UTF-8 kept."""
    text = json.dumps(trace, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()


# ---- 1. The trace hash and its verifier cover the casus -------------------------------------

def test_1_hash_covers_the_casus_as_an_auditor_recomputes_it(eng: Engine) -> None:
    """Mistake 1: hash and verifier skip `casus`. The receipt's hash is the hash of the whole
    trace, casus included, recomputed without the engine's code."""
    receipt = eng.advies(casus())
    assert "casus" in receipt.trace
    assert receipt.trace_hash == stdlib_hash(receipt.trace)
    without_casus = {k: v for k, v in receipt.trace.items() if k != "casus"}
    assert receipt.trace_hash != stdlib_hash(without_casus)


def test_1_a_changed_fact_breaks_the_receipt(eng: Engine) -> None:
    """Mistake 1: a receipt must bind the facts it was made from. Change one fact of the stored
    casus and nothing else: the hash no longer matches, and replay says it is not intact."""
    receipt = eng.advies(casus()).as_dict()
    forged = copy.deepcopy(receipt)
    forged["casus"]["personen"][0]["leeftijd"] = 39  # was 38
    stored = {k: v for k, v in forged.items() if k != "trace_hash"}
    assert trace_hash(stored) != receipt["trace_hash"]
    result = replay(forged, eng)
    assert result.intact is False
    assert result.identical is False
    assert replay(receipt, eng).intact is True  # the untouched receipt is intact


# ---- 2. integraal_overleg from two domains ---------------------------------------------------

@pytest.mark.parametrize(("leefgebieden", "domeinen", "overleg"), [
    (["mobiliteit"], ["Wmo"], False),
    (["mobiliteit", "opvoeden_en_opgroeien"], ["Jeugdwet", "Wmo"], True),
    (["mobiliteit", "opvoeden_en_opgroeien", "werk_en_opleiding"],
     ["Jeugdwet", "Participatiewet", "Wmo"], True),
])
def test_2_two_domains_call_for_an_integraal_overleg(
        eng: Engine, leefgebieden: list[str], domeinen: list[str], overleg: bool) -> None:
    """Mistake 2: `integraal_overleg` needs more than two domains. The method (step 2): a
    single-domain question stays with the consulent, a multi-domain one, so two already, calls
    for an integraal overleg."""
    data = casus(*(effect(f"e{n}", g) for n, g in enumerate(leefgebieden, 1)))
    stap2 = both(eng, data)["stap2"]
    assert stap2["domeinen"] == domeinen
    assert stap2["integraal_overleg"] is overleg
    assert stap2["toelichting"].startswith("Meerdere domeinen" if overleg else "Eén domein")


# ---- 3. The youngest child is the youngest ----------------------------------------------------

KINDEREN: list[dict[str, Any]] = [{"id": "k1", "rol": "kind", "leeftijd": 10},
                                  {"id": "k2", "rol": "kind", "leeftijd": 3},
                                  {"id": "k3", "rol": "kind", "leeftijd": 7}]


def test_3_youngest_child_in_a_derived_fact(eng: Engine) -> None:
    """Mistake 3: the oldest child taken as the youngest. Children of 10, 3 and 7: the youngest
    is 3, so 'jongste kind jonger dan vijf' is ja and the instrument that needs it fits."""
    advies = both(eng, casus(personen=[dict(OUDER), *KINDEREN]))
    afgeleid = {a["id"]: a for a in advies["effecten"][0]["afgeleide_feiten"]}
    assert afgeleid["jong_kind"]["uitkomst"] == "ja"
    assert afgeleid["jong_kind"]["toets"]["gevonden"] == 3
    got = instrument(advies, "alfa.opvang_jong_kind")
    assert got["status"] == "past"
    # and when every child is five or older, it is nee
    older = [{**k, "leeftijd": k["leeftijd"] + 5} for k in KINDEREN]  # 15, 8, 12
    advies = both(eng, casus(personen=[dict(OUDER), *older]))
    assert instrument(advies, "alfa.opvang_jong_kind")["status"] == "past_niet"


def test_3_youngest_child_in_the_participatiewet(rules: Engine) -> None:
    """Mistake 3, in the law: art. 9a lid 1 Participatiewet, ontheffing for an alleenstaande
    ouder with the full care of a child 'tot vijf jaar'. With children of 10 and 3 that
    condition holds (the youngest is 3)."""
    data = {"peildatum": "2026-03-01",
            "huishouden": {"samenstelling": "alleenstaande_ouder"},
            "personen": [{"id": "p1", "rol": "aanvrager", "leeftijd": 34, "uitkering": "bijstand"},
                         {"id": "k1", "rol": "kind", "leeftijd": 10},
                         {"id": "k2", "rol": "kind", "leeftijd": 3}],
            "gewenste_effecten": [effect("e1", "werk_en_opleiding")]}
    got = instrument(rules.advies(data).advies, "participatiewet.ontheffing_alleenstaande_ouder")
    kind = next(v for v in got["voorwaarden"] if v["id"] == "alleenstaande_ouder_kind_onder_5")
    assert kind["uitkomst"] == "ja"


def test_3_youngest_child_in_the_jeugdwet(rules: Engine) -> None:
    """Mistake 3, in the law: art. 2.3 lid 1 Jeugdwet, a parent asks help with raising a
    minor. Children of 19 and 16. Since Jeugdwet 2026.12.7 the pack reads the child the effect
    is about (`kind.leeftijd`), not the youngest child: 2.3 lid 1 provides "ten behoeve van de
    jeugdige", one child. The effect about the 16-year-old qualifies. With no child named, since
    Jeugdwet 2026.12.43 (fresh85 BH1, fresh86 BI2) a parent with a minor child in the house is
    the parent of a minor (the youngest child decides, not the oldest: 16, not 19), and the
    question which child stays for the child's own facts; with children of 19 and 20 it is
    onbekend (either may be a jeugdige of 18 to 23), never nee."""
    data = {"peildatum": "2026-03-01",
            "personen": [{"id": "p1", "rol": "aanvrager", "leeftijd": 47},
                         {"id": "k1", "rol": "kind", "leeftijd": 19},
                         {"id": "k2", "rol": "kind", "leeftijd": 16}],
            "gewenste_effecten": [{**effect("e1", "opvoeden_en_opgroeien"), "kind": "k2"}]}
    got = instrument(rules.advies(data).advies, "jeugdwet.individuele_voorziening")
    ouder = next(v for v in got["voorwaarden"] if v["id"] == "jeugdige_of_ouder")
    assert ouder["uitkomst"] == "ja"
    data["gewenste_effecten"] = [effect("e1", "opvoeden_en_opgroeien")]
    got = instrument(rules.advies(data).advies, "jeugdwet.individuele_voorziening")
    ouder = next(v for v in got["voorwaarden"] if v["id"] == "jeugdige_of_ouder")
    assert ouder["uitkomst"] == "ja"
    assert "gewenste_effecten[e1].kind" in got["nog_uitvragen"]
    data["personen"][2]["leeftijd"] = 20
    got = instrument(rules.advies(data).advies, "jeugdwet.individuele_voorziening")
    ouder = next(v for v in got["voorwaarden"] if v["id"] == "jeugdige_of_ouder")
    assert ouder["uitkomst"] == "onbekend"
    assert "gewenste_effecten[e1].kind" in got["nog_uitvragen"]


# ---- 4. onzeker is passed up from a condition to the instrument -------------------------------

@pytest.mark.parametrize(("iid", "wlz", "status", "onzeker"), [
    ("alfa.onzekere_voorwaarde", False, "past", True),        # a past resting on it
    ("alfa.onzekere_voorwaarde", True, "voorwaardelijk", True),  # never past_niet on it
    ("alfa.onzekere_uitsluiting", False, "past", True),       # the mark is on the instrument
    ("alfa.zeker", False, "past", False),
    ("alfa.zeker", True, "past_niet", False),
])
def test_4_onzeker_condition_marks_the_instrument(
        eng: Engine, iid: str, wlz: bool, status: str, onzeker: bool) -> None:
    """Mistake 4: `onzeker` of a condition not passed up. docs/regeltaal.md: an `onzeker` mark
    on a voorwaarde or uitsluiting is shown with the instrument (trace and CLI), not only deep
    in the trace; an instrument without any such mark carries none."""
    got = instrument(both(eng, casus(personen=[{**OUDER, "wlz_indicatie": wlz}])), iid)
    assert got["status"] == status
    assert got.get("onzeker", False) is onzeker


# ---- 5. The applicant's facts are asked of the applicant -------------------------------------

def test_5_applicant_fact_is_asked_of_the_applicant(eng: Engine) -> None:
    """Mistake 5: an `aanvrager.*` fact addressed to the person the effect is for. A parent
    (p1) asks for their child (k1); whether the parent lives in the municipality is unknown, the
    child's is known. The consulent must be asked the parent's, not the child's."""
    ouder = {k: v for k, v in OUDER.items() if k != "woont_in_gemeente"}
    kind = {"id": "k1", "rol": "kind", "leeftijd": 9, "woont_in_gemeente": True}
    advies = both(eng, casus(effect("e1", "mobiliteit", persoon="k1"), personen=[ouder, kind]))
    got = instrument(advies, "alfa.ingezetene_aanvrager")
    assert got["status"] == "voorwaardelijk"
    assert got["nog_uitvragen"] == ["personen[p1].woont_in_gemeente"]
    toets = got["voorwaarden"][0]["toets"]
    assert (toets["adres"], toets["gevonden"], toets["uitkomst"]) == (
        "personen[p1].woont_in_gemeente", None, "onbekend")
    vragen = [v["feit"] for v in advies["nog_uitvragen"]]
    assert "personen[p1].woont_in_gemeente" in vragen
    assert "personen[k1].woont_in_gemeente" not in vragen


# ---- 6. In step 2 a law that is ja stays ja ---------------------------------------------------

def test_6_onbekend_grondwaarde_does_not_override_ja(eng: Engine) -> None:
    """Mistake 6: an `onbekend` grondwaarde overrides a `ja` of the same law. The effect serves
    alfa.b_mobiel (ja); alfa's other two purposes are still onbekend. The law is served (ja),
    its domain is a domain of the casus, not a possible one."""
    advies = both(eng, casus())
    stap2 = advies["effecten"][0]["stap2"]
    uitkomst = {g["id"]: g["uitkomst"] for g in stap2["grondwaarden"]}
    assert uitkomst["alfa.a_open"] == uitkomst["alfa.c_open"] == "onbekend"
    assert uitkomst["alfa.b_mobiel"] == "ja"
    alfa = next(w for w in stap2["wetten"] if w["pakket"] == "alfa")
    assert (alfa["uitkomst"], alfa["grondwaarden"]) == ("ja", ["alfa.b_mobiel"])
    assert stap2["domeinen"] == ["Wmo"]
    assert stap2["mogelijke_domeinen"] == []
    assert advies["stap2"]["domeinen"] == ["Wmo"]


def test_6_onbekend_alone_is_a_possible_domain(eng: Engine) -> None:
    """The other side of 6: with only onbekend purposes the law is onbekend, a possible domain."""
    stap2 = both(eng, casus(effect("e1", "huisvesting")))["effecten"][0]["stap2"]
    alfa = next(w for w in stap2["wetten"] if w["pakket"] == "alfa")
    assert (alfa["uitkomst"], alfa["grondwaarden"]) == ("onbekend", [])
    assert (stap2["domeinen"], stap2["mogelijke_domeinen"]) == ([], ["Wmo"])


# ---- 7. Canonical JSON sorts keys -------------------------------------------------------------

def test_7_canonical_json_is_sorted_compact_utf8() -> None:
    """Mistake 7: canonical JSON no longer sorts keys. Written out by hand: keys sorted at
    every depth, no whitespace, non-ASCII kept."""
    data = {"b": 1, "a": {"z": [True, None], "é": "één"}, "A": 2.5}
    assert canonical_json(data) == '{"A":2.5,"a":{"z":[true,null],"é":"één"},"b":1}'


def test_7_hash_does_not_depend_on_key_order(eng: Engine) -> None:
    """Mistake 7: the same trace with its keys inserted in another order has the same hash,
    and a receipt whose JSON was re-serialised in another order still replays intact."""
    receipt = eng.advies(casus()).as_dict()
    reordered = json.loads(json.dumps(_reversed_keys(receipt)))
    assert list(reordered) != list(receipt)
    stored = {k: v for k, v in reordered.items() if k != "trace_hash"}
    assert trace_hash(stored) == receipt["trace_hash"]
    assert replay(reordered, eng).identical is True


def test_7_stored_trace_text_is_canonical(eng: Engine) -> None:
    """Mistake 7: the stored trace text is the canonical form an auditor can recompute."""
    receipt = eng.advies(casus())
    assert receipt.trace_json == json.dumps(receipt.trace, sort_keys=True,
                                            separators=(",", ":"), ensure_ascii=False)


def _reversed_keys(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _reversed_keys(value[k]) for k in reversed(list(value))}
    if isinstance(value, list):
        return [_reversed_keys(v) for v in value]
    return value


def test_fixture_packs_are_the_ones_written_here(eng: Engine) -> None:
    """Guard: the packs above loaded as written (ids and domains), so the expectations hold."""
    got = {p["id"]: p["domein"] for p in eng.advies(casus()).trace["pakketten"]}
    assert got == {"alfa": "Wmo", "beta": "Jeugdwet", "gamma": "Participatiewet"}
