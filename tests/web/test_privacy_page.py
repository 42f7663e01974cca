"""The privacy officer in the web page, and the besluit's "niet aangevraagd" (issue 14).

The pages through the app in-process (TestClient; SQLite and PostgreSQL): the officer's
casusoverzicht shows metadata and never content, the erasure takes a grond and an explicit
confirmation and goes through the API's `_wis`, a consulent sees only their own casussen there
and cannot erase another's, and a cross-site post erases nothing. Then in headless Chromium:
the officer's walk with the pasted token (the README's screenshot), and the login at a real
OpenID provider (tests/web/oidc, user `mw-privacy-01`). Invented people only.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from playwright.sync_api import Page, expect
from sqlalchemy import select

from service.app import create_app
from service.db import Verwerking
from service.settings import ApiKey
from tests.api.conftest import (  # noqa: F401  (db_url: the SQLite/PostgreSQL fixture)
    CONSULENT,
    CONSULENT_2,
    db_url,
    dispose,
    example,
    make_settings,
)
from tests.web.conftest import SHOTS, login, unlabelled_controls

PRIVACY = {"Authorization": "Bearer sleutel-privacy"}
PRIVACY_ACTOR = "api-sleutel|privacy-1"
GROND = "Verzoek van de inwoner van 3 maart, art. 17 AVG (invented)."
WORDS = "naar de markt"
"""Words of the scootmobiel casus (its gewenst effect): content a privacy account never sees."""


@pytest.fixture
def service(db_url: str) -> Iterator[tuple[FastAPI, TestClient]]:  # noqa: F811
    """The app with one more API key: the municipality's privacy officer."""
    settings = make_settings(db_url)
    settings = settings.model_copy(update={"api_keys": {
        **settings.api_keys, "sleutel-privacy": ApiKey(rol="privacy", sub="privacy-1")}})
    app = create_app(settings)
    with TestClient(app, raise_server_exceptions=False, follow_redirects=False) as c:
        yield app, c
    dispose(app)


def casus(c: Any, headers: dict[str, str] = CONSULENT) -> str:
    r = c.post("/v1/casussen", json=example("scootmobiel"), headers=headers)
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


def erased(c: Any, casus_id: str, owner: dict[str, str] = CONSULENT) -> dict[str, Any] | None:
    """The casus's erased marker as the owner's API shows it (None: not erased)."""
    r = c.get(f"/v1/casussen/{casus_id}", headers=owner)
    assert r.status_code == 200, r.text
    found: dict[str, Any] | None = r.json()["gewist"]
    return found


def row(html: str, casus_id: str) -> str:
    """The overview's table row of one casus."""
    found = re.search(rf'<tr id="casus-{re.escape(casus_id)}".*?</tr>', html, re.S)
    assert found, f"no row for {casus_id}"
    return found.group(0)


# ── the page, in-process ──────────────────────────────────────────────────────────────────

def test_the_privacy_role_is_a_role_of_the_page(
        service: tuple[FastAPI, TestClient]) -> None:
    _, c = service
    r = c.get("/v1/wie-ben-ik", headers=PRIVACY)
    assert r.status_code == 200 and r.json() == {"rollen": ["privacy"]}
    login_form = c.post("/ui/inloggen", data={"token": "sleutel-privacy"})
    assert login_form.status_code == 303  # the pasted token logs a privacy officer in
    c.cookies.set("ot_sessie", "sleutel-privacy")
    assert c.get("/ui").headers["location"] == "/ui/casusoverzicht"


