"""The regelboek: the rule packs as a readable document, per law and per municipality.

Generated from the packs themselves (never written by hand), so it always says what the engine
does: grondwaarden, instruments with their conditions in plain Dutch, amounts with their
validity, open norms and how a municipality fills them, and every citation linked to
wetten.overheid.nl or lokaleregelgeving.overheid.nl, with the cited lid's own words from the
vendored law texts (folded), per version in force. Content marked onzeker is shown as such.
Served at /ui/regelboek and written as static files by `ot regelboek`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

from engine import Engine, PackError, Problem, semantics
from engine.catalogue import Catalogue
from engine.citation import Rechtsgrond
from engine.eenheden import met_eenheid, value_text
from engine.language import Alle, EenVan, Niet, Toepassing, Toets, Vergelijking
from engine.loader import LoadedPack, load_pack_bytes
from engine.regime import RuleBase
from engine.wettekst import Lezing, Wetteksten, lezingen

TEMPLATES = Path(__file__).resolve().parent / "web" / "templates"
OPS = {"=": "is", "!=": "is niet", "<": "is minder dan", "<=": "is hoogstens",
       ">": "is meer dan", ">=": "is minstens", "in": "is een van", "niet_in": "is geen van",
       "bevat": "bevat", "bevat_niet": "bevat niet"}
SUBJECTS = {"persoon": "de persoon", "aanvrager": "de aanvrager", "partner": "de partner",
            "kind": "het kind van het effect",
            "client": "de cliënt (voor wie de hulp is)",
            "belanghebbende": "de belanghebbende (wiens eigen middelen en schulden tellen)",
            "betrokkene": "de betrokkene (om wiens eigen schulden het gaat)",
            "werkende": "de werkende (om wiens werk het gaat)",
            "huishouden": "het huishouden", "financien": "de financiën", "netwerk": "het netwerk",
            "effect": "het gewenste effect", "afgeleid": ""}


def toets_lines(toets: Toets, catalogue: Catalogue, params: dict[str, Any]) -> dict[str, Any]:
    """A condition tree as nested plain-Dutch items for the template."""
    if isinstance(toets, Vergelijking):
        prefix, _, name = toets.feit.partition(".")
        if prefix == "afgeleid":
            spec = catalogue.resolve(toets.feit)
            subject = f"“{spec.vraag if spec else name}”"
        else:
            subject = f"{name.replace('_', ' ')} van {SUBJECTS.get(prefix, prefix)}"
        if toets.parameter:
            p = params.get(toets.parameter)
            rhs = f"{p.omschrijving if p else toets.parameter} (parameter {toets.parameter})"
        else:
            rhs = value_text(toets.waarde)
        default = (f" (zolang onbekend: telt als {toets.bij_onbekend})"
                   if toets.bij_onbekend else "")
        return {"tekst": f"{subject} {OPS[toets.op]} {rhs}{default}", "feit": toets.feit}
    if isinstance(toets, Alle):
        return {"tekst": "alle van:", "kinderen": [toets_lines(t, catalogue, params)
                                                   for t in toets.alle]}
    if isinstance(toets, EenVan):
        return {"tekst": "ten minste één van:", "kinderen": [toets_lines(t, catalogue, params)
                                                             for t in toets.een_van]}
    assert isinstance(toets, Niet)
    return {"tekst": "niet:", "kinderen": [toets_lines(toets.niet, catalogue, params)]}


def link(rg: Rechtsgrond) -> str:
    return rg.url()


class Regelboek:
    def __init__(self, engine: Engine, teksten: Wetteksten | None = None):
        self.engine = engine
        self.teksten = teksten or Wetteksten.load()
        self.env = Environment(loader=FileSystemLoader(str(TEMPLATES)),
                               autoescape=select_autoescape(["html"]))
        self.env.globals.update(link=link, value_text=value_text, met_eenheid=met_eenheid,
                                beslisser=semantics.beslisser, wettekst=self.wettekst)
        packs = engine.rules.packs
        self.params = {p.id: p for lp in packs for p in lp.pack.parameters}
        self.instruments = {i.id: i for lp in packs for i in lp.pack.instrumenten}
        self.grondwaarden = {g.id: (lp.id, g) for lp in packs for g in lp.pack.grondwaarden}
        """Per grondwaarde id: its pack and itself, so an instrument shows what it serves in
        words (with a link), not as an id."""

    def wettekst(self, rg: Rechtsgrond | None, van: Any, tot: Any = None) -> list[Lezing]:
        """The cited words per version in force while the rule is (vendored text only)."""
        if rg is None or van is None:
            return []
        return lezingen(self.teksten, rg, van, tot)

    @property
    def national(self) -> list[LoadedPack]:
        return [lp for lp in self.engine.rules.packs if lp.gemeente is None]

    @property
    def local(self) -> list[LoadedPack]:
        return [lp for lp in self.engine.rules.packs if lp.gemeente]

    def pack(self, pakket_id: str) -> LoadedPack | None:
        return next((lp for lp in self.engine.rules.packs if lp.id == pakket_id), None)

    def toets(self, toets: Toets | Toepassing | None) -> dict[str, Any] | None:
        if toets is None:
            return None
        if isinstance(toets, Toepassing):
            toets = toets.toets
        return toets_lines(toets, self.engine.rules.catalogue, self.params)

    def render_index(self, base: str = "", css: str = "app.css") -> str:
        return self.env.get_template("regelboek_index.html").render(
            national=self.national, local=self.local, base=base, css=css)

    def render_pack(self, lp: LoadedPack, base: str = "", css: str = "app.css",
                    versie: dict[str, Any] | None = None) -> str:
        """One pack's page. `versie` (a stored version: `opgeslagen`, `geldt_nu`) adds the
        banner of a pinned version and leaves out the municipalities' current values: those
        are versions of their own, pinned separately in an advies."""
        by_param: dict[str, list[Any]] = {}
        for o in ([] if versie else self.local):
            for inv in o.pack.invullingen:
                by_param.setdefault(inv.parameter, []).append((o, inv))
        return self.env.get_template("regelboek_pakket.html").render(
            lp=lp, meta=lp.pack.regelpakket, pack=lp.pack, toets=self.toets, base=base, css=css,
            invullingen=by_param, instruments=self.instruments, params=self.params,
            grondwaarden=self.grondwaarden, versie=versie,
            trede_volgorde=["eigen_kracht", "gebruikelijke_hulp", "netwerk",
                            "algemene_voorziening", "maatwerk"])

    def version(self, raw: bytes, digest: str) -> LoadedPack:
        """A stored pack version (its exact bytes) read with today's rule language; raises
        `PackError` when it no longer reads (its YAML stays available from the API)."""
        lp, problems = load_pack_bytes(raw, f"{digest[7:19]}.yaml")
        if lp is None:
            raise PackError(problems)
        if "sha256:" + lp.sha256 != digest:
            raise PackError([Problem(pad="(document)", melding="de inhoud hoort niet bij "
                                                                f"de hash {digest}")])
        return lp

    def render_version(self, lp: LoadedPack, opgeslagen: str, geldt_nu: bool, base: str = "",
                       css: str = "app.css") -> str:
        """The regelboek page of a pinned version, with the same renderer as the current one:
        names of other packs' instruments, parameters and facts come from the packs in force,
        the pinned pack's own from itself."""
        others = [p for p in self.engine.rules.packs if p.id != lp.id]
        book = Regelboek(Engine(RuleBase([lp, *others]), "oracle"), self.teksten)
        return book.render_pack(lp, base=base, css=css,
                                versie={"opgeslagen": opgeslagen, "geldt_nu": geldt_nu})

    def build(self, folder: Path) -> list[Path]:
        """Write the whole regelboek as static HTML files (links between them are relative)."""
        folder.mkdir(parents=True, exist_ok=True)
        written = [folder / "index.html"]
        written[0].write_text(self.render_index(base="./"), encoding="utf-8")
        for lp in self.engine.rules.packs:
            path = folder / f"{lp.id}.html"
            path.write_text(self.render_pack(lp, base="./"), encoding="utf-8")
            written.append(path)
        css = (TEMPLATES.parent / "static" / "app.css").read_text("utf-8")
        (folder / "app.css").write_text(css, encoding="utf-8")
        return written
