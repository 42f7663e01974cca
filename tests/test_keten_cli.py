"""`ot keten` as an auditor meets it: verification of the chain and its signed heads, an anchor
exported and kept outside the system, and a wrong database path that creates nothing."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from fastapi.testclient import TestClient
from sqlalchemy import delete
from typer.testing import CliRunner

from cli.main import app as cli
from service.db import KetenAnker, make_engines
from service.migrate import upgrade
from tests.api import test_tamper as tamper
from tests.api.conftest import db_url, dispose  # noqa: F401  (db_url: the SQLite/PostgreSQL fixture)

runner = CliRunner()


def ot(*args: str, **env: str) -> tuple[int, str]:
    result = runner.invoke(cli, list(args), env={"COLUMNS": "250", **env})
    return result.exit_code, " ".join(result.output.split())


def keys(tmp_path: Path) -> dict[str, Path]:
    private = tmp_path / "keten.pem"
    private.write_text(tamper.PEM, "utf-8")
    public = tmp_path / "keten.pub.pem"
    public.write_bytes(tamper.KEY.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo))
    other = tmp_path / "ander.pub.pem"
    other.write_text(tamper.OTHER_PUBLIC, "utf-8")
    return {"private": private, "public": public, "other": other}


def test_a_missing_database_fails_clearly_and_creates_nothing(tmp_path: Path) -> None:
    missing = tmp_path / "does" / "not" / "exist" / "x.sqlite3"
    for args in (["keten"], ["keten", "anker", "--uit", str(tmp_path / "a.json")]):
        code, output = ot(*args, "--database-url", f"sqlite:///{missing}")
        assert code == 2
        assert f"De database bestaat niet (1) --database-url: geen database op {missing}; er " \
               "is niets aangemaakt" in output
    assert not (tmp_path / "does").exists()
    assert not (tmp_path / "a.json").exists()


def test_a_database_before_migration_0003_is_named(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'oud.sqlite3'}"
    writer, reader = make_engines(url)
    upgrade(writer, "0002")
    writer.dispose()
    reader.dispose()
    code, output = ot("keten", "--database-url", url)
    assert code == 2
    assert "migratie 0003 (keten_ankers) ontbreekt; start de service eenmaal om te migreren" \
        in output


def test_anchor_export_then_verification_then_an_attack(db_url: str, tmp_path: Path) -> None:  # noqa: F811
    k = keys(tmp_path)
    anchor = tmp_path / "anker.json"
    app = tamper.signed(db_url, anker_elke=100)
    try:
        with TestClient(app) as c:
            tamper.three_adviezen(c)
            code, output = ot("keten", "anker", "--uit", str(anchor), "--database-url", db_url,
                              OT_KETEN_SLEUTEL=str(k["private"]))
            assert code == 0, output
            kept: dict[str, Any] = json.loads(anchor.read_text("utf-8"))
            assert kept["volgnummer"] == 3 and kept["publieke_sleutel"].startswith("-----BEGIN")
            assert f"anker bij volgnummer 3 ({kept['sleutel_id']}" in output
            tamper.advies(c, {"casus": tamper.example("overgang-18")})

            # the auditor, with only the public key, and the anchor kept outside
            code, output = ot("keten", "--database-url", db_url, "--anker", str(anchor),
                              "--publieke-sleutel", str(k["public"]))
            assert code == 0, output
            assert "keten intact: 4 adviezen, keten intact; ondertekend tot en met volgnummer 3" \
                in output
            assert ("1 schakel (advies, besluit of wissing) na de laatste ondertekende kop (3) "
                    "is nog niet ondertekend") in " ".join(output.split())

            # a wrong public key
            code, output = ot("keten", "--database-url", db_url, "--publieke-sleutel",
                              str(k["other"]))
            assert code == 1
            assert (f"keten gebroken bij volgnummer 1: ondertekende kop bij volgnummer 1: "
                    f"sleutel {kept['sleutel_id']} is niet vertrouwd") in output

            # rewrite, re-chain, and delete every signed head
            with app.state.sessions() as s:
                tamper.replace_trace(app, s, 2, "scootmobiel")
                tamper.rechain(s)
                s.execute(delete(KetenAnker))
                s.commit()
        code, output = ot("keten", "--database-url", db_url, "--anker", str(anchor),
                          "--publieke-sleutel", str(k["public"]))
        assert code == 1
        assert ("keten gebroken bij volgnummer 3: extern anker bij volgnummer 3 staat niet meer "
                "op de keten: een advies tot en met volgnummer 3 is herschreven") in output
        # no key configured: the key in the kept anchor is used (as safe as the auditor's copy)
        code, output = ot("keten", "--database-url", db_url, "--anker", str(anchor))
        assert code == 1 and "publieke sleutel uit het externe anker gebruikt" in output
    finally:
        dispose(app)


def test_export_without_the_private_key_checks_the_newest_signed_head(
        db_url: str, tmp_path: Path) -> None:  # noqa: F811
    k = keys(tmp_path)
    app = tamper.signed(db_url)
    try:
        with TestClient(app) as c:
            tamper.three_adviezen(c)
        anchor = tmp_path / "anker.json"
        code, output = ot("keten", "anker", "--uit", str(anchor), "--database-url", db_url,
                          "--publieke-sleutel", str(k["public"]))
        assert code == 0, output
        assert json.loads(anchor.read_text("utf-8"))["volgnummer"] == 3
        with app.state.sessions() as s:
            tamper.replace_trace(app, s, 3, "overgang-18")
            tamper.rechain(s)
        code, output = ot("keten", "anker", "--uit", str(tmp_path / "b.json"), "--database-url",
                          db_url, "--publieke-sleutel", str(k["public"]))
        assert code == 1
        assert ("De laatste ondertekende kop klopt niet (1) keten_ankers: ondertekende kop bij "
                "volgnummer 3 staat niet meer op de keten: een advies tot en met volgnummer 3 "
                "is herschreven") in output
        assert not (tmp_path / "b.json").exists()
    finally:
        dispose(app)


def test_unsigned_and_bad_input_are_said_plainly(db_url: str, tmp_path: Path) -> None:  # noqa: F811
    app = tamper.create_app(tamper.make_settings(db_url))
    try:
        with TestClient(app) as c:
            tamper.advies(c, {"casus": tamper.example("scootmobiel")})
    finally:
        dispose(app)
    code, output = ot("keten", "--database-url", db_url)
    assert code == 0
    assert f"{tamper.UNSIGNED} keten intact: 1 adviezen, keten intact; niet ondertekend" in output
    code, output = ot("keten", "anker", "--uit", str(tmp_path / "a.json"), "--database-url",
                      db_url)
    assert code == 1 and "er is geen ondertekende kop; stel OT_KETEN_SLEUTEL in" in output

    bad = tmp_path / "anker.json"
    bad.write_text(json.dumps({"volgnummer": 1, "keten_hash": "sha256:abc"}), "utf-8")
    code, output = ot("keten", "--database-url", db_url, "--anker", str(bad))
    assert code == 2
    assert f"Het anker is geen geldig anker (4) {bad}:1:1: keten_hash: heeft niet de vorm " \
           "^sha256:[0-9a-f]{64}$" in output
    assert f"{bad}:1:1: handtekening: verplicht veld ontbreekt" in output
    code, output = ot("keten", "--database-url", db_url,
                      OT_KETEN_SLEUTEL=str(tmp_path / "geen.pem"))
    assert code == 2
    assert f"OT_KETEN_SLEUTEL: {tmp_path / 'geen.pem'} is niet te lezen (FileNotFoundError)" \
        in output


def test_a_checkpoint_reads_only_the_links_added_since(db_url: str, tmp_path: Path) -> None:  # noqa: F811
    """An auditor verifies the whole chain once and keeps the checkpoint; the next run reads
    only what came after it. A change after the checkpoint is caught; a rewrite of a link up to
    it that moves the checkpoint's own hash is caught; a change of content before it is seen
    only by a walk of the whole chain, which says so (docs/keten.md)."""
    punt = tmp_path / "controlepunt.json"
    app = tamper.create_app(tamper.make_settings(db_url))
    try:
        with TestClient(app) as c:
            tamper.three_adviezen(c)
            code, output = ot("keten", "--database-url", db_url, "--controlepunt-uit", str(punt))
            assert code == 0, output
            kept: dict[str, Any] = json.loads(punt.read_text("utf-8"))
            assert kept["doel"] == "omgekeerde-toets/keten-controlepunt/v1"
            assert kept["volgnummer"] == 3 and kept["formule"] == 4
            assert f"controlepunt bij volgnummer 3 geschreven naar {punt}" in output
            tamper.advies(c, {"casus": tamper.example("overgang-18")})
            tamper.advies(c, {"casus": tamper.example("scootmobiel")})

            code, output = ot("keten", "--database-url", db_url, "--vanaf", str(punt))
            assert code == 0, output
            assert ("keten intact: 2 schakels na het controlepunt bij volgnummer 3 gelezen "
                    "(2 adviezen, keten intact); de schakels tot en met 3 niet opnieuw") in output

            # content after the checkpoint changed: caught by the short walk
            with app.state.sessions() as s:
                tamper.replace_trace(app, s, 5, "gezin-meervoudig")
                s.commit()
            code, output = ot("keten", "--database-url", db_url, "--vanaf", str(punt))
            assert code == 1 and "keten gebroken bij volgnummer 5" in output
            with app.state.sessions() as s:
                tamper.replace_trace(app, s, 5, "scootmobiel")  # put it back as it was
                s.commit()
            code, output = ot("keten", "--database-url", db_url, "--vanaf", str(punt))
            assert code == 0, output

            # content before the checkpoint changed (hashes left): only the whole walk sees it
            with app.state.sessions() as s:
                tamper.replace_trace(app, s, 2, "scootmobiel")
                s.commit()
            code, output = ot("keten", "--database-url", db_url, "--vanaf", str(punt))
            assert code == 0, output
            code, output = ot("keten", "--database-url", db_url)
            assert code == 1 and "keten gebroken bij volgnummer 2" in output

            # rewritten and re-chained: the checkpoint's own hash is gone
            with app.state.sessions() as s:
                tamper.rechain(s)
            code, output = ot("keten", "--database-url", db_url, "--vanaf", str(punt))
            assert code == 1 and "keten gebroken bij volgnummer 3" in output
            assert ("het controlepunt bij volgnummer 3 staat niet meer op de keten: een schakel "
                    "tot en met dat volgnummer is herschreven of verwijderd") in output
    finally:
        dispose(app)


def test_a_bad_checkpoint_names_the_file_and_the_field(tmp_path: Path) -> None:
    punt = tmp_path / "controlepunt.json"
    punt.write_text(json.dumps({"doel": "omgekeerde-toets/keten-controlepunt/v1",
                                "volgnummer": 0, "keten_hash": "sha256:" + "0" * 64,
                                "formule": 4, "tijdstip": "2026-12-04T12:00:00+00:00"}), "utf-8")
    code, output = ot("keten", "--vanaf", str(punt), "--database-url",
                      f"sqlite:///{tmp_path / 'x.sqlite3'}")
    assert code == 2
    assert (f"Het controlepunt is geen geldig controlepunt (1) {punt}:1:1: volgnummer: moet "
            "minstens 1 zijn") in output
