"""Replay over time: a stored advies replays identically after an Alembic upgrade between two
schema versions (with data in it), and after the packs on disk change."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import inspect

from service.app import create_app
from service.db import make_engines
from service.migrate import upgrade
from tests.api.conftest import AUDITOR, CONSULENT, dispose, example, make_settings


def test_replay_identical_across_a_migration(db_url: str, rules_copy: Path) -> None:
    writer, reader = make_engines(db_url)
    upgrade(writer, "0001")  # the first schema version, as an older installation has it
    names = {ix["name"] for ix in inspect(writer).get_indexes("adviezen")}
    assert "ix_adviezen_aangemaakt" not in names
    writer.dispose()
    reader.dispose()

    # an older service wrote adviezen into the 0001 schema (create_app would upgrade, so we
    # write through the storage layer directly, as that version did)
    from engine import Engine
    from service.db import session_factory
    from service.engines import Engines
    from service.store import store_advies

    writer, reader = make_engines(db_url)
    engines = Engines(rules_copy, session_factory(writer), session_factory(reader))
    engines.store_current()
    receipt = Engine.load([rules_copy]).advies(example("dreigende-huisuitzetting"))
    with session_factory(writer)() as s:
        row = store_advies(s, receipt, casus_id=None, casus_versie=None, door="consulent-1")
        advies_id = row.id
        s.commit()
    writer.dispose()
    reader.dispose()

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
            assert chain["geldig"] is True and chain["aantal"] == 1
    finally:
        dispose(app)

    # and back down, data intact
    writer, reader = make_engines(db_url)
    try:
        from alembic import command

        from service.migrate import alembic_config

        command.downgrade(alembic_config(writer), "0001")
        names = {ix["name"] for ix in inspect(writer).get_indexes("adviezen")}
        assert "ix_adviezen_aangemaakt" not in names
    finally:
        writer.dispose()
        reader.dispose()
