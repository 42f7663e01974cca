"""The status of an instrument: the one place where grounds become `past`, `voorwaardelijk`
or `past_niet`.

Evaluation (`engine.evaluate`), the decision-table checks (`engine.checks`) and every display
(CLI, web page, regelboek, report) use this module, so the meaning of a discretionary ground, an
uncertain ground, a "voor zover" cap and a form of another instrument is written once.

The law decides the rules here, not convenience:

* Where the law leaves a decision to someone ("kan", "naar het oordeel van", a court's toets),
  a ground against the inwoner is a question for that someone, never a refusal: the instrument
  is `voorwaardelijk` and the reason names who decides (`Beslisruimte`).
* A ground the author marked `onzeker` (not verified in the law, or the law is open) is treated
  the same way: a wrong `past_niet` hides help an inwoner may get.
* "Voor zover" is a cap (`Begrenzing`): it is shown, it never changes the status.
* A pgb, a loan or a voorschot is a way of receiving another instrument (`vorm_van`): its status
  never exceeds the best status of what it is a form of.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from engine.language import Beslisruimte

Ternary = bool | None
Status = Literal["past", "voorwaardelijk", "past_niet"]
GroundKind = Literal["toepassing", "voorwaarde", "uitsluiting", "voorliggend", "begrenzing"]
Markering = Literal["beslisruimte", "onzeker"]

STATUS_RANK: dict[str, int] = {"past": 0, "voorwaardelijk": 1, "past_niet": 2}
"""Best first: the order of the ladder's second key and of `cap_by_forms`."""

STATUS_LABELS: dict[str, str] = {
    "past": "past",
    "voorwaardelijk": "voorwaardelijk",
    "past_niet": "past niet",
    "niet_van_toepassing": "niet van toepassing",
}
"""How a status reads for a consulent (CLI, web page, report, regelboek)."""

MARKERING_LABELS: dict[str, str] = {
    "beslisruimte": "ter beoordeling",
    "onzeker": "onzeker",
}

BESLISSER_LABELS: dict[str, str] = {
    "college": "het college",
    "rechter": "de rechter",
    "kantonrechter": "de kantonrechter",
    "kinderrechter": "de kinderrechter",
    "uwv": "het UWV",
    "svb": "de SVB",
    "zorgverzekeraar": "de zorgverzekeraar",
    "wlz_uitvoerder": "de Wlz-uitvoerder",
    "ciz": "het CIZ",
    "gemeenteraad": "de gemeenteraad",
    "belastingdienst": "de Belastingdienst",
    "gecertificeerde_instelling": "de gecertificeerde instelling",
    "jeugdhulpaanbieder": "de jeugdhulpaanbieder",
    "raad_voor_de_kinderbescherming": "de Raad voor de Kinderbescherming",
}

# The `stand` of a reden: what the ground did to the status. One vocabulary, used by the
# trace model (engine.trace) and the displays.
STAND_NIET_VOLDAAN = "niet voldaan"
STAND_VAN_TOEPASSING = "van toepassing"
STAND_GAAT_VOOR = "gaat voor"
STAND_ONBEKEND = "nog onbekend"
STAND_TER_BEOORDELING = "ter beoordeling"
STAND_ONZEKER = "onzeker"
STAND_RUST_OP_BESLISRUIMTE = "voldaan, ter beoordeling"
STAND_RUST_OP_ONZEKER = "voldaan, onzeker"
STAND_BEGRENZING = "voor zover"
STAND_BEGRENZING_MOGELIJK = "mogelijk, voor zover"
STAND_VORM_VAN = "vorm van"
STANDEN = (STAND_NIET_VOLDAAN, STAND_VAN_TOEPASSING, STAND_GAAT_VOOR, STAND_ONBEKEND,
           STAND_TER_BEOORDELING, STAND_ONZEKER, STAND_RUST_OP_BESLISRUIMTE,
           STAND_RUST_OP_ONZEKER, STAND_BEGRENZING,
           STAND_BEGRENZING_MOGELIJK, STAND_VORM_VAN)

_AGAINST_STAND = {"toepassing": STAND_NIET_VOLDAAN, "voorwaarde": STAND_NIET_VOLDAAN,
                  "uitsluiting": STAND_VAN_TOEPASSING, "voorliggend": STAND_GAAT_VOOR}


