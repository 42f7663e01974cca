"""Pages for issue 15: the follow-up (effectmeting) at the desk, and the beleidsinformatie.

Like every page, each handler calls the `/v1` API with the user's own token and never decides
access itself: the follow-up page reads `GET /v1/casussen/{id}/opvolgingen` and records with
`POST /v1/casussen/{id}/opvolgingen` (the API checks the date, the instruments and the
correction); the beleidsinformatie page reads `GET /v1/beleidsinformatie` (the API answers 403
to a consulent, and suppresses every count under 5) and proxies its CSV per table, so the
figures a beleidsmedewerker downloads are exactly those the API gives. API errors are shown
next to the field they name, with everything typed kept.

The casus list's "Wat loopt er" (`lopend`) is the API's `GET /v1/opvolgingen`: ids and dates
only, no content.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from service.web import grafieken
from service.web.api_client import Api
from service.web.routes import TREDE, api, erased_page, expect, page, whoami

router = APIRouter(include_in_schema=False)

UITKOMSTEN = {"bereikt": "Bereikt", "deels": "Deels bereikt", "niet_bereikt": "Niet bereikt"}
"""The API's `uitkomst` → its label on the page."""
STATUS = {"gepland": "Gepland", "verschuldigd": "Verschuldigd", "vastgelegd": "Vastgelegd"}


@dataclass
class OpvolgingForm:
    """What one effect's form shows: the typed values and the API's errors by field."""

    uitkomst: str = ""
    instrumenten: list[str] = field(default_factory=list)
    toelichting: str = ""
    vervangt: str | None = None
    fouten: dict[str, str] = field(default_factory=dict)
    """`uitkomst`, `gebruikte_instrumenten`, `toelichting`, `vervangt` → the API's reason."""
    algemeen: list[str] = field(default_factory=list)


def form_for(effect: dict[str, Any]) -> OpvolgingForm:
    """A new follow-up: the instruments prefilled from the besluiten; a correction: the
    version in force."""
    current = effect.get("opvolging")
    if current is None:
        return OpvolgingForm(instrumenten=list(effect["voorgestelde_instrumenten"]))
    return OpvolgingForm(uitkomst=current["uitkomst"],
                         instrumenten=list(current["gebruikte_instrumenten"]),
                         toelichting=current["toelichting"], vervangt=current["id"])


def _errors(form: OpvolgingForm, problem: dict[str, Any]) -> None:
    """Each of the API's `invalidParams` next to its field (`gebruikte_instrumenten[2]` next to
    the instruments); the rest, and a 409's detail, above the form."""
    for p in problem.get("invalidParams") or []:
        name, reason = str(p.get("name", "")), str(p.get("reason", ""))
        base = name.split("[", 1)[0]
        if base in ("uitkomst", "gebruikte_instrumenten", "toelichting", "vervangt"):
            form.fouten[base] = "; ".join(filter(None, (form.fouten.get(base), reason)))
        else:
            form.algemeen.append(f"{name}: {reason}" if name else reason)
    if problem.get("detail") and (not form.fouten or problem.get("status") == 409):
        form.algemeen.insert(0, str(problem["detail"]))
    if not form.fouten and not form.algemeen:
        form.algemeen.append("De opvolging is niet vastgelegd.")


async def _opvolging_page(request: Request, a: Api, casus_id: str, status: int = 200,
                          typed: dict[str, OpvolgingForm] | None = None,
                          vastgelegd: str | None = None) -> Response:
    r = await a.get(f"/v1/casussen/{casus_id}/opvolgingen")
    expect(r, 200)
    data = r.json()
    if erased := erased_page(request, "Casus", data):
        return erased
    formulieren = {e["effect"]: (typed or {}).get(e["effect"]) or form_for(e)
                   for e in data["effecten"]}
    return page(request, "opvolging.html", status, casus_id=casus_id, data=data,
                formulieren=formulieren, UITKOMSTEN=UITKOMSTEN, OPVOLG_STATUS=STATUS,
                vastgelegd=vastgelegd)


@router.get("/ui/casussen/{casus_id}/opvolging")
async def opvolging(request: Request, casus_id: str, vastgelegd: str | None = None) -> Response:
    """Per gewenst effect: its follow-up date and status, and when due the form."""
    await whoami(request)
    async with api(request) as a:
        return await _opvolging_page(request, a, casus_id, vastgelegd=vastgelegd)


@router.post("/ui/casussen/{casus_id}/opvolging/{effect}")
async def record(request: Request, casus_id: str, effect: str) -> Response:
    """Record (or, with `vervangt`, correct) one effect's follow-up; on a refusal the page
    again with the API's errors beside their fields and the typed values kept."""
    await whoami(request)
    raw = await request.form()
    form = OpvolgingForm(uitkomst=str(raw.get("uitkomst", "")),
                         instrumenten=[str(v) for v in raw.getlist("instrument")],
                         toelichting=str(raw.get("toelichting", "")),
                         vervangt=str(raw.get("vervangt", "")).strip() or None)
    body: dict[str, Any] = {"effect": effect, "uitkomst": form.uitkomst,
                            "gebruikte_instrumenten": form.instrumenten,
                            "toelichting": form.toelichting}
    if form.vervangt:
        body["vervangt"] = form.vervangt
    async with api(request) as a:
        made = await a.post(f"/v1/casussen/{casus_id}/opvolgingen", body)
        if made.status_code == 201:
            return RedirectResponse(f"/ui/casussen/{casus_id}/opvolging?vastgelegd={effect}"
                                    f"#effect-{effect}", status_code=303)
        if made.status_code not in (400, 409, 422):
            expect(made, 201)  # 404 and the like: the API's problem page
        _errors(form, made.json())
        return await _opvolging_page(request, a, casus_id, made.status_code, {effect: form})


