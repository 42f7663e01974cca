"""Pages for consulenten and auditors. Each handler calls the `/v1` API with the user's token
and renders the answer; API errors are shown next to the field they name."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import yaml
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from engine import feitadres, semantics
from engine.catalogue import LEEFGEBIEDEN
from engine.eenheden import met_eenheid
from service.web import auth_oidc, forms
from service.web.api_client import Api

HERE = Path(__file__).resolve().parent
EXAMPLES = HERE.parent.parent / "examples"
templates = Jinja2Templates(directory=str(HERE / "templates"))
router = APIRouter(include_in_schema=False)
COOKIE = "ot_sessie"

STAP3_VRAGEN = [
    ("mogelijkheden_inwoner", "Past de oplossing bij wat de inwoner zelf kan?"),
    ("lokaal_beleid", "Wat zegt het lokale beleid (verordening, beleidsregels)?"),
    ("waarden", "Past het bij de waarden van de gemeente en van het vak?"),
    ("effecten_korte_termijn", "Wat zijn de effecten op korte termijn?"),
    ("effecten_lange_termijn", "Wat zijn de effecten op lange termijn?"),
    ("niets_doen", "Wat gebeurt er als we niets doen?"),
    ("kosten", "Wat kost het (en wat levert het op)?"),
    ("stoel_van_de_inwoner", "Wat als ik op de stoel van de inwoner zat?"),
    ("toelichting", "Overige afwegingen"),
]
TREDE = {"eigen_kracht": "Eigen kracht", "gebruikelijke_hulp": "Gebruikelijke hulp",
         "netwerk": "Netwerk", "algemene_voorziening": "Algemene voorziening",
         "maatwerk": "Maatwerk"}
STATUS = semantics.STATUS_LABELS


def url_of(citaat: dict[str, Any]) -> str:
    jci = str(citaat.get("jci", ""))
    return jci if jci.startswith("http") else f"https://wetten.overheid.nl/{jci}"


templates.env.globals.update(LEEFGEBIEDEN=LEEFGEBIEDEN, TREDE=TREDE, STATUS=STATUS,
                             url_of=url_of, forms=forms, STAP3_VRAGEN=STAP3_VRAGEN,
                             markering_label=semantics.markering_label,
                             toont_onzekere_regels=semantics.toont_onzekere_regels,
                             beslisser=semantics.beslisser, met_eenheid=met_eenheid)


def token(request: Request) -> str | None:
    """The bearer of this browser's session (sealed cookie, see auth_oidc), or None."""
    return auth_oidc.session_token(request)


def api(request: Request) -> Api:
    return Api(request.app, token(request), request.headers.get("traceparent"))


def page(request: Request, name: str, status: int = 200, **ctx: Any) -> HTMLResponse:
    ctx.setdefault("rollen", getattr(request.state, "rollen", []))
    return templates.TemplateResponse(request, name, ctx, status_code=status)


def to_login() -> RedirectResponse:
    return RedirectResponse("/ui/inloggen", status_code=303)


class NotLoggedIn(Exception):
    """No valid token in the cookie: every page answers with the login page."""


class ApiRefused(Exception):
    """The API answered something the page cannot go on from: the page shows the API's own
    problem (title, detail) with its status, so the web page never words an error twice."""

    def __init__(self, status: int, problem: dict[str, Any]):
        super().__init__(status)
        self.status = status
        self.problem = problem


def expect(response: Any, status: int) -> None:
    """Go on only when the API answered `status`; otherwise show its problem as the page."""
    if response.status_code != status:
        try:
            problem = response.json()
        except ValueError:
            problem = {"title": "Onverwacht antwoord", "detail": response.text[:300]}
        raise ApiRefused(response.status_code, problem)


