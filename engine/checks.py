"""Decision-table checks (`controles`): overlap and gaps between instruments, as DMN tools do.

With every fact known, each instrument is either past or not; the partitions (engine.partition)
make the space finite: one representative value per cell of every field the instruments use.
We enumerate that space (or a fixed, seeded sample when it is larger than `limit`) and report
the first counterexamples of an overlap (`uniek`) or a gap (`volledig`).

The regime is compiled once and shared (by every advies of the process): a check only reads it.
A `binnen` scope may compare a fact with a bound no rule of the regime uses (`leeftijd < 17`);
its leaves and their partition cells go into a private copy of the leaf table (`_Space`), never
into the regime's own.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from engine import semantics
from engine.conditions import Leaf, LeafTable, Node, Ternary, compare, compile_toets, leaves_of
from engine.conditions import evaluate as kleene
from engine.errors import Problem
from engine.language import Controle
from engine.loader import LoadedPack
from engine.partition import ANDERS, FieldPartition, build_partitions, kind_of
from engine.regime import CompiledInstrument, Regime, RuleBase


@dataclass
class ControleUitslag:
    pack: LoadedPack
    index: int
    controle: Controle
    combinaties: int
    gecontroleerd: int
    overlap: list[dict[str, Any]] = field(default_factory=list)
    gaten: list[dict[str, Any]] = field(default_factory=list)

    @property
    def volledig_doorzocht(self) -> bool:
        return self.gecontroleerd == self.combinaties

    def problems(self) -> list[Problem]:
        out = []
        where = ("controles", self.index, "instrumenten")
        if self.overlap:
            out.append(self.pack.doc.problem(
                where, f"controle '{self.controle.id}': overlap, meer dan één instrument past "
                       f"bij bijvoorbeeld {_facts(self.overlap[0])}"))
        if self.gaten:
            out.append(self.pack.doc.problem(
                where, f"controle '{self.controle.id}': gat, geen instrument past bij "
                       f"bijvoorbeeld {_facts(self.gaten[0])}"))
        return out


def _facts(example: dict[str, Any]) -> str:
    shown = ", ".join(f"{k}={'…' if v == ANDERS else v}" for k, v in sorted(
        example["feiten"].items()))
    return f"{{{shown}}} (past: {', '.join(example['past']) or 'geen'})"


def run_controles(rules: RuleBase, day: dt.date | None = None,
                  limit: int = 50_000) -> list[ControleUitslag]:
    day = day or dt.date.today()
    results = []
    for lp in rules.packs:
        if not lp.pack.controles or not lp.in_force(day):
            continue
        regime = rules.regime(day, lp.gemeente)
        for i, controle in enumerate(lp.pack.controles):
            results.append(check(regime, lp, i, controle, limit))
    return results


@dataclass(frozen=True)
class _Space:
    """The leaves and partition cells one check searches: the regime's own, or, when the
    controle has a `binnen` scope, a private copy extended with the scope's comparisons."""

    leaves: list[Leaf]
    partitions: dict[tuple[str, str], FieldPartition]
    scope: Node | None

    @classmethod
    def of(cls, regime: Regime, controle: Controle) -> _Space:
        if controle.binnen is None:
            return cls(regime.leaves.leaves, regime.partitions, None)
        table = LeafTable()
        for leaf in regime.leaves.leaves:  # same order, so the same indices as the regime's
            table.intern(leaf.path, leaf.op, leaf.value, leaf.parameter)
        scope = compile_toets(controle.binnen, table, lambda name: _param(regime, name))
        return cls(table.leaves, build_partitions(table.leaves, regime.catalogue), scope)


