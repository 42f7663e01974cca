"""The law's own words: vendored versions of the laws the packs cite, and lookups in them.

A citation (`Rechtsgrond`) is only a pointer; this module holds what it points at, so lint can
check that every pointer resolves and every quote is really in the law, and so every display can
show the law's words without internet. The texts live in `rules/wetteksten/<bwb_id>/<datum>.yaml`,
one file per version date, in a small format of our own (`Wettekst`): per article its leden and
onderdelen as addressable text. `ot wettekst importeer` writes them from the MinBZK regelrecht
corpus (`engine.wettekst_import`).

A version is in force from its date until the day before the next known version. A version that
exists but was not imported is listed in `<bwb_id>/ontbrekend.yaml`: on those days no text is in
force here, and lookups say so instead of returning the older, no longer valid, words.

One call answers a display: `Wetteksten.load().passage(rechtsgrond, datum)`.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
import threading
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from engine.citation import REGELINGEN, Rechtsgrond
from engine.errors import Problem, ProblemsError
from engine.yamlsource import YamlError, read_yaml_file

DEFAULT_WETTEKSTEN_DIR = Path(__file__).resolve().parent.parent / "rules" / "wetteksten"
"""The vendored texts; `engine.loader.pack_files` never reads this folder as packs."""

ONTBREKEND = "ontbrekend.yaml"
NIET_OPGENOMEN = "niet_opgenomen.yaml"
GELEZEN = "gelezen.yaml"
FAR_FUTURE = dt.date(9999, 12, 31)
_M = TypeVar("_M", bound=BaseModel)


class WettekstError(ProblemsError):
    """A vendored law text does not validate (file:line:col for each problem)."""

    kind = "wettekst"


def _text(v: object) -> object:
    return str(v) if isinstance(v, int | float) else v


def nummer_sleutel(nummer: str | None) -> str:
    """How numbers compare: `2.3.5`, `3 `, `A.` and `a` are `2.3.5`, `3`, `a` and `a`."""
    return (nummer or "").strip().rstrip(".").lower()


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Onderdeel(_Strict):
    """An onderdeel (`a`, `b`, …) or sub-onderdeel (`1°`, `2°`): its own words, then its own."""

    nummer: str = Field(min_length=1)
    tekst: str = ""
    onderdelen: list[Onderdeel] = Field(default_factory=list)

    _nummer = field_validator("nummer", mode="before")(_text)


class Lid(_Strict):
    nummer: str = Field(min_length=1)
    tekst: str = ""
    """The lid's own words (for a lid with onderdelen: the words before the first one)."""
    onderdelen: list[Onderdeel] = Field(default_factory=list)

    _nummer = field_validator("nummer", mode="before")(_text)


class Artikel(_Strict):
    nummer: str = Field(min_length=1)
    tekst: str = ""
    """Words of an article without leden, or before its first lid or onderdeel."""
    leden: list[Lid] = Field(default_factory=list)
    onderdelen: list[Onderdeel] = Field(default_factory=list)
    """Onderdelen of an article without leden (e.g. a definitions article)."""

    _nummer = field_validator("nummer", mode="before")(_text)


