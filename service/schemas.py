"""Request and response bodies of the API (pydantic; they make the OpenAPI document).

Field names follow the casus contract and the domain (snake_case, Dutch); query parameters are
camelCase (NL API Design Rules).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, HttpUrl, field_validator, model_validator

from engine import Kern
from engine.casus import Casus, Stap3
from engine.compare import Wetsvergelijking
from engine.numbers import BEDRAG_DECIMALEN, GETAL, MAX_BEDRAG, MAX_GEHEEL
from engine.trace import Trace
from service.db import KETEN_NAAM


class Closed(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Pagina(Closed):
    pagina: int
    pagina_grootte: int
    totaal: int


# ── AVG-wissing (issue 16): an erased casus, shown as erased ────────────────────────────────

class GewistUit(Closed):
    """The erased marker: this record's personal data was erased by a wissing (a link of the
    chain); its hashes, ids, actors and times stay."""

    id: str = Field(description="het id van de wissing")
    tijdstip: str = Field(description="wanneer gewist (UTC, ISO 8601)")
    door: str = Field(description="wie wiste: uitgever|sub (pseudoniem)")
    grond: str = Field(description="waarom gewist, zoals opgegeven")


GEWIST = Field(default=None, description="null, of: de persoonsgegevens zijn gewist (AVG); de "
                                         "inhoud is leeg, de hashes blijven")

GROND_TEKENS = frozenset("\n\t")


class WisIn(Closed):
    grond: str = Field(min_length=10, max_length=500,
                       description="waarom de casus gewist wordt (vrije tekst, wordt vastgelegd "
                                   "zoals opgegeven; komt niet in het verwerkingslogboek)")

    @field_validator("grond")
    @classmethod
    def _readable(cls, value: str) -> str:
        if any(not c.isprintable() and c not in GROND_TEKENS for c in value):
            raise ValueError("de grond bevat stuurtekens")
        if len(value.strip()) < 10:
            raise ValueError("geef een grond van minstens 10 tekens (geen witruimte)")
        return value


class WissingUit(Closed):
    """A stored wissing: who, when, why, and each erased record with the hash it had."""

    id: str
    casus_id: str
    door: str = Field(description="wie wiste: uitgever|sub (pseudoniem)")
    tijdstip: str
    grond: str
    adviezen: list[dict[str, Any]] = Field(
        description="per gewist advies: id, trace_hash, kern_hash (keten_versie 4: de hash "
                    "van de kern zoals gevonden) en rest_hash (peildatum, engine, pakketten)")
    casus_versies: list[dict[str, Any]] = Field(description="per gewiste versie: versie, hash")
    besluiten: list[dict[str, Any]] = Field(
        description="per besluit waarvan de motivering gewist is: id, keten_hash, rest_hash")
    volgnummer: int = Field(description="plaats in de keten")
    keten: str = Field("", description="de keten: de gemeentecode van de casus toen die werd "
                                       "vastgelegd, of leeg (de keten zonder gemeente)")
    vorige_hash: str
    keten_hash: str
# ── einde wissing ────────────────────────────────────────────────────────────────────────


class ArchiveringUit(Closed):
    """The archive marker (issue 14): the casus is read-only and out of the working list; its
    retention period (`OT_BEWAARTERMIJN_JAREN`) counts from `tijdstip`."""

    tijdstip: str = Field(description="wanneer gearchiveerd (UTC, ISO 8601)")
    door: str = Field(description="wie archiveerde: uitgever|sub (pseudoniem)")


class CasusUit(Closed):
    id: str
    versie: int
    aangemaakt: str
    gewijzigd: str
    casus: dict[str, Any]
    afwegingen: dict[str, Any] | None = None
    gewist: GewistUit | None = GEWIST
    gearchiveerd: ArchiveringUit | None = Field(
        default=None, description="null, of: de casus is gearchiveerd (alleen nog te lezen; "
                                  "niet in de werklijst)")


class CasusLijst(Closed):
    casussen: list[CasusUit]
    pagina: Pagina


class CasusVersieUit(Closed):
    versie: int
    reden: str
    door: str = Field(description="wie deze versie maakte: uitgever|sub (pseudoniem)")
    aangemaakt: str
    casus: dict[str, Any]
    afwegingen: dict[str, Any] | None = None
    gewist: GewistUit | None = GEWIST


class Antwoord(Closed):
    feit: str = Field(min_length=3, max_length=200,
                      description="adres uit nog_uitvragen, bv. personen[p1].leeftijd")
    waarde: Annotated[bool | int | float | str | list[str] | None, GETAL] = Field(
        description="de waarde; null maakt het feit weer onbekend. Een getal is eindig: "
                    f"geheel tot ±{MAX_GEHEEL}, of met hoogstens {BEDRAG_DECIMALEN} decimalen "
                    f"tot ±{MAX_BEDRAG} (engine.numbers)")


class Antwoorden(Closed):
    antwoorden: list[Antwoord] = Field(min_length=1, max_length=100)


class AdviesIn(Closed):
    casus_id: str | None = Field(default=None, max_length=36,
                                 description="een opgeslagen casus (zijn laatste versie)")
    casus: Casus | None = Field(default=None, description="of een casus in het verzoek zelf")

    @model_validator(mode="after")
    def _one(self) -> AdviesIn:
        if (self.casus_id is None) == (self.casus is None):
            raise ValueError("geef precies één van casus_id of casus")
        return self


class PakketRef(Closed):
    id: str
    versie: str
    hash: str


class AdviesSamenvatting(Closed):
    id: str
    volgnummer: int
    keten: str = Field("", description="de keten: de gemeentecode van de casus toen die werd "
                                       "vastgelegd, of leeg (de keten zonder gemeente)")
    casus_id: str | None
    casus_versie: int | None
    aangemaakt: str
    peildatum: dt.date
    engine_versie: str
    pakketten: list[PakketRef]
    trace_hash: str = Field(description="sha256 van de canonieke volledige trace; sinds "
                                        "keten_versie 4 wordt de trace op verzoek opnieuw "
                                        "opgebouwd en moet ze hierop uitkomen")
    kern_hash: str | None = Field(default=None, description=(
        "sha256 van de canonieke kern (docs/kern.md); sinds keten_versie 4 bewaard en gedekt "
        "door keten_hash (null bij een ouder advies, dat zijn trace bewaart)"))
    vorige_hash: str
    keten_hash: str
    keten_versie: int = Field(default=4, description=(
        "de ketenformule van dit advies: 1–3 bewaren de volledige trace, 4 de kern"))
    door: str = Field(description="wie het advies maakte: uitgever|sub (pseudoniem); sinds "
                                  "keten_versie 3 gedekt door keten_hash")
    besluiten: list[BesluitUit] | None = Field(
        default=None, description="de besluiten op dit advies, elke versie, oudste eerst; "
                                  "alleen bij één advies (GET /v1/adviezen/{id}), niet in een "
                                  "lijst")
    gewist: GewistUit | None = Field(
        default=None, description="null, of: de trace is gewist (AVG); trace_hash en de keten "
                                  "blijven, herhalen kan niet meer (410)")


class AdviesUit(AdviesSamenvatting):
    trace: Trace | None = Field(description="het volledige bewijsstuk (canonieke trace); null "
                                            "als het advies gewist is")


class AdviesKernUit(AdviesSamenvatting):
    """`GET /v1/adviezen/{id}?vorm=kern`: the advies with its compact decision record."""

    kern: Kern | None = Field(description="het beslisrecord (docs/kern.md): per effect stap 2, "
                                          "per instrument status, markering, redenen (soort:id "
                                          "en stand), vragen en termijnen; null als het advies "
                                          "gewist is")
    kern_hash: str | None = Field(description="sha256 van de canonieke JSON van de kern")


class AdviesLijst(Closed):
    adviezen: list[AdviesSamenvatting]
    pagina: Pagina


class Herhaling(Closed):
    identiek: bool
    intact: bool = Field(description="het opgeslagen bewijsstuk klopt met zijn hash (de trace met "
                                     "trace_hash; sinds keten_versie 4 de kern met kern_hash) en "
                                     "met de casus die het evalueerde")
    zelfde_pakketten: bool
    trace_hash_opgeslagen: str
    trace_hash_herhaling: str
    verschillen: list[str]


class HerhalingVandaag(Herhaling):
    """`_vergelijk`: the replay with today's packs, plus what changed in terms of the law
    (issue 16); `verschillen` stays for compatibility."""

    vergelijking: Wetsvergelijking = Field(
        description="per effect en instrument de status toen en nu met de beslissende "
                    "voorwaarden en hun artikel; gewijzigde parameters; vragen erbij en vervallen")


class KetenControle(Closed):
    geldig: bool
    aantal: int
    eerste_fout: int | None = None
    melding: str


Uitkomst = Literal["toegekend", "afgewezen", "niet_aangevraagd"]
"""What the besluit says of one instrument of the advies (issue 14)."""


class GekozenInstrument(Closed):
    effect: str = Field(min_length=1, max_length=40,
                        description="het gewenste effect (id) waarvoor het instrument gekozen is")
    instrument: str = Field(min_length=3, max_length=120)
    uitkomst: Uitkomst = Field(
        default="toegekend",
        description="wat het besluit over dit instrument zegt: toegekend, afgewezen of "
                    "niet_aangevraagd (standaard toegekend)")
    motivering: str | None = Field(
        default=None, min_length=1, max_length=4000,
        description="verplicht waar het besluit afwijkt van het advies: 'toegekend' waar het "
                    "advies 'past_niet' gaf, of 'afgewezen' waar het advies 'past' gaf")


class GekozenInstrumentUit(Closed):
    effect: str | None = Field(description="null bij besluiten van vóór schema 0005")
    instrument: str
    uitkomst: Uitkomst = Field(description="toegekend, afgewezen of niet_aangevraagd; "
                                           "besluiten van vóór issue 14: toegekend")
    motivering: str | None


class BesluitIn(Closed):
    advies_id: str = Field(max_length=36)
    instrumenten: list[GekozenInstrument] = Field(
        min_length=1, max_length=50,
        description="per instrument van het advies de uitkomst (ten minste één instrument; "
                    "ook alleen afgewezen of niet aangevraagde mag)")
    motivering: str = Field(min_length=1, max_length=8000)
    zaak_url: HttpUrl | None = None
    vervangt: str | None = Field(
        default=None, max_length=36,
        description="een correctie: het id van het besluit dat deze versie vervangt (de "
                    "nieuwste versie; het oude blijft bewaard)")


class BesluitUit(Closed):
    id: str
    advies_id: str
    casus_id: str | None
    instrumenten: list[GekozenInstrumentUit]
    motivering: str
    zaak_url: str | None
    aangemaakt: str
    door: str = Field(description="wie het besluit vastlegde: uitgever|sub (pseudoniem)")
    versie: int = Field(description="1, of 1 + de versie van het vervangen besluit")
    vervangt: str | None = Field(description="het besluit dat deze versie corrigeert")
    vervangen_door: str | None = Field(description="de nieuwere versie, als die er is")
    volgnummer: int | None = Field(description="plaats in de keten (null: van vóór de keten)")
    keten: str = Field("", description="de keten: de gemeentecode van de casus toen die werd "
                                       "vastgelegd, of leeg (de keten zonder gemeente)")
    keten_hash: str | None
    gewist: GewistUit | None = Field(
        default=None, description="null, of: de motiveringen zijn gewist (AVG); de gekozen "
                                  "instrumenten, de actor en de keten blijven")


class BesluitLijst(Closed):
    besluiten: list[BesluitUit]
    pagina: Pagina


class CasusIn(Casus):
    """A casus as the contract defines it; `stap3` holds the afwegingen."""


class AfwegingenIn(Stap3):
    pass


class Gezondheid(Closed):
    status: Literal["ok"]
    versie: str


class Validatie(Closed):
    geldig: bool
    pakketten: list[PakketRef]
    instrumenten: int


# ── Impactanalyse als taak (issue 12) ──────────────────────────────────────────────────────

HERBEREKEND = ("adviezen die opnieuw zijn geëvalueerd (exact); de andere lazen geen regel die de "
               "kandidaat wijzigt en kunnen niet veranderen (selectieve impact, docs/impact.md)")


class ImpactUitkomst(Closed):
    """The full impact report, per advies: only for a job an auditor started."""

    weergave: Literal["per_advies"] = "per_advies"
    totaal: int
    veranderd: int
    fouten: int = Field(description="adviezen waarvan de casus niet meer past")
    herberekend: int = Field(description=HERBEREKEND)
    per_instrument: dict[str, dict[str, int]] = Field(
        description="per instrument: 'van → naar' met het aantal adviezen")
    adviezen: list[dict[str, Any]] = Field(
        description="per veranderd advies: advies_id en de wijzigingen (hoogstens 500)")
    afgekapt: bool


Aantal = int | Literal["<5"]


class ImpactOverzicht(Closed):
    """What a beleidsmedewerker sees: counts only, no advies ids (engine.impact.gepubliceerd)."""

    weergave: Literal["geaggregeerd"] = "geaggregeerd"
    totaal: int = Field(description="alle bekeken adviezen (exact)")
    herberekend: int = Field(description=HERBEREKEND)
    veranderd: Aantal = Field(description="adviezen die zouden veranderen; '<5' bij 1-4, "
                                          "anders afgerond op 5")
    fouten: Aantal = Field(description="adviezen waarvan de casus niet meer past; '<5' bij 1-4, "
                                       "anders afgerond op 5")
    per_instrument: dict[str, dict[str, Aantal]] = Field(
        description="per instrument: 'van → naar' met het aantal adviezen; '<5' bij 1-4, "
                    "anders afgerond op 5")
    drempel: int = Field(description="cellen met minder adviezen dan dit (en meer dan 0) "
                                     "worden niet getoond")
    afronding: int = Field(description="alle andere aantallen zijn afgerond op een veelvoud "
                                       "hiervan, zodat aftrekken geen onderdrukte cel onthult")
    onderdrukt: bool = Field(description="er is minstens één cel onderdrukt")


ImpactStatus = Literal["wachtend", "bezig", "klaar", "mislukt", "geannuleerd", "verlopen"]


class Voortgang(Closed):
    verwerkt: int = Field(description="adviezen herevalueerd")
    totaal: int | None = Field(description="adviezen in totaal; null tot de taak ze geteld heeft")


class ImpactTaak(Closed):
    """An impact job (in the memory of one service process; gone after a restart)."""

    id: str
    status: ImpactStatus
    weergave: Literal["geaggregeerd", "per_advies"] = Field(
        description="per_advies alleen als een auditor de taak startte")
    voortgang: Voortgang
    aangemaakt: str
    gestart: str | None
    beeindigd: str | None
    tijdslimiet_s: float
    melding: str | None = Field(description="waarom de taak mislukte, verliep of stopte")
    uitkomst: ImpactUitkomst | ImpactOverzicht | None = Field(
        discriminator="weergave", description="het resultaat, als de status klaar is")
# ── einde impactanalyse ──────────────────────────────────────────────────────────────────


# ── Logboek Dataverwerkingen (issue 16) ─────────────────────────────────────────────────────

class VerwerkingUit(Closed):
    """One record of the processing log: who did what to which record, when; no personal
    data (the inwoner appears only as a keyed pseudonym of the casus)."""

    id: str
    naam: str = Field(description="de handeling, bv. casus_lezen, advies_evalueren, "
                                  "besluit_vastleggen")
    door: str | None = Field(description="uitgever|sub (pseudoniem); null bij records van vóór "
                                         "schema 0005")
    betrokkene: str | None = Field(description="pseudoniem van de casus (psn:…)")
    advies_id: str | None
    besluit_id: str | None
    status: str
    start: str
    eind: str
    verwerkingsactiviteit: str
    trace_id: str
    span_id: str
    parent_span_id: str | None


class Logboek(Closed):
    verwerkingen: list[VerwerkingUit]
    pagina: Pagina
# ── einde logboek ────────────────────────────────────────────────────────────────────────


class TestUitkomst(Closed):
    geslaagd: int
    gefaald: int
    fouten: list[dict[str, Any]]


# ── Keten-ondertekening (issue 12): signed chain heads and their verification ──────────────

class KetenControlepunt(Closed):
    """Where a walk of the chain ended intact (`ot keten --controlepunt-uit`). Kept by the
    auditor outside the system, like an anchor, and given back (`ot keten --vanaf`), the next
    walk reads only the links added since. It is no signature: it is as trustworthy as the
    auditor's own copy, and a change made later to a link up to it is seen only by a walk of
    the whole chain."""

    doel: Literal["omgekeerde-toets/keten-controlepunt/v1"]
    keten: str = Field("", pattern=KETEN_NAAM, description="de keten: een gemeentecode, of "
                                                            "leeg (ontbreekt) voor de keten "
                                                            "zonder gemeente")
    volgnummer: int = Field(ge=1, le=2_147_483_647)
    keten_hash: str = Field(pattern=r"^sha256:[0-9a-f]{64}$")
    formule: int = Field(ge=1, le=99, description="de ketenformule (keten_versie) bij dat "
                                                "volgnummer: een later advies mag geen "
                                                "oudere gebruiken")
    tijdstip: str = Field(min_length=20, max_length=32, description="UTC, ISO 8601")


class KetenAnker(Closed):
    """A signed head of the advies chain. Exported (`ot keten anker --uit`, `POST
    /v1/adviezen/_anker`) for an auditor to keep outside the system; uploaded again to
    `_verifieer-keten`, it must still be a prefix of the chain and among the signed heads."""

    keten: str = Field("", pattern=KETEN_NAAM, description="de keten: een gemeentecode, of leeg "
                                                            "(ontbreekt) voor de keten zonder "
                                                            "gemeente; ondertekend als hij er "
                                                            "is")
    volgnummer: int = Field(ge=1, le=2_147_483_647)
    keten_hash: str = Field(pattern=r"^sha256:[0-9a-f]{64}$")
    tijdstip: str = Field(min_length=20, max_length=32, description="UTC, ISO 8601")
    sleutel_id: str = Field(pattern=r"^ed25519:[0-9a-f]{16}$")
    handtekening: str = Field(pattern=r"^[A-Za-z0-9+/]{86}==$",
                              description="Ed25519, base64, over doel, volgnummer, keten_hash, "
                                          "tijdstip en sleutel_id (canonieke JSON)")
    publieke_sleutel: str | None = Field(default=None, max_length=400,
                                         description="PEM, wanneer bekend; alleen vertrouwd "
                                                     "als er geen publieke sleutel is "
                                                     "ingesteld")


class KetenVerificatie(KetenControle):
    """`KetenControle` plus the signed heads: a rewrite, truncation or deleted signature that
    the keyless chain alone cannot show."""

    ondertekend: bool = Field(description="er is een geldige ondertekende kop, gecontroleerd "
                                          "met een vertrouwde publieke sleutel")
    ankers: int = Field(description="ondertekende koppen gecontroleerd")
    laatste_anker: int | None = Field(description="volgnummer van de laatste geldige "
                                                  "ondertekende kop")
    niet_ondertekend: int = Field(description="adviezen na de laatste geldige ondertekende kop")
    extern_anker: bool | None = Field(description="het meegestuurde anker klopt nog (null: "
                                                  "geen meegestuurd)")
    meldingen: list[str] = Field(description="elke fout, dan elke opmerking (zoals hoeveel "
                                             "adviezen gewist zijn: geen fout)")
    controlepunt: KetenControlepunt | None = Field(
        None, description="waar deze controle intact eindigde: bewaar het buiten het systeem "
                          "en stuur het de volgende keer mee om alleen te lezen wat erna kwam "
                          "(null: de keten is niet intact of leeg, of er zijn meer ketens: "
                          "dan per keten in `ketens`)")
    keten: str | None = Field(None, description="de gecontroleerde keten (gemeentecode, of "
                                                "leeg: zonder gemeente); null: alle ketens")
    ketens: list[KetenVerificatie] = Field(
        default_factory=list, description="per keten (een per gemeente, en die zonder "
                                          "gemeente) dezelfde controle, met haar eigen "
                                          "controlepunt")


class WetWoorden(Closed):
    """The law's words beside one reason of an advies, on its peildatum (vendored text)."""

    citaat: str
    wettekst: str | None = Field(None, description="the rule's quote: the decisive words")
    tekst: str = Field(description="the cited part (onderdeel, lid or article) in full")
    lid_tekst: str = Field(description="the whole cited lid")
    versie: str = Field(description="version date of the law text")
    bron: str
    naam: str


