"""The engines the service evaluates with: the packs in force (from disk) and pinned versions.

Every pack version the service has used is stored by content hash (`pakket_versies`), so a
replay years later rebuilds the exact rule base from the database, whatever is on disk now.
Pinned engines are cached per process (a few, least recently used first out, their compiled
rulesets freed); nothing here is needed by another worker.

Activating the packs on disk (`store_current`, at start) is refused, and the service does not
start, when a pack's YAML tests fail or when its `regelpakket.versie` is already stored with
other content: a version number names one exact text, so an advies that cites "wmo 2026.1"
means one thing forever. A passed run of the YAML tests is kept (`pakkettest_runs`), so a
restart on the same engine code, packs and tests activates at once.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session, sessionmaker

from engine import Engine, Problem
from engine.loader import LoadedPack
from engine.version import code_digest
from engine.wettekst import Wetteksten
from engine.yamlsource import YamlError, parse_yaml
from engine.yamltests import YamlTestResult, find_test_files, run_files
from service.db import PakketTestRun, PakketVersie, now
from service.problems import ApiProblem

log = logging.getLogger("service")
PINNED_CACHE = 8
STORED_CACHE = 16
SHOWN_FAILURES = 10


class PackActivationError(RuntimeError):
    """The packs on disk may not be activated; raised at start, so the service does not start."""


def _test_files(engine: Engine) -> list[Path]:
    dirs = sorted({Path(lp.source).parent for lp in engine.rules.packs})
    return sorted(set(find_test_files(dirs)))


def _digests(files: list[Path]) -> list[tuple[str, Path]]:
    """Each test file's content hash, with the file: the two keys below read them once each."""
    return [(hashlib.sha256(f.read_bytes()).hexdigest(), f) for f in files]


_Key = tuple[str, tuple[str, ...], tuple[str, ...]]
_RESULTS: dict[_Key, tuple[list[YamlTestResult], list[Problem]]] = {}
_RUNS: dict[_Key, threading.Lock] = {}
_RUNS_LOCK = threading.Lock()
"""The YAML tests' outcome per (backend, packs, test files: content hash and path) in this
process. The start runs them (`failing_pack_tests`), so `POST /v1/regelpakketten/_test` on the
packs in force answers at once instead of running 800 tests (17 s) again, and callers that come
together wait for one run instead of each taking the CPU (a second app on the same folder in the
same process, the test suite, does not pay again either). The path is in the key because the
results name their files: the same content in another folder (a second rules copy) must not
answer with the first folder's paths (CI of stop 30: "(map)" instead of "regelpakket 'wmo'")."""


def pack_tests(engine: Engine) -> tuple[list[YamlTestResult], list[Problem]]:
    """Run the YAML tests beside the packs (`<pack folder>/tests/*.yaml`), as `ot test` does,
    once per set of packs and test files (`_RESULTS`). The lists are shared: read only."""
    files = _test_files(engine)
    key = (engine.backend_name,
           tuple(sorted(lp.sha256 + lp.source for lp in engine.rules.packs)),
           tuple(sorted(digest + str(f) for digest, f in _digests(files))))
    with _RUNS_LOCK:
        run = _RUNS.setdefault(key, threading.Lock())
    with run:
        if key not in _RESULTS:
            _RESULTS[key] = run_files(engine, files)
        return _RESULTS[key]


def pack_tests_key(engine: Engine) -> str:
    """The key of a passed run of these YAML tests (`pakkettest_runs`): the engine's code, the
    backend, the packs' contents and the test files' contents (not their paths: a pass does not
    depend on where the folder is)."""
    material = {"engine": code_digest(), "backend": engine.backend_name,
                "pakketten": sorted(lp.sha256 for lp in engine.rules.packs),
                "tests": sorted(digest for digest, _ in _digests(_test_files(engine)))}
    return "sha256:" + hashlib.sha256(json.dumps(material, sort_keys=True).encode()).hexdigest()


def _short(file: str) -> str:
    """`wmo/tests/x.yaml`: where a test lives, the same whatever folder the rules are in."""
    p = Path(file)
    return f"{p.parent.parent.name}/{p.parent.name}/{p.name}"


