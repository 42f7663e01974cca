"""CSRF protection for every form of the web page, in one place.

A pure ASGI middleware in front of every unsafe request (POST, PUT, PATCH, DELETE) to `/ui/…`:
it refuses, with a 403 page and before any handler runs, a request that a browser says came from
another site. So no template needs a hidden token, and a new form is covered the day it is added.

What a browser tells us, strongest first:
* `Sec-Fetch-Site` (every current browser): `cross-site` and `same-site` (a sibling host, which
  may belong to someone else) are refused; `same-origin` and `none` pass.
* `Origin`: when it names an origin, its host must be this request's `Host`. `Origin: null` is
  what a same-origin form sends under our `Referrer-Policy: no-referrer`, but also what a
  sandboxed cross-site frame sends: it passes only when `Sec-Fetch-Site` vouches for it.
* `Referer` (older browsers, when there is no `Origin`): its host must be this `Host`.
A request with none of these does not come from a browser carrying a victim's cookie (the
session cookie is `SameSite=Lax` besides), so it passes: the API checks its token as always.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any
from urllib.parse import urlsplit

from starlette.requests import Request

from service.web.routes import page

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

SAFE = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})


def _host(url: str) -> str | None:
    try:
        return urlsplit(url).netloc.lower() or None
    except ValueError:
        return None


def refusal(headers: dict[str, str]) -> str | None:
    """Why this unsafe request is refused as cross-site, or None when it may go on."""
    host = headers.get("host", "").lower()
    fetch_site = headers.get("sec-fetch-site", "").lower()
    if fetch_site in ("cross-site", "same-site"):
        return f"Sec-Fetch-Site: {fetch_site}"
    origin = headers.get("origin")
    if origin is not None:
        if origin.strip() == "null":
            return None if fetch_site in ("same-origin", "none") else "Origin: null"
        return None if _host(origin) == host else "Origin van een andere site"
    referer = headers.get("referer")
    if referer is not None and _host(referer) != host:
        return "Referer van een andere site"
    return None


class CsrfGuard:
    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (scope["type"] != "http" or scope["method"] in SAFE
                or not (scope["path"] == "/ui" or scope["path"].startswith("/ui/"))):
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1")
                   for k, v in scope.get("headers", [])}
        if refusal(headers) is None:
            await self.app(scope, receive, send)
            return
        response = page(Request(scope, receive), "fout.html", 403, probleem={
            "title": "Verzoek geweigerd",
            "detail": "Dit formulier is verstuurd vanaf een andere website dan de Omgekeerde "
                      "Toets. Om u te beschermen is het niet uitgevoerd. Open de pagina opnieuw "
                      "via de Omgekeerde Toets en probeer het nog eens."})
        await response(scope, receive, send)
