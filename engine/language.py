"""The rule language: what a beleidsmedewerker may write in `rules/<pakket>/*.yaml`.

These pydantic models *are* the language's grammar (`extra="forbid"` everywhere: a misspelt key is
an error, not a silently ignored line). Semantic checks that need the whole pack (unknown facts,
duplicate ids, version overlaps) live in `engine.loader`. See `docs/regeltaal.md` for a worked
example.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    field_validator,
    model_validator,
)

from engine.citation import Rechtsgrond
from engine.numbers import GETAL

Operator = Literal["=", "!=", "<", "<=", ">", ">=", "in", "niet_in", "bevat", "bevat_niet"]
Scalar = bool | int | float | str
Getal = Annotated[float | int, GETAL]
"""Every number in a pack (threshold, parameter value, bound of an open norm, a duration) is
one the engine compares exactly: a whole number within ±(2^53 - 1), or a number with at most two
decimals within ±10^12 (`engine.numbers`). `.inf`, `.nan`, 1e308 or 10**29 is an authoring
error at its line, not a failure of every later advies."""

Soort = Literal[
    "eigen_mogelijkheden",
    "algemene_voorziening",
    "maatwerkvoorziening",
    "individuele_voorziening",
    "overige_voorziening",
    "uitkering",
    "bijzondere_bijstand",
    "lening",
    "dienstverlening",
    "rechterlijke_procedure",
    "route",
]
"""Kind of instrument, as the law names it (Wmo: algemene/maatwerk; Jeugdwet: overige/individuele;
Participatiewet: uitkering, bijzondere bijstand, lening; Wgs/Fw: dienstverlening, rechterlijke
procedure); `eigen_mogelijkheden` for the lower rungs of the ladder; `route` for access routes."""

Trede = Literal["eigen_kracht", "gebruikelijke_hulp", "netwerk", "algemene_voorziening",
                "maatwerk"]
TREDE_ORDER: dict[str, int] = {t: i for i, t in enumerate(Trede.__args__)}  # type: ignore[attr-defined]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


Citaat = Annotated[str, Field(min_length=8)]
"""A verbatim phrase from the law; fragments may be separated by "…" (they must appear in this
order). Compared whitespace-normalised with the vendored text of every version in force."""


class Vergelijking(Strict):
    """A leaf: compare one fact with a constant (`waarde`) or a parameter (`parameter`)."""

    feit: str = Field(pattern=r"^[a-z_]+\.[a-z0-9_]+$")
    op: Operator
    waarde: Annotated[Scalar | list[Scalar] | None, GETAL] = None
    parameter: str | None = None
    bij_onbekend: Literal["ja", "nee"] | None = None
    """What this comparison counts as while its fact is onbekend, instead of onbekend: a
    presumption that a known answer overrides (`wmo_geeft_mantelzorg != false`, bij_onbekend
    ja: "a carer unless the casus says otherwise"), or a branch that counts only once its fact
    is known. The fact is then not asked through this comparison. Where it may stand is checked
    by the loader (`engine.onbekend`): never where it could make an instrument `past_niet`
    or hide it on an unknown fact."""

    @model_validator(mode="after")
    def _one_rvalue(self) -> Vergelijking:
        if (self.waarde is None) == (self.parameter is None):
            raise ValueError("geef precies één van 'waarde' of 'parameter'")
        if self.op in ("in", "niet_in") and not isinstance(self.waarde, list):
            raise ValueError(f"op '{self.op}' vraagt een lijst als waarde")
        if self.op not in ("in", "niet_in") and isinstance(self.waarde, list):
            raise ValueError(f"op '{self.op}' vraagt één waarde, geen lijst")
        return self


class Alle(Strict):
    """Kleene conjunction: ja if all ja, nee if any nee, else onbekend."""

    alle: list[Toets] = Field(min_length=1)


class EenVan(Strict):
    """Kleene disjunction: ja if any ja, nee if all nee, else onbekend."""

    een_van: list[Toets] = Field(min_length=1)


class Niet(Strict):
    """Negation; onbekend stays onbekend."""

    niet: Toets


def _toets_tag(v: Any) -> str | None:
    if isinstance(v, dict):
        for key in ("alle", "een_van", "niet", "feit"):
            if key in v:
                return "~" + key
        return None
    if isinstance(v, BaseModel):
        return {Alle: "~alle", EenVan: "~een_van", Niet: "~niet",
                Vergelijking: "~feit"}.get(type(v))
    return None


Toets = Annotated[
    Annotated[Alle, Tag("~alle")]
    | Annotated[EenVan, Tag("~een_van")]
    | Annotated[Niet, Tag("~niet")]
    | Annotated[Vergelijking, Tag("~feit")],
    Discriminator(_toets_tag, custom_error_type="toets",
                  custom_error_message="verwacht een toets: een mapping met 'alle', 'een_van', "
                                       "'niet' of 'feit'"),
]


class Geldigheid(Strict):
    geldig_vanaf: dt.date | None = None
    geldig_tot: dt.date | None = Field(default=None, description="inclusive last day")

    @model_validator(mode="after")
    def _order(self) -> Geldigheid:
        if self.geldig_vanaf and self.geldig_tot and self.geldig_tot < self.geldig_vanaf:
            raise ValueError("geldig_tot ligt voor geldig_vanaf")
        return self


Beslisser = Literal["college", "rechter", "kantonrechter", "kinderrechter", "uwv", "svb",
                    "zorgverzekeraar", "wlz_uitvoerder", "ciz", "gemeenteraad", "belastingdienst",
                    "gecertificeerde_instelling", "jeugdhulpaanbieder",
                    "raad_voor_de_kinderbescherming"]
"""Who decides where the law leaves the decision to someone (see `Beslisruimte`)."""


class Beslisruimte(Strict):
    """The law leaves this decision to someone: "kan", "naar het oordeel van", a court's toets.

    Such a ground never makes an instrument `past_niet` on its own: where it goes against the
    inwoner the instrument is `voorwaardelijk`, and the reason names who decides and the words
    of the law that give the discretion (`engine.semantics`).
    """

    door: Beslisser
    wettekst: Citaat
    """The law's own words that leave the decision open (quoted, e.g. "Het college kan …
    weigeren")."""
    rechtsgrond: Rechtsgrond | None = None
    """Where those words are, when not in the item's own rechtsgrond."""


