"""Archiving a casus (issue 14, "Besluiten and the dossier"): `POST /v1/casussen/{id}/_archiveer`
makes it read-only and takes it out of the working list, `_dearchiveer` brings it back; both
are in the processing log; an archived casus can still be erased. Migration 0007 up and down.
SQLite and PostgreSQL; invented people only."""

from __future__ import annotations

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
from service.store import verify_chain
from tests.api.conftest import AUDITOR, CONSULENT, CONSULENT_2, dispose, example, make_settings

ACTOR = "api-sleutel|consulent-1"
GROND = "Verzoek van de inwoner om wissing (art. 17 AVG), dossier afgesloten."


@pytest.fixture
def service(db_url: str) -> Iterator[tuple[FastAPI, TestClient]]:
    app = create_app(make_settings(db_url))
    with TestClient(app, raise_server_exceptions=False) as c:
        yield app, c
    dispose(app)


def casus_with_advies(c: TestClient) -> tuple[dict[str, Any], dict[str, Any]]:
    casus = c.post("/v1/casussen", json=example("scootmobiel"), headers=CONSULENT).json()
    advies = c.post("/v1/adviezen", json={"casus_id": casus["id"]}, headers=CONSULENT)
    assert advies.status_code == 201, advies.text
    return casus, advies.json()


def listed(c: TestClient, query: str = "", headers: dict[str, str] = CONSULENT) -> list[str]:
    r = c.get(f"/v1/casussen{query}", headers=headers)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["pagina"]["totaal"] == len(body["casussen"])
    return [x["id"] for x in body["casussen"]]


def test_archive_hides_from_the_working_list_and_dearchive_brings_it_back(
        service: tuple[FastAPI, TestClient]) -> None:
    _, c = service
    casus, _ = casus_with_advies(c)
    other = c.post("/v1/casussen", json=example("gezin-meervoudig"), headers=CONSULENT).json()
    assert casus["gearchiveerd"] is None
    assert sorted(listed(c)) == sorted([casus["id"], other["id"]])

    r = c.post(f"/v1/casussen/{casus['id']}/_archiveer", headers=CONSULENT)
    assert r.status_code == 200, r.text
    marker = r.json()["gearchiveerd"]
    assert marker["door"] == ACTOR and marker["tijdstip"].endswith("Z")
    assert r.json()["versie"] == casus["versie"]  # a state, not a new version
    assert r.json()["casus"] == casus["casus"]  # still readable, unchanged
    assert listed(c) == [other["id"]]
    assert listed(c, "?gearchiveerd=true") == [casus["id"]]
    assert listed(c, "?gearchiveerd=false") == [other["id"]]
    assert listed(c, "?gearchiveerd=true", AUDITOR) == [casus["id"]]
    shown = c.get(f"/v1/casussen/{casus['id']}", headers=CONSULENT).json()
    assert shown["gearchiveerd"] == marker
    assert c.get("/v1/casussen?gearchiveerd=misschien", headers=CONSULENT).status_code == 400

    again = c.post(f"/v1/casussen/{casus['id']}/_archiveer", headers=CONSULENT)
    assert again.status_code == 409
    assert again.headers["content-type"] == "application/problem+json"

    back = c.post(f"/v1/casussen/{casus['id']}/_dearchiveer", headers=CONSULENT)
    assert back.status_code == 200, back.text
    assert back.json()["gearchiveerd"] is None
    assert sorted(listed(c)) == sorted([casus["id"], other["id"]])
    assert listed(c, "?gearchiveerd=true") == []
    assert c.post(f"/v1/casussen/{casus['id']}/_dearchiveer",
                  headers=CONSULENT).status_code == 409


def test_an_archived_casus_is_read_only(service: tuple[FastAPI, TestClient]) -> None:
    _, c = service
    casus, advies = casus_with_advies(c)
    cid = casus["id"]
    assert c.post(f"/v1/casussen/{cid}/_archiveer", headers=CONSULENT).status_code == 200
    writes = [
        c.put(f"/v1/casussen/{cid}", json=example("scootmobiel"), headers=CONSULENT),
        c.post(f"/v1/casussen/{cid}/_beantwoord", headers=CONSULENT, json={
            "antwoorden": [{"feit": "netwerk.sociaal_netwerk", "waarde": "geen"}]}),
        c.put(f"/v1/casussen/{cid}/afwegingen", json={"niets_doen": "Dan blijft zij thuis."},
              headers=CONSULENT),
        c.post("/v1/adviezen", json={"casus_id": cid}, headers=CONSULENT),
        c.post("/v1/besluiten", headers=CONSULENT, json={
            "advies_id": advies["id"], "motivering": "Collectief vervoer eerst.",
            "instrumenten": [{"effect": "e1", "instrument": "wmo.collectief_vervoer"}]}),
    ]
    for r in writes:
        assert r.status_code == 409, r.text
        assert r.headers["content-type"] == "application/problem+json"
        assert "gearchiveerd" in r.json()["detail"] and "_dearchiveer" in r.json()["detail"]
    after = c.get(f"/v1/casussen/{cid}", headers=CONSULENT).json()
    assert (after["versie"], after["casus"]) == (casus["versie"], casus["casus"])
    assert c.get(f"/v1/adviezen?casusId={cid}", headers=CONSULENT).json()["pagina"][
        "totaal"] == 1
    # reading still works, for the owner and the auditor
    assert c.get(f"/v1/casussen/{cid}/versies", headers=AUDITOR).status_code == 200
    assert c.get(f"/v1/adviezen/{advies['id']}", headers=CONSULENT).status_code == 200
    # dearchived, it can be changed again
    assert c.post(f"/v1/casussen/{cid}/_dearchiveer", headers=CONSULENT).status_code == 200
    assert c.post("/v1/adviezen", json={"casus_id": cid}, headers=CONSULENT).status_code == 201


