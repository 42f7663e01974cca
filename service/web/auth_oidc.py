"""Single sign-on for the web page, and the web session it ends in.

**Login** is the OpenID Connect authorization code flow through Authlib's Starlette client, as
the NL GOV Assurance profile for OIDC asks of a relying party: a confidential client, PKCE
with S256, the `openid` scope, and a `state` and `nonce` that are
checked on the way back (Authlib also checks the ID token's signature, `iss`, `aud` and `exp`).
The client authenticates at the token endpoint with a signed client assertion
(`private_key_jwt`, RFC 7523, the profile's preference: the provider holds only our public key)
when `OT_OIDC_CLIENT_KEY` is set, else with its secret (`client_secret_basic`). A provider that
refuses the client (`invalid_client`: a wrong or unregistered key or secret) gets its own page,
since no user can fix it: it names the cause for the functioneel beheerder, not a stack trace.
The provider's **ID token** then becomes the bearer of the page's in-process calls to `/v1`:
it always carries `sub`, its audience is our client id, it is a JWT the API can verify with the
provider's published keys, and the provider puts the role claim in it. (An access token is
often opaque, or meant for another audience.) The API accepts it because the provider is one of
its issuers, derived from the OIDC settings in `OidcInstellingen.api_issuer`.

**Session.** One cookie, `ot_sessie`: `HttpOnly`, `SameSite=Lax` (the provider sends the browser
back with a cross-site GET, which must carry the login attempt), `Secure` whenever the service is
reached over https. Its value is sealed with Fernet (AES-CBC + HMAC-SHA256, from `cryptography`):
the browser can neither read the token in it nor forge or alter one. Sealing rather than a
server-side session table keeps it simple: nothing is stored, and every worker opens every
cookie, because they all derive the same key (`OT_SESSIE_SLEUTEL`, else the client secret or
the client's private key, each through HKDF; with none, a random key per process, so sessions
end at a restart). The session
ends at the token's `exp`. The login attempt itself (state, nonce, PKCE verifier) lives the same
way, sealed, in a second cookie that is gone after the callback.

The "paste a token" form (`OT_UI_TOKEN_LOGIN`) ends in the same sealed session. Where that form
is enabled, a cookie holding a bare token is also taken as the token: whoever holds a token may
paste it anyway. Who may do what is still decided by the API (service/toegang.py).
"""

from __future__ import annotations

import base64
import json
import logging
import time
import warnings
from typing import Any

import httpx
import jwt
from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import RedirectResponse, Response

from service.settings import ClientKey, OidcInstellingen, Settings
from service.web.api_client import Api

with warnings.catch_warnings():
    # Authlib announces a move from httpx to "httpx2"; httpx is what this project uses. Its
    # own "always" filter comes first, ours on top of it.
    import authlib.deprecate  # noqa: F401
    warnings.filterwarnings("ignore", message=".*httpx module is deprecated")
    from authlib.integrations.base_client.errors import MismatchingStateError
    from authlib.integrations.starlette_client import OAuth, OAuthError
    from authlib.oauth2.rfc7523 import PrivateKeyJWT

log = logging.getLogger("service.web.sso")
router = APIRouter(include_in_schema=False)

COOKIE = "ot_sessie"
LOGIN_COOKIE = "ot_inlogpoging"
LOGIN_PATH = "/ui/inloggen"
LOGIN_TTL_S = 600
"""How long a started login may take at the provider."""
TOKEN_LOGIN_TTL_S = 8 * 3600
"""An API key has no `exp`: a pasted key's session lasts a working day."""
MAX_COOKIE = 4000
"""Browsers keep cookies up to about 4 KB; a larger sealed session is refused with a message."""
PROVIDER = "gemeente"


# ── startup ────────────────────────────────────────────────────────────────────────────────

def discover(oidc: OidcInstellingen, attempts: int = 3) -> dict[str, Any]:
    """The provider's discovery document, read once at start (a few tries, the provider may be
    starting too). Without it the service does not start: it could not check a token."""
    last: Exception | None = None
    for attempt in range(attempts):
        try:
            r = httpx.get(oidc.discovery_url, timeout=10, headers={"Accept": "application/json"})
            r.raise_for_status()
            metadata: dict[str, Any] = r.json()
            return metadata
        except (httpx.HTTPError, ValueError) as exc:
            last = exc
            time.sleep(1 + attempt)
    raise RuntimeError(f"OT_OIDC_ISSUER: de discovery {oidc.discovery_url} is niet te lezen "
                       f"({type(last).__name__})")