def install(app: Any) -> None:
    """Register how the two page-level refusals are shown, and the privacy officer's pages
    (service/web/privacy_routes.py), which build on this module (called once by the app
    factory)."""
    from service.web import opvolging_routes, privacy_routes

    app.include_router(privacy_routes.router)
    app.include_router(opvolging_routes.router)  # follow-up, beleidsinformatie (issue 15)

    async def login_page(request: Request, exc: Exception) -> Response:
        return to_login()

    async def error_page(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, ApiRefused)
        return page(request, "fout.html", exc.status, probleem=exc.problem)

    app.add_exception_handler(NotLoggedIn, login_page)
    app.add_exception_handler(ApiRefused, error_page)


def erased_page(request: Request, wat: str, data: dict[str, Any]) -> HTMLResponse | None:
    """An erased casus or advies (AVG, `_wis`) has no content left to show: the page says when,
    by whom and why, and what stayed (hashes, actors, pack versions). None: not erased."""
    if not data.get("gewist"):
        return None
    return page(request, "gewist.html", wat=wat, gewist=data["gewist"],
                advies=data if "trace_hash" in data else None)


async def whoami(request: Request) -> list[str]:
    """The user's roles, from the API with the cookie's token; NotLoggedIn without one."""
    if not token(request):
        raise NotLoggedIn
    async with api(request) as a:
        r = await a.get("/v1/wie-ben-ik")
    if r.status_code != 200:
        raise NotLoggedIn
    rollen: list[str] = r.json()["rollen"]
    request.state.rollen = rollen
    return rollen


@router.get("/")
async def root() -> Response:
    return RedirectResponse("/ui", status_code=303)


@router.get("/ui")
async def home(request: Request) -> Response:
    rollen = await whoami(request)
    if "consulent" in rollen:
        return RedirectResponse("/ui/casussen", status_code=303)
    if "auditor" in rollen:
        return RedirectResponse("/ui/adviezen", status_code=303)
    if "privacy" in rollen:  # the privacy officer: the casussen without content (issue 14)
        return RedirectResponse("/ui/casusoverzicht", status_code=303)
    return RedirectResponse("/ui/regelpakketten", status_code=303)


def login_page(request: Request, status: int = 200, fout: str | None = None,
               **ctx: Any) -> HTMLResponse:
    """The login page offers what is configured: the municipality's identity provider, and
    the token form only where it is explicitly enabled (OT_UI_TOKEN_LOGIN, or local keys)."""
    settings = request.app.state.settings
    return page(request, "inloggen.html", status, lokaal=settings.lokale_sleutels,
                token_login=settings.ui_token_login,
                idp=settings.oidc.naam if settings.oidc else None, fout=fout, **ctx)


@router.get("/ui/inloggen")
async def login_form(request: Request) -> Response:
    return login_page(request)


@router.post("/ui/inloggen")
async def login(request: Request) -> Response:
    if not request.app.state.settings.ui_token_login:
        return login_page(request, 403, "Inloggen met een token staat uit; log in via de "
                                        "inlogdienst van de gemeente.")
    form = await request.form()
    given = str(form.get("token", "")).strip()
    async with Api(request.app, given) as a:
        r = await a.get("/v1/wie-ben-ik")
    if r.status_code != 200:
        return login_page(request, 401, r.json().get("detail", "Inloggen mislukt."))
    response = RedirectResponse("/ui", status_code=303)
    if not auth_oidc.start_session(request, response, given, auth_oidc.token_expiry(given),
                                   "token"):
        return login_page(request, 400, "Dit token is te groot voor een sessiecookie.")
    return response


@router.post("/ui/uitloggen")
async def logout(request: Request) -> Response:
    """End the session here, then at the identity provider when it offers that. The way there
    is the login page's `Refresh` (and a link), not a redirect: the pages' CSP
    `form-action 'self'` stops a form whose redirect leaves the site."""
    elsewhere = await auth_oidc.provider_logout_url(request)
    response: Response = (login_page(request, uitgelogd=True, uitloggen_idp=elsewhere)
                          if elsewhere else to_login())
    if elsewhere:
        response.headers["Refresh"] = f"0; url={elsewhere}"
    auth_oidc.end_session(request, response)
    return response


