"""Someone with write access to the database attacks the advies record (issue 12): each attack is
done directly with SQL, as such a person would, and must be caught by the chain verification
and/or the replay, with its exact message. SQLite and PostgreSQL; invented people only."""

from __future__ import annotations

import copy
import json
import logging
import time
from collections.abc import Iterator
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from engine.evaluate import trace_hash
from service.app import create_app
from service.db import GENESIS, Advies, Casus, CasusVersie, Keten, KetenAnker, Verwerking
from service.settings import KetenInstellingen
from service.store import kern_blob, verify_chain
from tests.api.conftest import AUDITOR, CONSULENT, dispose, example, make_settings

KEY = Ed25519PrivateKey.generate()
PEM = KEY.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                        serialization.NoEncryption()).decode()
OTHER = Ed25519PrivateKey.generate()
OTHER_PUBLIC = OTHER.public_key().public_bytes(
    serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()
UNSIGNED = ("keten niet ondertekend: geen sleutel ingesteld (OT_KETEN_SLEUTEL of "
            "OT_KETEN_PUBLIEKE_SLEUTELS); handtekeningen niet gecontroleerd")


def signed(db_url: str, **keten: Any) -> FastAPI:
    """A service that signs the head after every advies (unless told otherwise)."""
    cfg = {"sleutel_pem": PEM, "anker_elke": 1, "anker_seconden": 0, **keten}
    return create_app(make_settings(db_url, keten=KetenInstellingen(**cfg)))


@pytest.fixture
def service(db_url: str) -> Iterator[tuple[FastAPI, TestClient]]:
    app = signed(db_url)
    with TestClient(app, raise_server_exceptions=False) as c:
        yield app, c
    dispose(app)


def advies(c: TestClient, body: dict[str, Any]) -> dict[str, Any]:
    r = c.post("/v1/adviezen", json=body, headers=CONSULENT)
    assert r.status_code == 201, r.text
    found: dict[str, Any] = r.json()
    return found


def three_adviezen(c: TestClient) -> tuple[str, list[dict[str, Any]]]:
    """Advies 1 on a stored casus, 2 and 3 on casussen sent with the request."""
    casus = c.post("/v1/casussen", json=example("scootmobiel"), headers=CONSULENT).json()
    made = [advies(c, {"casus_id": casus["id"]}),
            advies(c, {"casus": example("gezin-meervoudig")}),
            advies(c, {"casus": example("levenseinde-medicatie")})]
    return casus["id"], made


def verify(c: TestClient, anker: dict[str, Any] | None = None) -> dict[str, Any]:
    r = c.post("/v1/adviezen/_verifieer-keten", headers=AUDITOR,
               **({"json": anker} if anker is not None else {}))
    assert r.status_code == 200, r.text
    found: dict[str, Any] = r.json()
    return found


def replace_trace(app: FastAPI, s: Session, volgnummer: int, other: str) -> None:
    """The attack: a real evaluation of another casus in place of a stored one, with every hash
    that the row itself carries recomputed (trace_hash and casus_hash)."""
    receipt = app.state.engines.current.advies(example(other))
    row = s.scalars(select(Advies).where(Advies.volgnummer == volgnummer)).one()
    if row.keten_versie >= 4:  # the row stores the kern (and the casus, if not stored)
        row.kern, row.kern_hash = kern_blob(receipt.kern_json), trace_hash(
            json.loads(receipt.kern_json))
        if row.casus_id is None:
            row.casus = receipt.trace["casus"]
    else:
        row.trace = receipt.trace_json
    row.trace_hash = receipt.trace_hash
    row.casus_hash = trace_hash(receipt.trace["casus"])
    row.peildatum = receipt.trace["peildatum"]
    row.pakketten = [{"id": p["id"], "versie": p["versie"], "hash": p["hash"]}
                     for p in receipt.trace["pakketten"]]


def rechain(s: Session) -> None:
    """…then re-hash and re-link every row by the published formula and move the head."""
    from service.store import link_hash

    previous = GENESIS
    rows = s.scalars(select(Advies).order_by(Advies.volgnummer)).all()
    for row in rows:
        row.vorige_hash = previous
        linked = link_hash(row, previous)
        assert linked is not None
        row.keten_hash = previous = linked
    head = s.get(Keten, 1)
    assert head is not None
    head.volgnummer, head.hash = (rows[-1].volgnummer if rows else 0), previous
    s.commit()


def export(c: TestClient) -> dict[str, Any]:
    r = c.post("/v1/adviezen/_anker", headers=AUDITOR)
    assert r.status_code == 200, r.text
    found: dict[str, Any] = r.json()
    return found


def test_rewrite_and_rechain_is_caught_by_the_signed_head(
        service: tuple[FastAPI, TestClient]) -> None:
    app, c = service
    three_adviezen(c)
    assert verify(c)["melding"] == "3 adviezen, keten intact; ondertekend tot en met volgnummer 3"
    with app.state.sessions() as s:
        replace_trace(app, s, 2, "overgang-18")
        rechain(s)
        assert verify_chain(s) == (True, 3, None, "3 adviezen, keten intact")  # fooled
    r = verify(c)
    assert r["geldig"] is False and r["eerste_fout"] == 2
    assert r["melding"] == ("ondertekende kop bij volgnummer 2 staat niet meer op de keten: een "
                            "advies tot en met volgnummer 2 is herschreven")
    assert r["meldingen"][:2] == [
        r["melding"], "ondertekende kop bij volgnummer 3 staat niet meer op de keten: een "
                      "advies tot en met volgnummer 3 is herschreven"]
    assert r["laatste_anker"] == 1


def assert_casus_no_longer_matches(c: TestClient, casus_id: str, advies_id: str) -> None:
    """Verification fails at volgnummer 1 and replay is neither intact nor identiek, both naming
    the stored casus version and the casus head that no longer hash to casus_hash."""
    stored = f"casus {casus_id} versie 1 in casus_versies klopt niet met casus_hash"
    head = f"casus {casus_id} versie 1 in casussen klopt niet met casus_hash"
    r = verify(c)
    assert r["geldig"] is False and r["eerste_fout"] == 1
    assert r["melding"] == f"volgnummer 1: {stored}; {head}"
    replay = c.post(f"/v1/adviezen/{advies_id}/_herhaal", headers=AUDITOR).json()
    assert replay["identiek"] is False and replay["intact"] is False
    assert replay["verschillen"][:2] == [stored, head]


def test_rewrite_of_an_advies_on_a_stored_casus_fails_replay_and_verification(
        service: tuple[FastAPI, TestClient]) -> None:
    app, c = service
    casus_id, made = three_adviezen(c)
    with app.state.sessions() as s:
        replace_trace(app, s, 1, "overgang-18")
        rechain(s)
    assert_casus_no_longer_matches(c, casus_id, made[0]["id"])


def test_truncation_is_caught(service: tuple[FastAPI, TestClient]) -> None:
    app, c = service
    _, made = three_adviezen(c)
    with app.state.sessions() as s:
        s.execute(delete(Verwerking).where(Verwerking.advies_id == made[2]["id"]))
        s.execute(delete(Advies).where(Advies.volgnummer == 3))
        s.execute(update(Keten).where(Keten.id == 1).values(volgnummer=2,
                                                             hash=made[1]["keten_hash"]))
        s.commit()
    r = verify(c)
    assert r["geldig"] is False and r["eerste_fout"] == 3 and r["aantal"] == 2
    assert r["melding"] == ("ondertekende kop bij volgnummer 3 ligt voorbij het einde van de "
                            "keten (2): adviezen verwijderd")


def test_casus_edit_is_caught_by_casus_hash(db_url: str) -> None:
    """No key needed: the advies commits to the casus version it evaluated."""
    app = create_app(make_settings(db_url))
    try:
        with TestClient(app) as c:
            casus_id, made = three_adviezen(c)
            with app.state.sessions() as s:
                row = s.get(Casus, casus_id)
                assert row is not None
                data = copy.deepcopy(row.data)
                data["personen"][0]["leeftijd"] = 91
                s.execute(update(Casus).where(Casus.id == casus_id).values(data=data))
                s.execute(update(CasusVersie).where(CasusVersie.casus_id == casus_id)
                          .values(data=data))
                s.commit()
            assert_casus_no_longer_matches(c, casus_id, made[0]["id"])
    finally:
        dispose(app)


def test_an_advies_on_a_casus_edited_behind_the_service_is_refused(db_url: str) -> None:
    app = create_app(make_settings(db_url))
    try:
        with TestClient(app) as c:
            casus = c.post("/v1/casussen", json=example("scootmobiel"), headers=CONSULENT).json()
            with app.state.sessions() as s:
                data = copy.deepcopy(casus["casus"])
                data["personen"][0]["leeftijd"] = 91
                s.execute(update(Casus).where(Casus.id == casus["id"]).values(data=data))
                s.commit()
            r = c.post("/v1/adviezen", json={"casus_id": casus["id"]}, headers=CONSULENT)
            assert r.status_code == 409
            assert r.headers["content-type"] == "application/problem+json"
            assert r.json()["detail"] == (
                f"Casus {casus['id']} versie 1: de opgeslagen versie klopt niet met de casus "
                "zoals die is geëvalueerd; er is niets opgeslagen. Sla de casus opnieuw op "
                "(PUT).")
            assert verify(c)["aantal"] == 0
    finally:
        dispose(app)


def test_deleted_signatures_are_caught_by_the_anchor_kept_outside(
        service: tuple[FastAPI, TestClient]) -> None:
    app, c = service
    three_adviezen(c)
    kept = export(c)
    assert kept["volgnummer"] == 3 and kept["publieke_sleutel"].startswith("-----BEGIN")
    with app.state.sessions() as s:
        s.execute(delete(KetenAnker))
        s.commit()
    r = verify(c, kept)
    assert r["geldig"] is False and r["extern_anker"] is False and r["eerste_fout"] == 3
    assert r["melding"] == ("extern anker bij volgnummer 3 ontbreekt in keten_ankers: "
                            "ondertekende koppen verwijderd")
    # and a rewrite after the signatures are gone
    with app.state.sessions() as s:
        replace_trace(app, s, 2, "overgang-18")
        rechain(s)
    unanchored = verify(c)
    assert unanchored["ondertekend"] is False and unanchored["ankers"] == 0
    r = verify(c, kept)
    assert r["geldig"] is False and r["extern_anker"] is False
    assert r["melding"] == ("extern anker bij volgnummer 3 staat niet meer op de keten: een "
                            "advies tot en met volgnummer 3 is herschreven")


def test_an_anchor_beyond_a_truncated_chain_is_caught(
        service: tuple[FastAPI, TestClient]) -> None:
    app, c = service
    _, made = three_adviezen(c)
    kept = export(c)
    with app.state.sessions() as s:
        s.execute(delete(KetenAnker))
        s.execute(delete(Advies).where(Advies.volgnummer == 3))
        s.execute(update(Keten).where(Keten.id == 1).values(volgnummer=2,
                                                             hash=made[1]["keten_hash"]))
        s.commit()
    r = verify(c, kept)
    assert r["geldig"] is False and r["extern_anker"] is False
    assert r["melding"] == ("extern anker bij volgnummer 3 ligt voorbij het einde van de keten "
                            "(2): adviezen verwijderd")


def test_a_wrong_public_key_fails(db_url: str, service: tuple[FastAPI, TestClient]) -> None:
    app, c = service
    advies(c, {"casus": example("scootmobiel")})
    with app.state.read_sessions() as s:
        key_id = s.scalars(select(KetenAnker.sleutel_id)).one()
    verifier = create_app(make_settings(db_url, keten=KetenInstellingen(
        publieke_sleutels_pem=OTHER_PUBLIC)))
    try:
        with TestClient(verifier) as other:
            r = verify(other)
        assert r["geldig"] is False and r["eerste_fout"] == 1
        assert r["melding"] == f"ondertekende kop bij volgnummer 1: sleutel {key_id} is niet " \
                               "vertrouwd"
    finally:
        dispose(verifier)
    # a forged head (the attacker's own key) and a changed signature, with the right key
    with app.state.sessions() as s:
        good = s.scalars(select(KetenAnker)).one()
        forged_id = "ed25519:" + "0" * 16
        s.add(KetenAnker(volgnummer=1, keten_hash=good.keten_hash, tijdstip=good.tijdstip,
                         sleutel_id=forged_id, handtekening=good.handtekening))
        s.commit()
    assert verify(c)["melding"] == (f"ondertekende kop bij volgnummer 1: sleutel {forged_id} "
                                    "is niet vertrouwd")
    with app.state.sessions() as s:
        s.execute(delete(KetenAnker).where(KetenAnker.sleutel_id == forged_id))
        flipped = ("A" if good.handtekening[0] != "A" else "B") + good.handtekening[1:]
        s.execute(update(KetenAnker).values(handtekening=flipped))
        s.commit()
    assert verify(c)["melding"] == "ondertekende kop bij volgnummer 1: handtekening klopt niet"


def test_an_exported_anchor_stays_a_prefix_as_the_chain_grows(db_url: str) -> None:
    app = signed(db_url, anker_elke=100)
    try:
        with TestClient(app) as c:
            for name in ("scootmobiel", "overgang-18"):
                advies(c, {"casus": example(name)})
            kept = export(c)
            assert kept["volgnummer"] == 2
            assert export(c) == kept  # the head did not move: the same signed head
            for name in ("gezin-meervoudig", "levenseinde-medicatie"):
                advies(c, {"casus": example(name)})
            r = verify(c, kept)
            assert r["geldig"] is True and r["extern_anker"] is True
            assert r["melding"] == "4 adviezen, keten intact; ondertekend tot en met volgnummer 2"
            assert r["niet_ondertekend"] == 2
            assert ("2 schakels (advies, besluit of wissing) na de laatste ondertekende kop (2) "
                    "zijn nog niet ondertekend") in r["meldingen"]
    finally:
        dispose(app)


def test_signing_every_n_adviezen_every_t_seconds_and_at_start(db_url: str) -> None:
    def heads(app: FastAPI) -> list[int]:
        with app.state.read_sessions() as s:
            return list(s.scalars(select(KetenAnker.volgnummer).order_by(KetenAnker.id)))

    unsigned = create_app(make_settings(db_url))
    with TestClient(unsigned) as c:
        advies(c, {"casus": example("scootmobiel")})
        advies(c, {"casus": example("scootmobiel")})
    dispose(unsigned)
    by_count = signed(db_url, anker_elke=3)
    try:
        with TestClient(by_count) as c:  # at start: the head that nobody signed yet
            assert heads(by_count) == [2]
            for _ in range(6):
                advies(c, {"casus": example("scootmobiel")})
            assert heads(by_count) == [2, 5, 8]
    finally:
        dispose(by_count)
    by_time = signed(db_url, anker_elke=0, anker_seconden=0.2)
    try:
        with TestClient(by_time) as c:
            assert heads(by_time) == [2, 5, 8]  # the head had not moved
            from service.store import store_advies

            receipt = by_time.state.engines.current.advies(example("scootmobiel"))
            with by_time.state.sessions() as s:  # written without signing: only the timer can
                store_advies(s, receipt, casus_id=None, casus_versie=None, door="t")
                s.commit()
            deadline = time.monotonic() + 10
            while heads(by_time) == [2, 5, 8] and time.monotonic() < deadline:
                time.sleep(0.05)
            assert heads(by_time) == [2, 5, 8, 9]
            assert verify(c)["melding"] == ("9 adviezen, keten intact; ondertekend tot en met "
                                            "volgnummer 9")
    finally:
        dispose(by_time)


def test_the_interval_in_time() -> None:
    import datetime as dt

    from service.keten import Signer

    at = dt.datetime(2026, 11, 2, 12, 0, tzinfo=dt.UTC)
    newest = KetenAnker(volgnummer=8, keten_hash=GENESIS, tijdstip="2026-11-02T12:00:00.000000Z",
                        sleutel_id="", handtekening="")
    every_minute = Signer(KEY, every=0, seconds=60)
    moved, still = Keten(id=1, volgnummer=9, hash=GENESIS), Keten(id=1, volgnummer=8, hash=GENESIS)
    assert every_minute.due(newest, moved, at + dt.timedelta(seconds=59)) is False
    assert every_minute.due(newest, moved, at + dt.timedelta(seconds=60)) is True
    assert every_minute.due(newest, still, at + dt.timedelta(hours=1)) is False
    assert every_minute.due(None, moved, at) is True
    assert Signer(KEY, every=1, seconds=0).due(newest, moved, at) is True
    assert Signer(KEY, every=2, seconds=0).due(newest, moved, at + dt.timedelta(days=1)) is False


class Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def test_an_unsigned_service_says_so(db_url: str) -> None:
    app = create_app(make_settings(db_url))
    seen = Collect()
    logging.getLogger("service").addHandler(seen)  # the service's logger does not propagate
    try:
        with TestClient(app) as c:
            assert [r.levelname for r in seen.records
                    if r.getMessage().startswith("KETEN NIET ONDERTEKEND")] == ["WARNING"]
            advies(c, {"casus": example("scootmobiel")})
            r = verify(c)
            assert r["geldig"] is True and r["ondertekend"] is False
            assert r["melding"] == "1 adviezen, keten intact; niet ondertekend"
            assert r["meldingen"] == [UNSIGNED]
            refused = c.post("/v1/adviezen/_anker", headers=AUDITOR)
            assert refused.status_code == 409
            assert refused.json()["detail"] == ("De keten wordt niet ondertekend: er is geen "
                                                "sleutel ingesteld (OT_KETEN_SLEUTEL).")
    finally:
        logging.getLogger("service").removeHandler(seen)
        dispose(app)


def test_a_bad_anchor_is_a_400_naming_the_field(service: tuple[FastAPI, TestClient]) -> None:
    _, c = service
    advies(c, {"casus": example("scootmobiel")})
    kept = export(c)
    r = c.post("/v1/adviezen/_verifieer-keten", headers=AUDITOR,
               json={**kept, "keten_hash": "sha256:xyz"})
    assert r.status_code == 400
    assert r.headers["content-type"] == "application/problem+json"
    assert [p["name"] for p in r.json()["invalidParams"]] == ["keten_hash"]
    assert c.post("/v1/adviezen/_anker", headers=CONSULENT).status_code == 403


def test_a_checkpoint_from_one_verification_starts_the_next(
        service: tuple[FastAPI, TestClient]) -> None:
    """The API gives back where an intact verification ended; sent back, the next reads only
    the links added since, and a change among those is caught (docs/keten.md)."""
    app, c = service
    three_adviezen(c)
    first = verify(c)
    punt = first["controlepunt"]
    assert first["geldig"] and punt["volgnummer"] == 3 and punt["formule"] == 4
    assert punt["doel"] == "omgekeerde-toets/keten-controlepunt/v1"
    advies(c, {"casus": example("overgang-18")})
    r = c.post("/v1/adviezen/_verifieer-keten-vanaf", headers=AUDITOR, json=punt)
    assert r.status_code == 200, r.text
    later = r.json()
    assert later["geldig"] and later["controlepunt"]["volgnummer"] == 4
    assert later["melding"].startswith("1 schakel na het controlepunt bij volgnummer 3 gelezen")
    with app.state.sessions() as s:
        replace_trace(app, s, 4, "scootmobiel")
        s.commit()
    broken = c.post("/v1/adviezen/_verifieer-keten-vanaf", headers=AUDITOR, json=punt).json()
    assert not broken["geldig"] and broken["eerste_fout"] == 4
    assert broken["controlepunt"] is None
    bad = c.post("/v1/adviezen/_verifieer-keten-vanaf", headers=AUDITOR,
                 json={**punt, "formule": 0})
    assert bad.status_code == 400
    assert [p["name"] for p in bad.json()["invalidParams"]] == ["formule"]
    assert c.post("/v1/adviezen/_verifieer-keten-vanaf", headers=CONSULENT,
                  json=punt).status_code == 403
