"""Three-valued conditions: compiled trees, Kleene logic and the meaning of each operator.

A condition tree from YAML is compiled once per regime into tuples that point at a shared leaf
table (identical comparisons across instruments and packs are one leaf). Evaluation takes a
function `leaf -> True | False | None` (None = onbekend), so the durable-rules backend and the
plain-Python oracle share this code and differ only in how leaves get their values.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from engine.language import Alle, EenVan, Niet, Toets, Vergelijking

Ternary = bool | None


@dataclass(frozen=True, slots=True)
class LeafNode:
    """A comparison: the index of its leaf in the regime's `LeafTable`."""

    index: int


@dataclass(frozen=True, slots=True)
class AllNode:
    """`alle`: Kleene conjunction."""

    children: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class AnyNode:
    """`een_van`: Kleene disjunction."""

    children: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class NotNode:
    """`niet`: negation, onbekend stays onbekend."""

    child: Node


@dataclass(frozen=True, slots=True)
class DefaultNode:
    """A comparison with `bij_onbekend`: its leaf's value, or `value` while the leaf is
    onbekend. Never onbekend itself, so nothing under it is asked."""

    child: LeafNode
    value: bool


Node = LeafNode | AllNode | AnyNode | NotNode | DefaultNode
"""A compiled condition. Typed so that a node kind nobody handles is an error (`_unknown`), not
a silent fall-through; equality includes the kind, so hash-consing never merges an `alle`
with an `een_van` over the same children."""


def _unknown(node: object) -> TypeError:
    return TypeError(f"onbekend soort toetsknoop: {type(node).__name__}")

UITKOMST = {True: "ja", False: "nee", None: "onbekend"}


@dataclass(frozen=True)
class Leaf:
    """One distinct comparison of the regime, with its right-hand value resolved."""

    index: int
    path: str
    op: str
    value: Any
    parameter: str | None
    prefix: str = field(init=False)
    name: str = field(init=False)
    shown: Any = field(init=False)
    """The right-hand value as the trace shows it (a list, not a tuple)."""

    def __post_init__(self) -> None:
        prefix, _, name = self.path.partition(".")
        object.__setattr__(self, "prefix", prefix)
        object.__setattr__(self, "name", name)
        object.__setattr__(self, "shown", list(self.value) if isinstance(self.value, tuple)
                           else self.value)


def compare(value: Any, op: str, rvalue: Any) -> bool:
    """The meaning of each operator on a *known* value (unknown never reaches here)."""
    if op == "=":
        return bool(value == rvalue)
    if op == "!=":
        return bool(value != rvalue)
    if op == "<":
        return bool(value < rvalue)
    if op == "<=":
        return bool(value <= rvalue)
    if op == ">":
        return bool(value > rvalue)
    if op == ">=":
        return bool(value >= rvalue)
    if op == "in":
        return value in rvalue
    if op == "niet_in":
        return value not in rvalue
    if op == "bevat":
        return rvalue in value
    if op == "bevat_niet":
        return rvalue not in value
    raise ValueError(f"onbekende operator {op!r}")


class LeafTable:
    """Interns comparisons so that each distinct one is evaluated once per context."""

    def __init__(self) -> None:
        self.leaves: list[Leaf] = []
        self._index: dict[tuple[str, str, Any, str | None], int] = {}
        self._nodes: dict[Node, Node] = {}

    def node(self, node: Node) -> Node:
        """Hash-consing: structurally equal subtrees become one object, so their evaluation
        and trace can be shared by every instrument that repeats the same condition."""
        return self._nodes.setdefault(node, node)

    def intern(self, path: str, op: str, value: Any, parameter: str | None) -> int:
        frozen = tuple(value) if isinstance(value, list) else value
        # bool is an int subclass in Python: keep True and 1 apart in the key.
        key = (path, op, (type(frozen).__name__, frozen), parameter)
        found = self._index.get(key)
        if found is not None:
            return found
        leaf = Leaf(len(self.leaves), path, op, frozen, parameter)
        self.leaves.append(leaf)
        self._index[key] = leaf.index
        return leaf.index


