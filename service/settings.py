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

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

Rol = Literal["consulent", "beleidsmedewerker", "auditor", "privacy"]
ROLLEN: tuple[Rol, ...] = ("consulent", "beleidsmedewerker", "auditor", "privacy")
"""The roles a token or API key can carry; what each may do is decided in service/toegang.py
(the privacy role: the AVG art. 17 erasure of any casus)."""


class ApiKey(BaseModel):
    model_config = ConfigDict(extra="forbid")

    rol: Rol
    sub: str = Field(min_length=1, max_length=255,
                     description="who (a pseudonymous user id, never a name)")


class JwtIssuer(BaseModel):
    """An OIDC provider whose tokens we accept: signature, iss, aud and exp are checked.

    The signing keys come either from `key` (a PEM public key, or a shared secret for HS256) or
    from `jwks_url`, the provider's published key set (NL GOV OAuth profile). A key set is cached
    and fetched again when a token names a key id (`kid`) it does not hold, so a provider can
    rotate its keys without a restart; `jwks_afkoelen_s` bounds how often an unknown `kid` may
    trigger a fetch (a flood of made-up key ids must not become a flood of requests)."""

    model_config = ConfigDict(extra="forbid")

    iss: str = Field(pattern=r"^[^|\s]+$", max_length=140,
                     description="the issuer, exactly as in the token's `iss` claim")
    aud: str
    key: str | None = Field(None, description="PEM public key (RS256/ES256) or shared secret "
                                              "(HS256)")
    jwks_url: str | None = Field(None, pattern=r"^https?://",
                                 description="the provider's JWKS address (jwks_uri)")
    jwks_cache_s: float = Field(300, gt=0, le=86400)
    jwks_afkoelen_s: float = Field(30, ge=0, le=3600)
    algorithms: list[str] = Field(default_factory=lambda: ["RS256"], min_length=1)
    rollen_claim: str = "rollen"
    rollen_vertaling: dict[str, Rol] = Field(
        default_factory=dict,
        description="the provider's claim values (e.g. group names) → our roles; empty: the "
                    "values must be our role names. When set, a value not in it gives no role")

    @model_validator(mode="after")
    def _one_key_source(self) -> JwtIssuer:
        if (self.key is None) == (self.jwks_url is None):
            raise ValueError(f"issuer {self.iss}: geef precies één van 'key' en 'jwks_url'")
        if self.jwks_url and any(a.startswith("HS") for a in self.algorithms):
            raise ValueError(f"issuer {self.iss}: een JWKS hoort bij RS/ES/PS-algoritmen, niet HS")
        return self


class Limiet(BaseModel):
    """A rate limit in the notation of the `limits` library, e.g. "30/minute"."""

    model_config = ConfigDict(extra="forbid")

    adviezen: str = "120/minute"
    impact: str = "6/minute"
    valideer: str = "30/minute"
    test: str = "6/minute"

    @field_validator("adviezen", "impact", "valideer", "test")
    @classmethod
    def _parses(cls, value: str) -> str:
        from limits import parse

        try:
            parse(value)
        except ValueError as exc:
            raise ValueError(f"geen limiet: '{value}' (bijvoorbeeld '30/minute')") from exc
        return value


# ── Keten-ondertekening (issue 12) ─────────────────────────────────────────────────────────
# One block: where the key that signs the advies chain head lives, and how often it signs.
# Used by service.keten; read by `Settings.from_env` (one line) and the `ot keten` command.
from collections.abc import Mapping  # noqa: E402
from typing import TYPE_CHECKING, Any  # noqa: E402

from pydantic import PrivateAttr, SecretStr, ValidationInfo  # noqa: E402

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import (
        Ed25519PrivateKey,
        Ed25519PublicKey,
    )

KETEN_OMGEVING = {
    "OT_KETEN_SLEUTEL": "sleutel",
    "OT_KETEN_SLEUTEL_PEM": "sleutel_pem",
    "OT_KETEN_PUBLIEKE_SLEUTELS": "publieke_sleutels",
    "OT_KETEN_PUBLIEKE_SLEUTELS_PEM": "publieke_sleutels_pem",
    "OT_KETEN_ANKER_ELKE": "anker_elke",
    "OT_KETEN_ANKER_SECONDEN": "anker_seconden",
}
"""Environment variable → field of `KetenInstellingen`."""


