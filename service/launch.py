"""Start the real service (uvicorn) in other processes: used by tests that need a live server
and by the HTTP benchmark. Local API keys only, rate limits out of the way of load tests;
never a production launcher."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

KEYS = {"sleutel-consulent": {"rol": "consulent", "sub": "consulent-1"},
        "sleutel-auditor": {"rol": "auditor", "sub": "auditor-1"},
        "sleutel-beleid": {"rol": "beleidsmedewerker", "sub": "beleid-1"}}

START_TIMEOUT_S = 180
"""How long `start_server` waits for the first answer (the start runs the YAML tests)."""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def start_server(database_url: str, workers: int = 1, log: Path | None = None,
                 extra_env: dict[str, str] | None = None, port: int | None = None
                 ) -> tuple[str, subprocess.Popen[bytes]]:
    """Start uvicorn in its own process and wait until it answers; returns (url, process).
    `port`: a port chosen beforehand (the single sign-on tests register the redirect URI with
    the provider first); else a free one. The packs' YAML tests at start are off unless the
    environment or `extra_env` turns them on (`OT_PAKKETTESTS_BIJ_START`): every server here
    is a new process on a new database, so each ran all 1,300 of them again (50 s of every
    browser test module's setup); the start with them on is tested in-process
    (tests/api/test_pinned_packs.py)."""
    port = port or free_port()
    env = {"OT_PAKKETTESTS_BIJ_START": "0", **os.environ, "OT_DATABASE_URL": database_url,
           "OT_API_KEYS": json.dumps(KEYS),
           "OT_LIMIETEN": json.dumps(dict.fromkeys(("adviezen", "impact", "valideer", "test"),
                                                   "1000000/minute")),
           **(extra_env or {})}
    out = open(log, "ab") if log else subprocess.DEVNULL  # noqa: SIM115
    proc = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "--factory", "service.app:create_app",
         "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers),
         "--log-level", "warning"], env=env, stdout=out, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    wait_until_up(base, proc)
    return base, proc


def wait_until_up(base: str, proc: subprocess.Popen[bytes]) -> None:
    """Wait until the server at `base` answers `/v1/gezondheid` with 200; kill it and raise
    when it stops or does not answer within `START_TIMEOUT_S`. A start with the packs' YAML
    tests on (service.engines, `OT_PAKKETTESTS_BIJ_START`) runs them before it activates the
    packs: 973 tests took about 21 s on a quiet core on 2026-12-06 and more on a loaded one (a
    rehearsal beside other work missed the earlier 30 s limit)."""
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/v1/gezondheid", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        if proc.poll() is not None:
            raise RuntimeError(f"server stopped with {proc.returncode}")
        time.sleep(0.1)
    proc.kill()
    raise RuntimeError(f"server did not start within {START_TIMEOUT_S} s")


def stop_server(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


@contextmanager
def live_server(database_url: str, workers: int = 1, log: Path | None = None,
                extra_env: dict[str, str] | None = None, port: int | None = None
                ) -> Iterator[str]:
    base, proc = start_server(database_url, workers, log, extra_env, port)
    try:
        yield base
    finally:
        stop_server(proc)
