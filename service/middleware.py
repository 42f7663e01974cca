"""Cross-cutting HTTP rules as one pure ASGI middleware (fast, and sees every response).

* W3C trace context: honour `traceparent`, start a span, echo it back;
* body limit (413) before and while reading; content types (415) and `Accept` (406);
* `API-Version`, security headers and CORS (allowlist; `*` for the OpenAPI document);
* one structured log line per request: method, route, status, duration, trace id. Never a body,
  a query string or a casus field (AVG).
"""

from __future__ import annotations

import json
import logging
import re
import secrets
import time
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

API_VERSION = "1.0.0"
OPENAPI_PATH = "/v1/openapi.json"
log = logging.getLogger("service.http")

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

SECURITY_HEADERS = [
    (b"cache-control", b"no-store"),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"strict-transport-security", b"max-age=31536000; includeSubDomains"),
    (b"referrer-policy", b"no-referrer"),
    (b"api-version", API_VERSION.encode()),
]
TRACEPARENT = re.compile(r"^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$")
JSON_TYPES = ("application/json", "application/merge-patch+json")
YAML_TYPES = ("application/yaml", "application/x-yaml", "text/yaml")
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
CSP_API = b"default-src 'none'; frame-ancestors 'none'"
CSP_UI = (b"default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
          b"form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
ACCEPTABLE = ("*/*", "application/*", "application/json", "application/problem+json")
CSV_PATHS = ("/v1/beleidsinformatie",)
"""API paths that also answer in text/csv (every table of the beleidsinformatie)."""
ACCEPTABLE_WEB = ("*/*", "text/*", "text/html", "text/css", "image/*", "application/*",
                  "application/javascript")


def _problem(status: int, title: str, detail: str) -> tuple[bytes, list[tuple[bytes, bytes]]]:
    body = json.dumps({"type": f"https://omgekeerde-toets.example.invalid/problemen/{status}",
                       "title": title, "status": status, "detail": detail},
                      ensure_ascii=False).encode()
    return body, [(b"content-type", b"application/problem+json"),
                  (b"content-length", str(len(body)).encode())]


class TooLarge(Exception):
    pass


class HttpRules:
    def __init__(self, app: ASGIApp, *, max_body: int, cors_origins: list[str]):
        self.app = app
        self.max_body = max_body
        self.cors = set(cors_origins)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        headers = {k.decode("latin-1").lower(): v.decode("latin-1")
                   for k, v in scope.get("headers", [])}
        match = TRACEPARENT.match(headers.get("traceparent", ""))
        trace_id = match.group(1) if match else secrets.token_hex(16)
        parent = match.group(2) if match else None
        span_id = secrets.token_hex(8)
        state = scope.setdefault("state", {})
        state.update(trace_id=trace_id, span_id=span_id, parent_span_id=parent)
        path: str = scope.get("path", "")
        origin = headers.get("origin")
        status_holder = {"status": 500}

        web = path == "/" or path.startswith("/ui")
        extra: list[tuple[bytes, bytes]] = [
            *SECURITY_HEADERS,
            (b"content-security-policy", CSP_UI if web else CSP_API),
            (b"traceparent", f"00-{trace_id}-{span_id}-01".encode()),
        ]
        if path == OPENAPI_PATH:
            extra.append((b"access-control-allow-origin", b"*"))
        elif origin and origin in self.cors:
            extra += [(b"access-control-allow-origin", origin.encode()), (b"vary", b"Origin")]

        async def send_wrapped(message: Message) -> None:
            if message["type"] == "http.response.start":
                status_holder["status"] = message["status"]
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        async def reject(status: int, title: str, detail: str) -> None:
            body, hdrs = _problem(status, title, detail)
            await send_wrapped({"type": "http.response.start", "status": status,
                                "headers": hdrs})
            await send_wrapped({"type": "http.response.body", "body": body})

        try:
            method = scope["method"]
            if method == "OPTIONS" and origin:
                await self._preflight(origin, path, send_wrapped)
                return
            accept = headers.get("accept")
            acceptable = (ACCEPTABLE_WEB if web else
                          (*ACCEPTABLE, "text/csv") if path in CSV_PATHS else ACCEPTABLE)
            if accept and not any(a.split(";")[0].strip() in acceptable
                                  for a in accept.split(",")):
                await reject(406, "Niet aanvaardbaar",
                             "Deze API levert application/json of application/problem+json.")
                return
            length = headers.get("content-length")
            if length and length.isdigit() and int(length) > self.max_body:
                await reject(413, "Verzoek te groot",
                             f"De body is groter dan {self.max_body} bytes.")
                return
            if method in ("POST", "PUT", "PATCH") and (length not in (None, "0")
                                                       or "transfer-encoding" in headers):
                ctype = headers.get("content-type", "").split(";")[0].strip().lower()
                allowed = FORM_TYPES if web else (
                    JSON_TYPES + (YAML_TYPES if path.endswith(("/_valideer", "/_impact")) else ()))
                if ctype not in allowed:
                    await reject(415, "Mediatype niet ondersteund",
                                 f"Gebruik {' of '.join(allowed)} (kreeg '{ctype or 'geen'}').")
                    return
            received = 0

            async def receive_limited() -> Message:
                nonlocal received
                message = await receive()
                if message["type"] == "http.request":
                    received += len(message.get("body", b""))
                    if received > self.max_body:
                        raise TooLarge
                return message

            try:
                await self.app(scope, receive_limited, send_wrapped)
            except TooLarge:
                await reject(413, "Verzoek te groot",
                             f"De body is groter dan {self.max_body} bytes.")
        finally:
            route = scope.get("route")
            log.info("verzoek", extra={
                "methode": scope.get("method"),
                "route": getattr(route, "path", None) or "(geen route)",
                "status": status_holder["status"],
                "duur_ms": round((time.perf_counter() - started) * 1000, 2),
                "trace_id": trace_id,
            })

    async def _preflight(self, origin: str, path: str,
                         send: Callable[[Message], Awaitable[None]]) -> None:
        allowed = path == OPENAPI_PATH or origin in self.cors
        headers = [(b"content-length", b"0")]
        if allowed:
            headers += [(b"access-control-allow-methods", b"GET, POST, PUT, OPTIONS"),
                        (b"access-control-allow-headers",
                         b"authorization, content-type, traceparent"),
                        (b"access-control-max-age", b"600")]
        await send({"type": "http.response.start", "status": 204 if allowed else 403,
                    "headers": headers})
        await send({"type": "http.response.body", "body": b""})