class KetenInstellingen(BaseModel):
    """The Ed25519 key that signs the advies chain head: never in the database, so whoever can
    write the database cannot forge a signed head. The private key comes from a PEM file
    (`OT_KETEN_SLEUTEL`) or the PEM text (`OT_KETEN_SLEUTEL_PEM`); a verifier needs only public
    keys (`OT_KETEN_PUBLIEKE_SLEUTELS[_PEM]`, one or more, so old keys stay trusted after a
    rotation). Without a key the service runs, logs loudly that the chain is unsigned, and
    verification says so. Keys are read and checked once, here, at start; an error never
    repeats the input (it may be a private key)."""

    model_config = ConfigDict(extra="forbid", hide_input_in_errors=True)

    sleutel: Path | None = Field(None, description="path to the Ed25519 private key (PEM, "
                                                   "PKCS#8, without password)")
    sleutel_pem: SecretStr | None = Field(None, description="the private key as PEM text")
    publieke_sleutels: Path | None = Field(None, description="path to a PEM file with one or "
                                                             "more Ed25519 public keys to trust")
    publieke_sleutels_pem: str | None = Field(None, description="the public keys as PEM text")
    anker_elke: int = Field(100, ge=0, le=1_000_000,
                            description="sign the head after this many adviezen (0: never by "
                                        "count)")
    anker_seconden: float = Field(60, ge=0, le=604_800,
                                  description="sign a head that moved when the last signature "
                                              "is this old (0: never by time)")

    _privesleutel: Any = PrivateAttr(None)
    _publieke: tuple[Any, ...] = PrivateAttr(())

    @model_validator(mode="after")
    def _load_keys(self) -> KetenInstellingen:
        from service.keten import load_keys

        self._privesleutel, self._publieke = load_keys(self)
        return self

    @property
    def privesleutel(self) -> Ed25519PrivateKey | None:
        key: Ed25519PrivateKey | None = self._privesleutel
        return key

    @property
    def vertrouwde_sleutels(self) -> tuple[Ed25519PublicKey, ...]:
        """The public keys a verification trusts: the configured ones and the signing key's."""
        own = (self._privesleutel.public_key(),) if self._privesleutel is not None else ()
        keys: tuple[Ed25519PublicKey, ...] = (*self._publieke, *own)
        return keys

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> KetenInstellingen:
        return cls.model_validate({name: env[key] for key, name in KETEN_OMGEVING.items()
                                   if key in env})
# ── einde keten-ondertekening ────────────────────────────────────────────────────────────


# ── Dossier-PDF (issue 16) ─────────────────────────────────────────────────────────────────
# One block: the certificate that goes with the chain key when it signs a dossier PDF.
# Used by service.dossier; read by `Settings.from_env` (one line) and `ot dossier`.
DOSSIER_OMGEVING = {
    "OT_DOSSIER_CERTIFICAAT": "certificaat",
    "OT_DOSSIER_CERTIFICAAT_PEM": "certificaat_pem",
}
"""Environment variable → field of `DossierInstellingen`."""