class Voorwaarde(Strict):
    """A named legal condition with its own citation and plain-Dutch explanation.

    Used for `voorwaarden` (all must hold) and `uitsluitingen` (none may hold). `onzeker` marks a
    ground the author could not verify in the law; `beslisruimte` one the law leaves to someone.
    Either way a negative outcome on it gives `voorwaardelijk`, never `past_niet`.
    """

    id: str = Field(pattern=r"^[a-z0-9_]+$")
    uitleg: str = Field(min_length=3)
    rechtsgrond: Rechtsgrond
    toets: Toets
    onzeker: bool = False
    beslisruimte: Beslisruimte | None = None
    wettekst: Citaat | None = None
    """The law's decisive words in the cited lid; required on an uitsluiting and when onzeker."""
    notitie: str | None = None


class Begrenzing(Strict):
    """A "voor zover" ground: the law caps what the instrument gives; it is not a refusal.

    When its toets is ja (or onbekend, or absent) the cap is shown with the instrument, e.g.
    "pgb tot het tarief van de maatwerkvoorziening in natura" (Wmo 2.3.6 lid 5 a). The status of
    the instrument is never changed by it.
    """

    id: str = Field(pattern=r"^[a-z0-9_]+$")
    uitleg: str = Field(min_length=3)
    """The cap in plain Dutch, as the consulent should read it."""
    rechtsgrond: Rechtsgrond
    toets: Toets | None = None
    onzeker: bool = False
    beslisruimte: Beslisruimte | None = None
    wettekst: Citaat | None = None
    """The law's decisive words in the cited lid; required on an uitsluiting and when onzeker."""
    notitie: str | None = None


