"""The follow-up at the desk and the beleidsinformatie page (issue 15), in headless Chromium.

The service runs with `OT_OPVOLGING_MAANDEN=0`, so a follow-up is due the moment its advies
exists. Four invented casussen get their follow-up through the API ("bereikt", with
cliëntondersteuning used); the fifth is recorded at the desk: the casus list's "Wat loopt er"
leads to it, the instrument the besluit granted is prefilled, a submit without an outcome is
refused next to the field with the note kept, then it is recorded and corrected. The
beleidsmedewerker's page shows "< 5" before and 5 after, in the table, the chart's text
alternative and the CSV. axe-core finds no violation on either page. SQLite and PostgreSQL.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Page, expect

from service.launch import live_server
from tests.api.conftest import PG_URL, example, reset_postgres
from tests.web.conftest import WEB_KEYS, login
from tests.web.test_toegankelijkheid import assert_accessible

CONSULENT = {"Authorization": "Bearer sleutel-consulent"}
INSTRUMENT = "wmo.clientondersteuning"
"""Advised 'past' for e1 of the scootmobiel example, on the rung algemene_voorziening."""
DOCS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def base_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
             ) -> Iterator[str]:
    """As tests/web/conftest.py, with every follow-up due at once."""
    folder = tmp_path_factory.mktemp("opvolging")
    if request.param == "sqlite":
        db = f"sqlite:///{folder / 'ot.sqlite3'}"
    else:
        if not PG_URL:
            pytest.skip("OT_TEST_POSTGRES_URL is not set")
        reset_postgres(PG_URL)
        db = PG_URL
    with live_server(db, log=folder / "server.log",
                     extra_env={"OT_API_KEYS": json.dumps(WEB_KEYS),
                                "OT_OPVOLGING_MAANDEN": "0"}) as url:
        yield url


def post(base_url: str, path: str, body: dict[str, Any]) -> dict[str, Any]:
    r = httpx.post(f"{base_url}{path}", json=body, headers=CONSULENT, timeout=60)
    assert r.status_code == 201, r.text
    found: dict[str, Any] = r.json()
    return found


def casus_with_advies(base_url: str) -> tuple[str, str]:
    cid = post(base_url, "/v1/casussen", example("scootmobiel"))["id"]
    return cid, post(base_url, "/v1/adviezen", {"casus_id": cid})["id"]


def cell(page: Page, tabel: str, row: str, column: str) -> str:
    """The text of one cell of a beleidsinformatie table, by row header and column header."""
    headers = page.locator(f"#tabel-{tabel} thead th").all_inner_texts()
    line = page.locator(f"#tabel-{tabel} tbody tr").filter(
        has=page.locator("th", has_text=row))
    return line.locator("th, td").nth(headers.index(column)).inner_text().strip()


def test_follow_up_at_the_desk_reaches_the_beleidsinformatie(page: Page, base_url: str
                                                             ) -> None:
    for _ in range(4):
        cid, _advies = casus_with_advies(base_url)
        post(base_url, f"/v1/casussen/{cid}/opvolgingen",
             {"effect": "e1", "uitkomst": "bereikt", "gebruikte_instrumenten": [INSTRUMENT]})
    desk, advies = casus_with_advies(base_url)
    post(base_url, "/v1/besluiten", {
        "advies_id": advies, "motivering": "Toegekend zoals geadviseerd (invented).",
        "instrumenten": [{"effect": "e1", "instrument": INSTRUMENT, "uitkomst": "toegekend"}]})

    # the beleidsmedewerker before: four follow-ups are a small cell
    login(page, base_url, "sleutel-beleid")
    page.get_by_role("link", name="Beleidsinformatie").click()
    expect(page.get_by_role("heading", name="Beleidsinformatie", exact=True)).to_be_visible()
    assert cell(page, "opvolging", "Bereikt", "Effecten") == "< 5"
    assert cell(page, "treden", "Algemene voorziening", "Bereikt") == "< 5"
    page.context.clear_cookies()

    # the consulent: "wat loopt er" → the follow-up page, prefilled from the besluit
    login(page, base_url, "sleutel-consulent")
    lopend = page.locator("#wat-loopt-er")
    expect(lopend).to_contain_text("Wat loopt er")
    lopend.locator(f"a[href^='/ui/casussen/{desk}/opvolging']").click()
    expect(page.get_by_role("heading", name="Opvolging van de gewenste effecten")).to_be_visible()
    form = page.locator("#o-e1-formulier")
    expect(form.get_by_label(INSTRUMENT)).to_be_checked()
    expect(page.locator(".opvolgstatus")).to_have_text("Verschuldigd")
    assert_accessible(page, "the follow-up page")

    note = "Gaat weer zelf naar de markt (invented)."
    form.get_by_label("Korte toelichting").fill(note)
    form.get_by_role("button", name="Opvolging vastleggen").click()
    expect(page.locator("#o-e1-uitkomst-fout")).to_be_visible()
    expect(page.locator("#o-e1-formulier").get_by_label("Korte toelichting")).to_have_value(note)
    assert_accessible(page, "the follow-up page with the API's refusal")

    form = page.locator("#o-e1-formulier")
    form.get_by_label("Bereikt", exact=True).check()
    form.get_by_role("button", name="Opvolging vastleggen").click()
    expect(page.locator("#opvolging-gemeld")).to_be_visible()
    expect(page.locator(".opvolgstatus")).to_have_text("Vastgelegd")
    expect(page.locator(".vastgelegd")).to_contain_text(INSTRUMENT)

    # a correction: a new version, the first one kept
    form = page.locator("#o-e1-formulier")
    form.get_by_label("Korte toelichting").fill(note + " Met de buurtbus.")
    form.get_by_role("button", name="Correctie vastleggen").click()
    expect(page.locator(".vastgelegd")).to_contain_text("versie 2")
    expect(page.get_by_text("Eerdere versies (1)")).to_be_visible()
    assert_accessible(page, "the follow-up page after a correction")
    DOCS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(DOCS / "opvolging.png"), full_page=True)
    page.goto(f"{base_url}/ui/casussen")
    expect(page.locator("#wat-loopt-er")).to_have_count(0)
    page.goto(f"{base_url}/ui/beleidsinformatie")  # a consulent: the API's 403
    expect(page.locator("main")).not_to_contain_text("Per trede")
    page.context.clear_cookies()

    # the beleidsmedewerker after: five, in the table, the chart and the CSV
    login(page, base_url, "sleutel-beleid")
    page.goto(f"{base_url}/ui/beleidsinformatie")
    assert cell(page, "opvolging", "Bereikt", "Effecten") == "5"
    assert cell(page, "treden", "Algemene voorziening", "Bereikt") == "5"
    expect(page.locator("#grafiek-treden-desc")).to_contain_text(
        re.compile(r"Algemene voorziening: geadviseerd \(past\) 5, [^;]*bereikt 5;"))
    # every count is published rounded to 5 (small cells "< 5"), and the page says so
    expect(page.locator("#grafiek-treden-desc")).to_contain_text("Aantallen afgerond op 5")
    expect(page.locator(".intro")).to_contain_text("afgerond op een veelvoud van 5")
    expect(page.locator("#grafiek-domeinen-titel")).to_have_count(1)
    # the CSP (style-src 'self') drops inline styles: a chart drawn with them is all black
    assert page.locator("figure.grafiek svg [style], figure.grafiek svg style").count() == 0
    assert page.locator("figure.grafiek svg [fill='#1f4e79']").count() > 0
    assert note not in page.content()
    assert_accessible(page, "the beleidsinformatie page")
    page.screenshot(path=str(DOCS / "beleidsinformatie.png"), full_page=True)
    href = page.locator("#csv-treden").get_attribute("href")
    assert href
    csv = page.request.get(f"{base_url}{href}")
    assert csv.status == 200 and csv.headers["content-type"].startswith("text/csv")
    assert re.search(r"^algemene_voorziening,5,[^,]+,< 5,5,", csv.text(), re.M)

    # a refused filter: the API's reason next to the field, what was typed kept
    page.goto(f"{base_url}/ui/beleidsinformatie?van=2026-12-31&tot=2026-01-01")
    expect(page.locator("#f-tot-fout")).to_contain_text("ligt voor van")
    expect(page.locator("#f-van")).to_have_value("2026-12-31")
    assert_accessible(page, "the beleidsinformatie page with a refused filter")
