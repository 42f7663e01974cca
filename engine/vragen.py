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

Only the gewenste effecten that wait on the fact, or have an undecided instrument whose status
can read it, are re-evaluated. Each effect is evaluated in its own context, and three-valued
logic is monotone: setting a fact that is not among an effect's open facts cannot change any
of its undecided conditions, except through a comparison marked `bij_onbekend: nee`, which
reads a fact without asking it (an unknown partner's `pw_uitreiziger` counts as nee in a Bbz
uitsluiting; ja makes the Bbz `past_niet` on an effect that never asked it). Leaving the other
effects out gives the same answer at a fraction of the cost (`tests/test_vragen.py` checks
that it does).

The answers tried per fact type:

* `bool`: ja and nee;
* `keuze`: each value of the list;
* `keuzelijst`: none, and each value on its own;
* `geheel` and `bedrag`: every value the rules compare the fact with, and the values just
  either side of it (one, or one cent), so every region of the comparisons is tried once;
  never below the fact's minimum;
* which child an effect is about (`gewenste_effecten[id].kind`, asked while the rules read
  `kind.x` and no one child is meant): the id of each person with rol `kind`.

An instrument is *undecided* while it waits on a fact (its `nog_uitvragen` is not empty) and
*decided* once it no longer does: `past`, `past_niet`, no longer applicable to the effect, or
`voorwaardelijk` only because the law leaves the decision to someone (then the facts are done
and it is that someone's turn). A fact *settles* an instrument when every answer decides it,
and decides it *sometimes* when only some do.

A fact can also make other questions moot without deciding an instrument on its own: a gate
such as "are the debts under financiën the applicant's own?" switches between two sets of
questions (the household's debts, or the applicant's own), and either answer drops one set,
while every instrument still waits on the set that stays. `overbodig` counts the questions
(other than the fact itself) that leave the casus' list whatever the answer: the fewest any
answer tried removes. Readers found such a gate 31st to 39th of up to 135 questions when
the ranking looked at instruments only (fresh40 N6, fresh37 K5).

The ranking is by settled, then `overbodig`, then sometimes, then `aantal`, then the fact's
address: deterministic for the same casus and rules.

How it stays fast (issue 14: the advies page waits for it). The straightforward way, a whole
advies per answer (`fast=False`), costs about a second for a four-effect casus, nearly all of
it rendering and serialising traces nobody reads. The fast path asks the same question of the
same rules with less work, and `tests/test_vragen.py` checks on every public example and on
generated casussen that it gives exactly the straightforward ranking:

* every answer is still set with `feitadres.set_facts` and validated as a whole casus, so the
  answers tried (`antwoorden`) are the ones the contract accepts;
* per effect that waits on the fact, only the undecided instruments whose status can read the
  fact are judged (`_Dependencies`: through their grondwaarden, toepassing, conditions,
  derived facts and the instruments they are a form of); the others keep their open facts;
* they are judged with the evaluation's own pieces (its context, `semantics.decide`, its open-
  fact collection and its form capping, `engine.evaluate`), without rendering a trace; a
  comparison gets its value as the oracle gives it, which the property tests hold equal to
  durable-rules;
* answers that give every comparison on the fact the same value (one cell of the fact's
  partition: 17 and 16 against `>= 18`) decide the same instruments, so one is judged per cell.

Nothing here writes to the receipt or the regime: the trace and its hash stay as they were.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import orjson

