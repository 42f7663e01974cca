"""The fact catalogue: every fact a condition may name, with its type and the question to ask.

Facts come from three places, and a name found in none of them is an authoring error:
1. the casus contract (`../shared/domain/casus.md`), fixed here;
2. input facts a pack declares (`feiten:`), which a casus may then carry as extra fields;
3. derived facts a pack declares (`afgeleide_feiten:`), computed from the others.

A fact is addressed in conditions by `<onderwerp>.<naam>`. The onderwerp says where the value lives:
`huishouden`, `financien`, `netwerk` (one per casus), `persoon` (the person the effect concerns),
`aanvrager` (the applicant), `partner` (the aanvrager's partner: the one person with rol `partner`),
`kind` (the child the effect is about, `Casus.kind_van`), `client` (the person the help is for,
`Casus.client_van`: the child the effect names, else the effect's own person), `belanghebbende`
(the person whose own means count, `Casus.belanghebbende_van`: a housemate who names a child not
of the aanvrager, else the client), `betrokkene` (the person whose own debts the effect is
about, `Casus.betrokkene_van`: the effect's own person, or an adult it names as the effect's
`schulden_van_kind` says),
`werkende` (the person whose work it is about, `Casus.werkende_van`: the named person or the
effect's own, as the effect's `werk_van_kind` says), `effect` (the gewenst effect itself) and
`afgeleid` (derived facts). The eight person subjects share the person facts of the catalogue
(`persoon.x`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

FactType = Literal["bool", "geheel", "bedrag", "keuze", "keuzelijst"]
"""bool; geheel = whole number; bedrag = euros (number); keuze = one of `waarden`;
keuzelijst = a list of `waarden`."""

Subject = Literal["huishouden", "financien", "netwerk", "persoon", "effect", "afgeleid"]

CASUS_SUBJECTS: tuple[Subject, ...] = ("huishouden", "financien", "netwerk")
PERSON_PREFIXES = ("persoon", "aanvrager", "partner", "kind", "client", "belanghebbende",
                   "betrokkene", "werkende")
"""Condition subjects that name a person; each reads the person facts (`persoon.x`) of the
catalogue. The one place that says so: the partitions, the evaluation context, the question
ranking and the loader derive from it."""
PREFIXES = ("huishouden", "financien", "netwerk", *PERSON_PREFIXES, "effect", "afgeleid")
CLIENT = "client"
"""The subject of the person the help is for (Wmo 2015 art. 1.1.1 'cliënt': the person "die zich
overeenkomstig artikel 2.3.2, eerste lid, heeft gemeld of namens wie een melding is gedaan"):
the child the effect names under `gewenste_effecten[].kind` when that is another person than
the effect's own; else the effect's own person (`Casus.client_van`). Unlike `kind` it always
names someone, so a `client.x` is never asked as "which child"."""
BELANGHEBBENDE = "belanghebbende"
"""The subject of the person whose own means count (the Participatiewet's rechthebbende, art. 4
lid 1, 11, 19). When the effect's own person has rol `kind` or `overig` and names another child
who is not known to be an adult: the child when it is a child of the aanvrager or his partner
(`personen[].kind_van_aanvrager` ja; a minor then belongs to their gezin), the effect's own
person when it is not (nee: a young mother's baby, a grandchild raised by its grandmother), no
one while that is onbekend (its facts are onbekend and the question is the child's
`kind_van_aanvrager`, as `kind` asks which child); a named adult is his own; else the client.
When the effect names another person, whose costs or work it is comes first
(`Casus.belanghebbende_vraag`): with costs (unless the work is the named person's or he is a
minor) `kosten_van_kind`; without costs, on an effect about work (`WERK_LEEFGEBIED`),
`werk_van_kind`; nee, the effect's own person (his costs or work, his gezin's right); onbekend,
no one yet (asked as that field); ja, as above (`Casus.belanghebbende_van`)."""
BETROKKENE = "betrokkene"
"""The subject of the person whose own debts the effect is about (Wgs art. 1 "zijn schulden",
Fw art. 284 "de schuldenaar"): the effect's own person when it names no one else or a minor (a
grandmother with debts of her own who names her grandchild is the schuldenaar); when it names
someone of 18 or older, as the effect's `schulden_van_kind` says (ja: a mother about the debts of
her son of 19; nee: her own debts, also when she names him for the Wmo); the asker when the
costs the effect gives are hers (`kosten_van_kind` nee); no one while the named person's age,
or for an adult `schulden_van_kind`, is onbekend (asked as that field; `Casus.betrokkene_van`)."""
WERKENDE = "werkende"
"""The subject of the person whose work the effect is about (Participatiewet art. 7 lid 1 a
"ondersteuning bij arbeidsinschakeling", 7a, 9, 10, 36b): when the effect names another person,
that person if the effect's `werk_van_kind` is ja, the effect's own person if nee, no one while
it is onbekend (asked as `werk_van_kind`); else the effect's own person (`Casus.werkende_van`)."""
WERK_LEEFGEBIED = "werk_en_opleiding"
"""The leefgebied of an effect about work or training: there the person whose work it is
(`werkende`) also decides whose right the money questions are about (`belanghebbende`)."""
MEERDERJARIG = 18
"""The age from which a person is an adult: for the subjects (`Casus.belanghebbende_van`,
`belanghebbende_vraag`, `betrokkene_van`) and the household's `aantal_meerderjarige_kinderen`
(Pw art. 4 lid 1 "ten laste komend kind: het kind jonger dan 18 jaar", BW 1:233); the ranking
tries the ages either side of it."""
KOSTEN_VAN_KIND = "kosten_van_kind"
"""The effect's field that says, on an effect with costs that names another person, whose costs
they are (a project addition to the contract, `GewenstEffect.kosten_van_kind`): read by
`belanghebbende`."""
SCHULDEN_VAN_KIND = "schulden_van_kind"
"""The effect's field that says, on an effect that names another person of 18 or older, whose
debts it is about (a project addition to the contract, `GewenstEffect.schulden_van_kind`): read
by `betrokkene`."""
WERK_VAN_KIND = "werk_van_kind"
"""The effect's field that decides `werkende` (a project addition to the contract,
`GewenstEffect.werk_van_kind`)."""
OUDER_VAN_KIND = "ouder_van_kind"
"""The effect's field that says whether its own person, a housemate with rol `kind` or `overig`,
is the parent of the minor of someone else he names (a project addition to the contract,
`GewenstEffect.ouder_van_kind`): read by `belanghebbende` and `effect.kind_van_een_ander`."""
KIND_VAN_AANVRAGER = "kind_van_aanvrager"
"""The child's field that decides `belanghebbende` when a housemate names him (a project
addition to the contract, `Persoon.kind_van_aanvrager`)."""
KIND_VAN_EFFECT = "kind"
"""The effect's field that names its child (`gewenste_effecten[].kind`, a project addition to the
contract). In the catalogue as `effect.kind` (a keuze whose values are the ids of the casus'
children, so it has no fixed `waarden`) only so that its question has a text and a type: no
condition reads it (the loader refuses it); a rule reads the child's facts as `kind.x`."""


