"""`ot`: the command line for consulenten (advies) and beleidsmedewerkers (lint, test).

Only the engine's public API is used. Every user error ends in a list of problems with their
location and a non-zero exit, never a traceback.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from cli.instrument_details import details_text
from engine import CasusError, Engine, PackError, Problem, rank_questions, semantics
from engine.eenheden import met_eenheid
from engine.loader import DEFAULT_RULES_DIR
from engine.yamlsource import YamlError
from engine.yamltests import find_test_files, run_files

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="Omgekeerde Toets: advies per gewenst effect; regels schrijven en testen.")
out = Console(highlight=False, soft_wrap=False)
err = Console(stderr=True, highlight=False)

STATUS_STYLE = {"past": "bold green", "voorwaardelijk": "bold yellow", "past_niet": "bold red"}
TREDE_TEXT = {"eigen_kracht": "eigen kracht", "gebruikelijke_hulp": "gebruikelijke hulp",
              "netwerk": "netwerk", "algemene_voorziening": "algemene voorziening",
              "maatwerk": "maatwerk"}

RulesOption = Annotated[list[Path] | None, typer.Option(
    "--regels", "-r", help="map met regelpakketten (standaard: de meegeleverde rules/)")]


def _problems(title: str, problems: list[Problem]) -> None:
    err.print(f"[bold red]{title}[/] ({len(problems)})")
    for p in problems:
        err.print(Text(f"  {p.render()}"))


def _engine(regels: list[Path] | None) -> Engine:
    try:
        return Engine.load(regels or None)
    except PackError as exc:
        _problems("Fouten in de regelpakketten", exc.problems)
        raise typer.Exit(2) from exc


@app.command()
def advies(
    casus: Annotated[Path, typer.Argument(help="casus in YAML of JSON", exists=True,
                                          dir_okay=False)],
    json_: Annotated[bool, typer.Option("--json", help="print het volledige bewijsstuk "
                                                       "(trace) als JSON")] = False,
    regels: RulesOption = None,
    backend: Annotated[str, typer.Option(help="durable of oracle")] = "durable",
    gemeente: Annotated[str | None, typer.Option(
        "--gemeente", help="advies voor een inwoner van deze gemeente (bv. GM9991), met haar "
                           "lokale beleid; vervangt de gemeente van de casus")] = None,
) -> None:
    """Advies voor een casus: per gewenst effect de wetten (stap 2) en instrumenten (stap 4).
    Met een gemeente (in de casus of met --gemeente) ook het lokale beleid: annotaties,
    lokale termijnen en ingevulde open normen."""
    eng = _engine(regels)
    if backend not in ("durable", "oracle"):
        _problems("Onbekende backend", [Problem(pad="--backend", melding=backend)])
        raise typer.Exit(2)
    code = _gemeente_option(eng, gemeente, known_only=False)
    eng = eng.with_backend(backend)  # type: ignore[arg-type]
    try:
        parsed = eng.casus_file(casus)
        if code is not None:
            parsed = eng.casus({**parsed.model_dump(mode="json", exclude_none=True),
                                "gemeente": code})
        receipt = eng.advies(parsed)
    except (CasusError, YamlError) as exc:
        _problems("De casus klopt niet", exc.problems)
        raise typer.Exit(1) from exc
    if json_:
        sys.stdout.write(receipt.trace_json[:-1] + f',"trace_hash":"{receipt.trace_hash}"}}\n')
        return
    render_advies(receipt.trace, receipt.trace_hash, eng)


@app.command()
def vragen(
    casus: Annotated[Path, typer.Argument(help="casus in YAML of JSON", exists=True,
                                          dir_okay=False)],
    regels: RulesOption = None,
) -> None:
    """Wat nog te vragen, de beste vraag eerst: gerangschikt naar wat één antwoord beslist
    (de instrumenten waarvan elk antwoord de status vastlegt), dan naar de vragen die elk
    antwoord overbodig maakt, dan naar het aantal open voorwaarden. Hetzelfde als "Nog
    uitvragen" op de webpagina."""
    eng = _engine(regels)
    try:
        ranked = rank_questions(eng, eng.casus_file(casus))
    except (CasusError, YamlError) as exc:
        _problems("De casus klopt niet", exc.problems)
        raise typer.Exit(1) from exc
    if not ranked:
        out.print("Niets meer te vragen: elk instrument is beslist op wat de casus weet.")
        return
    several = len({b.effect for q in ranked for b in (*q.beslist, *q.soms)}) > 1

    def names(items: tuple[Any, ...]) -> str:
        return ", ".join(f"{b.naam} ({b.effect})" if several else b.naam for b in items)

    for n, q in enumerate(ranked, 1):
        out.print(Text(f"{n}. ", style="bold") + Text(q.vraag) + Text(f"  [{q.feit}]",
                                                                       style="dim"))
        if q.beslist:
            line = f"beslist over: {names(q.beslist)}"
            if q.soms:
                line += f"; soms ook over: {names(q.soms)}"
        elif q.soms:
            line = f"beslist alleen bij sommige antwoorden over: {names(q.soms)}"
        else:
            line = "beslist op zichzelf over geen instrument (hangt ook van andere vragen af)"
        word = "voorwaarde" if q.aantal == 1 else "voorwaarden"
        line += f" (open in {q.aantal} {word})"
        if q.overbodig:
            line += (f"; elk antwoord maakt {q.overbodig} andere "
                     f"{'vraag' if q.overbodig == 1 else 'vragen'} overbodig")
        out.print(Padding(Text(line), (0, 0, 0, 3)))


def _render_lokaal_beleid(trace: dict[str, Any], eng: Engine | None) -> None:
    """The local view's head: which overlays apply, and the open norms they fill."""
    gemeente = trace.get("gemeente", {})
    if not gemeente.get("lokaal_beleid"):
        return
    names = {p["id"]: f"{p['naam']} ({p['id']} {p['versie']})" for p in trace["pakketten"]}
    out.print(Text(f"Lokaal beleid {gemeente['code']}: " + "; ".join(
        names.get(pid, pid) for pid in gemeente["lokaal_beleid"]), style="bold cyan"))
    described: dict[str, str] = {}
    if eng is not None:
        described = {p.id: p.omschrijving for lp in eng.rules.packs for p in lp.pack.parameters}
    filled = [p for p in trace["parameters"] if p["bron"] == "lokaal"]
    if filled:
        out.print("[bold]Lokaal ingevulde open normen:[/]")
    for p in filled:
        waarde = met_eenheid(p['waarde'], p['eenheid'])
        out.print(Text(f"  • {described.get(p['id'], p['id'])}: {waarde} "
                       f"({p['pakket']}, {p['rechtsgrond']['tekst']})  [{p['id']}]"))


def _lokaal_text(ins: dict[str, Any]) -> Text:
    """An instrument's local lines in the table: the overlay's annotaties and the termijnen a
    local regulation fills (only those that apply or may apply)."""
    text = Text()
    for a in ins.get("lokaal", []):
        text.append(f"\nLokaal ({a['pakket']}): {a['tekst']} ({a['rechtsgrond']['tekst']})",
                    style="cyan")
    for t in ins.get("termijnen", []):
        if t.get("lokaal") and t.get("uitkomst") != "nee" and t.get("duur") is not None:
            text.append(f"\nLokale termijn ({t['lokaal']['pakket']}): "
                        f"{met_eenheid(t['duur'], t['eenheid'])}: {t['omschrijving']} "
                        f"({t['lokaal']['rechtsgrond']['tekst']})", style="cyan")
    return text


