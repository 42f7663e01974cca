"""Old rules stay readable and pack versions mean something (issue 16).

Every advies pins its packs by content hash; that exact version is readable from the API and as a
regelboek page after the pack on disk changed. At start, a pack whose version number is already
stored with other content, or whose YAML tests fail, is not activated: the service does not
start, and says why. Runs on SQLite and PostgreSQL (`db_url`). Invented people only.
"""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from service.app import create_app
from service.db import PakketVersie, make_engines, session_factory
from service.engines import Engines, PackActivationError
from service.settings import Settings
from tests.api.conftest import AUDITOR, BELEID, CONSULENT, ROOT, dispose, example, make_settings

NEW_NAME = "naam: Regiotaxi (collectief vervoer)"
KEPT_TEST = "wmo.vervoersvoorziening: voorwaardelijk"
"""The expectation `test_start_refused_when_a_yaml_test_fails` turns into a failure."""


@pytest.fixture
def rules_copy(tmp_path: Path) -> Path:
    """The bundled packs with a few of their YAML test files: per pack the first file (which
    `change == "testbestand"` breaks) and wmo's file holding `KEPT_TEST`. What these tests show
    (the tests run at start, a failure refuses it, a kept pass is reused or run again) does not
    depend on how many there are; all of them ran at every start here, 1,200 s of CI."""
    target = tmp_path / "rules"
    shutil.copytree(ROOT / "rules", target)
    for folder in sorted(target.glob("*/tests")):
        files = sorted(folder.glob("*.yaml"))
        keep = {files[0]} | {f for f in files if folder.parent.name == "wmo"
                             and KEPT_TEST in f.read_text("utf-8")}
        for f in files:
            if f not in keep:
                f.unlink()
    return target


def change_wmo(rules: Path, bump: bool, rename: bool = True) -> None:
    """Rename an instrument in the wmo pack on disk; `bump`: raise its version too."""
    wmo = rules / "wmo" / "wmo.yaml"
    text = wmo.read_text("utf-8")
    assert 'versie: "' in text
    if rename:
        assert "naam: Collectief vervoer" in text
        text = text.replace("naam: Collectief vervoer", NEW_NAME, 1)
    if bump:
        text = text.replace('versie: "', 'versie: "2099-', 1)
    wmo.write_text(text, "utf-8")


def stored_hashes(db_url: str) -> set[str]:
    writer, reader = make_engines(db_url)
    try:
        with session_factory(reader)() as s:
            return set(s.scalars(sa.select(PakketVersie.hash)).all())
    finally:
        writer.dispose()
        reader.dispose()


def test_a_pinned_version_stays_readable_after_the_pack_changed(db_url: str,
                                                                 rules_copy: Path) -> None:
    wmo_file = rules_copy / "wmo" / "wmo.yaml"
    original = wmo_file.read_bytes()
    app = create_app(make_settings(db_url, rules_copy))
    try:
        with TestClient(app) as c:
            advies = c.post("/v1/adviezen", json={"casus": example("scootmobiel")},
                            headers=CONSULENT).json()
            pinned = next(p for p in advies["pakketten"] if p["id"] == "wmo")
            now = c.get(f"/v1/regelpakketten/{pinned['hash']}", headers=CONSULENT)
            assert now.status_code == 200, now.text
            assert now.json()["geldt_nu"] is True
    finally:
        dispose(app)
    assert pinned["hash"] == "sha256:" + hashlib.sha256(original).hexdigest()

    change_wmo(rules_copy, bump=True)
    app = create_app(make_settings(db_url, rules_copy))
    try:
        with TestClient(app) as c:
            for who in (CONSULENT, BELEID, AUDITOR):
                r = c.get(f"/v1/regelpakketten/{pinned['hash']}", headers=who)
                assert r.status_code == 200, r.text
            body = r.json()
            assert body["id"] == "wmo" and body["versie"] == pinned["versie"]
            assert body["hash"] == pinned["hash"] and body["geldt_nu"] is False
            assert body["bestand"] == "wmo.yaml" and body["opgeslagen"]
            assert body["regelpakket"]["naam"] == "Wet maatschappelijke ondersteuning 2015"
            assert body["instrumenten"] > 10 and body["grondwaarden"] >= 1
            # the exact bytes it was made with, not today's file
            assert body["yaml"].encode("utf-8") == original
            assert "naam: Collectief vervoer" in body["yaml"] and NEW_NAME not in body["yaml"]

            # the id still answers with the version in force
            current = c.get("/v1/regelpakketten/wmo", headers=CONSULENT).json()
            assert current["hash"] != pinned["hash"]
            assert current["versie"].startswith("2099-")
            assert c.get(f"/v1/regelpakketten/{current['hash']}",
                         headers=CONSULENT).json()["geldt_nu"] is True
    finally:
        dispose(app)


