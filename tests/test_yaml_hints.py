"""A YAML layout error says, in Dutch, what to look at (issue 16).

PyYAML's "expected <block end>, but found '?'" means nothing to a beleidsmedewerker; nearly
always a line is indented differently from the one before. The message keeps PyYAML's words
(searchable) and its `bestand:regel:kolom`, and adds the hint.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.yamlsource import YamlError, parse_yaml
from engine.yamltests import load_tests

INDENT = "controleer de inspringing: deze regel springt anders in dan de vorige"

CASES = [
    # a key one space short of its siblings, inside a test
    ("- naam: x\n  casus: {}\n verwacht: {}\n", (3, 2),
     "expected <block end>, but found '<block mapping start>'",
     [INDENT, "in dezelfde kolom, binnen de lijst die op regel 1 begint"]),
    # a key one space too far, deep in `verwacht`
    ("verwacht:\n  effecten:\n    e1:\n      instrumenten: {a: past}\n     termijnen: {}\n",
     (5, 6), "expected <block end>, but found '<block mapping start>'",
     [INDENT, "zoals de sleutel op regel 3, kolom 5"]),
    # a key under a list where a '- ' item was expected
    ("a:\n  - 1\n  b: 2\n", (3, 3), "expected <block end>, but found '?'",
     [INDENT, "in de lijst van regel 2, kolom 3 begint elk element met '- '"]),
    # a list item between the keys of a mapping
    ("a: 1\n- 2\n", (2, 1), "expected <block end>, but found '-'",
     [INDENT, "een '-' staat hier tussen de sleutels van het blok op regel 1, kolom 1"]),
    # a list item indented less than its siblings
    ("a:\n  - 1\n - 2\n", (3, 2), "expected <block end>, but found '<block sequence start>'",
     [INDENT]),
    # a line indented further than the one before (or a ': ' in a value)
    ("a:\n  b: 1\n    c: 2\n", (3, 6), "mapping values are not allowed here",
     ["controleer de inspringing: springt deze regel verder in dan de vorige?",
      "zet die waarde dan tussen aanhalingstekens"]),
    # a tab
    ("a:\n\tb: 1\n", (2, 1), "found character '\\t' that cannot start any token",
     ["spring in met spaties, niet met tabs"]),
    # a key without ':' (PyYAML notices it on the next line; the hint names the line)
    ("a: 1\nb\nc: 2\n", (3, 1), "could not find expected ':'",
     ["een regel zonder ':' (regel 2, kolom 1)", "controleer de inspringing"]),
    # text after a quoted value
    ('a:\n  b: "x" y\n', (2, 10), "expected <block end>, but found '<scalar>'",
     ["staat er tekst na een waarde tussen aanhalingstekens?", INDENT]),
    # an unclosed flow mapping
    ("a: {b: 1\nc: 2\n", (2, 2), "expected ',' or '}', but got ':'",
     ["controleer de haakjes: een '{' of '[' op regel 1, kolom 4 is niet gesloten"]),
]


@pytest.mark.parametrize(("text", "where", "pyyaml", "hints"), CASES)
def test_layout_error_has_a_dutch_hint(text: str, where: tuple[int, int], pyyaml: str,
                                       hints: list[str]) -> None:
    with pytest.raises(YamlError) as info:
        parse_yaml(text, source="regels.yaml")
    (problem,) = info.value.problems
    assert (problem.regel, problem.kolom) == where
    assert problem.render().startswith(f"regels.yaml:{where[0]}:{where[1]}: (document): "
                                       f"YAML-fout: {pyyaml} — ")
    for hint in hints:
        assert hint in problem.melding


@pytest.mark.parametrize("text", ['a: "\\q"\n', "a: 1\n---\nb: 2\n"])
def test_other_errors_get_no_layout_hint(text: str) -> None:
    """An unknown escape or a second document is not about indentation: no misleading hint."""
    with pytest.raises(YamlError) as info:
        parse_yaml(text)
    (problem,) = info.value.problems
    assert "inspringing" not in problem.melding and " — " not in problem.melding


def test_a_yaml_test_file_with_a_bad_indent_is_reported_with_the_hint(tmp_path: Path) -> None:
    """What `ot test` shows: the located problem in the test file, with the hint."""
    path = tmp_path / "proef.yaml"
    path.write_text("- naam: proef\n"
                    "  casus: {peildatum: 2026-11-02}\n"
                    "  verwacht:\n"
                    "    effecten:\n"
                    "      e1:\n"
                    "        instrumenten: {wmo.rolstoel: past}\n"
                    "       markering: {wmo.rolstoel: []}\n", encoding="utf-8")
    tests, problems = load_tests(path)
    assert tests == []
    (problem,) = problems
    assert problem.render().startswith(f"{path}:7:8: (document): YAML-fout: expected <block end>")
    assert INDENT in problem.melding
    assert "zoals de sleutel op regel 5, kolom 7" in problem.melding
