"""Shared fixtures, the hypothesis profiles and the privacy scan of the whole run's logs.
Tests use invented people only."""

from __future__ import annotations

import json
import os
import re
import resource
import tempfile
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import settings

from engine import Engine
from tests.paths import EXAMPLES, FIXTURES, ROOT, SHARED  # noqa: F401  (re-exported)

LOG_FILE = Path(os.environ.setdefault(
    "OT_LOG_FILE", str(Path(tempfile.mkdtemp(prefix="ot-logs-")) / "service.jsonl")))
"""Every service log line of the whole run (in-process apps and live servers alike), scanned
for personal data by `pytest_sessionfinish` below after the last test, whatever the order."""

# Hypothesis: CI explores (random, more examples, a failure prints the blob to reproduce it);
# a local run is fast and the same every time. HYPOTHESIS_PROFILE=ci|snel overrides.
settings.register_profile("ci", max_examples=300, derandomize=False, print_blob=True)
settings.register_profile("snel", max_examples=60, derandomize=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE")
                      or ("ci" if os.environ.get("OT_CI") == "1" else "snel"))


def _worker_database(url: str, worker: str) -> str:
    """The URL of this xdist worker's own PostgreSQL database (`<database>_<worker>`), created
    when missing. The service tests empty their schema per module; two workers sharing one
    database would empty each other's."""
    import psycopg
    from sqlalchemy.engine import make_url

    base = make_url(url)
    name = f"{base.database}_{worker}"
    with psycopg.connect(base.set(drivername="postgresql").render_as_string(hide_password=False),
                         autocommit=True) as connection:
        if connection.execute("SELECT 1 FROM pg_database WHERE datname = %s",
                              (name,)).fetchone() is None:
            connection.execute(f'CREATE DATABASE "{name}"')
    return base.set(database=name).render_as_string(hide_password=False)


# The suite runs in two processes (pytest-xdist, `make test`); each worker gets its own
# PostgreSQL database before any other conftest or test module reads `OT_TEST_POSTGRES_URL`.
# This is import time on purpose: pytest imports the conftest of a directory named on the
# command line (`pytest tests/api/...`) before it calls `pytest_configure`.
# A pytest started by a test inside a worker inherits PYTEST_XDIST_WORKER and the worker's URL:
# OT_TEST_POSTGRES_WORKER says the URL is already this worker's.
if ((_worker := os.environ.get("PYTEST_XDIST_WORKER"))
        and os.environ.get("OT_TEST_POSTGRES_WORKER") != _worker
        and (_url := os.environ.get("OT_TEST_POSTGRES_URL"))):
    os.environ["OT_TEST_POSTGRES_URL"] = _worker_database(_url, _worker)
    os.environ["OT_TEST_POSTGRES_WORKER"] = _worker
if _worker:
    # xdist's workers get COLUMNS=80 and LINES=24; the command line's rich consoles are made at
    # import and would keep 80 columns, while the CLI tests give each command its own COLUMNS.
    for _name in ("COLUMNS", "LINES"):
        os.environ.pop(_name, None)


@pytest.fixture(scope="session")
def basis() -> Engine:
    """The small fixture pack, durable-rules backend."""
    return Engine.load([FIXTURES / "basis"])


@pytest.fixture(scope="session")
def rules() -> Engine:
    """The bundled rule packs, durable-rules backend."""
    return Engine.load()


_module_growth: dict[str, int] = {}
"""Per test module, how much the process's resident memory grew while it ran (MiB): the CI
suite once reached 9 GB, and the summary names where memory goes."""


def _rss_mib() -> int | None:
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) // 1024
    except OSError:
        return None
    return None


_module_start: dict[str, int] = {}


def pytest_runtest_setup(item: pytest.Item) -> None:
    module = item.nodeid.split("::", 1)[0]
    if module not in _module_start and (rss := _rss_mib()) is not None:
        _module_start[module] = rss


def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> None:
    module = item.nodeid.split("::", 1)[0]
    if nextitem is None or nextitem.nodeid.split("::", 1)[0] != module:
        rss = _rss_mib()
        if rss is not None and module in _module_start:
            _module_growth[module] = _module_growth.get(module, 0) + rss - _module_start.pop(
                module)


def _memory_line(rss: int, peak: int, growth: dict[str, int]) -> str:
    top = sorted(growth.items(), key=lambda kv: -kv[1])[:8]
    return (f"{rss} MiB resident at the end, peak {peak} MiB; grew most during: "
            + ", ".join(f"{m.removeprefix('tests/')} +{g}" for m, g in top))


def _memory_now() -> tuple[int, int] | None:
    """(resident now, peak resident) of this process in MiB."""
    if (rss := _rss_mib()) is None:
        return None
    return rss, max(rss, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024)