class DossierInstellingen(BaseModel):
    """The X.509 certificate for the chain key (`OT_KETEN_SLEUTEL`) with which the dossier PDF
    is signed (PAdES needs one). Optional: without it the service makes a self-signed
    certificate from the key itself, the same at every start. Give one when the municipality's
    CA has issued a certificate for that key (PEM: that certificate, then any CA certificates
    to embed). Read and, with a key, matched against it once, at start."""

    model_config = ConfigDict(extra="forbid")

    certificaat: Path | None = Field(None, description="path to a PEM file with the "
                                                       "certificate for the chain key")
    certificaat_pem: str | None = Field(None, description="the certificate(s) as PEM text")

    _certificaten: tuple[Any, ...] = PrivateAttr(())

    @model_validator(mode="after")
    def _load(self, info: ValidationInfo) -> DossierInstellingen:
        from service.dossier import check_settings, load_certificates

        if self.certificaat is not None and self.certificaat_pem is not None:
            raise ValueError("geef één van OT_DOSSIER_CERTIFICAAT en "
                             "OT_DOSSIER_CERTIFICAAT_PEM, niet beide")
        if self.certificaat is not None:
            try:
                pem = self.certificaat.read_bytes()
            except OSError as exc:
                raise ValueError(f"OT_DOSSIER_CERTIFICAAT: {self.certificaat} is niet te "
                                 f"lezen ({type(exc).__name__})") from exc
            self._certificaten = load_certificates(pem, "OT_DOSSIER_CERTIFICAAT")
        elif self.certificaat_pem is not None:
            self._certificaten = load_certificates(self.certificaat_pem.encode(),
                                                   "OT_DOSSIER_CERTIFICAAT_PEM")
        keten = (info.context or {}).get("keten")
        if keten is not None:
            check_settings(self, keten.privesleutel)
        return self

    @property
    def certificaten(self) -> tuple[Any, ...]:
        """The configured certificates (cryptography `x509.Certificate`), signing one first."""
        return self._certificaten

    @classmethod
    def from_env(cls, env: Mapping[str, str],
                 keten: KetenInstellingen | None = None) -> DossierInstellingen:
        return cls.model_validate({name: env[key] for key, name in DOSSIER_OMGEVING.items()
                                   if key in env}, context={"keten": keten})
# ── einde dossier-PDF ────────────────────────────────────────────────────────────────────


# ── Impactanalyse als taak (issue 12) ──────────────────────────────────────────────────────
# One block: how many impact jobs a service process runs and queues, and for how long.
# Used by service.impact_jobs; read by `Settings.from_env` (one line).
IMPACT_OMGEVING = {
    "OT_IMPACT_MAX_TAKEN": "max_taken",
    "OT_IMPACT_WACHTRIJ": "wachtrij",
    "OT_IMPACT_TIJDSLIMIET_S": "tijdslimiet_s",
    "OT_IMPACT_BEWAAR_S": "bewaar_s",
    "OT_IMPACT_NICE": "nice",
    "OT_IMPACT_UITVOERING": "uitvoering",
    "OT_IMPACT_DELEN": "delen",
}
"""Environment variable → field of `ImpactInstellingen`."""


class ImpactInstellingen(BaseModel):
    """Impact jobs (`POST /v1/regelpakketten/_impact`) run in their own process, at a lower
    priority, so the service stays responsive. Per service process at most `max_taken` run and
    `wachtrij` wait; beyond that the service answers 503 with Retry-After. A job that runs longer
    than `tijdslimiet_s` is stopped (`verlopen`); a finished job is forgotten after `bewaar_s`."""

    model_config = ConfigDict(extra="forbid")

    max_taken: int = Field(1, ge=1, le=16, description="jobs running at once per process")
    wachtrij: int = Field(2, ge=0, le=100, description="jobs waiting per process")
    tijdslimiet_s: float = Field(900, gt=0, le=86_400, description="time limit per job")
    bewaar_s: float = Field(3600, gt=0, le=604_800,
                            description="how long a finished job and its result are kept")
    nice: int = Field(10, ge=0, le=19, description="niceness of the job's process (os.nice)")
    uitvoering: Literal["auto", "proces", "procrastinate"] = Field(
        "auto", description="where a job runs: `proces`, a child process of the service "
                            "process that accepted it (in memory: lost on a restart, known to "
                            "that process only); `procrastinate`, the job library on "
                            "PostgreSQL: the run is stored and split into `delen` jobs that "
                            "`ot impact-worker` processes on any host take (service/"
                            "impact_taken.py); `auto`, procrastinate on PostgreSQL, proces on "
                            "SQLite")
    delen: int = Field(2, ge=1, le=64, description="jobs a procrastinate run is split into "
                                                  "(every n-th advies each)")

    def via_procrastinate(self, database_url: str) -> bool:
        """The one place that decides where impact runs (SQLite has no job library)."""
        postgres = database_url.startswith("postgresql")
        if self.uitvoering == "procrastinate" and not postgres:
            raise ValueError("OT_IMPACT_UITVOERING=procrastinate vraagt PostgreSQL "
                             "(OT_DATABASE_URL); SQLite draait impact in een eigen proces")
        return postgres and self.uitvoering != "proces"

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> ImpactInstellingen:
        return cls.model_validate({name: env[key] for key, name in IMPACT_OMGEVING.items()
                                   if key in env})
