"""Tests that kill the mutants mutmut found surviving in the status, step-2, hash and citation
code (issue 17, docs/testen.md "Mutatietesten").

Every expected value here is written by hand from the rule it checks (the module docstring of
`engine.semantics`, the Juriconnect form of a citation, the definition of the canonical JSON),
not copied from the engine's output: a mutant that changes the behaviour fails one of them.
"""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
from pydantic import ValidationError

from engine import semantics
from engine.citation import Rechtsgrond
from engine.compare import _ground_index
from engine.conditions import compare
from engine.evaluate import canonical_json, trace_hash
from engine.impact import _beslissend
from engine.language import Beslisruimte
from engine.replay import NotAReceipt, diff, receipt_from

G = semantics.Ground
COLLEGE = Beslisruimte(door="college", wettekst="Het college kan")
RECHTER = Beslisruimte(door="rechter", wettekst="kan worden toegewezen")


# ---- engine.semantics: grounds and their status

@pytest.mark.parametrize(("kind", "uitkomst", "against"), [
    ("voorwaarde", True, False), ("voorwaarde", False, True), ("voorwaarde", None, None),
    ("toepassing", True, False), ("toepassing", False, True), ("toepassing", None, None),
    ("uitsluiting", True, True), ("uitsluiting", False, False), ("uitsluiting", None, None),
    ("voorliggend", True, True), ("voorliggend", False, False), ("voorliggend", None, None),
    ("begrenzing", True, False), ("begrenzing", None, False), ("begrenzing", False, False),
])
def test_a_ground_goes_against_the_instrument(kind: Any, uitkomst: bool | None,
                                              against: bool | None) -> None:
    """A condition goes against it when it does not hold; an exclusion or a prior provision
    when it applies; a cap never (it limits, it does not refuse)."""
    assert G(kind, "x", uitkomst).against is against


def test_a_ground_is_soft_when_someone_decides_or_it_is_uncertain() -> None:
    assert G("voorwaarde", "x", False).soft is False
    assert G("voorwaarde", "x", False, onzeker=True).soft is True
    assert G("voorwaarde", "x", False, beslisruimte=COLLEGE).soft is True


def test_decide_sorts_every_ground_into_its_part() -> None:
    hard = G("voorwaarde", "hard", False)
    soft = G("uitsluiting", "soft", True, beslisruimte=COLLEGE)
    unknown = G("voorliggend", "open", None)
    resting = G("toepassing", "rust", True, onzeker=True)
    soft_exclusion_not_applying = G("uitsluiting", "niet", False, beslisruimte=COLLEGE)
    cap = G("begrenzing", "cap", True)
    maybe_cap = G("begrenzing", "misschien", None)
    no_cap = G("begrenzing", "geen", False)
    grounds = [hard, soft, unknown, resting, soft_exclusion_not_applying, cap, maybe_cap, no_cap]
    d = semantics.decide(iter(grounds), COLLEGE, True)  # any iterable, read once
    assert d.status == "past_niet"
    assert d.grounds == tuple(grounds)
    assert d.hard == (hard,)
    assert d.soft == (soft,)
    assert d.open == (unknown,)
    # an exclusion that does not apply leaves nothing to decide, whatever its footing
    assert d.resting == (resting,)
    assert d.caps == (cap, maybe_cap)
    assert d.beslisruimte == COLLEGE
    assert d.onzeker is True


@pytest.mark.parametrize(("grounds", "status"), [
    ([], "past"),
    ([G("voorwaarde", "a", True)], "past"),
    ([G("voorwaarde", "a", None)], "voorwaardelijk"),
    ([G("voorwaarde", "a", False, onzeker=True)], "voorwaardelijk"),
    ([G("voorwaarde", "a", False, onzeker=True), G("voorwaarde", "b", False)], "past_niet"),
    ([G("voorwaarde", "a", None), G("uitsluiting", "b", True)], "past_niet"),
    ([G("begrenzing", "a", True), G("begrenzing", "b", None)], "past"),
])
def test_status_from_the_grounds(grounds: list[semantics.Ground], status: str) -> None:
    assert semantics.decide(grounds).status == status


