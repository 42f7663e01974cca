"""AVG erasure of a casus (issue 16, "processing log records erasures"): `POST
/v1/casussen/{id}/_wis` blanks the personal data of the casus, its versions, the traces of its
adviezen and the free text of its besluiten, in one transaction, as a link of the chain; every
hash stays and the chain still verifies. Someone with write access who blanks a trace without
a wissing, or edits a wissing, is caught. SQLite and PostgreSQL; invented people only."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from alembic import command
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from service.app import create_app
from service.db import Advies, Besluit, Casus, CasusVersie, Verwerking, Wissing, make_engines
from service.migrate import alembic_config, upgrade
from service.settings import ApiKey
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
from tests.api.test_tamper import signed

ACTOR = "api-sleutel|consulent-1"
NAAM = "Truus-Testpersoon"
GROND = "Verzoek van de inwoner om wissing (art. 17 AVG), dossier afgesloten."
UNSIGNED = "; niet ondertekend"


@pytest.fixture
def service(db_url: str) -> Iterator[tuple[FastAPI, TestClient]]:
    app = create_app(make_settings(db_url))
    with TestClient(app, raise_server_exceptions=False) as c:
        yield app, c
    dispose(app)


def verify(c: TestClient, anker: dict[str, Any] | None = None) -> dict[str, Any]:
    r = c.post("/v1/adviezen/_verifieer-keten", headers=AUDITOR,
               **({"json": anker} if anker is not None else {}))
    assert r.status_code == 200, r.text
    found: dict[str, Any] = r.json()
    return found


def casus_with_records(c: TestClient) -> dict[str, Any]:
    """A casus naming an invented person, answered once (version 2), an advies on it
    (volgnummer 1), a besluit with free text naming her (2), and an advies on a casus sent with
    the request (3), which the erasure must not touch."""
    data = example("scootmobiel")
    data["gewenste_effecten"][0]["omschrijving"] = f"Samen met {NAAM} naar de markt"
    casus = c.post("/v1/casussen", json=data, headers=CONSULENT).json()
    answered = c.post(f"/v1/casussen/{casus['id']}/_beantwoord", headers=CONSULENT,
                      json={"antwoorden": [{"feit": "netwerk.sociaal_netwerk", "waarde": "geen"}]})
    assert answered.status_code == 200, answered.text
    advies = c.post("/v1/adviezen", json={"casus_id": casus["id"]}, headers=CONSULENT).json()
    besluit = c.post("/v1/besluiten", headers=CONSULENT, json={
        "advies_id": advies["id"], "motivering": f"{NAAM} probeert eerst collectief vervoer.",
        "instrumenten": [{"effect": "e1", "instrument": "wmo.collectief_vervoer",
                          "motivering": f"Op verzoek van {NAAM}."}]})
    assert besluit.status_code == 201, besluit.text
    other = c.post("/v1/adviezen", json={"casus": example("gezin-meervoudig")},
                   headers=CONSULENT)
    assert other.status_code == 201, other.text
    return {"casus": casus, "advies": advies, "besluit": besluit.json(), "other": other.json()}


def erase(c: TestClient, casus_id: str, grond: str = GROND,
          headers: dict[str, str] = CONSULENT) -> Any:
    return c.post(f"/v1/casussen/{casus_id}/_wis", json={"grond": grond}, headers=headers)


def hashes(s: Session) -> dict[str, Any]:
    """Every hash and every field that stays, per row: the erasure must leave them all."""
    return {
        "adviezen": s.execute(select(Advies.id, Advies.volgnummer, Advies.trace_hash,
                                     Advies.casus_hash, Advies.vorige_hash, Advies.keten_hash,
                                     Advies.door, Advies.aangemaakt, Advies.peildatum,
                                     Advies.pakketten).order_by(Advies.volgnummer)).all(),
        "besluiten": s.execute(select(Besluit.id, Besluit.volgnummer, Besluit.vorige_hash,
                                      Besluit.keten_hash, Besluit.door, Besluit.aangemaakt,
                                      Besluit.advies_id).order_by(Besluit.volgnummer)).all(),
        "versies": s.execute(select(CasusVersie.casus_id, CasusVersie.versie,
                                    CasusVersie.door, CasusVersie.reden,
                                    CasusVersie.aangemaakt)).all(),
    }


def dump(s: Session) -> str:
    """Every stored row of the tables that hold casus data, as text."""
    rows = []
    for model in (Casus, CasusVersie, Advies, Besluit, Verwerking, Wissing):
        rows += [repr([getattr(r, col.key) for col in model.__table__.columns])
                 for r in s.scalars(select(model)).all()]
    return "\n".join(rows)


def test_erasure_blanks_the_content_keeps_every_hash_and_the_chain_verifies(
        service: tuple[FastAPI, TestClient]) -> None:
    app, c = service
    made = casus_with_records(c)
    cid, aid, bid = made["casus"]["id"], made["advies"]["id"], made["besluit"]["id"]
    with app.state.read_sessions() as s:
        before = hashes(s)
        assert NAAM in dump(s)

    r = erase(c, cid)
    assert r.status_code == 200, r.text
    wissing = r.json()
    assert (wissing["casus_id"], wissing["door"], wissing["grond"]) == (cid, ACTOR, GROND)
    assert wissing["volgnummer"] == 4
    assert [a["id"] for a in wissing["adviezen"]] == [aid]
    assert wissing["adviezen"][0]["trace_hash"] == made["advies"]["trace_hash"]
    assert wissing["adviezen"][0]["kern_hash"] == made["advies"]["kern_hash"]
    assert [v["versie"] for v in wissing["casus_versies"]] == [1, 2]
    assert [b["id"] for b in wissing["besluiten"]] == [bid]
    assert wissing["besluiten"][0]["keten_hash"] == made["besluit"]["keten_hash"]
    assert wissing["vorige_hash"] == made["other"]["keten_hash"]

    # the rows, read directly: content gone, every hash, id, actor and time unchanged
    with app.state.read_sessions() as s:
        assert hashes(s) == before
        casus = s.get(Casus, cid)
        assert casus is not None and (casus.data, casus.afwegingen) == ({}, None)
        assert casus.versie == 2 and casus.eigenaar == ACTOR
        assert [(v.data, v.afwegingen) for v in s.scalars(
            select(CasusVersie).where(CasusVersie.casus_id == cid))] == [({}, None)] * 2
        # formula 4: the advies stores its kern (the trace is rendered on demand), erased too
        assert s.scalar(select(Advies.kern).where(Advies.id == aid)) == b""
        assert s.scalar(select(Advies.kern).where(Advies.id == made["other"]["id"]))
        besluit = s.get(Besluit, bid)
        assert besluit is not None and besluit.motivering == ""
        assert besluit.instrumenten == [{"effect": "e1", "instrument": "wmo.collectief_vervoer",
                                         "motivering": None, "uitkomst": "toegekend"}]
        everything = dump(s)
        assert NAAM not in everything
        logged = s.scalars(select(Verwerking).where(Verwerking.naam == "casus_wissen")).all()
        assert GROND not in repr([[getattr(v, col.key) for col in Verwerking.__table__.columns]
                                  for v in s.scalars(select(Verwerking))])

    # the chain: one more link, intact, and it says how many adviezen were erased
    result = verify(c)
    assert result["geldig"] is True, result
    assert result["aantal"] == 4
    assert result["melding"] == ("2 adviezen, 1 besluit en 1 wissing, keten intact; "
                                 "1 adviezen gewist (AVG-wissing, geen fout)" + UNSIGNED)
    assert any(m.startswith("1 adviezen gewist") for m in result["meldingen"])

    # the processing log records the erasure (who, which casus as pseudonym), not the grond
    assert len(logged) == 1 and logged[0].door == ACTOR
    assert logged[0].betrokkene and logged[0].betrokkene.startswith("psn:")
    log = c.get("/v1/logboek?naam=casus_wissen", headers=AUDITOR).json()
    assert [(v["naam"], v["door"]) for v in log["verwerkingen"]] == [("casus_wissen", ACTOR)]
    assert c.get(f"/v1/logboek?casusId={cid}", headers=AUDITOR).json()["pagina"]["totaal"] >= 5

    # reading still answers, with the marker and no content
    marker = {"id": wissing["id"], "tijdstip": wissing["tijdstip"], "door": ACTOR,
              "grond": GROND}
    shown = c.get(f"/v1/casussen/{cid}", headers=CONSULENT).json()
    assert (shown["casus"], shown["afwegingen"], shown["gewist"]) == ({}, None, marker)
    assert [v["gewist"] for v in c.get(f"/v1/casussen/{cid}/versies",
                                       headers=AUDITOR).json()] == [marker, marker]
    advies = c.get(f"/v1/adviezen/{aid}", headers=AUDITOR)
    assert advies.status_code == 200, advies.text
    body = advies.json()
    assert body["trace"] is None and body["gewist"] == marker
    assert body["trace_hash"] == made["advies"]["trace_hash"]
    assert body["besluiten"][0]["motivering"] == "" and body["besluiten"][0]["gewist"] == marker
    assert c.get(f"/v1/besluiten/{bid}", headers=CONSULENT).json()["gewist"] == marker
    listed = {a["id"]: a["gewist"] for a in c.get("/v1/adviezen", headers=AUDITOR).json()[
        "adviezen"]}
    assert listed == {aid: marker, made["other"]["id"]: None}
    assert c.get(f"/v1/adviezen/{made['other']['id']}",
                 headers=AUDITOR).json()["gewist"] is None

    # replay is impossible by design: 410 Gone, saying when
    for path in (f"/v1/adviezen/{aid}/_herhaal", f"/v1/adviezen/{aid}/_vergelijk"):
        gone = c.post(path, headers=AUDITOR)
        assert gone.status_code == 410, gone.text
        assert gone.headers["content-type"] == "application/problem+json"
        assert gone.json()["status"] == 410
        assert f"gewist op {wissing['tijdstip'][:10]}" in gone.json()["detail"]
    assert c.get(f"/v1/adviezen/{aid}/wetteksten", headers=AUDITOR).status_code == 410
    # the advies on the other casus is untouched and still replays
    assert c.post(f"/v1/adviezen/{made['other']['id']}/_herhaal",
                  headers=AUDITOR).json()["identiek"] is True
    doc = c.get("/v1/openapi.json").json()
    assert "410" in doc["paths"]["/v1/adviezen/{advies_id}/_herhaal"]["post"]["responses"]
    assert "gewist" in doc["components"]["schemas"]["CasusUit"]["properties"]


def test_nothing_is_added_to_an_erased_casus(service: tuple[FastAPI, TestClient]) -> None:
    app, c = service
    made = casus_with_records(c)
    cid, aid, bid = made["casus"]["id"], made["advies"]["id"], made["besluit"]["id"]
    assert erase(c, cid).status_code == 200
    with app.state.read_sessions() as s:
        before = dump(s)

    twice = erase(c, cid)
    assert twice.status_code == 409, twice.text
    assert twice.headers["content-type"] == "application/problem+json"
    assert "al gewist" in twice.json()["detail"]
    writes = [
        c.post(f"/v1/casussen/{cid}/_beantwoord", headers=CONSULENT,
               json={"antwoorden": [{"feit": "netwerk.sociaal_netwerk", "waarde": "sterk"}]}),
        c.put(f"/v1/casussen/{cid}", json=example("scootmobiel"), headers=CONSULENT),
        c.put(f"/v1/casussen/{cid}/afwegingen", json={}, headers=CONSULENT),
        c.post("/v1/adviezen", json={"casus_id": cid}, headers=CONSULENT),
        c.post("/v1/besluiten", headers=CONSULENT, json={
            "advies_id": aid, "motivering": "Nieuw besluit.",
            "instrumenten": [{"effect": "e1", "instrument": "wmo.collectief_vervoer"}]}),
        c.post("/v1/besluiten", headers=CONSULENT, json={
            "advies_id": aid, "motivering": "Correctie.", "vervangt": bid,
            "instrumenten": [{"effect": "e1", "instrument": "wmo.collectief_vervoer"}]}),
    ]
    for r in writes:
        assert r.status_code == 409, (r.request.url, r.text)
        assert r.headers["content-type"] == "application/problem+json"
        assert "is gewist op" in r.json()["detail"]
    with app.state.read_sessions() as s:
        after = dump(s)
    # nothing stored changed (the processing log did not grow either: nothing was processed)
    assert after == before
    assert verify(c)["geldig"] is True


def test_only_the_owner_erases(service: tuple[FastAPI, TestClient]) -> None:
    app, c = service
    made = casus_with_records(c)
    cid = made["casus"]["id"]
    missing = erase(c, "00000000-0000-0000-0000-000000000000")
    other = erase(c, cid, headers=CONSULENT_2)
    assert (missing.status_code, other.status_code) == (404, 404)
    assert other.json()["detail"] == f"Geen casus met id '{cid}'."
    for headers in (AUDITOR, BELEID):  # an auditor never writes
        assert erase(c, cid, headers=headers).status_code == 403
    for grond, reason in (("kort", "grond"), (" " * 20, "grond"), ("x" * 501, "grond"),
                          ("Verzoek\x00 van de inwoner", "grond")):
        bad = erase(c, cid, grond=grond)
        assert bad.status_code == 400, bad.text
        assert [p["name"] for p in bad.json()["invalidParams"]] == [reason]
    no_body = c.post(f"/v1/casussen/{cid}/_wis", json={}, headers=CONSULENT)
    assert no_body.status_code == 400
    assert [p["name"] for p in no_body.json()["invalidParams"]] == ["grond"]
    with app.state.read_sessions() as s:
        assert s.scalar(select(sa.func.count()).select_from(Wissing)) == 0
        assert NAAM in dump(s)
    assert verify(c)["melding"] == "2 adviezen en 1 besluit, keten intact" + UNSIGNED


def test_a_signed_head_on_the_wissing_verifies(db_url: str) -> None:
    app = signed(db_url)
    try:
        with TestClient(app, raise_server_exceptions=False) as c:
            made = casus_with_records(c)
            assert erase(c, made["casus"]["id"]).status_code == 200
            anker = c.post("/v1/adviezen/_anker", headers=AUDITOR).json()
            assert anker["volgnummer"] == 4  # the wissing's own link
            result = verify(c, anker)
            assert result["geldig"] is True and result["extern_anker"] is True, result
            assert result["laatste_anker"] == 4 and result["niet_ondertekend"] == 0
            # the wissing re-chained by someone who rewrote its grond: the signed head says so
            with app.state.sessions() as s:
                row = s.scalars(select(Wissing)).one()
                row.grond = "Iets anders dan wat de consulent schreef."
                s.commit()
            broken = verify(c, anker)
            assert broken["geldig"] is False
            assert broken["melding"] == f"volgnummer 4: wissing {row.id}: keten_hash klopt niet"
    finally:
        dispose(app)


# ── tampering ──────────────────────────────────────────────────────────────────────────────

def test_a_trace_blanked_without_a_wissing_is_tampering(
        service: tuple[FastAPI, TestClient]) -> None:
    app, c = service
    made = casus_with_records(c)
    aid, bid, other = made["advies"]["id"], made["besluit"]["id"], made["other"]["id"]
    attacks: list[tuple[Any, str]] = [
        (update(Advies).where(Advies.id == aid).values(kern=b""),
         f"volgnummer 1: kern klopt niet met kern_hash (advies {aid}: inhoud leeg zonder "
         "wissing in de keten)"),
        # an advies on a casus sent with the request has no casus to be erased with
        (update(Advies).where(Advies.id == other).values(kern=b""),
         "volgnummer 3: kern klopt niet met kern_hash"),
        (update(Besluit).where(Besluit.id == bid).values(motivering=""),
         f"volgnummer 2: besluit {bid}: keten_hash klopt niet (besluit {bid}: inhoud leeg "
         "zonder wissing in de keten)"),
    ]
    for attack, melding in attacks:
        with app.state.sessions() as s:
            saved = dump_rows(s)
            s.execute(attack)
            s.commit()
        assert verify(c)["melding"] == melding
        with app.state.sessions() as s:
            restore(s, saved)
        assert verify(c)["geldig"] is True


def test_blanking_the_trace_of_another_casus_is_not_covered_by_a_wissing(
        service: tuple[FastAPI, TestClient]) -> None:
    app, c = service
    first = casus_with_records(c)
    second = casus_with_records(c)
    assert erase(c, first["casus"]["id"]).status_code == 200
    with app.state.sessions() as s:  # an advies of a casus that was not erased
        s.execute(update(Advies).where(Advies.id == second["advies"]["id"]).values(kern=b""))
        s.commit()
    result = verify(c)
    assert result["geldig"] is False and result["eerste_fout"] == 4
    assert "inhoud leeg zonder wissing in de keten" in result["melding"]
    # the same advies pointed at the wissing of the first casus: not named there
    with app.state.sessions() as s:
        s.execute(update(Advies).where(Advies.id == second["advies"]["id"])
                  .values(casus_id=first["casus"]["id"]))
        s.commit()
    assert verify(c)["eerste_fout"] == 4


def test_an_edited_wissing_record_is_caught(service: tuple[FastAPI, TestClient]) -> None:
    app, c = service
    made = casus_with_records(c)
    wissing = erase(c, made["casus"]["id"]).json()
    edits: list[dict[str, Any]] = [
        {"grond": "Een andere grond, achteraf."},
        {"door": "api-sleutel|iemand-anders"},
        {"adviezen": []},
        {"besluiten": []},
        {"casus_versies": [{"versie": 1, "hash": "sha256:" + "0" * 64}]},
    ]
    for edit in edits:
        with app.state.sessions() as s:
            original = {k: getattr(s.get(Wissing, wissing["id"]), k) for k in edit}
            s.execute(update(Wissing).where(Wissing.id == wissing["id"]).values(**edit))
            s.commit()
        result = verify(c)
        assert result["geldig"] is False, edit
        assert result["melding"].startswith("volgnummer "), result["melding"]
        with app.state.sessions() as s:
            s.execute(update(Wissing).where(Wissing.id == wissing["id"]).values(**original))
            s.commit()
        assert verify(c)["geldig"] is True
    with app.state.sessions() as s:
        s.execute(update(Wissing).values(grond="Een andere grond, achteraf."))
        s.commit()
    assert verify(c)["melding"] == (f"volgnummer 4: wissing {wissing['id']}: keten_hash klopt "
                                    "niet")


def test_changes_to_what_an_erasure_left_are_caught(
        service: tuple[FastAPI, TestClient]) -> None:
    app, c = service
    made = casus_with_records(c)
    cid, aid, bid = made["casus"]["id"], made["advies"]["id"], made["besluit"]["id"]
    wid = erase(c, cid).json()["id"]
    attacks: list[tuple[Any, str]] = [
        (update(Advies).where(Advies.id == aid).values(peildatum="2027-01-01"),
         f"volgnummer 1: peildatum, engine_versie of pakketten klopt niet met wissing {wid}"),
        (update(Advies).where(Advies.id == aid).values(trace_hash="sha256:" + "1" * 64),
         f"volgnummer 1: trace_hash klopt niet met wissing {wid}"),
        (update(Besluit).where(Besluit.id == bid).values(door="api-sleutel|iemand-anders"),
         f"volgnummer 2: besluit {bid}: klopt niet met wat wissing {wid} liet staan"),
        (update(Besluit).where(Besluit.id == bid).values(instrumenten=[
            {"effect": "e1", "instrument": "wmo.scootmobiel", "motivering": None}]),
         f"volgnummer 2: besluit {bid}: klopt niet met wat wissing {wid} liet staan"),
        # personal data put back into an erased record
        (update(CasusVersie).where(CasusVersie.casus_id == cid, CasusVersie.versie == 1)
         .values(data={"naam": NAAM}),
         f"volgnummer 4: wissing {wid}: casus {cid} is niet (helemaal) gewist"),
        (update(Besluit).where(Besluit.id == bid).values(motivering=f"Toch {NAAM}."),
         f"volgnummer 2: besluit {bid}: keten_hash klopt niet"),
    ]
    for attack, melding in attacks:
        with app.state.sessions() as s:
            saved = dump_rows(s)
            s.execute(attack)
            s.commit()
        assert verify(c)["melding"] == melding
        with app.state.sessions() as s:
            restore(s, saved)
        assert verify(c)["geldig"] is True


def test_erasing_a_tampered_casus_does_not_hide_it(service: tuple[FastAPI, TestClient]) -> None:
    """The wissing names the hash of what it found, not the hash column: tampering before the
    erasure stays visible after it."""
    app, c = service
    made = casus_with_records(c)
    cid = made["casus"]["id"]
    with app.state.sessions() as s:
        version = s.get(CasusVersie, (cid, 2))
        assert version is not None
        version.data = {**version.data, "peildatum": "2026-12-31"}
        s.commit()
    before = verify(c)["melding"]
    assert before == (f"volgnummer 1: casus {cid} versie 2 in casus_versies klopt niet met "
                      "casus_hash")
    assert erase(c, cid).status_code == 200
    after = verify(c)
    assert after["geldig"] is False and after["eerste_fout"] == 1
    assert "noemt deze versie niet met casus_hash" in after["melding"]


# ── migration 0006 ─────────────────────────────────────────────────────────────────────────

def test_migration_0006_up_and_down(db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from service import store

    monkeypatch.setattr(store, "KETEN_VERSIE", 3)  # as the service before 0009 stored them
    app = create_app(make_settings(db_url))
    try:
        with TestClient(app) as c:
            made = casus_with_records(c)
    finally:
        dispose(app)
    writer, reader = make_engines(db_url)
    try:
        # down to 0005 (no erasure stored): the table goes, everything else stays and verifies
        command.downgrade(alembic_config(writer), "0005")
        assert not sa.inspect(writer).has_table("wissingen")
        with Session(reader) as s:
            assert verify_chain(s) == (True, 3, None, "2 adviezen en 1 besluit, keten intact")
        upgrade(writer)
        names = {ix["name"]: ix["unique"] for ix in sa.inspect(writer).get_indexes("wissingen")}
        # since 0010 a volgnummer is unique per chain (docs/keten.md)
        assert names == {"ix_wissingen_casus_id": True, "ix_wissingen_keten_volgnummer": True}
    finally:
        writer.dispose()
        reader.dispose()
    app = create_app(make_settings(db_url))
    try:
        with TestClient(app) as c:
            assert erase(c, made["casus"]["id"]).status_code == 200
    finally:
        dispose(app)
    # with an erasure stored, going below 0006 would lose it and make the chain unverifiable
    writer, reader = make_engines(db_url)
    try:
        with pytest.raises(RuntimeError, match="downgrade onder 0006 geweigerd: 1 wissingen"):
            command.downgrade(alembic_config(writer), "0005")
        assert sa.inspect(writer).has_table("wissingen")
        with Session(reader) as s:
            assert verify_chain(s)[0] is True
    finally:
        writer.dispose()
        reader.dispose()


# ── helpers for restoring a row after an attack ──────────────────────────────────────────

def dump_rows(s: Session) -> dict[Any, list[dict[str, Any]]]:
    return {model: [{col.key: getattr(r, col.key) for col in model.__table__.columns}
                    for r in s.scalars(select(model))]
            for model in (Advies, Besluit, CasusVersie)}


def restore(s: Session, saved: dict[Any, list[dict[str, Any]]]) -> None:
    for model, rows in saved.items():
        keys = [col for col in model.__table__.primary_key.columns]
        for row in rows:
            s.execute(update(model).where(*(col == row[col.key] for col in keys))
                      .values(**{k: v for k, v in row.items()}))
    s.commit()


# ── the privacy role (issue 14): an art. 17 request when the owner cannot act ─────────────

PRIVACY = {"Authorization": "Bearer sleutel-privacy"}
PRIVACY_ACTOR = "api-sleutel|privacy-1"
ZAAK = "https://zaken.proefdorp.example/zaken/Z-2026-0042"


@pytest.fixture
def with_privacy(db_url: str) -> Iterator[tuple[FastAPI, TestClient]]:
    """The service with one more API key: the municipality's privacy officer."""
    settings = make_settings(db_url)
    settings = settings.model_copy(update={"api_keys": {
        **settings.api_keys, "sleutel-privacy": ApiKey(rol="privacy", sub="privacy-1")}})
    app = create_app(settings)
    with TestClient(app, raise_server_exceptions=False) as c:
        yield app, c
    dispose(app)


