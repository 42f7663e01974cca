"""A beleidsmedewerker changes one bound: `ot lint` reports problems or passes, never raises.

Every numeric bound in the bundled packs (a comparison with a number, a parameter value, a local
value filling an open norm, an open norm's bounds) is moved by +1 and by -1, one at a time. For
each, the cross-pack checks and the decision-table checks (`run_controles`, what `ot lint` runs)
must finish with a list of problems or none.

Each moved bound is linted with a search limit of `WALK_LIMIT` visits per controle (the default
is 50,000): the checks' setup (scope, leaf table, partitions: where the regression below
raised) and the start of every search run in full for all 646 moves, while a complete search
of each would take half an hour of one core (1.6 s a move, measured 2026-12-07; the whole suite
missed CI's 90 minutes). The setup costs 0.05 s a move, 100 visits 0.08 s, 2,000 visits 1.05 s
(measured 2026-12-07, evening: 2,000 made this one test 550 s of CI, ending the run alone on
one core). The bundled packs themselves are searched in full at the end.

Regression: moving the `binnen` bound of the Wmo controle `begeleiding_jeugdige` (`leeftijd < 18`
to `< 17`) raised a KeyError, because the check added the scope's comparison to the regime's
shared leaf table after the regime's partitions had been built.
"""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from cli.main import app as cli
from engine.checks import run_controles
from engine.language import Pack
from engine.loader import DEFAULT_RULES_DIR, LoadedPack, check_packs, load_packs
from engine.regime import RuleBase

DocPath = tuple[str | int, ...]


def is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def bounds(data: Any, path: DocPath = ()) -> Iterator[DocPath]:
    """Paths of every numeric bound in a pack document."""
    if isinstance(data, dict):
        if "feit" in data and "op" in data and is_number(data.get("waarde")):
            yield (*path, "waarde")
        for key in ("maximum", "minimum"):
            if path and path[-1] == "open_norm" and is_number(data.get(key)):
                yield (*path, key)
        if len(path) >= 2 and path[-2] == "waarden" and is_number(data.get("waarde")):
            yield (*path, "waarde")  # parameter values and local invullingen
        for key, value in data.items():
            yield from bounds(value, (*path, key))
    elif isinstance(data, list):
        for i, value in enumerate(data):
            yield from bounds(value, (*path, i))


def get(data: Any, path: DocPath) -> Any:
    for part in path:
        data = data[part]
    return data


def put(data: Any, path: DocPath, value: Any) -> None:
    get(data, path[:-1])[path[-1]] = value


@pytest.fixture(scope="module")
def packs() -> list[LoadedPack]:
    return load_packs()


def mutations(packs: list[LoadedPack]) -> list[tuple[int, DocPath, int]]:
    return [(i, path, delta) for i, lp in enumerate(packs) for path in bounds(lp.doc.data)
            for delta in (1, -1)]


WALK_LIMIT = 100
"""Search visits per controle for each moved bound (see the module docstring)."""


def lint_problems(packs: list[LoadedPack], limit: int = 50_000) -> list[str]:
    """What `ot lint` reports after loading: cross-pack problems, else the controles'."""
    problems = check_packs(packs)
    if problems:
        return [p.render() for p in problems]
    return [p.render() for r in run_controles(RuleBase(packs), limit=limit)
            for p in r.problems()]


def test_every_bound_moved_by_one_is_linted_without_raising(packs: list[LoadedPack]) -> None:
    every = mutations(packs)
    assert len(every) >= 2 * 100, "the walk should find the bounds of the bundled packs"
    assert any(path[0] == "controles" for _, path, _ in every), "controle scopes are mutated"
    reported = 0
    for index, path, delta in every:
        lp = packs[index]
        original = get(lp.doc.data, path)
        put(lp.doc.data, path, original + delta)
        try:
            pack = Pack.model_validate(lp.doc.data)
        finally:
            put(lp.doc.data, path, original)
        fingerprint = hashlib.sha256(f"{lp.sha256}{path}{delta}".encode()).hexdigest()
        mutated = LoadedPack(pack, lp.source, fingerprint, lp.doc)
        changed = [*packs[:index], mutated, *packs[index + 1:]]
        try:
            found = lint_problems(changed, WALK_LIMIT)
        except Exception as exc:  # the property: a report, never an exception
            raise AssertionError(f"{lp.source}: {path} {original} -> {original + delta}: "
                                 f"{type(exc).__name__}: {exc}") from exc
        reported += bool(found)
        assert all(":" in text for text in found)
    # some moves are real authoring errors (a local value above the law's maximum, an overlap
    # between Wmo-begeleiding and jeugdhulp): the checks see them
    assert reported >= 1
    assert lint_problems(packs) == [], "the bundled packs themselves lint clean"


def test_lint_cli_after_moving_the_wmo_scope_bound(tmp_path: Path) -> None:
    rules = tmp_path / "rules"
    shutil.copytree(DEFAULT_RULES_DIR, rules)
    wmo = rules / "wmo" / "wmo.yaml"
    text = wmo.read_text("utf-8")
    scope = 'binnen: {feit: client.leeftijd, op: "<", waarde: 18}'
    assert scope in text
    wmo.write_text(text.replace(scope, scope.replace("18", "17")), "utf-8")
    result = CliRunner().invoke(cli, ["lint", str(rules)], env={"COLUMNS": "200"})
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        result.output)
    assert result.exit_code in (0, 1), result.output
    assert "controle wmo.begeleiding_jeugdige" in result.output
