"""Messages and small seams that the mutation sample found unchecked (docs/testen.md): the
hints for a YAML layout error without a context mark, base-60 floats, the item index of a bad
number in a list, the JSON schema of an amount, the units named for a bad termijn length, and
the backend of a YAML test run on fewer packs. Expected texts are the functions' own, written
out here: what a beleidsmedewerker reads."""

from __future__ import annotations

import pytest
import yaml
from pydantic import TypeAdapter
from pydantic_core import PydanticCustomError

from engine import Engine
from engine.numbers import Bedrag, bounded
from engine.yamlsource import INDENT_HINT, parse_yaml, yaml_hint
from engine.yamltests import _subset, parse_duur


def _error(problem: str, context: str | None = None) -> yaml.MarkedYAMLError:
    return yaml.MarkedYAMLError(context=context, context_mark=None, problem=problem)


def test_a_list_hint_without_a_context_mark_names_no_place() -> None:
    hint = yaml_hint(_error("expected <block end>, but found '?'",
                            "while parsing a block collection"))
    assert hint == (f"{INDENT_HINT}: in de lijst begint elk element met '- ', en de sleutels "
                    "van een element springen verder in dan zijn '-'")


def test_a_dash_hint_without_a_context_mark_names_no_block() -> None:
    hint = yaml_hint(_error("expected <block end>, but found '-'",
                            "while parsing a block mapping"))
    assert hint == (f"{INDENT_HINT}: een '-' staat hier tussen de sleutels; een lijst hoort "
                    "onder een eigen 'sleutel:' en springt verder in")


@pytest.mark.parametrize("text", ["190:20:30.15", "1:30.5", "-4:13.0"])
def test_a_base_60_float_stays_text(text: str) -> None:
    """YAML 1.1 reads `190:20:30.15` as 685230.15; an article number such as 4:13.0 is text."""
    assert parse_yaml(f"a: {text}\n").data == {"a": text}


def test_a_bad_number_in_a_list_names_its_item() -> None:
    check = bounded("geheel")
    with pytest.raises(PydanticCustomError) as caught:
        check([1, 2**60])
    assert str(caught.value).startswith("item 1: een geheel getal ligt tussen")
    with pytest.raises(PydanticCustomError) as single:
        check(2**60)
    assert str(single.value).startswith("een geheel getal ligt tussen")


def test_an_amount_is_described_as_whole_cents_in_the_schema() -> None:
    schema = TypeAdapter(Bedrag).json_schema()
    assert schema["description"] == "euro, in hele centen"


def test_a_bad_termijn_length_names_every_unit() -> None:
    with pytest.raises(ValueError) as caught:
        parse_duur("6 weekjes")
    assert str(caught.value) == ("geen duur: '6 weekjes'; schrijf een aantal en een eenheid, "
                                 "zoals \"6 weken\" of \"1 week\" (dagen, jaren, maanden, "
                                 "weken, werkdagen), of \"onbekend\"")


def test_a_test_on_fewer_packs_keeps_the_backend() -> None:
    oracle = Engine.load(backend="oracle")
    ids = tuple(lp.id for lp in oracle.rules.packs if lp.gemeente is None)[:1]
    assert _subset(oracle, ids).backend_name == "oracle"


def test_a_subset_is_never_taken_from_another_rule_base_at_the_same_id() -> None:
    """`_subset` caches by the rule base's id; an entry left by a rule base that is gone, whose id
    a new rule base now has, must not be returned (the entry keeps its own rule base and is
    checked by identity)."""
    from engine import yamltests

    oracle = Engine.load(backend="oracle")
    other = Engine.load(backend="oracle")
    ids = tuple(lp.id for lp in oracle.rules.packs if lp.gemeente is None)[:1]
    stale = _subset(other, ids)
    yamltests._SUBSETS[(id(oracle.rules), ids)] = (other.rules, stale)  # as if the id were reused
    fresh = _subset(oracle, ids)
    assert fresh is not stale
    assert {lp.id for lp in fresh.rules.packs} <= {lp.id for lp in oracle.rules.packs}
    assert all(a is b for a, b in zip(fresh.rules.packs,
                                      [lp for lp in oracle.rules.packs if lp in fresh.rules.packs],
                                      strict=True))