def test_the_privacy_role_erases_any_casus_and_the_log_names_it(
        with_privacy: tuple[FastAPI, TestClient]) -> None:
    app, c = with_privacy
    made = casus_with_records(c)
    cid = made["casus"]["id"]
    for headers in (AUDITOR, BELEID):  # neither an auditor nor policy erases
        assert erase(c, cid, headers=headers).status_code == 403
    assert erase(c, cid, headers=CONSULENT_2).status_code == 404  # nor another consulent

    r = erase(c, cid, headers=PRIVACY)
    assert r.status_code == 200, r.text
    assert r.json()["door"] == PRIVACY_ACTOR and r.json()["grond"] == GROND
    assert erase(c, cid, headers=PRIVACY).status_code == 409  # once
    with app.state.read_sessions() as s:
        assert NAAM not in dump(s)
        logged = s.scalars(select(Verwerking).where(Verwerking.naam == "casus_wissen")).all()
    assert [v.door for v in logged] == [PRIVACY_ACTOR]
    assert cid not in {v.betrokkene for v in logged}  # the casus only as its pseudonym
    shown = c.get(f"/v1/casussen/{cid}", headers=CONSULENT).json()
    assert shown["gewist"]["door"] == PRIVACY_ACTOR
    assert verify(c)["geldig"] is True


