"""Replay over time: a stored advies replays identically after an Alembic upgrade between two
schema versions (with data in it), and after the packs on disk change. Migration 0003 (the
chain with a key) changes nothing stored: old adviezen keep chain formula 1 and get their
casus_hash from their own trace; new ones use formula 2 after them."""

from __future__ import annotations

import copy
import uuid
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic import command
from fastapi.testclient import TestClient
from sqlalchemy import inspect

from engine import Engine, Receipt
from engine.evaluate import canonical_json, trace_hash
from service.app import create_app
from service.db import make_engines, now, session_factory
from service.engines import Engines
from service.migrate import alembic_config, upgrade
from tests.api.conftest import AUDITOR, CONSULENT, dispose, example, make_settings

META = sa.MetaData()
ADVIEZEN = sa.Table(  # as schema 0001/0002 has them
    "adviezen", META, *(sa.Column(n, sa.Text) for n in (
        "id", "casus_id", "door", "aangemaakt", "peildatum", "engine_versie", "trace",
        "trace_hash", "vorige_hash", "keten_hash")),
    sa.Column("volgnummer", sa.Integer), sa.Column("casus_versie", sa.Integer),
    sa.Column("pakketten", sa.JSON))
KETEN = sa.Table("keten", META, sa.Column("id", sa.Integer), sa.Column("volgnummer", sa.Integer),
                 sa.Column("hash", sa.Text))
CASUSSEN = sa.Table("casussen", META, *(sa.Column(n, sa.Text) for n in (
    "id", "eigenaar", "aangemaakt", "gewijzigd")), sa.Column("versie", sa.Integer),
    sa.Column("data", sa.JSON), sa.Column("afwegingen", sa.JSON))
VERSIES = sa.Table("casus_versies", META, *(sa.Column(n, sa.Text) for n in (
    "casus_id", "reden", "door", "aangemaakt")), sa.Column("versie", sa.Integer),
    sa.Column("data", sa.JSON), sa.Column("afwegingen", sa.JSON))


def old_chain_hash(vorige: str, volgnummer: int, advies_id: str, digest: str,
                   aangemaakt: str) -> str:
    """The chain formula of the service before 0003, written out as that version had it."""
    import hashlib

    text = f"{vorige}|{volgnummer}|{advies_id}|{digest}|{aangemaakt}"
    return "sha256:" + hashlib.sha256(text.encode()).hexdigest()


def old_store(conn: sa.Connection, receipt: Receipt, casus_id: str | None = None,
              casus_versie: int | None = None) -> str:
    """How the service before 0003 appended an advies (no casus_hash, formula 1)."""
    head = conn.execute(sa.select(KETEN.c.volgnummer, KETEN.c.hash)).one()
    advies_id, aangemaakt, volgnummer = str(uuid.uuid4()), now(), head.volgnummer + 1
    keten_hash = old_chain_hash(head.hash, volgnummer, advies_id, receipt.trace_hash, aangemaakt)
    kop = receipt.trace
    conn.execute(ADVIEZEN.insert().values(
        id=advies_id, volgnummer=volgnummer, casus_id=casus_id, casus_versie=casus_versie,
        door="consulent-1", aangemaakt=aangemaakt, peildatum=kop["peildatum"],
        engine_versie=kop["engine"]["versie"], trace=receipt.trace_json,
        pakketten=[{"id": p["id"], "versie": p["versie"], "hash": p["hash"]}
                   for p in kop["pakketten"]],
        trace_hash=receipt.trace_hash, vorige_hash=head.hash, keten_hash=keten_hash))
    conn.execute(KETEN.update().values(volgnummer=volgnummer, hash=keten_hash))
    return advies_id


