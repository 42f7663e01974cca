"""The law's words beside each reason of an advies (`engine.wettekst.woorden_bij_advies`), at
engine level: the HTTP test (tests/api/test_wetteksten.py) is outside the mutation selection,
which found every mutant of this function untested (docs/testen.md). Expected values are the
vendored Wmo 2015 text and the pack's own citations."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from engine import Engine
from engine.wettekst import Wetteksten, woorden_bij_advies

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def _words(rules: Engine, casus: dict[str, Any]) -> tuple[dict[str, Any], dict[Any, Any]]:
    receipt = rules.advies(casus)
    words = woorden_bij_advies(rules.rules.packs, receipt.trace, Wetteksten.load(None))
    reasons = {(i["id"], f"{x['soort']}:{x['id']}"): x
               for e in receipt.trace["advies"]["effecten"]
               for i in e["stap4"]["instrumenten"] for x in i.get("redenen", [])}
    return words, reasons


def test_every_reason_of_a_vendored_law_has_its_words_and_its_own_citation(
        rules: Engine) -> None:
    casus = yaml.safe_load((EXAMPLES / "scootmobiel.yaml").read_text("utf-8"))
    casus.pop("verwachting", None)
    words, reasons = _words(rules, casus)
    shown = {(ins, key) for ins, found in words.items() for key in found}
    assert shown and shown <= set(reasons)
    assert len(shown) == len(reasons)  # every law of this advies is vendored (Wmo 2015)
    assert {key.split(":")[0] for _, key in shown} >= {"voorwaarde", "uitsluiting"}
    for ins, key in reasons:
        found = words[ins][key]
        assert set(found) == {"citaat", "wettekst", "tekst", "lid_tekst", "versie", "bron",
                              "naam"}
        assert found["tekst"] and found["tekst"] in found["lid_tekst"]
    # each reason cites its own rechtsgrond, not the instrument's
    vervoer = words["wmo.vervoersvoorziening"]
    lid3 = next(w for w in vervoer.values() if w["citaat"] == "art. 2.3.5 lid 3 Wmo 2015")
    assert lid3["tekst"].startswith("Het college beslist tot verstrekking van een "
                                    "maatwerkvoorziening")
    assert len({w["citaat"] for w in vervoer.values()}) > 1


def test_a_voorliggend_reason_has_its_words(rules: Engine) -> None:
    casus = yaml.safe_load((EXAMPLES / "dreigende-huisuitzetting.yaml").read_text("utf-8"))
    casus.pop("verwachting", None)
    words, reasons = _words(rules, casus)
    voorliggend = [(ins, key) for ins, key in reasons if key.startswith("voorliggend:")]
    assert voorliggend
    assert [(ins, key) for ins, key in voorliggend if key in words.get(ins, {})]


def test_an_instrument_without_reasons_adds_no_words(rules: Engine) -> None:
    casus = yaml.safe_load((EXAMPLES / "scootmobiel.yaml").read_text("utf-8"))
    casus.pop("verwachting", None)
    receipt = rules.advies(casus)
    for e in receipt.trace["advies"]["effecten"]:
        for i in e["stap4"]["instrumenten"]:
            i.pop("redenen", None)
    assert woorden_bij_advies(rules.rules.packs, receipt.trace, Wetteksten.load(None)) == {}