def render_advies(trace: dict[str, Any], digest: str, eng: Engine | None = None) -> None:
    advies = trace["advies"]
    s2 = advies["stap2"]
    out.rule(f"Advies Omgekeerde Toets · peildatum {trace['peildatum']}")
    melding = trace.get("gemeente", {}).get("melding")
    if melding:
        out.print(Text(f"Let op: {melding}.", style="bold magenta"))
    _render_lokaal_beleid(trace, eng)
    for w in trace.get("waarschuwingen", []):
        out.print(Text(f"Let op: {w['tekst']}.", style="bold magenta"))
    if s2["integraal_overleg"]:
        out.print(f"[bold]Integraal overleg[/] met: {', '.join(s2['domeinen'])}")
    else:
        out.print(f"[bold]{s2['toelichting']}[/]" + (f" ({', '.join(s2['domeinen'])})"
                                                     if s2["domeinen"] else ""))
    if s2["mogelijke_domeinen"]:
        ook = " ook" if s2["domeinen"] else ""
        out.print(f"Mogelijk{ook}: {', '.join(s2['mogelijke_domeinen'])} (nog uit te vragen)")
    parameters = {p["id"]: p for p in trace.get("parameters", [])}
    # the child a parent's effect names (gewenste_effecten[].kind), as the casus gave it
    kinderen = {g.get("id"): g.get("kind")
                for g in trace.get("casus", {}).get("gewenste_effecten", [])}
    for e in advies["effecten"]:
        out.print()
        over = f" · over kind {kinderen[e['id']]}" if kinderen.get(e["id"]) else ""
        out.rule(f"{e['id']} · {e['leefgebied']} · {e['persoon']}{over}", align="left")
        out.print(Text(f"“{e['omschrijving']}”", style="italic"))
        wetten = e["stap2"]["wetten"]
        if e["stap2"]["geen_grondwaarde"]:
            out.print("[bold red]Stap 2:[/] dit effect dient geen grondwaarde van de "
                      "regelpakketten.")
        else:
            out.print("[bold]Stap 2[/] grondwaarden: " + "; ".join(
                f"{w['naam']} ({'ja' if w['uitkomst'] == 'ja' else 'mogelijk'})"
                for w in wetten))
        out.print("[bold]Stap 4[/] instrumenten (op de ladder):")
        rows = [_instrument_row(ins, e, parameters) for ins in e["stap4"]["instrumenten"]]
        if out.width >= WIDE:
            table = Table(show_header=True, header_style="bold", expand=True, box=None)
            table.add_column("trede", no_wrap=True)
            table.add_column("instrument")
            table.add_column("status", min_width=16, max_width=22)
            table.add_column("waarom / waarom niet")
            for row in rows:
                table.add_row(*row)
            out.print(table)
        else:
            for trede, name, status, waarom in rows:
                out.print(Text("• ") + Text(trede, style="bold") + Text(" · ")
                          + Text.from_markup(name.split("\n", 1)[0]) + Text(" — ")
                          + Text(", ").join(status.split("\n")))
                out.print(Padding(Text.from_markup(name.split("\n", 1)[1]), (0, 0, 0, 2)))
                out.print(Padding(waarom, (0, 0, 0, 2)))
        if e["nog_uitvragen"]:
            out.print("[bold]Nog uitvragen:[/]")
            for q in e["nog_uitvragen"]:
                out.print(Text(f"  • {q['vraag']}  [{q['feit']}] "
                               f"(open in {q['aantal']} voorwaarden)"))
    out.print()
    packs = ", ".join(f"{p['id']} {p['versie']}" for p in trace["pakketten"])
    out.print(f"[dim]Regelpakketten: {packs} · trace {digest[:19]}…[/]")


WIDE = 120
"""From this terminal width on, stap 4 is a table; narrower, one block per instrument: a
four-column table at 80 columns wrapped the reasons to one or two words per line (a casus with
two effects printed 3,400 lines)."""


def _instrument_row(ins: dict[str, Any], e: dict[str, Any],
                    parameters: dict[str, dict[str, Any]]) -> tuple[str, str, Text, Text]:
    """One instrument as (trede, name with citation in markup, status, reasons and details)."""
    redenen = "\n".join(semantics.reden_text(r) for r in ins["redenen"]) or (
        "alle voorwaarden voldaan")
    name = f"{ins['naam']}\n[dim]{ins['rechtsgrond']['tekst']}[/]"
    if semantics.toont_onzekere_regels(ins):
        name += " [magenta](bevat onzekere regels)[/]"
    if ins.get("gemeente"):
        name += f" [cyan](lokaal: {ins['gemeente']})[/]"
    status = Text(semantics.status_label(ins["status"]), style=STATUS_STYLE[ins["status"]])
    if ins["markering"]:
        status.append("\n" + semantics.markering_label(ins), style="magenta")
    return (TREDE_TEXT[ins["trede"]], name, status,
            Text(redenen) + _lokaal_text(ins) + details_text(ins, e, parameters))


@app.command()
def herhaal(
    bewijsstuk: Annotated[Path, typer.Argument(help="bewijsstuk: de JSON van `ot advies --json`, "
                                               "of een advies van GET /v1/adviezen/{id}",
                                               exists=True, dir_okay=False)],
    regels: RulesOption = None,
) -> None:
    """Herhaal een opgeslagen advies: is het intact, en geeft het nu dezelfde trace?"""
    import json

    from engine.compare import parameter_info, vergelijk
    from engine.replay import NotAReceipt, receipt_from, replay

    eng = _engine(regels)
    try:
        receipt = receipt_from(json.loads(bewijsstuk.read_text(encoding="utf-8")))
    except (json.JSONDecodeError, UnicodeDecodeError, NotAReceipt) as exc:
        _problems("Geen geldig bewijsstuk", [Problem(bestand=str(bewijsstuk), pad="(document)",
                                                    melding=str(exc))])
        raise typer.Exit(1) from exc
    try:
        result = replay(receipt, eng)
    except CasusError as exc:
        _problems("De casus in het bewijsstuk klopt niet (meer)", exc.problems)
        raise typer.Exit(1) from exc
    out.print(f"intact (hash klopt): {'ja' if result.intact else '[red]nee[/]'}")
    out.print(f"zelfde regelpakketten: {'ja' if result.same_packs else '[yellow]nee[/]'}")
    if result.identical:
        out.print("[bold green]identiek[/]: de herhaling geeft byte voor byte dezelfde trace")
        return
    if not result.intact:
        out.print("[bold red]niet intact[/]: de trace_hash in het bewijsstuk hoort niet bij de "
                  "trace ernaast; het bewijsstuk is na het advies veranderd")
    if result.differences:
        # Evaluating again is deterministic (that is what replay checks); it gives the new
        # trace, which `ReplayResult` does not keep.
        stored = {k: v for k, v in receipt.items() if k != "trace_hash"}
        new = eng.advies(stored["casus"]).trace
        _print_vergelijking(vergelijk(stored, new, info_nu=parameter_info(eng, new)))
        shown = result.differences[:HERHAAL_RUW]
        count = (f"{len(result.differences)}" if len(result.differences) < 200
                 else "200 of meer")
        out.print()
        out.print(f"[bold red]verschillen[/] in de trace ({count}"
                  + (f"; de eerste {len(shown)}" if len(shown) < len(result.differences)
                     else "") + "):")
        for d in shown:
            out.print(Text(f"  {d}"))
    raise typer.Exit(1)


HERHAAL_RUW = 20
"""Raw JSON-path differences `ot herhaal` prints after the comparison in terms of the law."""


