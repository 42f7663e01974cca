"""Pages for the dossier's life (issue 14): the college's besluit recorded on the advies page,
its correction as a new version, and the archive of casussen.

Like every page, each handler calls the `/v1` API with the user's own token: the besluit is
`POST /v1/besluiten` (which checks it against the advies and requires the motivering where it
departs from it), archiving is `POST /v1/casussen/{id}/_archiveer`. API errors are shown next
to the field they name and nothing typed is lost.

The page asks per instrument *toegekend*, *afgewezen* or *niet aangevraagd* and sends each
instrument decided on with its `uitkomst`, so the besluit records what was refused as well as
what was granted, and a correction reads both back. An instrument left *niet aangevraagd* is
not sent: an advies can judge more instruments than a besluit takes (50), and an instrument
absent from a besluit was not applied for. Besluiten recorded before named the refused
instruments in a closing line of their motivering; that text is simply shown as it was.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from service.web.routes import (
    advies_page,
    api,
    erased_page,
    expect,
    law_words,
    page,
    templates,
    whoami,
)

router = APIRouter(include_in_schema=False)

KEUZES = {"toegekend": "toegekend", "afgewezen": "afgewezen",
          "niet_aangevraagd": "niet aangevraagd"}
"""The API's `uitkomst` per instrument → its label on the page."""


@dataclass
class BesluitForm:
    """What the besluit form shows: the choices, the texts, and the API's errors by field."""

    keuzes: dict[str, str] = field(default_factory=dict)
    """`effect:instrument` → a key of `KEUZES`."""
    motiveringen: dict[str, str] = field(default_factory=dict)
    """`effect:instrument` → that instrument's motivering (asked where the advies says past
    niet)."""
    motivering: str = ""
    zaak_url: str = ""
    vervangt: str | None = None
    fouten: dict[str, str] = field(default_factory=dict)
    """Field (`motivering`, `zaak_url`, `motivering:e1:wmo.x`, …) → the API's reason."""
    algemeen: list[str] = field(default_factory=list)


def current(advies: dict[str, Any]) -> dict[str, Any] | None:
    """The besluit in force on this advies: the newest version nobody replaced."""
    open_ = [b for b in advies.get("besluiten") or [] if not b.get("vervangen_door")]
    return max(open_, key=lambda b: (b["versie"], b["aangemaakt"])) if open_ else None


def uitkomsten(besluit: dict[str, Any] | None) -> dict[str, dict[str, Any]]:
    """`effect:instrument` → that instrument of the besluit (a row stored before issue 14 has
    no `uitkomst`: the API reads it as `toegekend`)."""
    return {f"{i.get('effect')}:{i['instrument']}": i
            for i in (besluit or {}).get("instrumenten") or []}


def per_instrument(a: dict[str, Any], besluit: dict[str, Any]) -> list[dict[str, Any]]:
    """Every instrument of the advies (`a`: the trace's `advies`) with what this besluit says
    of it, in the advies' order: an instrument the besluit does not name reads
    `niet_aangevraagd` (the page does not send those, and absent means not applied for), so a
    reader of the page or the dossier never takes an absent instrument for granted. A besluit
    stored before schema 0005 names instruments without their effect: matched by instrument.
    An instrument the besluit names that the advies does not is listed after them, as stored.
    """
    named = uitkomsten(besluit)
    loose = {i["instrument"]: i for i in besluit.get("instrumenten") or []
             if not i.get("effect")}
    used: set[int] = set()
    rows: list[dict[str, Any]] = []
    for e in a.get("effecten") or []:
        for i in e["stap4"]["instrumenten"]:
            found = named.get(f"{e['id']}:{i['id']}") or loose.get(i["id"])
            if found is not None:
                used.add(id(found))
            rows.append({"effect": e["id"], "instrument": i["id"], "naam": i["naam"],
                         "uitkomst": (found or {}).get("uitkomst") or (
                             "toegekend" if found else "niet_aangevraagd"),
                         "motivering": (found or {}).get("motivering"),
                         "genoemd": found is not None})
    for i in besluit.get("instrumenten") or []:
        if id(i) not in used:
            rows.append({"effect": i.get("effect"), "instrument": i["instrument"],
                         "naam": i["instrument"], "uitkomst": i.get("uitkomst") or "toegekend",
                         "motivering": i.get("motivering"), "genoemd": True})
    return rows


def from_besluit(besluit: dict[str, Any] | None) -> BesluitForm:
    """The form for a new besluit, or prefilled with the besluit in force to correct it."""
    if besluit is None:
        return BesluitForm()
    form = BesluitForm(motivering=besluit.get("motivering") or "",
                       zaak_url=besluit.get("zaak_url") or "", vervangt=besluit["id"])
    for key, i in uitkomsten(besluit).items():
        form.keuzes[key] = i.get("uitkomst") or "toegekend"
        if i.get("motivering"):
            form.motiveringen[key] = i["motivering"]
    return form


def besluit_formulier(advies: dict[str, Any], request: Request) -> BesluitForm:
    """The form state for the page: after a refused submit, what was typed with the API's
    errors (`request.state.besluit_form`, set by `record_besluit`); else from the besluit in
    force. The advies page's renderer (service.web.routes) stays unaware of the form."""
    typed: BesluitForm | None = getattr(request.state, "besluit_form", None)
    return typed if typed is not None else from_besluit(current(advies))


templates.env.globals.update(besluit_formulier=besluit_formulier, BESLUIT_KEUZES=KEUZES,
                             besluit_huidig=current, besluit_uitkomsten=uitkomsten,
                             besluit_per_instrument=per_instrument)


