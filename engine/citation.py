"""Legal citations: a structured `Rechtsgrond` and its readable and Juriconnect renderings.

The store is structured (`bwb_id`, `artikel`, `lid`, `onderdeel`) so that a citation can be checked
and linked; the readable text and the `jci1.3:c:` link are derived, never typed by hand. The
`&lid=` and `&o=` keys follow the BWB resolver implementation (the JCI 1.3.1 spec text was not
verified; see `../shared/domain/laws.md` §0).
"""

from __future__ import annotations

import datetime as dt
import re

from pydantic import BaseModel, ConfigDict, Field, field_validator

REGELINGEN: dict[str, str] = {
    "BWBR0035362": "Wmo 2015",
    "BWBR0035733": "Uitvoeringsbesluit Wmo 2015",
    "BWBR0034925": "Jeugdwet",
    "BWBR0015703": "Participatiewet",
    "BWBR0031331": "Wgs",
    "BWBR0043850": "Besluit Wgs",
    "BWBR0001860": "Faillissementswet",
    "BWBR0002656": "BW Boek 1",
    "BWBR0001840": "Grondwet",
    "BWBR0005537": "Awb",
    "BWBR0011823": "Vw 2000",
    "BWBR0018450": "Zvw",
    "BWBR0035917": "Wlz",
    "BWBR0001854": "Wetboek van Strafrecht",
    "BWBR0035779": "Besluit Jeugdwet",
    "BWBR0002221": "AOW",
    "BWBR0015711": "Bbz 2004",
    "BWBR0005416": "Gemeentewet",
    "BWBR0004770": "Invorderingswet 1990",
    "BWBR0018492": "Besluit zorgverzekering",
}
"""Short names for the citations we render; an unknown BWB id is shown as the id itself."""

_BWB = re.compile(r"^BWBR\d{7}$|^CVDR\d+$")


class Rechtsgrond(BaseModel):
    """Where a rule comes from: law (BWB id), article, and optionally lid and onderdeel."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    bwb_id: str = Field(description="BWB id of the regeling, e.g. BWBR0035362 (Wmo 2015)")
    artikel: str = Field(min_length=1, description="article number as printed, e.g. 2.3.5")
    lid: str | None = Field(default=None, description="lid, e.g. 3")
    onderdeel: str | None = Field(default=None, description="onderdeel, e.g. a or 1°")
    regeling: str | None = Field(default=None, description="display name, for local "
                                                         "regulations (CVDR) in particular")

    @field_validator("bwb_id")
    @classmethod
    def _bwb(cls, v: str) -> str:
        if not _BWB.match(v):
            raise ValueError("bwb_id moet de vorm BWBR0000000 (of CVDR…) hebben")
        return v

    @field_validator("artikel", "lid", "onderdeel", mode="before")
    @classmethod
    def _as_text(cls, v: object) -> object:
        return str(v) if isinstance(v, int | float) else v

    def tekst(self) -> str:
        """Readable citation: `art. 2.3.5 lid 3 onder a Wmo 2015`."""
        out = f"art. {self.artikel}"
        if self.lid:
            out += f" lid {self.lid}"
        if self.onderdeel:
            out += f" onder {self.onderdeel}"
        return f"{out} {self.regeling or REGELINGEN.get(self.bwb_id, self.bwb_id)}"

    def jci(self, peildatum: dt.date | None = None) -> str:
        """Juriconnect reference; with a peildatum it pins the version (`&g=` and `&z=`)."""
        if self.bwb_id.startswith("CVDR"):
            return f"https://lokaleregelgeving.overheid.nl/{self.bwb_id}"
        ref = f"jci1.3:c:{self.bwb_id}&artikel={self.artikel}"
        if self.lid:
            ref += f"&lid={self.lid}"
        if self.onderdeel:
            ref += f"&o={self.onderdeel}"
        if peildatum:
            ref += f"&z={peildatum.isoformat()}&g={peildatum.isoformat()}"
        return ref

    def url(self, peildatum: dt.date | None = None) -> str:
        ref = self.jci(peildatum)
        return ref if ref.startswith("http") else f"https://wetten.overheid.nl/{ref}"

    def render(self, peildatum: dt.date | None = None) -> dict[str, str | None]:
        """The citation as it appears in the trace: structured fields plus text and link."""
        out: dict[str, str | None] = {
            "bwb_id": self.bwb_id,
            "artikel": self.artikel,
            "lid": self.lid,
            "onderdeel": self.onderdeel,
            "tekst": self.tekst(),
            "jci": self.jci(peildatum),
        }
        if self.regeling:
            out["regeling"] = self.regeling
        return out