def _print_vergelijking(v: Any) -> None:
    """`engine.compare.Wetsvergelijking`, readable: what an auditor asks first."""
    out.print()
    out.rule("Vergelijking in termen van de wet", align="left")
    if v.gelijk:
        out.print("Geen verschil in status, voorwaarden, parameters of vragen.")
    for p in v.pakketten:
        out.print(Text(f"regelpakket {p.id}: versie {p.versie_toen or '-'} → "
                       f"{p.versie_nu or '-'} (andere inhoud)"))
    if v.stap2 is not None:
        out.print(Text(f"stap 2: integraal overleg {_janee(v.stap2.integraal_overleg_toen)} → "
                       f"{_janee(v.stap2.integraal_overleg_nu)}; domeinen "
                       f"{', '.join(v.stap2.domeinen_toen) or '-'} → "
                       f"{', '.join(v.stap2.domeinen_nu) or '-'}"))
    for ins in v.instrumenten:
        line = Text(f"{ins.effect} · ", style="bold")
        line.append(ins.naam, style="bold")
        if ins.rechtsgrond:
            line.append(f" ({ins.rechtsgrond})", style="dim")
        out.print(line)
        status = Text("  status: ")
        status.append(semantics.status_label(ins.status_toen),
                      style=STATUS_STYLE.get(ins.status_toen, ""))
        status.append(" → ")
        status.append(semantics.status_label(ins.status_nu),
                      style=STATUS_STYLE.get(ins.status_nu, ""))
        if ins.markering_toen != ins.markering_nu:
            status.append(f"; markering {', '.join(ins.markering_toen) or '-'} → "
                          f"{', '.join(ins.markering_nu) or '-'}", style="magenta")
        for why in (ins.reden_toen, ins.reden_nu):
            if why:
                status.append(f" ({why})", style="dim")
        out.print(status)
        for g in ins.gronden:
            out.print(Text(f"    • {g.soort} {g.id}"
                           + (f" ({g.rechtsgrond})" if g.rechtsgrond else "")
                           + f": {g.uitkomst_toen or '-'} → {g.uitkomst_nu or '-'}"
                           + (f"; reden: {g.stand_toen or 'geen'} → {g.stand_nu or 'geen'}"
                              if g.stand_toen != g.stand_nu else "")))
            if g.uitleg:
                out.print(Text(f"      {g.uitleg}", style="dim"))
    if v.afgeleide_feiten:
        out.print("[bold]Afgeleide feiten:[/]")
        for a in v.afgeleide_feiten:
            out.print(Text(f"  {a.effect} · {a.id}"
                           + (f" ({a.rechtsgrond})" if a.rechtsgrond else "")
                           + f": {a.uitkomst_toen or '-'} → {a.uitkomst_nu or '-'}"))
    if v.parameters:
        out.print("[bold]Parameters:[/]")
        for p in v.parameters:
            out.print(Text(f"  {p.id}" + (f" — {p.omschrijving}" if p.omschrijving else "")))
            out.print(Text(f"    {_param(p.toen)} → {_param(p.nu)}"))
    for title, vragen in (("Nu ook uit te vragen", v.vragen_erbij),
                          ("Niet meer uit te vragen", v.vragen_vervallen)):
        if vragen:
            out.print(f"[bold]{title}:[/]")
            for q in vragen:
                out.print(Text(f"  • {q.vraag or q.feit}  [{q.feit}]"))


def _janee(v: bool | None) -> str:
    return "onbekend" if v is None else "ja" if v else "nee"


def _param(p: Any) -> str:
    if p is None:
        return "(geen)"
    text = met_eenheid(p.waarde, p.eenheid)
    if p.rechtsgrond:
        text += f" ({p.rechtsgrond})"
    if p.geldig_vanaf or p.geldig_tot:
        text += f", geldig {p.geldig_vanaf or 'begin'} t/m {p.geldig_tot or 'open einde'}"
    return text


# ── `ot keten`: the chain, its signed heads and an auditor's anchor ─────────────────────────

keten_app = typer.Typer(add_completion=False, no_args_is_help=False,
                        help="Controleer de keten van opgeslagen adviezen; exporteer een anker.")
app.add_typer(keten_app, name="keten")
from cli.dossier import dossier_app  # noqa: E402  (issue 16: the signed dossier PDF)

app.add_typer(dossier_app, name="dossier")
from cli.bewaartermijn import bewaartermijn  # noqa: E402  (issue 14: the retention period)

app.command("bewaartermijn")(bewaartermijn)

DatabaseOption = Annotated[str | None, typer.Option(
    "--database-url", envvar="OT_DATABASE_URL",
    help="database van de service (standaard: die van `make serve`)")]


def _keten_database(database_url: str | None) -> tuple[Any, Any]:
    """Open an existing database for the chain commands; never create one (a wrong path is a
    clear error, not an empty database)."""
    from sqlalchemy import inspect

    from service.db import DatabaseMissing, make_engines
    from service.settings import Settings

    url = database_url or Settings().database_url
    try:
        writer, reader = make_engines(url, create=False)
    except DatabaseMissing as exc:
        _problems("De database bestaat niet", [Problem(
            pad="--database-url", melding=f"geen database op {exc}; er is niets aangemaakt")])
        raise typer.Exit(2) from exc
    try:
        ready = inspect(reader).has_table("keten_ankers")
    except Exception as exc:  # unreachable server, not a database, …
        writer.dispose()
        reader.dispose()
        _problems("De database is niet te lezen", [Problem(pad="--database-url",
                                                           melding=type(exc).__name__)])
        raise typer.Exit(2) from exc
    if not ready:
        writer.dispose()
        reader.dispose()
        _problems("Het schema van de database is te oud", [Problem(
            pad="--database-url", melding="migratie 0003 (keten_ankers) ontbreekt; start de "
                                          "service eenmaal om te migreren")])
        raise typer.Exit(2)
    return writer, reader


def _keten_settings(publieke_sleutel: list[Path] | None) -> Any:
    """`OT_KETEN_*` from the environment, plus public keys given on the command line."""
    import os

    from pydantic import ValidationError

    from service.settings import KetenInstellingen

    try:
        cfg = KetenInstellingen.from_env(os.environ)
        extra = [KetenInstellingen(publieke_sleutels=p) for p in publieke_sleutel or []]
    except ValidationError as exc:
        _problems("De sleutel van de keten is niet te gebruiken", [
            Problem(pad=".".join(str(x) for x in e["loc"]) or "OT_KETEN_*",
                    melding=str(e["msg"]).removeprefix("Value error, "))
            for e in exc.errors()])
        raise typer.Exit(2) from exc
    return cfg, [k for c in (cfg, *extra) for k in c.vertrouwde_sleutels]


def _read_anchor(path: Path) -> dict[str, Any]:
    from service.schemas import KetenAnker

    return _read_document(path, KetenAnker, "Het anker", "geen geldig anker")


def _read_document(path: Path, model: Any, naam: str, ongeldig: str) -> dict[str, Any]:
    """A JSON document an auditor kept (an anchor, a checkpoint), validated by its model; a
    bad one names the file and the field."""
    return _validated(_read_json(path, naam), model, naam, ongeldig, str(path))


def _read_json(path: Path, naam: str) -> Any:
    import json

    try:
        return json.loads(path.read_text("utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        _problems(f"{naam} is niet te lezen", [Problem(bestand=str(path), pad="(document)",
                                                       melding=str(exc))])
        raise typer.Exit(2) from exc


def _validated(data: Any, model: Any, naam: str, ongeldig: str, bestand: str,
               prefix: str = "") -> dict[str, Any]:
    """`data` validated by `model`; a problem names `bestand` and the field (after `prefix`,
    such as the index in a list)."""
    from pydantic import ValidationError

    try:
        found: dict[str, Any] = model.model_validate(data).model_dump()
        return found
    except ValidationError as exc:
        from engine.casus import dutch_message

        _problems(f"{naam} is {ongeldig}", [
            Problem(bestand=bestand,
                    pad=prefix + ".".join(str(x) for x in e["loc"]) or "(document)",
                    melding=dutch_message(e)) for e in exc.errors()])
        raise typer.Exit(2) from exc


