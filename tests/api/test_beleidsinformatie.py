"""Beleidsinformatie (issue 15): 2,000 casussen with adviezen, besluiten and follow-ups of a
known distribution, and every figure of `GET /v1/beleidsinformatie` checked against it as
published (small cells "< 5", every other count rounded to 5, computed here by `expect`, not by
the service's rule), that subtracting shown cells no longer recovers a small cell, and that a
beleidsmedewerker reaches no per-person data. SQLite and PostgreSQL; invented people only.

The population is built through the store functions (`store_advies`, `store_besluit`,
`store_opvolging`) from a handful of distinct evaluated casussen, each stored many times, with
the clock (`service.store.now`) set per group; the expected figures are counted in Python from
the receipts' own traces, independently of the SQL that answers the API.
"""

from __future__ import annotations

import copy
import csv
import functools
import io
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
import sqlalchemy as sa
from alembic import command
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from engine import Receipt
from service.app import create_app
from service.beleidsrijen import beleid_rows, decision_period
from service.db import Advies, Besluit, Casus, CasusVersie, make_engines
from service.migrate import alembic_config, upgrade
from service.routes.opvolging import plans, store_opvolging
from service.store import store_advies, store_besluit
from tests.api.conftest import (
    AUDITOR,
    BELEID,
    CONSULENT,
    PG_URL,
    dispose,
    example,
    make_settings,
    reset_postgres,
)

OWNER = "api-sleutel|consulent-1"
VAN, TOT = "2026-01-01", "2026-12-31"
TOELICHTING = "Mevrouw Testpersoon fietst weer zelf naar de markt."
MOTIVERING = "Afgewezen: de inwoner Jansen-Proef heeft al vervoer geregeld."


def werkend_mobiliteit() -> dict[str, Any]:
    """An invented working adult without beperkingen whose wish (mobiliteit) no law's purpose
    covers: an effect without grondwaarde, no domain."""
    data = example("scootmobiel")
    data["personen"][0].update(leeftijd=40, beperkingen=[], arbeidssituatie="werkend",
                               aow_leeftijd_bereikt=False)
    return data


def met_gemeente(data: dict[str, Any], code: str) -> dict[str, Any]:
    return {**copy.deepcopy(data), "gemeente": code}


@dataclass
class Groep:
    soort: str
    aantal: int
    dag: str
    casussen: list[str] = field(default_factory=list)
    adviezen: list[Advies] = field(default_factory=list)


SOORTEN: dict[str, Callable[[], dict[str, Any]]] = {
    "scootmobiel": lambda: example("scootmobiel"),
    "scootmobiel_gm9991": lambda: met_gemeente(example("scootmobiel"), "GM9991"),
    "werkend": werkend_mobiliteit,
    "levenseinde": lambda: example("levenseinde-medicatie"),
    "overgang": lambda: example("overgang-18"),
    "verslaving": lambda: example("verslaving-schulden"),
}
GROEPEN = [  # (soort, casussen, day of the advies): 2,000 casussen, 50 of them before VAN
    ("scootmobiel", 1000, "2026-03-02"), ("scootmobiel_gm9991", 300, "2026-04-01"),
    ("werkend", 400, "2026-05-04"), ("levenseinde", 230, "2026-02-02"),
    ("overgang", 17, "2026-06-01"), ("verslaving", 3, "2026-06-02"),
    ("scootmobiel", 50, "2025-05-05"),
]
HERHAALD = 100
"""Casussen of the first group that get a second advies (2026-07-01): counted once."""


@dataclass
class Populatie:
    app: FastAPI
    client: TestClient
    receipts: dict[str, Receipt]
    groepen: list[Groep]
    ids: list[str]


def clock(day: str) -> Iterator[str]:
    n = 0
    while True:
        n += 1
        yield f"{day}T{8 + n // 3600 % 10:02d}:{n // 60 % 60:02d}:{n % 60:02d}.000000Z"


