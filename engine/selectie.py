"""Which stored adviezen a candidate rule change can move: selective impact (issue 13).

An advies is a deterministic function of its casus, its pinned packs and the engine version. So
when a candidate differs from the pinned packs only in the body of some instruments (their
voorwaarden, uitsluitingen, voorliggende voorzieningen, begrenzingen, termijnen, texts), an advies
that did not list any of those instruments cannot come out differently, and impact need not
render and re-evaluate it. Everything else a change can touch is read by every advies and forces
a re-evaluation of all of them: the grondwaarden (step 2), the facts (the catalogue that checks a
casus), whether an instrument comes into view (`toepassing`, `grondwaarden`, `vorm_van`, its
validity), the set of instruments and packs, and every derived fact and parameter that any of
those reads.

The record lists what its evaluation read in two parts: the instruments it names (`Kern`,
`effecten[].instrumenten[].id`: an instrument that did not come into view has no status to move)
and its pinned packs (`Kern.pakketten`). What an instrument reads, its derived facts, parameters
and other instruments, follows from the pinned pack, so it is computed once per pack set here
(`afdruk`), not stored in every record.

Sound by construction, not by analysis of the evaluator: an afdruk splits a pack set into
"shared" (everything, except instrument bodies and the derived facts and parameters only bodies
read) and one hash per instrument (its body, plus every derived fact, parameter and instrument
body it refers to, transitively). A reference is any string in a body that names one of them,
so a field the evaluator may read later is counted before it is needed; a field this module does
not know is shared. The property test (`tests/test_impact_selectief.py`) holds selective impact
equal to a full re-evaluation for changes of every kind.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from engine.evaluate import canonical_json
from engine.loader import LoadedPack

BODY_FIELDS: frozenset[str] = frozenset({
    "naam", "omschrijving", "rechtsgrond", "productcategorie", "voorwaarden", "uitsluitingen",
    "voorliggend", "begrenzingen", "termijnen", "beslisruimte", "aliassen", "onzeker",
    "wettekst", "notitie"})
"""The fields of an instrument that decide its own status only once it is in view. Every other
field (id, soort, trede, grondwaarden, toepassing, vorm_van, geldig_vanaf/tot, and any field
added later) is shared: it can change which instruments an advies lists."""

NIET_GELEZEN: frozenset[str] = frozenset({"versie"})
"""Metadata of a pack that no status reads: a candidate is usually a new version number."""


@dataclass(frozen=True)
class Afdruk:
    """A pack set, split for impact: what every advies reads and what each instrument reads."""

    gedeeld: str
    """sha256 of everything every advies reads."""
    instrumenten: Mapping[str, str]
    """Per instrument id, sha256 of its bodies and all they refer to (not shared)."""
    verwijzingen: Mapping[str, frozenset[str]]
    """Per instrument id, the other instruments its status depends on: those its body refers to
    (transitively) and its bases when it is a form (`vorm_van`)."""


def _sha(data: Any) -> str:
    return hashlib.sha256(canonical_json(data).encode("utf-8")).hexdigest()


def _strings(data: Any) -> Iterable[str]:
    """Every string in a JSON value, keys included (a reference may sit in either)."""
    if isinstance(data, str):
        yield data
    elif isinstance(data, dict):
        for key, value in data.items():
            yield key
            yield from _strings(value)
    elif isinstance(data, list):
        for item in data:
            yield from _strings(item)


def afdruk(packs: Sequence[LoadedPack]) -> Afdruk:
    """The afdruk of the packs an advies was (or would be) evaluated with: a regime's packs."""
    dumps = sorted((lp.pack.model_dump(mode="json") for lp in packs),
                   key=lambda d: (d["regelpakket"]["id"], str(d["regelpakket"].get("gemeente")),
                                  str(d["regelpakket"].get("geldig_vanaf"))))
    # Nodes that an instrument body can have to itself: bodies, derived facts, parameters.
    nodes: dict[str, list[Any]] = {}
    shared: list[Any] = []
    for d in dumps:
        rest = {k: v for k, v in d.items()
                if k not in ("instrumenten", "afgeleide_feiten", "parameters")}
        rest["regelpakket"] = {k: v for k, v in d["regelpakket"].items()
                               if k not in NIET_GELEZEN}
        shared.append(rest)
        for ins in d["instrumenten"]:
            shared.append({k: v for k, v in ins.items() if k not in BODY_FIELDS})
            nodes.setdefault(f"instrument:{ins['id']}", []).append(
                {k: v for k, v in ins.items() if k in BODY_FIELDS})
        for af in d["afgeleide_feiten"]:
            nodes.setdefault(f"afgeleid:{af['id']}", []).append(af)
        for par in d["parameters"]:
            nodes.setdefault(f"parameter:{par['id']}", []).append(par)

    def refs(data: Any, instruments: bool = True) -> set[str]:
        found = set()
        for s in _strings(data):
            for name in (f"instrument:{s}" if instruments else "", f"parameter:{s}",
                         f"afgeleid:{s[len('afgeleid.'):]}" if s.startswith("afgeleid.") else ""):
                if name in nodes:
                    found.add(name)
        return found

    direct = {name: refs(content) for name, content in nodes.items()}

    def closure(start: set[str]) -> set[str]:
        seen, todo = set(start), list(start)
        while todo:
            for nxt in direct[todo.pop()]:
                if nxt not in seen:
                    seen.add(nxt)
                    todo.append(nxt)
        return seen

    instrument_ids = [n for n in nodes if n.startswith("instrument:")]
    reach = {n: closure({n}) for n in instrument_ids}
    # Shared: what the shared part refers to, and every node no instrument body reaches (so a
    # derived fact or parameter is never left out of every hash).
    reached = set().union(*reach.values()) if reach else set()
    # The shared part names instruments only as who they are (`id`) and as forms (`vorm_van`,
    # a pair evaluated together: `forms` below), never as something it reads.
    globaal = closure(refs(shared, instruments=False)) | (set(nodes) - reached)
    gedeeld = _sha([shared, {n: nodes[n] for n in sorted(globaal)}])
    instrumenten = {n.split(":", 1)[1]: _sha({m: nodes[m] for m in sorted(reach[n] - globaal)})
                    for n in instrument_ids}
    forms: dict[str, set[str]] = {}
    for d in dumps:
        for ins in d["instrumenten"]:
            forms.setdefault(ins["id"], set()).update(ins.get("vorm_van") or [])
    verwijzingen = {n.split(":", 1)[1]: frozenset(
        {m.split(":", 1)[1] for m in reach[n] if m.startswith("instrument:") and m != n}
        | forms.get(n.split(":", 1)[1], set())) for n in instrument_ids}
    return Afdruk(gedeeld, instrumenten, verwijzingen)


def geraakt(oud: Afdruk, nieuw: Afdruk) -> frozenset[str] | None:
    """The instruments whose status can differ between the two; None when every advies can move.

    Besides the instruments whose own hash changed, every instrument that depends on one of
    them: one whose body names it, and a form (`vorm_van`) of it, which never exceeds its base
    (`engine.evaluate.apply_forms`). A base does not depend on its forms. Over-counting costs a
    re-evaluation, never a result."""
    if oud.gedeeld != nieuw.gedeeld or set(oud.instrumenten) != set(nieuw.instrumenten):
        return None
    changed = {i for i, h in oud.instrumenten.items() if nieuw.instrumenten[i] != h}
    grew = True
    while grew:  # to a fixpoint: a form of a form of a changed base
        grew = False
        for afdruk_ in (oud, nieuw):
            for i, refs in afdruk_.verwijzingen.items():
                if i not in changed and refs & changed:
                    changed.add(i)
                    grew = True
    return frozenset(changed)


def gelezen(kern: Mapping[str, Any]) -> frozenset[str]:
    """The instruments an advies lists (its kern): the ones whose body its evaluation read."""
    return frozenset(ins["id"] for effect in kern["effecten"] for ins in effect["instrumenten"])