def check(regime: Regime, lp: LoadedPack, index: int, controle: Controle,
          limit: int) -> ControleUitslag:
    by_id = {ci.instrument.id: ci for ci in regime.instrumenten}
    group = [by_id[i] for i in controle.instrumenten if i in by_id]
    derived = {d.feit.id: d for d in regime.derived}
    gw = {g.grondwaarde.id: g.node for g in regime.grondwaarden}
    space = _Space.of(regime, controle)
    scope = space.scope

    nodes: list[Node] = [] if scope is None else [scope]
    for ci in _with_bases(group, by_id):
        nodes += _nodes(ci, gw)
    leaf_ids, seen = _input_leaves(space, nodes, derived)
    # Facts of the scope first, then the facts most conditions use: they decide (and prune)
    # the most branches earliest.
    uses: dict[tuple[str, str], int] = {}
    for i in leaf_ids:
        leaf = space.leaves[i]
        uses[(leaf.prefix, leaf.name)] = uses.get((leaf.prefix, leaf.name), 0) + 1
    in_scope = set() if scope is None else {
        (space.leaves[i].prefix, space.leaves[i].name) for i in leaves_of(scope)}
    first, conflict = (_conflicting_facts(space, group, derived) if controle.uniek
                       else ({}, set()))
    classes = _cell_classes(space, leaf_ids)

    def size(v: tuple[str, str]) -> int:
        return len(classes.get(v, ()))

    orders = [sorted(uses, key=lambda v: (v not in in_scope, first.get(v, len(first)),
                                          v not in conflict, size(v) if v in first else 0,
                                          -uses[v], v)),
              sorted(uses, key=lambda v: (v not in in_scope, v))]
    order = [d for d in sorted(derived.values(), key=lambda d: d.stratum) if d.feit.id in seen]
    result = ControleUitslag(lp, index, controle, 0, 0)
    for variables in orders:  # two variable orders; the first search that completes counts
        cells = [classes.get(v, []) for v in variables]
        total = 1
        for c in cells:
            total *= max(len(c), 1)
        result = ControleUitslag(lp, index, controle, total, 0)
        search = _Search(regime, space, group, gw, variables, cells, order, controle, result,
                         limit)
        search.run()
        if not search.cut:
            break
    return result