def build(app: FastAPI, monkeypatch: pytest.MonkeyPatch) -> Populatie:
    engines = app.state.engines
    receipts = {k: engines.current.advies(make()) for k, make in SOORTEN.items()}
    groepen = [Groep(*g) for g in GROEPEN]
    sessions = app.state.sessions
    ids: list[str] = []
    for g in groepen:
        receipt = receipts[g.soort]
        data = receipt.trace["casus"]
        monkeypatch.setattr("service.store.now", functools.partial(next, clock(g.dag)))
        with sessions() as s:
            for n in range(g.aantal):
                cid = str(uuid.uuid4())
                stamp = f"{g.dag}T07:00:00.000000Z"
                s.add(Casus(id=cid, eigenaar=OWNER, versie=1, data=data, afwegingen=None,
                            aangemaakt=stamp, gewijzigd=stamp))
                s.flush()
                s.add(CasusVersie(casus_id=cid, versie=1, data=data, afwegingen=None,
                                  reden="aangemaakt", door=OWNER, aangemaakt=stamp))
                s.flush()
                g.adviezen.append(store_advies(s, receipt, casus_id=cid, casus_versie=1,
                                               door=OWNER))
                g.casussen.append(cid)
                if n % 200 == 199:
                    s.commit()
            s.commit()
        ids += g.casussen + [a.id for a in g.adviezen]
    first = groepen[0]
    monkeypatch.setattr("service.store.now", functools.partial(next, clock("2026-07-01")))
    with sessions() as s:
        for cid in first.casussen[:HERHAALD]:
            ids.append(store_advies(s, receipts["scootmobiel"], casus_id=cid, casus_versie=1,
                                    door=OWNER).id)
        s.commit()
    besluiten(app, monkeypatch, groepen)
    return Populatie(app, TestClient(app), receipts, groepen, ids)


def besluit_op(s: Any, advies: Advies, day: str, monkeypatch: pytest.MonkeyPatch,
               keuzes: list[dict[str, Any]], vervangt: Besluit | None = None,
               motivering: str = "Toegekend na onderzoek.") -> Besluit:
    monkeypatch.setattr("service.store.now", lambda: f"{day}T12:00:00.000000Z")
    return store_besluit(s, advies=advies, instrumenten=keuzes, motivering=motivering,
                         zaak_url=None, door=OWNER, vervangt=vervangt)


def keuze(instrument: str, uitkomst: str = "toegekend", motivering: str | None = None
          ) -> dict[str, Any]:
    return {"effect": "e1", "instrument": instrument, "uitkomst": uitkomst,
            "motivering": motivering}


def besluiten(app: FastAPI, monkeypatch: pytest.MonkeyPatch, groepen: list[Groep]) -> None:
    """On the scootmobiel casussen (advies 2026-03-02; the Wmo beschikking: 14 days):
    120 grant the vervoersvoorziening after 10 days, 30 after 20 days; 10 of the 120 are then
    corrected to collectief vervoer; 8 refuse clientondersteuning (past: a departure), 3 grant
    gebruikelijke hulp (past niet: a departure). 20 besluiten on the casussen of 2025 fall
    outside the period. Follow-ups (due at once): of the 110 vervoersvoorzieningen 60
    bereikt (5 then corrected to deels), 30 deels, 3 niet bereikt; 7 of the collectief vervoer
    bereikt without an instrument named."""
    scoot, oud = groepen[0], groepen[-1]
    vv = "wmo.vervoersvoorziening"
    with app.state.sessions() as s:
        adviezen = {a.casus_id: a for a in s.scalars(select(Advies).where(
            Advies.id.in_([a.id for a in scoot.adviezen + oud.adviezen])))}
        rows = [adviezen[c] for c in scoot.casussen]
        eerste = [besluit_op(s, a, "2026-03-12", monkeypatch, [keuze(vv)]) for a in rows[:120]]
        for a in rows[120:150]:
            besluit_op(s, a, "2026-03-22", monkeypatch, [keuze(vv)])
        for b, a in zip(eerste[:10], rows[:10], strict=True):
            besluit_op(s, a, "2026-03-14", monkeypatch, [keuze("wmo.collectief_vervoer")],
                       vervangt=b)
        for a in rows[150:158]:
            besluit_op(s, a, "2026-03-07", monkeypatch,
                       [keuze("wmo.clientondersteuning", "afgewezen", MOTIVERING)],
                       motivering=MOTIVERING)
        for a in rows[158:161]:
            besluit_op(s, a, "2026-03-07", monkeypatch,
                       [keuze("wmo.gebruikelijke_hulp", "toegekend", "Geen huisgenoten.")])
        for c in oud.casussen[:20]:
            besluit_op(s, adviezen[c], "2025-05-15", monkeypatch, [keuze(vv)])
        s.commit()
        outcomes = (["bereikt"] * 60 + ["deels"] * 30 + ["niet_bereikt"] * 3)
        stored = []
        for cid, uitkomst in zip(scoot.casussen[10:], outcomes, strict=False):
            plan = plans(s, cid, 0)["e1"]
            stored.append((cid, store_opvolging(s, casus_id=cid, plan=plan, uitkomst=uitkomst,
                                                gebruikte=[vv], toelichting=TOELICHTING,
                                                door=OWNER, vervangt=None)))
        for cid, row in stored[:5]:
            plan = plans(s, cid, 0)["e1"]
            store_opvolging(s, casus_id=cid, plan=plan, uitkomst="deels", gebruikte=[vv],
                            toelichting=TOELICHTING, door=OWNER, vervangt=row)
        for cid in scoot.casussen[:7]:
            store_opvolging(s, casus_id=cid, plan=plans(s, cid, 0)["e1"], uitkomst="bereikt",
                            gebruikte=[], toelichting="", door=OWNER, vervangt=None)
        s.commit()


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def populatie(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
              ) -> Iterator[Populatie]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('beleid') / 'ot.sqlite3'}"
    else:
        if not PG_URL:
            pytest.skip("OT_TEST_POSTGRES_URL is not set")
        reset_postgres(PG_URL)
        url = PG_URL
    app = create_app(make_settings(url, opvolging_maanden=0, pakkettests_bij_start=False))
    with pytest.MonkeyPatch.context() as monkeypatch:
        found = build(app, monkeypatch)
    yield found
    dispose(app)


