"""AVG: no inwoner text, names or birth dates in the logs; a processing log per evaluation."""

from __future__ import annotations

import io
import json
import logging

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from service import logs
from service.db import Verwerking
from tests.api.conftest import AUDITOR, CONSULENT, example


def test_logs_carry_no_personal_data(client: TestClient) -> None:
    stream = io.StringIO()
    logs.configure(stream)
    data = example("verslaving-schulden")
    data["gewenste_effecten"][0]["omschrijving"] = "Geheime-wens-van-Jan-Jansen 1980-04-12"
    casus = client.post("/v1/casussen", json=data, headers=CONSULENT).json()
    client.post("/v1/adviezen", json={"casus_id": casus["id"]}, headers=CONSULENT)
    client.post(f"/v1/casussen/{casus['id']}/_beantwoord", headers=CONSULENT,
                json={"antwoorden": [{"feit": "personen[p1].leeftijd", "waarde": "Jansen"}]})
    client.get(f"/v1/casussen/{casus['id']}?naam=Jan-Jansen", headers=CONSULENT)
    logging.getLogger("service").error("test", extra={"omschrijving": "Jan-Jansen"})
    text = stream.getvalue()
    assert text.count("\n") >= 4
    for line in text.splitlines():
        json.loads(line)  # structured
    for secret in ("Geheime-wens", "Jansen", "1980-04-12", "Jan-Jansen", casus["id"]):
        assert secret not in text, secret


def test_processing_log_record_per_evaluation(app: FastAPI, client: TestClient) -> None:
    parent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
    casus = client.post("/v1/casussen", json=example("scootmobiel"), headers=CONSULENT).json()
    advies = client.post("/v1/adviezen", json={"casus_id": casus["id"]},
                         headers={**CONSULENT, "traceparent": parent}).json()
    with app.state.read_sessions() as s:  # issue 16: storing the casus is a record too
        rows = s.scalars(select(Verwerking).where(Verwerking.naam == "advies_evalueren")).all()
        logged = len(s.scalars(select(Verwerking)).all())
    assert len(rows) == 1
    row = rows[0]
    assert row.trace_id == "4bf92f3577b34da6a3ce929d0e0e4736"
    assert row.parent_span_id == "00f067aa0ba902b7"
    assert row.advies_id == advies["id"] and row.status == "OK"
    assert row.verwerkingsactiviteit.startswith("https://")
    assert row.betrokkene and row.betrokkene.startswith("psn:")
    assert casus["id"] not in row.betrokkene
    assert row.start <= row.eind
    client.get("/v1/adviezen", headers=AUDITOR)  # summaries only: no personal data read
    with app.state.read_sessions() as s:
        assert len(s.scalars(select(Verwerking)).all()) == logged
