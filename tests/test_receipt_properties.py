"""Properties of the receipt (the trace with its `trace_hash`) an auditor holds (issue 17).

* The hash covers every part: changing any single field anywhere, at any depth (a value, a key,
  an element of a list), changes the hash, and replay reports the receipt as not intact.
* The hash does not depend on how the JSON was written: key order and whitespace do not matter.
* Replay detects a change in the casus alone (the advies left as it was): with the stored hash
  it is not intact; with a hash recomputed by a forger it is not identical, because evaluating
  the changed casus again does not give the stored advies.

The receipts are those of the public example casussen. Examples and seed come from the
hypothesis profile (tests/conftest.py: `snel` locally, `ci` in CI).
"""

from __future__ import annotations

import json
import random
import re
from dataclasses import dataclass
from functools import cache
from typing import Any

import orjson
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine import Engine
from engine.evaluate import trace_hash
from engine.replay import replay
from tests.paths import EXAMPLES

SETTINGS = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                          HealthCheck.data_too_large])
NAMES = sorted(p.stem for p in EXAMPLES.glob("*.yaml"))


@cache
def engine() -> Engine:
    return Engine.load()


@cache
def receipt_json(name: str) -> bytes:
    """The receipt of one public example as JSON (parsed afresh for every example drawn, so a
    change never leaks into the next)."""
    data = yaml.safe_load((EXAMPLES / f"{name}.yaml").read_text("utf-8"))
    data.pop("verwachting", None)
    data["peildatum"] = str(data["peildatum"])
    return orjson.dumps(engine().advies(data).as_dict())