from engine import feitadres, semantics
from engine.casus import Casus
from engine.catalogue import (
    BELANGHEBBENDE,
    BETROKKENE,
    CLIENT,
    KIND_VAN_AANVRAGER,
    KIND_VAN_EFFECT,
    KOSTEN_VAN_KIND,
    MEERDERJARIG,
    OUDER_VAN_KIND,
    PERSON_PREFIXES,
    SCHULDEN_VAN_KIND,
    WERK_VAN_KIND,
    WERKENDE,
    FactSpec,
)
from engine.conditions import Leaf, Node, Ternary, leaves_of
from engine.conditions import evaluate as kleene
from engine.errors import CasusError
from engine.evaluate import (
    AANTAL_MEERDERJARIGE_KINDEREN,
    FROM_BEPERKINGEN,
    FROM_CHILDREN_AGES,
    CasusFacts,
    Context,
    InstrumentResult,
    Receipt,
    apply_forms,
    unknown_inputs,
)
from engine.oracle import OracleBackend
from engine.partition import kind_of
from engine.regime import CompiledInstrument, CompiledItem, Regime

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
    overbodig: int
    """Open questions besides this one that leave the list whatever the answer (the fewest
    any answer tried removes)."""
    antwoorden: tuple[Any, ...]
    """The answers tried (those the casus contract accepts)."""


def rank_questions(engine: Engine, casus: Casus | dict[str, Any],
                   base: Receipt | None = None, *, narrow: bool = True, fast: bool = True
                   ) -> list[RankedQuestion]:
    """The casus' open facts (`advies.nog_uitvragen`), best question first.

    `base` is the advies of this casus with these rules, when the caller has it already (it
    is evaluated otherwise). Only the effects that wait on a fact, or have an undecided
    instrument that can read it, are looked at (`narrow=False`: every effect). `fast=False`
    makes a whole advies per answer tried: the reference the fast path (see the module
    docstring) is tested against."""
    valid = engine.casus(casus)
    base = base or engine.advies(valid)
    advies = orjson.loads(base.trace_json)["advies"]
    undecided = _undecided(advies)
    regime = engine.rules.regime(valid.peildatum, valid.gemeente)
    data = valid.model_dump(mode="json", exclude_none=True)
    waiting = {e["id"]: {q["feit"] for q in e["nog_uitvragen"]} for e in advies["effecten"]}
    order = {key: n for n, key in enumerate(undecided)}
    judge = _Judge(regime, undecided, advies) if fast else None
    deps = _dependencies(regime)
    asked = {q["feit"] for q in advies["nog_uitvragen"]}
    out = []
    for q in advies["nog_uitvragen"]:
        address = q["feit"]
        spec = _spec(regime.catalogue, address)
        effects = (_in_scope(address, waiting, undecided, deps) if narrow
                   else set(waiting))
        answers = (_children(valid) if _is_kind_question(address)
                   else _answers(spec, address, regime.leaves.leaves))
        if judge is not None:
            tried, outcomes, remaining = judge.outcomes(engine, data, address, answers,
                                                        effects)
        else:
            tried, outcomes, remaining = _reevaluated(engine, data, address, answers, effects,
                                                      narrow, undecided)
        remaining = _as_asked(data, address, tried, remaining)
        # what the other effects still ask stays whatever this answer is
        movable = asked - {address}
        for e, facts in waiting.items():
            if e not in effects:
                movable -= facts
        overbodig = min((len(movable - left) for left in remaining), default=0)
        always: set[InstrumentKey] | None = None
        some: set[InstrumentKey] = set()
        for decided in outcomes:
            always = decided if always is None else always & decided
            some |= decided
        settled = always or set()
        out.append(RankedQuestion(
            feit=address, vraag=q["vraag"], aantal=q["aantal"],
            beslist=_refs(settled, undecided, order),
            soms=_refs(some - settled, undecided, order), overbodig=overbodig,
            antwoorden=tuple(tried)))
    out.sort(key=lambda r: (-len(r.beslist), -r.overbodig, -len(r.soms), -r.aantal, r.feit))
    return out


def _in_scope(address: str, waiting: dict[str, set[str]], undecided: dict[InstrumentKey, str],
              deps: _Dependencies) -> set[str]:
    """The effects an answer to this fact can change: those that ask it, and those with an
    undecided instrument whose status reads it without asking it (`bij_onbekend: nee`). An
    unparsed address (which child an effect is about) is asked only where it matters."""
    effects = {e for e, facts in waiting.items() if address in facts}
    key = _field_key(address)
    if key is not None:
        effects |= {e for e, iid in undecided if key in deps.reads.get(iid, ())}
    return effects


