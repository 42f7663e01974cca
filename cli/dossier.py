"""`ot dossier`: check a signed dossier PDF offline, and export the certificate to check it with.

A lawyer or auditor receives `advies-….pdf` (`/ui/adviezen/{id}/rapport.pdf`) and wants to know,
without the service, that it is the service's and unchanged: `ot dossier verifieer` checks the
signature (service/dossier.py `verify_pdf`). Trusted is what is given on the command line
(`--certificaat`, `--publieke-sleutel`); without options, what the environment configures
(`OT_DOSSIER_CERTIFICAAT[_PEM]`, `OT_KETEN_PUBLIEKE_SLEUTELS[_PEM]`, the public half of
`OT_KETEN_SLEUTEL[_PEM]`). The certificate embedded in the PDF is never trusted by itself:
anyone can embed one.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.text import Text

dossier_app = typer.Typer(add_completion=False, no_args_is_help=True,
                          help="Het ondertekende dossier (PDF): controleren en het certificaat "
                               "exporteren.")
out = Console(highlight=False, soft_wrap=True)  # hashes stay on one line, copyable
err = Console(stderr=True, highlight=False, soft_wrap=True)


def _fail(title: str, lines: list[str], code: int) -> typer.Exit:
    err.print(f"[bold red]{title}[/]")
    for line in lines:
        err.print(Text(f"  {line}"))
    return typer.Exit(code)


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise _fail("Niet te lezen", [f"{path}: {type(exc).__name__}"], 2) from exc


def _environment() -> tuple[Any, Any]:
    """The dossier and chain settings from `OT_*`; a bad value is a clear error, exit 2."""
    from pydantic import ValidationError

    from service.settings import DossierInstellingen, KetenInstellingen

    try:
        keten = KetenInstellingen.from_env(os.environ)
        return DossierInstellingen.from_env(os.environ, keten), keten
    except ValidationError as exc:
        raise _fail("De instellingen zijn niet te gebruiken", [
            str(e["msg"]).removeprefix("Value error, ") for e in exc.errors()], 2) from exc


def _trusted(certificaat: list[Path] | None, publieke_sleutel: list[Path] | None
             ) -> tuple[list[Any], list[Any]]:
    from service.dossier import load_certificates, self_signed_certificate
    from service.keten import load_public_keys

    try:
        if certificaat or publieke_sleutel:
            certs = [c for p in certificaat or [] for c in load_certificates(_read(p), str(p))]
            keys = [k for p in publieke_sleutel or []
                    for k in load_public_keys(_read(p), str(p))]
            return certs, keys
    except ValueError as exc:
        raise _fail("Het certificaat of de sleutel is niet te lezen", [str(exc)], 2) from exc
    dossier, keten = _environment()
    certs = list(dossier.certificaten)
    if keten.privesleutel is not None and not certs:
        certs.append(self_signed_certificate(keten.privesleutel))
    return certs, list(keten.vertrouwde_sleutels)


@dossier_app.command("verifieer")
def verifieer(
    bestand: Annotated[Path, typer.Argument(exists=True, dir_okay=False,
                                            help="het dossier (PDF)")],
    certificaat: Annotated[list[Path] | None, typer.Option(
        "--certificaat", exists=True, dir_okay=False,
        help="PEM-certificaat om te vertrouwen: dat van de service (`ot dossier certificaat`) "
             "of de CA erboven")] = None,
    publieke_sleutel: Annotated[list[Path] | None, typer.Option(
        "--publieke-sleutel", exists=True, dir_okay=False,
        help="PEM met de publieke sleutel(s) van de keten (dezelfde sleutel ondertekent het "
             "dossier)")] = None,
) -> None:
    """Controleer offline dat het dossier ondertekend is met het vertrouwde certificaat en
    dat de handtekening het hele bestand dekt. Exit 1 als dat niet zo is."""
    from service.dossier import verify_pdf

    certs, keys = _trusted(certificaat, publieke_sleutel)
    result = verify_pdf(_read(bestand), certs, keys)
    if result.ondertekenaar:
        out.print(Text(f"  ondertekend door: {result.ondertekenaar}"))
    if result.reden:
        out.print(Text(f"  reden: {result.reden}"))
    if result.tijdstip:
        out.print(Text(f"  tijdstip (volgens de ondertekenaar): {result.tijdstip}"))
    if result.geldig:
        out.print("[bold green]dossier echt en ongewijzigd[/]: de handtekening dekt het hele "
                  "bestand")
        return
    raise _fail("dossier niet geldig", result.meldingen, 1)


@dossier_app.command("certificaat")
def certificaat(
    uit: Annotated[Path, typer.Option("--uit", dir_okay=False,
                                      help="bestand voor het certificaat (PEM)")],
) -> None:
    """Schrijf het certificaat waarmee de service het dossier ondertekent (uit
    OT_KETEN_SLEUTEL[_PEM] en OT_DOSSIER_CERTIFICAAT[_PEM]), om mee te geven aan wie
    dossiers controleert. Zonder ingesteld certificaat is het zelf ondertekend en bij elke
    start hetzelfde."""
    from service.dossier import Signer, certificate_pem

    dossier, keten = _environment()
    if keten.privesleutel is None:
        raise _fail("Geen sleutel", ["stel OT_KETEN_SLEUTEL of OT_KETEN_SLEUTEL_PEM in"], 2)
    signer = Signer.make(keten.privesleutel, dossier.certificaten)
    uit.write_text(certificate_pem(signer.certificates), "utf-8")
    out.print(Text(f"certificaat ({signer.certificate.subject.rfc4514_string()}) geschreven "
                   f"naar {uit}"))