@keten_app.callback(invoke_without_command=True)
def keten(
    ctx: typer.Context,
    database_url: DatabaseOption = None,
    anker: Annotated[list[Path] | None, typer.Option(
        "--anker", exists=True, dir_okay=False,
        help="een geëxporteerd anker (JSON): moet nog een begin van de keten zijn")] = None,
    publieke_sleutel: Annotated[list[Path] | None, typer.Option(
        "--publieke-sleutel", exists=True, dir_okay=False,
        help="PEM met vertrouwde publieke sleutel(s) (naast OT_KETEN_PUBLIEKE_SLEUTELS)")] = None,
    vanaf: Annotated[Path | None, typer.Option(
        "--vanaf", exists=True, dir_okay=False,
        help="een controlepunt van een eerdere controle (JSON): lees alleen de schakels die "
             "erna kwamen")] = None,
    controlepunt_uit: Annotated[Path | None, typer.Option(
        "--controlepunt-uit", dir_okay=False,
        help="schrijf, als de keten intact is, een controlepunt (JSON) voor de volgende "
             "controle met --vanaf (bij meer ketens: een lijst, een per keten)")] = None,
    keten_naam: Annotated[str | None, typer.Option(
        "--keten", help="alleen deze keten: een gemeentecode (GM0363), of '' voor de keten "
                        "zonder gemeente; zonder: elke keten")] = None,
    processen: Annotated[int, typer.Option(
        "--processen", min=1,
        help="verdeel een lange keten (vanaf 20.000 schakels) over zoveel processen; "
             "standaard het aantal kernen, hooguit 4")] = min(os.cpu_count() or 1, 4),
) -> None:
    """Controleer de ketens van opgeslagen adviezen (een per gemeente, en een zonder) en de
    ondertekende koppen (voor auditors). Leest alleen; maakt niets aan. Met --vanaf alleen de
    schakels na een eerder controlepunt (de ondertekende koppen alle); een wijziging van een
    oudere schakel ziet alleen een controle van de hele keten."""
    if ctx.invoked_subcommand is not None:
        return
    import json
    import re

    from service.db import KETEN_NAAM, session_factory
    from service.keten import checkpoint_document, verify, verify_all

    if keten_naam is not None and not re.fullmatch(KETEN_NAAM, keten_naam):
        _problems("Ongeldige keten", [Problem(pad="--keten", melding=(
            f"{keten_naam!r} is geen gemeentecode (GM en vier cijfers) en niet leeg"))])
        raise typer.Exit(2)
    _, keys = _keten_settings(publieke_sleutel)
    extern = [_read_anchor(p) for p in anker or []]
    starts = _read_checkpoints(vanaf) if vanaf is not None else []
    if keten_naam is not None:
        starts = [p for p in starts if p.keten == keten_naam]
    writer, reader = _keten_database(database_url)
    try:
        with session_factory(reader)() as session:
            if keten_naam is None:
                result = verify_all(session, keys, extern, starts, processen)
            else:
                result = verify(session, keys, extern, starts[0] if starts else None,
                                keten_naam, processen)
    except Exception as exc:  # an unreadable database is a user error here
        _problems("De database is niet te lezen", [Problem(pad="--database-url",
                                                           melding=type(exc).__name__)])
        raise typer.Exit(2) from exc
    finally:
        writer.dispose()
        reader.dispose()
    for line in result.meldingen:
        out.print(Text(f"  {line}"))
    if result.geldig:
        out.print(Text.assemble(("keten intact", "bold green"), f": {result.melding}"))
        points = [r.controlepunt for r in result.ketens or [result]
                  if r.controlepunt is not None]
        if controlepunt_uit is not None and points:
            docs = [checkpoint_document(p) for p in points]
            controlepunt_uit.write_text(json.dumps(docs[0] if len(docs) == 1 else docs,
                                                   indent=2) + "\n", "utf-8")
            at = ", ".join(f"{p.keten or 'zonder gemeente'} {p.volgnummer}" for p in points)
            out.print(Text(f"controlepunt (volgnummer {at}) geschreven naar {controlepunt_uit}"
                           if len(points) > 1 else
                           f"controlepunt bij volgnummer {points[0].volgnummer} geschreven "
                           f"naar {controlepunt_uit}"))
        return
    where = f" bij volgnummer {result.eerste_fout}" if result.eerste_fout is not None else ""
    out.print(Text.assemble(("keten gebroken", "bold red"), f"{where}: {result.melding}"))
    raise typer.Exit(1)


def _read_checkpoints(path: Path) -> list[Any]:
    """The checkpoints in a file `--controlepunt-uit` wrote: one document, or a list of them
    (one per chain); each validated, a bad one named by file and field (`[i].veld` in a
    list)."""
    from service.schemas import KetenControlepunt
    from service.store import Controlepunt

    naam, ongeldig = "Het controlepunt", "geen geldig controlepunt"
    raw = _read_json(path, naam)
    docs = ([_validated(item, KetenControlepunt, naam, ongeldig, str(path), f"[{i}].")
             for i, item in enumerate(raw)] if isinstance(raw, list) else
            [_validated(raw, KetenControlepunt, naam, ongeldig, str(path))])
    names = [d["keten"] for d in docs]
    if len(set(names)) != len(names):
        _problems(f"{naam} is {ongeldig}", [Problem(
            bestand=str(path), pad="keten", melding="twee controlepunten van één keten")])
        raise typer.Exit(2)
    return [Controlepunt(d["volgnummer"], d["keten_hash"], d["formule"], d["keten"])
            for d in docs]


@keten_app.command("anker")
def keten_anker(
    uit: Annotated[Path, typer.Option("--uit", dir_okay=False,
                                      help="bestand voor het anker (JSON)")],
    database_url: DatabaseOption = None,
    keten_naam: Annotated[str, typer.Option(
        "--keten", help="de keten: een gemeentecode (GM0363), of '' (standaard) voor de "
                        "keten zonder gemeente")] = "",
    publieke_sleutel: Annotated[list[Path] | None, typer.Option(
        "--publieke-sleutel", exists=True, dir_okay=False,
        help="PEM met vertrouwde publieke sleutel(s)")] = None,
) -> None:
    """Exporteer de ondertekende kop van de keten, om buiten het systeem te bewaren. Met
    OT_KETEN_SLEUTEL wordt de kop nu ondertekend; anders de laatste ondertekende kop, na
    controle."""
    import json

    from service.db import session_factory
    from service.keten import document, newest_signed_head, sign_head, signer_for, trusted_keys

    cfg, keys = _keten_settings(publieke_sleutel)
    trusted = trusted_keys(keys)
    signer = signer_for(cfg)
    writer, reader = _keten_database(database_url)
    problem = None
    try:
        if signer is not None:
            with session_factory(writer)() as session:
                row = sign_head(session, signer, keten_naam)
                session.commit()
        else:
            with session_factory(reader)() as session:
                row, problem = newest_signed_head(session, keys, keten_naam)
    finally:
        writer.dispose()
        reader.dispose()
    if row is None:
        _problems("Geen anker", [Problem(pad="keten", melding=(
            "de keten is leeg" if signer is not None else
            "er is geen ondertekende kop; stel OT_KETEN_SLEUTEL in of vraag de service "
            "(POST /v1/adviezen/_anker)"))])
        raise typer.Exit(1)
    if problem:
        _problems("De laatste ondertekende kop klopt niet", [Problem(pad="keten_ankers",
                                                                    melding=problem)])
        raise typer.Exit(1)
    doc = document(row, trusted)
    uit.write_text(json.dumps(doc, ensure_ascii=False, indent=2) + "\n", "utf-8")
    out.print(f"anker bij volgnummer {doc['volgnummer']} ({doc['sleutel_id']}, "
              f"{doc['tijdstip']}) geschreven naar {uit}")
    if not trusted:
        out.print("[yellow]let op[/]: geen publieke sleutel ingesteld; de handtekening is niet "
                  "gecontroleerd")


