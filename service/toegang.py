"""Who may see and who may change what: the one place that decides it.

* **Lezen** (read) a casus, advies or besluit: its owner, or any principal holding the auditor
  role (auditors see all, for replay and review).
* **Schrijven** (write: change a casus, answer its questions, record stap 3, make an advies on
  it, record a besluit on an advies): only its owner, acting as consulent. Holding the auditor
  role next to the consulent role never turns "may see" into "may change".
* **Archiveren** is a write: only the owning consulent.
* **Wissen** (the AVG erasure of a casus on an art. 17 request, with its `grond`): the owning
  consulent, and the **privacy** role (`PRIVACY`: the municipality's privacy officer), on any
  casus, so that a request is honoured also when the owner has left or is absent. The privacy
  role needs no content for that: it sees of every casus only its metadata (`Actie.OVERZIEN`:
  id, owner as `uitgever|sub`, times, version count, archive and erasure markers, how many
  adviezen and besluiten, the besluiten' zaak URLs that tie it to the zaaksysteem), never the
  casus, an advies or a besluit's motivering, and it changes nothing else. The erasure after
  the retention period is done by the system (`ot bewaartermijn`, actor
  `systeem|bewaartermijn`), not through the API.
* The owner is the principal's `id`: issuer and subject together, so a token from another issuer
  with the same `sub` is someone else.
* An impact job (service/impact_jobs.py) is seen by whoever started it and by auditors, changed
  (cancelled) only by whoever started it; per-advies detail only for the auditor role.

Everything else gets 404 with the same words as a missing id, so ids do not leak. Every route and
so every web page (which calls the API) uses `load` or `visible_to`; nothing else compares owners.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import InstrumentedAttribute, Session

from service.auth import Principal
from service.db import Advies, Besluit, Casus
from service.problems import ApiProblem
from service.settings import Rol

PRIVACY: Rol = "privacy"
"""The role that may erase any casus (AVG art. 17) and see the casus metadata, nothing more."""


class Actie(StrEnum):
    LEZEN = "lezen"
    SCHRIJVEN = "schrijven"
    WISSEN = "wissen"
    OVERZIEN = "overzien"
    """See a casus's metadata (no content): what the privacy role needs to find and erase."""


Row = TypeVar("Row", Casus, Advies, Besluit)

OWNER: dict[type[Any], tuple[InstrumentedAttribute[str], str]] = {
    Casus: (Casus.eigenaar, "casus"),
    Advies: (Advies.door, "advies"),
    Besluit: (Besluit.door, "besluit"),
}
"""Per stored kind: the column holding its owner, and its name in messages."""


def may(who: Principal, owner: str, actie: Actie, als: Rol | None = "consulent") -> bool:
    """`who` may perform `actie` on something `owner` made, acting in role `als` (a casus,
    advies or besluit is made by a consulent; an impact job by whoever started it: None)."""
    if owner == who.id and (als is None or als in who.rollen):
        return True
    if actie in (Actie.WISSEN, Actie.OVERZIEN) and PRIVACY in who.rollen:
        return True
    return actie in (Actie.LEZEN, Actie.OVERZIEN) and "auditor" in who.rollen


def sees_per_advies(who: Principal) -> bool:
    """Only the auditor role may see, per advies, what an impact analysis moves (it can single
    out special-category data); everyone else gets suppressed counts."""
    return "auditor" in who.rollen


def load(session: Session, model: type[Row], ident: str, who: Principal, actie: Actie,
         *, for_update: bool = False) -> Row:
    """The row `ident` of `model` if `who` may perform `actie` on it; otherwise 404."""
    column, noun = OWNER[model]
    stmt = select(model).where(model.id == ident)
    if for_update:
        stmt = stmt.with_for_update()
    row = session.scalars(stmt).first()
    if row is None or not may(who, getattr(row, column.key), actie):
        raise ApiProblem(404, f"Geen {noun} met id '{ident}'.")
    return row


def visible_to(model: type[Row], who: Principal, actie: Actie = Actie.LEZEN) -> list[Any]:
    """WHERE clauses for a listing: everything for an auditor (and, for the metadata only,
    `Actie.OVERZIEN`, for the privacy role), else the principal's own."""
    column, _ = OWNER[model]
    if "auditor" in who.rollen or (actie is Actie.OVERZIEN and PRIVACY in who.rollen):
        return []
    return [column == who.id]