def test_the_privacy_role_sees_metadata_never_content(
        with_privacy: tuple[FastAPI, TestClient]) -> None:
    app, c = with_privacy
    made = casus_with_records(c)
    cid, aid, bid = made["casus"]["id"], made["advies"]["id"], made["besluit"]["id"]
    tweede = c.post("/v1/besluiten", headers=CONSULENT, json={
        "advies_id": aid, "vervangt": bid, "zaak_url": ZAAK,
        "motivering": "Gecorrigeerd: collectief vervoer volstaat.",
        "instrumenten": [{"effect": "e1", "instrument": "wmo.collectief_vervoer"}]})
    assert tweede.status_code == 201, tweede.text
    own = c.post("/v1/casussen", json=example("scootmobiel"), headers=CONSULENT_2).json()

    # the content stays closed: casus, versions, adviezen, besluiten
    for path in ("/v1/casussen", f"/v1/casussen/{cid}", f"/v1/casussen/{cid}/versies",
                 f"/v1/adviezen/{aid}", "/v1/adviezen", f"/v1/besluiten/{bid}"):
        assert c.get(path, headers=PRIVACY).status_code == 403, path

    r = c.get("/v1/casusoverzicht", headers=PRIVACY)
    assert r.status_code == 200, r.text
    assert NAAM not in r.text and "naar de markt" not in r.text
    rows = {m["id"]: m for m in r.json()["casussen"]}
    assert set(rows) == {cid, own["id"]} and r.json()["pagina"]["totaal"] == 2
    assert rows[cid] == {"id": cid, "eigenaar": ACTOR, "aangemaakt": made["casus"]["aangemaakt"],
                         "gewijzigd": rows[cid]["gewijzigd"], "versie": 2, "adviezen": 1,
                         "besluiten": 2, "zaak_urls": [ZAAK], "gearchiveerd": None,
                         "gewist": None}
    by_zaak = c.get("/v1/casusoverzicht", params={"zaakUrl": ZAAK}, headers=PRIVACY).json()
    assert [m["id"] for m in by_zaak["casussen"]] == [cid]

    # a consulent sees only their own; policy nothing
    mine = c.get("/v1/casusoverzicht", headers=CONSULENT_2).json()["casussen"]
    assert [m["id"] for m in mine] == [own["id"]]
    assert c.get("/v1/casusoverzicht", headers=BELEID).status_code == 403

    # found, then erased: the overview shows the marker, still without content
    assert erase(c, cid, headers=PRIVACY).status_code == 200
    after = c.get("/v1/casusoverzicht", params={"zaakUrl": ZAAK}, headers=PRIVACY).json()
    assert after["casussen"][0]["gewist"]["door"] == PRIVACY_ACTOR
    with app.state.read_sessions() as s:
        seen = s.scalars(select(Verwerking).where(Verwerking.naam == "casus_overzien",
                                                  Verwerking.door == PRIVACY_ACTOR)).all()
    assert len(seen) == 4  # every casus shown is in the processing log
