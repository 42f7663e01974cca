"""The casus contract (`../shared/domain/casus.md`) as pydantic models.

Types are strict where a lax coercion would change meaning (`"ja"` is not a bool, `"18"` is not an
age): a consulent's typo must come back as an error naming the field, not as a silent guess.
Numbers are bounded (`engine.numbers`): finite, amounts in whole cents within ±10^12 euro, whole
numbers within ±(2^53 - 1), so the engine compares every stored value exactly.
Subjects accept extra fields only when a loaded pack declares them as input facts (`feiten:`);
that check needs the catalogue and so happens in `validate_casus`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    ValidationError,
    model_validator,
)

from engine.catalogue import (
    KOSTEN_VAN_KIND,
    MEERDERJARIG,
    OUDER_VAN_KIND,
    WERK_LEEFGEBIED,
    WERK_VAN_KIND,
    Catalogue,
    FactSpec,
)
from engine.errors import CasusError, Problem
from engine.numbers import Bedrag, BedragNietNegatief, GeheelNietNegatief, number_problem
from engine.yamlsource import YamlDocument, format_path

Leefgebied = Literal[
    "financien", "werk_en_opleiding", "tijdsbesteding", "huisvesting", "huiselijke_relaties",
    "geestelijke_gezondheid", "lichamelijke_gezondheid", "middelengebruik", "basale_adl",
    "instrumentele_adl", "sociaal_netwerk", "maatschappelijke_participatie", "justitie",
    "opvoeden_en_opgroeien", "veiligheid", "mobiliteit",
]
Beperking = Literal["lichamelijk", "psychisch", "verstandelijk", "zintuiglijk", "chronisch_ziek",
                    "verslaving"]
Achterstand = Literal["huur", "energie", "water", "zorgverzekering", "belasting", "overig"]
VoorliggendCode = Literal["zvw", "wlz", "uwv", "svb", "toeslagen", "studiefinanciering", "overig"]


class _Subject(BaseModel):
    """Contract fields are typed; extra fields are kept for the catalogue check."""

    model_config = ConfigDict(extra="allow", frozen=True)


class Huishouden(_Subject):
    samenstelling: Literal["alleenstaand", "alleenstaande_ouder", "paar", "paar_met_kinderen",
                           "overig"] | None = None
    woonsituatie: Literal["huur", "koop", "inwonend", "instelling", "dakloos"] | None = None
    netto_inkomen_maand: BedragNietNegatief | None = None
    vermogen: Bedrag | None = None


class Persoon(_Subject):
    id: str = Field(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9_-]+$")
    rol: Literal["aanvrager", "partner", "kind", "overig"]
    leeftijd: StrictInt | None = Field(default=None, ge=0, le=130)
    woont_in_gemeente: StrictBool | None = None
    verblijfsstatus: Literal["nederlander", "eu_burger", "verblijfsvergunning",
                             "geen_rechtmatig_verblijf"] | None = None
    gedetineerd: StrictBool | None = None
    studiefinanciering: StrictBool | None = None
    beperkingen: list[Beperking] | None = Field(default=None, max_length=6)
    wlz_indicatie: StrictBool | None = None
    arbeidssituatie: Literal["werkend", "werkloos", "arbeidsongeschikt", "scholier", "student",
                             "gepensioneerd"] | None = None
    arbeidsvermogen: Literal["volledig", "verminderd", "beschut", "geen"] | None = None
    jeugdhulp_voor_18: StrictBool | None = None
    aow_leeftijd_bereikt: StrictBool | None = None
    uitkering: Literal["geen", "ww", "wia", "wajong", "bijstand", "aow", "anw",
                       "overig"] | None = None
    zorgverzekering: StrictBool | None = None
    kind_van_aanvrager: StrictBool | None = None
    """Project addition to the contract, for a person with rol `kind`: he is an own child or
    stepchild of the aanvrager or his partner (Participatiewet art. 4 lid 1 'kind'), so a minor
    belongs to their gezin. Nee: the baby of a young mother who lives in her own parents'
    house, or a grandchild raised by its grandmother. Read by the subject `belanghebbende`
    (`Casus.belanghebbende_van`); asked, never presumed."""


class Financien(_Subject):
    schulden_totaal: BedragNietNegatief | None = None
    aantal_schuldeisers: GeheelNietNegatief | None = None
    problematische_schulden: StrictBool | None = None
    betalingsachterstanden: list[Achterstand] | None = Field(default=None, max_length=6)
    dreigende_huisuitzetting: StrictBool | None = None
    dreigende_afsluiting: StrictBool | None = None
    te_goeder_trouw: StrictBool | None = None
    minnelijk_traject_mislukt: StrictBool | None = None
    eerdere_wsnp_jaren_geleden: GeheelNietNegatief | None = None
    eerdere_schuldhulp_jaren_geleden: GeheelNietNegatief | None = None
    fraude_vordering: StrictBool | None = None


class Netwerk(_Subject):
    mantelzorg_beschikbaar: StrictBool | None = None
    mantelzorger_overbelast: StrictBool | None = None
    gebruikelijke_hulp_mogelijk: StrictBool | None = None
    sociaal_netwerk: Literal["sterk", "beperkt", "geen"] | None = None
    algemene_voorziening_toereikend: StrictBool | None = None


class GewenstEffect(_Subject):
    id: str = Field(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9_-]+$")
    omschrijving: str = Field(min_length=1, max_length=2000,
                              description="the inwoner's own words, kept verbatim")
    leefgebied: Leefgebied
    persoon: str | None = None
    kind: str | None = None
    """Project addition to the contract: the `personen[].id` of the child (rol `kind`) this
    effect is about, e.g. a parent's question about one of several children. Read by the rule
    subjects `kind` (`Casus.kind_van`), `client` (`Casus.client_van`), `belanghebbende`
    (`Casus.belanghebbende_van`), `betrokkene` (`Casus.betrokkene_van`) and `werkende`
    (`Casus.werkende_van`)."""
    werk_van_kind: StrictBool | None = None
    """Project addition to the contract: the effect names another person (`kind`) and is about
    that person's own work, training or dagbesteding (ja: the school asks support for a son of
    16 towards a leerwerkplek; a sister reports for her brother of 30), not about the work of
    the one who asks (nee: a mother who cannot apply for jobs because she cares for her son).
    Read by the subject `werkende` (`Casus.werkende_van`) and, on an effect about work without
    costs, `belanghebbende` (`Casus.belanghebbende_vraag`); asked, never presumed."""
    kosten: BedragNietNegatief | None = None
    kosten_van_kind: StrictBool | None = None
    """Project addition to the contract: on an effect with `kosten` that names another person,
    whether the costs are that person's (ja: the taxi of a son of 24 to his workplace, his
    glasses) or the asker's own (nee: a mother's tuition or removal costs, a zelfstandige's
    bedrijfskapitaal). Read by the subjects `belanghebbende` (`Casus.belanghebbende_van`) and
    `betrokkene` (`Casus.betrokkene_van`: nee makes the asker the schuldenaar); asked, never
    presumed."""
    schulden_van_kind: StrictBool | None = None
    """Project addition to the contract: on an effect that names another person who is not
    known to be a minor, whether the debts the effect is about are that person's own (ja: a
    mother about the debts of her son of 19) or the asker's (nee: a mother whose own debts come
    from the care for her son of 24; her own rent arrears, where the son is named because the
    Wmo needs him as cliënt). Read by the subject `betrokkene` (`Casus.betrokkene_van`, Wgs
    art. 1 "zijn schulden", Fw art. 284 lid 1 "de schuldenaar"); asked, never presumed
    (fresh75 AX1)."""
    ouder_van_kind: StrictBool | None = None
    """Project addition to the contract: the effect's own person, a housemate with rol `kind`
    or `overig`, is the parent (own child or stepchild) of the minor he names, who is no child
    of the aanvrager or his partner (`kind_van_aanvrager` nee). Ja: the young mother who lives
    with her baby in her own parents' house is herself the alleenstaande ouder with her gezin;
    nee: an uncle of 20 names his sister's baby, which is no 'kind' of his (Participatiewet art.
    4 lid 1: "het in Nederland woonachtige eigen kind of stiefkind"), so his means do not count
    for it (fresh102 BY2). Not given, he is presumed the parent when no other housemate could
    be (`Casus.ouder_in_huis_mogelijk`'s ages), and it is asked when one could
    (`Casus.huisgenoot_is_ouder`)."""
    voorliggend_afgewezen: list[VoorliggendCode] | None = Field(default=None, max_length=7)


class ToekomstplanRegel(BaseModel):
    """One row of the toekomstplan triptych (Roermond): leefgebied | afspraken | over een jaar."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    leefgebied: Leefgebied
    afspraken: str = Field(default="", max_length=4000)
    over_een_jaar: str = Field(default="", max_length=4000)


class Stap3(BaseModel):
    """Step 3 (human judgement): recorded and echoed in the trace, never evaluated."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    mogelijkheden_inwoner: str | None = Field(default=None, max_length=4000)
    lokaal_beleid: str | None = Field(default=None, max_length=4000)
    waarden: str | None = Field(default=None, max_length=4000)
    effecten_korte_termijn: str | None = Field(default=None, max_length=4000)
    effecten_lange_termijn: str | None = Field(default=None, max_length=4000)
    niets_doen: str | None = Field(default=None, max_length=4000)
    kosten: str | None = Field(default=None, max_length=4000)
    stoel_van_de_inwoner: str | None = Field(default=None, max_length=4000)
    toelichting: str | None = Field(default=None, max_length=8000)
    toekomstplan: list[ToekomstplanRegel] | None = Field(default=None, max_length=20)


OUDER_LEEFTIJDSVERSCHIL = 14
"""Years a housemate must be older than a child to be possibly its parent (`Casus.
ouder_in_huis_mogelijk`; the youngest mothers in the readings were 15 to 17 with a baby)."""

OUDER_LEEFTIJDSVERSCHIL_MAX = 55
"""Years a housemate may be older than a child and still possibly be its parent: a single mother
of 35 living with her own mother of 78 was asked whether her daughter of 5 is hers (fresh104
CA2, a common household). 55 lies above any mother and most fathers; a still older parent is
presumed not to be in the house, as before fresh103 BZ2."""


OUDER_VERMOEDEN_MAX = 40
"""Years a housemate who names a minor of someone else may be older than the child and still be
presumed its parent without asking (`Casus.huisgenoot_is_ouder`). Narrower than
`OUDER_LEEFTIJDSVERSCHIL_MAX` on purpose: that one says who *could* be a parent, and a wide
window there asks more; this one says who is *taken* to be the parent, and a wide window there
tests a grandparent's own savings for his grandchild's costs (fresh109 CF1: a grandmother of 62
naming her granddaughter of 8 got the bijstand past_niet). A grandparent 28 to 40 years older
than the grandchild is still possible: the advies then says what it presumed and how to say
otherwise (`evaluate._rol_notices`)."""


class Casus(BaseModel):
    """What the consulent brings: household, known facts and the gewenste effecten (step 1)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    peildatum: dt.date = Field(default_factory=dt.date.today)
    gemeente: str | None = Field(default=None, pattern=r"^GM\d{4}$",
                                 description="CBS-gemeentecode, e.g. GM0363")
    huishouden: Huishouden = Field(default_factory=Huishouden)
    personen: list[Persoon] = Field(min_length=1, max_length=30)
    financien: Financien = Field(default_factory=Financien)
    netwerk: Netwerk = Field(default_factory=Netwerk)
    gewenste_effecten: list[GewenstEffect] = Field(min_length=1, max_length=50)
    stap3: Stap3 | None = None

    @model_validator(mode="after")
    def _references(self) -> Casus:
        problems: list[str] = []
        ids = [p.id for p in self.personen]
        if len(set(ids)) != len(ids):
            problems.append("personen: een id komt meer dan eens voor")
        if sum(p.rol == "aanvrager" for p in self.personen) != 1:
            problems.append("personen: precies één persoon heeft rol 'aanvrager'")
        effect_ids = [e.id for e in self.gewenste_effecten]
        if len(set(effect_ids)) != len(effect_ids):
            problems.append("gewenste_effecten: een id komt meer dan eens voor")
        for i, e in enumerate(self.gewenste_effecten):
            if e.persoon is not None and e.persoon not in ids:
                problems.append(f"gewenste_effecten[{i}].persoon: onbekende persoon '{e.persoon}'")
            problems.extend(self._kind_problems(i, e))
        if problems:
            raise ValueError("; ".join(problems))
        return self

    def _kind_problems(self, i: int, e: GewenstEffect) -> list[str]:
        """`gewenste_effecten[i].kind` names a person with rol `kind`. The effect of a person who
        has rol `kind` himself may name another child, and is then about that child
        (`kind_van`): the young mother who lives with her baby in her own parents' house
        (fresh61 AJ2). Whether he may name it does not depend on his age: a check on a fact
        would make a valid casus invalid when the fact is answered or erased."""
        if e.kind is None:
            return []
        where = f"gewenste_effecten[{i}].kind"
        found = next((p for p in self.personen if p.id == e.kind), None)
        if found is None:
            return [f"{where}: onbekende persoon '{e.kind}'"]
        if found.rol != "kind":
            return [f"{where}: persoon '{e.kind}' heeft rol '{found.rol}', niet 'kind'"]
        return []

    @property
    def aanvrager(self) -> Persoon:
        return next(p for p in self.personen if p.rol == "aanvrager")

    @property
    def partner(self) -> Persoon | None:
        """The aanvrager's partner: the one person with rol `partner`. None when there is none,
        or more than one (then no single person is meant, and `partner.x` stays onbekend)."""
        partners = [p for p in self.personen if p.rol == "partner"]
        return partners[0] if len(partners) == 1 else None

    def persoon_van(self, effect: GewenstEffect) -> Persoon:
        pid = effect.persoon or self.aanvrager.id
        return next(p for p in self.personen if p.id == pid)

    def kind_van(self, effect: GewenstEffect) -> Persoon | None:
        """The child this effect is about (rule subject `kind`): the effect's own person when
        that person has rol `kind` and the effect names no other child; else the person the
        effect names under `kind`; else the only person with rol `kind` when the household has
        exactly one; else None (no child is meant: every `kind.x` is onbekend and the question
        is which child, `gewenste_effecten[id].kind`)."""
        person = self.persoon_van(effect)
        if person.rol == "kind" and effect.kind in (None, person.id):
            return person
        if effect.kind is not None:
            return next(p for p in self.personen if p.id == effect.kind)
        kinderen = [p for p in self.personen if p.rol == "kind"]
        return kinderen[0] if len(kinderen) == 1 else None

    def client_van(self, effect: GewenstEffect) -> Persoon:
        """The person the help of this effect is for (rule subject `client`, after Wmo 2015
        art. 1.1.1 'cliënt': who reported, "of namens wie een melding is gedaan"): the child
        the effect names under `kind` when that is not the effect's own person (a parent's
        effect on behalf of the child); else the effect's own person. Only an explicit `kind`
        counts: the household's only child is not taken for it (a parent's effect without a
        named child may be about the parent's own support, e.g. as mantelzorger)."""
        person = self.persoon_van(effect)
        if effect.kind is not None and effect.kind != person.id:
            return next(p for p in self.personen if p.id == effect.kind)
        return person

    def belanghebbende_van(self, effect: GewenstEffect) -> Persoon | None:
        """The person whose own means count for the effect's money questions (rule subject
        `belanghebbende`: the Participatiewet's rechthebbende). When the effect's own person has
        rol `kind` or `overig` and names another child who is not known to be 18 or older,
        that depends on whose child it is (`Persoon.kind_van_aanvrager`): a child of the
        aanvrager or his partner belongs to their gezin (the client, and for a minor the
        aanvrager's right); any other child (the baby of a young mother who lives in her own
        parents' house, a grandchild raised by its grandmother) does not, and the effect's own
        person is tested on his own means; onbekend, no one yet: every `belanghebbende.x` is
        onbekend and the question is the child's `kind_van_aanvrager`. An adult the effect
        names is his own belanghebbende (never a ten laste komend kind). Otherwise the client
        (`client_van`). For the Wmo the cliënt stays the named child (fresh67 AP1); fresh66
        AO1, fresh68 AQ2, AQ3.

        When the effect names another person and gives costs, or is about work, whose costs or
        work it is decides first (`belanghebbende_vraag`): the Bbz is the bijstand of the
        zelfstandige whose business the effect is about, and a partner who is a zelfstandig
        kapper and names the adult daughter she cares for asks about her own business, her
        gezin's right (Bbz 2004
        art. 1 b, 2 lid 1; Pw art. 11 lid 4; fresh70 AS2). With costs the question is whose
        costs they are: a mother who cannot work more because she drives her son of 24 to his
        work asks for his taxi, his right (fresh72 AU1); a mother who names her son as the
        reason asks for her own tuition, hers (fresh73 AV1), and so on every leefgebied (her
        removal costs, fresh74 AW1) (Pw art. 35 lid 1, art. 4 lid 1).
        The deciding answer nee: the effect's own person; onbekend: no one yet; ja: as above.
        Where neither decides, an effect about the asker's own debts (`schulden_van_kind` nee)
        is about her money too: the effect's own person (betaling in natura, art. 57, for a
        mother whose own debts come from the care for her son of 24; fresh76 AY2)."""
        if self.kind_van_een_ander(effect) is not None:
            return None
        person = self.persoon_van(effect)
        client = self.client_van(effect)
        vraag = self.belanghebbende_vraag(effect)
        if vraag is None and effect.schulden_van_kind is False:
            return person
        if vraag is not None:
            answer = getattr(effect, vraag)
            if answer is None:
                return None
            if not answer:
                return person
        if person.rol in ("kind", "overig") and client.id != person.id:
            if client.leeftijd is not None and client.leeftijd >= MEERDERJARIG:
                return client
            if client.kind_van_aanvrager is None:
                return None
            return client if client.kind_van_aanvrager else person
        if self.ouder_in_huis_mogelijk(person, client):
            # Costs the asker says are her own (`kosten_van_kind` nee) are tested on her means
            # whoever's child he is: her gezin's if he is hers, her own bijzondere kosten if not
            # (Pw art. 35 lid 1, art. 4 lid 1), so whose child he is is not asked (fresh104 CA3).
            if effect.kosten is not None and effect.kosten_van_kind is False:
                return person
            return None
        return client

    def ouder_in_huis_mogelijk(self, person: Persoon, client: Persoon) -> bool:
        """Whether the aanvrager's or his partner's effect names a minor housemate (rol `kind` or
        `overig`) whose `kind_van_aanvrager` is onbekend while someone else in the house could
        be his parent: a housemate with rol `kind` or `overig` at least
        `OUDER_LEEFTIJDSVERSCHIL` to `OUDER_LEEFTIJDSVERSCHIL_MAX` years older, or of unknown
        age. Then whose child he is
        decides whose means count (Participatiewet art. 4 lid 1 'kind': "eigen kind of
        stiefkind"; a grandchild belongs to its own parent's gezin), so it is asked, never
        presumed: a grandmother of 52 naming the boy of 4 of her daughter of 24 got the
        bijstand past_niet on her own savings (fresh103 BZ2). In an ordinary family (only the
        parents and their children close in age) nothing changes."""
        if person.rol not in ("aanvrager", "partner") or client.id == person.id:
            return False
        if client.rol not in ("kind", "overig") or client.kind_van_aanvrager is not None:
            return False
        if client.leeftijd is None or client.leeftijd >= MEERDERJARIG:
            return False
        return self._andere_ouder_mogelijk(client, person)

    def _andere_ouder_mogelijk(self, child: Persoon, person: Persoon) -> bool:
        """Whether a housemate other than `person` with rol `kind` or `overig` could be the
        parent of `child` (known age): 14 to 55 years older than him, or of unknown age."""
        return any(p.id not in (child.id, person.id) and p.rol in ("kind", "overig")
                   and self._kan_ouder_zijn(p, child) for p in self.personen)

    @staticmethod
    def _ouder_verschil(person: Persoon, child: Persoon, maximum: int) -> bool:
        """Whether `person`'s known age is `OUDER_LEEFTIJDSVERSCHIL` to `maximum` years above
        `child`'s (known age): the one age window, with the maximum of who could be the parent
        or of who is presumed to be it."""
        assert child.leeftijd is not None
        return person.leeftijd is not None and (
            OUDER_LEEFTIJDSVERSCHIL <= person.leeftijd - child.leeftijd <= maximum)

    @staticmethod
    def _kan_ouder_zijn(person: Persoon, child: Persoon) -> bool:
        """Whether `person` could by age be the parent of `child` (known age): 14 to 55 years
        older (`OUDER_LEEFTIJDSVERSCHIL`, `OUDER_LEEFTIJDSVERSCHIL_MAX`), or of unknown age."""
        return person.leeftijd is None or Casus._ouder_verschil(
            person, child, OUDER_LEEFTIJDSVERSCHIL_MAX)

    def huisgenoot_is_ouder(self, effect: GewenstEffect) -> bool | None:
        """For an effect of a housemate with rol `kind` or `overig` that names a minor of
        someone else (`kind_van_aanvrager` nee), whether that housemate is the child's parent:
        the effect's `ouder_van_kind`; not given, ja when no other housemate could be the parent
        (the young mother in her parents' house, fresh66 AO1), onbekend when one could (an uncle
        of 20 naming his sister's baby was tested on his own savings, fresh102 BY2: asked), and
        onbekend when his own age is unknown or not 14 to 40 years above the child's (an uncle
        of 22 naming his niece of 15, fresh108 CE1; a grandmother of 62 naming her granddaughter
        of 8, fresh109 CF1: asked; `OUDER_VERMOEDEN_MAX`). None too where it does not apply;
        `_huisgenoot_noemt_kind_van_een_ander` says where it does. The answer may be given on
        another effect about the same housemate and child (`ouder_van_kind_gegeven`)."""
        if not self._huisgenoot_noemt_kind_van_een_ander(effect):
            return None
        antwoorden = self._ouder_antwoorden(effect)
        if len(antwoorden) == 1:
            return next(iter(antwoorden))
        if antwoorden:
            return None  # ja on one effect, nee on another: asked, never presumed
        person, child = self.persoon_van(effect), self.client_van(effect)
        if not self._ouder_verschil(person, child, OUDER_VERMOEDEN_MAX):
            return None  # unknown, too young or too old to be presumed the parent: asked
        if self._andere_ouder_mogelijk(child, person):
            return None
        return True

    def ouder_van_kind_gegeven(self, effect: GewenstEffect) -> bool | None:
        """`ouder_van_kind` as given for this effect's housemate and child: on the effect
        itself, else on another effect about the same housemate and child. Whether he is the
        child's parent is one fact about two people (Participatiewet art. 4 lid 1 'kind'), not
        one per effect: a nee on one effect left the age presumption in force on another, so
        the advies counted the housemate's means for the child on one effect and not on the
        other (fresh112 CI2). None when not given, or given both ways on other effects (then
        `huisgenoot_is_ouder` is onbekend and it is asked: the consulent settles it)."""
        antwoorden = self._ouder_antwoorden(effect)
        return next(iter(antwoorden)) if len(antwoorden) == 1 else None

    def _ouder_antwoorden(self, effect: GewenstEffect) -> set[bool]:
        if effect.ouder_van_kind is not None:
            return {effect.ouder_van_kind}
        person, child = self.persoon_van(effect), self.client_van(effect)
        return {e.ouder_van_kind for e in self.gewenste_effecten
                if e.ouder_van_kind is not None and e.id != effect.id
                and self.persoon_van(e).id == person.id and self.client_van(e).id == child.id
                and self._huisgenoot_noemt_kind_van_een_ander(e)}

    def _huisgenoot_noemt_kind_van_een_ander(self, effect: GewenstEffect) -> bool:
        person = self.persoon_van(effect)
        client = self.client_van(effect)
        return (person.rol in ("kind", "overig") and client.id != person.id
                and self._minderjarig_van_een_ander(client))

    def kind_van_een_ander(self, effect: GewenstEffect) -> Persoon | None:
        """The child of someone else than the aanvrager and his partner at whom the effect is,
        when that is why it has no belanghebbende; else None. The child is a housemate with rol
        `kind` or `overig`, `kind_van_aanvrager` nee, known to be under 18 (an unknown age is
        asked first; fresh99 BV3), and the effect is
        * his own (`persoon` is he and it names no other child): the baby of a young mother
          who lives in her own parents' house (fresh97 BT1: the grandfather's savings made the
          bijstand past_niet); or
        * the aanvrager's or his partner's, naming him under `kind` (fresh100 BW1: the
          grandfather put the pram at himself with `kind: baby`, and his savings made it
          past_niet again), unless the effect is about their own money: with `kosten` the
          answer `kosten_van_kind` nee (onbekend counts as the child's costs, fresh102 BY1:
          then nothing is asked and the notice says how to say otherwise); on work
          `werk_van_kind` nee or still onbekend (then it is asked); otherwise
          `schulden_van_kind` nee (their own debts).
        Such a child is no 'kind' of theirs (Participatiewet art. 4 lid 1: "het in Nederland
        woonachtige eigen kind of stiefkind"), so not of their gezin: his money belongs to his
        own parent's gezin, whom the effect does not name. So it has no belanghebbende (its
        means stay onbekend, never the grandparents'), nothing is asked for them, and on a
        money effect the advies says so (notice soort `rol`). The one test for all three."""
        person = self.persoon_van(effect)
        client = self.client_van(effect)
        if not self._minderjarig_van_een_ander(client):
            return None
        if client.id == person.id:
            return client
        if (person.rol not in ("aanvrager", "partner")
                and self.huisgenoot_is_ouder(effect) is not False):
            return None  # his own child (or not yet known whose): fresh102 BY2
        vraag = self.belanghebbende_vraag(effect)
        if vraag is None:
            return None if effect.schulden_van_kind is False else client
        if vraag == KOSTEN_VAN_KIND:  # presumed the child's costs until the answer nee
            return None if effect.kosten_van_kind is False else client
        return client if getattr(effect, vraag) is True else None

    @staticmethod
    def _minderjarig_van_een_ander(person: Persoon) -> bool:
        """A housemate with rol `kind` or `overig`, `kind_van_aanvrager` nee, known to be under
        18: no 'kind' of the aanvrager or his partner (Participatiewet art. 4 lid 1)."""
        return (person.rol in ("kind", "overig") and person.kind_van_aanvrager is False
                and person.leeftijd is not None and person.leeftijd < MEERDERJARIG)

    def belanghebbende_vraag(self, effect: GewenstEffect) -> str | None:
        """The effect field that decides first whose right the effect's money questions are
        (see `belanghebbende_van`), or None where none does. Only when the effect names another
        person: with `kosten`, on any leefgebied, `kosten_van_kind` (whose costs: a mother who
        names her son of 24 for her own removal costs asks for hers, fresh74 AW1), unless the
        work is the named person's (`werk_van_kind` ja: his costs) or he is a known minor (his
        costs are his parents' gezin's either way, fresh72 AU2), except a minor of someone else
        named by the aanvrager or his partner: his costs are not their gezin's, theirs are
        (a grandmother's own costs for the room of the grandchild she raises; fresh102 BY1;
        see `kind_van_een_ander`), unless `schulden_van_kind` nee already says the effect is
        about their own debts; without `kosten`, on an effect about work, `werk_van_kind`
        (whose work). A housemate with rol `kind` or `overig` who names a minor of someone else
        counts as the aanvrager here once he is known not to be the child's parent
        (`huisgenoot_is_ouder` nee); while that is onbekend, it is the question
        (`ouder_van_kind`), unless the effect is about his own work, costs or debts (werk,
        `kosten_van_kind` nee, `schulden_van_kind` nee), which are his whoever the parent is
        (fresh102 BY2)."""
        client = self.client_van(effect)
        if client.id == self.persoon_van(effect).id:
            return None
        ouder = self.huisgenoot_is_ouder(effect)
        ouder_open = ouder is None and self._huisgenoot_noemt_kind_van_een_ander(effect)
        if effect.kosten is None:
            if effect.leefgebied == WERK_LEEFGEBIED:
                return WERK_VAN_KIND
            return OUDER_VAN_KIND if ouder_open and effect.schulden_van_kind is not False else None
        if effect.werk_van_kind is True:
            return None
        if ouder_open and effect.kosten_van_kind is not False:
            return OUDER_VAN_KIND
        if (client.leeftijd is not None and client.leeftijd < MEERDERJARIG
                and not (self._minderjarig_van_een_ander(client)
                         and (self.persoon_van(effect).rol in ("aanvrager", "partner")
                              or ouder is False)
                         and effect.schulden_van_kind is not False)):
            return None
        return KOSTEN_VAN_KIND

    def betrokkene_van(self, effect: GewenstEffect) -> Persoon | None:
        """The person whose own debts the effect is about (rule subject `betrokkene`: the
        schuldenaar, Wgs art. 1 "zijn schulden", Fw art. 284 lid 1 "de schuldenaar"). The
        effect's own person when it names no one else, or names a minor (a grandmother with
        debts of her own who names her grandchild is the schuldenaar, fresh68 AQ1; a minor has
        no debts of his own here). When it names someone of 18 or older, whose debts they are
        is asked, never presumed (`schulden_van_kind`, fresh75 AX1): ja, the named person (a
        mother about the debts of her son of 19); nee, the asker (a mother whose own debts come
        from the care for her son of 24, or who must name him for the Wmo when her own rent
        arrears threaten the eviction of both). Unanswered, an effect whose costs are the
        asker's own (`kosten_van_kind` nee) is about her money, so also about her debts; a given
        `schulden_van_kind` goes first (a father without debts who pays the help for his son of
        19 with debts: ja, the son; fresh76 AY3). A `kosten_van_kind` on an effect without `kosten`
        says nothing (as for `belanghebbende_vraag`): it made the asker the schuldenaar while the
        named son stayed the belanghebbende, and a rule reading both mixed two people (fresh80
        BC1). No one while the named person's age is
        onbekend (the question is that age) or, for an adult, while `schulden_van_kind` is (the
        question is that field)."""
        person = self.persoon_van(effect)
        client = self.client_van(effect)
        if client.id == person.id or effect.schulden_van_kind is False or (
                effect.schulden_van_kind is None and effect.kosten is not None
                and effect.kosten_van_kind is False):
            return person
        if client.leeftijd is None:
            return None
        if client.leeftijd < MEERDERJARIG:
            return person
        return client if effect.schulden_van_kind else None

    def werkende_van(self, effect: GewenstEffect) -> Persoon | None:
        """The person whose work the effect is about (rule subject `werkende`: who would be
        supported towards work, Participatiewet art. 7 lid 1 a, 7a, 9, 10, 36b). When the effect
        names another person, that depends on `werk_van_kind`: ja, the named person (a sister
        reports for her brother of 30, fresh67 AP2; the school asks support for a son of 16,
        fresh69 AR3); nee, the effect's own person (a mother in the bijstand who cannot apply
        for jobs because she cares for her son of 24, fresh69 AR4); onbekend, no one yet (its
        facts are onbekend and the question is `werk_van_kind`). Otherwise the effect's own
        person. Neither age nor rol decides it: both readings occur with children of every
        age."""
        person = self.persoon_van(effect)
        client = self.client_van(effect)
        if client.id == person.id:
            return person
        if effect.werk_van_kind is None:
            return None
        return client if effect.werk_van_kind else person


_MESSAGES = {
    "missing": "verplicht veld ontbreekt",
    "extra_forbidden": "onbekend veld",
    "literal_error": "ongeldige waarde",
    "bool_type": "verwacht ja/nee (true/false)",
    "int_type": "verwacht een geheel getal",
    "float_type": "verwacht een getal",
    "string_type": "verwacht tekst",
    "list_type": "verwacht een lijst",
    "date_from_datetime_parsing": "verwacht een datum (JJJJ-MM-DD)",
    "date_parsing": "verwacht een geldige datum (JJJJ-MM-DD)",
    "date_type": "verwacht een datum (JJJJ-MM-DD)",
    "model_type": "verwacht een object",
    "dict_type": "verwacht een object",
}


def dutch_message(err: Any) -> str:
    """A readable Dutch message for one pydantic error (fallback: pydantic's own text)."""
    kind = err.get("type", "")
    ctx = err.get("ctx") or {}
    bounded = {
        "less_than_equal": "mag hoogstens {le} zijn", "less_than": "moet kleiner zijn dan {lt}",
        "greater_than_equal": "moet minstens {ge} zijn",
        "greater_than": "moet groter zijn dan {gt}",
        "too_short": "te kort: minstens {min_length}",
        "too_long": "te lang: hoogstens {max_length}",
        "string_too_short": "te kort: minstens {min_length} tekens",
        "string_too_long": "te lang: hoogstens {max_length} tekens",
        "string_pattern_mismatch": "heeft niet de vorm {pattern}",
    }
    if kind in bounded:
        try:
            return bounded[kind].format(**ctx)
        except (KeyError, IndexError):
            pass
    extra = {"int_parsing": "verwacht een geheel getal",
             "int_from_float": "verwacht een geheel getal",
             "float_parsing": "verwacht een getal", "bool_parsing": "verwacht ja/nee (true/false)",
             "json_invalid": "geen geldige JSON", "json_type": "geen geldige JSON",
             "url_parsing": "verwacht een URL", "url_scheme": "verwacht een http(s)-URL"}
    return _MESSAGES.get(kind) or extra.get(kind) or str(err.get("msg", "ongeldig"))


def problems_from_validation(exc: ValidationError, doc: YamlDocument | None = None,
                             prefix: tuple[str | int, ...] = ()) -> list[Problem]:
    """Turn pydantic errors into located, readable problems (all of them, not the first)."""
    out: list[Problem] = []
    for err in exc.errors(include_url=False):
        loc = tuple(p for p in err["loc"] if not _is_union_tag(p))
        path = (*prefix, *loc)
        base = dutch_message(err)
        if err["type"] == "literal_error":
            base = f"ongeldige waarde; {err['msg'].replace('Input should be', 'toegestaan:')}"
        if err["type"] == "value_error":
            base = str(err["msg"]).removeprefix("Value error, ")
        got = err.get("input")
        if err["type"] not in ("missing", "value_error") and not isinstance(got, dict | list):
            base += f" (gekregen: {shown(got)})"
        if doc is not None:
            out.append(doc.problem(path, base))
        else:
            out.append(Problem(pad=format_path(path), melding=base))
    return out


def shown(value: Any, limit: int = 80) -> str:
    """A bad value as the message quotes it: its repr, shortened (a 5,000-digit integer has no
    repr in Python, and would drown the message anyway)."""
    try:
        text = repr(value)
    except ValueError:
        return "een getal met te veel cijfers"
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _is_union_tag(part: Any) -> bool:
    """Pydantic puts union tags in `loc`; ours start with `~` so they can be dropped."""
    return isinstance(part, str) and (part.startswith("~") or part.startswith("function-"))


def validate_casus(data: Any, catalogue: Catalogue, doc: YamlDocument | None = None) -> Casus:
    """Validate raw data against the contract and the catalogue; raise `CasusError` with all."""
    if not isinstance(data, dict):
        raise CasusError([Problem(pad="(casus)", melding="een casus is een object (mapping)")])
    if catalogue.aliases:
        data = _renamed(data, catalogue.aliases)
    try:
        casus = Casus.model_validate(data)
    except ValidationError as exc:
        raise CasusError(problems_from_validation(exc, doc)) from exc
    problems: list[Problem] = []
    _check_extras(casus.huishouden, "huishouden", ("huishouden",), catalogue, problems, doc)
    _check_extras(casus.financien, "financien", ("financien",), catalogue, problems, doc)
    _check_extras(casus.netwerk, "netwerk", ("netwerk",), catalogue, problems, doc)
    for i, p in enumerate(casus.personen):
        _check_extras(p, "persoon", ("personen", i), catalogue, problems, doc)
    for i, e in enumerate(casus.gewenste_effecten):
        _check_extras(e, "effect", ("gewenste_effecten", i), catalogue, problems, doc)
    if problems:
        raise CasusError(problems)
    return casus


_ALIAS_SUBJECTS = {"huishouden": "huishouden", "financien": "financien", "netwerk": "netwerk",
                   "personen": "persoon", "gewenste_effecten": "effect"}


def _renamed(data: dict[str, Any], aliases: dict[str, str]) -> dict[str, Any]:
    """A casus that still uses an old name of a renamed pack fact reads as the new name.

    The stored casus is not touched (a copy is renamed); a casus carrying both names keeps
    both, and the contract check then reports the old one as unknown.
    """
    out = dict(data)
    for key, subject in _ALIAS_SUBJECTS.items():
        value = data.get(key)
        items = value if isinstance(value, list) else [value]
        renamed = []
        for item in items:
            if isinstance(item, dict):
                item = {(aliases.get(f"{subject}.{k}", k)
                         if aliases.get(f"{subject}.{k}") not in item else k): v
                        for k, v in item.items()}
            renamed.append(item)
        if key in data:
            out[key] = renamed if isinstance(value, list) else renamed[0]
    return out


def _check_extras(model: BaseModel, subject: str, path: tuple[str | int, ...],
                  catalogue: Catalogue, problems: list[Problem], doc: YamlDocument | None) -> None:
    for name, value in (model.model_extra or {}).items():
        spec = catalogue.facts.get(f"{subject}.{name}")
        where = (*path, name)
        message: str | None = None
        if spec is None or spec.bron in ("casuscontract", "engine"):
            message = ("onbekend veld (niet in het casuscontract en door geen regelpakket "
                       "gedeclareerd)")
        elif value is not None:
            message = _type_problem(spec, value)
        if message:
            problems.append(doc.problem(where, message) if doc
                            else Problem(pad=format_path(where), melding=message))


def _type_problem(spec: FactSpec, value: Any) -> str | None:
    if spec.type == "bool" and not isinstance(value, bool):
        return f"verwacht ja/nee (true/false) (gekregen: {shown(value)})"
    if spec.type == "geheel" and (isinstance(value, bool) or not isinstance(value, int)):
        return f"verwacht een geheel getal (gekregen: {shown(value)})"
    if spec.type == "bedrag" and (isinstance(value, bool) or not isinstance(value, int | float)):
        return f"verwacht een bedrag (gekregen: {shown(value)})"
    if spec.type in ("geheel", "bedrag") and (why := number_problem(spec.type, value)):
        return f"{why} (gekregen: {shown(value)})"
    if spec.type in ("geheel", "bedrag") and value < 0:
        return f"mag niet negatief zijn (gekregen: {shown(value)})"
    if spec.type == "keuze" and value not in spec.waarden:
        return f"ongeldige waarde {shown(value)}; toegestaan: {', '.join(spec.waarden)}"
    if spec.type == "keuzelijst" and (not isinstance(value, list)
                                      or any(v not in spec.waarden for v in value)):
        return f"verwacht een lijst uit: {', '.join(spec.waarden)}"
    return None