def get(p: Populatie, query: str = "", headers: dict[str, str] = BELEID) -> dict[str, Any]:
    r = p.client.get(f"/v1/beleidsinformatie{query}", headers=headers)
    assert r.status_code == 200, r.text
    found: dict[str, Any] = r.json()
    return found


# ── the oracle: the same figures counted from the receipts in Python ───────────────────────

def in_period(p: Populatie) -> dict[str, int]:
    """Casussen per soort whose latest advies lies in 2026."""
    counts: Counter[str] = Counter()
    for g in p.groepen:
        if g.dag >= VAN:
            counts[g.soort] += g.aantal
    return counts


def expect(n: int) -> int | str:
    """A true count as it must be published, written out here on its own: under 5 (0 too)
    "< 5", otherwise the nearest multiple of 5, a remainder of 3 or 4 rounding up."""
    if n < 5:
        return "< 5"
    fives, rest = divmod(n, 5)
    return 5 * (fives + 1) if rest >= 3 else 5 * fives


def expect_all(true: dict[str, int]) -> dict[str, int | str]:
    return {k: expect(n) for k, n in true.items()}


GRANTED = {"wmo.vervoersvoorziening": 140, "wmo.collectief_vervoer": 10,
           "wmo.gebruikelijke_hulp": 3}
"""Effecten granted by a besluit in force in 2026, per instrument (as `besluiten` builds)."""
REACHED = {"wmo.vervoersvoorziening": {"bereikt": 55, "deels": 35, "niet_bereikt": 3}}
"""Follow-ups in force with the instrument used, per outcome."""


def test_expect_rounds_as_documented() -> None:
    assert [expect(n) for n in (0, 1, 4, 5, 7, 8, 12, 13, 62, 403)] == [
        "< 5", "< 5", "< 5", 5, 5, 10, 10, 15, 60, 405]


def expected_advised(p: Populatie, gemeente: str | None = None) -> dict[tuple[str, str],
                                                                          Counter[str]]:
    out: dict[tuple[str, str], Counter[str]] = {}
    for soort, n in in_period(p).items():
        trace = p.receipts[soort].trace
        if gemeente and trace["gemeente"]["code"] != gemeente:
            continue
        for e in trace["advies"]["effecten"]:
            for i in e["stap4"]["instrumenten"]:
                if i["status"] in ("past", "voorwaardelijk"):
                    out.setdefault((i["trede"], i["id"]), Counter())[i["status"]] += n
    return out