class _Search:
    """Backtracking over the cells of each fact, pruned with three-valued logic.

    Unassigned facts are onbekend. Kleene logic is monotone in information: a condition that is
    already nee stays nee whatever the remaining facts are. So a branch in which fewer than two
    instruments can still fit has no overlap, and a branch in which one instrument already
    certainly fits has no gap: both are cut. When the search finishes within `limit` visited
    nodes, the check is exhaustive; otherwise the report says it was cut short.
    """

    def __init__(self, regime: Regime, space: _Space, group: list[CompiledInstrument],
                 gw: dict[str, Node], variables: list[tuple[str, str]], cells: list[list[int]],
                 order: list[Any], controle: Controle, result: ControleUitslag, limit: int):
        self.regime, self.space, self.group, self.gw = regime, space, group, gw
        self.scope = space.scope
        self.variables, self.cells, self.order = variables, cells, order
        self.controle, self.result, self.limit = controle, result, limit
        self.visits = 0
        self.covered = 0
        """Combinations settled: evaluated, or in a branch pruned because it cannot hold an
        overlap or a gap. Visits also count inner nodes and probes, so they cannot say how
        much of a cut search was done."""
        self.cut = False
        self.by_id = {ci.instrument.id: ci for ci in regime.instrumenten}

    def run(self) -> None:
        self._step(0, {}, list(range(len(self.variables))))
        self.result.gecontroleerd = self.result.combinaties if not self.cut else min(
            self.covered, self.result.combinaties - 1)

    def _state(self, assignment: dict[tuple[str, str], int]) -> tuple[Callable[[int], Ternary],
                                                                       list[Ternary]]:
        values: dict[str, Ternary] = {}
        leaf_value = _leaf_values(self.space, assignment, values)
        for d in self.order:
            values[d.feit.id] = kleene(d.node, leaf_value)
        return leaf_value, [_status(ci, self.gw, leaf_value, self.by_id) for ci in self.group]

    def _open(self, assignment: dict[tuple[str, str], int]
              ) -> tuple[bool, Ternary, list[Ternary]]:
        """Whether this branch can still hold an overlap or a gap (and the state)."""
        leaf_value, statuses = self._state(assignment)
        in_scope = True if self.scope is None else kleene(self.scope, leaf_value)
        if in_scope is False:
            return False, in_scope, statuses
        possible = sum(1 for st in statuses if st is not False)
        certain = sum(1 for st in statuses if st is True)
        want_overlap = self.controle.uniek and possible >= 2 and len(self.result.overlap) < 3
        want_gap = self.controle.volledig and certain == 0 and len(self.result.gaten) < 3
        return want_overlap or want_gap, in_scope, statuses

    def _choose(self, assignment: dict[tuple[str, str], int], remaining: list[int]) -> int:
        """Fail first: near the root, a fact every cell of which closes the branch goes first
        (of the next `_PROBE_WIDTH` facts); otherwise the static order (conflicting facts
        first, see `check`). Probes count as visits, so the search stays bounded by
        `limit`."""
        if len(assignment) >= _PROBE_DEPTH:
            return remaining[0]
        for r in remaining[:_PROBE_WIDTH]:
            n = len(self.cells[r])
            if not n:
                continue
            var = self.variables[r]
            closed = 0
            for cell in self.cells[r]:
                self.visits += 1
                assignment[var] = cell
                if not self._open(assignment)[0]:
                    closed += 1
                del assignment[var]
            if closed == n:
                return r
        return remaining[0]

    def _step(self, depth: int, assignment: dict[tuple[str, str], int],
              remaining: list[int]) -> None:
        if self.cut or (len(self.result.overlap) >= 3 and len(self.result.gaten) >= 3):
            return
        self.visits += 1
        if self.visits > self.limit:
            self.cut = True
            return
        still_open, in_scope, statuses = self._open(assignment)
        if not still_open:
            self.covered += math.prod(max(len(self.cells[r]), 1) for r in remaining)
            return
        if not remaining:
            self.covered += 1
            possible = sum(1 for st in statuses if st is not False)
            certain = sum(1 for st in statuses if st is True)
            example = {"feiten": {f"{p}.{n}": _rep(self.space, p, n, c)
                                  for (p, n), c in assignment.items()},
                       "past": [ci.instrument.id for ci, st in zip(self.group, statuses,
                                                                   strict=True) if st]}
            if in_scope is True and self.controle.uniek and certain >= 2:
                self.result.overlap.append(example)
            if in_scope is True and self.controle.volledig and possible == 0:
                self.result.gaten.append(example)
            return
        index = self._choose(assignment, remaining)
        rest = [r for r in remaining if r != index]
        var = self.variables[index]
        choices: list[int | None] = list(self.cells[index]) or [None]
        for cell in choices:
            if cell is not None:
                assignment[var] = cell
            self._step(depth + 1, assignment, rest)
            assignment.pop(var, None)


_PROBE_DEPTH = 8
"""Facts assigned before the search stops probing and follows the static order."""
_PROBE_WIDTH = 6
"""Facts probed at a node: the first ones of the static order that are still unassigned.
Probing all of them (40 facts of a Participatiewet check, ~4 cells each) spent the whole
budget on probes before the search reached depth eight."""


def _status(ci: CompiledInstrument, gw: dict[str, Node], leaf_value: Any,
            by_id: dict[str, CompiledInstrument]) -> Ternary:
    """True: certainly past; False: certainly not past; None: still open (facts unassigned).

    The same rules as the advies (`engine.semantics`): a discretionary or uncertain ground
    against the instrument makes it voorwaardelijk, so never `past`, but it is no gap in the law
    either; a form is capped by its bases.
    """
    serves = [kleene(gw[g], leaf_value) for g in ci.instrument.grondwaarden if g in gw]
    served: Ternary = True if True in serves else None if None in serves else False
    if served is False:
        return False
    grounds = ci.grounds(lambda item: True if item.node is None
                         else kleene(item.node, leaf_value))
    toepassing = grounds[0] if ci.toepassing is not None else None
    if toepassing is not None and semantics.hidden_by_toepassing(
            toepassing.uitkomst, toepassing.onzeker, toepassing.beslisruimte):
        return False
    own = semantics.decide(grounds).outlook
    if own is True and served is None:
        own = None
    if not ci.instrument.vorm_van:
        return own
    bases = [by_id[b] for b in ci.instrument.vorm_van if b in by_id]
    return semantics.cap_outlook(own, [_status(b, gw, leaf_value, by_id) for b in bases])


