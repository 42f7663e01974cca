"""Property tests over generated casussen (hypothesis), on the fixture pack and the real packs.

- the trace hash is deterministic, and durable-rules and the oracle give identical traces;
- a fact an instrument does not use never changes that instrument's status;
- every fact listed as still to establish is absent from the casus;
- evaluation never raises on a valid casus.

The casussen are broad (issue 17): the contract's full numeric ranges and the numbers the packs
compare with, peildata over every pack version (the Wsnp alone from 2023), up to six persons
and four effects for any of them. `tests/test_spec_agrees.py` reuses the generator.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine import Engine
from engine.catalogue import PERSON_PREFIXES, Catalogue, FactSpec
from engine.conditions import leaves_of
from engine.numbers import MAX_BEDRAG, MAX_GEHEEL
from engine.regime import Regime

FIXTURE = Path(__file__).parent / "fixtures" / "basis"
RULES = Path(__file__).resolve().parents[1] / "rules"
ENGINES: dict[str, Engine] = {}


def get_engine(name: str) -> Engine:
    """`rules`: every bundled pack (peildata from 2025); `wsnp`: the Wsnp pack alone, the only
    law with versions before 2025 (from 2023, across the 2023-07-01 change)."""
    if name not in ENGINES:
        ENGINES[name] = (Engine.load() if name == "rules"
                         else Engine.load([RULES / name]) if name == "wsnp"
                         else Engine.load([FIXTURE.parent / name]))
    return ENGINES[name]


def _walk(node: Any) -> Iterator[dict[str, Any]]:
    if isinstance(node, dict):
        yield node
        for v in node.values():
            yield from _walk(v)
    elif isinstance(node, list):
        for v in node:
            yield from _walk(v)


@dataclass(frozen=True)
class Ranges:
    """Where the rule base's answers change: per fact the numbers it is compared with (and the
    parameter values), and every validity boundary. Generation draws near them as well as over
    the contract's full range, so both the edges and the far ends are reached."""

    first: dt.date
    last: dt.date
    days: tuple[dt.date, ...]
    numbers: dict[str, tuple[float, ...]]


def ranges(eng: Engine) -> Ranges:
    spans = eng.rules.coverage().values()
    first = max(a for a, _ in spans)
    last = min(min(b for _, b in spans), dt.date(2031, 12, 31))
    days: set[dt.date] = {first, last}
    numbers: dict[str, set[float]] = {}
    params: dict[str, set[float]] = {}
    for lp in eng.rules.packs:
        for par in lp.pack.parameters:
            params.setdefault(par.id, set()).update(w.waarde for w in par.waarden)
        for inv in lp.pack.invullingen:
            params.setdefault(inv.parameter, set()).update(w.waarde for w in inv.waarden)
    nodes = [n for lp in eng.rules.packs for n in _walk(lp.pack.model_dump())]
    for n in nodes:
        for key in ("geldig_vanaf", "geldig_tot"):
            if isinstance(n.get(key), dt.date):
                days |= {n[key] + dt.timedelta(days=d) for d in (-1, 0, 1)}
    for n in nodes:
        if isinstance(n.get("feit"), str) and n.get("op") in ("=", "!=", "<", "<=", ">", ">="):
            subject_name, _, name = n["feit"].partition(".")
            key = f"{'persoon' if subject_name in PERSON_PREFIXES else subject_name}.{name}"
            found = ([n["waarde"]] if n.get("waarde") is not None else []) + sorted(
                params.get(n.get("parameter") or "", set()))
            numbers.setdefault(key, set()).update(
                v for v in found if isinstance(v, int | float) and not isinstance(v, bool))
    # the youngest child's age is a person's leeftijd in the casus
    numbers.setdefault("persoon.leeftijd", set()).update(
        numbers.get("huishouden.jongste_kind_leeftijd", set())
        | numbers.get("huishouden.oudste_kind_leeftijd", set()))
    if "huishouden.aantal_meerderjarige_kinderen" in numbers:  # a child's age either side of 18
        numbers["persoon.leeftijd"].add(18)
    return Ranges(first, last, tuple(sorted(d for d in days if first <= d <= last)),
                  {k: tuple(sorted(v)) for k, v in numbers.items()})