@dataclass(frozen=True)
class Ground:
    """One evaluated ground of an instrument: its kind, its three-valued outcome and whether the
    law leaves it to someone (`beslisruimte`) or the author could not verify it (`onzeker`)."""

    kind: GroundKind
    id: str
    uitkomst: Ternary
    onzeker: bool = False
    beslisruimte: Beslisruimte | None = None
    source: Any = None
    """The YAML item, for the reason's text and citation (not used by the rules here)."""

    @property
    def against(self) -> Ternary:
        """True when the ground goes against the instrument, None while it is unknown."""
        if self.kind == "begrenzing":
            return False
        if self.kind in ("voorwaarde", "toepassing"):
            return None if self.uitkomst is None else not self.uitkomst
        return self.uitkomst

    @property
    def soft(self) -> bool:
        """Its outcome against the inwoner is not the last word: someone decides, or the
        encoding is uncertain."""
        return self.onzeker or self.beslisruimte is not None


@dataclass(frozen=True)
class Decision:
    """The status of one instrument and the grounds that made it so."""

    status: Status
    grounds: tuple[Ground, ...] = ()
    """Every ground, in the order of the YAML."""
    hard: tuple[Ground, ...] = ()
    """Certain grounds against it: these make it `past_niet`."""
    soft: tuple[Ground, ...] = ()
    """Discretionary or uncertain grounds against it: these make it `voorwaardelijk`."""
    open: tuple[Ground, ...] = ()
    """Grounds still onbekend."""
    resting: tuple[Ground, ...] = ()
    """Conditions that hold but are discretionary or uncertain: a `past` rests on them."""
    caps: tuple[Ground, ...] = ()
    """"Voor zover" caps that apply (ja) or may apply (onbekend)."""
    beslisruimte: Beslisruimte | None = None
    """The grant itself is left to someone (instrument level)."""
    onzeker: bool = False
    """The instrument as a whole is marked onzeker."""

    @property
    def markering(self) -> list[Markering]:
        """Markers shown at instrument level next to the status (sorted, possibly empty)."""
        if self.status == "past_niet":
            return []
        found: set[Markering] = set()
        for g in (*self.soft, *self.resting):
            if g.beslisruimte is not None:
                found.add("beslisruimte")
            if g.onzeker:
                found.add("onzeker")
        if self.beslisruimte is not None:
            found.add("beslisruimte")
        if self.onzeker:
            found.add("onzeker")
        return sorted(found)

    @property
    def outlook(self) -> Ternary:
        """For the decision-table checks: True when it is `past`, False when no further fact can
        make it `past` (a ground already goes against it), None while that is open."""
        if self.status == "past":
            return True
        return False if self.hard or self.soft else None


def decide(grounds: Iterable[Ground], beslisruimte: Beslisruimte | None = None,
           onzeker: bool = False) -> Decision:
    """The status from the grounds (see the module docstring for why)."""
    hard: list[Ground] = []
    soft: list[Ground] = []
    unknown: list[Ground] = []
    resting: list[Ground] = []
    caps: list[Ground] = []
    all_grounds = list(grounds)
    for g in all_grounds:
        if g.kind == "begrenzing":
            if g.uitkomst is not False:
                caps.append(g)
            continue
        against = g.against
        if against is True:
            (soft if g.soft else hard).append(g)
        elif against is None:
            unknown.append(g)
        elif g.soft and g.kind in ("voorwaarde", "toepassing"):
            # A discretionary or uncertain condition that holds: the outcome rests on it. An
            # uitsluiting that does not apply leaves nothing to decide, whatever its footing.
            resting.append(g)
    status: Status = ("past_niet" if hard else "voorwaardelijk" if soft or unknown else "past")
    return Decision(status, tuple(all_grounds), tuple(hard), tuple(soft), tuple(unknown),
                    tuple(resting), tuple(caps), beslisruimte, onzeker)


def hidden_by_toepassing(uitkomst: Ternary, onzeker: bool,
                         beslisruimte: Beslisruimte | None) -> bool:
    """A toepassing that is certainly nee leaves the instrument out of the advies (it does not
    concern this effect); an uncertain or discretionary one keeps it in as a ground."""
    return uitkomst is False and not onzeker and beslisruimte is None