@router.get("/ui/casussen")
async def casussen(request: Request) -> Response:
    await whoami(request)
    from service.web.opvolging_routes import lopend  # issue 15: "wat loopt er"

    async with api(request) as a:
        r = await a.get("/v1/casussen", paginaGrootte=100)
        due = await lopend(a)
    expect(r, 200)
    return page(request, "casussen.html", casussen=r.json()["casussen"], lopend=due,
                voorbeelden=sorted(p.stem for p in EXAMPLES.glob("*.yaml")))


def example(name: str) -> dict[str, Any] | None:
    path = EXAMPLES / f"{name}.yaml"
    if not name.replace("-", "").isalnum() or not path.is_file():
        return None
    data: dict[str, Any] = yaml.safe_load(path.read_text("utf-8"))
    data.pop("verwachting", None)
    data["peildatum"] = str(data.get("peildatum", ""))
    return data


@router.get("/ui/casussen/nieuw")
async def new_form(request: Request, voorbeeld: str | None = None) -> Response:
    await whoami(request)
    data = example(voorbeeld) if voorbeeld else None
    state = forms.from_casus(data) if data else forms.CasusForm(values={"p0.id": "p1",
                                                                       "p0.rol": "aanvrager"})
    return page(request, "casus_form.html", state=state, actie="/ui/casussen/nieuw",
                titel="Nieuwe casus", voorbeeld=voorbeeld)


@router.post("/ui/casussen/nieuw")
async def create(request: Request) -> Response:
    return await _save(request, None)


@router.get("/ui/casussen/{casus_id}/bewerken")
async def edit_form(request: Request, casus_id: str) -> Response:
    await whoami(request)
    async with api(request) as a:
        r = await a.get(f"/v1/casussen/{casus_id}")
    expect(r, 200)
    if erased := erased_page(request, "Casus", r.json()):
        return erased
    return page(request, "casus_form.html", state=forms.from_casus(r.json()["casus"]),
                actie=f"/ui/casussen/{casus_id}/bewerken", titel="Stap 1 bewerken",
                voorbeeld=None)


@router.post("/ui/casussen/{casus_id}/bewerken")
async def update(request: Request, casus_id: str) -> Response:
    return await _save(request, casus_id)


async def _save(request: Request, casus_id: str | None) -> Response:
    await whoami(request)
    raw = await request.form()
    data: dict[str, Any] = {}
    for key in raw:
        values = raw.getlist(key)
        data[key] = values if key.endswith(("beperkingen", "betalingsachterstanden",
                                            "voorliggend_afgewezen")) else values[-1]
    people = int(str(data.pop("aantal_personen", "1")) or 1)
    effects = int(str(data.pop("aantal_effecten", "1")) or 1)
    actie = str(data.pop("actie", "opslaan"))
    stap3 = data.pop("stap3_json", None)
    state = forms.from_form(data, min(people, 30), min(effects, 50))
    target = f"/ui/casussen/{casus_id}/bewerken" if casus_id else "/ui/casussen/nieuw"
    titel = "Stap 1 bewerken" if casus_id else "Nieuwe casus"
    if actie == "persoon_toevoegen" or actie.startswith("persoon_toevoegen:e"):
        # "persoon_toevoegen:e<i>": added from effect i's "voor wie", which then names it
        effect = actie.removeprefix("persoon_toevoegen:e")
        forms.add_person(state, int(effect) if effect.isdigit() else None)
        return page(request, "casus_form.html", state=state, actie=target, titel=titel,
                    voorbeeld=None, nieuwe_persoon=state.people - 1)
    if actie == "effect_toevoegen":
        state.effects += 1
        return page(request, "casus_form.html", state=state, actie=target, titel=titel,
                    voorbeeld=None)
    casus, errors = forms.to_casus(state)
    if stap3:
        casus["stap3"] = json.loads(str(stap3))
    if errors:
        state.errors = errors
        return page(request, "casus_form.html", 400, state=state, actie=target, titel=titel,
                    voorbeeld=None)
    async with api(request) as a:
        r = await (a.put(f"/v1/casussen/{casus_id}", casus) if casus_id
                   else a.post("/v1/casussen", casus))
    if r.status_code not in (200, 201):
        problem = r.json()
        state.errors, state.general = forms.api_errors_to_inputs(
            problem.get("invalidParams", []), casus)
        if not state.errors and not state.general:
            state.general = [problem.get("detail", "De casus kon niet worden opgeslagen.")]
        return page(request, "casus_form.html", 400, state=state, actie=target, titel=titel,
                    voorbeeld=None)
    return RedirectResponse(f"/ui/casussen/{r.json()['id']}", status_code=303)


