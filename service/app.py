"""The FastAPI application: `create_app()` builds it from settings (env `OT_*`).

    uvicorn --factory service.app:create_app --host 127.0.0.1 --port 8000

NL API Design Rules: base path `/v1`, OpenAPI 3 at `/v1/openapi.json` (no auth, CORS `*`),
problem+json errors, no trailing-slash redirects, `API-Version` on every response.
"""

from __future__ import annotations

import contextlib
import gc
import logging
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from fastapi import Depends, FastAPI
from fastapi.openapi.utils import get_openapi
from fastapi.staticfiles import StaticFiles

from engine import __version__ as engine_version
from service import logs
from service.auth import Keys, Principal, RateLimits, require
from service.db import make_engines, session_factory
from service.engines import Engines
from service.impact_jobs import ImpactJobs
from service.impact_taken import ImpactRuns
from service.middleware import API_VERSION, HttpRules
from service.migrate import upgrade
from service.problems import install
from service.routes import (
    adviezen,
    beleidsinformatie,
    besluiten,
    casussen,
    logboek,
    opvolging,
    regelpakketten,
)
from service.routes import keten as keten_routes
from service.routes import vragen as vragen_routes
from service.schemas import Gezondheid
from service.settings import Settings
from service.toegang import PRIVACY
from service.web import auth_oidc, besluit_routes
from service.web import routes as web_routes
from service.web.csrf import CsrfGuard

log = logging.getLogger("service")
WEB_STATIC = Path(__file__).resolve().parent / "web" / "static"

PROBLEM = {"content": {"application/problem+json": {"schema": {
    "type": "object", "required": ["title", "status", "detail"],
    "properties": {"type": {"type": "string"}, "title": {"type": "string"},
                   "status": {"type": "integer"}, "detail": {"type": "string"},
                   "invalidParams": {"type": "array", "items": {"type": "object"}}}}}}}
ERRORS = {code: {"description": text, **PROBLEM} for code, text in (
    (400, "Ongeldige invoer"), (401, "Niet geauthenticeerd"), (403, "Geen toegang"),
    (404, "Niet gevonden"), (406, "Niet aanvaardbaar"), (409, "Conflict"),
    (413, "Verzoek te groot"), (415, "Mediatype niet ondersteund"),
    (429, "Te veel verzoeken (zie Retry-After)"), (500, "Interne fout"),
    (503, "Niet beschikbaar (zie Retry-After)"))}


