"""The law's own words: import from the regelrecht corpus, lookups by date, quotes, diffs.

The corpus files under tests/fixtures/regelrecht/ are real (MinBZK/regelrecht-corpus), trimmed to
the articles of titel III of the Faillissementswet that the wsnp pack cites.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from cli.main import app
from engine.citation import Rechtsgrond
from engine.loader import DEFAULT_RULES_DIR, load_packs
from engine.wettekst import (
    NietGevonden,
    Wetteksten,
    WettekstError,
    citaat_gevonden,
    load_wettekst,
    passage_in,
    woordverschil,
)
from engine.wettekst_import import importeer, schoon, schrijf
from engine.wettekst_lint import controleer, verschil

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "fixtures" / "regelrecht" / "regulation" / "nl" / "wet"
FW_2023 = CORPUS / "faillissementswet" / "2023-01-01.yaml"
FW_2024 = CORPUS / "faillissementswet" / "2024-01-01.yaml"
FW = "BWBR0001860"
runner = CliRunner()


@pytest.fixture
def library(tmp_path: Path) -> Wetteksten:
    """Both Fw versions imported into a fresh library, with the 1-7-2023 version missing."""
    for f in (FW_2023, FW_2024):
        schrijf(importeer(f), tmp_path)
    (tmp_path / FW / "ontbrekend.yaml").write_text(
        "ontbrekende_versies:\n  - {datum: 2023-07-01, reden: niet in het corpus}\n", "utf-8")
    return Wetteksten(tmp_path)


# --- import ---------------------------------------------------------------------------------

def test_import_folds_the_flat_corpus_list_into_articles_leden_and_onderdelen() -> None:
    wet = importeer(FW_2024)
    assert (wet.bwb_id, wet.versie, wet.naam) == (FW, dt.date(2024, 1, 1), "Faillissementswet")
    assert wet.bron == "https://wetten.overheid.nl/BWBR0001860/2024-01-01"
    assert wet.herkomst == ("MinBZK/regelrecht-corpus "
                            "regulation/nl/wet/faillissementswet/2024-01-01.yaml")
    assert [a.nummer for a in wet.artikelen] == ["284", "285", "287", "287a", "287b", "288",
                                                 "349a"]
    art285 = wet.artikel("285")
    assert art285 is not None
    assert [lid.nummer for lid in art285.leden] == ["1", "2"]
    assert [o.nummer for o in art285.leden[0].onderdelen] == list("abcdefghi")
    assert art285.leden[0].tekst == ("In het verzoekschrift of in een daarbij te voegen bijlage "
                                     "worden opgenomen:")
    # Links keep their words; the link targets and reference lines are gone.
    lid1 = wet.zoek("288", "1").eigen_tekst
    assert lid1 == ("Het verzoek, bedoeld in artikel 284, eerste lid, wordt slechts toegewezen "
                    "indien voldoende aannemelijk is:")
    assert "[ref" not in str(wet.model_dump())
    assert "https://wetten.overheid.nl/BWBR0001860#" not in str(wet.model_dump())


def test_import_of_the_old_version_has_the_ten_year_ground() -> None:
    old, new = importeer(FW_2023), importeer(FW_2024)
    assert old.zoek("288", "2", "d").eigen_tekst.startswith("indien minder dan tien jaar")
    with pytest.raises(NietGevonden) as info:
        new.zoek("288", "2", "d")
    assert info.value.deel == "onderdeel"
    assert "(wel: a, b, c)" in info.value.melding


def test_import_of_selected_articles_is_an_uittreksel(tmp_path: Path) -> None:
    wet = importeer(FW_2024, artikelen=["288", "349a"])
    assert wet.uittreksel and [a.nummer for a in wet.artikelen] == ["288", "349a"]
    written = schrijf(wet, tmp_path)
    assert written == tmp_path / FW / "2024-01-01.yaml"
    assert load_wettekst(written) == wet
    with pytest.raises(NietGevonden, match="staat niet in het uittreksel van"):
        wet.zoek("284")
    with pytest.raises(WettekstError, match="artikel 999 staat niet in dit bestand"):
        importeer(FW_2024, artikelen=["999"])


def test_wrapped_words_are_joined_without_inventing_spaces() -> None:
    text = ("De rechtbank gaat terstond over tot benoeming van een rechter-\n"
            "commissaris en [73/148/\nEEG](31973L0148) bij *Stb.* 347.\n\n\n"
            "[ref1]: https://wetten.overheid.nl/BWBR0001860#Artikel290")
    assert schoon(text) == ("De rechtbank gaat terstond over tot benoeming van een "
                            "rechter-commissaris en 73/148/EEG bij Stb. 347.")


def test_a_broken_corpus_file_is_refused_with_its_location(tmp_path: Path) -> None:
    bad = tmp_path / "2024-01-01.yaml"
    bad.write_text("valid_from: '2024-01-01'\nurl: https://wetten.overheid.nl/x\narticles:\n"
                   "  - number: '1'\n    text: Tekst.\n    url: https://example.org/zonder-anker\n"
                   "  - number: '7.1'\n    text: Tekst.\n"
                   "    url: https://wetten.overheid.nl/BWBR0001860/2024-01-01#Artikel8\n",
                   "utf-8")
    with pytest.raises(WettekstError) as info:
        importeer(bad)
    rendered = [p.render() for p in info.value.problems]
    assert any(r.startswith(f"{bad}:1:1: bwb_id: verplicht veld 'bwb_id' ontbreekt")
               for r in rendered), rendered
    assert any(f"{bad}:6:10: articles[0].url:" in r and "#Artikel<nummer>" in r
               for r in rendered), rendered
    assert any(f"{bad}:7:13: articles[1].number: nummer '7.1' hoort niet bij artikel 8" in r
               for r in rendered), rendered


def test_a_vendored_file_must_match_its_name(tmp_path: Path) -> None:
    target = schrijf(importeer(FW_2024), tmp_path)
    wrong = target.with_name("2024-02-01.yaml")
    target.rename(wrong)
    with pytest.raises(WettekstError, match=r"past niet bij de bestandsnaam 2024-02-01\.yaml"):
        load_wettekst(wrong)
    wrong.write_text(wrong.read_text("utf-8").replace("naam: Faillissementswet\n", ""), "utf-8")
    with pytest.raises(WettekstError) as info:
        load_wettekst(wrong)
    assert info.value.problems[0].render().startswith(f"{wrong}:2:1: naam: verplicht veld")


def test_a_version_vendored_and_listed_as_missing_is_refused(tmp_path: Path) -> None:
    """After importing a version its `ontbrekend.yaml` entry is stale: two periods would start the
    same day. The library refuses to load and names the list."""
    target = schrijf(importeer(FW_2024), tmp_path)
    lijst = target.parent / "ontbrekend.yaml"
    lijst.write_text("ontbrekende_versies:\n  - datum: 2024-01-01\n"
                     "    reden: nog niet geimporteerd\n", "utf-8")
    with pytest.raises(WettekstError, match=r"2024-01-01 is meegeleverd en staat ook als ontbr"):
        Wetteksten(tmp_path)
    lijst.write_text("ontbrekende_versies:\n  - datum: 2023-07-01\n    reden: niet in het corpus\n",
                     "utf-8")
    assert Wetteksten(tmp_path).in_werking(FW, dt.date(2023, 8, 1)) is None


# --- lookups by date ------------------------------------------------------------------------

def test_the_version_in_force_on_a_day(library: Wetteksten) -> None:
    assert library.versiedata(FW) == [dt.date(2023, 1, 1), dt.date(2024, 1, 1)]
    assert library.in_werking(FW, dt.date(2022, 12, 31)) is None
    assert library.in_werking(FW, dt.date(2023, 6, 30)).versie == dt.date(2023, 1, 1)  # type: ignore[union-attr]
    assert library.in_werking(FW, dt.date(2023, 7, 1)) is None  # listed as missing: no old text
    assert library.in_werking(FW, dt.date(2031, 5, 5)).versie == dt.date(2024, 1, 1)  # type: ignore[union-attr]
    during = library.versies_tijdens(FW, dt.date(2023, 3, 1), dt.date(2024, 3, 1))
    assert [w.versie for w in during] == [dt.date(2023, 1, 1), dt.date(2024, 1, 1)]
    periods = library.perioden(FW, dt.date(2022, 6, 1), dt.date(2024, 6, 30))
    assert [(p.van.isoformat(), p.tot.isoformat(), p.wet is not None) for p in periods] == [
        ("2022-06-01", "2022-12-31", False), ("2023-01-01", "2023-06-30", True),
        ("2023-07-01", "2023-12-31", False), ("2024-01-01", "2024-06-30", True)]
    assert periods[2].reden == "niet in het corpus"


def test_one_call_gives_a_display_the_words_of_a_citation(library: Wetteksten) -> None:
    rg = Rechtsgrond(bwb_id=FW, artikel="288", lid="1", onderdeel="b")
    old = library.passage(rg, dt.date(2023, 2, 1))
    new = library.passage(rg, dt.date(2024, 2, 1))
    assert old is not None and new is not None
    assert old.tekst.startswith("dat de schuldenaar ten aanzien van") and "vijf jaar" in old.tekst
    assert "drie jaar" in new.tekst and new.versie == dt.date(2024, 1, 1)
    assert new.lid_tekst.startswith("Het verzoek, bedoeld in artikel 284, eerste lid,")
    assert "\nb. dat de schuldenaar" in new.lid_tekst
    assert new.bron == "https://wetten.overheid.nl/BWBR0001860/2024-01-01#Artikel288"
    assert library.passage(rg, dt.date(2023, 8, 1)) is None
    assert library.tekst(FW, "288", "2", "d", dt.date(2023, 3, 1)) is not None
    with pytest.raises(NietGevonden):
        library.tekst(FW, "288", "2", "d", dt.date(2024, 3, 1))


def test_quotes_are_found_whitespace_normalised_and_in_order() -> None:
    text = "Het verzoek wordt evenwel afgewezen:\na. indien de  schuldsaneringsregeling reeds"
    assert citaat_gevonden("Het verzoek wordt evenwel afgewezen: … indien de "
                           "schuldsaneringsregeling", text)
    assert citaat_gevonden("evenwel ... reeds", text)
    assert not citaat_gevonden("reeds … evenwel", text)
    assert not citaat_gevonden("wordt altijd afgewezen", text)
    assert not citaat_gevonden(" … ", text)


def test_word_diff_marks_what_changed() -> None:
    assert woordverschil("in de vijf jaar voorafgaand", "in de drie jaar voorafgaand") == (
        "in de [-vijf-] {+drie+} jaar voorafgaand")
    long = " ".join(f"w{i}" for i in range(40))
    assert woordverschil(long + " oud", long + " nieuw", context=3) == (
        "… w37 w38 w39 [-oud-] {+nieuw+}")


# --- the bundled texts and packs ------------------------------------------------------------

def test_bundled_packs_cite_only_what_the_vendored_texts_contain() -> None:
    rapport = controleer(load_packs(), Wetteksten.load())
    assert rapport.fouten == []
    assert rapport.gecontroleerd > 50


def test_the_2023_fw_change_is_signalled_for_exactly_the_rules_citing_those_leden() -> None:
    """Stb. 2023, 87 changed art. 285, 288 and 349a Fw. The corpus has no text per 1-7-2023,
    so the first version after the change in the vendored texts is 2024-01-01."""
    packs = load_packs([DEFAULT_RULES_DIR / "wsnp"])
    changes = verschil(packs, Wetteksten.load(), FW, dt.date(2023, 6, 30), dt.date(2024, 1, 1))
    assert [c.rechtsgrond.tekst() for c in changes] == [
        "art. 285 lid 1 Faillissementswet", "art. 288 lid 1 Faillissementswet",
        "art. 288 lid 2 Faillissementswet", "art. 349a lid 1 Faillissementswet"]
    assert "[-vijf-] {+drie+}" in woordverschil(changes[1].oud or "", changes[1].nieuw or "")
    cited = {(c.rechtsgrond.artikel, c.rechtsgrond.lid): {v.regel for _, v in c.regels}
             for c in changes}
    assert cited[("349a", "1")] == {"wsnp.schuldsanering · termijn looptijd"}
    # Since Wsnp 2026.12.11 (tenth reading) each ground of the debtor also has the person's own
    # fact (`fw_eigen_*`, asked at an adult child or housemate) and the derived fact that picks
    # the debtor's (`*_schuldenaar`); they cite the same leden.
    assert cited[("288", "1")] == {
        "feit fw_nakoming_verplichtingen", "feit fw_eigen_nakoming_verplichtingen",
        "feit fw_eigen_te_goeder_trouw",
        "afgeleid feit fw_nakoming_verplichtingen_schuldenaar",
        "afgeleid feit fw_problematische_schulden_schuldenaar",
        "afgeleid feit fw_te_goeder_trouw_schuldenaar",
        "wsnp.schuldsanering · voorwaarde schulden_niet_te_betalen",
        "wsnp.schuldsanering · voorwaarde goede_trouw",
        "wsnp.schuldsanering · voorwaarde nakoming"}
    assert cited[("288", "2")] == {
        "feit fw_poging_door_wck48", "feit fw_wsnp_loopt", "feit fw_schulden_uit_misdrijf",
        "feit fw_eerdere_wsnp_uitzondering",
        "feit fw_eigen_poging_door_wck48", "feit fw_eigen_wsnp_loopt",
        "feit fw_eigen_schulden_uit_misdrijf", "feit fw_eigen_eerdere_wsnp_binnen_tien_jaar",
        "afgeleid feit fw_poging_door_wck48_schuldenaar",
        "afgeleid feit fw_poging_niet_door_wck48_schuldenaar",
        "afgeleid feit fw_schulden_uit_misdrijf_schuldenaar",
        "afgeleid feit fw_wsnp_loopt_schuldenaar",
        "wsnp.schuldsanering · voorwaarde misdrijfschulden_langere_termijn",
        "wsnp.schuldsanering · uitsluiting wsnp_loopt_al",
        "wsnp.schuldsanering · uitsluiting poging_niet_door_erkende_hulpverlener",
        "wsnp.schuldsanering · uitsluiting schulden_uit_misdrijf",
        # since Wsnp 2026.12.32 (fresh90 BM3): 287b, 287 lid 4 and the dwangakkoord cite 288 lid 2 a
        "wsnp.voorlopige_voorziening · uitsluiting wsnp_loopt_al",
        "wsnp.voorlopige_voorziening_bij_voorraad · uitsluiting wsnp_loopt_al",
        "wsnp.dwangakkoord · uitsluiting wsnp_loopt_al",
        # since Wsnp 2026.12.33 (fresh105 CB3): the 285-verklaring while the Wsnp runs
        "wsnp.verklaring_285 · uitsluiting wsnp_loopt_al"}
    assert cited[("285", "1")] == {
        "feit fw_minnelijk_traject_onmogelijk",
        "feit fw_eigen_minnelijk_traject_mislukt", "feit fw_eigen_minnelijk_traject_onmogelijk",
        "afgeleid feit fw_minnelijk_traject_mislukt_schuldenaar",
        "afgeleid feit fw_minnelijk_traject_onmogelijk_schuldenaar",
        "wsnp.verklaring_285 · voorwaarde wsnp_verzoek",
        "wsnp.verklaring_285 · voorwaarde woon_of_verblijfplaats",
        "wsnp.schuldsanering · voorwaarde verklaring_285"}
    # Art. 284 and 287 did not change: the rules citing only those are not listed.
    all_rules = {r for rules in cited.values() for r in rules}
    assert not any("verzoek_door_college" in r for r in all_rules)
    # The old Wsnp version (until 30-6-2023) is not in force under the new text.
    assert all(v.van >= dt.date(2023, 7, 1) or v.tot.year == 9999
               for c in changes for _, v in c.regels)


# --- the command line -----------------------------------------------------------------------

def test_cli_importeer_writes_the_project_format(tmp_path: Path) -> None:
    result = runner.invoke(app, ["wettekst", "importeer", str(FW_2023), str(FW_2024),
                                 "--uit", str(tmp_path), "--artikel", "288"],
                           env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "Faillissementswet versie 2023-01-01 (1 artikelen, uittreksel)" in result.output
    assert sorted(p.name for p in (tmp_path / FW).iterdir()) == ["2023-01-01.yaml",
                                                                  "2024-01-01.yaml"]
    bad = tmp_path / "kapot.yaml"
    bad.write_text("- geen: wettekst\n", "utf-8")
    result = runner.invoke(app, ["wettekst", "importeer", str(bad), "--uit", str(tmp_path)],
                           env={"COLUMNS": "200"})
    assert result.exit_code == 1
    assert f"{bad}:1:1: (document): verwacht een wettekst uit het regelrecht-corpus" in (
        result.output.replace("\n", ""))


def test_cli_verschil_shows_the_word_diff_and_the_rules() -> None:
    result = runner.invoke(app, ["wettekst", "verschil", FW, "2023-06-30", "2024-01-01"],
                           env={"COLUMNS": "250"})
    assert result.exit_code == 0, result.output
    assert "art. 349a lid 1 Faillissementswet" in result.output
    assert "bedraagt [-drie-] {+anderhalf+} jaar" in result.output
    assert "wsnp.schuldsanering · termijn looptijd (instrumenten[15].termijnen[0])" in (
        result.output)
    assert "4 geciteerde leden veranderd" in result.output
    missing = runner.invoke(app, ["wettekst", "verschil", FW, "2023-01-01", "2023-07-01"],
                            env={"COLUMNS": "250"})
    assert missing.exit_code == 1
    assert "geen tekst van Faillissementswet (BWBR0001860) in werking op 2023-07-01" in (
        missing.output.replace("\n", ""))


def test_cli_lint_reports_a_dangling_citation_with_its_version(tmp_path: Path) -> None:
    rules = tmp_path / "rules"
    shutil.copytree(DEFAULT_RULES_DIR / "wsnp", rules / "wsnp", ignore=shutil.ignore_patterns(
        "tests"))
    pack = rules / "wsnp" / "wsnp.yaml"
    text = pack.read_text("utf-8")
    needle = 'rechtsgrond: {bwb_id: BWBR0001860, artikel: "349a", lid: "1"}'
    last = text.rindex(needle)
    line = text[:last].count("\n") + 1
    col = len(text[:last].rsplit("\n", 1)[1]) + len("rechtsgrond: ") + 1  # the mapping's "{"
    pack.write_text(text[:last] + needle.replace('lid: "1"', 'lid: "4"') +
                    text[last + len(needle):], "utf-8")
    result = runner.invoke(app, ["lint", str(rules)], env={"COLUMNS": "300"})
    assert result.exit_code == 1, result.output
    out = result.output.replace("\n", "")
    assert (f"wsnp.yaml:{line}:{col}: instrumenten[15].termijnen[0]."
            "rechtsgrond: verwijzing naar art. 349a lid 4 Faillissementswet klopt niet: "
            "art. 349a lid 4 staat niet in Faillissementswet (versie 2024-01-01) "
            "(wel: 1, 2, 3)") in out, out


def test_both_corpus_layouts_import_to_the_same_words() -> None:
    """Older harvests list every lid and onderdeel as an entry (`288.2.a`); newer ones put a
    whole article in one entry with leden "1 …" and onderdelen "a. …" as paragraphs. Art. 284-288
    and 349a did not change between 2024-01-01 and 2026-09-01: both must read the same."""
    flat, whole = importeer(FW_2024), importeer(CORPUS / "faillissementswet" / "2026-09-01.yaml")
    assert [a.nummer for a in whole.artikelen] == [a.nummer for a in flat.artikelen]
    for art in flat.artikelen:
        other = whole.artikel(art.nummer)
        assert other is not None
        assert [lid.nummer for lid in other.leden] == [lid.nummer for lid in art.leden]
        for lid in art.leden:
            assert whole.zoek(art.nummer, lid.nummer).tekst == flat.zoek(art.nummer,
                                                                         lid.nummer).tekst
    assert [o.nummer for o in whole.zoek("288", "2").onderdelen] == ["a", "b", "c"]
    assert whole.zoek("287", "3", "b").eigen_tekst.startswith("hanteert de rechtbank")


def test_lint_warns_when_a_later_version_changed_what_a_pack_was_reviewed_against(
        tmp_path: Path) -> None:
    """gelezen.yaml records the version each pack was last read against; a later version inside
    the pack's validity that changes a cited lid is a warning naming those leden."""
    texts = tmp_path / "wetteksten"
    shutil.copytree(DEFAULT_RULES_DIR / "wetteksten", texts)
    packs = load_packs([DEFAULT_RULES_DIR / "wsnp"])
    assert [w for w in controleer(packs, Wetteksten(texts)).waarschuwingen
            if "gelezen" in w.melding] == []
    gelezen = yaml.safe_load((texts / "gelezen.yaml").read_text("utf-8"))
    gelezen["pakketten"]["wsnp"]["BWBR0001860"] = dt.date(2023, 1, 1)  # as if read against 2023
    (texts / "gelezen.yaml").write_text(yaml.safe_dump(gelezen), "utf-8")
    warnings = [w.render() for w in controleer(packs, Wetteksten(texts)).waarschuwingen
                if "gelezen" in w.melding]
    assert len(warnings) == 1, warnings
    assert ("regelpakket.id: Faillissementswet versie 2024-01-01 wijkt af van de gelezen versie "
            "2023-01-01 in art. 285 lid 1, art. 288 lid 1, art. 288 lid 2, art. 349a lid 1; "
            "lees de regels die ze citeren opnieuw (ot wettekst verschil BWBR0001860 2023-01-01 "
            "2024-01-01)") in warnings[0]
    del gelezen["pakketten"]["wsnp"]["BWBR0001860"]
    (texts / "gelezen.yaml").write_text(yaml.safe_dump(gelezen), "utf-8")
    assert [w.render().split(": ", 1)[1] for w in controleer(packs, Wetteksten(texts))
            .waarschuwingen if "niet vastgelegd" in w.melding] == [
        "regelpakket.id: niet vastgelegd tegen welke versie van Faillissementswet dit pakket "
        "is gelezen (rules/wetteksten/gelezen.yaml)"]


