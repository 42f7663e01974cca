"""Evaluation leaves no state behind: RSS stays flat over many evaluations (fixture pack).

Not a timing test: it counts memory. `bench/memory.py` prints the figures for 100,000
evaluations on the bundled packs.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

FIXTURE = Path(__file__).parent / "fixtures" / "basis"


def test_rss_flat_over_many_evaluations() -> None:
    code = textwrap.dedent(f"""
        import resource
        from pathlib import Path
        from engine import Engine
        from engine.api import durable_backend

        def rss():
            with open('/proc/self/statm') as f:
                return int(f.read().split()[1]) * resource.getpagesize() / 2**20

        eng = Engine.load([Path({str(FIXTURE)!r})])
        cases = [{{'peildatum': '2025-06-01',
                   'personen': [{{'id': 'p1', 'rol': 'aanvrager', 'leeftijd': a,
                                  'beperkingen': ['lichamelijk']}}],
                   'huishouden': {{'vermogen': a * 3}},
                   'gewenste_effecten': [{{'id': 'e1', 'omschrijving': 'x',
                                           'leefgebied': 'mobiliteit'}}]}} for a in range(100)]
        for c in cases * 20:
            eng.advies(c)
        start = rss()
        for i in range(30000):
            eng.advies(cases[i % 100])
        print(start, rss(), durable_backend().live_sessions)
    """)
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=600)
    assert proc.returncode == 0, proc.stderr
    start, end, live = proc.stdout.split()
    assert float(end) - float(start) < 4.0, f"RSS grew from {start} to {end} MiB"
    assert live == "0"
