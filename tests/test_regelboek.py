"""The regelboek and `ot uitleg`: rendered from the packs, with citations and onzeker visible."""

from __future__ import annotations

import re
from pathlib import Path

from typer.testing import CliRunner

from cli.main import app as cli
from engine import Engine
from service.regelboek import Regelboek


def test_regelboek_per_law(rules: Engine) -> None:
    book = Regelboek(rules)
    lp = book.pack("wmo")
    assert lp is not None
    html = book.render_pack(lp)
    assert "Vervoersvoorziening of scootmobiel" in html
    link = "https://wetten.overheid.nl/jci1.3:c:BWBR0035362&amp;artikel=2.3.5&amp;lid=3"
    assert f'href="{link}"' in html
    assert "onzeker" in html and "kan-bepaling" in html  # unverified content is visible
    assert "is minstens" in html or "is ja" in html      # conditions in plain Dutch
    pw = book.render_pack(book.pack("participatiewet"))  # type: ignore[arg-type]
    assert "8000" in pw and "2026-01-01" in pw            # amounts with validity
    assert "Open norm" in pw and "Voorbeeldstad" in pw     # and who fills the open norm


def test_regelboek_per_municipality(rules: Engine) -> None:
    book = Regelboek(rules)
    html = book.render_pack(book.pack("gm9992"))  # type: ignore[arg-type]
    assert "Kindpakket Proefdorp" in html
    assert 'href="https://lokaleregelgeving.overheid.nl/CVDR9990002"' in html
    assert "Open normen die deze gemeente invult" in html and "acht weken" in html
    assert "schuldhulpmaatje" in html


def test_regelboek_static_build(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["regelboek", "--uit", str(tmp_path)])
    assert result.exit_code == 0, result.output
    pages = sorted(p.name for p in tmp_path.glob("*.html"))
    assert pages == ["gm9991.html", "gm9992.html", "index.html", "jeugdwet.html",
                     "participatiewet.html", "wmo.html", "wsnp.html"]
    index = (tmp_path / "index.html").read_text("utf-8")
    for target in re.findall(r'href="\./([a-z0-9]+\.html)"', index):
        assert (tmp_path / target).is_file()


