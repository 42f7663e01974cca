"""A chain walk split over segments (`service.ketensegmenten`, `ot keten --processen`) answers
exactly what one walk answers: valid, count, first fault, message, erased count, head hash and
formula, on an intact chain, from a checkpoint, and after each kind of damage a person with write
access could do (SQL, as in test_tamper.py). The segments run in threads here (many cases) and
once in real processes. SQLite and PostgreSQL; invented people only."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import Executor, ThreadPoolExecutor
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from service.app import create_app
from service.db import Advies, Besluit
from service.ketensegmenten import walk_in_segments
from service.store import ChainWalk, Controlepunt, walk_chain
from tests.api.conftest import CONSULENT, dispose, example, make_settings

EXAMPLES = ("scootmobiel", "levenseinde-medicatie", "overgang-18", "verslaving-schulden")


def threads(n: int) -> Executor:
    return ThreadPoolExecutor(max_workers=n)


@pytest.fixture
def chain(db_url: str) -> Iterator[FastAPI]:
    """A chain of 9 links: 7 adviezen (on a stored casus and on casussen sent with the
    request), a besluit at 4 and the erasure (wissing) of the first casus at the end, so its
    advies and besluit are blank and vouched for."""
    app = create_app(make_settings(db_url))
    with TestClient(app, raise_server_exceptions=False) as c:
        first = c.post("/v1/casussen", json=example("scootmobiel"), headers=CONSULENT).json()
        made = [c.post("/v1/adviezen", json={"casus_id": first["id"]}, headers=CONSULENT)]
        for i in range(6):
            if i == 2:
                besluit = c.post("/v1/besluiten", headers=CONSULENT, json={
                    "advies_id": made[0].json()["id"], "motivering": "Eerst collectief vervoer.",
                    "instrumenten": [{"effect": "e1", "instrument": "wmo.collectief_vervoer"}]})
                assert besluit.status_code == 201, besluit.text
            made.append(c.post("/v1/adviezen", json={"casus": example(EXAMPLES[i % 4])},
                               headers=CONSULENT))
        assert all(r.status_code == 201 for r in made), [r.text for r in made]
        erased = c.post(f"/v1/casussen/{first['id']}/_wis", json={"grond": "verzoek inwoner"},
                        headers=CONSULENT)
        assert erased.status_code == 200, erased.text
    yield app
    dispose(app)


def both(app: FastAPI, vanaf: Controlepunt | None = None, parts: int = 3,
         executor: Callable[[int], Executor] = threads) -> tuple[ChainWalk, ChainWalk]:
    with app.state.sessions() as s:
        whole = walk_chain(s, vanaf)
    with app.state.sessions() as s:
        split = walk_in_segments(s, vanaf, processen=parts, min_links=1, executor=executor)
    return whole, split


def test_an_intact_chain_walked_in_segments_answers_as_one_walk(chain: FastAPI) -> None:
    for parts in (2, 3, 5, 9):
        whole, split = both(chain, parts=parts)
        assert whole.geldig and whole.aantal == 9 and whole.gewist == 1  # advies 1
        assert split == whole, parts
    assert whole.melding.startswith("7 adviezen, 1 besluit en 1 wissing, keten intact")


def test_from_a_checkpoint_the_segments_read_only_what_follows(chain: FastAPI) -> None:
    with chain.state.sessions() as s:
        at = s.execute(select(Advies.keten_hash, Advies.keten_versie)
                       .where(Advies.volgnummer == 5)).one()
    punt = Controlepunt(5, at.keten_hash, at.keten_versie)
    whole, split = both(chain, punt)
    assert whole.geldig and whole.melding.startswith("4 schakels na het controlepunt bij "
                                                     "volgnummer 5 gelezen")
    assert split == whole


Damage = Callable[[Session], Any]

DAMAGES: dict[str, Damage] = {
    "trace_hash of advies 7": lambda s: s.execute(
        update(Advies).where(Advies.volgnummer == 7).values(trace_hash="sha256:" + "0" * 64)),
    "keten_hash of advies 5": lambda s: s.execute(
        update(Advies).where(Advies.volgnummer == 5).values(keten_hash="sha256:" + "1" * 64)),
    "casus_hash of advies 8": lambda s: s.execute(
        update(Advies).where(Advies.volgnummer == 8).values(casus_hash="sha256:" + "2" * 64)),
    "kern of advies 6": lambda s: s.execute(
        update(Advies).where(Advies.volgnummer == 6).values(kern=b"x")),
    "advies 6 removed": lambda s: s.execute(delete(Advies).where(Advies.volgnummer == 6)),
    "advies 8 renumbered 9, the wissing's": lambda s: s.execute(
        update(Advies).where(Advies.volgnummer == 8).values(volgnummer=9)),
    "besluit at 4 rewritten": lambda s: s.execute(
        update(Besluit).where(Besluit.volgnummer == 4).values(keten_hash="sha256:" + "3" * 64)),
    "last advies removed (head)": lambda s: s.execute(
        delete(Advies).where(Advies.volgnummer == 8)),
}


@pytest.mark.parametrize("damage", list(DAMAGES))
def test_a_damaged_chain_gets_the_same_first_fault_in_segments(chain: FastAPI,
                                                                damage: str) -> None:
    with chain.state.sessions() as s:
        DAMAGES[damage](s)
        s.commit()
    for parts in (2, 3, 4, 7):
        whole, split = both(chain, parts=parts)
        assert not whole.geldig, damage
        assert split == whole, (damage, parts)


def test_real_processes_walk_the_segments(chain: FastAPI) -> None:
    """The default executor: processes started with spawn, each opening the database by the
    session's URL (a password in it included)."""
    whole, split = both(chain, parts=2, executor=lambda n: _spawn(n))
    assert split == whole and whole.geldig
    with chain.state.sessions() as s:
        DAMAGES["trace_hash of advies 7"](s)
        s.commit()
    whole, split = both(chain, parts=2, executor=lambda n: _spawn(n))
    assert not whole.geldig and whole.eerste_fout == 7 and split == whole


def _spawn(n: int) -> Executor:
    from service import ketensegmenten
    return ketensegmenten._processes(n)


def test_a_short_chain_or_one_process_is_one_walk(chain: FastAPI) -> None:
    """Below `min_links` (or with one process) nothing is split: no pool is ever made."""
    def refuse(n: int) -> Executor:
        raise AssertionError("a pool was made")
    with chain.state.sessions() as s:
        assert walk_in_segments(s, processen=4, executor=refuse).geldig  # 9 < 20,000
        assert walk_in_segments(s, processen=1, min_links=1, executor=refuse).geldig
