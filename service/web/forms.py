"""Casus forms: the contract's fields as HTML inputs, and back, without losing what was typed.

Widgets follow the fact types of the catalogue (ja/nee/onbekend for bool, a select for keuze,
checkboxes for keuzelijst, numbers). An empty input is *onbekend* and is left out of the casus.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from engine.catalogue import CONTRACT_FACTS, LEEFGEBIEDEN, FactSpec

SUBJECTS = ("huishouden", "financien", "netwerk")
PERSON_ORDER = ("rol", "leeftijd", "woont_in_gemeente", "verblijfsstatus", "beperkingen",
                "wlz_indicatie", "arbeidssituatie", "arbeidsvermogen", "uitkering",
                "jeugdhulp_voor_18", "aow_leeftijd_bereikt", "gedetineerd",
                "studiefinanciering", "zorgverzekering", "kind_van_aanvrager")
LABELS: dict[str, str] = {
    "samenstelling": "Samenstelling", "woonsituatie": "Woonsituatie",
    "netto_inkomen_maand": "Netto inkomen per maand (€)", "vermogen": "Vermogen (€)",
    "schulden_totaal": "Schulden totaal (€)", "aantal_schuldeisers": "Aantal schuldeisers",
    "problematische_schulden": "Problematische schulden", "betalingsachterstanden":
    "Betalingsachterstanden", "dreigende_huisuitzetting": "Dreigende huisuitzetting",
    "dreigende_afsluiting": "Dreigende afsluiting energie/water", "te_goeder_trouw":
    "Te goeder trouw", "minnelijk_traject_mislukt": "Minnelijk traject mislukt",
    "eerdere_wsnp_jaren_geleden": "Eerdere Wsnp (jaren geleden)",
    "eerdere_schuldhulp_jaren_geleden": "Eerdere schuldhulp (jaren geleden)",
    "fraude_vordering": "Schuld uit uitkeringsfraude", "mantelzorg_beschikbaar":
    "Mantelzorg beschikbaar", "mantelzorger_overbelast": "Mantelzorger overbelast",
    "gebruikelijke_hulp_mogelijk": "Gebruikelijke hulp door huisgenoten mogelijk",
    "sociaal_netwerk": "Sociaal netwerk", "algemene_voorziening_toereikend":
    "Algemene voorziening lost het op", "rol": "Rol", "leeftijd": "Leeftijd",
    "woont_in_gemeente": "Woont in de gemeente (BRP)", "verblijfsstatus": "Verblijfsstatus",
    "beperkingen": "Beperkingen", "wlz_indicatie": "Wlz-indicatie",
    "arbeidssituatie": "Arbeidssituatie", "arbeidsvermogen": "Arbeidsvermogen",
    "uitkering": "Uitkering", "jeugdhulp_voor_18": "Jeugdhulp vóór 18",
    "aow_leeftijd_bereikt": "AOW-leeftijd bereikt", "gedetineerd": "Gedetineerd",
    "studiefinanciering": "Studiefinanciering", "zorgverzekering": "Zorgverzekering",
    "kosten": "Kosten (€)", "voorliggend_afgewezen": "Elders al afgewezen",
    "kind_van_aanvrager": "Kind of stiefkind van de aanvrager of zijn partner",
    "werk_van_kind": "Gaat het om het werk van het genoemde kind?",
    "kosten_van_kind": "Zijn de kosten van het genoemde kind?",
    "schulden_van_kind": "Gaat het om schulden van de genoemde meerderjarige?",
    "ouder_van_kind": "Is wie vraagt de ouder van het genoemde kind?",
}

SPECS: dict[str, FactSpec] = {f.key: f for f in CONTRACT_FACTS}
EFFECT_KEYS = ("id", "omschrijving", "leefgebied", "persoon", "kind")
"""An effect's text and reference fields (`kind`: the child it is about, a project addition to
the contract); its facts (`EFFECT_FACTS`) are typed inputs."""
EFFECT_FACTS = ("werk_van_kind", "kosten", "kosten_van_kind", "schulden_van_kind",
                "ouder_van_kind", "voorliggend_afgewezen")
"""The effect's typed contract facts on the form, in the order shown."""


def spec(subject: str, name: str) -> FactSpec:
    return SPECS[f"{subject}.{name}"]


def subject_fields(subject: str) -> list[FactSpec]:
    return [f for f in CONTRACT_FACTS if f.subject == subject and f.bron == "casuscontract"]


def person_fields() -> list[FactSpec]:
    return [spec("persoon", n) for n in PERSON_ORDER]


