"""An app that is dropped is freed once the next one is built (service/app.py freezes the
long-lived objects out of the cyclic GC, and frozen objects are never collected): the test
suite, which builds hundreds of apps, reached 10 GB when each freeze kept the previous apps."""

from __future__ import annotations

import gc
import weakref
from pathlib import Path

from fastapi.testclient import TestClient

from service.app import create_app
from tests.api.conftest import CONSULENT, dispose, example, make_settings


def test_a_dropped_app_and_its_rule_base_are_collected(tmp_path: Path) -> None:
    dropped = []
    for i in range(2):
        app = create_app(make_settings(f"sqlite:///{tmp_path / f'ot{i}.sqlite3'}"))
        with TestClient(app, raise_server_exceptions=False) as client:
            r = client.post("/v1/casussen", json=example("scootmobiel"), headers=CONSULENT)
            assert client.post("/v1/adviezen", json={"casus_id": r.json()["id"]},
                               headers=CONSULENT).status_code == 201
        dropped.append((weakref.ref(app), weakref.ref(app.state.engines.current.rules)))
        dispose(app)
        del app, client
    last = create_app(make_settings(f"sqlite:///{tmp_path / 'last.sqlite3'}"))
    gc.collect()
    assert [(a() is None, rules() is None) for a, rules in dropped] == [(True, True)] * 2
    dispose(last)
