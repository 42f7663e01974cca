"""The kern (compact decision record, docs/kern.md): a faithful projection of the full trace.

Everything the advies decided must be in it and equal to the full trace; what it leaves out
(texts, citations, condition trees, the instruments not in the advies) must be what the full
trace renders again from the casus and the pinned packs. The expected values come from the full
trace itself, read here field by field, not from `engine.kern`.
"""

from __future__ import annotations

import copy
import hashlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

from engine import Engine
from engine.kern import VORM, Kern, kern_hash, kern_van
from tests.paths import EXAMPLES
from tests.test_properties import casussen, ranges


def example(rules: Engine, path: Path) -> dict[str, Any]:
    return rules.casus_file(path).model_dump(mode="json", exclude_none=True)


def stdlib_hash(value: Any) -> str:
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()


def assert_projection(trace: dict[str, Any]) -> None:
    """Every decision of the full trace is in the kern, equal, and nothing else is."""
    kern = kern_van(trace)
    assert kern["vorm"] == VORM
    Kern.model_validate(kern)  # the documented model (OpenAPI) describes what is stored
    assert kern["casus"] == stdlib_hash(trace["casus"])
    assert kern["peildatum"] == trace["peildatum"]
    assert kern["engine"] == trace["engine"]["versie"]
    assert kern["pakketten"] == [[p["id"], p["versie"], p["hash"]] for p in trace["pakketten"]]
    assert kern["gemeente"] == trace["gemeente"]["code"]
    advies = trace["advies"]
    assert kern["stap2"]["integraal_overleg"] is advies["stap2"]["integraal_overleg"]
    assert kern["stap2"]["domeinen"] == advies["stap2"]["domeinen"]
    vragen = kern["nog_uitvragen"]
    assert vragen == [v["feit"] for v in advies["nog_uitvragen"]]
    assert [e["id"] for e in kern["effecten"]] == [e["id"] for e in advies["effecten"]]
    for k, full in zip(kern["effecten"], advies["effecten"], strict=True):
        assert [vragen[i] for i in k["vragen"]] == [v["feit"] for v in full["nog_uitvragen"]]
        assert k["domeinen"] == full["stap2"]["domeinen"]
        assert k["wetten"] == {w["pakket"]: w["uitkomst"] for w in full["stap2"]["wetten"]}
        shown = full["stap4"]["instrumenten"]
        assert [i["id"] for i in k["instrumenten"]] == [i["id"] for i in shown]  # ladder order
        for ki, fi in zip(k["instrumenten"], shown, strict=True):
            assert ki["status"] == fi["status"]
            assert ki.get("markering", []) == fi["markering"]
            assert [vragen[i] for i in ki.get("vragen", [])] == fi["nog_uitvragen"]
            assert ki.get("redenen", []) == [[f"{r['soort']}:{r['id']}", r["stand"]]
                                             for r in fi["redenen"]]
            assert ki.get("termijnen", []) == [[t["id"], t["uitkomst"]] for t in fi["termijnen"]
                                               if t["uitkomst"] != "nee"]


@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*.yaml")), ids=lambda p: p.stem)
def test_the_kern_of_every_public_example_is_its_full_trace_projected(
        rules: Engine, path: Path) -> None:
    receipt = rules.advies(example(rules, path))
    assert_projection(receipt.trace)
    # a twentieth of the full trace or less (issue 13: the stored record is what shrinks)
    assert len(json.dumps(kern_van(receipt.trace)).encode()) * 20 < len(receipt.trace_json)


