"""Accessibility of the web pages (issue 14, "Accessibility"): government pages must meet
WCAG 2.1 AA (Besluit digitale toegankelijkheid overheid).

Three kinds of checks, in a real headless Chromium against the real service:
* axe-core (bundled by `axe-playwright-python`, so nothing is downloaded) at the tags wcag2a,
  wcag2aa, wcag21a and wcag21aa on every page of the walk, in the states a user sees them in
  (an empty form, one with errors, folded and unfolded details, after an answer, a replay);
  axe is the automated half of an audit: it finds contrast, names, labels, landmarks and ids;
* a keyboard-only walk of the four steps (only `page.keyboard`), asserting at every stop that
  the focused element shows a focus ring, and that the skip link works;
* status never by colour alone: every badge and marker carries text.

Every test makes its own data; invented people only.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from axe_playwright_python.sync_playwright import Axe  # type: ignore[import-untyped]
from playwright.sync_api import Page, expect

from service.launch import live_server
from tests.api.conftest import example
from tests.web.conftest import SHOTS, WEB_KEYS, login

TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
STRUCTURE = ["heading-order", "landmark-one-main", "region", "page-has-heading-one",
             "skip-link", "empty-heading", "landmark-unique", "empty-table-header"]
"""axe files these under best-practice, yet they are how a screen-reader user finds their way
(WCAG 1.3.1 and 2.4.1 in spirit): headings in order, one main, everything in a landmark."""
AXE = Axe()
CONSULENT = {"Authorization": "Bearer sleutel-consulent"}
AUDITOR = {"Authorization": "Bearer sleutel-auditor"}


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The live service on SQLite only. Accessibility is a property of the HTML the pages
    render, which does not depend on the database; the PostgreSQL half of the pages is walked
    by the other browser tests (`tests/web/conftest.base_url`). Both halves here cost 500 s of
    CI for the same HTML."""
    folder = tmp_path_factory.mktemp("web")
    with live_server(f"sqlite:///{folder / 'ot.sqlite3'}", log=folder / "server.log",
                     extra_env={"OT_API_KEYS": json.dumps(WEB_KEYS)}) as url:
        yield url


def violations(page: Page) -> list[dict[str, Any]]:
    """The axe violations of the page as it is now (WCAG 2.0/2.1 A and AA rules only)."""
    result = AXE.run(page, options={"runOnly": {"type": "tag", "values": TAGS},
                                    "rules": {r: {"enabled": True} for r in STRUCTURE},
                                    "resultTypes": ["violations"]})
    found: list[dict[str, Any]] = result.response["violations"]
    return found


def report(found: list[dict[str, Any]]) -> str:
    """Per violation its id, impact, help and the targets of the offending nodes."""
    lines = []
    for v in found:
        lines.append(f"{v['id']} ({v['impact']}): {v['help']}")
        lines.extend(f"    {' '.join(map(str, n['target']))}" for n in v["nodes"][:15])
        if len(v["nodes"]) > 15:
            lines.append(f"    … and {len(v['nodes']) - 15} more")
    return "\n".join(lines)


def assert_accessible(page: Page, where: str) -> None:
    found = violations(page)
    assert not found, f"axe violations on {where} ({page.url}):\n{report(found)}"


def open_all_details(page: Page) -> None:
    page.evaluate("() => document.querySelectorAll('details').forEach(d => d.open = true)")


def stored_advies(base_url: str, name: str) -> dict[str, Any]:
    """A casus of a public example stored through the API, and its advies."""
    casus = httpx.post(f"{base_url}/v1/casussen", json=example(name), headers=CONSULENT,
                       timeout=60)
    assert casus.status_code == 201, casus.text
    made = httpx.post(f"{base_url}/v1/adviezen", json={"casus_id": casus.json()["id"]},
                      headers=CONSULENT, timeout=60)
    assert made.status_code == 201, made.text
    found: dict[str, Any] = made.json()
    return found


def test_axe_login_and_error_pages(page: Page, base_url: str) -> None:
    page.goto(f"{base_url}/ui/inloggen")
    expect(page.get_by_role("heading", name="Inloggen")).to_be_visible()
    assert_accessible(page, "the login page")
    page.get_by_label("Token of API-sleutel").fill("geen-geldige-sleutel")
    page.get_by_role("button", name="Inloggen").click()
    expect(page.locator(".melding.fout")).to_be_visible()
    assert_accessible(page, "the login page with an error")

    login(page, base_url, "sleutel-consulent")
    page.goto(f"{base_url}/ui/casussen/bestaat-niet")
    expect(page.locator(".melding.fout")).to_be_visible()
    assert_accessible(page, "the error page")


