"""The only module that talks to durable-rules (2.0.28, unmaintained; see docs/durable-rules.md).

It follows the safe pattern measured in `../shared/domain/durable-rules.md`:
* a host without background threads (`_SyncHost`, CRASH C: the dispatcher thread segfaults);
* one ruleset per regime, compiled once, from a deep-copied dict;
* a fresh session id per evaluation and a sentinel rule that fires first in every session
  (CRASH A: `delete_state` on a session in which no action ran segfaults);
* facts asserted one by one with explicit ids in a fixed order (determinism, hash collisions);
* `delete_state` in `finally`, and a hard bound on live sessions far below the 1,024 cap
  (CRASH B: the 1,024th session raises and re-using its sid segfaults);
* actions only record which cell fired; an exception inside one is caught and reported;
* a regime's ruleset is deleted on the C side once the regime is gone (a replaced or dropped
  RuleBase): otherwise every reload leaks it (`delete_ruleset`, "Reload" in the measurements).

What durable-rules decides here: for every known field of every fact, which cell of its partition
(`engine.partition`) the value falls in, and the forward chaining of derived facts (a stratum rule
whose action asserts the derived facts, which the cell rules then match).
"""

from __future__ import annotations

import collections
import contextlib
import itertools
import threading
import uuid
import weakref
from collections.abc import Callable
from typing import Any

import durable_rules_engine
from durable import engine as durable_engine

from engine.conditions import Leaf, Ternary
from engine.errors import EngineError
from engine.partition import Cell, FieldPartition, kind_of
from engine.regime import Regime

MAX_RULES = 4096
"""durable-rules refuses a ruleset above this (error 106)."""
MAX_LIVE_SESSIONS = 256
"""Hard bound, well below durable-rules' 1,024 sessions per ruleset."""
MAX_ALPHA_FANOUT = 32
"""durable-rules walks matching alpha nodes with a fixed stack of 64 (ERR_MAX_STACK_SIZE); a
fact's fields are split over several durable facts to stay well below it."""
MAX_FACT_PROPERTIES = 200
"""durable-rules refuses a fact of more than ~255 properties (error 302)."""


class _SyncHost(durable_engine.Host):  # type: ignore[misc]
    """A host whose timer threads never start: actions run in the caller's thread."""

    def _run(self) -> None:
        return None


def fnv1a_32(text: str) -> int:
    """durable-rules identifies property names by this hash alone (never compares strings)."""
    h = 0x811C9DC5
    for byte in text.encode("utf-8"):
        h ^= byte
        h = (h * 0x01000193) & 0xFFFFFFFF
    return h


FactRecord = tuple[str, str, dict[str, Any]]
"""(fact id, kind, values by field name); None values are onbekend and never asserted."""


