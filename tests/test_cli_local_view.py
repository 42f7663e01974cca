"""The local view in the terminal: `ot uitleg INSTRUMENT --gemeente GMxxxx` and `ot advies
CASUS` for a casus with a gemeente (or `--gemeente`) show what that municipality's overlay adds:
its annotaties, local termijnen and the open norms it fills (`invullingen`), each with its local
regulation. gm9991 (Voorbeeldstad) and gm9992 (Proefdorp) are the shipped, invented examples."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from cli.main import app
from tests.paths import EXAMPLES

runner = CliRunner()
WIDE = {"COLUMNS": "600"}  # table cells on one line, so a sentence can be asserted whole

MAATJE = "Proefdorp werkt met één schuldhulpmaatje per gezin met kinderen"
REGIOTAXI = "In Voorbeeldstad is het collectief vervoer de Regiotaxi"


def ot(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args), env=WIDE)
    assert "Traceback" not in result.output
    return result.exit_code, result.output


# --- ot uitleg INSTRUMENT --gemeente -------------------------------------------------------

def test_uitleg_shows_annotation_and_local_termijnen() -> None:
    code, out = ot("uitleg", "wsnp.schuldhulpverlening", "--gemeente", "GM9992")
    assert code == 0, out
    local = out[out.index("Lokaal beleid GM9992"):]
    assert "Omgekeerde verordening Proefdorp (voorbeeld) (gm9992 2026.3)" in local
    assert (f"Lokaal (gm9992): {MAATJE} (Wgs art. 2 lid 4 e, beleidsplan art. 6). "
            "(art. 6 Beleidsplan schuldhulpverlening Proefdorp 2025-2028)") in local
    beschikking = local[local.index("Termijn beschikking"):]
    assert ("ingevuld door gm9992: 8 weken van 2025-01-01 t/m 2025-12-31; 6 weken van "
            "2026-01-01 t/m heden (art. 7 lid 1 Omgekeerde verordening Proefdorp)") in beschikking
    assert "Proefdorp beslist sneller dan het wettelijk maximum" in beschikking
    streef = local[local.index("Termijn streefwachttijd"):]
    assert ("ingevuld door gm9992: 2 weken van 2025-01-01 t/m heden (art. 4 Beleidsplan "
            "schuldhulpverlening Proefdorp 2025-2028)") in streef
    code, national = ot("uitleg", "wsnp.schuldhulpverlening")
    assert code == 0 and "Lokaal beleid" not in national and MAATJE not in national


def test_uitleg_says_which_open_norms_a_gemeente_left_open() -> None:
    code, out = ot("uitleg", "wsnp.schuldhulpverlening", "--gemeente", "GM9991")
    assert code == 0, out
    local = out[out.index("Lokaal beleid GM9991"):]
    assert MAATJE not in local
    assert ("niet ingevuld door GM9991; de landelijke waarde geldt: 8 weken van 2023-01-01 "
            "t/m heden (art. 4a lid 3 Wgs)") in local
    assert ("niet ingevuld door GM9991; dus onbekend in het advies (art. 2 lid 4 onder d Wgs)"
            in local)


def test_uitleg_shows_a_filled_open_norm_of_the_instruments_own_article() -> None:
    code, out = ot("uitleg", "participatiewet.individuele_inkomenstoeslag",
                   "--gemeente", "GM9991")
    assert code == 0, out
    local = out[out.index("Lokaal beleid GM9991"):]
    assert "Hoogte van de individuele inkomenstoeslag voor een alleenstaande" in local
    assert ("ingevuld door gm9991: € 450 per jaar van 2026-01-01 t/m heden (art. 20 lid 2 "
            "Verordening sociaal domein Voorbeeldstad 2026)") in local


def test_uitleg_annotation_of_a_national_instrument() -> None:
    code, out = ot("uitleg", "wmo.collectief_vervoer", "--gemeente", "gm9991")
    assert code == 0, out
    assert f"Lokaal (gm9991): {REGIOTAXI}" in out[out.index("Lokaal beleid GM9991"):]


def test_uitleg_a_local_instrument_elsewhere() -> None:
    code, out = ot("uitleg", "gm9991.regiotaxi", "--gemeente", "GM9992")
    assert code == 0, out
    assert "Dit is lokaal beleid van GM9991; het geldt niet in GM9992." in out


def test_uitleg_bad_or_unknown_gemeente() -> None:
    code, out = ot("uitleg", "wmo.collectief_vervoer", "--gemeente", "9991")
    assert code == 2 and "--gemeente" in out and "geen CBS-gemeentecode" in out
    code, out = ot("uitleg", "wmo.collectief_vervoer", "--gemeente", "GM1234")
    assert code == 1 and "geen lokaal pakket voor GM1234; bekend: GM9991, GM9992" in out


# --- ot advies CASUS (gemeente in the casus, or --gemeente) ---------------------------------

def test_advies_with_gemeente_option_shows_the_local_view() -> None:
    code, out = ot("advies", str(EXAMPLES / "gezin-meervoudig.yaml"), "--gemeente", "GM9992")
    assert code == 0, out
    head = out[:out.index("Integraal overleg")]
    assert "Lokaal beleid GM9992: Omgekeerde verordening Proefdorp (voorbeeld) (gm9992 2026.3)" \
        in head
    assert "Lokaal ingevulde open normen:" in head
    assert ("Termijn voor de beschikking na het eerste gesprek (bij verordening): 6 weken "
            "(gm9992, art. 7 lid 1 Omgekeerde verordening Proefdorp)") in head
    assert "2 weken (gm9992, art. 4 Beleidsplan schuldhulpverlening Proefdorp 2025-2028)" in head
    assert f"Lokaal (gm9992): {MAATJE}" in out
    assert ("Lokale termijn (gm9992): 6 weken: Beschikking met plan van aanpak (of weigering) "
            "binnen de termijn van de verordening") in out
    assert "(lokaal: GM9992)" in out  # the Kindpakket, a local instrument

    code, plain = ot("advies", str(EXAMPLES / "gezin-meervoudig.yaml"))
    assert code == 0
    for text in ("Lokaal beleid", "Lokaal (gm9992)", "Lokale termijn", "(lokaal: GM9992)"):
        assert text not in plain


def test_advies_with_gemeente_in_the_casus(tmp_path: Path) -> None:
    casus = tmp_path / "voorbeeldstad.yaml"
    casus.write_text("gemeente: GM9991\n" + (EXAMPLES / "scootmobiel.yaml").read_text("utf-8"),
                     "utf-8")
    code, out = ot("advies", str(casus))
    assert code == 0, out
    assert "Lokaal beleid GM9991" in out
    assert f"Lokaal (gm9991): {REGIOTAXI}" in out
    assert ("Hoogte van de individuele inkomenstoeslag voor een alleenstaande (per jaar): € 450 "
            "per jaar (gm9991, art. 20 lid 2 Verordening sociaal domein Voorbeeldstad "
            "2026)") in out
    # --gemeente replaces the casus's own gemeente, and the receipt says so
    code, text = ot("advies", str(casus), "--gemeente", "GM9992", "--json")
    assert code == 0
    receipt = json.loads(text)
    assert receipt["casus"]["gemeente"] == "GM9992"
    assert receipt["gemeente"] == {"code": "GM9992", "lokaal_beleid": ["gm9992"]}


def test_advies_gemeente_without_overlay_and_bad_code() -> None:
    code, out = ot("advies", str(EXAMPLES / "scootmobiel.yaml"), "--gemeente", "GM0363")
    assert code == 0, out
    assert "geen lokaal beleid bekend voor GM0363" in out and "Lokaal beleid GM0363" not in out
    code, out = ot("advies", str(EXAMPLES / "scootmobiel.yaml"), "--gemeente", "Amsterdam")
    assert code == 2 and "--gemeente" in out and "geen CBS-gemeentecode" in out