def test_participatiewet_2025_excerpt_imports_with_the_cited_leden_verbatim(tmp_path: Path) -> None:
    """The real Participatiewet text per 2025-01-01 (regelrecht-corpus, trimmed to the cited
    articles): the exclusions the pack cites resolve with the law's words, art. 35 lid 2 has the
    2025 amount, and art. 7a and art. 20 lid 3 (inserted per 2026) are not in this version."""
    fixture = CORPUS / "participatiewet" / "2025-01-01.yaml"
    wet = importeer(fixture, artikelen=["7", "13", "20", "35"])
    schrijf(wet, tmp_path)
    lib = Wetteksten(tmp_path)
    day = dt.date(2025, 3, 1)
    h = lib.passage(Rechtsgrond(bwb_id="BWBR0015703", artikel="13", lid="1", onderdeel="h"), day)
    assert h is not None and h.tekst == "die een uitreiziger is."
    assert h.lid_tekst.startswith("Geen recht op bijstand heeft degene:")
    assert lib.tekst("BWBR0015703", "7", "3", "a", day) == (
        "jonger dan 27 jaar die uit ’s Rijks kas bekostigd onderwijs kunnen volgen;")
    lid2 = lib.tekst("BWBR0015703", "35", "2", datum=day) or ""
    assert "€ 170,00" in lid2 and "€ 176,00" not in lid2
    assert citaat_gevonden("Het college kan bijzondere bijstand weigeren … niet te boven gaan",
                           lid2)
    assert [lid.nummer for lid in wet.zoek("20").leden] == ["1", "2"]
    with pytest.raises(WettekstError, match="artikel 7a staat niet in dit bestand"):
        importeer(fixture, artikelen=["7a"])