@dataclass(frozen=True)
class FactSpec:
    """One fact of the catalogue."""

    subject: Subject
    name: str
    type: FactType
    vraag: str
    waarden: tuple[str, ...] = ()
    bron: str = "casuscontract"
    """`casuscontract`, `engine` (computed from the casus) or the id of the declaring pack."""
    minimum: float | None = 0
    vervangen_door: tuple[str, ...] = ()
    """A pack fact that was replaced (`InvoerFeit.vervangen_door`, condition paths such as
    `kind.jeugdhulp_voor_18`): still accepted in a casus and still read beside its successor,
    never asked; absent, it reads as nee (`engine.evaluate.CasusFacts.of`)."""

    @property
    def key(self) -> str:
        return f"{self.subject}.{self.name}"


LEEFGEBIEDEN: dict[str, str] = {
    "financien": "Financiën: inkomen, schulden, rondkomen",
    "werk_en_opleiding": "Werk en opleiding",
    "tijdsbesteding": "Tijdsbesteding: een zinvolle dagbesteding",
    "huisvesting": "Huisvesting: een (veilige, betaalbare) woning",
    "huiselijke_relaties": "Huiselijke relaties",
    "geestelijke_gezondheid": "Geestelijke gezondheid",
    "lichamelijke_gezondheid": "Lichamelijke gezondheid",
    "middelengebruik": "Middelengebruik: alcohol, drugs, medicijnen",
    "basale_adl": "Basale ADL: zelfzorg (wassen, aankleden, eten)",
    "instrumentele_adl": "Instrumentele ADL: huishouden, boodschappen, vervoer",
    "sociaal_netwerk": "Sociaal netwerk",
    "maatschappelijke_participatie": "Maatschappelijke participatie",
    "justitie": "Justitie",
    "opvoeden_en_opgroeien": "Opvoeden en opgroeien (Jeugdwet)",
    "veiligheid": "Veiligheid thuis (huiselijk geweld, Veilig Thuis)",
    "mobiliteit": "Mobiliteit: je buiten de deur verplaatsen",
}

