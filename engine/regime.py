"""A regime: everything in force on one peildatum, compiled once and shared by all requests.

The peildatum picks one version of every rule and one value of every parameter. All dates that
share the same choices share one `Regime` (and so one durable-rules ruleset): the breakpoints are
the validity boundaries of every item, found once when the rule base is built.
"""

from __future__ import annotations

import bisect
import dataclasses
import datetime as dt
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from engine import semantics
from engine.catalogue import Catalogue, FactSpec
from engine.citation import Rechtsgrond
from engine.conditions import LeafTable, Node, Ternary, compile_toets, leaves_of
from engine.language import (
    TREDE_ORDER,
    AfgeleidFeit,
    Annotatie,
    Grondwaarde,
    Instrument,
    Parameter,
    ParameterWaarde,
    Toepassing,
)
from engine.loader import LoadedPack, build_catalogue, load_packs
from engine.partition import FieldPartition, build_partitions


@dataclass(frozen=True)
class CompiledItem:
    """A named condition (voorwaarde, uitsluiting, voorliggend, termijn) with its tree."""

    id: str
    node: Node | None
    source: Any


@dataclass(frozen=True)
class CompiledInstrument:
    pack: LoadedPack
    instrument: Instrument
    toepassing: CompiledItem | None
    """Its source is always the long form (`Toepassing`); a bare toets is wrapped."""
    voorwaarden: tuple[CompiledItem, ...]
    uitsluitingen: tuple[CompiledItem, ...]
    voorliggend: tuple[CompiledItem, ...]
    begrenzingen: tuple[CompiledItem, ...]
    termijnen: tuple[CompiledItem, ...]
    order: tuple[int, str, int]
    derived: frozenset[str] = frozenset()
    """Derived facts its conditions use (transitively): the ones its trace must explain."""

    def grounds(self, value: Callable[[CompiledItem], Ternary]) -> list[semantics.Ground]:
        """Every ground its status depends on, in the order of the YAML, with the outcome
        `value` gives each item. The advies and the decision-table checks both start here, so
        which items count (a voorliggend only with `gevolg: uitsluiting`) is written once;
        `engine.semantics` decides what they mean."""
        out = []
        if self.toepassing is not None:
            src = self.toepassing.source
            out.append(semantics.Ground("toepassing", "toepassing", value(self.toepassing),
                                        src.onzeker, src.beslisruimte, self.toepassing))
        sections: tuple[tuple[semantics.GroundKind, tuple[CompiledItem, ...]], ...] = (
            ("voorwaarde", self.voorwaarden), ("uitsluiting", self.uitsluitingen),
            ("voorliggend", self.voorliggend), ("begrenzing", self.begrenzingen))
        for kind, items in sections:
            for item in items:
                src = item.source
                if kind == "voorliggend" and src.gevolg != "uitsluiting":
                    continue
                out.append(semantics.Ground(kind, item.id, value(item), src.onzeker,
                                            src.beslisruimte, item))
        return out


@dataclass(frozen=True)
class CompiledGrondwaarde:
    pack: LoadedPack
    grondwaarde: Grondwaarde
    node: Node
    derived: frozenset[str] = frozenset()


@dataclass(frozen=True)
class CompiledDerived:
    pack: LoadedPack
    feit: AfgeleidFeit
    node: Node
    stratum: int


@dataclass(frozen=True)
class ParamValue:
    """A parameter's value on the peildatum, and where it comes from (law or local overlay)."""

    parameter: Parameter
    waarde: ParameterWaarde
    pakket: str
    rechtsgrond: Rechtsgrond
    lokaal: bool


@dataclass
class Regime:
    """The compiled rule base for one interval of peildata."""

    start: dt.date
    end: dt.date
    packs: tuple[LoadedPack, ...]
    catalogue: Catalogue
    parameters: dict[str, ParamValue]
    leaves: LeafTable
    derived: tuple[CompiledDerived, ...]
    strata: tuple[tuple[CompiledDerived, ...], ...]
    grondwaarden: tuple[CompiledGrondwaarde, ...]
    instrumenten: tuple[CompiledInstrument, ...]
    partitions: dict[tuple[str, str], FieldPartition]
    overlays: tuple[str, ...] = ()
    annotaties: dict[str, list[tuple[LoadedPack, Annotatie]]] = field(default_factory=dict)
    backend_state: dict[str, Any] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def fact_spec(self, path: str) -> FactSpec:
        spec = self.catalogue.resolve(path)
        assert spec is not None, path
        return spec


