"""Impact of a rule change: re-evaluate stored adviezen with candidate packs and count what moves.

The question a beleidsmedewerker asks before a change (a new pack version, or the 1 January
amounts): which adviezen would come out differently, per instrument how many moved between
past / voorwaardelijk / past_niet, and which conditions changed. Nothing stored is touched: the
stored traces are read, the candidate engine evaluates their casus, and the two are compared.

Two views of one report: `ImpactRapport.as_dict` is the full report with each changed advies
(for an operator on the database and for the auditor), `ImpactRapport.overzicht` is what a
beleidsmedewerker sees: counts only, small cells suppressed and the rest rounded (`gepubliceerd`),
because which casussen move under a condition such as `persoon.beperkingen bevat verslaving`
is special-category data about persons.

A third view needs no database: `impact_casussen` evaluates a folder of casus files (invented or
public examples the beleidsmedewerker holds) with the old and the new rules side by side, and says
per casus which instrument moves and which condition, with its article, decided it
(`Wijziging.beslissend`). Those casussen are the user's own files, so they are shown in full.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from engine.api import Engine
from engine.errors import CasusError, Problem
from engine.selectie import Afdruk, afdruk, gelezen, geraakt
from engine.version import __version__
from engine.yamlsource import YamlError

AFWEZIG = "afwezig"
"""Status of an instrument that is not in the advies at all (e.g. a new local instrument)."""

DREMPEL = 5
"""A count of fewer than this (but more than none) is never shown: it is a small cell."""
AFRONDING = 5
"""Every other count is rounded to a multiple of this, so a suppressed cell cannot be recovered
by subtracting the shown cells from a shown total."""
KLEIN = f"<{DREMPEL}"
"""How the impact overzicht shows a small cell (its contract, `ImpactOverzicht`)."""


def gepubliceerd(n: int, *, klein: str = KLEIN, nul: int | str = 0) -> int | str:
    """A count as it may be published: the one rule for every aggregate a beleidsmedewerker
    sees (this impact overzicht and the service's beleidsinformatie). 1 to 4 is `klein`,
    anything from `DREMPEL` on is rounded half up to a multiple of `AFRONDING` (5-7 → 5,
    8-12 → 10). Each shown count is off by up to 2, so a difference of two is uncertain by up to
    ±4, as wide as the small cells themselves: subtracting the shown cells from a shown total
    no longer pins a suppressed cell down.

    `klein` is the marker each contract spells ("<5" here, "< 5" in the beleidsinformatie).
    `nul` is how 0 is shown: the impact overzicht shows 0 (no advies moved, a fact about the
    rules, not about a person); the beleidsinformatie passes its marker, so an empty cell and a
    cell of 1-4 look alike and "< 5" never tells that someone is there."""
    if n == 0:
        return nul
    if n < DREMPEL:
        return klein
    return AFRONDING * ((n + AFRONDING // 2) // AFRONDING)


@dataclass
class Wijziging:
    effect: str
    instrument: str
    van: str
    naar: str
    voorwaarden: list[str] = field(default_factory=list)
    """Ids of the voorwaarden/uitsluitingen whose outcome changed."""
    naam: str = ""
    beslissend: list[dict[str, Any]] = field(default_factory=list)
    """Why it moved, for a reader: each condition whose outcome changed (`soort`, `id`,
    `uitleg`, `citaat` = its article, `van` → `naar`); when no condition changed (a new or
    removed instrument, a form capped by its base) the instrument's own grounds."""

    def as_dict(self) -> dict[str, Any]:
        return {"effect": self.effect, "instrument": self.instrument, "naam": self.naam,
                "van": self.van, "naar": self.naar, "voorwaarden": self.voorwaarden,
                "beslissend": self.beslissend}


def _counts(totaal: int, veranderd: int, fouten: int,
            per_instrument: dict[str, Counter[str]]) -> dict[str, Any]:
    """The figures every impact report starts with (stored adviezen or a folder of casussen),
    in one order, with the moves per instrument sorted so the JSON is stable."""
    return {"totaal": totaal, "veranderd": veranderd, "fouten": fouten,
            "per_instrument": {iid: dict(sorted(moves.items()))
                               for iid, moves in sorted(per_instrument.items())}}


@dataclass
class ImpactRapport:
    totaal: int = 0
    veranderd: int = 0
    fouten: int = 0
    herberekend: int = 0
    """How many adviezen were rendered and re-evaluated (the rest the candidate cannot move)."""
    per_instrument: dict[str, Counter[str]] = field(default_factory=dict)
    adviezen: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self, limit: int = 500) -> dict[str, Any]:
        return {**_counts(self.totaal, self.veranderd, self.fouten, self.per_instrument),
                "herberekend": self.herberekend,
                "adviezen": self.adviezen[:limit], "afgekapt": len(self.adviezen) > limit}

    def overzicht(self) -> dict[str, Any]:
        """Counts only, for a beleidsmedewerker: no advies ids, no per-advies detail; cells of
        1-4 adviezen suppressed, every other cell (and `veranderd`, `fouten`) rounded to 5.
        `totaal` (all adviezen looked at) is the population, not a cell, and stays exact."""
        per_instrument = {iid: {move: gepubliceerd(n) for move, n in sorted(moves.items())}
                          for iid, moves in sorted(self.per_instrument.items())}
        cells = [self.veranderd, self.fouten,
                 *(n for moves in self.per_instrument.values() for n in moves.values())]
        return {
            "totaal": self.totaal,
            "herberekend": self.herberekend,
            "veranderd": gepubliceerd(self.veranderd),
            "fouten": gepubliceerd(self.fouten),
            "per_instrument": per_instrument,
            "drempel": DREMPEL,
            "afronding": AFRONDING,
            "onderdrukt": any(0 < n < DREMPEL for n in cells),
        }