def test_markers_come_from_soft_and_resting_grounds_and_the_instrument() -> None:
    assert semantics.decide([]).markering == []
    assert semantics.decide([], onzeker=True).markering == ["onzeker"]
    assert semantics.decide([], COLLEGE).markering == ["beslisruimte"]
    assert semantics.decide([G("uitsluiting", "a", True, onzeker=True)]).markering == [
        "onzeker"]
    assert semantics.decide([G("uitsluiting", "a", True, beslisruimte=COLLEGE)]).markering == [
        "beslisruimte"]
    assert semantics.decide([G("voorwaarde", "a", True, onzeker=True,
                               beslisruimte=COLLEGE)]).markering == ["beslisruimte", "onzeker"]
    # a certain refusal carries no marker, whatever else is soft
    assert semantics.decide([G("voorwaarde", "a", False),
                             G("uitsluiting", "b", True, onzeker=True)], COLLEGE,
                            True).markering == []


def test_outlook_for_the_checks() -> None:
    assert semantics.decide([]).outlook is True
    assert semantics.decide([G("voorwaarde", "a", False)]).outlook is False
    assert semantics.decide([G("voorwaarde", "a", False, onzeker=True)]).outlook is False
    assert semantics.decide([G("voorwaarde", "a", None)]).outlook is None


@pytest.mark.parametrize(("uitkomst", "onzeker", "beslisruimte", "hidden"), [
    (False, False, None, True),
    (False, True, None, False),
    (False, False, COLLEGE, False),
    (None, False, None, False),
    (True, False, None, False),
])
def test_only_a_certain_nee_toepassing_hides_the_instrument(
        uitkomst: bool | None, onzeker: bool, beslisruimte: Beslisruimte | None,
        hidden: bool) -> None:
    assert semantics.hidden_by_toepassing(uitkomst, onzeker, beslisruimte) is hidden


@pytest.mark.parametrize(("own", "bases", "capped"), [
    ("past", [], "past"),
    ("past_niet", [], "past_niet"),
    ("past", ["past_niet"], "past_niet"),
    ("past", ["voorwaardelijk"], "voorwaardelijk"),
    ("past", ["past_niet", "past"], "past"),
    ("voorwaardelijk", ["past", "past"], "voorwaardelijk"),
    ("past_niet", ["past"], "past_niet"),
])
def test_a_form_never_exceeds_its_best_base(own: Any, bases: list[str], capped: str) -> None:
    assert semantics.cap_by_forms(own, bases) == capped


@pytest.mark.parametrize(("own", "bases", "capped"), [
    (True, [], True), (None, [], None), (False, [], False),
    (True, [True], True), (True, [None], None), (True, [False], False),
    (True, [False, True], True), (True, [False, None], None),
    (None, [True], None), (False, [True], False), (None, [False], False),
])
def test_cap_outlook(own: bool | None, bases: list[bool | None], capped: bool | None) -> None:
    assert semantics.cap_outlook(own, bases) is capped


@pytest.mark.parametrize(("ground", "stand"), [
    (G("begrenzing", "a", True), "voor zover"),
    (G("begrenzing", "a", None), "mogelijk, voor zover"),
    (G("voorwaarde", "a", None), "nog onbekend"),
    (G("voorwaarde", "a", False), "niet voldaan"),
    (G("toepassing", "a", False), "niet voldaan"),
    (G("uitsluiting", "a", True), "van toepassing"),
    (G("voorliggend", "a", True), "gaat voor"),
    (G("uitsluiting", "a", True, beslisruimte=COLLEGE), "ter beoordeling"),
    (G("uitsluiting", "a", True, onzeker=True, beslisruimte=COLLEGE), "ter beoordeling"),
    (G("uitsluiting", "a", True, onzeker=True), "onzeker"),
    (G("voorwaarde", "a", True, beslisruimte=COLLEGE), "voldaan, ter beoordeling"),
    (G("voorwaarde", "a", True, onzeker=True), "voldaan, onzeker"),
])
def test_how_a_ground_reads(ground: semantics.Ground, stand: str) -> None:
    assert semantics.reden_stand(ground) == stand