def test_the_officer_sees_metadata_and_erases_with_a_grond_and_a_confirmation(
        service: tuple[FastAPI, TestClient]) -> None:
    app, c = service
    mine, other = casus(c), casus(c, CONSULENT_2)
    c.cookies.set("ot_sessie", "sleutel-privacy")

    shown = c.get("/ui/casusoverzicht")
    assert shown.status_code == 200, shown.text[:500]
    html = shown.text
    for cid in (mine, other):  # every casus, of any owner, without content
        assert f'href="/ui/casusoverzicht/{cid}/wissen"' in row(html, cid)
    assert "api-sleutel|consulent-1" in row(html, mine)
    assert "api-sleutel|consulent-2" in row(html, other)
    assert WORDS not in html and "scootmobiel" not in html.lower()
    assert 'href="/ui/casusoverzicht"' in html  # its menu: the overview,
    assert 'href="/ui/adviezen"' not in html and 'href="/ui/casussen"' not in html  # no more
    # the content stays the API's to refuse: no casus page for a privacy account
    refused = c.get(f"/ui/casussen/{mine}")
    assert refused.status_code in (403, 404) and WORDS not in refused.text

    # step 1: the grond is required; its refusal stands next to the field
    form = c.get(f"/ui/casusoverzicht/{mine}/wissen")
    assert form.status_code == 200 and 'name="grond"' in form.text
    assert 'name="bevestigd"' not in form.text
    empty = c.post(f"/ui/casusoverzicht/{mine}/wissen", data={"grond": "  "})
    assert empty.status_code == 400 and 'id="grond-fout"' in empty.text
    # step 2: the confirmation repeats casus and grond; nothing is erased yet
    ask = c.post(f"/ui/casusoverzicht/{mine}/wissen", data={"grond": GROND})
    assert ask.status_code == 200 and 'id="definitief-wissen"' in ask.text
    assert 'name="bevestigd" value="ja"' in ask.text and GROND in ask.text
    assert erased(c, mine) is None
    # a grond the API refuses (too short): after the confirmation, next to the field, kept
    short = c.post(f"/ui/casusoverzicht/{mine}/wissen", data={"grond": "kort", "bevestigd": "ja"})
    assert short.status_code == 400 and 'id="grond-fout"' in short.text
    assert ">kort</textarea>" in short.text and erased(c, mine) is None

    # step 3: confirmed, the API erases; the row says so, and when
    done = c.post(f"/ui/casusoverzicht/{mine}/wissen", data={"grond": GROND, "bevestigd": "ja"})
    assert done.status_code == 303
    assert done.headers["location"] == f"/ui/casusoverzicht?gewist={mine}#casus-{mine}"
    marker = erased(c, mine)
    assert marker is not None and marker["door"] == PRIVACY_ACTOR and marker["grond"] == GROND
    after = c.get(done.headers["location"]).text
    assert 'id="wissing-gemeld"' in after
    erased_row = row(after, mine)
    assert "Gewist" in erased_row and marker["tijdstip"][:10] in erased_row
    assert PRIVACY_ACTOR in erased_row and "/wissen" not in erased_row
    assert "/wissen" in row(after, other) and erased(c, other, CONSULENT_2) is None  # only that one
    with app.state.read_sessions() as s:
        logged = s.scalars(select(Verwerking).where(Verwerking.naam == "casus_wissen")).all()
    assert [v.door for v in logged] == [PRIVACY_ACTOR]
    # twice: the API's 409 as the page, nothing changed
    again = c.post(f"/ui/casusoverzicht/{mine}/wissen", data={"grond": GROND, "bevestigd": "ja"})
    assert again.status_code == 409


def test_a_consulent_gets_the_overview_of_their_own_only(
        service: tuple[FastAPI, TestClient]) -> None:
    _, c = service
    mine, other = casus(c), casus(c, CONSULENT_2)
    c.cookies.set("ot_sessie", "sleutel-consulent-2")
    html = c.get("/ui/casusoverzicht").text
    assert f'id="casus-{other}"' in html and f'id="casus-{mine}"' not in html
    refused = c.post(f"/ui/casusoverzicht/{mine}/wissen", data={"grond": GROND,
                                                                "bevestigd": "ja"})
    assert refused.status_code == 404  # the API's words: as if it did not exist
    assert erased(c, mine) is None


def test_a_cross_site_erasure_is_refused(service: tuple[FastAPI, TestClient]) -> None:
    _, c = service
    mine = casus(c)
    c.cookies.set("ot_sessie", "sleutel-privacy")
    r = c.post(f"/ui/casusoverzicht/{mine}/wissen", data={"grond": GROND, "bevestigd": "ja"},
               headers={"Sec-Fetch-Site": "cross-site", "Origin": "https://aanvaller.example"})
    assert r.status_code == 403 and "Verzoek geweigerd" in r.text
    assert erased(c, mine) is None


# ── the besluit: an instrument it does not name reads "niet aangevraagd" ───────────────────

