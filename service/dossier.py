"""The dossier report as a signed PDF (issue 16), and its offline verification.

A lawyer files a PDF, not a web page. The PDF is the very HTML of the printable report
(`/ui/adviezen/{id}/rapport`), laid out by WeasyPrint with print CSS (A4, the advies id and
the trace hash on every page, page numbers), then signed PAdES-style by pyHanko with the
service's Ed25519 key, the one that signs the chain heads (`service.keten`,
`OT_KETEN_SLEUTEL[_PEM]`). One key, so whoever already trusts the chain's public key can check a
dossier; pyHanko signs and verifies Ed25519 (RFC 8419, digest SHA-512).

pyHanko needs an X.509 certificate. Configured (`OT_DOSSIER_CERTIFICAAT[_PEM]`, e.g. one issued
by the municipality's CA for that key) or, by default, a self-signed one made from the key
itself. That one is deterministic (Ed25519 signatures are; serial and validity are fixed), so
every worker, every restart and `ot dossier certificaat` produce the same bytes.

Without a key the PDF is still made, unsigned, and says so on every page: like the unsigned
chain, the service runs and says it loudly; `verify_pdf` fails on such a file.

No HTTP here: the caller passes the rendered HTML. WeasyPrint fetches nothing from the network
(`_StaticOnly`): the report's own stylesheet is read from the package, everything else is
refused, so a casus text cannot make the server fetch a URL.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.x509.oid import NameOID

if TYPE_CHECKING:
    from service.settings import DossierInstellingen, Settings

STATIC = Path(__file__).resolve().parent / "web" / "static"
BASIS = "https://omgekeerde-toets.invalid/"
"""The base URL the report's relative links resolve against; never fetched (see _StaticOnly)."""
VELD = "Dossier"
"""The name of the signature field: the verifier checks this signature."""
NIET_ONDERTEKEND = ("NIET ONDERTEKEND: de service heeft geen sleutel (OT_KETEN_SLEUTEL); "
                    "echtheid niet te controleren")
GELDIG_VANAF = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
GELDIG_TOT = dt.datetime(9999, 12, 31, 23, 59, 59, tzinfo=dt.UTC)
"""Fixed validity of the self-signed certificate, so it is the same bytes at every start."""


# ── the certificate ──────────────────────────────────────────────────────────────────────────

