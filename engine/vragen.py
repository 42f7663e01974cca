"""Which question to ask first: "nog uitvragen" ranked by what one answer settles.

The trace lists the open facts by `aantal`, the number of undecided conditions a fact occurs
in. A consulent with little time wants something else: the question whose answer, whatever it
is, decides the status of the most instruments. A fact that occurs in ten conditions may decide
none of them on its own (each also waits on another fact), while a fact in two conditions may
settle three instruments.

So this module asks the engine itself, without guessing at the logic: for each open fact it
tries every answer the fact can take, re-evaluates the casus with that single answer added and
looks which instruments stop waiting on a fact. It is a separate function on purpose: the
trace (and its hash, which a stored advies is replayed against) does not change.

Only the gewenste effecten that wait on the fact are re-evaluated. Each effect is evaluated in
its own context, and three-valued logic is monotone: setting a fact that is not among an
effect's open facts cannot change any of its undecided conditions, so leaving the other
effects out gives the same answer at a fraction of the cost (`tests/test_vragen.py` checks
that it does).

The answers tried per fact type:

* `bool`: ja and nee;
* `keuze`: each value of the list;
* `keuzelijst`: none, and each value on its own;
* `geheel` and `bedrag`: every value the rules compare the fact with, and the values just
  either side of it (one, or one cent), so every region of the comparisons is tried once;
  never below the fact's minimum.

An instrument is *undecided* while it waits on a fact (its `nog_uitvragen` is not empty) and
*decided* once it no longer does: `past`, `past_niet`, no longer applicable to the effect, or
`voorwaardelijk` only because the law leaves the decision to someone (then the facts are done
and it is that someone's turn). A fact *settles* an instrument when every answer decides it,
and decides it *sometimes* when only some do. The ranking is by settled, then sometimes, then
`aantal`, then the fact's address: deterministic for the same casus and rules.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import orjson

from engine import feitadres
from engine.casus import Casus
from engine.catalogue import FactSpec
from engine.conditions import Leaf
from engine.errors import CasusError
from engine.evaluate import Receipt

if TYPE_CHECKING:
    from engine.api import Engine

_NUMERIC_OPS = ("=", "!=", "<", "<=", ">", ">=", "in", "niet_in")
_STEP = {"geheel": 1, "bedrag": 0.01}

InstrumentKey = tuple[str, str]
"""(effect id, instrument id): an instrument is judged per gewenst effect."""


@dataclass(frozen=True)
class Beslist:
    """One instrument of one effect that an answer decides."""

    effect: str
    instrument: str
    naam: str


@dataclass(frozen=True)
class RankedQuestion:
    """One open fact with what its answer would decide."""

    feit: str
    """The address in the casus, as in `nog_uitvragen` (e.g. `personen[p1].leeftijd`)."""
    vraag: str
    aantal: int
    """As in the trace: undecided conditions in which the fact is open."""
    beslist: tuple[Beslist, ...]
    """Instruments decided whatever the answer is."""
    soms: tuple[Beslist, ...]
    """Instruments decided by some answers but not by every one."""
    antwoorden: tuple[Any, ...]
    """The answers tried (those the casus contract accepts)."""


def rank_questions(engine: Engine, casus: Casus | dict[str, Any],
                   base: Receipt | None = None, *, narrow: bool = True
                   ) -> list[RankedQuestion]:
    """The casus' open facts (`advies.nog_uitvragen`), best question first.

    `base` is the advies of this casus with these rules, when the caller has it already (it
    is evaluated otherwise). Costs one evaluation per answer tried, of only the effects that
    wait on the fact (`narrow=False`: of the whole casus, for the test that they agree)."""
    valid = engine.casus(casus)
    base = base or engine.advies(valid)
    advies = orjson.loads(base.trace_json)["advies"]
    undecided = _undecided(advies)
    regime = engine.rules.regime(valid.peildatum, valid.gemeente)
    data = valid.model_dump(mode="json", exclude_none=True)
    waiting = {e["id"]: {q["feit"] for q in e["nog_uitvragen"]} for e in advies["effecten"]}
    order = {key: n for n, key in enumerate(undecided)}
    out = []
    for q in advies["nog_uitvragen"]:
        address = q["feit"]
        spec = _spec(regime.catalogue, address)
        scope = _narrowed(data, {e for e, facts in waiting.items() if address in facts}
                          ) if narrow else data
        tried: list[Any] = []
        always: set[InstrumentKey] | None = None
        some: set[InstrumentKey] = set()
        for answer in _answers(spec, address, regime.leaves.leaves):
            receipt = _evaluate(engine, scope, address, answer)
            if receipt is None and scope is not data:
                receipt = _evaluate(engine, data, address, answer)
            if receipt is None:
                continue  # not an answer the contract accepts for this casus
            tried.append(answer)
            decided = _decided(orjson.loads(receipt.trace_json)["advies"], undecided)
            always = decided if always is None else always & decided
            some |= decided
        settled = always or set()
        out.append(RankedQuestion(
            feit=address, vraag=q["vraag"], aantal=q["aantal"],
            beslist=_refs(settled, undecided, order),
            soms=_refs(some - settled, undecided, order), antwoorden=tuple(tried)))
    out.sort(key=lambda r: (-len(r.beslist), -len(r.soms), -r.aantal, r.feit))
    return out


def _narrowed(data: dict[str, Any], effects: set[str]) -> dict[str, Any]:
    """The casus with only these gewenste effecten (and no stap 3, which is never evaluated)."""
    out = {k: v for k, v in data.items() if k not in ("gewenste_effecten", "stap3")}
    out["gewenste_effecten"] = [e for e in data.get("gewenste_effecten", [])
                                if e.get("id") in effects]
    return out


def _evaluate(engine: Engine, data: dict[str, Any], address: str, answer: Any
              ) -> Receipt | None:
    """The advies with one answer added; None when the casus does not accept it."""
    changed = _with_answer(data, address, answer)
    if changed is None:
        return None
    try:
        return engine.advies(changed)
    except CasusError:
        return None


def _undecided(advies: dict[str, Any]) -> dict[InstrumentKey, str]:
    """Instruments that wait on a fact, in the order of the advies (effect, then ladder)."""
    return {(e["id"], i["id"]): i["naam"] for e in advies["effecten"]
            for i in e["stap4"]["instrumenten"] if i["nog_uitvragen"]}


def _decided(advies: dict[str, Any], undecided: dict[InstrumentKey, str]) -> set[InstrumentKey]:
    """Which of the undecided instruments no longer wait on a fact in this advies (of the
    effects it evaluated: a narrowed casus leaves the others out, undecided)."""
    present = {e["id"] for e in advies["effecten"]}
    waiting = {(e["id"], i["id"]) for e in advies["effecten"]
               for i in e["stap4"]["instrumenten"] if i["nog_uitvragen"]}
    return {k for k in undecided if k[0] in present} - waiting


def _refs(keys: Iterable[InstrumentKey], names: dict[InstrumentKey, str],
          order: dict[InstrumentKey, int]) -> tuple[Beslist, ...]:
    return tuple(Beslist(effect=k[0], instrument=k[1], naam=names[k])
                 for k in sorted(keys, key=lambda k: order[k]))


def _spec(catalogue: Any, address: str) -> FactSpec | None:
    adres = feitadres.parse(address)
    if adres is None:
        return None
    spec: FactSpec | None = catalogue.resolve(adres.catalogus_naam)
    return spec


def _answers(spec: FactSpec | None, address: str, leaves: list[Leaf]) -> list[Any]:
    """Every answer worth trying for this fact (see the module docstring)."""
    if spec is None:
        return []
    if spec.type == "bool":
        return [True, False]
    if spec.type == "keuze":
        return list(spec.waarden)
    if spec.type == "keuzelijst":
        return [[], *([w] for w in spec.waarden)]
    return _boundaries(spec, address, leaves)


def _boundaries(spec: FactSpec, address: str, leaves: list[Leaf]) -> list[Any]:
    """For a number: each value a rule compares it with, and the values just either side."""
    name = address.rpartition(".")[2]
    prefixes = (("persoon", "aanvrager") if address.startswith("personen[") else
                ("effect",) if address.startswith("gewenste_effecten[") else
                (address.partition(".")[0],))
    paths = {f"{p}.{name}" for p in prefixes}
    if address.startswith("personen[") and name == "leeftijd":
        paths.add("huishouden.jongste_kind_leeftijd")  # derived from the children's ages
    found: set[float] = set()
    for leaf in leaves:
        if leaf.path not in paths or leaf.op not in _NUMERIC_OPS or leaf.value is None:
            continue
        values = leaf.value if isinstance(leaf.value, tuple | list) else (leaf.value,)
        found.update(v for v in values if isinstance(v, int | float) and not isinstance(v, bool))
    step = _STEP.get(spec.type, 1)
    lowest = spec.minimum
    candidates: set[float] = set()
    for b in found:
        candidates.update((b - step, b, b + step))
    out = []
    for c in sorted(candidates):
        value = round(c, 2) if spec.type == "bedrag" else int(c)
        if lowest is not None and value < lowest:
            continue
        out.append(int(value) if float(value).is_integer() else value)
    return list(dict.fromkeys(out))


def _with_answer(data: dict[str, Any], address: str, value: Any) -> dict[str, Any] | None:
    """A copy of the casus with one fact set at its `nog_uitvragen` address; None when the
    address names nothing in this casus."""
    out, problems = feitadres.set_facts(data, [(address, value)])
    return None if problems else out
