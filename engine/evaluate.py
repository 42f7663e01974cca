"""Evaluation: a casus and a rule base in, the advies (steps 2 and 4) and its trace out.

This is where a rule is evaluated. Per gewenst effect there is one context (the household, the
effect's person, the applicant, the effect itself). The backend gives each comparison a value
(durable-rules in production, the oracle in tests and benchmarks); Kleene logic combines them;
the result is a canonical JSON trace that an auditor can replay byte for byte.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

import orjson

from engine import feitadres, semantics
from engine.casus import Casus, GewenstEffect, Persoon
from engine.catalogue import (
    BELANGHEBBENDE,
    BETROKKENE,
    CLIENT,
    KIND_VAN_AANVRAGER,
    KIND_VAN_EFFECT,
    MEERDERJARIG,
    PERSON_PREFIXES,
    SCHULDEN_VAN_KIND,
    WERK_VAN_KIND,
    WERKENDE,
    Catalogue,
)
from engine.citation import Rechtsgrond
from engine.conditions import (
    UITKOMST,
    AllNode,
    AnyNode,
    DefaultNode,
    Leaf,
    LeafNode,
    Node,
    NotNode,
    Ternary,
    combine,
    undecided_leaves,
    with_default,
)
from engine.conditions import evaluate as kleene
from engine.language import TREDE_ORDER, Beslisruimte
from engine.regime import CompiledDerived, CompiledInstrument, CompiledItem, Regime, RuleBase
from engine.trace import Trace
from engine.version import __version__

FactRecord = tuple[str, str, dict[str, Any]]


class Session(Protocol):
    firings: int

    def add(self, records: list[FactRecord]) -> None: ...
    def value(self, fact_id: str, leaf: Leaf) -> Ternary: ...
    def close(self) -> None: ...


class Backend(Protocol):
    name: str

    def open(self, regime: Regime, records: list[FactRecord]) -> Session: ...


@dataclass
class Context:
    """One gewenst effect with the facts it is evaluated against."""

    effect: GewenstEffect
    person: Persoon
    aanvrager: Persoon
    partner: Persoon | None
    """The aanvrager's partner (`Casus.partner`); None when the casus names no single one."""
    child: Persoon | None
    """The child this effect is about, read by the subject `kind` (`Casus.kind_van`); None when
    no one child is meant (then its facts are onbekend and asked as `gewenste_effecten[id].kind`:
    which child)."""
    client: Persoon
    """The person the help is for, read by the subject `client` (`Casus.client_van`): the child
    the effect names, else the effect's own person."""
    belanghebbende: Persoon | None
    """The person whose own means count, read by the subject `belanghebbende`
    (`Casus.belanghebbende_van`): a housemate who names a child not of the aanvrager, else the
    client; None while it is not known whether the child a housemate names is the aanvrager's
    (then its facts are onbekend and asked as that child's `kind_van_aanvrager`)."""
    betrokkene: Persoon | None
    """The person whose own debts the effect is about, read by the subject `betrokkene`
    (`Casus.betrokkene_van`); None while the age of the person the effect names is onbekend, or
    for an adult the effect's `schulden_van_kind` (then its facts are onbekend and asked as that
    age or that field)."""
    werkende: Persoon | None
    """The person whose work the effect is about, read by the subject `werkende`
    (`Casus.werkende_van`); None while the effect's `werk_van_kind` is onbekend (then its facts
    are onbekend and asked as that field)."""
    ids: dict[str, str]
    values: dict[str, dict[str, Any]]
    session: Session
    leaves: list[Leaf]
    derived: dict[str, Ternary] = field(default_factory=dict)
    derived_nodes: dict[str, CompiledDerived] = field(default_factory=dict)
    memo: dict[int, Ternary] = field(default_factory=dict)
    addresses: dict[int, str] = field(default_factory=dict)
    trees: dict[int, tuple[dict[str, Any], Ternary]] = field(default_factory=dict)
    """Rendered subtrees by node identity (nodes are hash-consed per regime)."""
    kind_van_een_ander: bool = False
    """The effect is at a child of someone else than the aanvrager (`Casus.kind_van_een_ander`): it
    has no belanghebbende and nothing is asked for `belanghebbende.x`."""
    belanghebbende_vraag: str | None = None
    """The effect field that decides first whose right the effect's money questions are
    (`Casus.belanghebbende_vraag`: `kosten_van_kind` or `werk_van_kind`): while it is onbekend,
    `belanghebbende.x` is asked as it."""
    volledig: bool = True
    """False: decide only (`evaluate_advies(volledig=False)`, the kern): no condition trees,
    texts or citations are rendered; statuses, reasons and questions are the same."""

    def leaf_value(self, index: int) -> Ternary:
        found = self.memo.get(index, 0)
        if found != 0:
            return found  # type: ignore[return-value]
        leaf = self.leaves[index]
        fact_id = self.ids.get(leaf.prefix if leaf.prefix != "afgeleid" else f"~{leaf.name}")
        value = None if fact_id is None else self.session.value(fact_id, leaf)
        self.memo[index] = value
        return value

    def raw(self, leaf: Leaf) -> Any:
        if leaf.prefix == "afgeleid":
            return self.derived.get(leaf.name)
        return self.values[leaf.prefix].get(leaf.name)

    def address(self, leaf: Leaf) -> str:
        found = self.addresses.get(leaf.index)
        if found is not None:
            return found
        if leaf.prefix in PERSON_PREFIXES:
            who = {"persoon": self.person, "aanvrager": self.aanvrager,
                   "partner": self.partner, "kind": self.child,
                   CLIENT: self.client, BELANGHEBBENDE: self.belanghebbende,
                   BETROKKENE: self.betrokkene, WERKENDE: self.werkende}[leaf.prefix]
            if who is not None:
                found = f"personen[{who.id}].{leaf.name}"
            elif leaf.prefix == "kind":  # no child named: the question is which one
                found = f"gewenste_effecten[{self.effect.id}].{KIND_VAN_EFFECT}"
            elif leaf.prefix == BELANGHEBBENDE and (
                    self.belanghebbende_vraag is not None
                    and getattr(self.effect, self.belanghebbende_vraag) is None):
                # whose costs or work: the named person's or the asker's?
                found = f"gewenste_effecten[{self.effect.id}].{self.belanghebbende_vraag}"
            elif leaf.prefix == BELANGHEBBENDE:  # is the named child the aanvrager's?
                found = f"personen[{self.client.id}].{KIND_VAN_AANVRAGER}"
            elif leaf.prefix == BETROKKENE and self.client.leeftijd is not None:
                # an adult is named: whose debts, his or the asker's?
                found = f"gewenste_effecten[{self.effect.id}].{SCHULDEN_VAN_KIND}"
            elif leaf.prefix == BETROKKENE:  # is the named child an adult?
                found = f"personen[{self.client.id}].leeftijd"
            elif leaf.prefix == WERKENDE:  # whose work: the named child's or the asker's?
                found = f"gewenste_effecten[{self.effect.id}].{WERK_VAN_KIND}"
            else:
                found = f"{feitadres.PARTNER}.{leaf.name}"
        elif leaf.prefix == "effect":
            found = f"gewenste_effecten[{self.effect.id}].{leaf.name}"
        else:
            found = leaf.path
        self.addresses[leaf.index] = found
        return found