# ── Vastgepinde pakketversies (issue 16): old rules stay readable ────────────────────────────

class Pakketversie(Closed):
    """One stored pack version by content hash, as an advies pins it (`pakketten[].hash`):
    the exact YAML it was made with, also after the pack on disk changed."""

    id: str = Field(description="het id van het regelpakket")
    versie: str
    hash: str = Field(description="sha256 van de exacte bytes: sha256:<64 hex>")
    bestand: str = Field(description="de bestandsnaam waaronder de versie is opgeslagen")
    opgeslagen: str = Field(description="wanneer de service deze versie voor het eerst gebruikte")
    geldt_nu: bool = Field(description="is dit de versie die nu geldt?")
    regelpakket: dict[str, Any] = Field(description="de kop `regelpakket` uit de YAML "
                                                    "(naam, domein, geldigheid, …)")
    instrumenten: int
    grondwaarden: int
    yaml: str = Field(description="de YAML-bron, precies zoals opgeslagen (UTF-8)")


# ── De ondertekende kop bij één advies (issue 16): the replay certificate's last link ───────

class OndertekendeKop(Closed):
    """Which signed chain head commits to this advies: the first one at or after its
    volgnummer. An auditor checks its signature with the public key and the chain up to it
    (`ot keten --anker`); an advies after the last signed head is not yet protected by one."""

    advies_volgnummer: int
    ondertekend: bool = Field(description="is er een ondertekende kop die dit advies dekt?")
    kop: KetenAnker | None = Field(default=None, description="die kop, met publieke sleutel "
                                                             "waar de service die kent")
    handtekening_gecontroleerd: bool = Field(
        description="de service controleerde de handtekening met een vertrouwde sleutel")
    geldig: bool | None = Field(default=None, description="houdt de kop stand (handtekening, "
                                                          "nog op de keten)? null: geen kop")
    melding: str


