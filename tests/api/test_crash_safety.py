"""Crash safety: SIGKILL the service in the middle of a load run, restart it, and check that
every advies whose response was received is stored, nothing half-written is visible, and the
chain verifies (SQLite and PostgreSQL)."""

from __future__ import annotations

import signal
import threading
import time
from pathlib import Path

import httpx
from sqlalchemy import select

from service.db import Advies, Verwerking, make_engines, session_factory
from service.launch import start_server, stop_server
from service.store import verify_chain
from tests.api.conftest import example

HEADERS = {"Authorization": "Bearer sleutel-consulent"}


def test_sigkill_mid_load_loses_nothing_received(db_url: str, tmp_path: Path) -> None:
    received: list[str] = []
    body = {"casus": example("gezin-meervoudig")}
    base, proc = start_server(db_url, log=tmp_path / "server.log")

    def client() -> None:
        with httpx.Client(base_url=base, headers=HEADERS, timeout=10) as c:
            while True:
                try:
                    r = c.post("/v1/adviezen", json=body)
                except httpx.HTTPError:
                    return  # the server is gone
                if r.status_code == 201:
                    received.append(r.json()["id"])

    threads = [threading.Thread(target=client) for _ in range(8)]
    for t in threads:
        t.start()
    deadline = time.time() + 30
    while len(received) < 40 and time.time() < deadline:
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)  # mid-load: requests are in flight
    proc.wait()
    for t in threads:
        t.join(timeout=30)
    assert len(received) >= 40

    base, proc = start_server(db_url, log=tmp_path / "server.log")  # restart on the same data
    try:
        check = httpx.post(f"{base}/v1/adviezen/_verifieer-keten",
                           headers={"Authorization": "Bearer sleutel-auditor"}).json()
        assert check["geldig"] is True, check
        after = httpx.post(f"{base}/v1/adviezen", json=body, headers=HEADERS)
        assert after.status_code == 201
    finally:
        stop_server(proc)
    writer, reader = make_engines(db_url)
    try:
        with session_factory(reader)() as s:
            stored = set(s.scalars(select(Advies.id)).all())
            logged = set(s.scalars(select(Verwerking.advies_id)).all())
            ok, count, _, _ = verify_chain(s)
    finally:
        writer.dispose()
        reader.dispose()
    assert set(received) <= stored          # every advies a client received is stored
    assert stored == logged                 # no advies without its processing-log record
    assert ok and count == len(stored)      # nothing half-written: the chain verifies
