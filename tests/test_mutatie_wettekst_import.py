"""`engine.wettekst_import` on small invented corpus files (issue 17, docs/testen.md
"Mutatietesten").

The corpus format (module docstring of `engine.wettekst_import`): one flat entry per lid or
onderdeel whose `number` joins article, lid and onderdelen with dots and whose `url` ends in the
article's anchor, or (newer harvests) a whole article in one entry with leden "1 …" and
onderdelen "a. …" as paragraphs. The laws below are invented ("Voorbeeldwet", BWBR9999999, not a
real regeling); every expected value is written from that format, not copied from the output.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest
import yaml

import engine.wettekst_import
from engine.wettekst import Artikel, Lid, Onderdeel, Wettekst, WettekstError, load_wettekst
from engine.wettekst_import import (
    MAX_CORPUS_BYTES,
    _article_of,
    _ArticleNode,
    _fold_paragraphs,
    _herkomst,
    _Node,
    dump,
    importeer,
    schoon,
    schrijf,
)

BASE = "https://wetten.overheid.nl/BWBR9999999/2025-01-01"
HEAD = f"$id: voorbeeldwet\nvalid_from: '2025-01-01'\nbwb_id: BWBR9999999\nurl: {BASE}\n"


def corpus(tmp_path: Path, text: str, name: str = "2025-01-01.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def entry(number: str, text: str, anchor: str) -> str:
    return f"  - number: '{number}'\n    text: {text}\n    url: {BASE}#Artikel{anchor}\n"


def problems(path: Path, **kwargs: object) -> list[tuple[str, str]]:
    with pytest.raises(WettekstError) as info:
        importeer(path, **kwargs)  # type: ignore[arg-type]
    return [(p.pad, p.melding) for p in info.value.problems]


# ── schoon: the words of a corpus text ──────────────────────────────────────────────────────

@pytest.mark.parametrize(("text", "words"), [
    # links keep their label; reference definitions (also indented, with tabs) are dropped
    ("Zie [artikel 2][ref1] en [lid 3][].\n\n[ref1]: https://x.nl#Artikel2\n"
     "  [ref2]:\thttps://y.nl  ", "Zie artikel 2 en lid 3."),
    ("Zie [artikel 2](https://x.nl/a#Artikel2).", "Zie artikel 2."),
    # a target with a space is no link target; a line with more than a target no definition
    ("Zie [dit](niet een link).", "Zie [dit](niet een link)."),
    ("[a]: https://x.nl meer woorden", "[a]: https://x.nl meer woorden"),
    # emphasis goes, but not a star inside a word or a double star
    ("bij *Stb.* 347", "bij Stb. 347"),
    ("2*3*4 en **vet**", "2*3*4 en **vet**"),
    # wrapped lines: a space, except after a slash or a hyphen before a lower-case letter
    ("  een  \n  twee\tdrie   vier ", "een twee drie vier"),
    ("73/148/\nEEG", "73/148/EEG"),
    ("rechter-\ncommissaris", "rechter-commissaris"),
    ("Noord-\nHolland", "Noord- Holland"),
    ("artikel 12 -\nvervallen", "artikel 12 - vervallen"),
    ("bedrag van €-\n50", "bedrag van €- 50"),
    # dashes start a new line in the same paragraph
    ("Lijst:\n- een\n– twee\nverder", "Lijst:\n- een\n– twee verder"),
    # paragraphs: a blank line, also one with spaces or tabs in it
    ("Eerste.\n \t\nTweede.\n\n\n\nDerde.", "Eerste.\nTweede.\nDerde."),
    ("a\n\n \n\nb", "a\nb"),
    ("", ""),
    ("[ref1]: https://x.nl", ""),
])
def test_schoon_keeps_the_words(text: str, words: str) -> None:
    assert schoon(text) == words


@pytest.mark.parametrize(("text", "words"), [
    # Jeugdwet art. 1.1 'jeugdreclassering' and art. 2.3 lid 1, wrapped as the corpus has them
    ("deel nemen aan een scholings-\nen trainingsprogramma",
     "deel nemen aan een scholings- en trainingsprogramma"),
    ("in verband met opgroei-\nen opvoedingsproblemen",
     "in verband met opgroei- en opvoedingsproblemen"),
    # a word split at its own hyphen is joined without a space
    ("een Wmo-\nvoorziening of een Jeugdwet-\nvoorziening",
     "een Wmo-voorziening of een Jeugdwet-voorziening"),
])
def test_schoon_keeps_the_space_of_a_samentrekking(text: str, words: str) -> None:
    """The corpus breaks "scholings- en" after the hyphen; joined without the space the law
    would read "scholings-en", and `ot wettekst verschil` showed a change the law never made
    (Jeugdwet 2.3 lid 1, 2025 against 2026)."""
    assert schoon(text) == words


# ── the tree of leden and onderdelen ────────────────────────────────────────────────────────

def test_a_node_finds_its_child_by_number_whatever_the_case_or_dot() -> None:
    node = _Node("1")
    a = node.child("a")
    assert node.child("A.") is a and node.child(" a ") is a
    b = node.child("b")
    assert b is not a and [c.nummer for c in node.children] == ["a", "b"]
    a.add_text("eerste")
    a.add_text("tweede")
    assert a.onderdeel() == Onderdeel(nummer="a", tekst="eerste\ntweede", onderdelen=[])
    assert node.onderdeel() == Onderdeel(nummer="1", tekst="", onderdelen=[
        Onderdeel(nummer="a", tekst="eerste\ntweede"), Onderdeel(nummer="b")])


def test_an_article_node_finds_its_lid_by_number() -> None:
    art = _ArticleNode("7")
    lid = art.lid("2a")
    assert art.lid("2A") is lid and art.lid("2a.") is lid
    assert art.lid("3") is not lid
    assert art.root.nummer == "7" and art.root.tekst == "" and art.root.children == []
    lid.add_text("Tekst.")
    art.root.child("a").add_text("Definitie.")
    assert art.artikel() == Artikel(
        nummer="7", tekst="", leden=[Lid(nummer="2a", tekst="Tekst."), Lid(nummer="3")],
        onderdelen=[Onderdeel(nummer="a", tekst="Definitie.")])


@pytest.mark.parametrize(("number", "anchor", "artikel"), [
    ("2.3.6.5.a", "2.3.6", "2.3.6"),
    ("4:13.1", "413", "4:13"),
    ("4:13", "413", "4:13"),
    ("1:3.2.b", "13", "1:3"),
    ("41.3", "413", "413"),
    ("4:1.3", "413", "413"),
    ("1:2.3.4", "12.3", "1:2.3"),
])
def test_the_article_number_is_the_anchor_or_the_colon_form_of_it(
        number: str, anchor: str, artikel: str) -> None:
    assert _article_of(number, anchor) == artikel


# ── a whole article in one entry ────────────────────────────────────────────────────────────

def fold(tekst: str) -> Artikel:
    art = _ArticleNode("9")
    _fold_paragraphs(art, tekst)
    return art.artikel()


def test_numbered_paragraphs_are_leden_with_onderdelen_and_sub_onderdelen() -> None:
    tekst = "\n".join([
        "1 Eerste lid.",
        "2 Tweede lid:",
        "a. onderdeel a;",
        "1° sub een;",
        "2°. sub twee;",
        "slot van a;",
        "b. onderdeel b.",
        "2a Lid twee a.",
        "3",
        "4 Vierde lid.",
        "6 Geen volgend lid, dus tekst.",
        "4 Ook geen lid: zelfde nummer zonder letter.",
    ])
    assert fold(tekst) == Artikel(nummer="9", leden=[
        Lid(nummer="1", tekst="Eerste lid."),
        Lid(nummer="2", tekst="Tweede lid:", onderdelen=[
            Onderdeel(nummer="a", tekst="onderdeel a;\nslot van a;", onderdelen=[
                Onderdeel(nummer="1°", tekst="sub een;"),
                Onderdeel(nummer="2°", tekst="sub twee;")]),
            Onderdeel(nummer="b", tekst="onderdeel b.")]),
        Lid(nummer="2a", tekst="Lid twee a."),
        Lid(nummer="3"),
        Lid(nummer="4", tekst="Vierde lid.\n6 Geen volgend lid, dus tekst.\n"
                              "4 Ook geen lid: zelfde nummer zonder letter.")])


def test_text_after_a_lid_goes_to_that_lid_once_its_onderdeel_is_closed() -> None:
    tekst = "1 Eerste lid:\na. een;\n2 Tweede lid.\nVervolg van het tweede lid."
    assert fold(tekst) == Artikel(nummer="9", leden=[
        Lid(nummer="1", tekst="Eerste lid:", onderdelen=[Onderdeel(nummer="a", tekst="een;")]),
        Lid(nummer="2", tekst="Tweede lid.\nVervolg van het tweede lid.")])


@pytest.mark.parametrize("first", ["In deze wet wordt verstaan onder:", "2 Begint bij twee:"])
def test_an_article_that_does_not_start_with_lid_1_has_no_leden(first: str) -> None:
    tekst = f"{first}\n1 een zin die met een getal begint;\n1° geen sub zonder onderdeel;\n" \
            "a. begrip: betekenis;\n1° sub van a."
    assert fold(tekst) == Artikel(
        nummer="9", tekst=f"{first}\n1 een zin die met een getal begint;\n"
                          "1° geen sub zonder onderdeel;",
        onderdelen=[Onderdeel(nummer="a", tekst="begrip: betekenis;", onderdelen=[
            Onderdeel(nummer="1°", tekst="sub van a.")])])


def test_a_lid_with_a_letter_directly_after_lid_1_starts_the_numbering() -> None:
    assert fold("1a Een a.\n2 Twee.") == Artikel(nummer="9", leden=[
        Lid(nummer="1a", tekst="Een a."), Lid(nummer="2", tekst="Twee.")])


def test_an_empty_article_text_has_nothing() -> None:
    assert fold("") == Artikel(nummer="9")


# ── importeer: the happy path ───────────────────────────────────────────────────────────────

def test_a_flat_corpus_file_is_folded_into_articles_leden_and_onderdelen(tmp_path: Path) -> None:
    path = corpus(tmp_path, HEAD.replace("'2025-01-01'", "2025-01-01") + "articles:\n"
                  + entry("1", "'In deze wet wordt verstaan onder:'", "1")
                  + entry("1.a", "'*college*: het college van [burgemeester](https://x.nl)'", "1")
                  + entry("2.1", "Eerste lid.", "2")
                  + entry("2.2", "'Tweede lid:'", "2")
                  + entry("2.2.a", "onderdeel a;", "2")
                  + entry("2.2.a.1°", "sub een,", "2")
                  + entry("2.2.a.1°", "en meer.", "2")
                  + f"  - number: 2.3\n    url: {BASE}#Artikel2\n"
                  + f"  - number: 3\n    text: Drie.\n    url: {BASE}#Artikel3\n"
                  + entry("3a.", "|-\n      1 Een.\n\n      2 Twee.", "3a")
                  + entry("4:13.1", "Boek vier.", "413"))

    wet = importeer(path)

    assert wet == Wettekst(
        bwb_id="BWBR9999999", naam="voorbeeldwet", versie=dt.date(2025, 1, 1), bron=BASE,
        herkomst="MinBZK/regelrecht-corpus regulation/nl/wet/voorbeeldwet/2025-01-01.yaml",
        uittreksel=False, artikelen=[
            Artikel(nummer="1", tekst="In deze wet wordt verstaan onder:", onderdelen=[
                Onderdeel(nummer="a", tekst="college: het college van burgemeester")]),
            Artikel(nummer="2", leden=[
                Lid(nummer="1", tekst="Eerste lid."),
                Lid(nummer="2", tekst="Tweede lid:", onderdelen=[
                    Onderdeel(nummer="a", tekst="onderdeel a;", onderdelen=[
                        Onderdeel(nummer="1°", tekst="sub een,\nen meer.")])]),
                Lid(nummer="3")]),
            Artikel(nummer="3", tekst="Drie."),
            Artikel(nummer="3a", leden=[Lid(nummer="1", tekst="Een."),
                                        Lid(nummer="2", tekst="Twee.")]),
            Artikel(nummer="4:13", leden=[Lid(nummer="1", tekst="Boek vier.")])])


def test_selected_articles_make_an_uittreksel_matched_as_numbers(tmp_path: Path) -> None:
    path = corpus(tmp_path, HEAD + "articles:\n" + entry("1", "Een.", "1")
                  + entry("2A.1", "Twee a.", "2A") + entry("3", "Drie.", "3"))
    wet = importeer(path, artikelen=["3.", "2a"])
    assert wet.uittreksel
    assert [a.nummer for a in wet.artikelen] == ["2A", "3"]
    assert importeer(path, artikelen=["1", "2a", "3"]).uittreksel
    assert not importeer(path).uittreksel
    assert problems(path, artikelen=["9", "1", "8"]) == [
        ("articles", "artikel 8 staat niet in dit bestand"),
        ("articles", "artikel 9 staat niet in dit bestand")]


@pytest.mark.parametrize(("head", "naam", "expected"), [
    (HEAD, "Eigen naam", "Eigen naam"),
    (HEAD, None, "voorbeeldwet"),
    (HEAD.replace("BWBR9999999", "BWBR0001860"), None, "Faillissementswet"),
    (HEAD.replace("$id: voorbeeldwet\n", ""), None, "BWBR9999999"),
])
def test_the_name_is_the_given_one_the_known_one_the_corpus_id_or_the_bwb_id(
        tmp_path: Path, head: str, naam: str | None, expected: str) -> None:
    path = corpus(tmp_path, head + "articles:\n" + entry("1", "Een.", "1"))
    assert importeer(path, naam=naam).naam == expected


@pytest.mark.parametrize(("url", "bron"), [
    (f"{BASE}/0/Hoofdstuk1", BASE),
    ("https://example.org/BWBR9999999/2025-01-01", BASE),
    ("https://wetten.overheid.nl/BWBR9999999/2024-07-01", "https://wetten.overheid.nl/BWBR9999999/2024-07-01"),
    ("[1, 2]", BASE),
])
def test_the_source_is_the_versions_address(tmp_path: Path, url: str, bron: str) -> None:
    path = corpus(tmp_path, HEAD.replace(f"url: {BASE}", f"url: {url}") + "articles:\n"
                  + entry("1", "Een.", "1"))
    assert importeer(path).bron == bron


def test_without_a_url_the_source_is_made_from_id_and_date(tmp_path: Path) -> None:
    path = corpus(tmp_path, HEAD.replace(f"url: {BASE}\n", "") + "articles:\n"
                  + entry("1", "Een.", "1"))
    assert importeer(path).bron == BASE


def test_the_origin_is_the_corpus_path(tmp_path: Path) -> None:
    inside = tmp_path / "kopie" / "regulation" / "nl" / "wet" / "iets"
    inside.mkdir(parents=True)
    assert _herkomst(inside / "2025-01-01.yaml", {}) == (
        "MinBZK/regelrecht-corpus regulation/nl/wet/iets/2025-01-01.yaml")
    elders = tmp_path / "los.yaml"
    assert _herkomst(elders, {"$id": "wet_x", "valid_from": "2025-01-01"}) == (
        "MinBZK/regelrecht-corpus regulation/nl/wet/wet_x/2025-01-01.yaml")
    assert _herkomst(elders, {"$id": "wet_x", "valid_from": dt.date(2025, 1, 1)}) == (
        "MinBZK/regelrecht-corpus regulation/nl/wet/wet_x/2025-01-01.yaml")
    assert _herkomst(elders, {"$id": "wet_x", "valid_from": 2025}) == "los.yaml"
    assert _herkomst(elders, {"$id": 5, "valid_from": "2025-01-01"}) == "los.yaml"
    assert _herkomst(elders, {"valid_from": "2025-01-01"}) == "los.yaml"


# ── importeer: every problem at once, with its place ───────────────────────────────────────

def test_every_problem_of_the_entries_is_reported_at_once(tmp_path: Path) -> None:
    path = corpus(tmp_path, HEAD + "articles:\n"
                  "  - 5\n"
                  f"  - number: [1]\n    url: {BASE}#Artikel1\n"
                  "  - number: '1'\n    text: Zonder url.\n"
                  f"  - number: '1'\n    text: [geen, tekst]\n    url: {BASE}#Artikel1\n"
                  + entry("1", "Geen anker.", "").replace("#Artikel", "")
                  + entry("1", "Leeg anker.", "")
                  + entry("7.1", "Ander artikel.", "8")
                  + entry("23", "Niet 2.", "2")
                  + entry("2.1", "Goed.", "2"))
    assert problems(path) == [
        ("articles[0]", "verwacht een mapping met number, text en url"),
        ("articles[1]", "een artikel heeft 'number' en 'url'"),
        ("articles[2]", "een artikel heeft 'number' en 'url'"),
        ("articles[3].text", "verwacht tekst"),
        ("articles[4].url", f"de url '{BASE}' eindigt niet op #Artikel<nummer>"),
        ("articles[5].url", f"de url '{BASE}#Artikel' eindigt niet op #Artikel<nummer>"),
        ("articles[6].number", "nummer '7.1' hoort niet bij artikel 8 (url)"),
        ("articles[7].number", "nummer '23' hoort niet bij artikel 2 (url)"),
    ]


def test_the_heading_fields_are_required(tmp_path: Path) -> None:
    assert problems(corpus(tmp_path, "naam: x\n")) == [
        ("articles", "verwacht een lijst 'articles'"),
        ("bwb_id", "verplicht veld 'bwb_id' ontbreekt"),
        ("valid_from", "verplicht veld 'valid_from' ontbreekt")]
    # empty counts as missing (problems are listed in the order of the file; an empty
    # valid_from is also reported as "geen datum: ''", which is not pinned here)
    found = problems(corpus(tmp_path, "bwb_id: ''\nvalid_from: ''\narticles: []\n"))
    assert [p for p in found if not p[1].startswith("geen datum")] == [
        ("bwb_id", "verplicht veld 'bwb_id' ontbreekt"),
        ("valid_from", "verplicht veld 'valid_from' ontbreekt"),
        ("articles", "verwacht een lijst 'articles'")]
    assert problems(corpus(tmp_path, HEAD + "articles: {number: '1'}\n")) == [
        ("articles", "verwacht een lijst 'articles'")]


def test_a_date_that_is_no_date_is_refused(tmp_path: Path) -> None:
    path = corpus(tmp_path, HEAD.replace("'2025-01-01'", "1 januari 2025") + "articles:\n"
                  + entry("1", "Een.", "1"))
    assert problems(path) == [("valid_from", "geen datum: '1 januari 2025'")]


@pytest.mark.parametrize(("line", "expected"), [
    ("valid_from: 20250101", ("valid_from", "geen datum: 20250101")),
    ("valid_from: [2025]", ("valid_from", "geen datum: [2025]")),
    ("bwb_id: 9999999", ("bwb_id", "verwacht tekst, niet 9999999")),
])
def test_a_heading_field_of_the_wrong_type_is_a_located_problem(
        tmp_path: Path, line: str, expected: tuple[str, str]) -> None:
    """Not an AssertionError: `importeer` refuses anything the format does not allow with a
    WettekstError naming the place (the bug fixed alongside these tests)."""
    key = line.split(":")[0]
    head = "".join(x + "\n" if not x.startswith(key) else line + "\n"
                   for x in HEAD.splitlines())
    assert problems(corpus(tmp_path, head + "articles:\n" + entry("1", "Een.", "1"))) == [
        expected]


def test_a_document_that_is_not_a_mapping_is_refused(tmp_path: Path) -> None:
    path = corpus(tmp_path, "- bwb_id: BWBR9999999\n")
    with pytest.raises(WettekstError) as info:
        importeer(path)
    (problem,) = info.value.problems
    assert problem.render() == (
        f"{path}:1:1: (document): verwacht een wettekst uit het regelrecht-corpus (een mapping "
        "met bwb_id, valid_from en articles)")


def test_a_file_that_is_not_yaml_is_refused_with_its_place(tmp_path: Path) -> None:
    path = corpus(tmp_path, "bwb_id: [BWBR9999999\n")
    with pytest.raises(WettekstError) as info:
        importeer(path)
    assert info.value.problems and all(p.bestand == str(path) for p in info.value.problems)


def test_a_file_larger_than_the_largest_law_is_refused_before_reading(tmp_path: Path) -> None:
    assert MAX_CORPUS_BYTES == 40 * 1024 * 1024
    path = tmp_path / "groot.yaml"
    with path.open("wb") as f:  # sparse: nothing is written to disk
        f.truncate(MAX_CORPUS_BYTES + 1)
    with pytest.raises(WettekstError) as info:
        importeer(path)
    (problem,) = info.value.problems
    assert problem.melding == (f"bestand is {MAX_CORPUS_BYTES + 1} bytes, groter dan de grens "
                               f"van {MAX_CORPUS_BYTES} bytes")
    os.remove(path)


def test_a_version_our_format_does_not_allow_is_refused_with_the_reason(tmp_path: Path) -> None:
    path = corpus(tmp_path, HEAD.replace("BWBR9999999", "CVDR123").replace(f"url: {BASE}\n", "")
                  + "articles:\n" + entry("1", "Een.", "1"))
    (fout,) = problems(path)
    assert fout[0] == "(document)"
    assert fout[1].startswith("geen geldige wettekst: ") and "bwb_id" in fout[1]


# ── dump and schrijf ────────────────────────────────────────────────────────────────────────

WET = Wettekst(bwb_id="BWBR9999999", naam="Voorbeeldwet", versie=dt.date(2025, 1, 1), bron=BASE,
               artikelen=[Artikel(nummer="1", tekst="Eén regel.", leden=[
                   Lid(nummer="1", tekst="Lid een:\n- streepje",
                       onderdelen=[Onderdeel(nummer="a", tekst="a")])])])

DUMPED = """\
# Wettekst, geïmporteerd met `ot wettekst importeer`; niet met de hand wijzigen.
bwb_id: BWBR9999999
naam: Voorbeeldwet
versie: 2025-01-01
bron: https://wetten.overheid.nl/BWBR9999999/2025-01-01
artikelen:
- nummer: '1'
  tekst: Eén regel.
  leden:
  - nummer: '1'
    tekst: |-
      Lid een:
      - streepje
    onderdelen:
    - nummer: a
      tekst: a
