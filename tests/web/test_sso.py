"""Single sign-on for the web page (issue 14), end to end: a real OpenID provider (node's
`oidc-provider`, tests/web/oidc/) started by the tests, the real service, headless Chromium.

Plus the parts that need no browser: the settings, the sealed session and the CSRF rule."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from playwright.sync_api import Browser, BrowserContext, Page, expect

from service import launch
from service.app import create_app
from service.settings import ApiKey, OidcInstellingen, Settings
from service.web.csrf import refusal

OIDC_DIR = Path(__file__).resolve().parent / "oidc"
PG_URL = os.environ.get("OT_TEST_POSTGRES_URL")
CLIENT_SECRET = "test-geheim-van-de-client"
IDP_NAAM = "Proefdorp ID"
CONSULENT, AUDITOR, ZONDER_ROL = "mw-consulent-01", "mw-auditor-01", "mw-zonder-rol"


# ── the OpenID provider and the service ────────────────────────────────────────────────────

@pytest.fixture(scope="session")
def service_port() -> int:
    """The service's port is chosen first: the provider must know the redirect URI."""
    return launch.free_port()


@pytest.fixture(scope="session")
def oidc_issuer(service_port: int, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real OpenID provider on a free port (`npm ci` first when node_modules is missing)."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if not node or not npm:
        pytest.fail("node and npm are needed for the single sign-on tests")
    if not (OIDC_DIR / "node_modules" / "oidc-provider").is_dir():
        subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=OIDC_DIR, check=True,
                       timeout=300)
    port = launch.free_port()
    service = f"http://127.0.0.1:{service_port}"
    env = {**os.environ, "OIDC_PORT": str(port), "OIDC_CLIENT_SECRET": CLIENT_SECRET,
           "OIDC_REDIRECT_URI": f"{service}/ui/inloggen/terug",
           "OIDC_POST_LOGOUT_URI": f"{service}/ui/inloggen"}
    log = open(tmp_path_factory.mktemp("oidc") / "provider.log", "wb")  # noqa: SIM115
    proc = subprocess.Popen([node, "provider.js"], cwd=OIDC_DIR, env=env, stdout=log,
                            stderr=subprocess.STDOUT)
    issuer = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                if httpx.get(f"{issuer}/.well-known/openid-configuration",
                             timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if proc.poll() is not None:
                pytest.fail(f"oidc-provider stopped with {proc.returncode}")
            time.sleep(0.1)
        else:
            pytest.fail("oidc-provider did not answer its discovery")
        yield issuer
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        log.close()


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def sso_url(request: pytest.FixtureRequest, oidc_issuer: str, service_port: int,
            tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The service with single sign-on and the token form off, on SQLite and PostgreSQL."""
    folder = tmp_path_factory.mktemp("sso")
    if request.param == "sqlite":
        database = f"sqlite:///{folder / 'ot.sqlite3'}"
    elif PG_URL:
        from tests.api.conftest import reset_postgres

        reset_postgres(PG_URL)
        database = PG_URL
    else:
        pytest.skip("OT_TEST_POSTGRES_URL not set")
    env = {"OT_OIDC_ISSUER": oidc_issuer, "OT_OIDC_CLIENT_ID": "omgekeerde-toets",
           "OT_OIDC_CLIENT_SECRET": CLIENT_SECRET, "OT_OIDC_SCOPES": "openid rollen",
           "OT_OIDC_REDIRECT_URL": f"http://127.0.0.1:{service_port}/ui/inloggen/terug",
           "OT_OIDC_NAAM": IDP_NAAM, "OT_UI_TOKEN_LOGIN": "0",
           "OT_PAKKETTESTS_BIJ_START": "false"}
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(launch, "free_port", lambda: service_port)
        with launch.live_server(database, log=folder / "server.log", extra_env=env) as url:
            yield url


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    ctx = browser.new_context(viewport={"width": 1280, "height": 900}, locale="nl-NL")
    ctx.route("**/fonts.googleapis.com/**", lambda route: route.abort())  # provider's dev CSS
    yield ctx
    ctx.close()


def session_cookie(context: BrowserContext) -> dict[str, object] | None:
    return next((dict(c) for c in context.cookies() if c["name"] == "ot_sessie"), None)


def login_at_provider(page: Page, sso_url: str, who: str) -> None:
    """From a page of the service to the provider's own login form and back."""
    page.goto(f"{sso_url}/ui/casussen")
    expect(page).to_have_url(f"{sso_url}/ui/inloggen")
    page.get_by_role("link", name=f"Inloggen bij {IDP_NAAM}").click()
    page.locator("input[name='login']").fill(who)
    page.locator("input[name='password']").fill("niet-gecontroleerd")
    page.get_by_role("button", name="Sign-in").click()


# ── the walk ───────────────────────────────────────────────────────────────────────────────

def test_consulent_logs_in_at_the_provider_works_and_logs_out(context: BrowserContext,
                                                              sso_url: str) -> None:
    page = context.new_page()
    page.goto(f"{sso_url}/ui/inloggen")
    # with OIDC and the token form off, the provider is the only way in
    expect(page.get_by_role("link", name=f"Inloggen bij {IDP_NAAM}")).to_be_visible()
    expect(page.get_by_label("Token of API-sleutel")).to_have_count(0)

    login_at_provider(page, sso_url, CONSULENT)
    expect(page).to_have_url(f"{sso_url}/ui/casussen")
    expect(page.get_by_role("heading", name="Mijn casussen")).to_be_visible()

    cookie = session_cookie(context)
    assert cookie is not None
    assert cookie["httpOnly"] is True and cookie["sameSite"] == "Lax"
    assert cookie["secure"] is False  # plain http in the test; Secure over https
    assert "eyJ" not in str(cookie["value"])  # sealed: no readable JWT in it
    assert 3500 < float(str(cookie["expires"])) - time.time() <= 3600  # the ID token's exp
    assert not [c for c in context.cookies() if c["name"] == "ot_inlogpoging"]

    # a form works: the CSRF check lets a same-site POST through
    page.goto(f"{sso_url}/ui/casussen/nieuw?voorbeeld=scootmobiel")
    page.get_by_role("button", name="Casus opslaan").click()
    expect(page.get_by_role("heading", name="Stap 1 · Gewenste effecten")).to_be_visible()
    page.goto(f"{sso_url}/ui/casussen")
    expect(page.locator("main")).to_contain_text("naar de markt")

    with page.expect_response(f"{sso_url}/ui/uitloggen") as answer:
        page.get_by_role("button", name="Uitloggen").click()
    assert answer.value.status == 200 and "/session/end" in answer.value.headers["refresh"]
    assert session_cookie(context) is None  # gone at once, before the provider's own page
    page.get_by_role("button", name="Yes, sign me out").click()  # the provider's session too
    expect(page).to_have_url(re.compile(re.escape(f"{sso_url}/ui/inloggen") + r"(\?state=.*)?$"))
    # the provider's session is gone as well: logging in again asks for the login again
    page.get_by_role("link", name=f"Inloggen bij {IDP_NAAM}").click()
    expect(page.locator("input[name='login']")).to_be_visible()
    page.goto(f"{sso_url}/ui/casussen")
    expect(page).to_have_url(f"{sso_url}/ui/inloggen")


def test_auditor_lands_on_the_adviezen(context: BrowserContext, sso_url: str) -> None:
    page = context.new_page()
    login_at_provider(page, sso_url, AUDITOR)
    expect(page).to_have_url(f"{sso_url}/ui/adviezen")
    expect(page.get_by_role("navigation", name="Hoofdmenu")).not_to_contain_text("Casussen")


def test_a_user_without_a_role_gets_a_clear_page(context: BrowserContext, sso_url: str) -> None:
    page = context.new_page()
    login_at_provider(page, sso_url, ZONDER_ROL)
    expect(page.get_by_role("heading", name="Geen rol voor de Omgekeerde Toets")).to_be_visible()
    expect(page.locator("main")).to_contain_text("claim 'rollen'")
    assert session_cookie(context) is None


def test_a_wrong_state_is_refused(context: BrowserContext, sso_url: str) -> None:
    """The provider's real answer to one login attempt arrives after this browser started
    another: its `state` is not the one of the attempt this browser holds. No session."""
    first = context.new_page()
    first.goto(f"{sso_url}/ui/inloggen")
    first.get_by_role("link", name=f"Inloggen bij {IDP_NAAM}").click()
    expect(first.locator("input[name='login']")).to_be_visible()
    second = context.new_page()  # a second attempt replaces the first one's state
    second.goto(f"{sso_url}/ui/inloggen")
    second.get_by_role("link", name=f"Inloggen bij {IDP_NAAM}").click()
    expect(second.locator("input[name='login']")).to_be_visible()

    with first.expect_response(lambda r: "/ui/inloggen/terug?" in r.url) as answer:
        first.locator("input[name='login']").fill(CONSULENT)
        first.locator("input[name='password']").fill("niet-gecontroleerd")
        first.get_by_role("button", name="Sign-in").click()
    assert answer.value.status == 400
    expect(first.get_by_role("heading", name="Inloggen geweigerd")).to_be_visible()
    expect(first.locator("main")).to_contain_text("(state)")
    assert session_cookie(context) is None
    first.goto(f"{sso_url}/ui/casussen")
    expect(first).to_have_url(f"{sso_url}/ui/inloggen")


def test_a_cross_site_form_post_is_refused(context: BrowserContext, sso_url: str) -> None:
    """Another site's page posts a form to ours while the consulent is logged in."""
    page = context.new_page()
    login_at_provider(page, sso_url, CONSULENT)
    expect(page).to_have_url(f"{sso_url}/ui/casussen")
    before = page.locator("main").inner_text()
    attack = (f"<!doctype html><html lang='en'><title>x</title><body>"
              f"<form method='post' action='{sso_url}/ui/casussen/nieuw'>"
              f"<input name='g0.omschrijving' value='aanval'></form>"
              f"<script>document.forms[0].submit()</script></body></html>")
    context.route("http://aanvaller.example/**",
                  lambda route: route.fulfill(status=200, content_type="text/html", body=attack))
    with page.expect_response(f"{sso_url}/ui/casussen/nieuw") as answer:
        page.goto("http://aanvaller.example/pagina")
    assert answer.value.status == 403
    expect(page.get_by_role("heading", name="Verzoek geweigerd")).to_be_visible()
    page.goto(f"{sso_url}/ui/casussen")
    assert page.locator("main").inner_text() == before  # nothing was stored


# ── without a browser ──────────────────────────────────────────────────────────────────────

@pytest.mark.parametrize(("headers", "refused"), [
    ({"sec-fetch-site": "cross-site", "origin": "https://aanvaller.example"}, True),
    ({"sec-fetch-site": "same-site", "origin": "https://sub.ot.example"}, True),
    ({"sec-fetch-site": "cross-site", "origin": "null"}, True),  # a sandboxed frame
    ({"origin": "https://aanvaller.example"}, True),
    ({"origin": "null"}, True),
    ({"referer": "https://aanvaller.example/x"}, True),
    ({"sec-fetch-site": "same-origin", "origin": "null"}, False),  # no-referrer, same page
    ({"sec-fetch-site": "same-origin", "origin": "https://ot.example"}, False),
    ({"origin": "https://ot.example"}, False),
    ({"referer": "https://ot.example/ui/casussen"}, False),
    ({}, False),  # not a browser: no cookie of a victim to abuse
])
def test_csrf_rule(headers: dict[str, str], refused: bool) -> None:
    assert (refusal({"host": "ot.example", **headers}) is not None) is refused


def _app(tmp_path: Path, **settings: object) -> TestClient:
    app = create_app(Settings(database_url=f"sqlite:///{tmp_path / 'ot.sqlite3'}",
                              api_keys={"sleutel-c": ApiKey(rol="consulent", sub="c-1")},
                              pakkettests_bij_start=False, **settings))
    return TestClient(app, raise_server_exceptions=False)


def test_every_unsafe_ui_request_is_checked_before_its_handler(tmp_path: Path) -> None:
    with _app(tmp_path) as c:
        c.cookies.set("ot_sessie", "sleutel-c")
        cross = {"Sec-Fetch-Site": "cross-site", "Origin": "https://aanvaller.example"}
        for path in ("/ui/casussen/nieuw", "/ui/uitloggen", "/ui/inloggen",
                     "/ui/adviezen/x/herhaal", "/ui/bestaat-niet"):
            r = c.post(path, data={"token": "sleutel-c"}, headers=cross, follow_redirects=False)
            assert r.status_code == 403, path
            assert "Verzoek geweigerd" in r.text and r.headers["content-type"].startswith(
                "text/html")
        # the API itself is not a form target: bearer tokens, no cookies
        assert c.post("/v1/casussen", json={}, headers=cross).status_code != 403
        same = {"Sec-Fetch-Site": "same-origin", "Origin": "null"}
        assert c.post("/ui/uitloggen", headers=same, follow_redirects=False).status_code == 303


def test_the_session_is_sealed_and_ends_at_exp(tmp_path: Path) -> None:
    with _app(tmp_path, ui_token_login=False) as c:
        login = c.get("/ui/inloggen").text
        assert 'name="token"' not in login and "niet ingericht" in login
        fernet = c.app.state.sessie  # type: ignore[attr-defined]
        alive = json.dumps({"token": "sleutel-c", "exp": time.time() + 60, "bron": "token"})
        c.cookies.set("ot_sessie", fernet.encrypt(alive.encode()).decode())
        assert c.get("/ui", follow_redirects=False).headers["location"] == "/ui/casussen"
        dead = json.dumps({"token": "sleutel-c", "exp": time.time() - 1, "bron": "token"})
        c.cookies.set("ot_sessie", fernet.encrypt(dead.encode()).decode())
        assert c.get("/ui", follow_redirects=False).headers["location"] == "/ui/inloggen"
        # with the token form off, a cookie the browser wrote itself is nothing
        c.cookies.set("ot_sessie", "sleutel-c")
        assert c.get("/ui", follow_redirects=False).headers["location"] == "/ui/inloggen"
        r = c.post("/ui/inloggen", data={"token": "sleutel-c"}, follow_redirects=False)
        assert r.status_code == 403 and "ot_sessie" not in r.headers.get("set-cookie", "")


def test_the_token_form_seals_its_session(tmp_path: Path) -> None:
    with _app(tmp_path, ui_token_login=True) as c:
        assert "Inloggen met een token staat aan" in c.get("/ui/inloggen").text  # says so
        r = c.post("/ui/inloggen", data={"token": "sleutel-c"}, follow_redirects=False)
        assert r.status_code == 303
        cookie = r.headers["set-cookie"]
        assert "sleutel-c" not in cookie
        assert "httponly" in cookie.lower() and "samesite=lax" in cookie.lower()
        assert c.get("/ui", follow_redirects=False).headers["location"] == "/ui/casussen"


def test_oidc_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    for key in [k for k in os.environ if k.startswith("OT_")]:
        monkeypatch.delenv(key)
    assert Settings.from_env().ui_token_login is True  # local keys: the form stays, says so
    monkeypatch.setenv("OT_OIDC_ISSUER", "https://idp.proefdorp.example/")
    with pytest.raises(ValueError, match="client_id"):
        Settings.from_env()  # half an OIDC configuration is an error, not a silent fallback
    monkeypatch.setenv("OT_OIDC_CLIENT_ID", "omgekeerde-toets")
    monkeypatch.setenv("OT_OIDC_CLIENT_SECRET", "geheim")
    monkeypatch.setenv("OT_OIDC_REDIRECT_URL", "https://ot.proefdorp.example/ui/inloggen/terug")
    s = Settings.from_env()
    assert s.oidc is not None and s.oidc.issuer == "https://idp.proefdorp.example"
    assert not s.lokale_sleutels and not s.api_keys and s.ui_token_login is False
    monkeypatch.setenv("OT_UI_TOKEN_LOGIN", "1")
    assert Settings.from_env().ui_token_login is True
    monkeypatch.setenv("OT_UI_TOKEN_LOGIN", "misschien")
    with pytest.raises(ValueError, match="OT_UI_TOKEN_LOGIN"):
        Settings.from_env()
    monkeypatch.setenv("OT_UI_TOKEN_LOGIN", "0")
    monkeypatch.setenv("OT_OIDC_SCOPES", "profile")
    with pytest.raises(ValueError, match="openid"):
        Settings.from_env()
    monkeypatch.setenv("OT_OIDC_SCOPES", "openid rollen")
    monkeypatch.setenv("OT_OIDC_REDIRECT_URL", "https://ot.proefdorp.example/terug")
    with pytest.raises(ValueError, match="/ui/inloggen/terug"):
        Settings.from_env()


def test_the_api_issuer_is_derived_from_discovery() -> None:
    oidc = OidcInstellingen(issuer="https://idp.proefdorp.example", client_id="ot",
                            client_secret="geheim",
                            redirect_url="https://ot.proefdorp.example/ui/inloggen/terug",
                            rollen_claim="groepen")
    issuer = oidc.api_issuer({"issuer": "https://idp.proefdorp.example",
                              "jwks_uri": "https://idp.proefdorp.example/jwks",
                              "id_token_signing_alg_values_supported": ["HS256", "ES256"]})
    assert (issuer.iss, issuer.aud, issuer.jwks_url, issuer.algorithms, issuer.rollen_claim) == (
        "https://idp.proefdorp.example", "ot", "https://idp.proefdorp.example/jwks", ["ES256"],
        "groepen")
    with pytest.raises(ValueError, match="discovery noemt issuer"):
        oidc.api_issuer({"issuer": "https://ander.example", "jwks_uri": "https://x/jwks"})
