"""Replay a stored receipt: check its integrity, re-evaluate, and list exact differences.

An auditor (or a bezwaar-en-beroep lawyer) holds a receipt years later. Replay answers three
questions: is the receipt intact (its hash matches its content)? Were the same pack versions used
(content hashes)? Does evaluating the stored casus again give the byte-identical trace?
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from engine.api import Engine
from engine.evaluate import trace_hash


@dataclass
class ReplayResult:
    intact: bool
    same_packs: bool
    identical: bool
    trace_hash: str
    differences: list[str] = field(default_factory=list)


def diff(old: Any, new: Any, path: str = "", limit: int = 200) -> list[str]:
    """Readable paths where two JSON values differ (`advies.effecten[0].stap4…: a → b`)."""
    out: list[str] = []
    if isinstance(old, dict) and isinstance(new, dict):
        for key in sorted(set(old) | set(new)):
            sub = f"{path}.{key}" if path else str(key)
            if key not in old:
                out.append(f"{sub}: (nieuw) {_short(new[key])}")
            elif key not in new:
                out.append(f"{sub}: (verdwenen) {_short(old[key])}")
            else:
                out.extend(diff(old[key], new[key], sub, limit))
            if len(out) >= limit:
                break
    elif isinstance(old, list) and isinstance(new, list):
        for i in range(max(len(old), len(new))):
            sub = f"{path}[{i}]"
            if i >= len(old):
                out.append(f"{sub}: (nieuw) {_short(new[i])}")
            elif i >= len(new):
                out.append(f"{sub}: (verdwenen) {_short(old[i])}")
            else:
                out.extend(diff(old[i], new[i], sub, limit))
    elif old != new or type(old) is not type(new):
        out.append(f"{path}: {_short(old)} → {_short(new)}")
    return out[:limit]


def _short(v: Any) -> str:
    text = repr(v)
    return text if len(text) <= 80 else text[:77] + "..."


class NotAReceipt(ValueError):
    """The document is neither a receipt nor an advies as the API returns it."""


def receipt_from(document: Any) -> dict[str, Any]:
    """The receipt (trace + `trace_hash`) inside what an auditor was given.

    Accepts the two shapes the system hands out: the receipt of `ot advies --json` (the trace
    with its `trace_hash` beside it) and an advies as `GET /v1/adviezen/{id}` returns it (the
    trace under `trace`, the hash beside it). Anything else is refused with what is missing,
    never a `KeyError`.
    """
    if not isinstance(document, dict):
        raise NotAReceipt("verwacht een JSON-object: het bewijsstuk van `ot advies --json` of "
                          "een advies van GET /v1/adviezen/{id}")
    if document.get("gewist"):
        gewist = document["gewist"]
        when = gewist.get("tijdstip", "?") if isinstance(gewist, dict) else "?"
        raise NotAReceipt(f"dit advies is gewist (AVG) op {when}: de casus en de trace zijn er "
                          "niet meer, herhalen kan niet; de keten bewaart alleen de hashes")
    if isinstance(document.get("trace"), dict):
        if not isinstance(document.get("trace_hash"), str):
            raise NotAReceipt("het advies heeft een 'trace' maar geen 'trace_hash'")
        return {**document["trace"], "trace_hash": document["trace_hash"]}
    missing = [k for k in ("casus", "pakketten", "advies", "trace_hash") if k not in document]
    if missing:
        raise NotAReceipt(f"geen bewijsstuk: {', '.join(repr(k) for k in missing)} ontbreekt "
                          "(verwacht de uitvoer van `ot advies --json`, of een advies van "
                          "GET /v1/adviezen/{id} met 'trace' en 'trace_hash')")
    return document


def _pack_refs(pakketten: Any) -> set[tuple[Any, Any]] | None:
    """The (id, hash) pairs a receipt names; None when `pakketten` is not the list of objects
    the engine writes (a tampered receipt is reported as not the same packs, never a crash)."""
    if not isinstance(pakketten, list) or not all(isinstance(p, dict) for p in pakketten):
        return None
    return {(p.get("id"), p.get("hash")) for p in pakketten}


def replay(receipt: dict[str, Any], eng: Engine) -> ReplayResult:
    """Re-evaluate the receipt's casus with `eng` and compare with the stored trace."""
    stored = {k: v for k, v in receipt.items() if k != "trace_hash"}
    intact = trace_hash(stored) == receipt.get("trace_hash")
    new = eng.advies(stored["casus"])
    packs_then = _pack_refs(stored.get("pakketten"))
    packs_now = {(p["id"], p["hash"]) for p in new.trace["pakketten"]}
    differences = diff(stored, new.trace)
    return ReplayResult(intact=intact, same_packs=packs_then == packs_now,
                        identical=not differences and intact, trace_hash=new.trace_hash,
                        differences=differences)