# ── einde impactanalyse ──────────────────────────────────────────────────────────────────


# ── Single sign-on voor de webpagina (issue 14) ───────────────────────────────────────────
# One block: the municipality's OpenID provider for the web page's login, and from it the API's
# issuer (`OidcInstellingen.api_issuer`: the one place that derives it). Used by
# service.web.auth_oidc; read by `Settings.from_env`.
OIDC_OMGEVING = {
    "OT_OIDC_ISSUER": "issuer",
    "OT_OIDC_CLIENT_ID": "client_id",
    "OT_OIDC_CLIENT_SECRET": "client_secret",
    "OT_OIDC_CLIENT_KEY": "client_key",
    "OT_OIDC_CLIENT_KEY_ID": "client_key_id",
    "OT_OIDC_REDIRECT_URL": "redirect_url",
    "OT_OIDC_SCOPES": "scopes",
    "OT_OIDC_ROLLEN_CLAIM": "rollen_claim",
    "OT_OIDC_ROLLEN": "rollen",
    "OT_OIDC_NAAM": "naam",
}
"""Environment variable → field of `OidcInstellingen`."""

OIDC_TERUG = "/ui/inloggen/terug"
"""The path of the redirect URL: where the provider sends the browser back with the code."""


class ClientKey(BaseModel):
    """The private key with which the web page signs its client assertion (private_key_jwt,
    RFC 7523): the NL GOV Assurance profile for OIDC prefers it to a shared secret, since the
    provider holds only the public key. `alg` follows from the key, `kid` is the one registered
    at the provider."""

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    key: Any
    alg: Literal["RS256", "ES256"]
    kid: str
    jwk: dict[str, str] = Field(description="the public key as a JWK, with its kid: what to "
                                            "register at the provider")


def load_client_key(path: Path, kid: str | None) -> ClientKey:
    """Read `OT_OIDC_CLIENT_KEY`: an RSA key of at least 2048 bits (RS256) or an EC P-256 key
    (ES256), PEM without password. Without `OT_OIDC_CLIENT_KEY_ID` the kid is the key's
    RFC 7638 thumbprint, which a provider computes the same way from the registered JWK."""
    import base64
    import hashlib

    from cryptography.hazmat.primitives.asymmetric import ec, rsa
    from cryptography.hazmat.primitives.serialization import load_pem_private_key
    from jwt.algorithms import ECAlgorithm, RSAAlgorithm

    try:
        pem = path.read_bytes()
    except OSError as exc:
        raise ValueError(f"OT_OIDC_CLIENT_KEY: {path} is niet te lezen "
                         f"({type(exc).__name__})") from exc
    try:
        key = load_pem_private_key(pem, password=None)
    except (ValueError, TypeError) as exc:
        raise ValueError(f"OT_OIDC_CLIENT_KEY: {path} is geen PEM-privésleutel zonder "
                         "wachtwoord") from exc
    jwk: dict[str, str]
    if isinstance(key, rsa.RSAPrivateKey) and key.key_size >= 2048:
        alg: Literal["RS256", "ES256"] = "RS256"
        jwk = RSAAlgorithm.to_jwk(key.public_key(), as_dict=True)
        members: tuple[str, ...] = ("e", "kty", "n")
    elif isinstance(key, ec.EllipticCurvePrivateKey) and key.curve.name == "secp256r1":
        alg = "ES256"
        jwk = ECAlgorithm.to_jwk(key.public_key(), as_dict=True)
        members = ("crv", "kty", "x", "y")
    else:
        raise ValueError(f"OT_OIDC_CLIENT_KEY: {path} is geen RSA-sleutel van minstens 2048 "
                         "bits en geen EC-sleutel op P-256")
    if kid is None:
        canonical = json.dumps({m: jwk[m] for m in members}, separators=(",", ":"),
                               sort_keys=True)
        kid = base64.urlsafe_b64encode(hashlib.sha256(canonical.encode()).digest()
                                       ).rstrip(b"=").decode()
    public = {m: jwk[m] for m in members}
    return ClientKey(key=key, alg=alg, kid=kid,
                     jwk={**public, "kid": kid, "alg": alg, "use": "sig"})


