"""YAML tests for rule packs (after OpenFisca's): a casus and what the law says must come out.

A test file in `rules/<pakket>/tests/` holds a list of tests:

    - naam: "scootmobiel: ladder nog niet uitgevraagd"
      bron: "art. 2.3.5 lid 3 Wmo 2015"            # where the expectation comes from
      casus: {peildatum: 2026-11-02, personen: [...], gewenste_effecten: [...]}
      verwacht:
        integraal_overleg: false                     # optional
        effecten:
          e1:
            grondwaarden: {wmo.zelfredzaamheid_participatie: ja}
            wetten: {wmo: ja, participatiewet: nee}
            instrumenten: {wmo.vervoersvoorziening: voorwaardelijk,
                           jeugdwet.jeugdhulp: niet_van_toepassing}
            termijnen: {wmo.vervoersvoorziening: {onderzoek: ja,            # applies (its toets)
                                                  beschikking: "2 weken"}} # its length
            markering: {wmo.pgb: [beslisruimte]}               # exact markers ([] = none)
            begrenzingen: {wmo.pgb: [duurder_dan_natura]}      # caps shown with it
            voorliggend: {participatiewet.algemene_bijstand: {uwv_uitkering: ja}}  # its toets
            annotaties: {wmo.collectief_vervoer: ["Regiotaxi"]}  # local text shown with it
            nog_uitvragen: [netwerk.mantelzorg_beschikbaar]   # must be among them
            niet_uitvragen: [personen[p1].leeftijd]            # must not be among them
        waarschuwingen: [{soort: herziening, parameter: pw_norm_alleenstaande}]

Expectations are partial on purpose: a test names what its law decides and stays valid when
other packs add instruments. Every key is documented in docs/regeltaal.md ("YAML tests").
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from engine.api import Engine
from engine.casus import problems_from_validation
from engine.errors import CasusError, Problem
from engine.evaluate import Receipt
from engine.regime import RuleBase
from engine.yamlsource import YamlError, read_yaml_file

Status = Literal["past", "voorwaardelijk", "past_niet", "niet_van_toepassing"]
Uitkomst = Literal["ja", "nee", "onbekend"]
UITKOMSTEN = ("ja", "nee", "onbekend")

EENHEDEN = {"werkdag": "werkdagen", "werkdagen": "werkdagen", "dag": "dagen", "dagen": "dagen",
            "week": "weken", "weken": "weken", "maand": "maanden", "maanden": "maanden",
            "jaar": "jaren", "jaren": "jaren"}
"""A termijn's unit as a test may write it (singular reads better for "1 week") -> the pack's."""
_DUUR = re.compile(r"\s*(\d+)\s+([a-z]+)\s*")
ONBEKEND = "onbekend"
"""A length that is not known: an open norm (`duur_parameter`) the municipality did not fill."""


def parse_duur(text: str) -> tuple[int, str] | None:
    """`"6 weken"` -> (6, "weken"); `"onbekend"` -> None; anything else is an error that names
    the accepted form, so a typo in a test is an authoring error, not a silent pass."""
    if text.strip() == ONBEKEND:
        return None
    m = _DUUR.fullmatch(text)
    if m is None or m.group(2) not in EENHEDEN:
        raise ValueError(f"geen duur: {text!r}; schrijf een aantal en een eenheid, zoals "
                         f"\"6 weken\" of \"1 week\" ({', '.join(sorted(set(EENHEDEN.values())))}),"
                         f" of \"{ONBEKEND}\"")
    return int(m.group(1)), EENHEDEN[m.group(2)]


def show_duur(duur: tuple[int, str] | None) -> str:
    """As a person writes it: "1 dag", "6 weken", "onbekend"."""
    if duur is None:
        return ONBEKEND
    count, unit = duur
    if count == 1:
        unit = next(k for k, v in EENHEDEN.items() if v == unit and k != v)
    return f"{count} {unit}"


class TermijnVerwachting(BaseModel):
    """One termijn of one instrument. Short forms: `ja`/`nee`/`onbekend` asserts whether it
    applies (its toets), `"6 weken"` asserts its length; the long form
    `{uitkomst: ja, duur: "6 weken"}` asserts both."""

    model_config = ConfigDict(extra="forbid")

    uitkomst: Uitkomst | None = None
    duur: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _short_form(cls, value: Any) -> Any:
        if isinstance(value, str):
            return {"uitkomst": value} if value in UITKOMSTEN else {"duur": value}
        return value

    @field_validator("duur")
    @classmethod
    def _valid_duur(cls, value: str | None) -> str | None:
        if value is not None:
            parse_duur(value)
        return value

    @model_validator(mode="after")
    def _not_empty(self) -> TermijnVerwachting:
        if self.uitkomst is None and self.duur is None:
            raise ValueError("noem 'uitkomst', 'duur' of beide")
        return self


class WaarschuwingVerwachting(BaseModel):
    """A notice above the advies ("Let op: …"). `soort: herziening` is a re-indexed amount
    whose new value is missing, `soort: rol` a person whose rol hides a law from him (both the
    trace's `waarschuwingen`); `soort: gemeente` is "no local policy known" (the trace's
    `gemeente.melding`). Every given field must match one notice; `tekst` is a part of its
    text. A bare string is short for `{tekst: ...}`."""

    model_config = ConfigDict(extra="forbid")

    soort: Literal["herziening", "rol", "gemeente"] | None = None
    parameter: str | None = None
    persoon: str | None = None
    tekst: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _short_form(cls, value: Any) -> Any:
        return {"tekst": value} if isinstance(value, str) else value

    @model_validator(mode="after")
    def _not_empty(self) -> WaarschuwingVerwachting:
        if (self.soort is None and self.parameter is None and self.persoon is None
                and self.tekst is None):
            raise ValueError("noem 'soort', 'parameter', 'persoon' of 'tekst'")
        return self

    def matches(self, notice: dict[str, Any]) -> bool:
        return ((self.soort is None or notice.get("soort") == self.soort)
                and (self.parameter is None or notice.get("parameter") == self.parameter)
                and (self.persoon is None or notice.get("persoon") == self.persoon)
                and (self.tekst is None or self.tekst in notice.get("tekst", "")))

    def show(self) -> str:
        parts = [f"{k}={v!r}" for k, v in (("soort", self.soort), ("parameter", self.parameter),
                                           ("persoon", self.persoon), ("tekst", self.tekst))
                 if v is not None]
        return "{" + ", ".join(parts) + "}"


class EffectVerwachting(BaseModel):
    model_config = ConfigDict(extra="forbid")

    wetten: dict[str, Uitkomst] = Field(default_factory=dict)
    """Per pack id: does this effect serve one of the law's grondwaarden (stap 2)?"""
    grondwaarden: dict[str, Uitkomst] = Field(default_factory=dict)
    instrumenten: dict[str, Status] = Field(default_factory=dict)
    termijnen: dict[str, dict[str, TermijnVerwachting]] = Field(default_factory=dict)
    """Per instrument id, per termijn id: does the deadline apply (its toets), how long is it?"""
    markering: dict[str, list[Literal["beslisruimte", "onzeker"]]] = Field(default_factory=dict)
    """Per instrument id: the exact set of markers next to its status ([] = none)."""
    begrenzingen: dict[str, list[str]] = Field(default_factory=dict)
    """Per instrument id: "voor zover" caps that must be shown with it (by begrenzing id)."""
    voorliggend: dict[str, dict[str, Uitkomst]] = Field(default_factory=dict)
    """Per instrument id, per voorliggende voorziening id: the outcome of its toets (a
    `vermelding` is named when ja or onbekend; an `uitsluiting` on ja makes it past_niet)."""
    annotaties: dict[str, list[str]] = Field(default_factory=dict)
    """Per instrument id: parts of the local annotations (an overlay's `annotaties`) that must
    be shown with it, each in one annotation's text ([] = no annotation at all)."""
    nog_uitvragen: list[str] = Field(default_factory=list)
    niet_uitvragen: list[str] = Field(default_factory=list)
    geen_grondwaarde: bool | None = None