def cap_by_forms(status: Status, base_statuses: Sequence[str]) -> Status:
    """A form of other instruments never exceeds the best status among them."""
    if not base_statuses:
        return status
    best = min(base_statuses, key=lambda s: STATUS_RANK[s])
    worst_of_two = max(status, best, key=lambda s: STATUS_RANK[s])
    return worst_of_two  # type: ignore[return-value]


def cap_outlook(own: Ternary, bases: Sequence[Ternary]) -> Ternary:
    """`cap_by_forms` for the checks' three-valued outlook (True past, False never, None open)."""
    if not bases:
        return own
    best: Ternary = True if True in bases else None if None in bases else False
    if own is False or best is False:
        return False
    if own is True and best is True:
        return True
    return None


def reden_stand(g: Ground) -> str:
    """How a ground reads in the instrument's reasons."""
    if g.kind == "begrenzing":
        return STAND_BEGRENZING if g.uitkomst is True else STAND_BEGRENZING_MOGELIJK
    against = g.against
    if against is None:
        return STAND_ONBEKEND
    if against is True:
        if g.soft:
            return STAND_TER_BEOORDELING if g.beslisruimte is not None else STAND_ONZEKER
        return _AGAINST_STAND[g.kind]
    return STAND_RUST_OP_BESLISRUIMTE if g.beslisruimte is not None else STAND_RUST_OP_ONZEKER


def reasons(decision: Decision) -> list[Ground]:
    """The grounds a consulent must read, in the order of the YAML: for `past_niet` the grounds
    against it (the certain ones decide; an uncertain or discretionary one is shown beside them,
    e.g. the UWV route of Pw 7 lid 3 c next to the doelgroep of art. 10); otherwise the grounds
    against it, the open ones, those the outcome rests on, and the caps."""
    shown = set(map(id, (*decision.hard, *decision.soft) if decision.status == "past_niet"
                    else (*decision.soft, *decision.open, *decision.resting, *decision.caps)))
    return [g for g in decision.grounds if id(g) in shown]


def beslisser(door: str) -> str:
    return BESLISSER_LABELS.get(door, door)


# ---- Display: how a status, its markers and its reasons read (CLI, web page, regelboek, report).
# These take the trace's dicts, so every display shows the same words for the same advies.

def status_label(status: str) -> str:
    return STATUS_LABELS.get(status, status)


def deciders(instrument: dict[str, Any]) -> list[str]:
    """Who decides, for an instrument in the trace: from its reasons and its own beslisruimte."""
    found = [r["door"] for r in instrument.get("redenen", [])
             if r.get("door") and r["soort"] != "begrenzing"]  # a cap never decides the status
    own = instrument.get("beslisruimte")
    if own:
        found.append(own["door"])
    return list(dict.fromkeys(found))


def markering_label(instrument: dict[str, Any]) -> str:
    """E.g. "ter beoordeling van het college; onzeker" (empty when there is no marker)."""
    parts = []
    marks = instrument.get("markering", [])
    if "beslisruimte" in marks:
        who = " en ".join(beslisser(d) for d in deciders(instrument)) or "een ander"
        parts.append(f"ter beoordeling van {who}")
    if "onzeker" in marks:
        parts.append("onzeker")
    return "; ".join(parts)


def toont_onzekere_regels(instrument: dict[str, Any]) -> bool:
    """Whether "bevat onzekere regels" (rules of this instrument not yet verified against the
    law) goes next to the status. Not with `past_niet`: an onzeker ground never decides
    `past_niet` (`decide`), so the ground that did is certain and the mark would cast doubt on
    a refusal that has none; nor when the markering already says onzeker."""
    return (bool(instrument.get("onzeker")) and instrument.get("status") != "past_niet"
            and "onzeker" not in instrument.get("markering", []))


def reden_text(reden: dict[str, Any]) -> str:
    """One reason as a consulent reads it: what, how it stands, who decides, where in the law."""
    extra = [reden["stand"]]
    if reden.get("door"):
        extra.append(f"beslist: {beslisser(reden['door'])}")
    if reden.get("citaat"):
        extra.append(reden["citaat"])
    return f"{reden['uitleg']} ({'; '.join(extra)})"
