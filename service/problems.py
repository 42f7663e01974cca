"""Errors as `application/problem+json` (RFC 9457), as the NL API Design Rules require.

Every 4xx/5xx has `type`, `title`, `status`, `detail`; input errors are 400 (not FastAPI's 422),
a valid casus on a peildatum the rule base does not cover is 422 (`CoverageError`); both
list every problem in `invalidParams` with the field path (`name`) and a reason.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from engine import CasusError, CoverageError, PackError, Problem
from engine.casus import dutch_message

log = logging.getLogger("service")

TITLES = {
    400: "Ongeldige invoer", 401: "Niet geauthenticeerd", 403: "Geen toegang",
    404: "Niet gevonden", 405: "Methode niet toegestaan", 406: "Niet aanvaardbaar",
    409: "Conflict", 413: "Verzoek te groot", 415: "Mediatype niet ondersteund",
    422: "Niet te beoordelen", 429: "Te veel verzoeken",
    500: "Interne fout", 503: "Niet beschikbaar",
}


class ApiProblem(Exception):
    """Raised by routes; rendered as problem+json."""

    def __init__(self, status: int, detail: str, *, invalid: list[dict[str, str]] | None = None,
                 headers: dict[str, str] | None = None, extra: dict[str, Any] | None = None):
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.invalid = invalid
        self.headers = headers or {}
        self.extra = extra or {}


def problem_response(status: int, detail: str, *, invalid: list[dict[str, str]] | None = None,
                     headers: dict[str, str] | None = None,
                     extra: dict[str, Any] | None = None) -> JSONResponse:
    body: dict[str, Any] = {
        "type": f"https://omgekeerde-toets.example.invalid/problemen/{status}",
        "title": TITLES.get(status, "Fout"),
        "status": status,
        "detail": detail,
    }
    if invalid:
        body["invalidParams"] = invalid
    if extra:
        body.update(extra)
    return JSONResponse(body, status_code=status, headers=headers,
                        media_type="application/problem+json")


def invalid_from_problems(problems: list[Problem], prefix: str = "") -> list[dict[str, str]]:
    out = []
    for p in problems:
        item = {"name": prefix + p.pad, "code": "invalid", "reason": p.melding}
        if p.bestand:
            item["bestand"] = p.bestand
            item["regel"] = str(p.regel)
            item["kolom"] = str(p.kolom)
        out.append(item)
    return out


def _loc(loc: tuple[Any, ...]) -> str:
    parts = [p for p in loc if p != "body"]
    out = ""
    for p in parts:
        out += f"[{p}]" if isinstance(p, int) else (("." if out else "") + str(p))
    return out or "body"


def allowed_methods(request: Request) -> set[str]:
    """Every method the API offers for this path, from its OpenAPI document (Starlette's own
    405 names only the first route that matched the path)."""
    table = getattr(request.app.state, "allow_table", None)
    if table is None:
        table = [(re.compile("^" + re.sub(r"\{[^}]+\}", "[^/]+", path) + "$"),
                  {m.upper() for m in ops})
                 for path, ops in request.app.openapi()["paths"].items()]
        request.app.state.allow_table = table
    found: set[str] = set()
    for pattern, methods in table:
        if pattern.match(request.url.path):
            found |= methods
    return found or {"GET"}


def install(app: FastAPI) -> None:
    @app.exception_handler(ApiProblem)
    async def _api(_: Request, exc: ApiProblem) -> JSONResponse:
        return problem_response(exc.status, exc.detail, invalid=exc.invalid,
                                headers=exc.headers, extra=exc.extra)

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        invalid = []
        for err in exc.errors():
            reason = dutch_message(err)
            invalid.append({"name": _loc(tuple(err.get("loc", ()))),
                            "code": str(err.get("type", "invalid")), "reason": reason})
        return problem_response(400, "De invoer klopt niet; zie invalidParams.", invalid=invalid)

    @app.exception_handler(CoverageError)
    async def _coverage(_: Request, exc: CoverageError) -> JSONResponse:
        # valid input the rule base cannot answer on this peildatum: 422, not 400
        return problem_response(422, "Op deze peildatum gelden niet alle regelpakketten; zie "
                                     "invalidParams.",
                                invalid=invalid_from_problems(exc.problems, "casus."))

    @app.exception_handler(CasusError)
    async def _casus(_: Request, exc: CasusError) -> JSONResponse:
        return problem_response(400, "De casus klopt niet; zie invalidParams.",
                                invalid=invalid_from_problems(exc.problems, "casus."))

    @app.exception_handler(PackError)
    async def _pack(_: Request, exc: PackError) -> JSONResponse:
        return problem_response(400, "Het regelpakket klopt niet; zie invalidParams.",
                                invalid=invalid_from_problems(exc.problems))

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        detail = exc.detail if isinstance(exc.detail, str) else TITLES.get(exc.status_code, "")
        headers = dict(exc.headers or {})
        if exc.status_code == 404 and detail == "Not Found":
            detail = "Deze bron bestaat niet."
        if exc.status_code == 400 and detail.startswith("There was an error parsing the body"):
            detail = "De body is geen geldige JSON (of te diep genest)."
        if exc.status_code == 405:
            detail = "Deze methode is hier niet toegestaan."
            headers["Allow"] = ", ".join(sorted(allowed_methods(request)))
        return problem_response(exc.status_code, detail, headers=headers)

    @app.exception_handler(Exception)
    async def _any(_: Request, exc: Exception) -> JSONResponse:
        log.error("onverwachte fout", extra={"fout": type(exc).__name__})
        return problem_response(500, "Er ging iets mis aan onze kant; niets is opgeslagen.")
