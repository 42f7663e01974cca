"""A consulent walks the public examples through the four steps in a real Chromium."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Page, expect
from typer.testing import CliRunner

from cli.main import app
from tests.web.conftest import login, shot, unlabelled_controls


def instrument(page: Page, effect: str, iid: str):  # type: ignore[no-untyped-def]
    return page.locator(f"#stap4-{effect} li.instrument[data-instrument='{iid}']")


def test_scootmobiel_all_four_steps(page: Page, base_url: str) -> None:
    login(page, base_url, "sleutel-consulent")
    expect(page.get_by_role("heading", name="Mijn casussen")).to_be_visible()
    page.get_by_role("link", name="Nieuwe casus").click()

    # Step 1, typed by hand as at the desk (invented person)
    page.get_by_label("Wat wil de inwoner bereiken?").fill(
        "Ik wil zelf naar de markt en naar mijn kleinkinderen kunnen, zonder steeds iemand "
        "te vragen.")
    page.get_by_label("Leefgebied").first.select_option("mobiliteit")
    page.locator("#v-p0-leeftijd").fill("zesenzeventig")  # a typing mistake, corrected below
    page.locator("#v-p0-woont_in_gemeente").select_option("ja")
    page.locator("#v-p0-verblijfsstatus").select_option("nederlander")
    page.locator("input[name='p0.beperkingen'][value='lichamelijk']").check()
    page.locator("#v-p0-wlz_indicatie").select_option("nee")
    page.locator("#v-p0-arbeidssituatie").select_option("gepensioneerd")
    page.locator("#v-p0-aow_leeftijd_bereikt").select_option("ja")
    page.locator("#v-huishouden-samenstelling").select_option("alleenstaand")
    page.locator("#v-huishouden-woonsituatie").select_option("huur")
    page.locator("#v-peildatum").fill("2026-11-02")
    assert unlabelled_controls(page) == []
    page.get_by_role("button", name="Casus opslaan").click()

    # the error is next to the field, and nothing typed is lost
    expect(page.locator("#fout-p0-leeftijd")).to_contain_text("geheel getal")
    expect(page.locator("#v-p0-leeftijd")).to_have_value("zesenzeventig")
    expect(page.get_by_label("Wat wil de inwoner bereiken?")).to_have_value(
        re.compile("naar de markt"))
    expect(page.locator("#v-huishouden-samenstelling")).to_have_value("alleenstaand")
    # an error found by the API (not by the form) also lands next to its field
    page.locator("#v-p0-leeftijd").fill("200")
    page.get_by_role("button", name="Casus opslaan").click()
    expect(page.locator("#foutsamenvatting")).to_be_visible()
    expect(page.locator("#fout-p0-leeftijd")).to_contain_text("hoogstens 130")
    expect(page.locator("#v-p0-leeftijd")).to_have_value("200")
    expect(page.locator("#v-p0-aow_leeftijd_bereikt")).to_have_value("ja")
    page.locator("#v-p0-leeftijd").fill("76")
    shot(page, "scootmobiel-1-gewenst-effect")
    page.get_by_role("button", name="Casus opslaan").click()
    expect(page.get_by_role("heading", name="Stap 1 · Gewenste effecten")).to_be_visible()

    # Steps 2 and 4
    page.get_by_role("button", name="Advies maken").click()
    banner = page.locator("#integraal-overleg")
    expect(banner).to_contain_text("Eén domein")
    expect(banner).to_contain_text("Wmo")
    shot(page, "scootmobiel-2-grondwaarden", "section[aria-labelledby='stap2']")
    vv = instrument(page, "e1", "wmo.vervoersvoorziening")
    expect(vv.locator(".badge.status-voorwaardelijk")).to_have_text("voorwaardelijk")
    expect(vv.locator("a.citaat").first).to_have_attribute(
        "href", re.compile(r"^https://wetten\.overheid\.nl/jci1\.3:c:BWBR0035362&artikel=2\.3\.5"))
    ids = page.locator("#stap4-e1 li.instrument").evaluate_all(
        "els => els.map(e => e.dataset.instrument)")
    assert ids.index("wmo.collectief_vervoer") < ids.index("wmo.vervoersvoorziening")
    assert not any(i.startswith(("jeugdwet.", "participatiewet.", "wsnp.")) for i in ids)
    vragen = page.locator("#nog-uitvragen")
    expect(vragen).to_contain_text("netwerk.mantelzorg_beschikbaar")
    expect(vragen).to_contain_text("netwerk.algemene_voorziening_toereikend")
    shot(page, "scootmobiel-4-instrumenten", "section[aria-labelledby='stap4']")
    # the law's words beside the reason (issue 11), folded; the version in force on the peildatum
    vv.locator("summary.ins-kop").click()  # the instrument's details fold out (issue 14)
    reason = vv.locator("li.reden", has_text="art. 2.3.5 lid 3 Wmo 2015").first
    reason.locator("details.wettekst > summary").first.click()
    expect(reason.locator("blockquote.wet").first).to_contain_text(
        "Het college beslist tot verstrekking van een maatwerkvoorziening")
    expect(reason.locator("details.wettekst > summary").first).to_contain_text(
        "wettekst versie 2026-07-01")
    shot(page, "scootmobiel-4-wettekst",
         "li.instrument[data-instrument='wmo.vervoersvoorziening']")

    # answer one open question in place: the advies is re-made and the change is shown
    vragen.locator("li", has_text="netwerk.algemene_voorziening_toereikend").locator(
        "select").select_option("ja")
    # per need (art. 2.3.5 lid 3 "deze beperkingen"): does it solve this effect's need?
    vragen.locator("li", has_text="wmo_algemene_voorziening_toereikend_effect").locator(
        "select").select_option("ja")
    page.get_by_role("button", name="Antwoorden verwerken").click()
    changed = page.locator("#wat-veranderd")
    expect(changed).to_contain_text(
        "niet meer uit te vragen: netwerk.algemene_voorziening_toereikend")
    expect(page.locator("#nog-uitvragen")).not_to_contain_text(
        "netwerk.algemene_voorziening_toereikend")
    # collectief vervoer (an algemene voorziening, art. 2.2.3) solves this need: it fits
    expect(instrument(page, "e1", "wmo.collectief_vervoer").locator(
        ".badge.status-past")).to_have_text("past")
    shot(page, "scootmobiel-5-antwoord-verwerkt", "#wat-veranderd")

    # Step 3 and the toekomstplan, recorded and echoed (never evaluated)
    page.get_by_role("link", name="Naar de casus").click()
    page.get_by_label("Wat gebeurt er als we niets doen?").fill(
        "Hij komt de deur niet meer uit en vereenzaamt.")
    page.locator("#plan0-afspraken").fill("Proefrit met de regiotaxi; daarna besluit.")
    page.locator("#plan0-jaar").fill("Gaat zelf twee keer per week naar de markt.")
    shot(page, "scootmobiel-3-afwegingen", "section[aria-labelledby='stap3']")
    page.get_by_role("button", name="Afwegingen opslaan").click()
    expect(page.get_by_role("status")).to_contain_text("Afwegingen opgeslagen")
    page.get_by_role("button", name="Advies maken").click()
    expect(page.locator("section[aria-labelledby='stap3']")).to_contain_text("vereenzaamt")
    triptiek = page.locator("#toekomstplan table")
    expect(triptiek).to_contain_text("Proefrit met de regiotaxi")
    expect(triptiek).to_contain_text("twee keer per week")

    # the print view: navigation hidden, every condition unfolded
    shot(page, "scootmobiel-6-toekomstplan", "#toekomstplan")
    page.emulate_media(media="print")
    expect(page.locator("header.kop")).to_be_hidden()
    shot(page, "scootmobiel-7-afdrukken")
    page.emulate_media(media="screen")


def test_gezin_meervoudig_integraal(page: Page, base_url: str) -> None:
    login(page, base_url, "sleutel-consulent")
    page.goto(f"{base_url}/ui/casussen/nieuw?voorbeeld=gezin-meervoudig")
    expect(page.locator(".melding.info")).to_contain_text("gezin-meervoudig")
    expect(page.locator("#v-e1-leefgebied")).to_have_value("werk_en_opleiding")
    assert unlabelled_controls(page) == []
    shot(page, "gezin-1-gewenste-effecten", "fieldset.blok")
    page.get_by_role("button", name="Casus opslaan").click()
    page.get_by_role("button", name="Advies maken").click()

    banner = page.locator("#integraal-overleg")
    expect(banner).to_contain_text("Integraal overleg")
    for domein in ("Jeugdwet", "Participatiewet", "Schuldhulpverlening", "Wmo"):
        expect(banner).to_contain_text(domein)
    shot(page, "gezin-2-grondwaarden", "section[aria-labelledby='stap2']")
    expect(instrument(page, "e2", "participatiewet.reintegratie").locator(".badge").first
           ).to_have_text("past niet")
    expect(instrument(page, "e2", "participatiewet.reintegratie")).to_contain_text("UWV")
    expect(instrument(page, "e4", "wmo.huishoudelijke_hulp").locator(".badge").first
           ).to_have_text("voorwaardelijk")
    expect(instrument(page, "e1", "jeugdwet.individuele_voorziening").locator(".badge").first
           ).to_have_text("voorwaardelijk")
    shot(page, "gezin-4-instrumenten", "#stap4-e4")

    page.locator("#nog-uitvragen li", has_text="netwerk.gebruikelijke_hulp_mogelijk").locator(
        "select").select_option("nee")
    page.get_by_role("button", name="Antwoorden verwerken").click()
    changed = page.locator("#wat-veranderd")
    expect(changed).to_contain_text("Gebruikelijke hulp door huisgenoten: voorwaardelijk → "
                                    "past niet")
    shot(page, "gezin-5-antwoord-verwerkt", "#wat-veranderd")

    # step 3 for the overleg: one row of the toekomstplan per leefgebied of the effects
    page.get_by_role("link", name="Naar de casus").click()
    page.get_by_label("Wat als ik op de stoel van de inwoner zat?").fill(
        "Eén plan, één contactpersoon; niet vier keer het verhaal vertellen.")
    expect(page.locator("#plan0-gebied")).to_have_value("opvoeden_en_opgroeien")
    expect(page.locator("#plan3-gebied")).to_have_value("instrumentele_adl")
    page.locator("#plan2-afspraken").fill("Aanmelden bij schuldhulp; eerste gesprek gepland.")
    page.get_by_role("button", name="Afwegingen opslaan").click()
    page.get_by_role("button", name="Advies maken").click()
    expect(page.locator("section[aria-labelledby='stap3']")).to_contain_text("één contactpersoon")
    expect(page.locator("#toekomstplan table")).to_contain_text("eerste gesprek gepland")
    shot(page, "gezin-3-toekomstplan", "#toekomstplan")


def test_auditor_replays_read_only(page: Page, base_url: str) -> None:
    """The auditor opens an advies from the list and replays it. The advies is made here (not
    left behind by another test), so the test holds in any order."""
    import httpx

    from tests.api.conftest import example

    r = httpx.post(f"{base_url}/v1/adviezen", json={"casus": example("scootmobiel")},
                   headers={"Authorization": "Bearer sleutel-consulent"}, timeout=60)
    assert r.status_code == 201, r.text
    login(page, base_url, "sleutel-auditor")
    expect(page.get_by_role("heading", name="Opgeslagen adviezen")).to_be_visible()
    link = page.locator(f"a[href='/ui/adviezen/{r.json()['id']}']")
    expect(link).to_have_text(re.compile(r"^Advies \d+$"))
    link.click()
    expect(page.locator("form.vragen")).to_have_count(0)  # read-only: no answers
    page.get_by_role("button", name="Herhaal met de pakketversies van toen").click()
    result = page.locator("#herhaling")
    expect(result).to_contain_text("Herhaling: identiek")
    shot(page, "auditor-herhaling", "#herhaling")


def test_auditor_compares_with_todays_rules(page: Page, tmp_path: Path) -> None:
    """Issue 16: an advies made before a rule change, compared with the rules of now: the page
    names the instrument, its status then and now, the deciding condition with its article and
    the changed parameter; the raw trace paths are folded away."""
    import shutil

    import httpx

    from service.launch import live_server
    from tests.paths import ROOT
    from tests.test_compare import raise_limit, spaarder

    database = f"sqlite:///{tmp_path / 'ot.sqlite3'}"
    with live_server(database, log=tmp_path / "server-1.log") as url:
        r = httpx.post(f"{url}/v1/adviezen", json={"casus": spaarder()}, timeout=60,
                       headers={"Authorization": "Bearer sleutel-consulent"})
        assert r.status_code == 201, r.text
        advies_id = r.json()["id"]
    rules = tmp_path / "rules"
    shutil.copytree(ROOT / "rules", rules)
    raise_limit(rules)
    with live_server(database, log=tmp_path / "server-2.log",
                     extra_env={"OT_RULES_DIR": str(rules)}) as url:
        login(page, url, "sleutel-auditor")
        page.goto(f"{url}/ui/adviezen/{advies_id}")
        page.get_by_role("button", name="Vergelijk met de regels van nu").click()
        result = page.locator("#vergelijking")
        expect(result.get_by_role("heading", name="Vergelijking met de regels van nu")
               ).to_be_visible()
        row = result.locator("#vergelijking-instrumenten tr[data-effect='e1']"
                             "[data-instrument='participatiewet.algemene_bijstand']")
        expect(row.locator("td").nth(2)).to_have_text("past niet")
        expect(row.locator("td").nth(3)).to_have_text("voorwaardelijk")
        expect(row).to_contain_text("art. 19 lid 1 onder b Participatiewet")
        expect(row).to_contain_text("nee → ja")
        param = result.locator("#vergelijking-parameters tr[data-parameter="
                               "'pw_vermogensgrens_alleenstaande']")
        expect(param).to_contain_text("Vermogensgrens alleenstaande")
        expect(param.locator("td").nth(1)).to_contain_text("€ 8.000")
        expect(param.locator("td").nth(2)).to_contain_text("€ 8.800")
        expect(param.locator("td").nth(2)).to_contain_text("geldig 2026-01-01 t/m open einde")
        expect(result.locator("#vragen-erbij")).to_contain_text(
            "huishouden.pw_verwijtbaar_onvolledige_gegevens")
        raw = result.locator("#vergelijking-ruw")
        expect(raw.locator("li")).to_have_count(20)
        expect(raw.locator("li").first).not_to_be_visible()  # folded until asked for
        assert unlabelled_controls(page) == []
        shot(page, "auditor-vergelijking", "#vergelijking")


def test_regelboek_and_dossier_report(page: Page, base_url: str, tmp_path: Path) -> None:
    login(page, base_url, "sleutel-consulent")
    page.goto(f"{base_url}/ui/regelboek")
    expect(page.get_by_role("heading", name="Regelboek")).to_be_visible()
    page.get_by_role("link", name=re.compile("Wet maatschappelijke ondersteuning")).click()
    section = page.locator("section#wmo\\.vervoersvoorziening")
    expect(section).to_contain_text("Voorwaarden (alle moeten ja zijn)")
    expect(section.locator("a.citaat").first).to_have_attribute(
        "href", re.compile(r"^https://wetten\.overheid\.nl/jci1\.3:c:BWBR0035362"))
    expect(section.locator(".badge.onzeker").first).to_be_visible()
    shot(page, "regelboek-wmo-vervoersvoorziening", "section#wmo\\.vervoersvoorziening")
    # the law's own words, folded beside the citation (issue 11): open the first condition's
    condition = section.locator("ol > li").first
    condition.locator("details.wettekst > summary").first.click()
    quoted = condition.locator("details.wettekst blockquote.wet").first
    expect(quoted).to_be_visible()
    expect(quoted).to_contain_text("van een ingezetene van de gemeente")
    expect(condition.locator("details.wettekst summary").first).to_contain_text(
        re.compile(r"wettekst versie \d{4}-\d\d-\d\d"))
    shot(page, "regelboek-wettekst", "section#wmo\\.vervoersvoorziening ol")
    page.goto(f"{base_url}/ui/regelboek/gm9992.html")
    expect(page.get_by_role("heading", name="Open normen die deze gemeente invult")
           ).to_be_visible()
    shot(page, "regelboek-gemeente-proefdorp")

    page.goto(f"{base_url}/ui/casussen/nieuw?voorbeeld=verslaving-schulden")
    page.get_by_role("button", name="Casus opslaan").click()
    page.get_by_role("button", name="Advies maken").click()
    page.get_by_role("link", name="Rapport voor het dossier").click()
    report = page.locator("article.rapport")
    expect(report).to_contain_text("Trace-hash")
    expect(report).to_contain_text("Zo herhaalt u dit advies")
    expect(report).to_contain_text("Wettelijke schuldsaneringsregeling")
    # the decisive words of the law next to our explanation (vendored text, version named)
    expect(report.locator("blockquote.wet").first).to_contain_text(
        re.compile(r"versie \d{4}-\d\d-\d\d"))
    expect(report.locator("h2")).to_have_count(5)  # stap 1-4 and how to replay
    # the dossier is complete (issue 16): how the casus came about, who made it, the open
    # questions as questions, what onzeker means, and a replay certificate with pinned regelboeken
    expect(report.locator("table.casusversies tbody tr")).to_have_count(1)
    expect(report.locator("table.casusversies")).to_contain_text("feiten vastgelegd")
    expect(report.locator("ol.nog-vragen li").first).to_contain_text("?")
    expect(report.locator("p.uitleg-onzeker")).to_contain_text("nooit")
    certificaat = report.locator("table.herhaalcertificaat")
    expect(certificaat).to_contain_text("Trace-hash")
    pinned = certificaat.get_by_role("link", name="regelboek van deze versie").first
    expect(pinned).to_have_attribute("href",
                                     re.compile(r"^/ui/regelboek/sha256:[0-9a-f]{64}\.html$"))
    expect(report.locator("pre")).to_contain_text('"leefgebied": "middelengebruik"')
    page.emulate_media(media="print")
    shot(page, "rapport-verslaving-schulden", full=False)  # the first printed page
    page.emulate_media(media="screen")
    # the report offers the bewijsstuk for download; `ot herhaal` replays that file offline
    with page.expect_download() as download:
        report.get_by_role("link", name="download het bewijsstuk (JSON)").click()
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    replayed = CliRunner().invoke(app, ["herhaal", str(saved)])
    assert replayed.exit_code == 0, replayed.output
    assert "identiek" in replayed.output
