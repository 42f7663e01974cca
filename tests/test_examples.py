"""The public example cases of ../shared/examples: every assertion comes from its `verwachting`.

The quoted sentence above each block is the expectation it checks. Instrument ids are those of
the bundled packs (see `ot uitleg`-style listings in the pack YAML).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from engine import Engine, Receipt
from tests.paths import EXAMPLES


@pytest.fixture(scope="module")
def advies(rules: Engine) -> Any:
    cache: dict[str, Receipt] = {}

    def get(name: str) -> Receipt:
        if name not in cache:
            cache[name] = rules.advies(rules.casus_file(EXAMPLES / f"{name}.yaml"))
        return cache[name]

    return get


def effect(r: Receipt, eid: str) -> dict[str, Any]:
    found: dict[str, Any] = next(e for e in r.advies["effecten"] if e["id"] == eid)
    return found


def wetten(r: Receipt, eid: str) -> set[str]:
    return {w["pakket"] for w in effect(r, eid)["stap2"]["wetten"] if w["uitkomst"] == "ja"}


def ins(r: Receipt, eid: str, iid: str) -> dict[str, Any]:
    for i in effect(r, eid)["stap4"]["instrumenten"]:
        if i["id"] == iid:
            return i  # type: ignore[no-any-return]
    raise AssertionError(f"{iid} not listed for {eid}: "
                         f"{[i['id'] for i in effect(r, eid)['stap4']['instrumenten']]}")


def order(r: Receipt, eid: str) -> list[str]:
    return [i["id"] for i in effect(r, eid)["stap4"]["instrumenten"]]


def asked(r: Receipt, eid: str) -> list[str]:
    return [q["feit"] for q in effect(r, eid)["nog_uitvragen"]]


def test_every_example_is_covered() -> None:
    names = {p.stem for p in EXAMPLES.glob("*.yaml")}
    covered = {n.removeprefix("test_").replace("_", "-") for n in globals()
               if n.startswith("test_") and n != "test_every_example_is_covered"}
    assert names <= covered, names - covered


def test_scootmobiel(advies: Any) -> None:
    r = advies("scootmobiel")
    # "Wmo 2015 only; a single-domain question, no integraal overleg."
    assert r.advies["stap2"]["domeinen"] == ["Wmo"]
    assert r.advies["stap2"]["mogelijke_domeinen"] == []
    assert r.advies["stap2"]["integraal_overleg"] is False
    assert wetten(r, "e1") == {"wmo"}
    # "Wmo maatwerkvoorziening vervoer / hulpmiddel (scootmobiel), art. 2.3.5 lid 3:
    #  voorwaardelijk, because the ladder ... is not yet established."
    vv = ins(r, "e1", "wmo.vervoersvoorziening")
    assert vv["status"] == "voorwaardelijk"
    assert vv["rechtsgrond"]["artikel"] == "2.3.5" and vv["rechtsgrond"]["lid"] == "3"
    # "Wmo algemene voorziening (collectief vervoer) named before maatwerk on the ladder."
    names = order(r, "e1")
    assert names.index("wmo.collectief_vervoer") < names.index("wmo.vervoersvoorziening")
    # "No Jeugdwet, Participatiewet or schuldhulp instrument."
    assert all(n.startswith("wmo.") for n in names)
    # nog_uitvragen: [netwerk.mantelzorg_beschikbaar, netwerk.algemene_voorziening_toereikend]
    assert {"netwerk.mantelzorg_beschikbaar",
            "netwerk.algemene_voorziening_toereikend"} <= set(asked(r, "e1"))
    assert {"netwerk.mantelzorg_beschikbaar",
            "netwerk.algemene_voorziening_toereikend"} <= set(vv["nog_uitvragen"])


def test_gezin_meervoudig(advies: Any) -> None:
    r = advies("gezin-meervoudig")
    # "Jeugdwet (e1), Participatiewet (e2), schuldhulp Wgs (e3), Wmo (e4); four domains, so an
    #  integraal overleg with colleagues of each."
    assert "jeugdwet" in wetten(r, "e1")
    assert "participatiewet" in wetten(r, "e2")
    assert "wsnp" in wetten(r, "e3")
    assert "wmo" in wetten(r, "e4")
    assert set(r.advies["stap2"]["domeinen"]) == {"Jeugdwet", "Participatiewet",
                                                  "Schuldhulpverlening", "Wmo"}
    assert r.advies["stap2"]["integraal_overleg"] is True
    # "Jeugdwet overige voorziening (opvoedondersteuning, art. 2.9 / 2.1) before individuele
    #  voorziening jeugdhulp (art. 2.3): voorwaardelijk."
    names = order(r, "e1")
    assert names.index("jeugdwet.overige_voorziening") < names.index(
        "jeugdwet.individuele_voorziening")
    assert ins(r, "e1", "jeugdwet.individuele_voorziening")["status"] == "voorwaardelijk"
    assert ins(r, "e1", "jeugdwet.overige_voorziening")["status"] in ("past", "voorwaardelijk")
    # "Participatiewet re-integratievoorziening: past_niet for the father while he receives WW
    #  (art. 7 lid 3 c ...); UWV named as the route."
    re_int = ins(r, "e2", "participatiewet.reintegratie")
    assert re_int["status"] == "past_niet"
    assert any("art. 7 lid 3" in x["citaat"] for x in re_int["redenen"])
    assert any("UWV" in v["naam"] for v in re_int["voorliggend"])
    # "Wgs schuldhulpverlening (art. 3, first conversation art. 4); arrears in huur and energie
    #  make it urgent only when eviction or cut-off is announced."
    shv = ins(r, "e3", "wsnp.schuldhulpverlening")
    assert shv["status"] != "past_niet"
    assert shv["rechtsgrond"]["artikel"] == "3"
    urgent = [t for t in shv["termijnen"] if t["eenheid"] == "werkdagen" and t["duur"] == 3]
    assert urgent and all(t["uitkomst"] != "ja" for t in urgent)
    # "Wmo huishoudelijke hulp (maatwerk, art. 2.3.5 lid 3): voorwaardelijk, because gebruikelijke
    #  hulp by the partner ... is not yet established."
    hh = ins(r, "e4", "wmo.huishoudelijke_hulp")
    assert hh["status"] == "voorwaardelijk"
    assert "netwerk.gebruikelijke_hulp_mogelijk" in hh["nog_uitvragen"]


def test_levenseinde_medicatie(advies: Any) -> None:
    r = advies("levenseinde-medicatie")
    # "Participatiewet (bestaanszekerheid, ...) and Wmo (zelfredzaamheid in de eigen
    #  leefomgeving)"
    assert {"participatiewet", "wmo"} <= wetten(r, "e1")
    # "Participatiewet bijzondere bijstand, art. 35: voorwaardelijk. ... why the Zvw refused still
    #  matters (art. 15 lid 1 second sentence); draagkracht and necessity still to weigh."
    bb = ins(r, "e1", "participatiewet.bijzondere_bijstand")
    assert bb["status"] == "voorwaardelijk"
    assert bb["rechtsgrond"]["artikel"] == "35"
    assert any(x["citaat"].startswith("art. 15 lid 1") for x in bb["redenen"])
    assert any(a.startswith("gewenste_effecten[e1].") for a in bb["nog_uitvragen"])
    # "Wmo maatwerkvoorziening for the medication: past_niet (not a form of maatschappelijke
    #  ondersteuning), with that reason in the trace."
    med = ins(r, "e1", "wmo.vergoeding_geneesmiddelen")
    assert med["status"] == "past_niet"
    assert any("1.1.1" in x["citaat"] for x in med["redenen"])


def test_overgang_18(advies: Any) -> None:
    r = advies("overgang-18")
    # "Jeugdwet and Wmo (e1: continuity at 18), Participatiewet (e2)."
    assert {"jeugdwet", "wmo"} <= wetten(r, "e1") | {
        w["pakket"] for w in effect(r, "e1")["stap2"]["wetten"]}
    assert "wmo" in wetten(r, "e1")
    assert "participatiewet" in wetten(r, "e2")
    # "Verlengde jeugdhulp to 23 (Jeugdwet art. 1.1, jeugdige 4°): voorwaardelijk ...; Wmo
    #  begeleiding (art. 2.3.5) named as the adult route."
    assert ins(r, "e1", "jeugdwet.verlengde_jeugdhulp")["status"] == "voorwaardelijk"
    assert ins(r, "e1", "wmo.begeleiding")["status"] in ("past", "voorwaardelijk")
    # "Participatiewet beschut werk (art. 10b; UWV advises): voorwaardelijk."
    bw = ins(r, "e2", "participatiewet.beschut_werk")
    assert bw["status"] == "voorwaardelijk"
    assert bw["rechtsgrond"]["artikel"] == "10b"


def test_verslaving_schulden(advies: Any) -> None:
    r = advies("verslaving-schulden")
    # "schuldhulp (Wgs/Fw) and Participatiewet for e1; Wmo for e2"
    assert {"wsnp", "participatiewet"} <= wetten(r, "e1")
    assert "wmo" in wetten(r, "e2")
    assert r.advies["stap2"]["integraal_overleg"] is True
    # "Beschermingsbewind (BW 1:431, kantonrechter): voorwaardelijk, with bijzondere bijstand for
    #  the bewind costs (Pw art. 35)."
    assert ins(r, "e1", "wsnp.beschermingsbewind")["status"] == "voorwaardelijk"
    assert ins(r, "e1", "participatiewet.bijzondere_bijstand")["status"] == "voorwaardelijk"
    # "Wgs schuldhulpverlening (art. 3); Wsnp (Fw 288) voorwaardelijk: good faith and a failed or
    #  hopeless amicable track are still to establish."
    assert ins(r, "e1", "wsnp.schuldhulpverlening")["status"] != "past_niet"
    wsnp = ins(r, "e1", "wsnp.schuldsanering")
    assert wsnp["status"] == "voorwaardelijk"
    assert {"financien.te_goeder_trouw", "financien.minnelijk_traject_mislukt"} <= set(
        wsnp["nog_uitvragen"])
    # "Wmo begeleiding (art. 2.3.5 lid 3): voorwaardelijk; addiction treatment is Zvw and named as
    #  voorliggend."
    beg = ins(r, "e2", "wmo.begeleiding")
    assert beg["status"] == "voorwaardelijk"
    assert any(v["rechtsgrond"]["bwb_id"] == "BWBR0018450" or "Zvw" in v["naam"]
               or "Zorgverzekeringswet" in v["naam"] for v in beg["voorliggend"])


def test_dreigende_huisuitzetting(advies: Any) -> None:
    r = advies("dreigende-huisuitzetting")
    # "Wgs/schuldhulp (e1, e2), Wmo (e1, e3 ...), Participatiewet (e2, e3 ...); integraal overleg."
    assert {"wsnp", "wmo"} <= wetten(r, "e1")
    assert {"wsnp", "participatiewet"} <= wetten(r, "e2")
    assert {"wmo", "participatiewet"} <= wetten(r, "e3")
    assert r.advies["stap2"]["integraal_overleg"] is True
    # "Wgs: first conversation within 3 werkdagen because eviction threatens (art. 4 lid 2), then
    #  schuldhulpverlening (art. 3)."
    for eid in ("e1", "e2"):
        shv = ins(r, eid, "wsnp.schuldhulpverlening")
        urgent = [t for t in shv["termijnen"] if t["eenheid"] == "werkdagen" and t["duur"] == 3]
        assert urgent and urgent[0]["uitkomst"] == "ja"
        assert urgent[0]["rechtsgrond"]["artikel"] == "4" and urgent[0]["rechtsgrond"]["lid"] == "2"
    # "Wgs art. 5 moratorium ...: voorwaardelijk. Fw 287b (voorlopige voorziening) only within a
    #  Wsnp request, so voorwaardelijk at most."
    assert ins(r, "e1", "wsnp.moratorium")["status"] == "voorwaardelijk"
    assert ins(r, "e1", "wsnp.voorlopige_voorziening")["status"] in ("voorwaardelijk", "past_niet")
    # "Wmo begeleiding individueel (maatwerk, art. 2.3.5 lid 3): voorwaardelijk; no network."
    assert ins(r, "e3", "wmo.begeleiding")["status"] == "voorwaardelijk"
    # "Participatiewet: betaling van vaste lasten / budgetbeheer in natura (art. 57) and sociale
    #  activering (art. 7 lid 1 a, art. 10)."
    assert ins(r, "e2", "participatiewet.betaling_in_natura")["rechtsgrond"]["artikel"] == "57"
    assert ins(r, "e3", "participatiewet.sociale_activering")["status"] != "past_niet"


def test_bundled_examples_equal_the_shared_ones() -> None:
    """`examples/` (for `make run` and the web page's loader) are copies of ../shared/examples."""
    bundled = Path(__file__).resolve().parent.parent / "examples"
    for shared in EXAMPLES.glob("*.yaml"):
        assert (bundled / shared.name).read_bytes() == shared.read_bytes(), shared.name