class DurableBackend:
    """Evaluates leaves by asserting facts into a durable-rules session per evaluation."""

    name = "durable"

    def __init__(self) -> None:
        self._host = _SyncHost()
        self._lock = threading.RLock()
        self._counter = itertools.count(1)
        self.sessions: dict[str, DurableSession] = {}
        self.handles: list[str] = []
        self._orphans: collections.deque[str] = collections.deque()
        """Rulesets whose regime was garbage-collected. A finalizer may run in any thread at
        any moment, so it only queues the name; the ruleset is deleted at the next session
        start, under the lock, where no session can be using it (a session holds its
        regime, so an orphan's regime has none)."""

    # -- compilation -----------------------------------------------------------------------
    def _ruleset(self, regime: Regime) -> str:
        name = regime.backend_state.get("durable")
        if name is not None:
            return str(name)
        with self._lock:
            name = regime.backend_state.get("durable")
            if name is None:
                name = f"ot_{next(self._counter)}"
                definition = self._compile(regime)
                if len(definition) > MAX_RULES:
                    raise EngineError(f"ruleset heeft {len(definition)} regels; durable-rules "
                                      f"accepteert er hoogstens {MAX_RULES}")
                # register_rulesets mutates the dict (it pops 'run'); it is built fresh here.
                self._host.register_rulesets({name: definition})
                self.handles.append(name)
                regime.backend_state["durable"] = name
                regime.backend_state["durable_rules"] = len(definition)
                regime.backend_state["durable_finalizer"] = weakref.finalize(
                    regime, self._orphans.append, name)
            return str(name)

    def _compile(self, regime: Regime) -> dict[str, Any]:
        check_names(regime.partitions)
        groups = field_groups(regime.partitions)
        regime.backend_state["durable_groups"] = groups
        rules: dict[str, Any] = {
            "__begin": {"all": [{"m": {"__begin": 1}}], "run": _noop},
            "__chain": {"all": [{"m": {"kind": "__stratum"}}], "run": self._chain_action},
        }
        for (kind, name), part in regime.partitions.items():
            group_kind = f"{kind}#{groups[(kind, name)]}"
            for index, conditions in enumerate(field_conditions(name, part)):
                conds: list[dict[str, Any]] = [{"kind": group_kind}, *conditions]
                rules[f"{kind}|{name}|{index}"] = {
                    "all": [{"m": {"$and": conds}}],
                    "run": self._cell_action(kind, name, index),
                }
        return rules

    def release(self, regime: Regime) -> None:
        """Delete a regime's ruleset on the C side now (a rebuild otherwise leaks its memory;
        a regime that is simply dropped has its ruleset deleted after it is collected)."""
        with self._lock:
            name = regime.backend_state.pop("durable", None)
            finalizer = regime.backend_state.pop("durable_finalizer", None)
            if finalizer is not None:
                finalizer.detach()
            if name is not None:
                self._delete(str(name))

    def _delete(self, name: str) -> None:
        """Under the lock: unregister one ruleset and free it on the C side."""
        ruleset = self._host._ruleset_directory.pop(name, None)
        if ruleset is None:
            return
        self._host._ruleset_list.remove(ruleset)
        durable_rules_engine.delete_ruleset(ruleset._handle)
        if name in self.handles:
            self.handles.remove(name)

    def _delete_orphans(self) -> None:
        """Under the lock: delete the rulesets of regimes that were collected."""
        while self._orphans:
            self._delete(self._orphans.popleft())

    # -- actions (run synchronously inside assert_fact) ----------------------------------------
    def _cell_action(self, kind: str, name: str, index: int) -> Callable[[Any], None]:
        def action(c: Any) -> None:
            session = self.sessions.get(c.s.sid)
            if session is None:
                return
            try:
                session.cells[(c.m.id.partition("#")[0], name)] = index
                session.firings += 1
            except Exception as exc:  # pragma: no cover - defensive, reported below
                session.errors.append(f"{kind}.{name}: {exc!r}")

        return action

    # durable-rules counts a callback's parameters (one: synchronous); mutmut's wrapper would
    # hide them, so the two callbacks given to it by reference are left unmutated
    def _chain_action(self, c: Any) -> None:  # pragma: no mutate block
        session = self.sessions.get(c.s.sid)
        if session is None:
            return
        session.firings += 1
        try:
            for fact in session.pending:
                with contextlib.suppress(durable_engine.MessageNotHandledException):
                    c.assert_fact(fact)
        except Exception as exc:  # pragma: no cover - defensive
            session.errors.append(f"afgeleide feiten: {exc!r}")
        finally:
            session.pending = []

    # -- sessions ----------------------------------------------------------------------------
    def open(self, regime: Regime, records: list[FactRecord]) -> DurableSession:
        ruleset = self._ruleset(regime)
        session = DurableSession(self, regime, ruleset)
        session.start(records)
        return session

    @property
    def live_sessions(self) -> int:
        return len(self.sessions)


class DurableSession:
    """One evaluation's session; must be closed (the evaluator does so in `finally`)."""

    def __init__(self, backend: DurableBackend, regime: Regime, ruleset: str):
        self.backend = backend
        self.regime = regime
        self.ruleset = ruleset
        self.sid = uuid.uuid4().hex
        self.cells: dict[tuple[str, str], int] = {}
        self.pending: list[dict[str, Any]] = []
        self.errors: list[str] = []
        self.firings = 0
        self._strata = 0
        self._open = False

    def _facts(self, record: FactRecord) -> list[dict[str, Any]]:
        """One durable fact per field group of the record's kind (see `field_groups`)."""
        fact_id, kind, values = record
        parts = self.regime.partitions
        groups: dict[tuple[str, str], int] = self.regime.backend_state["durable_groups"]
        facts: dict[int, dict[str, Any]] = {}
        for name, value in values.items():
            part = parts.get((kind, name))
            if part is None or value is None:
                continue
            g = groups[(kind, name)]
            fact = facts.setdefault(g, {"sid": self.sid, "id": f"{fact_id}#{g}",
                                        "kind": f"{kind}#{g}"})
            fact[name] = part.encode(value)
        for fact in facts.values():
            if len(fact) > MAX_FACT_PROPERTIES:
                raise EngineError(f"feit {fact_id} heeft te veel velden voor durable-rules")
        return [facts[g] for g in sorted(facts)]

    def _assert(self, fact: dict[str, Any]) -> None:
        # A fact no rule matches raises MessageNotHandled: all its fields stay onbekend.
        with contextlib.suppress(durable_engine.MessageNotHandledException):
            self.backend._host.assert_fact(self.ruleset, fact)
        if self.errors:
            raise EngineError("; ".join(self.errors))

    def start(self, records: list[FactRecord]) -> None:
        backend = self.backend
        backend._lock.acquire()
        try:
            backend._delete_orphans()
            if len(backend.sessions) >= MAX_LIVE_SESSIONS:
                raise EngineError("te veel gelijktijdige durable-rules sessies")
            backend.sessions[self.sid] = self
            self._open = True
            self._assert({"sid": self.sid, "id": "f0", "__begin": 1})
            for record in records:
                for fact in self._facts(record):
                    self._assert(fact)
        except BaseException:
            self.close()
            raise

    def add(self, records: list[FactRecord]) -> None:
        """Chain one stratum of derived facts: the stratum rule's action asserts them."""
        self.pending = [f for r in records for f in self._facts(r)]
        self._strata += 1
        self._assert({"sid": self.sid, "id": f"s{self._strata}", "kind": "__stratum"})

    def value(self, fact_id: str, leaf: Leaf) -> Ternary:
        part = self.regime.partitions.get((kind_of(leaf.prefix), leaf.name))
        if part is None:
            return None
        cell = self.cells.get((fact_id, leaf.name))
        if cell is None:
            return None
        return part.truth[leaf.index][cell]

    def close(self) -> None:
        """Delete the session state; always runs, and releases the lock exactly once."""
        if not self._open:
            return
        backend = self.backend
        try:
            state = backend._host.get_state(self.ruleset, self.sid)
            exception = state.get("exception") if isinstance(state, dict) else None
            backend._host.delete_state(self.ruleset, self.sid)
            if exception:
                raise EngineError(f"durable-rules meldde een fout in een actie: {exception}")
        finally:
            backend.sessions.pop(self.sid, None)
            self._open = False
            backend._lock.release()