def old_installation(db_url: str, rules_copy: Path) -> dict[str, Any]:
    """Schema 0001 with two adviezen written by the older service: one on a casus sent with
    the request, one on a stored casus."""
    writer, reader = make_engines(db_url)
    upgrade(writer, "0001")  # the first schema version, as an older installation has it
    names = {ix["name"] for ix in inspect(writer).get_indexes("adviezen")}
    assert "ix_adviezen_aangemaakt" not in names
    # the older service kept no passed YAML-test runs (table pakkettest_runs, 0012): store its
    # packs as it did
    engines = Engines(rules_copy, session_factory(writer), session_factory(reader),
                      yaml_tests=False)
    engines.store_current()
    eng = Engine.load([rules_copy])
    inline = eng.advies(example("dreigende-huisuitzetting"))
    data = eng.casus(example("scootmobiel")).model_dump(mode="json", exclude_none=True)
    casus_id = str(uuid.uuid4())
    with writer.begin() as conn:
        conn.execute(CASUSSEN.insert().values(id=casus_id, eigenaar="consulent-1", versie=1,
                                              data=data, afwegingen=None, aangemaakt=now(),
                                              gewijzigd=now()))
        conn.execute(VERSIES.insert().values(casus_id=casus_id, versie=1, data=data,
                                             afwegingen=None, reden="aangemaakt",
                                             door="consulent-1", aangemaakt=now()))
        first = old_store(conn, inline)
        on_casus = eng.advies(data)
        second = old_store(conn, on_casus, casus_id, 1)
        rows = conn.execute(sa.select(ADVIEZEN).order_by(ADVIEZEN.c.volgnummer)).all()
    writer.dispose()
    reader.dispose()
    return {"receipts": [inline, on_casus], "ids": [first, second], "casus_id": casus_id,
            "data": data, "rows": rows}


def test_replay_identical_across_a_migration(db_url: str, rules_copy: Path) -> None:
    old = old_installation(db_url, rules_copy)
    advies_id, receipt = old["ids"][0], old["receipts"][0]

    # the packs on disk change, then the new service version starts: it migrates to head
    wmo = rules_copy / "wmo" / "wmo.yaml"
    wmo.write_text(wmo.read_text("utf-8").replace('versie: "', 'versie: "2027-', 1), "utf-8")
    app = create_app(make_settings(db_url, rules_copy))
    try:
        names = {ix["name"] for ix in inspect(app.state.db_engine).get_indexes("adviezen")}
        assert "ix_adviezen_aangemaakt" in names
        with TestClient(app) as c:
            replay = c.post(f"/v1/adviezen/{advies_id}/_herhaal", headers=AUDITOR).json()
            assert replay["identiek"] is True
            assert replay["trace_hash_herhaling"] == receipt.trace_hash
            today = c.post(f"/v1/adviezen/{advies_id}/_vergelijk", headers=AUDITOR).json()
            assert today["zelfde_pakketten"] is False
            assert c.get(f"/v1/adviezen/{advies_id}", headers=CONSULENT).json()[
                "trace_hash"] == receipt.trace_hash
            chain = c.post("/v1/adviezen/_verifieer-keten", headers=AUDITOR).json()
            assert chain["geldig"] is True and chain["aantal"] == 2, chain
    finally:
        dispose(app)

    # and back down, data intact: the rows as the older service wrote them. Since 0005 the
    # processing log names who read and replayed; the downgrade would lose that, so it is
    # refused until the operator has exported and removed those records.
    writer, reader = make_engines(db_url)
    try:
        with pytest.raises(RuntimeError, match="downgrade onder 0005 geweigerd: 0 adviezen met "
                                               r"keten_versie 3, 0 besluiten in de keten en \d+ "
                                               "verwerkingen met een actor"):
            command.downgrade(alembic_config(writer), "0001")
        with writer.begin() as conn:
            conn.execute(sa.text("DELETE FROM verwerkingen"))
        command.downgrade(alembic_config(writer), "0001")
        names = {ix["name"] for ix in inspect(writer).get_indexes("adviezen")}
        assert "ix_adviezen_aangemaakt" not in names
        assert not inspect(writer).has_table("keten_ankers")
        assert "casus_hash" not in {c["name"] for c in inspect(writer).get_columns("adviezen")}
        with writer.connect() as conn:
            after = conn.execute(sa.select(ADVIEZEN).order_by(ADVIEZEN.c.volgnummer)).all()
        assert after == old["rows"]
    finally:
        writer.dispose()
        reader.dispose()