@router.get("/ui/casussen/{casus_id}")
async def casus(request: Request, casus_id: str, opgeslagen: str | None = None) -> Response:
    await whoami(request)
    async with api(request) as a:
        r = await a.get(f"/v1/casussen/{casus_id}")
        expect(r, 200)
        if erased := erased_page(request, "Casus", r.json()):
            return erased
        adviezen = (await a.get("/v1/adviezen", casusId=casus_id)).json().get("adviezen", [])
    return page(request, "casus.html", casus=r.json(), adviezen=adviezen, fouten={},
                opgeslagen=opgeslagen)


@router.post("/ui/casussen/{casus_id}/afwegingen")
async def weigh(request: Request, casus_id: str) -> Response:
    await whoami(request)
    raw = await request.form()
    body: dict[str, Any] = {}
    for key, _ in STAP3_VRAGEN:
        text = str(raw.get(key, "")).strip()
        if text:
            body[key] = text
    plan = []
    for i in range(20):
        gebied = str(raw.get(f"plan{i}.leefgebied", "")).strip()
        if gebied:
            plan.append({"leefgebied": gebied,
                         "afspraken": str(raw.get(f"plan{i}.afspraken", "")).strip(),
                         "over_een_jaar": str(raw.get(f"plan{i}.over_een_jaar", "")).strip()})
    if plan:
        body["toekomstplan"] = plan
    async with api(request) as a:
        r = await a.put(f"/v1/casussen/{casus_id}/afwegingen", body)
        if r.status_code != 200:
            current = await a.get(f"/v1/casussen/{casus_id}")
            adviezen = (await a.get("/v1/adviezen", casusId=casus_id)).json().get("adviezen", [])
            algemeen = [f"{p.get('name')}: {p.get('reason')}"
                        for p in r.json().get("invalidParams", [])]
            shown = current.json()
            shown["afwegingen"] = body
            return page(request, "casus.html", 400, casus=shown, adviezen=adviezen,
                        fouten={"stap3": algemeen or [r.json().get("detail", "")]},
                        opgeslagen=None)
    return RedirectResponse(f"/ui/casussen/{casus_id}?opgeslagen=stap3#stap3", status_code=303)


@router.post("/ui/casussen/{casus_id}/advies")
async def make_advies(request: Request, casus_id: str) -> Response:
    await whoami(request)
    async with api(request) as a:
        r = await a.post("/v1/adviezen", {"casus_id": casus_id})
    expect(r, 201)
    return RedirectResponse(f"/ui/adviezen/{r.json()['id']}", status_code=303)


@router.get("/ui/adviezen")
async def adviezen(request: Request) -> Response:
    await whoami(request)
    async with api(request) as a:
        r = await a.get("/v1/adviezen", paginaGrootte=100)
    expect(r, 200)
    return page(request, "adviezen.html", adviezen=r.json()["adviezen"])