def _casus_route(path: str, ops: dict[str, Any], op: dict[str, Any]) -> bool:
    """Routes that validate or evaluate a casus may answer 422 (`CoverageError`)."""
    casus_write = path.startswith("/v1/casussen") and op is not ops.get("get")
    return casus_write or path in ("/v1/adviezen", "/v1/adviezen/{advies_id}/_vergelijk")


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = auth_oidc.with_api_issuer(settings or Settings.from_env())
    logs.configure()
    if settings.lokale_sleutels:
        log.warning("LOKALE API-SLEUTELS ACTIEF: dit is GEEN productie-authenticatie. "
                    "Configureer OT_JWT_ISSUERS of OT_API_KEYS.")
    db_engine, read_engine = make_engines(settings.database_url)
    upgrade(db_engine)
    sessions = session_factory(db_engine)
    read_sessions = session_factory(read_engine)
    engines = Engines(settings.rules_dir, sessions, read_sessions,
                      yaml_tests=settings.pakkettests_bij_start)
    engines.store_current()
    # The rule base lives as long as the process: keep it out of the cyclic GC's young
    # generations (measured: p99 of an advies 14 ms -> 5 ms). Frozen objects are never
    # collected, so first unfreeze and collect: a process that builds a second app (a test, a
    # reload) would otherwise freeze the first one's garbage for good (the test suite grew to
    # 10 GB, about 20 MB per app). In a worker that builds one app, both are no-ops.
    gc.unfreeze()
    gc.collect()
    gc.freeze()

    impact_jobs: ImpactJobs | ImpactRuns = (
        ImpactRuns(settings.database_url, settings.impact)
        if settings.impact.via_procrastinate(settings.database_url)
        else ImpactJobs(settings.database_url, settings.impact))

    @contextlib.asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        impact_jobs.shutdown()  # stop running impact jobs (their processes) before the pools
        db_engine.dispose()  # close the pools when the worker stops
        read_engine.dispose()

    app = FastAPI(
        lifespan=lifespan,
        title="Omgekeerde Toets API",
        version=API_VERSION,
        description="Van gewenst effect naar grondwaarden (stap 2) en wettelijke instrumenten "
                    "(stap 4), met een herhaalbaar, geciteerd bewijsstuk. Engine "
                    f"{engine_version}.",
        openapi_url="/v1/openapi.json",
        docs_url=None,
        redoc_url=None,
        responses=ERRORS,  # type: ignore[arg-type]
    )
    app.router.redirect_slashes = False
    app.state.settings = settings
    app.state.sessions = sessions
    app.state.read_sessions = read_sessions
    app.state.engines = engines
    app.state.db_engine = db_engine
    app.state.impact_jobs = impact_jobs
    app.state.keys = Keys(settings.jwt_issuers)
    app.state.rate_limits = RateLimits(settings)

    install(app)
    for module in (casussen, adviezen, keten_routes, besluiten, regelpakketten, logboek,
                   vragen_routes):
        app.include_router(module.router, prefix="/v1")
    for module in (opvolging, beleidsinformatie):  # issue 15
        app.include_router(module.router, prefix="/v1")
    app.include_router(web_routes.router)
    app.include_router(besluit_routes.router)  # besluit, archive (issue 14)
    web_routes.install(app)
    auth_oidc.install(app)  # single sign-on and the sealed web session
    app.mount("/ui/static", StaticFiles(directory=str(WEB_STATIC)), name="static")

    @app.get("/v1/gezondheid", response_model=Gezondheid, tags=["systeem"],
             summary="Leeft de service? (zonder token)")
    def health() -> Gezondheid:
        return Gezondheid(status="ok", versie=API_VERSION)

    @app.get("/v1/wie-ben-ik", tags=["systeem"], summary="De rollen van het token")
    def whoami(who: Principal = Depends(require("consulent", "beleidsmedewerker",
                                                "auditor", PRIVACY))) -> dict[str, object]:
        """Every role the page serves answers 200, the privacy officer's too (issue 14: the
        casusoverzicht and the erasure in the page); what each may do is still the API's."""
        return {"rollen": sorted(who.rollen)}

    def openapi() -> dict[str, object]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = get_openapi(title=app.title, version=app.version,
                             description=app.description, routes=app.routes)
        schema["info"]["contact"] = {"name": "Omgekeerde Toets", "email": settings.contact_email,
                                     "url": "https://example.invalid/omgekeerde-toets"}
        schema["servers"] = [{"url": settings.server_url, "description": "deze service"}]
        schema.setdefault("components", {}).setdefault("securitySchemes", {})["bearer"] = {
            "type": "http", "scheme": "bearer"}
        public = {"/v1/gezondheid"}
        for path, ops in schema["paths"].items():
            for op in ops.values():
                if path not in public:
                    op["security"] = [{"bearer": []}]
                for code in ("422",):
                    op.get("responses", {}).pop(code, None)
                if _casus_route(path, ops, op):
                    op["responses"]["422"] = {
                        "description": "Op de peildatum gelden niet alle regelpakketten",
                        **PROBLEM}
                op.setdefault("responses", {}).update(
                    {str(k): v for k, v in ERRORS.items() if str(k) not in op["responses"]})
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]
    app.add_middleware(CsrfGuard)  # every unsafe /ui request: same site only
    app.add_middleware(HttpRules, max_body=settings.max_body_bytes,
                       cors_origins=settings.cors_origins)
    return app
