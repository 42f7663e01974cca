"""Safe YAML reading that remembers where every value came from.

Rule packs and casussen are written by people; an error must point at `file:line:col`. PyYAML's
`safe_load` throws positions away, so we compose the node graph ourselves (safe constructors only)
and keep a map from the path in the document (`("instrumenten", 3, "voorwaarden", 0)`) to its mark.

We refuse, with a located message, what a rule author never needs and what makes YAML dangerous:
anchors and aliases (the "billion laughs"), duplicate keys (silently last-wins in PyYAML),
non-string keys, files above a size bound, nesting deeper than `MAX_DEPTH` (PyYAML composes
recursively: 990 levels of `[` exhaust Python's stack) and integers with more digits than Python
converts (200,000 digits raise `ValueError` in PyYAML's constructor).
"""

from __future__ import annotations

import hashlib
import pickle
import re
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from engine.errors import Problem

MAX_YAML_BYTES = 5 * 1024 * 1024
"""Rule packs are a few hundred KB at most; anything far larger is a mistake or an attack."""

MAX_DEPTH = 64
"""Deepest nesting of mappings and sequences; the bundled packs use 12. Bounded well below
Python's recursion limit, so composing, building and validating a document never exhausts the
stack."""
TOO_DEEP = f"te diep genest (meer dan {MAX_DEPTH} niveaus)"

Location = tuple[int, int]
DocPath = tuple[str | int, ...]


@dataclass
class YamlDocument:
    """A parsed document plus the `path -> (line, col)` map, both 1-based."""

    source: str
    data: Any
    marks: dict[DocPath, Location] = field(default_factory=dict)

    def locate(self, path: DocPath) -> Location:
        """Mark of the deepest existing prefix of `path` (a missing key points at its parent)."""
        p = tuple(path)
        while p:
            if p in self.marks:
                return self.marks[p]
            p = p[:-1]
        return self.marks.get((), (1, 1))

    def problem(self, path: DocPath, message: str) -> Problem:
        line, col = self.locate(path)
        return Problem(bestand=self.source, regel=line, kolom=col, pad=format_path(path),
                       melding=message)


