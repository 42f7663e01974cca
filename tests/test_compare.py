"""Two adviezen compared in terms of the law (issue 16): `engine.compare.vergelijk` on real
traces, and `ot herhaal` printing it before the raw differences. Invented people only."""

from __future__ import annotations

import copy
import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from cli.main import app
from engine import Engine
from engine.compare import parameter_info, vergelijk
from engine.replay import diff
from tests.paths import EXAMPLES, ROOT

PW = "participatiewet/participatiewet.yaml"
GRENS_OUD = '{waarde: 8000, geldig_vanaf: 2026-01-01, bron: "wo:BWBR0015703/2026-01-01#Artikel34"}'
GRENS_NIEUW = GRENS_OUD.replace("8000", "8800")
_PW_VERSIE = re.search(r'^  versie: "([^"]+)"', (ROOT / "rules" / PW).read_text("utf-8"), re.M)
assert _PW_VERSIE is not None
VERSIE = _PW_VERSIE.group(1)  # the bundled version, whatever it is today
VERSIE_OUD = f'versie: "{VERSIE}"'
VERSIE_NIEUW = f'versie: "{VERSIE}-h16"'


def example(name: str) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((EXAMPLES / f"{name}.yaml").read_text("utf-8"))
    data.pop("verwachting", None)
    data["peildatum"] = str(data["peildatum"])
    return data


def spaarder() -> dict[str, Any]:
    """An invented alleenstaande with € 8.500 savings, no debts and no benefit: above the
    vermogensgrens of 2026 (€ 8.000), and the consulent has checked that none of it is left
    out by art. 34 lid 2 (`pw_vermogen_onder_grens` nee; without that answer the pack asks it
    instead of refusing, fresh42 Q1), so algemene bijstand does not fit."""
    casus = example("dreigende-huisuitzetting")
    casus["huishouden"]["vermogen"] = 8500
    casus["huishouden"]["pw_vermogen_onder_grens"] = False
    casus["financien"]["schulden_totaal"] = 0
    casus["personen"][0]["uitkering"] = "geen"
    return casus


def raise_limit(rules_dir: Path) -> None:
    """Change the packs in `rules_dir`: the vermogensgrens alleenstaande of 2026 is € 8.800
    instead of € 8.000 (one parameter), in a new version of the participatiewet pack."""
    pack = rules_dir / PW
    text = pack.read_text("utf-8")
    assert text.count(GRENS_OUD) == 1 and text.count(VERSIE_OUD) == 1
    pack.write_text(text.replace(GRENS_OUD, GRENS_NIEUW).replace(VERSIE_OUD, VERSIE_NIEUW),
                    "utf-8")


def raised_limit(target: Path) -> Path:
    """A copy of the bundled packs with `raise_limit` applied."""
    shutil.copytree(ROOT / "rules", target)
    raise_limit(target)
    return target


@pytest.fixture(scope="module")
def raised(tmp_path_factory: pytest.TempPathFactory) -> Engine:
    return Engine.load([raised_limit(tmp_path_factory.mktemp("regels") / "rules")])