def test_reasons_in_yaml_order() -> None:
    cap = G("begrenzing", "cap", True)
    resting = G("voorwaarde", "rust", True, beslisruimte=COLLEGE)
    unknown = G("voorwaarde", "open", None)
    holds = G("voorwaarde", "ok", True)
    soft = G("uitsluiting", "soft", True, onzeker=True)
    hard = G("uitsluiting", "hard", True)
    maybe = semantics.decide([cap, resting, unknown, holds, soft])
    assert maybe.status == "voorwaardelijk"
    assert [g.id for g in semantics.reasons(maybe)] == ["cap", "rust", "open", "soft"]
    # past_niet: only what goes against it, the certain ground and the soft one beside it
    refused = semantics.decide([cap, resting, unknown, soft, holds, hard])
    assert [g.id for g in semantics.reasons(refused)] == ["soft", "hard"]


# ---- engine.semantics: how a status and its reasons read

def test_labels() -> None:
    assert semantics.status_label("past_niet") == "past niet"
    assert semantics.status_label("niet_van_toepassing") == "niet van toepassing"
    assert semantics.status_label("iets_anders") == "iets_anders"  # unknown: shown as it is
    assert semantics.beslisser("kantonrechter") == "de kantonrechter"
    assert semantics.beslisser("iemand") == "iemand"


def test_deciders_from_reasons_and_the_instrument_in_order_once() -> None:
    instrument = {
        "redenen": [
            {"soort": "voorwaarde", "door": "rechter"},
            {"soort": "begrenzing", "door": "uwv"},  # a cap never decides the status
            {"soort": "uitsluiting"},
            {"soort": "voorliggend", "door": "college"},
            {"soort": "voorwaarde", "door": "rechter"},
        ],
        "beslisruimte": {"door": "college"},
    }
    assert semantics.deciders(instrument) == ["rechter", "college"]
    assert semantics.deciders({"beslisruimte": {"door": "svb"}}) == ["svb"]
    assert semantics.deciders({}) == []


@pytest.mark.parametrize(("instrument", "label"), [
    ({}, ""),
    ({"markering": []}, ""),
    ({"markering": ["onzeker"]}, "onzeker"),
    ({"markering": ["beslisruimte"]}, "ter beoordeling van een ander"),
    ({"markering": ["beslisruimte", "onzeker"], "beslisruimte": {"door": "college"},
      "redenen": [{"soort": "voorwaarde", "door": "rechter"}]},
     "ter beoordeling van de rechter en het college; onzeker"),
])
def test_markering_label(instrument: dict[str, Any], label: str) -> None:
    assert semantics.markering_label(instrument) == label


def test_reden_text() -> None:
    assert semantics.reden_text({"uitleg": "Woont in de gemeente.", "stand": "niet voldaan",
                                 "citaat": "art. 1.2.1 Wmo 2015"}) == (
        "Woont in de gemeente. (niet voldaan; art. 1.2.1 Wmo 2015)")
    assert semantics.reden_text({"uitleg": "Geen Wlz.", "stand": "ter beoordeling",
                                 "door": "ciz", "citaat": ""}) == (
        "Geen Wlz. (ter beoordeling; beslist: het CIZ)")


# ---- engine.citation

WMO = "BWBR0035362"


def test_citation_text() -> None:
    assert Rechtsgrond(bwb_id=WMO, artikel="2.3.5").tekst() == "art. 2.3.5 Wmo 2015"
    assert Rechtsgrond(bwb_id=WMO, artikel="2.3.5", lid="3", onderdeel="a").tekst() == (
        "art. 2.3.5 lid 3 onder a Wmo 2015")
    assert Rechtsgrond(bwb_id="BWBR0015703", artikel=31, lid=2, onderdeel="w").tekst() == (
        "art. 31 lid 2 onder w Participatiewet")
    assert Rechtsgrond(bwb_id="BWBR9999999", artikel="1").tekst() == "art. 1 BWBR9999999"
    assert Rechtsgrond(bwb_id="CVDR123456", artikel="4", regeling="Verordening Wmo Ons Dorp"
                       ).tekst() == "art. 4 Verordening Wmo Ons Dorp"


