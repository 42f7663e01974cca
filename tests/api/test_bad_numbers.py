"""Bad numbers over HTTP: refused with problem+json naming the field, nothing stored; a pack with
a bad number or hostile YAML is a located 400, never a 500; a casus at the bounds replays.

JSON parsed by Python accepts `NaN`, `Infinity` and integers of any size, so the bodies here are
written as text: exactly what a client could send.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from engine.numbers import MAX_BEDRAG, MAX_GEHEEL
from service.db import Advies, Casus, CasusVersie
from tests.api.conftest import AUDITOR, BELEID, CONSULENT, ROOT, example

JSON = {**CONSULENT, "Content-Type": "application/json"}
YAML = {**BELEID, "Content-Type": "application/yaml", "X-Bestandsnaam": "kandidaat.yaml"}
PLACEHOLDER = "__getal__"

BAD_LITERALS = ["1e308", "-1e308", "Infinity", "-Infinity", "NaN", "1e999", "1" + "0" * 30,
                "1e-320", "12.345"]
FIELDS = [("huishouden", "netto_inkomen_maand"), ("huishouden", "vermogen"),
          ("financien", "aantal_schuldeisers"), ("gewenste_effecten", "kosten")]


def counts(app: FastAPI) -> tuple[int, ...]:
    with app.state.read_sessions() as s:
        return tuple(s.scalar(select(func.count()).select_from(m)) or 0
                     for m in (Casus, CasusVersie, Advies))


def body_with(subject: str, name: str, literal: str) -> tuple[bytes, str]:
    """The scootmobiel example with one field set to a JSON number literal; its path."""
    data = example("scootmobiel")
    if subject == "gewenste_effecten":
        data["gewenste_effecten"][0][name] = PLACEHOLDER
        path = f"gewenste_effecten[0].{name}"
    else:
        data.setdefault(subject, {})[name] = PLACEHOLDER
        path = f"{subject}.{name}"
    return json.dumps(data).replace(f'"{PLACEHOLDER}"', literal).encode(), path


def assert_problem(r: Any, path: str) -> None:
    assert r.status_code in (400, 422), (path, r.status_code, r.text)
    assert r.headers["content-type"] == "application/problem+json"
    names = {p["name"] for p in r.json()["invalidParams"]}
    assert any(n == path or n.endswith("." + path) for n in names), (path, names)


@pytest.mark.parametrize("literal", BAD_LITERALS)
def test_bad_number_in_a_casus_is_refused_and_nothing_stored(app: FastAPI, client: TestClient,
                                                             literal: str) -> None:
    before = counts(app)
    for subject, name in FIELDS:
        body, path = body_with(subject, name, literal)
        assert_problem(client.post("/v1/casussen", content=body, headers=JSON), path)
        assert_problem(client.post("/v1/adviezen", headers=JSON, content=(
            b'{"casus": ' + body + b"}")), path)
    assert counts(app) == before


@pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity", "1e308", "1e999",
                                     "1" + "0" * 30, "1e-320"])
def test_bad_answer_names_the_answer_and_changes_nothing(client: TestClient,
                                                         literal: str) -> None:
    casus = client.post("/v1/casussen", json=example("scootmobiel"), headers=CONSULENT).json()
    body = ('{"antwoorden": [{"feit": "netwerk.mantelzorg_beschikbaar", "waarde": false}, '
            '{"feit": "huishouden.vermogen", "waarde": ' + literal + "}]}")
    r = client.post(f"/v1/casussen/{casus['id']}/_beantwoord", content=body.encode(),
                    headers=JSON)
    assert r.status_code == 400, r.text
    assert r.headers["content-type"] == "application/problem+json"
    assert [p["name"] for p in r.json()["invalidParams"]] == ["antwoorden[1].waarde"]
    after = client.get(f"/v1/casussen/{casus['id']}", headers=CONSULENT).json()
    assert after["versie"] == 1 and after["casus"] == casus["casus"]


def wmo_with(old: str, new: str) -> tuple[bytes, int]:
    text = (ROOT / "rules" / "wmo" / "wmo.yaml").read_text("utf-8")
    assert old in text
    line = text[:text.index(old)].count("\n") + 1
    return text.replace(old, new, 1).encode(), line


SCOPE = 'binnen: {feit: client.leeftijd, op: "<", waarde: 18}'


@pytest.mark.parametrize("literal", [".inf", "-.inf", ".nan", "1.0e+308", str(10**29),
                                     "9" * 200_000])
def test_pack_with_bad_number_is_a_located_400(client: TestClient, literal: str) -> None:
    body, line = wmo_with(SCOPE, SCOPE.replace("18", literal))
    for path in ("/v1/regelpakketten/_valideer", "/v1/regelpakketten/_impact"):
        r = client.post(path, content=body, headers=YAML)
        assert r.status_code == 400, (path, r.status_code, r.text[:300])
        assert r.headers["content-type"] == "application/problem+json"
        [param] = r.json()["invalidParams"]
        assert param["bestand"] == "kandidaat.yaml" and param["regel"] == str(line), param
        assert param["name"] == "controles[0].binnen.waarde"


@pytest.mark.parametrize("body", [
    b"regelpakket:\n  naam: " + b"[" * 990 + b"]" * 990 + b"\n",
    b"regelpakket: " + b"{a: " * 500 + b"1" + b"}" * 500 + b"\n",
    b"".join(b"  " * i + f"a{i}:\n".encode() for i in range(300)),
], ids=["flow-sequences", "flow-mappings", "block-mappings"])
def test_deeply_nested_pack_is_a_located_400(client: TestClient, body: bytes) -> None:
    for path in ("/v1/regelpakketten/_valideer", "/v1/regelpakketten/_impact"):
        r = client.post(path, content=body, headers=YAML)
        assert r.status_code == 400, (path, r.status_code, r.text[:300])
        [param] = r.json()["invalidParams"]
        assert param["bestand"] == "kandidaat.yaml" and int(param["regel"]) >= 1
        assert "te diep genest" in param["reason"]


def test_casus_at_the_bounds_is_stored_as_sent_and_replays_identical(client: TestClient
                                                                     ) -> None:
    data = example("scootmobiel")
    data["huishouden"].update(netto_inkomen_maand=MAX_BEDRAG - 0.01, vermogen=-MAX_BEDRAG)
    data["financien"] = {"schulden_totaal": float(MAX_BEDRAG), "aantal_schuldeisers": MAX_GEHEEL,
                         "eerdere_schuldhulp_jaren_geleden": MAX_GEHEEL}
    data["gewenste_effecten"][0]["kosten"] = 0.01
    r = client.post("/v1/casussen", json=data, headers=CONSULENT)
    assert r.status_code == 201, r.text
    stored = client.get(f"/v1/casussen/{r.json()['id']}", headers=CONSULENT).json()["casus"]
    assert stored["huishouden"]["netto_inkomen_maand"] == MAX_BEDRAG - 0.01
    assert stored["huishouden"]["vermogen"] == -MAX_BEDRAG
    assert stored["financien"]["aantal_schuldeisers"] == MAX_GEHEEL
    assert stored["gewenste_effecten"][0]["kosten"] == 0.01
    advies = client.post("/v1/adviezen", json={"casus_id": r.json()["id"]}, headers=CONSULENT)
    assert advies.status_code == 201, advies.text
    replay = client.post(f"/v1/adviezen/{advies.json()['id']}/_herhaal", headers=AUDITOR)
    assert replay.status_code == 200, replay.text
    assert replay.json()["identiek"] is True, replay.json()["verschillen"]
    assert replay.json()["intact"] is True
