"""Lint: every citation resolves in the law's text, and every quote is really in the cited lid.

For each `rechtsgrond` in a pack (instrument, grondwaarde, afgeleid feit, voorwaarde, uitsluiting,
voorliggend, begrenzing, termijn, toepassing, parameter, open norm, herziening, feit, annotatie,
controle) and for every vendored version of the law in force while the rule is (`Wetteksten`),
the article, lid and onderdeel must exist. Every uitsluiting, every `onzeker` mark and every
`beslisruimte` carries the law's decisive words (`wettekst`); they must be found, whitespace-
normalised and fragment by fragment around "…", in the cited lid of each of those versions.

Problems are located at the pack's `file:line:col` like every other lint error. Where no text is
vendored for some days (a law listed in `niet_opgenomen.yaml`, a version listed in
`ontbrekend.yaml`, days before the oldest version) nothing can be checked: that is a warning,
not silence. Local regulations (CVDR) are not in the BWB and are not checked.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from engine.citation import Rechtsgrond
from engine.errors import Problem
from engine.language import Beslisruimte, Instrument, Toepassing
from engine.loader import LoadedPack
from engine.wettekst import (
    Eenheid,
    NietGevonden,
    Wettekst,
    Wetteksten,
    citaat_gevonden,
    normaliseer,
    passage_in,
)
from engine.yamlsource import DocPath, format_path


@dataclass(frozen=True)
class Verwijzing:
    """One citation in a pack, with the days it must hold and the quote to find with it."""

    pad: DocPath
    """Path of the `rechtsgrond` mapping."""
    rechtsgrond: Rechtsgrond
    van: dt.date
    tot: dt.date
    """Inclusive (the pack's end, 9999-12-31, when open-ended)."""
    regel: str
    """Which rule this is, as an author reads it: `wsnp.wsnp_toelating · uitsluiting x`."""
    citaten: tuple[tuple[str, DocPath], ...] = ()
    """Quotes to find in the cited lid, each with where it is written."""
    vereist: str | None = None
    """Why a quote is required here and none is given (`uitsluiting`, `onzeker`), or None."""
    ergens: bool = False
    """An input fact's question has no validity of its own (it serves the pack's rules of
    several periods): its citation must resolve in at least one version, not in each."""


@dataclass
class Rapport:
    """Errors make `ot lint` fail; warnings name what could not be checked."""

    fouten: list[Problem] = field(default_factory=list)
    waarschuwingen: list[Problem] = field(default_factory=list)
    gecontroleerd: int = 0
    """(citation, version) pairs checked."""


def verwijzingen(lp: LoadedPack) -> Iterator[Verwijzing]:
    """Every citation of a pack with its validity and quote (the walk over the grammar)."""
    pack = lp.pack
    whole = (lp.start, lp.end)
    for i, p in enumerate(pack.parameters):
        spans = [lp.span(w) for w in p.waarden] or [whole]
        span = (min(s for s, _ in spans), max(e for _, e in spans))
        yield Verwijzing(("parameters", i, "rechtsgrond"), p.rechtsgrond, *span,
                         f"parameter {p.id}")
        if p.open_norm is not None:
            yield Verwijzing(("parameters", i, "open_norm", "grondslag"), p.open_norm.grondslag,
                             *span, f"parameter {p.id} · open norm")
        if p.herziening is not None:
            yield Verwijzing(("parameters", i, "herziening", "rechtsgrond"),
                             p.herziening.rechtsgrond, *span, f"parameter {p.id} · herziening")
    for i, f in enumerate(pack.feiten):
        if f.rechtsgrond is not None:
            yield Verwijzing(("feiten", i, "rechtsgrond"), f.rechtsgrond, *whole, f"feit {f.id}",
                             ergens=True)
    for i, af in enumerate(pack.afgeleide_feiten):
        yield from _item(("afgeleide_feiten", i), af, lp.span(af), f"afgeleid feit {af.id}")
    for i, g in enumerate(pack.grondwaarden):
        yield from _item(("grondwaarden", i), g, lp.span(g), f"grondwaarde {g.id}")
    for i, ins in enumerate(pack.instrumenten):
        yield from _instrument(("instrumenten", i), ins, lp.span(ins))
    for i, a in enumerate(pack.annotaties):
        yield Verwijzing(("annotaties", i, "rechtsgrond"), a.rechtsgrond, *whole,
                         f"annotatie bij {a.instrument}")
    for i, c in enumerate(pack.controles):
        yield Verwijzing(("controles", i, "rechtsgrond"), c.rechtsgrond, *whole,
                         f"controle {c.id}")
    for i, inv in enumerate(pack.invullingen):
        spans = [lp.span(w) for w in inv.waarden]
        yield Verwijzing(("invullingen", i, "rechtsgrond"), inv.rechtsgrond,
                         min(s for s, _ in spans), max(e for _, e in spans),
                         f"invulling {inv.parameter}")


def _item(path: DocPath, item: object, span: tuple[dt.date, dt.date], regel: str,
          vereist: str | None = None) -> Iterator[Verwijzing]:
    """A rule item: its own citation with its quotes, and its beslisruimte's own citation."""
    rg: Rechtsgrond | None = getattr(item, "rechtsgrond", None)
    quote: str | None = getattr(item, "wettekst", None)
    beslis: Beslisruimte | None = getattr(item, "beslisruimte", None)
    if getattr(item, "onzeker", False):
        vereist = vereist or "onzeker"
    quotes: list[tuple[str, DocPath]] = []
    if quote is not None:
        quotes.append((quote, (*path, "wettekst")))
    if beslis is not None:
        beslis_quote = (beslis.wettekst, (*path, "beslisruimte", "wettekst"))
        if beslis.rechtsgrond is not None:
            yield Verwijzing((*path, "beslisruimte", "rechtsgrond"), beslis.rechtsgrond, *span,
                             regel, (beslis_quote,))
        else:
            quotes.append(beslis_quote)
    if quote is not None or beslis is not None:
        vereist = None  # the discretion's words are the decisive ones
    if rg is not None:
        yield Verwijzing((*path, "rechtsgrond"), rg, *span, regel, tuple(quotes), vereist)


def _instrument(path: DocPath, ins: Instrument, span: tuple[dt.date, dt.date]
                ) -> Iterator[Verwijzing]:
    yield from _item(path, ins, span, f"{ins.id}")
    if isinstance(ins.toepassing, Toepassing):
        yield from _item((*path, "toepassing"), ins.toepassing, span, f"{ins.id} · toepassing")
    for sub, kind in (("voorwaarden", "voorwaarde"), ("uitsluitingen", "uitsluiting"),
                      ("voorliggend", "voorliggend"), ("begrenzingen", "begrenzing"),
                      ("termijnen", "termijn")):
        for j, item in enumerate(getattr(ins, sub)):
            exclusion = kind == "uitsluiting" or getattr(item, "gevolg", None) == "uitsluiting"
            yield from _item((*path, sub, j), item, span, f"{ins.id} · {kind} {item.id}",
                             "uitsluiting" if exclusion else None)


def controleer(packs: Sequence[LoadedPack], teksten: Wetteksten) -> Rapport:
    """Check every citation and quote of these packs against the vendored texts."""
    rapport = Rapport()
    gaps: dict[tuple[str, str, dt.date, dt.date, str], list[Verwijzing]] = defaultdict(list)
    absent: dict[tuple[str, str], list[Verwijzing]] = defaultdict(list)
    by_source = {lp.source: lp for lp in packs}
    for lp in packs:
        for v in verwijzingen(lp):
            bwb = v.rechtsgrond.bwb_id
            if bwb.startswith("CVDR"):
                continue
            if not teksten.heeft(bwb):
                absent[(lp.source, bwb)].append(v)
                continue
            found_any_version = False
            found: list[list[Problem]] = []
            for periode in teksten.perioden(bwb, v.van, v.tot):
                if periode.wet is None:
                    gaps[(lp.source, bwb, periode.van, periode.tot,
                          periode.reden or "")].append(v)
                    continue
                found_any_version = True
                rapport.gecontroleerd += 1
                found.append(_check(lp, v, periode.wet, teksten))
            if v.ergens:
                found = [] if any(not f for f in found) else found[:1]
            rapport.fouten.extend(p for f in found for p in f)
            if v.vereist and found_any_version:
                rapport.fouten.append(lp.doc.problem(
                    v.pad[:-1],
                    f"{v.vereist} zonder wettekst: citeer de beslissende woorden uit "
                    f"{v.rechtsgrond.tekst()} (wettekst: \"…\")"))
    for (source, bwb), refs in absent.items():
        lp = by_source[source]
        first = refs[0]
        naam = teksten.naam(bwb)
        if bwb in teksten.niet_opgenomen:
            rapport.waarschuwingen.append(lp.doc.problem(
                first.pad, f"{naam} ({bwb}) is niet meegeleverd ({teksten.niet_opgenomen[bwb]}); "
                           f"{len(refs)} verwijzing(en) niet gecontroleerd"))
        else:
            rapport.fouten.append(lp.doc.problem(
                first.pad, f"geen wettekst van {naam} ({bwb}): importeer hem met `ot wettekst "
                           "importeer`, of noem hem met de reden in "
                           "rules/wetteksten/niet_opgenomen.yaml"))
    rapport.waarschuwingen.extend(herlezen(packs, teksten))
    for (source, bwb, van, tot, reden), refs in gaps.items():
        lp = by_source[source]
        until = "heden" if tot.year == 9999 else tot.isoformat()
        rapport.waarschuwingen.append(lp.doc.problem(
            refs[0].pad, f"{teksten.naam(bwb)}: geen tekst van {van.isoformat()} t/m {until} "
                         f"({reden}); {len(refs)} verwijzing(en) op die dagen niet gecontroleerd"))
    return rapport


def _check(lp: LoadedPack, v: Verwijzing, wet: Wettekst, teksten: Wetteksten) -> list[Problem]:
    rg = v.rechtsgrond
    try:
        passage = passage_in(wet, rg)
    except NietGevonden as exc:
        return [lp.doc.problem(v.pad, f"verwijzing naar {rg.tekst()} klopt niet: {exc.melding}")]
    problems: list[Problem] = []
    scope = rg.model_copy(update={"onderdeel": None})
    for quote, where in v.citaten:
        if citaat_gevonden(quote, passage.lid_tekst):
            continue
        elsewhere = [d for d in teksten.versiedata(rg.bwb_id) if d != wet.versie
                     and _quote_in(teksten, d, scope, quote)]
        hint = (f"; wel in de versie van {', '.join(d.isoformat() for d in elsewhere)}"
                if elsewhere else "")
        problems.append(lp.doc.problem(where, f"wettekst \"{quote}\" staat niet in "
                                              f"{scope.tekst()} (versie "
                                              f"{wet.versie.isoformat()}){hint}"))
    return problems


def _quote_in(teksten: Wetteksten, versie: dt.date, rg: Rechtsgrond, quote: str) -> bool:
    wet = teksten.versie(rg.bwb_id, versie)
    if wet is None:
        return False
    try:
        return citaat_gevonden(quote, passage_in(wet, rg).lid_tekst)
    except NietGevonden:
        return False


def beschrijf(v: Verwijzing) -> str:
    """`wsnp.toelating · uitsluiting x (instrumenten[3].uitsluitingen[0])` for reports."""
    return f"{v.regel} ({format_path(v.pad[:-1] if v.pad[-1] == 'rechtsgrond' else v.pad)})"


@dataclass(frozen=True)
class Wijziging:
    """A cited lid (or article) whose words differ between two versions, and who cites it."""

    rechtsgrond: Rechtsgrond
    """At lid level (or article level where the rules cite no lid)."""
    oud: str | None
    """None: it does not exist in the old version."""
    nieuw: str | None
    oude_versie: dt.date
    nieuwe_versie: dt.date
    regels: tuple[tuple[LoadedPack, Verwijzing], ...]


def verschil(packs: Sequence[LoadedPack], teksten: Wetteksten, bwb_id: str,
             datum1: dt.date, datum2: dt.date) -> list[Wijziging]:
    """The cited leden of one law whose text differs between the versions in force on two days.

    Only rules in force on `datum2` count: they are the ones to re-read under the new words.
    Raises `LookupError` when no text of the law is vendored for one of the days.
    """
    old, new = teksten.in_werking(bwb_id, datum1), teksten.in_werking(bwb_id, datum2)
    for day, wet in ((datum1, old), (datum2, new)):
        if wet is None:
            why = [p.reden for p in teksten.perioden(bwb_id, day, day)]
            raise LookupError(f"geen tekst van {teksten.naam(bwb_id)} ({bwb_id}) in werking op "
                              f"{day.isoformat()}" + (f" ({why[0]})" if why and why[0] else ""))
    assert old is not None and new is not None
    cited: dict[Rechtsgrond, list[tuple[LoadedPack, Verwijzing]]] = defaultdict(list)
    for lp in packs:
        for v in verwijzingen(lp):
            if v.rechtsgrond.bwb_id == bwb_id and v.van <= datum2 <= v.tot:
                scope = Rechtsgrond(bwb_id=bwb_id, artikel=v.rechtsgrond.artikel,
                                    lid=v.rechtsgrond.lid)
                cited[scope].append((lp, v))
    out: list[Wijziging] = []
    for scope, refs in sorted(cited.items(), key=lambda kv: _order(kv[0])):
        before, after = _words(old, scope), _words(new, scope)
        if (before is None) != (after is None) or (before is not None and after is not None and
                                                   normaliseer(before) != normaliseer(after)):
            out.append(Wijziging(scope, before, after, old.versie, new.versie, tuple(refs)))
    return out


def _words(wet: Wettekst, rg: Rechtsgrond) -> str | None:
    try:
        unit: Eenheid = wet.zoek(rg.artikel, rg.lid)
    except NietGevonden:
        return None
    return unit.tekst


def _order(rg: Rechtsgrond) -> tuple[tuple[int, str], ...]:
    """Article and lid numbers in legal order: 2 < 10 < 10a."""

    def key(part: str | None) -> tuple[int, str]:
        m = re.match(r"(\d*)(.*)", part or "")
        assert m is not None
        return (int(m.group(1)) if m.group(1) else -1, m.group(2))

    return (*(key(p) for p in re.split(r"[.:]", rg.artikel)), key(rg.lid))


def herlezen(packs: Sequence[LoadedPack], teksten: Wetteksten) -> list[Problem]:
    """Warnings: a vendored version after the one a pack was last reviewed against (gelezen.yaml),
    inside the pack's validity, changed the words of leden the pack cites. Re-read those rules."""
    out: list[Problem] = []
    for lp in packs:
        cited = sorted({v.rechtsgrond.bwb_id for v in verwijzingen(lp)
                        if teksten.heeft(v.rechtsgrond.bwb_id)})
        reviewed = teksten.gelezen.get(lp.id, {})
        for bwb in cited:
            naam = teksten.naam(bwb)
            seen = reviewed.get(bwb)
            if seen is None:
                out.append(lp.doc.problem(("regelpakket", "id"), (
                    f"niet vastgelegd tegen welke versie van {naam} dit pakket is gelezen "
                    f"(rules/wetteksten/gelezen.yaml)")))
                continue
            if teksten.in_werking(bwb, seen) is None:
                out.append(lp.doc.problem(("regelpakket", "id"), (
                    f"gelezen versie {seen.isoformat()} van {naam} is niet meegeleverd")))
                continue
            for later in teksten.versiedata(bwb):
                if later <= seen or not (lp.start <= later <= lp.end):
                    continue
                changes = verschil([lp], teksten, bwb, seen, later)
                if changes:
                    leden = ", ".join(c.rechtsgrond.tekst().removesuffix(f" {naam}")
                                      for c in changes)
                    out.append(lp.doc.problem(("regelpakket", "id"), (
                        f"{naam} versie {later.isoformat()} wijkt af van de gelezen versie "
                        f"{seen.isoformat()} in {leden}; lees de regels die ze citeren opnieuw "
                        f"(ot wettekst verschil {bwb} {seen.isoformat()} {later.isoformat()})")))
                    break  # the first version that differs is where re-reading is due
    return out
