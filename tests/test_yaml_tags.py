"""Explicitly tagged YAML values in a rule pack or casus file: a plain type written with its tag
is read, any other tag is refused by name, and a value the tag's constructor cannot read is a
located problem, never a crash (found while checking why a mutant of `_Builder._construct`
survived: `!!bool misschien` raised KeyError and `!!timestamp gisteren` AttributeError out of the
loader)."""

from __future__ import annotations

import pytest

from engine.yamlsource import YamlError, parse_yaml


@pytest.mark.parametrize(("text", "value"), [
    ("a: !!str 12\n", "12"),
    ("a: !!int -1_000\n", -1000),
    ("a: !!float 1.5\n", 1.5),
    ("a: !!bool true\n", True),
    ("a: !!null ~\n", None),
])
def test_a_plain_type_written_with_its_tag_is_read(text: str, value: object) -> None:
    assert parse_yaml(text, source="regels.yaml").data == {"a": value}


REFUSED = "is niet toegestaan (alleen tekst, getallen, ja/nee, datums en leeg)"


@pytest.mark.parametrize(("text", "where", "melding"), [
    ("a:\n  b: !eigen x\n", "2:6", f"het YAML-type '!eigen' {REFUSED}"),
    ("a:\n  b: !!binary aGFsbG8=\n", "2:6", f"het YAML-type '!!binary' {REFUSED}"),
    ("a:\n  b: !!seq x\n", "2:6", f"het YAML-type '!!seq' {REFUSED}"),
    ("a:\n  b: !!python/name:os.system x\n", "2:6",
     f"het YAML-type '!!python/name:os.system' {REFUSED}"),
    ("a:\n  b: !!bool misschien\n", "2:6", "'misschien' is geen ja/nee (true of false)"),
    ("a:\n  b: !!timestamp gisteren\n", "2:6", "'gisteren' is geen geldige datum of tijd"),
    ("a:\n  b: 2024-02-30\n", "2:6", "'2024-02-30' is geen geldige datum of tijd"),
    ("a:\n  b: !!int twaalf\n", "2:6", "'twaalf' is geen geheel getal"),
    ("a:\n  b: !!float veel\n", "2:6", "'veel' kan niet worden gelezen"),
    ("a:\n  b: " + "9" * 5000 + "\n", "2:6", "een getal met te veel cijfers (5000 tekens)"),
])
def test_a_value_its_tag_cannot_read_is_a_located_problem(text: str, where: str,
                                                           melding: str) -> None:
    with pytest.raises(YamlError) as info:
        parse_yaml(text, source="regels.yaml")
    assert [p.render() for p in info.value.problems] == [
        f"regels.yaml:{where}: a.b: ongeldige waarde: {melding}"]


def test_a_refused_key_is_reported_at_the_mapping_it_is_in() -> None:
    with pytest.raises(YamlError) as info:
        parse_yaml("a:\n  !!binary aGFsbG8=: x\n", source="regels.yaml")
    assert [p.render() for p in info.value.problems] == [
        f"regels.yaml:2:3: a: ongeldige waarde: het YAML-type '!!binary' {REFUSED}"]


def test_a_yaml_syntax_error_is_located_at_the_document() -> None:
    """A layout error names its line and column and the whole document as the path (there is no
    node yet to point at)."""
    with pytest.raises(YamlError) as info:
        parse_yaml("a:\n  b: 1\n c: 2\n", source="regels.yaml")
    [problem] = info.value.problems
    assert (problem.regel, problem.kolom, problem.pad) == (3, 2, "(document)")
    assert problem.melding.startswith("YAML-fout: ")


def test_a_control_character_is_a_located_problem_not_a_crash() -> None:
    """PyYAML's reader refuses a control character when the loader is made, with a ReaderError
    that escaped every caller's YamlError handling (found while checking the survivors of
    `_parse_text`): now a located problem, as for any other YAML error."""
    with pytest.raises(YamlError) as info:
        parse_yaml("a: 1\nb: x\x07y\n", source="regels.yaml")
    [problem] = info.value.problems
    assert problem.render() == ("regels.yaml:2:5: (document): YAML-fout: teken '\\x07' is niet "
                                "toegestaan (geen stuurtekens)")


def test_bytes_too_many_or_not_utf8_are_problems_at_the_start() -> None:
    """Before any YAML is read: more bytes than allowed, or bytes that are no UTF-8, are one
    problem each at line 1, column 1 of the document, saying which."""
    with pytest.raises(YamlError) as info:
        parse_yaml(b"a: 1\n" * 10, source="regels.yaml", max_bytes=20)
    assert [p.render() for p in info.value.problems] == [
        "regels.yaml:1:1: (document): invoer is groter dan 20 bytes"]
    assert (info.value.problems[0].regel, info.value.problems[0].kolom) == (1, 1)
    with pytest.raises(YamlError) as info:
        parse_yaml(b"a: caf\xe9\n", source="regels.yaml")
    assert [p.render() for p in info.value.problems] == [
        "regels.yaml:1:1: (document): geen geldige UTF-8 (byte 6)"]
    assert (info.value.problems[0].regel, info.value.problems[0].kolom) == (1, 1)


def test_a_key_that_is_no_text_is_refused_at_its_mapping() -> None:
    with pytest.raises(YamlError) as info:
        parse_yaml("a:\n  ? [x, y]\n  : 1\n", source="regels.yaml")
    assert [p.render() for p in info.value.problems] == [
        "regels.yaml:2:5: a: een sleutel moet tekst zijn"]


def test_the_depth_bound_counts_nesting_not_the_nodes_before_it() -> None:
    """The bound is on how deep a node is, however many siblings came before: 100 plain values in
    a list, then one value nested one level deeper than allowed, is refused; the same nesting at
    the bound is read."""
    from engine.yamlsource import MAX_DEPTH, TOO_DEEP

    def doc(depth: int) -> str:
        return "a: [" + ", ".join(["1"] * 100) + ", " + "[" * depth + "]" * depth + "]\n"

    parse_yaml(doc(MAX_DEPTH - 3), source="regels.yaml")
    with pytest.raises(YamlError) as info:
        parse_yaml(doc(MAX_DEPTH), source="regels.yaml")
    assert TOO_DEEP in info.value.problems[0].melding
