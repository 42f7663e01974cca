"""The replay certificate names the signed chain head that covers an advies (issue 16): the
API answers which head commits to it, whether its signature holds, and the printed report shows
it; an advies after the last signed head says it is not yet covered. SQLite and PostgreSQL."""

from __future__ import annotations

import base64
from collections.abc import Iterator

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, update

from service.app import create_app
from service.db import KetenAnker
from service.settings import KetenInstellingen

from .conftest import AUDITOR, CONSULENT, CONSULENT_2, dispose, example, make_settings

KEY = Ed25519PrivateKey.generate()
KEY_PEM = KEY.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption()).decode()


@pytest.fixture
def signing(db_url: str) -> Iterator[TestClient]:
    """A service that signs the first head and then only on request, so the test decides."""
    application = create_app(make_settings(db_url, keten=KetenInstellingen(
        sleutel_pem=KEY_PEM, anker_elke=0, anker_seconden=0)))
    try:
        with TestClient(application, raise_server_exceptions=False) as c:
            yield c
    finally:
        dispose(application)


def _advies(c: TestClient) -> dict[str, object]:
    casus = c.post("/v1/casussen", json=example("scootmobiel"), headers=CONSULENT).json()
    r = c.post("/v1/adviezen", json={"casus_id": casus["id"]}, headers=CONSULENT)
    assert r.status_code == 201, r.text
    made: dict[str, object] = r.json()
    return made


def test_head_covering_an_advies_is_named_checked_and_printed(signing: TestClient,
                                                               db_url: str) -> None:
    _advies(signing)  # the very first head is signed at once (no signature yet)
    first = _advies(signing)  # neither by count nor by time: not yet covered
    kop = signing.get(f"/v1/adviezen/{first['id']}/ondertekende-kop", headers=CONSULENT)
    assert kop.status_code == 200, kop.text
    assert kop.json()["ondertekend"] is False and kop.json()["kop"] is None
    assert "Nog geen ondertekende kop" in kop.json()["melding"]

    anker = signing.post("/v1/adviezen/_anker", headers=AUDITOR)
    assert anker.status_code == 200, anker.text
    second = _advies(signing)  # made after the signature: not covered by it

    covered = signing.get(f"/v1/adviezen/{first['id']}/ondertekende-kop",
                          headers=AUDITOR).json()
    assert covered["ondertekend"] is True and covered["geldig"] is True
    assert covered["handtekening_gecontroleerd"] is True
    assert covered["kop"]["volgnummer"] == anker.json()["volgnummer"] >= first["volgnummer"]
    assert covered["kop"]["handtekening"] == anker.json()["handtekening"]
    # the head is what the auditor keeps: it verifies with the public key alone
    body = {k: covered["kop"][k] for k in ("volgnummer", "keten_hash", "tijdstip", "sleutel_id",
                                           "handtekening", "publieke_sleutel")}
    v = signing.post("/v1/adviezen/_verifieer-keten", json=body, headers=AUDITOR).json()
    assert v["geldig"] is True and v["extern_anker"] is True
    later = signing.get(f"/v1/adviezen/{second['id']}/ondertekende-kop",
                        headers=CONSULENT).json()
    assert later["ondertekend"] is False

    signing.cookies.set("ot_sessie", "sleutel-consulent")
    page = signing.get(f"/ui/adviezen/{first['id']}/rapport")
    assert page.status_code == 200
    assert covered["kop"]["handtekening"] in page.text
    assert "de handtekening klopt met de vertrouwde sleutel" in page.text
    later_page = signing.get(f"/ui/adviezen/{second['id']}/rapport").text
    assert "Nog geen ondertekende kop dekt volgnummer" in later_page

    # a forged signature in the database is reported as such, on the API and in the report
    forged = base64.b64encode(bytes(64)).decode()
    engine = create_engine(db_url)
    with engine.begin() as conn:
        conn.execute(update(KetenAnker).values(handtekening=forged))
    engine.dispose()
    broken = signing.get(f"/v1/adviezen/{first['id']}/ondertekende-kop", headers=AUDITOR).json()
    assert broken["geldig"] is False and "handtekening klopt niet" in broken["melding"]
    assert "handtekening klopt niet" in signing.get(f"/ui/adviezen/{first['id']}/rapport").text


def test_signed_head_is_read_like_the_advies(signing: TestClient) -> None:
    made = _advies(signing)
    assert signing.get(f"/v1/adviezen/{made['id']}/ondertekende-kop",
                       headers=CONSULENT_2).status_code == 404
    assert signing.get("/v1/adviezen/bestaat-niet/ondertekende-kop",
                       headers=AUDITOR).status_code == 404
