"""Besluiten that hold up in a bezwaar file (issue 16): every chosen instrument names its effect
and is checked against the advies' trace, a `past_niet` choice needs its own motivering, and a
correction is a new version pointing to the one it replaces, never an overwrite. SQLite and
PostgreSQL; invented people only."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select, update

from service.db import Advies, Besluit
from service.store import store_besluit
from tests.api.conftest import AUDITOR, CONSULENT, CONSULENT_2, example

# scootmobiel, effect e1: the advies says gebruikelijke_hulp past_niet (a single person has no
# housemates), clientondersteuning past, collectief_vervoer voorwaardelijk
PAST_NIET = "wmo.gebruikelijke_hulp"
PAST = "wmo.clientondersteuning"


@pytest.fixture
def advies(client: TestClient) -> dict[str, Any]:
    casus = client.post("/v1/casussen", json=example("scootmobiel"), headers=CONSULENT).json()
    r = client.post("/v1/adviezen", json={"casus_id": casus["id"]}, headers=CONSULENT)
    assert r.status_code == 201, r.text
    found: dict[str, Any] = r.json()
    status = {i["id"]: i["status"] for i in found["trace"]["advies"]["effecten"][0]["stap4"][
        "instrumenten"]}
    assert status[PAST_NIET] == "past_niet" and status["wmo.collectief_vervoer"] == \
        "voorwaardelijk" and status[PAST] == "past"
    return found


def besluit(advies_id: str, *instrumenten: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"advies_id": advies_id, "motivering": "Collectief vervoer eerst; proefrit.",
            "instrumenten": list(instrumenten) or [
                {"effect": "e1", "instrument": "wmo.collectief_vervoer"}], **extra}


def stored(app: FastAPI) -> int:
    with app.state.read_sessions() as s:
        return int(s.scalar(select(func.count()).select_from(Besluit)) or 0)


def refused(client: TestClient, app: FastAPI, body: dict[str, Any]) -> list[dict[str, str]]:
    before = stored(app)
    r = client.post("/v1/besluiten", json=body, headers=CONSULENT)
    assert r.status_code == 400, r.text
    assert r.headers["content-type"] == "application/problem+json"
    assert stored(app) == before  # nothing stored
    found: list[dict[str, str]] = r.json()["invalidParams"]
    return found


def test_each_instrument_names_its_effect_checked_against_the_trace(
        app: FastAPI, client: TestClient, advies: dict[str, Any]) -> None:
    aid = advies["id"]
    problems = refused(client, app, besluit(aid, {"effect": "e9",
                                                  "instrument": "wmo.collectief_vervoer"}))
    assert [p["name"] for p in problems] == ["instrumenten[0].effect"]
    assert "effect 'e9' staat niet in advies" in problems[0]["reason"]
    problems = refused(client, app, besluit(aid, {"effect": "e1",
                                                  "instrument": "jeugdwet.pleegzorg"}))
    assert [p["name"] for p in problems] == ["instrumenten[0].instrument"]
    assert problems[0]["reason"] == (f"'jeugdwet.pleegzorg' staat niet in advies {aid} bij "
                                     "effect 'e1'")
    # the effect is required: an instrument without it is refused, naming the field
    problems = refused(client, app, besluit(aid, {"instrument": "wmo.collectief_vervoer"}))
    assert "instrumenten[0].effect" in [p["name"] for p in problems]
    # the same choice twice
    twice = {"effect": "e1", "instrument": "wmo.collectief_vervoer"}
    problems = refused(client, app, besluit(aid, twice, twice))
    assert [p["name"] for p in problems] == ["instrumenten[1].instrument"]

    r = client.post("/v1/besluiten", json=besluit(aid), headers=CONSULENT)
    assert r.status_code == 201, r.text
    assert r.json()["instrumenten"] == [{"effect": "e1", "instrument": "wmo.collectief_vervoer",
                                         "uitkomst": "toegekend", "motivering": None}]


def test_choosing_what_the_advies_judged_past_niet_needs_its_own_motivering(
        app: FastAPI, client: TestClient, advies: dict[str, Any]) -> None:
    aid = advies["id"]
    for motivering in (None, "   "):
        choice: dict[str, Any] = {"effect": "e1", "instrument": PAST_NIET}
        if motivering is not None:
            choice["motivering"] = motivering
        problems = refused(client, app, besluit(aid, {"effect": "e1",
                                                      "instrument": "wmo.collectief_vervoer"},
                                                choice))
        assert [p["name"] for p in problems] == ["instrumenten[1].motivering"]
        assert problems[0]["reason"].startswith(f"het advies zegt dat '{PAST_NIET}' bij effect "
                                                "'e1' niet past")
    r = client.post("/v1/besluiten", headers=CONSULENT, json=besluit(aid, {
        "effect": "e1", "instrument": PAST_NIET,
        "motivering": "De dochter woont tijdelijk in; zij rijdt tot de voorziening er is."}))
    assert r.status_code == 201, r.text


def test_a_correction_is_a_new_version_never_an_overwrite(
        app: FastAPI, client: TestClient, advies: dict[str, Any]) -> None:
    aid = advies["id"]
    first = client.post("/v1/besluiten", json=besluit(aid, zaak_url="https://zaken.gemeente."
                                                      "example/zaken/7"),
                        headers=CONSULENT).json()
    assert (first["versie"], first["vervangt"], first["vervangen_door"]) == (1, None, None)
    assert first["door"] == "api-sleutel|consulent-1"

    # no PUT, PATCH or DELETE changes a stored besluit
    for method in ("PUT", "PATCH", "DELETE"):
        r = client.request(method, f"/v1/besluiten/{first['id']}", headers=CONSULENT,
                           json=besluit(aid, motivering="overschreven"))
        assert r.status_code == 405, method
        assert r.headers["content-type"] == "application/problem+json"
    assert client.get(f"/v1/besluiten/{first['id']}", headers=CONSULENT).json() == first

    corrected = client.post("/v1/besluiten", headers=CONSULENT, json=besluit(
        aid, {"effect": "e1", "instrument": "wmo.clientondersteuning"}, vervangt=first["id"],
        motivering="Correctie: eerst cliëntondersteuning.")).json()
    assert corrected["versie"] == 2 and corrected["vervangt"] == first["id"]
    assert corrected["volgnummer"] == first["volgnummer"] + 1
    old = client.get(f"/v1/besluiten/{first['id']}", headers=AUDITOR).json()
    assert old == {**first, "vervangen_door": corrected["id"]}  # kept as it was

    # a version that was already replaced is not replaced again (no fork): 409
    before = stored(app)
    r = client.post("/v1/besluiten", headers=CONSULENT, json=besluit(aid, vervangt=first["id"]))
    assert r.status_code == 409
    assert r.json()["detail"] == (f"Besluit {first['id']} is al vervangen door besluit "
                                  f"{corrected['id']}; corrigeer de nieuwste versie.")
    assert r.json()["invalidParams"][0]["name"] == "vervangt"
    assert stored(app) == before
    third = client.post("/v1/besluiten", headers=CONSULENT,
                        json=besluit(aid, vervangt=corrected["id"])).json()
    assert third["versie"] == 3

    # the advies shows every version, oldest first, with who and when
    shown = client.get(f"/v1/adviezen/{aid}", headers=AUDITOR).json()["besluiten"]
    assert [(b["id"], b["versie"], b["vervangen_door"]) for b in shown] == [
        (first["id"], 1, corrected["id"]), (corrected["id"], 2, third["id"]),
        (third["id"], 3, None)]
    assert all(b["door"] == "api-sleutel|consulent-1" and b["aangemaakt"] for b in shown)
    listed = client.get(f"/v1/besluiten?adviesId={aid}", headers=CONSULENT).json()
    assert listed["pagina"]["totaal"] == 3
    chain = client.post("/v1/adviezen/_verifieer-keten", headers=AUDITOR).json()
    assert chain["geldig"] is True
    assert chain["melding"].startswith("1 adviezen en 3 besluiten, keten intact")


def test_a_correction_belongs_to_the_same_casus_and_owner(
        app: FastAPI, client: TestClient, advies: dict[str, Any]) -> None:
    first = client.post("/v1/besluiten", json=besluit(advies["id"]), headers=CONSULENT).json()
    other = client.post("/v1/adviezen", json={"casus": example("scootmobiel")},
                        headers=CONSULENT).json()
    problems = refused(client, app, besluit(other["id"], vervangt=first["id"]))
    assert [p["name"] for p in problems] == ["vervangt"]
    # someone else's besluit is not found, as if it did not exist
    theirs = client.post("/v1/adviezen", json={"casus": example("scootmobiel")},
                         headers=CONSULENT_2).json()
    r = client.post("/v1/besluiten", headers=CONSULENT_2,
                    json=besluit(theirs["id"], vervangt=first["id"]))
    assert r.status_code == 404
    assert r.json()["detail"] == f"Geen besluit met id '{first['id']}'."
    missing = client.post("/v1/besluiten", headers=CONSULENT,
                          json=besluit(advies["id"], vervangt="bestaat-niet"))
    assert missing.status_code == 404


# ── issue 14: per instrument toegekend / afgewezen / niet aangevraagd ───────────────────────

def test_refusing_what_the_advies_judged_past_needs_its_own_motivering(
        app: FastAPI, client: TestClient, advies: dict[str, Any]) -> None:
    aid = advies["id"]
    refusal: dict[str, Any] = {"effect": "e1", "instrument": PAST, "uitkomst": "afgewezen"}
    for motivering in (None, "   "):
        choice = refusal if motivering is None else {**refusal, "motivering": motivering}
        problems = refused(client, app, besluit(aid, {"effect": "e1",
                                                      "instrument": "wmo.collectief_vervoer"},
                                                choice))
        assert [p["name"] for p in problems] == ["instrumenten[1].motivering"]
        assert problems[0]["reason"] == (f"het advies zegt dat '{PAST}' bij effect 'e1' past: "
                                         "motiveer waarom het toch is afgewezen")
    # refusing what the advies judged past_niet, or voorwaardelijk, departs from nothing
    r = client.post("/v1/besluiten", headers=CONSULENT, json=besluit(
        aid, {**refusal, "motivering": "De inwoner heeft al een cliëntondersteuner (invented)."},
        {"effect": "e1", "instrument": PAST_NIET, "uitkomst": "afgewezen"},
        {"effect": "e1", "instrument": "wmo.collectief_vervoer", "uitkomst": "afgewezen"}))
    assert r.status_code == 201, r.text
    made = r.json()
    assert made["instrumenten"] == [
        {"effect": "e1", "instrument": PAST, "uitkomst": "afgewezen",
         "motivering": "De inwoner heeft al een cliëntondersteuner (invented)."},
        {"effect": "e1", "instrument": PAST_NIET, "uitkomst": "afgewezen", "motivering": None},
        {"effect": "e1", "instrument": "wmo.collectief_vervoer", "uitkomst": "afgewezen",
         "motivering": None}]
    assert client.get(f"/v1/besluiten/{made['id']}", headers=AUDITOR).json() == made
    with app.state.read_sessions() as s:  # stored as sent, uitkomst included
        row = s.get(Besluit, made["id"])
        assert row is not None and [i["uitkomst"] for i in row.instrumenten] == ["afgewezen"] * 3


def test_niet_aangevraagd_needs_no_motivering_and_toegekend_is_the_default(
        app: FastAPI, client: TestClient, advies: dict[str, Any]) -> None:
    aid = advies["id"]
    r = client.post("/v1/besluiten", headers=CONSULENT, json=besluit(
        aid, *({"effect": "e1", "instrument": i, "uitkomst": "niet_aangevraagd"}
               for i in (PAST, PAST_NIET))))
    assert r.status_code == 201, r.text
    assert [i["uitkomst"] for i in r.json()["instrumenten"]] == ["niet_aangevraagd"] * 2
    # an uitkomst the contract does not know: 400 naming the field, nothing stored
    problems = refused(client, app, besluit(aid, {"effect": "e1", "instrument": PAST,
                                                  "uitkomst": "geweigerd"}))
    assert [p["name"] for p in problems] == ["instrumenten[0].uitkomst"]
    # without uitkomst an instrument is granted, so past_niet still needs its motivering
    problems = refused(client, app, besluit(aid, {"effect": "e1", "instrument": PAST_NIET}))
    assert [p["name"] for p in problems] == ["instrumenten[0].motivering"]
    r = client.post("/v1/besluiten", headers=CONSULENT, json=besluit(aid))
    assert r.json()["instrumenten"][0]["uitkomst"] == "toegekend"


def test_a_besluit_stored_before_uitkomst_reads_as_toegekend_and_still_verifies(
        app: FastAPI, client: TestClient, advies: dict[str, Any]) -> None:
    """A row as the service stored it before issue 14 (no `uitkomst` key), chained over that
    JSON: it reads as toegekend, and its link hash still holds."""
    old_shape = [{"effect": "e1", "instrument": "wmo.collectief_vervoer", "motivering": None}]
    with app.state.sessions() as s:
        row = s.get(Advies, advies["id"])
        assert row is not None
        old = store_besluit(s, advies=row, instrumenten=old_shape, motivering="Van vroeger.",
                            zaak_url=None, door="api-sleutel|consulent-1")
        old_id = old.id
        s.commit()
    with app.state.read_sessions() as s:
        stored_row = s.get(Besluit, old_id)
        assert stored_row is not None and stored_row.instrumenten == old_shape  # unchanged
    shown = client.get(f"/v1/besluiten/{old_id}", headers=CONSULENT).json()
    assert shown["instrumenten"] == [{**old_shape[0], "uitkomst": "toegekend"}]
    # a correction of it, in the new shape, chains on
    r = client.post("/v1/besluiten", headers=CONSULENT, json=besluit(
        advies["id"], {"effect": "e1", "instrument": PAST, "uitkomst": "afgewezen",
                       "motivering": "Niet nodig gebleken (invented)."}, vervangt=old_id))
    assert r.status_code == 201, r.text
    chain = client.post("/v1/adviezen/_verifieer-keten", headers=AUDITOR).json()
    assert chain["geldig"] is True, chain
    assert chain["melding"].startswith("1 adviezen en 2 besluiten, keten intact")
    # and the hash does cover the stored JSON as is: adding the key afterwards is caught
    with app.state.sessions() as s:
        s.execute(update(Besluit).where(Besluit.id == old_id).values(
            instrumenten=[{**old_shape[0], "uitkomst": "toegekend"}]))
        s.commit()
    assert client.post("/v1/adviezen/_verifieer-keten", headers=AUDITOR).json()["geldig"] \
        is False
