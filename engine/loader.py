"""Loading rule packs: parse, validate, cross-check, and report every problem at once.

A pack is one YAML file directly inside `rules/<pakket>/` (its YAML tests live in
`rules/<pakket>/tests/`). Loading is all-or-nothing: a set of packs with any problem raises
`PackError` listing all of them as `file:line:col: path: message`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from engine.casus import problems_from_validation
from engine.catalogue import KIND_VAN_EFFECT, PREFIXES, Catalogue, FactSpec
from engine.errors import PackError, Problem
from engine.language import (
    AfgeleidFeit,
    Geldigheid,
    Grondwaarde,
    Instrument,
    Pack,
    Toepassing,
    Toets,
    Vergelijking,
    iter_leaves,
)
from engine.onbekend import check_bij_onbekend
from engine.yamlsource import (
    MAX_YAML_BYTES,
    DocPath,
    YamlDocument,
    YamlError,
    parse_yaml,
    read_yaml_file,
)

DEFAULT_RULES_DIR = Path(__file__).resolve().parent.parent / "rules"
FAR_FUTURE = dt.date(9999, 12, 31)


@dataclass(frozen=True)
class LoadedPack:
    """A validated pack with where it came from and the hash of its exact bytes."""

    pack: Pack
    source: str
    sha256: str
    doc: YamlDocument
    raw: bytes = field(repr=False, default=b"")
    """The exact bytes, so a store can keep the version content-addressed for replay."""

    @property
    def id(self) -> str:
        return self.pack.regelpakket.id

    @property
    def gemeente(self) -> str | None:
        """The municipality of a local overlay; None for a national pack."""
        return self.pack.regelpakket.gemeente

    @property
    def start(self) -> dt.date:
        return self.pack.regelpakket.geldig_vanaf

    @property
    def end(self) -> dt.date:
        return self.pack.regelpakket.geldig_tot or FAR_FUTURE

    def in_force(self, day: dt.date) -> bool:
        return self.start <= day <= self.end

    def span(self, item: Geldigheid) -> tuple[dt.date, dt.date]:
        """An item's validity, defaulting to the pack's."""
        return (item.geldig_vanaf or self.start, item.geldig_tot or self.end)


NOT_PACK_FOLDERS = frozenset({"tests", "wetteksten"})
"""Folders under `rules/` that hold no packs: YAML tests, and the vendored law texts
(`engine.wettekst`)."""


def pack_files(paths: Iterable[Path]) -> list[Path]:
    """Expand folders to pack files: a folder with YAML files is a pack folder; otherwise its
    sub-folders are searched (`rules/wmo/`, `rules/gemeenten/gm9991/`); `tests/` and
    `wetteksten/` never."""
    found: list[Path] = []
    for path in paths:
        if path.is_file():
            found.append(path)
        elif any(p.is_file() for p in path.glob("*.yaml")):
            found.extend(sorted(p for p in path.glob("*.yaml") if p.is_file()))
        elif path.is_dir():
            found.extend(pack_files(sorted(p for p in path.iterdir()
                                           if p.is_dir() and p.name not in NOT_PACK_FOLDERS)))
    return found


def with_national_packs(paths: Sequence[Path]) -> list[Path]:
    """`paths`, plus the bundled national packs when `paths` hold only local overlays.

    An overlay (`regelpakket.gemeente`) builds on national grondwaarden, instrumenten and
    parameters; checked on its own it would report them as unknown. A beleidsmedewerker who
    lints `rules/gemeenten/gm0363` means: this overlay on top of the national rules.
    """
    files = pack_files(paths)
    overlay = False
    for f in files:
        lp, _ = load_pack_file(f)
        if lp is None:
            continue
        if lp.pack.regelpakket.gemeente is None:
            return list(paths)  # a national pack is given: the author chose the set
        overlay = True
    if not overlay:
        return list(paths)
    given = {f.resolve() for f in files}
    national = [d for d in sorted(DEFAULT_RULES_DIR.iterdir())
                if d.is_dir() and d.name not in NOT_PACK_FOLDERS | {"gemeenten"}
                and not any(f.resolve() in given for f in pack_files([d]))]
    return [*paths, *national]


def load_pack_file(path: Path) -> tuple[LoadedPack | None, list[Problem]]:
    """Parse and validate one file's grammar; cross-pack checks come later."""
    if path.stat().st_size > MAX_YAML_BYTES:
        try:
            read_yaml_file(path)
        except YamlError as exc:
            return None, exc.problems
    return load_pack_bytes(path.read_bytes(), str(path))


