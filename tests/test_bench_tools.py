"""The benchmark tools' pure parts (issue 13): the worker protocol, the statistics and the
verdicts, the report's sections. No timing is asserted, nothing is installed, OpenFisca is not
needed: its side of the protocol is driven with a stand-in computation."""

from __future__ import annotations

import ast
import io
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from tests.paths import ROOT

BENCH = ROOT / "bench"


@pytest.fixture(scope="module")
def bench() -> Iterator[dict[str, ModuleType]]:
    """The bench scripts as modules (they import each other by file name, as scripts do)."""
    sys.path.insert(0, str(BENCH))
    try:
        import baseline
        import http_load
        import openfisca_vergelijking

        yield {"baseline": baseline, "http_load": http_load,
               "openfisca": openfisca_vergelijking}
    finally:
        sys.path.remove(str(BENCH))


def test_openfisca_worker_protocol_answers_times_size_and_values(
        bench: dict[str, ModuleType]) -> None:
    def compute(situation: dict[str, Any]) -> dict[str, Any]:
        if situation.get("stuk"):
            raise ValueError("kapot")
        return {"total_taxes": [situation["salary"] * 0.25]}

    lines = [json.dumps({"casus": {"salary": 100}, "runs": 0}),
             json.dumps({"casus": {"salary": 100}, "runs": 3}),
             json.dumps({"casus": {"stuk": True}, "runs": 2}),
             json.dumps({"casus": {"salary": 8}, "runs": 1})]
    out = io.StringIO()
    bench["openfisca"].serve(lines, out, compute)
    answers = [json.loads(line) for line in out.getvalue().splitlines()]
    assert len(answers) == 4
    assert answers[0]["us"] == []  # a warm-up is computed, not timed
    assert answers[0]["waarden"] == {"total_taxes": [25.0]}
    assert len(answers[1]["us"]) == 3 and all(t >= 0 for t in answers[1]["us"])
    assert answers[1]["bytes"] == len(json.dumps({"total_taxes": [25.0]}).encode())
    assert answers[2] == {"fout": "ValueError: kapot"}
    assert answers[3]["waarden"] == {"total_taxes": [2.0]}  # it goes on after an error


def test_openfisca_side_speaks_to_the_same_driver_as_the_engine(
        bench: dict[str, ModuleType]) -> None:
    """`baseline.Worker` (the driver of `bench/worker.py`) drives the OpenFisca side's protocol
    in another process; the stand-in computation replaces OpenFisca."""
    code = ("import sys; sys.path.insert(0, sys.argv[1]); "
            "from openfisca_vergelijking import serve; "
            "serve(sys.stdin, sys.stdout, lambda c: {'x': c['a'] * 2})")
    worker = bench["baseline"].Worker.start("stand-in", sys.executable, ROOT,
                                            ("-c", code, str(BENCH)))
    try:
        worker.ask("een", {"a": 2}, 0)
        assert worker.times["een"] == [] and worker.size["een"] == len('{"x": 4}')
        worker.ask("een", {"a": 2}, 5)
        assert len(worker.times["een"]) == 5
        with pytest.raises(RuntimeError, match="stand-in, twee: KeyError"):
            worker.ask("twee", {}, 1)
    finally:
        worker.stop()


def test_openfisca_table_gives_ratios_to_the_median_and_the_verdicts(
        bench: dict[str, ModuleType]) -> None:
    text = bench["openfisca"].table({"scootmobiel": [900.0, 1100.0, 1000.0],
                                     "gezin-meervoudig": [3000.0, 3000.0, 3500.0],
                                     "OpenFisca": [1000.0, 1000.0, 1200.0, 800.0]})
    rows = {line.split(" | ")[0].strip("| "): line.split(" | ") for line in
            text.splitlines()[2:]}
    assert rows["scootmobiel"][1:5] == ["1000", "1100", "1.00×", "≤ 1×"]
    assert rows["scootmobiel"][5].startswith("yes")
    assert rows["gezin-meervoudig"][1:5] == ["3000", "3500", "3.00×", "≤ 2×"]
    assert "no: a factor 1.50 over" in rows["gezin-meervoudig"][5]
    assert rows["OpenFisca"][1:4] == ["1000", "1200", "1.00×"]
    assert bench["openfisca"].pct([], .9) != bench["openfisca"].pct([], .9)  # NaN when empty