def changes(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    """What an answer changed: instrument statuses and facts still to ask, per effect."""
    out = []
    before = {(e["id"], i["id"]): (i["naam"], i["status"]) for e in old["advies"]["effecten"]
              for i in e["stap4"]["instrumenten"]}
    for e in new["advies"]["effecten"]:
        for i in e["stap4"]["instrumenten"]:
            was = before.get((e["id"], i["id"]))
            if was and was[1] != i["status"]:
                out.append(f"{e['id']}: {i['naam']}: {STATUS[was[1]]} → {STATUS[i['status']]}")
    asked_before = {q["feit"] for q in old["advies"]["nog_uitvragen"]}
    asked_now = {q["feit"] for q in new["advies"]["nog_uitvragen"]}
    for fact in sorted(asked_before - asked_now):
        out.append(f"niet meer uit te vragen: {fact}")
    return out


@router.get("/ui/adviezen/{advies_id}")
async def advies(request: Request, advies_id: str, vorige: str | None = None) -> Response:
    rollen = await whoami(request)
    async with api(request) as a:
        r = await a.get(f"/v1/adviezen/{advies_id}")
        expect(r, 200)
        data = r.json()
        if erased := erased_page(request, f"Advies {data['volgnummer']}", data):
            return erased
        data["woorden"] = await law_words(a, advies_id)
        gewijzigd = None
        if vorige:
            old = await a.get(f"/v1/adviezen/{vorige}")
            if old.status_code == 200:
                gewijzigd = changes(old.json()["trace"], data["trace"])
        ranked = await a.get(f"/v1/adviezen/{advies_id}/vragen")
    return advies_page(request, data, gewijzigd=gewijzigd, herhaling=None,
                       schrijven="consulent" in rollen,
                       vragen=ranked.json()["vragen"] if ranked.status_code == 200 else None)


async def law_words(a: Api, advies_id: str) -> dict[str, Any]:
    """The law's words beside each reason (served from the vendored texts); none on error."""
    r = await a.get(f"/v1/adviezen/{advies_id}/wetteksten")
    found: dict[str, Any] = r.json() if r.status_code == 200 else {}
    return found


def advies_page(request: Request, data: dict[str, Any], *, gewijzigd: list[str] | None,
                herhaling: dict[str, Any] | None, schrijven: bool,
                vragen: list[dict[str, Any]] | None = None) -> HTMLResponse:
    """The advies page. `vragen`: "nog uitvragen" ranked by what an answer settles (`GET
    /v1/adviezen/{id}/vragen`); without it the page keeps the trace's order."""
    engine = request.app.state.engines.current
    return page(request, "advies.html", advies=data, trace=data["trace"],
                woorden=data.get("woorden", {}),
                a=data["trace"]["advies"], gewijzigd=gewijzigd, herhaling=herhaling,
                schrijven=schrijven, vragen=vragen,
                vraag_type=lambda adres: _fact_type(engine, adres, data["trace"].get("casus")))


def _fact_type(engine: Any, address: str, casus: dict[str, Any] | None = None) -> Any:
    """The fact's spec for its input. Which child an effect is about
    (`gewenste_effecten[id].kind`) is a choice from this casus' children."""
    adres = feitadres.parse(address)
    spec = engine.rules.catalogue.resolve(adres.catalogus_naam) if adres else None
    if spec is not None and adres is not None and adres.catalogus_naam == "effect.kind":
        kinderen = tuple(p.get("id") for p in (casus or {}).get("personen", [])
                         if p.get("rol") == "kind")
        spec = dataclasses.replace(spec, waarden=kinderen)
    return spec


@router.post("/ui/adviezen/{advies_id}/antwoorden")
async def answer(request: Request, advies_id: str) -> Response:
    await whoami(request)
    raw = await request.form()
    engine = request.app.state.engines.current
    antwoorden = []
    for key in raw:
        if not key.startswith("antwoord:"):
            continue
        address = key[len("antwoord:"):]
        values = raw.getlist(key)
        f = _fact_type(engine, address)
        if f is None:
            continue
        value = forms.parse_value(f, values if f.type == "keuzelijst" else values[-1])
        if value is None or isinstance(value, ValueError):
            continue
        antwoorden.append({"feit": address, "waarde": value})
    async with api(request) as a:
        current = await a.get(f"/v1/adviezen/{advies_id}")
        expect(current, 200)
        casus_id = current.json()["casus_id"]
        if not antwoorden or not casus_id:
            return RedirectResponse(f"/ui/adviezen/{advies_id}#nog-uitvragen", status_code=303)
        r = await a.post(f"/v1/casussen/{casus_id}/_beantwoord", {"antwoorden": antwoorden})
        expect(r, 200)
        new = await a.post("/v1/adviezen", {"casus_id": casus_id})
    expect(new, 201)
    return RedirectResponse(f"/ui/adviezen/{new.json()['id']}?vorige={advies_id}",
                            status_code=303)


@router.post("/ui/adviezen/{advies_id}/herhaal")
async def replay(request: Request, advies_id: str) -> Response:
    """The stored advies with its replay under the pinned pack versions (`_herhaal`)."""
    return await _advies_beside(request, advies_id, "_herhaal")


@router.post("/ui/adviezen/{advies_id}/vergelijk")
async def compare_today(request: Request, advies_id: str) -> Response:
    """The stored advies beside the same casus under today's packs, in terms of the law
    (`_vergelijk`): the page shows its `vergelijking` where a replay shows its differences."""
    return await _advies_beside(request, advies_id, "_vergelijk")


async def _advies_beside(request: Request, advies_id: str, action: str) -> Response:
    await whoami(request)
    async with api(request) as a:
        r = await a.get(f"/v1/adviezen/{advies_id}")
        expect(r, 200)
        beside = await a.post(f"/v1/adviezen/{advies_id}/{action}")
        expect(beside, 200)
        woorden = await law_words(a, advies_id)
    return advies_page(request, {**r.json(), "woorden": woorden}, gewijzigd=None,
                       herhaling=beside.json(), schrijven=False)


def regelboek(request: Request) -> Any:
    from service.regelboek import Regelboek

    found = getattr(request.app.state, "regelboek", None)
    if found is None:
        found = Regelboek(request.app.state.engines.current)
        request.app.state.regelboek = found
    return found


@router.get("/ui/regelboek")
async def regelboek_index(request: Request) -> Response:
    await whoami(request)
    return HTMLResponse(regelboek(request).render_index(base="/ui/regelboek/",
                                                       css="/ui/static/app.css"))


@router.get("/ui/regelboek/{naam}")
async def regelboek_pack(request: Request, naam: str) -> Response:
    await whoami(request)
    book = regelboek(request)
    if naam == "index.html":
        return HTMLResponse(book.render_index(base="/ui/regelboek/", css="/ui/static/app.css"))
    if naam.startswith("sha256:"):
        return await regelboek_version(request, book, naam.removesuffix(".html"))
    lp = book.pack(naam.removesuffix(".html"))
    if lp is None:
        raise ApiRefused(404, {"title": "Niet gevonden", "detail": f"Geen regelpakket '{naam}'."})
    return HTMLResponse(book.render_pack(lp, base="/ui/regelboek/", css="/ui/static/app.css"))


async def regelboek_version(request: Request, book: Any, digest: str) -> Response:
    """The regelboek of a pinned pack version (`/ui/regelboek/sha256:….html`), as an advies
    was made with it: the stored YAML comes from the API with the reader's own token and is
    rendered like the current pack, in a worker thread (parsing a pack costs CPU)."""
    from starlette.concurrency import run_in_threadpool

    from engine import PackError

    async with api(request) as a:
        r = await a.get(f"/v1/regelpakketten/{digest}")
    expect(r, 200)
    data = r.json()

    def render() -> str:
        lp = book.version(data["yaml"].encode("utf-8"), data["hash"])
        html: str = book.render_version(lp, data["opgeslagen"], data["geldt_nu"],
                                        base="/ui/regelboek/", css="/ui/static/app.css")
        return html

    try:
        return HTMLResponse(await run_in_threadpool(render))
    except PackError:
        raise ApiRefused(409, {
            "title": "Niet als regelboek te tonen",
            "detail": f"Versie {data['versie']} van '{data['id']}' past niet in de regeltaal "
                      f"van nu. De YAML zelf staat op /v1/regelpakketten/{digest}."}) from None


@router.get("/ui/adviezen/{advies_id}/rapport")
async def report(request: Request, advies_id: str) -> Response:
    """A printable report of one stored advies, to attach to a file (bezwaar en beroep)."""
    await whoami(request)
    async with api(request) as a:
        r = await a.get(f"/v1/adviezen/{advies_id}")
        expect(r, 200)
        data = r.json()
        if erased := erased_page(request, f"Rapport advies {data['volgnummer']}", data):
            return erased
        woorden = await law_words(a, advies_id)
        versies = []
        if data.get("casus_id"):
            v = await a.get(f"/v1/casussen/{data['casus_id']}/versies")
            if v.status_code == 200:
                versies = casus_history(v.json(), data.get("casus_versie"))
        k = await a.get(f"/v1/adviezen/{advies_id}/ondertekende-kop")
        kop = k.json() if k.status_code == 200 else None
    return page(request, "rapport.html", advies=data, trace=data["trace"], woorden=woorden,
                a=data["trace"]["advies"], casus_json=json.dumps(
                    data["trace"]["casus"], ensure_ascii=False, indent=2, sort_keys=True),
                versies=versies, kop=kop, server=str(request.base_url).rstrip("/"))


def _flat(value: Any, path: str = "") -> dict[str, Any]:
    """`personen[p1].leeftijd`-style addresses of every leaf, for a readable version diff."""
    out: dict[str, Any] = {}
    if isinstance(value, dict):
        for key, sub in value.items():
            out.update(_flat(sub, f"{path}.{key}" if path else str(key)))
    elif isinstance(value, list) and all(isinstance(x, dict) and "id" in x for x in value):
        for item in value:
            out.update(_flat({k: v for k, v in item.items() if k != "id"},
                             f"{path}[{item['id']}]"))
    else:
        out[path] = value
    return out


def casus_history(versions: list[dict[str, Any]], up_to: int | None) -> list[dict[str, Any]]:
    """The casus versions that led to this advies, each with the facts it set or changed (the
    answers given), who made it and when: the dossier shows how the casus grew."""
    out: list[dict[str, Any]] = []
    before: dict[str, Any] = {}
    for v in sorted(versions, key=lambda x: x["versie"]):
        if up_to is not None and v["versie"] > up_to:
            break
        now = _flat(v["casus"])
        changed = [(k, before.get(k), now[k]) for k in sorted(now)
                   if k not in before or before[k] != now[k]]
        gone = [(k, before[k], None) for k in sorted(before) if k not in now]
        out.append({**{k: v[k] for k in ("versie", "reden", "door", "aangemaakt")},
                    "wijzigingen": changed + gone})
        before = now
    return out


@router.get("/ui/adviezen/{advies_id}/rapport.pdf")
async def report_pdf(request: Request, advies_id: str) -> Response:
    """The same report as a PDF for the dossier, signed with the service's key when one is
    set (service/dossier.py); access is the report's, so the API's."""
    from service import dossier

    html = await report(request, advies_id)  # a refusal is raised and shown as its page
    async with api(request) as a:
        r = await a.get(f"/v1/adviezen/{advies_id}")
    expect(r, 200)
    data = r.json()
    made = await dossier.make_dossier_in_thread(
        bytes(html.body).decode("utf-8"), data["id"], data["trace_hash"],
        dossier.signer_for(request.app.state.settings))
    return Response(made.pdf, media_type="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="advies-{data["id"]}.pdf"',
        "X-Dossier-Ondertekend": "ja" if made.ondertekend else "nee"})


@router.get("/ui/adviezen/{advies_id}/bewijsstuk.json")
async def receipt_download(request: Request, advies_id: str) -> Response:
    """The advies exactly as the API returns it, as a file: what `ot herhaal` replays offline."""
    await whoami(request)
    async with api(request) as a:
        r = await a.get(f"/v1/adviezen/{advies_id}")
    expect(r, 200)
    return Response(r.content, media_type="application/json", headers={
        "Content-Disposition": f'attachment; filename="advies-{advies_id}.json"'})


@router.get("/ui/regelpakketten")
async def packs(request: Request) -> Response:
    await whoami(request)
    async with api(request) as a:
        r = await a.get("/v1/regelpakketten")
    expect(r, 200)
    return page(request, "regelpakketten.html", pakketten=r.json())