def test_axe_casus_pages(page: Page, base_url: str) -> None:
    login(page, base_url, "sleutel-consulent")
    stored_advies(base_url, "scootmobiel")  # the list is not empty
    page.goto(f"{base_url}/ui/casussen")
    expect(page.get_by_role("heading", name="Mijn casussen")).to_be_visible()
    open_all_details(page)
    assert_accessible(page, "the casussen list")

    page.goto(f"{base_url}/ui/casussen/nieuw")
    assert_accessible(page, "the empty new casus form")
    page.goto(f"{base_url}/ui/casussen/nieuw?voorbeeld=scootmobiel")
    expect(page.locator(".melding.info")).to_contain_text("scootmobiel")
    assert_accessible(page, "the new casus form from an example")
    page.locator("#v-p0-leeftijd").fill("zesenzeventig")
    page.get_by_role("button", name="Casus opslaan").click()
    expect(page.locator("#foutsamenvatting")).to_be_visible()
    assert_accessible(page, "the new casus form with validation errors")
    page.locator("#v-p0-leeftijd").fill("76")
    page.get_by_role("button", name="Casus opslaan").click()

    # the casus page: stap 1, the adviezen and the stap-3 form, before and after an advies
    expect(page.get_by_role("heading", name="Stap 1 · Gewenste effecten")).to_be_visible()
    assert_accessible(page, "the casus page")
    page.get_by_label("Wat gebeurt er als we niets doen?").fill("Hij komt de deur niet uit.")
    page.get_by_role("button", name="Afwegingen opslaan").click()
    expect(page.get_by_role("status")).to_contain_text("Afwegingen opgeslagen")
    assert_accessible(page, "the casus page with afwegingen saved")
    page.get_by_role("button", name="Advies maken").click()
    expect(page.locator("#integraal-overleg")).to_be_visible()
    page.get_by_role("link", name="Naar de casus").click()
    assert_accessible(page, "the casus page with an advies")
    casus_url = re.sub(r"[?#].*$", "", page.url)
    page.goto(casus_url + "/bewerken")
    assert_accessible(page, "the stap-1 edit form")

    # the archive: the list, and an archived casus (read-only)
    page.goto(casus_url)
    page.get_by_role("button", name="Archiveren").click()
    expect(page.get_by_role("status")).to_contain_text("gearchiveerd")
    assert_accessible(page, "the casussen list after archiving")
    page.goto(f"{base_url}/ui/archief")
    expect(page.get_by_role("heading", name="Archief")).to_be_visible()
    assert_accessible(page, "the archive")
    page.goto(casus_url)
    expect(page.locator("#archief")).to_be_visible()
    assert_accessible(page, "an archived casus")


@pytest.mark.parametrize("name", ["scootmobiel", "gezin-meervoudig"])
def test_axe_advies_pages(page: Page, base_url: str, name: str) -> None:
    made = stored_advies(base_url, name)
    login(page, base_url, "sleutel-consulent")
    page.goto(f"{base_url}/ui/adviezen/{made['id']}")
    expect(page.locator("#stap4-e1")).to_be_visible()
    assert_accessible(page, f"the advies page of {name}")
    open_all_details(page)
    assert_accessible(page, f"the advies page of {name}, every details opened")

    # answer one question in place: the advies is re-made and the change is shown
    page.reload()
    page.locator("#nog-uitvragen select").first.select_option(index=2)
    page.get_by_role("button", name="Antwoorden verwerken").click()
    expect(page.locator("#wat-veranderd")).to_be_visible()
    assert_accessible(page, f"the answered advies of {name} (antwoord verwerkt)")

    # the besluit form with the API's errors next to their fields
    page.locator("#besluit-formulier tr:has(.status-past_niet) select").first.select_option(
        "toegekend")
    page.locator("#besluit-zaak").fill("geen url")
    page.get_by_role("button", name="Besluit vastleggen").click()
    expect(page.locator("#besluit-formulier .veldfout").first).to_be_visible()
    assert_accessible(page, f"the besluit form of {name} with errors")

    page.get_by_role("link", name="Rapport voor het dossier").click()
    expect(page.locator("article.rapport")).to_be_visible()
    assert_accessible(page, f"the dossier report of {name}")