def test_only_the_owner_archives(service: tuple[FastAPI, TestClient]) -> None:
    _, c = service
    casus, _ = casus_with_advies(c)
    for headers in (CONSULENT_2, AUDITOR):
        for action in ("_archiveer", "_dearchiveer"):
            r = c.post(f"/v1/casussen/{casus['id']}/{action}", headers=headers)
            assert r.status_code in (403, 404), (headers, action, r.text)
    assert c.get(f"/v1/casussen/{casus['id']}", headers=CONSULENT).json()["gearchiveerd"] is None
    assert c.post("/v1/casussen/bestaat-niet/_archiveer", headers=CONSULENT).status_code == 404


def test_the_processing_log_records_archive_and_dearchive(
        service: tuple[FastAPI, TestClient]) -> None:
    _, c = service
    casus, _ = casus_with_advies(c)
    cid = casus["id"]
    c.post(f"/v1/casussen/{cid}/_archiveer", headers=CONSULENT)
    c.post(f"/v1/casussen/{cid}/_archiveer", headers=CONSULENT)  # 409: nothing to log
    c.post(f"/v1/casussen/{cid}/_dearchiveer", headers=CONSULENT)
    for naam in ("casus_archiveren", "casus_dearchiveren"):
        log = c.get(f"/v1/logboek?naam={naam}", headers=AUDITOR).json()["verwerkingen"]
        assert [(v["naam"], v["door"]) for v in log] == [(naam, ACTOR)], naam
        assert log[0]["betrokkene"].startswith("psn:") and cid not in str(log)
    names = {v["naam"] for v in c.get(f"/v1/logboek?casusId={cid}&paginaGrootte=100",
                                      headers=AUDITOR).json()["verwerkingen"]}
    assert {"casus_archiveren", "casus_dearchiveren"} <= names


def test_an_archived_casus_can_be_erased_and_the_chain_verifies(
        service: tuple[FastAPI, TestClient]) -> None:
    _, c = service
    casus, advies = casus_with_advies(c)
    cid = casus["id"]
    assert c.post(f"/v1/casussen/{cid}/_archiveer", headers=CONSULENT).status_code == 200
    r = c.post(f"/v1/casussen/{cid}/_wis", json={"grond": GROND}, headers=CONSULENT)
    assert r.status_code == 200, r.text
    shown = c.get(f"/v1/casussen/{cid}", headers=CONSULENT).json()
    assert shown["gewist"]["grond"] == GROND and shown["gearchiveerd"] is not None
    assert listed(c, "?gearchiveerd=true") == [cid]
    chain = c.post("/v1/adviezen/_verifieer-keten", headers=AUDITOR).json()
    assert chain["geldig"] is True, chain
    assert c.post(f"/v1/adviezen/{advies['id']}/_herhaal", headers=AUDITOR).status_code == 410


def test_migration_0007_up_and_down(db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from service import store

    monkeypatch.setattr(store, "KETEN_VERSIE", 3)  # as the service before 0009 stored them
    app = create_app(make_settings(db_url))
    try:
        with TestClient(app) as c:
            casus, _ = casus_with_advies(c)
            assert c.post(f"/v1/casussen/{casus['id']}/_archiveer",
                          headers=CONSULENT).status_code == 200
    finally:
        dispose(app)
    writer, reader = make_engines(db_url)
    try:
        # an archived casus would silently return to the working list: refused
        with pytest.raises(RuntimeError, match="downgrade onder 0007 geweigerd: 1 casussen"):
            command.downgrade(alembic_config(writer), "0006")
        columns = {col["name"] for col in sa.inspect(writer).get_columns("casussen")}
        assert {"gearchiveerd", "gearchiveerd_door"} <= columns
        with writer.begin() as conn:
            conn.execute(sa.text("UPDATE casussen SET gearchiveerd = NULL, "
                                 "gearchiveerd_door = NULL"))
        command.downgrade(alembic_config(writer), "0006")
        columns = {col["name"] for col in sa.inspect(writer).get_columns("casussen")}
        assert "gearchiveerd" not in columns and "gearchiveerd_door" not in columns
        with Session(reader) as s:
            assert verify_chain(s)[0] is True
        with writer.connect() as conn:
            assert conn.execute(sa.text("SELECT COUNT(*) FROM casussen")).scalar() == 1
        upgrade(writer)
        columns = {col["name"] for col in sa.inspect(writer).get_columns("casussen")}
        assert {"gearchiveerd", "gearchiveerd_door"} <= columns
    finally:
        writer.dispose()
        reader.dispose()