def test_citation_jci_and_url() -> None:
    import datetime as dt

    day = dt.date(2026, 3, 1)
    plain = Rechtsgrond(bwb_id=WMO, artikel="2.3.5")
    assert plain.jci() == "jci1.3:c:BWBR0035362&artikel=2.3.5"
    full = Rechtsgrond(bwb_id=WMO, artikel="2.3.5", lid="3", onderdeel="a")
    assert full.jci(day) == ("jci1.3:c:BWBR0035362&artikel=2.3.5&lid=3&o=a"
                             "&z=2026-03-01&g=2026-03-01")
    assert full.url(day) == ("https://wetten.overheid.nl/jci1.3:c:BWBR0035362&artikel=2.3.5"
                             "&lid=3&o=a&z=2026-03-01&g=2026-03-01")
    local = Rechtsgrond(bwb_id="CVDR123456", artikel="4")
    assert local.jci(day) == "https://lokaleregelgeving.overheid.nl/CVDR123456"
    assert local.url(day) == "https://lokaleregelgeving.overheid.nl/CVDR123456"


def test_citation_as_rendered_in_the_trace() -> None:
    import datetime as dt

    assert Rechtsgrond(bwb_id=WMO, artikel="2.3.5", lid="3").render(dt.date(2026, 3, 1)) == {
        "bwb_id": WMO, "artikel": "2.3.5", "lid": "3", "onderdeel": None,
        "tekst": "art. 2.3.5 lid 3 Wmo 2015",
        "jci": "jci1.3:c:BWBR0035362&artikel=2.3.5&lid=3&z=2026-03-01&g=2026-03-01"}
    local = Rechtsgrond(bwb_id="CVDR1", artikel="4", regeling="Verordening")
    assert local.render() == {
        "bwb_id": "CVDR1", "artikel": "4", "lid": None, "onderdeel": None,
        "tekst": "art. 4 Verordening", "jci": "https://lokaleregelgeving.overheid.nl/CVDR1",
        "regeling": "Verordening"}


@pytest.mark.parametrize("bwb_id", ["BWBR003536", "BWBR00353621", "bwbr0035362", "XBWBR0035362",
                                    "CVDR", "CVDRx1", ""])
def test_a_malformed_bwb_id_is_refused(bwb_id: str) -> None:
    with pytest.raises(ValidationError, match="bwb_id moet de vorm BWBR0000000"):
        Rechtsgrond(bwb_id=bwb_id, artikel="1")


def test_citation_refuses_what_it_does_not_know_and_an_empty_article() -> None:
    with pytest.raises(ValidationError):
        Rechtsgrond(bwb_id=WMO, artikel="")
    with pytest.raises(ValidationError):
        Rechtsgrond(bwb_id=WMO, artikel="1", paragraaf="2")  # type: ignore[call-arg]
    r = Rechtsgrond(bwb_id=WMO, artikel=1.1, lid=2)
    assert (r.artikel, r.lid) == ("1.1", "2")


# ---- the canonical JSON and the trace hash (engine.evaluate)

def test_canonical_json_is_sorted_compact_and_keeps_utf8() -> None:
    data = {"b": [1, {"z": None, "a": True}], "a": "één", "A": 1.5}
    assert canonical_json(data) == '{"A":1.5,"a":"één","b":[1,{"a":true,"z":null}]}'


def test_trace_hash_is_the_sha256_of_the_canonical_json() -> None:
    text = '{"a":"één","b":1}'
    want = "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()
    assert trace_hash({"b": 1, "a": "één"}) == want
    assert trace_hash({"a": "één", "b": 1}) == want
    assert trace_hash({"a": "een", "b": 1}) != want


# ---- engine.replay: what an auditor was given, and the differences

def test_receipt_from_accepts_both_shapes() -> None:
    receipt = {"casus": {}, "pakketten": [], "advies": {}, "trace_hash": "sha256:x"}
    assert receipt_from(receipt) is receipt
    stored = {"id": "a1", "trace": {"casus": {"c": 1}, "advies": {}}, "trace_hash": "sha256:y"}
    assert receipt_from(stored) == {"casus": {"c": 1}, "advies": {}, "trace_hash": "sha256:y"}