# ── Nog uitvragen, gerangschikt naar wat een antwoord beslist (issue 14) ────────────────────

class BeslistInstrument(Closed):
    """An instrument of one gewenst effect that an answer would decide."""

    effect: str
    instrument: str
    naam: str


class GerangschikteVraag(Closed):
    """One open fact of the advies and what its answer would decide (`engine.vragen`)."""

    feit: str = Field(description="het adres in de casus, zoals in nog_uitvragen")
    vraag: str
    aantal: int = Field(description="open voorwaarden waarin het feit meetelt (als in de trace)")
    beslist: list[BeslistInstrument] = Field(
        description="instrumenten die bij elk mogelijk antwoord niet meer op een feit wachten")
    soms: list[BeslistInstrument] = Field(
        description="instrumenten die bij sommige antwoorden niet meer op een feit wachten")
    overbodig: int = Field(description=(
        "andere open vragen die bij elk mogelijk antwoord van de lijst verdwijnen (het kleinste "
        "aantal over de geprobeerde antwoorden): een vraag die tussen twee reeksen vragen "
        "kiest, zoals of de schulden onder financiën die van de aanvrager zijn"))
    antwoorden: list[Any] = Field(description="de geprobeerde antwoorden")


class Vragen(Closed):
    """The advies' "nog uitvragen", best question first: by the instruments one answer
    decides, then the other questions every answer makes moot, then the instruments it
    sometimes decides, then `aantal`, then the address. Computed with the pack versions the
    advies was made with; the stored trace does not change."""

    advies_id: str
    vragen: list[GerangschikteVraag]