def load_pack_bytes(raw: bytes, source: str) -> tuple[LoadedPack | None, list[Problem]]:
    """The same from stored bytes (replay of pinned, content-addressed pack versions)."""
    try:
        doc = parse_yaml(raw, source=source)
    except YamlError as exc:
        return None, exc.problems
    if not isinstance(doc.data, dict):
        return None, [doc.problem((), "een regelpakket is een mapping met 'regelpakket', "
                                      "'grondwaarden' en 'instrumenten'")]
    try:
        pack = Pack.model_validate(doc.data)
    except ValidationError as exc:
        return None, problems_from_validation(exc, doc)
    return LoadedPack(pack, source, hashlib.sha256(raw).hexdigest(), doc, raw), []


def load_pack_sources(sources: Sequence[tuple[str, bytes]]) -> list[LoadedPack]:
    """Load and cross-check packs given as (name, bytes); raises `PackError` with all."""
    return _cross_checked([load_pack_bytes(raw, source) for source, raw in sources])


def load_packs(paths: Sequence[Path] | None = None) -> list[LoadedPack]:
    """Load and cross-check packs (default: the bundled `rules/`)."""
    files = pack_files(list(paths) if paths else [DEFAULT_RULES_DIR])
    if not files:
        raise PackError([Problem(pad="(regels)", melding="geen regelpakketten gevonden")])
    return _cross_checked([load_pack_file(f) for f in files])


def _cross_checked(loaded: Sequence[tuple[LoadedPack | None, list[Problem]]]
                   ) -> list[LoadedPack]:
    """Grammar problems of every file, or else the cross-pack checks; all or nothing."""
    problems = [p for _, found in loaded for p in found]
    packs = [lp for lp, _ in loaded if lp is not None]
    if not problems:
        problems.extend(check_packs(packs))
    if problems:
        raise PackError(problems)
    return sorted(packs, key=lambda p: p.id)


def build_catalogue(packs: Sequence[LoadedPack]) -> Catalogue:
    catalogue = Catalogue.contract()
    for lp in packs:
        for feit in lp.pack.feiten:
            catalogue.add(FactSpec(subject=feit.onderwerp, name=feit.id, type=feit.type,
                                   vraag=feit.vraag, waarden=tuple(feit.waarden), bron=lp.id,
                                   vervangen_door=tuple(feit.vervangen_door)))
            for alias in feit.aliassen:
                catalogue.aliases[f"{feit.onderwerp}.{alias}"] = feit.id
        for afgeleid in lp.pack.afgeleide_feiten:
            catalogue.add(FactSpec(subject="afgeleid", name=afgeleid.id, type="bool",
                                   vraag=afgeleid.uitleg, bron=lp.id))
    return catalogue