def test_an_instrument_the_besluit_does_not_name_reads_niet_aangevraagd(
        service: tuple[FastAPI, TestClient]) -> None:
    _, c = service
    cid = casus(c)
    made = c.post("/v1/adviezen", json={"casus_id": cid}, headers=CONSULENT)
    assert made.status_code == 201, made.text
    advies = made.json()
    e1 = next(e for e in advies["trace"]["advies"]["effecten"] if e["id"] == "e1")
    instruments = [i["id"] for i in e1["stap4"]["instrumenten"]]
    chosen = next(i["id"] for i in e1["stap4"]["instrumenten"] if i["status"] != "past_niet")
    r = c.post("/v1/besluiten", headers=CONSULENT, json={
        "advies_id": advies["id"], "motivering": "Besproken met de inwoner (invented).",
        "instrumenten": [{"effect": "e1", "instrument": chosen, "uitkomst": "toegekend"}]})
    assert r.status_code == 201, r.text
    absent = [i for i in instruments if i != chosen]
    assert absent

    c.cookies.set("ot_sessie", "sleutel-consulent")
    page = c.get(f"/ui/adviezen/{advies['id']}").text
    current = page.split('id="besluit-huidig"')[1].split("</ul>")[0]
    assert re.search(rf'data-keuze="toegekend" data-instrument="{re.escape(chosen)}"', current)
    for i in absent:  # shown, and not as granted
        assert re.search(rf'data-keuze="niet_aangevraagd" data-instrument="{re.escape(i)}">'
                         r"[^<]*<strong>niet aangevraagd</strong>", current), i

    report = c.get(f"/ui/adviezen/{advies['id']}/rapport").text
    besluiten = report.split('class="besluiten"')[1].split("</td>")[0]
    assert re.search(rf'<code>{re.escape(chosen)}</code> <strong class="uitkomst-besluit">'
                     r"toegekend</strong>", besluiten)
    for i in absent:
        assert re.search(rf'<code>{re.escape(i)}</code> <strong class="uitkomst-besluit">'
                         r"niet aangevraagd</strong> <small>\(niet in het besluit genoemd\)",
                         besluiten), i


# ── in a real browser ──────────────────────────────────────────────────────────────────────

def test_the_privacy_officer_erases_a_casus_in_the_browser(page: Page, base_url: str) -> None:
    with httpx.Client(base_url=base_url, timeout=60) as api:
        cid = casus(api, {"Authorization": "Bearer sleutel-consulent"})
        other = casus(api, {"Authorization": "Bearer sleutel-consulent-2"})
    login(page, base_url, "sleutel-privacy")
    expect(page).to_have_url(f"{base_url}/ui/casusoverzicht")
    expect(page.get_by_role("heading", name="Casusoverzicht")).to_be_visible()
    main = page.locator("main")
    expect(main).not_to_contain_text(WORDS)
    expect(page.get_by_role("navigation", name="Hoofdmenu")).not_to_contain_text("Adviezen")
    assert unlabelled_controls(page) == []

    line = page.locator(f"#casus-{cid}")
    line.get_by_role("link", name=re.compile("Wissen \\(AVG art. 17\\)")).click()
    expect(page.get_by_role("heading", name="Casus wissen (AVG art. 17)")).to_be_visible()
    page.get_by_role("button", name="Verder naar bevestigen").click()
    expect(page.locator("#grond-fout")).to_be_visible()  # the grond is required
    page.get_by_label("Grond van de wissing (verplicht)").fill(GROND)
    page.get_by_role("button", name="Verder naar bevestigen").click()
    expect(page.locator("#bevestig-grond")).to_have_text(GROND)
    page.get_by_role("button", name="Definitief wissen").click()

    expect(page).to_have_url(re.compile(re.escape(f"/ui/casusoverzicht?gewist={cid}")))
    expect(page.locator("#wissing-gemeld")).to_contain_text(cid)
    expect(line.locator("td.wisstand")).to_contain_text("Gewist op")
    expect(line.locator("td.wisstand")).to_contain_text(PRIVACY_ACTOR)
    expect(page.locator(f"#casus-{other} td.wisstand")).to_have_text("In behandeling")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.locator("main").screenshot(path=str(SHOTS / "privacy-overzicht.png"))
    gone = httpx.get(f"{base_url}/v1/casussen/{cid}", timeout=60,
                     headers={"Authorization": "Bearer sleutel-consulent"}).json()
    assert gone["gewist"]["door"] == PRIVACY_ACTOR and gone["gewist"]["grond"] == GROND