def with_api_issuer(settings: Settings) -> Settings:
    """The settings with the OIDC provider added to the API's issuers (derived, never
    configured twice); unchanged without OIDC."""
    if settings.oidc is None:
        return settings
    metadata = discover(settings.oidc)
    offered = metadata.get("token_endpoint_auth_methods_supported")
    method = settings.oidc.client_auth_method
    if isinstance(offered, list) and method not in offered:
        setting = "OT_OIDC_CLIENT_KEY" if method == "private_key_jwt" else "OT_OIDC_CLIENT_SECRET"
        raise ValueError(f"{setting}: de inlogdienst biedt {method} niet aan "
                         f"(token_endpoint_auth_methods_supported: {', '.join(map(str, offered))})")
    issuer = settings.oidc.api_issuer(metadata)
    if any(i.iss == issuer.iss for i in settings.jwt_issuers):
        raise ValueError(f"OT_JWT_ISSUERS noemt {issuer.iss} al; die volgt uit OT_OIDC_*: "
                         "laat hem daar weg")
    return settings.model_copy(update={"jwt_issuers": [*settings.jwt_issuers, issuer]})


def _fernet(settings: Settings) -> Fernet:
    if settings.sessie_sleutel is not None:
        secret = settings.sessie_sleutel.get_secret_value().encode()
    elif settings.oidc is not None and settings.oidc.client_secret is not None:
        secret = settings.oidc.client_secret.get_secret_value().encode()
    elif settings.oidc is not None and settings.oidc.sleutel is not None:
        secret = _private_bytes(settings.oidc.sleutel)
    else:
        log.info("Geen OT_SESSIE_SLEUTEL: websessies eindigen bij een herstart en gelden per "
                 "proces (zet hem bij meer dan één worker).")
        return Fernet(Fernet.generate_key())
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None,
               info=b"omgekeerde-toets ot_sessie").derive(secret)
    return Fernet(base64.urlsafe_b64encode(key))


def _private_bytes(sleutel: ClientKey) -> bytes:
    from cryptography.hazmat.primitives import serialization

    raw: bytes = sleutel.key.private_bytes(serialization.Encoding.DER,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption())
    return raw


class SignedClientAssertion(PrivateKeyJWT):  # type: ignore[misc]
    """Authlib's private_key_jwt, signed with PyJWT and the key read at start, so that an EC
    key works as well as an RSA one and the header names the registered `kid`. The assertion
    (iss = sub = client id, aud = the token endpoint, a fresh jti, five minutes) is what
    RFC 7523 section 3 asks."""

    def __init__(self, sleutel: ClientKey):
        super().__init__(alg=sleutel.alg, headers={"kid": sleutel.kid})
        self._sleutel = sleutel

    def sign(self, auth: Any, token_endpoint: str) -> str:
        import uuid

        issued = int(time.time())
        return jwt.encode({"iss": auth.client_id, "sub": auth.client_id, "aud": token_endpoint,
                           "jti": uuid.uuid4().hex, "iat": issued, "exp": issued + 300},
                          self._sleutel.key, algorithm=self._sleutel.alg,
                          headers={"kid": self._sleutel.kid})


def install(app: FastAPI) -> None:
    """Give the app its session sealer and, with OIDC configured, its Authlib client; register
    the login routes. Called once by the app factory."""
    settings: Settings = app.state.settings
    app.state.sessie = _fernet(settings)
    app.state.oidc_client = None
    oidc = settings.oidc
    if oidc is not None:
        credentials: dict[str, Any] = (
            {"client_secret": oidc.client_secret.get_secret_value()}
            if oidc.client_secret is not None
            else {"client_auth_methods": [SignedClientAssertion(oidc.sleutel)]}
            if oidc.sleutel is not None else {})
        oauth = OAuth()
        oauth.register(PROVIDER, client_id=oidc.client_id,
                       server_metadata_url=oidc.discovery_url,
                       client_kwargs={"scope": oidc.scopes,
                                      "code_challenge_method": "S256",
                                      "token_endpoint_auth_method": oidc.client_auth_method,
                                      "timeout": 10},
                       **credentials)
        app.state.oidc_client = oauth.create_client(PROVIDER)
    app.include_router(router)


# ── the sealed cookies ─────────────────────────────────────────────────────────────────────

def _seal(request: Request, data: dict[str, Any]) -> str:
    fernet: Fernet = request.app.state.sessie
    return fernet.encrypt(json.dumps(data, separators=(",", ":")).encode()).decode()


def _unseal(request: Request, value: str | None) -> dict[str, Any] | None:
    if not value:
        return None
    fernet: Fernet = request.app.state.sessie
    try:
        data = json.loads(fernet.decrypt(value.encode()))
    except (InvalidToken, ValueError):
        return None
    return data if isinstance(data, dict) else None