class Toepassing(Strict):
    """A relevance test with its own legal footing (the short form is a bare toets).

    Use this form when whether the instrument applies at all is uncertain (`onzeker`) or left to
    someone (`beslisruimte`): a nee then gives `voorwaardelijk` instead of hiding the
    instrument.
    """

    toets: Toets
    uitleg: str | None = None
    rechtsgrond: Rechtsgrond | None = None
    onzeker: bool = False
    beslisruimte: Beslisruimte | None = None
    wettekst: Citaat | None = None
    """The law's decisive words in the cited lid; required on an uitsluiting and when onzeker."""
    notitie: str | None = None


def _toepassing_tag(v: Any) -> str | None:
    if isinstance(v, dict):
        long_form = {"toets", "uitleg", "rechtsgrond", "onzeker", "beslisruimte", "notitie",
                     "wettekst"}
        return "~item" if long_form & set(v) else "~toets"
    if isinstance(v, Toepassing):
        return "~item"
    return "~toets" if isinstance(v, BaseModel) else None


ToepassingVeld = Annotated[
    Annotated[Toepassing, Tag("~item")] | Annotated[Toets, Tag("~toets")],
    Discriminator(_toepassing_tag, custom_error_type="toepassing",
                  custom_error_message="verwacht een toets, of een mapping met 'toets'"),
]


class Voorliggend(Strict):
    """A prior provision outside the municipality (Wlz, Zvw, UWV, SVB, toeslagen…)."""

    id: str = Field(pattern=r"^[a-z0-9_]+$")
    naam: str
    uitleg: str
    rechtsgrond: Rechtsgrond
    toets: Toets | None = None
    """When it applies; without a toets it is always named."""
    gevolg: Literal["uitsluiting", "vermelding"] = "vermelding"
    """`uitsluiting`: when the toets is ja the instrument does not fit (e.g. Pw 15)."""
    onzeker: bool = False
    beslisruimte: Beslisruimte | None = None
    wettekst: Citaat | None = None
    """The law's decisive words in the cited lid; required on an uitsluiting and when onzeker."""
    notitie: str | None = None


class Termijn(Strict):
    id: str = Field(pattern=r"^[a-z0-9_]+$")
    omschrijving: str
    duur: Annotated[int | None, GETAL] = Field(default=None, gt=0)
    duur_parameter: str | None = None
    """A duration the law leaves to the municipality: an open-norm parameter (onbekend until a
    local overlay fills it)."""
    eenheid: Literal["werkdagen", "dagen", "weken", "maanden", "jaren"]
    rechtsgrond: Rechtsgrond
    toets: Toets | None = None
    """When this deadline applies (e.g. 3 werkdagen only in a threatening situation)."""
    onzeker: bool = False
    wettekst: Citaat | None = None
    """The law's decisive words in the cited lid; required on an uitsluiting and when onzeker."""
    notitie: str | None = None

    @model_validator(mode="after")
    def _one_duration(self) -> Termijn:
        if (self.duur is None) == (self.duur_parameter is None):
            raise ValueError("geef precies één van 'duur' of 'duur_parameter'")
        return self


class Productcategorie(Strict):
    standaard: Literal["iWmo", "iJw"]
    code: str
    naam: str
    onzeker: bool = False


class Instrument(Geldigheid):
    id: str = Field(pattern=r"^[a-z0-9_]+\.[a-z0-9_]+$")
    naam: str
    soort: Soort
    trede: Trede
    rechtsgrond: Rechtsgrond
    omschrijving: str | None = None
    grondwaarden: list[str] = Field(min_length=1)
    """The grondwaarden it realises: it is considered for an effect only if one is not nee."""
    toepassing: ToepassingVeld | None = None
    """Extra relevance test (e.g. the leefgebieden it addresses)."""
    productcategorie: Productcategorie | None = None
    vorm_van: list[str] = Field(default_factory=list)
    """Instruments this one is only a form of (a pgb of a maatwerkvoorziening, a loan of
    bijstand, a voorschot on algemene bijstand): its status never exceeds the best status of
    those, for the same effect."""
    voorwaarden: list[Voorwaarde] = Field(default_factory=list)
    uitsluitingen: list[Voorwaarde] = Field(default_factory=list)
    voorliggend: list[Voorliggend] = Field(default_factory=list)
    begrenzingen: list[Begrenzing] = Field(default_factory=list)
    termijnen: list[Termijn] = Field(default_factory=list)
    beslisruimte: Beslisruimte | None = None
    """The grant itself is left to someone ("Het college kan … verlenen"; "De kantonrechter
    kan …"): a `past` shows who decides."""
    aliassen: list[str] = Field(default_factory=list)
    """Earlier ids of this instrument. Stored casussen, adviezen and besluiten refer to ids, so a
    rename keeps the old one here and it still resolves."""
    onzeker: bool = False
    wettekst: Citaat | None = None
    """The law's decisive words in the cited lid; required on an uitsluiting and when onzeker."""
    notitie: str | None = None


