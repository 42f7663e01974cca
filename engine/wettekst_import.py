"""Import a law version from the MinBZK regelrecht corpus into our own format (`Wettekst`).

The corpus (`regulation/nl/wet/<naam>/<datum>.yaml`) lists every lid and onderdeel as one flat
entry whose `number` joins article, lid and onderdelen with dots (`2.3.6.5.a`: art. 2.3.6 lid 5
onder a) and whose `url` ends in the article's anchor (`#Artikel2.3.6`). The anchor tells where
the article number ends, which the dots alone cannot (`3.1` is art. 3 lid 1 in one law and art.
3.1 in another). Text carries Markdown links and line wrapping; we keep the words and drop the
link targets, so a quote can be checked against what the law says.

A beleidsmedewerker runs `ot wettekst importeer FILE` the day a new version is published.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml

from engine.citation import REGELINGEN
from engine.errors import Problem
from engine.wettekst import (
    Artikel,
    Lid,
    Onderdeel,
    Wettekst,
    WettekstError,
    load_wettekst,
    nummer_sleutel,
)
from engine.yamlsource import YamlDocument, YamlError, read_yaml_file

MAX_CORPUS_BYTES = 40 * 1024 * 1024
"""The largest consolidated laws (Awb, BW) are a few MB in the corpus format."""

_ANCHOR = re.compile(r"#Artikel([^#/?\s]+)$")
_BASE = re.compile(r"^(https://wetten\.overheid\.nl/BWBR\d{7}/\d{4}-\d{2}-\d{2})")
_REF_DEFINITION = re.compile(r"^[ \t]*\[[^\]\n]+\]:[ \t]*\S+[ \t]*$", re.MULTILINE)
_REF_LINK = re.compile(r"\[([^\]]*)\]\[[^\]\n]*\]")
_INLINE_LINK = re.compile(r"\[([^\]]*)\]\([^)\s]*\)")
_EMPHASIS = re.compile(r"(?<![\w*])\*([^*\n][^*]*?)\*(?![\w*])")
_LID = re.compile(r"^\d+[a-z]*$")
_LID_PARAGRAPH = re.compile(r"^(\d+)([a-z]?)(?:\s+(\S.*))?$", re.DOTALL)
"""A lid paragraph "2 …"; a lapsed lid may be its number alone ("6")."""
_ONDERDEEL_PARAGRAPH = re.compile(r"^([a-z]{1,2})\.\s+(\S.*)$", re.DOTALL)
_SUB_PARAGRAPH = re.compile(r"^(\d+°)\.?\s+(\S.*)$", re.DOTALL)


_SAMENTREKKING_VERVOLG = re.compile(
    r"(en|of|en/of|tot|noch|dan wel|alsmede|onderscheidenlijk|respectievelijk)\b")
"""What follows the hyphen of a samentrekking ("scholings- en trainingsprogramma", "opgroei-
en opvoedingsproblemen"): a corpus line broken after that hyphen lost the space, which must
come back; a word split at its own hyphen ("Wmo-\nvoorziening") is joined without one."""


def schoon(tekst: str) -> str:
    """The words of a corpus text: links as their label, no link definitions, no emphasis,
    wrapped lines joined (a word split at a hyphen or slash joined without a space, a
    samentrekking's hyphen followed by one: `_SAMENTREKKING_VERVOLG`)."""
    text = _REF_DEFINITION.sub("", tekst)
    text = _REF_LINK.sub(lambda m: m.group(1), text)
    text = _INLINE_LINK.sub(lambda m: m.group(1), text)
    text = _EMPHASIS.sub(lambda m: m.group(1), text)
    paragraphs: list[str] = []
    for block in re.split(r"\n[ \t]*\n", text):
        lines = [ln.strip() for ln in block.splitlines() if ln.strip()]
        if not lines:
            continue
        out = lines[0]
        for line in lines[1:]:
            if line.startswith(("- ", "– ")):
                out += "\n" + line
            elif out.endswith("/") or (out.endswith("-") and line[:1].islower()
                                       and not out.endswith(" -")
                                       and not _SAMENTREKKING_VERVOLG.match(line)):
                out += line
            else:
                out += " " + line
        paragraphs.append(re.sub(r"[ \t]+", " ", out))
    return "\n".join(paragraphs).strip()


class _Node:
    """A mutable lid or onderdeel while the flat list is folded into a tree."""

    def __init__(self, nummer: str):
        self.nummer = nummer
        self.tekst = ""
        self.children: list[_Node] = []

    def child(self, nummer: str) -> _Node:
        key = nummer_sleutel(nummer)
        for c in self.children:
            if nummer_sleutel(c.nummer) == key:
                return c
        node = _Node(nummer)
        self.children.append(node)
        return node

    def add_text(self, tekst: str) -> None:
        self.tekst = f"{self.tekst}\n{tekst}" if self.tekst else tekst

    def onderdeel(self) -> Onderdeel:
        return Onderdeel(nummer=self.nummer, tekst=self.tekst,
                         onderdelen=[c.onderdeel() for c in self.children])


class _ArticleNode:
    def __init__(self, nummer: str):
        self.nummer = nummer
        self.root = _Node(nummer)
        self.leden: list[_Node] = []

    def lid(self, nummer: str) -> _Node:
        key = nummer_sleutel(nummer)
        for lid in self.leden:
            if nummer_sleutel(lid.nummer) == key:
                return lid
        node = _Node(nummer)
        self.leden.append(node)
        return node

    def artikel(self) -> Artikel:
        return Artikel(
            nummer=self.nummer, tekst=self.root.tekst,
            leden=[Lid(nummer=lid.nummer, tekst=lid.tekst,
                       onderdelen=[c.onderdeel() for c in lid.children]) for lid in self.leden],
            onderdelen=[c.onderdeel() for c in self.root.children])


def importeer(path: Path, *, naam: str | None = None,
              artikelen: Iterable[str] | None = None) -> Wettekst:
    """Read one corpus file and return the version in our format.

    `artikelen`: import only these articles (an uittreksel). Raises `WettekstError` with
    file:line:col for anything the format does not allow, every problem at once.
    """
    try:
        doc = read_yaml_file(path, max_bytes=MAX_CORPUS_BYTES)
    except YamlError as exc:
        raise WettekstError(exc.problems) from exc
    data = doc.data
    if not isinstance(data, dict):
        raise WettekstError([doc.problem((), "verwacht een wettekst uit het regelrecht-corpus "
                                             "(een mapping met bwb_id, valid_from en articles)")])
    problems: list[Problem] = []
    bwb_id = _required(doc, data, "bwb_id", problems)
    if bwb_id is not None and not isinstance(bwb_id, str):
        problems.append(doc.problem(("bwb_id",), f"verwacht tekst, niet {bwb_id!r}"))
    valid_from = _required(doc, data, "valid_from", problems)
    url = data.get("url")
    entries = data.get("articles")
    if not isinstance(entries, list) or not entries:
        problems.append(doc.problem(("articles",), "verwacht een lijst 'articles'"))
        entries = []
    versie: dt.date | None = None
    if isinstance(valid_from, dt.date):
        versie = valid_from
    elif isinstance(valid_from, str):
        try:
            versie = dt.date.fromisoformat(valid_from)
        except ValueError:
            problems.append(doc.problem(("valid_from",), f"geen datum: {valid_from!r}"))
    elif valid_from is not None:
        problems.append(doc.problem(("valid_from",), f"geen datum: {valid_from!r}"))
    wanted = {nummer_sleutel(a) for a in artikelen} if artikelen is not None else None
    order: list[_ArticleNode] = []
    by_number: dict[str, _ArticleNode] = {}
    for i, entry in enumerate(entries):
        where = ("articles", i)
        if not isinstance(entry, dict):
            problems.append(doc.problem(where, "verwacht een mapping met number, text en url"))
            continue
        number = entry.get("number")
        text = entry.get("text", "")
        entry_url = entry.get("url")
        if not isinstance(number, str | int | float) or not isinstance(entry_url, str):
            problems.append(doc.problem(where, "een artikel heeft 'number' en 'url'"))
            continue
        if not isinstance(text, str):
            problems.append(doc.problem((*where, "text"), "verwacht tekst"))
            continue
        number = str(number)
        anchor = _ANCHOR.search(entry_url)
        if anchor is None:
            problems.append(doc.problem((*where, "url"), f"de url {entry_url!r} eindigt niet op "
                                                         "#Artikel<nummer>"))
            continue
        artikel = _article_of(number, anchor.group(1))
        if number != artikel and not number.startswith(artikel + "."):
            problems.append(doc.problem((*where, "number"), f"nummer {number!r} hoort niet bij "
                                                            f"artikel {artikel} (url)"))
            continue
        if wanted is not None and nummer_sleutel(artikel) not in wanted:
            continue
        art = by_number.get(artikel)
        if art is None:
            art = by_number[artikel] = _ArticleNode(artikel)
            order.append(art)
        tokens = [t for t in number[len(artikel):].split(".") if t]
        if not tokens:
            _fold_paragraphs(art, schoon(text))
            continue
        node = art.root
        if _LID.match(tokens[0]):
            node = art.lid(tokens.pop(0))
        for token in tokens:
            node = node.child(token)
        node.add_text(schoon(text))
    if wanted is not None:
        have = {nummer_sleutel(a.nummer) for a in order}
        for missing in sorted(wanted - have):
            problems.append(doc.problem(("articles",), f"artikel {missing} staat niet in dit "
                                                       "bestand"))
    if problems:
        raise WettekstError(problems)
    assert isinstance(bwb_id, str) and versie is not None
    base = _BASE.match(url) if isinstance(url, str) else None
    bron = base.group(1) if base else f"https://wetten.overheid.nl/{bwb_id}/{versie.isoformat()}"
    try:
        return Wettekst(bwb_id=bwb_id, naam=naam or REGELINGEN.get(bwb_id) or str(
                            data.get("$id") or bwb_id),
                        versie=versie, bron=bron, herkomst=_herkomst(path, data),
                        uittreksel=wanted is not None, artikelen=[a.artikel() for a in order])
    except ValueError as exc:
        raise WettekstError([doc.problem((), f"geen geldige wettekst: {exc}")]) from exc


def _article_of(number: str, anchor: str) -> str:
    """The article number as the law writes it. Anchors drop the colon of book-numbered articles
    (Awb `4:13` is `#Artikel413`), so take the leading part of `number` that, without its
    colons, is the anchor; otherwise the anchor itself."""
    parts = number.split(".")
    for k in range(1, len(parts) + 1):
        candidate = ".".join(parts[:k])
        if ":" in candidate and candidate.replace(":", "") == anchor:
            return candidate
    return anchor


def _fold_paragraphs(art: _ArticleNode, tekst: str) -> None:
    """A whole article in one entry (newer corpus harvests): leden are paragraphs "1 …", "2 …",
    onderdelen "a. …", sub-onderdelen "1° …". Leden are only recognised when numbered 1, 2, 3…
    in order, so a sentence that happens to start with a number stays text."""
    paragraphs = tekst.split("\n")
    numbered = bool(paragraphs) and (m := _LID_PARAGRAPH.match(paragraphs[0])) is not None and (
        m.group(1) == "1")
    previous = 0
    current: _Node = art.root
    onderdeel: _Node | None = None
    for paragraph in paragraphs:
        lid = _LID_PARAGRAPH.match(paragraph) if numbered else None
        if lid and (int(lid.group(1)) == previous + 1 or (int(lid.group(1)) == previous
                                                            and lid.group(2))):
            previous = int(lid.group(1))
            current, onderdeel = art.lid(lid.group(1) + lid.group(2)), None
            if lid.group(3):
                current.add_text(lid.group(3))
        elif od := _ONDERDEEL_PARAGRAPH.match(paragraph):
            onderdeel = current.child(od.group(1))
            onderdeel.add_text(od.group(2))
        elif onderdeel is not None and (sub := _SUB_PARAGRAPH.match(paragraph)):
            onderdeel.child(sub.group(1)).add_text(sub.group(2))
        else:
            (onderdeel or current).add_text(paragraph)


def _required(doc: YamlDocument, data: dict[str, Any], key: str,
              problems: list[Problem]) -> Any:
    if data.get(key) in (None, ""):
        problems.append(doc.problem((key,), f"verplicht veld '{key}' ontbreekt"))
    return data.get(key)


def _herkomst(path: Path, data: dict[str, Any]) -> str:
    """`MinBZK/regelrecht-corpus regulation/nl/wet/<naam>/<datum>.yaml` when recognisable."""
    parts = path.resolve().parts
    if "regulation" in parts:
        rel = "/".join(parts[parts.index("regulation"):])
        return f"MinBZK/regelrecht-corpus {rel}"
    slug = data.get("$id")
    if isinstance(slug, str) and isinstance(data.get("valid_from"), str | dt.date):
        return (f"MinBZK/regelrecht-corpus regulation/nl/wet/{slug}/"
                f"{data['valid_from']}.yaml")
    return path.name


def dump(wet: Wettekst) -> str:
    """Our YAML for one version: stable key order, long texts as literal blocks."""
    data = wet.model_dump(mode="json", exclude_defaults=True)
    data = {"bwb_id": wet.bwb_id, "naam": wet.naam, "versie": wet.versie, "bron": wet.bron,
            **({"herkomst": wet.herkomst} if wet.herkomst else {}),
            **({"uittreksel": True} if wet.uittreksel else {}),
            "artikelen": data["artikelen"]}
    return "# Wettekst, geïmporteerd met `ot wettekst importeer`; niet met de hand wijzigen.\n" + (
        yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=100))


class _Dumper(yaml.SafeDumper):
    """Safe dumper that writes multi-line or long text as a `|` block, readable in a review."""


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    if "\n" in value:
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|")
    return dumper.represent_scalar("tag:yaml.org,2002:str", value)


_Dumper.add_representer(str, _str)


def schrijf(wet: Wettekst, uit: Path) -> Path:
    """Write `uit/<bwb_id>/<versie>.yaml`, then read it back: what is written must load."""
    target = uit / wet.bwb_id / f"{wet.versie.isoformat()}.yaml"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(dump(wet), encoding="utf-8")
    if load_wettekst(target) != wet:  # pragma: no cover - a defect in dump(), not user input
        raise WettekstError([Problem(bestand=str(target), pad="(document)",
                                     melding="teruggelezen tekst wijkt af van de import")])
    return target
