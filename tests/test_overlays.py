"""Local policy overlays: they change the advice of public examples in a visible, cited way,
and the precedence rules are enforced."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from engine import Engine, PackError
from engine.loader import DEFAULT_RULES_DIR
from tests.paths import EXAMPLES


def example(eng: Engine, name: str, gemeente: str | None) -> dict[str, Any]:
    data: dict[str, Any] = eng.casus_file(EXAMPLES / f"{name}.yaml").model_dump(
        mode="json", exclude_none=True)
    if gemeente:
        data["gemeente"] = gemeente
    return data


def listed(receipt: Any, effect: str) -> dict[str, dict[str, Any]]:
    e = next(x for x in receipt.advies["effecten"] if x["id"] == effect)
    return {i["id"]: i for i in e["stap4"]["instrumenten"]}


def test_voorbeeldstad_changes_scootmobiel(rules: Engine) -> None:
    plain = rules.advies(example(rules, "scootmobiel", None))
    local = rules.advies(example(rules, "scootmobiel", "GM9991"))
    local.model()
    assert "gm9991.regiotaxi" not in listed(plain, "e1")
    taxi = listed(local, "e1")["gm9991.regiotaxi"]
    assert taxi["status"] == "past" and taxi["gemeente"] == "GM9991"
    assert taxi["rechtsgrond"]["bwb_id"] == "CVDR9990001"
    assert taxi["rechtsgrond"]["tekst"] == ("art. 12 lid 1 Verordening sociaal domein "
                                            "Voorbeeldstad 2026")
    assert taxi["rechtsgrond"]["jci"] == "https://lokaleregelgeving.overheid.nl/CVDR9990001"
    note = listed(local, "e1")["wmo.collectief_vervoer"]["lokaal"][0]
    assert "Regiotaxi" in note["tekst"] and note["rechtsgrond"]["bwb_id"] == "CVDR9990001"
    assert "lokaal" not in listed(plain, "e1")["wmo.collectief_vervoer"]
    assert local.trace["gemeente"] == {"code": "GM9991", "lokaal_beleid": ["gm9991"]}
    iit = next(p for p in local.trace["parameters"] if p["id"] == "pw_iit_hoogte_alleenstaande")
    assert iit["bron"] == "lokaal" and iit["waarde"] == 450
    assert not any(p["id"] == "pw_iit_hoogte_alleenstaande" for p in plain.trace["parameters"])
    assert local.trace_hash != plain.trace_hash


def test_proefdorp_changes_gezin_meervoudig(rules: Engine) -> None:
    plain = rules.advies(example(rules, "gezin-meervoudig", None))
    local = rules.advies(example(rules, "gezin-meervoudig", "GM9992"))
    assert listed(local, "e3")["gm9992.kindpakket"]["status"] == "past"
    assert "gm9992.kindpakket" not in listed(plain, "e3")

    def termijnen(r: Any) -> dict[str, dict[str, Any]]:
        return {t["id"]: t for t in listed(r, "e3")["wsnp.schuldhulpverlening"]["termijnen"]}

    assert termijnen(plain)["beschikking"]["duur"] == 8          # wettelijk maximum
    assert termijnen(plain)["streefwachttijd"]["duur"] is None   # open norm, niet ingevuld
    assert termijnen(local)["beschikking"]["duur"] == 6
    assert termijnen(local)["beschikking"]["lokaal"]["rechtsgrond"]["tekst"] == (
        "art. 7 lid 1 Omgekeerde verordening Proefdorp")
    assert termijnen(local)["streefwachttijd"]["duur"] == 2


def load_edited(tmp_path: Path, overlay: str, old: str, new: str) -> PackError:
    """Copy the bundled rules, make one edit in an overlay, and return the load error."""
    rules = tmp_path / "rules"
    shutil.copytree(DEFAULT_RULES_DIR, rules)
    path = rules / "gemeenten" / overlay / f"{overlay}.yaml"
    text = path.read_text("utf-8")
    assert old in text
    path.write_text(text.replace(old, new), "utf-8")
    with pytest.raises(PackError) as info:
        Engine.load([rules])
    return info.value



def test_a_local_packs_own_parameter_is_local_in_the_trace(rules: Engine) -> None:
    """fresh116 CM5: the Kindpakket's income limit is a parameter of Proefdorp's own regeling, not
    a national value: the trace says `bron: lokaal` (as for an invulling of an open norm), and a
    stale-value notice (`herziening`, national amounts only) is never given for it."""
    receipt = rules.advies(example(rules, "scootmobiel", "GM9992"))
    (grens,) = [p for p in receipt.trace["parameters"]
                if p["id"] == "gm9992_inkomensgrens_kindpakket"]
    assert grens["bron"] == "lokaal" and grens["pakket"] == "gm9992"
    (wgs,) = [p for p in receipt.trace["parameters"] if p["id"] == "wgs_beschikkingstermijn_weken"]
    assert wgs["bron"] == "lokaal"
    plain = rules.advies(example(rules, "scootmobiel", None))
    assert all(p["bron"] == "landelijk" for p in plain.trace["parameters"])

def test_overlay_cannot_replace_a_statutory_value(tmp_path: Path) -> None:
    error = load_edited(tmp_path, "gm9991", "parameter: pw_iit_hoogte_alleenstaande",
                        "parameter: pw_vermogensgrens_alleenstaande")
    assert any("geen open norm" in p.melding and "hogere regel gaat voor" in p.melding
               for p in error.problems)


def test_overlay_cannot_exceed_the_legal_bound(tmp_path: Path) -> None:
    error = load_edited(tmp_path, "gm9992", "{waarde: 6, geldig_vanaf: 2026-01-01}",
                        "{waarde: 10, geldig_vanaf: 2026-01-01}")
    (problem,) = [p for p in error.problems if "meer dan de wet toestaat" in p.melding]
    assert problem.bestand and problem.bestand.endswith("gm9992.yaml") and problem.regel
    # the value itself, not its invulling: the author sees which of the dated values is too high
    assert problem.pad == "invullingen[0].waarden[1].waarde"
    text = Path(problem.bestand).read_text("utf-8").splitlines()
    assert "waarde: 10" in text[problem.regel - 1]



def test_overlay_cannot_go_below_the_legal_bound(tmp_path: Path) -> None:
    """No bundled open norm has a lower bound yet; one is added to the Wgs decision term in a copy,
    so the check and where it points are tested before a pack needs it."""
    rules = tmp_path / "rules"
    shutil.copytree(DEFAULT_RULES_DIR, rules)
    wsnp = rules / "wsnp" / "wsnp.yaml"
    text = wsnp.read_text("utf-8")
    assert text.count("      maximum: 8\n") == 1
    wsnp.write_text(text.replace("      maximum: 8\n", "      maximum: 8\n      minimum: 2\n"),
                    "utf-8")
    overlay = rules / "gemeenten" / "gm9992" / "gm9992.yaml"
    text = overlay.read_text("utf-8")
    assert "{waarde: 6, geldig_vanaf: 2026-01-01}" in text
    overlay.write_text(text.replace("{waarde: 6, geldig_vanaf: 2026-01-01}",
                                    "{waarde: 1, geldig_vanaf: 2026-01-01}"), "utf-8")
    with pytest.raises(PackError) as info:
        Engine.load([rules])
    (problem,) = [p for p in info.value.problems if "minder dan de wet toestaat" in p.melding]
    assert problem.pad == "invullingen[0].waarden[1].waarde"
    assert problem.bestand and problem.bestand.endswith("gm9992.yaml") and problem.regel
    assert "waarde: 1," in overlay.read_text("utf-8").splitlines()[problem.regel - 1]
    assert "(2, art. 4a lid 3" in problem.melding


def with_second_regeling(tmp_path: Path, parameter: str, waarde: int) -> Path:
    """A copy of the bundled rules with a second regeling of Proefdorp (GM9992, from 2026) that
    fills one open norm; returns the copy's rules directory."""
    rules = tmp_path / "rules"
    shutil.copytree(DEFAULT_RULES_DIR, rules)
    second = rules / "gemeenten" / "gm9992b"
    second.mkdir()
    (second / "gm9992b.yaml").write_text(f"""
regelpakket:
  id: gm9992b
  naam: Tweede regeling Proefdorp
  domein: Lokaal beleid Proefdorp
  gemeente: GM9992
  bwb_id: CVDR9990009
  versie: "1"
  geldig_vanaf: 2026-01-01
invullingen:
  - parameter: {parameter}
    rechtsgrond: {{bwb_id: CVDR9990009, artikel: "1"}}
    waarden: [{{waarde: {waarde}}}]
""", "utf-8")
    return rules