class Wettekst(_Strict):
    """One version of one law, as vendored: the file `rules/wetteksten/<bwb_id>/<versie>.yaml`."""

    bwb_id: str = Field(pattern=r"^BWBR\d{7}$")
    naam: str = Field(min_length=1)
    versie: dt.date
    """The date from which this consolidated text is in force (wetten.overheid.nl's date)."""
    bron: str = Field(pattern=r"^https://wetten\.overheid\.nl/")
    herkomst: str | None = None
    """Where the file was imported from (repository and path), for the audit trail."""
    uittreksel: bool = False
    """Only some articles were imported; a missing article is then not proof that the law lacks
    it, and lint says so."""
    artikelen: list[Artikel] = Field(min_length=1)

    def artikel(self, nummer: str) -> Artikel | None:
        key = nummer_sleutel(nummer)
        return next((a for a in self.artikelen if nummer_sleutel(a.nummer) == key), None)

    def url(self, artikel: str | None = None) -> str:
        """The version on wetten.overheid.nl, at the article's anchor."""
        base = f"https://wetten.overheid.nl/{self.bwb_id}/{self.versie.isoformat()}"
        return f"{base}#Artikel{artikel}" if artikel else base

    def zoek(self, artikel: str, lid: str | None = None,
             onderdeel: str | None = None) -> Eenheid:
        """The addressed article, lid or onderdeel; `NietGevonden` says which part is missing."""
        art = self.artikel(artikel)
        if art is None:
            raise NietGevonden("artikel", f"art. {artikel} {self._waar()}")
        where = f"art. {artikel}"
        unit: Artikel | Lid = art
        if lid:
            found = next((x for x in art.leden if nummer_sleutel(x.nummer) == nummer_sleutel(lid)),
                         None)
            if found is None:
                have = ", ".join(x.nummer for x in art.leden) or "geen leden"
                raise NietGevonden("lid", f"{where} lid {lid} {self._waar(False)} (wel: {have})")
            unit, where = found, f"{where} lid {lid}"
        if not onderdeel:
            return Eenheid(self, artikel, lid, None, unit.tekst, tuple(unit.onderdelen),
                           tuple(art.leden) if isinstance(unit, Artikel) else ())
        parts = [p for p in re.split(r"[\s.,]+", onderdeel) if p]
        options = unit.onderdelen
        current: Onderdeel | None = None
        for part in parts:
            current = next((o for o in options if nummer_sleutel(o.nummer) == nummer_sleutel(part)),
                           None)
            if current is None:
                have = ", ".join(o.nummer for o in options) or "geen onderdelen"
                raise NietGevonden("onderdeel", f"{where} onder {onderdeel} "
                                                f"{self._waar(False)} (wel: {have})")
            options = current.onderdelen
        assert current is not None
        return Eenheid(self, artikel, lid, onderdeel, current.tekst, tuple(current.onderdelen), ())

    def _waar(self, article_level: bool = True) -> str:
        what = "staat niet in" if not (article_level and self.uittreksel) else (
            "staat niet in het uittreksel van")
        return f"{what} {self.naam} (versie {self.versie.isoformat()})"


class NietGevonden(LookupError):
    """A citation that does not resolve in a version; `deel` is artikel, lid or onderdeel."""

    def __init__(self, deel: str, melding: str):
        super().__init__(melding)
        self.deel = deel
        self.melding = melding


@dataclass(frozen=True)
class Eenheid:
    """An addressed part of a law version: its own words and what it contains."""

    wet: Wettekst
    artikel: str
    lid: str | None
    onderdeel: str | None
    eigen_tekst: str
    onderdelen: tuple[Onderdeel, ...]
    leden: tuple[Lid, ...]

    @property
    def tekst(self) -> str:
        """Everything this part says, onderdelen as `a. …` lines, leden as `2. …` paragraphs."""
        lines = [self.eigen_tekst] if self.eigen_tekst else []
        lines.extend(_onderdeel_lines(self.onderdelen, 0))
        for lid in self.leden:
            lines.append(f"{lid.nummer}. {lid.tekst}".rstrip())
            lines.extend(_onderdeel_lines(tuple(lid.onderdelen), 1))
        return "\n".join(lines)


def _onderdeel_lines(items: Sequence[Onderdeel], depth: int) -> Iterator[str]:
    for o in items:
        label = o.nummer if o.nummer.endswith(("°", ".")) else f"{o.nummer}."
        yield f"{'  ' * depth}{label} {o.tekst}".rstrip()
        yield from _onderdeel_lines(o.onderdelen, depth + 1)


@dataclass(frozen=True)
class Passage:
    """What a display shows for a citation on a date: the words and where they come from."""

    rechtsgrond: Rechtsgrond
    naam: str
    versie: dt.date
    tekst: str
    """The addressed part in full (an onderdeel, a lid with its onderdelen, or an article)."""
    lid_tekst: str
    """The whole cited lid (or article without lid): where quotes are looked up."""
    bron: str