def check_packs(packs: Sequence[LoadedPack]) -> list[Problem]:
    """Cross-checks that need all packs: ids, versions, references, facts and their types."""
    problems: list[Problem] = []
    seen_pack: dict[str, LoadedPack] = {}
    for lp in packs:
        if lp.id in seen_pack:
            problems.append(lp.doc.problem(("regelpakket", "id"),
                                           f"regelpakket '{lp.id}' bestaat al in "
                                           f"{seen_pack[lp.id].source}"))
        seen_pack[lp.id] = lp
        meta = lp.pack.regelpakket
        if meta.geldig_tot and meta.geldig_tot < meta.geldig_vanaf:
            problems.append(lp.doc.problem(("regelpakket", "geldig_tot"),
                                           "geldig_tot ligt voor geldig_vanaf"))

    catalogue = Catalogue.contract()
    declared_in: dict[str, tuple[LoadedPack, DocPath]] = {}
    for lp in packs:
        for i, feit in enumerate(lp.pack.feiten):
            key = f"{feit.onderwerp}.{feit.id}"
            path: DocPath = ("feiten", i, "id")
            if key in catalogue.facts and catalogue.facts[key].bron in ("casuscontract", "engine"):
                problems.append(lp.doc.problem(path, f"feit '{key}' staat al in het "
                                                     "casuscontract"))
            elif key in declared_in:
                problems.append(lp.doc.problem(path, f"feit '{key}' is al gedeclareerd in "
                                                     f"{declared_in[key][0].source}"))
            declared_in[key] = (lp, path)
        ids: dict[str, list[tuple[int, AfgeleidFeit]]] = defaultdict(list)
        for i, af in enumerate(lp.pack.afgeleide_feiten):
            ids[af.id].append((i, af))
        for name, versions in ids.items():
            key = f"afgeleid.{name}"
            if key in declared_in and declared_in[key][0] is not lp:
                problems.append(lp.doc.problem(("afgeleide_feiten", versions[0][0], "id"),
                                               f"afgeleid feit '{name}' is al gedeclareerd in "
                                               f"{declared_in[key][0].source}"))
            declared_in[key] = (lp, ("afgeleide_feiten", versions[0][0], "id"))
    catalogue = build_catalogue(packs)

    all_grondwaarden = {g.id for lp in packs for g in lp.pack.grondwaarden}
    all_params = {p.id for lp in packs for p in lp.pack.parameters}
    problems.extend(_check_overlays(packs))
    global_ids: dict[str, str] = {}
    for lp in packs:
        problems.extend(_check_versions(lp))
        params = all_params
        for section in ("grondwaarden", "instrumenten"):
            for item in getattr(lp.pack, section):
                owner = global_ids.setdefault(item.id, lp.source)
                if owner != lp.source:
                    problems.append(lp.doc.problem((section,), f"id '{item.id}' komt ook voor "
                                                               f"in {owner}"))
        for i, g in enumerate(lp.pack.grondwaarden):
            _check_id_prefix(lp, ("grondwaarden", i, "id"), g.id, problems)
        for i, ins in enumerate(lp.pack.instrumenten):
            _check_id_prefix(lp, ("instrumenten", i, "id"), ins.id, problems)
            for j, gid in enumerate(ins.grondwaarden):
                if gid not in all_grondwaarden:
                    problems.append(lp.doc.problem(("instrumenten", i, "grondwaarden", j),
                                                   f"onbekende grondwaarde '{gid}'"))
            for sub in ("voorwaarden", "uitsluitingen", "voorliggend", "begrenzingen",
                        "termijnen"):
                sub_ids = [x.id for x in getattr(ins, sub)]
                for j, sid in enumerate(sub_ids):
                    if sub_ids.index(sid) != j:
                        problems.append(lp.doc.problem(("instrumenten", i, sub, j, "id"),
                                                       f"id '{sid}' komt twee keer voor in "
                                                       f"{sub}"))
        for i, feit in enumerate(lp.pack.feiten):
            for j, successor in enumerate(feit.vervangen_door):
                if successor.partition(".")[0] not in PREFIXES or \
                        catalogue.resolve(successor) is None:
                    problems.append(lp.doc.problem(("feiten", i, "vervangen_door", j),
                                                   f"onbekend feit '{successor}'"))
        for path, toets in _toetsen(lp.pack):
            for leaf_path, leaf in _leaves_with_paths(toets, path):
                problems.extend(_check_leaf(lp, leaf_path, leaf, catalogue, params))
            problems.extend(_check_replaced(lp, path, toets, catalogue, None))
        problems.extend(_check_cycles(lp, packs))
    problems.extend(_check_forms_and_aliases(packs))
    problems.extend(check_bij_onbekend([(lp, path, toets) for lp in packs
                                        for path, toets in _toetsen(lp.pack)]))
    return problems