# ── Opvolging (effectmeting) en beleidsinformatie (issue 15) ────────────────────────────────

EffectUitkomst = Literal["bereikt", "deels", "niet_bereikt"]
INSTRUMENT_ID = r"^[a-z0-9_]+(\.[a-z0-9_]+)+$"


class OpvolgingIn(Closed):
    """The follow-up of one gewenst effect, on or after its date. A correction names the
    version it replaces (`vervangt`); nothing stored is overwritten."""

    effect: str = Field(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9_-]+$",
                        description="het gewenste effect (id uit het advies), bijv. e1")
    uitkomst: EffectUitkomst = Field(description="is het gewenste effect bereikt: bereikt, "
                                                 "deels of niet_bereikt")
    gebruikte_instrumenten: list[Annotated[str, Field(max_length=120, pattern=INSTRUMENT_ID)]] \
        | None = Field(default=None, max_length=100,
                       description="de instrumenten die echt zijn ingezet, elk uit het advies "
                                   "bij dit effect; null: de instrumenten die de besluiten bij "
                                   "dit effect toekenden")
    toelichting: str = Field(default="", max_length=2000,
                             description="korte toelichting (vrije tekst, kan persoonsgegevens "
                                         "bevatten: gewist met het dossier, nooit gelogd)")
    vervangt: str | None = Field(default=None, max_length=36,
                                 description="id van de opvolging die deze corrigeert")

    @field_validator("toelichting")
    @classmethod
    def _readable(cls, value: str) -> str:
        if any(not c.isprintable() and c not in GROND_TEKENS for c in value):
            raise ValueError("de toelichting bevat stuurtekens")
        return value