async def lopend(a: Api) -> list[dict[str, Any]]:
    """"Wat loopt er": the follow-ups due and not recorded on the casussen this user may see
    (empty for a role the API does not list them to)."""
    r = await a.get("/v1/opvolgingen", status="verschuldigd", paginaGrootte=100)
    return list(r.json()["opvolgingen"]) if r.status_code == 200 else []


TABELLEN = {
    "domeinen": ("Casussen naar aantal betrokken domeinen",
                 {"domeinen": "Domeinen", "casussen": "Casussen"}),
    "zonder_grondwaarde": ("Gewenste effecten zonder grondwaarde, per leefgebied",
                           {"leefgebied": "Leefgebied", "effecten": "Effecten"}),
    "treden": ("Per trede: geadviseerd, toegekend en bereikt (gewenste effecten)",
               {"trede": "Trede", "past": "Past", "voorwaardelijk": "Voorwaardelijk",
                "toegekend": "Toegekend", "bereikt": "Bereikt", "deels": "Deels",
                "niet_bereikt": "Niet bereikt"}),
    "instrumenten": ("Per instrument: geadviseerd, toegekend en bereikt (gewenste effecten)",
                     {"instrument": "Instrument", "trede": "Trede", "past": "Past",
                      "voorwaardelijk": "Voorwaardelijk", "toegekend": "Toegekend",
                      "bereikt": "Bereikt", "deels": "Deels", "niet_bereikt": "Niet bereikt"}),
    "afwijkingen": ("Besluiten die afwijken van het advies, per instrument",
                    {"instrument": "Instrument", "categorie": "Categorie",
                     "besluiten": "Besluiten"}),
    "open_vragen": ("Feiten die het vaakst nog open stonden bij het advies",
                    {"feit": "Feit", "casussen": "Casussen"}),
    "beslisruimte": ("Gronden met beslisruimte die het vaakst de status bepaalden",
                     {"grond": "Grond", "instrument": "Instrument", "door": "Wie beslist",
                      "casussen": "Casussen"}),
    "termijnen": ("Tijd van advies tot besluit tegen de wettelijke beslistermijn",
                  {"instrument": "Instrument", "termijn_dagen": "Termijn (dagen)",
                   "besluiten": "Besluiten", "binnen_termijn": "Binnen termijn",
                   "buiten_termijn": "Buiten termijn"}),
    "opvolging": ("Opvolgingen naar uitkomst",
                  {"uitkomst": "Uitkomst", "effecten": "Effecten"}),
}
"""Each table of the API's answer: its caption and its columns (field → header), in order.
The first column is the row's header (`th scope="row"`)."""


def rows_of(data: dict[str, Any], tabel: str) -> list[dict[str, Any]]:
    if tabel == "domeinen":
        return list(data["domeinen"]["rijen"])
    if tabel == "zonder_grondwaarde":
        return list(data["zonder_grondwaarde"]["per_leefgebied"])
    return list(data[tabel])


TABEL_CONTEXT: dict[str, Any] = {"TABELLEN": TABELLEN, "rows_of": rows_of,
                                 "UITKOMST_LABELS": UITKOMSTEN}


def _filters(van: str | None, tot: str | None, gemeente: str | None) -> dict[str, str]:
    """The filter as typed, without the empty ones (the API checks what is left)."""
    given = {"van": (van or "").strip(), "tot": (tot or "").strip(),
             "gemeente": (gemeente or "").strip().upper()}
    return {k: v for k, v in given.items() if v}


@router.get("/ui/beleidsinformatie")
async def beleidsinformatie(request: Request, van: str | None = None, tot: str | None = None,
                            gemeente: str | None = None) -> Response:
    """The figures of a period as tables, with a chart beside the main ones; a refused filter
    is shown next to its field, with what was typed kept."""
    await whoami(request)
    filters = _filters(van, tot, gemeente)
    async with api(request) as a:
        r = await a.get("/v1/beleidsinformatie", **filters)
    fouten: dict[str, str] = {}
    if r.status_code in (400, 422):
        problem = r.json()
        for p in problem.get("invalidParams") or []:
            fouten[str(p.get("name", "")).rsplit(".", 1)[-1]] = str(p.get("reason", ""))
        if not fouten:
            fouten["algemeen"] = str(problem.get("detail", ""))
        return page(request, "beleidsinformatie.html", r.status_code, data=None,
                    filters=filters, fouten=fouten, grafiek={}, **TABEL_CONTEXT)
    expect(r, 200)  # a consulent: the API's 403 as the page
    data = r.json()
    grafiek = {"domeinen": grafieken.domeinen(rows_of(data, "domeinen")),
               "treden": grafieken.treden(rows_of(data, "treden"), TREDE)}
    return page(request, "beleidsinformatie.html", data=data, filters=filters, fouten=fouten,
                grafiek=grafiek, **TABEL_CONTEXT)


@router.get("/ui/beleidsinformatie/csv")
async def beleidsinformatie_csv(request: Request, tabel: str, van: str | None = None,
                                tot: str | None = None,
                                gemeente: str | None = None) -> Response:
    """One table as the API's CSV, passed through unchanged (the same suppression)."""
    await whoami(request)
    async with api(request) as a:
        r = await a.get("/v1/beleidsinformatie", formaat="csv", tabel=tabel,
                        **_filters(van, tot, gemeente))
    expect(r, 200)
    return Response(content=r.content, media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": r.headers.get(
                        "content-disposition",
                        f'attachment; filename="beleidsinformatie-{tabel}.csv"')})