def fresh(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = orjson.loads(receipt_json(name))
    return loaded


def stored_hash(receipt: dict[str, Any]) -> str:
    """What the verifier computes: the hash of everything but the hash itself."""
    return trace_hash({k: v for k, v in receipt.items() if k != "trace_hash"})


def same_json(a: Any, b: Any) -> bool:
    """Equal as JSON (Python says True == 1 and 1 == 1.0; JSON does not)."""
    return orjson.dumps(a, option=orjson.OPT_SORT_KEYS) == orjson.dumps(
        b, option=orjson.OPT_SORT_KEYS)


LEAVES = st.one_of(st.none(), st.booleans(), st.integers(-10**6, 10**6),
                   st.floats(allow_nan=False, allow_infinity=False, width=32),
                   st.text(max_size=8))


@dataclass
class Change:
    """A receipt of an example with exactly one change in it (the stored hash kept as it was).
    Its repr names the change, not the half-megabyte receipt."""

    name: str
    receipt: dict[str, Any]
    path: list[Any]
    kind: str

    def __repr__(self) -> str:
        return f"Change({self.name!r}, path={self.path!r}, kind={self.kind!r})"


@st.composite
def changed_receipt(draw: st.DrawFn) -> Change:
    """One change anywhere in an example's receipt: a value (at any depth, also a whole object
    or list replaced), a key removed, added or renamed, a list element removed or inserted."""
    name = draw(st.sampled_from(NAMES))
    receipt = fresh(name)
    parent: Any = receipt
    path: list[Any] = []
    while True:  # walk down: at every container either stop here or go one step deeper
        keys: list[Any] = (sorted(k for k in parent if not (parent is receipt
                                                            and k == "trace_hash"))
                           if isinstance(parent, dict) else list(range(len(parent))))
        key = draw(st.sampled_from(keys))
        child = parent[key]
        if not isinstance(child, dict | list) or not child or draw(st.integers(0, 9)) == 0:
            break  # a leaf, or (one time in ten) change this container itself
        parent, path = child, [*path, key]
    kinds = ["waarde", "sleutel_weg", "sleutel_erbij", "sleutel_hernoemd"] if isinstance(
        parent, dict) else ["waarde", "element_weg", "element_erbij"]
    kind = draw(st.sampled_from(kinds))
    if kind == "waarde":
        old = parent[key]
        new = draw(LEAVES.filter(lambda v: not same_json(v, old)))
        parent[key] = new
    elif kind in ("sleutel_weg", "element_weg"):
        del parent[key]
    elif kind == "sleutel_erbij":
        extra = draw(st.text(min_size=1, max_size=6).filter(lambda k: k not in parent))
        parent[extra] = draw(LEAVES)
    elif kind == "sleutel_hernoemd":
        renamed = draw(st.text(min_size=1, max_size=6).filter(lambda k: k not in parent))
        parent[renamed] = parent.pop(key)
    else:
        parent.insert(key, draw(LEAVES))
    return Change(name, receipt, [*path, key], kind)


def replayable(change: Change) -> bool:
    """Replay re-evaluates the stored casus, so it needs a valid one (a changed casus is the
    last property here), and it reads `pakketten` as a list of objects with id and hash (see
    `test_replay_reports_a_receipt_with_mangled_pakketten` for the rest)."""
    path = change.path
    return change.kind == "waarde" and path[0] != "casus"


@SETTINGS
@given(changed_receipt())
def test_any_change_anywhere_changes_the_hash(change: Change) -> None:
    original = fresh(change.name)
    assert change.receipt["trace_hash"] == original["trace_hash"]  # the stored hash is kept
    assert stored_hash(change.receipt) != original["trace_hash"]
    if replayable(change):
        result = replay(change.receipt, engine())
        assert result.intact is False
        assert result.identical is False


def test_replay_reports_a_receipt_with_mangled_pakketten() -> None:
    receipt = fresh(NAMES[0])
    for mangled in (None, "wmo", [None], [{"versie": "1"}], [{"id": "wmo"}]):
        receipt["pakketten"] = mangled
        result = replay(receipt, engine())  # reported, never a TypeError or KeyError
        assert result.intact is False and result.identical is False
        assert result.same_packs is False


def reordered(value: Any, rnd: random.Random) -> Any:
    """The same JSON value with the keys of every object, at every depth, in a random order."""
    if isinstance(value, dict):
        keys = list(value)
        rnd.shuffle(keys)
        return {k: reordered(value[k], rnd) for k in keys}
    if isinstance(value, list):
        return [reordered(v, rnd) for v in value]
    return value


@SETTINGS
@given(st.sampled_from(NAMES), st.integers(0, 2**32 - 1),
       st.sampled_from([None, 0, 1, 2, 4, "\t"]),
       st.sampled_from([(",", ":"), (", ", ": "), (" ,", " :  ")]), st.booleans())
def test_hash_does_not_depend_on_key_order_or_whitespace(
        name: str, seed: int, indent: int | str | None, separators: tuple[str, str],
        ascii_only: bool) -> None:
    receipt = fresh(name)
    shuffled = reordered(receipt, random.Random(seed))
    text = json.dumps(shuffled, indent=indent, separators=separators, ensure_ascii=ascii_only)
    assert text != receipt_json(name).decode("utf-8")
    again = json.loads(text)
    assert stored_hash(again) == receipt["trace_hash"]
    result = replay(again, engine())
    assert result.intact is True
    assert result.identical is True, result.differences[:3]


ADDRESS = re.compile(r"^(?:(personen|gewenste_effecten)\[([^\]]+)\]|(huishouden|financien|"
                     r"netwerk))\.(\w+)$")


def comparisons(node: Any) -> list[dict[str, Any]]:
    """Every comparison in the advies whose fact is a known number or yes/no of the casus."""
    found: list[dict[str, Any]] = []
    if isinstance(node, dict):
        if "adres" in node and "gevonden" in node and ADDRESS.match(node["adres"]) and (
                type(node["gevonden"]) in (bool, int, float)):
            found.append(node)
        for v in node.values():
            found.extend(comparisons(v))
    elif isinstance(node, list):
        for v in node:
            found.extend(comparisons(v))
    return found


def other_value(value: bool | int | float) -> bool | int | float:
    """A different value that is still valid in the casus contract."""
    if isinstance(value, bool):
        return not value
    if isinstance(value, int):
        return value - 1 if value > 0 else value + 1
    return value + 1.0 if value < 1000 else value - 1.0


def holder(casus: dict[str, Any], address: str) -> dict[str, Any] | None:
    """The object in the casus that holds the fact at `address`; None for a computed fact
    (`huishouden.jongste_kind_leeftijd`) that is not in the casus itself."""
    match = ADDRESS.match(address)
    assert match is not None
    listed, item, group, name = match.groups()
    target: dict[str, Any] = (next(x for x in casus[listed] if x["id"] == item) if listed
                              else casus.get(group, {}))
    return target if name in target else None


@SETTINGS
@given(st.sampled_from(NAMES), st.data(), st.booleans())
def test_replay_detects_a_change_in_the_casus_alone(name: str, data: st.DataObject,
                                                     forger_rehashes: bool) -> None:
    receipt = fresh(name)
    candidates = sorted((c["adres"], c["gevonden"]) for c in comparisons(receipt["advies"])
                        if holder(receipt["casus"], c["adres"]) is not None)
    assert candidates, name  # every example compares some known facts of its casus
    address, value = data.draw(st.sampled_from(sorted(set(candidates))))
    target = holder(receipt["casus"], address)
    assert target is not None and same_json(target[address.rpartition(".")[2]], value)
    target[address.rpartition(".")[2]] = other_value(value)
    if forger_rehashes:
        receipt["trace_hash"] = stored_hash(receipt)
    result = replay(receipt, engine())
    assert result.identical is False, address
    if forger_rehashes:
        assert result.intact is True
        # evaluating the changed casus shows the changed fact where the advies used it
        assert any(d.startswith("advies.") for d in result.differences), address
    else:
        assert result.intact is False


def test_an_untouched_receipt_replays_as_the_same_packs_and_the_same_hash() -> None:
    """The good path, field by field: without it a replay that never says "same packs" or
    returns no hash would pass every test above (mutmut: engine.replay `_pack_refs`, `replay`)."""
    receipt = fresh(NAMES[0])
    result = replay(receipt, engine())
    assert (result.intact, result.same_packs, result.identical) == (True, True, True)
    assert result.trace_hash == receipt["trace_hash"]
    assert result.differences == []


@pytest.mark.parametrize("field", ["id", "hash"])
def test_a_receipt_naming_another_pack_version_is_not_the_same_packs(field: str) -> None:
    """A forger who changes a pack's id or content hash and rehashes keeps the receipt intact,
    but replay says the packs are not the ones used now, and not identical."""
    receipt = fresh(NAMES[0])
    receipt["pakketten"][0][field] = receipt["pakketten"][0][field] + "-anders"
    receipt["trace_hash"] = stored_hash(receipt)
    result = replay(receipt, engine())
    assert result.intact is True
    assert result.same_packs is False
    assert result.identical is False
    assert f"pakketten[0].{field}" in " ".join(result.differences)
