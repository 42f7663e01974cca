"""`ot bewaartermijn`: erase the archived casussen whose retention period has passed.

The municipality sets the period (`OT_BEWAARTERMIJN_JAREN`) from the Archiefwet selectielijst
for gemeenten; this command never picks one, and without it erases nothing. It counts from
archiving (`POST /v1/casussen/{id}/_archiveer`). Without `--uitvoeren` it only lists (a dry
run); with it, each casus is erased by the same code as `POST /v1/casussen/{id}/_wis`
(`service.store.store_wissing`, through `erase_past_retention`), as a link of the chain and a
`casus_wissen` record in the processing log, by the actor `systeem|bewaartermijn`. Run it from
cron or a scheduler on the service's database; it never creates or migrates one.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

out = Console(highlight=False, soft_wrap=True)  # ids stay on one line, copyable
err = Console(stderr=True, highlight=False, soft_wrap=True)


def _fail(title: str, lines: list[str], code: int = 2) -> typer.Exit:
    err.print(f"[bold red]{title}[/]")
    for line in lines:
        err.print(Text(f"  {line}"))
    return typer.Exit(code)


def _settings(database_url: str | None) -> Any:
    from pydantic import ValidationError

    from service.settings import Settings

    try:
        cfg = Settings.from_env()
    except (ValidationError, ValueError) as exc:
        lines = ([f"{'.'.join(str(x) for x in e['loc']) or 'OT_*'}: {e['msg']}"
                  for e in exc.errors()] if isinstance(exc, ValidationError) else [str(exc)])
        raise _fail("De instellingen kloppen niet", lines) from exc
    if cfg.bewaartermijn_jaren is None:
        raise _fail("Geen bewaartermijn ingesteld", [
            "OT_BEWAARTERMIJN_JAREN ontbreekt: er wordt niets gewist. De gemeente stelt de "
            "termijn vast uit de selectielijst gemeenten (Archiefwet) en zet hem in jaren."])
    return cfg.model_copy(update={"database_url": database_url}) if database_url else cfg


def _engines(url: str) -> tuple[Any, Any]:
    """The service's existing database at schema 0007 or later; never created or migrated."""
    from sqlalchemy import inspect

    from service.db import DatabaseMissing, make_engines

    try:
        writer, reader = make_engines(url, create=False)
    except DatabaseMissing as exc:
        raise _fail("De database bestaat niet", [
            f"--database-url: geen database op {exc}; er is niets aangemaakt"]) from exc
    try:
        columns = {c["name"] for c in inspect(reader).get_columns("casussen")}
    except Exception as exc:  # unreachable server, not a database, no tables, …
        writer.dispose()
        reader.dispose()
        raise _fail("De database is niet te lezen",
                    [f"--database-url: {type(exc).__name__}"]) from exc
    if "gearchiveerd" not in columns:
        writer.dispose()
        reader.dispose()
        raise _fail("Het schema van de database is te oud", [
            "--database-url: migratie 0007 (archief) ontbreekt; start de service eenmaal om "
            "te migreren"])
    return writer, reader


def bewaartermijn(
    uitvoeren: Annotated[bool, typer.Option(
        "--uitvoeren", help="wis ze echt (zonder deze optie: alleen tonen wat gewist zou "
                            "worden)")] = False,
    database_url: Annotated[str | None, typer.Option(
        "--database-url", envvar="OT_DATABASE_URL",
        help="database van de service (standaard: die van `make serve`)")] = None,
) -> None:
    """Toon (of wis, met --uitvoeren) de gearchiveerde casussen waarvan de bewaartermijn
    (OT_BEWAARTERMIJN_JAREN, gerekend vanaf het archiveren) verstreken is."""
    from service.db import session_factory
    from service.keten import signer_for
    from service.store import erase_past_retention, past_retention, retention_cutoff

    cfg = _settings(database_url)
    jaren: int = cfg.bewaartermijn_jaren
    moment = dt.datetime.now(dt.UTC)
    writer, reader = _engines(cfg.database_url)
    try:
        cutoff = retention_cutoff(jaren, moment)
        out.print(f"bewaartermijn {jaren} jaar (OT_BEWAARTERMIJN_JAREN), gerekend vanaf het "
                  f"archiveren: verstreken voor casussen gearchiveerd tot en met "
                  f"{cutoff[:19].replace('T', ' ')} UTC")
        if not uitvoeren:
            with session_factory(reader)() as session:
                due = past_retention(session, jaren, moment)
            if not due:
                out.print("geen casus te wissen")
                return
            table = Table("casus", "gearchiveerd", box=None)
            for casus_id, gearchiveerd in due:
                table.add_row(casus_id, gearchiveerd[:19].replace("T", " "))
            out.print(table)
            out.print(f"{len(due)} casussen te wissen; er is niets gewist (droog). Wis ze met "
                      "--uitvoeren.")
            return
        done = erase_past_retention(
            session_factory(writer), jaren=jaren, moment=moment,
            activiteit=cfg.verwerkingsactiviteit, pseudoniem_sleutel=cfg.pseudoniem_sleutel,
            signer=signer_for(cfg.keten))
        for w in done:
            out.print(f"gewist: casus {w.casus_id} (wissing {w.id}, volgnummer "
                      f"{w.volgnummer})")
        out.print(f"{len(done)} casussen gewist")
    finally:
        writer.dispose()
        reader.dispose()