class OpvolgingUit(Closed):
    """A stored follow-up (each version)."""

    id: str
    casus_id: str
    advies_id: str = Field(description="het advies waartegen de instrumenten zijn getoetst")
    effect: str
    opvolgdatum: dt.date = Field(description="wanneer de opvolging verschuldigd was")
    uitkomst: EffectUitkomst
    gebruikte_instrumenten: list[str]
    toelichting: str = Field(description="leeg na een AVG-wissing")
    door: str = Field(description="wie vastlegde: uitgever|sub (pseudoniem)")
    aangemaakt: str
    versie: int
    vervangt: str | None = None
    vervangen_door: str | None = Field(default=None,
                                       description="id van de versie die deze corrigeert")
    gewist: GewistUit | None = GEWIST


class OpvolgingEffect(Closed):
    """One gewenst effect of the advies in force on the casus, and its follow-up."""

    effect: str
    leefgebied: str
    advies_id: str = Field(description="het advies dat nu geldt voor de casus")
    opvolgdatum: dt.date = Field(description="het eerste advies over dit effect plus "
                                             "OT_OPVOLGING_MAANDEN maanden")
    status: Literal["gepland", "verschuldigd", "vastgelegd"]
    instrumenten: list[str] = Field(description="de instrumenten van het advies bij dit "
                                                "effect: alleen deze kunnen als gebruikt "
                                                "gelden")
    voorgestelde_instrumenten: list[str] = Field(
        description="wat de besluiten (geldende versies) bij dit effect toekenden: de "
                    "voorinvulling van gebruikte_instrumenten")
    opvolging: OpvolgingUit | None = Field(description="de geldende opvolging, of null")
    versies: list[OpvolgingUit] = Field(description="elke versie, oudste eerst")


