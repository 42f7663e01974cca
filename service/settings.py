"""Configuration from the environment (`OT_*`), validated once at start.

The default is a local, single-machine set-up: SQLite in `./data`, the bundled rule packs,
127.0.0.1, and two API keys for local use. That default says loudly that it is not production
authentication.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Rol = Literal["consulent", "beleidsmedewerker", "auditor"]
ROLLEN: tuple[Rol, ...] = ("consulent", "beleidsmedewerker", "auditor")


class ApiKey(BaseModel):
    model_config = ConfigDict(extra="forbid")

    rol: Rol
    sub: str = Field(description="who (a pseudonymous user id, never a name)")


class JwtIssuer(BaseModel):
    """An OIDC provider whose tokens we accept: signature, iss, aud and exp are checked."""

    model_config = ConfigDict(extra="forbid")

    iss: str
    aud: str
    key: str = Field(description="PEM public key (RS256/ES256) or shared secret (HS256)")
    algorithms: list[str] = Field(default_factory=lambda: ["RS256"])
    rollen_claim: str = "rollen"


class Settings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    database_url: str = "sqlite:///data/omgekeerde-toets.sqlite3"
    rules_dir: Path | None = None
    api_keys: dict[str, ApiKey] = Field(default_factory=dict)
    jwt_issuers: list[JwtIssuer] = Field(default_factory=list)
    cors_origins: list[str] = Field(default_factory=list)
    max_body_bytes: int = 1_000_000
    verwerkingsactiviteit: str = "https://example.invalid/verwerkingsactiviteiten/omgekeerde-toets"
    pseudoniem_sleutel: str = "lokaal-niet-geheim"
    server_url: str = "http://127.0.0.1:8000"
    contact_email: str = "omgekeerde-toets@example.invalid"
    lokale_sleutels: bool = False
    """True when the built-in local API keys are active (never in production)."""

    @classmethod
    def from_env(cls) -> Settings:
        env = os.environ
        data: dict[str, object] = {}
        if "OT_DATABASE_URL" in env:
            data["database_url"] = env["OT_DATABASE_URL"]
        if "OT_RULES_DIR" in env:
            data["rules_dir"] = env["OT_RULES_DIR"]
        if "OT_API_KEYS" in env:
            data["api_keys"] = json.loads(env["OT_API_KEYS"])
        if "OT_JWT_ISSUERS" in env:
            data["jwt_issuers"] = json.loads(env["OT_JWT_ISSUERS"])
        if "OT_CORS_ORIGINS" in env:
            data["cors_origins"] = [o for o in env["OT_CORS_ORIGINS"].split(",") if o]
        for key, name in (("OT_MAX_BODY_BYTES", "max_body_bytes"),
                          ("OT_VERWERKINGSACTIVITEIT", "verwerkingsactiviteit"),
                          ("OT_PSEUDONIEM_SLEUTEL", "pseudoniem_sleutel"),
                          ("OT_SERVER_URL", "server_url")):
            if key in env:
                data[name] = env[key]
        settings = cls.model_validate(data)
        if not settings.api_keys and not settings.jwt_issuers:
            settings = settings.model_copy(update={"api_keys": LOCAL_KEYS,
                                                   "lokale_sleutels": True})
        return settings


LOCAL_KEYS: dict[str, ApiKey] = {
    "lokaal-consulent": ApiKey(rol="consulent", sub="lokaal-consulent"),
    "lokaal-beleid": ApiKey(rol="beleidsmedewerker", sub="lokaal-beleid"),
    "lokaal-auditor": ApiKey(rol="auditor", sub="lokaal-auditor"),
}
"""Local-use keys, active only when nothing else is configured. NOT production auth."""