class Verwachting(BaseModel):
    model_config = ConfigDict(extra="forbid")

    integraal_overleg: bool | None = None
    domeinen: list[str] | None = None
    waarschuwingen: list[WaarschuwingVerwachting] | None = None
    """Notices each of which must be shown above the advies ([] = none at all)."""
    effecten: dict[str, EffectVerwachting] = Field(default_factory=dict)


class YamlTest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    naam: str
    bron: str | None = None
    pakketten: list[str] | None = None
    """Evaluate with only these national packs (and the overlays): for a peildatum that one
    law's pack covers and the others do not (the Wsnp before 2025). Without it, every pack must
    be in force on the peildatum, as in an advies."""
    casus: dict[str, Any]
    verwacht: Verwachting


@dataclass
class YamlTestResult:
    file: str
    line: int
    naam: str
    failures: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failures


def find_test_files(paths: Sequence[Path]) -> list[Path]:
    """`rules/` -> every pack's tests; a pack folder -> its tests; a file -> itself."""
    out: list[Path] = []
    for p in paths:
        if p.is_file():
            out.append(p)
        elif (p / "tests").is_dir():
            out.extend(sorted((p / "tests").glob("*.yaml")))
        elif p.is_dir():
            out.extend(sorted(p.rglob("tests/*.yaml")))
    return out