def compile_toets(toets: Toets, table: LeafTable,
                  resolve_parameter: Callable[[str], Any]) -> Node:
    """YAML tree -> tuple tree over interned leaves."""
    if isinstance(toets, Vergelijking):
        value = resolve_parameter(toets.parameter) if toets.parameter else toets.waarde
        leaf = table.node(LeafNode(table.intern(toets.feit, toets.op, value, toets.parameter)))
        if toets.bij_onbekend is None:
            return leaf
        assert isinstance(leaf, LeafNode)
        return table.node(DefaultNode(leaf, toets.bij_onbekend == "ja"))
    if isinstance(toets, Alle):
        return table.node(AllNode(tuple(compile_toets(t, table, resolve_parameter)
                                        for t in toets.alle)))
    if isinstance(toets, EenVan):
        return table.node(AnyNode(tuple(compile_toets(t, table, resolve_parameter)
                                        for t in toets.een_van)))
    if isinstance(toets, Niet):
        return table.node(NotNode(compile_toets(toets.niet, table, resolve_parameter)))
    raise TypeError(f"onbekend soort toets: {type(toets).__name__}")


def evaluate(node: Node, leaf_value: Callable[[int], Ternary]) -> Ternary:
    """Kleene evaluation without a trace (used for derived facts and counting)."""
    if isinstance(node, LeafNode):
        return leaf_value(node.index)
    if isinstance(node, AllNode):
        result: Ternary = True
        for child in node.children:
            v = evaluate(child, leaf_value)
            if v is False:
                return False
            if v is None:
                result = None
        return result
    if isinstance(node, AnyNode):
        result = False
        for child in node.children:
            v = evaluate(child, leaf_value)
            if v is True:
                return True
            if v is None:
                result = None
        return result
    if isinstance(node, NotNode):
        v = evaluate(node.child, leaf_value)
        return None if v is None else not v
    if isinstance(node, DefaultNode):
        return with_default(node, leaf_value(node.child.index))
    raise _unknown(node)


def with_default(node: DefaultNode, leaf: Ternary) -> bool:
    """The value of a `bij_onbekend` comparison from its leaf's (the one place it is decided)."""
    return node.value if leaf is None else leaf


def combine(node: AllNode | AnyNode, values: list[Ternary]) -> Ternary:
    """The Kleene value of an `alle` or `een_van` from its children's values."""
    if isinstance(node, AllNode):
        return False if False in values else None if None in values else True
    return True if True in values else None if None in values else False


def leaves_of(node: Node) -> list[int]:
    if isinstance(node, LeafNode):
        return [node.index]
    if isinstance(node, NotNode | DefaultNode):
        return leaves_of(node.child)
    if isinstance(node, AllNode | AnyNode):
        return [i for child in node.children for i in leaves_of(child)]
    raise _unknown(node)


def undecided_leaves(node: Node, leaf_value: Callable[[int], Ternary]) -> list[int]:
    """Unknown leaves that can still matter: only inside subtrees whose value is onbekend."""
    return _undecided(node, leaf_value)[1]


def _undecided(node: Node, leaf_value: Callable[[int], Ternary]) -> tuple[Ternary, list[int]]:
    """One bottom-up pass: the node's value and, if onbekend, the unknown leaves under it."""
    if isinstance(node, LeafNode):
        v = leaf_value(node.index)
        return v, ([node.index] if v is None else [])
    if isinstance(node, NotNode):
        v, leaves = _undecided(node.child, leaf_value)
        return (None if v is None else not v), leaves
    if isinstance(node, DefaultNode):
        return with_default(node, leaf_value(node.child.index)), []
    if not isinstance(node, AllNode | AnyNode):
        raise _unknown(node)
    values: list[Ternary] = []
    unknown: list[int] = []
    for child in node.children:
        v, leaves = _undecided(child, leaf_value)
        values.append(v)
        if v is None:
            unknown.extend(leaves)
    value = combine(node, values)
    return value, (unknown if value is None else [])