class Opvolgingen(Closed):
    casus_id: str
    opvolging_maanden: int = Field(description="OT_OPVOLGING_MAANDEN")
    effecten: list[OpvolgingEffect]
    gewist: GewistUit | None = GEWIST


class OpenOpvolging(Closed):
    """A follow-up not yet recorded ("wat loopt er"): ids only, no content."""

    casus_id: str
    effect: str
    leefgebied: str
    advies_id: str
    opvolgdatum: dt.date


class OpvolgingLijst(Closed):
    opvolgingen: list[OpenOpvolging]
    pagina: Pagina


Telling = Annotated[int | Literal["< 5"], Field(
    description="een aantal zoals het gepubliceerd wordt: onder de 5 (ook 0) de tekst \"< 5\", "
                "anders afgerond op een veelvoud van 5 (half naar boven: 5-7 → 5, 8-12 → 10), "
                "zodat aftrekken van getoonde aantallen geen onderdrukt aantal onthult; "
                "totalen zijn apart afgerond en hoeven niet op te tellen")]


class DomeinenRij(Closed):
    domeinen: Literal["0", "1", "2", "3+"] = Field(description="betrokken domeinen (stap 2)")
    casussen: Telling


class Referentie(Closed):
    bron: str
    citaat: str
    domeinen: Literal["3+"]
    aandeel_procent_van: float
    aandeel_procent_tot: float