def statuses(trace: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    out: dict[tuple[str, str], dict[str, Any]] = {}
    for effect in trace["advies"]["effecten"]:
        for ins in effect["stap4"]["instrumenten"]:
            out[(effect["id"], ins["id"])] = ins
        for ins in effect["stap4"]["niet_van_toepassing"]:
            # the id too: a move to or from here names the instrument (`_beslissend`)
            out[(effect["id"], ins["id"])] = {"id": ins["id"], "status": "niet_van_toepassing",
                                              "reden": ins.get("reden", "")}
    return out


SECTIES = {"voorwaarden": "voorwaarde", "uitsluitingen": "uitsluiting",
           "voorliggend": "voorliggend", "begrenzingen": "begrenzing"}
"""The sections of an instrument whose conditions can decide a move, and what one is called."""


def _citaat(item: dict[str, Any]) -> str:
    rechtsgrond = item.get("rechtsgrond")
    return str(rechtsgrond.get("tekst", "")) if isinstance(rechtsgrond, dict) else ""


def _beslissend(a: dict[str, Any], b: dict[str, Any]) -> list[dict[str, Any]]:
    """What decided a move from `a` to `b` (two trace entries of one instrument), as a reader
    needs it: the condition, how its outcome changed, and the article it rests on."""
    out: list[dict[str, Any]] = []
    for section, soort in SECTIES.items():
        was = {c["id"]: c for c in a.get(section, [])}
        now = {c["id"]: c for c in b.get(section, [])}
        for cid in [*now, *(k for k in was if k not in now)]:
            before, after = was.get(cid), now.get(cid)
            van = before["uitkomst"] if before else AFWEZIG
            naar = after["uitkomst"] if after else AFWEZIG
            if van == naar:
                continue
            item = after or before or {}
            out.append({"soort": soort, "id": cid,
                        "uitleg": item.get("uitleg") or item.get("naam") or cid,
                        "citaat": _citaat(item), "van": van, "naar": naar})
    if out:
        return out
    # No condition changed its outcome: say what else did.
    if a["status"] == AFWEZIG or b["status"] == AFWEZIG:
        present = b if a["status"] == AFWEZIG else a
        return [{"soort": "instrument", "id": present.get("id", ""),
                 "uitleg": ("nieuw in de regels" if a["status"] == AFWEZIG else
                            "niet meer in de regels (vervallen, of niet van kracht op de "
                            "peildatum)"),
                 "citaat": _citaat(present), "van": a["status"], "naar": b["status"]}]
    if "niet_van_toepassing" in (a["status"], b["status"]):
        other = a if b["status"] == "niet_van_toepassing" else b
        reden = (b if b["status"] == "niet_van_toepassing" else a).get("reden", "")
        return [{"soort": "toepassing", "id": "toepassing",
                 "uitleg": f"Komt dit instrument bij dit gewenste effect in beeld? ({reden})",
                 "citaat": _citaat(other), "van": a["status"], "naar": b["status"]}]
    return [{"soort": r.get("soort", ""), "id": r.get("id", ""), "uitleg": r.get("uitleg", ""),
             "citaat": r.get("citaat", ""), "stand": r.get("stand", "")}
            for r in b.get("redenen", [])]


def compare(old: dict[str, Any], new: dict[str, Any]) -> list[Wijziging]:
    """Instrument status changes between two traces of the same casus."""
    before, after = statuses(old), statuses(new)
    changes = []
    for key in sorted(set(before) | set(after)):
        a, b = before.get(key, {"status": AFWEZIG}), after.get(key, {"status": AFWEZIG})
        if a["status"] == b["status"]:
            continue
        conditions = []
        for section in ("voorwaarden", "uitsluitingen", "voorliggend"):
            was = {c["id"]: c["uitkomst"] for c in a.get(section, [])}
            for c in b.get(section, []):
                if was.get(c["id"]) != c["uitkomst"]:
                    conditions.append(f"{section}:{c['id']}")
        changes.append(Wijziging(key[0], key[1], a["status"], b["status"], conditions,
                                 naam=str(b.get("naam") or a.get("naam") or ""),
                                 beslissend=_beslissend(a, b)))
    return changes


@dataclass(frozen=True)
class Opgeslagen:
    """A stored advies as impact reads it: its kern at once, its full trace only when needed.

    `pakketten` is the engine of its pinned packs; with it, impact can tell from the kern alone
    that a candidate cannot move the advies (`engine.selectie`). `trace()` renders the full trace
    (the stored casus re-evaluated with the pinned packs) or gives None when it cannot be shown
    (the store says why); such an advies is left out, as a full run leaves it out."""

    id: str
    kern: Mapping[str, Any]
    pakketten: Engine | None
    trace: Callable[[], dict[str, Any] | None]
    casus: Callable[[], dict[str, Any] | None] | None = None
    """The casus as evaluated, checked against the kern's casus hash (None when it cannot be
    read); cheaper than `trace()`, which evaluates it again. Without it impact renders the
    trace of every advies it re-evaluates."""


def _opgeslagen(item: Opgeslagen | tuple[str, dict[str, Any]]) -> Opgeslagen:
    if isinstance(item, Opgeslagen):
        return item
    advies_id, trace = item
    return Opgeslagen(advies_id, {}, None, lambda: trace)


def _instrument_ids(engine: Engine, peildatum: str, gemeente: str | None) -> frozenset[str]:
    regime = engine.rules.regime(dt.date.fromisoformat(peildatum), gemeente)
    return frozenset(ci.instrument.id for ci in regime.instrumenten)


def kern_statuses(kern: Mapping[str, Any], instrumenten: frozenset[str]
                  ) -> dict[tuple[str, str], str]:
    """`statuses` of a full trace, from its kern: every instrument in force for the advies is
    either listed with its status or `niet_van_toepassing` (`engine.evaluate`: each instrument
    of the regime is shown or said not to apply); one not in force is absent."""
    out: dict[tuple[str, str], str] = {}
    for effect in kern["effecten"]:
        listed = {ins["id"]: ins["status"] for ins in effect["instrumenten"]}
        for iid in instrumenten | set(listed):
            out[(effect["id"], iid)] = listed.get(iid, "niet_van_toepassing")
    return out


class _Selectie:
    """Per pinned regime and candidate regime, the instruments the candidate changed (cached:
    a store holds few pack sets and few peildatum intervals)."""

    def __init__(self, candidate: Engine):
        self.candidate = candidate
        self._afdruk: dict[int, tuple[Any, Afdruk]] = {}
        self._geraakt: dict[tuple[int, int], frozenset[str] | None] = {}

    def _of(self, regime: Any) -> Afdruk:
        hit = self._afdruk.get(id(regime))
        if hit is None or hit[0] is not regime:
            hit = (regime, afdruk(regime.packs))
            self._afdruk[id(regime)] = hit
        return hit[1]

    def unchanged(self, item: Opgeslagen) -> bool:
        """True when the candidate cannot move this advies (so it is not re-evaluated)."""
        kern = item.kern
        if item.pakketten is None or kern.get("engine") != __version__:
            return False  # another engine may have decided otherwise: re-evaluate
        day, gemeente = dt.date.fromisoformat(kern["peildatum"]), kern.get("gemeente")
        old = item.pakketten.rules.regime(day, gemeente)
        new = self.candidate.rules.regime(day, gemeente)
        key = (id(old), id(new))
        if key not in self._geraakt:
            self._geraakt[key] = geraakt(self._of(old), self._of(new))
        changed = self._geraakt[key]
        return changed is not None and not (gelezen(kern) & changed)


def impact(stored: Iterable[Opgeslagen | tuple[str, dict[str, Any]]], candidate: Engine,
           progress: Callable[[int], None] | None = None,
           peildatum: str | None = None, selectief: bool = True) -> ImpactRapport:
    """Re-evaluate each stored advies with `candidate` and aggregate the moves.

    With `peildatum` every casus is evaluated on that day instead of its own: "what does the
    1 January change do" to the casussen we have seen (compared with their advies as it was).
    `per_instrument` counts adviezen (an advies whose two effecten make the same move counts
    once), so its cells are counts of persons' adviezen. `progress(n)` is called after each
    advies, also one whose casus no longer fits.

    Selective (the default, for `Opgeslagen` with their pinned packs, on their own peildatum):
    an advies the candidate cannot move (`engine.selectie`) is counted without being rendered
    or re-evaluated; `herberekend` says how many were. The report is otherwise the same as a
    full run (`selectief=False`): the property test holds the two equal.
    """
    report = ImpactRapport()
    selectie = _Selectie(candidate) if selectief and peildatum is None else None
    for n, item in enumerate(map(_opgeslagen, stored), start=1):
        if selectie is not None and selectie.unchanged(item):
            report.totaal += 1
            if progress:
                progress(n)
            continue
        moved = _moved_by_kern(item, candidate, peildatum)
        if moved is None:
            continue  # cannot be read (the store logged why): left out, as in a full run
        if moved is False or moved == "fout":
            report.totaal += 1
            report.herberekend += 1
            report.fouten += moved == "fout"
            if progress:
                progress(n)
            continue
        trace = item.trace()
        if trace is None:
            continue  # cannot be shown (the store logged why): left out, as in a full run
        report.totaal += 1
        report.herberekend += 1
        casus = trace["casus"] if peildatum is None else {**trace["casus"], "peildatum": peildatum}
        try:
            new = candidate.advies(casus)
        except CasusError:
            report.fouten += 1  # the casus no longer fits the candidate's catalogue
            new = None
        changes = compare(trace, new.trace) if new is not None else []
        if changes:
            report.veranderd += 1
            report.adviezen.append({
                "advies_id": item.id,
                "wijzigingen": [{"effect": c.effect, "instrument": c.instrument, "van": c.van,
                                 "naar": c.naar, "voorwaarden": c.voorwaarden}
                                for c in changes]})
            for instrument, move in sorted({(c.instrument, f"{c.van} → {c.naar}")
                                            for c in changes}):
                report.per_instrument.setdefault(instrument, Counter())[move] += 1
        if progress:
            progress(n)
    return report


def _moved_by_kern(item: Opgeslagen, candidate: Engine, peildatum: str | None
                   ) -> bool | str | None:
    """Whether the candidate moves an instrument of this advies, decided from kernen (no full
    trace is evaluated): False (nothing moves), "fout" (the casus no longer fits), None (the
    casus cannot be read) or True: something moves, or this cannot be told from the kern, and
    the caller compares the full traces (for the conditions that decided the move)."""
    kern = item.kern
    if item.casus is None or item.pakketten is None or kern.get("engine") != __version__:
        return True
    casus = item.casus()
    if casus is None:
        return None
    if peildatum is not None:
        casus = {**casus, "peildatum": peildatum}
    try:
        new = candidate.kern(casus)
    except CasusError:
        return "fout"
    before = kern_statuses(kern, _instrument_ids(item.pakketten, kern["peildatum"],
                                                 kern.get("gemeente")))
    after = kern_statuses(new, _instrument_ids(candidate, new["peildatum"], new.get("gemeente")))
    return before != after


# --- a folder of casus files, old and new rules side by side (no database) -------------------

CASUS_SUFFIXES = (".yaml", ".yml", ".json")


def casus_files(paths: Sequence[Path]) -> list[Path]:
    """The casus files named: a file as given, a folder's `*.yaml`, `*.yml` and `*.json` (not
    its sub-folders, so a folder of examples with a `tests/` beside it stays what it is)."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(sorted(p for p in path.iterdir()
                                if p.is_file() and p.suffix.lower() in CASUS_SUFFIXES))
        else:
            found.append(path)
    return found


@dataclass
class CasusImpact:
    """One casus file: what moves from the old to the new rules, or why it could not be read."""

    casus: str
    wijzigingen: list[Wijziging] = field(default_factory=list)
    fout: str | None = None
    """Set when the casus does not fit: `huidige regels` or `nieuwe regels`."""
    problemen: list[Problem] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"casus": self.casus,
                               "wijzigingen": [w.as_dict() for w in self.wijzigingen]}
        if self.fout:
            out["fout"] = self.fout
            out["problemen"] = [p.render() for p in self.problemen]
        return out


@dataclass
class CasussenRapport:
    """The impact of a rule change on a folder of casussen, per casus and per instrument."""

    casussen: list[CasusImpact] = field(default_factory=list)
    per_instrument: dict[str, Counter[str]] = field(default_factory=dict)

    @property
    def totaal(self) -> int:
        return len(self.casussen)

    @property
    def veranderd(self) -> int:
        return sum(1 for c in self.casussen if c.wijzigingen)

    @property
    def fouten(self) -> int:
        return sum(1 for c in self.casussen if c.fout)

    def as_dict(self) -> dict[str, Any]:
        return {**_counts(self.totaal, self.veranderd, self.fouten, self.per_instrument),
                "casussen": [c.as_dict() for c in self.casussen]}


def _names(*engines: Engine) -> dict[str, str]:
    return {ins.id: ins.naam for eng in engines for lp in eng.rules.packs
            for ins in lp.pack.instrumenten}


def impact_casussen(files: Sequence[Path], old: Engine, new: Engine,
                    peildatum: str | None = None,
                    progress: Callable[[int], None] | None = None) -> CasussenRapport:
    """Evaluate each casus file with the `old` and the `new` rules and compare the two adviezen.

    Unlike `impact`, nothing stored is needed: the "before" is evaluated now, with `old`, so the
    comparison shows only what the rule change does (not what changed since an advies was made).
    With `peildatum` both are evaluated on that day. A casus that does not fit the old rules (a
    bad file) or the new ones (a changed catalogue) is listed with its problems, located in the
    file where possible; the others go on.
    """
    report = CasussenRapport()
    names = _names(old, new)
    for n, path in enumerate(files, start=1):
        item = CasusImpact(str(path))
        report.casussen.append(item)
        try:
            casus = old.casus_file(path)
            data = casus.model_dump(mode="json", exclude_none=True)
            if peildatum is not None:
                data["peildatum"] = peildatum
            before = old.advies(data)
        except (CasusError, YamlError) as exc:
            item.fout, item.problemen = "huidige regels", list(exc.problems)
        except OSError as exc:  # unreadable file: say so, go on with the others
            item.fout = "huidige regels"
            item.problemen = [Problem(bestand=str(path), pad="(document)",
                                      melding=exc.strerror or type(exc).__name__)]
        else:
            try:
                after = new.advies(data)
            except CasusError as exc:
                item.fout, item.problemen = "nieuwe regels", list(exc.problems)
            else:
                item.wijzigingen = compare(before.trace, after.trace)
        for w in item.wijzigingen:
            w.naam = w.naam or names.get(w.instrument, "")
        for instrument, move in sorted({(c.instrument, f"{c.van} → {c.naar}")
                                        for c in item.wijzigingen}):
            report.per_instrument.setdefault(instrument, Counter())[move] += 1
        if progress:
            progress(n)
    return report