def _check_forms_and_aliases(packs: Sequence[LoadedPack]) -> list[Problem]:
    """`vorm_van` names known instruments without a cycle; an alias names no other id.

    A form whose base is (through others) a form of itself would make neither's status
    defined. An alias is an old public id: it may not be in use by another instrument, nor be
    claimed by two, or a stored besluit would resolve to the wrong instrument.
    """
    problems: list[Problem] = []
    ids = {ins.id for lp in packs for ins in lp.pack.instrumenten}
    bases: dict[str, set[str]] = defaultdict(set)
    for lp in packs:
        for ins in lp.pack.instrumenten:
            bases[ins.id].update(ins.vorm_van)
    alias_owner: dict[str, str] = {}
    for lp in packs:
        for i, ins in enumerate(lp.pack.instrumenten):
            for j, base in enumerate(ins.vorm_van):
                where: DocPath = ("instrumenten", i, "vorm_van", j)
                if base not in ids:
                    problems.append(lp.doc.problem(where, f"onbekend instrument '{base}'"))
                    continue
                stack, seen = [base], set()
                while stack:
                    cur = stack.pop()
                    if cur == ins.id:
                        problems.append(lp.doc.problem(
                            where, f"kringloop: '{ins.id}' is (via '{base}') een vorm van "
                                   "zichzelf"))
                        break
                    if cur not in seen:
                        seen.add(cur)
                        stack.extend(bases[cur])
            for j, alias in enumerate(ins.aliassen):
                where = ("instrumenten", i, "aliassen", j)
                if alias in ids:
                    problems.append(lp.doc.problem(where, f"alias '{alias}' is de id van een "
                                                          "ander instrument"))
                elif alias_owner.setdefault(alias, ins.id) != ins.id:
                    problems.append(lp.doc.problem(where, f"alias '{alias}' hoort al bij "
                                                          f"'{alias_owner[alias]}'"))
    return problems


def _check_overlays(packs: Sequence[LoadedPack]) -> list[Problem]:
    """Local overlays: what they may do, and the precedence rules.

    Higher law goes before local: an overlay can only fill a parameter the national pack marks
    as an open norm, and has no way to remove or change a national instrument. Newer goes before
    older within one overlay (dated versions). Two overlays of one municipality that fill the
    same open norm on the same day are an unresolved tie: an authoring error.
    """
    problems: list[Problem] = []
    national_params = {p.id: (lp, p) for lp in packs if lp.gemeente is None
                       for p in lp.pack.parameters}
    instruments = {i.id for lp in packs for i in lp.pack.instrumenten}
    seen_params: dict[str, str] = {}
    for lp in packs:
        for j, c in enumerate(lp.pack.controles):
            for k, iid in enumerate(c.instrumenten):
                if iid not in instruments:
                    problems.append(lp.doc.problem(("controles", j, "instrumenten", k),
                                                   f"onbekend instrument '{iid}'"))
        for i, p in enumerate(lp.pack.parameters):
            owner = seen_params.setdefault(p.id, lp.source)
            if owner != lp.source:
                problems.append(lp.doc.problem(("parameters", i, "id"),
                                               f"parameter '{p.id}' bestaat al in {owner}"))
        if lp.gemeente is None:
            if not lp.pack.grondwaarden:
                problems.append(lp.doc.problem(("grondwaarden",), "een landelijk regelpakket "
                                                                  "heeft minstens één grondwaarde"))
            for section in ("invullingen", "annotaties"):
                if getattr(lp.pack, section):
                    problems.append(lp.doc.problem((section,), f"'{section}' horen in een lokaal "
                                                               "pakket (regelpakket.gemeente)"))
            continue
        for j, inv in enumerate(lp.pack.invullingen):
            found = national_params.get(inv.parameter)
            if found is None:
                problems.append(lp.doc.problem(("invullingen", j, "parameter"),
                                               f"onbekende landelijke parameter "
                                               f"'{inv.parameter}'"))
            elif found[1].open_norm is None:
                problems.append(lp.doc.problem(
                    ("invullingen", j, "parameter"),
                    f"'{inv.parameter}' is geen open norm: lokaal beleid kan een wettelijke "
                    "waarde niet vervangen (hogere regel gaat voor)"))
            else:
                norm = found[1].open_norm
                for k, w in enumerate(inv.waarden):
                    if norm.maximum is not None and w.waarde > norm.maximum:
                        problems.append(lp.doc.problem(
                            ("invullingen", j, "waarden", k, "waarde"),
                            f"{w.waarde} is meer dan de wet toestaat ({norm.maximum}, "
                            f"{norm.grondslag.tekst()}): hogere regel gaat voor"))
                    if norm.minimum is not None and w.waarde < norm.minimum:
                        problems.append(lp.doc.problem(
                            ("invullingen", j, "waarden", k, "waarde"),
                            f"{w.waarde} is minder dan de wet toestaat ({norm.minimum}, "
                            f"{norm.grondslag.tekst()}): hogere regel gaat voor"))
            spans = [(("invullingen", j, "waarden", k), lp.span(w))
                     for k, w in enumerate(inv.waarden)]
            problems.extend(_check_spans(lp, inv.parameter, spans))
        for j, ann in enumerate(lp.pack.annotaties):
            if ann.instrument not in instruments:
                problems.append(lp.doc.problem(("annotaties", j, "instrument"),
                                               f"onbekend instrument '{ann.instrument}'"))
    by_gemeente: dict[str, list[LoadedPack]] = defaultdict(list)
    for lp in packs:
        if lp.gemeente:
            by_gemeente[lp.gemeente].append(lp)
    for overlays in by_gemeente.values():
        for a_index, a in enumerate(overlays):
            for b in overlays[a_index + 1:]:
                for j, inv in enumerate(b.pack.invullingen):
                    for other in a.pack.invullingen:
                        if other.parameter != inv.parameter:
                            continue
                        for w in inv.waarden:
                            for v in other.waarden:
                                s1, e1 = b.span(w)
                                s2, e2 = a.span(v)
                                if s1 <= e2 and s2 <= e1:
                                    problems.append(b.doc.problem(
                                        ("invullingen", j, "parameter"),
                                        f"onopgeloste samenloop: '{inv.parameter}' wordt ook "
                                        f"ingevuld door {a.id} ({a.source}) op dezelfde dagen"))
    return problems


