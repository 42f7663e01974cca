"""The privacy officer's page (issue 14): the casusoverzicht and the AVG art. 17 erasure.

Why a page of its own: a privacy officer honours an erasure request, often when the owning
consulent has left, and must be able to do so without curl. What the officer may see and do is
the API's to decide (`service/toegang.py`): the page only calls `GET /v1/casusoverzicht` (the
casussen without their content: id, owner as `uitgever|sub`, dates, archive and erasure
markers) and `POST /v1/casussen/{id}/_wis` with the user's own token. So a privacy account
sees no content here because the API gives it none, and a consulent who opens the page sees
only their own casussen because the API lists only those; erasing someone else's casus
answers the API's 404 as its page.

Erasure cannot be undone, so it takes two steps: the form asks the `grond`, then a
confirmation page repeats the casus and the grond and asks for an explicit *Definitief wissen*.
Only that second post (`bevestigd=ja`) reaches the API. The grond is checked by the API
(`WisIn`); its refusal is shown next to the field with the text typed kept. Every form is
covered by the CSRF guard (service/web/csrf.py) like every other `/ui` form.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from service.web.routes import api, expect, page, whoami

router = APIRouter(include_in_schema=False)

PAGINA = 100
"""Casussen per page of the overview (the API's largest page)."""


def _pagina(value: str | None) -> int:
    """The page asked for in the query; anything that is not a positive number is page 1."""
    return int(value) if value and value.isdigit() and 0 < int(value) <= 100000 else 1


@router.get("/ui/casusoverzicht")
async def overview(request: Request, pagina: str | None = None, zaak: str | None = None,
                   gewist: str | None = None) -> Response:
    """The casussen without content, newest first; `zaak` finds the casus of a zaak URL (the
    way an art. 17 request usually arrives), `gewist` names the casus just erased."""
    await whoami(request)
    nummer = _pagina(pagina)
    zaak = (zaak or "").strip() or None
    params: dict[str, Any] = {"pagina": nummer, "paginaGrootte": PAGINA}
    if zaak:
        params["zaakUrl"] = zaak
    async with api(request) as a:
        r = await a.get("/v1/casusoverzicht", **params)
    expect(r, 200)
    data = r.json()
    totaal = int(data["pagina"]["totaal"])
    return page(request, "casusoverzicht.html", casussen=data["casussen"], zaak=zaak,
                pagina=nummer, totaal=totaal, verder=nummer * PAGINA < totaal,
                gewist=gewist)


@router.get("/ui/casusoverzicht/{casus_id}/wissen")
async def erase_form(request: Request, casus_id: str) -> Response:
    """Step 1: the grond. Nothing is read here: the API decides at the erasure itself."""
    await whoami(request)
    return page(request, "casus_wissen.html", casus_id=casus_id, grond="", fout=None,
                bevestigen=False)


@router.post("/ui/casusoverzicht/{casus_id}/wissen")
async def erase(request: Request, casus_id: str) -> Response:
    """Step 2 (no `bevestigd`): the confirmation page. Step 3 (`bevestigd=ja`): the API's
    `_wis`; then the overview, whose row now shows when the casus was erased."""
    await whoami(request)
    form = await request.form()
    grond = str(form.get("grond", ""))
    if not grond.strip():
        return page(request, "casus_wissen.html", 400, casus_id=casus_id, grond=grond,
                    fout="Geef de grond van de wissing (bijvoorbeeld het verzoek van de "
                         "inwoner, art. 17 AVG).", bevestigen=False)
    if form.get("bevestigd") != "ja":
        return page(request, "casus_wissen.html", casus_id=casus_id, grond=grond, fout=None,
                    bevestigen=True)
    async with api(request) as a:
        r = await a.post(f"/v1/casussen/{casus_id}/_wis", {"grond": grond})
    if r.status_code in (400, 422):
        problem = r.json()
        reasons = [str(p.get("reason")) for p in problem.get("invalidParams") or []
                   if str(p.get("name", "")).endswith("grond")]
        return page(request, "casus_wissen.html", 400, casus_id=casus_id, grond=grond,
                    fout="; ".join(reasons) or str(problem.get("detail", "")),
                    bevestigen=False)
    expect(r, 200)  # 404 (not visible to this user), 409 (erased already): the API's page
    return RedirectResponse(f"/ui/casusoverzicht?gewist={casus_id}#casus-{casus_id}",
                            status_code=303)