def test_a_hash_that_is_malformed_or_unknown(client: TestClient) -> None:
    bad = client.get("/v1/regelpakketten/sha256:xyz", headers=CONSULENT)
    assert bad.status_code == 400
    assert bad.headers["content-type"].startswith("application/problem+json")
    assert bad.json()["invalidParams"][0]["name"] == "pakket_id"
    unknown = client.get("/v1/regelpakketten/sha256:" + "0" * 64, headers=CONSULENT)
    assert unknown.status_code == 404
    assert "sha256:" + "0" * 64 in unknown.json()["detail"]
    assert client.get("/v1/regelpakketten/sha256:" + "0" * 64).status_code == 401
    assert client.get("/v1/regelpakketten/wmo", headers=CONSULENT).status_code == 200
    assert client.get("/v1/regelpakketten/bestaat_niet", headers=CONSULENT).status_code == 404


def test_the_regelboek_of_a_pinned_version(db_url: str, rules_copy: Path) -> None:
    app = create_app(make_settings(db_url, rules_copy))
    try:
        with TestClient(app) as c:
            advies = c.post("/v1/adviezen", json={"casus": example("scootmobiel")},
                            headers=CONSULENT).json()
    finally:
        dispose(app)
    old = next(p for p in advies["pakketten"] if p["id"] == "wmo")
    change_wmo(rules_copy, bump=True)
    app = create_app(make_settings(db_url, rules_copy))
    try:
        with TestClient(app) as c:
            c.cookies.set("ot_sessie", CONSULENT["Authorization"].removeprefix("Bearer "))
            page = c.get(f"/ui/regelboek/{old['hash']}.html")
            assert page.status_code == 200, page.text
            html = page.text
            banner = html[html.index('class="melding waarschuwing vastgepind"'):]
            banner = banner[:banner.index("</div>")]
            assert f"versie {old['versie']}" in banner and old["hash"] in banner
            assert "<strong>niet</strong> de versie die nu geldt" in banner
            assert "Collectief vervoer" in html and "Regiotaxi" not in html
            assert 'id="wmo.vervoersvoorziening"' in html  # the same renderer as today's
            today = c.get("/ui/regelboek/wmo.html").text
            assert "Regiotaxi" in today and "vastgepind" not in today
            # the advies page links each pinned pack to its regelboek
            assert f'href="/ui/regelboek/{old["hash"]}.html"' in c.get(
                f"/ui/adviezen/{advies['id']}").text
            assert c.get("/ui/regelboek/sha256:" + "1" * 64 + ".html").status_code == 404
    finally:
        dispose(app)


def test_start_refused_when_a_version_is_stored_with_other_content(db_url: str,
                                                                   rules_copy: Path) -> None:
    dispose(create_app(make_settings(db_url, rules_copy)))
    before = stored_hashes(db_url)
    old_hash = "sha256:" + hashlib.sha256((rules_copy / "wmo" / "wmo.yaml").read_bytes()
                                          ).hexdigest()
    change_wmo(rules_copy, bump=False)  # new content, same version number
    new_hash = "sha256:" + hashlib.sha256((rules_copy / "wmo" / "wmo.yaml").read_bytes()
                                          ).hexdigest()
    with pytest.raises(PackActivationError) as refused:
        create_app(make_settings(db_url, rules_copy))
    why = str(refused.value)
    assert "'wmo'" in why and old_hash in why and new_hash in why
    assert "versie" in why and "De service start niet" in why
    assert stored_hashes(db_url) == before  # nothing new stored
    # with the version raised it starts
    change_wmo(rules_copy, bump=True, rename=False)
    dispose(create_app(make_settings(db_url, rules_copy)))
    assert len(stored_hashes(db_url)) == len(before) + 1