def _check_id_prefix(lp: LoadedPack, path: DocPath, item_id: str,
                     problems: list[Problem]) -> None:
    if not item_id.startswith(lp.id + "."):
        problems.append(lp.doc.problem(path, f"id '{item_id}' moet beginnen met "
                                             f"'{lp.id}.' (de id van het regelpakket)"))


def _toetsen(pack: Pack) -> list[tuple[DocPath, Toets]]:
    """Every condition tree in a pack with its document path."""
    out: list[tuple[DocPath, Toets]] = []
    for i, af in enumerate(pack.afgeleide_feiten):
        out.append((("afgeleide_feiten", i, "toets"), af.toets))
    for i, g in enumerate(pack.grondwaarden):
        out.append((("grondwaarden", i, "toets"), g.toets))
    for i, c in enumerate(pack.controles):
        if c.binnen is not None:
            out.append((("controles", i, "binnen"), c.binnen))
    for i, ins in enumerate(pack.instrumenten):
        base: DocPath = ("instrumenten", i)
        if isinstance(ins.toepassing, Toepassing):
            out.append(((*base, "toepassing", "toets"), ins.toepassing.toets))
        elif ins.toepassing is not None:
            out.append(((*base, "toepassing"), ins.toepassing))
        for sub in ("voorwaarden", "uitsluitingen", "voorliggend", "begrenzingen", "termijnen"):
            for j, item in enumerate(getattr(ins, sub)):
                if item.toets is not None:
                    out.append(((*base, sub, j, "toets"), item.toets))
    return out


def _leaves_with_paths(toets: Toets, path: DocPath) -> list[tuple[DocPath, Vergelijking]]:
    if isinstance(toets, Vergelijking):
        return [(path, toets)]
    for key in ("alle", "een_van"):
        children = getattr(toets, key, None)
        if children is not None:
            return [x for j, c in enumerate(children)
                    for x in _leaves_with_paths(c, (*path, key, j))]
    return _leaves_with_paths(toets.niet, (*path, "niet"))  # type: ignore[union-attr]


