"""The besluit in the page and the archive (issue 14, "Besluiten and the dossier"). The forms
through the app in-process (TestClient; SQLite and PostgreSQL), and one walk in headless
Chromium: a consulent records the college's besluit (per instrument toegekend, afgewezen or
niet aangevraagd, sent as each instrument's `uitkomst`), meets the API's demand for a
motivering next to the field, and sees it in the dossier report. Invented people only."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from playwright.sync_api import Page, expect

from service.app import create_app
from tests.api.conftest import (  # noqa: F401  (db_url: the SQLite/PostgreSQL fixture)
    AUDITOR,
    CONSULENT,
    db_url,
    dispose,
    example,
    make_settings,
)
from tests.web.conftest import login, shot, unlabelled_controls


@pytest.fixture
def client(db_url: str) -> Iterator[TestClient]:  # noqa: F811
    app = create_app(make_settings(db_url))
    with TestClient(app, raise_server_exceptions=False, follow_redirects=False) as c:
        c.cookies.set("ot_sessie", "sleutel-consulent")
        yield c
    dispose(app)


def advies_on_casus(c: Any, headers: dict[str, str] = CONSULENT) -> dict[str, Any]:
    casus = c.post("/v1/casussen", json=example("scootmobiel"), headers=headers).json()
    r = c.post("/v1/adviezen", json={"casus_id": casus["id"]}, headers=headers)
    assert r.status_code == 201, r.text
    found: dict[str, Any] = r.json()
    return found


def pick(advies: dict[str, Any]) -> tuple[str, str]:
    """(an instrument the advies judged past_niet, one it did not) for effect e1."""
    e1 = next(e for e in advies["trace"]["advies"]["effecten"] if e["id"] == "e1")
    niet = next(i["id"] for i in e1["stap4"]["instrumenten"] if i["status"] == "past_niet")
    wel = next(i["id"] for i in e1["stap4"]["instrumenten"] if i["status"] != "past_niet")
    return niet, wel


def past(advies: dict[str, Any]) -> str:
    """An instrument the advies judged past for effect e1: refusing it needs a motivering."""
    e1 = next(e for e in advies["trace"]["advies"]["effecten"] if e["id"] == "e1")
    return str(next(i["id"] for i in e1["stap4"]["instrumenten"] if i["status"] == "past"))


def fid(instrument: str) -> str:
    return "bk-e1-" + instrument.replace(".", "-")


def test_recording_a_besluit_errors_next_to_the_field_then_correction(
        client: TestClient) -> None:
    c = client
    advies = advies_on_casus(c)
    aid = advies["id"]
    niet, wel = pick(advies)
    weg = past(advies)
    shown = c.get(f"/ui/adviezen/{aid}")
    assert shown.status_code == 200
    assert 'id="besluit-formulier"' in shown.text and "Nog geen besluit" in shown.text
    assert f'name="keuze:e1:{niet}"' in shown.text and f'id="{fid(niet)}-m"' in shown.text
    assert f'id="{fid(weg)}-m"' in shown.text and f'id="{fid(wel)}-m"' not in shown.text

    # the besluit departs from the advies without a motivering (granting what does not fit,
    # refusing what does): the API's errors, next to those instruments' fields, and
    # everything typed is still there
    form = {f"keuze:e1:{niet}": "toegekend", f"keuze:e1:{wel}": "afgewezen",
            f"keuze:e1:{weg}": "afgewezen",
            "motivering": "Besproken met de inwoner (invented).",
            "zaak_url": "https://zaken.gemeente.example/zaak/123"}
    refused = c.post(f"/ui/adviezen/{aid}/besluit", data=form)
    assert refused.status_code == 400, refused.text[:500]
    html = refused.text
    error = re.search(rf'<p class="veldfout" id="{fid(niet)}-m-fout">([^<]*)</p>', html)
    assert error and "niet past" in error.group(1)
    assert f'aria-describedby="{fid(niet)}-m-fout"' in html
    error = re.search(rf'<p class="veldfout" id="{fid(weg)}-m-fout">([^<]*)</p>', html)
    assert error and "toch is afgewezen" in error.group(1)
    assert f'id="{fid(wel)}-m-fout"' not in html  # refusing voorwaardelijk departs from nothing
    assert "Besproken met de inwoner (invented)." in html
    assert 'value="https://zaken.gemeente.example/zaak/123"' in html
    assert re.search(rf'name="keuze:e1:{niet}">.*?<option value="toegekend" selected>', html)
    assert re.search(rf'name="keuze:e1:{wel}">.*?<option value="afgewezen" selected>', html)
    assert c.get(f"/v1/besluiten?adviesId={aid}", headers=CONSULENT).json()[
        "pagina"]["totaal"] == 0

    # a bad zaak URL and an empty motivering: each next to its own field
    bad = c.post(f"/ui/adviezen/{aid}/besluit", data={
        f"keuze:e1:{wel}": "toegekend", "motivering": "", "zaak_url": "geen url"})
    assert bad.status_code == 400
    assert 'id="besluit-motivering-fout"' in bad.text and 'id="besluit-zaak-fout"' in bad.text

    form[f"motivering:e1:{niet}"] = "De inwoner kan het zelf niet regelen (invented)."
    form[f"motivering:e1:{weg}"] = "Er is al een cliëntondersteuner (invented)."
    made = c.post(f"/ui/adviezen/{aid}/besluit", data=form)
    assert made.status_code == 303, made.text[:500]
    assert made.headers["location"] == f"/ui/adviezen/{aid}?besluit=vastgelegd#besluit"
    stored = c.get(f"/v1/besluiten?adviesId={aid}", headers=CONSULENT).json()["besluiten"]
    assert len(stored) == 1
    # structured: each decided instrument with its uitkomst, in the advies' order; the ones
    # left niet aangevraagd are not sent; the motivering is the text as typed
    assert sorted((i["effect"], i["instrument"], i["uitkomst"], i["motivering"])
                  for i in stored[0]["instrumenten"]) == sorted([
        ("e1", niet, "toegekend", "De inwoner kan het zelf niet regelen (invented)."),
        ("e1", wel, "afgewezen", None),
        ("e1", weg, "afgewezen", "Er is al een cliëntondersteuner (invented).")])
    assert stored[0]["zaak_url"] == "https://zaken.gemeente.example/zaak/123"
    assert stored[0]["motivering"] == "Besproken met de inwoner (invented)."

    # the page shows the besluit in force, and offers the correction prefilled
    page = c.get(f"/ui/adviezen/{aid}?besluit=vastgelegd").text
    assert "Besluit vastgelegd." in page and 'id="besluit-huidig"' in page
    assert re.search(rf'data-keuze="toegekend" data-instrument="{re.escape(niet)}"', page)
    assert re.search(rf'data-keuze="afgewezen" data-instrument="{re.escape(wel)}"', page)
    assert re.search(rf'data-keuze="afgewezen" data-instrument="{re.escape(weg)}"', page)
    assert f'name="vervangt" value="{stored[0]["id"]}"' in page
    assert re.search(rf'name="keuze:e1:{wel}">.*?<option value="afgewezen" selected>', page)
    assert re.search(rf'name="keuze:e1:{weg}">.*?<option value="afgewezen" selected>', page)
    assert re.search(rf'name="keuze:e1:{niet}">.*?<option value="toegekend" selected>', page)
    assert "Er is al een cliëntondersteuner (invented).</textarea>" in page
    assert "Correctie vastleggen" in page
    assert "Afgewezen (per instrument)" not in page

    # the dossier report lists each instrument with its uitkomst
    report = c.get(f"/ui/adviezen/{aid}/rapport").text
    assert "Besluit versie 1" in report and "Besproken met de inwoner (invented)." in report
    assert re.search(rf'<code>{re.escape(weg)}</code> <strong class="uitkomst-besluit">'
                     r"afgewezen</strong> — Er is al een cliëntondersteuner", report)
    assert re.search(rf'<code>{re.escape(niet)}</code> <strong class="uitkomst-besluit">'
                     r"toegekend</strong>", report)
    assert "Afgewezen (per instrument)" not in report

    # a correction: a new version that names the old one; the old one stays
    corrected = c.post(f"/ui/adviezen/{aid}/besluit", data={
        f"keuze:e1:{wel}": "toegekend", "motivering": "Toch eerst dit (invented).",
        "vervangt": stored[0]["id"]})
    assert corrected.status_code == 303, corrected.text[:500]
    both = c.get(f"/v1/besluiten?adviesId={aid}", headers=CONSULENT).json()["besluiten"]
    newest = next(b for b in both if b["versie"] == 2)
    assert newest["vervangt"] == stored[0]["id"]
    assert [i["instrument"] for i in newest["instrumenten"]] == [wel]
    page = c.get(f"/ui/adviezen/{aid}").text
    assert "Besluit versie 2" in page and "1 eerdere versie bewaard" in page
    # correcting the replaced version again is the API's 409, shown on the page
    stale = c.post(f"/ui/adviezen/{aid}/besluit", data={
        f"keuze:e1:{wel}": "toegekend", "motivering": "Oude versie (invented).",
        "vervangt": stored[0]["id"]})
    assert stale.status_code == 409 and "al vervangen" in stale.text
    assert "Oude versie (invented)." in stale.text

    # the auditor sees the besluit, not the form
    c.cookies.set("ot_sessie", "sleutel-auditor")
    audit = c.get(f"/ui/adviezen/{aid}").text
    assert 'id="besluit-huidig"' in audit and 'id="besluit-formulier"' not in audit


def test_no_instrument_decided_says_what_the_api_needs_and_refusal_alone_is_a_besluit(
        client: TestClient) -> None:
    advies = advies_on_casus(client)
    r = client.post(f"/ui/adviezen/{advies['id']}/besluit",
                    data={"motivering": "Niets nodig (invented)."})
    assert r.status_code == 400
    assert 'id="besluit-fouten"' in r.text and "minstens één instrument" in r.text
    assert "Niets nodig (invented)." in r.text
    # a besluit that only refuses is recorded
    _, wel = pick(advies)
    r = client.post(f"/ui/adviezen/{advies['id']}/besluit", data={
        f"keuze:e1:{wel}": "afgewezen", "motivering": "Niets nodig (invented)."})
    assert r.status_code == 303, r.text[:500]
    page = client.get(f"/ui/adviezen/{advies['id']}").text
    assert re.search(rf'data-keuze="afgewezen" data-instrument="{re.escape(wel)}"', page)


def test_a_besluit_from_before_shows_its_closing_line_as_text(client: TestClient) -> None:
    """Before, the page wrote the refused instruments into the motivering; such a besluit is
    shown as it was, its instruments (no uitkomst stored: the API says toegekend) too."""
    advies = advies_on_casus(client)
    _, wel = pick(advies)
    old = ("Besproken (invented).\n\nAfgewezen (per instrument): Cliëntondersteuning "
           "(wmo.clientondersteuning, e1)")
    r = client.post("/v1/besluiten", headers=CONSULENT, json={
        "advies_id": advies["id"], "motivering": old,
        "instrumenten": [{"effect": "e1", "instrument": wel}]})
    assert r.status_code == 201, r.text
    page = client.get(f"/ui/adviezen/{advies['id']}").text
    assert "Afgewezen (per instrument): Cliëntondersteuning (wmo.clientondersteuning, e1)" \
        in page.split('id="besluit-huidig"')[1].split("</div>")[0]
    assert re.search(rf'data-keuze="toegekend" data-instrument="{re.escape(wel)}"', page)
    assert "(wmo.clientondersteuning, e1)</textarea>" in page  # the correction keeps it


def test_archive_through_the_pages(client: TestClient) -> None:
    c = client
    advies = advies_on_casus(c)
    cid, aid = advies["casus_id"], advies["id"]
    _, wel = pick(advies)
    page = c.get(f"/ui/casussen/{cid}").text
    assert 'id="archiveren"' in page
    assert f'href="/ui/casussen/{cid}"' in c.get("/ui/casussen").text

    r = c.post(f"/ui/casussen/{cid}/archiveer")
    assert r.status_code == 303 and r.headers["location"].startswith("/ui/casussen")
    assert f'href="/ui/casussen/{cid}"' not in c.get("/ui/casussen").text
    assert 'href="/ui/archief"' in c.get("/ui/casussen").text
    archive = c.get("/ui/archief")
    assert archive.status_code == 200 and f'href="/ui/casussen/{cid}"' in archive.text
    page = c.get(f"/ui/casussen/{cid}").text
    assert "Gearchiveerd op" in page and 'id="dearchiveren"' in page
    assert 'id="archiveren"' not in page

    # a besluit on an archived casus: the API's 409 above the form, nothing typed lost
    refused = c.post(f"/ui/adviezen/{aid}/besluit", data={
        f"keuze:e1:{wel}": "toegekend", "motivering": "Archief-test (invented)."})
    assert refused.status_code == 409
    assert "gearchiveerd" in refused.text and "Archief-test (invented)." in refused.text
    # making an advies: the API's problem page
    assert c.post(f"/ui/casussen/{cid}/advies").status_code == 409

    back = c.post(f"/ui/casussen/{cid}/dearchiveer")
    assert back.status_code == 303 and back.headers["location"] == f"/ui/casussen/{cid}"
    assert f'href="/ui/casussen/{cid}"' in c.get("/ui/casussen").text
    assert f'href="/ui/casussen/{cid}"' not in c.get("/ui/archief").text


# ── in a real browser ──────────────────────────────────────────────────────────────────────

def test_recording_a_besluit_in_the_browser(page: Page, base_url: str) -> None:
    with httpx.Client(base_url=base_url, timeout=60) as api:
        advies = advies_on_casus(api, {"Authorization": "Bearer sleutel-consulent"})
    niet, wel = pick(advies)
    weg = past(advies)
    login(page, base_url, "sleutel-consulent")
    page.goto(f"{base_url}/ui/adviezen/{advies['id']}#besluit")
    form = page.locator("#besluit-formulier")
    expect(form).to_be_visible()
    assert unlabelled_controls(page) == []
    page.locator(f"#{fid(niet)}").select_option("toegekend")
    page.locator(f"#{fid(wel)}").select_option("afgewezen")
    page.locator(f"#{fid(weg)}").select_option("afgewezen")
    page.get_by_label("Motivering van het besluit").fill("Besproken met de inwoner (invented).")
    page.get_by_role("button", name="Besluit vastleggen").click()

    # the API's demands, next to the instruments' own fields; nothing typed lost
    expect(page.locator(f"#{fid(niet)}-m-fout")).to_contain_text("niet past")
    expect(page.locator(f"#{fid(weg)}-m-fout")).to_contain_text("toch is afgewezen")
    expect(page.get_by_label("Motivering van het besluit")).to_have_value(
        "Besproken met de inwoner (invented).")
    expect(page.locator(f"#{fid(niet)}")).to_have_value("toegekend")
    expect(page.locator(f"#{fid(wel)}")).to_have_value("afgewezen")
    page.locator(f"#{fid(niet)}-m").fill("De inwoner kan het zelf niet regelen (invented).")
    page.locator(f"#{fid(weg)}-m").fill("Er is al een cliëntondersteuner (invented).")
    shot(page, "besluit-1-motivering-gevraagd", "#besluit")
    page.get_by_role("button", name="Besluit vastleggen").click()

    expect(page.locator("#besluit-vastgelegd")).to_have_text("Besluit vastgelegd.")
    current = page.locator("#besluit-huidig")
    expect(current).to_contain_text("Besluit versie 1")
    expect(current.locator(f"li[data-instrument='{niet}']")).to_contain_text("toegekend")
    expect(current.locator(f"li[data-instrument='{wel}']")).to_contain_text("afgewezen")
    expect(current.locator(f"li[data-instrument='{weg}']")).to_contain_text(
        "afgewezen — Er is al een cliëntondersteuner (invented).")
    shot(page, "besluit-2-vastgelegd", "#besluit")
    page.get_by_role("link", name="Rapport voor het dossier").first.click()
    expect(page.locator("td.besluiten")).to_contain_text("Besproken met de inwoner (invented).")
    expect(page.locator("td.besluiten")).to_contain_text(f"{weg} afgewezen")
