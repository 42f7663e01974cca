"""Browser tests: the real service (uvicorn) and Debian's Chromium driven by Playwright.

`playwright install` cannot download here, so the browser is `/usr/bin/chromium` (installed by
`.ci/run`). Screenshots of every step go to $OT_SCREENSHOTS (default: artefacts/screenshots).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from service.launch import KEYS, live_server
from tests.api.conftest import PG_URL, reset_postgres

CHROMIUM = os.environ.get("OT_CHROMIUM", "/usr/bin/chromium")
SHOTS = Path(os.environ.get("OT_SCREENSHOTS", Path(__file__).resolve().parents[2]
                            / "artefacts" / "screenshots"))
WEB_KEYS = {**KEYS, "sleutel-consulent-2": {"rol": "consulent", "sub": "consulent-2"},
            "sleutel-privacy": {"rol": "privacy", "sub": "privacy-1"}}
"""The live servers' API keys: the launcher's, a second consulent, and the municipality's
privacy officer (issue 14: the casusoverzicht page)."""
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="session", autouse=True)
def token_login_enabled() -> Iterator[None]:
    """The browser tests log in by pasting an API key: that form exists only when it is
    explicitly enabled (`OT_UI_TOKEN_LOGIN`), so the live servers started here enable it.
    The single sign-on tests (test_sso.py) switch it off for their own server."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("OT_UI_TOKEN_LOGIN", "1")
        yield


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def base_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
             ) -> Iterator[str]:
    """The live service on the embedded default (SQLite) and on PostgreSQL (`.ci/run` sets
    OT_TEST_POSTGRES_URL; each module starts from an empty schema)."""
    folder = tmp_path_factory.mktemp("web")
    if request.param == "sqlite":
        db = f"sqlite:///{folder / 'ot.sqlite3'}"
    else:
        if not PG_URL:
            pytest.skip("OT_TEST_POSTGRES_URL is not set (CI sets it; see "
                        "scripts/postgres-start.sh)")
        reset_postgres(PG_URL)
        db = PG_URL
    with live_server(db, log=folder / "server.log",
                     extra_env={"OT_API_KEYS": json.dumps(WEB_KEYS)}) as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM} (apt-get install chromium)")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="nl-NL")
    pg = context.new_page()
    yield pg
    context.close()


def shot(page: Page, name: str, selector: str | None = None, full: bool = True) -> Path:
    """Screenshot of the page, or of one part of it (keeps the images readable and small)."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.jpg"
    if selector:
        page.locator(selector).first.screenshot(path=str(path), type="jpeg", quality=75)
    else:
        page.screenshot(path=str(path), full_page=full, type="jpeg", quality=70)
    return path


def login(page: Page, base_url: str, token: str) -> None:
    page.goto(f"{base_url}/ui/inloggen")
    page.get_by_label("Token of API-sleutel").fill(token)
    page.get_by_role("button", name="Inloggen").click()


def unlabelled_controls(page: Page) -> list[str]:
    """Every visible form control must have a label (WCAG 1.3.1 / 4.1.2)."""
    result: list[str] = page.evaluate("""() => [...document.querySelectorAll(
        'input:not([type=hidden]), select, textarea')]
        .filter(c => c.labels.length === 0 && !c.closest('fieldset'))
        .map(c => c.name || c.id)""")
    return result