BEPERKINGEN = ("lichamelijk", "psychisch", "verstandelijk", "zintuiglijk", "chronisch_ziek",
               "verslaving")
ACHTERSTANDEN = ("huur", "energie", "water", "zorgverzekering", "belasting", "overig")
VOORLIGGEND = ("zvw", "wlz", "uwv", "svb", "toeslagen", "studiefinanciering", "overig")


def _f(subject: Subject, name: str, type_: FactType, vraag: str,
       waarden: tuple[str, ...] = (), bron: str = "casuscontract") -> FactSpec:
    return FactSpec(subject=subject, name=name, type=type_, vraag=vraag, waarden=waarden,
                    bron=bron)


PERSON_FIELDS: tuple[FactSpec, ...] = (
    _f("persoon", "rol", "keuze", "Welke rol heeft deze persoon in het huishouden?",
       ("aanvrager", "partner", "kind", "overig")),
    _f("persoon", "leeftijd", "geheel", "Hoe oud is deze persoon?"),
    _f("persoon", "woont_in_gemeente", "bool",
       "Staat deze persoon in de BRP ingeschreven in deze gemeente?"),
    _f("persoon", "verblijfsstatus", "keuze", "Wat is de verblijfsstatus van deze persoon?",
       ("nederlander", "eu_burger", "verblijfsvergunning", "geen_rechtmatig_verblijf")),
    _f("persoon", "gedetineerd", "bool", "Is deze persoon gedetineerd?"),
    _f("persoon", "studiefinanciering", "bool",
       "Heeft deze persoon recht op studiefinanciering (WSF) of WTOS?"),
    _f("persoon", "beperkingen", "keuzelijst", "Welke beperkingen heeft deze persoon?",
       BEPERKINGEN),
    _f("persoon", "wlz_indicatie", "bool", "Heeft deze persoon een Wlz-indicatie?"),
    _f("persoon", "arbeidssituatie", "keuze", "Wat is de arbeidssituatie van deze persoon?",
       ("werkend", "werkloos", "arbeidsongeschikt", "scholier", "student", "gepensioneerd")),
    _f("persoon", "arbeidsvermogen", "keuze", "Wat is het arbeidsvermogen van deze persoon?",
       ("volledig", "verminderd", "beschut", "geen")),
    _f("persoon", "jeugdhulp_voor_18", "bool",
       "Kreeg deze persoon jeugdhulp voordat hij of zij 18 werd?"),
    _f("persoon", "aow_leeftijd_bereikt", "bool", "Heeft deze persoon de AOW-leeftijd bereikt?"),
    _f("persoon", "uitkering", "keuze", "Welke uitkering ontvangt deze persoon?",
       ("geen", "ww", "wia", "wajong", "bijstand", "aow", "anw", "overig")),
    _f("persoon", "zorgverzekering", "bool",
       "Heeft deze persoon een Nederlandse zorgverzekering?"),
    _f("persoon", KIND_VAN_AANVRAGER, "bool",
       "Is dit kind een eigen kind of stiefkind van de aanvrager of zijn partner? (Nee voor de "
       "baby van een jonge moeder die bij haar eigen ouders woont, of een kleinkind dat door "
       "zijn grootmoeder wordt opgevoed: dan hoort het niet bij het gezin van de aanvrager.)"),
)