_worker_memory: dict[str, dict[str, Any]] = {}
"""Under xdist: what each worker reported of its memory when it finished (the controller runs no
test, so its own figures say nothing)."""


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: Any) -> None:
    """xdist: a worker finished; keep the memory figures it sent (`_report_worker_memory`)."""
    memory = getattr(node, "workeroutput", {}).get("ot_memory")
    if memory:
        _worker_memory[node.gateway.id] = memory


def _report_worker_memory(config: pytest.Config) -> None:
    """In an xdist worker: send this process's memory figures to the controller."""
    if _module_growth and (now := _memory_now()) is not None:
        config.workeroutput["ot_memory"] = {  # type: ignore[attr-defined]
            "rss": now[0], "peak": now[1], "growth": dict(_module_growth)}


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """The suite runs in random order (pytest-randomly); `-q` hides the header that names the
    seed, so it is repeated at the end, where a failure is read. Then the memory: the peak
    resident size and the test modules during which it grew most, per process (one line per
    xdist worker)."""
    if _module_growth and (now := _memory_now()) is not None:
        terminalreporter.write_line("memory: " + _memory_line(*now, _module_growth))
    for worker, m in sorted(_worker_memory.items()):
        terminalreporter.write_line(
            f"memory of {worker}: " + _memory_line(m["rss"], m["peak"], m["growth"]))
    seed = getattr(terminalreporter.config.option, "randomly_seed", None)
    if seed is not None and terminalreporter.config.pluginmanager.has_plugin("randomly"):
        terminalreporter.write_line(
            f"random order: --randomly-seed={seed} (the same order again: pytest -p randomly "
            f"--randomly-seed={seed}; file order: -p no:randomly)")


# ---- the privacy scan (AVG): after the whole session, whatever the test order ----

NAMES = ("Jan-Jansen", "Jansen", "Geheime-wens")
"""Invented names the tests put into casussen: none may reach a log line."""
DATE_IN_TEXT = re.compile(r"\b(19|20)\d\d-\d\d-\d\d\b")
FREE_TEXT = ("Zelf naar de markt.", "Hij komt de deur niet meer uit en vereenzaamt.",
             "Proefrit met de regiotaxi")
"""Inwoner free text typed by the tests (besides every example's `omschrijving`)."""


def personal_data_in_log(path: Path) -> list[str]:
    """Every log line that carries inwoner free text, a test name or any date (a birth date
    would be one), each as `line N: what was found`; the timestamp field is not scanned."""
    secrets = [e["omschrijving"] for p in sorted(EXAMPLES.glob("*.yaml"))
               for e in yaml.safe_load(p.read_text("utf-8"))["gewenste_effecten"]]
    secrets += [*FREE_TEXT, *NAMES]
    found = []
    for number, line in enumerate(path.read_text("utf-8").splitlines(), 1):
        entry = json.loads(line)
        text = json.dumps({k: v for k, v in entry.items() if k != "tijd"}, ensure_ascii=False)
        found += [f"line {number}: {secret!r}" for secret in secrets if secret in text]
        if DATE_IN_TEXT.search(text):
            found.append(f"line {number}: a date")
    return found


_service_tests_run: list[str] = []
"""Service tests (tests/api, tests/web) that ran in this session, for the scan's sanity check."""


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.when == "call" and report.nodeid.startswith(("tests/api/", "tests/web/")):
        _service_tests_run.append(report.nodeid)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Scan every service log line of the run once all tests are done. This is a hook, not a
    test, so it runs last in any order (pytest-randomly shuffles the files); a finding turns
    the exit status into 'tests failed'. A run in which service tests passed but no log line
    was written means the tee to $OT_LOG_FILE broke, which would make the scan vacuous."""
    if hasattr(session.config, "workerinput"):
        _report_worker_memory(session.config)
        return  # an xdist worker: the controller scans once all workers are done (one log)
    problems: list[str] = []
    if LOG_FILE.is_file():
        problems = personal_data_in_log(LOG_FILE)
    if (_service_tests_run and exitstatus == 0
            and (not LOG_FILE.is_file() or LOG_FILE.stat().st_size == 0)):
        problems.append(f"the service tests wrote no log line to {LOG_FILE}")
    if not problems:
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    message = ("PRIVACY SCAN FAILED (service logs of this run, " + str(LOG_FILE) + "):\n  "
               + "\n  ".join(problems[:20]))
    if reporter is not None:
        reporter.write_sep("=", "privacy scan of the service logs", red=True)
        reporter.write_line(message, red=True)
    else:
        print(message)
    session.exitstatus = pytest.ExitCode.TESTS_FAILED