def test_jeugdwet_excerpts_of_both_corpus_layouts_give_the_cited_leden_verbatim(
        tmp_path: Path) -> None:
    """The real Jeugdwet per 2025-01-01 (one corpus entry per lid) and per 2026-01-01 (a whole
    article per entry, with `machine_readable` blocks), trimmed to the cited articles: the pack's
    uitsluiting in art. 2.3 lid 6 resolves with the law's words on a day of each version, art. 1.2
    lid 1 onder b is word for word the same in both, and the 2026 change of art. 2.6 lid 2 shows."""
    for datum in ("2025-01-01", "2026-01-01"):
        schrijf(importeer(CORPUS / "jeugdwet" / f"{datum}.yaml", artikelen=["1.2", "2.3", "2.6"]),
                tmp_path)
    lib = Wetteksten(tmp_path)
    jw = "BWBR0034925"
    old, new = dt.date(2025, 6, 1), dt.date(2026, 6, 1)
    for day in (old, new):
        lid6 = lib.passage(Rechtsgrond(bwb_id=jw, artikel="2.3", lid="6"), day)
        assert lid6 is not None
        assert citaat_gevonden("tenzij dit aantoonbaar niet in het belang is van de jeugdige",
                               lid6.lid_tekst)
        assert lib.tekst(jw, "1.2", "1", "b", day) == (
            "indien naar het oordeel van het college met betrekking tot de problematiek een "
            "aanspraak bestaat op een voorziening op grond van een andere wettelijke bepaling, "
            "met uitzondering van een maatwerkvoorziening inhoudende begeleiding als bedoeld in "
            "artikel 1.1.1 van de Wet maatschappelijke ondersteuning 2015, of")
    assert "artikel 4.1.6, eerste, tweede, derde lid en vijfde lid" in (
        lib.tekst(jw, "2.6", "2", datum=old) or "")
    assert "artikel 4.1.6, eerste, tweede, vierde en vijfde lid" in (
        lib.tekst(jw, "2.6", "2", datum=new) or "")
    with pytest.raises(NietGevonden):
        lib.passage(Rechtsgrond(bwb_id=jw, artikel="2.3", lid="7"), new)