def _noop(c: Any) -> None:  # pragma: no mutate block  (see _chain_action)
    return None


def _cell_conditions(name: str, cell: Cell) -> list[dict[str, Any]]:
    op, args = cell
    if op == "eq":
        return [{name: args[0]}]
    if op == "none_of":
        return [{"$neq": {name: v}} for v in args] or [{"$ex": {name: 1}}]
    if op == "lt":
        return [{"$lt": {name: args[0]}}]
    if op == "gt":
        return [{"$gt": {name: args[0]}}]
    if op == "between":
        return [{"$gt": {name: args[0]}}, {"$lt": {name: args[1]}}]
    raise EngineError(f"onbekende cel {cell!r}")


def field_conditions(name: str, part: FieldPartition) -> list[list[dict[str, Any]]]:
    """Conditions per cell. Numbers use a binary decision path (`x < m` / `x >= m` at every
    split): cells share their path prefixes, durable-rules shares identical alpha nodes, and so
    at most one node per level matches a value. A flat `x > t` per cell would let a large value
    match every threshold at once and overflow durable's 64-deep alpha stack."""
    if part.type not in ("geheel", "bedrag"):
        return [_cell_conditions(name, cell) for cell in part.cells]
    paths: list[list[dict[str, Any]]] = [[] for _ in part.cells]

    def split(lo: int, hi: int) -> None:
        if hi - lo <= 1:
            return
        mid = (lo + hi) // 2
        op, args = part.cells[mid]
        if op == "eq":  # right half starts at x == t
            left, right = {"$lt": {name: args[0]}}, {"$gte": {name: args[0]}}
        else:  # "between" (a, b) or "gt" (t): right half starts just above its lower bound
            left, right = {"$lte": {name: args[0]}}, {"$gt": {name: args[0]}}
        for i in range(lo, mid):
            paths[i].append(left)
        for i in range(mid, hi):
            paths[i].append(right)
        split(lo, mid)
        split(mid, hi)

    split(0, len(part.cells))
    return paths


def field_fanout(part: FieldPartition) -> int:
    """How many of a field's first conditions one value can match at once."""
    if part.type in ("geheel", "bedrag"):
        return 1
    return 2 if any(c[0] == "none_of" for c in part.cells) else 1


def field_groups(partitions: dict[tuple[str, str], FieldPartition]) -> dict[tuple[str, str],
                                                                            int]:
    """Split each fact kind's fields into groups asserted as separate durable facts, so that
    the matches of one fact stay well inside durable-rules' alpha stack."""
    groups: dict[tuple[str, str], int] = {}
    load: dict[tuple[str, int], int] = {}
    current: dict[str, int] = {}
    for (kind, name), part in sorted(partitions.items()):
        g = current.get(kind, 0)
        cost = field_fanout(part)
        if load.get((kind, g), 0) + cost > MAX_ALPHA_FANOUT:
            g += 1
            current[kind] = g
        load[(kind, g)] = load.get((kind, g), 0) + cost
        groups[(kind, name)] = g
    return groups


def check_names(partitions: dict[tuple[str, str], FieldPartition]) -> None:
    """Refuse what durable-rules would get silently wrong: hash-colliding field names."""
    names = {"sid", "id", "kind", "__begin", *(n for _, n in partitions)}
    hashes: dict[int, str] = {}
    for n in sorted(names):
        h = fnv1a_32(n)
        if h in hashes:
            raise EngineError(f"veldnamen '{hashes[h]}' en '{n}' botsen in durable-rules")
        hashes[h] = n