def _leaf_values(space: _Space, assignment: dict[tuple[str, str], int],
                 values: dict[str, Ternary]) -> Callable[[int], Ternary]:
    """Leaf values for one combination of cells (derived facts read from `values`)."""

    def leaf_value(i: int) -> Ternary:
        leaf = space.leaves[i]
        if leaf.prefix == "afgeleid":
            v = values.get(leaf.name)
            return None if v is None else compare(v, leaf.op, leaf.value)
        part = space.partitions.get((kind_of(leaf.prefix), leaf.name))
        cell = assignment.get((leaf.prefix, leaf.name))
        if part is None or leaf.value is None or cell is None:
            return None  # not assigned yet: onbekend
        found: bool = part.truth[leaf.index][cell]
        return found

    return leaf_value


def _cell_classes(space: _Space, leaf_ids: set[int]) -> dict[tuple[str, str], list[int]]:
    """Per fact the search assigns, one representative cell of each class of cells that no
    comparison of this check can tell apart.

    The partition of a field serves every comparison on it in the regime (all person subjects
    share `persoon.leeftijd`: thresholds 18, 21, 27, 67, …), but a check reads only some: the
    partner's age is compared with 18 and the AOW age only. Cells on which every comparison the
    check reads of this fact has the same truth value give the same statuses, so searching one of
    them is exhaustive for all; the others would multiply the space for nothing."""
    reads: dict[tuple[str, str], list[int]] = {}
    for i in sorted(leaf_ids):
        leaf = space.leaves[i]
        if leaf.value is not None:
            reads.setdefault((leaf.prefix, leaf.name), []).append(i)
    out: dict[tuple[str, str], list[int]] = {}
    for (prefix, name), indices in reads.items():
        part = space.partitions.get((kind_of(prefix), name))
        if part is None:
            continue
        first: dict[tuple[bool, ...], int] = {}
        for cell in range(len(part.cells)):
            first.setdefault(tuple(part.truth[i][cell] for i in indices), cell)
        out[(prefix, name)] = sorted(first.values())
    return out


def _param(regime: Regime, name: str) -> Any:
    pv = regime.parameters.get(name)
    return None if pv is None else pv.waarde.waarde


def _rep(space: _Space, prefix: str, name: str, cell: int) -> Any:
    """How a cell reads in a report's example: the value, `ANDERS` for "none of the named
    values", and `<t`, `>t` or `t..u` (strictly between) for the cells between thresholds."""
    part = space.partitions[(kind_of(prefix), name)]
    op, args = part.cells[cell]
    if op == "eq":
        return _number(args[0])
    if op == "none_of":
        return ANDERS
    lo, hi = _number(args[0]), _number(args[-1])
    return {"lt": f"<{lo}", "gt": f">{lo}"}.get(op, f"{lo}..{hi}")


