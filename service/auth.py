"""Who may do what: bearer tokens (JWT from the municipality's OIDC provider, or API keys for
local use), roles consulent / beleidsmedewerker / auditor.

Tokens are accepted in the `Authorization` header only. A JWT must carry a valid signature from a
configured issuer, the configured audience, and an unexpired `exp`; `alg: none` is never accepted
(the algorithms are fixed per issuer, not read from the token).
"""

from __future__ import annotations

import hmac
from collections.abc import Callable
from dataclasses import dataclass

import jwt
from fastapi import Depends, Request

from service.problems import ApiProblem
from service.settings import ROLLEN, Rol, Settings

CHALLENGE = {"WWW-Authenticate": 'Bearer realm="omgekeerde-toets"'}


@dataclass(frozen=True)
class Principal:
    sub: str
    rollen: frozenset[Rol]


def authenticate(settings: Settings, header: str | None) -> Principal:
    if not header or not header.lower().startswith("bearer "):
        raise ApiProblem(401, "Stuur een bearer token in de Authorization-header.",
                         headers=CHALLENGE)
    token = header[7:].strip()
    for key, info in settings.api_keys.items():
        if hmac.compare_digest(key.encode(), token.encode()):
            return Principal(sub=info.sub, rollen=frozenset([info.rol]))
    if token.count(".") == 2 and settings.jwt_issuers:
        try:
            unverified = jwt.decode(token, options={"verify_signature": False})
        except jwt.PyJWTError:
            unverified = {}
        for issuer in settings.jwt_issuers:
            if unverified.get("iss") != issuer.iss:
                continue
            try:
                claims = jwt.decode(token, issuer.key, algorithms=issuer.algorithms,
                                    audience=issuer.aud, issuer=issuer.iss,
                                    options={"require": ["exp", "iss", "aud", "sub"]})
            except jwt.PyJWTError as exc:
                raise ApiProblem(401, f"Token geweigerd: {type(exc).__name__}.",
                                 headers=CHALLENGE) from exc
            raw = claims.get(issuer.rollen_claim, [])
            raw = [raw] if isinstance(raw, str) else raw
            rollen = frozenset(r for r in raw if r in ROLLEN)
            return Principal(sub=str(claims["sub"]), rollen=rollen)
    raise ApiProblem(401, "Onbekend of ongeldig token.", headers=CHALLENGE)


def require(*rollen: Rol) -> Callable[[Request], Principal]:
    """Dependency: authenticated, and holding one of `rollen`."""

    def dependency(request: Request) -> Principal:
        settings: Settings = request.app.state.settings
        principal = authenticate(settings, request.headers.get("authorization"))
        if not principal.rollen & set(rollen):
            raise ApiProblem(403, f"Deze handeling vraagt de rol {' of '.join(rollen)}.")
        request.state.principal = principal
        return principal

    return dependency


Lezer = Depends(require("consulent", "auditor"))
Consulent = Depends(require("consulent"))
Auditor = Depends(require("auditor"))
Beleid = Depends(require("beleidsmedewerker"))
Iedereen = Depends(require("consulent", "beleidsmedewerker", "auditor"))
