"""A chain per gemeente (issue 13, migration 0010): writers of different gemeenten lock
different chain heads; each chain starts at its own genesis, counts from 1 and verifies on
its own; a casus' adviezen, besluiten and wissing stay in the chain of the gemeente it named
when it was first stored (docs/keten.md). On SQLite and PostgreSQL."""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic import command
from cryptography.hazmat.primitives import serialization
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select, update
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from cli.main import app as cli
from service.db import GENESIS, Advies, Besluit, Keten, KetenAnker, Wissing, genesis, make_engines
from service.keten import message, signature_valid
from service.migrate import alembic_config
from service.store import walk_chain
from tests.api.conftest import AUDITOR, CONSULENT, dispose, example
from tests.api.test_tamper import KEY, signed

runner = CliRunner()
PUBLIC_PEM = KEY.public_key().public_bytes(
    serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()


def casus_in(c: TestClient, gemeente: str | None) -> str:
    data = example("scootmobiel")
    if gemeente is not None:
        data["gemeente"] = gemeente
    r = c.post("/v1/casussen", json=data, headers=CONSULENT)
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


def advies(c: TestClient, casus_id: str) -> dict[str, Any]:
    r = c.post("/v1/adviezen", json={"casus_id": casus_id}, headers=CONSULENT)
    assert r.status_code == 201, r.text
    found: dict[str, Any] = r.json()
    return found


def verify(c: TestClient, keten: str | None = None) -> dict[str, Any]:
    r = c.post("/v1/adviezen/_verifieer-keten", headers=AUDITOR,
               params={} if keten is None else {"keten": keten})
    assert r.status_code == 200, r.text
    found: dict[str, Any] = r.json()
    return found


@pytest.fixture
def service(db_url: str) -> Any:
    app = signed(db_url)
    with TestClient(app, raise_server_exceptions=False) as c:
        yield app, c
    dispose(app)


def three_chains(c: TestClient) -> dict[str, list[dict[str, Any]]]:
    """Two adviezen in Amsterdam's chain, one in Utrecht's, one in the chain without a
    gemeente, interleaved in time."""
    amsterdam, utrecht, geen = casus_in(c, "GM0363"), casus_in(c, "GM0344"), casus_in(c, None)
    made: dict[str, list[dict[str, Any]]] = {"GM0363": [], "GM0344": [], "": []}
    for naam, casus in (("GM0363", amsterdam), ("GM0344", utrecht), ("", geen),
                        ("GM0363", amsterdam)):
        made[naam].append(advies(c, casus))
    return made


def test_each_gemeente_has_its_own_chain_counted_from_one(
        service: tuple[FastAPI, TestClient]) -> None:
    app, c = service
    made = three_chains(c)
    assert [(a["keten"], a["volgnummer"]) for a in made["GM0363"]] == [("GM0363", 1),
                                                                       ("GM0363", 2)]
    assert [(a["keten"], a["volgnummer"]) for a in made["GM0344"]] == [("GM0344", 1)]
    assert [(a["keten"], a["volgnummer"]) for a in made[""]] == [("", 1)]
    with app.state.sessions() as s:
        first = s.scalars(select(Advies).where(Advies.keten == "GM0344")).one()
        # each chain starts from its own genesis: a link cannot pass for another chain's
        assert first.vorige_hash == genesis("GM0344") != genesis("GM0363") != GENESIS
        heads = {k.naam: (k.volgnummer, k.hash) for k in s.scalars(select(Keten))}
    assert heads == {"": (1, made[""][0]["keten_hash"]),
                     "GM0363": (2, made["GM0363"][1]["keten_hash"]),
                     "GM0344": (1, made["GM0344"][0]["keten_hash"])}

    result = verify(c)
    assert result["geldig"] is True and result["keten"] is None and result["aantal"] == 4
    per = {k["keten"]: k for k in result["ketens"]}
    assert {n: (k["geldig"], k["aantal"], k["laatste_anker"]) for n, k in per.items()} == {
        "": (True, 1, 1), "GM0344": (True, 1, 1), "GM0363": (True, 2, 2)}
    assert per["GM0363"]["controlepunt"]["keten"] == "GM0363"
    assert per[""]["controlepunt"]["keten"] == ""
    one = verify(c, "GM0363")
    assert (one["keten"], one["aantal"], one["ketens"]) == ("GM0363", 2, [])


def test_the_list_of_adviezen_pages_through_every_chain_newest_first(
        service: tuple[FastAPI, TestClient]) -> None:
    """Volgnummers repeat across chains: the list orders by time, so page by page every advies
    comes once."""
    _, c = service
    made = three_chains(c)
    made_ids = [a["id"] for naam in ("GM0363", "GM0344", "") for a in made[naam]]
    seen = []
    for pagina in range(1, 5):
        r = c.get("/v1/adviezen", headers=AUDITOR, params={"pagina": pagina, "paginaGrootte": 1})
        assert r.status_code == 200, r.text
        seen += [a["id"] for a in r.json()["adviezen"]]
    assert sorted(seen) == sorted(made_ids)
    by_time = sorted((a for v in made.values() for a in v), key=lambda a: a["aangemaakt"])
    assert seen == [a["id"] for a in reversed(by_time)]


def test_a_besluit_and_a_wissing_join_the_chain_of_their_casus(
        service: tuple[FastAPI, TestClient]) -> None:
    app, c = service
    casus = casus_in(c, "GM0363")
    made = advies(c, casus)
    advies(c, casus_in(c, "GM0344"))
    r = c.post("/v1/besluiten", headers=CONSULENT, json={
        "advies_id": made["id"], "motivering": "Collectief vervoer past.",
        "instrumenten": [{"effect": "e1", "instrument": "wmo.collectief_vervoer",
                          "motivering": "voorliggend"}]})
    assert r.status_code == 201, r.text
    assert (r.json()["keten"], r.json()["volgnummer"]) == ("GM0363", 2)
    r = c.post(f"/v1/casussen/{casus}/_wis", headers=CONSULENT,
               json={"grond": "verzoek van de inwoner (AVG art. 17)"})
    assert r.status_code == 200, r.text
    assert (r.json()["keten"], r.json()["volgnummer"]) == ("GM0363", 3)
    with app.state.sessions() as s:
        assert s.scalars(select(Besluit.keten)).all() == ["GM0363"]
        assert s.scalars(select(Wissing.keten)).all() == ["GM0363"]
    result = verify(c)
    assert result["geldig"] is True, result["meldingen"]
    per = {k["keten"]: k["aantal"] for k in result["ketens"]}
    assert per == {"": 0, "GM0363": 3, "GM0344": 1}


def test_a_link_moved_to_another_chain_breaks_both_and_no_other(
        service: tuple[FastAPI, TestClient]) -> None:
    app, c = service
    made = three_chains(c)
    with app.state.sessions() as s:  # the attack: Utrecht's advies relabelled as Amsterdam's 3
        s.execute(update(Advies).where(Advies.id == made["GM0344"][0]["id"])
                  .values(keten="GM0363", volgnummer=3))
        s.commit()
    result = verify(c)
    assert result["geldig"] is False
    per = {k["keten"]: k for k in result["ketens"]}
    assert per[""]["geldig"] is True
    assert per["GM0363"]["geldig"] is False and per["GM0363"]["eerste_fout"] == 3
    assert "vorige_hash wijst niet naar de voorganger" in per["GM0363"]["melding"]
    assert per["GM0344"]["geldig"] is False  # its head still names the link that left
    assert any(m.startswith("keten GM0344: ") for m in result["meldingen"])


def test_a_signed_head_names_its_chain_and_passes_for_no_other(
        service: tuple[FastAPI, TestClient]) -> None:
    app, c = service
    three_chains(c)
    from service.keten import load_public_keys

    [key] = load_public_keys(PUBLIC_PEM.encode(), "test")
    with app.state.sessions() as s:
        anchors = {a.keten: a for a in s.scalars(select(KetenAnker).order_by(KetenAnker.id))}
    amsterdam = anchors["GM0363"]
    doc = {"keten": "GM0363", "volgnummer": amsterdam.volgnummer,
           "keten_hash": amsterdam.keten_hash, "tijdstip": amsterdam.tijdstip,
           "sleutel_id": amsterdam.sleutel_id, "handtekening": amsterdam.handtekening}
    assert signature_valid(key, doc)
    # the same signature for the chain "" (or Utrecht's) does not hold
    assert not signature_valid(key, {**doc, "keten": ""})
    assert not signature_valid(key, {**doc, "keten": "GM0344"})
    assert b'"keten":"GM0363"' in message(1, "h", "t", "k", "GM0363")
    assert b'"keten"' not in message(1, "h", "t", "k")  # the chain "" signs as before 0010

    r = c.post("/v1/adviezen/_anker", headers=AUDITOR, params={"keten": "GM0344"})
    assert r.status_code == 200, r.text
    exported = r.json()
    assert exported["keten"] == "GM0344" and exported["volgnummer"] == 1
    r = c.post("/v1/adviezen/_verifieer-keten", headers=AUDITOR, json=exported)
    assert r.json()["geldig"] is True and r.json()["extern_anker"] is True
    r = c.post("/v1/adviezen/_verifieer-keten", headers=AUDITOR,
               json={**exported, "keten": "GM0363"})  # claimed for another chain: refused
    assert r.json()["geldig"] is False
    r = c.post("/v1/adviezen/_verifieer-keten", headers=AUDITOR, params={"keten": "GM03"})
    assert r.status_code == 400 or r.status_code == 422


def test_the_cli_verifies_every_chain_and_starts_each_from_its_checkpoint(
        db_url: str, tmp_path: Path) -> None:
    app = signed(db_url)
    with TestClient(app) as c:
        made = three_chains(c)
    dispose(app)
    punt = tmp_path / "punt.json"
    env = {"OT_KETEN_PUBLIEKE_SLEUTELS_PEM": PUBLIC_PEM}
    r = runner.invoke(cli, ["keten", "--database-url", db_url, "--controlepunt-uit", str(punt)],
                      env=env)
    assert r.exit_code == 0, r.output
    assert "keten intact" in r.output
    docs = json.loads(punt.read_text("utf-8"))
    assert sorted((d.get("keten", ""), d["volgnummer"]) for d in docs) == [
        ("", 1), ("GM0344", 1), ("GM0363", 2)]
    app = signed(db_url)
    with TestClient(app) as c:
        advies(c, made["GM0363"][0]["casus_id"])
    dispose(app)
    r = runner.invoke(cli, ["keten", "--database-url", db_url, "--vanaf", str(punt)], env=env)
    assert r.exit_code == 0, r.output
    said = " ".join(r.output.split())
    assert "keten GM0363: 1 schakel na het controlepunt bij volgnummer 2" in said, said
    assert "keten GM0344: 0 schakels na het controlepunt bij volgnummer 1" in said, said
    r = runner.invoke(cli, ["keten", "--database-url", db_url, "--keten", "GM0344"], env=env)
    assert r.exit_code == 0 and "1 adviezen, keten intact" in r.output, r.output
    r = runner.invoke(cli, ["keten", "--database-url", db_url, "--keten", "Amsterdam"], env=env)
    assert r.exit_code == 2 and "--keten" in r.output
    punt.write_text(json.dumps([docs[0], {**docs[0], "volgnummer": "een"}]), "utf-8")
    r = runner.invoke(cli, ["keten", "--database-url", db_url, "--vanaf", str(punt)], env=env)
    assert r.exit_code == 2 and "[1].volgnummer" in r.output, r.output


def test_0010_keeps_the_one_chain_as_the_chain_without_gemeente(db_url: str) -> None:
    """Adviezen stored at 0009, with and without a gemeente, stay the chain "" and verify; a
    casus stored after 0010 with a gemeente starts that gemeente's chain; going back below 0010
    is refused while a gemeente's chain holds links."""
    import service.store as store

    app = signed(db_url)
    # one chain, as the service before 0010 kept it; then the schema goes back to 0009's
    with TestClient(app) as c, pytest.MonkeyPatch.context() as mp:
        mp.setattr(store, "keten_of_casus", lambda session, casus_id, casus: "")
        old = [advies(c, casus_in(c, "GM0363")), advies(c, casus_in(c, None))]
    dispose(app)
    assert [(a["keten"], a["volgnummer"]) for a in old] == [("", 1), ("", 2)]
    writer, reader = make_engines(db_url)
    command.downgrade(alembic_config(writer), "0009")
    assert "keten" not in {col["name"] for col in sa.inspect(writer).get_columns("adviezen")}
    with Session(reader) as s:  # verification reads the schema of 0009 too
        assert walk_chain(s).geldig is True
    writer.dispose()
    reader.dispose()
    app = signed(db_url)  # the service starts: migrations to head
    with TestClient(app) as c:
        assert verify(c)["geldig"] is True
        again = advies(c, old[0]["casus_id"])  # a casus of before: its chain stays ""
        new = advies(c, casus_in(c, "GM0363"))
        result = verify(c)
    dispose(app)
    assert (again["keten"], again["volgnummer"]) == ("", 3)
    assert (new["keten"], new["volgnummer"]) == ("GM0363", 1)
    assert result["geldig"] is True
    assert {k["keten"]: k["aantal"] for k in result["ketens"]} == {"": 3, "GM0363": 1}
    writer, reader = make_engines(db_url)
    try:
        with pytest.raises(RuntimeError, match="downgrade onder 0010 geweigerd: 1 schakels"):
            command.downgrade(alembic_config(writer), "0009")
        with Session(reader) as s:
            assert walk_chain(s, keten="GM0363").geldig is True
    finally:
        writer.dispose()
        reader.dispose()


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
def test_writers_of_two_gemeenten_do_not_wait_for_each_other(db_url: str) -> None:
    """PostgreSQL: while Amsterdam's head is locked (a writer mid-transaction), an advies for
    Utrecht is stored at once; one for Amsterdam waits (here: gives up after the lock
    timeout). PostgreSQL only: SQLite serialises every writer (BEGIN IMMEDIATE), one lock for
    the whole database, so there is nothing to show there."""
    app = signed(db_url)
    with TestClient(app) as c:
        amsterdam, utrecht = casus_in(c, "GM0363"), casus_in(c, "GM0344")
        advies(c, amsterdam)
        advies(c, utrecht)
        engine = sa.create_engine(db_url.replace("postgresql://", "postgresql+psycopg://", 1))
        held = threading.Event()
        done = threading.Event()

        def hold() -> None:
            with engine.begin() as conn:
                conn.execute(select(Keten.id).where(Keten.naam == "GM0363").with_for_update())
                held.set()
                done.wait(30)

        holder = threading.Thread(target=hold)
        holder.start()
        try:
            assert held.wait(10)
            assert advies(c, utrecht)["volgnummer"] == 2  # not blocked by Amsterdam's lock
            with engine.begin() as conn:
                conn.execute(sa.text("SET LOCAL lock_timeout = '500ms'"))
                with pytest.raises(sa.exc.OperationalError, match="lock timeout"):
                    conn.execute(select(Keten.id).where(Keten.naam == "GM0363")
                                 .with_for_update())
        finally:
            done.set()
            holder.join()
            engine.dispose()
        assert advies(c, amsterdam)["volgnummer"] == 2
        assert verify(c)["geldig"] is True
    dispose(app)