def test_an_answered_fact_shows_the_status_change_with_its_condition(rules: Engine) -> None:
    before = rules.advies(example("scootmobiel")).trace
    casus = example("scootmobiel")
    casus["gewenste_effecten"][0]["wmo_eigen_kracht_toereikend"] = True
    after = rules.advies(casus).trace

    v = vergelijk(before, after)

    assert not v.gelijk
    changed = {(i.effect, i.instrument): i for i in v.instrumenten}
    ins = changed[("e1", "wmo.eigen_kracht")]
    assert (ins.status_toen, ins.status_nu) == ("voorwaardelijk", "past")
    assert ins.rechtsgrond == "art. 2.3.2 lid 4 onder b Wmo 2015"
    (grond,) = ins.gronden
    assert (grond.soort, grond.id) == ("voorwaarde", "eigen_kracht_toereikend")
    assert grond.rechtsgrond == "art. 2.3.5 lid 3 Wmo 2015"
    assert (grond.uitkomst_toen, grond.uitkomst_nu) == ("onbekend", "ja")
    assert (grond.stand_toen, grond.stand_nu) == ("nog onbekend", None)
    assert grond.uitleg and grond.uitleg.startswith("De inwoner kan dit op eigen kracht")
    assert [q.feit for q in v.vragen_vervallen] == [
        "gewenste_effecten[e1].wmo_eigen_kracht_toereikend"]
    assert v.vragen_erbij == [] and v.parameters == [] and v.pakketten == []
    # Every instrument listed really changed; the unchanged ones are left out.
    statuses = {i["id"]: i["status"] for i in after["advies"]["effecten"][0]["stap4"][
        "instrumenten"]}
    assert len(v.instrumenten) < len(statuses)
    # The auditor reads a handful of lines where the raw comparison has many paths.
    assert len(diff(before, after)) > 3 * (len(v.instrumenten) + len(v.vragen_vervallen))


def test_a_changed_parameter_names_it_with_values_validity_and_the_deciding_condition(
        rules: Engine, raised: Engine) -> None:
    casus = spaarder()
    before, after = rules.advies(casus).trace, raised.advies(casus).trace

    v = vergelijk(before, after, info_toen=parameter_info(rules, before),
                  info_nu=parameter_info(raised, after))

    (param,) = v.parameters
    assert param.id == "pw_vermogensgrens_alleenstaande"
    assert param.omschrijving == "Vermogensgrens alleenstaande"
    assert param.toen is not None and param.nu is not None
    assert (param.toen.waarde, param.nu.waarde) == (8000, 8800)
    assert param.nu.eenheid == "euro"
    assert param.nu.rechtsgrond == "art. 34 lid 3 onder a Participatiewet"
    assert (param.toen.geldig_vanaf, param.nu.geldig_vanaf) == ("2026-01-01", "2026-01-01")
    assert param.nu.geldig_tot is None
    assert [(p.id, p.versie_toen, p.versie_nu) for p in v.pakketten] == [
        ("participatiewet", VERSIE, f"{VERSIE}-h16")]

    changed = {(i.effect, i.instrument): i for i in v.instrumenten}
    bijstand = changed[("e1", "participatiewet.algemene_bijstand")]
    assert (bijstand.status_toen, bijstand.status_nu) == ("past_niet", "voorwaardelijk")
    (grond,) = bijstand.gronden
    assert (grond.id, grond.rechtsgrond) == ("geen_vermogen",
                                             "art. 19 lid 1 onder b Participatiewet")
    assert (grond.uitkomst_toen, grond.uitkomst_nu) == ("nee", "ja")
    # The voorschot is a form of algemene bijstand: it follows, and says why.
    voorschot = changed[("e1", "participatiewet.voorschot")]
    assert (voorschot.status_toen, voorschot.status_nu) == ("past_niet", "voorwaardelijk")
    assert [(g.soort, g.id) for g in voorschot.gronden] == [
        ("vorm_van", "participatiewet.algemene_bijstand")]
    # the voorschot's own question (art. 52 lid 1) is new; whether bijstand was applied for is
    # asked before already, by the ontheffingen of art. 9 (fresh46 U2)
    assert "huishouden.pw_verwijtbaar_onvolledige_gegevens" in {q.feit for q in v.vragen_erbij}


def test_the_same_trace_is_equal_in_terms_of_the_law(rules: Engine) -> None:
    trace = rules.advies(example("gezin-meervoudig")).trace
    v = vergelijk(trace, copy.deepcopy(trace))
    assert v.gelijk
    assert (v.instrumenten, v.parameters, v.vragen_erbij, v.vragen_vervallen,
            v.afgeleide_feiten, v.pakketten, v.stap2) == ([], [], [], [], [], [], None)


