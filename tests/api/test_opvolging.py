"""Opvolging (effectmeting, issue 15): per gewenst effect a follow-up date (OT_OPVOLGING_MAANDEN
after the first advies on it), on or after it one result per effect, corrections as new
versions, "wat loopt er", access, the processing log, archive and erasure; and migration 0008,
which backfills the indexed decision outcomes of a 0007 database. SQLite and PostgreSQL;
invented people only."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from alembic import command
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from service.app import create_app
from service.db import make_engines
from service.migrate import alembic_config, upgrade
from service.routes.opvolging import add_months, due_before
from service.store import verify_chain
from tests.api.conftest import (
    AUDITOR,
    BELEID,
    CONSULENT,
    CONSULENT_2,
    dispose,
    example,
    make_settings,
)

TOELICHTING = "Meneer Proefpersoon gaat weer zelf met de regiotaxi naar zijn dochter."
GROND = "verzoek van de inwoner, art. 17 AVG"


@pytest.fixture
def service(db_url: str) -> Iterator[tuple[FastAPI, TestClient]]:
    """Follow-ups due at once (OT_OPVOLGING_MAANDEN=0)."""
    app = create_app(make_settings(db_url, opvolging_maanden=0))
    with TestClient(app, raise_server_exceptions=False) as c:
        yield app, c
    dispose(app)


def casus_met_besluit(c: TestClient) -> tuple[str, str]:
    """scootmobiel (effect e1), advised, with a besluit granting collectief vervoer."""
    casus = c.post("/v1/casussen", json=example("scootmobiel"), headers=CONSULENT).json()
    advies = c.post("/v1/adviezen", json={"casus_id": casus["id"]}, headers=CONSULENT).json()
    r = c.post("/v1/besluiten", headers=CONSULENT, json={
        "advies_id": advies["id"], "motivering": "Eerst collectief vervoer.",
        "instrumenten": [{"effect": "e1", "instrument": "wmo.collectief_vervoer"}]})
    assert r.status_code == 201, r.text
    return casus["id"], advies["id"]


def opvolgingen(c: TestClient, cid: str, headers: dict[str, str] = CONSULENT
                ) -> dict[str, Any]:
    r = c.get(f"/v1/casussen/{cid}/opvolgingen", headers=headers)
    assert r.status_code == 200, r.text
    found: dict[str, Any] = r.json()
    return found


def test_record_prefilled_then_correct_as_a_new_version(
        service: tuple[FastAPI, TestClient], caplog: pytest.LogCaptureFixture) -> None:
    _, c = service
    cid, aid = casus_met_besluit(c)
    e1 = opvolgingen(c, cid)["effecten"][0]
    assert (e1["effect"], e1["status"], e1["advies_id"]) == ("e1", "verschuldigd", aid)
    assert e1["voorgestelde_instrumenten"] == ["wmo.collectief_vervoer"]
    assert "wmo.vervoersvoorziening" in e1["instrumenten"]
    assert e1["opvolgdatum"] == dt.datetime.now(dt.UTC).date().isoformat()
    due = c.get("/v1/opvolgingen?status=verschuldigd", headers=CONSULENT).json()
    assert [(o["casus_id"], o["effect"]) for o in due["opvolgingen"]] == [(cid, "e1")]

    caplog.set_level(logging.DEBUG)
    r = c.post(f"/v1/casussen/{cid}/opvolgingen", headers=CONSULENT,
               json={"effect": "e1", "uitkomst": "deels", "toelichting": TOELICHTING})
    assert r.status_code == 201, r.text
    first = r.json()
    assert first["gebruikte_instrumenten"] == ["wmo.collectief_vervoer"]  # from the besluit
    assert r.headers["location"] == f"/v1/casussen/{cid}/opvolgingen/{first['id']}"
    assert c.get("/v1/opvolgingen", headers=CONSULENT).json()["opvolgingen"] == []

    # a second result for the same effect must say what it corrects
    r = c.post(f"/v1/casussen/{cid}/opvolgingen", headers=CONSULENT,
               json={"effect": "e1", "uitkomst": "bereikt"})
    assert r.status_code == 409 and r.json()["invalidParams"][0]["name"] == "vervangt"
    r = c.post(f"/v1/casussen/{cid}/opvolgingen", headers=CONSULENT, json={
        "effect": "e1", "uitkomst": "bereikt", "vervangt": first["id"],
        "gebruikte_instrumenten": ["wmo.collectief_vervoer", "wmo.vervoersvoorziening"]})
    assert r.status_code == 201, r.text
    second = r.json()
    assert (second["versie"], second["vervangt"]) == (2, first["id"])
    # the old version cannot be corrected again (no fork)
    r = c.post(f"/v1/casussen/{cid}/opvolgingen", headers=CONSULENT,
               json={"effect": "e1", "uitkomst": "niet_bereikt", "vervangt": first["id"]})
    assert r.status_code == 409
    e1 = opvolgingen(c, cid)["effecten"][0]
    assert e1["status"] == "vastgelegd" and e1["opvolging"]["id"] == second["id"]
    assert [v["id"] for v in e1["versies"]] == [first["id"], second["id"]]  # nothing lost
    assert e1["versies"][0]["vervangen_door"] == second["id"]
    assert e1["versies"][0]["toelichting"] == TOELICHTING

    log = c.get(f"/v1/logboek?casusId={cid}&naam=opvolging_vastleggen",
                headers=AUDITOR).json()
    assert log["pagina"]["totaal"] == 2
    assert TOELICHTING not in str(log)
    assert TOELICHTING not in caplog.text  # never in the service's own log lines


def test_bad_input_names_the_field_and_stores_nothing(service: tuple[FastAPI, TestClient]
                                                      ) -> None:
    _, c = service
    cid, _ = casus_met_besluit(c)

    def refused(body: dict[str, Any]) -> list[str]:
        r = c.post(f"/v1/casussen/{cid}/opvolgingen", headers=CONSULENT, json=body)
        assert r.status_code == 400, r.text
        assert r.headers["content-type"] == "application/problem+json"
        return [p["name"] for p in r.json()["invalidParams"]]

    assert refused({"effect": "e9", "uitkomst": "bereikt"}) == ["effect"]
    assert refused({"effect": "e1", "uitkomst": "bereikt",
                    "gebruikte_instrumenten": ["jeugdwet.pleegzorg"]}) == [
        "gebruikte_instrumenten[0]"]
    assert refused({"effect": "e1", "uitkomst": "bereikt", "gebruikte_instrumenten": [
        "wmo.pgb", "wmo.pgb"]}) == ["gebruikte_instrumenten[1]"]
    assert "gebruikte_instrumenten[0]" in refused(
        {"effect": "e1", "uitkomst": "bereikt", "gebruikte_instrumenten": ["<script>"]})[0]
    assert "uitkomst" in refused({"effect": "e1", "uitkomst": "prima"})[0]
    assert "toelichting" in refused({"effect": "e1", "uitkomst": "bereikt",
                                     "toelichting": "x" * 2001})[0]
    assert refused({"effect": "e1", "uitkomst": "bereikt", "vervangt": "nope"}) == ["vervangt"]
    assert opvolgingen(c, cid)["effecten"][0]["versies"] == []


def test_not_before_the_follow_up_date(db_url: str) -> None:
    app = create_app(make_settings(db_url))  # the default: twelve months
    try:
        with TestClient(app) as c:
            cid, _ = casus_met_besluit(c)
            e1 = opvolgingen(c, cid)["effecten"][0]
            today = dt.datetime.now(dt.UTC).date()
            assert e1["status"] == "gepland"
            assert e1["opvolgdatum"] == add_months(today, 12).isoformat()
            r = c.post(f"/v1/casussen/{cid}/opvolgingen", headers=CONSULENT,
                       json={"effect": "e1", "uitkomst": "bereikt"})
            assert r.status_code == 409 and add_months(today, 12).isoformat() in r.text
            assert c.get("/v1/opvolgingen", headers=CONSULENT).json()["opvolgingen"] == []
            planned = c.get("/v1/opvolgingen?status=gepland", headers=CONSULENT).json()
            assert [o["casus_id"] for o in planned["opvolgingen"]] == [cid]
    finally:
        dispose(app)


def test_due_date_bound_is_the_inverse_of_adding_months() -> None:
    """`due_before` (the SQL bound of the due list) agrees with `add_months` (the date shown)
    on every day of four years, month ends and 29 February included."""
    start = dt.date(2027, 1, 1)
    firsts = [dt.date(2025, 11, 1) + dt.timedelta(days=n) for n in range(500)]
    for months in (0, 1, 12):
        for n in range(0, 4 * 366, 3):
            on = start + dt.timedelta(days=n)
            bound = due_before(on, months)
            for first in firsts[::7]:
                assert (add_months(first, months) <= on) == (first.isoformat() < bound), \
                    (first, on, months)


def test_access_through_toegang(service: tuple[FastAPI, TestClient]) -> None:
    _, c = service
    cid, _ = casus_met_besluit(c)
    body = {"effect": "e1", "uitkomst": "bereikt"}
    assert c.get(f"/v1/casussen/{cid}/opvolgingen", headers=CONSULENT_2).status_code == 404
    assert c.post(f"/v1/casussen/{cid}/opvolgingen", headers=CONSULENT_2,
                  json=body).status_code == 404
    assert c.get("/v1/opvolgingen", headers=CONSULENT_2).json()["opvolgingen"] == []
    assert c.get(f"/v1/casussen/{cid}/opvolgingen", headers=BELEID).status_code == 403
    assert c.get("/v1/opvolgingen", headers=BELEID).status_code == 403
    assert opvolgingen(c, cid, AUDITOR)["effecten"][0]["status"] == "verschuldigd"
    assert [o["casus_id"] for o in c.get("/v1/opvolgingen", headers=AUDITOR).json()[
        "opvolgingen"]] == [cid]
    assert c.post(f"/v1/casussen/{cid}/opvolgingen", headers=AUDITOR,
                  json=body).status_code == 403  # the auditor reads, never writes


def test_archived_refuses_erased_blanks_the_note(service: tuple[FastAPI, TestClient]) -> None:
    app, c = service
    cid, _ = casus_met_besluit(c)
    body = {"effect": "e1", "uitkomst": "bereikt", "toelichting": TOELICHTING}
    assert c.post(f"/v1/casussen/{cid}/_archiveer", headers=CONSULENT).status_code == 200
    assert c.post(f"/v1/casussen/{cid}/opvolgingen", headers=CONSULENT,
                  json=body).status_code == 409
    assert c.get("/v1/opvolgingen", headers=CONSULENT).json()["opvolgingen"] == []
    assert c.post(f"/v1/casussen/{cid}/_dearchiveer", headers=CONSULENT).status_code == 200
    r = c.post(f"/v1/casussen/{cid}/opvolgingen", headers=CONSULENT, json=body)
    assert r.status_code == 201, r.text
    oid = r.json()["id"]
    assert c.post(f"/v1/casussen/{cid}/_wis", json={"grond": GROND},
                  headers=CONSULENT).status_code == 200
    shown = opvolgingen(c, cid)
    assert shown["gewist"]["grond"] == GROND
    kept = shown["effecten"][0]["versies"][0]
    assert (kept["id"], kept["uitkomst"], kept["toelichting"]) == (oid, "bereikt", "")
    assert kept["gebruikte_instrumenten"] == ["wmo.collectief_vervoer"]
    with app.state.read_sessions() as s:
        for table in ("advies_effecten", "advies_instrumenten", "advies_kenmerken",
                      "besluit_instrumenten", "opvolging_instrumenten"):
            left = s.execute(sa.text(f"SELECT COUNT(*) FROM {table} WHERE dossier = :c"),
                             {"c": cid}).scalar()
            assert left == 0, table
        notes = s.execute(sa.text("SELECT toelichting FROM opvolgingen")).scalars().all()
        assert notes == [""]
    assert c.post(f"/v1/casussen/{cid}/opvolgingen", headers=CONSULENT,
                  json={**body, "vervangt": oid}).status_code == 409
    chain = c.post("/v1/adviezen/_verifieer-keten", headers=AUDITOR).json()
    assert chain["geldig"] is True, chain


# ── migration 0008 ─────────────────────────────────────────────────────────────────────────

DERIVED = ("advies_effecten", "advies_instrumenten", "advies_kenmerken",
           "besluit_instrumenten")


def derived(engine: sa.Engine) -> dict[str, list[tuple[Any, ...]]]:
    with engine.connect() as conn:
        return {t: sorted(tuple(r) for r in conn.execute(sa.text(
            f"SELECT * FROM {t}")).all()) for t in DERIVED if t != "advies_kenmerken"} | {
            "advies_kenmerken": sorted(tuple(r) for r in conn.execute(sa.text(
                "SELECT advies_id, volgnummer, dossier, effect, soort, kenmerk, instrument, "
                "door FROM advies_kenmerken")).all())}


def test_migration_0008_backfills_a_0007_database(db_url: str,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """Adviezen (on a stored casus and on a casus sent along), a corrected besluit and an
    erased casus, stored by the service; the database is taken back to 0007 (the tables go)
    and upgraded again: the backfill derives exactly the rows the service wrote."""
    from service import store

    monkeypatch.setattr(store, "KETEN_VERSIE", 3)  # as the service before 0009 stored them
    app = create_app(make_settings(db_url, opvolging_maanden=0))
    try:
        with TestClient(app) as c:
            cid, aid = casus_met_besluit(c)
            besluit = c.get(f"/v1/besluiten?adviesId={aid}", headers=CONSULENT).json()[
                "besluiten"][0]
            r = c.post("/v1/besluiten", headers=CONSULENT, json={
                "advies_id": aid, "motivering": "Toch een vervoersvoorziening.",
                "vervangt": besluit["id"],
                "instrumenten": [{"effect": "e1", "instrument": "wmo.vervoersvoorziening"}]})
            assert r.status_code == 201, r.text
            assert c.post("/v1/adviezen", json={"casus": example("gezin-meervoudig")},
                          headers=CONSULENT).status_code == 201
            gone, _ = casus_met_besluit(c)
            assert c.post(f"/v1/casussen/{gone}/_wis", json={"grond": GROND},
                          headers=CONSULENT).status_code == 200
            assert c.post(f"/v1/casussen/{cid}/opvolgingen", headers=CONSULENT,
                          json={"effect": "e1", "uitkomst": "bereikt"}).status_code == 201
    finally:
        dispose(app)
    writer, reader = make_engines(db_url)
    try:
        before = derived(writer)
        assert len(before["advies_effecten"]) == 1 + 4  # scootmobiel e1, gezin e1-e4
        assert [r[2] for r in before["besluit_instrumenten"]] == ["wmo.vervoersvoorziening"]
        assert before["advies_kenmerken"]
        # a follow-up is a record of its own: going below 0008 would lose it
        with pytest.raises(RuntimeError, match="downgrade onder 0008 geweigerd: 1 opvolgingen"):
            command.downgrade(alembic_config(writer), "0007")
        with writer.begin() as conn:
            conn.execute(sa.text("DELETE FROM opvolging_instrumenten"))
            conn.execute(sa.text("DELETE FROM opvolgingen"))
        command.downgrade(alembic_config(writer), "0007")
        assert not sa.inspect(writer).has_table("advies_instrumenten")
        upgrade(writer)  # 0007 → 0008: the backfill
        assert derived(writer) == before
        with Session(reader) as s:
            assert verify_chain(s)[0] is True
    finally:
        writer.dispose()
        reader.dispose()