def format_path(path: DocPath) -> str:
    """`instrumenten[3].voorwaarden[0].toets` — the way an author reads the document."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out or "(document)"


class YamlError(Exception):
    """The text is not acceptable YAML; carries every problem found."""

    def __init__(self, problems: list[Problem]):
        super().__init__("; ".join(p.render() for p in problems))
        self.problems = problems


def read_yaml_file(path: Path, *, max_bytes: int = MAX_YAML_BYTES) -> YamlDocument:
    """Read and parse one file, refusing oversized input before reading it whole."""
    source = str(path)
    size = path.stat().st_size
    if size > max_bytes:
        raise YamlError([Problem(bestand=source, regel=1, kolom=1, pad="(document)",
                                 melding=f"bestand is {size} bytes, groter dan de grens van "
                                         f"{max_bytes} bytes")])
    raw = path.read_bytes()
    return parse_yaml(raw, source=source, max_bytes=max_bytes)


def parse_yaml(raw: bytes | str, *, source: str = "<invoer>",
               max_bytes: int = MAX_YAML_BYTES) -> YamlDocument:
    """Parse text (a UTF-8 BOM is accepted and ignored) into a located document."""
    if isinstance(raw, bytes):
        if len(raw) > max_bytes:
            raise YamlError([Problem(bestand=source, regel=1, kolom=1, pad="(document)",
                                     melding=f"invoer is groter dan {max_bytes} bytes")])
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise YamlError([Problem(bestand=source, regel=1, kolom=1, pad="(document)",
                                     melding=f"geen geldige UTF-8 (byte {exc.start})")]) from exc
    else:
        text = raw.removeprefix("\ufeff")
    key = hashlib.sha256(text.encode("utf-8", "surrogatepass")).digest()
    if (kept := _PARSED.get(key)) is not None:
        data, marks = pickle.loads(kept)
        return YamlDocument(source=source, data=data, marks=marks)
    doc = _parse_text(text, source)
    _PARSED.put(key, pickle.dumps((doc.data, doc.marks), protocol=pickle.HIGHEST_PROTOCOL))
    return doc


class _ParsedCache:
    """Parsed documents of this process by the sha256 of their text, the most recently used
    kept up to `budget` bytes of pickles (the packs with their YAML test files fit many times).

    PyYAML's pure-Python composer (needed for the marks, the depth bound and the refusals above)
    takes half a second for the largest pack, and every service start, pack reload and impact
    run parses the same bytes again: about 2 of the 2.7 seconds of `create_app` (2026-12-07).
    A hit returns a fresh copy (unpickled, about 1/50 of a parse), so no caller can change
    another's document.
    Only documents that parsed without a problem are kept; the source name is not part of the
    document, so the same bytes under another name are a hit and carry that name."""

    def __init__(self, budget: int) -> None:
        self.budget = budget
        self._items: OrderedDict[bytes, bytes] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, key: bytes) -> bytes | None:
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
        return None

    def put(self, key: bytes, value: bytes) -> None:
        if len(value) > self.budget:
            return
        with self._lock:
            if key in self._items:
                self._bytes -= len(self._items[key])
            self._items[key] = value
            self._items.move_to_end(key)
            self._bytes += len(value)
            while self._bytes > self.budget:
                _, dropped = self._items.popitem(last=False)
                self._bytes -= len(dropped)


_PARSED = _ParsedCache(64 * 1024 * 1024)


def _parse_text(text: str, source: str) -> YamlDocument:
    """`parse_yaml` without the cache: compose, refuse and build with marks."""
    try:
        # PyYAML's reader checks every character when it is made: a control character raised
        # ReaderError out of here, past every caller's YamlError handling
        loader = _DepthBoundedLoader(text)
    except yaml.reader.ReaderError as exc:
        line = text.count("\n", 0, exc.position) + 1
        col = exc.position - (text.rfind("\n", 0, exc.position) + 1) + 1
        teken = text[exc.position] if 0 <= exc.position < len(text) else "?"
        raise YamlError([Problem(bestand=source, regel=line, kolom=col, pad="(document)",
                                 melding=f"YAML-fout: teken {teken!r} is niet toegestaan (geen "
                                         "stuurtekens)")]) from exc
    try:
        node = loader.get_single_node()
    except RecursionError as exc:  # pragma: no cover - MAX_DEPTH stops it first
        line, col = loader.position()
        raise YamlError([Problem(bestand=source, regel=line, kolom=col, pad="(document)",
                                 melding=f"YAML-fout: {TOO_DEEP}")]) from exc
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        hint = yaml_hint(exc)
        raise YamlError([Problem(bestand=source, regel=line, kolom=col, pad="(document)",
                                 melding=f"YAML-fout: {exc.problem or exc}"
                                         + (f" — {hint}" if hint else ""))]) from exc
    except yaml.YAMLError as exc:
        raise YamlError([Problem(bestand=source, regel=1, kolom=1, pad="(document)",
                                 melding=f"YAML-fout: {exc}")]) from exc
    finally:
        loader.dispose()
    doc = YamlDocument(source=source, data=None)
    problems: list[Problem] = []
    if node is None:
        doc.data = None
        return doc
    builder = _Builder(doc, problems, yaml.SafeLoader(""))
    doc.data = builder.build(node, ())
    if problems:
        raise YamlError(problems)
    return doc


INDENT_HINT = "controleer de inspringing: deze regel springt anders in dan de vorige"


def yaml_hint(exc: yaml.MarkedYAMLError) -> str | None:
    """A Dutch hint for PyYAML's parser messages that an author cannot read.

    "expected <block end>, but found '?'" almost always means a line is indented differently
    from the lines before it; a rule author (a beleidsmedewerker, not a YAML expert) needs to
    hear that, and where the block it breaks began (PyYAML's context mark). None when the
    message is already plain (a duplicate key, a bad date) or not about layout.
    """
    problem = exc.problem or ""
    ctx = exc.context_mark
    where = f"regel {ctx.line + 1}, kolom {ctx.column + 1}" if ctx is not None else None
    if "'\\t'" in problem:  # PyYAML quotes the tab with repr: '\t'
        return "spring in met spaties, niet met tabs"
    if problem.startswith("expected <block end>"):
        found = problem.partition("but found ")[2]
        context = exc.context or ""
        if found == "'?'" and "collection" in context:
            return (f"{INDENT_HINT}: in de lijst" + (f" van {where}" if where else "")
                    + " begint elk element met '- ', en de sleutels van een element springen "
                      "verder in dan zijn '-'")
        if found == "'<scalar>'":
            return ("staat er tekst na een waarde tussen aanhalingstekens? Zet dan de hele "
                    f"waarde tussen de aanhalingstekens; anders {INDENT_HINT}")
        if found == "'-'":
            return (f"{INDENT_HINT}: een '-' staat hier tussen de sleutels"
                    + (f" van het blok op {where}" if where else "")
                    + "; een lijst hoort onder een eigen 'sleutel:' en springt verder in")
        if ctx is None:
            return f"{INDENT_HINT}; sleutels (en '- ') op één niveau beginnen in dezelfde kolom"
        if "collection" in context:  # the mark is the list's first '-', not a sibling key
            return (f"{INDENT_HINT}; sleutels (en '- ') op één niveau beginnen in dezelfde "
                    f"kolom, binnen de lijst die op regel {ctx.line + 1} begint")
        return (f"{INDENT_HINT}; sleutels op één niveau beginnen in dezelfde kolom, zoals de "
                f"sleutel op {where}")
    if problem == "mapping values are not allowed here":
        return ("controleer de inspringing: springt deze regel verder in dan de vorige? Staat "
                "er ': ' in een waarde, zet die waarde dan tussen aanhalingstekens (\"…\")")
    if problem == "could not find expected ':'":
        return ("een regel zonder ':'" + (f" ({where})" if where else "")
                + ", of een regel die anders inspringt dan de vorige: controleer de inspringing")
    if problem.startswith(("did not find expected key", "did not find expected '-'")):
        return INDENT_HINT
    if problem.startswith(("expected ',' or ']'", "expected ',' or '}'")):
        return ("controleer de haakjes: een '{' of '['" + (f" op {where}" if where else "")
                + " is niet gesloten op de plek waar het blok eindigt")
    return None


def _without_base_60() -> dict[Any, list[tuple[str, Any]]]:
    """SafeLoader's implicit resolvers without YAML 1.1's base-60 numbers.

    YAML 1.1 reads `4:13` as 253 and `1:431` as 3911; in law, article numbers like these (Awb
    4:13, BW 1:431) are text. YAML 1.2 dropped base-60, and so do we: such a scalar stays a
    string everywhere (rule packs, casussen, corpus files).
    """
    ints = re.compile(r"""^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)
                          |[-+]?0x[0-9a-fA-F_]+)$""", re.X)
    floats = re.compile(r"""^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?
                            |\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?
                            |[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$""", re.X)
    table: dict[Any, list[tuple[str, Any]]] = {}
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items():
        table[first] = [(tag, ints if tag == "tag:yaml.org,2002:int" else
                         floats if tag == "tag:yaml.org,2002:float" else regexp)
                        for tag, regexp in resolvers]
    return table


class _DepthBoundedLoader(yaml.SafeLoader):
    """The safe loader, refusing a document nested deeper than `MAX_DEPTH` where it happens."""

    yaml_implicit_resolvers = _without_base_60()

    def __init__(self, stream: str):
        super().__init__(stream)
        self.depth = 0

    def position(self) -> Location:
        mark = self.get_mark()
        return mark.line + 1, mark.column + 1

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node | None:
        self.depth += 1
        try:
            if self.depth > MAX_DEPTH:
                event = self.peek_event()  # type: ignore[no-untyped-call]  # untyped in stubs
                raise yaml.composer.ComposerError(None, None, TOO_DEEP, event.start_mark)
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1


_INVALID = object()
"""A scalar that could not be constructed (its problem is recorded)."""

_YAML = "tag:yaml.org,2002:"
_SCALAR_TAGS = frozenset(_YAML + t for t in ("str", "int", "float", "bool", "null", "timestamp"))
"""The tags a scalar in rules and casussen may have: what YAML resolves plain values to."""


def _short_tag(tag: str) -> str:
    """`tag:yaml.org,2002:binary` as its author wrote it: `!!binary`."""
    return "!!" + tag.removeprefix(_YAML) if tag.startswith(_YAML) else tag


class _Builder:
    """Turns composed nodes into plain Python values, recording marks and refusing aliases."""

    def __init__(self, doc: YamlDocument, problems: list[Problem], constructor: yaml.SafeLoader):
        self.doc = doc
        self.problems = problems
        self.constructor = constructor
        self.seen: set[int] = set()

    def _error(self, node: yaml.Node, path: DocPath, message: str) -> None:
        self.problems.append(Problem(bestand=self.doc.source, regel=node.start_mark.line + 1,
                                     kolom=node.start_mark.column + 1, pad=format_path(path),
                                     melding=message))

    def build(self, node: yaml.Node, path: DocPath) -> Any:
        self.doc.marks[path] = (node.start_mark.line + 1, node.start_mark.column + 1)
        if id(node) in self.seen:
            self._error(node, path, "ankers en aliassen (&/*) zijn niet toegestaan in regels")
            return None
        self.seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            result: dict[str, Any] = {}
            for key_node, value_node in node.value:
                if key_node.tag == "tag:yaml.org,2002:merge":
                    self._error(key_node, path, "samenvoegsleutel '<<' is niet toegestaan")
                    continue
                if not isinstance(key_node, yaml.ScalarNode):
                    self._error(key_node, path, "een sleutel moet tekst zijn")
                    continue
                key = self._construct(key_node, path)
                if key is _INVALID:
                    continue
                if not isinstance(key, str):
                    key = str(key).lower() if isinstance(key, bool) else str(key)
                child = (*path, key)
                if key in result:
                    self._error(key_node, child, f"sleutel '{key}' komt twee keer voor")
                    continue
                result[key] = self.build(value_node, child)
            return result
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, (*path, i)) for i, item in enumerate(node.value)]
        value = self._construct(node, path)
        return None if value is _INVALID else value

    def _construct(self, node: yaml.Node, path: DocPath) -> Any:
        """A scalar's value, or `_INVALID` after recording why it has none.

        Only the plain scalar types of YAML are read, also when written with an explicit tag
        (`!!str 12`); any other tag (`!!binary`, `!!set`, `!eigen`) is refused by name rather
        than turned into bytes or a set that a later check would report far from its line.
        """
        if node.tag not in _SCALAR_TAGS:
            self._error(node, path, f"ongeldige waarde: het YAML-type '{_short_tag(node.tag)}' "
                                    "is niet toegestaan (alleen tekst, getallen, ja/nee, datums "
                                    "en leeg)")
            return _INVALID
        try:
            return self.constructor.construct_object(node)
        except yaml.YAMLError as exc:
            self._error(node, path, f"ongeldige waarde: {exc}")
        except (ValueError, KeyError, AttributeError):
            # PyYAML builds scalars with Python's own constructors, which fail in their own
            # ways on an explicitly tagged value it does not check: int('abc') and an integer
            # beyond Python's digit limit (ValueError), `!!bool misschien` (KeyError),
            # `!!timestamp gisteren` (AttributeError), a date like 2024-02-30 (ValueError).
            text = str(node.value)
            why = f"'{text[:40]}' kan niet worden gelezen"
            if node.tag == _YAML + "int":
                digits = text.lstrip("+-").replace("_", "")
                why = (f"een getal met te veel cijfers ({len(text)} tekens)" if digits.isdigit()
                       else f"'{text[:40]}' is geen geheel getal")
            elif node.tag == _YAML + "bool":
                why = f"'{text[:40]}' is geen ja/nee (true of false)"
            elif node.tag == _YAML + "timestamp":
                why = f"'{text[:40]}' is geen geldige datum of tijd"
            self._error(node, path, f"ongeldige waarde: {why}")
        return _INVALID