def test_axe_auditor_views(page: Page, base_url: str) -> None:
    made = stored_advies(base_url, "scootmobiel")
    login(page, base_url, "sleutel-auditor")
    expect(page.get_by_role("heading", name="Opgeslagen adviezen")).to_be_visible()
    assert_accessible(page, "the adviezen list")
    page.goto(f"{base_url}/ui/adviezen/{made['id']}")
    assert_accessible(page, "the advies page, read-only for the auditor")
    page.get_by_role("button", name="Herhaal met de pakketversies van toen").click()
    expect(page.locator("#herhaling")).to_contain_text("identiek")
    assert_accessible(page, "the replay view")
    page.goto(f"{base_url}/ui/adviezen/{made['id']}")
    page.get_by_role("button", name="Vergelijk met de regels van nu").click()
    expect(page.locator("#vergelijking")).to_be_visible()
    assert_accessible(page, "the compare view (same rules)")
    page.goto(f"{base_url}/ui/regelpakketten")
    assert_accessible(page, "the regelpakketten list")


def test_axe_compare_view_with_changed_rules(page: Page, tmp_path: Path) -> None:
    """The compare view with something to show: tables of instruments and parameters that
    moved, and the raw differences folded (as test_consulent.py builds it)."""
    from tests.paths import ROOT
    from tests.test_compare import raise_limit, spaarder

    database = f"sqlite:///{tmp_path / 'ot.sqlite3'}"
    with live_server(database, log=tmp_path / "server-1.log") as url:
        r = httpx.post(f"{url}/v1/adviezen", json={"casus": spaarder()}, timeout=60,
                       headers=CONSULENT)
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
        expect(page.locator("#vergelijking-instrumenten")).to_be_visible()
        assert_accessible(page, "the compare view")
        open_all_details(page)
        assert_accessible(page, "the compare view, raw differences opened")


def test_axe_regelboek(page: Page, base_url: str) -> None:
    made = stored_advies(base_url, "scootmobiel")
    login(page, base_url, "sleutel-consulent")
    page.goto(f"{base_url}/ui/regelboek")
    expect(page.get_by_role("heading", name="Regelboek")).to_be_visible()
    assert_accessible(page, "the regelboek index")
    page.get_by_role("link", name=re.compile("Wet maatschappelijke ondersteuning")).click()
    expect(page.locator("section#wmo\\.vervoersvoorziening")).to_be_visible()
    assert_accessible(page, "the regelboek of the Wmo")
    open_all_details(page)
    assert_accessible(page, "the regelboek of the Wmo, every law text opened")
    page.goto(f"{base_url}/ui/regelboek/gm9992.html")
    assert_accessible(page, "the regelboek of a municipality")
    pinned = made["trace"]["pakketten"][0]["hash"]
    page.goto(f"{base_url}/ui/regelboek/{pinned}.html")
    expect(page.locator(".vastgepind")).to_be_visible()
    assert_accessible(page, "the regelboek of a pinned version")


def test_axe_erased_pages(page: Page, base_url: str) -> None:
    made = stored_advies(base_url, "scootmobiel")
    wis = httpx.post(f"{base_url}/v1/casussen/{made['casus_id']}/_wis",
                     json={"grond": "AVG art. 17: verzoek van de inwoner"}, headers=CONSULENT,
                     timeout=60)
    assert wis.status_code == 200, wis.text
    login(page, base_url, "sleutel-consulent")
    for url, what in ((f"/ui/casussen/{made['casus_id']}", "casus"),
                      (f"/ui/adviezen/{made['id']}", "advies")):
        page.goto(base_url + url)
        expect(page.get_by_role("heading", name=re.compile("gewist"))).to_be_visible()
        assert_accessible(page, f"the erased {what}")


