"""The arithmetic of the mutation score (scripts/mutatie_score.py): the sample is stable, the
stratified estimate counts complete modules exactly, and kept results round-trip."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from types import ModuleType

from tests.paths import ROOT


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("mutatie_score",
                                                  ROOT / "scripts" / "mutatie_score.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


ms = _script()


def _rows(module: str, statuses: list[str]) -> list[tuple[str, str]]:
    return [(f"engine.{module}.x_f__mutmut_{i}", s) for i, s in enumerate(statuses, 1)]


def test_the_sample_keeps_its_members_when_another_function_gains_mutants() -> None:
    rows = _rows("a", ["killed"] * 50)
    before = ms.sample(rows, 10, 7)
    after = ms.sample(rows + _rows("b", ["killed"]), 10, 7)
    assert len(before) == len(after) == 10
    assert len(set(before) & set(after)) >= 9  # at most the one new mutant displaces one
    assert ms.sample(rows, 10, 8) != before  # another seed, another sample


def test_a_complete_module_is_counted_and_the_rest_estimated_from_the_sample() -> None:
    exact = _rows("heel", ["killed"] * 6 + ["survived"] * 4)  # 10 mutants, all run: 6 caught
    rest = _rows("deel", ["killed", "survived"] + ["not checked"] * 8)  # 10, sampled 2: 1 caught
    rows = exact + rest
    out = ms.stratified(rows, rest[:2] + exact[:1])
    # (6 + 10 * 1/2) / 20 = 55 %
    assert "score 55.0 %" in out
    assert "1 modules run completely (10 mutants, 6 caught)" in out
    assert "the other 10 mutants estimated from 2 of the sample" in out
    assert ms.complete_modules(rows) == {"engine.heel"}


def test_without_a_sampled_result_in_the_rest_there_is_no_estimate() -> None:
    rows = _rows("heel", ["killed"]) + _rows("deel", ["not checked"])
    assert "not yet estimable" in ms.stratified(rows, rows)


def test_kept_results_round_trip_with_the_unrun_still_unrun(tmp_path: Path) -> None:
    """The unrun mutant is kept as null, so a restored module still reads as incomplete."""
    mutants = tmp_path / "mutants"
    (mutants / "engine").mkdir(parents=True)
    meta = {"exit_code_by_key": {"engine.a.x_f__mutmut_1": 1, "engine.a.x_f__mutmut_2": None},
            "hash_by_function_name": {"x_f": "abc"}, "type_check_error_by_key": {},
            "durations_by_key": {"engine.a.x_f__mutmut_1": 0.5},
            "estimated_durations_by_key": {}}
    (mutants / "engine" / "a.py.meta").write_text(json.dumps(meta))
    kept = tmp_path / "kept.json"
    assert ms.bewaar(mutants, kept) == 1
    restored = tmp_path / "again"
    assert ms.herstel(kept, restored) == 1
    back = json.loads((restored / "engine" / "a.py.meta").read_text())
    assert back["exit_code_by_key"] == {"engine.a.x_f__mutmut_1": 1,
                                        "engine.a.x_f__mutmut_2": None}
    assert back["hash_by_function_name"] == {"x_f": "abc"}