def test_domains_per_casus_with_oosterhouts_reference(populatie: Populatie) -> None:
    info = get(populatie, f"?van={VAN}&tot={TOT}")
    domains: Counter[str] = Counter()
    for soort, n in in_period(populatie).items():
        k = len(populatie.receipts[soort].advies["stap2"]["domeinen"])
        domains["3+" if k >= 3 else str(k)] += n
    assert domains == {"0": 400, "1": 1300, "2": 230, "3+": 20}  # the distribution as built
    assert {r["domeinen"]: r["casussen"] for r in info["domeinen"]["rijen"]} == expect_all(
        {"0": 400, "1": 1300, "2": 230, "3+": 20})
    ref = info["domeinen"]["referentie"]
    assert "1 tot 3% van de vraagstukken in Oosterhout" in ref["citaat"]
    assert (ref["aandeel_procent_van"], ref["aandeel_procent_tot"]) == (1.0, 3.0)
    # the 2025 casussen and the 100 second adviezen do not count twice: all periods
    everything = get(populatie)
    assert {r["domeinen"]: r["casussen"] for r in everything["domeinen"]["rijen"]} == expect_all(
        {"0": 400, "1": 1350, "2": 230, "3+": 20})
    # per gemeente: only GM9991's 300 casussen; every other cell is suppressed
    local = get(populatie, "?gemeente=GM9991")
    assert {r["domeinen"]: r["casussen"] for r in local["domeinen"]["rijen"]} == expect_all(
        {"0": 0, "1": 300, "2": 0, "3+": 0})


def test_effects_without_grondwaarde(populatie: Populatie) -> None:
    info = get(populatie, f"?van={VAN}&tot={TOT}")
    assert info["zonder_grondwaarde"] == {
        "effecten": expect(400),
        "per_leefgebied": [{"leefgebied": "mobiliteit", "effecten": expect(400)}]}


def test_per_instrument_and_rung_advised_granted_and_reached(populatie: Populatie) -> None:
    info = get(populatie, f"?van={VAN}&tot={TOT}")
    advised = expected_advised(populatie)
    rows = {(r["trede"], r["instrument"]): r for r in info["instrumenten"]}
    granted, reached = GRANTED, REACHED
    assert set(advised) <= set(rows)
    for (trede, instrument), row in rows.items():
        counts = advised.get((trede, instrument), Counter())
        assert row["past"] == expect(counts["past"]), instrument
        assert row["voorwaardelijk"] == expect(counts["voorwaardelijk"]), instrument
        assert row["toegekend"] == expect(granted.get(instrument, 0)), instrument
        for uitkomst in ("bereikt", "deels", "niet_bereikt"):
            assert row[uitkomst] == expect(reached.get(instrument, {}).get(uitkomst, 0))
    vv = rows[("maatwerk", "wmo.vervoersvoorziening")]
    assert (vv["toegekend"], vv["bereikt"], vv["deels"], vv["niet_bereikt"]) == (
        expect(140), expect(55), expect(35), expect(3))
    # per rung: the exact per-instrument counts summed, then published on their own
    per_trede: dict[str, Counter[str]] = {}
    for (trede, _), counts in advised.items():
        per_trede.setdefault(trede, Counter()).update(counts)
    treden = {r["trede"]: r for r in info["treden"]}
    for trede, counts in per_trede.items():
        assert treden[trede]["past"] == expect(counts["past"])
        assert treden[trede]["voorwaardelijk"] == expect(counts["voorwaardelijk"])
    assert treden["maatwerk"]["toegekend"] == expect(140)
    assert treden["algemene_voorziening"]["toegekend"] == expect(10)
    assert treden["gebruikelijke_hulp"]["toegekend"] == expect(3)
    assert [r["trede"] for r in info["treden"]] == [
        t for t in ("eigen_kracht", "gebruikelijke_hulp", "netwerk", "algemene_voorziening",
                    "maatwerk") if t in treden]
    assert info["opvolging"] == [{"uitkomst": "bereikt", "effecten": expect(62)},
                                 {"uitkomst": "deels", "effecten": expect(35)},
                                 {"uitkomst": "niet_bereikt", "effecten": expect(3)}]


