"""The printed advies's detail lines per instrument: its termijnen, the voorliggende
voorzieningen it only mentions (the Zvw/Wlz remark) and the amounts (parameters) its conditions
compared with, each with its citation.

Why a module of its own: `ot advies --json` always carried these, but the printed table showed
only the status and the reasons, so a consulent reading the terminal missed the deadlines and
the norm used. Everything here is read from the trace as it is; nothing is evaluated again, so
the printed advies and the receipt cannot disagree.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from rich.text import Text

from engine.eenheden import met_eenheid


def _comparisons(toets: dict[str, Any] | None, afgeleid: dict[str, dict[str, Any]],
                 seen: set[str]) -> Iterator[dict[str, Any]]:
    """The comparisons with a parameter in a condition tree, following derived facts into
    their own trees. A branch (`alle`) that did not apply because one of its other conditions
    is `nee` is skipped: it names a norm for another household (the gehuwdennorm for an
    alleenstaande). A branch that is `nee` because of the amount comparison itself is kept:
    that norm decided."""
    if not toets:
        return
    if "alle" in toets:
        if any(c.get("uitkomst") == "nee" and "parameter" not in c for c in toets["alle"]):
            return
        for c in toets["alle"]:
            yield from _comparisons(c, afgeleid, seen)
    elif "een_van" in toets:
        for c in toets["een_van"]:
            yield from _comparisons(c, afgeleid, seen)
    elif "niet" in toets:
        yield from _comparisons(toets["niet"], afgeleid, seen)
    elif toets.get("parameter"):
        yield toets
    elif str(toets.get("feit", "")).startswith("afgeleid."):
        name = toets["feit"].removeprefix("afgeleid.")
        if name not in seen and name in afgeleid:
            seen.add(name)
            yield from _comparisons(afgeleid[name].get("toets"), afgeleid, seen)


def _items(ins: dict[str, Any]) -> Iterator[dict[str, Any]]:
    for key in ("voorwaarden", "uitsluitingen", "voorliggend", "begrenzingen"):
        yield from ins.get(key) or []


def norm_lines(ins: dict[str, Any], effect: dict[str, Any],
               parameters: dict[str, dict[str, Any]]) -> list[str]:
    """One line per amount the instrument's conditions compared with, on the peildatum."""
    afgeleid = {a["id"]: a for a in effect.get("afgeleide_feiten", [])}
    seen: set[str] = set()
    shown: dict[str, str] = {}
    for item in _items(ins):
        for v in _comparisons(item.get("toets"), afgeleid, seen):
            pid = v["parameter"]
            p = parameters.get(pid)
            if pid in shown or p is None:
                continue
            shown[pid] = (f"Norm {pid}: {met_eenheid(v['waarde'], p['eenheid'])} "
                          f"({p['rechtsgrond']['tekst']})")
    return list(shown.values())


def termijn_lines(ins: dict[str, Any]) -> list[str]:
    """The national termijnen that apply or may apply (a local one is shown with the local
    lines already)."""
    lines = []
    for t in ins.get("termijnen") or []:
        if t.get("uitkomst") == "nee" or t.get("lokaal"):
            continue
        duur = (met_eenheid(t["duur"], t["eenheid"]) if t.get("duur") is not None
                else "duur: open norm, niet ingevuld")
        als = "; als van toepassing" if t.get("uitkomst") == "onbekend" else ""
        lines.append(f"Termijn: {t['omschrijving']} ({duur}{als}; "
                     f"{t['rechtsgrond']['tekst']})")
    return lines


def voorliggend_lines(ins: dict[str, Any]) -> list[str]:
    """The voorliggende voorzieningen the instrument mentions (`gevolg: vermelding`). One
    that excludes it (`gevolg: uitsluiting`) is among the reasons already when it counts."""
    return [f"Voorliggend: {v.get('naam') or v['id']}: {v.get('uitleg') or ''} "
            f"({v['rechtsgrond']['tekst']})".replace(":  (", " (")
            for v in ins.get("voorliggend") or []
            if v.get("gevolg") == "vermelding" and v.get("uitkomst") != "nee"]


def details_text(ins: dict[str, Any], effect: dict[str, Any],
                 parameters: dict[str, dict[str, Any]]) -> Text:
    """The detail lines for the table's last column, each on its own line, dimmed."""
    text = Text()
    for line in (termijn_lines(ins) + voorliggend_lines(ins)
                 + norm_lines(ins, effect, parameters)):
        text.append("\n" + line, style="dim")
    return text