def test_wmo_2015_excerpts_of_four_versions_give_the_cited_leden_verbatim(tmp_path: Path) -> None:
    """The real Wmo 2015 per 2025-01-01, 2025-07-01, 2026-01-01 (one corpus entry per lid) and
    2026-07-01 (a whole article per entry), trimmed to the cited articles: the pgb-weigeringsgrond
    of art. 2.3.6 lid 5 onder b and the Wlz-weigeringsgrond of art. 2.3.5 lid 6 read word for word
    the same on a day of each version, and the 2025-07-01 change of the definition in art. 1.1.1
    lid 1 ("ontucht" became "seksuele handelingen verrichten") shows on the right side of it."""
    wmo = "BWBR0035362"
    versies = ("2025-01-01", "2025-07-01", "2026-01-01", "2026-07-01")
    for datum in versies:
        schrijf(importeer(CORPUS / "wet_maatschappelijke_ondersteuning_2015" / f"{datum}.yaml",
                          artikelen=["1.1.1", "2.3.5", "2.3.6"]), tmp_path)
    lib = Wetteksten(tmp_path)
    assert lib.versiedata(wmo) == [dt.date.fromisoformat(d) for d in versies]
    for day in (dt.date(2025, 3, 1), dt.date(2025, 9, 1), dt.date(2026, 3, 1),
                dt.date(2026, 9, 1)):
        assert lib.tekst(wmo, "2.3.6", "5", "b", day) == (
            "indien het college eerder toepassing heeft gegeven aan artikel 2.3.10, eerste lid, "
            "onderdeel a, d en e.")
        lid6 = lib.passage(Rechtsgrond(bwb_id=wmo, artikel="2.3.5", lid="6"), day)
        assert lid6 is not None
        assert citaat_gevonden(
            "Het college kan een maatwerkvoorziening weigeren indien de cliënt aanspraak heeft op "
            "verblijf en daarmee samenhangende zorg in een instelling op grond van de Wet "
            "langdurige zorg", lid6.lid_tekst)
        with pytest.raises(NietGevonden):
            lib.passage(Rechtsgrond(bwb_id=wmo, artikel="2.3.6", lid="7"), day)
    before = lib.tekst(wmo, "1.1.1", "1", datum=dt.date(2025, 6, 30)) or ""
    after = lib.tekst(wmo, "1.1.1", "1", datum=dt.date(2025, 7, 1)) or ""
    assert "lichaam van of ontucht met een cliënt" in before
    assert "seksuele handelingen verrichten met een cliënt" in after and "ontucht" not in after


