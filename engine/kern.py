"""The kern of an advies: the compact decision record (issue 13), specified in `docs/kern.md`.

The full trace is a deterministic function of the casus, the pinned packs and the engine
version; what it adds to the decision (condition trees, texts, citations, parameters) can be
rendered again from those. The kern keeps only what was decided, so it is what is worth storing,
hashing and chaining: per effect the step-2 outcome, per instrument its status, markering, the
grounds that gave it (by rule id, with how each stood), the facts still to ask and the
termijnen that apply; and what binds it to its inputs (the casus hash, the pack hashes, the
engine version, the peildatum and the gemeente).

The kern is defined as a projection of the full trace (`kern_van`). `kern` builds the same
record without rendering the full trace (the evaluator decides only); the tests hold the two
equal, byte for byte, on every public example and on generated casussen, on both backends.
"""

from __future__ import annotations

from typing import Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field

from engine.casus import Casus
from engine.evaluate import Backend, evaluate_advies, trace_hash
from engine.regime import RuleBase
from engine.semantics import Markering
from engine.trace import Status
from engine.version import __version__

VormKern = Literal["omgekeerde-toets/kern/1"]
VORM: str = get_args(VormKern)[0]
"""The format's name and version: a reader refuses a kern of a form it does not know."""


class _K(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


Vraag = int | str
"""A question: its position in the casus's `nog_uitvragen` (a fact address when it is not
there, which the evaluator never does)."""


class KernInstrument(_K):
    """One instrument of an effect; an empty list is left out of the stored form."""

    id: str
    status: Status
    markering: list[Markering] = []
    redenen: list[tuple[str, str]] = Field(
        default=[], description="[soort:id, stand]: the grounds that gave the status")
    vragen: list[Vraag] = []
    termijnen: list[tuple[str, Literal["ja", "onbekend"]]] = []


class KernEffect(_K):
    id: str
    wetten: dict[str, Literal["ja", "onbekend"]] = Field(description="step 2 per law involved")
    domeinen: list[str]
    mogelijke_domeinen: list[str]
    vragen: list[Vraag]
    instrumenten: list[KernInstrument]


class KernStap2(_K):
    domeinen: list[str]
    mogelijke_domeinen: list[str]
    integraal_overleg: bool
    effecten_zonder_grondwaarde: list[str]


class Kern(_K):
    """The compact decision record (docs/kern.md): what the advies decided and what binds it
    to its inputs. A reader refuses a `vorm` it does not know."""

    vorm: VormKern
    engine: str
    peildatum: str
    gemeente: str | None
    lokaal_beleid: list[str]
    pakketten: list[tuple[str, str, str]] = Field(description="[id, versie, sha256:…]")
    casus: str = Field(description="sha256 of the casus as evaluated (canonical JSON)")
    stap2: KernStap2
    nog_uitvragen: list[str]
    effecten: list[KernEffect]


def kern_van(trace: dict[str, Any]) -> dict[str, Any]:
    """The kern of a full trace (a receipt without or with its `trace_hash`)."""
    gemeente = trace.get("gemeente") or {}
    return _kern(engine=trace["engine"]["versie"], peildatum=trace["peildatum"],
                 gemeente=gemeente.get("code"),
                 lokaal_beleid=list(gemeente.get("lokaal_beleid", [])),
                 pakketten=[[p["id"], p["versie"], p["hash"]] for p in trace["pakketten"]],
                 casus=trace_hash(trace["casus"]), advies=trace["advies"])


def kern(casus: Casus, rules: RuleBase, backend: Backend) -> dict[str, Any]:
    """The kern of a casus, decided without rendering the full trace (`evaluate_advies` with
    `volledig=False`): the same record as `kern_van(evaluate(…).trace)`, at a fraction of the
    work. The tests hold the two equal on every public example and on generated casussen."""
    regime, advies, _ = evaluate_advies(casus, rules, backend, volledig=False)
    return _kern(engine=__version__, peildatum=casus.peildatum.isoformat(),
                 gemeente=casus.gemeente, lokaal_beleid=list(regime.overlays),
                 pakketten=[[lp.id, lp.pack.regelpakket.versie, "sha256:" + lp.sha256]
                            for lp in regime.packs],
                 casus=trace_hash(casus.model_dump(mode="json", exclude_none=True)),
                 advies=advies)


def _kern(*, engine: str, peildatum: str, gemeente: str | None, lokaal_beleid: list[str],
          pakketten: list[list[str]], casus: str, advies: dict[str, Any]) -> dict[str, Any]:
    vragen = [v["feit"] for v in advies["nog_uitvragen"]]
    index = {feit: i for i, feit in enumerate(vragen)}
    return {
        "vorm": VORM,
        "engine": engine,
        "peildatum": peildatum,
        "gemeente": gemeente,
        "lokaal_beleid": lokaal_beleid,
        "pakketten": pakketten,
        "casus": casus,
        "stap2": {k: advies["stap2"][k] for k in ("domeinen", "mogelijke_domeinen",
                                                  "integraal_overleg",
                                                  "effecten_zonder_grondwaarde")},
        "nog_uitvragen": vragen,
        "effecten": [_effect(e, index) for e in advies["effecten"]],
    }


def kern_hash(kern: dict[str, Any]) -> str:
    """SHA-256 of the kern's canonical JSON (sorted keys, no whitespace, UTF-8 kept): the one
    hash of the receipt (`engine.evaluate.trace_hash`), so both are verified alike."""
    return trace_hash(kern)


def _effect(effect: dict[str, Any], index: dict[str, int]) -> dict[str, Any]:
    """Questions as positions in the casus's ranked list (every fact an effect still asks is in
    it). The instruments not in the advies are not listed: they are every other instrument of
    the pinned packs, and why is rendered with the full trace."""
    stap2 = effect["stap2"]
    return {
        "id": effect["id"],
        "wetten": {w["pakket"]: w["uitkomst"] for w in stap2["wetten"]},
        "domeinen": stap2["domeinen"],
        "mogelijke_domeinen": stap2["mogelijke_domeinen"],
        "vragen": [index.get(v["feit"], v["feit"]) for v in effect["nog_uitvragen"]],
        "instrumenten": [_instrument(i, index) for i in effect["stap4"]["instrumenten"]],
    }


def _instrument(ins: dict[str, Any], index: dict[str, int]) -> dict[str, Any]:
    """Status first; the rest only when it says something (an empty list is left out)."""
    out: dict[str, Any] = {"id": ins["id"], "status": ins["status"]}
    if ins["markering"]:
        out["markering"] = ins["markering"]
    if ins["redenen"]:
        out["redenen"] = [[f"{r['soort']}:{r['id']}", r["stand"]] for r in ins["redenen"]]
    if ins["nog_uitvragen"]:
        out["vragen"] = [index.get(feit, feit) for feit in ins["nog_uitvragen"]]
    termijnen = [[t["id"], t["uitkomst"]] for t in ins["termijnen"] if t["uitkomst"] != "nee"]
    if termijnen:
        out["termijnen"] = termijnen
    return out