def test_axe_and_keyboard_privacy_pages(page: Page, base_url: str) -> None:
    """The privacy officer's casusoverzicht and the erasure in two steps (issue 14), each
    state checked by axe and reached with the keyboard only (focus ring at every stop)."""
    made = stored_advies(base_url, "scootmobiel")
    cid = made["casus_id"]
    login(page, base_url, "sleutel-privacy")
    expect(page.get_by_role("heading", name="Casusoverzicht")).to_be_visible()
    assert_accessible(page, "the casusoverzicht")
    tab_to(page, f"a[href='/ui/casusoverzicht/{cid}/wissen']")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Casus wissen (AVG art. 17)")).to_be_visible()
    assert_accessible(page, "the erasure form")
    tab_to(page, "#naar-bevestigen")
    page.keyboard.press("Enter")
    expect(page.locator("#grond-fout")).to_be_visible()
    assert_accessible(page, "the erasure form without a grond")
    tab_to(page, "#grond", key="Shift+Tab")
    page.keyboard.type("AVG art. 17: verzoek van de inwoner (invented)")
    tab_to(page, "#naar-bevestigen")
    page.keyboard.press("Enter")
    expect(page.locator("#definitief-wissen")).to_be_visible()
    assert_accessible(page, "the erasure's confirmation")
    tab_to(page, "#definitief-wissen")
    page.keyboard.press("Enter")
    expect(page.locator(f"#casus-{cid}")).to_contain_text("Gewist op")
    assert_accessible(page, "the casusoverzicht after an erasure")


# ── the keyboard-only walk ──────────────────────────────────────────────────────────────────

FOCUS = """(selector) => {
    const e = document.activeElement;
    if (!e || e === document.body) return null;
    const s = getComputedStyle(e);
    const outline = s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0;
    const shadow = !!s.boxShadow && s.boxShadow !== 'none';
    const r = e.getBoundingClientRect();
    return {element: e.tagName.toLowerCase() + (e.id ? '#' + e.id : '')
                     + ' "' + (e.innerText || e.value || '').trim().slice(0, 40) + '"',
            ring: outline || shadow, shown: r.width > 0 && r.height > 0,
            inView: r.bottom > 0 && r.top < innerHeight && r.right > 0 && r.left < innerWidth,
            match: e.matches(selector)};
}"""


def check_focus(page: Page, selector: str = "*") -> dict[str, Any]:
    """Where the focus is now; asserts the focused element is shown, in view, with a ring."""
    stop: dict[str, Any] | None = page.evaluate(FOCUS, selector)
    assert stop is not None, f"focus fell back to the document on {page.url}"
    assert stop["shown"] and stop["inView"], f"focused element not in view: {stop}"
    assert stop["ring"], f"focus not visible (no outline, no box-shadow): {stop['element']}"
    return stop


def tab_to(page: Page, selector: str, limit: int = 400, key: str = "Tab") -> int:
    """Press Tab until `selector` has the focus, checking the focus ring at every stop."""
    for steps in range(1, limit + 1):
        page.keyboard.press(key)
        if check_focus(page, selector)["match"]:
            return steps
    raise AssertionError(f"{selector} not reached with {key} in {limit} steps on {page.url}")


def shot_focus(page: Page, selector: str) -> None:
    """The focus ring as a keyboard user sees it, for the README (docs/screenshots)."""
    box = page.locator(selector).bounding_box()
    assert box is not None
    SHOTS.mkdir(parents=True, exist_ok=True)
    width = page.viewport_size["width"] if page.viewport_size else 1366
    page.screenshot(path=str(SHOTS / "toetsenbord-focus.jpg"), type="jpeg", quality=70,
                    clip={"x": 0, "y": max(0, box["y"] - 200), "width": width, "height": 480})