PW_CORPUS = CORPUS / "participatiewet"
PW = "BWBR0015703"


def test_participatiewet_2026_excerpt_has_art_7a_and_20_lid_3_and_narrows_7_lid_3_a(
        tmp_path: Path) -> None:
    """The real Participatiewet per 2026-01-01 (regelrecht-corpus, trimmed to the cited articles):
    art. 7a and art. 20 lid 3 exist, art. 12 is gone, art. 7 lid 3 a now excludes everyone under
    27, and the art. 35 lid 2 threshold is € 176,00; the pack's quote of lid 2 holds in both
    versions."""
    for datum in ("2025-01-01", "2026-01-01"):
        arts = ["7", "7a", "20", "35"] if datum == "2026-01-01" else ["7", "12", "20", "35"]
        schrijf(importeer(PW_CORPUS / f"{datum}.yaml", artikelen=arts), tmp_path)
    lib = Wetteksten(tmp_path)
    old, new = dt.date(2025, 6, 1), dt.date(2026, 3, 1)
    assert lib.tekst(PW, "7", "3", "a", new) == "jonger dan 27 jaar;"
    assert lib.tekst(PW, "20", "3", "b", new) == (
        "deze persoon redelijkerwijs het onderhoudsrecht jegens de ouders niet te gelde kan maken.")
    assert (lib.tekst(PW, "7a", "6", datum=new) or "").startswith(
        "Artikel 7, derde lid, onderdelen b en c, zijn van overeenkomstige toepassing")
    with pytest.raises(NietGevonden, match=r"art\. 7a staat niet"):
        lib.tekst(PW, "7a", "1", datum=old)
    quote = "Het college kan bijzondere bijstand weigeren, indien de in het eerste lid bedoelde " \
            "kosten binnen twaalf maanden … niet te boven gaan"
    for day, amount in ((old, "€ 170,00"), (new, "€ 176,00")):
        lid2 = lib.tekst(PW, "35", "2", datum=day) or ""
        assert amount in lid2 and citaat_gevonden(quote, lid2)