class RuleBase:
    """All loaded packs; hands out the (cached) regime for a peildatum."""

    def __init__(self, packs: Sequence[LoadedPack]):
        self.packs = tuple(packs)
        self.catalogue = build_catalogue(self.packs)
        bounds: set[dt.date] = set()
        for lp in self.packs:
            bounds.add(lp.start)
            if lp.pack.regelpakket.geldig_tot:
                bounds.add(lp.pack.regelpakket.geldig_tot + dt.timedelta(days=1))
            items: list[Any] = [*lp.pack.grondwaarden, *lp.pack.instrumenten,
                                *lp.pack.afgeleide_feiten,
                                *(w for p in lp.pack.parameters for w in p.waarden),
                                *(w for inv in lp.pack.invullingen for w in inv.waarden)]
            for item in items:
                if item.geldig_vanaf:
                    bounds.add(item.geldig_vanaf)
                if item.geldig_tot:
                    bounds.add(item.geldig_tot + dt.timedelta(days=1))
        self.breakpoints = sorted(bounds)
        self.gemeenten = frozenset(lp.gemeente for lp in self.packs if lp.gemeente)
        self._cache: dict[tuple[int, str | None], Regime] = {}
        self._lock = threading.Lock()

    def coverage(self) -> dict[str, tuple[dt.date, dt.date]]:
        """Per national law (pack id): the first and last peildatum its pack covers."""
        return {lp.id: (lp.start, lp.end) for lp in self.packs if lp.gemeente is None}

    def uncovered(self, peildatum: dt.date) -> str | None:
        """Why no full advies can be given on this peildatum, or None when every law is in force.

        An advies without one of the laws would silently say "geen grondwaarde" for it: the
        consulent is told instead which dates the rule base covers.
        """
        missing = [(pid, a, b) for pid, (a, b) in sorted(self.coverage().items())
                   if not a <= peildatum <= b]
        if not missing:
            return None
        spans = self.coverage().values()
        first = max(a for a, _ in spans)
        last = min(b for _, b in spans)

        def show(day: dt.date) -> str:
            return "open einde" if day == dt.date.max else day.isoformat()

        laws = "; ".join(f"{pid} geldt van {a.isoformat()} t/m {show(b)}"
                         for pid, a, b in missing)
        covered = (f"gedekt zijn de peildata {first.isoformat()} t/m {show(last)}"
                   if first <= last else "er is geen peildatum waarop alle wetten gelden")
        return (f"op {peildatum.isoformat()} is niet van elke wet een regelpakket van kracht "
                f"({laws}); {covered}")

    def instrument_id(self, name: str) -> str | None:
        """The current id of an instrument, also when `name` is an old id (`aliassen`)."""
        for lp in self.packs:
            for ins in lp.pack.instrumenten:
                if name == ins.id or name in ins.aliassen:
                    return ins.id
        return None

    @classmethod
    def load(cls, paths: Sequence[Any] | None = None) -> RuleBase:
        return cls(load_packs(paths))

    def compiled_regimes(self) -> list[Regime]:
        with self._lock:
            return list(self._cache.values())

    def regime(self, peildatum: dt.date, gemeente: str | None = None) -> Regime:
        """The regime in force on `peildatum` (with the local overlays of `gemeente`, if any),
        compiled on first use and cached."""
        slot = bisect.bisect_right(self.breakpoints, peildatum)
        key = (slot, gemeente if gemeente in self.gemeenten else None)
        cached = self._cache.get(key)
        if cached is not None:
            return cached
        with self._lock:
            cached = self._cache.get(key)
            if cached is None:
                cached = self._compile(peildatum, slot, key[1])
                self._cache[key] = cached
            return cached

    def _compile(self, day: dt.date, slot: int, gemeente: str | None = None) -> Regime:
        start = self.breakpoints[slot - 1] if slot > 0 else dt.date.min
        end = (self.breakpoints[slot] - dt.timedelta(days=1)
               if slot < len(self.breakpoints) else dt.date.max)
        packs = tuple(lp for lp in self.packs if lp.in_force(day)
                      and lp.gemeente in (None, gemeente))
        parameters: dict[str, ParamValue] = {}
        for lp in packs:
            for p in lp.pack.parameters:
                for w in p.waarden:
                    a, b = lp.span(w)
                    if a <= day <= b:
                        # a local pack's own parameter (a limit of its own regeling) is local
                        # too, not only its invullingen of national open norms (fresh116 CM5)
                        parameters[p.id] = ParamValue(p, w, lp.id, p.rechtsgrond,
                                                      lp.gemeente is not None)
        national = {p.id: p for lp in packs for p in lp.pack.parameters}
        annotaties: dict[str, list[tuple[LoadedPack, Annotatie]]] = {}
        for lp in packs:
            if lp.gemeente is None:
                continue
            for inv in lp.pack.invullingen:
                for w in inv.waarden:
                    a, b = lp.span(w)
                    if a <= day <= b and inv.parameter in national:
                        parameters[inv.parameter] = ParamValue(
                            national[inv.parameter], w, lp.id, inv.rechtsgrond, True)
            for ann in lp.pack.annotaties:
                annotaties.setdefault(ann.instrument, []).append((lp, ann))

        def resolve(name: str) -> Any:
            found = parameters.get(name)
            return None if found is None else found.waarde.waarde

        table = LeafTable()

        def comp(toets: Any) -> Node | None:
            return None if toets is None else compile_toets(toets, table, resolve)

        def current(lp: LoadedPack, items: Sequence[Any]) -> list[Any]:
            out = []
            for it in items:
                a, b = lp.span(it)
                if a <= day <= b:
                    out.append(it)
            return out

        derived_raw: list[tuple[LoadedPack, AfgeleidFeit, Node]] = []
        for lp in packs:
            for af in current(lp, lp.pack.afgeleide_feiten):
                node = comp(af.toets)
                assert node is not None
                derived_raw.append((lp, af, node))
        by_name = {af.id: (lp, af, node) for lp, af, node in derived_raw}
        strata_of: dict[str, int] = {}

        def stratum(name: str) -> int:
            if name not in strata_of:
                _, _, node = by_name[name]
                deps = [table.leaves[i].name for i in leaves_of(node)
                        if table.leaves[i].prefix == "afgeleid" and table.leaves[i].name
                        in by_name]
                strata_of[name] = 1 + max((stratum(d) for d in deps), default=0)
            return strata_of[name]

        derived = tuple(CompiledDerived(lp, af, node, stratum(af.id))
                        for lp, af, node in derived_raw)
        n_strata = max((d.stratum for d in derived), default=0)
        strata = tuple(tuple(d for d in derived if d.stratum == s)
                       for s in range(1, n_strata + 1))

        def uses(nodes: Sequence[Node | None]) -> frozenset[str]:
            found: set[str] = set()
            stack = [n for n in nodes if n is not None]
            while stack:
                for i in leaves_of(stack.pop()):
                    leaf = table.leaves[i]
                    if leaf.prefix == "afgeleid" and leaf.name not in found:
                        found.add(leaf.name)
                        stack.append(by_name[leaf.name][2])
            return frozenset(found)

        grondwaarden = []
        for lp in packs:
            for g in current(lp, lp.pack.grondwaarden):
                node = comp(g.toets)
                assert node is not None
                grondwaarden.append(CompiledGrondwaarde(lp, g, node, uses([node])))

        instrumenten = []
        for p_order, lp in enumerate(packs):
            for i_order, ins in enumerate(current(lp, lp.pack.instrumenten)):
                def items(seq: Sequence[Any]) -> tuple[CompiledItem, ...]:
                    return tuple(CompiledItem(x.id, comp(x.toets), x) for x in seq)

                toepassing = None
                if ins.toepassing is not None:
                    source = (ins.toepassing if isinstance(ins.toepassing, Toepassing)
                              else Toepassing(toets=ins.toepassing))
                    toepassing = CompiledItem("toepassing", comp(source.toets), source)
                compiled = CompiledInstrument(
                    pack=lp, instrument=ins, toepassing=toepassing,
                    voorwaarden=items(ins.voorwaarden), uitsluitingen=items(ins.uitsluitingen),
                    voorliggend=items(ins.voorliggend), begrenzingen=items(ins.begrenzingen),
                    termijnen=items(ins.termijnen),
                    order=(TREDE_ORDER[ins.trede], f"{p_order:03d}", i_order))
                nodes = [None if toepassing is None else toepassing.node, *(x.node for x in (
                    *compiled.voorwaarden, *compiled.uitsluitingen, *compiled.voorliggend,
                    *compiled.begrenzingen, *compiled.termijnen))]
                instrumenten.append(dataclasses.replace(compiled, derived=uses(nodes)))
        instrumenten.sort(key=lambda c: c.order)
        catalogue = self.catalogue
        return Regime(start=start, end=end,
                      packs=packs, catalogue=catalogue,
                      parameters=parameters, leaves=table, derived=derived, strata=strata,
                      grondwaarden=tuple(grondwaarden), instrumenten=tuple(instrumenten),
                      partitions=build_partitions(table.leaves, catalogue),
                      overlays=tuple(lp.id for lp in packs if lp.gemeente),
                      annotaties=annotaties)