_NUMERIC_OPS = ("<", "<=", ">", ">=")


def _check_replaced(lp: LoadedPack, path: DocPath, toets: Toets, catalogue: Catalogue,
                    siblings: list[Toets] | None) -> list[Problem]:
    """A replaced fact (`vervangen_door`) is read only as `= true`, directly inside an
    `een_van` that also reads one of its successors as `= true`. Absent, it reads as nee, so
    that `een_van` is then exactly what it would be without it: a casus that does not carry
    the old fact gets the successor's rule, whatever surrounds it."""
    if isinstance(toets, Vergelijking):
        spec = catalogue.resolve(toets.feit)
        if spec is None or not spec.vervangen_door:
            return []
        successors = set(spec.vervangen_door)
        beside = any(isinstance(s, Vergelijking) and s.feit in successors and s.op == "="
                     and s.waarde is True for s in siblings or [])
        if toets.op != "=" or toets.waarde is not True or not beside:
            return [lp.doc.problem((*path, "feit"), f"'{toets.feit}' is vervangen door "
                                   f"{', '.join(spec.vervangen_door)}: lees het alleen als "
                                   "'= true' in een een_van naast zijn opvolger")]
        return []
    out: list[Problem] = []
    for key in ("alle", "een_van"):
        children = getattr(toets, key, None)
        if children is not None:
            for j, c in enumerate(children):
                out.extend(_check_replaced(lp, (*path, key, j), c, catalogue,
                                           children if key == "een_van" else None))
            return out
    return _check_replaced(lp, (*path, "niet"), toets.niet, catalogue,  # type: ignore[union-attr]
                           None)


def _check_leaf(lp: LoadedPack, path: DocPath, leaf: Vergelijking, catalogue: Catalogue,
                params: set[str]) -> list[Problem]:
    prefix = leaf.feit.partition(".")[0]
    if prefix not in PREFIXES:
        return [lp.doc.problem((*path, "feit"), f"onbekend onderwerp '{prefix}'; kies uit "
                                                f"{', '.join(PREFIXES)}")]
    if leaf.feit == f"effect.{KIND_VAN_EFFECT}":
        return [lp.doc.problem((*path, "feit"), f"'effect.{KIND_VAN_EFFECT}' zegt alleen over "
                                                "welk kind het effect gaat; lees de feiten van "
                                                "dat kind als kind.<naam>")]
    spec = catalogue.resolve(leaf.feit)
    if spec is None:
        return [lp.doc.problem((*path, "feit"), f"onbekend feit '{leaf.feit}': niet in het "
                                                "casuscontract en niet gedeclareerd")]
    if leaf.parameter is not None:
        if leaf.parameter not in params:
            return [lp.doc.problem((*path, "parameter"), f"onbekende parameter "
                                                         f"'{leaf.parameter}'")]
        if spec.type not in ("geheel", "bedrag") or leaf.op not in (*_NUMERIC_OPS, "=", "!="):
            return [lp.doc.problem((*path, "op"), "een parameter vergelijk je alleen met een "
                                                  "getal")]
        return []
    t, op, v = spec.type, leaf.op, leaf.waarde
    bad: str | None = None
    if t == "bool":
        if op not in ("=", "!=") or not isinstance(v, bool):
            bad = "een ja/nee-feit vergelijk je met '=' of '!=' en true of false"
    elif t in ("geheel", "bedrag"):
        if op not in (*_NUMERIC_OPS, "=", "!=") or isinstance(v, bool) or not isinstance(
                v, int | float):
            bad = "een getal vergelijk je met =, !=, <, <=, >, >= en een getal"
    elif t == "keuze":
        values = v if isinstance(v, list) else [v]
        if op not in ("=", "!=", "in", "niet_in"):
            bad = "een keuzefeit vergelijk je met =, !=, in of niet_in"
        elif unknown := [x for x in values if x not in spec.waarden]:
            bad = f"waarde {unknown[0]!r} bestaat niet; toegestaan: {', '.join(spec.waarden)}"
    elif t == "keuzelijst":
        if op not in ("bevat", "bevat_niet"):
            bad = "een lijstfeit vergelijk je met 'bevat' of 'bevat_niet'"
        elif v not in spec.waarden:
            bad = f"waarde {v!r} bestaat niet; toegestaan: {', '.join(spec.waarden)}"
    return [lp.doc.problem((*path, "op"), f"{leaf.feit}: {bad}")] if bad else []