def test_ot_uitleg() -> None:
    result = CliRunner().invoke(cli, ["uitleg", "wsnp.schuldsanering"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    # both versions: before and after 2023-07-01
    assert result.output.count("Wettelijke schuldsaneringsregeling") == 2
    assert "2023-06-30" in result.output and "2023-07-01" in result.output
    bad = CliRunner().invoke(cli, ["uitleg", "wmo.bestaat_niet"])
    assert bad.exit_code == 1 and "Traceback" not in bad.output


def test_regelboek_shows_the_cited_lid_in_the_laws_words(rules: Engine) -> None:
    """Each citation is followed by the cited part's own words from the vendored text, folded
    (`<details>`), with the version and the days it is in force (issue 11)."""
    book = Regelboek(rules)
    wmo = next(lp for lp in rules.rules.packs if lp.id == "wmo")
    html = book.render_pack(wmo)
    section = html[html.index('id="wmo.vervoersvoorziening"'):]
    section = section[:section.index("</section>")]
    folded = re.findall(r'<details class="wettekst"><summary>wettekst versie (\d{4}-\d\d-\d\d), '
                        r'(\d{4}-\d\d-\d\d) t/m ([^<]+)</summary>', section)
    assert folded, "no folded law text in the vervoersvoorziening section"
    assert "Het college beslist tot verstrekking van een maatwerkvoorziening ter compensatie" \
        in section  # art. 2.3.5 lid 3 Wmo 2015, the instrument's own basis
    # an onderdeel shows its own words, with the whole lid on demand
    assert "van een ingezetene van de gemeente om een maatwerkvoorziening" in section
    assert '<summary>het hele lid</summary>' in section
    # a law that is not vendored gets no invented text
    wsnp = next(lp for lp in rules.rules.packs if lp.id == "wsnp")
    assert "BWBR0043850" in book.render_pack(wsnp)  # the Besluit Wgs is cited …
    assert not any(lz for lz in book.wettekst(
        next(i for i in wmo.pack.instrumenten if i.id == "wmo.vervoersvoorziening").rechtsgrond
        .model_copy(update={"bwb_id": "BWBR0043850", "artikel": "2", "lid": None}),
        wsnp.start))  # … but has no vendored text (not in the corpus), so nothing is shown


def test_ot_uitleg_prints_the_laws_words() -> None:
    plain = CliRunner().invoke(cli, ["uitleg", "wmo.vervoersvoorziening"],
                               env={"COLUMNS": "200"})
    words = CliRunner().invoke(cli, ["uitleg", "wmo.vervoersvoorziening", "--wettekst"],
                               env={"COLUMNS": "200"})
    assert plain.exit_code == 0 and words.exit_code == 0, words.output
    lid3 = "Het college beslist tot verstrekking van een maatwerkvoorziening ter compensatie"
    assert lid3 not in plain.output
    assert lid3 in words.output
    assert "wettekst versie 2025-01-01" in words.output
    # the wsnp pack spans the Fw change of 2023-07-01: a day without vendored text says so
    fw = CliRunner().invoke(cli, ["uitleg", "wsnp.schuldsanering", "--wettekst"],
                            env={"COLUMNS": "200"})
    assert fw.exit_code == 0, fw.output
    assert "geen tekst meegeleverd" in fw.output


def test_regelboek_names_the_grondwaarden_an_instrument_serves(rules: Engine) -> None:
    """"Dient:" gives the grondwaarde's text with a link to it, not its id (issue 16)."""
    book = Regelboek(rules)
    html = book.render_pack(book.pack("wmo"))  # type: ignore[arg-type]
    section = html[html.index('id="wmo.vervoersvoorziening"'):]
    dient = section[section.index("<p>Dient:"):]
    dient = dient[:dient.index("</p>")]
    assert ('<a href="#grondwaarde-wmo.zelfredzaamheid_participatie">Zelfredzaamheid en '
            'participatie') in dient
    assert 'id="grondwaarde-wmo.zelfredzaamheid_participatie"' in html
    assert "wmo.zelfredzaamheid_participatie</" not in dient and ".." not in dient
    # a grondwaarde of another pack links to that pack's page
    gm = book.render_pack(book.pack("gm9992"))  # type: ignore[arg-type]
    assert 'href="participatiewet.html#grondwaarde-participatiewet.' in gm


def test_regelboek_open_norms_carry_their_unit(rules: Engine) -> None:
    """An open norm's bound and every municipality's value say their `eenheid` (issue 16)."""
    book = Regelboek(rules)
    wsnp = book.render_pack(book.pack("wsnp"))  # type: ignore[arg-type]
    assert "Ten hoogste 8 weken." in wsnp and "Ten hoogste 4 weken." in wsnp
    assert "6 weken vanaf 2026-01-01" in wsnp          # Proefdorp's value, in the law's page
    assert "ten hoogste 8 weken" in wsnp                # the termijn that uses the open norm
    wmo = book.render_pack(book.pack("wmo"))  # type: ignore[arg-type]
    assert "Ten hoogste € 21,80 per maand." in wmo
    pw = book.render_pack(book.pack("participatiewet"))  # type: ignore[arg-type]
    assert "€ 450 per jaar vanaf 2026-01-01" in pw
    gm = book.render_pack(book.pack("gm9992"))  # type: ignore[arg-type]
    assert "6 weken vanaf 2026-01-01" in gm and "2 weken vanaf 2025-01-01" in gm


def test_met_eenheid() -> None:
    from engine.eenheden import met_eenheid, value_text

    assert [met_eenheid(8, "weken"), met_eenheid(1, "weken"), met_eenheid(5, "jaren"),
            met_eenheid(21.8, "euro per maand"), met_eenheid(8000, "euro"),
            met_eenheid(450, "euro_per_jaar"), met_eenheid(2.5, "procent"),
            met_eenheid(3, None), met_eenheid(1, "jaar"), met_eenheid(2120, "euro_per_maand"),
            met_eenheid(True, "weken")] == [
        "8 weken", "1 week", "5 jaar", "€ 21,80 per maand", "€ 8.000", "€ 450 per jaar",
        "2,5 procent", "3", "1 jaar", "€ 2.120 per maand", "ja"]
    assert [value_text(False), value_text(["alleenstaande_ouder", True]),
            met_eenheid(5, "jaar")] == ["nee", "alleenstaande ouder, ja", "5 jaar"]


def test_regelboek_of_a_pinned_version(rules: Engine) -> None:
    """A stored version renders with the same renderer, under a banner naming the version and
    saying it is not the one in force; its own text, not today's (issue 16)."""
    import hashlib

    import pytest

    from engine import PackError

    book = Regelboek(rules)
    wmo = book.pack("wmo")
    assert wmo is not None
    old = wmo.raw.replace(b"naam: Collectief vervoer", b"naam: Belbus van toen", 1)
    digest = "sha256:" + hashlib.sha256(old).hexdigest()
    lp = book.version(old, digest)
    html = book.render_version(lp, "2025-03-01T10:00:00Z", geldt_nu=False)
    banner = html[html.index('class="melding waarschuwing vastgepind"'):]
    banner = banner[:banner.index("</div>")]
    assert f"Vastgepinde versie {wmo.pack.regelpakket.versie}" in banner and digest in banner
    assert "2025-03-01T10:00:00Z" in banner and "<strong>niet</strong> de versie" in banner
    assert 'href="wmo.html"' in banner
    assert "Belbus van toen" in html and "Collectief vervoer</span>" not in html
    assert "Belbus" not in book.render_pack(wmo)
    same = book.render_version(wmo, "2025-03-01T10:00:00Z", geldt_nu=True)
    assert "Dit is ook de versie die nu geldt." in same
    with pytest.raises(PackError):
        book.version(old, "sha256:" + "0" * 64)  # bytes that do not match the hash