def test_the_bundled_2026_participatiewet_changes_7_lid_3_a_for_the_rules_citing_it() -> None:
    packs = load_packs([DEFAULT_RULES_DIR / "participatiewet"])
    changes = verschil(packs, Wetteksten.load(), PW, dt.date(2025, 1, 1), dt.date(2026, 1, 1))
    changed = {c.rechtsgrond.tekst() for c in changes}
    assert "art. 7 lid 3 Participatiewet" in changed
    assert "art. 35 lid 2 Participatiewet" in changed
    assert "art. 13 lid 1 Participatiewet" not in changed
    rg = Rechtsgrond(bwb_id=PW, artikel="7a", lid="6")
    assert Wetteksten.load().passage(rg, dt.date(2026, 1, 1)) is not None


def test_every_vendored_text_is_reproduced_by_importing_its_kept_excerpt(tmp_path: Path) -> None:
    """Provenance: each file under rules/wetteksten/ is exactly what `ot wettekst importeer`
    writes from the corpus excerpt kept in tests/fixtures/regelrecht/ (so nobody edited a law
    text by hand), and every vendored version has such an input."""
    from engine.wettekst import load_wettekst

    vendored = sorted(p for p in (DEFAULT_RULES_DIR / "wetteksten").glob("BWBR*/*.yaml")
                      if p.stem[:1].isdigit())
    excerpts = sorted(CORPUS.parent.glob("*/*/*.yaml"))  # wet/ and amvb/
    assert len(vendored) >= 14 and excerpts
    reproduced: set[Path] = set()
    for excerpt in excerpts:
        probe = importeer(excerpt)
        target = DEFAULT_RULES_DIR / "wetteksten" / probe.bwb_id / f"{probe.versie}.yaml"
        if not target.exists():
            continue  # an excerpt kept only as importer input (not vendored)
        kept = load_wettekst(target)
        again = schrijf(importeer(excerpt, artikelen=[a.nummer for a in kept.artikelen]),
                        tmp_path)
        assert again.read_bytes() == target.read_bytes(), f"{target} differs from {excerpt}"
        reproduced.add(target)
    assert reproduced == set(vendored), sorted(map(str, set(vendored) - reproduced))