@dataclass
class Receipt:
    """What an evaluation returns and what the service stores: enough to replay it later.

    `trace_json` is the canonical text (what is hashed and stored); `trace` is a private parsed
    copy, made on first use, so a caller may change it without touching anything shared.
    """

    trace_json: str
    trace_hash: str
    backend: str
    firings: int
    kop: dict[str, Any] = field(default_factory=dict)
    """The head of the trace (peildatum, engine, pakketten, casus) without parsing the whole
    text (the service hashes the casus as evaluated into the advies chain)."""
    kern_json: str = ""
    """The kern of this trace (`engine.kern.kern_van`) as canonical JSON, projected from the
    trace while it is still in memory (the service stores the kern, not the trace: parsing the
    trace text again would cost more than the projection). Empty for a receipt read back from
    a file or the database."""
    built: Mapping[str, Any] | None = field(default=None, repr=False, compare=False)
    """The trace as the evaluator built it, the dict `trace_json` was written from; None for a
    receipt read back. Only to read, never to change (`trace` is the copy to change): the
    service derives its beleidsinformatie rows from it, because parsing `trace_json` again
    costs as much as a sixth of a stored advies (6 ms for gezin-meervoudig's 0.8 MB)."""

    @functools.cached_property
    def trace(self) -> dict[str, Any]:
        parsed: dict[str, Any] = json.loads(self.trace_json)
        return parsed

    def model(self) -> Trace:
        """The trace as the typed pydantic model (validated; raises if it breaks the contract)."""
        return Trace.model_validate(self.trace)

    @property
    def advies(self) -> dict[str, Any]:
        result: dict[str, Any] = self.trace["advies"]
        return result

    def as_dict(self) -> dict[str, Any]:
        return {**self.trace, "trace_hash": self.trace_hash}


def canonical_json(data: Any) -> str:
    """Sorted keys, no whitespace, UTF-8 kept: the same content always gives the same bytes.

    orjson (OPT_SORT_KEYS) writes the same form as `json.dumps(sort_keys=True,
    separators=(",", ":"), ensure_ascii=False)` for our data, about ten times faster; one
    function is used for writing and for verifying, so the form cannot drift between them.
    """
    return orjson.dumps(data, option=orjson.OPT_SORT_KEYS).decode("utf-8")