def _as_asked(data: dict[str, Any], address: str, tried: list[Any],
              remaining: list[set[str]]) -> list[set[str]]:
    """The questions left, addressed as the casus without the answer asks them: answering a
    fact of a partner the casus does not name (`partner.x`) adds that partner to `personen`,
    and its other facts are then asked at `personen[id].y`; they are the same questions as
    `partner.y`, not new ones (and not gone)."""
    if not address.startswith(feitadres.PARTNER + ".") or not tried:
        return remaining
    changed = _with_answer(data, address, tried[0])
    before = {p.get("id") for p in data.get("personen", []) if isinstance(p, dict)}
    added = [p.get("id") for p in (changed or {}).get("personen", [])
             if isinstance(p, dict) and p.get("id") not in before]
    if len(added) != 1:
        return remaining
    prefix = f"personen[{added[0]}]."
    return [{feitadres.PARTNER + "." + a[len(prefix):] if a.startswith(prefix) else a
             for a in left} for left in remaining]


Outcomes = tuple[list[Any], list[set[InstrumentKey]], list[set[str]]]
"""The answers tried; per answer the undecided instruments it decides, and the questions the
effects in scope still ask with it."""


def _reevaluated(engine: Engine, data: dict[str, Any], address: str, answers: list[Any],
                 effects: set[str], narrow: bool, undecided: dict[InstrumentKey, str]
                 ) -> Outcomes:
    """The straightforward way: per answer a whole advies (of the effects in `effects` when
    `narrow`), what it no longer waits on and what those effects still ask."""
    scope = _narrowed(data, effects) if narrow else data
    tried: list[Any] = []
    outcomes: list[set[InstrumentKey]] = []
    remaining: list[set[str]] = []
    for answer in answers:
        receipt = _evaluate(engine, scope, address, answer)
        if receipt is None and scope is not data:
            receipt = _evaluate(engine, data, address, answer)
        if receipt is None:
            continue  # not an answer the contract accepts for this casus
        tried.append(answer)
        advies = orjson.loads(receipt.trace_json)["advies"]
        outcomes.append(_decided(advies, undecided))
        remaining.append({q["feit"] for e in advies["effecten"] if e["id"] in effects
                          for q in e["nog_uitvragen"]})
    return tried, outcomes, remaining


FieldKey = tuple[str, str]
"""A fact as the partitions name it: (fact kind, field), a person's facts as `persoon`."""


class _Dependencies:
    """Per instrument of a regime, the casus facts its status can read: through its
    grondwaarden, toepassing, voorwaarden, uitsluitingen, voorliggende voorzieningen,
    begrenzingen, the derived facts these use and, for a form, the instruments it is a form
    of. Termijnen do not count: they never change a status or what is still to ask. An over-
    estimate only costs time; a fact left out would leave an instrument undecided wrongly."""

    def __init__(self, regime: Regime):
        leaves = regime.leaves.leaves
        derived = {d.feit.id: d.node for d in regime.derived}
        grondwaarden = {cg.grondwaarde.id: cg.node for cg in regime.grondwaarden}
        through: dict[str, frozenset[FieldKey]] = {}

        def fields(nodes: Iterable[Node | None]) -> set[FieldKey]:
            found: set[FieldKey] = set()
            for node in nodes:
                if node is None:
                    continue
                for i in leaves_of(node):
                    leaf = leaves[i]
                    if leaf.prefix == "afgeleid":
                        found |= via(leaf.name)
                        continue
                    found.update(_read_by(leaf))
            return found

        def via(name: str) -> frozenset[FieldKey]:
            if name not in through:
                through[name] = frozenset()  # stratified: no cycles, but be safe
                through[name] = frozenset(fields([derived.get(name)]))
            return through[name]

        own: dict[str, set[FieldKey]] = {}
        self.bases: dict[str, tuple[str, ...]] = {}
        for ci in regime.instrumenten:
            ins = ci.instrument
            own[ins.id] = fields([
                None if ci.toepassing is None else ci.toepassing.node,
                *(x.node for x in (*ci.voorwaarden, *ci.uitsluitingen, *ci.voorliggend,
                                   *ci.begrenzingen)),
                *(grondwaarden.get(g) for g in ins.grondwaarden)])
            self.bases[ins.id] = tuple(b for b in ins.vorm_van)
        self.reads: dict[str, frozenset[FieldKey]] = {
            iid: frozenset(k for b in self.with_bases(iid) for k in own.get(b, ()))
            for iid in own}
        self.watched: dict[FieldKey, list[int]] = {}
        """Per fact, the comparisons that read it directly (the youngest child's age counts
        as every person's leeftijd): their values are the answer's cell."""
        for leaf in leaves:
            if leaf.prefix == "afgeleid":
                continue
            for key in _read_by(leaf):
                self.watched.setdefault(key, []).append(leaf.index)
        self.grondwaarden = {cg.grondwaarde.id: cg for cg in regime.grondwaarden}

    def with_bases(self, iid: str) -> list[str]:
        """The instrument and, transitively, what it is a form of (its status is capped by
        theirs): judging a form means judging these too."""
        out: list[str] = []
        todo = [iid]
        while todo:
            found = todo.pop()
            if found in out:
                continue
            out.append(found)
            todo.extend(self.bases.get(found, ()))
        return out