def _raw(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def self_signed_certificate(key: Ed25519PrivateKey) -> x509.Certificate:
    """A certificate for the chain key, signed by itself: same key, same certificate."""
    digest = hashlib.sha256(_raw(key.public_key())).digest()
    name = x509.Name([
        x509.NameAttribute(NameOID.COMMON_NAME,
                           f"Omgekeerde Toets dossier ed25519:{digest.hex()[:16]}"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Omgekeerde Toets (zelf ondertekend)"),
    ])
    usage = x509.KeyUsage(digital_signature=True, content_commitment=True,
                          key_encipherment=False, data_encipherment=False, key_agreement=False,
                          key_cert_sign=False, crl_sign=False, encipher_only=False,
                          decipher_only=False)
    return (x509.CertificateBuilder()
            .subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(int.from_bytes(digest[:16], "big") >> 1)
            .not_valid_before(GELDIG_VANAF).not_valid_after(GELDIG_TOT)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(usage, critical=True)
            .sign(key, None))


def load_certificates(pem: bytes, bron: str) -> tuple[x509.Certificate, ...]:
    """Every `CERTIFICATE` block: the signing certificate and any CA certificates above it."""
    blocks = re.findall(rb"-----BEGIN CERTIFICATE-----.+?-----END CERTIFICATE-----", pem, re.S)
    if not blocks:
        raise ValueError(f"{bron}: geen PEM-certificaat (-----BEGIN CERTIFICATE-----)")
    found = []
    for i, block in enumerate(blocks, start=1):
        try:
            found.append(x509.load_pem_x509_certificate(block))
        except ValueError as exc:
            raise ValueError(f"{bron}: certificaat {i} is niet te lezen") from exc
    return tuple(found)


def certificate_pem(certificates: Iterable[x509.Certificate]) -> str:
    return "".join(c.public_bytes(serialization.Encoding.PEM).decode() for c in certificates)


def _matches(certificate: x509.Certificate, key: Ed25519PublicKey) -> bool:
    public = certificate.public_key()
    return isinstance(public, Ed25519PublicKey) and _raw(public) == _raw(key)


@dataclass(frozen=True)
class Signer:
    """The chain key with its certificate, and the CA certificates to embed beside it."""

    key: Ed25519PrivateKey
    certificate: x509.Certificate
    chain: tuple[x509.Certificate, ...] = ()

    @classmethod
    def make(cls, key: Ed25519PrivateKey, configured: Sequence[x509.Certificate] = (),
             bron: str = "OT_DOSSIER_CERTIFICAAT") -> Signer:
        """With configured certificates, one must be for `key` (checked at start); without,
        the self-signed certificate."""
        if not configured:
            return cls(key, self_signed_certificate(key))
        own = [c for c in configured if _matches(c, key.public_key())]
        if not own:
            raise ValueError(f"{bron}: geen certificaat voor de sleutel van OT_KETEN_SLEUTEL")
        return cls(key, own[0], tuple(c for c in configured if c is not own[0]))

    @property
    def certificates(self) -> tuple[x509.Certificate, ...]:
        return (self.certificate, *self.chain)


def signer_for(settings: Settings) -> Signer | None:
    """The service's signer, or None when no chain key is configured."""
    key = settings.keten.privesleutel
    if key is None:
        return None
    return Signer.make(key, settings.dossier.certificaten)


def check_settings(cfg: DossierInstellingen, key: Ed25519PrivateKey | None) -> None:
    """Called at start: a configured certificate must belong to the configured key."""
    if key is not None and cfg.certificaten:
        Signer.make(key, cfg.certificaten)


# ── HTML → PDF ───────────────────────────────────────────────────────────────────────────────

def _css_string(text: str) -> str:
    """A CSS string literal: every character but letters, digits, space and a few marks is
    escaped, so no value can end the string or the rule."""
    out = []
    for ch in text:
        out.append(ch if (ch.isalnum() and ch.isascii()) or ch in " .,:;()-_|/" else
                   f"\\{ord(ch):06x} ")
    return '"' + "".join(out) + '"'


def print_css(advies_id: str, trace_hash: str, signed: bool) -> str:
    """A4, the advies id and signature state in the header, the trace hash and page numbers
    in the footer; long hashes break instead of running off the page."""
    state = ("ondertekend met de sleutel van de service (PAdES); controleer met "
             "ot dossier verifieer" if signed else NIET_ONDERTEKEND)
    colour = "#444" if signed else "#a3001b"
    return f"""
@page {{
  size: A4; margin: 20mm 15mm 18mm 15mm;
  @top-left {{ content: {_css_string("Omgekeerde Toets · advies " + advies_id)};
              font: 8pt sans-serif; color: #444; }}
  @top-right {{ content: {_css_string(state)}; font: bold 7pt sans-serif; color: {colour};
               width: 55%; text-align: right; }}
  @bottom-left {{ content: {_css_string("trace-hash " + trace_hash)};
                 font: 7pt monospace; color: #444; width: 80%; }}
  @bottom-right {{ content: "pagina " counter(page) " van " counter(pages);
                  font: 8pt sans-serif; color: #444; }}
}}
/* a user stylesheet for WeasyPrint: below the report's own CSS unless !important */
:root {{ font-size: 10pt !important; }}
body {{ font-family: "DejaVu Sans", sans-serif !important; }}
code, pre, td, a.citaat::after {{ overflow-wrap: anywhere !important; }}
"""


def _static_only() -> Any:
    """A WeasyPrint URL fetcher that serves the report's own static files and refuses the
    rest: rendering never touches the network or any other file."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    prefix = BASIS + "ui/static/"

    class _StaticOnly(URLFetcher):  # type: ignore[misc]
        def fetch(self, url: str, headers: Any = None) -> Any:
            name = url.removeprefix(prefix) if url.startswith(prefix) else ""
            path = STATIC / name
            if not re.fullmatch(r"[a-z0-9_-]+\.css", name) or not path.is_file():
                raise ValueError("alleen de eigen stylesheet wordt geladen")
            return URLFetcherResponse(url, path.read_bytes(),
                                      {"Content-Type": "text/css; charset=utf-8"})

    return _StaticOnly(allowed_protocols=("https",))


@dataclass(frozen=True)
class Dossier:
    pdf: bytes
    paginas: int
    ondertekend: bool
    certificaat: x509.Certificate | None = field(default=None, repr=False)


def render_pdf(html: str, advies_id: str, trace_hash: str, signed: bool) -> tuple[bytes, int]:
    """The report HTML as an A4 PDF, and its page count."""
    import logging

    from weasyprint import CSS, HTML

    # WeasyPrint warns about every CSS property it does not know (the screen CSS has some);
    # those warnings would flood the service log and say nothing about the dossier.
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    fetcher = _static_only()
    document = HTML(string=html, base_url=BASIS, url_fetcher=fetcher).render(
        stylesheets=[CSS(string=print_css(advies_id, trace_hash, signed), url_fetcher=fetcher)])
    pdf: bytes = document.write_pdf()
    return pdf, len(document.pages)


def sign_pdf(pdf: bytes, signer: Signer, reason: str) -> bytes:
    """One PAdES signature (ETSI.CAdES.detached) over the whole file, as an incremental
    update; the reason (advies id and trace hash) is inside the signed bytes."""
    from asn1crypto import keys as asn1_keys
    from asn1crypto import x509 as asn1_x509
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    def asn1(c: x509.Certificate) -> asn1_x509.Certificate:
        return asn1_x509.Certificate.load(c.public_bytes(serialization.Encoding.DER))

    key = asn1_keys.PrivateKeyInfo.load(signer.key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption()))
    registry = SimpleCertificateStore()  # type: ignore[no-untyped-call]
    registry.register_multiple([asn1(c) for c in signer.chain])
    simple = signers.SimpleSigner(signing_cert=asn1(signer.certificate), signing_key=key,
                                  cert_registry=registry)
    meta = signers.PdfSignatureMetadata(field_name=VELD, md_algorithm="sha512",
                                        subfilter=fields.SigSeedSubFilter.PADES,
                                        reason=reason, name="Omgekeerde Toets")
    out = signers.sign_pdf(IncrementalPdfFileWriter(io.BytesIO(pdf)), meta, signer=simple)
    signed: bytes = out.getvalue()
    return signed


def make_dossier(html: str, advies_id: str, trace_hash: str, signer: Signer | None) -> Dossier:
    """Render and (with a key) sign. CPU-bound: call it in a worker thread."""
    pdf, pages = render_pdf(html, advies_id, trace_hash, signer is not None)
    if signer is None:
        return Dossier(pdf, pages, False)
    reason = f"Dossier advies {advies_id}, trace-hash {trace_hash}"
    return Dossier(sign_pdf(pdf, signer, reason), pages, True, signer.certificate)


# ── verification (offline) ───────────────────────────────────────────────────────────────────

@dataclass
class Verificatie:
    geldig: bool
    meldingen: list[str]
    ondertekenaar: str | None = None
    reden: str | None = None
    tijdstip: str | None = None


def verify_pdf(data: bytes, certificates: Sequence[x509.Certificate] = (),
               public_keys: Sequence[Ed25519PublicKey] = ()) -> Verificatie:
    """Valid only when the `Dossier` signature is intact, covers the whole file (nothing
    added after signing) and was made with a trusted certificate: one of `certificates` (the
    signing certificate or a CA above it) or a certificate for one of `public_keys` (the
    chain's public keys). Nothing is fetched; a damaged file is invalid, never a crash."""
    from asn1crypto import x509 as asn1_x509
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import SignatureCoverageLevel, validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    if not certificates and not public_keys:
        return Verificatie(False, ["niets om tegen te controleren: geef een certificaat "
                                   "(--certificaat) of een publieke sleutel"])
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        found = [s for s in reader.embedded_signatures if s.field_name == VELD]
        if not found:
            return Verificatie(False, ["geen handtekening in het bestand (niet ondertekend)"])
        sig = found[0]
        signer_cert = sig.signer_cert
        roots = [asn1_x509.Certificate.load(c.public_bytes(serialization.Encoding.DER))
                 for c in certificates]
        own = x509.load_der_x509_certificate(signer_cert.dump())
        if any(_matches(own, k) for k in public_keys):
            roots.append(signer_cert)
        context = ValidationContext(trust_roots=roots, allow_fetching=False,
                                    revocation_mode="soft-fail")
        status = validate_pdf_signature(sig, context)
    except Exception as exc:  # a damaged or hostile file is an invalid dossier
        return Verificatie(False, [f"het bestand is niet als ondertekende PDF te lezen "
                                   f"({type(exc).__name__})"])
    problems = []
    if not status.intact or not status.valid:
        problems.append("de handtekening klopt niet: het bestand is na ondertekening gewijzigd")
    if status.coverage != SignatureCoverageLevel.ENTIRE_FILE:
        problems.append("de handtekening dekt niet het hele bestand: er is na ondertekening "
                        "iets toegevoegd")
    if not status.trusted:
        problems.append("gemaakt met een certificaat dat niet vertrouwd is (niet het gegeven "
                        "certificaat of de gegeven sleutel)")
    when = status.signer_reported_dt
    return Verificatie(not problems, problems,
                       ondertekenaar=own.subject.rfc4514_string(),
                       reden=str(sig.sig_object.get("/Reason", "")) or None,
                       tijdstip=when.isoformat() if when else None)


# ── in the service ───────────────────────────────────────────────────────────────────────────

_renders: Any = None


async def make_dossier_in_thread(html: str, advies_id: str, trace_hash: str,
                                 signer: Signer | None) -> Dossier:
    """`make_dossier` in a worker thread, at most two at once per process: a large report
    takes a second or more of CPU and some memory, and must not stall the event loop or
    crowd out other requests."""
    import anyio

    global _renders
    if _renders is None:
        _renders = anyio.CapacityLimiter(2)
    return await anyio.to_thread.run_sync(make_dossier, html, advies_id, trace_hash, signer,
                                          limiter=_renders)