@dataclass
class CasusForm:
    """The form's state: what was typed (strings), and the errors per input name."""

    values: dict[str, Any] = field(default_factory=dict)
    people: int = 1
    effects: int = 1
    errors: dict[str, list[str]] = field(default_factory=dict)
    general: list[str] = field(default_factory=list)

    def v(self, name: str) -> Any:
        return self.values.get(name, "")


def person_choices(state: CasusForm, current: str = "") -> list[tuple[str, str]]:
    """The persons entered so far as (id, label) for an effect's "voor wie": id, role and age
    identify a person at the desk without a name. A value that names no entered person (typed
    before, or the person was renamed) stays a choice, so nothing chosen is silently lost."""
    out: list[tuple[str, str]] = []
    for i in range(state.people):
        pid = str(state.v(f"p{i}.id")).strip()
        if not pid or any(pid == known for known, _ in out):
            continue
        out.append((pid, person_label(pid, state.v(f"p{i}.rol"), state.v(f"p{i}.leeftijd"))))
    if current and all(current != known for known, _ in out):
        out.append((current, f"{current} · niet (meer) bij de personen"))
    return out


def child_choices(state: CasusForm, current: str = "") -> list[tuple[str, str]]:
    """The persons with rol `kind` entered so far, for an effect's "over welk kind"
    (`gewenste_effecten[].kind`); a value naming no such child stays a choice (the API then
    names the problem), so nothing chosen is silently lost."""
    out = [(pid, label) for pid, label in person_choices(state)
           if any(str(state.v(f"p{i}.id")).strip() == pid and state.v(f"p{i}.rol") == "kind"
                  for i in range(state.people))]
    if current and all(current != known for known, _ in out):
        out.append((current, f"{current} · geen kind bij de personen"))
    return out


def person_label(pid: str, rol: Any, leeftijd: Any) -> str:
    """E.g. "p2 · kind · 12 jaar" (no names: the id is what the casus stores)."""
    parts = [pid, str(rol).replace("_", " ") if rol else "rol onbekend"]
    if str(leeftijd or "").strip():
        parts.append(f"{str(leeftijd).strip()} jaar")
    return " · ".join(parts)


def add_person(state: CasusForm, for_effect: int | None = None) -> str:
    """One more person in the form, with a free id; with `for_effect`, that effect is now for
    the new person (the "voor wie" picker's in-place add). Returns the new id."""
    taken = {str(state.v(f"p{i}.id")).strip() for i in range(state.people)}
    n = state.people + 1
    while f"p{n}" in taken:
        n += 1
    new_id = f"p{n}"
    state.values[f"p{state.people}.id"] = new_id
    state.people += 1
    if for_effect is not None and 0 <= for_effect < state.effects:
        state.values[f"e{for_effect}.persoon"] = new_id
    return new_id


def from_casus(casus: dict[str, Any]) -> CasusForm:
    """A stored casus as form values (to edit it, or to load an example)."""
    values: dict[str, Any] = {"peildatum": casus.get("peildatum", ""),
                              "gemeente": casus.get("gemeente", "")}
    if casus.get("stap3"):
        import json

        values["stap3_json"] = json.dumps(casus["stap3"], ensure_ascii=False)
    for subject in SUBJECTS:
        for f in subject_fields(subject):
            values[f"{subject}.{f.name}"] = _to_text(casus.get(subject, {}).get(f.name), f)
    people = casus.get("personen", [])
    for i, p in enumerate(people):
        values[f"p{i}.id"] = p.get("id", "")
        for f in person_fields():
            values[f"p{i}.{f.name}"] = _to_text(p.get(f.name), f)
    effects = casus.get("gewenste_effecten", [])
    for i, e in enumerate(effects):
        for key in EFFECT_KEYS:
            values[f"e{i}.{key}"] = e.get(key) or ""
        for name in EFFECT_FACTS:
            values[f"e{i}.{name}"] = _to_text(e.get(name), spec("effect", name))
    return CasusForm(values=values, people=max(1, len(people)), effects=max(1, len(effects)))


def _to_text(value: Any, f: FactSpec) -> Any:
    if value is None:
        return [] if f.type == "keuzelijst" else ""
    if f.type == "bool":
        return "ja" if value else "nee"
    if f.type == "keuzelijst":
        return list(value) if value else ["__geen__"]
    return str(value)


