"""`casussen`: step 1 (the casus), answers to "nog uitvragen", step 3 (afwegingen), the
archive (`_archiveer`, `_dearchiveer`) and the AVG erasure of a casus (`_wis`).

Every version records who made it (`door`); every read and change is a record of the
processing log (`service.routes.logboek`). An erased casus still answers, with its marker
(`gewist`) and no content; nothing can be added to it (409). An archived casus answers with
its marker (`gearchiveerd`), is left out of the working list and is read-only (409) until it
is dearchived; it can still be erased."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from fastapi import APIRouter, Depends, Query, Request, Response
from pydantic import Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from service.auth import Principal, require
from service.db import Casus, CasusVersie, Wissing, now
from service.deps import Paging, db, db_read, engines, settings
from service.engines import Engines
from service.keten import signer_for
from service.routes.logboek import record, record_reads
from service.schemas import (
    AfwegingenIn,
    Antwoorden,
    ArchiveringUit,
    CasusIn,
    CasusLijst,
    CasusUit,
    CasusVersieUit,
    Closed,
    GewistUit,
    Pagina,
    WisIn,
    WissingUit,
)
from service.settings import Settings
from service.store import (
    add_casus_version,
    apply_answers,
    archive,
    count,
    new_id,
    refuse_if_closed,
    store_wissing,
    unarchive,
)
from service.toegang import PRIVACY, Actie, load, visible_to

router = APIRouter(tags=["casussen"])


def markers(session: Session, casus_ids: Iterable[str | None]) -> dict[str, GewistUit]:
    """The erased marker per erased casus among `casus_ids` (one query): what the casus, its
    versions, adviezen and besluiten show instead of their content."""
    wanted = sorted({i for i in casus_ids if i is not None})
    if not wanted:
        return {}
    rows = session.scalars(select(Wissing).where(Wissing.casus_id.in_(wanted))).all()
    return {r.casus_id: GewistUit(id=r.id, tijdstip=r.tijdstip, door=r.door, grond=r.grond)
            for r in rows}


def out(row: Casus, gewist: dict[str, GewistUit] | None = None) -> CasusUit:
    return CasusUit(id=row.id, versie=row.versie, aangemaakt=row.aangemaakt,
                    gewijzigd=row.gewijzigd, casus=row.data, afwegingen=row.afwegingen,
                    gewist=(gewist or {}).get(row.id),
                    gearchiveerd=None if row.gearchiveerd is None else ArchiveringUit(
                        tijdstip=row.gearchiveerd, door=row.gearchiveerd_door or ""))


def validated(eng: Engines, data: dict[str, Any]) -> dict[str, Any]:
    casus = eng.current.casus(data)
    dumped: dict[str, Any] = casus.model_dump(mode="json", exclude_none=True)
    return dumped


@router.post("/casussen", status_code=201, response_model=CasusUit,
             summary="Leg een casus vast (stap 1)")
def create(body: CasusIn, request: Request, response: Response, session: Session = Depends(db),
           eng: Engines = Depends(engines),
           who: Principal = Depends(require("consulent"))) -> CasusUit:
    data = validated(eng, body.model_dump(mode="json", exclude_none=True))
    stamp = now()
    row = Casus(id=new_id(), eigenaar=who.id, versie=1, data=data,
                afwegingen=data.get("stap3"), aangemaakt=stamp, gewijzigd=stamp,
                keten=data.get("gemeente") or "")
    session.add(row)
    session.flush()
    add_casus_version(session, row, "aangemaakt", who.id)
    record(session, request, who, "casus_vastleggen", casus_id=row.id, start=stamp)
    session.commit()
    response.headers["Location"] = f"/v1/casussen/{row.id}"
    return out(row)


@router.get("/casussen", response_model=CasusLijst,
            summary="Casussen (eigen; auditor: alle): de werklijst, of met gearchiveerd=true "
                    "het archief")
def index(request: Request, paging: Paging = Depends(),
          gearchiveerd: bool = Query(False, description="false (standaard): de werklijst, "
                                                        "zonder gearchiveerde casussen; true: "
                                                        "alleen de gearchiveerde"),
          session: Session = Depends(db_read),
          who: Principal = Depends(require("consulent", "auditor"))) -> CasusLijst:
    where = visible_to(Casus, who)
    where.append(Casus.gearchiveerd.is_not(None) if gearchiveerd
                 else Casus.gearchiveerd.is_(None))
    rows = session.scalars(select(Casus).where(*where).order_by(Casus.aangemaakt.desc(),
                                                                Casus.id)
                           .offset(paging.offset).limit(paging.grootte)).all()
    gewist = markers(session, (r.id for r in rows))
    found = CasusLijst(casussen=[out(r, gewist) for r in rows],
                       pagina=Pagina(pagina=paging.pagina, pagina_grootte=paging.grootte,
                                     totaal=count(session, Casus, *where)))
    record_reads(request, who, "casus_lezen", [(r.id, None, None) for r in rows])
    return found


@router.get("/casussen/{casus_id}", response_model=CasusUit)
def show(casus_id: str, request: Request, session: Session = Depends(db_read),
         who: Principal = Depends(require("consulent", "auditor"))) -> CasusUit:
    row = load(session, Casus, casus_id, who, Actie.LEZEN)
    found = out(row, markers(session, [row.id]))
    record_reads(request, who, "casus_lezen", [(casus_id, None, None)])
    return found


@router.get("/casussen/{casus_id}/versies", response_model=list[CasusVersieUit],
            summary="Alle versies van een casus (niets gaat verloren)")
def versions(casus_id: str, request: Request, session: Session = Depends(db_read),
             who: Principal = Depends(require("consulent", "auditor"))) -> list[CasusVersieUit]:
    load(session, Casus, casus_id, who, Actie.LEZEN)
    rows = session.scalars(select(CasusVersie).where(CasusVersie.casus_id == casus_id)
                           .order_by(CasusVersie.versie)).all()
    gewist = markers(session, [casus_id]).get(casus_id)
    found = [CasusVersieUit(versie=r.versie, reden=r.reden, door=r.door,
                            aangemaakt=r.aangemaakt, casus=r.data, afwegingen=r.afwegingen,
                            gewist=gewist)
             for r in rows]
    record_reads(request, who, "casus_versies_lezen", [(casus_id, None, None)])
    return found


LOGBOEK = {"vervangen": "casus_vervangen", "antwoorden": "casus_beantwoorden",
           "afwegingen": "afwegingen_vastleggen"}
"""The processing-log action of each kind of casus change (`reden`)."""


def _update(session: Session, request: Request, row: Casus, data: dict[str, Any], reden: str,
            who: Principal, afwegingen: dict[str, Any] | None) -> CasusUit:
    row.data = data
    row.afwegingen = afwegingen
    row.versie += 1
    row.gewijzigd = now()
    add_casus_version(session, row, reden, who.id)
    record(session, request, who, LOGBOEK[reden], casus_id=row.id, start=row.gewijzigd)
    session.commit()
    return out(row)


@router.put("/casussen/{casus_id}", response_model=CasusUit,
            summary="Vervang de casus (een nieuwe versie; de oude blijft bewaard)")
def replace(casus_id: str, body: CasusIn, request: Request, session: Session = Depends(db),
            eng: Engines = Depends(engines),
            who: Principal = Depends(require("consulent"))) -> CasusUit:
    row = load(session, Casus, casus_id, who, Actie.SCHRIJVEN, for_update=True)
    refuse_if_closed(session, row.id)
    data = validated(eng, body.model_dump(mode="json", exclude_none=True))
    return _update(session, request, row, data, "vervangen", who, data.get("stap3"))


@router.post("/casussen/{casus_id}/_beantwoord", response_model=CasusUit,
             summary="Beantwoord 'nog uitvragen': zet feiten op hun adres")
def answer(casus_id: str, body: Antwoorden, request: Request, session: Session = Depends(db),
           eng: Engines = Depends(engines),
           who: Principal = Depends(require("consulent"))) -> CasusUit:
    row = load(session, Casus, casus_id, who, Actie.SCHRIJVEN, for_update=True)
    refuse_if_closed(session, row.id)
    data = apply_answers(row.data, [(a.feit, a.waarde) for a in body.antwoorden])
    return _update(session, request, row, validated(eng, data), "antwoorden", who,
                   row.afwegingen)


@router.put("/casussen/{casus_id}/afwegingen", response_model=CasusUit,
            summary="Leg stap 3 vast (afwegingen; vastgelegd, nooit geëvalueerd)")
def weigh(casus_id: str, body: AfwegingenIn, request: Request, session: Session = Depends(db),
          eng: Engines = Depends(engines),
          who: Principal = Depends(require("consulent"))) -> CasusUit:
    row = load(session, Casus, casus_id, who, Actie.SCHRIJVEN, for_update=True)
    refuse_if_closed(session, row.id)
    afwegingen = body.model_dump(exclude_none=True)
    data = {**row.data, "stap3": afwegingen} if afwegingen else {
        k: v for k, v in row.data.items() if k != "stap3"}
    return _update(session, request, row, validated(eng, data), "afwegingen", who,
                   afwegingen or None)


@router.post("/casussen/{casus_id}/_archiveer", response_model=CasusUit,
             summary="Archiveer de casus: alleen nog te lezen, niet meer in de werklijst; de "
                     "bewaartermijn gaat lopen")
def archive_casus(casus_id: str, request: Request, session: Session = Depends(db),
                  who: Principal = Depends(require("consulent"))) -> CasusUit:
    """The owner, as for every write; an erased casus can be archived too (out of the working
    list). Twice: 409."""
    row = load(session, Casus, casus_id, who, Actie.SCHRIJVEN, for_update=True)
    archive(row, who.id)
    record(session, request, who, "casus_archiveren", casus_id=row.id, start=row.gearchiveerd)
    session.commit()
    return out(row, markers(session, [row.id]))


@router.post("/casussen/{casus_id}/_dearchiveer", response_model=CasusUit,
             summary="Haal de casus terug uit het archief (weer te wijzigen; de bewaartermijn "
                     "loopt niet meer)")
def unarchive_casus(casus_id: str, request: Request, session: Session = Depends(db),
                    who: Principal = Depends(require("consulent"))) -> CasusUit:
    """The owner; a casus that is not archived: 409."""
    row = load(session, Casus, casus_id, who, Actie.SCHRIJVEN, for_update=True)
    unarchive(row)
    record(session, request, who, "casus_dearchiveren", casus_id=row.id)
    session.commit()
    return out(row, markers(session, [row.id]))


@router.post("/casussen/{casus_id}/_wis", response_model=WissingUit,
             summary="Wis de persoonsgegevens van de casus (AVG): de inhoud van de casus, "
                     "haar versies, de traces van haar adviezen en de motiveringen van haar "
                     "besluiten; de hashes en de keten blijven, de wissing wordt een schakel "
                     "van de keten")
def erase(casus_id: str, body: WisIn, request: Request, session: Session = Depends(db),
          cfg: Settings = Depends(settings),
          who: Principal = Depends(require("consulent", PRIVACY))) -> WissingUit:
    """The owning consulent, or the privacy role on any casus (an art. 17 request when the
    owner has left; service/toegang.py); erasing twice is 409. The grond is recorded as given
    (no retention rule is decided here) and is not put in the processing log, which names the
    casus only by its pseudonym and the eraser as `uitgever|sub`."""
    row = load(session, Casus, casus_id, who, Actie.WISSEN, for_update=True)
    stamp = now()
    wissing = store_wissing(session, row, grond=body.grond, door=who.id,
                            signer=signer_for(cfg.keten))
    record(session, request, who, "casus_wissen", casus_id=row.id, start=stamp)
    session.commit()
    return WissingUit(id=wissing.id, casus_id=wissing.casus_id, door=wissing.door,
                      tijdstip=wissing.tijdstip, grond=wissing.grond,
                      adviezen=wissing.adviezen, casus_versies=wissing.casus_versies,
                      besluiten=wissing.besluiten, keten=wissing.keten,
                      volgnummer=wissing.volgnummer,
                      vorige_hash=wissing.vorige_hash, keten_hash=wissing.keten_hash)



# ── casusoverzicht: what the privacy role sees (issue 14) ─────────────────────────────────
class CasusMetadata(Closed):
    """One casus without its content: enough to find the casus an art. 17 request is about
    (through the zaak URL of its besluiten, the owner or the dates) and to see what an erasure
    would touch, nothing of what the inwoner told."""

    id: str
    eigenaar: str = Field(description="wie de casus aanmaakte: uitgever|sub (pseudoniem)")
    aangemaakt: str
    gewijzigd: str
    versie: int
    adviezen: int = Field(description="hoeveel adviezen op deze casus gemaakt zijn")
    besluiten: int = Field(description="hoeveel besluiten (versies) op die adviezen")
    zaak_urls: list[str] = Field(description="de zaken in het zaaksysteem die de besluiten "
                                             "noemen")
    gearchiveerd: ArchiveringUit | None = None
    gewist: GewistUit | None = None


class CasusOverzicht(Closed):
    casussen: list[CasusMetadata]
    pagina: Pagina


@router.get("/casusoverzicht", response_model=CasusOverzicht,
            summary="De casussen zonder inhoud (privacy: alle; auditor: alle; consulent: "
                    "eigen), om een verzoek tot wissing (art. 17 AVG) bij de juiste casus te "
                    "leggen")
def overview(request: Request, paging: Paging = Depends(),
             zaakUrl: str | None = Query(None, max_length=500,
                                         description="alleen de casus(sen) met een besluit "
                                                     "over deze zaak"),
             session: Session = Depends(db_read),
             who: Principal = Depends(require("consulent", "auditor", PRIVACY))
             ) -> CasusOverzicht:
    """Archived and erased casussen included (both can be erased or were). Each casus shown is
    a `casus_overzien` record in the processing log, like every read."""
    from sqlalchemy import func

    from service.db import Advies, Besluit

    where = visible_to(Casus, who, Actie.OVERZIEN)
    if zaakUrl is not None:
        where.append(Casus.id.in_(select(Besluit.casus_id).where(Besluit.zaak_url == zaakUrl)))
    rows = session.scalars(select(Casus).where(*where).order_by(Casus.aangemaakt.desc(),
                                                                Casus.id)
                           .offset(paging.offset).limit(paging.grootte)).all()
    ids = [r.id for r in rows]
    adviezen: dict[str | None, int] = {
        casus_id: n for casus_id, n in session.execute(
            select(Advies.casus_id, func.count()).where(Advies.casus_id.in_(ids))
            .group_by(Advies.casus_id))}
    besluiten: dict[str, list[str | None]] = {}
    for casus_id, zaak_url in session.execute(select(Besluit.casus_id, Besluit.zaak_url)
                                              .where(Besluit.casus_id.in_(ids))):
        if casus_id is not None:
            besluiten.setdefault(casus_id, []).append(zaak_url)
    gewist = markers(session, ids)
    found = CasusOverzicht(
        casussen=[CasusMetadata(
            id=r.id, eigenaar=r.eigenaar, aangemaakt=r.aangemaakt, gewijzigd=r.gewijzigd,
            versie=r.versie, adviezen=adviezen.get(r.id, 0),
            besluiten=len(besluiten.get(r.id, [])),
            zaak_urls=sorted({u for u in besluiten.get(r.id, []) if u}),
            gearchiveerd=None if r.gearchiveerd is None else ArchiveringUit(
                tijdstip=r.gearchiveerd, door=r.gearchiveerd_door or ""),
            gewist=gewist.get(r.id)) for r in rows],
        pagina=Pagina(pagina=paging.pagina, pagina_grootte=paging.grootte,
                      totaal=count(session, Casus, *where)))
    record_reads(request, who, "casus_overzien", [(i, None, None) for i in ids])
    return found
# ── einde casusoverzicht ─────────────────────────────────────────────────────────────────
