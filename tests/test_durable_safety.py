"""Regression tests for the durable-rules crashes in ../shared/domain/durable-rules.md.

Each crash is shown to exist in the raw library (a control run in a subprocess, which would fail
if a future durable-rules fixed it) and to be avoided by the engine's safe pattern.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
import threading
from pathlib import Path
from typing import Any

import pytest

from engine import Engine, EngineError
from engine.durable_backend import MAX_LIVE_SESSIONS, DurableSession

FIXTURE = Path(__file__).parent / "fixtures" / "basis"
CASUS = {"peildatum": "2025-06-01", "personen": [{"id": "p1", "rol": "aanvrager"}],
         "gewenste_effecten": [{"id": "e1", "omschrijving": "x", "leefgebied": "justitie"}]}


def run(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True,
                          text=True, timeout=300)


RAW_HOST = """
from durable import engine
class SyncHost(engine.Host):
    def _run(self): pass
h = SyncHost()
h.register_rulesets({'rs': {'r': {'all': [{'m': {'kind': 'x'}}], 'run': lambda c: None}}})
"""


def test_crash_a_exists_in_raw_library() -> None:
    """delete_state on a session in which no action ran segfaults."""
    proc = run(RAW_HOST + """
try:
    h.assert_fact('rs', {'sid': 's1', 'id': 'f1', 'kind': 'nothing'})
except Exception:
    pass
h.delete_state('rs', 's1')
""")
    assert proc.returncode == -11, proc.stderr


def test_crash_a_avoided_by_sentinel() -> None:
    """An evaluation in which no condition matches still deletes its session safely."""
    proc = run(f"""
from engine import Engine
eng = Engine.load([__import__('pathlib').Path({str(FIXTURE)!r})])
for _ in range(200):
    r = eng.advies({CASUS!r})
    assert r.firings >= 1
print('ok')
""")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "ok"


def test_crash_b_exists_in_raw_library() -> None:
    """Session 1,025 of a ruleset (1,024 live) raises MemoryError."""
    proc = run(RAW_HOST + """
n = 0
try:
    for i in range(1100):
        h.assert_fact('rs', {'sid': f's{i}', 'id': 'f1', 'kind': 'x'})
        n += 1
except MemoryError:
    print('memoryerror at', n)
""")
    assert "memoryerror at 1024" in proc.stdout, proc.stdout + proc.stderr


def test_crash_b_avoided_sessions_are_bounded_and_deleted() -> None:
    assert MAX_LIVE_SESSIONS < 1024
    proc = run(f"""
from engine import Engine
from engine.api import durable_backend
eng = Engine.load([__import__('pathlib').Path({str(FIXTURE)!r})])
for i in range(3000):
    eng.advies({CASUS!r})
    assert durable_backend().live_sessions == 0
print('ok')
""")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "ok"


def test_crash_c_no_background_threads(basis: Engine) -> None:
    """The default durable host starts dispatcher timer threads that segfault under load;
    ours starts none."""
    before = {t.name for t in threading.enumerate()}
    for _ in range(20):
        basis.advies(CASUS)
    after = {t.name for t in threading.enumerate()}
    assert after == before
    assert not any(isinstance(t, threading.Timer) for t in threading.enumerate())


def test_error_in_action_is_reported_and_session_released(
        basis: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    class Exploding(dict[Any, Any]):
        def __setitem__(self, key: Any, value: Any) -> None:
            raise RuntimeError("boom")

    original = DurableSession.start

    def start(self: DurableSession, records: Any) -> None:
        self.cells = Exploding()
        original(self, records)

    monkeypatch.setattr(DurableSession, "start", start)
    data = {**CASUS, "gewenste_effecten": [{"id": "e1", "omschrijving": "x",
                                            "leefgebied": "mobiliteit"}],
            "personen": [{"id": "p1", "rol": "aanvrager", "leeftijd": 40}]}
    with pytest.raises(EngineError, match="boom"):
        basis.advies(data)
    monkeypatch.undo()
    from engine.api import durable_backend
    assert durable_backend().live_sessions == 0  # type: ignore[attr-defined]
    assert basis.advies(data).trace_hash  # the backend still works afterwards


def test_identical_people_stay_two_facts(basis: Engine) -> None:
    """Twins with the same facts: explicit fact ids keep them apart (no MessageObserved)."""
    twin = {"rol": "kind", "leeftijd": 19, "jeugdhulp_voor_18": True}
    data = {"peildatum": "2024-06-01",
            "personen": [{"id": "p1", "rol": "aanvrager"}, {"id": "k1", **twin},
                         {"id": "k2", **twin}],
            "gewenste_effecten": [
                {"id": "e1", "omschrijving": "x", "leefgebied": "mobiliteit", "persoon": "k1"},
                {"id": "e2", "omschrijving": "x", "leefgebied": "mobiliteit", "persoon": "k2"}]}
    r = basis.advies(data)
    statuses = [next(i["status"] for i in e["stap4"]["instrumenten"] if i["id"] == "basis.oud")
                for e in r.advies["effecten"]]
    assert statuses == ["past", "past"]


def test_released_rulesets_are_freed_and_rebuilt() -> None:
    """Discarding a rule base frees its rulesets (a rebuild otherwise leaks ~0.8 MiB)."""
    proc = run(f"""
