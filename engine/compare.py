"""Compare two advies traces in terms of the law: statuses, deciding conditions, parameters.

A replay against today's rules can differ in hundreds of JSON paths for one real change (a
parameter value shifts every comparison that cites it, every list after it renumbers). An
auditor asks other questions: which instrument changed status for which effect, on which
condition and article, which parameter changed from what to what, and which questions were added
or are no longer needed. `vergelijk` answers them from the two traces alone, so it works the same
for a stored receipt, the service's `_vergelijk` and `ot herhaal`.

It tolerates a damaged trace (a receipt an auditor was handed may have been tampered with): what
is missing or malformed is treated as absent, never as an exception.

The trace does not carry a parameter's omschrijving or validity; a caller that has the rule base
passes them in (`parameter_info`), otherwise they stay empty.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from engine.api import Engine

InstrumentStand = Literal["past", "voorwaardelijk", "past_niet", "niet_van_toepassing",
                          "ontbreekt"]
"""An instrument's status for one effect; `ontbreekt`: the instrument is not in that trace."""

ITEM_SOORTEN = {"voorwaarden": "voorwaarde", "uitsluitingen": "uitsluiting",
                "voorliggend": "voorliggend", "begrenzingen": "begrenzing",
                "termijnen": "termijn"}
"""The evaluated lists of an instrument, and the `soort` their reasons carry (`Reden.soort`)."""