def _cents(lo: int, hi: int) -> st.SearchStrategy[Any]:
    """Whole cents between lo and hi euro, as an int when whole (both kinds occur)."""
    return st.integers(lo * 100, hi * 100).map(lambda c: c // 100 if c % 100 == 0 else c / 100)


def value_for(spec: FactSpec, near: tuple[float, ...] = ()) -> st.SearchStrategy[Any]:
    """A valid value over the contract's whole range (engine/numbers.py: amounts within 10^12
    euro in cents, whole numbers within 2^53 - 1, leeftijd 0-130), biased towards the
    numbers the rules compare it with, one step either side."""
    if spec.type == "bool":
        return st.booleans()
    if spec.type == "keuze":
        return st.sampled_from(spec.waarden)
    if spec.type == "keuzelijst":
        return st.lists(st.sampled_from(spec.waarden), unique=True, max_size=len(spec.waarden))
    if spec.type == "geheel":
        lo = -MAX_GEHEEL if spec.minimum is None else int(spec.minimum)
        hi = 130 if spec.name == "leeftijd" else MAX_GEHEEL
        edges: list[Any] = sorted({int(v) + d for v in near for d in (-1, 0, 1)
                                   if lo <= int(v) + d <= hi})
        wide = [st.integers(max(lo, 0), min(hi, 130)), st.integers(lo, hi)]
        return st.one_of(*wide, *([st.sampled_from(edges)] * 2 if edges else []))
    lo = -MAX_BEDRAG if spec.minimum is None else int(spec.minimum)
    edges = sorted({round(v + d, 2) for v in near for d in (-0.01, 0, 0.01)
                    if lo <= v + d <= MAX_BEDRAG})
    wide = [_cents(max(lo, 0), 100_000), _cents(lo, MAX_BEDRAG)]
    return st.one_of(*wide, *([st.sampled_from(edges)] * 2 if edges else []))


def subject(catalogue: Catalogue, name: str, rng: Ranges | None = None,
            full: bool = False) -> st.SearchStrategy[dict[str, Any]]:
    """A contract object; `full`: every fact known (so `past` is reachable), else each fact
    independently absent (onbekend) or known."""
    specs = [s for s in catalogue.facts.values() if s.subject == name and s.bron != "engine"
             and s.name not in ("rol", "leefgebied") and s.key != "effect.kind"]
    near = rng.numbers if rng is not None else {}
    drawn = {s.name: value_for(s, near.get(s.key, ())) for s in specs}
    if full:
        return st.fixed_dictionaries(drawn)
    maybe = {k: st.one_of(st.none(), v) for k, v in drawn.items()}  # None: left out
    return st.fixed_dictionaries(maybe).map(
        lambda d: {k: v for k, v in d.items() if v is not None})


@st.composite
def casussen(draw: st.DrawFn, catalogue: Catalogue,
             rng: Ranges | None = None) -> dict[str, Any]:
    """A broad casus: 1-6 persons (several children, applicant != effect person), 1-4
    effects, a peildatum anywhere the rule base covers (and on every validity boundary), a
    municipality or none, and facts from sparse (mostly onbekend) to complete."""
    rng = rng or Ranges(dt.date(2025, 1, 1), dt.date(2026, 12, 31), (), {})
    full = draw(st.sampled_from(["sparse", "full", "mixed"]))

    def obj(name: str) -> dict[str, Any]:
        complete = full == "full" or (full == "mixed" and draw(st.booleans()))
        return draw(subject(catalogue, name, rng, complete))

    people = []
    for i in range(draw(st.integers(min_value=1, max_value=6))):
        p = obj("persoon")
        p["id"] = f"p{i + 1}"
        p["rol"] = "aanvrager" if i == 0 else draw(st.sampled_from(["partner", "kind", "kind",
                                                                     "overig"]))
        people.append(p)
    effects = []
    for i in range(draw(st.integers(min_value=1, max_value=4))):
        e = obj("effect")
        e.update(id=f"e{i + 1}", omschrijving="Een gewenst effect.",
                 leefgebied=draw(st.sampled_from(catalogue.facts["effect.leefgebied"].waarden)),
                 persoon=draw(st.sampled_from([p["id"] for p in people])))
        # gewenste_effecten[].kind: a child of the household (for a child's own effect also
        # that child itself, or another child: the young mother's baby, fresh61 AJ2); mostly
        # left out, so the only-child and no-child cases stay common
        kids = [p["id"] for p in people if p["rol"] == "kind"]
        if kids and draw(st.booleans()):
            e["kind"] = draw(st.sampled_from(kids))
        effects.append(e)
    gemeente = draw(st.sampled_from([None, "GM9991", "GM9992"]))
    dates = [st.dates(min_value=rng.first, max_value=rng.last)]
    peildatum = draw(st.one_of(*dates, *([st.sampled_from(rng.days)] if rng.days else [])))
    return {
        **({"gemeente": gemeente} if gemeente else {}),
        "peildatum": peildatum.isoformat(),
        "huishouden": obj("huishouden"),
        "financien": obj("financien"),
        "netwerk": obj("netwerk"),
        "personen": people,
        "gewenste_effecten": effects,
    }


def used_facts(regime: Regime, iid: str) -> set[str]:
    """Contract facts (subject.name, persons as `persoon.x`) an instrument depends on."""
    by_id = {c.instrument.id: c for c in regime.instrumenten}
    group, todo = [], [by_id[iid]]
    while todo:  # a form's status depends on what it is a form of
        ci = todo.pop()
        group.append(ci)
        todo.extend(by_id[b] for b in ci.instrument.vorm_van if b in by_id)
    nodes = []
    for ci in group:
        nodes += [None if ci.toepassing is None else ci.toepassing.node,
                  *(x.node for x in (*ci.voorwaarden, *ci.uitsluitingen, *ci.voorliggend,
                                     *ci.termijnen))]
        nodes += [g.node for g in regime.grondwaarden
                  if g.grondwaarde.id in ci.instrument.grondwaarden]
    derived = {d.feit.id: d.node for d in regime.derived}
    out: set[str] = set()
    stack = [n for n in nodes if n is not None]
    seen: set[str] = set()
    while stack:
        node = stack.pop()
        for i in leaves_of(node):
            leaf = regime.leaves.leaves[i]
            if leaf.prefix == "afgeleid":
                if leaf.name not in seen:
                    seen.add(leaf.name)
                    stack.append(derived[leaf.name])
                continue
            prefix = "persoon" if leaf.prefix in PERSON_PREFIXES else leaf.prefix
            out.add(f"{prefix}.{leaf.name}")
            if leaf.prefix == "kind":  # which child: the effect's kind and the persons' rol
                out |= {"effect.kind", "persoon.rol"}
            if leaf.prefix == "client":  # the named child, else the effect's own person
                out |= {"effect.kind"}
            if leaf.prefix == "belanghebbende":  # the young parent who names his child; whose
                # costs (kosten, kosten_van_kind) or, on work, whose work (werk_van_kind)
                out |= {"effect.kind", "persoon.kind_van_aanvrager", "persoon.leeftijd",
                        "effect.kosten", "effect.kosten_van_kind", "effect.werk_van_kind",
                        "effect.schulden_van_kind", "effect.ouder_van_kind"}
            if leaf.prefix == "betrokkene":  # an adult the effect names as schulden_van_kind
                # says, else its own person; the asker when the costs are hers
                out |= {"effect.kind", "persoon.leeftijd", "effect.schulden_van_kind",
                        "effect.kosten_van_kind"}
            if leaf.prefix == "werkende":  # the named person or its own, as werk_van_kind says
                out |= {"effect.kind", "effect.werk_van_kind"}
    if out & {"huishouden.aantal_kinderen", "huishouden.jongste_kind_leeftijd",
              "huishouden.oudste_kind_leeftijd", "huishouden.aantal_meerderjarige_kinderen"}:
        out |= {"persoon.leeftijd", "persoon.rol"}
    if "huishouden.aantal_personen_met_beperking" in out:  # computed from every beperkingen
        out |= {"persoon.beperkingen", "persoon.wlz_indicatie"}
    if "effect.kosten_genoemd" in out:  # computed from effect.kosten
        out.add("effect.kosten")
    if "effect.kind_genoemd" in out:  # computed from effect.kind
        out.add("effect.kind")
    return out


def statuses(receipt: Any) -> dict[tuple[str, str], str]:
    out = {}
    for e in receipt.advies["effecten"]:
        for i in e["stap4"]["instrumenten"]:
            out[(e["id"], i["id"])] = i["status"]
        for i in e["stap4"]["niet_van_toepassing"]:
            out[(e["id"], i["id"])] = "niet_van_toepassing"
    return out


def lookup(data: dict[str, Any], address: str) -> Any:
    if address.startswith("personen["):
        pid, _, name = address[len("personen["):].partition("].")
        return next(p for p in data["personen"] if p["id"] == pid).get(name)
    if address.startswith("gewenste_effecten["):
        eid, _, name = address[len("gewenste_effecten["):].partition("].")
        return next(e for e in data["gewenste_effecten"] if e["id"] == eid).get(name)
    head, _, name = address.partition(".")
    return data.get(head, {}).get(name)


SETTINGS = settings(deadline=None,  # examples and seed: the profile (tests/conftest.py)
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def check_law_semantics(receipt: Any) -> None:
    """Read from the trace alone, independently of engine.semantics: no instrument is
    `past_niet` solely on a discretionary or uncertain ground, and a form never exceeds what it
    is a form of (for the same effect)."""
    rank = {"past": 0, "voorwaardelijk": 1, "past_niet": 2}
    for e in receipt.advies["effecten"]:
        listed = {i["id"]: i for i in e["stap4"]["instrumenten"]}
        for ins in listed.values():
            bases = [listed[b] for b in ins.get("vorm_van", []) if b in listed]
            if ins.get("vorm_van"):
                assert bases, ins["id"]  # a form whose bases do not apply is not listed
                best = min(rank[b["status"]] for b in bases)
                assert rank[ins["status"]] >= best, ins["id"]
            if ins["status"] != "past_niet":
                continue

            def certain(item: dict[str, Any]) -> bool:
                return not item.get("onzeker") and not item.get("beslisruimte")

            hard = [v for v in ins["voorwaarden"] if v["uitkomst"] == "nee" and certain(v)]
            hard += [u for u in ins["uitsluitingen"] if u["uitkomst"] == "ja" and certain(u)]
            hard += [v for v in ins["voorliggend"] if v.get("gevolg") == "uitsluiting"
                     and v["uitkomst"] == "ja" and certain(v)]
            base_refused = bool(bases) and all(b["status"] == "past_niet" for b in bases)
            assert hard or base_refused, ins["id"]


@pytest.mark.parametrize("which", ["basis", "oordeel", "rules", "wsnp"])
def test_properties(which: str) -> None:
    eng = get_engine(which)
    oracle = eng.with_backend("oracle")
    catalogue = eng.rules.catalogue
    mutable = sorted(s.key for s in catalogue.facts.values()
                     if s.bron != "engine" and s.subject != "afgeleid"
                     and s.name not in ("rol", "leefgebied") and s.key != "effect.kind")

    @SETTINGS
    @given(data=casussen(catalogue, ranges(eng)), pick=st.data())
    def check(data: dict[str, Any], pick: st.DataObject) -> None:
        first = eng.advies(data)  # never raises on a valid casus
        first.model()  # the trace fits its documented pydantic contract
        assert eng.advies(data).trace_hash == first.trace_hash
        assert oracle.advies(data).trace_json == first.trace_json
        check_law_semantics(first)
        for effect in first.advies["effecten"]:
            for q in effect["nog_uitvragen"]:
                assert lookup(data, q["feit"]) is None, q
        regime = eng.rules.regime(dt.date.fromisoformat(data["peildatum"]),
                                  data.get("gemeente"))
        if not regime.instrumenten:
            return
        ci = pick.draw(st.sampled_from(regime.instrumenten), label="instrument")
        iid = ci.instrument.id
        unused = [k for k in mutable if k not in used_facts(regime, iid)]
        if not unused:
            return
        key = pick.draw(st.sampled_from(unused), label="fact")
        subject_name, _, name = key.partition(".")
        spec = catalogue.facts[key]
        new_value = pick.draw(st.one_of(st.none(), value_for(spec)), label="value")
        changed = _with(data, subject_name, name, new_value)
        before = {k: v for k, v in statuses(first).items() if k[1] == iid}
        after = {k: v for k, v in statuses(eng.advies(changed)).items() if k[1] == iid}
        assert before == after, (key, new_value)

    check()


def _with(data: dict[str, Any], subject_name: str, name: str, value: Any) -> dict[str, Any]:
    import copy

    out = copy.deepcopy(data)
    targets: list[dict[str, Any]]
    if subject_name == "persoon":
        targets = out["personen"]
    elif subject_name == "effect":
        targets = out["gewenste_effecten"]
    else:
        targets = [out.setdefault(subject_name, {})]
    for t in targets:
        if value is None:
            t.pop(name, None)
        else:
            t[name] = value
    return out