_FROM_CHILDREN = (*FROM_CHILDREN_AGES, "huishouden.aantal_kinderen")
"""Household facts the evaluation derives from the children (`engine.evaluate`)."""

_KIND_KEY: FieldKey = ("effect", KIND_VAN_EFFECT)
"""The effect's `kind` (which child it is about): what every `kind.x` comparison reads
through. Only `gewenste_effecten[id].kind` is asked about it; a person's rol, which also
decides the child, is never asked (`feitadres.GEEN_FEIT`)."""

_VIA_KIND = ("kind", CLIENT, BELANGHEBBENDE, BETROKKENE, WERKENDE)
"""The subjects whose person the effect's `kind` decides: `kind` (`Casus.kind_van`), `client`
(`Casus.client_van`, the named child or else the effect's own person) and `belanghebbende`
(`Casus.belanghebbende_van`, which the child's `kind_van_aanvrager` decides too) and `betrokkene`
(`Casus.betrokkene_van`, which the named person's age decides too)."""

_KIND_VAN_AANVRAGER_KEY: FieldKey = ("persoon", KIND_VAN_AANVRAGER)
"""A child's `kind_van_aanvrager`: answering it can move `belanghebbende.x` to another person."""

_WERK_KEY: FieldKey = ("effect", WERK_VAN_KIND)
"""The effect's `werk_van_kind`: answering it can move `werkende.x`, and on an effect about work
without costs `belanghebbende.x`, to another person."""

_KOSTEN_KEY: FieldKey = ("effect", KOSTEN_VAN_KIND)
"""The effect's `kosten_van_kind`: on an effect with costs that names another person, answering
it can move `belanghebbende.x` and `betrokkene.x` to another person."""

_SCHULDEN_KEY: FieldKey = ("effect", SCHULDEN_VAN_KIND)
"""The effect's `schulden_van_kind`: on an effect that names an adult, answering it can move
`betrokkene.x`, and without costs or work `belanghebbende.x`, to another person."""

_OUDER_KEY: FieldKey = ("effect", OUDER_VAN_KIND)
"""The effect's `ouder_van_kind`: for a housemate who names a minor of someone else, answering
it can move `belanghebbende.x` (to no one) and `effect.kind_van_een_ander` (fresh102 BY2)."""

_KOSTEN_GIVEN_KEY: FieldKey = ("effect", "kosten")
"""The effect's `kosten`: giving them changes which answer decides the belanghebbende
(`Casus.belanghebbende_vraag`), and computes `effect.kosten_genoemd`."""

_AGE_KEY: FieldKey = ("persoon", "leeftijd")
"""A person's age: answering the named person's can move `betrokkene.x` and `belanghebbende.x`
to another person."""

