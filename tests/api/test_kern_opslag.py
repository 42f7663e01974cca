"""The kern is what is stored and chained (issue 13, chain formula 4); the full trace is rendered
on demand and is byte for byte the trace the advies was made with (the eager reference: the
body of `POST /v1/adviezen`). SQLite and PostgreSQL; invented people only."""

from __future__ import annotations

import copy
import json
import zlib
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from sqlalchemy import select, update

from engine import Engine, kern_hash, kern_van
from engine.evaluate import canonical_json
from service.app import create_app
from service.bewijsstuk import clear_cache
from service.db import Advies, CasusVersie
from service.store import casus_digest, verify_chain
from tests.api.conftest import AUDITOR, CONSULENT, dispose, example, make_settings
from tests.paths import EXAMPLES
from tests.test_properties import casussen

NAMES = sorted(p.stem for p in EXAMPLES.glob("*.yaml"))


def trace_text(response: Any) -> str:
    """The trace as the canonical text the service hashed (it sends it spliced in as is)."""
    return canonical_json(response.json()["trace"])


def row_of(app: FastAPI, advies_id: str) -> Advies:
    with app.state.read_sessions() as s:
        row = s.get(Advies, advies_id)
        assert row is not None
        s.expunge(row)
        return row


def test_every_public_example_stores_its_kern_and_renders_its_trace(
        app: FastAPI, client: TestClient) -> None:
    sizes = {}
    for name in NAMES:
        made = client.post("/v1/adviezen", json={"casus": example(name)}, headers=CONSULENT)
        assert made.status_code == 201, made.text
        body = made.json()
        row = row_of(app, body["id"])
        # stored: the kern (and the casus it evaluated), not the trace
        assert (row.keten_versie, row.trace) == (4, "")
        assert row.kern is not None and row.casus is not None
        kern = json.loads(zlib.decompress(row.kern))
        assert kern == kern_van(body["trace"])
        assert row.kern_hash == kern_hash(kern) == body["kern_hash"]
        sizes[name] = len(row.kern) + len(canonical_json(row.casus).encode())
        # rendered on demand (not the copy POST left in this worker's cache): byte for byte
        # the trace it was made with, and its hash
        clear_cache()
        shown = client.get(f"/v1/adviezen/{body['id']}", headers=AUDITOR)
        assert shown.status_code == 200, shown.text
        assert trace_text(shown) == trace_text(made)
        assert shown.json()["trace_hash"] == body["trace_hash"]
        replay = client.post(f"/v1/adviezen/{body['id']}/_herhaal", headers=AUDITOR).json()
        assert replay["identiek"] is True and replay["intact"] is True, replay
    # issue 13's budget: gezin-meervoudig at most 15 KB, no public example over 20 KB
    assert sizes["gezin-meervoudig"] <= 15_000, sizes
    assert max(sizes.values()) <= 20_000, sizes
    r = client.post("/v1/adviezen/_verifieer-keten", headers=AUDITOR).json()
    assert r["geldig"] is True and r["aantal"] == len(NAMES), r


def test_a_stored_casus_is_read_from_its_version_not_copied(
        app: FastAPI, client: TestClient) -> None:
    casus = client.post("/v1/casussen", json=example("overgang-18"), headers=CONSULENT).json()
    made = client.post("/v1/adviezen", json={"casus_id": casus["id"]}, headers=CONSULENT)
    assert made.status_code == 201, made.text
    row = row_of(app, made.json()["id"])
    assert row.casus is None and row.casus_id == casus["id"]
    clear_cache()
    shown = client.get(f"/v1/adviezen/{row.id}", headers=CONSULENT)
    assert trace_text(shown) == trace_text(made)