def load_tests(path: Path) -> tuple[list[tuple[int, YamlTest]], list[Problem]]:
    try:
        doc = read_yaml_file(path)
    except YamlError as exc:
        return [], exc.problems
    if not isinstance(doc.data, list):
        return [], [doc.problem((), "een testbestand is een lijst van tests")]
    tests: list[tuple[int, YamlTest]] = []
    problems: list[Problem] = []
    for i, raw in enumerate(doc.data):
        try:
            tests.append((doc.locate((i,))[0], YamlTest.model_validate(raw)))
        except ValidationError as exc:
            problems.extend(problems_from_validation(exc, doc, (i,)))
    return tests, problems


def run_test(engine: Engine, test: YamlTest, file: str, line: int) -> YamlTestResult:
    result = YamlTestResult(file, line, test.naam)
    if test.pakketten is not None:
        known = {lp.id for lp in engine.rules.packs}
        if unknown := [p for p in test.pakketten if p not in known]:
            result.failures.append(f"pakketten: onbekend regelpakket {unknown[0]!r}")
            return result
        engine = _subset(engine, tuple(sorted(test.pakketten)))
    try:
        receipt = engine.advies(test.casus)
    except CasusError as exc:
        result.failures.extend(f"casus: {p.render()}" for p in exc.problems)
        return result
    result.failures.extend(compare(receipt, test.verwacht))
    return result


_SUBSETS: dict[tuple[int, tuple[str, ...]], tuple[RuleBase, Engine]] = {}
"""Per rule base (by identity; the entry keeps the rule base alive, so its id cannot be
reused by another one while the entry is here) and pack ids: the engine over those packs."""


def _subset(engine: Engine, ids: tuple[str, ...]) -> Engine:
    """The same engine over fewer national packs (cached per rule base)."""
    key = (id(engine.rules), ids)
    found = _SUBSETS.get(key)
    if found is None or found[0] is not engine.rules:
        packs = [lp for lp in engine.rules.packs if lp.id in ids or lp.gemeente is not None]
        if len(_SUBSETS) > 64:
            _SUBSETS.clear()
        found = (engine.rules, Engine(RuleBase(packs), engine.backend_name))
        _SUBSETS[key] = found
    return found[1]