def test_keyboard_only_walk_of_the_four_steps(page: Page, base_url: str) -> None:
    """Scootmobiel from the login to an answered question without a mouse: only Tab,
    Shift+Tab, Enter, Space and typing. Every stop shows a focus ring."""
    page.goto(f"{base_url}/ui/inloggen")

    # the skip link is the first stop, shows itself when focused and moves to the content
    page.keyboard.press("Tab")
    skip = check_focus(page, "a.skip[href='#inhoud']")
    assert skip["match"], f"the first Tab stop is not the skip link: {skip['element']}"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "inhoud"
    tab_to(page, "#token", limit=1)  # the next stop is the first control of the content
    page.keyboard.type("sleutel-consulent")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Mijn casussen")).to_be_visible()

    # stap 1 from the openbaar voorbeeld, saved
    tab_to(page, "details.voorbeelden > summary")
    page.keyboard.press("Enter")
    expect(page.locator("details.voorbeelden")).to_have_attribute("open", "")
    tab_to(page, "a[href$='voorbeeld=scootmobiel']")
    page.keyboard.press("Enter")
    expect(page.locator(".melding.info")).to_contain_text("scootmobiel")
    tab_to(page, "button[value='opslaan']")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Stap 1 · Gewenste effecten")).to_be_visible()

    # stap 2 and 4: the advies; one instrument's details opened with Space
    tab_to(page, "#maak-advies")
    page.keyboard.press("Space")
    expect(page.locator("#stap4-e1")).to_be_visible()
    summary = "li.instrument[data-instrument='wmo.vervoersvoorziening'] summary.ins-kop"
    tab_to(page, summary)
    page.keyboard.press("Space")
    details = page.locator(
        "li.instrument[data-instrument='wmo.vervoersvoorziening'] details.instrument-details")
    expect(details).to_have_attribute("open", "")
    expect(details.locator("li.reden").first).to_be_visible()
    shot_focus(page, summary)
    page.keyboard.press("Tab")
    check_focus(page)
    tab_to(page, summary, limit=1, key="Shift+Tab")  # the way back is the same way

    # answer the first open question by typing into its select, then submit with Space
    question = page.locator("#nog-uitvragen li.vraag").first
    feit = question.get_attribute("data-feit")
    tab_to(page, "#nog-uitvragen select#q-1")
    page.keyboard.type("ja")
    expect(question.locator("select")).to_have_value("ja")
    tab_to(page, "form.vragen button[type='submit']")
    page.keyboard.press("Space")
    expect(page.locator("#wat-veranderd")).to_be_visible()
    expect(page.locator(f"#nog-uitvragen li.vraag[data-feit='{feit}']")).to_have_count(0)


# ── status never by colour alone ────────────────────────────────────────────────────────────

WORDS = re.compile(r"[a-zë]{2,}", re.IGNORECASE)


def colour_only(page: Page) -> list[str]:
    """Every element that carries a status or marker by its colour (a badge, a condition's
    outcome, a marker), when it has no words of its own."""
    texts: list[list[str]] = page.evaluate("""() => [...document.querySelectorAll(
        '.badge, .uitkomst, .teken, [data-markering], [class*="status-"]')]
        .map(e => [e.outerHTML.slice(0, 120), e.textContent.trim()])""")
    assert texts, "no status elements found"
    return [html for html, text in texts if not WORDS.search(text)]


def test_status_is_never_colour_alone(page: Page, base_url: str) -> None:
    from engine.semantics import STATUS_LABELS

    made = stored_advies(base_url, "gezin-meervoudig")  # past, voorwaardelijk, past niet, ⚖, ⚠
    login(page, base_url, "sleutel-consulent")
    page.goto(f"{base_url}/ui/adviezen/{made['id']}")
    assert colour_only(page) == []

    # the overview: per instrument its status in words, and its markers in words
    instruments = {(e["id"], i["id"]): i for e in made["trace"]["advies"]["effecten"]
                   for i in e["stap4"]["instrumenten"]}
    seen = {"beslisruimte": 0, "onzeker": 0}
    for (effect, iid), i in instruments.items():
        row = page.locator(f"#overzicht-{effect} tr[data-instrument='{iid}']")
        expect(row.locator("td").nth(1)).to_have_text(
            re.compile(rf"\b{re.escape(STATUS_LABELS[i['status']])}$"))
        for mark in i.get("markering", []):
            marker = row.locator(f"[data-markering='{mark}']")
            expect(marker).to_have_text(re.compile(
                "ter beoordeling van .+" if mark == "beslisruimte" else "onzeker"))
            seen[mark] += 1
        item = page.locator(f"#stap4-{effect} li.instrument[data-instrument='{iid}']")
        expect(item.locator(".badge.status-" + i["status"])).to_have_text(
            STATUS_LABELS[i["status"]])
    assert seen["beslisruimte"] > 0, "the example no longer shows a discretion marker"

    page.get_by_role("link", name="Rapport voor het dossier").click()
    expect(page.locator("article.rapport")).to_be_visible()
    assert colour_only(page) == []
    # every instrument of every effect with its status in words in the report's stap 4
    badges = page.locator("section.instrument .ins-kop .badge[class*='status-']")
    assert sorted(badges.all_text_contents()) == sorted(
        STATUS_LABELS[i["status"]] for i in instruments.values())