def trace_hash(trace: dict[str, Any]) -> str:
    return "sha256:" + hashlib.sha256(canonical_json(trace).encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class CasusFacts:
    """The casus as fact records in a fixed order with explicit ids f1…fN (durable-rules needs
    both), and where each subject's record is. The one place the facts of a casus and an
    effect's evaluation context are laid out: the advies (`evaluate`) and the question ranking
    (`engine.vragen`) must read the same facts at the same addresses."""

    records: list[FactRecord]
    ids: dict[str, str]
    person_ids: dict[str, str]
    subjects: dict[str, dict[str, Any]]

    @classmethod
    def of(cls, casus: Casus, catalogue: Catalogue | None = None) -> CasusFacts:
        """`catalogue`: the regime's, for the replaced pack facts (`FactSpec.vervangen_door`)
        that a casus no longer carries: they read as nee, never onbekend, so they are never
        asked and an `een_van` with their successor is exactly that successor."""
        vervangen = {} if catalogue is None else _replaced(catalogue)
        huishouden = casus.huishouden.model_dump(exclude_none=True)
        kinderen = [p for p in casus.personen if p.rol == "kind"]
        huishouden["aantal_kinderen"] = len(kinderen)
        # persons outside the aanvrager's gezin (rol overig: a parent of an adult aanvrager, a
        # housemate): the household's figures are then not the gezin's alone (Pw 4 lid 1)
        huishouden["aantal_overige_personen"] = sum(p.rol == "overig" for p in casus.personen)
        # whether the casus names the aanvrager's partner: a household of samenstelling `overig`
        # (a couple with a parent living in) may have one, a single person's has none, so the
        # partner's facts are asked only where there is one (Wmo mantelzorg, fresh72 AU3)
        huishouden["aantal_partners"] = sum(p.rol == "partner" for p in casus.personen)
        ages = [p.leeftijd for p in kinderen]
        if all(a is not None for a in ages):
            # children of 18 or older are not in their parent's gezin either (Pw 4 lid 1:
            # "ten laste komend kind: het kind jonger dan 18 jaar"); onbekend while any child's
            # age is, as the youngest child's age is
            huishouden["aantal_meerderjarige_kinderen"] = sum(
                a >= MEERDERJARIG for a in ages if a is not None)
            if kinderen:
                huishouden["jongste_kind_leeftijd"] = min(a for a in ages if a is not None)
                # whether a child in the house can be the parent of another (a teenage mother
                # with her baby at her own mother's: Pw 4 lid 1, a grandchild is no 'kind')
                huishouden["oudste_kind_leeftijd"] = max(a for a in ages if a is not None)
        counted = [bool(p.beperkingen) or p.wlz_indicatie is True for p in casus.personen]
        if all(c or p.beperkingen is not None for c, p in zip(counted, casus.personen,
                                                              strict=True)):
            # whether someone besides the effect's own person has a limitation: a person with
            # her own beperking can then be the mantelzorger of the other (Wmo 1.1.1
            # 'maatwerkvoorziening' 1°: respijt is for the verzorgde). A Wlz indicatie counts:
            # it presupposes one (Wlz 3.2.1 lid 1). Onbekend while someone who does not count
            # yet has no stated beperkingen.
            huishouden["aantal_personen_met_beperking"] = sum(counted)
        subjects = {
            "huishouden": huishouden,
            "financien": casus.financien.model_dump(exclude_none=True),
            "netwerk": casus.netwerk.model_dump(exclude_none=True),
        }
        for name, values in subjects.items():
            _absent_as_nee(values, vervangen.get(name, ()))
        records: list[FactRecord] = []
        ids: dict[str, str] = {}
        for i, (kind, values) in enumerate(subjects.items(), start=1):
            ids[kind] = f"f{i}"
            records.append((f"f{i}", kind, values))
        person_ids: dict[str, str] = {}
        n = len(records)
        for p in casus.personen:
            n += 1
            person_ids[p.id] = f"f{n}"
            values = p.model_dump(exclude_none=True)
            _absent_as_nee(values, vervangen.get("persoon", ()))
            records.append((f"f{n}", "persoon", values))
        for e in casus.gewenste_effecten:
            n += 1
            ids[f"effect:{e.id}"] = f"f{n}"
            values = e.model_dump(exclude_none=True)
            values["kosten_genoemd"] = e.kosten is not None  # computed, never onbekend
            values["kind_genoemd"] = e.kind is not None  # computed, never onbekend
            # computed, never onbekend: ja while the effect is at a child of someone else
            values["kind_van_een_ander"] = casus.kind_van_een_ander(e) is not None
            _absent_as_nee(values, vervangen.get("effect", ()))
            records.append((f"f{n}", "effect", values))
        return cls(records, ids, person_ids, subjects)

    def context(self, casus: Casus, effect: GewenstEffect, session: Session, regime: Regime,
                soort: type[Context] | None = None) -> Context:
        """The evaluation context of one effect: `persoon` is the person the effect is for,
        `aanvrager` the applicant, `partner` the aanvrager's partner, `kind` the child the
        effect is about (`Casus.kind_van`; absent: their facts are onbekend) and `client` the
        person the help is for (`Casus.client_van`), `belanghebbende` the person whose own means
        count (`Casus.belanghebbende_van`), `betrokkene` the person whose debts it is about
        (`Casus.betrokkene_van`), `werkende` the person whose work (`Casus.werkende_van`). Every
        person subject is resolved here, once per effect. `soort` is a subclass of `Context` (the
        ranking's lazy one)."""
        record_values = {fid: values for fid, _, values in self.records}
        person = casus.persoon_van(effect)
        aanvrager = casus.aanvrager
        partner = casus.partner
        child = casus.kind_van(effect)
        client = casus.client_van(effect)
        belanghebbende = casus.belanghebbende_van(effect)
        betrokkene = casus.betrokkene_van(effect)
        werkende = casus.werkende_van(effect)
        people: dict[str, Persoon | None] = {
            "persoon": person, "aanvrager": aanvrager, "partner": partner, "kind": child,
            CLIENT: client, BELANGHEBBENDE: belanghebbende, BETROKKENE: betrokkene,
            WERKENDE: werkende}
        """Each person subject and its person; None: no one is meant, its facts are onbekend."""
        ctx_ids = {
            "huishouden": self.ids["huishouden"], "financien": self.ids["financien"],
            "netwerk": self.ids["netwerk"], "effect": self.ids[f"effect:{effect.id}"],
            **{subject: self.person_ids[who.id] for subject, who in people.items()
               if who is not None},
        }
        values = {
            **self.subjects,
            **{subject: {} if who is None else record_values[ctx_ids[subject]]
               for subject, who in people.items()},
            "effect": record_values[ctx_ids["effect"]],
            "~personen": {p.id: record_values[self.person_ids[p.id]] for p in casus.personen},
        }
        ctx = (soort or Context)(effect, person, aanvrager, partner, child, client,
                                 belanghebbende, betrokkene, werkende, ctx_ids, values, session,
                                 regime.leaves.leaves)
        ctx.derived_nodes = {d.feit.id: d for d in regime.derived}
        ctx.belanghebbende_vraag = casus.belanghebbende_vraag(effect)
        # computed once with the records (`CasusFacts.of`), not again per context
        ctx.kind_van_een_ander = bool(values["effect"]["kind_van_een_ander"])
        return ctx


def _replaced(catalogue: Catalogue) -> dict[str, tuple[str, ...]]:
    """Per subject, the replaced pack facts (`FactSpec.vervangen_door`), sorted."""
    out: dict[str, list[str]] = {}
    for spec in catalogue.facts.values():
        if spec.vervangen_door:
            out.setdefault(spec.subject, []).append(spec.name)
    return {k: tuple(sorted(v)) for k, v in out.items()}


def _absent_as_nee(values: dict[str, Any], names: tuple[str, ...]) -> None:
    """A replaced fact the record lacks reads as nee (it is asked no more: its successor is)."""
    for name in names:
        values.setdefault(name, False)


def evaluate(casus: Casus, rules: RuleBase, backend: Backend) -> Receipt:
    """Evaluate every gewenst effect of a (validated) casus; the trace is deterministic."""
    regime, advies, firings = evaluate_advies(casus, rules, backend, volledig=True)
    trace = {
        "engine": {"naam": "omgekeerde-toets", "versie": __version__},
        "peildatum": casus.peildatum.isoformat(),
        "regime": {"geldig_vanaf": _iso(regime.start), "geldig_tot": _iso(regime.end)},
        "pakketten": [
            {"id": lp.id, "naam": lp.pack.regelpakket.naam, "versie": lp.pack.regelpakket.versie,
             "bwb_id": lp.pack.regelpakket.bwb_id, "domein": lp.pack.regelpakket.domein,
             "hash": "sha256:" + lp.sha256}
            for lp in regime.packs
        ],
        "gemeente": _gemeente(casus, regime),
        "waarschuwingen": _stale_parameters(regime, casus.peildatum) + _rol_notices(casus),
        "parameters": [
            {"id": pid, "waarde": pv.waarde.waarde, "eenheid": pv.parameter.eenheid,
             "rechtsgrond": _cite(pv.rechtsgrond, casus.peildatum),
             "bron": "lokaal" if pv.lokaal else "landelijk", "pakket": pv.pakket,
             **({"onzeker": True} if pv.waarde.onzeker else {})}
            for pid, pv in sorted(regime.parameters.items())
        ],
        "casus": casus.model_dump(mode="json", exclude_none=True),
        "advies": advies,
    }
    text = canonical_json(trace)
    from engine.kern import kern_van  # kern builds on this module; the projection is its own

    return Receipt(kop={k: trace[k] for k in ("peildatum", "engine", "pakketten", "casus")},
                   trace_json=text,
                   trace_hash="sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest(),
                   backend=backend.name, firings=firings,
                   kern_json=canonical_json(kern_van(trace)), built=trace)


def evaluate_advies(casus: Casus, rules: RuleBase, backend: Backend, *, volledig: bool
                    ) -> tuple[Regime, dict[str, Any], int]:
    """The advies part of the trace (steps 2 and 4 per effect), the regime it was decided under
    and the backend's firings.

    `volledig=False` decides the same and renders nothing that only explains: no condition
    trees, citations, texts, derived facts or questions' wording. What it returns is only fit
    for `engine.kern` (which reads ids, statuses, markeringen, reasons by id and stand,
    questions by address, termijnen and step 2), and the kern of both forms is the same.
    """
    regime = rules.regime(casus.peildatum, casus.gemeente)
    facts = CasusFacts.of(casus, regime.catalogue)
    session = backend.open(regime, facts.records)
    try:
        contexts = [facts.context(casus, effect, session, regime)
                    for effect in casus.gewenste_effecten]
        for ctx in contexts:
            ctx.volledig = volledig
        for s, stratum in enumerate(regime.strata, start=1):
            derived_records: list[FactRecord] = []
            for c_index, ctx in enumerate(contexts):
                fact_id = f"d{c_index + 1}s{s}"
                vals: dict[str, Any] = {}
                for d in stratum:
                    value = kleene(d.node, ctx.leaf_value)
                    ctx.derived[d.feit.id] = value
                    ctx.ids[f"~{d.feit.id}"] = fact_id
                    vals[d.feit.id] = value
                derived_records.append((fact_id, "afgeleid", vals))
            session.add(derived_records)
        effecten = [_effect(regime, ctx, casus.peildatum) for ctx in contexts]
        firings = session.firings
    finally:
        session.close()
    return regime, _casus_summary(casus, effecten), firings


def _gemeente(casus: Casus, regime: Regime) -> dict[str, Any]:
    out: dict[str, Any] = {"code": casus.gemeente, "lokaal_beleid": list(regime.overlays)}
    if casus.gemeente and not regime.overlays:
        out["melding"] = (f"geen lokaal beleid bekend voor {casus.gemeente}; alleen landelijke "
                          "regels")
    return out


def _rol_notices(casus: Casus) -> list[dict[str, Any]]:
    """Notices about a person's rol.

    An effect about money (leefgebied `financien`, or with `kosten`) at a child of someone else
    than the aanvrager and his partner (`Casus.kind_van_een_ander`: his own effect, or theirs naming
    him): nobody's means are tested for it; he is no 'kind' of theirs (Participatiewet art. 4
    lid 1), so the effect belongs at his own parent if that parent lives in the house (fresh97
    BT1, fresh100 BW1; not on a care effect, where the money does not count, fresh99 BV4).

    A minor with rol `overig`: the packs read a child the aanvrager raises only through rol
    `kind` (the effect's `kind`, the household's youngest child), so a grandchild or foster
    child entered as `overig` hides the Jeugdwet for the grandmother who raises him (Jw 1.1
    'ouder': "een ander dan de gezaghebbende ouder die een jeugdige als behorend tot zijn gezin
    verzorgt en opvoedt"; fresh90 BM4). Whether she raises him is a fact the casus does not
    hold, so the advies says it and the consulent corrects the rol; a minor housemate whom no
    one raises (a lodger of 17) keeps rol `overig`. Not when every effect is his own: the
    Jeugdwet then tests the help for him already (fresh94 BQ4)."""
    geld = [e for e in casus.gewenste_effecten
            if e.leefgebied == "financien" or e.kosten is not None]
    elders = [_kind_van_een_ander_notice(casus, e, p) for e in geld
              if (p := casus.kind_van_een_ander(e)) is not None]
    vermoed: dict[tuple[str, str], list[GewenstEffect]] = {}
    for e in casus.gewenste_effecten:
        if casus.ouder_van_kind_gegeven(e) is None and casus.huisgenoot_is_ouder(e) is True:
            paar = (casus.persoon_van(e).id, casus.client_van(e).id)
            vermoed.setdefault(paar, []).append(e)
    return elders + [_ouder_vermoed_notice(casus, effecten)
                     for effecten in vermoed.values()] + [{
        "soort": "rol", "persoon": p.id,
        "tekst": f"{p.id} ({p.leeftijd} jaar) heeft rol overig. Verzorgen en voeden de aanvrager "
                 f"of zijn partner deze minderjarige op als behorend tot hun gezin (een kleinkind, "
                 f"een pleegkind), geef dan rol kind, met kind_van_aanvrager nee als het niet hun "
                 f"eigen kind of stiefkind is: alleen zo toetst de Jeugdwet de hulp aan deze "
                 f"jeugdige (art. 1.1 Jeugdwet 'ouder' en 'jeugdige')",
    } for p in casus.personen
        if p.rol == "overig" and p.leeftijd is not None and p.leeftijd < MEERDERJARIG
        and any(casus.persoon_van(e).id != p.id for e in casus.gewenste_effecten)]


def _kind_van_een_ander_notice(casus: Casus, effect: GewenstEffect,
                               kind: Persoon) -> dict[str, Any]:
    """The notice for a money effect at a child of someone else (`Casus.kind_van_een_ander`).
    It names whose child he is not: the housemate who asks and is not the parent
    (`ouder_van_kind` nee, fresh108 CE5, and then his gezin and his means, fresh109 CF3), else
    the aanvrager and his partner."""
    person = casus.persoon_van(effect)
    if person.rol in ("kind", "overig") and kind.id != person.id:
        wie = f"{person.id} is (ouder_van_kind nee)"
        gezin, middelen = f"het gezin van {person.id}", f"de middelen van {person.id}"
        eigen_geld = f"het eigen geld van {person.id}"
    else:
        wie = "de aanvrager of zijn partner is (kind_van_aanvrager nee)"
        gezin, middelen, eigen_geld = "hun gezin", "hun middelen", "hun eigen geld"
    return {
        "soort": "rol", "persoon": kind.id,
        "tekst": f"het geldeffect {effect.id} gaat over {kind.id}, die geen eigen kind of "
                 f"stiefkind van {wie}: hij hoort niet tot {gezin} (art. 4 lid 1 "
                 f"Participatiewet 'kind' en 'gezin'), dus tellen {middelen} voor dit effect "
                 f"niet. Woont zijn ouder in huis, leg het effect dan bij die ouder, met kind: "
                 f"{kind.id}; tot dan toetst de Participatiewet voor dit effect niemands "
                 f"middelen" + (
                     "" if person.id == kind.id else
                     f". Gaat het effect over {eigen_geld}, leg dat dan vast (eigen kosten: "
                     f"kosten_van_kind nee; eigen schulden: schulden_van_kind nee); dan tellen "
                     f"{middelen} wel"),
    }


def _ouder_vermoed_notice(casus: Casus, effecten: list[GewenstEffect]) -> dict[str, Any]:
    """The notice that a housemate who names a minor of someone else is presumed his parent
    (`Casus.huisgenoot_is_ouder` ja without `ouder_van_kind`), once for the housemate and the
    child, naming the effects: his means are then tested for the child on a fact nobody gave, so
    the advies says what it presumed and how to say otherwise (fresh109 CF2; a grandparent is no
    parent, Participatiewet art. 4 lid 1 'kind'). On every such effect, not only a money effect:
    the algemene bijstand is tested on a sleeping place for the child too (fresh110 CG2); once,
    not per effect, since it is one fact about two people (fresh111 CH2)."""
    person, kind = casus.persoon_van(effecten[0]), casus.client_van(effecten[0])
    ids = ", ".join(e.id for e in effecten)
    velden = " en ".join(f"gewenste_effecten[{e.id}].ouder_van_kind" for e in effecten)
    return {
        "soort": "rol", "persoon": person.id,
        "tekst": f"bij {'effect' if len(effecten) == 1 else 'de effecten'} {ids} is aangenomen "
                 f"dat {person.id} de ouder of stiefouder van {kind.id} is (een passend "
                 f"leeftijdsverschil en geen andere mogelijke ouder in huis), dus tellen de "
                 f"middelen van {person.id} voor de Participatiewet (art. 4 lid 1 'kind' en "
                 f"'gezin'). Is {person.id} dat niet (een grootouder, oom, tante, broer of zus), "
                 f"geef dan {velden} nee: dan tellen de middelen van {person.id} daar niet",
    }


def _stale_parameters(regime: Regime, peildatum: Any) -> list[dict[str, Any]]:
    """Amounts the law re-indexes (`herziening`) whose last known value has passed its next
    re-indexing day on this peildatum: the advies says the new value is missing."""
    out = []
    for pid, pv in sorted(regime.parameters.items()):
        due = next_revision(pv.parameter, pv.waarde.geldig_vanaf)
        if pv.lokaal or pv.waarde.geldig_tot is not None or due is None or peildatum < due:
            continue
        since = pv.waarde.geldig_vanaf.isoformat() if pv.waarde.geldig_vanaf else "het begin"
        herziening = pv.parameter.herziening
        assert herziening is not None
        out.append({
            "soort": "herziening", "parameter": pid,
            "tekst": f"{pv.parameter.omschrijving}: waarde per {since} gebruikt; de herziening "
                     f"per {due.isoformat()} ontbreekt ({herziening.rechtsgrond.tekst()})",
        })
    return out


def next_revision(parameter: Any, since: dt.date | None) -> dt.date | None:
    """The first re-indexing day (`herziening.momenten`) after `since`, or None."""
    herziening = getattr(parameter, "herziening", None)
    if herziening is None or since is None:
        return None
    candidates = [dt.date(year, int(m[:2]), int(m[3:]))
                  for year in (since.year, since.year + 1) for m in herziening.momenten]
    return min(d for d in candidates if d > since)


def _iso(day: Any) -> str | None:
    text: str = day.isoformat()
    return None if text in ("0001-01-01", "9999-12-31") else text


def _tree(node: Node, ctx: Context) -> tuple[dict[str, Any], Ternary]:
    """A condition tree with every node's value, the facts it used and where they live.

    Built bottom-up so each node is evaluated once; a subtree repeated across instruments is
    rendered once per effect (and shared, read-only, in the trace).
    """
    found = ctx.trees.get(id(node))
    if found is None:
        found = _render(node, ctx) if ctx.volledig else (_NOT_RENDERED, _value(node, ctx))
        ctx.trees[id(node)] = found
    return found


_NOT_RENDERED: dict[str, Any] = {}
"""The tree of a decide-only evaluation: nothing (shared, never written to)."""


def _value(node: Node, ctx: Context) -> Ternary:
    """A node's value from its children's (`_tree`: every child evaluated and cached, rendered
    only in a full evaluation); the one place a node's Kleene value is combined here."""
    if isinstance(node, LeafNode):
        return ctx.leaf_value(node.index)
    if isinstance(node, NotNode):
        v = _tree(node.child, ctx)[1]
        return None if v is None else not v
    if isinstance(node, DefaultNode):
        return with_default(node, ctx.leaf_value(node.child.index))
    if not isinstance(node, AllNode | AnyNode):
        raise TypeError(f"onbekend soort toetsknoop: {type(node).__name__}")
    return combine(node, [_tree(c, ctx)[1] for c in node.children])


def _render(node: Node, ctx: Context) -> tuple[dict[str, Any], Ternary]:
    """A node with its value (`_value`, which renders and caches the children first) and, for
    a leaf, the fact it compared and where it lives."""
    value = _value(node, ctx)
    if isinstance(node, DefaultNode):
        # the comparison as a leaf shows it (`uitkomst` onbekend while its fact is), then what
        # it counts as: the trace says both, so a reader sees the presumption at work
        shown = _tree(node.child, ctx)[0]  # the leaf's own rendering, shared (read-only)
        return {**shown, "bij_onbekend": UITKOMST[node.value], "uitkomst": UITKOMST[value]}, value
    if isinstance(node, LeafNode):
        leaf = ctx.leaves[node.index]
        out: dict[str, Any] = {
            "feit": leaf.path,
            "adres": ctx.address(leaf),
            "op": leaf.op,
            "waarde": leaf.shown,
            "gevonden": ctx.raw(leaf),
            "uitkomst": UITKOMST[value],
        }
        if leaf.parameter:
            out["parameter"] = leaf.parameter
        return out, value
    if isinstance(node, NotNode):
        return {"niet": _tree(node.child, ctx)[0], "uitkomst": UITKOMST[value]}, value
    key = "alle" if isinstance(node, AllNode) else "een_van"
    return {key: [_tree(c, ctx)[0] for c in node.children], "uitkomst": UITKOMST[value]}, value


AANTAL_MEERDERJARIGE_KINDEREN = "huishouden.aantal_meerderjarige_kinderen"
"""The household's count of children of `MEERDERJARIG` or older: a child's age decides it at
that bound, which the ranking tries (`vragen._boundaries`)."""

FROM_CHILDREN_AGES = ("huishouden.jongste_kind_leeftijd",
                      "huishouden.oudste_kind_leeftijd",
                      AANTAL_MEERDERJARIGE_KINDEREN)
"""Household facts computed from the children's ages (`CasusFacts.of`): onbekend while a
child's age is, so what is asked is that child's `leeftijd`."""

FROM_BEPERKINGEN = "huishouden.aantal_personen_met_beperking"
"""The household fact computed from every person's `beperkingen` and Wlz indicatie
(`CasusFacts.of`): onbekend while someone without a Wlz indicatie has no stated `beperkingen`,
so what is asked is that person's `beperkingen`."""


def unknown_inputs(node: Node, ctx: Context, seen: set[str] | None = None) -> list[str]:
    """Casus facts still to establish for an undecided tree (through derived facts)."""
    out: list[str] = []
    seen = seen if seen is not None else set()
    for index in undecided_leaves(node, ctx.leaf_value):
        leaf = ctx.leaves[index]
        if leaf.value is None:
            continue  # a parameter without a value on this peildatum: nothing to ask
        if leaf.prefix == "afgeleid":
            d = ctx.derived_nodes.get(leaf.name)
            if d is not None and leaf.name not in seen:
                seen.add(leaf.name)
                out.extend(unknown_inputs(d.node, ctx, seen))
            continue
        if leaf.path in FROM_CHILDREN_AGES:
            out.extend(f"personen[{pid}].leeftijd" for pid in _children_without_age(ctx))
            continue
        if leaf.prefix == BELANGHEBBENDE and ctx.kind_van_een_ander:
            continue  # nothing to ask: the effect belongs at the child's parent (the notice)
        if leaf.path == FROM_BEPERKINGEN:
            out.extend(f"personen[{pid}].beperkingen" for pid, vals in _people(ctx).items()
                       if vals.get("beperkingen") is None and vals.get("wlz_indicatie") is not True)
            continue
        out.append(ctx.address(leaf))
    return list(dict.fromkeys(out))


def _children_without_age(ctx: Context) -> list[str]:
    return [pid for pid, vals in _people(ctx).items()
            if vals.get("rol") == "kind" and vals.get("leeftijd") is None]


def _people(ctx: Context) -> dict[str, dict[str, Any]]:
    people: dict[str, dict[str, Any]] = ctx.values.get("~personen", {})
    return people


def _item(item: CompiledItem, ctx: Context, peildatum: Any, extra: dict[str, Any]
          ) -> tuple[dict[str, Any], Ternary]:
    src = item.source
    value: Ternary = True
    tree: dict[str, Any] | None = None
    if item.node is not None:
        tree, value = _tree(item.node, ctx)
    if not ctx.volledig:
        return {"id": item.id, "uitkomst": UITKOMST[value]}, value
    out: dict[str, Any] = {
        "id": item.id,
        "uitkomst": UITKOMST[value],
        **extra,
    }
    if getattr(src, "rechtsgrond", None) is not None:
        out["rechtsgrond"] = _cite(src.rechtsgrond, peildatum)
    if tree is not None:
        out["toets"] = tree
    if src.onzeker:
        out["onzeker"] = True
    beslisruimte = getattr(src, "beslisruimte", None)
    if beslisruimte is not None:
        out["beslisruimte"] = _beslisruimte(beslisruimte, peildatum)
    if src.notitie:
        out["notitie"] = src.notitie
    return out, value


def _beslisruimte(b: Beslisruimte, peildatum: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"door": b.door, "wie": semantics.beslisser(b.door),
                           "wettekst": b.wettekst}
    if b.rechtsgrond is not None:
        out["rechtsgrond"] = _cite(b.rechtsgrond, peildatum)
    return out


@dataclass
class InstrumentResult:
    """One instrument for one effect, before forms are applied (`apply_forms`)."""

    compiled: CompiledInstrument
    result: dict[str, Any]
    open_items: list[list[str]]


def _instrument(regime: Regime, ci: CompiledInstrument, ctx: Context, served: list[str],
                peildatum: Any, toepassing: tuple[dict[str, Any], Ternary] | None
                ) -> InstrumentResult:
    ins = ci.instrument
    sections: dict[str, list[dict[str, Any]]] = {
        "voorwaarden": [], "uitsluitingen": [], "voorliggend": [], "begrenzingen": []}
    values: dict[int, Ternary] = {}
    if ci.toepassing is not None and toepassing is not None:
        values[id(ci.toepassing)] = toepassing[1]
    for section in sections:
        for item in getattr(ci, section):
            src = item.source
            extra: dict[str, Any] = {"uitleg": src.uitleg}
            if section == "voorliggend":
                extra = {"naam": src.naam, "uitleg": src.uitleg, "gevolg": src.gevolg}
            out, values[id(item)] = _item(item, ctx, peildatum, extra)
            sections[section].append(out)
    termijnen = []
    for item in ci.termijnen:
        if not ctx.volledig:
            termijnen.append(_item(item, ctx, peildatum, {})[0])
            continue
        src = item.source
        duur = src.duur
        extra = {"omschrijving": src.omschrijving, "eenheid": src.eenheid}
        if src.duur_parameter:
            pv = regime.parameters.get(src.duur_parameter)
            duur = None if pv is None else int(pv.waarde.waarde)
            extra["duur_parameter"] = src.duur_parameter
            if pv is not None and pv.lokaal:
                extra["lokaal"] = {"pakket": pv.pakket,
                                   "rechtsgrond": _cite(pv.rechtsgrond, peildatum)}
        extra["duur"] = duur
        out, _ = _item(item, ctx, peildatum, extra)
        termijnen.append(out)
    decision = semantics.decide(ci.grounds(lambda item: values[id(item)]), ins.beslisruimte,
                                ins.onzeker)
    open_items = ([] if decision.status == "past_niet" else
                  [unknown_inputs(g.source.node, ctx) for g in decision.open
                   if g.source.node is not None])
    redenen = [_reden(g, ins, ctx.volledig) for g in semantics.reasons(decision)]
    if ins.beslisruimte is not None and decision.status != "past_niet":
        reden: dict[str, Any] = {"soort": "instrument", "id": ins.id,
                                 "stand": semantics.STAND_TER_BEOORDELING}
        if ctx.volledig:
            reden.update(uitleg=f"De wet laat de beslissing aan "
                                f"{semantics.beslisser(ins.beslisruimte.door)}.",
                         citaat=(ins.beslisruimte.rechtsgrond or ins.rechtsgrond).tekst(),
                         door=ins.beslisruimte.door, wettekst=ins.beslisruimte.wettekst)
        redenen.append(reden)
    if not ctx.volledig:  # what apply_forms and the kern read
        return InstrumentResult(ci, {
            "id": ins.id, "naam": ins.naam, "trede": ins.trede, "status": decision.status,
            "markering": decision.markering, "redenen": redenen, "termijnen": termijnen,
            "nog_uitvragen": []}, open_items)
    onzeker = ins.onzeker or any(x.source.onzeker for x in (
        *ci.voorwaarden, *ci.uitsluitingen, *ci.voorliggend, *ci.termijnen))
    result: dict[str, Any] = {
        "id": ins.id,
        "naam": ins.naam,
        "pakket": ci.pack.id,
        "soort": ins.soort,
        "trede": ins.trede,
        "rechtsgrond": _cite(ins.rechtsgrond, peildatum),
        "grondwaarden": served,
        "status": decision.status,
        "markering": decision.markering,
        "redenen": redenen,
        "voorwaarden": sections["voorwaarden"],
        "uitsluitingen": sections["uitsluitingen"],
        "voorliggend": sections["voorliggend"],
        "termijnen": termijnen,
        "nog_uitvragen": [],
    }
    if sections["begrenzingen"]:
        result["begrenzingen"] = sections["begrenzingen"]
    if ins.beslisruimte is not None:
        result["beslisruimte"] = _beslisruimte(ins.beslisruimte, peildatum)
    if ins.vorm_van:
        result["vorm_van"] = list(ins.vorm_van)
    if ins.omschrijving:
        result["omschrijving"] = ins.omschrijving
    if ins.productcategorie:
        result["productcategorie"] = ins.productcategorie.model_dump(exclude_defaults=True)
    if onzeker:
        result["onzeker"] = True
    if ins.notitie:
        result["notitie"] = ins.notitie
    if ci.pack.gemeente:
        result["gemeente"] = ci.pack.gemeente
    local = regime.annotaties.get(ins.id)
    if local:
        result["lokaal"] = [{"pakket": lp.id, "tekst": ann.tekst,
                             "rechtsgrond": _cite(ann.rechtsgrond, peildatum)}
                            for lp, ann in local]
    return InstrumentResult(ci, result, open_items)


def apply_forms(results: dict[str, InstrumentResult], niet_van_toepassing: list[dict[str, Any]]
                 ) -> None:
    """A form (`vorm_van`) never exceeds the best status of its bases for this effect.

    Bases are settled first (the loader refuses cycles). A form none of whose bases applies to
    the effect does not apply either.
    """
    done: set[str] = set()

    def settle(iid: str) -> None:
        if iid in done or iid not in results:
            return
        done.add(iid)
        r = results[iid]
        bases = r.compiled.instrument.vorm_van
        if not bases:
            return
        for b in bases:
            settle(b)
        listed = [results[b] for b in bases if b in results]
        if not listed:
            del results[iid]
            niet_van_toepassing.append({
                "id": iid, "reden": "vorm van " + ", ".join(bases) + "; daarvan is geen "
                                    "instrument van toepassing bij dit effect"})
            return
        best = min(listed, key=lambda x: semantics.STATUS_RANK[x.result["status"]])
        own = r.result["status"]
        capped = semantics.cap_by_forms(own, [best.result["status"]])
        if capped == own and own != "past":
            return
        if capped != own or best.result["markering"]:
            reden = {"soort": "vorm_van", "id": best.result["id"],
                     "stand": semantics.STAND_VORM_VAN,
                     "uitleg": f"Dit is een vorm van '{best.result['naam']}', die "
                               f"{semantics.STATUS_LABELS[best.result['status']]}"
                               f"; meer dan dat kan deze vorm niet zijn.",
                     "citaat": r.compiled.instrument.rechtsgrond.tekst()}
            if capped == "past_niet":
                r.result["redenen"] = [reden]
                r.open_items = []
            else:
                r.result["redenen"] = [*r.result["redenen"], reden]
                if capped == "voorwaardelijk" and own == "past":
                    r.open_items = [*r.open_items, *best.open_items]
            r.result["status"] = capped
            marks = set(r.result["markering"]) | set(best.result["markering"])
            r.result["markering"] = [] if capped == "past_niet" else sorted(marks)

    for iid in list(results):
        settle(iid)


_CITES: dict[tuple[int, Any], tuple[Rechtsgrond, dict[str, str | None]]] = {}


def _cite(rechtsgrond: Rechtsgrond, peildatum: Any) -> dict[str, str | None]:
    """Rendered citations, cached by object identity (rule objects live as long as their rule
    base; the entry keeps the object alive so its id cannot be reused). Read-only."""
    key = (id(rechtsgrond), peildatum)
    found = _CITES.get(key)
    if found is None:
        if len(_CITES) > 50_000:
            _CITES.clear()
        found = (rechtsgrond, rechtsgrond.render(peildatum))
        _CITES[key] = found
    return found[1]


def _reden(g: semantics.Ground, instrument: Any, volledig: bool = True) -> dict[str, Any]:
    if not volledig:
        return {"soort": g.kind, "id": g.id, "stand": semantics.reden_stand(g)}
    src = g.source.source
    rechtsgrond = getattr(src, "rechtsgrond", None) or (
        instrument.rechtsgrond if g.kind == "toepassing" else None)
    uitleg = getattr(src, "uitleg", None) or getattr(src, "naam", "") or (
        "Komt dit instrument bij dit gewenste effect in beeld?" if g.kind == "toepassing"
        else "")
    out: dict[str, Any] = {
        "soort": g.kind, "id": g.id, "stand": semantics.reden_stand(g),
        "uitleg": uitleg,
        "citaat": rechtsgrond.tekst() if rechtsgrond is not None else "",
    }
    if g.beslisruimte is not None:
        out["door"] = g.beslisruimte.door
        out["wettekst"] = g.beslisruimte.wettekst
    if g.onzeker:
        out["onzeker"] = True
    return out


def _effect(regime: Regime, ctx: Context, peildatum: Any) -> dict[str, Any]:
    grondwaarden = []
    gw_value: dict[str, Ternary] = {}
    open_items: list[list[str]] = []
    for cg in regime.grondwaarden:
        g = cg.grondwaarde
        tree, value = _tree(cg.node, ctx)
        gw_value[g.id] = value
        if value is None:
            open_items.append(unknown_inputs(cg.node, ctx))
        if not ctx.volledig:
            continue
        entry: dict[str, Any] = {
            "id": g.id, "pakket": cg.pack.id, "domein": cg.pack.pack.regelpakket.domein,
            "tekst": g.tekst, "rechtsgrond": _cite(g.rechtsgrond, peildatum),
            "uitkomst": UITKOMST[value], "toets": tree,
        }
        if g.onzeker:
            entry["onzeker"] = True
        grondwaarden.append(entry)

    wetten: dict[str, dict[str, Any]] = {}
    for cg in regime.grondwaarden:
        value = gw_value[cg.grondwaarde.id]
        meta = cg.pack.pack.regelpakket
        w = wetten.setdefault(meta.id, {"pakket": meta.id, "naam": meta.naam,
                                        "domein": meta.domein, "uitkomst": "nee",
                                        "grondwaarden": []})
        if value is True:
            w["uitkomst"] = "ja"
            w["grondwaarden"].append(cg.grondwaarde.id)
        elif value is None and w["uitkomst"] != "ja":
            w["uitkomst"] = "onbekend"
    betrokken = [w for w in wetten.values() if w["uitkomst"] != "nee"]

    results: dict[str, InstrumentResult] = {}
    niet_van_toepassing: list[dict[str, Any]] = []
    for ci in regime.instrumenten:
        ins = ci.instrument
        served = [g for g in ins.grondwaarden if gw_value.get(g) is not False]
        if not served:
            niet_van_toepassing.append({"id": ins.id, "reden": "dient geen grondwaarde van "
                                                               "dit effect"})
            continue
        toepassing = None
        if ci.toepassing is not None:
            assert ci.toepassing.node is not None
            toepassing = _tree(ci.toepassing.node, ctx)
            src = ci.toepassing.source
            if semantics.hidden_by_toepassing(toepassing[1], src.onzeker, src.beslisruimte):
                niet_van_toepassing.append({"id": ins.id, "reden": "toepassing: nee"})
                continue
        r = _instrument(regime, ci, ctx, served, peildatum, toepassing)
        if toepassing is not None and ctx.volledig:
            r.result["toepassing"] = toepassing[0]
        results[ins.id] = r
    apply_forms(results, niet_van_toepassing)
    instrumenten = []
    listed: list[CompiledInstrument] = []
    for r in results.values():
        r.result["nog_uitvragen"] = list(dict.fromkeys(a for grp in r.open_items for a in grp))
        instrumenten.append(r.result)
        listed.append(r.compiled)
        open_items.extend(r.open_items)

    used: set[str] = set()  # the derived facts the trace explains; none in a decide-only one
    if ctx.volledig:
        for cg in regime.grondwaarden:
            used |= cg.derived
        for ci in listed:
            used |= ci.derived
    afgeleid = []
    for d in regime.derived:
        if d.feit.id not in used:
            continue
        entry = {
            "id": d.feit.id, "pakket": d.pack.id, "uitleg": d.feit.uitleg,
            "rechtsgrond": _cite(d.feit.rechtsgrond, peildatum),
            "uitkomst": UITKOMST[ctx.derived.get(d.feit.id)],
            "toets": _tree(d.node, ctx)[0],
        }
        if d.feit.onzeker:
            entry["onzeker"] = True
        afgeleid.append(entry)

    counts: Counter[str] = Counter()
    for group in open_items:
        counts.update(set(group))
    nog = [{"feit": addr, "vraag": _vraag(regime, addr) if ctx.volledig else "", "aantal": n}
           for addr, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]
    instrumenten.sort(key=lambda r: (TREDE_ORDER[r["trede"]],
                                     semantics.STATUS_RANK[r["status"]]))
    return {
        "id": ctx.effect.id,
        "omschrijving": ctx.effect.omschrijving,
        "leefgebied": ctx.effect.leefgebied,
        "persoon": ctx.person.id,
        "afgeleide_feiten": afgeleid,
        "stap2": {
            "grondwaarden": grondwaarden,
            "wetten": betrokken,
            "domeinen": sorted({w["domein"] for w in betrokken if w["uitkomst"] == "ja"}),
            "mogelijke_domeinen": sorted({w["domein"] for w in betrokken
                                          if w["uitkomst"] == "onbekend"}),
            "geen_grondwaarde": not betrokken,
        },
        "stap4": {"instrumenten": instrumenten, "niet_van_toepassing": niet_van_toepassing},
        "nog_uitvragen": nog,
    }


def _vraag(regime: Regime, address: str) -> str:
    """The question for a fact address. At the role address (`partner.x`: no person named yet)
    "deze persoon" would point at no one, so the question names the partner."""
    adres = feitadres.parse(address)
    spec = regime.catalogue.resolve(adres.catalogus_naam if adres else address)
    if spec is None:
        return address
    if adres is not None and adres.groep == feitadres.PARTNER:
        return spec.vraag.replace("deze persoon", "de partner").replace("Deze persoon",
                                                                          "De partner")
    return spec.vraag


def _casus_summary(casus: Casus, effecten: list[dict[str, Any]]) -> dict[str, Any]:
    domeinen = sorted({d for e in effecten for d in e["stap2"]["domeinen"]})
    mogelijk = sorted({d for e in effecten for d in e["stap2"]["mogelijke_domeinen"]}
                      - set(domeinen))
    totals: Counter[str] = Counter()
    vragen: dict[str, str] = {}
    for e in effecten:
        for item in e["nog_uitvragen"]:
            totals[item["feit"]] += item["aantal"]
            vragen[item["feit"]] = item["vraag"]
    advies: dict[str, Any] = {
        "effecten": effecten,
        "stap2": {
            "domeinen": domeinen,
            "mogelijke_domeinen": mogelijk,
            "integraal_overleg": len(domeinen) >= 2,
            "toelichting": (
                "Meerdere domeinen: nodig de betrokken collega's uit voor een integraal overleg."
                if len(domeinen) >= 2 else
                "Eén domein: de vraag blijft bij de consulent." if domeinen else
                # fresh101 BX2: with only possible domains the grondwaarden are onbekend, not nee
                "Nog geen domein vastgesteld: of het gewenste effect een grondwaarde dient, hangt "
                "af van wat nog uit te vragen is." if mogelijk else
                "Geen domein: het gewenste effect dient geen grondwaarde van de regelpakketten."),
            "effecten_zonder_grondwaarde": [e["id"] for e in effecten
                                            if e["stap2"]["geen_grondwaarde"]],
        },
        "nog_uitvragen": [{"feit": f, "vraag": vragen[f], "aantal": n}
                          for f, n in sorted(totals.items(), key=lambda kv: (-kv[1], kv[0]))],
    }
    if casus.stap3 is not None:
        advies["stap3"] = casus.stap3.model_dump(exclude_none=True)
    return advies


Evaluator = Callable[[Casus], Receipt]