_FROM_KOSTEN = "effect.kosten_genoemd"
"""The effect fact the evaluation derives from whether `kosten` is given (`engine.evaluate`)."""

_FROM_KIND = "effect.kind_genoemd"
"""The effect fact the evaluation derives from whether `kind` is given (`engine.evaluate`):
naming the child (`gewenste_effecten[id].kind`) changes it."""

_FROM_KIND_VAN_EEN_ANDER = "effect.kind_van_een_ander"
"""The effect fact the evaluation derives from `Casus.kind_van_een_ander`: the child named, his
age and `kind_van_aanvrager`, and whose costs, work or debts the effect is about move it."""

_COMPUTED_FROM: dict[str, tuple[FieldKey, ...]] = {
    **{path: (("persoon", "leeftijd"),) for path in _FROM_CHILDREN},
    FROM_BEPERKINGEN: (("persoon", "beperkingen"), ("persoon", "wlz_indicatie")),
    _FROM_KOSTEN: (_KOSTEN_GIVEN_KEY,),
    _FROM_KIND: (_KIND_KEY,),
    _FROM_KIND_VAN_EEN_ANDER: (_KIND_KEY, _KIND_VAN_AANVRAGER_KEY, _AGE_KEY, _WERK_KEY,
                               _KOSTEN_KEY, _KOSTEN_GIVEN_KEY, _SCHULDEN_KEY, _OUDER_KEY),
}
"""Per fact the evaluation computes, the casus fields it is computed from: answering one of
those changes the computed fact."""


def _read_by(leaf: Leaf) -> tuple[FieldKey, ...]:
    """The casus fields one comparison reads: its own fact, the effect's `kind` when the
    subject is the child (naming the child changes what `kind.x` reads), and the fields a
    computed fact is computed from."""
    via_kind = (_KIND_KEY,) if leaf.prefix in _VIA_KIND else ()
    if leaf.prefix == BELANGHEBBENDE:  # whose costs or work: Casus.belanghebbende_vraag
        via_kind = (*via_kind, _KIND_VAN_AANVRAGER_KEY, _AGE_KEY, _WERK_KEY, _KOSTEN_KEY,
                    _KOSTEN_GIVEN_KEY, _SCHULDEN_KEY, _OUDER_KEY)
    if leaf.prefix == BETROKKENE:  # whose debts; kosten_van_kind nee on costs: the asker's
        via_kind = (*via_kind, _AGE_KEY, _SCHULDEN_KEY, _KOSTEN_KEY, _KOSTEN_GIVEN_KEY)
    if leaf.prefix == WERKENDE:
        via_kind = (*via_kind, _WERK_KEY)
    return ((kind_of(leaf.prefix), leaf.name), *via_kind, *_COMPUTED_FROM.get(leaf.path, ()))


_DEPENDENCIES: dict[int, tuple[Regime, _Dependencies]] = {}
_DEPENDENCIES_LOCK = threading.Lock()


def _dependencies(regime: Regime) -> _Dependencies:
    """Per regime once (the entry keeps the regime alive, so its id cannot be reused)."""
    with _DEPENDENCIES_LOCK:
        found = _DEPENDENCIES.get(id(regime))
        if found is not None and found[0] is regime:
            return found[1]
    made = _Dependencies(regime)
    with _DEPENDENCIES_LOCK:
        if len(_DEPENDENCIES) > 64:
            _DEPENDENCIES.clear()
        _DEPENDENCIES[id(regime)] = (regime, made)
    return made