def test_the_trace_renders_with_the_pinned_packs_after_the_packs_change(
        db_url: str, rules_copy: Path) -> None:
    app = create_app(make_settings(db_url, rules_copy))
    try:
        with TestClient(app) as c:
            made = c.post("/v1/adviezen", json={"casus": example("scootmobiel")},
                          headers=CONSULENT)
            assert made.status_code == 201
    finally:
        dispose(app)
    wmo = rules_copy / "wmo" / "wmo.yaml"
    text = wmo.read_text("utf-8")
    wmo.write_text(text.replace("naam: Collectief vervoer", "naam: Regiotaxi", 1)
                   .replace('versie: "', 'versie: "2099-', 1), "utf-8")
    app = create_app(make_settings(db_url, rules_copy))
    clear_cache()  # a new service process: nothing rendered yet
    try:
        with TestClient(app) as c:
            shown = c.get(f"/v1/adviezen/{made.json()['id']}", headers=AUDITOR)
            assert shown.status_code == 200, shown.text
            assert trace_text(shown) == trace_text(made)
            assert "Regiotaxi" not in shown.text
    finally:
        dispose(app)


def refused(client: TestClient, advies_id: str) -> str:
    r = client.get(f"/v1/adviezen/{advies_id}", headers=AUDITOR)
    assert r.status_code == 409, r.text
    assert r.headers["content-type"] == "application/problem+json"
    detail: str = r.json()["detail"]
    return detail


def test_a_trace_that_does_not_render_to_what_was_decided_is_never_shown(
        app: FastAPI, client: TestClient) -> None:
    made = client.post("/v1/adviezen", json={"casus": example("scootmobiel")},
                       headers=CONSULENT).json()
    aid = made["id"]
    # a trace_hash that does not belong to the casus and packs (a rewrite of the column)
    with app.state.sessions() as s:
        s.execute(update(Advies).where(Advies.id == aid).values(trace_hash="sha256:" + "0" * 64))
        s.commit()
    assert refused(client, aid) == (
        f"Advies {aid}: de trace opnieuw opgebouwd uit de casus en de vastgepinde pakketten "
        "hasht niet naar de opgeslagen trace_hash; de trace wordt niet getoond.")
    with app.state.sessions() as s:
        s.execute(update(Advies).where(Advies.id == aid).values(trace_hash=made["trace_hash"]))
        s.commit()
    # the stored casus changed behind the service's back
    with app.state.sessions() as s:
        casus = copy.deepcopy(s.get(Advies, aid).casus)  # type: ignore[union-attr]
        casus["personen"][0]["leeftijd"] = 40
        s.execute(update(Advies).where(Advies.id == aid).values(casus=casus))
        s.commit()
    assert refused(client, aid) == (f"Advies {aid}: de opgeslagen casus klopt niet met "
                                    "casus_hash; de trace wordt niet getoond.")
    # made by another engine version: the kern stays readable, the trace cannot be rebuilt
    with app.state.sessions() as s:
        s.execute(update(Advies).where(Advies.id == aid).values(casus=made["trace"]["casus"],
                                                                 engine_versie="0.0.9"))
        s.commit()
    assert refused(client, aid).startswith(f"Advies {aid} is gemaakt met engine 0.0.9; ")
    kern = client.get(f"/v1/adviezen/{aid}?vorm=kern", headers=AUDITOR)
    assert kern.status_code == 200 and kern.json()["kern_hash"] == made["kern_hash"]


def test_a_besluit_is_checked_against_the_stored_kern(client: TestClient) -> None:
    made = client.post("/v1/adviezen", json={"casus": example("scootmobiel")},
                       headers=CONSULENT).json()
    bad = client.post("/v1/besluiten", headers=CONSULENT, json={
        "advies_id": made["id"], "motivering": "Besproken met de inwoner.",
        "instrumenten": [{"effect": "e1", "instrument": "wmo.bestaat_niet",
                          "uitkomst": "toegekend"}]})
    assert bad.status_code == 400, bad.text
    assert bad.json()["invalidParams"][0]["reason"] == (
        f"'wmo.bestaat_niet' staat niet in advies {made['id']} bij effect 'e1'")