def compare(receipt: Receipt, verwacht: Verwachting) -> list[str]:
    """Every difference between the advies and the expectation, as readable lines."""
    advies = receipt.advies
    out: list[str] = []
    if verwacht.integraal_overleg is not None:
        got = advies["stap2"]["integraal_overleg"]
        if got != verwacht.integraal_overleg:
            out.append(f"integraal_overleg: verwacht {verwacht.integraal_overleg}, kreeg {got}")
    if verwacht.domeinen is not None:
        got_d = advies["stap2"]["domeinen"]
        if sorted(got_d) != sorted(verwacht.domeinen):
            out.append(f"domeinen: verwacht {sorted(verwacht.domeinen)}, kreeg {got_d}")
    if verwacht.waarschuwingen is not None:
        out.extend(_compare_notices(receipt.trace, verwacht.waarschuwingen))
    effecten = {e["id"]: e for e in advies["effecten"]}
    for eid, exp in verwacht.effecten.items():
        effect = effecten.get(eid)
        if effect is None:
            out.append(f"{eid}: effect bestaat niet in de casus")
            continue
        laws = {w["pakket"]: w["uitkomst"] for w in effect["stap2"]["wetten"]}
        for pid, want in exp.wetten.items():
            got_w = laws.get(pid, "nee")
            if got_w != want:
                out.append(f"{eid}: wet {pid}: verwacht {want}, kreeg {got_w}")
        gw = {g["id"]: g["uitkomst"] for g in effect["stap2"]["grondwaarden"]}
        for gid, want in exp.grondwaarden.items():
            got_g = gw.get(gid, "(geen grondwaarde met deze id)")
            if got_g != want:
                out.append(f"{eid}: grondwaarde {gid}: verwacht {want}, kreeg {got_g}")
        if exp.geen_grondwaarde is not None and (
                effect["stap2"]["geen_grondwaarde"] != exp.geen_grondwaarde):
            out.append(f"{eid}: geen_grondwaarde: verwacht {exp.geen_grondwaarde}, kreeg "
                       f"{effect['stap2']['geen_grondwaarde']}")
        statuses = {i["id"]: i for i in effect["stap4"]["instrumenten"]}
        nvt = {i["id"] for i in effect["stap4"]["niet_van_toepassing"]}
        for iid, want_s in exp.instrumenten.items():
            if iid in statuses:
                got_s = statuses[iid]["status"]
            elif iid in nvt:
                got_s = "niet_van_toepassing"
            else:
                out.append(f"{eid}: instrument {iid} bestaat niet op deze peildatum")
                continue
            if got_s != want_s:
                why = ""
                if iid in statuses:
                    why = "; ".join(f"{r['soort']} {r['id']} {r['stand']}"
                                    for r in statuses[iid]["redenen"])
                out.append(f"{eid}: {iid}: verwacht {want_s}, kreeg {got_s}"
                           + (f" ({why})" if why else ""))
        for iid, wanted in exp.termijnen.items():
            listed = statuses.get(iid)
            if listed is None:
                out.append(f"{eid}: termijnen van {iid}: instrument niet in het advies")
                continue
            got_t = {t["id"]: t for t in listed["termijnen"]}
            for tid, want_t in wanted.items():
                out.extend(f"{eid}: {iid} termijn {tid}: {line}"
                           for line in _compare_termijn(got_t.get(tid), want_t))
        for iid, want_m in exp.markering.items():
            listed = statuses.get(iid)
            got_m = None if listed is None else listed["markering"]
            if got_m is None or sorted(set(want_m)) != got_m:
                out.append(f"{eid}: {iid} markering: verwacht {sorted(set(want_m))}, kreeg "
                           f"{got_m if got_m is not None else '(niet in het advies)'}")
        for iid, want_b in exp.begrenzingen.items():
            listed = statuses.get(iid)
            shown = [] if listed is None else [b["id"] for b in listed.get("begrenzingen", [])
                                               if b["uitkomst"] != "nee"]
            for bid in want_b:
                if bid not in shown:
                    out.append(f"{eid}: {iid} begrenzing {bid} niet getoond (wel: {shown})")
        for iid, want_v in exp.voorliggend.items():
            listed = statuses.get(iid)
            if listed is None:
                out.append(f"{eid}: voorliggend van {iid}: instrument niet in het advies")
                continue
            got_v = {v["id"]: v["uitkomst"] for v in listed.get("voorliggend", [])}
            for vid, want in want_v.items():
                if got_v.get(vid) != want:
                    out.append(f"{eid}: {iid} voorliggend {vid}: verwacht {want}, kreeg "
                               f"{got_v.get(vid, '(bestaat niet)')}")
        for iid, want_a in exp.annotaties.items():
            out.extend(f"{eid}: {iid} {line}"
                       for line in _compare_annotations(statuses.get(iid), want_a))
        asked = [q["feit"] for q in effect["nog_uitvragen"]]
        for fact in exp.nog_uitvragen:
            if fact not in asked:
                out.append(f"{eid}: nog uit te vragen {fact} ontbreekt (wel: {asked})")
        for fact in exp.niet_uitvragen:
            if fact in asked:
                out.append(f"{eid}: {fact} staat onterecht bij nog uit te vragen")
    return out