def secure(request: Request) -> bool:
    """`Secure` whenever the browser reaches us over https (directly, or as the redirect URL
    says behind a proxy); plain http only in a local or test set-up."""
    oidc = request.app.state.settings.oidc
    return request.url.scheme == "https" or (oidc is not None
                                             and oidc.redirect_url.startswith("https://"))


def _session(request: Request) -> dict[str, Any] | None:
    data = _unseal(request, request.cookies.get(COOKIE))
    if data is None or not isinstance(data.get("token"), str):
        return None
    if float(data.get("exp", 0)) <= time.time():
        return None
    return data


def session_token(request: Request) -> str | None:
    """The bearer token of this browser's session, or None (none, expired, or not ours)."""
    data = _session(request)
    if data is not None:
        token: str = data["token"]
        return token
    raw = request.cookies.get(COOKIE)
    if raw and request.app.state.settings.ui_token_login and _unseal(request, raw) is None:
        return raw
    return None


def token_expiry(token: str) -> float:
    """When a pasted token's session ends: its own `exp` (a JWT; the API checks the rest), else
    a working day (an API key)."""
    try:
        exp = jwt.decode(token, options={"verify_signature": False}).get("exp")
    except jwt.PyJWTError:
        exp = None
    limit = time.time() + TOKEN_LOGIN_TTL_S
    return min(float(exp), limit) if isinstance(exp, int | float) else limit


def start_session(request: Request, response: Response, token: str, exp: float,
                  bron: str) -> bool:
    """Put the sealed session on `response`; False when it would not fit in a cookie."""
    value = _seal(request, {"token": token, "exp": exp, "bron": bron})
    if len(value) > MAX_COOKIE:
        return False
    response.set_cookie(COOKIE, value, max_age=max(1, int(exp - time.time())), path="/ui",
                        httponly=True, samesite="lax", secure=secure(request))
    return True


def end_session(request: Request, response: Response) -> None:
    response.delete_cookie(COOKIE, path="/ui", httponly=True, samesite="lax",
                           secure=secure(request))


async def provider_logout_url(request: Request) -> str | None:
    """The provider's `end_session_endpoint` for this OIDC session (so the provider's own
    session ends too, and it sends the browser back to our login page), or None: no OIDC
    session, or the provider offers no such endpoint or cannot be reached."""
    data = _session(request)
    client = request.app.state.oidc_client
    oidc: OidcInstellingen | None = request.app.state.settings.oidc
    if not data or data.get("bron") != "oidc" or client is None or oidc is None:
        return None
    try:
        if not (await client.load_server_metadata()).get("end_session_endpoint"):
            return None
        result = await client.create_logout_url(
            post_logout_redirect_uri=_origin(oidc.redirect_url) + LOGIN_PATH,
            id_token_hint=data["token"], client_id=oidc.client_id)
    except (httpx.HTTPError, RuntimeError, ValueError):
        log.warning("uitloggen bij de inlogdienst niet mogelijk; de sessie hier is beëindigd")
        return None
    url: str = result["url"]
    return url


def _origin(url: str) -> str:
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


# ── the routes ─────────────────────────────────────────────────────────────────────────────

def _refuse(request: Request, status: int, title: str, detail: str) -> Response:
    from service.web.routes import page  # routes imports this module for the session

    response = page(request, "fout.html", status, probleem={"title": title, "detail": detail})
    response.delete_cookie(LOGIN_COOKIE, path=LOGIN_PATH, httponly=True, samesite="lax",
                           secure=secure(request))
    return response


@router.get("/ui/inloggen/oidc")
async def begin(request: Request) -> Response:
    """Send the browser to the provider; the attempt's state, nonce and PKCE verifier go in a
    sealed, short-lived cookie. A link (GET), not a form: the pages' CSP `form-action 'self'`
    stops a form whose redirect leaves the site, and starting a login changes nothing here."""
    client = request.app.state.oidc_client
    oidc: OidcInstellingen | None = request.app.state.settings.oidc
    if client is None or oidc is None:
        return _refuse(request, 404, "Geen inlogdienst",
                       "Inloggen via de inlogdienst van de gemeente is hier niet ingericht.")
    request.scope["session"] = {}
    try:
        redirect: Response = await client.authorize_redirect(request, oidc.redirect_url)
    except (httpx.HTTPError, OAuthError, RuntimeError) as exc:
        log.warning("inlogdienst niet bereikbaar: %s", type(exc).__name__)
        return _refuse(request, 503, "Inlogdienst niet bereikbaar",
                       f"{oidc.naam} antwoordt nu niet. Probeer het over een paar minuten "
                       "opnieuw.")
    redirect.set_cookie(LOGIN_COOKIE, _seal(request, request.scope["session"]),
                        max_age=LOGIN_TTL_S, path=LOGIN_PATH, httponly=True, samesite="lax",
                        secure=secure(request))
    return redirect