def from_form(form: dict[str, Any], people: int, effects: int) -> CasusForm:
    """Raw form data (strings, lists for checkboxes) as the form's state."""
    values: dict[str, Any] = {}
    for key, value in form.items():
        values[key] = value
    return CasusForm(values=values, people=people, effects=effects)


def to_casus(state: CasusForm) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """The casus the API receives, plus errors that are plain typing mistakes (e.g. 'zes' as a
    number); everything else is left to the API, whose errors are mapped back to the inputs."""
    errors: dict[str, list[str]] = {}
    casus: dict[str, Any] = {}
    if state.v("peildatum"):
        casus["peildatum"] = state.v("peildatum")
    if state.v("gemeente"):
        casus["gemeente"] = state.v("gemeente")
    for subject in SUBJECTS:
        block: dict[str, Any] = {}
        for f in subject_fields(subject):
            _put(block, f.name, f, state.values.get(f"{subject}.{f.name}"),
                 f"{subject}.{f.name}", errors)
        if block:
            casus[subject] = block
    people = []
    for i in range(state.people):
        pid = str(state.v(f"p{i}.id")).strip()
        person: dict[str, Any] = {"id": pid} if pid else {}
        for f in person_fields():
            _put(person, f.name, f, state.values.get(f"p{i}.{f.name}"), f"p{i}.{f.name}", errors)
        if person:
            people.append(person)
    casus["personen"] = people
    effects = []
    for i in range(state.effects):
        effect: dict[str, Any] = {}
        for key in EFFECT_KEYS:
            text = str(state.v(f"e{i}.{key}")).strip() if key != "omschrijving" else str(
                state.v(f"e{i}.{key}"))
            if text.strip():
                effect[key] = text
        for name in EFFECT_FACTS:
            _put(effect, name, spec("effect", name), state.values.get(f"e{i}.{name}"),
                 f"e{i}.{name}", errors)
        if effect:
            effect.setdefault("id", f"e{i + 1}")
            effects.append(effect)
    casus["gewenste_effecten"] = effects
    return casus, errors


def _put(target: dict[str, Any], name: str, f: FactSpec, raw: Any, input_name: str,
         errors: dict[str, list[str]]) -> None:
    value = parse_value(f, raw)
    if isinstance(value, ValueError):
        errors.setdefault(input_name, []).append(str(value))
    elif value is not None:
        target[name] = value


def parse_value(f: FactSpec, raw: Any) -> Any:
    """Form text to a typed value; None = onbekend; a ValueError describes a typing mistake."""
    if f.type == "keuzelijst":
        items = raw if isinstance(raw, list) else ([raw] if raw else [])
        if not items:
            return None
        return [x for x in items if x != "__geen__"]
    text = str(raw or "").strip()
    if not text:
        return None
    if f.type == "bool":
        return {"ja": True, "nee": False}.get(text, ValueError("kies ja, nee of onbekend"))
    if f.type == "geheel":
        return int(text) if text.lstrip("-").isdigit() else ValueError("vul een geheel getal in")
    if f.type == "bedrag":
        try:
            return float(text.replace(",", ".")) if ("." in text or "," in text) else int(text)
        except ValueError:
            return ValueError("vul een bedrag in (bijvoorbeeld 1250 of 1250,50)")
    return text


def api_errors_to_inputs(invalid: list[dict[str, Any]], casus: dict[str, Any]
                         ) -> tuple[dict[str, list[str]], list[str]]:
    """Map API field paths (`casus.personen[0].leeftijd`) to form inputs (`p0.leeftijd`)."""
    by_input: dict[str, list[str]] = {}
    general: list[str] = []
    for item in invalid:
        name = str(item.get("name", "")).removeprefix("casus.")
        reason = str(item.get("reason", "ongeldig"))
        target = _input_for(name)
        if target:
            by_input.setdefault(target, []).append(reason)
        else:
            general.append(f"{name}: {reason}")
    return by_input, general


def _input_for(name: str) -> str | None:
    import re

    m = re.match(r"^personen\[(\d+)\]\.([a-z_0-9]+)", name)
    if m:
        return f"p{m.group(1)}.{m.group(2)}"
    m = re.match(r"^gewenste_effecten\[(\d+)\]\.([a-z_0-9]+)", name)
    if m:
        return f"e{m.group(1)}.{m.group(2)}"
    m = re.match(r"^(huishouden|financien|netwerk)\.([a-z_0-9]+)", name)
    if m:
        return f"{m.group(1)}.{m.group(2)}"
    if name in ("peildatum", "gemeente"):
        return name
    return None


LEEFGEBIED_KEUZES = list(LEEFGEBIEDEN.items())