@pytest.mark.parametrize(("document", "message"), [
    ([1], "verwacht een JSON-object: het bewijsstuk van `ot advies --json` of een advies van "
          "GET /v1/adviezen/{id}"),
    ({"gewist": {"tijdstip": "2026-01-02T03:04:05Z"}},
     "dit advies is gewist (AVG) op 2026-01-02T03:04:05Z: de casus en de trace zijn er niet "
     "meer, herhalen kan niet; de keten bewaart alleen de hashes"),
    ({"gewist": True}, "dit advies is gewist (AVG) op ?: "),
    ({"gewist": {"reden": "verzoek"}}, "dit advies is gewist (AVG) op ?: "),
    ({"trace": {"casus": {}}}, "het advies heeft een 'trace' maar geen 'trace_hash'"),
    ({"trace": {"casus": {}}, "trace_hash": 5}, "het advies heeft een 'trace' maar geen "),
    ({"casus": {}, "advies": {}},
     "geen bewijsstuk: 'pakketten', 'trace_hash' ontbreekt (verwacht de uitvoer van `ot advies "
     "--json`, of een advies van GET /v1/adviezen/{id} met 'trace' en 'trace_hash')"),
    ({}, "geen bewijsstuk: 'casus', 'pakketten', 'advies', 'trace_hash' ontbreekt"),
])
def test_receipt_from_says_what_is_wrong(document: Any, message: str) -> None:
    with pytest.raises(NotAReceipt) as info:
        receipt_from(document)
    assert str(info.value).startswith(message)


def test_a_withdrawn_gewist_flag_is_not_a_refusal() -> None:
    receipt: dict[str, Any] = {"gewist": None, "casus": {}, "pakketten": [], "advies": {},
                               "trace_hash": "h"}
    assert receipt_from(receipt) is receipt


def test_diff_names_every_path() -> None:
    old = {"a": 1, "b": {"c": [1, 2, 3], "d": "x"}, "weg": True, "t": 1}
    new = {"a": 1, "b": {"c": [1, 5], "d": "y"}, "nieuw": 7, "t": 1.0}
    assert diff(old, new) == [
        "b.c[1]: 2 → 5",
        "b.c[2]: (verdwenen) 3",
        "b.d: 'x' → 'y'",
        "nieuw: (nieuw) 7",
        "t: 1 → 1.0",  # the same number, another JSON type
        "weg: (verdwenen) True",
    ]
    assert diff([1], [1, {"k": 2}]) == ["[1]: (nieuw) {'k': 2}"]
    assert diff(True, 1) == [": True → 1"]
    assert diff({"a": 1}, {"a": 1}) == []


def test_diff_shortens_long_values_and_stops_at_the_limit() -> None:
    long = "x" * 100
    [line] = diff({"k": long}, {"k": "y"})
    assert line == "k: '" + "x" * 76 + "... → 'y'"  # repr cut to 77 characters plus "..."
    exact = "x" * 78  # repr is 80 characters: kept whole
    assert diff({"k": exact}, {}) == [f"k: (verdwenen) {exact!r}"]
    over = "x" * 79  # repr is 81 characters: cut
    assert diff({"k": over}, {}) == ["k: (verdwenen) '" + "x" * 76 + "..."]
    many_old = {f"k{i:03}": i for i in range(300)}
    many_new = {f"k{i:03}": -i - 1 for i in range(300)}
    got = diff(many_old, many_new, limit=5)
    assert got == [f"k{i:03}: {i} → {-i - 1}" for i in range(5)]
    assert len(diff(many_old, many_new)) == 200
    assert len(diff(list(range(300)), [-1] * 300)) == 200


def test_diff_passes_a_limit_above_200_down_to_nested_values() -> None:
    """A caller's limit above the default: every nested difference up to that limit is listed,
    not the default 200 (replay.diff mutants 27 and 51 passed the default down)."""
    old = {"advies": {f"k{i:03}": i for i in range(300)}}
    new = {"advies": {f"k{i:03}": -i - 1 for i in range(300)}}
    got = diff(old, new, limit=500)
    assert len(got) == 300
    assert got[-1] == "advies.k299: 299 → -300"
    assert len(diff([list(range(300))], [[-1] * 300], limit=500)) == 300


