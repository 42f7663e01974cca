"""The engines the service evaluates with: the packs in force (from disk) and pinned versions.

Every pack version the service has used is stored by content hash (`pakket_versies`), so a
replay years later rebuilds the exact rule base from the database, whatever is on disk now.
Pinned engines are cached per process (a few, least recently used first out, their compiled
rulesets freed); nothing here is needed by another worker.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from engine import Engine
from engine.wettekst import Wetteksten
from service.db import PakketVersie, now
from service.problems import ApiProblem

PINNED_CACHE = 8


class Engines:
    def __init__(self, rules_dir: Path | None, sessions: sessionmaker[Session],
                 read_sessions: sessionmaker[Session]):
        self.current = Engine.load([rules_dir] if rules_dir else None)
        own = rules_dir / "wetteksten" if rules_dir else None
        self.wetteksten = Wetteksten.load(own if own and own.is_dir() else None)
        """The vendored law texts (beside the packs when the rules folder has them)."""
        self.sessions = sessions
        self.read_sessions = read_sessions
        self._pinned: OrderedDict[tuple[str, ...], Engine] = OrderedDict()
        self._lock = threading.Lock()
        self.current_key = tuple(sorted("sha256:" + lp.sha256 for lp in self.current.rules.packs))

    def store_current(self) -> None:
        """Keep every pack version in force by content hash (idempotent, race-safe)."""
        for lp in self.current.rules.packs:
            digest = "sha256:" + lp.sha256
            with self.sessions() as session:
                if session.get(PakketVersie, digest) is not None:
                    continue
                session.add(PakketVersie(hash=digest, pakket_id=lp.id,
                                         versie=lp.pack.regelpakket.versie,
                                         bron=Path(lp.source).name, inhoud=lp.raw,
                                         opgeslagen=now()))
                try:
                    session.commit()
                except IntegrityError:
                    session.rollback()  # another worker stored it first

    def pinned(self, hashes: list[str]) -> Engine:
        key = tuple(sorted(hashes))
        if key == self.current_key:
            return self.current
        with self._lock:
            found = self._pinned.get(key)
            if found is not None:
                self._pinned.move_to_end(key)
                return found
        with self.read_sessions() as session:
            rows = session.scalars(select(PakketVersie).where(PakketVersie.hash.in_(key))).all()
        if len(rows) != len(key):
            raise ApiProblem(409, "Niet alle vastgepinde pakketversies zijn opgeslagen; "
                                  "herhalen is niet mogelijk.")
        eng = Engine.from_sources([(f"{r.pakket_id}@{r.hash[7:19]}/{r.bron}", r.inhoud)
                                   for r in rows])
        with self._lock:
            self._pinned[key] = eng
            while len(self._pinned) > PINNED_CACHE:
                _, old = self._pinned.popitem(last=False)
                old.close()
        return eng
