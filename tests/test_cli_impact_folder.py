"""`ot impact --casussen MAP`: a beleidsmedewerker on their own, without the service or its
database. Per casus: which instrument moves from the current rules to the changed ones, and
which condition (with its article) decided it. Without a database and without `--casussen` the
command says what it needs and creates nothing. Invented and public example casussen only."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.main import app
from engine.loader import DEFAULT_RULES_DIR
from tests.paths import EXAMPLES

runner = CliRunner()
WIDE = {"COLUMNS": "250"}

NEW_CONDITION = '''
      - id: jonger_dan_75
        uitleg: "Alleen voor wie jonger is dan 75 jaar (verzonnen wijziging)."
        rechtsgrond: {bwb_id: BWBR0035362, artikel: "2.2.3"}
        toets: {feit: persoon.leeftijd, op: "<", waarde: 75}
'''


@pytest.fixture
def kandidaat(tmp_path: Path) -> Path:
    """The bundled Wmo pack with one invented extra condition on collectief vervoer: the
    scootmobiel casus (76 years old) no longer fits it; no other example asks about mobility."""
    text = (DEFAULT_RULES_DIR / "wmo" / "wmo.yaml").read_text("utf-8")
    anchor = ('        toets: {feit: afgeleid.wmo_algemene_voorziening_toereikend, op: "=", '
              'waarde: true}\n')
    start = text.index("  - id: wmo.collectief_vervoer\n")
    at = text.index(anchor, start) + len(anchor)
    path = tmp_path / "kandidaat" / "wmo.yaml"
    path.parent.mkdir()
    path.write_text(text[:at] + NEW_CONDITION.lstrip("\n") + text[at:], "utf-8")
    return path


@pytest.fixture
def no_database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """A tmp working folder and HOME, and a database URL to a path that does not exist."""
    work = tmp_path / "werkmap"
    work.mkdir()
    monkeypatch.chdir(work)
    return {**WIDE, "HOME": str(tmp_path / "home"),
            "OT_DATABASE_URL": f"sqlite:///{tmp_path / 'geen' / 'ot.sqlite3'}"}


def files_under(path: Path) -> list[Path]:
    return sorted(path.rglob("*"))


def test_folder_prints_per_casus_what_moves_and_why(kandidaat: Path, tmp_path: Path,
                                                    no_database: dict[str, str]) -> None:
    before = files_under(tmp_path)
    result = runner.invoke(app, ["impact", str(kandidaat), "--casussen", str(EXAMPLES)],
                           env=no_database)
    assert result.exit_code == 0, result.output
    out = result.output
    assert "Traceback" not in out
    scoot = out[out.index("scootmobiel.yaml"):]
    scoot = scoot[:scoot.index("verslaving-schulden.yaml")]
    # effect, instrument, status then → now, the deciding condition with its article
    assert " e1 " in scoot and "wmo.collectief_vervoer" in scoot
    assert "Collectief vervoer (algemene voorziening)" in scoot
    assert "voorwaardelijk → past niet" in scoot
    assert "voorwaarde jonger_dan_75" in scoot and "nieuw: nee" in scoot
    assert "art. 2.2.3 Wmo 2015" in scoot
    for other in ("dreigende-huisuitzetting", "gezin-meervoudig", "overgang-18"):
        block = out[out.index(f"{other}.yaml"):]
        assert block.split("\n", 2)[1].strip() == "geen verandering", block[:300]
    assert "6 casussen vergeleken; 1 veranderen." in out
    assert files_under(tmp_path) == before  # no database, no data folder, nothing


def test_folder_json_names_the_deciding_condition(kandidaat: Path,
                                                  no_database: dict[str, str]) -> None:
    result = runner.invoke(app, ["impact", str(kandidaat), "--casussen", str(EXAMPLES),
                                 "--json"], env=no_database)
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert (report["totaal"], report["veranderd"], report["fouten"]) == (6, 1, 0)
    assert report["per_instrument"] == {
        "wmo.collectief_vervoer": {"voorwaardelijk → past_niet": 1}}
    by_name = {Path(c["casus"]).name: c for c in report["casussen"]}
    assert set(by_name) == {p.name for p in EXAMPLES.glob("*.yaml")}
    [change] = by_name["scootmobiel.yaml"]["wijzigingen"]
    assert change["effect"] == "e1" and change["instrument"] == "wmo.collectief_vervoer"
    assert (change["van"], change["naar"]) == ("voorwaardelijk", "past_niet")
    assert change["beslissend"] == [{
        "soort": "voorwaarde", "id": "jonger_dan_75",
        "uitleg": "Alleen voor wie jonger is dan 75 jaar (verzonnen wijziging).",
        "citaat": "art. 2.2.3 Wmo 2015", "van": "afwezig", "naar": "nee"}]
    assert all(not c["wijzigingen"] for name, c in by_name.items()
               if name != "scootmobiel.yaml")


def test_a_changed_condition_shows_its_outcome_then_and_now(tmp_path: Path,
                                                           no_database: dict[str, str]) -> None:
    """An existing condition made stricter (not a new one): ja → nee, with its own article."""
    text = (DEFAULT_RULES_DIR / "gemeenten" / "gm9991" / "gm9991.yaml").read_text("utf-8")
    old = '- {feit: client.leeftijd, op: ">=", waarde: 75}'
    assert old in text
    lines = text.replace(old, '- {feit: client.leeftijd, op: ">=", waarde: 80}').splitlines()
    changed = tmp_path / "gm9991.yaml"  # 80 or older, or a zintuiglijke beperking only
    changed.write_text("\n".join(x for x in lines if "waarde: lichamelijk}" not in x) + "\n",
                       "utf-8")
    folder = tmp_path / "casussen"
    folder.mkdir()
    casus = (EXAMPLES / "scootmobiel.yaml").read_text("utf-8")
    (folder / "voorbeeldstad.yaml").write_text("gemeente: GM9991\n" + casus, "utf-8")
    result = runner.invoke(app, ["impact", str(changed), "--casussen", str(folder), "--json"],
                           env=no_database)
    assert result.exit_code == 0, result.output
    [item] = json.loads(result.stdout)["casussen"]
    [change] = item["wijzigingen"]
    assert (change["instrument"], change["van"], change["naar"]) == (
        "gm9991.regiotaxi", "past", "past_niet")
    [why] = change["beslissend"]
    assert (why["id"], why["van"], why["naar"]) == ("doelgroep", "ja", "nee")
    assert why["citaat"] == "art. 12 lid 2 onder b Verordening sociaal domein Voorbeeldstad 2026"


def test_the_same_rules_change_nothing(no_database: dict[str, str]) -> None:
    result = runner.invoke(app, ["impact", "--casussen", str(EXAMPLES), "--json"],
                           env=no_database)
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["totaal"] == 6 and report["veranderd"] == 0 and report["per_instrument"] == {}


def test_a_bad_casus_is_listed_and_the_others_go_on(kandidaat: Path, tmp_path: Path,
                                                    no_database: dict[str, str]) -> None:
    folder = tmp_path / "casussen"
    folder.mkdir()
    shutil.copy(EXAMPLES / "scootmobiel.yaml", folder)
    (folder / "kapot.yaml").write_text(
        "peildatum: 2026-11-02\npersonen:\n  - {id: p1, rol: aanvrager, leeftijd: oud}\n"
        "gewenste_effecten: [{id: e1, omschrijving: x, leefgebied: mobiliteit}]\n", "utf-8")
    (folder / "notities.txt").write_text("geen casus", "utf-8")
    result = runner.invoke(app, ["impact", str(kandidaat), "--casussen", str(folder)],
                           env=no_database)
    assert result.exit_code == 1
    out = result.output
    assert "Traceback" not in out
    assert "past niet bij de huidige regels" in out
    assert f"{folder / 'kapot.yaml'}:3:" in out and "personen[0].leeftijd" in out
    assert "voorwaardelijk → past niet" in out  # scootmobiel was still compared
    assert "2 casussen vergeleken; 1 veranderen; 1 passen niet." in out
    assert "notities.txt" not in out


@pytest.mark.parametrize("args, field", [
    (["--peildatum", "1 januari"], "--peildatum"),
    (["--sinds", "2026-01-01"], "--sinds"),
])
def test_bad_options_name_the_option(args: list[str], field: str,
                                     no_database: dict[str, str]) -> None:
    result = runner.invoke(app, ["impact", "--casussen", str(EXAMPLES), *args],
                           env=no_database)
    assert result.exit_code == 2
    assert field in result.output and "Traceback" not in result.output


def test_an_empty_folder_says_so(tmp_path: Path, no_database: dict[str, str]) -> None:
    empty = tmp_path / "leeg"
    empty.mkdir()
    result = runner.invoke(app, ["impact", "--casussen", str(empty)], env=no_database)
    assert result.exit_code == 2
    assert "--casussen" in result.output and "geen .yaml" in result.output


def test_a_bad_candidate_pack_is_listed_not_a_crash(tmp_path: Path,
                                                    no_database: dict[str, str]) -> None:
    bad = tmp_path / "wmo.yaml"
    bad.write_text((DEFAULT_RULES_DIR / "wmo" / "wmo.yaml").read_text("utf-8")
                   .replace("trede: algemene_voorziening", "trede: ergens", 1), "utf-8")
    result = runner.invoke(app, ["impact", str(bad), "--casussen", str(EXAMPLES)],
                           env=no_database)
    assert result.exit_code == 2
    assert "Fouten in de kandidaat-pakketten" in result.output
    assert f"{bad}:" in result.output and "Traceback" not in result.output


def test_without_a_database_it_says_what_it_needs_and_creates_nothing(
        kandidaat: Path, tmp_path: Path, no_database: dict[str, str]) -> None:
    before = files_under(tmp_path)
    result = runner.invoke(app, ["impact", str(kandidaat)], env=no_database)
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    assert "geen database op" in result.output and "--casussen" in result.output
    assert files_under(tmp_path) == before
    assert not Path(tmp_path / "geen").exists() and not Path(tmp_path / "home").exists()


def test_the_default_database_is_not_created_either(tmp_path: Path,
                                                    no_database: dict[str, str]) -> None:
    """No OT_DATABASE_URL: the default `data/…sqlite3` in the working folder is not made."""
    before = files_under(tmp_path)
    result = runner.invoke(app, ["impact"], env={**no_database, "OT_DATABASE_URL": None})
    assert result.exit_code == 2
    assert "data/omgekeerde-toets.sqlite3" in result.output.replace("\n", "")
    assert "--casussen" in result.output
    assert files_under(tmp_path) == before


def test_peildatum_is_used_for_every_casus(kandidaat: Path, no_database: dict[str, str]) -> None:
    """`--peildatum` replaces each casus's own day on both sides: a day no pack covers makes
    every casus unfit for the current rules, named by its field."""
    result = runner.invoke(app, ["impact", str(kandidaat), "--casussen",
                                 str(EXAMPLES / "scootmobiel.yaml"), "--peildatum", "1990-01-01",
                                 "--json"], env=no_database)
    assert result.exit_code == 1
    [item] = json.loads(result.stdout)["casussen"]
    assert item["fout"] == "huidige regels"
    assert any(p.startswith("peildatum:") and "1990-01-01" in p for p in item["problemen"])
    ok = runner.invoke(app, ["impact", str(kandidaat), "--casussen",
                             str(EXAMPLES / "scootmobiel.yaml"), "--peildatum", "2027-01-01",
                             "--json"], env=no_database)
    assert ok.exit_code == 0, ok.output
    assert json.loads(ok.stdout)["veranderd"] == 1