"""


def test_dump_writes_our_yaml_with_multi_line_text_as_a_block() -> None:
    assert dump(WET) == DUMPED
    marked = WET.model_copy(update={"herkomst": "MinBZK/regelrecht-corpus x.yaml",
                                    "uittreksel": True})
    assert dump(marked) == DUMPED.replace(
        "artikelen:", "herkomst: MinBZK/regelrecht-corpus x.yaml\nuittreksel: true\nartikelen:")


def test_schrijf_writes_the_file_per_law_and_version_and_it_loads(tmp_path: Path) -> None:
    target = schrijf(WET, tmp_path / "uit")
    assert target == tmp_path / "uit" / "BWBR9999999" / "2025-01-01.yaml"
    assert target.read_text("utf-8") == DUMPED
    assert load_wettekst(target) == WET
    assert yaml.safe_load(target.read_text("utf-8"))["artikelen"][0]["tekst"] == "Eén regel."
    assert schrijf(WET, tmp_path / "uit") == target  # an existing folder is fine


LATIN1_SCRIPT = """\
import locale, sys
from pathlib import Path
print(locale.getpreferredencoding(False))
from engine.wettekst_import import importeer, schrijf
schrijf(importeer(Path(sys.argv[1])), Path(sys.argv[2]))
"""


def test_schrijf_writes_utf8_under_a_latin1_locale(tmp_path: Path) -> None:
    """`ot wettekst importeer` on a machine whose locale is not UTF-8 (an ISO-8859-1 locale,
    made here with localedef) still writes UTF-8: the file is read back as UTF-8 (by schrijf
    itself, by the engine, by every other machine), and "geïmporteerd" or "é" written in the
    locale's encoding would not read."""
    import shutil
    import subprocess
    import sys

    localedef = shutil.which("localedef")
    if localedef is None:
        pytest.skip("no localedef to make a Latin-1 locale")
    locales = tmp_path / "locales"
    locales.mkdir()
    made = subprocess.run([localedef, "-i", "en_US", "-f", "ISO-8859-1",
                           str(locales / "en_US.ISO-8859-1")], capture_output=True)
    if made.returncode != 0:
        pytest.skip(f"localedef could not make en_US.ISO-8859-1: {made.stderr[-200:]!r}")
    source = corpus(tmp_path, HEAD + "articles:\n" + entry("1", "Eén regel, geïmporteerd.", "1"))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LC_", "PYTHONUTF8"))}
    env.update(LOCPATH=str(locales), LC_ALL="en_US.ISO-8859-1", LANG="en_US.ISO-8859-1",
               PYTHONUTF8="0", PYTHONPATH=str(Path(__file__).resolve().parents[1]))
    done = subprocess.run([sys.executable, "-c", LATIN1_SCRIPT, str(source),
                           str(tmp_path / "uit")], capture_output=True, env=env, timeout=120)
    if done.stdout.split(b"\n", 1)[0].strip() != b"ISO-8859-1":
        pytest.skip(f"the locale did not take effect: {done.stdout[:100]!r}")
    assert done.returncode == 0, done.stderr.decode("utf-8", "replace")[-2000:]
    written = (tmp_path / "uit" / "BWBR9999999" / "2025-01-01.yaml").read_bytes()
    assert written == dump(importeer(source)).encode("utf-8")
    # and the same bytes as schrijf writes here (also so that mutmut, which sees only what runs
    # in this process, counts this test as one of schrijf's)
    assert written == schrijf(importeer(source), tmp_path / "hier").read_bytes()
    assert "Eén regel, geïmporteerd." in written.decode("utf-8")


