"""The dossier report shows how the casus grew: per version who made it, when, and which facts it
set or changed (the answers given). `casus_history` is the one place that computes it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from service.web.routes import casus_history


def _v(versie: int, casus: Mapping[str, object], reden: str = "antwoord") -> dict[str, Any]:
    return {"versie": versie, "reden": reden, "door": "api-sleutel|consulent-1",
            "aangemaakt": f"2026-11-0{versie}T10:00:00Z", "casus": casus}


def test_each_version_lists_the_facts_it_set_or_changed_by_address() -> None:
    first = {"peildatum": "2026-11-02", "netwerk": {"sociaal_netwerk": "beperkt"},
             "personen": [{"id": "p1", "rol": "aanvrager", "leeftijd": 79}]}
    second = {**first, "netwerk": {"sociaal_netwerk": "beperkt", "mantelzorg_beschikbaar": False},
              "personen": [{"id": "p1", "rol": "aanvrager", "leeftijd": 80}]}
    third = {**second, "netwerk": {"mantelzorg_beschikbaar": False}}
    history = casus_history([_v(3, third), _v(1, first, "nieuw"), _v(2, second)], up_to=None)
    assert [h["versie"] for h in history] == [1, 2, 3]
    assert history[0]["reden"] == "nieuw" and history[0]["door"] == "api-sleutel|consulent-1"
    assert history[1]["wijzigingen"] == [("netwerk.mantelzorg_beschikbaar", None, False),
                                         ("personen[p1].leeftijd", 79, 80)]
    assert history[2]["wijzigingen"] == [("netwerk.sociaal_netwerk", "beperkt", None)]


def test_versions_after_the_advies_are_left_out() -> None:
    casus = {"peildatum": "2026-11-02"}
    history = casus_history([_v(1, casus), _v(2, {**casus, "x": 1}), _v(3, {**casus, "x": 2})],
                            up_to=2)
    assert [h["versie"] for h in history] == [1, 2]
