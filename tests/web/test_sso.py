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
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from fastapi.testclient import TestClient
from playwright.sync_api import Browser, BrowserContext, Page, expect

from service import launch
from service.app import create_app
from service.settings import ApiKey, OidcInstellingen, Settings, load_client_key
from service.web.csrf import refusal

OIDC_DIR = Path(__file__).resolve().parent / "oidc"
PG_URL = os.environ.get("OT_TEST_POSTGRES_URL")
CLIENT_SECRET = "test-geheim-van-de-client"
IDP_NAAM = "Proefdorp ID"
CONSULENT, AUDITOR, ZONDER_ROL = "mw-consulent-01", "mw-auditor-01", "mw-zonder-rol"
GROEP_CONSULENT = "mw-groep-consulent-01"
"""Holds the groups `ot-consulenten` and `ot-iedereen`, not our role names."""
SLEUTEL_CLIENT = "omgekeerde-toets-sleutel"
"""The provider's second client: private_key_jwt."""
ROLLEN = "ot-consulenten=consulent, ot-auditors=auditor"


# ── the OpenID provider and the service ────────────────────────────────────────────────────

@pytest.fixture(scope="session")
def service_port() -> int:
    """The service's port is chosen first: the provider must know the redirect URI."""
    return launch.free_port()


@pytest.fixture(scope="session")
def key_ports() -> tuple[int, int]:
    """The ports of the private_key_jwt services: with the registered key, with a wrong one."""
    return launch.free_port(), launch.free_port()


def write_key(path: Path, key: ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey) -> Path:
    path.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                       serialization.PrivateFormat.PKCS8,
                                       serialization.NoEncryption()))
    return path