def _check_cycles(lp: LoadedPack, packs: Sequence[LoadedPack]) -> list[Problem]:
    """A derived fact may not depend on itself (directly or through others)."""
    deps: dict[str, set[str]] = defaultdict(set)
    for other in packs:
        for af in other.pack.afgeleide_feiten:
            for leaf in iter_leaves(af.toets):
                if leaf.feit.startswith("afgeleid."):
                    deps[af.id].add(leaf.feit.partition(".")[2])
    problems: list[Problem] = []
    for i, af in enumerate(lp.pack.afgeleide_feiten):
        stack, seen = list(deps[af.id]), set()
        while stack:
            cur = stack.pop()
            if cur == af.id:
                problems.append(lp.doc.problem(("afgeleide_feiten", i, "toets"),
                                               f"afgeleid feit '{af.id}' hangt (via andere) "
                                               "van zichzelf af"))
                break
            if cur not in seen:
                seen.add(cur)
                stack.extend(deps[cur])
    return problems


def _check_versions(lp: LoadedPack) -> list[Problem]:
    """Versions of one id must not overlap and must follow each other without a gap."""
    problems: list[Problem] = []
    sections: list[tuple[str, Sequence[Any]]] = [
        ("grondwaarden", lp.pack.grondwaarden),
        ("instrumenten", lp.pack.instrumenten),
        ("afgeleide_feiten", lp.pack.afgeleide_feiten),
    ]
    for section, items in sections:
        by_id: dict[str, list[tuple[int, Grondwaarde | Instrument | AfgeleidFeit]]] = (
            defaultdict(list))
        for i, item in enumerate(items):
            by_id[item.id].append((i, item))
        for item_id, versions in by_id.items():
            problems.extend(_check_spans(lp, item_id,
                                         [((section, i), lp.span(it)) for i, it in versions]))
    for p_index, param in enumerate(lp.pack.parameters):
        spans = [(("parameters", p_index, "waarden", j), lp.span(w))
                 for j, w in enumerate(param.waarden)]
        problems.extend(_check_spans(lp, param.id, spans))
    for i, ins in enumerate(lp.pack.instrumenten):
        for j, t in enumerate(ins.termijnen):
            if t.duur_parameter and not any(p.id == t.duur_parameter for p in lp.pack.parameters):
                problems.append(lp.doc.problem(("instrumenten", i, "termijnen", j,
                                                "duur_parameter"),
                                               f"onbekende parameter '{t.duur_parameter}' "
                                               "(in dit pakket)"))
    return problems


def _check_spans(lp: LoadedPack, item_id: str,
                 spans: Sequence[tuple[DocPath, tuple[dt.date, dt.date]]]) -> list[Problem]:
    problems: list[Problem] = []
    ordered = sorted(spans, key=lambda s: s[1][0])
    for path, (start, end) in ordered:
        if start < lp.start or end > lp.end:
            problems.append(lp.doc.problem(path, f"'{item_id}' geldt ({start} t/m {end}) "
                                                 "buiten de geldigheid van het regelpakket"))
    for (_, (start_a, end_a)), (path_b, (start_b, _)) in itertools.pairwise(ordered):
        if start_b == start_a:
            problems.append(lp.doc.problem(path_b, f"id '{item_id}' komt meer dan eens voor "
                                                   "met dezelfde geldigheid"))
        elif start_b <= end_a:
            problems.append(lp.doc.problem(path_b, f"versies van '{item_id}' overlappen "
                                                   f"(vanaf {start_b}, vorige t/m {end_a})"))
        elif start_b != end_a + dt.timedelta(days=1):
            problems.append(lp.doc.problem(path_b, f"gat tussen versies van '{item_id}' "
                                                   f"(vorige t/m {end_a}, volgende vanaf "
                                                   f"{start_b})"))
    return problems