def test_unresolved_tie_between_two_overlays_is_an_error(tmp_path: Path) -> None:
    rules = with_second_regeling(tmp_path, "wgs_beschikkingstermijn_weken", 5)
    with pytest.raises(PackError) as info:
        Engine.load([rules])
    (tie,) = [p for p in info.value.problems if "onopgeloste samenloop" in p.melding]
    assert "'wgs_beschikkingstermijn_weken'" in tie.melding and "gm9992 " in tie.melding
    assert tie.bestand and tie.bestand.endswith("gm9992b.yaml")


def test_two_overlays_of_one_gemeente_may_fill_different_open_norms(tmp_path: Path) -> None:
    """Only the same open norm on the same days is a tie: a second regeling of Proefdorp that fills
    the Wmo's eigen bijdrage (which gm9992 leaves alone) is no conflict with gm9992's Wgs terms."""
    eng = Engine.load([with_second_regeling(tmp_path, "wmo_abonnementstarief", 0)])
    receipt = eng.advies(example(eng, "scootmobiel", "GM9992"))
    (tarief,) = [p for p in receipt.trace["parameters"] if p["id"] == "wmo_abonnementstarief"]
    assert tarief["bron"] == "lokaal" and tarief["waarde"] == 0 and tarief["pakket"] == "gm9992b"

def test_invullingen_only_in_local_packs(tmp_path: Path) -> None:
    rules = tmp_path / "rules"
    shutil.copytree(DEFAULT_RULES_DIR, rules)
    wmo = rules / "wmo" / "wmo.yaml"
    wmo.write_text(wmo.read_text("utf-8") + """
invullingen:
  - parameter: wgs_beschikkingstermijn_weken
    rechtsgrond: {bwb_id: BWBR0035362, artikel: "1"}
    waarden: [{waarde: 5}]
""", "utf-8")
    with pytest.raises(PackError) as info:
        Engine.load([rules])
    assert any("horen in een lokaal pakket" in p.melding for p in info.value.problems)
