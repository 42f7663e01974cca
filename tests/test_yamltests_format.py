"""The YAML test format's newer assertions (termijn length, annotaties, waarschuwingen,
voorliggend).

Each assertion must be able to fail, with a line a beleidsmedewerker can read: a test that
cannot fail protects nothing. The casussen are invented; the expectations mirror the bundled
tests in rules/wmo/tests/huishouden.yaml, rules/gemeenten/*/tests and
rules/participatiewet/tests/inkomen.yaml.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from engine import Engine
from engine.yamltests import load_tests, run_test

CASUSSEN = {
    # alleenstaande 78-jarige: huishoudelijke hulp voorwaardelijk, Wmo-termijnen
    "huishouden": """
        peildatum: 2026-11-02
        huishouden: {samenstelling: alleenstaand}
        personen: [{id: p1, rol: aanvrager, leeftijd: 78, woont_in_gemeente: true,
                    beperkingen: [lichamelijk]}]
        gewenste_effecten: [{id: e1, omschrijving: "Schoon huis.", leefgebied: instrumentele_adl}]
    """,
    # Voorbeeldstad: the overlay annotates wmo.collectief_vervoer (Regiotaxi)
    "regiotaxi": """
        peildatum: 2026-11-02
        gemeente: GM9991
        personen: [{id: p1, rol: aanvrager, leeftijd: 76, woont_in_gemeente: true,
                    beperkingen: [lichamelijk]}]
        gewenste_effecten: [{id: e1, omschrijving: "Naar de markt.", leefgebied: mobiliteit}]
    """,
    # a municipality without local policy: national maximum termijn, unknown wachttijd, notice
    "schulden_elders": """
        peildatum: 2026-11-02
        gemeente: GM0363
        financien: {problematische_schulden: true}
        personen: [{id: p1, rol: aanvrager, leeftijd: 39, woont_in_gemeente: true,
                    verblijfsstatus: nederlander}]
        gewenste_effecten: [{id: e1, omschrijving: "Van de schulden af.", leefgebied: financien}]
    """,
    # after the re-indexing day of 2027-01-01: the herziening warnings
    "herziening": """
        peildatum: 2027-01-04
        huishouden: {samenstelling: alleenstaand, netto_inkomen_maand: 900}
        personen: [{id: p1, rol: aanvrager, leeftijd: 45, woont_in_gemeente: true}]
        gewenste_effecten: [{id: e1, omschrijving: "Rondkomen.", leefgebied: financien}]
    """,
}


def _write(tmp_path: Path, casus: str, verwacht: str) -> Path:
    text = ("- naam: proef\n  casus:\n" + textwrap.indent(textwrap.dedent(CASUSSEN[casus]), "    ")
            + "  verwacht:\n" + textwrap.indent(textwrap.dedent(verwacht), "    "))
    path = tmp_path / "proef.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def _failures(rules: Engine, tmp_path: Path, casus: str, verwacht: str) -> list[str]:
    path = _write(tmp_path, casus, verwacht)
    tests, problems = load_tests(path)
    assert not problems, [p.render() for p in problems]
    (line, test), = tests
    return run_test(rules, test, str(path), line).failures


RIGHT = [
    ("huishouden", """
        effecten:
          e1:
            termijnen:
              wmo.huishoudelijke_hulp:
                persoonlijk_plan: "7 dagen"
                onderzoek: {uitkomst: ja, duur: "6 weken"}
                beschikking: "2 weken"
                spoed_tijdelijke_voorziening: {uitkomst: onbekend, duur: "1 dag"}
    """),
    ("schulden_elders", """
        effecten:
          e1:
            termijnen: {wsnp.schuldhulpverlening: {beschikking: "8 weken",
                                                   streefwachttijd: {duur: onbekend}}}
    """),
    ("regiotaxi", """
        effecten:
          e1:
            annotaties: {wmo.collectief_vervoer: ["Regiotaxi", "Wmo-loket"],
                         wmo.vervoersvoorziening: []}
    """),
    ("regiotaxi", "waarschuwingen: []\n"),
    ("schulden_elders", """
        waarschuwingen: [{soort: gemeente}, "geen lokaal beleid bekend voor GM0363"]
        effecten: {e1: {annotaties: {wsnp.schuldhulpverlening: []}}}
    """),
    ("herziening", """
        waarschuwingen:
          - {soort: herziening, parameter: pw_norm_alleenstaande}
          - {parameter: pw_vermogensgrens_alleenstaande, tekst: "herziening per 2027-01-01"}
    """),
    # voorliggend (2026-12-07): each voorliggende voorziening's toets, by its id
    ("herziening", """
        effecten: {e1: {voorliggend: {participatiewet.algemene_bijstand:
                                      {toeslagen: ja, uwv_uitkering: onbekend, ww_aanvragen: nee}}}}
    """),
]


@pytest.mark.parametrize(("casus", "verwacht"), RIGHT)
def test_a_right_expectation_passes(rules: Engine, tmp_path: Path, casus: str,
                                    verwacht: str) -> None:
    assert _failures(rules, tmp_path, casus, verwacht) == []


WRONG = [
    # a status with reasons: each open or deciding ground by its kind, id and standing, in order
    ("huishouden", "effecten: {e1: {instrumenten: {wmo.huishoudelijke_hulp: past_niet}}}",
     ["e1: wmo.huishoudelijke_hulp: verwacht past_niet, kreeg voorwaardelijk (voorwaarde "
      "rechtmatig_verblijf nog onbekend; voorwaarde eigen_kracht_ontoereikend nog onbekend; "
      "voorwaarde geen_gebruikelijke_hulp voldaan, ter beoordeling; voorwaarde "
      "netwerk_ontoereikend nog onbekend; voorwaarde algemene_voorziening_ontoereikend nog "
      "onbekend; uitsluiting wlz_verblijf nog onbekend; begrenzing eigen_bijdrage mogelijk, "
      "voor zover)"]),
    # a status that is niet_van_toepassing has no reasons: the line ends at what it got
    ("huishouden", "effecten: {e1: {instrumenten: {jeugdwet.vertrouwenspersoon: past}}}",
     ["e1: jeugdwet.vertrouwenspersoon: verwacht past, kreeg niet_van_toepassing"]),
    # termijn length, short form
    ("huishouden",
     'effecten: {e1: {termijnen: {wmo.huishoudelijke_hulp: {beschikking: "3 weken"}}}}',
     ["e1: wmo.huishoudelijke_hulp termijn beschikking: verwacht duur 3 weken, kreeg 2 weken"]),
    # the unit counts too
    ("huishouden",
     'effecten: {e1: {termijnen: {wmo.huishoudelijke_hulp: {onderzoek: "6 maanden"}}}}',
     ["e1: wmo.huishoudelijke_hulp termijn onderzoek: verwacht duur 6 maanden, kreeg 6 weken"]),
    # long form: both parts are checked, each with its own line
    ("huishouden", "effecten: {e1: {termijnen: {wmo.huishoudelijke_hulp: "
                   "{spoed_tijdelijke_voorziening: {uitkomst: ja, duur: '2 dagen'}}}}}",
     ["e1: wmo.huishoudelijke_hulp termijn spoed_tijdelijke_voorziening: verwacht ja, kreeg "
      "onbekend",
      "e1: wmo.huishoudelijke_hulp termijn spoed_tijdelijke_voorziening: verwacht duur 2 dagen, "
      "kreeg 1 dag"]),
    # an open norm without a local value has no length; a wrong guess says so
    ("schulden_elders", "effecten: {e1: {termijnen: {wsnp.schuldhulpverlening: "
                        "{streefwachttijd: '2 weken', beschikking: {duur: onbekend}}}}}",
     ["e1: wsnp.schuldhulpverlening termijn streefwachttijd: verwacht duur 2 weken, kreeg "
      "onbekend",
      "e1: wsnp.schuldhulpverlening termijn beschikking: verwacht duur onbekend, kreeg 8 weken"]),
    ("huishouden", "effecten: {e1: {termijnen: {wmo.huishoudelijke_hulp: {bezwaar: '6 weken'}}}}",
     ["e1: wmo.huishoudelijke_hulp termijn bezwaar: (geen termijn met deze id)"]),
    # annotaties
    ("regiotaxi", "effecten: {e1: {annotaties: {wmo.collectief_vervoer: [Buurtbus]}}}",
     ["e1: wmo.collectief_vervoer annotatie 'Buurtbus' niet getoond (wel: ['In Voorbeeldstad "
      "is het collectief vervoer de Regiotaxi (art. 12 van de verordening); aanmelden bij het "
      "Wmo-loket, geen onderzoek nodig.'])"]),
    ("regiotaxi", "effecten: {e1: {annotaties: {wmo.collectief_vervoer: []}}}",
     ["e1: wmo.collectief_vervoer annotaties: verwacht geen, kreeg ['In Voorbeeldstad is het "
      "collectief vervoer de Regiotaxi (art. 12 van de verordening); aanmelden bij het "
      "Wmo-loket, geen onderzoek nodig.']"]),
    ("schulden_elders", "effecten: {e1: {annotaties: {wsnp.schuldhulpverlening: [maatje]}}}",
     ["e1: wsnp.schuldhulpverlening annotatie 'maatje' niet getoond (wel: geen annotaties)"]),
    ("huishouden", "effecten: {e1: {annotaties: {wmo.rolstoel: [iets]}}}",
     ["e1: wmo.rolstoel annotaties: instrument niet in het advies"]),
    # voorliggend: a wrong outcome, an unknown id, an instrument not in the advies
    ("herziening", "effecten: {e1: {voorliggend: {participatiewet.algemene_bijstand: "
                   "{uwv_uitkering: ja, bijzondere_uitkering: nee}}}}",
     ["e1: participatiewet.algemene_bijstand voorliggend uwv_uitkering: verwacht ja, kreeg "
      "onbekend",
      "e1: participatiewet.algemene_bijstand voorliggend bijzondere_uitkering: verwacht nee, "
      "kreeg (bestaat niet)"]),
    ("huishouden", "effecten: {e1: {voorliggend: {participatiewet.algemene_bijstand: "
                   "{toeslagen: ja}}}}",
     ["e1: voorliggend van participatiewet.algemene_bijstand: instrument niet in het advies"]),
    # waarschuwingen
    ("herziening", "waarschuwingen: [{soort: herziening, parameter: pw_norm_gehuwden_typo}]",
     None),  # the line lists every notice shown; checked below by its start
    ("herziening", "waarschuwingen: []", None),
    ("regiotaxi", "waarschuwingen: [{soort: herziening}]",
     ["waarschuwing {soort='herziening'} niet getoond (wel: geen)"]),
    ("huishouden", "waarschuwingen: [{soort: gemeente}]",
     ["waarschuwing {soort='gemeente'} niet getoond (wel: geen)"]),
    ("schulden_elders", "waarschuwingen: []",
     ["waarschuwingen: verwacht geen, kreeg ['gemeente: geen lokaal beleid bekend voor GM0363; "
      "alleen landelijke regels']"]),
]


@pytest.mark.parametrize(("casus", "verwacht", "lines"), WRONG)
def test_a_wrong_expectation_fails_readably(rules: Engine, tmp_path: Path, casus: str,
                                            verwacht: str, lines: list[str] | None) -> None:
    failures = _failures(rules, tmp_path, casus, verwacht + "\n")
    if lines is not None:
        assert failures == lines
        return
    assert len(failures) == 1, failures
    if "typo" in verwacht:
        assert failures[0].startswith(
            "waarschuwing {soort='herziening', parameter='pw_norm_gehuwden_typo'} niet getoond "
            "(wel: [")
        assert "herziening pw_norm_gehuwden" in failures[0]  # what there is, to compare
    else:
        assert failures[0].startswith("waarschuwingen: verwacht geen, kreeg ['herziening ")


@pytest.mark.parametrize(("verwacht", "pad", "melding"), [
    ("effecten: {e1: {termijnen: {wmo.huishoudelijke_hulp: {onderzoek: zes weken}}}}",
     "termijnen.wmo.huishoudelijke_hulp.onderzoek.duur", "geen duur: 'zes weken'"),
    ("effecten: {e1: {termijnen: {wmo.huishoudelijke_hulp: {onderzoek: 6 weeks}}}}",
     "onderzoek.duur", "zoals \"6 weken\""),
    ("effecten: {e1: {termijnen: {wmo.huishoudelijke_hulp: {onderzoek: {}}}}}",
     "onderzoek", "noem 'uitkomst', 'duur' of beide"),
    ("effecten: {e1: {termijnen: {wmo.huishoudelijke_hulp: {onderzoek: {uitkomst: misschien}}}}}",
     "onderzoek.uitkomst", "ongeldige waarde"),
    ("waarschuwingen: [{}]", "waarschuwingen[0]",
     "noem 'soort', 'parameter', 'persoon' of 'tekst'"),
    ("waarschuwingen: [{soort: index}]", "waarschuwingen[0].soort", "ongeldige waarde"),
    ("effecten: {e1: {annotaties: {wmo.collectief_vervoer: Regiotaxi}}}",
     "annotaties.wmo.collectief_vervoer", ""),
])
def test_a_malformed_expectation_is_a_located_problem(tmp_path: Path, verwacht: str, pad: str,
                                                      melding: str) -> None:
    """A typo in a test is an authoring error at its place, never a test that silently passes."""
    path = _write(tmp_path, "huishouden", verwacht + "\n")
    tests, problems = load_tests(path)
    assert tests == []
    assert len(problems) == 1, [p.render() for p in problems]
    problem = problems[0]
    assert problem.pad.endswith(pad), problem.render()
    assert melding in problem.melding, problem.render()
    assert (problem.regel or 0) > 1  # located in the file, not at its top