class CasussenPerDomeinen(Closed):
    rijen: list[DomeinenRij]
    referentie: Referentie


class LeefgebiedRij(Closed):
    leefgebied: str
    effecten: Telling


class ZonderGrondwaarde(Closed):
    effecten: Telling = Field(description="gewenste effecten die geen grondwaarde van een wet "
                                         "dienen")
    per_leefgebied: list[LeefgebiedRij]


class Uitkomsten(Closed):
    past: Telling = Field(description="effecten waarbij het advies 'past' zei")
    voorwaardelijk: Telling
    toegekend: Telling = Field(description="effecten waarbij een geldend besluit het toekende")
    bereikt: Telling = Field(description="effecten bereikt bij de opvolging, met dit instrument "
                                        "gebruikt")
    deels: Telling
    niet_bereikt: Telling


class InstrumentRij(Uitkomsten):
    trede: str
    instrument: str


class TredeRij(Uitkomsten):
    trede: str


class AfwijkingRij(Closed):
    instrument: str
    categorie: Literal["toegekend_past_niet", "afgewezen_past"]
    besluiten: Telling


class OpenVraagRij(Closed):
    feit: str = Field(description="het feit (catalogusnaam, bijv. persoon.leeftijd)")
    casussen: Telling


class BeslisruimteRij(Closed):
    instrument: str
    grond: str = Field(description="id van de grond (voorwaarde, uitsluiting of het "
                                   "instrument zelf)")
    door: str = Field(description="wie beslist")
    casussen: Telling


