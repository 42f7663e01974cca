"""The catalogue of deliberately broken packs: each file names the message it must produce."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from engine import PackError, Problem
from engine.loader import load_packs
from engine.wettekst import Wetteksten
from engine.wettekst_lint import controleer

BROKEN = sorted((Path(__file__).parent / "broken_packs").glob("*.yaml"))
LOCATED = re.compile(r"^.+\.yaml:\d+:\d+: ")


def expectations(path: Path) -> list[str]:
    return [line.split("verwacht:", 1)[1].strip()
            for line in path.read_text(encoding="utf-8").splitlines()
            if line.startswith("# verwacht:")]


def test_catalogue_is_not_empty() -> None:
    assert len(BROKEN) >= 20


def lint_problems(path: Path) -> list[Problem]:
    """What `ot lint` reports as errors: the pack's own, else its citations and quotes checked
    against the bundled law texts (rules/wetteksten/)."""
    try:
        packs = load_packs([path])
    except PackError as exc:
        return exc.problems
    return controleer(packs, Wetteksten.load()).fouten


@pytest.mark.parametrize("path", BROKEN, ids=[p.stem for p in BROKEN])
def test_broken_pack_reports_its_error(path: Path) -> None:
    wanted = expectations(path)
    assert wanted, f"{path.name} names no expected message"
    problems = lint_problems(path)
    assert problems, f"{path.name} passes lint"
    rendered = [p.render() for p in problems]
    for text in wanted:
        assert any(text in r for r in rendered), f"{text!r} not in {rendered}"
    for r in rendered:
        assert LOCATED.match(r), f"not located as file:line:col: {r}"
        assert r.startswith(str(path))


def test_every_error_is_reported_at_once() -> None:
    path = Path(__file__).parent / "broken_packs" / "multiple_errors.yaml"
    with pytest.raises(PackError) as info:
        load_packs([path])
    assert len(info.value.problems) == 3
    lines = sorted(p.regel or 0 for p in info.value.problems)
    assert lines == [43, 52, 61]


def test_alias_is_refused_before_expansion(tmp_path: Path) -> None:
    """A 'billion laughs' document is refused at the first alias, without expanding it."""
    lol = ["a: &a [x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 30):
        lol.append(f"a{i}: &a{i} [*{'a' if i == 1 else 'a' + str(i - 1)}] ")
    f = tmp_path / "lol.yaml"
    f.write_text("\n".join(lol), encoding="utf-8")
    with pytest.raises(PackError) as info:
        load_packs([f])
    assert any("ankers en aliassen" in p.melding for p in info.value.problems)


def test_oversized_file_is_refused(tmp_path: Path) -> None:
    """A 50 MB rule file is refused by its size, before it is read or parsed."""
    f = tmp_path / "groot.yaml"
    with f.open("wb") as out:
        out.write(b"regelpakket:\n  naam: '")
        chunk = b"x" * (1024 * 1024)
        for _ in range(50):
            out.write(chunk)
        out.write(b"'\n")
    with pytest.raises(PackError) as info:
        load_packs([f])
    assert "groter dan de grens" in info.value.problems[0].melding


def test_an_oversized_file_is_located_at_its_start_like_any_refused_document(
        tmp_path: Path) -> None:
    """A file over the size bound is refused as a whole: at line 1, column 1, as parse_yaml
    places every refusal of a whole document; an author's editor and the API's invalidParams
    (bestand, regel, kolom) get a position, not an empty column."""
    from engine.yamlsource import YamlError, read_yaml_file
    from service.problems import invalid_from_problems

    f = tmp_path / "groot.yaml"
    f.write_bytes(b"regelpakket: {id: groot}\n")
    with pytest.raises(YamlError) as info:
        read_yaml_file(f, max_bytes=10)
    assert info.value.problems == [Problem(
        bestand=str(f), regel=1, kolom=1, pad="(document)",
        melding="bestand is 25 bytes, groter dan de grens van 10 bytes")]
    assert invalid_from_problems(info.value.problems) == [{
        "name": "(document)", "code": "invalid",
        "reason": "bestand is 25 bytes, groter dan de grens van 10 bytes",
        "bestand": str(f), "regel": "1", "kolom": "1"}]


def test_only_safe_yaml_loading_anywhere() -> None:
    """No module may construct arbitrary Python objects from YAML."""
    import re

    root = Path(__file__).resolve().parent.parent
    unsafe = re.compile(r"yaml\.(load|load_all|unsafe_load|full_load)\("
                        r"|yaml\.(Unsafe|Full)?Loader\b")
    offenders = []
    for folder in ("engine", "service", "cli", "bench", "tests"):
        for path in (root / folder).rglob("*.py"):
            for n, line in enumerate(path.read_text("utf-8").splitlines(), start=1):
                if unsafe.search(line) and "unsafe = re.compile" not in line:
                    offenders.append(f"{path.relative_to(root)}:{n}")
    assert offenders == []


def test_bom_is_accepted(tmp_path: Path) -> None:
    src = (Path(__file__).parent / "fixtures" / "basis" / "basis.yaml").read_bytes()
    f = tmp_path / "bom.yaml"
    f.write_bytes(b"\xef\xbb\xbf" + src)
    packs = load_packs([f])
    assert packs[0].id == "basis"


def test_a_derived_fact_of_another_pack_is_reported_at_the_seconds_id(tmp_path: Path) -> None:
    """Two packs that both derive `afgeleid.volwassen`: the second is told where (its own id line)
    and which pack declared it first."""
    first = Path(__file__).parent / "broken_packs" / "version_overlap.yaml"
    text = first.read_text(encoding="utf-8")
    second = tmp_path / "ander.yaml"
    second.write_text(text.replace("basis", "ander").replace("id: grens", "id: ander_grens")
                      .replace("parameter: grens", "parameter: ander_grens"), encoding="utf-8")
    with pytest.raises(PackError) as info:
        load_packs([first, second])
    (problem,) = [p for p in info.value.problems if "afgeleid feit 'volwassen' " in p.melding]
    assert problem.pad == "afgeleide_feiten[0].id"
    assert problem.melding == f"afgeleid feit 'volwassen' is al gedeclareerd in {first}"
    assert problem.bestand == str(second)
    assert problem.regel and "- id: volwassen" in text.splitlines()[problem.regel - 1]