class _Judge:
    """The fast path: which undecided instruments one answer decides, without a trace."""

    def __init__(self, regime: Regime, undecided: dict[InstrumentKey, str],
                 advies: dict[str, Any]):
        self.regime = regime
        self.deps = _dependencies(regime)
        self.undecided = undecided
        self.by_id = {ci.instrument.id: ci for ci in regime.instrumenten}
        self.derived = {d.feit.id: d for d in regime.derived}
        self.asks: dict[InstrumentKey, set[str]] = {
            (e["id"], i["id"]): set(i["nog_uitvragen"]) for e in advies["effecten"]
            for i in e["stap4"]["instrumenten"] if i["nog_uitvragen"]}
        """What each undecided instrument asks in the advies without the answer."""

    def outcomes(self, engine: Engine, data: dict[str, Any], address: str,
                 answers: list[Any], effects: set[str]) -> Outcomes:
        """The answers the contract accepts; per answer the instruments it decides and the
        questions the effects in scope still ask. Those are the grondwaarden's open facts,
        those of the instruments judged again, and, unchanged, those of every undecided
        instrument that cannot read the fact (Kleene logic is monotone: a fact a tree does not
        read cannot change it)."""
        key = _field_key(address)
        targets: dict[str, list[str]] = {e: [] for e in effects}
        for effect, iid in self.undecided:
            if effect in effects and key is not None and key in self.deps.reads.get(iid, ()):
                targets[effect].append(iid)
        unchanged: set[str] = set()
        for (effect, iid), facts in self.asks.items():
            if effect in effects and iid not in targets[effect]:
                unchanged |= facts
        watched = [] if key is None else self.deps.watched.get(key, [])
        tried: list[Any] = []
        outcomes: list[set[InstrumentKey]] = []
        remaining: list[set[str]] = []
        by_cell: dict[tuple[Ternary, ...], tuple[set[InstrumentKey], set[str]]] = {}
        for answer in answers:
            changed = _with_answer(data, address, answer)
            if changed is None:
                continue
            try:
                valid = engine.casus(changed)
            except CasusError:
                continue  # not an answer the contract accepts for this casus
            tried.append(answer)
            contexts = self._contexts(valid, effects)
            cell = tuple(ctx.leaf_value(i) for _, ctx in sorted(contexts.items())
                         for i in watched)
            found = by_cell.get(cell)
            if found is None:
                decided: set[InstrumentKey] = set()
                left = set(unchanged)
                for effect, ctx in contexts.items():
                    done, asks = self._decided(ctx, targets[effect])
                    decided |= {(effect, iid) for iid in done}
                    left |= asks | self._stap2_asks(ctx)
                found = by_cell[cell] = (decided, left)
            outcomes.append(found[0])
            remaining.append(found[1])
        return tried, outcomes, remaining

    def _stap2_asks(self, ctx: Context) -> set[str]:
        """The open facts of the grondwaarden that are onbekend, as `engine.evaluate._effect`
        collects them."""
        out: set[str] = set()
        for cg in self.regime.grondwaarden:
            if kleene(cg.node, ctx.leaf_value) is None:
                out.update(unknown_inputs(cg.node, ctx))
        return out

    def _contexts(self, casus: Casus, effects: set[str]) -> dict[str, Context]:
        """One evaluation context per effect, as `engine.evaluate.evaluate` builds them, on
        one oracle session; derived facts are derived when a condition first reads them."""
        facts = CasusFacts.of(casus, self.regime.catalogue)
        session = OracleBackend().open(self.regime, facts.records)
        out: dict[str, Context] = {}
        for effect in casus.gewenste_effecten:
            if effect.id in effects:
                ctx = facts.context(casus, effect, session, self.regime, _LazyContext)
                ctx.derived_nodes = self.derived
                out[effect.id] = ctx
        return out

    def _decided(self, ctx: Context, targets: list[str]) -> tuple[list[str], set[str]]:
        """Which of these instruments no longer wait on a fact in this context (left out of
        the advies, or listed with nothing left to ask after the form caps), and what the
        others still ask."""
        wanted = {b for iid in targets for b in self.deps.with_bases(iid)}
        grondwaarden: dict[str, Ternary] = {}
        results: dict[str, InstrumentResult] = {}
        for ci in self.regime.instrumenten:  # the advies' order: the caps see the same
            if ci.instrument.id in wanted:
                found = self._judged(ci, ctx, grondwaarden)
                if found is not None:
                    results[ci.instrument.id] = found
        apply_forms(results, [])
        asks = {a for iid in targets if iid in results
                for group in results[iid].open_items for a in group}
        return [iid for iid in targets if iid not in results or not any(
            results[iid].open_items)], asks

    def _judged(self, ci: CompiledInstrument, ctx: Context,
                grondwaarden: dict[str, Ternary]) -> InstrumentResult | None:
        """One instrument as `engine.evaluate._effect` and `_instrument` judge it (status,
        markering, open facts), or None when the advies leaves it out for this effect."""
        ins = ci.instrument
        served = False
        for g in ins.grondwaarden:
            if g not in grondwaarden:
                cg = self.deps.grondwaarden.get(g)
                grondwaarden[g] = None if cg is None else kleene(cg.node, ctx.leaf_value)
            served = served or grondwaarden[g] is not False
        if not served:
            return None
        toepassing: Ternary = None
        if ci.toepassing is not None:
            assert ci.toepassing.node is not None
            toepassing = kleene(ci.toepassing.node, ctx.leaf_value)
            src = ci.toepassing.source
            if semantics.hidden_by_toepassing(toepassing, src.onzeker, src.beslisruimte):
                return None

        def value(item: CompiledItem) -> Ternary:
            if item is ci.toepassing:
                return toepassing
            return True if item.node is None else kleene(item.node, ctx.leaf_value)

        decision = semantics.decide(ci.grounds(value), ins.beslisruimte, ins.onzeker)
        open_items = ([] if decision.status == "past_niet" else
                      [unknown_inputs(g.source.node, ctx) for g in decision.open
                       if g.source.node is not None])
        result = {"id": ins.id, "naam": ins.naam, "status": decision.status,
                  "markering": decision.markering, "redenen": []}
        return InstrumentResult(ci, result, open_items)