class TermijnRij(Closed):
    instrument: str
    termijn_dagen: int = Field(description="de wettelijke beslistermijn volgens de trace")
    besluiten: Telling
    binnen_termijn: Telling
    buiten_termijn: Telling


class OpvolgingRij(Closed):
    uitkomst: EffectUitkomst
    effecten: Telling


class Beleidsinformatie(Closed):
    """Aggregates over a period, in counts only: no casus or advies id, no free text, every
    count under 5 shown as "< 5" and every other rounded to 5 (engine.impact.gepubliceerd, as
    the impact overzicht), so no small cell can be recovered by subtraction. The population is
    every casus with an advies made in the period (for the gemeente); per casus its latest
    advies in the period counts, with the besluiten in force and the follow-ups in force of
    that casus."""

    van: dt.date | None
    tot: dt.date | None
    gemeente: str | None
    drempel: int = Field(description="aantallen onder deze drempel (ook 0) worden \"< 5\"")
    afronding: int = Field(description="alle andere aantallen zijn afgerond op een veelvoud "
                                       "hiervan (half naar boven), ook de totalen, elk apart: "
                                       "zo onthult aftrekken (een totaal min de andere rijen) "
                                       "geen onderdrukte cel")
    domeinen: CasussenPerDomeinen
    zonder_grondwaarde: ZonderGrondwaarde
    instrumenten: list[InstrumentRij] = Field(description="per instrument: per gewenst effect")
    treden: list[TredeRij]
    afwijkingen: list[AfwijkingRij] = Field(description="besluiten die afwijken van hun advies, "
                                                        "per instrument (alleen categorieën)")
    open_vragen: list[OpenVraagRij] = Field(description="de tien feiten die het vaakst nog "
                                                        "open stonden bij het advies")
    beslisruimte: list[BeslisruimteRij] = Field(description="de tien gronden met beslisruimte "
                                                            "die het vaakst de status bepaalden")
    termijnen: list[TermijnRij]
    opvolging: list[OpvolgingRij]
# ── einde opvolging en beleidsinformatie ────────────────────────────────────────────────────
