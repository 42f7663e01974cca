"""The chain as an advies' reader sees it: which signed head commits to one advies.

The dossier's replay certificate names it, so a reader of the printed report knows which
signature to check (with the public key, `ot keten --anker`) to trust that this advies was not
rewritten since; the whole-chain verification and signing stay with the auditor (`adviezen`)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from sqlalchemy.orm import Session

from service.auth import Principal, require
from service.db import Advies
from service.deps import db_read, settings
from service.keten import covering_head, document, trusted_keys
from service.routes.logboek import record_reads
from service.schemas import KetenAnker, OndertekendeKop
from service.settings import Settings
from service.toegang import Actie, load

router = APIRouter(tags=["adviezen"])


@router.get("/adviezen/{advies_id}/ondertekende-kop", response_model=OndertekendeKop,
            summary="De ondertekende kop van de keten die dit advies dekt (of: nog geen)")
def signed_head(advies_id: str, request: Request, session: Session = Depends(db_read),
                cfg: Settings = Depends(settings),
                who: Principal = Depends(require("consulent", "auditor"))) -> OndertekendeKop:
    row = load(session, Advies, advies_id, who, Actie.LEZEN)
    keys = trusted_keys(cfg.keten.vertrouwde_sleutels)
    head, problem = covering_head(session, row.volgnummer, keys.values(), row.keten)
    record_reads(request, who, "advies_lezen", [(row.casus_id, row.id, None)])
    if head is None:
        return OndertekendeKop(
            advies_volgnummer=row.volgnummer, ondertekend=False,
            handtekening_gecontroleerd=False,
            melding=f"Nog geen ondertekende kop dekt volgnummer {row.volgnummer}: de kop wordt "
                    "periodiek ondertekend (OT_KETEN_ANKER_ELKE, OT_KETEN_ANKER_SECONDEN) of op "
                    "verzoek van een auditor.")
    checked = bool(keys)
    melding = (problem if problem else
               f"Ondertekende kop bij volgnummer {head.volgnummer} ({head.tijdstip}) dekt dit "
               f"advies; " + ("de handtekening klopt met de vertrouwde sleutel "
                              f"{head.sleutel_id}." if checked else
                              "de service kent geen vertrouwde sleutel: controleer de "
                              "handtekening zelf met de publieke sleutel."))
    return OndertekendeKop(advies_volgnummer=row.volgnummer, ondertekend=True,
                           kop=KetenAnker(**document(head, keys)),
                           handtekening_gecontroleerd=checked, geldig=problem is None,
                           melding=melding)
