"""Request and response bodies of the API (pydantic; they make the OpenAPI document).

Field names follow the casus contract and the domain (snake_case, Dutch); query parameters are
camelCase (NL API Design Rules).
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, HttpUrl, model_validator

from engine.casus import Casus, Stap3
from engine.trace import Trace


class Closed(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Pagina(Closed):
    pagina: int
    pagina_grootte: int
    totaal: int


class CasusUit(Closed):
    id: str
    versie: int
    aangemaakt: str
    gewijzigd: str
    casus: dict[str, Any]
    afwegingen: dict[str, Any] | None = None


class CasusLijst(Closed):
    casussen: list[CasusUit]
    pagina: Pagina


class CasusVersieUit(Closed):
    versie: int
    reden: str
    aangemaakt: str
    casus: dict[str, Any]
    afwegingen: dict[str, Any] | None = None


class Antwoord(Closed):
    feit: str = Field(min_length=3, max_length=200,
                      description="adres uit nog_uitvragen, bv. personen[p1].leeftijd")
    waarde: bool | int | float | str | list[str] | None = Field(
        description="de waarde; null maakt het feit weer onbekend")


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
    casus_id: str | None
    casus_versie: int | None
    aangemaakt: str
    peildatum: dt.date
    engine_versie: str
    pakketten: list[PakketRef]
    trace_hash: str
    vorige_hash: str
    keten_hash: str


class AdviesUit(AdviesSamenvatting):
    trace: Trace = Field(description="het volledige bewijsstuk (canonieke trace)")


class AdviesLijst(Closed):
    adviezen: list[AdviesSamenvatting]
    pagina: Pagina


class Herhaling(Closed):
    identiek: bool
    intact: bool = Field(description="de opgeslagen trace_hash klopt met de opgeslagen trace")
    zelfde_pakketten: bool
    trace_hash_opgeslagen: str
    trace_hash_herhaling: str
    verschillen: list[str]


class KetenControle(Closed):
    geldig: bool
    aantal: int
    eerste_fout: int | None = None
    melding: str


class GekozenInstrument(Closed):
    instrument: str = Field(min_length=3, max_length=120)
    motivering: str = Field(min_length=1, max_length=4000)


class BesluitIn(Closed):
    advies_id: str = Field(max_length=36)
    instrumenten: list[GekozenInstrument] = Field(min_length=1, max_length=50)
    motivering: str = Field(min_length=1, max_length=8000)
    zaak_url: HttpUrl | None = None


class BesluitUit(Closed):
    id: str
    advies_id: str
    casus_id: str | None
    instrumenten: list[GekozenInstrument]
    motivering: str
    zaak_url: str | None
    aangemaakt: str


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


class ImpactUitkomst(Closed):
    totaal: int
    veranderd: int
    fouten: int = Field(description="adviezen waarvan de casus niet meer past")
    per_instrument: dict[str, dict[str, int]] = Field(
        description="per instrument: 'van → naar' met het aantal adviezen")
    adviezen: list[dict[str, Any]]
    afgekapt: bool


class TestUitkomst(Closed):
    geslaagd: int
    gefaald: int
    fouten: list[dict[str, Any]]