def test_household_asks_for_the_six_variables_of_one_household(
        bench: dict[str, ModuleType]) -> None:
    of = bench["openfisca"]
    assert len(of.VARIABLES) == len(set(of.VARIABLES)) == 6
    assert list(of.HOUSEHOLD["households"]) == ["_"]
    adults = of.HOUSEHOLD["households"]["_"]["adults"]
    assert sorted(adults) == sorted(of.HOUSEHOLD["persons"])


def test_http_targets_and_report(bench: dict[str, ModuleType]) -> None:
    h = bench["http_load"]
    here = h.Side("this checkout", seconds=10.0, latencies=[10.0] * 98 + [15.0, 40.0])
    base = h.Side("baseline", seconds=10.0, latencies=[50.0] * 30)
    verdicts = h.targets(here, base, engine_per_s=20.0)
    assert verdicts[0] == ("requests/s ≥ 3× the baseline's", "3.33×", "met")
    assert verdicts[1][1:] == ("50 %", "missed: a factor 1.20 short")
    assert verdicts[2] == ("p99 ≤ 2× p50", "4.00×", "missed: a factor 2.00 over")
    text = h.report(here, base, 20.0, 40)
    assert "| this checkout | 100 | 10.0 | 10.0 | 40.0 | 0 |" in text
    assert "| baseline | 30 | 3.0 | 50.0 | 50.0 | 0 |" in text
    assert "| in-process engine, this checkout, one process | 40 | 20.0 advies/s |" in text
    assert h.Side("leeg").rps != h.Side("leeg").rps  # NaN without a round


def test_runtime_extras_reads_httpx_from_the_dev_extra(bench: dict[str, ModuleType],
                                                        tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "x"\n[project.optional-dependencies]\n'
        'dev = ["pytest>=8", "httpx>=0.27", "httpx-sse"]\n', encoding="utf-8")
    # this environment has httpx, so nothing is installed
    assert bench["http_load"].runtime_extras(tmp_path, Path(sys.executable)) == ["httpx>=0.27"]


def test_sections_are_replaced_or_added_and_the_rest_kept(bench: dict[str, ModuleType],
                                                          tmp_path: Path) -> None:
    b = bench["baseline"]
    text = "# Performance\n\n## HTTP: POST /v1/adviezen\n\nold\n\n## Memory\n\nkept\n"
    added = b.replace_section(text, "## HTTP against a baseline commit",
                              "## HTTP against a baseline commit\n\nnew\n")
    assert added == text + "\n## HTTP against a baseline commit\n\nnew\n"
    replaced = b.replace_section(added, "## HTTP: POST /v1/adviezen",
                                 "## HTTP: POST /v1/adviezen\n\nnewer\n")
    assert "old" not in replaced and "newer" in replaced and "kept" in replaced
    assert "## HTTP against a baseline commit\n\nnew\n" in replaced
    report = tmp_path / "performance.md"
    report.write_text(text, encoding="utf-8")
    for run in ("first", "second"):
        b.write(report, f"header {run}", "| t |", "## Against the field: OpenFisca",
                "`python bench/openfisca_vergelijking.py`")
    written = report.read_text("utf-8")
    assert written.count("## Against the field: OpenFisca") == 1
    assert "header second" in written and "header first" not in written
    assert written.startswith(text.rstrip("\n"))
    assert b.load_average().count(" / ") == 2


def test_openfisca_side_imports_only_the_standard_library_at_the_top() -> None:
    """The same file runs as the OpenFisca worker in an environment that has none of the
    project's packages: its module-level imports must all be the standard library's."""
    tree = ast.parse((BENCH / "openfisca_vergelijking.py").read_text("utf-8"))
    names = [alias.name for node in tree.body if isinstance(node, ast.Import)
             for alias in node.names]
    names += [node.module or "" for node in tree.body if isinstance(node, ast.ImportFrom)]
    assert names and all(name.split(".")[0] in sys.stdlib_module_names for name in names)