def _impact_database(database_url: str | None) -> tuple[Any, Any]:
    """Open the service's existing database for `ot impact`; never create one. Without a
    database the user is told what the command needs (a database, or `--casussen`), exit 2."""
    from sqlalchemy import inspect

    from service.db import DatabaseMissing, make_engines
    from service.settings import Settings

    url = database_url or Settings().database_url
    hint = "; of vergelijk een map met casussen: ot impact --casussen MAP [KANDIDAAT…]"
    try:
        writer, reader = make_engines(url, create=False)
    except DatabaseMissing as exc:
        _problems("Geen database met adviezen", [Problem(
            pad="--database-url", melding=f"geen database op {exc}; er is niets aangemaakt"
                                          + hint)])
        raise typer.Exit(2) from exc
    try:
        ready = inspect(reader).has_table("adviezen")
    except Exception as exc:  # unreachable server, not a database, …
        ready = False
        reason = type(exc).__name__
    else:
        reason = "de tabel adviezen ontbreekt (start de service eenmaal om te migreren)"
    if not ready:
        writer.dispose()
        reader.dispose()
        _problems("De database is niet te lezen", [Problem(pad="--database-url",
                                                           melding=reason + hint)])
        raise typer.Exit(2)
    return writer, reader


def _kandidaat_engine(current: Engine, kandidaat: list[Path]) -> Engine:
    """The packs in force with the candidates in place of the packs with the same id."""
    from engine.loader import load_pack_bytes, pack_files

    files = pack_files(kandidaat)
    new: set[str] = set()
    for f in files:  # which pack ids do the candidates replace? (grammar only)
        loaded, _ = load_pack_bytes(f.read_bytes(), str(f))
        if loaded:
            new.add(loaded.id)
    sources = [(lp.source, lp.raw) for lp in current.rules.packs if lp.id not in new]
    sources += [(str(f), f.read_bytes()) for f in files]
    try:
        return Engine.from_sources(sources)
    except PackError as exc:
        _problems("Fouten in de kandidaat-pakketten", exc.problems)
        raise typer.Exit(2) from exc


def _render_impact_casussen(report: Any, kandidaat: list[Path], peildatum: str | None) -> None:
    """Per casus which instrument moves and why: effect, instrument, status then → now, and
    the condition that decided it with its article."""
    def status(s: str) -> Text:
        return Text(semantics.status_label(s), style=STATUS_STYLE.get(s, "dim"))

    wat = ", ".join(str(k) for k in kandidaat) or "dezelfde regels"
    dag = f"peildatum {peildatum}" if peildatum else "elke casus op zijn eigen peildatum"
    out.rule(Text(f"Impact: huidige regels → {wat} · {dag}"))
    for c in report.casussen:
        out.print()
        out.rule(Text(c.casus), align="left")
        if c.fout:
            out.print(Text(f"past niet bij de {c.fout}:", style="bold red"))
            for p in c.problemen:
                out.print(Text(f"  {p.render()}"))
            continue
        if not c.wijzigingen:
            out.print(Text("geen verandering", style="dim"))
            continue
        table = Table(show_header=True, header_style="bold", expand=True, box=None)
        table.add_column("effect", no_wrap=True)
        table.add_column("instrument")
        table.add_column("status toen → nu", min_width=16, max_width=26)
        table.add_column("waarom (voorwaarde; artikel)")
        for w in c.wijzigingen:
            move = Text.assemble(status(w.van), " → ", status(w.naar))
            why = []
            for b in w.beslissend:
                how = (b.get("stand", "") if "van" not in b or b["soort"] == "instrument"
                       or b["soort"] == "toepassing" else
                       f"nieuw: {b['naar']}" if b["van"] == "afwezig" else
                       f"vervallen (was {b['van']})" if b["naar"] == "afwezig" else
                       f"{b['van']} → {b['naar']}")
                bits = "; ".join(x for x in (how, b.get("citaat", "")) if x)
                why.append(f"{b['soort']} {b['id']}: {b['uitleg']} ({bits})")
            table.add_row(w.effect, Text(f"{w.naam or w.instrument}\n", style="") +
                          Text(w.instrument, style="dim"), move, Text("\n".join(why)))
        out.print(table)
    out.print()
    out.print(f"{report.totaal} casussen vergeleken; {report.veranderd} veranderen"
              f"{f'; {report.fouten} passen niet' if report.fouten else ''}.")
    if report.per_instrument:
        table = Table("instrument", "toen → nu", "casussen", box=None, header_style="bold")
        for iid, moves in sorted(report.per_instrument.items()):
            for m, n in sorted(moves.items()):
                table.add_row(iid, m, str(n))
        out.print(table)


@app.command()
def impact(
    kandidaat: Annotated[list[Path] | None, typer.Argument(
        help="kandidaat-pakketten (bestanden of mappen); ze vervangen de pakketten met "
             "dezelfde id. Zonder: de pakketten van nu (zinvol met --peildatum)",
        exists=True)] = None,
    casussen: Annotated[list[Path] | None, typer.Option(
        "--casussen", "-c", exists=True,
        help="map (of bestand) met casussen in YAML of JSON: vergelijk per casus de huidige "
             "regels met de kandidaat, zonder database; herhaalbaar")] = None,
    database_url: Annotated[str | None, typer.Option(
        "--database-url", envvar="OT_DATABASE_URL", help="database van de service")] = None,
    sinds: Annotated[str | None, typer.Option(help="alleen adviezen vanaf deze datum")] = None,
    peildatum: Annotated[str | None, typer.Option(
        help="evalueer elke casus op deze dag (bv. 2027-01-01: wat doet de wijziging van "
             "1 januari?)")] = None,
    regels: RulesOption = None,
    json_: Annotated[bool, typer.Option("--json", help="het volledige rapport als JSON")] = False,
    volledig: Annotated[bool, typer.Option(
        "--volledig", help="herevalueer elk opgeslagen advies, ook als het geen gewijzigde "
                           "regel las (zonder: selectief, zelfde uitkomst)")] = False,
) -> None:
    """Wat zou deze regelwijziging veranderen? Met --casussen MAP: per casus in de map welk
    instrument verschuift en waarom (geen database nodig). Zonder: de opgeslagen adviezen in de
    database van de service. Wijzigt niets."""
    import datetime as dt
    import json as jsonlib

    from rich.progress import Progress

    for label, value in (("--peildatum", peildatum), ("--sinds", sinds)):
        try:
            if value is not None:
                dt.date.fromisoformat(value)
        except ValueError as exc:
            _problems("Geen datum", [Problem(pad=label, melding=f"{value!r} is geen datum "
                                                                "(JJJJ-MM-DD)")])
            raise typer.Exit(2) from exc
    kandidaat = kandidaat or []
    if casussen:
        from engine.impact import casus_files, impact_casussen

        if sinds:
            _problems("Niet met --casussen", [Problem(
                pad="--sinds", melding="geldt alleen voor opgeslagen adviezen in de database")])
            raise typer.Exit(2)
        files = casus_files(casussen)
        if not files:
            _problems("Geen casussen", [Problem(pad="--casussen", melding=(
                "geen .yaml-, .yml- of .json-bestanden in " + ", ".join(map(str, casussen))))])
            raise typer.Exit(2)
        current = _engine(regels)
        candidate = _kandidaat_engine(current, kandidaat)
        try:
            with Progress(console=err, transient=True) as bar:
                task = bar.add_task("casussen vergelijken", total=len(files))
                folder = impact_casussen(files, current, candidate, peildatum=peildatum,
                                         progress=lambda n: bar.update(task, completed=n))
        finally:  # free both rule bases' compiled rulesets (they are this command's own)
            candidate.close()
            current.close()
        if json_:
            sys.stdout.write(jsonlib.dumps(folder.as_dict(), ensure_ascii=False) + "\n")
        else:
            _render_impact_casussen(folder, kandidaat, peildatum)
        if folder.fouten:
            raise typer.Exit(1)
        return

    from engine.impact import impact as run_impact
    from service.bewijsstuk import pinned_in, stored_adviezen
    from service.db import Advies, session_factory
    from service.store import count

    writer, reader = _impact_database(database_url)
    current = _engine(regels)
    candidate = _kandidaat_engine(current, kandidaat)
    try:
        with session_factory(reader)() as session:
            total = count(session, Advies, *([Advies.aangemaakt >= sinds] if sinds else []))
            with Progress(console=err, transient=True) as bar:
                task = bar.add_task("adviezen herevalueren", total=total)
                report = run_impact(stored_adviezen(session, pinned_in(session), sinds),
                                    candidate, progress=lambda n: bar.update(task, completed=n),
                                    peildatum=peildatum, selectief=not volledig)
    finally:
        writer.dispose()
        reader.dispose()
    if json_:
        sys.stdout.write(jsonlib.dumps(report.as_dict(limit=10**9), ensure_ascii=False) + "\n")
        return
    out.print(f"{report.totaal} adviezen bekeken, {report.herberekend} herevalueerd (de andere "
              f"lazen geen gewijzigde regel); {report.veranderd} zouden veranderen"
              f"{f'; {report.fouten} casussen passen niet meer' if report.fouten else ''}.")
    table = Table("instrument", "van → naar", "aantal", box=None, header_style="bold")
    for iid, moves in sorted(report.per_instrument.items()):
        for move, n in sorted(moves.items()):
            table.add_row(iid, move, str(n))
    out.print(table)