def test_an_instrument_that_left_or_no_longer_applies_is_named(rules: Engine) -> None:
    before = rules.advies(example("scootmobiel")).trace
    after = copy.deepcopy(before)
    stap4 = after["advies"]["effecten"][0]["stap4"]
    gone = stap4["instrumenten"].pop(next(i for i, x in enumerate(stap4["instrumenten"])
                                          if x["id"] == "wmo.collectief_vervoer"))
    stap4["niet_van_toepassing"].append({"id": gone["id"],
                                         "reden": "dient geen grondwaarde van dit effect"})
    removed = stap4["instrumenten"].pop()

    v = vergelijk(before, after)

    changed = {i.instrument: i for i in v.instrumenten}
    assert (changed["wmo.collectief_vervoer"].status_toen,
            changed["wmo.collectief_vervoer"].status_nu) == ("voorwaardelijk",
                                                             "niet_van_toepassing")
    assert changed["wmo.collectief_vervoer"].reden_nu == "dient geen grondwaarde van dit effect"
    assert changed[removed["id"]].status_nu == "ontbreekt"
    assert changed[removed["id"]].naam == removed["naam"]


def test_a_flipped_stap2_is_shown(rules: Engine) -> None:
    before = rules.advies(example("gezin-meervoudig")).trace
    after = copy.deepcopy(before)
    after["advies"]["stap2"]["integraal_overleg"] = False
    v = vergelijk(before, after)
    assert v.stap2 is not None and not v.gelijk
    assert (v.stap2.integraal_overleg_toen, v.stap2.integraal_overleg_nu) == (True, False)


@pytest.mark.parametrize("damaged", [{}, {"advies": 3, "parameters": [1, {"id": "x"}]},
                                     {"advies": {"effecten": [{"id": "e1", "stap4": []}],
                                                 "nog_uitvragen": [None]},
                                      "peildatum": ["nee"]}])
def test_a_damaged_trace_is_compared_not_a_crash(rules: Engine, damaged: Any) -> None:
    """A receipt handed to an auditor may have been tampered with."""
    trace = rules.advies(example("scootmobiel")).trace
    assert not vergelijk(damaged, trace).gelijk
    assert not vergelijk(trace, damaged).gelijk
    assert parameter_info(rules, damaged) == {}


# ── `ot herhaal` ────────────────────────────────────────────────────────────────────────────

def test_ot_herhaal_prints_the_status_change_first_then_twenty_raw_paths(
        tmp_path: Path) -> None:
    runner = CliRunner()
    casus = tmp_path / "casus.json"
    casus.write_text(json.dumps(spaarder()), encoding="utf-8")
    made = runner.invoke(app, ["advies", str(casus), "--json"])
    assert made.exit_code == 0, made.output
    receipt = tmp_path / "bewijsstuk.json"
    receipt.write_text(made.output, encoding="utf-8")
    regels = raised_limit(tmp_path / "rules")

    result = runner.invoke(app, ["herhaal", str(receipt), "--regels", str(regels)],
                           env={"COLUMNS": "200"})

    assert result.exit_code == 1
    text = result.output
    assert "intact (hash klopt): ja" in text and "zelfde regelpakketten: nee" in text
    law = text.index("Vergelijking in termen van de wet")
    raw = text.index("verschillen in de trace (")
    assert law < raw
    section = text[law:raw]
    assert "e1 · Algemene bijstand (bijstandsuitkering) (art. 19 lid 1 Participatiewet)" in section
    assert "status: past niet → voorwaardelijk" in section
    assert ("• voorwaarde geen_vermogen (art. 19 lid 1 onder b Participatiewet): nee → ja"
            in section)
    assert "pw_vermogensgrens_alleenstaande — Vermogensgrens alleenstaande" in section
    assert ("€ 8.000 (art. 34 lid 3 onder a Participatiewet) → € 8.800 (art. 34 lid 3 "
            "onder a Participatiewet), geldig 2026-01-01 t/m open einde") in section
    raw_lines = [line for line in text[raw:].splitlines()[1:] if line.startswith("  ")]
    assert len(raw_lines) == 20
    assert "; de eerste 20):" in text[raw:].splitlines()[0]