@dataclass(frozen=True)
class Periode:
    """A stretch of days with one version in force, or none known here (`wet` is None)."""

    van: dt.date
    tot: dt.date
    """Inclusive."""
    wet: Wettekst | None
    reden: str | None = None
    """Why no text is in force (not imported, before the first version)."""


class OntbrekendeVersie(_Strict):
    datum: dt.date
    reden: str = Field(min_length=3)


class Ontbrekend(_Strict):
    """`<bwb_id>/ontbrekend.yaml`: versions that exist but are not (yet) vendored."""

    ontbrekende_versies: list[OntbrekendeVersie] = Field(default_factory=list)


class NietOpgenomenWet(_Strict):
    bwb_id: str = Field(pattern=r"^BWBR\d{7}$")
    reden: str = Field(min_length=3)


class NietOpgenomen(_Strict):
    """`niet_opgenomen.yaml`: laws the packs cite whose text is not vendored, and why."""

    wetten: list[NietOpgenomenWet] = Field(default_factory=list)


class Gelezen(_Strict):
    """`gelezen.yaml`: per pack, the version of each law its rules were last reviewed against.

    Kept beside the texts, not in the pack, so recording a review does not change a pack's
    content hash. `ot lint` warns when a later version in the pack's validity changed a cited lid.
    """

    pakketten: dict[str, dict[str, dt.date]] = Field(default_factory=dict)


def _validated(model: type[_M], path: Path) -> _M:
    from engine.casus import problems_from_validation

    try:
        doc = read_yaml_file(path)
    except YamlError as exc:
        raise WettekstError(exc.problems) from exc
    if not isinstance(doc.data, dict):
        raise WettekstError([doc.problem((), f"verwacht een mapping ({model.__name__})")])
    try:
        return model.model_validate(doc.data)
    except ValidationError as exc:
        raise WettekstError(problems_from_validation(exc, doc)) from exc


def load_wettekst(path: Path) -> Wettekst:
    """Read and validate one version file; its name must be `<versie>.yaml` in `<bwb_id>/`."""
    wet = _validated(Wettekst, path)
    problems: list[Problem] = []
    if path.stem != wet.versie.isoformat():
        problems.append(Problem(bestand=str(path), regel=1, kolom=1, pad="versie",
                                melding=f"versie {wet.versie} past niet bij de bestandsnaam "
                                        f"{path.name}"))
    if path.parent.name != wet.bwb_id:
        problems.append(Problem(bestand=str(path), regel=1, kolom=1, pad="bwb_id",
                                melding=f"bwb_id {wet.bwb_id} past niet bij de map "
                                        f"{path.parent.name}"))
    seen: set[str] = set()
    for art in wet.artikelen:
        key = nummer_sleutel(art.nummer)
        if key in seen:
            problems.append(Problem(bestand=str(path), pad="artikelen",
                                    melding=f"artikel {art.nummer} komt twee keer voor"))
        seen.add(key)
    if problems:
        raise WettekstError(problems)
    return wet


