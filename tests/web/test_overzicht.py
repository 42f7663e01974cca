"""Stap 4 at a glance, ranked questions and the "voor wie" picker (issue 14), in a real
headless Chromium. The overview's size is measured from the elements' bounding boxes, not
assumed: scootmobiel's overview fits one 1280×900 window, gezin-meervoudig's four overviews
fit two (1800 px) with every instrument's details folded. Invented people only."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
from playwright.sync_api import Browser, FloatRect, Page, ViewportSize, expect

from tests.api.conftest import example
from tests.web.conftest import login, unlabelled_controls

DOCS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
WINDOW: ViewportSize = {"width": 1280, "height": 900}
CONSULENT = {"Authorization": "Bearer sleutel-consulent"}


def advies_of(base_url: str, name: str) -> dict[str, Any]:
    """A casus of a public example stored through the API, and its advies."""
    casus = httpx.post(f"{base_url}/v1/casussen", json=example(name), headers=CONSULENT,
                       timeout=60)
    assert casus.status_code == 201, casus.text
    made = httpx.post(f"{base_url}/v1/adviezen", json={"casus_id": casus.json()["id"]},
                      headers=CONSULENT, timeout=60)
    assert made.status_code == 201, made.text
    found: dict[str, Any] = made.json()
    return found


def open_advies(browser: Browser, base_url: str, advies_id: str) -> Page:
    page = browser.new_context(viewport=WINDOW, locale="nl-NL").new_page()
    login(page, base_url, "sleutel-consulent")
    page.goto(f"{base_url}/ui/adviezen/{advies_id}")
    return page


def box(page: Page, selector: str) -> FloatRect:
    found = page.locator(selector).bounding_box()
    assert found is not None, selector
    return found


def rows_are_one_line(page: Page, effect: str) -> list[str]:
    """Rows of the overview taller than one line of text (none expected)."""
    tall: list[str] = page.evaluate("""(effect) => {
        const rows = [...document.querySelectorAll(`#overzicht-${effect} tbody tr`)];
        return rows.filter(r => {
            const cell = r.querySelector('td.waarom');
            const line = parseFloat(getComputedStyle(cell).lineHeight);
            return r.getBoundingClientRect().height > 1.8 * line;
        }).map(r => r.dataset.instrument);
    }""", effect)
    return tall


def save(page: Page, name: str, clip: FloatRect | None = None) -> None:
    DOCS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(DOCS / f"{name}.jpg"), type="jpeg", quality=70, clip=clip,
                    full_page=clip is not None)


def test_scootmobiel_overview_fits_one_window(browser: Browser, base_url: str) -> None:
    advies = advies_of(base_url, "scootmobiel")
    page = open_advies(browser, base_url, advies["id"])
    instrumenten = advies["trace"]["advies"]["effecten"][0]["stap4"]["instrumenten"]
    rows = page.locator("#overzicht-e1 tbody tr")
    expect(rows).to_have_count(len(instrumenten))
    # every instrument on one line: rung, name, status as text, marker as text, the reason
    assert [r["id"] for r in instrumenten] == rows.evaluate_all(
        "rs => rs.map(r => r.dataset.instrument)")
    assert rows_are_one_line(page, "e1") == []
    vv = page.locator("#overzicht-e1 tr[data-instrument='wmo.vervoersvoorziening']")
    expect(vv.locator("td").nth(0)).to_have_text("Maatwerk")
    expect(vv.locator(".badge")).to_have_text("? voorwaardelijk")
    expect(vv.locator("td.let-op")).to_contain_text("ter beoordeling van het college")
    expect(vv.locator("td.waarom")).to_contain_text("art. ")
    niet = page.locator("#overzicht-e1 tr[data-instrument='wmo.gebruikelijke_hulp']")
    expect(niet.locator(".badge")).to_have_text("✗ past niet")
    expect(niet.locator("td.waarom")).to_contain_text("niet voldaan")
    # the details are folded until asked for
    details = page.locator("li.instrument[data-instrument='wmo.vervoersvoorziening'] "
                           "details.instrument-details")
    expect(details).not_to_have_attribute("open", "")
    expect(details.locator("ul.redenen")).to_be_hidden()

    page.evaluate("document.querySelector('#overzicht-e1').scrollIntoView()")
    seen = box(page, "#overzicht-e1")  # the window now starts at the overview (±1 px)
    assert seen["y"] >= -1 and seen["y"] + seen["height"] <= WINDOW["height"], seen
    assert seen["x"] >= 0 and seen["x"] + seen["width"] <= WINDOW["width"], seen
    save(page, "scootmobiel-4-overzicht")

    # the name links to its details, which unfold (progressive enhancement; the summary
    # itself opens them without JavaScript)
    vv.get_by_role("link").click()
    expect(details).to_have_attribute("open", "")
    expect(details.locator("ul.redenen")).to_be_visible()
    page.context.close()


def test_gezin_overviews_fit_two_windows(browser: Browser, base_url: str) -> None:
    advies = advies_of(base_url, "gezin-meervoudig")
    page = open_advies(browser, base_url, advies["id"])
    effecten = advies["trace"]["advies"]["effecten"]
    assert len(effecten) == 4
    for e in effecten:
        expect(page.locator(f"#overzicht-{e['id']} tbody tr")).to_have_count(
            len(e["stap4"]["instrumenten"]))
        assert rows_are_one_line(page, e["id"]) == []
        # the markers, as text with a symbol: discretion ⚖ (who decides), onzeker ⚠
        for i in e["stap4"]["instrumenten"]:
            cell = page.locator(f"#overzicht-{e['id']} tr[data-instrument='{i['id']}'] "
                                "td.let-op").text_content() or ""
            assert ("⚖" in cell) == ("beslisruimte" in i["markering"]), (i["id"], cell)
            assert ("⚠ onzeker" in cell) == ("onzeker" in i["markering"]), (i["id"], cell)
    expect(page.locator("details.instrument-details[open]")).to_have_count(0)
    first, last = box(page, "#overzicht-e1"), box(page, f"#overzicht-{effecten[-1]['id']}")
    top = first["y"]
    bottom = last["y"] + last["height"]
    assert bottom - top <= 2 * WINDOW["height"], (top, bottom)
    scroll = page.evaluate("window.scrollY")
    save(page, "gezin-4-overzicht", clip={"x": 0, "y": top + scroll - 8, "width": WINDOW["width"],
                                          "height": bottom - top + 16})
    page.context.close()


def test_questions_ranked_by_what_an_answer_settles(browser: Browser, base_url: str) -> None:
    advies = advies_of(base_url, "scootmobiel")
    ranked = httpx.get(f"{base_url}/v1/adviezen/{advies['id']}/vragen", headers=CONSULENT,
                       timeout=60).json()["vragen"]
    page = open_advies(browser, base_url, advies["id"])
    shown = page.locator("#nog-uitvragen li.vraag").evaluate_all(
        "els => els.map(e => e.dataset.feit)")
    assert shown == [q["feit"] for q in ranked]
    trace_order = [q["feit"] for q in advies["trace"]["advies"]["nog_uitvragen"]]
    assert shown != trace_order  # the page no longer follows the count of conditions
    first = page.locator("#nog-uitvragen li.vraag").first
    expect(first.locator(".beslist")).to_contain_text("beslist over:")
    expect(first.locator(".beslist")).to_contain_text(ranked[0]["beslist"][0]["naam"])
    mantelzorg = page.locator("#nog-uitvragen li.vraag[data-feit="
                              "'netwerk.mantelzorg_beschikbaar']")
    expect(mantelzorg.locator(".beslist")).not_to_contain_text("beslist over:")
    assert unlabelled_controls(page) == []
    page.context.close()


def test_voor_wie_is_chosen_from_the_persons_and_added_in_place(
        browser: Browser, base_url: str) -> None:
    """Without JavaScript: the in-place add is a submit that re-renders the form."""
    context = browser.new_context(viewport=WINDOW, locale="nl-NL", java_script_enabled=False)
    page = context.new_page()
    login(page, base_url, "sleutel-consulent")
    page.goto(f"{base_url}/ui/casussen/nieuw")
    page.get_by_label("Wat wil de inwoner bereiken?").fill("Dat mijn zoon naar school kan.")
    page.get_by_label("Leefgebied").first.select_option("opvoeden_en_opgroeien")
    page.locator("#v-p0-leeftijd").fill("41")
    page.locator("#v-peildatum").fill("2026-11-02")
    voor = page.locator("#v-e0-persoon")
    expect(voor.locator("option")).to_have_text(["de aanvrager", "p1 · aanvrager"])
    page.get_by_role("button", name="Nieuwe persoon voor dit effect").click()

    # re-rendered: the typed values are kept, the new person is there and chosen
    expect(page.get_by_label("Wat wil de inwoner bereiken?")).to_have_value(
        "Dat mijn zoon naar school kan.")
    expect(page.locator("#v-p0-leeftijd")).to_have_value("41")
    expect(page.locator("#v-p1-id")).to_have_value("p2")
    expect(voor).to_have_value("p2")
    expect(voor.locator("option")).to_have_text(["de aanvrager", "p1 · aanvrager · 41 jaar",
                                                 "p2 · rol onbekend"])
    page.locator("#v-p1-rol").select_option("kind")
    page.locator("#v-p1-leeftijd").fill("12")
    assert unlabelled_controls(page) == []
    page.get_by_role("button", name="Casus opslaan").click()
    expect(page.get_by_role("heading", name="Stap 1 · Gewenste effecten")).to_be_visible()
    casus_id = page.url.rstrip("/").rsplit("/", 1)[-1].split("?")[0]
    stored = httpx.get(f"{base_url}/v1/casussen/{casus_id}", headers=CONSULENT,
                       timeout=60).json()["casus"]
    assert stored["gewenste_effecten"][0]["persoon"] == "p2"
    assert {p["id"]: p.get("rol") for p in stored["personen"]} == {"p1": "aanvrager",
                                                                   "p2": "kind"}

    # editing it again shows the person chosen by id, role and age
    page.goto(f"{base_url}/ui/casussen/{casus_id}/bewerken")
    expect(page.locator("#v-e0-persoon option:checked")).to_have_text("p2 · kind · 12 jaar")
    context.close()


def test_voor_wie_follows_the_persons_as_they_are_typed(browser: Browser,
                                                        base_url: str) -> None:
    """With JavaScript the list follows the person fields without a submit."""
    page = browser.new_context(viewport=WINDOW, locale="nl-NL").new_page()
    login(page, base_url, "sleutel-consulent")
    page.goto(f"{base_url}/ui/casussen/nieuw")
    page.get_by_role("button", name="Persoon toevoegen").click()
    page.locator("#v-p1-id").fill("kind1")
    page.locator("#v-p1-id").dispatch_event("change")
    page.locator("#v-p1-rol").select_option("kind")
    expect(page.locator("#v-e0-persoon option")).to_have_text(
        ["de aanvrager", "p1 · aanvrager", "kind1 · kind"])
    page.locator("#v-e0-persoon").select_option("kind1")
    page.locator("#v-p1-leeftijd").fill("9")
    page.locator("#v-p1-leeftijd").dispatch_event("change")
    expect(page.locator("#v-e0-persoon")).to_have_value("kind1")
    expect(page.locator("#v-e0-persoon option:checked")).to_have_text("kind1 · kind · 9 jaar")
    page.context.close()


def test_details_fold_out_without_javascript(browser: Browser, base_url: str) -> None:
    advies = advies_of(base_url, "scootmobiel")
    context = browser.new_context(viewport=WINDOW, locale="nl-NL", java_script_enabled=False)
    page = context.new_page()
    login(page, base_url, "sleutel-consulent")
    page.goto(f"{base_url}/ui/adviezen/{advies['id']}")
    item = page.locator("li.instrument[data-instrument='wmo.vervoersvoorziening']")
    expect(item.locator("ul.redenen")).to_be_hidden()
    item.locator("summary.ins-kop").click()
    expect(item.locator("ul.redenen")).to_be_visible()
    expect(item.locator("details.wettekst").first).to_be_visible()
    context.close()