# ---- engine.impact._beslissend: what decided a move, as the impact report says it ----------

RG = {"rechtsgrond": {"tekst": "art. 2.3.5 lid 3 Wmo 2015"}}


def test_beslissend_names_the_condition_that_changed_and_one_that_disappeared() -> None:
    a = {"status": "past", "voorwaarden": [
        {"id": "leeftijd", "uitkomst": "ja", "uitleg": "Jonger dan 18.", **RG},
        {"id": "weg", "uitkomst": "ja", "naam": "Een vervallen voorwaarde"},
        {"id": "kaal", "uitkomst": "ja"}]}
    b = {"status": "past_niet", "voorwaarden": [
        {"id": "leeftijd", "uitkomst": "nee", "uitleg": "Jonger dan 18.", **RG},
        {"id": "kaal", "uitkomst": "onbekend"}]}
    assert _beslissend(a, b) == [
        {"soort": "voorwaarde", "id": "leeftijd", "uitleg": "Jonger dan 18.",
         "citaat": "art. 2.3.5 lid 3 Wmo 2015", "van": "ja", "naar": "nee"},
        {"soort": "voorwaarde", "id": "kaal", "uitleg": "kaal", "citaat": "", "van": "ja",
         "naar": "onbekend"},
        {"soort": "voorwaarde", "id": "weg", "uitleg": "Een vervallen voorwaarde",
         "citaat": "", "van": "ja", "naar": "afwezig"},
    ]


def test_beslissend_for_an_instrument_new_or_gone_from_the_rules() -> None:
    present = {"id": "wmo.nieuw", "status": "past", **RG}
    assert _beslissend({"status": "afwezig"}, present) == [
        {"soort": "instrument", "id": "wmo.nieuw", "uitleg": "nieuw in de regels",
         "citaat": "art. 2.3.5 lid 3 Wmo 2015", "van": "afwezig", "naar": "past"}]
    assert _beslissend(present, {"status": "afwezig"}) == [
        {"soort": "instrument", "id": "wmo.nieuw",
         "uitleg": "niet meer in de regels (vervallen, of niet van kracht op de peildatum)",
         "citaat": "art. 2.3.5 lid 3 Wmo 2015", "van": "past", "naar": "afwezig"}]
    assert _beslissend({"status": "afwezig"}, {"status": "past"})[0]["id"] == ""


def test_beslissend_when_the_instrument_no_longer_applies() -> None:
    shown = {"id": "wmo.x", "status": "voorwaardelijk", **RG}
    gone = {"status": "niet_van_toepassing", "reden": "dient geen grondwaarde van dit effect"}
    assert _beslissend(shown, gone) == [
        {"soort": "toepassing", "id": "toepassing",
         "uitleg": "Komt dit instrument bij dit gewenste effect in beeld? (dient geen "
                   "grondwaarde van dit effect)",
         "citaat": "art. 2.3.5 lid 3 Wmo 2015", "van": "voorwaardelijk",
         "naar": "niet_van_toepassing"}]
    assert _beslissend(gone, shown)[0]["van"] == "niet_van_toepassing"


def test_beslissend_falls_back_to_the_reasons_of_the_new_status() -> None:
    reden = {"soort": "vorm_van", "id": "wmo.basis", "uitleg": "Vorm van de basis.",
             "citaat": "art. 2.3.6 Wmo 2015", "stand": "vorm van"}
    assert _beslissend({"status": "past"}, {"status": "voorwaardelijk", "redenen": [reden]}) \
        == [reden]


# ---- engine.compare._ground_index: every ground of an instrument, as the comparison reads it --