@app.command("impact-worker")
def impact_worker(
    database_url: Annotated[str | None, typer.Option(
        "--database-url", envvar="OT_DATABASE_URL", help="PostgreSQL-database van de service")
    ] = None,
) -> None:
    """Neem impactanalyses aan uit de wachtrij op PostgreSQL (procrastinate), één deel tegelijk;
    start er één per kern, op elke machine met de database. Stopt netjes op Ctrl-C of SIGTERM."""
    from service.settings import Settings

    url = database_url or Settings().database_url
    if not url.startswith("postgresql"):
        _problems("Geen PostgreSQL", [Problem(pad="--database-url", melding=(
            "impact-workers delen hun werk via PostgreSQL; met SQLite draait de service een "
            "impactanalyse zelf, in een eigen proces"))])
        raise typer.Exit(2)
    from service.impact_taken import run_worker

    run_worker(url)


@app.command()
def regelboek(
    uit: Annotated[Path, typer.Option("--uit", help="map voor de HTML-bestanden")] = Path(
        "build/regelboek"),
    regels: RulesOption = None,
) -> None:
    """Schrijf het regelboek (per wet en per gemeente) als statische HTML."""
    from service.regelboek import Regelboek

    written = Regelboek(_engine(regels)).build(uit)
    out.print(f"[green]Regelboek geschreven[/]: {len(written)} pagina's in {uit}/ "
              f"(begin bij {uit / 'index.html'})")


GEMEENTE_CODE = r"^GM\d{4}$"


def _gemeente_option(eng: Engine, gemeente: str | None, *, known_only: bool) -> str | None:
    """A `--gemeente` as the casus contract spells it (GM + four digits); with `known_only`
    also one that has an overlay in the loaded packs."""
    import re

    if gemeente is None:
        return None
    code = gemeente.upper()
    if not re.fullmatch(GEMEENTE_CODE, code):
        _problems("Geen gemeentecode", [Problem(
            pad="--gemeente", melding=f"{gemeente!r} is geen CBS-gemeentecode (GM en vier "
                                      "cijfers, bv. GM0363)")])
        raise typer.Exit(2)
    if known_only and code not in eng.rules.gemeenten:
        known = ", ".join(sorted(eng.rules.gemeenten)) or "geen"
        _problems("Geen lokaal beleid", [Problem(
            pad="--gemeente", melding=f"geen lokaal pakket voor {code}; bekend: {known}")])
        raise typer.Exit(1)
    return code


def _open_norms(eng: Engine, versions: list[Any]) -> list[str]:
    """The parameters an instrument rests on (its toetsen, its termijnen, and the derived
    facts they use, transitively), in order of first use: where a local overlay can matter."""
    from engine.language import Toepassing, iter_leaves

    derived: dict[str, list[Any]] = {}
    for lp in eng.rules.packs:
        for af in lp.pack.afgeleide_feiten:
            derived.setdefault(af.id, []).append(af)
    found: dict[str, None] = {}
    seen: set[str] = set()

    def visit(toets: Any) -> None:
        if toets is None:
            return
        for leaf in iter_leaves(toets.toets if isinstance(toets, Toepassing) else toets):
            if leaf.parameter:
                found[leaf.parameter] = None
            prefix, _, name = leaf.feit.partition(".")
            if prefix == "afgeleid" and name not in seen:
                seen.add(name)
                for af in derived.get(name, []):
                    visit(af.toets)

    for ins in versions:
        visit(ins.toepassing)
        for item in (*ins.voorwaarden, *ins.uitsluitingen, *ins.voorliggend, *ins.begrenzingen):
            visit(item.toets)
        for t in ins.termijnen:
            if t.duur_parameter:
                found[t.duur_parameter] = None
            visit(t.toets)
    return list(found)


def _render_lokaal(eng: Engine, versions: list[Any], gemeente: str) -> None:
    """The local view of one instrument: the overlay's annotaties, the open norms it fills
    (termijnen among them) with their dated values, and the open norms it leaves open."""
    import datetime as dt

    overlays = [lp for lp in eng.rules.packs if lp.gemeente == gemeente]
    iid = versions[-1].id
    out.print()
    out.rule(Text(f"Lokaal beleid {gemeente}: " + "; ".join(
        f"{lp.pack.regelpakket.naam} ({lp.id} {lp.pack.regelpakket.versie})"
        for lp in overlays)), align="left")
    own = next((lp.gemeente for lp in eng.rules.packs for i in lp.pack.instrumenten
                if i.id == iid and lp.gemeente), None)
    if own and own != gemeente:
        out.print(Text(f"Dit is lokaal beleid van {own}; het geldt niet in {gemeente}.",
                       style="bold magenta"))
        return
    annotaties = [(lp, a) for lp in overlays for a in lp.pack.annotaties if a.instrument == iid]
    for lp, a in annotaties:
        out.print(Text(f"Lokaal ({lp.id}): {a.tekst} ({a.rechtsgrond.tekst()})",
                       style="cyan"))
    params = {p.id: p for lp in eng.rules.packs for p in lp.pack.parameters}
    termijn_of = {t.duur_parameter: t for ins in versions for t in ins.termijnen
                  if t.duur_parameter}

    def values(lp: Any, waarden: list[Any], eenheid: str) -> str:
        shown = []
        for w in waarden:
            a, b = lp.span(w)
            until = "heden" if b == dt.date.max else b.isoformat()
            shown.append(f"{met_eenheid(w.waarde, eenheid)} van {a.isoformat()} t/m {until}")
        return "; ".join(shown)

    # The open norms it rests on, and those its own article leaves open (e.g. the height of
    # the individuele inkomenstoeslag, art. 36 Pw, which no condition tests).
    articles = {(ins.rechtsgrond.bwb_id, ins.rechtsgrond.artikel) for ins in versions}
    same_article = [p.id for p in params.values()
                    if (p.rechtsgrond.bwb_id, p.rechtsgrond.artikel) in articles]
    norms = [pid for pid in dict.fromkeys([*_open_norms(eng, versions), *same_article])
             if pid in params and params[pid].open_norm is not None]
    for pid in norms:
        p = params[pid]
        t = termijn_of.get(pid)
        what = f"Termijn {t.id}: {t.omschrijving}" if t else f"Open norm: {p.omschrijving}"
        fills = [(lp, inv) for lp in overlays for inv in lp.pack.invullingen
                 if inv.parameter == pid]
        out.print(Text(f"{what} [{pid}]", style="bold"))
        for lp, inv in fills:
            out.print(Text(f"  ingevuld door {lp.id}: {values(lp, inv.waarden, p.eenheid)} "
                           f"({inv.rechtsgrond.tekst()})", style="cyan"))
            if inv.toelichting:
                out.print(Text(f"  {inv.toelichting}", style="dim"))
        if not fills:
            national = next(lp for lp in eng.rules.packs
                            if any(q.id == pid for q in lp.pack.parameters))
            default = (f"de landelijke waarde geldt: {values(national, p.waarden, p.eenheid)}"
                       if p.waarden else "dus onbekend in het advies")
            out.print(Text(f"  niet ingevuld door {gemeente}; {default} "
                           f"({p.rechtsgrond.tekst()})", style="magenta"))
    if not annotaties and not norms:
        out.print(Text(f"{gemeente} heeft bij dit instrument geen annotaties en het instrument "
                       "rust op geen open norm.", style="dim"))


