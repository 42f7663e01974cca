"""The dossier report as a signed PDF (issue 16): made from the report page, signed with the
chain key (PAdES, pyHanko), verified offline by `ot dossier verifieer`. Invented people only.

Rendering costs seconds per report, so the gezin-meervoudig PDF is made once (on SQLite,
through the web route) and the verification tests share it; the route itself is tested on
SQLite and PostgreSQL with the smaller scootmobiel example."""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.x509.oid import NameOID
from fastapi.testclient import TestClient
from pydantic import ValidationError
from typer.testing import CliRunner

from cli.main import app as cli
from service import dossier
from service.app import create_app
from service.settings import DossierInstellingen, KetenInstellingen, Settings

from .conftest import CONSULENT, CONSULENT_2, dispose, example, make_settings

KEY = Ed25519PrivateKey.generate()
KEY_PEM = KEY.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption()).decode()
PUBLIC_PEM = KEY.public_key().public_bytes(
    serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()
runner = CliRunner()


def _pdf_for(db_url: str, name: str, keten: KetenInstellingen, *, as_other: bool = False
             ) -> tuple[Any, dict[str, Any]]:
    """Store the example, make its advies and fetch `/ui/adviezen/{id}/rapport.pdf`."""
    application = create_app(make_settings(db_url, keten=keten))
    try:
        with TestClient(application, raise_server_exceptions=False) as c:
            casus = c.post("/v1/casussen", json=example(name), headers=CONSULENT).json()
            advies = c.post("/v1/adviezen", json={"casus_id": casus["id"]}, headers=CONSULENT)
            assert advies.status_code == 201, advies.text
            who = CONSULENT_2 if as_other else CONSULENT
            c.cookies.set("ot_sessie", who["Authorization"].removeprefix("Bearer "))
            return c.get(f"/ui/adviezen/{advies.json()['id']}/rapport.pdf"), advies.json()
    finally:
        dispose(application)


@pytest.fixture(scope="module")
def gezin(tmp_path_factory: pytest.TempPathFactory) -> tuple[bytes, dict[str, Any]]:
    db = tmp_path_factory.mktemp("dossier") / "ot.sqlite3"
    r, advies = _pdf_for(f"sqlite:///{db}", "gezin-meervoudig",
                         KetenInstellingen(sleutel_pem=KEY_PEM))
    assert r.status_code == 200, r.text[:500]
    return r.content, advies


@pytest.fixture
def files(tmp_path: Path) -> Iterator[dict[str, Path]]:
    cert = tmp_path / "dossier.pem"
    result = runner.invoke(cli, ["dossier", "certificaat", "--uit", str(cert)],
                           env={"OT_KETEN_SLEUTEL_PEM": KEY_PEM})
    assert result.exit_code == 0, result.output
    key = tmp_path / "keten.pub.pem"
    key.write_text(PUBLIC_PEM)
    yield {"certificaat": cert, "sleutel": key, "map": tmp_path}


def verifieer(pdf: bytes, where: Path, *options: str, env: dict[str, str] | None = None
              ) -> Any:
    path = where / "dossier.pdf"
    path.write_bytes(pdf)
    return runner.invoke(cli, ["dossier", "verifieer", str(path), *options], env=env or {})


def signed_range(pdf: bytes) -> tuple[int, int, int, int]:
    found = re.search(rb"/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]", pdf)
    assert found is not None
    a, b, c, d = (int(x) for x in found.groups())
    return a, b, c, d


# ── the route ────────────────────────────────────────────────────────────────────────────────

def test_the_report_is_a_signed_pdf_with_the_report_access(db_url: str, tmp_path: Path
                                                            ) -> None:
    keten = KetenInstellingen(sleutel_pem=KEY_PEM)
    r, advies = _pdf_for(db_url, "scootmobiel", keten)
    assert r.status_code == 200, r.text[:500]
    assert r.headers["content-type"] == "application/pdf"
    assert r.headers["x-dossier-ondertekend"] == "ja"
    assert f'filename="advies-{advies["id"]}.pdf"' in r.headers["content-disposition"]
    assert r.content.startswith(b"%PDF-")
    assert b"/ETSI.CAdES.detached" in r.content
    key = tmp_path / "keten.pub.pem"
    key.write_text(PUBLIC_PEM)
    result = verifieer(r.content, tmp_path, "--publieke-sleutel", str(key))
    assert result.exit_code == 0, result.output
    assert f"Dossier advies {advies['id']}, trace-hash {advies['trace_hash']}" in result.output

    # another consulent sees what an unknown id shows: no PDF
    other, _ = _pdf_for(db_url, "scootmobiel", keten, as_other=True)
    assert other.status_code == 404
    assert not other.content.startswith(b"%PDF")


def test_without_a_key_the_pdf_says_it_is_not_signed(tmp_path: Path) -> None:
    r, _ = _pdf_for(f"sqlite:///{tmp_path / 'ot.sqlite3'}", "scootmobiel", KetenInstellingen())
    assert r.status_code == 200 and r.content.startswith(b"%PDF-")
    assert r.headers["x-dossier-ondertekend"] == "nee"
    assert b"/ByteRange" not in r.content
    result = verifieer(r.content, tmp_path, "--publieke-sleutel",
                       str(_write(tmp_path / "k.pem", PUBLIC_PEM)))
    assert result.exit_code == 1
    assert "geen handtekening" in result.output


def _write(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


# ── verification of the gezin-meervoudig dossier ─────────────────────────────────────────────

def test_the_gezin_dossier_verifies_with_the_certificate_and_with_the_chain_key(
        gezin: tuple[bytes, dict[str, Any]], files: dict[str, Path]) -> None:
    pdf, advies = gezin
    ok = verifieer(pdf, files["map"], "--certificaat", str(files["certificaat"]))
    assert ok.exit_code == 0, ok.output
    assert "dossier echt en ongewijzigd" in ok.output
    assert advies["trace_hash"] in ok.output
    by_key = verifieer(pdf, files["map"], "--publieke-sleutel", str(files["sleutel"]))
    assert by_key.exit_code == 0, by_key.output
    # without options: what the environment trusts (the chain's public keys)
    by_env = verifieer(pdf, files["map"], env={"OT_KETEN_PUBLIEKE_SLEUTELS_PEM": PUBLIC_PEM})
    assert by_env.exit_code == 0, by_env.output
    nothing = verifieer(pdf, files["map"])
    assert nothing.exit_code == 1
    assert "niets om tegen te controleren" in nothing.output


def test_the_print_layout_carries_id_hash_and_page_numbers(
        gezin: tuple[bytes, dict[str, Any]]) -> None:
    """A4 pages; the CSS that puts the advies id, the trace hash and "pagina n van m" on each
    page is made from the stored values (the text itself is compressed in the PDF)."""
    pdf, advies = gezin
    assert re.search(rb"/MediaBox\s*\[\s*0 0 595\.\d* 841\.\d*", pdf)
    css = dossier.print_css(advies["id"], advies["trace_hash"], True)
    assert "size: A4" in css and 'counter(page) " van " counter(pages)' in css
    hexes = advies["trace_hash"].removeprefix("sha256:")
    assert hexes in css and advies["id"].split("-")[0] in css


def test_one_byte_changed_inside_the_signed_range_fails(
        gezin: tuple[bytes, dict[str, Any]], files: dict[str, Path]) -> None:
    pdf, _ = gezin
    _, first_end, _, _ = signed_range(pdf)
    at = pdf.index(b"stream\n", first_end // 2) + 40  # inside page content, still parseable
    assert at < first_end
    changed = bytearray(pdf)
    changed[at] ^= 0x01
    result = verifieer(bytes(changed), files["map"], "--certificaat", str(files["certificaat"]))
    assert result.exit_code == 1
    assert "de handtekening klopt niet" in result.output


def test_a_byte_anywhere_in_the_signed_range_never_passes(
        gezin: tuple[bytes, dict[str, Any]], files: dict[str, Path]) -> None:
    """Also where the change breaks the file's structure: invalid, exit 1, never a crash."""
    pdf, _ = gezin
    _, b, c, d = signed_range(pdf)
    cert = dossier.load_certificates(files["certificaat"].read_bytes(), "test")
    for at in (10, b // 3, b - 5, c + 5, c + d - 10):
        changed = bytearray(pdf)
        changed[at] ^= 0x20
        assert dossier.verify_pdf(bytes(changed), cert).geldig is False, at


def test_something_added_after_signing_fails(gezin: tuple[bytes, dict[str, Any]],
                                             files: dict[str, Path]) -> None:
    from pyhanko.pdf_utils.generic import NameObject, TextStringObject
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    pdf, _ = gezin
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    info = writer.trailer["/Info"]
    info[NameObject("/Title")] = TextStringObject("een ander advies")
    writer.update_container(info)
    out = io.BytesIO()
    writer.write(out)  # type: ignore[no-untyped-call]
    result = verifieer(out.getvalue(), files["map"], "--certificaat", str(files["certificaat"]))
    assert result.exit_code == 1
    assert "dekt niet het hele bestand" in result.output


def test_another_certificate_is_not_trusted(gezin: tuple[bytes, dict[str, Any]],
                                            files: dict[str, Path]) -> None:
    pdf, _ = gezin
    other = dossier.self_signed_certificate(Ed25519PrivateKey.generate())
    path = _write(files["map"] / "ander.pem", dossier.certificate_pem([other]))
    result = verifieer(pdf, files["map"], "--certificaat", str(path))
    assert result.exit_code == 1
    assert "niet vertrouwd" in result.output


# ── the certificate ──────────────────────────────────────────────────────────────────────────

def test_the_self_signed_certificate_is_the_same_at_every_start() -> None:
    assert (dossier.self_signed_certificate(KEY).public_bytes(serialization.Encoding.DER)
            == dossier.self_signed_certificate(KEY).public_bytes(serialization.Encoding.DER))


def _ca_issued() -> tuple[x509.Certificate, x509.Certificate]:
    """A municipality's CA (Ed25519) that issued a certificate for the chain key."""
    ca_key = Ed25519PrivateKey.generate()
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Gemeente Proefdorp CA")])
    now = dt.datetime.now(dt.UTC)
    ca = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name)
          .public_key(ca_key.public_key()).serial_number(1)
          .not_valid_before(now - dt.timedelta(days=1))
          .not_valid_after(now + dt.timedelta(days=30))
          .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
          .sign(ca_key, None))
    leaf = (x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "dossier")]))
            .issuer_name(ca_name).public_key(KEY.public_key()).serial_number(2)
            .not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=30))
            .add_extension(x509.KeyUsage(  # pyHanko asks for non-repudiation by default
                digital_signature=True, content_commitment=True, key_encipherment=False,
                data_encipherment=False, key_agreement=False, key_cert_sign=False,
                crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
            .sign(ca_key, None))
    return ca, leaf


def test_a_configured_certificate_signs_and_verifies_against_its_ca(tmp_path: Path) -> None:
    ca, leaf = _ca_issued()
    env = {"OT_KETEN_SLEUTEL_PEM": KEY_PEM,
           "OT_DOSSIER_CERTIFICAAT_PEM": dossier.certificate_pem([leaf, ca])}
    cfg = DossierInstellingen.from_env(env, KetenInstellingen.from_env(env))
    signer = dossier.Signer.make(KEY, cfg.certificaten)
    assert signer.certificate == leaf and signer.chain == (ca,)
    pdf, pages = dossier.render_pdf("<p>Rapport</p>", "a-1", "sha256:00", True)
    assert pages == 1
    signed = dossier.sign_pdf(pdf, signer, "test")
    assert dossier.verify_pdf(signed, [ca]).geldig
    assert not dossier.verify_pdf(signed, [dossier.self_signed_certificate(KEY)]).geldig


def test_a_certificate_for_another_key_is_refused_at_start(
        monkeypatch: pytest.MonkeyPatch) -> None:
    other = dossier.self_signed_certificate(Ed25519PrivateKey.generate())
    monkeypatch.setenv("OT_KETEN_SLEUTEL_PEM", KEY_PEM)
    monkeypatch.setenv("OT_DOSSIER_CERTIFICAAT_PEM", dossier.certificate_pem([other]))
    with pytest.raises(ValidationError, match="geen certificaat voor de sleutel"):
        Settings.from_env()
    monkeypatch.setenv("OT_DOSSIER_CERTIFICAAT_PEM", "geen pem")
    with pytest.raises(ValidationError, match="geen PEM-certificaat"):
        Settings.from_env()


def test_values_cannot_break_out_of_the_print_css() -> None:
    """The id and hash go into CSS strings: a quote, brace, backslash or newline is escaped."""
    assert dossier._css_string('a"}\\\n{') == '"a\\000022 \\00007d \\00005c \\00000a \\00007b "'
    css = dossier.print_css('x"; } body { display: none } @page { x', "sha256:0", False)
    assert css.count("{") == css.count("}")
    assert dossier.NIET_ONDERTEKEND.split(":")[0] in css