CONTRACT_FACTS: tuple[FactSpec, ...] = (
    _f("huishouden", "samenstelling", "keuze", "Hoe is het huishouden samengesteld?",
       ("alleenstaand", "alleenstaande_ouder", "paar", "paar_met_kinderen", "overig")),
    _f("huishouden", "woonsituatie", "keuze", "Hoe woont het huishouden?",
       ("huur", "koop", "inwonend", "instelling", "dakloos")),
    _f("huishouden", "netto_inkomen_maand", "bedrag",
       "Wat is het netto inkomen van het huishouden per maand?"),
    _f("huishouden", "vermogen", "bedrag", "Hoeveel vermogen heeft het huishouden?"),
    FactSpec("huishouden", "aantal_kinderen", "geheel",
             "Hoeveel kinderen horen bij het huishouden?", bron="engine"),
    FactSpec("huishouden", "jongste_kind_leeftijd", "geheel",
             "Hoe oud is het jongste kind in het huishouden?", bron="engine"),
    FactSpec("huishouden", "aantal_overige_personen", "geheel",
             "Hoeveel personen in de casus hebben rol 'overig' (niet de aanvrager, zijn partner "
             "of een kind)?", bron="engine"),
    FactSpec("huishouden", "aantal_partners", "geheel",
             "Hoeveel personen in de casus hebben rol 'partner'?", bron="engine"),
    FactSpec("huishouden", "aantal_meerderjarige_kinderen", "geheel",
             "Hoeveel personen met rol 'kind' zijn 18 jaar of ouder?", bron="engine"),
    FactSpec("huishouden", "oudste_kind_leeftijd", "geheel",
             "Hoe oud is het oudste kind in het huishouden?", bron="engine"),
    FactSpec("huishouden", "aantal_personen_met_beperking", "geheel",
             "Hoeveel personen in de casus hebben een opgegeven beperking (beperkingen niet "
             "leeg) of een Wlz-indicatie?", bron="engine"),
    _f("financien", "schulden_totaal", "bedrag", "Hoeveel schulden zijn er in totaal?"),
    _f("financien", "aantal_schuldeisers", "geheel", "Hoeveel schuldeisers zijn er?"),
    _f("financien", "problematische_schulden", "bool",
       "Zijn de schulden problematisch (kan redelijkerwijs niet doorgaan met betalen)?"),
    _f("financien", "betalingsachterstanden", "keuzelijst",
       "Welke betalingsachterstanden zijn er?", ACHTERSTANDEN),
    _f("financien", "dreigende_huisuitzetting", "bool", "Dreigt een huisuitzetting?"),
    _f("financien", "dreigende_afsluiting", "bool",
       "Is afsluiting van energie of water aangekondigd?"),
    _f("financien", "te_goeder_trouw", "bool",
       "Is de schuldenaar te goeder trouw geweest bij het ontstaan of onbetaald laten van zijn "
       "schulden in de jaren vóór het verzoek (art. 288 lid 1 b Fw: drie jaar; bij een verzoek "
       "vóór 1 juli 2023 vijf jaar)?"),
    _f("financien", "minnelijk_traject_mislukt", "bool",
       "Is een minnelijke schuldregeling geprobeerd en mislukt?"),
    _f("financien", "eerdere_wsnp_jaren_geleden", "geheel",
       "Hoeveel jaar geleden eindigde een eerdere Wsnp?"),
    _f("financien", "eerdere_schuldhulp_jaren_geleden", "geheel",
       "Hoeveel jaar geleden eindigde eerdere gemeentelijke schuldhulp?"),
    _f("financien", "fraude_vordering", "bool", "Komt een schuld voort uit uitkeringsfraude?"),
    _f("netwerk", "mantelzorg_beschikbaar", "bool", "Is er mantelzorg beschikbaar?"),
    _f("netwerk", "mantelzorger_overbelast", "bool", "Is de mantelzorger overbelast?"),
    _f("netwerk", "gebruikelijke_hulp_mogelijk", "bool",
       "Kunnen huisgenoten redelijkerwijs gebruikelijke hulp geven?"),
    _f("netwerk", "sociaal_netwerk", "keuze", "Hoe sterk is het sociale netwerk?",
       ("sterk", "beperkt", "geen")),
    _f("netwerk", "algemene_voorziening_toereikend", "bool",
       "Lost een algemene (vrij toegankelijke) voorziening de vraag op?"),
    _f("effect", "leefgebied", "keuze", "Op welk leefgebied ligt het gewenste effect?",
       tuple(LEEFGEBIEDEN)),
    _f("effect", "kosten", "bedrag", "Welke kosten brengt het gewenste effect mee?"),
    FactSpec("effect", "kosten_genoemd", "bool",
             "Noemt het gewenste effect kosten (is het veld kosten ingevuld)?", bron="engine"),
    _f("effect", "voorliggend_afgewezen", "keuzelijst",
       "Wat is elders (voorliggend) al afgewezen?", VOORLIGGEND),
    _f("effect", KIND_VAN_EFFECT, "keuze",
       "Over welk kind gaat dit gewenste effect? Kies een persoon met rol kind."),
    _f("effect", WERK_VAN_KIND, "bool",
       "Gaat dit gewenste effect over het werk, de opleiding of de dagbesteding van het kind dat "
       "het noemt (ja: de zus meldt voor haar broer, de school vraagt om een leerwerkplek voor de "
       "zoon), of over die van wie het vraagt (nee: de moeder die niet kan solliciteren door de "
       "zorg voor haar kind)?"),
    _f("effect", KOSTEN_VAN_KIND, "bool",
       "Zijn de kosten van dit gewenste effect kosten van het kind dat het noemt (ja: de taxi van "
       "de zoon van 24 naar zijn werkplek, zijn bril), of van wie het vraagt (nee: het lesgeld of "
       "de verhuiskosten van de moeder, het bedrijfskapitaal van de zelfstandige moeder)?"),
    _f("effect", SCHULDEN_VAN_KIND, "bool",
       "Gaat dit gewenste effect over schulden van de meerderjarige die het noemt (ja: de moeder "
       "over de schulden van haar zoon van 19), of over die van wie het vraagt (nee: de moeder "
       "met eigen schulden door de zorg voor haar zoon van 24, of met een eigen huurachterstand "
       "waarbij de zoon genoemd wordt omdat de Wmo-vraag de zijne is)?"),
    _f("effect", OUDER_VAN_KIND, "bool",
       "Is wie dit gewenste effect vraagt de ouder (eigen kind of stiefkind) van het kind dat "
       "het noemt (ja: de jonge moeder die met haar baby bij haar ouders woont), of is het kind "
       "van een ander (nee: de oom die de baby van zijn zus noemt)?"),
    FactSpec("effect", "kind_genoemd", "bool",
             "Noemt het gewenste effect een kind (is het veld kind ingevuld)?", bron="engine"),
    FactSpec("effect", "kind_van_een_ander", "bool",
             "Gaat het gewenste effect over een minderjarig kind dat geen eigen kind of stiefkind "
             "van de aanvrager of zijn partner is (kind_van_aanvrager nee), niet over hun eigen "
             "geld?", bron="engine"),
    *PERSON_FIELDS,
)


@dataclass
class Catalogue:
    """All facts known to a set of packs, by `subject.name` (person facts under `persoon.`)."""

    facts: dict[str, FactSpec] = field(default_factory=dict)
    aliases: dict[str, str] = field(default_factory=dict)
    """Old `subject.name` of a renamed pack fact -> its current name (`InvoerFeit.aliassen`)."""

    @classmethod
    def contract(cls) -> Catalogue:
        return cls({f.key: f for f in CONTRACT_FACTS})

    def resolve(self, path: str) -> FactSpec | None:
        """Spec for a condition path; `aanvrager.x` and `partner.x` share the spec of
        `persoon.x`."""
        prefix, _, name = path.partition(".")
        if prefix in PERSON_PREFIXES:
            prefix = "persoon"
        return self.facts.get(f"{prefix}.{name}")

    def add(self, spec: FactSpec) -> None:
        self.facts[spec.key] = spec