@pytest.fixture(scope="session")
def client_keys(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The client's private key (EC P-256; its public key is registered at the provider) and
    a wrong one (RSA, registered nowhere)."""
    folder = tmp_path_factory.mktemp("sleutels")
    return (write_key(folder / "client.pem", ec.generate_private_key(ec.SECP256R1())),
            write_key(folder / "verkeerd.pem",
                      rsa.generate_private_key(public_exponent=65537, key_size=2048)))


@pytest.fixture(scope="session")
def oidc_issuer(service_port: int, key_ports: tuple[int, int], client_keys: tuple[Path, Path],
                tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real OpenID provider on a free port (`npm ci` first when node_modules is missing)."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if not node or not npm:
        pytest.fail("node and npm are needed for the single sign-on tests")
    if not (OIDC_DIR / "node_modules" / "oidc-provider").is_dir():
        subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=OIDC_DIR, check=True,
                       timeout=300)
    port = launch.free_port()
    services = [f"http://127.0.0.1:{p}" for p in (service_port, *key_ports)]
    jwks = {"keys": [load_client_key(client_keys[0], None).jwk]}
    env = {**os.environ, "OIDC_PORT": str(port), "OIDC_CLIENT_SECRET": CLIENT_SECRET,
           "OIDC_REDIRECT_URI": " ".join(f"{s}/ui/inloggen/terug" for s in services),
           "OIDC_POST_LOGOUT_URI": " ".join(f"{s}/ui/inloggen" for s in services),
           "OIDC_CLIENT_JWKS": json.dumps(jwks)}
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
    with launch.live_server(database, log=folder / "server.log", extra_env=env,
                            port=service_port) as url:
        yield url


@contextmanager
def key_service(oidc_issuer: str, port: int, key: Path, folder: Path) -> Iterator[str]:
    """The service as the private_key_jwt client (no secret), mapping group names to roles;
    SQLite only: what differs is the login, not the storage."""
    env = {"OT_OIDC_ISSUER": oidc_issuer, "OT_OIDC_CLIENT_ID": SLEUTEL_CLIENT,
           "OT_OIDC_CLIENT_KEY": str(key), "OT_OIDC_SCOPES": "openid rollen",
           "OT_OIDC_REDIRECT_URL": f"http://127.0.0.1:{port}/ui/inloggen/terug",
           "OT_OIDC_ROLLEN": ROLLEN, "OT_OIDC_NAAM": IDP_NAAM, "OT_UI_TOKEN_LOGIN": "0",
           "OT_PAKKETTESTS_BIJ_START": "false"}
    with pytest.MonkeyPatch.context() as mp:
        mp.delenv("OT_OIDC_CLIENT_SECRET", raising=False)
        with launch.live_server(f"sqlite:///{folder / 'ot.sqlite3'}", log=folder / "server.log",
                                extra_env=env, port=port) as url:
            yield url


@pytest.fixture(scope="module")
def key_url(oidc_issuer: str, key_ports: tuple[int, int], client_keys: tuple[Path, Path],
            tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with key_service(oidc_issuer, key_ports[0], client_keys[0],
                     tmp_path_factory.mktemp("sleutel")) as url:
        yield url


@pytest.fixture(scope="module")
def wrong_key_url(oidc_issuer: str, key_ports: tuple[int, int], client_keys: tuple[Path, Path],
                  tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with key_service(oidc_issuer, key_ports[1], client_keys[1],
                     tmp_path_factory.mktemp("verkeerd")) as url:
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


# ── private_key_jwt and group names (issue 14) ─────────────────────────────────────────────

def test_private_key_jwt_login_with_a_mapped_group(context: BrowserContext, key_url: str
                                                   ) -> None:
    """No secret is configured: the code is exchanged with a client assertion signed with the
    registered key, and the group `ot-consulenten` is the role consulent."""
    page = context.new_page()
    login_at_provider(page, key_url, GROEP_CONSULENT)
    expect(page).to_have_url(f"{key_url}/ui/casussen")
    expect(page.get_by_role("heading", name="Mijn casussen")).to_be_visible()
    assert session_cookie(context) is not None
    page.goto(f"{key_url}/ui/casussen/nieuw?voorbeeld=scootmobiel")
    page.get_by_role("button", name="Casus opslaan").click()
    expect(page.get_by_role("heading", name="Stap 1 · Gewenste effecten")).to_be_visible()


def test_with_a_mapping_an_unmapped_value_is_no_role(context: BrowserContext, key_url: str
                                                     ) -> None:
    """`consulent` is our role's name, but not a group of the mapping: no role."""
    page = context.new_page()
    login_at_provider(page, key_url, CONSULENT)
    expect(page.get_by_role("heading", name="Geen rol voor de Omgekeerde Toets")).to_be_visible()
    expect(page.locator("main")).to_contain_text("ot-auditors, ot-consulenten")
    assert session_cookie(context) is None


def test_a_wrong_client_key_is_refused_and_said_clearly(context: BrowserContext,
                                                        wrong_key_url: str) -> None:
    page = context.new_page()
    with page.expect_response(lambda r: "/ui/inloggen/terug?" in r.url) as answer:
        login_at_provider(page, wrong_key_url, GROEP_CONSULENT)
    assert answer.value.status == 502
    expect(page.get_by_role("heading", name="Inlogdienst weigert deze toepassing")
           ).to_be_visible()
    main = page.locator("main")
    expect(main).to_contain_text("invalid_client")
    expect(main).to_contain_text("Dit ligt niet aan uw account")
    assert "Traceback" not in page.content()
    assert session_cookie(context) is None
    page.goto(f"{wrong_key_url}/ui/casussen")
    expect(page).to_have_url(f"{wrong_key_url}/ui/inloggen")


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


def oidc_env(monkeypatch: pytest.MonkeyPatch, **extra: str) -> None:
    """A complete OIDC configuration in the environment, plus `extra`."""
    for key in [k for k in os.environ if k.startswith("OT_")]:
        monkeypatch.delenv(key)
    for key, value in {"OT_OIDC_ISSUER": "https://idp.proefdorp.example",
                       "OT_OIDC_CLIENT_ID": "omgekeerde-toets",
                       "OT_OIDC_REDIRECT_URL": "https://ot.proefdorp.example/ui/inloggen/terug",
                       **extra}.items():
        monkeypatch.setenv(key, value)


def test_role_mapping_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    oidc_env(monkeypatch, OT_OIDC_CLIENT_SECRET="geheim",
             OT_OIDC_ROLLEN=" groep-a=consulent,groep-b = auditor,/ot/fg=privacy ")
    oidc = Settings.from_env().oidc
    assert oidc is not None
    assert oidc.rollen == {"groep-a": "consulent", "groep-b": "auditor", "/ot/fg": "privacy"}
    issuer = oidc.api_issuer({"issuer": oidc.issuer, "jwks_uri": f"{oidc.issuer}/jwks"})
    assert issuer.rollen_vertaling == oidc.rollen  # the API maps the same way
    monkeypatch.delenv("OT_OIDC_ROLLEN")
    assert Settings.from_env().oidc.rollen == {}  # type: ignore[union-attr]  # names as ours
    for wrong, words in (("groep-a", "'groep-a' is geen 'groep=rol'"),
                         ("groep-a=consulent,", "'' is geen 'groep=rol'"),
                         ("=consulent", "geen 'groep=rol'"),
                         ("groep-a=baas", "'baas' is geen rol"),
                         ("groep-a=consulent,groep-a=auditor", "twee keer")):
        monkeypatch.setenv("OT_OIDC_ROLLEN", wrong)
        with pytest.raises(ValueError, match="OT_OIDC_ROLLEN") as info:
            Settings.from_env()
        assert words in str(info.value), wrong


def test_client_key_setting(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from joserfc.jwk import ECKey, RSAKey  # Authlib's own JOSE library: an independent kid

    rsa_key = write_key(tmp_path / "rsa.pem",
                        rsa.generate_private_key(public_exponent=65537, key_size=2048))
    ec_key = write_key(tmp_path / "ec.pem", ec.generate_private_key(ec.SECP256R1()))
    oidc_env(monkeypatch, OT_OIDC_CLIENT_KEY=str(rsa_key))
    oidc = Settings.from_env().oidc
    assert oidc is not None and oidc.client_secret is None
    assert oidc.client_auth_method == "private_key_jwt" and oidc.sleutel is not None
    assert oidc.sleutel.alg == "RS256"
    assert oidc.sleutel.kid == RSAKey.import_key(rsa_key.read_bytes()).thumbprint()
    assert "d" not in oidc.sleutel.jwk and oidc.sleutel.jwk["kid"] == oidc.sleutel.kid
    ec_oidc = load_client_key(ec_key, None)
    assert ec_oidc.alg == "ES256"
    assert ec_oidc.kid == ECKey.import_key(ec_key.read_bytes()).thumbprint()
    monkeypatch.setenv("OT_OIDC_CLIENT_KEY_ID", "sleutel-2026")
    assert Settings.from_env().oidc.sleutel.kid == "sleutel-2026"  # type: ignore[union-attr]

    # the session key is derived from the client key: every worker opens every cookie
    from service.web.auth_oidc import _fernet

    settings = Settings.from_env()
    sealed = _fernet(settings).encrypt(b"sessie")
    assert _fernet(Settings.from_env()).decrypt(sealed) == b"sessie"

    monkeypatch.setenv("OT_OIDC_CLIENT_SECRET", "geheim")
    with pytest.raises(ValueError, match="precies één van OT_OIDC_CLIENT_SECRET"):
        Settings.from_env()  # both: which one would the provider expect?
    monkeypatch.delenv("OT_OIDC_CLIENT_SECRET")
    monkeypatch.delenv("OT_OIDC_CLIENT_KEY")
    with pytest.raises(ValueError, match="precies één van OT_OIDC_CLIENT_SECRET"):
        Settings.from_env()  # neither
    monkeypatch.delenv("OT_OIDC_CLIENT_KEY_ID")
    (tmp_path / "tekst.pem").write_text("geen sleutel")
    short = write_key(tmp_path / "kort.pem",
                      rsa.generate_private_key(public_exponent=65537, key_size=1024))
    for path, words in ((tmp_path / "weg.pem", "niet te lezen"),
                        (tmp_path / "tekst.pem", "geen PEM-privésleutel"),
                        (short, "minstens 2048 bits")):
        monkeypatch.setenv("OT_OIDC_CLIENT_KEY", str(path))
        with pytest.raises(ValueError, match="OT_OIDC_CLIENT_KEY") as info:
            Settings.from_env()
        assert words in str(info.value)
        assert "PRIVATE KEY" not in str(info.value)


def test_the_start_refuses_a_method_the_provider_does_not_offer(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from service.web import auth_oidc

    key = write_key(tmp_path / "ec.pem", ec.generate_private_key(ec.SECP256R1()))
    oidc_env(monkeypatch, OT_OIDC_CLIENT_KEY=str(key))
    settings = Settings.from_env()
    methods = ["client_secret_basic"]
    metadata = {"issuer": "https://idp.proefdorp.example",
                "jwks_uri": "https://idp.proefdorp.example/jwks",
                "token_endpoint_auth_methods_supported": methods}
    monkeypatch.setattr(auth_oidc, "discover", lambda oidc: metadata)
    with pytest.raises(ValueError, match="OT_OIDC_CLIENT_KEY: de inlogdienst biedt "
                                         "private_key_jwt niet aan"):
        auth_oidc.with_api_issuer(settings)
    methods.append("private_key_jwt")
    assert auth_oidc.with_api_issuer(settings).jwt_issuers[-1].aud == "omgekeerde-toets"


def test_the_privacy_officer_logs_in_at_the_provider(context: BrowserContext,
                                                     sso_url: str) -> None:
    """Issue 14: the privacy officer (`mw-privacy-01`, role claim `privacy`) lands on the
    casusoverzicht, the only page that role has."""
    page = context.new_page()
    login_at_provider(page, sso_url, "mw-privacy-01")
    expect(page).to_have_url(f"{sso_url}/ui/casusoverzicht")
    expect(page.get_by_role("heading", name="Casusoverzicht")).to_be_visible()
