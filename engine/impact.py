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
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from engine.api import Engine
from engine.errors import CasusError

AFWEZIG = "afwezig"
"""Status of an instrument that is not in the advies at all (e.g. a new local instrument)."""

DREMPEL = 5
"""A count of fewer adviezen than this (but more than none) is not shown in the overzicht."""
AFRONDING = 5
"""Every other count in the overzicht is rounded to a multiple of this, so a suppressed cell
cannot be recovered by subtracting the shown cells from a shown total."""
KLEIN = f"<{DREMPEL}"


def gepubliceerd(n: int) -> int | str:
    """A count as the overzicht shows it: 0 as is (nobody), 1 to 4 as "<5", anything else
    rounded half up to a multiple of 5 (5-7 → 5, 8-12 → 10). Any difference of two shown counts
    is then uncertain by up to ±5, which covers every suppressed value."""
    if n == 0:
        return 0
    if n < DREMPEL:
        return KLEIN
    return AFRONDING * ((n + AFRONDING // 2) // AFRONDING)


@dataclass
class Wijziging:
    effect: str
    instrument: str
    van: str
    naar: str
    voorwaarden: list[str] = field(default_factory=list)
    """Ids of the voorwaarden/uitsluitingen whose outcome changed."""


@dataclass
class ImpactRapport:
    totaal: int = 0
    veranderd: int = 0
    fouten: int = 0
    per_instrument: dict[str, Counter[str]] = field(default_factory=dict)
    adviezen: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self, limit: int = 500) -> dict[str, Any]:
        return {
            "totaal": self.totaal,
            "veranderd": self.veranderd,
            "fouten": self.fouten,
            "per_instrument": {iid: dict(sorted(moves.items()))
                               for iid, moves in sorted(self.per_instrument.items())},
            "adviezen": self.adviezen[:limit],
            "afgekapt": len(self.adviezen) > limit,
        }

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
            out[(effect["id"], ins["id"])] = {"status": "niet_van_toepassing"}
    return out


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
        changes.append(Wijziging(key[0], key[1], a["status"], b["status"], conditions))
    return changes


def impact(stored: Iterable[tuple[str, dict[str, Any]]], candidate: Engine,
           progress: Callable[[int], None] | None = None,
           peildatum: str | None = None) -> ImpactRapport:
    """Re-evaluate each stored (advies id, trace) with `candidate` and aggregate the moves.

    With `peildatum` every casus is evaluated on that day instead of its own: "what does the
    1 January change do" to the casussen we have seen (compared with their advies as it was).
    `per_instrument` counts adviezen (an advies whose two effecten make the same move counts
    once), so its cells are counts of persons' adviezen. `progress(n)` is called after each
    advies, also one whose casus no longer fits.
    """
    report = ImpactRapport()
    for n, (advies_id, trace) in enumerate(stored, start=1):
        report.totaal += 1
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
                "advies_id": advies_id,
                "wijzigingen": [{"effect": c.effect, "instrument": c.instrument, "van": c.van,
                                 "naar": c.naar, "voorwaarden": c.voorwaarden}
                                for c in changes]})
            for instrument, move in sorted({(c.instrument, f"{c.van} → {c.naar}")
                                            for c in changes}):
                report.per_instrument.setdefault(instrument, Counter())[move] += 1
        if progress:
            progress(n)
    return report
