"""Wmo 2026.12.10, twaalfde lezing (fresh39 M13): the abonnementstarief with a pgb that can only be
beschermd wonen or opvang. The YAML test format only checks that a cap is shown, not that it is
absent, so the begrenzing `eigen_bijdrage` of `wmo.pgb` is read here (`nee` = not shown).

Art. 2.1.4a lid 4 Wmo 2015: the bedrag holds for maatwerkvoorzieningen and pgb's "tezamen, met
uitzondering van beschermd wonen, de maatwerkvoorziening opvang"; lid 7: for beschermd wonen and
opvang "Bij of krachtens algemene maatregel van bestuur worden regels gesteld over de bijdragen".
Every other base of the pgb with a bijdrage needs an ingezetene of the gemeente (art. 2.3.5 lid 1
onder a) with a beperking (art. 1.2.1 onder a), and none applies on veiligheid.

Fail on 2026.12.9 (the rules of commit 921fc39, loaded with Engine.load): the first two (the cap
was `onbekend`, shown). The control holds on both versions."""

from __future__ import annotations

from typing import Any

from engine import Engine


def _pgb_cap(rules: Engine, casus: dict[str, Any]) -> str:
    effect = rules.advies(casus).advies["effecten"][0]
    pgb = next(i for i in effect["stap4"]["instrumenten"] if i["id"] == "wmo.pgb")
    cap = next(b for b in pgb["begrenzingen"] if b["id"] == "eigen_bijdrage")
    return str(cap["uitkomst"])


def _casus(persoon: dict[str, Any], leefgebied: str, omschrijving: str) -> dict[str, Any]:
    return {"peildatum": "2026-12-01",
            "huishouden": {"samenstelling": "alleenstaand", "woonsituatie": "inwonend"},
            "personen": [{"id": "p1", "rol": "aanvrager", "leeftijd": 34,
                          "verblijfsstatus": "nederlander", **persoon}],
            "netwerk": {"sociaal_netwerk": "beperkt", "mantelzorg_beschikbaar": False},
            "gewenste_effecten": [{"id": "e1", "omschrijving": omschrijving,
                                   "leefgebied": leefgebied, "persoon": "p1"}]}


def test_no_abonnementstarief_when_the_pgb_can_only_be_beschermd_wonen(rules: Engine) -> None:
    """fresh39 C10: elsewhere registered (no ingezetene, 2.3.5 lid 1 onder a), so begeleiding and
    woningaanpassing are past_niet; the pgb can only be beschermd wonen (2.3.5 lid 1 onder b)."""
    # 2026.12.17 (fresh50 Y9): and does not live here either; without that, ingezetenschap is a
    # question (the college establishes it) and the cap stays in view
    casus = _casus({"woont_in_gemeente": False, "wmo_woont_feitelijk_in_gemeente": False,
                    "beperkingen": ["psychisch"],
                    "wlz_indicatie": True, "wmo_wlz_aanspraak_verblijf": True},
                   "huisvesting", "Ik wil beschermd wonen in deze stad, dicht bij mijn zus.")
    assert _pgb_cap(rules, casus) == "nee"


def test_no_abonnementstarief_when_the_pgb_can_only_be_opvang(rules: Engine) -> None:
    """On veiligheid without a beperking only opvang is a base of the pgb (its toepassing;
    2.1.4a lid 4 and 7). With a stated beperking begeleiding and woningaanpassing are bases there
    too since Wmo 2026.12.33 (fresh96 BS2), and the verordening decides again."""
    casus = _casus({"woont_in_gemeente": True, "beperkingen": [],
                    "wlz_indicatie": False, "wmo_thuissituatie_verlaten": True},
                   "veiligheid", "Ik moet weg bij mijn partner en heb geen plek.")
    assert _pgb_cap(rules, casus) == "nee"


def test_abonnementstarief_still_possible_when_a_woningaanpassing_can_be_the_base(
        rules: Engine) -> None:
    """Control: an ingezetene with a beperking on huisvesting can have a pgb for a
    woningaanpassing: the verordening decides (2.1.4a lid 1), so the cap stays `onbekend`."""
    casus = _casus({"woont_in_gemeente": True, "beperkingen": ["lichamelijk"],
                    "wlz_indicatie": False},
                   "huisvesting", "Zelf mijn huis in en uit kunnen.")
    assert _pgb_cap(rules, casus) == "onbekend"