class _M(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class GrondWijziging(_M):
    """One condition (voorwaarde, uitsluiting, …) of an instrument whose outcome changed."""

    soort: str = Field(description="voorwaarde, uitsluiting, voorliggend, begrenzing, termijn, "
                                   "toepassing, vorm_van of instrument")
    id: str
    rechtsgrond: str | None = Field(description="bv. 'art. 2.3.5 lid 3 Wmo 2015'")
    uitleg: str | None
    uitkomst_toen: str | None = Field(description="ja, nee, onbekend; null: niet geëvalueerd")
    uitkomst_nu: str | None
    stand_toen: str | None = Field(description="de reden zoals het advies hem noemde "
                                               "(bv. 'nog onbekend'); null: geen reden")
    stand_nu: str | None
    door: str | None = Field(default=None, description="wie beslist (beslisruimte)")


class InstrumentWijziging(_M):
    """An instrument for one effect whose status, marker or conditions changed."""

    effect: str
    instrument: str
    naam: str
    rechtsgrond: str | None
    status_toen: InstrumentStand
    status_nu: InstrumentStand
    markering_toen: list[str]
    markering_nu: list[str]
    reden_toen: str | None = Field(default=None, description="waarom niet van toepassing")
    reden_nu: str | None = None
    gronden: list[GrondWijziging] = Field(description="de voorwaarden die de verandering "
                                                      "dragen, met hun artikel en uitleg")


class AfgeleidWijziging(_M):
    """A derived fact (e.g. 'inkomen onder de bijstandsnorm') whose outcome changed."""

    effect: str
    id: str
    rechtsgrond: str | None
    uitleg: str | None
    uitkomst_toen: str | None
    uitkomst_nu: str | None


class ParameterStand(_M):
    waarde: float | int | None
    eenheid: str | None
    rechtsgrond: str | None
    bron: str | None = Field(description="landelijk of lokaal")
    geldig_vanaf: str | None = Field(default=None, description="null: onbekend of vanaf het "
                                                               "begin van het pakket")
    geldig_tot: str | None = Field(default=None, description="null: onbekend of open einde")


class ParameterWijziging(_M):
    id: str
    omschrijving: str | None
    toen: ParameterStand | None = Field(description="null: de parameter was er toen niet")
    nu: ParameterStand | None = Field(description="null: de parameter is er nu niet")


class VraagWijziging(_M):
    feit: str
    vraag: str | None


class PakketWijziging(_M):
    id: str
    versie_toen: str | None
    versie_nu: str | None


class Stap2Wijziging(_M):
    integraal_overleg_toen: bool | None
    integraal_overleg_nu: bool | None
    domeinen_toen: list[str]
    domeinen_nu: list[str]


class Wetsvergelijking(_M):
    """Two adviezen compared in terms of the law (`vergelijk`)."""

    gelijk: bool = Field(description="geen verschil in status, voorwaarden, afgeleide feiten, "
                                     "parameters, vragen of stap 2")
    peildatum_toen: str | None
    peildatum_nu: str | None
    pakketten: list[PakketWijziging] = Field(description="pakketten met een andere inhoud")
    instrumenten: list[InstrumentWijziging]
    afgeleide_feiten: list[AfgeleidWijziging]
    parameters: list[ParameterWijziging]
    vragen_erbij: list[VraagWijziging] = Field(description="nu ook nog uit te vragen")
    vragen_vervallen: list[VraagWijziging] = Field(description="niet meer uit te vragen")
    stap2: Stap2Wijziging | None = Field(default=None, description="alleen bij een verschil")


class ParameterInfo(_M):
    """What the trace does not say about a parameter: its omschrijving and the validity of the
    value used (from the rule base the trace was made with)."""

    omschrijving: str
    geldig_vanaf: str | None
    geldig_tot: str | None


def parameter_info(engine: Engine, trace: Mapping[str, Any]) -> dict[str, ParameterInfo]:
    """Per parameter id: omschrijving and validity of the value in force on the trace's
    peildatum, in `engine`'s rule base (with the trace's municipality). Empty when the trace
    has no usable peildatum."""
    try:
        day = dt.date.fromisoformat(str(trace.get("peildatum")))
    except ValueError:
        return {}
    gemeente = _dict(trace, "gemeente").get("code")
    regime = engine.rules.regime(day, gemeente if isinstance(gemeente, str) else None)
    return {pid: ParameterInfo(omschrijving=pv.parameter.omschrijving,
                               geldig_vanaf=_iso(pv.waarde.geldig_vanaf),
                               geldig_tot=_iso(pv.waarde.geldig_tot))
            for pid, pv in regime.parameters.items()}


def vergelijk(oud: Mapping[str, Any], nieuw: Mapping[str, Any], *,
              info_toen: Mapping[str, ParameterInfo] | None = None,
              info_nu: Mapping[str, ParameterInfo] | None = None) -> Wetsvergelijking:
    """The law-level differences from trace `oud` to trace `nieuw` (a pure function)."""
    instrumenten, afgeleid = [], []
    old_effects = {e.get("id"): e for e in _list(_dict(oud, "advies"), "effecten")}
    new_effects = [e for e in _list(_dict(nieuw, "advies"), "effecten")]
    seen = {e.get("id") for e in new_effects}
    pairs = [(str(e.get("id")), old_effects.get(e.get("id"), {}), e) for e in new_effects]
    pairs += [(str(i), e, {}) for i, e in old_effects.items() if i not in seen]
    for effect, then, now in pairs:
        instrumenten.extend(_instruments(effect, then, now))
        afgeleid.extend(_derived(effect, then, now))
    stap2 = _stap2(_dict(_dict(oud, "advies"), "stap2"), _dict(_dict(nieuw, "advies"), "stap2"))
    parameters = _parameters(oud, nieuw, info_toen or {}, info_nu or {})
    asked_then = _questions(oud)
    asked_now = _questions(nieuw)
    erbij = [VraagWijziging(feit=f, vraag=q) for f, q in asked_now.items() if f not in asked_then]
    vervallen = [VraagWijziging(feit=f, vraag=q) for f, q in asked_then.items()
                 if f not in asked_now]
    return Wetsvergelijking(
        gelijk=not (instrumenten or afgeleid or parameters or erbij or vervallen or stap2),
        peildatum_toen=_str(oud.get("peildatum")), peildatum_nu=_str(nieuw.get("peildatum")),
        pakketten=_packs(oud, nieuw), instrumenten=instrumenten, afgeleide_feiten=afgeleid,
        parameters=parameters, vragen_erbij=erbij, vragen_vervallen=vervallen, stap2=stap2)


# ── instruments ─────────────────────────────────────────────────────────────────────────────

def _instruments(effect: str, then: Mapping[str, Any], now: Mapping[str, Any]
                 ) -> list[InstrumentWijziging]:
    old, old_nvt = _stap4(then)
    new, new_nvt = _stap4(now)
    ids = list(dict.fromkeys([*new, *new_nvt, *old, *old_nvt]))
    out = []
    for iid in ids:
        a, b = old.get(iid), new.get(iid)
        status_then = _status(a, iid in old_nvt)
        status_now = _status(b, iid in new_nvt)
        x, y = a or {}, b or {}
        grounds = _grounds(x, y)
        mark_then, mark_now = _strings(x.get("markering")), _strings(y.get("markering"))
        cite_then, cite_now = _cite(x.get("rechtsgrond")), _cite(y.get("rechtsgrond"))
        why_then, why_now = old_nvt.get(iid), new_nvt.get(iid)
        if (status_then == status_now and mark_then == mark_now and not grounds
                and why_then == why_now and (a is None or b is None or cite_then == cite_now)):
            continue
        naam = _str(y.get("naam")) or _str(x.get("naam")) or iid
        out.append(InstrumentWijziging(
            effect=effect, instrument=iid, naam=naam, rechtsgrond=cite_now or cite_then,
            status_toen=status_then, status_nu=status_now, markering_toen=mark_then,
            markering_nu=mark_now, reden_toen=why_then, reden_nu=why_now, gronden=grounds))
    return out


def _stap4(effect: Mapping[str, Any]) -> tuple[dict[str, Mapping[str, Any]], dict[str, str]]:
    stap4 = _dict(effect, "stap4")
    found = {str(i.get("id")): i for i in _list(stap4, "instrumenten")}
    nvt = {str(n.get("id")): str(n.get("reden", "")) for n in _list(stap4, "niet_van_toepassing")}
    return found, nvt


def _status(ins: Mapping[str, Any] | None, nvt: bool) -> InstrumentStand:
    if ins is not None:
        status = ins.get("status")
        if status in ("past", "voorwaardelijk", "past_niet"):
            return status  # type: ignore[no-any-return]
    return "niet_van_toepassing" if nvt else "ontbreekt"


def _grounds(then: Mapping[str, Any], now: Mapping[str, Any]) -> list[GrondWijziging]:
    """The conditions that carry the change: those whose outcome (ja / nee / onbekend)
    changed, by (soort, id) over the items, the instrument's own `toepassing` and its reasons.
    A ground that is only a reason (vorm_van: the instrument it is a form of; instrument: the
    grant left to someone) has no outcome: it counts when its reason changed. A condition
    that only became a reason, its outcome the same (an open voorwaarde listed once the
    status is no longer past_niet), does not decide the change and is left out."""
    a, b = _ground_index(then), _ground_index(now)
    out = []
    for key in dict.fromkeys([*b, *a]):
        x, y = a.get(key, {}), b.get(key, {})
        if x.get("uitkomst") == y.get("uitkomst") and (
                x.get("uitkomst") is not None or x.get("stand") == y.get("stand")):
            continue
        out.append(GrondWijziging(
            soort=key[0], id=key[1], rechtsgrond=y.get("rechtsgrond") or x.get("rechtsgrond"),
            uitleg=y.get("uitleg") or x.get("uitleg"), uitkomst_toen=x.get("uitkomst"),
            uitkomst_nu=y.get("uitkomst"), stand_toen=x.get("stand"), stand_nu=y.get("stand"),
            door=y.get("door") or x.get("door")))
    return out


def _ground_index(ins: Mapping[str, Any]) -> dict[tuple[str, str], dict[str, str | None]]:
    found: dict[tuple[str, str], dict[str, str | None]] = {}
    toepassing = ins.get("toepassing")
    if isinstance(toepassing, dict):
        found[("toepassing", "toepassing")] = {"uitkomst": _str(toepassing.get("uitkomst"))}
    for field, soort in ITEM_SOORTEN.items():
        for item in _list(ins, field):
            beslis = item.get("beslisruimte")
            found[(soort, str(item.get("id")))] = {
                "uitkomst": _str(item.get("uitkomst")),
                "rechtsgrond": _cite(item.get("rechtsgrond")),
                "uitleg": (_str(item.get("uitleg")) or _str(item.get("omschrijving"))
                           or _str(item.get("naam"))),
                "door": _str(beslis.get("door")) if isinstance(beslis, dict) else None}
    for reden in _list(ins, "redenen"):
        entry = found.setdefault((str(reden.get("soort")), str(reden.get("id"))), {})
        entry["stand"] = _str(reden.get("stand"))
        for key, source in (("rechtsgrond", "citaat"), ("uitleg", "uitleg"), ("door", "door")):
            entry[key] = entry.get(key) or _str(reden.get(source))
    return found


# ── derived facts, stap 2, parameters, questions, packs ─────────────────────────────────────

def _derived(effect: str, then: Mapping[str, Any], now: Mapping[str, Any]
             ) -> list[AfgeleidWijziging]:
    a = {str(d.get("id")): d for d in _list(then, "afgeleide_feiten")}
    b = {str(d.get("id")): d for d in _list(now, "afgeleide_feiten")}
    out = []
    for did in dict.fromkeys([*b, *a]):
        x, y = a.get(did, {}), b.get(did, {})
        if x.get("uitkomst") == y.get("uitkomst"):
            continue
        out.append(AfgeleidWijziging(
            effect=effect, id=did, rechtsgrond=_cite(y.get("rechtsgrond")) or _cite(
                x.get("rechtsgrond")), uitleg=_str(y.get("uitleg")) or _str(x.get("uitleg")),
            uitkomst_toen=_str(x.get("uitkomst")), uitkomst_nu=_str(y.get("uitkomst"))))
    return out


def _stap2(then: Mapping[str, Any], now: Mapping[str, Any]) -> Stap2Wijziging | None:
    change = Stap2Wijziging(
        integraal_overleg_toen=_bool(then.get("integraal_overleg")),
        integraal_overleg_nu=_bool(now.get("integraal_overleg")),
        domeinen_toen=_strings(then.get("domeinen")), domeinen_nu=_strings(now.get("domeinen")))
    same = (change.integraal_overleg_toen == change.integraal_overleg_nu
            and change.domeinen_toen == change.domeinen_nu)
    return None if same else change


def _parameters(oud: Mapping[str, Any], nieuw: Mapping[str, Any],
                info_then: Mapping[str, ParameterInfo], info_now: Mapping[str, ParameterInfo]
                ) -> list[ParameterWijziging]:
    a = {str(p.get("id")): p for p in _list(oud, "parameters")}
    b = {str(p.get("id")): p for p in _list(nieuw, "parameters")}
    out = []
    for pid in sorted(set(a) | set(b)):
        if a.get(pid) == b.get(pid):  # validity is only known on one side at times: not a change
            continue
        then, now = _param_state(a.get(pid), info_then.get(pid)), _param_state(
            b.get(pid), info_now.get(pid))
        known = info_now.get(pid) or info_then.get(pid)
        out.append(ParameterWijziging(id=pid, omschrijving=known.omschrijving if known else None,
                                      toen=then, nu=now))
    return out


def _param_state(p: Mapping[str, Any] | None, info: ParameterInfo | None
                 ) -> ParameterStand | None:
    if p is None:
        return None
    waarde = p.get("waarde")
    return ParameterStand(
        waarde=waarde if isinstance(waarde, int | float) and not isinstance(waarde, bool)
        else None, eenheid=_str(p.get("eenheid")), rechtsgrond=_cite(p.get("rechtsgrond")),
        bron=_str(p.get("bron")), geldig_vanaf=info.geldig_vanaf if info else None,
        geldig_tot=info.geldig_tot if info else None)


def _questions(trace: Mapping[str, Any]) -> dict[str, str | None]:
    return {str(q.get("feit")): _str(q.get("vraag"))
            for q in _list(_dict(trace, "advies"), "nog_uitvragen")}


def _packs(oud: Mapping[str, Any], nieuw: Mapping[str, Any]) -> list[PakketWijziging]:
    a = {str(p.get("id")): p for p in _list(oud, "pakketten")}
    b = {str(p.get("id")): p for p in _list(nieuw, "pakketten")}
    return [PakketWijziging(id=pid, versie_toen=_str(a.get(pid, {}).get("versie")),
                            versie_nu=_str(b.get(pid, {}).get("versie")))
            for pid in sorted(set(a) | set(b))
            if a.get(pid, {}).get("hash") != b.get(pid, {}).get("hash")]


# ── tolerant access: a damaged trace reads as absent, never as an exception ─────────────────

def _dict(d: Any, key: str) -> Mapping[str, Any]:
    found = d.get(key) if isinstance(d, Mapping) else None
    return found if isinstance(found, Mapping) else {}


def _list(d: Any, key: str) -> list[Mapping[str, Any]]:
    found = d.get(key) if isinstance(d, Mapping) else None
    return [x for x in found if isinstance(x, Mapping)] if isinstance(found, list) else []


def _strings(v: Any) -> list[str]:
    return [str(x) for x in v] if isinstance(v, list) else []


def _str(v: Any) -> str | None:
    return v if isinstance(v, str) else None


def _bool(v: Any) -> bool | None:
    return v if isinstance(v, bool) else None


def _cite(v: Any) -> str | None:
    return _str(v.get("tekst")) if isinstance(v, Mapping) else None


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None

