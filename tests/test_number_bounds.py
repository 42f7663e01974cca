"""Bad numbers and hostile YAML never break the engine.

Every number the engine compares is finite and inside a range it can compare exactly (amounts:
whole cents within ±10^12 euro; whole numbers within ±(2^53 - 1)): the casus contract, the
pack-declared facts and the rule language reject anything else with the field path or
`bestand:regel`. YAML that would exhaust the parser (deep nesting, huge integers) is a located
pack error. A property over the whole casus contract checks that every valid casus, also at the
bounds, is evaluated without raising and gives the same trace hash after a JSON round trip (as
storage does).
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import math
import typing
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine import CasusError, Engine
from engine.casus import GewenstEffect, Stap3, ToekomstplanRegel
from engine.catalogue import FactSpec
from engine.loader import load_pack_bytes

FIXTURE = Path(__file__).parent / "fixtures" / "basis" / "basis.yaml"


def casus(**subjects: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "peildatum": "2026-03-01",
        "personen": [{"id": "p1", "rol": "aanvrager", "leeftijd": 70}],
        "gewenste_effecten": [{"id": "e1", "omschrijving": "Rondkomen.",
                               "leefgebied": "financien"}],
    }
    for key, value in subjects.items():
        if key == "effect":
            data["gewenste_effecten"][0].update(value)
        elif key == "persoon":
            data["personen"][0].update(value)
        else:
            data[key] = value
    return data


# (subject, field, value, path the error must name): the probe's numbers and just past the bounds
BAD = [
    ("huishouden", "netto_inkomen_maand", 1e308, "huishouden.netto_inkomen_maand"),
    ("huishouden", "netto_inkomen_maand", math.inf, "huishouden.netto_inkomen_maand"),
    ("huishouden", "netto_inkomen_maand", float("1e999"), "huishouden.netto_inkomen_maand"),
    ("huishouden", "netto_inkomen_maand", -math.inf, "huishouden.netto_inkomen_maand"),
    ("huishouden", "vermogen", 1e308, "huishouden.vermogen"),
    ("huishouden", "vermogen", -1e308, "huishouden.vermogen"),
    ("huishouden", "vermogen", math.nan, "huishouden.vermogen"),
    ("huishouden", "vermogen", 10**30, "huishouden.vermogen"),
    ("huishouden", "vermogen", 10**12 + 0.01, "huishouden.vermogen"),
    ("huishouden", "vermogen", -(10**12) - 1, "huishouden.vermogen"),
    ("huishouden", "netto_inkomen_maand", 12.345, "huishouden.netto_inkomen_maand"),
    ("financien", "aantal_schuldeisers", 10**30, "financien.aantal_schuldeisers"),
    ("financien", "aantal_schuldeisers", 2**53, "financien.aantal_schuldeisers"),
    ("financien", "schulden_totaal", 1e308, "financien.schulden_totaal"),
    ("financien", "eerdere_wsnp_jaren_geleden", 10**30, "financien.eerdere_wsnp_jaren_geleden"),
    ("effect", "kosten", 1e-320, "gewenste_effecten[0].kosten"),
    ("effect", "kosten", math.nan, "gewenste_effecten[0].kosten"),
    # facts a pack declares (participatiewet: geheel and bedrag)
    ("persoon", "pw_dagen_buiten_nederland", 10**30, "personen[0].pw_dagen_buiten_nederland"),
    ("persoon", "pw_dagen_buiten_nederland", math.inf, "personen[0].pw_dagen_buiten_nederland"),
    ("effect", "pw_kosten_twaalf_maanden", math.nan,
     "gewenste_effecten[0].pw_kosten_twaalf_maanden"),
    ("effect", "pw_kosten_twaalf_maanden", 1e308,
     "gewenste_effecten[0].pw_kosten_twaalf_maanden"),
]


@pytest.mark.parametrize(("subject", "name", "value", "path"), BAD,
                         ids=[f"{b[1]}={b[2]!r}" for b in BAD])
def test_casus_contract_rejects_bad_number(rules: Engine, subject: str, name: str, value: Any,
                                           path: str) -> None:
    data = casus(**{subject: {name: value}})
    with pytest.raises(CasusError) as info:
        rules.casus(data)
    assert path in {p.pad for p in info.value.problems}, info.value.problems
    # and so an advies on it is a casus error too, never an engine failure
    with pytest.raises(CasusError):
        rules.advies(data)



@pytest.mark.parametrize(("value", "reason"), [
    (math.nan, "geen getal (NaN) (gekregen: nan)"),
    (math.inf, "een getal moet eindig zijn (geen oneindig) (gekregen: inf)"),
    (-math.inf, "een getal moet eindig zijn (geen oneindig) (gekregen: -inf)"),
])
def test_a_number_that_is_not_finite_is_named_for_what_it_is(rules: Engine, value: float,
                                                              reason: str) -> None:
    """JSON read by Python accepts NaN and Infinity: the consulent is told which it was, not only
    that the amount is out of bounds."""
    with pytest.raises(CasusError) as info:
        rules.casus(casus(huishouden={"vermogen": value}))
    assert [p.melding for p in info.value.problems if p.pad == "huishouden.vermogen"] == [reason]

def test_bounds_themselves_are_valid(rules: Engine) -> None:
    from engine.numbers import MAX_BEDRAG, MAX_GEHEEL

    data = casus(huishouden={"netto_inkomen_maand": MAX_BEDRAG, "vermogen": -MAX_BEDRAG},
                 financien={"aantal_schuldeisers": MAX_GEHEEL,
                            "schulden_totaal": MAX_BEDRAG - 0.01},
                 effect={"kosten": 0.01})
    receipt = rules.advies(data)
    assert rules.with_backend("oracle").advies(data).trace_json == receipt.trace_json


# --- the rule language ---------------------------------------------------------------------


def pack_text(threshold: str = "18", parameter: str = "200") -> str:
    source = FIXTURE.read_text("utf-8")
    assert 'op: ">=", waarde: 18}' in source
    assert "{waarde: 200, geldig_vanaf: 2025-01-01}" in source
    source = source.replace('op: ">=", waarde: 18}', f'op: ">=", waarde: {threshold}}}', 1)
    source = source.replace("{waarde: 200, geldig_vanaf: 2025-01-01}",
                            f"{{waarde: {parameter}, geldig_vanaf: 2025-01-01}}", 1)
    return source


def line_of(text: str, needle: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), start=1) if needle in line)


@pytest.mark.parametrize("bad", [".inf", "-.inf", ".nan", "1.0e+308", "1.0e+999", str(10**29),
                                 "0.001", "1.0e-320", "-1.0e+308"])
def test_pack_threshold_out_of_range_is_located(bad: str) -> None:
    text = pack_text(threshold=bad)
    loaded, problems = load_pack_bytes(text.encode(), "kandidaat.yaml")
    assert loaded is None and problems, bad
    (problem,) = problems
    assert problem.bestand == "kandidaat.yaml"
    assert problem.regel == line_of(text, f"waarde: {bad}}}")
    assert problem.pad == "afgeleide_feiten[0].toets.waarde"
    assert "getal" in problem.melding


@pytest.mark.parametrize("bad", [".inf", "1.0e+308", "1e308", str(10**29), "-.inf", ".nan",
                                 "'inf'", "0.125"])
def test_pack_parameter_out_of_range_is_located(bad: str) -> None:
    text = pack_text(parameter=bad)
    loaded, problems = load_pack_bytes(text.encode(), "kandidaat.yaml")
    assert loaded is None and problems, bad
    (problem,) = problems
    assert problem.regel == line_of(text, f"{{waarde: {bad}, geldig_vanaf: 2025-01-01}}")
    assert problem.pad == "parameters[0].waarden[1].waarde"


def test_pack_numbers_at_the_bounds_load() -> None:
    from engine.numbers import MAX_BEDRAG, MAX_GEHEEL

    for threshold, parameter in ((str(MAX_GEHEEL), f"{MAX_BEDRAG}.00"),
                                 (str(-MAX_GEHEEL), "0.01")):
        loaded, problems = load_pack_bytes(pack_text(threshold, parameter).encode(), "k.yaml")
        assert loaded is not None and not problems, problems


def test_deep_nesting_is_a_located_pack_error() -> None:
    text = "regelpakket:\n  id: x\n  naam: " + "[" * 990 + "]" * 990 + "\n"
    loaded, problems = load_pack_bytes(text.encode(), "diep.yaml")
    assert loaded is None and problems
    assert problems[0].bestand == "diep.yaml" and problems[0].regel == 3
    assert "genest" in problems[0].melding


def test_deep_block_nesting_is_a_located_pack_error() -> None:
    text = "".join(f"{'  ' * i}a{i}:\n" for i in range(400)) + "  " * 400 + "x: 1\n"
    loaded, problems = load_pack_bytes(text.encode(), "diep.yaml")
    assert loaded is None and problems
    assert problems[0].bestand == "diep.yaml" and problems[0].regel
    assert "genest" in problems[0].melding


def test_huge_integer_is_a_located_pack_error() -> None:
    text = pack_text(threshold="9" * 200_000)
    loaded, problems = load_pack_bytes(text.encode(), "groot.yaml")
    assert loaded is None and problems
    (problem,) = problems
    assert problem.bestand == "groot.yaml"
    assert problem.regel == line_of(text, "waarde: 999")
    assert "cijfers" in problem.melding


def test_huge_integer_in_a_text_field_is_a_pack_error() -> None:
    """`versie: 777…` would be read as an int and turned into text: refused at its line."""
    text = "regelpakket:\n  versie: " + "7" * 200_000 + "\n"
    loaded, problems = load_pack_bytes(text.encode(), "groot.yaml")
    assert loaded is None and problems
    assert [(p.regel, p.pad) for p in problems] == [(2, "regelpakket.versie")]


# --- a property over the whole casus contract ---------------------------------------------


def _literal_values(annotation: Any) -> list[Any]:
    """The values of a `Literal[...] | None` field of the contract."""
    if typing.get_origin(annotation) is typing.Literal:
        return list(typing.get_args(annotation))
    for arg in typing.get_args(annotation):
        if typing.get_origin(arg) is typing.Literal:
            return list(typing.get_args(arg))
        if typing.get_origin(arg) is list:
            return _literal_values(typing.get_args(arg)[0])
    return []


def numbers_for(spec: FactSpec, signed: bool = False) -> st.SearchStrategy[Any]:
    """Ordinary values and the extreme values the contract still accepts."""
    from engine.numbers import MAX_BEDRAG, MAX_GEHEEL

    if spec.type == "geheel":
        top = 130 if spec.name == "leeftijd" else MAX_GEHEEL
        return st.one_of(st.integers(min_value=0, max_value=min(top, 100)),
                         st.sampled_from([0, 1, top - 1, top]),
                         st.integers(min_value=0, max_value=top))
    low = -MAX_BEDRAG if signed else 0
    cents = st.integers(min_value=low * 100, max_value=MAX_BEDRAG * 100).map(lambda c: c / 100)
    return st.one_of(st.integers(min_value=0, max_value=40_000),
                     st.sampled_from([0, 0.01, 170, 1345.45, 7770, 16000, MAX_BEDRAG,
                                      MAX_BEDRAG - 0.01, float(MAX_BEDRAG), low, float(low)]),
                     st.integers(min_value=low, max_value=MAX_BEDRAG), cents)


def value_for(spec: FactSpec) -> st.SearchStrategy[Any]:
    if spec.type == "bool":
        return st.booleans()
    if spec.type in ("geheel", "bedrag"):
        return numbers_for(spec, signed=spec.key == "huishouden.vermogen")
    if spec.type == "keuze":
        return st.sampled_from(spec.waarden)
    return st.lists(st.sampled_from(spec.waarden), unique=True, max_size=len(spec.waarden))


def subject(eng: Engine, name: str) -> st.SearchStrategy[dict[str, Any]]:
    specs = [s for s in eng.rules.catalogue.facts.values() if s.subject == name
             and s.bron != "engine" and s.name not in ("rol", "leefgebied")
             and s.key != "effect.kind"]  # a reference to a person, not a value
    return st.fixed_dictionaries({}, optional={s.name: value_for(s) for s in specs})


TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=30)


def stap3() -> st.SearchStrategy[dict[str, Any]]:
    fields = {name: TEXT for name in Stap3.model_fields if name != "toekomstplan"}
    regel = st.fixed_dictionaries({"leefgebied": st.sampled_from(
        _literal_values(ToekomstplanRegel.model_fields["leefgebied"].annotation))},
        optional={"afspraken": TEXT, "over_een_jaar": TEXT})
    return st.fixed_dictionaries({}, optional={**fields, "toekomstplan": st.lists(regel,
                                                                                 max_size=3)})


@st.composite
def casussen(draw: st.DrawFn, eng: Engine) -> dict[str, Any]:
    leefgebieden = _literal_values(GewenstEffect.model_fields["leefgebied"].annotation)
    people = []
    for i in range(draw(st.integers(min_value=1, max_value=3))):
        p = draw(subject(eng, "persoon"))
        p["id"] = f"p{i + 1}"
        p["rol"] = "aanvrager" if i == 0 else draw(st.sampled_from(["partner", "kind",
                                                                     "overig"]))
        people.append(p)
    effects = []
    for i in range(draw(st.integers(min_value=1, max_value=2))):
        e = draw(subject(eng, "effect"))
        e.update(id=f"e{i + 1}", omschrijving=draw(TEXT.filter(str.strip)),
                 leefgebied=draw(st.sampled_from(leefgebieden)))
        if draw(st.booleans()):
            e["persoon"] = draw(st.sampled_from([p["id"] for p in people]))
        effects.append(e)
    data: dict[str, Any] = {
        "peildatum": draw(st.dates(min_value=dt.date(2025, 1, 1),
                                   max_value=dt.date(2027, 12, 31))).isoformat(),
        "personen": people,
        "gewenste_effecten": effects,
    }
    for name in ("huishouden", "financien", "netwerk"):
        if draw(st.booleans()):
            data[name] = draw(subject(eng, name))
    gemeente = draw(st.sampled_from([None, "GM9991", "GM9992", "GM0363"]))
    if gemeente:
        data["gemeente"] = gemeente
    if draw(st.booleans()):
        data["stap3"] = draw(stap3())
    return data


def out_of_bounds(spec: FactSpec) -> st.SearchStrategy[Any]:
    from engine.numbers import MAX_BEDRAG, MAX_GEHEEL

    if spec.type == "geheel":
        top = 130 if spec.name == "leeftijd" else MAX_GEHEEL
        return st.sampled_from([top + 1, 10**30, math.inf, math.nan, -math.inf])
    return st.sampled_from([MAX_BEDRAG + 0.01, MAX_BEDRAG + 1, 10**30, 1e308, math.inf,
                            -math.inf, math.nan, 1e-320, 0.005, -(MAX_BEDRAG + 1)])


SETTINGS = settings(deadline=None,  # examples and seed: the profile (tests/conftest.py)
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def test_whole_contract_property(rules: Engine) -> None:
    """Any valid casus, also with numbers at the bounds: no exception, durable-rules and the
    oracle agree, and the trace hash survives the JSON round trip storage makes. The same
    casus with one number just past its bound is a casus error naming that field."""
    oracle = rules.with_backend("oracle")
    numeric = sorted((s for s in rules.rules.catalogue.facts.values()
                      if s.type in ("geheel", "bedrag") and s.bron != "engine"),
                     key=lambda s: s.key)

    @SETTINGS
    @given(data=casussen(rules), pick=st.data())
    def check(data: dict[str, Any], pick: st.DataObject) -> None:
        first = rules.advies(data)
        stored = json.loads(json.dumps(
            rules.casus(data).model_dump(mode="json", exclude_none=True), allow_nan=False))
        assert rules.advies(stored).trace_hash == first.trace_hash
        assert rules.advies(json.loads(json.dumps(data))).trace_hash == first.trace_hash
        assert oracle.advies(data).trace_json == first.trace_json

        spec = pick.draw(st.sampled_from(numeric), label="fact")
        bad = pick.draw(out_of_bounds(spec), label="value")
        broken = copy.deepcopy(data)
        if spec.subject == "persoon":
            broken["personen"][0][spec.name] = bad
            path = f"personen[0].{spec.name}"
        elif spec.subject == "effect":
            broken["gewenste_effecten"][0][spec.name] = bad
            path = f"gewenste_effecten[0].{spec.name}"
        else:
            broken.setdefault(spec.subject, {})[spec.name] = bad
            path = spec.key
        with pytest.raises(CasusError) as info:
            rules.casus(broken)
        assert path in {p.pad for p in info.value.problems}, (path, bad)

    check()