class Wetteksten:
    """The library of vendored texts: which versions exist, and what they say.

    Files are parsed on first use and cached (thread-safe), so a lookup in one law does not read
    all of them.
    """

    def __init__(self, root: Path = DEFAULT_WETTEKSTEN_DIR):
        self.root = root
        self._lock = threading.Lock()
        self._cache: dict[Path, Wettekst] = {}
        self._files: dict[str, dict[dt.date, Path]] = {}
        self._missing: dict[str, list[OntbrekendeVersie]] = {}
        self.niet_opgenomen: dict[str, str] = {}
        self.gelezen: dict[str, dict[str, dt.date]] = {}
        if not root.is_dir():
            return
        for folder in sorted(p for p in root.iterdir() if p.is_dir()):
            versions: dict[dt.date, Path] = {}
            for f in sorted(folder.glob("*.yaml")):
                try:
                    versions[dt.date.fromisoformat(f.stem)] = f
                except ValueError:
                    if f.name != ONTBREKEND:
                        raise WettekstError([Problem(
                            bestand=str(f), regel=1, kolom=1, pad="(bestand)",
                            melding="de naam van een wettekst is de versiedatum, "
                                    "bv. 2025-01-01.yaml")]) from None
            self._files[folder.name] = versions
            if (folder / ONTBREKEND).is_file():
                missing = sorted(_validated(Ontbrekend, folder / ONTBREKEND).ontbrekende_versies,
                                 key=lambda o: o.datum)
                both = [o.datum.isoformat() for o in missing if o.datum in versions]
                if both:
                    # A version both vendored and listed as missing would give two periods that
                    # start the same day; the list is stale once the version is imported.
                    raise WettekstError([Problem(
                        bestand=str(folder / ONTBREKEND), regel=1, kolom=1,
                        pad="ontbrekende_versies",
                        melding=f"versie {', '.join(both)} is meegeleverd en staat ook als "
                                "ontbrekend: haal haar van deze lijst")])
                self._missing[folder.name] = missing
        if (root / NIET_OPGENOMEN).is_file():
            self.niet_opgenomen = {w.bwb_id: w.reden for w in
                                   _validated(NietOpgenomen, root / NIET_OPGENOMEN).wetten}
        self.gelezen = (
            _validated(Gelezen, root / GELEZEN).pakketten if (root / GELEZEN).is_file() else {})

    @classmethod
    def load(cls, root: Path | None = None) -> Wetteksten:
        return cls(root or DEFAULT_WETTEKSTEN_DIR)

    def wetten(self) -> list[str]:
        """BWB ids with at least one vendored version."""
        return sorted(b for b, v in self._files.items() if v)

    def heeft(self, bwb_id: str) -> bool:
        return bool(self._files.get(bwb_id))

    def versiedata(self, bwb_id: str) -> list[dt.date]:
        return sorted(self._files.get(bwb_id, {}))

    def versie(self, bwb_id: str, versie: dt.date) -> Wettekst | None:
        """One vendored version by its exact date."""
        path = self._files.get(bwb_id, {}).get(versie)
        if path is None:
            return None
        with self._lock:
            if path not in self._cache:
                self._cache[path] = load_wettekst(path)
            return self._cache[path]

    def naam(self, bwb_id: str) -> str:
        dates = self.versiedata(bwb_id)
        if dates:
            wet = self.versie(bwb_id, dates[-1])
            if wet is not None:
                return wet.naam
        return REGELINGEN.get(bwb_id, bwb_id)

    def perioden(self, bwb_id: str, van: dt.date, tot: dt.date = FAR_FUTURE) -> list[Periode]:
        """The versions in force during [van, tot] (inclusive), gaps included as `wet=None`."""
        starts: list[tuple[dt.date, dt.date | None, str | None]] = [
            (d, d, None) for d in self.versiedata(bwb_id)]
        starts += [(o.datum, None, o.reden) for o in self._missing.get(bwb_id, [])]
        starts.sort(key=lambda s: s[0])
        out: list[Periode] = []
        if not starts or starts[0][0] > van:
            first = starts[0][0] - dt.timedelta(days=1) if starts else FAR_FUTURE
            before = ("geen versie meegeleverd" if not starts else
                      f"de oudste meegeleverde versie is van {starts[0][0].isoformat()}")
            out.append(Periode(van, min(tot, first), None, before))
        for i, (start, version, why) in enumerate(starts):
            end = starts[i + 1][0] - dt.timedelta(days=1) if i + 1 < len(starts) else FAR_FUTURE
            if end < van or start > tot:
                continue
            wet = self.versie(bwb_id, version) if version is not None else None
            out.append(Periode(max(start, van), min(end, tot), wet,
                               None if wet is not None else why))
        return out

    def in_werking(self, bwb_id: str, datum: dt.date) -> Wettekst | None:
        """The version in force on `datum`, or None when no text for that day is vendored."""
        periods = self.perioden(bwb_id, datum, datum)
        return periods[0].wet if periods else None

    def versies_tijdens(self, bwb_id: str, van: dt.date, tot: dt.date) -> list[Wettekst]:
        """The vendored versions in force at some day of [van, tot) (`tot` exclusive)."""
        last = tot - dt.timedelta(days=1)
        return [p.wet for p in self.perioden(bwb_id, van, last) if p.wet is not None]

    def passage(self, rechtsgrond: Rechtsgrond, datum: dt.date) -> Passage | None:
        """The text a citation points at on `datum`, or None where no text is vendored.

        Raises `NietGevonden` when a version is in force but the citation does not resolve in it.
        """
        wet = self.in_werking(rechtsgrond.bwb_id, datum)
        if wet is None:
            return None
        return passage_in(wet, rechtsgrond)

    def tekst(self, bwb_id: str, artikel: str, lid: str | None = None,
              onderdeel: str | None = None, datum: dt.date | None = None) -> str | None:
        """Convenience: the words of (bwb_id, artikel, lid, onderdeel) on a date (default today)."""
        rg = Rechtsgrond(bwb_id=bwb_id, artikel=artikel, lid=lid, onderdeel=onderdeel)
        found = self.passage(rg, datum or dt.date.today())
        return found.tekst if found else None