@app.command()
def uitleg(
    instrument: Annotated[str, typer.Argument(help="instrument-id, bv. wmo.vervoersvoorziening")],
    regels: RulesOption = None,
    wettekst: Annotated[bool, typer.Option(
        "--wettekst", help="toon bij elke bron de woorden van de wet (per versie)")] = False,
    wetteksten: WettekstenOption = None,
    gemeente: Annotated[str | None, typer.Option(
        "--gemeente", help="toon ook het lokale beleid van deze gemeente (bv. GM9991): "
                           "annotaties, lokale termijnen en ingevulde open normen")] = None,
) -> None:
    """Eén instrument met zijn voorwaarden en bronnen, in gewone taal; met --gemeente ook wat
    het lokale beleid van die gemeente erbij zegt."""
    from engine.wettekst import Wetteksten, lezingen
    from service.regelboek import Regelboek

    eng = _engine(regels)
    book = Regelboek(eng)
    current = eng.rules.instrument_id(instrument) or instrument
    found = [(lp, i) for lp in eng.rules.packs for i in lp.pack.instrumenten if i.id == current]
    if not found:
        known = sorted({i.id for lp in eng.rules.packs for i in lp.pack.instrumenten})
        close = [k for k in known if instrument.split(".")[-1] in k][:8]
        _problems("Onbekend instrument", [Problem(pad=instrument, melding="bestaat niet" + (
            f"; bedoelt u {', '.join(close)}?" if close else ""))])
        raise typer.Exit(1)
    code = _gemeente_option(eng, gemeente, known_only=True)

    def tree(node: dict[str, Any] | None, depth: int = 1) -> None:
        if node is None:
            return
        out.print(Text("  " * depth + "· " + node["tekst"]))
        for child in node.get("kinderen", []):
            tree(child, depth + 1)

    library = Wetteksten.load(wetteksten) if wettekst else None

    def words(rg: Any, van: Any, tot: Any, depth: int = 3) -> None:
        """The law's words for a citation, per version in force while the rule is."""
        if library is None or rg is None:
            return
        found = lezingen(library, rg, van, tot)
        if not found:
            out.print(Text(" " * depth + f"(geen wettekst meegeleverd voor {rg.tekst()})",
                           style="dim"))
        for lz in found:
            until = "heden" if lz.tot.year == 9999 else lz.tot.isoformat()
            head = f"{lz.van.isoformat()} t/m {until}"
            if lz.tekst is None:
                out.print(Text(" " * depth + f"{head}: {lz.melding}", style="dim"))
                continue
            out.print(Text(" " * depth + f"{head}, wettekst versie {lz.versie}:", style="dim"))
            for line in lz.tekst.splitlines():
                out.print(Text(" " * (depth + 2) + line, style="italic"))

    for lp, ins in found:
        start = ins.geldig_vanaf or lp.start
        end = ins.geldig_tot or "heden"
        window = lp.span(ins)
        out.rule(f"{ins.naam}", align="left")
        out.print(f"{ins.id} · {ins.soort.replace('_', ' ')} · trede {ins.trede} · "
                  f"{ins.rechtsgrond.tekst()} · geldig {start} t/m {end}"
                  + (" · [magenta]onzeker[/]" if ins.onzeker else ""))
        out.print(f"[dim]{ins.rechtsgrond.url()}[/]")
        words(ins.rechtsgrond, *window, depth=1)
        if current != instrument:
            out.print(f"[dim]'{instrument}' is een eerdere id van {current}[/]")
        if ins.omschrijving:
            out.print(Text(ins.omschrijving))
        if ins.vorm_van:
            out.print(Text(f"Vorm van: {', '.join(ins.vorm_van)} (de status is nooit beter dan "
                           "die van wat het een vorm van is)"))
        if ins.beslisruimte:
            out.print(Text(f"Ter beoordeling van {semantics.beslisser(ins.beslisruimte.door)}: "
                           f"“{ins.beslisruimte.wettekst}”"))
        for title, items in (("Voorwaarden (alle ja)", ins.voorwaarden),
                             ("Uitsluitingen (één ja is genoeg)", ins.uitsluitingen),
                             ("Voorliggend", ins.voorliggend),
                             ("Begrenzingen (voor zover: een grens, geen weigering)",
                              ins.begrenzingen)):
            if items:
                out.print(f"[bold]{title}[/]")
            for v in items:
                label = getattr(v, "uitleg", "") or getattr(v, "naam", "")
                marks = (" [onzeker]" if v.onzeker else "") + (
                    f" [ter beoordeling van {semantics.beslisser(v.beslisruimte.door)}: "
                    f"“{v.beslisruimte.wettekst}”]" if v.beslisruimte else "")
                out.print(Text(f" - {label} ({v.rechtsgrond.tekst()}){marks}"))
                quote = getattr(v, "wettekst", None)
                if wettekst and quote:
                    out.print(Text(f"   beslissende woorden: “{quote}”"))
                words(v.rechtsgrond, *window)
                if v.toets is not None:
                    tree(book.toets(v.toets))
        for t in ins.termijnen:
            duur = met_eenheid(t.duur, t.eenheid) if t.duur else f"open norm {t.duur_parameter}"
            out.print(Text(f"Termijn: {t.omschrijving} ({duur}; {t.rechtsgrond.tekst()})"))
            words(t.rechtsgrond, *window)
    if code is not None:
        _render_lokaal(eng, [ins for _, ins in found], code)


@app.command()
def lint(paths: Annotated[list[Path] | None, typer.Argument(
        help="regelpakketten of mappen (standaard: rules/)")] = None,
        wetteksten: WettekstenOption = None) -> None:
    """Controleer regelpakketten: alle fouten tegelijk, met bestand:regel:kolom; daarna de
    verwijzingen en citaten tegen de wetteksten, en de beslistabel-controles (overlap en gaten)
    van de pakketten."""
    from engine.checks import run_controles
    from engine.loader import with_national_packs

    try:
        eng = Engine.load(with_national_packs(paths) if paths else None)
    except PackError as exc:
        _problems("Fouten in de regelpakketten", exc.problems)
        raise typer.Exit(1) from exc
    _lint_wetteksten(eng, wetteksten)
    results = run_controles(eng.rules)
    problems = [p for r in results for p in r.problems()]
    for r in results:
        how = ("volledig doorzocht" if r.volledig_doorzocht else
               "NIET volledig doorzocht (zoekgrens bereikt)")
        out.print(f"controle {r.pack.id}.{r.controle.id}: {how}; {r.combinaties} combinaties, "
                  f"{len(r.overlap)} overlap, {len(r.gaten)} gaten")
    if problems:
        _problems("Beslistabel-controles", problems)
        raise typer.Exit(1)
    _herzieningen(eng)
    n_ins = sum(len(lp.pack.instrumenten) for lp in eng.rules.packs)
    out.print(f"[green]OK[/]: {len(eng.rules.packs)} regelpakketten, {n_ins} instrumenten.")


