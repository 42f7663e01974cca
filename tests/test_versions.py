"""On every date in each pack's range, exactly one version of every rule and parameter applies."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest

from engine.loader import LoadedPack, load_packs

FIXTURE = Path(__file__).parent / "fixtures" / "basis"
HORIZON = dt.date(2027, 12, 31)


def versioned(lp: LoadedPack) -> dict[str, list[tuple[dt.date, dt.date]]]:
    spans: dict[str, list[tuple[dt.date, dt.date]]] = defaultdict(list)
    items: list[tuple[str, Any]] = [
        *((f"grondwaarde:{g.id}", g) for g in lp.pack.grondwaarden),
        *((f"instrument:{i.id}", i) for i in lp.pack.instrumenten),
        *((f"afgeleid:{a.id}", a) for a in lp.pack.afgeleide_feiten),
        *((f"parameter:{p.id}", w) for p in lp.pack.parameters for w in p.waarden),
    ]
    for key, item in items:
        spans[key].append(lp.span(item))
    return spans


def all_packs() -> list[LoadedPack]:
    return [*load_packs(), *load_packs([FIXTURE])]


@pytest.mark.parametrize("lp", all_packs(), ids=lambda lp: lp.id)
def test_exactly_one_version_each_day(lp: LoadedPack) -> None:
    spans = versioned(lp)
    end = min(lp.end, HORIZON)
    day = lp.start
    while day <= end:
        for key, versions in spans.items():
            first = min(s for s, _ in versions)
            last = max(e for _, e in versions)
            applying = sum(1 for s, e in versions if s <= day <= e)
            expected = 1 if first <= day <= last else 0
            assert applying == expected, f"{lp.id} {key} on {day}: {applying} versions"
        day += dt.timedelta(days=1)


def test_fixture_has_a_real_version_change() -> None:
    (lp,) = load_packs([FIXTURE])
    assert len(versioned(lp)["instrument:basis.oud"]) == 2


def test_wsnp_change_of_2023_07_01() -> None:
    """The first real version change: until 2023-06-30 an earlier Wsnp less than ten years ago
    bars admission (Fw 288 lid 2 d, old text); from 2023-07-01 it does not (Stb. 2023, 87).
    Only the wsnp pack reaches back to 2023: with all packs these dates are refused."""
    from engine import CoverageError, Engine
    from engine.loader import DEFAULT_RULES_DIR

    rules = Engine.load([DEFAULT_RULES_DIR / "wsnp"])
    with pytest.raises(CoverageError):
        Engine.load().advies({"peildatum": "2023-06-30", "personen": [{"id": "p1",
                              "rol": "aanvrager"}], "gewenste_effecten": [
                              {"id": "e1", "omschrijving": "x", "leefgebied": "financien"}]})
    financien = {"problematische_schulden": True, "te_goeder_trouw": True,
                 "fw_nakoming_verplichtingen": True, "minnelijk_traject_mislukt": True,
                 "fw_poging_door_wck48": True, "fw_wsnp_loopt": False,
                 "fw_schulden_uit_misdrijf": False, "eerdere_wsnp_jaren_geleden": 6,
                 "fw_eerdere_wsnp_uitzondering": False, "fw_omstandigheden_onder_controle": True,
                 # not married: Fw 284 lid 3 (the spouse's medewerking) does not apply; unknown, it
                 # is asked and the status is voorwaardelijk (Wsnp 2026.12.7, vierde lezing)
                 "fw_schuldenaar_gehuwd": False}

    def status(day: str) -> tuple[str, str]:
        receipt = rules.advies({
            "peildatum": day, "financien": financien,
            "personen": [{"id": "p1", "rol": "aanvrager", "leeftijd": 45,
                          "woont_in_gemeente": True}],
            "gewenste_effecten": [{"id": "e1", "omschrijving": "Een schone lei.",
                                   "leefgebied": "financien"}]})
        ins = next(i for i in receipt.advies["effecten"][0]["stap4"]["instrumenten"]
                   if i["id"] == "wsnp.schuldsanering")
        return ins["status"], ins["naam"]

    before, after = status("2023-06-30"), status("2023-07-01")
    assert before[0] == "past_niet"
    assert after[0] == "past"