def test_exact_bytes_stored_before_the_rule_still_start(db_url: str, rules_copy: Path) -> None:
    """A store that already holds two contents under one version (written before this check)
    does not block the start on bytes it holds: they are no new claim."""
    dispose(create_app(make_settings(db_url, rules_copy)))
    writer, reader = make_engines(db_url)
    try:
        with session_factory(writer)() as s:
            row = s.scalars(sa.select(PakketVersie).where(PakketVersie.pakket_id == "wmo")).one()
            s.add(PakketVersie(hash="sha256:" + "a" * 64, pakket_id="wmo", versie=row.versie,
                               bron="wmo.yaml", inhoud=b"ouder", opgeslagen="2020-01-01"))
            s.commit()
    finally:
        writer.dispose()
        reader.dispose()
    dispose(create_app(make_settings(db_url, rules_copy)))


def test_start_refused_when_a_yaml_test_fails(db_url: str, rules_copy: Path) -> None:
    tests = sorted((rules_copy / "wmo" / "tests").glob("*.yaml"))
    target = next(f for f in tests if KEPT_TEST in f.read_text("utf-8"))
    text = target.read_text("utf-8")
    target.write_text(text.replace(KEPT_TEST, "wmo.vervoersvoorziening: past", 1), "utf-8")
    with pytest.raises(PackActivationError) as refused:
        create_app(make_settings(db_url, rules_copy, pakkettests_bij_start=True))
    why = str(refused.value)
    assert "regelpakket 'wmo'" in why and f"wmo/tests/{target.name}:" in why
    assert "wmo.vervoersvoorziening: verwacht past, kreeg voorwaardelijk" in why
    assert "De service start niet" in why
    assert stored_hashes(db_url) == set()  # not activated: no version stored


