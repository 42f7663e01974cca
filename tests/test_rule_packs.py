"""The YAML tests of every bundled pack on the oracle backend, and their coverage.

Every YAML test on the durable-rules backend (the default) is run by `ot test`: by `make test`
just before pytest, and in pytest by `tests/test_cli.py::test_lint_and_test_pass_on_bundled_rules`.
So here only the other backend runs them (running durable here too repeated 1,093 tests a
third time)."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import pytest

from engine import Engine
from engine.loader import DEFAULT_RULES_DIR, load_packs
from engine.yamltests import find_test_files, load_tests, run_test

FILES = find_test_files([DEFAULT_RULES_DIR])
PACKS = load_packs()


def cases() -> list[tuple[str, int, object]]:
    out: list[tuple[str, int, object]] = []
    for f in FILES:
        tests, problems = load_tests(f)
        assert not problems, [p.render() for p in problems]
        out.extend((str(f.relative_to(DEFAULT_RULES_DIR)), line, t) for line, t in tests)
    return out


CASES = cases()


@pytest.mark.parametrize("case", CASES, ids=[f"{f}:{line}" for f, line, _ in CASES])
def test_yaml_test_on_the_oracle(rules: Engine, case: tuple[str, int, object]) -> None:
    file, line, test = case
    result = run_test(rules.with_backend("oracle"), test, file, line)  # type: ignore[arg-type]
    assert result.ok, "\n".join(result.failures)


@pytest.mark.parametrize("lp", PACKS, ids=lambda lp: lp.id)
def test_every_instrument_has_a_yaml_test(lp: object) -> None:
    statuses: dict[str, set[str]] = defaultdict(set)
    for _, _, t in CASES:
        for exp in t.verwacht.effecten.values():  # type: ignore[attr-defined]
            for iid, status in exp.instrumenten.items():
                statuses[iid].add(status)
    ids = {i.id for i in lp.pack.instrumenten}  # type: ignore[attr-defined]
    missing = sorted(i for i in ids if i not in statuses)
    assert not missing, f"no YAML test names {missing}"
    not_fitting = [i for i in ids if statuses[i] & {"past_niet", "niet_van_toepassing"}]
    assert len(not_fitting) >= len(ids) // 2, "too few tests of instruments that do not fit"


def test_tests_live_beside_their_pack() -> None:
    for f in FILES:
        assert f.parent.name == "tests"
        assert any(p.suffix == ".yaml" for p in f.parent.parent.iterdir()), f
    assert Path(DEFAULT_RULES_DIR).is_dir()