def failing_pack_tests(engine: Engine) -> list[str]:
    """Every failing YAML test (and broken test file) as a readable line naming its pack."""
    if not _test_files(engine):
        log.warning("geen YAML-tests naast de regelpakketten gevonden: niets getest bij de start")
    pack_of = {Path(lp.source).parent: lp for lp in engine.rules.packs}
    results, problems = pack_tests(engine)

    def owner(file: str) -> str:
        lp = pack_of.get(Path(file).parent.parent)
        return f"regelpakket '{lp.id}' versie {lp.pack.regelpakket.versie}" if lp else "(map)"

    lines = [f"{owner(r.file)}: test '{r.naam}' ({_short(r.file)}:{r.line}) faalt: "
             + "; ".join(r.failures) for r in results if not r.ok]
    lines += [f"{owner(p.bestand or '')}: testbestand {_short(p.bestand or '?')}:{p.regel}: "
              f"{p.melding}" for p in problems]
    return lines


@dataclass(frozen=True)
class StoredVersion:
    """One stored pack version: what the database holds, plus its `regelpakket` header read
    from the YAML itself (not validated against today's rule language, so that a version
    written for an older grammar stays readable)."""

    hash: str
    pakket_id: str
    versie: str
    bron: str
    opgeslagen: str
    inhoud: bytes
    kop: dict[str, Any]
    instrumenten: int
    grondwaarden: int


def _read_header(raw: bytes, source: str) -> tuple[dict[str, Any], int, int]:
    try:
        data = parse_yaml(raw, source=source).data
    except YamlError:
        return {}, 0, 0
    if not isinstance(data, dict):
        return {}, 0, 0
    kop = data.get("regelpakket")

    def count(name: str) -> int:
        found = data.get(name)
        return len(found) if isinstance(found, list) else 0

    return (kop if isinstance(kop, dict) else {}), count("instrumenten"), count("grondwaarden")


def stored_engine(session: Session, hashes: tuple[str, ...] | list[str]) -> Engine:
    """An engine of exactly these stored pack versions (by content hash), uncached: for a
    process without `Engines` (an impact job, the CLI). 409 when one is not stored."""
    key = sorted(set(hashes))
    rows = session.scalars(select(PakketVersie).where(PakketVersie.hash.in_(key))).all()
    if len(rows) != len(key):
        raise ApiProblem(409, "Niet alle vastgepinde pakketversies zijn opgeslagen; "
                              "herhalen is niet mogelijk.")
    return Engine.from_sources([(f"{r.pakket_id}@{r.hash[7:19]}/{r.bron}", r.inhoud)
                                for r in rows])