class _LazyContext(Context):
    """An evaluation context that derives a derived fact when a condition first reads it,
    instead of every derived fact up front: the same values (the strata only order the
    derivation), for the few instruments the ranking judges."""

    def leaf_value(self, index: int) -> Ternary:
        leaf = self.leaves[index]
        if leaf.prefix == "afgeleid" and f"~{leaf.name}" not in self.ids:
            d = self.derived_nodes.get(leaf.name)
            if d is not None:
                value = kleene(d.node, self.leaf_value)
                fact_id = f"~{self.effect.id}~{leaf.name}"
                self.derived[leaf.name] = value
                self.ids[f"~{leaf.name}"] = fact_id
                self.session.add([(fact_id, "afgeleid", {leaf.name: value})])
        return super().leaf_value(index)


def _field_key(address: str) -> FieldKey | None:
    adres = feitadres.parse(address)
    if adres is None:
        return None
    kind, _, name = adres.catalogus_naam.partition(".")
    return (kind, name)


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


def _is_kind_question(address: str) -> bool:
    """`gewenste_effecten[id].kind`: which child the effect is about."""
    adres = feitadres.parse(address)
    return adres is not None and adres.lijst == "gewenste_effecten" and \
        adres.naam == KIND_VAN_EFFECT


def _children(casus: Casus) -> list[Any]:
    """The answers to "which child": the id of every person with rol `kind`, in order."""
    return [p.id for p in casus.personen if p.rol == "kind"]


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
    adres = feitadres.parse(address)
    person = adres is not None and adres.is_persoon
    prefixes = (PERSON_PREFIXES if person else
                ("effect",) if address.startswith("gewenste_effecten[") else
                (address.partition(".")[0],))
    paths = {f"{p}.{name}" for p in prefixes}
    found: set[float] = set()
    if person and name == "leeftijd":
        paths.add("huishouden.jongste_kind_leeftijd")  # derived from the children's ages
        paths.add("huishouden.oudste_kind_leeftijd")
        # a named person's age moves the subjects betrokkene and belanghebbende at 18, and a
        # child's age the household's count of adult children (`evaluate`, at the same bound)
        if any(leaf.prefix in (BELANGHEBBENDE, BETROKKENE)
               or leaf.path == AANTAL_MEERDERJARIGE_KINDEREN for leaf in leaves):
            found.add(MEERDERJARIG)
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
