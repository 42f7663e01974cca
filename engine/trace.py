"""The advies and its trace as pydantic models: the typed, documented form of the receipt.

The evaluator writes the canonical JSON directly (speed, byte-stable hashing); these models are
its contract. `Receipt.model()` parses a receipt into them, the service publishes them in its
OpenAPI document, and the property tests validate every generated trace against them
(`extra="forbid"`: a field the evaluator adds without documenting it here is a test failure).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from engine.semantics import STANDEN

Uitkomst = Literal["ja", "nee", "onbekend"]
Status = Literal["past", "voorwaardelijk", "past_niet"]


class _M(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Citaat(_M):
    """A rendered legal basis: structured fields, readable text and the Juriconnect reference."""

    bwb_id: str
    artikel: str
    lid: str | None
    onderdeel: str | None
    tekst: str = Field(description="bv. 'art. 2.3.5 lid 3 Wmo 2015'")
    jci: str = Field(description="jci1.3:c:… (resolvable on wetten.overheid.nl), or the "
                                 "lokaleregelgeving.overheid.nl address of a local regulation")
    regeling: str | None = None


class Vergelijking(_M):
    feit: str = Field(description="the fact as the rule names it, e.g. persoon.leeftijd")
    adres: str = Field(description="where it lives in the casus, e.g. personen[p1].leeftijd")
    op: str
    waarde: Any = Field(description="the value compared with (a parameter resolved)")
    parameter: str | None = None
    gevonden: Any = Field(description="the value in the casus; null = onbekend")
    bij_onbekend: Literal["ja", "nee"] | None = Field(
        default=None, description="what the comparison counts as while its fact is onbekend "
                                  "(regeltaal: bij_onbekend); `uitkomst` is then that value")
    uitkomst: Uitkomst


class Alle(_M):
    alle: list[Toets]
    uitkomst: Uitkomst


class EenVan(_M):
    een_van: list[Toets]
    uitkomst: Uitkomst


class Niet(_M):
    niet: Toets
    uitkomst: Uitkomst


Toets = Annotated[Vergelijking | Alle | EenVan | Niet, Field(union_mode="left_to_right")]


class LokaleBron(_M):
    pakket: str
    rechtsgrond: Citaat


class Annotatie(_M):
    pakket: str
    tekst: str
    rechtsgrond: Citaat


class Beslisruimte(_M):
    """The law leaves this decision to someone (see `engine.semantics`)."""

    door: str = Field(description="college, rechter, kantonrechter, uwv, svb, …")
    wie: str = Field(description="readable, e.g. 'het college'")
    wettekst: str = Field(description="the law's words that give the discretion")
    rechtsgrond: Citaat | None = None


class Item(_M):
    """A voorwaarde, uitsluiting, voorliggende voorziening, begrenzing or termijn, evaluated."""

    id: str
    rechtsgrond: Citaat
    uitkomst: Uitkomst
    toets: Toets | None = None
    uitleg: str | None = None
    naam: str | None = None
    gevolg: Literal["uitsluiting", "vermelding"] | None = None
    omschrijving: str | None = None
    duur: int | None = None
    duur_parameter: str | None = None
    lokaal: LokaleBron | None = None
    eenheid: str | None = None
    onzeker: bool | None = None
    beslisruimte: Beslisruimte | None = None
    notitie: str | None = None


class Reden(_M):
    """Why the instrument has its status: one ground, what it did, and who decides."""

    soort: Literal["toepassing", "voorwaarde", "uitsluiting", "voorliggend", "begrenzing",
                   "vorm_van", "instrument"]
    id: str
    stand: str = Field(description=" | ".join(STANDEN))
    uitleg: str
    citaat: str
    door: str | None = Field(default=None, description="who decides (beslisruimte)")
    wettekst: str | None = Field(default=None, description="the law's words that give the "
                                                           "discretion")
    onzeker: bool | None = None


class Productcategorie(_M):
    standaard: str
    code: str
    naam: str
    onzeker: bool | None = None


class Instrument(_M):
    id: str
    naam: str
    pakket: str
    soort: str
    trede: Literal["eigen_kracht", "gebruikelijke_hulp", "netwerk", "algemene_voorziening",
                   "maatwerk"]
    rechtsgrond: Citaat
    grondwaarden: list[str]
    status: Status
    markering: list[Literal["beslisruimte", "onzeker"]] = Field(
        description="shown next to the status: the outcome rests on a discretionary or "
                    "uncertain ground")
    redenen: list[Reden]
    voorwaarden: list[Item]
    uitsluitingen: list[Item]
    voorliggend: list[Item]
    termijnen: list[Item]
    nog_uitvragen: list[str]
    begrenzingen: list[Item] | None = Field(default=None, description='"voor zover" caps')
    beslisruimte: Beslisruimte | None = Field(default=None, description="the grant itself is "
                                                                        "left to someone")
    vorm_van: list[str] | None = Field(default=None, description="instruments this is a form of")
    omschrijving: str | None = None
    productcategorie: Productcategorie | None = None
    toepassing: Toets | None = None
    onzeker: bool | None = None
    notitie: str | None = None
    gemeente: str | None = Field(default=None, description="set for a local instrument")
    lokaal: list[Annotatie] | None = Field(default=None, description="local practice")


class NietVanToepassing(_M):
    id: str
    reden: str


class Grondwaarde(_M):
    id: str
    pakket: str
    domein: str
    tekst: str
    rechtsgrond: Citaat
    uitkomst: Uitkomst
    toets: Toets
    onzeker: bool | None = None


class Wet(_M):
    pakket: str
    naam: str
    domein: str
    uitkomst: Uitkomst
    grondwaarden: list[str]


class Stap2Effect(_M):
    grondwaarden: list[Grondwaarde]
    wetten: list[Wet] = Field(description="laws whose grondwaarde is ja or onbekend")
    domeinen: list[str]
    mogelijke_domeinen: list[str]
    geen_grondwaarde: bool


class Stap4(_M):
    instrumenten: list[Instrument] = Field(description="on the ladder, then by status")
    niet_van_toepassing: list[NietVanToepassing]


class Afgeleid(_M):
    id: str
    pakket: str
    uitleg: str
    rechtsgrond: Citaat
    uitkomst: Uitkomst
    toets: Toets
    onzeker: bool | None = None


class Vraag(_M):
    feit: str
    vraag: str
    aantal: int = Field(description="undecided conditions in which the fact is open")


class Effect(_M):
    id: str
    omschrijving: str = Field(description="the inwoner's own words, verbatim")
    leefgebied: str
    persoon: str
    afgeleide_feiten: list[Afgeleid]
    stap2: Stap2Effect
    stap4: Stap4
    nog_uitvragen: list[Vraag]


class Stap2Casus(_M):
    domeinen: list[str]
    mogelijke_domeinen: list[str]
    integraal_overleg: bool
    toelichting: str
    effecten_zonder_grondwaarde: list[str]


class Advies(_M):
    effecten: list[Effect]
    stap2: Stap2Casus
    nog_uitvragen: list[Vraag]
    stap3: dict[str, Any] | None = Field(default=None, description="echoed, never evaluated")


class EngineInfo(_M):
    naam: str
    versie: str


class Regime(_M):
    geldig_vanaf: str | None
    geldig_tot: str | None


class Pakket(_M):
    id: str
    naam: str
    versie: str
    bwb_id: str
    domein: str
    hash: str


class Parameter(_M):
    id: str
    waarde: float | int
    eenheid: str
    rechtsgrond: Citaat
    bron: Literal["landelijk", "lokaal"]
    pakket: str
    onzeker: bool | None = None


class Gemeente(_M):
    code: str | None
    lokaal_beleid: list[str] = Field(description="the local overlays applied")
    melding: str | None = Field(default=None, description="set when no local policy is known "
                                                          "for the code: national rules only")


class Waarschuwing(_M):
    """A notice shown above the advies ("Let op: ..."). `herziening`: a re-indexed amount whose
    new value is missing (`parameter` names it). `rol`: a person's rol in the casus keeps
    rules from reading him as the law would (`persoon` names him)."""

    soort: Literal["herziening", "rol"]
    parameter: str | None = None
    persoon: str | None = None
    tekst: str = Field(description="e.g. the re-indexing of a norm that is missing")


class Trace(_M):
    """Everything needed to replay an advies: engine, peildatum, packs (content hashes),
    parameters, the casus as evaluated, and the advies with every condition."""

    engine: EngineInfo
    peildatum: str
    regime: Regime
    pakketten: list[Pakket]
    gemeente: Gemeente
    waarschuwingen: list[Waarschuwing]
    parameters: list[Parameter]
    casus: dict[str, Any]
    advies: Advies
