"""Who did what, tamper-evident (issue 16): every casus version, advies and besluit shows its
actor (`uitgever|sub`) and time; adviezen (formula 3) and besluiten are links of the one chain,
which commits to the actor. Someone with write access who edits `door`, or a besluit's
instruments or motivering, directly in the database is caught by `_verifieer-keten` and
`ot keten`. Rows made before migration 0005 keep verifying by their own formula. SQLite and
PostgreSQL; invented people only."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic import command
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import delete, select, update
from sqlalchemy.orm import defer
from typer.testing import CliRunner

from cli.main import app as cli
from service.app import create_app
from service.db import Advies, Besluit, Keten, make_engines, now, session_factory
from service.migrate import alembic_config, upgrade
from service.store import verify_chain
from tests.api.conftest import AUDITOR, CONSULENT, dispose, example, make_settings
from tests.api.test_migrations import CASUSSEN, VERSIES
from tests.api.test_tamper import signed

ACTOR = "api-sleutel|consulent-1"


@pytest.fixture
def service(db_url: str) -> Iterator[tuple[FastAPI, TestClient]]:
    app = create_app(make_settings(db_url))
    with TestClient(app, raise_server_exceptions=False) as c:
        yield app, c
    dispose(app)


def verify(c: TestClient) -> dict[str, Any]:
    r = c.post("/v1/adviezen/_verifieer-keten", headers=AUDITOR)
    assert r.status_code == 200, r.text
    found: dict[str, Any] = r.json()
    return found


def casus_advies_besluit(c: TestClient) -> tuple[dict[str, Any], dict[str, Any],
                                                   dict[str, Any]]:
    """A casus answered once (version 2), an advies on it (volgnummer 1) and a besluit (2)."""
    casus = c.post("/v1/casussen", json=example("scootmobiel"), headers=CONSULENT).json()
    answered = c.post(f"/v1/casussen/{casus['id']}/_beantwoord", headers=CONSULENT,
                      json={"antwoorden": [{"feit": "netwerk.sociaal_netwerk", "waarde": "geen"}]})
    assert answered.status_code == 200, answered.text
    advies = c.post("/v1/adviezen", json={"casus_id": casus["id"]}, headers=CONSULENT).json()
    besluit = c.post("/v1/besluiten", headers=CONSULENT, json={
        "advies_id": advies["id"], "motivering": "Collectief vervoer eerst.",
        "instrumenten": [{"effect": "e1", "instrument": "wmo.collectief_vervoer"}]})
    assert besluit.status_code == 201, besluit.text
    return casus, advies, besluit.json()


def test_the_actor_and_time_of_every_record_are_shown(
        service: tuple[FastAPI, TestClient]) -> None:
    _, c = service
    casus, advies, besluit = casus_advies_besluit(c)
    versions = c.get(f"/v1/casussen/{casus['id']}/versies", headers=AUDITOR).json()
    assert [(v["reden"], v["door"]) for v in versions] == [("aangemaakt", ACTOR),
                                                           ("antwoorden", ACTOR)]
    assert all(v["aangemaakt"] for v in versions)
    shown = c.get(f"/v1/adviezen/{advies['id']}", headers=AUDITOR).json()
    assert shown["door"] == advies["door"] == ACTOR
    assert shown["besluiten"] == [besluit]
    assert besluit["door"] == ACTOR and besluit["aangemaakt"] >= advies["aangemaakt"]
    listed = c.get("/v1/adviezen", headers=AUDITOR).json()["adviezen"]
    assert listed[0]["door"] == ACTOR and listed[0]["besluiten"] is None

    # the printable report for the bezwaar file names who made the advies and the besluit
    c.cookies.set("ot_sessie", AUDITOR["Authorization"].removeprefix("Bearer "))
    page = c.get(f"/ui/adviezen/{advies['id']}/rapport")
    assert page.status_code == 200
    assert f"<code>{ACTOR}</code>" in page.text
    assert (f"<strong>Besluit versie 1</strong> · vastgelegd {besluit['aangemaakt']} door "
            f"<code>{ACTOR}</code>") in page.text
    assert "e1: <code>wmo.collectief_vervoer</code>" in page.text


@pytest.mark.parametrize("formula", [3, 4])
def test_chain_formulas_3_and_4_commit_to_the_actor(service: tuple[FastAPI, TestClient],
                                                   monkeypatch: pytest.MonkeyPatch,
                                                   formula: int) -> None:
    """Formula 3 (a stored trace, before migration 0009) and 4 (a stored kern) both cover
    `door`."""
    from service import store

    monkeypatch.setattr(store, "KETEN_VERSIE", formula)
    app, c = service
    _, _, besluit = casus_advies_besluit(c)
    with app.state.read_sessions() as s:
        assert s.scalar(select(Advies.keten_versie)) == formula
    assert besluit["volgnummer"] == 2 and besluit["keten_hash"]
    assert verify(c)["melding"] == "1 adviezen en 1 besluit, keten intact; niet ondertekend"
    with app.state.sessions() as s:
        s.execute(update(Advies).values(door="api-sleutel|iemand-anders"))
        s.commit()
    r = verify(c)
    assert r["geldig"] is False and r["eerste_fout"] == 1
    assert r["melding"] == "volgnummer 1: keten_hash klopt niet"


@pytest.mark.parametrize("change", [
    {"door": "api-sleutel|iemand-anders"},
    {"motivering": "Maatwerk, want zo besloten."},
    {"instrumenten": [{"effect": "e1", "instrument": "wmo.vervoersvoorziening",
                       "motivering": None}]},
    {"vervangt": "00000000-0000-0000-0000-000000000000"},
])
def test_an_edited_besluit_is_caught(service: tuple[FastAPI, TestClient],
                                     change: dict[str, Any]) -> None:
    app, c = service
    _, _, besluit = casus_advies_besluit(c)
    with app.state.sessions() as s:
        s.execute(update(Besluit).where(Besluit.id == besluit["id"]).values(**change))
        s.commit()
    r = verify(c)
    assert r["geldig"] is False and r["eerste_fout"] == 2
    assert r["melding"] == f"volgnummer 2: besluit {besluit['id']}: keten_hash klopt niet"


def test_a_deleted_or_smuggled_besluit_is_caught(service: tuple[FastAPI, TestClient]) -> None:
    app, c = service
    _, advies, _ = casus_advies_besluit(c)
    c.post("/v1/adviezen", json={"casus": example("overgang-18")}, headers=CONSULENT)
    with app.state.sessions() as s:  # a besluit written behind the service, outside the chain
        s.add(Besluit(id=str(uuid.uuid4()), advies_id=advies["id"], casus_id=None,
                      instrumenten=[], motivering="x", zaak_url=None, door=ACTOR,
                      aangemaakt=now(), versie=1))
        s.commit()
        smuggled = s.scalars(select(Besluit.id).where(Besluit.volgnummer.is_(None))).one()
    r = verify(c)
    assert r["geldig"] is False
    assert r["melding"] == f"besluit buiten de keten (zonder volgnummer): {smuggled}"
    with app.state.sessions() as s:  # (their beleidsinformatie rows go with them: CASCADE)
        s.execute(delete(Besluit))
        s.commit()
    r = verify(c)
    assert r["geldig"] is False and r["eerste_fout"] == 3
    assert r["melding"] == "volgnummer 3: volgnummer 3 ontbreekt of staat dubbel"


def test_a_signed_head_covers_besluiten(db_url: str) -> None:
    """Rewriting a besluit and re-chaining everything after it is caught by the signed head,
    as for adviezen: the besluit is on the same chain."""
    from service.store import besluit_link_hash, link_hash

    app = signed(db_url)
    try:
        with TestClient(app) as c:
            _, _, besluit = casus_advies_besluit(c)
            c.post("/v1/adviezen", json={"casus": example("overgang-18")}, headers=CONSULENT)
            with app.state.sessions() as s:
                row = s.get(Besluit, besluit["id"])
                assert row is not None
                row.motivering = "Herschreven."
                row.keten_hash = besluit_link_hash(
                    {k: getattr(row, k) for k in ("id", "volgnummer", "advies_id", "casus_id",
                                                  "versie", "vervangt", "instrumenten",
                                                  "motivering", "zaak_url", "door",
                                                  "aangemaakt")}, row.vorige_hash or "")
                last = s.scalars(select(Advies).where(Advies.volgnummer == 3)).one()
                last.vorige_hash = row.keten_hash
                last.keten_hash = link_hash(last, row.keten_hash) or ""
                from service.db import Keten

                head = s.get(Keten, 1)
                assert head is not None
                head.hash = last.keten_hash
                s.commit()
                assert verify_chain(s)[0] is True  # the keyless chain is fooled
            r = verify(c)
            assert r["geldig"] is False and r["eerste_fout"] == 2
            assert r["melding"] == ("ondertekende kop bij volgnummer 2 staat niet meer op de "
                                    "keten: een advies tot en met volgnummer 2 is herschreven")
    finally:
        dispose(app)


def test_ot_keten_catches_an_edited_actor(service: tuple[FastAPI, TestClient],
                                          db_url: str) -> None:
    app, c = service
    _, _, besluit = casus_advies_besluit(c)
    result = CliRunner().invoke(cli, ["keten", "--database-url", db_url],
                                env={"COLUMNS": "250"})
    assert result.exit_code == 0, result.output
    with app.state.sessions() as s:
        s.execute(update(Besluit).values(door="api-sleutel|iemand-anders"))
        s.commit()
    result = CliRunner().invoke(cli, ["keten", "--database-url", db_url],
                                env={"COLUMNS": "250"})
    assert result.exit_code == 1
    assert f"besluit {besluit['id']}: keten_hash klopt niet" in " ".join(result.output.split())


# ── migration 0005: records made before it keep verifying ─────────────────────────────────

OLD_BESLUITEN = sa.table("besluiten", *(sa.column(n) for n in (
    "id", "advies_id", "casus_id", "motivering", "zaak_url", "door", "aangemaakt")),
    sa.column("instrumenten", sa.JSON))


def schema_0004_with_records(db_url: str, rules_copy: Path,
                             monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """Schema 0004 as the service before this issue left it: two adviezen with formula 2 (one
    on a stored casus) and a besluit outside any chain, its instrument without an effect."""
    import service.store as store
    from service.engines import Engines

    writer, reader = make_engines(db_url)
    upgrade(writer, "0004")
    # nor did it keep passed YAML-test runs (0012)
    engines = Engines(rules_copy, session_factory(writer), session_factory(reader),
                      yaml_tests=False)
    engines.store_current()
    monkeypatch.setattr(store, "KETEN_VERSIE", 2)  # how the service before 0005 chained
    # nor did it refuse writes on an erased (0006) or archived (0007) casus: those tables and
    # columns do not exist yet at 0004
    monkeypatch.setattr(store, "refuse_if_closed", lambda session, casus_id: None)
    # nor did it derive rows for the beleidsinformatie (0008)
    monkeypatch.setattr(store, "write_advies_rows", lambda session, trace_json, row: None)
    # nor did it know chains per gemeente (0010): one head, row 1, no `naam`
    monkeypatch.setattr(store, "keten_of_casus", lambda session, casus_id, casus: "")
    monkeypatch.setattr(store, "lock_head", lambda session, keten: session.execute(
        sa.select(Keten).options(defer(Keten.naam)).where(Keten.id == 1).with_for_update()
    ).scalar_one())
    sessions = session_factory(writer)
    data = engines.current.casus(example("scootmobiel")).model_dump(mode="json",
                                                                    exclude_none=True)
    # today's model names `keten` (0010) in every advies it writes: the column is there while
    # these rows are written and dropped again after, so the schema is 0004's
    with writer.begin() as conn:
        conn.execute(sa.text("ALTER TABLE adviezen ADD COLUMN keten VARCHAR(6) NOT NULL "
                             "DEFAULT ''"))
    with sessions() as s:  # the casus as schema 0004 has it (not today's model)
        s.execute(CASUSSEN.insert().values(id="c-oud", eigenaar=ACTOR, versie=1, data=data,
                                           afwegingen=None, aangemaakt=now(), gewijzigd=now()))
        s.execute(VERSIES.insert().values(casus_id="c-oud", versie=1, data=data,
                                          afwegingen=None, reden="aangemaakt", door=ACTOR,
                                          aangemaakt="x"))
        first = store.store_advies(s, engines.current.advies(example("overgang-18")),
                                   casus_id=None, casus_versie=None, door=ACTOR)
        second = store.store_advies(s, engines.current.advies(data), casus_id="c-oud",
                                    casus_versie=1, door=ACTOR)
        s.commit()
        ids = [first.id, second.id]
    monkeypatch.undo()
    with writer.begin() as conn:
        conn.execute(sa.text("ALTER TABLE adviezen DROP COLUMN keten"))
    with writer.begin() as conn:
        conn.execute(OLD_BESLUITEN.insert().values(
            id="b-oud", advies_id=ids[1], casus_id="c-oud", motivering="Oud besluit.",
            zaak_url=None, door=ACTOR, aangemaakt=now(),
            instrumenten=[{"instrument": "wmo.collectief_vervoer", "motivering": "x"}]))
    writer.dispose()
    reader.dispose()
    return {"ids": ids}


def test_0005_keeps_old_records_verifiable_and_chains_old_besluiten(
        db_url: str, rules_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import service.store as store

    old = schema_0004_with_records(db_url, rules_copy, monkeypatch)
    # the new advies as the service between 0005 and 0009 stored it (formula 3), so that the
    # refusal to go below 0005 is what is tested here (below 0009: test_migrations.py)
    monkeypatch.setattr(store, "KETEN_VERSIE", 3)
    app = create_app(make_settings(db_url, rules_copy))
    try:
        with TestClient(app) as c:
            r = verify(c)
            assert r["geldig"] is True, r
            assert r["melding"] == "2 adviezen en 1 besluit, keten intact; niet ondertekend"
            old_besluit = c.get("/v1/besluiten/b-oud", headers=AUDITOR).json()
            assert (old_besluit["volgnummer"], old_besluit["versie"]) == (3, 1)
            assert old_besluit["instrumenten"] == [
                {"effect": None, "instrument": "wmo.collectief_vervoer", "motivering": "x",
                 "uitkomst": "toegekend"}]  # rows from before `uitkomst` granted what they named
            new = c.post("/v1/adviezen", json={"casus": example("scootmobiel")},
                         headers=CONSULENT).json()
            assert new["volgnummer"] == 4
            with app.state.read_sessions() as s:
                assert s.scalars(select(Advies.keten_versie).order_by(Advies.volgnummer)
                                 ).all() == [2, 2, 3]
            assert verify(c)["melding"] == ("3 adviezen en 1 besluit, keten intact; niet "
                                            "ondertekend")
            # formula 2 never covered `door`: the limit of the old rows, as documented
            with app.state.sessions() as s:
                s.execute(update(Advies).where(Advies.id == old["ids"][0])
                          .values(door="api-sleutel|iemand-anders"))
                s.commit()
            assert verify(c)["geldig"] is True
            # the besluit the migration chained is now guarded
            with app.state.sessions() as s:
                s.execute(update(Besluit).values(motivering="Anders."))
                s.commit()
            assert verify(c)["melding"] == "volgnummer 3: besluit b-oud: keten_hash klopt niet"
    finally:
        dispose(app)
    # going below 0005 would unchain the besluit and lose who did what: refused
    writer, _ = make_engines(db_url)
    try:
        with pytest.raises(RuntimeError, match="downgrade onder 0005 geweigerd: 1 adviezen met "
                                               "keten_versie 3, 1 besluiten in de keten"):
            command.downgrade(alembic_config(writer), "0004")
    finally:
        writer.dispose()