def test_book_numbered_articles_import_with_their_colon(tmp_path: Path) -> None:
    """Awb 4:13 in the corpus: `number: 4:13.1` unquoted (YAML 1.1 would read 253.1, base 60)
    and the anchor `#Artikel413` without the colon. Both layouts give art. 4:13 with its leden,
    and a pack's citation of art. 4:13 lid 2 resolves in it."""
    awb = CORPUS / "algemene_wet_bestuursrecht"
    old, new = importeer(awb / "2025-01-01.yaml"), importeer(awb / "2026-08-01.yaml")
    assert [a.nummer for a in old.artikelen] == ["4:13"] == [a.nummer for a in new.artikelen]
    lid2 = passage_in(old, Rechtsgrond(bwb_id="BWBR0005537", artikel="4:13", lid="2")).tekst
    assert "binnen acht weken na ontvangst van de aanvraag" in lid2
    assert passage_in(new, Rechtsgrond(bwb_id="BWBR0005537", artikel="4:13", lid="2")).tekst \
        == lid2


def test_yaml_numbers_are_not_read_in_base_60() -> None:
    from engine.yamlsource import parse_yaml

    data = parse_yaml("a: 4:13.1\nb: 1:431\nc: 12\nd: 1.5\ne: -3\n").data
    assert data == {"a": "4:13.1", "b": "1:431", "c": 12, "d": 1.5, "e": -3}