import resource
from pathlib import Path
from engine import Engine
from engine.api import durable_backend
def rss():
    return int(open('/proc/self/statm').read().split()[1]) * resource.getpagesize() / 2**20
src = [(str(p), p.read_bytes()) for p in Path({str(FIXTURE)!r}).glob('*.yaml')]
for i in range(30):
    eng = Engine.from_sources(src); eng.advies({CASUS!r}); eng.close()
start = rss()
for i in range(300):
    eng = Engine.from_sources(src)
    assert eng.advies({CASUS!r}).trace_hash
    eng.close()
print(round(rss() - start, 1), len(durable_backend().handles))
""")
    assert proc.returncode == 0, proc.stderr
    growth, handles = proc.stdout.split()
    assert handles == "0"
    assert float(growth) < 15, growth


def test_a_dropped_rule_base_frees_its_rulesets_without_close() -> None:
    """A rule base that is simply dropped (a test's app, a reload that forgets `close`) has its
    rulesets deleted once it is collected: the CI suite grew to 9 GB when every engine loaded by
    a test kept its rulesets on the C side for the rest of the process."""
    proc = run(f"""
import gc, resource
from pathlib import Path
from engine import Engine
from engine.api import durable_backend
def rss():
    return int(open('/proc/self/statm').read().split()[1]) * resource.getpagesize() / 2**20
src = [(str(p), p.read_bytes()) for p in Path({str(FIXTURE)!r}).glob('*.yaml')]
for i in range(30):
    eng = Engine.from_sources(src); eng.advies({CASUS!r}); del eng; gc.collect()
start = rss()
for i in range(300):
    eng = Engine.from_sources(src)
    assert eng.advies({CASUS!r}).trace_hash
    del eng
    gc.collect()
print(round(rss() - start, 1), len(durable_backend().handles))
""")
    assert proc.returncode == 0, proc.stderr
    growth, handles = proc.stdout.split()
    assert int(handles) <= 1  # the last engine's, deleted at the next session start
    assert float(growth) < 15, growth


def test_many_thresholds_stay_inside_the_alpha_stack(tmp_path: Path) -> None:
    """Sixty thresholds on each of two numbers and a value above all of them: flat threshold
    rules overflow durable-rules' 64-deep alpha stack (error 303); decision paths do not."""
    instruments = []
    for i in range(60):
        instruments.append(f"""
  - id: t.i{i}
    naam: I{i}
    soort: uitkering
    trede: maatwerk
    rechtsgrond: {{bwb_id: BWBR0015703, artikel: "35"}}
    grondwaarden: [t.doel]
    voorwaarden:
      - {{id: a, uitleg: "Inkomen.", rechtsgrond: {{bwb_id: BWBR0015703, artikel: "35"}},
         toets: {{feit: huishouden.netto_inkomen_maand, op: ">=", waarde: {100 * i}}}}}
      - {{id: b, uitleg: "Schulden.", rechtsgrond: {{bwb_id: BWBR0015703, artikel: "35"}},
         toets: {{feit: financien.schulden_totaal, op: "<", waarde: {500 * i}}}}}""")
    pack = tmp_path / "t"
    pack.mkdir()
    (pack / "t.yaml").write_text("""
regelpakket: {id: t, naam: T, domein: T, bwb_id: BWBR0015703, versie: "1",
              geldig_vanaf: 2024-01-01}
grondwaarden:
  - id: t.doel
    tekst: Doel
    rechtsgrond: {bwb_id: BWBR0015703, artikel: "7"}
    toets: {feit: effect.leefgebied, op: "=", waarde: financien}
instrumenten:""" + "".join(instruments), "utf-8")
    eng = Engine.load([pack])
    data = {"peildatum": "2025-06-01", "huishouden": {"netto_inkomen_maand": 99999},
            "financien": {"schulden_totaal": 99999},
            "personen": [{"id": "p1", "rol": "aanvrager"}],
            "gewenste_effecten": [{"id": "e1", "omschrijving": "x", "leefgebied": "financien"}]}
    durable = eng.advies(data)
    assert durable.trace_json == eng.with_backend("oracle").advies(data).trace_json
    assert all(i["status"] == "past_niet" for i in durable.advies["effecten"][0]["stap4"][
        "instrumenten"])