def test_an_erased_advies_on_formula_4_keeps_its_hashes_and_the_chain_verifies(
        app: FastAPI, client: TestClient) -> None:
    casus = client.post("/v1/casussen", json=example("scootmobiel"), headers=CONSULENT).json()
    made = client.post("/v1/adviezen", json={"casus_id": casus["id"]},
                       headers=CONSULENT).json()
    wis = client.post(f"/v1/casussen/{casus['id']}/_wis", headers=CONSULENT,
                      json={"grond": "Verzoek van de betrokkene (art. 17 AVG)."})
    assert wis.status_code == 200, wis.text
    assert wis.json()["adviezen"][0]["kern_hash"] == made["kern_hash"]
    row = row_of(app, made["id"])
    assert (row.kern, row.kern_hash, row.trace_hash) == (b"", made["kern_hash"],
                                                        made["trace_hash"])
    shown = client.get(f"/v1/adviezen/{made['id']}", headers=AUDITOR).json()
    assert shown["trace"] is None and shown["kern_hash"] == made["kern_hash"]
    assert client.get(f"/v1/adviezen/{made['id']}?vorm=kern",
                      headers=AUDITOR).json()["kern"] is None
    with app.state.read_sessions() as s:
        assert verify_chain(s)[0] is True
        assert s.scalar(select(CasusVersie.data).where(
            CasusVersie.casus_id == casus["id"])) == {}


_ENGINE = Engine.load()


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
@settings(max_examples=15, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture,
                                 HealthCheck.too_slow, HealthCheck.data_too_large])
@given(data=casussen(_ENGINE.rules.catalogue))
def test_generated_casussen_render_their_eager_trace(client: TestClient,
                                                     data: dict[str, Any]) -> None:
    """The rendered trace equals the eager one (what POST returned and hashed) for generated
    casussen: several persons and effects, any peildatum the packs cover, a gemeente or none."""
    made = client.post("/v1/adviezen", json={"casus": data}, headers=CONSULENT)
    if made.status_code == 400:  # a generated casus the contract refuses: nothing stored
        return
    assert made.status_code == 201, made.text
    clear_cache()
    shown = client.get(f"/v1/adviezen/{made.json()['id']}", headers=AUDITOR)
    assert shown.status_code == 200, shown.text
    assert trace_text(shown) == trace_text(made)


def test_the_trace_just_made_is_read_back_without_evaluating_again(
        client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    """POST leaves its trace in the worker's cache (issue 13: reading back what was just made
    costs no evaluation); after the cache is cleared the same read renders again."""
    from service import bewijsstuk

    made = client.post("/v1/adviezen", json={"casus": example("scootmobiel")},
                       headers=CONSULENT)
    calls: list[str] = []
    real = bewijsstuk._render

    def counted(row: Advies, casus: dict[str, Any], pinned: Any) -> str:
        calls.append(row.id)
        return real(row, casus, pinned)

    monkeypatch.setattr(bewijsstuk, "_render", counted)
    first = client.get(f"/v1/adviezen/{made.json()['id']}", headers=AUDITOR)
    assert first.status_code == 200 and calls == []
    clear_cache()
    second = client.get(f"/v1/adviezen/{made.json()['id']}", headers=AUDITOR)
    assert second.status_code == 200 and calls == [made.json()["id"]]
    assert trace_text(first) == trace_text(second) == trace_text(made)


def test_verification_reads_the_kern_bytes_and_the_casus_they_name(
        app: FastAPI, client: TestClient) -> None:
    """Verification hashes the stored kern bytes (its canonical JSON) and reads the casus hash
    they name: a kern whose bytes are rewritten into an equal but not canonical form fails, and
    so does an advies whose casus_hash and casus were both replaced (the kern still names the
    casus it was made from)."""
    made = client.post("/v1/adviezen", json={"casus": example("scootmobiel")},
                       headers=CONSULENT).json()
    aid = made["id"]
    with app.state.sessions() as s:
        assert verify_chain(s)[0] is True
        row = s.get(Advies, aid)
        assert row is not None
        original = row.kern
        spaced = json.dumps(json.loads(zlib.decompress(original)), indent=1).encode("utf-8")
        s.execute(update(Advies).where(Advies.id == aid).values(kern=zlib.compress(spaced)))
        s.commit()
    with app.state.sessions() as s:
        assert verify_chain(s) == (False, 1, 1, "kern klopt niet met kern_hash")
        other = example("overgang-18")
        s.execute(update(Advies).where(Advies.id == aid).values(
            kern=original, casus=other, casus_hash=casus_digest(other)))
        s.commit()
    with app.state.sessions() as s:
        assert verify_chain(s) == (False, 1, 1, "casus_hash klopt niet met de casus in de kern")
