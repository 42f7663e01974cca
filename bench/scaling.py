"""Scaling: how the cost of an advies grows with the rules and with the casus.

    python bench/scaling.py [--runs 200] [--write docs/performance.md]

* rules: the bundled packs plus a generated pack of 0×, 10× and 100× the bundled number of
  instruments (each with three conditions on contract facts, thresholds drawn from a fixed,
  seeded set; relevant to effects on leefgebied financien);
* casus: 1, 10 and 50 gewenste effecten (household of six).

It also shows where durable-rules' limits bite: 4,096 rules per ruleset (the engine refuses to
compile beyond it, with a clear error, before durable-rules would) and 1,024 live sessions per
ruleset (the engine keeps at most 256, in practice one per process).
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import random
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml

from engine import Engine, EngineError
from engine.loader import DEFAULT_RULES_DIR

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT.parent / "shared" / "examples"
if not EXAMPLES.is_dir():
    EXAMPLES = ROOT / "examples"

FACTS = [("persoon.leeftijd", list(range(16, 80, 3))),
         ("huishouden.netto_inkomen_maand", list(range(800, 3200, 100))),
         ("financien.schulden_totaal", list(range(0, 40000, 2500))),
         ("financien.aantal_schuldeisers", list(range(1, 20)))]


def synth_pack(n: int, folder: Path) -> Path:
    rng = random.Random(n)
    instruments = []
    for i in range(n):
        conds = []
        for j in range(3):
            fact, values = rng.choice(FACTS)
            conds.append({"id": f"c{j}", "uitleg": "Gegenereerde voorwaarde.",
                          "rechtsgrond": {"bwb_id": "BWBR0015703", "artikel": "35"},
                          "toets": {"feit": fact, "op": rng.choice(["<", ">=", "<="]),
                                    "waarde": rng.choice(values)}})
        instruments.append({
            "id": f"synth.i{i}", "naam": f"Gegenereerd instrument {i}", "soort": "uitkering",
            "trede": "maatwerk", "rechtsgrond": {"bwb_id": "BWBR0015703", "artikel": "35"},
            "grondwaarden": ["synth.doel"],
            "toepassing": {"feit": "effect.leefgebied", "op": "=", "waarde": "financien"},
            "voorwaarden": conds})
    pack = {"regelpakket": {"id": "synth", "naam": "Gegenereerd", "domein": "Synthetisch",
                            "bwb_id": "BWBR0015703", "versie": "1",
                            "geldig_vanaf": dt.date(2025, 1, 1)},
            "grondwaarden": [{"id": "synth.doel", "tekst": "Gegenereerd doel.",
                              "rechtsgrond": {"bwb_id": "BWBR0015703", "artikel": "7"},
                              "toets": {"feit": "effect.leefgebied", "op": "=",
                                        "waarde": "financien"}}],
            "instrumenten": instruments}
    target = folder / f"synth{n}"
    target.mkdir()
    (target / "synth.yaml").write_text(yaml.safe_dump(pack, allow_unicode=True), "utf-8")
    return target


def casus_with(effects: int) -> dict[str, Any]:
    gebieden = ["financien", "mobiliteit", "werk_en_opleiding", "opvoeden_en_opgroeien",
                "instrumentele_adl", "huisvesting", "tijdsbesteding", "geestelijke_gezondheid"]
    people = [{"id": "p1", "rol": "aanvrager", "leeftijd": 44, "woont_in_gemeente": True,
               "verblijfsstatus": "nederlander", "beperkingen": ["lichamelijk"]},
              {"id": "p2", "rol": "partner", "leeftijd": 41, "woont_in_gemeente": True},
              *({"id": f"k{i}", "rol": "kind", "leeftijd": 3 + 3 * i} for i in range(4))]
    return {"peildatum": "2026-11-02",
            "huishouden": {"samenstelling": "paar_met_kinderen", "netto_inkomen_maand": 1700},
            "financien": {"schulden_totaal": 12000, "aantal_schuldeisers": 5},
            "personen": people,
            "gewenste_effecten": [{"id": f"e{i + 1}", "omschrijving": "Een gewenst effect.",
                                   "leefgebied": gebieden[i % len(gebieden)],
                                   "persoon": people[i % len(people)]["id"]}
                                  for i in range(effects)]}


def p50(eng: Engine, data: dict[str, Any], runs: int) -> tuple[float, int, int]:
    for _ in range(5):
        r = eng.advies(data)
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        r = eng.advies(data)
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times), r.firings, len(r.trace_json)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--write", type=Path)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="ot-scaling-"))
    base = Engine.load()
    n_base = len(base.rules.regime(dt.date(2026, 11, 2)).instrumenten)
    gezin = base.casus_file(EXAMPLES / "gezin-meervoudig.yaml")
    lines = ["| extra instruments | instruments | durable rules | compile ms | durable p50 ms "
             "| oracle p50 ms | firings | trace KB |", "|---|---|---|---|---|---|---|---|"]
    for factor in (0, 10, 100):
        paths = [DEFAULT_RULES_DIR] + ([synth_pack(factor * n_base, folder)] if factor else [])
        eng = Engine.load(paths)
        regime = eng.rules.regime(dt.date(2026, 11, 2))
        t = time.perf_counter()
        try:
            eng.advies(gezin)
        except EngineError as exc:
            lines.append(f"| {factor}× ({factor * n_base}) | {len(regime.instrumenten)} | "
                         f"refused | – | – | – | – | – |")
            print(f"{factor}×: {exc}")
            continue
        compile_ms = (time.perf_counter() - t) * 1000
        gc.freeze()
        d, firings, size = p50(eng, gezin, args.runs)
        o, _, _ = p50(eng.with_backend("oracle"), gezin, args.runs)
        lines.append(f"| {factor}× ({factor * n_base}) | {len(regime.instrumenten)} | "
                     f"{regime.backend_state.get('durable_rules')} | {compile_ms:.0f} | {d:.2f} "
                     f"| {o:.2f} | {firings} | {size // 1024} |")
        print(lines[-1], flush=True)
    effect_lines = ["| effecten | durable p50 ms | oracle p50 ms | firings | trace KB |",
                    "|---|---|---|---|---|"]
    for n in (1, 10, 50):
        data = casus_with(n)
        d, firings, size = p50(base, data, max(20, args.runs // n))
        o, _, _ = p50(base.with_backend("oracle"), data, max(20, args.runs // n))
        effect_lines.append(f"| {n} | {d:.2f} | {o:.2f} | {firings} | {size // 1024} |")
        print(effect_lines[-1], flush=True)
    text = ("\n## Scaling\n\nMade by `python bench/scaling.py`. Rules: the largest public "
            "example (gezin-meervoudig) against the bundled packs plus a generated pack of "
            "0×, 10× and 100× the bundled instruments. Casus: a household of six with 1, 10 "
            "and 50 gewenste effecten.\n\n" + "\n".join(lines) + "\n\n"
            + "\n".join(effect_lines) + "\n")
    print(text)
    if args.write:
        with args.write.open("a", encoding="utf-8") as f:
            f.write(text)


if __name__ == "__main__":
    main()
