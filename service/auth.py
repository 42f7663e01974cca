"""Who is asking: bearer tokens (JWT from the municipality's OIDC provider, or API keys for local
use), roles consulent / beleidsmedewerker / auditor, and rate limits per principal.

Tokens are accepted in the `Authorization` header only. A JWT must carry a valid signature from a
configured issuer, the configured audience, and an unexpired `exp`; `alg: none` is never accepted
(the algorithms are fixed per issuer, not read from the token). An issuer's keys are a PEM key or
its published JWKS (cached, fetched again for an unknown `kid`: key rotation needs no restart).

What a principal may see or change is decided in `service/toegang.py`, not here.
"""

from __future__ import annotations

import hmac
import math
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import jwt
from fastapi import Request
from limits import parse
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter

from service.problems import ApiProblem
from service.settings import ROLLEN, JwtIssuer, Rol, Settings

CHALLENGE = {"WWW-Authenticate": 'Bearer realm="omgekeerde-toets"'}

API_SLEUTEL = "api-sleutel"
"""The issuer of every principal that signs in with a configured API key."""


@dataclass(frozen=True)
class Principal:
    """Who: the issuer that vouches for them and their subject there. Two issuers may use the
    same `sub` for different people, so ownership is always the pair (`id`), never `sub`."""

    uitgever: str
    sub: str
    rollen: frozenset[Rol]

    @property
    def id(self) -> str:
        """The stored owner/actor: `uitgever|sub` (an issuer never contains `|`)."""
        return f"{self.uitgever}|{self.sub}"


class Keys:
    """The signing keys of the configured issuers: PEM keys as given, JWKS through PyJWT's
    client (cached for `jwks_cache_s`; an unknown `kid` fetches the set again, at most once per
    `jwks_afkoelen_s`)."""

    def __init__(self, issuers: list[JwtIssuer]):
        self._clients = {i.iss: jwt.PyJWKClient(i.jwks_url, cache_jwk_set=True,
                                                lifespan=i.jwks_cache_s,
                                                cooldown_duration=i.jwks_afkoelen_s,
                                                timeout=5)
                         for i in issuers if i.jwks_url}

    def key(self, issuer: JwtIssuer, token: str) -> Any:
        if issuer.key is not None:
            return issuer.key
        try:
            return self._clients[issuer.iss].get_signing_key_from_jwt(token).key
        except jwt.PyJWKClientConnectionError as exc:
            raise ApiProblem(503, "De sleutels van de identity provider zijn niet bereikbaar.",
                             headers={"Retry-After": "30"}) from exc
        except (jwt.PyJWKClientError, jwt.DecodeError) as exc:
            raise ApiProblem(401, "Token geweigerd: onbekende sleutel (kid).",
                             headers=CHALLENGE) from exc


def roles_from_claim(raw: object, vertaling: Mapping[str, Rol]) -> frozenset[Rol]:
    """Our roles from a token's role claim: a string or a list of strings (anything else, and
    any value that is not a string, gives nothing). With a `vertaling` (the municipality's
    group names → our roles, `OT_OIDC_ROLLEN`) only its values count, so a group that is not
    mapped never grants a role, even one named like ours; without it the values must be our
    role names."""
    values = [raw] if isinstance(raw, str) else raw if isinstance(raw, list) else []
    names = [v for v in values if isinstance(v, str)]
    if vertaling:
        return frozenset(vertaling[v] for v in names if v in vertaling)
    return frozenset(r for r in ROLLEN if r in names)


def authenticate(settings: Settings, keys: Keys, header: str | None) -> Principal:
    if not header or not header.lower().startswith("bearer "):
        raise ApiProblem(401, "Stuur een bearer token in de Authorization-header.",
                         headers=CHALLENGE)
    token = header[7:].strip()
    for key, info in settings.api_keys.items():
        if hmac.compare_digest(key.encode(), token.encode()):
            return Principal(uitgever=API_SLEUTEL, sub=info.sub, rollen=frozenset([info.rol]))
    if token.count(".") == 2 and settings.jwt_issuers:
        try:
            unverified = jwt.decode(token, options={"verify_signature": False})
        except jwt.PyJWTError:
            unverified = {}
        for issuer in settings.jwt_issuers:
            if unverified.get("iss") != issuer.iss:
                continue
            try:
                claims = jwt.decode(token, keys.key(issuer, token),
                                    algorithms=issuer.algorithms, audience=issuer.aud,
                                    issuer=issuer.iss,
                                    options={"require": ["exp", "iss", "aud", "sub"]})
            except jwt.PyJWTError as exc:
                raise ApiProblem(401, f"Token geweigerd: {type(exc).__name__}.",
                                 headers=CHALLENGE) from exc
            rollen = roles_from_claim(claims.get(issuer.rollen_claim), issuer.rollen_vertaling)
            sub = str(claims["sub"])
            if not 0 < len(sub) <= 255:
                raise ApiProblem(401, "Token geweigerd: sub ontbreekt of is te lang.",
                                 headers=CHALLENGE)
            return Principal(uitgever=issuer.iss, sub=sub, rollen=rollen)
    raise ApiProblem(401, "Onbekend of ongeldig token.", headers=CHALLENGE)


class RateLimits:
    """Per principal and per group of expensive endpoints, a moving window in memory (per
    process: with several workers each holds its own count)."""

    def __init__(self, settings: Settings):
        self._limiter = MovingWindowRateLimiter(MemoryStorage())
        self._items = {name: parse(str(value))
                       for name, value in settings.limieten.model_dump().items()}

    def hit(self, groep: str, who: Principal) -> None:
        item = self._items[groep]
        if self._limiter.hit(item, groep, who.id):
            return
        reset = self._limiter.get_window_stats(item, groep, who.id).reset_time
        wait = max(1, math.ceil(reset - time.time()))
        raise ApiProblem(429, f"Te veel verzoeken ({item}); probeer het over {wait} s opnieuw.",
                         headers={"Retry-After": str(wait)})


def require(*rollen: Rol, limiet: str | None = None) -> Callable[[Request], Principal]:
    """Dependency: authenticated, holding one of `rollen`, and (with `limiet`, a group of
    `Settings.limieten`) within that group's rate limit."""

    def dependency(request: Request) -> Principal:
        state = request.app.state
        principal = authenticate(state.settings, state.keys, request.headers.get("authorization"))
        if not principal.rollen & set(rollen):
            raise ApiProblem(403, f"Deze handeling vraagt de rol {' of '.join(rollen)}.")
        request.state.principal = principal
        if limiet is not None:
            state.rate_limits.hit(limiet, principal)
        return principal

    return dependency