@dataclass(frozen=True)
class Lezing:
    """What a reader sees of a citation over a stretch of days: the cited lid's words (or why
    there are none), from `van` to `tot` inclusive, one entry per distinct text."""

    van: dt.date
    tot: dt.date
    versie: dt.date | None
    tekst: str | None
    """The part cited (an onderdeel, a lid with its onderdelen, or an article)."""
    lid_tekst: str | None
    bron: str | None
    melding: str | None = None


def lezingen(teksten: Wetteksten, rechtsgrond: Rechtsgrond, van: dt.date,
             tot: dt.date | None = None) -> list[Lezing]:
    """The cited words for each version in force during [van, tot], consecutive versions with
    the same words merged (so a reader sees one text where the law did not change). Empty when
    the law is not vendored at all; a gap or a citation that does not resolve is an entry with
    `melding` (never an older text shown as if it were in force)."""
    if not teksten.heeft(rechtsgrond.bwb_id):
        return []
    out: list[Lezing] = []
    for periode in teksten.perioden(rechtsgrond.bwb_id, van, tot or FAR_FUTURE):
        if periode.wet is None:
            entry = Lezing(periode.van, periode.tot, None, None, None, None,
                           f"geen tekst meegeleverd ({periode.reden})")
        else:
            try:
                found = passage_in(periode.wet, rechtsgrond)
                entry = Lezing(periode.van, periode.tot, found.versie, found.tekst,
                               found.lid_tekst, found.bron)
            except NietGevonden as exc:
                entry = Lezing(periode.van, periode.tot, periode.wet.versie, None, None,
                               periode.wet.url(rechtsgrond.artikel), exc.melding)
        last = out[-1] if out else None
        if last and (last.tekst, last.melding) == (entry.tekst, entry.melding):
            out[-1] = Lezing(last.van, entry.tot, last.versie, last.tekst, last.lid_tekst,
                             last.bron, last.melding)
        else:
            out.append(entry)
    return out