def test_0003_keeps_old_adviezen_verifiable_and_chains_new_ones_after_them(
        db_url: str, rules_copy: Path) -> None:
    from service.db import Advies
    from service.store import verify_chain

    old = old_installation(db_url, rules_copy)
    stored_before = old["rows"]
    app = create_app(make_settings(db_url, rules_copy))
    try:
        with app.state.read_sessions() as s:
            rows = s.scalars(sa.select(Advies).order_by(Advies.volgnummer)).all()
            # nothing stored changed; casus_hash computed from each advies' own trace
            assert [(r.id, r.trace, r.trace_hash, r.keten_hash) for r in rows] == [
                (b.id, b.trace, b.trace_hash, b.keten_hash) for b in stored_before]
            assert [r.keten_versie for r in rows] == [1, 1]
            assert [r.casus_hash for r in rows] == [
                trace_hash(r.trace["casus"]) for r in old["receipts"]]
        with TestClient(app) as c:
            new = c.post("/v1/adviezen", json={"casus": example("scootmobiel")},
                         headers=CONSULENT).json()
            assert new["volgnummer"] == 3 and new["vorige_hash"] == stored_before[1].keten_hash
            chain = c.post("/v1/adviezen/_verifieer-keten", headers=AUDITOR).json()
            assert chain["geldig"] is True and chain["aantal"] == 3, chain
            with app.state.read_sessions() as s:
                assert s.scalars(sa.select(Advies.keten_versie).order_by(
                    Advies.volgnummer)).all() == [1, 1, 4]  # 4 since migration 0009

            # the backfilled casus_hash guards the old advies on a stored casus
            edited = copy.deepcopy(old["data"])
            edited["personen"][0]["leeftijd"] = 91
            with app.state.sessions() as s:
                s.execute(VERSIES.update().values(data=edited))
                s.commit()
            chain = c.post("/v1/adviezen/_verifieer-keten", headers=AUDITOR).json()
            assert chain["geldig"] is False and chain["eerste_fout"] == 2
            assert chain["melding"] == (f"volgnummer 2: casus {old['casus_id']} versie 1 in "
                                        "casus_versies klopt niet met casus_hash")
            replay = c.post(f"/v1/adviezen/{old['ids'][1]}/_herhaal", headers=AUDITOR).json()
            assert replay["intact"] is False and replay["identiek"] is False

            # a formula-1 row after a formula-4 row is a downgrade attack (formula 1 does not
            # cover casus_hash, door or kern_hash), not history: the attacker relabels the row
            # and puts its full trace back (formula 1 stores it)
            with app.state.sessions() as s:
                s.execute(VERSIES.update().values(data=old["data"]))
                s.commit()
            made = c.post("/v1/adviezen", json={"casus": example("overgang-18")},
                          headers=CONSULENT)
            assert made.status_code == 201
            with app.state.sessions() as s:
                row = s.scalars(sa.select(Advies).where(Advies.volgnummer == 4)).one()
                original = (row.keten_versie, row.keten_hash, row.trace)
                row.keten_versie, row.trace = 1, canonical_json(made.json()["trace"])
                row.keten_hash = old_chain_hash(row.vorige_hash, 4, row.id, row.trace_hash,
                                                row.aangemaakt)
                s.execute(KETEN.update().values(hash=row.keten_hash))
                s.commit()
                assert verify_chain(s) == (False, 4, 4, "keten_versie 1 na een advies met "
                                                        "keten_versie 4")
                row.keten_versie, row.keten_hash, row.trace = original
                s.execute(KETEN.update().values(hash=row.keten_hash))
                s.commit()
                assert verify_chain(s) == (True, 4, None, "4 adviezen, keten intact")
    finally:
        dispose(app)

    # going below 0003 (first 0009) would leave the formula-4 adviezen unreadable and
    # unverifiable: refused, nothing changed (below 0005 for formula 3: test_actor_chain.py)
    writer, reader = make_engines(db_url)
    try:
        with pytest.raises(RuntimeError, match="downgrade onder 0009 geweigerd: 2 adviezen "
                                               "bewaren een kern"):
            command.downgrade(alembic_config(writer), "0002")
        assert inspect(writer).has_table("keten_ankers")
        with session_factory(reader)() as s:
            assert verify_chain(s) == (True, 4, None, "4 adviezen, keten intact")
    finally:
        writer.dispose()
        reader.dispose()