@router.get("/ui/inloggen/terug")
async def finish(request: Request) -> Response:
    """The provider's answer: check state (and the `iss` of RFC 9207 when sent), exchange the
    code with the PKCE verifier, check the ID token and its nonce, ask the API who this is,
    and only then start the session."""
    client = request.app.state.oidc_client
    oidc: OidcInstellingen | None = request.app.state.settings.oidc
    if client is None or oidc is None:
        return _refuse(request, 404, "Geen inlogdienst",
                       "Inloggen via de inlogdienst van de gemeente is hier niet ingericht.")
    iss = request.query_params.get("iss")
    if iss is not None and iss.rstrip("/") != oidc.issuer:
        return _refuse(request, 400, "Inloggen geweigerd",
                       "Het antwoord komt van een andere inlogdienst dan die van de gemeente.")
    request.scope["session"] = _unseal(request, request.cookies.get(LOGIN_COOKIE)) or {}
    try:
        answer: dict[str, Any] = await client.authorize_access_token(request)
    except MismatchingStateError:
        return _refuse(request, 400, "Inloggen geweigerd",
                       "Het antwoord van de inlogdienst hoort niet bij een inlogpoging van deze "
                       "browser (state), of de poging is verlopen. Log opnieuw in.")
    except OAuthError as exc:
        if exc.error == "invalid_client":
            log.warning("de inlogdienst weigert deze client (invalid_client): klopt %s met wat "
                        "daar geregistreerd is?",
                        "OT_OIDC_CLIENT_KEY" if oidc.client_secret is None
                        else "OT_OIDC_CLIENT_SECRET")
            return _refuse(request, 502, "Inlogdienst weigert deze toepassing",
                           f"U bent bij {oidc.naam} ingelogd, maar {oidc.naam} weigert de "
                           "Omgekeerde Toets zelf: de sleutel of het geheim waarmee deze "
                           "toepassing zich meldt, klopt niet met wat daar geregistreerd is "
                           "(invalid_client). Dit ligt niet aan uw account; meld het aan uw "
                           "functioneel beheerder.")
        log.info("inloggen mislukt bij de inlogdienst: %s", exc.error)
        return _refuse(request, 401, "Inloggen mislukt",
                       f"{oidc.naam} heeft het inloggen niet bevestigd ({exc.error}).")
    except (httpx.HTTPError, ValueError) as exc:
        log.warning("code inwisselen mislukt: %s", type(exc).__name__)
        return _refuse(request, 502, "Inloggen mislukt",
                       f"{oidc.naam} gaf geen geldig antwoord. Probeer het opnieuw.")
    id_token = answer.get("id_token")
    claims = answer.get("userinfo") or {}
    if not isinstance(id_token, str) or "exp" not in claims:
        return _refuse(request, 502, "Inloggen mislukt",
                       f"{oidc.naam} gaf geen ID-token terug.")
    async with Api(request.app, id_token) as api:
        who = await api.get("/v1/wie-ben-ik")
    if who.status_code == 403:
        return _refuse(request, 403, "Geen rol voor de Omgekeerde Toets",
                       f"U bent ingelogd bij {oidc.naam}, maar uw account heeft geen rol in de "
                       f"Omgekeerde Toets ({_role_names(oidc)}; claim "
                       f"'{oidc.rollen_claim}'). Vraag uw functioneel beheerder om een rol.")
    if who.status_code != 200:
        return _refuse(request, 401, "Inloggen mislukt",
                       f"Het token van {oidc.naam} wordt niet aanvaard "
                       f"({who.json().get('detail', who.status_code)}).")
    response = RedirectResponse("/ui", status_code=303)
    response.delete_cookie(LOGIN_COOKIE, path=LOGIN_PATH, httponly=True, samesite="lax",
                           secure=secure(request))
    if not start_session(request, response, id_token, float(claims["exp"]), "oidc"):
        return _refuse(request, 502, "Inloggen mislukt",
                       f"Het ID-token van {oidc.naam} is te groot voor een sessiecookie.")
    return response


def _role_names(oidc: OidcInstellingen) -> str:
    """What the role claim must hold, in the words of the no-role page: the mapped groups
    (`OT_OIDC_ROLLEN`), else our role names (the privacy role included: its officer has the
    casusoverzicht page, issue 14)."""
    from service.settings import ROLLEN

    if oidc.rollen:
        return "een van de groepen " + ", ".join(sorted(oidc.rollen))
    names = list(ROLLEN)
    return ", ".join(names[:-1]) + " of " + names[-1]
