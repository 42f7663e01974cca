"""The casussen of the independent readings (`docs/lezingen/*/casussen/`) stay readable.

They are the evidence behind every fix of a reading (docs/lezingen/README.md): a reader wrote
them from the law and the verantwoording cites them. A change to the casus contract or the packs'
facts that made one of them invalid would silently turn that evidence into a file nobody can run
again. So each must still be a valid casus for the bundled packs, give an advies, and give the
same bytes on durable-rules and the oracle (a second, independent set of real households for the
backends' equality). The expected advies is prose in each reading's `verwachtingen.md`; the
statuses it asked for are in the packs' YAML tests, not here.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from engine import Engine
from engine.errors import CoverageError
from tests.paths import ROOT

CASUSSEN = sorted((ROOT / "docs" / "lezingen").glob("*/casussen/*.yaml"))


def test_the_readings_are_there() -> None:
    readings = {p.parent.parent.name for p in CASUSSEN}
    assert len(CASUSSEN) >= 100 and len(readings) >= 6, readings
    listed = (ROOT / "docs" / "lezingen" / "README.md").read_text("utf-8")
    assert all(f"| {name} |" in listed for name in readings), readings


@pytest.mark.parametrize("path", CASUSSEN, ids=lambda p: f"{p.parent.parent.name}/{p.stem}")
def test_a_reading_casus_still_gives_the_same_advies_on_both_backends(rules: Engine,
                                                                      path: Path) -> None:
    try:
        casus = rules.casus_file(path)
        receipt = rules.advies(casus)
    except CoverageError as refused:
        # a reader's casus on a day no pack covers (fresh38 07a: the old Wsnp of 2023) must be
        # refused at its peildatum, naming what is covered: that is what it tests
        assert f"{path}:2:" in str(refused) and "gedekt zijn de peildata" in str(refused)
        return
    assert receipt.advies["effecten"], path
    assert rules.with_backend("oracle").advies(casus).trace_json == receipt.trace_json


def test_a_pleegkind_whose_woonplaats_is_elsewhere_is_pointed_to_that_college(
        rules: Engine) -> None:
    """fresh45 T4: a pleegdochter of 11, in the BRP here, whose woonplaats is elsewhere
    (1.1 'woonplaats' 2°, stated nee). The college's jeugdhulp is `past_niet` for this college
    (2.3 lid 1 "ten behoeve van de jeugdige die zijn woonplaats heeft binnen zijn gemeente"),
    and the reason must say that the college of her woonplaats provides it: a consulent reads a
    bare "past niet" as "no jeugdhulp"."""
    path = ROOT / "docs" / "lezingen" / "fresh45" / "casussen" / "j03_pleegkind_woonplaats.yaml"
    receipt = rules.advies(rules.casus_file(path))
    [e1] = [e for e in receipt.advies["effecten"] if e["id"] == "e1"]
    [ins] = [i for i in e1["stap4"]["instrumenten"]
             if i["id"] == "jeugdwet.individuele_voorziening"]
    assert ins["status"] == "past_niet"
    [reden] = [r for r in ins["redenen"] if r["id"] == "woonplaats"]
    assert reden["stand"] == "niet voldaan"
    assert "treft het college van zijn woonplaats de voorziening (2.3 lid 1): verwijs daarheen" \
        in reden["uitleg"]