class Engines:
    def __init__(self, rules_dir: Path | None, sessions: sessionmaker[Session],
                 read_sessions: sessionmaker[Session], *, yaml_tests: bool = True):
        self.current = Engine.load([rules_dir] if rules_dir else None)
        own = rules_dir / "wetteksten" if rules_dir else None
        self.wetteksten = Wetteksten.load(own if own and own.is_dir() else None)
        """The vendored law texts (beside the packs when the rules folder has them)."""
        self.sessions = sessions
        self.read_sessions = read_sessions
        self.yaml_tests = yaml_tests
        """Run the packs' YAML tests before activating them (`OT_PAKKETTESTS_BIJ_START`)."""
        self._pinned: OrderedDict[tuple[str, ...], Engine] = OrderedDict()
        self._stored: OrderedDict[str, StoredVersion] = OrderedDict()
        self._lock = threading.Lock()
        self.current_key = tuple(sorted("sha256:" + lp.sha256 for lp in self.current.rules.packs))

    def store_current(self) -> None:
        """Activate the packs in force: check them (YAML tests, versions), then keep every
        version by content hash (idempotent, race-safe). Raises `PackActivationError`, naming
        the pack, before anything is stored."""
        key = pack_tests_key(self.current) if self.yaml_tests else None
        with self.read_sessions() as session:
            conflicts = [c for lp in self.current.rules.packs
                         if (c := self._version_conflict(session, lp))]
            earlier = session.get(PakketTestRun, key) if key else None
        if conflicts:
            raise self._refuse("\n".join(conflicts))
        passed: PakketTestRun | None = None
        if key:
            if earlier is not None:
                log.info("YAML-tests van de regelpakketten: %d geslaagd op %s met deze engine, "
                         "pakketten en tests; niet opnieuw gedraaid", earlier.tests,
                         earlier.opgeslagen)
            else:
                failures = failing_pack_tests(self.current)
                if failures:
                    more = len(failures) - SHOWN_FAILURES
                    raise self._refuse("YAML-tests van de regelpakketten falen; de pakketten "
                                       "worden niet geactiveerd:\n  " + "\n  ".join(
                                           failures[:SHOWN_FAILURES])
                                       + (f"\n  … en nog {more}" if more > 0 else ""))
                results, _ = pack_tests(self.current)
                passed = PakketTestRun(sleutel=key, engine=code_digest(),
                                       backend=self.current.backend_name,
                                       tests=len(results), opgeslagen=now())
        with self.sessions() as session:
            # check again and store in one writer transaction: two workers starting at once
            # with different bytes under one version cannot both pass the check above
            if session.get_bind().dialect.name == "postgresql":
                session.execute(text("LOCK TABLE pakket_versies IN SHARE ROW EXCLUSIVE MODE"))
            # (SQLite: the writer's transaction is BEGIN IMMEDIATE, so it is serial already)
            conflicts = [c for lp in self.current.rules.packs
                         if (c := self._version_conflict(session, lp))]
            if conflicts:
                session.rollback()
                raise self._refuse("\n".join(conflicts))
            for lp in self.current.rules.packs:
                digest = "sha256:" + lp.sha256
                if session.get(PakketVersie, digest) is None:
                    session.add(PakketVersie(hash=digest, pakket_id=lp.id,
                                             versie=lp.pack.regelpakket.versie,
                                             bron=Path(lp.source).name, inhoud=lp.raw,
                                             opgeslagen=now()))
                    session.flush()
            if passed is not None and session.get(PakketTestRun, passed.sleutel) is None:
                session.add(passed)
            session.commit()

    @staticmethod
    def _refuse(why: str) -> PackActivationError:
        log.error("regelpakketten niet geactiveerd; de service start niet: %s", why)
        return PackActivationError(why + "\nDe service start niet.")

    @staticmethod
    def _version_conflict(session: Session, lp: LoadedPack) -> str | None:
        """Why this pack may not be activated under its version number, or None.

        Exact bytes already stored are no new claim (they were activated before this check
        existed, or are activated again); new bytes under a stored version number are refused."""
        digest = "sha256:" + lp.sha256
        if session.get(PakketVersie, digest) is not None:
            return None
        versie = lp.pack.regelpakket.versie
        other = session.scalars(select(PakketVersie.hash).where(
            PakketVersie.pakket_id == lp.id, PakketVersie.versie == versie,
            PakketVersie.hash != digest).order_by(PakketVersie.opgeslagen)).first()
        if other is None:
            return None
        return (f"Regelpakket '{lp.id}' versie '{versie}' ({lp.source}) heeft inhoudshash "
                f"{digest}, maar versie '{versie}' van '{lp.id}' is al opgeslagen met "
                f"inhoudshash {other}. Een versie hoort bij één inhoud: verhoog "
                f"regelpakket.versie (of zet de inhoud terug).")

    def stored_version(self, digest: str) -> StoredVersion | None:
        """A stored pack version by content hash (`sha256:…`), or None; cached (immutable)."""
        with self._lock:
            found = self._stored.get(digest)
            if found is not None:
                self._stored.move_to_end(digest)
                return found
        with self.read_sessions() as session:
            row = session.get(PakketVersie, digest)
            if row is None:
                return None
            kop, instrumenten, grondwaarden = _read_header(
                row.inhoud, f"{row.pakket_id}@{row.hash[7:19]}/{row.bron}")
            found = StoredVersion(hash=row.hash, pakket_id=row.pakket_id, versie=row.versie,
                                  bron=row.bron, opgeslagen=row.opgeslagen, inhoud=row.inhoud,
                                  kop=kop, instrumenten=instrumenten, grondwaarden=grondwaarden)
        with self._lock:
            self._stored[digest] = found
            while len(self._stored) > STORED_CACHE:
                self._stored.popitem(last=False)
        return found

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
            eng = stored_engine(session, key)
        with self._lock:
            self._pinned[key] = eng
            while len(self._pinned) > PINNED_CACHE:
                _, old = self._pinned.popitem(last=False)
                old.close()
        return eng
