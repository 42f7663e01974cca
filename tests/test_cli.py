"""The `ot` command as a user meets it: output, exit codes, no tracebacks."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from cli.main import app
from engine.evaluate import trace_hash
from tests.paths import EXAMPLES, ROOT

runner = CliRunner()


def test_advies_prints_steps_and_citations() -> None:
    result = runner.invoke(app, ["advies", str(EXAMPLES / "scootmobiel.yaml")],
                           env={"COLUMNS": "160"})
    assert result.exit_code == 0, result.output
    assert "Stap 2" in result.output and "Stap 4" in result.output
    assert "art. 2.3.5 lid 3 Wmo 2015" in result.output
    assert "voorwaardelijk" in result.output
    assert "netwerk.mantelzorg_beschikbaar" in result.output


def test_advies_json_is_a_verifiable_receipt() -> None:
    result = runner.invoke(app, ["advies", str(EXAMPLES / "scootmobiel.yaml"), "--json"])
    assert result.exit_code == 0
    receipt = json.loads(result.stdout)
    body = {k: v for k, v in receipt.items() if k != "trace_hash"}
    assert receipt["trace_hash"] == trace_hash(body)
    assert {"casus", "peildatum", "pakketten", "engine", "advies"} <= set(receipt)
    assert all(p["hash"].startswith("sha256:") for p in receipt["pakketten"])


def test_herhaal_identical_and_tampered(tmp_path: Path) -> None:
    result = runner.invoke(app, ["advies", str(EXAMPLES / "scootmobiel.yaml"), "--json"])
    good = tmp_path / "r.json"
    good.write_text(result.stdout, encoding="utf-8")
    ok = runner.invoke(app, ["herhaal", str(good)])
    assert ok.exit_code == 0 and "identiek" in ok.output
    receipt = json.loads(result.stdout)
    receipt["advies"]["stap2"]["integraal_overleg"] = True
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(receipt), encoding="utf-8")
    tampered = runner.invoke(app, ["herhaal", str(bad)])
    assert tampered.exit_code == 1
    assert "advies.stap2.integraal_overleg" in tampered.output


def test_bad_casus_lists_problems_without_traceback(tmp_path: Path) -> None:
    f = tmp_path / "casus.yaml"
    f.write_text("peildatum: 2026-11-02\n"
                 "personen:\n  - {id: p1, rol: aanvrager, leeftijd: achttien}\n"
                 "gewenste_effecten:\n"
                 "  - {id: e1, omschrijving: x, leefgebied: wonen, persoon: p7}\n",
                 encoding="utf-8")
    # wide, so that the file name is not wrapped (its tmp path is longer under pytest-xdist)
    result = runner.invoke(app, ["advies", str(f)], env={"COLUMNS": "300"})
    assert result.exit_code == 1
    out = result.output
    assert "Traceback" not in out
    assert "personen[0].leeftijd" in out
    assert "gewenste_effecten[0].leefgebied" in out
    assert f"{f}:3:" in out  # located in the YAML file


def test_lint_reports_located_errors() -> None:
    broken = ROOT / "tests" / "broken_packs" / "multiple_errors.yaml"
    result = runner.invoke(app, ["lint", str(broken)])
    assert result.exit_code == 1
    assert "multiple_errors.yaml:52:65" in result.output.replace("\n", "")


def test_lint_and_test_pass_on_bundled_rules() -> None:
    assert runner.invoke(app, ["lint"]).exit_code == 0
    result = runner.invoke(app, ["test"])
    assert result.exit_code == 0, result.output
    assert " 0 gefaald" in result.output


def test_test_shows_a_readable_diff(tmp_path: Path) -> None:
    f = tmp_path / "t.yaml"
    f.write_text("""
- naam: verkeerde verwachting
  casus:
    peildatum: 2026-11-02
    personen: [{id: p1, rol: aanvrager, leeftijd: 76, woont_in_gemeente: true}]
    gewenste_effecten: [{id: e1, omschrijving: x, leefgebied: mobiliteit}]
  verwacht:
    effecten:
      e1:
        instrumenten: {wmo.vervoersvoorziening: past}