class Grondwaarde(Geldigheid):
    id: str = Field(pattern=r"^[a-z0-9_]+\.[a-z0-9_]+$")
    tekst: str
    rechtsgrond: Rechtsgrond
    toets: Toets
    """When an effect serves this purpose (leefgebied, person, facts)."""
    onzeker: bool = False
    wettekst: Citaat | None = None
    """The law's decisive words in the cited lid; required on an uitsluiting and when onzeker."""
    notitie: str | None = None


class AfgeleidFeit(Geldigheid):
    """A fact computed from others, e.g. `jeugdige` (Jw 1.1) from age and jeugdhulp_voor_18."""

    id: str = Field(pattern=r"^[a-z0-9_]+$")
    uitleg: str
    rechtsgrond: Rechtsgrond
    toets: Toets
    onzeker: bool = False
    wettekst: Citaat | None = None
    """The law's decisive words in the cited lid; required on an uitsluiting and when onzeker."""
    notitie: str | None = None


class InvoerFeit(Strict):
    """An input fact the contract lacks, which a casus may then carry as an extra field."""

    id: str = Field(pattern=r"^[a-z0-9_]+$")
    onderwerp: Literal["huishouden", "financien", "netwerk", "persoon", "effect"]
    type: Literal["bool", "geheel", "bedrag", "keuze", "keuzelijst"]
    waarden: list[str] = Field(default_factory=list)
    vraag: str
    rechtsgrond: Rechtsgrond | None = None
    aliassen: list[str] = Field(default_factory=list)
    """Earlier names of this fact: a stored casus that still uses one loads as this fact."""
    vervangen_door: list[str] = Field(default_factory=list)
    """The facts (condition paths, e.g. `kind.jeugdhulp_voor_18`) that replaced this one. A
    stored casus that still carries it validates, and a condition may still read it beside a
    successor (`een_van`, both `= true`); it is never asked, and absent it reads as nee, so
    that `een_van` is exactly its successor for a casus without it."""
    notitie: str | None = None

    @model_validator(mode="after")
    def _values(self) -> InvoerFeit:
        if self.type in ("keuze", "keuzelijst") and not self.waarden:
            raise ValueError(f"type '{self.type}' vraagt 'waarden'")
        if self.vervangen_door and self.type != "bool":
            raise ValueError("alleen een ja/nee-feit kan 'vervangen_door' hebben")
        return self


class ParameterWaarde(Geldigheid):
    waarde: Getal
    bron: str | None = None
    onzeker: bool = False
    notitie: str | None = None


class OpenNorm(Strict):
    """The law leaves this value to the municipality (verordening, beleidsplan)."""

    omschrijving: str
    grondslag: Rechtsgrond
    """The article that delegates it (e.g. Wgs 2 lid 4 d)."""
    maximum: Getal | None = None
    """A bound the law sets (higher law): a local value above it is an authoring error."""
    minimum: Getal | None = None