def _compare_termijn(got: dict[str, Any] | None, want: TermijnVerwachting) -> list[str]:
    if got is None:
        return ["(geen termijn met deze id)"]
    out = []
    if want.uitkomst is not None and got["uitkomst"] != want.uitkomst:
        out.append(f"verwacht {want.uitkomst}, kreeg {got['uitkomst']}")
    if want.duur is not None:
        got_d = None if got.get("duur") is None else (int(got["duur"]), got["eenheid"])
        if parse_duur(want.duur) != got_d:
            out.append(f"verwacht duur {want.duur}, kreeg {show_duur(got_d)}")
    return out


def _compare_annotations(listed: dict[str, Any] | None, want: list[str]) -> list[str]:
    if listed is None:
        return ["annotaties: instrument niet in het advies"]
    texts = [a["tekst"] for a in listed.get("lokaal", [])]
    if not want and texts:
        return [f"annotaties: verwacht geen, kreeg {texts}"]
    return [f"annotatie {part!r} niet getoond (wel: {texts if texts else 'geen annotaties'})"
            for part in want if not any(part in t for t in texts)]


def _compare_notices(trace: dict[str, Any], want: list[WaarschuwingVerwachting]) -> list[str]:
    """The notices the advies shows above it: the trace's `waarschuwingen` and, as soort
    `gemeente`, its `gemeente.melding` (the CLI prints both as "Let op")."""
    notices: list[dict[str, Any]] = list(trace.get("waarschuwingen", []))
    melding = trace.get("gemeente", {}).get("melding")
    if melding:
        notices.append({"soort": "gemeente", "tekst": melding})
    shown = [f"{n['soort']} {n['parameter']}" if "parameter" in n
             else f"{n['soort']} {n['persoon']}" if "persoon" in n
             else f"{n['soort']}: {n['tekst']}" for n in notices]
    if not want and notices:
        return [f"waarschuwingen: verwacht geen, kreeg {shown}"]
    return [f"waarschuwing {w.show()} niet getoond (wel: {shown if shown else 'geen'})"
            for w in want if not any(w.matches(n) for n in notices)]


def run_files(engine: Engine, files: Sequence[Path]) -> tuple[list[YamlTestResult], list[Problem]]:
    results: list[YamlTestResult] = []
    problems: list[Problem] = []
    for f in files:
        tests, found = load_tests(f)
        problems.extend(found)
        for line, test in tests:
            results.append(run_test(engine, test, str(f), line))
    return results, problems