def _herzieningen(eng: Engine) -> None:
    """Amounts the law re-indexes: until when the last known value holds, and which are due."""
    import datetime as dt

    from engine.evaluate import next_revision

    today = dt.date.today()
    for lp in eng.rules.packs:
        for p in lp.pack.parameters:
            if p.herziening is None or not p.waarden:
                continue
            last = max(p.waarden, key=lambda w: w.geldig_vanaf or lp.start)
            since = last.geldig_vanaf or lp.start
            due = next_revision(p, since)
            if due is None or last.geldig_tot is not None:
                continue
            late = today >= due
            out.print(Text(f"herziening {lp.id}.{p.id}: waarde per {since} geldt tot de "
                           f"herziening per {due}" + (" — ONTBREEKT, vul de nieuwe waarde in"
                                                      if late else ""),
                           style="bold magenta" if late else ""))


@app.command("test")
def test_(paths: Annotated[list[Path] | None, typer.Argument(
        help="pakketmappen of testbestanden (standaard: alle tests onder rules/)")] = None,
        regels: RulesOption = None) -> None:
    """Draai de YAML-tests van de regelpakketten, met een leesbaar verschil bij een fout."""
    eng = _engine(regels)
    files = find_test_files(paths or [DEFAULT_RULES_DIR])
    results, problems = run_files(eng, files)
    if problems:
        _problems("Fouten in de testbestanden", problems)
    failed = [r for r in results if not r.ok]
    for r in failed:
        out.print(f"[bold red]FAIL[/] {r.file}:{r.line} {r.naam}")
        for f in r.failures:
            out.print(Text(f"    - {f}"))
    out.print(f"{len(results) - len(failed)} geslaagd, {len(failed)} gefaald "
              f"({len(files)} bestanden)")
    if failed or problems or not results:
        raise typer.Exit(1)


# --- wetteksten (issue 11): the law's own words beside every rule ------------------------------

WettekstenOption = Annotated[Path | None, typer.Option(
    "--wetteksten", help="map met wetteksten (standaard: rules/wetteksten/)")]

wettekst_app = typer.Typer(add_completion=False, no_args_is_help=True,
                           help="Wetteksten: importeren uit het regelrecht-corpus en versies "
                                "vergelijken.")
app.add_typer(wettekst_app, name="wettekst")


def _wetteksten(root: Path | None) -> Any:
    from engine.wettekst import Wetteksten, WettekstError

    try:
        return Wetteksten.load(root)
    except WettekstError as exc:
        _problems("Fouten in de wetteksten", exc.problems)
        raise typer.Exit(2) from exc


def _lint_wetteksten(eng: Engine, root: Path | None) -> None:
    """Every citation resolves in each version in force; every quote is in its cited lid."""
    from engine.wettekst import WettekstError
    from engine.wettekst_lint import controleer

    try:
        rapport = controleer(eng.rules.packs, _wetteksten(root))
    except WettekstError as exc:
        _problems("Fouten in de wetteksten", exc.problems)
        raise typer.Exit(1) from exc
    for w in rapport.waarschuwingen:
        out.print(Text(f"let op: {w.render()}", style="magenta"))
    if rapport.fouten:
        _problems("Verwijzingen en citaten kloppen niet met de wettekst", rapport.fouten)
        raise typer.Exit(1)
    out.print(f"wetteksten: {rapport.gecontroleerd} verwijzingen per versie gecontroleerd, "
              f"{len(rapport.waarschuwingen)} waarschuwingen")


@wettekst_app.command("importeer")
def wettekst_importeer(
    bestanden: Annotated[list[Path], typer.Argument(
        help="wetteksten in het formaat van MinBZK/regelrecht-corpus "
             "(regulation/nl/wet/<naam>/<datum>.yaml)", exists=True, dir_okay=False)],
    uit: Annotated[Path | None, typer.Option(
        "--uit", help="map voor de wetteksten (standaard: rules/wetteksten/)")] = None,
    naam: Annotated[str | None, typer.Option(help="naam van de wet, bv. 'Wmo 2015'")] = None,
    artikel: Annotated[list[str] | None, typer.Option(
        "--artikel", help="alleen deze artikelen (een uittreksel); herhaalbaar")] = None,
) -> None:
    """Importeer een versie van een wet; schrijft <uit>/<bwb_id>/<versiedatum>.yaml."""
    from engine.wettekst import DEFAULT_WETTEKSTEN_DIR, WettekstError
    from engine.wettekst_import import importeer, schrijf

    problems: list[Problem] = []
    written = []
    for bestand in bestanden:
        try:
            wet = importeer(bestand, naam=naam, artikelen=artikel)
        except WettekstError as exc:
            problems.extend(exc.problems)
            continue
        written.append((schrijf(wet, uit or DEFAULT_WETTEKSTEN_DIR), wet))
    for target, wet in written:
        out.print(f"[green]geïmporteerd[/]: {wet.naam} versie {wet.versie} "
                  f"({len(wet.artikelen)} artikelen{', uittreksel' if wet.uittreksel else ''})"
                  f" → {target}")
    if problems:
        _problems("Niet te importeren", problems)
        raise typer.Exit(1)


@wettekst_app.command("verschil")
def wettekst_verschil(
    bwb_id: Annotated[str, typer.Argument(help="BWB-id, bv. BWBR0001860 (Faillissementswet)")],
    datum1: Annotated[str, typer.Argument(help="eerste peildatum (JJJJ-MM-DD)")],
    datum2: Annotated[str, typer.Argument(help="tweede peildatum (JJJJ-MM-DD)")],
    regels: RulesOption = None,
    wetteksten: WettekstenOption = None,
) -> None:
    """Welke geciteerde leden zijn tussen twee versies veranderd, en welke regels citeren ze?"""
    import datetime as dt

    from engine.wettekst_lint import beschrijf, verschil

    days = []
    for label, value in (("datum1", datum1), ("datum2", datum2)):
        try:
            days.append(dt.date.fromisoformat(value))
        except ValueError as exc:
            _problems("Geen datum", [Problem(pad=label, melding=f"{value!r} is geen datum "
                                                                "(JJJJ-MM-DD)")])
            raise typer.Exit(2) from exc
    eng = _engine(regels)
    teksten = _wetteksten(wetteksten)
    try:
        changes = verschil(eng.rules.packs, teksten, bwb_id, days[0], days[1])
    except LookupError as exc:
        _problems("Geen wettekst", [Problem(pad=bwb_id, melding=str(exc))])
        raise typer.Exit(1) from exc
    from engine.wettekst import woordverschil

    old = teksten.in_werking(bwb_id, days[0])
    new = teksten.in_werking(bwb_id, days[1])
    out.rule(f"{teksten.naam(bwb_id)}: versie {old.versie} → {new.versie}")
    if not changes:
        out.print("Geen geciteerd lid is veranderd.")
        return
    for c in changes:
        out.print()
        out.print(Text(c.rechtsgrond.tekst(), style="bold"))
        if c.oud is None or c.nieuw is None:
            out.print(Text("bestaat niet meer" if c.nieuw is None else "is nieuw",
                           style="bold red"))
        else:
            out.print(Text(woordverschil(c.oud, c.nieuw, context=8)))
        out.print("geciteerd door:")
        for lp, v in c.regels:
            out.print(Text(f"  • {lp.id}: {beschrijf(v)} — {v.rechtsgrond.tekst()}"))
    out.print()
    out.print(f"{len(changes)} geciteerde leden veranderd; "
              f"{len({(lp.id, v.regel) for c in changes for lp, v in c.regels})} regels om "
              "opnieuw te lezen.")


if __name__ == "__main__":  # pragma: no cover
    app()