def woorden_bij_advies(packs: Sequence[Any], trace: Mapping[str, Any],
                       teksten: Wetteksten) -> dict[str, dict[str, dict[str, Any]]]:
    """For each reason in an advies's stap 4, the law's words on its peildatum: the decisive
    words (the rule's quote `wettekst`, else the cited part itself), the whole cited lid, the
    version and its address. `packs` are the pack versions the advies was made with (its pinned
    packs), so the words belong to the rules that decided. Keyed by instrument id, then
    `soort:id` of the reason; a reason whose law is not vendored on that day is left out.
    The trace itself is not changed: this is read beside it."""
    datum = dt.date.fromisoformat(str(trace["peildatum"]))
    wanted = {i["id"]: i for e in trace["advies"]["effecten"]
              for i in e["stap4"]["instrumenten"]}
    out: dict[str, dict[str, dict[str, Any]]] = {}
    for lp in packs:
        for ins in lp.pack.instrumenten:
            start, end = lp.span(ins)
            if ins.id not in wanted or not start <= datum <= end:
                continue
            items: dict[str, Any] = {"toepassing:toepassing": ins,
                                     f"instrument:{ins.id}": ins.beslisruimte or ins}
            for soort, section in (("voorwaarde", ins.voorwaarden),
                                   ("uitsluiting", ins.uitsluitingen),
                                   ("voorliggend", ins.voorliggend),
                                   ("begrenzing", ins.begrenzingen)):
                items.update({f"{soort}:{item.id}": item for item in section})
            found: dict[str, dict[str, Any]] = {}
            for reden in wanted[ins.id].get("redenen", []):
                key = f"{reden['soort']}:{reden['id']}"
                item = items.get(key)
                rg = getattr(item, "rechtsgrond", None) or (ins.rechtsgrond if item else None)
                if rg is None:
                    continue
                try:
                    passage = teksten.passage(rg, datum)
                except NietGevonden:
                    passage = None
                if passage is None:
                    continue
                ruimte = getattr(item, "beslisruimte", None)
                quote = getattr(item, "wettekst", None) or (ruimte.wettekst if ruimte else None)
                found[key] = {"citaat": rg.tekst(), "wettekst": quote,
                              "tekst": passage.tekst, "lid_tekst": passage.lid_tekst,
                              "versie": passage.versie.isoformat(), "bron": passage.bron,
                              "naam": passage.naam}
            if found:
                out[ins.id] = found
    return out


def passage_in(wet: Wettekst, rechtsgrond: Rechtsgrond) -> Passage:
    """Resolve a citation in one version (raises `NietGevonden`)."""
    unit = wet.zoek(rechtsgrond.artikel, rechtsgrond.lid, rechtsgrond.onderdeel)
    scope = unit if rechtsgrond.onderdeel is None else wet.zoek(rechtsgrond.artikel,
                                                                rechtsgrond.lid)
    return Passage(rechtsgrond=rechtsgrond, naam=wet.naam, versie=wet.versie, tekst=unit.tekst,
                   lid_tekst=scope.tekst, bron=wet.url(rechtsgrond.artikel))


# --- comparing words -----------------------------------------------------------------------

_ELLIPSIS = re.compile(r"\s*(?:…|\.\.\.)\s*")
_QUOTES = str.maketrans({"‘": "'", "’": "'", "“": '"', "”": '"', "–": "-", "—": "-",
                         "\u00a0": " "})


def normaliseer(tekst: str) -> str:
    """Whitespace collapsed, typographic quotes and dashes plain: how quotes are compared."""
    return " ".join(tekst.translate(_QUOTES).split())


def citaat_fragmenten(citaat: str) -> list[str]:
    """The parts of a quote between ellipses ("…" or "..."), normalised, empty ones dropped."""
    return [f for f in (normaliseer(p) for p in _ELLIPSIS.split(citaat)) if f]


def citaat_gevonden(citaat: str, tekst: str) -> bool:
    """Are the quote's fragments in the text, in this order? (whitespace-normalised)"""
    haystack = normaliseer(tekst)
    pos = 0
    fragments = citaat_fragmenten(citaat)
    if not fragments:
        return False
    for fragment in fragments:
        found = haystack.find(fragment, pos)
        if found < 0:
            return False
        pos = found + len(fragment)
    return True


def woordverschil(oud: str, nieuw: str, context: int | None = None) -> str:
    """A word diff, `[-weg-]{+erbij+}` around what changed (as `git diff --word-diff`).

    With `context`, unchanged stretches longer than twice that many words are shortened to "…".
    """
    a, b = normaliseer(oud).split(), normaliseer(nieuw).split()
    out: list[str] = []
    ops = difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes()
    for n, (op, i1, i2, j1, j2) in enumerate(ops):
        if op == "equal":
            words = a[i1:i2]
            if context is not None and len(words) > 2 * context:
                head = words[:context] if n > 0 else []
                tail = words[-context:] if n < len(ops) - 1 else []
                words = [*head, "…", *tail]
            out.extend(words)
            continue
        if i2 > i1:
            out.append("[-" + " ".join(a[i1:i2]) + "-]")
        if j2 > j1:
            out.append("{+" + " ".join(b[j1:j2]) + "+}")
    return " ".join(out)
