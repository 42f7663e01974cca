"""The parsed-document cache of `engine.yamlsource.parse_yaml` (service starts, pack reloads).

A hit must be indistinguishable from a fresh parse: the same values and marks, its own objects
(a caller that changes its document cannot change the next one's), the caller's source name,
and a document with a problem is refused every time, never served from the cache.
"""

from __future__ import annotations

import hashlib

import pytest

from engine.yamlsource import _PARSED, YamlError, _ParsedCache, parse_yaml

TEXT = "regelpakket:\n  id: proef\n  waarden: [1, 2.5, '4:13']\nlijst:\n  - {a: 1}\n"


def test_a_hit_is_a_fresh_copy_with_the_same_values_and_marks() -> None:
    first = parse_yaml(TEXT, source="een.yaml")
    first.data["regelpakket"]["waarden"].append(99)
    second = parse_yaml(TEXT.encode("utf-8"), source="twee.yaml")
    assert second.data == {"regelpakket": {"id": "proef", "waarden": [1, 2.5, "4:13"]},
                           "lijst": [{"a": 1}]}
    assert second.source == "twee.yaml"
    assert second.marks[("lijst", 0, "a")] == (5, 9)  # the value 1 of `  - {a: 1}`
    assert second.marks == parse_yaml(TEXT, source="drie.yaml").marks
    assert second.data is not parse_yaml(TEXT).data


def test_a_refused_document_is_refused_again() -> None:
    bad = "a: 1\na: 2\n"
    for _ in range(2):
        with pytest.raises(YamlError, match="komt twee keer voor"):
            parse_yaml(bad, source="dubbel.yaml")


def test_the_cache_keeps_the_most_recent_within_its_budget() -> None:
    cache = _ParsedCache(budget=10)
    cache.put(b"a", b"12345")
    cache.put(b"b", b"12345")
    assert cache.get(b"a") == b"12345"  # a is now the most recent
    cache.put(b"c", b"123")
    assert cache.get(b"b") is None and cache.get(b"a") and cache.get(b"c")
    cache.put(b"d", b"12345678901")  # larger than the whole budget: not kept
    assert cache.get(b"d") is None and cache.get(b"a")


def test_the_process_cache_serves_a_second_parse() -> None:
    text = TEXT + "uniek: test_the_process_cache_serves_a_second_parse\n"
    parse_yaml(text)
    assert _PARSED.get(hashlib.sha256(text.encode("utf-8")).digest()) is not None