class OidcInstellingen(BaseModel):
    """The web page logs in at the municipality's OpenID provider (authorization code flow
    with PKCE, as a confidential client: NL GOV Assurance profile for OIDC). Its ID token is
    then the bearer of the page's calls to the API, so the same provider is also one of the
    API's issuers: derived here from these settings and the provider's discovery document,
    never configured a second time in `OT_JWT_ISSUERS`."""

    model_config = ConfigDict(extra="forbid", hide_input_in_errors=True)

    issuer: str = Field(pattern=r"^https?://[^|\s]+$", max_length=140,
                        description="the provider's issuer URL; discovery is read from "
                                    "`<issuer>/.well-known/openid-configuration`")
    client_id: str = Field(min_length=1, max_length=255)
    client_secret: SecretStr | None = Field(None, min_length=1,
                                            description="the confidential client's secret "
                                                        "(client_secret_basic)")
    client_key: Path | None = Field(None, description="path to the client's PEM private key "
                                                      "(RSA ≥ 2048 bits or EC P-256, without "
                                                      "password): private_key_jwt instead of a "
                                                      "secret")
    client_key_id: str | None = Field(None, min_length=1, max_length=200,
                                      description="the `kid` of that key as registered at the "
                                                  "provider (default: its RFC 7638 thumbprint)")
    redirect_url: str = Field(pattern=r"^https?://[^\s]+$",
                              description=f"this service's {OIDC_TERUG} as the browser "
                                          "reaches it, registered at the provider")
    scopes: str = Field("openid", description="space-separated; must include `openid`")
    rollen_claim: str = Field("rollen", min_length=1,
                              description="the ID token claim that holds the roles")
    rollen: dict[str, Rol] = Field(default_factory=dict,
                                   description="the claim's values (the municipality's group "
                                               "names) → our roles, from "
                                               "'groep-a=consulent,groep-b=auditor'")
    naam: str = Field("de inlogdienst van de gemeente", min_length=1, max_length=80,
                      description="shown on the login button: 'Inloggen bij <naam>'")

    @field_validator("issuer")
    @classmethod
    def _no_trailing_slash(cls, value: str) -> str:
        return value.rstrip("/")

    @field_validator("scopes")
    @classmethod
    def _openid(cls, value: str) -> str:
        if "openid" not in value.split():
            raise ValueError("OT_OIDC_SCOPES moet 'openid' bevatten")
        return " ".join(value.split())

    @field_validator("redirect_url")
    @classmethod
    def _points_here(cls, value: str) -> str:
        from urllib.parse import urlsplit

        if urlsplit(value).path != OIDC_TERUG:
            raise ValueError(f"OT_OIDC_REDIRECT_URL moet eindigen op {OIDC_TERUG}")
        return value

    @field_validator("rollen", mode="before")
    @classmethod
    def _mapping(cls, value: object) -> object:
        """`groep=rol,groep=rol`: a malformed list stops the start, naming the setting (a
        silent mistake here would give people no role, or the wrong one)."""
        if not isinstance(value, str):
            return value
        mapping: dict[str, str] = {}
        for item in (i.strip() for i in value.split(",")):
            groep, is_, rol = (part.strip() for part in item.partition("="))
            if not is_ or not groep or not rol:
                raise ValueError(f"OT_OIDC_ROLLEN: '{item}' is geen 'groep=rol' (bijvoorbeeld "
                                 "'groep-a=consulent,groep-b=auditor')")
            if rol not in ROLLEN:
                raise ValueError(f"OT_OIDC_ROLLEN: '{rol}' is geen rol; kies uit "
                                 f"{', '.join(ROLLEN)}")
            if groep in mapping:
                raise ValueError(f"OT_OIDC_ROLLEN: groep '{groep}' staat er twee keer in")
            mapping[groep] = rol
        return mapping

    @model_validator(mode="after")
    def _client_authentication(self) -> OidcInstellingen:
        """Exactly one way to authenticate at the token endpoint; the key is read and checked
        once, here, and an error never repeats it."""
        if (self.client_secret is None) == (self.client_key is None):
            raise ValueError("geef precies één van OT_OIDC_CLIENT_SECRET (client_secret_basic) "
                             "en OT_OIDC_CLIENT_KEY (private_key_jwt)")
        if self.client_key_id is not None and self.client_key is None:
            raise ValueError("OT_OIDC_CLIENT_KEY_ID hoort bij OT_OIDC_CLIENT_KEY")
        if self.client_key is not None:
            self._sleutel = load_client_key(self.client_key, self.client_key_id)
        return self

    _sleutel: ClientKey | None = PrivateAttr(None)

    @property
    def client_auth_method(self) -> str:
        return "client_secret_basic" if self._sleutel is None else "private_key_jwt"

    @property
    def sleutel(self) -> ClientKey | None:
        """The private_key_jwt key, or None with a client secret."""
        return self._sleutel

    @property
    def discovery_url(self) -> str:
        return f"{self.issuer}/.well-known/openid-configuration"

    def api_issuer(self, metadata: Mapping[str, Any]) -> JwtIssuer:
        """The API's issuer for this provider's ID tokens: `iss` as discovery states it (it
        must be the configured issuer), the audience is our client id, the keys come from the
        published JWKS, the algorithms are the asymmetric ones the provider signs ID tokens
        with, and the roles come from `rollen_claim`."""
        if metadata.get("issuer") != self.issuer:
            raise ValueError(f"OT_OIDC_ISSUER: de discovery noemt issuer "
                             f"{metadata.get('issuer')!r}, niet {self.issuer!r}")
        if not metadata.get("jwks_uri"):
            raise ValueError("OT_OIDC_ISSUER: de discovery noemt geen jwks_uri")
        offered = metadata.get("id_token_signing_alg_values_supported") or ["RS256"]
        algorithms = [a for a in offered if a[:2] in ("RS", "ES", "PS")] or ["RS256"]
        return JwtIssuer(iss=self.issuer, aud=self.client_id, jwks_url=metadata["jwks_uri"],
                         algorithms=algorithms, rollen_claim=self.rollen_claim,
                         rollen_vertaling=self.rollen)

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> OidcInstellingen | None:
        """None when no `OT_OIDC_*` variable is set; otherwise every required one must be."""
        data = {name: env[key] for key, name in OIDC_OMGEVING.items() if key in env}
        return cls.model_validate(data) if data else None