def _number(value: Any) -> Any:
    """A threshold as a person reads it: 65, not 65.0 (thresholds are kept as floats)."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _input_leaves(space: _Space, nodes: list[Node], derived: dict[str, Any]
                  ) -> tuple[set[int], set[str]]:
    """The casus-fact leaves under these trees, through derived facts, and the derived facts
    passed on the way."""
    leaf_ids: set[int] = set()
    seen: set[str] = set()
    stack = list(nodes)
    while stack:
        for i in leaves_of(stack.pop()):
            leaf = space.leaves[i]
            if leaf.prefix == "afgeleid":
                if leaf.name not in seen and leaf.name in derived:
                    seen.add(leaf.name)
                    stack.append(derived[leaf.name].node)
            else:
                leaf_ids.add(i)
    return leaf_ids, seen


def _conflicting_facts(space: _Space, group: list[CompiledInstrument],
                       derived: dict[str, Any]) -> tuple[dict[tuple[str, str], int],
                                                         set[tuple[str, str]]]:
    """Facts one instrument needs (a voorwaarde) and another is excluded by (an uitsluiting):
    e.g. the AOW age, which AIO requires and algemene bijstand excludes. Deciding these first
    separates the instruments of a `uniek` check in a few steps.

    Two ranks. First the inputs of what the instruments read directly on both sides (the
    derived fact `pw_svb_bevoegd`, read by AIO's voorwaarde and bijstand's uitsluiting): once
    it is decided one instrument is out. Of several such, the one with the fewest inputs goes
    first (`pw_svb_bevoegd` before `pw_echtgenoot_kan_recht_hebben`, whose nine facts of the
    partner would otherwise multiply the tree before the AOW age is reached); the returned
    mapping gives each fact the rank of the first it feeds. Then every input either side
    reaches through derived facts; a derived fact that reads the aanvrager's or the person's
    facts depending on who the effect is of (`pw_recht_bij_aanvrager`) puts dozens of facts
    there, most of which separate nothing."""

    def direct(grounds: list[semantics.Ground]) -> set[tuple[str, str]]:
        leaves = space.leaves
        return {(leaves[i].prefix, leaves[i].name) for g in grounds
                if g.source.node is not None for i in leaves_of(g.source.node)}

    def inputs(names: set[tuple[str, str]]) -> set[tuple[str, str]]:
        nodes = [derived[n].node for p, n in names if p == "afgeleid" and n in derived]
        leaves = space.leaves
        return ({f for f in names if f[0] != "afgeleid"}
                | {(leaves[i].prefix, leaves[i].name)
                   for i in _input_leaves(space, nodes, derived)[0]})

    pos, neg = [], []
    for ci in group:
        grounds = ci.grounds(lambda item: None)
        pos.append(direct([g for g in grounds if g.kind == "voorwaarde"]))
        neg.append(direct([g for g in grounds if g.kind in ("uitsluiting", "voorliggend")]))
    pairs = [(p, n) for i, p in enumerate(pos) for j, n in enumerate(neg) if i != j]
    shared = sorted({f for p, n in pairs for f in p & n},
                    key=lambda f: (len(inputs({f})), f))
    first: dict[tuple[str, str], int] = {}
    for rank, name in enumerate(shared):  # the fewest inputs first: decided soonest
        for f in sorted(inputs({name})):
            first.setdefault(f, rank)
    second = {f for p, n in pairs for f in inputs(p) & inputs(n)}
    return first, second


def _with_bases(group: list[CompiledInstrument], by_id: dict[str, CompiledInstrument]
                ) -> list[CompiledInstrument]:
    """The group and, transitively, what its forms are forms of (their facts decide too)."""
    out: list[CompiledInstrument] = []
    stack = list(group)
    while stack:
        ci = stack.pop()
        if ci in out:
            continue
        out.append(ci)
        stack.extend(by_id[b] for b in ci.instrument.vorm_van if b in by_id)
    return out


def _nodes(ci: CompiledInstrument, gw: dict[str, Node]) -> list[Node]:
    nodes = [g for g in (gw.get(x) for x in ci.instrument.grondwaarden) if g is not None]
    if ci.toepassing is not None and ci.toepassing.node is not None:
        nodes.append(ci.toepassing.node)
    for item in (*ci.voorwaarden, *ci.uitsluitingen, *ci.voorliggend):
        if item.node is not None:
            nodes.append(item.node)
    return nodes