def test_dump_continues_a_line_only_past_the_hundredth_column() -> None:
    """`width=100`: a plain text whose line ends at column 100 stays one line; one whose word
    ends past it is continued on the next line (and still reads back the same)."""
    prefix = "  tekst: "  # an article's text in the list of articles
    kort = " ".join(["abcdefghi"] * 9) + " a"  # the line is exactly 100 columns
    lang = " ".join(["abcdefghi"] * 9) + " ab eind"  # "ab" ends at column 101
    assert len(prefix + kort) == 100 and len(prefix + lang.removesuffix(" eind")) == 101
    wet = WET.model_copy(update={"artikelen": [Artikel(nummer="1", tekst=kort),
                                               Artikel(nummer="2", tekst=lang)]})
    lines = dump(wet).splitlines()
    assert prefix + kort in lines
    at = lines.index(prefix + lang.removesuffix(" eind"))
    assert lines[at + 1].strip() == "eind"
    assert [a["tekst"] for a in yaml.safe_load(dump(wet))["artikelen"]] == [kort, lang]


def test_schrijf_refuses_a_file_that_does_not_read_back_as_the_import(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(engine.wettekst_import, "dump",
                        lambda wet: DUMPED.replace("naam: Voorbeeldwet", "naam: Andere wet"))
    with pytest.raises(WettekstError) as info:
        schrijf(WET, tmp_path)
    target = tmp_path / "BWBR9999999" / "2025-01-01.yaml"
    assert [p.model_dump() for p in info.value.problems] == [
        {"bestand": str(target), "regel": None, "kolom": None, "pad": "(document)",
         "melding": "teruggelezen tekst wijkt af van de import"}]