def test_ground_index_reads_every_ground_with_its_fallbacks() -> None:
    ins = {
        "toepassing": {"uitkomst": "ja"},
        "voorwaarden": [{"id": "hulp", "uitkomst": "onbekend", "uitleg": "Hulp nodig.",
                         "rechtsgrond": {"tekst": "art. 2.3.5 Wmo 2015"},
                         "beslisruimte": {"door": "college"}}],
        "termijnen": [{"id": "beschikking", "uitkomst": "ja",
                       "omschrijving": "Beslissen binnen twee weken."}],
        "begrenzingen": [{"id": "kosten", "uitkomst": "nee", "naam": "Goedkoopst adequaat"}],
        "redenen": [{"soort": "voorwaarde", "id": "hulp", "stand": "nog onbekend",
                     "citaat": "ander citaat", "uitleg": "andere uitleg", "door": "rechter"},
                    {"soort": "vorm_van", "id": "wmo.basis", "stand": "vorm van",
                     "citaat": "art. 2.3.6 Wmo 2015", "uitleg": "Vorm van.", "door": "svb"}],
    }
    assert _ground_index(ins) == {
        ("toepassing", "toepassing"): {"uitkomst": "ja"},
        ("voorwaarde", "hulp"): {"uitkomst": "onbekend", "rechtsgrond": "art. 2.3.5 Wmo 2015",
                                 "uitleg": "Hulp nodig.", "door": "college",
                                 "stand": "nog onbekend"},
        ("termijn", "beschikking"): {"uitkomst": "ja", "rechtsgrond": None,
                                     "uitleg": "Beslissen binnen twee weken.", "door": None},
        ("begrenzing", "kosten"): {"uitkomst": "nee", "rechtsgrond": None,
                                   "uitleg": "Goedkoopst adequaat", "door": None},
        ("vorm_van", "wmo.basis"): {"stand": "vorm van", "rechtsgrond": "art. 2.3.6 Wmo 2015",
                                    "uitleg": "Vorm van.", "door": "svb"},
    }


# ---- engine.conditions: the meaning of each operator on a known value

@pytest.mark.parametrize(("value", "op", "rvalue", "expected"), [
    (3, "=", 3, True), (3, "=", 4, False), (3, "!=", 4, True), (3, "!=", 3, False),
    (3, "<", 4, True), (4, "<", 4, False), (4, "<=", 4, True), (5, "<=", 4, False),
    (5, ">", 4, True), (4, ">", 4, False), (4, ">=", 4, True), (3, ">=", 4, False),
    ("a", "in", ("a", "b"), True), ("c", "in", ("a", "b"), False),
    ("c", "niet_in", ("a", "b"), True), ("a", "niet_in", ("a", "b"), False),
    (("a", "b"), "bevat", "a", True), (("a", "b"), "bevat", "c", False),
    (("a", "b"), "bevat_niet", "c", True), (("a", "b"), "bevat_niet", "a", False),
])
def test_each_operator_means_what_the_language_says(value: Any, op: str, rvalue: Any,
                                                    expected: bool) -> None:
    """`bevat`/`bevat_niet` read a keuzelijst (the fact holds a list), `in`/`niet_in` a list
    in the rule (docs/regeltaal.md); the rest compare numbers."""
    assert compare(value, op, rvalue) is expected


def test_an_unknown_operator_is_refused() -> None:
    with pytest.raises(ValueError, match="onbekende operator"):
        compare(1, "≈", 1)


# ---- engine.api: the backend asked for is the one that evaluates

def test_with_backend_uses_the_backend_it_names(rules: Any) -> None:
    """Both backends give byte-identical traces by design, so only the receipt's `backend`
    (what the trace was made with) tells them apart: `with_backend` must not drop it."""
    data = {"peildatum": "2026-11-02",
            "huishouden": {"samenstelling": "alleenstaand", "woonsituatie": "huur"},
            "personen": [{"id": "p1", "rol": "aanvrager", "leeftijd": 70}],
            "gewenste_effecten": [{"id": "e1", "omschrijving": "Zelf boodschappen doen",
                                   "leefgebied": "mobiliteit"}]}
    oracle = rules.with_backend("oracle")
    assert oracle.backend_name == "oracle"
    assert oracle.advies(data).backend == "oracle"
    assert oracle.with_backend("durable").advies(data).backend == "durable"
