"""`logboek`: the processing log (Logboek Dataverwerkingen), for the auditor.

Every route that processes personal data of an inwoner (reads, evaluates or replays an advies,
records or reads a besluit, changes or answers a casus) writes one record per casus, advies or
besluit it touched, through `record` or `record_reads` here, so what a record holds is decided
in one place: ids, the actor's pseudonymous id (`uitgever|sub`), the action, the time, and the
casus only as a keyed pseudonym (`service.store.pseudonym`). Never the data itself.

A write is logged in the transaction of the write, so both land or neither does. A read is
logged in its own short write transaction after the read succeeded; if that fails, the read
fails (500), so nothing is shown that is not in the log.
"""

from __future__ import annotations

from collections.abc import Iterable

from fastapi import APIRouter, Depends, Query, Request
from sqlalchemy import select
from sqlalchemy.orm import Session

from service.auth import Principal, require
from service.db import Verwerking, now
from service.deps import Paging, db_read, settings
from service.schemas import Logboek, Pagina, VerwerkingUit
from service.settings import Settings
from service.store import count, log_verwerking, pseudonym

router = APIRouter(tags=["logboek"])

Ids = tuple[str | None, str | None, str | None]
"""(casus_id, advies_id, besluit_id) of one processed record."""


def record(session: Session, request: Request, who: Principal, naam: str, *,
           casus_id: str | None = None, advies_id: str | None = None,
           besluit_id: str | None = None, start: str | None = None) -> None:
    """Add one record to `session`; the caller commits it with the processing it records."""
    cfg: Settings = request.app.state.settings
    log_verwerking(session, state=request.state, naam=naam,
                   activiteit=cfg.verwerkingsactiviteit,
                   betrokkene=pseudonym(cfg.pseudoniem_sleutel, casus_id), status="OK",
                   start=start or now(), advies_id=advies_id, besluit_id=besluit_id,
                   door=who.id)


def record_reads(request: Request, who: Principal, naam: str, items: Iterable[Ids]) -> None:
    """Log a read of each item in its own write transaction (reads run on a read-only
    session)."""
    items = list(items)
    if not items:
        return
    start = now()
    with request.app.state.sessions() as session:
        for casus_id, advies_id, besluit_id in items:
            record(session, request, who, naam, casus_id=casus_id, advies_id=advies_id,
                   besluit_id=besluit_id, start=start)
        session.commit()


def out(row: Verwerking) -> VerwerkingUit:
    return VerwerkingUit(id=row.id, naam=row.naam, door=row.door, betrokkene=row.betrokkene,
                         advies_id=row.advies_id, besluit_id=row.besluit_id, status=row.status,
                         start=row.start, eind=row.eind,
                         verwerkingsactiviteit=row.verwerkingsactiviteit,
                         trace_id=row.trace_id, span_id=row.span_id,
                         parent_span_id=row.parent_span_id)


@router.get("/logboek", response_model=Logboek,
            summary="Het verwerkingslogboek: wie wat deed met welke casus, welk advies of "
                    "besluit (alleen auditor; nieuwste eerst)")
def index(paging: Paging = Depends(),
          casusId: str | None = Query(None, max_length=36),
          adviesId: str | None = Query(None, max_length=36),
          besluitId: str | None = Query(None, max_length=36),
          door: str | None = Query(None, max_length=400, description="uitgever|sub"),
          naam: str | None = Query(None, max_length=100),
          session: Session = Depends(db_read), cfg: Settings = Depends(settings),
          who: Principal = Depends(require("auditor"))) -> Logboek:
    """`casusId` is matched through its pseudonym: the log itself never holds the casus id."""
    filters = {Verwerking.betrokkene: casusId and pseudonym(cfg.pseudoniem_sleutel, casusId),
               Verwerking.advies_id: adviesId, Verwerking.besluit_id: besluitId,
               Verwerking.door: door, Verwerking.naam: naam}
    where = [column == value for column, value in filters.items() if value]
    rows = session.scalars(select(Verwerking).where(*where)
                           .order_by(Verwerking.start.desc(), Verwerking.id)
                           .offset(paging.offset).limit(paging.grootte)).all()
    return Logboek(verwerkingen=[out(r) for r in rows],
                   pagina=Pagina(pagina=paging.pagina, pagina_grootte=paging.grootte,
                                 totaal=count(session, Verwerking, *where)))