# ── einde single sign-on ─────────────────────────────────────────────────────────────────


class Settings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    database_url: str = "sqlite:///data/omgekeerde-toets.sqlite3"
    rules_dir: Path | None = None
    api_keys: dict[str, ApiKey] = Field(default_factory=dict)
    jwt_issuers: list[JwtIssuer] = Field(default_factory=list)
    limieten: Limiet = Field(default_factory=Limiet,
                             description="rate limits per principal on the expensive endpoints")
    keten: KetenInstellingen = Field(default_factory=KetenInstellingen,
                                     description="the key that signs the advies chain head")
    impact: ImpactInstellingen = Field(default_factory=ImpactInstellingen,
                                       description="impact jobs: how many, how long")
    dossier: DossierInstellingen = Field(default_factory=DossierInstellingen,
                                         description="the certificate of the dossier PDF")
    cors_origins: list[str] = Field(default_factory=list)
    max_body_bytes: int = 1_000_000
    verwerkingsactiviteit: str = "https://example.invalid/verwerkingsactiviteiten/omgekeerde-toets"
    pseudoniem_sleutel: str = "lokaal-niet-geheim"
    server_url: str = "http://127.0.0.1:8000"
    contact_email: str = "omgekeerde-toets@example.invalid"
    oidc: OidcInstellingen | None = Field(None, description="the OpenID provider of the web "
                                                            "page's login (single sign-on)")
    ui_token_login: bool = True
    """The web page's "paste a token" login (`OT_UI_TOKEN_LOGIN`). `from_env` turns it on only
    when that variable says so or the built-in local keys are active; the field's default is
    for settings built in code (tests)."""
    sessie_sleutel: SecretStr | None = None
    """Seals the web session cookie (`OT_SESSIE_SLEUTEL`); see service.web.auth_oidc."""
    pakkettests_bij_start: bool = True
    """Run the packs' YAML tests before activating them at start (`OT_PAKKETTESTS_BIJ_START`);
    a failing test stops the start. Measured: about 21 s per worker process for the bundled
    packs (973 tests, 2026-12-06). A passed run is kept (`pakkettest_runs`, per engine code,
    packs and test files), so a restart on exactly those does not run them again; turn off only
    where the tests already ran elsewhere on these exact packs."""
    lokale_sleutels: bool = False
    """True when the built-in local API keys are active (never in production)."""
    bewaartermijn_jaren: int | None = Field(None, ge=1, le=200)
    """The retention period of an archived casus in years (`OT_BEWAARTERMIJN_JAREN`), counted
    from archiving; after it `ot bewaartermijn --uitvoeren` erases the casus. The municipality
    sets it from the Archiefwet selectielijst for gemeenten (the category of its dossiers);
    this service does not decide the period. None (the default): nothing is ever erased for
    retention."""
    opvolging_maanden: int = Field(12, ge=0, le=120)
    """The follow-up (effectmeting) of a gewenst effect falls due this many months after the
    first advies on it (`OT_OPVOLGING_MAANDEN`; default twelve: "hoe ziet het er over een jaar
    uit", the toekomstplan's horizon). 0: due at once."""

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
        if "OT_LIMIETEN" in env:
            data["limieten"] = json.loads(env["OT_LIMIETEN"])
        data["keten"] = KetenInstellingen.from_env(env)
        data["impact"] = ImpactInstellingen.from_env(env)
        data["dossier"] = DossierInstellingen.from_env(env, data["keten"])  # type: ignore[arg-type]
        data["oidc"] = OidcInstellingen.from_env(env)
        if "OT_SESSIE_SLEUTEL" in env:
            data["sessie_sleutel"] = env["OT_SESSIE_SLEUTEL"]
        if "OT_CORS_ORIGINS" in env:
            data["cors_origins"] = [o for o in env["OT_CORS_ORIGINS"].split(",") if o]
        for key, name in (("OT_MAX_BODY_BYTES", "max_body_bytes"),
                          ("OT_VERWERKINGSACTIVITEIT", "verwerkingsactiviteit"),
                          ("OT_PSEUDONIEM_SLEUTEL", "pseudoniem_sleutel"),
                          ("OT_SERVER_URL", "server_url"),
                          ("OT_PAKKETTESTS_BIJ_START", "pakkettests_bij_start"),
                          ("OT_BEWAARTERMIJN_JAREN", "bewaartermijn_jaren"),
                          ("OT_OPVOLGING_MAANDEN", "opvolging_maanden")):
            if key in env:
                data[name] = env[key]
        settings = cls.model_validate(data)
        if not settings.api_keys and not settings.jwt_issuers and settings.oidc is None:
            settings = settings.model_copy(update={"api_keys": LOCAL_KEYS,
                                                   "lokale_sleutels": True})
        enabled = settings.lokale_sleutels
        if "OT_UI_TOKEN_LOGIN" in env:
            from pydantic import TypeAdapter, ValidationError

            try:
                enabled = TypeAdapter(bool).validate_python(env["OT_UI_TOKEN_LOGIN"].strip())
            except ValidationError as exc:
                raise ValueError("OT_UI_TOKEN_LOGIN: geef 1 of 0 (true/false)") from exc
        return settings.model_copy(update={"ui_token_login": enabled})


LOCAL_KEYS: dict[str, ApiKey] = {
    "lokaal-consulent": ApiKey(rol="consulent", sub="lokaal-consulent"),
    "lokaal-beleid": ApiKey(rol="beleidsmedewerker", sub="lokaal-beleid"),
    "lokaal-auditor": ApiKey(rol="auditor", sub="lokaal-auditor"),
}
"""Local-use keys, active only when nothing else is configured. NOT production auth."""