def test_the_kern_hash_covers_every_decision(rules: Engine) -> None:
    """Changing any status, question or input binding changes the hash; key order does not."""
    receipt = rules.advies(example(rules, EXAMPLES / "gezin-meervoudig.yaml"))
    kern = kern_van(receipt.trace)
    base = kern_hash(kern)
    assert base == stdlib_hash(kern)
    reordered = json.loads(json.dumps(kern), object_pairs_hook=lambda kv: dict(reversed(kv)))
    assert kern_hash(reordered) == base
    changes: list[Callable[[dict[str, Any]], Any]] = [
                   lambda k: k["effecten"][0]["instrumenten"][0].update(status="past"),
                   lambda k: k["effecten"][-1]["instrumenten"][-1].update(status="past_niet"),
                   lambda k: k["nog_uitvragen"].pop(),
                   lambda k: k.update(casus="sha256:" + "0" * 64),
                   lambda k: k["pakketten"][0].__setitem__(2, "sha256:" + "0" * 64),
                   lambda k: k["stap2"].update(integraal_overleg=not k["stap2"]
                                               ["integraal_overleg"])]
    for change in changes:
        changed = copy.deepcopy(kern)
        change(changed)
        assert changed != kern
        assert kern_hash(changed) != base


def test_a_changed_casus_changes_the_kern(rules: Engine) -> None:
    data = example(rules, EXAMPLES / "scootmobiel.yaml")
    first = kern_van(rules.advies(data).trace)
    data["personen"][0]["leeftijd"] = data["personen"][0].get("leeftijd", 40) + 1
    assert kern_van(rules.advies(data).trace)["casus"] != first["casus"]


_ENGINE = Engine.load()
"""The bundled packs, for the generated casussen (a fixture cannot feed `@given`)."""


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=casussen(_ENGINE.rules.catalogue, ranges(_ENGINE)))
def test_the_kern_of_generated_casussen_is_their_full_trace_projected(
        data: dict[str, Any]) -> None:
    assert_projection(_ENGINE.advies(data).trace)


# ---- the kern decided directly (engine.kern.kern, Engine.kern): no full trace is rendered

def assert_direct_equals_projected(engine: Engine, data: dict[str, Any]) -> None:
    """Byte for byte (the canonical JSON and so the hash) on both backends."""
    projected = kern_van(engine.advies(data).trace)
    for backend in ("durable", "oracle"):
        direct = engine.with_backend(backend).kern(data)
        assert direct == projected, backend
        assert kern_hash(direct) == kern_hash(projected)


@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*.yaml")), ids=lambda p: p.stem)
def test_the_direct_kern_of_every_public_example_equals_the_projected_one(
        rules: Engine, path: Path) -> None:
    assert_direct_equals_projected(rules, example(rules, path))


def test_the_direct_kern_with_local_policy_equals_the_projected_one(rules: Engine) -> None:
    """A gemeente with local overlays: its packs and lokaal_beleid are in both."""
    data = example(rules, EXAMPLES / "scootmobiel.yaml")
    data["gemeente"] = "GM9991"  # rules/gemeenten: the bundled example municipality
    kern = rules.kern(data)
    assert kern["gemeente"] == "GM9991"
    assert kern["lokaal_beleid"]  # its overlays were applied
    assert_direct_equals_projected(rules, data)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=casussen(_ENGINE.rules.catalogue, ranges(_ENGINE)))
def test_the_direct_kern_of_generated_casussen_equals_the_projected_one(
        data: dict[str, Any]) -> None:
    assert_direct_equals_projected(_ENGINE, data)


def test_the_kern_model_refuses_an_unknown_form_and_a_field_it_does_not_know(
        rules: Engine) -> None:
    kern = rules.kern(example(rules, EXAMPLES / "scootmobiel.yaml"))
    Kern.model_validate(kern)
    with pytest.raises(ValueError, match="vorm"):
        Kern.model_validate({**kern, "vorm": "omgekeerde-toets/kern/2"})
    with pytest.raises(ValueError, match="extra"):
        Kern.model_validate({**kern, "trace": {}})
    bad = copy.deepcopy(kern)
    bad["effecten"][0]["instrumenten"][0]["status"] = "misschien"
    with pytest.raises(ValueError, match="status"):
        Kern.model_validate(bad)