def _form_from(raw: Any, trace: dict[str, Any]) -> tuple[BesluitForm, list[str]]:
    """The submitted form, and the `effect:instrument` keys in the order sent as
    `instrumenten` (so the API's `instrumenten[n]` names a row of the form): those granted or
    refused."""
    form = BesluitForm(motivering=str(raw.get("motivering", "")).strip(),
                       zaak_url=str(raw.get("zaak_url", "")).strip(),
                       vervangt=str(raw.get("vervangt", "")).strip() or None)
    for e in trace["advies"]["effecten"]:
        for i in e["stap4"]["instrumenten"]:
            key = f"{e['id']}:{i['id']}"
            choice = str(raw.get(f"keuze:{key}", "niet_aangevraagd"))
            form.keuzes[key] = choice if choice in KEUZES else "niet_aangevraagd"
            text = str(raw.get(f"motivering:{key}", "")).strip()
            if text:
                form.motiveringen[key] = text
    sent = [k for k, v in form.keuzes.items() if v != "niet_aangevraagd"]
    return form, sent


def _body(advies: dict[str, Any], form: BesluitForm, sent: list[str]) -> dict[str, Any]:
    body: dict[str, Any] = {
        "advies_id": advies["id"],
        "instrumenten": [{"effect": k.split(":", 1)[0], "instrument": k.split(":", 1)[1],
                          "uitkomst": form.keuzes[k],
                          **({"motivering": form.motiveringen[k]}
                             if k in form.motiveringen else {})} for k in sent],
        "motivering": form.motivering,
    }
    if form.zaak_url:
        body["zaak_url"] = form.zaak_url
    if form.vervangt:
        body["vervangt"] = form.vervangt
    return body


FIELD = re.compile(r"^instrumenten\[(\d+)\](?:\.(\w+))?$")


def _errors(form: BesluitForm, problem: dict[str, Any], sent: list[str]) -> None:
    """Put each of the API's `invalidParams` next to its field; the rest above the form."""
    for p in problem.get("invalidParams") or []:
        name, reason = str(p.get("name", "")), str(p.get("reason", ""))
        found = FIELD.match(name)
        if name in ("motivering", "zaak_url"):
            form.fouten[name] = reason
        elif found and int(found.group(1)) < len(sent) and found.group(2) == "motivering":
            form.fouten[f"motivering:{sent[int(found.group(1))]}"] = reason
        elif name == "instrumenten" and not sent:
            form.algemeen.append("Kies bij minstens één instrument 'toegekend' of 'afgewezen': "
                                 f"een besluit beslist over ten minste één ({reason}).")
        else:
            form.algemeen.append(f"{name}: {reason}" if name else reason)
    if not form.fouten and not form.algemeen:
        form.algemeen.append(str(problem.get("detail") or "Het besluit is niet vastgelegd."))


@router.post("/ui/adviezen/{advies_id}/besluit")
async def record_besluit(request: Request, advies_id: str) -> Response:
    """Record (or, with `vervangt`, correct) the besluit; on a refusal the advies page again,
    with the API's errors next to their fields and everything typed kept."""
    await whoami(request)
    raw = await request.form()
    async with api(request) as a:
        r = await a.get(f"/v1/adviezen/{advies_id}")
        expect(r, 200)
        data = r.json()
        if erased := erased_page(request, f"Advies {data['volgnummer']}", data):
            return erased
        form, sent = _form_from(raw, data["trace"])
        made = await a.post("/v1/besluiten", _body(data, form, sent))
        if made.status_code == 201:
            return RedirectResponse(f"/ui/adviezen/{advies_id}?besluit=vastgelegd#besluit",
                                    status_code=303)
        if made.status_code not in (400, 409):
            expect(made, 201)  # anything else is shown as the API's problem page
        _errors(form, made.json(), sent)
        data["woorden"] = await law_words(a, advies_id)
        ranked = await a.get(f"/v1/adviezen/{advies_id}/vragen")
    request.state.besluit_form = form
    response = advies_page(request, data, gewijzigd=None, herhaling=None, schrijven=True,
                           vragen=ranked.json()["vragen"] if ranked.status_code == 200 else None)
    response.status_code = made.status_code
    return response


@router.post("/ui/casussen/{casus_id}/archiveer")
async def archive(request: Request, casus_id: str) -> Response:
    """Archive the casus: read-only, out of the working list; then the working list."""
    await whoami(request)
    async with api(request) as a:
        r = await a.post(f"/v1/casussen/{casus_id}/_archiveer")
    expect(r, 200)
    return RedirectResponse("/ui/casussen?gearchiveerd=ja", status_code=303)


@router.post("/ui/casussen/{casus_id}/dearchiveer")
async def unarchive(request: Request, casus_id: str) -> Response:
    await whoami(request)
    async with api(request) as a:
        r = await a.post(f"/v1/casussen/{casus_id}/_dearchiveer")
    expect(r, 200)
    return RedirectResponse(f"/ui/casussen/{casus_id}", status_code=303)


@router.get("/ui/archief")
async def archived(request: Request) -> Response:
    """The archive: the casussen taken out of the working list, newest first."""
    await whoami(request)
    async with api(request) as a:
        r = await a.get("/v1/casussen", paginaGrootte=100, gearchiveerd="true")
    expect(r, 200)
    return page(request, "casussen.html", casussen=r.json()["casussen"], voorbeelden=[],
                archief=True)