""", encoding="utf-8")
    result = runner.invoke(app, ["test", str(f)], env={"COLUMNS": "200"})
    assert result.exit_code == 1
    assert "wmo.vervoersvoorziening: verwacht past, kreeg voorwaardelijk" in result.output


def test_installed_entry_point_runs() -> None:
    ot = Path(sys.executable).parent / "ot"
    proc = subprocess.run([str(ot), "advies", str(EXAMPLES / "scootmobiel.yaml")],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "Advies Omgekeerde Toets" in proc.stdout


def _casus_file(tmp_path: Path, **extra: str) -> Path:
    lines = ["peildatum: " + extra.pop("peildatum", "2026-03-01")]
    lines += [f"{k}: {v}" for k, v in extra.items()]
    lines += ["personen: [{id: p1, rol: aanvrager, woont_in_gemeente: true, wlz_indicatie: true,",
              "           weigert_medewerking: false}]",
              "gewenste_effecten: [{id: e1, omschrijving: x, leefgebied: mobiliteit}]"]
    f = tmp_path / "c.yaml"
    f.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return f


def test_advies_shows_who_decides_and_notices(tmp_path: Path) -> None:
    fixture = str(ROOT / "tests" / "fixtures" / "oordeel")
    f = _casus_file(tmp_path, gemeente="GM0363", peildatum="2026-08-01")
    result = runner.invoke(app, ["advies", str(f), "-r", fixture], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "ter beoordeling van" in result.output  # the marker, next to the status (wrapped)
    assert "beslist: het college" in result.output
    assert "geen lokaal beleid bekend voor GM0363" in result.output
    assert "herziening per 2026-07-01 ontbreekt" in result.output


def test_advies_refuses_uncovered_peildatum_and_bad_gemeente(tmp_path: Path) -> None:
    fixture = str(ROOT / "tests" / "fixtures" / "oordeel")
    result = runner.invoke(app, ["advies", str(_casus_file(tmp_path, peildatum="2027-02-01")),
                                 "-r", fixture], env={"COLUMNS": "200"})
    assert result.exit_code == 1
    assert "peildatum" in result.output and "2024-01-01 t/m 2026-12-31" in result.output
    result = runner.invoke(app, ["advies", str(_casus_file(tmp_path, gemeente="GM36")),
                                 "-r", fixture], env={"COLUMNS": "200"})
    assert result.exit_code == 1
    assert "gemeente" in result.output and "GM\\d{4}" in result.output


def test_lint_lists_reindexed_amounts(tmp_path: Path) -> None:
    from tests.test_checks import no_law_texts

    result = runner.invoke(app, ["lint", str(ROOT / "tests" / "fixtures" / "oordeel"),
                                 "--wetteksten", str(no_law_texts(tmp_path))],
                           env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "herziening oordeel.norm: waarde per 2026-01-01 geldt tot de herziening per " \
           "2026-07-01" in result.output


def test_uitleg_accepts_an_old_id() -> None:
    result = runner.invoke(app, ["uitleg", "oordeel.oude_voorziening", "-r",
                                 str(ROOT / "tests" / "fixtures" / "oordeel")],
                           env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "eerdere id van oordeel.voorziening" in result.output


def test_lint_of_one_overlay_resolves_national_ids_from_the_bundled_packs(tmp_path: Path) -> None:
    """`ot lint rules/gemeenten/gm9991` checks that overlay on top of the national packs: no
    false "onbekende grondwaarde/instrument" (issue 16); a real unknown id is still an error."""
    overlay = ROOT / "rules" / "gemeenten" / "gm9991"
    ok = runner.invoke(app, ["lint", str(overlay)], env={"COLUMNS": "200"})
    assert ok.exit_code == 0, ok.output
    assert "onbekend" not in ok.output and "OK:" in ok.output
    broken = tmp_path / "gm9991"
    broken.mkdir()
    text = (overlay / "gm9991.yaml").read_text("utf-8")
    (broken / "gm9991.yaml").write_text(
        text.replace("annotaties:\n  - instrument: wmo.collectief_vervoer",
                     "annotaties:\n  - instrument: wmo.collectief_vervoerr"), "utf-8")
    bad = runner.invoke(app, ["lint", str(broken)], env={"COLUMNS": "200"})
    assert bad.exit_code == 1
    assert "onbekend instrument 'wmo.collectief_vervoerr'" in bad.output
    assert "wmo.zelfredzaamheid_participatie" not in bad.output


def test_advies_prints_termijnen_voorliggend_and_norms_per_instrument() -> None:
    """The printed advies shows, per instrument, what only `--json` had: its termijnen, the
    voorliggende voorziening it mentions and the norm amount its conditions used, each cited."""
    result = runner.invoke(app, ["advies", str(EXAMPLES / "verslaving-schulden.yaml")],
                           env={"COLUMNS": "400"})
    assert result.exit_code == 0, result.output
    lines = [" ".join(line.split()) for line in result.output.splitlines()]
    assert any("Termijn: Beslissen op de aanvraag binnen een redelijke termijn" in line
               and "(8 weken; art. 4:13 lid 2 Awb)" in line for line in lines)
    assert any(line.endswith("Voorliggend: Zorgverzekeraar (basisverzekering, Zvw): De "
                             "collectieve aanvullende verzekering loopt via een zorgverzekeraar "
                             "waarmee de gemeente een contract heeft, naast de basisverzekering. "
                             "(art. 35 lid 3 Participatiewet)") for line in lines)
    # inkomen € 1.350 tegen de norm voor een alleenstaande per 2026-07-01; not the gehuwdennorm
    assert any(line.endswith("Norm pw_norm_alleenstaande: € 1.419,46 per maand (art. 21 onder "
                             "a Participatiewet)") for line in lines)
    assert not any("Norm pw_norm_gehuwden:" in line for line in lines)


def test_advies_of_2025_does_not_show_the_2026_abonnementstarief(tmp_path: Path) -> None:
    """The Wmo eigen-bijdrage text named the 2026 amount (€ 21,80) in every advies; in 2025 the
    amount was € 21,00. The text now points at the parameter and its articles instead."""
    casus = (EXAMPLES / "scootmobiel.yaml").read_text(encoding="utf-8")
    f = tmp_path / "scootmobiel-2025.yaml"
    f.write_text("\n".join("peildatum: 2025-06-02" if line.startswith("peildatum:") else line
                           for line in casus.splitlines()) + "\n", encoding="utf-8")
    result = runner.invoke(app, ["advies", str(f)], env={"COLUMNS": "400"})
    assert result.exit_code == 0, result.output
    assert "peildatum 2025-06-02" in result.output
    assert "21,80" not in result.output
    assert "(parameter wmo_abonnementstarief; art. 2.1.4a lid 4" in result.output


def test_advies_on_a_narrow_terminal_prints_one_block_per_instrument() -> None:
    """At 80 columns the four-column table wrapped the reasons to a word or two per line
    (502 lines for scootmobiel); narrower than `WIDE` each instrument is a block instead."""
    narrow = runner.invoke(app, ["advies", str(EXAMPLES / "scootmobiel.yaml")],
                           env={"COLUMNS": "80"})
    wide = runner.invoke(app, ["advies", str(EXAMPLES / "scootmobiel.yaml")],
                         env={"COLUMNS": "200"})
    assert narrow.exit_code == wide.exit_code == 0
    assert "waarom / waarom niet" in wide.output
    assert "waarom / waarom niet" not in narrow.output
    lines = narrow.output.splitlines()
    assert "• maatwerk · Rolstoel (hulpmiddel, maatwerkvoorziening) — voorwaardelijk, ter " \
           "beoordeling van het college" in " ".join(line.rstrip() for line in lines)
    assert len(lines) < 1.5 * len(wide.output.splitlines())
    # the same reasons and citations are printed, only laid out differently
    cited = re.compile(r"art\. [0-9.:a-z]+(?: lid \d+)?(?: onder [a-z])? Wmo 2015")
    in_wide = set(cited.findall(" ".join(wide.output.split())))
    assert len(in_wide) >= 3, in_wide
    assert set(cited.findall(" ".join(narrow.output.split()))) == in_wide


def test_vragen_ranks_by_what_one_answer_decides() -> None:
    result = runner.invoke(app, ["vragen", str(EXAMPLES / "gezin-meervoudig.yaml")],
                           env={"COLUMNS": "2000"})  # a question per line
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    # since wsnp 2026.12.29 the Wsnp request decides only the 285-verklaring (287a, 287b and 287
    # lid 4 are asked in it and stay possible without it, fresh88 BK1): it is second, after the
    # question that decides more open conditions
    assert lines[0].startswith("1. ")
    assert "[gewenste_effecten[e4].wmo_eigen_kracht_toereikend]" in lines[0]
    assert lines[2].startswith("2. ") and "[financien.fw_wsnp_verzoek]" in lines[2]
    assert "beslist over: 285-verklaring van het college bij een Wsnp-verzoek (Fw 285) (e3)" \
        in lines[3]
    # every open fact of the advies is listed once
    advies = json.loads(runner.invoke(app, ["advies", str(EXAMPLES / "gezin-meervoudig.yaml"),
                                            "--json"]).output)
    open_facts = {q["feit"] for e in advies["advies"]["effecten"] for q in e["nog_uitvragen"]}
    listed = [m.group(1) for line in result.output.splitlines()
              if (m := re.match(r"\d+\. .*  \[(\S+)\]\s*$", line))]
    assert sorted(listed) == sorted(open_facts)


def test_vragen_on_a_bad_casus_lists_problems(tmp_path: Path) -> None:
    bad = tmp_path / "casus.yaml"
    bad.write_text("peildatum: 2026-03-01\npersonen: []\ngewenste_effecten: []\n", "utf-8")
    result = runner.invoke(app, ["vragen", str(bad)])
    assert result.exit_code == 1
    assert "Traceback" not in result.output


def test_the_documented_example_output_is_current() -> None:
    """docs/voorbeeld-advies.txt (quoted in the README) is what `ot advies` prints today.
    Regenerate: COLUMNS=100 .venv/bin/ot advies examples/scootmobiel.yaml | sed 's/ *$//'
    > docs/voorbeeld-advies.txt"""
    result = runner.invoke(app, ["advies", str(ROOT / "examples" / "scootmobiel.yaml")],
                           env={"COLUMNS": "100"})
    printed = "\n".join(line.rstrip() for line in result.output.splitlines())
    documented = (ROOT / "docs" / "voorbeeld-advies.txt").read_text("utf-8").rstrip("\n")
    assert printed == documented
    readme = (ROOT / "README.md").read_text("utf-8")
    quoted = readme.split("```text\n", 1)[1].split("```", 1)[0]
    lines = printed.splitlines()
    for line in quoted.splitlines():
        assert line.strip() in ("…", "") or line in lines, line


def test_advies_names_the_child_a_parents_effect_is_about(tmp_path: Path) -> None:
    """fresh32 B7: the header of a parent's effect says which child it is about (the casus'
    `gewenste_effecten[].kind`); an effect that names no child says nothing more."""
    f = tmp_path / "ouder.json"
    f.write_text(json.dumps({
        "peildatum": "2026-12-01",
        "personen": [{"id": "ouder", "rol": "aanvrager", "leeftijd": 44},
                     {"id": "k6", "rol": "kind", "leeftijd": 6},
                     {"id": "k14", "rol": "kind", "leeftijd": 14}],
        "gewenste_effecten": [
            {"id": "e1", "omschrijving": "Rust in huis.", "leefgebied": "opvoeden_en_opgroeien",
             "kind": "k14"},
            {"id": "e2", "omschrijving": "Zelf weer sporten.", "leefgebied": "tijdsbesteding"}]}),
        "utf-8")
    result = runner.invoke(app, ["advies", str(f)], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "e1 · opvoeden_en_opgroeien · ouder · over kind k14" in result.output
    assert re.search(r"e2 · tijdsbesteding · ouder ─", result.output)