def test_the_yaml_tests_at_start_can_be_switched_off(db_url: str, rules_copy: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """`OT_PAKKETTESTS_BIJ_START=0`, for a start where the tests already ran on these bytes."""
    monkeypatch.setenv("OT_PAKKETTESTS_BIJ_START", "0")
    assert Settings.from_env().pakkettests_bij_start is False
    monkeypatch.delenv("OT_PAKKETTESTS_BIJ_START")
    assert Settings.from_env().pakkettests_bij_start is True
    target = sorted((rules_copy / "wmo" / "tests").glob("*.yaml"))[0]
    target.write_text(target.read_text("utf-8") + "\n- naam: kapot\n", "utf-8")
    writer, reader = make_engines(db_url)
    try:
        from service.migrate import upgrade

        upgrade(writer)
        on = Engines(rules_copy, session_factory(writer), session_factory(reader))
        with pytest.raises(PackActivationError, match="testbestand wmo/tests/"):
            on.store_current()
        off = Engines(rules_copy, session_factory(writer), session_factory(reader),
                      yaml_tests=False)
        off.store_current()
        assert len(stored_hashes(db_url)) == len(off.current.rules.packs)
    finally:
        writer.dispose()
        reader.dispose()


def test_two_starts_at_once_cannot_both_claim_a_version(db_url: str, rules_copy: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """Another worker stores other bytes under wmo's version while this one runs its YAML
    tests (between the first check and the store): the check is repeated inside the storing
    transaction, so this start is refused instead of both versions being kept."""
    import service.engines as engines_module

    writer, reader = make_engines(db_url)
    try:
        from service.migrate import upgrade

        upgrade(writer)
        starting = Engines(rules_copy, session_factory(writer), session_factory(reader))
        wmo = next(lp for lp in starting.current.rules.packs if lp.id == "wmo")
        other = "sha256:" + "b" * 64

        def other_worker_stores_first(engine: object) -> list[str]:
            with session_factory(writer)() as s:
                s.add(PakketVersie(hash=other, pakket_id="wmo", versie=wmo.pack.regelpakket
                                   .versie, bron="wmo.yaml", inhoud=b"andere inhoud",
                                   opgeslagen="2026-12-03T00:00:00Z"))
                s.commit()
            return []

        monkeypatch.setattr(engines_module, "failing_pack_tests", other_worker_stores_first)
        with pytest.raises(PackActivationError) as refused:
            starting.store_current()
        assert other in str(refused.value) and "'wmo'" in str(refused.value)
        assert stored_hashes(db_url) == {other}  # nothing of this start was stored
    finally:
        writer.dispose()
        reader.dispose()


def test_each_rules_folder_names_its_own_failing_tests(tmp_path: Path) -> None:
    """The YAML tests' outcome is kept per process (`service.engines.pack_tests`); two folders
    with the same packs and the same failing test must each be told about their own files. (CI of
    stop 30: the second start's message said "(map)" instead of the pack, because the outcome of
    the first folder was reused with the first folder's paths.)"""
    import shutil

    from engine import Engine
    from service.engines import failing_pack_tests

    messages = []
    for name in ("eerste", "tweede"):
        folder = tmp_path / name / "wsnp"
        shutil.copytree(ROOT / "rules" / "wsnp", folder)
        test = folder / "tests" / "wsnp.yaml"
        text = test.read_text("utf-8")
        assert "wsnp.schuldsanering: voorwaardelijk" in text
        test.write_text(text.replace("wsnp.schuldsanering: voorwaardelijk",
                                     "wsnp.schuldsanering: past_niet", 1), "utf-8")
        engine = Engine.load([folder])
        try:
            messages.append(failing_pack_tests(engine))
        finally:
            engine.close()
    for lines in messages:
        assert len(lines) == 1 and lines[0].startswith("regelpakket 'wsnp' versie "), lines
        assert "(wsnp/tests/wsnp.yaml:" in lines[0]


# --- a passed run of the YAML tests is kept (pakkettest_runs) --------------------------------

def _engines(db_url: str, rules: Path) -> tuple[Engines, sa.Engine, sa.Engine]:
    from service.migrate import upgrade

    writer, reader = make_engines(db_url)
    upgrade(writer)
    return Engines(rules, session_factory(writer), session_factory(reader)), writer, reader


def _runs(writer: sa.Engine) -> list[tuple[str, str, int]]:
    from service.db import PakketTestRun

    with session_factory(writer)() as s:
        return [(r.sleutel, r.engine, r.tests) for r in s.scalars(sa.select(PakketTestRun))]


def test_a_restart_on_the_same_packs_and_tests_does_not_run_them_again(
        db_url: str, rules_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The first start runs the YAML tests and keeps the pass; the second (same engine code,
    packs and test files) activates without running them."""
    import service.engines as engines_module
    from engine.version import code_digest

    first, writer, reader = _engines(db_url, rules_copy)
    try:
        first.store_current()
        runs = _runs(writer)
        results, _ = engines_module.pack_tests(first.current)
        assert [(k, e, n) for k, e, n in runs] == [
            (engines_module.pack_tests_key(first.current), code_digest(), len(results))]
        assert len(results) >= len(list(rules_copy.glob("*/tests/*.yaml"))) > 0

        def must_not_run(engine: object) -> list[str]:
            raise AssertionError("the YAML tests ran again")

        monkeypatch.setattr(engines_module, "failing_pack_tests", must_not_run)
        again = Engines(rules_copy, session_factory(writer), session_factory(reader))
        again.store_current()
        assert _runs(writer) == runs
    finally:
        writer.dispose()
        reader.dispose()


@pytest.mark.parametrize("change", ["testbestand", "engine"])
def test_a_changed_test_file_or_engine_runs_the_tests_again(
        db_url: str, rules_copy: Path, monkeypatch: pytest.MonkeyPatch, change: str) -> None:
    """A kept pass holds only for exactly what ran: a test file that now fails, or other engine
    code, runs the tests again (and a failure refuses the start)."""
    import service.engines as engines_module

    first, writer, reader = _engines(db_url, rules_copy)
    try:
        first.store_current()
        if change == "testbestand":
            target = sorted((rules_copy / "wmo" / "tests").glob("*.yaml"))[0]
            target.write_text(target.read_text("utf-8") + "\n- naam: kapot\n", "utf-8")
            again = Engines(rules_copy, session_factory(writer), session_factory(reader))
            with pytest.raises(PackActivationError, match="testbestand wmo/tests/"):
                again.store_current()
            assert len(_runs(writer)) == 1
        else:
            ran: list[object] = []

            def record(engine: object) -> list[str]:
                ran.append(engine)
                return []

            first_engine = _runs(writer)[0][1]
            monkeypatch.setattr(engines_module, "failing_pack_tests", record)
            monkeypatch.setattr(engines_module, "code_digest", lambda: "sha256:" + "c" * 64)
            again = Engines(rules_copy, session_factory(writer), session_factory(reader))
            again.store_current()
            assert len(ran) == 1
            assert {e for _, e, _ in _runs(writer)} == {engines_module.code_digest(),
                                                      first_engine}
    finally:
        writer.dispose()
        reader.dispose()