# --- small seams the mutation sample found unchecked (docs/testen.md) ------------------------

def test_a_missing_lid_says_it_is_the_lid_that_is_missing() -> None:
    with pytest.raises(NietGevonden) as info:
        importeer(FW_2024).zoek("288", "9")
    assert info.value.deel == "lid"
    assert "lid 9" in info.value.melding and "(wel: 1, 2, 3" in info.value.melding


def test_a_word_diff_keeps_the_spaces_of_several_removed_words() -> None:
    assert woordverschil("de schuldenaar is te goeder trouw",
                         "de schuldenaar is trouw") == "de schuldenaar is [-te goeder-] trouw"


def test_onderdelen_are_labelled_as_the_law_numbers_them() -> None:
    from engine.wettekst import Eenheid, Onderdeel

    wet = importeer(FW_2024)
    unit = Eenheid(wet=wet, artikel="1", lid=None, onderdeel=None, eigen_tekst="Aanhef:",
                   onderdelen=(Onderdeel(nummer="a", tekst="eerste;"),
                               Onderdeel(nummer="b.", tekst="tweede:", onderdelen=[
                                   Onderdeel(nummer="1°", tekst="een;"),
                                   Onderdeel(nummer="2°.", tekst="twee.")])),
                   leden=())
    assert unit.tekst == "Aanhef:\na. eerste;\nb. tweede:\n  1° een;\n  2°. twee."


def test_a_version_both_vendored_and_listed_missing_names_each_date(tmp_path: Path) -> None:
    for f in (FW_2023, FW_2024):
        schrijf(importeer(f), tmp_path)
    (tmp_path / FW / "ontbrekend.yaml").write_text(
        "ontbrekende_versies:\n  - {datum: 2024-01-01, reden: niet in het corpus}\n"
        "  - {datum: 2023-01-01, reden: niet in het corpus}\n", "utf-8")
    with pytest.raises(WettekstError) as info:
        Wetteksten(tmp_path)
    assert ("versie 2023-01-01, 2024-01-01 is meegeleverd en staat ook als ontbrekend"
            in str(info.value))


def test_a_voorliggend_exclusion_without_its_words_is_named_and_must_quote() -> None:
    """A voorliggende voorziening with `gevolg: uitsluiting` bars like an uitsluiting, so the
    lint asks for the decisive words there too (here the Wlz ground of Jw 1.2 lid 1 a, with its
    beslisruimte and quote taken away)."""
    from engine.wettekst_lint import _instrument

    [lp] = load_packs([DEFAULT_RULES_DIR / "jeugdwet"])
    ins = next(i for i in lp.pack.instrumenten if i.id == "jeugdwet.individuele_voorziening")
    wlz = next(v for v in ins.voorliggend if v.id == "wlz")
    assert wlz.gevolg == "uitsluiting"
    bare = ins.model_copy(update={"voorliggend": [
        wlz.model_copy(update={"beslisruimte": None, "wettekst": None})]})
    span = (dt.date(2026, 1, 1), dt.date(9999, 12, 31))
    refs = [r for r in _instrument(("instrumenten", 0), bare, span) if "voorliggend" in r.pad]
    assert [(r.regel, r.vereist) for r in refs] == [
        ("jeugdwet.individuele_voorziening · voorliggend wlz", "uitsluiting")]


def test_a_law_neither_vendored_nor_listed_is_an_error_that_says_what_to_do(
        tmp_path: Path) -> None:
    texts = tmp_path / "wetteksten"
    shutil.copytree(DEFAULT_RULES_DIR / "wetteksten", texts)
    shutil.rmtree(texts / FW)
    packs = load_packs([DEFAULT_RULES_DIR / "wsnp"])
    fouten = [p.melding for p in controleer(packs, Wetteksten(texts)).fouten
              if "geen wettekst van" in p.melding]
    assert fouten == ["geen wettekst van Faillissementswet (BWBR0001860): importeer hem met "
                      "`ot wettekst importeer`, of noem hem met de reden in "
                      "rules/wetteksten/niet_opgenomen.yaml"]