class Herziening(Strict):
    """The law re-indexes this amount on fixed days (Pw norms 1 January and 1 July, art. 38-39).

    The last known value is then known to hold only until the next such day; an advies on a later
    peildatum says that the new value is missing.
    """

    momenten: list[str] = Field(min_length=1)
    """Days of the year, as "MM-DD" (e.g. ["01-01", "07-01"])."""
    rechtsgrond: Rechtsgrond

    @field_validator("momenten")
    @classmethod
    def _days(cls, v: list[str]) -> list[str]:
        for day in v:
            try:
                dt.date.fromisoformat(f"2024-{day}")
            except ValueError:
                raise ValueError(f"moment {day!r} is geen dag van het jaar (MM-DD)") from None
        return sorted(set(v))


class Parameter(Strict):
    id: str = Field(pattern=r"^[a-z0-9_]+$")
    omschrijving: str
    eenheid: str
    rechtsgrond: Rechtsgrond
    waarden: list[ParameterWaarde] = Field(default_factory=list)
    herziening: Herziening | None = None
    open_norm: OpenNorm | None = None
    """Set when a local overlay may (and must) fill the value; national values, if any, are
    then the default the overlay replaces."""

    @model_validator(mode="after")
    def _values(self) -> Parameter:
        if not self.waarden and self.open_norm is None:
            raise ValueError("een parameter zonder open_norm heeft minstens één waarde")
        return self


class Invulling(Strict):
    """A local overlay fills a national open norm, citing its own regulation (CVDR)."""

    parameter: str
    rechtsgrond: Rechtsgrond
    waarden: list[ParameterWaarde] = Field(min_length=1)
    toelichting: str | None = None


class Annotatie(Strict):
    """Local practice attached to a national instrument (it never changes its conditions)."""

    instrument: str
    tekst: str = Field(min_length=3)
    rechtsgrond: Rechtsgrond


class Controle(Strict):
    """A decision-table check over a group of instruments (as DMN tools check hit policies).

    `uniek`: no casus makes two of them `past` at once (the law makes them exclusive).
    `volledig`: every casus within `binnen` makes at least one of them `past` (the law is
    exhaustive there). Checked by `ot lint` over every combination of the partition cells of the
    facts they use (or a fixed sample when that space is too large, which the report says).
    """

    id: str = Field(pattern=r"^[a-z0-9_]+$")
    omschrijving: str
    rechtsgrond: Rechtsgrond
    instrumenten: list[str] = Field(min_length=2)
    uniek: bool = False
    volledig: bool = False
    binnen: Toets | None = None


class Metadata(Strict):
    id: str = Field(pattern=r"^[a-z0-9_]+$")
    naam: str
    domein: str = Field(description="the domain (and so the colleagues) to involve")
    bwb_id: str
    versie: str
    geldig_vanaf: dt.date
    geldig_tot: dt.date | None = None
    bronnen: list[str] = Field(default_factory=list)
    omschrijving: str | None = None
    gemeente: str | None = Field(default=None, pattern=r"^GM\d{4}$")
    """Set for a local overlay (the omgekeerde verordening of one municipality): it applies
    only to a casus with this `gemeente`, on top of the national packs."""

    @field_validator("versie", mode="before")
    @classmethod
    def _text(cls, v: object) -> object:
        return str(v) if isinstance(v, int | float) else v


class Pack(Strict):
    """One rule pack file (one law, or one legal domain such as debt relief)."""

    regelpakket: Metadata
    feiten: list[InvoerFeit] = Field(default_factory=list)
    parameters: list[Parameter] = Field(default_factory=list)
    afgeleide_feiten: list[AfgeleidFeit] = Field(default_factory=list)
    grondwaarden: list[Grondwaarde] = Field(default_factory=list)
    instrumenten: list[Instrument] = Field(default_factory=list)
    invullingen: list[Invulling] = Field(default_factory=list)
    annotaties: list[Annotatie] = Field(default_factory=list)
    controles: list[Controle] = Field(default_factory=list)


def iter_leaves(toets: Toets) -> list[Vergelijking]:
    """All comparisons in a tree, depth first."""
    if isinstance(toets, Vergelijking):
        return [toets]
    if isinstance(toets, Alle):
        return [leaf for t in toets.alle for leaf in iter_leaves(t)]
    if isinstance(toets, EenVan):
        return [leaf for t in toets.een_van for leaf in iter_leaves(t)]
    return iter_leaves(toets.niet)