def allowed(shown: int | str, afronding: int) -> tuple[int, int]:
    """The true counts a published figure leaves open, as a reader who knows the rule sees
    them: "< 5" is 0 to 4; a shown n is n itself when nothing is rounded (`afronding` 1, the
    old answer), else anything within half a step of n that is not under 5."""
    if shown == "< 5":
        return 0, 4
    assert isinstance(shown, int)
    return max(5, shown - afronding // 2), shown + afronding // 2


def test_subtraction_no_longer_recovers_a_small_cell(populatie: Populatie) -> None:
    """The attack: on a trede, the total minus the other instruments' shown counts. With
    exact counts that difference is exactly what the "< 5" cells of that trede and column hold
    together (the one cell itself when it is the only one, or when the others are known to be
    empty); now each published figure leaves a range open, and the range of that difference
    always holds more than one value (and the truth)."""
    info = get(populatie, f"?van={VAN}&tot={TOT}")
    afronding = info.get("afronding", 1)  # the old answer had none: exact counts
    advised = expected_advised(populatie)

    def truth(trede: str, instrument: str, column: str) -> int:
        if column in ("past", "voorwaardelijk"):
            return advised.get((trede, instrument), Counter())[column]
        if column == "toegekend":
            return GRANTED.get(instrument, 0)
        return REACHED.get(instrument, {}).get(column, 0)

    attacked = []
    for total in info["treden"]:
        rows = [r for r in info["instrumenten"] if r["trede"] == total["trede"]]
        for column in ("past", "voorwaardelijk", "toegekend", "bereikt", "deels",
                       "niet_bereikt"):
            small = [r for r in rows if r[column] == "< 5"]
            others = [r for r in rows if r[column] != "< 5"]
            if not small or total[column] == "< 5":
                continue
            hidden = sum(truth(r["trede"], r["instrument"], column) for r in small)
            low_total, high_total = allowed(total[column], afronding)
            low = max(0, low_total - sum(allowed(r[column], afronding)[1] for r in others))
            high = min(4 * len(small),
                       high_total - sum(allowed(r[column], afronding)[0] for r in others))
            assert low <= hidden <= high, (total["trede"], column)
            attacked.append((total["trede"], column, len(small), hidden, low, high))
    # the data holds the case the attack was made for: small cells holding 1-4 effecten in
    # all (the 3 verslaving casussen advised on a rung of 1,900 others)
    assert any(1 <= hidden <= 4 for _, _, _, hidden, _, _ in attacked), attacked
    recovered = [a for a in attacked if a[4] == a[5]]
    assert not recovered, f"pinned down by subtraction: {recovered}"


def test_departures_and_decision_periods(populatie: Populatie) -> None:
    info = get(populatie, f"?van={VAN}&tot={TOT}")
    assert info["afwijkingen"] == [
        {"instrument": "wmo.clientondersteuning", "categorie": "afgewezen_past",
         "besluiten": expect(8)},
        {"instrument": "wmo.gebruikelijke_hulp", "categorie": "toegekend_past_niet",
         "besluiten": expect(3)}]
    vv = next(i for e in populatie.receipts["scootmobiel"].advies["effecten"]
              for i in e["stap4"]["instrumenten"] if i["id"] == "wmo.vervoersvoorziening")
    assert decision_period(vv) == 14  # "Beschikking binnen twee weken" (art. 2.3.5 lid 2 Wmo)
    termijnen = {r["instrument"]: r for r in info["termijnen"]}
    assert termijnen["wmo.vervoersvoorziening"] == {
        "instrument": "wmo.vervoersvoorziening", "termijn_dagen": 14, "besluiten": expect(140),
        "binnen_termijn": expect(110), "buiten_termijn": expect(30)}
    # the 2025 besluiten count when the period includes them
    everything = {r["instrument"]: r for r in get(populatie)["termijnen"]}
    assert everything["wmo.vervoersvoorziening"]["besluiten"] == expect(160)


def test_open_questions_and_discretionary_grounds(populatie: Populatie) -> None:
    info = get(populatie, f"?van={VAN}&tot={TOT}")
    facts: Counter[str] = Counter()
    grounds: Counter[tuple[str, str, str]] = Counter()
    for soort, n in in_period(populatie).items():
        seen: set[str] = set()
        gseen: set[tuple[str, str, str]] = set()
        for e in populatie.receipts[soort].advies["effecten"]:
            for q in e["nog_uitvragen"]:
                head, _, name = q["feit"].partition("].")
                if "[" in head:
                    seen.add({"personen": "persoon", "gewenste_effecten": "effect"}[
                        head.split("[")[0]] + "." + name)
                else:
                    seen.add(q["feit"])
            for i in e["stap4"]["instrumenten"]:
                if i["status"] == "past_niet":
                    continue
                for r in i["redenen"]:
                    if r.get("door") and r["soort"] != "begrenzing" and \
                            r["stand"] != "nog onbekend":
                        gseen.add((i["id"], r["id"], r["door"]))
        for f in seen:
            facts[f] += n
        for g in gseen:
            grounds[g] += n
    top = sorted(facts.items(), key=lambda kv: (-kv[1], kv[0]))[:10]
    assert info["open_vragen"] == [{"feit": f, "casussen": expect(n)} for f, n in top]
    assert all("[" not in r["feit"] for r in info["open_vragen"])  # never whose fact
    gtop = sorted(grounds.items(), key=lambda kv: (-kv[1], kv[0]))[:10]
    assert info["beslisruimte"] == [{"instrument": i, "grond": g, "door": d,
                                     "casussen": expect(n)} for (i, g, d), n in gtop]
    assert info["beslisruimte"], "the bundled packs leave some grounds to the college"


def test_every_count_is_suppressed_or_rounded(populatie: Populatie) -> None:
    info = get(populatie, f"?van={VAN}&tot={TOT}")
    assert (info["drempel"], info["afronding"]) == (5, 5)

    def counts(node: Any) -> Iterator[Any]:
        if isinstance(node, dict):
            for key, value in node.items():
                if key in ("drempel", "afronding", "termijn_dagen", "aandeel_procent_van",
                           "aandeel_procent_tot"):
                    continue
                yield from counts(value)
        elif isinstance(node, list):
            for item in node:
                yield from counts(item)
        elif isinstance(node, int) and not isinstance(node, bool):
            yield node
    found = list(counts(info))
    assert found and all(n >= 5 and n % 5 == 0 for n in found), found
    assert "< 5" in str(info)


def test_csv_per_table(populatie: Populatie) -> None:
    r = populatie.client.get(f"/v1/beleidsinformatie?van={VAN}&tot={TOT}&formaat=csv"
                             "&tabel=domeinen", headers=BELEID)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    assert list(csv.DictReader(io.StringIO(r.text))) == [
        {"domeinen": d, "casussen": str(expect(n))}
        for d, n in (("0", 400), ("1", 1300), ("2", 230), ("3+", 20))]
    r = populatie.client.get(f"/v1/beleidsinformatie?van={VAN}&tot={TOT}&tabel=afwijkingen",
                             headers={**BELEID, "Accept": "text/csv, application/json;q=0.5"})
    assert r.headers["content-type"].startswith("text/csv")
    assert "wmo.gebruikelijke_hulp,toegekend_past_niet,< 5" in r.text
    assert f"wmo.clientondersteuning,afgewezen_past,{expect(8)}\r\n" in r.text
    r = populatie.client.get(f"/v1/beleidsinformatie?van={VAN}&tot={TOT}&tabel=afwijkingen",
                             headers={**BELEID, "Accept": "text/csv"})  # CSV alone (was 406)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    r = populatie.client.get("/v1/casusoverzicht", headers={**BELEID, "Accept": "text/csv"})
    assert r.status_code == 406  # only the beleidsinformatie speaks CSV
    r = populatie.client.get("/v1/beleidsinformatie?formaat=csv", headers=BELEID)
    assert r.status_code == 400 and r.json()["invalidParams"][0]["name"] == "tabel"
    r = populatie.client.get("/v1/beleidsinformatie?van=2026-02-01&tot=2026-01-01",
                             headers=BELEID)
    assert r.status_code == 400 and r.json()["invalidParams"][0]["name"] == "tot"
    r = populatie.client.get("/v1/beleidsinformatie?gemeente=Amsterdam", headers=BELEID)
    assert r.status_code == 400 and "gemeente" in r.text


def test_a_beleidsmedewerker_reaches_no_per_person_data(populatie: Populatie) -> None:
    c = populatie.client
    text = c.get("/v1/beleidsinformatie", headers=BELEID).text
    for ident in populatie.ids[::97]:
        assert ident not in text
    assert TOELICHTING not in text and MOTIVERING not in text and "Jansen" not in text
    cid = populatie.groepen[0].casussen[0]
    aid = populatie.groepen[0].adviezen[0].id
    for path in ("/v1/casussen", f"/v1/casussen/{cid}", "/v1/adviezen", f"/v1/adviezen/{aid}",
                 "/v1/besluiten", f"/v1/casussen/{cid}/opvolgingen", "/v1/opvolgingen",
                 "/v1/logboek", "/v1/casusoverzicht"):
        assert c.get(path, headers=BELEID).status_code == 403, path
    # the consulent is refused the aggregates; the auditor may read them
    assert c.get("/v1/beleidsinformatie", headers=CONSULENT).status_code == 403
    assert c.get("/v1/beleidsinformatie", headers=AUDITOR).status_code == 200
    # each request is in the processing log, without a betrokkene
    log = c.get("/v1/logboek?naam=beleidsinformatie_lezen", headers=AUDITOR).json()
    assert log["verwerkingen"] and all(v["betrokkene"] is None for v in log["verwerkingen"])


def test_openapi_documents_both_resources(populatie: Populatie) -> None:
    doc = populatie.client.get("/v1/openapi.json").json()
    op = doc["paths"]["/v1/beleidsinformatie"]["get"]
    assert op["summary"] and "text/csv" in op["responses"]["200"]["content"]
    schemas = doc["components"]["schemas"]
    props = schemas["Beleidsinformatie"]["properties"]
    assert "afgerond" in props["afronding"]["description"]
    assert "afronding" in schemas["Beleidsinformatie"]["required"]
    casussen = schemas["DomeinenRij"]["properties"]["casussen"]
    assert "afgerond op een veelvoud van 5" in str(casussen)
    assert {"/v1/casussen/{casus_id}/opvolgingen", "/v1/opvolgingen"} <= set(doc["paths"])


# ── vervangen_op: "its latest advies in the period" as a range predicate ────────────────────

SUPERSEDED_TABLES = ("advies_effecten", "advies_instrumenten", "advies_kenmerken")


def superseded(engine: Any) -> dict[str, list[tuple[Any, ...]]]:
    """Per derived table: (advies_id, vervangen_op) of every row, sorted."""
    with engine.connect() as conn:
        return {t: sorted(tuple(r) for r in conn.execute(sa.text(
            f"SELECT advies_id, vervangen_op FROM {t}")).all()) for t in SUPERSEDED_TABLES}


def test_a_second_advies_supersedes_the_first(populatie: Populatie) -> None:
    """The 100 casussen with a second advies (2026-07-01): the rows of their first advies carry
    the second's time in `vervangen_op`, in all three tables; every other row none."""
    first = populatie.groepen[0]
    again = set(first.casussen[:HERHAALD])
    with populatie.app.state.read_sessions() as s:
        second = {a.casus_id: a for a in s.scalars(select(Advies).where(
            Advies.casus_id.in_(again), Advies.aangemaakt >= "2026-07-01"))}
        assert len(second) == HERHAALD
        for table in SUPERSEDED_TABLES:
            rows = s.execute(sa.text(f"SELECT advies_id, dossier, vervangen_op FROM {table}")
                             ).all()
            replaced = {r.advies_id: r.vervangen_op for r in rows if r.vervangen_op}
            expected = {a.id: second[a.casus_id].aangemaakt for a in first.adviezen
                        if a.casus_id in again}
            assert replaced == expected, table
            assert all(r.vervangen_op is None for r in rows if r.dossier not in again
                       or r.advies_id == second[r.dossier].id), table


def test_a_period_before_the_second_advies_counts_the_first(populatie: Populatie) -> None:
    """Ending the day before the second adviezen: the 100 casussen count with their first
    advies (made in the period, superseded only after it); the day itself: only the second."""
    before = get(populatie, f"?van={VAN}&tot=2026-06-30")
    assert {r["domeinen"]: r["casussen"] for r in before["domeinen"]["rijen"]} == expect_all(
        {"0": 400, "1": 1300, "2": 230, "3+": 20})
    day = get(populatie, "?van=2026-07-01&tot=2026-07-01")
    assert {r["domeinen"]: r["casussen"] for r in day["domeinen"]["rijen"]} == expect_all(
        {"0": 0, "1": HERHAALD, "2": 0, "3+": 0})
    after = get(populatie, "?van=2026-07-02")
    assert {r["domeinen"]: r["casussen"] for r in after["domeinen"]["rijen"]} == expect_all(
        {"0": 0, "1": 0, "2": 0, "3+": 0})


def test_csv_of_one_table_equals_that_table_of_the_whole_answer(populatie: Populatie
                                                                ) -> None:
    """The CSV computes only its own table: the same rows as the JSON's."""
    whole = get(populatie, f"?van={VAN}&tot=2026-06-30")
    for tabel, rows in (("treden", whole["treden"]), ("open_vragen", whole["open_vragen"]),
                        ("instrumenten", whole["instrumenten"])):
        r = populatie.client.get(f"/v1/beleidsinformatie?van={VAN}&tot=2026-06-30&formaat=csv"
                                 f"&tabel={tabel}", headers=BELEID)
        assert r.status_code == 200, r.text
        found = list(csv.DictReader(io.StringIO(r.text)))
        assert found == [{k: str(v) for k, v in row.items()} for row in rows], tabel


def test_migration_0008_backfills_vervangen_op(db_url: str,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """Two adviezen on one casus and one on another, stored by the service; back to 0007 and
    up again: the backfill sets `vervangen_op` exactly as the service did."""
    from service import store

    monkeypatch.setattr(store, "KETEN_VERSIE", 3)  # as the service before 0009 stored them
    app = create_app(make_settings(db_url, pakkettests_bij_start=False))
    try:
        with TestClient(app) as c:
            ids = []
            for _ in range(2):
                cid = c.post("/v1/casussen", json=example("scootmobiel"),
                             headers=CONSULENT).json()["id"]
                ids.append(cid)
            for cid in (ids[0], ids[0], ids[1]):
                r = c.post("/v1/adviezen", json={"casus_id": cid}, headers=CONSULENT)
                assert r.status_code == 201, r.text
    finally:
        dispose(app)
    writer, _ = make_engines(db_url)
    try:
        before = superseded(writer)
        for table in SUPERSEDED_TABLES:  # the first advies of the first casus only
            assert len({a for a, v in before[table] if v}) == 1, table
            assert len({a for a, _ in before[table]}) == 3, table
        command.downgrade(alembic_config(writer), "0007")
        upgrade(writer)
        assert superseded(writer) == before
    finally:
        writer.dispose()


def test_a_fact_asked_for_two_effects_is_stored_once_per_advies() -> None:
    """Open questions and grounds count casussen by counting rows: each is stored once per
    advies, however many of its effects ask it."""
    vraag = {"feit": "personen[p1].leeftijd"}
    reden = {"id": "wmo.grond", "door": "college", "soort": "afweging", "stand": "ja"}
    trace = {"gemeente": {"code": "GM9991"}, "advies": {"effecten": [
        {"id": e, "leefgebied": "mobiliteit", "nog_uitvragen": [vraag],
         "stap4": {"instrumenten": [{"id": "wmo.x", "trede": "maatwerk", "status": "past",
                                     "redenen": [reden]}]}} for e in ("e1", "e2")]}}
    rows = beleid_rows(trace, advies_id="a1", volgnummer=1, casus_id="c1",
                       aangemaakt="2026-03-02T08:00:00.000000Z")
    assert len(rows["effecten"]) == 2 and len(rows["instrumenten"]) == 2
    assert sorted((k["soort"], k["kenmerk"], k["effect"]) for k in rows["kenmerken"]) == [
        ("beslisruimte", "wmo.grond", "e1"), ("nog_uitvragen", "persoon.leeftijd", "e1")]
