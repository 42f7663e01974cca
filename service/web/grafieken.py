"""Server-rendered SVG charts for the beleidsinformatie page (issue 15).

Why on the server: the page works without JavaScript, and an SVG drawn once by matplotlib (the
Agg-free SVG canvas, no display) is an ordinary part of the HTML that a screen reader can read
and a browser can print. Each chart carries a `<title>` and a `<desc>` (named by
`aria-labelledby`, `role="img"`) and the page shows the same figures as an accessible table
beside it, so the chart is never the only way to the data.

The chart draws the counts exactly as the API publishes them (`GET /v1/beleidsinformatie`:
under 5 the string "< 5", every other count rounded to a multiple of 5) and says so in its text
alternative; it never has an exact count to leak. A suppressed count has no bar: the chart
writes "< 5" where the bar would be, so a small number is never drawn as zero nor guessed at.
The ids matplotlib gives its elements are prefixed per chart: several charts sit inline in one
page and ids must stay unique there.
"""

from __future__ import annotations

import io
import re
from collections.abc import Mapping, Sequence
from typing import Any

import matplotlib

matplotlib.use("svg")  # no display; set before anything of pyplot could load a GUI backend

from matplotlib.figure import Figure

KLEIN = "< 5"
"""How the API spells a small cell (its `Telling` contract)."""
AFGEROND = "Aantallen afgerond op 5; onder de 5 staat “< 5”."
"""Said in every chart's text alternative: a bar of 10 is 8 to 12, not exactly 10."""
KLEUREN = ("#1f4e79", "#b35900", "#2e7d32", "#6a1b9a", "#5d4037", "#c62828")
"""Dark enough for 3:1 contrast against white (WCAG 1.4.11); bars are also labelled."""
RC: Any = {"svg.fonttype": "none", "svg.hashsalt": "ot-beleidsinformatie", "font.size": 10,
      "font.family": "sans-serif"}
"""Text as text (readable, selectable, small), and stable clip-path ids."""


def _value(cell: Any) -> float | None:
    """A count as a number; None for a suppressed one."""
    return None if cell == KLEIN or cell is None else float(cell)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _attributes(match: re.Match[str]) -> str:
    """`style="fill: #fff; stroke-width: 0.8"` as presentation attributes
    (`fill="#fff" stroke-width="0.8"`): the pages' CSP (`style-src 'self'`) ignores inline
    styles, and every SVG property matplotlib writes has an attribute of the same name."""
    pairs = (d.split(":", 1) for d in match.group(1).split(";") if ":" in d)
    return " ".join(f'{k.strip()}="{v.strip()}"' for k, v in pairs)


def _svg(fig: Figure, naam: str, titel: str, beschrijving: str) -> str:
    """The figure as inline SVG: no XML prolog, ids prefixed with `naam`, and the title and
    text alternative as the first children of the root; styles as attributes."""
    out = io.StringIO()
    with matplotlib.rc_context(RC):
        fig.savefig(out, format="svg", metadata={"Date": None, "Creator": None})
    svg = out.getvalue()
    svg = svg[svg.index("<svg"):]
    svg = re.sub(r'style="([^"]*)"', _attributes, svg)
    svg = re.sub(r"<style[^>]*>.*?</style>", "", svg, flags=re.S)
    svg = re.sub(r'\bid="([^"]+)"', rf'id="{naam}-\1"', svg)
    svg = re.sub(r"url\(#([^)]+)\)", rf"url(#{naam}-\1)", svg)
    svg = re.sub(r'href="#([^"]+)"', rf'href="#{naam}-\1"', svg)
    head = svg.index(">") + 1
    root = svg[:head - 1] + (f' role="img" aria-labelledby="{naam}-titel {naam}-desc" '
                             f'class="grafiek" focusable="false">')
    return (root + f'<title id="{naam}-titel">{_escape(titel)}</title>'
            f'<desc id="{naam}-desc">{_escape(beschrijving)}</desc>' + svg[head:])


def _bars(labels: Sequence[str], series: Mapping[str, Sequence[Any]], naam: str, titel: str,
          beschrijving: str, ylabel: str) -> str:
    """Grouped vertical bars: one group per label, one bar per series."""
    with matplotlib.rc_context(RC):
        fig = Figure(figsize=(max(4.5, 1.1 * len(labels) * max(1, len(series)) ** 0.5), 3.2),
                     layout="constrained")
        ax = fig.add_subplot()
        width = 0.8 / max(1, len(series))
        top = max([_value(v) or 0.0 for vs in series.values() for v in vs] + [5.0])
        for n, (name, values) in enumerate(series.items()):
            xs = [i - 0.4 + width * (n + 0.5) for i in range(len(labels))]
            heights = [_value(v) or 0.0 for v in values]
            ax.bar(xs, heights, width * 0.95, label=name, color=KLEUREN[n % len(KLEUREN)])
            for x, v in zip(xs, values, strict=True):
                shown = KLEIN if _value(v) is None else f"{_value(v):g}"
                ax.text(x, (_value(v) or 0.0) + top * 0.02, shown, ha="center",
                        va="bottom", fontsize=8)
        ax.set_xticks(range(len(labels)), list(labels))
        ax.set_ylim(0, top * 1.18)
        ax.set_ylabel(ylabel)
        ax.spines[["top", "right"]].set_visible(False)
        if len(series) > 1:
            ax.legend(frameon=False, fontsize=8, ncols=min(3, len(series)))
        ax.set_title(titel, fontsize=11)
    return _svg(fig, naam, titel, beschrijving)


def _alternative(labels: Sequence[str], series: Mapping[str, Sequence[Any]]) -> str:
    """The figures in words, for `<desc>`: every label with every series' count."""
    parts = []
    for i, label in enumerate(labels):
        cells = ", ".join(f"{name} {values[i]}" for name, values in series.items())
        parts.append(f"{label}: {cells}")
    return "; ".join(parts) + "." if parts else "Geen gegevens in deze periode."


def domeinen(rijen: Sequence[dict[str, Any]]) -> str:
    """Casussen per number of domains involved (0, 1, 2, 3+)."""
    labels = [f"{r['domeinen']} domein{'en' if r['domeinen'] != '1' else ''}" for r in rijen]
    series = {"casussen": [r["casussen"] for r in rijen]}
    titel = "Casussen naar aantal betrokken domeinen"
    return _bars(labels, series, "grafiek-domeinen", titel,
                 f"{titel}. {AFGEROND} {_alternative(labels, series)}", "casussen")


TREDE_KOLOMMEN = {"past": "geadviseerd (past)", "voorwaardelijk": "voorwaardelijk",
                  "toegekend": "toegekend", "bereikt": "bereikt"}
"""The columns of the per-rung chart, and their legend: from advice to effect reached."""


def treden(rijen: Sequence[dict[str, Any]], trede_namen: dict[str, str]) -> str:
    """Per rung of the ladder: advised (past, voorwaardelijk), granted, reached."""
    labels = [trede_namen.get(r["trede"], r["trede"]) for r in rijen]
    series = {label: [r[k] for r in rijen] for k, label in TREDE_KOLOMMEN.items()}
    titel = "Per trede: geadviseerd, toegekend en bereikt"
    return _bars(labels, series, "grafiek-treden", titel,
                 f"{titel} (gewenste effecten). {AFGEROND} {_alternative(labels, series)}",
                 "gewenste effecten")
